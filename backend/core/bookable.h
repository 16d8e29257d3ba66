/*
** core/bookable.h: the one answer to "can this slot be booked now, and
** through which channel" (issue 13, point 1; DESIGN.md "One decision, one
** place").
**
** The booking code (core/bookings.c, core/counter.c), the public feeds
** (core/availability.c, core/opendata.c) and every page that offers a slot
** ask bookable_check(); nothing else re-derives the window, the closed days,
** the online deadline or the same-day rules. A page shows the answer and its
** reason (受付終了, 受付前 with the opening date, 窓口のみ, 休館日); a feed
** never says "free" for a slot that can no longer be booked.
**
** Which rule-book version decides what: closed days by the version in force
** on the use date; the window, the online deadline and the same-day rules by
** the version in force now (before the first version takes effect, the first
** one already decides them: the rule book is published ahead).
**
** The booking window is the same for every kind of user (no earlier window
** for anyone): who asks matters only through the channel.
*/
#ifndef KOMINKAN_CORE_BOOKABLE_H
#define KOMINKAN_CORE_BOOKABLE_H

#include <stdint.h>

#include "ctx.h"
#include "status.h"

enum bk_channel {
  BK_ONLINE,      /* a citizen on the web, the JSON API or a no-script form */
  BK_COUNTER,     /* staff at the counter, for a registered citizen */
  BK_WALKIN,      /* staff at the counter, same-day use without registration */
  BK_SAMEDAY      /* a visitor on the web, same-day use without registration
                  ** (core/sameday.h): name and phone only, no account */
};

enum bk_answer {
  BK_OPEN = 0,        /* may be booked now through the channel */
  BK_CLOSED,          /* 休館日: the centre is closed on that date */
  BK_NOT_YET,         /* 受付前: the window opens at .opens_at */
  BK_OVER,            /* 受付終了: the date is past or the deadline passed */
  BK_COUNTER_ONLY,    /* 窓口のみ: same-day booking is not taken online */
  BK_NO_WALKIN,       /* 登録が必要: no same-day use without registration here */
  BK_NO_RULES,        /* no rule-book version covers the date */
  BK_CAMPAIGN         /* 当日のみ: a campaign day's room, used that day without
                      ** registration and never booked ahead (online or counter) */
};

struct bookable {
  enum bk_answer answer;
  int64_t opens_at;           /* when the window opens for the date (all answers) */
  int64_t until;              /* the first instant the channel no longer takes it */
  int64_t online_until;       /* the first instant the web no longer takes it */
  int same_day_counter_only;  /* same_day.online is false: the web stops at midnight */
  int64_t changes_at;         /* next instant after now the answer may change
                              ** (INT64_MAX if never): for caches */
  const char *closed_label;   /* BK_CLOSED: the reason (points into closed_text) */
  char closed_text[256];      /* the rule book's or the closure's reason */
  const struct campaign *campaign;  /* the campaign that makes the room free, or NULL */
};

/* The rule-book version in force now (see above), or NULL for an empty book. */
const struct rules *bookable_rules_now(const struct kctx *ctx);

/* Decide for ROOM, use date DAY, slot SLOT (an index into the use date's
** version's slots; for a booking of several consecutive slots, the first)
** through channel CH as of ctx->now. Fills *WHY and returns its answer. */
enum bk_answer bookable_check(const struct kctx *ctx, enum bk_channel ch, const struct room *room,
                              int32_t day, int slot, struct bookable *why);

/* Whether CENTER (a code) is closed on DAY: a closed day of the rule-book
** version in force on DAY, or a closure of the city (core/closures.h) of the
** whole centre or, when ROOM is not NULL, of that room. WHY (may be NULL)
** gets the reason, N bytes. The one test of a closed day: pages, feeds and
** the counter ask this, never rules_closed() alone. */
int bookable_closed(const struct kctx *ctx, const char *center, const struct room *room,
                    int32_t day, char *why, size_t n);

/* Whether a booking or a hold not yet lapsed has slot SLOT (an index into
** the use date's version's slots) of ROOM on DAY, as of ctx->now: the same
** test as the availability feeds (core/availability.c). 1 taken, 0 free (also
** when it cannot be told: the booking itself checks again under its lock).
** Who asks does not matter, so a page may tell anyone. */
int bookable_taken(const struct kctx *ctx, const struct room *room, int32_t day, int slot);

/* RULE: same-day use without registration on the web. 1 when the rule book
** in force now takes it for every room (same_day.online, and not
** same_day.registration_required); campaign rooms aside, which their days
** open to it anyway. For pages that say so; bookable_check(BK_SAMEDAY)
** decides each slot. */
int bookable_sameday_open(const struct kctx *ctx);

/* The channel of a booking made under CTX: "counter" is BK_COUNTER, anything
** else BK_ONLINE. */
enum bk_channel bookable_channel(const struct kctx *ctx);

/* A stable machine word for ANSWER ("open", "closed", "not_yet", "over",
** "counter_only", "no_walkin", "no_rules", "campaign_day"), as the feeds'
** "booking" field. */
const char *bookable_code(enum bk_answer answer);

/* The feed state of an empty slot with ANSWER for the web: "free" while it
** can be booked now, later (not_yet) or at the counter (counter_only), or
** used on the day without registration (campaign_day); "closed" once it can
** no longer be booked (CONTRACT.md's four states). */
enum avail_state bookable_avail_state(enum bk_answer answer);

/* A short label a person reads in a table cell: 予約できます, 休館,
** 受付前, 受付終了, 窓口のみ, 登録が必要, 受付なし, 当日のみ. */
const char *bookable_label(enum bk_answer answer);

/* Set EI to the error for a refused booking (its KERR code is returned):
** BK_CLOSED -> KERR_CLOSED; BK_CAMPAIGN -> KERR_CAMPAIGN_DAY (the campaign
** named: come on the day, no registration); every other refusal ->
** KERR_OUTSIDE_WINDOW with a Japanese sentence that says why and what to do
** instead (the counter, the opening date). ROOM, DAY and SLOT as given to
** bookable_check(). */
int bookable_refuse(const struct kctx *ctx, const struct room *room, int32_t day, int slot,
                    const struct bookable *why, struct kerrinfo *ei);

#endif
