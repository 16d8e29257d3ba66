/*
** http/web_public.h: the public HTML pages that need only the feeds and the
** catalogue (docs/web.md): top, search results, a room's month, lobby
** signage (the rule-book pages are web_rules.h).
*/
#ifndef KOMINKAN_HTTP_WEB_PUBLIC_H
#define KOMINKAN_HTTP_WEB_PUBLIC_H

#include "http.h"

struct reply web_top(struct req *r);
struct reply web_availability(struct req *r);
struct reply web_room(struct req *r);
struct reply web_signage(struct req *r);

#endif
