/*
** http/api_totp.c: the staff second factor (see api_totp.h); the decisions
** are core/totp.c's.
*/
#include "api_totp.h"

#include "../core/ids.h"
#include "../core/totp.h"
#include "reply.h"

/* GET /api/v1/me/totp -> 200 {"enabled","pending","required"}. Staff, admins, analysts. */
struct reply api_me_totp(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = totp_status(&r->ctx, &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* POST /api/v1/me/totp -> 201 {"secret","otpauth_uri","confirmed":false}: a new
** secret for the authenticator app (shown once); 409 already on. */
struct reply api_me_totp_start(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = totp_start(&r->ctx, &out, &ei);
  return reply_core(r, rc, 201, out, &ei);
}

/* POST /api/v1/me/totp/confirm {"code"} -> 200 {"confirmed":true}: from now
** on sign-in asks for a code; 422 a wrong code; 409 not started. */
struct reply api_me_totp_confirm(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = totp_confirm(&r->ctx, r->json, &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* POST /api/v1/users/{id}/totp/reset -> 200 {"system_id","totp":"off"}: the
** account signs in with its password alone until it enrolls again (a lost
** phone). Admins. */
struct reply api_user_totp_reset(struct req *r) {
  struct kerrinfo ei = {0};
  int64_t id = req_path_sysid(r, 0);
  int rc = id ? totp_reset(&r->ctx, id, &ei) : KERR_NOT_FOUND;
  return reply_core(r, rc, 200,
                    rc ? NULL : json_pack("{s:o, s:s}", "system_id", ids_json(id), "totp", "off"),
                    &ei);
}
