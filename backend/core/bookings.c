/*
** core/bookings.c: holds, confirmation, cancellation, fees and the lapse of
** holds, under the one rule book (see bookings.h for who may do what and
** which rule-book version decides what).
**
** Shape of every write: check everything that needs no lock first (the
** request, the rule book, the group); then, in ONE db_begin_write()
** transaction, clear what has lapsed on the slots concerned, count what the
** caps count (inside the lock, so two requests of one user cannot both pass
** a cap), write, log the event, commit, and only then avail_touch() so the
** public feeds show the change at once. Any failure rolls back: nothing
** changes.
**
** This file: the booking as loaded, its status, who may see it, its JSON
** and the reads. The request is core/bookings_create.c; confirm and cancel
** core/bookings_change.c; what they share, core/bookings_int.h.
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
#include "groups.h"
#include "ids.h"
#include "throttle.h"
#include "input.h"
#include "notify.h"
#include "payments.h"
#include "text.h"
#include "vec.h"
#include "bookings_int.h"

/* ============================================================ helpers */

const struct rules *booking_rules(const struct kctx *ctx, const struct booking *b) {
  return rules_of_booking(ctx->rb, b->rules_version, b->date);
}

/* Split "a,b,c" into codes; returns the count (at most MAX). */
int booking_split_slots(const char *s, char codes[][24], int max) {
  int n = 0;
  while (*s && n < max) {
    const char *e = strchr(s, ',');
    size_t len = e ? (size_t)(e - s) : strlen(s);
    if (len >= 24) len = 23;
    memcpy(codes[n], s, len);
    codes[n][len] = 0;
    n++;
    if (!e) break;
    s = e + 1;
  }
  return n;
}

/* ======================================================== usage log */

/* One usage-log event about B (core/audit.c: the actor as a keyed pseudonym,
** never a name), written inside the transaction of the change it records. AT
** is when it happened: a lapse happened at the hold's expiry, whenever it is
** noticed, and nobody did it (no actor; the holder is the subject). AMOUNT is
** yen (0 for none). */
int booking_event(struct kctx *ctx, const char *action, const struct booking *b, int64_t at,
                  int64_t amount) {
  return booking_event_for(ctx, action, b, at, amount, CANCEL_FOR_DEFAULT);
}

int booking_event_for(struct kctx *ctx, const char *action, const struct booking *b, int64_t at,
                      int64_t amount, enum cancel_for on_behalf) {
  char detail[128], account[40] = "";
  int lapse = !strcmp(action, "booking.lapse");
  int staff_cancel = !strcmp(action, "booking.cancel") && desk_is_staff(ctx);
  /* a staff cancellation: on whose account (a code, never the reason typed) */
  if (staff_cancel && on_behalf)
    snprintf(account, sizeof account, ",\"on_behalf\":\"%s\"", cancel_for_name(on_behalf));
  snprintf(detail, sizeof detail, "{\"booking_id\":%lld%s%s}", (long long)b->id,
           staff_cancel ? ",\"by_staff\":true" : "", account);
  struct audit_fields f = {
      AUDIT_OF_BOOKING(b),
      .subject_account = lapse || b->account_id != ctx->actor.account_id ? b->account_id : 0,
      .amount = amount > 0 ? amount : 0, .detail_json = detail};
  if (!lapse) return audit_event(ctx, action, &f);
  struct kctx when = *ctx;
  when.now = at;
  memset(&when.actor, 0, sizeof when.actor);
  when.actor.role = ROLE_ANON;
  when.channel = b->channel;
  return audit_event(&when, action, &f);
}

/* ============================================================ loading */

static int64_t int_or(kstmt *st, int i, int64_t dflt) {
  return db_col_null(st, i) ? dflt : db_col_int(st, i);
}

/* One row of "SELECT " BOOKING_COLUMNS BOOKING_FROM (bookings.h). */
void booking_read_row(kstmt *st, struct booking *b) {
  memset(b, 0, sizeof *b);
  b->id = db_col_int(st, 0);
  b->account_id = int_or(st, 1, 0);
  b->group_id = int_or(st, 2, 0);
  b->room_id = db_col_int(st, 3);
  snprintf(b->center, sizeof b->center, "%s", db_col_text(st, 4));
  snprintf(b->date, sizeof b->date, "%s", db_col_text(st, 5));
  snprintf(b->slots, sizeof b->slots, "%s", db_col_text(st, 6));
  b->status = booking_status_parse(db_col_text(st, 7));
  snprintf(b->channel, sizeof b->channel, "%s", db_col_text(st, 8));
  snprintf(b->purpose, sizeof b->purpose, "%s", db_col_text(st, 9));
  b->attendees = (int)db_col_int(st, 10);
  b->fee_base = db_col_int(st, 11);
  b->fee_discount = db_col_int(st, 12);
  b->fee_total = db_col_int(st, 13);
  snprintf(b->discount_code, sizeof b->discount_code, "%s", db_col_text(st, 14));
  snprintf(b->rules_version, sizeof b->rules_version, "%s", db_col_text(st, 15));
  b->hold_expires_at = int_or(st, 16, 0);
  b->created_at = db_col_int(st, 17);
  b->confirmed_at = int_or(st, 18, 0);
  b->cancelled_at = int_or(st, 19, 0);
  snprintf(b->cancel_reason, sizeof b->cancel_reason, "%s", db_col_text(st, 20));
  b->cancel_fee = int_or(st, 21, -1);
  snprintf(b->walkin_name, sizeof b->walkin_name, "%s", db_col_text(st, 22));
  snprintf(b->group_name, sizeof b->group_name, "%s", db_col_text(st, 23));
  b->group_public = (int)int_or(st, 24, 0);
  snprintf(b->imported_note, sizeof b->imported_note, "%s", db_col_text(st, 25));
}

int booking_load(struct kctx *ctx, int64_t id, struct booking *b) {
  kstmt *st = db_prep(ctx->db, "SELECT " BOOKING_COLUMNS BOOKING_FROM " WHERE b.id = $id");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", id);
  int rc = db_step(st);
  if (rc == DB_ROW) {
    booking_read_row(st, b);
    db_reset(st);
    return 0;
  }
  db_reset(st);
  return rc == DB_DONE ? KERR_NOT_FOUND : kerr_from_db(rc);
}

static const char *const status_names[] = {
    [BOOKING_UNKNOWN] = "unknown",     [BOOKING_HELD] = "held",
    [BOOKING_CONFIRMED] = "confirmed", [BOOKING_CANCELLED] = "cancelled",
    [BOOKING_LAPSED] = "lapsed",       [BOOKING_CHECKED_IN] = "checked_in",
    [BOOKING_NO_SHOW] = "no_show",
};
#define NSTATUS ((int)(sizeof status_names / sizeof status_names[0]))

enum booking_status booking_status_parse(const char *name) {
  for (int s = BOOKING_UNKNOWN + 1; name && s < NSTATUS; s++)
    if (!strcmp(status_names[s], name)) return (enum booking_status)s;
  return BOOKING_UNKNOWN;
}

const char *booking_status_name(enum booking_status s) {
  return (int)s > 0 && (int)s < NSTATUS ? status_names[s] : status_names[BOOKING_UNKNOWN];
}

int booking_status_active(enum booking_status s) {
  return s == BOOKING_HELD || s == BOOKING_CONFIRMED;
}

enum booking_status booking_status_now(const struct kctx *ctx, const struct booking *b) {
  /* RULE: hold lapse. A hold not confirmed by its expiry has lapsed, whether
  ** or not anything has marked it so yet. */
  if (b->status == BOOKING_HELD && b->hold_expires_at && b->hold_expires_at <= ctx->now)
    return BOOKING_LAPSED;
  return b->status;
}

/* The holder: whoever made it, and for a group booking the group's
** representatives (they act for the group, which holds the booking). */
static int is_holder(struct kctx *ctx, const struct booking *b) {
  int64_t me = ctx->actor.account_id;
  if (!me) return 0;
  if (b->account_id == me) return 1;
  return b->group_id && groups_represents(ctx, b->group_id, me);
}

int booking_visible(struct kctx *ctx, const struct booking *b) {
  return desk_is_staff(ctx) || is_holder(ctx, b);
}

/* Load ID for a change by the actor: the holder or staff; anyone else gets
** KERR_NOT_FOUND (a booking they may not see does not exist for them). */
int booking_load_for_change(struct kctx *ctx, int64_t id, struct booking *b,
                            struct kerrinfo *ei) {
  int rc = booking_load(ctx, id, b);
  if (rc == KERR_NOT_FOUND || (rc == 0 && !booking_visible(ctx, b)))
    return kerr_set(ei, KERR_NOT_FOUND, "予約が見つかりません。");
  return rc ? kerr_set(ei, rc, NULL) : 0;
}

/* The end of every booking write (hold, confirm, cancel): with RC 0,
** commit, tell the public feeds (avail_touch) and answer B as JSON in *OUT
** (OUT NULL: a typed caller, B is the answer); with a KERR code RC (a step
** failed), roll back and return it. */
int booking_end_write(struct kctx *ctx, int rc, const struct booking *b, json_t **out,
                      struct kerrinfo *ei) {
  assert(db_in_txn(ctx->db));
  if (rc) {
    db_rollback(ctx->db);
    return kerr_set(ei, rc, NULL);
  }
  if ((rc = db_commit(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  avail_touch();
  if (!out) return 0;
  *out = booking_json(ctx, b);
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}

/* ========================================================== the JSON */

void booking_view_of(struct kctx *ctx, const struct booking *b, struct booking_view *v) {
  char codes[RULES_MAX_SLOTS][24];
  int n = booking_split_slots(b->slots, codes, RULES_MAX_SLOTS);
  const struct rules *r = booking_rules(ctx, b);
  int32_t day = 0;
  memset(v, 0, sizeof *v);
  v->b = *b;
  v->status = booking_status_now(ctx, b);
  v->room = rules_room_by_id(ctx->rb, b->room_id);
  date_parse(b->date, &day);
  if (b->discount_code[0] && r) {
    const struct discount_cat *dc = rules_discount(r, b->discount_code);
    v->discount_name = dc ? dc->name : NULL;
  }
  const struct campaign *cp = r && v->room ? rules_campaign(r, v->room, day) : NULL;
  v->campaign = cp ? cp->name : NULL;
  if (r && n > 0) {
    int first = rules_slot_index(r, codes[0]), last = rules_slot_index(r, codes[n - 1]);
    if (first >= 0 && last >= 0) {
      clock_hhmm(r->slots[first].start, v->start);
      clock_hhmm(r->slots[last].end, v->end);
    }
  }
  /* The cancellation terms, so that a client can say them before the click. */
  if (r && booking_status_active(v->status)) {
    v->has_terms = 1;
    v->free_until = day - r->cancel_deadline_days;
    v->refused_after_deadline = r->cancel_after_deadline_fee < 0;
    if (!v->refused_after_deadline) v->fee_after_deadline = rules_cancel_fee(r, b->fee_total);
  }
}

/* The fee of V as JSON (new reference). */
static json_t *fee_json(const struct booking_view *v) {
  const struct booking *b = &v->b;
  json_t *fee = json_pack("{s:I, s:I, s:I, s:s}", "base", (json_int_t)b->fee_base, "discount",
                          (json_int_t)b->fee_discount, "total", (json_int_t)b->fee_total,
                          "rules_version", b->rules_version);
  if (b->discount_code[0]) {
    json_object_set_new(fee, "discount_code", json_string(b->discount_code));
    if (v->discount_name) json_object_set_new(fee, "discount_name", json_string(v->discount_name));
  }
  if (v->campaign) json_object_set_new(fee, "campaign", json_string(v->campaign));
  return fee;
}

json_t *booking_view_json(const struct booking_view *v) {
  const struct booking *b = &v->b;
  char codes[RULES_MAX_SLOTS][24];
  int n = booking_split_slots(b->slots, codes, RULES_MAX_SLOTS);
  json_t *slots = json_array();
  for (int i = 0; i < n; i++) json_array_append_new(slots, json_string(codes[i]));

  json_t *o = json_pack("{s:I, s:s, s:I, s:s, s:s, s:o, s:s, s:i, s:s, s:o, s:s, s:o}", "id",
                        (json_int_t)b->id, "status", booking_status_name(v->status), "room_id",
                        (json_int_t)b->room_id, "center", b->center, "date", b->date, "slots",
                        slots, "purpose", b->purpose, "attendees", b->attendees, "channel",
                        b->channel, "fee", fee_json(v), "rules_version", b->rules_version,
                        "created_at", clock_instant_json(b->created_at));
  if (!o) return NULL;
  if (v->room) {
    json_object_set_new(o, "center_name", json_string(v->room->center->name));
    json_object_set_new(o, "room_code", json_string(v->room->code));
    json_object_set_new(o, "room_name", json_string(v->room->name));
  }
  if (v->start[0]) {
    json_object_set_new(o, "start", json_string(v->start));
    json_object_set_new(o, "end", json_string(v->end));
  }
  if (b->group_id) {
    json_object_set_new(o, "group_id", ids_json(b->group_id));
    json_object_set_new(o, "group_name", json_string(b->group_name));
  }
  if (b->status == BOOKING_HELD && b->hold_expires_at)
    json_object_set_new(o, "hold_expires_at", clock_instant_json(b->hold_expires_at));
  if (b->confirmed_at) json_object_set_new(o, "confirmed_at", clock_instant_json(b->confirmed_at));
  if (b->imported_note[0]) json_object_set_new(o, "imported", json_string(b->imported_note));
  if (b->cancelled_at) {
    json_object_set_new(o, "cancelled_at", clock_instant_json(b->cancelled_at));
    if (b->cancel_reason[0]) json_object_set_new(o, "cancel_reason", json_string(b->cancel_reason));
    json_object_set_new(o, "cancel_fee", json_integer(b->cancel_fee < 0 ? 0 : b->cancel_fee));
  }
  if (v->has_terms) {
    char last_free[11];
    date_format(v->free_until, last_free);
    json_t *c = json_pack("{s:s, s:s}", "free_until", last_free, "after_deadline",
                          v->refused_after_deadline ? "refused" : "fee");
    if (!v->refused_after_deadline)
      json_object_set_new(c, "fee_after_deadline", json_integer(v->fee_after_deadline));
    json_object_set_new(o, "cancellation", c);
  }
  return o;
}

json_t *booking_json(struct kctx *ctx, const struct booking *b) {
  struct booking_view v;
  booking_view_of(ctx, b, &v);
  return booking_view_json(&v);
}

/* ============================================================ reads */

int booking_read(struct kctx *ctx, int64_t id, struct booking *b, struct kerrinfo *ei) {
  int rc = booking_load_for_change(ctx, id, b, ei);
  if (rc) return rc;
  char target[32];
  snprintf(target, sizeof target, "booking:%lld", (long long)b->id);
  /* A desk reading another person's booking sees the holder's details: audited. */
  if (b->account_id != ctx->actor.account_id &&
      (rc = trail_view(ctx, "booking.view", target, &b->account_id, 1)))
    return kerr_set(ei, rc, NULL);
  return 0;
}

int booking_get(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei) {
  struct booking b;
  *out = NULL;
  int rc = booking_read(ctx, id, &b, ei);
  if (rc) return rc;
  *out = booking_json(ctx, &b);
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}

static int list(struct kctx *ctx, kstmt *st, json_t **out, struct kerrinfo *ei) {
  json_t *arr = json_array();
  struct booking b;
  int rc;
  while ((rc = db_step(st)) == DB_ROW) {
    booking_read_row(st, &b);
    json_array_append_new(arr, booking_json(ctx, &b));
  }
  db_reset(st);
  if (rc != DB_DONE) {
    json_decref(arr);
    return kerr_set(ei, kerr_from_db(rc), NULL);
  }
  *out = json_pack("{s:o}", "bookings", arr);
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}

int booking_list_mine(struct kctx *ctx, json_t **out, struct kerrinfo *ei) {
  return booking_list_mine_since(ctx, 0, out, ei);
}

/* The query of the actor's own and their groups' bookings used on SINCE or
** later, bound, into *ST. 0 or the error in EI. */
static int mine_since(struct kctx *ctx, int32_t since, kstmt **st, struct kerrinfo *ei) {
  char from[11] = "0000-00-00";
  if (!ctx->actor.account_id) return kerr_set(ei, KERR_UNAUTHORIZED, NULL);
  if (since > 0) date_format(since, from);
  /* b.date >= $from in both arms: bookings_account_date and bookings_group_date
  ** (migration 022) read only the period, however long the history. */
  *st = db_prep(ctx->db, "SELECT " BOOKING_COLUMNS BOOKING_FROM
                      " WHERE (b.account_id = $a AND b.date >= $from) OR (b.group_id IN"
                      " (SELECT id FROM groups WHERE representative_id = $a"
                      "  UNION SELECT group_id FROM group_reps WHERE account_id = $a)"
                      " AND b.date >= $from)"
                      " ORDER BY b.date, b.id LIMIT 1000");
  if (!*st) return kerr_set(ei, KERR_INTERNAL, NULL);
  db_bind_int(*st, "$a", ctx->actor.account_id);
  db_bind_text(*st, "$from", from);
  return 0;
}

int booking_list_mine_since(struct kctx *ctx, int32_t since, json_t **out, struct kerrinfo *ei) {
  kstmt *st;
  *out = NULL;
  int rc = mine_since(ctx, since, &st, ei);
  return rc ? rc : list(ctx, st, out, ei);
}

int booking_views_mine_since(struct kctx *ctx, int32_t since, struct booking_view **out, int *n,
                             struct kerrinfo *ei) {
  int rc, cap = 0;
  struct booking b;
  *out = NULL;
  *n = 0;
  kstmt *st;
  if ((rc = mine_since(ctx, since, &st, ei))) return rc;
  while ((rc = db_step(st)) == DB_ROW) {
    if (vec_grow((void **)out, *n, &cap, sizeof **out)) {
      rc = DB_ERROR;
      break;
    }
    booking_read_row(st, &b);
    booking_view_of(ctx, &b, &(*out)[(*n)++]);
  }
  db_reset(st);
  if (rc == DB_DONE) return 0;
  free(*out);
  *out = NULL;
  *n = 0;
  return kerr_set(ei, rc == DB_ERROR ? KERR_INTERNAL : kerr_from_db(rc), NULL);
}

int booking_list_day(struct kctx *ctx, int32_t day, const char *center, json_t **out,
                     struct kerrinfo *ei) {
  char date[11];
  *out = NULL;
  if (!desk_is_staff(ctx)) return kerr_set(ei, KERR_FORBIDDEN, NULL);
  date_format(day, date);
  kstmt *st = db_prep(ctx->db, "SELECT " BOOKING_COLUMNS BOOKING_FROM
                      " WHERE b.date = $date AND ($center IS NULL OR b.center = $center)"
                      " ORDER BY b.center, b.room_id, b.id LIMIT 5000");
  if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
  db_bind_text(st, "$date", date);
  db_bind_text(st, "$center", center && *center ? center : NULL);
  return list(ctx, st, out, ei);
}
