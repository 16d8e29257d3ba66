/*
** tests/unit/test_accounts.c: accounts, passwords, sign-in, throttling, the
** bound on password hashes, and sessions (core/accounts.c, core/throttle.c).
**
** Argon2id at INTERACTIVE costs ~0.3 s under ASan: the tests that hash are
** few, and the rest put accounts in with a cheap hash (fixture.h).
*/
#include "fixture.h"

#include "../../backend/core/accounts.h"
#include "../../backend/core/throttle.h"

TestSuite(accounts, .init = fixture_setup, .fini = fixture_teardown);

static json_t *body(const char *text) {
  json_error_t e;
  json_t *j = json_loads(text, 0, &e);
  cr_assert(j, "bad test JSON: %s", e.text);
  return j;
}

static const char *field(struct kerrinfo *ei, const char *name) {
  return json_string_value(json_object_get(ei->fields, name));
}

/* Everything wrong at once: one message per field, and nothing stored. */
Test(accounts, validation_names_every_field_and_stores_nothing) {
  struct kerrinfo ei = {0};
  int64_t id = 7;
  json_t *in = body("{\"name\":\"  \",\"name_kana\":\"Hanako\",\"email\":\"hanako@@example\","
                    "\"phone\":\"027(123)4567\",\"password\":\"short\",\"resident\":\"maybe\"}");
  int rc = accounts_create(&ctx, in, ROLE_CITIZEN, NULL, ACCOUNT_SELF_SERVICE, &id, &ei);
  cr_assert_eq(rc, KERR_VALIDATION);
  cr_assert_eq(id, 0);
  cr_assert_str_eq(field(&ei, "name"), "氏名を入力してください。");
  cr_assert(strstr(field(&ei, "name_kana"), "ひらがなかカタカナ"));
  cr_assert(strstr(field(&ei, "email"), "メールアドレス"));
  cr_assert(strstr(field(&ei, "phone"), "数字とハイフン"));
  cr_assert(strstr(field(&ei, "password"), "12文字以上"));
  cr_assert(field(&ei, "resident"));
  cr_assert_eq(count("SELECT count(*) FROM accounts"), 0);
  cr_assert_eq(count("SELECT count(*) FROM events"), 0);
  kerr_clear(&ei);
  json_decref(in);
}

Test(accounts, self_service_needs_kana_and_a_contact) {
  struct kerrinfo ei = {0};
  int64_t id;
  json_t *in = body("{\"name\":\"前橋 花子\",\"password\":\"a long enough password\"}");
  cr_assert_eq(accounts_create(&ctx, in, ROLE_CITIZEN, NULL, ACCOUNT_SELF_SERVICE, &id, &ei),
               KERR_VALIDATION);
  cr_assert(strstr(field(&ei, "name_kana"), "ふりがなを入力"));
  cr_assert(strstr(field(&ei, "email"), "どちらか"));
  cr_assert(strstr(field(&ei, "phone"), "どちらか"));
  cr_assert_eq(count("SELECT count(*) FROM accounts"), 0);
  kerr_clear(&ei);
  json_decref(in);
}

Test(accounts, kana_is_hiragana_or_katakana_with_spaces_and_long_vowels) {
  cr_assert_null(accounts_check_kana("まえばし はなこ"));
  cr_assert_null(accounts_check_kana("マエバシ　ハナコ"));
  cr_assert_null(accounts_check_kana("ジョン・スミス"));
  cr_assert_null(accounts_check_kana("ルーシー"));
  cr_assert_not_null(accounts_check_kana("Hanako"));
  cr_assert_not_null(accounts_check_kana("前橋"));
  cr_assert_not_null(accounts_check_kana("ﾏｴﾊﾞｼ"), "half-width kana");
  cr_assert_not_null(accounts_check_kana("　"), "spaces only");
  cr_assert_not_null(accounts_check_kana("まえばし1"));
}

Test(accounts, email_phone_password_checks) {
  cr_assert_null(accounts_check_email("taro@example.jp"));
  cr_assert_null(accounts_check_email("t.a+ro@mail.city.maebashi.jp"));
  cr_assert_not_null(accounts_check_email("taro@example"));
  cr_assert_not_null(accounts_check_email("taro@@example.jp"));
  cr_assert_not_null(accounts_check_email("taro.@example.jp"));
  cr_assert_not_null(accounts_check_email("taro@-example.jp"));
  cr_assert_not_null(accounts_check_email("たろう@example.jp"));
  cr_assert_not_null(accounts_check_email("taro example@example.jp"));
  cr_assert_null(accounts_check_phone("027-123-4567"));
  cr_assert_null(accounts_check_phone("09012345678"));
  cr_assert_not_null(accounts_check_phone("027-123-456"), "9 digits");
  cr_assert_not_null(accounts_check_phone("+81-27-123-4567"));
  cr_assert_not_null(accounts_check_phone("027--123-4567"));
  cr_assert_not_null(accounts_check_phone("-0271234567"));
  cr_assert_not_null(accounts_check_phone("０２７１２３４５６７"), "full-width");
  /* RULE: passwords of 12 to 128 characters, counted as characters not bytes */
  cr_assert_not_null(accounts_check_password("12345678901"));
  cr_assert_null(accounts_check_password("123456789012"));
  cr_assert_null(accounts_check_password("ぱすわーどは十二文字です。"), "12 characters, 36 bytes");
  char longpw[200];
  memset(longpw, 'x', 128);
  longpw[128] = 0;
  cr_assert_null(accounts_check_password(longpw));
  longpw[128] = 'x';
  longpw[129] = 0;
  cr_assert_not_null(accounts_check_password(longpw));
}

Test(accounts, staff_need_a_home_centre_of_the_rule_book) {
  struct kerrinfo ei = {0};
  int64_t id;
  json_t *in = body("{\"name\":\"職員\",\"password\":\"a long enough password\"}");
  cr_assert_eq(accounts_create(&ctx, in, ROLE_STAFF, NULL, 0, &id, &ei), KERR_VALIDATION);
  cr_assert(field(&ei, "center"));
  kerr_clear(&ei);
  cr_assert_eq(accounts_create(&ctx, in, ROLE_STAFF, "atlantis", 0, &id, &ei), KERR_VALIDATION);
  cr_assert(strstr(field(&ei, "center"), "例規集"));
  kerr_clear(&ei);
  cr_assert_eq(accounts_create(&ctx, in, ROLE_CITIZEN, "chuo", 0, &id, &ei), KERR_VALIDATION);
  kerr_clear(&ei);
  cr_assert_eq(count("SELECT count(*) FROM accounts"), 0);
  json_decref(in);
}

/* One real create and sign-in: argon2id, a session, events without persons. */
Test(accounts, create_then_sign_in) {
  struct kerrinfo ei = {0};
  int64_t id = 0;
  json_t *in = body("{\"name\":\"前橋 花子\",\"name_kana\":\"まえばし はなこ\","
                    "\"email\":\"hanako@example.jp\",\"phone\":\"027-123-4567\","
                    "\"password\":\"hanako-password-1\",\"resident\":true}");
  cr_assert_eq(accounts_create(&ctx, in, ROLE_CITIZEN, NULL, ACCOUNT_SELF_SERVICE, &id, &ei), 0,
               "%s", ei.message);
  json_decref(in);
  cr_assert(ids_valid(id));
  cr_assert_eq(count("SELECT count(*) FROM accounts WHERE password_hash LIKE '$argon2id$%'"), 1);
  cr_assert_eq(count("SELECT count(*) FROM accounts WHERE password_hash LIKE '%hanako-password%'"), 0);

  char sid[10], req[256];
  ids_format(id, sid);
  snprintf(req, sizeof req, "{\"system_id\":\"%s\",\"password\":\"hanako-password-1\"}", sid);
  in = body(req);
  struct session_new s;
  cr_assert_eq(accounts_login(&ctx, in, "198.51.100.7", &s, &ei), 0, "%s", ei.message);
  json_decref(in);
  cr_assert_eq(strlen(s.token), 43);
  cr_assert_eq(strlen(s.csrf), 43);
  cr_assert_eq(s.role, ROLE_CITIZEN);
  cr_assert_eq(s.expires_at, ctx.now + accounts_absolute_limit(ROLE_CITIZEN));

  struct session_info si;
  cr_assert_eq(accounts_session_lookup(&ctx, s.token, &si), 0);
  cr_assert_eq(si.actor.account_id, id);
  cr_assert_eq(si.actor.role, ROLE_CITIZEN);
  cr_assert_str_eq(si.csrf, s.csrf);
  char csrf[64];
  accounts_csrf_of(s.token, csrf);
  cr_assert_str_eq(csrf, s.csrf);
  accounts_csrf_of("not a token", csrf);
  cr_assert_str_eq(csrf, "");

  /* only a hash of the token is kept */
  kstmt *st = db_prep(db, "SELECT count(*) FROM sessions WHERE length(token_hash) = 32"
                          " AND csrf NOT LIKE $c");
  db_bind_text(st, "$c", s.csrf);
  cr_assert_eq(db_step(st), DB_ROW);
  cr_assert_eq(db_col_int(st, 0), 1);
  db_reset(st);

  /* the usage log: the actions, pseudonymous, never a name or contact */
  cr_assert_eq(count("SELECT count(*) FROM events WHERE action = 'account.create'"
                     " AND subject IS NOT NULL AND actor IS NULL"), 1);
  cr_assert_eq(count("SELECT count(*) FROM events WHERE action = 'session.create'"
                     " AND actor_role = 'citizen' AND length(actor) = 32"), 1);
  st = db_prep(db, "SELECT count(*) FROM events WHERE instr(coalesce(actor,'') ||"
                   " coalesce(subject,'') || coalesce(detail,''), $x) > 0");
  static const char *const personal[] = {"前橋", "花子", "はなこ", "hanako", "027-123",
                                         NULL};
  for (const char *const *p = personal; *p; p++) {
    db_bind_text(st, "$x", *p);
    cr_assert_eq(db_step(st), DB_ROW);
    cr_assert_eq(db_col_int(st, 0), 0, "%s in the usage log", *p);
    db_reset(st);
  }
  char plain[16];
  snprintf(plain, sizeof plain, "%lld", (long long)id);
  db_bind_text(st, "$x", plain);
  cr_assert_eq(db_step(st), DB_ROW);
  cr_assert_eq(db_col_int(st, 0), 0, "the plain system ID in the usage log");
  db_reset(st);

  /* sign out */
  act_as(ROLE_CITIZEN, id);
  cr_assert_eq(accounts_session_delete(&ctx, s.token), 0);
  cr_assert_eq(accounts_session_lookup(&ctx, s.token, &si), KERR_UNAUTHORIZED);
  cr_assert_eq(count("SELECT count(*) FROM events WHERE action = 'session.delete'"), 1);
}

static int login(int64_t id, const char *pw, const char *client, struct session_new *s,
                 struct kerrinfo *ei) {
  char sid[10];
  ids_format(id, sid);
  json_t *in = json_pack("{s:s, s:s}", "system_id", sid, "password", pw);
  int rc = accounts_login(&ctx, in, client, s, ei);
  json_decref(in);
  return rc;
}

/* A citizen's account, signed in into S; the account's ID. */
static int64_t hanako_signed_in(struct session_new *s) {
  struct kerrinfo ei = {0};
  int64_t id = quick_account(ROLE_CITIZEN, "前橋 花子", "hanako-password-1");
  cr_assert_eq(login(id, "hanako-password-1", NULL, s, &ei), 0, "%s", ei.message);
  return id;
}

Test(accounts, wrong_password_unknown_id_and_mistyped_id) {
  struct kerrinfo ei = {0};
  struct session_new s;
  int64_t id = quick_account(ROLE_CITIZEN, "前橋 花子", "hanako-password-1");
  cr_assert_eq(login(id, "hanako-password-2", "198.51.100.7", &s, &ei), KERR_BAD_CREDENTIALS);
  cr_assert_str_eq(s.token, "");
  kerr_clear(&ei);
  int64_t other;
  do other = ids_random(); while (other == id);
  cr_assert_eq(login(other, "hanako-password-1", "198.51.100.7", &s, &ei), KERR_BAD_CREDENTIALS);
  kerr_clear(&ei);
  /* a mistyped ID is answered as such, before any password check */
  json_t *in = json_pack("{s:I, s:s}", "system_id", (json_int_t)(id % 10 == 9 ? id - 1 : id + 1),
                         "password", "hanako-password-1");
  cr_assert_eq(accounts_login(&ctx, in, "198.51.100.7", &s, &ei), KERR_VALIDATION);
  cr_assert(strstr(field(&ei, "system_id"), "確認用の数字"));
  kerr_clear(&ei);
  json_decref(in);
  cr_assert_eq(count("SELECT count(*) FROM sessions"), 0);
}

/* RULE: sign-in attempts are throttled per (account, address) and per
** address, with growing delays, never a lock. */
Test(accounts, a_strangers_failures_never_lock_the_owner_out) {
  struct kerrinfo ei = {0};
  struct session_new s;
  int64_t id = quick_account(ROLE_CITIZEN, "前橋 花子", "hanako-password-1");
  for (int i = 0; i < 5; i++) {
    cr_assert_eq(login(id, "wrong password!!", "198.51.100.7", &s, &ei), KERR_BAD_CREDENTIALS);
    kerr_clear(&ei);
  }
  /* the stranger's address now waits, even with the right password */
  cr_assert_eq(login(id, "hanako-password-1", "198.51.100.7", &s, &ei), KERR_RATE_LIMITED);
  cr_assert_eq(ei.retry_after, 2, "the first delay is short");
  cr_assert(strstr(ei.message, "秒"), "%s", ei.message);
  kerr_clear(&ei);
  /* the owner, from their own address, signs in at once */
  cr_assert_eq(login(id, "hanako-password-1", "203.0.113.9", &s, &ei), 0, "%s", ei.message);
  /* and the rehash on sign-in replaced the weak test hash with INTERACTIVE */
  cr_assert_eq(count("SELECT count(*) FROM accounts WHERE password_hash LIKE '$argon2id$v=19$m=65536,t=2,%'"), 1);
  /* the stranger's delays grow with each failure: 2, 4, 8 s ... */
  for (int wait = 2; wait <= 8; wait *= 2) {
    ctx.now += wait;
    cr_assert_eq(login(id, "wrong password!!", "198.51.100.7", &s, &ei), KERR_BAD_CREDENTIALS);
    kerr_clear(&ei);
    cr_assert_eq(login(id, "wrong password!!", "198.51.100.7", &s, &ei), KERR_RATE_LIMITED);
    cr_assert_eq(ei.retry_after, wait * 2);
    kerr_clear(&ei);
  }
}

/* The throttle's two kinds of counter, at their boundaries. */
Test(accounts, throttle_counts_failures_per_key_in_a_window) {
  static struct throttle t = THROTTLE_INIT(3, 60);
  cr_assert_eq(throttle_wait(&t, "c:198.51.100.7", 1000), 0);
  for (int i = 0; i < 3; i++) throttle_fail(&t, "c:198.51.100.7", 1000 + i);
  cr_assert_eq(throttle_wait(&t, "c:198.51.100.7", 1010), 50);
  cr_assert_eq(throttle_wait(&t, "c:198.51.100.8", 1010), 0, "another address is not affected");
  cr_assert_eq(throttle_wait(&t, "c:198.51.100.7", 1060), 0, "the window has passed");
  throttle_fail(&t, "c:198.51.100.7", 1060);
  cr_assert_eq(throttle_wait(&t, "c:198.51.100.7", 1061), 0, "a new window counts from one");
  for (int i = 0; i < 3; i++) throttle_fail(&t, "c:x", 2000);
  throttle_clear(&t, "c:x");
  cr_assert_eq(throttle_wait(&t, "c:x", 2000), 0);
  /* take: counts and refuses in one step */
  for (int i = 0; i < 3; i++) cr_assert_eq(throttle_take(&t, "c:y", 2000), 0);
  cr_assert_eq(throttle_take(&t, "c:y", 2001), 59);
  cr_assert_eq(throttle_take(&t, "c:y", 2060), 0);
  /* many keys never grow memory and never crash: old entries give way */
  char k[32];
  for (int i = 0; i < 3 * THROTTLE_SLOTS; i++) {
    snprintf(k, sizeof k, "a:%d", i);
    throttle_fail(&t, k, 3000);
  }
}

Test(accounts, throttle_backoff_grows_to_its_cap_and_forgets) {
  static struct throttle t = THROTTLE_BACKOFF(2, 1, 10, 100);
  throttle_fail(&t, "k", 1000);
  cr_assert_eq(throttle_wait(&t, "k", 1000), 0, "free failures");
  throttle_fail(&t, "k", 1000);
  cr_assert_eq(throttle_wait(&t, "k", 1000), 1);
  cr_assert_eq(throttle_wait(&t, "k", 1001), 0);
  throttle_fail(&t, "k", 1001);
  cr_assert_eq(throttle_wait(&t, "k", 1001), 2);
  throttle_fail(&t, "k", 1003);
  cr_assert_eq(throttle_wait(&t, "k", 1003), 4);
  throttle_fail(&t, "k", 1007);
  cr_assert_eq(throttle_wait(&t, "k", 1007), 8);
  for (int i = 0; i < 40; i++) throttle_fail(&t, "k", 1015);
  cr_assert_eq(throttle_wait(&t, "k", 1015), 10, "capped, and no overflow after many");
  cr_assert_eq(throttle_wait(&t, "k", 1025), 0, "the delay has passed");
  throttle_fail(&t, "k", 1114);
  cr_assert_eq(throttle_wait(&t, "k", 1114), 10, "remembered 99 s after: still the longest delay");
  throttle_fail(&t, "k", 1214);
  cr_assert_eq(throttle_wait(&t, "k", 1214), 0, "forgotten 100 s after: counting starts again");
}

/* Every failed sign-in costs one argon2id verification: an unknown ID, a
** disabled account, a locked account whose stored hash is not argon2id (the
** demonstration population), and a wrong password alike. */
Test(accounts, every_failure_costs_one_hash) {
  struct kerrinfo ei = {0};
  struct session_new s;
  int64_t id = quick_account(ROLE_CITIZEN, "前橋 花子", "hanako-password-1");
  int64_t locked = quick_account(ROLE_CITIZEN, "見本 人口", "x-password-123");
  int64_t off = quick_account(ROLE_CITIZEN, "停止 中", "off-password-123");
  kstmt *st = db_prep(db, "UPDATE accounts SET password_hash = '!demo: no password matches this'"
                          " WHERE id = $id");
  db_bind_int(st, "$id", locked);
  cr_assert_eq(db_exec_stmt(st), DB_OK);
  st = db_prep(db, "UPDATE accounts SET disabled = 1 WHERE id = $id");
  db_bind_int(st, "$id", off);
  cr_assert_eq(db_exec_stmt(st), DB_OK);
  int64_t unknown;
  do unknown = ids_random(); while (accounts_exists(&ctx, unknown, NULL));
  int64_t who[] = {id, locked, off, unknown};
  for (int i = 0; i < 4; i++) {
    unsigned long before = accounts_verifications();
    cr_assert_eq(login(who[i], "wrong password!!", "198.51.100.7", &s, &ei), KERR_BAD_CREDENTIALS);
    kerr_clear(&ei);
    cr_assert_eq(accounts_verifications() - before, 1, "case %d", i);
  }
}

/* A sign-in on the server runs twice (http/suspend.c): first on the hash pool
** (ctx.precheck), which checks the password and writes nothing, then on the
** writer, which hashes nothing and writes the session. */
Test(accounts, a_sign_in_hashes_first_and_writes_second) {
  struct kerrinfo ei = {0};
  struct session_new s;
  struct signin_check check = {0};
  ctx.signin = &check;
  int64_t id = quick_account(ROLE_CITIZEN, "前橋 花子", "hanako-password-1");
  int64_t other = quick_account(ROLE_CITIZEN, "別 人", "other-password-22");
  int64_t sessions = count("SELECT count(*) FROM sessions");
  /* a wrong password is answered by the first pass */
  ctx.precheck = 1;
  cr_assert_eq(login(id, "wrong password!!", "198.51.100.7", &s, &ei), KERR_BAD_CREDENTIALS);
  kerr_clear(&ei);
  cr_assert_eq(check.account, 0);
  /* a right one: checked, no session, nothing written */
  unsigned long before = accounts_verifications();
  cr_assert_eq(login(id, "hanako-password-1", "198.51.100.7", &s, &ei), 0, "%s", ei.message);
  cr_assert_eq(accounts_verifications() - before, 1);
  cr_assert_eq(s.account_id, 0);
  cr_assert_str_eq(s.token, "");
  cr_assert_eq(check.account, id);
  cr_assert_eq(count("SELECT count(*) FROM sessions"), sessions);
  /* the second: no hash, the session, and the check is used up */
  ctx.precheck = 0;
  before = accounts_verifications();
  cr_assert_eq(login(id, "hanako-password-1", "198.51.100.7", &s, &ei), 0, "%s", ei.message);
  cr_assert_eq(accounts_verifications(), before, "the second pass hashed");
  cr_assert_eq(s.account_id, id);
  cr_assert_eq(strlen(s.token), 43);
  cr_assert_eq(count("SELECT count(*) FROM sessions"), sessions + 1);
  cr_assert_eq(check.account, 0);
  /* the password changed between the two passes: the check counts no more */
  ctx.precheck = 1;
  cr_assert_eq(login(id, "hanako-password-1", "198.51.100.7", &s, &ei), 0, "%s", ei.message);
  ctx.precheck = 0;
  kstmt *st = db_prep(db, "UPDATE accounts SET password_hash = (SELECT password_hash FROM"
                          " accounts WHERE id = $o) WHERE id = $id");
  db_bind_int(st, "$o", other);
  db_bind_int(st, "$id", id);
  cr_assert_eq(db_exec_stmt(st), DB_OK);
  cr_assert_eq(login(id, "hanako-password-1", "198.51.100.7", &s, &ei), KERR_BAD_CREDENTIALS);
  kerr_clear(&ei);
  cr_assert_eq(count("SELECT count(*) FROM sessions"), sessions + 1);
  /* a check made for one account signs nobody else in */
  ctx.precheck = 1;
  cr_assert_eq(login(other, "other-password-22", "198.51.100.8", &s, &ei), 0, "%s", ei.message);
  ctx.precheck = 0;
  cr_assert_eq(login(id, "other-password-22", "198.51.100.8", &s, &ei), KERR_BAD_CREDENTIALS);
  kerr_clear(&ei);
  cr_assert_eq(count("SELECT count(*) FROM sessions"), sessions + 1);
  cr_assert_eq(check.account, 0);
  /* with nowhere to leave the check, the first pass signs in at once */
  ctx.signin = NULL;
  ctx.precheck = 1;
  cr_assert_eq(login(other, "other-password-22", "198.51.100.8", &s, &ei), 0, "%s", ei.message);
  cr_assert_eq(s.account_id, other);
  cr_assert_eq(count("SELECT count(*) FROM sessions"), sessions + 2);
}

/* RULE: anonymous sign-up is throttled per address; staff are not. */
Test(accounts, anonymous_sign_up_is_throttled_per_address) {
  struct kerrinfo ei = {0};
  int64_t nid;
  char body_text[256];
  ctx.client = "198.51.100.50";
  int i;
  for (i = 0; i < 11; i++) {
    snprintf(body_text, sizeof body_text,
             "{\"name\":\"登録 %d\",\"name_kana\":\"とうろく\",\"phone\":\"027-200-%04d\","
             "\"password\":\"sign-up-pass-%dx\"}", i, 1000 + i, i);
    json_t *in = json_loads(body_text, 0, NULL);
    int rc = accounts_create(&ctx, in, ROLE_CITIZEN, NULL, ACCOUNT_SELF_SERVICE, &nid, &ei);
    json_decref(in);
    if (rc) {
      cr_assert_eq(rc, KERR_RATE_LIMITED);
      cr_assert_gt(ei.retry_after, 0);
      kerr_clear(&ei);
      break;
    }
  }
  cr_assert_eq(i, 10, "ten sign-ups an hour from one address");
  act_as(ROLE_STAFF, quick_account(ROLE_STAFF, "窓口 職員", "staff-password-1"));
  json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "name", "窓口で 登録", "name_kana", "まどぐち",
                         "phone", "027-300-1234", "password", "counter-made-pass-1");
  cr_assert_eq(accounts_create(&ctx, in, ROLE_CITIZEN, NULL, ACCOUNT_SELF_SERVICE, &nid, &ei), 0,
               "%s", ei.message);
  json_decref(in);
  ctx.client = NULL;
}

/* RULE: concurrent password hashes are bounded: beyond, 503 busy. */
Test(accounts, hashes_beyond_the_bound_are_refused_not_queued) {
  struct kerrinfo ei = {0};
  struct session_new s;
  int64_t id = quick_account(ROLE_CITIZEN, "前橋 花子", "hanako-password-1");
  accounts_hash_slots_set(1);
  cr_assert_eq(accounts_hash_begin(NULL), 0);       /* someone is hashing */
  cr_assert_eq(login(id, "hanako-password-1", "198.51.100.7", &s, &ei), KERR_BUSY);
  cr_assert_eq(ei.retry_after, 1);
  kerr_clear(&ei);
  int64_t nid;
  json_t *in = json_pack("{s:s, s:s}", "name", "職員", "password", "a long enough password");
  cr_assert_eq(accounts_create(&ctx, in, ROLE_ANALYST, NULL, 0, &nid, &ei), KERR_BUSY);
  kerr_clear(&ei);
  cr_assert_eq(count("SELECT count(*) FROM accounts"), 1);
  accounts_hash_end();
  cr_assert_eq(accounts_create(&ctx, in, ROLE_ANALYST, NULL, 0, &nid, &ei), 0);
  json_decref(in);
}

/* RULE: idle and absolute session lifetimes. */
Test(accounts, sessions_end_after_idle_and_absolute_lifetimes) {
  struct kerrinfo ei = {0};
  struct session_new s;
  struct session_info si;
  int64_t id = hanako_signed_in(&s);
  int idle = accounts_idle_limit(ROLE_CITIZEN);
  cr_assert_eq(s.idle_seconds, idle);
  /* activity keeps it alive, one hour at a time, up to the absolute end */
  int64_t t = T0();
  while (t + 3600 < T0() + accounts_absolute_limit(ROLE_CITIZEN)) {
    t += 3600;
    ctx.now = t;
    cr_assert_eq(accounts_session_lookup(&ctx, s.token, &si), 0, "at +%llds",
                 (long long)(t - T0()));
  }
  ctx.now = T0() + accounts_absolute_limit(ROLE_CITIZEN);
  cr_assert_eq(accounts_session_lookup(&ctx, s.token, &si), KERR_SESSION_EXPIRED);
  cr_assert_eq(accounts_session_lookup(&ctx, s.token, &si), KERR_UNAUTHORIZED, "deleted");

  /* idle: one second short is fine, the idle limit itself is not */
  ctx.now = T0();
  cr_assert_eq(login(id, "hanako-password-1", NULL, &s, &ei), 0);
  ctx.now = T0() + idle - 1;
  cr_assert_eq(accounts_session_lookup(&ctx, s.token, &si), 0);
  ctx.now = T0() + idle - 1 + idle;
  cr_assert_eq(accounts_session_lookup(&ctx, s.token, &si), KERR_SESSION_EXPIRED);
}

/* A fake writer for ctx_write_soon(): it keeps what it is given, or refuses. */
static struct {
  int refuse, queued;
  ctx_write_fn *fn;
  unsigned char data[256];
} soon;

static int soon_hook(ctx_write_fn *fn, const void *data, size_t len, int wait) {
  cr_assert_not(wait, "a touch waits for nothing");
  if (soon.refuse || len > sizeof soon.data) return -1;
  soon.queued++;
  soon.fn = fn;
  memcpy(soon.data, data, len);
  return 0;
}

/* The newest session's last activity. */
static long long last_seen(void) {
  kstmt *st = db_prep(db, "SELECT last_seen FROM sessions WHERE account_id IS NOT NULL"
                          " ORDER BY created_at DESC LIMIT 1");
  cr_assert_eq(db_step(st), DB_ROW);
  long long v = db_col_int(st, 0);
  db_reset(st);
  return v;
}

/* On the server a session's activity is written by the writer, in its next
** batch; with no writer, or its queue full, by the request itself. */
Test(accounts, a_sessions_activity_goes_to_the_writer) {
  struct session_new s;
  struct session_info si;
  hanako_signed_in(&s);
  memset(&soon, 0, sizeof soon);
  ctx_set_write_hook(soon_hook);
  /* within a minute: nothing to write */
  ctx.now = T0() + 59;
  cr_assert_eq(accounts_session_lookup(&ctx, s.token, &si), 0);
  cr_assert_eq(soon.queued, 0);
  /* a minute on: queued, not written here, and the session is good for the idle limit */
  ctx.now = T0() + 600;
  cr_assert_eq(accounts_session_lookup(&ctx, s.token, &si), 0);
  cr_assert_eq(soon.queued, 1);
  cr_assert_eq(last_seen(), T0());
  cr_assert_eq(si.idle_expires_at, ctx.now + accounts_idle_limit(ROLE_CITIZEN));
  /* the writer runs it: written */
  soon.fn(db, soon.data);
  cr_assert_eq(last_seen(), T0() + 600);
  /* an older touch run late never moves it back */
  ctx.now = T0() + 700;
  cr_assert_eq(accounts_session_lookup(&ctx, s.token, &si), 0);
  cr_assert_eq(soon.queued, 2);
  unsigned char later[256];
  memcpy(later, soon.data, sizeof later);
  ctx.now = T0() + 800;
  cr_assert_eq(accounts_session_lookup(&ctx, s.token, &si), 0);
  soon.fn(db, soon.data);
  soon.fn(db, later);
  cr_assert_eq(last_seen(), T0() + 800);
  /* the writer's queue full: written here */
  soon.refuse = 1;
  ctx.now = T0() + 900;
  cr_assert_eq(accounts_session_lookup(&ctx, s.token, &si), 0);
  cr_assert_eq(soon.queued, 3);
  cr_assert_eq(last_seen(), T0() + 900);
  ctx_set_write_hook(NULL);
}

Test(accounts, staff_sessions_are_shorter) {
  cr_assert_eq(accounts_idle_limit(ROLE_STAFF), 30 * 60);
  cr_assert_eq(accounts_absolute_limit(ROLE_STAFF), 12 * 3600);
  cr_assert_eq(accounts_idle_limit(ROLE_ADMIN), 30 * 60);
  cr_assert_lt(accounts_idle_limit(ROLE_ADMIN), accounts_idle_limit(ROLE_CITIZEN));
  struct kerrinfo ei = {0};
  struct session_new s;
  struct session_info si;
  int64_t id = quick_account(ROLE_STAFF, "職員", "staff-password-1");
  cr_assert_eq(login(id, "staff-password-1", NULL, &s, &ei), 0);
  ctx.now = T0() + 30 * 60;
  cr_assert_eq(accounts_session_lookup(&ctx, s.token, &si), KERR_SESSION_EXPIRED);
}

Test(accounts, malformed_tokens_are_unauthorized) {
  struct session_info si;
  cr_assert_eq(accounts_session_lookup(&ctx, "", &si), KERR_UNAUTHORIZED);
  cr_assert_eq(accounts_session_lookup(&ctx, "abc", &si), KERR_UNAUTHORIZED);
  cr_assert_eq(accounts_session_lookup(&ctx, "OH_YFdHD_5kuDJF3DwBmyT2HEVDnvU7N9kdFJH4rTMw", &si),
               KERR_UNAUTHORIZED);
  cr_assert_eq(accounts_session_lookup(&ctx, "OH_YFdHD_5kuDJF3DwBmyT2HEVDnvU7N9kdFJH4rTM!", &si),
               KERR_UNAUTHORIZED);
}

/* A session's activity (last_seen) is a write. While another transaction
** holds the writer lock (the writer's batch of bookings at the opening
** minute), a touch that is not yet urgent does not wait for it: the lookup
** answers at once (waiting here, on the one thread, would never end: the
** timeout fails it), and a later request writes it. */
Test(accounts, a_touch_waits_for_no_batch, .timeout = 20) {
  struct session_new s;
  struct kerrinfo ei = {0};
  int64_t id = quick_account(ROLE_CITIZEN, "前橋 花子", "hanako-password-1");
  cr_assert_eq(login(id, "hanako-password-1", "198.51.100.7", &s, &ei), 0, "%s", ei.message);
  char err[256];
  kdb *batch = db_open(":memory:", err, sizeof err);
  cr_assert(batch, "%s", err);
  int64_t signed_in = ctx.now;
  ctx.now += 120;   /* past the minute between touches, far from half the idle limit */
  cr_assert_eq(db_begin_write(batch), DB_OK);
  struct session_info si;
  cr_assert_eq(accounts_session_lookup(&ctx, s.token, &si), 0);
  cr_assert_eq(count("SELECT last_seen FROM sessions"), signed_in, "not written while busy");
  cr_assert_eq(si.idle_expires_at, signed_in + accounts_idle_limit(ROLE_CITIZEN));
  cr_assert_eq(db_commit(batch), DB_OK);
  cr_assert_eq(accounts_session_lookup(&ctx, s.token, &si), 0);
  cr_assert_eq(count("SELECT last_seen FROM sessions"), ctx.now, "written once the lock is free");
  cr_assert_eq(si.idle_expires_at, ctx.now + accounts_idle_limit(ROLE_CITIZEN));
  db_close(batch);
}
