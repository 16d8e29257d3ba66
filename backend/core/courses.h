/*
** core/courses.h: courses (講座) run by the centres, and applications to them
** (docs/courses.md).
**
** The course database (core/courses.c): staff create and edit courses for
** their centre; each session's room slot is reserved as a booking of the
** centre in the same transaction (booking_slots' UNIQUE index decides, so a
** slot is never given twice; a clash names the booking in the way). Staff at
** every centre search all courses and copy a past one as a new plan;
** attendance per session is recorded at the counter and feeds the report.
**
** Applications (core/course_apps.c): a citizen applies for themselves and up
** to the course's max_companions companions, once per course. A first-come
** course decides at once, in one write transaction with the capacity check
** (accepted or waitlisted: never over-filled). A lottery course takes
** applications ("applied") until the end of apply_until and is then drawn
** (core/lottery.c): by staff, or by the sweep that runs before every course
** read or write. A place given back goes to the next on the waiting list as
** an offer with a deadline to accept.
**
** Every function returns 0 or a KERR_* code with details in EI; on error
** nothing is changed. JSON results are new references the caller decrefs.
*/
#ifndef KOMINKAN_CORE_COURSES_H
#define KOMINKAN_CORE_COURSES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "status.h"

#define COURSES_MAX_SESSIONS 60
#define COURSES_OFFER_HOURS 72      /* an offered place is held this long at most */

/* ------------------------------------------------------ the database */

/* POST /api/v1/courses (staff, admin). BODY {"center","title","capacity",
** "sessions":[{"date","slot","room_id"}],"apply_from","apply_until",
** "allocation":"lottery"|"first_come", "description"?,"category"?,
** "lecturer_name"?,"lecturer_org"?,"lecturer_note"?,"target"?,"fee"?,
** "max_companions"?,"calendar"?}. COPIED_FROM: the course this plan was copied
** from, or 0. *OUT = the course (courses_get's shape), with "lottery_id" for a
** lottery. KERR_VALIDATION, KERR_FORBIDDEN (another centre's staff),
** KERR_CLOSED (a session on a closed day), KERR_SLOT_TAKEN (a session's slot
** is booked: the message names the booking). */
int courses_create(struct kctx *ctx, const json_t *body, int64_t copied_from, json_t **out,
                   struct kerrinfo *ei);
/* courses_create typed: *ID the new course (the same checks and errors). */
int courses_create_id(struct kctx *ctx, const json_t *body, int64_t copied_from, int64_t *id,
                      struct kerrinfo *ei);

/* PATCH /api/v1/courses/{id} (staff of its centre, admin): the descriptive
** fields, capacity (not below the places given) and max_companions; the
** sessions and the application period stay as created. */
int courses_update(struct kctx *ctx, int64_t id, const json_t *body, json_t **out,
                   struct kerrinfo *ei);

/* POST /api/v1/courses/{id}/copy (staff, admin): a new course from course ID,
** every field copied unless BODY gives it; BODY must give the new sessions,
** apply_from and apply_until (and "center" to plan it elsewhere). */
int courses_copy(struct kctx *ctx, int64_t id, const json_t *body, json_t **out,
                 struct kerrinfo *ei);
/* courses_copy typed: *MADE the new course. */
int courses_copy_id(struct kctx *ctx, int64_t id, const json_t *body, int64_t *made,
                    struct kerrinfo *ei);

/* GET /api/v1/courses (public): courses not yet over, by first session,
** CENTER (NULL: all). {"courses":[{"id","title","center","center_name",
** "capacity","places_left","category","target","fee","allocation",
** "apply_from","apply_until","accepting","first_date","last_date",
** "lottery_id"?}]} */
int courses_list(struct kctx *ctx, const char *center, json_t **out, struct kerrinfo *ei);

/* Staff search over every centre's courses, past and planned. */
struct course_query {
  const char *center, *category, *lecturer, *target, *year, *text;
};

/* ------------------------------------------------- the typed views */

/* One session of a course, as courses_get shows it. */
struct course_session_view {
  int64_t id, room_id;
  const struct room *room;          /* NULL: no longer in the rule book */
  char date[11], slot[24];
  const char *slot_label;           /* the rule book's; NULL: unknown slot (no times) */
  char start[8], end[8];            /* "HH:MM" when slot_label */
  int has_attendance;               /* recorded, and the reader is staff */
  int64_t attendance;
};

/* A course as the API shows it (its JSON is course_view_json): the lists
** give it without sessions, courses_get with them. The texts are sized as
** core/courses.c's course_in, which every stored course went through. */
struct course_view {
  int64_t id, fee, capacity, max_companions;
  int64_t lottery_id;               /* 0: first come */
  int64_t copied_from;              /* 0: none */
  char center[32], apply_from[11], apply_until[11], first_date[11], last_date[11];
  const char *center_name;          /* the rule book's; "" when gone */
  char title[400], description[4000], category[200], target[400];
  char lecturer_name[200], lecturer_org[400], lecturer_note[1000];
  enum course_allocation allocation;
  int calendar, accepting;          /* accepting: inside the application period now */
  int has_places;
  int64_t places_left;
  int has_sessions;                 /* courses_get's view */
  struct course_session_view *sessions;
  int nsessions;
};
json_t *course_view_json(const struct course_view *v);

/* courses_list and courses_search as views: *OUT (malloc'd, *N of them, the
** caller frees; no sessions to free). */
int courses_views(struct kctx *ctx, const char *center, struct course_view **out, int *n,
                  struct kerrinfo *ei);
int courses_search_views(struct kctx *ctx, const struct course_query *q,
                         struct course_view **out, int *n, struct kerrinfo *ei);
/* courses_get as a view into *V (course_view_free() frees its sessions). */
int course_view_get(struct kctx *ctx, int64_t id, struct course_view *v, struct kerrinfo *ei);
void course_view_free(struct course_view *v);   /* NULL: no-op */

int courses_search(struct kctx *ctx, const struct course_query *q, json_t **out,
                   struct kerrinfo *ei);

/* GET /api/v1/courses/{id} (public): the course with its sessions
** ({"id","date","slot","slot_label","start","end","room_id","room_name",
** "attendance"? (staff)}) and places_left. KERR_NOT_FOUND. */
int courses_get(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei);

/* POST /api/v1/courses/{id}/sessions/{sid}/attendance {"attended"} (staff):
** how many came to session SID. */
int courses_attendance(struct kctx *ctx, int64_t id, int64_t sid, const json_t *body,
                       json_t **out, struct kerrinfo *ei);

/* The course report: the courses with a session in a period, by centre and
** category. One row: */
struct course_report_row {
  char center[32];             /* "chuo" */
  char center_name[96];        /* "中央公民館" (the code when the rule book lacks it) */
  char category[256];          /* "" when none (entered as at most 50 characters) */
  int64_t courses, sessions;   /* the courses, and all their sessions */
  int64_t applicants;          /* applications not cancelled */
  int64_t accepted;            /* people given a place (applicants and companions) */
  int64_t attended;            /* attendance recorded, summed over the sessions */
  double attendance_rate;      /* attended / (accepted people x recorded sessions);
                                  -1 when nothing is recorded */
};
struct course_report {
  char from[11], to[11];       /* the period, YYYY-MM-DD, inclusive */
  int nrows;
  struct course_report_row *rows;  /* by centre code, then category */
};

/* GET /api/v1/courses/report?from=D&to=D[&center=CODE] (staff, admin,
** analyst): the report of the courses with a session in FROM..TO (of CENTER
** when not NULL or "") into *OUT (courses_report_free() frees its rows).
** KERR_VALIDATION (with field messages) for a bad date or an unknown centre;
** on error *OUT holds no rows. */
int courses_report(struct kctx *ctx, const char *from, const char *to, const char *center,
                   struct course_report *out, struct kerrinfo *ei);
void courses_report_free(struct course_report *rep);   /* NULL: no-op */

/* That report as the route's JSON: {"from","to","rows":[{"center",
** "center_name","category","courses","sessions","applicants","accepted",
** "attended","attendance_rate"}]}, attendance_rate null when nothing is
** recorded. A new reference; NULL when out of memory. */
json_t *courses_report_json(const struct course_report *rep);

/* That report as CSV (UTF-8 with BOM, CRLF, a header row: the keys, or
** Japanese names when JA; the rate with 4 decimals, empty when none).
** Caller frees; NULL when out of memory. */
char *courses_report_csv(const struct course_report *rep, int ja, size_t *len);

/* GET /api/v1/centers/{code}/courses.ics (public): the centre's courses that
** staff put in its public calendar ("calendar": true), as an RFC 5545
** VCALENDAR (CRLF, folded at 75 octets, TEXT escaped, UID and DTSTAMP, times
** with TZID=Asia/Tokyo and its VTIMEZONE). A malloc'd buffer in *OUT (caller
** frees), its length in *LEN. KERR_NOT_FOUND for an unknown centre. */
int courses_ical(struct kctx *ctx, const char *center, char **out, size_t *len,
                 struct kerrinfo *ei);

/* The places of course ID given (accepted, and offers not yet lapsed), in
** people. */
int courses_places_taken(struct kctx *ctx, int64_t id, int64_t *taken);

/* -------------------------------------------------- the applications */

/* POST /api/v1/courses/{id}/applications {"companions"?} (citizen) -> the
** application {"id","course_id","status","companions",...}; KERR_CONFLICT
** (409) a live application by the same person; KERR_OUTSIDE_WINDOW outside
** the application period. */
int courses_apply(struct kctx *ctx, int64_t id, const json_t *body, json_t **out,
                  struct kerrinfo *ei);

/* GET /api/v1/course-applications (citizen): {"applications":[...]} with the
** course's title, dates and the offer deadline. */
int courses_my_applications(struct kctx *ctx, json_t **out, struct kerrinfo *ei);

/* POST /api/v1/course-applications/{id}/cancel (the applicant, staff): a
** place given back goes to the waiting list at once. */
int courses_cancel_application(struct kctx *ctx, int64_t app, json_t **out,
                               struct kerrinfo *ei);

/* POST /api/v1/course-applications/{id}/accept (the applicant): take an
** offered place before offer_expires_at. */
int courses_accept_offer(struct kctx *ctx, int64_t app, json_t **out, struct kerrinfo *ei);

/* GET /api/v1/courses/{id}/applications (staff): every application with the
** applicant's system ID, name, phone and email, and "same_contact": the IDs
** of other applications to this course with the same phone or email. */
int courses_applications(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei);

/* POST /api/v1/courses/{id}/draw (staff, admin): draw a lottery course once
** its application period is over (KERR_TOO_EARLY before; KERR_CONFLICT when
** drawn already or not a lottery course). *OUT = the lottery (lottery_get). */
int courses_draw(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei);

/* Draw every lottery course whose period is over, and lapse offers past
** their deadline (offering the place to the next). Cheap when there is
** nothing to do; runs before course reads and writes. */
int courses_sweep(struct kctx *ctx);

/* GET /api/v1/lotteries/{id} (public): lottery_get after the sweep (a
** lottery whose deadline has passed is drawn first). */
int courses_lottery(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei);
/* The same as a view (lottery.h; lottery_view_free() frees it). */
struct lottery_view;
int courses_lottery_view(struct kctx *ctx, int64_t id, struct lottery_view *v,
                         struct kerrinfo *ei);

/* The application row as JSON (shared by the two files): its view's. */
json_t *courses_application_json(struct kctx *ctx, int64_t app);

/* A citizen's application with its course (its JSON, course_app_view_json,
** is what the application routes return). */
struct course_app_view {
  int64_t id, course_id, account_id, companions;
  int64_t created_at;
  int64_t offer_expires_at;         /* 0: no offer */
  int64_t lottery_id;               /* 0: first come */
  int64_t waitlist_position;        /* 0: not waiting */
  enum course_app_status status;
  enum course_allocation allocation;
  char title[400], center[32], first_date[11];
};
json_t *course_app_view_json(const struct course_app_view *a);

/* courses_my_applications as views: *OUT (malloc'd, *N of them, the caller
** frees), in the same order. */
int courses_my_application_views(struct kctx *ctx, struct course_app_view **out, int *n,
                                 struct kerrinfo *ei);

/* An application as staff see it (courses_applications). NAME, PHONE and
** EMAIL are malloc'd; SAME points into the list's SAME. */
struct course_applicant_view {
  int64_t id, account_id, companions;
  char *name, *phone, *email;
  enum course_app_status status;
  const int64_t *same;              /* other live applications with the same phone or email */
  int first, nsame;
};
struct course_applicants {
  int64_t course_id;
  struct course_applicant_view *apps;
  int napps;
  int64_t *same;
  int nsame;
};
/* courses_applications as views into *L (course_applicants_free() frees it,
** also after an error). */
int courses_applicant_views(struct kctx *ctx, int64_t id, struct course_applicants *l,
                            struct kerrinfo *ei);
json_t *course_applicants_json(const struct course_applicants *l);
void course_applicants_free(struct course_applicants *l);   /* NULL: no-op */

#endif
