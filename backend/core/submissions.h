/*
** core/submissions.h: the record of online form submissions (オンライン申請).
**
** Every POST /forms/KIND, accepted or rejected, is kept in form_submissions
** with a receipt number (受付番号) the person is shown, what was sent (never a
** password, never the CSRF token), the outcome, the status and code of the
** answer, the per-field errors, and what it made (a booking number, a group
** ID). Each record writes one usage-log event, "form.accepted" or
** "form.rejected", in the same transaction, with the kind, the receipt
** number and the outcome code (never what the person typed).
**
** A rejected submission stores this record and its event and nothing else.
** An accepted one is recorded right after the core function that did the
** work committed (its own transaction): should the process die in between,
** the booking or group stands, with its own usage-log events, and only this
** record of the form is missing.
*/
#ifndef KOMINKAN_CORE_SUBMISSIONS_H
#define KOMINKAN_CORE_SUBMISSIONS_H

#include <jansson.h>

#include "ctx.h"

#define SUBMISSION_RECEIPT_LEN 24   /* "20260408-0001" and room to grow */

struct submission {
  const char *kind;            /* "booking", "group", "discount", "cancel" */
  const json_t *payload;       /* the form as sent; secrets are dropped on the way in */
  int accepted;                /* 1 accepted, 0 rejected */
  int status;                  /* the HTTP status answered */
  const char *error_code;      /* kerr_code() of a rejection, or NULL */
  const json_t *field_errors;  /* {field: message} of a rejection, or NULL */
  const char *result_id;       /* booking number, group ID, ... of an acceptance, or NULL */
};

/* Store S with a new receipt number "YYYYMMDD-NNNN" (the JST date of
** ctx->now, numbered from 0001 that day) in RECEIPT, and its usage-log event
** (channel ctx->channel), in one write transaction. Returns 0 or a KERR code
** (then nothing is stored and RECEIPT is ""). */
int submission_record(struct kctx *ctx, const struct submission *s,
                      char receipt[SUBMISSION_RECEIPT_LEN]);

/* submission_record INSIDE the caller's write transaction (the booking
** form's: the booking and its receipt commit together). On an error the
** caller rolls back. */
int submission_record_in(struct kctx *ctx, const struct submission *s,
                         char receipt[SUBMISSION_RECEIPT_LEN]);

/* The receipt number of the latest accepted submission of KIND that made
** RESULT_ID, into RECEIPT ("" if none). 0 or a KERR code. */
int submission_receipt_of(struct kctx *ctx, const char *kind, const char *result_id,
                          char receipt[SUBMISSION_RECEIPT_LEN]);

/* A copy of PAYLOAD (an object) without the members that must never be
** stored: any name containing "password", and csrf_token. New reference;
** NULL in, an empty object out. */
json_t *submission_scrub(const json_t *payload);

#endif
