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

static _Atomic uint64_t generation = 1;

uint64_t avail_generation(void) { return atomic_load(&generation); }
void avail_touch(void) { atomic_fetch_add(&generation, 1); }

struct taken {
  int64_t room_id;
  char slot[24];
  int held;
  char group[128];          /* only for groups listed publicly */
};

static const char *state_of(const struct taken *t, int n, int64_t room_id, const char *slot,
                            const char **group) {
  for (int i = 0; i < n; i++)
    if (t[i].room_id == room_id && !strcmp(t[i].slot, slot)) {
      *group = t[i].group[0] ? t[i].group : NULL;
      return t[i].held ? "held" : "booked";
    }
  return "free";
}

/* RULE: never offer what will be refused (core/bookable.c). A free slot that
** the web can no longer take is "closed" with "booking":"over" (or
** "no_rules"); one that is not open yet stays "free" with "booking":"not_yet"
** and "opens_at"; one only the counter takes, "booking":"counter_only"; a
** bookable one "booking":"open". *VALID_UNTIL is pulled in to the next
** instant the answer changes. Returns the state to publish. */
static const char *free_state(const struct kctx *ctx, const struct room *ro, int32_t day, int s,
                              json_t *so, int64_t *valid_until) {
  struct bookable why;
  enum bk_answer a = bookable_check(ctx, BK_ONLINE, ro, day, s, &why);
  if (why.changes_at < *valid_until) *valid_until = why.changes_at;
  json_object_set_new(so, "booking", json_string(bookable_code(a)));
  if (a == BK_NOT_YET) {
    char at[26];
    clock_format_instant(why.opens_at, at);
    json_object_set_new(so, "opens_at", json_string(at));
  }
  return bookable_feed_state(a);
}

int avail_build(struct kctx *ctx, int32_t day, const struct center *only, json_t **out,
                int64_t *valid_until) {
  char date[11], gen[26];
  struct taken *taken = NULL;
  int ntaken = 0, cap = 0, err = 0;
  json_t *centers = NULL;
  const struct rules *r = rules_in_force(ctx->rb, day);
  struct kctx on_line = *ctx;   /* the feeds are what a citizen on the web can do */
  on_line.channel = "online";

  *out = NULL;
  *valid_until = INT64_MAX;
  date_format(day, date);
  clock_format_instant(ctx->now, gen);

  /* One query for the whole day; lapsed holds are simply not selected, so a
  ** hold frees its slot at its expiry whether or not anything cleared it. */
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
  int rc;
  while ((rc = db_step(st)) == DB_ROW) {
    if (ntaken == cap) {
      cap = cap ? cap * 2 : 64;
      struct taken *nt = realloc(taken, (size_t)cap * sizeof *nt);
      if (!nt) {
        err = KERR_INTERNAL;
        db_reset(st);
        goto done;
      }
      taken = nt;
    }
    struct taken *t = &taken[ntaken++];
    t->room_id = db_col_int(st, 0);
    snprintf(t->slot, sizeof t->slot, "%s", db_col_text(st, 1));
    t->held = !db_col_null(st, 2);
    if (t->held && db_col_int(st, 2) < *valid_until) *valid_until = db_col_int(st, 2);
    snprintf(t->group, sizeof t->group, "%s", db_col_text(st, 3));
  }
  if (rc != DB_DONE) {
    err = kerr_from_db(rc);
    goto done;
  }

  centers = json_array();
  for (int c = 0; c < ctx->rb->ncenters; c++) {
    const struct center *ce = &ctx->rb->centers[c];
    if (only && only != ce) continue;
    char why[256] = "";
    int closed = !r || bookable_closed(ctx, ce->code, NULL, day, why, sizeof why);
    json_t *rooms = json_array();
    for (int i = 0; i < ce->nrooms; i++) {
      const struct room *ro = &ce->rooms[i];
      json_t *slots = json_array();
      for (int s = 0; r && s < r->nslots; s++) {
        char a[8], b[8];
        const char *group = NULL;
        const char *state =
            closed ? "closed" : state_of(taken, ntaken, ro->id, r->slots[s].code, &group);
        clock_hhmm(r->slots[s].start, a);
        clock_hhmm(r->slots[s].end, b);
        json_t *so = json_pack("{s:s, s:s, s:s, s:s}", "code", r->slots[s].code, "label",
                               r->slots[s].label, "start", a, "end", b);
        if (!strcmp(state, "free")) state = free_state(&on_line, ro, day, s, so, valid_until);
        json_object_set_new(so, "state", json_string(state));
        if (group) json_object_set_new(so, "group", json_string(group));
        json_array_append_new(slots, so);
      }
      json_array_append_new(rooms, json_pack("{s:I, s:s, s:s, s:s, s:i, s:o}", "id",
                                             (json_int_t)ro->id, "code", ro->code, "name",
                                             ro->name, "kind", ro->kind, "capacity",
                                             ro->capacity, "slots", slots));
    }
    json_t *co = json_pack("{s:s, s:s, s:s, s:b, s:o}", "code", ce->code, "name", ce->name,
                           "kind", ce->kind, "closed", closed, "rooms", rooms);
    if (closed && why[0]) json_object_set_new(co, "closed_reason", json_string(why));
    json_array_append_new(centers, co);
  }
  *out = json_pack("{s:s, s:s, s:s, s:o}", "date", date, "generated_at", gen,
                   "rules_version", r ? r->version : "", "centers", centers);
  centers = NULL;
  if (!*out) err = KERR_INTERNAL;
done:
  json_decref(centers);
  free(taken);
  return err;
}

/* ------------------------------------------------------------------- CSV */

/* RFC 4180 field: quoted when it holds a comma, quote or line break. */
static void field(struct csvbuf *b, const char *s, int last) {
  csv_field(b, s);
  if (last) csv_end_row(b);
}

char *avail_csv(const json_t *feed, size_t *len) {
  struct csvbuf b = {0};
  size_t ci, ri, si;
  json_t *ce, *ro, *so;
  const char *date = json_string_value(json_object_get(feed, "date"));
  static const char header[] =
      "date,center_code,center_name,room_id,room_code,room_name,room_kind,slot,slot_label,"
      "start,end,state\r\n";
  csv_raw(&b, header, sizeof header - 1);
  json_array_foreach(json_object_get(feed, "centers"), ci, ce) {
    json_array_foreach(json_object_get(ce, "rooms"), ri, ro) {
      char id[24];
      snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(ro, "id")));
      json_array_foreach(json_object_get(ro, "slots"), si, so) {
        field(&b, date ? date : "", 0);
        field(&b, json_string_value(json_object_get(ce, "code")), 0);
        field(&b, json_string_value(json_object_get(ce, "name")), 0);
        field(&b, id, 0);
        field(&b, json_string_value(json_object_get(ro, "code")), 0);
        field(&b, json_string_value(json_object_get(ro, "name")), 0);
        field(&b, json_string_value(json_object_get(ro, "kind")), 0);
        field(&b, json_string_value(json_object_get(so, "code")), 0);
        field(&b, json_string_value(json_object_get(so, "label")), 0);
        field(&b, json_string_value(json_object_get(so, "start")), 0);
        field(&b, json_string_value(json_object_get(so, "end")), 0);
        field(&b, json_string_value(json_object_get(so, "state")), 1);
      }
    }
  }
  return csv_take(&b, len);
}
