/*
** core/throttle.h: counting attempts per key in time (sign-in failures per
** account and address, anonymous sign-ups, look-ups by system ID and
** same-day uses without registration per client address).
**
** Two kinds of counter share one table shape:
** - a WINDOW counter allows LIMIT events in WINDOW seconds from the first;
** - a BACKOFF counter allows FREE failures, then makes each next attempt wait
**   BASE, 2*BASE, 4*BASE, ... seconds (at most CAP) after the last failure;
**   it forgets a key FORGET seconds after its last failure. A growing delay
**   slows a guesser down without turning the throttle into a lock that
**   anyone can throw over somebody else's account.
**
** Every limit the server applies is one of the THROTTLE_* instances below,
** defined together in throttle.c with the reasons for each number
** (docs/operations.md "Throttles" lists them for operators).
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

#include "kerr.h"

#define THROTTLE_SLOTS 4096
#define THROTTLE_KEY 64

struct throttle_entry {
  char key[THROTTLE_KEY];
  int64_t first;            /* the first event of the current window */
  int64_t last;             /* the latest event */
  int count;
};

struct throttle {
  pthread_mutex_t lock;
  int limit;                /* WINDOW: events per window; BACKOFF: free failures */
  int window;               /* WINDOW: seconds; BACKOFF: seconds until a key is forgotten */
  int base, cap;            /* BACKOFF only: first delay and longest delay (seconds); base 0: WINDOW */
  struct throttle_entry e[THROTTLE_SLOTS];
};

#define THROTTLE_INIT(LIMIT, WINDOW) \
  {PTHREAD_MUTEX_INITIALIZER, (LIMIT), (WINDOW), 0, 0, {{{0}, 0, 0, 0}}}
#define THROTTLE_BACKOFF(FREE, BASE, CAP, FORGET) \
  {PTHREAD_MUTEX_INITIALIZER, (FREE), (FORGET), (BASE), (CAP), {{{0}, 0, 0, 0}}}

/* The server's limits (throttle.c says why each number). */
extern struct throttle throttle_signin_pair;     /* sign-in failures per (account, address) */
extern struct throttle throttle_signin_address;  /* sign-in failures per address */
extern struct throttle throttle_signup;          /* anonymous sign-ups per address */
extern struct throttle throttle_lookup;          /* requests naming a system ID, per address */
extern struct throttle throttle_permit_code;     /* wrong short permit codes, per address */
extern struct throttle throttle_reset_link;      /* reset links made per account */
extern struct throttle throttle_reset_request;   /* reset requests per address */
extern struct throttle throttle_reset_secret;    /* wrong reset links or codes per address */
extern struct throttle throttle_reset_code_account; /* wrong counter codes per account */
extern struct throttle throttle_sameday;         /* same-day uses without registration taken per address */

/* 0 if KEY may go on now, else the seconds until it may (for Retry-After). */
int throttle_wait(struct throttle *t, const char *key, int64_t now);

/* Count one event (a failure) of KEY at NOW. */
void throttle_fail(struct throttle *t, const char *key, int64_t now);

/* throttle_wait and, when it is 0, throttle_fail, under one lock: the
** seconds to wait, or 0 with the event counted. */
int throttle_take(struct throttle *t, const char *key, int64_t now);

/* For a request from CLIENT (an address; NULL or "" counts as one unknown
** address): throttle_take on "WHAT:CLIENT". 0 to go on, else
** KERR_RATE_LIMITED with ei->retry_after and a message saying when. */
int throttle_refuse(struct throttle *t, const char *what, const char *client, int64_t now,
                    struct kerrinfo *ei);

/* KERR_RATE_LIMITED with ei->retry_after WAIT and a message: WHY (a
** Japanese clause ending in ため), then how long to wait. */
int throttle_refusal(int wait, const char *why, struct kerrinfo *ei);

/* Forget KEY (after a success). */
void throttle_clear(struct throttle *t, const char *key);

/* Forget everything (tests). */
void throttle_reset(struct throttle *t);
void throttle_reset_all(void);

#endif
