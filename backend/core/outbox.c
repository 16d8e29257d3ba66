/*
** core/outbox.c: the outbox table (see outbox.h): queueing inside the
** caller's transaction, the sender's bookkeeping, and what pages show
** (a booking's messages for staff, a citizen's mail settings).
*/
#include "outbox.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

const struct mail_kind mail_kinds[] = {
    {MAIL_HOLD_RECEIVED, "仮予約を受け付けたお知らせ", 1},
    {MAIL_HOLD_WARNING, "仮予約の期限が近いお知らせ（24時間前）", 1},
    {MAIL_HOLD_LAPSED, "仮予約が期限切れになったお知らせ", 0},
    {MAIL_CONFIRMED, "予約が確定したお知らせ", 1},
    {MAIL_REMINDER, "利用日の前日のお知らせ", 1},
    {MAIL_CANCELLED, "予約の取消しのお知らせ", 0},
    {MAIL_STAFF_CHANGE, "窓口で予約を変更したお知らせ", 0},
    {MAIL_CLOSURE, "休館で予約に影響があるお知らせ", 0},
    {MAIL_GROUP_DECISION, "団体登録の審査結果", 0},
    {MAIL_DISCOUNT_DECISION, "減免申請の審査結果", 0},
    {MAIL_PASSWORD_RESET, "パスワードの再設定", 0},
    {MAIL_FORGOTTEN_ID, "利用者番号のお知らせ", 0},
    {MAIL_COURSE, "講座の抽選の結果・繰り上げのお知らせ", 0},
    {MAIL_ROUND, "部屋の抽選（利用調整）の結果", 0},
};
const int mail_kind_count = (int)(sizeof mail_kinds / sizeof mail_kinds[0]);

const struct mail_kind *mail_kind_find(const char *code) {
  for (int i = 0; code && i < mail_kind_count; i++)
    if (!strcmp(mail_kinds[i].code, code)) return &mail_kinds[i];
  return NULL;
}

/* ============================================================ settings */

static struct {
  int on;
  char from[256];
  char domain[128];
  char public_url[256];
  char reply_to[256];
  char center_reply_to[2048];
} cfg;

void outbox_configure(const struct outbox_config *c) {
  memset(&cfg, 0, sizeof cfg);
  if (!c || !c->from) return;
  snprintf(cfg.from, sizeof cfg.from, "%s", c->from);
  const char *at = strrchr(c->from, '@');
  snprintf(cfg.domain, sizeof cfg.domain, "%s", at && at[1] ? at + 1 : "kominkan.invalid");
  char *gt = strchr(cfg.domain, '>');
  if (gt) *gt = 0;
  snprintf(cfg.public_url, sizeof cfg.public_url, "%s", c->public_url ? c->public_url : "");
  size_t n = strlen(cfg.public_url);
  while (n && cfg.public_url[n - 1] == '/') cfg.public_url[--n] = 0;
  snprintf(cfg.reply_to, sizeof cfg.reply_to, "%s", c->reply_to ? c->reply_to : "");
  snprintf(cfg.center_reply_to, sizeof cfg.center_reply_to, "%s",
           c->center_reply_to ? c->center_reply_to : "");
  cfg.on = 1;
}

int outbox_enabled(void) { return cfg.on; }
const char *outbox_from(void) { return cfg.from; }
const char *outbox_public_url(void) { return cfg.public_url; }

const char *outbox_reply_to(const char *center) {
  static __thread char found[256];
  size_t n = center ? strlen(center) : 0;
  for (const char *p = cfg.center_reply_to; n && *p;) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len > n + 1 && !strncmp(p, center, n) && p[n] == '=' && len - n - 1 < sizeof found) {
      memcpy(found, p + n + 1, len - n - 1);
      found[len - n - 1] = 0;
      return found;
    }
    p += len + (end ? 1 : 0);
  }
  return cfg.reply_to[0] ? cfg.reply_to : NULL;
}

/* ============================================================ queueing */

/* The account's address and whether it may get mail at all: 0 with TO set
** ("" when none), or a KERR code. WHY gets the reason a message is skipped. */
static int recipient(struct kctx *ctx, int64_t account, const char *kind, char *to, size_t n,
                     const char **why) {
  *why = NULL;
  to[0] = 0;
  kstmt *st = db_prep(ctx->db,
                      "SELECT coalesce(email, ''), disabled,"
                      " EXISTS (SELECT 1 FROM mail_optout o WHERE o.account_id = a.id"
                      "         AND o.kind = $kind)"
                      " FROM accounts a WHERE id = $id");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", account);
  db_bind_text(st, "$kind", kind);
  int rc = db_step(st);
  if (rc == DB_ROW) {
    snprintf(to, n, "%s", db_col_text(st, 0));
    const struct mail_kind *k = mail_kind_find(kind);
    if (db_col_int(st, 1)) *why = "利用停止中のアカウントです";
    else if (!to[0]) *why = "メールアドレスが登録されていません";
    else if (db_col_int(st, 2) && k && k->optional) *why = "ご本人が受け取らない設定にしています";
  }
  db_reset(st);
  if (rc == DB_DONE) return KERR_NOT_FOUND;
  return rc == DB_ROW ? 0 : kerr_from_db(rc);
}

int outbox_enqueue(struct kctx *ctx, const char *kind, int64_t account, const char *subject,
                   const char *body, const struct outbox_ref *ref) {
  if (!cfg.on || !account) return 0;
  char to[320], mid[160], rnd[25];
  const char *why;
  int rc = recipient(ctx, account, kind, to, sizeof to, &why);
  if (rc) return rc == KERR_NOT_FOUND ? 0 : rc;
  unsigned char raw[12]; /* 96 random bits: unique, and the header fits a line */
  randombytes_buf(raw, sizeof raw);
  sodium_bin2hex(rnd, sizeof rnd, raw, sizeof raw);
  snprintf(mid, sizeof mid, "<%s@%s>", rnd, cfg.domain);
  kstmt *st = db_prep(ctx->db,
                      "INSERT INTO outbox(kind, account_id, booking_id, center, dedup_key, to_addr,"
                      " subject, body, message_id, status, last_error, created_at)"
                      " VALUES ($kind, $a, $b, $center, $dedup, $to, $subject, $body, $mid,"
                      " $status, $why, $now) ON CONFLICT (dedup_key) DO NOTHING");
  if (!st) return KERR_INTERNAL;
  db_bind_text(st, "$kind", kind);
  db_bind_int(st, "$a", account);
  if (ref && ref->booking_id) db_bind_int(st, "$b", ref->booking_id);
  else db_bind_null(st, "$b");
  db_bind_text(st, "$center", ref ? ref->center : NULL);
  db_bind_text(st, "$dedup", ref ? ref->dedup_key : NULL);
  db_bind_text(st, "$to", to);
  db_bind_text(st, "$subject", subject);
  db_bind_text(st, "$body", body);
  db_bind_text(st, "$mid", mid);
  db_bind_text(st, "$status", why ? "skipped" : "pending");
  db_bind_text(st, "$why", why);
  db_bind_int(st, "$now", ctx->now);
  rc = db_exec_stmt(st);
  return rc == DB_OK ? 0 : kerr_from_db(rc);
}

/* ============================================================ sending */

void outbox_row_clear(struct outbox_row *r) {
  if (!r) return;
  free(r->subject);
  free(r->body);
  memset(r, 0, sizeof *r);
}

int outbox_next_due(kdb *db, int64_t now, struct outbox_row *r) {
  memset(r, 0, sizeof *r);
  kstmt *st = db_prep(db,
                      "SELECT id, coalesce(account_id, 0), kind, coalesce(center, ''), to_addr,"
                      " message_id, attempts, created_at, subject, body FROM outbox"
                      " WHERE status = 'pending' AND next_at <= $now ORDER BY next_at, id LIMIT 1");
  if (!st) return -1;
  db_bind_int(st, "$now", now);
  int rc = db_step(st);
  if (rc == DB_ROW) {
    r->id = db_col_int(st, 0);
    r->account_id = db_col_int(st, 1);
    snprintf(r->kind, sizeof r->kind, "%s", db_col_text(st, 2));
    snprintf(r->center, sizeof r->center, "%s", db_col_text(st, 3));
    snprintf(r->to, sizeof r->to, "%s", db_col_text(st, 4));
    snprintf(r->message_id, sizeof r->message_id, "%s", db_col_text(st, 5));
    r->attempts = (int)db_col_int(st, 6);
    r->created_at = db_col_int(st, 7);
    r->subject = strdup(db_col_text(st, 8));
    r->body = strdup(db_col_text(st, 9));
  }
  db_reset(st);
  if (rc == DB_ROW && (!r->subject || !r->body)) {
    outbox_row_clear(r);
    return -1;
  }
  return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

int outbox_mark_sent(kdb *db, const struct outbox_row *r, int64_t now) {
  if (db_begin_write(db) != DB_OK) return -1;
  /* A reset link is a secret: once delivered, the copy here goes. */
  if (db_run(db, "UPDATE outbox SET status = 'sent', sent_at = $now,"
                 " attempts = attempts + 1, last_error = NULL,"
                 " body = CASE WHEN kind = 'password_reset' THEN '' ELSE body END"
                 " WHERE id = $id AND status = 'pending'",
             DB_I("$id", r->id), DB_I("$now", now)) != DB_OK ||
      /* An address that takes mail again is no longer undeliverable. */
      db_run(db, "DELETE FROM mail_undeliverable WHERE account_id = $a AND address = $to",
             DB_I("$a", r->account_id), DB_T("$to", r->to)) != DB_OK ||
      db_commit(db) != DB_OK) {
    db_rollback(db);
    return -1;
  }
  return 0;
}

int outbox_mark_retry(kdb *db, int64_t id, int64_t next_at, const char *error) {
  if (db_begin_write(db) != DB_OK) return -1;
  if (db_run(db, "UPDATE outbox SET attempts = attempts + 1, next_at = $next,"
                 " last_error = $err WHERE id = $id AND status = 'pending'",
             DB_I("$id", id), DB_I("$next", next_at), DB_T("$err", error)) != DB_OK ||
      db_commit(db) != DB_OK) {
    db_rollback(db);
    return -1;
  }
  return 0;
}

int outbox_mark_failed(kdb *db, const struct outbox_row *r, const char *error, int64_t now) {
  if (db_begin_write(db) != DB_OK) return -1;
  if (db_run(db, "UPDATE outbox SET status = 'failed', attempts = attempts + 1,"
                 " last_error = $err WHERE id = $id AND status = 'pending'",
             DB_I("$id", r->id), DB_T("$err", error)) != DB_OK)
    goto fail;
  if (r->account_id &&
      db_run(db, "INSERT INTO mail_undeliverable(account_id, address, reason, at)"
                 " VALUES ($a, $to, $err, $now) ON CONFLICT (account_id) DO UPDATE"
                 " SET address = excluded.address, reason = excluded.reason, at = excluded.at",
             DB_I("$a", r->account_id), DB_T("$to", r->to), DB_T("$err", error),
             DB_I("$now", now)) != DB_OK)
    goto fail;
  if (db_commit(db) != DB_OK) goto fail;
  return 0;
fail:
  db_rollback(db);
  return -1;
}

/* ============================================================ pages */

static json_t *instant(int64_t t) {
  char s[40];
  clock_format_instant(t, s);
  return json_string(s);
}

int outbox_list_booking(struct kctx *ctx, int64_t booking_id, json_t **out,
                        struct kerrinfo *ei) {
  kstmt *st = db_prep(ctx->db,
                      "SELECT id, kind, to_addr, subject, status, attempts, created_at, sent_at,"
                      " last_error, message_id FROM outbox WHERE booking_id = $b ORDER BY id");
  if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
  db_bind_int(st, "$b", booking_id);
  json_t *list = json_array();
  int rc;
  while ((rc = db_step(st)) == DB_ROW) {
    const struct mail_kind *k = mail_kind_find(db_col_text(st, 1));
    json_t *m = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:i,s:o,s:s}", "id",
                          (json_int_t)db_col_int(st, 0), "kind", db_col_text(st, 1), "label",
                          k ? k->label : db_col_text(st, 1), "to", db_col_text(st, 2),
                          "subject", db_col_text(st, 3), "status", db_col_text(st, 4),
                          "attempts", (int)db_col_int(st, 5), "created_at",
                          instant(db_col_int(st, 6)), "message_id", db_col_text(st, 9));
    if (!db_col_null(st, 7)) json_object_set_new(m, "sent_at", instant(db_col_int(st, 7)));
    if (!db_col_null(st, 8)) json_object_set_new(m, "last_error", json_string(db_col_text(st, 8)));
    json_array_append_new(list, m);
  }
  db_reset(st);
  if (rc != DB_DONE) {
    json_decref(list);
    return kerr_set(ei, kerr_from_db(rc), NULL);
  }
  *out = json_pack("{s:o}", "messages", list);
  return 0;
}

/* The actor's undeliverable record into OUT (or nothing). */
static int add_undeliverable(struct kctx *ctx, json_t *out) {
  kstmt *st = db_prep(ctx->db, "SELECT address, reason, at FROM mail_undeliverable"
                               " WHERE account_id = $a");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$a", ctx->actor.account_id);
  int rc = db_step(st);
  if (rc == DB_ROW)
    json_object_set_new(out, "undeliverable",
                        json_pack("{s:s,s:s,s:o}", "address", db_col_text(st, 0), "reason",
                                  db_col_text(st, 1), "at", instant(db_col_int(st, 2))));
  db_reset(st);
  return rc == DB_ROW || rc == DB_DONE ? 0 : kerr_from_db(rc);
}

int outbox_prefs_get(struct kctx *ctx, json_t **out, struct kerrinfo *ei) {
  char to[320];
  const char *why;
  int rc = recipient(ctx, ctx->actor.account_id, "", to, sizeof to, &why);
  if (rc) return kerr_set(ei, rc, NULL);
  json_t *kinds = json_array();
  for (int i = 0; i < mail_kind_count; i++) {
    int enabled = !mail_kinds[i].optional ||
                  !db_exists(ctx->db, "SELECT 1 FROM mail_optout WHERE account_id = $a"
                                      " AND kind = $kind",
                             DB_I("$a", ctx->actor.account_id), DB_T("$kind", mail_kinds[i].code));
    json_array_append_new(kinds, json_pack("{s:s,s:s,s:b,s:b}", "code", mail_kinds[i].code,
                                           "label", mail_kinds[i].label, "optional",
                                           mail_kinds[i].optional, "enabled", enabled));
  }
  *out = json_pack("{s:s,s:b,s:o}", "email", to, "mail_on", outbox_enabled(), "kinds", kinds);
  if ((rc = add_undeliverable(ctx, *out))) {
    json_decref(*out);
    *out = NULL;
    return kerr_set(ei, rc, NULL);
  }
  return 0;
}

/* Check IN before anything is written: every key a known kind with a
** boolean, and a mandatory kind never turned off. */
static int check_prefs(const json_t *in, struct kerrinfo *ei) {
  const char *key;
  json_t *v;
  if (!json_is_object(in)) return kerr_set(ei, KERR_BAD_REQUEST, NULL);
  json_object_foreach((json_t *)in, key, v) {
    const struct mail_kind *k = mail_kind_find(key);
    if (!k) kerr_field(ei, key, "この種類のお知らせはありません。");
    else if (!json_is_boolean(v)) kerr_field(ei, key, "true か false で指定してください。");
    else if (!k->optional && json_is_false(v))
      kerr_field(ei, key, "このお知らせは大切なため、止めることができません。");
  }
  return ei->fields ? kerr_set(ei, KERR_VALIDATION, NULL) : 0;
}

int outbox_prefs_set(struct kctx *ctx, const json_t *in, json_t **out, struct kerrinfo *ei) {
  int rc = check_prefs(in, ei);
  if (rc) return rc;
  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)in, key, v) {
    if (!mail_kind_find(key)->optional) continue;
    rc = json_is_true(v) ? db_run(ctx->db, "DELETE FROM mail_optout WHERE account_id = $a"
                                           " AND kind = $kind",
                                  DB_I("$a", ctx->actor.account_id), DB_T("$kind", key))
                         : db_run(ctx->db, "INSERT OR IGNORE INTO mail_optout(account_id, kind)"
                                           " VALUES ($a, $kind)",
                                  DB_I("$a", ctx->actor.account_id), DB_T("$kind", key));
    if (rc != DB_OK) {
      rc = kerr_from_db(rc);
      break;
    }
  }
  if (!rc && (rc = db_commit(ctx->db)) != DB_OK) rc = kerr_from_db(rc);
  if (rc) {
    db_rollback(ctx->db);
    return kerr_set(ei, rc, NULL);
  }
  return outbox_prefs_get(ctx, out, ei);
}
