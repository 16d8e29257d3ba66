/*
** http/api_public.h: the public endpoints: health, catalogue, rules, feeds.
*/
#ifndef KOMINKAN_HTTP_API_PUBLIC_H
#define KOMINKAN_HTTP_API_PUBLIC_H

#include "../core/availability.h"
#include "http.h"

struct reply api_healthz(struct req *r);
struct reply api_centers(struct req *r);
struct reply api_rules(struct req *r);
struct reply api_availability(struct req *r);
struct reply api_today(struct req *r);
struct reply api_today_csv(struct req *r);

/* The cached availability view of DAY for centre CODE ("" = all), for the
** pages that render it (top, availability, signage, /today): one reference,
** dropped with avail_view_free(). 0 or KERR. */
int feed_view(struct req *r, int32_t day, const char *code, struct avail_view **out);

/* Health problems reported by other parts (backups): NULL clears. */
void health_set_problem(const char *why);

#endif
