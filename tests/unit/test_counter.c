/*
** tests/unit/test_counter.c: core/counter.c and core/payments.c against the
** real Maebashi rule book and an in-memory database. Each test names the
** rule it proves (RULE: ... as in the code).
**
** Calendar: 2026-04-08 is a Wednesday (counter open 08:30-17:15, both
** minutes included); 2026-04-11 a Saturday (counter closed); 2026-04-06 the
** 1st Monday (closing day). 2026-04-15 (Wednesday) is 親子の日: 和室 and 学習室
** are free. Fees (2026-04-01 version): 大会議室 (chuo kaigi, meeting_l)
** 420/640/1080, 和室 210/320/540.
*/
#include "fixture_bookings.h"

#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../backend/core/availability.h"
#include "../../backend/core/counter.h"
#include "../../backend/core/desk.h"
#include "../../backend/core/discounts.h"
#include "../../backend/core/ids.h"
#include "../../backend/core/payments.h"
#include "../../backend/core/sameday.h"
#include "../../backend/core/throttle.h"

#define ALICE 100000001
#define BOB 100000002
#define STAFF 200000001
#define ANALYST 300000001
#define GO_CLUB 500000013

static struct world w;
static int64_t hana, ken;   /* citizens with well-formed IDs (check digit), to be typed in */

static int64_t well_formed(int64_t payload) { return payload * 10 + ids_check_digit(payload); }

static void open_world(const char *book) {
  fx_open(&w, book);
  fx_account(&w, ALICE, "citizen", "山田 太郎");
  fx_account(&w, BOB, "citizen", "Bob Brown");
  fx_account(&w, STAFF, "staff", "窓口 職員");
  fx_account(&w, ANALYST, "analyst", "分析 担当");
  fx_group(&w, GO_CLUB, "前橋囲碁の会", ALICE, "approved", "2027-03-31", 1);
  hana = well_formed(12345678);
  ken = well_formed(23456789);
  fx_account(&w, hana, "citizen", "前橋 花子");
  fx_account(&w, ken, "citizen", "高崎 健");
  fx_corep(&w, GO_CLUB, hana);
}

static void setup(void) { open_world("ordinances/maebashi"); }
static void teardown(void) { fx_close(&w); }

TestSuite(counter, .init = setup, .fini = teardown);

/* Act as the clerk of chuo at NOW. */
static void as_staff(const char *now) {
  fx_as(&w, STAFF, ROLE_STAFF, now);
  snprintf(w.ctx.actor.home_center, sizeof w.ctx.actor.home_center, "chuo");
}

static int64_t room_id(const char *center, const char *code) {
  return fx_room(&w, center, code)->id;
}

/* A walk-in; returns the KERR code, the id in *ID, the message in MSG (512). */
static int walkin(const char *center, const char *room, const char *slots, const char *method,
                  int64_t *id, char *msg) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  json_t *body = json_pack("{s:I, s:s, s:s, s:s}", "room_id", (json_int_t)room_id(center, room),
                           "slots", slots, "name", "前橋 一郎", "phone", "027-111-2222");
  if (method) json_object_set_new(body, "payment_method", json_string(method));
  int rc = counter_walkin(&w.ctx, body, &out, &ei);
  json_decref(body);
  if (id) *id = rc ? 0 : (int64_t)json_integer_value(json_object_get(out, "id"));
  if (msg) snprintf(msg, 512, "%s", ei.message[0] ? ei.message : kerr_message(rc));
  json_decref(out);
  kerr_clear(&ei);
  return rc;
}

static int pay(int64_t id, const char *method, long long amount, char *msg) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  json_t *body = json_pack("{s:s, s:I}", "method", method, "amount", (json_int_t)amount);
  int rc = payment_record(&w.ctx, id, body, &out, &ei);
  json_decref(body);
  if (msg) snprintf(msg, 512, "%s", ei.message[0] ? ei.message : kerr_message(rc));
  json_decref(out);
  kerr_clear(&ei);
  return rc;
}

static int act(int (*fn)(struct kctx *, int64_t, json_t **, struct kerrinfo *), int64_t id,
               char *msg) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = fn(&w.ctx, id, &out, &ei);
  if (msg) snprintf(msg, 512, "%s", ei.message[0] ? ei.message : kerr_message(rc));
  json_decref(out);
  kerr_clear(&ei);
  return rc;
}

static int staff_cancel(int64_t id, const char *reason, enum cancel_for f) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = booking_cancel(&w.ctx, id, reason, f, &out, &ei);
  json_decref(out);
  kerr_clear(&ei);
  return rc;
}

static long long sum_payments(int64_t id) {
  int64_t paid = 0;
  cr_assert_eq(payment_paid(&w.ctx, id, &paid), 0);
  return paid;
}

static long long count_sql(const char *sql) {
  kstmt *st = db_prep(w.db, sql);
  cr_assert_not_null(st);
  cr_assert_eq(db_step(st), DB_ROW);
  long long n = db_col_int(st, 0);
  db_reset(st);
  return n;
}

/* The feed state of a room's slot today. */
static const char *feed_state(const char *center, const char *room, const char *slot) {
  static char s[16];
  json_t *feed = NULL;
  int64_t until;
  const struct room *ro = fx_room(&w, center, room);
  cr_assert_eq(avail_build(&w.ctx, clock_today(w.ctx.now), ro->center, &feed, &until), 0);
  json_t *ce = json_array_get(json_object_get(feed, "centers"), 0);
  size_t i, j;
  json_t *r, *sl;
  s[0] = 0;
  json_array_foreach(json_object_get(ce, "rooms"), i, r) {
    if (json_integer_value(json_object_get(r, "id")) != ro->id) continue;
    json_array_foreach(json_object_get(r, "slots"), j, sl)
      if (!strcmp(json_string_value(json_object_get(sl, "code")), slot))
        snprintf(s, sizeof s, "%s", json_string_value(json_object_get(sl, "state")));
  }
  json_decref(feed);
  return s;
}

/* ====================================================== counter hours */

Test(counter, counter_hours_to_the_minute) {
  /* RULE: counter hours (窓口受付時間の統一): 08:30-17:15, both minutes included */
  struct kerrinfo ei = {0};
  static const struct {
    const char *now;
    int open;
  } cases[] = {
      {"2026-04-08T08:29:59", 0}, {"2026-04-08T08:30", 1}, {"2026-04-08T12:00", 1},
      {"2026-04-08T17:15", 1},    {"2026-04-08T17:15:59", 1}, {"2026-04-08T17:16", 0},
      {"2026-04-11T10:00", 0}, /* Saturday: not a counter weekday */
      {"2026-04-06T10:00", 1}, /* 1st Monday: rooms closed, the counter works */
      {"2026-12-29T10:00", 0}, /* year end (a Tuesday): closed, the counter too */
      {"2026-04-13T10:00", 1}, /* 2nd Monday: open */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    as_staff(cases[i].now);
    int rc = desk_check_open(&w.ctx, &ei);
    cr_assert_eq(rc, cases[i].open ? 0 : KERR_COUNTER_HOURS, "%s", cases[i].now);
    if (!cases[i].open) {
      cr_assert_str_eq(kerr_code(rc), "outside_counter_hours");
      cr_assert_eq(kerr_http_status(rc), 422);
      /* the hours are in the message */
      cr_assert(strstr(ei.message, " 8:30 から") && strstr(ei.message, "17:15"), "%s", ei.message);
    }
    kerr_clear(&ei);
  }
  as_staff("2026-12-29T10:00");
  desk_check_open(&w.ctx, &ei);
  cr_assert(strstr(ei.message, "休館日（年末年始"), "%s", ei.message);
  kerr_clear(&ei);
}

Test(counter, counter_actions_refused_outside_hours_online_booking_is_not) {
  /* RULE: counter hours apply to counter-only actions */
  int64_t id;
  char msg[512];
  as_staff("2026-04-08T17:15");
  cr_assert_eq(walkin("chuo", "kaigi", "evening", NULL, &id, msg), 0, "%s", msg);
  as_staff("2026-04-08T17:16");
  cr_assert_eq(walkin("chuo", "washitsu", "evening", "cash", NULL, msg), KERR_COUNTER_HOURS);
  cr_assert(strstr(msg, " 8:30 から") && strstr(msg, "17:15"), "%s", msg);
  cr_assert_eq(pay(id, "cash", 1080, NULL), KERR_COUNTER_HOURS);
  cr_assert_eq(act(counter_checkin, id, NULL), KERR_COUNTER_HOURS);
  cr_assert_eq(act(counter_noshow, id, NULL), KERR_COUNTER_HOURS);
  cr_assert_eq(staff_cancel(id, "設備故障", CANCEL_FOR_CITY), KERR_COUNTER_HOURS);
  cr_assert_eq(count_sql("SELECT count(*) FROM payments"), 0);
  cr_assert_eq(count_sql("SELECT count(*) FROM bookings"), 1);
  /* a citizen books online at the same minute */
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-04-08T17:16");
  cr_assert_eq(fx_book(&w, "chuo", "washitsu", "2026-04-08", "evening", 0, 3, NULL, msg), 0,
               "%s", msg);
}

/* ============================================================ walk-in */

Test(counter, walkin_is_confirmed_paid_and_takes_the_slot) {
  /* RULE: same-day walk-in: normal fee, no account, paid at once */
  int64_t id, again;
  char msg[512];
  as_staff("2026-04-08T10:00");
  cr_assert_eq(walkin("chuo", "kaigi", "afternoon", "cash", &id, msg), 0, "%s", msg);
  cr_assert_str_eq(fx_status(&w, id), "confirmed");
  cr_assert_eq(count_sql("SELECT count(*) FROM bookings WHERE account_id IS NULL"
                         " AND channel = 'counter' AND walkin_name = '前橋 一郎'"
                         " AND walkin_phone = '027-111-2222' AND hold_expires_at IS NULL"),
               1);
  cr_assert_eq(sum_payments(id), 640);
  cr_assert_eq(count_sql("SELECT count(*) FROM payments WHERE receipt = 'R-20260408-chuo-0001'"
                         " AND method = 'cash' AND kind = 'payment'"),
               1);
  cr_assert_str_eq(feed_state("chuo", "kaigi", "afternoon"), "booked");
  /* RULE: no double booking: a slot no longer free */
  cr_assert_eq(walkin("chuo", "kaigi", "afternoon", "cash", &again, msg), KERR_SLOT_TAKEN);
  cr_assert_eq(kerr_http_status(KERR_SLOT_TAKEN), 409);
  cr_assert_eq(count_sql("SELECT count(*) FROM bookings"), 1);
  cr_assert_eq(count_sql("SELECT count(*) FROM payments"), 1);
  /* unpaid when no method is given */
  cr_assert_eq(walkin("chuo", "kaigi", "evening", NULL, &again, msg), 0, "%s", msg);
  cr_assert_eq(sum_payments(again), 0);
}

Test(counter, walkin_until_the_slot_starts_today_only) {
  char msg[512];
  as_staff("2026-04-08T13:00");
  /* RULE: same_day.until slot_start */
  cr_assert_eq(walkin("chuo", "kaigi", "afternoon", NULL, NULL, msg), KERR_OUTSIDE_WINDOW);
  as_staff("2026-04-08T12:59");
  cr_assert_eq(walkin("chuo", "kaigi", "afternoon", NULL, NULL, msg), 0, "%s", msg);
  /* another date than today */
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  json_t *body = json_pack("{s:I, s:[s], s:s, s:s, s:s}", "room_id",
                           (json_int_t)room_id("chuo", "kaigi"), "slots", "evening", "name", "A",
                           "phone", "0271112222", "date", "2026-04-09");
  cr_assert_eq(counter_walkin(&w.ctx, body, &out, &ei), KERR_VALIDATION);
  cr_assert_not_null(json_object_get(ei.fields, "date"));
  kerr_clear(&ei);
  json_decref(body);
}

Test(counter, walkin_needs_name_and_phone_and_a_known_method) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  as_staff("2026-04-08T10:00");
  json_t *body = json_pack("{s:I, s:[s], s:s, s:s}", "room_id",
                           (json_int_t)room_id("chuo", "kaigi"), "slots", "evening", "phone",
                           "12", "payment_method", "bitcoin");
  cr_assert_eq(counter_walkin(&w.ctx, body, &out, &ei), KERR_VALIDATION);
  cr_assert_not_null(json_object_get(ei.fields, "name"));
  cr_assert_not_null(json_object_get(ei.fields, "phone"));
  cr_assert_not_null(json_object_get(ei.fields, "payment_method"));
  cr_assert_eq(count_sql("SELECT count(*) FROM bookings"), 0);
  kerr_clear(&ei);
  json_decref(body);
}

Test(counter, campaign_day_walkin_is_free) {
  /* RULE: campaign days (親子の日, the 15th): 和室 and 学習室 free, no registration */
  int64_t id, paid_id;
  char msg[512];
  as_staff("2026-04-15T10:00");
  cr_assert_eq(walkin("chuo", "washitsu", "afternoon", "cash", &id, msg), 0, "%s", msg);
  cr_assert_eq(count_sql("SELECT count(*) FROM bookings WHERE fee_total = 0"), 1);
  cr_assert_eq(count_sql("SELECT count(*) FROM payments"), 0); /* nothing to take */
  cr_assert_eq(pay(id, "cash", 0, msg), KERR_CONFLICT);          /* nothing outstanding */
  /* the 大会議室 is not part of the campaign: the normal fee */
  cr_assert_eq(walkin("chuo", "kaigi", "afternoon", "ic", &paid_id, msg), 0, "%s", msg);
  cr_assert_eq(sum_payments(paid_id), 640);
  /* the counter screen shows the free fee and the campaign */
  struct kerrinfo ei = {0};
  json_t *today = NULL;
  cr_assert_eq(counter_today(&w.ctx, NULL, &today, &ei), 0);
  size_t i;
  json_t *ro;
  int seen = 0;
  json_array_foreach(json_object_get(today, "rooms"), i, ro) {
    if (strcmp(json_string_value(json_object_get(ro, "code")), "washitsu")) continue;
    json_t *ev = json_array_get(json_object_get(ro, "slots"), 2);
    cr_assert_str_eq(json_string_value(json_object_get(ev, "state")), "free");
    cr_assert_eq(json_integer_value(json_object_get(ev, "walkin_fee")), 0);
    cr_assert_str_eq(json_string_value(json_object_get(ev, "campaign")), "親子の日");
    seen = 1;
  }
  cr_assert(seen);
  json_decref(today);
}

/* ====================================================== a rule book */

static void write_patched_book(char *dir, int same_day_counter, const char *until, int reg,
                               int same_day_online) {
  json_error_t err;
  char path[512];
  strcpy(dir, "/tmp/kominkan-counter-XXXXXX");
  cr_assert_not_null(mkdtemp(dir));
  DIR *d = opendir("ordinances/maebashi");
  struct dirent *e;
  while ((e = readdir(d))) {
    if (!strstr(e->d_name, ".json")) continue;
    snprintf(path, sizeof path, "ordinances/maebashi/%s", e->d_name);
    json_t *v = json_load_file(path, 0, &err);
    cr_assert_not_null(v, "%s", path);
    json_t *sd = json_object_get(v, "same_day");
    if (sd) {
      json_object_set_new(sd, "counter", json_boolean(same_day_counter));
      json_object_set_new(sd, "until", json_string(until));
      json_object_set_new(sd, "registration_required", json_boolean(reg));
      json_object_set_new(sd, "online", json_boolean(same_day_online));
    }
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    cr_assert_eq(json_dump_file(v, path, JSON_INDENT(2)), 0);
    json_decref(v);
  }
  closedir(d);
}

static void remove_book(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  char path[512];
  while (d && (e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    unlink(path);
  }
  if (d) closedir(d);
  rmdir(dir);
}

Test(counter, no_walkin_when_the_rule_book_says_so_except_campaign_rooms) {
  /* RULE: same-day walk-in only when same_day.counter (or a campaign room) */
  char dir[64], msg[512];
  fx_close(&w);
  write_patched_book(dir, 0, "slot_start", 0, 1);
  open_world(dir);
  as_staff("2026-04-15T10:00");
  cr_assert_eq(walkin("chuo", "kaigi", "afternoon", NULL, NULL, msg), KERR_OUTSIDE_WINDOW);
  cr_assert(strstr(msg, "大会議室"), "%s", msg);
  cr_assert_eq(walkin("chuo", "washitsu", "afternoon", NULL, NULL, msg), 0, "%s", msg);
  remove_book(dir);
}

Test(counter, no_walkin_when_registration_is_required) {
  char dir[64], msg[512];
  fx_close(&w);
  write_patched_book(dir, 1, "slot_start", 1, 1);
  open_world(dir);
  as_staff("2026-04-08T10:00");
  cr_assert_eq(walkin("chuo", "kaigi", "afternoon", NULL, NULL, msg), KERR_OUTSIDE_WINDOW);
  remove_book(dir);
}

Test(counter, same_day_until_slot_end) {
  /* RULE: same_day.until "slot_end": a started slot may still be taken */
  char dir[64], msg[512];
  fx_close(&w);
  write_patched_book(dir, 1, "slot_end", 0, 1);
  open_world(dir);
  as_staff("2026-04-08T16:59");
  cr_assert_eq(walkin("chuo", "kaigi", "afternoon", NULL, NULL, msg), 0, "%s", msg);
  as_staff("2026-04-08T17:00");
  cr_assert_eq(walkin("chuo", "washitsu", "afternoon", NULL, NULL, msg), KERR_OUTSIDE_WINDOW);
  remove_book(dir);
}

/* ============================================ same-day use on the web */

/* Someone not signed in on the web at NOW. */
static void as_visitor(const char *now) { fx_as(&w, 0, ROLE_ANON, now); }

/* sameday_take of ROOM's SLOTS for NAME and PHONE; returns the KERR code,
** the id in *ID, the message in MSG (512). */
static int sameday(const char *room, const char *slots, const char *phone, int64_t *id, char *msg) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  json_t *body = json_pack("{s:I, s:s, s:s, s:s, s:i, s:s}", "room_id",
                           (json_int_t)room_id("chuo", room), "slots", slots, "name", "前橋 一郎",
                           "phone", phone, "attendees", 2, "purpose", "勉強");
  int rc = sameday_take(&w.ctx, body, &out, &ei);
  json_decref(body);
  if (id) *id = rc ? 0 : (int64_t)json_integer_value(json_object_get(out, "id"));
  if (msg) snprintf(msg, 512, "%s", ei.message[0] ? ei.message : kerr_message(rc));
  json_decref(out);
  kerr_clear(&ei);
  return rc;
}

Test(counter, sameday_on_the_web_is_the_walkin_with_channel_online) {
  /* RULE: same-day use without registration on the web: the counter's walk-in,
  ** outside counter hours too (17:30, the counter closed at 17:15) */
  int64_t id;
  char msg[512];
  throttle_reset_all();
  as_visitor("2026-04-08T17:30");
  cr_assert_eq(sameday("kaigi", "evening", "027-111-2222", &id, msg), 0, "%s", msg);
  struct booking b;
  cr_assert_eq(booking_load(&w.ctx, id, &b), 0);
  cr_assert_eq(b.account_id, 0);
  cr_assert_eq(b.status, BOOKING_CONFIRMED);
  cr_assert_str_eq(b.channel, "online");
  cr_assert_str_eq(b.walkin_name, "前橋 一郎");
  cr_assert_eq(b.fee_total, 1080);
  cr_assert_eq(count_sql("SELECT count(*) FROM events WHERE action = 'booking.sameday'"
                          " AND channel = 'online' AND actor IS NULL"), 1);
  cr_assert_eq(count_sql("SELECT count(*) FROM events WHERE action = 'counter.walkin'"), 0);
  /* the same slot: taken; the same phone, another room: once a day */
  cr_assert_eq(sameday("kaigi", "evening", "027-333-4444", NULL, msg), KERR_SLOT_TAKEN, "%s", msg);
  cr_assert_eq(sameday("washitsu", "evening", "0271112222", NULL, msg), KERR_LIMIT, "%s", msg);
  cr_assert(strstr(msg, "1日1回"), "%s", msg);
  /* tomorrow's slot: today's only */
  struct kerrinfo ei = {0};
  json_t *out = NULL, *body = json_pack("{s:I, s:s, s:s, s:s, s:i, s:s, s:s}", "room_id",
                                        (json_int_t)room_id("chuo", "washitsu"), "slots", "evening",
                                        "name", "前橋 二郎", "phone", "027-555-6666", "attendees", 2,
                                        "purpose", "勉強", "date", "2026-04-09");
  cr_assert_eq(sameday_take(&w.ctx, body, &out, &ei), KERR_VALIDATION);
  cr_assert_not_null(json_object_get(ei.fields, "date"));
  kerr_clear(&ei);
  json_decref(body);
  /* the counter's channel (BK_WALKIN) keeps its counter hours */
  as_staff("2026-04-08T17:30");
  cr_assert_eq(walkin("chuo", "washitsu", "evening", NULL, NULL, msg), KERR_COUNTER_HOURS);
}

Test(counter, sameday_on_the_web_only_when_the_rule_book_says_so) {
  /* RULE: same-day walk-in only when the rule book says so: registration
  ** required, or same_day.online false, and the web takes none (a campaign
  ** room aside where only registration is asked) */
  char dir[64], msg[512];
  throttle_reset_all();
  fx_close(&w);
  write_patched_book(dir, 1, "slot_start", 1, 1);
  open_world(dir);
  as_visitor("2026-04-08T10:00");
  cr_assert_eq(sameday("kaigi", "afternoon", "027-100-0001", NULL, msg), KERR_OUTSIDE_WINDOW);
  cr_assert(strstr(msg, "登録なしの当日利用は、今日は大会議室では受け付けていません"), "%s", msg);
  as_visitor("2026-04-15T10:00"); /* 親子の日 */
  cr_assert_eq(sameday("washitsu", "afternoon", "027-100-0002", NULL, msg), 0, "%s", msg);
  fx_close(&w);
  remove_book(dir);
  write_patched_book(dir, 1, "slot_start", 0, 0);
  open_world(dir);
  as_visitor("2026-04-08T10:00");
  cr_assert_eq(sameday("kaigi", "afternoon", "027-100-0003", NULL, msg), KERR_OUTSIDE_WINDOW);
  cr_assert(strstr(msg, "インターネットでは受け付けていません"), "%s", msg);
  as_visitor("2026-04-15T10:00");
  cr_assert_eq(sameday("washitsu", "afternoon", "027-100-0004", NULL, msg), KERR_OUTSIDE_WINDOW);
  /* the counter still takes it */
  as_staff("2026-04-08T10:00");
  cr_assert_eq(walkin("chuo", "kaigi", "afternoon", NULL, NULL, msg), 0, "%s", msg);
  remove_book(dir);
}

/* ========================================================== payments */

Test(counter, payment_must_be_the_amount_outstanding) {
  /* RULE: the payment is exactly what is outstanding */
  int64_t id;
  char msg[512];
  as_staff("2026-04-08T10:00");
  cr_assert_eq(walkin("chuo", "kaigi", "evening", NULL, &id, msg), 0, "%s", msg);
  cr_assert_eq(pay(id, "cash", 1000, msg), KERR_VALIDATION);
  cr_assert(strstr(msg, "1080円"), "the amount due is said: %s", msg);
  cr_assert_eq(pay(id, "cash", 1081, NULL), KERR_VALIDATION);
  cr_assert_eq(pay(id, "cash", -1080, NULL), KERR_VALIDATION);
  cr_assert_eq(pay(id, "paypay", 1080, NULL), KERR_VALIDATION);
  cr_assert_eq(count_sql("SELECT count(*) FROM payments"), 0);
  cr_assert_eq(pay(id, "card", 1080, msg), 0, "%s", msg);
  cr_assert_eq(sum_payments(id), 1080);
  /* paid in full: nothing more to take */
  cr_assert_eq(pay(id, "card", 1080, msg), KERR_CONFLICT);
  cr_assert_eq(pay(999999, "cash", 1, NULL), KERR_NOT_FOUND);
  /* receipts are numbered per centre and day */
  int64_t id2;
  cr_assert_eq(walkin("chuo", "washitsu", "evening", "qr", &id2, msg), 0, "%s", msg);
  cr_assert_eq(count_sql("SELECT count(*) FROM payments WHERE receipt IN"
                         " ('R-20260408-chuo-0001', 'R-20260408-chuo-0002')"),
               2);
  /* only staff and admins take money */
  fx_as(&w, ANALYST, ROLE_ANALYST, NULL);
  cr_assert_eq(pay(id2, "cash", 1, NULL), KERR_FORBIDDEN);
}

Test(counter, staff_cancel_of_a_paid_booking_refunds_it) {
  /* RULE: refund on staff cancel */
  int64_t id;
  char msg[512];
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-04-08T10:00");
  cr_assert_eq(fx_book(&w, "chuo", "kaigi", "2026-04-08", "afternoon,evening", 0, 10, &id, msg),
               0, "%s", msg);
  as_staff("2026-04-08T10:05");
  cr_assert_eq(act(booking_confirm, id, msg), 0, "%s", msg);
  cr_assert_eq(pay(id, "ic", 1720, msg), 0, "%s", msg);
  cr_assert_eq(staff_cancel(id, NULL, CANCEL_FOR_CITY), KERR_VALIDATION); /* staff give a reason */
  cr_assert_eq(staff_cancel(id, "空調の故障のため", CANCEL_FOR_CITY), 0);
  cr_assert_str_eq(fx_status(&w, id), "cancelled");
  cr_assert_eq(count_sql("SELECT count(*) FROM payments WHERE kind = 'refund'"
                         " AND method = 'ic' AND amount = -1720"),
               1);
  cr_assert_eq(sum_payments(id), 0);
  cr_assert_eq(count_sql("SELECT count(*) FROM events WHERE action = 'counter.refund'"
                         " AND channel = 'counter' AND amount = -1720"),
               1);
  /* an unpaid booking cancelled by staff: no refund row */
  int64_t id2;
  cr_assert_eq(walkin("chuo", "washitsu", "evening", NULL, &id2, msg), 0, "%s", msg);
  cr_assert_eq(staff_cancel(id2, "誤登録", CANCEL_FOR_CITY), 0);
  cr_assert_eq(count_sql("SELECT count(*) FROM payments WHERE kind = 'refund'"), 1);
}

Test(counter, a_holder_cancelling_a_paid_booking_is_owed_a_refund) {
  int64_t id;
  char msg[512];
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-04-08T10:00");
  cr_assert_eq(fx_book(&w, "chuo", "kaigi", "2026-04-30", "morning", 0, 10, &id, msg), 0, "%s",
               msg);
  as_staff("2026-04-08T10:05");
  cr_assert_eq(pay(id, "cash", 420, msg), 0, "%s", msg);
  /* the holder cancels online in time: free, so the 420 yen is owed back */
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-04-09T20:00");
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  cr_assert_eq(booking_cancel(&w.ctx, id, NULL, CANCEL_FOR_DEFAULT, &out, &ei), 0);
  json_decref(out);
  kerr_clear(&ei);
  cr_assert_eq(count_sql("SELECT count(*) FROM payments WHERE kind = 'refund'"), 0);
  as_staff("2026-04-10T09:00");
  cr_assert_eq(pay(id, "cash", 420, msg), KERR_VALIDATION);
  cr_assert(strstr(msg, "420円を返金"), "%s", msg);
  cr_assert_eq(pay(id, "cash", -420, msg), 0, "%s", msg);
  cr_assert_eq(sum_payments(id), 0);
}

/* ================================================== check-in, no-show */

Test(counter, noshow_after_the_grace_period_to_the_second) {
  /* RULE: no-show grace (noshow.grace_minutes = 30) */
  int64_t id;
  char msg[512];
  as_staff("2026-04-08T10:00");
  cr_assert_eq(walkin("chuo", "kaigi", "afternoon,evening", "cash", &id, msg), 0, "%s", msg);
  as_staff("2026-04-08T13:29:59");
  cr_assert_eq(act(counter_noshow, id, msg), KERR_TOO_EARLY);
  cr_assert_eq(kerr_http_status(KERR_TOO_EARLY), 422);
  cr_assert(strstr(msg, "13:30"), "the time is in the message: %s", msg);
  cr_assert_str_eq(fx_status(&w, id), "confirmed");
  as_staff("2026-04-08T13:30");
  cr_assert_eq(act(counter_noshow, id, msg), 0, "%s", msg);
  cr_assert_str_eq(fx_status(&w, id), "no_show");
  cr_assert_eq(act(counter_noshow, id, msg), 0); /* again: unchanged */
  /* its slots are free: the evening may go to someone else */
  cr_assert_str_eq(feed_state("chuo", "kaigi", "evening"), "free");
  cr_assert_eq(walkin("chuo", "kaigi", "evening", NULL, NULL, msg), 0, "%s", msg);
  /* the fee stays paid: no refund */
  cr_assert_eq(sum_payments(id), 1720);
  cr_assert_eq(act(counter_checkin, id, NULL), KERR_CONFLICT);
  fx_month_count_agrees(&w);
}

Test(counter, checkin_today_only_confirmed_bookings) {
  int64_t id, held, future;
  char msg[512];
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-04-08T10:00");
  cr_assert_eq(fx_book(&w, "chuo", "washitsu", "2026-04-08", "evening", 0, 3, &held, msg), 0);
  cr_assert_eq(fx_book(&w, "chuo", "washitsu", "2026-04-09", "evening", 0, 3, &future, msg), 0);
  as_staff("2026-04-08T10:00");
  cr_assert_eq(walkin("chuo", "kaigi", "afternoon", NULL, &id, msg), 0, "%s", msg);
  cr_assert_eq(act(counter_checkin, held, msg), KERR_CONFLICT); /* a hold: confirm first */
  cr_assert_eq(act(booking_confirm, future, msg), 0, "%s", msg);
  cr_assert_eq(act(counter_checkin, future, msg), KERR_TOO_EARLY);
  cr_assert_eq(act(counter_checkin, id, msg), 0, "%s", msg);
  cr_assert_str_eq(fx_status(&w, id), "checked_in");
  cr_assert_eq(act(counter_checkin, id, msg), 0); /* a second click */
  cr_assert_eq(act(counter_noshow, id, NULL), KERR_CONFLICT);
  cr_assert_eq(count_sql("SELECT count(*) FROM bookings WHERE checked_in_at IS NOT NULL"
                         " AND checked_in_by = 200000001"),
               1);
  /* after its last slot ended */
  int64_t morning;
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-04-08T08:00");
  cr_assert_eq(fx_book(&w, "chuo", "av", "2026-04-08", "morning", 0, 3, &morning, msg), 0, "%s",
               msg);
  as_staff("2026-04-08T08:45");
  cr_assert_eq(act(booking_confirm, morning, msg), 0, "%s", msg);
  as_staff("2026-04-08T12:00");
  cr_assert_eq(act(counter_checkin, morning, msg), KERR_CONFLICT);
  cr_assert(strstr(msg, "12:00"), "%s", msg);
  as_staff("2026-04-08T11:59");
  cr_assert_eq(act(counter_checkin, morning, msg), 0, "%s", msg);
  fx_month_count_agrees(&w);   /* held, confirmed, checked in */
}

/* ================================================= acting for citizens */

static int book_for(json_t *body, char *msg) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = booking_create(&w.ctx, body, NULL, &out, NULL, &ei);
  if (msg) snprintf(msg, 512, "%s", ei.message[0] ? ei.message : kerr_message(rc));
  json_decref(out);
  kerr_clear(&ei);
  json_decref(body);
  return rc;
}

Test(counter, staff_book_for_a_citizen_under_the_same_rules) {
  char msg[512];
  as_staff("2026-04-08T10:00");
  json_t *b = fx_body(&w, "chuo", "kaigi", "2026-05-20", "morning", 0, 5);
  char typed[16];
  snprintf(typed, sizeof typed, "%lld", (long long)hana);
  json_object_set_new(b, "on_behalf_of", json_string(typed));
  cr_assert_eq(book_for(b, msg), 0, "%s", msg);
  cr_assert_eq(count_sql("SELECT count(*) FROM bookings b JOIN accounts a ON a.id = b.account_id"
                         " WHERE a.name = '前橋 花子' AND b.created_by = 200000001"
                         " AND b.channel = 'counter' AND b.status = 'held'"),
               1);
  /* the same window as online: June opens on 1 April, July on 1 May */
  b = fx_body(&w, "chuo", "kaigi", "2026-07-01", "morning", 0, 5);
  json_object_set_new(b, "on_behalf_of", json_integer(hana));
  cr_assert_eq(book_for(b, msg), KERR_OUTSIDE_WINDOW);
  /* closed days */
  b = fx_body(&w, "chuo", "kaigi", "2026-05-04", "morning", 0, 5);
  json_object_set_new(b, "on_behalf_of", json_integer(hana));
  cr_assert_eq(book_for(b, msg), KERR_CLOSED);
  /* for a group the citizen represents */
  b = fx_body(&w, "chuo", "av", "2026-05-20", "morning", GO_CLUB, 5);
  json_object_set_new(b, "on_behalf_of", json_integer(hana));
  cr_assert_eq(book_for(b, msg), 0, "%s", msg);
  cr_assert_eq(count_sql("SELECT count(*) FROM bookings WHERE group_id = 500000013"), 1);
  /* the citizen's caps: at most 3 holds at once */
  b = fx_body(&w, "chuo", "washitsu", "2026-05-22", "morning", 0, 5);
  json_object_set_new(b, "on_behalf_of", json_integer(hana));
  cr_assert_eq(book_for(b, msg), 0, "%s", msg);
  b = fx_body(&w, "chuo", "washitsu", "2026-05-27", "morning", 0, 5);
  json_object_set_new(b, "on_behalf_of", json_integer(hana));
  cr_assert_eq(book_for(b, msg), KERR_LIMIT);
  /* a group the citizen does not represent */
  b = fx_body(&w, "chuo", "av", "2026-05-21", "morning", GO_CLUB, 5);
  json_object_set_new(b, "on_behalf_of", json_integer(ken));
  cr_assert_eq(book_for(b, msg), KERR_NOT_FOUND);
  b = fx_body(&w, "chuo", "av", "2026-05-21", "morning", 0, 5);
  /* unknown or mistyped IDs, and staff IDs */
  json_object_set_new(b, "on_behalf_of", json_integer(well_formed(34567890)));
  cr_assert_eq(book_for(b, msg), KERR_VALIDATION);
  b = fx_body(&w, "chuo", "av", "2026-05-20", "morning", 0, 5);
  json_object_set_new(b, "on_behalf_of", json_integer(well_formed(12345678) + 1));
  cr_assert_eq(book_for(b, msg), KERR_VALIDATION);
  int64_t clerk = well_formed(45678901);
  fx_account(&w, clerk, "staff", "別の 職員");
  b = fx_body(&w, "chuo", "av", "2026-05-20", "morning", 0, 5);
  json_object_set_new(b, "on_behalf_of", json_integer(clerk));
  cr_assert_eq(book_for(b, msg), KERR_VALIDATION);
  /* outside counter hours */
  as_staff("2026-04-08T18:00");
  b = fx_body(&w, "chuo", "av", "2026-05-20", "morning", 0, 5);
  json_object_set_new(b, "on_behalf_of", json_integer(ken));
  cr_assert_eq(book_for(b, msg), KERR_COUNTER_HOURS);
  cr_assert_eq(count_sql("SELECT count(*) FROM bookings WHERE created_by = 200000001"), 3);
  /* citizens cannot act for others */
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-04-08T10:00");
  b = fx_body(&w, "chuo", "av", "2026-05-20", "morning", 0, 5);
  json_object_set_new(b, "on_behalf_of", json_integer(ken));
  cr_assert_eq(book_for(b, msg), KERR_FORBIDDEN);
}

/* ============================================================ the ledger */

Test(counter, ledger_totals_equal_the_payments_table) {
  /* RULE: the daily ledger (紙台帳の廃止): totals are the payments table's */
  int64_t a, b, c, d;
  char msg[512];
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-04-08T09:00");
  cr_assert_eq(fx_book(&w, "chuo", "av", "2026-04-08", "evening", 0, 5, &d, msg), 0, "%s", msg);
  as_staff("2026-04-08T09:10");
  cr_assert_eq(walkin("chuo", "kaigi", "afternoon", "cash", &a, msg), 0, "%s", msg);
  as_staff("2026-04-08T09:20");
  cr_assert_eq(walkin("chuo", "washitsu", "afternoon", "qr", &b, msg), 0, "%s", msg);
  cr_assert_eq(walkin("chuo", "hall", "evening", NULL, &c, msg), 0, "%s", msg);
  as_staff("2026-04-08T11:00");
  cr_assert_eq(pay(c, "card", 2100, msg), 0, "%s", msg);
  /* at the holder's request, on the day: the 取消料 160 (50 % of 320) is kept, 160 goes back */
  cr_assert_eq(staff_cancel(b, "利用者の都合", CANCEL_FOR_HOLDER), 0);
  cr_assert_eq(act(booking_confirm, d, msg), 0, "%s", msg);
  cr_assert_eq(pay(d, "cash", 810, msg), 0, "%s", msg);
  as_staff("2026-04-08T13:05");
  cr_assert_eq(act(counter_checkin, a, msg), 0, "%s", msg);
  /* another centre and another day stay out of it */
  as_staff("2026-04-09T10:00");
  int64_t other;
  cr_assert_eq(walkin("chuo", "kaigi", "evening", "cash", &other, msg), 0, "%s", msg);
  cr_assert_eq(walkin("kamikawabuchi", "kaigi1", "evening", "cash", NULL, msg), 0, "%s", msg);

  as_staff("2026-04-09T10:00");
  struct kerrinfo ei = {0};
  json_t *l = NULL;
  cr_assert_eq(counter_ledger(&w.ctx, "chuo", fx_day("2026-04-08"), &l, &ei), 0);
  json_t *t = json_object_get(l, "totals");
  long long table = count_sql("SELECT coalesce(sum(amount), 0) FROM payments"
                              " WHERE center = 'chuo' AND ledger_date = '2026-04-08'");
  cr_assert_eq(table, 640 + 320 + 2100 + 810 - 160);
  cr_assert_eq(json_integer_value(json_object_get(json_object_get(t, "net"), "total")), table);
  cr_assert_eq(json_integer_value(json_object_get(json_object_get(t, "payments"), "cash")),
               640 + 810);
  cr_assert_eq(json_integer_value(json_object_get(json_object_get(t, "payments"), "qr")), 320);
  cr_assert_eq(json_integer_value(json_object_get(json_object_get(t, "payments"), "card")), 2100);
  cr_assert_eq(json_integer_value(json_object_get(json_object_get(t, "refunds"), "qr")), -160);
  cr_assert_eq(json_integer_value(json_object_get(json_object_get(t, "net"), "qr")), 160);
  /* the entries: the sum of their amounts is the same */
  long long sum = 0;
  int kinds[8] = {0};
  static const char *const names[8] = {"booking", "walkin",  "checkin", "noshow",
                                       "cancellation", "payment", "refund", NULL};
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(l, "entries"), i, e) {
    sum += json_integer_value(json_object_get(e, "amount"));
    for (int k = 0; names[k]; k++)
      if (!strcmp(json_string_value(json_object_get(e, "kind")), names[k])) kinds[k]++;
  }
  cr_assert_eq(sum, table);
  cr_assert_eq(kinds[0], 1); /* Alice's online booking */
  cr_assert_eq(kinds[1], 3);
  cr_assert_eq(kinds[2], 1);
  cr_assert_eq(kinds[4], 1);
  cr_assert_eq(kinds[5], 4);
  cr_assert_eq(kinds[6], 1);
  cr_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(l, "entries"), 0), "kind")),
                   "booking"); /* in time order: 09:00 first */

  /* CSV: BOM, header, the receipts, the net */
  size_t len = 0;
  struct counter_ledger_view lv;
  cr_assert_eq(counter_ledger_view(&w.ctx, "chuo", fx_day("2026-04-08"), &lv, &ei), 0);
  char *csv = counter_ledger_csv(&lv, &len);
  counter_ledger_view_free(&lv);
  cr_assert_not_null(csv);
  cr_assert_eq(strncmp(csv, "\xEF\xBB\xBF日付,", 10), 0);
  cr_assert(strstr(csv, "R-20260408-chuo-0001"));
  cr_assert(strstr(csv, "差引合計,,,,,,,計,3710,"), "%s", csv);
  cr_assert_null(strstr(csv, "027-111-2222")); /* no phone numbers in the ledger */
  free(csv);
  json_decref(l);
  kerr_clear(&ei);

  /* the home centre by default; no home centre -> validation */
  cr_assert_eq(counter_ledger(&w.ctx, NULL, fx_day("2026-04-09"), &l, &ei), 0);
  cr_assert_eq(json_integer_value(json_object_get(json_object_get(json_object_get(l, "totals"), "net"), "total")), 1080);
  json_decref(l);
  w.ctx.actor.home_center[0] = 0;
  cr_assert_eq(counter_ledger(&w.ctx, NULL, fx_day("2026-04-09"), &l, &ei), KERR_VALIDATION);
  kerr_clear(&ei);
  cr_assert_eq(counter_ledger(&w.ctx, "nowhere", fx_day("2026-04-09"), &l, &ei), KERR_NOT_FOUND);
  kerr_clear(&ei);
}

Test(counter, ledger_csv_defuses_formulas) {
  struct center ce = {.code = "chuo", .name = "中央公民館"};
  struct ledger_entry e = {.kind = LEDGER_WALKIN, .booking_id = 1, .time = "10:00",
                           .room_name = "会議室", .holder = "=HYPERLINK(\"x\")", .channel = "counter"};
  struct counter_ledger_view l = {.center = &ce, .date = "2026-04-08", .entries = &e, .nentries = 1};
  size_t len;
  char *csv = counter_ledger_csv(&l, &len);
  cr_assert(strstr(csv, ",\"'=HYPERLINK(\"\"x\"\")\","), "%s", csv);
  free(csv);
}

/* ==================================================== privacy, today */

/* The phone as typed, with or without hyphens: a bare "027" would also match
** a pseudonym or a receipt number that happens to hold those digits. */
Test(counter, usage_log_never_holds_the_walkin_name_or_phone) {
  int64_t id;
  char msg[512];
  as_staff("2026-04-08T10:00");
  cr_assert_eq(walkin("chuo", "kaigi", "afternoon", "cash", &id, msg), 0, "%s", msg);
  cr_assert_eq(act(counter_checkin, id, msg), 0, "%s", msg);
  cr_assert_eq(count_sql("SELECT count(*) FROM events WHERE channel = 'counter'"
                         " AND action IN ('counter.walkin', 'counter.payment', 'counter.checkin')"),
               3);
  cr_assert_eq(count_sql("SELECT count(*) FROM events WHERE coalesce(detail, '') || coalesce(actor, '')"
                         " || coalesce(subject, '') || coalesce(slot, '') LIKE '%前橋%'"
                         " OR coalesce(detail, '') LIKE '%027-111-2222%'"
                         " OR coalesce(detail, '') LIKE '%0271112222%'"),
               0);
}

Test(counter, today_shows_holders_to_staff_and_the_feed_shows_none) {
  int64_t id, mine;
  char msg[512];
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-04-08T09:00");
  cr_assert_eq(fx_book(&w, "chuo", "av", "2026-04-08", "evening", 0, 5, &mine, msg), 0, "%s", msg);
  as_staff("2026-04-08T10:00");
  cr_assert_eq(walkin("chuo", "kaigi", "afternoon", "cash", &id, msg), 0, "%s", msg);
  struct kerrinfo ei = {0};
  json_t *today = NULL;
  cr_assert_eq(counter_today(&w.ctx, "chuo", &today, &ei), 0);
  cr_assert_eq(json_array_size(json_object_get(today, "bookings")), 2);
  cr_assert_eq(json_array_size(json_object_get(today, "others")), 0);
  char *s = json_dumps(today, 0);
  cr_assert(strstr(s, "前橋 一郎") && strstr(s, "027-111-2222"));
  cr_assert(strstr(s, "山田 太郎"));
  free(s);
  size_t i;
  json_t *ro;
  json_array_foreach(json_object_get(today, "rooms"), i, ro) {
    const char *code = json_string_value(json_object_get(ro, "code"));
    json_t *cell = NULL;
    if (!strcmp(code, "kaigi")) cell = json_array_get(json_object_get(ro, "slots"), 1);
    if (!strcmp(code, "av")) cell = json_array_get(json_object_get(ro, "slots"), 2);
    if (!cell) continue;
    json_t *bk = json_object_get(cell, "booking");
    cr_assert_not_null(bk, "%s", code);
    if (!strcmp(code, "kaigi")) {
      cr_assert_str_eq(json_string_value(json_object_get(cell, "state")), "booked");
      cr_assert(json_is_true(json_object_get(bk, "paid_in_full")));
      cr_assert(json_is_false(json_object_get(bk, "checked_in")));
      cr_assert_eq(json_integer_value(json_object_get(bk, "id")), id);
    } else {
      cr_assert_str_eq(json_string_value(json_object_get(cell, "state")), "held");
      cr_assert(json_is_false(json_object_get(bk, "paid_in_full")));
      cr_assert_eq(json_integer_value(json_object_get(bk, "outstanding")), 810);
    }
  }
  json_decref(today);
  /* the public feed: states only */
  json_t *feed = NULL;
  int64_t until;
  cr_assert_eq(avail_build(&w.ctx, fx_day("2026-04-08"), NULL, &feed, &until), 0);
  s = json_dumps(feed, 0);
  cr_assert_null(strstr(s, "前橋 一郎"));
  cr_assert_null(strstr(s, "027-111-2222"));
  cr_assert_null(strstr(s, "山田"));
  free(s);
  json_decref(feed);
  /* only staff */
  fx_as(&w, ALICE, ROLE_CITIZEN, NULL);
  cr_assert_eq(counter_today(&w.ctx, "chuo", &today, &ei), KERR_FORBIDDEN);
  kerr_clear(&ei);
}

/* ================================================ exemptions and money */

Test(counter, an_exemption_approved_later_leaves_paid_bookings_alone) {
  /* RULE: an approval re-prices the group's unpaid bookings only (the
  ** discounts issue's hook, filled with the payments table) */
  int64_t paid, unpaid;
  char msg[512];
  fx_account(&w, 200000002, "admin", "管理 職員");
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-04-08T09:00");
  cr_assert_eq(fx_book(&w, "chuo", "av", "2026-04-22", "morning", GO_CLUB, 5, &paid, msg), 0,
               "%s", msg);
  cr_assert_eq(fx_book(&w, "chuo", "av", "2026-04-23", "morning", GO_CLUB, 5, &unpaid, msg), 0,
               "%s", msg);
  as_staff("2026-04-08T10:00");
  cr_assert_eq(pay(paid, "cash", 320, msg), 0, "%s", msg);
  kstmt *st = db_prep(w.db, "INSERT INTO discount_applications(group_id, category, reason,"
                            " rules_version, applied_by, applied_at)"
                            " VALUES (500000013, 'community', '自治会の会合', '2026-04-01',"
                            " 100000001, 0)");
  fx_exec(&w, st);
  int64_t app = db_last_id(w.db);
  fx_as(&w, 200000002, ROLE_ADMIN, "2026-04-08T11:00");
  struct kerrinfo ei = {0};
  json_t *in = json_pack("{s:s}", "decision", "approved"), *out = NULL;
  cr_assert_eq(discounts_decide(&w.ctx, app, in, &out, &ei), 0, "%s", ei.message);
  json_decref(in);
  json_decref(out);
  kerr_clear(&ei);
  cr_assert_eq(count_sql("SELECT fee_total FROM bookings WHERE date = '2026-04-22'"), 320);
  cr_assert_eq(count_sql("SELECT fee_total FROM bookings WHERE date = '2026-04-23'"), 0);
  /* and the paid one owes nothing more, the other nothing at all */
  as_staff("2026-04-08T11:05");
  cr_assert_eq(pay(paid, "cash", 0, NULL), KERR_CONFLICT);
  cr_assert_eq(pay(unpaid, "cash", 0, NULL), KERR_CONFLICT);
}

/* ======================================================= typed views */

/* The index in V of the room with CODE, or -1. */
static int view_room(const struct counter_view *v, const char *code) {
  for (int i = 0; i < v->nrooms; i++)
    if (!strcmp(v->rooms[i].room->code, code)) return i;
  return -1;
}

Test(counter, today_view_is_typed_and_its_json_is_counter_today) {
  int64_t held, walk, gone;
  char msg[512];
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-04-08T09:00");
  cr_assert_eq(fx_book(&w, "chuo", "av", "2026-04-08", "evening", 0, 5, &held, msg), 0, "%s", msg);
  as_staff("2026-04-08T10:00");
  cr_assert_eq(walkin("chuo", "kaigi", "afternoon", "cash", &walk, msg), 0, "%s", msg);
  cr_assert_eq(walkin("chuo", "washitsu", "evening", NULL, &gone, msg), 0, "%s", msg);
  cr_assert_eq(staff_cancel(gone, "利用者の都合", CANCEL_FOR_HOLDER), 0);
  struct kerrinfo ei = {0};
  struct counter_view v;
  cr_assert_eq(counter_today_view(&w.ctx, NULL, &v, &ei), 0);
  cr_assert_str_eq(v.center->code, "chuo");
  cr_assert_str_eq(v.date, "2026-04-08");
  cr_assert(v.counter_open);
  cr_assert_not(v.closed);
  cr_assert_eq(v.nbookings, 3);
  int kaigi = view_room(&v, "kaigi"), av = view_room(&v, "av"), wa = view_room(&v, "washitsu");
  cr_assert(kaigi >= 0 && av >= 0 && wa >= 0);
  const struct counter_cell *c = &v.rooms[kaigi].cells[1];
  cr_assert_eq(c->state, CELL_BOOKED);
  const struct counter_booking *b = &v.bookings[c->booking];
  cr_assert_eq(b->b.id, walk);
  cr_assert(b->walkin);
  cr_assert_eq(b->status, BOOKING_CONFIRMED);
  cr_assert_str_eq(b->holder_name, "前橋 一郎");
  cr_assert_str_eq(b->holder_phone, "027-111-2222");
  cr_assert_eq(b->due, 640);
  cr_assert_eq(b->paid, 640);
  c = &v.rooms[av].cells[2];
  cr_assert_eq(c->state, CELL_HELD);
  b = &v.bookings[c->booking];
  cr_assert_eq(b->b.id, held);
  cr_assert_not(b->walkin);
  cr_assert_str_eq(b->holder_name, "山田 太郎");
  cr_assert_eq(b->due - b->paid, 810);
  /* the cancelled walk-in holds nothing: its room is free again */
  c = &v.rooms[wa].cells[2];
  cr_assert_eq(c->state, CELL_FREE);
  cr_assert_eq(c->booking, -1);
  cr_assert_eq(c->walkin_fee, 540);
  for (int i = 0; i < v.nbookings; i++)
    if (v.bookings[i].b.id == gone) {
      cr_assert_not(v.bookings[i].holds_slot);
      cr_assert_eq(v.bookings[i].status, BOOKING_CANCELLED);
    }
  /* the API's JSON is this view rendered */
  json_t *from_view = counter_today_json(&v), *api = NULL;
  counter_view_free(&v);
  cr_assert_eq(counter_today(&w.ctx, NULL, &api, &ei), 0);
  cr_assert(json_equal(from_view, api));
  cr_assert_eq(json_array_size(json_object_get(api, "others")), 1);
  json_decref(from_view);
  json_decref(api);
  /* only staff; an unknown centre */
  cr_assert_eq(counter_today_view(&w.ctx, "nowhere", &v, &ei), KERR_NOT_FOUND);
  counter_view_free(&v);
  kerr_clear(&ei);
  fx_as(&w, ALICE, ROLE_CITIZEN, NULL);
  cr_assert_eq(counter_today_view(&w.ctx, "chuo", &v, &ei), KERR_FORBIDDEN);
  counter_view_free(&v);
  kerr_clear(&ei);
}

Test(counter, ledger_view_kinds_are_enums_and_its_json_is_counter_ledger) {
  int64_t a, b;
  char msg[512];
  as_staff("2026-04-08T10:00");
  cr_assert_eq(walkin("chuo", "kaigi", "afternoon", "cash", &a, msg), 0, "%s", msg);
  cr_assert_eq(walkin("chuo", "washitsu", "afternoon", "qr", &b, msg), 0, "%s", msg);
  /* at the holder's request: the 取消料 160 kept, 160 of the 320 back */
  cr_assert_eq(staff_cancel(b, "利用者の都合", CANCEL_FOR_HOLDER), 0);
  struct kerrinfo ei = {0};
  struct counter_ledger_view l;
  cr_assert_eq(counter_ledger_view(&w.ctx, "chuo", fx_day("2026-04-08"), &l, &ei), 0);
  cr_assert_eq(l.counts[LEDGER_WALKIN], 2);
  cr_assert_eq(l.counts[LEDGER_PAYMENT], 2);
  cr_assert_eq(l.counts[LEDGER_REFUND], 1);
  cr_assert_eq(l.counts[LEDGER_CANCELLATION], 1);
  cr_assert_eq(l.payments.by_method[payment_method_index("cash")], 640);
  cr_assert_eq(l.refunds.by_method[payment_method_index("qr")], -160);
  cr_assert_eq(l.net.by_method[payment_method_index("qr")], 160);
  cr_assert_eq(l.net.total, 800);
  cr_assert_eq(l.refunds.count, 1);
  int refunds = 0;
  for (int i = 0; i < l.nentries; i++) {
    const struct ledger_entry *e = &l.entries[i];
    if (e->kind == LEDGER_REFUND) {
      refunds++;
      cr_assert(e->has_payment);
      cr_assert_eq(e->amount, -160);
      cr_assert_str_eq(e->method, "qr");
      cr_assert_eq(e->booking_id, b);
    }
    if (e->kind == LEDGER_CANCELLATION) cr_assert(e->by_staff);
    if (e->kind == LEDGER_WALKIN) cr_assert_str_eq(e->holder, "前橋 一郎");
  }
  cr_assert_eq(refunds, 1);
  json_t *from_view = counter_ledger_json(&l), *api = NULL;
  counter_ledger_view_free(&l);
  cr_assert_eq(counter_ledger(&w.ctx, "chuo", fx_day("2026-04-08"), &api, &ei), 0);
  cr_assert(json_equal(from_view, api));
  json_decref(from_view);
  json_decref(api);
  /* the booking's payments, typed */
  struct payment_row *rows;
  int n;
  cr_assert_eq(payment_rows(&w.ctx, b, &rows, &n), 0);
  cr_assert_eq(n, 2);
  cr_assert_eq(rows[0].kind, PAYMENT_PAYMENT);
  cr_assert_eq(rows[1].kind, PAYMENT_REFUND);
  cr_assert_eq(rows[0].amount + rows[1].amount, 160); /* the 取消料 kept */
  cr_assert_str_eq(payment_kind_name(rows[1].kind), "refund");
  free(rows);
}
