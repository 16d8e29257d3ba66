/*
** http/api_accounts.c: accounts, sign-in and sign-out, "me".
**
** Personal data flows through here (names, contacts, passwords, tokens):
** every route is RF_PERSONAL (no-store), and nothing of the body reaches a
** log. The gate has checked role, content type, JSON and CSRF.
*/
#include "api_accounts.h"

#include <sodium.h>
#include <string.h>

#include "../core/accounts.h"
#include "../core/groups.h"
#include "../core/clock.h"
#include "../core/ids.h"
#include "../core/lifecycle.h"
#include "../core/oidc.h"
#include "reply.h"
#include "session.h"
#include "suspend.h"

/* POST /api/v1/accounts
** body {"name","name_kana","email","phone","password","resident"}
** -> 201 {"system_id"}: a citizen account; 422 validation with "fields";
**    503 busy (Retry-After) when too many passwords are being hashed.
**    Staff and admins register a citizen at the counter (counter hours, else
**    422 outside_counter_hours): without a password (the person sets one
**    later), 201 {"system_id","code","expires_at"}, the code a one-time code
**    for POST /api/v1/password-reset/confirm, as on the counter's slip.
** Anyone (a signed-in caller's cookie needs the CSRF token like any post).
** The one entry point lifecycle_sign_up. */
struct reply api_account_create(struct req *r) {
  struct kerrinfo ei = {0};
  struct signup_slip slip;
  int rc = lifecycle_sign_up(&r->ctx, r->json, NULL, &slip, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  json_t *out = json_pack("{s:o}", "system_id", ids_json(slip.system_id));
  if (out && slip.at_counter) {
    char exp[26];
    clock_format_instant(slip.expires_at, exp);
    json_object_set_new(out, "code", json_string(slip.code));
    json_object_set_new(out, "expires_at", json_string(exp));
  }
  sodium_memzero(&slip, sizeof slip);
  return reply_json(r, 201, out);
}

/* POST /api/v1/session
** body {"system_id","password"}
** -> 200 {"token","csrf_token","system_id","role","expires_at","idle_timeout"}
**    and Set-Cookie kominkan_session (HttpOnly; SameSite=Lax; Path=/[; Secure]);
**    401 wrong ID or password; 422 missing field or a mistyped ID (check
**    digit); 429 rate_limited and 503 busy, both with Retry-After.
** Anyone; no CSRF token (there is no session yet). */
struct reply api_session_create(struct req *r) {
  struct kerrinfo ei = {0};
  struct session_new s;
  char addr[64];
  session_client_addr(r, addr, sizeof addr);
  int rc = accounts_login(&r->ctx, r->json, addr, &s, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  if (!s.account_id) return suspend_undecided(r); /* the password is right: the writer signs in */
  char exp[26];
  clock_format_instant(s.expires_at, exp);
  json_t *body = json_pack("{s:s, s:s, s:o, s:s, s:s, s:i}", "token", s.token, "csrf_token",
                           s.csrf, "system_id", ids_json(s.account_id), "role",
                           role_name(s.role), "expires_at", exp, "idle_timeout",
                           s.idle_seconds);
  struct reply ret = session_reply(r, 200, body, s.token);
  sodium_memzero(&s, sizeof s);
  return ret;
}

/* DELETE /api/v1/session
** -> 200 {"status":"signed_out"} and a Set-Cookie that removes the cookie.
** Signed in (cookie callers send the CSRF token). */
struct reply api_session_delete(struct req *r) {
  int bearer = 0;
  const char *token = session_token(r, &bearer);
  int rc = accounts_session_delete(&r->ctx, token);
  if (rc) return reply_error(r, rc, NULL);
  return session_reply(r, 200, json_pack("{s:s}", "status", "signed_out"), NULL);
}

/* GET /api/v1/me
** -> 200 {"system_id","name","name_kana","role","home_center","email","phone",
**    "resident","groups":[{"id","name","status","valid_until","valid","role"}],
**    "csrf_token"} (the token a cookie-based page sends back on posts).
** Signed in. */
struct reply api_me(struct req *r) {
  json_t *me = NULL;
  int rc = groups_me(&r->ctx, &me);
  if (rc) return reply_error(r, rc, NULL);
  json_object_set_new(me, "identity", oidc_identity_json(&r->ctx, r->ctx.actor.account_id));
  json_object_set_new(me, "csrf_token", json_string(r->csrf));
  return reply_json(r, 200, me);
}
