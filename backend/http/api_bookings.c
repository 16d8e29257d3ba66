/*
** http/api_bookings.c: the booking and permit endpoints. Each handler parses
** its parameters, calls one core function (core/bookings.c, core/permits.c)
** and turns the result into one reply; the gate (router.c) has already
** checked session, role, content type and CSRF.
*/
#include "api_bookings.h"

#include <stdlib.h>
#include <string.h>

#include "../core/bookings.h"
#include "../core/clock.h"
#include "../core/permits.h"
#include "../core/sameday.h"
#include "reply.h"
#include "suspend.h"

/* POST /api/v1/bookings {"room_id","date","slots":[CODE,...],"group_id"?,"purpose",
** "attendees"}, optional header Idempotency-Key.
** -> 201 the booking {"id","status":"held","room_id","date","slots","fee":{"base",
**    "discount","total","rules_version"},"hold_expires_at",...} (a repeated
**    Idempotency-Key returns the first booking, with Idempotent-Replayed: true);
**    409 slot_taken; 422 outside_booking_window, closed, capacity, limit_exceeded,
**    validation; 404 a group the user does not represent; 409 conflict (key reused
**    for another request). Roles: citizen; staff and admin with "on_behalf_of":
**    SYSTEM_ID book for that citizen at the counter (core/counter.c: counter
**    hours, 422 validation for an unknown ID), else 403. */
static json_t *view_json(const void *v) { return booking_view_json(v); }

struct reply api_booking_create(struct req *r) {
  struct kerrinfo ei = {0};
  int replayed = 0;
  const char *key = req_header(r, "Idempotency-Key");
  struct booking_view v;
  int rc = booking_create_view(&r->ctx, r->json, key, NULL, NULL, &v, &replayed, &ei);
  if (!rc && !v.b.id && r->ctx.precheck) return suspend_undecided(r); /* the writer decides */
  if (rc || !v.b.id) return reply_core(r, rc ? rc : KERR_INTERNAL, 0, NULL, &ei);
  struct reply rep;
  if (r->encode_later) { /* on the writer: the worker that sends it makes the JSON, from a copy */
    struct booking_view *later = malloc(sizeof v);
    if (later) *later = v;
    rep = reply_json_later(r, 201, view_json, later);
  } else {
    rep = reply_json(r, 201, booking_view_json(&v));
  }
  /* a repeated key: the same reply as the first time, marked as a replay */
  if (replayed) reply_header(&rep, "Idempotent-Replayed", "true");
  return rep;
}

/* GET /api/v1/bookings?mine=1 -> 200 {"bookings":[...]}: the user's own bookings and
** those of the groups they represent, by date.
** GET /api/v1/bookings?date=D[&center=CODE] (staff, admin) -> 200 every booking of D.
** A citizen always gets their own. 422 validation for a bad date.
** Roles: citizen, staff, admin. */
struct reply api_booking_list(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  const char *mine = req_query(r, "mine");
  const char *date = req_query(r, "date");
  int rc;
  if ((r->ctx.actor.role & ROLE_DESK) && !(mine && !strcmp(mine, "1")) && date) {
    int32_t day;
    if (date_parse(date, &day)) {
      kerr_field(&ei, "date", "日付は YYYY-MM-DD の形で、実在する日付を指定してください。");
      return reply_core(r, KERR_VALIDATION, 0, NULL, &ei);
    }
    rc = booking_list_day(&r->ctx, day, req_query(r, "center"), &out, &ei);
  } else {
    rc = booking_list_mine(&r->ctx, &out, &ei);
  }
  return reply_core(r, rc, 200, out, &ei);
}

/* GET /api/v1/bookings/{id} -> 200 the booking; 404 when it does not exist or the
** user is not its holder, a representative of its group, or staff.
** Roles: citizen, staff, admin. */
struct reply api_booking_get(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_id(r, 0);
  if (!id) return reply_error(r, KERR_NOT_FOUND, NULL);
  int rc = booking_get(&r->ctx, id, &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* POST /api/v1/bookings/{id}/confirm (no body) -> 200 the booking, now "confirmed";
** 409 conflict when the hold has lapsed or the booking was cancelled; 404 as GET.
** Roles: citizen (the holder), staff, admin (within counter hours). */
struct reply api_booking_confirm(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_id(r, 0);
  if (!id) return reply_error(r, KERR_NOT_FOUND, NULL);
  /* staff confirm for the holder at the counter: core decides (counter hours) */
  int rc = booking_confirm(&r->ctx, id, &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* POST /api/v1/bookings/{id}/cancel {"reason"?, "on_behalf"?} -> 200 the booking, now
** "cancelled", with "cancel_fee"; the slots are free at once. 422 deadline_passed when
** the rule book refuses a late cancellation by the holder (with the reason); 422
** validation when staff give no reason, or "on_behalf" is not "holder" or "city" (or
** the holder says "city"); 409 conflict when already cancelled or lapsed; 404 as GET.
** Roles: citizen (the holder), staff, admin (any time, reason required, on the
** account "on_behalf" says: "holder" 本人の申し出, the holder's fee, the default, or
** "city" 市の都合, no fee; within counter hours, 422 outside_counter_hours; what was
** paid beyond the fee is refunded; the reply adds "on_behalf" and the money). */
struct reply api_booking_cancel(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_id(r, 0);
  if (!id) return reply_error(r, KERR_NOT_FOUND, NULL);
  json_t *reason = r->json ? json_object_get(r->json, "reason") : NULL;
  json_t *account = r->json ? json_object_get(r->json, "on_behalf") : NULL;
  int bad = 0, on_behalf = CANCEL_FOR_DEFAULT;
  if (reason && !json_is_string(reason) && !json_is_null(reason)) {
    kerr_field(&ei, "reason", "取消の理由は文字列で入力してください。");
    bad = 1;
  }
  if (account && !json_is_null(account) &&
      (on_behalf = cancel_for_parse(json_string_value(account))) < 0) {
    kerr_field(&ei, "on_behalf",
               "取り消しの扱い (on_behalf) は \"holder\"（本人の申し出: 規則どおりの取消料）か"
               " \"city\"（市の都合: 取消料なし）で指定してください。");
    bad = 1;
  }
  if (bad) return reply_core(r, KERR_VALIDATION, 0, NULL, &ei);
  /* staff cancel at the counter: core decides (counter hours, the fee, the refund) */
  int rc = booking_cancel(&r->ctx, id, json_string_value(reason), (enum cancel_for)on_behalf, &out,
                          &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* GET /api/v1/bookings/{id}/permit -> 200 {"permit":TOKEN,"booking_id","issued_at",
** "kid"}: the signed digital permit (許可書) of a confirmed booking; 409 conflict
** for a hold or a cancelled booking; 404 as GET. Roles: citizen, staff, admin. */
struct reply api_booking_permit(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_id(r, 0);
  if (!id) return reply_error(r, KERR_NOT_FOUND, NULL);
  int rc = permit_issue(&r->ctx, id, &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* POST /api/v1/permits/verify {"permit":TOKEN} -> 200 {"valid":true,"status",
** "usable","permit":{...}} or {"valid":false,"reason","message"}; a genuine permit
** of a cancelled booking is valid with status "cancelled" and usable false.
** 422 validation when permit is missing. Anyone. */
struct reply api_permit_verify(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  json_t *p = json_object_get(r->json, "permit");
  if (p && !json_is_string(p)) {
    kerr_field(&ei, "permit", "許可書のコード（permit）は文字列で送ってください。");
    return reply_core(r, KERR_VALIDATION, 0, NULL, &ei);
  }
  int rc = permit_verify(&r->ctx, json_string_value(p), &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* GET /api/v1/permits/key -> 200 {"alg":"Ed25519","public_key":BASE64,"kid",
** "jwk":{...}}: the key that verifies every permit, offline. Anyone. */
struct reply api_permit_key(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = permit_public_key(&r->ctx, &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* POST /api/v1/sameday {"room_id","slots","name","phone","attendees","purpose",
** "date"?} -> 201 the booking, confirmed, channel "online", with "walkin":true,
** "holder" {"kind":"walkin","name","phone"}, "due", "paid", "outstanding",
** "payments" and "center_phone" (where to call to cancel); 422 validation (each
** field), outside_booking_window (not today, the rule book does not allow it
** here, the slot has started), closed, capacity, limit_exceeded (the phone
** was used today); 409 slot_taken; 429 rate_limited. Same-day use of a free
** room without registration (core/sameday.h). Anyone: no account needed. */
struct reply api_sameday(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = sameday_take(&r->ctx, r->json, &out, &ei);
  return reply_core(r, rc, 201, out, &ei);
}
