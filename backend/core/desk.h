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

/* The counter hours of R in plain Japanese: "月・火・水・木・金曜日の 08:30 から
** 17:15 まで（休館日を除く）". */
void desk_hours_text(const struct rules *r, char *out, size_t n);

/* KERR_FORBIDDEN with the counter's message (an action for staff only). */
int desk_forbidden(struct kerrinfo *ei);

#endif
