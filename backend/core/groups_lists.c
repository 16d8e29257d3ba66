/*
** core/groups_lists.c: lists of groups (see groups.h): for staff, of an
** account, the public list (JSON and CSV), and what bookings ask of a
** group. Registration and decisions are core/groups.c.
*/
#include "groups.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "audit.h"
#include "clock.h"
#include "csv.h"
#include "desk.h"
#include "ids.h"
#include "input.h"
#include "oidc.h"
#include "notify.h"
#include "text.h"
#include "throttle.h"
#include "trail.h"
#include "vec.h"

#include "groups_int.h"

/* ================================================================= lists */

/* One row of group_review_views' query into *V (QUEUE: the pending list). */
static void review_of_row(struct kctx *ctx, kstmt *st, int queue, struct group_review_view *v) {
  memset(v, 0, sizeof *v);
  v->id = db_col_int(st, 0);
  snprintf(v->name, sizeof v->name, "%s", db_col_text(st, 1));
  snprintf(v->name_kana, sizeof v->name_kana, "%s", db_col_text(st, 2));
  v->status = review_status_parse(db_col_text(st, 5));
  v->renewal = v->status == REVIEW_APPROVED &&
               review_status_parse(db_col_text(st, 8)) == REVIEW_PENDING;
  v->members = v->renewal ? db_col_int(st, 9) : db_col_int(st, 3);
  v->resident_members = v->renewal ? db_col_int(st, 10) : db_col_int(st, 4);
  if (!db_col_null(st, 6)) (void)date_parse(db_col_text(st, 6), &v->valid_until);
  v->created_at = db_col_null(st, 7) ? 0 : db_col_int(st, 7);
  v->queue = queue;
  v->rep_id = db_col_int(st, 12);
  snprintf(v->rep_name, sizeof v->rep_name, "%s", db_col_text(st, 13));
  v->verified_residents = oidc_group_verified_residents(ctx, v->id);
}

/* ============================================================ searching */

/* A search keyword: IN trimmed of spaces (ASCII and the ideographic space)
** into KEY, and folded into hiragana (HIRA) and katakana (KATA), each
** GROUPS_Q_MAX characters at most (4 bytes a character, plus the end). Too
** long, or a control character: a field error at "q". An empty keyword
** leaves KEY "". */
#define Q_BYTES (GROUPS_Q_MAX * 4 + 1)
struct keyword {
  char key[Q_BYTES], hira[Q_BYTES], kata[Q_BYTES];
};

static void read_keyword(const char *in, struct keyword *k, struct kerrinfo *ei) {
  memset(k, 0, sizeof *k);
  if (!in) return;
  size_t n = strlen(in);
  while (n && in[0] == ' ') in++, n--;
  while (n >= 3 && !memcmp(in, "\xe3\x80\x80", 3)) in += 3, n -= 3;   /* U+3000 */
  while (n && (in[n - 1] == ' ' || (n >= 3 && !memcmp(in + n - 3, "\xe3\x80\x80", 3))))
    n -= in[n - 1] == ' ' ? 1 : 3;
  if (!n) return;
  if (!text_utf8_valid(in, n) || n >= Q_BYTES) {
    kerr_field(ei, "q", "キーワードは100文字以内で入力してください。");
    return;
  }
  memcpy(k->key, in, n);
  k->key[n] = 0;
  if (text_utf8_len(k->key) > GROUPS_Q_MAX)
    kerr_field(ei, "q", "キーワードは100文字以内で入力してください。");
  else if (text_has_control(k->key) || strpbrk(k->key, "\t\r\n"))
    kerr_field(ei, "q", "キーワードに使えない文字 (改行や見えない文字) が入っています。");
  if (json_object_get(ei->fields, "q")) {
    k->key[0] = 0;
    return;
  }
  memcpy(k->hira, k->key, n + 1);
  memcpy(k->kata, k->key, n + 1);
  text_fold_kana(k->hira, 0);
  text_fold_kana(k->kata, 1);
}

/* Bind K to ST's $q, $qh, $qk (NULL for no keyword). */
static void bind_keyword(kstmt *st, const struct keyword *k) {
  db_bind_text(st, "$q", k->key[0] ? k->key : NULL);
  db_bind_text(st, "$qh", k->key[0] ? k->hira : NULL);
  db_bind_text(st, "$qk", k->key[0] ? k->kata : NULL);
}

/* ================================================================= lists */

/* F's status, or a field error at "status" in EI: *PENDING for the queue,
** *ALL for every group, else the one status *WANT. */
static void read_status(const struct groups_filter *f, int *pending, int *all,
                        enum review_status *want, struct kerrinfo *ei) {
  const char *status = f && f->status && *f->status ? f->status : "pending";
  *all = !strcmp(status, "all");
  *want = *all ? REVIEW_UNKNOWN : review_status_parse(status);
  *pending = *want == REVIEW_PENDING;
  if (!*all && *want == REVIEW_UNKNOWN)
    kerr_field(ei, "status", "状態は pending（審査中）、approved（承認済み）、rejected（承認しない）、"
                             "all（すべて）のどれかで指定してください。");
}

int group_review_views(struct kctx *ctx, const struct groups_filter *f,
                       struct group_review_view **out, int *n, struct kerrinfo *ei) {
  *out = NULL;
  *n = 0;
  if (!desk_is_staff(ctx)) return kerr_set(ei, KERR_FORBIDDEN, NULL);
  int pending, all, rc;
  enum review_status want;
  struct keyword k;
  read_status(f, &pending, &all, &want, ei);
  read_keyword(f ? f->q : NULL, &k, ei);
  if (ei->fields) return kerr_set(ei, KERR_VALIDATION, NULL);
  /* RULE: a look-up of groups by staff lists representatives: audited (as
  ** user.search); the queue of applications is their work list. */
  if ((!pending || k.key[0]) && (rc = trail_view(ctx, "group.search", k.key, NULL, 0)))
    return kerr_set(ei, rc, NULL);
  int64_t gid = 0;
  if (k.key[0] && ids_parse(k.key, &gid) != 0) gid = 0;
  /* Oldest application first: the order staff should work through them. */
  kstmt *st = db_prep(ctx->db,
                      "SELECT g.id, g.name, g.name_kana, g.members, g.resident_members,"
                      " g.status, g.valid_until, g.created_at, g.renewal_status,"
                      " g.renewal_members, g.renewal_resident_members, g.renewal_requested_at,"
                      " g.representative_id, a.name"
                      " FROM groups g JOIN accounts a ON a.id = g.representative_id"
                      " WHERE (($pending AND (g.status = 'pending' OR g.renewal_status = 'pending'))"
                      "  OR $all OR (NOT $pending AND g.status = $status))"
                      " AND ($q IS NULL OR g.id = $gid OR instr(lower(g.name), lower($q)) > 0"
                      "  OR instr(g.name, $qh) > 0 OR instr(g.name, $qk) > 0"
                      "  OR instr(g.name_kana, $qh) > 0 OR instr(g.name_kana, $qk) > 0)"
                      " ORDER BY COALESCE(g.renewal_requested_at, g.created_at), g.id"
                      " LIMIT 1000");
  if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
  db_bind_int(st, "$pending", pending);
  db_bind_int(st, "$all", all);
  db_bind_text(st, "$status", all ? "" : review_status_name(want));
  db_bind_int(st, "$gid", gid);
  bind_keyword(st, &k);
  struct group_review_view *v = NULL;
  int cap = 0;
  while ((rc = db_step(st)) == DB_ROW) {
    if (vec_grow((void **)&v, *n, &cap, sizeof *v)) {
      rc = DB_ERROR;
      break;
    }
    review_of_row(ctx, st, pending, &v[(*n)++]);
  }
  rc = vec_rows_end(st, rc, v, (void **)out, n);
  return rc ? kerr_set(ei, rc, NULL) : 0;
}

json_t *group_review_view_json(const struct group_review_view *v) {
  char at[26];
  clock_format_instant(v->created_at, at);
  json_t *o = json_pack(
      "{s:o, s:s, s:s, s:I, s:I, s:s, s:o, s:o, s:s, s:o}", "id", ids_json(v->id), "name",
      v->name, "name_kana", v->name_kana, "members", (json_int_t)v->members, "resident_members",
      (json_int_t)v->resident_members, "status", review_status_name(v->status), "valid_until",
      group_date_or_null(v->valid_until), "created_at",
      v->created_at ? json_string(at) : json_null(), "application",
      v->queue ? (v->renewal ? "renewal" : "new") : "", "representative",
      group_person(v->rep_id, v->rep_name));
  if (o && !v->queue) json_object_del(o, "application");
  if (o) json_object_set_new(o, "verified_residents", json_integer(v->verified_residents));
  return o;
}

int groups_list(struct kctx *ctx, const struct groups_filter *f, json_t **out,
                struct kerrinfo *ei) {
  struct group_review_view *v;
  int n, rc = group_review_views(ctx, f, &v, &n, ei);
  *out = NULL;
  if (rc) return rc;
  json_t *list = json_array();
  for (int i = 0; i < n; i++) json_array_append_new(list, group_review_view_json(&v[i]));
  free(v);
  *out = json_pack("{s:o}", "groups", list);
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}

/* A row of the queries below (a group's id, name, status and valid_until,
** then the name of the account's role) into *G, valid as of NOW. */
static void view_of_row(kstmt *st, int32_t now, struct group_view *g) {
  memset(g, 0, sizeof *g);
  g->id = db_col_int(st, 0);
  snprintf(g->name, sizeof g->name, "%s", db_col_text(st, 1));
  g->status = review_status_parse(db_col_text(st, 2));
  if (!db_col_null(st, 3)) (void)date_parse(db_col_text(st, 3), &g->valid_until);
  g->valid = g->status == REVIEW_APPROVED && g->valid_until >= now;
  g->role = group_role_parse(db_col_text(st, 4));
}

int group_view_of(struct kctx *ctx, int64_t id, int64_t account, struct group_view *v) {
  memset(v, 0, sizeof *v);
  kstmt *st = db_prep(ctx->db,
                      "SELECT g.id, g.name, g.status, g.valid_until,"
                      " CASE WHEN g.representative_id = $a THEN 'representative'"
                      " WHEN EXISTS (SELECT 1 FROM group_reps r WHERE r.group_id = g.id"
                      " AND r.account_id = $a) THEN 'co_representative' END"
                      " FROM groups g WHERE g.id = $g");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$g", id);
  db_bind_int(st, "$a", account);
  int rc = db_step(st);
  if (rc == DB_ROW) view_of_row(st, group_today(ctx), v);
  db_reset(st);
  if (rc == DB_DONE) return KERR_NOT_FOUND;
  return rc == DB_ROW ? 0 : kerr_from_db(rc);
}

int group_views_of_account(struct kctx *ctx, int64_t account, struct group_view **out, int *n) {
  *out = NULL;
  *n = 0;
  kstmt *st = db_prep(ctx->db,
                      "SELECT g.id, g.name, g.status, g.valid_until, 'representative'"
                      " FROM groups g WHERE g.representative_id = $a"
                      " UNION ALL"
                      " SELECT g.id, g.name, g.status, g.valid_until, 'co_representative'"
                      " FROM group_reps r JOIN groups g ON g.id = r.group_id"
                      " WHERE r.account_id = $a ORDER BY 2, 1");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$a", account);
  struct group_view *v = NULL;
  int rc, cap = 0;
  int32_t now = group_today(ctx);
  while ((rc = db_step(st)) == DB_ROW) {
    if (vec_grow((void **)&v, *n, &cap, sizeof *v)) {
      rc = DB_ERROR;
      break;
    }
    view_of_row(st, now, &v[(*n)++]);
  }
  return vec_rows_end(st, rc, v, (void **)out, n);
}

json_t *group_view_json(const struct group_view *v) {
  return json_pack("{s:o, s:s, s:s, s:o, s:b, s:s}", "id", ids_json(v->id), "name", v->name,
                   "status", review_status_name(v->status), "valid_until",
                   group_date_or_null(v->valid_until), "valid", v->valid, "role",
                   group_role_name(v->role));
}

int groups_of_account(struct kctx *ctx, int64_t account, json_t **out) {
  struct group_view *v;
  int n, rc = group_views_of_account(ctx, account, &v, &n);
  *out = NULL;
  if (rc) return rc;
  json_t *list = json_array();
  for (int i = 0; i < n; i++) json_array_append_new(list, group_view_json(&v[i]));
  free(v);
  *out = list;
  return 0;
}

/* ======================================================== the public list */

void group_public_views_free(struct group_public_view *v, int n) {
  for (int i = 0; v && i < n; i++) {
    free(v[i].name);
    free(v[i].name_kana);
    free(v[i].activity);
    free(v[i].centers);
  }
  free(v);
}

/* F's centre: a code the centres table holds (every code the rule book has
** or had), else a field error at "center": never an empty list that reads
** "no group there". */
static void check_center(struct kctx *ctx, const char *center, struct kerrinfo *ei) {
  if (!center || !*center ||
      db_exists(ctx->db, "SELECT 1 FROM centers WHERE code = $c", DB_T("$c", center)))
    return;
  char msg[256];
  snprintf(msg, sizeof msg,
           "公民館「%.*s」はありません。一覧から選ぶか、公民館のコード（例: chuo）で指定してください。",
           (int)text_utf8_prefix(center, 40), center);
  kerr_field(ei, "center", msg);
}

/* One row of group_public_views' query: a new group into *V (when its ID
** is not *CUR's), then the row's centre, if any, onto the last. -1 when out
** of memory. */
static int public_row(struct kctx *ctx, kstmt *st, struct group_public_view **v, int *n, int *cap,
                      int64_t *cur) {
  if (!*n || db_col_int(st, 0) != *cur) {
    if (vec_grow((void **)v, *n, cap, sizeof **v)) return -1;
    struct group_public_view *g = &(*v)[(*n)++];
    memset(g, 0, sizeof *g);
    *cur = db_col_int(st, 0);
    g->name = strdup(db_col_text(st, 1));
    g->name_kana = strdup(db_col_text(st, 2));
    g->activity = strdup(db_col_text(st, 3));
    if (!g->name || !g->name_kana || !g->activity) return -1;
  }
  if (db_col_null(st, 4)) return 0;
  struct group_public_view *g = &(*v)[*n - 1];
  struct group_public_center *c = realloc(g->centers, sizeof *c * (size_t)(g->ncenters + 1));
  if (!c) return -1;
  g->centers = c;
  c += g->ncenters++;
  const char *code = db_col_text(st, 4);
  const struct center *ce = rules_center(ctx->rb, code);
  snprintf(c->code, sizeof c->code, "%s", code);
  snprintf(c->name, sizeof c->name, "%s", ce ? ce->name : code);
  return 0;
}

int group_public_views(struct kctx *ctx, const struct groups_public_filter *f,
                       struct group_public_view **out, int *n, struct kerrinfo *ei) {
  char day[11], since[11];
  struct keyword k;
  *out = NULL;
  *n = 0;
  const char *center = f && f->center && *f->center ? f->center : NULL;
  check_center(ctx, center, ei);
  read_keyword(f ? f->q : NULL, &k, ei);
  if (ei->fields) return kerr_set(ei, KERR_VALIDATION, NULL);
  date_format(group_today(ctx), day);
  date_format(group_today(ctx) - 365, since);
  kstmt *st = db_prep(ctx->db,
                      "SELECT g.id, g.name, g.name_kana, g.activity, u.center"
                      " FROM groups g LEFT JOIN (SELECT DISTINCT group_id, center FROM bookings"
                      "  WHERE group_id IS NOT NULL AND status IN ('confirmed', 'checked_in')"
                      "  AND date >= $since) u ON u.group_id = g.id"
                      " WHERE g.public_listing = 1 AND g.status = 'approved'"
                      " AND g.valid_until >= $today"
                      " AND ($center IS NULL OR EXISTS (SELECT 1 FROM bookings b"
                      "  WHERE b.group_id = g.id AND b.center = $center AND b.date >= $since"
                      "  AND b.status IN ('confirmed', 'checked_in')))"
                      " AND ($q IS NULL OR instr(lower(g.name), lower($q)) > 0"
                      "  OR instr(g.name, $qh) > 0 OR instr(g.name, $qk) > 0"
                      "  OR instr(g.name_kana, $qh) > 0 OR instr(g.name_kana, $qk) > 0"
                      "  OR instr(lower(g.activity), lower($q)) > 0"
                      "  OR instr(g.activity, $qh) > 0 OR instr(g.activity, $qk) > 0)"
                      " ORDER BY g.name_kana, g.id, u.center");
  if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
  db_bind_text(st, "$since", since);
  db_bind_text(st, "$today", day);
  db_bind_text(st, "$center", center);
  bind_keyword(st, &k);
  struct group_public_view *v = NULL;
  int rc, cap = 0;
  int64_t cur = 0;
  while ((rc = db_step(st)) == DB_ROW)
    if (public_row(ctx, st, &v, n, &cap, &cur)) {
      rc = DB_ERROR;
      break;
    }
  db_reset(st);
  if (rc != DB_DONE) {
    group_public_views_free(v, *n);
    *n = 0;
    return kerr_set(ei, rc == DB_ERROR ? KERR_INTERNAL : kerr_from_db(rc), NULL);
  }
  *out = v;
  return 0;
}

json_t *group_public_view_json(const struct group_public_view *v) {
  json_t *centers = json_array();
  for (int i = 0; centers && i < v->ncenters; i++)
    json_array_append_new(centers, json_pack("{s:s, s:s}", "code", v->centers[i].code, "name",
                                             v->centers[i].name));
  return json_pack("{s:s, s:s, s:s, s:o}", "name", v->name, "name_kana", v->name_kana,
                   "activity", v->activity, "centers", centers);
}

static json_t *public_json_of(const void *v) { return group_public_view_json(v); }

int groups_public(struct kctx *ctx, const struct groups_public_filter *f, json_t **out,
                  struct kerrinfo *ei) {
  struct group_public_view *v;
  char day[11];
  int n, rc = group_public_views(ctx, f, &v, &n, ei);
  *out = NULL;
  if (rc) return rc;
  date_format(group_today(ctx), day);
  json_t *list = vec_json("groups", v, n, sizeof *v, public_json_of);
  group_public_views_free(v, n);
  if (list) *out = json_pack("{s:s, s:O}", "date", day, "groups", json_object_get(list, "groups"));
  json_decref(list);
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}

/* One CSV field. Text typed by citizens goes to a spreadsheet on the city's
** PCs, so a leading = + - @ is defused with an apostrophe (CSV injection). */
static void field(struct csvbuf *b, const char *s, int last) {
  csv_field_as(b, s, CSV_QUOTE_ALL | CSV_DEFUSE);
  if (last) csv_end_row(b);
}

char *groups_public_csv(const json_t *list, size_t *len) {
  struct csvbuf b = {0};
  size_t i, j;
  json_t *g, *c;
  static const char head[] = "\xef\xbb\xbf" "団体名,ふりがな,活動内容,利用している公民館\r\n";
  csv_raw(&b, head, sizeof head - 1);
  json_array_foreach(json_object_get(list, "groups"), i, g) {
    struct csvbuf centres = {0};
    json_array_foreach(json_object_get(g, "centers"), j, c) {
      if (j) csv_raw(&centres, "・", strlen("・"));
      const char *n = json_string_value(json_object_get(c, "name"));
      csv_raw(&centres, n ? n : "", n ? strlen(n) : 0);
    }
    field(&b, json_string_value(json_object_get(g, "name")), 0);
    field(&b, json_string_value(json_object_get(g, "name_kana")), 0);
    field(&b, json_string_value(json_object_get(g, "activity")), 0);
    field(&b, centres.p ? centres.p : "", 1);
    if (centres.oom) b.oom = 1;
    csv_free(&centres);
  }
  if (b.oom) {
    csv_free(&b);
    return NULL;
  }
  *len = b.n;
  return b.p;
}

/* ============================================================ for bookings */

int groups_may_book(struct kctx *ctx, int64_t group, int64_t account, int32_t day,
                    struct kerrinfo *ei) {
  struct grow g;
  int rc = group_load(ctx, group, &g);
  if (rc) return kerr_set(ei, rc, NULL);
  if (group_member_role(ctx, &g, account) == NOT_MEMBER) return kerr_set(ei, KERR_NOT_FOUND, NULL);
  if (!group_valid_on(&g, day)) {
    char msg[256], until[11];
    if (g.status == REVIEW_APPROVED && g.valid_until) {
      date_format(g.valid_until, until);
      snprintf(msg, sizeof msg,
               "この団体の登録は %s で期限が切れています（利用日に有効ではありません）。"
               "更新を申請してください。",
               until);
    } else {
      snprintf(msg, sizeof msg, "この団体の登録はまだ承認されていません。");
    }
    kerr_set(ei, KERR_VALIDATION, "%s", msg);   /* the message first: the first error wins */
    kerr_field(ei, "group_id", msg);
    return KERR_VALIDATION;
  }
  return 0;
}

int groups_me(struct kctx *ctx, json_t **out) {
  json_t *groups = NULL;
  int rc = accounts_me(ctx, out);
  if (rc) return rc;
  if ((rc = groups_of_account(ctx, ctx->actor.account_id, &groups))) {
    json_decref(*out);
    *out = NULL;
    return rc;
  }
  json_object_set_new(*out, "groups", groups);
  return 0;
}
