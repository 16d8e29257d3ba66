/*
** store/archive.h: the archive of finished years (kominkan archive --before
** DATE; docs/performance.md "Archiving finished years").
**
** The archive is the SQLite file DB.archive next to the database DB. Moving
** a year there keeps the live tables (and their indexes) the size of the
** years still in use, while the reports and the usage-log export still read
** everything: every connection db_open() makes attaches an existing archive
** as schema "archive" and defines the TEMP views r_bookings, r_payments and
** r_events as the live rows followed by the archived ones. Without an
** archive they are the plain views of migration 022 (the live tables).
**
** A row is never counted twice, even after a crash halfway through a move:
** the copy into the archive (with the new cut-off date) is one transaction of
** the archive file, the deletion from the live database another; in between,
** a live row older than the cut-off that the archive also holds is left out
** of the views.
*/
#ifndef KOMINKAN_STORE_ARCHIVE_H
#define KOMINKAN_STORE_ARCHIVE_H

#include <stdint.h>

#include "db.h"

/* Attach DB's archive file (db_filename(DB) + ".archive") and define the
** views. CREATE 0: only when the file exists (0 also when it does not);
** CREATE 1: make it (owner-only) with its tables when missing. 0, or -1
** with a message in ERR. Attaching twice is harmless. */
int db_archive_attach(kdb *db, int create, char *err, size_t errlen);

struct db_archive_moved {
  int64_t bookings;   /* moved: copied, then deleted from the live database */
  int64_t kept;       /* copied but still referenced live (a course session): kept too */
  int64_t payments;
  int64_t events;
};

/* Move the bookings used before BEFORE ("YYYY-MM-DD"), their payments and
** the usage-log events before the instant BEFORE_AT into the archive
** (attached with CREATE 1 first). Run it with no server on the database
** (backup_lock). 0, or -1 with a message in ERR. */
int db_archive_move(kdb *db, const char *before, int64_t before_at,
                    struct db_archive_moved *n, char *err, size_t errlen);

#endif
