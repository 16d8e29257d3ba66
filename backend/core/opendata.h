/*
** core/opendata.h: the city's open data (docs/opendata.md), and the room
** states over a range of dates that it and the month view share.
**
**   facilities.csv    the centres in the Digital Agency's 自治体標準オープンデータセット
**                     「公共施設一覧」 layout (UTF-8 with BOM, CRLF)
**   availability.csv  room states per date and slot over at most
**                     OPENDATA_MAX_DAYS days, with the standard's field names
**                     where one fits (UTF-8 with BOM, CRLF)
**
** Nothing here names a person or a group: open data carries states only.
*/
#ifndef KOMINKAN_CORE_OPENDATA_H
#define KOMINKAN_CORE_OPENDATA_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "status.h"

/* The longest range availability.csv serves in one request (inclusive). */
#define OPENDATA_MAX_DAYS 92

/* One (room, date, slot) and its state. */
struct od_state {
  const struct center *center;
  const struct room *room;
  int32_t day;
  const struct rules *rules;      /* in force on DAY */
  const struct slotdef *slot;
  enum avail_state state;         /* AVAIL_FREE, _HELD, _BOOKED or _CLOSED */
  const char *closed_label;       /* why, when closed (may be NULL) */
  int booking;                    /* enum bk_answer for the web (core/bookable.h) when
                                  ** no booking holds the slot; -1 when one does */
  int64_t opens_at;               /* when booking opens for DAY */
};

/* Called for each state; return nonzero to stop early. */
typedef int (*od_state_fn)(void *arg, const struct od_state *st);

/* Call FN for every room and slot of every date FROM..TO (inclusive), in
** date, centre, room, slot order, for one centre or room (NULL = all). One
** SQL query for the whole range; lapsed holds count as free. Dates before the
** first rules version have no slots and are skipped. 0 or a KERR code. */
int opendata_each_state(struct kctx *ctx, int32_t from, int32_t to, const struct center *center,
                        const struct room *room, od_state_fn fn, void *arg);

/* facilities.csv for the rules in force on TODAY. Caller frees; NULL when
** out of memory. */
char *opendata_facilities_csv(const struct rulebook *rb, int32_t today, size_t *len);

/* availability.csv for FROM..TO ("YYYY-MM-DD", both required) and centre
** CENTER (NULL or "" = all). Validates: real dates, FROM <= TO, at most
** OPENDATA_MAX_DAYS days (KERR_VALIDATION with fields "from"/"to"); unknown
** centre KERR_NOT_FOUND. On success *OUT (caller frees) and *LEN. */
int opendata_availability_csv(struct kctx *ctx, const char *from, const char *to,
                              const char *center, char **out, size_t *len, struct kerrinfo *ei);

/* usage.csv: each centre's use, month by month, of fiscal year YEAR
** ("2026" = April 2026 to March 2027; NULL or "" = the latest with a month
** ended), the months that have ended only: 提供コマ数, 利用コマ数, 利用率,
** 利用件数, 申告利用人数 (the reports' figures, never a person or a group).
** KERR_VALIDATION at "year" for anything but such a year. On success *OUT
** (caller frees) and *LEN. */
int opendata_usage_csv(struct kctx *ctx, const char *year, char **out, size_t *len,
                       struct kerrinfo *ei);

/* The plain-Japanese label of a state for people: 空き, 仮予約, 予約済, 休館. */
const char *opendata_state_label(enum avail_state state);

/* The label of a slot's state with the web's answer BOOKING (enum bk_answer,
** or -1 when a booking holds the slot): opendata_state_label(STATE), except
** that a slot closed only because it can no longer be booked says why in the
** pages' word (受付終了, 受付なし), never 休館, which is a closed day's. */
const char *opendata_slot_label(enum avail_state state, int booking);

#endif
