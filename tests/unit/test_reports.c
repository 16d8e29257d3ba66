/*
** tests/unit/test_reports.c: the report arithmetic (core/reports.c) against a
** small fixture whose figures are worked out by hand below, the monthly
** statistics, the CSV forms, and the usage log read out in pieces
** (core/usagelog.c).
**
** The fixture: 芳賀公民館 (haga: 3 rooms, hall / kaigi / washitsu), the week
** Monday 2026-04-06 .. Sunday 2026-04-12, the clock at 2026-04-10 12:00.
** 2026-04-06 is the 1st Monday: closed (rule book 2026-04-01). So 6 open days
** x 3 rooms x 3 slots = 54 slots available. Fees of that version: hall
** 1050/1570/2100, kaigi (meeting_s) and washitsu 210/320/540 (morning/
** afternoon/evening).
**
**  id  room      date        slots      status      who            fee (base/disc/total)  att  channel
**  B1  hall      04-07 Tue   mor+aft    confirmed   group G1       2620/0/2620            50   online
**  B2  kaigi     04-07 Tue   eve        checked_in  person P1      540/0/540              5    counter
**  B3  washitsu  04-08 Wed   mor        confirmed   group G2       210/210/0  (全額免除)   10   online
**  B4  washitsu  04-08 Wed   aft        cancelled   group G1       320/0/320, fee 160     8    online
**  B5  hall      04-09 Thu   eve        no_show     group G1       2100/0/2100            80   form
**  B6  kaigi     04-11 Sat   aft        held, expired 04-10 11:00 (lapsed by now) P2  320  3  online
**  B7  kaigi     04-12 Sun   mor        held, expires 04-11 09:00 (still held)   P2  210  3  online
**  B8  washitsu  04-10 Fri   eve        lapsed      person P1      540                     4    online
**  B9  hall      04-11 Sat   mor        confirmed   walk-in (no account) 1050             20   counter
**  B10 kaigi     04-08 Wed   mor+aft+eve confirmed  group G2       1070/535/535 (5割)     12   online
**  B11 chuo hall 04-07 Tue   mor        confirmed   group G3       1050                   30   online  (another centre)
**  B12 hall      04-13 Mon   mor        confirmed   group G3       1050                   30   online  (after the week; in April)
**
** Payments at the counter (schema/008; a refund is a negative row):
**  B1 cash 2620; B2 qr 540; B4 ic 320 then a refund ic -160 (it keeps the
**  cancellation fee 160); B5 card 2100 (a no-show pays its fee); B9 cash 1050;
**  B11 qr 1050; B12 cash 1050. B3 owes nothing; B10 has not paid its 535 yet.
*/
#include "fixture_bookings.h"

#include "../../backend/core/reports.h"
#include "../../backend/core/usagelog.h"
#include "../../backend/core/audit.h"

#define P1 100000017
#define P2 100000025
#define REP 100000033
#define G1 500000013
#define G2 500000021
#define G3 500000039

static struct world w;

static int starts(const char *s, const char *prefix) { return !strncmp(s, prefix, strlen(prefix)); }

static void booking(int id, const char *center, const char *room, const char *date,
                    const char *slots, const char *status, int64_t account, int64_t group,
                    int base, int disc, int cancel_fee, int att, const char *channel,
                    const char *expires) {
  kstmt *st = db_prep(w.db,
                      "INSERT INTO bookings(id, account_id, group_id, room_id, center, date, slots,"
                      " status, attendees, channel, fee_base, fee_discount, fee_total, cancel_fee,"
                      " rules_version, hold_expires_at, created_at)"
                      " VALUES ($id, $a, $g, $room, $center, $date, $slots, $status, $att, $ch,"
                      " $base, $disc, $total, $cf, '2026-04-01', $exp, 0)");
  db_bind_int(st, "$id", id);
  if (account) db_bind_int(st, "$a", account);
  else db_bind_null(st, "$a");
  if (group) db_bind_int(st, "$g", group);
  else db_bind_null(st, "$g");
  db_bind_int(st, "$room", fx_room(&w, center, room)->id);
  db_bind_text(st, "$center", center);
  db_bind_text(st, "$date", date);
  db_bind_text(st, "$slots", slots);
  db_bind_text(st, "$status", status);
  db_bind_int(st, "$att", att);
  db_bind_text(st, "$ch", channel);
  db_bind_int(st, "$base", base);
  db_bind_int(st, "$disc", disc);
  db_bind_int(st, "$total", base - disc);
  if (cancel_fee >= 0) db_bind_int(st, "$cf", cancel_fee);
  else db_bind_null(st, "$cf");
  if (expires) db_bind_int(st, "$exp", fx_at(expires));
  else db_bind_null(st, "$exp");
  fx_exec(&w, st);
}

static void payment(int id, int booking, const char *center, const char *kind,
                    const char *method, int amount) {
  kstmt *st = db_prep(w.db,
                      "INSERT INTO payments(id, booking_id, center, ledger_date, seq, receipt, kind,"
                      " method, amount, at) VALUES ($id, $b, $c, '2026-04-07', $id, $r, $k, $m, $a, 0)");
  char receipt[32];
  snprintf(receipt, sizeof receipt, "R-%d", id);
  db_bind_int(st, "$id", id);
  db_bind_int(st, "$b", booking);
  db_bind_text(st, "$c", center);
  db_bind_text(st, "$r", receipt);
  db_bind_text(st, "$k", kind);
  db_bind_text(st, "$m", method);
  db_bind_int(st, "$a", amount);
  fx_exec(&w, st);
}

static void setup(void) {
  fx_open(&w, "ordinances/maebashi");
  fx_account(&w, P1, "citizen", "前橋 一子");
  fx_account(&w, P2, "citizen", "前橋 二郎");
  fx_account(&w, REP, "citizen", "代表 三郎");
  fx_group(&w, G1, "一の会", REP, "approved", "2027-03-31", 0);
  fx_group(&w, G2, "二の会", REP, "approved", "2027-03-31", 0);
  fx_group(&w, G3, "三の会", REP, "approved", "2027-03-31", 0);
  booking(1, "haga", "hall", "2026-04-07", "morning,afternoon", "confirmed", REP, G1, 2620, 0, -1, 50, "online", NULL);
  booking(2, "haga", "kaigi", "2026-04-07", "evening", "checked_in", P1, 0, 540, 0, -1, 5, "counter", NULL);
  booking(3, "haga", "washitsu", "2026-04-08", "morning", "confirmed", REP, G2, 210, 210, -1, 10, "online", NULL);
  booking(4, "haga", "washitsu", "2026-04-08", "afternoon", "cancelled", REP, G1, 320, 0, 160, 8, "online", NULL);
  booking(5, "haga", "hall", "2026-04-09", "evening", "no_show", REP, G1, 2100, 0, -1, 80, "form", NULL);
  booking(6, "haga", "kaigi", "2026-04-11", "afternoon", "held", P2, 0, 320, 0, -1, 3, "online", "2026-04-10T11:00");
  booking(7, "haga", "kaigi", "2026-04-12", "morning", "held", P2, 0, 210, 0, -1, 3, "online", "2026-04-11T09:00");
  booking(8, "haga", "washitsu", "2026-04-10", "evening", "lapsed", P1, 0, 540, 0, -1, 4, "online", NULL);
  booking(9, "haga", "hall", "2026-04-11", "morning", "confirmed", 0, 0, 1050, 0, -1, 20, "counter", NULL);
  booking(10, "haga", "kaigi", "2026-04-08", "morning,afternoon,evening", "confirmed", REP, G2, 1070, 535, -1, 12, "online", NULL);
  booking(11, "chuo", "hall", "2026-04-07", "morning", "confirmed", REP, G3, 1050, 0, -1, 30, "online", NULL);
  booking(12, "haga", "hall", "2026-04-13", "morning", "confirmed", REP, G3, 1050, 0, -1, 30, "online", NULL);
  payment(1, 1, "haga", "payment", "cash", 2620);
  payment(2, 2, "haga", "payment", "qr", 540);
  payment(3, 4, "haga", "payment", "ic", 320);
  payment(4, 4, "haga", "refund", "ic", -160);
  payment(5, 5, "haga", "payment", "card", 2100);
  payment(6, 9, "haga", "payment", "cash", 1050);
  payment(7, 11, "chuo", "payment", "qr", 1050);
  payment(8, 12, "haga", "payment", "cash", 1050);
  fx_as(&w, 0, ROLE_ANALYST, "2026-04-10T12:00");
}
static void teardown(void) { fx_close(&w); }

TestSuite(reports, .init = setup, .fini = teardown);

static struct report *run(const char *from, const char *to, int dims, const char *center) {
  struct report *rep = NULL;
  struct kerrinfo ei = {0};
  int rc = reports_usage(&w.ctx, fx_day(from), fx_day(to), dims, center, &rep, &ei);
  cr_assert_eq(rc, 0, "reports_usage: %s", ei.message);
  kerr_clear(&ei);
  return rep;
}

static const struct report_row *row(const struct report *rep, const char *key) {
  for (int i = 0; i < rep->nrows; i++)
    if (!strcmp(rep->rows[i].key, key)) return &rep->rows[i];
  cr_assert_fail("no row %s", key);
  return NULL;
}

Test(reports, by_center_for_one_centre_computed_by_hand) {
  struct report *rep = run("2026-04-06", "2026-04-12", RD_CENTER, "haga");
  cr_assert_eq(rep->nrows, 1);
  const struct report_row *r = row(rep, "haga");
  cr_assert_str_eq(r->label, "芳賀公民館");
  /* RULE: closed days: 6 open days (04-06 is the 1st Monday) x 3 rooms x 3 slots */
  cr_assert_eq(r->slots_available, 54);
  /* booked = confirmed, checked_in, no_show: B1 2 + B2 1 + B3 1 + B5 1 + B9 1 + B10 3 */
  cr_assert_eq(r->slots_booked, 9);
  cr_assert_eq(r->bookings, 6);
  /* 9 / 54 = 0.16666... */
  cr_assert_float_eq(reports_occupancy(r), 9.0 / 54.0, 1e-9);
  /* uses = confirmed + checked_in: B1 B2 B3 B9 B10; attendees 50+5+10+20+12 */
  cr_assert_eq(r->uses, 5);
  cr_assert_eq(r->attendees, 97);
  cr_assert_eq(r->slots_held, 1);          /* B7 */
  cr_assert_eq(r->cancellations, 1);       /* B4 */
  cr_assert_eq(r->lapsed_holds, 2);        /* B6 (held past its expiry) + B8 */
  cr_assert_eq(r->no_shows, 1);            /* B5 */
  cr_assert_eq(r->walk_ins, 1);            /* B9 */
  /* charged: 2620 + 540 + 0 + 2100 + 1050 + 535 (booked) + 160 (B4's cancellation fee) */
  cr_assert_eq(r->fees_charged, 7005);
  /* received: 2620 + 540 + (320 - 160) + 2100 + 1050 (B10's 535 not yet paid) */
  cr_assert_eq(r->revenue, 6470);
  cr_assert_eq(r->exempted_amount, 745);   /* B3 210 + B10 535 */
  cr_assert_eq(r->slots_exempted, 4);      /* B3 1 + B10 3 */
  cr_assert_eq(r->slots_exempted_full, 1); /* B3 */
  cr_assert_eq(r->distinct_groups, 2);     /* G1 (B1, B5), G2 (B3, B10) */
  /* the total is the same row here */
  cr_assert_eq(rep->total.slots_available, 54);
  cr_assert_eq(rep->total.revenue, 6470);
  cr_assert_eq(rep->total.distinct_groups, 2);
  reports_free(rep);
}

Test(reports, by_slot_splits_multi_slot_bookings_and_their_money_by_fee) {
  struct report *rep = run("2026-04-06", "2026-04-12", RD_SLOT, "haga");
  cr_assert_eq(rep->nrows, 3);
  cr_assert_str_eq(rep->rows[0].key, "morning");   /* the rule book's order */
  cr_assert_str_eq(rep->rows[1].key, "afternoon");
  cr_assert_str_eq(rep->rows[2].key, "evening");
  const struct report_row *m = row(rep, "morning"), *a = row(rep, "afternoon"),
                          *e = row(rep, "evening");
  /* 6 open days x 3 rooms each */
  cr_assert_eq(m->slots_available, 18);
  cr_assert_eq(a->slots_available, 18);
  cr_assert_eq(e->slots_available, 18);
  /* morning: B1, B3, B9, B10 */
  cr_assert_eq(m->slots_booked, 4);
  cr_assert_eq(m->bookings, 4);
  /* charged: B1 2620 split by fee 1050:1570 -> 1050 morning; B3 0; B9 1050;
  ** B10 535 split 210:320:540 -> evening 535*540/1070 = 270, afternoon
  ** 535*320/1070 = 160, morning the rest 105. Morning: 1050 + 0 + 1050 + 105 = 2205 */
  cr_assert_eq(m->fees_charged, 2205);
  /* received, split the same way: B1's 2620 -> 1050 morning; B9 1050; B10 nothing */
  cr_assert_eq(m->revenue, 2100);
  cr_assert_eq(m->exempted_amount, 315);   /* B3 210 + B10's morning 105 */
  cr_assert_eq(m->slots_held, 1);          /* B7 */
  cr_assert_eq(m->attendees, 92);          /* 50 + 10 + 20 + 12 */
  /* afternoon: charged B1 1570 + B10 160 + B4's fee 160; received B1 1570 + B4 320 - 160 */
  cr_assert_eq(a->slots_booked, 2);
  cr_assert_eq(a->fees_charged, 1890);
  cr_assert_eq(a->revenue, 1730);
  cr_assert_eq(a->cancellations, 1);
  cr_assert_eq(a->lapsed_holds, 1);        /* B6 */
  cr_assert_eq(a->exempted_amount, 160);
  /* evening: charged B2 540 + B5 2100 + B10 270; received B2 540 + B5 2100 */
  cr_assert_eq(e->slots_booked, 3);
  cr_assert_eq(e->fees_charged, 2910);
  cr_assert_eq(e->revenue, 2640);
  cr_assert_eq(e->no_shows, 1);
  cr_assert_eq(e->lapsed_holds, 1);        /* B8 */
  cr_assert_eq(e->exempted_amount, 270);
  /* the parts add up to the whole: 2205 + 1890 + 2910 = 7005; 2100 + 1730 + 2640 = 6470 */
  cr_assert_eq(m->fees_charged + a->fees_charged + e->fees_charged, rep->total.fees_charged);
  cr_assert_eq(rep->total.fees_charged, 7005);
  cr_assert_eq(m->revenue + a->revenue + e->revenue, rep->total.revenue);
  cr_assert_eq(rep->total.revenue, 6470);
  /* the total counts each booking once (B1 and B10 span several slots) */
  cr_assert_eq(rep->total.bookings, 6);
  cr_assert_eq(rep->total.slots_booked, 9);
  reports_free(rep);
}

Test(reports, by_weekday_monday_first_closed_monday_has_no_row) {
  struct report *rep = run("2026-04-06", "2026-04-12", RD_WEEKDAY, "haga");
  /* RULE: closed days: the closed Monday offers nothing and has no booking */
  cr_assert_eq(rep->nrows, 6);
  cr_assert_str_eq(rep->rows[0].key, "tue");
  cr_assert_str_eq(rep->rows[5].key, "sun");
  cr_assert_str_eq(row(rep, "tue")->label, "火曜日");
  /* one day each: 3 rooms x 3 slots = 9 */
  for (int i = 0; i < rep->nrows; i++) cr_assert_eq(rep->rows[i].slots_available, 9);
  cr_assert_eq(row(rep, "tue")->slots_booked, 3);   /* B1 2 + B2 1 */
  cr_assert_eq(row(rep, "wed")->slots_booked, 4);   /* B3 1 + B10 3 */
  cr_assert_eq(row(rep, "wed")->cancellations, 1);  /* B4 */
  cr_assert_eq(row(rep, "thu")->no_shows, 1);       /* B5 */
  cr_assert_eq(row(rep, "fri")->lapsed_holds, 1);   /* B8 */
  cr_assert_eq(row(rep, "sat")->walk_ins, 1);       /* B9 */
  cr_assert_eq(row(rep, "sat")->lapsed_holds, 1);   /* B6 */
  cr_assert_eq(row(rep, "sun")->slots_held, 1);     /* B7 */
  cr_assert_float_eq(reports_occupancy(row(rep, "wed")), 4.0 / 9.0, 1e-9);
  reports_free(rep);
}

Test(reports, by_room_and_every_centre) {
  struct report *rep = run("2026-04-06", "2026-04-12", RD_ROOM | RD_CENTER, "haga");
  cr_assert_eq(rep->nrows, 3);
  /* 6 days x 3 slots per room */
  cr_assert_eq(row(rep, "haga/hall")->slots_available, 18);
  cr_assert_eq(row(rep, "haga/hall")->slots_booked, 4);     /* B1 2 + B5 1 + B9 1 */
  cr_assert_eq(row(rep, "haga/kaigi")->slots_booked, 4);    /* B2 1 + B10 3 */
  cr_assert_eq(row(rep, "haga/washitsu")->slots_booked, 1); /* B3 */
  cr_assert_str_eq(row(rep, "haga/hall")->label, "芳賀公民館 ホール");
  reports_free(rep);

  rep = run("2026-04-06", "2026-04-12", RD_CENTER, NULL);
  cr_assert_eq(rep->nrows, w.rb->ncenters);
  cr_assert_str_eq(rep->rows[0].key, "chuo");     /* the rule book's order */
  /* chuo: 7 rooms x 6 open days x 3 slots = 126; B11 */
  cr_assert_eq(row(rep, "chuo")->slots_available, 126);
  cr_assert_eq(row(rep, "chuo")->slots_booked, 1);
  cr_assert_eq(row(rep, "haga")->slots_booked, 9);
  /* every centre closes on the 1st Monday: 78 rooms x 6 days x 3 slots */
  cr_assert_eq(rep->total.slots_available, 78 * 6 * 3);
  cr_assert_eq(rep->total.slots_booked, 10);
  cr_assert_eq(rep->total.distinct_groups, 3);   /* G1, G2, G3 */
  reports_free(rep);
}

Test(reports, by_month_and_the_period_bounds) {
  /* 2026-04-13 (B12) is in April but after the week */
  struct report *rep = run("2026-04-06", "2026-04-13", RD_MONTH, "haga");
  cr_assert_eq(rep->nrows, 1);
  cr_assert_str_eq(rep->rows[0].key, "2026-04");
  cr_assert_str_eq(rep->rows[0].label, "2026年4月");
  cr_assert_eq(rep->rows[0].slots_available, 54 + 9);   /* + Monday 04-13, open (2nd Monday) */
  cr_assert_eq(rep->rows[0].slots_booked, 10);
  reports_free(rep);
}

Test(reports, bad_periods_and_centres_are_refused_with_field_messages) {
  struct report *rep = NULL;
  struct kerrinfo ei = {0};
  cr_assert_eq(reports_usage(&w.ctx, fx_day("2026-04-10"), fx_day("2026-04-01"), RD_CENTER, NULL,
                             &rep, &ei), KERR_VALIDATION);
  cr_assert_not_null(json_object_get(ei.fields, "to"));
  kerr_clear(&ei);
  cr_assert_eq(reports_usage(&w.ctx, fx_day("2020-01-01"), fx_day("2026-01-01"), RD_CENTER, NULL,
                             &rep, &ei), KERR_VALIDATION);
  kerr_clear(&ei);
  cr_assert_eq(reports_usage(&w.ctx, fx_day("2026-04-01"), fx_day("2026-04-02"), RD_CENTER, "nowhere",
                             &rep, &ei), KERR_VALIDATION);
  cr_assert_not_null(json_object_get(ei.fields, "center"));
  kerr_clear(&ei);
  cr_assert_null(rep);
  cr_assert_eq(reports_dims_parse("center"), RD_CENTER);
  cr_assert_eq(reports_dims_parse("weekday_slot"), RD_WEEKDAY | RD_SLOT);
  cr_assert_eq(reports_dims_parse("Center"), -1);
  cr_assert_eq(reports_dims_parse(NULL), -1);
  int32_t d;
  cr_assert_eq(reports_month_parse("2026-05", &d), 0);
  cr_assert_eq(d, fx_day("2026-05-01"));
  cr_assert_eq(reports_month_parse("2026-5", &d), -1);
  cr_assert_eq(reports_month_parse("2026-13", &d), -1);
}

/* Staff read their home centre's figures only (reports_scope): no centre
** means theirs, their own code is fine, another centre is 403 with a
** message naming theirs, no home centre is 403; an unknown code stays 422. */
Test(reports, staff_read_their_home_centre_only) {
  fx_as(&w, REP, ROLE_STAFF, NULL);
  snprintf(w.ctx.actor.home_center, sizeof w.ctx.actor.home_center, "haga");
  struct report *rep = run("2026-04-06", "2026-04-12", RD_CENTER, NULL);
  cr_assert_str_eq(rep->center, "haga");
  cr_assert_eq(rep->nrows, 1);              /* B11 (chuo) is not counted */
  cr_assert_str_eq(rep->rows[0].key, "haga");
  cr_assert_eq(rep->total.slots_booked, 9);
  reports_free(rep);
  rep = run("2026-04-06", "2026-04-12", RD_CENTER, "haga");
  cr_assert_eq(rep->total.slots_booked, 9);
  reports_free(rep);
  rep = NULL;

  struct kerrinfo ei = {0};
  cr_assert_eq(reports_usage(&w.ctx, fx_day("2026-04-06"), fx_day("2026-04-12"), RD_CENTER, "chuo",
                             &rep, &ei), KERR_FORBIDDEN);
  cr_assert_null(rep);
  cr_assert_not_null(strstr(ei.message, "芳賀公民館"), "%s", ei.message);
  kerr_clear(&ei);
  cr_assert_eq(reports_usage(&w.ctx, fx_day("2026-04-06"), fx_day("2026-04-12"), RD_CENTER, "nowhere",
                             &rep, &ei), KERR_VALIDATION);
  cr_assert_not_null(json_object_get(ei.fields, "center"));
  kerr_clear(&ei);

  /* the monthly statistics: the same rule */
  json_t *mo = NULL;
  cr_assert_eq(reports_monthly(&w.ctx, fx_day("2026-04-01"), NULL, &mo, &ei), 0);
  cr_assert_str_eq(json_string_value(json_object_get(mo, "center")), "haga");
  cr_assert_null(json_object_get(mo, "by_center"));
  cr_assert_eq(json_integer_value(json_object_get(json_object_get(mo, "totals"), "uses")), 6);
  json_decref(mo);
  mo = NULL;
  cr_assert_eq(reports_monthly(&w.ctx, fx_day("2026-04-01"), "chuo", &mo, &ei), KERR_FORBIDDEN);
  cr_assert_null(mo);
  kerr_clear(&ei);

  /* staff with no home centre, or one no longer in the rule book: nothing */
  for (int i = 0; i < 2; i++) {
    snprintf(w.ctx.actor.home_center, sizeof w.ctx.actor.home_center, "%s", i ? "gone" : "");
    cr_assert_eq(reports_usage(&w.ctx, fx_day("2026-04-06"), fx_day("2026-04-12"), RD_CENTER, NULL,
                               &rep, &ei), KERR_FORBIDDEN);
    cr_assert_not_null(strstr(ei.message, "所属する公民館が登録されていない"), "%s", ei.message);
    kerr_clear(&ei);
    cr_assert_eq(reports_monthly(&w.ctx, fx_day("2026-04-01"), "haga", &mo, &ei), KERR_FORBIDDEN);
    kerr_clear(&ei);
  }

  /* analysts and admins: every centre, or the one asked for */
  const int roles[] = {ROLE_ANALYST, ROLE_ADMIN};
  for (int i = 0; i < 2; i++) {
    fx_as(&w, REP, roles[i], NULL);
    snprintf(w.ctx.actor.home_center, sizeof w.ctx.actor.home_center, "haga");
    rep = run("2026-04-06", "2026-04-12", RD_CENTER, NULL);
    cr_assert_str_eq(rep->center, "");
    cr_assert_eq(rep->total.slots_booked, 10);   /* B11 at chuo too */
    reports_free(rep);
    rep = run("2026-04-06", "2026-04-12", RD_CENTER, "chuo");
    cr_assert_eq(rep->total.slots_booked, 1);
    reports_free(rep);
  }
}

Test(reports, before_the_rule_book_nothing_is_available) {
  /* no version is in force before 2026-04-01: no slot could be booked */
  struct report *rep = run("2026-03-01", "2026-03-31", RD_CENTER, "haga");
  cr_assert_eq(rep->total.slots_available, 0);
  cr_assert_eq(reports_occupancy(&rep->total), -1);
  reports_free(rep);
}

Test(reports, monthly_statistics_for_one_centre) {
  json_t *mo = NULL;
  struct kerrinfo ei = {0};
  cr_assert_eq(reports_monthly(&w.ctx, fx_day("2026-04-01"), "haga", &mo, &ei), 0);
  json_t *t = json_object_get(mo, "totals");
  /* April: 30 days, closed 04-06 and 04-20 (1st, 3rd Monday): 28 x 3 rooms x 3 */
  cr_assert_eq(json_integer_value(json_object_get(t, "slots_available")), 252);
  /* the week's 9 + B12 */
  cr_assert_eq(json_integer_value(json_object_get(t, "slots_booked")), 10);
  cr_assert_eq(json_integer_value(json_object_get(t, "uses")), 6);         /* B1 B2 B3 B9 B10 B12 */
  cr_assert_eq(json_integer_value(json_object_get(t, "attendees")), 127);  /* 97 + 30 */
  cr_assert_str_eq(json_string_value(json_object_get(mo, "month")), "2026-04");
  cr_assert_null(json_object_get(mo, "by_center"));   /* one centre: no breakdown by centre */

  json_t *ch = json_object_get(mo, "by_channel");
  cr_assert_eq(json_array_size(ch), 3);
  /* online: B1 B3 B10 B12 -> 4 uses, 50+10+12+30 = 102; counter: B2 B9 -> 2, 25;
  ** form: B5 was a no-show -> 0 uses */
  json_t *on = json_array_get(ch, 0), *co = json_array_get(ch, 1), *fo = json_array_get(ch, 2);
  cr_assert_str_eq(json_string_value(json_object_get(on, "key")), "online");
  cr_assert_eq(json_integer_value(json_object_get(on, "uses")), 4);
  cr_assert_eq(json_integer_value(json_object_get(on, "attendees")), 102);
  cr_assert_eq(json_integer_value(json_object_get(co, "uses")), 2);
  cr_assert_eq(json_integer_value(json_object_get(co, "attendees")), 25);
  cr_assert_eq(json_integer_value(json_object_get(fo, "uses")), 0);
  cr_assert_eq(json_integer_value(json_object_get(fo, "no_shows")), 1);
  cr_assert(json_is_null(json_object_get(on, "slots_available")));

  json_t *reg = json_object_get(mo, "by_registration");
  /* group: B1 B3 B10 B12; individual: B2; walk-in: B9 */
  cr_assert_eq(json_integer_value(json_object_get(json_array_get(reg, 0), "uses")), 4);
  cr_assert_eq(json_integer_value(json_object_get(json_array_get(reg, 1), "uses")), 1);
  cr_assert_eq(json_integer_value(json_object_get(json_array_get(reg, 2), "uses")), 1);
  cr_assert_str_eq(json_string_value(json_object_get(json_array_get(reg, 2), "key")), "walk_in");

  json_t *kinds = json_object_get(mo, "by_room_kind");
  int seen = 0;
  size_t i;
  json_t *k;
  json_array_foreach(kinds, i, k) {
    const char *key = json_string_value(json_object_get(k, "key"));
    /* 28 open days x 1 room x 3 slots = 84 for each of haga's kinds */
    cr_assert_eq(json_integer_value(json_object_get(k, "slots_available")), 84, "%s", key);
    long long booked = json_integer_value(json_object_get(k, "slots_booked"));
    if (!strcmp(key, "ホール")) {
      seen++;
      cr_assert_eq(booked, 5);   /* B1 2, B5, B9, B12 */
    } else if (!strcmp(key, "会議室")) {
      seen++;
      cr_assert_eq(booked, 4);   /* B2, B10 3 */
    } else if (!strcmp(key, "和室")) {
      seen++;
      cr_assert_eq(booked, 1);   /* B3 */
    }
  }
  cr_assert_eq(seen, 3);
  /* charged: the week's 7005 + B12 1050; received: 6470 + 1050 */
  cr_assert_eq(json_integer_value(json_object_get(t, "fees_charged")), 8055);
  cr_assert_eq(json_integer_value(json_object_get(t, "revenue")), 7520);
  /* by method: cash 2620 (B1) + 1050 (B9) + 1050 (B12); qr 540 (B2; B11 is chuo's);
  ** card 2100 (B5); ic 320 - 160 (B4) */
  json_t *pm = json_object_get(mo, "revenue_by_method");
  cr_assert_eq(json_array_size(pm), 4);
  static const char *const mcode[] = {"cash", "qr", "card", "ic"};
  static const long long mamount[] = {4720, 540, 2100, 160};
  long long msum = 0;
  for (int i = 0; i < 4; i++) {
    json_t *m = json_array_get(pm, (size_t)i);
    cr_assert_str_eq(json_string_value(json_object_get(m, "method")), mcode[i]);
    cr_assert_eq(json_integer_value(json_object_get(m, "amount")), mamount[i], "%s", mcode[i]);
    msum += json_integer_value(json_object_get(m, "amount"));
  }
  cr_assert_eq(msum, 7520);   /* the methods add up to the revenue */

  size_t len = 0;
  char *csv = reports_monthly_csv(mo, 0, &len);
  cr_assert_not_null(csv);
  cr_assert(starts(csv, "\xEF\xBB\xBFsection,key,label,uses,attendees,"), "%.60s", csv);
  cr_assert_not_null(strstr(csv, "\r\ntotal,total,合計,6,127,10,252,0.0397,"));  /* 10/252 */
  /* the form's one booking was a no-show: booked (1 slot, 2100 yen), not used */
  cr_assert_not_null(strstr(csv, "\r\nchannel,form,申請フォーム,0,0,1,,,1,0,1,0,2100,2100,0\r\n"), "%s", csv);
  cr_assert_not_null(strstr(csv, "\r\npayment_method,cash,現金,,,,,,,,,,,4720,\r\n"), "%s", csv);
  free(csv);
  json_decref(mo);

  cr_assert_eq(reports_monthly(&w.ctx, fx_day("2026-04-01"), NULL, &mo, &ei), 0);
  cr_assert_eq(json_array_size(json_object_get(mo, "by_center")), (size_t)w.rb->ncenters);
  json_decref(mo);
  kerr_clear(&ei);
}

/* Campaign days (rule book campaign_days; 2026-04-01: 親子の日 on the 15th for
** 和室 and 学習室, 自習室開放 on Saturdays for 学習室): RD_CAMPAIGN counts the
** room-slots those days make free and the bookings priced under them, and
** the monthly statistics carry them as by_campaign. haga has a 和室 and no
** 学習室: in April, 親子の日 (Wed 04-15) offers its 3 slots, nothing else. */
Test(reports, campaign_days_are_counted_apart) {
  /* B13: the 和室 on 親子の日, free; B14: the 会議室 that day (not a campaign room) */
  booking(13, "haga", "washitsu", "2026-04-15", "morning,afternoon", "confirmed", P1, 0, 0, 0, -1, 8, "online", NULL);
  booking(14, "haga", "kaigi", "2026-04-15", "morning", "confirmed", P1, 0, 210, 0, -1, 3, "online", NULL);
  struct report *rep = run("2026-04-01", "2026-04-30", RD_CAMPAIGN, "haga");
  cr_assert_eq(rep->nrows, 1);
  cr_assert_str_eq(rep->rows[0].key, "親子の日");
  cr_assert_str_eq(rep->rows[0].label, "親子の日");
  cr_assert_eq(rep->rows[0].slots_available, 3);
  cr_assert_eq(rep->rows[0].slots_booked, 2);
  cr_assert_eq(rep->rows[0].uses, 1);
  cr_assert_eq(rep->rows[0].attendees, 8);
  cr_assert_eq(rep->rows[0].fees_charged, 0);
  cr_assert_eq(rep->rows[0].slots_exempted, 0);   /* free by the campaign, not by an exemption */
  cr_assert_eq(rep->total.uses, 1);               /* campaign days only: B14 and the rest are not */
  reports_free(rep);

  /* every centre: both campaigns, in the rule book's order; the rows add up */
  rep = run("2026-04-01", "2026-04-30", RD_CAMPAIGN, NULL);
  cr_assert_eq(rep->nrows, 2);
  cr_assert_str_eq(rep->rows[0].key, "親子の日");
  cr_assert_str_eq(rep->rows[1].key, "自習室開放");
  cr_assert_gt(rep->rows[1].slots_available, 0);
  cr_assert_eq(rep->rows[0].slots_available + rep->rows[1].slots_available, rep->total.slots_available);
  reports_free(rep);
  cr_assert_eq(reports_dims_parse("campaign"), RD_CAMPAIGN);

  /* the monthly statistics: by_campaign, and its CSV section */
  json_t *mo = NULL;
  struct kerrinfo ei = {0};
  cr_assert_eq(reports_monthly(&w.ctx, fx_day("2026-04-01"), "haga", &mo, &ei), 0);
  json_t *bc = json_object_get(mo, "by_campaign");
  cr_assert_eq(json_array_size(bc), 1);
  cr_assert_eq(json_integer_value(json_object_get(json_array_get(bc, 0), "uses")), 1);
  cr_assert_eq(json_integer_value(json_object_get(json_array_get(bc, 0), "attendees")), 8);
  size_t len = 0;
  char *csv = reports_monthly_csv(mo, 0, &len);
  cr_assert_not_null(strstr(csv, "\r\ncampaign,親子の日,親子の日,1,8,2,3,0.6667,1,0,0,0,0,0,0\r\n"), "%s", csv);
  free(csv);
  json_decref(mo);
  /* May has no booking on a campaign day: the rows are there, with nothing used */
  cr_assert_eq(reports_monthly(&w.ctx, fx_day("2026-05-01"), "haga", &mo, &ei), 0);
  bc = json_object_get(mo, "by_campaign");
  cr_assert_eq(json_array_size(bc), 1);
  cr_assert_eq(json_integer_value(json_object_get(json_array_get(bc, 0), "uses")), 0);
  json_decref(mo);
  kerr_clear(&ei);
}

Test(reports, usage_json_and_csv_carry_the_same_figures) {
  struct report *rep = run("2026-04-06", "2026-04-12", RD_CENTER, "haga");
  json_t *j = reports_usage_json(&w.ctx, rep, "center");
  json_t *r0 = json_array_get(json_object_get(j, "rows"), 0);
  cr_assert_str_eq(json_string_value(json_object_get(r0, "key")), "haga");
  cr_assert_float_eq(json_real_value(json_object_get(r0, "occupancy")), 0.1667, 1e-9);
  cr_assert_eq(json_integer_value(json_object_get(r0, "fees_charged")), 7005);
  cr_assert_eq(json_integer_value(json_object_get(r0, "revenue")), 6470);
  cr_assert_str_eq(json_string_value(json_object_get(j, "center")), "haga");
  /* every source is in the system: nothing provisional */
  cr_assert_eq(json_array_size(json_object_get(j, "provisional")), 0);
  json_decref(j);
  size_t len = 0;
  char *csv = reports_usage_csv(rep, 0, &len);
  cr_assert_eq(strlen(csv), len);
  cr_assert(starts(csv, "\xEF\xBB\xBFkey,label,slots_available,slots_booked,occupancy,"), "%.60s", csv);
  /* key,label,avail,booked,occ,bookings,uses,att,held,canc,lapsed,noshow,walkin,charged,
  ** revenue,exempt,slots_ex,slots_ex_full,groups */
  cr_assert_not_null(strstr(csv, "\r\nhaga,芳賀公民館,54,9,0.1667,6,5,97,1,1,2,1,1,7005,6470,745,4,1,2\r\n"), "%s", csv);
  cr_assert_not_null(strstr(csv, "\r\ntotal,合計,54,9,0.1667,"));
  free(csv);
  reports_free(rep);
}

Test(reports, no_name_phone_or_email_reaches_a_report) {
  kstmt *st = db_prep(w.db, "UPDATE accounts SET email = 'ichiko@example.jp', phone = '027-111-2222'");
  fx_exec(&w, st);
  struct report *rep = run("2026-04-01", "2026-04-30", RD_ROOM | RD_CENTER, NULL);
  char *csv = reports_usage_csv(rep, 0, NULL);
  json_t *j = reports_usage_json(&w.ctx, rep, "room");
  char *js = json_dumps(j, 0);
  json_t *mo = NULL;
  cr_assert_eq(reports_monthly(&w.ctx, fx_day("2026-04-01"), NULL, &mo, NULL), 0);
  char *ms = json_dumps(mo, 0);
  const char *secrets[] = {"前橋 一子", "前橋 二郎", "代表 三郎", "一の会", "二の会", "三の会",
                           "ichiko@example.jp", "027-111-2222", "100000017", "500000013"};
  for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
    cr_assert_null(strstr(csv, secrets[i]), "%s in the CSV", secrets[i]);
    cr_assert_null(strstr(js, secrets[i]), "%s in the JSON", secrets[i]);
    cr_assert_null(strstr(ms, secrets[i]), "%s in the monthly", secrets[i]);
  }
  free(csv);
  free(js);
  free(ms);
  json_decref(j);
  json_decref(mo);
  reports_free(rep);
}

/* ============================================================ the log */

static void log_events(void) {
  struct kctx c = w.ctx;
  c.actor.role = ROLE_CITIZEN;
  c.actor.account_id = P1;
  c.channel = "online";
  cr_assert_eq(db_begin_write(w.db), DB_OK);
  for (int i = 0; i < 50; i++) {
    c.now = fx_at("2026-04-07T09:00") + i * 3600;   /* 50 hours from Tue 09:00 */
    struct audit_fields f = {.center = "haga", .room_id = fx_room(&w, "haga", "hall")->id,
                             .date = "2026-04-20", .slot = "morning", .subject_group = G1,
                             .amount = 1050, .detail_json = "{\"booking_id\":1}"};
    cr_assert_eq(audit_event(&c, "booking.hold", &f), 0);
  }
  cr_assert_eq(db_commit(w.db), DB_OK);
}

/* Read everything through a buffer of MAX bytes. */
static char *read_all(int32_t from, int32_t to, int format, size_t max, int64_t *lines) {
  struct usagelog *ul = NULL;
  cr_assert_eq(usagelog_open(w.db, from, to, format, &ul), 0);
  size_t cap = 1 << 20, n = 0;
  char *out = calloc(1, cap), *buf = malloc(max);
  long k;
  while ((k = usagelog_read(ul, buf, max)) > 0) {
    cr_assert_leq((size_t)k, max);
    cr_assert_lt(n + (size_t)k, cap);
    memcpy(out + n, buf, (size_t)k);
    n += (size_t)k;
  }
  cr_assert_eq(k, 0);
  *lines = usagelog_lines(ul);
  usagelog_close(ul);
  free(buf);
  return out;
}

Test(reports, the_log_streams_whole_lines_in_any_buffer_size) {
  log_events();
  int64_t lines = 0;
  char *big = read_all(fx_day("2026-04-07"), fx_day("2026-04-08"), USAGELOG_JSONL, 65536, &lines);
  /* Tue 09:00 .. Wed 23:00 JST: the first 39 of the 50 hours */
  cr_assert_eq(lines, 39);
  int nl = 0;
  for (char *p = big; *p; p++) nl += *p == '\n';
  cr_assert_eq(nl, 39);
  json_t *first = json_loadb(big, strchr(big, '\n') - big, 0, NULL);
  cr_assert_str_eq(json_string_value(json_object_get(first, "at")), "2026-04-07T09:00:00+09:00");
  cr_assert_str_eq(json_string_value(json_object_get(first, "room")), "hall");
  cr_assert_str_eq(json_string_value(json_object_get(first, "actor_role")), "citizen");
  cr_assert_eq(strlen(json_string_value(json_object_get(first, "actor"))), 32);
  /* the booking number (printed on the permit) as its pseudonym */
  char pb[33];
  cr_assert_eq(audit_pseudonym(w.db, AUDIT_BOOKING, 1, pb), 0);
  cr_assert_str_eq(json_string_value(json_object_get(json_object_get(first, "detail"), "booking_id")), pb);
  json_decref(first);
  /* a buffer smaller than one line gives the same bytes */
  int64_t l2 = 0;
  char *small = read_all(fx_day("2026-04-07"), fx_day("2026-04-08"), USAGELOG_JSONL, 7, &l2);
  cr_assert_str_eq(small, big);
  cr_assert_eq(l2, 39);
  free(small);
  free(big);

  char *csv = read_all(fx_day("2026-04-07"), fx_day("2026-04-30"), USAGELOG_CSV, 100, &lines);
  cr_assert_eq(lines, 50);
  cr_assert(starts(csv, "\xEF\xBB\xBFid,at,action,center,room_id,room,date,slot,channel,"
                        "actor_role,actor,subject,amount,detail\r\n"), "%.100s", csv);
  cr_assert_not_null(strstr(csv, ",booking.hold,haga,"));
  char want[80];
  snprintf(want, sizeof want, ",\"{\"\"booking_id\"\":\"\"%s\"\"}\"\r\n", pb);
  cr_assert_not_null(strstr(csv, want), "%s", want);
  free(csv);
  /* nothing in the period: CSV still has its header, JSON Lines is empty */
  csv = read_all(fx_day("2026-05-01"), fx_day("2026-05-02"), USAGELOG_CSV, 4096, &lines);
  cr_assert_eq(lines, 0);
  cr_assert(starts(csv, "\xEF\xBB\xBFid,at,"));
  free(csv);
  char *none = read_all(fx_day("2026-05-01"), fx_day("2026-05-02"), USAGELOG_JSONL, 4096, &lines);
  cr_assert_str_eq(none, "");
  free(none);
  /* the system ID never appears, only its keyed pseudonym */
  big = read_all(fx_day("2026-04-01"), fx_day("2026-04-30"), USAGELOG_JSONL, 4096, &lines);
  cr_assert_null(strstr(big, "100000017"));
  cr_assert_null(strstr(big, "500000013"));
  free(big);
}
