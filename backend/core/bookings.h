/*
** core/bookings.h: booking rooms under the one rule book.
**
** A new online booking is a provisional hold (仮予約) that lapses by itself
** after the rule book's period unless it is confirmed. Every rule comes from
** the rule book (core/rules.h), never from code:
**   - the booking window and the holds: the version in force NOW;
**   - closed days, fees and the monthly caps: the version in force on the
**     USE DATE (the version is stored with the booking, so every past fee
**     can be explained);
**   - the cancellation terms: the version the booking was priced under.
**
** No slot is ever given twice: each (room, date, slot) of an active booking
** is one row of booking_slots under a UNIQUE index over the active rows, and
** every write is one db_begin_write() transaction (writers serialised in the
** process, BEGIN IMMEDIATE). A lapsed hold counts as free from its expiry on,
** whether or not anything has marked it lapsed yet (see schema/003).
**
** Who: the holder of a booking is the account that made it and, for a group
** booking, every representative and co-representative of the group. The
** holder, the group's representatives and staff (staff, admin) see a booking;
** to anyone else it does not exist (KERR_NOT_FOUND).
**
** Every function returns 0 or a KERR_* code with details in EI; on any error
** nothing is changed. Results are new JSON references the caller decrefs.
*/
#ifndef KOMINKAN_CORE_BOOKINGS_H
#define KOMINKAN_CORE_BOOKINGS_H

#include <jansson.h>
#include <stdint.h>

#include "ctx.h"

/* A booking's status: bookings.status (schema/003) and the "status" of its
** JSON. BOOKING_UNKNOWN is no status at all (never stored). */
enum booking_status {
  BOOKING_UNKNOWN = 0,
  BOOKING_HELD,        /* 仮予約: lapses at hold_expires_at unless confirmed */
  BOOKING_CONFIRMED,
  BOOKING_CANCELLED,
  BOOKING_LAPSED,      /* a hold not confirmed in time */
  BOOKING_CHECKED_IN,
  BOOKING_NO_SHOW,
};

/* The status named NAME ("held", ...); BOOKING_UNKNOWN for anything else,
** NULL included. */
enum booking_status booking_status_parse(const char *name);

/* The stored name of S ("held", ...); "unknown" for BOOKING_UNKNOWN. */
const char *booking_status_name(enum booking_status s);

/* 1 when S still holds its slots: held (not lapsed) or confirmed. */
int booking_status_active(enum booking_status s);

/* A booking row as stored. Text fields are copies. */
struct booking {
  int64_t id;
  int64_t account_id;         /* 0 for a walk-in */
  int64_t group_id;           /* 0 when booked by a person alone */
  int64_t room_id;
  char center[32];
  char date[11];
  char slots[RULES_MAX_SLOTS * 25];   /* "morning,afternoon" */
  enum booking_status status; /* as stored (booking_status_now: as of now) */
  char channel[16];
  char purpose[1024];
  int attendees;
  int64_t fee_base, fee_discount, fee_total;
  char discount_code[32];
  char rules_version[32];
  int64_t hold_expires_at;    /* 0 when none */
  int64_t created_at, confirmed_at, cancelled_at;
  char cancel_reason[1024];
  int64_t cancel_fee;         /* -1 when none */
  char walkin_name[256];        /* up to 50 characters (4 bytes each at most) */
  char group_name[256];       /* "" when no group */
  int group_public;           /* the group opted into the public listing */
  char imported_note[256];    /* brought in by `kominkan import`: why ("" otherwise) */
};

/* The one column list of a booking and its group, for every query of core/
** that reads bookings: "SELECT " BOOKING_COLUMNS [", more columns"]
** BOOKING_FROM [" LEFT JOIN ..."] " WHERE ...". booking_read_row() reads its
** BOOKING_NCOLS columns into *B; the caller reads any after them. */
#define BOOKING_COLUMNS                                                                   \
  "b.id, b.account_id, b.group_id, b.room_id, b.center, b.date, b.slots,"                 \
  " b.status, b.channel, b.purpose, b.attendees, b.fee_base, b.fee_discount,"             \
  " b.fee_total, b.discount_code, b.rules_version, b.hold_expires_at, b.created_at,"      \
  " b.confirmed_at, b.cancelled_at, b.cancel_reason, b.cancel_fee, b.walkin_name,"        \
  " g.name, g.public_listing, b.imported_note"
#define BOOKING_NCOLS 26
#define BOOKING_FROM " FROM bookings b LEFT JOIN groups g ON g.id = b.group_id"
void booking_read_row(kstmt *st, struct booking *b);

/* POST /api/v1/bookings. BODY: {"room_id","date","slots":[code,...],
** "group_id"?, "purpose","attendees"}. Books for the actor (a citizen), alone
** or for an approved, unlapsed group they represent. IDEMPOTENCY_KEY (may be
** NULL): a booking already made by the same actor with the same key is
** returned instead of a second one (*REPLAYED = 1); the same key with a
** different room, date, slots or group is KERR_CONFLICT.
** On success *OUT is the booking (booking_json).
** With ctx->precheck (a first pass on the request's own thread, http/suspend.c)
** it only reads: every answer it can give before its write transaction (a
** slot already taken, a refusal by the rules, a replay) is given as usual,
** and where only the write decides it returns 0 with *OUT NULL. A request on
** behalf of a citizen is always left to the write (its throttle counts once). */
int booking_create(struct kctx *ctx, const json_t *body, const char *idempotency_key,
                   json_t **out, int *replayed, struct kerrinfo *ei);

/* booking_create, with THEN (may be NULL; as in struct booking_for below)
** run inside its write transaction once the booking is inserted, with ARG:
** the form route records its submission there, so that the booking and its
** receipt commit together or not at all. Not run for a replay. */
int booking_create_then(struct kctx *ctx, const json_t *body, const char *idempotency_key,
                        int (*then)(struct kctx *ctx, int64_t booking_id, void *arg,
                                    struct kerrinfo *ei),
                        void *arg, json_t **out, int *replayed, struct kerrinfo *ei);

/* booking_create_then typed (the form route's receipt reads it): *V the
** booking made, or the first one when *REPLAYED (V zeroed first; V->b.id 0
** where ctx->precheck leaves it to the write). The same checks and errors. */
struct booking_view;
int booking_create_view(struct kctx *ctx, const json_t *body, const char *idempotency_key,
                        int (*then)(struct kctx *ctx, int64_t booking_id, void *arg,
                                    struct kerrinfo *ei),
                        void *arg, struct booking_view *v, int *replayed, struct kerrinfo *ei);

/* The confirmation step before a booking (WCAG 3.3.4): BODY as for
** booking_create, checked by every rule booking_create checks (the caps and
** whether the slots are free as of now, without the writer lock), and
** priced; nothing is written. *OUT = {"room_id","center","center_name",
** "room_name","date","slots","start","end","purpose","attendees",
** "group_id"?,"group_name"?,"fee":{"base","discount","total","rules_version",
** "campaign"?},"hold_hours","hold_expires_at" (were it made now),
** "cancellation":{"free_until","after_deadline","fee_after_deadline"?}}.
** The same errors as booking_create. */
int booking_quote(struct kctx *ctx, const json_t *body, json_t **out, struct kerrinfo *ei);

/* Who a booking is made for when it is not the signed-in citizen: the counter
** (core/counter.c) books for a registered citizen (HOLDER, whose caps and
** holds count) or for a walk-in (HOLDER 0: nobody's account, no caps). The
** booking goes through the same checks and the same one write transaction as
** booking_create(); the counter's channel is ctx->channel ("counter").
**   THEN (may be NULL) runs inside that transaction after the booking and its
**     slots are inserted (still a hold) and before the commit: the walk-in
**     confirms itself and records its payment there, so that all of it
**     commits or none. A non-zero return (a KERR code, details in EI) rolls
**     everything back.
**   EVENT is the usage-log action written for it (NULL: "booking.hold").
**   WALKIN: same-day use without registration (core/bookable.h BK_WALKIN:
**     same_day.counter or a campaign day, until same_day.until). */
struct booking_for {
  int64_t holder;
  int (*then)(struct kctx *ctx, int64_t booking_id, void *arg, struct kerrinfo *ei);
  void *arg;
  const char *event;
  int walkin;
  int confirm;   /* made confirmed at once (the body's "confirm": one step, issue 13 point 16) */
};
int booking_create_for(struct kctx *ctx, const json_t *body, const char *idempotency_key,
                       const struct booking_for *f, json_t **out, int *replayed,
                       struct kerrinfo *ei);

/* INSIDE the caller's write transaction (core/import.c): a confirmed
** booking for HOLDER brought in from the old system, BODY as for
** booking_create. Every rule of a new booking applies (closed days, past
** slots, consecutive slots, capacity, the group, the monthly caps, the fee)
** except the booking window, which NOTE explains (stored with the booking,
** shown as "imported"); a slot already taken is KERR_SLOT_TAKEN. No hold,
** no mail. *ID the new booking. */
int booking_import_in(struct kctx *ctx, const json_t *body, int64_t holder, const char *note,
                      int64_t *id, struct kerrinfo *ei);

/* Confirm a hold: the holder, or staff. Confirming a confirmed booking
** returns it unchanged. A lapsed hold cannot be confirmed (KERR_CONFLICT). */
int booking_confirm(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei);

/* On whose account a cancellation by staff is (the API's "on_behalf", the
** counter panel's choice). RULE: staff cancel on the holder's request or for
** the city's reason:
**   CANCEL_FOR_HOLDER "holder" (本人の申し出: the holder asked, at the counter
**     or by phone): the holder's own fee under the terms the booking was made
**     on (booking_cancel_quote), but never refused for the deadline or the
**     start; what was paid goes back less the fee.
**   CANCEL_FOR_CITY "city" (市の都合: a breakdown, a closure, a mistake of the
**     staff): no fee, everything paid goes back.
** CANCEL_FOR_DEFAULT: not said. Staff: the holder's account (docs/counter.md:
** a fee is waived only when a clerk says so, and the log records it); the
** holder cancelling their own booking: their own terms. */
enum cancel_for { CANCEL_FOR_DEFAULT = 0, CANCEL_FOR_HOLDER, CANCEL_FOR_CITY };
/* "holder" / "city" (CANCEL_FOR_DEFAULT: ""). */
const char *cancel_for_name(enum cancel_for f);
/* The value NAME names, or -1 for anything else (NULL included). */
int cancel_for_parse(const char *name);

/* RULE: the cancellation fee (取消料) of cancelling B at ctx->now on the
** account of F (CANCEL_FOR_DEFAULT: the holder's), under the terms of the
** rule-book version B was priced under. A hold, or a confirmed booking until
** its last free day (cancellation.deadline_days_before), is free; after it,
** or once the use has begun, the fee is the rule's fee_percent of fee_total
** (rules_cancel_fee), and where the rule book refuses a late cancellation
** ("refused": not online) the whole fee_total is due when staff cancel it.
** The city's account is always free. The one answer for booking_cancel and
** for every page that says the fee before the click. */
struct cancel_quote {
  int late;          /* past the last free day, or the use has begun (not a hold) */
  int started;       /* the use has begun (its first slot's start) */
  int refused;       /* late, and the rule book refuses it online */
  int percent;       /* of fee_total charged: 0, the rule's fee_percent, or 100 when refused */
  int64_t fee;       /* the 取消料, yen */
  int32_t free_until;/* the last free day (0: no terms: the rule-book version is gone) */
};
void booking_cancel_quote(const struct kctx *ctx, const struct booking *b, enum cancel_for f,
                          struct cancel_quote *q);

/* Cancel: the holder, under the rule book's cancellation terms (a hold is
** always free to cancel; a confirmed booking is free until the deadline and
** then costs the rule book's fee or is refused, KERR_DEADLINE; refused once
** the use has begun); staff at any time with a REASON (required), on the
** account ON_BEHALF says (above; the holder may not say CANCEL_FOR_CITY:
** KERR_VALIDATION at "on_behalf"). The slots are free at once. When staff
** cancel a paid booking, what was paid beyond the fee is refunded in the same
** transaction (core/payments.c: payment_refund_beyond); a fee not covered by
** what was paid stays owed (payment_due). Staff get the money in the reply
** ("due","paid","outstanding","payments") and "on_behalf". */
int booking_cancel(struct kctx *ctx, int64_t id, const char *reason, enum cancel_for on_behalf,
                   json_t **out, struct kerrinfo *ei);
/* booking_cancel typed: *V the booking as cancelled (zeroed first). The
** same checks and errors; the money a desk sees is in booking_cancel's JSON only. */
int booking_cancel_view(struct kctx *ctx, int64_t id, const char *reason,
                        enum cancel_for on_behalf, struct booking_view *v, struct kerrinfo *ei);

/* Inside a write transaction (for booking_cancel and the city's closures,
** core/closures.c): cancel B, held (unlapsed) or confirmed, by the actor of
** CTX with REASON and cancellation fee FEE on the account of ON_BEHALF
** (recorded in the event's detail when staff cancel); its slots are free at
** once; the usage log and the trail get "booking.cancel"; REFUND gives back
** what was paid beyond FEE (payment_refund_beyond). B is reloaded.
** KERR_CONFLICT when B changed meanwhile. The caller commits or rolls back. */
int booking_cancel_write(struct kctx *ctx, struct booking *b, const char *reason, int64_t fee,
                         enum cancel_for on_behalf, int refund, struct kerrinfo *ei);

/* One booking, for whoever may see it (else KERR_NOT_FOUND). */
int booking_get(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei);

/* booking_get's booking as it is stored, into *B (the typed view a page
** reads when the JSON's derived fields are not needed): the same check of
** who may see it and the same record of a desk's view. */
int booking_read(struct kctx *ctx, int64_t id, struct booking *b, struct kerrinfo *ei);

/* A booking with what its JSON derives from the rule book (booking_json is
** booking_view_json of booking_view_of): the typed view a page renders. */
struct booking_view {
  struct booking b;              /* as stored */
  enum booking_status status;    /* as of now (booking_status_now) */
  const struct room *room;       /* NULL: no longer in the rule book */
  char start[8], end[8];         /* "HH:MM": first slot's start, last slot's end; "" unknown */
  const char *discount_name;     /* the exemption's name, or NULL */
  const char *campaign;          /* the campaign day that makes it free, or NULL */
  int has_terms;                 /* still active: the cancellation terms below */
  int32_t free_until;            /* the last day to cancel free */
  int refused_after_deadline;    /* after it: no online cancellation, else ... */
  int64_t fee_after_deadline;    /* ... this fee */
};
void booking_view_of(struct kctx *ctx, const struct booking *b, struct booking_view *v);
/* V as the API shows it (new reference; NULL when out of memory). */
json_t *booking_view_json(const struct booking_view *v);

/* booking_quote typed: V the booking it would make (status BOOKING_UNKNOWN;
** the stored fields it would have: the holder (account_id), room, centre,
** date, slots, purpose, attendees, group, fee, discount code, rules version, hold expiry; start,
** end, the campaign and the cancellation terms; no discount_name: the quote
** names the code only), and the hold's length. */
struct booking_quote {
  struct booking_view v;
  int hold_hours;             /* under the rules in force now */
};
/* booking_quote as Q (the same checks and errors; Q zeroed first). */
int booking_quote_view(struct kctx *ctx, const json_t *body, struct booking_quote *q,
                       struct kerrinfo *ei);
/* Q as booking_quote's JSON (new reference; NULL when out of memory). */
json_t *booking_quote_json(const struct booking_quote *q);
/* booking_quote_view for the holder and kind of F (its holder, walkin; THEN,
** EVENT and confirm unused): the same checks booking_create_for() makes
** before its write, nothing written. A walk-in's quote (holder 0) has no caps
** to count. The actor is not checked: the caller has. */
struct booking_for;
int booking_quote_for(struct kctx *ctx, const json_t *body, const struct booking_for *f,
                      struct booking_quote *q, struct kerrinfo *ei);

/* booking_list_mine_since as views: *OUT (malloc'd, *N of them, the caller
** frees) in the same order. */
int booking_views_mine_since(struct kctx *ctx, int32_t since, struct booking_view **out, int *n,
                             struct kerrinfo *ei);

/* {"bookings":[...]}: the actor's own and their groups' bookings, by date. */
int booking_list_mine(struct kctx *ctx, json_t **out, struct kerrinfo *ei);
/* The same, only those used on SINCE or later (マイページ: its cost stays flat
** however many years a person has booked). */
int booking_list_mine_since(struct kctx *ctx, int32_t since, json_t **out, struct kerrinfo *ei);

/* {"bookings":[...]}: every booking of DAY (at CENTER, or every centre when
** NULL or ""), for staff. */
int booking_list_day(struct kctx *ctx, int32_t day, const char *center, json_t **out,
                     struct kerrinfo *ei);

/* Mark up to MAX holds that have lapsed by ctx->now as lapsed, free their
** slots and write their lapse events, in its own write transaction. Never
** needed for correctness (a lapsed hold is free from its expiry on); it keeps
** the stored status and the usage log up to date. *N (may be NULL) gets the
** number marked. */
int booking_sweep_lapsed(struct kctx *ctx, int max, int *n);

/* Load booking ID into *B (no access check). 0 or KERR_NOT_FOUND. */
int booking_load(struct kctx *ctx, int64_t id, struct booking *b);

/* 1 if the actor of CTX may see B (holder, group representative, staff). */
int booking_visible(struct kctx *ctx, const struct booking *b);

/* The status as of ctx->now: a hold past its expiry is lapsed even before
** anything has marked it so. */
enum booking_status booking_status_now(const struct kctx *ctx, const struct booking *b);

/* The rule-book version under which B's fee and cancellation terms were set
** (its rules_version, else the version in force on its use date). */
const struct rules *booking_rules(const struct kctx *ctx, const struct booking *b);

/* B as the API shows it (new reference). */
json_t *booking_json(struct kctx *ctx, const struct booking *b);

/* The allocation round (core/rounds.h) asks for a booking ahead of the
** window; the round decides who gets it, these two keep every other rule.
**
** booking_plan_check: BODY as for booking_create with ONE slot and a
** "group_id", checked for the actor as booking_create checks it except the
** window and the caps (room, date, slot, purpose, attendees and capacity,
** closed day, the group approved, unlapsed and represented by the actor),
** into *P. Nothing is written.
**
** booking_award: inside the caller's write transaction, the hold of plan P
** for HOLDER and its group, priced as any online booking (fee, exemption),
** lapsing under the rule book as any hold; no window and no caps. *ID gets
** its number; KERR_SLOT_TAKEN when the slot is booked. */
struct booking_plan {
  const struct room *room;
  int32_t day;
  char date[11];
  char slot[24];
  int64_t group_id;
  char purpose[1024];
  int attendees;
};
int booking_plan_check(struct kctx *ctx, const json_t *body, struct booking_plan *p,
                       struct kerrinfo *ei);
int booking_award(struct kctx *ctx, const struct booking_plan *p, int64_t holder, int64_t *id,
                  struct kerrinfo *ei);

#endif
