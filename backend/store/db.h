/*
** store/db.h: the only door to the database.
**
** Everything above this layer talks to SQLite through these thin wrappers, so
** that nothing outside backend/store/ depends on SQLite (DESIGN.md: the store is
** the seam for PostgreSQL later). SQL is always constant text with named
** parameters ($name); user data goes in through db_bind_*, never into the text.
**
** Threads: a struct kdb is one connection, used by one thread at a time. The
** server keeps one per worker thread (db_thread()). Writers are serialised in
** the process by db_begin_write(), which holds a process-wide mutex for the
** transaction, so SQLite's busy-wait is never the queue (DESIGN.md).
*/
#ifndef KOMINKAN_STORE_DB_H
#define KOMINKAN_STORE_DB_H

#include <stddef.h>
#include <stdint.h>

typedef struct kdb kdb;
typedef struct kstmt kstmt;

/* Results of db_step() and the transaction calls. */
enum {
  DB_OK = 0,
  DB_ROW,          /* a row is ready */
  DB_DONE,         /* statement finished */
  DB_CONSTRAINT,   /* a UNIQUE/CHECK/FOREIGN KEY constraint refused the write */
  DB_BUSY,         /* locked beyond the busy timeout */
  DB_STORAGE,      /* read-only file, full disk, I/O error: storage unavailable */
  DB_ERROR         /* anything else (a bug: logged) */
};

/* Open (creating if needed) the database at PATH, set the pragmas (WAL,
** foreign keys, busy timeout, synchronous=FULL) and apply any migrations not
** yet applied. On failure returns NULL and writes a message into ERR. The
** caller frees the result with db_close(). */
kdb *db_open(const char *path, char *err, size_t errlen);

/* db_open() for a command an operator runs beside a running server (user
** add, import, archive, ...): it waits up to a minute, not 5 s, for the
** server's writes and other commands to let it write. Nobody waits on a
** page for it, and several at once (a script adding users, a slow machine)
** must not fail with "database is locked" where waiting would do. */
kdb *db_open_cli(const char *path, char *err, size_t errlen);

/* Like db_open but applies only the first UPTO migrations (tests of in-place
** upgrades). */
kdb *db_open_upto(const char *path, int upto, char *err, size_t errlen);

void db_close(kdb *db);              /* NULL is a no-op */

/* The number of migrations compiled in, and the version of DB. */
int db_schema_latest(void);
int db_schema_version(kdb *db);

/* The connection of the calling thread for the database the server opened
** with db_thread_init(). Opened on first use; closed by db_thread_cleanup(). */
int  db_thread_init(const char *path, char *err, size_t errlen);
kdb *db_thread(void);
void db_thread_cleanup(void);

/* A new READ-ONLY connection to the database the server opened with
** db_thread_init(), for a reader that outlives one call of the request
** handler (a streamed response steps its statement between calls, while the
** thread's own connection serves other requests). It has its own statement
** cache; the caller frees it with db_close(), from whichever thread, as long
** as only one thread uses it at a time. NULL (and a message in ERR) when
** there is no server database or it cannot be opened. */
kdb *db_open_reader(char *err, size_t errlen);

/* Prepared statements are cached per connection by the address of the SQL
** text, so pass string literals. The statement is reset and its bindings
** cleared; it stays owned by the connection (never free it). */
kstmt *db_prep(kdb *db, const char *sql);

void db_bind_int(kstmt *st, const char *name, int64_t v);
void db_bind_double(kstmt *st, const char *name, double v);
void db_bind_text(kstmt *st, const char *name, const char *v); /* NULL binds NULL */
void db_bind_textn(kstmt *st, const char *name, const char *v, size_t n);
void db_bind_blob(kstmt *st, const char *name, const void *v, size_t n);
void db_bind_null(kstmt *st, const char *name);
int db_has_param(kstmt *st, const char *name);  /* 1 when ST takes NAME */

int db_step(kstmt *st);              /* DB_ROW, DB_DONE or an error */
void db_reset(kstmt *st);            /* done with it early */
int db_exec_stmt(kstmt *st);         /* step once; DB_OK for DB_DONE/DB_ROW, else error; resets */

int64_t db_col_int(kstmt *st, int i);
double db_col_double(kstmt *st, int i);
const char *db_col_text(kstmt *st, int i);   /* valid until the next step/reset; "" for NULL */
const void *db_col_blob(kstmt *st, int i, size_t *n);
int db_col_null(kstmt *st, int i);

/* One-line queries (Fossil's db_int, db_exists): SQL is a string literal
** (the statement cache is keyed by its address) and its parameters follow as
** DB_I("$name", int) / DB_T("$name", text or NULL) / DB_F("$name", double):
**
**   int64_t n = db_int64(ctx->db, 0, "SELECT count(*) FROM group_reps WHERE group_id = $g",
**                        DB_I("$g", id));
**   if (db_exists(ctx->db, "SELECT 1 FROM accounts WHERE id = $id", DB_I("$id", id))) ...
**   if ((rc = db_run(ctx->db, "DELETE FROM sessions WHERE id = $id", DB_T("$id", sid))))
**     return kerr_from_db(rc);
*/
struct db_arg {
  const char *name;          /* NULL ends the list (DB_END, added by the macros) */
  int kind;                  /* 'i', 't', 'f' */
  int64_t i;
  double f;
  const char *t;
};
#define DB_I(n, v) ((struct db_arg){(n), 'i', (int64_t)(v), 0, NULL})
#define DB_T(n, v) ((struct db_arg){(n), 't', 0, 0, (v)})
#define DB_F(n, v) ((struct db_arg){(n), 'f', 0, (double)(v), NULL})
#define DB_END ((struct db_arg){NULL, 0, 0, 0, NULL})

/* The first column of the first row as an integer; DFLT when there is no row
** or the statement fails (a failure is logged). */
int64_t db_int64_(kdb *db, int64_t dflt, const char *sql, ...);
#define db_int64(db, dflt, ...) db_int64_((db), (dflt), __VA_ARGS__, DB_END)

/* 1 when the query gives a row, 0 when it gives none or fails (logged). */
int db_exists_(kdb *db, const char *sql, ...);
#define db_exists(db, ...) db_exists_((db), __VA_ARGS__, DB_END)

/* For a read whose failure the caller passes on: the first column of the
** first row into *OUT (an integer; NULL reads as 0), or into the N bytes of
** BUF (text, cut to fit; NULL reads as ""). The result is DB_ROW, DB_DONE
** when there is no row (OUT and BUF then untouched), or the error:
**
**   if ((rc = db_get_int64(ctx->db, &n, "SELECT count(*) FROM t WHERE k = $k",
**                          DB_I("$k", k))) != DB_ROW)
**     return kerr_from_db(rc);
*/
int db_get_int64_(kdb *db, int64_t *out, const char *sql, ...);
#define db_get_int64(db, out, ...) db_get_int64_((db), (out), __VA_ARGS__, DB_END)
int db_get_text_(kdb *db, char *buf, size_t n, const char *sql, ...);
#define db_get_text(db, buf, n, ...) db_get_text_((db), (buf), (n), __VA_ARGS__, DB_END)

/* Run a statement once: DB_OK, or the error (DB_CONSTRAINT, DB_BUSY, ...). */
int db_run_(kdb *db, const char *sql, ...);
#define db_run(db, ...) db_run_((db), __VA_ARGS__, DB_END)

/* A write transaction around FN(ARG): db_begin_write(), FN, then db_commit()
** when FN returned 0, db_rollback() otherwise. Returns FN's nonzero result as
** it is; when FN succeeded, *DBRC (may be NULL) gets DB_OK or the failing
** begin/commit's DB_* code and the result is -1 on such a failure, 0 on
** success. The caller maps a -1 with kerr_from_db(*DBRC). */
int db_write_txn(kdb *db, int (*fn)(void *arg), void *arg, int *dbrc);

int64_t db_last_id(kdb *db);
int db_changes(kdb *db);

/* Run constant SQL with no parameters (pragmas, DDL). */
int db_exec(kdb *db, const char *sql);

/* Transactions. db_begin_write() takes the process writer lock and starts
** BEGIN IMMEDIATE; db_commit()/db_rollback() end it and release the lock.
** db_begin_read() starts a deferred transaction for a consistent read. */
int db_begin_write(kdb *db);
/* The same, or DB_BUSY at once while another transaction holds the writer
** lock (a write that may as well wait for a later request). */
int db_try_begin_write(kdb *db);
int db_begin_read(kdb *db);
int db_commit(kdb *db);
void db_rollback(kdb *db);           /* safe when no transaction is open */
int db_in_txn(kdb *db);              /* 1 while a transaction is open */

/* Group commit (http/suspend.c's writer): db_batch_begin() takes the writer
** lock and opens one BEGIN IMMEDIATE transaction; until db_batch_commit(),
** every db_begin_write()/db_begin_read() on DB opens a SAVEPOINT instead,
** db_commit() releases it and db_rollback() undoes only it. db_batch_commit()
** commits the whole batch (one fsync) and releases the lock; DB_OK only when
** everything is durable. */
int db_batch_begin(kdb *db);
/* A connection that runs batches does not checkpoint the WAL in its COMMIT:
** after a batch, db_batch_wal_full() says DB_WAL_CHECKPOINT once the WAL has
** grown by DB_CHECKPOINT_PAGES since it last said so: then db_checkpoint(), on
** ANOTHER connection, copies the WAL into the database (PASSIVE) while the
** batches go on. It says DB_WAL_TAIL when those checkpoints have left only a
** short tail: the writer calls db_checkpoint() on its own connection between
** two batches, and its next batch starts the WAL over (db.c); the writer may
** leave it for a quiet moment (it stalls the next batch for the database's
** fsync). DB_WAL_TAIL_NOW: the same, but the WAL has passed
** DB_WAL_BUSY_PAGES, so the tail is copied now even while requests wait. */
enum { DB_WAL_OK, DB_WAL_CHECKPOINT, DB_WAL_TAIL, DB_WAL_TAIL_NOW };
#define DB_CHECKPOINT_PAGES 4000 /* SQLite's automatic one: 1000; pages written again and again
                                 ** (the indexes every booking touches) are copied once */
#define DB_TAIL_PAGES 1000      /* at most this much is copied by the writer (~4 MiB) */
#define DB_TAIL_MIN 128         /* a tail of two batches, but at least this (db.c) */
#define DB_WAL_ASKS 3           /* checkpoints asked again for a shorter tail, at most */
#define DB_WAL_BUSY_PAGES 16000 /* past this (~64 MiB) the tail is copied even while busy */
int db_batch_wal_full(kdb *db);
/* Returns the WAL's frames it found not yet copied (by the last checkpoint's count). */
int db_checkpoint(kdb *db);
int db_batch_commit(kdb *db);

/* The file DB was opened on; "" for an in-memory or temporary database. */
const char *db_filename(kdb *db);
/* A number no other connection of this process has had (0 for NULL): what a
** cache may key a connection by, where a freed connection's address may come
** back for another database. */
uint64_t db_serial(kdb *db);

/* The last error text of DB (for logs only, never for replies). */
const char *db_errmsg(kdb *db);

/* Consistent online copy of the database at SRC into DEST via the backup API,
** in one step (one snapshot, even while others write), then PRAGMA
** integrity_check on the copy. The copy is a single self-contained file
** (journal_mode=DELETE: no -wal/-shm beside it). DEST is overwritten; callers
** that must not clobber a good file write to a temporary name and rename
** (core/backup.c). 0 on success, else -1 and a message in ERR. */
int db_backup(const char *src, const char *dest, char *err, size_t errlen);

/* PRAGMA integrity_check of DB: 1 if "ok". */
int db_integrity_ok(kdb *db);

/* The mark every kominkan database carries in its header (PRAGMA
** application_id, set by schema/006_reliability.sql): "KMKN". */
#define DB_APPLICATION_ID 0x4B4D4B4E

/* What db_inspect() found in a database file. */
struct db_info {
  int is_sqlite;           /* the file is an SQLite database at all */
  int integrity_ok;        /* PRAGMA integrity_check said "ok" */
  int64_t application_id;  /* PRAGMA application_id (0 when never set) */
  int user_version;        /* migrations applied */
  int core_tables;         /* centers, rooms and server_keys all exist */
  int archive_tables;      /* bookings, payments, events and archive_meta exist: an
                           ** archive of finished years (store/archive.h) */
};

/* Look into the database file PATH without changing it (read-only, no
** migrations). 0 when the file could be opened (see INFO: a foreign or
** corrupt file is still 0, with is_sqlite or integrity_ok clear); -1 with a
** message in ERR when it cannot be opened at all. */
int db_inspect(const char *path, struct db_info *info, char *err, size_t errlen);

/* 1 if another connection (this process or any other) has the database at
** PATH open, 0 if not (or the file does not exist), -1 with a message in ERR
** on an error. Works by asking SQLite for an exclusive lock in exclusive
** locking mode, which any open WAL connection elsewhere prevents. */
int db_in_use(const char *path, char *err, size_t errlen);

#endif
