/*
** tests/unit/test_mail.c: the outbox (core/outbox.c), the message texts and
** the sweep (core/notify.c), and the message format (core/mailer.c).
** Delivery through a real SMTP server: tests/api/mail.test.mjs.
*/
#include "fixture.h"

#include <stdlib.h>

#include "../../backend/core/bookings.h"
#include "../../backend/core/mailer.h"
#include "../../backend/core/notify.h"
#include "../../backend/core/outbox.h"

static int64_t citizen;

static void mail_on(void) {
  struct outbox_config c = {.from = "yoyaku@city.example.jp", .public_url = "https://y.example.jp/"};
  outbox_configure(&c);
}

static void setup(void) {
  fixture_setup();
  mail_on();
  citizen = quick_account(ROLE_CITIZEN, "前橋 花子", "a-password-1234");
  kstmt *st = db_prep(db, "UPDATE accounts SET email = 'hanako@example.jp' WHERE id = $id");
  db_bind_int(st, "$id", citizen);
  cr_assert_eq(db_exec_stmt(st), DB_OK);
  act_as(ROLE_CITIZEN, citizen);
}

static void teardown(void) {
  outbox_configure(NULL);
  fixture_teardown();
}

TestSuite(mail, .init = setup, .fini = teardown);

/* A hold for the citizen on DATE (chuo r503, morning); its id. */
static int64_t hold(const char *date) {
  const struct center *c = rules_center(rb, "chuo");
  int64_t room = 0;
  for (int i = 0; i < c->nrooms; i++)
    if (!strcmp(c->rooms[i].code, "r503")) room = c->rooms[i].id;
  json_t *body = json_pack("{s:I,s:s,s:[s],s:s,s:i}", "room_id", (json_int_t)room, "date", date,
                           "slots", "morning", "purpose", "練習", "attendees", 3);
  json_t *out = NULL;
  struct kerrinfo ei = {0};
  int rc = booking_create(&ctx, body, NULL, &out, NULL, &ei);
  cr_assert_eq(rc, 0, "%s", ei.message);
  int64_t id = json_integer_value(json_object_get(out, "id"));
  json_decref(out);
  json_decref(body);
  kerr_clear(&ei);
  return id;
}

/* The body of the newest message of KIND (malloc'd), or NULL. */
static char *newest(const char *kind) {
  kstmt *st = db_prep(db, "SELECT body FROM outbox WHERE kind = $k ORDER BY id DESC LIMIT 1");
  db_bind_text(st, "$k", kind);
  char *s = db_step(st) == DB_ROW ? strdup(db_col_text(st, 0)) : NULL;
  db_reset(st);
  return s;
}

Test(mail, queued_with_the_change_and_gone_with_its_rollback) {
  int64_t id = hold("2026-05-12");
  cr_assert_eq(count("SELECT count(*) FROM outbox WHERE kind = 'hold_received'"
                     " AND status = 'pending' AND to_addr = 'hanako@example.jp'"), 1);
  char *b = newest(MAIL_HOLD_RECEIVED);
  cr_assert(strstr(b, "前橋 花子 様"));
  cr_assert(strstr(b, "確定の期限: 2026年4月11日（土）10時00分"), "%s", b);
  cr_assert(strstr(b, "https://y.example.jp/my/bookings/"), "%s", b);
  free(b);
  /* a change rolled back takes its message with it */
  cr_assert_eq(db_begin_write(db), DB_OK);
  cr_assert_eq(notify_forgotten_id(&ctx, citizen), 0);
  db_rollback(db);
  cr_assert_eq(count("SELECT count(*) FROM outbox WHERE kind = 'forgotten_id'"), 0);
  (void)id;
}

Test(mail, nothing_without_smtp) {
  outbox_configure(NULL);
  hold("2026-05-12");
  cr_assert_eq(count("SELECT count(*) FROM outbox"), 0);
}

Test(mail, lapse_warning_and_lapse_from_the_sweep_once) {
  int64_t id = hold("2026-05-12");            /* lapses 2026-04-11 10:00 */
  int n = -1;
  cr_assert_eq(notify_sweep(&ctx, &n), 0);
  cr_assert_eq(n, 0, "not yet within 24 hours");
  ctx.now += 48 * 3600 + 60;                   /* 23 h 59 min before the lapse */
  cr_assert_eq(notify_sweep(&ctx, &n), 0);
  cr_assert_eq(n, 1);
  cr_assert_eq(notify_sweep(&ctx, &n), 0);
  cr_assert_eq(n, 0, "one warning only");
  char *b = newest(MAIL_HOLD_WARNING);
  cr_assert(strstr(b, "2026年4月11日（土）10時00分 までに確定しないと"), "%s", b);
  free(b);
  ctx.now += 24 * 3600;
  act_as(ROLE_ANON, 0);
  cr_assert_eq(booking_sweep_lapsed(&ctx, 64, &n), 0);
  cr_assert_eq(n, 1);
  cr_assert_eq(count("SELECT count(*) FROM outbox WHERE kind = 'hold_lapsed'"), 1);
  b = newest(MAIL_HOLD_LAPSED);
  cr_assert(strstr(b, "取り消されました"));
  free(b);
  (void)id;
}

Test(mail, reminder_the_day_before_can_be_turned_off) {
  int64_t a = hold("2026-04-09"), b = hold("2026-04-10");
  json_t *out = NULL;
  cr_assert_eq(booking_confirm(&ctx, a, &out, NULL), 0);
  json_decref(out);
  cr_assert_eq(booking_confirm(&ctx, b, &out, NULL), 0);
  json_decref(out);
  int n;
  cr_assert_eq(notify_sweep(&ctx, &n), 0);
  cr_assert_eq(n, 1, "only the booking of tomorrow");
  cr_assert_eq(count("SELECT count(*) FROM outbox WHERE kind = 'reminder' AND status = 'pending'"), 1);
  /* turned off: kept as skipped, so staff see why nothing went */
  json_t *in = json_pack("{s:b}", "reminder", 0);
  struct kerrinfo ei = {0};
  cr_assert_eq(outbox_prefs_set(&ctx, in, &out, &ei), 0);
  json_decref(in);
  json_decref(out);
  ctx.now += 24 * 3600;
  cr_assert_eq(notify_sweep(&ctx, &n), 0);
  cr_assert_eq(count("SELECT count(*) FROM outbox WHERE kind = 'reminder' AND status = 'skipped'"), 1);
}

Test(mail, mandatory_kinds_cannot_be_turned_off) {
  json_t *in = json_pack("{s:b,s:b}", "reminder", 0, "password_reset", 0), *out = NULL;
  struct kerrinfo ei = {0};
  cr_assert_eq(outbox_prefs_set(&ctx, in, &out, &ei), KERR_VALIDATION);
  cr_assert(json_object_get(ei.fields, "password_reset"));
  cr_assert_eq(count("SELECT count(*) FROM mail_optout"), 0, "nothing changed");
  kerr_clear(&ei);
  json_decref(in);
}

Test(mail, no_address_is_skipped_with_a_reason) {
  int64_t other = quick_account(ROLE_CITIZEN, "電話 だけ", "a-password-1234");
  cr_assert_eq(db_begin_write(db), DB_OK);
  cr_assert_eq(notify_forgotten_id(&ctx, other), 0);
  cr_assert_eq(db_commit(db), DB_OK);
  cr_assert_eq(count("SELECT count(*) FROM outbox WHERE status = 'skipped'"
                     " AND last_error LIKE 'メールアドレス%'"), 1);
}

Test(mail, backoff_starts_within_a_minute_and_grows_to_an_hour) {
  cr_assert_eq(mailer_backoff(1, 30), 30);
  cr_assert_eq(mailer_backoff(2, 30), 60);
  cr_assert_eq(mailer_backoff(3, 30), 120);
  cr_assert_eq(mailer_backoff(20, 30), 3600);
  cr_assert_eq(mailer_backoff(1, 1), 1);
}

Test(mail, rfc2047_words_never_split_a_character) {
  char out[2048];
  mailer_encode_header("plain ascii", out, sizeof out);
  cr_assert_str_eq(out, "plain ascii");
  const char *s = "【前橋市 公民館予約】仮予約の確定の期限が近づいています";
  mailer_encode_header(s, out, sizeof out);
  char joined[512] = "";
  size_t jn = 0;
  for (char *p = out; (p = strstr(p, "=?UTF-8?B?"));) {
    p += 10;
    char *end = strstr(p, "?=");
    cr_assert(end);
    cr_assert_leq(end - p + 12, 75, "an encoded word is at most 75 characters");
    unsigned char bin[128];
    size_t n = 0;
    cr_assert_eq(sodium_base642bin(bin, sizeof bin, p, (size_t)(end - p), NULL, &n, NULL,
                                   sodium_base64_VARIANT_ORIGINAL), 0);
    cr_assert((bin[0] & 0xC0) != 0x80, "a word starts on a character");
    memcpy(joined + jn, bin, n);
    jn += n;
    p = end + 2;
  }
  joined[jn] = 0;
  cr_assert_str_eq(joined, s);
}

Test(mail, format_has_the_headers) {
  struct outbox_row r = {.id = 1, .created_at = T0()};
  snprintf(r.kind, sizeof r.kind, "reminder");
  snprintf(r.to, sizeof r.to, "hanako@example.jp");
  snprintf(r.message_id, sizeof r.message_id, "<abc@city.example.jp>");
  r.subject = strdup("明日はご予約の利用日です");
  r.body = strdup("前橋 花子 様\n\n明日です。\n");
  char *m = mailer_format(&r, "yoyaku@city.example.jp", "chuo@city.example.jp");
  cr_assert(m);
  cr_assert(strstr(m, "Message-ID: <abc@city.example.jp>\r\n"));
  cr_assert(strstr(m, "Date: Wed, 08 Apr 2026 10:00:00 +0900\r\n"), "%s", m);
  cr_assert(strstr(m, "To: <hanako@example.jp>\r\n"));
  cr_assert(strstr(m, "Reply-To: chuo@city.example.jp\r\n"));
  cr_assert(strstr(m, "Content-Type: text/plain; charset=UTF-8\r\n"));
  cr_assert(strstr(m, "Content-Transfer-Encoding: base64\r\n"));
  cr_assert(strstr(m, "Subject: =?UTF-8?B?"));
  for (const unsigned char *p = (const unsigned char *)m; *p; p++) cr_assert_lt(*p, 0x80, "7-bit");
  free(m);
  outbox_row_clear(&r);
}

Test(mail, reply_to_per_centre) {
  struct outbox_config c = {.from = "y@x.jp", .reply_to = "all@x.jp",
                            .center_reply_to = "chuo=chuo@x.jp,kamikawabuchi=k@x.jp"};
  outbox_configure(&c);
  cr_assert_str_eq(outbox_reply_to("chuo"), "chuo@x.jp");
  cr_assert_str_eq(outbox_reply_to("kamikawabuchi"), "k@x.jp");
  cr_assert_str_eq(outbox_reply_to("fujimi"), "all@x.jp");
  cr_assert_str_eq(outbox_reply_to(NULL), "all@x.jp");
}
