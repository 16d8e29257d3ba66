/*
** tests/unit/test_keys.c: the server keys live in a 0600 key file beside the
** database, never in it (core/keys.c; issue 12, item 3).
**
** Each test works in its own temp folder with a database file (an in-memory
** database keeps its keys in its own table: the other unit tests cover it).
*/
#include <criterion/criterion.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../backend/core/audit.h"
#include "../../backend/core/backup.h"
#include "../../backend/core/keys.h"
#include "../../backend/core/permits.h"
#include "../../backend/store/db.h"

static char dir[256];

static void mkdir_tmp(void) {
  snprintf(dir, sizeof dir, "/tmp/kominkan-unit-keys-XXXXXX");
  cr_assert_not_null(mkdtemp(dir));
}

static void rm_tmp(void) {
  DIR *d = opendir(dir);
  struct dirent *e;
  char p[600];
  while (d && (e = readdir(d)))
    if (e->d_name[0] != '.') {
      snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
      unlink(p);
    }
  if (d) closedir(d);
  rmdir(dir);
}

TestSuite(keys, .init = mkdir_tmp, .fini = rm_tmp);

static char *path(const char *name) {
  static char buf[4][600];
  static int k;
  char *p = buf[k++ % 4];
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
  struct stat sb;
  cr_assert_eq(stat(path("k.db.keys"), &sb), 0, "no key file");
  cr_assert_eq(sb.st_mode & 0777, 0600, "mode %o", sb.st_mode & 0777);
  cr_assert_eq(stat(path("k.db"), &sb), 0);
  cr_assert_eq(sb.st_mode & 0777, 0600, "the database: mode %o", sb.st_mode & 0777);
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
  struct stat sb;
  cr_assert_eq(stat(path("copy.keys"), &sb), 0);
  cr_assert_eq(sb.st_mode & 0777, 0600);
  size_t n1, n2;
  unsigned char *x = slurp(path("k.db.keys"), &n1), *y = slurp(path("copy.keys"), &n2);
  cr_assert(n1 == n2 && !memcmp(x, y, n1));
  free(x);
  free(y);
  cr_assert_neq(keys_copy(path("k.db"), path("copy.keys"), err, sizeof err), 0);
}
