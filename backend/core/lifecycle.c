/*
** core/lifecycle.c: a citizen's account over its life (see lifecycle.h).
*/
#include "lifecycle.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "accounts.h"
#include "audit.h"
#include "availability.h"
#include "clock.h"
#include "desk.h"
#include "ids.h"
#include "input.h"
#include "text.h"
#include "notify.h"
#include "outbox.h"
#include "throttle.h"
#include "trail.h"

#define CODE_ALPHABET "ABCDEFGHJKLMNPQRSTUVWXYZ23456789" /* no I, O, 0, 1 */
#define CODE_LEN 12


/* The stored hash of a secret as typed: for a counter code, upper case with
** spaces and hyphens dropped, so "abcd-efgh-jkmn" works. */
static void secret_hash(const char *s, unsigned char h[32]) {
  char norm[128];
  size_t n = 0;
  for (; *s && n + 1 < sizeof norm; s++)
    if (*s != '-' && *s != ' ') norm[n++] = (char)toupper((unsigned char)*s);
  norm[n] = 0;
  crypto_generichash(h, 32, (const unsigned char *)norm, n, NULL, 0);
  sodium_memzero(norm, sizeof norm);
}

/* Store a reset secret SECRET of KIND for ID, valid SECONDS, with SEALED
** (N bytes: the code sealed under a form's key, seal()) or NULL. */
static int store_secret(struct kctx *ctx, int64_t id, const char *kind, const char *secret,
                        int seconds, const unsigned char *sealed, size_t n) {
  unsigned char h[32];
  secret_hash(secret, h);
  kstmt *st = db_prep(ctx->db,
                      "INSERT INTO password_resets(token_hash, account_id, kind, created_at,"
                      " expires_at, issued_by, sealed_code)"
                      " VALUES ($h, $id, $kind, $now, $exp, $by, $sealed)");
  if (!st) return KERR_INTERNAL;
  if (sealed) db_bind_blob(st, "$sealed", sealed, n);
  else db_bind_null(st, "$sealed");
  db_bind_blob(st, "$h", h, sizeof h);
  db_bind_int(st, "$id", id);
  db_bind_text(st, "$kind", kind);
  db_bind_int(st, "$now", ctx->now);
  db_bind_int(st, "$exp", ctx->now + seconds);
  if (ctx->actor.account_id) db_bind_int(st, "$by", ctx->actor.account_id);
  else db_bind_null(st, "$by");
  return kerr_from_db(db_exec_stmt(st));
}

/* A usage-log event about account ID (and the trail, for a desk actor). */
static int note(struct kctx *ctx, const char *action, int64_t id) {
  struct audit_fields f = {.subject_account = id == ctx->actor.account_id ? 0 : id};
  return audit_event(ctx, action, &f);
}

/* 1 when ID is an active account (not disabled or closed) with an email. */
static int mailable(struct kctx *ctx, int64_t id) {
  int ok = db_exists(ctx->db,
                     "SELECT 1 FROM accounts WHERE id = $id AND disabled = 0"
                     " AND closed_at IS NULL AND coalesce(email, '') <> ''",
                     DB_I("$id", id));
  return ok;
}

int lifecycle_mail_reset(struct kctx *ctx, int64_t account_id, const char *path,
                         int64_t expires_at) {
  /* The mail with the link, queued in this transaction (core/outbox.h); with
  ** mail off (no serve --smtp) nothing is queued and the counter code remains. */
  char link[512];
  if (!outbox_enabled()) return 0;
  snprintf(link, sizeof link, "%s%s", outbox_public_url(), path);
  int rc = notify_password_reset(ctx, account_id, link, expires_at);
  sodium_memzero(link, sizeof link);
  return rc;
}

/* RULE: requests that mail someone are throttled per client address
** (10 an hour, whatever they ask): KERR_RATE_LIMITED past that. */
static int address_throttle(struct kctx *ctx, const char *kind, const char *client,
                            struct kerrinfo *ei) {
  char key[THROTTLE_KEY];
  snprintf(key, sizeof key, "%s:%s", kind, client && *client ? client : "-");
  int wait = throttle_wait(&throttle_reset_request, key, ctx->now);
  if (wait) {
    ei->retry_after = wait;
    return kerr_set(ei, KERR_RATE_LIMITED, NULL);
  }
  throttle_fail(&throttle_reset_request, key, ctx->now);
  return 0;
}

int lifecycle_reset_request(struct kctx *ctx, const json_t *in, const char *client,
                            struct kerrinfo *ei) {
  int64_t id = 0;
  int rc;
  char akey[THROTTLE_KEY], token[64], path[96];
  if (ids_parse_json(json_object_get(in, "system_id"), &id) != 0) {
    kerr_field(ei, "system_id", "利用者番号（9けた）を入力してください。");
    return kerr_set(ei, KERR_VALIDATION, NULL);
  }
  if ((rc = address_throttle(ctx, "r", client, ei))) return rc;
  snprintf(akey, sizeof akey, "a:%lld", (long long)id);
  /* RULE: no existence leak: an unknown, closed or mail-less account is answered alike. */
  if (!mailable(ctx, id) || throttle_wait(&throttle_reset_link, akey, ctx->now)) return 0;
  throttle_fail(&throttle_reset_link, akey, ctx->now);
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  sodium_bin2base64(token, sizeof token, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  snprintf(path, sizeof path, "/password-reset/%s", token);
  rc = kerr_from_db(db_begin_write(ctx->db));
  if (!rc) rc = store_secret(ctx, id, "email", token, RESET_LINK_SECONDS, NULL, 0);
  if (!rc) rc = note(ctx, "password.reset_link", id);
  if (!rc) rc = lifecycle_mail_reset(ctx, id, path, ctx->now + RESET_LINK_SECONDS);
  if (rc) db_rollback(ctx->db);
  else rc = kerr_from_db(db_commit(ctx->db));
  sodium_memzero(token, sizeof token);
  sodium_memzero(path, sizeof path);
  return rc ? kerr_set(ei, rc, NULL) : 0;
}

/* Inside a write transaction: the system ID mailed to each active citizen
** account registered with EMAIL (at most 5). */
static int mail_ids(struct kctx *ctx, const char *email) {
  int64_t ids[5];
  int n = 0, rc;
  kstmt *st = db_prep(ctx->db, "SELECT id FROM accounts WHERE email = $e COLLATE NOCASE"
                               " AND role = 'citizen' AND disabled = 0 AND closed_at IS NULL"
                               " ORDER BY id LIMIT 5");
  if (!st) return KERR_INTERNAL;
  db_bind_text(st, "$e", email);
  while ((rc = db_step(st)) == DB_ROW) ids[n++] = db_col_int(st, 0);
  db_reset(st);
  if (rc != DB_DONE) return kerr_from_db(rc);
  for (int i = 0; i < n; i++)
    if ((rc = notify_forgotten_id(ctx, ids[i])) || (rc = note(ctx, "account.forgotten_id", ids[i])))
      return rc;
  return 0;
}

int lifecycle_forgotten_id(struct kctx *ctx, const json_t *in, const char *client,
                           struct kerrinfo *ei) {
  char email[320], key[THROTTLE_KEY];
  const char *bad = NULL;
  int rc = input_text(in, "email", email, sizeof email);
  if (rc != INPUT_OK) bad = "登録したメールアドレスを入力してください。";
  else bad = accounts_check_email(email);
  if (bad) {
    kerr_field(ei, "email", bad);
    return kerr_set(ei, KERR_VALIDATION, NULL);
  }
  if ((rc = address_throttle(ctx, "f", client, ei))) return rc;
  /* RULE: no existence leak, and at most 3 such mails an hour to one address. */
  unsigned char h[16];
  char hex[33];
  crypto_generichash(h, sizeof h, (const unsigned char *)email, strlen(email), NULL, 0);
  snprintf(key, sizeof key, "e:%s", sodium_bin2hex(hex, sizeof hex, h, sizeof h));
  if (!outbox_enabled() || throttle_wait(&throttle_reset_link, key, ctx->now)) return 0;
  throttle_fail(&throttle_reset_link, key, ctx->now);
  if ((rc = kerr_from_db(db_begin_write(ctx->db)))) return kerr_set(ei, rc, NULL);
  if ((rc = mail_ids(ctx, email))) db_rollback(ctx->db);
  else rc = kerr_from_db(db_commit(ctx->db));
  return rc ? kerr_set(ei, rc, NULL) : 0;
}

/* The code as printed ("ABCD-EFGH-JKMN") sealed under a form's key, and
** opened again. The key of the box is a keyed hash of the form's key; the
** database keeps only another, unkeyed, hash of it (accounts.form_key), so
** the box opens only for the page that holds the form. */
#define SEALED_LEN (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 16)
static void seal_key(const char *form_key, unsigned char k[crypto_secretbox_KEYBYTES]) {
  static const char label[] = "kominkan counter slip v1";
  _Static_assert(sizeof label - 1 >= crypto_generichash_KEYBYTES_MIN, "a generichash key");
  crypto_generichash(k, crypto_secretbox_KEYBYTES, (const unsigned char *)form_key,
                     strlen(form_key), (const unsigned char *)label, sizeof label - 1);
}

static void seal(const char *form_key, const char shown[16], unsigned char out[SEALED_LEN]) {
  unsigned char k[crypto_secretbox_KEYBYTES];
  seal_key(form_key, k);
  randombytes_buf(out, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES, (const unsigned char *)shown, 16, out, k);
  sodium_memzero(k, sizeof k);
}

/* 0 with the code in SHOWN, or -1 (not a box of this key). */
static int unseal(const char *form_key, const unsigned char *box, size_t n, char shown[16]) {
  unsigned char k[crypto_secretbox_KEYBYTES];
  if (n != SEALED_LEN) return -1;
  seal_key(form_key, k);
  int rc = crypto_secretbox_open_easy((unsigned char *)shown, box + crypto_secretbox_NONCEBYTES,
                                      n - crypto_secretbox_NONCEBYTES, box, k);
  sodium_memzero(k, sizeof k);
  if (rc || shown[15]) return -1;
  return 0;
}

/* A new one-time code for ID (see lifecycle_issue_code), sealed under
** FORM_KEY when one is given. */
static int issue_code(struct kctx *ctx, int64_t id, int seconds, const char *form_key,
                      char shown[16]) {
  char code[CODE_LEN + 1];
  unsigned char box[SEALED_LEN];
  for (int i = 0; i < CODE_LEN; i++) code[i] = CODE_ALPHABET[randombytes_uniform(32)];
  code[CODE_LEN] = 0;
  memset(shown, 0, 16);
  snprintf(shown, 16, "%.4s-%.4s-%.4s", code, code + 4, code + 8);
  if (form_key) seal(form_key, shown, box);
  int rc = store_secret(ctx, id, "counter", code, seconds, form_key ? box : NULL, sizeof box);
  sodium_memzero(code, sizeof code);
  return rc;
}

int lifecycle_issue_code(struct kctx *ctx, int64_t id, int seconds, char shown[16]) {
  return issue_code(ctx, id, seconds, NULL, shown);
}

int lifecycle_reset_code(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei) {
  char shown[16], exp[32];
  int role = 0, rc;
  *out = NULL;
  if (!(ctx->actor.role & (ROLE_STAFF | ROLE_ADMIN))) return kerr_set(ei, KERR_FORBIDDEN, NULL);
  if (!accounts_exists(ctx, id, &role) || role != ROLE_CITIZEN)
    return kerr_set(ei, KERR_NOT_FOUND, "その利用者番号の市民のアカウントはありません。");
  if ((rc = kerr_from_db(db_begin_write(ctx->db)))) return kerr_set(ei, rc, NULL);
  rc = lifecycle_issue_code(ctx, id, RESET_CODE_SECONDS, shown);
  if (!rc) rc = note(ctx, "password.reset_code", id);
  if (rc) db_rollback(ctx->db);
  else rc = kerr_from_db(db_commit(ctx->db));
  if (rc) {
    sodium_memzero(shown, sizeof shown);
    return kerr_set(ei, rc, NULL);
  }
  clock_format_instant(ctx->now + RESET_CODE_SECONDS, exp);
  *out = json_pack("{s:o, s:s, s:s}", "system_id", ids_json(id), "code", shown, "expires_at", exp);
  sodium_memzero(shown, sizeof shown);
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}

/* ================================================= sign-up, at the counter */

/* The first code of an account registered at the counter, made inside the
** registration's transaction (accounts_create_at_counter's hook). */
struct first_code {
  const char *form_key;     /* the form's key, or NULL */
  char shown[16];
};

static int first_code(struct kctx *ctx, int64_t id, void *arg) {
  struct first_code *fc = arg;
  return issue_code(ctx, id, REGISTER_CODE_SECONDS, fc->form_key, fc->shown);
}

/* A repeat of the registration with FORM_KEY: the first code of account
** SLIP->system_id that the actor issued, its end and its state; the code
** itself while it can be used, opened with the form's key. */
static int slip_again(struct kctx *ctx, const char *form_key, struct signup_slip *slip) {
  kstmt *st = db_prep(ctx->db,
                      "SELECT expires_at, used_at IS NOT NULL, sealed_code FROM password_resets"
                      " WHERE account_id = $id AND issued_by = $by AND kind = 'counter'"
                      " ORDER BY id LIMIT 1");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", slip->system_id);
  db_bind_int(st, "$by", ctx->actor.account_id);
  int rc = db_step(st);
  slip->code_state = SLIP_CODE_UNKNOWN;
  if (rc == DB_ROW) {
    size_t n = 0;
    const unsigned char *box = db_col_blob(st, 2, &n);
    slip->expires_at = db_col_int(st, 0);
    if (db_col_int(st, 1)) slip->code_state = SLIP_CODE_USED;
    else if (slip->expires_at <= ctx->now) slip->code_state = SLIP_CODE_EXPIRED;
    else if (box && unseal(form_key, box, n, slip->code) == 0) slip->code_state = SLIP_CODE_VALID;
    if (slip->code_state != SLIP_CODE_VALID) sodium_memzero(slip->code, sizeof slip->code);
  }
  db_reset(st);
  return rc == DB_ROW || rc == DB_DONE ? 0 : kerr_from_db(rc);
}

int lifecycle_sign_up(struct kctx *ctx, const json_t *in, const char *key,
                      struct signup_slip *slip, struct kerrinfo *ei) {
  memset(slip, 0, sizeof *slip);
  const json_t *pw = json_object_get(in, "password");
  int no_password = !pw || json_is_null(pw) || (json_is_string(pw) && !*json_string_value(pw));
  /* RULE: nobody but the person knows their password: a clerk registering
  ** someone types none, and the person sets one with the slip's code. */
  if (!desk_is_staff(ctx) || !no_password)
    return accounts_create(ctx, in, ROLE_CITIZEN, NULL, ACCOUNT_SELF_SERVICE, &slip->system_id,
                           ei);
  struct first_code fc = {.form_key = key};
  int rc = accounts_create_at_counter(ctx, in, key, first_code, &fc, &slip->system_id,
                                      &slip->replayed, ei);
  if (!rc) {
    slip->at_counter = 1;
    if (slip->replayed && (rc = slip_again(ctx, key, slip))) rc = kerr_set(ei, rc, NULL);
    else if (!slip->replayed) {
      memcpy(slip->code, fc.shown, sizeof slip->code);
      slip->expires_at = ctx->now + REGISTER_CODE_SECONDS;
      slip->code_state = SLIP_CODE_VALID;
    }
  }
  sodium_memzero(&fc, sizeof fc);
  if (rc) sodium_memzero(slip, sizeof *slip);
  return rc;
}

/* The reset row for SECRET that is unused and unexpired; for a counter code
** it must belong to WANT (the system ID typed with it). *ROW_ID and *ID. */
static int find_secret(struct kctx *ctx, const char *secret, int64_t want, int64_t *row_id,
                       int64_t *id) {
  unsigned char h[32];
  secret_hash(secret, h);
  kstmt *st = db_prep(ctx->db,
                      "SELECT id, account_id, kind FROM password_resets WHERE token_hash = $h"
                      " AND used_at IS NULL AND expires_at > $now");
  if (!st) return KERR_INTERNAL;
  db_bind_blob(st, "$h", h, sizeof h);
  db_bind_int(st, "$now", ctx->now);
  int rc = db_step(st), found = 0;
  if (rc == DB_ROW) {
    *row_id = db_col_int(st, 0);
    *id = db_col_int(st, 1);
    found = strcmp(db_col_text(st, 2), "counter") != 0 || *id == want;
  }
  db_reset(st);
  if (rc != DB_ROW && rc != DB_DONE) return kerr_from_db(rc);
  return found ? 0 : KERR_NOT_FOUND;
}

/* Inside a transaction: mark reset ROW used, set ID's password to HASH, end its sessions. */
static int apply_reset(struct kctx *ctx, int64_t row, int64_t id, const char *hash) {
  /* the sealed copy of a counter registration's code goes with its use */
  int rc = kerr_from_db(db_run(ctx->db, "UPDATE password_resets SET used_at = $now,"
                                        " sealed_code = NULL WHERE id = $row AND used_at IS NULL",
                               DB_I("$now", ctx->now), DB_I("$row", row)));
  if (rc) return rc;
  if (db_changes(ctx->db) != 1) return KERR_NOT_FOUND; /* used meanwhile */
  if ((rc = kerr_from_db(db_run(ctx->db, "UPDATE accounts SET password_hash = $h WHERE id = $id"
                                         " AND closed_at IS NULL AND disabled = 0",
                                DB_T("$h", hash), DB_I("$id", id)))))
    return rc;
  if (db_changes(ctx->db) != 1) return KERR_NOT_FOUND;
  if ((rc = kerr_from_db(db_run(ctx->db, "DELETE FROM sessions WHERE account_id = $id",
                                DB_I("$id", id)))))
    return rc;
  return note(ctx, "password.reset", id);
}

int lifecycle_reset_confirm(struct kctx *ctx, const json_t *in, const char *client,
                            json_t **out, struct kerrinfo *ei) {
  char secret[96], key[THROTTLE_KEY], akey[THROTTLE_KEY], hash[128];
  int64_t want = 0, row = 0, id = 0;
  const char *pw = json_string_value(json_object_get(in, "password"));
  *out = NULL;
  int has_token = input_text(in, "token", secret, sizeof secret) == INPUT_OK;
  if (!has_token && input_text(in, "code", secret, sizeof secret) != INPUT_OK)
    kerr_field(ei, "code", "再設定のコードを入力してください。");
  if (!has_token && ids_parse_json(json_object_get(in, "system_id"), &want) != 0)
    kerr_field(ei, "system_id", "利用者番号（9けた）を入力してください。");
  const char *bad = pw ? accounts_check_password(pw) : "新しいパスワードを入力してください。";
  if (bad) kerr_field(ei, "password", bad);
  if (ei->fields) return kerr_set(ei, KERR_VALIDATION, NULL);
  /* RULE: wrong secrets are throttled per address and, for a counter code,
  ** per account (core/throttle.c). */
  snprintf(key, sizeof key, "s:%s", client && *client ? client : "-");
  snprintf(akey, sizeof akey, "c:%lld", (long long)want);
  int wait = throttle_wait(&throttle_reset_secret, key, ctx->now);
  int await = want ? throttle_wait(&throttle_reset_code_account, akey, ctx->now) : 0;
  if (wait || await)
    return throttle_refusal(wait > await ? wait : await, "誤ったコードが続いたため", ei);
  int rc = accounts_password_hash(pw, hash, sizeof hash, ei);
  if (rc) return rc;
  if ((rc = kerr_from_db(db_begin_write(ctx->db)))) return kerr_set(ei, rc, NULL);
  rc = find_secret(ctx, secret, want, &row, &id);
  if (!rc) rc = apply_reset(ctx, row, id, hash);
  if (rc) db_rollback(ctx->db);
  else rc = kerr_from_db(db_commit(ctx->db));
  sodium_memzero(secret, sizeof secret);
  sodium_memzero(hash, sizeof hash);
  if (rc == KERR_NOT_FOUND) {
    throttle_fail(&throttle_reset_secret, key, ctx->now);
    if (want) throttle_fail(&throttle_reset_code_account, akey, ctx->now);
    return kerr_set(ei, KERR_NOT_FOUND,
                    "このリンクまたはコードは使えません（期限切れ、使用済み、または誤り）。"
                    "もう一度、再設定を申し込んでください。");
  }
  if (rc) return kerr_set(ei, rc, NULL);
  if (want) throttle_clear(&throttle_reset_code_account, akey);
  *out = json_pack("{s:o}", "system_id", ids_json(id));
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}

/* ============================================================ my details */

/* One editable field: KEY of IN checked by CHECK into VAL; *SET when given.
** NULLABLE fields may be cleared with null or "". */
static void field(struct kerrinfo *ei, const json_t *in, const char *key,
                  const char *(*check)(const char *), int nullable, char *val, size_t cap,
                  int *set) {
  json_t *v = json_object_get(in, key);
  *set = v != NULL;
  val[0] = 0;
  if (!v) return;
  int got = input_text(in, key, val, cap);
  if (got == INPUT_OK && check == accounts_check_phone) text_fold_phone(val); /* ０２７ー… */
  if (got == INPUT_BAD) kerr_field(ei, key, "長すぎるか、文字列ではありません。");
  else if (got == INPUT_MISSING && !nullable) kerr_field(ei, key, "空にはできません。");
  else if (got == INPUT_OK && check(val)) kerr_field(ei, key, check(val));
}

/* RULE: a citizen can be reached. Inside the update's transaction, after it:
** 0 if the actor's account still has an email address or a phone number,
** else KERR_VALIDATION with sign-up's message (core/accounts.c read_person)
** at both fields. Checked on the row as updated, so that clearing one while
** the other is on file is fine, and clearing both (or the only one) is not,
** whichever fields the request named. */
static int still_reachable(struct kctx *ctx, struct kerrinfo *ei) {
  static const char msg[] = "メールアドレスか電話番号の、どちらかを入力してください。";
  int64_t unreachable = 0;
  int rc = db_get_int64(ctx->db, &unreachable,
                        "SELECT count(*) FROM accounts WHERE id = $id"
                        " AND coalesce(email, '') = '' AND coalesce(phone, '') = ''",
                        DB_I("$id", ctx->actor.account_id));
  if (rc != DB_ROW) return kerr_from_db(rc);
  if (!unreachable) return 0;
  kerr_field(ei, "email", msg);
  kerr_field(ei, "phone", msg);
  return KERR_VALIDATION;
}

int lifecycle_update_profile(struct kctx *ctx, const json_t *in, json_t **out,
                             struct kerrinfo *ei) {
  char name[256], kana[256], email[256], phone[64];
  int sn, sk, se, sp, rc;
  *out = NULL;
  if (ctx->actor.role != ROLE_CITIZEN) return kerr_set(ei, KERR_FORBIDDEN, NULL);
  field(ei, in, "name", accounts_check_name, 0, name, sizeof name, &sn);
  field(ei, in, "name_kana", accounts_check_kana, 0, kana, sizeof kana, &sk);
  field(ei, in, "email", accounts_check_email, 1, email, sizeof email, &se);
  field(ei, in, "phone", accounts_check_phone, 1, phone, sizeof phone, &sp);
  if (ei->fields) return kerr_set(ei, KERR_VALIDATION, NULL);
  if ((rc = kerr_from_db(db_begin_write(ctx->db)))) return kerr_set(ei, rc, NULL);
  kstmt *st = db_prep(ctx->db,
                      "UPDATE accounts SET"
                      " name = CASE WHEN $sn THEN $name ELSE name END,"
                      " name_kana = CASE WHEN $sk THEN $kana ELSE name_kana END,"
                      " email = CASE WHEN $se THEN $email ELSE email END,"
                      " phone = CASE WHEN $sp THEN $phone ELSE phone END"
                      " WHERE id = $id AND closed_at IS NULL");
  if (!st) rc = KERR_INTERNAL;
  else {
    db_bind_int(st, "$sn", sn);
    db_bind_text(st, "$name", name);
    db_bind_int(st, "$sk", sk);
    db_bind_text(st, "$kana", kana);
    db_bind_int(st, "$se", se);
    db_bind_text(st, "$email", email[0] ? email : NULL);
    db_bind_int(st, "$sp", sp);
    db_bind_text(st, "$phone", phone[0] ? phone : NULL);
    db_bind_int(st, "$id", ctx->actor.account_id);
    rc = kerr_from_db(db_exec_stmt(st));
  }
  if (!rc && (se || sp)) rc = still_reachable(ctx, ei);
  if (!rc) rc = note(ctx, "account.update", ctx->actor.account_id);
  if (rc) db_rollback(ctx->db);
  else rc = kerr_from_db(db_commit(ctx->db));
  if (rc) return kerr_set(ei, rc, NULL);
  return (rc = accounts_me(ctx, out)) ? kerr_set(ei, rc, NULL) : 0;
}

/* ========================================================= closing (退会) */

/* 1 when PW is the password of the actor of CTX. */
static int password_ok(struct kctx *ctx, const char *pw, struct kerrinfo *ei) {
  char stored[256] = "";
  kstmt *st = db_prep(ctx->db, "SELECT password_hash FROM accounts WHERE id = $id");
  if (!st) return 0;
  db_bind_int(st, "$id", ctx->actor.account_id);
  if (db_step(st) == DB_ROW) snprintf(stored, sizeof stored, "%s", db_col_text(st, 0));
  db_reset(st);
  if (!stored[0] || accounts_hash_begin(ei)) return 0;
  int ok = crypto_pwhash_str_verify(stored, pw, strlen(pw)) == 0;
  accounts_hash_end();
  return ok;
}

/* Run ST (prepared from constant SQL) with $id bound to the actor. */
static int run_for_actor(struct kctx *ctx, kstmt *st) {
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", ctx->actor.account_id);
  return kerr_from_db(db_exec_stmt(st));
}

/* Inside the transaction: release the actor's open holds, erase their details. */
static int erase(struct kctx *ctx, const char *hash) {
  int rc = run_for_actor(ctx, db_prep(ctx->db,
      "UPDATE booking_slots SET active = 0 WHERE active = 1 AND booking_id IN"
      " (SELECT id FROM bookings WHERE account_id = $id AND status = 'held')"));
  if (!rc) rc = run_for_actor(ctx, db_prep(ctx->db,
      "UPDATE bookings SET status = 'cancelled' WHERE account_id = $id AND status = 'held'"));
  if (!rc) rc = run_for_actor(ctx, db_prep(ctx->db, "DELETE FROM sessions WHERE account_id = $id"));
  if (!rc) rc = run_for_actor(ctx, db_prep(ctx->db,
      "DELETE FROM password_resets WHERE account_id = $id AND used_at IS NULL"));
  if (rc) return rc;
  kstmt *st = db_prep(ctx->db,
                      "UPDATE accounts SET name = '退会済み', name_kana = NULL, email = NULL,"
                      " phone = NULL, password_hash = $hash, closed_at = $now WHERE id = $id");
  if (!st) return KERR_INTERNAL;
  db_bind_text(st, "$hash", hash);
  db_bind_int(st, "$now", ctx->now);
  return run_for_actor(ctx, st);
}

int lifecycle_close_card_signin(struct kctx *ctx, int64_t *at) {
  *at = 0;
  if (!accounts_no_password(ctx->db, ctx->actor.account_id)) return 0;
  *at = db_int64(ctx->db, 0, "SELECT max(last_used) FROM oidc_links WHERE account_id = $id",
                 DB_I("$id", ctx->actor.account_id));
  return 1;
}

/* RULE: an account with a password confirms closing with it; one made with
** the card (no password) with a card sign-in less than
** LIFECYCLE_CARD_RECENT seconds ago and {"confirm": true}: a session alone,
** which may have been left open on a shared computer, never closes an account. */
static int close_confirmed(struct kctx *ctx, const json_t *in, struct kerrinfo *ei) {
  int64_t card_at;
  if (lifecycle_close_card_signin(ctx, &card_at)) {
    int yes = 0, rc = input_bool(in, "confirm", ctx->form, &yes);
    if (rc == INPUT_BAD)
      kerr_field(ei, "confirm", "退会の確認は true か false で指定してください。");
    else if (!yes)
      kerr_field(ei, "confirm", "退会してよいときは、「退会します」にチェックを入れてください。");
    else if (card_at < ctx->now - LIFECYCLE_CARD_RECENT)
      kerr_field(ei, "confirm", "確認のため、マイナンバーカードでもう一度ログインしてから、"
                                "15分以内に退会してください。");
    return ei->fields ? kerr_set(ei, KERR_VALIDATION, NULL) : 0;
  }
  const char *pw = json_string_value(json_object_get(in, "password"));
  if (!pw || !*pw) {
    kerr_field(ei, "password", "確認のため、今のパスワードを入力してください。");
    return kerr_set(ei, KERR_VALIDATION, NULL);
  }
  if (!password_ok(ctx, pw, ei)) {
    if (ei->code) return ei->code;
    return kerr_set(ei, KERR_BAD_CREDENTIALS, "パスワードが違います。");
  }
  return 0;
}

int lifecycle_close(struct kctx *ctx, const json_t *in, json_t **out, struct kerrinfo *ei) {
  char hash[128], nobody[64], at[32];
  unsigned char raw[32];
  int rc;
  *out = NULL;
  if (ctx->actor.role != ROLE_CITIZEN) return kerr_set(ei, KERR_FORBIDDEN, NULL);
  if ((rc = close_confirmed(ctx, in, ei))) return rc;
  /* The old password must not open the account again: a random one nobody knows. */
  randombytes_buf(raw, sizeof raw);
  sodium_bin2base64(nobody, sizeof nobody, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  rc = accounts_password_hash(nobody, hash, sizeof hash, ei);
  sodium_memzero(nobody, sizeof nobody);
  if (rc) return rc;
  if ((rc = kerr_from_db(db_begin_write(ctx->db)))) return kerr_set(ei, rc, NULL);
  rc = erase(ctx, hash);
  if (!rc) rc = note(ctx, "account.close", ctx->actor.account_id);
  if (rc) db_rollback(ctx->db);
  else rc = kerr_from_db(db_commit(ctx->db));
  if (rc) return kerr_set(ei, rc, NULL);
  avail_touch(); /* released holds show as free */
  clock_format_instant(ctx->now, at);
  *out = json_pack("{s:o, s:s, s:s}", "system_id", ids_json(ctx->actor.account_id), "status",
                   "closed", "closed_at", at);
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}
