/*
** http/pagecache.c: the anonymous pages from a response cache (pagecache.h).
**
** The key is the path, the query as sent (each name=value in order) and
** whether the client asked for HTML. The table is small and evicts the entry
** used least recently: a crawler walking every month of every room costs a
** render per page, as it would without the cache, and memory stays bounded:
** PAGE_SLOTS rendered pages and PAGE_BYTES of them in all. A stale entry is
** dropped as soon as anything is stored (a burst of bookings makes every page
** stale: nothing stale is kept for long), then the least recently used go
** until the new one fits.
*/
#include "pagecache.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "../core/availability.h"
#include "../core/clock.h"
#include "reply.h"

#define PAGE_SLOTS 128
#define PAGE_BYTES (4 << 20)   /* the bodies of all the pages kept */
#define PAGE_UNKNOWN 4096      /* counted for a reply whose size is not known */

struct page {
  char key[sizeof ((struct req *)0)->cache_key];
  uint64_t gen;
  int64_t valid_until;
  int64_t used;
  unsigned status;
  size_t len;                  /* its body's size */
  struct MHD_Response *resp;   /* the cache's own reference */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct page pages[PAGE_SLOTS];
static int64_t tick;
static size_t kept;           /* the bytes of all the entries */

struct keybuf {
  char *p;
  size_t n, len;
  int over;
};

/* Append S to B; with ESCAPE, '%', '&' and '=' become %XX, so that
** "?a=b%26c%3D" (one argument) and "?a=b&c=" (two) never share a key.
** 0, or -1 when B is full. */
static int put(struct keybuf *b, const char *s, int escape) {
  for (; s && *s; s++) {
    int esc = escape && (*s == '%' || *s == '&' || *s == '=');
    if (b->len + (esc ? 3 : 1) >= b->n) return -1;
    if (esc) b->len += (size_t)snprintf(b->p + b->len, 4, "%%%02X", (unsigned char)*s);
    else b->p[b->len++] = *s;
  }
  b->p[b->len] = 0;
  return 0;
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *k,
                               const char *v) {
  (void)kind;
  struct keybuf *b = cls;
  if (put(b, b->len ? "&" : "?", 0) || put(b, k, 1) || put(b, "=", 0) || put(b, v, 1)) {
    b->over = 1;
    return MHD_NO;
  }
  return MHD_YES;
}

/* The key of R into KEY; 0, or -1 when it does not fit (not cached). */
static int make_key(struct req *r, char *key, size_t n) {
  int w = snprintf(key, n, "%c%s", req_wants_html(r) ? 'h' : '-', r->url);
  if (w < 0 || (size_t)w >= n) return -1;
  struct keybuf b = {key + w, n - (size_t)w, 0, 0};
  MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_arg, &b);
  return b.over ? -1 : 0;
}

/* The generation of a daily entry: never stale by a booking write. */
#define GEN_DAILY UINT64_MAX

/* Under the lock: whether P is out of date at NOW. */
static int stale(const struct page *p, int64_t now) {
  return (p->gen != GEN_DAILY && p->gen != avail_generation()) || now >= p->valid_until;
}

static struct page *find(const char *key, int64_t now) {
  for (int i = 0; i < PAGE_SLOTS; i++) {
    struct page *p = &pages[i];
    if (!p->resp || strcmp(p->key, key)) continue;
    if (stale(p, now)) return NULL;
    p->used = ++tick;
    return p;
  }
  return NULL;
}

int pagecache_lookup(struct req *r, struct reply *rep, int daily) {
  int hit = 0;
  r->cache_key[0] = 0;
  if (r->ctx.actor.role != ROLE_ANON) return 0;
  if (req_header(r, "Cookie") || req_header(r, "Authorization")) return 0;
  if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD")) return 0;
  if (make_key(r, r->cache_key, sizeof r->cache_key) != 0) {
    r->cache_key[0] = 0;
    return 0;
  }
  pthread_mutex_lock(&lock);
  struct page *p = find(r->cache_key, r->ctx.now);
  if (p) {
    *rep = reply_shared(r, p->status, p->resp); /* queued under the lock: it takes a reference */
    hit = 1;
  }
  pthread_mutex_unlock(&lock);
  if (hit) return 1;
  /* Read before rendering: a write racing the render makes the entry stale. */
  r->cache_gen = avail_generation();
  int64_t minute = r->ctx.now - (r->ctx.now % 60) + 60;
  int64_t midnight = clock_local(clock_today(r->ctx.now) + 1, 0);
  r->cache_until = minute < midnight && !daily ? minute : midnight;
  if (daily) r->cache_gen = GEN_DAILY;
  return 0;
}

void pagecache_valid_until(struct req *r, int64_t until) {
  if (until < r->cache_until) r->cache_until = until;
}

static void drop(struct page *p) {
  MHD_destroy_response(p->resp);
  p->resp = NULL;
  kept -= p->len;
}

/* Under the lock: the slot for KEY, of LEN bytes, once the stale entries are
** gone and the least recently used ones have made room. */
static struct page *make_room(const char *key, size_t len, int64_t now) {
  struct page *slot = NULL;
  for (int i = 0; i < PAGE_SLOTS; i++) {
    struct page *p = &pages[i];
    if (p->resp && (!strcmp(p->key, key) || stale(p, now)))
      drop(p);
    if (!p->resp && !slot) slot = p;
  }
  while (!slot || kept + len > PAGE_BYTES) {
    struct page *lru = NULL;
    for (int i = 0; i < PAGE_SLOTS; i++)
      if (pages[i].resp && (!lru || pages[i].used < lru->used)) lru = &pages[i];
    if (!lru) break;
    drop(lru);
    if (!slot) slot = lru;
  }
  return slot;
}

struct reply pagecache_store(struct req *r, struct reply rep) {
  if (r->ctx.actor.role != ROLE_ANON && rep.resp && !rep.sent &&
      !MHD_get_response_header(rep.resp, "Cache-Control"))
    reply_header(&rep, "Cache-Control", "private, no-store");
  if (!r->cache_key[0] || rep.sent || !rep.resp || rep.status != 200) return rep;
  size_t len = rep.len ? rep.len : PAGE_UNKNOWN;
  if (len > PAGE_BYTES / 8) return rep; /* a page that large is rendered each time */
  pthread_mutex_lock(&lock);
  struct page *slot = make_room(r->cache_key, len, r->ctx.now);
  snprintf(slot->key, sizeof slot->key, "%s", r->cache_key);
  slot->gen = r->cache_gen;
  slot->valid_until = r->cache_until;
  slot->used = ++tick;
  slot->status = rep.status;
  slot->len = len;
  slot->resp = rep.resp;   /* the handler's reference is now the cache's */
  kept += len;
  struct reply out = reply_shared(r, rep.status, rep.resp);
  pthread_mutex_unlock(&lock);
  return out;
}
