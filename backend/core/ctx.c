/*
** core/ctx.c: role names, and the store as the http layer's threads see it.
*/
#include "ctx.h"

#include <stdatomic.h>
#include <string.h>

const char *role_name(int role) {
  switch (role) {
    case ROLE_CITIZEN: return "citizen";
    case ROLE_STAFF: return "staff";
    case ROLE_ADMIN: return "admin";
    case ROLE_ANALYST: return "analyst";
    default: return "anonymous";
  }
}

int role_parse(const char *s) {
  if (!s) return 0;
  if (!strcmp(s, "citizen")) return ROLE_CITIZEN;
  if (!strcmp(s, "staff")) return ROLE_STAFF;
  if (!strcmp(s, "admin")) return ROLE_ADMIN;
  if (!strcmp(s, "analyst")) return ROLE_ANALYST;
  return 0;
}

kdb *ctx_thread_db(void) { return db_thread(); }

int ctx_batch_begin(kdb *db) { return db && db_batch_begin(db) == DB_OK; }

int ctx_batch_commit(kdb *db) { return db_batch_commit(db) == DB_OK; }

int ctx_batch_wal_full(kdb *db) {
  switch (db_batch_wal_full(db)) {
  case DB_WAL_CHECKPOINT: return CTX_WAL_CHECKPOINT;
  case DB_WAL_TAIL: return CTX_WAL_TAIL;
  case DB_WAL_TAIL_NOW: return CTX_WAL_TAIL_NOW;
  default: return CTX_WAL_OK;
  }
}

void ctx_checkpoint(kdb *db) { db_checkpoint(db); }

static ctx_write_hook *_Atomic write_hook;

void ctx_set_write_hook(ctx_write_hook *hook) { atomic_store(&write_hook, hook); }

int ctx_write_soon(ctx_write_fn *fn, const void *data, size_t len) {
  ctx_write_hook *hook = atomic_load(&write_hook);
  return hook && hook(fn, data, len, 0) == 0 ? 0 : -1;
}

int ctx_write_wait(ctx_write_fn *fn, const void *data, size_t len) {
  ctx_write_hook *hook = atomic_load(&write_hook);
  return hook ? hook(fn, data, len, 1) : CTX_WRITE_NONE;
}
