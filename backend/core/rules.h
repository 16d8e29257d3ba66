/*
** core/rules.h: the rule book (ordinances/<city>/) as data.
**
** rules_load() reads facilities.json and every rules-<date>.json of a folder,
** validates all of it, and reports each problem as "file: json.path: message".
** A version of the rules is in force from its effective_from until the next
** version's. The version in force on the *use date* decides fees and closed
** days; the version in force *now* decides windows, holds and counter hours
** (DESIGN.md).
**
** Everything here is read-only after loading and may be shared by threads.
*/
#ifndef KOMINKAN_CORE_RULES_H
#define KOMINKAN_CORE_RULES_H

#include <jansson.h>
#include <stdint.h>

#define RULES_MAX_SLOTS 8

struct slotdef {
  char code[24];          /* "morning" */
  char label[32];         /* "午前" */
  int start, end;         /* minutes after midnight, local */
};

struct room {
  int64_t id;             /* database id, set by facilities_sync(); 0 before */
  char code[32];          /* unique within its centre */
  char name[96];
  char kind[32];          /* ホール, 会議室, 和室, 料理室, 視聴覚室, 学習室, ... */
  int capacity;
  char fee_class[32];     /* key into the fees of a rules version */
  const struct center *center;
};

struct center {
  char code[32];          /* "chuo" */
  char name[96];          /* "中央公民館" */
  char kana[128];
  char kind[48];          /* "公民館" or "市民サービスセンター" (facility kinds) */
  char address[256];
  char phone[32];
  char postcode[9];       /* "371-0023" (the 郵便番号 of its address) or "" */
  double lat, lon;
  int nrooms;
  struct room *rooms;
  json_t *json;           /* the centre's object as loaded (borrowed view) */
};

/* One closing rule. */
struct closed_rule {
  enum { CLOSED_WEEKDAY_OF_MONTH, CLOSED_WEEKLY, CLOSED_YEARLY, CLOSED_DATE,
         CLOSED_HOLIDAYS } kind;  /* HOLIDAYS: every day of holidays.json */
  int weekday;            /* 0 = Sunday .. 6; WEEKDAY_OF_MONTH and WEEKLY */
  unsigned nth_mask;      /* bit n set: the n-th such weekday (1..5); WEEKDAY_OF_MONTH */
  int from_md, to_md;     /* month*100+day, inclusive, may wrap the year; YEARLY */
  int32_t date;           /* one date; DATE */
  char center[32];        /* "" = every centre; DATE may name one centre */
  char label[64];         /* "第1・第3月曜日" for messages */
  int counter_open;       /* "counter": "open": the rooms are closed, the counter works
                          ** (Maebashi's 1st and 3rd Mondays); default closed */
};

/* One national holiday (国民の祝日, 振替休日, 国民の休日) from holidays.json. */
struct holiday {
  int32_t date;
  char name[64];          /* "昭和の日", "休日（振替休日）" */
};

struct fee_class {
  char code[32];
  int yen[RULES_MAX_SLOTS];   /* indexed like rules.slots */
};

struct discount_cat {
  char code[32];
  char name[96];
  const char *criteria;   /* who qualifies, as published (borrowed from json) */
  const char *evidence;   /* what the application shows (borrowed from json) */
  int illustrative;       /* its "note" starts with "illustrative": an example of the
                             system, not a criterion the city published */
  int rate;               /* percent off, 1..100 */
  int valid_kind;         /* VALID_FISCAL_YEAR_END or VALID_DAYS: how long an approval lasts */
  int valid_days;         /* VALID_DAYS: from the first day, this many days */
  int verified_resident;  /* requires_verified_resident: the applicant's residency
                             verified with the My Number card (docs/identity.md) */
  json_t *json;           /* the category as published, with any extra keys */
};

struct campaign {
  char name[96];          /* "親子の日" */
  int weekday;            /* -1 or 0..6 */
  int32_t date;           /* 0 or one date */
  int day_of_month;       /* 0 or 1..31 */
  char room_kinds[8][32]; /* rooms of these kinds are free of charge ... */
  int nroom_kinds;        /* ... 0 means every room */
};

/* One monthly allocation round (booking_window.lottery.rounds[i];
** core/rounds.h): for use month M, applications for rooms of KINDS are taken
** from 00:00 of FROM_DAY to 24:00 of UNTIL_DAY of month M - MONTHS_BEFORE
** (Asia/Tokyo); a group applies for and wins at most CAP slots per round. */
#define RULES_MAX_ROUNDS 4
struct round_rule {
  char code[32];
  char kinds[8][32];
  int nkinds;
  int months_before;
  int from_day, until_day;
  int cap;
};

struct rules {
  char file[64];                  /* "rules-2026-04-01.json" */
  char version[32];
  int32_t effective_from;
  json_t *json;                   /* the whole file, owned */

  int nslots;
  struct slotdef slots[RULES_MAX_SLOTS];

  int nclosed;
  struct closed_rule *closed;

  /* booking_window: booking for a use date opens at `opens_at` minutes on
  ** day `opens_day` of the month `opens_months_before` months before the use
  ** month (the same for every centre and every kind of user); online booking
  ** of a slot is possible until `online_until_min` minutes before its start. */
  int opens_months_before;
  int opens_day;
  int opens_at;
  int online_until_min;
  int nrounds;                    /* booking_window.lottery: 0 = no rounds (null) */
  struct round_rule rounds[RULES_MAX_ROUNDS];

  int hold_lapse_hours;           /* a provisional hold lapses after this */
  int hold_max_per_user;

  int group_slots_per_month;      /* counted across every centre */
  int person_slots_per_month;

  int cancel_deadline_days;       /* the holder may cancel until this many days before */
  int cancel_after_deadline_fee;  /* percent of the fee charged after it; -1 = refused */

  int nfee_classes;
  struct fee_class *fee_classes;

  int ndiscounts;
  struct discount_cat *discounts;

  int group_min_members;
  int group_resident_percent;       /* the residents' share of the members, in percent */
  int group_resident_at_least;      /* 1: at least that share (半数以上: 50 and 1),
                                    ** 0: more than it (50 and 0: more than half) */
  enum { VALID_FISCAL_YEAR_END, VALID_DAYS } group_validity;
  int group_validity_days;

  int same_day_counter;           /* walk-ins without registration at the counter */
  int same_day_online;

  int counter_open, counter_close;   /* minutes, local */
  unsigned counter_weekdays;         /* bit w set: open on weekday w */
  int counter_closed_on_holidays;    /* counter_hours.holidays: "closed" (1) or "open" */

  /* The rule book's holiday list (borrowed from struct rulebook), so that a
  ** version can answer for its days without the book. */
  int nholidays;
  const struct holiday *holidays;

  int noshow_grace_min;

  int ncampaigns;
  struct campaign *campaigns;
};

struct rulebook {
  char dir[512];
  int nversions;
  struct rules *versions;         /* sorted by effective_from, ascending */
  int ncenters;
  struct center *centers;
  json_t *facilities_json;        /* owned */
  int nholidays;                  /* holidays.json, sorted by date; 0 if absent */
  struct holiday *holidays;
};

/* Load and validate the rule book in DIR. On success returns it and
** *PROBLEMS is NULL. On any problem returns NULL and *PROBLEMS is a JSON array
** of strings "file: json.path: message" (caller decrefs). */
struct rulebook *rules_load(const char *dir, json_t **problems);
void rules_free(struct rulebook *rb);       /* NULL is a no-op */

/* The version in force on DAY, or NULL if DAY precedes every version. */
const struct rules *rules_in_force(const struct rulebook *rb, int32_t day);
/* The version in force at NOW. Before the first version takes effect, the
** first one already decides windows and holds (the rule book is published
** ahead). NULL only for an empty rule book. */
const struct rules *rules_current(const struct rulebook *rb, int64_t now);
/* The version named VERSION (a booking's rules_version), else the one in
** force on DATE ("YYYY-MM-DD", the use date); NULL when neither. */
const struct rules *rules_of_booking(const struct rulebook *rb, const char *version,
                                     const char *date);

const struct center *rules_center(const struct rulebook *rb, const char *code);
const struct room *rules_room_by_id(const struct rulebook *rb, int64_t id);
int rules_slot_index(const struct rules *r, const char *code);  /* -1 if unknown */

/* 1 if CENTER is closed on DAY under R; LABEL (may be NULL) gets why. */
int rules_closed(const struct rules *r, const char *center, int32_t day, const char **label);

/* The national holiday on DAY (its name), or NULL: from holidays.json. */
const char *rules_holiday(const struct rules *r, int32_t day);

/* Things an operator should act on that do not stop the rule book from
** loading, as "file: message" strings appended to OUT: the holiday list
** missing, or not reaching the end of the latest year already published at
** NOW (from February, the next year; before, the current one). */
void rules_warnings(const struct rulebook *rb, int64_t now, json_t *out);

/* The fee in yen for one slot of a room of FEE_CLASS; -1 if not priced. */
int rules_fee(const struct rules *r, const char *fee_class, int slot_index);

/* The round of R named CODE, or NULL (R may be NULL). */
const struct round_rule *rules_round(const struct rules *r, const char *code);
/* The application period of round RR for the use month whose 1st is MONTH1:
** [*FROM, *UNTIL) as instants. */
void rules_round_period(const struct round_rule *rr, int32_t month1, int64_t *from,
                        int64_t *until);

/* The instant booking opens for use date DAY under R. */
int64_t rules_booking_opens(const struct rules *r, int32_t day);

/* The campaign that makes ROOM free on DAY, or NULL. */
const struct campaign *rules_campaign(const struct rules *r, const struct room *room,
                                      int32_t day);

const struct discount_cat *rules_discount(const struct rules *r, const char *code);

/* Whether DAY is a closing day of every centre on which the counter does not
** work either (a closed[] entry without "counter": "open"), its label in
** *LABEL. The counter's hours, walk-ins and payments ask this, not
** rules_closed. */
int rules_counter_closed(const struct rules *r, int32_t day, const char **label);

/* Whether the counter is open at NOW under R (local weekday and hours). */
int rules_counter_open(const struct rules *r, int64_t now);

/* The counter's hours under R in words, the one wording of every page and
** message: "月・火・水・木・金曜日の 8:30 から 17:15 まで（祝日・休館日を除く。
** 第1・第3月曜日は休館日でも受け付けます）", 祝日 named only when the rule book
** closes the counter on holidays, the closed days the counter works on (closed[]
** "counter": "open") named after; "" for no R. Into OUT[N]. */
void rules_counter_hours_text(const struct rules *r, char *out, size_t n);

/* The residents' share a group needs under R in words, into OUT[N]:
** "半数以上" (at least 50%), "半数を超える人数" (more than 50%), "60%以上", ... */
void rules_group_share_words(const struct rules *r, char *out, size_t n);

/* RULE: the cancellation fee after the deadline: the rule book's percent of
** FEE_TOTAL (the fee after any exemption), rounded down to the yen, the same
** rounding as the exemption (core/discounts.c discount_yen): every amount a
** citizen pays is rounded down. -1 when cancelling after the deadline is refused. */
int64_t rules_cancel_fee(const struct rules *r, int64_t fee_total);

/* The published form of R for GET /api/v1/rules (new reference). */
json_t *rules_public_json(const struct rules *r);

#endif
