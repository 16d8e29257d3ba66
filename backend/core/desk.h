/*
** core/desk.h: acting for others at the counter (窓口): who counts as staff,
** whether the counter is open now (counter hours), and the context a staff
** action runs in.
**
** One entry point per action (STYLE.md rule 13): booking_create (with
** on_behalf_of), booking_confirm, booking_cancel, payment_add_for,
** counter_checkin each take the actor and ask here; no caller chooses a
** "counter" path by role. This module sits below bookings, payments and
** counter and calls only rules and clock.
*/
#ifndef KOMINKAN_CORE_DESK_H
#define KOMINKAN_CORE_DESK_H

#include <stddef.h>

#include "ctx.h"

/* 1 when the actor is staff or admin (acts for others, at the counter). */
int desk_is_staff(const struct kctx *ctx);

/* RULE: counter hours. 0 when the counter is open at ctx->now (version in
** force now), else KERR_COUNTER_HOURS with the hours in the message. */
int desk_check_open(const struct kctx *ctx, struct kerrinfo *ei);

/* The context an action runs in, into *OUT: for staff, the counter must be
** open (else KERR_COUNTER_HOURS) and the channel is "counter"; for anyone
** else *CTX unchanged. 0 or the error in EI. */
int desk_enter(const struct kctx *ctx, struct kctx *out, struct kerrinfo *ei);


/* The counter of R is open on DAY (counter weekdays, not closed, not a
** holiday when the rule book closes it on holidays), at any hour. */
int desk_open_day(const struct rules *r, int32_t day);

/* RULE: the fee is paid at the counter before use. The last instant before
** START (a slot's start) at which the counter sits, later than NOW: the
** counter's closing on the last counter day before the use date, or on the
** use date itself when the counter opens before START (then START at the
** latest). 0 when there is none between NOW and START (then
** desk_next_open() after START says when to pay). Looks back 60 days. */
int64_t desk_pay_by(const struct rules *r, int64_t start, int64_t now);

/* The first instant at or after T at which the counter of R opens (within
** 60 days), or 0. */
int64_t desk_next_open(const struct rules *r, int64_t t);

/* KERR_FORBIDDEN with the counter's message (an action for staff only). */
int desk_forbidden(struct kerrinfo *ei);

#endif
