/*
** tools/demo/demo.c: the demonstration data set (see demo.h; docs/demo.md):
** the simulation of bookings, counter visits and renewals (the population
** is tools/demo/demo_people.c).
**
** Shape of the simulation: make the people, register and approve the
** groups, then list every request the people will make (an "intent": who,
** which room, date and slots, when they ask, and what they will do next:
** confirm, cancel or let the hold lapse), turn them into actions on a
** simulated clock, sort the actions by time and play them through the real
** core functions. Nothing here decides whether a booking is allowed: the
** rule book does, inside booking_create.
**
** What makes it look like the city (all of it invented; docs/demo.md):
**   - each group has a home centre, an activity (a room kind it needs), a
**     weekday and a slot, and meets 2 to 4 times a month (the rule book's
**     monthly cap bounds it); most book in the first minutes after the
**     window opens, the rest over the following days;
**   - weekday mornings are the busiest (circles of retired people), then
**     evenings (people at work), weekends in the afternoon;
**   - people alone book now and then, mostly at their own centre, a few days
**     to weeks ahead;
**   - about 85 in 100 holds are confirmed, 5 cancelled, 10 left to lapse; of
**     the confirmed, 7 in 100 are cancelled later (after the deadline with
**     the fee) and 1 in 100 is cancelled by staff.
*/
#include "demo.h"
#include "demo_sim.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../backend/core/accounts.h"
#include "../../backend/core/audit.h"
#include "../../backend/core/bookings.h"
#include "../../backend/core/clock.h"
#include "../../backend/core/counter.h"
#include "../../backend/core/discounts.h"
#include "../../backend/core/groups.h"
#include "../../backend/core/ids.h"
#include "../../backend/core/payments.h"
#include "../../backend/core/submissions.h"

static int push_intent(struct sim *s, const struct intent *it) {
  if (s->nin + 1 > s->incap) {
    int cap = s->incap ? s->incap * 2 : 1024;
    struct intent *p = realloc(s->in, (size_t)cap * sizeof *p);
    if (!p) return -1;
    s->in = p;
    s->incap = cap;
  }
  s->in[s->nin++] = *it;
  return 0;
}

static int push_action(struct sim *s, int64_t t, int kind, int idx) {
  if (s->nac + 1 > s->accap) {
    int cap = s->accap ? s->accap * 2 : 2048;
    struct action *p = realloc(s->ac, (size_t)cap * sizeof *p);
    if (!p) return -1;
    s->ac = p;
    s->accap = cap;
  }
  s->ac[s->nac] = (struct action){.t = t, .kind = kind, .idx = idx, .seq = s->nac};
  s->nac++;
  return 0;
}

const struct rules *demo_rules_for(const struct rulebook *rb, int32_t day) {
  const struct rules *r = rules_in_force(rb, day);
  return r ? r : (rb->nversions ? &rb->versions[0] : NULL);
}

static int is_reserved(const struct sim *s, int64_t room, int32_t day, int slot0, int n) {
  for (int i = 0; i < s->nreserved; i++)
    if (s->reserved[i].room == room && s->reserved[i].day == day &&
        s->reserved[i].slot >= slot0 && s->reserved[i].slot < slot0 + n)
      return 1;
  return 0;
}

/* The follow-ups of intent IT made at IT->t: when it is confirmed and
** cancelled, by its fate. */
static void follow_ups(struct sim *s, struct intent *it, int group_member) {
  const struct rules *use = demo_rules_for(s->rb, it->day);
  const struct rules *now = demo_rules_for(s->rb, clock_today(it->t));
  int64_t start = clock_local(it->day, use->slots[it->slot0].start);
  int64_t expires = it->t + (int64_t)now->hold_lapse_hours * 3600;
  if (expires > start) expires = start;
  double u = unif(&s->rng);
  if (it->fate == F_HOLD) return;
  it->fate = u < 0.85 ? F_CONFIRM : u < 0.90 ? F_HOLD_CANCEL : F_LAPSE;
  if (it->fate == F_CONFIRM) {
    double v = unif(&s->rng);
    int64_t delay = v < (group_member ? 0.7 : 0.5) ? between(&s->rng, 60, 900)
                    : v < 0.92                       ? between(&s->rng, 3600, 86400)
                                                     : between(&s->rng, 86400, 216000);
    if (it->t + delay >= expires - 60) delay = (expires - it->t) / 2;
    if (delay < 10) {
      it->fate = F_LAPSE;
      return;
    }
    it->t2 = it->t + delay;
    double w = unif(&s->rng);
    if (w < 0.08 && start - 3600 > it->t2 + 3600) {
      it->fate = w < 0.01 ? F_CONFIRM_STAFF_CANCEL : F_CONFIRM_CANCEL;
      it->t3 = between(&s->rng, it->t2 + 3600, start - 3600);
    }
  } else if (it->fate == F_HOLD_CANCEL) {
    if (expires - 120 <= it->t + 60) it->fate = F_LAPSE;
    else it->t3 = between(&s->rng, it->t + 60, expires - 120);
  }
}

/* How people pay at the counter: cash most, then IC cards and QR codes. */
static const char *pick_method(struct sim *s) {
  double u = unif(&s->rng);
  return u < 0.55 ? "cash" : u < 0.75 ? "qr" : u < 0.85 ? "card" : "ic";
}

/* 1 if the counter is open at T (the rule book's counter hours, version in
** force on that day; closed days included). */
static int counter_open_at(const struct sim *s, int64_t t) {
  const struct rules *r = demo_rules_for(s->rb, clock_today(t));
  return r && rules_counter_open(r, t);
}

/* The counter's part of a use that is confirmed and not cancelled: when the
** slot starts within counter hours, the group arrives, pays (unless already
** paid) and is checked in a few minutes before it (or, 3 in 100, nobody
** comes and the clerk marks a no-show after the grace period); otherwise
** (evenings, weekends) the fee is paid at the counter on an earlier open
** day, if there is one after the confirmation. Some pay nothing at the
** counter (paid elsewhere or not yet): 10 in 100. */
static void counter_follow_ups(struct sim *s, struct intent *it) {
  const struct rules *use = demo_rules_for(s->rb, it->day);
  int64_t start = clock_local(it->day, use->slots[it->slot0].start);
  int64_t after = it->walkin ? it->t : it->t2;
  it->method = unif(&s->rng) < 0.9 ? pick_method(s) : NULL;
  int64_t arrive = start - between(&s->rng, 60, 600);
  if (it->walkin) {   /* pays with the walk-in itself; checked in when the counter is open */
    if (arrive > after && counter_open_at(s, arrive) && counter_open_at(s, start)) it->t_in = arrive;
    return;
  }
  if (arrive > after && counter_open_at(s, arrive) && counter_open_at(s, start)) {
    if (unif(&s->rng) < 0.03 && !it->walkin) {
      it->noshow = 1;
      it->t_in = start + (int64_t)use->noshow_grace_min * 60 + between(&s->rng, 60, 3600);
      if (!counter_open_at(s, it->t_in)) it->t_in = 0, it->noshow = 0;
      if (it->method) it->t_pay = 0, it->method = NULL;   /* they never came to pay */
      return;
    }
    it->t_in = arrive + 30;
    if (it->method && !it->t_pay) it->t_pay = arrive;
    return;
  }
  /* an earlier day the counter is open, after the confirmation */
  for (int32_t d = it->day; d > clock_today(after) - 1 && d > it->day - 14 && it->method; d--) {
    int64_t t = clock_local(d, 10 * 60 + (int)between(&s->rng, 0, 6 * 60));
    if (t > after && t < start && counter_open_at(s, t)) {
      it->t_pay = t;
      return;
    }
  }
  it->method = NULL;
}

/* A slot for a use on a weekday (Monday = 0). Weekday mornings are the
** busiest, then evenings, weekend afternoons; a daytime circle leans to the
** morning and afternoon, others to the evening. Versions with another number
** of slots than 3 get equal weights. */
int demo_pick_slot(struct sim *s, const struct rules *r, int weekday_mon0, int daytime) {
  if (r->nslots != 3) return (int)between(&s->rng, 0, r->nslots - 1);
  static const double base[7][3] = {{.50, .25, .25}, {.50, .25, .25}, {.50, .25, .25},
                                    {.50, .25, .25}, {.45, .25, .30}, {.30, .50, .20},
                                    {.35, .50, .15}};
  static const double lean[2][3] = {{0.6, 0.8, 1.8}, {1.5, 1.2, 0.4}};
  double w[3], sum = 0;
  for (int i = 0; i < 3; i++) sum += (w[i] = base[weekday_mon0 % 7][i] * lean[daytime != 0][i]);
  double u = unif(&s->rng) * sum;
  if (u < w[0]) return 0;
  if (u < w[0] + w[1]) return 1;
  return 2;
}

int demo_pick_weekday(struct sim *s) {
  /* Monday is closed twice a month; Tuesday to Friday are the busiest. */
  static const double w[7] = {.08, .17, .17, .17, .16, .14, .11};
  double u = unif(&s->rng), acc = 0;
  for (int i = 0; i < 7; i++)
    if (u < (acc += w[i])) return i;
  return 6;
}

/* ================================================ making the intents */

/* The instant booking opens for DAY, and the start of slot SLOT0 on it. */
static int64_t opens_of(const struct rulebook *rb, int32_t day) {
  return rules_booking_opens(demo_rules_for(rb, day), day);
}

/* The first day of DAY's month. */
static int32_t month_of(int32_t day) {
  int y, m, d;
  date_to_ymd(day, &y, &m, &d);
  return date_from_ymd(y, m, 1);
}

static int group_intents(struct sim *s) {
  const struct rulebook *rb = s->rb;
  int32_t first = s->plan->first_day, last = s->plan->last_day;
  for (int32_t month = month_of(first); month <= last; month = date_add_months(month, 1)) {
    int32_t mend = date_add_months(month, 1) - 1;
    for (int gi = 0; gi < s->ngroups; gi++) {
      struct group *g = &s->groups[gi];
      if (g->freq <= 0) continue;
      /* the occurrences of the group's weekday in the month */
      int32_t days[6];
      int n = 0;
      for (int32_t day = month; day <= mend && n < 6; day++)
        if ((date_weekday(day) + 6) % 7 == g->weekday) days[n++] = day;
      static const int pattern[5][4] = {{0}, {0}, {0, 2}, {0, 1, 2}, {0, 1, 2, 3}};
      int64_t base = opens_of(rb, month);
      double u = unif(&s->rng);
      base += u < 0.45 ? between(&s->rng, 0, 600)
              : u < 0.85 ? between(&s->rng, 600, 3 * 86400)
                         : between(&s->rng, 3 * 86400, 20 * 86400);
      for (int k = 0; k < g->freq && k < 4; k++) {
        int idx = pattern[g->freq][k];
        if (idx >= n) continue;
        int32_t day = days[idx];
        if (day < first || day > last) continue;
        const struct rules *r = demo_rules_for(rb, day);
        if (!r || rules_closed(r, g->room->center->code, day, NULL)) continue;
        if (g->slot < 0 || g->slot >= r->nslots)
          g->slot = demo_pick_slot(s, r, g->weekday, activities[g->act].daytime);
        int slot0 = g->slot, ns = g->nslots;
        if (slot0 + ns > r->nslots) slot0 = r->nslots - ns;
        if (slot0 < 0) continue;
        if (is_reserved(s, g->room->id, day, slot0, ns)) continue;
        struct intent it = {0};
        /* windows that opened before the run began: the group books
        ** within its first day (the system's launch) */
        if (base < s->t0 + 7200) base = s->t0 + 7200 + between(&s->rng, 0, 86400);
        /* one session after another, each confirmed before the next as a
        ** rule of thumb (at most 3 holds at once) */
        it.t = base + k * between(&s->rng, 900, 3600);
        int64_t start = clock_local(day, r->slots[slot0].start);
        if (it.t >= start - 600 || it.t >= s->plan->until) continue;
        it.account = g->rep;
        it.group = g->id;
        it.room = g->room;
        it.day = day;
        it.slot0 = slot0;
        it.nslots = ns;
        int att = (int)(g->members * (0.5 + 0.45 * unif(&s->rng)) + 0.5);
        it.attendees = att < 1 ? 1 : att > g->room->capacity ? g->room->capacity : att;
        it.channel = unif(&s->rng) < 0.12 ? "form" : "online";
        it.purpose = activities[g->act].purpose;
        follow_ups(s, &it, 1);
        if (it.fate == F_CONFIRM) counter_follow_ups(s, &it);
        if (push_intent(s, &it)) return KERR_INTERNAL;
      }
    }
  }
  return 0;
}

static int person_intents(struct sim *s) {
  const struct rulebook *rb = s->rb;
  int32_t first = s->plan->first_day, last = s->plan->last_day;
  for (int32_t month = month_of(first); month <= last; month = date_add_months(month, 1)) {
    int32_t mend = date_add_months(month, 1) - 1;
    for (int pi = 0; pi < s->npersons; pi++) {
      double u = unif(&s->rng);
      int k = u < 0.45 ? 0 : u < 0.80 ? 1 : u < 0.95 ? 2 : 3;
      for (int j = 0; j < k; j++) {
        int c = unif(&s->rng) < 0.8 ? s->persons[pi].center
                                    : (int)between(&s->rng, 0, rb->ncenters - 1);
        const struct center *ce = &rb->centers[c];
        if (!ce->nrooms) continue;
        const struct room *room = &ce->rooms[between(&s->rng, 0, ce->nrooms - 1)];
        int32_t day = (int32_t)between(&s->rng, month, mend);
        if (day < first || day > last) continue;
        const struct rules *r = demo_rules_for(rb, day);
        if (!r || rules_closed(r, ce->code, day, NULL)) continue;
        int slot0 = demo_pick_slot(s, r, (date_weekday(day) + 6) % 7, unif(&s->rng) < 0.5);
        int ns = slot0 + 1 < r->nslots && unif(&s->rng) < 0.1 ? 2 : 1;
        if (is_reserved(s, room->id, day, slot0, ns)) continue;
        int64_t start = clock_local(day, r->slots[slot0].start);
        struct intent it = {0};
        it.t = start - between(&s->rng, 2 * 3600, 40 * 86400);
        int64_t opens = opens_of(rb, day);
        if (it.t < opens) it.t = opens + between(&s->rng, 0, 86400);
        if (it.t < s->t0 + 3600) it.t = s->t0 + 3600 + between(&s->rng, 0, 7 * 86400);
        if (it.t >= start - 600 || it.t >= s->plan->until) continue;
        it.account = s->persons[pi].id;
        it.room = room;
        it.day = day;
        it.slot0 = slot0;
        it.nslots = ns;
        int cap = room->capacity < 12 ? room->capacity : 12;
        it.attendees = (int)between(&s->rng, 1, cap > 1 ? cap : 1);
        it.channel = unif(&s->rng) < 0.1 ? "form" : "online";
        it.purpose = person_purposes[between(&s->rng, 0, 4)];
        /* one in five asks a clerk, when the request falls in counter hours */
        if (unif(&s->rng) < 0.2 && counter_open_at(s, it.t)) {
          it.at_counter = 1;
          it.channel = "counter";
        }
        follow_ups(s, &it, 0);
        if (it.at_counter && it.fate == F_CONFIRM) it.t2 = it.t + 120;   /* confirmed on the spot */
        if (it.fate == F_CONFIRM) counter_follow_ups(s, &it);
        if (push_intent(s, &it)) return KERR_INTERNAL;
      }
    }
  }
  return 0;
}

static const char *const walkin_phone_area[] = {"027", "080", "090", "070"};

/* Walk-ins (当日利用、登録なし): on the days the counter is open, now and then
** somebody comes in for a free room of the day (name and phone only), pays
** and uses it at once. */
static int walkin_intents(struct sim *s) {
  const struct rulebook *rb = s->rb;
  int64_t until = s->plan->until;
  for (int32_t day = s->plan->first_day; day <= s->plan->last_day; day++) {
    const struct rules *r = demo_rules_for(rb, day);
    if (!r || !r->same_day_counter) continue;
    for (int c = 0; c < rb->ncenters; c++) {
      const struct center *ce = &rb->centers[c];
      if (!ce->nrooms || rules_closed(r, ce->code, day, NULL)) continue;
      double u = unif(&s->rng);
      int k = u < 0.45 ? 0 : u < 0.80 ? 1 : u < 0.95 ? 2 : 3;
      for (int j = 0; j < k; j++) {
        struct intent it = {0};
        it.t = clock_local(day, r->counter_open + (int)between(&s->rng, 0, r->counter_close - r->counter_open - 30));
        if (it.t >= until || it.t < s->t0 || !counter_open_at(s, it.t)) continue;
        /* the next slot that has not started */
        int slot = -1;
        for (int k2 = 0; k2 < r->nslots && slot < 0; k2++)
          if (clock_local(day, r->slots[k2].start) > it.t + 600) slot = k2;
        if (slot < 0) continue;
        it.walkin = 1;
        it.room = &ce->rooms[between(&s->rng, 0, ce->nrooms - 1)];
        if (is_reserved(s, it.room->id, day, slot, 1)) continue;
        it.day = day;
        it.slot0 = slot;
        it.nslots = 1;
        it.attendees = (int)between(&s->rng, 1, it.room->capacity < 8 ? it.room->capacity : 8);
        it.channel = "counter";
        it.purpose = "当日利用";
        it.fate = F_CONFIRM;
        int a = (int)between(&s->rng, 0, (int)(sizeof surnames / sizeof surnames[0]) - 1);
        int b = (int)between(&s->rng, 0, (int)(sizeof given / sizeof given[0]) - 1);
        snprintf(it.name, sizeof it.name, "%s %s", surnames[a][0], given[b][0]);
        snprintf(it.phone, sizeof it.phone, "%s-%03d-%04d",
                 walkin_phone_area[between(&s->rng, 0, 3)], (int)between(&s->rng, 200, 999),
                 (int)between(&s->rng, 0, 9999));
        counter_follow_ups(s, &it);
        if (push_intent(s, &it)) return KERR_INTERNAL;
      }
    }
  }
  return 0;
}

/* The demo citizen's bookings around today, so that the today feed, the
** signage and "my bookings" show something: the group's 和室 this morning
** (confirmed), a hold of their own on a later slot today, and the group's
** 和室 next week (confirmed). */
static int scripted_intents(struct sim *s) {
  if (!s->plan->scripted || s->ngroups == 0 || s->groups[0].rep != DEMO_CITIZEN_ID) return 0;
  const struct rulebook *rb = s->rb;
  const struct group *g = &s->groups[0];
  const struct center *chuo = g->room->center;
  const struct room *study = NULL;
  for (int j = 0; j < chuo->nrooms; j++)
    if (!strcmp(chuo->rooms[j].kind, "学習室") && !study) study = &chuo->rooms[j];
  int64_t now = s->plan->until;
  int32_t today = clock_today(now);
  const struct rules *r = demo_rules_for(rb, today);
  if (!r || rules_closed(r, chuo->code, today, NULL) || today < s->plan->first_day) return 0;

  struct intent it = {0};
  it.account = DEMO_CITIZEN_ID;
  it.channel = "online";
  /* 1. the group, this morning, confirmed two days ago */
  it.group = g->id;
  it.room = g->room;
  it.day = today;
  it.slot0 = 0;
  it.nslots = 1;
  it.attendees = 10;
  it.purpose = "短歌の例会";
  it.t = now - 2 * 86400;
  if (it.t < s->t0 + 7200) it.t = s->t0 + 7200;
  it.fate = F_CONFIRM;
  it.t2 = it.t + 300;
  if (it.t < clock_local(today, r->slots[0].start) && it.t2 < now && push_intent(s, &it))
    return KERR_INTERNAL;
  s->reserved[s->nreserved].room = it.room->id, s->reserved[s->nreserved].day = today,
  s->reserved[s->nreserved++].slot = 0;
  /* 2. a hold of their own on the next slot that starts in more than an hour */
  for (int k = 0; study && k < r->nslots; k++) {
    int64_t start = clock_local(today, r->slots[k].start);
    if (start - (int64_t)r->online_until_min * 60 <= now + 3600) continue;
    struct intent h = it;
    h.group = 0;
    h.room = study;
    h.slot0 = k;
    h.attendees = 3;
    h.purpose = "勉強会";
    h.t = now - 1800;
    h.fate = F_HOLD;
    h.t2 = h.t3 = 0;
    if (push_intent(s, &h)) return KERR_INTERNAL;
    s->reserved[s->nreserved].room = study->id, s->reserved[s->nreserved].day = today,
    s->reserved[s->nreserved++].slot = k;
    break;
  }
  /* 3. the group next week (the first open day from today + 7), afternoon */
  for (int32_t day = today + 7; day < today + 14 && r->nslots > 1; day++) {
    const struct rules *rd = demo_rules_for(rb, day);
    if (!rd || rules_closed(rd, chuo->code, day, NULL)) continue;
    struct intent w = it;
    w.day = day;
    w.slot0 = 1;
    w.t = now - 86400;
    if (w.t < s->t0 + 7200) w.t = s->t0 + 7200;
    w.t2 = w.t + 600;
    if (w.t < opens_of(rb, day) || w.t2 >= now) break;
    if (push_intent(s, &w)) return KERR_INTERNAL;
    s->reserved[s->nreserved].room = w.room->id, s->reserved[s->nreserved].day = day,
    s->reserved[s->nreserved++].slot = 1;
    break;
  }
  return 0;
}

/* ================================================ playing it through */

static int cmp_action(const void *x, const void *y) {
  const struct action *a = x, *b = y;
  if (a->t != b->t) return a->t < b->t ? -1 : 1;
  return a->seq - b->seq;
}

static int schedule(struct sim *s) {
  int64_t until = s->plan->until;
  for (int i = 0; i < s->nin; i++) {
    struct intent *it = &s->in[i];
    if (it->t >= until) continue;
    if (push_action(s, it->t, A_CREATE, i)) return KERR_INTERNAL;
    if (it->t_pay && it->t_pay < until && push_action(s, it->t_pay, A_PAY, i)) return KERR_INTERNAL;
    if (it->t_in && it->t_in < until &&
        push_action(s, it->t_in, it->noshow ? A_NOSHOW : A_CHECKIN, i))
      return KERR_INTERNAL;
    if (it->walkin) continue;   /* confirmed at once */
    switch (it->fate) {
      case F_CONFIRM:
        if (it->t2 && it->t2 < until && push_action(s, it->t2, A_CONFIRM, i)) return KERR_INTERNAL;
        break;
      case F_CONFIRM_CANCEL:
      case F_CONFIRM_STAFF_CANCEL:
        if (it->t2 < until && push_action(s, it->t2, A_CONFIRM, i)) return KERR_INTERNAL;
        if (it->t3 < until &&
            push_action(s, it->t3, it->fate == F_CONFIRM_CANCEL ? A_CANCEL : A_STAFF_CANCEL, i))
          return KERR_INTERNAL;
        break;
      case F_HOLD_CANCEL:
        if (it->t3 < until && push_action(s, it->t3, A_CANCEL, i)) return KERR_INTERNAL;
        break;
      default:
        break;
    }
  }
  /* renewals each March, for the next fiscal year */
  int y0, y1, m, d;
  date_to_ymd(clock_today(s->t0), &y0, &m, &d);
  date_to_ymd(clock_today(until), &y1, &m, &d);
  for (int y = y0; y <= y1; y++) {
    int32_t fy_end = date_from_ymd(y, 3, 31);
    int64_t t = clock_local(fy_end - 30, 10 * 60);
    if (t < s->t0 + 86400) t = s->t0 + 86400;
    if (t >= clock_local(fy_end, 9 * 60) || t >= until) continue;
    for (int g = 0; g < s->ngroups; g++) {
      if (s->groups[g].exemption && push_action(s, t + g * 60 + 30, A_EXEMPT_RENEW, g))
        return KERR_INTERNAL;
      if (push_action(s, t + g * 60, A_RENEW, g)) return KERR_INTERNAL;
      if (t + 86400 + g * 60 < until && push_action(s, t + 86400 + g * 60, A_RENEW_APPROVE, g))
        return KERR_INTERNAL;
    }
  }
  qsort(s->ac, (size_t)s->nac, sizeof *s->ac, cmp_action);
  return 0;
}

/* A_CREATE: the intent IT booked through the counter (a walk-in, or for
** the citizen) or by the citizen (online or the form, whose submission is
** recorded as forms.c does). The counts in s->st. */
static int play_create(struct sim *s, const struct action *a, struct intent *it, json_t **out,
                       struct kerrinfo *ei) {
  struct kctx *ctx = s->ctx;
  int rc;
  const struct rules *r = demo_rules_for(s->rb, it->day);
  json_t *slots = json_array();
  for (int k = 0; k < it->nslots; k++)
    json_array_append_new(slots, json_string(r->slots[it->slot0 + k].code));
  char date[11];
  date_format(it->day, date);
  json_t *body = json_pack("{s:I, s:s, s:o, s:s, s:i}", "room_id", (json_int_t)it->room->id,
                           "date", date, "slots", slots, "purpose", it->purpose,
                           "attendees", it->attendees);
  if (it->group) json_object_set_new(body, "group_id", json_integer(it->group));
  int64_t clerk = s->staff[it->room->center - s->rb->centers];
  s->st->attempts++;
  if (it->walkin) {
    json_object_set_new(body, "name", json_string(it->name));
    json_object_set_new(body, "phone", json_string(it->phone));
    if (it->method) json_object_set_new(body, "payment_method", json_string(it->method));
    demo_act(ctx, ROLE_STAFF, clerk, "counter", a->t);
    rc = counter_walkin(ctx, body, out, ei);
    if (!rc) s->st->walkins++;
  } else if (it->at_counter) {
    char who[10];
    ids_format(it->account, who);
    json_object_set_new(body, "on_behalf_of", json_string(who));
    demo_act(ctx, ROLE_STAFF, clerk, "counter", a->t);
    rc = booking_create(ctx, body, NULL, out, NULL, ei);
  } else {
    demo_act(ctx, ROLE_CITIZEN, it->account, it->channel, a->t);
    rc = booking_create(ctx, body, NULL, out, NULL, ei);
    if (!strcmp(it->channel, "form")) {
      /* the online form keeps every submission, accepted or refused,
      ** with its receipt number (core/submissions.c), as forms.c does */
      char idtext[24] = "", receipt[SUBMISSION_RECEIPT_LEN];
      if (!rc)
        snprintf(idtext, sizeof idtext, "%lld",
                 (long long)json_integer_value(json_object_get(*out, "id")));
      struct submission sub = {.kind = "booking", .payload = body, .accepted = rc == 0,
                               .status = rc ? kerr_http_status(rc) : 201,
                               .error_code = rc ? kerr_code(rc) : NULL,
                               .field_errors = rc ? ei->fields : NULL,
                               .result_id = rc ? NULL : idtext};
      if (submission_record(ctx, &sub, receipt) == 0) s->st->form_submissions++;
    }
  }
  json_decref(body);
  if (!rc) {
    it->booking = (int64_t)json_integer_value(json_object_get(*out, "id"));
    s->st->booked++;
  } else {
    s->st->refused++;
    if (rc == KERR_SLOT_TAKEN) s->st->refused_taken++;
    else if (rc == KERR_LIMIT) s->st->refused_limit++;
    else s->st->refused_other++;
  }
  return rc;
}

/* A_RENEW, A_RENEW_APPROVE: a group's renewal asked for, or approved. A
** refused renewal leaves the group to lapse: that happens too. */
static void play_renewal(struct sim *s, const struct action *a) {
  struct kctx *ctx = s->ctx;
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  struct group *g = &s->groups[a->idx];
  if (a->kind == A_RENEW) {
    json_t *in = json_pack("{s:i, s:i}", "members", g->members, "resident_members", g->residents);
    demo_act(ctx, ROLE_CITIZEN, g->rep, "online", a->t);
    groups_renew(ctx, g->id, in, &out, &ei);
    json_decref(in);
  } else {
    demo_act(ctx, ROLE_STAFF, s->staff[g->center], "online", a->t);
    groups_approve(ctx, g->id, &out, &ei);
  }
  json_decref(out);
  kerr_clear(&ei);
}

static int play(struct sim *s) {
  struct kctx *ctx = s->ctx;
  for (int i = 0; i < s->nac; i++) {
    const struct action *a = &s->ac[i];
    struct kerrinfo ei = {0};
    json_t *out = NULL;
    int rc = 0;
    if (a->kind == A_EXEMPT_RENEW) {   /* the exemption for the next fiscal year */
      demo_exempt(s, &s->groups[a->idx], s->groups[a->idx].exemption, a->t);
      continue;
    }
    if (a->kind == A_RENEW || a->kind == A_RENEW_APPROVE) {
      play_renewal(s, a);
      continue;
    }
    struct intent *it = &s->in[a->idx];
    if (a->kind != A_CREATE && !it->booking) continue;   /* it was never booked */
    switch (a->kind) {
      case A_CREATE:
        rc = play_create(s, a, it, &out, &ei);
        break;
      case A_CONFIRM:
        if (it->at_counter) {
          demo_act(ctx, ROLE_STAFF, s->staff[it->room->center - s->rb->centers], "counter", a->t);
          rc = booking_confirm(ctx, it->booking, &out, &ei);
        } else {
          demo_act(ctx, ROLE_CITIZEN, it->account, "online", a->t);
          rc = booking_confirm(ctx, it->booking, &out, &ei);
        }
        if (!rc) s->st->confirmed++;
        break;
      case A_PAY: {
        /* exactly what is outstanding (an exemption may have re-priced it) */
        struct booking b;
        int64_t paid = 0;
        demo_act(ctx, ROLE_STAFF, s->staff[it->room->center - s->rb->centers], "counter", a->t);
        if (booking_load(ctx, it->booking, &b) || payment_paid(ctx, it->booking, &paid)) break;
        int64_t due = payment_due(ctx, &b) - paid;
        if (due <= 0) break;
        json_t *in = json_pack("{s:s, s:I}", "method", it->method, "amount", (json_int_t)due);
        if (!(rc = payment_record(ctx, it->booking, in, &out, &ei))) s->st->payments++;
        json_decref(in);
        break;
      }
      case A_CHECKIN:
        demo_act(ctx, ROLE_STAFF, s->staff[it->room->center - s->rb->centers], "counter", a->t);
        if (!(rc = counter_checkin(ctx, it->booking, &out, &ei))) s->st->checkins++;
        break;
      case A_NOSHOW:
        demo_act(ctx, ROLE_STAFF, s->staff[it->room->center - s->rb->centers], "counter", a->t);
        if (!(rc = counter_noshow(ctx, it->booking, &out, &ei))) s->st->noshows++;
        break;
      case A_CANCEL:
        demo_act(ctx, ROLE_CITIZEN, it->account, "online", a->t);
        if (!(rc = booking_cancel(ctx, it->booking, NULL, CANCEL_FOR_DEFAULT, &out, &ei)))
          s->st->cancelled++;
        break;
      case A_STAFF_CANCEL:
        demo_act(ctx, ROLE_STAFF, s->staff[it->room->center - s->rb->centers], "counter", a->t);
        if (!(rc = booking_cancel(ctx, it->booking, "施設の点検のため", CANCEL_FOR_CITY, &out,
                                  &ei)))
          s->st->cancelled++;
        break;
    }
    json_decref(out);
    kerr_clear(&ei);
    /* storage trouble ends the run; a refusal by the rules is part of life */
    if (rc == KERR_STORAGE || rc == KERR_INTERNAL) return rc;
  }
  /* holds still unconfirmed at the end lapse when their time comes: mark
  ** those already past (their lapse events are dated at expiry) */
  demo_act(ctx, ROLE_ANON, 0, "online", s->plan->until);
  for (int n = 64, round = 0; n == 64 && round < 100000; round++) {
    int rc = booking_sweep_lapsed(ctx, 64, &n);
    if (rc) return rc;
  }
  s->st->lapsed = (int)db_int64(ctx->db, s->st->lapsed,
                                "SELECT count(*) FROM bookings WHERE status = 'lapsed'");
  return 0;
}

int demo_generate(struct kctx *ctx, const struct demo_plan *plan, struct demo_stats *stats) {
  struct demo_stats local = {0};
  struct sim s;
  memset(&s, 0, sizeof s);
  s.ctx = ctx;
  s.rb = ctx->rb;
  s.plan = plan;
  s.st = stats ? stats : &local;
  memset(s.st, 0, sizeof *s.st);
  s.rng.s = plan->seed ? plan->seed : 20260401;
  if (!ctx->rb || ctx->rb->nversions == 0) return KERR_INTERNAL;

  /* The simulation starts when the first use date's window opens (a day
  ** before, for the registrations), never before the first rule-book
  ** version is in force (nobody could register a group before it). */
  int64_t rules_start = clock_local(ctx->rb->versions[0].effective_from, 9 * 60);
  s.t0 = opens_of(ctx->rb, plan->first_day) - 86400;
  if (s.t0 < rules_start) s.t0 = rules_start;

  struct kctx saved = *ctx;
  int rc;
  /* One transaction per booking change, as in the server; durability of
  ** each is not needed while the data set is made (a run cut short is
  ** made again), only at the end. */
  db_exec(ctx->db, plan->throwaway ? "PRAGMA synchronous=OFF" : "PRAGMA synchronous=NORMAL");
  if ((rc = demo_people(&s))) goto done;
  if (s.t0 >= plan->until) goto done;      /* nothing has happened yet */
  if ((rc = demo_make_groups(&s))) goto done;
  if ((rc = scripted_intents(&s))) goto done;
  if ((rc = group_intents(&s))) goto done;
  if ((rc = person_intents(&s))) goto done;
  if ((rc = walkin_intents(&s))) goto done;
  if ((rc = schedule(&s))) goto done;
  rc = play(&s);
done:
  db_exec(ctx->db, "PRAGMA synchronous=FULL");
  *ctx = saved;
  free(s.staff);
  free(s.persons);
  free(s.groups);
  free(s.in);
  free(s.ac);
  return rc;
}

/* ============================================================ seeding */

int demo_is_seeded(kdb *db) {
  return db_exists(db, "SELECT 1 FROM server_keys WHERE name = 'demo_seeded'");
}

int demo_mark_seeded(struct kctx *ctx) {
  char when[26];
  clock_format_instant(ctx->now, when);
  int rc = db_begin_write(ctx->db);
  if (rc != DB_OK) return kerr_from_db(rc);
  kstmt *st = db_prep(ctx->db, "INSERT OR REPLACE INTO server_keys(name, value)"
                               " VALUES ('demo_seeded', $v)");
  if (!st) {
    db_rollback(ctx->db);
    return KERR_INTERNAL;
  }
  db_bind_blob(st, "$v", when, strlen(when));
  if ((rc = db_exec_stmt(st)) != DB_OK) {
    db_rollback(ctx->db);
    return kerr_from_db(rc);
  }
  return kerr_from_db(db_commit(ctx->db));
}

int demo_seed(struct kctx *ctx, int months, int *seeded) {
  if (seeded) *seeded = 0;
  if (demo_is_seeded(ctx->db)) return 0;
  /* marked first: a seeding cut short is not run again on top of itself */
  int rc = demo_mark_seeded(ctx);
  if (rc) return rc;
  int32_t today = clock_today(ctx->now);
  struct demo_plan plan = {
      .first_day = date_add_months(today, -(months > 0 ? months : 0)),
      .last_day = today + 62,
      .until = ctx->now,
      .groups_per_center = 5,
      .persons = 100,
      .seed = 20260401,
      .scripted = 1,
  };
  if (ctx->rb->nversions && plan.first_day < ctx->rb->versions[0].effective_from)
    plan.first_day = ctx->rb->versions[0].effective_from;
  struct demo_stats st;
  rc = demo_generate(ctx, &plan, &st);
  if (!rc && seeded) *seeded = 1;
  if (!rc)
    fprintf(stderr, "demo: %d accounts, %d groups, %d bookings (%d requests refused by the rules),"
            " %d walk-ins, %d payments\n",
            st.accounts, st.groups, st.booked, st.refused, st.walkins, st.payments);
  return rc;
}
