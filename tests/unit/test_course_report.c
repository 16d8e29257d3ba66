/*
** tests/unit/test_course_report.c: the course report as typed rows
** (core/courses.c courses_report) on an in-memory database: which courses a
** period counts, the figures of a centre and category, the attendance rate
** (-1 when nothing is recorded), the centre filter, the validation, and the
** route's JSON and CSV built from the same rows.
*/
#include "fixture.h"

#include <stdlib.h>

#include "../../backend/core/courses.h"

TestSuite(course_report, .init = fixture_setup, .fini = fixture_teardown);

/* A course of CENTER in CATEGORY, straight into the table; its id. */
static int64_t course(const char *center, const char *category) {
  cr_assert_eq(db_run(db, "INSERT INTO courses(center, title, category, capacity, apply_from,"
                          " apply_until, allocation, first_date, created_at, updated_at)"
                          " VALUES ($c, '講座', $cat, 20, '2026-04-01', '2026-04-20',"
                          " 'first_come', '2026-05-01', 0, 0)",
                      DB_T("$c", center), DB_T("$cat", category)),
               DB_OK);
  return db_last_id(db);
}

/* A session of COURSE on DATE, ATTENDED people recorded (-1: not recorded). */
static void session(int64_t course, const char *date, int attended) {
  const struct center *ce = rules_center(rb, "chuo");
  cr_assert_eq(db_run(db, "INSERT INTO course_sessions(course_id, date, slot, room_id, attendance)"
                          " VALUES ($id, $d, 'morning', $room,"
                          " CASE WHEN $n < 0 THEN NULL ELSE $n END)",
                      DB_I("$id", course), DB_T("$d", date), DB_I("$room", ce->rooms[0].id),
                      DB_I("$n", attended)),
               DB_OK);
}

/* An application to COURSE by a new citizen, with COMPANIONS, in STATUS. */
static void application(int64_t course, int companions, const char *status) {
  int64_t who = quick_account(ROLE_CITIZEN, "市民", "password-123456");
  cr_assert_eq(db_run(db, "INSERT INTO course_applications(course_id, account_id, companions,"
                          " status, created_at) VALUES ($id, $who, $n, $s, 0)",
                      DB_I("$id", course), DB_I("$who", who), DB_I("$n", companions),
                      DB_T("$s", status)),
               DB_OK);
}

/* Courses in and around May 2026:
**   chuo 歴史: A (2 sessions in May, 3 + 5 came; accepted 1+2 and 1+0 people,
**              a waitlisted and a cancelled application), B (one in May, one
**              in July, 4 came at the first; accepted 1+1);
**   chuo "":   C (one in May, nothing recorded; accepted 1);
**   haga 文化: D (one in May, none yet);
**   chuo 料理: E (in June only: outside May). */
static void seed(void) {
  int64_t a = course("chuo", "歴史"), b = course("chuo", "歴史"), c = course("chuo", "");
  int64_t d = course("haga", "文化"), e = course("chuo", "料理");
  session(a, "2026-05-13", 3);
  session(a, "2026-05-20", 5);
  application(a, 2, "accepted");
  application(a, 0, "accepted");
  application(a, 1, "waitlisted");
  application(a, 3, "cancelled");
  session(b, "2026-05-31", 4);
  session(b, "2026-07-01", -1);
  application(b, 1, "accepted");
  session(c, "2026-05-01", -1);
  application(c, 0, "accepted");
  session(d, "2026-05-15", -1);
  session(e, "2026-06-10", 2);
  application(e, 0, "accepted");
}

Test(course_report, rows_by_centre_and_category_with_their_figures) {
  seed();
  act_as(ROLE_ANALYST, 1);
  struct course_report rep;
  struct kerrinfo ei = {0};
  cr_assert_eq(courses_report(&ctx, "2026-05-01", "2026-05-31", NULL, &rep, &ei), 0);
  cr_assert_str_eq(rep.from, "2026-05-01");
  cr_assert_str_eq(rep.to, "2026-05-31");
  cr_assert_eq(rep.nrows, 3, "chuo \"\", chuo 歴史, haga 文化; E is outside the period");

  const struct course_report_row *none = &rep.rows[0], *hist = &rep.rows[1], *haga = &rep.rows[2];
  cr_assert_str_eq(none->center, "chuo");
  cr_assert_str_eq(none->category, "");
  cr_assert_eq(none->courses, 1);
  cr_assert_eq(none->accepted, 1);
  cr_assert_lt(none->attendance_rate, 0, "nothing recorded: no rate");

  cr_assert_str_eq(hist->center, "chuo");
  cr_assert_str_eq(hist->center_name, rules_center(rb, "chuo")->name);
  cr_assert_str_eq(hist->category, "歴史");
  cr_assert_eq(hist->courses, 2);
  cr_assert_eq(hist->sessions, 4, "every session of a course in the period, July's too");
  cr_assert_eq(hist->applicants, 4, "the cancelled application is not counted");
  cr_assert_eq(hist->accepted, 6, "accepted people: 3 + 1 + 2");
  cr_assert_eq(hist->attended, 12);
  /* 12 came of (4 people x 2 recorded sessions of A) + (2 people x 1 of B) */
  cr_assert_float_eq(hist->attendance_rate, 12.0 / 10.0, 1e-12);

  cr_assert_str_eq(haga->center, "haga");
  cr_assert_str_eq(haga->center_name, rules_center(rb, "haga")->name);
  cr_assert_eq(haga->courses, 1);
  cr_assert_eq(haga->applicants, 0);
  cr_assert_lt(haga->attendance_rate, 0);
  courses_report_free(&rep);
  courses_report_free(NULL);
}

Test(course_report, one_centre_and_an_empty_period) {
  seed();
  struct course_report rep;
  struct kerrinfo ei = {0};
  cr_assert_eq(courses_report(&ctx, "2026-05-01", "2026-05-31", "haga", &rep, &ei), 0);
  cr_assert_eq(rep.nrows, 1);
  cr_assert_str_eq(rep.rows[0].category, "文化");
  courses_report_free(&rep);
  cr_assert_eq(courses_report(&ctx, "2030-01-01", "2030-01-31", "", &rep, &ei), 0);
  cr_assert_eq(rep.nrows, 0);
  cr_assert_null(rep.rows);
  courses_report_free(&rep);
}

Test(course_report, bad_dates_and_an_unknown_centre_are_refused_with_no_rows) {
  struct course_report rep;
  struct kerrinfo ei = {0};
  cr_assert_eq(courses_report(&ctx, "2026-02-30", NULL, "nowhere", &rep, &ei), KERR_VALIDATION);
  cr_assert_eq(rep.nrows, 0);
  cr_assert_null(rep.rows);
  cr_assert_eq(json_object_size(ei.fields), 3, "from, to and center");
  kerr_clear(&ei);
}

Test(course_report, json_and_csv_come_from_the_same_rows) {
  seed();
  struct course_report rep;
  struct kerrinfo ei = {0};
  cr_assert_eq(courses_report(&ctx, "2026-05-01", "2026-05-31", NULL, &rep, &ei), 0);
  json_t *j = courses_report_json(&rep);
  cr_assert(j);
  cr_assert_str_eq(json_string_value(json_object_get(j, "from")), "2026-05-01");
  json_t *rows = json_object_get(j, "rows");
  cr_assert_eq(json_array_size(rows), (size_t)rep.nrows);
  json_t *hist = json_array_get(rows, 1);
  cr_assert_str_eq(json_string_value(json_object_get(hist, "category")), "歴史");
  cr_assert_eq(json_integer_value(json_object_get(hist, "accepted")), 6);
  cr_assert_float_eq(json_real_value(json_object_get(hist, "attendance_rate")), 1.2, 1e-12);
  cr_assert(json_is_null(json_object_get(json_array_get(rows, 0), "attendance_rate")));
  char *dump = json_dumps(hist, JSON_COMPACT);
  cr_assert(strstr(dump, "{\"center\":\"chuo\",\"center_name\":"), "%s", dump);
  cr_assert(strstr(dump, ",\"category\":\"歴史\",\"courses\":2,\"sessions\":4,\"applicants\":4,"
                         "\"accepted\":6,\"attended\":12,\"attendance_rate\":1.2"),
            "%s", dump);
  free(dump);
  json_decref(j);

  size_t len = 0;
  char *csv = courses_report_csv(&rep, 0, &len);
  cr_assert(csv);
  cr_assert_eq(strlen(csv), len);
  char want[512];
  snprintf(want, sizeof want,
           "\xEF\xBB\xBF" "center,center_name,category,courses,sessions,applicants,accepted,"
           "attended,attendance_rate\r\n"
           "chuo,%s,,1,1,1,1,0,\r\n"
           "chuo,%s,歴史,2,4,4,6,12,1.2000\r\n"
           "haga,%s,文化,1,1,0,0,0,\r\n",
           rep.rows[0].center_name, rep.rows[1].center_name, rep.rows[2].center_name);
  cr_assert_str_eq(csv, want);
  free(csv);
  csv = courses_report_csv(&rep, 1, &len);
  cr_assert(strstr(csv, "公民館コード,公民館,分野,講座数,回数,申し込み,受講決定（人）,"
                        "出席（延べ人）,出席率\r\n"));
  free(csv);
  courses_report_free(&rep);
}
