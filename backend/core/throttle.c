/*
** core/throttle.c: failure counters per key (see throttle.h).
**
** Open addressing over a fixed table, probing PROBE slots from the key's
** hash. A key's window starts at its first failure; once the window has
** passed the entry counts as free. When all PROBE slots hold live entries
** the oldest is replaced.
*/
#include "throttle.h"

#include <sodium.h>
#include <string.h>

#define PROBE 16

static unsigned char hash_key[crypto_shorthash_KEYBYTES];
static pthread_once_t hash_once = PTHREAD_ONCE_INIT;
static void hash_key_make(void) { randombytes_buf(hash_key, sizeof hash_key); }

static size_t slot_of(const char *key) {
  unsigned char h[crypto_shorthash_BYTES];
  uint64_t v;
  pthread_once(&hash_once, hash_key_make);
  crypto_shorthash(h, (const unsigned char *)key, strlen(key), hash_key);
  memcpy(&v, h, sizeof v);
  return (size_t)(v % THROTTLE_SLOTS);
}

static int live(const struct throttle *t, const struct throttle_entry *e, int64_t now) {
  return e->key[0] && e->count > 0 && now - e->first < t->window && now >= e->first;
}

/* The entry of KEY, or NULL. Called with the lock held. */
static struct throttle_entry *find(struct throttle *t, const char *key, int64_t now) {
  size_t h = slot_of(key);
  for (int i = 0; i < PROBE; i++) {
    struct throttle_entry *e = &t->e[(h + (size_t)i) % THROTTLE_SLOTS];
    if (e->key[0] && !strncmp(e->key, key, THROTTLE_KEY - 1)) return live(t, e, now) ? e : NULL;
  }
  return NULL;
}

int throttle_wait(struct throttle *t, const char *key, int64_t now) {
  int wait = 0;
  pthread_mutex_lock(&t->lock);
  struct throttle_entry *e = find(t, key, now);
  if (e && e->count >= t->limit) {
    wait = (int)(e->first + t->window - now);
    if (wait < 1) wait = 1;
  }
  pthread_mutex_unlock(&t->lock);
  return wait;
}

void throttle_fail(struct throttle *t, const char *key, int64_t now) {
  size_t h = slot_of(key);
  pthread_mutex_lock(&t->lock);
  struct throttle_entry *hit = NULL, *spare = NULL, *oldest = NULL;
  for (int i = 0; i < PROBE; i++) {
    struct throttle_entry *e = &t->e[(h + (size_t)i) % THROTTLE_SLOTS];
    if (e->key[0] && !strncmp(e->key, key, THROTTLE_KEY - 1)) {
      hit = e;
      break;
    }
    if (!spare && !live(t, e, now)) spare = e;
    if (!oldest || e->first < oldest->first) oldest = e;
  }
  if (hit && !live(t, hit, now)) hit->count = 0;
  if (!hit) {
    hit = spare ? spare : oldest;
    memset(hit, 0, sizeof *hit);
    strncpy(hit->key, key, THROTTLE_KEY - 1);
  }
  if (hit->count == 0) hit->first = now;
  hit->count++;
  pthread_mutex_unlock(&t->lock);
}

void throttle_clear(struct throttle *t, const char *key) {
  size_t h = slot_of(key);
  pthread_mutex_lock(&t->lock);
  for (int i = 0; i < PROBE; i++) {
    struct throttle_entry *e = &t->e[(h + (size_t)i) % THROTTLE_SLOTS];
    if (e->key[0] && !strncmp(e->key, key, THROTTLE_KEY - 1)) {
      memset(e, 0, sizeof *e);
      break;
    }
  }
  pthread_mutex_unlock(&t->lock);
}

void throttle_reset(struct throttle *t) {
  pthread_mutex_lock(&t->lock);
  memset(t->e, 0, sizeof t->e);
  pthread_mutex_unlock(&t->lock);
}
