/*
** http/web_rules.h: the public HTML pages that publish the rule book
** (docs/web.md): the exemption criteria (/rules/discounts) and the help page.
*/
#ifndef KOMINKAN_HTTP_WEB_RULES_H
#define KOMINKAN_HTTP_WEB_RULES_H

#include "http.h"

struct reply web_discounts(struct req *r);
struct reply web_help(struct req *r);

#endif
