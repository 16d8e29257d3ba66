/*
** core/keys.h: the server's two secrets, kept out of the database.
**
** The Ed25519 permit signing key (core/permits.c) and the pseudonym key of
** the usage log (core/audit.c) live in a key file beside the database,
** "FILE.keys", readable by its owner only (0600), so that a backup, a copy of
** the database or a usage-log extract holds no key: whoever gets one cannot
** forge permits or undo the pseudonyms. The file is created on the first
** start (in text: one "name base64" line per key); a database from before
** this change has its keys moved out of its server_keys table into the file
** on the first start of this version, and deleted from the table.
**
** The database keeps a fingerprint of its keys (server_keys
** 'keys_fingerprint', a BLAKE2b hash of both: it reveals nothing about them)
** so that a key file that does not belong to it, or a missing one (a
** database restored onto a new machine without its key file), is refused
** with a clear message instead of silently making new keys: new keys would
** break every permit already issued and every pseudonym already logged.
**
** An in-memory database (unit tests, fuzzing) has no file to leak and no
** place for a key file: it keeps its keys in its own server_keys table.
*/
#ifndef KOMINKAN_CORE_KEYS_H
#define KOMINKAN_CORE_KEYS_H

#include <sodium.h>
#include <stddef.h>

#include "../store/db.h"

struct kkeys {
  unsigned char permit[crypto_sign_SECRETKEYBYTES];         /* Ed25519 secret key */
  unsigned char pseudonym[crypto_generichash_KEYBYTES];     /* usage-log pseudonyms */
};

/* The keys of the database DB into K, made on first use. The key file is read
** once per process (and again only if it is replaced). Writes to DB on the
** first load only (the fingerprint, the move out of server_keys): call it
** first outside any transaction (permits_init() at start does). A thread keeps
** the keys of the connection it asked for last. 0, or a KERR
** code with the reason on standard error (a key file that is missing, broken
** or from another database). The caller wipes K with sodium_memzero. */
int keys_get(kdb *db, struct kkeys *k);

/* "DB_PATH.keys" into OUT; -1 when it does not fit. */
int keys_path(const char *db_path, char *out, size_t n);

/* Copy the key file of the database DB_PATH to TO, created 0600 (TO must not
** exist yet, so that no key is ever written over something else). 0, or -1
** with a message in ERR. */
int keys_copy(const char *db_path, const char *to, char *err, size_t errlen);

#endif
