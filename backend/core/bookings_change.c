/*
** core/bookings_change.c: confirming and cancelling a booking (see
** bookings.h), by its holder or by staff at the counter. The shape of
** every write is described in core/bookings.c.
*/
#include "bookings.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "audit.h"
#include "trail.h"
#include "availability.h"
#include "bookable.h"
#include "clock.h"
#include "desk.h"
#include "discounts.h"
#include "ids.h"
#include "throttle.h"
#include "input.h"
#include "notify.h"
#include "payments.h"
#include "text.h"
#include "bookings_int.h"

/* ========================================================= confirm */

static int confirm_in(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei);
static int cancel_in(struct kctx *ctx, int64_t id, const char *reason, enum cancel_for on_behalf,
                     struct booking *b, struct kerrinfo *ei);

/* ONE ENTRY: confirming, by the holder or by staff for them (desk_enter:
** counter hours, channel "counter"); every route calls this. */
int booking_confirm(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei) {
  struct kctx c;
  *out = NULL;
  int rc = desk_enter(ctx, &c, ei);
  return rc ? rc : confirm_in(&c, id, out, ei);
}

/* ONE ENTRY: cancelling, by the holder or by staff for them (counter hours,
** a reason, on whose account, a refund of what was paid beyond the fee, the
** money in the reply). */
int booking_cancel(struct kctx *ctx, int64_t id, const char *reason, enum cancel_for on_behalf,
                   json_t **out, struct kerrinfo *ei) {
  struct booking_view v;
  *out = NULL;
  int rc = booking_cancel_view(ctx, id, reason, on_behalf, &v, ei);
  if (rc) return rc;
  if (!(*out = booking_view_json(&v))) return kerr_set(ei, KERR_INTERNAL, NULL);
  if (desk_is_staff(ctx)) {
    payment_money_json(ctx, &v.b, *out);
    json_object_set_new(*out, "on_behalf",
                        json_string(cancel_for_name(on_behalf ? on_behalf : CANCEL_FOR_HOLDER)));
  }
  return 0;
}

int booking_cancel_view(struct kctx *ctx, int64_t id, const char *reason,
                        enum cancel_for on_behalf, struct booking_view *v, struct kerrinfo *ei) {
  struct kctx c;
  struct booking b;
  memset(v, 0, sizeof *v);
  int rc = desk_enter(ctx, &c, ei);
  if (rc || (rc = cancel_in(&c, id, reason, on_behalf, &b, ei))) return rc;
  booking_view_of(&c, &b, v);
  return 0;
}

static int confirm_in(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei) {
  struct booking b;
  int rc;
  if ((rc = booking_load_for_change(ctx, id, &b, ei))) return rc;
  enum booking_status status = booking_status_now(ctx, &b);
  if (status == BOOKING_CONFIRMED) { /* a repeated click changes nothing */
    *out = booking_json(ctx, &b);
    return *out ? 0 : KERR_INTERNAL;
  }
  if (status == BOOKING_LAPSED) {
    char when[64];
    clock_jinstant(b.hold_expires_at, when, sizeof when);
    return kerr_set(ei, KERR_CONFLICT,
                    "仮予約の確定期限（%s）を過ぎたため、この仮予約は無効になりました。"
                    "空いていれば、もう一度予約してください。",
                    when);
  }
  if (status != BOOKING_HELD)
    return kerr_set(ei, KERR_CONFLICT, "この予約は%sのため、確定できません。",
                    status == BOOKING_CANCELLED ? "取り消し済み" : "仮予約ではない");

  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  if ((rc = db_run(ctx->db,
                   "UPDATE bookings SET status = 'confirmed', confirmed_at = $now,"
                   " confirmed_by = $by, hold_expires_at = NULL"
                   " WHERE id = $id AND status = 'held' AND hold_expires_at > $now",
                   DB_I("$now", ctx->now), DB_I("$by", ctx->actor.account_id), DB_I("$id", id))) !=
      DB_OK) {
    rc = kerr_from_db(rc);
    goto fail;
  }
  if (db_changes(ctx->db) != 1) { /* changed under us: lapsed or cancelled meanwhile */
    rc = kerr_set(ei, KERR_CONFLICT, "この予約の状態が変わったため、確定できませんでした。");
    goto fail;
  }
  if ((rc = db_run(ctx->db,
                   "UPDATE booking_slots SET hold_expires_at = NULL"
                   " WHERE booking_id = $id AND active = 1",
                   DB_I("$id", id))) != DB_OK) {
    rc = kerr_from_db(rc);
    goto fail;
  }
  if ((rc = booking_load(ctx, id, &b))) goto fail;
  if ((rc = booking_event(ctx, "booking.confirm", &b, ctx->now, b.fee_total))) goto fail;
  if ((rc = notify_booking(ctx, NOTE_CONFIRM, &b))) goto fail;
  if ((rc = booking_sweep(ctx, SWEEP_PER_WRITE, NULL))) goto fail;
fail:
  return booking_end_write(ctx, rc, &b, out, ei);
}

/* ========================================================== cancel */

const char *cancel_for_name(enum cancel_for f) {
  return f == CANCEL_FOR_HOLDER ? "holder" : f == CANCEL_FOR_CITY ? "city" : "";
}

int cancel_for_parse(const char *name) {
  if (name && !strcmp(name, "holder")) return CANCEL_FOR_HOLDER;
  if (name && !strcmp(name, "city")) return CANCEL_FOR_CITY;
  return -1;
}

void booking_cancel_quote(const struct kctx *ctx, const struct booking *b, enum cancel_for f,
                          struct cancel_quote *q) {
  memset(q, 0, sizeof *q);
  const struct rules *r = booking_rules(ctx, b);
  int32_t day = 0;
  if (!r || date_parse(b->date, &day)) return; /* no terms to go by: free */
  char codes[RULES_MAX_SLOTS][24];
  booking_split_slots(b->slots, codes, RULES_MAX_SLOTS);
  int first = rules_slot_index(r, codes[0]);
  q->free_until = day - r->cancel_deadline_days;
  q->started = ctx->now >= clock_local(day, first >= 0 ? r->slots[first].start : 0);
  /* RULE: cancellation deadline, under the terms the booking was made on. A
  ** hold is always free to cancel (it would lapse for free anyway); once the
  ** use has begun, the deadline has passed whatever the rule book's days. */
  q->late = booking_status_now(ctx, b) != BOOKING_HELD &&
            (clock_today(ctx->now) > q->free_until || q->started);
  q->refused = q->late && r->cancel_after_deadline_fee < 0;
  if (!q->late || f == CANCEL_FOR_CITY) return;
  /* RULE: the fee after the deadline: the rule's fee_percent of the fee; where
  ** the rule book refuses a late cancellation online, staff may still cancel
  ** at the holder's request, and then the whole fee is due (the booking could
  ** not have been let go for less). */
  q->percent = q->refused ? 100 : r->cancel_after_deadline_fee;
  q->fee = q->refused ? (b->fee_total > 0 ? b->fee_total : 0) : rules_cancel_fee(r, b->fee_total);
}

int booking_cancel_write(struct kctx *ctx, struct booking *b, const char *reason, int64_t fee,
                         enum cancel_for on_behalf, int refund, struct kerrinfo *ei) {
  assert(db_in_txn(ctx->db));   /* the caller's write transaction */
  int rc;
  if ((rc = db_run(ctx->db,
                   "UPDATE bookings SET status = 'cancelled', cancelled_at = $now,"
                   " cancelled_by = $by, cancel_reason = $reason, cancel_fee = $fee"
                   " WHERE id = $id AND (status = 'confirmed'"
                   "  OR (status = 'held' AND hold_expires_at > $now))",
                   DB_I("$now", ctx->now), DB_I("$by", ctx->actor.account_id),
                   DB_T("$reason", reason), DB_I("$fee", fee), DB_I("$id", b->id))) != DB_OK)
    return kerr_from_db(rc);
  if (db_changes(ctx->db) != 1)
    return kerr_set(ei, KERR_CONFLICT, "この予約の状態が変わったため、取り消せませんでした。");
  /* RULE: a cancelled slot is free at once. */
  if ((rc = db_run(ctx->db, "UPDATE booking_slots SET active = 0 WHERE booking_id = $id",
                   DB_I("$id", b->id))) != DB_OK)
    return kerr_from_db(rc);
  if ((rc = booking_load(ctx, b->id, b))) return rc;
  if ((rc = booking_event_for(ctx, "booking.cancel", b, ctx->now, fee, on_behalf))) return rc;
  /* RULE: refund on staff cancel. What was paid beyond the fee goes back, by
  ** the method it was paid with, recorded in the same transaction. */
  return refund ? payment_refund_beyond(ctx, b, fee, ei) : 0;
}

/* The holder's own cancellation online, under Q (booking_cancel_quote) and
** R: 0, or KERR_DEADLINE with the reason once the use has begun or when the
** rule book refuses a late cancellation. */
static int holder_may_cancel(const struct rules *r, const struct cancel_quote *q,
                             struct kerrinfo *ei) {
  if (!q->late) return 0;
  if (q->started)
    return kerr_set(ei, KERR_DEADLINE,
                    "利用開始時刻を過ぎた予約は取り消せません。公民館の窓口にご相談ください。");
  if (q->refused) {
    char d[48];
    clock_jdate(q->free_until, d, sizeof d);
    return kerr_set(ei, KERR_DEADLINE,
                    "取消の期限（利用日の%d日前、%sまで）を過ぎているため、"
                    "オンラインでは取り消せません。公民館の窓口にご相談ください。",
                    r ? r->cancel_deadline_days : 0, d);
  }
  return 0;
}

/* Cancel ID for the actor into *B (as cancelled). */
static int cancel_in(struct kctx *ctx, int64_t id, const char *reason, enum cancel_for on_behalf,
                     struct booking *b, struct kerrinfo *ei) {
  int rc, staff = desk_is_staff(ctx);
  if ((rc = booking_load_for_change(ctx, id, b, ei))) return rc;
  if (reason && !*reason) reason = NULL;
  if (reason && (text_utf8_len(reason) > REASON_MAX || text_has_control(reason))) {
    kerr_field(ei, "reason", "取消の理由は200文字以内で入力してください。");
    return KERR_VALIDATION;
  }
  if (!staff && on_behalf == CANCEL_FOR_CITY) {
    kerr_field(ei, "on_behalf", "「市の都合」による取り消しは、公民館の職員だけが選べます。");
    return KERR_VALIDATION;
  }

  enum booking_status status = booking_status_now(ctx, b);
  if (!booking_status_active(status))
    return kerr_set(ei, KERR_CONFLICT, "この予約は%sのため、取り消せません。",
                    status == BOOKING_CANCELLED ? "すでに取り消されている"
                    : status == BOOKING_LAPSED  ? "仮予約の期限切れで無効になっている"
                                                : "利用済み");
  if (!on_behalf) on_behalf = CANCEL_FOR_HOLDER;
  struct cancel_quote q;
  booking_cancel_quote(ctx, b, on_behalf, &q);
  if (staff) {
    /* RULE: staff cancel at any time, with a reason, on the holder's request
    ** (the holder's fee, never refused for the deadline or the start) or for
    ** the city's reason (no fee). */
    if (!reason) {
      kerr_field(ei, "reason", "職員が取り消すときは、理由を入力してください。");
      return KERR_VALIDATION;
    }
  } else if ((rc = holder_may_cancel(booking_rules(ctx, b), &q, ei))) {
    return rc;
  }

  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  if ((rc = booking_cancel_write(ctx, b, reason, q.fee, on_behalf, staff, ei))) goto fail;
  if ((rc = notify_booking(ctx, NOTE_CANCEL, b))) goto fail;
  if ((rc = booking_sweep(ctx, SWEEP_PER_WRITE, NULL))) goto fail;
fail:
  return booking_end_write(ctx, rc, b, NULL, ei);
}
