/*
** core/backup.c: backups, restores and scheduled backups (see backup.h).
**
** The copy itself is store/db.c's db_backup() (SQLite's backup API in one
** step: one consistent snapshot, then integrity_check). This file adds what
** an operator needs around it: never leaving a half-written file under a
** good name, refusing to restore something that is not ours, keeping what it
** replaces, keeping a restore away from a running server, and taking backups
** on a schedule inside the server with old generations pruned.
**
** Times here are the machine's wall clock, not clock_now(): a backup's name
** records when it was really taken, and KOMINKAN_NOW (which fixes the
** domain's clock in tests and demos) must not make every name the same.
*/
#include "backup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../store/db.h"

/* ---------------------------------------------------------------- helpers */

static int64_t wall_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec;
}

/* T as "YYYYMMDD-HHMMSS" in Japan time (fixed +09:00, like core/clock.c). */
static void stamp(int64_t t, char out[16]) {
  time_t jst = (time_t)(t + 9 * 3600);
  struct tm tm;
  gmtime_r(&jst, &tm);
  snprintf(out, 16, "%04d%02d%02d-%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
           tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* OUT = A followed by B; -1 (with a message) when it does not fit. */
static int join(char *out, size_t n, const char *a, const char *b, char *err, size_t errlen) {
  if ((size_t)snprintf(out, n, "%s%s", a, b) >= n) {
    snprintf(err, errlen, "path too long: %s%s", a, b);
    return -1;
  }
  return 0;
}

/* fsync the file at PATH (its data reaches the disk before we rename it). */
static int sync_file(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  int rc = fsync(fd);
  close(fd);
  return rc;
}

/* fsync the directory holding PATH, so that a rename in it is durable. */
static void sync_dir_of(const char *path) {
  char dir[PATH_MAX];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  if (!slash) snprintf(dir, sizeof dir, ".");
  else if (slash == dir) dir[1] = 0;
  else *slash = 0;
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
}

/* Remove PATH and the side files SQLite may have left next to it. */
static void unlink_db_files(const char *path) {
  static const char *const side[] = {"", "-journal", "-wal", "-shm"};
  char p[PATH_MAX];
  for (size_t i = 0; i < sizeof side / sizeof side[0]; i++)
    if ((size_t)snprintf(p, sizeof p, "%s%s", path, side[i]) < sizeof p) unlink(p);
}

static int exists(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0;
}

/* PATH with its folder resolved (symlinks, "./", "..", relative), and the
** file itself too when it exists, into OUT; "" when the folder is not there. */
static void canonical(const char *path, char *out) {
  char dir[PATH_MAX], real[PATH_MAX];
  out[0] = 0;
  if (realpath(path, out)) return;
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  const char *base = slash ? slash + 1 : path;
  if (!slash) snprintf(dir, sizeof dir, ".");
  else if (slash == dir) dir[1] = 0;
  else *slash = 0;
  if (*base && realpath(dir, real) &&
      (size_t)snprintf(out, PATH_MAX, "%s/%s", strcmp(real, "/") ? real : "", base) >= PATH_MAX)
    out[0] = 0;
}

/* 1 if writing (or removing) TO would touch the live database DB_PATH or one
** of the files that belong to it (-wal, -shm, -journal, the key file, the
** lock), however either is spelt: the same inode (a hard link, a symlink) or
** the same resolved name (a file not there yet, such as a -wal between two
** checkpoints). A backup written over the database, or its -wal, corrupts it. */
static int is_live_file(const char *db_path, const char *to) {
  static const char *const side[] = {"", "-wal", "-shm", "-journal", ".keys", ".lock"};
  char p[PATH_MAX], a[PATH_MAX], b[PATH_MAX];
  struct stat ts, ss;
  int have_to = stat(to, &ts) == 0;
  canonical(to, a);
  for (size_t i = 0; i < sizeof side / sizeof side[0]; i++) {
    if ((size_t)snprintf(p, sizeof p, "%s%s", db_path, side[i]) >= sizeof p) continue;
    if (have_to && stat(p, &ss) == 0 && ss.st_dev == ts.st_dev && ss.st_ino == ts.st_ino)
      return 1;
    canonical(p, b);
    if (a[0] && b[0] && !strcmp(a, b)) return 1;
  }
  return 0;
}

/* ----------------------------------------------------------------- backup */

int backup_take(const char *db_path, const char *to, char *err, size_t errlen) {
  char tmp[PATH_MAX];
  if (join(tmp, sizeof tmp, to, ".partial", err, errlen)) return -1;
  if (is_live_file(db_path, to) || is_live_file(db_path, tmp)) {
    snprintf(err, errlen,
             "refusing to write the backup to %s: that is the database %s itself (or one of its"
             " own files); name a new file, e.g. in a backups folder",
             to, db_path);
    return -1;
  }
  unlink_db_files(tmp);
  /* db_backup() creates the copy 0600 from the start: it holds personal data */
  if (db_backup(db_path, tmp, err, errlen) != 0) goto fail;
  if (sync_file(tmp) != 0) {
    snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
    goto fail;
  }
  if (rename(tmp, to) != 0) {
    snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, to, strerror(errno));
    goto fail;
  }
  sync_dir_of(to);
  return 0;
fail:
  unlink_db_files(tmp);
  return -1;
}

/* ------------------------------------------------------------------- lock */

int backup_lock(const char *db_path, int exclusive, char *err, size_t errlen) {
  char path[PATH_MAX];
  if (join(path, sizeof path, db_path, ".lock", err, errlen)) return -1;
  /* Read-only and world-readable: flock() needs no write access, so the
  ** service user can take the lock even when root made the file (a restore
  ** run with sudo); the file itself holds nothing. */
  int fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    snprintf(err, errlen, "cannot open the lock file %s: %s", path, strerror(errno));
    return -1;
  }
  fchmod(fd, 0644); /* despite the umask of 077 (main.c); fails harmlessly if not ours */
  if (flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
    int e = errno;
    close(fd);
    if (e == EWOULDBLOCK)
      snprintf(err, errlen,
               exclusive ? "a kominkan server is using %s (it holds %s): stop it first"
                         : "a restore of %s is in progress (it holds %s): wait for it to finish",
               db_path, path);
    else
      snprintf(err, errlen, "cannot lock %s: %s", path, strerror(e));
    return -1;
  }
  return fd;
}

void backup_unlock(int fd) {
  if (fd >= 0) close(fd); /* closing the descriptor releases the flock */
}

/* ---------------------------------------------------------------- restore */

/* Why INFO (of the backup file FROM) cannot be restored, or NULL if it can. */
static const char *refusal(const struct db_info *info, char *buf, size_t n) {
  if (!info->is_sqlite) return "it is not a database file (or it is encrypted or damaged)";
  if (!info->integrity_ok) return "it is damaged (PRAGMA integrity_check failed)";
  if (info->application_id != DB_APPLICATION_ID &&
      !(info->application_id == 0 && info->core_tables && info->user_version >= 1))
    return "it is not a kominkan database (wrong application_id and tables)";
  if (info->user_version > db_schema_latest()) {
    snprintf(buf, n,
             "it was written by a newer kominkan (schema version %d, this program knows %d):"
             " restore it with that version or newer",
             info->user_version, db_schema_latest());
    return buf;
  }
  return NULL;
}

/* Move the database DB_PATH (and its -wal/-journal) aside under a new name
** in ASIDE; remove its -shm. ASIDE is "" when there was no database. */
static int move_aside(const char *db_path, char *aside, size_t asidelen, char *err,
                      size_t errlen) {
  char st[16], base[PATH_MAX], from[PATH_MAX], to[PATH_MAX];
  aside[0] = 0;
  if (!exists(db_path)) {
    /* a -wal without its database is a leftover: never apply it to the new one */
    if (join(from, sizeof from, db_path, "-wal", err, errlen)) return -1;
    unlink(from);
    if (join(from, sizeof from, db_path, "-shm", err, errlen)) return -1;
    unlink(from);
    return 0;
  }
  stamp(wall_now(), st);
  if ((size_t)snprintf(base, sizeof base, "%s.replaced-%s", db_path, st) >= sizeof base) {
    snprintf(err, errlen, "path too long: %s", db_path);
    return -1;
  }
  /* two restores in one second: add a number rather than overwrite */
  snprintf(to, sizeof to, "%s", base);
  for (int k = 2; exists(to) && k < 100; k++) snprintf(to, sizeof to, "%s-%d", base, k);
  if (exists(to)) {
    snprintf(err, errlen, "too many %s.replaced-* files of this second", db_path);
    return -1;
  }
  if (rename(db_path, to) != 0) {
    snprintf(err, errlen, "cannot move %s aside: %s", db_path, strerror(errno));
    return -1;
  }
  snprintf(aside, asidelen, "%s", to);
  /* The -wal and -journal belong to the old database: keep them with it (an
  ** SQLite file finds "NAME-wal" next to itself), so the copy set aside is
  ** whole and never replayed into the restored one. The -shm is only an index. */
  static const char *const side[] = {"-wal", "-journal"};
  for (size_t i = 0; i < 2; i++) {
    if (join(from, sizeof from, db_path, side[i], err, errlen)) return -1;
    char dest[PATH_MAX];
    if (join(dest, sizeof dest, to, side[i], err, errlen)) return -1;
    if (exists(from) && rename(from, dest) != 0) {
      snprintf(err, errlen, "cannot move %s aside: %s", from, strerror(errno));
      return -1;
    }
  }
  if (join(from, sizeof from, db_path, "-shm", err, errlen)) return -1;
  unlink(from);
  return 0;
}

/* Empty the sessions table of the restored copy TMP (schema version
** VERSION, not migrated here): a sign-in ended after the backup was taken
** (a sign-out, a disabled account, a changed password) must not come back to
** life with it. Everyone signs in again. */
static int end_sessions(const char *tmp, int version, char *err, size_t errlen) {
  kdb *db = db_open_upto(tmp, version, err, errlen);
  if (!db) return -1;
  int rc = -1;
  int has = db_int64(db, 0, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                            " AND name = 'sessions'") > 0;
  if (has && db_run(db, "DELETE FROM sessions") != DB_OK) {
    snprintf(err, errlen, "cannot end the sessions in %s: %s", tmp, db_errmsg(db));
    goto done;
  }
  /* back to one self-contained file, like every backup (store/db.c) */
  if (db_exec(db, "PRAGMA journal_mode=DELETE") != DB_OK) {
    snprintf(err, errlen, "cannot finish %s: %s", tmp, db_errmsg(db));
    goto done;
  }
  rc = 0;
done:
  db_close(db);
  return rc;
}

int backup_restore(const char *from, const char *db_path, char *aside, size_t asidelen,
                   char *err, size_t errlen) {
  char tmp[PATH_MAX], why[256];
  struct stat fs, ds;
  struct db_info info;
  int lock = -1, rc = -1, have_db;

  aside[0] = 0;
  tmp[0] = 0;
  if (stat(from, &fs) != 0) {
    snprintf(err, errlen, "%s: not a file: %s", from, strerror(errno));
    return -1;
  }
  if (!S_ISREG(fs.st_mode)) {
    snprintf(err, errlen, "%s: not a file", from);
    return -1;
  }
  have_db = stat(db_path, &ds) == 0;
  if (have_db && fs.st_dev == ds.st_dev && fs.st_ino == ds.st_ino) {
    snprintf(err, errlen, "%s is the database itself: name a backup file", from);
    return -1;
  }
  /* 1. Keep servers out for the whole restore, and find any that is running
  **    (the lock file), or anything else with the database open (SQLite). */
  if ((lock = backup_lock(db_path, 1, err, errlen)) < 0) return -1;
  int used = db_in_use(db_path, err, errlen);
  if (used < 0) goto done;
  if (used) {
    snprintf(err, errlen, "%s is open in another program (a kominkan server or an sqlite3 shell):"
             " stop it first", db_path);
    goto done;
  }
  /* 2. Copy the backup next to the database, then judge the copy: it is
  **    exactly what will go live. */
  if (join(tmp, sizeof tmp, db_path, ".restore-partial", err, errlen)) goto done;
  unlink_db_files(tmp);
  if (db_backup(from, tmp, err, errlen) != 0) {
    char e2[256];
    if (db_inspect(from, &info, e2, sizeof e2) == 0 && refusal(&info, why, sizeof why))
      snprintf(err, errlen, "refusing %s: %s", from, refusal(&info, why, sizeof why));
    goto done;
  }
  if (db_inspect(tmp, &info, err, errlen) != 0) goto done;
  const char *no = refusal(&info, why, sizeof why);
  if (no) {
    snprintf(err, errlen, "refusing %s: %s", from, no);
    goto done;
  }
  /* The server runs as the owner of the database it replaces (or, on a
  ** machine without one yet, of the folder it lives in): keep that, so that
  ** a restore run with sudo does not leave a file the service cannot open. */
  struct stat owner = ds;
  if (!have_db) {
    char d[PATH_MAX];
    snprintf(d, sizeof d, "%s", db_path);
    char *slash = strrchr(d, '/');
    if (!slash) snprintf(d, sizeof d, ".");
    else if (slash == d) d[1] = 0;
    else *slash = 0;
    if (stat(d, &owner) != 0) owner.st_uid = getuid(), owner.st_gid = getgid();
  }
  if ((owner.st_uid != getuid() || owner.st_gid != getgid()) &&
      chown(tmp, owner.st_uid, owner.st_gid) != 0)
    fprintf(stderr, "kominkan restore: warning: cannot give %s to uid %u gid %u: %s\n",
            db_path, (unsigned)owner.st_uid, (unsigned)owner.st_gid, strerror(errno));
  /* The mode is not copied from the file it replaces (which may have been
  ** world-readable): db_backup() made the copy 0600. */
  if (end_sessions(tmp, info.user_version, err, errlen) != 0) goto done;
  if (sync_file(tmp) != 0) {
    snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
    goto done;
  }
  /* 3. Swap: the old one aside (with its -wal), the new one in. */
  if (move_aside(db_path, aside, asidelen, err, errlen) != 0) goto done;
  if (rename(tmp, db_path) != 0) {
    snprintf(err, errlen, "cannot move %s to %s: %s", tmp, db_path, strerror(errno));
    /* put the old one back rather than leave no database */
    if (aside[0] && rename(aside, db_path) == 0) aside[0] = 0;
    goto done;
  }
  tmp[0] = 0;
  sync_dir_of(db_path);
  rc = 0;
done:
  if (tmp[0]) unlink_db_files(tmp);
  backup_unlock(lock);
  return rc;
}

/* ------------------------------------------------------------ generations */

void backup_generation_name(char *out, size_t n, const char *dir, int64_t t) {
  char st[16];
  stamp(t, st);
  snprintf(out, n, "%s/kominkan-%s.db", dir, st);
}

/* 1 if NAME is "kominkan-YYYYMMDD-HHMMSS.db"; with PARTIAL, that plus ".partial". */
static int is_generation(const char *name, int partial) {
  static const char pat[] = "kominkan-99999999-999999.db";
  size_t n = sizeof pat - 1;
  if (strncmp(name, pat, 9) != 0) return 0;
  for (size_t i = 9; i < n; i++) {
    if (pat[i] == '9' ? (name[i] < '0' || name[i] > '9') : name[i] != pat[i]) return 0;
  }
  return partial ? !strcmp(name + n, ".partial") : name[n] == 0;
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int backup_prune(const char *dir, int keep, char *err, size_t errlen) {
  DIR *d = opendir(dir);
  char **names = NULL, path[PATH_MAX];
  size_t n = 0, cap = 0;
  int removed = 0, rc = -1;
  if (!d) {
    snprintf(err, errlen, "cannot read %s: %s", dir, strerror(errno));
    return -1;
  }
  struct dirent *e;
  while ((e = readdir(d))) {
    if (is_generation(e->d_name, 1)) { /* left by a crash in the middle of a backup */
      if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < sizeof path &&
          unlink(path) == 0)
        removed++;
      continue;
    }
    if (!is_generation(e->d_name, 0)) continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 32;
      char **nn = realloc(names, cap * sizeof *nn);
      if (!nn) goto oom;
      names = nn;
    }
    if (!(names[n] = strdup(e->d_name))) goto oom;
    n++;
  }
  qsort(names, n, sizeof *names, by_name); /* the names sort by time */
  rc = 0;
  for (size_t i = 0; keep >= 0 && i + (size_t)keep < n; i++) {
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= sizeof path) continue;
    if (unlink(path) != 0) {
      snprintf(err, errlen, "cannot delete the old backup %s: %s", path, strerror(errno));
      rc = -1;
      break;
    }
    removed++;
  }
  goto done;
oom:
  snprintf(err, errlen, "out of memory");
done:
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
  closedir(d);
  return rc == 0 ? removed : -1;
}

/* -------------------------------------------------------------- schedule */

struct backup_schedule {
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int stop;
  int failing;              /* the last run failed: REPORT holds a problem */
  char db[PATH_MAX], dir[PATH_MAX];
  int64_t every_ms;
  int keep;
  void (*report)(const char *reason);
};

static void fail_run(struct backup_schedule *s, int64_t t, const char *what, const char *err) {
  char when[16], reason[256];
  stamp(t, when);
  fprintf(stderr, "kominkan: scheduled backup: %s: %s\n", what, err);
  /* The reason is public (/healthz answers anyone): no paths, no details. */
  snprintf(reason, sizeof reason,
           "定期バックアップに失敗しました（%.4s-%.2s-%.2s %.2s:%.2s）。サーバーのログを確認してください。",
           when, when + 4, when + 6, when + 9, when + 11);
  if (s->report) s->report(reason);
  s->failing = 1;
}

static void run_once(struct backup_schedule *s) {
  char to[PATH_MAX + 64], err[PATH_MAX + 256];
  int64_t t = wall_now();
  backup_generation_name(to, sizeof to, s->dir, t);
  if (backup_take(s->db, to, err, sizeof err) != 0) {
    fail_run(s, t, "backup failed", err);
    return;
  }
  int removed = backup_prune(s->dir, s->keep, err, sizeof err);
  if (removed < 0) {
    fail_run(s, t, "pruning old backups failed", err);
    return;
  }
  fprintf(stderr, "kominkan: backup written to %s (%d old removed)\n", to, removed);
  if (s->failing && s->report) s->report(NULL);
  s->failing = 0;
}

static void *schedule_main(void *arg) {
  struct backup_schedule *s = arg;
  for (;;) {
    run_once(s);
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    int64_t ns = (int64_t)until.tv_nsec + (s->every_ms % 1000) * 1000000;
    until.tv_sec += (time_t)(s->every_ms / 1000 + ns / 1000000000);
    until.tv_nsec = (long)(ns % 1000000000);
    pthread_mutex_lock(&s->mu);
    while (!s->stop && pthread_cond_timedwait(&s->cv, &s->mu, &until) != ETIMEDOUT) {
    }
    int stop = s->stop;
    pthread_mutex_unlock(&s->mu);
    if (stop) break;
  }
  return NULL;
}

struct backup_schedule *backup_schedule_start(const char *db_path, const char *dir,
                                              double minutes, int keep,
                                              void (*report)(const char *reason), char *err,
                                              size_t errlen) {
  struct backup_schedule *s = calloc(1, sizeof *s);
  pthread_condattr_t ca;
  if (!s) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  if (strlen(db_path) >= sizeof s->db || strlen(dir) >= sizeof s->dir - 40) {
    snprintf(err, errlen, "path too long");
    free(s);
    return NULL;
  }
  snprintf(s->db, sizeof s->db, "%s", db_path);
  snprintf(s->dir, sizeof s->dir, "%s", dir);
  s->every_ms = (int64_t)(minutes * 60000.0);
  if (s->every_ms < 1000) s->every_ms = 1000;
  s->keep = keep;
  s->report = report;
  /* A missing folder is made (one level); one that cannot be is not fatal:
  ** the first run fails, says why in the log and /healthz, and the booking
  ** service goes on (a backup disk not mounted yet must not stop bookings). */
  if (mkdir(dir, 0700) != 0 && errno != EEXIST)
    fprintf(stderr, "kominkan: backup folder %s: %s\n", dir, strerror(errno));
  pthread_mutex_init(&s->mu, NULL);
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&s->cv, &ca);
  pthread_condattr_destroy(&ca);
  if (pthread_create(&s->thread, NULL, schedule_main, s) != 0) {
    snprintf(err, errlen, "cannot start the backup thread");
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
    return NULL;
  }
  return s;
}

void backup_schedule_stop(struct backup_schedule *s) {
  if (!s) return;
  pthread_mutex_lock(&s->mu);
  s->stop = 1;
  pthread_cond_signal(&s->cv);
  pthread_mutex_unlock(&s->mu);
  pthread_join(s->thread, NULL);
  pthread_cond_destroy(&s->cv);
  pthread_mutex_destroy(&s->mu);
  free(s);
}
