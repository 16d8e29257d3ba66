/*
** tests/unit/test_pwpolicy.c: the password policy (core/pwpolicy.c): the
** compiled-in common-password list, common passwords dressed up with digits
** and symbols, runs of few characters, and the person's own details.
*/
#include <criterion/criterion.h>
#include <string.h>

#include "../../backend/core/pwpolicy.h"

static const char *why(const char *pw, const struct pwpolicy_person *who) {
  const char *m = pwpolicy_check(pw, who);
  return m ? m : "";
}

Test(pwpolicy, the_list_is_compiled_in_and_large_enough) {
  cr_assert_geq(pwpolicy_list_size(), 10000);
  cr_assert(pwpolicy_is_common("password"));
  cr_assert(pwpolicy_is_common("123456"));
  cr_assert(pwpolicy_is_common("qwertyuiop"));
  cr_assert_not(pwpolicy_is_common("yuugure-no-akagisan"));
  cr_assert_not(pwpolicy_is_common(""));
}

/* RULE: passwords on the common-password list are refused. */
Test(pwpolicy, common_passwords_are_refused_whatever_their_case) {
  cr_assert(strstr(why("sunshine1234", NULL), "よく使われ"));
  cr_assert(strstr(why("baseball2026", NULL), "よく使われ"));
  cr_assert(strstr(why("PASSWORD1234", NULL), "よく使われ"), "case does not help");
  cr_assert(strstr(why("!!password!!", NULL), "よく使われ"), "nor symbols around it");
  cr_assert(strstr(why("123456789012", NULL), "単純"), "a run of digits");
  cr_assert(strstr(why("abcdefghijklmn", NULL), "単純"), "a run of letters");
  cr_assert(strstr(why("987654321098", NULL), "単純"), "backwards too");
  cr_assert_null(pwpolicy_check("my-password-is-long", NULL), "a list word inside a phrase is fine");
  cr_assert_null(pwpolicy_check("赤城山の夕暮れがすき", NULL));
}

Test(pwpolicy, runs_of_few_characters_are_refused) {
  cr_assert(strstr(why("zzzzzzzzzzzz", NULL), "単純"));
  cr_assert(strstr(why("xyzxyzxyzxyz", NULL), "単純"));
  cr_assert(strstr(why("ああああああああああああ", NULL), "単純"));
  cr_assert_null(pwpolicy_check("abcdxyzabcdxyz", NULL), "five kinds are enough for this check");
}

/* RULE: no password holding the person's own system ID, name or phone. */
Test(pwpolicy, the_persons_own_details_are_refused) {
  struct pwpolicy_person p = {.system_id = 100000017, .name = "前橋 花子",
                              .name_kana = "マエバシ　ハナコ", .phone = "027-123-4567"};
  cr_assert(strstr(why("my id 100000017!", &p), "利用者番号"));
  cr_assert(strstr(why("id-100-000-017-ok", &p), "利用者番号"), "separators do not hide it");
  cr_assert(strstr(why("call 027 123 4567 now", &p), "電話番号"));
  cr_assert(strstr(why("花子の春のうた2026", &p), "お名前"));
  cr_assert(strstr(why("前橋花子のパスワード", &p), "お名前"));
  cr_assert(strstr(why("はなこのひみつの言葉", &p), "お名前"), "kana in either script");
  cr_assert_null(pwpolicy_check("赤城山の夕暮れがすき", &p));
  /* a one-character name part alone is no reason to refuse */
  struct pwpolicy_person q = {.name = "林 一"};
  cr_assert_null(pwpolicy_check("林の中の小道をあるく", &q));
  cr_assert(strstr(why("林一のパスワードです", &q), "お名前"), "the whole name is");
}
