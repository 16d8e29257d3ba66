/*
** core/totp.c: the staff second factor (see totp.h). HMAC-SHA1 from
** OpenSSL (libsodium has no SHA-1); secrets from randombytes_buf, codes
** compared as numbers of fixed width.
*/
#include "totp.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "ids.h"
#include "input.h"

int totp_required = 0;

int totp_hotp(const unsigned char *key, size_t n, uint64_t step) {
  unsigned char msg[8], mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  for (int i = 7; i >= 0; i--, step >>= 8) msg[i] = (unsigned char)(step & 0xff);
  if (!HMAC(EVP_sha1(), key, (int)n, msg, sizeof msg, mac, &len) || len < 20) return -1;
  int off = mac[len - 1] & 0x0f;
  uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
                 ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
  sodium_memzero(mac, sizeof mac);
  return (int)(bin % 1000000);
}

void totp_base32(const unsigned char *in, size_t n, char *out, size_t cap) {
  static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  size_t o = 0;
  unsigned buf = 0;
  int bits = 0;
  for (size_t i = 0; i < n; i++) {
    buf = (buf << 8) | in[i];
    bits += 8;
    while (bits >= 5 && o + 1 < cap) out[o++] = abc[(buf >> (bits -= 5)) & 31];
  }
  if (bits > 0 && o + 1 < cap) out[o++] = abc[(buf << (5 - bits)) & 31];
  if (cap) out[o] = 0;
}

/* The actor may have a second factor: staff, admins, analysts. */
static int may_enroll(const struct kctx *ctx, struct kerrinfo *ei) {
  if (ctx->actor.role & (ROLE_STAFF | ROLE_ADMIN | ROLE_ANALYST)) return 0;
  return kerr_set(ei, KERR_FORBIDDEN, "二段階認証は、職員・管理者・分析担当のためのものです。");
}

/* Account ID's secret into KEY and whether it is confirmed; 0 when none. */
static int load(struct kctx *ctx, int64_t id, unsigned char key[TOTP_SECRET_BYTES],
                int *confirmed, int64_t *last_step) {
  kstmt *st = db_prep(ctx->db, "SELECT secret, confirmed_at IS NOT NULL, last_step FROM totp"
                               " WHERE account_id = $id");
  if (!st) return 0;
  db_bind_int(st, "$id", id);
  int found = 0;
  if (db_step(st) == DB_ROW) {
    size_t n = 0;
    const void *b = db_col_blob(st, 0, &n);
    if (b && n == TOTP_SECRET_BYTES) {
      memcpy(key, b, n);
      *confirmed = (int)db_col_int(st, 1);
      *last_step = db_col_int(st, 2);
      found = 1;
    }
  }
  db_reset(st);
  return found;
}

/* The step within one of NOW's at which CODE is KEY's code and which is
** after LAST; -1 when none. */
static int64_t match(const unsigned char *key, int64_t now, const char *code, int64_t last) {
  char digits[8];
  if (!code || strlen(code) != 6 || strspn(code, "0123456789") != 6) return -1;
  int64_t found = -1, now_step = now / TOTP_STEP;
  for (int64_t s = now_step - 1; s <= now_step + 1; s++) {
    snprintf(digits, sizeof digits, "%06d", totp_hotp(key, TOTP_SECRET_BYTES, (uint64_t)s));
    if (sodium_memcmp(digits, code, 6) == 0 && s > last) found = s;
  }
  sodium_memzero(digits, sizeof digits);
  return found;
}

/* In a write transaction: run ST (constant SQL with $id bound by the
** caller), then the usage-log event ACTION about account ID. */
static int write_one(struct kctx *ctx, kstmt *st, const char *action, int64_t id) {
  int rc = st ? kerr_from_db(db_exec_stmt(st)) : KERR_INTERNAL;
  struct audit_fields f = {.subject_account = id == ctx->actor.account_id ? 0 : id};
  if (!rc && action) rc = audit_event(ctx, action, &f);
  if (rc) db_rollback(ctx->db);
  else rc = kerr_from_db(db_commit(ctx->db));
  return rc;
}

int totp_start_setup(struct kctx *ctx, struct totp_setup *s, struct kerrinfo *ei) {
  unsigned char key[TOTP_SECRET_BYTES];
  char sid[16];
  int confirmed = 0, rc;
  int64_t last = 0;
  memset(s, 0, sizeof *s);
  if ((rc = may_enroll(ctx, ei))) return rc;
  if (load(ctx, ctx->actor.account_id, key, &confirmed, &last) && confirmed)
    return kerr_set(ei, KERR_CONFLICT, "二段階認証はもう設定されています。作り直すときは管理者に解除を頼んでください。");
  randombytes_buf(key, sizeof key);
  if ((rc = kerr_from_db(db_begin_write(ctx->db)))) return kerr_set(ei, rc, NULL);
  kstmt *st = db_prep(ctx->db, "INSERT OR REPLACE INTO totp(account_id, secret, created_at)"
                               " VALUES ($id, $secret, $now)");
  if (st) {
    db_bind_int(st, "$id", ctx->actor.account_id);
    db_bind_blob(st, "$secret", key, sizeof key);
    db_bind_int(st, "$now", ctx->now);
  }
  if ((rc = write_one(ctx, st, NULL, 0))) return kerr_set(ei, rc, NULL);
  totp_base32(key, sizeof key, s->secret, sizeof s->secret);
  sodium_memzero(key, sizeof key);
  ids_format(ctx->actor.account_id, sid);
  snprintf(s->uri, sizeof s->uri,
           "otpauth://totp/" TOTP_ISSUER ":%s?secret=%s&issuer=" TOTP_ISSUER
           "&algorithm=SHA1&digits=6&period=30",
           sid, s->secret);
  return 0;
}

int totp_start(struct kctx *ctx, json_t **out, struct kerrinfo *ei) {
  struct totp_setup s;
  *out = NULL;
  int rc = totp_start_setup(ctx, &s, ei);
  if (!rc)
    *out = json_pack("{s:s, s:s, s:b}", "secret", s.secret, "otpauth_uri", s.uri, "confirmed", 0);
  sodium_memzero(&s, sizeof s);
  if (rc) return rc;
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}

/* Mark STEP used for account ID (and confirm, with CONFIRM), in its own
** transaction; KERR_BAD_CREDENTIALS when that step was used meanwhile. */
static int use_step(struct kctx *ctx, int64_t id, int64_t step, int confirm) {
  int rc = kerr_from_db(db_begin_write(ctx->db));
  if (rc) return rc;
  rc = kerr_from_db(db_run(ctx->db, "UPDATE totp SET last_step = $step,"
                                    " confirmed_at = coalesce(confirmed_at, $confirmed)"
                                    " WHERE account_id = $id AND last_step < $step",
                           DB_I("$id", id), DB_I("$step", step),
                           confirm ? DB_I("$confirmed", ctx->now) : DB_T("$confirmed", NULL)));
  if (!rc && db_changes(ctx->db) != 1) rc = KERR_BAD_CREDENTIALS;
  struct audit_fields f = {0};
  if (!rc && confirm) rc = audit_event(ctx, "user.totp_enable", &f);
  if (rc) db_rollback(ctx->db);
  else rc = kerr_from_db(db_commit(ctx->db));
  return rc;
}

int totp_confirm(struct kctx *ctx, const json_t *in, json_t **out, struct kerrinfo *ei) {
  unsigned char key[TOTP_SECRET_BYTES];
  char code[16] = "";
  int confirmed = 0, rc;
  int64_t last = 0;
  *out = NULL;
  if ((rc = may_enroll(ctx, ei))) return rc;
  if (!load(ctx, ctx->actor.account_id, key, &confirmed, &last))
    return kerr_set(ei, KERR_CONFLICT, "先に二段階認証の設定を始めてください。");
  input_text(in, "code", code, sizeof code);
  int64_t step = match(key, ctx->now, code, last);
  sodium_memzero(key, sizeof key);
  if (step < 0) {
    kerr_field(ei, "code", "確認コードが違います。認証アプリに今出ている6けたの数字を入力してください。");
    return kerr_set(ei, KERR_VALIDATION, NULL);
  }
  if ((rc = use_step(ctx, ctx->actor.account_id, step, 1))) return kerr_set(ei, rc, NULL);
  *out = json_pack("{s:b}", "confirmed", 1);
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}

int totp_state_of(struct kctx *ctx, struct totp_state *st, struct kerrinfo *ei) {
  unsigned char key[TOTP_SECRET_BYTES];
  int confirmed = 0, rc;
  int64_t last = 0;
  memset(st, 0, sizeof *st);
  if ((rc = may_enroll(ctx, ei))) return rc;
  int found = load(ctx, ctx->actor.account_id, key, &confirmed, &last);
  sodium_memzero(key, sizeof key);
  st->enabled = found && confirmed;
  st->pending = found && !confirmed;
  st->required = totp_required && (ctx->actor.role & (ROLE_STAFF | ROLE_ADMIN));
  return 0;
}

int totp_status(struct kctx *ctx, json_t **out, struct kerrinfo *ei) {
  struct totp_state st;
  *out = NULL;
  int rc = totp_state_of(ctx, &st, ei);
  if (rc) return rc;
  *out = json_pack("{s:b, s:b, s:b}", "enabled", st.enabled, "pending", st.pending, "required",
                   st.required);
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}

int totp_reset(struct kctx *ctx, int64_t id, struct kerrinfo *ei) {
  int rc;
  if (ctx->actor.role != ROLE_ADMIN && ctx->actor.role != 0)
    return kerr_set(ei, KERR_FORBIDDEN, NULL);
  if ((rc = kerr_from_db(db_begin_write(ctx->db)))) return kerr_set(ei, rc, NULL);
  kstmt *st = db_prep(ctx->db, "DELETE FROM totp WHERE account_id = $id");
  if (st) db_bind_int(st, "$id", id);
  return (rc = write_one(ctx, st, "user.totp_reset", id)) ? kerr_set(ei, rc, NULL) : 0;
}

int totp_signin(struct kctx *ctx, int64_t id, const json_t *in, struct kerrinfo *ei) {
  unsigned char key[TOTP_SECRET_BYTES];
  char code[16] = "";
  int confirmed = 0;
  int64_t last = 0;
  if (!load(ctx, id, key, &confirmed, &last) || !confirmed) {
    sodium_memzero(key, sizeof key);
    return 0;
  }
  int given = input_text(in, "totp", code, sizeof code) == INPUT_OK;
  int64_t step = given ? match(key, ctx->now, code, last) : -1;
  sodium_memzero(key, sizeof key);
  if (!given) return kerr_set(ei, KERR_TOTP_REQUIRED, NULL);
  if (step < 0) return kerr_set(ei, KERR_BAD_CREDENTIALS, "確認コードが違います。");
  int rc = use_step(ctx, id, step, 0);
  return rc ? kerr_set(ei, rc, NULL) : 0;
}

int totp_blocked(struct kctx *ctx) {
  unsigned char key[TOTP_SECRET_BYTES];
  int confirmed = 0;
  int64_t last = 0;
  if (!totp_required || !(ctx->actor.role & (ROLE_STAFF | ROLE_ADMIN))) return 0;
  int found = load(ctx, ctx->actor.account_id, key, &confirmed, &last);
  sodium_memzero(key, sizeof key);
  return !(found && confirmed);
}
