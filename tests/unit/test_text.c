/*
** Unit tests for core/text.c, core/kerr.c and http/form.c.
*/
#include <criterion/criterion.h>
#include <string.h>

#include "../../backend/core/kerr.h"
#include "../../backend/core/text.h"
#include "../../backend/http/form.h"

Test(text, utf8_accepts_japanese_and_rejects_malformed) {
  const char *ok = "前橋市 公民館 ｺｳﾐﾝｶﾝ 🏯";
  cr_assert(text_utf8_valid(ok, strlen(ok)));
  cr_assert_not(text_utf8_valid("\xff", 1));
  cr_assert_not(text_utf8_valid("\xc0\xaf", 2), "overlong slash");
  cr_assert_not(text_utf8_valid("\xed\xa0\x80", 3), "surrogate");
  cr_assert_not(text_utf8_valid("\xe5\x89", 2), "truncated");
  cr_assert_not(text_utf8_valid("\xf4\x90\x80\x80", 4), "above U+10FFFF");
  cr_assert_eq(text_utf8_len("前橋a"), 3);
}

Test(text, invisible_reordering_characters_are_refused) {
  cr_assert_not(text_has_control("前橋 花子\t俳句の会\n"), "tab and newline stay allowed");
  cr_assert_not(text_has_control("家族👨\u200d👩\u200d👧"), "the joiner inside an emoji stays");
  const char *bad[] = {"abc\u202eevil", "\u202a左", "x\u2066y\u2069", "a\u200bb", "\u200f名",
                       "名\u2060前", "\ufeff前橋", "a\xc2\x85" "b", "a\x01" "b", "a\x7f" "b"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    cr_assert(text_has_control(bad[i]), "case %zu is refused", i);
  cr_assert(text_has_invisible("\u202e"));
  cr_assert_not(text_has_invisible("「」・ー〜—"), "Japanese punctuation is visible");
}

Test(kerr, every_code_has_status_code_and_japanese_message) {
  for (int c = 1; c < KERR__COUNT; c++) {
    cr_assert_geq(kerr_http_status(c), 400, "code %d", c);
    cr_assert_gt(strlen(kerr_code(c)), 0);
    cr_assert_gt(strlen(kerr_message(c)), 0);
  }
  cr_assert_str_eq(kerr_code(KERR_SLOT_TAKEN), "slot_taken");
  cr_assert_eq(kerr_http_status(KERR_SLOT_TAKEN), 409);
  cr_assert_str_eq(kerr_code(KERR_OUTSIDE_WINDOW), "outside_booking_window");
  cr_assert_str_eq(kerr_code(KERR_TOO_LARGE), "too_large");
}

Test(kerr, first_error_wins_and_fields_collect) {
  struct kerrinfo ei = {0};
  kerr_field(&ei, "name", "名前を入力してください。");
  kerr_field(&ei, "name", "second");
  kerr_set(&ei, KERR_CLOSED, "x");
  cr_assert_eq(ei.code, KERR_VALIDATION);
  cr_assert_str_eq(json_string_value(json_object_get(ei.fields, "name")), "名前を入力してください。");
  kerr_clear(&ei);
  cr_assert_null(ei.fields);
  kerr_clear(NULL);
}

Test(form, decodes_plus_percent_and_repeated_keys) {
  int err;
  const char *b = "name=%E5%89%8D%E6%A9%8B+%E5%A4%AA%E9%83%8E&slots=morning&slots=afternoon&empty=&flag";
  json_t *o = form_parse(b, strlen(b), &err);
  cr_assert_not_null(o);
  cr_assert_str_eq(json_string_value(json_object_get(o, "name")), "前橋 太郎");
  json_t *slots = json_object_get(o, "slots");
  cr_assert(json_is_array(slots));
  cr_assert_eq(json_array_size(slots), 2);
  cr_assert_str_eq(json_string_value(json_array_get(slots, 1)), "afternoon");
  cr_assert_str_eq(json_string_value(json_object_get(o, "empty")), "");
  cr_assert_str_eq(json_string_value(json_object_get(o, "flag")), "");
  json_decref(o);
}

Test(form, rejects_bad_escapes_nul_and_bad_utf8) {
  int err;
  cr_assert_null(form_parse("a=%zz", 5, &err));
  cr_assert_eq(err, KERR_BAD_REQUEST);
  cr_assert_null(form_parse("a=%4", 4, &err));
  cr_assert_eq(err, KERR_BAD_REQUEST);
  cr_assert_null(form_parse("a=%00", 5, &err));
  cr_assert_eq(err, KERR_BAD_REQUEST);
  cr_assert_null(form_parse("a=%ff", 5, &err));
  cr_assert_eq(err, KERR_BAD_UTF8);
  json_t *o = form_parse("", 0, &err);
  cr_assert_not_null(o);
  cr_assert_eq(json_object_size(o), 0);
  json_decref(o);
}

Test(text, fold_phone_turns_what_a_phone_keyboard_types_into_ascii) {
  char a[] = "０２７－１２３ー４５６７";
  text_fold_phone(a);
  cr_assert_str_eq(a, "027-123-4567");
  char b[] = "090 1234\xe3\x80\x80" "5678";
  text_fold_phone(b);
  cr_assert_str_eq(b, "09012345678");
  char c[] = "027−123‐4567x";
  text_fold_phone(c);
  cr_assert_str_eq(c, "027-123-4567x", "anything else is left for the check");
}

Test(text, fold_kana_turns_one_script_into_the_other_and_leaves_the_rest) {
  char a[] = "まえばし たんかノカイ ー 短歌 ABC ゔ";
  text_fold_kana(a, 1);
  cr_assert_str_eq(a, "マエバシ タンカノカイ ー 短歌 ABC ヴ");
  text_fold_kana(a, 0);
  cr_assert_str_eq(a, "まえばし たんかのかい ー 短歌 ABC ゔ");
  char b[] = "ヷヺ・ヽ〆ぁゖァヶ";   /* past the pairs: left as they are */
  text_fold_kana(b, 0);
  cr_assert_str_eq(b, "ヷヺ・ヽ〆ぁゖぁゖ");
}
