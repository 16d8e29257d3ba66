/*
** core/backup.c: backups, restores and scheduled backups (see backup.h).
**
** The copy itself is store/db.c's db_backup() (SQLite's backup API in one
** step: one consistent snapshot, then integrity_check). This file adds what
** an operator needs around it: never leaving a half-written file under a
** good name, refusing to restore something that is not ours, keeping what it
** replaces, keeping a restore away from a running server, and taking backups
** on a schedule inside the server with old generations pruned. The archive
** of finished years beside a database (store/archive.h) goes with it into
** every backup and out of it on every restore.
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

/* The archive of finished years beside a database (store/archive.h), and
** beside each backup of it: the database's name followed by this. */
#define ARCHIVE ".archive"

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
** lock, the archive of finished years), however either is spelt: the same inode (a hard link, a symlink) or
** the same resolved name (a file not there yet, such as a -wal between two
** checkpoints). A backup written over the database, or its -wal, corrupts it. */
static int is_live_file(const char *db_path, const char *to) {
  static const char *const side[] = {"",     "-wal",     "-shm",    "-journal",
                                     ".keys", ".lock", ARCHIVE, ARCHIVE "-journal"};
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

/* The archive copy a scheduled backup made last (a hard link to it serves
** the next generation while the archive is unchanged), and the state of the
** archive it was made from. */
struct archive_reuse {
  int valid;
  struct stat src;            /* the database's archive, just before it was copied */
  char copy[PATH_MAX];        /* the copy: the last generation's ".archive" */
  dev_t copy_dev;
  ino_t copy_ino;
};

/* 1 if the file A and B describe is one file, not written in between: its
** inode, size, mtime and ctime (which no one can set back) are the same. */
static int unchanged(const struct stat *a, const struct stat *b) {
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
         a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
         a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* A checked copy of the database SRC in TMP, synced; TMP is removed on failure. */
static int copy_synced(const char *src, const char *tmp, char *err, size_t errlen) {
  unlink_db_files(tmp);
  /* db_backup() creates the copy 0600 from the start: it holds personal data */
  if (db_backup(src, tmp, err, errlen) != 0) goto fail;
  if (sync_file(tmp) != 0) {
    snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
    goto fail;
  }
  return 0;
fail:
  unlink_db_files(tmp);
  return -1;
}

/* The archive SRC (in the state AS) into TMP: a hard link to the last copy
** when REUSE holds one of this very state and it is still there, else a
** checked copy. */
static int copy_archive(const char *src, const struct stat *as, const char *tmp,
                        const struct archive_reuse *reuse, char *err, size_t errlen) {
  struct stat cs;
  unlink_db_files(tmp);
  if (reuse && reuse->valid && unchanged(&reuse->src, as) && stat(reuse->copy, &cs) == 0 &&
      cs.st_dev == reuse->copy_dev && cs.st_ino == reuse->copy_ino &&
      link(reuse->copy, tmp) == 0)
    return 0; /* else (another file system, no links there): a copy */
  return copy_synced(src, tmp, err, errlen);
}

/* backup_take(), remembering the archive copy in REUSE (NULL: none). */
static int take(const char *db_path, const char *to, struct archive_reuse *reuse, char *err,
                size_t errlen) {
  char tmp[PATH_MAX], src[PATH_MAX], ato[PATH_MAX], atmp[PATH_MAX];
  struct stat as = {0}, cs = {0};
  int rc = -1, stale = 0;
  if (join(tmp, sizeof tmp, to, ".partial", err, errlen) ||
      join(src, sizeof src, db_path, ARCHIVE, err, errlen) ||
      join(ato, sizeof ato, to, ARCHIVE, err, errlen) ||
      join(atmp, sizeof atmp, ato, ".partial", err, errlen))
    return -1;
  if (is_live_file(db_path, to) || is_live_file(db_path, tmp) || is_live_file(db_path, ato) ||
      is_live_file(db_path, atmp)) {
    snprintf(err, errlen,
             "refusing to write the backup to %s: that is the database %s itself (or one of its"
             " own files); name a new file, e.g. in a backups folder",
             to, db_path);
    return -1;
  }
  /* 1. The database, then its archive: the archive only ever gains rows
  **    (store/archive.h), so one copied after the database holds everything
  **    the database's copy lacks, never less. */
  if (copy_synced(db_path, tmp, err, errlen) != 0) return -1;
  int have_archive = stat(src, &as) == 0; /* before the copy: a change during it shows next time */
  if (have_archive && copy_archive(src, &as, atmp, reuse, err, errlen) != 0) goto done;
  /* 2. The archive's name first, the database's last: TO appears only beside
  **    its own TO.archive (or none, when the database has none: an older
  **    TO.archive waits aside as ".partial" and goes once TO is in place). */
  if (have_archive && rename(atmp, ato) != 0) {
    snprintf(err, errlen, "cannot rename %s to %s: %s", atmp, ato, strerror(errno));
    goto done;
  }
  if (!have_archive && exists(ato)) {
    if (rename(ato, atmp) != 0) {
      snprintf(err, errlen, "cannot remove the older %s: %s", ato, strerror(errno));
      goto done;
    }
    stale = 1;
  }
  if (rename(tmp, to) != 0) {
    snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, to, strerror(errno));
    if (stale && rename(atmp, ato) == 0) stale = 0; /* the older TO keeps its archive */
    goto done;
  }
  sync_dir_of(to);
  rc = 0;
  if (reuse && have_archive && stat(ato, &cs) == 0) {
    *reuse = (struct archive_reuse){.valid = 1, .src = as, .copy_dev = cs.st_dev,
                                    .copy_ino = cs.st_ino};
    snprintf(reuse->copy, sizeof reuse->copy, "%s", ato);
  } else if (reuse) {
    reuse->valid = 0;
  }
done:
  unlink_db_files(tmp);
  if (rc == 0 || !stale) unlink_db_files(atmp); /* a failed copy, or the older TO.archive */
  return rc;
}

int backup_take(const char *db_path, const char *to, char *err, size_t errlen) {
  return take(db_path, to, NULL, err, errlen);
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

/* Why INFO (of the archive FROM.archive) cannot be restored, or NULL if it
** can. An archive carries no application_id (store/archive.c makes it with
** ATTACH): its tables are its mark. */
static const char *archive_refusal(const struct db_info *info, char *buf, size_t n) {
  (void)buf, (void)n;
  if (!info->is_sqlite) return "it is not a database file (or it is encrypted or damaged)";
  if (!info->integrity_ok) return "it is damaged (PRAGMA integrity_check failed)";
  if (!info->archive_tables)
    return "it is not a kominkan archive of finished years (no archive_meta and archived tables)";
  return NULL;
}

/* A new name for what a restore replaces, "DB_PATH.replaced-YYYYMMDD-HHMMSS",
** into BASE: neither it nor BASE.archive exists yet. */
static int aside_name(const char *db_path, char *base, size_t n, char *err, size_t errlen) {
  char st[16], first[PATH_MAX], a[PATH_MAX + 16];
  stamp(wall_now(), st);
  if ((size_t)snprintf(first, sizeof first, "%s.replaced-%s", db_path, st) >= sizeof first - 16) {
    snprintf(err, errlen, "path too long: %s", db_path);
    return -1;
  }
  /* two restores in one second: add a number rather than overwrite */
  snprintf(base, n, "%s", first);
  for (int k = 2; k < 100; k++) {
    snprintf(a, sizeof a, "%s" ARCHIVE, base);
    if (!exists(base) && !exists(a)) return 0;
    snprintf(base, n, "%s-%d", first, k);
  }
  snprintf(err, errlen, "too many %s.replaced-* files of this second", db_path);
  return -1;
}

/* Rename the SQLite file FROM to TO with its -wal and -journal (an SQLite
** file finds "NAME-wal" next to itself, so what is moved stays whole and is
** never replayed into a file put in FROM's place); remove its -shm, which is
** only an index. */
static int move_with_sides(const char *from, const char *to, char *err, size_t errlen) {
  static const char *const side[] = {"-wal", "-journal"};
  char a[PATH_MAX], b[PATH_MAX];
  if (rename(from, to) != 0) {
    snprintf(err, errlen, "cannot move %s to %s: %s", from, to, strerror(errno));
    return -1;
  }
  for (size_t i = 0; i < 2; i++) {
    if (join(a, sizeof a, from, side[i], err, errlen) || join(b, sizeof b, to, side[i], err, errlen))
      return -1;
    if (exists(a) && rename(a, b) != 0) {
      snprintf(err, errlen, "cannot move %s to %s: %s", a, b, strerror(errno));
      return -1;
    }
  }
  if (join(a, sizeof a, from, "-shm", err, errlen)) return -1;
  unlink(a);
  return 0;
}

/* Step 3 of a restore: the database DB_PATH and its archive ADB aside (named
** into OUT), the checked copies TMP and ATMP (NULL: the backup has no
** archive) in, the archive first. On a failure what was moved goes back. */
static int swap_in(const char *db_path, const char *adb, const char *tmp, const char *atmp,
                   struct backup_restored *out, char *err, size_t errlen) {
  char base[PATH_MAX], p[PATH_MAX];
  int have_db = exists(db_path), have_adb = exists(adb), placed = 0;
  if (!have_db) { /* a -wal without its database is a leftover: never apply it to the new one */
    if (join(p, sizeof p, db_path, "-wal", err, errlen)) return -1;
    unlink(p);
    if (join(p, sizeof p, db_path, "-shm", err, errlen)) return -1;
    unlink(p);
  }
  if ((have_db || have_adb) && aside_name(db_path, base, sizeof base, err, errlen)) return -1;
  if (have_db) {
    if (move_with_sides(db_path, base, err, errlen)) return -1;
    snprintf(out->aside, sizeof out->aside, "%s", base);
  }
  if (have_adb) {
    snprintf(p, sizeof p, "%s" ARCHIVE, base);
    if (move_with_sides(adb, p, err, errlen)) goto undo;
    snprintf(out->archive_aside, sizeof out->archive_aside, "%s", p);
  }
  if (atmp && rename(atmp, adb) != 0) {
    snprintf(err, errlen, "cannot move %s to %s: %s", atmp, adb, strerror(errno));
    goto undo;
  }
  placed = atmp != NULL;
  if (rename(tmp, db_path) != 0) {
    snprintf(err, errlen, "cannot move %s to %s: %s", tmp, db_path, strerror(errno));
    goto undo;
  }
  out->archive = placed;
  sync_dir_of(db_path);
  return 0;
undo: /* put the old ones back rather than leave no database (ERR keeps the first error) */
  if (placed) rename(adb, atmp);
  char e2[64];
  if (out->archive_aside[0] && move_with_sides(out->archive_aside, adb, e2, sizeof e2) == 0)
    out->archive_aside[0] = 0;
  if (out->aside[0] && move_with_sides(out->aside, db_path, e2, sizeof e2) == 0) out->aside[0] = 0;
  return -1;
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

/* The owner a restored file gets: that of the database it replaces (the
** server runs as it) or, on a machine without one yet, of its folder; so
** that a restore run with sudo does not leave a file the service cannot open. */
static void owner_of(const char *db_path, struct stat *owner) {
  char d[PATH_MAX];
  if (stat(db_path, owner) == 0) return;
  snprintf(d, sizeof d, "%s", db_path);
  char *slash = strrchr(d, '/');
  if (!slash) snprintf(d, sizeof d, ".");
  else if (slash == d) d[1] = 0;
  else *slash = 0;
  if (stat(d, owner) != 0) owner->st_uid = getuid(), owner->st_gid = getgid();
}

/* Copy the backup file FROM into TMP (next to the database DB_PATH) and judge
** the copy, which is exactly what will go live, with JUDGE; give it to
** DB_PATH's owner and sync it. The mode is not copied from the file it
** replaces (which may have been world-readable): db_backup() made it 0600.
** INFO gets what db_inspect() found. */
static int prepare(const char *from, const char *tmp, const char *db_path,
                   const char *(*judge)(const struct db_info *, char *, size_t),
                   struct db_info *info, char *err, size_t errlen) {
  char why[256], e2[256];
  const char *no;
  struct stat owner;
  unlink_db_files(tmp);
  if (db_backup(from, tmp, err, errlen) != 0) {
    if (db_inspect(from, info, e2, sizeof e2) == 0 && (no = judge(info, why, sizeof why)))
      snprintf(err, errlen, "refusing %s: %s", from, no);
    return -1;
  }
  if (db_inspect(tmp, info, err, errlen) != 0) return -1;
  if ((no = judge(info, why, sizeof why))) {
    snprintf(err, errlen, "refusing %s: %s", from, no);
    return -1;
  }
  owner_of(db_path, &owner);
  if ((owner.st_uid != getuid() || owner.st_gid != getgid()) &&
      chown(tmp, owner.st_uid, owner.st_gid) != 0)
    fprintf(stderr, "kominkan restore: warning: cannot give %s to uid %u gid %u: %s\n",
            db_path, (unsigned)owner.st_uid, (unsigned)owner.st_gid, strerror(errno));
  return 0;
}

/* FROM, a file to restore from, is a regular file; ERR says why not. */
static int is_regular(const char *from, struct stat *fs, char *err, size_t errlen) {
  if (stat(from, fs) != 0) {
    snprintf(err, errlen, "%s: not a file: %s", from, strerror(errno));
    return 0;
  }
  if (!S_ISREG(fs->st_mode)) {
    snprintf(err, errlen, "%s: not a file", from);
    return 0;
  }
  return 1;
}

int backup_restore(const char *from, const char *db_path, struct backup_restored *out,
                   char *err, size_t errlen) {
  char tmp[PATH_MAX], afrom[PATH_MAX], adb[PATH_MAX], atmp[PATH_MAX];
  struct stat fs, ds;
  struct db_info info;
  int lock = -1, rc = -1, have_afrom;

  memset(out, 0, sizeof *out);
  tmp[0] = atmp[0] = 0;
  if (!is_regular(from, &fs, err, errlen)) return -1;
  if (stat(db_path, &ds) == 0 && fs.st_dev == ds.st_dev && fs.st_ino == ds.st_ino) {
    snprintf(err, errlen, "%s is the database itself: name a backup file", from);
    return -1;
  }
  if (join(afrom, sizeof afrom, from, ARCHIVE, err, errlen) ||
      join(adb, sizeof adb, db_path, ARCHIVE, err, errlen))
    return -1;
  if ((have_afrom = exists(afrom))) {
    if (!is_regular(afrom, &fs, err, errlen)) return -1;
    if (stat(adb, &ds) == 0 && fs.st_dev == ds.st_dev && fs.st_ino == ds.st_ino) {
      snprintf(err, errlen, "%s is the database's own archive: name a backup file", afrom);
      return -1;
    }
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
  /* 2. Copy the backup (and its archive) next to the database, judge the
  **    copies, end the sessions. */
  if (join(tmp, sizeof tmp, db_path, ".restore-partial", err, errlen)) goto done;
  if (prepare(from, tmp, db_path, refusal, &info, err, errlen) != 0) goto done;
  if (end_sessions(tmp, info.user_version, err, errlen) != 0) goto done;
  if (sync_file(tmp) != 0) {
    snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
    goto done;
  }
  if (have_afrom) {
    if (join(atmp, sizeof atmp, adb, ".restore-partial", err, errlen) ||
        prepare(afrom, atmp, db_path, archive_refusal, &info, err, errlen) != 0)
      goto done;
    if (sync_file(atmp) != 0) {
      snprintf(err, errlen, "cannot write %s: %s", atmp, strerror(errno));
      goto done;
    }
  }
  /* 3. Swap: the old ones aside (with their -wal), the new ones in. */
  if (swap_in(db_path, adb, tmp, have_afrom ? atmp : NULL, out, err, errlen) != 0) goto done;
  tmp[0] = atmp[0] = 0;
  rc = 0;
done:
  if (tmp[0]) unlink_db_files(tmp);
  if (atmp[0]) unlink_db_files(atmp);
  backup_unlock(lock);
  return rc;
}

/* ------------------------------------------------------------ generations */

void backup_generation_name(char *out, size_t n, const char *dir, int64_t t) {
  char st[16];
  stamp(t, st);
  snprintf(out, n, "%s/kominkan-%s.db", dir, st);
}

/* What a file named NAME in a backup folder is to backup_prune(). */
enum { NOT_OURS, GEN_DB, GEN_ARCHIVE, GEN_PARTIAL };
#define GEN_LEN (sizeof "kominkan-99999999-999999.db" - 1)

/* "kominkan-YYYYMMDD-HHMMSS.db" a generation, that plus ".archive" its
** archive, either plus ".partial" a leftover of a backup cut short. */
static int generation_kind(const char *name) {
  static const char pat[] = "kominkan-99999999-999999.db";
  if (strncmp(name, pat, 9) != 0) return NOT_OURS;
  for (size_t i = 9; i < GEN_LEN; i++) {
    if (pat[i] == '9' ? (name[i] < '0' || name[i] > '9') : name[i] != pat[i]) return NOT_OURS;
  }
  const char *rest = name + GEN_LEN;
  if (!*rest) return GEN_DB;
  if (!strcmp(rest, ARCHIVE)) return GEN_ARCHIVE;
  if (!strcmp(rest, ".partial") || !strcmp(rest, ARCHIVE ".partial")) return GEN_PARTIAL;
  return NOT_OURS;
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A copy of NAME at the end of the list *V (*N long, room for *CAP); -1 when out of memory. */
static int push(char ***v, size_t *n, size_t *cap, const char *name) {
  if (*n == *cap) {
    size_t c = *cap ? *cap * 2 : 32;
    char **nv = realloc(*v, c * sizeof *nv);
    if (!nv) return -1;
    *v = nv;
    *cap = c;
  }
  if (!((*v)[*n] = strdup(name))) return -1;
  (*n)++;
  return 0;
}

/* Delete DIR/NAME; 1 when it was deleted, 0 when it was not there, -1 (with a message). */
static int delete_in(const char *dir, const char *name, char *err, size_t errlen) {
  char path[PATH_MAX];
  if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) return 0;
  if (unlink(path) == 0) return 1;
  if (errno == ENOENT) return 0;
  snprintf(err, errlen, "cannot delete the old backup %s: %s", path, strerror(errno));
  return -1;
}

int backup_prune(const char *dir, int keep, char *err, size_t errlen) {
  DIR *d = opendir(dir);
  char **names = NULL, **archives = NULL;
  size_t n = 0, cap = 0, na = 0, acap = 0;
  int removed = 0, rc = -1, k;
  if (!d) {
    snprintf(err, errlen, "cannot read %s: %s", dir, strerror(errno));
    return -1;
  }
  struct dirent *e;
  while ((e = readdir(d))) {
    int kind = generation_kind(e->d_name);
    if (kind == GEN_PARTIAL) { /* left by a crash in the middle of a backup */
      if (delete_in(dir, e->d_name, err, errlen) > 0) removed++;
    } else if ((kind == GEN_DB && push(&names, &n, &cap, e->d_name)) ||
               (kind == GEN_ARCHIVE && push(&archives, &na, &acap, e->d_name))) {
      snprintf(err, errlen, "out of memory");
      goto done;
    }
  }
  qsort(names, n, sizeof *names, by_name); /* the names sort by time */
  size_t drop = keep >= 0 && n > (size_t)keep ? n - (size_t)keep : 0;
  rc = 0;
  /* the databases first: a crash in between leaves an archive without its
  ** database, never a database without its archive */
  for (size_t i = 0; i < drop && rc == 0; i++)
    if ((k = delete_in(dir, names[i], err, errlen)) < 0) rc = -1;
    else removed += k;
  /* then every archive older than the oldest generation kept: those of the
  ** generations just deleted, and any left alone by a backup cut short */
  for (size_t i = 0; i < na && rc == 0 && n > 0; i++)
    if (drop == n || strncmp(archives[i], names[drop], GEN_LEN) < 0) {
      if ((k = delete_in(dir, archives[i], err, errlen)) < 0) rc = -1;
      else removed += k;
    }
done:
  for (size_t i = 0; i < n; i++) free(names[i]);
  for (size_t i = 0; i < na; i++) free(archives[i]);
  free(names);
  free(archives);
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
  struct archive_reuse reuse; /* the last generation's archive copy (backup thread only) */
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
  if (take(s->db, to, &s->reuse, err, sizeof err) != 0) {
    fail_run(s, t, "backup failed", err);
    return;
  }
  int removed = backup_prune(s->dir, s->keep, err, sizeof err);
  if (removed < 0) {
    fail_run(s, t, "pruning old backups failed", err);
    return;
  }
  fprintf(stderr, "kominkan: backup written to %s%s%s (%d old removed)\n", to,
          s->reuse.valid ? " and " : "", s->reuse.valid ? s->reuse.copy : "", removed);
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
  if (strlen(db_path) >= sizeof s->db || strlen(dir) >= sizeof s->dir - 64) {
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
