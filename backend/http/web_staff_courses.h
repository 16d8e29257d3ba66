/* http/web_staff_courses.h: the course database pages for staff
** (web_staff_courses.c). */
#ifndef KOMINKAN_HTTP_WEB_STAFF_COURSES_H
#define KOMINKAN_HTTP_WEB_STAFF_COURSES_H

#include "http.h"

struct reply web_staff_courses(struct req *r);
struct reply web_staff_course_new(struct req *r);
struct reply web_staff_course_create(struct req *r);
struct reply web_staff_course(struct req *r);
struct reply web_staff_course_update(struct req *r);
struct reply web_staff_course_copy(struct req *r);
struct reply web_staff_course_attendance(struct req *r);

#endif
