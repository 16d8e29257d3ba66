/*
** core/course_apps.c: applications to courses, the draw and the waiting list
** (see courses.h; the lottery itself is core/lottery.c).
**
** Every decision about places is made inside one db_begin_write()
** transaction that re-reads the places given (accepted, and offers not yet
** lapsed) before it writes: the writers are serialised, so two applicants can
** never both take the last place.
*/
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "clock.h"
#include "courses.h"
#include "ids.h"
#include "input.h"
#include "lottery.h"
#include "notify.h"
#include "rounds.h"
#include "status.h"
#include "vec.h"

struct course_row {
  int64_t id, lottery_id, capacity, max_companions;
  char center[32], title[400], allocation[16], apply_from[11], apply_until[11], first_date[11];
};

static int load_course(struct kctx *ctx, int64_t id, struct course_row *c) {
  kstmt *st = db_prep(ctx->db,
                      "SELECT id, lottery_id, capacity, max_companions, center, title,"
                      " allocation, apply_from, apply_until, first_date FROM courses"
                      " WHERE id = $id");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", id);
  int rc = db_step(st);
  if (rc == DB_ROW) {
    c->id = db_col_int(st, 0);
    c->lottery_id = db_col_null(st, 1) ? 0 : db_col_int(st, 1);
    c->capacity = db_col_int(st, 2);
    c->max_companions = db_col_int(st, 3);
    snprintf(c->center, sizeof c->center, "%s", db_col_text(st, 4));
    snprintf(c->title, sizeof c->title, "%s", db_col_text(st, 5));
    snprintf(c->allocation, sizeof c->allocation, "%s", db_col_text(st, 6));
    snprintf(c->apply_from, sizeof c->apply_from, "%s", db_col_text(st, 7));
    snprintf(c->apply_until, sizeof c->apply_until, "%s", db_col_text(st, 8));
    snprintf(c->first_date, sizeof c->first_date, "%s", db_col_text(st, 9));
  }
  db_reset(st);
  return rc == DB_ROW ? 0 : rc == DB_DONE ? KERR_NOT_FOUND : kerr_from_db(rc);
}

/* ------------------------------------------------ notification hook */

/* Tell the applicant of APP what happened (KIND: "course.accepted",
** "course.waitlisted", "course.offer", "course.offer_lapsed"), inside the write transaction of the
** change: a usage-log event, and the message through the outbox
** (core/notify.h; nothing when mail is off). */
static int notify(struct kctx *ctx, const struct course_row *c, int64_t app,
                  int64_t account, const char *kind) {
  char detail[96];
  snprintf(detail, sizeof detail, "{\"course_id\":%lld,\"application_id\":%lld}",
           (long long)c->id, (long long)app);
  struct audit_fields f = {.center = c->center, .subject_account = account,
                           .detail_json = detail};
  int rc = audit_event(ctx, kind, &f);
  if (rc) return rc;
  enum course_note what = !strcmp(kind, "course.accepted")     ? COURSE_ACCEPTED
                          : !strcmp(kind, "course.waitlisted") ? COURSE_WAITLISTED
                          : !strcmp(kind, "course.offer")      ? COURSE_OFFER
                                                               : COURSE_OFFER_LAPSED;
  return notify_course(ctx, app, what);
}

/* ------------------------------------------------- the typed views */

/* The application in the current row of ST (app_view_of's columns). */
static void app_of_row(kstmt *st, struct course_app_view *a) {
  a->id = db_col_int(st, 0);
  a->course_id = db_col_int(st, 1);
  a->account_id = db_col_int(st, 2);
  a->companions = db_col_int(st, 3);
  a->status = course_app_status_parse(db_col_text(st, 4));
  a->offer_expires_at = db_col_null(st, 5) ? 0 : db_col_int(st, 5);
  a->created_at = db_col_int(st, 6);
  snprintf(a->title, sizeof a->title, "%s", db_col_text(st, 7));
  snprintf(a->center, sizeof a->center, "%s", db_col_text(st, 8));
  snprintf(a->first_date, sizeof a->first_date, "%s", db_col_text(st, 9));
  a->allocation = course_allocation_parse(db_col_text(st, 10));
  a->lottery_id = db_col_null(st, 11) ? 0 : db_col_int(st, 11);
  if (!db_col_null(st, 12) && a->status == COURSE_APP_WAITLISTED)
    a->waitlist_position = db_col_int(st, 12);
}

/* Application APP as its view into *A. 0, KERR_NOT_FOUND or a KERR code. */
static int app_view_of(struct kctx *ctx, int64_t app, struct course_app_view *a) {
  kstmt *st = db_prep(ctx->db,
                      "SELECT a.id, a.course_id, a.account_id, a.companions, a.status,"
                      " a.offer_expires_at, a.created_at, c.title, c.center, c.first_date,"
                      " c.allocation, c.lottery_id, a.queue_pos FROM course_applications a"
                      " JOIN courses c ON c.id = a.course_id WHERE a.id = $id");
  memset(a, 0, sizeof *a);
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", app);
  int rc = db_step(st);
  if (rc == DB_ROW) app_of_row(st, a);
  db_reset(st);
  return rc == DB_ROW ? 0 : rc == DB_DONE ? KERR_NOT_FOUND : kerr_from_db(rc);
}

json_t *course_app_view_json(const struct course_app_view *a) {
  char at[32];
  clock_format_instant(a->created_at, at);
  json_t *o = json_pack("{s:I, s:I, s:o, s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
                        (json_int_t)a->id, "course_id", (json_int_t)a->course_id, "system_id",
                        ids_json(a->account_id), "companions", (json_int_t)a->companions,
                        "status", course_app_status_name(a->status), "created_at", at, "title",
                        a->title, "center", a->center, "first_date", a->first_date,
                        "allocation", course_allocation_name(a->allocation));
  if (o && a->offer_expires_at) {
    clock_format_instant(a->offer_expires_at, at);
    json_object_set_new(o, "offer_expires_at", json_string(at));
  }
  if (o && a->lottery_id) json_object_set_new(o, "lottery_id", json_integer(a->lottery_id));
  if (o && a->waitlist_position)
    json_object_set_new(o, "waitlist_position", json_integer(a->waitlist_position));
  return o;
}

json_t *courses_application_json(struct kctx *ctx, int64_t app) {
  struct course_app_view a;
  return app_view_of(ctx, app, &a) ? NULL : course_app_view_json(&a);
}

static int reply_app(struct kctx *ctx, int64_t app, json_t **out, struct kerrinfo *ei) {
  *out = courses_application_json(ctx, app);
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}

/* ------------------------------------------------- the waiting list */

/* Inside a write transaction: offer the places now free of course C to the
** next on its waiting list, in order (an application whose party does not fit
** the places left waits for the next place; those behind it that fit are
** offered). An offer is held for COURSES_OFFER_HOURS, never past the start of
** the first session's day. */
static int offer_free_places(struct kctx *ctx, const struct course_row *c) {
  int64_t taken = 0, ids[64], need[64], accounts[64];
  int n = 0, rc;
  if ((rc = courses_places_taken(ctx, c->id, &taken))) return rc;
  int64_t left = c->capacity - taken;
  if (left <= 0) return 0;
  kstmt *st = db_prep(ctx->db,
                      "SELECT id, 1 + companions, account_id FROM course_applications"
                      " WHERE course_id = $id AND status = 'waitlisted'"
                      " ORDER BY queue_pos, id LIMIT 64");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", c->id);
  while (n < 64 && (rc = db_step(st)) == DB_ROW) {
    ids[n] = db_col_int(st, 0);
    need[n] = db_col_int(st, 1);
    accounts[n++] = db_col_int(st, 2);
  }
  db_reset(st);
  int32_t first = 0;
  date_parse(c->first_date, &first);
  int64_t until = ctx->now + COURSES_OFFER_HOURS * 3600;
  if (first && clock_local(first, 0) < until) until = clock_local(first, 0);
  if (until <= ctx->now) return 0; /* the course has begun: nobody can still join */
  for (int i = 0; i < n && left > 0; i++) {
    if (need[i] > left) continue;
    if ((rc = db_run(ctx->db,
                     "UPDATE course_applications SET status = 'offered',"
                     " offer_expires_at = $until, decided_at = $now WHERE id = $id",
                     DB_I("$until", until), DB_I("$now", ctx->now), DB_I("$id", ids[i]))) != DB_OK)
      return kerr_from_db(rc);
    if ((rc = notify(ctx, c, ids[i], accounts[i], "course.offer"))) return rc;
    left -= need[i];
  }
  return 0;
}

/* --------------------------------------------------------- applying */

/* The status a new application of NEED people gets, decided inside the
** write transaction. */
static int decide(struct kctx *ctx, const struct course_row *c, int64_t need,
                  enum course_app_status *status, int64_t *queue_pos) {
  int64_t taken = 0;
  int rc;
  *queue_pos = 0;
  if (c->lottery_id) {
    *status = COURSE_APP_APPLIED;
    return 0;
  }
  /* RULE: first come, first served, never over the capacity. */
  if ((rc = courses_places_taken(ctx, c->id, &taken))) return rc;
  if (taken + need <= c->capacity) {
    *status = COURSE_APP_ACCEPTED;
    return 0;
  }
  *status = COURSE_APP_WAITLISTED;
  *queue_pos = 1;
  rc = db_get_int64(ctx->db, queue_pos,
                    "SELECT coalesce(max(queue_pos), 0) + 1 FROM course_applications"
                    " WHERE course_id = $id",
                    DB_I("$id", c->id));
  return rc == DB_ROW ? 0 : kerr_from_db(rc);
}

static int insert_app(struct kctx *ctx, const struct course_row *c, long long companions,
                      enum course_app_status status, int64_t queue_pos, int64_t *app,
                      struct kerrinfo *ei) {
  int rc = db_run(ctx->db,
                  "INSERT INTO course_applications(course_id, account_id, companions,"
                  " status, queue_pos, created_at, decided_at) VALUES ($c, $a, $n,"
                  " $status, $pos, $now, $decided)",
                  DB_I("$c", c->id), DB_I("$a", ctx->actor.account_id), DB_I("$n", companions),
                  DB_T("$status", course_app_status_name(status)),
                  queue_pos ? DB_I("$pos", queue_pos) : DB_T("$pos", NULL), DB_I("$now", ctx->now),
                  status != COURSE_APP_APPLIED ? DB_I("$decided", ctx->now) : DB_T("$decided", NULL));
  /* RULE: one application per person per course (a partial UNIQUE index). */
  if (rc == DB_CONSTRAINT)
    return kerr_set(ei, KERR_CONFLICT, "この講座にはすでに申し込んでいます。");
  if (rc != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  *app = db_last_id(ctx->db);
  return 0;
}

int courses_apply(struct kctx *ctx, int64_t id, const json_t *body, json_t **out,
                  struct kerrinfo *ei) {
  struct course_row c;
  long long companions = 0;
  int64_t app = 0, pos = 0;
  enum course_app_status status;
  int rc;
  *out = NULL;
  if (ctx->actor.role != ROLE_CITIZEN || !ctx->actor.account_id)
    return kerr_set(ei, KERR_FORBIDDEN, "講座には利用者本人のアカウントで申し込んでください。");
  courses_sweep(ctx);
  if ((rc = load_course(ctx, id, &c))) return kerr_set(ei, rc, "その講座はありません。");
  /* read without an upper bound, so that the message says which side is wrong:
  ** below 0 (or no whole number) and above the course's limit are not the same mistake */
  rc = body ? input_int(body, "companions", ctx->form, 0, LLONG_MAX, &companions) : INPUT_MISSING;
  if (rc == INPUT_BAD) {
    kerr_field(ei, "companions", input_int_message(body, "companions", ctx->form,
                                                   "同伴者の人数は0人以上の整数で入力してください。"));
    return kerr_set(ei, KERR_VALIDATION, NULL);
  }
  if (companions > c.max_companions) {
    char msg[128];
    if (c.max_companions == 0) snprintf(msg, sizeof msg, "この講座は同伴者なしで申し込んでください。");
    else snprintf(msg, sizeof msg, "同伴者はこの講座では%lld人までです。", (long long)c.max_companions);
    kerr_field(ei, "companions", msg);
    return kerr_set(ei, KERR_VALIDATION, NULL);
  }
  int32_t a = 0, b = 0;
  date_parse(c.apply_from, &a);
  date_parse(c.apply_until, &b);
  /* RULE: applications from the start of apply_from to the end of
  ** apply_until, Asia/Tokyo. */
  if (ctx->now < clock_local(a, 0))
    return kerr_set(ei, KERR_OUTSIDE_WINDOW, "申し込みは%sから受け付けます。", c.apply_from);
  if (ctx->now >= clock_local(b + 1, 0))
    return kerr_set(ei, KERR_OUTSIDE_WINDOW, "申し込みは%sで締め切りました。", c.apply_until);

  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  if ((rc = decide(ctx, &c, 1 + companions, &status, &pos))) goto fail;
  if ((rc = insert_app(ctx, &c, companions, status, pos, &app, ei))) goto fail;
  struct audit_fields f = {.center = c.center};
  if ((rc = audit_event(ctx, "course.apply", &f))) goto fail;
  if ((rc = db_commit(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  return reply_app(ctx, app, out, ei);
fail:
  db_rollback(ctx->db);
  return kerr_set(ei, rc ? rc : KERR_INTERNAL, NULL);
}

int courses_my_application_views(struct kctx *ctx, struct course_app_view **out, int *n,
                                 struct kerrinfo *ei) {
  int64_t ids[500];
  int m = 0, rc = 0;
  *out = NULL;
  *n = 0;
  courses_sweep(ctx);
  kstmt *st = db_prep(ctx->db,
                      "SELECT a.id FROM course_applications a JOIN courses c"
                      " ON c.id = a.course_id WHERE a.account_id = $a"
                      " ORDER BY c.first_date DESC, a.id DESC LIMIT 500");
  if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
  db_bind_int(st, "$a", ctx->actor.account_id);
  while (m < 500 && db_step(st) == DB_ROW) ids[m++] = db_col_int(st, 0);
  db_reset(st);
  if (!(*out = calloc((size_t)(m ? m : 1), sizeof **out))) return kerr_set(ei, KERR_INTERNAL, NULL);
  for (int i = 0; !rc && i < m; i++)
    if (!(rc = app_view_of(ctx, ids[i], &(*out)[*n]))) (*n)++;
  if (!rc) return 0;
  free(*out);
  *out = NULL;
  *n = 0;
  return kerr_set(ei, rc, NULL);
}

static json_t *app_json_of(const void *a) { return course_app_view_json(a); }

int courses_my_applications(struct kctx *ctx, json_t **out, struct kerrinfo *ei) {
  struct course_app_view *a;
  int n, rc = courses_my_application_views(ctx, &a, &n, ei);
  *out = rc ? NULL : vec_json("applications", a, n, sizeof *a, app_json_of);
  free(a);
  return rc ? rc : *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}

/* -------------------------------------------- cancel, accept an offer */

struct app_row {
  int64_t id, course_id, account_id, offer_expires_at;
  enum course_app_status status;
};

static int load_app(struct kctx *ctx, int64_t id, struct app_row *a) {
  kstmt *st = db_prep(ctx->db,
                      "SELECT id, course_id, account_id, status, offer_expires_at"
                      " FROM course_applications WHERE id = $id");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", id);
  int rc = db_step(st);
  if (rc == DB_ROW) {
    a->id = db_col_int(st, 0);
    a->course_id = db_col_int(st, 1);
    a->account_id = db_col_int(st, 2);
    a->status = course_app_status_parse(db_col_text(st, 3));
    a->offer_expires_at = db_col_null(st, 4) ? 0 : db_col_int(st, 4);
  }
  db_reset(st);
  if (rc == DB_ROW && ctx->actor.role == ROLE_CITIZEN && a->account_id != ctx->actor.account_id)
    return KERR_NOT_FOUND; /* another person's application does not exist */
  return rc == DB_ROW ? 0 : rc == DB_DONE ? KERR_NOT_FOUND : kerr_from_db(rc);
}

static int set_status(struct kctx *ctx, int64_t app, enum course_app_status status) {
  return kerr_from_db(db_run(ctx->db,
                             "UPDATE course_applications SET status = $s, decided_at = $now,"
                             " cancelled_at = CASE WHEN $s = 'cancelled' THEN $now END"
                             " WHERE id = $id",
                             DB_T("$s", course_app_status_name(status)), DB_I("$now", ctx->now), DB_I("$id", app)));
}

/* Change application APP: the applicant (or, to cancel, staff). */
static int change(struct kctx *ctx, int64_t app, int accept, json_t **out, struct kerrinfo *ei) {
  struct app_row a = {0};
  struct course_row c;
  int rc;
  *out = NULL;
  courses_sweep(ctx);
  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  if ((rc = load_app(ctx, app, &a)) || (rc = load_course(ctx, a.course_id, &c))) goto fail;
  if (accept) {
    if (ctx->actor.account_id != a.account_id) {
      rc = kerr_set(ei, KERR_FORBIDDEN, "繰り上げの受諾は申込者本人が行います。");
      goto fail;
    }
    if (a.status != COURSE_APP_OFFERED || a.offer_expires_at <= ctx->now) {
      rc = kerr_set(ei, KERR_CONFLICT, "繰り上げの受付期限を過ぎたか、繰り上げの対象ではありません。");
      goto fail;
    }
    if ((rc = set_status(ctx, app, COURSE_APP_ACCEPTED))) goto fail;
  } else {
    if (a.status == COURSE_APP_CANCELLED || a.status == COURSE_APP_LAPSED) {
      rc = kerr_set(ei, KERR_CONFLICT, "この申し込みはすでに取り消されています。");
      goto fail;
    }
    int freed = a.status == COURSE_APP_ACCEPTED || a.status == COURSE_APP_OFFERED;
    if ((rc = set_status(ctx, app, COURSE_APP_CANCELLED))) goto fail;
    /* RULE: a place given back goes to the next on the waiting list. */
    if (freed && (rc = offer_free_places(ctx, &c))) goto fail;
  }
  struct audit_fields f = {.center = c.center, .subject_account = a.account_id};
  if ((rc = audit_event(ctx, accept ? "course.accept_offer" : "course.cancel", &f))) goto fail;
  if ((rc = db_commit(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  return reply_app(ctx, app, out, ei);
fail:
  db_rollback(ctx->db);
  return kerr_set(ei, rc ? rc : KERR_INTERNAL, NULL);
}

int courses_cancel_application(struct kctx *ctx, int64_t app, json_t **out,
                               struct kerrinfo *ei) {
  return change(ctx, app, 0, out, ei);
}

int courses_accept_offer(struct kctx *ctx, int64_t app, json_t **out, struct kerrinfo *ei) {
  return change(ctx, app, 1, out, ei);
}

/* ------------------------------------------ staff: the applicants */

void course_applicants_free(struct course_applicants *l) {
  if (!l) return;
  for (int i = 0; i < l->napps; i++) {
    free(l->apps[i].name);
    free(l->apps[i].phone);
    free(l->apps[i].email);
  }
  free(l->apps);
  free(l->same);
  memset(l, 0, sizeof *l);
}

/* The applicant in the current row of ST into L's next; the IDs of the
** group_concat in column 7 onto L's same. 0, or -1 when out of memory. */
static int applicant_of_row(kstmt *st, struct course_applicants *l, int *cap, int *scap) {
  if (vec_grow((void **)&l->apps, l->napps, cap, sizeof *l->apps)) return -1;
  struct course_applicant_view *a = &l->apps[l->napps++];
  memset(a, 0, sizeof *a);
  a->id = db_col_int(st, 0);
  a->account_id = db_col_int(st, 1);
  a->name = strdup(db_col_text(st, 2));
  a->phone = strdup(db_col_text(st, 3));
  a->email = strdup(db_col_text(st, 4));
  a->companions = db_col_int(st, 5);
  a->status = course_app_status_parse(db_col_text(st, 6));
  a->first = l->nsame;
  const char *s = db_col_text(st, 7);
  while (*s) {
    char *end;
    if (vec_grow((void **)&l->same, l->nsame, scap, sizeof *l->same)) return -1;
    l->same[l->nsame++] = strtoll(s, &end, 10);
    a->nsame++;
    s = *end == ',' ? end + 1 : end;
    if (end == s && !*end) break;
  }
  return a->name && a->phone && a->email ? 0 : -1;
}

int courses_applicant_views(struct kctx *ctx, int64_t id, struct course_applicants *l,
                            struct kerrinfo *ei) {
  struct course_row c;
  int rc, cap = 0, scap = 0;
  memset(l, 0, sizeof *l);
  if (!(ctx->actor.role & ROLE_DESK)) return kerr_set(ei, KERR_FORBIDDEN, NULL);
  if ((rc = load_course(ctx, id, &c))) return kerr_set(ei, rc, "その講座はありません。");
  l->course_id = id;
  /* RULE: one application per person; the same phone or email under other
  ** accounts is shown to staff, who judge. */
  kstmt *st = db_prep(
      ctx->db,
      "SELECT a.id, a.account_id, p.name, coalesce(p.phone, ''), coalesce(p.email, ''),"
      " a.companions, a.status, (SELECT group_concat(b.id) FROM course_applications b"
      " JOIN accounts q ON q.id = b.account_id WHERE b.course_id = a.course_id"
      " AND b.id <> a.id AND b.status NOT IN ('cancelled','lapsed')"
      " AND ((p.phone <> '' AND q.phone = p.phone) OR (p.email <> '' AND q.email = p.email)))"
      " FROM course_applications a JOIN accounts p ON p.id = a.account_id"
      " WHERE a.course_id = $id ORDER BY a.id");
  if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
  db_bind_int(st, "$id", id);
  while ((rc = db_step(st)) == DB_ROW)
    if (applicant_of_row(st, l, &cap, &scap)) break;
  db_reset(st);
  for (int i = 0; i < l->napps; i++) l->apps[i].same = l->same + l->apps[i].first;
  if (rc == DB_DONE) return 0;
  course_applicants_free(l);
  return kerr_set(ei, rc == DB_ROW ? KERR_INTERNAL : kerr_from_db(rc), NULL);
}

json_t *course_applicants_json(const struct course_applicants *l) {
  json_t *arr = json_array();
  for (int i = 0; arr && i < l->napps; i++) {
    const struct course_applicant_view *a = &l->apps[i];
    json_t *same = json_array();
    for (int k = 0; same && k < a->nsame; k++) json_array_append_new(same, json_integer(a->same[k]));
    json_array_append_new(
        arr, json_pack("{s:I, s:o, s:s, s:s, s:s, s:I, s:s, s:o}", "id", (json_int_t)a->id,
                       "system_id", ids_json(a->account_id), "name", a->name, "phone", a->phone,
                       "email", a->email, "companions", (json_int_t)a->companions, "status",
                       course_app_status_name(a->status), "same_contact", same));
  }
  return arr ? json_pack("{s:I, s:o}", "course_id", (json_int_t)l->course_id, "applications", arr)
             : NULL;
}

int courses_applications(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei) {
  struct course_applicants l;
  int rc = courses_applicant_views(ctx, id, &l, ei);
  *out = rc ? NULL : course_applicants_json(&l);
  course_applicants_free(&l); /* zeroed after an error */
  return rc || *out ? rc : kerr_set(ei, KERR_INTERNAL, NULL);
}

/* ------------------------------------------------------- the draw */

/* Inside a write transaction: draw course C. Places go in rank order to the
** applications whose party fits the places left; the rest wait, in rank
** order. */
static int draw(struct kctx *ctx, const struct course_row *c, struct kerrinfo *ei) {
  int n = 0, cap = 64, rc;
  int64_t *ids = malloc(sizeof *ids * (size_t)cap);
  if (!ids) return kerr_set(ei, KERR_INTERNAL, NULL);
  kstmt *st = db_prep(ctx->db,
                      "SELECT id FROM course_applications WHERE course_id = $id"
                      " AND status = 'applied' ORDER BY id");
  if (!st) goto oom;
  db_bind_int(st, "$id", c->id);
  while ((rc = db_step(st)) == DB_ROW) {
    if (n == cap) {
      int64_t *more = realloc(ids, sizeof *ids * (size_t)(cap *= 2));
      if (!more) {
        db_reset(st);
        goto oom;
      }
      ids = more;
    }
    ids[n++] = db_col_int(st, 0);
  }
  db_reset(st);
  if ((rc = lottery_draw(ctx, c->lottery_id, ids, n, ei))) goto done;
  int64_t left = c->capacity;
  for (int i = 0; i < n && !rc; i++) {
    st = db_prep(ctx->db,
                 "SELECT 1 + companions, account_id FROM course_applications WHERE id = $id");
    if (!st) goto oom;
    db_bind_int(st, "$id", ids[i]);
    int64_t need = db_step(st) == DB_ROW ? db_col_int(st, 0) : 1, who = db_col_int(st, 1);
    db_reset(st);
    int won = need <= left;
    if (won) left -= need;
    if ((rc = db_run(ctx->db,
                     "UPDATE course_applications SET status = $s, queue_pos = $pos,"
                     " decided_at = $now WHERE id = $id",
                     DB_T("$s", course_app_status_name(won ? COURSE_APP_ACCEPTED : COURSE_APP_WAITLISTED)), DB_I("$pos", i + 1),
                     DB_I("$now", ctx->now), DB_I("$id", ids[i]))) != DB_OK)
      rc = kerr_from_db(rc);
    else if (!(rc = lottery_record(ctx, c->lottery_id, i + 1, ids[i], won)))
      rc = notify(ctx, c, ids[i], who, won ? "course.accepted" : "course.waitlisted");
  }
  if (rc) kerr_set(ei, rc, NULL);
  goto done;
oom:
  rc = kerr_set(ei, KERR_INTERNAL, NULL);
done:
  free(ids);
  return rc;
}

int courses_draw(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei) {
  struct course_row c;
  int rc;
  *out = NULL;
  if (!(ctx->actor.role & ROLE_DESK)) return kerr_set(ei, KERR_FORBIDDEN, NULL);
  if ((rc = load_course(ctx, id, &c))) return kerr_set(ei, rc, "その講座はありません。");
  if (!c.lottery_id) return kerr_set(ei, KERR_CONFLICT, "この講座は先着順です。抽選はありません。");
  int32_t until = 0;
  date_parse(c.apply_until, &until);
  /* RULE: the draw comes after the application period ends. */
  if (ctx->now < clock_local(until + 1, 0))
    return kerr_set(ei, KERR_TOO_EARLY, "抽選は申し込みの締め切り（%s）の後に行えます。",
                    c.apply_until);
  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  if ((rc = draw(ctx, &c, ei))) {
    db_rollback(ctx->db);
    return rc;
  }
  struct audit_fields f = {.center = c.center};
  if ((rc = audit_event(ctx, "course.draw", &f))) {
    db_rollback(ctx->db);
    return kerr_set(ei, rc, NULL);
  }
  if ((rc = db_commit(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  return lottery_get(ctx, c.lottery_id, out, ei);
}

/* --------------------------------------------------------- the sweep */

/* Inside the sweep's transaction: the offers of course C not taken in time
** lapse, and each applicant is told. */
static int lapse_offers(struct kctx *ctx, const struct course_row *c) {
  int64_t ids[64], accounts[64];
  int n, rc = 0;
  do {
    n = 0;
    kstmt *st = db_prep(ctx->db,
                        "SELECT id, account_id FROM course_applications WHERE course_id = $id"
                        " AND status = 'offered' AND offer_expires_at <= $now LIMIT 64");
    if (!st) return KERR_INTERNAL;
    db_bind_int(st, "$id", c->id);
    db_bind_int(st, "$now", ctx->now);
    while (n < 64 && db_step(st) == DB_ROW) {
      ids[n] = db_col_int(st, 0);
      accounts[n++] = db_col_int(st, 1);
    }
    db_reset(st);
    for (int i = 0; i < n && !rc; i++) {
      rc = db_run(ctx->db, "UPDATE course_applications SET status = 'lapsed', decided_at = $now"
                           " WHERE id = $id",
                  DB_I("$now", ctx->now), DB_I("$id", ids[i])) == DB_OK
               ? 0
               : KERR_INTERNAL;
      if (!rc) rc = notify(ctx, c, ids[i], accounts[i], "course.offer_lapsed");
    }
  } while (n == 64 && !rc);
  return rc;
}

/* RULE: the draw is automatic at the deadline; an offer not taken in time
** lapses and goes to the next. */
int courses_sweep(struct kctx *ctx) {
  char today[11];
  int64_t due[16];
  int n = 0, rc;
  date_format(clock_today(ctx->now), today);
  kstmt *st = db_prep(ctx->db,
                      "SELECT c.id FROM courses c JOIN lotteries l ON l.id = c.lottery_id"
                      " WHERE l.drawn_at IS NULL AND c.apply_until < $today LIMIT 16");
  if (!st) return KERR_INTERNAL;
  db_bind_text(st, "$today", today);
  while (n < 16 && db_step(st) == DB_ROW) due[n++] = db_col_int(st, 0);
  db_reset(st);
  st = db_prep(ctx->db,
               "SELECT DISTINCT course_id FROM course_applications WHERE status = 'offered'"
               " AND offer_expires_at <= $now LIMIT 16");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$now", ctx->now);
  int64_t lapsing[16];
  int m = 0;
  while (m < 16 && db_step(st) == DB_ROW) lapsing[m++] = db_col_int(st, 0);
  db_reset(st);
  if (!n && !m) return 0;

  struct kctx sys = *ctx; /* the sweep acts as the system, not as the caller */
  memset(&sys.actor, 0, sizeof sys.actor);
  sys.actor.role = ROLE_ANON;
  struct kerrinfo ei = {0};
  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_from_db(rc);
  for (int i = 0; i < n && !rc; i++) {
    struct course_row c;
    if (!(rc = load_course(&sys, due[i], &c)) && lottery_drawn(&sys, c.lottery_id) == 0)
      rc = draw(&sys, &c, &ei);
  }
  for (int i = 0; i < m && !rc; i++) {
    struct course_row c;
    if (!(rc = load_course(&sys, lapsing[i], &c)) && !(rc = lapse_offers(&sys, &c)))
      rc = offer_free_places(&sys, &c);
  }
  kerr_clear(&ei);
  if (rc) {
    db_rollback(ctx->db);
    return rc;
  }
  rc = db_commit(ctx->db);
  return rc == DB_OK ? 0 : kerr_from_db(rc);
}

int courses_lottery_view(struct kctx *ctx, int64_t id, struct lottery_view *v,
                         struct kerrinfo *ei) {
  courses_sweep(ctx);
  rounds_sweep(ctx); /* a round's lottery is drawn at its close */
  return lottery_view_get(ctx, id, v, ei);
}

int courses_lottery(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei) {
  courses_sweep(ctx);
  rounds_sweep(ctx); /* a round's lottery is drawn at its close */
  return lottery_get(ctx, id, out, ei);
}
