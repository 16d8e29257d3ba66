/*
** core/payments.h: money at the counter: payments, refunds, receipt numbers.
**
** One row of the payments table per sum that changed hands (schema/008): a
** payment is positive, a refund is a row of its own with a negative amount.
** Nothing is ever edited, so a day's ledger (core/counter.c) is the plain sum
** of that day's rows.
**
** What a booking owes depends on its status now:
**   held, confirmed, checked_in, no_show   its fee (fee.total)
**   cancelled                              its cancellation fee (0 when
**                                          cancelled in time or by staff)
**   lapsed                                 nothing
** and what is outstanding is that minus what was paid (net of refunds). A
** negative outstanding is money to give back (a booking paid at the counter
** and then cancelled online): the clerk records it as a refund.
**
** A payment must be for exactly the outstanding amount: no part payments,
** no change kept on account (the message says the amount due).
**
** Receipt numbers: R-YYYYMMDD-<centre>-NNNN, counted per centre and day from
** 0001 (unique by a UNIQUE index; refunds get their own number in the same
** sequence). The centre is that of the booked room.
**
** Functions return 0 or a KERR_* code with details in EI; on error nothing
** is changed. JSON results are new references the caller decrefs.
*/
#ifndef KOMINKAN_CORE_PAYMENTS_H
#define KOMINKAN_CORE_PAYMENTS_H

#include <jansson.h>
#include <stdint.h>

#include "bookings.h"
#include "ctx.h"

#define PAYMENT_RECEIPT_MAX 64

/* 1 if M is one of the methods taken at the counter: cash, qr, card, ic. */
int payment_method_valid(const char *m);

/* The methods in their fixed order (cash, qr, card, ic): the index of M in
** it, or -1; and the code of index I. */
#define PAYMENT_NMETHODS 4
int payment_method_index(const char *m);
const char *payment_method_code(int i);

/* payments.kind (schema/008): a payment (amount > 0) or a refund (< 0). */
enum payment_kind { PAYMENT_UNKNOWN = 0, PAYMENT_PAYMENT, PAYMENT_REFUND };
enum payment_kind payment_kind_parse(const char *name);
const char *payment_kind_name(enum payment_kind k);

/* One row of the payments table, as stored. */
struct payment_row {
  char receipt[PAYMENT_RECEIPT_MAX];
  enum payment_kind kind;
  char method[16];
  int64_t amount, at, booking_id;
};

/* The Japanese name of method M ("現金"; ic: "電子マネー（交通系ICカードなど）"),
** or M itself when unknown. Pages, messages, receipts and reports take the
** names from here only. */
const char *payment_method_label(const char *m);

/* Every method's name in order, "現金・QRコード決済・...", into OUT (N bytes). */
void payment_methods_text(char *out, size_t n);

/* The field message for a method that is none of them (names, then the JSON
** codes), followed by TAIL (NULL: nothing), into OUT (400 bytes is enough). */
void payment_method_refusal(char *out, size_t n, const char *tail);

/* What B owes in total, from its status now (see above). */
int64_t payment_due(const struct kctx *ctx, const struct booking *b);

/* The net amount paid for booking ID (payments minus refunds) into *PAID. */
int payment_paid(struct kctx *ctx, int64_t booking_id, int64_t *paid);

/* POST /api/v1/bookings/{id}/payments {"method","amount"} (staff, admin; in
** counter hours). AMOUNT must equal the outstanding amount: positive for a
** payment, negative for a refund due. *OUT: {"payment":{"receipt","kind",
** "method","amount","at",...},"booking":{...},"fee_total","due","paid",
** "outstanding"}. KERR_COUNTER_HOURS, KERR_NOT_FOUND, KERR_VALIDATION (bad
** method; wrong amount, saying the amount due), KERR_CONFLICT (nothing
** outstanding). Writes "counter.payment" or "counter.refund". */
int payment_record(struct kctx *ctx, int64_t booking_id, const json_t *body, json_t **out,
                   struct kerrinfo *ei);

/* GET /api/v1/bookings/{id}/payments (staff, admin): {"booking_id","fee_total",
** "due","paid","outstanding","payments":[...]} oldest first. */
int payment_list(struct kctx *ctx, int64_t booking_id, json_t **out, struct kerrinfo *ei);

/* ---- inside a write transaction (db_begin_write), for counter.c and
** bookings.c: each writes its row and its usage-log event, and leaves the
** commit or rollback to the caller. ---- */

/* Record AMOUNT (> 0 a payment, < 0 a refund) by METHOD for B, numbered;
** RECEIPT (may be NULL) gets the receipt number (PAYMENT_RECEIPT_MAX bytes). */
int payment_add(struct kctx *ctx, const struct booking *b, const char *method, int64_t amount,
                char *receipt, struct kerrinfo *ei);

/* RULE: refund on staff cancel. Give back what was paid for B beyond KEEP
** yen (the cancellation fee; 0: everything), one refund per method it was
** paid by: KEEP is kept from the methods in the order of their codes
** (card, cash, ic, qr), the rest of each goes back by that method. Nothing
** to do when no more than KEEP was paid. */
int payment_refund_beyond(struct kctx *ctx, const struct booking *b, int64_t keep,
                          struct kerrinfo *ei);

/* Every row of booking ID, oldest first, into *ROWS (malloc'd, *N of them;
** the caller frees). No access check. 0 or a KERR code. */
int payment_rows(struct kctx *ctx, int64_t booking_id, struct payment_row **rows, int *n);

/* {"receipt","kind","method","method_label","amount","at","booking_id"} for
** every row of booking ID, oldest first (new reference; NULL on error). */
json_t *payment_rows_json(struct kctx *ctx, int64_t booking_id);

/* The money of B added to its booking reply OUT: "due", "paid",
** "outstanding" and "payments" (the rows). Nothing added on a read error. */
void payment_money_json(struct kctx *ctx, const struct booking *b, json_t *out);

#endif
