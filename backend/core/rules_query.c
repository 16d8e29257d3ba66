/*
** core/rules_query.c: questions asked of a loaded rule book (see rules.h):
** which version is in force, a centre or room by code, closed days, fees,
** windows, campaigns, discounts, holidays, the counter's hours. The loader
** is core/rules.c; the public JSON is core/rules_public.c.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "rules.h"

/* ============================================================== queries */

const struct rules *rules_in_force(const struct rulebook *rb, int32_t day) {
  const struct rules *in_force = NULL;
  if (!rb) return NULL;
  for (int i = 0; i < rb->nversions; i++)
    if (rb->versions[i].effective_from <= day) in_force = &rb->versions[i];
  return in_force;
}

const struct rules *rules_current(const struct rulebook *rb, int64_t now) {
  const struct rules *r = rules_in_force(rb, clock_today(now));
  if (!r && rb && rb->nversions > 0) r = &rb->versions[0];
  return r;
}

const struct rules *rules_of_booking(const struct rulebook *rb, const char *version,
                                     const char *date) {
  for (int i = 0; rb && version && i < rb->nversions; i++)
    if (!strcmp(rb->versions[i].version, version)) return &rb->versions[i];
  int32_t day;
  return date && date_parse(date, &day) == 0 ? rules_in_force(rb, day) : NULL;
}

const struct center *rules_center(const struct rulebook *rb, const char *code) {
  if (!rb || !code) return NULL;
  for (int i = 0; i < rb->ncenters; i++)
    if (strcmp(rb->centers[i].code, code) == 0) return &rb->centers[i];
  return NULL;
}

const struct room *rules_room_by_id(const struct rulebook *rb, int64_t id) {
  if (!rb || id <= 0) return NULL;
  for (int i = 0; i < rb->ncenters; i++)
    for (int j = 0; j < rb->centers[i].nrooms; j++)
      if (rb->centers[i].rooms[j].id == id) return &rb->centers[i].rooms[j];
  return NULL;
}

int rules_slot_index(const struct rules *r, const char *code) {
  if (!r || !code) return -1;
  for (int i = 0; i < r->nslots; i++)
    if (strcmp(r->slots[i].code, code) == 0) return i;
  return -1;
}

/* RULE: closed days (1st and 3rd Monday, 12/29-1/3, per-centre dates).
** A rule naming no centre applies to every centre; CENTER NULL or "" asks
** about rules for every centre only. */
/* The first closed[] entry of R that closes DAY at CENTER (NULL: only those of
** every centre), skipping those whose counter works when COUNTER is set. */
static int closed_on(const struct rules *r, const char *center, int32_t day, const char **label,
                     int counter) {
  int y, m, d;
  if (!r) return 0;
  date_to_ymd(day, &y, &m, &d);
  int wd = date_weekday(day), md = m * 100 + d;
  for (int i = 0; i < r->nclosed; i++) {
    const struct closed_rule *cr = &r->closed[i];
    int hit = 0;
    if (cr->center[0] && (!center || strcmp(cr->center, center) != 0)) continue;
    if (counter && cr->counter_open) continue;
    switch (cr->kind) {
    case CLOSED_WEEKDAY_OF_MONTH:
      hit = wd == cr->weekday && (cr->nth_mask & (1u << date_nth_weekday(day)));
      break;
    case CLOSED_WEEKLY:
      hit = wd == cr->weekday;
      break;
    case CLOSED_YEARLY:
      hit = cr->from_md <= cr->to_md ? md >= cr->from_md && md <= cr->to_md
                                     : md >= cr->from_md || md <= cr->to_md;
      break;
    case CLOSED_DATE:
      hit = day == cr->date;
      break;
    case CLOSED_HOLIDAYS:
      hit = rules_holiday(r, day) != NULL;
      break;
    }
    if (hit) {
      if (label) *label = cr->label;
      return 1;
    }
  }
  return 0;
}

int rules_closed(const struct rules *r, const char *center, int32_t day, const char **label) {
  return closed_on(r, center, day, label, 0);
}

int rules_counter_closed(const struct rules *r, int32_t day, const char **label) {
  return closed_on(r, NULL, day, label, 1);
}

int rules_fee(const struct rules *r, const char *fee_class, int slot_index) {
  if (!r || !fee_class || slot_index < 0 || slot_index >= r->nslots) return -1;
  for (int i = 0; i < r->nfee_classes; i++)
    if (strcmp(r->fee_classes[i].code, fee_class) == 0) return r->fee_classes[i].yen[slot_index];
  return -1;
}

/* RULE: one booking window for every centre and every kind of user. Booking
** for DAY opens at opens_at on day opens_day of the month opens_months_before
** months before DAY's month (2 months, 1st, 09:00: a use date in January 2027
** opens on 2026-11-01 at 09:00 JST). */
const struct round_rule *rules_round(const struct rules *r, const char *code) {
  for (int i = 0; r && i < r->nrounds; i++)
    if (!strcmp(r->rounds[i].code, code)) return &r->rounds[i];
  return NULL;
}

void rules_round_period(const struct round_rule *rr, int32_t month1, int64_t *from,
                        int64_t *until) {
  int y, m, d;
  date_to_ymd(date_add_months(month1, -rr->months_before), &y, &m, &d);
  *from = clock_local(date_from_ymd(y, m, rr->from_day), 0);
  *until = clock_local(date_from_ymd(y, m, rr->until_day) + 1, 0);
}

int64_t rules_booking_opens(const struct rules *r, int32_t day) {
  int y, m, d;
  date_to_ymd(day, &y, &m, &d);
  int32_t month = date_add_months(date_from_ymd(y, m, 1), -r->opens_months_before);
  date_to_ymd(month, &y, &m, &d);
  int dim = date_days_in_month(y, m);
  return clock_local(date_from_ymd(y, m, r->opens_day > dim ? dim : r->opens_day), r->opens_at);
}

/* RULE: campaign days. A campaign matches DAY when every condition it sets
** (weekday, day of month, date) holds, and ROOM when the room's kind is one
** of its kinds (or it names none). The first matching campaign wins. */
const struct campaign *rules_campaign(const struct rules *r, const struct room *room,
                                      int32_t day) {
  int y, m, d;
  if (!r || !room) return NULL;
  date_to_ymd(day, &y, &m, &d);
  for (int i = 0; i < r->ncampaigns; i++) {
    const struct campaign *cp = &r->campaigns[i];
    if (cp->weekday >= 0 && date_weekday(day) != cp->weekday) continue;
    if (cp->day_of_month && d != cp->day_of_month) continue;
    if (cp->date && day != cp->date) continue;
    int kind_ok = cp->nroom_kinds == 0;
    for (int k = 0; !kind_ok && k < cp->nroom_kinds; k++)
      kind_ok = strcmp(cp->room_kinds[k], room->kind) == 0;
    if (kind_ok) return cp;
  }
  return NULL;
}

const struct discount_cat *rules_discount(const struct rules *r, const char *code) {
  if (!r || !code) return NULL;
  for (int i = 0; i < r->ndiscounts; i++)
    if (strcmp(r->discounts[i].code, code) == 0) return &r->discounts[i];
  return NULL;
}

/* RULE: counter hours, the same at every centre. Open on the listed weekdays
** from counter_open to counter_close, both minutes included (08:30 to 17:15
** means 17:15 is still open, 17:16 is not), except on days closed at every
** centre (1st and 3rd Monday, year end): nobody sits at a closed counter. */
const char *rules_holiday(const struct rules *r, int32_t day) {
  int lo = 0, hi = r ? r->nholidays - 1 : -1;
  while (lo <= hi) {
    int mid = lo + (hi - lo) / 2;
    if (r->holidays[mid].date == day) return r->holidays[mid].name;
    if (r->holidays[mid].date < day) lo = mid + 1;
    else hi = mid - 1;
  }
  return NULL;
}

void rules_warnings(const struct rulebook *rb, int64_t now, json_t *out) {
  char last[11];
  if (!rb || !out) return;
  if (rb->nholidays == 0) {
    json_array_append_new(out, json_string("holidays.json: no holiday list: the counter will "
                                           "open on national holidays"));
    return;
  }
  int32_t end = rb->holidays[rb->nholidays - 1].date;
  date_format(end, last);
  /* RULE: the holiday list covers the next year as soon as it is published.
  ** The Cabinet Office lists a year's holidays once the 暦要項 fixing its
  ** equinox days is in the official gazette, on the first weekday of
  ** February the year before; until then nobody can add that year, so the
  ** list is asked for the current year only. A year is whole when it reaches
  ** 23 November (勤労感謝の日, the last national holiday of every year). */
  int y, m, d;
  date_to_ymd(clock_today(now), &y, &m, &d);
  int need = m >= 2 ? y + 1 : y;
  if (end < date_from_ymd(need, 11, 23))
    json_array_append_new(out, json_sprintf("holidays.json: the list ends on %s: add %d's "
                                            "holidays from the Cabinet Office's list "
                                            "(内閣府「国民の祝日について」, published each "
                                            "February for the next year)",
                                            last, need));
}

void rules_group_share_words(const struct rules *r, char *out, size_t n) {
  int pct = r->group_resident_percent;
  if (pct == 50) snprintf(out, n, "%s", r->group_resident_at_least ? "半数以上" : "半数を超える人数");
  else snprintf(out, n, "%d%%%s", pct, r->group_resident_at_least ? "以上" : "を超える人数");
}

void rules_counter_hours_text(const struct rules *r, char *out, size_t n) {
  size_t off = 0;
  char a[8], b[8];
  if (!n) return;
  out[0] = 0;
  if (!r) return;
  for (int w = 1; w <= 7 && off < n; w++) /* Monday first, as a week is read */
    if (r->counter_weekdays & (1u << (w % 7)))
      off += (size_t)snprintf(out + off, n - off, "%s%s", off ? "・" : "", clock_weekday_jp(w % 7));
  clock_jminutes(r->counter_open, a, sizeof a);
  clock_jminutes(r->counter_close, b, sizeof b);
  if (off < n)
    off += (size_t)snprintf(out + off, n - off, "曜日の %s から %s まで（%s休館日を除く", a, b,
                            r->counter_closed_on_holidays ? "祝日・" : "");
  int any = 0;
  for (int i = 0; i < r->nclosed && off < n; i++) /* closed days the counter works on */
    if (r->closed[i].counter_open && !r->closed[i].center[0])
      off += (size_t)snprintf(out + off, n - off, "%s%s", any++ ? "・" : "。", r->closed[i].label);
  if (off < n) snprintf(out + off, n - off, "%s）", any ? "は休館日でも受け付けます" : "");
}

int rules_counter_open(const struct rules *r, int64_t now) {
  if (!r) return 0;
  int32_t day = clock_today(now);
  int minute = clock_minute_of_day(now);
  if (!(r->counter_weekdays & (1u << date_weekday(day)))) return 0;
  if (rules_counter_closed(r, day, NULL)) return 0;
  if (r->counter_closed_on_holidays && rules_holiday(r, day)) return 0;
  return minute >= r->counter_open && minute <= r->counter_close;
}

int64_t rules_cancel_fee(const struct rules *r, int64_t fee_total) {
  if (!r || r->cancel_after_deadline_fee < 0) return -1;
  if (fee_total <= 0) return 0;
  return fee_total * r->cancel_after_deadline_fee / 100; /* non-negative: truncates = floors */
}
