/*
** core/courses.c: the course database (講座DB) — create, edit, copy,
** attendance, the report and the iCalendar feed (see courses.h; the list,
** the search and one course are read in core/course_views.c).
**
** A course's sessions hold their rooms as bookings of the centre: one
** confirmed booking per session (channel "counter", the staff member who
** created the course as holder, no fee), with its booking_slots row under the
** same UNIQUE index as every other booking, in the course's own write
** transaction. Courses are the centre's own use, planned before the public
** booking window opens, so the window is not checked; closed days are.
*/
#include "courses.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "availability.h"
#include "bookable.h"
#include "clock.h"
#include "csv.h"
#include "input.h"
#include "status.h"
#include "lottery.h"
#include "text.h"
#include "vec.h"

struct session_in {
  int32_t day;
  char date[11];
  int slot;                   /* index into r->slots */
  const struct rules *r;
  const struct room *room;
};

struct course_in {
  char center[32], title[400], description[4000], category[200];
  char lecturer_name[200], lecturer_org[400], lecturer_note[1000], target[400];
  char allocation[16], apply_from[11], apply_until[11];
  long long capacity, fee, max_companions;
  int calendar;
  int nsessions;
  struct session_in s[COURSES_MAX_SESSIONS];
};

static int is_desk(const struct kctx *ctx) { return (ctx->actor.role & ROLE_DESK) != 0; }

/* Staff act for their own centre (admins, and staff with no home centre,
** for any). */
static int may_edit(const struct kctx *ctx, const char *center) {
  if (ctx->actor.role == ROLE_ADMIN) return 1;
  if (ctx->actor.role != ROLE_STAFF) return 0;
  return !ctx->actor.home_center[0] || !strcmp(ctx->actor.home_center, center);
}

/* ========================================================= parsing */

/* An optional text field of at most MAXCH characters. */
static void opt_text(const json_t *b, const char *key, char *buf, size_t cap, size_t maxch,
                     int *bad, struct kerrinfo *ei) {
  char msg[160];
  int rc = input_text(b, key, buf, cap);
  if (rc == INPUT_MISSING) buf[0] = 0;
  if (rc == INPUT_BAD || (rc == INPUT_OK && (text_utf8_len(buf) > maxch))) {
    snprintf(msg, sizeof msg, "%zu文字以内で入力してください。", maxch);
    kerr_field(ei, key, msg);
    *bad = 1;
  }
}

static void req_date(const json_t *b, const char *key, char out[11], int *bad,
                     struct kerrinfo *ei) {
  char d[16];
  int32_t day;
  if (input_text(b, key, d, sizeof d) != INPUT_OK || date_parse(d, &day)) {
    kerr_field(ei, key, "日付は YYYY-MM-DD の形で指定してください。");
    *bad = 1;
    out[0] = 0;
    return;
  }
  date_format(day, out);
}

static int parse_session(struct kctx *ctx, const char *center, json_t *v, struct session_in *s,
                         struct kerrinfo *ei) {
  char d[16], slot[32];
  long long room = 0;
  const char *wrong = NULL;
  char msg[160];
  if (!json_is_object(v))
    wrong = "各回は {\"date\",\"slot\",\"room_id\"} で指定してください。";
  else if (input_text(v, "date", d, sizeof d) != INPUT_OK)
    wrong = input_not_text(v, "date") || json_object_get(v, "date")
                ? "各回の日付は YYYY-MM-DD の形で指定してください。"
                : "各回の日付（date）を指定してください。";
  else if (date_parse(d, &s->day)) {
    /* the shape is right but the day is not in the calendar (2026-02-30) */
    int y, m, dd, k = 0;
    if (sscanf(d, "%4d-%2d-%2d%n", &y, &m, &dd, &k) == 3 && k == 10 && !d[k])
      snprintf(msg, sizeof msg, "%sという日付はありません。", d), wrong = msg;
    else wrong = "各回の日付は YYYY-MM-DD の形で指定してください。";
  } else if (input_text(v, "slot", slot, sizeof slot) != INPUT_OK)
    wrong = "各回の時間帯（slot）を、morning などのコードで指定してください。";
  else if (input_int(v, "room_id", ctx->form, 1, INT64_MAX, &room) != INPUT_OK)
    wrong = input_int_message(v, "room_id", ctx->form,
                              "各回の部屋（room_id）を、部屋の番号で指定してください。");
  if (wrong) {
    kerr_field(ei, "sessions", wrong);
    return KERR_VALIDATION;
  }
  date_format(s->day, s->date);
  s->room = rules_room_by_id(ctx->rb, (int64_t)room);
  if (!s->room || strcmp(s->room->center->code, center)) {
    kerr_field(ei, "sessions", "部屋は講座を開く公民館の部屋を選んでください。");
    return KERR_VALIDATION;
  }
  s->r = rules_in_force(ctx->rb, s->day);
  if (!s->r || (s->slot = rules_slot_index(s->r, slot)) < 0) {
    kerr_field(ei, "sessions", "時間帯のコードが正しくありません。");
    return KERR_VALIDATION;
  }
  char why[256];
  /* RULE: closed days and the city's closures (core/bookable.c) */
  if (bookable_closed(ctx, center, s->room, s->day, why, sizeof why))
    return kerr_set(ei, KERR_CLOSED, "%sは休館日（%s）です。", s->date, why);
  return 0;
}

static int parse_sessions(struct kctx *ctx, const json_t *b, struct course_in *c,
                          struct kerrinfo *ei) {
  json_t *arr = json_object_get(b, "sessions"), *v;
  size_t i;
  if (!json_is_array(arr) || json_array_size(arr) == 0 ||
      json_array_size(arr) > COURSES_MAX_SESSIONS) {
    kerr_field(ei, "sessions", "開催日を1回以上（60回まで）指定してください。");
    return KERR_VALIDATION;
  }
  c->nsessions = 0;
  json_array_foreach(arr, i, v) {
    int rc = parse_session(ctx, c->center, v, &c->s[c->nsessions], ei);
    if (rc) return rc;
    /* the same room, day and slot twice would be refused by the room's own
    ** booking of the first, naming a booking that was never stored */
    for (int k = 0; k < c->nsessions; k++)
      if (c->s[k].room == c->s[c->nsessions].room && c->s[k].day == c->s[c->nsessions].day &&
          c->s[k].slot == c->s[c->nsessions].slot) {
        char msg[160];
        snprintf(msg, sizeof msg, "同じ部屋・日・時間帯の回が2つあります（%s）。1つにしてください。",
                 c->s[k].date);
        kerr_field(ei, "sessions", msg);
        return KERR_VALIDATION;
      }
    c->nsessions++;
  }
  return 0;
}

static int parse_course(struct kctx *ctx, const json_t *b, struct course_in *c,
                        struct kerrinfo *ei) {
  int bad = 0, rc;
  memset(c, 0, sizeof *c);
  if (input_text(b, "center", c->center, sizeof c->center) != INPUT_OK ||
      !rules_center(ctx->rb, c->center)) {
    kerr_field(ei, "center", "公民館のコードが正しくありません。");
    return KERR_VALIDATION;
  }
  if (!may_edit(ctx, c->center))
    return kerr_set(ei, KERR_FORBIDDEN, "ほかの公民館の講座は作れません。");
  rc = input_text(b, "title", c->title, sizeof c->title);
  if (rc != INPUT_OK || text_utf8_len(c->title) > 100 || text_has_control(c->title)) {
    kerr_field(ei, "title", "講座名を100文字以内で入力してください。");
    bad = 1;
  }
  opt_text(b, "description", c->description, sizeof c->description, 1000, &bad, ei);
  opt_text(b, "category", c->category, sizeof c->category, 50, &bad, ei);
  opt_text(b, "lecturer_name", c->lecturer_name, sizeof c->lecturer_name, 50, &bad, ei);
  opt_text(b, "lecturer_org", c->lecturer_org, sizeof c->lecturer_org, 100, &bad, ei);
  opt_text(b, "lecturer_note", c->lecturer_note, sizeof c->lecturer_note, 300, &bad, ei);
  opt_text(b, "target", c->target, sizeof c->target, 100, &bad, ei);
  if (input_int(b, "capacity", ctx->form, 1, 1000, &c->capacity) != INPUT_OK) {
    kerr_field(ei, "capacity", input_int_message(b, "capacity", ctx->form,
                                                 "定員を1から1000の数で入力してください。"));
    bad = 1;
  }
  if ((rc = input_int(b, "fee", ctx->form, 0, 1000000, &c->fee)) == INPUT_BAD) {
    kerr_field(ei, "fee", input_int_message(b, "fee", ctx->form, "受講料は0以上の円の数で入力してください。"));
    bad = 1;
  }
  if ((rc = input_int(b, "max_companions", ctx->form, 0, 9, &c->max_companions)) == INPUT_BAD) {
    kerr_field(ei, "max_companions",
               input_int_message(b, "max_companions", ctx->form, "同伴者の上限は0から9人です。"));
    bad = 1;
  }
  if (input_bool(b, "calendar", ctx->form, &c->calendar) == INPUT_BAD) {
    kerr_field(ei, "calendar", "公開カレンダーに載せるかどうかは true か false で指定してください。");
    bad = 1;
  }
  if (input_text(b, "allocation", c->allocation, sizeof c->allocation) != INPUT_OK ||
      course_allocation_parse(c->allocation) == COURSE_ALLOC_UNKNOWN) {
    kerr_field(ei, "allocation", "決め方は lottery（抽選）か first_come（先着）です。");
    bad = 1;
  }
  req_date(b, "apply_from", c->apply_from, &bad, ei);
  req_date(b, "apply_until", c->apply_until, &bad, ei);
  if (!bad && strcmp(c->apply_from, c->apply_until) > 0) {
    kerr_field(ei, "apply_until", "受付の終わりは始まりより後の日にしてください。");
    bad = 1;
  }
  if (bad) return KERR_VALIDATION;
  if ((rc = parse_sessions(ctx, b, c, ei))) return rc;
  /* RULE: applications close before the course begins (a lottery is drawn
  ** after the close, and nobody applies for a session that has happened). */
  const char *first = c->s[0].date;
  for (int i = 1; i < c->nsessions; i++)
    if (strcmp(c->s[i].date, first) < 0) first = c->s[i].date;
  if (strcmp(c->apply_until, first) >= 0) {
    char label[48], msg[192];
    int32_t day = 0;
    date_parse(first, &day);
    clock_jdate(day, label, sizeof label);
    snprintf(msg, sizeof msg, "受付の終わりは、最初の回（%s）より前の日にしてください。", label);
    kerr_field(ei, "apply_until", msg);
    return KERR_VALIDATION;
  }
  return 0;
}

/* ============================================== reserving the rooms */

/* The booking that holds (room, date, slot) now, or 0. */
static int64_t holder_of(struct kctx *ctx, const struct session_in *s) {
  return db_int64(ctx->db, 0,
                  "SELECT booking_id FROM booking_slots WHERE room_id = $room"
                  " AND date = $date AND slot = $slot AND active = 1",
                  DB_I("$room", s->room->id), DB_T("$date", s->date),
                  DB_T("$slot", s->r->slots[s->slot].code));
}

/* Lapsed holds on S's slot give way, as for any booking (schema/003). */
static int clear_lapsed(struct kctx *ctx, const struct session_in *s) {
  const char *slot = s->r->slots[s->slot].code;
  if (db_run(ctx->db,
             "UPDATE bookings SET status = 'lapsed' WHERE status = 'held'"
             " AND hold_expires_at <= $now AND id IN (SELECT booking_id"
             " FROM booking_slots WHERE room_id = $room AND date = $date"
             " AND slot = $slot AND active = 1)",
             DB_I("$now", ctx->now), DB_I("$room", s->room->id), DB_T("$date", s->date),
             DB_T("$slot", slot)) != DB_OK)
    return KERR_INTERNAL;
  return db_run(ctx->db,
                "UPDATE booking_slots SET active = 0 WHERE room_id = $room AND date = $date"
                " AND slot = $slot AND active = 1 AND hold_expires_at IS NOT NULL"
                " AND hold_expires_at <= $now",
                DB_I("$now", ctx->now), DB_I("$room", s->room->id), DB_T("$date", s->date),
                DB_T("$slot", slot)) == DB_OK
             ? 0
             : KERR_INTERNAL;
}

/* RULE: no double booking. Session S of COURSE becomes a confirmed booking
** of the centre; the UNIQUE index over booking_slots refuses a taken slot,
** and the message names the booking in the way. */
static int reserve(struct kctx *ctx, const struct course_in *c, int64_t course,
                   const struct session_in *s, struct kerrinfo *ei) {
  char purpose[512];
  int rc;
  if ((rc = clear_lapsed(ctx, s))) return kerr_set(ei, rc, NULL);
  snprintf(purpose, sizeof purpose, "講座「%s」", c->title);
  if ((rc = db_run(ctx->db,
                   "INSERT INTO bookings(account_id, room_id, center, date, slots, status,"
                   " purpose, attendees, channel, fee_base, fee_total, rules_version,"
                   " created_at, confirmed_at, created_by, confirmed_by)"
                   " VALUES ($a, $room, $center, $date, $slot, 'confirmed', $purpose, $att,"
                   " 'counter', 0, 0, $version, $now, $now, $a, $a)",
                   DB_I("$a", ctx->actor.account_id), DB_I("$room", s->room->id),
                   DB_T("$center", c->center), DB_T("$date", s->date),
                   DB_T("$slot", s->r->slots[s->slot].code), DB_T("$purpose", purpose),
                   DB_I("$att", c->capacity), DB_T("$version", s->r->version),
                   DB_I("$now", ctx->now))) != DB_OK)
    return kerr_set(ei, kerr_from_db(rc), NULL);
  int64_t booking = db_last_id(ctx->db);
  if ((rc = db_run(ctx->db,
                   "INSERT INTO booking_slots(booking_id, room_id, date, slot, active)"
                   " VALUES ($b, $room, $date, $slot, 1)",
                   DB_I("$b", booking), DB_I("$room", s->room->id), DB_T("$date", s->date),
                   DB_T("$slot", s->r->slots[s->slot].code))) == DB_CONSTRAINT)
    return kerr_set(ei, KERR_SLOT_TAKEN, "%s %s %sは予約番号%lldの予約と重なっています。", s->date,
                    s->room->name, s->r->slots[s->slot].label, (long long)holder_of(ctx, s));
  if (rc != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  rc = db_run(ctx->db,
              "INSERT INTO course_sessions(course_id, date, slot, room_id, booking_id)"
              " VALUES ($c, $date, $slot, $room, $b)",
              DB_I("$c", course), DB_T("$date", s->date), DB_T("$slot", s->r->slots[s->slot].code),
              DB_I("$room", s->room->id), DB_I("$b", booking));
  return rc == DB_OK ? 0 : kerr_set(ei, kerr_from_db(rc), NULL);
}

/* ============================================================ create */

/* The descriptive fields of C that both the insert and the edit write. */
static void bind_fields(kstmt *st, const struct course_in *c) {
  db_bind_text(st, "$title", c->title);
  db_bind_text(st, "$desc", c->description);
  db_bind_text(st, "$cat", c->category);
  db_bind_text(st, "$lname", c->lecturer_name);
  db_bind_text(st, "$lorg", c->lecturer_org);
  db_bind_text(st, "$lnote", c->lecturer_note);
  db_bind_text(st, "$target", c->target);
  db_bind_int(st, "$fee", c->fee);
  db_bind_int(st, "$cap", c->capacity);
  db_bind_int(st, "$comp", c->max_companions);
  db_bind_int(st, "$cal", c->calendar);
}

static int insert_course(struct kctx *ctx, const struct course_in *c, int64_t lottery,
                         int64_t copied_from, int64_t *id) {
  const char *first = c->s[0].date;
  for (int i = 1; i < c->nsessions; i++)
    if (strcmp(c->s[i].date, first) < 0) first = c->s[i].date;
  kstmt *st = db_prep(
      ctx->db,
      "INSERT INTO courses(center, title, description, category, lecturer_name, lecturer_org,"
      " lecturer_note, target, fee, capacity, max_companions, apply_from, apply_until,"
      " allocation, lottery_id, calendar, copied_from, first_date, created_by, created_at,"
      " updated_at) VALUES ($center, $title, $desc, $cat, $lname, $lorg, $lnote, $target,"
      " $fee, $cap, $comp, $from, $until, $alloc, $lottery, $cal, $copied, $first, $by,"
      " $now, $now)");
  if (!st) return KERR_INTERNAL;
  db_bind_text(st, "$center", c->center);
  bind_fields(st, c);
  db_bind_text(st, "$from", c->apply_from);
  db_bind_text(st, "$until", c->apply_until);
  db_bind_text(st, "$alloc", c->allocation);
  if (lottery) db_bind_int(st, "$lottery", lottery);
  else db_bind_null(st, "$lottery");
  if (copied_from) db_bind_int(st, "$copied", copied_from);
  else db_bind_null(st, "$copied");
  db_bind_text(st, "$first", first);
  db_bind_int(st, "$by", ctx->actor.account_id);
  db_bind_int(st, "$now", ctx->now);
  int rc = db_exec_stmt(st);
  if (rc != DB_OK) return kerr_from_db(rc);
  *id = db_last_id(ctx->db);
  return 0;
}

int courses_create(struct kctx *ctx, const json_t *body, int64_t copied_from, json_t **out,
                   struct kerrinfo *ei) {
  int64_t id = 0;
  *out = NULL;
  int rc = courses_create_id(ctx, body, copied_from, &id, ei);
  return rc ? rc : courses_get(ctx, id, out, ei);
}

int courses_create_id(struct kctx *ctx, const json_t *body, int64_t copied_from, int64_t *made,
                      struct kerrinfo *ei) {
  int64_t id = 0, lottery = 0;
  int rc;
  *made = 0;
  if (!is_desk(ctx)) return kerr_set(ei, KERR_FORBIDDEN, NULL);
  struct course_in *c = malloc(sizeof *c);
  if (!c) return kerr_set(ei, KERR_INTERNAL, NULL);
  if ((rc = parse_course(ctx, body, c, ei))) goto out;
  if ((rc = db_begin_write(ctx->db)) != DB_OK) {
    rc = kerr_set(ei, kerr_from_db(rc), NULL);
    goto out;
  }
  /* RULE: a lottery's commitment is published from the course's creation. */
  if (course_allocation_parse(c->allocation) == COURSE_ALLOC_LOTTERY &&
      (rc = lottery_create(ctx, "course", &lottery)))
    goto fail;
  if ((rc = insert_course(ctx, c, lottery, copied_from, &id))) goto fail;
  for (int i = 0; i < c->nsessions; i++)
    if ((rc = reserve(ctx, c, id, &c->s[i], ei))) goto fail;
  struct audit_fields f = {.center = c->center, .date = c->s[0].date};
  if ((rc = audit_event(ctx, copied_from ? "course.copy" : "course.create", &f))) goto fail;
  if ((rc = db_commit(ctx->db)) != DB_OK) {
    rc = kerr_set(ei, kerr_from_db(rc), NULL);
    goto out;
  }
  avail_touch();
  *made = id;
  rc = 0;
  goto out;
fail:
  db_rollback(ctx->db);
  rc = kerr_set(ei, rc ? rc : KERR_INTERNAL, NULL);
out:
  free(c);
  return rc;
}

/* =================================================== the places given */

/* (Reading courses, their views and JSON: core/course_views.c.) */
int courses_places_taken(struct kctx *ctx, int64_t id, int64_t *taken) {
  *taken = 0;
  int rc = db_get_int64(ctx->db, taken,
                        "SELECT coalesce(sum(1 + companions), 0) FROM course_applications"
                        " WHERE course_id = $id AND (status = 'accepted' OR (status = 'offered'"
                        " AND offer_expires_at > $now))",
                        DB_I("$id", id), DB_I("$now", ctx->now));
  return rc == DB_ROW ? 0 : kerr_from_db(rc);
}

/* ======================================================= edit and copy */

/* The centre of course ID into CENTER (32 bytes). */
static int course_center(struct kctx *ctx, int64_t id, char center[32]) {
  int rc = db_get_text(ctx->db, center, 32, "SELECT center FROM courses WHERE id = $id",
                       DB_I("$id", id));
  return rc == DB_ROW ? 0 : rc == DB_DONE ? KERR_NOT_FOUND : kerr_from_db(rc);
}

int courses_update(struct kctx *ctx, int64_t id, const json_t *body, json_t **out,
                   struct kerrinfo *ei) {
  char center[32];
  int rc;
  *out = NULL;
  if (!is_desk(ctx)) return kerr_set(ei, KERR_FORBIDDEN, NULL);
  if ((rc = courses_get(ctx, id, out, ei))) return rc;
  /* The stored course, overlaid with BODY, validated as a whole. */
  json_t *merged = json_deep_copy(*out);
  json_decref(*out);
  *out = NULL;
  if (!merged) return kerr_set(ei, KERR_INTERNAL, NULL);
  /* the sessions, centre, period and allocation stay as created: a change
  ** of one is refused, not dropped unsaid (the same value sent back is fine;
  ** the sessions are another shape here and are only ever left as they are) */
  const char *fixed[] = {"sessions", "center", "apply_from", "apply_until", "allocation"};
  for (size_t k = 1; k < sizeof fixed / sizeof fixed[0]; k++) {
    json_t *want = json_object_get(body, fixed[k]);
    if (want && !json_equal(want, json_object_get(merged, fixed[k]))) {
      json_decref(merged);
      kerr_field(ei, fixed[k], "公民館・受付の期間・決め方は、作ったあとでは変えられません。"
                               "変えるときは、講座をコピーして新しく作ってください。");
      return kerr_set(ei, KERR_VALIDATION, NULL);
    }
  }
  json_t *change = json_deep_copy(body);
  for (size_t k = 0; change && k < sizeof fixed / sizeof fixed[0]; k++)
    json_object_del(change, fixed[k]);
  json_object_update_existing(merged, change);
  json_decref(change);
  json_t *sessions = json_array(), *s;
  size_t i;
  json_array_foreach(json_object_get(merged, "sessions"), i, s)
      json_array_append(sessions, s);
  json_object_set_new(merged, "sessions", sessions);
  struct course_in *c = malloc(sizeof *c);
  if (!c) {
    json_decref(merged);
    return kerr_set(ei, KERR_INTERNAL, NULL);
  }
  int64_t taken = 0;
  if ((rc = course_center(ctx, id, center))) {
    kerr_set(ei, rc, NULL);
  } else if (!may_edit(ctx, center)) {
    rc = kerr_set(ei, KERR_FORBIDDEN, "ほかの公民館の講座は変更できません。");
  } else if (!(rc = parse_course(ctx, merged, c, ei))) {
    if ((rc = db_begin_write(ctx->db)) != DB_OK) {
      rc = kerr_set(ei, kerr_from_db(rc), NULL);
      goto done;
    }
    if ((rc = courses_places_taken(ctx, id, &taken))) goto fail;
    if (c->capacity < taken) {
      rc = kerr_set(ei, KERR_CONFLICT, "定員は、すでに決まった%lld人より少なくできません。",
                    (long long)taken);
      goto fail;
    }
    kstmt *st = db_prep(ctx->db,
                        "UPDATE courses SET title = $title, description = $desc,"
                        " category = $cat, lecturer_name = $lname, lecturer_org = $lorg,"
                        " lecturer_note = $lnote, target = $target, fee = $fee, capacity = $cap,"
                        " max_companions = $comp, calendar = $cal, updated_at = $now"
                        " WHERE id = $id");
    if (!st) goto fail;
    bind_fields(st, c);
    db_bind_int(st, "$now", ctx->now);
    db_bind_int(st, "$id", id);
    struct audit_fields f = {.center = center};
    if (db_exec_stmt(st) != DB_OK || (rc = audit_event(ctx, "course.update", &f))) goto fail;
    if ((rc = db_commit(ctx->db)) != DB_OK) {
      rc = kerr_set(ei, kerr_from_db(rc), NULL);
      goto done;
    }
    rc = courses_get(ctx, id, out, ei);
  }
  goto done;
fail:
  db_rollback(ctx->db);
  rc = kerr_set(ei, rc ? rc : KERR_INTERNAL, NULL);
done:
  free(c);
  json_decref(merged);
  return rc;
}

int courses_copy(struct kctx *ctx, int64_t id, const json_t *body, json_t **out,
                 struct kerrinfo *ei) {
  int64_t made = 0;
  *out = NULL;
  int rc = courses_copy_id(ctx, id, body, &made, ei);
  return rc ? rc : courses_get(ctx, made, out, ei);
}

int courses_copy_id(struct kctx *ctx, int64_t id, const json_t *body, int64_t *made,
                    struct kerrinfo *ei) {
  json_t *src = NULL;
  *made = 0;
  if (!is_desk(ctx)) return kerr_set(ei, KERR_FORBIDDEN, NULL);
  int rc = courses_get(ctx, id, &src, ei);
  if (rc) return rc;
  /* the plan: the old course's fields, BODY's on top; never its sessions or
  ** period, which BODY must give anew */
  json_object_del(src, "sessions");
  json_object_del(src, "apply_from");
  json_object_del(src, "apply_until");
  json_object_update(src, (json_t *)body);
  rc = courses_create_id(ctx, src, id, made, ei);
  json_decref(src);
  return rc;
}

/* ========================================================= attendance */

int courses_attendance(struct kctx *ctx, int64_t id, int64_t sid, const json_t *body,
                       json_t **out, struct kerrinfo *ei) {
  char center[32];
  long long n = 0;
  int rc;
  *out = NULL;
  if (!is_desk(ctx)) return kerr_set(ei, KERR_FORBIDDEN, NULL);
  if ((rc = course_center(ctx, id, center))) return kerr_set(ei, rc, NULL);
  /* read without an upper bound, so that the message says which side is wrong */
  rc = input_int(body, "attended", ctx->form, 0, LLONG_MAX, &n);
  if (rc != INPUT_OK || n > 10000) { /* 1000 places, each with up to 9 companions */
    kerr_field(ei, "attended",
               rc == INPUT_MISSING ? "出席者数を入力してください。"
               : rc == INPUT_BAD   ? input_int_message(body, "attended", ctx->form,
                                                       "出席者数は0以上の整数で入力してください。")
                                   : "出席者数が多すぎます。10000人以下で入力してください。");
    return kerr_set(ei, KERR_VALIDATION, NULL);
  }
  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  if (db_run(ctx->db, "UPDATE course_sessions SET attendance = $n WHERE id = $sid"
                      " AND course_id = $id",
             DB_I("$n", n), DB_I("$sid", sid), DB_I("$id", id)) != DB_OK)
    goto fail;
  if (db_changes(ctx->db) != 1) {
    db_rollback(ctx->db);
    return kerr_set(ei, KERR_NOT_FOUND, "その回はありません。");
  }
  struct audit_fields f = {.center = center, .amount = 0};
  if ((rc = audit_event(ctx, "course.attendance", &f))) goto fail;
  if ((rc = db_commit(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  return courses_get(ctx, id, out, ei);
fail:
  db_rollback(ctx->db);
  return kerr_set(ei, KERR_INTERNAL, NULL);
}

/* ============================================================ report */

/* The figures of the current row of ST (the report's query) into ROW. */
static void report_row(struct kctx *ctx, kstmt *st, struct course_report_row *row) {
  const struct center *ce = rules_center(ctx->rb, db_col_text(st, 0));
  int64_t expected = db_col_int(st, 7);
  snprintf(row->center, sizeof row->center, "%s", db_col_text(st, 0));
  snprintf(row->center_name, sizeof row->center_name, "%s", ce ? ce->name : db_col_text(st, 0));
  snprintf(row->category, sizeof row->category, "%s", db_col_text(st, 1));
  row->courses = db_col_int(st, 2);
  row->sessions = db_col_int(st, 3);
  row->applicants = db_col_int(st, 4);
  row->accepted = db_col_int(st, 5);
  row->attended = db_col_int(st, 6);
  row->attendance_rate = expected > 0 ? (double)row->attended / (double)expected : -1;
}

int courses_report(struct kctx *ctx, const char *from, const char *to, const char *center,
                   struct course_report *out, struct kerrinfo *ei) {
  int32_t a, b;
  memset(out, 0, sizeof *out);
  if (!from || date_parse(from, &a)) kerr_field(ei, "from", "from は YYYY-MM-DD で指定してください。");
  if (!to || date_parse(to, &b)) kerr_field(ei, "to", "to は YYYY-MM-DD で指定してください。");
  if (center && *center && !rules_center(ctx->rb, center))
    kerr_field(ei, "center", "公民館のコードが正しくありません。");
  if (ei->fields) return kerr_set(ei, KERR_VALIDATION, NULL);
  date_format(a, out->from);
  date_format(b, out->to);
  kstmt *st = db_prep(
      ctx->db,
      "WITH per AS (SELECT c.center, c.category,"
      " (SELECT count(*) FROM course_sessions s WHERE s.course_id = c.id) AS sessions,"
      " (SELECT count(*) FROM course_sessions s WHERE s.course_id = c.id"
      "   AND s.attendance IS NOT NULL) AS recorded,"
      " (SELECT coalesce(sum(attendance), 0) FROM course_sessions s"
      "   WHERE s.course_id = c.id) AS attended,"
      " (SELECT count(*) FROM course_applications x WHERE x.course_id = c.id"
      "   AND x.status <> 'cancelled') AS applicants,"
      " (SELECT coalesce(sum(1 + companions), 0) FROM course_applications x"
      "   WHERE x.course_id = c.id AND x.status = 'accepted') AS accepted"
      " FROM courses c WHERE EXISTS (SELECT 1 FROM course_sessions s"
      "   WHERE s.course_id = c.id AND s.date >= $from AND s.date <= $to)"
      "   AND ($center = '' OR c.center = $center))"
      " SELECT center, category, count(*), sum(sessions), sum(applicants), sum(accepted),"
      " sum(attended), sum(accepted * recorded) FROM per GROUP BY center, category"
      " ORDER BY center, category");
  if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
  db_bind_text(st, "$from", out->from);
  db_bind_text(st, "$to", out->to);
  db_bind_text(st, "$center", center ? center : "");
  struct course_report_row *rows = NULL;
  int rc, cap = 0;
  while ((rc = db_step(st)) == DB_ROW) {
    if (vec_grow((void **)&rows, out->nrows, &cap, sizeof *rows)) {
      rc = DB_ERROR;
      break;
    }
    report_row(ctx, st, &rows[out->nrows++]);
  }
  rc = vec_rows_end(st, rc, rows, (void **)&out->rows, &out->nrows);
  return rc ? kerr_set(ei, rc, NULL) : 0;
}

void courses_report_free(struct course_report *rep) {
  if (!rep) return;
  free(rep->rows);
  rep->rows = NULL;
  rep->nrows = 0;
}

/* One row of the report as JSON (vec_json's TO). */
static json_t *report_row_json(const void *p) {
  const struct course_report_row *row = p;
  json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "center", row->center,
                        "center_name", row->center_name, "category", row->category, "courses",
                        (json_int_t)row->courses, "sessions", (json_int_t)row->sessions,
                        "applicants", (json_int_t)row->applicants, "accepted",
                        (json_int_t)row->accepted, "attended", (json_int_t)row->attended);
  if (o && json_object_set_new(o, "attendance_rate", row->attendance_rate >= 0
                                                         ? json_real(row->attendance_rate)
                                                         : json_null())) {
    json_decref(o);
    return NULL;
  }
  return o;
}

json_t *courses_report_json(const struct course_report *rep) {
  json_t *o = vec_json("rows", rep->rows, rep->nrows, sizeof *rep->rows, report_row_json);
  if (!o) return NULL;
  json_t *out = json_pack("{s:s, s:s, s:O}", "from", rep->from, "to", rep->to, "rows",
                          json_object_get(o, "rows"));
  json_decref(o);
  return out;
}

char *courses_report_csv(const struct course_report *rep, int ja, size_t *len) {
  static const char *const head[] = {"center", "center_name", "category", "courses", "sessions",
                                     "applicants", "accepted", "attended", "attendance_rate"};
  static const char *const head_ja[] = {"公民館コード", "公民館", "分野", "講座数", "回数",
                                        "申し込み", "受講決定（人）", "出席（延べ人）", "出席率"};
  struct csvbuf b = {0};
  csv_bom(&b);
  for (size_t k = 0; k < sizeof head / sizeof head[0]; k++) csv_field(&b, ja ? head_ja[k] : head[k]);
  csv_end_row(&b);
  for (int i = 0; i < rep->nrows; i++) {
    const struct course_report_row *row = &rep->rows[i];
    const int64_t nums[] = {row->courses, row->sessions, row->applicants, row->accepted,
                            row->attended};
    csv_field(&b, row->center);
    csv_field(&b, row->center_name);
    csv_field_as(&b, row->category, CSV_DEFUSE | CSV_ONE_LINE);
    for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) csv_int(&b, nums[k]);
    csv_ratio(&b, row->attendance_rate);
    csv_end_row(&b);
  }
  return csv_take(&b, len);
}

/* ============================================== iCalendar (RFC 5545) */

/* One content line NAME:VALUE, VALUE escaped as TEXT when ESCAPE, folded so
** that no line exceeds 75 octets (never inside a UTF-8 sequence), ended by
** CRLF. */
static void line(struct csvbuf *b, const char *name, const char *value, int escape) {
  char tmp[8192];
  size_t n = (size_t)snprintf(tmp, sizeof tmp, "%s:", name);
  for (const char *v = value; *v && n < sizeof tmp - 3; v++) {
    if (escape && (*v == '\\' || *v == ';' || *v == ',')) tmp[n++] = '\\';
    if (escape && *v == '\n') {
      tmp[n++] = '\\';
      tmp[n++] = 'n';
      continue;
    }
    if (*v == '\r') continue;
    tmp[n++] = *v;
  }
  size_t i = 0, width = 75;
  while (i < n) {
    size_t k = n - i <= width ? n - i : width;
    while (k > 0 && i + k < n && ((unsigned char)tmp[i + k] & 0xC0) == 0x80) k--;
    csv_raw(b, tmp + i, k);
    csv_raw(b, "\r\n", 2);
    i += k;
    if (i < n) csv_raw(b, " ", 1);
    width = 74; /* a continuation line starts with one space */
  }
}

static void local_stamp(const char *date, int minute, char out[20]) {
  snprintf(out, 20, "%.4s%.2s%.2sT%02d%02d00", date, date + 5, date + 8, minute / 60,
           minute % 60);
}

static void ical_event(struct kctx *ctx, struct csvbuf *b, kstmt *st, const char *stamp) {
  char uid[96], dt[20], text[2048];
  int32_t day = 0;
  date_parse(db_col_text(st, 1), &day);
  const struct rules *r = rules_in_force(ctx->rb, day);
  int k = r ? rules_slot_index(r, db_col_text(st, 2)) : -1;
  if (k < 0) return;
  const struct room *room = rules_room_by_id(ctx->rb, db_col_int(st, 3));
  line(b, "BEGIN", "VEVENT", 0);
  snprintf(uid, sizeof uid, "course-%lld-session-%lld@kominkan", (long long)db_col_int(st, 4),
           (long long)db_col_int(st, 0));
  line(b, "UID", uid, 0);
  line(b, "DTSTAMP", stamp, 0);
  local_stamp(db_col_text(st, 1), r->slots[k].start, dt);
  line(b, "DTSTART;TZID=Asia/Tokyo", dt, 0);
  local_stamp(db_col_text(st, 1), r->slots[k].end, dt);
  line(b, "DTEND;TZID=Asia/Tokyo", dt, 0);
  line(b, "SUMMARY", db_col_text(st, 5), 1);
  snprintf(text, sizeof text, "%s %s", room && room->center ? room->center->name : "",
           room ? room->name : "");
  line(b, "LOCATION", text, 1);
  snprintf(text, sizeof text, "%s\n対象: %s\n講師: %s %s\n定員: %lld人 受講料: %lld円\n"
           "申し込み: %s から %s まで", db_col_text(st, 6), db_col_text(st, 7),
           db_col_text(st, 8), db_col_text(st, 9), (long long)db_col_int(st, 10),
           (long long)db_col_int(st, 11), db_col_text(st, 12), db_col_text(st, 13));
  line(b, "DESCRIPTION", text, 1);
  line(b, "END", "VEVENT", 0);
}

int courses_ical(struct kctx *ctx, const char *center, char **out, size_t *len,
                 struct kerrinfo *ei) {
  struct csvbuf b = {0};
  char stamp[20], prodid[160];
  int y, m, d, rc;
  *out = NULL;
  *len = 0;
  const struct center *ce = rules_center(ctx->rb, center);
  if (!ce) return kerr_set(ei, KERR_NOT_FOUND, "その公民館はありません。");
  date_to_ymd((int32_t)(ctx->now / 86400), &y, &m, &d);
  snprintf(stamp, sizeof stamp, "%04d%02d%02dT%02d%02d%02dZ", y, m, d,
           (int)(ctx->now % 86400 / 3600), (int)(ctx->now % 3600 / 60), (int)(ctx->now % 60));
  line(&b, "BEGIN", "VCALENDAR", 0);
  line(&b, "VERSION", "2.0", 0);
  line(&b, "PRODID", "-//Maebashi kominkan//courses//JA", 0);
  line(&b, "CALSCALE", "GREGORIAN", 0);
  snprintf(prodid, sizeof prodid, "%s 講座", ce->name);
  line(&b, "X-WR-CALNAME", prodid, 1);
  line(&b, "X-WR-TIMEZONE", "Asia/Tokyo", 0);
  /* Japan has kept UTC+9 without daylight saving since 1951. */
  line(&b, "BEGIN", "VTIMEZONE", 0);
  line(&b, "TZID", "Asia/Tokyo", 0);
  line(&b, "BEGIN", "STANDARD", 0);
  line(&b, "DTSTART", "19700101T000000", 0);
  line(&b, "TZOFFSETFROM", "+0900", 0);
  line(&b, "TZOFFSETTO", "+0900", 0);
  line(&b, "TZNAME", "JST", 0);
  line(&b, "END", "STANDARD", 0);
  line(&b, "END", "VTIMEZONE", 0);
  kstmt *st = db_prep(ctx->db,
                      "SELECT s.id, s.date, s.slot, s.room_id, c.id, c.title, c.description,"
                      " c.target, c.lecturer_name, c.lecturer_org, c.capacity, c.fee,"
                      " c.apply_from, c.apply_until FROM course_sessions s JOIN courses c"
                      " ON c.id = s.course_id WHERE c.center = $center AND c.calendar = 1"
                      " ORDER BY s.date, s.id LIMIT 2000");
  if (!st) {
    csv_free(&b);
    return kerr_set(ei, KERR_INTERNAL, NULL);
  }
  db_bind_text(st, "$center", center);
  while ((rc = db_step(st)) == DB_ROW) ical_event(ctx, &b, st, stamp);
  db_reset(st);
  line(&b, "END", "VCALENDAR", 0);
  *out = rc == DB_DONE ? csv_take(&b, len) : NULL;
  csv_free(&b);
  if (!*out) return kerr_set(ei, rc != DB_DONE ? kerr_from_db(rc) : KERR_INTERNAL, NULL);
  return 0;
}
