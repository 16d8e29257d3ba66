/*
** core/availability.c: room states for a date (see availability.h).
*/
#include "availability.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bookable.h"
#include "clock.h"
#include "csv.h"
#include "vec.h"

static _Atomic uint64_t generation = 1;

uint64_t avail_generation(void) { return atomic_load(&generation); }
void avail_touch(void) { atomic_fetch_add(&generation, 1); }

struct taken {
  int64_t room_id;
  char slot[24];
  int held;
  char group[128];          /* only for groups listed publicly */
};

static enum avail_state state_of(const struct taken *t, int n, int64_t room_id, const char *slot,
                                 const char **group) {
  for (int i = 0; i < n; i++)
    if (t[i].room_id == room_id && !strcmp(t[i].slot, slot)) {
      *group = t[i].group[0] ? t[i].group : NULL;
      return t[i].held ? AVAIL_HELD : AVAIL_BOOKED;
    }
  return AVAIL_FREE;
}

/* The active bookings and holds of DATE into *OUT (*N of them), in one query;
** lapsed holds are simply not selected, so a hold frees its slot at its
** expiry whether or not anything cleared it. *VALID_UNTIL is pulled in to the
** first expiry. 0 or a KERR code. */
static int load_taken(struct kctx *ctx, const char *date, struct taken **out, int *n,
                      int64_t *valid_until) {
  struct taken *taken = NULL;
  int cap = 0, rc;
  *out = NULL;
  *n = 0;
  kstmt *st = db_prep(ctx->db,
                      "SELECT bs.room_id, bs.slot, bs.hold_expires_at,"
                      " CASE WHEN g.public_listing = 1 AND g.status = 'approved'"
                      "  THEN g.name END"
                      " FROM booking_slots bs JOIN bookings b ON b.id = bs.booking_id"
                      " LEFT JOIN groups g ON g.id = b.group_id"
                      " WHERE bs.date = $date AND bs.active = 1"
                      " AND (bs.hold_expires_at IS NULL OR bs.hold_expires_at > $now)");
  if (!st) return KERR_INTERNAL;
  db_bind_text(st, "$date", date);
  db_bind_int(st, "$now", ctx->now);
  while ((rc = db_step(st)) == DB_ROW) {
    if (vec_grow((void **)&taken, *n, &cap, sizeof *taken)) {
      db_reset(st);
      free(taken);
      *n = 0;
      return KERR_INTERNAL;
    }
    struct taken *t = &taken[(*n)++];
    t->room_id = db_col_int(st, 0);
    snprintf(t->slot, sizeof t->slot, "%s", db_col_text(st, 1));
    t->held = !db_col_null(st, 2);
    if (t->held && db_col_int(st, 2) < *valid_until) *valid_until = db_col_int(st, 2);
    snprintf(t->group, sizeof t->group, "%s", db_col_text(st, 3));
  }
  return vec_rows_end(st, rc, taken, (void **)out, n);
}

/* A copy of S counted in V's bytes, or NULL when out of memory. */
static char *view_strdup(struct avail_view *v, const char *s) {
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  if (p) {
    memcpy(p, s, n);
    v->bytes += n;
  }
  return p;
}

/* RULE: never offer what will be refused (core/bookable.c). A free slot that
** the web can no longer take is "closed" with "booking":"over" (or
** "no_rules"); one that is not open yet stays "free" with "booking":"not_yet"
** and "opens_at"; one only the counter takes, "booking":"counter_only"; a
** bookable one "booking":"open". *VALID_UNTIL is pulled in to the next
** instant the answer changes. */
static void free_state(const struct kctx *ctx, const struct room *ro, int32_t day, int s,
                       struct avail_slot *so, int64_t *valid_until) {
  struct bookable why;
  enum bk_answer a = bookable_check(ctx, BK_ONLINE, ro, day, s, &why);
  if (why.changes_at < *valid_until) *valid_until = why.changes_at;
  so->booking = (int)a;
  if (a == BK_NOT_YET) so->opens_at = why.opens_at;
  so->state = bookable_avail_state(a);
}

/* The rooms and slots of centre AC (its centre, closed or not, set) into
** ROOMS and SLOTS; ON_LINE is what a citizen on the web can do. 0, or -1 when
** out of memory. */
static int fill_center(struct avail_view *v, const struct kctx *on_line, struct avail_center *ac,
                       struct avail_room *rooms, struct avail_slot *slots,
                       const struct taken *taken, int ntaken) {
  const struct center *ce = ac->center;
  ac->rooms = rooms;
  ac->nrooms = ce->nrooms;
  for (int i = 0; i < ce->nrooms; i++) {
    const struct room *ro = &ce->rooms[i];
    rooms[i].room = ro;
    rooms[i].slots = slots + (size_t)i * (size_t)v->nslots;
    for (int s = 0; s < v->nslots; s++) {
      struct avail_slot *so = &rooms[i].slots[s];
      const char *group = NULL;
      so->def = &v->rules->slots[s];
      so->booking = -1;
      so->state = ac->closed ? AVAIL_CLOSED
                             : state_of(taken, ntaken, ro->id, so->def->code, &group);
      if (so->state == AVAIL_FREE) free_state(on_line, ro, v->day, s, so, &v->valid_until);
      if (group && !(so->group = view_strdup(v, group))) return -1;
    }
  }
  return 0;
}

/* V's centres (ONLY or all) and everything in them, in the memory after V. */
static int fill_view(struct kctx *ctx, struct avail_view *v, const struct center *only, int nc,
                     int nr, const struct taken *taken, int ntaken) {
  struct kctx on_line = *ctx;   /* the feeds are what a citizen on the web can do */
  on_line.channel = "online";
  v->centers = (struct avail_center *)(v + 1);
  struct avail_room *rooms = (struct avail_room *)(v->centers + nc);
  struct avail_slot *slots = (struct avail_slot *)(rooms + nr);
  for (int c = 0; c < ctx->rb->ncenters; c++) {
    const struct center *ce = &ctx->rb->centers[c];
    if (only && only != ce) continue;
    struct avail_center *ac = &v->centers[v->ncenters++];
    char why[256] = "";
    ac->center = ce;
    ac->closed = !v->rules || bookable_closed(ctx, ce->code, NULL, v->day, why, sizeof why);
    if (ac->closed && why[0] && !(ac->closed_reason = view_strdup(v, why))) return -1;
    if (fill_center(v, &on_line, ac, rooms, slots, taken, ntaken)) return -1;
    rooms += ce->nrooms;
    slots += (size_t)ce->nrooms * (size_t)v->nslots;
  }
  return 0;
}

int avail_view_build(struct kctx *ctx, int32_t day, const struct center *only,
                     struct avail_view **out) {
  char date[11];
  struct taken *taken = NULL;
  int ntaken = 0, nc = 0, nr = 0;
  int64_t valid_until = INT64_MAX;
  const struct rules *r = rules_in_force(ctx->rb, day);
  int ns = r ? r->nslots : 0;
  *out = NULL;
  date_format(day, date);
  int err = load_taken(ctx, date, &taken, &ntaken, &valid_until);
  if (err) return err;
  for (int c = 0; c < ctx->rb->ncenters; c++)
    if (!only || only == &ctx->rb->centers[c]) {
      nc++;
      nr += ctx->rb->centers[c].nrooms;
    }
  /* one block: the view, its centres, their rooms, their slots */
  size_t size = sizeof(struct avail_view) + (size_t)nc * sizeof(struct avail_center) +
                (size_t)nr * sizeof(struct avail_room) +
                (size_t)nr * (size_t)ns * sizeof(struct avail_slot);
  struct avail_view *v = calloc(1, size);
  if (!v) {
    free(taken);
    return KERR_INTERNAL;
  }
  atomic_init(&v->refs, 1);
  v->day = day;
  v->generated_at = ctx->now;
  v->valid_until = valid_until;
  v->rules = r;
  v->nslots = ns;
  v->bytes = size;
  if (fill_view(ctx, v, only, nc, nr, taken, ntaken)) {
    avail_view_free(v);
    v = NULL;
    err = KERR_INTERNAL;
  }
  free(taken);
  *out = v;
  return err;
}

struct avail_view *avail_view_ref(struct avail_view *v) {
  if (v) atomic_fetch_add(&v->refs, 1);
  return v;
}

void avail_view_free(struct avail_view *v) {
  if (!v || atomic_fetch_sub(&v->refs, 1) != 1) return;
  for (int c = 0; c < v->ncenters; c++) {
    const struct avail_center *ac = &v->centers[c];
    free(ac->closed_reason);
    for (int i = 0; i < ac->nrooms; i++)
      for (int s = 0; s < v->nslots; s++) free(ac->rooms[i].slots[s].group);
  }
  free(v);
}

/* ------------------------------------------------------------------ JSON */

static json_t *slot_json(const struct avail_slot *so) {
  char a[8], b[8];
  clock_hhmm(so->def->start, a);
  clock_hhmm(so->def->end, b);
  json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "code", so->def->code, "label", so->def->label,
                        "start", a, "end", b);
  if (!o) return NULL;
  if (so->booking >= 0) {
    json_object_set_new(o, "booking", json_string(bookable_code((enum bk_answer)so->booking)));
    if (so->booking == BK_NOT_YET) {
      char at[26];
      clock_format_instant(so->opens_at, at);
      json_object_set_new(o, "opens_at", json_string(at));
    }
  }
  json_object_set_new(o, "state", json_string(avail_state_name(so->state)));
  if (so->group) json_object_set_new(o, "group", json_string(so->group));
  return o;
}

static json_t *room_json(const struct avail_room *ar, int nslots) {
  const struct room *ro = ar->room;
  json_t *slots = json_array();
  for (int s = 0; slots && s < nslots; s++) json_array_append_new(slots, slot_json(&ar->slots[s]));
  return json_pack("{s:I, s:s, s:s, s:s, s:i, s:o}", "id", (json_int_t)ro->id, "code", ro->code,
                   "name", ro->name, "kind", ro->kind, "capacity", ro->capacity, "slots", slots);
}

static json_t *center_json(const struct avail_center *ac, int nslots) {
  const struct center *ce = ac->center;
  json_t *rooms = json_array();
  for (int i = 0; rooms && i < ac->nrooms; i++)
    json_array_append_new(rooms, room_json(&ac->rooms[i], nslots));
  json_t *co = json_pack("{s:s, s:s, s:s, s:b, s:o}", "code", ce->code, "name", ce->name,
                         "kind", ce->kind, "closed", ac->closed, "rooms", rooms);
  if (co && ac->closed_reason)
    json_object_set_new(co, "closed_reason", json_string(ac->closed_reason));
  return co;
}

json_t *avail_view_json(const struct avail_view *v) {
  char date[11], gen[26];
  date_format(v->day, date);
  clock_format_instant(v->generated_at, gen);
  json_t *centers = json_array();
  for (int c = 0; centers && c < v->ncenters; c++)
    json_array_append_new(centers, center_json(&v->centers[c], v->nslots));
  return json_pack("{s:s, s:s, s:s, s:o}", "date", date, "generated_at", gen, "rules_version",
                   v->rules ? v->rules->version : "", "centers", centers);
}

int avail_build(struct kctx *ctx, int32_t day, const struct center *only, json_t **out,
                int64_t *valid_until) {
  struct avail_view *v;
  *out = NULL;
  *valid_until = INT64_MAX;
  int err = avail_view_build(ctx, day, only, &v);
  if (err) return err;
  *valid_until = v->valid_until;
  *out = avail_view_json(v);
  avail_view_free(v);
  return *out ? 0 : KERR_INTERNAL;
}

/* ------------------------------------------------------------------- CSV */

char *avail_view_csv(const struct avail_view *v, size_t *len) {
  struct csvbuf b = {0};
  char date[11];
  static const char header[] =
      "date,center_code,center_name,room_id,room_code,room_name,room_kind,slot,slot_label,"
      "start,end,state\r\n";
  date_format(v->day, date);
  csv_raw(&b, header, sizeof header - 1);
  for (int c = 0; c < v->ncenters; c++) {
    const struct avail_center *ac = &v->centers[c];
    for (int i = 0; i < ac->nrooms; i++) {
      const struct room *ro = ac->rooms[i].room;
      char id[24];
      snprintf(id, sizeof id, "%lld", (long long)ro->id);
      for (int s = 0; s < v->nslots; s++) {
        const struct avail_slot *so = &ac->rooms[i].slots[s];
        char start[8], end[8];
        clock_hhmm(so->def->start, start);
        clock_hhmm(so->def->end, end);
        const char *f[] = {date, ac->center->code, ac->center->name, id, ro->code, ro->name,
                           ro->kind, so->def->code, so->def->label, start, end,
                           avail_state_name(so->state)};
        for (size_t k = 0; k < sizeof f / sizeof f[0]; k++) csv_field(&b, f[k]);
        csv_end_row(&b);
      }
    }
  }
  return csv_take(&b, len);
}
