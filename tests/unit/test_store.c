/*
** Unit tests for store/db.c: pragmas, migrations, upgrade in place,
** transactions, constraint mapping, backup.
*/
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../backend/store/archive.h"
#include "../../backend/store/db.h"
#include "../../backend/store/walvfs.h"

static char dir[64];

static void setup(void) {
  strcpy(dir, "/tmp/kominkan-store-XXXXXX");
  cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  cr_assert_eq(system(cmd), 0);
}

TestSuite(store, .init = setup, .fini = teardown);

static int64_t one_int(kdb *db, const char *sql) {
  kstmt *st = db_prep(db, sql);
  cr_assert_not_null(st, "prepare %s", sql);
  cr_assert_eq(db_step(st), DB_ROW);
  int64_t v = db_col_int(st, 0);
  db_reset(st);
  return v;
}

Test(store, new_database_is_fully_migrated_with_durable_pragmas) {
  char path[128], err[256];
  snprintf(path, sizeof path, "%s/a.db", dir);
  kdb *db = db_open(path, err, sizeof err);
  cr_assert_not_null(db, "%s", err);
  cr_assert_gt(db_schema_latest(), 2);
  cr_assert_eq(db_schema_version(db), db_schema_latest());
  cr_assert_eq(one_int(db, "PRAGMA foreign_keys"), 1);
  cr_assert_eq(one_int(db, "PRAGMA synchronous"), 2, "synchronous=FULL");
  kstmt *st = db_prep(db, "PRAGMA journal_mode");
  cr_assert_eq(db_step(st), DB_ROW);
  cr_assert_str_eq(db_col_text(st, 0), "wal");
  db_reset(st);
  db_close(db);
}

/* A database made by an older migration set upgrades in place, keeping data. */
Test(store, older_database_upgrades_in_place) {
  char path[128], err[256];
  snprintf(path, sizeof path, "%s/old.db", dir);
  kdb *db = db_open_upto(path, 1, err, sizeof err);
  cr_assert_not_null(db, "%s", err);
  cr_assert_eq(db_schema_version(db), 1);
  kstmt *st = db_prep(db, "INSERT INTO centers(code, name) VALUES ('chuo', '中央公民館')");
  cr_assert_eq(db_exec_stmt(st), DB_OK);
  /* a table of a later migration does not exist yet */
  cr_assert_null(db_prep(db, "SELECT count(*) FROM bookings"));
  db_close(db);

  db = db_open(path, err, sizeof err);
  cr_assert_not_null(db, "%s", err);
  cr_assert_eq(db_schema_version(db), db_schema_latest());
  cr_assert_eq(one_int(db, "SELECT count(*) FROM centers WHERE code = 'chuo'"), 1);
  cr_assert_eq(one_int(db, "SELECT count(*) FROM bookings"), 0);
  db_close(db);
}

/* Opcodes OP in the program of SQL (EXPLAIN) on DB. */
static int opcodes(kdb *db, const char *sql, const char *op) {
  kstmt *st = db_prep(db, sql);
  cr_assert_not_null(st, "prepare %s", sql);
  int n = 0;
  while (db_step(st) == DB_ROW) n += strcmp(db_col_text(st, 1), op) == 0;
  db_reset(st);
  return n;
}

static const char ins_booking[] =
    "EXPLAIN INSERT INTO bookings(room_id, center, date, slots, status, channel, fee_base,"
    " fee_total, rules_version, created_at) VALUES (1, 'chuo', '2026-06-01', 'morning', 'held',"
    " 'online', 0, 0, 'v', 0)";
static const char upd_booking[] = "EXPLAIN UPDATE bookings SET status = 'confirmed' WHERE id = 1";

/* 029: the CHECKs of bookings (status, channel) are tested by comparisons, not
** by a temporary b-tree of their values built for every INSERT and UPDATE; in a
** new file and in one upgraded in place, whose schema version changes (so that
** a connection opened before parses it again). They refuse what they refused. */
Test(store, booking_checks_build_no_temporary_btree) {
  char path[128], err[256];
  snprintf(path, sizeof path, "%s/checks.db", dir);
  /* migrations only ever come after one another: 029 is the 22nd (schema/ skips numbers) */
  kdb *old = db_open_upto(path, 21, err, sizeof err);
  cr_assert_not_null(old, "%s", err);
  cr_assert_gt(opcodes(old, ins_booking, "OpenEphemeral"), 0, "before 029: the IN lists");
  int64_t cookie = one_int(old, "PRAGMA schema_version");
  kdb *db = db_open(path, err, sizeof err);
  cr_assert_not_null(db, "%s", err);
  cr_assert_eq(opcodes(db, ins_booking, "OpenEphemeral"), 0);
  cr_assert_eq(opcodes(db, upd_booking, "OpenEphemeral"), 0);
  /* connections opened before (other servers' threads) parse the schema again */
  cr_assert_gt(one_int(db, "PRAGMA schema_version"), cookie);
  cr_assert_eq(db_exec(db, "PRAGMA integrity_check"), DB_OK);
  cr_assert_eq(db_exec(db, "PRAGMA foreign_keys = OFF"), DB_OK);
  static const char *const bad[] = {
      "INSERT INTO bookings(room_id, center, date, slots, status, channel, fee_base, fee_total,"
      " rules_version, created_at) VALUES (1, 'c', 'd', 's', 'bogus', 'online', 0, 0, 'v', 0)",
      "INSERT INTO bookings(room_id, center, date, slots, status, channel, fee_base, fee_total,"
      " rules_version, created_at) VALUES (1, 'c', 'd', 's', 'held', 'fax', 0, 0, 'v', 0)",
      "INSERT INTO bookings(room_id, center, date, slots, status, channel, fee_base, fee_total,"
      " rules_version, created_at) VALUES (1, 'c', 'd', 's', NULL, 'online', 0, 0, 'v', 0)"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    cr_assert_eq(db_exec_stmt(db_prep(db, bad[i])), DB_CONSTRAINT, "%s", bad[i]);
  static const char *const ok[] = {"held", "confirmed", "cancelled", "lapsed", "checked_in",
                                   "no_show"};
  for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
    kstmt *st = db_prep(db, "INSERT INTO bookings(room_id, center, date, slots, status, channel,"
                            " fee_base, fee_total, rules_version, created_at) VALUES (1, 'c', 'd',"
                            " 's', $s, 'form', 0, 0, 'v', 0)");
    db_bind_text(st, "$s", ok[i]);
    cr_assert_eq(db_exec_stmt(st), DB_OK, "%s", ok[i]);
  }
  db_close(old);
  db_close(db);
  snprintf(path, sizeof path, "%s/fresh.db", dir);
  db = db_open(path, err, sizeof err);
  cr_assert_not_null(db, "%s", err);
  cr_assert_eq(opcodes(db, ins_booking, "OpenEphemeral"), 0);
  db_close(db);
}

Test(store, a_newer_database_is_refused) {
  char path[128], err[256];
  snprintf(path, sizeof path, "%s/new.db", dir);
  kdb *db = db_open(path, err, sizeof err);
  cr_assert_not_null(db);
  cr_assert_eq(db_exec(db, "PRAGMA user_version = 999"), DB_OK);
  db_close(db);
  db = db_open(path, err, sizeof err);
  cr_assert_null(db);
  cr_assert(strstr(err, "newer") != NULL, "%s", err);
}

Test(store, unique_violation_is_a_constraint_and_rollback_undoes) {
  char err[256];
  kdb *db = db_open(":memory:", err, sizeof err);
  cr_assert_not_null(db, "%s", err);
  cr_assert_eq(db_begin_write(db), DB_OK);
  kstmt *st = db_prep(db, "INSERT INTO centers(code, name) VALUES ($c, $n)");
  db_bind_text(st, "$c", "x");
  db_bind_text(st, "$n", "X");
  cr_assert_eq(db_exec_stmt(st), DB_OK);
  st = db_prep(db, "INSERT INTO centers(code, name) VALUES ($c, $n)");
  db_bind_text(st, "$c", "x");
  db_bind_text(st, "$n", "Y");
  cr_assert_eq(db_exec_stmt(st), DB_CONSTRAINT);
  db_rollback(db);
  cr_assert_eq(one_int(db, "SELECT count(*) FROM centers"), 0);
  /* the writer lock was released: a second write transaction can start */
  cr_assert_eq(db_begin_write(db), DB_OK);
  cr_assert_eq(db_commit(db), DB_OK);
  db_close(db);
}

Test(store, prepared_statements_are_cached_by_text) {
  char err[256];
  kdb *db = db_open(":memory:", err, sizeof err);
  static const char *sql = "SELECT count(*) FROM centers";
  kstmt *a = db_prep(db, sql);
  kstmt *b = db_prep(db, sql);
  cr_assert_eq(a, b);
  db_close(db);
}

Test(store, backup_copies_a_consistent_database) {
  char path[128], to[128], err[256];
  snprintf(path, sizeof path, "%s/src.db", dir);
  snprintf(to, sizeof to, "%s/copy.db", dir);
  kdb *db = db_open(path, err, sizeof err);
  kstmt *st = db_prep(db, "INSERT INTO centers(code, name) VALUES ('a', 'A')");
  cr_assert_eq(db_exec_stmt(st), DB_OK);
  cr_assert_eq(db_backup(path, to, err, sizeof err), 0, "%s", err);
  kdb *copy = db_open(to, err, sizeof err);
  cr_assert_not_null(copy, "%s", err);
  cr_assert_eq(one_int(copy, "SELECT count(*) FROM centers"), 1);
  cr_assert(db_integrity_ok(copy));
  db_close(copy);
  db_close(db);
}

/* Group commit (http/suspend.c): inside a batch each caller's transaction is
** a savepoint; a rollback undoes only its own writes, the batch commits the
** rest at once, and a batch that is never committed leaves nothing. */
Test(store, batch_savepoints_undo_only_their_own) {
  char path[128], err[256];
  snprintf(path, sizeof path, "%s/batch.db", dir);
  kdb *db = db_open(path, err, sizeof err);
  cr_assert_not_null(db, "%s", err);
  cr_assert_eq(db_exec(db, "CREATE TABLE t(x INTEGER UNIQUE)"), DB_OK);
  cr_assert_eq(db_batch_begin(db), DB_OK);
  for (int x = 1; x <= 3; x++) { /* 1 kept, 2 refused by its caller, 3 kept */
    cr_assert_eq(db_begin_write(db), DB_OK);
    kstmt *st = db_prep(db, "INSERT INTO t(x) VALUES ($x)");
    db_bind_int(st, "$x", x);
    cr_assert_eq(db_exec_stmt(st), DB_OK);
    if (x == 2) db_rollback(db);
    else cr_assert_eq(db_commit(db), DB_OK);
  }
  cr_assert_eq(db_begin_read(db), DB_OK); /* a read inside the batch sees the batch */
  cr_assert_eq(one_int(db, "SELECT count(*) FROM t"), 2);
  cr_assert_eq(db_commit(db), DB_OK);
  db_rollback(db); /* no savepoint open: nothing happens */
  cr_assert_eq(db_batch_commit(db), DB_OK);
  kstmt *st = db_prep(db, "SELECT group_concat(x) FROM t");
  cr_assert_eq(db_step(st), DB_ROW);
  cr_assert_str_eq(db_col_text(st, 0), "1,3");
  db_reset(st);
  /* a writer outside the batch works again (the lock was released) */
  cr_assert_eq(db_begin_write(db), DB_OK);
  cr_assert_eq(db_exec(db, "INSERT INTO t(x) VALUES (4)"), DB_OK);
  cr_assert_eq(db_commit(db), DB_OK);
  /* a batch closed without its commit stores nothing */
  cr_assert_eq(db_batch_begin(db), DB_OK);
  cr_assert_eq(db_begin_write(db), DB_OK);
  cr_assert_eq(db_exec(db, "INSERT INTO t(x) VALUES (5)"), DB_OK);
  cr_assert_eq(db_commit(db), DB_OK);
  db_close(db);
  db = db_open(path, err, sizeof err);
  cr_assert_eq(one_int(db, "SELECT count(*) FROM t"), 3);
  db_close(db);
}

/* A writer connection and a checkpointing one on a new database (NAME) with a
** table of page-sized rows, written a batch at a time by wal_batch(). */
struct walrun {
  kdb *db, *ck;
  char wal[140];
  int n;          /* rows written */
  int pending;    /* a checkpoint was asked for: ck copies during the next batch */
  off_t longest;  /* the WAL file's largest size */
};

static void wal_open(struct walrun *w, const char *name) {
  char path[128], err[256];
  memset(w, 0, sizeof *w);
  snprintf(path, sizeof path, "%s/%s", dir, name);
  snprintf(w->wal, sizeof w->wal, "%s-wal", path);
  w->db = db_open(path, err, sizeof err);
  w->ck = db_open(path, err, sizeof err);
  cr_assert(w->db && w->ck, "%s", err);
  cr_assert_eq(db_exec(w->db, "CREATE TABLE big(n INTEGER PRIMARY KEY, b BLOB)"), DB_OK);
}

/* One batch of 100 rows (~100 pages); halfway through, the checkpoint asked
** for copies what was committed before it (as the thread does, a batch
** behind). Returns the WAL file's size after the commit. */
static off_t wal_batch(struct walrun *w) {
  cr_assert_eq(db_batch_begin(w->db), DB_OK);
  for (int i = 0; i < 100; i++) {
    cr_assert_eq(db_begin_write(w->db), DB_OK);
    cr_assert_eq(db_run(w->db, "INSERT INTO big VALUES ($n, zeroblob(3900))", DB_I("$n", ++w->n)),
                 DB_OK);
    cr_assert_eq(db_commit(w->db), DB_OK);
    if (i == 50 && w->pending) {
      db_checkpoint(w->ck);
      w->pending = 0;
    }
  }
  cr_assert_eq(db_batch_commit(w->db), DB_OK);
  struct stat st;
  cr_assert_eq(stat(w->wal, &st), 0);
  if (st.st_size > w->longest) w->longest = st.st_size;
  return st.st_size;
}

/* Every row is there and the database is sound; both connections closed. */
static void wal_close(struct walrun *w) {
  cr_assert_eq(one_int(w->ck, "SELECT count(*) FROM big"), w->n);
  cr_assert(db_integrity_ok(w->ck));
  db_close(w->ck);
  db_close(w->db);
}

/* Batches back to back with the checkpoint on another connection, always
** one batch behind (as the checkpoint thread is): the WAL must start over
** now and then instead of growing for as long as the batches go on (issue
** 18: a burst of 10,000 bookings left a WAL of 54 MB). Each batch writes
** ~100 pages; 120 batches would make a WAL of ~12,000 pages without a restart. */
Test(store, batches_back_to_back_keep_the_wal_short) {
  struct walrun w;
  wal_open(&w, "burst.db");
  int tails = 0;
  for (int batch = 0; batch < 120; batch++) {
    wal_batch(&w);
    switch (db_batch_wal_full(w.db)) {
    case DB_WAL_CHECKPOINT: w.pending = 1; break;
    case DB_WAL_TAIL: db_checkpoint(w.db), tails++; break;
    default: break;
    }
  }
  cr_assert_gt(tails, 0, "the writer copied a tail and the WAL started over");
  cr_assert_lt(w.longest, (off_t)(DB_CHECKPOINT_PAGES + DB_TAIL_PAGES + 300) * 4200,
               "the WAL grew to %lld bytes", (long long)w.longest);
  wal_close(&w);
}

/* A writer in a rush leaves the tail for a quiet moment (http/suspend.c):
** DB_WAL_TAIL only makes it due. Then no tail is copied while the WAL is
** under DB_WAL_BUSY_PAGES, DB_WAL_TAIL_NOW once past it (so the WAL still
** starts over and stays bounded), and when the rush is over, the tail that is
** due is copied and the next batch starts the WAL over. */
static int64_t wal_frames(kdb *db) {
  kstmt *st = db_prep(db, "PRAGMA wal_checkpoint(PASSIVE)");
  cr_assert_not_null(st);
  cr_assert_eq(db_step(st), DB_ROW);
  int64_t v = db_col_int(st, 1);   /* busy, log, checkpointed */
  db_reset(st);
  return v;
}

Test(store, a_rush_leaves_the_tail_for_a_quiet_moment) {
  struct walrun w;
  wal_open(&w, "rush.db");
  int due = 0, now = 0;
  off_t at_first_now = 0;
  for (int batch = 0; batch < 201; batch++) {
    if (batch == 200) {   /* the rush is over: the writer copies the tail that is due */
      cr_assert(due, "a tail was due");
      db_checkpoint(w.db);
    }
    off_t size = wal_batch(&w);
    switch (db_batch_wal_full(w.db)) {
    case DB_WAL_CHECKPOINT: w.pending = 1; break;
    case DB_WAL_TAIL: due = 1; break;
    case DB_WAL_TAIL_NOW:
      if (!now++) at_first_now = size;
      db_checkpoint(w.db);
      due = 0;
      break;
    default: break;
    }
  }
  cr_assert_gt(now, 0, "a rush that never pauses still starts the WAL over");
  cr_assert_geq(at_first_now, (off_t)DB_WAL_BUSY_PAGES * 4096,
                "a tail in the rush with a WAL of only %lld bytes", (long long)at_first_now);
  cr_assert_lt(w.longest, (off_t)(DB_WAL_BUSY_PAGES + DB_TAIL_PAGES + 300) * 4200,
               "the WAL grew to %lld bytes", (long long)w.longest);
  int64_t frames = wal_frames(w.ck);
  cr_assert_lt(frames, 1000, "after the quiet copy the WAL holds %lld frames, not one batch",
               (long long)frames);
  wal_close(&w);
}

/* Small batches (the 16 users' ~70 pages) with the checkpoint thread slow to
** finish its first round (it copies 4,000 pages) and quick to finish a second
** (it copies only what came during the first): the writer asks again rather
** than copying a long tail itself between two batches, a stall every ~1,000
** bookings that made the 16 users' p99. Each tail the writer copies is about
** two batches (at most DB_TAIL_MIN here), and the WAL still starts over. With
** a fixed tail of up to 1,000 pages the writer copied ~360 at a time. */
Test(store, small_batches_leave_the_writer_a_short_tail) {
  char path[128], wal[140], err[256];
  snprintf(path, sizeof path, "%s/small.db", dir);
  snprintf(wal, sizeof wal, "%s-wal", path);
  kdb *db = db_open(path, err, sizeof err), *ck = db_open(path, err, sizeof err),
      *rd = db_open(path, err, sizeof err);
  cr_assert(db && ck && rd, "%s", err);
  cr_assert_eq(db_exec(db, "CREATE TABLE big(n INTEGER PRIMARY KEY, b BLOB)"), DB_OK);
  int lag = -1, tails = 0, asks = 0, longest_tail = 0, n = 0;
  off_t longest = 0;
  for (int batch = 0; batch < 1500; batch++) {
    cr_assert_eq(db_batch_begin(db), DB_OK);
    for (int i = 0; i < 10; i++) {
      cr_assert_eq(db_begin_write(db), DB_OK);
      cr_assert_eq(db_run(db, "INSERT INTO big VALUES ($n, zeroblob(3900))", DB_I("$n", ++n)),
                   DB_OK);
      cr_assert_eq(db_commit(db), DB_OK);
    }
    cr_assert_eq(db_batch_commit(db), DB_OK);
    if (lag >= 0 && lag-- == 0) {   /* the thread's round ends: it copied what was there at its start */
      db_checkpoint(ck);
      cr_assert_eq(db_exec(rd, "COMMIT"), DB_OK);
    }
    int left;
    switch (db_batch_wal_full(db)) {
    case DB_WAL_CHECKPOINT:   /* a round starts: a reader holds the WAL as it is now */
      cr_assert_eq(db_exec(rd, "BEGIN"), DB_OK);
      cr_assert_eq(one_int(rd, "SELECT count(*) FROM big"), n);
      lag = asks++ == 0 ? 30 : 3;   /* a first round is long, the next ones short */
      break;
    case DB_WAL_TAIL:
      left = db_checkpoint(db);
      tails++, asks = 0;
      if (left > longest_tail) longest_tail = left;
      break;
    default: break;
    }
    struct stat st;
    cr_assert_eq(stat(wal, &st), 0);
    if (st.st_size > longest) longest = st.st_size;
  }
  cr_assert_gt(tails, 1, "the writer copied a tail and the WAL started over");
  cr_assert_leq(longest_tail, DB_TAIL_MIN, "the writer copied a tail of %d pages", longest_tail);
  cr_assert_lt(longest, (off_t)(DB_CHECKPOINT_PAGES + DB_TAIL_PAGES + 300) * 4200,
               "the WAL grew to %lld bytes", (long long)longest);
  cr_assert_eq(one_int(ck, "SELECT count(*) FROM big"), n);
  cr_assert(db_integrity_ok(ck));
  db_close(rd);
  db_close(ck);
  db_close(db);
}

/* ------------------------------------------- one-line queries (issue 19) */

struct add_center {
  kdb *db;
  const char *code;
  int fail;
};

static int add_center(void *arg) {
  struct add_center *a = arg;
  int rc = db_run(a->db, "INSERT INTO centers(code, name) VALUES ($c, $n)", DB_T("$c", a->code),
                  DB_T("$n", "センター"));
  return rc != DB_OK ? rc : a->fail;
}

Test(store, one_line_helpers_bind_run_and_read) {
  char err[256];
  kdb *db = db_open(":memory:", err, sizeof err);
  cr_assert_not_null(db, "%s", err);
  cr_assert_eq(db_run(db, "INSERT INTO centers(code, name) VALUES ($c, $n)", DB_T("$c", "a"),
                      DB_T("$n", "A")), DB_OK);
  cr_assert_eq(db_run(db, "INSERT INTO centers(code, name) VALUES ($c, $n)", DB_T("$c", "a"),
                      DB_T("$n", "B")), DB_CONSTRAINT);
  cr_assert_eq(db_int64(db, -1, "SELECT count(*) FROM centers WHERE code = $c", DB_T("$c", "a")), 1);
  cr_assert_eq(db_int64(db, -1, "SELECT length(name) FROM centers WHERE code = $c",
                        DB_T("$c", "nope")), -1, "no row: the default");
  cr_assert_eq(db_int64(db, 7, "SELECT $x + 1", DB_I("$x", 41)), 42);
  cr_assert_eq(db_int64(db, 7, "SELECT CAST($x * 2 AS INTEGER)", DB_F("$x", 1.5)), 3);
  cr_assert_eq(db_int64(db, 7, "SELECT NULL"), 7, "NULL: the default");
  cr_assert(db_exists(db, "SELECT 1 FROM centers WHERE code = $c", DB_T("$c", "a")));
  cr_assert_not(db_exists(db, "SELECT 1 FROM centers WHERE code = $c", DB_T("$c", NULL)));
  db_close(db);
}

Test(store, get_helpers_tell_a_row_no_row_and_a_failure_apart) {
  char err[256], buf[4] = "old";
  int64_t n = -5;
  kdb *db = db_open(":memory:", err, sizeof err);
  cr_assert_not_null(db, "%s", err);
  cr_assert_eq(db_run(db, "INSERT INTO centers(code, name) VALUES ($c, $n)", DB_T("$c", "a"),
                      DB_T("$n", "中央公民館")), DB_OK);
  cr_assert_eq(db_get_int64(db, &n, "SELECT count(*) FROM centers WHERE code = $c",
                            DB_T("$c", "a")), DB_ROW);
  cr_assert_eq(n, 1);
  cr_assert_eq(db_get_int64(db, &n, "SELECT 1 FROM centers WHERE code = $c", DB_T("$c", "b")),
               DB_DONE, "no row");
  cr_assert_eq(n, 1, "no row leaves *OUT as it was");
  cr_assert_eq(db_get_text(db, buf, sizeof buf, "SELECT code FROM centers WHERE code = $c",
                           DB_T("$c", "zz")), DB_DONE);
  cr_assert_str_eq(buf, "old");
  cr_assert_eq(db_get_text(db, buf, sizeof buf, "SELECT name FROM centers"), DB_ROW);
  cr_assert_eq(strlen(buf), 3, "cut to fit: %s", buf);
  /* a failure is passed on: a CHECK-free way to fail at step is a busy
  ** table; here, an integer overflow in SQL arithmetic is an error */
  cr_assert_neq(db_get_int64(db, &n, "SELECT abs(-9223372036854775807 - 1)"), DB_ROW);
  cr_assert_neq(db_get_int64(db, &n, "SELECT abs(-9223372036854775807 - 1)"), DB_DONE);
  db_close(db);
}

Test(store, write_txn_commits_or_rolls_back_as_its_body_says) {
  char err[256];
  kdb *db = db_open(":memory:", err, sizeof err);
  cr_assert_not_null(db, "%s", err);
  int dbrc = -99;
  struct add_center ok = {db, "x", 0}, bad = {db, "y", 42}, dup = {db, "x", 0};
  cr_assert_eq(db_write_txn(db, add_center, &ok, &dbrc), 0);
  cr_assert_eq(dbrc, DB_OK);
  cr_assert_eq(db_write_txn(db, add_center, &bad, &dbrc), 42, "the body's own result");
  cr_assert_eq(db_write_txn(db, add_center, &dup, NULL), DB_CONSTRAINT);
  cr_assert_eq(one_int(db, "SELECT count(*) FROM centers"), 1, "only the committed one");
  cr_assert_not(db_in_txn(db));
  db_close(db);
}

/* The archive copies the live tables through column lists of its own
** (store/archive.c BOOKING_COLS, PAYMENT_COLS, EVENT_COLS): a column added
** to a live table by a migration must be added there too, or the archive
** silently drops it. This fails until it is. */
static void columns(kdb *db, const char *table, const char *schema, char *out, size_t n) {
  kstmt *st = db_prep(db, "SELECT group_concat(name, ',') FROM"
                          " (SELECT name FROM pragma_table_info($t, $s) ORDER BY cid)");
  cr_assert_not_null(st);
  db_bind_text(st, "$t", table);
  db_bind_text(st, "$s", schema);
  cr_assert_eq(db_step(st), DB_ROW);
  snprintf(out, n, "%s", db_col_text(st, 0));
  db_reset(st);
}

Test(store, the_archive_keeps_every_column_of_the_live_tables) {
  char err[256], path[128], live[2048], arch[2048];
  snprintf(path, sizeof path, "%s/k.db", dir);
  kdb *db = db_open(path, err, sizeof err);
  cr_assert_not_null(db, "%s", err);
  cr_assert_eq(db_archive_attach(db, 1, err, sizeof err), 0, "%s", err);
  static const char *const tables[] = {"bookings", "payments", "events"};
  for (int i = 0; i < 3; i++) {
    columns(db, tables[i], "main", live, sizeof live);
    columns(db, tables[i], "archive", arch, sizeof arch);
    cr_assert(live[0], "no columns for %s", tables[i]);
    cr_assert_str_eq(arch, live, "store/archive.c's column list of %s differs from the live table",
                     tables[i]);
  }
  db_close(db);
}

/* store/walvfs.c gathers a commit's writes into the WAL and writes them when
** the commit's last frame is handed over: a commit far larger than its buffer (4 MiB) and than one write of the
** unix VFS (128 KiB) is whole for another connection, and so are small ones
** after it, synced or not; the writer reads its own uncommitted pages back meanwhile. */
Test(store, a_commit_through_the_wal_vfs_is_whole_for_another_connection) {
  char path[128], err[256];
  snprintf(path, sizeof path, "%s/wal.db", dir);
  kdb *db = db_open(path, err, sizeof err);
  cr_assert_not_null(db, "%s", err);
  cr_assert_not_null(walvfs_name(), "the WAL VFS is registered");
  cr_assert_eq(db_exec(db, "CREATE TABLE big(n INTEGER PRIMARY KEY, b BLOB)"), DB_OK);
  cr_assert_eq(db_begin_write(db), DB_OK);
  cr_assert_eq(db_exec(db, "WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k"
                           " WHERE n < 3000) INSERT INTO big SELECT n, randomblob(4000) FROM k"),
               DB_OK);
  cr_assert_eq(one_int(db, "SELECT count(*) FROM big WHERE length(b) = 4000"), 3000);
  cr_assert_eq(db_commit(db), DB_OK);
  kdb *other = db_open(path, err, sizeof err);
  cr_assert_not_null(other, "%s", err);
  cr_assert_eq(one_int(other, "SELECT count(*) FROM big WHERE length(b) = 4000"), 3000);
  cr_assert_eq(db_run(db, "INSERT INTO big VALUES (3001, x'00')"), DB_OK);
  cr_assert_eq(one_int(other, "SELECT count(*) FROM big"), 3001);
  cr_assert_eq(db_run(other, "DELETE FROM big WHERE n > 1500"), DB_OK);
  cr_assert_eq(one_int(db, "SELECT count(*) FROM big"), 1500);
  /* without a sync at the commit (the demonstration data is seeded so): the
  ** commit is still in the file before SQLite publishes it to the others */
  for (int mode = 0; mode < 2; mode++) {
    cr_assert_eq(db_exec(db, mode ? "PRAGMA synchronous=OFF" : "PRAGMA synchronous=NORMAL"),
                 DB_OK);
    for (int i = 0; i < 50; i++) {
      cr_assert_eq(db_run(db, "INSERT INTO big VALUES ($n, randomblob(3000))",
                          DB_I("$n", 5000 + mode * 100 + i)),
                   DB_OK);
      cr_assert_eq(one_int(other, "SELECT count(*) FROM big"), 1500 + mode * 50 + i + 1);
    }
  }
  cr_assert(db_integrity_ok(other));
  db_close(other);
  db_close(db);
}
