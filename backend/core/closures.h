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
#include "status.h"

#define CLOSURE_MAX_DAYS 366
#define CLOSURE_REASON_MAX 100

/* Staff (their home centre) or admin: {"center","room_id"?,"from","to",
** "reason","bookings":"cancel"|"flag"} (a form's strings too; bookings
** defaults to "cancel"). FROM not before today, TO not before FROM, at most
** CLOSURE_MAX_DAYS days. *OUT is the closure as closures_get() shows it.
** KERR_VALIDATION with fields, KERR_FORBIDDEN, KERR_NOT_FOUND (room). */
int closures_create(struct kctx *ctx, const json_t *in, json_t **out, struct kerrinfo *ei);
/* The same for a page: *ID the new closure's. */
int closures_create_id(struct kctx *ctx, const json_t *in, int64_t *id, struct kerrinfo *ei);

/* A closure as the API and the pages show it. */
struct closure_view {
  int64_t id;
  char center[32];
  const char *center_name;          /* the rule book's; "" when it has no such centre */
  int64_t room_id;                  /* 0: the whole centre */
  const char *room_name;            /* with a room: the rule book's, or "" */
  char from[11], to[11];
  char reason[CLOSURE_REASON_MAX * 4 + 1];
  enum closure_mode mode;           /* what it did to the bookings */
  int64_t created_at, lifted_at;    /* instants; lifted_at 0 while in force */
  int has_counts;                   /* staff see the counts: */
  int64_t cancelled, flagged;
};
/* V as the API shows it (new reference; NULL when out of memory). */
json_t *closure_view_json(const struct closure_view *v);

/* closures_list as views: *OUT (malloc'd, *N of them; the caller frees). */
int closure_views_list(struct kctx *ctx, const char *center, int32_t from, int lifted,
                       struct closure_view **out, int *n, struct kerrinfo *ei);

/* One booking a closure touched. */
struct closure_affected {
  int64_t booking_id, room_id, refunded;
  char date[11], slots[RULES_MAX_SLOTS * 25];
  enum closure_outcome outcome;
};
/* A closure with the bookings it touched (closure_detail_free). */
struct closure_detail {
  struct closure_view c;
  struct closure_affected *affected;   /* malloc'd, by date */
  int naffected;
};
void closure_detail_free(struct closure_detail *d);
/* D as the API shows it (closures_get; new reference). */
json_t *closure_detail_json(const struct closure_detail *d);
/* closures_get as a detail (zeroed first: free it after an error too). */
int closure_detail_get(struct kctx *ctx, int64_t id, struct closure_detail *d,
                       struct kerrinfo *ei);

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

/* One of those notices. */
struct closure_notice {
  int64_t closure_id, booking_id, refunded;
  char date[11], slots[RULES_MAX_SLOTS * 25], center[32];
  const char *center_name, *room_name;   /* the rule book's, or "" */
  char reason[CLOSURE_REASON_MAX * 4 + 1];
  enum closure_outcome outcome;
  int64_t at;                            /* the closure's instant */
};
/* N as the API shows it (new reference; NULL when out of memory). */
json_t *closure_notice_json(const struct closure_notice *n);
/* closures_mine as notices: *OUT (malloc'd, *N of them; the caller frees). */
int closure_notices_mine(struct kctx *ctx, struct closure_notice **out, int *n,
                         struct kerrinfo *ei);

/* The sentence a holder reads about one notice: what happened and what to
** do (OUT, N bytes). */
void closures_notice_text(enum closure_outcome outcome, int refunded, char *out, size_t n);

#endif
