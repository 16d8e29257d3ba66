/*
** core/counter.h: the counter desk (窓口) of a community centre.
**
** What a clerk (role staff, or admin) does at the counter, on the booking
** engine (core/bookings.c) and under the one rule book:
**   - today's rooms and slots with who holds them, paid or not, checked in
**     or not (counter_today): personal data, for staff only; the public
**     feeds never show a name;
**   - walk-ins (当日の空き部屋の利用、登録なし): a free slot of today for a
**     name and a phone number, no account (counter_walkin);
**   - booking for a registered citizen or group, and confirming and
**     cancelling for them: the one entry points booking_create (with
**     on_behalf_of), booking_confirm and booking_cancel in core/bookings.c
**     take the actor and apply counter hours to staff (core/desk.c);
**   - check-in and no-show (counter_checkin, counter_noshow);
**   - payments and refunds (core/payments.c);
**   - the day's ledger that replaces the paper one (紙台帳の廃止):
**     counter_ledger as JSON, counter_ledger_csv (of counter_ledger_view)
**     as CSV.
**
** Counter hours (窓口受付時間の統一) are the rule book's (counter_hours, the
** version in force now): every counter action that changes something is
** refused outside them with KERR_COUNTER_HOURS, the hours in the message.
** Reading (today, the ledger) is allowed at any time. Online booking is not
** affected.
**
** The usage log gets one event per action, channel "counter": booking.hold,
** booking.confirm, booking.cancel (for citizens), counter.walkin,
** counter.checkin, counter.noshow, counter.payment, counter.refund. A
** walk-in's name and phone never go there (nor anywhere but the bookings
** row and the staff-only screens).
**
** Every function returns 0 or a KERR_* code with details in EI; on error
** nothing is changed. JSON results are new references the caller decrefs.
** All of them refuse (KERR_FORBIDDEN) an actor who is not staff or admin.
*/
#ifndef KOMINKAN_CORE_COUNTER_H
#define KOMINKAN_CORE_COUNTER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "bookable.h"
#include "bookings.h"
#include "ctx.h"
#include "payments.h"

/* GET /api/v1/counter/today?center=CODE: today's rooms and slots at CENTER
** (NULL or "": the actor's home centre; none -> KERR_VALIDATION; unknown ->
** KERR_NOT_FOUND):
**   {"date","generated_at","center":{"code","name"},"closed","closed_reason"?,
**    "counter":{"open","hours"},
**    "rooms":[{"id","code","name","kind","capacity","slots":[{"code","label",
**      "start","end","state" (free|held|booked|closed),
**      free: "walkin_open","walkin_fee","campaign"?;
**      taken: "booking":{...}}]}],
**    "bookings":[{...}],   every booking of today at the centre, by room
**    "others":[{...}]}     those of them holding no slot (cancelled, lapsed,
**                          no-show)
** where a booking is {"id","status","channel","walkin","holder":{"name",
** "phone","system_id"?,"group_id"?,"group_name"?},"purpose","attendees",
** "slots","fee_total","due","paid","outstanding","paid_in_full",
** "checked_in","checked_in_at"?}. */
int counter_today(struct kctx *ctx, const char *center, json_t **out, struct kerrinfo *ei);

/* ---- counter_today as a typed view (what the counter page renders; the
** JSON above is counter_today_json() of the same view) ---- */

/* One booking of the day as the counter sees it. */
struct counter_booking {
  struct booking b;              /* as stored (b.group_name, b.walkin_name set) */
  enum booking_status status;    /* as of now (booking_status_now) */
  int walkin;                    /* no account (b.account_id == 0) */
  char holder_name[256];         /* the walk-in's name, or the account's */
  char holder_phone[64];         /* the walk-in's or the account's phone; "" none */
  int64_t checked_in_at, noshow_at;   /* 0 when not */
  int64_t due, paid;             /* payment_due, net paid; outstanding = due - paid */
  int holds_slot;                /* holds a slot today (else one of "others") */
};

/* A (room, slot) of today. */
enum counter_cell_state { CELL_FREE, CELL_HELD, CELL_BOOKED, CELL_CLOSED };
struct counter_cell {
  enum counter_cell_state state;
  int booking;                   /* held, booked: index into view.bookings; else -1 */
  int walkin_open;               /* free: a walk-in may have it now */
  enum bk_answer walkin_answer;  /* free: bookable_check's answer for a walk-in now
                                 ** (BK_OVER: its time to be taken has passed) */
  int walkin_fee;                /* free: yen (0 on a campaign day) */
  const char *campaign;          /* free: the campaign day's name, or NULL */
};

struct counter_room {
  const struct room *room;
  struct counter_cell cells[RULES_MAX_SLOTS];   /* indexed like view.rules->slots */
};

struct counter_view {
  const struct center *center;
  const struct rules *rules;     /* in force today: the slots of the cells */
  char date[11], generated_at[26];
  int closed;
  char closed_reason[256];       /* when closed */
  int counter_open;              /* the counter is open now */
  char hours[256];               /* its hours, in words */
  struct counter_room *rooms;    /* the centre's rooms, in its order */
  int nrooms;
  struct counter_booking *bookings;   /* every booking of today, by room */
  int nbookings;
};

/* counter_today's facts into *V (the same checks, errors and record of the
** view); counter_view_free() it after, also on error. */
int counter_today_view(struct kctx *ctx, const char *center, struct counter_view *v,
                       struct kerrinfo *ei);
void counter_view_free(struct counter_view *v);

/* V as counter_today's JSON (new reference; NULL when out of memory). */
json_t *counter_today_json(const struct counter_view *v);

/* POST /api/v1/counter/walkin {"room_id","slots","name","phone","attendees"?,
** "purpose"?,"payment_method"?,"date"?}: RULE same-day walk-in. A free slot
** of TODAY (date, when sent, must be today) for someone without an account,
** when the rule book allows same-day use without registration at the
** counter (same_day.counter) or a campaign day makes the room free and
** registration-free. The booking is confirmed at once (no hold); its fee is
** the normal fee or 0 on a campaign day; with payment_method (and a fee) the
** payment is recorded at once, else it is left unpaid for a later payment.
** attendees defaults to 1, purpose to "当日利用". 409 slot_taken when the slot
** is no longer free. *OUT: the booking plus "holder", "walkin":true,
** "due", "paid", "outstanding", "payments". */
int counter_walkin(struct kctx *ctx, const json_t *body, json_t **out, struct kerrinfo *ei);

/* POST /api/v1/bookings/{id}/checkin: a confirmed booking of today is checked
** in (from the counter's opening until its last slot ends). Checking in a
** checked-in booking returns it unchanged. KERR_CONFLICT for a hold, a
** cancelled, lapsed or no-show booking or one whose time is over;
** KERR_TOO_EARLY for a later date. *OUT: the booking. */
int counter_checkin(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei);

/* POST /api/v1/bookings/{id}/noshow: RULE no-show grace. A confirmed booking
** not checked in is marked a no-show from the start of its first slot plus
** the rule book's noshow.grace_minutes (version of the use date); earlier is
** KERR_TOO_EARLY with the time in the message. Its slots are freed at once
** (the rest of the day may go to walk-ins); its fee stays due. */
int counter_noshow(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei);

/* When booking B is in use, under the rule book it was made under: the
** start of its first slot into *START and the end of its last into *END (both
** 0 when its slots are unknown). counter_checkin accepts until *END. */
void counter_use_span(const struct kctx *ctx, const struct booking *b, int64_t *start,
                      int64_t *end);

/* RULE: no-show grace. The instant from which counter_noshow records B a
** no-show: its start plus the rule book's noshow.grace_minutes (0 when its
** slots are unknown). What the counter page asks before it offers the button. */
int64_t counter_noshow_from(const struct kctx *ctx, const struct booking *b);

/* The daily ledger of CENTER (NULL or "": the actor's home centre) for DAY:
**   {"center":{"code","name"},"date","generated_at",
**    "entries":[{"at","time","kind","booking_id","room_id","room_name",
**                "use_date","slots","channel","holder",...}],
**    "totals":{"payments":{"cash","qr","card","ic","total","count"},
**              "refunds":{... negative amounts ...},
**              "net":{"cash","qr","card","ic","total"},
**              "counts":{"bookings","walkins","checkins","noshows",
**                        "cancellations","payments","refunds"}}}
** kind: booking (made that day, any channel), walkin, checkin, noshow,
** cancellation, payment, refund; in time order. The money totals are summed
** from the payments table itself (SUM over the rows of CENTER and DAY).
** Holder names appear (the ledger is for staff); phone numbers do not.
** This is the function the printable page (web UI) renders. */
int counter_ledger(struct kctx *ctx, const char *center, int32_t day, json_t **out,
                   struct kerrinfo *ei);


/* ---- counter_ledger as a typed view (what the printable page renders;
** the JSON is counter_ledger_json() of it) ---- */

/* The kinds of entry, in the order of the ledger's counts. */
enum ledger_kind {
  LEDGER_BOOKING, LEDGER_WALKIN, LEDGER_CHECKIN, LEDGER_NOSHOW, LEDGER_CANCELLATION,
  LEDGER_PAYMENT, LEDGER_REFUND, LEDGER_NKINDS
};
/* "booking", ..., "refund". */
const char *ledger_kind_name(enum ledger_kind k);

struct ledger_entry {
  enum ledger_kind kind;
  int64_t at;
  char time[8];                  /* "HH:MM" of AT */
  int64_t booking_id, room_id;
  const char *room_name;         /* "" for a room no longer in the rule book */
  char use_date[11];
  char slots[RULES_MAX_SLOTS * 25];   /* "morning,afternoon" */
  char slot_labels[128];         /* "午前・午後" */
  char channel[16];
  char holder[256];              /* the group's, the account's or the walk-in's name */
  int64_t fee_total;             /* booking, walkin */
  char reason[1024];             /* cancellation */
  int64_t cancel_fee;            /* cancellation (0 when none) */
  int by_staff;                  /* cancellation */
  int has_payment;               /* payment, refund: the four below */
  char method[16];
  int64_t amount;
  char receipt[PAYMENT_RECEIPT_MAX];
};

/* The day's sums of one kind, by method (cash, qr, card, ic: payment_methods). */
struct ledger_sums {
  int64_t by_method[PAYMENT_NMETHODS];
  int64_t total, count;          /* count: not for the net */
};

struct counter_ledger_view {
  const struct center *center;
  char date[11], generated_at[26];
  struct ledger_entry *entries;  /* in time order */
  int nentries;
  struct ledger_sums payments, refunds, net;
  int counts[LEDGER_NKINDS];
};

/* counter_ledger's facts into *V; counter_ledger_view_free() it after, also
** on error. */
int counter_ledger_view(struct kctx *ctx, const char *center, int32_t day,
                        struct counter_ledger_view *v, struct kerrinfo *ei);
void counter_ledger_view_free(struct counter_ledger_view *v);

/* V as counter_ledger's JSON (new reference; NULL when out of memory). */
json_t *counter_ledger_json(const struct counter_ledger_view *v);

/* The ledger V as CSV: UTF-8 with BOM (opens in Excel), CRLF, a header row,
** one row per entry, then the totals. Caller frees; NULL when out of memory. */
char *counter_ledger_csv(const struct counter_ledger_view *v, size_t *len);

#endif
