/*
** tests/unit/test_backup.c: backups and restores (core/backup.c, and the
** store's db_backup/db_inspect/db_in_use under it).
**
** "backup" tests copy a database while another connection writes to it and
** check every copy: integrity_check, and an invariant that only a single
** consistent snapshot can satisfy. "restore" tests check every refusal and
** that what is replaced is kept. "archive" tests check that the archive of
** finished years (DB.archive) goes with its database into every backup and
** out of it on every restore. Each test works in its own temp folder.
*/
#include <criterion/criterion.h>

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../backend/core/audit.h"
#include "../../backend/core/backup.h"
#include "../../backend/core/keys.h"
#include "../../backend/core/permits.h"
#include "../../backend/store/archive.h"
#include "../../backend/store/db.h"

/* ============================================================ helpers */

static char dir[256];

static void mkdir_tmp(void) {
  snprintf(dir, sizeof dir, "/tmp/kominkan-unit-backup-XXXXXX");
  cr_assert_not_null(mkdtemp(dir));
}

static void rm_tmp(void) {
  DIR *d = opendir(dir);
  struct dirent *e;
  char p[600];
  while (d && (e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    struct stat sb;
    if (stat(p, &sb) == 0 && S_ISDIR(sb.st_mode)) {
      DIR *d2 = opendir(p);
      struct dirent *e2;
      char q[900];
      while (d2 && (e2 = readdir(d2)))
        if (e2->d_name[0] != '.') {
          snprintf(q, sizeof q, "%s/%s", p, e2->d_name);
          unlink(q);
        }
      if (d2) closedir(d2);
      rmdir(p);
    } else {
      unlink(p);
    }
  }
  if (d) closedir(d);
  rmdir(dir);
}

static char *path(const char *name) {
  static char buf[8][600];
  static int k;
  char *p = buf[k++ % 8];
  snprintf(p, 600, "%s/%s", dir, name);
  return p;
}

static kdb *open_db(const char *p) {
  char err[256];
  kdb *db = db_open(p, err, sizeof err);
  cr_assert_not_null(db, "db_open %s: %s", p, err);
  return db;
}

static int64_t scalar(kdb *db, const char *sql) {
  kstmt *st = db_prep(db, sql);
  cr_assert_not_null(st);
  cr_assert_eq(db_step(st), DB_ROW, "%s", sql);
  int64_t v = db_col_int(st, 0);
  db_reset(st);
  return v;
}

static int exists(const char *p) { return access(p, F_OK) == 0; }

static void write_file(const char *p, const char *text) {
  FILE *f = fopen(p, "w");
  cr_assert_not_null(f);
  fputs(text, f);
  fclose(f);
}

/* A kominkan database at P with a table of two accounts whose balances sum
** to 1000: any transfer keeps the sum, so only a torn copy could break it. */
static void make_ledger(const char *p) {
  kdb *db = open_db(p);
  cr_assert_eq(db_exec(db, "CREATE TABLE ledger(id INTEGER PRIMARY KEY, bal INTEGER NOT NULL);"
                           "INSERT INTO ledger VALUES (1, 1000), (2, 0);"
                           "CREATE TABLE journal(id INTEGER PRIMARY KEY, amount INTEGER);"),
               DB_OK);
  db_close(db);
}

/* Remove the database P and every file beside it that belongs to it. */
static void unlink_all(const char *p) {
  static const char *const side[] = {"", "-wal", "-shm", "-journal", ".archive",
                                     ".archive-journal", ".keys", ".lock"};
  char q[700];
  for (size_t i = 0; i < sizeof side / sizeof side[0]; i++) {
    snprintf(q, sizeof q, "%s%s", p, side[i]);
    unlink(q);
  }
}

/* The sum of the ledger's balances in the database P (make_ledger: 1000). */
static int64_t marker_of_ledger(const char *p) {
  kdb *db = open_db(p);
  int64_t v = scalar(db, "SELECT sum(bal) FROM ledger");
  db_close(db);
  return v;
}

/* Give the database P an archive (an empty move makes it, as `kominkan
** archive` would) holding the marker row V. */
static void make_archive(const char *p, int v) {
  char err[512];
  struct db_archive_moved n;
  kdb *db = open_db(p);
  cr_assert_eq(db_archive_move(db, "2020-04-01", 1585666800, &n, err, sizeof err), 0, "%s", err);
  cr_assert_eq(db_exec(db, "CREATE TABLE IF NOT EXISTS archive.marker(v INTEGER)"), DB_OK);
  kstmt *st = db_prep(db, "INSERT INTO archive.marker VALUES ($v)");
  db_bind_int(st, "$v", v);
  cr_assert_eq(db_exec_stmt(st), DB_OK);
  db_close(db);
}

/* The newest marker of the archive beside the database P (read through P,
** which attaches it). */
static int64_t archive_marker_of(const char *p) {
  char a[700];
  snprintf(a, sizeof a, "%s.archive", p);
  cr_assert(exists(a), "%s is missing", a);
  kdb *db = open_db(p);
  int64_t v = scalar(db, "SELECT max(v) FROM archive.marker");
  db_close(db);
  return v;
}

static ino_t inode_of(const char *p) {
  struct stat sb;
  cr_assert_eq(stat(p, &sb), 0, "%s is missing", p);
  return sb.st_ino;
}

struct writer {
  const char *path;
  atomic_int stop;
  atomic_int commits;
};

/* Transfers between the two accounts, each logged in journal, as fast as it
** can, until told to stop. */
static void *writer_main(void *arg) {
  struct writer *w = arg;
  kdb *db = open_db(w->path);
  for (int i = 1; !atomic_load(&w->stop); i++) {
    int amount = i % 7 + 1;
    if (db_begin_write(db) != DB_OK) continue;
    kstmt *st = db_prep(db, "UPDATE ledger SET bal = bal - $a WHERE id = 1");
    db_bind_int(st, "$a", amount);
    int rc = db_exec_stmt(st);
    st = db_prep(db, "UPDATE ledger SET bal = bal + $a WHERE id = 2");
    db_bind_int(st, "$a", amount);
    if (rc == DB_OK) rc = db_exec_stmt(st);
    st = db_prep(db, "INSERT INTO journal(amount) VALUES ($a)");
    db_bind_int(st, "$a", amount);
    if (rc == DB_OK) rc = db_exec_stmt(st);
    if (rc == DB_OK && db_commit(db) == DB_OK) atomic_fetch_add(&w->commits, 1);
    else db_rollback(db);
  }
  db_close(db);
  return NULL;
}

/* ============================================================= backup */

TestSuite(backup, .init = mkdir_tmp, .fini = rm_tmp);

Test(backup, every_copy_is_one_consistent_snapshot_while_another_connection_writes) {
  make_ledger(path("live.db"));
  struct writer w = {.path = path("live.db")};
  pthread_t th;
  cr_assert_eq(pthread_create(&th, NULL, writer_main, &w), 0);
  while (atomic_load(&w.commits) < 20) usleep(1000);
  int64_t last_count = -1;
  for (int i = 0; i < 25; i++) {
    char to[64], err[512];
    snprintf(to, sizeof to, "copy-%d.db", i);
    cr_assert_eq(backup_take(path("live.db"), path(to), err, sizeof err), 0, "%s", err);
    cr_assert(!exists(path("copy-0.db.partial")));
    struct db_info info;
    cr_assert_eq(db_inspect(path(to), &info, err, sizeof err), 0, "%s", err);
    cr_assert(info.integrity_ok, "copy %d fails integrity_check", i);
    cr_assert_eq(info.application_id, DB_APPLICATION_ID);
    kdb *copy = open_db(path(to));
    cr_assert_eq(scalar(copy, "SELECT sum(bal) FROM ledger"), 1000, "copy %d is torn", i);
    /* the journal and the balances come from the same instant */
    cr_assert_eq(scalar(copy, "SELECT coalesce(sum(amount), 0) FROM journal"),
                 scalar(copy, "SELECT bal FROM ledger WHERE id = 2"), "copy %d is torn", i);
    int64_t count = scalar(copy, "SELECT count(*) FROM journal");
    cr_assert_geq(count, last_count, "a later copy went back in time");
    last_count = count;
    db_close(copy);
  }
  atomic_store(&w.stop, 1);
  pthread_join(th, NULL);
  cr_assert_gt(last_count, 0);
}

Test(backup, a_copy_is_one_file_readable_by_its_owner_only) {
  make_ledger(path("live.db"));
  char err[512];
  cr_assert_eq(backup_take(path("live.db"), path("b.db"), err, sizeof err), 0, "%s", err);
  cr_assert(!exists(path("b.db-wal")) && !exists(path("b.db-shm")) &&
            !exists(path("b.db-journal")));
  struct stat sb;
  cr_assert_eq(stat(path("b.db"), &sb), 0);
  cr_assert_eq(sb.st_mode & 0777, 0600);
}

Test(backup, a_failed_backup_leaves_the_older_good_copy_alone) {
  make_ledger(path("live.db"));
  char err[512];
  cr_assert_eq(backup_take(path("live.db"), path("b.db"), err, sizeof err), 0, "%s", err);
  /* the source is not a database: the copy fails, b.db stays as it was */
  write_file(path("junk.db"), "this is not a database, and it is long enough to have a header");
  cr_assert_neq(backup_take(path("junk.db"), path("b.db"), err, sizeof err), 0);
  struct db_info info;
  cr_assert_eq(db_inspect(path("b.db"), &info, err, sizeof err), 0);
  cr_assert(info.integrity_ok && info.core_tables);
  cr_assert(!exists(path("b.db.partial")));
}

Test(backup, inspect_tells_foreign_damaged_and_legacy_files_apart) {
  char err[512];
  struct db_info info;
  write_file(path("text.db"), "hello, this is a plain text file and not SQLite at all....");
  cr_assert_eq(db_inspect(path("text.db"), &info, err, sizeof err), 0);
  cr_assert(!info.is_sqlite);
  /* created before migration 006: no mark, but the core tables */
  char e2[256];
  kdb *old = db_open_upto(path("old.db"), 3, e2, sizeof e2);
  cr_assert_not_null(old, "%s", e2);
  db_close(old);
  cr_assert_eq(db_inspect(path("old.db"), &info, err, sizeof err), 0);
  cr_assert(info.is_sqlite && info.integrity_ok && info.core_tables);
  cr_assert_eq(info.application_id, 0);
  cr_assert_eq(info.user_version, 3);
  /* upgraded in place, it gets the mark */
  db_close(open_db(path("old.db")));
  cr_assert_eq(db_inspect(path("old.db"), &info, err, sizeof err), 0);
  cr_assert_eq(info.application_id, DB_APPLICATION_ID);
  cr_assert_eq(info.user_version, db_schema_latest());
}

/* ============================================================ restore */

TestSuite(restore, .init = mkdir_tmp, .fini = rm_tmp);

/* A backup of a fresh kominkan database with one marker row, at P; with an
** archive holding the marker row ARCHIVED beside it unless that is 0. */
static void make_backup_archived(const char *p, int marker, int archived) {
  char err[512];
  kdb *db = open_db(path("src.db"));
  db_exec(db, "CREATE TABLE IF NOT EXISTS marker(v INTEGER)");
  kstmt *st = db_prep(db, "INSERT INTO marker VALUES ($v)");
  db_bind_int(st, "$v", marker);
  cr_assert_eq(db_exec_stmt(st), DB_OK);
  db_close(db);
  if (archived) make_archive(path("src.db"), archived);
  cr_assert_eq(backup_take(path("src.db"), p, err, sizeof err), 0, "%s", err);
  unlink_all(path("src.db"));
}

static void make_backup(const char *p, int marker) { make_backup_archived(p, marker, 0); }

static int64_t marker_of(const char *p) {
  kdb *db = open_db(p);
  int64_t v = scalar(db, "SELECT max(v) FROM marker");
  db_close(db);
  return v;
}

Test(restore, replaces_the_database_and_keeps_the_old_one_aside) {
  make_backup(path("b.db"), 7);
  make_backup(path("live.db"), 1);
  char err[512];
  struct backup_restored out;
  cr_assert_eq(backup_restore(path("b.db"), path("live.db"), &out, err,
                              sizeof err),
               0, "%s", err);
  cr_assert_eq(marker_of(path("live.db")), 7);
  cr_assert(strstr(out.aside, "live.db.replaced-"), "aside: %s", out.aside);
  cr_assert_eq(marker_of(out.aside), 1);
  cr_assert(!exists(path("live.db.restore-partial")));
}

Test(restore, onto_no_database_at_all) {
  make_backup(path("b.db"), 3);
  char err[512];
  struct backup_restored out;
  cr_assert_eq(backup_restore(path("b.db"), path("new.db"), &out, err,
                              sizeof err),
               0, "%s", err);
  cr_assert_str_eq(out.aside, "");
  cr_assert_eq(marker_of(path("new.db")), 3);
}

Test(restore, keeps_the_committed_wal_of_the_replaced_database_with_it) {
  /* A server killed with work still in its -wal: copy the live files while a
  ** connection holds them, as a crash would leave them. */
  make_backup(path("b.db"), 5);
  kdb *db = open_db(path("x.db"));
  db_exec(db, "PRAGMA wal_autocheckpoint=0; CREATE TABLE marker(v INTEGER);"
              "INSERT INTO marker VALUES (42);");
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "cp %s %s && cp %s-wal %s-wal", path("x.db"), path("live.db"),
           path("x.db"), path("live.db"));
  cr_assert_eq(system(cmd), 0);
  db_close(db);
  write_file(path("live.db-shm"), "stale");
  char err[512];
  struct backup_restored out;
  cr_assert_eq(backup_restore(path("b.db"), path("live.db"), &out, err,
                              sizeof err),
               0, "%s", err);
  cr_assert(!exists(path("live.db-wal")) && !exists(path("live.db-shm")));
  cr_assert_eq(marker_of(path("live.db")), 5);
  cr_assert_eq(marker_of(out.aside), 42, "the set-aside copy lost its -wal");
}

static void refused(const char *from, const char *why) {
  make_backup(path("live.db"), 1);
  char err[512];
  struct backup_restored out;
  struct stat before, after;
  cr_assert_eq(stat(path("live.db"), &before), 0);
  cr_assert_neq(backup_restore(from, path("live.db"), &out, err, sizeof err), 0,
                "restored %s", from);
  cr_assert(strstr(err, why), "message \"%s\" does not say \"%s\"", err, why);
  cr_assert_eq(stat(path("live.db"), &after), 0);
  cr_assert_eq(before.st_ino, after.st_ino, "the database was replaced");
  cr_assert_eq(marker_of(path("live.db")), 1);
  cr_assert(!exists(path("live.db.restore-partial")));
  DIR *d = opendir(dir);
  struct dirent *e;
  while ((e = readdir(d))) cr_assert(!strstr(e->d_name, ".replaced-"), "%s", e->d_name);
  closedir(d);
}

Test(restore, refuses_a_file_that_is_not_a_database) {
  write_file(path("text.db"), "SQLite format 2? no. Just text that goes on for a while....");
  refused(path("text.db"), "not a database");
}

Test(restore, refuses_a_foreign_sqlite_database) {
  /* an SQLite file of another program: no mark, none of our tables */
  kdb *db = open_db(path("f.db"));
  db_close(db);
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "sqlite3 %s 'CREATE TABLE t(x)' 2>/dev/null", path("g.db"));
  if (system(cmd) != 0) { /* no sqlite3 shell: make one through our own store */
    kdb *g = db_open_upto(path("g.db"), 0, cmd, sizeof cmd);
    cr_assert_not_null(g);
    db_exec(g, "CREATE TABLE t(x)");
    db_close(g);
  }
  refused(path("g.db"), "not a kominkan database");
}

Test(restore, refuses_a_database_with_another_application_id) {
  make_backup(path("b.db"), 2);
  kdb *db = open_db(path("b.db"));
  db_exec(db, "PRAGMA application_id = 12345");
  db_close(db);
  refused(path("b.db"), "not a kominkan database");
}

Test(restore, refuses_a_schema_newer_than_this_program) {
  make_backup(path("b.db"), 2);
  kdb *db = open_db(path("b.db"));
  db_exec(db, "PRAGMA user_version = 999");
  db_close(db);
  refused(path("b.db"), "newer kominkan");
}

Test(restore, refuses_a_damaged_backup) {
  make_backup(path("b.db"), 2);
  /* scribble over the page header of the second page (a table root) */
  int fd = open(path("b.db"), O_WRONLY);
  cr_assert_geq(fd, 0);
  char junk[3000];
  for (size_t i = 0; i < sizeof junk; i++) junk[i] = (char)(i * 131 + 7);
  cr_assert_eq(pwrite(fd, junk, sizeof junk, 4096), (ssize_t)sizeof junk);
  close(fd);
  refused(path("b.db"), "damaged");
}

Test(restore, refuses_a_truncated_backup) {
  make_backup(path("b.db"), 2);
  struct stat sb;
  cr_assert_eq(stat(path("b.db"), &sb), 0);
  cr_assert_eq(truncate(path("b.db"), sb.st_size / 2), 0);
  refused(path("b.db"), "damaged");
}

Test(restore, refuses_the_database_itself) {
  make_backup(path("live.db"), 1);
  char err[512];
  struct backup_restored out;
  cr_assert_neq(backup_restore(path("live.db"), path("live.db"), &out, err,
                               sizeof err),
                0);
  cr_assert(strstr(err, "the database itself"), "%s", err);
}

Test(restore, refuses_while_a_server_holds_the_lock) {
  make_backup(path("b.db"), 2);
  make_backup(path("live.db"), 1);
  char err[512];
  struct backup_restored out;
  int server = backup_lock(path("live.db"), 0, err, sizeof err);
  cr_assert_geq(server, 0, "%s", err);
  cr_assert_neq(backup_restore(path("b.db"), path("live.db"), &out, err,
                               sizeof err),
                0);
  cr_assert(strstr(err, "server is using"), "%s", err);
  backup_unlock(server);
  cr_assert_eq(marker_of(path("live.db")), 1);
}

Test(restore, refuses_while_another_connection_has_the_database_open) {
  make_backup(path("b.db"), 2);
  make_backup(path("live.db"), 1);
  kdb *shell = open_db(path("live.db")); /* idle, no transaction: still seen */
  char err[512];
  struct backup_restored out;
  cr_assert_neq(backup_restore(path("b.db"), path("live.db"), &out, err,
                               sizeof err),
                0);
  cr_assert(strstr(err, "open in another program"), "%s", err);
  db_close(shell);
  cr_assert_eq(backup_restore(path("b.db"), path("live.db"), &out, err,
                              sizeof err),
               0, "%s", err);
}

Test(restore, accepts_a_backup_from_before_the_mark_and_upgrades_it_on_open) {
  char e2[256], err[512];
  struct backup_restored out;
  kdb *old = db_open_upto(path("old.db"), 3, e2, sizeof e2);
  cr_assert_not_null(old, "%s", e2);
  db_close(old);
  cr_assert_eq(backup_restore(path("old.db"), path("live.db"), &out, err,
                              sizeof err),
               0, "%s", err);
  kdb *db = open_db(path("live.db"));
  cr_assert_eq(db_schema_version(db), db_schema_latest());
  db_close(db);
}

/* =============================================================== lock */

TestSuite(dblock, .init = mkdir_tmp, .fini = rm_tmp);

Test(dblock, servers_share_it_and_a_restore_excludes_them) {
  char err[512];
  int a = backup_lock(path("k.db"), 0, err, sizeof err);
  int b = backup_lock(path("k.db"), 0, err, sizeof err);
  cr_assert(a >= 0 && b >= 0, "two servers may share a database: %s", err);
  cr_assert_lt(backup_lock(path("k.db"), 1, err, sizeof err), 0);
  backup_unlock(a);
  backup_unlock(b);
  int r = backup_lock(path("k.db"), 1, err, sizeof err);
  cr_assert_geq(r, 0, "%s", err);
  cr_assert_lt(backup_lock(path("k.db"), 0, err, sizeof err), 0);
  cr_assert(strstr(err, "restore"), "%s", err);
  backup_unlock(r);
  backup_unlock(-1);
}

Test(dblock, the_service_user_can_take_a_lock_file_root_made) {
  char err[512];
  if (geteuid() != 0) return; /* only root can make a file for someone else */
  int r = backup_lock(path("k.db"), 1, err, sizeof err); /* sudo kominkan restore */
  cr_assert_geq(r, 0, "%s", err);
  backup_unlock(r);
  cr_assert_eq(chmod(dir, 0755), 0);
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(3);
    int fd = backup_lock(path("k.db"), 0, err, sizeof err); /* the server, as nobody */
    if (fd < 0) fprintf(stderr, "%s\n", err);
    _exit(fd >= 0 ? 0 : 1);
  }
  int status = 0;
  cr_assert_eq(waitpid(pid, &status, 0), pid);
  cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the server could not take the lock");
}

Test(dblock, a_restore_onto_a_new_machine_gives_the_file_to_the_folder_owner) {
  if (geteuid() != 0) return;
  char err[512];
  struct backup_restored out;
  make_backup(path("b.db"), 4);
  cr_assert_eq(mkdir(path("svc"), 0700), 0);
  cr_assert_eq(chown(path("svc"), 65534, 65534), 0);
  cr_assert_eq(backup_restore(path("b.db"), path("svc/k.db"), &out, err, sizeof err),
               0, "%s", err);
  struct stat sb;
  cr_assert_eq(stat(path("svc/k.db"), &sb), 0);
  cr_assert_eq(sb.st_uid, 65534);
  cr_assert_eq(sb.st_mode & 0777, 0600);
  unlink(path("svc/k.db"));
  unlink(path("svc/k.db.lock"));
  rmdir(path("svc"));
}

/* ===================================================== issue 12: files */

/* P exists and is readable and writable by its owner only. */
static void assert_private(const char *p) {
  struct stat sb;
  cr_assert_eq(stat(p, &sb), 0, "%s is missing", p);
  cr_assert_eq(sb.st_mode & 0777, 0600, "%s: mode %o", p, (unsigned)(sb.st_mode & 0777));
}

/* RULE: a backup holds personal data: readable by its owner only from its
** first byte (the ".partial" while it is written is db_backup's DEST), even
** under a careless umask. */
Test(restore, a_backup_is_private_while_it_is_written) {
  char err[512];
  kdb *db = open_db(path("src.db"));
  db_close(db);
  mode_t old = umask(0);
  int rc = db_backup(path("src.db"), path("copy.db.partial"), err, sizeof err);
  umask(old);
  cr_assert_eq(rc, 0, "%s", err);
  assert_private(path("copy.db.partial"));
  assert_private(path("src.db")); /* a new database is private too */
}

/* RULE: `backup --to` the live database, or its -wal/-shm, however spelt, is
** refused and changes nothing (it would corrupt the database). */
Test(restore, a_backup_onto_the_live_database_is_refused_however_it_is_spelt) {
  char err[512], rel[700], dotted[700];
  make_backup(path("live.db"), 5);
  kdb *db = open_db(path("live.db")); /* WAL mode: -wal and -shm exist while open */
  cr_assert_eq(db_exec(db, "INSERT INTO marker VALUES (6)"), DB_OK);
  cr_assert_eq(symlink(path("live.db"), path("link.db")), 0);
  cr_assert_eq(link(path("live.db"), path("hard.db")), 0);
  snprintf(dotted, sizeof dotted, "%s/./../%s/live.db", dir, strrchr(dir, '/') + 1);
  snprintf(rel, sizeof rel, "%s", path("live.db-wal"));
  const char *targets[] = {path("live.db"), dotted, path("link.db"), path("hard.db"), rel,
                           path("live.db-shm")};
  for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
    err[0] = 0;
    cr_assert_neq(backup_take(path("live.db"), targets[i], err, sizeof err), 0, "%s",
                  targets[i]);
    cr_assert(strstr(err, "the database"), "%s", err);
  }
  /* relative to the working folder, with the database named relatively too */
  char cwd[512];
  cr_assert_not_null(getcwd(cwd, sizeof cwd));
  cr_assert_eq(chdir(dir), 0);
  int r1 = backup_take("live.db", "./live.db", err, sizeof err);
  int r2 = backup_take("./live.db", "live.db-wal", err, sizeof err);
  cr_assert_eq(chdir(cwd), 0);
  cr_assert_neq(r1, 0);
  cr_assert_neq(r2, 0);
  cr_assert_eq(scalar(db, "SELECT max(v) FROM marker"), 6);
  db_close(db);
  cr_assert_eq(marker_of(path("live.db")), 6, "the database is whole");
  cr_assert_eq(backup_take(path("live.db"), path("fine.db"), err, sizeof err), 0, "%s", err);
}

/* RULE: a restored database is private whatever the mode of the file it
** replaces; a restore ends every session (a sign-out must not come back). */
Test(restore, the_restored_file_is_private_and_every_session_ends) {
  char err[512];
  struct backup_restored out;
  kdb *db = open_db(path("src.db"));
  cr_assert_eq(db_exec(db, "INSERT INTO accounts(id, role, name, password_hash, created_at)"
                           " VALUES (100000017, 'citizen', 'x', 'h', 0)"), DB_OK);
  cr_assert_eq(db_exec(db, "INSERT INTO sessions VALUES (x'01', 100000017, 'c', 0, 0, 9999999999)"),
               DB_OK);
  db_close(db);
  cr_assert_eq(backup_take(path("src.db"), path("b.db"), err, sizeof err), 0, "%s", err);
  make_backup(path("live.db"), 1);
  cr_assert_eq(chmod(path("live.db"), 0644), 0);
  cr_assert_eq(backup_restore(path("b.db"), path("live.db"), &out, err, sizeof err),
               0, "%s", err);
  assert_private(path("live.db"));
  db = open_db(path("live.db"));
  cr_assert_eq(scalar(db, "SELECT count(*) FROM sessions"), 0);
  cr_assert_eq(scalar(db, "SELECT count(*) FROM accounts"), 1, "everything else restored");
  db_close(db);
  db = open_db(path("b.db"));
  cr_assert_eq(scalar(db, "SELECT count(*) FROM sessions"), 1, "the backup itself is untouched");
  db_close(db);
}

/* ============================================================ archive */

/* The archive of finished years (store/archive.h) travels with its database:
** backup_take() copies DB.archive to TO.archive, backup_restore() brings
** FROM.archive back, backup_prune() deletes a generation with its archive. */
TestSuite(archive, .init = mkdir_tmp, .fini = rm_tmp);

Test(archive, goes_into_the_backup_as_its_own_checked_private_file) {
  char err[512];
  make_ledger(path("live.db"));
  make_archive(path("live.db"), 7);
  mode_t old = umask(0);
  int rc = backup_take(path("live.db"), path("b.db"), err, sizeof err);
  umask(old);
  cr_assert_eq(rc, 0, "%s", err);
  assert_private(path("b.db.archive"));
  cr_assert(!exists(path("b.db.archive.partial")) && !exists(path("b.db.archive-journal")));
  struct db_info info;
  cr_assert_eq(db_inspect(path("b.db.archive"), &info, err, sizeof err), 0, "%s", err);
  cr_assert(info.integrity_ok && info.archive_tables);
  cr_assert_eq(archive_marker_of(path("b.db")), 7);
  cr_assert_eq(marker_of_ledger(path("b.db")), 1000);
}

Test(archive, a_backup_without_one_removes_the_older_backups_archive) {
  char err[512];
  make_ledger(path("live.db"));
  make_archive(path("live.db"), 7);
  cr_assert_eq(backup_take(path("live.db"), path("b.db"), err, sizeof err), 0, "%s", err);
  cr_assert(exists(path("b.db.archive")));
  /* the archive leaves (a restore of an older backup set it aside) */
  cr_assert_eq(rename(path("live.db.archive"), path("elsewhere")), 0);
  cr_assert_eq(backup_take(path("live.db"), path("b.db"), err, sizeof err), 0, "%s", err);
  cr_assert(!exists(path("b.db.archive")), "b.db is paired with an archive it did not have");
  cr_assert(!exists(path("b.db.archive.partial")));
}

/* RULE: a backup whose archive cannot be copied is no backup: it fails, and
** the older good pair (TO, TO.archive) is left as it was. */
Test(archive, a_failed_archive_copy_fails_the_backup_and_leaves_the_older_pair_alone) {
  char err[512];
  make_ledger(path("live.db"));
  make_archive(path("live.db"), 7);
  cr_assert_eq(backup_take(path("live.db"), path("b.db"), err, sizeof err), 0, "%s", err);
  ino_t db_ino = inode_of(path("b.db")), ar_ino = inode_of(path("b.db.archive"));
  write_file(path("live.db.archive"), "the archive's disk sector went bad: this is not SQLite....");
  err[0] = 0;
  cr_assert_neq(backup_take(path("live.db"), path("b.db"), err, sizeof err), 0,
                "a backup without its archive was reported good");
  cr_assert(strstr(err, "live.db.archive"), "%s", err);
  cr_assert_eq(inode_of(path("b.db")), db_ino, "the older backup was replaced");
  cr_assert_eq(inode_of(path("b.db.archive")), ar_ino, "the older archive was replaced");
  cr_assert_eq(archive_marker_of(path("b.db")), 7);
  cr_assert(!exists(path("b.db.partial")) && !exists(path("b.db.archive.partial")));
}

Test(archive, a_backup_onto_the_live_archive_is_refused) {
  char err[512];
  make_ledger(path("live.db"));
  make_archive(path("live.db"), 7);
  cr_assert_eq(symlink(path("live.db.archive"), path("link.db")), 0);
  /* TO itself, TO through a link, and a TO whose TO.archive is the live database */
  const char *targets[] = {path("live.db.archive"), path("link.db")};
  for (size_t i = 0; i < 2; i++) {
    err[0] = 0;
    cr_assert_neq(backup_take(path("live.db"), targets[i], err, sizeof err), 0, "%s", targets[i]);
    cr_assert(strstr(err, "the database"), "%s", err);
  }
  make_ledger(path("x.archive"));
  cr_assert_neq(backup_take(path("x.archive"), path("x"), err, sizeof err), 0);
  cr_assert_eq(archive_marker_of(path("live.db")), 7, "the archive is whole");
  cr_assert_eq(marker_of_ledger(path("x.archive")), 1000, "the database is whole");
}

Test(archive, a_restore_brings_it_back_and_keeps_the_replaced_one_aside) {
  char err[512], a[1100];
  struct backup_restored out;
  make_backup_archived(path("b.db"), 2, 20);
  make_backup_archived(path("live.db"), 1, 10);
  cr_assert_eq(backup_restore(path("b.db"), path("live.db"), &out, err, sizeof err), 0, "%s", err);
  cr_assert_eq(out.archive, 1);
  cr_assert_eq(marker_of(path("live.db")), 2);
  cr_assert_eq(archive_marker_of(path("live.db")), 20);
  assert_private(path("live.db.archive"));
  snprintf(a, sizeof a, "%s.archive", out.aside);
  cr_assert_str_eq(out.archive_aside, a);
  cr_assert_eq(marker_of(out.aside), 1);
  cr_assert_eq(archive_marker_of(out.aside), 10, "the replaced archive is kept with its database");
  cr_assert(!exists(path("live.db.archive.restore-partial")));
  cr_assert_eq(archive_marker_of(path("b.db")), 20, "the backup itself is untouched");
}

Test(archive, a_restore_onto_no_database_at_all_brings_the_archive_too) {
  char err[512];
  struct backup_restored out;
  make_backup_archived(path("b.db"), 2, 20);
  cr_assert_eq(backup_restore(path("b.db"), path("new.db"), &out, err, sizeof err), 0, "%s", err);
  cr_assert_eq(out.archive, 1);
  cr_assert_str_eq(out.aside, "");
  cr_assert_str_eq(out.archive_aside, "");
  cr_assert_eq(archive_marker_of(path("new.db")), 20);
}

/* RULE: a restored database is never read with an archive newer than itself:
** a backup without one moves the database's archive aside. */
Test(archive, a_backup_without_one_moves_the_newer_archive_aside) {
  char err[512];
  struct backup_restored out;
  make_backup_archived(path("b.db"), 2, 0);
  make_backup_archived(path("live.db"), 1, 10);
  cr_assert_eq(backup_restore(path("b.db"), path("live.db"), &out, err, sizeof err), 0, "%s", err);
  cr_assert_eq(out.archive, 0);
  cr_assert(!exists(path("live.db.archive")), "the restored database kept a newer archive");
  cr_assert(out.archive_aside[0]);
  cr_assert_eq(archive_marker_of(out.aside), 10);
  cr_assert_eq(marker_of(path("live.db")), 2);
}

/* Restoring from B (with its archive spoiled by SPOIL) is refused with WHY,
** and the database and its archive stay exactly as they were. */
static void archive_refused(void (*spoil)(const char *), const char *why) {
  char err[512];
  struct backup_restored out;
  make_backup_archived(path("b.db"), 2, 20);
  make_backup_archived(path("live.db"), 1, 10);
  spoil(path("b.db.archive"));
  ino_t db_ino = inode_of(path("live.db")), ar_ino = inode_of(path("live.db.archive"));
  cr_assert_neq(backup_restore(path("b.db"), path("live.db"), &out, err, sizeof err), 0);
  cr_assert(strstr(err, why) && strstr(err, "b.db.archive"), "message \"%s\" does not say \"%s\"",
            err, why);
  cr_assert_eq(inode_of(path("live.db")), db_ino);
  cr_assert_eq(inode_of(path("live.db.archive")), ar_ino);
  cr_assert_eq(marker_of(path("live.db")), 1);
  cr_assert_eq(archive_marker_of(path("live.db")), 10);
  DIR *d = opendir(dir);
  struct dirent *e;
  while ((e = readdir(d)))
    cr_assert(!strstr(e->d_name, ".replaced-") && !strstr(e->d_name, "restore-partial"), "%s",
              e->d_name);
  closedir(d);
}

static void spoil_text(const char *p) {
  write_file(p, "not an archive, not a database, just text that goes on for a while.....");
}

static void spoil_foreign(const char *p) { /* a kominkan database, not an archive */
  unlink(p);
  make_ledger(p);
}

static void spoil_damage(const char *p) {
  struct stat sb;
  cr_assert_eq(stat(p, &sb), 0);
  cr_assert_eq(truncate(p, sb.st_size / 2), 0);
}

Test(archive, a_restore_refuses_an_archive_that_is_not_one) { archive_refused(spoil_text, "not a database"); }
Test(archive, a_restore_refuses_a_database_named_as_an_archive) {
  archive_refused(spoil_foreign, "not a kominkan archive");
}
Test(archive, a_restore_refuses_a_damaged_archive) { archive_refused(spoil_damage, "damaged"); }

Test(archive, prune_deletes_a_generation_with_its_archive) {
  const char *gens[] = {"kominkan-20260401-090000.db", "kominkan-20260402-090000.db",
                        "kominkan-20260403-090000.db", "kominkan-20260404-090000.db"};
  char p[700];
  for (size_t i = 0; i < 4; i++) {
    write_file(path(gens[i]), "x");
    snprintf(p, sizeof p, "%s.archive", path(gens[i]));
    write_file(p, "a");
  }
  /* an archive whose database never got its name, older and newer than those kept */
  write_file(path("kominkan-20260401-100000.db.archive"), "orphan");
  write_file(path("kominkan-20260405-000000.db.archive"), "in the making");
  write_file(path("kominkan-20260405-000000.db.archive.partial"), "half");
  write_file(path("kominkan-20260401-090000.db.archive.keep"), "renamed by hand");
  char err[512];
  cr_assert_eq(backup_prune(dir, 2, err, sizeof err), 6, "%s", err);
  for (size_t i = 0; i < 4; i++) {
    snprintf(p, sizeof p, "%s.archive", path(gens[i]));
    cr_assert_eq(exists(path(gens[i])), i >= 2, "%s", gens[i]);
    cr_assert_eq(exists(p), i >= 2, "%s", p);
  }
  cr_assert(!exists(path("kominkan-20260401-100000.db.archive")));
  cr_assert(exists(path("kominkan-20260405-000000.db.archive")));
  cr_assert(!exists(path("kominkan-20260405-000000.db.archive.partial")));
  cr_assert(exists(path("kominkan-20260401-090000.db.archive.keep")));
}

/* ====================================================== issue 12: keys */

/* The server keys live in a 0600 key file beside the database, never in it
** (core/keys.c). Each test has a database file in its own temp folder (an
** in-memory database keeps its keys in its own table: other tests cover it). */
TestSuite(keys, .init = mkdir_tmp, .fini = rm_tmp);

/* The whole file P, malloc'd, its length in *N. */
static unsigned char *slurp(const char *p, size_t *n) {
  FILE *f = fopen(p, "rb");
  cr_assert_not_null(f, "%s", p);
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *b = malloc((size_t)len + 1);
  *n = fread(b, 1, (size_t)len, f);
  fclose(f);
  return b;
}

static int contains(const unsigned char *hay, size_t n, const unsigned char *needle, size_t m) {
  return memmem(hay, n, needle, m) != NULL;
}

static void put_key(kdb *db, const char *name, const void *v, size_t n) {
  kstmt *st = db_prep(db, "INSERT OR REPLACE INTO server_keys(name, value) VALUES ($n, $v)");
  db_bind_text(st, "$n", name);
  db_bind_blob(st, "$v", v, n);
  cr_assert_eq(db_exec_stmt(st), DB_OK);
}

/* RULE: the key file is made 0600 on the first start, whatever the umask;
** the database holds no key, only a fingerprint; later loads give the same keys. */
Test(keys, are_made_in_a_private_file_beside_the_database) {
  mode_t old = umask(0);
  kdb *db = open_db(path("k.db"));
  struct kkeys a, b;
  cr_assert_eq(permits_init(db), 0);
  umask(old);
  cr_assert_eq(keys_get(db, &a), 0);
  assert_private(path("k.db.keys"));
  assert_private(path("k.db"));
  cr_assert_eq(scalar(db, "SELECT count(*) FROM server_keys WHERE name IN"
                          " ('permit_ed25519', 'pseudonym_key')"), 0);
  cr_assert_eq(scalar(db, "SELECT count(*) FROM server_keys WHERE name = 'keys_fingerprint'"), 1);
  db_close(db);
  db = open_db(path("k.db"));
  cr_assert_eq(keys_get(db, &b), 0);
  cr_assert_eq(memcmp(&a, &b, sizeof a), 0, "the same keys after a restart");
  db_close(db);
}

/* RULE: a backup (and so any copy of the data) holds no key byte. */
Test(keys, a_backup_holds_no_key) {
  char err[512], pseudo[33];
  kdb *db = open_db(path("k.db"));
  struct kkeys k;
  cr_assert_eq(permits_init(db), 0);
  cr_assert_eq(audit_pseudonym(db, AUDIT_ACCOUNT, 100000017, pseudo), 0);
  cr_assert_eq(keys_get(db, &k), 0);
  db_close(db);
  cr_assert_eq(backup_take(path("k.db"), path("b.db"), err, sizeof err), 0, "%s", err);
  size_t n;
  unsigned char *b = slurp(path("b.db"), &n);
  cr_assert(n > 0);
  /* any 8 bytes of either key would do: look for each quarter of them */
  for (size_t off = 0; off + 8 <= sizeof k.permit; off += 8)
    cr_assert_not(contains(b, n, k.permit + off, 8), "permit key bytes at %zu", off);
  for (size_t off = 0; off + 8 <= sizeof k.pseudonym; off += 8)
    cr_assert_not(contains(b, n, k.pseudonym + off, 8), "pseudonym key bytes at %zu", off);
  free(b);
}

/* RULE: on upgrade the keys leave the database for the key file, unchanged
** (permits issued before stay valid, pseudonyms stay the same). */
Test(keys, an_older_database_has_its_keys_moved_out) {
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES], ps[32];
  crypto_sign_keypair(pk, sk);
  randombytes_buf(ps, sizeof ps);
  kdb *db = open_db(path("old.db"));
  put_key(db, "permit_ed25519", sk, sizeof sk);
  put_key(db, "pseudonym_key", ps, sizeof ps);
  struct kkeys k;
  cr_assert_eq(permits_init(db), 0);
  cr_assert_eq(keys_get(db, &k), 0);
  cr_assert_eq(memcmp(k.permit, sk, sizeof sk), 0);
  cr_assert_eq(memcmp(k.pseudonym, ps, sizeof ps), 0);
  cr_assert_eq(scalar(db, "SELECT count(*) FROM server_keys WHERE name IN"
                          " ('permit_ed25519', 'pseudonym_key')"), 0);
  db_close(db);
  cr_assert_eq(access(path("old.db.keys"), F_OK), 0);
}

/* RULE: a missing key file, or one of another database, is refused: new keys
** would silently break every permit issued. */
Test(keys, a_missing_or_foreign_key_file_is_refused) {
  kdb *a = open_db(path("a.db")), *b = open_db(path("b.db"));
  struct kkeys k;
  cr_assert_eq(permits_init(a), 0);
  cr_assert_eq(permits_init(b), 0);
  db_close(a);
  db_close(b);
  cr_assert_eq(rename(path("a.db.keys"), path("spare.keys")), 0);
  a = open_db(path("a.db"));
  cr_assert_neq(keys_get(a, &k), 0, "a missing key file");
  cr_assert_eq(access(path("a.db.keys"), F_OK), -1, "and none made in its place");
  cr_assert_eq(link(path("b.db.keys"), path("a.db.keys")), 0);
  cr_assert_neq(keys_get(a, &k), 0, "the key file of another database");
  unlink(path("a.db.keys"));
  cr_assert_eq(rename(path("spare.keys"), path("a.db.keys")), 0);
  cr_assert_eq(keys_get(a, &k), 0, "its own, put back");
  db_close(a);
}

/* RULE: `kominkan backup --keys-to` copies the key file, private. */
Test(keys, the_key_file_is_copied_private_and_never_over_a_file) {
  char err[512];
  kdb *db = open_db(path("k.db"));
  cr_assert_eq(permits_init(db), 0);
  db_close(db);
  mode_t old = umask(0);
  int rc = keys_copy(path("k.db"), path("copy.keys"), err, sizeof err);
  umask(old);
  cr_assert_eq(rc, 0, "%s", err);
  assert_private(path("copy.keys"));
  size_t n1, n2;
  unsigned char *x = slurp(path("k.db.keys"), &n1), *y = slurp(path("copy.keys"), &n2);
  cr_assert(n1 == n2 && !memcmp(x, y, n1));
  free(x);
  free(y);
  cr_assert_neq(keys_copy(path("k.db"), path("copy.keys"), err, sizeof err), 0);
}

/* ============================================================== prune */

TestSuite(prune, .init = mkdir_tmp, .fini = rm_tmp);

Test(prune, keeps_the_newest_generations_and_nothing_else_is_touched) {
  const char *names[] = {"kominkan-20260401-090000.db", "kominkan-20260402-090000.db",
                         "kominkan-20260403-090000.db", "kominkan-20260403-100000.db",
                         "kominkan-20260404-000000.db"};
  for (size_t i = 0; i < 5; i++) write_file(path(names[i]), "x");
  write_file(path("kominkan-20260405-000000.db.partial"), "half");
  write_file(path("notes.txt"), "mine");
  write_file(path("kominkan-manual.db"), "a copy someone made by hand");
  write_file(path("kominkan-20260401-090000.db.keep"), "renamed by hand");
  char err[512];
  cr_assert_eq(backup_prune(dir, 2, err, sizeof err), 4, "%s", err);
  cr_assert(!exists(path(names[0])) && !exists(path(names[1])) && !exists(path(names[2])));
  cr_assert(exists(path(names[3])) && exists(path(names[4])));
  cr_assert(!exists(path("kominkan-20260405-000000.db.partial")));
  cr_assert(exists(path("notes.txt")) && exists(path("kominkan-manual.db")) &&
            exists(path("kominkan-20260401-090000.db.keep")));
  cr_assert_eq(backup_prune(dir, 2, err, sizeof err), 0);
}

Test(prune, names_are_japan_time_and_sort_by_time) {
  char a[600], b[600];
  backup_generation_name(a, sizeof a, "/x", 1775606400); /* 2026-04-08T00:00:00Z */
  cr_assert_str_eq(a, "/x/kominkan-20260408-090000.db");
  backup_generation_name(b, sizeof b, "/x", 1775606400 + 15 * 3600);
  cr_assert_str_eq(b, "/x/kominkan-20260409-000000.db");
  cr_assert_lt(strcmp(a, b), 0);
}

/* =========================================================== schedule */

TestSuite(schedule, .init = mkdir_tmp, .fini = rm_tmp);

static pthread_mutex_t rep_mu = PTHREAD_MUTEX_INITIALIZER;
static char last_report[512];
static int nreports;

static void report(const char *why) {
  pthread_mutex_lock(&rep_mu);
  snprintf(last_report, sizeof last_report, "%s", why ? why : "");
  nreports++;
  pthread_mutex_unlock(&rep_mu);
}

static int count_generations(const char *d) {
  DIR *dd = opendir(d);
  struct dirent *e;
  int n = 0;
  while (dd && (e = readdir(dd)))
    if (!strncmp(e->d_name, "kominkan-", 9) && strstr(e->d_name, ".db") &&
        !strstr(e->d_name, "partial"))
      n++;
  if (dd) closedir(dd);
  return n;
}

/* Wait up to 10 s for the Nth report; its text into OUT. */
static int wait_report(int n, char *out, size_t len) {
  for (int i = 0; i < 1000; i++) {
    pthread_mutex_lock(&rep_mu);
    int have = nreports;
    snprintf(out, len, "%s", last_report);
    pthread_mutex_unlock(&rep_mu);
    if (have >= n) return 1;
    usleep(10000);
  }
  return 0;
}

Test(schedule, a_failure_is_reported_and_the_next_success_clears_it) {
  make_ledger(path("live.db"));
  char err[512], got[512];
  /* a folder that cannot be made: a file is in the way */
  write_file(path("bk"), "a file, not a folder");
  nreports = 0;
  struct backup_schedule *s =
      backup_schedule_start(path("live.db"), path("bk"), 0.02, 2, report, err, sizeof err);
  cr_assert_not_null(s, "%s", err);
  cr_assert(wait_report(1, got, sizeof got), "no failure reported");
  cr_assert(strstr(got, "定期バックアップに失敗しました"), "report: %s", got);
  cr_assert(!strstr(got, dir), "the public reason names a path: %s", got);
  /* the operator mounts the disk: the next run (1.2 s later) succeeds */
  unlink(path("bk"));
  mkdir(path("bk"), 0700);
  cr_assert(wait_report(2, got, sizeof got), "the success was not reported");
  cr_assert_str_eq(got, "", "the problem was not cleared");
  backup_schedule_stop(s);
  cr_assert_geq(count_generations(path("bk")), 1);
}

Test(schedule, takes_one_at_start_prunes_and_reports_nothing_when_all_is_well) {
  make_ledger(path("live.db"));
  char err[512];
  mkdir(path("bk"), 0700);
  const char *old[] = {"kominkan-20000101-000000.db", "kominkan-20000102-000000.db",
                       "kominkan-20000103-000000.db"};
  for (int i = 0; i < 3; i++) {
    char p[700];
    snprintf(p, sizeof p, "%s/%s", path("bk"), old[i]);
    write_file(p, "old");
  }
  nreports = 0;
  struct backup_schedule *s =
      backup_schedule_start(path("live.db"), path("bk"), 60, 2, report, err, sizeof err);
  cr_assert_not_null(s, "%s", err);
  char p0[700];
  snprintf(p0, sizeof p0, "%s/%s", path("bk"), old[1]);
  for (int i = 0; i < 1000 && exists(p0); i++) usleep(10000);
  backup_schedule_stop(s); /* does not wait the 60 minutes */
  cr_assert_eq(count_generations(path("bk")), 2, "the first backup plus the newest old one");
  cr_assert(!exists(p0));
  pthread_mutex_lock(&rep_mu);
  cr_assert_eq(nreports, 0, "a success was reported though nothing had failed");
  pthread_mutex_unlock(&rep_mu);
}

static int by_row(const void *a, const void *b) { return strcmp(a, b); }

/* The generations kominkan-*.db in D, sorted (their names sort by time), into
** OUT (at most MAX); returns how many. */
static int list_generations(const char *d, char out[][64], int max) {
  DIR *dd = opendir(d);
  struct dirent *e;
  int n = 0;
  while (dd && (e = readdir(dd)))
    if (!strncmp(e->d_name, "kominkan-", 9) && strlen(e->d_name) == 27 && n < max)
      snprintf(out[n++], 64, "%s", e->d_name);
  if (dd) closedir(dd);
  qsort(out, (size_t)n, 64, by_row);
  return n;
}

/* RULE: every scheduled generation has its archive; while the archive is
** unchanged it is a hard link to the last copy, and once it changes the next
** generation gets a fresh copy of it. */
Test(schedule, each_generation_gets_the_archive_linked_while_it_is_unchanged) {
  char err[512], gens[64][64], p[800], q[800];
  make_ledger(path("live.db"));
  make_archive(path("live.db"), 7);
  mkdir(path("bk"), 0700);
  struct backup_schedule *s =
      backup_schedule_start(path("live.db"), path("bk"), 0.02, 60, NULL, err, sizeof err);
  cr_assert_not_null(s, "%s", err);
  int n = 0;
  for (int i = 0; i < 1500 && (n = list_generations(path("bk"), gens, 64)) < 2; i++) usleep(10000);
  cr_assert_geq(n, 2, "two generations were not taken");
  make_archive(path("live.db"), 8); /* `kominkan archive` ran (in a test, with no lock) */
  int changed_at = list_generations(path("bk"), gens, 64);
  for (int i = 0; i < 1500 && (n = list_generations(path("bk"), gens, 64)) < changed_at + 2; i++)
    usleep(10000);
  backup_schedule_stop(s);
  n = list_generations(path("bk"), gens, 64);
  cr_assert_geq(n, changed_at + 2, "no generation after the change");
  ino_t first = 0;
  for (int i = 0; i < n; i++) {
    snprintf(p, sizeof p, "%s/%s.archive", path("bk"), gens[i]);
    cr_assert(exists(p), "%s has no archive", gens[i]);
    if (i == 0) first = inode_of(p);
    if (i == 1) cr_assert_eq(inode_of(p), first, "the unchanged archive was copied again");
  }
  snprintf(q, sizeof q, "%s/%s", path("bk"), gens[n - 1]);
  cr_assert_neq(inode_of(p), first, "the changed archive was not copied");
  cr_assert_eq(archive_marker_of(q), 8, "the last generation holds the archive as it was before");
  snprintf(q, sizeof q, "%s/%s", path("bk"), gens[0]);
  cr_assert_eq(archive_marker_of(q), 7);
}
