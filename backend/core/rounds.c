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

/* ============================================================ the JSON */

static json_t *kinds_json(const struct round_rule *rr) {
  json_t *a = json_array();
  for (int i = 0; rr && a && i < rr->nkinds; i++) json_array_append_new(a, json_string(rr->kinds[i]));
  return a;
}

static const char *state_of(const struct kctx *ctx, const struct round_row *w) {
  return round_state_name(w->closed_at ? ROUND_CLOSED
                          : ctx->now >= w->apply_until ? ROUND_CLOSING
                                                       : ROUND_OPEN);
}

static int count_apps(struct kctx *ctx, int64_t round, int64_t *n) {
  *n = 0;
  int rc = db_get_int64(ctx->db, n,
                        "SELECT count(*) FROM round_applications WHERE round_id = $r"
                        " AND status <> 'cancelled'",
                        DB_I("$r", round));
  return rc == DB_ROW ? 0 : kerr_from_db(rc);
}

static json_t *round_json(struct kctx *ctx, const struct round_row *w) {
  int64_t n = 0;
  if (count_apps(ctx, w->id, &n)) return NULL;
  json_t *o = json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:I, s:s, s:I, s:I}", "id",
                        (json_int_t)w->id, "code", w->code, "use_month", w->use_month,
                        "room_kinds", kinds_json(rule_of(ctx, w)), "apply_from",
                        clock_instant_json(w->apply_from), "apply_until",
                        clock_instant_json(w->apply_until), "cap", (json_int_t)w->cap, "state",
                        state_of(ctx, w), "lottery_id", (json_int_t)w->lottery_id,
                        "applications", (json_int_t)n);
  if (o && w->closed_at) json_object_set_new(o, "closed_at", clock_instant_json(w->closed_at));
  return o;
}

int rounds_list(struct kctx *ctx, json_t **out, struct kerrinfo *ei) {
  rounds_sweep(ctx);
  *out = NULL;
  kstmt *st = db_prep(ctx->db, "SELECT id FROM rounds ORDER BY use_month DESC, code LIMIT 48");
  if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
  int64_t ids[48];
  int n = 0, rc;
  while (n < 48 && (rc = db_step(st)) == DB_ROW) ids[n++] = db_col_int(st, 0);
  db_reset(st);
  json_t *arr = json_array();
  for (int i = 0; arr && i < n; i++) {
    struct round_row w;
    json_t *o = NULL;
    if ((rc = load_round(ctx, ids[i], &w)) || !(o = round_json(ctx, &w))) {
      json_decref(arr);
      return kerr_set(ei, rc ? rc : KERR_INTERNAL, NULL);
    }
    json_array_append_new(arr, o);
  }
  if (!arr || !(*out = json_pack("{s:o}", "rounds", arr)))
    return kerr_set(ei, KERR_INTERNAL, NULL);
  return 0;
}

/* One application as its group and staff see it. */
static json_t *app_json(struct kctx *ctx, kstmt *st) {
  const struct room *room = rules_room_by_id(ctx->rb, db_col_int(st, 3));
  json_t *o = json_pack("{s:I, s:I, s:o, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:b}", "id",
                        (json_int_t)db_col_int(st, 0), "round_id", (json_int_t)db_col_int(st, 1),
                        "group_id", ids_json(db_col_int(st, 2)), "group_name",
                        db_col_text(st, 10), "room_id", (json_int_t)db_col_int(st, 3),
                        "room_name", room ? room->name : "", "center",
                        room ? room->center->code : "", "date", db_col_text(st, 4), "slot",
                        db_col_text(st, 5), "status", db_col_text(st, 6), "attendees",
                        (json_int_t)db_col_int(st, 9), "contested", (int)db_col_int(st, 11));
  if (o && !db_col_null(st, 7)) json_object_set_new(o, "outcome", json_string(db_col_text(st, 7)));
  if (o && !db_col_null(st, 8)) json_object_set_new(o, "booking_id", json_integer(db_col_int(st, 8)));
  return o;
}

/* The applications with ID (0: any), of ROUND (0: any), of the groups
** ACCOUNT represents (0: any), in application order, into *OUT (an array). */
static int apps_json(struct kctx *ctx, int64_t id, int64_t round, int64_t account,
                     json_t **out) {
  kstmt *st = db_prep(ctx->db,
                      "SELECT a.id, a.round_id, a.group_id, a.room_id, a.date, a.slot, a.status,"
                      " a.outcome, a.booking_id, a.attendees, g.name, a.contested"
                      " FROM round_applications a JOIN groups g ON g.id = a.group_id"
                      " WHERE ($id = 0 OR a.id = $id) AND ($r = 0 OR a.round_id = $r)"
                      " AND ($a = 0 OR a.group_id IN (SELECT id FROM groups"
                      " WHERE representative_id = $a UNION SELECT group_id FROM group_reps"
                      " WHERE account_id = $a)) ORDER BY a.id LIMIT 2000");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", id);
  db_bind_int(st, "$r", round);
  db_bind_int(st, "$a", account);
  json_t *arr = json_array();
  int rc = DB_DONE;
  while (arr && (rc = db_step(st)) == DB_ROW) {
    json_t *o = app_json(ctx, st);
    if (!o || json_array_append_new(arr, o)) break;
  }
  db_reset(st);
  if (!arr || rc != DB_DONE) {
    json_decref(arr);
    return rc == DB_DONE || rc == DB_ROW ? KERR_INTERNAL : kerr_from_db(rc);
  }
  *out = arr;
  return 0;
}

/* The slots asked for in round W, with the applications on each and the
** winner once closed: what anyone needs to check the draw. */
static int slots_json(struct kctx *ctx, const struct round_row *w, json_t *o) {
  kstmt *st = db_prep(ctx->db,
                      "SELECT room_id, date, slot, id, status FROM round_applications"
                      " WHERE round_id = $r AND status <> 'cancelled'"
                      " ORDER BY room_id, date, slot, id");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$r", w->id);
  json_t *arr = json_array(), *cur = NULL;
  int64_t room = 0;
  char date[11] = "", slot[24] = "";
  int rc;
  while (arr && (rc = db_step(st)) == DB_ROW) {
    if (!cur || room != db_col_int(st, 0) || strcmp(date, db_col_text(st, 1)) ||
        strcmp(slot, db_col_text(st, 2))) {
      room = db_col_int(st, 0);
      snprintf(date, sizeof date, "%s", db_col_text(st, 1));
      snprintf(slot, sizeof slot, "%s", db_col_text(st, 2));
      const struct room *ro = rules_room_by_id(ctx->rb, room);
      cur = json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:[]}", "room_id", (json_int_t)room,
                      "room_name", ro ? ro->name : "", "center", ro ? ro->center->code : "",
                      "date", date, "slot", slot, "contested", 0, "entries");
      if (!cur || json_array_append_new(arr, cur)) break;
    }
    json_t *entries = json_object_get(cur, "entries");
    json_array_append_new(entries, json_integer(db_col_int(st, 3)));
    json_object_set_new(cur, "contested", json_boolean(json_array_size(entries) > 1));
    if (round_app_status_parse(db_col_text(st, 4)) == ROUND_APP_WON)
      json_object_set_new(cur, "winner", json_integer(db_col_int(st, 3)));
  }
  db_reset(st);
  if (!arr || rc != DB_DONE) {
    json_decref(arr);
    return KERR_INTERNAL;
  }
  json_object_set_new(o, "slots", arr);
  return 0;
}

/* For staff: every application with its group, and per group what it asked
** for and what it won. */
static int staff_json(struct kctx *ctx, const struct round_row *w, json_t *o) {
  json_t *apps = NULL, *groups = json_array();
  int rc = groups ? apps_json(ctx, 0, w->id, 0, &apps) : KERR_INTERNAL;
  if (rc) {
    json_decref(groups);
    return rc;
  }
  json_object_set_new(o, "applications", apps);
  json_object_set_new(o, "groups", groups);
  kstmt *st = db_prep(ctx->db,
               "SELECT a.group_id, g.name, sum(a.status <> 'cancelled'), sum(a.status = 'won')"
               " FROM round_applications a JOIN groups g ON g.id = a.group_id"
               " WHERE a.round_id = $r GROUP BY a.group_id ORDER BY a.group_id");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$r", w->id);
  while ((rc = db_step(st)) == DB_ROW)
    json_array_append_new(groups, json_pack("{s:o, s:s, s:I, s:I}", "group_id",
                                            ids_json(db_col_int(st, 0)), "group_name",
                                            db_col_text(st, 1), "applied",
                                            (json_int_t)db_col_int(st, 2), "won",
                                            (json_int_t)db_col_int(st, 3)));
  db_reset(st);
  return rc == DB_DONE ? 0 : kerr_from_db(rc);
}

static int get_loaded(struct kctx *ctx, const struct round_row *w, json_t **out,
                      struct kerrinfo *ei) {
  int staff = (ctx->actor.role & ROLE_DESK) != 0, rc = 0;
  json_t *o = round_json(ctx, w);
  if (!o) return kerr_set(ei, KERR_INTERNAL, NULL);
  if ((w->closed_at || staff) && (rc = slots_json(ctx, w, o)) == 0 && staff)
    rc = staff_json(ctx, w, o);
  if (rc) {
    json_decref(o);
    return kerr_set(ei, rc, NULL);
  }
  *out = o;
  return 0;
}

int rounds_get(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei) {
  struct round_row w;
  *out = NULL;
  rounds_sweep(ctx);
  int rc = load_round(ctx, id, &w);
  if (rc) return kerr_set(ei, rc, rc == KERR_NOT_FOUND ? "その抽選の回はありません。" : NULL);
  return get_loaded(ctx, &w, out, ei);
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

static int app_reply(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei) {
  json_t *arr = NULL;
  int rc = apps_json(ctx, id, 0, 0, &arr);
  if (rc) return kerr_set(ei, rc, NULL);
  *out = json_incref(json_array_get(arr, 0));
  json_decref(arr);
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}

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

int rounds_mine(struct kctx *ctx, json_t **out, struct kerrinfo *ei) {
  json_t *arr = NULL;
  *out = NULL;
  rounds_sweep(ctx);
  int rc = apps_json(ctx, 0, 0, ctx->actor.account_id, &arr);
  if (rc) return kerr_set(ei, rc, NULL);
  if (!(*out = json_pack("{s:o}", "applications", arr))) return kerr_set(ei, KERR_INTERNAL, NULL);
  return 0;
}
