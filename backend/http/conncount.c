/*
** http/conncount.c: connections open, in all and per address (conncount.h).
**
** One mutex over a small chained hash of the addresses that have a
** connection open; an address leaves the table with its last connection, so
** the table is never larger than the connections. Taken once per accepted
** connection and once per closed one, never per request.
*/
#include "conncount.h"

#include <pthread.h>
#include <stdlib.h>

#define NBUCKET 1024

struct addr_count {
  uint32_t ip;
  unsigned n;
  struct addr_count *next;
};

static struct {
  pthread_mutex_t lock;
  unsigned limit, per_ip, total;
  struct addr_count *bucket[NBUCKET];
} cc = {.lock = PTHREAD_MUTEX_INITIALIZER};

static unsigned slot(uint32_t ip) {
  return (ip * 2654435761u) >> 22;   /* Knuth's multiplicative hash, 10 bits */
}

void conncount_init(unsigned limit, unsigned per_ip) {
  conncount_reset();
  pthread_mutex_lock(&cc.lock);
  cc.limit = limit;
  cc.per_ip = per_ip;
  pthread_mutex_unlock(&cc.lock);
}

void conncount_reset(void) {
  pthread_mutex_lock(&cc.lock);
  for (int i = 0; i < NBUCKET; i++) {
    struct addr_count *a = cc.bucket[i], *next;
    for (; a; a = next) {
      next = a->next;
      free(a);
    }
    cc.bucket[i] = NULL;
  }
  cc.total = 0;
  pthread_mutex_unlock(&cc.lock);
}

/* The entry of IP, and in *LINK the pointer to it; NULL when absent. */
static struct addr_count *find(uint32_t ip, struct addr_count ***link) {
  struct addr_count **p = &cc.bucket[slot(ip)];
  while (*p && (*p)->ip != ip) p = &(*p)->next;
  if (link) *link = p;
  return *p;
}

enum conncount_result conncount_take(uint32_t ip) {
  enum conncount_result res = CONNCOUNT_OK;
  pthread_mutex_lock(&cc.lock);
  struct addr_count **link, *a = find(ip, &link);
  if (cc.total >= cc.limit) {
    res = CONNCOUNT_FULL;
  } else if (a && cc.per_ip && a->n >= cc.per_ip) {
    res = CONNCOUNT_PER_IP;
  } else if (!a && !(a = calloc(1, sizeof *a))) {
    res = CONNCOUNT_NOMEM;
  } else {
    if (!a->n) {
      a->ip = ip;
      *link = a;
    }
    a->n++;
    cc.total++;
  }
  pthread_mutex_unlock(&cc.lock);
  return res;
}

void conncount_give(uint32_t ip) {
  pthread_mutex_lock(&cc.lock);
  struct addr_count **link, *a = find(ip, &link);
  if (a) {
    cc.total--;
    if (--a->n == 0) {
      *link = a->next;
      free(a);
    }
  }
  pthread_mutex_unlock(&cc.lock);
}

unsigned conncount_total(void) {
  pthread_mutex_lock(&cc.lock);
  unsigned n = cc.total;
  pthread_mutex_unlock(&cc.lock);
  return n;
}

unsigned conncount_of(uint32_t ip) {
  pthread_mutex_lock(&cc.lock);
  struct addr_count *a = find(ip, NULL);
  unsigned n = a ? a->n : 0;
  pthread_mutex_unlock(&cc.lock);
  return n;
}
