/*
** core/throttle.c: attempt counters per key, and every limit the server
** applies (see throttle.h).
**
** Open addressing over a fixed table, probing PROBE slots from the key's
** hash. A key counts as free once its window has passed (WINDOW) or it has
** been quiet for FORGET seconds (BACKOFF). When all PROBE slots hold live
** entries the oldest is replaced.
*/
#include "throttle.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define PROBE 16

/* ============================================================ the limits */

/* RULE: sign-in attempts are throttled per (account, address) and per address,
** with growing delays, never a lock.
**
** Per (account, address): 5 failures free (a person who misremembers), then
** 2 s, 4 s, 8 s, ... up to 15 minutes between attempts; forgotten a day after
** the last failure, cleared by a success. A guesser at one address gets a
** few dozen tries a day at one account, far too few for a 12-character
** password that is not on the common-password list (core/pwpolicy.c). Keyed
** by the pair, so a stranger's failures never delay the owner signing in from
** their own address.
**
** Per address: 20 failures free, then 1 s, 2 s, ... up to 5 minutes; forgotten
** an hour after the last failure. Public PCs in libraries and the centres'
** lobby terminals, and a household or office behind one NAT, share an
** address among many honest people: the cap is short so that an attacker
** behind the same address delays them minutes, not hours, while one address
** spraying many accounts slows to 12 tries an hour. A reverse proxy is not
** such an address: serve --trusted-proxy takes the client's own address from
** X-Forwarded-For. */
struct throttle throttle_signin_pair = THROTTLE_BACKOFF(5, 2, 15 * 60, 24 * 3600);
struct throttle throttle_signin_address = THROTTLE_BACKOFF(20, 1, 5 * 60, 3600);

/* RULE: anonymous sign-up is throttled per address: 10 new accounts an hour.
** A family signing up together fits; a script making accounts by the
** thousand (each costs an argon2id hash and a row) does not. Staff creating
** accounts at the counter are signed in and not counted; sign-up drives at
** an event go through them. Only accounts actually created count: a form
** sent back with mistakes costs nothing. */
struct throttle throttle_signup = THROTTLE_INIT(10, 3600);

/* RULE: requests that name a system ID are throttled per address: 60 in 10
** minutes (invitations to co-represent, bookings made at the counter for a
** citizen by ID). A clerk at a busy counter makes one such request every
** minute or two; someone walking through the 10^8 IDs to find the ones in
** use is held to 8,640 a day per address, and learns nothing from each
** anyway (invitations answer the same for every ID). */
struct throttle throttle_lookup = THROTTLE_INIT(60, 600);

/* RULE: wrong short permit codes (POST /api/v1/permits/verify with
** "BOOKING-XXXXXX") are throttled per address: 10 in 10 minutes, then every
** code from that address, right or wrong, waits for the window to pass (so a
** guesser learns nothing more). Only wrong codes count: a hall or a counter
** checking the permits of a whole day is never held up, nor is a person who
** mistypes a few. Staff and admins (signed in, audited) are not counted. A
** code is 6 characters of 32 (about 10^9 per booking): a guesser at one
** address gets 1,440 tries a day, far from any booking's code. Malformed
** codes and signed permits are not counted: they reveal nothing. */
struct throttle throttle_permit_code = THROTTLE_INIT(10, 600);

/* RULE: password resets (core/lifecycle.c).
** - Links by mail: at most 3 made an hour per account (more are silently not
**   made: the answer is the same 202) and 10 requests an hour per address.
** - Redeeming a link or a counter code: 10 wrong secrets per 15 minutes per
**   address; and per account (a counter code is typed with the system ID),
**   3 wrong codes free, then 1, 2, 4, ... minutes up to an hour between
**   tries, forgotten a day after the last. A code is 60 random bits, so
**   guessing is hopeless either way; the per-account delay stops a script
**   spread over many addresses from even trying, while a citizen who
**   mistypes the slip a few times is not held up, and a stranger's wrong
**   tries can only delay the owner, never lock the account. */
struct throttle throttle_reset_link = THROTTLE_INIT(3, 3600);
struct throttle throttle_reset_request = THROTTLE_INIT(10, 3600);
struct throttle throttle_reset_secret = THROTTLE_INIT(10, 900);
struct throttle throttle_reset_code_account = THROTTLE_BACKOFF(3, 60, 3600, 24 * 3600);

/* RULE: same-day use without registration on the web (core/sameday.c) is
** throttled per address: 10 uses taken an hour. Nothing but a name and a
** phone number stands between the web and a free room, so one address could
** otherwise take every free slot of the city's evenings with made-up names
** (the one-use-a-phone-a-day rule alone stops only the honest). A family or a
** group arriving together takes one slot, or a few; a public PC in a library
** or a centre's lobby serving several visitors in an evening stays far below
** ten. Only uses actually taken count: a form sent back with a mistake, a slot
** someone else had first or a phone already used costs nothing. */
struct throttle throttle_sameday = THROTTLE_INIT(10, 3600);

void throttle_reset_all(void) {
  throttle_reset(&throttle_sameday);
  throttle_reset(&throttle_signin_pair);
  throttle_reset(&throttle_signin_address);
  throttle_reset(&throttle_signup);
  throttle_reset(&throttle_lookup);
  throttle_reset(&throttle_permit_code);
  throttle_reset(&throttle_reset_link);
  throttle_reset(&throttle_reset_request);
  throttle_reset(&throttle_reset_secret);
  throttle_reset(&throttle_reset_code_account);
}

/* ============================================================ the table */

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
  if (!e->key[0] || e->count <= 0 || now < e->first) return 0;
  if (t->base) return now - e->last < t->window;
  return now - e->first < t->window;
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

/* Seconds E must still wait at NOW. Called with the lock held. */
static int wait_of(const struct throttle *t, const struct throttle_entry *e, int64_t now) {
  int64_t until;
  if (!e || e->count < t->limit) return 0;
  if (t->base) {
    int doublings = e->count - t->limit;
    int64_t delay = doublings >= 30 ? t->cap : (int64_t)t->base << doublings;
    if (delay > t->cap) delay = t->cap;
    until = e->last + delay;
  } else {
    until = e->first + t->window;
  }
  return until > now ? (int)(until - now) : 0;
}

/* Count one event of KEY. Called with the lock held. */
static void count_one(struct throttle *t, const char *key, int64_t now) {
  size_t h = slot_of(key);
  struct throttle_entry *hit = NULL, *spare = NULL, *oldest = NULL;
  for (int i = 0; i < PROBE; i++) {
    struct throttle_entry *e = &t->e[(h + (size_t)i) % THROTTLE_SLOTS];
    if (e->key[0] && !strncmp(e->key, key, THROTTLE_KEY - 1)) {
      hit = e;
      break;
    }
    if (!spare && !live(t, e, now)) spare = e;
    if (!oldest || e->last < oldest->last) oldest = e;
  }
  if (hit && !live(t, hit, now)) hit->count = 0;
  if (!hit) {
    hit = spare ? spare : oldest;
    memset(hit, 0, sizeof *hit);
    strncpy(hit->key, key, THROTTLE_KEY - 1);
  }
  if (hit->count == 0) hit->first = now;
  hit->last = now;
  hit->count++;
}

int throttle_wait(struct throttle *t, const char *key, int64_t now) {
  pthread_mutex_lock(&t->lock);
  int wait = wait_of(t, find(t, key, now), now);
  pthread_mutex_unlock(&t->lock);
  return wait;
}

void throttle_fail(struct throttle *t, const char *key, int64_t now) {
  pthread_mutex_lock(&t->lock);
  count_one(t, key, now);
  pthread_mutex_unlock(&t->lock);
}

int throttle_take(struct throttle *t, const char *key, int64_t now) {
  pthread_mutex_lock(&t->lock);
  int wait = wait_of(t, find(t, key, now), now);
  if (!wait) count_one(t, key, now);
  pthread_mutex_unlock(&t->lock);
  return wait;
}

int throttle_refusal(int wait, const char *why, struct kerrinfo *ei) {
  if (ei && !ei->code) ei->retry_after = wait;
  if (wait < 120)
    return kerr_set(ei, KERR_RATE_LIMITED,
                    "%s、少し待っていただいています。%d秒たってから、もう一度お試しください。", why,
                    wait);
  return kerr_set(ei, KERR_RATE_LIMITED,
                  "%s、しばらく待っていただいています。%d分ほどたってから、もう一度お試しください。",
                  why, (wait + 59) / 60);
}

int throttle_refuse(struct throttle *t, const char *what, const char *client, int64_t now,
                    struct kerrinfo *ei) {
  char key[THROTTLE_KEY];
  snprintf(key, sizeof key, "%s:%s", what, client && *client ? client : "-");
  int wait = throttle_take(t, key, now);
  return wait ? throttle_refusal(wait, "短い時間に何度も受け付けたため", ei) : 0;
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
