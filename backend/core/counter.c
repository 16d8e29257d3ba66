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

/* ============================================================ walk-in */

int counter_walkin_phone_used(struct kctx *ctx, const struct walkin *wk, int64_t id,
                              struct kerrinfo *ei) {
  char digits[64], today[11];
  size_t n = 0;
  for (const char *p = wk->phone; *p && n + 1 < sizeof digits; p++)
    if (*p != '-') digits[n++] = *p;
  digits[n] = 0;
  date_format(clock_today(ctx->now), today);
  int64_t used = 0;
  int rc = db_get_int64(ctx->db, &used,
                        "SELECT count(*) FROM bookings WHERE date = $d AND account_id IS NULL"
                        " AND channel = 'online' AND status <> 'cancelled' AND id <> $id"
                        " AND replace(walkin_phone, '-', '') = $p",
                        DB_T("$d", today), DB_I("$id", id), DB_T("$p", digits));
  if (rc != DB_ROW) return kerr_set(ei, kerr_from_db(rc), NULL);
  if (used > 0)
    return kerr_set(ei, KERR_LIMIT,
                    "この電話番号では、今日はすでに登録なしの当日利用を受け付けています。"
                    "登録なしで使えるのは、1つの電話番号につき1日1回までです。"
                    "内容の確認や取り消しは、公民館に電話でお問い合わせください。");
  return 0;
}

/* Inside the booking's transaction: the walk-in is in use today, so it is
** confirmed at once (no hold to lapse); its name and phone are kept on the
** booking (staff screens only); the payment, when a method was given, is
** recorded with it. */
static int walkin_then(struct kctx *ctx, int64_t id, void *arg, struct kerrinfo *ei) {
  struct walkin *wk = arg;
  int rc;
  if (wk->online && (rc = counter_walkin_phone_used(ctx, wk, id, ei))) return rc;
  if ((rc = db_run(ctx->db,
                   "UPDATE bookings SET status = 'confirmed', confirmed_at = $now,"
                   " confirmed_by = $by, hold_expires_at = NULL, walkin_name = $name,"
                   " walkin_phone = $phone WHERE id = $id AND status = 'held'",
                   DB_I("$now", ctx->now),
                   /* on the web nobody need be signed in: confirmed by nobody */
                   ctx->actor.account_id ? DB_I("$by", ctx->actor.account_id) : DB_T("$by", NULL),
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

/* The name and the phone of a walk-in into WK; 1 when either is wrong. */
static int who_fields(const json_t *body, struct walkin *wk, struct kerrinfo *ei) {
  int bad = 0, rc;
  const char *m;
  rc = input_text(body, "name", wk->name, sizeof wk->name);
  if (rc == INPUT_MISSING) {
    kerr_field(ei, "name", "利用される方のお名前を入力してください。");
    bad = 1;
  } else if (rc != INPUT_OK || text_utf8_len(wk->name) > NAME_MAX_CHARS ||
             text_has_control(wk->name)) {
    kerr_field(ei, "name", "お名前は50文字以内で入力してください。");
    bad = 1;
  }
  rc = input_text(body, "phone", wk->phone, sizeof wk->phone);
  if (rc == INPUT_OK) text_fold_phone(wk->phone); /* ０２７ー… */
  if (rc == INPUT_MISSING) {
    kerr_field(ei, "phone", "連絡先の電話番号を入力してください。");
    bad = 1;
  } else if (rc != INPUT_OK) {
    kerr_field(ei, "phone", "電話番号は半角の数字とハイフン（-）で入力してください。");
    bad = 1;
  } else if ((m = accounts_check_phone(wk->phone))) {
    kerr_field(ei, "phone", m);
    bad = 1;
  }
  return bad;
}

/* On the web, attendees and purpose are asked of the person (nobody is
** there to ask them): missing ones are errors with the rest; their shape
** is the booking engine's to check. 1 when one is missing or not a number. */
static int online_fields(struct kctx *ctx, const json_t *body, struct kerrinfo *ei) {
  long long n;
  char probe[8];
  int bad = 0, rc = input_int(body, "attendees", ctx->form, 1, 100000, &n);
  if (rc != INPUT_OK) {
    kerr_field(ei, "attendees", input_int_message(body, "attendees", ctx->form,
                                                  "利用する人数を1以上の数で入力してください。"));
    bad = 1;
  }
  if (input_text(body, "purpose", probe, sizeof probe) == INPUT_MISSING) {
    kerr_field(ei, "purpose", "利用目的を入力してください（例: 勉強、打ち合わせ）。");
    bad = 1;
  }
  return bad;
}

int counter_walkin_fields(struct kctx *ctx, const json_t *body, struct walkin *wk,
                          struct kerrinfo *ei) {
  char date[16];
  int32_t today = clock_today(ctx->now), day;
  int bad = who_fields(body, wk, ei), rc;
  if (!wk->online) {
    rc = input_text(body, "payment_method", wk->method, sizeof wk->method);
    if (rc == INPUT_BAD || (rc == INPUT_OK && !payment_method_valid(wk->method))) {
      char msg[400];
      payment_method_refusal(msg, sizeof msg, "後で支払う場合は空欄にしてください。");
      kerr_field(ei, "payment_method", msg);
      bad = 1;
    }
  } else {
    bad |= online_fields(ctx, body, ei);
  }
  rc = input_text(body, "date", date, sizeof date);
  if (rc == INPUT_BAD || (rc == INPUT_OK && (date_parse(date, &day) != 0 || day != today))) {
    char d[48], msg[200];
    clock_jdate(today, d, sizeof d);
    snprintf(msg, sizeof msg, "%sの当日利用は今日（%s）の分だけ受け付けます。",
             wk->online ? "登録なし" : "窓口", d);
    kerr_field(ei, "date", msg);
    bad = 1;
  }
  json_t *g = json_object_get(body, "group_id");
  if (g && !json_is_null(g) && !(json_is_string(g) && !*json_string_value(g))) {
    kerr_field(ei, "group_id",
               "当日利用（登録なし）は個人の受付です。団体の予約は団体の代表者の利用者番号で行ってください。");
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
  return bad ? KERR_VALIDATION : 0;
}

json_t *counter_walkin_request(const struct kctx *ctx, const json_t *body) {
  char today_s[11];
  date_format(clock_today(ctx->now), today_s);
  json_t *req = json_deep_copy(body);
  if (!req) return NULL;
  json_object_set_new(req, "date", json_string(today_s));
  json_object_del(req, "group_id");
  /* attendees and purpose may be left out at the counter (CONTRACT.md) */
  long long n;
  char probe[8];
  if (input_int(body, "attendees", ctx->form, 0, 0, &n) == INPUT_MISSING)
    json_object_set_new(req, "attendees", json_integer(1));
  if (input_text(body, "purpose", probe, sizeof probe) == INPUT_MISSING)
    json_object_set_new(req, "purpose", json_string(WALKIN_PURPOSE));
  return req;
}

int counter_walkin_book(struct kctx *ctx, const json_t *body, struct walkin *wk,
                        const char *event, json_t **out, struct kerrinfo *ei) {
  int rc;
  *out = NULL;
  /* RULE: same-day walk-in (same_day.counter or same_day.online, or a campaign
  ** day's free room): core/bookable.c decides, as the booking's channel
  ** BK_WALKIN at the counter or BK_SAMEDAY on the web. */
  json_t *req = counter_walkin_request(ctx, body);
  if (!req) return kerr_set(ei, KERR_INTERNAL, NULL);
  struct booking_for f = {.holder = 0, .then = walkin_then, .arg = wk, .event = event, .walkin = 1};
  rc = booking_create_for(ctx, req, NULL, &f, out, NULL, ei);
  json_decref(req);
  if (rc) return rc;
  json_object_set_new(*out, "walkin", json_true());
  json_object_set_new(*out, "holder", json_pack("{s:s, s:s, s:s}", "kind", "walkin", "name",
                                                wk->name, "phone", wk->phone));
  add_money(ctx, *out);
  return 0;
}

int counter_walkin(struct kctx *ctx, const json_t *body, json_t **out, struct kerrinfo *ei) {
  struct walkin wk;
  int rc;
  *out = NULL;
  memset(&wk, 0, sizeof wk);
  if (!desk_is_staff(ctx)) return desk_forbidden(ei);
  if ((rc = desk_check_open(ctx, ei))) return rc;
  /* The walk-in's own fields; the booking's (room, slots, attendees,
  ** purpose) are checked by the booking engine. */
  if ((rc = counter_walkin_fields(ctx, body, &wk, ei))) return rc;
  struct kctx c = *ctx;
  c.channel = "counter";
  return counter_walkin_book(&c, body, &wk, "counter.walkin", out, ei);
}

/* ================================================= check-in, no-show */

void counter_use_span(const struct kctx *ctx, const struct booking *b, int64_t *start,
                      int64_t *end) {
  const struct rules *r = booking_rules(ctx, b);
  int32_t day = 0;
  int first, last;
  *start = *end = 0;
  if (date_parse(b->date, &day)) return;
  slot_span(r, b->slots, &first, &last);
  if (first < 0) return;
  *start = clock_local(day, r->slots[first].start);
  *end = clock_local(day, r->slots[last].end);
}

int64_t counter_noshow_from(const struct kctx *ctx, const struct booking *b) {
  /* RULE: no-show grace (noshow.grace_minutes, the version the booking was
  ** made under): not before the first slot's start plus the grace. */
  const struct rules *r = booking_rules(ctx, b);
  int64_t start, end;
  counter_use_span(ctx, b, &start, &end);
  return start && r ? start + (int64_t)r->noshow_grace_min * 60 : 0;
}

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
  case BOOKING_NO_SHOW: return "来館なしとして記録済み";
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
  int rc;
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
  int64_t start, end;
  counter_use_span(ctx, &b, &start, &end);
  if (!end) end = clock_local(day + 1, 0);
  if (day < today || ctx->now >= end) {
    clock_jtime(end, t, sizeof t);
    return kerr_set(ei, KERR_CONFLICT, "この予約の利用時間（%s %sまで）は終わっています。", d, t);
  }
  return mark_and_reply(ctx, id, 0, out, ei);
}

int counter_noshow(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei) {
  struct booking b;
  char d[48], s[16];
  int rc;
  enum booking_status status;
  if ((rc = desk_begin(ctx, id, &b, &status, out, ei))) return rc;
  if (status == BOOKING_NO_SHOW) return reply_booking(ctx, id, out, ei); /* a second click */
  if (status != BOOKING_CONFIRMED)
    return kerr_set(ei, KERR_CONFLICT, "この予約は%sのため、来館なしにできません。",
                    status_words(status));
  int64_t from = counter_noshow_from(ctx, &b), start, end;
  if (!from) return kerr_set(ei, KERR_INTERNAL, NULL);
  if (ctx->now < from) {
    counter_use_span(ctx, &b, &start, &end);
    clock_jinstant(from, d, sizeof d);
    clock_jtime(start, s, sizeof s);
    return kerr_set(ei, KERR_TOO_EARLY,
                    "来館なしとして記録できるのは%sからです（利用開始 %s の%d分後）。", d, s,
                    (int)((from - start) / 60));
  }
  return mark_and_reply(ctx, id, 1, out, ei);
}
