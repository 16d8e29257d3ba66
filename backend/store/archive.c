/*
** store/archive.c: the archive of finished years (see archive.h).
**
** The archive holds the columns of bookings, payments and events as they are
** since migration 014; a column added later to one of them is not archived
** until it is added to the lists below (and to the archive's tables).
*/
#include "archive.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BOOKING_COLS                                                                          \
  "id, account_id, group_id, room_id, center, date, slots, status, purpose, attendees, channel,"  \
  " walkin_name, walkin_phone, fee_base, fee_discount, fee_total, discount_code,"             \
  " rules_version, hold_expires_at, created_at, confirmed_at, cancelled_at, cancel_reason,"   \
  " cancel_fee, checked_in_at, idempotency_key, created_by, confirmed_by, cancelled_by,"      \
  " checked_in_by, noshow_at, noshow_by, imported_note"
#define PAYMENT_COLS "id, booking_id, center, ledger_date, seq, receipt, kind, method, amount, at, by_account"
#define EVENT_COLS                                                                            \
  "id, at, action, center, room_id, date, slot, channel, actor_role, actor, subject, amount, detail"

/* The archive's tables: the live ones' columns with their types (CREATE
** TABLE AS keeps the declared types, so the indexes serve the same
** comparisons), unique ids, the indexes the reports and the usage-log export
** read by, and the cut-off date. */
static const char ddl[] =
    "CREATE TABLE IF NOT EXISTS archive.bookings AS SELECT " BOOKING_COLS
    " FROM main.bookings WHERE 0;"
    "CREATE UNIQUE INDEX IF NOT EXISTS archive.bookings_id ON bookings(id);"
    "CREATE INDEX IF NOT EXISTS archive.bookings_date ON bookings(date, center);"
    "CREATE TABLE IF NOT EXISTS archive.payments AS SELECT " PAYMENT_COLS
    " FROM main.payments WHERE 0;"
    "CREATE UNIQUE INDEX IF NOT EXISTS archive.payments_id ON payments(id);"
    "CREATE INDEX IF NOT EXISTS archive.payments_booking ON payments(booking_id);"
    "CREATE TABLE IF NOT EXISTS archive.events AS SELECT " EVENT_COLS " FROM main.events WHERE 0;"
    "CREATE UNIQUE INDEX IF NOT EXISTS archive.events_id ON events(id);"
    "CREATE INDEX IF NOT EXISTS archive.events_at ON events(at);"
    "CREATE TABLE IF NOT EXISTS archive.archive_meta (k INTEGER PRIMARY KEY CHECK (k = 1),"
    " before TEXT NOT NULL, before_at INTEGER NOT NULL);";

/* The live rows, less those older than the cut-off that the archive holds
** too (a move interrupted between its two transactions), then the archive.
** A booking comes with the sum of its payments ("paid") and a payment with
** its booking's use date and centre, each from the booking's own side, so
** that a report never needs to look a payment up across both. */
static const char views[] =
    "CREATE TEMP VIEW IF NOT EXISTS r_bookings AS"
    " SELECT " BOOKING_COLS ", (SELECT COALESCE(SUM(p.amount), 0) FROM main.payments p"
    "  WHERE p.booking_id = b.id) AS paid FROM main.bookings b"
    " WHERE b.date >= (SELECT before FROM archive.archive_meta)"
    "  OR NOT EXISTS (SELECT 1 FROM archive.bookings a WHERE a.id = b.id)"
    " UNION ALL SELECT " BOOKING_COLS ", (SELECT COALESCE(SUM(p.amount), 0)"
    "  FROM archive.payments p WHERE p.booking_id = b.id) FROM archive.bookings b;"
    "CREATE TEMP VIEW IF NOT EXISTS r_payments AS"
    " SELECT p.method, p.amount, b.date AS use_date, b.center AS use_center"
    " FROM main.payments p JOIN main.bookings b ON b.id = p.booking_id"
    " WHERE b.date >= (SELECT before FROM archive.archive_meta)"
    "  OR NOT EXISTS (SELECT 1 FROM archive.bookings a WHERE a.id = b.id)"
    " UNION ALL SELECT p.method, p.amount, b.date, b.center"
    " FROM archive.payments p JOIN archive.bookings b ON b.id = p.booking_id;"
    "CREATE TEMP VIEW IF NOT EXISTS r_events AS"
    " SELECT " EVENT_COLS " FROM main.events e"
    " WHERE e.at >= (SELECT before_at FROM archive.archive_meta)"
    "  OR NOT EXISTS (SELECT 1 FROM archive.events a WHERE a.id = e.id)"
    " UNION ALL SELECT " EVENT_COLS " FROM archive.events;";

/* 1 when the query ST (one integer) answers non-zero. */
static int yes(kstmt *st) {
  int r = st && db_step(st) == DB_ROW && db_col_int(st, 0) != 0;
  if (st) db_reset(st);
  return r;
}

int db_archive_attach(kdb *db, int create, char *err, size_t errlen) {
  const char *main_path = db_filename(db);
  char path[4096];
  struct stat sb;
  if (!main_path[0]) return 0; /* in memory */
  if ((size_t)snprintf(path, sizeof path, "%s.archive", main_path) >= sizeof path) {
    snprintf(err, errlen, "the path %s is too long", main_path);
    return -1;
  }
  if (!yes(db_prep(db, "SELECT count(*) FROM pragma_database_list WHERE name = 'archive'"))) {
    if (!create && stat(path, &sb) != 0) return 0;
    if (create) { /* owner-only like the database (db.c make_private) */
      int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd >= 0) close(fd);
      else if (errno != EEXIST) {
        snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
        return -1;
      }
    }
    kstmt *st = db_prep(db, "ATTACH DATABASE $path AS archive");
    if (st) db_bind_text(st, "$path", path);
    if (!st || db_exec_stmt(st) != DB_OK) {
      snprintf(err, errlen, "cannot attach %s: %s", path, db_errmsg(db));
      return -1;
    }
  }
  if (create && db_exec(db, ddl) != DB_OK) {
    snprintf(err, errlen, "cannot make the archive's tables in %s: %s", path, db_errmsg(db));
    return -1;
  }
  if (!yes(db_prep(db, "SELECT count(*) FROM archive.sqlite_master WHERE name = 'archive_meta'")))
    return 0; /* not an archive (yet): the plain views */
  if (db_exec(db, views) != DB_OK) {
    snprintf(err, errlen, "cannot read the archive %s: %s", path, db_errmsg(db));
    return -1;
  }
  return 0;
}

/* Step each of the N statements ST once, binding $before, $at and $id where
** they take them; *CHANGES gets the rows the statement WHICH changed. */
static int run_all(kdb *db, kstmt **st, int n, const char *before, int64_t at, int64_t id,
                   int which, int64_t *changes) {
  int rc = DB_OK;
  for (int i = 0; rc == DB_OK && i < n; i++) {
    if (!st[i]) return DB_ERROR;
    if (db_has_param(st[i], "$before")) db_bind_text(st[i], "$before", before);
    if (db_has_param(st[i], "$at")) db_bind_int(st[i], "$at", at);
    if (db_has_param(st[i], "$id")) db_bind_int(st[i], "$id", id);
    rc = db_exec_stmt(st[i]);
    if (i == which && changes) *changes += db_changes(db);
  }
  return rc;
}

/* Run the statements in one transaction of their own (or a savepoint of a batch). */
static int in_txn(kdb *db, kstmt **st, int n, const char *before, int64_t at, int64_t id,
                  int which, int64_t *changes) {
  int64_t got = 0;
  int rc = db_begin_write(db);
  if (rc == DB_OK) rc = run_all(db, st, n, before, at, id, which, &got);
  if (rc != DB_OK) {
    db_rollback(db);
    return rc;
  }
  rc = db_commit(db);
  if (rc == DB_OK && changes) *changes += got;
  return rc;
}

/* Transaction 1: copy into the archive and move its cut-off (writes only the archive). */
static int copy_rows(kdb *db, const char *before, int64_t before_at) {
  kstmt *st[] = {
      db_prep(db, "INSERT OR IGNORE INTO archive.bookings (" BOOKING_COLS ") SELECT " BOOKING_COLS
                  " FROM main.bookings WHERE date < $before"),
      db_prep(db, "INSERT OR IGNORE INTO archive.payments (" PAYMENT_COLS ") SELECT " PAYMENT_COLS
                  " FROM main.payments WHERE booking_id IN"
                  " (SELECT id FROM main.bookings WHERE date < $before)"),
      db_prep(db, "INSERT OR IGNORE INTO archive.events (" EVENT_COLS ") SELECT " EVENT_COLS
                  " FROM main.events WHERE at < $at"),
      db_prep(db, "INSERT INTO archive.archive_meta (k, before, before_at) VALUES (1, $before, $at)"
                  " ON CONFLICT (k) DO UPDATE SET before = max(before, excluded.before),"
                  " before_at = max(before_at, excluded.before_at)")};
  return in_txn(db, st, 4, before, before_at, 0, -1, NULL);
}

/* Delete booking ID (its slots and payments first) from the live database in
** a savepoint of the batch; DB_CONSTRAINT when something still refers to it. */
static int drop_booking(kdb *db, int64_t id, int64_t *payments) {
  kstmt *st[] = {db_prep(db, "DELETE FROM main.booking_slots WHERE booking_id = $id"),
                 db_prep(db, "DELETE FROM main.payments WHERE booking_id = $id"),
                 db_prep(db, "DELETE FROM main.bookings WHERE id = $id")};
  return in_txn(db, st, 3, "", 0, id, 1, payments);
}

/* Transaction 2, in batches: delete from the live database what the archive holds. */
static int prune_bookings(kdb *db, const char *before, struct db_archive_moved *n) {
  enum { CHUNK = 2000 };
  int64_t ids[CHUNK], after = 0;
  int got, rc = DB_OK;
  do {
    kstmt *st = db_prep(db, "SELECT b.id FROM main.bookings b WHERE b.date < $before"
                            " AND b.id > $after"
                            " AND EXISTS (SELECT 1 FROM archive.bookings a WHERE a.id = b.id)"
                            " ORDER BY b.id LIMIT 2000");
    if (!st) return DB_ERROR;
    db_bind_text(st, "$before", before);
    db_bind_int(st, "$after", after);
    for (got = 0; got < CHUNK && (rc = db_step(st)) == DB_ROW; got++) ids[got] = db_col_int(st, 0);
    db_reset(st);
    if (rc != DB_ROW && rc != DB_DONE) return rc;
    rc = DB_OK;
    if (!got) break;
    after = ids[got - 1];
    if ((rc = db_batch_begin(db)) != DB_OK) return rc;
    for (int i = 0; i < got && rc == DB_OK; i++) {
      rc = drop_booking(db, ids[i], &n->payments);
      if (rc == DB_CONSTRAINT) n->kept++, rc = DB_OK;
      else if (rc == DB_OK) n->bookings++;
    }
    int crc = db_batch_commit(db);
    if (rc == DB_OK) rc = crc;
  } while (rc == DB_OK && got == CHUNK);
  return rc;
}

static int prune_events(kdb *db, int64_t before_at, struct db_archive_moved *n) {
  kstmt *st = db_prep(db, "DELETE FROM main.events WHERE at < $at AND EXISTS"
                          " (SELECT 1 FROM archive.events a WHERE a.id = events.id)");
  return in_txn(db, &st, 1, "", before_at, 0, 0, &n->events);
}

int db_archive_move(kdb *db, const char *before, int64_t before_at,
                    struct db_archive_moved *n, char *err, size_t errlen) {
  memset(n, 0, sizeof *n);
  if (db_archive_attach(db, 1, err, errlen) != 0) return -1;
  int rc = copy_rows(db, before, before_at);
  if (rc == DB_OK) rc = prune_bookings(db, before, n);
  if (rc == DB_OK) rc = prune_events(db, before_at, n);
  if (rc != DB_OK) {
    snprintf(err, errlen, "the move stopped: %s (run it again: nothing is counted twice)",
             db_errmsg(db));
    return -1;
  }
  return 0;
}
