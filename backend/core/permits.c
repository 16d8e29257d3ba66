/*
** core/permits.c: signed digital permits (see permits.h).
*/
#include "permits.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "bookings.h"
#include "clock.h"
#include "keys.h"
#include "throttle.h"

#define TOKEN_MAX 4096

/* ================================================================ key */

int permits_init(kdb *db) {
  struct kkeys k;
  if (sodium_init() < 0) return KERR_INTERNAL;
  int rc = keys_get(db, &k);
  sodium_memzero(&k, sizeof k);
  return rc;
}

/* The signing key (core/keys.c: the key file beside the database, made on
** first use if permits_init() has not run, as in unit tests). */
static int key_load(kdb *db, unsigned char sk[crypto_sign_SECRETKEYBYTES]) {
  struct kkeys k;
  if (sodium_init() < 0) return KERR_INTERNAL;
  int rc = keys_get(db, &k);
  if (!rc) memcpy(sk, k.permit, crypto_sign_SECRETKEYBYTES);
  sodium_memzero(&k, sizeof k);
  return rc;
}

/* The key id: hex of the first 8 bytes of BLAKE2b(public key). */
static void key_id(const unsigned char *pk, char out[17]) {
  unsigned char h[16];
  crypto_generichash(h, sizeof h, pk, crypto_sign_PUBLICKEYBYTES, NULL, 0);
  sodium_bin2hex(out, 17, h, 8);
}

/* ============================================================ base64url */

/* BIN as unpadded base64url, malloc'd (caller frees). */
static char *b64url(const unsigned char *bin, size_t n) {
  size_t len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  char *s = malloc(len);
  if (s) sodium_bin2base64(s, len, bin, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return s;
}

/* Decode S[0..N) strictly: only the canonical encoding of some bytes is
** accepted (re-encoding gives S back), so no two tokens carry the same bytes.
** Returns a malloc'd buffer (NUL-terminated for convenience), or NULL. */
static unsigned char *unb64url(const char *s, size_t n, size_t *outn) {
  unsigned char *bin = malloc(n + 1);
  size_t len = 0;
  if (!bin) return NULL;
  if (n == 0 || sodium_base642bin(bin, n, s, n, NULL, &len, NULL,
                                  sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    free(bin);
    return NULL;
  }
  char *again = b64url(bin, len);
  if (!again || strlen(again) != n || memcmp(again, s, n) != 0) {
    free(again);
    free(bin);
    return NULL;
  }
  free(again);
  bin[len] = 0;
  *outn = len;
  return bin;
}

/* =========================================================== initials */

void permit_initials(const char *name, char *out, size_t n) {
  size_t o = 0;
  const unsigned char *s = (const unsigned char *)(name ? name : "");
  out[0] = 0;
  while (*s) {
    /* skip separators: ASCII space/tab and U+3000 IDEOGRAPHIC SPACE */
    if (*s == ' ' || *s == '\t') {
      s++;
      continue;
    }
    if (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80) {
      s += 3;
      continue;
    }
    size_t len = *s < 0x80 ? 1 : (*s & 0xe0) == 0xc0 ? 2 : (*s & 0xf0) == 0xe0 ? 3 : 4;
    if (o + len + 2 > n) break;
    for (size_t k = 0; k < len && s[k]; k++) out[o++] = (char)s[k];
    out[o++] = '.';
    out[o] = 0;
    /* to the next separator */
    while (*s && *s != ' ' && *s != '\t' && !(s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80))
      s++;
  }
}

/* ============================================================== events */

/* The permit.issue usage-log event (core/audit.c: pseudonymised actor). */
static int ev_issue(struct kctx *ctx, const struct booking *b) {
  char detail[48];
  snprintf(detail, sizeof detail, "{\"booking_id\":%lld}", (long long)b->id);
  struct audit_fields f = {
      AUDIT_OF_BOOKING(b),
      .subject_account = b->account_id != ctx->actor.account_id ? b->account_id : 0,
      .detail_json = detail};
  return audit_event(ctx, "permit.issue", &f);
}

/* =============================================================== issue */

/* The name on a permit: the group's name, or the holder's name, in FULL or
** as initials (what the signed permit carries, for anyone who scans it). */
static int holder_name(struct kctx *ctx, const struct booking *b, int full, char *out, size_t n) {
  if (b->group_id) {
    snprintf(out, n, "%s", b->group_name);
    return 0;
  }
  if (!b->account_id) {
    if (full) snprintf(out, n, "%s", b->walkin_name);
    else permit_initials(b->walkin_name, out, n);
    return 0;
  }
  kstmt *st = db_prep(ctx->db, "SELECT name FROM accounts WHERE id = $a");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$a", b->account_id);
  int rc = db_step(st);
  if (rc == DB_ROW && full) snprintf(out, n, "%s", db_col_text(st, 0));
  else if (rc == DB_ROW) permit_initials(db_col_text(st, 0), out, n);
  else out[0] = 0;
  db_reset(st);
  return rc == DB_ROW || rc == DB_DONE ? 0 : kerr_from_db(rc);
}

/* The short code of booking ID (issue 13 point 7): "ID-XXXXXX", six
** Crockford base32 characters of a BLAKE2b keyed with the permit key's seed,
** so that a clerk can type it (or a citizen read it out) where the QR code
** cannot be scanned. It cannot be made without the key. */
static const char code_chars[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static void short_code(const unsigned char *seed, int64_t id, char out[PERMIT_CODE_MAX]) {
  unsigned char h[8];
  char msg[48], c[7];
  int n = snprintf(msg, sizeof msg, "kominkan-permit-code:%lld", (long long)id);
  crypto_generichash(h, sizeof h, (const unsigned char *)msg, (size_t)n, seed, crypto_sign_SEEDBYTES);
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = v << 8 | h[i];
  for (int i = 0; i < 6; i++) c[i] = code_chars[(v >> (5 * i)) & 31];
  c[6] = 0;
  snprintf(out, PERMIT_CODE_MAX, "%lld-%s", (long long)id, c);
}

/* A short code as typed ("1234-k7qm3x", "1234 K7QM3X", O for 0, I or L for
** 1) into its canonical form in OUT and the booking ID; 0, or -1 if it is
** not one. */
static int short_code_parse(const char *s, int64_t *id, char out[PERMIT_CODE_MAX]) {
  char c[7];
  int nc = 0, nd = 0;
  int64_t v = 0;
  const char *p = s;
  for (; *p >= '0' && *p <= '9' && nd < 15; p++, nd++) v = v * 10 + (*p - '0');
  if (!nd || v <= 0) return -1;
  for (; *p; p++) {
    char ch = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    if (ch == ' ' || ch == '-') continue;
    if (ch == 'O') ch = '0';
    if (ch == 'I' || ch == 'L') ch = '1';
    if (!strchr(code_chars, ch) || !ch || nc >= 6) return -1;
    c[nc++] = ch;
  }
  if (nc != 6) return -1;
  c[6] = 0;
  *id = v;
  snprintf(out, PERMIT_CODE_MAX, "%lld-%s", (long long)v, c);
  return 0;
}

int permit_issue(struct kctx *ctx, int64_t booking_id, json_t **out, struct kerrinfo *ei) {
  struct booking b;
  unsigned char sk[crypto_sign_SECRETKEYBYTES], sig[crypto_sign_BYTES];
  char holder[256], full[256], kid[17], iat[26], code[PERMIT_CODE_MAX];
  char *h64 = NULL, *p64 = NULL, *s64 = NULL, *hdr = NULL, *pay = NULL, *input = NULL;
  json_t *payload = NULL;
  int rc;
  *out = NULL;

  rc = booking_load(ctx, booking_id, &b);
  if (rc == KERR_NOT_FOUND || (rc == 0 && !booking_visible(ctx, &b)))
    return kerr_set(ei, KERR_NOT_FOUND, "予約が見つかりません。");
  if (rc) return kerr_set(ei, rc, NULL);
  enum booking_status status = booking_status_now(ctx, &b);
  /* RULE: a permit is issued for a confirmed booking only (not for a hold). */
  if (status != BOOKING_CONFIRMED && status != BOOKING_CHECKED_IN)
    return kerr_set(ei, KERR_CONFLICT,
                    status == BOOKING_HELD
                        ? "許可書は、仮予約を確定（本予約）した後に発行されます。"
                        : "この予約は有効ではないため、許可書は発行できません。");
  if ((rc = holder_name(ctx, &b, 0, holder, sizeof holder)) ||
      (rc = holder_name(ctx, &b, 1, full, sizeof full)))
    return kerr_set(ei, rc, NULL);
  if ((rc = key_load(ctx->db, sk))) return kerr_set(ei, rc, NULL);
  short_code(sk, b.id, code);

  /* The essentials, straight from the booking as the API shows it. */
  json_t *bj = booking_json(ctx, &b);
  clock_format_instant(ctx->now, iat);
  key_id(sk + crypto_sign_SEEDBYTES, kid);
  payload = json_pack("{s:s, s:I, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:s, s:I, s:s}",
                      "iss", "kominkan", "bid", (json_int_t)b.id, "center",
                      json_object_get(bj, "center"), "center_name",
                      json_object_get(bj, "center_name"), "room", json_object_get(bj, "room_code"),
                      "room_name", json_object_get(bj, "room_name"), "date",
                      json_object_get(bj, "date"), "slots", json_object_get(bj, "slots"), "start",
                      json_object_get(bj, "start"), "end", json_object_get(bj, "end"), "holder",
                      holder, "iat", (json_int_t)ctx->now, "issued_at", iat);
  json_decref(bj);
  json_t *header = json_pack("{s:s, s:s, s:s}", "alg", "EdDSA", "typ", "JWT", "kid", kid);
  hdr = header ? json_dumps(header, JSON_COMPACT) : NULL;
  json_decref(header);
  pay = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
  if (!hdr || !pay) goto oom;
  h64 = b64url((const unsigned char *)hdr, strlen(hdr));
  p64 = b64url((const unsigned char *)pay, strlen(pay));
  if (!h64 || !p64) goto oom;
  size_t in_len = strlen(h64) + 1 + strlen(p64);
  input = malloc(in_len + 1);
  if (!input) goto oom;
  snprintf(input, in_len + 1, "%s.%s", h64, p64);
  crypto_sign_detached(sig, NULL, (const unsigned char *)input, in_len, sk);
  sodium_memzero(sk, sizeof sk);
  if (!(s64 = b64url(sig, sizeof sig))) goto oom;

  /* Log the issue (its own short write transaction). */
  if ((rc = db_begin_write(ctx->db)) != DB_OK) {
    rc = kerr_from_db(rc);
    goto fail;
  }
  if ((rc = ev_issue(ctx, &b))) {
    db_rollback(ctx->db);
    goto fail;
  }
  if ((rc = db_commit(ctx->db)) != DB_OK) {
    rc = kerr_from_db(rc);
    goto fail;
  }

  json_t *tok = json_sprintf("%s.%s", input, s64);
  *out = json_pack("{s:o, s:I, s:s, s:s, s:s, s:s}", "permit", tok, "booking_id", (json_int_t)b.id,
                   "issued_at", iat, "kid", kid, "short_code", code, "holder_name", full);
  rc = *out ? 0 : KERR_INTERNAL;
  goto done;
oom:
  rc = KERR_INTERNAL;
fail:
  kerr_set(ei, rc, NULL);
done:
  sodium_memzero(sk, sizeof sk);
  json_decref(payload);
  free(hdr);
  free(pay);
  free(h64);
  free(p64);
  free(s64);
  free(input);
  return rc;
}

/* ============================================================== verify */

static json_t *invalid(const char *reason, const char *message) {
  return json_pack("{s:b, s:s, s:s}", "valid", 0, "reason", reason, "message", message);
}

/* The answer for a genuine permit of booking BID whose contents are PAYLOAD
** (NULL: the booking's essentials, for a short code): what became of the
** booking since (cancelled, ...). 0 or a KERR code. */
static int genuine(struct kctx *ctx, int64_t bid, json_t *payload, json_t **out) {
  struct booking b;
  enum booking_status status = BOOKING_UNKNOWN;
  char holder[256];
  int rc = booking_load(ctx, bid, &b);
  if (rc == 0) status = booking_status_now(ctx, &b);
  else if (rc != KERR_NOT_FOUND) return rc;
  json_t *own = NULL;
  if (!payload && rc == 0) {
    if ((rc = holder_name(ctx, &b, 0, holder, sizeof holder))) return rc;
    json_t *bj = booking_json(ctx, &b);
    own = json_pack("{s:I, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:s}", "bid", (json_int_t)b.id,
                    "center_name", json_object_get(bj, "center_name"), "room_name",
                    json_object_get(bj, "room_name"), "date", json_object_get(bj, "date"), "slots",
                    json_object_get(bj, "slots"), "start", json_object_get(bj, "start"), "end",
                    json_object_get(bj, "end"), "center", json_object_get(bj, "center"), "holder",
                    holder);
    json_decref(bj);
    payload = own;
  }
  int usable = status == BOOKING_CONFIRMED || status == BOOKING_CHECKED_IN;
  *out = json_pack("{s:b, s:s, s:b, s:O?}", "valid", 1, "status", booking_status_name(status),
                   "usable", usable,
                   "permit", payload);
  json_decref(own);
  if (*out && !usable)
    json_object_set_new(*out, "message",
                        json_string(status == BOOKING_CANCELLED
                                        ? "この許可書は本物ですが、予約は取り消されています。"
                                        : "この許可書は本物ですが、予約は現在有効ではありません。"));
  return *out ? 0 : KERR_INTERNAL;
}

/* A short code typed at the counter (no '.'): checked against the key. */
static int verify_code(struct kctx *ctx, const char *token, const unsigned char *seed, json_t **out,
                       struct kerrinfo *ei) {
  int64_t id = 0;
  char typed[PERMIT_CODE_MAX], want[PERMIT_CODE_MAX];
  int rc;
  if (short_code_parse(token, &id, typed)) {
    *out = invalid("malformed", "許可書のコードの形式が正しくありません。予約番号と6文字の番号 (例: 1234-K7QM3X) を入力してください。");
    return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
  }
  /* RULE: requests naming a booking by its number are throttled per address (throttle.c). */
  if ((rc = throttle_refuse(&throttle_lookup, "id", ctx->client, ctx->now, ei))) return rc;
  short_code(seed, id, want);
  if (strlen(typed) != strlen(want) || sodium_memcmp(typed, want, strlen(want)) != 0) {
    *out = invalid("bad_code", "この番号は、許可書の番号と一致しません。番号を確かめてください。");
    return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
  }
  if ((rc = genuine(ctx, id, NULL, out))) return kerr_set(ei, rc, NULL);
  return 0;
}

int permit_verify(struct kctx *ctx, const char *token, json_t **out, struct kerrinfo *ei) {
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  unsigned char *hdr = NULL, *pay = NULL, *sig = NULL;
  size_t hn = 0, pn = 0, sn = 0;
  json_t *header = NULL, *payload = NULL;
  char kid[17];
  int rc;
  *out = NULL;
  if (!token || !*token) {
    kerr_field(ei, "permit", "許可書のコード（permit）を入力してください。");
    return KERR_VALIDATION;
  }
  if ((rc = key_load(ctx->db, sk))) return kerr_set(ei, rc, NULL);
  const unsigned char *pk = sk + crypto_sign_SEEDBYTES;
  key_id(pk, kid);
  if (!strchr(token, '.')) {
    rc = verify_code(ctx, token, sk, out, ei);
    goto cleanup;
  }

  size_t n = strlen(token);
  const char *d1 = strchr(token, '.');
  const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
  if (n > TOKEN_MAX || !d1 || !d2 || strchr(d2 + 1, '.')) {
    *out = invalid("malformed", "許可書のコードの形式が正しくありません。");
    goto done;
  }
  hdr = unb64url(token, (size_t)(d1 - token), &hn);
  pay = unb64url(d1 + 1, (size_t)(d2 - d1 - 1), &pn);
  sig = unb64url(d2 + 1, strlen(d2 + 1), &sn);
  if (!hdr || !pay || !sig || sn != crypto_sign_BYTES) {
    *out = invalid("malformed", "許可書のコードの形式が正しくありません。");
    goto done;
  }
  header = json_loadb((const char *)hdr, hn, JSON_REJECT_DUPLICATES, NULL);
  const char *alg = json_string_value(json_object_get(header, "alg"));
  const char *tkid = json_string_value(json_object_get(header, "kid"));
  if (!alg || strcmp(alg, "EdDSA") != 0) {
    *out = invalid("malformed", "許可書のコードの形式が正しくありません。");
    goto done;
  }
  if (tkid && strcmp(tkid, kid) != 0) {
    *out = invalid("unknown_key", "この許可書は、この予約システムの鍵で署名されていません。");
    goto done;
  }
  /* RULE: a permit is genuine only if its signature verifies. */
  if (crypto_sign_verify_detached(sig, (const unsigned char *)token, (size_t)(d2 - token), pk) !=
      0) {
    *out = invalid("bad_signature", "署名が一致しません。この許可書は偽造または改変されています。");
    goto done;
  }
  payload = json_loadb((const char *)pay, pn, JSON_REJECT_DUPLICATES, NULL);
  json_t *bid = json_object_get(payload, "bid");
  if (!json_is_object(payload) || !json_is_integer(bid)) {
    *out = invalid("malformed", "許可書の内容が読み取れません。");
    goto done;
  }
  if ((rc = genuine(ctx, json_integer_value(bid), payload, out))) goto fail;
done:
  rc = *out ? 0 : KERR_INTERNAL;
  if (rc) kerr_set(ei, rc, NULL);
  goto cleanup;
fail:
  kerr_set(ei, rc, NULL);
cleanup:
  sodium_memzero(sk, sizeof sk);
  json_decref(header);
  json_decref(payload);
  free(hdr);
  free(pay);
  free(sig);
  return rc;
}

/* ================================================================= key */

int permit_public_key(struct kctx *ctx, json_t **out, struct kerrinfo *ei) {
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  char kid[17];
  char std[sodium_base64_ENCODED_LEN(crypto_sign_PUBLICKEYBYTES, sodium_base64_VARIANT_ORIGINAL)];
  int rc;
  *out = NULL;
  if ((rc = key_load(ctx->db, sk))) return kerr_set(ei, rc, NULL);
  const unsigned char *pk = sk + crypto_sign_SEEDBYTES;
  key_id(pk, kid);
  sodium_bin2base64(std, sizeof std, pk, crypto_sign_PUBLICKEYBYTES,
                    sodium_base64_VARIANT_ORIGINAL);
  char *x = b64url(pk, crypto_sign_PUBLICKEYBYTES);
  sodium_memzero(sk, sizeof sk);
  if (!x) return kerr_set(ei, KERR_INTERNAL, NULL);
  *out = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s}}", "alg", "Ed25519",
                   "public_key", std, "kid", kid, "token_format",
                   "JWS compact (RFC 7515), alg EdDSA (RFC 8037): the signature covers the"
                   " ASCII text before the last dot",
                   "jwk", "kty", "OKP", "crv", "Ed25519", "x", x, "kid", kid, "alg", "EdDSA",
                   "use", "sig");
  free(x);
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}
