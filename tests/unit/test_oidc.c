/*
** Unit tests for core/oidc.c: the claim checks of an ID token, residency from
** the verified address, and the identity kept (docs/identity.md). The whole
** flow against real providers is tests/api/oidc.test.mjs.
*/
#include <criterion/criterion.h>
#include <string.h>

#include "../../backend/core/oidc.h"
#include "fixture.h"

#define ISS "https://auth.example.jp"
#define CID "kominkan"
#define NONCE "n-0S6_WzA2Mj"
#define NOW 1775600000

/* A payload every check accepts; tests break one claim at a time. */
static json_t *good(void) {
  return json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "iss", ISS, "sub", "person-1", "aud", CID, "exp",
                   (json_int_t)NOW + 300, "iat", (json_int_t)NOW - 5, "nonce", NONCE);
}

static const char *why_of(json_t *c) {
  const char *why = NULL;
  int rc = oidc_check_claims(c, ISS, CID, NONCE, NOW, &why);
  json_decref(c);
  return rc == 0 ? NULL : why;
}

static json_t *with(const char *key, json_t *v) {
  json_t *c = good();
  if (v) json_object_set_new(c, key, v);
  else json_object_del(c, key);
  return c;
}

Test(oidc, a_good_payload_passes) { cr_assert_null(why_of(good())); }

Test(oidc, iss_must_be_the_configured_issuer) {
  cr_assert_str_eq(why_of(with("iss", json_string("https://evil.example"))), "iss is not the configured issuer");
  cr_assert_str_eq(why_of(with("iss", json_string(ISS "/"))), "iss is not the configured issuer");
  cr_assert_not_null(why_of(with("iss", NULL)));
}

Test(oidc, aud_and_azp) {
  cr_assert_str_eq(why_of(with("aud", json_string("other"))), "aud does not name this client");
  cr_assert_not_null(why_of(with("aud", NULL)));
  cr_assert_null(why_of(with("aud", json_pack("[s]", CID))));
  /* several audiences: azp must name us */
  cr_assert_str_eq(why_of(with("aud", json_pack("[s,s]", CID, "other"))), "azp is not this client");
  json_t *c = with("aud", json_pack("[s,s]", CID, "other"));
  json_object_set_new(c, "azp", json_string(CID));
  cr_assert_null(why_of(c));
  cr_assert_str_eq(why_of(with("azp", json_string("other"))), "azp is not this client");
  cr_assert_str_eq(why_of(with("aud", json_pack("[s]", "other"))), "aud does not name this client");
}

Test(oidc, exp_and_iat) {
  cr_assert_str_eq(why_of(with("exp", json_integer(NOW - OIDC_SKEW_SECONDS - 1))), "id_token expired");
  cr_assert_null(why_of(with("exp", json_integer(NOW - 10))), "within the allowed skew");
  cr_assert_str_eq(why_of(with("exp", NULL)), "exp missing");
  cr_assert_str_eq(why_of(with("exp", json_string("tomorrow"))), "exp missing");
  cr_assert_str_eq(why_of(with("iat", NULL)), "iat missing");
  cr_assert_str_eq(why_of(with("iat", json_integer(NOW + OIDC_SKEW_SECONDS + 1))), "iat in the future");
  cr_assert_str_eq(why_of(with("iat", json_integer(NOW - 3 * OIDC_FLOW_SECONDS))), "iat too old");
}

Test(oidc, nonce_and_sub) {
  cr_assert_str_eq(why_of(with("nonce", json_string("n-other"))), "nonce is not the one of this sign-in");
  cr_assert_str_eq(why_of(with("nonce", json_string(NONCE "x"))), "nonce is not the one of this sign-in");
  cr_assert_str_eq(why_of(with("nonce", NULL)), "nonce is not the one of this sign-in");
  cr_assert_str_eq(why_of(with("sub", json_string(""))), "sub missing or too long");
  cr_assert_str_eq(why_of(with("sub", NULL)), "sub missing or too long");
  const char *why = NULL;
  json_t *c = good();
  cr_assert_eq(oidc_check_claims(c, ISS, CID, NULL, NOW, &why), -1, "no expected nonce: refused");
  json_decref(c);
}

/* RULE: verified residency: an address in 前橋市 from the card. */
Test(oidc, residency_from_the_address) {
  json_t *a = json_pack("{s:s, s:s, s:s}", "formatted", "群馬県前橋市大手町二丁目12番1号", "region", "群馬県",
                        "locality", "前橋市");
  cr_assert(oidc_address_resident(a));
  json_decref(a);
  a = json_pack("{s:s, s:s}", "region", "群馬県", "locality", "高崎市");
  cr_assert_not(oidc_address_resident(a));
  json_decref(a);
  a = json_pack("{s:s, s:s}", "region", "東京都", "locality", "前橋市");
  cr_assert_not(oidc_address_resident(a), "another prefecture's locality of the same name");
  json_decref(a);
  a = json_pack("{s:s}", "formatted", "〒371-8601 群馬県前橋市大手町二丁目12番1号");
  cr_assert(oidc_address_resident(a));
  json_decref(a);
  a = json_pack("{s:s}", "formatted", "群馬県高崎市前橋市場町1");
  cr_assert_not(oidc_address_resident(a), "前橋市 inside another town's address");
  json_decref(a);
  a = json_string("前橋市千代田町1-1");
  cr_assert(oidc_address_resident(a));
  json_decref(a);
  cr_assert_not(oidc_address_resident(NULL));
}

Test(oidc, the_address_as_one_line) {
  char out[256];
  json_t *a = json_pack("{s:s, s:s, s:s, s:s}", "postal_code", "371-8601", "region", "群馬県", "locality",
                        "前橋市", "street_address", "大手町二丁目12番1号");
  oidc_address_text(a, out, sizeof out);
  cr_assert_str_eq(out, "371-8601 群馬県前橋市大手町二丁目12番1号");
  json_decref(a);
  oidc_address_text(NULL, out, sizeof out);
  cr_assert_str_eq(out, "");
}

/* The identity of an account nobody verified: all false; unlinking it: 404. */
Test(oidc, identity_of_an_unverified_account, .init = fixture_setup, .fini = fixture_teardown) {
  struct oidc_identity v;
  cr_assert_eq(oidc_identity_get(&ctx, 123456782, &v), 0);
  cr_assert_eq(v.verified + v.resident + v.linked, 0);
  json_t *j = oidc_identity_json(&ctx, 123456782);
  cr_assert(json_is_false(json_object_get(j, "verified")));
  cr_assert(json_is_false(json_object_get(j, "resident")));
  cr_assert_null(json_object_get(j, "verified_on"));
  json_decref(j);
  act_as(ROLE_CITIZEN, 123456782);
  struct kerrinfo ei = {0};
  cr_assert_eq(oidc_unlink(&ctx, 123456782, &ei), KERR_NOT_FOUND);
  kerr_clear(&ei);
}

/* The flow refuses without configuration, and a callback without its flow. */
Test(oidc, not_configured, .init = fixture_setup, .fini = fixture_teardown) {
  struct kerrinfo ei = {0};
  char handle[64], *url = NULL;
  cr_assert_not(oidc_enabled());
  cr_assert_eq(oidc_begin(&ctx, "/my", 0, handle, &url, &ei), KERR_NOT_FOUND);
  cr_assert_null(url);
  kerr_clear(&ei);
  struct oidc_config bad = {.issuer = "http://auth.example.jp", .client_id = CID, .secret = "s",
                            .redirect_uri = "http://127.0.0.1/auth/oidc/callback"};
  char err[256];
  cr_assert_eq(oidc_configure(&bad, err, sizeof err), -1, "plain http off loopback is refused");
  cr_assert(strstr(err, "https"));
}
