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
