/*
** core/reports.h: the figures the working group and the centres' monthly
** statistics need, computed from the system's own records (docs/reports.md
** says what each figure means, for the people who read them).
**
** Sources: availability comes from the rule book (the rooms of the catalogue,
** the slots and closed days of the version in force on each date); use comes
** from the bookings, the record of state, read as of ctx->now (a hold past
** its expiry counts as lapsed whether or not anything has marked it so). The
** usage log (events) tells the story of each change; the reports count the
** outcome. Every figure is keyed by the USE DATE of the booking: a
** cancellation in May of a June booking counts in June.
**
** Nothing here reads a name, a phone or an email: the queries select codes,
** counts, amounts and group ids (counted as distinct, never shown).
**
** Which statuses count:
**   booked    confirmed, checked_in, no_show (the slot was reserved for use)
**   uses      confirmed, checked_in          (booked and not a no-show)
**   held      a hold not yet lapsed          (only ever for slots not started)
**   lapsed    lapsed, or held past its expiry
**   cancelled cancelled
*/
#ifndef KOMINKAN_CORE_REPORTS_H
#define KOMINKAN_CORE_REPORTS_H

#include <jansson.h>
#include <stdint.h>

#include "ctx.h"

/* Dimensions a report can be keyed by; combinations are allowed. The first
** five are "where and when" and have slots available; CHANNEL and
** REGISTRATION describe bookings and have none. Zero: one total row. */
enum {
  RD_CENTER = 1 << 0,
  RD_ROOM = 1 << 1,          /* implies the centre in the key: "chuo/hall" */
  RD_SLOT = 1 << 2,
  RD_WEEKDAY = 1 << 3,
  RD_MONTH = 1 << 4,
  RD_KIND = 1 << 5,          /* the room's kind (ホール, 和室, ...) */
  RD_CHANNEL = 1 << 6,       /* online, counter, form */
  RD_REGISTRATION = 1 << 7,  /* group, individual, walk_in */
  RD_CAMPAIGN = 1 << 8       /* the campaign day (rule book campaign_days) that makes the
                             ** room free: a report keyed by it counts campaign days only,
                             ** their room-slots and the bookings priced under one */
};

/* The longest period one report covers, in days (five years). */
#define REPORTS_MAX_DAYS 1827

/* One row: the figures of one key. Counts of bookings unless named slots. */
struct report_row {
  uint64_t ord;              /* the packed ordinals of the key (internal) */
  char key[96];              /* "chuo", "chuo/hall", "morning", "mon", "2026-05", "mon/morning" */
  char label[192];           /* the same in Japanese: "中央公民館 ホール" */
  int64_t slots_available;   /* room-slots open (closed days excluded); -1 when n/a */
  int64_t slots_booked;      /* room-slots of booked bookings */
  int64_t slots_held;        /* room-slots of holds not yet lapsed */
  int64_t bookings;          /* booked bookings */
  int64_t uses;              /* bookings used: booked and not a no-show */
  int64_t attendees;         /* declared attendees of the uses */
  int64_t cancellations;     /* cancelled bookings */
  int64_t lapsed_holds;      /* holds that lapsed unconfirmed */
  int64_t no_shows;          /* booked, not checked in (set at the counter) */
  int64_t walk_ins;          /* booked without an account (same-day at the counter) */
  int64_t fees_charged;      /* yen owed (調定額): fees of booked bookings + cancellation fees */
  int64_t revenue;           /* yen received (収入額): payments less refunds at the counter */
  int64_t exempted_amount;   /* yen: exemptions (減免) granted on booked bookings */
  int64_t slots_exempted;    /* booked room-slots with an exemption ... */
  int64_t slots_exempted_full; /* ... of which the whole fee was waived */
  int64_t distinct_groups;   /* groups with at least one booked booking */
};

struct report {
  int32_t from, to;          /* use dates, inclusive */
  int dims;
  char center[32];           /* "" = every centre */
  int nrows;
  struct report_row *rows;   /* in the natural order of the key */
  struct report_row total;   /* every row together (distinct groups counted once) */
};

/* "center", "room", "slot", "weekday", "month", "kind", "weekday_slot",
** "center_month", "channel", "registration", "campaign" -> RD_* bits; -1 if
** BY is none of them. */
int reports_dims_parse(const char *by);
/* Every name reports_dims_parse takes, "center, room, ...", into OUT[N]. */
void reports_dims_names(char *out, size_t n);

/* Strict "YYYY-MM" (years 2000..2999) -> the first day of that month. 0 or -1. */
int reports_month_parse(const char *s, int32_t *first);

/* RULE: who reads which centre's figures. Analysts and admins (and callers
** with no role: the command line, unit tests) read every centre's, or the
** one they ask for. Staff read their home centre's only: ASKED NULL or ""
** means it, their own code is accepted, and another centre's is
** KERR_FORBIDDEN; staff with no home centre (or one no longer in the rule
** book) are KERR_FORBIDDEN whatever they ask. A code that is no centre is
** passed through for the caller's validation (422 at center). On success
** *CENTER is the code to report on (NULL: every centre), ASKED or the
** actor's home_center (it lives as long as CTX). */
int reports_scope(const struct kctx *ctx, const char *asked, const char **center,
                  struct kerrinfo *ei);

/* Compute the report of use dates FROM..TO (inclusive) keyed by DIMS, for
** CENTER (a centre code; NULL or "" for every centre). KERR_VALIDATION (with
** field messages) for FROM after TO, a period longer than REPORTS_MAX_DAYS or
** an unknown centre; KERR_FORBIDDEN when the actor may not read CENTER
** (reports_scope: staff get their home centre's, NULL meaning it). On
** success *OUT is the report (reports_free). */
int reports_usage(struct kctx *ctx, int32_t from, int32_t to, int dims, const char *center,
                  struct report **out, struct kerrinfo *ei);
void reports_free(struct report *rep);          /* NULL is a no-op */

/* occupancy = slots_booked / slots_available, or -1 when undefined. */
double reports_occupancy(const struct report_row *row);

/* GET /api/v1/reports/usage as JSON: {"from","to","by","center","generated_at",
** "provisional":[...],"rows":[...],"total":{...}} (new reference). BY is
** echoed as given. */
json_t *reports_usage_json(struct kctx *ctx, const struct report *rep, const char *by);

/* The same as CSV (UTF-8 with BOM, CRLF, header row, "total" row last).
** Caller frees; NULL when out of memory. */
char *reports_usage_csv(const struct report *rep, int ja, size_t *len);

/* GET /api/v1/reports/monthly: the unified monthly statistics of the month
** starting on MONTH_FIRST, for CENTER or every centre: totals, by room kind,
** by channel, by registration (group / individual / walk-in), by campaign
** day (RD_CAMPAIGN), revenue by payment method and, for every centre, by
** centre. Staff get their home
** centre's only (reports_scope). *OUT is a new reference. */
int reports_monthly(struct kctx *ctx, int32_t month_first, const char *center, json_t **out,
                    struct kerrinfo *ei);

/* The monthly statistics as CSV, one row per figure group:
** section,key,label,uses,attendees,slots_booked,slots_available,occupancy,
** bookings,cancellations,no_shows,walk_ins,fees_charged,revenue,
** exempted_amount (a payment method's amount in revenue). Caller frees. */
char *reports_monthly_csv(const json_t *monthly, int ja, size_t *len);

/* A column whose source is not in the system yet, and why. */
struct report_provisional {
  const char *column, *why;
};
/* Those columns: *OUT (static, never freed) and their number; 0 once every
** source has landed. */
int reports_provisional_list(const struct report_provisional **out);
/* The same as a JSON array of {"column","why"} (new reference). */
json_t *reports_provisional(void);

#endif
