/*
** http/api_ops.c: operations (issue 14; docs/operations.md). Users and the
** audit trail for admins, reset codes for the counter, and a citizen's own
** account: details, disclosure, closing, password reset. The decisions are in
** core/users.c, core/trail.c and core/lifecycle.c.
*/
#include "api_ops.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/accounts.h"
#include "../core/clock.h"
#include "../core/ids.h"
#include "../core/lifecycle.h"
#include "../core/trail.h"
#include "../core/users.h"
#include "reply.h"

/* GET /api/v1/users?role=R&center=C&status=active|disabled|closed&q=TEXT
** -> 200 {"users":[{"system_id","name","name_kana","role","center","status"}]};
**    422 validation at "role" or "status" for one that does not exist. Admins
**    (the search is recorded in the audit trail). */
struct reply api_users_list(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  const char *role = req_query(r, "role");
  struct users_filter f = {.role = role && *role ? role_parse(role) : 0,
                           .center = req_query(r, "center"),
                           .status = req_query(r, "status"),
                           .q = req_query(r, "q")};
  if (role && *role && !f.role) f.role = -1; /* refused by the core at "role" */
  int rc = users_list(&r->ctx, &f, &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* POST /api/v1/users
** body {"name","role":"staff"|"admin"|"analyst","center"?,"password","email"?,"phone"?}
** -> 201 the user; 422 validation (staff need a home centre). Admins. */
struct reply api_users_create(struct req *r) {
  struct kerrinfo ei = {0};
  int64_t id = 0;
  int rc = users_create(&r->ctx, r->json, &id, &ei);
  return reply_core(r, rc, 201, rc ? NULL : users_get(&r->ctx, id), &ei);
}

/* POST /api/v1/users/{id}/disable and /enable
** -> 200 the user (status "disabled": its sessions ended at once, sign-in is
**    refused); 404; 409 disabling oneself. Admins. */
static struct reply set_disabled(struct req *r, int disabled) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_sysid(r, 0);
  int rc = id ? users_set_disabled(&r->ctx, id, disabled, &out, &ei) : KERR_NOT_FOUND;
  return reply_core(r, rc, 200, out, &ei);
}

struct reply api_user_disable(struct req *r) { return set_disabled(r, 1); }
struct reply api_user_enable(struct req *r) { return set_disabled(r, 0); }

/* POST /api/v1/users/{id}/role
** body {"role":"staff"|"admin"|"analyst","center"?: CODE or ""}
** -> 200 the user (its sessions end: the new role applies from the next
**    sign-in); 404; 409 a citizen, or an admin demoting themself. Admins. */
struct reply api_user_role(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_sysid(r, 0);
  json_t *c = json_object_get(r->json, "center");
  const char *center = json_is_null(c) ? "" : json_string_value(c);
  int rc = id ? users_set_role(&r->ctx, id, role_parse(req_str(r, "role")), center, &out, &ei)
              : KERR_NOT_FOUND;
  return reply_core(r, rc, 200, out, &ei);
}

/* POST /api/v1/users/{id}/password
** body {"password"} -> 200 {"system_id","status":"password_set"}: the
** account's sessions end. 422 a weak password; 404. Admins. */
struct reply api_user_password(struct req *r) {
  struct kerrinfo ei = {0};
  int64_t id = req_path_sysid(r, 0);
  const char *pw = req_str(r, "password");
  int rc = !id ? KERR_NOT_FOUND : users_set_password(&r->ctx, id, pw ? pw : "", &ei);
  return reply_core(r, rc, 200,
                    rc ? NULL : json_pack("{s:o, s:s}", "system_id", ids_json(id), "status",
                                          "password_set"),
                    &ei);
}

/* POST /api/v1/users/{id}/reset-code
** -> 201 {"system_id","code","expires_at"}: a one-time password reset code
**    for a citizen, valid 24 hours, to print on a slip after checking the
**    person's identity; 404 no such citizen. Staff, admins. */
struct reply api_user_reset_code(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_sysid(r, 0);
  int rc = id ? lifecycle_reset_code(&r->ctx, id, &out, &ei) : KERR_NOT_FOUND;
  return reply_core(r, rc, 201, out, &ei);
}

/* A date query parameter NAME into *DAY (0 when absent). -1 when malformed. */
static int query_date(struct req *r, const char *name, int32_t *day, struct kerrinfo *ei) {
  const char *s = req_query(r, name);
  *day = 0;
  if (!s || !*s) return 0;
  if (date_parse(s, day) == 0) return 0;
  kerr_field(ei, name, "日付は YYYY-MM-DD の形で指定してください。");
  return -1;
}

/* GET /api/v1/audit?from=D&to=D&actor=SYSTEM_ID&action=A[&format=csv]
** -> 200 {"entries":[{"id","at","actor":{"system_id","name","role","center"},
**    "address","action","target","subject","detail","hash"}]} newest first (at
**    most 1000), or CSV (?format=csv or Accept: text/csv); action matches
**    itself and its sub-actions ("user" matches "user.disable"). 422 bad date
**    or actor. Admins only (analysts 403: the trail names people). */
struct reply api_audit(struct req *r) {
  struct kerrinfo ei = {0};
  struct trail_filter f = {.action = req_query(r, "action")};
  const char *actor = req_query(r, "actor");
  json_t *out = NULL;
  int bad = query_date(r, "from", &f.from, &ei) | query_date(r, "to", &f.to, &ei);
  if (actor && *actor && ids_parse(actor, &f.actor) != 0) {
    kerr_field(&ei, "actor", "利用者番号（9けた）で指定してください。");
    bad = 1;
  }
  if (bad) return reply_core(r, kerr_set(&ei, KERR_VALIDATION, NULL), 0, NULL, &ei);
  const char *fmt = req_query(r, "format"), *acc = req_header(r, "Accept");
  if ((fmt && !strcasecmp(fmt, "csv")) || (!fmt && acc && strcasestr(acc, "text/csv"))) {
    char *text = NULL;
    size_t len = 0;
    int rc = trail_csv(&r->ctx, &f, &text, &len, &ei);
    if (rc) return reply_core(r, rc, 0, NULL, &ei);
    struct reply rep = reply_owned(r, 200, "text/csv; charset=utf-8", text, len);
    reply_attachment(&rep, "audit.csv");
    return rep;
  }
  int rc = trail_list(&r->ctx, &f, &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* GET /api/v1/me/disclosures
** -> 200 {"entries":[{"at","action","center","role"}]}: who at the city (a
**    centre and a role, never the clerk's name) looked at or acted on the
**    caller's data (個人情報の開示). Citizens. */
struct reply api_me_disclosures(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = trail_disclosure(&r->ctx, &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* POST /api/v1/me/profile
** body {"name"?,"name_kana"?,"email"?,"phone"?} (email and phone may be "" or
** null to clear) -> 200 GET /api/v1/me's body; 422 per field. Citizens. */
struct reply api_me_update(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = lifecycle_update_profile(&r->ctx, r->json, &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* DELETE /api/v1/me
** body {"password"} -> 200 {"system_id","status":"closed","closed_at"}: the
** account is closed (退会; docs/operations.md says what is kept); 401 a wrong
** password; 422 none given. Citizens. */
struct reply api_me_close(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = lifecycle_close(&r->ctx, r->json, &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* POST /api/v1/password-reset
** body {"system_id"} -> 202 {"status":"accepted","message"} whether or not
** the ID exists (a link valid 30 minutes is mailed to the account's address
** when there is one); 422 a malformed ID; 429 too many from one address.
** Anyone; no CSRF token. */
struct reply api_password_reset(struct req *r) {
  struct kerrinfo ei = {0};
  int rc = lifecycle_reset_request(&r->ctx, r->json, r->ctx.address, &ei);
  return reply_core(r, rc, 202,
                    rc ? NULL
                       : json_pack("{s:s, s:s}", "status", "accepted", "message",
                                   "登録されたメールアドレスがあれば、パスワードを再設定する"
                                   "リンクを送りました（30分有効）。届かないときは、"
                                   "公民館の窓口でも再設定できます。"),
                    &ei);
}

/* POST /api/v1/password-reset/confirm
** body {"token","password"} (the mailed link) or {"system_id","code","password"}
** (the counter's slip) -> 200 {"system_id"}: the password is set, every
** session of the account ends, the link or code is used up; 404 an unknown,
** used or expired link or code; 422 a weak password; 429 too many wrong
** tries. Anyone; no CSRF token. */
struct reply api_password_reset_confirm(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = lifecycle_reset_confirm(&r->ctx, r->json, r->ctx.address, &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}
