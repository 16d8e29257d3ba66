/*
** core/counter.c: the counter desk (see counter.h): counter hours, today's
** rooms with their holders, walk-ins, acting for citizens, check-in,
** no-show, and the daily ledger.
**
** New bookings go through booking_create_for() in core/bookings.c, so a
** walk-in gets exactly the checks and the one no-double-booking transaction
** of an online booking; the walk-in's own writes (confirmed at once, name
** and phone, the payment) run inside that transaction through its THEN
** callback. Check-in and no-show are this file's own short transactions on
** the bookings row. The daily ledger is core/counter_ledger.c.
*/
#include "counter.h"
#include "counter_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "audit.h"
#include "trail.h"
#include "availability.h"
#include "bookings.h"
#include "bookable.h"
#include "clock.h"
#include "csv.h"
#include "desk.h"
#include "ids.h"
#include "input.h"
#include "payments.h"
#include "text.h"
#include "throttle.h"

#define NAME_MAX_CHARS 50
#define WALKIN_PURPOSE "当日利用"

/* ============================================================ helpers */

/* The first and last slot of "morning,afternoon" under R: indexes, -1 if none. */
static void slot_span(const struct rules *r, const char *slots, int *first, int *last) {
  char code[24];
  *first = *last = -1;
  while (r && *slots) {
    const char *e = strchr(slots, ',');
    size_t len = e ? (size_t)(e - slots) : strlen(slots);
    if (len >= sizeof code) len = sizeof code - 1;
    memcpy(code, slots, len);
    code[len] = 0;
    int k = rules_slot_index(r, code);
    if (k >= 0) {
      if (*first < 0 || k < *first) *first = k;
      if (k > *last) *last = k;
    }
    if (!e) break;
    slots = e + 1;
  }
}

json_t *counter_slots_array(const char *slots) {
  json_t *a = json_array();
  char code[24];
  while (a && *slots) {
    const char *e = strchr(slots, ',');
    size_t len = e ? (size_t)(e - slots) : strlen(slots);
    if (len >= sizeof code) len = sizeof code - 1;
    memcpy(code, slots, len);
    code[len] = 0;
    json_array_append_new(a, json_string(code));
    if (!e) break;
    slots = e + 1;
  }
  return a;
}

/* CODE, or the actor's home centre when CODE is NULL or "". */
int counter_resolve_center(struct kctx *ctx, const char *code, const struct center **out,
                           struct kerrinfo *ei) {
  if (!code || !*code) code = ctx->actor.home_center;
  if (!code || !*code) {
    kerr_field(ei, "center", "公民館を選んでください（center に公民館のコードを指定します）。");
    return KERR_VALIDATION;
  }
  *out = rules_center(ctx->rb, code);
  if (!*out) return kerr_set(ei, KERR_NOT_FOUND, "公民館「%.*s」は見つかりません。",
                                    (int)text_utf8_prefix(code, 40), code);
  return 0;
}

/* The usage-log event ACTION about B, at the counter. Never a name or phone:
** the subject is the holder's (or group's) pseudonym, none for a walk-in. */
static int counter_event(struct kctx *ctx, const char *action, const struct booking *b) {
  char detail[64];
  snprintf(detail, sizeof detail, "{\"booking_id\":%lld}", (long long)b->id);
  struct audit_fields f = {AUDIT_OF_BOOKING(b), .subject_account = b->account_id,
                           .detail_json = detail};
  struct kctx c = *ctx;
  c.channel = "counter";
  return audit_event(&c, action, &f);
}

/* Room for one more element of SIZE bytes in *ARR, which holds N of *CAP
** (doubling, from 32). 0, or -1 when out of memory (*ARR unchanged). */
static int grow(void **arr, int n, int *cap, size_t size) {
  if (n < *cap) return 0;
  int c = *cap ? *cap * 2 : 32;
  void *p = realloc(*arr, (size_t)c * size);
  if (!p) return -1;
  *arr = p;
  *cap = c;
  return 0;
}

/* ============================================ today: the counter screen */

/* One booking of the day, as the counter sees it. */
struct row {
  struct booking b;           /* the fields payment_due and the status need */
  char walkin_phone[64];
  char holder_name[256];
  char holder_phone[64];
  int64_t checked_in_at, noshow_at, paid;
};

/* Today's bookings at a centre: every column the screen shows. */
static int load_day(struct kctx *ctx, const char *center, const char *date, struct row **rows,
                    int *nrows) {
  int cap = 0, rc;
  *rows = NULL;
  *nrows = 0;
  kstmt *st = db_prep(ctx->db,
                      "SELECT b.id, b.account_id, b.group_id, b.room_id, b.slots, b.status,"
                      " b.channel, b.purpose, b.attendees, b.fee_total, b.cancel_fee,"
                      " b.hold_expires_at, b.walkin_name, b.walkin_phone, b.checked_in_at,"
                      " b.noshow_at, a.name, a.phone, g.name, b.rules_version, b.date,"
                      " (SELECT coalesce(sum(p.amount), 0) FROM payments p"
                      "  WHERE p.booking_id = b.id), b.center, b.cancelled_at, b.cancel_reason"
                      " FROM bookings b LEFT JOIN accounts a ON a.id = b.account_id"
                      " LEFT JOIN groups g ON g.id = b.group_id"
                      " WHERE b.date = $date AND b.center = $center ORDER BY b.room_id, b.id");
  if (!st) return KERR_INTERNAL;
  db_bind_text(st, "$date", date);
  db_bind_text(st, "$center", center);
  while ((rc = db_step(st)) == DB_ROW) {
    void *grown = *rows;
    if (grow(&grown, *nrows, &cap, sizeof **rows)) {
      db_reset(st);
      return KERR_INTERNAL;
    }
    *rows = grown;
    struct row *w = &(*rows)[(*nrows)++];
    memset(w, 0, sizeof *w);
    struct booking *b = &w->b;
    b->id = db_col_int(st, 0);
    b->account_id = db_col_null(st, 1) ? 0 : db_col_int(st, 1);
    b->group_id = db_col_null(st, 2) ? 0 : db_col_int(st, 2);
    b->room_id = db_col_int(st, 3);
    snprintf(b->slots, sizeof b->slots, "%s", db_col_text(st, 4));
    b->status = booking_status_parse(db_col_text(st, 5));
    snprintf(b->channel, sizeof b->channel, "%s", db_col_text(st, 6));
    snprintf(b->purpose, sizeof b->purpose, "%s", db_col_text(st, 7));
    b->attendees = (int)db_col_int(st, 8);
    b->fee_total = db_col_int(st, 9);
    b->cancel_fee = db_col_null(st, 10) ? -1 : db_col_int(st, 10);
    b->hold_expires_at = db_col_null(st, 11) ? 0 : db_col_int(st, 11);
    snprintf(b->walkin_name, sizeof b->walkin_name, "%s", db_col_text(st, 12));
    snprintf(w->walkin_phone, sizeof w->walkin_phone, "%s", db_col_text(st, 13));
    w->checked_in_at = db_col_null(st, 14) ? 0 : db_col_int(st, 14);
    w->noshow_at = db_col_null(st, 15) ? 0 : db_col_int(st, 15);
    snprintf(w->holder_name, sizeof w->holder_name, "%s", db_col_text(st, 16));
    snprintf(w->holder_phone, sizeof w->holder_phone, "%s", db_col_text(st, 17));
    snprintf(b->group_name, sizeof b->group_name, "%s", db_col_text(st, 18));
    snprintf(b->rules_version, sizeof b->rules_version, "%s", db_col_text(st, 19));
    snprintf(b->date, sizeof b->date, "%s", db_col_text(st, 20));
    w->paid = db_col_int(st, 21);
    snprintf(b->center, sizeof b->center, "%s", db_col_text(st, 22));
    b->cancelled_at = db_col_null(st, 23) ? 0 : db_col_int(st, 23);
    snprintf(b->cancel_reason, sizeof b->cancel_reason, "%s", db_col_text(st, 24));
  }
  db_reset(st);
  return rc == DB_DONE ? 0 : kerr_from_db(rc);
}

/* A booking on the counter screen (new reference). */
static json_t *row_json(struct kctx *ctx, const struct row *w) {
  const struct booking *b = &w->b;
  int walkin = b->account_id == 0;
  int64_t due = payment_due(ctx, b);
  json_t *holder = json_object();
  if (walkin) {
    json_object_set_new(holder, "kind", json_string("walkin"));
    json_object_set_new(holder, "name", json_string(b->walkin_name));
    json_object_set_new(holder, "phone", json_string(w->walkin_phone));
  } else {
    json_object_set_new(holder, "kind", json_string(b->group_id ? "group" : "citizen"));
    json_object_set_new(holder, "name", json_string(w->holder_name));
    json_object_set_new(holder, "phone", w->holder_phone[0] ? json_string(w->holder_phone)
                                                            : json_null());
    json_object_set_new(holder, "system_id", ids_json(b->account_id));
    if (b->group_id) {
      json_object_set_new(holder, "group_id", ids_json(b->group_id));
      json_object_set_new(holder, "group_name", json_string(b->group_name));
    }
  }
  json_t *o = json_pack("{s:I, s:s, s:s, s:b, s:o, s:s, s:i, s:o, s:I, s:I, s:I, s:I, s:b, s:b}",
                        "id", (json_int_t)b->id, "status", booking_status_name(booking_status_now(ctx, b)),
                        "channel", b->channel, "walkin", walkin, "holder", holder, "purpose",
                        b->purpose, "attendees", b->attendees, "slots", counter_slots_array(b->slots),
                        "fee_total", (json_int_t)b->fee_total, "due", (json_int_t)due, "paid",
                        (json_int_t)w->paid, "outstanding", (json_int_t)(due - w->paid),
                        "paid_in_full", due - w->paid <= 0, "checked_in", w->checked_in_at != 0);
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

/* Which booking holds (ROOM, SLOT) today: 0 when free. */
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
    void *grown = *occ;
    if (grow(&grown, *n, &cap, sizeof **occ)) {
      db_reset(st);
      return KERR_INTERNAL;
    }
    *occ = grown;
    struct occupant *o = &(*occ)[(*n)++];
    o->room_id = db_col_int(st, 0);
    snprintf(o->slot, sizeof o->slot, "%s", db_col_text(st, 1));
    o->booking_id = db_col_int(st, 2);
  }
  db_reset(st);
  return rc == DB_DONE ? 0 : kerr_from_db(rc);
}

/* The audit trail's record of a desk looking at the holders of ROWS at
** CENTER (one row, and one per holder with an account, for their disclosure). */
static int audit_view(struct kctx *ctx, const char *action, const char *center,
                      const struct row *rows, int nrows) {
  char target[48];
  int64_t *who = calloc(nrows > 0 ? (size_t)nrows : 1, sizeof *who);
  if (!who) return KERR_INTERNAL;
  for (int i = 0; i < nrows; i++) who[i] = rows[i].b.account_id;
  snprintf(target, sizeof target, "center:%s", center);
  int rc = trail_view(ctx, action, target, who, nrows);
  free(who);
  return rc;
}

int counter_today(struct kctx *ctx, const char *center, json_t **out, struct kerrinfo *ei) {
  const struct center *ce = NULL;
  struct row *rows = NULL;
  struct occupant *occ = NULL;
  int nrows = 0, nocc = 0, rc;
  char date[11], gen[26], hours[256];
  json_t *rooms = NULL, *others = NULL, *all = NULL, *by_id = NULL;
  *out = NULL;
  if (!desk_is_staff(ctx)) return desk_forbidden(ei);
  if ((rc = counter_resolve_center(ctx, center, &ce, ei))) return rc;

  int32_t today = clock_today(ctx->now);
  const struct rules *r = rules_in_force(ctx->rb, today);
  if (!r) return kerr_set(ei, KERR_NOT_FOUND, "今日の規則がありません。");
  date_format(today, date);
  clock_format_instant(ctx->now, gen);
  desk_hours_text(rules_current(ctx->rb, ctx->now), hours, sizeof hours);
  char why[256] = "";
  int closed = bookable_closed(ctx, ce->code, NULL, today, why, sizeof why);

  if ((rc = load_day(ctx, ce->code, date, &rows, &nrows)) ||
      (rc = load_occupants(ctx, ce->code, date, &occ, &nocc)) ||
      (rc = audit_view(ctx, "counter.today.view", ce->code, rows, nrows))) {
    kerr_set(ei, rc, NULL);
    goto done;
  }
  by_id = json_object();
  others = json_array();
  all = json_array();
  for (int i = 0; i < nrows; i++) {
    char key[24];
    int holds_slot = 0;
    snprintf(key, sizeof key, "%lld", (long long)rows[i].b.id);
    for (int k = 0; k < nocc && !holds_slot; k++) holds_slot = occ[k].booking_id == rows[i].b.id;
    json_t *j = row_json(ctx, &rows[i]);
    if (!j) {
      rc = kerr_set(ei, KERR_INTERNAL, NULL);
      goto done;
    }
    json_array_append(all, j);
    if (holds_slot) json_object_set_new(by_id, key, j);
    else json_array_append_new(others, j);
  }

  rooms = json_array();
  for (int i = 0; i < ce->nrooms; i++) {
    const struct room *ro = &ce->rooms[i];
    const struct campaign *cp = rules_campaign(r, ro, today);
    json_t *slots = json_array();
    for (int s = 0; s < r->nslots; s++) {
      char a[8], z[8];
      const struct slotdef *sd = &r->slots[s];
      clock_hhmm(sd->start, a);
      clock_hhmm(sd->end, z);
      json_t *cell = json_pack("{s:s, s:s, s:s, s:s}", "code", sd->code, "label", sd->label,
                               "start", a, "end", z);
      json_t *bk = NULL;
      for (int k = 0; k < nocc && !bk; k++) {
        char key[24];
        if (occ[k].room_id != ro->id || strcmp(occ[k].slot, sd->code) != 0) continue;
        snprintf(key, sizeof key, "%lld", (long long)occ[k].booking_id);
        bk = json_object_get(by_id, key);
      }
      if (bk) {
        enum booking_status st = booking_status_parse(json_string_value(json_object_get(bk, "status")));
        json_object_set_new(cell, "state", json_string(st == BOOKING_HELD ? "held" : "booked"));
        json_object_set(cell, "booking", bk);
      } else if (closed) {
        json_object_set_new(cell, "state", json_string("closed"));
      } else {
        struct bookable bk_why;
        int yen = cp ? 0 : rules_fee(r, ro->fee_class, s);
        json_object_set_new(cell, "state", json_string("free"));
        json_object_set_new(cell, "walkin_open",
                            json_boolean(bookable_check(ctx, BK_WALKIN, ro, today, s, &bk_why) ==
                                         BK_OPEN));
        json_object_set_new(cell, "walkin_fee", json_integer(yen < 0 ? 0 : yen));
        if (cp) json_object_set_new(cell, "campaign", json_string(cp->name));
      }
      json_array_append_new(slots, cell);
    }
    json_array_append_new(rooms, json_pack("{s:I, s:s, s:s, s:s, s:i, s:o}", "id",
                                           (json_int_t)ro->id, "code", ro->code, "name",
                                           ro->name, "kind", ro->kind, "capacity",
                                           ro->capacity, "slots", slots));
  }

  *out = json_pack("{s:s, s:s, s:{s:s, s:s}, s:b, s:{s:b, s:s}, s:o, s:o, s:o}", "date", date,
                   "generated_at", gen, "center", "code", ce->code, "name", ce->name, "closed",
                   closed, "counter", "open", rules_counter_open(rules_current(ctx->rb, ctx->now), ctx->now),
                   "hours", hours, "rooms", rooms, "bookings", all, "others", others);
  rooms = others = all = NULL;
  if (!*out) {
    rc = kerr_set(ei, KERR_INTERNAL, NULL);
    goto done;
  }
  if (closed) json_object_set_new(*out, "closed_reason", json_string(why[0] ? why : "休館日"));
  rc = 0;
done:
  json_decref(rooms);
  json_decref(others);
  json_decref(all);
  json_decref(by_id);
  free(rows);
  free(occ);
  return rc;
}

/* ============================================================ walk-in */

struct walkin {
  char name[256];
  char phone[64];
  char method[16];
  char receipt[PAYMENT_RECEIPT_MAX];
};

/* Inside the booking's transaction: the walk-in is in use today, so it is
** confirmed at once (no hold to lapse); its name and phone are kept on the
** booking (staff screens only); the payment, when a method was given, is
** recorded with it. */
static int walkin_then(struct kctx *ctx, int64_t id, void *arg, struct kerrinfo *ei) {
  struct walkin *wk = arg;
  int rc;
  if ((rc = db_run(ctx->db,
                   "UPDATE bookings SET status = 'confirmed', confirmed_at = $now,"
                   " confirmed_by = $by, hold_expires_at = NULL, walkin_name = $name,"
                   " walkin_phone = $phone WHERE id = $id AND status = 'held'",
                   DB_I("$now", ctx->now), DB_I("$by", ctx->actor.account_id),
                   DB_T("$name", wk->name), DB_T("$phone", wk->phone), DB_I("$id", id))) != DB_OK ||
      (rc = db_run(ctx->db, "UPDATE booking_slots SET hold_expires_at = NULL"
                            " WHERE booking_id = $id",
                   DB_I("$id", id))) != DB_OK)
    return kerr_set(ei, kerr_from_db(rc), NULL);
  if (!wk->method[0]) return 0;
  struct booking b;
  if ((rc = booking_load(ctx, id, &b))) return kerr_set(ei, rc, NULL);
  /* free of charge (a campaign day): nothing to take */
  return b.fee_total > 0 ? payment_add(ctx, &b, wk->method, b.fee_total, wk->receipt, ei) : 0;
}

/* Money added to a booking reply OUT for the counter. */
static void add_money(struct kctx *ctx, json_t *out) {
  struct booking b;
  int64_t id = (int64_t)json_integer_value(json_object_get(out, "id"));
  if (id && booking_load(ctx, id, &b) == 0) payment_money_json(ctx, &b, out);
}

int counter_walkin(struct kctx *ctx, const json_t *body, json_t **out, struct kerrinfo *ei) {
  struct walkin wk;
  char date[16], today_s[11];
  int bad = 0, rc;
  const char *m;
  *out = NULL;
  memset(&wk, 0, sizeof wk);
  if (!desk_is_staff(ctx)) return desk_forbidden(ei);
  if ((rc = desk_check_open(ctx, ei))) return rc;

  int32_t today = clock_today(ctx->now), day;
  date_format(today, today_s);

  /* The walk-in's own fields; the booking's (room, slots, attendees,
  ** purpose) are checked by the booking engine. */
  rc = input_text(body, "name", wk.name, sizeof wk.name);
  if (rc == INPUT_MISSING) {
    kerr_field(ei, "name", "利用される方のお名前を入力してください。");
    bad = 1;
  } else if (rc != INPUT_OK || text_utf8_len(wk.name) > NAME_MAX_CHARS ||
             text_has_control(wk.name)) {
    kerr_field(ei, "name", "お名前は50文字以内で入力してください。");
    bad = 1;
  }
  rc = input_text(body, "phone", wk.phone, sizeof wk.phone);
  if (rc == INPUT_OK) text_fold_phone(wk.phone); /* ０２７ー… */
  if (rc == INPUT_MISSING) {
    kerr_field(ei, "phone", "連絡先の電話番号を入力してください。");
    bad = 1;
  } else if (rc != INPUT_OK) {
    kerr_field(ei, "phone", "電話番号は半角の数字とハイフン（-）で入力してください。");
    bad = 1;
  } else if ((m = accounts_check_phone(wk.phone))) {
    kerr_field(ei, "phone", m);
    bad = 1;
  }
  rc = input_text(body, "payment_method", wk.method, sizeof wk.method);
  if (rc == INPUT_BAD || (rc == INPUT_OK && !payment_method_valid(wk.method))) {
    kerr_field(ei, "payment_method",
               "支払方法は cash（現金）、qr（QRコード決済）、card（クレジットカード）、"
               "ic（電子マネー）のどれかです。後で支払う場合は空欄にしてください。");
    bad = 1;
  }
  rc = input_text(body, "date", date, sizeof date);
  if (rc == INPUT_BAD || (rc == INPUT_OK && (date_parse(date, &day) != 0 || day != today))) {
    char d[48], msg[160];
    clock_jdate(today, d, sizeof d);
    snprintf(msg, sizeof msg, "窓口の当日利用は今日（%s）の分だけ受け付けます。", d);
    kerr_field(ei, "date", msg);
    bad = 1;
  }
  json_t *g = json_object_get(body, "group_id");
  if (g && !json_is_null(g) && !(json_is_string(g) && !*json_string_value(g))) {
    kerr_field(ei, "group_id",
               "当日利用（登録なし）は個人の受付です。団体の予約は団体の代表者の利用者IDで行ってください。");
    bad = 1;
  }
  /* Every error at once (issue 13 point 12): the booking's own fields that are
  ** simply missing are reported with the walk-in's, not one post later. */
  const json_t *sl = json_object_get(body, "slots"), *room = json_object_get(body, "room_id");
  if (bad && (!sl || (json_is_array(sl) && !json_array_size(sl)) ||
              (json_is_string(sl) && !*json_string_value(sl))))
    kerr_field(ei, "slots", "時間帯を1つ以上選んでください。");
  if (bad && (!room || (json_is_string(room) && !*json_string_value(room))))
    kerr_field(ei, "room_id", "部屋を選んでください。");
  if (bad) return KERR_VALIDATION;

  /* RULE: same-day walk-in (same_day.counter, or a campaign day's free room):
  ** core/bookable.c decides, as the booking's channel BK_WALKIN. */
  json_t *req = json_deep_copy(body);
  if (!req) return kerr_set(ei, KERR_INTERNAL, NULL);
  json_object_set_new(req, "date", json_string(today_s));
  json_object_del(req, "group_id");
  /* attendees and purpose may be left out at the counter (CONTRACT.md) */
  long long n;
  char probe[8];
  if (input_int(body, "attendees", 0, 0, &n) == INPUT_MISSING)
    json_object_set_new(req, "attendees", json_integer(1));
  if (input_text(body, "purpose", probe, sizeof probe) == INPUT_MISSING)
    json_object_set_new(req, "purpose", json_string(WALKIN_PURPOSE));

  struct kctx c = *ctx;
  c.channel = "counter";
  struct booking_for f = {.holder = 0,
                          .then = walkin_then,
                          .arg = &wk,
                          .event = "counter.walkin",
                          .walkin = 1};
  rc = booking_create_for(&c, req, NULL, &f, out, NULL, ei);
  json_decref(req);
  if (rc) return rc;
  json_object_set_new(*out, "walkin", json_true());
  json_object_set_new(*out, "holder", json_pack("{s:s, s:s, s:s}", "kind", "walkin", "name",
                                                wk.name, "phone", wk.phone));
  add_money(&c, *out);
  return 0;
}

/* ================================================= check-in, no-show */

static int load_desk(struct kctx *ctx, int64_t id, struct booking *b, struct kerrinfo *ei) {
  int rc = booking_load(ctx, id, b);
  if (rc == KERR_NOT_FOUND) return kerr_set(ei, rc, "予約が見つかりません（予約番号を確かめてください）。");
  return rc ? kerr_set(ei, rc, NULL) : 0;
}

/* The booking reply with the counter's extra facts. */
static int reply_booking(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei) {
  struct booking b;
  int rc = load_desk(ctx, id, &b, ei);
  if (rc) return rc;
  *out = booking_json(ctx, &b);
  if (!*out) return kerr_set(ei, KERR_INTERNAL, NULL);
  kstmt *st = db_prep(ctx->db, "SELECT checked_in_at, noshow_at FROM bookings WHERE id = $id");
  if (st) {
    db_bind_int(st, "$id", id);
    if (db_step(st) == DB_ROW) {
      if (!db_col_null(st, 0))
        json_object_set_new(*out, "checked_in_at", clock_instant_json(db_col_int(st, 0)));
      if (!db_col_null(st, 1))
        json_object_set_new(*out, "noshow_at", clock_instant_json(db_col_int(st, 1)));
    }
    db_reset(st);
  }
  add_money(ctx, *out);
  return 0;
}

static const char *status_words(enum booking_status s) {
  switch (s) {
  case BOOKING_HELD: return "仮予約のまま（先に確定してください）";
  case BOOKING_CANCELLED: return "取り消し済み";
  case BOOKING_LAPSED: return "仮予約の期限切れ";
  case BOOKING_NO_SHOW: return "不来場として記録済み";
  case BOOKING_CHECKED_IN: return "入館受付済み";
  default: return booking_status_name(s);
  }
}

/* Set booking ID from 'confirmed' to STATUS (checked_in or no_show), with the
** event ACTION, in one transaction; no_show also frees its slots. */
static int mark(struct kctx *ctx, int64_t id, int noshow, struct kerrinfo *ei) {
  struct booking b;
  int rc;
  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  rc = noshow ? db_run(ctx->db, "UPDATE bookings SET status = 'no_show', noshow_at = $now,"
                                " noshow_by = $by WHERE id = $id AND status = 'confirmed'",
                       DB_I("$now", ctx->now), DB_I("$by", ctx->actor.account_id), DB_I("$id", id))
              : db_run(ctx->db, "UPDATE bookings SET status = 'checked_in', checked_in_at = $now,"
                                " checked_in_by = $by WHERE id = $id AND status = 'confirmed'",
                       DB_I("$now", ctx->now), DB_I("$by", ctx->actor.account_id), DB_I("$id", id));
  if (rc != DB_OK) {
    rc = kerr_from_db(rc);
    goto fail;
  }
  if (db_changes(ctx->db) != 1) {
    rc = kerr_set(ei, KERR_CONFLICT, "この予約の状態が変わりました。画面を更新してください。");
    goto fail;
  }
  if (noshow) {
    /* RULE: a no-show's slots are free at once (the rest of the day may be
    ** used by walk-ins). */
    if ((rc = db_run(ctx->db, "UPDATE booking_slots SET active = 0 WHERE booking_id = $id",
                     DB_I("$id", id))) != DB_OK) {
      rc = kerr_from_db(rc);
      goto fail;
    }
  }
  if ((rc = booking_load(ctx, id, &b))) goto fail;
  if ((rc = counter_event(ctx, noshow ? "counter.noshow" : "counter.checkin", &b))) goto fail;
  if ((rc = db_commit(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  avail_touch();
  return 0;
fail:
  db_rollback(ctx->db);
  return kerr_set(ei, rc ? rc : KERR_INTERNAL, NULL);
}

/* The start of check-in and no-show: staff, in counter hours; booking ID
** into B and its status now into *STATUS. 0 or the error in EI. */
static int desk_begin(struct kctx *ctx, int64_t id, struct booking *b,
                      enum booking_status *status, json_t **out, struct kerrinfo *ei) {
  *out = NULL;
  if (!desk_is_staff(ctx)) return desk_forbidden(ei);
  int rc = desk_check_open(ctx, ei);
  if (rc || (rc = load_desk(ctx, id, b, ei))) return rc;
  *status = booking_status_now(ctx, b);
  return 0;
}

/* Mark ID checked in (NOSHOW 0) or a no-show (1) at the counter, and reply
** with the booking. */
static int mark_and_reply(struct kctx *ctx, int64_t id, int noshow, json_t **out,
                          struct kerrinfo *ei) {
  struct kctx c = *ctx;
  c.channel = "counter";
  int rc = mark(&c, id, noshow, ei);
  return rc ? rc : reply_booking(&c, id, out, ei);
}

int counter_checkin(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei) {
  struct booking b;
  char d[48], t[16];
  int rc, first, last;
  int32_t day = 0;
  enum booking_status status;
  if ((rc = desk_begin(ctx, id, &b, &status, out, ei))) return rc;
  if (status == BOOKING_CHECKED_IN) return reply_booking(ctx, id, out, ei); /* a second click */
  if (status != BOOKING_CONFIRMED)
    return kerr_set(ei, KERR_CONFLICT, "この予約は%sのため、入館受付できません。",
                    status_words(status));
  date_parse(b.date, &day);
  clock_jdate(day, d, sizeof d);
  int32_t today = clock_today(ctx->now);
  if (day > today)
    return kerr_set(ei, KERR_TOO_EARLY, "入館受付は利用日（%s）の当日に行ってください。", d);
  const struct rules *r = booking_rules(ctx, &b);
  slot_span(r, b.slots, &first, &last);
  int64_t end = last >= 0 ? clock_local(day, r->slots[last].end) : clock_local(day + 1, 0);
  if (day < today || ctx->now >= end) {
    clock_jtime(end, t, sizeof t);
    return kerr_set(ei, KERR_CONFLICT, "この予約の利用時間（%s %sまで）は終わっています。", d, t);
  }
  return mark_and_reply(ctx, id, 0, out, ei);
}

int counter_noshow(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei) {
  struct booking b;
  char d[48], t[16], s[16];
  int rc, first, last;
  int32_t day = 0;
  enum booking_status status;
  if ((rc = desk_begin(ctx, id, &b, &status, out, ei))) return rc;
  if (status == BOOKING_NO_SHOW) return reply_booking(ctx, id, out, ei); /* a second click */
  if (status != BOOKING_CONFIRMED)
    return kerr_set(ei, KERR_CONFLICT, "この予約は%sのため、不来場にできません。",
                    status_words(status));
  /* RULE: no-show grace (noshow.grace_minutes, the version the booking was
  ** made under): not before the first slot's start plus the grace. */
  const struct rules *r = booking_rules(ctx, &b);
  date_parse(b.date, &day);
  slot_span(r, b.slots, &first, &last);
  if (!r || first < 0) return kerr_set(ei, KERR_INTERNAL, NULL);
  int64_t start = clock_local(day, r->slots[first].start);
  int64_t from = start + (int64_t)r->noshow_grace_min * 60;
  if (ctx->now < from) {
    clock_jdate(clock_today(from), d, sizeof d);
    clock_jtime(from, t, sizeof t);
    clock_jtime(start, s, sizeof s);
    return kerr_set(ei, KERR_TOO_EARLY,
                    "不来場として記録できるのは%s %sからです（利用開始 %s の%d分後）。", d, t, s,
                    r->noshow_grace_min);
  }
  return mark_and_reply(ctx, id, 1, out, ei);
}
