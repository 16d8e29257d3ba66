/*
** core/demo.h: a demonstration data set, made through the real core
** functions (docs/demo.md).
**
** A simulation of the city's use: accounts, groups registered and approved,
** then, in the order of a simulated clock, bookings made when their window
** opens (most of a group's in the first minutes), confirmed or left to lapse,
** some cancelled by their holder (with the rule book's fee after the
** deadline) or by staff; registrations renewed each March. Every booking goes
** through booking_create / booking_confirm / booking_cancel with ctx->now set
** to the simulated instant, so every rule is the rule book's (windows,
** closed days, caps, holds, fees) and every change writes its usage-log
** event, dated when it happened. A request the rules refuse is simply not
** booked, as in life.
**
** The documented demonstration accounts (fixed system IDs and passwords,
** docs/demo.md; FOR DEMONSTRATION ONLY) are made with accounts_create. The
** rest of the population (citizens, group representatives, staff of the
** other centres) is written directly, with a password hash that matches no
** password: they exist for the figures and can never sign in.
*/
#ifndef KOMINKAN_CORE_DEMO_H
#define KOMINKAN_CORE_DEMO_H

#include <stdint.h>

#include "../../backend/core/ctx.h"

/* The documented accounts (docs/demo.md). Demonstration only: never create
** them on a production database. */
#define DEMO_CITIZEN_ID 100000017LL
#define DEMO_STAFF_ID 200000016LL     /* home centre chuo */
#define DEMO_ADMIN_ID 300000015LL
#define DEMO_ANALYST_ID 400000014LL
#define DEMO_CITIZEN_PASSWORD "demo-citizen-2026"
#define DEMO_STAFF_PASSWORD "demo-staff-2026"
#define DEMO_ADMIN_PASSWORD "demo-admin-2026"
#define DEMO_ANALYST_PASSWORD "demo-analyst-2026"

struct demo_plan {
  int32_t first_day, last_day;  /* use dates simulated, inclusive */
  int64_t until;                /* the simulated clock stops here: nothing later happens */
  int groups_per_center;        /* registered groups, each with a home centre */
  int persons;                  /* citizens who book alone now and then */
  uint64_t seed;                /* the same seed, the same data */
  int scripted;                 /* the demo citizen's bookings around today (until's day) */
  int throwaway;                /* a file made only for this (demo-data): synchronous=OFF
                                   while it is written; otherwise NORMAL */
};

struct demo_stats {
  int accounts, groups;
  int exemptions;               /* exemption approvals (減免), renewals included */
  int attempts;                 /* booking requests made */
  int booked;                   /* of which the rules let through */
  int refused;                  /* of which the rules refused: */
  int refused_taken;            /*   the slot was taken (by someone quicker) */
  int refused_limit;            /*   a cap (holds at once, slots a month) */
  int refused_other;            /*   the window, a lapsed registration, ... */
  int confirmed, cancelled, lapsed;
  int walkins, checkins, noshows, payments;   /* at the counter */
  int form_submissions;         /* recorded online form submissions (accepted or refused) */
};

/* Run PLAN on CTX->db (whose catalogue is synced with CTX->rb). Creates the
** documented accounts when they do not exist yet. Writes durably only at the
** end (synchronous=NORMAL meanwhile). 0 or a KERR code; ST (may be NULL)
** gets the counts. */
int demo_generate(struct kctx *ctx, const struct demo_plan *plan, struct demo_stats *st);

/* serve --demo: seed a small set ONCE per database (server_keys
** 'demo_seeded' marks it): every centre, use dates from MONTHS months
** before today to two months ahead (as far as the booking window has
** opened), the demo citizen's bookings today. 0 (also when already seeded)
** or a KERR code; *SEEDED (may be NULL) is 1 when it seeded now. */
int demo_seed(struct kctx *ctx, int months, int *seeded);

/* 1 if the database was seeded (by demo_seed or demo-data). */
int demo_is_seeded(kdb *db);

/* Mark the database seeded. 0 or a KERR code. */
int demo_mark_seeded(struct kctx *ctx);

#endif
