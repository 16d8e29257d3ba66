/*
** http/web_today.h: today's free rooms, for people on a phone (/today).
*/
#ifndef KOMINKAN_HTTP_WEB_TODAY_H
#define KOMINKAN_HTTP_WEB_TODAY_H

#include "http.h"

struct reply web_today(struct req *r);

#endif
