/*
** http/api_closures.c: the city's closures (see api_closures.h). The
** decisions are core/closures.c's; the one test of a closed day is
** core/bookable.c's.
*/
#include "api_closures.h"

#include "../core/clock.h"
#include "../core/closures.h"
#include "reply.h"

/* GET /api/v1/closures?center=CODE&from=D&lifted=1
** -> 200 {"closures":[{"id","center","center_name","room_id"?,"room_name"?,
**    "from","to","reason","bookings","created_at","lifted_at"?}]} (staff also
**    see "cancelled" and "flagged" counts); 422 a bad date. Anyone. */
struct reply api_closures_list(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  const char *from = req_query(r, "from"), *lifted = req_query(r, "lifted");
  int32_t day = 0;
  int rc = from && *from && date_parse(from, &day)
               ? kerr_set(&ei, KERR_VALIDATION, "from は YYYY-MM-DD の形で指定してください。")
               : closures_list(&r->ctx, req_query(r, "center"), day,
                               lifted && *lifted && *lifted != '0', &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* POST /api/v1/closures {"center","room_id"?,"from","to","reason",
** "bookings":"cancel"|"flag"} -> 201 the closure with "affected"; 422
** validation; 403 another centre's staff. Staff and admins. */
struct reply api_closures_create(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = closures_create(&r->ctx, r->json, &out, &ei);
  return reply_core(r, rc, 201, out, &ei);
}

/* FN on the closure named by the path, answered 200 with what it gives. */
static struct reply on_closure(struct req *r,
                               int (*fn)(struct kctx *, int64_t, json_t **, struct kerrinfo *)) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_id(r, 0);
  int rc = id ? fn(&r->ctx, id, &out, &ei) : KERR_NOT_FOUND;
  return reply_core(r, rc, 200, out, &ei);
}

/* GET /api/v1/closures/{id} -> 200 the closure with "affected"; 404. Staff and admins. */
struct reply api_closure_get(struct req *r) { return on_closure(r, closures_get); }

/* POST /api/v1/closures/{id}/lift -> 200 the closure (open again); 409 lifted
** already; 404. Staff of its centre and admins. */
struct reply api_closure_lift(struct req *r) { return on_closure(r, closures_lift); }

/* GET /api/v1/me/closures -> 200 {"notices":[...]}: the signed-in citizen's
** bookings a closure cancelled or flagged. Citizens. */
struct reply api_me_closures(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = closures_mine(&r->ctx, &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}
