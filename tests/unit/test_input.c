/*
** Unit tests for core/input.c: a number in a JSON body is a JSON integer;
** only a form (every value text) sends it as digits.
*/
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "../../backend/core/input.h"

static json_t *body(const char *text) {
  json_t *j = json_loads(text, 0, NULL);
  cr_assert_not_null(j, "%s", text);
  return j;
}

Test(input, a_json_number_is_a_json_integer) {
  json_t *j = body("{\"n\": 12, \"s\": \"12\", \"w\": \"１２\", \"e\": \"\", \"f\": 1.5, \"t\": true,"
                   " \"z\": null, \"x\": \"たくさん\"}");
  long long v;
  cr_assert_eq(input_int(j, "n", 0, 1, 100, &v), INPUT_OK);
  cr_assert_eq(v, 12);
  /* text in a JSON body is refused, whatever it says */
  for (const char *k = "swefxt"; *k; k++) {
    char key[2] = {*k, 0};
    cr_assert_eq(input_int(j, key, 0, 1, 100, &v), INPUT_BAD, "%s", key);
  }
  cr_assert_eq(input_int(j, "z", 0, 1, 100, &v), INPUT_MISSING);
  cr_assert_eq(input_int(j, "absent", 0, 1, 100, &v), INPUT_MISSING);
  cr_assert_eq(input_int(j, "n", 0, 13, 100, &v), INPUT_BAD, "out of range");
  json_decref(j);
}

Test(input, a_form_sends_digits_as_text) {
  json_t *j = body("{\"s\": \"12\", \"w\": \" １２ \", \"e\": \"\", \"x\": \"12人\", \"m\": \"-1\"}");
  long long v;
  cr_assert_eq(input_int(j, "s", 1, 1, 100, &v), INPUT_OK);
  cr_assert_eq(v, 12);
  cr_assert_eq(input_int(j, "w", 1, 1, 100, &v), INPUT_OK, "full-width, spaces trimmed");
  cr_assert_eq(v, 12);
  cr_assert_eq(input_int(j, "e", 1, 1, 100, &v), INPUT_MISSING, "an empty field is not given");
  cr_assert_eq(input_int(j, "x", 1, 1, 100, &v), INPUT_BAD);
  cr_assert_eq(input_int(j, "m", 1, 0, 100, &v), INPUT_BAD);
  json_decref(j);
}

Test(input, the_message_says_when_the_quotes_are_the_mistake) {
  json_t *j = body("{\"s\": \"12\", \"x\": \"たくさん\", \"n\": -1}");
  const char *own = "人数を入力してください。";
  cr_assert(strstr(input_int_message(j, "s", 0, own), "JSON の数値で"), "digits in quotes");
  cr_assert_str_eq(input_int_message(j, "s", 1, own), own, "a form's digits are fine");
  cr_assert_str_eq(input_int_message(j, "x", 0, own), own, "not a number at all");
  cr_assert_str_eq(input_int_message(j, "n", 0, own), own, "a number out of range");
  json_decref(j);
}
