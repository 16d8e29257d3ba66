/*
** http/web_staff_help.h: 職員の手引き, the counter clerks' guide (/admin/help).
*/
#ifndef KOMINKAN_HTTP_WEB_STAFF_HELP_H
#define KOMINKAN_HTTP_WEB_STAFF_HELP_H

#include "http.h"

/* GET /admin/help -> 200 the guide. Staff, admin. */
struct reply web_staff_help(struct req *r);

#endif
