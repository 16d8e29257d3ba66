/*
** core/counter_int.h: helpers shared by core/counter.c (the desk's actions),
** core/counter_ledger.c (the ledger) and core/sameday.c (the same walk-in,
** taken on the web). Private to those files.
*/
#ifndef KOMINKAN_CORE_COUNTER_INT_H
#define KOMINKAN_CORE_COUNTER_INT_H

#include <jansson.h>

#include "ctx.h"
#include "kerr.h"
#include "payments.h"
#include "rules.h"

/* ["morning","afternoon"] for "morning,afternoon" (a new array). */
json_t *counter_slots_array(const char *slots);

/* CODE, or the actor's home centre when CODE is NULL or "": 0, or
** KERR_VALIDATION / KERR_NOT_FOUND in EI. */
int counter_resolve_center(struct kctx *ctx, const char *code, const struct center **out,
                           struct kerrinfo *ei);

/* RULE: same-day walk-in. What a walk-in (当日利用、登録なし) gives instead
** of an account: a name and a phone, kept on the booking only (staff
** screens; never the feeds, the usage log or the reports). */
struct walkin {
  char name[256];
  char phone[64];                    /* folded to half-width (text_fold_phone) */
  char method[16];                   /* the counter: paid at once with it ("": later) */
  char receipt[PAYMENT_RECEIPT_MAX];
  int online;                        /* taken on the web (core/sameday.c), not at the counter */
};

/* The walk-in's own fields of BODY into WK (WK->online set by the caller):
** "name", "phone", "date" (today only; absent: today), no "group_id"; at the
** counter "payment_method"; on the web "attendees" and "purpose" too (nobody
** there to ask). Each mistake at its field in EI; with any, the booking's
** fields that are simply missing as well (every error at once). 0, or
** KERR_VALIDATION. */
int counter_walkin_fields(struct kctx *ctx, const json_t *body, struct walkin *wk,
                          struct kerrinfo *ei);

/* BODY as the booking request of a walk-in (a new object, NULL when out of
** memory): for today, no group, attendees 1 and purpose 当日利用 when left
** out. */
json_t *counter_walkin_request(const struct kctx *ctx, const json_t *body);

/* Take the walk-in WK (checked by counter_walkin_fields) of BODY ("room_id",
** "slots", "attendees"?, "purpose"?) for today, through booking_create_for()
** under the channel of CTX ("counter": core/bookable.c BK_WALKIN; else
** BK_SAMEDAY): the same rule checks, the same one write transaction and
** UNIQUE index against a double booking, confirmed at once with the name
** and phone; on the web at most one such use a phone a day (KERR_LIMIT).
** EVENT is the usage-log action. *OUT the booking plus "walkin":true,
** "holder", "due", "paid", "outstanding", "payments". */
int counter_walkin_book(struct kctx *ctx, const json_t *body, struct walkin *wk,
                        const char *event, json_t **out, struct kerrinfo *ei);

/* RULE: same-day use without registration on the web: at most one a phone
** number a day (core/sameday.h). KERR_LIMIT when another online walk-in of
** today, not cancelled, than booking ID (0: none yet) has WK's phone
** (hyphens aside). counter_walkin_book() asks it inside the booking's write
** transaction, so two posts at once cannot both pass; a quote asks it before. */
int counter_walkin_phone_used(struct kctx *ctx, const struct walkin *wk, int64_t id,
                              struct kerrinfo *ei);

#endif
