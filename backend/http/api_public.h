/*
** http/api_public.h: the public endpoints: health, catalogue, rules, feeds.
*/
#ifndef KOMINKAN_HTTP_API_PUBLIC_H
#define KOMINKAN_HTTP_API_PUBLIC_H

#include "http.h"

struct reply api_healthz(struct req *r);
struct reply api_centers(struct req *r);
struct reply api_rules(struct req *r);
struct reply api_availability(struct req *r);
struct reply api_today(struct req *r);
struct reply api_today_csv(struct req *r);

/* The cached availability feed of DAY for centre CODE ("" = all) as JSON
** (new reference), for pages that render it (signage, top page). 0 or KERR. */
int feed_json(struct req *r, int32_t day, const char *code, json_t **out);

/* Health problems reported by other parts (backups): NULL clears. */
void health_set_problem(const char *why);

#endif
