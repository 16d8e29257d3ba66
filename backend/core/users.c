/*
** core/users.c: staff and admins over their life (see users.h).
*/
#include "users.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "audit.h"
#include "ids.h"
#include "text.h"
#include "trail.h"
#include "vec.h"

#define USER_COLUMNS                                                                           \
  "id, name, coalesce(name_kana, ''), role, coalesce(home_center, ''),"                       \
  " CASE WHEN closed_at IS NOT NULL THEN 'closed' WHEN disabled THEN 'disabled'"             \
  " ELSE 'active' END"

/* Only admins and the command line (no session) manage accounts. */
static int allowed(const struct kctx *ctx, struct kerrinfo *ei) {
  if (ctx->actor.role == ROLE_ADMIN || ctx->actor.role == 0) return 0;
  return kerr_set(ei, KERR_FORBIDDEN, NULL);
}

/* The current row of ST (USER_COLUMNS) into U; -1 when out of memory. */
static int user_read(kstmt *st, struct user_view *u) {
  memset(u, 0, sizeof *u);
  u->id = db_col_int(st, 0);
  u->name = strdup(db_col_text(st, 1));
  u->kana = strdup(db_col_text(st, 2));
  u->role = role_parse(db_col_text(st, 3));
  snprintf(u->center, sizeof u->center, "%s", db_col_text(st, 4));
  u->status = account_status_parse(db_col_text(st, 5));
  return u->name && u->kana ? 0 : -1;
}

json_t *user_view_json(const struct user_view *u) {
  return json_pack("{s:o, s:s, s:s, s:s, s:o, s:s}", "system_id", ids_json(u->id), "name",
                   u->name, "name_kana", u->kana, "role", role_name(u->role), "center",
                   u->center[0] ? json_string(u->center) : json_null(), "status",
                   account_status_name(u->status));
}

void users_views_free(struct user_view *v, int n) {
  for (int i = 0; v && i < n; i++) {
    free(v[i].name);
    free(v[i].kana);
  }
  free(v);
}

json_t *users_get(struct kctx *ctx, int64_t id) {
  struct user_view u;
  json_t *out = NULL;
  kstmt *st = db_prep(ctx->db, "SELECT " USER_COLUMNS " FROM accounts WHERE id = $id");
  if (!st) return NULL;
  db_bind_int(st, "$id", id);
  if (db_step(st) == DB_ROW) {
    if (user_read(st, &u) == 0) out = user_view_json(&u);
    free(u.name);
    free(u.kana);
  }
  db_reset(st);
  return out;
}

/* Bind F to ST (the query of users_views). */
static void bind_filter(kstmt *st, const struct users_filter *f) {
  const char *q = f->q && *f->q ? f->q : NULL;
  int64_t id = 0;
  if (q && ids_parse(q, &id) != 0) id = 0;
  db_bind_text(st, "$role", f->role ? role_name(f->role) : NULL);
  db_bind_text(st, "$center", f->center && *f->center ? f->center : NULL);
  db_bind_text(st, "$status", f->status && *f->status ? f->status : NULL);
  db_bind_text(st, "$q", q);
  db_bind_int(st, "$id", id);
}

int users_views(struct kctx *ctx, const struct users_filter *f, struct user_view **out, int *n,
                struct kerrinfo *ei) {
  int rc, cap = 0;
  *out = NULL;
  *n = 0;
  if ((rc = allowed(ctx, ei))) return rc;
  if (f->role < 0)
    kerr_field(ei, "role", "役割は citizen, staff, admin, analyst のどれかで指定してください。");
  if (f->status && *f->status && account_status_parse(f->status) == ACCOUNT_STATUS_UNKNOWN)
    kerr_field(ei, "status", "状態は active（有効）、disabled（停止中）、closed（退会済み）の"
                             "どれかで指定してください。");
  /* a centre that is not one (never was: the centres table keeps every code
  ** the rule book had) is an error, never an empty list that reads "nobody" */
  if (f->center && *f->center &&
      !db_exists(ctx->db, "SELECT 1 FROM centers WHERE code = $c", DB_T("$c", f->center))) {
    char msg[200];
    snprintf(msg, sizeof msg,
             "公民館「%.*s」はありません。所属は公民館のコード（例: chuo）で指定してください。",
             (int)text_utf8_prefix(f->center, 40), f->center);
    kerr_field(ei, "center", msg);
  }
  if (ei->fields) return kerr_set(ei, KERR_VALIDATION, NULL);
  /* RULE: a search of people by an admin is a view of personal data: audited. */
  if ((rc = trail_view(ctx, "user.search", f->q && *f->q ? f->q : "", NULL, 0)))
    return kerr_set(ei, rc, NULL);
  kstmt *st = db_prep(ctx->db,
                      "SELECT " USER_COLUMNS " FROM accounts"
                      " WHERE ($role IS NULL OR role = $role)"
                      " AND ($center IS NULL OR home_center = $center)"
                      " AND ($status IS NULL OR $status = CASE WHEN closed_at IS NOT NULL"
                      "   THEN 'closed' WHEN disabled THEN 'disabled' ELSE 'active' END)"
                      " AND ($q IS NULL OR id = $id OR instr(name, $q) > 0"
                      "   OR instr(coalesce(name_kana, ''), $q) > 0)"
                      " ORDER BY id LIMIT 1000");
  if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
  bind_filter(st, f);
  while ((rc = db_step(st)) == DB_ROW) {
    if (vec_grow((void **)out, *n, &cap, sizeof **out)) {
      rc = DB_ERROR;
      break;
    }
    if (user_read(st, &(*out)[(*n)++])) {   /* counted: its strings are freed */
      rc = DB_ERROR;
      break;
    }
  }
  db_reset(st);
  if (rc != DB_DONE) {
    users_views_free(*out, *n);
    *out = NULL;
    *n = 0;
    return kerr_set(ei, rc == DB_ERROR ? KERR_INTERNAL : kerr_from_db(rc), NULL);
  }
  return 0;
}

static json_t *user_json_of(const void *u) { return user_view_json(u); }

int users_list(struct kctx *ctx, const struct users_filter *f, json_t **out,
               struct kerrinfo *ei) {
  struct user_view *v;
  int n, rc;
  *out = NULL;
  if ((rc = users_views(ctx, f, &v, &n, ei))) return rc;
  *out = vec_json("users", v, n, sizeof *v, user_json_of);
  users_views_free(v, n);
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}

/* The usage-log event and the trail row of a change to account ID, inside the
** transaction. An admin's event reaches the trail through audit_event(); the
** command line's is written here. */
static int record(struct kctx *ctx, const char *action, int64_t id, const char *detail) {
  struct audit_fields f = {.subject_account = id, .detail_json = detail};
  int rc = audit_event(ctx, action, &f);
  if (rc || trail_actor_recorded(ctx)) return rc;
  char target[32];
  snprintf(target, sizeof target, "account:%lld", (long long)id);
  return trail_record(ctx, action, target, id, detail);
}

/* Run the statement ST (prepared and bound) and require one changed row. */
static int exec_one(struct kctx *ctx, kstmt *st) {
  int rc = kerr_from_db(db_exec_stmt(st));
  if (!rc && db_changes(ctx->db) != 1) rc = KERR_NOT_FOUND;
  return rc;
}

static int end_sessions(struct kctx *ctx, int64_t id) {
  return kerr_from_db(db_run(ctx->db, "DELETE FROM sessions WHERE account_id = $id",
                             DB_I("$id", id)));
}

/* Commit or roll back after RC; the result (with *OUT, the user) as a KERR. */
static int finish(struct kctx *ctx, int rc, int64_t id, json_t **out, struct kerrinfo *ei) {
  if (rc) {
    db_rollback(ctx->db);
    return kerr_set(ei, rc, rc == KERR_NOT_FOUND ? "その利用者は見つかりません。" : NULL);
  }
  if ((rc = kerr_from_db(db_commit(ctx->db)))) return kerr_set(ei, rc, NULL);
  if (out && !(*out = users_get(ctx, id))) return kerr_set(ei, KERR_INTERNAL, NULL);
  return 0;
}

int users_set_disabled(struct kctx *ctx, int64_t id, int disabled, json_t **out,
                       struct kerrinfo *ei) {
  int rc;
  if (out) *out = NULL;
  if ((rc = allowed(ctx, ei))) return rc;
  if (disabled && id == ctx->actor.account_id)
    return kerr_set(ei, KERR_CONFLICT, "自分のアカウントは停止できません。");
  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  kstmt *st = db_prep(ctx->db, "UPDATE accounts SET disabled = $d WHERE id = $id"
                               " AND closed_at IS NULL");
  if (!st) rc = KERR_INTERNAL;
  else {
    db_bind_int(st, "$d", disabled ? 1 : 0);
    db_bind_int(st, "$id", id);
    rc = exec_one(ctx, st);
  }
  /* RULE: a disabled account's sessions end at once. */
  if (!rc && disabled) rc = end_sessions(ctx, id);
  if (!rc) rc = record(ctx, disabled ? "user.disable" : "user.enable", id, NULL);
  return finish(ctx, rc, id, out, ei);
}

int users_set_role(struct kctx *ctx, int64_t id, int role, const char *center, json_t **out,
                   struct kerrinfo *ei) {
  int rc, old = 0;
  if (out) *out = NULL;
  if ((rc = allowed(ctx, ei))) return rc;
  if (role != ROLE_STAFF && role != ROLE_ADMIN && role != ROLE_ANALYST)
    return kerr_set(ei, KERR_VALIDATION, "役割は staff, admin, analyst のどれかです。");
  if (center && *center && !rules_center(ctx->rb, center))
    return kerr_set(ei, KERR_VALIDATION, "その公民館のコードは例規集（ordinances）にありません。");
  if (!accounts_exists(ctx, id, &old)) return kerr_set(ei, KERR_NOT_FOUND, NULL);
  if (old == ROLE_CITIZEN)
    return kerr_set(ei, KERR_CONFLICT, "市民のアカウントの役割は変えられません。");
  if (id == ctx->actor.account_id && role != ROLE_ADMIN)
    return kerr_set(ei, KERR_CONFLICT, "自分の管理者の役割は外せません。");
  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  kstmt *st = db_prep(ctx->db,
                      "UPDATE accounts SET role = $role, home_center = CASE WHEN $keep"
                      " THEN home_center ELSE $center END WHERE id = $id");
  if (!st) rc = KERR_INTERNAL;
  else {
    db_bind_text(st, "$role", role_name(role));
    db_bind_int(st, "$keep", center == NULL);
    db_bind_text(st, "$center", center && *center ? center : NULL);
    db_bind_int(st, "$id", id);
    rc = exec_one(ctx, st);
  }
  if (!rc && role != old) rc = end_sessions(ctx, id); /* the new role from the next sign-in */
  json_t *d = json_pack("{s:s, s:s, s:s?}", "from", role_name(old), "to", role_name(role),
                        "center", center);
  char *detail = d ? json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
  json_decref(d);
  if (!rc) rc = detail ? record(ctx, "user.set_role", id, detail) : KERR_INTERNAL;
  free(detail);
  return finish(ctx, rc, id, out, ei);
}

int users_create(struct kctx *ctx, const json_t *in, int64_t *id, struct kerrinfo *ei) {
  static const char *const keep[] = {"name", "password", "name_kana", "email", "phone"};
  int role = role_parse(json_string_value(json_object_get(in, "role")));
  const char *center = json_string_value(json_object_get(in, "center"));
  int rc;
  *id = 0;
  if ((rc = allowed(ctx, ei))) return rc;
  if (role != ROLE_STAFF && role != ROLE_ADMIN && role != ROLE_ANALYST) {
    kerr_field(ei, "role", "役割は staff, admin, analyst のどれかです。");
    return kerr_set(ei, KERR_VALIDATION, NULL);
  }
  json_t *only = json_object();
  for (size_t i = 0; only && i < sizeof keep / sizeof keep[0]; i++) {
    json_t *v = json_object_get(in, keep[i]);
    /* an empty optional field of a form is no value */
    if (v && !(json_is_string(v) && !*json_string_value(v) && i >= 2))
      json_object_set(only, keep[i], v);
  }
  rc = only ? accounts_create(ctx, only, role, center && *center ? center : NULL, 0, id, ei)
            : kerr_set(ei, KERR_INTERNAL, NULL);
  json_decref(only);
  return rc;
}

int users_set_password(struct kctx *ctx, int64_t id, const char *password,
                       struct kerrinfo *ei) {
  char hash[128];
  const char *bad = accounts_check_password(password);
  int rc;
  if ((rc = allowed(ctx, ei))) return rc;
  if (bad) {
    kerr_field(ei, "password", bad);
    return kerr_set(ei, KERR_VALIDATION, "%s", bad);
  }
  if ((rc = accounts_password_hash(password, hash, sizeof hash, ei))) return rc;
  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  kstmt *st = db_prep(ctx->db, "UPDATE accounts SET password_hash = $h WHERE id = $id"
                               " AND closed_at IS NULL");
  if (!st) rc = KERR_INTERNAL;
  else {
    db_bind_text(st, "$h", hash);
    db_bind_int(st, "$id", id);
    rc = exec_one(ctx, st);
  }
  sodium_memzero(hash, sizeof hash);
  if (!rc) rc = end_sessions(ctx, id);
  if (!rc) rc = record(ctx, "user.reset_password", id, NULL);
  return finish(ctx, rc, id, NULL, ei);
}
