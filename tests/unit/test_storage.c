/*
** tests/unit/test_storage.c: storage faults reach the caller as
** KERR_STORAGE (503 storage_unavailable, a Japanese message), never a crash,
** and reads keep working.
**
** The store maps SQLITE_READONLY/FULL/IOERR to DB_STORAGE and kerr_from_db()
** maps that to KERR_STORAGE; these tests drive a real write (the facility
** catalogue, facilities_sync) into each fault:
**   - a read-only connection (PRAGMA query_only: SQLITE_READONLY);
**   - a read-only database file (opened by a user who may not write it);
**   - a full disk (a file size limit: writes fail with EFBIG, as with ENOSPC).
** Criterion runs each test in its own process, so limits and user changes
** stay inside the test.
*/
#include <criterion/criterion.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../backend/core/facilities.h"
#include "../../backend/core/kerr.h"
#include "../../backend/core/rules.h"
#include "../../backend/store/db.h"

static char dir[256], dbpath[300];
static struct rulebook *rb;

static void setup(void) {
  snprintf(dir, sizeof dir, "/tmp/kominkan-unit-storage-XXXXXX");
  cr_assert_not_null(mkdtemp(dir));
  snprintf(dbpath, sizeof dbpath, "%s/k.db", dir);
  json_t *problems = NULL;
  rb = rules_load("ordinances/maebashi", &problems);
  cr_assert_not_null(rb);
}

static void teardown(void) {
  rules_free(rb);
  char cmd[400];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", dir);
}

static int64_t count_rooms(kdb *db) {
  kstmt *st = db_prep(db, "SELECT count(*) FROM rooms WHERE active = 1");
  cr_assert_not_null(st);
  cr_assert_eq(db_step(st), DB_ROW, "a read failed: %s", db_errmsg(db));
  int64_t n = db_col_int(st, 0);
  db_reset(st);
  return n;
}

static kdb *open_synced(void) {
  char err[256];
  kdb *db = db_open(dbpath, err, sizeof err);
  cr_assert_not_null(db, "%s", err);
  cr_assert_eq(facilities_sync(db, rb), 0);
  return db;
}

TestSuite(storage, .init = setup, .fini = teardown);

Test(storage, the_error_is_503_storage_unavailable_in_japanese) {
  cr_assert_eq(kerr_from_db(DB_STORAGE), KERR_STORAGE);
  cr_assert_eq(kerr_http_status(KERR_STORAGE), 503);
  cr_assert_str_eq(kerr_code(KERR_STORAGE), "storage_unavailable");
  const char *m = kerr_message(KERR_STORAGE);
  cr_assert((unsigned char)m[0] >= 0x80, "not a Japanese message: %s", m);
}

Test(storage, a_read_only_connection_refuses_writes_with_KERR_STORAGE_and_still_reads) {
  kdb *db = open_synced();
  int64_t rooms = count_rooms(db);
  cr_assert_gt(rooms, 0);
  cr_assert_eq(db_exec(db, "PRAGMA query_only = 1"), DB_OK);
  cr_assert_eq(facilities_sync(db, rb), KERR_STORAGE);
  cr_assert_eq(count_rooms(db), rooms, "a failed write changed something");
  /* the writer lock was released: a later write on the same connection works */
  cr_assert_eq(db_exec(db, "PRAGMA query_only = 0"), DB_OK);
  cr_assert_eq(facilities_sync(db, rb), 0);
  db_close(db);
}

/* The read-only file case, run in a child that may have to become nobody;
** returns 0, or the number of the step that failed. */
static int read_only_file_child(void) {
  if (geteuid() == 0) {
    /* root writes read-only files anyway: become nobody (this child only) */
    if (chmod(dir, 0777) != 0 || setgid(65534) != 0 || setuid(65534) != 0) return 1;
  }
  char err[256];
  kdb *db = db_open(dbpath, err, sizeof err);
  if (!db) {
    fprintf(stderr, "a read-only database cannot even be opened for reading: %s\n", err);
    return 2;
  }
  int64_t rooms = count_rooms(db);
  if (rooms <= 0) return 3;
  if (facilities_sync(db, rb) != KERR_STORAGE) return 4;
  if (count_rooms(db) != rooms) return 5;
  db_close(db);
  return 0;
}

Test(storage, a_read_only_database_file_refuses_writes_with_KERR_STORAGE_and_still_reads) {
  db_close(open_synced());
  cr_assert_eq(chmod(dbpath, 0444), 0);
  fflush(NULL);
  pid_t pid = fork();
  cr_assert_geq(pid, 0);
  if (pid == 0) _exit(read_only_file_child());
  int status = 0;
  cr_assert_eq(waitpid(pid, &status, 0), pid);
  cr_assert(WIFEXITED(status), "the child crashed (signal %d)", WTERMSIG(status));
  cr_assert_eq(WEXITSTATUS(status), 0, "step %d failed", WEXITSTATUS(status));
}

Test(storage, a_full_disk_refuses_writes_with_KERR_STORAGE_and_keeps_what_was_written) {
  kdb *db = open_synced();
  int64_t rooms = count_rooms(db);
  /* From here no file may grow: every write past the end fails with EFBIG
  ** (SIGXFSZ ignored, as the server does), exactly like ENOSPC would. */
  signal(SIGXFSZ, SIG_IGN);
  struct rlimit rl = {.rlim_cur = 1, .rlim_max = RLIM_INFINITY};
  cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
  cr_assert_eq(db_exec(db, "CREATE TABLE scratch(x)"), DB_STORAGE);
  int failures = 0;
  for (int i = 0; i < 5; i++) failures += facilities_sync(db, rb) == KERR_STORAGE;
  cr_assert_eq(failures, 5, "a write succeeded on a full disk?");
  cr_assert_eq(count_rooms(db), rooms, "reads stopped working");
  /* the disk has room again: writes work again, nothing was lost */
  rl.rlim_cur = RLIM_INFINITY;
  cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
  cr_assert_eq(facilities_sync(db, rb), 0);
  cr_assert_eq(count_rooms(db), rooms);
  cr_assert(db_integrity_ok(db));
  db_close(db);
}
