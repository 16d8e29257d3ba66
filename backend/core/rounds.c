/*
** core/rounds.c: the monthly allocation round for rooms (see rounds.h and
** docs/courses.md for the rules, exactly).
**
** A round's row is made by the sweep when its application period begins;
** the close runs in one write transaction: it ranks the contested
** applications with the round's lottery, decides every application
** (rounds_allocate) and makes the winners' bookings (booking_award), so
** either all of it is stored or nothing.
*/
#include "rounds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "availability.h"
#include "bookings.h"
#include "clock.h"
#include "ids.h"
#include "input.h"
#include "lottery.h"
#include "notify.h"
#include "status.h"
#include "vec.h"

struct round_row {
  int64_t id, lottery_id, apply_from, apply_until, cap, closed_at;
  char code[32], use_month[8], version[32];
};

static int load_round(struct kctx *ctx, int64_t id, struct round_row *w) {
  kstmt *st = db_prep(ctx->db,
                      "SELECT id, lottery_id, apply_from, apply_until, cap, closed_at, code,"
                      " use_month, rules_version FROM rounds WHERE id = $id");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", id);
  int rc = db_step(st);
  if (rc == DB_ROW) {
    w->id = db_col_int(st, 0);
    w->lottery_id = db_col_int(st, 1);
    w->apply_from = db_col_int(st, 2);
    w->apply_until = db_col_int(st, 3);
    w->cap = db_col_int(st, 4);
    w->closed_at = db_col_null(st, 5) ? 0 : db_col_int(st, 5);
    snprintf(w->code, sizeof w->code, "%s", db_col_text(st, 6));
    snprintf(w->use_month, sizeof w->use_month, "%s", db_col_text(st, 7));
    snprintf(w->version, sizeof w->version, "%s", db_col_text(st, 8));
  }
  db_reset(st);
  return rc == DB_ROW ? 0 : rc == DB_DONE ? KERR_NOT_FOUND : kerr_from_db(rc);
}

/* The rule of round W (its version's), or NULL when the rule book no longer
** declares it. */
static const struct round_rule *rule_of(struct kctx *ctx, const struct round_row *w) {
  int32_t m1 = 0;
  char d[16];
  snprintf(d, sizeof d, "%s-01", w->use_month);
  if (date_parse(d, &m1)) return NULL;
  return rules_round(rules_in_force(ctx->rb, m1), w->code);
}

/* ==================================================== the allocation */

int rounds_allocate(struct round_entry *e, int n, int nslots, int cap) {
  char *won = calloc((size_t)(nslots > 0 ? nslots : 1), 1);
  struct { int64_t group; int wins; } *g = calloc((size_t)(n > 0 ? n : 1), sizeof *g);
  int ng = 0;
  if (!won || !g) {
    free(won);
    free(g);
    return KERR_INTERNAL;
  }
  for (int i = 0; i < n; i++) {
    int k = 0;
    while (k < ng && g[k].group != e[i].group) k++;
    if (k == ng) g[ng++].group = e[i].group;
    e[i].won = 0;
    /* RULE: a slot booked before the close goes to nobody in the round; a
    ** slot goes once; a group wins at most the cap. */
    if (e[i].taken) e[i].outcome = ROUND_OUTCOME_TAKEN;
    else if (won[e[i].slot]) e[i].outcome = ROUND_OUTCOME_DRAWN;
    else if (g[k].wins >= cap) e[i].outcome = ROUND_OUTCOME_CAP;
    else {
      e[i].won = 1;
      e[i].outcome = ROUND_OUTCOME_NONE;
      won[e[i].slot] = 1;
      g[k].wins++;
    }
  }
  free(won);
  free(g);
  return 0;
}

/* ============================================================ the sweep */

/* 1 when round CODE of use month MONTH has its row, 0 when not, -1 on error. */
static int round_exists(struct kctx *ctx, const char *code, const char *month) {
  kstmt *st = db_prep(ctx->db, "SELECT 1 FROM rounds WHERE code = $code AND use_month = $m");
  if (!st) return -1;
  db_bind_text(st, "$code", code);
  db_bind_text(st, "$m", month);
  int rc = db_step(st);
  db_reset(st);
  return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/* Inside no transaction: the row of round RR for the use month starting M1
** (version R), made with its lottery if it does not exist yet. */
static int ensure(struct kctx *ctx, const struct rules *r, const struct round_rule *rr,
                  int32_t m1, int64_t from, int64_t until) {
  char month[16];
  date_format(m1, month);
  month[7] = 0;
  int rc = round_exists(ctx, rr->code, month);
  if (rc) return rc < 0 ? KERR_INTERNAL : 0;
  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_from_db(rc);
  int64_t lottery = 0;
  if ((rc = round_exists(ctx, rr->code, month))) { /* made meanwhile by another request */
    db_rollback(ctx->db);
    return rc < 0 ? KERR_INTERNAL : 0;
  }
  if ((rc = lottery_create(ctx, "round", &lottery))) goto fail;
  if (db_run(ctx->db,
             "INSERT INTO rounds(code, use_month, rules_version, apply_from, apply_until,"
             " cap, lottery_id, created_at) VALUES ($code, $m, $v, $from, $until, $cap,"
             " $lot, $now)",
             DB_T("$code", rr->code), DB_T("$m", month), DB_T("$v", r->version),
             DB_I("$from", from), DB_I("$until", until), DB_I("$cap", rr->cap),
             DB_I("$lot", lottery), DB_I("$now", ctx->now)) != DB_OK)
    goto fail;
  rc = db_commit(ctx->db);
  return rc == DB_OK ? 0 : kerr_from_db(rc);
fail:
  db_rollback(ctx->db);
  return KERR_INTERNAL;
}

/* RULE: a round opens when its application period begins: the use months
** from this month to two years ahead, under the version in force on the 1st
** of each. */
static int open_due(struct kctx *ctx) {
  int y, m, d;
  date_to_ymd(clock_today(ctx->now), &y, &m, &d);
  int32_t this_month = date_from_ymd(y, m, 1);
  for (int k = 0; k <= 24; k++) {
    int32_t m1 = date_add_months(this_month, k);
    const struct rules *r = rules_in_force(ctx->rb, m1);
    for (int i = 0; r && i < r->nrounds; i++) {
      int64_t from, until;
      rules_round_period(&r->rounds[i], m1, &from, &until);
      if (ctx->now < from || ctx->now >= until) continue;
      int rc = ensure(ctx, r, &r->rounds[i], m1, from, until);
      if (rc) return rc;
    }
  }
  return 0;
}

static int close_in(struct kctx *ctx, const struct round_row *w, struct kerrinfo *ei);

int rounds_sweep(struct kctx *ctx) {
  int rc = open_due(ctx);
  if (rc) return rc;
  int64_t due[8];
  int n = 0;
  kstmt *st = db_prep(ctx->db,
                      "SELECT id FROM rounds WHERE closed_at IS NULL AND apply_until <= $now"
                      " ORDER BY id LIMIT 8");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$now", ctx->now);
  while (n < 8 && db_step(st) == DB_ROW) due[n++] = db_col_int(st, 0);
  db_reset(st);
  struct kctx sys = *ctx; /* the close acts as the system, not as the caller */
  memset(&sys.actor, 0, sizeof sys.actor);
  sys.actor.role = ROLE_ANON;
  for (int i = 0; i < n; i++) {
    struct kerrinfo ei = {0};
    struct round_row w;
    if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_from_db(rc);
    if (!(rc = load_round(&sys, due[i], &w)) && !w.closed_at) rc = close_in(&sys, &w, &ei);
    kerr_clear(&ei);
    if (rc) {
      db_rollback(ctx->db);
      return rc;
    }
    if ((rc = db_commit(ctx->db)) != DB_OK) return kerr_from_db(rc);
  }
  if (n) avail_touch();
  return 0;
}

/* ============================================================ the close */

/* One live application as the close reads it. */
struct app_in {
  int64_t id, group, account, room;
  char date[11], slot[24];
  int attendees;
  char *purpose;
};

struct close_set {
  struct app_in *a;        /* by (room, date, slot, id) */
  struct round_entry *e;   /* in the order decided: uncontested, then contested by rank */
  int n, nslots;
};

static void close_set_free(struct close_set *s) {
  for (int i = 0; s->a && i < s->n; i++) free(s->a[i].purpose);
  free(s->a);
  free(s->e);
}

/* The live applications of round W into S->a, slot by slot. */
static int read_apps(struct kctx *ctx, const struct round_row *w, struct close_set *s) {
  kstmt *st = db_prep(ctx->db,
                      "SELECT id, group_id, account_id, room_id, date, slot, attendees, purpose"
                      " FROM round_applications WHERE round_id = $r AND status = 'applied'"
                      " ORDER BY room_id, date, slot, id");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$r", w->id);
  int cap = 0, rc;
  while ((rc = db_step(st)) == DB_ROW) {
    if (s->n == cap) {
      cap = cap ? cap * 2 : 64;
      struct app_in *na = realloc(s->a, (size_t)cap * sizeof *na);
      if (!na) break;
      s->a = na;
    }
    struct app_in *x = &s->a[s->n];
    x->id = db_col_int(st, 0);
    x->group = db_col_int(st, 1);
    x->account = db_col_int(st, 2);
    x->room = db_col_int(st, 3);
    snprintf(x->date, sizeof x->date, "%s", db_col_text(st, 4));
    snprintf(x->slot, sizeof x->slot, "%s", db_col_text(st, 5));
    x->attendees = (int)db_col_int(st, 6);
    if (!(x->purpose = strdup(db_col_text(st, 7)))) break;
    s->n++;
  }
  db_reset(st);
  return rc == DB_DONE ? 0 : rc == DB_ROW ? KERR_INTERNAL : kerr_from_db(rc);
}

static int same_slot(const struct app_in *a, const struct app_in *b) {
  return a->room == b->room && !strcmp(a->date, b->date) && !strcmp(a->slot, b->slot);
}

/* 1 when (room, date, slot) of A is held by a booking as of now. */
static int slot_busy(struct kctx *ctx, const struct app_in *a) {
  kstmt *st = db_prep(ctx->db,
                      "SELECT 1 FROM booking_slots WHERE room_id = $room AND date = $date"
                      " AND slot = $slot AND active = 1"
                      " AND (hold_expires_at IS NULL OR hold_expires_at > $now)");
  if (!st) return 1;
  db_bind_int(st, "$room", a->room);
  db_bind_text(st, "$date", a->date);
  db_bind_text(st, "$slot", a->slot);
  db_bind_int(st, "$now", ctx->now);
  int busy = db_step(st) == DB_ROW;
  db_reset(st);
  return busy;
}

static int by_app(const void *x, const void *y) {
  int64_t a = ((const struct round_entry *)x)->app, b = ((const struct round_entry *)y)->app;
  return a < b ? -1 : a > b;
}

/* S->e from S->a: the uncontested in application order, then the contested
** in the rank order of lottery W (drawn here: the seed is published). */
static int order_entries(struct kctx *ctx, const struct round_row *w, struct close_set *s,
                         struct kerrinfo *ei) {
  size_t m = (size_t)(s->n ? s->n : 1);
  int64_t *con = malloc(m * sizeof *con);
  struct round_entry *c = malloc(m * sizeof *c);
  int nu = 0, nc = 0, rc = 0;
  s->e = calloc(m, sizeof *s->e);
  if (!con || !c || !s->e) {
    rc = kerr_set(ei, KERR_INTERNAL, NULL);
    goto out;
  }
  for (int i = 0, j; i < s->n; i = j) {
    for (j = i + 1; j < s->n && same_slot(&s->a[i], &s->a[j]);) j++;
    int taken = slot_busy(ctx, &s->a[i]);
    for (int k = i; k < j; k++) {
      struct round_entry x = {.app = s->a[k].id, .group = s->a[k].group, .slot = s->nslots,
                              .taken = taken, .contested = j - i > 1};
      if (x.contested) {
        con[nc] = x.app;
        c[nc++] = x;
      } else {
        s->e[nu++] = x;
      }
    }
    s->nslots++;
  }
  qsort(s->e, (size_t)nu, sizeof *s->e, by_app);
  qsort(c, (size_t)nc, sizeof *c, by_app);
  if ((rc = lottery_draw(ctx, w->lottery_id, con, nc, ei))) goto out; /* CON in rank order */
  for (int i = 0; i < nc; i++) {
    struct round_entry key = {.app = con[i]};
    s->e[nu + i] = *(struct round_entry *)bsearch(&key, c, (size_t)nc, sizeof *c, by_app);
  }
out:
  free(con);
  free(c);
  return rc;
}

static const struct app_in *app_of(const struct close_set *s, int64_t id) {
  for (int i = 0; i < s->n; i++)
    if (s->a[i].id == id) return &s->a[i];
  return NULL;
}

/* Record entry X (contested: at rank POSITION, else 0): the booking of a
** winner, the application's status and outcome, its lottery row. */
static int decide(struct kctx *ctx, const struct round_row *w, const struct close_set *s,
                  struct round_entry *x, int position, struct kerrinfo *ei) {
  const struct app_in *a = app_of(s, x->app);
  int64_t booking = 0;
  int rc = 0;
  if (x->won) {
    struct booking_plan p = {.room = rules_room_by_id(ctx->rb, a->room), .group_id = a->group,
                             .attendees = a->attendees};
    snprintf(p.date, sizeof p.date, "%s", a->date);
    snprintf(p.slot, sizeof p.slot, "%s", a->slot);
    snprintf(p.purpose, sizeof p.purpose, "%s", a->purpose);
    if (!p.room || date_parse(a->date, &p.day)) return kerr_set(ei, KERR_INTERNAL, NULL);
    rc = booking_award(ctx, &p, a->account, &booking, ei);
    if (rc == KERR_SLOT_TAKEN) { /* cannot be: slot_busy said free; stay safe */
      kerr_clear(ei);
      x->won = 0;
      x->outcome = ROUND_OUTCOME_TAKEN;
      rc = 0;
    }
    if (rc) return rc;
  }
  if ((rc = db_run(ctx->db,
                   "UPDATE round_applications SET status = $s, outcome = $o, contested = $c,"
                   " booking_id = $b, decided_at = $now WHERE id = $id",
                   DB_T("$s", round_app_status_name(x->won ? ROUND_APP_WON : ROUND_APP_LOST)), DB_T("$o", round_outcome_name(x->outcome)),
                   DB_I("$c", position > 0), booking ? DB_I("$b", booking) : DB_T("$b", NULL),
                   DB_I("$now", ctx->now), DB_I("$id", x->app))) != DB_OK)
    return kerr_set(ei, kerr_from_db(rc), NULL);
  if (position > 0 && (rc = lottery_record(ctx, w->lottery_id, position, x->app, x->won)))
    return kerr_set(ei, rc, NULL);
  struct audit_fields f = {.room_id = a->room, .date = a->date, .slot = a->slot,
                           .subject_group = a->group};
  rc = audit_event(ctx, x->won ? "round.won" : "round.lost", &f);
  if (!rc) rc = notify_round_result(ctx, x->app); /* the result, by mail when it is on */
  return rc ? kerr_set(ei, rc, NULL) : 0;
}

/* Inside a write transaction: close round W (see rounds.h). */
static int close_in(struct kctx *ctx, const struct round_row *w, struct kerrinfo *ei) {
  struct close_set s = {0};
  int rc = read_apps(ctx, w, &s);
  if (rc) {
    close_set_free(&s);
    return kerr_set(ei, rc, NULL);
  }
  if (!(rc = order_entries(ctx, w, &s, ei)) &&
      (rc = rounds_allocate(s.e, s.n, s.nslots, (int)w->cap)))
    kerr_set(ei, rc, NULL);
  for (int i = 0, pos = 0; !rc && i < s.n; i++)
    rc = decide(ctx, w, &s, &s.e[i], s.e[i].contested ? ++pos : 0, ei);
  close_set_free(&s);
  if (rc) return rc;
  if ((rc = db_run(ctx->db, "UPDATE rounds SET closed_at = $now WHERE id = $id",
                   DB_I("$now", ctx->now), DB_I("$id", w->id))) != DB_OK)
    return kerr_set(ei, kerr_from_db(rc), NULL);
  struct audit_fields f = {0};
  rc = audit_event(ctx, "round.close", &f);
  return rc ? kerr_set(ei, rc, NULL) : 0;
}

/* ====================================================== the typed views */

static int count_apps(struct kctx *ctx, int64_t round, int64_t *n) {
  *n = 0;
  int rc = db_get_int64(ctx->db, n,
                        "SELECT count(*) FROM round_applications WHERE round_id = $r"
                        " AND status <> 'cancelled'",
                        DB_I("$r", round));
  return rc == DB_ROW ? 0 : kerr_from_db(rc);
}

/* Round W as its view: the state derived, the applications counted. */
static int view_of(struct kctx *ctx, const struct round_row *w, struct round_view *v) {
  memset(v, 0, sizeof *v);
  v->id = w->id;
  v->lottery_id = w->lottery_id;
  v->cap = w->cap;
  v->apply_from = w->apply_from;
  v->apply_until = w->apply_until;
  v->closed_at = w->closed_at;
  snprintf(v->code, sizeof v->code, "%s", w->code);
  snprintf(v->use_month, sizeof v->use_month, "%s", w->use_month);
  v->state = w->closed_at ? ROUND_CLOSED : ctx->now >= w->apply_until ? ROUND_CLOSING : ROUND_OPEN;
  v->rule = rule_of(ctx, w);
  return count_apps(ctx, w->id, &v->applications);
}

static json_t *kinds_json(const struct round_rule *rr) {
  json_t *a = json_array();
  for (int i = 0; rr && a && i < rr->nkinds; i++) json_array_append_new(a, json_string(rr->kinds[i]));
  return a;
}

json_t *round_view_json(const struct round_view *v) {
  json_t *o = json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:I, s:s, s:I, s:I}", "id",
                        (json_int_t)v->id, "code", v->code, "use_month", v->use_month,
                        "room_kinds", kinds_json(v->rule), "apply_from",
                        clock_instant_json(v->apply_from), "apply_until",
                        clock_instant_json(v->apply_until), "cap", (json_int_t)v->cap, "state",
                        round_state_name(v->state), "lottery_id", (json_int_t)v->lottery_id,
                        "applications", (json_int_t)v->applications);
  if (o && v->closed_at) json_object_set_new(o, "closed_at", clock_instant_json(v->closed_at));
  return o;
}

int rounds_views(struct kctx *ctx, struct round_view **out, int *n, struct kerrinfo *ei) {
  int64_t ids[48];
  int m = 0, rc = DB_DONE;
  *out = NULL;
  *n = 0;
  rounds_sweep(ctx);
  kstmt *st = db_prep(ctx->db, "SELECT id FROM rounds ORDER BY use_month DESC, code LIMIT 48");
  if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
  while (m < 48 && (rc = db_step(st)) == DB_ROW) ids[m++] = db_col_int(st, 0);
  db_reset(st);
  if (!(*out = calloc((size_t)(m ? m : 1), sizeof **out))) return kerr_set(ei, KERR_INTERNAL, NULL);
  for (rc = 0; !rc && *n < m; (*n)++) {
    struct round_row w;
    if (!(rc = load_round(ctx, ids[*n], &w))) rc = view_of(ctx, &w, &(*out)[*n]);
  }
  if (!rc) return 0;
  free(*out);
  *out = NULL;
  *n = 0;
  return kerr_set(ei, rc, NULL);
}

/* The list routes' reply: RC, the views' loader's code, else {KEY:
** [TO(ITEMS[0]), ...]} into *OUT. ITEMS (N of SIZE bytes) is freed. */
static int list_reply(int rc, const char *key, void *items, int n, size_t size,
                      json_t *(*to)(const void *), json_t **out, struct kerrinfo *ei) {
  *out = rc ? NULL : vec_json(key, items, n, size, to);
  free(items);
  return rc ? rc : *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}

static json_t *round_json_of(const void *v) { return round_view_json(v); }

int rounds_list(struct kctx *ctx, json_t **out, struct kerrinfo *ei) {
  struct round_view *v;
  int n, rc = rounds_views(ctx, &v, &n, ei);
  return list_reply(rc, "rounds", v, n, sizeof *v, round_json_of, out, ei);
}

/* The application in the current row of ST (apps_read's columns). */
static void app_read_row(struct kctx *ctx, kstmt *st, struct round_app_view *a) {
  memset(a, 0, sizeof *a);
  a->id = db_col_int(st, 0);
  a->round_id = db_col_int(st, 1);
  a->group_id = db_col_int(st, 2);
  a->room_id = db_col_int(st, 3);
  a->room = rules_room_by_id(ctx->rb, a->room_id);
  snprintf(a->date, sizeof a->date, "%s", db_col_text(st, 4));
  snprintf(a->slot, sizeof a->slot, "%s", db_col_text(st, 5));
  a->status = round_app_status_parse(db_col_text(st, 6));
  a->outcome = round_outcome_parse(db_col_null(st, 7) ? NULL : db_col_text(st, 7));
  a->booking_id = db_col_null(st, 8) ? 0 : db_col_int(st, 8);
  a->attendees = db_col_int(st, 9);
  snprintf(a->group_name, sizeof a->group_name, "%s", db_col_text(st, 10));
  a->contested = (int)db_col_int(st, 11);
}

json_t *round_app_view_json(const struct round_app_view *a) {
  json_t *o = json_pack("{s:I, s:I, s:o, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:b}", "id",
                        (json_int_t)a->id, "round_id", (json_int_t)a->round_id, "group_id",
                        ids_json(a->group_id), "group_name", a->group_name, "room_id",
                        (json_int_t)a->room_id, "room_name", a->room ? a->room->name : "",
                        "center", a->room ? a->room->center->code : "", "date", a->date, "slot",
                        a->slot, "status", round_app_status_name(a->status), "attendees",
                        (json_int_t)a->attendees, "contested", a->contested);
  if (o && a->outcome != ROUND_OUTCOME_NONE)
    json_object_set_new(o, "outcome", json_string(round_outcome_name(a->outcome)));
  if (o && a->booking_id) json_object_set_new(o, "booking_id", json_integer(a->booking_id));
  return o;
}

/* The applications with ID (0: any), of ROUND (0: any), of the groups
** ACCOUNT represents (0: any), in application order, into *OUT (malloc'd,
** *N of them). 0 or a KERR code. */
static int apps_read(struct kctx *ctx, int64_t id, int64_t round, int64_t account,
                     struct round_app_view **out, int *n) {
  kstmt *st = db_prep(ctx->db,
                      "SELECT a.id, a.round_id, a.group_id, a.room_id, a.date, a.slot, a.status,"
                      " a.outcome, a.booking_id, a.attendees, g.name, a.contested"
                      " FROM round_applications a JOIN groups g ON g.id = a.group_id"
                      " WHERE ($id = 0 OR a.id = $id) AND ($r = 0 OR a.round_id = $r)"
                      " AND ($a = 0 OR a.group_id IN (SELECT id FROM groups"
                      " WHERE representative_id = $a UNION SELECT group_id FROM group_reps"
                      " WHERE account_id = $a)) ORDER BY a.id LIMIT 2000");
  int rc = DB_DONE, cap = 0;
  *out = NULL;
  *n = 0;
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", id);
  db_bind_int(st, "$r", round);
  db_bind_int(st, "$a", account);
  while ((rc = db_step(st)) == DB_ROW) {
    if (vec_grow((void **)out, *n, &cap, sizeof **out)) break;
    app_read_row(ctx, st, &(*out)[(*n)++]);
  }
  db_reset(st);
  if (rc == DB_DONE) return 0;
  free(*out);
  *out = NULL;
  *n = 0;
  return rc == DB_ROW ? KERR_INTERNAL : kerr_from_db(rc);
}

/* Application ID as JSON into *OUT. */
static int app_reply(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei) {
  struct round_app_view *a;
  int n, rc = apps_read(ctx, id, 0, 0, &a, &n);
  if (rc) return kerr_set(ei, rc, NULL);
  *out = n ? round_app_view_json(&a[0]) : NULL;
  free(a);
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}

/* The slots asked for in round D, with the applications on each and the
** winner once closed: what anyone needs to check the draw. */
static int slots_read(struct kctx *ctx, struct round_detail *d) {
  kstmt *st = db_prep(ctx->db,
                      "SELECT room_id, date, slot, id, status FROM round_applications"
                      " WHERE round_id = $r AND status <> 'cancelled'"
                      " ORDER BY room_id, date, slot, id");
  int rc = DB_DONE, cap = 0, ecap = 0;
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$r", d->round.id);
  struct round_slot_view *cur = NULL;
  while ((rc = db_step(st)) == DB_ROW) {
    if (!cur || cur->room_id != db_col_int(st, 0) || strcmp(cur->date, db_col_text(st, 1)) ||
        strcmp(cur->slot, db_col_text(st, 2))) {
      if (vec_grow((void **)&d->slots, d->nslots, &cap, sizeof *d->slots)) break;
      cur = &d->slots[d->nslots++];
      memset(cur, 0, sizeof *cur);
      cur->room_id = db_col_int(st, 0);
      cur->room = rules_room_by_id(ctx->rb, cur->room_id);
      snprintf(cur->date, sizeof cur->date, "%s", db_col_text(st, 1));
      snprintf(cur->slot, sizeof cur->slot, "%s", db_col_text(st, 2));
      cur->first = d->nentries;
    }
    if (vec_grow((void **)&d->entries, d->nentries, &ecap, sizeof *d->entries)) break;
    d->entries[d->nentries++] = db_col_int(st, 3);
    cur->contested = ++cur->nentries > 1;
    if (round_app_status_parse(db_col_text(st, 4)) == ROUND_APP_WON) cur->winner = db_col_int(st, 3);
  }
  db_reset(st);
  for (int i = 0; i < d->nslots; i++) d->slots[i].entries = d->entries + d->slots[i].first;
  return rc == DB_DONE ? 0 : rc == DB_ROW ? KERR_INTERNAL : kerr_from_db(rc);
}

/* For staff: every application with its group, and per group what it asked
** for and what it won. */
static int staff_read(struct kctx *ctx, struct round_detail *d) {
  int rc = apps_read(ctx, 0, d->round.id, 0, &d->apps, &d->napps), cap = 0;
  if (rc) return rc;
  kstmt *st = db_prep(ctx->db,
               "SELECT a.group_id, g.name, sum(a.status <> 'cancelled'), sum(a.status = 'won')"
               " FROM round_applications a JOIN groups g ON g.id = a.group_id"
               " WHERE a.round_id = $r GROUP BY a.group_id ORDER BY a.group_id");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$r", d->round.id);
  while ((rc = db_step(st)) == DB_ROW) {
    if (vec_grow((void **)&d->groups, d->ngroups, &cap, sizeof *d->groups)) break;
    struct round_group_view *g = &d->groups[d->ngroups++];
    g->group_id = db_col_int(st, 0);
    snprintf(g->group_name, sizeof g->group_name, "%s", db_col_text(st, 1));
    g->applied = db_col_int(st, 2);
    g->won = db_col_int(st, 3);
  }
  db_reset(st);
  return rc == DB_DONE ? 0 : rc == DB_ROW ? KERR_INTERNAL : kerr_from_db(rc);
}

void round_detail_free(struct round_detail *d) {
  if (!d) return;
  free(d->slots);
  free(d->entries);
  free(d->apps);
  free(d->groups);
  memset(d, 0, sizeof *d);
}

static int detail_loaded(struct kctx *ctx, const struct round_row *w, struct round_detail *d,
                         struct kerrinfo *ei) {
  memset(d, 0, sizeof *d);
  d->staff = (ctx->actor.role & ROLE_DESK) != 0;
  d->has_slots = w->closed_at || d->staff;
  int rc = view_of(ctx, w, &d->round);
  if (!rc && d->has_slots) rc = slots_read(ctx, d);
  if (!rc && d->staff) rc = staff_read(ctx, d);
  if (!rc) return 0;
  round_detail_free(d);
  return kerr_set(ei, rc, NULL);
}

int rounds_detail(struct kctx *ctx, int64_t id, struct round_detail *d, struct kerrinfo *ei) {
  struct round_row w;
  memset(d, 0, sizeof *d);
  rounds_sweep(ctx);
  int rc = load_round(ctx, id, &w);
  if (rc) return kerr_set(ei, rc, rc == KERR_NOT_FOUND ? "その抽選の回はありません。" : NULL);
  return detail_loaded(ctx, &w, d, ei);
}

/* The slots of D as JSON (new reference). */
static json_t *slots_json(const struct round_detail *d) {
  json_t *arr = json_array();
  for (int i = 0; arr && i < d->nslots; i++) {
    const struct round_slot_view *s = &d->slots[i];
    json_t *entries = json_array();
    for (int k = 0; entries && k < s->nentries; k++)
      json_array_append_new(entries, json_integer(s->entries[k]));
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:o}", "room_id",
                          (json_int_t)s->room_id, "room_name", s->room ? s->room->name : "",
                          "center", s->room ? s->room->center->code : "", "date", s->date,
                          "slot", s->slot, "contested", s->contested, "entries", entries);
    if (o && s->winner) json_object_set_new(o, "winner", json_integer(s->winner));
    if (!o || json_array_append_new(arr, o)) {
      json_decref(arr);
      return NULL;
    }
  }
  return arr;
}

/* The staff's part of D as JSON into O: "applications" (in place of the
** count) and "groups". 0, or -1 when out of memory. */
static int staff_json(const struct round_detail *d, json_t *o) {
  json_t *apps = json_array(), *groups = json_array();
  for (int i = 0; apps && i < d->napps; i++)
    json_array_append_new(apps, round_app_view_json(&d->apps[i]));
  for (int i = 0; groups && i < d->ngroups; i++) {
    const struct round_group_view *g = &d->groups[i];
    json_array_append_new(groups, json_pack("{s:o, s:s, s:I, s:I}", "group_id",
                                            ids_json(g->group_id), "group_name", g->group_name,
                                            "applied", (json_int_t)g->applied, "won",
                                            (json_int_t)g->won));
  }
  int bad = json_object_set_new(o, "applications", apps);
  return json_object_set_new(o, "groups", groups) || bad ? -1 : 0;
}

json_t *round_detail_json(const struct round_detail *d) {
  json_t *o = round_view_json(&d->round);
  if (o && d->has_slots && json_object_set_new(o, "slots", slots_json(d))) {
    json_decref(o);
    return NULL;
  }
  if (o && d->staff && staff_json(d, o)) {
    json_decref(o);
    return NULL;
  }
  return o;
}

/* D's JSON into *OUT; D is freed. */
static int detail_reply(struct round_detail *d, json_t **out, struct kerrinfo *ei) {
  *out = round_detail_json(d);
  round_detail_free(d);
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}

/* Round W as rounds_get gives it, into *OUT. */
static int get_loaded(struct kctx *ctx, const struct round_row *w, json_t **out,
                      struct kerrinfo *ei) {
  struct round_detail d;
  int rc = detail_loaded(ctx, w, &d, ei);
  return rc ? rc : detail_reply(&d, out, ei);
}

int rounds_get(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei) {
  struct round_detail d;
  *out = NULL;
  int rc = rounds_detail(ctx, id, &d, ei);
  return rc ? rc : detail_reply(&d, out, ei);
}

int rounds_close(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei) {
  struct round_row w;
  int rc;
  *out = NULL;
  if (!(ctx->actor.role & ROLE_DESK)) return kerr_set(ei, KERR_FORBIDDEN, NULL);
  if ((rc = load_round(ctx, id, &w)))
    return kerr_set(ei, rc, rc == KERR_NOT_FOUND ? "その抽選の回はありません。" : NULL);
  /* RULE: the close comes after the application period ends. */
  if (ctx->now < w.apply_until) {
    char at[64];
    clock_jinstant(w.apply_until, at, sizeof at);
    return kerr_set(ei, KERR_TOO_EARLY, "締め切りは%sです。その後に抽選できます。", at);
  }
  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  if ((rc = load_round(ctx, id, &w))) {
    db_rollback(ctx->db);
    return kerr_set(ei, rc, NULL);
  }
  if (w.closed_at) {
    db_rollback(ctx->db);
    return kerr_set(ei, KERR_CONFLICT, "この回の抽選はすでに行われています。");
  }
  if ((rc = close_in(ctx, &w, ei))) {
    db_rollback(ctx->db);
    return rc;
  }
  if ((rc = db_commit(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  avail_touch();
  if ((rc = load_round(ctx, id, &w))) return kerr_set(ei, rc, NULL);
  return get_loaded(ctx, &w, out, ei);
}

/* =========================================================== applying */

/* Inside the write transaction: RULE: a group applies for at most the cap
** of slots in a round; then the application. */
static int insert_app(struct kctx *ctx, const struct round_row *w, const struct booking_plan *p,
                      int64_t *id, struct kerrinfo *ei) {
  int64_t n = db_int64(ctx->db, -1,
                       "SELECT count(*) FROM round_applications WHERE round_id = $r"
                       " AND group_id = $g AND status <> 'cancelled'",
                       DB_I("$r", w->id), DB_I("$g", p->group_id));
  if (n < 0) return kerr_set(ei, KERR_INTERNAL, NULL);
  if (n >= w->cap)
    return kerr_set(ei, KERR_LIMIT, "この回に申し込めるのは1団体%lld枠までです（申し込み済み%lld枠）。",
                    (long long)w->cap, (long long)n);
  int rc = db_run(ctx->db,
                  "INSERT INTO round_applications(round_id, group_id, account_id, room_id, date,"
                  " slot, purpose, attendees, status, created_at) VALUES ($r, $g, $a, $room,"
                  " $date, $slot, $purpose, $att, 'applied', $now)",
                  DB_I("$r", w->id), DB_I("$g", p->group_id), DB_I("$a", ctx->actor.account_id),
                  DB_I("$room", p->room->id), DB_T("$date", p->date), DB_T("$slot", p->slot),
                  DB_T("$purpose", p->purpose), DB_I("$att", p->attendees),
                  DB_I("$now", ctx->now));
  if (rc == DB_CONSTRAINT)
    return kerr_set(ei, KERR_CONFLICT, "この団体はこの部屋・日・時間帯にすでに申し込んでいます。");
  if (rc != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  *id = db_last_id(ctx->db);
  struct audit_fields f = {.center = p->room->center->code, .room_id = p->room->id,
                           .date = p->date, .slot = p->slot, .subject_group = p->group_id};
  return (rc = audit_event(ctx, "round.apply", &f)) ? kerr_set(ei, rc, NULL) : 0;
}

/* The request fits round W: a room of its kinds, a date of its use month,
** inside the application period. */
static int fits(struct kctx *ctx, const struct round_row *w, const struct booking_plan *p,
                struct kerrinfo *ei) {
  const struct round_rule *rr = rule_of(ctx, w);
  int kind_ok = 0;
  for (int i = 0; rr && i < rr->nkinds; i++) kind_ok |= !strcmp(rr->kinds[i], p->room->kind);
  if (!kind_ok) {
    kerr_field(ei, "room_id", "この回の抽選の対象ではない部屋です。");
    return KERR_VALIDATION;
  }
  if (strncmp(p->date, w->use_month, 7)) {
    kerr_field(ei, "date", "この回の利用月の日を選んでください。");
    return KERR_VALIDATION;
  }
  /* RULE: applications are taken from apply_from to apply_until. */
  if (ctx->now < w->apply_from || ctx->now >= w->apply_until) {
    char a[64], b[64];
    clock_jinstant(w->apply_from, a, sizeof a);
    clock_jinstant(w->apply_until, b, sizeof b);
    return kerr_set(ei, KERR_OUTSIDE_WINDOW, "この回の申し込みは%sから%sまでです。", a, b);
  }
  return 0;
}

int rounds_apply(struct kctx *ctx, int64_t round, const json_t *body, json_t **out,
                 struct kerrinfo *ei) {
  struct round_row w;
  struct booking_plan p;
  int64_t id = 0;
  *out = NULL;
  rounds_sweep(ctx);
  int rc = load_round(ctx, round, &w);
  if (rc) return kerr_set(ei, rc, rc == KERR_NOT_FOUND ? "その抽選の回はありません。" : NULL);
  if ((rc = booking_plan_check(ctx, body, &p, ei))) return rc;
  if ((rc = fits(ctx, &w, &p, ei))) return rc;
  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  if ((rc = insert_app(ctx, &w, &p, &id, ei))) {
    db_rollback(ctx->db);
    return rc;
  }
  if ((rc = db_commit(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  return app_reply(ctx, id, out, ei);
}

int rounds_app_cancel(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei) {
  *out = NULL;
  rounds_sweep(ctx);
  int rc = db_begin_write(ctx->db);
  if (rc != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  /* Only a representative of the group sees it; to anyone else it is not there. */
  rc = db_run(ctx->db,
              "UPDATE round_applications SET status = 'cancelled', cancelled_at = $now"
              " WHERE id = $id AND status = 'applied' AND round_id IN (SELECT id FROM"
              " rounds WHERE closed_at IS NULL AND apply_until > $now) AND group_id IN"
              " (SELECT id FROM groups WHERE representative_id = $a UNION"
              " SELECT group_id FROM group_reps WHERE account_id = $a)",
              DB_I("$now", ctx->now), DB_I("$id", id), DB_I("$a", ctx->actor.account_id));
  rc = rc != DB_OK ? KERR_INTERNAL : db_changes(ctx->db) ? 0 : KERR_NOT_FOUND;
  if (rc) {
    db_rollback(ctx->db);
    return kerr_set(ei, rc, rc == KERR_NOT_FOUND ? "取り消せる申し込みが見つかりません（締め切り後は取り消せません）。" : NULL);
  }
  if ((rc = db_commit(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  return app_reply(ctx, id, out, ei);
}

int rounds_mine_views(struct kctx *ctx, struct round_app_view **out, int *n,
                      struct kerrinfo *ei) {
  rounds_sweep(ctx);
  int rc = apps_read(ctx, 0, 0, ctx->actor.account_id, out, n);
  return rc ? kerr_set(ei, rc, NULL) : 0;
}

static json_t *app_json_of(const void *a) { return round_app_view_json(a); }

int rounds_mine(struct kctx *ctx, json_t **out, struct kerrinfo *ei) {
  struct round_app_view *a;
  int n, rc = rounds_mine_views(ctx, &a, &n, ei);
  return list_reply(rc, "applications", a, n, sizeof *a, app_json_of, out, ei);
}
