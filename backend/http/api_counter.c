/*
** http/api_counter.c: the counter desk endpoints. Each handler parses its
** parameters, calls one core function (core/counter.c, core/payments.c) and
** turns the result into one reply; the gate (router.c) has already checked
** session, role (staff, admin), content type and CSRF. Every reply holds
** personal data (RF_PERSONAL: no-store).
*/
#include "api_counter.h"

#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/counter.h"
#include "../core/payments.h"
#include "reply.h"

/* GET /api/v1/counter/today[?center=CODE] -> 200 today's rooms and slots at the
** centre (default: the clerk's home centre) with each booking's holder (name,
** phone), status, payment and check-in (core/counter.h: counter_today);
** 404 unknown centre; 422 validation when no centre is given and the account
** has no home centre. Roles: staff, admin. */
struct reply api_counter_today(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = counter_today(&r->ctx, req_query(r, "center"), &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* POST /api/v1/counter/walkin {"room_id","slots","name","phone","attendees"?,
** "purpose"?,"payment_method"?} -> 201 the booking, confirmed, with "holder",
** "due", "paid", "outstanding", "payments" (the receipt when paid);
** 409 slot_taken; 422 outside_counter_hours, validation, closed, capacity,
** outside_booking_window (the slot has started, or same-day use is not
** allowed for the room). Roles: staff, admin. */
struct reply api_counter_walkin(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = counter_walkin(&r->ctx, r->json, &out, &ei);
  return reply_core(r, rc, 201, out, &ei);
}

/* The ledger of ?center=&date= (default: home centre, today) as JSON or CSV. */
static struct reply ledger(struct req *r, int csv) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int32_t day = clock_today(r->ctx.now);
  const char *d = req_query(r, "date");
  if (d && *d && date_parse(d, &day)) {
    kerr_field(&ei, "date", "日付は YYYY-MM-DD の形で、実在する日付を指定してください。");
    return reply_core(r, KERR_VALIDATION, 0, NULL, &ei);
  }
  if (!csv) {
    int rc = counter_ledger(&r->ctx, req_query(r, "center"), day, &out, &ei);
    return reply_core(r, rc, 200, out, &ei);
  }
  struct counter_ledger_view l;
  int rc = counter_ledger_view(&r->ctx, req_query(r, "center"), day, &l, &ei);
  size_t len = 0;
  char *body = rc ? NULL : counter_ledger_csv(&l, &len);
  counter_ledger_view_free(&l);
  if (rc) return reply_core(r, rc, 200, NULL, &ei);
  if (!body) return reply_error(r, KERR_INTERNAL, NULL);
  return reply_owned(r, 200, "text/csv; charset=utf-8", body, len);
}

/* GET /api/v1/counter/ledger[?center=CODE&date=D] -> 200 the daily ledger (紙台帳の
**代わり): every booking, walk-in, check-in, no-show, cancellation, payment and
** refund of the day at the centre, in time order, with totals by method
** (core/counter.h: counter_ledger). With Accept: text/csv, the same as CSV.
** 404 unknown centre; 422 validation for a bad date. Roles: staff, admin. */
struct reply api_counter_ledger(struct req *r) {
  const char *accept = req_header(r, MHD_HTTP_HEADER_ACCEPT);
  return ledger(r, accept && strstr(accept, "text/csv") != NULL);
}

/* GET /api/v1/counter/ledger.csv[?center=CODE&date=D] -> 200 text/csv (UTF-8 with
** BOM, CRLF): the ledger, one row per entry, then the totals. Roles: staff, admin. */
struct reply api_counter_ledger_csv(struct req *r) { return ledger(r, 1); }

/* POST /api/v1/bookings/{id}/checkin (no body) -> 200 the booking, "checked_in",
** with "checked_in_at"; again -> 200 unchanged. 409 conflict for a hold or a
** cancelled, lapsed or no-show booking, or after its last slot; 422 too_early
** before its use date; 422 outside_counter_hours; 404. Roles: staff, admin. */
struct reply api_booking_checkin(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_id(r, 0);
  if (!id) return reply_error(r, KERR_NOT_FOUND, NULL);
  int rc = counter_checkin(&r->ctx, id, &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* POST /api/v1/bookings/{id}/noshow (no body) -> 200 the booking, "no_show"; its
** slots are free again. 422 too_early before the first slot's start plus the
** rule book's grace (the time in the message); 409 conflict unless confirmed and
** not checked in; 422 outside_counter_hours; 404. Roles: staff, admin. */
struct reply api_booking_noshow(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_id(r, 0);
  if (!id) return reply_error(r, KERR_NOT_FOUND, NULL);
  int rc = counter_noshow(&r->ctx, id, &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* POST /api/v1/bookings/{id}/payments {"method":"cash"|"qr"|"card"|"ic","amount"}
** -> 201 {"payment":{"receipt","kind","method","amount","at",...},"booking",
** "fee_total","due","paid","outstanding"}. The amount must equal what is
** outstanding (negative when a refund is due): else 422 validation saying the
** amount due; 409 conflict when nothing is outstanding; 422
** outside_counter_hours; 404. Roles: staff, admin. */
struct reply api_booking_pay(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_id(r, 0);
  if (!id) return reply_error(r, KERR_NOT_FOUND, NULL);
  int rc = payment_record(&r->ctx, id, r->json, &out, &ei);
  return reply_core(r, rc, 201, out, &ei);
}

/* GET /api/v1/bookings/{id}/payments -> 200 {"booking_id","status","fee_total",
** "due","paid","outstanding","payments":[...]}; 404. Roles: staff, admin. */
struct reply api_booking_payments(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_id(r, 0);
  if (!id) return reply_error(r, KERR_NOT_FOUND, NULL);
  int rc = payment_list(&r->ctx, id, &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}
