/*
** core/trail.c: the audit trail (see trail.h).
**
** The canonical form of a row, which its hash covers, is the compact JSON
** array (jansson, keys in this order, text as UTF-8)
**   [id, at, actor_id, actor_name, actor_role, actor_center, address, action,
**    target, subject or null, detail or null, prev_hash]
** and hash = lower-case hex SHA-256 of it (libsodium crypto_hash_sha256). The
** first row's prev_hash is 64 zeros. docs/operations.md says the same for
** anyone who wants to check the chain with other tools.
*/
#include "trail.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "csv.h"
#include "ids.h"
#include "vec.h"

/* ------------------------------------------------- actions in words */

/* What each action code means, in the words of the pages: the admin's
** /admin/audit, a citizen's disclosure (/my/privacy), the JSON and the CSV.
** A new action gets its line here (an unknown code is shown as itself). */
static const struct {
  const char *code, *label;
} action_labels[] = {
    {"account.create", "利用者登録"},
    {"account.create_oidc", "マイナンバーカードで利用者登録"},
    {"account.import", "利用者の一括登録 (CSV)"},
    {"account.update", "登録内容の変更"},
    {"account.close", "退会"},
    {"account.forgotten_id", "利用者番号のお知らせを送信"},
    {"password.reset_link", "パスワード再設定のリンクを送信"},
    {"password.reset_code", "パスワード再設定のコードを発行"},
    {"password.reset", "パスワードの再設定"},
    {"session.create", "ログイン"},
    {"session.delete", "ログアウト"},
    {"identity.signin", "マイナンバーカードでログイン"},
    {"identity.link", "マイナンバーカードとの連携"},
    {"identity.unlink", "マイナンバーカードとの連携の解除"},
    {"user.search", "利用者を検索"},
    {"user.disable", "アカウントの停止"},
    {"user.enable", "アカウントを有効に戻す"},
    {"user.set_role", "役割・所属の変更"},
    {"user.reset_password", "パスワードの再設定 (管理者が)"},
    {"user.totp_enable", "二段階認証の設定"},
    {"user.totp_reset", "二段階認証のやり直し (管理者が)"},
    {"booking.hold", "予約の申し込み"},
    {"booking.confirm", "予約の確定"},
    {"booking.cancel", "予約の取り消し"},
    {"booking.lapse", "仮予約の期限切れ"},
    {"booking.view", "予約の内容を表示"},
    {"booking.import", "予約の一括登録 (CSV)"},
    {"booking.discount", "予約に減免を適用"},
    {"booking.sameday", "当日利用 (登録なし) をインターネットで受付"},
    {"permit.issue", "利用許可証の発行"},
    {"counter.walkin", "当日利用の受付"},
    {"counter.checkin", "入館の記録"},
    {"counter.noshow", "来館なしの記録"},
    {"counter.payment", "使用料の受け取り"},
    {"counter.refund", "返金"},
    {"counter.today.view", "窓口の今日の予約一覧で、予約者の情報を表示"},
    {"counter.ledger.view", "窓口の記録 (台帳) を表示"},
    {"group.register", "団体の登録の申請"},
    {"group.approve", "団体の登録の承認"},
    {"group.reject", "団体の登録の不承認"},
    {"group.renew", "団体の登録の更新の申請"},
    {"group.renewal_approve", "団体の登録の更新の承認"},
    {"group.renewal_reject", "団体の登録の更新の不承認"},
    {"group.import", "団体の一括登録 (CSV)"},
    {"group.corep_invite", "副代表者への招待"},
    {"group.corep_add", "副代表者の引き受け"},
    {"group.corep_decline", "副代表者の招待の辞退"},
    {"group.corep_remove", "副代表者をはずす"},
    {"group.search", "団体を検索"},
    {"group.view", "団体の登録内容 (代表者) を表示"},
    {"discount.apply", "減免の申請"},
    {"discount.approve", "減免の承認"},
    {"discount.reject", "減免の不承認"},
    {"closure.create", "休館の設定"},
    {"closure.lift", "休館の取り消し"},
    {"course.create", "講座の作成"},
    {"course.copy", "講座の作成 (前の講座から)"},
    {"course.update", "講座の変更"},
    {"course.draw", "講座の抽選"},
    {"course.apply", "講座の申し込み"},
    {"course.cancel", "講座の申し込みの取り消し"},
    {"course.accepted", "講座の受講の決定"},
    {"course.waitlisted", "講座のキャンセル待ち"},
    {"course.offer", "講座の繰り上げのお知らせ"},
    {"course.accept_offer", "講座の繰り上げを受ける"},
    {"course.offer_lapsed", "講座の繰り上げの期限切れ"},
    {"course.attendance", "講座の出欠の記録"},
    {"round.apply", "部屋の抽選の申し込み"},
    {"round.close", "部屋の抽選の締め切り"},
    {"round.won", "部屋の抽選の当選"},
    {"round.lost", "部屋の抽選の落選"},
    {"form.accepted", "申請書の受付"},
    {"form.rejected", "申請書の受付不可 (入力の誤り)"},
};

const char *trail_action_label(const char *action) {
  for (size_t i = 0; action && i < sizeof action_labels / sizeof action_labels[0]; i++)
    if (!strcmp(action_labels[i].code, action)) return action_labels[i].label;
  return action ? action : "";
}

int trail_action_known(const char *action) {
  return action && trail_action_label(action) != action;
}

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* One row as stored. Text fields borrowed from the statement or the caller. */
struct row {
  int64_t id, at, actor_id, subject;
  const char *actor_name, *actor_role, *actor_center, *address, *action, *target, *detail;
  const char *prev_hash;
};

/* OUT (65 bytes) = hex SHA-256 of R's canonical form. -1 when out of memory. */
static int row_hash(const struct row *r, char out[65]) {
  json_t *a = json_pack("[I I I s s s s s s o o s]", (json_int_t)r->id, (json_int_t)r->at,
                        (json_int_t)r->actor_id, r->actor_name, r->actor_role, r->actor_center,
                        r->address, r->action, r->target,
                        r->subject ? json_integer(r->subject) : json_null(),
                        r->detail ? json_string(r->detail) : json_null(), r->prev_hash);
  char *text = a ? json_dumps(a, JSON_COMPACT) : NULL;
  json_decref(a);
  if (!text) return -1;
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
  free(text);
  sodium_bin2hex(out, 65, h, sizeof h);
  return 0;
}

int trail_actor_recorded(const struct kctx *ctx) {
  return ctx && (ctx->actor.role & (ROLE_STAFF | ROLE_ADMIN));
}

/* The last row's id and hash (GENESIS and 0 for an empty trail). */
static int last_row(kdb *db, int64_t *id, char hash[65]) {
  kstmt *st = db_prep(db, "SELECT id, hash FROM audit_trail ORDER BY id DESC LIMIT 1");
  if (!st) return KERR_INTERNAL;
  int rc = db_step(st);
  *id = 0;
  snprintf(hash, 65, "%s", GENESIS);
  if (rc == DB_ROW) {
    *id = db_col_int(st, 0);
    snprintf(hash, 65, "%s", db_col_text(st, 1));
  }
  db_reset(st);
  return rc == DB_ROW || rc == DB_DONE ? 0 : kerr_from_db(rc);
}

int trail_record(struct kctx *ctx, const char *action, const char *target, int64_t subject,
                 const char *detail_json) {
  char prev[65], hash[65];
  int64_t last;
  int rc = last_row(ctx->db, &last, prev);
  if (rc) return rc;
  /* The command line acts with no session: role "system", id 0. */
  int cli = ctx->actor.role == 0 || ctx->actor.role == ROLE_ANON;
  struct row r = {.id = last + 1,
                  .at = ctx->now,
                  .actor_id = ctx->actor.account_id,
                  .subject = subject,
                  .actor_name = ctx->actor.name,
                  .actor_role = cli ? "system" : role_name(ctx->actor.role),
                  .actor_center = ctx->actor.home_center,
                  .address = ctx->address,
                  .action = action,
                  .target = target ? target : "",
                  .detail = detail_json,
                  .prev_hash = prev};
  if (row_hash(&r, hash)) return KERR_INTERNAL;
  kstmt *st = db_prep(ctx->db,
                      "INSERT INTO audit_trail(id, at, actor_id, actor_name, actor_role,"
                      " actor_center, address, action, target, subject, detail, prev_hash, hash)"
                      " VALUES ($id, $at, $aid, $aname, $arole, $acenter, $addr, $action,"
                      " $target, $subject, $detail, $prev, $hash)");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", r.id);
  db_bind_int(st, "$at", r.at);
  db_bind_int(st, "$aid", r.actor_id);
  db_bind_text(st, "$aname", r.actor_name);
  db_bind_text(st, "$arole", r.actor_role);
  db_bind_text(st, "$acenter", r.actor_center);
  db_bind_text(st, "$addr", r.address);
  db_bind_text(st, "$action", r.action);
  db_bind_text(st, "$target", r.target);
  if (subject) db_bind_int(st, "$subject", subject);
  else db_bind_null(st, "$subject");
  db_bind_text(st, "$detail", detail_json);
  db_bind_text(st, "$prev", prev);
  db_bind_text(st, "$hash", hash);
  return kerr_from_db(db_exec_stmt(st));
}

/* The rows of trail_view(), inside a transaction. */
static int view_rows(struct kctx *ctx, const char *action, const char *target,
                     const int64_t *subjects, int n) {
  int rc = trail_record(ctx, action, target, 0, NULL);
  for (int i = 0; !rc && i < n; i++) {
    int seen = subjects[i] <= 0 || subjects[i] == ctx->actor.account_id;
    for (int k = 0; k < i && !seen; k++) seen = subjects[k] == subjects[i];
    if (!seen) rc = trail_record(ctx, action, target, subjects[i], NULL);
  }
  return rc;
}

int trail_view(struct kctx *ctx, const char *action, const char *target,
               const int64_t *subjects, int n) {
  if (!trail_actor_recorded(ctx)) return 0;
  if (db_in_txn(ctx->db)) return view_rows(ctx, action, target, subjects, n);
  int rc = kerr_from_db(db_begin_write(ctx->db));
  if (rc) return rc;
  if ((rc = view_rows(ctx, action, target, subjects, n))) {
    db_rollback(ctx->db);
    return rc;
  }
  return kerr_from_db(db_commit(ctx->db));
}

/* ============================================================ verifying */

#define ROW_COLUMNS                                                                            \
  "id, at, actor_id, actor_name, actor_role, actor_center, address, action, target,"         \
  " subject, detail, prev_hash, hash"

/* R from the current row of ST (selected with ROW_COLUMNS); *HASH the stored hash. */
static void row_read(kstmt *st, struct row *r, const char **hash) {
  r->id = db_col_int(st, 0);
  r->at = db_col_int(st, 1);
  r->actor_id = db_col_int(st, 2);
  r->actor_name = db_col_text(st, 3);
  r->actor_role = db_col_text(st, 4);
  r->actor_center = db_col_text(st, 5);
  r->address = db_col_text(st, 6);
  r->action = db_col_text(st, 7);
  r->target = db_col_text(st, 8);
  r->subject = db_col_null(st, 9) ? 0 : db_col_int(st, 9);
  r->detail = db_col_null(st, 10) ? NULL : db_col_text(st, 10);
  r->prev_hash = db_col_text(st, 11);
  *hash = db_col_text(st, 12);
}

int trail_verify(kdb *db, int64_t *bad_id, char *why, size_t whylen) {
  char expect_prev[65] = GENESIS, h[65];
  int64_t expect_id = 1;
  int broken = 0, rc;
  *bad_id = 0;
  why[0] = 0;
  kstmt *st = db_prep(db, "SELECT " ROW_COLUMNS " FROM audit_trail ORDER BY id");
  if (!st) return -1;
  while (!broken && (rc = db_step(st)) == DB_ROW) {
    struct row r;
    const char *stored;
    row_read(st, &r, &stored);
    *bad_id = r.id;
    if (r.id != expect_id) {
      snprintf(why, whylen, "row %lld is missing (the next row is %lld)", (long long)expect_id,
               (long long)r.id);
      *bad_id = expect_id;
      broken = 1;
    } else if (strcmp(r.prev_hash, expect_prev) != 0) {
      snprintf(why, whylen, "prev_hash does not match the hash of row %lld",
               (long long)(r.id - 1));
      broken = 1;
    } else if (row_hash(&r, h) != 0) {
      db_reset(st);
      return -1;
    } else if (strcmp(h, stored) != 0) {
      snprintf(why, whylen, "the row was changed after it was written (hash mismatch)");
      broken = 1;
    }
    snprintf(expect_prev, sizeof expect_prev, "%s", stored);
    expect_id++;
  }
  db_reset(st);
  if (broken) return 1;
  if (rc != DB_DONE) return -1;
  *bad_id = expect_id - 1; /* rows checked */
  return 0;
}

/* ============================================================== reading */

/* Bind F's filters to ST (the query of rows_select()). */
static kstmt *rows_select(kdb *db, const struct trail_filter *f) {
  kstmt *st = db_prep(db,
                      "SELECT " ROW_COLUMNS " FROM audit_trail"
                      " WHERE ($from IS NULL OR at >= $from) AND ($to IS NULL OR at < $to)"
                      " AND ($actor = 0 OR actor_id = $actor)"
                      " AND ($action = '' OR action = $action OR action LIKE $prefix ESCAPE '\\')"
                      " AND ($subject = 0 OR subject = $subject)"
                      " ORDER BY id DESC LIMIT $limit");
  if (!st) return NULL;
  if (f->from) db_bind_int(st, "$from", clock_local(f->from, 0));
  else db_bind_null(st, "$from");
  if (f->to) db_bind_int(st, "$to", clock_local(f->to + 1, 0));
  else db_bind_null(st, "$to");
  db_bind_int(st, "$actor", f->actor);
  const char *action = f->action ? f->action : "";
  char prefix[96];
  size_t n = 0;
  for (const char *p = action; *p && n + 3 < sizeof prefix; p++) {
    if (*p == '%' || *p == '_' || *p == '\\') prefix[n++] = '\\';
    prefix[n++] = *p;
  }
  prefix[n++] = '.';
  prefix[n++] = '%';
  prefix[n] = 0;
  db_bind_text(st, "$action", action);
  db_bind_text(st, "$prefix", prefix);
  db_bind_int(st, "$subject", f->subject);
  db_bind_int(st, "$limit", f->limit > 0 ? f->limit : 1000);
  return st;
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

/* The current row of ST (ROW_COLUMNS) into E; -1 when out of memory. */
static int entry_read(kstmt *st, struct trail_entry *e) {
  struct row r;
  const char *hash;
  row_read(st, &r, &hash);
  memset(e, 0, sizeof *e);
  e->id = r.id;
  e->at = r.at;
  e->actor_id = r.actor_id;
  e->subject = r.subject;
  e->actor_name = strdup(r.actor_name);
  e->actor_role = strdup(r.actor_role);
  e->actor_center = strdup(r.actor_center);
  e->address = strdup(r.address);
  e->action = strdup(r.action);
  e->target = strdup(r.target);
  e->detail = dup_or_null(r.detail);
  snprintf(e->hash, sizeof e->hash, "%s", hash);
  return e->actor_name && e->actor_role && e->actor_center && e->address && e->action &&
                 e->target && (e->detail || !r.detail)
             ? 0
             : -1;
}

json_t *trail_entry_json(const struct trail_entry *e) {
  char at[32];
  clock_format_instant(e->at, at);
  json_t *detail = e->detail ? json_loads(e->detail, 0, NULL) : NULL;
  return json_pack("{s:I, s:s, s:{s:o, s:s, s:s, s:s}, s:s, s:s, s:s, s:s, s:o, s:o, s:s}",
                   "id", (json_int_t)e->id, "at", at, "actor", "system_id",
                   e->actor_id ? ids_json(e->actor_id) : json_null(), "name", e->actor_name,
                   "role", e->actor_role, "center", e->actor_center, "address", e->address,
                   "action", e->action, "action_label", trail_action_label(e->action),
                   "target", e->target, "subject",
                   e->subject ? ids_json(e->subject) : json_null(), "detail",
                   detail ? detail : json_null(), "hash", e->hash);
}

void trail_entries_free(struct trail_entry *e, int n) {
  for (int i = 0; e && i < n; i++) {
    free(e[i].actor_name);
    free(e[i].actor_role);
    free(e[i].actor_center);
    free(e[i].address);
    free(e[i].action);
    free(e[i].target);
    free(e[i].detail);
  }
  free(e);
}

int trail_entries(struct kctx *ctx, const struct trail_filter *f, struct trail_entry **out,
                  int *n, struct kerrinfo *ei) {
  int rc, cap = 0;
  *out = NULL;
  *n = 0;
  kstmt *st = rows_select(ctx->db, f);
  if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
  while ((rc = db_step(st)) == DB_ROW) {
    if (vec_grow((void **)out, *n, &cap, sizeof **out)) {
      rc = DB_ERROR;
      break;
    }
    if (entry_read(st, &(*out)[(*n)++])) {   /* counted: what it holds is freed */
      rc = DB_ERROR;
      break;
    }
  }
  db_reset(st);
  if (rc != DB_DONE) {
    trail_entries_free(*out, *n);
    *out = NULL;
    *n = 0;
    return kerr_set(ei, rc == DB_ERROR ? KERR_INTERNAL : kerr_from_db(rc), NULL);
  }
  return 0;
}

static json_t *entry_json_of(const void *e) { return trail_entry_json(e); }

int trail_list(struct kctx *ctx, const struct trail_filter *f, json_t **out,
               struct kerrinfo *ei) {
  struct trail_entry *e;
  int n, rc;
  *out = NULL;
  if ((rc = trail_entries(ctx, f, &e, &n, ei))) return rc;
  *out = vec_json("entries", e, n, sizeof *e, entry_json_of);
  trail_entries_free(e, n);
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}

int trail_csv(struct kctx *ctx, const struct trail_filter *f, char **text, size_t *len,
              struct kerrinfo *ei) {
  static const char *const head[] = {"id",         "at",           "actor_system_id", "actor_name",
                                     "actor_role", "actor_center", "address",         "action",
                                     "action_label", "target",     "subject",         "detail",
                                     "hash",       NULL};
  struct csvbuf b = {0};
  char at[32];
  int rc;
  *text = NULL;
  kstmt *st = rows_select(ctx->db, f);
  if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
  csv_bom(&b);
  for (const char *const *h = head; *h; h++) csv_field(&b, *h);
  csv_end_row(&b);
  while ((rc = db_step(st)) == DB_ROW) {
    struct row r;
    const char *hash;
    row_read(st, &r, &hash);
    clock_format_instant(r.at, at);
    csv_int(&b, r.id);
    csv_field(&b, at);
    csv_int(&b, r.actor_id);
    csv_field(&b, r.actor_name);
    csv_field(&b, r.actor_role);
    csv_field(&b, r.actor_center);
    csv_field(&b, r.address);
    csv_field(&b, r.action);
    csv_field(&b, trail_action_label(r.action));
    csv_field(&b, r.target);
    if (r.subject) csv_int(&b, r.subject);
    else csv_field(&b, "");
    csv_field(&b, r.detail);
    csv_field(&b, hash);
    csv_end_row(&b);
  }
  db_reset(st);
  if (rc != DB_DONE) {
    csv_free(&b);
    return kerr_set(ei, kerr_from_db(rc), NULL);
  }
  if (!(*text = csv_take(&b, len))) return kerr_set(ei, KERR_INTERNAL, NULL);
  return 0;
}

int trail_seen_list(struct kctx *ctx, struct trail_seen **out, int *n, struct kerrinfo *ei) {
  int rc, cap = 0;
  *out = NULL;
  *n = 0;
  kstmt *st = db_prep(ctx->db,
                      "SELECT at, action, actor_role, actor_center FROM audit_trail"
                      " WHERE subject = $me AND actor_id <> $me ORDER BY id DESC LIMIT 500");
  if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
  db_bind_int(st, "$me", ctx->actor.account_id);
  while ((rc = db_step(st)) == DB_ROW) {
    if (vec_grow((void **)out, *n, &cap, sizeof **out)) {
      rc = DB_ERROR;
      break;
    }
    struct trail_seen *e = &(*out)[(*n)++];
    e->at = db_col_int(st, 0);
    snprintf(e->action, sizeof e->action, "%s", db_col_text(st, 1));
    snprintf(e->role, sizeof e->role, "%s", db_col_text(st, 2));
    snprintf(e->center, sizeof e->center, "%s", db_col_text(st, 3));
  }
  db_reset(st);
  if (rc != DB_DONE) {
    free(*out);
    *out = NULL;
    *n = 0;
    return kerr_set(ei, rc == DB_ERROR ? KERR_INTERNAL : kerr_from_db(rc), NULL);
  }
  return 0;
}

static json_t *seen_json_of(const void *p) {
  const struct trail_seen *e = p;
  char at[32];
  clock_format_instant(e->at, at);
  return json_pack("{s:s, s:s, s:s, s:s, s:s}", "at", at, "action", e->action, "action_label",
                   trail_action_label(e->action), "role", e->role, "center", e->center);
}

int trail_disclosure(struct kctx *ctx, json_t **out, struct kerrinfo *ei) {
  struct trail_seen *e;
  int n, rc;
  *out = NULL;
  if ((rc = trail_seen_list(ctx, &e, &n, ei))) return rc;
  *out = vec_json("entries", e, n, sizeof *e, seen_json_of);
  free(e);
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}
