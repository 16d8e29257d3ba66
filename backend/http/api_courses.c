/*
** http/api_courses.c: courses (講座), applications and lotteries
** (core/courses.h, core/lottery.h; docs/courses.md). The gate in router.c
** has checked session, role, content type and CSRF; core decides the rest.
*/
#include "api_courses.h"

#include <stdlib.h>

#include "../core/courses.h"
#include "reply.h"

/* GET /api/v1/courses[?center=CODE]
** -> 200 {"courses":[{"id","title","center","center_name","capacity",
**    "places_left","category","target","fee","allocation","apply_from",
**    "apply_until","accepting","first_date","last_date","lottery_id"?,...}]}
**    courses not yet over; 404 an unknown centre. Anyone. */
struct reply api_courses_list(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = courses_list(&r->ctx, req_query(r, "center"), &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* POST /api/v1/courses {"center","title","capacity","sessions":[{"date",
**   "slot","room_id"}],"apply_from","apply_until","allocation", optional
**   "description","category","lecturer_name","lecturer_org","lecturer_note",
**   "target","fee","max_companions","calendar"}
** -> 201 the course {"id","lottery_id"?,...}; 403 another centre's staff;
**    409 slot_taken (a session's room slot is booked: the booking is named);
**    422 validation, closed. Staff, admins. */
struct reply api_course_create(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = courses_create(&r->ctx, r->json, 0, &out, &ei);
  return reply_core(r, rc, 201, out, &ei);
}

/* GET /api/v1/courses/search?center&category&lecturer&target&year&q
** -> 200 {"courses":[...]} every centre's courses, past and planned, newest
**    first. Staff, admins. */
struct reply api_courses_search(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  struct course_query q = {.center = req_query(r, "center"),
                           .category = req_query(r, "category"),
                           .lecturer = req_query(r, "lecturer"),
                           .target = req_query(r, "target"),
                           .year = req_query(r, "year"),
                           .text = req_query(r, "q")};
  int rc = courses_search(&r->ctx, &q, &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* GET /api/v1/courses/{id} -> 200 the course with "sessions" and
** "places_left"; 404. Anyone. */
struct reply api_course_get(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = courses_get(&r->ctx, req_path_id(r, 0), &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* PATCH /api/v1/courses/{id} {fields to change: "title","description",
**   "category","lecturer_name","lecturer_org","lecturer_note","target","fee",
**   "capacity","max_companions","calendar"}
** -> 200 the course; 403 another centre's; 404; 409 capacity below the places
**    given; 422 validation. Staff, admins. */
struct reply api_course_update(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = courses_update(&r->ctx, req_path_id(r, 0), r->json, &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* POST /api/v1/courses/{id}/copy {"sessions","apply_from","apply_until",
**   anything else to change} -> 201 the new course (its "copied_from" is ID);
**    as POST /api/v1/courses otherwise. Staff, admins. */
struct reply api_course_copy(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = courses_copy(&r->ctx, req_path_id(r, 0), r->json, &out, &ei);
  return reply_core(r, rc, 201, out, &ei);
}

/* POST /api/v1/courses/{id}/applications {"companions"?}
** -> 201 {"id","status" (applied|accepted|waitlisted),"course_id",
**    "companions",...}; 404; 409 a live application by the same person; 422
**    outside_booking_window (outside the application period), validation.
** Citizens. */
struct reply api_course_apply(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = courses_apply(&r->ctx, req_path_id(r, 0), r->json, &out, &ei);
  return reply_core(r, rc, 201, out, &ei);
}

/* GET /api/v1/courses/{id}/applications
** -> 200 {"course_id","applications":[{"id","system_id","name","phone",
**    "email","companions","status","same_contact":[ID,...]}]}; 404.
** Staff, admins. */
struct reply api_course_applications(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = courses_applications(&r->ctx, req_path_id(r, 0), &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* POST /api/v1/courses/{id}/draw
** -> 200 the lottery (as GET /api/v1/lotteries/{id}); 404; 409 drawn
**    already, or a first-come course; 422 too_early before apply_until has
**    ended. Staff, admins. */
struct reply api_course_draw(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = courses_draw(&r->ctx, req_path_id(r, 0), &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* POST /api/v1/courses/{id}/sessions/{sid}/attendance {"attended"}
** -> 200 the course; 404; 422. Staff, admins (at the counter). */
struct reply api_course_attendance(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = courses_attendance(&r->ctx, req_path_id(r, 0), req_path_id(r, 1), r->json, &out,
                              &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* GET /api/v1/course-applications -> 200 {"applications":[...]} the
** caller's own, newest course first. Citizens. */
struct reply api_course_apps_mine(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = courses_my_applications(&r->ctx, &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* POST /api/v1/course-applications/{id}/cancel -> 200 the application
** (cancelled; a place it held is offered to the next waiting); 404 another
** person's; 409 cancelled already. The applicant, staff, admins. */
struct reply api_course_app_cancel(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = courses_cancel_application(&r->ctx, req_path_id(r, 0), &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* POST /api/v1/course-applications/{id}/accept -> 200 the application
** (accepted); 404; 409 not offered, or the offer's deadline has passed.
** The applicant. */
struct reply api_course_app_accept(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = courses_accept_offer(&r->ctx, req_path_id(r, 0), &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* GET /api/v1/lotteries/{id} -> 200 {"id","commitment","seed"? (after the
** draw),"drawn_at"?,"ranking":[APPLICATION_ID,...],"accepted":[...],
** "waitlist":[...]}; 404. Anyone. */
struct reply api_lottery_get(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = courses_lottery(&r->ctx, req_path_id(r, 0), &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* GET /api/v1/centers/{code}/courses.ics -> 200 text/calendar (RFC 5545)
** the centre's courses that staff put in its public calendar; 404 an
** unknown centre. Anyone. */
struct reply api_center_courses_ics(struct req *r) {
  struct kerrinfo ei = {0};
  char *buf = NULL;
  size_t len = 0;
  int rc = courses_ical(&r->ctx, r->params[0], &buf, &len, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  return reply_owned(r, 200, "text/calendar; charset=utf-8", buf, len);
}
