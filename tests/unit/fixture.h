/*
** tests/unit/fixture.h: a fresh in-memory database with the real rule book
** (ordinances/maebashi; the tests run from the repository root) and a
** context on a fixed day, shared by the identity tests. Header-only: each
** test file includes it once.
*/
#ifndef KOMINKAN_TEST_FIXTURE_H
#define KOMINKAN_TEST_FIXTURE_H

#include <criterion/criterion.h>

#include <sodium.h>
#include <string.h>

#include "../../backend/core/clock.h"
#include "../../backend/core/ctx.h"
#include "../../backend/core/facilities.h"
#include "../../backend/core/ids.h"
#include "../../backend/core/rules.h"
#include "../../backend/store/db.h"

static kdb *db;
static struct rulebook *rb;
static struct kctx ctx;

/* Wednesday 2026-04-08 10:00 JST. */
static inline int64_t T0(void) {
  int64_t t = 0;
  clock_parse_instant("2026-04-08T10:00:00+09:00", &t);
  return t;
}

static inline void fixture_setup(void) {
  char err[256];
  json_t *problems = NULL;
  cr_assert_geq(sodium_init(), 0);
  db = db_open(":memory:", err, sizeof err);
  cr_assert(db, "%s", err);
  rb = rules_load("ordinances/maebashi", &problems);
  cr_assert(rb, "the rule book does not load");
  cr_assert_eq(facilities_sync(db, rb), 0);
  memset(&ctx, 0, sizeof ctx);
  ctx.db = db;
  ctx.rb = rb;
  ctx.now = T0();
  ctx.actor.role = ROLE_ANON;
  ctx.channel = "online";
}

static inline void fixture_teardown(void) {
  db_close(db);
  rules_free(rb);
}

/* Act as account ID of ROLE. */
static inline void act_as(int role, int64_t id) {
  memset(&ctx.actor, 0, sizeof ctx.actor);
  ctx.actor.role = role;
  ctx.actor.account_id = id;
}

/* A count from constant SQL. */
static inline long long count(const char *sql) {
  kstmt *st = db_prep(db, sql);
  cr_assert(st, "%s", sql);
  cr_assert_eq(db_step(st), DB_ROW, "%s", sql);
  long long n = db_col_int(st, 0);
  db_reset(st);
  return n;
}

/* An account put straight into the table with a cheap (weak) hash of PW, so
** that tests which only need someone to exist spend no 64 MiB hash on it. */
static inline int64_t quick_account(int role, const char *name, const char *pw) {
  char h[crypto_pwhash_STRBYTES];
  cr_assert_eq(crypto_pwhash_str(h, pw, strlen(pw), crypto_pwhash_OPSLIMIT_MIN,
                                 crypto_pwhash_MEMLIMIT_MIN), 0);
  int64_t id = ids_random();
  kstmt *st = db_prep(db, "INSERT INTO accounts(id, role, name, password_hash, created_at)"
                          " VALUES ($id, $role, $name, $h, 0)");
  db_bind_int(st, "$id", id);
  db_bind_text(st, "$role", role_name(role));
  db_bind_text(st, "$name", name);
  db_bind_text(st, "$h", h);
  cr_assert_eq(db_exec_stmt(st), DB_OK);
  return id;
}

#endif
