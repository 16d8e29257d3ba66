/*
** tests/unit/test_ids.c: system IDs and group IDs (core/ids.c): the Luhn
** check digit, random drawing, and reading what a person typed.
*/
#include <criterion/criterion.h>

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "../../backend/core/ids.h"

static void setup(void) { cr_assert_geq(sodium_init(), 0); }
TestSuite(ids, .init = setup);

/* The textbook Luhn check over a whole digit string, written independently. */
static int luhn_ok(const char *s) {
  int sum = 0, n = (int)strlen(s);
  for (int i = 0; i < n; i++) {
    int d = s[n - 1 - i] - '0';
    if (i % 2 == 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 == 0;
}

Test(ids, check_digit_known_values) {
  /* 12345678 -> 2 by hand: 8*2=16->7, 7, 6*2=12->3, 5, 4*2=8, 3, 2*2=4, 1: 38 */
  cr_assert_eq(ids_check_digit(12345678), 2);
  cr_assert(ids_valid(123456782));
  cr_assert_not(ids_valid(123456783));
  cr_assert(luhn_ok("79927398713"), "the textbook example");
  for (int64_t p = 10000000; p < 100000000; p += 7919) {
    char s[16];
    snprintf(s, sizeof s, "%lld%d", (long long)p, ids_check_digit(p));
    cr_assert(luhn_ok(s), "%s", s);
  }
  cr_assert_not(ids_valid(12345678));      /* 8 digits */
  cr_assert_not(ids_valid(1234567820));    /* 10 digits */
}

Test(ids, random_ids_are_well_formed_and_not_sequential) {
  int64_t prev = 0;
  int same_next = 0;
  for (int i = 0; i < 5000; i++) {
    int64_t id = ids_random();
    cr_assert(id >= IDS_MIN && id <= IDS_MAX, "%lld is not 9 digits", (long long)id);
    cr_assert(ids_valid(id), "%lld fails its own check digit", (long long)id);
    if (prev && (id == prev + 1 || id == prev + 10)) same_next++;
    prev = id;
  }
  cr_assert_lt(same_next, 3, "random IDs look sequential");
}

/* RULE: a mistyped ID is recognised by its check digit: every single-digit
** substitution at every position of many IDs fails. */
Test(ids, every_single_digit_typo_is_detected) {
  for (int n = 0; n < 2000; n++) {
    int64_t id = ids_random();
    char s[10], t[10];
    ids_format(id, s);
    for (int pos = 0; pos < 9; pos++)
      for (char d = '0'; d <= '9'; d++) {
        if (d == s[pos]) continue;
        memcpy(t, s, sizeof t);
        t[pos] = d;
        int64_t out = 1;
        int rc = ids_parse(t, &out);
        cr_assert_neq(rc, IDS_OK, "typo %s of %s was accepted", t, s);
        cr_assert_eq(out, 0);
        if (pos > 0) cr_assert_eq(rc, IDS_CHECK, "typo %s of %s: want a check-digit error", t, s);
      }
  }
}

Test(ids, neighbour_swaps_are_detected_except_09) {
  for (int n = 0; n < 2000; n++) {
    int64_t id = ids_random();
    char s[10], t[10];
    ids_format(id, s);
    for (int pos = 0; pos < 8; pos++) {
      if (s[pos] == s[pos + 1]) continue;
      if ((s[pos] == '0' && s[pos + 1] == '9') || (s[pos] == '9' && s[pos + 1] == '0')) continue;
      memcpy(t, s, sizeof t);
      t[pos] = s[pos + 1];
      t[pos + 1] = s[pos];
      int64_t out;
      cr_assert_neq(ids_parse(t, &out), IDS_OK, "swap %s of %s was accepted", t, s);
    }
  }
}

Test(ids, parse_accepts_what_people_type) {
  int64_t out = 0;
  cr_assert_eq(ids_parse("123456782", &out), IDS_OK);
  cr_assert_eq(out, 123456782);
  cr_assert_eq(ids_parse(" 123-456-782 ", &out), IDS_OK);
  cr_assert_eq(out, 123456782);
  cr_assert_eq(ids_parse("１２３４５６７８２", &out), IDS_OK, "full-width digits");
  cr_assert_eq(out, 123456782);
  cr_assert_eq(ids_parse("123　456　782", &out), IDS_OK, "ideographic spaces");
  cr_assert_eq(ids_parse("123456783", &out), IDS_CHECK);
  cr_assert_eq(ids_parse("12345678", &out), IDS_FORMAT);
  cr_assert_eq(ids_parse("1234567820", &out), IDS_FORMAT);
  cr_assert_eq(ids_parse("023456782", &out), IDS_FORMAT, "a leading zero is never an ID");
  cr_assert_eq(ids_parse("12345678x", &out), IDS_FORMAT);
  cr_assert_eq(ids_parse("", &out), IDS_EMPTY);
  cr_assert_eq(ids_parse("  ", &out), IDS_EMPTY);
  cr_assert_eq(ids_parse(NULL, &out), IDS_EMPTY);
}

Test(ids, parse_json_takes_strings_and_integers) {
  int64_t out;
  json_t *v = json_integer(123456782);
  cr_assert_eq(ids_parse_json(v, &out), IDS_OK);
  json_decref(v);
  v = json_integer(123456783);
  cr_assert_eq(ids_parse_json(v, &out), IDS_CHECK);
  json_decref(v);
  v = json_integer(42);
  cr_assert_eq(ids_parse_json(v, &out), IDS_FORMAT);
  json_decref(v);
  v = json_string("123456782");
  cr_assert_eq(ids_parse_json(v, &out), IDS_OK);
  json_decref(v);
  v = json_true();
  cr_assert_eq(ids_parse_json(v, &out), IDS_FORMAT);
  cr_assert_eq(ids_parse_json(NULL, &out), IDS_EMPTY);
}

Test(ids, messages_say_what_is_wrong) {
  char m[512];
  ids_message(IDS_CHECK, "利用者番号", m, sizeof m);
  cr_assert(strstr(m, "利用者番号") && strstr(m, "確認用の数字"), "%s", m);
  ids_message(IDS_FORMAT, "団体ID", m, sizeof m);
  cr_assert(strstr(m, "団体ID") && strstr(m, "9けた"), "%s", m);
  ids_message(IDS_EMPTY, "利用者番号", m, sizeof m);
  cr_assert(strstr(m, "入力してください"), "%s", m);
}

Test(ids, format_and_json) {
  char s[10];
  ids_format(123456782, s);
  cr_assert_str_eq(s, "123456782");
  json_t *j = ids_json(987654324);
  cr_assert_str_eq(json_string_value(j), "987654324");
  json_decref(j);
}
