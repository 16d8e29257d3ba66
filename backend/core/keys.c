/*
** core/keys.c: the key file beside the database (see keys.h).
*/
#include "keys.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kerr.h"

#define FILE_MAX 4096             /* a key file is ~250 bytes */
#define CACHE 8                   /* databases one process keeps keys for */

/* ---------------------------------------------------------- the table */

/* The keys in DB's server_keys table into K (an in-memory database's home, or
** a database from before the key file). *HAVE gets bit 1 for the permit key,
** 2 for the pseudonym key, 4 for the fingerprint (into FP). */
static int table_read(kdb *db, struct kkeys *k, unsigned char fp[16], int *have) {
  static const struct {
    const char *name;
    size_t off, len;
    int bit;
  } rows[] = {{"permit_ed25519", offsetof(struct kkeys, permit), crypto_sign_SECRETKEYBYTES, 1},
              {"pseudonym_key", offsetof(struct kkeys, pseudonym), crypto_generichash_KEYBYTES, 2},
              {"keys_fingerprint", 0, 16, 4}};
  *have = 0;
  kstmt *st = db_prep(db, "SELECT name, value FROM server_keys WHERE name IN"
                          " ('permit_ed25519', 'pseudonym_key', 'keys_fingerprint')");
  if (!st) return KERR_INTERNAL;
  int rc;
  while ((rc = db_step(st)) == DB_ROW) {
    size_t n = 0;
    const void *v = db_col_blob(st, 1, &n);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
      if (strcmp(db_col_text(st, 0), rows[i].name)) continue;
      if (!v || n != rows[i].len) { /* a damaged key: never replace it silently */
        fprintf(stderr, "keys: server_keys.%s has the wrong length\n", rows[i].name);
        db_reset(st);
        return KERR_INTERNAL;
      }
      memcpy(rows[i].bit == 4 ? fp : (unsigned char *)k + rows[i].off, v, n);
      *have |= rows[i].bit;
    }
  }
  db_reset(st);
  return rc == DB_DONE ? 0 : kerr_from_db(rc);
}

static int table_put(kdb *db, const char *name, const void *v, size_t n) {
  kstmt *st = db_prep(db, "INSERT OR REPLACE INTO server_keys(name, value) VALUES ($n, $v)");
  if (!st) return KERR_INTERNAL;
  db_bind_text(st, "$n", name);
  db_bind_blob(st, "$v", v, n);
  return kerr_from_db(db_exec_stmt(st));
}

/* An in-memory database: its keys in its own table, the missing ones made. */
static int memory_keys(kdb *db, struct kkeys *k) {
  unsigned char fp[16];
  int have = 0, rc = table_read(db, k, fp, &have);
  if (rc) return rc;
  if (!(have & 1)) {
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    crypto_sign_keypair(pk, k->permit);
    if ((rc = table_put(db, "permit_ed25519", k->permit, sizeof k->permit))) return rc;
  }
  if (!(have & 2)) {
    randombytes_buf(k->pseudonym, sizeof k->pseudonym);
    if ((rc = table_put(db, "pseudonym_key", k->pseudonym, sizeof k->pseudonym))) return rc;
  }
  return 0;
}

/* ------------------------------------------------------------ the file */

int keys_path(const char *db_path, char *out, size_t n) {
  return (size_t)snprintf(out, n, "%s.keys", db_path) < n ? 0 : -1;
}

static void fingerprint(const struct kkeys *k, unsigned char fp[16]) {
  crypto_generichash_state h;
  crypto_generichash_init(&h, (const unsigned char *)"kominkan-keys-fp", 16, 16);
  crypto_generichash_update(&h, k->permit, sizeof k->permit);
  crypto_generichash_update(&h, k->pseudonym, sizeof k->pseudonym);
  crypto_generichash_final(&h, fp, 16);
}

/* One "NAME BASE64" line of TEXT into OUT (exactly N bytes); 0 or -1. */
static int parse_line(const char *text, const char *name, unsigned char *out, size_t n) {
  size_t nl = strlen(name);
  for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
    if (strncmp(p, name, nl) || p[nl] != ' ') continue;
    const char *v = p + nl + 1, *end = v + strcspn(v, "\r\n");
    size_t got = 0;
    return sodium_base642bin(out, n, v, (size_t)(end - v), NULL, &got, NULL,
                             sodium_base64_VARIANT_ORIGINAL) == 0 && got == n ? 0 : -1;
  }
  return -1;
}

/* Read the key file PATH into K. 1 when there is none, 0 when read, -1 on
** an error (said on stderr). *ST gets the file's identity. */
static int file_read(const char *path, struct kkeys *k, struct stat *st) {
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) return 1;
  char buf[FILE_MAX + 1];
  ssize_t n = -1;
  if (fd >= 0 && fstat(fd, st) == 0) n = read(fd, buf, FILE_MAX);
  int e = errno;
  if (fd >= 0 && n >= 0 && (st->st_mode & 077)) {
    /* a copy put back with the wrong mode: make it private again */
    if (fchmod(fd, st->st_mode & 0700) == 0)
      fprintf(stderr, "keys: %s was readable by others: made 0600\n", path);
  }
  if (fd >= 0) close(fd);
  if (n < 0) {
    fprintf(stderr, "keys: cannot read %s: %s\n", path, strerror(e));
    return -1;
  }
  buf[n] = 0;
  int rc = parse_line(buf, "permit_ed25519", k->permit, sizeof k->permit) ||
                   parse_line(buf, "pseudonym_key", k->pseudonym, sizeof k->pseudonym)
               ? -1
               : 0;
  sodium_memzero(buf, sizeof buf);
  if (rc) fprintf(stderr, "keys: %s is not a kominkan key file (or it is damaged)\n", path);
  return rc;
}

static int write_all(int fd, const char *s, size_t n) {
  while (n) {
    ssize_t w = write(fd, s, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    s += w, n -= (size_t)w;
  }
  return 0;
}

/* Write K into PATH, created 0600 whatever the umask, whole or not at all: a
** private temporary file, synced, then linked to PATH (which fails if another
** process made PATH first: 1 then, and the caller reads theirs). 0 or -1. */
static int file_write(const char *path, const struct kkeys *k) {
  char tmp[PATH_MAX], text[512], a[128], b[64];
  if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid()) >= sizeof tmp)
    return -1;
  sodium_bin2base64(a, sizeof a, k->permit, sizeof k->permit, sodium_base64_VARIANT_ORIGINAL);
  sodium_bin2base64(b, sizeof b, k->pseudonym, sizeof k->pseudonym,
                    sodium_base64_VARIANT_ORIGINAL);
  int len = snprintf(text, sizeof text,
                     "# kominkan server keys: secret. Keep one copy apart from the backups;\n"
                     "# see docs/operations.md, \"File permissions and keys\".\n"
                     "permit_ed25519 %s\npseudonym_key %s\n", a, b);
  sodium_memzero(a, sizeof a);
  sodium_memzero(b, sizeof b);
  unlink(tmp);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  int rc = fd < 0 || fchmod(fd, 0600) != 0 || write_all(fd, text, (size_t)len) != 0 ||
                   fsync(fd) != 0
               ? -1
               : 0;
  sodium_memzero(text, sizeof text);
  int e = errno;
  if (fd >= 0) close(fd);
  if (rc == 0 && link(tmp, path) != 0) {
    e = errno;
    rc = e == EEXIST ? 1 : -1;
  }
  unlink(tmp);
  if (rc < 0) fprintf(stderr, "keys: cannot write %s: %s\n", path, strerror(e));
  return rc;
}

/* ------------------------------------------------------------ the load */

/* The keys of the database at DB_PATH (open as DB) from its key file,
** creating or migrating as keys.h says. *ST gets the file's identity. */
static int file_keys(kdb *db, const char *path, struct kkeys *k, struct stat *st) {
  struct kkeys old;
  unsigned char fp[16], want[16];
  int have = 0, rc = table_read(db, &old, want, &have), got;
  if (rc) goto done;
  while ((got = file_read(path, k, st)) == 1) {
    if (have & 4) {
      fprintf(stderr, "keys: the key file %s is missing, but the database has keys: put back"
                      " the copy you kept (docs/operations.md); new keys would break every"
                      " permit issued\n", path);
      rc = KERR_INTERNAL;
      goto done;
    }
    /* the first start: the keys the database had (an upgrade), else new ones */
    if (have & 1) memcpy(k->permit, old.permit, sizeof k->permit);
    else {
      unsigned char pk[crypto_sign_PUBLICKEYBYTES];
      crypto_sign_keypair(pk, k->permit);
    }
    if (have & 2) memcpy(k->pseudonym, old.pseudonym, sizeof k->pseudonym);
    else randombytes_buf(k->pseudonym, sizeof k->pseudonym);
    if ((got = file_write(path, k)) < 0) {
      rc = KERR_INTERNAL;
      goto done;
    }
    if (got == 0) fprintf(stderr, "keys: the server keys are in %s (keep a copy: see"
                                  " docs/operations.md)\n", path);
  }
  if (got < 0) {
    rc = KERR_INTERNAL;
    goto done;
  }
  fingerprint(k, fp);
  if (((have & 1) && sodium_memcmp(old.permit, k->permit, sizeof k->permit)) ||
      ((have & 2) && sodium_memcmp(old.pseudonym, k->pseudonym, sizeof k->pseudonym)) ||
      ((have & 4) && sodium_memcmp(want, fp, sizeof fp))) {
    fprintf(stderr, "keys: the key file %s belongs to another database: put back this"
                    " database's own key file\n", path);
    rc = KERR_INTERNAL;
    goto done;
  }
  /* Record the fingerprint; the keys themselves leave the database. */
  if (!(have & 4) && (rc = table_put(db, "keys_fingerprint", fp, sizeof fp))) goto done;
  if (have & 3) {
    if ((rc = kerr_from_db(db_run(db, "DELETE FROM server_keys WHERE name IN"
                                      " ('permit_ed25519', 'pseudonym_key')"))) == 0)
      fprintf(stderr, "keys: the keys were moved out of the database into %s\n", path);
  }
done:
  sodium_memzero(&old, sizeof old);
  return rc;
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
  char path[PATH_MAX];
  dev_t dev;
  ino_t ino;
  struct kkeys k;
} cache[CACHE];
static unsigned next_slot;

/* The keys of the connection this thread used last: a usage-log event per
** booking asked for them (a stat of the key file, the lock) ~1% of the
** opening minute's CPU. A connection keeps the file it opened for its life
** (a restore moves a new one in for new connections), so its keys do not
** change either; db_serial() tells connections apart. */
static _Thread_local struct {
  uint64_t serial;
  struct kkeys k;
} last;

static int keys_lookup(kdb *db, struct kkeys *k);

int keys_get(kdb *db, struct kkeys *k) {
  uint64_t serial = db_serial(db);
  if (serial && last.serial == serial) {
    *k = last.k;
    return 0;
  }
  int rc = keys_lookup(db, k);
  if (!rc && serial && db_filename(db)[0]) {
    last.serial = serial;
    last.k = *k;
  }
  return rc;
}

static int keys_lookup(kdb *db, struct kkeys *k) {
  const char *file = db_filename(db);
  if (!file || !*file) return memory_keys(db, k);
  char path[PATH_MAX];
  struct stat st;
  if (keys_path(file, path, sizeof path)) return KERR_INTERNAL;
  int rc = 0, have = stat(path, &st) == 0;
  pthread_mutex_lock(&mu);
  for (int i = 0; i < CACHE; i++) {
    if (have && cache[i].dev == st.st_dev && cache[i].ino == st.st_ino &&
        !strcmp(cache[i].path, path)) {
      *k = cache[i].k;
      goto done;
    }
  }
  if ((rc = file_keys(db, path, k, &st))) goto done;
  unsigned slot = next_slot++ % CACHE;
  snprintf(cache[slot].path, sizeof cache[slot].path, "%s", path);
  cache[slot].dev = st.st_dev;
  cache[slot].ino = st.st_ino;
  cache[slot].k = *k;
done:
  pthread_mutex_unlock(&mu);
  return rc;
}

int keys_copy(const char *db_path, const char *to, char *err, size_t errlen) {
  char path[PATH_MAX], buf[FILE_MAX];
  if (keys_path(db_path, path, sizeof path)) {
    snprintf(err, errlen, "path too long: %s", db_path);
    return -1;
  }
  int in = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), out = -1, rc = -1;
  ssize_t n = in >= 0 ? read(in, buf, sizeof buf) : -1;
  if (n < 0) {
    snprintf(err, errlen, "cannot read the key file %s: %s", path, strerror(errno));
    goto done;
  }
  out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (out < 0 || fchmod(out, 0600) != 0 || write_all(out, buf, (size_t)n) != 0 ||
      fsync(out) != 0) {
    snprintf(err, errlen, "cannot write %s: %s", to, strerror(errno));
    if (out >= 0) unlink(to);
    goto done;
  }
  rc = 0;
done:
  sodium_memzero(buf, sizeof buf);
  if (in >= 0) close(in);
  if (out >= 0) close(out);
  return rc;
}
