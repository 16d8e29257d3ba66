/*
** core/backup.h: backups and restores of the database file, the lock that
** keeps a restore and a running server apart, and the scheduled backups of a
** running server. No HTTP here: the server passes a function to report
** problems (the /healthz status) when it starts the schedule.
**
** Every function returns 0 on success or -1 with a message for the operator
** in ERR (English, with file names: for the log and the terminal, never for
** a public reply).
*/
#ifndef KOMINKAN_CORE_BACKUP_H
#define KOMINKAN_CORE_BACKUP_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

/* A consistent copy of the database DB_PATH (which a server may be writing)
** into TO, checked with PRAGMA integrity_check. The copy is written to
** "TO.partial", synced, and renamed to TO only when it is good, so TO is
** never a half-written file and an older good TO survives a failure.
**
** When DB_PATH has an archive of finished years ("DB_PATH.archive",
** store/archive.h) it is copied the same way into "TO.archive" (through
** "TO.archive.partial"), after the database, so that it is at least as new
** as the database's copy (an archive newer than its database reads right:
** archive.h). TO.archive gets its name before TO does: a TO never stands
** beside a missing or older TO.archive that it needs. When DB_PATH has no
** archive, a TO.archive of an earlier backup is removed with TO's renaming.
** Either copy failing fails the whole backup. */
int backup_take(const char *db_path, const char *to, char *err, size_t errlen);

/* What backup_restore() did: where it put what it replaced ("" for
** nothing), and whether the backup's archive came with it. */
struct backup_restored {
  char aside[PATH_MAX];         /* the replaced database ("DB_PATH.replaced-STAMP") */
  char archive_aside[PATH_MAX]; /* the replaced archive (the same name + ".archive") */
  int archive;                  /* 1 when FROM.archive was restored as DB_PATH.archive */
};

/* Replace the database DB_PATH with the backup FROM. Refuses (changing
** nothing) when: FROM is not an SQLite file, fails integrity_check, is not a
** kominkan database (application_id, or the core tables of a database older
** than the mark), or has a schema newer than this program; or when a server
** (or anything else) has DB_PATH open. The replaced database, with its -wal
** if any, is kept as "DB_PATH.replaced-YYYYMMDD-HHMMSS"; a stale -shm is
** removed.
**
** FROM's archive of finished years, "FROM.archive", when there is one, is
** restored as "DB_PATH.archive", checked the same way first (an SQLite file
** passing integrity_check with the archive's tables), else nothing changes.
** An archive DB_PATH had is kept as "DB_PATH.replaced-YYYYMMDD-HHMMSS.archive"
** whether or not FROM has one: a restored database is never read with an
** archive newer than itself (OUT says so; the CLI tells the operator). */
int backup_restore(const char *from, const char *db_path, struct backup_restored *out,
                   char *err, size_t errlen);

/* The lock file "DB_PATH.lock". A server holds it shared for its whole life
** (several servers may share a database); a restore holds it exclusive. The
** kernel releases it when the holder exits, however it exits (flock), so it
** never goes stale. Returns the descriptor to pass to backup_unlock(), or -1
** with a message when the other kind of holder has it. */
int backup_lock(const char *db_path, int exclusive, char *err, size_t errlen);
void backup_unlock(int fd);                /* -1 is a no-op */

/* The name of a scheduled backup taken at wall-clock instant T (epoch
** seconds): DIR/kominkan-YYYYMMDD-HHMMSS.db in Japan time. */
void backup_generation_name(char *out, size_t n, const char *dir, int64_t t);

/* Delete the oldest scheduled backups in DIR (the files named like
** backup_generation_name(), each with its ".archive") so that KEEP remain,
** and any leftover "*.partial" of ours; an ".archive" without its database
** (a backup cut short between its two renames) once it is older than every
** generation kept. Other files are never touched. Returns the number of
** files deleted, or -1 with a message. */
int backup_prune(const char *dir, int keep, char *err, size_t errlen);

/* Scheduled backups: a thread that takes a backup of DB_PATH into DIR at
** start and every MINUTES after, then prunes to KEEP generations. Each
** generation gets its archive (backup_take); while the database's archive
** has not changed since the last generation (it changes only under
** `kominkan archive`, which a running server's lock keeps out), the new
** generation's archive is a hard link to the last one's copy. A failure
** is logged (stderr) and reported through REPORT(reason) with a public-safe
** Japanese reason; the next success calls REPORT(NULL). Service is never
** stopped. NULL with a message when DIR is unusable or the thread cannot
** start. */
struct backup_schedule;
struct backup_schedule *backup_schedule_start(const char *db_path, const char *dir,
                                              double minutes, int keep,
                                              void (*report)(const char *reason), char *err,
                                              size_t errlen);
/* Stop the thread (waiting for a backup in progress) and free S; NULL is a
** no-op. */
void backup_schedule_stop(struct backup_schedule *s);

#endif
