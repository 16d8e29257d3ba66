/*
** http/api_discounts.c: fee exemptions (減免): applications by a group's
** representatives, decisions by admins (core/discounts.c decides everything;
** the gate in router.c has checked session, role, content type and CSRF).
**
** Another group's application answers 404 exactly like one that does not
** exist, so application and group IDs cannot be probed.
*/
#include "api_discounts.h"

#include <stdlib.h>
#include <string.h>

#include "../core/discounts.h"
#include "reply.h"

/* POST /api/v1/discounts
** body {"group_id","category","reason","evidence"?}
** -> 201 the application {"id","status":"pending","group_id","group_name",
**    "category","category_name","rate","reason","evidence",...};
**    404 a group the caller does not represent; 409 an open application for
**    that group and category already (or already renewed); 422 validation
**    (unknown category, group not approved, missing reason).
** Citizens (the group's representative or co-representatives). */
struct reply api_discount_apply(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = discounts_apply(&r->ctx, r->json, &out, &ei);
  return reply_core(r, rc, 201, out, &ei);
}

/* GET /api/v1/discounts?status=pending|approved|rejected  (admins: the review
**   queue, oldest first, with group name, category, reason and evidence)
** GET /api/v1/discounts?group_id=ID  (the group's representatives, staff,
**   admins: its applications, newest first)
** GET /api/v1/discounts  (citizens: the applications of the groups they represent)
** -> 200 {"applications":[...]}; 403 status for anyone but admins; 404 a
**    group the caller does not represent; 422 bad status or group ID.
** Citizens, staff, admins. */
struct reply api_discounts_list(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = discounts_list(&r->ctx, req_query(r, "status"), req_query(r, "group_id"), &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* GET /api/v1/discounts/{id}
** -> 200 the application (status, and once decided "decided_at",
**    "decision_reason", "valid_from", "valid_until", "in_force"); 404 when not
**    the caller's group's.
** Citizens (the group's representatives), staff, admins. */
struct reply api_discount_get(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_id(r, 0);
  int rc = id ? discounts_get(&r->ctx, id, &out, &ei) : KERR_NOT_FOUND;
  return reply_core(r, rc, 200, out, &ei);
}

/* POST /api/v1/discounts/{id}/decide
** body {"decision":"approved"|"rejected","reason"} (reason required to reject)
** -> 200 the application as decided; an approval has "valid_from",
**    "valid_until" and "repriced" (the group's unpaid bookings in that period,
**    at every centre, whose fee now carries the discount); 404; 409 already
**    decided; 422 bad decision, rejection without a reason, or a category
**    abolished since (reject it instead).
** Admins. */
struct reply api_discount_decide(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_id(r, 0);
  int rc = id ? discounts_decide(&r->ctx, id, r->json, &out, &ei) : KERR_NOT_FOUND;
  return reply_core(r, rc, 200, out, &ei);
}
