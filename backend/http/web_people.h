/*
** http/web_people.h: web forms for what had only an API (issue 14;
** docs/operations.md), no JavaScript needed: a citizen's details on マイページ,
** the counter's password reset slip, and staff accounts for admins (create,
** role and home centre, a new password).
*/
#ifndef KOMINKAN_HTTP_WEB_PEOPLE_H
#define KOMINKAN_HTTP_WEB_PEOPLE_H

#include "http.h"

struct reply web_people_profile(struct req *r);
struct reply web_people_profile_post(struct req *r);
struct reply web_people_code(struct req *r);
struct reply web_people_code_post(struct req *r);
struct reply web_people_user_new(struct req *r);
struct reply web_people_user_create(struct req *r);
struct reply web_people_user(struct req *r);
struct reply web_people_user_role(struct req *r);
struct reply web_people_user_password(struct req *r);

#endif
