/*
** http/suspend.c: the hash pool and the group-commit writer (suspend.h).
**
** A request whose route is flagged RF_HASHES or RF_RUSH is not run on the
** libmicrohttpd worker thread that read it: the gate has already checked it
** (router.c), so the connection is suspended (MHD_suspend_connection), the
** request goes into a bounded queue, and the worker thread is free for the
** next connection at once. A pool thread runs the route's handler with its
** own database connection, keeps the reply in the request, and resumes the
** connection; libmicrohttpd then calls the access handler again, which sends
** that reply (suspend_resumed). The request state stays valid meanwhile: a
** suspended connection is neither timed out nor closed by libmicrohttpd.
**
** The writer takes up to batch_max waiting requests at a time and runs them
** in ONE transaction (db_batch_begin): each handler's own transaction becomes
** a SAVEPOINT, so a refused booking undoes only itself. One COMMIT, one fsync
** (synchronous=FULL), and only then are the connections resumed: no reply
** says "booked" before the booking is on disk. If the COMMIT fails, every
** reply of the batch becomes 503 storage_unavailable.
**
** A route also flagged RF_PRECHECK (a new booking) is first run here, on the
** worker thread, with ctx.precheck: reading only, it answers what a read can
** decide (the slot is already taken: half of an opening-minute burst), and
** only the rest is queued for the writer, which runs it again in full.
** RF_HASHES with RF_PRECHECK (a sign-in) is first run on the hash pool: it
** checks the password there, answers a wrong one, and leaves a right one's
** write (the session) to the writer, which runs it again without hashing.
** Every write of the rush then goes through the writer's one connection, and
** its page cache stays warm (SQLite drops a connection's whole cache when
** another connection has written).
*/
#include "suspend.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../core/availability.h"
#include "../store/db.h"
#include "reply.h"

/* Someone waiting for a job (ctx_write_wait), on their own stack. */
struct waiter {
  pthread_mutex_t lock;
  pthread_cond_t done_cv;
  int done, rc;
};

/* A write queued by ctx_write_soon() or ctx_write_wait(), run in the
** writer's next batch. */
struct job {
  struct job *next;
  ctx_write_fn *fn;
  struct waiter *w;   /* NULL: nobody waits */
  int rc;
  max_align_t data[]; /* the caller's DATA, aligned for whatever it holds */
};
#define JOBS_MAX 4096   /* queued at most; past it the caller writes itself */

struct pool {
  const char *name;
  pthread_mutex_t lock;
  pthread_cond_t more;
  struct req **ring;
  int cap, head, count;
  int batch_max;           /* 1: one request at a time; more: group commit */
  int nthreads;
  pthread_t *threads;
  int stopping;
  int retry_after;         /* seconds to tell a client refused at the bound */
  int wait_max_ms;         /* the hash pool's: the longest expected wait admitted (0: none) */
  int busy;                /* threads running a request now (counted with wait_max_ms) */
  int64_t mean_us;         /* a request's recent time on a thread */
  int timed;               /* mean_us measured (else the hash pool's first guess) */
  struct job *jobs, **jobs_end;   /* the writer's: ctx_write_soon(), ctx_write_wait() */
  int njobs;
};

static struct pool hash_pool = {.name = "hash", .lock = PTHREAD_MUTEX_INITIALIZER,
                                .more = PTHREAD_COND_INITIALIZER, .retry_after = 1};
static struct pool write_pool = {.name = "writer", .lock = PTHREAD_MUTEX_INITIALIZER,
                                 .more = PTHREAD_COND_INITIALIZER, .retry_after = 1};
static _Atomic int running; /* read by the worker threads, set by start and stop */

/* The WAL's checkpoint runs on a thread of its own (its own connection), so
** the writer goes on with the next batch meanwhile: on the writer, the
** batches waiting behind a checkpoint (pages copied into the database and
** its fsync, several ms) were the slowest replies of the 16-user bench. */
static struct {
  pthread_mutex_t lock;
  pthread_cond_t wake;
  int due, stopping, started;
  pthread_t thread;
} ckpt = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

/* The WAL's tail (store/db.c, db_batch_wal_full) is copied by the writer
** between two batches, a stall of a few milliseconds for whoever waits for
** the next one: so only once no request has come for this long. At the
** 16 users' rate the next request comes within a fraction of a millisecond,
** and three tails in a third of a second were their slowest replies. */
#define WRITER_QUIET_MS 20

/* ----------------------------------------------------------- the queue */

static int pending(const struct pool *p) { return p->count || p->jobs; }

/* Up to MAX requests out of P into OUT and, with JOBS, every queued job (a
** list, NULL when none), waiting for something: the number of requests, -2
** when stopping with nothing left. With QUIET_MS >= 0, -1 when nothing came
** for that long. */
static int take(struct pool *p, struct req **out, int max, int quiet_ms, struct job **jobs) {
  pthread_mutex_lock(&p->lock);
  if (quiet_ms >= 0 && !pending(p) && !p->stopping) {
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += quiet_ms * 1000000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    while (!pending(p) && !p->stopping)
      if (pthread_cond_clockwait(&p->more, &p->lock, CLOCK_MONOTONIC, &until) == ETIMEDOUT) break;
    if (!pending(p) && !p->stopping) {
      pthread_mutex_unlock(&p->lock);
      return -1;
    }
  }
  while (!pending(p) && !p->stopping) pthread_cond_wait(&p->more, &p->lock);
  if (!pending(p)) {
    pthread_mutex_unlock(&p->lock);
    return -2;
  }
  int n = 0;
  while (p->count && n < max) {
    out[n++] = p->ring[p->head];
    p->head = (p->head + 1) % p->cap;
    p->count--;
  }
  if (p->wait_max_ms) p->busy += n;   /* in the same breath: never out of both counts */
  if (jobs) {
    *jobs = p->jobs;
    p->jobs = NULL;
    p->jobs_end = &p->jobs;
    p->njobs = 0;
  }
  pthread_mutex_unlock(&p->lock);
  return n;
}

/* How long, in ms, a request queued on P now would wait for a thread, from
** the requests ahead of it and their recent time (P locked). */
static int64_t expected_wait_ms(const struct pool *p) {
  int ahead = p->count + p->busy - (p->nthreads - 1);   /* till a thread is free */
  return ahead > 0 ? (int64_t)ahead * p->mean_us / p->nthreads / 1000 : 0;
}

/* Suspend R's connection (unless SUSPENDED already: a sign-in passed on by
** the hash pool) and queue R on P; 0, or -1 when P is full (then nothing
** happened, and *RETRY_AFTER, when not NULL, is how many seconds the client
** should wait). P is full at its count bound and, for the hash pool, when
** the request would wait longer than wait_max_ms for a thread: a sign-in is
** told to come back rather than queued for seconds. Suspended before it is
** queued: a pool thread may resume it as soon as it is in the queue. */
static int put(struct pool *p, struct req *r, int suspended, int *retry_after) {
  pthread_mutex_lock(&p->lock);
  int64_t wait_ms = expected_wait_ms(p);
  int ok = p->count < p->cap && !p->stopping && (!p->wait_max_ms || wait_ms <= p->wait_max_ms);
  if (!ok && retry_after) {
    int64_t secs = (wait_ms + 999) / 1000;   /* by then the queue ahead has run */
    *retry_after = secs > p->retry_after ? (int)(secs < 60 ? secs : 60) : p->retry_after;
  }
  if (ok) {
    if (!suspended) {
      r->deferred = 1;
      MHD_suspend_connection(r->conn);
    }
    p->ring[(p->head + p->count) % p->cap] = r;
    p->count++;
    pthread_cond_signal(&p->more);
  }
  pthread_mutex_unlock(&p->lock);
  return ok ? 0 : -1;
}

/* ---------------------------------------------------------- the workers */

/* Run R's handler on this thread's connection (the gate has run). */
static void run(struct req *r, kdb *db) {
  r->ctx.db = db;
  r->later = db ? r->route->fn(r) : reply_error(r, KERR_STORAGE, NULL);
}

/* Hand R's reply to libmicrohttpd: the access handler sends it. */
static void finish(struct req *r) {
  r->deferred = 2;
  req_resume(r);
}

/* The batch's COMMIT failed: nothing of it is stored, so no reply may say so. */
static void fail_batch(struct req **rs, int n) {
  for (int i = 0; i < n; i++) {
    reply_discard(&rs[i]->later);
    rs[i]->encode_later = 0;
    rs[i]->later = reply_error(rs[i], KERR_STORAGE, NULL);
  }
}

/* R, whose first pass on the hash pool left its write undecided, to the
** writer (its connection stays suspended); 0, with R's reply 503 busy, when
** the writer's queue is full or stopping. */
static int to_writer(struct req *r) {
  struct kerrinfo ei = {0};
  if (put(&write_pool, r, 1, &ei.retry_after) == 0) return 1;
  r->later = reply_error(r, KERR_BUSY, &ei);
  return 0;
}

static void *hash_main(void *arg) {
  struct pool *p = arg;
  struct req *r;
  pthread_setname_np(pthread_self(), "hash");   /* for ps -L, top -H, the bench's CPU count */
  while (take(p, &r, 1, -1, NULL) > 0) {
    /* RF_PRECHECK (a sign-in): the hash here, its write on the writer's
    ** connection, in a batch: a write on this thread's own connection would
    ** make SQLite drop the writer's whole page cache (16 MiB) at its next
    ** batch, a few ms, once for every sign-in of the opening minute. */
    int first = (r->route->flags & RF_PRECHECK) != 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r->ctx.precheck = first;
    r->undecided = 0;
    run(r, ctx_thread_db());
    r->ctx.precheck = 0;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int64_t us = (t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000;
    pthread_mutex_lock(&p->lock);
    p->busy--;
    p->mean_us = p->timed ? (7 * p->mean_us + us) / 8 : us;   /* the last few hashes' */
    p->timed = 1;
    pthread_mutex_unlock(&p->lock);
    if (first && r->undecided && to_writer(r)) continue;
    finish(r);
  }
  return NULL;
}

static void *checkpoint_main(void *arg) {
  (void)arg;
  pthread_setname_np(pthread_self(), "checkpoint");
  pthread_mutex_lock(&ckpt.lock);
  for (;;) {
    while (!ckpt.due && !ckpt.stopping) pthread_cond_wait(&ckpt.wake, &ckpt.lock);
    if (ckpt.stopping) break;
    ckpt.due = 0;
    pthread_mutex_unlock(&ckpt.lock);
    ctx_checkpoint(ctx_thread_db());
    pthread_mutex_lock(&ckpt.lock);
  }
  pthread_mutex_unlock(&ckpt.lock);
  return NULL;
}

static void checkpoint_soon(void) {
  pthread_mutex_lock(&ckpt.lock);
  ckpt.due = 1;   /* while one runs, at most one more follows it */
  pthread_cond_signal(&ckpt.wake);
  pthread_mutex_unlock(&ckpt.lock);
}

static void *writer_main(void *arg) {
  struct pool *p = arg;
  struct req **batch = calloc((size_t)p->batch_max, sizeof *batch);
  if (!batch) return NULL;
  pthread_setname_np(pthread_self(), "writer");
  int n, tail_due = 0;
  struct job *jobs = NULL;
  while ((n = take(p, batch, p->batch_max, tail_due ? WRITER_QUIET_MS : -1, &jobs)) != -2) {
    kdb *db = ctx_thread_db();
    if (n < 0) {   /* nobody came for a moment: the next batch starts the WAL over */
      ctx_checkpoint(db);
      tail_due = 0;
      continue;
    }
    int open = ctx_batch_begin(db);
    /* the queued writes first, in the batch's transaction: no commit, no
    ** fsync of their own; those waited for are told after the commit */
    struct job *waited = NULL;
    while (jobs) {
      struct job *j = jobs;
      jobs = j->next;
      j->rc = open ? j->fn(db, j->data) : -1;
      if (j->w) {
        j->next = waited;
        waited = j;
      } else {
        free(j);
      }
    }
    for (int i = 0; i < n; i++) {
      /* the worker that sends a booking's reply encodes it; a sign-in's sets
      ** its cookie on the response, so it is made here */
      batch[i]->encode_later = (batch[i]->route->flags & RF_RUSH) != 0;
      run(batch[i], open ? db : NULL);
    }
    int committed = open && ctx_batch_commit(db);
    if (open && !committed) fail_batch(batch, n);
    while (waited) {
      struct job *j = waited;
      waited = j->next;
      pthread_mutex_lock(&j->w->lock);
      j->w->rc = committed ? j->rc : -1;
      j->w->done = 1;
      pthread_cond_signal(&j->w->done_cv);
      pthread_mutex_unlock(&j->w->lock);
      free(j);
    }
    /* The handlers touched the feeds' generation before the commit, when a
    ** reader could not yet see the change and may have cached the old state
    ** under the new generation: touch it again now that it is visible. (A
    ** batch of queued writes alone, sessions' activity, changes no page.) */
    if (n) avail_touch();
    for (int i = 0; i < n; i++) finish(batch[i]);
    /* not in the COMMIT: the replies are on their way */
    int wal = open ? ctx_batch_wal_full(db) : CTX_WAL_OK;
    if (wal == CTX_WAL_CHECKPOINT) {
      checkpoint_soon();
    } else if (wal == CTX_WAL_TAIL) {
      tail_due = 1;            /* copied once no request has come for WRITER_QUIET_MS */
    } else if (wal == CTX_WAL_TAIL_NOW) {
      ctx_checkpoint(db);      /* the WAL is long: now, though requests wait */
      tail_due = 0;
    }
  }
  free(batch);
  return NULL;
}

/* ctx_write_soon() and ctx_write_wait() while the writer runs: a copy of
** DATA queued for its next batch; -1 (or CTX_WRITE_NONE with WAIT) when
** stopping, or JOBS_MAX are waiting without WAIT. */
static int write_hook(ctx_write_fn *fn, const void *data, size_t len, int wait) {
  struct pool *p = &write_pool;
  struct waiter w = {.lock = PTHREAD_MUTEX_INITIALIZER, .done_cv = PTHREAD_COND_INITIALIZER};
  struct job *j = malloc(sizeof *j + len);   /* sizeof *j ends aligned: data[] is */
  if (!j) return -1;
  j->next = NULL;
  j->fn = fn;
  j->w = wait ? &w : NULL;
  memcpy(j->data, data, len);
  pthread_mutex_lock(&p->lock);
  /* one who waits is never turned away for the bound: they are few (the mailer) */
  int stopping = p->stopping;
  int ok = !stopping && (wait || p->njobs < JOBS_MAX);
  if (ok) {
    *p->jobs_end = j;
    p->jobs_end = &j->next;
    p->njobs++;
    pthread_cond_signal(&p->more);
  }
  pthread_mutex_unlock(&p->lock);
  if (!ok) {
    free(j);
    return wait && stopping ? CTX_WRITE_NONE : -1;
  }
  if (!wait) return 0;
  /* the writer runs every job queued before it stops (take) */
  pthread_mutex_lock(&w.lock);
  while (!w.done) pthread_cond_wait(&w.done_cv, &w.lock);
  pthread_mutex_unlock(&w.lock);
  return w.rc;
}

/* ------------------------------------------------------------ life cycle */

static int pool_start(struct pool *p, int threads, int cap, int batch_max,
                      void *(*main_fn)(void *)) {
  p->cap = cap;
  p->head = p->count = 0;
  p->stopping = 0;
  p->batch_max = batch_max;
  p->jobs = NULL;
  p->jobs_end = &p->jobs;
  p->njobs = 0;
  p->busy = 0;
  p->timed = 0;   /* mean_us: the caller's guess, if any */
  p->ring = calloc((size_t)cap, sizeof *p->ring);
  p->threads = calloc((size_t)threads, sizeof *p->threads);
  if (!p->ring || !p->threads) return -1;
  for (p->nthreads = 0; p->nthreads < threads; p->nthreads++)
    if (pthread_create(&p->threads[p->nthreads], NULL, main_fn, p) != 0) return -1;
  return 0;
}

static void pool_stop(struct pool *p) {
  pthread_mutex_lock(&p->lock);
  p->stopping = 1;
  pthread_cond_broadcast(&p->more);
  pthread_mutex_unlock(&p->lock);
  for (int i = 0; i < p->nthreads; i++) pthread_join(p->threads[i], NULL);
  while (p->jobs) {   /* only if the writer never started */
    struct job *j = p->jobs;
    p->jobs = j->next;
    free(j);
  }
  p->jobs_end = &p->jobs;
  p->njobs = 0;
  free(p->threads);
  free(p->ring);
  p->threads = NULL;
  p->ring = NULL;
  p->nthreads = 0;
}

int suspend_start(const struct suspend_opts *o) {
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  int ht = o->hash_threads > 0 ? o->hash_threads : (int)(cores > 0 ? cores : 1);
  int hq = o->hash_queue > 0 ? o->hash_queue : 32;
  int wq = o->write_queue > 0 ? o->write_queue : 4096;
  int bm = o->batch_max > 0 ? o->batch_max : 256;
  hash_pool.wait_max_ms = o->hash_wait_ms > 0 ? o->hash_wait_ms : 1000;
  /* Until a hash has been timed, a guess on the safe side: argon2id at
  ** libsodium's INTERACTIVE limits took 0.13-0.19 s a hash on the
  ** development machine's cores. Without it, the first storm after a start
  ** would be queued whole (--hash-queue) before anything could be said of the
  ** wait; a guess too low let its last sign-ins wait ~3 s. The first hash's
  ** own time replaces it. */
  hash_pool.mean_us = 250000;
  if (pool_start(&hash_pool, ht, hq, 1, hash_main) != 0 ||
      pool_start(&write_pool, 1, wq, bm, writer_main) != 0 ||
      pthread_create(&ckpt.thread, NULL, checkpoint_main, NULL) != 0) {
    fprintf(stderr, "kominkan: cannot start the hash pool and the writer\n");
    suspend_stop();
    return -1;
  }
  ckpt.started = 1;
  running = 1;
  ctx_set_write_hook(write_hook);
  return 0;
}

void suspend_stop(void) {
  ctx_set_write_hook(NULL);   /* from now on a caller writes itself; the queued are run */
  running = 0;
  pool_stop(&hash_pool);
  pool_stop(&write_pool);
  if (ckpt.started) {
    pthread_mutex_lock(&ckpt.lock);
    ckpt.stopping = 1;
    pthread_cond_signal(&ckpt.wake);
    pthread_mutex_unlock(&ckpt.lock);
    pthread_join(ckpt.thread, NULL);
    ckpt.started = ckpt.stopping = ckpt.due = 0;
  }
}

/* --------------------------------------------------------- the requests */

struct reply suspend_undecided(struct req *r) {
  r->undecided = 1;
  return (struct reply){.sent = 1, .ret = MHD_YES};
}

/* RF_PRECHECK: run R's handler here first, reading only; 1 with *REP its
** answer when that decided, 0 when R must go to the writer. */
static int precheck(struct req *r, struct reply *rep) {
  r->ctx.precheck = 1;
  r->undecided = 0;
  *rep = r->route->fn(r);
  r->ctx.precheck = 0;
  return !r->undecided;
}

int suspend_defer(struct req *r, struct reply *rep) {
  struct pool *p = NULL;
  if (r->route->flags & RF_HASHES) p = &hash_pool;
  else if (r->route->flags & RF_RUSH) p = &write_pool;
  if (!p || !running) return 0;
  /* a sign-in's first pass is the hash pool's (hash_main) */
  if (p == &write_pool && (r->route->flags & RF_PRECHECK) && precheck(r, rep)) return 1;
  struct kerrinfo ei = {0};
  if (put(p, r, 0, &ei.retry_after) == 0) {
    *rep = (struct reply){.sent = 1, .ret = MHD_YES};   /* the pool answers */
    return 1;
  }
  /* Full: answer now, before any work, and tell the client when to retry. */
  *rep = reply_error(r, KERR_BUSY, &ei);
  return 1;
}

enum MHD_Result suspend_resumed(struct req *r) {
  if (r->deferred != 2) return MHD_YES;
  r->deferred = 0;
  return reply_send(r, r->later);
}
