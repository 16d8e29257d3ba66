/*
** tests/unit/test_lottery.c: the lottery (core/lottery.c) and the course
** core's decisions (core/courses.c, core/course_apps.c) on an in-memory
** database: the commitment, the ranking by SHA-256 of "SEEDHEX:ID", one draw
** only, first-come never over the capacity, a place given back offered to
** the next.
*/
#include "fixture.h"

#include "../../backend/core/courses.h"
#include "../../backend/core/lottery.h"

TestSuite(lottery, .init = fixture_setup, .fini = fixture_teardown);

static json_t *body(const char *text) {
  json_error_t e;
  json_t *j = json_loads(text, 0, &e);
  cr_assert(j, "bad test JSON: %s", e.text);
  return j;
}

/* A known answer: SHA-256 of "00...00:1" (64 zeros). */
Test(lottery, rank_key_is_sha256_of_seedhex_colon_id) {
  char seed[65], key[65];
  memset(seed, '0', 64);
  seed[64] = 0;
  lottery_rank_key(seed, 1, key);
  unsigned char h[32];
  char text[80], want[65];
  snprintf(text, sizeof text, "%s:1", seed);
  crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
  sodium_bin2hex(want, sizeof want, h, sizeof h);
  cr_assert_str_eq(key, want);
  cr_assert_eq(strlen(key), 64);
}

Test(lottery, ranking_is_ascending_keys_and_independent_of_input_order) {
  const char *seed = "4bd1a4f1a0d0c8b36a4b8d3fd1b4a7a1c7c4f96c2c3e3b9f0d4b7e8a9f1c2d3e";
  int64_t a[20], b[20];
  for (int i = 0; i < 20; i++) a[i] = b[19 - i] = 100 + i;
  lottery_rank(seed, a, 20);
  lottery_rank(seed, b, 20);
  for (int i = 0; i < 20; i++) cr_assert_eq(a[i], b[i]);
  for (int i = 1; i < 20; i++) {
    char k0[65], k1[65];
    lottery_rank_key(seed, a[i - 1], k0);
    lottery_rank_key(seed, a[i], k1);
    cr_assert_lt(strcmp(k0, k1), 0);
  }
}

Test(lottery, commitment_is_the_seed_hash_and_a_lottery_draws_once) {
  int64_t id = 0;
  struct kerrinfo ei = {0};
  cr_assert_eq(db_begin_write(db), DB_OK);
  cr_assert_eq(lottery_create(&ctx, "course", &id), 0);
  cr_assert_eq(db_commit(db), DB_OK);
  json_t *l = NULL;
  cr_assert_eq(lottery_get(&ctx, id, &l, &ei), 0);
  cr_assert_null(json_object_get(l, "seed"), "the seed is secret before the draw");
  char commitment[65];
  snprintf(commitment, sizeof commitment, "%s", json_string_value(json_object_get(l, "commitment")));
  json_decref(l);

  int64_t entries[3] = {7, 8, 9};
  cr_assert_eq(db_begin_write(db), DB_OK);
  cr_assert_eq(lottery_draw(&ctx, id, entries, 3, &ei), 0);
  for (int i = 0; i < 3; i++) cr_assert_eq(lottery_record(&ctx, id, i + 1, entries[i], i == 0), 0);
  cr_assert_eq(db_commit(db), DB_OK);
  cr_assert_eq(db_begin_write(db), DB_OK);
  cr_assert_eq(lottery_draw(&ctx, id, entries, 3, &ei), KERR_CONFLICT);
  db_rollback(db);
  kerr_clear(&ei);

  cr_assert_eq(lottery_get(&ctx, id, &l, &ei), 0);
  const char *seedhex = json_string_value(json_object_get(l, "seed"));
  unsigned char seed[32], h[32];
  char hex[65];
  cr_assert_eq(sodium_hex2bin(seed, 32, seedhex, 64, NULL, NULL, NULL), 0);
  crypto_hash_sha256(h, seed, 32);
  sodium_bin2hex(hex, sizeof hex, h, 32);
  cr_assert_str_eq(hex, commitment);
  cr_assert_eq(json_array_size(json_object_get(l, "ranking")), 3);
  cr_assert_eq(json_array_size(json_object_get(l, "accepted")), 1);
  cr_assert_eq(json_array_size(json_object_get(l, "waitlist")), 2);
  json_decref(l);
}

static int64_t make_course(int64_t staff, const char *alloc, int capacity) {
  char text[600];
  const struct center *c = rules_center(rb, "chuo");
  snprintf(text, sizeof text,
           "{\"center\":\"chuo\",\"title\":\"テスト講座\",\"capacity\":%d,\"allocation\":\"%s\","
           "\"apply_from\":\"2026-04-01\",\"apply_until\":\"2026-04-20\",\"sessions\":"
           "[{\"date\":\"2026-05-13\",\"slot\":\"morning\",\"room_id\":%lld}]}",
           capacity, alloc, (long long)c->rooms[0].id);
  json_t *in = body(text), *out = NULL;
  struct kerrinfo ei = {0};
  act_as(ROLE_STAFF, staff);
  cr_assert_eq(courses_create(&ctx, in, 0, &out, &ei), 0, "%s", ei.message);
  int64_t id = json_integer_value(json_object_get(out, "id"));
  json_decref(in);
  json_decref(out);
  return id;
}

static const char *apply(int64_t who, int64_t course, json_t **out) {
  struct kerrinfo ei = {0};
  act_as(ROLE_CITIZEN, who);
  int rc = courses_apply(&ctx, course, NULL, out, &ei);
  kerr_clear(&ei);
  return rc ? "error" : json_string_value(json_object_get(*out, "status"));
}

Test(lottery, first_come_fills_to_capacity_then_waitlists_and_offers_a_freed_place) {
  int64_t staff = quick_account(ROLE_STAFF, "職員", "password-123456");
  int64_t course = make_course(staff, "first_come", 2);
  int64_t p[3];
  json_t *a[3];
  for (int i = 0; i < 3; i++) p[i] = quick_account(ROLE_CITIZEN, "市民", "password-123456");
  cr_assert_str_eq(apply(p[0], course, &a[0]), "accepted");
  cr_assert_str_eq(apply(p[1], course, &a[1]), "accepted");
  cr_assert_str_eq(apply(p[2], course, &a[2]), "waitlisted");
  json_t *again = NULL;
  cr_assert_str_eq(apply(p[2], course, &again), "error", "one application per person");
  cr_assert_eq(count("SELECT count(*) FROM course_applications WHERE status = 'accepted'"), 2);

  struct kerrinfo ei = {0};
  json_t *out = NULL;
  act_as(ROLE_CITIZEN, p[0]);
  cr_assert_eq(courses_cancel_application(&ctx, json_integer_value(json_object_get(a[0], "id")),
                                          &out, &ei), 0);
  json_decref(out);
  cr_assert_eq(count("SELECT count(*) FROM course_applications WHERE status = 'offered'"), 1);
  act_as(ROLE_CITIZEN, p[2]);
  cr_assert_eq(courses_accept_offer(&ctx, json_integer_value(json_object_get(a[2], "id")), &out,
                                    &ei), 0);
  cr_assert_str_eq(json_string_value(json_object_get(out, "status")), "accepted");
  json_decref(out);
  for (int i = 0; i < 3; i++) json_decref(a[i]);
}

Test(lottery, a_course_slot_is_a_booking_and_a_second_course_there_is_refused) {
  int64_t staff = quick_account(ROLE_STAFF, "職員", "password-123456");
  make_course(staff, "lottery", 5);
  cr_assert_eq(count("SELECT count(*) FROM booking_slots WHERE active = 1"), 1);
  const struct center *c = rules_center(rb, "chuo");
  char text[600];
  snprintf(text, sizeof text,
           "{\"center\":\"chuo\",\"title\":\"二つ目\",\"capacity\":5,\"allocation\":\"lottery\","
           "\"apply_from\":\"2026-04-01\",\"apply_until\":\"2026-04-20\",\"sessions\":"
           "[{\"date\":\"2026-05-13\",\"slot\":\"morning\",\"room_id\":%lld}]}",
           (long long)c->rooms[0].id);
  json_t *in = body(text), *out = NULL;
  struct kerrinfo ei = {0};
  cr_assert_eq(courses_create(&ctx, in, 0, &out, &ei), KERR_SLOT_TAKEN);
  cr_assert(strstr(ei.message, "予約番号"), "%s", ei.message);
  kerr_clear(&ei);
  json_decref(in);
  cr_assert_eq(count("SELECT count(*) FROM courses"), 1);
  cr_assert_eq(count("SELECT count(*) FROM lotteries"), 1, "the refused course's lottery rolled back");
}
