/*
** core/desk.c: who acts at the counter and when it is open (see desk.h).
*/
#include "desk.h"

#include <assert.h>
#include <stdio.h>

#include "clock.h"

int desk_is_staff(const struct kctx *ctx) { return (ctx->actor.role & ROLE_DESK) != 0; }

int desk_forbidden(struct kerrinfo *ei) {
  return kerr_set(ei, KERR_FORBIDDEN, "窓口の操作は職員のアカウントで行ってください。");
}

int desk_check_open(const struct kctx *ctx, struct kerrinfo *ei) {
  const struct rules *r = rules_current(ctx->rb, ctx->now);
  /* RULE: counter hours (窓口受付時間の統一), the same at every centre; both
  ** minutes included (08:30-17:15 accepts at 17:15, not at 17:16). */
  if (r && rules_counter_open(r, ctx->now)) return 0;
  char hours[256], day[48], now[64];
  const char *why = NULL;
  int32_t today = clock_today(ctx->now);
  rules_counter_hours_text(r, hours, sizeof hours);
  clock_jdate(today, day, sizeof day);
  clock_jinstant(ctx->now, now, sizeof now);
  const char *holiday = r && r->counter_closed_on_holidays ? rules_holiday(r, today) : NULL;
  if (holiday)
    return kerr_set(ei, KERR_COUNTER_HOURS,
                    "%sは祝日（%s）のため、窓口の受付はありません。部屋は予約どおり使えます。"
                    "窓口の受付は%sです。",
                    day, holiday, hours);
  if (r && rules_counter_closed(r, today, &why))
    return kerr_set(ei, KERR_COUNTER_HOURS,
                    "%sは休館日（%s）のため、窓口の受付はありません。窓口の受付は%sです。", day,
                    why ? why : "休館日", hours);
  return kerr_set(ei, KERR_COUNTER_HOURS,
                  "窓口の受付時間外です（%s）。窓口の受付は%sです。"
                  "インターネットでの予約は24時間できます。",
                  now, hours);
}

int desk_enter(const struct kctx *ctx, struct kctx *out, struct kerrinfo *ei) {
  *out = *ctx;
  if (!desk_is_staff(ctx)) return 0;
  int rc = desk_check_open(ctx, ei);
  if (rc) return rc;
  out->channel = "counter";
  return 0;
}

int desk_open_day(const struct rules *r, int32_t day) {
  if (!r || !(r->counter_weekdays & (1u << date_weekday(day)))) return 0;
  if (rules_counter_closed(r, day, NULL)) return 0;
  return !(r->counter_closed_on_holidays && rules_holiday(r, day));
}

int64_t desk_pay_by(const struct rules *r, int64_t start, int64_t now) {
  int32_t use = clock_today(start);
  for (int32_t day = use; day >= use - 60 && day >= clock_today(now); day--) {
    if (!desk_open_day(r, day)) continue;
    int64_t opens = clock_local(day, r->counter_open), closes = clock_local(day, r->counter_close);
    if (closes > start) closes = start;
    if (opens >= closes) continue;  /* the use starts before the counter opens */
    return closes > now ? closes : 0; /* 0: the last sitting before the use is over */
  }
  return 0;
}

int64_t desk_next_open(const struct rules *r, int64_t t) {
  int32_t first = clock_today(t);
  for (int32_t day = first; day <= first + 60; day++) {
    if (!desk_open_day(r, day)) continue;
    int64_t opens = clock_local(day, r->counter_open), closes = clock_local(day, r->counter_close);
    if (closes <= t) continue;
    return opens > t ? opens : t;
  }
  return 0;
}
