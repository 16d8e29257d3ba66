/*
** http/api_public.c: health, catalogue, rules and the availability feeds.
**
** The feeds are read far more often than bookings change (every lobby screen
** polls them), so each (kind, date, centre) is rendered once into a
** libmicrohttpd response that is queued again and again: a cached request
** costs no SQL and no JSON encoding. An entry is stale when a booking write
** has bumped avail_generation() since it was built, or when a hold in it
** lapses (valid_until), or when its date is no longer "today".
**
** Memory is bounded by bytes, not only by entries: the cache keeps the
** encoded bodies and not the JSON trees they came from (a city-wide day is
** 31 KB as text, ~430 KB as a jansson tree: 61 days read by a client kept
** 25 MiB). A JSON entry also keeps the typed view it was encoded from
** (struct avail_view, core/availability.h: a city-wide day is ~10 KB), which
** the pages render (feed_view) without parsing anything; bodies and views
** together are CACHE_BYTES at most. Stale entries go whenever something new
** is stored.
*/
#include "api_public.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/availability.h"
#include "../core/clock.h"
#include "../core/facilities.h"
#include "pagecache.h"
#include "reply.h"

/* ------------------------------------------------------------- health */

static pthread_mutex_t health_lock = PTHREAD_MUTEX_INITIALIZER;
static char health_problem[256];

void health_set_problem(const char *why) {
  pthread_mutex_lock(&health_lock);
  snprintf(health_problem, sizeof health_problem, "%s", why ? why : "");
  pthread_mutex_unlock(&health_lock);
}

/* GET /healthz -> 200 {"status":"ok"} or {"status":"degraded","reason"}. Anyone. */
struct reply api_healthz(struct req *r) {
  char why[256];
  pthread_mutex_lock(&health_lock);
  memcpy(why, health_problem, sizeof why);
  pthread_mutex_unlock(&health_lock);
  if (why[0]) return reply_json(r, 200, json_pack("{s:s, s:s}", "status", "degraded", "reason", why));
  return reply_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

/* GET /api/v1/centers -> 200 {"centers":[...]}. Anyone. */
struct reply api_centers(struct req *r) {
  return reply_json(r, 200, facilities_json(r->ctx.rb));
}

/* GET /api/v1/rules[?date=D] -> 200 the version in force today (or on D). Anyone. */
struct reply api_rules(struct req *r) {
  int32_t day = clock_today(r->ctx.now);
  const char *d = req_query(r, "date");
  if (d && date_parse(d, &day)) {
    struct kerrinfo ei = {0};
    kerr_field(&ei, "date", "日付は YYYY-MM-DD の形で、実在する日付を指定してください。");
    struct reply ret = reply_error(r, KERR_VALIDATION, &ei);
    kerr_clear(&ei);
    return ret;
  }
  const struct rules *ru = rules_in_force(r->ctx.rb, day);
  if (!ru) return reply_error(r, KERR_NOT_FOUND, NULL);
  return reply_json(r, 200, rules_public_json(ru));
}

/* --------------------------------------------------------------- cache */

enum { FEED_JSON, FEED_CSV };
#define CACHE_SLOTS 64
#define CACHE_BYTES (4 << 20)  /* the bodies of all the entries */

struct entry {
  int kind;
  int32_t day;
  char center[32];
  uint64_t gen;
  int64_t valid_until;
  int64_t used;                 /* for eviction: the clock of its last use */
  struct MHD_Response *resp;
  struct avail_view *view;      /* FEED_JSON: the view of the body, for pages; else NULL */
  size_t len;                   /* the body's bytes and the view's */
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry cache[CACHE_SLOTS];
static int64_t cache_tick;
static size_t cache_kept;       /* the bytes of all the entries' bodies and views */

static struct entry *cache_find(int kind, int32_t day, const char *code, int64_t now) {
  for (int i = 0; i < CACHE_SLOTS; i++) {
    struct entry *e = &cache[i];
    if (e->resp && e->kind == kind && e->day == day && !strcmp(e->center, code)) {
      if (e->gen != avail_generation() || now >= e->valid_until) return NULL;
      e->used = ++cache_tick;
      return e;
    }
  }
  return NULL;
}

static void cache_drop(struct entry *e) {
  MHD_destroy_response(e->resp);
  avail_view_free(e->view);
  e->resp = NULL;
  e->view = NULL;
  cache_kept -= e->len;
}

/* Under cache_lock: keep RESP (its body LEN bytes) and, for FEED_JSON, a
** reference to VIEW for (KIND, DAY, CODE) built at generation GEN, valid
** until UNTIL. Stale entries and the same key go first, then the least
** recently used until it fits; 0, or -1 when it is not kept (larger than an
** eighth of the cache): then RESP is still the caller's. */
static int cache_put(int kind, int32_t day, const char *code, uint64_t gen, int64_t until,
                     int64_t now, struct MHD_Response *resp, struct avail_view *view,
                     size_t len) {
  if (kind != FEED_JSON) view = NULL;
  if (view) len += view->bytes;
  if (len > CACHE_BYTES / 8) return -1;
  struct entry *slot = NULL;
  for (int i = 0; i < CACHE_SLOTS; i++) {
    struct entry *e = &cache[i];
    if (e->resp && ((e->kind == kind && e->day == day && !strcmp(e->center, code)) ||
                    e->gen != avail_generation() || now >= e->valid_until))
      cache_drop(e);
    if (!e->resp && !slot) slot = e;
  }
  while (!slot || cache_kept + len > CACHE_BYTES) {
    struct entry *lru = NULL;
    for (int i = 0; i < CACHE_SLOTS; i++)
      if (cache[i].resp && (!lru || cache[i].used < lru->used)) lru = &cache[i];
    if (!lru) break;
    cache_drop(lru);
    if (!slot) slot = lru;
  }
  slot->kind = kind;
  slot->day = day;
  snprintf(slot->center, sizeof slot->center, "%s", code);
  slot->gen = gen;
  slot->valid_until = until;
  slot->used = ++cache_tick;
  slot->resp = resp;
  slot->view = avail_view_ref(view);
  slot->len = len;
  cache_kept += len;
  return 0;
}

/* Resolve ?center= to a centre (NULL = all); 0 or KERR_NOT_FOUND. */
static int center_of(struct req *r, const char *code, const struct center **out) {
  *out = NULL;
  if (!code || !*code) return 0;
  *out = rules_center(r->ctx.rb, code);
  return *out ? 0 : KERR_NOT_FOUND;
}

/* Build the view for (DAY, CODE) outside the cache; *UNTIL is when it goes stale. */
static int build(struct req *r, int32_t day, const char *code, struct avail_view **view,
                 int64_t *until) {
  const struct center *ce;
  int err = center_of(r, code, &ce);
  if (err) return err;
  int64_t next_midnight = clock_local(clock_today(r->ctx.now) + 1, 0);
  if ((err = avail_view_build(&r->ctx, day, ce, view))) return err;
  /* "today" moves at midnight; a feed also goes stale then */
  *until = (*view)->valid_until < next_midnight ? (*view)->valid_until : next_midnight;
  return 0;
}

/* Render VIEW as the feed of KIND into a response with the feed headers;
** NULL when out of memory. *LEN is the body's length. */
static struct MHD_Response *feed_response(int kind, const struct avail_view *view,
                                          size_t *len_out) {
  char *body;
  size_t len = 0;
  const char *ctype;
  if (kind == FEED_CSV) {
    body = avail_view_csv(view, &len);
    ctype = "text/csv; charset=utf-8";
  } else {
    json_t *json = avail_view_json(view);
    body = json ? json_dumps(json, JSON_COMPACT) : NULL;
    json_decref(json);
    len = body ? strlen(body) : 0;
    ctype = "application/json; charset=utf-8";
  }
  if (!body) return NULL;
  struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
  if (!resp) {
    free(body);
    return NULL;
  }
  reply_headers(resp, ctype, 0);
  MHD_add_response_header(resp, "Cache-Control", "no-cache");
  MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
  if (kind == FEED_CSV)
    MHD_add_response_header(resp, "Content-Disposition", "inline; filename=\"today.csv\"");
  *len_out = len;
  return resp;
}

/* Pages (top, availability, signage, /today) read the views of the same
** cache entries as /api/v1/availability and /api/v1/today, and fill them on a
** miss, so a lobby screen or the top page costs no SQL and no parsing while
** nothing changes. */
int feed_view(struct req *r, int32_t day, const char *code, struct avail_view **out) {
  int64_t until;
  pthread_mutex_lock(&cache_lock);
  struct entry *e = cache_find(FEED_JSON, day, code, r->ctx.now);
  if (e && e->view) {
    *out = avail_view_ref(e->view);
    pagecache_valid_until(r, e->valid_until);
    pthread_mutex_unlock(&cache_lock);
    return 0;
  }
  pthread_mutex_unlock(&cache_lock);
  uint64_t gen = avail_generation(); /* read before building: a racing write makes it stale */
  int err = build(r, day, code, out, &until);
  if (err) return err;
  pagecache_valid_until(r, until); /* a page made of this feed goes stale with it */
  size_t len;
  struct MHD_Response *resp = feed_response(FEED_JSON, *out, &len);
  if (!resp) return 0; /* the page can still be rendered; just not cached */
  pthread_mutex_lock(&cache_lock);
  if (cache_put(FEED_JSON, day, code, gen, until, r->ctx.now, resp, *out, len))
    MHD_destroy_response(resp);
  pthread_mutex_unlock(&cache_lock);
  return 0;
}

/* Serve the feed of KIND for DAY and centre CODE from the cache, building it
** when stale. The response is queued under the cache lock: queueing takes a
** reference, so a concurrent rebuild cannot free it under us. */
static struct reply serve_feed(struct req *r, int kind, int32_t day, const char *code) {
  struct reply ret;
  pthread_mutex_lock(&cache_lock);
  struct entry *e = cache_find(kind, day, code, r->ctx.now);
  if (e) {
    ret = reply_shared(r, 200, e->resp);
    pthread_mutex_unlock(&cache_lock);
    return ret;
  }
  pthread_mutex_unlock(&cache_lock);

  uint64_t gen = avail_generation(); /* read before building: a racing write makes it stale */
  struct avail_view *view = NULL;
  int64_t until;
  int err = build(r, day, code, &view, &until);
  if (err) return reply_error(r, err, NULL);
  size_t len;
  struct MHD_Response *resp = feed_response(kind, view, &len);
  if (!resp) {
    avail_view_free(view);
    return reply_error(r, KERR_INTERNAL, NULL);
  }
  ret = reply_shared(r, 200, resp);
  pthread_mutex_lock(&cache_lock);
  if (cache_put(kind, day, code, gen, until, r->ctx.now, resp, view, len))
    MHD_destroy_response(resp);   /* queued: the queue holds its own reference */
  pthread_mutex_unlock(&cache_lock);
  avail_view_free(view);          /* the entry holds its own reference */
  return ret;
}

static struct reply bad_date(struct req *r) {
  struct kerrinfo ei = {0};
  kerr_field(&ei, "date", "日付は YYYY-MM-DD の形で、実在する日付を指定してください。");
  struct reply ret = reply_error(r, KERR_VALIDATION, &ei);
  kerr_clear(&ei);
  return ret;
}

static struct reply feed(struct req *r, int kind, int32_t day) {
  const char *code = req_query(r, "center");
  const struct center *ce;
  if (center_of(r, code, &ce)) return reply_error(r, KERR_NOT_FOUND, NULL);
  return serve_feed(r, kind, day, ce ? ce->code : "");
}

/* GET /api/v1/availability?date=D[&center=CODE] -> 200 the feed of D;
** 422 validation for a missing or impossible date; 404 unknown centre. Anyone. */
struct reply api_availability(struct req *r) {
  int32_t day;
  if (date_parse(req_query(r, "date"), &day)) return bad_date(r);
  return feed(r, FEED_JSON, day);
}

/* GET /api/v1/today[?center=CODE] -> 200 the feed of today in Asia/Tokyo. Anyone. */
struct reply api_today(struct req *r) {
  return feed(r, FEED_JSON, clock_today(r->ctx.now));
}

/* GET /api/v1/today.csv[?center=CODE] -> 200 text/csv, header row first. Anyone. */
struct reply api_today_csv(struct req *r) {
  return feed(r, FEED_CSV, clock_today(r->ctx.now));
}
