/*
** core/availability.h: the state of every room and slot on a date, for the
** public feeds (today, availability, signage, open data).
**
** States: free, held (a provisional hold not yet lapsed), booked, closed.
** Never a person's name: only a group that opted into the public listing is
** named. The feeds are served from a cache in the HTTP layer; every committed
** change to bookings calls avail_touch(), which makes every cached feed stale.
*/
#ifndef KOMINKAN_CORE_AVAILABILITY_H
#define KOMINKAN_CORE_AVAILABILITY_H

#include <jansson.h>
#include <stdint.h>

#include "ctx.h"

uint64_t avail_generation(void);
void avail_touch(void);

/* Build {"date","generated_at","centers":[{code,name,rooms:[{id,code,name,kind,
** capacity,slots:[{code,label,start,end,state[,group]}]}]}]} for DAY, for the
** centre ONLY or every centre when NULL. *VALID_UNTIL is set to the instant
** when a hold in it lapses (INT64_MAX if none), after which it must be rebuilt.
** Returns 0 or a KERR code; *OUT is a new reference on success. */
int avail_build(struct kctx *ctx, int32_t day, const struct center *only, json_t **out,
                int64_t *valid_until);

/* The feed built by avail_build() as CSV with a header row (UTF-8, CRLF).
** Caller frees. */
char *avail_csv(const json_t *feed, size_t *len);

#endif
