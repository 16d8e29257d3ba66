/*
** tests/unit/test_discounts.c: core/discounts.c (減免) against the real
** Maebashi rule book (and, for a changed rate, a copy of it whose 2026-10-01
** version sets social_education to 33 %), with an in-memory database.
**
** Calendar: 2026-04-01 is a Wednesday; booking for June opens on 2026-04-01
** at 09:00. 2026-06-10 and 2026-06-17 are ordinary Wednesdays. The
** 2026-10-01 version abolishes senior_club and lowers the 学習室 fee.
** Fees (2026-04-01): study 160/240/400, meeting_s 210/320/540,
** hall 1050/1570/2100.
*/
#include "fixture_bookings.h"

#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../backend/core/discounts.h"
#include "../../backend/core/groups.h"

#define ALICE 100000001      /* represents CLUB */
#define BOB 100000002        /* represents PLAIN */
#define CAROL 100000003      /* co-represents CLUB */
#define DAVE 100000004       /* represents nothing */
#define STAFF 200000001
#define ADMIN 300000001
#define CLUB 500000013       /* approved until 2027-03-31 */
#define PLAIN 500000021      /* approved until 2027-03-31, never exempt */
#define PENDING 500000039    /* registration pending, rep ALICE */
#define LAPSED 500000047     /* registration ended 2026-03-31, rep ALICE */

static struct world w;

static void world(const char *book) {
  fx_open(&w, book);
  fx_account(&w, ALICE, "citizen", "山田 太郎");
  fx_account(&w, BOB, "citizen", "佐藤 花子");
  fx_account(&w, CAROL, "citizen", "鈴木 一郎");
  fx_account(&w, DAVE, "citizen", "田中 次郎");
  fx_account(&w, STAFF, "staff", "窓口 職員");
  fx_account(&w, ADMIN, "admin", "管理 者");
  fx_group(&w, CLUB, "前橋自治会", ALICE, "approved", "2027-03-31", 1);
  fx_corep(&w, CLUB, CAROL);
  fx_group(&w, PLAIN, "ふつうの会", BOB, "approved", "2027-03-31", 0);
  fx_group(&w, PENDING, "申請中の会", ALICE, "pending", NULL, 0);
  fx_group(&w, LAPSED, "期限切れの会", ALICE, "approved", "2026-03-31", 0);
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-04-01T09:00");
}

static void setup(void) { world("ordinances/maebashi"); }
static void teardown(void) { fx_close(&w); }

TestSuite(discounts, .init = setup, .fini = teardown);

/* ============================================================ helpers */

static long long q1(const char *sql) {
  kstmt *st = db_prep(w.db, sql);
  cr_assert_not_null(st, "%s", sql);
  cr_assert_eq(db_step(st), DB_ROW, "%s", sql);
  long long n = db_col_int(st, 0);
  db_reset(st);
  return n;
}

/* Apply as ACCOUNT (a citizen); *ID the application (may be NULL). */
static int apply(int64_t account, int64_t group, const char *code, const char *reason,
                 int64_t *id, char *msg) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t now = w.ctx.now;
  fx_as(&w, account, account == STAFF ? ROLE_STAFF : account == ADMIN ? ROLE_ADMIN : ROLE_CITIZEN,
        NULL);
  w.ctx.now = now;
  json_t *in = json_pack("{s:I, s:s}", "group_id", (json_int_t)group, "category", code);
  if (reason) json_object_set_new(in, "reason", json_string(reason));
  int rc = discounts_apply(&w.ctx, in, &out, &ei);
  if (id) *id = rc ? 0 : (int64_t)json_integer_value(json_object_get(out, "id"));
  if (!rc) cr_assert_str_eq(json_string_value(json_object_get(out, "status")), "pending");
  if (msg) snprintf(msg, 512, "%s", ei.message[0] ? ei.message : kerr_message(rc));
  json_decref(in);
  json_decref(out);
  kerr_clear(&ei);
  return rc;
}

/* Decide as ACTOR (role ROLE); *OUT (may be NULL) the reply. */
static int decide_as(int64_t actor, int role, int64_t id, const char *decision,
                     const char *reason, json_t **out) {
  struct kerrinfo ei = {0};
  json_t *o = NULL;
  int64_t now = w.ctx.now;
  fx_as(&w, actor, role, NULL);
  w.ctx.now = now;
  json_t *in = json_pack("{s:s}", "decision", decision);
  if (reason) json_object_set_new(in, "reason", json_string(reason));
  int rc = discounts_decide(&w.ctx, id, in, &o, &ei);
  json_decref(in);
  if (out) *out = o;
  else json_decref(o);
  kerr_clear(&ei);
  return rc;
}

static int decide(int64_t id, const char *decision, const char *reason) {
  return decide_as(ADMIN, ROLE_ADMIN, id, decision, reason, NULL);
}

/* Apply and approve in one go, at instant NOW. */
static void exempt(int64_t group, const char *code, const char *now) {
  int64_t id = 0;
  char msg[512];
  w.ctx.now = fx_at(now);
  int64_t rep = group == PLAIN ? BOB : ALICE;
  cr_assert_eq(apply(rep, group, code, "地域の話し合いに使います。", &id, msg), 0, "%s", msg);
  cr_assert_eq(decide(id, "approved", NULL), 0);
}

/* Book as ACCOUNT at NOW and confirm (holds per user are capped). */
static int64_t book(int64_t account, const char *now, const char *center, const char *room,
                    const char *date, const char *slots, int64_t group) {
  int64_t id = 0;
  char msg[512];
  fx_as(&w, account, ROLE_CITIZEN, now);
  int rc = fx_book(&w, center, room, date, slots, group, 5, &id, msg);
  cr_assert_eq(rc, 0, "book %s %s %s: %s", center, date, slots, msg);
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  cr_assert_eq(booking_confirm(&w.ctx, id, &out, &ei), 0);
  json_decref(out);
  kerr_clear(&ei);
  return id;
}

struct fee {
  long long base, discount, total;
  char code[32];
};

/* The stored fee of booking ID, checked against what the API shows. */
static struct fee fee_of(int64_t id) {
  struct fee f = {0};
  kstmt *st = db_prep(w.db, "SELECT fee_base, fee_discount, fee_total, discount_code"
                            " FROM bookings WHERE id = $id");
  db_bind_int(st, "$id", id);
  cr_assert_eq(db_step(st), DB_ROW);
  f.base = db_col_int(st, 0);
  f.discount = db_col_int(st, 1);
  f.total = db_col_int(st, 2);
  snprintf(f.code, sizeof f.code, "%s", db_col_text(st, 3));
  db_reset(st);
  struct booking b;
  cr_assert_eq(booking_load(&w.ctx, id, &b), 0);
  json_t *j = booking_json(&w.ctx, &b);
  json_t *fee = json_object_get(j, "fee");
  cr_assert_eq(json_integer_value(json_object_get(fee, "base")), f.base);
  cr_assert_eq(json_integer_value(json_object_get(fee, "discount")), f.discount);
  cr_assert_eq(json_integer_value(json_object_get(fee, "total")), f.total);
  const char *code = json_string_value(json_object_get(fee, "discount_code"));
  cr_assert_str_eq(code ? code : "", f.code);
  json_decref(j);
  cr_assert_eq(f.base - f.discount, f.total, "base - discount = total");
  return f;
}

static long long n_apps(void) { return q1("SELECT count(*) FROM discount_applications"); }
static long long n_events(void) {
  return q1("SELECT count(*) FROM events WHERE action LIKE 'discount.%'");
}

/* ==================================================== fee arithmetic */

/* RULE: rounding: the fee payable rounded down to the yen; the discount is
** what that takes off. */
Test(discounts, arithmetic_to_the_yen) {
  cr_assert_eq(discount_yen(400, 100), 400);
  cr_assert_eq(discount_yen(400, 50), 200);
  cr_assert_eq(discount_yen(530, 50), 265);
  cr_assert_eq(discount_yen(215, 50), 108);  /* pays 107.5 -> 107 */
  cr_assert_eq(discount_yen(210, 33), 70);   /* pays 140.7 -> 140 */
  cr_assert_eq(discount_yen(1, 50), 1);      /* pays 0.5 -> 0 */
  cr_assert_eq(discount_yen(999, 1), 10);    /* pays 989.01 -> 989 */
  cr_assert_eq(discount_yen(0, 100), 0);     /* a free campaign day stays free */
  cr_assert_eq(discount_yen(400, 0), 0);
  for (int base = 0; base < 3000; base += 7)
    for (int rate = 1; rate <= 100; rate++) {
      int64_t d = discount_yen(base, rate);
      cr_assert(d >= 0 && d <= base);
      /* never more than a yen from the exact figure, never in the city's favour */
      cr_assert(d * 100 >= (int64_t)base * rate && d * 100 < (int64_t)base * rate + 100,
                "%d at %d%%: %lld", base, rate, (long long)d);
    }
}

/* A full exemption over several slots: nothing to pay. */
Test(discounts, full_exemption_several_slots) {
  exempt(CLUB, "community", "2026-04-01T08:00");
  int64_t id = book(ALICE, "2026-04-01T09:00", "chuo", "hall", "2026-06-10",
                    "morning,afternoon,evening", CLUB);
  struct fee f = fee_of(id);
  cr_assert_eq(f.base, 1050 + 1570 + 2100);
  cr_assert_eq(f.discount, f.base);
  cr_assert_eq(f.total, 0);
  cr_assert_str_eq(f.code, "community");
}

/* 5割減額 over two slots: half, to the yen. */
Test(discounts, half_several_slots) {
  exempt(CLUB, "social_education", "2026-04-01T08:00");
  int64_t id = book(ALICE, "2026-04-01T09:00", "kamikawabuchi", "kaigi1", "2026-06-10",
                    "morning,afternoon", CLUB);
  struct fee f = fee_of(id);
  cr_assert_eq(f.base, 210 + 320);
  cr_assert_eq(f.discount, 265);
  cr_assert_eq(f.total, 265);
  cr_assert_str_eq(f.code, "social_education");
}

/* Only the exempt group's bookings; a person booking alone or another group
** pays the full fee. */
Test(discounts, only_the_exempt_group) {
  exempt(CLUB, "community", "2026-04-01T08:00");
  int64_t own = book(ALICE, "2026-04-01T09:00", "chuo", "r503", "2026-06-10", "morning", 0);
  int64_t other = book(BOB, "2026-04-01T09:00", "chuo", "r507", "2026-06-10", "morning", PLAIN);
  cr_assert_eq(fee_of(own).discount, 0);
  cr_assert_eq(fee_of(other).discount, 0);
  cr_assert_eq(fee_of(other).total, 160);
}

/* RULE: two categories: the most favourable. */
Test(discounts, most_favourable_of_two) {
  exempt(CLUB, "social_education", "2026-04-01T08:00");
  int64_t before = book(ALICE, "2026-04-01T09:00", "chuo", "kaigi", "2026-06-10", "morning", CLUB);
  cr_assert_eq(fee_of(before).discount, 210);   /* 420 at 50 % */
  exempt(CLUB, "community", "2026-04-02T10:00");
  struct fee f = fee_of(before);                /* re-priced by the second approval */
  cr_assert_eq(f.discount, 420);
  cr_assert_str_eq(f.code, "community");
  int64_t after = book(ALICE, "2026-04-02T11:00", "chuo", "kaigi", "2026-06-17", "morning", CLUB);
  cr_assert_str_eq(fee_of(after).code, "community");
  cr_assert_eq(fee_of(after).total, 0);
}

/* ================================================ every centre, before */

/* RULE: one approval for every centre, and it reaches the bookings made
** before it: two bookings at two centres made before the approval and one
** after are all discounted; a cancelled one and another group's are not
** touched, nor one whose use date is after the approval's end. */
Test(discounts, every_centre_and_bookings_made_before) {
  int64_t a = book(ALICE, "2026-04-01T09:00", "chuo", "r503", "2026-06-10", "morning,afternoon",
                   CLUB);
  int64_t b = book(CAROL, "2026-04-01T09:01", "kamikawabuchi", "kaigi1", "2026-06-17",
                   "evening", CLUB);
  int64_t gone = book(ALICE, "2026-04-01T09:02", "haga", "kaigi", "2026-06-24", "morning", CLUB);
  int64_t other = book(BOB, "2026-04-01T09:03", "chuo", "r507", "2026-06-10", "morning", PLAIN);
  {
    struct kerrinfo ei = {0};
    json_t *out = NULL;
    fx_as(&w, ALICE, ROLE_CITIZEN, "2026-04-01T09:05");
    cr_assert_eq(booking_cancel(&w.ctx, gone, NULL, CANCEL_FOR_DEFAULT, &out, &ei), 0);
    json_decref(out);
    kerr_clear(&ei);
  }
  cr_assert_eq(fee_of(a).discount, 0);
  cr_assert_eq(fee_of(b).discount, 0);

  int64_t id = 0;
  w.ctx.now = fx_at("2026-04-03T10:00");
  cr_assert_eq(apply(ALICE, CLUB, "social_education", "公開講座を開きます。", &id, NULL), 0);
  cr_assert_eq(fee_of(a).discount, 0, "a pending application changes nothing");
  json_t *out = NULL;
  cr_assert_eq(decide_as(ADMIN, ROLE_ADMIN, id, "approved", NULL, &out), 0);
  cr_assert_str_eq(json_string_value(json_object_get(out, "valid_from")), "2026-04-03");
  cr_assert_str_eq(json_string_value(json_object_get(out, "valid_until")), "2027-03-31");
  cr_assert_eq(json_integer_value(json_object_get(out, "repriced")), 2);
  json_decref(out);

  struct fee fa = fee_of(a), fb = fee_of(b);
  cr_assert_eq(fa.base, 400);
  cr_assert_eq(fa.discount, 200);
  cr_assert_eq(fa.total, 200);
  cr_assert_str_eq(fa.code, "social_education");
  cr_assert_eq(fb.base, 540);
  cr_assert_eq(fb.discount, 270);
  cr_assert_str_eq(fb.code, "social_education");
  cr_assert_eq(fee_of(gone).discount, 0, "a cancelled booking is not re-priced");
  cr_assert_eq(fee_of(other).discount, 0, "another group's booking is not touched");
  /* a new booking at a third centre after the approval */
  int64_t c = book(ALICE, "2026-04-03T11:00", "shimokawabuchi", "kaigi", "2026-06-24", "morning",
                   CLUB);
  cr_assert_eq(fee_of(c).discount, 105);
  /* each re-priced booking is in the usage log, with the new total */
  cr_assert_eq(q1("SELECT count(*) FROM events WHERE action = 'booking.discount'"), 2);
  cr_assert_eq(q1("SELECT sum(amount) FROM events WHERE action = 'booking.discount'"), 200 + 270);

  /* past the approval's end (2027-03-31): the full fee */
  int64_t next = book(ALICE, "2027-02-01T09:00", "chuo", "r503", "2027-04-07", "morning", CLUB);
  cr_assert_eq(fee_of(next).discount, 0);
}

/* A hold that has lapsed is not re-priced. */
Test(discounts, lapsed_hold_not_repriced) {
  int64_t id = 0;
  char msg[512];
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-04-01T09:00");
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning", CLUB, 5, &id, msg), 0, "%s",
               msg);
  exempt(CLUB, "community", "2026-04-10T09:00");    /* the 72-hour hold lapsed on the 4th */
  cr_assert_eq(fee_of(id).discount, 0);
}

/* ===================================================== the versions */

/* RULE: the version in force on the use date decides: senior_club is
** abolished from 2026-10-01, so an approval of August discounts a September
** use date and not an October one, whenever they were booked. */
Test(discounts, abolished_category_from_its_effective_date) {
  int64_t sep = book(ALICE, "2026-08-03T10:00", "chuo", "r503", "2026-09-30", "morning", CLUB);
  exempt(CLUB, "senior_club", "2026-08-03T11:00");
  cr_assert_eq(fee_of(sep).discount, 80);                   /* 160 at 50 %, re-priced */
  int64_t sep2 = book(ALICE, "2026-08-03T12:00", "chuo", "r507", "2026-09-30", "afternoon", CLUB);
  int64_t oct = book(ALICE, "2026-08-03T12:00", "chuo", "r503", "2026-10-07", "morning", CLUB);
  cr_assert_eq(fee_of(sep2).discount, 120);
  cr_assert_str_eq(fee_of(sep2).code, "senior_club");
  struct fee f = fee_of(oct);
  cr_assert_eq(f.base, 110);                                /* the amended 学習室 fee */
  cr_assert_eq(f.discount, 0);
  cr_assert_str_eq(f.code, "");
  /* and after the change nobody may apply for it any more */
  w.ctx.now = fx_at("2026-10-01T09:00");
  cr_assert_eq(apply(BOB, PLAIN, "senior_club", "老人クラブの活動", NULL, NULL), KERR_VALIDATION);
}

/* An application made before the abolition and still pending after it
** cannot be approved (it must be rejected with a reason). */
Test(discounts, abolished_before_the_decision) {
  int64_t id = 0;
  w.ctx.now = fx_at("2026-09-30T10:00");
  cr_assert_eq(apply(ALICE, CLUB, "senior_club", "老人クラブの活動", &id, NULL), 0);
  w.ctx.now = fx_at("2026-10-01T10:00");
  cr_assert_eq(decide(id, "approved", NULL), KERR_VALIDATION);
  cr_assert_eq(q1("SELECT count(*) FROM discount_applications WHERE status = 'pending'"), 1);
  cr_assert_eq(decide(id, "rejected", "この区分は2026年10月1日に廃止されました。"), 0);
}

/* A copy of the Maebashi rule book whose 2026-10-01 version sets the rate of
** social_education to RATE; DIR gets the folder (mkdtemp). */
static void book_with_rate(int rate, char *dir) {
  json_error_t err;
  char path[512];
  strcpy(dir, "/tmp/kominkan-discounts-XXXXXX");
  cr_assert_not_null(mkdtemp(dir));
  const char *files[] = {"facilities.json", "rules-2026-04-01.json", "rules-2026-10-01.json"};
  for (int i = 0; i < 3; i++) {
    snprintf(path, sizeof path, "ordinances/maebashi/%s", files[i]);
    json_t *j = json_load_file(path, 0, &err);
    cr_assert_not_null(j, "%s: %s", path, err.text);
    if (i == 2) {
      size_t k;
      json_t *d;
      json_array_foreach(json_object_get(j, "discounts"), k, d)
        if (!strcmp(json_string_value(json_object_get(d, "code")), "social_education"))
          json_object_set_new(d, "rate", json_integer(rate));
    }
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    cr_assert_eq(json_dump_file(j, path, JSON_INDENT(2)), 0);
    json_decref(j);
  }
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

/* RULE: a changed rate applies from its effective date: one approval,
** September at 50 %, October at 33 % (rounded: 210 pays 140, not 140.7). */
Test(discounts, changed_rate_from_its_effective_date) {
  char dir[64];
  fx_close(&w);
  book_with_rate(33, dir);
  world(dir);
  int64_t sep = book(ALICE, "2026-08-03T10:00", "kamikawabuchi", "kaigi1", "2026-09-30",
                     "morning", CLUB);
  int64_t oct = book(ALICE, "2026-08-03T10:01", "kamikawabuchi", "kaigi1", "2026-10-07",
                     "morning,afternoon", CLUB);
  exempt(CLUB, "social_education", "2026-08-03T11:00");
  struct fee fs = fee_of(sep), fo = fee_of(oct);
  cr_assert_eq(fs.discount, 105);                   /* 210 at 50 % */
  cr_assert_eq(fo.base, 530);
  cr_assert_eq(fo.discount, 175);                   /* 530 at 33 %: pays 355.1 -> 355 */
  cr_assert_eq(fo.total, 355);
  int64_t oct2 = book(ALICE, "2026-08-03T12:00", "kamikawabuchi", "kaigi2", "2026-10-07",
                      "morning", CLUB);
  cr_assert_eq(fee_of(oct2).discount, 70);          /* 210 at 33 %: pays 140.7 -> 140 */
  cr_assert_eq(fee_of(oct2).total, 140);
  remove_book(dir);
}

/* ======================================== no privilege but the fee */

/* RULE: exempt groups get exactly the same booking window and caps: an
** exempt group and a plain one are both refused before the window opens,
** with the same answer, and both at the monthly cap. */
Test(discounts, same_window_and_caps_as_everyone) {
  exempt(CLUB, "community", "2026-04-01T08:00");
  char m1[512], m2[512];
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-04-01T08:59");
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning", CLUB, 5, NULL, m1),
               KERR_OUTSIDE_WINDOW);
  fx_as(&w, BOB, ROLE_CITIZEN, "2026-04-01T08:59");
  cr_assert_eq(fx_book(&w, "chuo", "r507", "2026-06-10", "morning", PLAIN, 5, NULL, m2),
               KERR_OUTSIDE_WINDOW);
  cr_assert_str_eq(m1, m2);

  /* the cap: 4 slots a month, counted across every centre, for both */
  book(ALICE, "2026-04-01T09:00", "chuo", "hall", "2026-06-10", "morning,afternoon,evening", CLUB);
  book(BOB, "2026-04-01T09:00", "haga", "hall", "2026-06-10", "morning,afternoon,evening", PLAIN);
  book(ALICE, "2026-04-01T09:01", "chuo", "r503", "2026-06-11", "morning", CLUB);
  book(BOB, "2026-04-01T09:01", "haga", "kaigi", "2026-06-11", "morning", PLAIN);
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-04-01T09:02");
  cr_assert_eq(fx_book(&w, "kamikawabuchi", "kaigi1", "2026-06-12", "morning", CLUB, 5, NULL, m1),
               KERR_LIMIT);
  fx_as(&w, BOB, ROLE_CITIZEN, "2026-04-01T09:02");
  cr_assert_eq(fx_book(&w, "kamikawabuchi", "kaigi2", "2026-06-12", "morning", PLAIN, 5, NULL, m2),
               KERR_LIMIT);
  cr_assert(strstr(m1, "4コマ") && strstr(m2, "4コマ"), "%s / %s", m1, m2);
  /* and holds: 3 at once for everyone */
  cr_assert_eq(w.rb->versions[0].hold_max_per_user, 3);
}

/* ================================================ applying: errors */

Test(discounts, apply_ok_by_representative_and_co_representative) {
  int64_t id = 0;
  cr_assert_eq(apply(ALICE, CLUB, "community", "自治会の定例会", &id, NULL), 0);
  cr_assert_eq(apply(CAROL, CLUB, "social_education", "公開講座", NULL, NULL), 0);
  cr_assert_eq(n_apps(), 2);
  cr_assert_eq(n_events(), 2);
  /* the usage log holds no reason and no name, only codes and pseudonyms */
  cr_assert_eq(q1("SELECT count(*) FROM events WHERE detail LIKE '%自治会%' OR detail LIKE '%講座%'"
                  " OR subject = '500000013'"),
               0);
  cr_assert_eq(q1("SELECT count(*) FROM events WHERE action = 'discount.apply'"
                  " AND detail LIKE '%\"category\":\"community\"%'"),
               1);
}

/* discounts_apply_id (the form's receipt): the new application's number,
** the one discounts_apply would answer with; its errors are the same. */
Test(discounts, apply_id_is_the_applications_number) {
  struct kerrinfo ei = {0};
  int64_t id = -1, first = 0;
  cr_assert_eq(apply(ALICE, CLUB, "community", "自治会の定例会", &first, NULL), 0);
  json_t *in = json_pack("{s:I, s:s, s:s}", "group_id", (json_int_t)CLUB, "category",
                         "social_education", "reason", "公開講座");
  cr_assert_eq(discounts_apply_id(&w.ctx, in, &id, &ei), 0, "%s", ei.message);
  cr_assert_eq(id, first + 1);
  cr_assert_eq(q1("SELECT count(*) FROM discount_applications WHERE status = 'pending'"), 2);
  /* the same category while it is open: refused, no number */
  cr_assert_eq(discounts_apply_id(&w.ctx, in, &id, &ei), KERR_CONFLICT);
  cr_assert_eq(id, 0);
  json_decref(in);
  kerr_clear(&ei);
}

/* The application form's key: a repeat of the same post (a reload of the
** receipt page) gives the first application and makes nothing, also once it
** was decided; the key with other details is a conflict; a bad key is
** refused; a key is its holder's own; a failing THEN leaves nothing. */
static int fail_then(struct kctx *c, int64_t id, void *arg, struct kerrinfo *ei) {
  (void)c, (void)id, (void)arg, (void)ei;
  return KERR_INTERNAL;
}

static int apply_keyed(const json_t *in, const char *key, int64_t *id, int *replayed) {
  struct kerrinfo ei = {0};
  int rc = discounts_apply_keyed(&w.ctx, in, key, NULL, NULL, id, replayed, &ei);
  kerr_clear(&ei);
  return rc;
}

Test(discounts, a_repeated_form_key_gives_the_first_application) {
  struct kerrinfo ei = {0};
  int64_t id = 0, again = 0, other = 0;
  int replayed = -1;
  json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "group_id", "500000013", "category", "community",
                         "reason", "自治会の定例会", "evidence", "");
  cr_assert_eq(apply_keyed(in, "k-1", &id, &replayed), 0);
  cr_assert(id > 0);
  cr_assert_eq(replayed, 0);
  cr_assert_eq(n_apps(), 1);
  cr_assert_eq(n_events(), 1);
  /* the same post again: the first application, nothing new (not 409 "審査中") */
  cr_assert_eq(apply_keyed(in, "k-1", &again, &replayed), 0);
  cr_assert_eq(again, id);
  cr_assert_eq(replayed, 1);
  cr_assert_eq(n_apps(), 1);
  cr_assert_eq(n_events(), 1, "a replay records nothing");
  /* other details under the same key: a conflict, nothing made */
  json_t *changed = json_pack("{s:s, s:s, s:s}", "group_id", "500000013", "category",
                              "social_education", "reason", "公開講座");
  cr_assert_eq(apply_keyed(changed, "k-1", &other, &replayed), KERR_CONFLICT);
  cr_assert_eq(other, 0);
  cr_assert_eq(apply_keyed(changed, "bad key", &other, NULL), KERR_BAD_REQUEST);
  cr_assert_eq(discounts_apply_keyed(&w.ctx, changed, "k-2", fail_then, NULL, &other, NULL, &ei),
               KERR_INTERNAL);
  kerr_clear(&ei);
  cr_assert_eq(other, 0);
  cr_assert_eq(n_apps(), 1, "nothing made by a refused post");
  /* decided since: the repeat still shows the first one */
  cr_assert_eq(decide(id, "approved", NULL), 0);
  fx_as(&w, ALICE, ROLE_CITIZEN, NULL);
  cr_assert_eq(apply_keyed(in, "k-1", &again, &replayed), 0);
  cr_assert_eq(again, id);
  cr_assert_eq(replayed, 1);
  /* another representative of the group posting the key makes their own */
  fx_as(&w, CAROL, ROLE_CITIZEN, NULL);
  cr_assert_eq(apply_keyed(changed, "k-1", &other, &replayed), 0);
  cr_assert_neq(other, id);
  cr_assert_eq(replayed, 0);
  cr_assert_eq(n_apps(), 2);
  json_decref(changed);
  json_decref(in);
}

Test(discounts, apply_errors_store_nothing) {
  char msg[512];
  cr_assert_eq(apply(ALICE, CLUB, "nonexistent", "理由", NULL, msg), KERR_VALIDATION);
  cr_assert(strstr(msg, "nonexistent"), "%s", msg);
  cr_assert_eq(apply(ALICE, PENDING, "community", "理由", NULL, msg), KERR_VALIDATION);
  cr_assert(strstr(msg, "承認"), "%s", msg);
  cr_assert_eq(apply(ALICE, LAPSED, "community", "理由", NULL, msg), KERR_VALIDATION);
  cr_assert_eq(apply(DAVE, CLUB, "community", "理由", NULL, msg), KERR_NOT_FOUND);
  cr_assert_eq(apply(BOB, CLUB, "community", "理由", NULL, msg), KERR_NOT_FOUND);
  cr_assert_eq(apply(ALICE, 500000054, "community", "理由", NULL, msg), KERR_NOT_FOUND);
  cr_assert_eq(apply(ALICE, CLUB, "community", NULL, NULL, msg), KERR_VALIDATION);
  cr_assert_eq(apply(ALICE, CLUB, "community", "　 ", NULL, msg), KERR_VALIDATION);
  cr_assert_eq(apply(STAFF, CLUB, "community", "理由", NULL, msg), KERR_FORBIDDEN);
  cr_assert_eq(apply(ADMIN, CLUB, "community", "理由", NULL, msg), KERR_FORBIDDEN);
  cr_assert_eq(n_apps(), 0);
  cr_assert_eq(n_events(), 0);
}

/* RULE: one open application per group and category. */
Test(discounts, one_open_application_per_group_and_category) {
  char msg[512];
  int64_t id = 0;
  cr_assert_eq(apply(ALICE, CLUB, "community", "理由", &id, NULL), 0);
  cr_assert_eq(apply(CAROL, CLUB, "community", "もう一度", NULL, msg), KERR_CONFLICT);
  cr_assert(strstr(msg, "審査中"), "%s", msg);
  cr_assert_eq(n_apps(), 1);
  cr_assert_eq(n_events(), 1);
  /* another category is another application */
  cr_assert_eq(apply(ALICE, CLUB, "social_education", "理由", NULL, NULL), 0);
  /* after a rejection, a new application is open again */
  cr_assert_eq(decide(id, "rejected", "規約の写しが必要です。"), 0);
  cr_assert_eq(apply(ALICE, CLUB, "community", "規約を添えて", NULL, NULL), 0);
  /* the schema refuses a second pending row even past the check */
  kstmt *st = db_prep(w.db, "INSERT INTO discount_applications(group_id, category, reason,"
                            " status, rules_version, applied_by, applied_at)"
                            " VALUES (500000013, 'community', 'x', 'pending', 'v', 100000001, 0)");
  cr_assert_eq(db_exec_stmt(st), DB_CONSTRAINT);
}

/* ================================================ deciding */

Test(discounts, decisions) {
  int64_t id = 0, id2 = 0;
  json_t *out = NULL;
  w.ctx.now = fx_at("2026-05-20T10:00");
  cr_assert_eq(apply(ALICE, CLUB, "community", "理由", &id, NULL), 0);
  cr_assert_eq(apply(ALICE, CLUB, "social_education", "理由", &id2, NULL), 0);
  /* only admins decide */
  cr_assert_eq(decide_as(ALICE, ROLE_CITIZEN, id, "approved", NULL, NULL), KERR_FORBIDDEN);
  cr_assert_eq(decide_as(STAFF, ROLE_STAFF, id, "approved", NULL, NULL), KERR_FORBIDDEN);
  cr_assert_eq(decide_as(ADMIN, ROLE_ANALYST, id, "approved", NULL, NULL), KERR_FORBIDDEN);
  /* RULE: a rejection without a reason is refused */
  cr_assert_eq(decide(id2, "rejected", NULL), KERR_VALIDATION);
  cr_assert_eq(decide(id2, "rejected", "  "), KERR_VALIDATION);
  cr_assert_eq(decide(id, "maybe", NULL), KERR_VALIDATION);
  cr_assert_eq(decide(999, "approved", NULL), KERR_NOT_FOUND);
  cr_assert_eq(decide(999, "rejected", NULL), KERR_NOT_FOUND);
  cr_assert_eq(q1("SELECT count(*) FROM discount_applications WHERE status = 'pending'"), 2);
  cr_assert_eq(q1("SELECT count(*) FROM events WHERE action LIKE 'discount.%'"), 2);

  cr_assert_eq(decide_as(ADMIN, ROLE_ADMIN, id, "approved", NULL, &out), 0);
  cr_assert_str_eq(json_string_value(json_object_get(out, "status")), "approved");
  cr_assert_str_eq(json_string_value(json_object_get(out, "valid_until")), "2027-03-31");
  cr_assert(json_is_true(json_object_get(out, "in_force")));
  json_decref(out);
  cr_assert_eq(decide(id, "rejected", "やはり"), KERR_CONFLICT);
  cr_assert_eq(decide(id2, "rejected", "対象の活動ではありません。"), 0);
  cr_assert_eq(q1("SELECT count(*) FROM events WHERE action = 'discount.approve'"), 1);
  cr_assert_eq(q1("SELECT count(*) FROM events WHERE action = 'discount.reject'"), 1);
  cr_assert_eq(q1("SELECT count(*) FROM events WHERE detail LIKE '%対象%'"), 0);

  /* the group sees status and reason */
  fx_as(&w, ALICE, ROLE_CITIZEN, NULL);
  struct kerrinfo ei = {0};
  cr_assert_eq(discounts_group_get(&w.ctx, CLUB, &out, &ei), 0);
  json_t *ds = json_object_get(out, "discounts");
  cr_assert_eq(json_array_size(ds), 2);
  json_t *rej = json_array_get(ds, 0);   /* newest first: the same second, higher id */
  cr_assert_str_eq(json_string_value(json_object_get(rej, "status")), "rejected");
  cr_assert_str_eq(json_string_value(json_object_get(rej, "decision_reason")),
                   "対象の活動ではありません。");
  json_decref(out);
}

/* An approval lasts to the category's validity: the fiscal year end from the
** decision date; applying again while approved is a renewal that follows
** without a gap, once. */
Test(discounts, validity_and_renewal) {
  int64_t id = 0;
  json_t *out = NULL;
  char msg[512];
  exempt(CLUB, "community", "2026-04-01T08:00");
  w.ctx.now = fx_at("2027-03-10T10:00");
  cr_assert_eq(apply(ALICE, CLUB, "community", "来年度も", &id, NULL), 0);
  cr_assert_eq(decide_as(ADMIN, ROLE_ADMIN, id, "approved", NULL, &out), 0);
  cr_assert_str_eq(json_string_value(json_object_get(out, "valid_from")), "2027-04-01");
  cr_assert_str_eq(json_string_value(json_object_get(out, "valid_until")), "2028-03-31");
  cr_assert(!json_is_true(json_object_get(out, "in_force")));
  json_decref(out);
  cr_assert_eq(apply(ALICE, CLUB, "community", "さらに", NULL, msg), KERR_CONFLICT);
  cr_assert(strstr(msg, "2028年3月31日"), "%s", msg);

  /* {"days": N} validity: from the decision date, N days */
  const struct discount_cat *d = rules_discount(&w.rb->versions[0], "community");
  struct discount_cat days = *d;
  days.valid_kind = VALID_DAYS;
  days.valid_days = 30;
  cr_assert_eq(discounts_validity_end(&days, fx_day("2026-04-01")), fx_day("2026-04-30"));
  cr_assert_eq(discounts_validity_end(d, fx_day("2026-04-01")), fx_day("2027-03-31"));
  cr_assert_eq(discounts_validity_end(d, fx_day("2027-03-31")), fx_day("2027-03-31"));
}

/* ================================================ who sees what */

Test(discounts, visibility) {
  int64_t id = 0;
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  cr_assert_eq(apply(ALICE, CLUB, "community", "理由", &id, NULL), 0);

  fx_as(&w, CAROL, ROLE_CITIZEN, NULL);           /* co-representative */
  cr_assert_eq(discounts_get(&w.ctx, id, &out, &ei), 0);
  cr_assert_str_eq(json_string_value(json_object_get(out, "group_name")), "前橋自治会");
  json_decref(out);
  fx_as(&w, BOB, ROLE_CITIZEN, NULL);             /* someone else's: 404 */
  cr_assert_eq(discounts_get(&w.ctx, id, &out, &ei), KERR_NOT_FOUND);
  kerr_clear(&ei);
  cr_assert_eq(discounts_list(&w.ctx, NULL, "500000013", &out, &ei), KERR_NOT_FOUND);
  kerr_clear(&ei);
  cr_assert_eq(discounts_list(&w.ctx, "pending", NULL, &out, &ei), KERR_FORBIDDEN);
  kerr_clear(&ei);
  cr_assert_eq(discounts_list(&w.ctx, NULL, NULL, &out, &ei), 0);   /* his own: none */
  cr_assert_eq(json_array_size(json_object_get(out, "applications")), 0);
  json_decref(out);

  fx_as(&w, STAFF, ROLE_STAFF, NULL);
  cr_assert_eq(discounts_get(&w.ctx, id, &out, &ei), 0);
  json_decref(out);
  cr_assert_eq(discounts_list(&w.ctx, NULL, "500000013", &out, &ei), 0);
  cr_assert_eq(json_array_size(json_object_get(out, "applications")), 1);
  json_decref(out);
  cr_assert_eq(discounts_list(&w.ctx, "pending", NULL, &out, &ei), KERR_FORBIDDEN);
  kerr_clear(&ei);

  fx_as(&w, ADMIN, ROLE_ADMIN, NULL);
  cr_assert_eq(discounts_list(&w.ctx, "pending", NULL, &out, &ei), 0);
  json_t *a = json_array_get(json_object_get(out, "applications"), 0);
  cr_assert_str_eq(json_string_value(json_object_get(a, "group_name")), "前橋自治会");
  cr_assert_str_eq(json_string_value(json_object_get(a, "category")), "community");
  cr_assert_str_eq(json_string_value(json_object_get(a, "reason")), "理由");
  cr_assert_eq(json_integer_value(json_object_get(a, "rate")), 100);
  json_decref(out);
  cr_assert_eq(discounts_list(&w.ctx, "approved", NULL, &out, &ei), 0);
  cr_assert_eq(json_array_size(json_object_get(out, "applications")), 0);
  json_decref(out);
  cr_assert_eq(discounts_list(&w.ctx, "open", NULL, &out, &ei), KERR_VALIDATION);
  kerr_clear(&ei);
  cr_assert_eq(discounts_list(&w.ctx, NULL, "500000014", &out, &ei), KERR_VALIDATION);
  kerr_clear(&ei);
}
