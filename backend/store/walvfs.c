/*
** store/walvfs.c: one write per commit into the WAL (walvfs.h).
**
** SQLite appends a commit to the WAL frame by frame, and each frame with two
** writes (its 24-byte header, then the page): a batch of the writer that
** dirtied 70 pages made 140 pwrite() calls before its one fsync, the largest
** cost of the writer thread after SQLite's own work (issue 18;
** docs/performance.md). This VFS is the system's "unix" VFS with one change:
** on a WAL file, writes that follow one another are gathered in memory and
** handed to the file in one write, before anything that depends on them:
** the sync of the commit (xSync), any read, a truncation, the file's size,
** a file control, the close, a write elsewhere in the file, or a full buffer.
**
** and, above all, the last frame of a commit: SQLite writes each frame as its
** 24-byte header (bytes 4-7: the database's size in pages after the commit,
** not 0 only on a commit's last frame; the WAL format) and then its page, and
** once the commit's page is handed over here, everything is written.
**
** Why nothing changes for durability or for readers: SQLite publishes a commit
** in the wal-index, where other connections look for it, only after it wrote
** the commit's last frame (and with synchronous=FULL, the server's setting,
** after the sync). So every frame is in the file before any reader can know
** of it, whatever the connection's synchronous setting (the demonstration
** data is seeded with NORMAL), and on disk before any reply says "booked". A
** crash (SIGKILL) before that loses only frames of a commit that never
** returned, as if the process had died before writing them: SQLite's recovery
** ignores an incomplete commit at the end of the WAL.
*/
#include "walvfs.h"

#include <sqlite3.h>
#include <string.h>

#define WALVFS_NAME "kominkan-wal"
#define BUF_MAX (4 << 20)   /* at most 4 MiB pending: ~1,000 pages */
/* The unix VFS writes at most 128 KiB - 1 in one call (seekAndWriteFd masks the
** length with 0x1ffff: more is a short write, reported as SQLITE_FULL). */
#define WRITE_MAX (31 * 4096)

struct walfile {
  sqlite3_file base;        /* our methods */
  sqlite3_file *real;       /* the unix VFS's file, right after this struct */
  unsigned char *buf;       /* pending bytes for [off, off + len) */
  int len, cap;
  sqlite3_int64 off;
  int commit_next;          /* the next write is the page of a commit's last frame */
};

#define WAL_HDR 32          /* the WAL file's header */
#define FRAME_HDR 24        /* each frame's header, before its page */

/* A frame header whose "database size after commit" is not 0: a commit's last frame. */
static int commit_frame_header(const unsigned char *h, int amt, sqlite3_int64 off) {
  return amt == FRAME_HDR && off >= WAL_HDR && (h[4] | h[5] | h[6] | h[7]) != 0;
}

static sqlite3_vfs *unix_vfs;
static sqlite3_vfs wal_vfs;

/* Write the pending bytes, if any, WRITE_MAX at a time. */
static int flush(struct walfile *f) {
  int rc = SQLITE_OK;
  for (int done = 0; done < f->len && rc == SQLITE_OK; done += WRITE_MAX) {
    int n = f->len - done < WRITE_MAX ? f->len - done : WRITE_MAX;
    rc = f->real->pMethods->xWrite(f->real, f->buf + done, n, f->off + done);
  }
  f->len = 0;
  return rc;
}

static int w_close(sqlite3_file *p) {
  struct walfile *f = (struct walfile *)p;
  int rc = flush(f), rc2 = f->real->pMethods ? f->real->pMethods->xClose(f->real) : SQLITE_OK;
  sqlite3_free(f->buf);
  f->buf = NULL;
  f->cap = 0;
  return rc != SQLITE_OK ? rc : rc2;
}

static int w_read(sqlite3_file *p, void *out, int amt, sqlite3_int64 off) {
  struct walfile *f = (struct walfile *)p;
  int rc = flush(f);
  return rc != SQLITE_OK ? rc : f->real->pMethods->xRead(f->real, out, amt, off);
}

/* Room for N pending bytes; 0 when the buffer cannot grow (then write directly). */
static int reserve(struct walfile *f, int n) {
  if (n <= f->cap) return 1;
  if (n > BUF_MAX) return 0;
  int cap = f->cap ? f->cap : 64 * 1024;
  while (cap < n) cap *= 2;
  if (cap > BUF_MAX) cap = BUF_MAX;
  unsigned char *b = sqlite3_realloc(f->buf, cap);
  if (!b) return 0;
  f->buf = b;
  f->cap = cap;
  return 1;
}

/* Gather DATA into the pending bytes, or write it; 0 or an SQLite code. */
static int gather(struct walfile *f, const void *data, int amt, sqlite3_int64 off) {
  int rc;
  if (f->len && off == f->off + f->len && reserve(f, f->len + amt)) {
    memcpy(f->buf + f->len, data, (size_t)amt);
    f->len += amt;
    return SQLITE_OK;
  }
  if ((rc = flush(f)) != SQLITE_OK) return rc;   /* elsewhere, or full: in order */
  if (amt > WRITE_MAX || !reserve(f, amt))
    return f->real->pMethods->xWrite(f->real, data, amt, off);
  memcpy(f->buf, data, (size_t)amt);
  f->len = amt;
  f->off = off;
  return SQLITE_OK;
}

static int w_write(sqlite3_file *p, const void *data, int amt, sqlite3_int64 off) {
  struct walfile *f = (struct walfile *)p;
  int last = f->commit_next;
  f->commit_next = commit_frame_header(data, amt, off);
  int rc = gather(f, data, amt, off);
  /* the commit is whole: into the file before SQLite can publish it */
  return rc == SQLITE_OK && last ? flush(f) : rc;
}

static int w_truncate(sqlite3_file *p, sqlite3_int64 size) {
  struct walfile *f = (struct walfile *)p;
  int rc = flush(f);
  return rc != SQLITE_OK ? rc : f->real->pMethods->xTruncate(f->real, size);
}

static int w_sync(sqlite3_file *p, int flags) {
  struct walfile *f = (struct walfile *)p;
  int rc = flush(f);
  return rc != SQLITE_OK ? rc : f->real->pMethods->xSync(f->real, flags);
}

static int w_size(sqlite3_file *p, sqlite3_int64 *size) {
  struct walfile *f = (struct walfile *)p;
  int rc = flush(f);
  return rc != SQLITE_OK ? rc : f->real->pMethods->xFileSize(f->real, size);
}

static int w_lock(sqlite3_file *p, int level) {
  struct walfile *f = (struct walfile *)p;
  return f->real->pMethods->xLock(f->real, level);
}

static int w_unlock(sqlite3_file *p, int level) {
  struct walfile *f = (struct walfile *)p;
  return f->real->pMethods->xUnlock(f->real, level);   /* SQLite locks the database, not its WAL */
}

static int w_reserved(sqlite3_file *p, int *out) {
  struct walfile *f = (struct walfile *)p;
  return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int w_control(sqlite3_file *p, int op, void *arg) {
  struct walfile *f = (struct walfile *)p;
  int rc = flush(f);
  return rc != SQLITE_OK ? rc : f->real->pMethods->xFileControl(f->real, op, arg);
}

static int w_sector(sqlite3_file *p) {
  struct walfile *f = (struct walfile *)p;
  return f->real->pMethods->xSectorSize(f->real);
}

static int w_device(sqlite3_file *p) {
  struct walfile *f = (struct walfile *)p;
  return f->real->pMethods->xDeviceCharacteristics(f->real);
}

/* A WAL file has no shared memory and no memory map of its own: version 1. */
static const sqlite3_io_methods wal_methods = {
    1, w_close, w_read, w_write, w_truncate, w_sync, w_size, w_lock, w_unlock, w_reserved,
    w_control, w_sector, w_device, NULL, NULL, NULL, NULL, NULL, NULL};

/* Every file but a WAL is opened by the unix VFS into P itself: SQLite then
** calls the unix methods on it directly. A WAL gets our methods, with the
** unix file after them. */
static int w_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *p, int flags,
                  int *out_flags) {
  (void)vfs;
  if (!(flags & SQLITE_OPEN_WAL)) return unix_vfs->xOpen(unix_vfs, name, p, flags, out_flags);
  struct walfile *f = (struct walfile *)p;
  memset(f, 0, sizeof *f);
  f->real = (sqlite3_file *)(f + 1);
  int rc = unix_vfs->xOpen(unix_vfs, name, f->real, flags, out_flags);
  /* SQLite calls xClose even after a failed open when pMethods is set */
  f->base.pMethods = rc == SQLITE_OK || f->real->pMethods ? &wal_methods : NULL;
  return rc;
}

int walvfs_register(void) {
  if (unix_vfs) return 0;
  sqlite3_vfs *u = sqlite3_vfs_find(NULL);   /* "unix" on Linux */
  if (!u) return -1;
  wal_vfs = *u;
  wal_vfs.zName = WALVFS_NAME;
  wal_vfs.pNext = NULL;
  int need = (int)sizeof(struct walfile) + u->szOsFile;
  wal_vfs.szOsFile = need > u->szOsFile ? need : u->szOsFile;
  wal_vfs.xOpen = w_open;
  unix_vfs = u;
  if (sqlite3_vfs_register(&wal_vfs, 0) != SQLITE_OK) {
    unix_vfs = NULL;
    return -1;
  }
  return 0;
}

const char *walvfs_name(void) { return unix_vfs ? WALVFS_NAME : NULL; }
