/*
** core/sameday.h: same-day use of a free room without registration, taken on
** the web (空き部屋の当日有効利用; 登録なしで利用). The working group's fix list
** asks that an empty room of today can be used by anyone for the normal fee,
** and that on campaign days (親子の日 ...) the campaign's rooms are used free
** of charge without registration. The counter's walk-in (core/counter.h)
** does it in counter hours; this is the same walk-in in the evening, at the
** weekend, from a phone: a name and a phone number instead of an account.
**
** The rule book decides (same_day): the web takes such uses while
** same_day.online is true and same_day.registration_required is not, and on
** a campaign day for the campaign's rooms; only slots of today, until
** same_day.until (core/bookable.c, channel BK_SAMEDAY). The booking is the
** counter's walk-in exactly (core/counter.c counter_walkin_book: the same
** rule checks, the same one write transaction and UNIQUE index, confirmed at
** once, the name and phone kept on the booking for staff only), with channel
** "online". The fee is paid at the centre (0 on a campaign day). To cancel,
** the person calls the centre: a walk-in has no account to sign in with, and
** no cancel code.
**
** Abuse: at most one such use a phone number a day (KERR_LIMIT); 10 uses
** taken an hour per client address (core/throttle.c throttle_sameday,
** KERR_RATE_LIMITED). The web routes are the rush path's (the writer, group
** commit) and an anonymous form post must come from this site (Origin).
**
** The usage log gets "booking.sameday" (channel "online"), never the name or
** the phone; the reports count it as a walk-in (当日利用) by channel online.
*/
#ifndef KOMINKAN_CORE_SAMEDAY_H
#define KOMINKAN_CORE_SAMEDAY_H

#include <jansson.h>

#include "ctx.h"

/* POST /api/v1/sameday {"room_id","slots","name","phone","attendees",
** "purpose","date"?} (date, when sent, must be today): RULE same-day use
** without registration on the web. Anyone (no account needed); a signed-in
** person is not the holder either. *OUT: the booking (confirmed) plus
** "walkin":true, "holder" {"kind":"walkin","name","phone"}, "due", "paid",
** "outstanding", "payments" (none: it is paid at the centre) and "center_phone"
** (where to call to cancel). Errors: 422 validation (each field), 422
** outside_booking_window (not today, not allowed by the rule book, the slot
** has started), 422 closed, 422 capacity, 422 limit_exceeded (the phone was
** used today), 409 slot_taken, 429 rate_limited. Nothing is stored on an
** error. */
int sameday_take(struct kctx *ctx, const json_t *body, json_t **out, struct kerrinfo *ei);

/* The confirmation step before sameday_take (WCAG 3.3.4): BODY checked by
** every rule sameday_take checks (the phone's use today and whether the slot
** is free as of now, without the writer lock) and priced; nothing is
** written. *Q (zeroed first) is the booking it would make (status
** BOOKING_UNKNOWN), with the walk-in's name. The same errors, but no
** throttle: a look costs nothing. */
struct booking_quote;
int sameday_quote(struct kctx *ctx, const json_t *body, struct booking_quote *q,
                  struct kerrinfo *ei);

#endif
