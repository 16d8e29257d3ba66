/* http/web_courses.h: the course pages (web_courses.c). */
#ifndef KOMINKAN_HTTP_WEB_COURSES_H
#define KOMINKAN_HTTP_WEB_COURSES_H

#include "http.h"

struct reply web_courses(struct req *r);
struct reply web_course(struct req *r);
struct reply web_course_apply(struct req *r);
struct reply web_my_courses(struct req *r);
struct reply web_my_course_cancel(struct req *r);
struct reply web_my_course_accept(struct req *r);

#endif
