/*
** core/permits.c: signed digital permits (see permits.h).
*/
#include "permits.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "clock.h"
#include "keys.h"
#include "throttle.h"

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

/* =========================================================== the view */

/* V as the JSON value of a payload's field that may be null ("": null). */
static json_t *text_or_null(const char *v) { return v[0] ? json_string(v) : json_null(); }

/* PV's slot codes as a JSON array (new reference). */
static json_t *slots_json(const struct permit_view *pv) {
  json_t *a = json_array();
  for (int i = 0; i < pv->nslots; i++) json_array_append_new(a, json_string(pv->slots[i]));
  return a;
}

/* What PV says as the signed payload (permits.h) (new reference, NULL out of
** memory): what permit_issue signs and permit_verify shows for a token. */
static json_t *payload_json(const struct permit_view *pv) {
  char date[11], iat[26];
  date_format(pv->day, date);
  clock_format_instant(pv->issued_at, iat);
  return json_pack("{s:s, s:I, s:s, s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:s, s:I, s:s}", "iss",
                   "kominkan", "bid", (json_int_t)pv->booking_id, "center", pv->center,
                   "center_name", text_or_null(pv->center_name), "room", text_or_null(pv->room),
                   "room_name", text_or_null(pv->room_name), "date", date, "slots", slots_json(pv),
                   "start", text_or_null(pv->start), "end", text_or_null(pv->end), "holder",
                   pv->holder, "iat", (json_int_t)pv->issued_at, "issued_at", iat);
}

/* The essentials PV gives for a short code (new reference, NULL out of memory). */
static json_t *essentials_json(const struct permit_view *pv) {
  char date[11];
  date_format(pv->day, date);
  return json_pack("{s:I, s:o, s:o, s:s, s:o, s:o, s:o, s:s, s:s}", "bid",
                   (json_int_t)pv->booking_id, "center_name", text_or_null(pv->center_name),
                   "room_name", text_or_null(pv->room_name), "date", date, "slots",
                   slots_json(pv), "start", text_or_null(pv->start), "end",
                   text_or_null(pv->end), "center", pv->center, "holder", pv->holder);
}

/* The string V (null, missing or not a string: "") into OUT[N]. */
static void text_of(const json_t *v, char *out, size_t n) {
  const char *s = json_string_value(v);
  snprintf(out, n, "%s", s ? s : "");
}

/* A signed payload P (decoded JSON) into *PV: 0, or -1 when it names no
** booking. The inverse of payload_json for every permit it signed. */
static int view_of_payload(const json_t *p, struct permit_view *pv) {
  const json_t *bid = json_object_get(p, "bid"), *v;
  size_t i;
  if (!json_is_object(p) || !json_is_integer(bid)) return -1;
  pv->booking_id = json_integer_value(bid);
  text_of(json_object_get(p, "center"), pv->center, sizeof pv->center);
  text_of(json_object_get(p, "center_name"), pv->center_name, sizeof pv->center_name);
  text_of(json_object_get(p, "room"), pv->room, sizeof pv->room);
  text_of(json_object_get(p, "room_name"), pv->room_name, sizeof pv->room_name);
  date_parse(json_string_value(json_object_get(p, "date")), &pv->day);
  json_array_foreach(json_object_get(p, "slots"), i, v) {
    if (pv->nslots == RULES_MAX_SLOTS) break;
    text_of(v, pv->slots[pv->nslots++], sizeof pv->slots[0]);
  }
  text_of(json_object_get(p, "start"), pv->start, sizeof pv->start);
  text_of(json_object_get(p, "end"), pv->end, sizeof pv->end);
  text_of(json_object_get(p, "holder"), pv->holder, sizeof pv->holder);
  pv->issued_at = json_integer_value(json_object_get(p, "iat"));
  return 0;
}

/* Booking B's essentials into *PV, the holder as initials (what is signed);
** the booking's status now. 0 or a KERR code. */
static int view_of_booking(struct kctx *ctx, const struct booking *b, struct permit_view *pv) {
  struct booking_view v;
  booking_view_of(ctx, b, &v);
  pv->booking_id = b->id;
  pv->status = v.status;
  snprintf(pv->center, sizeof pv->center, "%s", b->center);
  if (v.room) {
    snprintf(pv->center_name, sizeof pv->center_name, "%s", v.room->center->name);
    snprintf(pv->room, sizeof pv->room, "%s", v.room->code);
    snprintf(pv->room_name, sizeof pv->room_name, "%s", v.room->name);
  }
  date_parse(b->date, &pv->day);
  for (const char *s = b->slots; *s && pv->nslots < RULES_MAX_SLOTS;) {
    size_t len = strcspn(s, ",");
    snprintf(pv->slots[pv->nslots++], sizeof pv->slots[0], "%.*s", (int)len, s);
    s += len + (s[len] == ',');
  }
  snprintf(pv->start, sizeof pv->start, "%s", v.start);
  snprintf(pv->end, sizeof pv->end, "%s", v.end);
  return holder_name(ctx, b, 0, pv->holder, sizeof pv->holder);
}

/* =============================================================== issue */

/* Sign PV's payload with SK into PV->token. 0 or KERR_INTERNAL. */
static int sign(struct permit_view *pv, const unsigned char *sk) {
  unsigned char sig[crypto_sign_BYTES];
  json_t *header = json_pack("{s:s, s:s, s:s}", "alg", "EdDSA", "typ", "JWT", "kid", pv->kid);
  json_t *payload = payload_json(pv);
  char *hdr = header ? json_dumps(header, JSON_COMPACT) : NULL;
  char *pay = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
  char *h64 = hdr ? b64url((const unsigned char *)hdr, strlen(hdr)) : NULL;
  char *p64 = pay ? b64url((const unsigned char *)pay, strlen(pay)) : NULL;
  char *s64 = NULL;
  int rc = KERR_INTERNAL;
  json_decref(header);
  json_decref(payload);
  if (h64 && p64) {
    size_t n = strlen(h64) + 1 + strlen(p64);
    if (n + 1 + sodium_base64_ENCODED_LEN(sizeof sig, sodium_base64_VARIANT_URLSAFE_NO_PADDING) <=
        sizeof pv->token) { /* the token fits: else verify would not read it anyway */
      snprintf(pv->token, sizeof pv->token, "%s.%s", h64, p64);
      crypto_sign_detached(sig, NULL, (const unsigned char *)pv->token, n, sk);
      s64 = b64url(sig, sizeof sig);
    }
    if (s64) {
      snprintf(pv->token + n, sizeof pv->token - n, ".%s", s64);
      rc = 0;
    }
  }
  if (rc) pv->token[0] = 0;
  free(hdr);
  free(pay);
  free(h64);
  free(p64);
  free(s64);
  return rc;
}

int permit_issue_view(struct kctx *ctx, int64_t booking_id, struct permit_view *pv,
                      struct kerrinfo *ei) {
  struct booking b;
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  int rc;
  memset(pv, 0, sizeof *pv);

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
  if ((rc = view_of_booking(ctx, &b, pv)) ||
      (rc = holder_name(ctx, &b, 1, pv->holder_name, sizeof pv->holder_name)))
    return kerr_set(ei, rc, NULL);
  if ((rc = key_load(ctx->db, sk))) return kerr_set(ei, rc, NULL);
  short_code(sk, b.id, pv->short_code);
  key_id(sk + crypto_sign_SEEDBYTES, pv->kid);
  pv->issued_at = ctx->now;
  rc = sign(pv, sk);
  sodium_memzero(sk, sizeof sk);
  if (rc) return kerr_set(ei, rc, NULL);

  /* Log the issue (its own short write transaction). */
  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  if ((rc = ev_issue(ctx, &b))) {
    db_rollback(ctx->db);
    return kerr_set(ei, rc, NULL);
  }
  if ((rc = db_commit(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  return 0;
}

int permit_issue(struct kctx *ctx, int64_t booking_id, json_t **out, struct kerrinfo *ei) {
  char iat[26];
  *out = NULL;
  struct permit_view *pv = malloc(sizeof *pv);
  if (!pv) return kerr_set(ei, KERR_INTERNAL, NULL);
  int rc = permit_issue_view(ctx, booking_id, pv, ei);
  if (!rc) {
    clock_format_instant(pv->issued_at, iat);
    *out = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}", "permit", pv->token, "booking_id",
                     (json_int_t)pv->booking_id, "issued_at", iat, "kid", pv->kid, "short_code",
                     pv->short_code, "holder_name", pv->holder_name);
    if (!*out) rc = kerr_set(ei, KERR_INTERNAL, NULL);
  }
  free(pv);
  return rc;
}

/* ============================================================== verify */

/* C says TOKEN is not a permit: REASON, MESSAGE (static text). Returns 0. */
static int invalid(struct permit_check *c, const char *reason, const char *message) {
  c->valid = 0;
  c->reason = reason;
  c->message = message;
  c->source = PERMIT_NONE;
  return 0;
}

/* C holds a genuine permit of booking BID (C->source says whence; for a
** short code the view is filled here from the booking): what became of the
** booking since (cancelled, ...). 0 or a KERR code. */
static int genuine(struct kctx *ctx, int64_t bid, struct permit_check *c) {
  struct booking b;
  enum booking_status status = BOOKING_UNKNOWN;
  int rc = booking_load(ctx, bid, &b);
  if (rc == 0) status = booking_status_now(ctx, &b);
  else if (rc != KERR_NOT_FOUND) return rc;
  if (c->source == PERMIT_CODE && rc == 0) {
    if ((rc = view_of_booking(ctx, &b, &c->permit))) return rc;
  } else if (c->source == PERMIT_CODE) {
    c->source = PERMIT_NONE;
  }
  c->valid = 1;
  c->permit.status = status;
  c->usable = status == BOOKING_CONFIRMED || status == BOOKING_CHECKED_IN;
  if (!c->usable)
    c->message = status == BOOKING_CANCELLED
                     ? "この許可書は本物ですが、予約は取り消されています。"
                     : "この許可書は本物ですが、予約は現在有効ではありません。";
  return 0;
}

/* A short code typed at the counter (no '.'): checked against the key. */
static int verify_code(struct kctx *ctx, const char *token, const unsigned char *seed,
                       struct permit_check *c, struct kerrinfo *ei) {
  int64_t id = 0;
  char typed[PERMIT_CODE_MAX], want[PERMIT_CODE_MAX], key[THROTTLE_KEY];
  int rc, counted = !(ctx->actor.role & ROLE_DESK);
  if (short_code_parse(token, &id, typed))
    return invalid(c, "malformed", "許可書のコードの形式が正しくありません。予約番号と6文字の番号 (例: 1234-K7QM3X) を入力してください。");
  /* RULE: wrong short codes are throttled per address; staff are not counted (throttle.c). */
  snprintf(key, sizeof key, "permit:%s", ctx->client && *ctx->client ? ctx->client : "-");
  int wait = counted ? throttle_wait(&throttle_permit_code, key, ctx->now) : 0;
  if (wait) return throttle_refusal(wait, "誤った許可書の番号が続いたため", ei);
  short_code(seed, id, want);
  if (strlen(typed) != strlen(want) || sodium_memcmp(typed, want, strlen(want)) != 0) {
    if (counted) throttle_fail(&throttle_permit_code, key, ctx->now);
    return invalid(c, "bad_code", "この番号は、許可書の番号と一致しません。番号を確かめてください。");
  }
  c->source = PERMIT_CODE;
  if ((rc = genuine(ctx, id, c))) return kerr_set(ei, rc, NULL);
  return 0;
}

/* A signed TOKEN ("header.payload.signature") checked with the key PK whose
** id is KID, into *C. 0 or a KERR code. */
static int verify_token(struct kctx *ctx, const char *token, const unsigned char *pk,
                        const char *kid, struct permit_check *c) {
  static const char bad_form[] = "許可書のコードの形式が正しくありません。";
  unsigned char *hdr = NULL, *pay = NULL, *sig = NULL;
  size_t hn = 0, pn = 0, sn = 0, n = strlen(token);
  json_t *header = NULL, *payload = NULL;
  int rc = 0;
  const char *d1 = strchr(token, '.');
  const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
  if (n > PERMIT_TOKEN_MAX || !d1 || !d2 || strchr(d2 + 1, '.'))
    return invalid(c, "malformed", bad_form);
  hdr = unb64url(token, (size_t)(d1 - token), &hn);
  pay = unb64url(d1 + 1, (size_t)(d2 - d1 - 1), &pn);
  sig = unb64url(d2 + 1, strlen(d2 + 1), &sn);
  if (!hdr || !pay || !sig || sn != crypto_sign_BYTES) {
    invalid(c, "malformed", bad_form);
    goto done;
  }
  header = json_loadb((const char *)hdr, hn, JSON_REJECT_DUPLICATES, NULL);
  const char *alg = json_string_value(json_object_get(header, "alg"));
  const char *tkid = json_string_value(json_object_get(header, "kid"));
  if (!alg || strcmp(alg, "EdDSA") != 0) invalid(c, "malformed", bad_form);
  else if (tkid && strcmp(tkid, kid) != 0)
    invalid(c, "unknown_key", "この許可書は、この予約システムの鍵で署名されていません。");
  /* RULE: a permit is genuine only if its signature verifies. */
  else if (crypto_sign_verify_detached(sig, (const unsigned char *)token, (size_t)(d2 - token),
                                       pk) != 0)
    invalid(c, "bad_signature", "署名が一致しません。この許可書は偽造または改変されています。");
  else if (!(payload = json_loadb((const char *)pay, pn, JSON_REJECT_DUPLICATES, NULL)) ||
           view_of_payload(payload, &c->permit))
    invalid(c, "malformed", "許可書の内容が読み取れません。");
  else {
    c->source = PERMIT_SIGNED;
    rc = genuine(ctx, c->permit.booking_id, c);
  }
done:
  json_decref(header);
  json_decref(payload);
  free(hdr);
  free(pay);
  free(sig);
  return rc;
}

int permit_verify_view(struct kctx *ctx, const char *token, struct permit_check *c,
                       struct kerrinfo *ei) {
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  char kid[17];
  int rc;
  memset(c, 0, sizeof *c);
  if (!token || !*token) {
    kerr_field(ei, "permit", "許可書のコード（permit）を入力してください。");
    return KERR_VALIDATION;
  }
  if ((rc = key_load(ctx->db, sk))) return kerr_set(ei, rc, NULL);
  key_id(sk + crypto_sign_SEEDBYTES, kid);
  if (!strchr(token, '.')) rc = verify_code(ctx, token, sk, c, ei);
  else if ((rc = verify_token(ctx, token, sk + crypto_sign_SEEDBYTES, kid, c)))
    kerr_set(ei, rc, NULL);
  sodium_memzero(sk, sizeof sk);
  return rc;
}

/* C as permit_verify's JSON (new reference, NULL out of memory). */
static json_t *check_json(const struct permit_check *c) {
  if (!c->valid)
    return json_pack("{s:b, s:s, s:s}", "valid", 0, "reason", c->reason, "message", c->message);
  json_t *p = c->source == PERMIT_SIGNED ? payload_json(&c->permit)
              : c->source == PERMIT_CODE ? essentials_json(&c->permit)
                                         : json_null();
  json_t *o = json_pack("{s:b, s:s, s:b, s:o}", "valid", 1, "status",
                        booking_status_name(c->permit.status), "usable", c->usable, "permit", p);
  if (o && c->message) json_object_set_new(o, "message", json_string(c->message));
  return o;
}

int permit_verify(struct kctx *ctx, const char *token, json_t **out, struct kerrinfo *ei) {
  *out = NULL;
  struct permit_check *c = malloc(sizeof *c);
  if (!c) return kerr_set(ei, KERR_INTERNAL, NULL);
  int rc = permit_verify_view(ctx, token, c, ei);
  if (!rc && !(*out = check_json(c))) rc = kerr_set(ei, KERR_INTERNAL, NULL);
  free(c);
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
