/*
** http/forms.c: the online form endpoint, POST /forms/KIND (see forms.h;
** docs/web.md "Online forms").
**
** Plain HTML forms post application/x-www-form-urlencoded; the gate has
** parsed the body into r->json (every value a string, a repeated name an
** array), checked the role and, for a signed-in person, the CSRF token (the
** form's csrf_token field). Each handler calls the same core function as the
** JSON API (which reads its fields through core/input.c, so one validation
** and one set of messages serve both), then:
**   - keeps the submission, accepted or rejected, with a receipt number
**     (受付番号) and a usage-log event "form.accepted" / "form.rejected"
**     (core/submissions.c; channel "form");
**   - answers a browser with a receipt page (200), or with the form again
**     (the status of the error: 422, 409, ...) showing every error by its
**     field, an error summary linking to each, and everything typed (never a
**     password); a client sending "Accept: application/json" gets 201
**     {"receipt","status","id"} or the error JSON with "receipt".
** A rejected submission changes nothing but its own record and event.
*/
#include "forms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/bookings.h"
#include "../core/clock.h"
#include "../core/discounts.h"
#include "../core/groups.h"
#include "../core/ids.h"
#include "../core/input.h"
#include "../core/status.h"
#include "../core/submissions.h"
#include "reply.h"
#include "web_book.h"
#include "web_groups.h"
#include "web_my.h"

typedef struct reply (*form_page_fn)(struct req *r, unsigned status, const json_t *values,
                                        const char *message, const json_t *errors,
                                        const char *receipt);
typedef struct reply (*receipt_page_fn)(struct req *r, const char *receipt,
                                        const struct form_result *result);

struct kind {
  const char *name;                      /* "booking" */
  form_page_fn form;                     /* the form again, on a rejection */
  receipt_page_fn receipt;               /* the receipt, on an acceptance */
  const char *(*field_of)(int code);     /* the field a refusal belongs to, or NULL */
};

/* A program (Accept: application/json, not text/html) rather than a browser. */
static int wants_json(struct req *r) {
  const char *a = req_header(r, MHD_HTTP_HEADER_ACCEPT);
  return a && strstr(a, "application/json") && !strstr(a, "text/html");
}

/* Record the outcome and answer. RC: 0 or the KERR of the core call (EI its
** details); RESULT what it made (for the receipt page); RESULT_ID its number
** as text; STATUS_WORD the state it is in ("held", "pending", "cancelled"). */
/* RECORDED: the receipt of a submission already recorded inside the
** action's own transaction (the booking form's), or NULL/"" to record it here. */
static struct reply finish_with(struct req *r, const struct kind *k, int rc, struct kerrinfo *ei,
                                const struct form_result *result, const char *result_id,
                                const char *status_word, const char *recorded) {
  char receipt[SUBMISSION_RECEIPT_LEN] = "";
  struct reply ret;
  const char *message = NULL;
  char msg[sizeof ei->message];
  if (rc) {
    /* A refusal by a rule that belongs to one field is shown at that field. */
    snprintf(msg, sizeof msg, "%s", ei->message[0] ? ei->message : kerr_message(rc));
    const char *field = k->field_of ? k->field_of(rc) : NULL;
    if (rc == KERR_VALIDATION && ei->fields) message = NULL;
    else if (field) kerr_field(ei, field, msg), ei->code = rc;
    else message = msg;
  }
  struct submission s = {.kind = k->name,
                         .payload = r->json,
                         .accepted = rc == 0,
                         .status = rc ? kerr_http_status(rc) : 201,
                         .error_code = rc ? kerr_code(rc) : NULL,
                         .field_errors = rc ? ei->fields : NULL,
                         .result_id = rc ? NULL : result_id};
  int rec = 0;
  if (rc == 0 && recorded && recorded[0]) snprintf(receipt, sizeof receipt, "%s", recorded);
  else rec = submission_record(&r->ctx, &s, receipt);
  if (rec && rc == 0)
    /* The work is done and stays done; only its form record is missing. */
    fprintf(stderr, "forms: %s %s accepted but not recorded (%s)\n", k->name,
            result_id ? result_id : "-", kerr_code(rec));
  if (rec && rc) { /* not even the rejection could be kept: say the storage fails */
    kerr_clear(ei);
    return reply_error(r, rec, NULL);
  }

  if (wants_json(r)) {
    json_t *body;
    if (rc == 0) {
      body = json_pack("{s:s, s:s, s:s}", "receipt", receipt, "status", status_word, "id",
                       result_id ? result_id : "");
      ret = reply_json(r, 201, body);
    } else {
      json_t *err = json_pack("{s:s, s:s}", "code", kerr_code(rc), "message",
                              ei->message[0] ? ei->message : kerr_message(rc));
      if (ei->fields) json_object_set(err, "fields", ei->fields);
      body = json_pack("{s:o, s:s}", "error", err, "receipt", receipt);
      ret = reply_json(r, (unsigned)kerr_http_status(rc), body);
    }
  } else if (rc == 0) {
    ret = k->receipt(r, receipt, result);
  } else {
    json_t *values = submission_scrub(r->json);
    ret = k->form(r, (unsigned)kerr_http_status(rc), values, message, ei->fields, receipt);
    json_decref(values);
  }
  kerr_clear(ei);
  return ret;
}

static struct reply finish(struct req *r, const struct kind *k, int rc, struct kerrinfo *ei,
                           const struct form_result *result, const char *result_id,
                           const char *status_word) {
  return finish_with(r, k, rc, ei, result, result_id, status_word, NULL);
}

/* ========================================================== booking */

/* The booking form's submission, recorded inside the booking's own write
** transaction (booking_create_then): the booking and its receipt number
** commit together, or neither does. */
struct booking_record {
  struct req *r;
  char receipt[SUBMISSION_RECEIPT_LEN];
};

/* An accepted submission of KIND, the form REC posted, whose result is
** RESULT_ID, recorded under CTX in the write transaction; its receipt number
** into REC->receipt. */
static int record_accepted(struct kctx *ctx, const char *kind, struct booking_record *rec,
                           const char *result_id) {
  struct submission s = {.kind = kind, .payload = rec->r->json, .accepted = 1,
                         .status = 201, .result_id = result_id};
  return submission_record_in(ctx, &s, rec->receipt);
}

static int record_booking(struct kctx *ctx, int64_t booking_id, void *arg, struct kerrinfo *ei) {
  struct booking_record *br = arg;
  char idtext[24];
  (void)ei;
  snprintf(idtext, sizeof idtext, "%lld", (long long)booking_id);
  struct kctx c = *ctx;   /* the form's channel, also when staff book at the counter */
  c.channel = br->r->ctx.channel;
  return record_accepted(&c, "booking", br, idtext);
}

static const struct kind booking_kind = {"booking", web_booking_form, web_booking_receipt,
                                         web_book_error_field};

/* POST /forms/booking (form) room_id, date, slots (repeated), purpose, attendees,
** group_id?, confirm?, idempotency_key?, csrf_token
** -> 200 the receipt page (the 予約番号; with confirm=1 the booking made confirmed
**    at once, in one transaction (core), and a link to its permit, else the hold's exact expiry and the button
**    that confirms it) or, with Accept: application/json, 201 {"receipt",
**    "status":"held"|"confirmed","id"}; a repeated idempotency_key replays the first booking and its receipt;
**    the form again (422 validation/outside_booking_window/closed/capacity/
**    limit_exceeded, 409 slot_taken, 404 a group not theirs) with every error by
**    its field and the values kept. Every submission is recorded. Citizens. */
struct reply form_booking(struct req *r) {
  struct kerrinfo ei = {0};
  int replayed = 0;
  char key[160] = "", idtext[24] = "";
  struct booking_view *v = malloc(sizeof *v);
  if (!v) return reply_error(r, KERR_INTERNAL, NULL);
  r->ctx.channel = "form";
  /* the confirmation page's key: a second click (or reload) books once */
  if (input_text(r->json, "idempotency_key", key, sizeof key) != INPUT_OK) key[0] = 0;
  struct booking_record br = {.r = r, .receipt = ""};
  int rc = booking_create_view(&r->ctx, r->json, key[0] ? key : NULL, record_booking, &br, v,
                               &replayed, &ei);
  struct form_result res = {.id = v->b.id, .booking = v};
  const char *status_word = rc == 0 ? booking_status_name(v->status) : "";
  if (rc == 0) snprintf(idtext, sizeof idtext, "%lld", (long long)v->b.id);
  char receipt[SUBMISSION_RECEIPT_LEN];
  struct reply ret;
  if (rc == 0 && replayed && submission_receipt_of(&r->ctx, "booking", idtext, receipt) == 0 &&
      receipt[0]) {
    /* the same submission again: its first receipt, nothing new stored */
    ret = wants_json(r) ? reply_json(r, 201, json_pack("{s:s, s:s, s:s}", "receipt", receipt,
                                                       "status", status_word, "id", idtext))
                        : web_booking_receipt(r, receipt, &res);
  } else {
    ret = finish_with(r, &booking_kind, rc, &ei, &res, idtext, status_word, br.receipt);
  }
  free(v);
  return ret;
}

/* ============================================================ group */

static const char *group_field(int code) {
  return code == KERR_RESIDENCY ? "resident_members" : NULL;
}
static const struct kind group_kind = {"group", web_group_form, web_group_receipt, group_field};

/* The group form's submission, recorded inside the registration's write
** transaction (groups_register_keyed), as the booking form's is: the group
** and its receipt number commit together, so a repeat of the post always
** finds the first receipt. */
static int record_group(struct kctx *ctx, int64_t group_id, void *arg, struct kerrinfo *ei) {
  char idtext[16];
  (void)ei;
  ids_format(group_id, idtext);
  return record_accepted(ctx, "group", arg, idtext);
}

/* POST /forms/group (form) name, name_kana, members, resident_members, activity,
** public_listing, idempotency_key?, csrf_token
** -> 200 the receipt page (受付番号, the group ID, "審査中") or 201
**    {"receipt","status":"pending","id"}; a repeated idempotency_key (the
**    form page's: a reload of the receipt page posts again) shows the first
**    group's receipt and stores nothing; the form again with 422 validation or
**    residency_requirement (at resident_members), 409 conflict (the key used
**    for other details: the form with a fresh key). Recorded. Citizens. */
struct reply form_group(struct req *r) {
  struct kerrinfo ei = {0};
  int64_t id = 0;
  int replayed = 0;
  char key[GROUPS_KEY_MAX + 1] = "", idtext[16] = "", receipt[SUBMISSION_RECEIPT_LEN];
  r->ctx.channel = "form";
  /* the form page's key: a reload of the receipt page registers once */
  if (input_text(r->json, "idempotency_key", key, sizeof key) != INPUT_OK) key[0] = 0;
  struct booking_record gr = {.r = r, .receipt = ""};
  int rc = groups_register_keyed(&r->ctx, r->json, key[0] ? key : NULL, record_group, &gr, &id,
                                 &replayed, &ei);
  if (rc == 0) ids_format(id, idtext);
  struct form_result res = {.id = id};
  if (rc == 0 && replayed) {
    /* the same submission again: its first receipt, as it stands now */
    struct group_view g;
    const char *status_word = review_status_name(
        group_view_of(&r->ctx, id, r->ctx.actor.account_id, &g) == 0 ? g.status : REVIEW_PENDING);
    if (submission_receipt_of(&r->ctx, "group", idtext, receipt) != 0) receipt[0] = 0;
    return wants_json(r) ? reply_json(r, 201, json_pack("{s:s, s:s, s:s}", "receipt", receipt,
                                                        "status", status_word, "id", idtext))
                         : web_group_receipt(r, receipt, &res);
  }
  return finish_with(r, &group_kind, rc, &ei, &res, idtext, review_status_name(REVIEW_PENDING),
                     gr.receipt);
}

/* =========================================================== cancel */

static const struct kind cancel_kind = {"cancel", web_cancel_form, web_cancel_receipt, NULL};

/* POST /forms/cancel (form) booking_id, reason?, csrf_token
** -> 200 the receipt page (受付番号, the fee charged, if any) or 201
**    {"receipt","status":"cancelled","id"}; the cancellation page again with
**    422 deadline_passed/validation, 409 conflict (already cancelled or lapsed),
**    404 not found (not theirs). Recorded. Citizens, staff, admin (staff give
**    a reason). */
struct reply form_cancel(struct req *r) {
  struct kerrinfo ei = {0};
  long long id = 0;
  char reason[1024] = "", idtext[24] = "";
  int rc = 0;
  struct booking_view *v = calloc(1, sizeof *v);
  if (!v) return reply_error(r, KERR_INTERNAL, NULL);
  r->ctx.channel = "form";
  if (input_int(r->json, "booking_id", r->ctx.form, 1, INT64_MAX, &id) != INPUT_OK) {
    kerr_field(&ei, "booking_id", input_int_message(r->json, "booking_id", r->ctx.form,
                                                    "取り消す予約の番号 (booking_id) が正しくありません。"));
    rc = KERR_VALIDATION;
  }
  int rr = input_text(r->json, "reason", reason, sizeof reason);
  if (rr == INPUT_BAD) {
    kerr_field(&ei, "reason", "取り消す理由は200文字以内で入力してください。");
    rc = KERR_VALIDATION;
  }
  if (!rc) rc = booking_cancel_view(&r->ctx, id, reason[0] ? reason : NULL, CANCEL_FOR_DEFAULT, v, &ei);
  if (rc == 0) snprintf(idtext, sizeof idtext, "%lld", id);
  struct form_result res = {.id = id, .booking = v};
  struct reply ret = finish(r, &cancel_kind, rc, &ei, &res, idtext,
                            booking_status_name(BOOKING_CANCELLED));
  free(v);
  return ret;
}

/* ========================================================= discount */

static const char *discount_field(int code) { return code == KERR_NOT_FOUND ? "group_id" : NULL; }
static const struct kind discount_kind = {"discount", web_discount_form, web_discount_receipt,
                                          discount_field};

/* The exemption form's submission, recorded inside the application's write
** transaction (discounts_apply_keyed), as the group form's is: a repeat of
** the post always finds the first receipt. */
static int record_discount(struct kctx *ctx, int64_t app_id, void *arg, struct kerrinfo *ei) {
  char idtext[24];
  (void)ei;
  snprintf(idtext, sizeof idtext, "%lld", (long long)app_id);
  return record_accepted(ctx, "discount", arg, idtext);
}

/* POST /forms/discount (form) group_id, category, reason, evidence?,
** idempotency_key?, csrf_token
** -> 200 the receipt page (受付番号, the application number, "審査中") or 201
**    {"receipt","status":"pending","id"}, as POST /api/v1/discounts
**    (core/discounts.c); a repeated idempotency_key (the form page's: a
**    reload of the receipt page posts again) shows the first application's
**    receipt and stores nothing; the form again with 422 validation (a group
**    not approved or not valid, an unknown category), 404 (a group not
**    theirs) or 409 conflict (an application already open for that
**    category; the key used for other details: the form with a fresh key).
**    Recorded. Citizens. */
struct reply form_discount(struct req *r) {
  struct kerrinfo ei = {0};
  int64_t id = 0;
  int replayed = 0;
  char key[DISCOUNTS_KEY_MAX + 1] = "", idtext[32] = "", receipt[SUBMISSION_RECEIPT_LEN];
  r->ctx.channel = "form";
  /* the form page's key: a reload of the receipt page applies once */
  if (input_text(r->json, "idempotency_key", key, sizeof key) != INPUT_OK) key[0] = 0;
  struct booking_record dr = {.r = r, .receipt = ""};
  int rc = discounts_apply_keyed(&r->ctx, r->json, key[0] ? key : NULL, record_discount, &dr,
                                 &id, &replayed, &ei);
  if (rc == 0) snprintf(idtext, sizeof idtext, "%lld", (long long)id);
  struct form_result res = {.id = id};
  if (rc == 0 && replayed) {
    /* the same submission again: its first receipt, as it stands now */
    json_t *app = NULL;
    const char *status_word = review_status_name(REVIEW_PENDING);
    if (discounts_get(&r->ctx, id, &app, &ei) == 0)
      status_word = json_string_value(json_object_get(app, "status"));
    kerr_clear(&ei);
    if (submission_receipt_of(&r->ctx, "discount", idtext, receipt) != 0) receipt[0] = 0;
    struct reply ret = wants_json(r)
                           ? reply_json(r, 201, json_pack("{s:s, s:s, s:s}", "receipt", receipt,
                                                          "status", status_word ? status_word : "",
                                                          "id", idtext))
                           : web_discount_receipt(r, receipt, &res);
    json_decref(app);
    return ret;
  }
  return finish_with(r, &discount_kind, rc, &ei, &res, idtext,
                     review_status_name(REVIEW_PENDING), dr.receipt);
}
