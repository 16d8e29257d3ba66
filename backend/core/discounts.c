/*
** core/discounts.c: fee exemptions (減免) (see discounts.h).
**
** Shape of every write, as in core/bookings.c: check the request and the rule
** book first; then, in ONE db_begin_write() transaction, re-read what the
** decision depends on, write, log the event, commit. Any failure rolls back:
** nothing is stored.
*/
#include "discounts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "clock.h"
#include "desk.h"
#include "groups.h"
#include "ids.h"
#include "oidc.h"
#include "input.h"
#include "notify.h"
#include "payments.h"
#include "status.h"
#include "text.h"
#include "vec.h"

#define REASON_MAX 500        /* characters */
#define EVIDENCE_MAX 500

/* ============================================================ the fee */

int64_t discount_yen(int64_t base, int rate) {
  if (base <= 0 || rate <= 0) return 0;
  if (rate >= 100) return base;
  /* RULE: rounding. The fee payable is rounded down to the yen (integer
  ** division of non-negative numbers truncates, i.e. floors); the discount is
  ** what that takes off. */
  int64_t payable = base * (100 - rate) / 100;
  return base - payable;
}

int32_t discounts_validity_end(const struct discount_cat *d, int32_t from) {
  if (d->valid_kind == VALID_DAYS && d->valid_days > 0) return from + d->valid_days - 1;
  return date_fiscal_year_end(from);
}

/* UNTIL, or the day before the first version of RB after FROM (up to UNTIL)
** that no longer has category CODE: an approval never says it lasts past
** its category's abolition (that version's fees carry no discount for it). */
static int32_t until_abolished(const struct rulebook *rb, const char *code, int32_t from,
                               int32_t until) {
  for (int i = 0; rb && i < rb->nversions; i++) {
    const struct rules *v = &rb->versions[i];
    if (v->effective_from > from && v->effective_from <= until && !rules_discount(v, code))
      return v->effective_from - 1;
  }
  return until;
}

int discounts_best(struct kctx *ctx, int64_t group, int32_t day, const struct rules *r,
                   int64_t base, int64_t *discount, char *code, size_t codelen) {
  char date[11], best[32] = "";
  int best_rate = 0, rc;
  *discount = 0;
  if (codelen) code[0] = 0;
  if (!group || !r || base <= 0) return 0;
  date_format(day, date);
  /* RULE: one approval for every centre: the group's approvals valid on the
  ** use date, wherever the room is. */
  kstmt *st = db_prep(ctx->db,
                      "SELECT category FROM discount_applications WHERE group_id = $g"
                      " AND status = 'approved' AND valid_from <= $day AND valid_until >= $day");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$g", group);
  db_bind_text(st, "$day", date);
  while ((rc = db_step(st)) == DB_ROW) {
    /* RULE: the version in force on the use date decides: a category it
    ** abolished gives nothing, a changed rate applies from its effective date. */
    const struct discount_cat *d = rules_discount(r, db_col_text(st, 0));
    if (!d) continue;
    int64_t yen = discount_yen(base, d->rate);
    /* RULE: two categories: the most favourable one (the largest discount;
    ** ties by the higher rate, then the code in byte order, so the choice
    ** is stable). */
    int better = yen > *discount ||
                 (yen == *discount &&
                  (d->rate > best_rate ||
                   (d->rate == best_rate && (!best[0] || strcmp(d->code, best) < 0))));
    if (yen > 0 && better) {
      *discount = yen;
      best_rate = d->rate;
      snprintf(best, sizeof best, "%s", d->code);
    }
  }
  db_reset(st);
  if (rc != DB_DONE) {
    *discount = 0;
    return kerr_from_db(rc);
  }
  if (codelen) snprintf(code, codelen, "%s", best);
  return 0;
}

/* ============================================================ helpers */

static int is_admin(const struct kctx *ctx) { return (ctx->actor.role & ROLE_ADMIN) != 0; }
static int32_t today(const struct kctx *ctx) { return clock_today(ctx->now); }

/* The version in force today; before the first takes effect, the first (the
** rule book is published ahead). */
static const struct rules *rules_today(const struct kctx *ctx) {
  const struct rules *r = rules_in_force(ctx->rb, today(ctx));
  if (!r && ctx->rb && ctx->rb->nversions > 0) r = &ctx->rb->versions[0];
  return r;
}

/* The category CODE as published: in today's version, else in the newest
** version that has it (an abolished category still has a name). *NOW (may
** be NULL) is 1 when today's version has it. */
static const struct discount_cat *category(const struct kctx *ctx, const char *code, int *now) {
  const struct rules *r = rules_today(ctx);
  const struct discount_cat *d = r ? rules_discount(r, code) : NULL;
  if (now) *now = d != NULL;
  for (int i = ctx->rb ? ctx->rb->nversions - 1 : -1; !d && i >= 0; i--)
    d = rules_discount(&ctx->rb->versions[i], code);
  return d;
}

/* One usage-log event: the group as a pseudonym, the category code and
** figures in the detail; never the reason or the evidence note. */
static int ev(struct kctx *ctx, const char *action, int64_t group, int64_t app_id,
              const char *code, const char *valid_until, int repriced) {
  json_t *d = json_pack("{s:I, s:s}", "application_id", (json_int_t)app_id, "category", code);
  if (!d) return KERR_INTERNAL;
  if (valid_until) json_object_set_new(d, "valid_until", json_string(valid_until));
  if (repriced >= 0) json_object_set_new(d, "repriced", json_integer(repriced));
  char *detail = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(d);
  if (!detail) return KERR_INTERNAL;
  struct audit_fields f = {.subject_group = group, .detail_json = detail};
  int rc = audit_event(ctx, action, &f);
  free(detail);
  return rc;
}

/* ====================================================== the JSON view */

static char *dup_or_null(kstmt *st, int i) {
  return db_col_null(st, i) ? NULL : strdup(db_col_text(st, i));
}

/* One row of "SELECT a.id, a.group_id, g.name, a.category, a.reason,
** a.evidence, a.status, a.applied_at, a.decided_at, a.decision_reason,
** a.valid_from, a.valid_until FROM discount_applications a JOIN groups g"
** (the column list spelt out in each query: SQL is constant text) into *V.
** -1 when out of memory (*V freed). */
static int row_view(struct kctx *ctx, kstmt *st, struct discount_app_view *v) {
  memset(v, 0, sizeof *v);
  v->id = db_col_int(st, 0);
  v->group_id = db_col_int(st, 1);
  snprintf(v->category, sizeof v->category, "%s", db_col_text(st, 3));
  v->status = review_status_parse(db_col_text(st, 6));
  v->applied_at = db_col_null(st, 7) ? 0 : db_col_int(st, 7);
  v->decided_at = db_col_null(st, 8) ? 0 : db_col_int(st, 8);
  if (!db_col_null(st, 10)) snprintf(v->valid_from, sizeof v->valid_from, "%s", db_col_text(st, 10));
  if (!db_col_null(st, 11))
    snprintf(v->valid_until, sizeof v->valid_until, "%s", db_col_text(st, 11));
  int offered = 0;
  const struct discount_cat *d = category(ctx, v->category, &offered);
  char t[11];
  date_format(today(ctx), t);
  v->in_force = v->status == REVIEW_APPROVED && v->valid_from[0] && v->valid_until[0] &&
                strcmp(v->valid_from, t) <= 0 && strcmp(v->valid_until, t) >= 0;
  /* The category's name and rate in the version in force today; a category
  ** abolished since keeps its name, with no rate and "abolished". */
  v->category_name = d ? d->name : NULL;
  v->rate = offered && d ? d->rate : -1;
  v->abolished = !offered;
  v->group_name = strdup(db_col_text(st, 2));
  v->reason = strdup(db_col_text(st, 4));
  v->evidence = dup_or_null(st, 5);
  v->decision_reason = dup_or_null(st, 9);
  if (v->group_name && v->reason && (v->evidence || db_col_null(st, 5)) &&
      (v->decision_reason || db_col_null(st, 9)))
    return 0;
  discount_app_views_free(v, 1);
  return -1;
}

void discount_app_views_free(struct discount_app_view *v, int n) {
  for (int i = 0; v && i < n; i++) {
    free(v[i].group_name);
    free(v[i].reason);
    free(v[i].evidence);
    free(v[i].decision_reason);
  }
}

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

static json_t *instant_or_null(int64_t t) {
  char s[26];
  if (!t) return json_null();
  clock_format_instant(t, s);
  return json_string(s);
}

json_t *discount_app_view_json(const struct discount_app_view *v) {
  json_t *o = json_pack(
      "{s:I, s:o, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:b}", "id",
      (json_int_t)v->id, "group_id", ids_json(v->group_id), "group_name", v->group_name,
      "category", v->category, "reason", v->reason, "evidence", str_or_null(v->evidence),
      "status", review_status_name(v->status), "applied_at", instant_or_null(v->applied_at),
      "decided_at", instant_or_null(v->decided_at), "decision_reason",
      str_or_null(v->decision_reason), "valid_from",
      str_or_null(v->valid_from[0] ? v->valid_from : NULL), "valid_until",
      str_or_null(v->valid_until[0] ? v->valid_until : NULL), "in_force", v->in_force);
  if (!o) return NULL;
  json_object_set_new(o, "category_name", json_string(discount_app_category_name(v)));
  json_object_set_new(o, "rate", v->rate >= 0 ? json_integer(v->rate) : json_null());
  if (v->abolished) json_object_set_new(o, "abolished", json_true());
  return o;
}

const char *discount_app_category_name(const struct discount_app_view *v) {
  return v->category_name ? v->category_name : v->category;
}

/* Rows of ST into *OUT (malloc'd, *N of them; ST is reset). */
static int views(struct kctx *ctx, kstmt *st, struct discount_app_view **out, int *n) {
  struct discount_app_view *v = NULL;
  int rc, cap = 0;
  *out = NULL;
  *n = 0;
  while ((rc = db_step(st)) == DB_ROW) {
    if (vec_grow((void **)&v, *n, &cap, sizeof *v) || row_view(ctx, st, &v[*n])) {
      rc = DB_ERROR;
      break;
    }
    (*n)++;
  }
  db_reset(st);
  if (rc != DB_DONE) {
    discount_app_views_free(v, *n);
    free(v);
    *n = 0;
    return rc == DB_ERROR ? KERR_INTERNAL : kerr_from_db(rc);
  }
  *out = v;
  return 0;
}

/* Views V (N of them, freed here) as a new array; NULL when out of memory. */
static json_t *views_json(struct discount_app_view *v, int n) {
  json_t *arr = json_array();
  for (int i = 0; i < n; i++) {
    json_t *o = discount_app_view_json(&v[i]);
    if (!o || json_array_append_new(arr, o)) {
      json_decref(arr);
      arr = NULL;
      break;
    }
  }
  discount_app_views_free(v, n);
  free(v);
  return arr;
}

/* Rows of ST into a new array (ST is reset). */
static int rows(struct kctx *ctx, kstmt *st, json_t **out) {
  struct discount_app_view *v;
  int n, rc = views(ctx, st, &v, &n);
  if (rc) return rc;
  *out = views_json(v, n);
  return *out ? 0 : KERR_INTERNAL;
}

/* The application ID as JSON (no access check). */
static int app_json(struct kctx *ctx, int64_t id, json_t **out) {
  *out = NULL;
  kstmt *st = db_prep(ctx->db,
                      "SELECT a.id, a.group_id, g.name, a.category, a.reason, a.evidence,"
                      " a.status, a.applied_at, a.decided_at, a.decision_reason, a.valid_from,"
                      " a.valid_until FROM discount_applications a JOIN groups g"
                      " ON g.id = a.group_id WHERE a.id = $id");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", id);
  json_t *arr = NULL;
  int rc = rows(ctx, st, &arr);
  if (rc) return rc;
  if (json_array_size(arr) == 1) *out = json_incref(json_array_get(arr, 0));
  json_decref(arr);
  return *out ? 0 : KERR_NOT_FOUND;
}

/* ======================================================= loading one */

struct app {
  int64_t id, group_id;
  char category[32];
  enum review_status status;
};

static int load(struct kctx *ctx, int64_t id, struct app *a) {
  memset(a, 0, sizeof *a);
  if (id <= 0) return KERR_NOT_FOUND;
  kstmt *st = db_prep(ctx->db,
                      "SELECT group_id, category, status FROM discount_applications WHERE id = $id");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", id);
  int rc = db_step(st);
  if (rc == DB_ROW) {
    a->id = id;
    a->group_id = db_col_int(st, 0);
    snprintf(a->category, sizeof a->category, "%s", db_col_text(st, 1));
    a->status = review_status_parse(db_col_text(st, 2));
  }
  db_reset(st);
  if (rc == DB_DONE) return KERR_NOT_FOUND;
  return rc == DB_ROW ? 0 : kerr_from_db(rc);
}

/* Load ID if the actor may see it (staff, admins, the group's
** representatives); KERR_NOT_FOUND for anyone else. */
static int load_visible(struct kctx *ctx, int64_t id, struct app *a) {
  int rc = load(ctx, id, a);
  if (rc) return rc;
  if (!desk_is_staff(ctx) && !groups_represents(ctx, a->group_id, ctx->actor.account_id))
    return KERR_NOT_FOUND;
  return 0;
}

/* The last day of GROUP's approvals of CODE (0 when none). */
static int approved_until(struct kctx *ctx, int64_t group, const char *code, int32_t *until) {
  *until = 0;
  kstmt *st = db_prep(ctx->db,
                      "SELECT max(valid_until) FROM discount_applications WHERE group_id = $g"
                      " AND category = $c AND status = 'approved'");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$g", group);
  db_bind_text(st, "$c", code);
  int rc = db_step(st);
  if (rc == DB_ROW && !db_col_null(st, 0) && date_parse(db_col_text(st, 0), until) != 0)
    *until = 0;
  db_reset(st);
  return rc == DB_ROW ? 0 : kerr_from_db(rc);
}

/* 1 in *YES when GROUP has a pending application for CODE. */
static int pending_exists(struct kctx *ctx, int64_t group, const char *code, int *yes) {
  kstmt *st = db_prep(ctx->db,
                      "SELECT 1 FROM discount_applications WHERE group_id = $g"
                      " AND category = $c AND status = 'pending'");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$g", group);
  db_bind_text(st, "$c", code);
  int rc = db_step(st);
  *yes = rc == DB_ROW;
  db_reset(st);
  return rc == DB_ROW || rc == DB_DONE ? 0 : kerr_from_db(rc);
}

/* ============================================================== apply */

static void bad_field(struct kerrinfo *ei, int *bad, const char *field, const char *msg) {
  kerr_field(ei, field, msg);
  (*bad)++;
}

/* Free text of up to MAX characters: no control characters but newlines. */
static int text_ok(const char *s, size_t max) {
  return text_utf8_len(s) <= max && !text_has_control(s);
}

#define APP_CODE_MAX 64
#define APP_TEXT_MAX 4096

/* The fields of an application (POST /api/v1/discounts) into GID, CODE
** (APP_CODE_MAX bytes), REASON and EVIDENCE (APP_TEXT_MAX bytes each).
** 0, or KERR_VALIDATION with every bad field in EI. */
static int read_application(const json_t *in, int64_t *gid, char *code, char *reason,
                            char *evidence, int *has_evidence, struct kerrinfo *ei) {
  char msg[512];
  int bad = 0, rc;
  json_t *g = json_object_get(in, "group_id");
  if (!g || json_is_null(g) || (json_is_string(g) && !*json_string_value(g))) {
    bad_field(ei, &bad, "group_id", "減免を申請する団体の団体IDを入力してください。");
  } else if ((rc = ids_parse_json(g, gid)) != IDS_OK) {
    ids_message(rc, "団体ID", msg, sizeof msg);
    bad_field(ei, &bad, "group_id", msg);
  }
  rc = input_text(in, "category", code, APP_CODE_MAX);
  if (rc == INPUT_MISSING)
    bad_field(ei, &bad, "category", "減免の区分を選んでください。");
  else if (rc == INPUT_BAD)
    bad_field(ei, &bad, "category", "減免の区分は、区分コード（community など）で指定してください。");
  rc = input_text(in, "reason", reason, APP_TEXT_MAX);
  if (rc == INPUT_MISSING)
    bad_field(ei, &bad, "reason",
              "申請の理由（どのような活動に使うのか、なぜ基準に当てはまるのか）を入力してください。");
  else if (rc == INPUT_BAD || !text_ok(reason, REASON_MAX))
    bad_field(ei, &bad, "reason", "申請の理由は500文字以内で入力してください。");
  rc = input_text(in, "evidence", evidence, APP_TEXT_MAX);
  *has_evidence = rc == INPUT_OK;
  if (rc == INPUT_BAD || (rc == INPUT_OK && !text_ok(evidence, EVIDENCE_MAX)))
    bad_field(ei, &bad, "evidence", "証明書類についてのメモは500文字以内で入力してください。");
  return bad ? kerr_set(ei, KERR_VALIDATION, NULL) : 0;
}

int discounts_apply(struct kctx *ctx, const json_t *in, json_t **out, struct kerrinfo *ei) {
  int64_t id = 0;
  *out = NULL;
  int rc = discounts_apply_id(ctx, in, &id, ei);
  if (!rc) rc = app_json(ctx, id, out);
  return rc ? kerr_set(ei, rc, NULL) : 0;
}

int discounts_apply_id(struct kctx *ctx, const json_t *in, int64_t *id, struct kerrinfo *ei) {
  return discounts_apply_keyed(ctx, in, NULL, NULL, NULL, id, NULL, ei);
}

/* The application the actor made with KEY, into *ID (0: none), and whether
** it was made from the very details GID, CODE, REASON and EVIDENCE (NULL:
** none) (*SAME). Inside the write transaction, so that a twin post
** committed a moment ago is seen. */
static int find_keyed(struct kctx *ctx, const char *key, int64_t gid, const char *code,
                      const char *reason, const char *evidence, int64_t *id, int *same) {
  *id = 0;
  *same = 0;
  kstmt *st = db_prep(ctx->db,
                      "SELECT id, group_id, category, reason, evidence FROM discount_applications"
                      " WHERE applied_by = $by AND idempotency_key = $key");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$by", ctx->actor.account_id);
  db_bind_text(st, "$key", key);
  int rc = db_step(st);
  if (rc == DB_ROW) {
    *id = db_col_int(st, 0);
    *same = db_col_int(st, 1) == gid && !strcmp(db_col_text(st, 2), code) &&
            !strcmp(db_col_text(st, 3), reason) &&
            (db_col_null(st, 4) ? !evidence : evidence && !strcmp(db_col_text(st, 4), evidence));
  }
  db_reset(st);
  return rc == DB_ROW || rc == DB_DONE ? 0 : kerr_from_db(rc);
}

/* The category CODE as published in the version in force today (*D, its
** version *R), and whether the actor may apply for it. 0 or a KERR code
** with EI set. */
static int category_for(struct kctx *ctx, const char *code, const struct rules **r,
                        const struct discount_cat **d, struct kerrinfo *ei) {
  char msg[512];
  *r = rules_today(ctx);
  *d = *r ? rules_discount(*r, code) : NULL;
  if (!*d) {
    snprintf(msg, sizeof msg,
             "「%.*s」という減免の区分はありません。区分と基準は「使用料の減免の基準」"
             "のページ (/rules/discounts) で確かめてください。",
             (int)text_utf8_prefix(code, 40), code);
    kerr_set(ei, KERR_VALIDATION, "%s", msg);
    kerr_field(ei, "category", msg);
    return KERR_VALIDATION;
  }
  /* RULE: a category may require residency verified with the My Number card
  ** (rule book requires_verified_resident; docs/identity.md). */
  if ((*d)->verified_resident && !oidc_verified_resident(ctx, ctx->actor.account_id))
    return kerr_set(ei, KERR_RESIDENCY, "この区分は、マイナンバーカードで市内在住を確認した方だけが申請できます。"
                                        "マイページでカードを登録してから申請してください。");
  return 0;
}

/* The group GID: the applicant represents it (else it does not exist for
** them), it is approved and its registration valid today. 0 or a KERR code
** with EI set. */
static int group_for(struct kctx *ctx, int64_t gid, struct kerrinfo *ei) {
  char msg[512];
  struct kerrinfo scratch = {0};
  int rc = groups_may_book(ctx, gid, ctx->actor.account_id, today(ctx), &scratch);
  if (rc == KERR_NOT_FOUND) {
    kerr_clear(&scratch);
    return kerr_set(ei, KERR_NOT_FOUND, "団体が見つかりません（団体IDを確かめてください）。");
  }
  if (rc == KERR_VALIDATION) {
    snprintf(msg, sizeof msg, "減免を申請できるのは、登録が承認され、有効期間内の団体だけです。%s",
             scratch.message);
    kerr_clear(&scratch);
    kerr_set(ei, KERR_VALIDATION, "%s", msg);
    kerr_field(ei, "group_id", msg);
    return KERR_VALIDATION;
  }
  kerr_clear(&scratch);
  return rc ? kerr_set(ei, rc, NULL) : 0;
}

/* RULE: one open application per group and category; an approval still
** running may be renewed for the next period (as group registration is),
** but not twice. 0 or KERR_CONFLICT with EI set. */
static int none_open(struct kctx *ctx, int64_t gid, const struct discount_cat *d,
                     struct kerrinfo *ei) {
  int open = 0, rc;
  if ((rc = pending_exists(ctx, gid, d->code, &open))) return rc;
  if (open)
    return kerr_set(ei, KERR_CONFLICT,
                    "この団体の「%s」の申請は、すでに受け付けて審査中です。結果が出るまでお待ちください。",
                    d->name);
  int32_t until = 0;
  if ((rc = approved_until(ctx, gid, d->code, &until))) return rc;
  if (until && until > discounts_validity_end(d, today(ctx))) {
    char u[48];
    clock_jdate_short(until, u, sizeof u);
    return kerr_set(ei, KERR_CONFLICT,
                    "この団体の「%s」は%sまで承認されていて、次の期間の分も済んでいます。",
                    d->name, u);
  }
  return 0;
}

/* A form's key: 1..DISCOUNTS_KEY_MAX printable ASCII characters. */
static int key_ok(const char *key) {
  size_t n = strlen(key);
  int ok = n >= 1 && n <= DISCOUNTS_KEY_MAX;
  for (size_t i = 0; ok && i < n; i++) ok = key[i] > 0x20 && key[i] < 0x7f;
  return ok;
}

int discounts_apply_keyed(struct kctx *ctx, const json_t *in, const char *key,
                          int (*then)(struct kctx *ctx, int64_t app_id, void *arg,
                                      struct kerrinfo *ei),
                          void *arg, int64_t *id, int *replayed, struct kerrinfo *ei) {
  char code[APP_CODE_MAX], reason[APP_TEXT_MAX], evidence[APP_TEXT_MAX];
  int64_t gid = 0, made = 0;
  int rc, has_evidence = 0, same = 0;
  *id = 0;
  if (replayed) *replayed = 0;
  if (ctx->actor.role != ROLE_CITIZEN || ctx->actor.account_id <= 0)
    return kerr_set(ei, KERR_FORBIDDEN,
                    "減免の申請は、団体の代表者か副代表者が、自分のアカウントで行ってください。");
  if (key && !key_ok(key)) /* the form's own random hex; anything else is not from our page */
    return kerr_set(ei, KERR_BAD_REQUEST, "申請の画面が正しくありません。"
                                          "「減免を申請する」から、もう一度はじめてください。");

  /* ---- the request, field by field ---- */
  if (read_application(in, &gid, code, reason, evidence, &has_evidence, ei)) return KERR_VALIDATION;

  /* ---- one write transaction ---- */
  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  if (key && (rc = find_keyed(ctx, key, gid, code, reason, has_evidence ? evidence : NULL, &made,
                              &same)))
    goto fail;
  if (made) {
    /* The same post again (a reload of the receipt page, a double click):
    ** the application it made, and nothing new, whatever became of it since. */
    db_rollback(ctx->db);
    if (!same)
      return kerr_set(ei, KERR_CONFLICT,
                      "この申請の画面からは、別の内容の減免をすでに申請しました。"
                      "この内容でもう1つ申請するときは、もう一度「減免を申請する」を押してください。");
    *id = made;
    if (replayed) *replayed = 1;
    return 0;
  }
  const struct rules *r;
  const struct discount_cat *d;
  if ((rc = category_for(ctx, code, &r, &d, ei)) || (rc = group_for(ctx, gid, ei)) ||
      (rc = none_open(ctx, gid, d, ei)))
    goto fail;

  if ((rc = db_run(ctx->db,
                   "INSERT INTO discount_applications(group_id, category, reason, evidence,"
                   " status, rules_version, applied_by, applied_at, idempotency_key)"
                   " VALUES ($g, $c, $reason, $evidence, 'pending', $version, $by, $now, $key)",
                   DB_I("$g", gid), DB_T("$c", d->code), DB_T("$reason", reason),
                   DB_T("$evidence", has_evidence ? evidence : NULL), DB_T("$version", r->version),
                   DB_I("$by", ctx->actor.account_id), DB_I("$now", ctx->now),
                   DB_T("$key", key))) != DB_OK) {
    /* the UNIQUE index over pending rows: a concurrent twin won */
    rc = rc == DB_CONSTRAINT
             ? kerr_set(ei, KERR_CONFLICT,
                        "この団体の「%s」の申請は、すでに受け付けて審査中です。", d->name)
             : kerr_from_db(rc);
    goto fail;
  }
  made = db_last_id(ctx->db);
  if ((rc = ev(ctx, "discount.apply", gid, made, d->code, NULL, -1))) goto fail;
  if (then && (rc = then(ctx, made, arg, ei))) goto fail;
  if ((rc = db_commit(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  *id = made;
  return 0;

fail:
  db_rollback(ctx->db);
  return kerr_set(ei, rc ? rc : KERR_INTERNAL, NULL);
}

/* ========================================================= reading */

int discounts_get(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei) {
  struct app a;
  *out = NULL;
  int rc = load_visible(ctx, id, &a);
  if (rc == KERR_NOT_FOUND) return kerr_set(ei, rc, "減免の申請が見つかりません。");
  if (!rc) rc = app_json(ctx, id, out);
  return rc ? kerr_set(ei, rc, NULL) : 0;
}

int discount_app_views_list(struct kctx *ctx, const char *status, const char *group_id,
                            struct discount_app_view **out, int *n, struct kerrinfo *ei) {
  int64_t gid = 0;
  kstmt *st;
  int rc;
  *out = NULL;
  *n = 0;
  if (status && !*status) status = NULL;
  if (group_id && !*group_id) group_id = NULL;

  if (status) {
    /* The review queue is the admins'. */
    if (!is_admin(ctx))
      return kerr_set(ei, KERR_FORBIDDEN, "申請の一覧 (status) を見られるのは管理者だけです。");
    if (review_status_parse(status) == REVIEW_UNKNOWN) {
      kerr_field(ei, "status", "status は pending、approved、rejected のどれかを指定してください。");
      return kerr_set(ei, KERR_VALIDATION, NULL);
    }
  }
  if (group_id) {
    char msg[256];
    if ((rc = ids_parse(group_id, &gid)) != IDS_OK) {
      ids_message(rc, "団体ID", msg, sizeof msg);
      kerr_field(ei, "group_id", msg);
      return kerr_set(ei, KERR_VALIDATION, NULL);
    }
    /* a group the caller does not represent does not exist for them */
    int exists = 0;
    st = db_prep(ctx->db, "SELECT 1 FROM groups WHERE id = $g");
    if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
    db_bind_int(st, "$g", gid);
    rc = db_step(st);
    exists = rc == DB_ROW;
    db_reset(st);
    if (rc != DB_ROW && rc != DB_DONE) return kerr_set(ei, kerr_from_db(rc), NULL);
    if (!exists || (!desk_is_staff(ctx) && !groups_represents(ctx, gid, ctx->actor.account_id)))
      return kerr_set(ei, KERR_NOT_FOUND, "団体が見つかりません（団体IDを確かめてください）。");
  }

  if (status) {
    st = db_prep(ctx->db,
                 "SELECT a.id, a.group_id, g.name, a.category, a.reason, a.evidence,"
                 " a.status, a.applied_at, a.decided_at, a.decision_reason, a.valid_from,"
                 " a.valid_until FROM discount_applications a JOIN groups g"
                 " ON g.id = a.group_id WHERE a.status = $status"
                 " AND ($g IS NULL OR a.group_id = $g)"
                 " ORDER BY a.applied_at, a.id LIMIT 1000");
    if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
    db_bind_text(st, "$status", status);
    if (gid) db_bind_int(st, "$g", gid);
    else db_bind_null(st, "$g");
  } else if (gid) {
    st = db_prep(ctx->db,
                 "SELECT a.id, a.group_id, g.name, a.category, a.reason, a.evidence,"
                 " a.status, a.applied_at, a.decided_at, a.decision_reason, a.valid_from,"
                 " a.valid_until FROM discount_applications a JOIN groups g"
                 " ON g.id = a.group_id WHERE a.group_id = $g"
                 " ORDER BY a.applied_at DESC, a.id DESC LIMIT 1000");
    if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
    db_bind_int(st, "$g", gid);
  } else if (ctx->actor.role == ROLE_CITIZEN && ctx->actor.account_id > 0) {
    /* a citizen's own groups */
    st = db_prep(ctx->db,
                 "SELECT a.id, a.group_id, g.name, a.category, a.reason, a.evidence,"
                 " a.status, a.applied_at, a.decided_at, a.decision_reason, a.valid_from,"
                 " a.valid_until FROM discount_applications a JOIN groups g"
                 " ON g.id = a.group_id WHERE a.group_id IN"
                 " (SELECT id FROM groups WHERE representative_id = $a"
                 "  UNION SELECT group_id FROM group_reps WHERE account_id = $a)"
                 " ORDER BY a.applied_at DESC, a.id DESC LIMIT 1000");
    if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
    db_bind_int(st, "$a", ctx->actor.account_id);
  } else {
    kerr_field(ei, "status", "status=pending（審査待ち）か group_id を指定してください。");
    return kerr_set(ei, KERR_VALIDATION, "status=pending（審査待ち）か group_id を指定してください。");
  }
  return (rc = views(ctx, st, out, n)) ? kerr_set(ei, rc, NULL) : 0;
}

int discounts_list(struct kctx *ctx, const char *status, const char *group_id, json_t **out,
                   struct kerrinfo *ei) {
  struct discount_app_view *v;
  int n, rc = discount_app_views_list(ctx, status, group_id, &v, &n, ei);
  *out = NULL;
  if (rc) return rc;
  json_t *arr = views_json(v, n);
  *out = arr ? json_pack("{s:o}", "applications", arr) : NULL;
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}

int discount_app_views_of_group(struct kctx *ctx, int64_t group, struct discount_app_view **out,
                                int *n) {
  *out = NULL;
  *n = 0;
  kstmt *st = db_prep(ctx->db,
                      "SELECT a.id, a.group_id, g.name, a.category, a.reason, a.evidence,"
                      " a.status, a.applied_at, a.decided_at, a.decision_reason, a.valid_from,"
                      " a.valid_until FROM discount_applications a JOIN groups g"
                      " ON g.id = a.group_id WHERE a.group_id = $g"
                      " ORDER BY a.applied_at DESC, a.id DESC LIMIT 100");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$g", group);
  return views(ctx, st, out, n);
}

int discounts_of_group(struct kctx *ctx, int64_t group, json_t **out) {
  struct discount_app_view *v;
  int n, rc = discount_app_views_of_group(ctx, group, &v, &n);
  *out = NULL;
  if (rc) return rc;
  *out = views_json(v, n);
  return *out ? 0 : KERR_INTERNAL;
}

/* ====================================================== re-pricing */

/* 1 in *PAID when booking ID has money paid at the counter (core/payments.c:
** payments net of refunds above 0). A paid booking keeps the fee it was paid
** at; "not yet paid" is "not cancelled and nothing paid". */
static int booking_paid(struct kctx *ctx, int64_t id, int *paid) {
  int64_t net = 0;
  int rc = payment_paid(ctx, id, &net);
  *paid = net > 0;
  return rc;
}

struct repr {
  int64_t id, room_id, base, discount;
  int32_t day;
  char date[11], center[32], slots[RULES_MAX_SLOTS * 25], code[32], version[32];
};

/* Inside the approval's write transaction: bring the stored fee of each of
** GROUP's bookings used FROM..UNTIL that is neither cancelled nor lapsed nor
** paid up to date with the group's approvals (discounts_best), and log each
** change. *N gets the number of bookings whose fee changed. */
static int reprice(struct kctx *ctx, int64_t group, int32_t from, int32_t until, int *n) {
  char f[11], u[11];
  struct repr *v = NULL;
  size_t nv = 0, cap = 0;
  int rc;
  *n = 0;
  date_format(from, f);
  date_format(until, u);
  /* RULE: every centre: no centre in the condition. A hold past its expiry
  ** has lapsed even if nothing marked it yet (bookings.h). */
  kstmt *st = db_prep(ctx->db,
                      "SELECT id, date, fee_base, fee_discount, discount_code, rules_version,"
                      " center, room_id, slots FROM bookings WHERE group_id = $g"
                      " AND date >= $from AND date <= $until"
                      " AND status NOT IN ('cancelled', 'lapsed')"
                      " AND NOT (status = 'held' AND hold_expires_at <= $now)"
                      " ORDER BY date, id");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$g", group);
  db_bind_text(st, "$from", f);
  db_bind_text(st, "$until", u);
  db_bind_int(st, "$now", ctx->now);
  while ((rc = db_step(st)) == DB_ROW) {
    if (nv == cap) {
      size_t ncap = cap ? cap * 2 : 16;
      struct repr *nvp = realloc(v, ncap * sizeof *v);
      if (!nvp) {
        rc = DB_ERROR;
        break;
      }
      v = nvp;
      cap = ncap;
    }
    struct repr *b = &v[nv++];
    memset(b, 0, sizeof *b);
    b->id = db_col_int(st, 0);
    snprintf(b->date, sizeof b->date, "%s", db_col_text(st, 1));
    if (date_parse(b->date, &b->day) != 0) b->day = 0;
    b->base = db_col_int(st, 2);
    b->discount = db_col_int(st, 3);
    snprintf(b->code, sizeof b->code, "%s", db_col_text(st, 4));
    snprintf(b->version, sizeof b->version, "%s", db_col_text(st, 5));
    snprintf(b->center, sizeof b->center, "%s", db_col_text(st, 6));
    b->room_id = db_col_int(st, 7);
    snprintf(b->slots, sizeof b->slots, "%s", db_col_text(st, 8));
  }
  db_reset(st);
  if (rc != DB_DONE) {
    free(v);
    return rc == DB_ERROR ? KERR_INTERNAL : kerr_from_db(rc);
  }

  rc = 0;
  for (size_t i = 0; i < nv && !rc; i++) {
    struct repr *b = &v[i];
    int paid = 0;
    int64_t disc = 0;
    char code[32];
    if ((rc = booking_paid(ctx, b->id, &paid)) || paid) continue;
    /* The rates of the version the booking was priced under: the one in
    ** force on its use date. */
    const struct rules *r = rules_of_booking(ctx->rb, b->version, NULL);
    if (!r) r = rules_in_force(ctx->rb, b->day);
    if ((rc = discounts_best(ctx, group, b->day, r, b->base, &disc, code, sizeof code))) break;
    if (disc == b->discount && !strcmp(code, b->code)) continue;
    if ((rc = db_run(ctx->db,
                     "UPDATE bookings SET fee_discount = $d, fee_total = fee_base - $d,"
                     " discount_code = $code WHERE id = $id",
                     DB_I("$d", disc), DB_T("$code", code[0] ? code : NULL), DB_I("$id", b->id))) !=
        DB_OK) {
      rc = kerr_from_db(rc);
      break;
    }
    char detail[160];
    snprintf(detail, sizeof detail,
             "{\"booking_id\":%lld,\"discount\":%lld,\"discount_code\":\"%s\"}",
             (long long)b->id, (long long)disc, code);
    struct audit_fields af = {.center = b->center,
                              .room_id = b->room_id,
                              .date = b->date,
                              .slot = b->slots,
                              .subject_group = group,
                              .amount = b->base - disc,
                              .detail_json = detail};
    if ((rc = audit_event(ctx, "booking.discount", &af))) break;
    (*n)++;
  }
  free(v);
  return rc;
}

/* ============================================================ decide */

int discounts_decide(struct kctx *ctx, int64_t id, const json_t *in, json_t **out,
                     struct kerrinfo *ei) {
  char decision[32], reason[4096], from_s[11], until_s[11];
  struct app a;
  int bad = 0, rc, has_reason, approve = 0, repriced = 0;
  *out = NULL;
  if (!is_admin(ctx)) return kerr_set(ei, KERR_FORBIDDEN, "減免の審査は管理者が行います。");

  rc = input_text(in, "decision", decision, sizeof decision);
  enum review_status dec = rc == INPUT_OK ? review_status_parse(decision) : REVIEW_UNKNOWN;
  if (dec == REVIEW_APPROVED) approve = 1;
  else if (dec != REVIEW_REJECTED)
    bad_field(ei, &bad, "decision", "decision は approved（承認）か rejected（不承認）を指定してください。");
  rc = input_text(in, "reason", reason, sizeof reason);
  has_reason = rc == INPUT_OK;
  if (rc == INPUT_BAD || (has_reason && !text_ok(reason, REASON_MAX)))
    bad_field(ei, &bad, "reason", "理由は500文字以内で入力してください。");
  else if (!approve && !has_reason && !bad)
    /* RULE: a rejection states its reason; the group reads it. */
    bad_field(ei, &bad, "reason", "承認しない理由を入力してください（申請した団体に伝わります）。");
  if (bad) {
    /* a missing application is still a 404 first */
    if ((rc = load(ctx, id, &a)) == KERR_NOT_FOUND) {
      kerr_clear(ei);
      return kerr_set(ei, rc, "減免の申請が見つかりません。");
    }
    return kerr_set(ei, KERR_VALIDATION, NULL);
  }

  /* ---- one write transaction: the decision and the re-pricing ---- */
  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  if ((rc = load(ctx, id, &a))) {
    rc = rc == KERR_NOT_FOUND ? kerr_set(ei, rc, "減免の申請が見つかりません。") : rc;
    goto fail;
  }
  if (a.status != REVIEW_PENDING) {
    rc = kerr_set(ei, KERR_CONFLICT, "この申請はすでに審査が済んでいます（%s）。",
                  a.status == REVIEW_APPROVED ? "承認" : "不承認");
    goto fail;
  }
  if (approve) {
    const struct rules *r = rules_today(ctx);
    const struct discount_cat *d = r ? rules_discount(r, a.category) : NULL;
    if (!d) {
      rc = kerr_set(ei, KERR_VALIDATION,
                    "「%s」の区分は、いま使われている規則（版: %s）にはありません（廃止されました）。"
                    "承認はできないので、理由を添えて不承認にしてください。",
                    a.category, r ? r->version : "-");
      kerr_field(ei, "decision", ei->message);
      goto fail;
    }
    /* RULE: an approval runs from the decision date to the end of the
    ** category's validity, or to the eve of the category's abolition by a
    ** version already in the rule book; a renewal follows the current
    ** approval without a gap. */
    int32_t from = today(ctx), prev = 0;
    if ((rc = approved_until(ctx, a.group_id, a.category, &prev))) goto fail;
    if (prev && prev + 1 > from) from = prev + 1;
    int32_t until = until_abolished(ctx->rb, a.category, from, discounts_validity_end(d, from));
    date_format(from, from_s);
    date_format(until, until_s);
    if ((rc = db_run(ctx->db,
                     "UPDATE discount_applications SET status = 'approved', decided_by = $by,"
                     " decided_at = $now, decision_reason = $reason, valid_from = $from,"
                     " valid_until = $until WHERE id = $id AND status = 'pending'",
                     DB_T("$from", from_s), DB_T("$until", until_s),
                     DB_I("$by", ctx->actor.account_id), DB_I("$now", ctx->now),
                     DB_T("$reason", has_reason ? reason : NULL), DB_I("$id", id))) != DB_OK) {
      rc = kerr_from_db(rc);
      goto fail;
    }
    /* RULE: the approval reaches the group's bookings made before it, at
    ** every centre, in the same transaction. */
    if ((rc = reprice(ctx, a.group_id, from, until, &repriced))) goto fail;
    if ((rc = ev(ctx, "discount.approve", a.group_id, id, a.category, until_s, repriced)))
      goto fail;
  } else {
    if ((rc = db_run(ctx->db,
                     "UPDATE discount_applications SET status = 'rejected', decided_by = $by,"
                     " decided_at = $now, decision_reason = $reason WHERE id = $id"
                     " AND status = 'pending'",
                     DB_I("$by", ctx->actor.account_id), DB_I("$now", ctx->now),
                     DB_T("$reason", reason), DB_I("$id", id))) != DB_OK) {
      rc = kerr_from_db(rc);
      goto fail;
    }
    if ((rc = ev(ctx, "discount.reject", a.group_id, id, a.category, NULL, -1))) goto fail;
  }
  if ((rc = notify_discount_decision(ctx, id, approve, has_reason ? reason : NULL))) goto fail;
  if ((rc = db_commit(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  if ((rc = app_json(ctx, id, out))) return kerr_set(ei, rc, NULL);
  if (approve) json_object_set_new(*out, "repriced", json_integer(repriced));
  return 0;

fail:
  db_rollback(ctx->db);
  return kerr_set(ei, rc ? rc : KERR_INTERNAL, NULL);
}

int discounts_group_get(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei) {
  int rc = groups_get(ctx, id, out, ei);
  json_t *discounts = NULL;
  if (!rc && (rc = discounts_of_group(ctx, id, &discounts)) == 0)
    json_object_set_new(*out, "discounts", discounts);
  if (rc) {
    json_decref(*out);
    *out = NULL;
  }
  return rc ? kerr_set(ei, rc, NULL) : 0;
}
