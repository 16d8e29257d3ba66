/*
** core/bookings_int.h: what core/bookings.c (the booking: loading, JSON,
** reads), core/bookings_create.c (the request) and core/bookings_change.c
** (confirm, cancel) share. Private to core/bookings*.c.
*/
#ifndef KOMINKAN_CORE_BOOKINGS_INT_H
#define KOMINKAN_CORE_BOOKINGS_INT_H

#include "bookings.h"

#define PURPOSE_MAX 200        /* characters */
#define REASON_MAX 200
#define IDEM_KEY_MAX 128
#define SWEEP_PER_WRITE 16     /* lapsed holds marked in passing by each write */

/* The usage-log event ACTION about B at AT (AMOUNT: fee, or -1). */
int booking_event(struct kctx *ctx, const char *action, const struct booking *b, int64_t at,
                  int64_t amount);
/* booking_event, for a cancellation by staff with on whose account it is
** (detail "on_behalf": "holder" or "city"; CANCEL_FOR_DEFAULT: not said). */
int booking_event_for(struct kctx *ctx, const char *action, const struct booking *b, int64_t at,
                      int64_t amount, enum cancel_for on_behalf);
/* "morning,afternoon" into CODES (at most MAX): the count. */
int booking_split_slots(const char *s, char codes[][24], int max);
/* Load ID for a change by the actor (holder or staff); others KERR_NOT_FOUND. */
int booking_load_for_change(struct kctx *ctx, int64_t id, struct booking *b,
                            struct kerrinfo *ei);
/* Mark up to MAX lapsed holds lapsed (inside the caller's write); *N the count. */
int booking_sweep(struct kctx *ctx, int max, int *n);

/* Commit (RC 0: avail_touch, *OUT the booking's JSON unless OUT is NULL) or
** roll back (RC a KERR code) the write transaction of a change to B. */
int booking_end_write(struct kctx *ctx, int rc, const struct booking *b, json_t **out,
                      struct kerrinfo *ei);

#endif
