/*
** core/oidc.c: the OpenID Connect relying party (see oidc.h; docs/identity.md).
**
** The provider is reached with libcurl (discovery, JWKS, token and userinfo
** endpoints: no redirects followed, http/https only, bounded time and size);
** JOSE is libcjose's (on jansson and OpenSSL), never done by hand. The
** discovery document and the keys are cached in the process; a token naming
** a kid we do not hold makes one fetch of the JWKS (a key rotation), no more:
** tokens come only from the token endpoint, over our authenticated request,
** so nobody outside can make us fetch in a loop.
*/
#include "oidc.h"

#include <cjose/cjose.h>
#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "clock.h"

#define FETCH_MAX (256 * 1024)
#define MAX_KEYS 16
#define HANDLE_BYTES 32

/* ============================================================ state */

struct key {
  char kid[128];
  cjose_jwk_kty_t kty;
  cjose_jwk_t *jwk;
};

static struct {
  int on;
  char issuer[512], client_id[256], secret[512], redirect_uri[512];
  pthread_mutex_t lock;
  int discovered;
  char auth_ep[512], token_ep[512], jwks_uri[512], userinfo_ep[512];
  struct key keys[MAX_KEYS];
  int nkeys;
} rp = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void copy(char *dst, size_t n, const char *src) { snprintf(dst, n, "%s", src ? src : ""); }

/* http://127.0.0.1..., http://localhost... and http://[::1]... (tests only). */
static int loopback(const char *url) {
  static const char *const ok[] = {"http://127.0.0.1:", "http://127.0.0.1/", "http://localhost:",
                                   "http://localhost/", "http://[::1]:"};
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
    if (!strncmp(url, ok[i], strlen(ok[i]))) return 1;
  return 0;
}

static int url_allowed(const char *url) { return !strncmp(url, "https://", 8) || loopback(url); }

int oidc_configure(const struct oidc_config *c, char *err, size_t errlen) {
  if (!c->issuer || !url_allowed(c->issuer)) {
    snprintf(err, errlen, "--oidc-issuer must be an https:// address: %s", c->issuer ? c->issuer : "");
    return -1;
  }
  if (!c->client_id || !*c->client_id || !c->secret || !*c->secret) {
    snprintf(err, errlen, "OpenID Connect needs --oidc-client-id and a secret "
                          "(KOMINKAN_OIDC_SECRET or --oidc-secret-file)");
    return -1;
  }
  copy(rp.issuer, sizeof rp.issuer, c->issuer);
  size_t n = strlen(rp.issuer);
  while (n > 8 && rp.issuer[n - 1] == '/') rp.issuer[--n] = 0;
  copy(rp.client_id, sizeof rp.client_id, c->client_id);
  copy(rp.secret, sizeof rp.secret, c->secret);
  copy(rp.redirect_uri, sizeof rp.redirect_uri, c->redirect_uri);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  rp.on = 1;
  return 0;
}

int oidc_enabled(void) { return rp.on; }

static void drop_keys(void) {
  for (int i = 0; i < rp.nkeys; i++) cjose_jwk_release(rp.keys[i].jwk);
  rp.nkeys = 0;
}

void oidc_shutdown(void) {
  if (!rp.on) return;
  pthread_mutex_lock(&rp.lock);
  drop_keys();
  rp.discovered = 0;
  sodium_memzero(rp.secret, sizeof rp.secret);
  rp.on = 0;
  pthread_mutex_unlock(&rp.lock);
  curl_global_cleanup();
}

/* ============================================================ fetching */

struct buf {
  char *p;
  size_t n;
  int over;
};

static size_t collect(char *data, size_t size, size_t nmemb, void *ud) {
  struct buf *b = ud;
  size_t add = size * nmemb;
  if (b->n + add > FETCH_MAX) {
    b->over = 1;
    return 0;
  }
  char *np = realloc(b->p, b->n + add + 1);
  if (!np) return 0;
  memcpy(np + b->n, data, add);
  b->p = np;
  b->n += add;
  b->p[b->n] = 0;
  return add;
}

/* GET (FORM NULL) or POST FORM to URL, with the header AUTH (or none); the
** body parsed as a JSON object into *OUT (new reference). 0, or -1 with a
** reason in WHY: the provider did not answer or answered no JSON object. */
static int fetch_json(const char *url, const char *form, const char *auth, json_t **out,
                      char *why, size_t whyn) {
  *out = NULL;
  if (!url_allowed(url)) {
    snprintf(why, whyn, "refusing a provider address that is not https: %s", url);
    return -1;
  }
  CURL *c = curl_easy_init();
  if (!c) {
    snprintf(why, whyn, "curl_easy_init failed");
    return -1;
  }
  struct buf b = {0};
  char errbuf[CURL_ERROR_SIZE] = "";
  struct curl_slist *hdr = curl_slist_append(NULL, "Accept: application/json");
  if (auth) hdr = curl_slist_append(hdr, auth);
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 15L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  if (form) curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
  CURLcode rc = curl_easy_perform(c);
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(hdr);
  curl_easy_cleanup(c);
  int ret = -1;
  if (rc != CURLE_OK)
    snprintf(why, whyn, "%s: %s", url, b.over ? "answer too large" : errbuf[0] ? errbuf : curl_easy_strerror(rc));
  else if (code != 200)
    snprintf(why, whyn, "%s answered HTTP %ld: %.200s", url, code, b.p ? b.p : "");
  else {
    json_error_t je;
    *out = b.p ? json_loads(b.p, 0, &je) : NULL;
    if (json_is_object(*out)) ret = 0;
    else {
      json_decref(*out);
      *out = NULL;
      snprintf(why, whyn, "%s answered no JSON object", url);
    }
  }
  free(b.p);
  return ret;
}

static const char *str(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* Under rp.lock: the discovery document, fetched once. 0 or -1 (WHY). */
static int discover(char *why, size_t whyn) {
  if (rp.discovered) return 0;
  char url[700];
  snprintf(url, sizeof url, "%s/.well-known/openid-configuration", rp.issuer);
  json_t *d;
  if (fetch_json(url, NULL, NULL, &d, why, whyn)) return -1;
  const char *iss = str(d, "issuer"), *a = str(d, "authorization_endpoint"),
             *t = str(d, "token_endpoint"), *j = str(d, "jwks_uri"), *u = str(d, "userinfo_endpoint");
  int rc = -1;
  if (!iss || strcmp(iss, rp.issuer))
    snprintf(why, whyn, "discovery: issuer %s is not the configured %s", iss ? iss : "(none)", rp.issuer);
  else if (!a || !t || !j || !url_allowed(a) || !url_allowed(t) || !url_allowed(j))
    snprintf(why, whyn, "discovery: authorization_endpoint, token_endpoint or jwks_uri missing or not https");
  else {
    copy(rp.auth_ep, sizeof rp.auth_ep, a);
    copy(rp.token_ep, sizeof rp.token_ep, t);
    copy(rp.jwks_uri, sizeof rp.jwks_uri, j);
    copy(rp.userinfo_ep, sizeof rp.userinfo_ep, u && url_allowed(u) ? u : "");
    rp.discovered = 1;
    rc = 0;
  }
  json_decref(d);
  return rc;
}

/* Under rp.lock: (re)load the JWKS. Keys other than RSA and EC, and keys for
** encryption, are left out. 0 or -1 (WHY); the old keys stay on failure. */
static int load_keys(char *why, size_t whyn) {
  json_t *set;
  if (fetch_json(rp.jwks_uri, NULL, NULL, &set, why, whyn)) return -1;
  json_t *arr = json_object_get(set, "keys"), *k;
  size_t i;
  if (!json_is_array(arr)) {
    json_decref(set);
    snprintf(why, whyn, "jwks: no keys array");
    return -1;
  }
  drop_keys();
  json_array_foreach(arr, i, k) {
    const char *use = str(k, "use");
    if (rp.nkeys >= MAX_KEYS || (use && strcmp(use, "sig"))) continue;
    char *text = json_dumps(k, JSON_COMPACT);
    cjose_err ce;
    cjose_jwk_t *jwk = text ? cjose_jwk_import(text, strlen(text), &ce) : NULL;
    free(text);
    if (!jwk) continue;
    cjose_jwk_kty_t kty = cjose_jwk_get_kty(jwk, &ce);
    if (kty != CJOSE_JWK_KTY_RSA && kty != CJOSE_JWK_KTY_EC) {
      cjose_jwk_release(jwk);
      continue;
    }
    struct key *e = &rp.keys[rp.nkeys++];
    copy(e->kid, sizeof e->kid, str(k, "kid"));
    e->kty = kty;
    e->jwk = jwk;
  }
  json_decref(set);
  return 0;
}

/* ============================================================ tokens */

/* Under rp.lock: 1 when JWS verifies with a key of KTY named KID (any key of
** KTY when KID is NULL); *KNOWN says whether such a key was held at all. */
static int verify_with(cjose_jws_t *jws, const char *kid, cjose_jwk_kty_t kty, int *known) {
  *known = 0;
  for (int i = 0; i < rp.nkeys; i++) {
    if (rp.keys[i].kty != kty || (kid && strcmp(rp.keys[i].kid, kid))) continue;
    *known = 1;
    cjose_err ce;
    if (cjose_jws_verify(jws, rp.keys[i].jwk, &ce)) return 1;
  }
  return 0;
}

/* The verified payload of the compact JWS TOKEN (RS256 or ES256) into *OUT
** (new reference). 0, or -1 with WHY. */
static int verify_signature(const char *token, json_t **out, char *why, size_t whyn) {
  *out = NULL;
  cjose_err ce;
  cjose_jws_t *jws = cjose_jws_import(token, strlen(token), &ce);
  if (!jws) {
    snprintf(why, whyn, "id_token is no compact JWS: %s", ce.message ? ce.message : "");
    return -1;
  }
  cjose_header_t *h = cjose_jws_get_protected(jws);
  const char *alg = h ? cjose_header_get(h, CJOSE_HDR_ALG, &ce) : NULL;
  const char *kid = h ? cjose_header_get(h, CJOSE_HDR_KID, &ce) : NULL;
  int rc = -1;
  cjose_jwk_kty_t kty = alg && !strcmp(alg, "RS256") ? CJOSE_JWK_KTY_RSA : CJOSE_JWK_KTY_EC;
  if (!alg || (strcmp(alg, "RS256") && strcmp(alg, "ES256"))) {
    snprintf(why, whyn, "id_token alg %s refused (RS256 and ES256 only)", alg ? alg : "(none)");
    goto done;
  }
  pthread_mutex_lock(&rp.lock);
  int known, ok = verify_with(jws, kid, kty, &known);
  if (!ok && !known) { /* a key we never saw: the provider rotated its keys */
    char lwhy[300];
    if (load_keys(lwhy, sizeof lwhy) == 0) ok = verify_with(jws, kid, kty, &known);
    else fprintf(stderr, "kominkan: oidc: %s\n", lwhy);
  }
  pthread_mutex_unlock(&rp.lock);
  if (!ok) {
    snprintf(why, whyn, known ? "id_token signature does not verify (kid %s)"
                              : "id_token names a key the provider does not publish (kid %s)",
             kid ? kid : "(none)");
    goto done;
  }
  uint8_t *plain = NULL;
  size_t plen = 0;
  json_error_t je;
  if (cjose_jws_get_plaintext(jws, &plain, &plen, &ce))
    *out = json_loadb((const char *)plain, plen, 0, &je);
  if (!json_is_object(*out)) {
    json_decref(*out);
    *out = NULL;
    snprintf(why, whyn, "id_token payload is no JSON object");
    goto done;
  }
  rc = 0;
done:
  cjose_jws_release(jws);
  return rc;
}

int oidc_check_claims(const json_t *c, const char *issuer, const char *client_id,
                      const char *nonce, int64_t now, const char **why) {
  const char *iss = str(c, "iss"), *sub = str(c, "sub"), *azp = str(c, "azp"), *n = str(c, "nonce");
  const json_t *aud = json_object_get(c, "aud"), *exp = json_object_get(c, "exp"),
               *iat = json_object_get(c, "iat");
  int aud_ok = 0, others = 0;
  if (json_is_string(aud)) aud_ok = !strcmp(json_string_value(aud), client_id);
  else if (json_is_array(aud)) {
    size_t i;
    const json_t *a;
    json_array_foreach(aud, i, a) {
      if (json_is_string(a) && !strcmp(json_string_value(a), client_id)) aud_ok = 1;
      else others = 1;
    }
  }
  if (!iss || strcmp(iss, issuer)) *why = "iss is not the configured issuer";
  else if (!sub || !*sub || strlen(sub) > 255) *why = "sub missing or too long";
  else if (!aud_ok) *why = "aud does not name this client";
  else if ((others && !azp) || (azp && strcmp(azp, client_id))) *why = "azp is not this client";
  else if (!json_is_integer(exp) && !json_is_real(exp)) *why = "exp missing";
  else if ((int64_t)json_number_value(exp) + OIDC_SKEW_SECONDS <= now) *why = "id_token expired";
  else if (!json_is_integer(iat) && !json_is_real(iat)) *why = "iat missing";
  else if ((int64_t)json_number_value(iat) > now + OIDC_SKEW_SECONDS) *why = "iat in the future";
  else if ((int64_t)json_number_value(iat) < now - OIDC_FLOW_SECONDS - OIDC_SKEW_SECONDS)
    *why = "iat too old";
  else if (!n || !nonce || strlen(n) != strlen(nonce) ||
           sodium_memcmp(n, nonce, strlen(nonce)) != 0)
    *why = "nonce is not the one of this sign-in";
  else return 0;
  return -1;
}

/* ============================================================ claims */

/* P past any of the prefixes (a postcode, spaces, the prefecture). */
static const char *skip_prefixes(const char *p) {
  for (;;) {
    if (!strncmp(p, "〒", strlen("〒"))) p += strlen("〒");
    else if (*p == ' ' || (*p >= '0' && *p <= '9') || *p == '-') p++;
    else if (!strncmp(p, "\u3000", 3)) p += 3;
    else if (!strncmp(p, "群馬県", strlen("群馬県"))) p += strlen("群馬県");
    else if (!strncmp(p, "日本", strlen("日本"))) p += strlen("日本");
    else return p;
  }
}

static int starts_city(const char *s) { return s && !strncmp(skip_prefixes(s), OIDC_CITY, strlen(OIDC_CITY)); }

int oidc_address_resident(const json_t *a) {
  if (json_is_string(a)) return starts_city(json_string_value(a));
  if (!json_is_object(a)) return 0;
  const char *loc = str(a, "locality"), *region = str(a, "region");
  if (loc) return starts_city(loc) && (!region || !*region || !strcmp(region, "群馬県"));
  return starts_city(str(a, "formatted"));
}

void oidc_address_text(const json_t *a, char *out, size_t n) {
  out[0] = 0;
  if (json_is_string(a)) copy(out, n, json_string_value(a));
  else if (str(a, "formatted")) copy(out, n, str(a, "formatted"));
  else if (json_is_object(a)) {
    const char *pc = str(a, "postal_code"), *r = str(a, "region"), *l = str(a, "locality"),
               *s = str(a, "street_address");
    snprintf(out, n, "%s%s%s%s%s", pc ? pc : "", pc ? " " : "", r ? r : "", l ? l : "", s ? s : "");
  }
}

/* The person's name from C: name, else family_name and given_name. */
static void name_of(const json_t *c, char *out, size_t n) {
  const char *nm = str(c, "name"), *fam = str(c, "family_name"), *giv = str(c, "given_name");
  if (nm && *nm) copy(out, n, nm);
  else snprintf(out, n, "%s%s%s", fam ? fam : "", fam && giv ? " " : "", giv ? giv : "");
}

/* A birthdate claim "YYYY-MM-DD" (or "0000-MM-DD", "YYYY"), else "". */
static void birthdate_of(const json_t *c, char *out, size_t n) {
  const char *b = str(c, "birthdate");
  out[0] = 0;
  if (!b || strlen(b) > 10) return;
  for (const char *p = b; *p; p++)
    if (!((*p >= '0' && *p <= '9') || *p == '-')) return;
  copy(out, n, b);
}

/* ============================================================ the flow */

static void b64url(const unsigned char *bin, size_t n, char *out, size_t outlen) {
  sodium_bin2base64(out, outlen, bin, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static void random_text(char out[64]) {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  b64url(raw, sizeof raw, out, 64);
  sodium_memzero(raw, sizeof raw);
}

static void handle_hash(const char *handle, unsigned char h[32]) {
  crypto_generichash(h, 32, (const unsigned char *)handle, strlen(handle), NULL, 0);
}

/* S percent-encoded (RFC 3986 unreserved kept) appended to OUT. */
static void pct(char *out, size_t n, const char *s) {
  size_t k = strlen(out);
  for (const unsigned char *p = (const unsigned char *)s; *p && k + 4 < n; p++) {
    if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
        *p == '-' || *p == '.' || *p == '_' || *p == '~')
      out[k++] = (char)*p;
    else k += (size_t)snprintf(out + k, n - k, "%%%02X", *p);
  }
  out[k] = 0;
}

/* "NAME=VALUE&" appended to OUT, VALUE percent-encoded. */
static void param(char *out, size_t n, const char *name, const char *value) {
  size_t k = strlen(out);
  snprintf(out + k, n - k, "%s%s=", k && out[k - 1] != '?' ? "&" : "", name);
  pct(out, n, value);
}

/* The provider is discovered (0), or KERR_OIDC_UNAVAILABLE logged and set. */
static int ensure_discovered(struct kerrinfo *ei) {
  char why[600];
  pthread_mutex_lock(&rp.lock);
  int rc = discover(why, sizeof why);
  if (!rc && rp.nkeys == 0 && load_keys(why, sizeof why)) rc = -1;
  pthread_mutex_unlock(&rp.lock);
  if (!rc) return 0;
  fprintf(stderr, "kominkan: oidc: provider unavailable: %s\n", why);
  return kerr_set(ei, KERR_OIDC_UNAVAILABLE, NULL);
}

int oidc_begin(struct kctx *ctx, const char *next, int64_t link_account, char handle[64],
               char **url, struct kerrinfo *ei) {
  *url = NULL;
  handle[0] = 0;
  if (!rp.on) return kerr_set(ei, KERR_NOT_FOUND, NULL);
  int rc = ensure_discovered(ei);
  if (rc) return rc;
  char state[64], nonce[64], verifier[64], challenge[64];
  unsigned char hh[32], digest[crypto_hash_sha256_BYTES];
  random_text(handle);
  random_text(state);
  random_text(nonce);
  random_text(verifier);
  crypto_hash_sha256(digest, (const unsigned char *)verifier, strlen(verifier));
  b64url(digest, sizeof digest, challenge, sizeof challenge);
  handle_hash(handle, hh);

  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  kstmt *st = db_prep(ctx->db, "DELETE FROM oidc_pending WHERE expires_at <= $now");
  if (st) {
    db_bind_int(st, "$now", ctx->now);
    rc = db_exec_stmt(st);
  }
  if (st && rc == DB_OK &&
      (st = db_prep(ctx->db, "INSERT INTO oidc_pending(handle_hash, state, nonce, verifier,"
                             " redirect_uri, next, link_account, expires_at) VALUES ($h, $state,"
                             " $nonce, $verifier, $redirect, $next, $link, $exp)"))) {
    db_bind_blob(st, "$h", hh, sizeof hh);
    db_bind_text(st, "$state", state);
    db_bind_text(st, "$nonce", nonce);
    db_bind_text(st, "$verifier", verifier);
    db_bind_text(st, "$redirect", rp.redirect_uri);
    db_bind_text(st, "$next", next ? next : "");
    if (link_account) db_bind_int(st, "$link", link_account);
    else db_bind_null(st, "$link");
    db_bind_int(st, "$exp", ctx->now + OIDC_FLOW_SECONDS);
    rc = db_exec_stmt(st);
  }
  if (!st || rc != DB_OK || (rc = db_commit(ctx->db)) != DB_OK) {
    db_rollback(ctx->db);
    sodium_memzero(verifier, sizeof verifier);
    handle[0] = 0;
    return kerr_set(ei, st ? kerr_from_db(rc) : KERR_INTERNAL, NULL);
  }
  size_t n = strlen(rp.auth_ep) + 1024;
  char *u = malloc(n);
  if (!u) return kerr_set(ei, KERR_INTERNAL, NULL);
  snprintf(u, n, "%s%s", rp.auth_ep, strchr(rp.auth_ep, '?') ? "&" : "?");
  param(u, n, "response_type", "code");
  param(u, n, "client_id", rp.client_id);
  param(u, n, "redirect_uri", rp.redirect_uri);
  param(u, n, "scope", "openid profile address");
  param(u, n, "state", state);
  param(u, n, "nonce", nonce);
  param(u, n, "code_challenge", challenge);
  param(u, n, "code_challenge_method", "S256");
  sodium_memzero(verifier, sizeof verifier);
  *url = u;
  return 0;
}

/* What a pending row held. */
struct pending {
  char state[64], nonce[64], verifier[64], redirect_uri[512], next[512];
  int64_t link_account, expires_at;
};

/* Take (read and delete, in one transaction) the pending row of HANDLE.
** 0 found and not expired; else KERR_OIDC with the message. */
static int take_pending(struct kctx *ctx, const char *handle, struct pending *p,
                        struct kerrinfo *ei) {
  static const char gone[] =
      "ログインの手続きの有効期限が切れたか、すでに使われています。もう一度はじめからお試しください。";
  memset(p, 0, sizeof *p);
  if (!handle || !*handle || strlen(handle) > 64) return kerr_set(ei, KERR_OIDC, gone);
  unsigned char hh[32];
  handle_hash(handle, hh);
  int rc = db_begin_write(ctx->db), found = 0;
  if (rc != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  kstmt *st = db_prep(ctx->db, "SELECT state, nonce, verifier, redirect_uri, next, link_account,"
                               " expires_at FROM oidc_pending WHERE handle_hash = $h");
  if (st) {
    db_bind_blob(st, "$h", hh, sizeof hh);
    if ((rc = db_step(st)) == DB_ROW) {
      found = 1;
      copy(p->state, sizeof p->state, db_col_text(st, 0));
      copy(p->nonce, sizeof p->nonce, db_col_text(st, 1));
      copy(p->verifier, sizeof p->verifier, db_col_text(st, 2));
      copy(p->redirect_uri, sizeof p->redirect_uri, db_col_text(st, 3));
      copy(p->next, sizeof p->next, db_col_text(st, 4));
      p->link_account = db_col_int(st, 5);
      p->expires_at = db_col_int(st, 6);
    }
    db_reset(st);
  }
  if (found && (st = db_prep(ctx->db, "DELETE FROM oidc_pending WHERE handle_hash = $h"))) {
    db_bind_blob(st, "$h", hh, sizeof hh);
    rc = db_exec_stmt(st);
  }
  if (!st || (found && rc != DB_OK) || db_commit(ctx->db) != DB_OK) {
    db_rollback(ctx->db);
    return kerr_set(ei, KERR_INTERNAL, NULL);
  }
  if (!found) {
    fprintf(stderr, "kominkan: oidc: callback without a pending sign-in (used or unknown)\n");
    return kerr_set(ei, KERR_OIDC, gone);
  }
  if (p->expires_at <= ctx->now) {
    fprintf(stderr, "kominkan: oidc: callback after the sign-in expired\n");
    return kerr_set(ei, KERR_OIDC, gone);
  }
  return 0;
}

/* Refuse with KERR_OIDC: WHY on stderr, the general message for the person. */
static int refuse(struct kerrinfo *ei, const char *why) {
  fprintf(stderr, "kominkan: oidc: refused: %s\n", why);
  return kerr_set(ei, KERR_OIDC, NULL);
}

/* Exchange the code at the token endpoint; the verified claims into *CLAIMS
** (userinfo merged in when the ID token lacks the profile). 0 or a KERR. */
static int exchange(const struct pending *p, const char *code, int64_t now, json_t **claims,
                    struct kerrinfo *ei) {
  char form[2048] = "", why[600], cred[1024] = "", auth[1500];
  *claims = NULL;
  param(form, sizeof form, "grant_type", "authorization_code");
  param(form, sizeof form, "code", code);
  param(form, sizeof form, "redirect_uri", p->redirect_uri);
  param(form, sizeof form, "code_verifier", p->verifier);
  /* client_secret_basic: both parts form-encoded first (RFC 6749 2.3.1) */
  pct(cred, sizeof cred, rp.client_id);
  strcat(cred, ":");
  pct(cred, sizeof cred, rp.secret);
  strcpy(auth, "Authorization: Basic ");
  sodium_bin2base64(auth + strlen(auth), sizeof auth - strlen(auth), (const unsigned char *)cred,
                    strlen(cred), sodium_base64_VARIANT_ORIGINAL);
  sodium_memzero(cred, sizeof cred);
  json_t *tok = NULL, *c = NULL;
  int rc = fetch_json(rp.token_ep, form, auth, &tok, why, sizeof why);
  sodium_memzero(auth, sizeof auth);
  sodium_memzero(form, sizeof form);
  if (rc) {
    fprintf(stderr, "kominkan: oidc: token endpoint: %s\n", why);
    return kerr_set(ei, strstr(why, "answered") ? KERR_OIDC : KERR_OIDC_UNAVAILABLE, NULL);
  }
  const char *idt = str(tok, "id_token"), *at = str(tok, "access_token"), *whyc;
  if (!idt) rc = refuse(ei, "token response without id_token");
  else if (verify_signature(idt, &c, why, sizeof why)) rc = refuse(ei, why);
  else if (oidc_check_claims(c, rp.issuer, rp.client_id, p->nonce, now, &whyc)) rc = refuse(ei, whyc);
  if (!rc && !json_object_get(c, "name") && !json_object_get(c, "address") && at && rp.userinfo_ep[0]) {
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", at);
    json_t *ui = NULL;
    if (fetch_json(rp.userinfo_ep, NULL, auth, &ui, why, sizeof why)) {
      fprintf(stderr, "kominkan: oidc: userinfo: %s\n", why);
      rc = kerr_set(ei, KERR_OIDC_UNAVAILABLE, NULL);
    } else if (!str(ui, "sub") || strcmp(str(ui, "sub"), str(c, "sub")))
      rc = refuse(ei, "userinfo sub is not the ID token's");
    else {
      static const char *const keep[] = {"name", "family_name", "given_name", "address", "birthdate"};
      for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
        if (json_object_get(ui, keep[i])) json_object_set(c, keep[i], json_object_get(ui, keep[i]));
    }
    sodium_memzero(auth, sizeof auth);
    json_decref(ui);
  }
  json_decref(tok);
  if (rc) json_decref(c);
  else *claims = c;
  return rc;
}

/* Inside the write transaction: the account (iss, sub) is linked to, 0 if
** none, -1 on a store error. */
static int64_t linked_account(kdb *db, const char *iss, const char *sub) {
  kstmt *st = db_prep(db, "SELECT account_id FROM oidc_links WHERE iss = $iss AND sub = $sub");
  if (!st) return -1;
  db_bind_text(st, "$iss", iss);
  db_bind_text(st, "$sub", sub);
  int rc = db_step(st);
  int64_t id = rc == DB_ROW ? db_col_int(st, 0) : rc == DB_DONE ? 0 : -1;
  db_reset(st);
  return id;
}

/* Inside the write transaction: link (iss, sub) to account ID, replacing the
** account's earlier link from the same issuer (a renewed card). DB_OK or an error. */
static int link_card(struct kctx *ctx, const char *iss, const char *sub, int64_t id) {
  int rc = db_run(ctx->db, "DELETE FROM oidc_links WHERE account_id = $id AND iss = $iss",
                  DB_I("$id", id), DB_T("$iss", iss));
  if (rc != DB_OK) return rc;
  return db_run(ctx->db, "INSERT INTO oidc_links(iss, sub, account_id, linked_at, last_used)"
                         " VALUES ($iss, $sub, $id, $now, $now)",
                DB_T("$iss", iss), DB_T("$sub", sub), DB_I("$id", id), DB_I("$now", ctx->now));
}

/* Inside the write transaction: the verified attributes of account ID from
** the claims C (name, address, birthdate; nothing else of C is kept). */
static int store_identity(struct kctx *ctx, int64_t id, const json_t *c) {
  char name[256], addr[512], birth[16];
  name_of(c, name, sizeof name);
  oidc_address_text(json_object_get(c, "address"), addr, sizeof addr);
  birthdate_of(c, birth, sizeof birth);
  return db_run(ctx->db,
                "INSERT OR REPLACE INTO identity_verified(account_id, iss, name, address,"
                " birthdate, resident, verified_at) VALUES ($id, $iss, $name, $addr, $birth,"
                " $res, $now)",
                DB_I("$id", id), DB_T("$iss", rp.issuer), DB_T("$name", name[0] ? name : NULL),
                DB_T("$addr", addr[0] ? addr : NULL), DB_T("$birth", birth[0] ? birth : NULL),
                DB_I("$res", oidc_address_resident(json_object_get(c, "address"))),
                DB_I("$now", ctx->now));
}

/* Inside the write transaction: the role of the usable account ID (not
** disabled, not closed), 0 if none. */
static int usable_role(kdb *db, int64_t id) {
  kstmt *st = db_prep(db, "SELECT role FROM accounts WHERE id = $id AND disabled = 0"
                          " AND closed_at IS NULL");
  if (!st) return 0;
  db_bind_int(st, "$id", id);
  int role = db_step(st) == DB_ROW ? role_parse(db_col_text(st, 0)) : 0;
  db_reset(st);
  return role;
}

/* Inside the write transaction: a new citizen from the claims C. */
static int sign_up(struct kctx *ctx, const json_t *c, int64_t *id, struct kerrinfo *ei) {
  char name[256];
  name_of(c, name, sizeof name);
  if (!name[0])
    return kerr_set(ei, KERR_OIDC, "氏名の提供に同意されなかったため、登録できませんでした。"
                                   "もう一度はじめから、氏名の提供に同意してお試しください。");
  json_t *in = json_pack("{s:s, s:b}", "name", name, "resident",
                         oidc_address_resident(json_object_get(c, "address")));
  struct kerrinfo e2 = {0};
  int rc = in ? accounts_create_in(ctx, in, ACCOUNTS_NO_PASSWORD, "account.create_oidc", id, &e2) : KERR_INTERNAL;
  json_decref(in);
  if (rc == KERR_VALIDATION) {
    kerr_clear(&e2);
    fprintf(stderr, "kominkan: oidc: the verified name cannot be an account name\n");
    return kerr_set(ei, KERR_OIDC, "カードの氏名でアカウントを作れませんでした。窓口でご相談ください。");
  }
  kerr_clear(&e2);
  return rc ? kerr_set(ei, rc, NULL) : 0;
}

/* Link, sign in or sign up from the verified claims C (one transaction). */
static int apply(struct kctx *ctx, const struct pending *p, const json_t *c, struct oidc_done *out,
                 struct kerrinfo *ei) {
  const char *sub = str(c, "sub");
  int rc = db_begin_write(ctx->db);
  if (rc != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  int64_t have = linked_account(ctx->db, rp.issuer, sub), id = 0;
  const char *action = "identity.signin";
  rc = have < 0 ? KERR_INTERNAL : 0;
  if (!rc && p->link_account) {
    id = p->link_account;
    action = "identity.link";
    if (have && have != id) {
      fprintf(stderr, "kominkan: oidc: refused: card already linked to another account\n");
      rc = kerr_set(ei, KERR_CONFLICT, "このマイナンバーカードは、別の利用者番号に登録されています。"
                                       "窓口でご相談ください。");
    } else if (!usable_role(ctx->db, id)) rc = KERR_FORBIDDEN;
    else rc = kerr_from_db(link_card(ctx, rp.issuer, sub, id));
    out->linked = 1;
  } else if (!rc && have) {
    id = have;
    if (!usable_role(ctx->db, id)) {
      fprintf(stderr, "kominkan: oidc: refused: the linked account is disabled\n");
      rc = kerr_set(ei, KERR_FORBIDDEN, "このアカウントは利用できない状態です。窓口でご相談ください。");
    } else {
      rc = kerr_from_db(db_run(ctx->db, "UPDATE oidc_links SET last_used = $now"
                                        " WHERE iss = $iss AND sub = $sub",
                               DB_I("$now", ctx->now), DB_T("$iss", rp.issuer), DB_T("$sub", sub)));
    }
  } else if (!rc) {
    if (!(rc = sign_up(ctx, c, &id, ei))) rc = kerr_from_db(link_card(ctx, rp.issuer, sub, id));
    out->created = 1;
  }
  if (!rc) rc = kerr_from_db(store_identity(ctx, id, c));
  if (!rc) {
    struct kctx as = *ctx;
    as.actor.role = ROLE_CITIZEN;
    as.actor.account_id = id;
    rc = audit_event(&as, action, NULL);
  }
  if (!rc && (rc = db_commit(ctx->db)) != DB_OK) rc = kerr_from_db(rc);
  if (rc) {
    db_rollback(ctx->db);
    out->created = out->linked = 0;
    return ei->code ? ei->code : kerr_set(ei, rc, NULL);
  }
  out->account_id = id;
  out->role = usable_role(ctx->db, id);
  return 0;
}

int oidc_finish(struct kctx *ctx, const struct oidc_callback *cb, struct oidc_done *out,
                struct kerrinfo *ei) {
  memset(out, 0, sizeof *out);
  if (!rp.on) return kerr_set(ei, KERR_NOT_FOUND, NULL);
  struct pending p;
  int rc = take_pending(ctx, cb->handle, &p, ei);
  if (rc) return rc;
  copy(out->next, sizeof out->next, p.next);
  json_t *claims = NULL;
  if (!cb->state || strlen(cb->state) != strlen(p.state) ||
      sodium_memcmp(cb->state, p.state, strlen(p.state)) != 0)
    rc = refuse(ei, "state is not the one of this sign-in");
  else if (cb->error) {
    fprintf(stderr, "kominkan: oidc: the provider answered error %.100s\n", cb->error);
    rc = kerr_set(ei, KERR_OIDC, strcmp(cb->error, "access_denied") ? NULL :
                  "マイナンバーカードでのログインは取り消されました。");
  } else if (!cb->code || !*cb->code) rc = refuse(ei, "callback without a code");
  else if (p.link_account && ctx->actor.account_id != p.link_account)
    rc = refuse(ei, "the account that asked to link is no longer signed in here");
  else if (!(rc = ensure_discovered(ei)) && !(rc = exchange(&p, cb->code, ctx->now, &claims, ei)))
    rc = apply(ctx, &p, claims, out, ei);
  sodium_memzero(&p, sizeof p);
  json_decref(claims);
  if (rc || out->linked) return rc;
  return accounts_session_open(ctx, out->account_id, out->role, &out->session, ei);
}

/* ============================================================ identity */

int oidc_unlink(struct kctx *ctx, int64_t id, struct kerrinfo *ei) {
  /* RULE: the card is the only way into an account with no password */
  if (accounts_no_password(ctx->db, id))
    return kerr_set(ei, KERR_CONFLICT, "この利用者番号にはパスワードがないため、マイナンバーカードの登録を"
                                       "解除すると、ログインできなくなります。先にパスワードを設定してください"
                                       " (窓口の再設定コード、またはメールの再設定)。");
  int rc = db_begin_write(ctx->db), n = 0;
  if (rc != DB_OK) return kerr_from_db(rc);
  if ((rc = db_run(ctx->db, "DELETE FROM oidc_links WHERE account_id = $id", DB_I("$id", id))) ==
      DB_OK) {
    n = db_changes(ctx->db);
    rc = db_run(ctx->db, "DELETE FROM identity_verified WHERE account_id = $id", DB_I("$id", id));
  }
  rc = rc != DB_OK ? kerr_from_db(rc) : !n ? KERR_NOT_FOUND : 0;
  if (!rc) rc = audit_event(ctx, "identity.unlink", NULL);
  if (!rc && (rc = db_commit(ctx->db)) != DB_OK) rc = kerr_from_db(rc);
  if (rc) db_rollback(ctx->db);
  return rc;
}

int oidc_identity_get(struct kctx *ctx, int64_t id, struct oidc_identity *out) {
  memset(out, 0, sizeof *out);
  kstmt *st = db_prep(ctx->db,
                      "SELECT v.name, v.address, v.birthdate, v.resident, v.verified_at,"
                      " EXISTS (SELECT 1 FROM oidc_links l WHERE l.account_id = $id)"
                      " FROM identity_verified v WHERE v.account_id = $id");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", id);
  int rc = db_step(st);
  if (rc == DB_ROW) {
    out->verified = 1;
    copy(out->name, sizeof out->name, db_col_text(st, 0));
    copy(out->address, sizeof out->address, db_col_text(st, 1));
    copy(out->birthdate, sizeof out->birthdate, db_col_text(st, 2));
    out->resident = (int)db_col_int(st, 3);
    out->verified_at = db_col_int(st, 4);
    out->linked = (int)db_col_int(st, 5);
  }
  db_reset(st);
  return rc == DB_ROW || rc == DB_DONE ? 0 : kerr_from_db(rc);
}

void oidc_verified_label(int64_t at, char *out, size_t n) {
  char d[11];
  date_format(clock_today(at), d);
  snprintf(out, n, "%.4s年%d月%d日", d, atoi(d + 5), atoi(d + 8));
}

json_t *oidc_identity_json(struct kctx *ctx, int64_t id) {
  struct oidc_identity v;
  if (oidc_identity_get(ctx, id, &v)) memset(&v, 0, sizeof v);
  json_t *o = json_pack("{s:b, s:b, s:b}", "verified", v.verified, "resident", v.verified && v.resident,
                        "linked", v.linked);
  if (o && v.verified) {
    char d[11];
    date_format(clock_today(v.verified_at), d);
    json_object_set_new(o, "verified_on", json_string(d));
  }
  return o;
}

int oidc_verified_resident(struct kctx *ctx, int64_t id) {
  return db_int64(ctx->db, 0, "SELECT resident FROM identity_verified WHERE account_id = $id",
                  DB_I("$id", id)) == 1;
}

long long oidc_group_verified_residents(struct kctx *ctx, int64_t group) {
  return db_int64(ctx->db, 0, "SELECT count(*) FROM identity_verified v WHERE v.resident = 1"
                              " AND (v.account_id IN (SELECT account_id FROM group_reps"
                              " WHERE group_id = $g) OR v.account_id = (SELECT representative_id"
                              " FROM groups WHERE id = $g))",
                  DB_I("$g", group));
}

