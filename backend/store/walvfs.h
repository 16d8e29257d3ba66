/*
** store/walvfs.h: a VFS that gathers the writes of a commit into the WAL into
** one write (walvfs.c says why that is safe). Used by every connection that
** db_open() makes (synchronous=FULL); readers and tools use SQLite's own.
*/
#ifndef KOMINKAN_WALVFS_H
#define KOMINKAN_WALVFS_H

/* Register the VFS with SQLite (once; later calls do nothing). 0, or -1
** when it could not be (then walvfs_name() is NULL: SQLite's own VFS). */
int walvfs_register(void);
/* Its name for sqlite3_open_v2, or NULL before walvfs_register() succeeded. */
const char *walvfs_name(void);

#endif
