/*
** core/notify.h: what the messages say (plain Japanese for a citizen who is
** not used to computers) and when they are queued (core/outbox.h).
**
** Every notify_* function runs INSIDE the caller's write transaction, after
** the change it tells about, and returns 0 or a KERR code (roll back). With
** mail off (no `serve --smtp`) they do nothing and return 0.
*/
#ifndef KOMINKAN_CORE_NOTIFY_H
#define KOMINKAN_CORE_NOTIFY_H

#include <stdint.h>

#include "bookings.h"
#include "ctx.h"

enum notify_event {
  NOTE_HOLD,       /* a new booking (a hold); by staff for a citizen: staff_change */
  NOTE_CONFIRM,    /* confirmed; by staff: staff_change */
  NOTE_CANCEL,     /* cancelled: the fee, or the refund (call after the refund) */
  NOTE_LAPSE       /* the hold lapsed */
};

/* Tell the holder of booking B (nobody for a walk-in) about EVENT, done by
** the actor of CTX. */
int notify_booking(struct kctx *ctx, enum notify_event event, const struct booking *b);

/* The centre of booking B is closed on its date (REASON: e.g. 「設備点検のため」),
** and what happens to the booking (WHAT: e.g. 「予約は取り消し、料金はお返しします」).
** For the operations engineer's closures. */
int notify_closure(struct kctx *ctx, const struct booking *b, const char *reason,
                   const char *what);

/* The decision on group GROUP_ID's registration (or renewal) for its
** representative: APPROVED or not, with REASON (may be NULL when approved). */
int notify_group_decision(struct kctx *ctx, int64_t group_id, int approved, const char *reason);

/* The decision on exemption application APP_ID (減免) for the applicant. */
int notify_discount_decision(struct kctx *ctx, int64_t app_id, int approved,
                             const char *reason);

/* Security messages, for the sign-in flows (the operations engineer builds
** them): a password reset link valid until EXPIRES_AT; the system ID of
** ACCOUNT to its own address. */
int notify_password_reset(struct kctx *ctx, int64_t account, const char *link,
                          int64_t expires_at);
int notify_forgotten_id(struct kctx *ctx, int64_t account);

/* The periodic sweep (in its own write transaction): holds that lapse within
** 24 hours get their warning, confirmed bookings used tomorrow (Asia/Tokyo)
** their reminder; each at most once (outbox dedup keys). *N (may be NULL)
** gets the number queued. 0 or a KERR code. */
int notify_sweep(struct kctx *ctx, int *n);

/* Courses (core/course_apps.c): what became of application APP: a place
** (ACCEPTED), the waiting list (WAITLISTED, with the position), a place
** offered from the waiting list with its deadline (OFFER), an offer that
** lapsed (OFFER_LAPSED). The lottery's public record is linked. */
enum course_note { COURSE_ACCEPTED, COURSE_WAITLISTED, COURSE_OFFER, COURSE_OFFER_LAPSED };
int notify_course(struct kctx *ctx, int64_t app, enum course_note what);

/* The allocation round (core/rounds.c): the result of round application
** APP for the representative who applied (won: the hold made; lost: why),
** with the published draw. */
int notify_round_result(struct kctx *ctx, int64_t app);

#endif
