/*
** core/clock.c: the clock and the calendar (see clock.h).
**
** Civil-date conversions use the proleptic Gregorian algorithm on day numbers
** (days since 1970-01-01), valid far beyond any booking horizon.
*/
#include "clock.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static _Atomic int64_t fixed_now = -1;

int clock_init_from_env(void) {
  const char *s = getenv("KOMINKAN_NOW");
  int64_t t;
  if (!s || !*s) return 0;
  if (clock_parse_instant(s, &t) != 0) return -1;
  clock_set(t);
  return 0;
}

int64_t clock_now(void) {
  int64_t f = atomic_load(&fixed_now);
  return f >= 0 ? f : (int64_t)time(NULL);
}

void clock_set(int64_t t) { atomic_store(&fixed_now, t < 0 ? -1 : t); }
int clock_is_fixed(void) { return atomic_load(&fixed_now) >= 0; }

/* ------------------------------------------------------------- calendar */

int32_t date_from_ymd(int y, int m, int d) {
  y -= m <= 2;
  int era = (y >= 0 ? y : y - 399) / 400;
  int yoe = y - era * 400;
  int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void date_to_ymd(int32_t z, int *y, int *m, int *d) {
  z += 719468;
  int era = (z >= 0 ? z : z - 146096) / 146097;
  int doe = z - era * 146097;
  int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp + (mp < 10 ? 3 : -9);
  *y = yoe + era * 400 + (*m <= 2);
}

static int leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int date_days_in_month(int y, int m) {
  static const int n[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12) return 0;
  return m == 2 && leap(y) ? 29 : n[m - 1];
}

int date_weekday(int32_t day) {
  int w = (int)((day + 4) % 7); /* 1970-01-01 was a Thursday */
  return w < 0 ? w + 7 : w;
}

int date_nth_weekday(int32_t day) {
  int y, m, d;
  date_to_ymd(day, &y, &m, &d);
  return (d - 1) / 7 + 1;
}

int32_t date_add_months(int32_t day, int months) {
  int y, m, d;
  date_to_ymd(day, &y, &m, &d);
  int idx = y * 12 + (m - 1) + months;
  y = idx / 12;
  m = idx % 12 + 1;
  int dim = date_days_in_month(y, m);
  return date_from_ymd(y, m, d > dim ? dim : d);
}

int32_t date_fiscal_year_end(int32_t day) {
  int y, m, d;
  date_to_ymd(day, &y, &m, &d);
  return date_from_ymd(m <= 3 ? y : y + 1, 3, 31);
}

static int digits(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 0;
}

int date_parse(const char *s, int32_t *day) {
  int y, m, d;
  if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return -1;
  if (digits(s, 4, &y) || digits(s + 5, 2, &m) || digits(s + 8, 2, &d)) return -1;
  if (y < 1900 || m < 1 || m > 12 || d < 1 || d > date_days_in_month(y, m)) return -1;
  *day = date_from_ymd(y, m, d);
  return 0;
}

void date_format(int32_t day, char *out) {
  int y, m, d;
  char tmp[32];
  date_to_ymd(day, &y, &m, &d);
  snprintf(tmp, sizeof tmp, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
           (unsigned)d % 100u);
  memcpy(out, tmp, 11);
}

int time_parse_hhmm(const char *s) {
  int h, m;
  if (!s || strlen(s) != 5 || s[2] != ':') return -1;
  if (digits(s, 2, &h) || digits(s + 3, 2, &m)) return -1;
  if (h > 24 || m > 59 || (h == 24 && m != 0)) return -1;
  return h * 60 + m;
}

int clock_parse_instant(const char *s, int64_t *out) {
  int32_t day;
  int hh, mm, ss, oh, om;
  char date[11];
  if (!s || strlen(s) < 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':') return -1;
  memcpy(date, s, 10);
  date[10] = 0;
  if (date_parse(date, &day)) return -1;
  if (digits(s + 11, 2, &hh) || digits(s + 14, 2, &mm) || digits(s + 17, 2, &ss)) return -1;
  if (hh > 23 || mm > 59 || ss > 59) return -1;
  const char *z = s + 19;
  int offset;
  if (strcmp(z, "Z") == 0) {
    offset = 0;
  } else {
    if (strlen(z) != 6 || (z[0] != '+' && z[0] != '-') || z[3] != ':') return -1;
    if (digits(z + 1, 2, &oh) || digits(z + 4, 2, &om) || oh > 14 || om > 59) return -1;
    offset = (oh * 60 + om) * 60 * (z[0] == '-' ? -1 : 1);
  }
  *out = (int64_t)day * 86400 + hh * 3600 + mm * 60 + ss - offset;
  return 0;
}

static int32_t floordiv(int64_t a, int64_t b) {
  return (int32_t)(a >= 0 ? a / b : -((-a + b - 1) / b));
}

void clock_format_instant(int64_t t, char *out) {
  int64_t local = t + JST_OFFSET;
  int32_t day = floordiv(local, 86400);
  int sec = (int)(local - (int64_t)day * 86400);
  char d[11], tmp[48];
  date_format(day, d);
  snprintf(tmp, sizeof tmp, "%.10sT%02u:%02u:%02u+09:00", d, (unsigned)sec / 3600u % 100u,
           (unsigned)sec / 60u % 60u, (unsigned)sec % 60u);
  memcpy(out, tmp, 26);
}

int32_t clock_today(int64_t now) { return floordiv(now + JST_OFFSET, 86400); }

int clock_minute_of_day(int64_t now) {
  int64_t local = now + JST_OFFSET;
  return (int)((local - (int64_t)floordiv(local, 86400) * 86400) / 60);
}

int64_t clock_local(int32_t day, int minute) {
  return (int64_t)day * 86400 + (int64_t)minute * 60 - JST_OFFSET;
}

/* ------------------------------------------------- in plain Japanese */

json_t *clock_instant_json(int64_t t) {
  char s[26];
  clock_format_instant(t, s);
  return json_string(s);
}

/* The one weekday table of the program: every page, message and mail writes
** a date's weekday through clock_weekday_jp, in full-width parentheses
** （水） as Japanese public documents do. */
static const char *const weekday_jp[7] = {"日", "月", "火", "水", "木", "金", "土"};

const char *clock_weekday_jp(int weekday) { return weekday_jp[((weekday % 7) + 7) % 7]; }

void clock_jdate(int32_t day, char *out, size_t n) {
  int y, m, d;
  date_to_ymd(day, &y, &m, &d);
  snprintf(out, n, "%d年%d月%d日（%s）", y, m, d, clock_weekday_jp(date_weekday(day)));
}

void clock_jdate_md(int32_t day, char *out, size_t n) {
  int y, m, d;
  date_to_ymd(day, &y, &m, &d);
  snprintf(out, n, "%d月%d日（%s）", m, d, clock_weekday_jp(date_weekday(day)));
}

void clock_jdate_d(int32_t day, char *out, size_t n) {
  int y, m, d;
  date_to_ymd(day, &y, &m, &d);
  snprintf(out, n, "%d日（%s）", d, clock_weekday_jp(date_weekday(day)));
}

void clock_jdate_short(int32_t day, char *out, size_t n) {
  int y, m, d;
  date_to_ymd(day, &y, &m, &d);
  snprintf(out, n, "%d年%d月%d日", y, m, d);
}

void clock_jminutes(int minutes, char *out, size_t n) {
  snprintf(out, n, "%d:%02d", minutes / 60 % 100, minutes % 60);
}

void clock_jtime(int64_t t, char *out, size_t n) {
  clock_jminutes(clock_minute_of_day(t), out, n);
}

void clock_jinstant(int64_t t, char *out, size_t n) {
  char d[48], tm[16];
  clock_jdate(clock_today(t), d, sizeof d);
  clock_jtime(t, tm, sizeof tm);
  snprintf(out, n, "%s%s", d, tm);
}

void clock_hhmm(int minutes, char *out) {
  snprintf(out, 6, "%02u:%02u", (unsigned)(minutes / 60) % 100u, (unsigned)minutes % 60u);
}
