/*
** core/ctx.h: what every core function is given: the database connection,
** the rule book, the instant "now" and the actor on whose behalf it runs.
** The HTTP layer fills one per request; unit tests fill one by hand.
*/
#ifndef KOMINKAN_CORE_CTX_H
#define KOMINKAN_CORE_CTX_H

#include <stddef.h>
#include <stdint.h>

#include "../store/db.h"
#include "kerr.h"
#include "rules.h"

/* Roles as bits, so that a route can name the set allowed. */
enum {
  ROLE_ANON = 1 << 0,
  ROLE_CITIZEN = 1 << 1,
  ROLE_STAFF = 1 << 2,
  ROLE_ADMIN = 1 << 3,
  ROLE_ANALYST = 1 << 4,
  ROLE_SIGNED_IN = ROLE_CITIZEN | ROLE_STAFF | ROLE_ADMIN | ROLE_ANALYST,
  ROLE_ANY = ROLE_ANON | ROLE_SIGNED_IN,
  ROLE_DESK = ROLE_STAFF | ROLE_ADMIN
};

const char *role_name(int role);          /* "citizen"; "anonymous" for ROLE_ANON */
int role_parse(const char *s);            /* 0 if unknown */

struct actor {
  int role;                 /* one ROLE_* bit */
  int64_t account_id;       /* the system ID; 0 for anonymous */
  char home_center[32];     /* staff */
  char name[128];
};

/* A sign-in's password check, made by its first pass on the hash pool and
** used by its second on the writer (core/accounts.c, accounts_login). */
struct signin_check {
  int64_t account;          /* 0: none made */
  int rehash;               /* the stored hash's parameters are old: FRESH replaces it */
  char stored[128];         /* the hash the password matched (crypto_pwhash_STRBYTES) */
  char fresh[128];
};

struct kctx {
  kdb *db;
  const struct rulebook *rb;
  int64_t now;
  struct actor actor;
  const char *channel;      /* "online", "counter", "form" */
  int form;                 /* the body came as an HTML form (http/router.c): every member
                            ** is text, so core/input.c reads a checkbox's "1"/"on" as true;
                            ** a JSON body says yes or no with true and false only */
  char address[48];         /* the client's address, for the audit trail; "" if none */
  const char *client;       /* the client's address (throttles); NULL outside HTTP */
  int precheck;             /* a first pass on the request's own thread (http/suspend.c):
                            ** a core function that honours it only reads, answers what
                            ** reads can decide (a slot already taken, a bad request) and
                            ** returns 0 with no result where only its write decides */
  struct signin_check *signin; /* where a sign-in's first pass leaves its check for the
                            ** second (accounts_login); NULL: nowhere, both in one pass */
};

/* The store as the http layer's threads see it (http never calls store/
** directly): the calling thread's connection (request, hash and writer
** threads), and the group commit of the writer thread (http/suspend.c):
** ctx_batch_begin() opens one transaction for a batch, each request inside it
** a savepoint; ctx_batch_commit() makes the batch durable. 1 on success. */
kdb *ctx_thread_db(void);
int ctx_batch_begin(kdb *db);
int ctx_batch_commit(kdb *db);
/* After a batch: CTX_WAL_CHECKPOINT, time for the checkpoint thread;
** CTX_WAL_TAIL, the writer copies the short rest itself at a quiet moment;
** CTX_WAL_TAIL_NOW, at once (db_batch_wal_full). */
enum { CTX_WAL_OK, CTX_WAL_CHECKPOINT, CTX_WAL_TAIL, CTX_WAL_TAIL_NOW };
int ctx_batch_wal_full(kdb *db);
void ctx_checkpoint(kdb *db);

/* Writes for the server's writer (http/suspend.c): FN(DB, DATA) is run by
** it inside its next batch's transaction, DATA (LEN bytes) copied; FN returns
** 0 or -1. Every write of the rush on the writer's one connection keeps that
** connection's page cache: SQLite drops a connection's whole cache when
** another one has written.
** ctx_write_soon: for a write that need not be on disk before the reply (a
** session's last activity): 0 when it is queued; -1 when it is not (no
** writer: the command line, a unit test; or its queue of such writes is
** full), and then the caller writes it itself.
** ctx_write_wait: waits until the batch is committed (pointers in DATA may
** point into the caller's memory meanwhile): 0 when FN succeeded and is on
** disk, -1 when FN or the commit failed (nothing of FN stays),
** CTX_WRITE_NONE when there is no writer (the caller writes it itself). */
typedef int ctx_write_fn(kdb *db, const void *data);
enum { CTX_WRITE_NONE = 1 };
int ctx_write_soon(ctx_write_fn *fn, const void *data, size_t len);
int ctx_write_wait(ctx_write_fn *fn, const void *data, size_t len);
/* The writer installs HOOK while it runs (WAIT: ctx_write_wait), NULL when
** it stops. HOOK returns as ctx_write_wait does, or, without WAIT, as
** ctx_write_soon. */
typedef int ctx_write_hook(ctx_write_fn *fn, const void *data, size_t len, int wait);
void ctx_set_write_hook(ctx_write_hook *hook);

#endif
