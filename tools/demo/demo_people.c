/*
** tools/demo/demo_people.c: the demonstration population (see demo.h;
** docs/demo.md): names, the documented accounts, the locked accounts of
** the rest, groups registered, approved and exempted. The simulation that
** books for them is tools/demo/demo.c; what both share, demo_sim.h.
*/
#include "demo_sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../backend/core/accounts.h"
#include "../../backend/core/audit.h"
#include "../../backend/core/clock.h"
#include "../../backend/core/discounts.h"
#include "../../backend/core/groups.h"
#include "../../backend/core/ids.h"

/* ============================================================= names */

/* "上川淵" from "上川淵公民館", and its kana from the centre's. */
static void area_of(const struct center *ce, char *name, size_t n, char *kana, size_t k) {
  snprintf(name, n, "%s", ce->name);
  char *p = strstr(name, "公民館");
  if (p) *p = 0;
  const char *kk = ce->kana;
  if (!strncmp(kk, "まえばしし", strlen("まえばしし"))) kk += strlen("まえばしし");
  snprintf(kana, k, "%s", kk);
  p = strstr(kana, "こうみんかん");
  if (p) *p = 0;
}

/* ================================================= making the people */

static int64_t fresh_id(struct sim *s) {
  for (;;) {
    int64_t payload = 10000000 + (int64_t)(next(&s->rng) % 90000000ull);
    int64_t id = payload * 10 + ids_check_digit(payload);
    if (id == DEMO_CITIZEN_ID || id == DEMO_STAFF_ID || id == DEMO_ADMIN_ID ||
        id == DEMO_ANALYST_ID)
      continue;
    kstmt *st = db_prep(s->ctx->db, "SELECT 1 FROM accounts WHERE id = $id");
    if (!st) return 0;
    db_bind_int(st, "$id", id);
    int rc = db_step(st);
    db_reset(st);
    if (rc == DB_DONE) return id;
    if (rc != DB_ROW) return 0;
  }
}

/* A population account (locked: no password matches), with its
** account.create event; inside the caller's write transaction. */
static int locked_account(struct sim *s, int role, const char *center, int64_t *out) {
  struct kctx *ctx = s->ctx;
  char name[64], kana[96];
  int a = (int)between(&s->rng, 0, (int)(sizeof surnames / sizeof surnames[0]) - 1);
  int b = (int)between(&s->rng, 0, (int)(sizeof given / sizeof given[0]) - 1);
  snprintf(name, sizeof name, "%s %s", surnames[a][0], given[b][0]);
  snprintf(kana, sizeof kana, "%s %s", surnames[a][1], given[b][1]);
  int64_t id = fresh_id(s);
  if (!id) return KERR_INTERNAL;
  int rc = db_run(ctx->db,
                  "INSERT INTO accounts(id, role, name, name_kana, resident, home_center,"
                  " password_hash, created_at) VALUES ($id, $role, $name, $kana, $res,"
                  " $center, $hash, $now)",
                  DB_I("$id", id), DB_T("$role", role_name(role)), DB_T("$name", name),
                  DB_T("$kana", kana), DB_I("$res", unif(&s->rng) < 0.9), DB_T("$center", center),
                  DB_T("$hash", LOCKED_HASH), DB_I("$now", ctx->now));
  if (rc != DB_OK) return kerr_from_db(rc);
  /* who made it: a citizen signs up online; staff are added by the operator */
  struct kctx ev = *ctx;
  memset(&ev.actor, 0, sizeof ev.actor);
  ev.actor.role = role == ROLE_CITIZEN ? ROLE_ANON : ROLE_ADMIN;
  ev.channel = role == ROLE_CITIZEN ? "online" : "cli";
  char detail[48];
  snprintf(detail, sizeof detail, "{\"role\":\"%s\"}", role_name(role));
  struct audit_fields f = {.center = center, .subject_account = id, .detail_json = detail};
  if ((rc = audit_event(&ev, "account.create", &f))) return rc;
  s->st->accounts++;
  *out = id;
  return 0;
}

/* The documented accounts, through accounts_create (argon2id), unless they
** exist already. */
static int fixed_accounts(struct sim *s) {
  static const struct {
    int64_t id;
    int role;
    const char *name, *kana, *email, *phone, *center, *pw;
  } fx[] = {
      {DEMO_CITIZEN_ID, ROLE_CITIZEN, "前橋 花子", "まえばし はなこ", "demo-citizen@example.jp",
       "027-000-0017", NULL, DEMO_CITIZEN_PASSWORD},
      {DEMO_STAFF_ID, ROLE_STAFF, "窓口 一郎", "まどぐち いちろう", NULL, NULL, "chuo",
       DEMO_STAFF_PASSWORD},
      {DEMO_ADMIN_ID, ROLE_ADMIN, "管理 次郎", "かんり じろう", NULL, NULL, NULL,
       DEMO_ADMIN_PASSWORD},
      {DEMO_ANALYST_ID, ROLE_ANALYST, "分析 三子", "ぶんせき みつこ", NULL, NULL, NULL,
       DEMO_ANALYST_PASSWORD},
  };
  for (size_t i = 0; i < sizeof fx / sizeof fx[0]; i++) {
    if (accounts_exists(s->ctx, fx[i].id, NULL)) continue;
    json_t *in = json_pack("{s:s, s:s, s:s, s:b}", "name", fx[i].name, "name_kana", fx[i].kana,
                           "password", fx[i].pw, "resident", 1);
    if (fx[i].email) json_object_set_new(in, "email", json_string(fx[i].email));
    if (fx[i].phone) json_object_set_new(in, "phone", json_string(fx[i].phone));
    struct kerrinfo ei = {0};
    int64_t id = fx[i].id;
    struct kctx c = *s->ctx;
    memset(&c.actor, 0, sizeof c.actor);
    c.actor.role = fx[i].role == ROLE_CITIZEN ? ROLE_ANON : ROLE_ADMIN;
    c.channel = fx[i].role == ROLE_CITIZEN ? "online" : "cli";
    int rc = accounts_create(&c, in, fx[i].role, fx[i].center,
                             ACCOUNT_FIXED_ID | (fx[i].role == ROLE_CITIZEN ? ACCOUNT_SELF_SERVICE : 0),
                             &id, &ei);
    json_decref(in);
    if (rc) {
      fprintf(stderr, "demo: cannot create the demo account %lld: %s\n", (long long)fx[i].id,
              ei.message[0] ? ei.message : kerr_message(rc));
      kerr_clear(&ei);
      return rc;
    }
    s->st->accounts++;
  }
  return 0;
}

/* When the people are made: the day before the groups register, never
** after the end of the run. */
static int64_t people_time(const struct sim *s) {
  int64_t t = s->t0 - 86400;
  return t < s->plan->until - 3600 ? t : s->plan->until - 3600;
}

void demo_act(struct kctx *ctx, int role, int64_t id, const char *channel, int64_t now) {
  memset(&ctx->actor, 0, sizeof ctx->actor);
  ctx->actor.role = role;
  ctx->actor.account_id = id;
  ctx->channel = channel;
  ctx->now = now;
}

int demo_people(struct sim *s) {
  const struct rulebook *rb = s->rb;
  struct kctx *ctx = s->ctx;
  int rc;
  s->staff = calloc((size_t)rb->ncenters, sizeof *s->staff);
  s->persons = calloc((size_t)(s->plan->persons > 0 ? s->plan->persons : 1), sizeof *s->persons);
  if (!s->staff || !s->persons) return KERR_INTERNAL;
  /* the day before the groups register; never after the end of the run */
  ctx->now = people_time(s);
  if ((rc = fixed_accounts(s))) return rc;
  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_from_db(rc);
  for (int c = 0; c < rb->ncenters; c++) {
    if (!strcmp(rb->centers[c].code, "chuo")) {
      s->staff[c] = DEMO_STAFF_ID;
      continue;
    }
    if ((rc = locked_account(s, ROLE_STAFF, rb->centers[c].code, &s->staff[c]))) goto fail;
  }
  for (int i = 0; i < s->plan->persons; i++) {
    s->persons[i].center = (int)between(&s->rng, 0, rb->ncenters - 1);
    if ((rc = locked_account(s, ROLE_CITIZEN, NULL, &s->persons[i].id))) goto fail;
    s->npersons++;
  }
  if ((rc = db_commit(ctx->db)) != DB_OK) return kerr_from_db(rc);
  return 0;
fail:
  db_rollback(ctx->db);
  return rc;
}

/* A room of CE for activity A, or NULL. */
static const struct room *room_for(struct sim *s, const struct center *ce, const struct activity *a) {
  for (int k = 0; k < 3 && a->kinds[k]; k++) {
    int n = 0;
    for (int j = 0; j < ce->nrooms; j++) n += !strcmp(ce->rooms[j].kind, a->kinds[k]);
    if (!n) continue;
    int pick = (int)between(&s->rng, 0, n - 1);
    for (int j = 0; j < ce->nrooms; j++)
      if (!strcmp(ce->rooms[j].kind, a->kinds[k]) && pick-- == 0) return &ce->rooms[j];
  }
  return NULL;
}

static int register_group(struct sim *s, struct group *g, const char *name, const char *kana,
                          const char *activity, int public_listing) {
  struct kctx *ctx = s->ctx;
  struct kerrinfo ei = {0};
  json_t *in = json_pack("{s:s, s:s, s:i, s:i, s:s, s:b}", "name", name, "name_kana", kana,
                         "members", g->members, "resident_members", g->residents, "activity",
                         activity, "public_listing", public_listing);
  demo_act(ctx, ROLE_CITIZEN, g->rep, "online", s->t0 + between(&s->rng, 0, 1800));
  int rc = groups_register(ctx, in, &g->id, &ei);
  json_decref(in);
  if (!rc) {
    json_t *out = NULL;
    demo_act(ctx, ROLE_STAFF, s->staff[g->center], "online", s->t0 + 3600 + between(&s->rng, 0, 1800));
    rc = groups_approve(ctx, g->id, &out, &ei);
    json_decref(out);
  }
  if (rc)
    fprintf(stderr, "demo: group %s: %s\n", name, ei.message[0] ? ei.message : kerr_message(rc));
  kerr_clear(&ei);
  if (!rc) s->st->groups++;
  return rc;
}

/* The group applies for exemption CATEGORY at T and the admin approves it
** an hour later (core/discounts.c); from then on the group's bookings carry
** the discount (the booking hook). A category the rule book in force does
** not have (senior_club is abolished from 2026-10-01) is refused: fine. */
void demo_exempt(struct sim *s, struct group *g, const char *category, int64_t t) {
  struct kctx *ctx = s->ctx;
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  char gid[10];
  ids_format(g->id, gid);
  json_t *in = json_pack("{s:s, s:s, s:s}", "group_id", gid, "category", category, "reason",
                         "規約と名簿を添えて申請します。");
  demo_act(ctx, ROLE_CITIZEN, g->rep, "online", t);
  int rc = discounts_apply(ctx, in, &out, &ei);
  json_decref(in);
  int64_t app = rc ? 0 : (int64_t)json_integer_value(json_object_get(out, "id"));
  json_decref(out);
  out = NULL;
  kerr_clear(&ei);
  if (!app) return;
  in = json_pack("{s:s, s:s}", "decision", "approved", "reason", "基準に合っています。");
  demo_act(ctx, ROLE_ADMIN, DEMO_ADMIN_ID, "online", t + 3600);
  if (!discounts_decide(ctx, app, in, &out, &ei)) {
    g->exemption = category;
    s->st->exemptions++;
  }
  json_decref(in);
  json_decref(out);
  kerr_clear(&ei);
}

int demo_make_groups(struct sim *s) {
  const struct rulebook *rb = s->rb;
  int per = s->plan->groups_per_center, rc;
  s->groups = calloc((size_t)(rb->ncenters * per + 1), sizeof *s->groups);
  if (!s->groups) return KERR_INTERNAL;
  const struct rules *r = demo_rules_for(rb, clock_today(s->t0));
  int cap = r->group_slots_per_month > 0 ? r->group_slots_per_month : 4;

  /* representatives: locked citizens, written in one transaction */
  int64_t *reps = calloc((size_t)(rb->ncenters * per + 1), sizeof *reps);
  if (!reps) return KERR_INTERNAL;
  s->ctx->now = people_time(s);
  if ((rc = db_begin_write(s->ctx->db)) != DB_OK) {
    free(reps);
    return kerr_from_db(rc);
  }
  for (int i = 0; i < rb->ncenters * per; i++)
    if ((rc = locked_account(s, ROLE_CITIZEN, NULL, &reps[i]))) {
      db_rollback(s->ctx->db);
      free(reps);
      return rc;
    }
  if ((rc = db_commit(s->ctx->db)) != DB_OK) {
    free(reps);
    return kerr_from_db(rc);
  }

  /* the demo citizen's own group first: 前橋短歌の会 at chuo's 和室 */
  if (s->plan->scripted) {
    struct group *g = &s->groups[s->ngroups];
    const struct center *chuo = rules_center(rb, "chuo");
    if (chuo) {
      g->rep = DEMO_CITIZEN_ID;
      g->center = (int)(chuo - rb->centers);
      g->members = 12;
      g->residents = 10;
      g->act = 0;
      g->room = NULL;
      for (int j = 0; j < chuo->nrooms; j++)
        if (!strcmp(chuo->rooms[j].kind, "和室")) g->room = &chuo->rooms[j];
      g->freq = 0;   /* books only what the script says */
      if (g->room && (rc = register_group(s, g, "前橋短歌の会", "まえばしたんかのかい", "短歌の創作と合評", 1)) == 0)
        s->ngroups++;
    }
  }

  int k = 0;
  for (int c = 0; c < rb->ncenters; c++) {
    const struct center *ce = &rb->centers[c];
    char area[96], akana[160];
    area_of(ce, area, sizeof area, akana, sizeof akana);
    for (int i = 0; i < per; i++, k++) {
      struct group *g = &s->groups[s->ngroups];
      memset(g, 0, sizeof *g);
      g->rep = reps[k];
      g->center = c;
      /* an activity with a room at this centre */
      for (int tries = 0; tries < 20 && !g->room; tries++) {
        g->act = (int)between(&s->rng, 0, NACT - 1);
        g->room = room_for(s, ce, &activities[g->act]);
      }
      if (!g->room) continue;
      g->members = (int)between(&s->rng, 4, g->room->capacity < 40 ? g->room->capacity : 40);
      if (g->members < 2) g->members = 2;
      g->residents = g->members / 2 + 1 + (int)between(&s->rng, 0, (g->members - 1) / 2);
      if (g->residents > g->members) g->residents = g->members;
      /* a weekday and slot no other group of this room has taken yet (the
      ** groups of a centre know each other's regular times); after a few
      ** tries, a clash: one of the two will find the slot taken */
      const struct rules *r0 = demo_rules_for(rb, s->plan->first_day);
      g->nslots = unif(&s->rng) < 0.15 && r0->nslots > 1 ? 2 : 1;
      for (int tries = 0; tries < 12; tries++) {
        g->weekday = demo_pick_weekday(s);
        g->slot = demo_pick_slot(s, r0, g->weekday, activities[g->act].daytime);
        if (g->slot + g->nslots > r0->nslots) g->slot = r0->nslots - g->nslots;
        int clash = 0;
        for (int j = 0; j < s->ngroups && !clash; j++) {
          const struct group *o = &s->groups[j];
          clash = o->room == g->room && o->weekday == g->weekday && o->freq > 0 &&
                  o->slot < g->slot + g->nslots && g->slot < o->slot + o->nslots;
        }
        if (!clash) break;
      }
      g->freq = (int)between(&s->rng, 2, 4);
      while (g->freq * g->nslots > cap && g->freq > 1) g->freq--;
      char name[256], kana[384];
      int sx = (int)between(&s->rng, 0, (int)(sizeof suffix / sizeof suffix[0]) - 1);
      snprintf(name, sizeof name, "%s%s%s", area, activities[g->act].name, suffix[sx][0]);
      snprintf(kana, sizeof kana, "%s%s%s", akana, activities[g->act].kana, suffix[sx][1]);
      /* the same name twice at one centre: number it (in kana too) */
      for (int j = 0; j < s->ngroups; j++)
        if (s->groups[j].center == c && s->groups[j].act == g->act) {
          snprintf(name + strlen(name), sizeof name - strlen(name), "・%s", i % 2 ? "東" : "西");
          snprintf(kana + strlen(kana), sizeof kana - strlen(kana), "・%s", i % 2 ? "ひがし" : "にし");
          break;
        }
      if ((rc = register_group(s, g, name, kana, activities[g->act].purpose,
                               unif(&s->rng) < 0.6)) == 0) {
        const struct activity *a = &activities[g->act];
        if (a->exemption && unif(&s->rng) < a->apply)
          demo_exempt(s, g, a->exemption, s->t0 + 5400 + between(&s->rng, 0, 1800));
        s->ngroups++;
      }
    }
  }
  free(reps);
  return 0;
}
