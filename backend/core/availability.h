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
#include "status.h"

uint64_t avail_generation(void);
void avail_touch(void);

/* The typed availability of a date: centres -> rooms -> slots. Built by core
** (avail_view_build), rendered as the feeds' JSON (avail_view_json) and CSV
** (avail_view_csv) and by the public pages. Points into the rule book (which
** lives as long as the server). Shared: counted references, so a cache can
** hand it to several pages at once; avail_view_free() drops one. */
struct avail_slot {
  const struct slotdef *def;      /* code, label, start, end */
  enum avail_state state;
  int booking;                    /* enum bk_answer (bookable.h) for the web, when no
                                  ** booking holds it and the centre is open; else -1 */
  int64_t opens_at;               /* BK_NOT_YET: when booking opens; else 0 */
  char *group;                    /* a publicly listed group holding it, or NULL */
};

struct avail_room {
  const struct room *room;
  struct avail_slot *slots;       /* the view's nslots */
};

struct avail_center {
  const struct center *center;
  int closed;
  char *closed_reason;            /* when closed and a reason is known; else NULL */
  int nrooms;
  struct avail_room *rooms;
};

struct avail_view {
  _Atomic int refs;
  int32_t day;
  int64_t generated_at;
  int64_t valid_until;            /* when a hold in it lapses or an answer changes
                                  ** (INT64_MAX if never): rebuild after it */
  const struct rules *rules;      /* in force on DAY, or NULL (then no slots) */
  int nslots;                     /* every room's */
  int ncenters;
  struct avail_center *centers;
  size_t bytes;                   /* the memory it holds, for a cache's budget */
};

/* The view of DAY for the centre ONLY, or every centre when NULL: one query.
** 0 or a KERR code; *OUT (one reference) on success. */
int avail_view_build(struct kctx *ctx, int32_t day, const struct center *only,
                     struct avail_view **out);
struct avail_view *avail_view_ref(struct avail_view *v);
void avail_view_free(struct avail_view *v);     /* drops one reference; NULL is fine */

/* {"date","generated_at","rules_version","centers":[{code,name,kind,closed,
** [closed_reason,]rooms:[{id,code,name,kind,capacity,slots:[{code,label,start,
** end,[booking,[opens_at,]]state[,group]}]}]}]}: the feed. NULL when out of
** memory. */
json_t *avail_view_json(const struct avail_view *v);

/* The view as CSV with a header row (UTF-8, CRLF). Caller frees. */
char *avail_view_csv(const struct avail_view *v, size_t *len);

/* avail_view_build() and avail_view_json(): *OUT a new reference; *VALID_UNTIL
** the view's valid_until. Returns 0 or a KERR code. */
int avail_build(struct kctx *ctx, int32_t day, const struct center *only, json_t **out,
                int64_t *valid_until);

#endif
