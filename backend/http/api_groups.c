/*
** http/api_groups.c: groups (団体登録), registered once for every centre.
**
** A group that is not the caller's answers 404 exactly like one that does
** not exist (core/groups.c decides), so group IDs cannot be probed.
*/
#include "api_groups.h"

#include "../core/discounts.h"
#include "../core/groups.h"
#include "../core/ids.h"
#include "reply.h"

/* POST /api/v1/groups
** body {"name","name_kana","members","resident_members","activity","public_listing"}
** -> 201 the group {"id","status":"pending",...}; the caller becomes its
**    representative; 422 validation; 422 residency_requirement with the rule.
** Citizens. */
struct reply api_group_create(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = 0;
  int rc = groups_register(&r->ctx, r->json, &id, &ei);
  if (!rc) rc = discounts_group_get(&r->ctx, id, &out, &ei);
  return reply_core(r, rc, 201, out, &ei);
}

/* GET /api/v1/groups/{id}
** -> 200 {"id","name","name_kana","members","resident_members","activity",
**    "public_listing","status","reason","valid_until","valid","representative",
**    "co_representatives","renewal","my_role",...}; 404 when not the caller's.
** Citizens (its representatives), staff, admins. */
struct reply api_group_get(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_sysid(r, 0);
  int rc = id ? discounts_group_get(&r->ctx, id, &out, &ei) : KERR_NOT_FOUND;
  return reply_core(r, rc, 200, out, &ei);
}

/* GET /api/v1/groups[?status=pending|approved|rejected|all][&q=KEYWORD]
** -> 200 {"groups":[{"id","name","name_kana","members","resident_members","status",
**    "valid_until","created_at","application":"new"|"renewal","representative"}]},
**    oldest first, at most 1000: without status the applications awaiting a
**    decision; q: part of the name or ふりがな (hiragana and katakana alike) or
**    the group ID. 422 validation at "status" for another status, at "q" for
**    a keyword over 100 characters. A look-up other than the queue is in the
**    audit trail. Staff, admins. */
struct reply api_groups_list(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  struct groups_filter f = {.status = req_query(r, "status"), .q = req_query(r, "q")};
  int rc = groups_list(&r->ctx, &f, &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* POST /api/v1/groups/{id}/approve
** body optional.
** -> 200 the group, "status":"approved" and "valid_until" (a new registration,
**    or its pending renewal); 409 when nothing awaits a decision; 404.
** Staff, admins. */
struct reply api_group_approve(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_sysid(r, 0);
  int rc = id ? groups_approve(&r->ctx, id, &out, &ei) : KERR_NOT_FOUND;
  return reply_core(r, rc, 200, out, &ei);
}

/* POST /api/v1/groups/{id}/reject
** body {"reason"} (required, shown to the group).
** -> 200 the group, "status":"rejected" with "reason" (or, for a renewal,
**    "renewal":{"status":"rejected","reason"} while the approval stands);
**    409 when nothing awaits a decision; 422 no reason; 404.
** Staff, admins. */
struct reply api_group_reject(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_sysid(r, 0);
  int rc = id ? groups_reject(&r->ctx, id, r->json, &out, &ei) : KERR_NOT_FOUND;
  return reply_core(r, rc, 200, out, &ei);
}

/* POST /api/v1/groups/{id}/renew
** body {"members","resident_members","activity"?}
** -> 200 the group with "renewal":{"status":"pending",...}; 409 when not
**    approved, already pending, or already renewed for the next period;
**    422 validation / residency_requirement; 404.
** Citizens (its representatives), staff, admins. */
struct reply api_group_renew(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_sysid(r, 0);
  int rc = id ? groups_renew(&r->ctx, id, r->json, &out, &ei) : KERR_NOT_FOUND;
  return reply_core(r, rc, 200, out, &ei);
}

/* POST /api/v1/groups/{id}/representatives
** body {"system_id"}: invite that person to co-represent the group.
** -> 202 {"status":"invited","expires_at"}: the same for every well-formed
**    ID, whether anyone holds it or not, naming no one; the person accepts
**    or declines on their マイページ or at /api/v1/invitations, and appears
**    on the group only after accepting; the invitation lapses after 14 days.
**    422 for a mistyped ID (check digit), the representative's own or a
**    co-representative's; 422 limit_exceeded past 10 co-representatives or
**    10 open invitations; 403 for a co-representative; 404; 429 rate_limited
**    (Retry-After) past the per-address limit of requests naming an ID.
** Citizens (the representative), staff, admins. */
struct reply api_group_rep_add(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_sysid(r, 0);
  int rc = id ? groups_invite(&r->ctx, id, r->json, &out, &ei) : KERR_NOT_FOUND;
  return reply_core(r, rc, 202, out, &ei);
}

/* GET /api/v1/invitations
** -> 200 {"invitations":[{"group_id","group_name","representative":{"name"},
**    "invited_at","expires_at"}]}: the caller's open invitations to
**    co-represent a group. Citizens. */
struct reply api_invitations_list(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = groups_invitations(&r->ctx, &out);
  return reply_core(r, rc, 200, out, &ei);
}

/* POST /api/v1/invitations/{group_id}/accept
** -> 200 the group, the caller now among its co-representatives; 404 when no
**    open invitation (lapsed, withdrawn or answered); 422 limit_exceeded when
**    the group already has 10. Citizens (the invited person). */
struct reply api_invitation_accept(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_sysid(r, 0);
  int rc = id ? groups_invitation_answer(&r->ctx, id, 1, &out, &ei) : KERR_NOT_FOUND;
  return reply_core(r, rc, 200, out, &ei);
}

/* POST /api/v1/invitations/{group_id}/decline
** -> 200 {"group_id","status":"declined"}; 404 as for accept. Citizens. */
struct reply api_invitation_decline(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_sysid(r, 0);
  int rc = id ? groups_invitation_answer(&r->ctx, id, 0, &out, &ei) : KERR_NOT_FOUND;
  return reply_core(r, rc, 200, out, &ei);
}

/* DELETE /api/v1/groups/{id}/representatives/{system_id}
** -> 200 the group (or {"id","removed":true} for one stepping down): the
**    co-representative removed, or the open invitation of that ID withdrawn;
**    404 when neither, or not a group of the caller's.
** Citizens (the representative, or the co-representative themself), staff, admins. */
struct reply api_group_rep_remove(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_sysid(r, 0), who = req_path_sysid(r, 1);
  int rc = id && who ? groups_rep_remove(&r->ctx, id, who, &out, &ei) : KERR_NOT_FOUND;
  return reply_core(r, rc, 200, out, &ei);
}

/* GET /api/v1/groups/public[?center=CODE][&q=KEYWORD]
** -> 200 {"date","groups":[{"name","name_kana","activity","centers":[{"code","name"}]}]}:
**    the learning groups (市内の学習グループ) approved today that opted in, by
**    ふりがな; center: those that use that centre; q: part of the name, ふりがな
**    or activity. 422 validation at "center" for a code no centre has, at "q"
**    for a keyword over 100 characters.
** Anyone. */
struct reply api_groups_public(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  struct groups_public_filter f = {.center = req_query(r, "center"), .q = req_query(r, "q")};
  int rc = groups_public(&r->ctx, &f, &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* GET /api/v1/groups/public.csv[?center=CODE][&q=KEYWORD], GET /opendata/groups.csv
** -> 200 text/csv (UTF-8 with BOM): 団体名,ふりがな,活動内容,利用している公民館;
**    422 as for the JSON.
** Anyone. */
struct reply api_groups_public_csv(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *list = NULL;
  struct groups_public_filter f = {.center = req_query(r, "center"), .q = req_query(r, "q")};
  int rc = groups_public(&r->ctx, &f, &list, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  size_t len = 0;
  char *csv = groups_public_csv(list, &len);
  json_decref(list);
  if (!csv) return reply_error(r, KERR_INTERNAL, NULL);
  return reply_owned(r, 200, "text/csv; charset=utf-8", csv, len);
}
