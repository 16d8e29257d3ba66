/*
** core/bookable.c: can this slot be booked now, through which channel (see
** bookable.h). Every rule here comes from the rule book.
*/
#include "bookable.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"

const struct rules *bookable_rules_now(const struct kctx *ctx) {
  const struct rules *r = rules_in_force(ctx->rb, clock_today(ctx->now));
  if (!r && ctx->rb && ctx->rb->nversions > 0) r = &ctx->rb->versions[0];
  return r;
}

enum bk_channel bookable_channel(const struct kctx *ctx) {
  return ctx->channel && !strcmp(ctx->channel, "counter") ? BK_COUNTER : BK_ONLINE;
}

/* same_day.until is "slot_end" (else a same-day slot is taken until it starts). */
static int until_slot_end(const struct rules *r) {
  json_t *u = json_object_get(json_object_get(r->json, "same_day"), "until");
  return json_is_string(u) && !strcmp(json_string_value(u), "slot_end");
}

/* RULE: same-day walk-in. Whether R lets ROOM be taken on DAY without
** registration through CH: at the counter (BK_WALKIN) when same_day.counter,
** on the web (BK_SAMEDAY) when same_day.online, unless the rule book says
** same_day.registration_required; through either on a campaign day that makes
** the room free and registration-free. */
static int walkin_open(const struct rules *r, enum bk_channel ch) {
  json_t *reg = json_object_get(json_object_get(r->json, "same_day"), "registration_required");
  return (ch == BK_WALKIN ? r->same_day_counter : r->same_day_online) && !json_is_true(reg);
}

static int walkin_allowed(const struct rules *r, enum bk_channel ch, const struct room *room,
                          int32_t day) {
  return walkin_open(r, ch) || rules_campaign(r, room, day);
}

int bookable_sameday_open(const struct kctx *ctx) {
  const struct rules *r = bookable_rules_now(ctx);
  return r && walkin_open(r, BK_SAMEDAY);
}

/* Whether the counter of R sits at some minute of DAY before DEADLINE, from
** NOW on: the place a same-day booking that the web refuses can still be made. */
static int counter_sits(const struct rules *r, int32_t day, int64_t now, int64_t deadline) {
  if (!(r->counter_weekdays & (1u << date_weekday(day)))) return 0;
  if (rules_counter_closed(r, day, NULL)) return 0;
  int64_t open = clock_local(day, r->counter_open), close = clock_local(day, r->counter_close) + 60;
  if (deadline < close) close = deadline;
  if (now > open) open = now;
  return open < close;
}

/* RULE: the city's own closures (schema/020, core/closures.c): a centre or
** one room closed for a range of dates, unless lifted. ROOM_ID 0: only the
** closures of the whole centre. */
static int city_closed(const struct kctx *ctx, const char *center, int64_t room_id, int32_t day,
                       char *why, size_t n) {
  char d[11];
  if (!ctx->db || !center) return 0;
  date_format(day, d);
  /* Almost always there is none: a plain look first, which needs no sort;
  ** the ordered query (a temporary b-tree each time) only for a closure. */
  if (!db_exists(ctx->db,
                 "SELECT 1 FROM closures WHERE center = $c AND lifted_at IS NULL"
                 " AND date_from <= $d AND date_to >= $d"
                 " AND (room_id IS NULL OR room_id = $room)",
                 DB_T("$c", center), DB_T("$d", d), DB_I("$room", room_id)))
    return 0;
  kstmt *st = db_prep(ctx->db,
                      "SELECT reason FROM closures WHERE center = $c AND lifted_at IS NULL"
                      " AND date_from <= $d AND date_to >= $d"
                      " AND (room_id IS NULL OR room_id = $room) ORDER BY room_id IS NOT NULL, id"
                      " LIMIT 1");
  if (!st) return 0;
  db_bind_text(st, "$c", center);
  db_bind_text(st, "$d", d);
  db_bind_int(st, "$room", room_id);
  int hit = db_step(st) == DB_ROW;
  if (hit && why && n) snprintf(why, n, "%s", db_col_text(st, 0));
  db_reset(st);
  return hit;
}

int bookable_closed(const struct kctx *ctx, const char *center, const struct room *room,
                    int32_t day, char *why, size_t n) {
  const char *label = NULL;
  if (why && n) why[0] = 0;
  if (rules_closed(rules_in_force(ctx->rb, day), center, day, &label)) {
    if (why && n) snprintf(why, n, "%s", label ? label : "休館日");
    return 1;
  }
  return city_closed(ctx, center, room ? room->id : 0, day, why, n);
}

int bookable_taken(const struct kctx *ctx, const struct room *room, int32_t day, int slot) {
  const struct rules *use = rules_in_force(ctx->rb, day);
  char d[11];
  if (!ctx->db || !room || !use || slot < 0 || slot >= use->nslots) return 0;
  date_format(day, d);
  /* a lapsed hold frees its slot at its expiry, swept or not */
  return db_exists(ctx->db,
                   "SELECT 1 FROM booking_slots WHERE room_id = $room AND date = $d"
                   " AND slot = $slot AND active = 1"
                   " AND (hold_expires_at IS NULL OR hold_expires_at > $now)",
                   DB_I("$room", room->id), DB_T("$d", d), DB_T("$slot", use->slots[slot].code),
                   DB_I("$now", ctx->now)) == 1;
}

static void soonest(int64_t *at, int64_t t, int64_t now) {
  if (t > now && t < *at) *at = t;
}

enum bk_answer bookable_check(const struct kctx *ctx, enum bk_channel ch, const struct room *room,
                              int32_t day, int slot, struct bookable *why) {
  const struct rules *use = rules_in_force(ctx->rb, day), *now_r = bookable_rules_now(ctx);
  int64_t now = ctx->now;
  memset(why, 0, sizeof *why);
  why->changes_at = INT64_MAX;
  why->answer = BK_NO_RULES;
  if (!use || !now_r || slot < 0 || slot >= use->nslots) return why->answer;
  why->campaign = rules_campaign(use, room, day);
  why->opens_at = rules_booking_opens(now_r, day);

  /* RULE: closed days (version in force on the use date) and the city's
  ** closures of the centre or the room. */
  if (bookable_closed(ctx, room->center->code, room, day, why->closed_text,
                      sizeof why->closed_text)) {
    why->closed_label = why->closed_text;
    return why->answer = BK_CLOSED;
  }

  /* RULE: campaign days. The campaign's rooms are that day's, for anyone who
  ** comes, without registration (a walk-in at the counter or BK_SAMEDAY on the
  ** web): they are never booked ahead, online or at the counter. From the
  ** day's midnight they are same-day slots like any other. */
  int32_t today = clock_today(now);
  if (why->campaign && (ch == BK_ONLINE || ch == BK_COUNTER) && day > today) {
    soonest(&why->changes_at, clock_local(day, 0), now);
    return why->answer = BK_CAMPAIGN;
  }

  /* RULE: online booking of a slot until its start (or the rule book's
  ** minutes before it); the counter until its start; a same-day walk-in until
  ** its start or, when same_day.until says so, its end. */
  const struct slotdef *sd = &use->slots[slot];
  int64_t start = clock_local(day, sd->start), midnight = clock_local(day, 0);
  int64_t online_until = start - (int64_t)now_r->online_until_min * 60;
  int walkin = ch == BK_WALKIN || ch == BK_SAMEDAY;
  int64_t desk_until = walkin && until_slot_end(now_r) ? clock_local(day, sd->end) : start;
  /* RULE: same_day.online false: on the use date itself, only the counter. */
  if (!now_r->same_day_online && online_until > midnight) {
    online_until = midnight;
    why->same_day_counter_only = 1;
  }
  why->online_until = online_until;
  why->until = ch == BK_ONLINE ? online_until : desk_until;
  soonest(&why->changes_at, why->opens_at, now);
  soonest(&why->changes_at, online_until, now);
  soonest(&why->changes_at, desk_until, now);

  /* RULE: booking window, identical for every centre and every kind of user. */
  if (now < why->opens_at) return why->answer = BK_NOT_YET;
  if (ch == BK_ONLINE && now >= online_until && now < desk_until &&
      counter_sits(now_r, day, now, desk_until))
    return why->answer = BK_COUNTER_ONLY;
  if (now >= why->until) return why->answer = BK_OVER;
  if (!walkin) return why->answer = BK_OPEN;
  /* RULE: same-day use without registration: today's slots only. */
  if (day != today) return why->answer = BK_NO_WALKIN;
  /* RULE: same_day.online false: the web takes no same-day use at all, with
  ** an account or without; the counter may (BK_COUNTER_ONLY says where). */
  if (ch == BK_SAMEDAY && !now_r->same_day_online)
    return why->answer = counter_sits(now_r, day, now, desk_until) ? BK_COUNTER_ONLY : BK_NO_WALKIN;
  if (!walkin_allowed(now_r, ch, room, day)) return why->answer = BK_NO_WALKIN;
  return why->answer = BK_OPEN;
}

const char *bookable_code(enum bk_answer a) {
  static const char *const codes[] = {"open",      "closed",   "not_yet",     "over",
                                      "counter_only", "no_walkin", "no_rules", "campaign_day"};
  return (unsigned)a < sizeof codes / sizeof codes[0] ? codes[a] : "no_rules";
}

enum avail_state bookable_avail_state(enum bk_answer a) {
  return a == BK_OPEN || a == BK_NOT_YET || a == BK_COUNTER_ONLY || a == BK_CAMPAIGN ? AVAIL_FREE
                                                                                   : AVAIL_CLOSED;
}

const char *bookable_label(enum bk_answer a) {
  static const char *const labels[] = {"予約できます", "休館",     "受付前",  "受付終了",
                                       "窓口のみ",     "登録が必要", "受付なし", "当日のみ"};
  return (unsigned)a < sizeof labels / sizeof labels[0] ? labels[a] : "受付なし";
}

int bookable_refuse(const struct kctx *ctx, const struct room *room, int32_t day, int slot,
                    const struct bookable *why, struct kerrinfo *ei) {
  char d[48], when[64];
  const struct rules *use = rules_in_force(ctx->rb, day);
  const char *label = use && slot >= 0 && slot < use->nslots ? use->slots[slot].label : "";
  clock_jdate(day, d, sizeof d);
  switch (why->answer) {
  case BK_OPEN:
    return 0;
  case BK_CLOSED:
    return kerr_set(ei, KERR_CLOSED, "%sは%sの休館日です（%s）。", d, room->center->name,
                    why->closed_label ? why->closed_label : "休館日");
  case BK_NOT_YET:
    clock_jinstant(why->opens_at, when, sizeof when);
    return kerr_set(ei, KERR_OUTSIDE_WINDOW, "%sの予約は%sから受け付けます。", d, when);
  case BK_COUNTER_ONLY:
    if (why->same_day_counter_only)
      return kerr_set(ei, KERR_OUTSIDE_WINDOW,
                      "当日（%s）の予約は、インターネットでは受け付けていません。"
                      "%sの窓口（電話 %s）で申し込んでください。",
                      d, room->center->name, room->center->phone);
    clock_jinstant(why->online_until, when, sizeof when);
    return kerr_set(ei, KERR_OUTSIDE_WINDOW,
                    "%s%sの予約のインターネットでの受付は%sまでで、終了しました。"
                    "%sの窓口（電話 %s）で申し込んでください。",
                    d, label, when, room->center->name, room->center->phone);
  case BK_NO_WALKIN:
    if (day != clock_today(ctx->now)) {
      clock_jdate(clock_today(ctx->now), when, sizeof when);
      return kerr_set(ei, KERR_OUTSIDE_WINDOW,
                      "登録なしで使えるのは、今日（%s）の空いている時間帯だけです。"
                      "%sの予約には、利用者登録が必要です。",
                      when, d);
    }
    return kerr_set(ei, KERR_OUTSIDE_WINDOW,
                    "登録なしの当日利用は、今日は%sでは受け付けていません。"
                    "利用者登録をして予約してください。",
                    room->name);
  case BK_CAMPAIGN:
    return kerr_set(ei, KERR_CAMPAIGN_DAY,
                    "%sは%sのため、%sは当日、登録なしで使えます（無料。事前の予約はできません）。",
                    d, why->campaign ? why->campaign->name : "キャンペーンの日", room->name);
  case BK_OVER:
    clock_jinstant(why->until, when, sizeof when);
    return kerr_set(ei, KERR_OUTSIDE_WINDOW, "%s%sの予約の受付は%sまでで、終了しました。", d,
                    label, when);
  default:
    return kerr_set(ei, KERR_OUTSIDE_WINDOW, "%sの予約は受け付けていません。", d);
  }
}
