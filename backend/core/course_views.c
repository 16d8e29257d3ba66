/*
** core/course_views.c: reading courses (see courses.h): the typed course
** view that the pages render, and its JSON, which is what the API returns
** (courses_list, courses_search, courses_get are *_views + *_json), so the
** two cannot disagree.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "courses.h"
#include "status.h"
#include "vec.h"

#define COURSE_COLS                                                                       \
  "c.id, c.center, c.title, c.description, c.category, c.lecturer_name, c.lecturer_org," \
  " c.lecturer_note, c.target, c.fee, c.capacity, c.max_companions, c.apply_from,"       \
  " c.apply_until, c.allocation, c.lottery_id, c.calendar, c.copied_from, c.first_date,"  \
  " (SELECT max(date) FROM course_sessions s WHERE s.course_id = c.id)"

static int is_desk(const struct kctx *ctx) { return (ctx->actor.role & ROLE_DESK) != 0; }

/* Applications are taken from the start of apply_from to the end of
** apply_until, Asia/Tokyo (CONTRACT.md). */
static int accepting(const struct kctx *ctx, const char *from, const char *until) {
  int32_t a, b;
  if (date_parse(from, &a) || date_parse(until, &b)) return 0;
  return ctx->now >= clock_local(a, 0) && ctx->now < clock_local(b + 1, 0);
}

#define COPY(field, i) snprintf(v->field, sizeof v->field, "%s", db_col_text(st, i))

/* The course in the current row of ST (COURSE_COLS) into V: public fields
** only, no places or sessions yet. */
static void view_of_row(struct kctx *ctx, kstmt *st, struct course_view *v) {
  memset(v, 0, sizeof *v);
  v->id = db_col_int(st, 0);
  COPY(center, 1);
  const struct center *ce = rules_center(ctx->rb, v->center);
  v->center_name = ce ? ce->name : "";
  COPY(title, 2);
  COPY(description, 3);
  COPY(category, 4);
  COPY(lecturer_name, 5);
  COPY(lecturer_org, 6);
  COPY(lecturer_note, 7);
  COPY(target, 8);
  v->fee = db_col_int(st, 9);
  v->capacity = db_col_int(st, 10);
  v->max_companions = db_col_int(st, 11);
  COPY(apply_from, 12);
  COPY(apply_until, 13);
  v->allocation = course_allocation_parse(db_col_text(st, 14));
  v->lottery_id = db_col_null(st, 15) ? 0 : db_col_int(st, 15);
  v->calendar = db_col_int(st, 16) != 0;
  v->copied_from = db_col_null(st, 17) ? 0 : db_col_int(st, 17);
  COPY(first_date, 18);
  COPY(last_date, 19);
  v->accepting = accepting(ctx, v->apply_from, v->apply_until);
}

#undef COPY

/* The places left of V (after its statement is done: courses_places_taken
** uses the connection). */
static int add_places(struct kctx *ctx, struct course_view *v) {
  int64_t taken = 0;
  int rc = courses_places_taken(ctx, v->id, &taken);
  v->places_left = v->capacity > taken ? v->capacity - taken : 0;
  v->has_places = !rc;
  return rc;
}

/* Every row of ST as views into *OUT (malloc'd, *N of them). */
static int collect(struct kctx *ctx, kstmt *st, struct course_view **out, int *n,
                   struct kerrinfo *ei) {
  int rc, cap = 0;
  *out = NULL;
  *n = 0;
  while ((rc = db_step(st)) == DB_ROW) {
    if (vec_grow((void **)out, *n, &cap, sizeof **out)) break;
    view_of_row(ctx, st, &(*out)[(*n)++]);
  }
  db_reset(st);
  for (int i = 0; rc == DB_DONE && i < *n; i++)
    if (add_places(ctx, &(*out)[i])) rc = DB_ERROR;
  if (rc == DB_DONE) return 0;
  free(*out);
  *out = NULL;
  *n = 0;
  return kerr_set(ei, rc == DB_ROW || rc == DB_ERROR ? KERR_INTERNAL : kerr_from_db(rc), NULL);
}

int courses_views(struct kctx *ctx, const char *center, struct course_view **out, int *n,
                  struct kerrinfo *ei) {
  char today[11];
  *out = NULL;
  *n = 0;
  courses_sweep(ctx);
  if (center && *center && !rules_center(ctx->rb, center))
    return kerr_set(ei, KERR_NOT_FOUND, "その公民館はありません。");
  date_format(clock_today(ctx->now), today);
  kstmt *st = db_prep(ctx->db,
                      "SELECT " COURSE_COLS " FROM courses c WHERE ($center IS NULL OR"
                      " c.center = $center) AND (SELECT max(date) FROM course_sessions s"
                      " WHERE s.course_id = c.id) >= $today ORDER BY c.first_date, c.id");
  if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
  db_bind_text(st, "$center", center && *center ? center : NULL);
  db_bind_text(st, "$today", today);
  return collect(ctx, st, out, n, ei);
}

int courses_search_views(struct kctx *ctx, const struct course_query *q,
                         struct course_view **out, int *n, struct kerrinfo *ei) {
  char from[16] = "", to[16] = "";
  *out = NULL;
  *n = 0;
  if (!is_desk(ctx)) return kerr_set(ei, KERR_FORBIDDEN, NULL);
  if (q->year && *q->year) {
    char *end;
    long y = strtol(q->year, &end, 10);
    if (*end || y < 2000 || y > 2200) {
      kerr_field(ei, "year", "年は西暦4桁で指定してください。");
      return kerr_set(ei, KERR_VALIDATION, NULL);
    }
    snprintf(from, sizeof from, "%04ld-01-01", y);
    snprintf(to, sizeof to, "%04ld-01-01", y + 1);
  }
  /* instr(): plain substring matches, no LIKE wildcards to escape. */
  kstmt *st = db_prep(
      ctx->db,
      "SELECT " COURSE_COLS " FROM courses c WHERE ($center IS NULL OR c.center = $center)"
      " AND ($cat IS NULL OR c.category = $cat)"
      " AND ($lect IS NULL OR instr(c.lecturer_name, $lect) > 0"
      "      OR instr(c.lecturer_org, $lect) > 0)"
      " AND ($target IS NULL OR instr(c.target, $target) > 0)"
      " AND ($text IS NULL OR instr(c.title, $text) > 0 OR instr(c.description, $text) > 0)"
      " AND ($from IS NULL OR (c.first_date >= $from AND c.first_date < $to))"
      " ORDER BY c.first_date DESC, c.id DESC LIMIT 500");
  if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
  db_bind_text(st, "$center", q->center && *q->center ? q->center : NULL);
  db_bind_text(st, "$cat", q->category && *q->category ? q->category : NULL);
  db_bind_text(st, "$lect", q->lecturer && *q->lecturer ? q->lecturer : NULL);
  db_bind_text(st, "$target", q->target && *q->target ? q->target : NULL);
  db_bind_text(st, "$text", q->text && *q->text ? q->text : NULL);
  db_bind_text(st, "$from", from[0] ? from : NULL);
  db_bind_text(st, "$to", to);
  return collect(ctx, st, out, n, ei);
}

/* The session in the current row of ST (id, date, slot, room_id,
** attendance): the attendance for staff only. */
static void session_of_row(struct kctx *ctx, kstmt *st, struct course_session_view *s) {
  int32_t day = 0;
  memset(s, 0, sizeof *s);
  s->id = db_col_int(st, 0);
  snprintf(s->date, sizeof s->date, "%s", db_col_text(st, 1));
  snprintf(s->slot, sizeof s->slot, "%s", db_col_text(st, 2));
  s->room_id = db_col_int(st, 3);
  s->room = rules_room_by_id(ctx->rb, s->room_id);
  date_parse(s->date, &day);
  const struct rules *r = rules_in_force(ctx->rb, day);
  int k = r ? rules_slot_index(r, s->slot) : -1;
  if (k >= 0) {
    s->slot_label = r->slots[k].label;
    clock_hhmm(r->slots[k].start, s->start);
    clock_hhmm(r->slots[k].end, s->end);
  }
  s->has_attendance = is_desk(ctx) && !db_col_null(st, 4);
  s->attendance = s->has_attendance ? db_col_int(st, 4) : 0;
}

static int sessions_read(struct kctx *ctx, struct course_view *v) {
  kstmt *st = db_prep(ctx->db,
                      "SELECT id, date, slot, room_id, attendance FROM course_sessions"
                      " WHERE course_id = $id ORDER BY date, id");
  int rc, cap = 0;
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", v->id);
  while ((rc = db_step(st)) == DB_ROW) {
    if (vec_grow((void **)&v->sessions, v->nsessions, &cap, sizeof *v->sessions)) break;
    session_of_row(ctx, st, &v->sessions[v->nsessions++]);
  }
  db_reset(st);
  return rc == DB_DONE ? 0 : rc == DB_ROW ? KERR_INTERNAL : kerr_from_db(rc);
}

void course_view_free(struct course_view *v) {
  if (!v) return;
  free(v->sessions);
  v->sessions = NULL;
  v->nsessions = 0;
}

int course_view_get(struct kctx *ctx, int64_t id, struct course_view *v, struct kerrinfo *ei) {
  memset(v, 0, sizeof *v);
  kstmt *st = db_prep(ctx->db, "SELECT " COURSE_COLS " FROM courses c WHERE c.id = $id");
  if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
  db_bind_int(st, "$id", id);
  int rc = db_step(st);
  if (rc == DB_ROW) view_of_row(ctx, st, v);
  db_reset(st);
  if (rc == DB_DONE) return kerr_set(ei, KERR_NOT_FOUND, "その講座はありません。");
  if (rc != DB_ROW) return kerr_set(ei, kerr_from_db(rc), NULL);
  v->has_sessions = 1;
  if ((rc = add_places(ctx, v)) || (rc = sessions_read(ctx, v))) {
    course_view_free(v);
    return kerr_set(ei, rc, NULL);
  }
  return 0;
}

/* ============================================================ the JSON */

static json_t *session_json(const struct course_session_view *s) {
  json_t *o = json_pack("{s:I, s:s, s:s, s:I, s:s}", "id", (json_int_t)s->id, "date", s->date,
                        "slot", s->slot, "room_id", (json_int_t)s->room_id, "room_name",
                        s->room ? s->room->name : "");
  if (o && s->slot_label) {
    json_object_set_new(o, "slot_label", json_string(s->slot_label));
    json_object_set_new(o, "start", json_string(s->start));
    json_object_set_new(o, "end", json_string(s->end));
  }
  if (o && s->has_attendance) json_object_set_new(o, "attendance", json_integer(s->attendance));
  return o;
}

static void set_text(json_t *o, const char *k, const char *v) {
  json_object_set_new(o, k, json_string(v));
}

json_t *course_view_json(const struct course_view *v) {
  json_t *o = json_object();
  if (!o) return NULL;
  json_object_set_new(o, "id", json_integer((json_int_t)v->id));
  set_text(o, "center", v->center);
  set_text(o, "center_name", v->center_name);
  set_text(o, "title", v->title);
  set_text(o, "description", v->description);
  set_text(o, "category", v->category);
  set_text(o, "lecturer_name", v->lecturer_name);
  set_text(o, "lecturer_org", v->lecturer_org);
  set_text(o, "lecturer_note", v->lecturer_note);
  set_text(o, "target", v->target);
  json_object_set_new(o, "fee", json_integer(v->fee));
  json_object_set_new(o, "capacity", json_integer(v->capacity));
  json_object_set_new(o, "max_companions", json_integer(v->max_companions));
  set_text(o, "apply_from", v->apply_from);
  set_text(o, "apply_until", v->apply_until);
  set_text(o, "allocation", course_allocation_name(v->allocation));
  if (v->lottery_id) json_object_set_new(o, "lottery_id", json_integer(v->lottery_id));
  json_object_set_new(o, "calendar", json_boolean(v->calendar));
  if (v->copied_from) json_object_set_new(o, "copied_from", json_integer(v->copied_from));
  set_text(o, "first_date", v->first_date);
  set_text(o, "last_date", v->last_date);
  json_object_set_new(o, "accepting", json_boolean(v->accepting));
  if (v->has_places) json_object_set_new(o, "places_left", json_integer(v->places_left));
  if (v->has_sessions) {
    json_t *arr = json_array();
    for (int i = 0; arr && i < v->nsessions; i++)
      json_array_append_new(arr, session_json(&v->sessions[i]));
    json_object_set_new(o, "sessions", arr);
  }
  return o;
}

static json_t *course_json_of(const void *v) { return course_view_json(v); }

/* RC, the views' loader's code, else {"courses":[...]} of the N views V into
** *OUT; V is freed. */
static int list_reply(int rc, struct course_view *v, int n, json_t **out, struct kerrinfo *ei) {
  *out = rc ? NULL : vec_json("courses", v, n, sizeof *v, course_json_of);
  free(v);
  return rc ? rc : *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}

int courses_list(struct kctx *ctx, const char *center, json_t **out, struct kerrinfo *ei) {
  struct course_view *v;
  int n, rc = courses_views(ctx, center, &v, &n, ei);
  return list_reply(rc, v, n, out, ei);
}

int courses_search(struct kctx *ctx, const struct course_query *q, json_t **out,
                   struct kerrinfo *ei) {
  struct course_view *v;
  int n, rc = courses_search_views(ctx, q, &v, &n, ei);
  return list_reply(rc, v, n, out, ei);
}

int courses_get(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei) {
  struct course_view *v = malloc(sizeof *v);
  *out = NULL;
  if (!v) return kerr_set(ei, KERR_INTERNAL, NULL);
  int rc = course_view_get(ctx, id, v, ei);
  if (!rc && !(*out = course_view_json(v))) rc = kerr_set(ei, KERR_INTERNAL, NULL);
  course_view_free(v);
  free(v);
  return rc;
}
