/*
** tests/unit/test_staff_cancel.c: a cancellation by staff says on whose
** account it is (core/bookings_change.c, RULE: staff cancel on the holder's
** request or for the city's reason; core/payments.c, RULE: refund on staff
** cancel), against the real Maebashi rule book and an in-memory database.
**
** Calendar: 2026-04-08 is a Wednesday (counter open 08:30-17:15). The rule
** book (2026-04-01): cancellation free until 7 days before the use date, then
** 50 % of the fee. 大会議室 (chuo kaigi, meeting_l) 420/640/1080 yen. A
** booking on Tuesday 2026-04-14 is free to cancel until 2026-04-07, so on
** 2026-04-08 it is past its deadline; one on Thursday 2026-04-30 is free to
** cancel until 2026-04-23.
*/
#include "fixture_bookings.h"

#include <stdlib.h>

#include "../../backend/core/outbox.h"
#include "../../backend/core/payments.h"
#include "../../backend/core/reports.h"

#define ALICE 100000001
#define STAFF 200000001
#define ADMIN 200000002

static struct world w;

static void setup(void) {
  fx_open(&w, "ordinances/maebashi");
  fx_account(&w, ALICE, "citizen", "山田 太郎");
  fx_account(&w, STAFF, "staff", "窓口 職員");
  fx_account(&w, ADMIN, "admin", "管理 者");
}
static void teardown(void) { fx_close(&w); }

TestSuite(staff_cancel, .init = setup, .fini = teardown);

static void as_staff(const char *now) {
  fx_as(&w, STAFF, ROLE_STAFF, now);
  snprintf(w.ctx.actor.home_center, sizeof w.ctx.actor.home_center, "chuo");
}

/* Alice books chuo kaigi on DATE for SLOTS at 2026-04-01 09:00 and confirms
** it; the booking's id. */
static int64_t confirmed(const char *date, const char *slots) {
  int64_t id;
  char msg[512];
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-04-01T09:00");
  cr_assert_eq(fx_book(&w, "chuo", "kaigi", date, slots, 0, 10, &id, msg), 0, "%s", msg);
  cr_assert_eq(booking_confirm(&w.ctx, id, &out, &ei), 0, "%s", ei.message);
  json_decref(out);
  kerr_clear(&ei);
  return id;
}

/* Staff take AMOUNT by METHOD for booking ID at the counter. */
static void pay(int64_t id, const char *method, long long amount) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  json_t *body = json_pack("{s:s, s:I}", "method", method, "amount", (json_int_t)amount);
  cr_assert_eq(payment_record(&w.ctx, id, body, &out, &ei), 0, "%s", ei.message);
  json_decref(body);
  json_decref(out);
  kerr_clear(&ei);
}

/* A payment row as the old system or a part payment would leave it
** (payment_record takes only the exact amount): AMOUNT by METHOD for ID. */
static void paid_before(int64_t id, const char *method, long long amount) {
  struct booking b;
  struct kerrinfo ei = {0};
  cr_assert_eq(booking_load(&w.ctx, id, &b), 0);
  cr_assert_eq(db_begin_write(w.db), DB_OK);
  cr_assert_eq(payment_add(&w.ctx, &b, method, amount, NULL, &ei), 0, "%s", ei.message);
  cr_assert_eq(db_commit(w.db), DB_OK);
}

/* Cancel ID as the actor; the KERR code, the reply in *OUT (may be NULL). */
static int cancel(int64_t id, const char *reason, enum cancel_for f, json_t **out) {
  struct kerrinfo ei = {0};
  json_t *o = NULL;
  int rc = booking_cancel(&w.ctx, id, reason, f, &o, &ei);
  if (out) *out = o;
  else json_decref(o);
  kerr_clear(&ei);
  return rc;
}

static long long num(const char *sql, int64_t id) {
  kstmt *st = db_prep(w.db, sql);
  cr_assert_not_null(st);
  db_bind_int(st, "$id", id);
  cr_assert_eq(db_step(st), DB_ROW);
  long long n = db_col_int(st, 0);
  db_reset(st);
  return n;
}

#define REFUNDED "SELECT -coalesce(sum(amount), 0) FROM payments WHERE booking_id = $id AND kind = 'refund'"
#define NET_PAID "SELECT coalesce(sum(amount), 0) FROM payments WHERE booking_id = $id"
#define CANCEL_FEE "SELECT cancel_fee FROM bookings WHERE id = $id"

static long long jint(json_t *o, const char *k) {
  json_t *v = json_object_get(o, k);
  cr_assert(json_is_integer(v), "no integer \"%s\" in the reply", k);
  return json_integer_value(v);
}

Test(staff_cancel, names_of_the_two_accounts) {
  cr_assert_eq(cancel_for_parse("holder"), CANCEL_FOR_HOLDER);
  cr_assert_eq(cancel_for_parse("city"), CANCEL_FOR_CITY);
  cr_assert_eq(cancel_for_parse("City"), -1);
  cr_assert_eq(cancel_for_parse(""), -1);
  cr_assert_eq(cancel_for_parse(NULL), -1);
  cr_assert_str_eq(cancel_for_name(CANCEL_FOR_HOLDER), "holder");
  cr_assert_str_eq(cancel_for_name(CANCEL_FOR_CITY), "city");
}

Test(staff_cancel, at_the_holders_request_before_the_deadline_is_free_and_refunds_all) {
  /* RULE: staff cancel on the holder's request: the holder's terms, free in time */
  int64_t id = confirmed("2026-04-30", "morning");
  as_staff("2026-04-08T10:00");
  pay(id, "cash", 420);
  as_staff("2026-04-23T16:00"); /* the last free day */
  json_t *out;
  cr_assert_eq(cancel(id, "本人から電話で連絡", CANCEL_FOR_HOLDER, &out), 0);
  cr_assert_eq(jint(out, "cancel_fee"), 0);
  cr_assert_str_eq(json_string_value(json_object_get(out, "on_behalf")), "holder");
  json_decref(out);
  cr_assert_eq(num(REFUNDED, id), 420);
  cr_assert_eq(num(NET_PAID, id), 0);
}

Test(staff_cancel, at_the_holders_request_after_the_deadline_keeps_the_fee_and_refunds_the_rest) {
  /* RULE: staff cancel on the holder's request: the rule book's 50 % after the
  ** deadline, as online; RULE: refund on staff cancel: what was paid beyond it */
  int64_t id = confirmed("2026-04-14", "morning");
  as_staff("2026-04-08T10:00");
  pay(id, "cash", 420);
  json_t *out;
  cr_assert_eq(cancel(id, "本人が窓口で申し出", CANCEL_FOR_HOLDER, &out), 0);
  cr_assert_str_eq(fx_status(&w, id), "cancelled");
  cr_assert_eq(jint(out, "cancel_fee"), 210);
  cr_assert_eq(jint(out, "due"), 210);
  cr_assert_eq(jint(out, "paid"), 210);
  cr_assert_eq(jint(out, "outstanding"), 0);
  cr_assert_str_eq(json_string_value(json_object_get(out, "on_behalf")), "holder");
  json_t *rows = json_object_get(out, "payments");
  cr_assert_eq(json_array_size(rows), 2);
  json_t *refund = json_array_get(rows, 1);
  cr_assert_str_eq(json_string_value(json_object_get(refund, "kind")), "refund");
  cr_assert_str_eq(json_string_value(json_object_get(refund, "method")), "cash");
  cr_assert_eq(jint(refund, "amount"), -210);
  json_decref(out);
  /* the usage log and the audit trail say on whose account, in the same write */
  cr_assert_eq(num("SELECT count(*) FROM events WHERE action = 'booking.cancel' AND amount = 210"
                   " AND detail LIKE '%\"by_staff\":true,\"on_behalf\":\"holder\"%' AND $id > 0", id),
               1);
  cr_assert_eq(num("SELECT count(*) FROM audit_trail WHERE action = 'booking.cancel'"
                   " AND detail LIKE '%\"on_behalf\":\"holder\"%' AND target = 'booking:' || $id", id),
               1);
  cr_assert_eq(num("SELECT count(*) FROM events WHERE action = 'counter.refund' AND amount = -210"
                   " AND $id > 0", id),
               1);
}

Test(staff_cancel, at_the_holders_request_after_the_start_is_allowed_with_the_fee) {
  int64_t id = confirmed("2026-04-08", "morning");
  /* the holder online: refused once the use has begun */
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-04-08T09:30");
  cr_assert_eq(cancel(id, NULL, CANCEL_FOR_DEFAULT, NULL), KERR_DEADLINE);
  cr_assert_str_eq(fx_status(&w, id), "confirmed");
  /* RULE: staff cancel at any time: never refused for the start, the fee applies */
  as_staff("2026-04-08T09:30");
  cr_assert_eq(cancel(id, NULL, CANCEL_FOR_HOLDER, NULL), KERR_VALIDATION); /* a reason */
  cr_assert_eq(cancel(id, "本人から電話で連絡", CANCEL_FOR_HOLDER, NULL), 0);
  cr_assert_eq(num(CANCEL_FEE, id), 210);
}

Test(staff_cancel, for_the_citys_reason_is_free_and_refunds_everything) {
  /* RULE: staff cancel for the city's reason: no fee, all that was paid back */
  int64_t id = confirmed("2026-04-14", "morning,afternoon");
  as_staff("2026-04-08T10:00");
  pay(id, "qr", 1060);
  json_t *out;
  cr_assert_eq(cancel(id, "空調の故障のため", CANCEL_FOR_CITY, &out), 0);
  cr_assert_eq(jint(out, "cancel_fee"), 0);
  cr_assert_eq(jint(out, "outstanding"), 0);
  cr_assert_str_eq(json_string_value(json_object_get(out, "on_behalf")), "city");
  json_decref(out);
  cr_assert_eq(num(REFUNDED, id), 1060);
  cr_assert_eq(num("SELECT count(*) FROM payments WHERE booking_id = $id AND kind = 'refund'"
                   " AND method = 'qr'", id),
               1);
  cr_assert_eq(num("SELECT count(*) FROM events WHERE action = 'booking.cancel'"
                   " AND detail LIKE '%\"on_behalf\":\"city\"%' AND $id > 0", id),
               1);
}

Test(staff_cancel, without_saying_whose_staff_cancel_on_the_holders_account) {
  int64_t id = confirmed("2026-04-14", "morning");
  as_staff("2026-04-08T10:00");
  pay(id, "cash", 420);
  json_t *out;
  cr_assert_eq(cancel(id, "本人から電話で連絡", CANCEL_FOR_DEFAULT, &out), 0);
  cr_assert_eq(jint(out, "cancel_fee"), 210);
  cr_assert_str_eq(json_string_value(json_object_get(out, "on_behalf")), "holder");
  json_decref(out);
  cr_assert_eq(num(REFUNDED, id), 210);
}

Test(staff_cancel, nothing_paid_the_fee_is_owed) {
  int64_t id = confirmed("2026-04-14", "afternoon");
  as_staff("2026-04-08T10:00");
  json_t *out;
  cr_assert_eq(cancel(id, "本人から電話で連絡", CANCEL_FOR_HOLDER, &out), 0);
  cr_assert_eq(jint(out, "cancel_fee"), 320);
  cr_assert_eq(jint(out, "paid"), 0);
  cr_assert_eq(jint(out, "outstanding"), 320);
  json_decref(out);
  cr_assert_eq(num("SELECT count(*) FROM payments WHERE booking_id = $id", id), 0);
  /* what is owed is taken like any payment, exactly */
  pay(id, "cash", 320);
  cr_assert_eq(num(NET_PAID, id), 320);
}

Test(staff_cancel, less_paid_than_the_fee_keeps_it_all_and_the_rest_is_owed) {
  int64_t id = confirmed("2026-04-14", "evening"); /* 1080: the fee 540 */
  as_staff("2026-04-08T10:00");
  paid_before(id, "cash", 100);
  json_t *out;
  cr_assert_eq(cancel(id, "本人から電話で連絡", CANCEL_FOR_HOLDER, &out), 0);
  cr_assert_eq(jint(out, "cancel_fee"), 540);
  cr_assert_eq(jint(out, "paid"), 100);
  cr_assert_eq(jint(out, "outstanding"), 440);
  json_decref(out);
  cr_assert_eq(num(REFUNDED, id), 0);
}

Test(staff_cancel, the_refund_beyond_the_fee_is_split_by_the_methods_paid) {
  int64_t id = confirmed("2026-04-14", "morning"); /* 420: the fee 210 */
  as_staff("2026-04-08T10:00");
  paid_before(id, "qr", 120);
  paid_before(id, "cash", 300);
  cr_assert_eq(cancel(id, "本人から電話で連絡", CANCEL_FOR_HOLDER, NULL), 0);
  /* the fee is kept from the methods in the order of their codes: cash first */
  cr_assert_eq(num("SELECT amount FROM payments WHERE booking_id = $id AND kind = 'refund'"
                   " AND method = 'cash'", id),
               -90);
  cr_assert_eq(num("SELECT amount FROM payments WHERE booking_id = $id AND kind = 'refund'"
                   " AND method = 'qr'", id),
               -120);
  cr_assert_eq(num(NET_PAID, id), 210);
}

Test(staff_cancel, the_quote_is_what_core_charges) {
  struct booking b;
  struct cancel_quote q;
  int64_t late = confirmed("2026-04-14", "morning"), early = confirmed("2026-04-30", "morning");
  as_staff("2026-04-08T10:00");
  cr_assert_eq(booking_load(&w.ctx, late, &b), 0);
  booking_cancel_quote(&w.ctx, &b, CANCEL_FOR_HOLDER, &q);
  cr_assert(q.late);
  cr_assert_not(q.started);
  cr_assert_not(q.refused);
  cr_assert_eq(q.percent, 50);
  cr_assert_eq(q.fee, 210);
  cr_assert_eq(q.free_until, fx_day("2026-04-07"));
  booking_cancel_quote(&w.ctx, &b, CANCEL_FOR_DEFAULT, &q);
  cr_assert_eq(q.fee, 210);
  booking_cancel_quote(&w.ctx, &b, CANCEL_FOR_CITY, &q);
  cr_assert(q.late);
  cr_assert_eq(q.fee, 0);
  cr_assert_eq(q.percent, 0);
  cr_assert_eq(booking_load(&w.ctx, early, &b), 0);
  booking_cancel_quote(&w.ctx, &b, CANCEL_FOR_HOLDER, &q);
  cr_assert_not(q.late);
  cr_assert_eq(q.fee, 0);
  cr_assert_eq(q.free_until, fx_day("2026-04-23"));
  /* core charges what the quote said */
  cr_assert_eq(cancel(late, "本人から電話で連絡", CANCEL_FOR_HOLDER, NULL), 0);
  cr_assert_eq(num(CANCEL_FEE, late), 210);
}

Test(staff_cancel, a_citizen_cannot_put_it_on_the_citys_account) {
  int64_t id = confirmed("2026-04-14", "morning");
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-04-08T10:00");
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  cr_assert_eq(booking_cancel(&w.ctx, id, NULL, CANCEL_FOR_CITY, &out, &ei), KERR_VALIDATION);
  cr_assert(json_is_string(json_object_get(ei.fields, "on_behalf")));
  cr_assert(strstr(json_string_value(json_object_get(ei.fields, "on_behalf")), "市の都合"));
  kerr_clear(&ei);
  cr_assert_str_eq(fx_status(&w, id), "confirmed");
  /* "holder" is what a holder's own cancellation is anyway */
  cr_assert_eq(cancel(id, NULL, CANCEL_FOR_HOLDER, NULL), 0);
  cr_assert_eq(num(CANCEL_FEE, id), 210);
}

Test(staff_cancel, reports_count_the_fee_kept_and_the_money_kept) {
  int64_t id = confirmed("2026-04-14", "morning");
  as_staff("2026-04-08T10:00");
  pay(id, "cash", 420);
  cr_assert_eq(cancel(id, "本人が窓口で申し出", CANCEL_FOR_HOLDER, NULL), 0);
  fx_as(&w, ADMIN, ROLE_ADMIN, "2026-04-09T10:00");
  struct report *rep = NULL;
  struct kerrinfo ei = {0};
  cr_assert_eq(reports_usage(&w.ctx, fx_day("2026-04-14"), fx_day("2026-04-14"), RD_CENTER, "chuo",
                             &rep, &ei),
               0, "%s", ei.message);
  cr_assert_eq(rep->nrows, 1);
  cr_assert_eq(rep->rows[0].cancellations, 1);
  cr_assert_eq(rep->rows[0].fees_charged, 210); /* the 取消料 */
  cr_assert_eq(rep->rows[0].revenue, 210);      /* 420 paid, 210 given back */
  reports_free(rep);
  kerr_clear(&ei);
}

/* The body of the newest cancellation mail (malloc'd). */
static char *cancel_mail(void) {
  kstmt *st = db_prep(w.db, "SELECT body FROM outbox WHERE kind = 'cancelled' ORDER BY id DESC LIMIT 1");
  cr_assert_not_null(st);
  cr_assert_eq(db_step(st), DB_ROW, "no cancellation mail");
  char *s = strdup(db_col_text(st, 0));
  db_reset(st);
  return s;
}

Test(staff_cancel, the_holders_mail_says_the_fee_kept_and_what_went_back_or_is_owed) {
  struct outbox_config c = {.from = "yoyaku@city.example.jp", .public_url = "https://y.example.jp/"};
  outbox_configure(&c);
  kstmt *st = db_prep(w.db, "UPDATE accounts SET email = 'taro@example.jp' WHERE id = $id");
  db_bind_int(st, "$id", ALICE);
  fx_exec(&w, st);
  int64_t paid = confirmed("2026-04-14", "morning"), unpaid = confirmed("2026-04-14", "afternoon");
  as_staff("2026-04-08T10:00");
  pay(paid, "cash", 420);
  cr_assert_eq(cancel(paid, "本人が窓口で申し出", CANCEL_FOR_HOLDER, NULL), 0);
  char *m = cancel_mail();
  cr_assert(strstr(m, "取消料: 210円"), "%s", m);
  cr_assert(strstr(m, "取消料は、お支払いいただいた使用料から差し引きました。"), "%s", m);
  cr_assert(strstr(m, "お支払いいただいた 420円 のうち 210円 をお返ししました。"), "%s", m);
  cr_assert_null(strstr(m, "窓口でお支払いください"), "%s", m);
  free(m);
  cr_assert_eq(cancel(unpaid, "本人から電話で連絡", CANCEL_FOR_HOLDER, NULL), 0);
  m = cancel_mail();
  cr_assert(strstr(m, "取消料: 320円\n取消料は、公民館の窓口でお支払いください。"), "%s", m);
  cr_assert_null(strstr(m, "お返し"), "%s", m);
  free(m);
  outbox_configure(NULL);
}
