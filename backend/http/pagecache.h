/*
** http/pagecache.h: the anonymous pages from a response cache.
**
** A GET (or HEAD) of a route flagged RF_CACHE by a visitor who sent neither a
** cookie nor an Authorization header is answered from a rendered response
** shared by every such visitor, like the feeds (api_public.c). An entry is
** stale when a booking write bumped avail_generation() since it was
** rendered, at the next whole minute of the clock (pages show "now": past
** slots, the time), when a hold shown in it lapses (feed_json lowers
** r->cache_until), or at midnight. Only 200 replies are kept. A signed-in
** person's request never reads nor fills the cache.
*/
#ifndef KOMINKAN_HTTP_PAGECACHE_H
#define KOMINKAN_HTTP_PAGECACHE_H

#include "http.h"

/* For a route flagged RF_CACHE: 1 when *REP is the shared copy for R (sent
** as is); 0 when R must be rendered (then passed to pagecache_store). DAILY
** (RF_CACHE_DAY): what is rendered stays valid until midnight, whatever is
** booked meanwhile (figures of the days gone by). */
int pagecache_lookup(struct req *r, struct reply *rep, int daily);

/* REP, rendered for R: kept for the next anonymous visitor when R was one and
** REP is a 200; marked "Cache-Control: private, no-store" when R is signed in
** (and the page says nothing else). Returns what the router sends. */
struct reply pagecache_store(struct req *r, struct reply rep);

/* Lower the validity of what R is rendering to UNTIL (epoch seconds). */
void pagecache_valid_until(struct req *r, int64_t until);

#endif
