/*
** store/db.c: SQLite connection, pragmas, migrations, statement cache,
** transactions and backup. See db.h for the contract.
**
** Migrations are the files schema/NNN_name.sql, compiled into the binary by
** the Makefile (build/gen/schema.c) so that a deployed binary cannot run with
** a schema folder from another release. PRAGMA user_version records how many
** have been applied; each is applied in its own transaction.
*/
#include "db.h"

#include "archive.h"
#include "walvfs.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Provided by the generated build/gen/schema.c. */
extern const char *const schema_migration_sql[];
extern const char *const schema_migration_name[];
extern const int schema_migration_count;

#define STMT_CACHE 512

struct kstmt {
  sqlite3_stmt *st;
  kdb *db;
};

struct kdb {
  sqlite3 *h;
  uint64_t serial;              /* db_serial() */
  int in_write;                 /* holds the writer lock */
  int batch;                    /* inside db_batch_begin(): transactions are savepoints */
  int sp_depth;                 /* savepoints open inside the batch */
  int wal_hooked;               /* the WAL hook is set (db_batch_wal_full) */
  int wal_pages;                /* the WAL's size after the last commit */
  int wal_mark;                 /* its size when db_batch_wal_full() last asked for a checkpoint */
  int wal_last;                 /* its size at the previous db_batch_wal_full(): a batch's growth */
  int wal_asks;                 /* checkpoints asked for again since wal_mark */
  unsigned ckpt_seen;           /* ckpt_done when it last asked */
  struct {
    const char *sql;
    kstmt s;
  } cache[STMT_CACHE];
};

static pthread_mutex_t writer_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic uint64_t serials;   /* db_serial(): the last one given */

static void logerr(kdb *db, const char *what) {
  fprintf(stderr, "db: %s: %s\n", what, sqlite3_errmsg(db->h));
}

static int map_rc(int rc) {
  switch (rc & 0xff) {
    case SQLITE_OK: return DB_OK;
    case SQLITE_ROW: return DB_ROW;
    case SQLITE_DONE: return DB_DONE;
    case SQLITE_CONSTRAINT: return DB_CONSTRAINT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return DB_BUSY;
    case SQLITE_READONLY:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return DB_STORAGE;
    default: return DB_ERROR;
  }
}

int db_schema_latest(void) { return schema_migration_count; }

/* The first column of the first row of SQL on H as an integer; -1 on error
** (*RC gets the SQLite result code). */
static int64_t pragma_int(sqlite3 *h, const char *sql, int *rc) {
  sqlite3_stmt *st = NULL;
  int64_t v = -1;
  *rc = sqlite3_prepare_v2(h, sql, -1, &st, NULL);
  if (*rc == SQLITE_OK) {
    *rc = sqlite3_step(st);
    if (*rc == SQLITE_ROW) {
      v = sqlite3_column_int64(st, 0);
      *rc = SQLITE_OK;
    }
  }
  sqlite3_finalize(st);
  return v;
}

int db_schema_version(kdb *db) {
  int rc;
  return (int)pragma_int(db->h, "PRAGMA user_version", &rc);
}

static int schema_cookie(kdb *db) {
  int rc;
  return (int)pragma_int(db->h, "PRAGMA schema_version", &rc);
}

/* A migration that rewrote the schema's text in place (writable_schema: 029)
** changed no schema version, and connections would go on with the old parse:
** bump it by one, as SQLite's ALTER TABLE page says. Then every connection,
** this one too, reads the schema again. Any other migration already bumped it. */
static int bump_cookie(kdb *db, int before, char **msg) {
  char pragma[64];
  if (schema_cookie(db) != before) return 0;
  /* schema_version takes no bound parameter; the number is SQLite's, not user data. */
  snprintf(pragma, sizeof pragma, "PRAGMA schema_version=%d", before + 1);
  return sqlite3_exec(db->h, pragma, NULL, NULL, msg) == SQLITE_OK ? 0 : -1;
}

static int migrate(kdb *db, int upto, char *err, size_t errlen) {
  int have = db_schema_version(db);
  if (have < 0) {
    snprintf(err, errlen, "cannot read schema version: %s", sqlite3_errmsg(db->h));
    return -1;
  }
  if (have > schema_migration_count) {
    snprintf(err, errlen, "database schema version %d is newer than this program (%d)",
             have, schema_migration_count);
    return -1;
  }
  for (int i = have; i < upto; i++) {
    char *msg = NULL;
    char pragma[64];
    int cookie = -1;
    if (sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
        (cookie = schema_cookie(db)) < 0 ||
        sqlite3_exec(db->h, schema_migration_sql[i], NULL, NULL, &msg) != SQLITE_OK ||
        bump_cookie(db, cookie, &msg) != 0) {
      snprintf(err, errlen, "migration %s failed: %s", schema_migration_name[i],
               msg ? msg : "?");
      sqlite3_free(msg);
      sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
      return -1;
    }
    /* user_version takes no bound parameter; the number is ours, not user data. */
    snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", i + 1);
    if (sqlite3_exec(db->h, pragma, NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(db->h, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
      snprintf(err, errlen, "migration %s failed: %s", schema_migration_name[i],
               msg ? msg : "?");
      sqlite3_free(msg);
      sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
      return -1;
    }
  }
  return 0;
}

/* A database holds personal data: its file is readable by its owner only,
** whatever the umask (SQLite would create it 0644), and so are its -wal and
** -shm, which SQLite creates with the mode of the file. One made readable by
** others (by an older version, or a copy) is made private again, with its
** side files. Not for ":memory:" or "" (a temporary database). */
static int make_private(const char *path, char *err, size_t errlen) {
  static const char *const side[] = {"", "-wal", "-shm", "-journal"};
  struct stat st;
  char p[4096];
  if (!path[0] || !strcmp(path, ":memory:") || !strncmp(path, "file:", 5)) return 0;
  /* Never open() and close() a database file this process may already have
  ** open: closing any descriptor of a file drops every POSIX lock the
  ** process holds on it, those of SQLite's other connections too. So a new
  ** file is created exclusively (nobody can have it open yet), and an
  ** existing one is only looked at and chmod'ed by name. */
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    close(fd);
    return 0;
  }
  if (errno != EEXIST) {
    snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
    return -1;
  }
  for (size_t i = 0; i < sizeof side / sizeof side[0]; i++)
    if ((size_t)snprintf(p, sizeof p, "%s%s", path, side[i]) < sizeof p && stat(p, &st) == 0 &&
        (st.st_mode & 077) && chmod(p, st.st_mode & 0700) == 0)
      fprintf(stderr, "db: %s was readable by others: made readable by its owner only\n", p);
  return 0;
}

/* Before the first connection: no global count of SQLite's memory, which
** would take one process-wide mutex on every allocation of every thread
** (nothing here reads sqlite3_memory_used). Refused, harmlessly, once
** SQLite is initialised. Then the VFS that writes a commit into the WAL in one
** write (walvfs.h), for the connections opened here, all synchronous=FULL;
** without it, SQLite's own. */
static void configure_sqlite(void) {
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  if (walvfs_register() != 0) fprintf(stderr, "db: cannot register the WAL VFS (using SQLite's)\n");
}
static pthread_once_t configure_once = PTHREAD_ONCE_INIT;

kdb *db_open_upto(const char *path, int upto, char *err, size_t errlen) {
  pthread_once(&configure_once, configure_sqlite);
  if (make_private(path, err, errlen) != 0) return NULL;
  kdb *db = calloc(1, sizeof *db);
  if (!db) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  db->serial = ++serials;
  if (upto > schema_migration_count) upto = schema_migration_count;
  int rc = sqlite3_open_v2(path, &db->h,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           walvfs_name());
  if (rc != SQLITE_OK) {
    snprintf(err, errlen, "cannot open %s: %s", path,
             db->h ? sqlite3_errmsg(db->h) : "out of memory");
    goto fail;
  }
  sqlite3_extended_result_codes(db->h, 0);
  sqlite3_busy_timeout(db->h, 5000);
  /* WAL for concurrent readers; FULL so that an acknowledged booking survives
  ** power loss (DESIGN.md: durability of acknowledged bookings). */
  char *msg = NULL;
  if (sqlite3_exec(db->h,
                   "PRAGMA journal_mode=WAL;"
                   "PRAGMA synchronous=FULL;"
                   "PRAGMA foreign_keys=ON;"
                   "PRAGMA temp_store=MEMORY;",
                   NULL, NULL, &msg) != SQLITE_OK) {
    snprintf(err, errlen, "cannot configure %s: %s", path, msg ? msg : "?");
    sqlite3_free(msg);
    goto fail;
  }
  if (migrate(db, upto, err, errlen) != 0) goto fail;
  if (db_archive_attach(db, 0, err, errlen) != 0) goto fail; /* reports read it (archive.h) */
  return db;
fail:
  db_close(db);
  return NULL;
}

kdb *db_open(const char *path, char *err, size_t errlen) {
  return db_open_upto(path, schema_migration_count, err, errlen);
}

kdb *db_open_cli(const char *path, char *err, size_t errlen) {
  kdb *db = db_open(path, err, errlen);
  if (db) sqlite3_busy_timeout(db->h, 60000);
  return db;
}

void db_close(kdb *db) {
  if (!db) return;
  db->batch = 0;
  if (db->in_write) db_rollback(db);
  for (int i = 0; i < STMT_CACHE; i++) sqlite3_finalize(db->cache[i].s.st);
  sqlite3_close_v2(db->h);
  free(db);
}

/* ---------------------------------------------------------------- threads */

static char *thread_db_path;
static pthread_key_t thread_key;
static pthread_once_t thread_once = PTHREAD_ONCE_INIT;

static void thread_db_free(void *p) { db_close(p); }
static void thread_key_make(void) { pthread_key_create(&thread_key, thread_db_free); }

int db_thread_init(const char *path, char *err, size_t errlen) {
  pthread_once(&thread_once, thread_key_make);
  kdb *db = db_open(path, err, errlen);   /* creates and migrates once, up front */
  if (!db) return -1;
  free(thread_db_path);
  thread_db_path = strdup(path);
  pthread_setspecific(thread_key, db);
  return thread_db_path ? 0 : -1;
}

kdb *db_thread(void) {
  kdb *db = pthread_getspecific(thread_key);
  if (!db && thread_db_path) {
    char err[256];
    db = db_open(thread_db_path, err, sizeof err);
    if (!db) {
      fprintf(stderr, "db: %s\n", err);
      return NULL;
    }
    pthread_setspecific(thread_key, db);
  }
  return db;
}

void db_thread_cleanup(void) {
  kdb *db = pthread_getspecific(thread_key);
  if (db) {
    db_close(db);
    pthread_setspecific(thread_key, NULL);
  }
  free(thread_db_path);
  thread_db_path = NULL;
}

kdb *db_open_reader(char *err, size_t errlen) {
  if (!thread_db_path) {
    snprintf(err, errlen, "no server database");
    return NULL;
  }
  kdb *db = calloc(1, sizeof *db);
  if (!db) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  db->serial = ++serials;
  if (sqlite3_open_v2(thread_db_path, &db->h, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
      SQLITE_OK) {
    snprintf(err, errlen, "cannot open %s: %s", thread_db_path,
             db->h ? sqlite3_errmsg(db->h) : "out of memory");
    db_close(db);
    return NULL;
  }
  sqlite3_extended_result_codes(db->h, 0);
  sqlite3_busy_timeout(db->h, 5000);
  /* query_only: even a bug cannot write through this connection. The
  ** archive's TEMP views (archive.h) are made after temp_store, whose change
  ** would drop them, and before query_only, which would refuse them. */
  if (sqlite3_exec(db->h, "PRAGMA temp_store=MEMORY;", NULL, NULL, NULL) != SQLITE_OK ||
      db_archive_attach(db, 0, err, errlen) != 0 ||
      sqlite3_exec(db->h, "PRAGMA query_only=ON;", NULL, NULL, NULL) != SQLITE_OK ||
      db_schema_version(db) != schema_migration_count) {
    snprintf(err, errlen, "cannot read %s: %s", thread_db_path, sqlite3_errmsg(db->h));
    db_close(db);
    return NULL;
  }
  return db;
}

/* ------------------------------------------------------------- statements */

kstmt *db_prep(kdb *db, const char *sql) {
  size_t h = ((uintptr_t)sql >> 3) % STMT_CACHE;
  for (size_t n = 0; n < STMT_CACHE; n++, h = (h + 1) % STMT_CACHE) {
    if (db->cache[h].sql == sql) {
      sqlite3_reset(db->cache[h].s.st);
      sqlite3_clear_bindings(db->cache[h].s.st);
      return &db->cache[h].s;
    }
    if (!db->cache[h].sql) {
      sqlite3_stmt *st = NULL;
      if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) !=
          SQLITE_OK) {
        fprintf(stderr, "db: prepare failed: %s\n  in: %s\n", sqlite3_errmsg(db->h), sql);
        return NULL;
      }
      db->cache[h].sql = sql;
      db->cache[h].s.st = st;
      db->cache[h].s.db = db;
      return &db->cache[h].s;
    }
  }
  fprintf(stderr, "db: statement cache full\n");
  return NULL;
}

static int param(kstmt *st, const char *name) {
  int i = sqlite3_bind_parameter_index(st->st, name);
  if (i == 0) fprintf(stderr, "db: no parameter %s in: %s\n", name, sqlite3_sql(st->st));
  return i;
}

int db_has_param(kstmt *st, const char *name) {
  return sqlite3_bind_parameter_index(st->st, name) != 0;
}

void db_bind_int(kstmt *st, const char *name, int64_t v) {
  sqlite3_bind_int64(st->st, param(st, name), v);
}
void db_bind_double(kstmt *st, const char *name, double v) {
  sqlite3_bind_double(st->st, param(st, name), v);
}
void db_bind_text(kstmt *st, const char *name, const char *v) {
  if (v) sqlite3_bind_text(st->st, param(st, name), v, -1, SQLITE_TRANSIENT);
  else sqlite3_bind_null(st->st, param(st, name));
}
void db_bind_textn(kstmt *st, const char *name, const char *v, size_t n) {
  sqlite3_bind_text(st->st, param(st, name), v, (int)n, SQLITE_TRANSIENT);
}
void db_bind_blob(kstmt *st, const char *name, const void *v, size_t n) {
  sqlite3_bind_blob(st->st, param(st, name), v, (int)n, SQLITE_TRANSIENT);
}
void db_bind_null(kstmt *st, const char *name) { sqlite3_bind_null(st->st, param(st, name)); }

int db_step(kstmt *st) {
  int rc = map_rc(sqlite3_step(st->st));
  if (rc == DB_ERROR || rc == DB_STORAGE) logerr(st->db, "step");
  return rc;
}

void db_reset(kstmt *st) { sqlite3_reset(st->st); }

int db_exec_stmt(kstmt *st) {
  int rc = db_step(st);
  sqlite3_reset(st->st);
  return (rc == DB_DONE || rc == DB_ROW) ? DB_OK : rc;
}

/* ----------------------------------------------------- one-line queries */

/* Prepare SQL and bind the DB_END-terminated parameters of AP. */
static kstmt *prep_args(kdb *db, const char *sql, va_list ap) {
  kstmt *st = db_prep(db, sql);
  for (struct db_arg a = va_arg(ap, struct db_arg); a.name; a = va_arg(ap, struct db_arg)) {
    if (!st) continue;
    assert(db_has_param(st, a.name));
    if (a.kind == 'i') db_bind_int(st, a.name, a.i);
    else if (a.kind == 'f') db_bind_double(st, a.name, a.f);
    else db_bind_text(st, a.name, a.t);
  }
  return st;
}

int64_t db_int64_(kdb *db, int64_t dflt, const char *sql, ...) {
  va_list ap;
  va_start(ap, sql);
  kstmt *st = prep_args(db, sql, ap);
  va_end(ap);
  if (!st) return dflt;
  int64_t v = db_step(st) == DB_ROW && !db_col_null(st, 0) ? db_col_int(st, 0) : dflt;
  db_reset(st);
  return v;
}

int db_exists_(kdb *db, const char *sql, ...) {
  va_list ap;
  va_start(ap, sql);
  kstmt *st = prep_args(db, sql, ap);
  va_end(ap);
  if (!st) return 0;
  int yes = db_step(st) == DB_ROW;
  db_reset(st);
  return yes;
}

/* Prepare SQL with its arguments and step once; *ST (NULL when the prepare
** failed) is left on its row for the caller to read, then reset. */
static int step_once(kdb *db, kstmt **st, const char *sql, va_list ap) {
  *st = prep_args(db, sql, ap);
  return *st ? db_step(*st) : DB_ERROR;
}

int db_get_int64_(kdb *db, int64_t *out, const char *sql, ...) {
  kstmt *st;
  va_list ap;
  va_start(ap, sql);
  int rc = step_once(db, &st, sql, ap);
  va_end(ap);
  if (rc == DB_ROW) *out = db_col_int(st, 0);
  if (st) db_reset(st);
  return rc;
}

int db_get_text_(kdb *db, char *buf, size_t n, const char *sql, ...) {
  kstmt *st;
  va_list ap;
  va_start(ap, sql);
  int rc = step_once(db, &st, sql, ap);
  va_end(ap);
  if (rc == DB_ROW && n) snprintf(buf, n, "%s", db_col_text(st, 0));
  if (st) db_reset(st);
  return rc;
}

int db_run_(kdb *db, const char *sql, ...) {
  va_list ap;
  va_start(ap, sql);
  kstmt *st = prep_args(db, sql, ap);
  va_end(ap);
  return st ? db_exec_stmt(st) : DB_ERROR;
}

int db_write_txn(kdb *db, int (*fn)(void *arg), void *arg, int *dbrc) {
  int rc = db_begin_write(db);
  if (dbrc) *dbrc = rc;
  if (rc != DB_OK) return -1;
  int r = fn(arg);
  if (r) {
    db_rollback(db);
    return r;
  }
  rc = db_commit(db);
  if (dbrc) *dbrc = rc;
  return rc == DB_OK ? 0 : -1;
}

int64_t db_col_int(kstmt *st, int i) { return sqlite3_column_int64(st->st, i); }
double db_col_double(kstmt *st, int i) { return sqlite3_column_double(st->st, i); }
const char *db_col_text(kstmt *st, int i) {
  const unsigned char *t = sqlite3_column_text(st->st, i);
  return t ? (const char *)t : "";
}
const void *db_col_blob(kstmt *st, int i, size_t *n) {
  const void *p = sqlite3_column_blob(st->st, i);
  *n = (size_t)sqlite3_column_bytes(st->st, i);
  return p;
}
int db_col_null(kstmt *st, int i) { return sqlite3_column_type(st->st, i) == SQLITE_NULL; }

int64_t db_last_id(kdb *db) { return sqlite3_last_insert_rowid(db->h); }
int db_changes(kdb *db) { return sqlite3_changes(db->h); }
const char *db_errmsg(kdb *db) { return sqlite3_errmsg(db->h); }
uint64_t db_serial(kdb *db) { return db ? db->serial : 0; }

const char *db_filename(kdb *db) {
  const char *f = db ? sqlite3_db_filename(db->h, "main") : NULL;
  return f ? f : "";
}

int db_exec(kdb *db, const char *sql) {
  char *msg = NULL;
  int rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg);
  if (rc != SQLITE_OK) {
    fprintf(stderr, "db: exec failed: %s\n", msg ? msg : "?");
    sqlite3_free(msg);
  }
  return map_rc(rc);
}

/* ----------------------------------------------------------- transactions */

/* Run SQL (no parameters, no rows) through the statement cache: the writer
** opens and ends a savepoint for every request of every batch. */
static int exec_cached(kdb *db, const char *sql) {
  kstmt *st = db_prep(db, sql);
  if (!st) return map_rc(sqlite3_exec(db->h, sql, NULL, NULL, NULL));
  int rc = sqlite3_step(st->st);
  sqlite3_reset(st->st);
  return map_rc(rc == SQLITE_DONE ? SQLITE_OK : rc);
}

/* Inside a batch (db_batch_begin) every transaction of a caller is a
** savepoint of the batch's one transaction: its commit releases it, its
** rollback undoes only its own writes. */
static int sp_begin(kdb *db) {
  int rc = exec_cached(db, "SAVEPOINT req");
  if (rc == DB_OK) db->sp_depth++;
  else logerr(db, "savepoint");
  return rc;
}

static int sp_end(kdb *db, int undo) {
  if (db->sp_depth <= 0) return DB_OK;
  db->sp_depth--;
  if (undo) exec_cached(db, "ROLLBACK TO req");
  int rc = exec_cached(db, "RELEASE req");
  if (rc != DB_OK) logerr(db, "release");
  return rc;
}

/* ------------------------------------------------------------ checkpoints */

/* The connection that runs batches does not checkpoint the WAL inside its
** COMMIT (SQLite's automatic checkpoint would: ~1,000 pages copied into the
** database and two fsyncs, while the batch's replies wait): its WAL hook only
** notes the size; db_batch_wal_full() says when it is time, and another
** connection, on a thread of its own, checkpoints (db_checkpoint) while the
** writer goes on with the next batch. Durability is the same: a COMMIT is
** durable in the WAL.
**
** A checkpoint alone never lets the WAL start over: SQLite rewinds it only
** when a write transaction begins with every frame already copied, and while
** batches follow one another the checkpointing thread is always a batch
** behind (a burst of 10,000 bookings left a WAL of 54 MB, and once past the
** threshold every batch asked for another checkpoint, two fsyncs each). So
** once the thread has copied all but a short tail, the writer copies that
** tail itself between two batches (DB_WAL_TAIL); its next batch then finds
** the WAL copied and starts it over.
**
** How short a tail: about two batches (at least DB_TAIL_MIN, at most
** DB_TAIL_PAGES pages), so that the writer's copy costs about what a batch
** does. With small batches (16 users: ~70 pages each) a fixed tail of 1,000
** pages was a stall of several milliseconds every ~1,000 bookings, and the
** 16 users' p99. While the thread's last checkpoint left more than that, the
** writer asks it again as soon as it has finished (DB_WAL_ASKS times at most;
** then a tail of up to DB_TAIL_PAGES is the writer's, as before): each round
** copies only what came during the one before, so the tail shrinks.
**
** Not in a rush: even a short tail stalls the next batch for the database's
** fsync, several milliseconds on a shared disk, and at the 16 users' rate
** (~2,000 bookings, ~10,000 pages in a third of a second) three tails were
** the part's slowest replies and its p99. So the writer copies a tail only
** once no request has come for a moment (http/suspend.c), or when the WAL
** has passed DB_WAL_BUSY_PAGES (DB_WAL_TAIL_NOW): a rush that never pauses
** still starts the WAL over every ~64 MiB. */
#define BATCH_CACHE_KIB "16384"  /* the batch connection's page cache, KiB */

/* The frames the last checkpoint left copied, of the WAL as it then was
** (one database per process): a stale figure only moves a copy from one
** thread to the other, never changes what is durable. */
static _Atomic int wal_backfilled;
static _Atomic unsigned ckpt_done;   /* checkpoints finished, by any connection */

static int wal_grew(void *arg, sqlite3 *h, const char *name, int pages) {
  (void)h, (void)name;
  ((kdb *)arg)->wal_pages = pages;
  return SQLITE_OK;
}

int db_batch_wal_full(kdb *db) {
  if (!db) return DB_WAL_OK;
  int pages = db->wal_pages;
  int grew = pages >= db->wal_last ? pages - db->wal_last : pages;
  db->wal_last = pages;
  if (pages < db->wal_mark) {   /* it started over */
    db->wal_mark = 0;
    atomic_store(&wal_backfilled, 0);
  }
  if (pages < DB_CHECKPOINT_PAGES) return DB_WAL_OK;
  int backfilled = atomic_load(&wal_backfilled);
  int tail = db->wal_asks >= DB_WAL_ASKS ? DB_TAIL_PAGES : 2 * grew;
  if (tail < DB_TAIL_MIN) tail = DB_TAIL_MIN;
  if (tail > DB_TAIL_PAGES) tail = DB_TAIL_PAGES;
  if (backfilled > 0 && pages - backfilled <= tail)
    return pages >= DB_WAL_BUSY_PAGES ? DB_WAL_TAIL_NOW : DB_WAL_TAIL;
  unsigned done = atomic_load(&ckpt_done);
  if (backfilled > 0 && done != db->ckpt_seen && db->wal_asks < DB_WAL_ASKS) {
    db->ckpt_seen = done;   /* the last one finished a few batches behind: once more */
    db->wal_asks++;
    return DB_WAL_CHECKPOINT;
  }
  if (pages < db->wal_mark + DB_CHECKPOINT_PAGES) return DB_WAL_OK;
  db->wal_mark = pages;
  db->wal_asks = 0;
  db->ckpt_seen = done;
  return DB_WAL_CHECKPOINT;
}

int db_checkpoint(kdb *db) {
  /* PASSIVE: copies what no reader still needs, never waits for a writer or
  ** a reader; whatever it leaves, the next one copies */
  int log = 0, copied = 0, before = atomic_load(&wal_backfilled), left = 0;
  if (db && sqlite3_wal_checkpoint_v2(db->h, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &copied) ==
                SQLITE_OK) {
    atomic_store(&wal_backfilled, copied);
    left = log - (before <= log ? before : 0);
  }
  atomic_fetch_add(&ckpt_done, 1);
  return left;
}

int db_batch_begin(kdb *db) {
  if (!db->wal_hooked) {   /* replaces the automatic checkpoint (db_batch_wal_full) */
    sqlite3_wal_hook(db->h, wal_grew, db);
    db->wal_hooked = 1;
    /* The one connection that writes every booking keeps more of the database
    ** in memory than SQLite's default 2 MiB: each index a booking touches is
    ** read again at every batch otherwise. Bounded: BATCH_CACHE_KIB. */
    sqlite3_exec(db->h, "PRAGMA cache_size=-" BATCH_CACHE_KIB, NULL, NULL, NULL);
  }
  int rc = db_begin_write(db);
  if (rc == DB_OK) {
    db->batch = 1;
    db->sp_depth = 0;
  }
  return rc;
}

int db_batch_commit(kdb *db) {
  while (db->sp_depth > 0) sp_end(db, 1);   /* a caller that never ended its own */
  db->batch = 0;
  return db_commit(db);
}

static int begin_locked(kdb *db);

int db_begin_write(kdb *db) {
  if (db->batch) return sp_begin(db);
  pthread_mutex_lock(&writer_lock);
  return begin_locked(db);
}

int db_try_begin_write(kdb *db) {
  if (db->batch) return sp_begin(db);
  if (pthread_mutex_trylock(&writer_lock) != 0) return DB_BUSY;
  return begin_locked(db);
}

/* BEGIN IMMEDIATE with the writer lock held; the lock is let go on failure. */
static int begin_locked(kdb *db) {
  db->in_write = 1;
  int rc = map_rc(sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, NULL));
  if (rc != DB_OK) {
    logerr(db, "begin");
    db->in_write = 0;
    pthread_mutex_unlock(&writer_lock);
  }
  return rc;
}

/* In a batch, the batch's own transaction is not the caller's: only its savepoints count. */
int db_in_txn(kdb *db) {
  if (db && db->batch) return db->sp_depth > 0;
  return db && !sqlite3_get_autocommit(db->h);
}

int db_begin_read(kdb *db) {
  if (db->batch) return sp_begin(db);
  return map_rc(sqlite3_exec(db->h, "BEGIN", NULL, NULL, NULL));
}

int db_commit(kdb *db) {
  if (db->batch) return sp_end(db, 0);
  int rc = map_rc(sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL));
  if (rc != DB_OK) {
    logerr(db, "commit");
    sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
  }
  if (db->in_write) {
    db->in_write = 0;
    pthread_mutex_unlock(&writer_lock);
  }
  return rc;
}

void db_rollback(kdb *db) {
  if (db->batch) {
    sp_end(db, 1);
    return;
  }
  if (!sqlite3_get_autocommit(db->h)) sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
  if (db->in_write) {
    db->in_write = 0;
    pthread_mutex_unlock(&writer_lock);
  }
}

/* ----------------------------------------------------------------- backup */

int db_integrity_ok(kdb *db) {
  sqlite3_stmt *st = NULL;
  int ok = 0;
  if (sqlite3_prepare_v2(db->h, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    const unsigned char *t = sqlite3_column_text(st, 0);
    ok = t && strcmp((const char *)t, "ok") == 0;
  }
  sqlite3_finalize(st);
  return ok;
}

int db_backup(const char *src, const char *dest, char *err, size_t errlen) {
  sqlite3 *from = NULL, *to = NULL;
  int rc = -1;
  /* The copy holds personal data: create it readable by its owner only,
  ** whatever the umask, before SQLite opens it (SQLite would create it 0644
  ** and its -journal/-wal take the mode of the file). Never through a symlink. */
  int fd = open(dest, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 || fchmod(fd, 0600) != 0) {
    snprintf(err, errlen, "cannot create %s: %s", dest, strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  close(fd);
  if (sqlite3_open_v2(src, &from, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    snprintf(err, errlen, "cannot open %s: %s", src, sqlite3_errmsg(from));
    goto done;
  }
  sqlite3_busy_timeout(from, 5000);
  if (sqlite3_open_v2(dest, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
      SQLITE_OK) {
    snprintf(err, errlen, "cannot create %s: %s", dest, sqlite3_errmsg(to));
    goto done;
  }
  sqlite3_busy_timeout(to, 5000);
  sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
  if (!b) {
    snprintf(err, errlen, "backup failed: %s", sqlite3_errmsg(to));
    goto done;
  }
  int s, tries = 0;
  /* Copy in one step so the copy is one consistent snapshot even while the
  ** server writes (a stepwise copy restarts on every write). In WAL mode the
  ** read snapshot never waits for writers; BUSY (a checkpoint or recovery
  ** at that instant) is retried for at most ~10 s, never forever. */
  do {
    s = sqlite3_backup_step(b, -1);
    if (s == SQLITE_BUSY || s == SQLITE_LOCKED) sqlite3_sleep(50);
  } while ((s == SQLITE_OK || s == SQLITE_BUSY || s == SQLITE_LOCKED) && ++tries < 200);
  sqlite3_backup_finish(b);
  if (s != SQLITE_DONE) {
    snprintf(err, errlen, "backup of %s failed: %s", src, sqlite3_errstr(s));
    goto done;
  }
  /* The copy takes the source's WAL mode with its header; make it one
  ** self-contained file instead, so that copying the backup file alone (to a
  ** USB stick, another machine) always copies all of it. */
  char *msg = NULL;
  if (sqlite3_exec(to, "PRAGMA journal_mode=DELETE", NULL, NULL, &msg) != SQLITE_OK) {
    snprintf(err, errlen, "backup %s: %s", dest, msg ? msg : "?");
    sqlite3_free(msg);
    goto done;
  }
  kdb probe = {.h = to};
  if (!db_integrity_ok(&probe)) {
    snprintf(err, errlen, "integrity check of %s failed", dest);
    goto done;
  }
  rc = 0;
done:
  sqlite3_close_v2(from);
  if (to && sqlite3_close(to) != SQLITE_OK && rc == 0) {
    snprintf(err, errlen, "cannot close %s: %s", dest, sqlite3_errmsg(to));
    sqlite3_close_v2(to);
    rc = -1;
  }
  return rc;
}


int db_inspect(const char *path, struct db_info *info, char *err, size_t errlen) {
  sqlite3 *h = NULL;
  int rc;
  memset(info, 0, sizeof *info);
  if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    snprintf(err, errlen, "cannot open %s: %s", path, h ? sqlite3_errmsg(h) : "out of memory");
    sqlite3_close_v2(h);
    return -1;
  }
  sqlite3_busy_timeout(h, 5000);
  /* The header says whether this is an SQLite file at all (an empty file is
  ** an empty database to SQLite; it has no core tables). */
  char magic[16] = "";
  FILE *f = fopen(path, "rb");
  size_t got = f ? fread(magic, 1, sizeof magic, f) : 0;
  if (f) fclose(f);
  info->is_sqlite = got == 0 || (got == 16 && !memcmp(magic, "SQLite format 3", 16));
  if (!info->is_sqlite) goto done;
  /* A damaged file may fail even this first read: then it is not intact. */
  int64_t ntables = pragma_int(h, "SELECT count(*) FROM sqlite_master", &rc);
  if (rc != SQLITE_OK || ntables < 0) goto done;
  info->application_id = pragma_int(h, "PRAGMA application_id", &rc);
  info->user_version = (int)pragma_int(h, "PRAGMA user_version", &rc);
  info->core_tables =
      pragma_int(h,
                 "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                 " AND name IN ('centers', 'rooms', 'server_keys')",
                 &rc) == 3;
  info->archive_tables =
      pragma_int(h,
                 "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                 " AND name IN ('bookings', 'payments', 'events', 'archive_meta')",
                 &rc) == 4;
  kdb probe = {.h = h};
  info->integrity_ok = db_integrity_ok(&probe);
done:
  sqlite3_close_v2(h);
  return 0;
}

int db_in_use(const char *path, char *err, size_t errlen) {
  sqlite3 *h = NULL;
  int used = 0;
  /* No CREATE: a database that does not exist is not in use. */
  int rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE, NULL);
  if (rc == SQLITE_CANTOPEN) {
    sqlite3_close_v2(h);
    return 0;
  }
  if (rc != SQLITE_OK) {
    snprintf(err, errlen, "cannot open %s: %s", path, h ? sqlite3_errmsg(h) : "out of memory");
    sqlite3_close_v2(h);
    return -1;
  }
  /* In WAL mode every open connection holds a shared lock on the -shm file;
  ** exclusive locking mode must take it exclusively to begin, so BUSY here
  ** means someone else has the database open, even idle. */
  rc = sqlite3_exec(h, "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;", NULL, NULL,
                    NULL);
  if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) used = 1;
  /* Any other failure (a corrupt file, say) cannot tell us; the lock file of
  ** core/backup.c is the first guard. */
  sqlite3_close_v2(h);
  return used;
}
