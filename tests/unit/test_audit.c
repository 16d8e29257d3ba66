/*
** tests/unit/test_audit.c: the usage log (core/audit.c): keyed pseudonyms
** that are stable, distinct, not the plain ID, and survive a restart.
*/
#include "fixture.h"

#include <stdio.h>
#include <unistd.h>

#include "../../backend/core/audit.h"

TestSuite(audit, .init = fixture_setup, .fini = fixture_teardown);

static int is_hex32(const char *s) {
  if (strlen(s) != 32) return 0;
  for (; *s; s++)
    if (!strchr("0123456789abcdef", *s)) return 0;
  return 1;
}

Test(audit, pseudonyms_are_stable_distinct_and_not_the_id) {
  char a[33], b[33], g[33], other[33], plain[16];
  cr_assert_eq(audit_pseudonym(db, AUDIT_ACCOUNT, 123456782, a), 0);
  cr_assert_eq(audit_pseudonym(db, AUDIT_ACCOUNT, 123456782, b), 0);
  cr_assert_eq(audit_pseudonym(db, AUDIT_GROUP, 123456782, g), 0);
  cr_assert_eq(audit_pseudonym(db, AUDIT_ACCOUNT, 987654324, other), 0);
  cr_assert(is_hex32(a), "%s", a);
  cr_assert_str_eq(a, b, "the same person, the same pseudonym");
  cr_assert_str_neq(a, g, "a group and a person with the same number differ");
  cr_assert_str_neq(a, other);
  snprintf(plain, sizeof plain, "%d", 123456782);
  cr_assert_null(strstr(a, plain));
  /* not an unkeyed hash of the ID either: anyone could compute that for all 10^8 IDs */
  unsigned char h[16];
  char unkeyed[33];
  crypto_generichash(h, sizeof h, (const unsigned char *)"a:123456782", 11, NULL, 0);
  sodium_bin2hex(unkeyed, sizeof unkeyed, h, sizeof h);
  cr_assert_str_neq(a, unkeyed);
  cr_assert_eq(count("SELECT count(*) FROM server_keys WHERE name = 'pseudonym_key'"), 1);
}

Test(audit, another_server_has_another_key) {
  char a[33], b[33], err[256];
  cr_assert_eq(audit_pseudonym(db, AUDIT_ACCOUNT, 123456782, a), 0);
  kdb *db2 = db_open(":memory:", err, sizeof err);
  cr_assert(db2);
  cr_assert_eq(audit_pseudonym(db2, AUDIT_ACCOUNT, 123456782, b), 0);
  cr_assert_str_neq(a, b);
  db_close(db2);
}

Test(audit, the_key_survives_a_restart) {
  char path[] = "/tmp/kominkan-audit-XXXXXX", file[64], a[33], b[33], err[256];
  cr_assert(mkdtemp(path));
  snprintf(file, sizeof file, "%s/k.db", path);
  kdb *d = db_open(file, err, sizeof err);
  cr_assert(d, "%s", err);
  cr_assert_eq(audit_pseudonym(d, AUDIT_ACCOUNT, 555555553, a), 0);
  db_close(d);
  d = db_open(file, err, sizeof err);
  cr_assert(d, "%s", err);
  cr_assert_eq(audit_pseudonym(d, AUDIT_ACCOUNT, 555555553, b), 0);
  db_close(d);
  cr_assert_str_eq(a, b);
  char wal[80], shm[80], keys[80];
  snprintf(wal, sizeof wal, "%s-wal", file);
  snprintf(shm, sizeof shm, "%s-shm", file);
  snprintf(keys, sizeof keys, "%s.keys", file); /* the key is in the file beside it */
  cr_assert_eq(access(keys, F_OK), 0);
  unlink(file), unlink(wal), unlink(shm), unlink(keys), rmdir(path);
}

Test(audit, event_carries_place_channel_role_and_pseudonyms) {
  act_as(ROLE_STAFF, 123456782);
  ctx.channel = "counter";
  struct audit_fields f = {.center = "chuo", .room_id = 3, .date = "2026-05-01",
                           .slot = "morning", .subject_group = 987654324, .amount = 320,
                           .detail_json = "{\"reason_code\":\"late\"}"};
  cr_assert_eq(db_begin_write(db), DB_OK);
  cr_assert_eq(audit_event(&ctx, "booking.hold", &f), 0);
  cr_assert_eq(audit_event(&ctx, "nothing.more", NULL), 0);
  cr_assert_eq(db_commit(db), DB_OK);
  char actor[33], subject[33];
  audit_pseudonym(db, AUDIT_ACCOUNT, 123456782, actor);
  audit_pseudonym(db, AUDIT_GROUP, 987654324, subject);
  kstmt *st = db_prep(db, "SELECT at, action, center, room_id, date, slot, channel, actor_role,"
                          " actor, subject, amount, detail FROM events ORDER BY id");
  cr_assert_eq(db_step(st), DB_ROW);
  cr_assert_eq(db_col_int(st, 0), T0());
  cr_assert_str_eq(db_col_text(st, 1), "booking.hold");
  cr_assert_str_eq(db_col_text(st, 2), "chuo");
  cr_assert_eq(db_col_int(st, 3), 3);
  cr_assert_str_eq(db_col_text(st, 4), "2026-05-01");
  cr_assert_str_eq(db_col_text(st, 5), "morning");
  cr_assert_str_eq(db_col_text(st, 6), "counter");
  cr_assert_str_eq(db_col_text(st, 7), "staff");
  cr_assert_str_eq(db_col_text(st, 8), actor);
  cr_assert_str_eq(db_col_text(st, 9), subject);
  cr_assert_eq(db_col_int(st, 10), 320);
  cr_assert_str_eq(db_col_text(st, 11), "{\"reason_code\":\"late\"}");
  cr_assert_eq(db_step(st), DB_ROW);
  cr_assert(db_col_null(st, 2) && db_col_null(st, 3) && db_col_null(st, 9) && db_col_null(st, 10));
  db_reset(st);
}

Test(audit, the_anonymous_have_no_pseudonym) {
  cr_assert_eq(audit_event(&ctx, "account.create", NULL), 0);
  cr_assert_eq(count("SELECT count(*) FROM events WHERE actor IS NULL AND actor_role = 'anonymous'"), 1);
}
