/*
** http/api_rounds.c: the monthly allocation round for rooms (core/rounds.h;
** docs/courses.md). The gate in router.c has checked session, role, content
** type and CSRF; core decides the rest.
*/
#include "api_rounds.h"

#include "../core/rounds.h"
#include "reply.h"

/* GET /api/v1/rounds -> 200 {"rounds":[{"id","code","use_month","room_kinds",
**   "apply_from","apply_until","cap","state","lottery_id","applications",
**   "closed_at"?}]}. Anyone. */
struct reply api_rounds_list(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = rounds_list(&r->ctx, &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* GET /api/v1/rounds/{id} -> 200 the round; after the close (staff: always)
** "slots" with the applications on each and the winner; for staff
** "applications" and "groups". 404. Anyone. */
struct reply api_round_get(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = rounds_get(&r->ctx, req_path_id(r, 0), &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* POST /api/v1/rounds/{id}/applications {"group_id","room_id","date",
**   "slots":[CODE],"purpose","attendees"} -> 201 the application
**   {"id","status":"applied",...}; 404; 409 the group asked for that slot
**   already; 422 validation, closed, outside_booking_window, limit (the cap).
**   A representative of the approved group. */
struct reply api_round_apply(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = rounds_apply(&r->ctx, req_path_id(r, 0), r->json, &out, &ei);
  return reply_core(r, rc, 201, out, &ei);
}

/* POST /api/v1/rounds/{id}/close -> 200 the round, closed and drawn; 409
** closed already; 422 too_early before the end of the period. Staff, admins. */
struct reply api_round_close(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = rounds_close(&r->ctx, req_path_id(r, 0), &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* GET /api/v1/round-applications -> 200 {"applications":[...]} of every
** group the citizen represents, in application order. */
struct reply api_round_apps_mine(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = rounds_mine(&r->ctx, &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* POST /api/v1/round-applications/{id}/cancel -> 200 the application
** (cancelled); 404 not the citizen's group's, or the round is past its
** deadline. A representative of the group. */
struct reply api_round_app_cancel(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = rounds_app_cancel(&r->ctx, req_path_id(r, 0), &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}
