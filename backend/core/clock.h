/*
** core/clock.h: the one reader of the clock, and date arithmetic.
**
** Instants are UTC epoch seconds. Dates are day numbers (days since
** 1970-01-01) or "YYYY-MM-DD" strings, always in Asia/Tokyo. Japan has kept
** UTC+9 without daylight saving since 1951, so local time is a fixed offset
** and the machine's TZ setting never matters.
**
** KOMINKAN_NOW=2026-04-01T09:00:00+09:00 in the environment fixes the clock
** (tests, demos); clock_set() does the same from C.
*/
#ifndef KOMINKAN_CORE_CLOCK_H
#define KOMINKAN_CORE_CLOCK_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define JST_OFFSET (9 * 3600)

/* Read KOMINKAN_NOW once. Returns -1 (and leaves the clock real) when it is
** set but not a valid instant. */
int clock_init_from_env(void);
int64_t clock_now(void);
void clock_set(int64_t t);           /* fix the clock; t < 0 makes it real again */
int clock_is_fixed(void);

/* Strict ISO 8601 instant with offset or Z ("2026-04-01T09:00:00+09:00"). */
int clock_parse_instant(const char *s, int64_t *out);
/* "2026-04-01T09:00:00+09:00" (JST). OUT holds at least 26 bytes. */
void clock_format_instant(int64_t t, char *out);
/* The same as a new JSON string (NULL when out of memory). */
json_t *clock_instant_json(int64_t t);

/* Dates and times in plain Japanese, for messages, mails and pages alike
** (OUT of N bytes; 48 is enough): one form everywhere, the weekday in
** full-width parentheses:
** clock_jdate "2026年6月10日（水）", clock_jdate_md "6月10日（水）",
** clock_jdate_d "10日（水）" (a month's table), clock_jdate_short "2026年6月10日",
** clock_jtime "9:45", clock_jinstant "2026年4月1日（水）9:00",
** clock_jminutes MINUTES after midnight as "9:45"; clock_hhmm writes MINUTES
** after midnight as "09:45" into OUT (6 bytes). clock_weekday_jp: "日".."土"
** for WEEKDAY 0 (Sunday) .. 6, the one weekday table. */
const char *clock_weekday_jp(int weekday);
void clock_jdate(int32_t day, char *out, size_t n);
void clock_jdate_md(int32_t day, char *out, size_t n);
void clock_jdate_d(int32_t day, char *out, size_t n);
void clock_jdate_short(int32_t day, char *out, size_t n);
void clock_jtime(int64_t t, char *out, size_t n);
void clock_jinstant(int64_t t, char *out, size_t n);
void clock_jminutes(int minutes, char *out, size_t n);
void clock_hhmm(int minutes, char *out);

/* Strict "YYYY-MM-DD" of a real calendar date (2026-02-30 fails). */
int date_parse(const char *s, int32_t *day);
void date_format(int32_t day, char *out);          /* OUT holds 11 bytes */
int32_t date_from_ymd(int y, int m, int d);
void date_to_ymd(int32_t day, int *y, int *m, int *d);
int date_days_in_month(int y, int m);
int date_weekday(int32_t day);                      /* 0 = Sunday .. 6 = Saturday */
int date_nth_weekday(int32_t day);                  /* 1 for the first such weekday of its month */
int32_t date_add_months(int32_t day, int months);   /* same day number clamped to month end */
int32_t date_fiscal_year_end(int32_t day);          /* the next 31 March on or after DAY */

/* "HH:MM" -> minutes after midnight, -1 if malformed. */
int time_parse_hhmm(const char *s);

int32_t clock_today(int64_t now);                   /* the JST date of NOW */
int clock_minute_of_day(int64_t now);               /* JST minutes after midnight */
int64_t clock_local(int32_t day, int minute);       /* JST DAY at MINUTE -> epoch */

#endif
