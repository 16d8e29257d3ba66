/*
** tests/unit/test_permits.c: signed digital permits (core/permits.c).
*/
#include "fixture_bookings.h"

#include <sodium.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../backend/core/permits.h"

#define ALICE 100000001
#define BOB 100000002
#define STAFF 200000001
#define GO_CLUB 500000013

static struct world w;

static void setup(void) {
  fx_open(&w, "ordinances/maebashi");
  fx_account(&w, ALICE, "citizen", "山田 太郎");
  fx_account(&w, BOB, "citizen", "Bob Brown");
  fx_account(&w, STAFF, "staff", "窓口 職員");
  fx_group(&w, GO_CLUB, "前橋囲碁の会", ALICE, "approved", "2027-03-31", 0);
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-04-01T09:00");
}
static void teardown(void) { fx_close(&w); }

TestSuite(permits, .init = setup, .fini = teardown);

static int confirm(int64_t id) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = booking_confirm(&w.ctx, id, &out, &ei);
  json_decref(out);
  kerr_clear(&ei);
  return rc;
}

/* The permit of ID as a malloc'd string, or NULL with *RC set. */
static char *issue(int64_t id, int *rc) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  *rc = permit_issue(&w.ctx, id, &out, &ei);
  kerr_clear(&ei);
  char *s = out ? strdup(json_string_value(json_object_get(out, "permit"))) : NULL;
  json_decref(out);
  return s;
}

static json_t *verify(const char *token) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  cr_assert_eq(permit_verify(&w.ctx, token, &out, &ei), 0);
  kerr_clear(&ei);
  return out;
}

static int64_t confirmed_booking(int64_t group) {
  int64_t id;
  char msg[512];
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning,afternoon", group, 5, &id, msg),
               0, "%s", msg);
  cr_assert_eq(confirm(id), 0);
  return id;
}

Test(permits, initials_name_no_one) {
  char s[64];
  permit_initials("山田 太郎", s, sizeof s);
  cr_assert_str_eq(s, "山.太.");
  permit_initials("佐藤　花子", s, sizeof s); /* ideographic space */
  cr_assert_str_eq(s, "佐.花.");
  permit_initials("  Taro   Yamada ", s, sizeof s);
  cr_assert_str_eq(s, "T.Y.");
  permit_initials("", s, sizeof s);
  cr_assert_str_eq(s, "");
}

Test(permits, a_hold_has_no_permit) {
  int64_t id;
  int rc;
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning", 0, 5, &id, NULL), 0);
  cr_assert_null(issue(id, &rc));
  cr_assert_eq(rc, KERR_CONFLICT);
}

Test(permits, issue_and_verify_a_confirmed_booking) {
  int rc;
  int64_t id = confirmed_booking(0);
  char *tok = issue(id, &rc);
  cr_assert_not_null(tok, "rc %d", rc);
  /* three base64url parts */
  int dots = 0;
  for (char *p = tok; *p; p++) dots += *p == '.';
  cr_assert_eq(dots, 2);

  json_t *v = verify(tok);
  cr_assert(json_is_true(json_object_get(v, "valid")));
  cr_assert_str_eq(json_string_value(json_object_get(v, "status")), "confirmed");
  cr_assert(json_is_true(json_object_get(v, "usable")));
  json_t *p = json_object_get(v, "permit");
  cr_assert_eq(json_integer_value(json_object_get(p, "bid")), id);
  cr_assert_str_eq(json_string_value(json_object_get(p, "center")), "chuo");
  cr_assert_str_eq(json_string_value(json_object_get(p, "room")), "r503");
  cr_assert_str_eq(json_string_value(json_object_get(p, "date")), "2026-06-10");
  cr_assert_eq(json_array_size(json_object_get(p, "slots")), 2);
  cr_assert_str_eq(json_string_value(json_object_get(p, "holder")), "山.太.");
  cr_assert_str_eq(json_string_value(json_object_get(p, "issued_at")),
                   "2026-04-01T09:00:00+09:00");
  /* RULE: a permit names no full name */
  char *s = json_dumps(p, 0);
  cr_assert_null(strstr(s, "山田"));
  free(s);
  json_decref(v);
  free(tok);
}

Test(permits, any_changed_byte_verifies_false) {
  int rc;
  int64_t id = confirmed_booking(0);
  char *tok = issue(id, &rc);
  cr_assert_not_null(tok);
  size_t n = strlen(tok);
  static const char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  /* RULE: a token with one byte changed verifies false: every position, to
  ** another base64url character (and to a dot) */
  for (size_t i = 0; i < n; i++) {
    char saved = tok[i];
    if (saved == '.') continue;
    tok[i] = alphabet[(strchr(alphabet, saved) - alphabet + 1 + (int)(i % 60)) % 64];
    json_t *v = verify(tok);
    cr_assert(json_is_false(json_object_get(v, "valid")), "byte %zu changed still valid", i);
    json_decref(v);
    tok[i] = '.';
    v = verify(tok);
    cr_assert(json_is_false(json_object_get(v, "valid")));
    json_decref(v);
    tok[i] = saved;
  }
  json_t *v = verify(tok);
  cr_assert(json_is_true(json_object_get(v, "valid")));
  json_decref(v);
  v = verify("not a permit");
  cr_assert(json_is_false(json_object_get(v, "valid")));
  cr_assert_str_eq(json_string_value(json_object_get(v, "reason")), "malformed");
  json_decref(v);
  free(tok);
}

Test(permits, a_cancelled_bookings_permit_is_genuine_but_cancelled) {
  int rc;
  int64_t id = confirmed_booking(GO_CLUB);
  char *tok = issue(id, &rc);
  cr_assert_not_null(tok);
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  cr_assert_eq(booking_cancel(&w.ctx, id, NULL, CANCEL_FOR_DEFAULT, &out, &ei), 0);
  json_decref(out);
  fx_as(&w, 0, ROLE_ANON, NULL); /* anyone may verify */
  json_t *v = verify(tok);
  cr_assert(json_is_true(json_object_get(v, "valid")));
  cr_assert_str_eq(json_string_value(json_object_get(v, "status")), "cancelled");
  cr_assert(json_is_false(json_object_get(v, "usable")));
  /* a group booking's permit carries the group's name */
  cr_assert_str_eq(json_string_value(json_object_get(json_object_get(v, "permit"), "holder")),
                   "前橋囲碁の会");
  json_decref(v);
  free(tok);
  /* no permit for a cancelled booking any more */
  fx_as(&w, ALICE, ROLE_CITIZEN, NULL);
  cr_assert_null(issue(id, &rc));
  cr_assert_eq(rc, KERR_CONFLICT);
}

Test(permits, only_who_may_see_the_booking_gets_its_permit) {
  int rc;
  int64_t id = confirmed_booking(0);
  fx_as(&w, BOB, ROLE_CITIZEN, NULL);
  cr_assert_null(issue(id, &rc));
  cr_assert_eq(rc, KERR_NOT_FOUND);
  fx_as(&w, STAFF, ROLE_STAFF, NULL);
  char *tok = issue(id, &rc);
  cr_assert_not_null(tok);
  free(tok);
}

Test(permits, verifies_offline_with_the_published_key) {
  int rc;
  int64_t id = confirmed_booking(0);
  char *tok = issue(id, &rc);
  cr_assert_not_null(tok);
  struct kerrinfo ei = {0};
  json_t *key = NULL;
  cr_assert_eq(permit_public_key(&w.ctx, &key, &ei), 0);
  cr_assert_str_eq(json_string_value(json_object_get(key, "alg")), "Ed25519");
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
  size_t n = 0;
  const char *b64 = json_string_value(json_object_get(key, "public_key"));
  cr_assert_eq(sodium_base642bin(pk, sizeof pk, b64, strlen(b64), NULL, &n, NULL,
                                 sodium_base64_VARIANT_ORIGINAL),
               0);
  cr_assert_eq(n, sizeof pk);
  /* what an offline verifier does: Ed25519 over the text before the last dot */
  char *last = strrchr(tok, '.');
  cr_assert_eq(sodium_base642bin(sig, sizeof sig, last + 1, strlen(last + 1), NULL, &n, NULL,
                                 sodium_base64_VARIANT_URLSAFE_NO_PADDING),
               0);
  cr_assert_eq(crypto_sign_verify_detached(sig, (unsigned char *)tok, (size_t)(last - tok), pk),
               0);
  json_decref(key);
  free(tok);
}

Test(permits, the_key_is_made_once_and_survives_a_restart) {
  char path[] = "/tmp/kominkan-permit-XXXXXX";
  int fd = mkstemp(path);
  cr_assert_geq(fd, 0);
  close(fd);
  unlink(path);
  char err[256];
  struct kerrinfo ei = {0};
  json_t *k1 = NULL, *k2 = NULL;
  struct kctx c = w.ctx;

  kdb *db = db_open(path, err, sizeof err);
  cr_assert_not_null(db, "%s", err);
  cr_assert_eq(permits_init(db), 0);
  cr_assert_eq(permits_init(db), 0); /* a second start keeps the key */
  c.db = db;
  cr_assert_eq(permit_public_key(&c, &k1, &ei), 0);
  db_close(db);

  db = db_open(path, err, sizeof err);
  cr_assert_not_null(db, "%s", err);
  cr_assert_eq(permits_init(db), 0);
  c.db = db;
  cr_assert_eq(permit_public_key(&c, &k2, &ei), 0);
  db_close(db);
  cr_assert_str_eq(json_string_value(json_object_get(k1, "public_key")),
                   json_string_value(json_object_get(k2, "public_key")));
  json_decref(k1);
  json_decref(k2);
  char side[600];
  unlink(path);
  snprintf(side, sizeof side, "%s-wal", path);
  unlink(side);
  snprintf(side, sizeof side, "%s-shm", path);
  unlink(side);
  snprintf(side, sizeof side, "%s.keys", path); /* the key file beside it (core/keys.h) */
  unlink(side);
}

Test(permits, issuing_a_permit_is_logged) {
  int rc;
  int64_t id = confirmed_booking(0);
  char *tok = issue(id, &rc);
  cr_assert_not_null(tok);
  free(tok);
  kstmt *st = db_prep(w.db, "SELECT count(*) FROM events WHERE action = 'permit.issue'");
  cr_assert_eq(db_step(st), DB_ROW);
  cr_assert_eq(db_col_int(st, 0), 1);
  db_reset(st);
}

/* The payload of TOKEN, decoded as an offline reader would (new reference). */
static json_t *payload_of(const char *token) {
  const char *d1 = strchr(token, '.'), *d2 = strrchr(token, '.');
  unsigned char bin[2048];
  size_t n = 0;
  cr_assert_eq(sodium_base642bin(bin, sizeof bin, d1 + 1, (size_t)(d2 - d1 - 1), NULL, &n, NULL,
                                 sodium_base64_VARIANT_URLSAFE_NO_PADDING),
               0);
  json_t *p = json_loadb((const char *)bin, n, 0, NULL);
  cr_assert_not_null(p);
  return p;
}

/* TOKEN with its payload's holder changed to HOLDER and re-encoded, the
** signature kept: a well-formed forgery (malloc'd). */
static char *forge(const char *token, const char *holder) {
  const char *d1 = strchr(token, '.'), *d2 = strrchr(token, '.');
  json_t *p = payload_of(token);
  json_object_set_new(p, "holder", json_string(holder));
  char *pay = json_dumps(p, JSON_COMPACT);
  json_decref(p);
  char b64[4096];
  sodium_bin2base64(b64, sizeof b64, (const unsigned char *)pay, strlen(pay),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  free(pay);
  char *out = malloc(strlen(token) + sizeof b64);
  sprintf(out, "%.*s.%s%s", (int)(d1 - token), token, b64, d2);
  return out;
}

Test(permits, typed_issue_and_verify_valid_forged_and_unusable) {
  struct kerrinfo ei = {0};
  struct permit_view *pv = malloc(sizeof *pv);
  struct permit_check *c = malloc(sizeof *c);
  int64_t id = confirmed_booking(0);
  int32_t day = 0;
  date_parse("2026-06-10", &day);
  cr_assert_eq(permit_issue_view(&w.ctx, id, pv, &ei), 0);
  cr_assert_eq(pv->booking_id, id);
  cr_assert_eq(pv->status, BOOKING_CONFIRMED);
  cr_assert_eq(pv->day, day);
  cr_assert_eq(pv->nslots, 2);
  cr_assert_str_eq(pv->slots[0], "morning");
  cr_assert_str_eq(pv->slots[1], "afternoon");
  cr_assert_str_eq(pv->room, "r503");
  cr_assert_str_eq(pv->holder, "山.太.");
  cr_assert_str_eq(pv->holder_name, "山田 太郎");
  cr_assert_eq(pv->issued_at, w.ctx.now);
  cr_assert_not_null(strstr(pv->short_code, "-"));

  /* valid: the signed payload, typed, and its JSON is the signed JSON itself */
  cr_assert_eq(permit_verify_view(&w.ctx, pv->token, c, &ei), 0);
  cr_assert(c->valid && c->usable);
  cr_assert_eq(c->source, PERMIT_SIGNED);
  cr_assert_null(c->message);
  cr_assert_eq(c->permit.booking_id, id);
  cr_assert_eq(c->permit.status, BOOKING_CONFIRMED);
  cr_assert_eq(c->permit.day, day);
  cr_assert_eq(c->permit.nslots, 2);
  cr_assert_str_eq(c->permit.center_name, pv->center_name);
  cr_assert_str_eq(c->permit.start, pv->start);
  cr_assert_str_eq(c->permit.end, pv->end);
  cr_assert_str_eq(c->permit.holder, "山.太.");
  cr_assert_eq(c->permit.issued_at, pv->issued_at);
  cr_assert_str_eq(c->permit.token, ""); /* issue-only fields stay empty */
  cr_assert_str_eq(c->permit.holder_name, "");
  json_t *v = verify(pv->token), *signed_payload = payload_of(pv->token);
  cr_assert(json_equal(json_object_get(v, "permit"), signed_payload));
  json_decref(signed_payload);
  json_decref(v);

  /* the short code: the booking's essentials */
  cr_assert_eq(permit_verify_view(&w.ctx, pv->short_code, c, &ei), 0);
  cr_assert(c->valid && c->usable);
  cr_assert_eq(c->source, PERMIT_CODE);
  cr_assert_eq(c->permit.booking_id, id);
  cr_assert_str_eq(c->permit.holder, "山.太.");
  cr_assert_eq(c->permit.issued_at, 0);

  /* RULE: a permit is genuine only if its signature verifies: a forged holder */
  char *forged = forge(pv->token, "佐.花.");
  cr_assert_eq(permit_verify_view(&w.ctx, forged, c, &ei), 0);
  cr_assert_not(c->valid);
  cr_assert_str_eq(c->reason, "bad_signature");
  cr_assert_not_null(c->message);
  cr_assert_eq(c->source, PERMIT_NONE);
  cr_assert_eq(c->permit.booking_id, 0);
  free(forged);

  /* unusable: genuine, but the booking is cancelled */
  json_t *out = NULL;
  cr_assert_eq(booking_cancel(&w.ctx, id, NULL, CANCEL_FOR_DEFAULT, &out, &ei), 0);
  json_decref(out);
  cr_assert_eq(permit_verify_view(&w.ctx, pv->token, c, &ei), 0);
  cr_assert(c->valid);
  cr_assert_not(c->usable);
  cr_assert_eq(c->permit.status, BOOKING_CANCELLED);
  cr_assert_str_eq(c->message, "この許可書は本物ですが、予約は取り消されています。");
  cr_assert_str_eq(c->permit.holder, "山.太.");

  /* only a missing token is an error */
  cr_assert_eq(permit_verify_view(&w.ctx, "", c, &ei), KERR_VALIDATION);
  kerr_clear(&ei);
  free(c);
  free(pv);
}
