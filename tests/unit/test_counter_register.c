/*
** tests/unit/test_counter_register.c: registering a citizen at the counter
** (core/accounts.c accounts_create_at_counter, core/lifecycle.c
** lifecycle_sign_up): no password, a one-time code in the same
** transaction, sign-up's checks, counter hours, staff only, and a repeat
** with the form's key that gives the first slip and makes nothing new.
*/
#include "fixture.h"

#include <stdio.h>

#include "../../backend/core/accounts.h"
#include "../../backend/core/lifecycle.h"
#include "../../backend/core/throttle.h"

static int64_t clerk;

static void setup(void) {
  fixture_setup();
  throttle_reset_all();
  clerk = quick_account(ROLE_STAFF, "窓口 職員", "staff-password-1");
  act_as(ROLE_STAFF, clerk);
  snprintf(ctx.actor.home_center, sizeof ctx.actor.home_center, "chuo");
}

TestSuite(counter_register, .init = setup, .fini = fixture_teardown);

static const char *field(struct kerrinfo *ei, const char *name) {
  return json_string_value(json_object_get(ei->fields, name));
}

static json_t *person(const char *name, const char *phone) {
  return json_pack("{s:s, s:s, s:s, s:b}", "name", name, "name_kana", "まえばし", "phone", phone,
                   "resident", 1);
}

static long long citizens(void) { return count("SELECT count(*) FROM accounts WHERE role = 'citizen'"); }

/* The instant ISO (8601, with its offset). */
static int64_t at(const char *iso) {
  int64_t t = 0;
  cr_assert_eq(clock_parse_instant(iso, &t), 0);
  return t;
}

Test(counter_register, a_clerk_registers_without_a_password_and_the_code_sets_one) {
  struct kerrinfo ei = {0};
  struct signup_slip s;
  json_t *in = person("前橋 一葉", "027-231-1111");
  cr_assert_eq(lifecycle_sign_up(&ctx, in, NULL, &s, &ei), 0, "%s", ei.message);
  cr_assert(s.at_counter);
  cr_assert_not(s.replayed);
  cr_assert_eq(s.code_state, SLIP_CODE_VALID);
  cr_assert_eq(strlen(s.code), 14);
  cr_assert_eq(s.expires_at, ctx.now + REGISTER_CODE_SECONDS);
  cr_assert(accounts_no_password(db, s.system_id), "no password until the person sets one");
  /* the event: the clerk at the counter, at the clerk's centre */
  cr_assert_eq(count("SELECT count(*) FROM events WHERE action = 'account.create'"
                     " AND channel = 'counter' AND actor_role = 'staff' AND center = 'chuo'"), 1);
  cr_assert_eq(count("SELECT count(*) FROM audit_trail WHERE action = 'account.create'"), 1);
  cr_assert_eq(count("SELECT count(*) FROM password_resets WHERE kind = 'counter'"
                     " AND sealed_code IS NULL"), 1, "no key, nothing sealed");
  /* the person sets a password with the code */
  char sid[16];
  ids_format(s.system_id, sid);
  json_t *set = json_pack("{s:s, s:s, s:s}", "system_id", sid, "code", s.code, "password",
                          "ichiyou-no-pass-1");
  json_t *out = NULL;
  act_as(ROLE_ANON, 0);
  cr_assert_eq(lifecycle_reset_confirm(&ctx, set, "127.0.0.1", &out, &ei), 0, "%s", ei.message);
  cr_assert_not(accounts_no_password(db, s.system_id));
  json_decref(out);
  json_decref(set);
  json_decref(in);
}

/* RULE: a citizen can be reached; the same checks and messages as sign-up */
Test(counter_register, the_checks_of_sign_up_and_nothing_stored) {
  struct kerrinfo ei = {0};
  struct signup_slip s;
  json_t *in = json_pack("{s:s, s:s}", "name", "前橋 二葉", "name_kana", "Futaba");
  cr_assert_eq(lifecycle_sign_up(&ctx, in, NULL, &s, &ei), KERR_VALIDATION);
  cr_assert(strstr(field(&ei, "name_kana"), "ひらがなかカタカナ"));
  cr_assert_str_eq(field(&ei, "email"), "メールアドレスか電話番号の、どちらかを入力してください。");
  cr_assert_str_eq(field(&ei, "phone"), "メールアドレスか電話番号の、どちらかを入力してください。");
  cr_assert_null(field(&ei, "password"), "no password is asked of a clerk");
  cr_assert_eq(s.system_id, 0);
  kerr_clear(&ei);
  /* the same answer from the check alone, which writes nothing either */
  cr_assert_eq(accounts_check_at_counter(&ctx, in, &ei), KERR_VALIDATION);
  cr_assert(field(&ei, "name_kana"));
  kerr_clear(&ei);
  cr_assert_eq(citizens(), 0);
  cr_assert_eq(count("SELECT count(*) FROM events"), 0);
  cr_assert_eq(count("SELECT count(*) FROM password_resets"), 0);
  json_decref(in);
}

Test(counter_register, only_staff_and_admins) {
  struct kerrinfo ei = {0};
  struct signup_slip s;
  int64_t id = 0;
  json_t *in = person("前橋 三葉", "027-231-3333");
  act_as(ROLE_CITIZEN, quick_account(ROLE_CITIZEN, "前橋 市民", "citizen-pass-123"));
  cr_assert_eq(accounts_create_at_counter(&ctx, in, NULL, NULL, NULL, &id, NULL, &ei), KERR_FORBIDDEN);
  kerr_clear(&ei);
  /* a citizen without a password: the online sign-up, which needs one */
  cr_assert_eq(lifecycle_sign_up(&ctx, in, NULL, &s, &ei), KERR_VALIDATION);
  cr_assert(strstr(field(&ei, "password"), "パスワードを入力"));
  kerr_clear(&ei);
  act_as(ROLE_ANALYST, quick_account(ROLE_ANALYST, "分析 担当", "analyst-pass-123"));
  cr_assert_eq(accounts_check_at_counter(&ctx, in, &ei), KERR_FORBIDDEN);
  kerr_clear(&ei);
  act_as(ROLE_ADMIN, quick_account(ROLE_ADMIN, "管理 者", "admin-pass-1234"));
  cr_assert_eq(lifecycle_sign_up(&ctx, in, NULL, &s, &ei), 0, "%s", ei.message);
  cr_assert(s.at_counter);
  cr_assert_eq(citizens(), 2);
  json_decref(in);
}

/* RULE: counter hours (窓口受付時間), as every counter action */
Test(counter_register, outside_counter_hours_nothing_is_made) {
  struct kerrinfo ei = {0};
  struct signup_slip s;
  json_t *in = person("前橋 四葉", "027-231-4444");
  ctx.now = at("2026-04-08T17:16:00+09:00");
  cr_assert_eq(lifecycle_sign_up(&ctx, in, NULL, &s, &ei), KERR_COUNTER_HOURS);
  cr_assert(strstr(ei.message, "窓口の受付時間外です"));
  kerr_clear(&ei);
  /* a clerk's sign-up with a password is made at the counter too */
  json_object_set_new(in, "password", json_string("yotsuba-no-pass-1"));
  cr_assert_eq(lifecycle_sign_up(&ctx, in, NULL, &s, &ei), KERR_COUNTER_HOURS);
  kerr_clear(&ei);
  cr_assert_eq(citizens(), 0);
  cr_assert_eq(count("SELECT count(*) FROM password_resets"), 0);
  ctx.now = at("2026-04-08T17:15:00+09:00"); /* the last minute is open */
  json_object_del(in, "password");
  cr_assert_eq(lifecycle_sign_up(&ctx, in, NULL, &s, &ei), 0, "%s", ei.message);
  json_decref(in);
}

Test(counter_register, a_repeat_with_the_key_gives_the_first_slip_and_makes_nothing) {
  struct kerrinfo ei = {0};
  struct signup_slip first, again;
  const char *key = "0123456789abcdef0123456789abcdef";
  json_t *in = person("前橋 五葉", "027-231-5555");
  cr_assert_eq(lifecycle_sign_up(&ctx, in, key, &first, &ei), 0, "%s", ei.message);
  cr_assert_eq(lifecycle_sign_up(&ctx, in, key, &again, &ei), 0, "%s", ei.message);
  cr_assert(again.replayed);
  cr_assert_eq(again.system_id, first.system_id);
  cr_assert_str_eq(again.code, first.code, "the same code, opened with the key");
  cr_assert_eq(again.code_state, SLIP_CODE_VALID);
  cr_assert_eq(again.expires_at, first.expires_at);
  cr_assert_eq(citizens(), 1);
  cr_assert_eq(count("SELECT count(*) FROM password_resets"), 1);
  cr_assert_eq(count("SELECT count(*) FROM events WHERE action = 'account.create'"), 1);
  /* the key is not in the database, nor the code in clear */
  cr_assert_eq(count("SELECT count(*) FROM accounts WHERE form_key IS NOT NULL"
                     " AND typeof(form_key) = 'blob' AND length(form_key) = 32"), 1);
  kstmt *st = db_prep(db, "SELECT sealed_code FROM password_resets");
  cr_assert_eq(db_step(st), DB_ROW);
  size_t n = 0;
  const unsigned char *box = db_col_blob(st, 0, &n);
  cr_assert(box && n > 14);
  cr_assert_null(memmem(box, n, first.code, 14));
  db_reset(st);
  /* the same key with other details: refused, nothing made */
  json_t *other = person("前橋 六葉", "027-231-5555");
  cr_assert_eq(lifecycle_sign_up(&ctx, other, key, &again, &ei), KERR_CONFLICT);
  cr_assert(strstr(ei.message, "別の内容"));
  kerr_clear(&ei);
  cr_assert_eq(citizens(), 1);
  /* a key not of a form of ours */
  cr_assert_eq(lifecycle_sign_up(&ctx, other, "a key\twith a tab", &again, &ei), KERR_BAD_REQUEST);
  kerr_clear(&ei);
  /* another clerk's key is their own */
  act_as(ROLE_STAFF, quick_account(ROLE_STAFF, "窓口 二", "staff-password-2"));
  cr_assert_eq(lifecycle_sign_up(&ctx, in, key, &again, &ei), 0, "%s", ei.message);
  cr_assert_not(again.replayed);
  cr_assert_neq(again.system_id, first.system_id);
  cr_assert_eq(citizens(), 2);
  json_decref(other);
  json_decref(in);
}

Test(counter_register, a_repeat_after_the_code_was_used_or_ran_out_shows_no_code) {
  struct kerrinfo ei = {0};
  struct signup_slip first, again;
  const char *used_key = "used-key-0001", *late_key = "late-key-0002";
  json_t *a = person("前橋 七葉", "027-231-7777"), *b = person("前橋 八葉", "027-231-8888");
  cr_assert_eq(lifecycle_sign_up(&ctx, a, used_key, &first, &ei), 0, "%s", ei.message);
  char sid[16];
  ids_format(first.system_id, sid);
  json_t *set = json_pack("{s:s, s:s, s:s}", "system_id", sid, "code", first.code, "password",
                          "nanaha-no-pass-1");
  json_t *out = NULL;
  cr_assert_eq(lifecycle_reset_confirm(&ctx, set, "127.0.0.1", &out, &ei), 0, "%s", ei.message);
  json_decref(out);
  cr_assert_eq(count("SELECT count(*) FROM password_resets WHERE sealed_code IS NOT NULL"), 0,
               "the sealed copy goes with the use");
  cr_assert_eq(lifecycle_sign_up(&ctx, a, used_key, &again, &ei), 0, "%s", ei.message);
  cr_assert(again.replayed);
  cr_assert_eq(again.code_state, SLIP_CODE_USED);
  cr_assert_str_eq(again.code, "");
  cr_assert_eq(lifecycle_sign_up(&ctx, b, late_key, &first, &ei), 0, "%s", ei.message);
  ctx.now = at("2026-05-13T10:00:00+09:00"); /* 35 days on, a Wednesday */
  cr_assert_eq(lifecycle_sign_up(&ctx, b, late_key, &again, &ei), 0, "%s", ei.message);
  cr_assert(again.replayed);
  cr_assert_eq(again.code_state, SLIP_CODE_EXPIRED);
  cr_assert_str_eq(again.code, "");
  cr_assert_eq(citizens(), 2);
  json_decref(set);
  json_decref(a);
  json_decref(b);
}

/* A clerk who sends a password gets that password and no code, made at the
** counter all the same: the clerk kept with the account, channel counter. */
Test(counter_register, a_clerks_sign_up_with_a_password_is_made_at_the_counter_too) {
  struct kerrinfo ei = {0};
  struct signup_slip s;
  json_t *in = person("前橋 九葉", "027-231-9999");
  json_object_set_new(in, "password", json_string("kokonoha-pass-1"));
  cr_assert_eq(lifecycle_sign_up(&ctx, in, NULL, &s, &ei), 0, "%s", ei.message);
  cr_assert_not(s.at_counter, "no code: the password is set");
  cr_assert_not(accounts_no_password(db, s.system_id));
  cr_assert_eq(count("SELECT count(*) FROM password_resets"), 0);
  kstmt *st = db_prep(db, "SELECT registered_by, form_key IS NULL FROM accounts WHERE id = $id");
  db_bind_int(st, "$id", s.system_id);
  cr_assert_eq(db_step(st), DB_ROW);
  cr_assert_eq(db_col_int(st, 0), clerk, "the clerk is kept with the account");
  cr_assert_eq(db_col_int(st, 1), 1);
  db_reset(st);
  cr_assert_eq(count("SELECT count(*) FROM events WHERE action = 'account.create'"
                     " AND channel = 'counter' AND center = 'chuo'"), 1);
  json_decref(in);
}
