/* http/api_courses.h: the course and lottery routes (api_courses.c). */
#ifndef KOMINKAN_HTTP_API_COURSES_H
#define KOMINKAN_HTTP_API_COURSES_H

#include "http.h"

struct reply api_courses_list(struct req *r);
struct reply api_course_create(struct req *r);
struct reply api_courses_search(struct req *r);
struct reply api_course_get(struct req *r);
struct reply api_course_update(struct req *r);
struct reply api_course_copy(struct req *r);
struct reply api_course_apply(struct req *r);
struct reply api_course_applications(struct req *r);
struct reply api_course_draw(struct req *r);
struct reply api_course_attendance(struct req *r);
struct reply api_course_apps_mine(struct req *r);
struct reply api_course_app_cancel(struct req *r);
struct reply api_course_app_accept(struct req *r);
struct reply api_lottery_get(struct req *r);
struct reply api_center_courses_ics(struct req *r);

#endif
