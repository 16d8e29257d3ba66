/*
** core/bookings_create.c: a booking request (see bookings.h): parsing and
** checking it, the caps, the lapse of holds, idempotency, the one insert,
** imports, quotes and the allocation round's awards. The shape of every
** write is described in core/bookings.c.
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
#include "status.h"
#include "text.h"
#include "bookings_int.h"

/* ===================================================== the request */

/* A create request, checked. */
struct create {
  const struct room *room;
  int32_t day;
  char date[11];
  int nslots;
  int slot_idx[RULES_MAX_SLOTS];      /* in day order, consecutive */
  char slots[RULES_MAX_SLOTS * 25];   /* "morning,afternoon" */
  int64_t group_id;
  char group_name[256];
  int group_public;
  char purpose[1024];
  int attendees;
  int ncodes;                         /* the codes as sent */
  char codes[RULES_MAX_SLOTS + 1][24];
  int64_t holder;
  const struct rules *r_use;          /* in force on the use date */
  const struct rules *r_now;          /* in force now */
  int64_t hold_expires_at;
  int64_t fee_base, fee_discount, fee_total;
  char discount_code[32];
  int walkin;                         /* a same-day walk-in at the counter */
  const char *imported;               /* an import (booking_import_in): why, else NULL */
  int confirm;                        /* confirmed at once, no hold */
};

/* The body asks for the booking to be confirmed at once: "confirm": true
** (JSON) or "1" (a form's button). Any other value is not a yes: parse_create
** refuses it at its field. */
static int wants_confirm(const struct kctx *ctx, const json_t *body) {
  int yes = 0;
  return input_bool(body, "confirm", ctx->form, &yes) == INPUT_OK && yes;
}

static int cmp_int(const void *a, const void *b) {
  return *(const int *)a - *(const int *)b;
}

/* Parse BODY into C, recording field errors in EI. 0 or KERR_VALIDATION. */
static int parse_create(struct kctx *ctx, const json_t *body, struct create *c,
                        struct kerrinfo *ei) {
  char date[16];
  long long n = 0;
  int bad = 0, rc;

  /* Through core/input.c: the JSON API and the no-script form (all strings)
  ** share one validation and one set of messages. */
  rc = input_int(body, "room_id", ctx->form, 1, INT64_MAX, &n);
  if (rc != INPUT_OK || !(c->room = rules_room_by_id(ctx->rb, (int64_t)n))) {
    kerr_field(ei, "room_id", input_int_message(body, "room_id", ctx->form,
                                                "部屋を選んでください（room_id が正しくありません）。"));
    bad = 1;
  }
  if (input_text(body, "date", date, sizeof date) != INPUT_OK || date_parse(date, &c->day) != 0) {
    kerr_field(ei, "date", "利用日は YYYY-MM-DD の形で、実在する日付を指定してください。");
    bad = 1;
  } else {
    date_format(c->day, c->date);
  }
  rc = input_text(body, "purpose", c->purpose, sizeof c->purpose);
  if (rc == INPUT_MISSING) {
    kerr_field(ei, "purpose", "利用目的を入力してください。");
    bad = 1;
  } else if (rc != INPUT_OK || text_utf8_len(c->purpose) > PURPOSE_MAX ||
             text_has_control(c->purpose)) {
    kerr_field(ei, "purpose", "利用目的は200文字以内で、改行以外の制御文字を含めずに入力してください。");
    bad = 1;
  }
  int confirm;
  if (input_bool(body, "confirm", ctx->form, &confirm) == INPUT_BAD) {
    kerr_field(ei, "confirm", "すぐに確定するかどうかは true か false で指定してください。");
    bad = 1;
  }
  if (input_int(body, "attendees", ctx->form, 1, 100000, &n) != INPUT_OK) {
    kerr_field(ei, "attendees", input_int_message(body, "attendees", ctx->form,
                                                  "利用人数を1以上の数で入力してください。"));
    bad = 1;
  } else {
    c->attendees = (int)n;
  }
  json_t *g = json_object_get(body, "group_id");
  if (g && !json_is_null(g) && !(json_is_string(g) && !*json_string_value(g))) {
    char msg[256];
    if ((rc = ids_parse_json(g, &c->group_id)) != IDS_OK) {
      ids_message(rc, "団体ID", msg, sizeof msg);
      kerr_field(ei, "group_id", msg);
      c->group_id = 0;
      bad = 1;
    }
  }
  /* slots: an array of codes, or one string "morning,afternoon" (a form) */
  json_t *v = json_object_get(body, "slots");
  int ok = 1;
  c->ncodes = 0;
  if (json_is_string(v)) {
    c->ncodes = booking_split_slots(json_string_value(v), c->codes, RULES_MAX_SLOTS + 1);
  } else if (json_is_array(v)) {
    size_t i;
    json_t *s;
    json_array_foreach(v, i, s) {
      if (!json_is_string(s) || c->ncodes > RULES_MAX_SLOTS) {
        ok = json_is_string(s);
        break;
      }
      snprintf(c->codes[c->ncodes++], sizeof c->codes[0], "%s", json_string_value(s));
    }
  }
  if (!ok) {
    kerr_field(ei, "slots", "時間帯はコード（morning など）の配列で指定してください。");
    bad = 1;
  } else if (c->ncodes == 0 || c->ncodes > RULES_MAX_SLOTS) {
    kerr_field(ei, "slots", "利用する時間帯を1つ以上選んでください。");
    bad = 1;
  }
  if (bad) return KERR_VALIDATION;

  /* The slots are the use date's version's divisions of the day. */
  c->r_use = rules_in_force(ctx->rb, c->day);
  c->r_now = rules_current(ctx->rb, ctx->now);
  if (!c->r_use || !c->r_now) {
    char d[48];
    clock_jdate(c->day, d, sizeof d);
    return kerr_set(ei, KERR_OUTSIDE_WINDOW, "%sの予約は受け付けていません。", d);
  }
  for (int i = 0; i < c->ncodes; i++) {
    const char *code = c->codes[i];
    int k = rules_slot_index(c->r_use, code);
    if (k < 0) {
      char msg[160];
      snprintf(msg, sizeof msg, "「%.*s」という時間帯はありません。",
               (int)text_utf8_prefix(code, 40), code);
      kerr_field(ei, "slots", msg);
      return KERR_VALIDATION;
    }
    c->slot_idx[i] = k;
  }
  c->nslots = c->ncodes;
  qsort(c->slot_idx, (size_t)c->nslots, sizeof c->slot_idx[0], cmp_int);
  /* RULE: one booking is one or more consecutive slots of one room on one day. */
  for (int i = 1; i < c->nslots; i++) {
    if (c->slot_idx[i] == c->slot_idx[i - 1]) {
      kerr_field(ei, "slots", "同じ時間帯が重複しています。");
      return KERR_VALIDATION;
    }
    if (c->slot_idx[i] != c->slot_idx[i - 1] + 1) {
      kerr_field(ei, "slots", "時間帯は続けて選んでください（離れた時間帯は別々に予約してください）。");
      return KERR_VALIDATION;
    }
  }
  size_t off = 0;
  for (int i = 0; i < c->nslots; i++)
    off += (size_t)snprintf(c->slots + off, sizeof c->slots - off, "%s%s", i ? "," : "",
                            c->r_use->slots[c->slot_idx[i]].code);
  return 0;
}

/* The attendees fit the room, and the hold's expiry. */
static int check_fit(struct kctx *ctx, struct create *c, struct kerrinfo *ei) {
  int64_t start = clock_local(c->day, c->r_use->slots[c->slot_idx[0]].start);

  /* RULE: attendees at most the room's capacity. */
  if (c->attendees > c->room->capacity)
    return kerr_set(ei, KERR_CAPACITY, "利用人数（%d人）が%sの定員（%d人）を超えています。",
                    c->attendees, c->room->name, c->room->capacity);

  /* RULE: a hold lapses after the rule book's period (version in force now),
  ** and never outlives the start of its first slot. */
  c->hold_expires_at = ctx->now + (int64_t)c->r_now->hold_lapse_hours * 3600;
  if (c->hold_expires_at > start) c->hold_expires_at = start;
  return 0;
}

/* The rules that need no lock: closed day, window, capacity. */
static int check_rules(struct kctx *ctx, struct create *c, struct kerrinfo *ei) {
  /* RULE: closed days, the window, the deadline, same-day and walk-in rules: one decision
  ** for every channel and every page (core/bookable.c). A booking of several
  ** slots counts from its first. */
  struct bookable why_not;
  /* a walk-in: the counter's (BK_WALKIN) or the web's (BK_SAMEDAY), by the channel */
  enum bk_channel ch = c->walkin ? (bookable_channel(ctx) == BK_COUNTER ? BK_WALKIN : BK_SAMEDAY)
                       : c->imported ? BK_COUNTER
                                     : bookable_channel(ctx);
  enum bk_answer a = bookable_check(ctx, ch, c->room, c->day, c->slot_idx[0], &why_not);
  /* RULE: an imported booking was taken by the old system, maybe before our
  ** window opens for its date or on a campaign day: the window and the
  ** campaign do not apply to it (its note says why; existing bookings stay);
  ** closed days, past slots and everything else do. */
  if (a != BK_OPEN && !(c->imported && (a == BK_NOT_YET || a == BK_CAMPAIGN)))
    return bookable_refuse(ctx, c->room, c->day, c->slot_idx[0], &why_not, ei);
  return check_fit(ctx, c, ei);
}

/* The group: it exists, the actor represents it, it is approved and its
** registration has not lapsed. */
static int check_group(struct kctx *ctx, struct create *c, struct kerrinfo *ei) {
  if (!c->group_id) return 0;
  kstmt *st = db_prep(ctx->db,
                      "SELECT name, status, valid_until, public_listing FROM groups WHERE id = $g");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$g", c->group_id);
  int rc = db_step(st);
  if (rc != DB_ROW) {
    db_reset(st);
    if (rc != DB_DONE) return kerr_from_db(rc);
    return kerr_set(ei, KERR_NOT_FOUND, "団体が見つかりません（団体IDを確かめてください）。");
  }
  char valid_until[16];
  snprintf(c->group_name, sizeof c->group_name, "%s", db_col_text(st, 0));
  enum review_status status = review_status_parse(db_col_text(st, 1));
  snprintf(valid_until, sizeof valid_until, "%s", db_col_text(st, 2));
  c->group_public = (int)db_col_int(st, 3);
  db_reset(st);

  /* A group the holder does not represent is, to them, no group at all. */
  if (!groups_represents(ctx, c->group_id, c->holder))
    return kerr_set(ei, KERR_NOT_FOUND, "団体が見つかりません（団体IDを確かめてください）。");
  /* RULE: only an approved group books as a group. */
  if (status != REVIEW_APPROVED) {
    kerr_field(ei, "group_id",
               status == REVIEW_PENDING
                   ? "この団体の登録はまだ承認されていません。承認後に団体として予約できます。"
                   : "この団体の登録は承認されませんでした。団体として予約することはできません。");
    return KERR_VALIDATION;
  }
  /* RULE: a lapsed registration (past valid_until) books no more until renewed. */
  int32_t until;
  if (valid_until[0] && date_parse(valid_until, &until) == 0 &&
      until < clock_today(ctx->now)) {
    char msg[256], d[48];
    clock_jdate(until, d, sizeof d);
    snprintf(msg, sizeof msg,
             "この団体の登録は%sで有効期限が切れています。更新の手続きをしてください。", d);
    kerr_field(ei, "group_id", msg);
    return KERR_VALIDATION;
  }
  return 0;
}

/* Exemptions (減免): the group's most favourable approval valid on the use
** date, at any centre, at the rate of the version in force on the use date,
** rounded to the yen (core/discounts.h). A discount only: nothing else about
** a booking looks at exemptions. */
static int apply_discount(struct kctx *ctx, struct create *c) {
  c->fee_discount = 0;
  c->discount_code[0] = 0;
  if (!c->group_id) return 0;
  return discounts_best(ctx, c->group_id, c->day, c->r_use, c->fee_base, &c->fee_discount,
                        c->discount_code, sizeof c->discount_code);
}

/* RULE: fees from the version in force on the use date, per fee class and
** slot, summed over the slots; campaign days make the room free. */
static int compute_fee(struct kctx *ctx, struct create *c, struct kerrinfo *ei) {
  const struct campaign *cp = rules_campaign(c->r_use, c->room, c->day);
  c->fee_base = 0;
  for (int i = 0; i < c->nslots; i++) {
    int yen = rules_fee(c->r_use, c->room->fee_class, c->slot_idx[i]);
    if (yen < 0) /* the loader refuses a rule book that leaves a slot unpriced */
      return kerr_set(ei, KERR_INTERNAL, NULL);
    if (!cp) c->fee_base += yen;
  }
  int rc = apply_discount(ctx, c);
  if (rc) return kerr_set(ei, rc, NULL);
  if (c->fee_discount > c->fee_base) c->fee_discount = c->fee_base;
  c->fee_total = c->fee_base - c->fee_discount;
  return 0;
}

/* ====================================================== the lapse */

/* Mark booking ID (a hold past its expiry) lapsed, free its slots, log it. */
static int lapse_one(struct kctx *ctx, int64_t id) {
  struct booking b;
  int rc = booking_load(ctx, id, &b);
  if (rc) return rc;
  if (b.status != BOOKING_HELD || !b.hold_expires_at || b.hold_expires_at > ctx->now)
    return 0;
  if ((rc = db_run(ctx->db,
                   "UPDATE bookings SET status = 'lapsed' WHERE id = $id"
                   " AND status = 'held'",
                   DB_I("$id", id))) != DB_OK)
    return kerr_from_db(rc);
  if ((rc = db_run(ctx->db, "UPDATE booking_slots SET active = 0 WHERE booking_id = $id",
                   DB_I("$id", id))) != DB_OK)
    return kerr_from_db(rc);
  if ((rc = booking_event(ctx, "booking.lapse", &b, b.hold_expires_at, -1))) return rc;
  return notify_booking(ctx, NOTE_LAPSE, &b);
}

/* Inside a write transaction: lapse up to MAX holds past their expiry. */
int booking_sweep(struct kctx *ctx, int max, int *n) {
  assert(db_in_txn(ctx->db));
  int64_t ids[64];
  int k = 0, rc;
  if (max > 64) max = 64;
  kstmt *st = db_prep(ctx->db,
                      "SELECT id FROM bookings WHERE status = 'held'"
                      " AND hold_expires_at <= $now ORDER BY hold_expires_at LIMIT $max");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$now", ctx->now);
  db_bind_int(st, "$max", max);
  while (k < max && (rc = db_step(st)) == DB_ROW) ids[k++] = db_col_int(st, 0);
  db_reset(st);
  for (int i = 0; i < k; i++)
    if ((rc = lapse_one(ctx, ids[i]))) return rc;
  if (n) *n = k;
  return 0;
}

/* Bind C's slot I as $room, $date, $slot, and the time $now, to ST. */
static void bind_slot(const struct kctx *ctx, kstmt *st, const struct create *c, int i) {
  db_bind_int(st, "$room", c->room->id);
  db_bind_text(st, "$date", c->date);
  db_bind_text(st, "$slot", c->r_use->slots[c->slot_idx[i]].code);
  db_bind_int(st, "$now", ctx->now);
}

/* Inside a write transaction: lapse the holds past their expiry that still
** sit on C's slots, so that the insert below can take them. */
static int clear_lapsed(struct kctx *ctx, const struct create *c) {
  for (int i = 0; i < c->nslots; i++) {
    kstmt *st = db_prep(ctx->db,
                        "SELECT booking_id FROM booking_slots WHERE room_id = $room"
                        " AND date = $date AND slot = $slot AND active = 1"
                        " AND hold_expires_at IS NOT NULL AND hold_expires_at <= $now");
    if (!st) return KERR_INTERNAL;
    bind_slot(ctx, st, c, i);
    int rc = db_step(st);
    int64_t id = rc == DB_ROW ? db_col_int(st, 0) : 0;
    db_reset(st);
    if (rc != DB_ROW && rc != DB_DONE) return kerr_from_db(rc);
    if (id && (rc = lapse_one(ctx, id))) return rc;
  }
  return 0;
}

int booking_sweep_lapsed(struct kctx *ctx, int max, int *n) {
  if (n) *n = 0;
  int rc = db_begin_write(ctx->db);
  if (rc != DB_OK) return kerr_from_db(rc);
  if ((rc = booking_sweep(ctx, max, n))) {
    db_rollback(ctx->db);
    return rc;
  }
  if ((rc = db_commit(ctx->db)) != DB_OK) return kerr_from_db(rc);
  if (n && *n) avail_touch();
  return 0;
}

/* ======================================================= the caps */

/* Slots of the use month held or booked (not lapsed, not cancelled). A
** booking's slots are all on its own date, and they are active exactly while
** it is held (before its expiry), confirmed or checked in: the month's count
** is the sum of nslots (schema/031) over those bookings, read from the index
** by (account or group, date) alone, never each booking's slot rows. */
static int count_month_slots(struct kctx *ctx, const struct create *c, int by_group,
                             int64_t *count) {
  int y, m, d;
  char from[11], to[11];
  date_to_ymd(c->day, &y, &m, &d);
  date_format(date_from_ymd(y, m, 1), from);
  date_format(date_add_months(date_from_ymd(y, m, 1), 1), to);
  kstmt *st = by_group
                  ? db_prep(ctx->db,
                            "SELECT coalesce(sum(nslots), 0) FROM bookings"
                            " INDEXED BY bookings_group_date WHERE group_id = $who"
                            " AND date >= $from AND date < $to"
                            " AND status IN ('held', 'confirmed', 'checked_in')"
                            " AND (hold_expires_at IS NULL OR hold_expires_at > $now)")
                  /* by (account, date), never by (group_id IS NULL, date): everyone's */
                  : db_prep(ctx->db,
                            "SELECT coalesce(sum(nslots), 0) FROM bookings"
                            " INDEXED BY bookings_account_date WHERE account_id = $who"
                            " AND group_id IS NULL AND date >= $from AND date < $to"
                            " AND status IN ('held', 'confirmed', 'checked_in')"
                            " AND (hold_expires_at IS NULL OR hold_expires_at > $now)");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$who", by_group ? c->group_id : c->holder);
  db_bind_text(st, "$from", from);
  db_bind_text(st, "$to", to);
  db_bind_int(st, "$now", ctx->now);
  int rc = db_step(st);
  *count = rc == DB_ROW ? db_col_int(st, 0) : 0;
  db_reset(st);
  return rc == DB_ROW ? 0 : kerr_from_db(rc);
}

/* RULE: holds per user at once (version in force now). */
static int check_hold_cap(struct kctx *ctx, const struct create *c, struct kerrinfo *ei) {
  int64_t n = 0;
  int rc = db_get_int64(ctx->db, &n,
                        "SELECT count(*) FROM bookings WHERE account_id = $a"
                        " AND status = 'held' AND hold_expires_at > $now",
                        DB_I("$a", c->holder), DB_I("$now", ctx->now));
  if (rc != DB_ROW) return kerr_from_db(rc);
  if (n + 1 > c->r_now->hold_max_per_user)
    return kerr_set(ei, KERR_LIMIT,
                    "仮予約は同時に%d件までです。今ある仮予約を確定するか取り消してから、"
                    "もう一度お申し込みください。",
                    c->r_now->hold_max_per_user);
  return 0;
}

static int check_caps(struct kctx *ctx, const struct create *c, struct kerrinfo *ei) {
  int64_t n = 0;
  int rc, y, m, d;
  date_to_ymd(c->day, &y, &m, &d);
  /* an import is confirmed at once: no hold to count */
  if (!c->imported && (rc = check_hold_cap(ctx, c, ei))) return rc;

  if (c->group_id) {
    /* RULE: a group's slots per month, counted across every centre. */
    if ((rc = count_month_slots(ctx, c, 1, &n))) return rc;
    if (n + c->nslots > c->r_use->group_slots_per_month)
      return kerr_set(ei, KERR_LIMIT,
                      "団体の予約は、すべての公民館を合わせて1か月%dコマまでです。"
                      "%sは%d年%d月にすでに%lldコマ予約しています。",
                      c->r_use->group_slots_per_month, c->group_name, y, m, (long long)n);
  } else {
    /* RULE: a person's own slots per month, counted across every centre. */
    if ((rc = count_month_slots(ctx, c, 0, &n))) return rc;
    if (n + c->nslots > c->r_use->person_slots_per_month)
      return kerr_set(ei, KERR_LIMIT,
                      "個人での予約は、すべての公民館を合わせて1か月%dコマまでです。"
                      "%d年%d月にすでに%lldコマ予約しています。",
                      c->r_use->person_slots_per_month, y, m, (long long)n);
  }
  return 0;
}

/* ================================================ taken already? */

static int slot_taken(const struct create *c, int i, struct kerrinfo *ei) {
  char d[48];
  clock_jdate(c->day, d, sizeof d);
  return kerr_set(ei, KERR_SLOT_TAKEN, "%s %s %sはすでに予約されています。", d, c->room->name,
                  c->r_use->slots[c->slot_idx[i]].label);
}

/* A slot someone holds (unlapsed) or has booked is refused here, before
** queueing for the writer lock: at the opening minute most requests are for
** slots already gone, and they need not wait behind the writes. Only a
** shortcut: the UNIQUE index inside the transaction is what decides, so a
** snapshot a moment old can only send a request on to be decided there (or
** refuse a slot freed in that moment, as if the request had come a moment
** earlier). */
static int taken_already(struct kctx *ctx, const struct create *c, struct kerrinfo *ei) {
  for (int i = 0; i < c->nslots; i++) {
    kstmt *st = db_prep(ctx->db,
                        "SELECT 1 FROM booking_slots WHERE room_id = $room AND date = $date"
                        " AND slot = $slot AND active = 1"
                        " AND (hold_expires_at IS NULL OR hold_expires_at > $now)");
    if (!st) return KERR_INTERNAL;
    bind_slot(ctx, st, c, i);
    int rc = db_step(st);
    db_reset(st);
    if (rc == DB_ROW) return slot_taken(c, i, ei);
    if (rc != DB_DONE) return kerr_set(ei, kerr_from_db(rc), NULL);
  }
  return 0;
}

/* ====================================================== idempotency */

/* The booking HOLDER made with KEY, or 0. */
static int find_idempotent(struct kctx *ctx, int64_t holder, const char *key, int64_t *id) {
  *id = 0;
  int rc = db_get_int64(ctx->db, id,
                        "SELECT id FROM bookings WHERE account_id = $a AND idempotency_key = $k",
                        DB_I("$a", holder), DB_T("$k", key));
  return rc == DB_ROW || rc == DB_DONE ? 0 : kerr_from_db(rc);
}

/* The first result for a repeated key into *B, if the request is the same one. */
static int replay(struct kctx *ctx, int64_t id, const json_t *body, struct booking *b,
                  struct kerrinfo *ei) {
  int rc = booking_load(ctx, id, b);
  if (rc) return rc;
  /* The same request: the same room, date, slots (in any order) and group. */
  struct create c;
  struct kerrinfo scratch = {0};
  memset(&c, 0, sizeof c);
  int same = parse_create(ctx, body, &c, &scratch) == 0 && c.room->id == b->room_id &&
             !strcmp(c.date, b->date) && !strcmp(c.slots, b->slots) && c.group_id == b->group_id;
  kerr_clear(&scratch);
  if (!same)
    return kerr_set(ei, KERR_CONFLICT,
                    "この Idempotency-Key は別の内容の予約にすでに使われています。"
                    "新しい予約には新しいキーを使ってください。");
  return 0;
}

/* Inside the write transaction: insert C (a hold, or for an import a
** confirmed booking) and its slots; *ID the new booking. 0 or a KERR code
** (KERR_SLOT_TAKEN with EI set when the UNIQUE index refused a slot). */
static int insert_booking(struct kctx *ctx, const struct create *c, const char *idempotency_key,
                          int64_t *id, struct kerrinfo *ei) {
  int done = c->imported || c->confirm; /* confirmed from the start */
  int64_t expires = done ? 0 : c->hold_expires_at;
  kstmt *st = db_prep(ctx->db,
                      "INSERT INTO bookings(account_id, group_id, room_id, center, date, slots,"
                      " status, purpose, attendees, channel, fee_base, fee_discount, fee_total,"
                      " discount_code, rules_version, hold_expires_at, created_at, confirmed_at,"
                      " idempotency_key, created_by, imported_note)"
                      " VALUES ($a, $g, $room, $center, $date, $slots, $status, $purpose, $att,"
                      " $channel, $base, $disc, $total, $dcode, $version, $expires, $now,"
                      " $confirmed, $key, $by, $note)");
  if (!st) return KERR_INTERNAL;
  if (c->holder) db_bind_int(st, "$a", c->holder);
  if (c->group_id) db_bind_int(st, "$g", c->group_id);
  db_bind_int(st, "$room", c->room->id);
  db_bind_text(st, "$center", c->room->center->code);
  db_bind_text(st, "$date", c->date);
  db_bind_text(st, "$slots", c->slots);
  db_bind_text(st, "$status", done ? "confirmed" : "held");
  db_bind_text(st, "$purpose", c->purpose);
  db_bind_int(st, "$att", c->attendees);
  /* an import is entered by staff from a ledger: the counter's channel */
  db_bind_text(st, "$channel", c->imported ? "counter" : ctx->channel ? ctx->channel : "online");
  db_bind_int(st, "$base", c->fee_base);
  db_bind_int(st, "$disc", c->fee_discount);
  db_bind_int(st, "$total", c->fee_total);
  db_bind_text(st, "$dcode", c->discount_code[0] ? c->discount_code : NULL);
  db_bind_text(st, "$version", c->r_use->version);
  if (expires) db_bind_int(st, "$expires", expires);
  db_bind_int(st, "$now", ctx->now);
  if (done) db_bind_int(st, "$confirmed", ctx->now);
  db_bind_text(st, "$key", idempotency_key);
  if (ctx->actor.account_id) db_bind_int(st, "$by", ctx->actor.account_id);
  db_bind_text(st, "$note", c->imported);
  int rc = db_exec_stmt(st);
  if (rc != DB_OK) return kerr_from_db(rc);
  *id = db_last_id(ctx->db);
  for (int i = 0; i < c->nslots; i++) {
    /* RULE: no double booking. The UNIQUE index over active rows refuses a
    ** second holder of this (room, date, slot). */
    if ((rc = db_run(ctx->db,
                     "INSERT INTO booking_slots(booking_id, room_id, date, slot, active,"
                     " hold_expires_at) VALUES ($id, $room, $date, $slot, 1, $expires)",
                     DB_I("$id", *id), DB_I("$room", c->room->id), DB_T("$date", c->date),
                     DB_T("$slot", c->r_use->slots[c->slot_idx[i]].code),
                     expires ? DB_I("$expires", expires) : DB_T("$expires", NULL))) != DB_OK)
      return rc == DB_CONSTRAINT ? slot_taken(c, i, ei) : kerr_from_db(rc);
  }
  return 0;
}

/* ========================================================== create */

static int create_for(struct kctx *ctx, const json_t *body, const char *idempotency_key,
                      const struct booking_for *f, struct booking *b, int *replayed,
                      struct kerrinfo *ei);

/* A booking for a citizen refused at its on_behalf_of (MSG): every other
** field's error of BODY with it (parse_create's), so that a form shows all
** of them at once, not in two rounds. Only field errors: a rule that needs
** the holder (the window, the caps) is checked once the holder is known. */
static int behalf_refused(struct kctx *ctx, const json_t *body, const char *msg,
                          struct kerrinfo *ei) {
  struct create c;
  struct kerrinfo rest = {0};
  memset(&c, 0, sizeof c);
  kerr_field(ei, "on_behalf_of", msg);
  parse_create(ctx, body, &c, &rest);
  const char *name;
  json_t *m;
  json_object_foreach(rest.fields, name, m) {
    if (json_is_string(m)) kerr_field(ei, name, json_string_value(m));
  }
  kerr_clear(&rest);
  return KERR_VALIDATION;
}

/* Staff book for a registered citizen ({"on_behalf_of": SYSTEM_ID}): a
** counter action (counter hours, channel "counter"); the citizen holds it. */
static int create_on_behalf(struct kctx *ctx, const json_t *body, const char *idempotency_key,
                            struct booking_for *f, struct booking *b, int *replayed,
                            struct kerrinfo *ei) {
  int64_t holder = 0;
  int role = 0, rc;
  char msg[256];
  struct kctx c;
  if (ctx->precheck) return 0; /* throttled and decided on the writer only */
  /* RULE: acting for a citizen is a counter action (counter hours). */
  if ((rc = desk_enter(ctx, &c, ei))) return rc;
  /* RULE: requests naming a system ID are throttled per address (throttle.c). */
  if ((rc = throttle_refuse(&throttle_lookup, "id", ctx->client, ctx->now, ei))) return rc;
  if ((rc = ids_parse_json(json_object_get(body, "on_behalf_of"), &holder)) != IDS_OK) {
    ids_message(rc, "利用者番号", msg, sizeof msg);
    return behalf_refused(ctx, body, msg, ei);
  }
  if (!accounts_exists(ctx, holder, &role) || role != ROLE_CITIZEN)
    return behalf_refused(ctx, body, "この利用者番号の利用者は登録されていません。番号を確かめてください。", ei);
  f->holder = holder;
  f->confirm = wants_confirm(ctx, body);
  return create_for(&c, body, idempotency_key, f, b, replayed, ei);
}

/* ONE ENTRY: a new booking, by a citizen for themselves or by staff for a
** citizen (on_behalf_of); every route calls this. */
int booking_create(struct kctx *ctx, const json_t *body, const char *idempotency_key,
                   json_t **out, int *replayed, struct kerrinfo *ei) {
  return booking_create_then(ctx, body, idempotency_key, NULL, NULL, out, replayed, ei);
}

/* booking_create_then into *B (B->id 0: left to the write, ctx->precheck). */
static int create_then(struct kctx *ctx, const json_t *body, const char *idempotency_key,
                       int (*then)(struct kctx *ctx, int64_t booking_id, void *arg,
                                   struct kerrinfo *ei),
                       void *arg, struct booking *b, int *replayed, struct kerrinfo *ei) {
  struct booking_for f = {.then = then, .arg = arg};
  memset(b, 0, sizeof *b);
  if (replayed) *replayed = 0;
  if (!ctx->actor.account_id) return kerr_set(ei, KERR_UNAUTHORIZED, NULL);
  if (json_object_get(body, "on_behalf_of")) {
    if (!desk_is_staff(ctx)) return desk_forbidden(ei);
    return create_on_behalf(ctx, body, idempotency_key, &f, b, replayed, ei);
  }
  if (ctx->actor.role != ROLE_CITIZEN)
    return kerr_set(ei, KERR_FORBIDDEN, "予約は利用者本人のアカウントで申し込んでください。");
  f.holder = ctx->actor.account_id;
  f.confirm = wants_confirm(ctx, body);
  return create_for(ctx, body, idempotency_key, &f, b, replayed, ei);
}

/* B (booking_create's result, B->id 0 when there is none yet) as *OUT. */
static int json_of(struct kctx *ctx, int rc, const struct booking *b, json_t **out,
                   struct kerrinfo *ei) {
  if (rc || !b->id) return rc;
  *out = booking_json(ctx, b);
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}

int booking_create_then(struct kctx *ctx, const json_t *body, const char *idempotency_key,
                        int (*then)(struct kctx *ctx, int64_t booking_id, void *arg,
                                    struct kerrinfo *ei),
                        void *arg, json_t **out, int *replayed, struct kerrinfo *ei) {
  struct booking b;
  *out = NULL;
  int rc = create_then(ctx, body, idempotency_key, then, arg, &b, replayed, ei);
  return json_of(ctx, rc, &b, out, ei);
}

int booking_create_view(struct kctx *ctx, const json_t *body, const char *idempotency_key,
                        int (*then)(struct kctx *ctx, int64_t booking_id, void *arg,
                                    struct kerrinfo *ei),
                        void *arg, struct booking_view *v, int *replayed, struct kerrinfo *ei) {
  struct booking b;
  memset(v, 0, sizeof *v);
  int rc = create_then(ctx, body, idempotency_key, then, arg, &b, replayed, ei);
  if (rc == 0 && b.id) booking_view_of(ctx, &b, v);
  return rc;
}

int booking_create_for(struct kctx *ctx, const json_t *body, const char *idempotency_key,
                       const struct booking_for *f, json_t **out, int *replayed,
                       struct kerrinfo *ei) {
  struct booking b;
  *out = NULL;
  int rc = create_for(ctx, body, idempotency_key, f, &b, replayed, ei);
  return json_of(ctx, rc, &b, out, ei);
}

static int create_for(struct kctx *ctx, const json_t *body, const char *idempotency_key,
                      const struct booking_for *f, struct booking *b, int *replayed,
                      struct kerrinfo *ei) {
  struct create c;
  int rc;
  int64_t id = 0;
  memset(&c, 0, sizeof c);
  memset(b, 0, sizeof *b);
  if (replayed) *replayed = 0;
  c.holder = f->holder;
  c.walkin = f->walkin;
  c.confirm = f->confirm;

  if (idempotency_key) {
    size_t n = strlen(idempotency_key);
    int ok = n >= 1 && n <= IDEM_KEY_MAX;
    for (size_t i = 0; ok && i < n; i++)
      ok = idempotency_key[i] > 0x20 && idempotency_key[i] < 0x7f;
    if (!ok)
      return kerr_set(ei, KERR_BAD_REQUEST,
                      "Idempotency-Key は128文字以内の英数字・記号で指定してください。");
    /* A repeat of a request that already succeeded gets its first result,
    ** even if the window has closed since. */
    if ((rc = find_idempotent(ctx, c.holder, idempotency_key, &id))) return rc;
    if (id) {
      if ((rc = replay(ctx, id, body, b, ei))) return rc;
      if (replayed) *replayed = 1;
      return 0;
    }
  }

  if ((rc = parse_create(ctx, body, &c, ei))) return rc;
  if ((rc = check_rules(ctx, &c, ei))) return rc;
  if ((rc = check_group(ctx, &c, ei))) return rc;
  if ((rc = taken_already(ctx, &c, ei))) {
    /* taken by this very request's twin (a double click) that committed
    ** meanwhile? Then its result is ours. */
    if (rc == KERR_SLOT_TAKEN && idempotency_key &&
        find_idempotent(ctx, c.holder, idempotency_key, &id) == 0 && id) {
      kerr_clear(ei);
      if ((rc = replay(ctx, id, body, b, ei))) return rc;
      if (replayed) *replayed = 1;
      return 0;
    }
    return rc;
  }

  /* Everything above only read: a first pass (ctx->precheck) stops here, undecided. */
  if (ctx->precheck) return 0;

  /* ---- one write transaction: no slot is given twice ---- */
  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);

  if (idempotency_key) { /* a concurrent twin may have committed meanwhile */
    if ((rc = find_idempotent(ctx, c.holder, idempotency_key, &id))) goto fail;
    if (id) {
      db_rollback(ctx->db);
      if ((rc = replay(ctx, id, body, b, ei))) return rc;
      if (replayed) *replayed = 1;
      return 0;
    }
  }
  if ((rc = clear_lapsed(ctx, &c))) goto fail;
  if ((rc = booking_sweep(ctx, SWEEP_PER_WRITE, NULL))) goto fail;
  if (c.holder && (rc = check_caps(ctx, &c, ei))) goto fail; /* a walk-in has no account */
  /* The fee inside the lock: an exemption approved a moment ago counts. */
  if ((rc = compute_fee(ctx, &c, ei))) goto fail;

  if ((rc = insert_booking(ctx, &c, idempotency_key, &id, ei))) goto fail;

  if (f->then && (rc = f->then(ctx, id, f->arg, ei))) goto fail;
  if ((rc = booking_load(ctx, id, b))) goto fail;
  if ((rc = booking_event(ctx, f->event ? f->event : "booking.hold", b, ctx->now, c.fee_total))) goto fail;
  /* one step: the confirmation in the same transaction, and one message (confirmed), not two */
  if (c.confirm && (rc = booking_event(ctx, "booking.confirm", b, ctx->now, c.fee_total))) goto fail;
  if ((rc = notify_booking(ctx, c.confirm ? NOTE_CONFIRM : NOTE_HOLD, b))) goto fail;
fail:
  rc = booking_end_write(ctx, rc, b, NULL, ei);
  if (rc) b->id = 0;
  return rc;
}

/* ========================================================== import */

int booking_import_in(struct kctx *ctx, const json_t *body, int64_t holder, const char *note,
                      int64_t *id, struct kerrinfo *ei) {
  struct create c;
  memset(&c, 0, sizeof c);
  *id = 0;
  c.holder = holder;
  c.imported = note && *note ? note : "移行";
  int rc;
  if ((rc = parse_create(ctx, body, &c, ei)) || (rc = check_rules(ctx, &c, ei)) ||
      (rc = check_group(ctx, &c, ei)) || (rc = taken_already(ctx, &c, ei)) ||
      (rc = clear_lapsed(ctx, &c)) || (rc = check_caps(ctx, &c, ei)) ||
      (rc = compute_fee(ctx, &c, ei)) || (rc = insert_booking(ctx, &c, NULL, id, ei)))
    return rc;
  struct booking b;
  if ((rc = booking_load(ctx, *id, &b))) return rc;
  return booking_event(ctx, "booking.import", &b, ctx->now, c.fee_total);
}

/* ========================================================== quote */

int booking_quote_view(struct kctx *ctx, const json_t *body, struct booking_quote *q,
                       struct kerrinfo *ei) {
  memset(q, 0, sizeof *q);
  if (!ctx->actor.account_id) return kerr_set(ei, KERR_UNAUTHORIZED, NULL);
  if (ctx->actor.role != ROLE_CITIZEN)
    return kerr_set(ei, KERR_FORBIDDEN, "予約は利用者本人のアカウントで申し込んでください。");
  struct booking_for f = {.holder = ctx->actor.account_id};
  return booking_quote_for(ctx, body, &f, q, ei);
}

int booking_quote_for(struct kctx *ctx, const json_t *body, const struct booking_for *f,
                      struct booking_quote *q, struct kerrinfo *ei) {
  struct create c;
  int rc;
  memset(&c, 0, sizeof c);
  memset(q, 0, sizeof *q);
  c.holder = f->holder;
  c.walkin = f->walkin;
  if ((rc = parse_create(ctx, body, &c, ei))) return rc;
  if ((rc = check_rules(ctx, &c, ei))) return rc;
  if ((rc = check_group(ctx, &c, ei))) return rc;
  if ((rc = compute_fee(ctx, &c, ei))) return rc;
  if ((rc = taken_already(ctx, &c, ei))) return rc;
  /* The caps, read without the writer lock: the booking itself counts again
  ** under it. Only a preview. A walk-in has no account and no caps. */
  if (c.holder && (rc = check_caps(ctx, &c, ei))) return kerr_set(ei, rc, NULL);

  struct booking_view *v = &q->v;
  struct booking *b = &v->b;
  v->status = BOOKING_UNKNOWN;
  v->room = c.room;
  b->account_id = c.holder;
  b->room_id = c.room->id;
  snprintf(b->center, sizeof b->center, "%s", c.room->center->code);
  snprintf(b->date, sizeof b->date, "%s", c.date);
  snprintf(b->slots, sizeof b->slots, "%s", c.slots);
  clock_hhmm(c.r_use->slots[c.slot_idx[0]].start, v->start);
  clock_hhmm(c.r_use->slots[c.slot_idx[c.nslots - 1]].end, v->end);
  snprintf(b->purpose, sizeof b->purpose, "%s", c.purpose);
  b->attendees = c.attendees;
  b->group_id = c.group_id;
  snprintf(b->group_name, sizeof b->group_name, "%s", c.group_name);
  b->fee_base = c.fee_base;
  b->fee_discount = c.fee_discount;
  b->fee_total = c.fee_total;
  snprintf(b->discount_code, sizeof b->discount_code, "%s", c.discount_code);
  snprintf(b->rules_version, sizeof b->rules_version, "%s", c.r_use->version);
  b->hold_expires_at = c.hold_expires_at;
  const struct campaign *cp = rules_campaign(c.r_use, c.room, c.day);
  v->campaign = cp ? cp->name : NULL;
  /* The terms the booking would be made under: those of the use date's version. */
  v->has_terms = 1;
  v->free_until = c.day - c.r_use->cancel_deadline_days;
  v->refused_after_deadline = c.r_use->cancel_after_deadline_fee < 0;
  if (!v->refused_after_deadline) v->fee_after_deadline = rules_cancel_fee(c.r_use, c.fee_total);
  q->hold_hours = c.r_now->hold_lapse_hours;
  return 0;
}

/* The "fee" and "cancellation" objects of V's quote. */
static json_t *quote_fee_json(const struct booking_view *v) {
  const struct booking *b = &v->b;
  json_t *fee = json_pack("{s:I, s:I, s:I, s:s}", "base", (json_int_t)b->fee_base, "discount",
                          (json_int_t)b->fee_discount, "total", (json_int_t)b->fee_total,
                          "rules_version", b->rules_version);
  if (fee && v->campaign) json_object_set_new(fee, "campaign", json_string(v->campaign));
  if (fee && b->discount_code[0])
    json_object_set_new(fee, "discount_code", json_string(b->discount_code));
  return fee;
}

static json_t *quote_cancel_json(const struct booking_view *v) {
  char last_free[11];
  date_format(v->free_until, last_free);
  json_t *cancel = json_pack("{s:s, s:s}", "free_until", last_free, "after_deadline",
                             v->refused_after_deadline ? "refused" : "fee");
  if (cancel && !v->refused_after_deadline)
    json_object_set_new(cancel, "fee_after_deadline", json_integer(v->fee_after_deadline));
  return cancel;
}

json_t *booking_quote_json(const struct booking_quote *q) {
  const struct booking_view *v = &q->v;
  const struct booking *b = &v->b;
  json_t *slots = json_array();
  for (const char *s = b->slots; *s;) {
    size_t len = strcspn(s, ",");
    json_array_append_new(slots, json_stringn(s, len));
    s += len + (s[len] == ',');
  }
  json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:i, s:o, s:i, s:o, s:o}",
                        "room_id", (json_int_t)b->room_id, "center", b->center, "center_name",
                        v->room->center->name, "room_name", v->room->name, "date", b->date,
                        "slots", slots, "start", v->start, "end", v->end, "purpose", b->purpose,
                        "attendees", b->attendees, "fee", quote_fee_json(v), "hold_hours",
                        q->hold_hours, "hold_expires_at", clock_instant_json(b->hold_expires_at),
                        "cancellation", quote_cancel_json(v));
  if (o && b->group_id) {
    json_object_set_new(o, "group_id", ids_json(b->group_id));
    json_object_set_new(o, "group_name", json_string(b->group_name));
  }
  return o;
}

int booking_quote(struct kctx *ctx, const json_t *body, json_t **out, struct kerrinfo *ei) {
  *out = NULL;
  struct booking_quote *q = malloc(sizeof *q);
  if (!q) return kerr_set(ei, KERR_INTERNAL, NULL);
  int rc = booking_quote_view(ctx, body, q, ei);
  if (!rc && !(*out = booking_quote_json(q))) rc = kerr_set(ei, KERR_INTERNAL, NULL);
  free(q);
  return rc;
}

/* ============================================ the allocation round (rounds.c) */

int booking_plan_check(struct kctx *ctx, const json_t *body, struct booking_plan *p,
                       struct kerrinfo *ei) {
  struct create c;
  memset(&c, 0, sizeof c);
  memset(p, 0, sizeof *p);
  c.holder = ctx->actor.account_id;
  int rc = parse_create(ctx, body, &c, ei);
  if (rc) return rc;
  if (c.nslots != 1 || !c.group_id) {
    kerr_field(ei, c.group_id ? "slots" : "group_id",
               c.group_id ? "抽選には1つの時間帯ずつ申し込んでください。"
                          : "抽選には団体として申し込んでください（団体IDを指定してください）。");
    return KERR_VALIDATION;
  }
  struct bookable why = {.answer = BK_CLOSED};
  if (rules_closed(c.r_use, c.room->center->code, c.day, &why.closed_label))
    return bookable_refuse(ctx, c.room, c.day, c.slot_idx[0], &why, ei);
  /* RULE: campaign days: the campaign's rooms are not allotted ahead either */
  if ((why.campaign = rules_campaign(c.r_use, c.room, c.day))) {
    why.answer = BK_CAMPAIGN;
    return bookable_refuse(ctx, c.room, c.day, c.slot_idx[0], &why, ei);
  }
  if ((rc = check_fit(ctx, &c, ei)) || (rc = check_group(ctx, &c, ei))) return rc;
  p->room = c.room;
  p->day = c.day;
  p->group_id = c.group_id;
  p->attendees = c.attendees;
  snprintf(p->date, sizeof p->date, "%s", c.date);
  snprintf(p->slot, sizeof p->slot, "%s", c.slots);
  snprintf(p->purpose, sizeof p->purpose, "%s", c.purpose);
  return 0;
}

int booking_award(struct kctx *ctx, const struct booking_plan *p, int64_t holder, int64_t *id,
                  struct kerrinfo *ei) {
  struct create c;
  memset(&c, 0, sizeof c);
  *id = 0;
  c.holder = holder;
  c.room = p->room;
  c.day = p->day;
  c.group_id = p->group_id;
  c.attendees = p->attendees;
  c.nslots = 1;
  snprintf(c.date, sizeof c.date, "%s", p->date);
  snprintf(c.slots, sizeof c.slots, "%s", p->slot);
  snprintf(c.purpose, sizeof c.purpose, "%s", p->purpose);
  c.r_use = rules_in_force(ctx->rb, c.day);
  c.r_now = rules_current(ctx->rb, ctx->now);
  if (!c.r_use || !c.r_now || (c.slot_idx[0] = rules_slot_index(c.r_use, p->slot)) < 0)
    return kerr_set(ei, KERR_CONFLICT, "%s %sの時間帯が規則にありません。", p->date, p->slot);
  int rc = check_fit(ctx, &c, ei);
  if (!rc && !(rc = clear_lapsed(ctx, &c)) && !(rc = compute_fee(ctx, &c, ei)))
    rc = insert_booking(ctx, &c, NULL, id, ei);
  struct booking b;
  if (!rc && !(rc = booking_load(ctx, *id, &b))) rc = booking_event(ctx, "booking.hold", &b, ctx->now, c.fee_total);
  return rc ? kerr_set(ei, rc, NULL) : 0;
}
