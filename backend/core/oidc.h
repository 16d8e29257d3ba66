/*
** core/oidc.h: the OpenID Connect relying party (issue 17; docs/identity.md):
** sign-in with the My Number card through the national authentication app,
** or any provider described by a discovery document.
**
** Authorization code flow with PKCE (S256), state and nonce. The state, the
** nonce and the PKCE verifier stay on the server (table oidc_pending), found
** through the hash of a random handle the browser holds in a short-lived
** cookie; a callback consumes its row whatever the outcome, so a state or a
** nonce works once. The ID token is verified completely: signature against
** the provider's JWKS (RS256 or ES256; keys cached, fetched again once when a
** token names an unknown kid), iss, aud, azp, exp, iat, nonce. Kept: iss+sub
** linked to the account, and the verified name, address and date of birth
** with the date; never the individual number (My Number) itself.
*/
#ifndef KOMINKAN_CORE_OIDC_H
#define KOMINKAN_CORE_OIDC_H

#include <jansson.h>
#include <stdint.h>

#include "accounts.h"
#include "ctx.h"

#define OIDC_FLOW_SECONDS 600  /* a sign-in must come back within this long */
#define OIDC_SKEW_SECONDS 120  /* clock difference allowed with the provider */
#define OIDC_CITY "前橋市"     /* a verified address here makes a verified resident */

struct oidc_config {
  const char *issuer;        /* "https://auth.example.jp" (no trailing slash needed) */
  const char *client_id;
  const char *secret;        /* client_secret_basic */
  const char *redirect_uri;  /* ORIGIN "/auth/oidc/callback" */
};

/* Turn the relying party on (once, before the server's threads start); the
** strings are copied. 0, or -1 with ERR filled (an issuer that is not https,
** except on a loopback address for tests). */
int oidc_configure(const struct oidc_config *c, char *err, size_t errlen);
/* 1 when oidc_configure succeeded. */
int oidc_enabled(void);
/* Forget the configuration and the cached keys (at exit). */
void oidc_shutdown(void);

/* Start a sign-in (LINK_ACCOUNT 0) or the linking of a card to the signed-in
** account LINK_ACCOUNT. NEXT: where to go afterwards (a local path, checked by
** the caller). Fetches the discovery document if needed (KERR_OIDC_UNAVAILABLE
** when the provider does not answer). On success HANDLE (the cookie's value)
** and *URL (the provider's authorization address; the caller frees it). */
int oidc_begin(struct kctx *ctx, const char *next, int64_t link_account, char handle[64],
               char **url, struct kerrinfo *ei);

/* What came back to /auth/oidc/callback. */
struct oidc_callback {
  const char *handle;   /* the cookie, or NULL */
  const char *state, *code, *error;
};

struct oidc_done {
  int64_t account_id;
  int role;
  int created;          /* a new citizen signed up from the verified claims */
  int linked;           /* a link flow: the card is now linked (no new session) */
  char next[512];
  struct session_new session;   /* sign-in flows: the new session */
};

/* Finish the flow of CB: consume the pending row, exchange the code at the
** token endpoint (client_secret_basic), verify the ID token, then link the
** card, sign the person in, or sign up a new citizen from the claims. 0 with
** *OUT; else KERR_OIDC / KERR_OIDC_UNAVAILABLE / KERR_CONFLICT / KERR_FORBIDDEN
** with a Japanese message in EI, a line on stderr, and nothing signed in. */
int oidc_finish(struct kctx *ctx, const struct oidc_callback *cb, struct oidc_done *out,
                struct kerrinfo *ei);

/* Remove the card link and the verified attributes of account ID. Event
** "identity.unlink". 0, KERR_NOT_FOUND when there was no link, or a KERR. */
int oidc_unlink(struct kctx *ctx, int64_t id, struct kerrinfo *ei);

/* What is known of account ID's verified identity. */
struct oidc_identity {
  int linked, verified, resident;
  int64_t verified_at;
  char name[256], address[512], birthdate[16];
};
int oidc_identity_get(struct kctx *ctx, int64_t id, struct oidc_identity *out);
/* 1 when account ID's residency in OIDC_CITY was verified with the card. */
int oidc_verified_resident(struct kctx *ctx, int64_t id);
/* How many of group GROUP's representatives are verified residents. */
long long oidc_group_verified_residents(struct kctx *ctx, int64_t group);
/* {"verified","resident","linked","verified_on"?} for GET /api/v1/me (new reference). */
json_t *oidc_identity_json(struct kctx *ctx, int64_t id);
/* "2026年4月1日" style date of verified_at into OUT (>= 32 bytes). */
void oidc_verified_label(int64_t at, char *out, size_t n);

/* ---------------------------------------------------- pure checks (unit tests) */

/* The claim checks of an ID token's payload C (signature already verified):
** iss equal to ISSUER, aud CLIENT_ID (a string, or an array holding it; with
** other audiences azp is required), azp CLIENT_ID when present, exp after
** NOW, iat not after NOW nor older than a flow, nonce equal to NONCE, sub
** non-empty. 0, or -1 with *WHY (an English reason for the log). */
int oidc_check_claims(const json_t *c, const char *issuer, const char *client_id,
                      const char *nonce, int64_t now, const char **why);

/* 1 when the address claim A (an object with formatted / region / locality,
** or a string) lies in OIDC_CITY. */
int oidc_address_resident(const json_t *a);

/* The address claim A as one line into OUT ("" when none). */
void oidc_address_text(const json_t *a, char *out, size_t n);

#endif
