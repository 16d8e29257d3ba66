/*
** core/counter_today.c: today's rooms and slots at a centre with who holds
** them (see counter.h): counter_today_view builds the typed view the
** counter page renders, counter_today_json renders the same view as the
** API's JSON, counter_today is the two together. The desk's actions are
** core/counter.c, the ledger core/counter_ledger.c.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bookable.h"
#include "clock.h"
#include "counter.h"
#include "counter_int.h"
#include "desk.h"
#include "ids.h"
#include "trail.h"
#include "vec.h"

/* ==================================================== loading the day */

/* One row of load_day's query into W (status, money not yet set). */
static void read_row(kstmt *st, struct counter_booking *w) {
  enum { WALKIN_PHONE = BOOKING_NCOLS, CHECKED_IN, NOSHOW, NAME, PHONE, PAID };
  memset(w, 0, sizeof *w);
  booking_read_row(st, &w->b);
  w->walkin = w->b.account_id == 0;
  /* the holder: the walk-in's own name and phone, else the account's */
  snprintf(w->holder_name, sizeof w->holder_name, "%s",
           w->walkin ? w->b.walkin_name : db_col_text(st, NAME));
  snprintf(w->holder_phone, sizeof w->holder_phone, "%s",
           db_col_text(st, w->walkin ? WALKIN_PHONE : PHONE));
  w->checked_in_at = db_col_null(st, CHECKED_IN) ? 0 : db_col_int(st, CHECKED_IN);
  w->noshow_at = db_col_null(st, NOSHOW) ? 0 : db_col_int(st, NOSHOW);
  w->paid = db_col_int(st, PAID);
}

/* Today's bookings at a centre into V: every column the screen shows, their
** status now and what they owe. */
static int load_day(struct kctx *ctx, const char *center, const char *date,
                    struct counter_view *v) {
  int cap = 0, rc;
  kstmt *st = db_prep(ctx->db,
                      "SELECT " BOOKING_COLUMNS ", b.walkin_phone, b.checked_in_at, b.noshow_at,"
                      " a.name, a.phone, (SELECT coalesce(sum(p.amount), 0) FROM payments p"
                      "  WHERE p.booking_id = b.id)" BOOKING_FROM
                      " LEFT JOIN accounts a ON a.id = b.account_id"
                      " WHERE b.date = $date AND b.center = $center ORDER BY b.room_id, b.id");
  if (!st) return KERR_INTERNAL;
  db_bind_text(st, "$date", date);
  db_bind_text(st, "$center", center);
  while ((rc = db_step(st)) == DB_ROW) {
    if (vec_grow((void **)&v->bookings, v->nbookings, &cap, sizeof *v->bookings)) {
      db_reset(st);
      return KERR_INTERNAL;
    }
    struct counter_booking *w = &v->bookings[v->nbookings++];
    read_row(st, w);
    w->status = booking_status_now(ctx, &w->b);
    w->due = payment_due(ctx, &w->b);
  }
  db_reset(st);
  return rc == DB_DONE ? 0 : kerr_from_db(rc);
}

/* Which booking holds (ROOM, SLOT) today. */
struct occupant {
  int64_t room_id, booking_id;
  char slot[24];
};

static int load_occupants(struct kctx *ctx, const char *center, const char *date,
                          struct occupant **occ, int *n) {
  int cap = 0, rc;
  *occ = NULL;
  *n = 0;
  /* A lapsed hold is free from its expiry on, whatever its stored status. */
  kstmt *st = db_prep(ctx->db,
                      "SELECT bs.room_id, bs.slot, bs.booking_id FROM booking_slots bs"
                      " JOIN bookings b ON b.id = bs.booking_id"
                      " WHERE bs.date = $date AND b.center = $center AND bs.active = 1"
                      " AND (bs.hold_expires_at IS NULL OR bs.hold_expires_at > $now)");
  if (!st) return KERR_INTERNAL;
  db_bind_text(st, "$date", date);
  db_bind_text(st, "$center", center);
  db_bind_int(st, "$now", ctx->now);
  while ((rc = db_step(st)) == DB_ROW) {
    if (vec_grow((void **)occ, *n, &cap, sizeof **occ)) {
      db_reset(st);
      return KERR_INTERNAL;
    }
    struct occupant *o = &(*occ)[(*n)++];
    o->room_id = db_col_int(st, 0);
    snprintf(o->slot, sizeof o->slot, "%s", db_col_text(st, 1));
    o->booking_id = db_col_int(st, 2);
  }
  db_reset(st);
  return rc == DB_DONE ? 0 : kerr_from_db(rc);
}

/* The audit trail's record of a desk looking at the holders of V's bookings
** (one row, and one per holder with an account, for their disclosure). */
static int audit_view(struct kctx *ctx, const char *action, const struct counter_view *v) {
  char target[48];
  int64_t *who = calloc(v->nbookings > 0 ? (size_t)v->nbookings : 1, sizeof *who);
  if (!who) return KERR_INTERNAL;
  for (int i = 0; i < v->nbookings; i++) who[i] = v->bookings[i].b.account_id;
  snprintf(target, sizeof target, "center:%s", v->center->code);
  int rc = trail_view(ctx, action, target, who, v->nbookings);
  free(who);
  return rc;
}

/* The booking of V holding (ROOM, SLOT) by OCC: its index, or -1. */
static int occupant_of(const struct counter_view *v, const struct occupant *occ, int nocc,
                       int64_t room_id, const char *slot) {
  for (int k = 0; k < nocc; k++) {
    if (occ[k].room_id != room_id || strcmp(occ[k].slot, slot) != 0) continue;
    for (int i = 0; i < v->nbookings; i++)
      if (v->bookings[i].b.id == occ[k].booking_id && v->bookings[i].holds_slot) return i;
    return -1;
  }
  return -1;
}

/* Each room's cells of today into V (its bookings loaded). */
static int fill_rooms(struct kctx *ctx, struct counter_view *v, int32_t today,
                      const struct occupant *occ, int nocc) {
  const struct center *ce = v->center;
  const struct rules *r = v->rules;
  v->rooms = calloc(ce->nrooms > 0 ? (size_t)ce->nrooms : 1, sizeof *v->rooms);
  if (!v->rooms) return KERR_INTERNAL;
  v->nrooms = ce->nrooms;
  for (int i = 0; i < ce->nrooms; i++) {
    const struct room *ro = &ce->rooms[i];
    const struct campaign *cp = rules_campaign(r, ro, today);
    v->rooms[i].room = ro;
    for (int s = 0; s < r->nslots; s++) {
      struct counter_cell *c = &v->rooms[i].cells[s];
      c->booking = occupant_of(v, occ, nocc, ro->id, r->slots[s].code);
      if (c->booking >= 0) {
        c->state = v->bookings[c->booking].status == BOOKING_HELD ? CELL_HELD : CELL_BOOKED;
      } else if (v->closed) {
        c->state = CELL_CLOSED;
      } else {
        struct bookable why;
        int yen = cp ? 0 : rules_fee(r, ro->fee_class, s);
        c->state = CELL_FREE;
        c->walkin_answer = bookable_check(ctx, BK_WALKIN, ro, today, s, &why);
        c->walkin_open = c->walkin_answer == BK_OPEN;
        c->walkin_fee = yen < 0 ? 0 : yen;
        c->campaign = cp ? cp->name : NULL;
      }
    }
  }
  return 0;
}

int counter_today_view(struct kctx *ctx, const char *center, struct counter_view *v,
                       struct kerrinfo *ei) {
  struct occupant *occ = NULL;
  int nocc = 0, rc;
  memset(v, 0, sizeof *v);
  if (!desk_is_staff(ctx)) return desk_forbidden(ei);
  if ((rc = counter_resolve_center(ctx, center, &v->center, ei))) return rc;
  int32_t today = clock_today(ctx->now);
  v->rules = rules_in_force(ctx->rb, today);
  if (!v->rules) return kerr_set(ei, KERR_NOT_FOUND, "今日の規則がありません。");
  date_format(today, v->date);
  clock_format_instant(ctx->now, v->generated_at);
  const struct rules *now = rules_current(ctx->rb, ctx->now);
  rules_counter_hours_text(now, v->hours, sizeof v->hours);
  v->counter_open = rules_counter_open(now, ctx->now);
  char why[256] = "";
  v->closed = bookable_closed(ctx, v->center->code, NULL, today, why, sizeof why);
  if (v->closed) snprintf(v->closed_reason, sizeof v->closed_reason, "%s", why[0] ? why : "休館日");

  if ((rc = load_day(ctx, v->center->code, v->date, v)) ||
      (rc = load_occupants(ctx, v->center->code, v->date, &occ, &nocc)) ||
      (rc = audit_view(ctx, "counter.today.view", v))) {
    free(occ);
    return kerr_set(ei, rc, NULL);
  }
  for (int i = 0; i < v->nbookings; i++)
    for (int k = 0; k < nocc && !v->bookings[i].holds_slot; k++)
      v->bookings[i].holds_slot = occ[k].booking_id == v->bookings[i].b.id;
  rc = fill_rooms(ctx, v, today, occ, nocc);
  free(occ);
  return rc ? kerr_set(ei, rc, NULL) : 0;
}

void counter_view_free(struct counter_view *v) {
  free(v->rooms);
  free(v->bookings);
  v->rooms = NULL;
  v->bookings = NULL;
  v->nrooms = v->nbookings = 0;
}

/* ======================================================== as JSON */

/* The holder of W (new reference). */
static json_t *holder_json(const struct counter_booking *w) {
  const struct booking *b = &w->b;
  json_t *h = json_object();
  if (w->walkin) {
    json_object_set_new(h, "kind", json_string("walkin"));
    json_object_set_new(h, "name", json_string(w->holder_name));
    json_object_set_new(h, "phone", json_string(w->holder_phone));
    return h;
  }
  json_object_set_new(h, "kind", json_string(b->group_id ? "group" : "citizen"));
  json_object_set_new(h, "name", json_string(w->holder_name));
  json_object_set_new(h, "phone", w->holder_phone[0] ? json_string(w->holder_phone) : json_null());
  json_object_set_new(h, "system_id", ids_json(b->account_id));
  if (b->group_id) {
    json_object_set_new(h, "group_id", ids_json(b->group_id));
    json_object_set_new(h, "group_name", json_string(b->group_name));
  }
  return h;
}

/* A booking on the counter screen (new reference). */
static json_t *counter_booking_json(const struct counter_booking *w) {
  const struct booking *b = &w->b;
  int64_t out = w->due - w->paid;
  json_t *o = json_pack("{s:I, s:s, s:s, s:b, s:o, s:s, s:i, s:o, s:I, s:I, s:I, s:I, s:b, s:b}",
                        "id", (json_int_t)b->id, "status", booking_status_name(w->status),
                        "channel", b->channel, "walkin", w->walkin, "holder", holder_json(w),
                        "purpose", b->purpose, "attendees", b->attendees, "slots",
                        counter_slots_array(b->slots), "fee_total", (json_int_t)b->fee_total,
                        "due", (json_int_t)w->due, "paid", (json_int_t)w->paid, "outstanding",
                        (json_int_t)out, "paid_in_full", out <= 0, "checked_in",
                        w->checked_in_at != 0);
  if (!o) return NULL;
  json_object_set_new(o, "room_id", json_integer(b->room_id));
  if (w->checked_in_at) json_object_set_new(o, "checked_in_at", clock_instant_json(w->checked_in_at));
  if (w->noshow_at) json_object_set_new(o, "noshow_at", clock_instant_json(w->noshow_at));
  if (b->cancelled_at) {
    json_object_set_new(o, "cancelled_at", clock_instant_json(b->cancelled_at));
    if (b->cancel_reason[0]) json_object_set_new(o, "cancel_reason", json_string(b->cancel_reason));
  }
  return o;
}

/* Room RM's slots (new reference); BKS: the bookings as JSON, shared. */
static json_t *cells_json(const struct counter_view *v, const struct counter_room *rm,
                          json_t *bks) {
  static const char *const states[] = {"free", "held", "booked", "closed"};
  json_t *slots = json_array();
  for (int s = 0; slots && s < v->rules->nslots; s++) {
    char a[8], z[8];
    const struct slotdef *sd = &v->rules->slots[s];
    const struct counter_cell *c = &rm->cells[s];
    clock_hhmm(sd->start, a);
    clock_hhmm(sd->end, z);
    json_t *cell = json_pack("{s:s, s:s, s:s, s:s, s:s}", "code", sd->code, "label", sd->label,
                             "start", a, "end", z, "state", states[c->state]);
    if (c->booking >= 0) {
      json_object_set(cell, "booking", json_array_get(bks, (size_t)c->booking));
    } else if (c->state == CELL_FREE) {
      json_object_set_new(cell, "walkin_open", json_boolean(c->walkin_open));
      json_object_set_new(cell, "walkin_fee", json_integer(c->walkin_fee));
      if (c->campaign) json_object_set_new(cell, "campaign", json_string(c->campaign));
    }
    json_array_append_new(slots, cell);
  }
  return slots;
}

json_t *counter_today_json(const struct counter_view *v) {
  json_t *all = json_array(), *others = json_array(), *rooms = json_array();
  for (int i = 0; all && others && i < v->nbookings; i++) {
    json_t *j = counter_booking_json(&v->bookings[i]);
    if (!j) {
      json_decref(all), json_decref(others), json_decref(rooms);
      return NULL;
    }
    json_array_append_new(all, j);
    if (!v->bookings[i].holds_slot) json_array_append(others, j);
  }
  for (int i = 0; rooms && i < v->nrooms; i++) {
    const struct room *ro = v->rooms[i].room;
    json_array_append_new(rooms, json_pack("{s:I, s:s, s:s, s:s, s:i, s:o}", "id",
                                           (json_int_t)ro->id, "code", ro->code, "name",
                                           ro->name, "kind", ro->kind, "capacity",
                                           ro->capacity, "slots", cells_json(v, &v->rooms[i], all)));
  }
  json_t *o = json_pack("{s:s, s:s, s:{s:s, s:s}, s:b, s:{s:b, s:s}, s:o, s:o, s:o}", "date",
                        v->date, "generated_at", v->generated_at, "center", "code",
                        v->center->code, "name", v->center->name, "closed", v->closed,
                        "counter", "open", v->counter_open, "hours", v->hours, "rooms", rooms,
                        "bookings", all, "others", others);
  if (o && v->closed) json_object_set_new(o, "closed_reason", json_string(v->closed_reason));
  return o;
}

int counter_today(struct kctx *ctx, const char *center, json_t **out, struct kerrinfo *ei) {
  struct counter_view v;
  *out = NULL;
  int rc = counter_today_view(ctx, center, &v, ei);
  if (!rc && !(*out = counter_today_json(&v))) rc = kerr_set(ei, KERR_INTERNAL, NULL);
  counter_view_free(&v);
  return rc;
}
