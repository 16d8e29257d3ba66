/*
** core/throttle.h: counting failures per key in a time window (sign-in
** attempts per account and per client address).
**
** In memory, on purpose: kominkan is one process, so its memory sees every
** attempt; keeping counters in SQLite would turn each failed sign-in into a
** write under the writer lock, letting an attacker spend the very resource
** the booking peak needs. The cost is that a restart forgets the counters,
** which only an operator can cause, and at worst grants one more window of
** attempts. The table has a fixed size (no memory grows with an attack); keys
** are placed by SipHash with a random key, so an attacker cannot aim keys at
** one neighbourhood to push others out.
*/
#ifndef KOMINKAN_CORE_THROTTLE_H
#define KOMINKAN_CORE_THROTTLE_H

#include <pthread.h>
#include <stdint.h>

#define THROTTLE_SLOTS 4096
#define THROTTLE_KEY 48

struct throttle_entry {
  char key[THROTTLE_KEY];
  int64_t first;            /* the first failure of the current window */
  int count;
};

struct throttle {
  pthread_mutex_t lock;
  int limit;                /* failures allowed in one window */
  int window;               /* seconds */
  struct throttle_entry e[THROTTLE_SLOTS];
};

#define THROTTLE_INIT(LIMIT, WINDOW) {PTHREAD_MUTEX_INITIALIZER, (LIMIT), (WINDOW), {{{0}, 0, 0}}}

/* 0 if KEY may try now, else the seconds until it may (for Retry-After). */
int throttle_wait(struct throttle *t, const char *key, int64_t now);

/* Count one failure of KEY at NOW. */
void throttle_fail(struct throttle *t, const char *key, int64_t now);

/* Forget KEY (after a success). */
void throttle_clear(struct throttle *t, const char *key);

/* Forget everything (tests). */
void throttle_reset(struct throttle *t);

#endif
