/*
** tests/unit/fixture_bookings.h: a booking world for unit tests: a rule book,
** an in-memory database with its catalogue, accounts and groups inserted
** directly with SQL, and a context whose actor and clock a test sets by hand.
** Included by test_bookings.c, test_permits.c and test_rule_cases.c (static
** helpers, one copy per test file).
*/
#ifndef KOMINKAN_TESTS_FIXTURE_BOOKINGS_H
#define KOMINKAN_TESTS_FIXTURE_BOOKINGS_H

#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "../../backend/core/bookings.h"
#include "../../backend/core/clock.h"
#include "../../backend/core/ctx.h"
#include "../../backend/core/facilities.h"
#include "../../backend/core/rules.h"
#include "../../backend/store/db.h"

struct world {
  struct rulebook *rb;
  kdb *db;
  struct kctx ctx;
};

static inline int32_t fx_day(const char *s) {
  int32_t day = 0;
  cr_assert_eq(date_parse(s, &day), 0, "test date %s does not parse", s);
  return day;
}

/* The instant "YYYY-MM-DDTHH:MM[:SS]" Japan time. */
static inline int64_t fx_at(const char *s) {
  char buf[40];
  int64_t t = 0;
  if (strlen(s) == 16) snprintf(buf, sizeof buf, "%s:00+09:00", s);
  else snprintf(buf, sizeof buf, "%s+09:00", s);
  cr_assert_eq(clock_parse_instant(buf, &t), 0, "test instant %s does not parse", s);
  return t;
}

static inline void fx_open(struct world *w, const char *book_dir) {
  char err[256];
  json_t *problems = NULL;
  memset(w, 0, sizeof *w);
  w->rb = rules_load(book_dir, &problems);
  if (!w->rb) {
    char *s = json_dumps(problems, 0);
    cr_log_error("rule book %s: %s", book_dir, s ? s : "?");
    free(s);
    json_decref(problems);
    cr_assert_fail("the rule book %s does not load", book_dir);
  }
  w->db = db_open(":memory:", err, sizeof err);
  cr_assert_not_null(w->db, "db_open: %s", err);
  cr_assert_eq(facilities_sync(w->db, w->rb), 0);
  w->ctx.db = w->db;
  w->ctx.rb = w->rb;
  w->ctx.channel = "online";
  w->ctx.actor.role = ROLE_ANON;
}

static inline void fx_close(struct world *w) {
  db_close(w->db);
  rules_free(w->rb);
  memset(w, 0, sizeof *w);
}

static inline void fx_exec(struct world *w, kstmt *st) {
  cr_assert_not_null(st);
  int rc = db_exec_stmt(st);
  cr_assert_eq(rc, DB_OK, "SQL failed: %s", db_errmsg(w->db));
}

/* An account row (as identity would create it). */
static inline void fx_account(struct world *w, int64_t id, const char *role, const char *name) {
  kstmt *st = db_prep(w->db,
                      "INSERT INTO accounts(id, role, name, password_hash, created_at, resident)"
                      " VALUES ($id, $role, $name, 'x', 0, 1)");
  db_bind_int(st, "$id", id);
  db_bind_text(st, "$role", role);
  db_bind_text(st, "$name", name);
  fx_exec(w, st);
}

/* A group row; VALID_UNTIL may be NULL. */
static inline void fx_group(struct world *w, int64_t id, const char *name, int64_t rep,
                            const char *status, const char *valid_until, int public_listing) {
  kstmt *st = db_prep(w->db,
                      "INSERT INTO groups(id, name, name_kana, representative_id, members,"
                      " resident_members, status, valid_until, public_listing, created_at)"
                      " VALUES ($id, $name, 'だんたい', $rep, 10, 8, $status, $until, $pub, 0)");
  db_bind_int(st, "$id", id);
  db_bind_text(st, "$name", name);
  db_bind_int(st, "$rep", rep);
  db_bind_text(st, "$status", status);
  db_bind_text(st, "$until", valid_until);
  db_bind_int(st, "$pub", public_listing);
  fx_exec(w, st);
}

static inline void fx_corep(struct world *w, int64_t group, int64_t account) {
  kstmt *st = db_prep(w->db, "INSERT INTO group_reps(group_id, account_id) VALUES ($g, $a)");
  db_bind_int(st, "$g", group);
  db_bind_int(st, "$a", account);
  fx_exec(w, st);
}

/* Act as ACCOUNT with ROLE at instant NOW ("2026-04-01T09:00"). */
static inline void fx_as(struct world *w, int64_t account, int role, const char *now) {
  memset(&w->ctx.actor, 0, sizeof w->ctx.actor);
  w->ctx.actor.role = role;
  w->ctx.actor.account_id = account;
  if (now) w->ctx.now = fx_at(now);
}

static inline const struct room *fx_room(struct world *w, const char *center, const char *code) {
  const struct center *ce = rules_center(w->rb, center);
  cr_assert_not_null(ce, "no centre %s", center);
  for (int i = 0; i < ce->nrooms; i++)
    if (!strcmp(ce->rooms[i].code, code)) return &ce->rooms[i];
  cr_assert_fail("no room %s at %s", code, center);
  return NULL;
}

/* A create request body: SLOTS is "morning,afternoon"; GROUP 0 for none. */
static inline json_t *fx_body(struct world *w, const char *center, const char *room,
                              const char *date, const char *slots, int64_t group,
                              int attendees) {
  json_t *arr = json_array();
  char buf[128];
  snprintf(buf, sizeof buf, "%s", slots);
  for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
    json_array_append_new(arr, json_string(t));
  json_t *b = json_pack("{s:I, s:s, s:o, s:s, s:i}", "room_id",
                        (json_int_t)fx_room(w, center, room)->id, "date", date, "slots", arr,
                        "purpose", "会議", "attendees", attendees);
  if (group) json_object_set_new(b, "group_id", json_integer(group));
  return b;
}

/* Create; returns the KERR code, the booking id in *ID (0 on failure), and
** the message of a failure in MSG (may be NULL, holds 512 bytes). */
static inline int fx_book(struct world *w, const char *center, const char *room,
                          const char *date, const char *slots, int64_t group, int attendees,
                          int64_t *id, char *msg) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  json_t *body = fx_body(w, center, room, date, slots, group, attendees);
  int rc = booking_create(&w->ctx, body, NULL, &out, NULL, &ei);
  json_decref(body);
  if (id) *id = rc ? 0 : (int64_t)json_integer_value(json_object_get(out, "id"));
  if (msg) snprintf(msg, 512, "%s", ei.message[0] ? ei.message : kerr_message(rc));
  json_decref(out);
  kerr_clear(&ei);
  return rc;
}

/* The stored status of booking ID. */
static inline const char *fx_status(struct world *w, int64_t id) {
  static char s[16];
  kstmt *st = db_prep(w->db, "SELECT status FROM bookings WHERE id = $id");
  db_bind_int(st, "$id", id);
  cr_assert_eq(db_step(st), DB_ROW);
  snprintf(s, sizeof s, "%s", db_col_text(st, 0));
  db_reset(st);
  return s;
}

/* What a new booking's monthly cap counts from the bookings index alone
** (schema/031: nslots of the bookings held before their expiry, confirmed or
** checked in) is, for every booking at the world's clock, the number of its
** slot rows still active and not past a hold's expiry. */
static inline void fx_month_count_agrees(struct world *w) {
  kstmt *st = db_prep(w->db,
                      "SELECT b.id, b.status,"
                      " CASE WHEN b.status IN ('held', 'confirmed', 'checked_in')"
                      "  AND (b.hold_expires_at IS NULL OR b.hold_expires_at > $now)"
                      "  THEN b.nslots ELSE 0 END,"
                      " (SELECT count(*) FROM booking_slots bs WHERE bs.booking_id = b.id"
                      "  AND bs.active = 1"
                      "  AND (bs.hold_expires_at IS NULL OR bs.hold_expires_at > $now))"
                      " FROM bookings b");
  cr_assert_not_null(st);
  db_bind_int(st, "$now", w->ctx.now);
  int n = 0;
  while (db_step(st) == DB_ROW) {
    n++;
    cr_assert_eq(db_col_int(st, 2), db_col_int(st, 3),
                 "booking %lld (%s): the index counts %lld slots, its active slot rows are %lld",
                 (long long)db_col_int(st, 0), db_col_text(st, 1), (long long)db_col_int(st, 2),
                 (long long)db_col_int(st, 3));
  }
  db_reset(st);
  cr_assert_gt(n, 0, "no booking to compare");
}

#endif
