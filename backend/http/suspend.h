/*
** http/suspend.h: handlers that run off libmicrohttpd's threads while their
** connection waits suspended (docs/performance.md).
**
** Two queues, each with a bound:
** - the hash pool (routes flagged RF_HASHES: sign-in, sign-up): a few
**   threads, each computing one argon2id hash (~0.1 s, 64 MiB) at a time, so
**   a storm of sign-ins never occupies a worker thread that pages and
**   bookings need;
** - the writer (routes flagged RF_RUSH: booking, confirm, cancel, walk-in,
**   course applications):
**   one thread that runs a batch of requests in one transaction, each in its
**   own SAVEPOINT, commits it with one fsync and only then answers every
**   request of the batch (group commit).
** Past a queue's bound (for the hash pool also: past an expected wait of
** hash_wait_ms) the request is answered at once with 503 busy and
** Retry-After, and nothing is changed.
*/
#ifndef KOMINKAN_HTTP_SUSPEND_H
#define KOMINKAN_HTTP_SUSPEND_H

#include "http.h"

struct suspend_opts {
  int hash_threads;     /* 0: one per core */
  int hash_queue;       /* waiting sign-ins at most (0: the default, 32) */
  int hash_wait_ms;     /* the longest a sign-in may expect to wait for a hash
                        ** thread, by the recent hashes' time (0: the default, 1000) */
  int write_queue;      /* waiting writes at most (0: the default, 4096) */
  int batch_max;        /* requests per transaction at most (0: the default, 256) */
};

/* Start the pools (server_start); 0 or -1 (message on stderr). */
int suspend_start(const struct suspend_opts *o);
/* Finish every queued request and stop the threads (before the daemon stops). */
void suspend_stop(void);

/* When R's route is one that runs off the worker threads and the pools run:
** suspend the connection, queue R and return 1 with *REP set to what the
** router should send now (nothing, or 503 busy when the queue is full).
** 0 when the handler should run here as usual. */
int suspend_defer(struct req *r, struct reply *rep);

/* What a handler returns when it was run first on the worker thread (its route
** is flagged RF_PRECHECK, r->ctx.precheck is set) and only its write can
** decide: the request then goes to the writer, where it runs again in full.
** Every other reply of that first run is sent at once: at the opening minute
** most requests are for a slot already taken, and they never wait for the
** writer. Only a shortcut: the UNIQUE index inside the writer's transaction
** still decides every booking. */
struct reply suspend_undecided(struct req *r);

/* Called by the access handler for a request that was deferred: MHD_YES while
** it waits, else sends the reply the pool computed. */
enum MHD_Result suspend_resumed(struct req *r);

#endif
