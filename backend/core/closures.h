/*
** core/closures.h: the city's own closures (issue 14; docs/operations.md
** "Closing a centre or a room"): a centre, or one room, closed for a range of
** dates with a reason (改修工事, 選挙の投票所), on top of the rule book's
** closed days.
**
** Once made, the days are closed everywhere, because core/bookable.c (the one
** decision) reads the closures table: the feeds show "closed", the pages
** 休館日 with the reason, a booking is refused (KERR_CLOSED) with the reason.
** The bookings already made for those days are, in the same transaction,
** either cancelled by the city (no fee; what was paid is refunded) or
** flagged (kept; staff follow up), and their holders are told: on マイページ
** always (closures_mine), and by mail when mail is on. Every closure and
** every booking it cancels goes to the usage log and the audit trail.
*/
#ifndef KOMINKAN_CORE_CLOSURES_H
#define KOMINKAN_CORE_CLOSURES_H

#include <jansson.h>
#include <stdint.h>

#include "ctx.h"

#define CLOSURE_MAX_DAYS 366
#define CLOSURE_REASON_MAX 100

/* Staff (their home centre) or admin: {"center","room_id"?,"from","to",
** "reason","bookings":"cancel"|"flag"} (a form's strings too; bookings
** defaults to "cancel"). FROM not before today, TO not before FROM, at most
** CLOSURE_MAX_DAYS days. *OUT is the closure as closures_get() shows it.
** KERR_VALIDATION with fields, KERR_FORBIDDEN, KERR_NOT_FOUND (room). */
int closures_create(struct kctx *ctx, const json_t *in, json_t **out, struct kerrinfo *ei);

/* {"closures":[{"id","center","center_name","room_id"?,"room_name"?,"from",
** "to","reason","bookings","created_at","lifted_at"?,"cancelled","flagged"}]}:
** the closures not lifted that end on or after FROM (0: today), at CENTER
** (NULL or "": every centre), by start date; with LIFTED, the lifted ones too.
** Public (the reason is public), but the counts only for staff. */
int closures_list(struct kctx *ctx, const char *center, int32_t from, int lifted, json_t **out,
                  struct kerrinfo *ei);

/* One closure with "affected":[{"booking_id","date","slots","room_id",
** "outcome":"cancelled"|"flagged","refunded"}]. Staff and admins. */
int closures_get(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei);

/* Lift closure ID (staff of its centre, admin): its days are open again;
** cancelled bookings stay cancelled. Lifting a lifted one: KERR_CONFLICT. */
int closures_lift(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei);

/* For the signed-in citizen: {"notices":[{"closure_id","booking_id","date",
** "slots","center","center_name","room_name","reason","outcome","refunded",
** "at"}]}: their bookings a closure cancelled or flagged, newest first, for
** bookings whose date is not more than 30 days past. */
int closures_mine(struct kctx *ctx, json_t **out, struct kerrinfo *ei);

/* The sentence a holder reads about one notice: what happened and what to
** do (OUT, N bytes). OUTCOME "cancelled" or "flagged". */
void closures_notice_text(const char *outcome, int refunded, char *out, size_t n);

#endif
