/*
** core/rounds.h: the monthly allocation round for rooms (部屋利用調整会議),
** the rule book's booking_window.lottery (docs/courses.md, "The monthly
** allocation round").
**
** The rule book may declare rounds, each for some room kinds (ホール, 体育室,
** ...): for use month M, approved groups apply between two dates of month
** M - months_before for single slots of rooms of those kinds, at most
** cap_slots_per_group slots per group and round. At the close (the end of the
** last day; automatic, or by staff):
**   - an application alone on its slot (uncontested) becomes a booking of
**     the group (a provisional hold, to confirm as any online hold);
**   - the applications on contested slots are ranked by the round's lottery
**     (core/lottery.c, the same as the courses'), and walking that ranking
**     each takes its slot if nobody won it yet and its group has fewer than
**     the cap; the rest lose;
**   - a group never wins more than the cap; a slot booked meanwhile (a
**     course, the counter) is lost by everyone who asked for it.
** Whatever is left opens first-come at the usual window, which the loader
** makes sure opens after the close. Without rounds in the rule book nothing
** of this runs.
**
** Every function returns 0 or a KERR_* code with details in EI; on error
** nothing is changed. JSON results are new references the caller decrefs.
*/
#ifndef KOMINKAN_CORE_ROUNDS_H
#define KOMINKAN_CORE_ROUNDS_H

#include "status.h"
#include <jansson.h>
#include <stdint.h>

#include "ctx.h"

/* Open the rounds whose application period has begun (each gets its row
** and its lottery, whose commitment is public from then on) and close those
** whose period has ended. Runs before every round read or write, and from
** the router at most once a minute. 0 or a KERR code. */
int rounds_sweep(struct kctx *ctx);

/* GET /api/v1/rounds (anyone): {"rounds":[{"id","code","use_month",
** "room_kinds","apply_from","apply_until","cap","state","lottery_id",
** "applications"}]}, newest use month first. state: "open", "closing" (the
** period is over, the close is due), "closed". */
int rounds_list(struct kctx *ctx, json_t **out, struct kerrinfo *ei);

/* GET /api/v1/rounds/{id} (anyone): the round as in the list, with "slots":
** [{"room_id","room_name","center","date","slot","contested","entries":[ID,
** ...],"winner"?}] (after the close; staff see them while it is open too) and,
** for staff, "applications" (every one, with its group) and "groups" (per
** group: applied, won). KERR_NOT_FOUND. */
int rounds_get(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei);

/* POST /api/v1/rounds/{id}/applications {"group_id","room_id","date","slot",
** "purpose","attendees"} (a representative of the approved group) -> the
** application {"id","status":"applied",...}. KERR_OUTSIDE_WINDOW outside the
** period, KERR_VALIDATION (a room of another kind, a date outside the use
** month, an unknown slot), KERR_CLOSED, KERR_CAPACITY, KERR_LIMIT (the cap of
** applications), KERR_CONFLICT (the group asked for that slot already). */
int rounds_apply(struct kctx *ctx, int64_t round, const json_t *body, json_t **out,
                 struct kerrinfo *ei);

/* POST /api/v1/round-applications/{id}/cancel (a representative of its
** group) before the close. */
int rounds_app_cancel(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei);

/* GET /api/v1/round-applications (citizens): the applications of every group
** the actor represents, in application order, with status and outcome. */
int rounds_mine(struct kctx *ctx, json_t **out, struct kerrinfo *ei);

/* POST /api/v1/rounds/{id}/close (staff, admin): close now if the period
** has ended (KERR_TOO_EARLY before; KERR_CONFLICT if closed already). *OUT
** is the round as rounds_get gives it. */
int rounds_close(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei);

/* ------------------------------------------------ the typed views */

/* A round as the list and rounds_get show it (its JSON is round_view_json):
** what a page renders. */
struct round_view {
  int64_t id, lottery_id, cap;
  int64_t apply_from, apply_until;  /* the application period, epoch seconds */
  int64_t closed_at;                /* 0: not closed yet */
  int64_t applications;             /* live (not cancelled) ones */
  char code[32], use_month[8];
  enum round_state state;
  const struct round_rule *rule;    /* its version's rule (room kinds); NULL: gone */
};
/* V as the API shows it (new reference; NULL when out of memory). */
json_t *round_view_json(const struct round_view *v);

/* rounds_list as views: *OUT (malloc'd, *N of them, the caller frees). */
int rounds_views(struct kctx *ctx, struct round_view **out, int *n, struct kerrinfo *ei);

/* One application to a round (its JSON is round_app_view_json). */
struct round_app_view {
  int64_t id, round_id, group_id, room_id, attendees;
  int64_t booking_id;               /* the winner's booking; 0: none */
  const struct room *room;          /* NULL: no longer in the rule book */
  char group_name[512], date[16], slot[32];
  enum round_app_status status;
  enum round_outcome outcome;       /* ROUND_OUTCOME_NONE unless lost */
  int contested;
};
json_t *round_app_view_json(const struct round_app_view *a);

/* rounds_mine as views: *OUT (malloc'd, *N of them, the caller frees). */
int rounds_mine_views(struct kctx *ctx, struct round_app_view **out, int *n,
                      struct kerrinfo *ei);

/* A slot asked for in a round: the applications on it, the winner's. */
struct round_slot_view {
  int64_t room_id;
  const struct room *room;          /* NULL: no longer in the rule book */
  char date[16], slot[32];
  const int64_t *entries;           /* the application IDs, in order (in the detail's) */
  int first, nentries;
  int contested;                    /* more than one entry */
  int64_t winner;                   /* 0: none (yet) */
};

/* A group's part in a round, for staff. */
struct round_group_view {
  int64_t group_id, applied, won;
  char group_name[512];
};

/* rounds_get's round (its JSON is round_detail_json): the round; the slots
** after the close (staff: always); for staff, every application and each
** group's result. round_detail_free() frees what it holds. */
struct round_detail {
  struct round_view round;
  int has_slots, staff;
  struct round_slot_view *slots;
  int nslots;
  int64_t *entries;                 /* every slot's entries, one after another */
  int nentries;
  struct round_app_view *apps;
  int napps;
  struct round_group_view *groups;
  int ngroups;
};
int rounds_detail(struct kctx *ctx, int64_t id, struct round_detail *d, struct kerrinfo *ei);
json_t *round_detail_json(const struct round_detail *d);
void round_detail_free(struct round_detail *d);   /* NULL: no-op */

/* ------------------------------------------- the allocation, alone */

/* One application at the close. SLOT numbers the distinct (room, date,
** slot) of the round from 0; TAKEN: that slot was booked before the close. */
struct round_entry {
  int64_t app, group;
  int slot;
  int taken;
  int contested;           /* others asked for the slot too (not used by the allocation) */
  int won;                 /* out: 1 won the slot */
  enum round_outcome outcome;   /* out: ROUND_OUTCOME_NONE when won, else why it lost */
};

/* Decide E[0..N-1], walked in order (the uncontested ones first, then the
** contested ones in the lottery's rank order): an entry wins when its slot is
** not taken, nobody won the slot yet and its group has won fewer than CAP.
** A group never wins more than CAP; a slot never goes twice. NSLOTS bounds
** every E[i].slot. 0, or KERR_INTERNAL when out of memory. */
int rounds_allocate(struct round_entry *e, int n, int nslots, int cap);

#endif
