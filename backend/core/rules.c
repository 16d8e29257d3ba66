/*
** core/rules.c: the rule book (ordinances/<city>/) loaded, validated and
** queried (see rules.h; the keys are described in ordinances/README.md).
**
** Loading reads facilities.json and every rules-YYYY-MM-DD.json of a folder
** and checks all of it before anything is used: a rule book with one problem
** is refused as a whole, and every problem is reported (not just the first)
** as "file: json.path: message", so an editor can fix a file in one pass.
**
** Validation and conversion are one walk: each getter below reads one value
** into the struct and reports a problem at its JSON path when it is missing,
** of the wrong type or out of range. Unknown keys inside the fixed sections
** of a rules file are reported too (a misspelt optional key would otherwise
** be silently ignored); "note" and keys starting with "x_" are always
** allowed. Centres, rooms and discount categories are open objects: extra
** keys there are published as they are.
**
** This file is the loader; its problems list and getters are
** core/rules_check.c, the queries core/rules_query.c, the public JSON
** core/rules_public.c.
*/
#include "rules.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "rules_check.h"

/* ========================================================== facilities */

static const char *const room_kinds[] = {"ホール",   "会議室", "和室",   "料理室",
                                         "視聴覚室", "学習室", "実習室", "体育室", NULL};
#define ROOM_KINDS_EXPECTED "ホール, 会議室, 和室, 料理室, 視聴覚室, 学習室, 実習室 or 体育室"

/* The kinds of facility that lend rooms: the community centres and the
** citizen service centres (issue 16). */
static const char *const facility_kinds[] = {"公民館", "市民サービスセンター", NULL};

/* Whether S is one of room_kinds. */
static int known_kind(const char *s) {
  for (const char *const *k = room_kinds; *k; k++)
    if (strcmp(s, *k) == 0) return 1;
  return 0;
}

/* OBJ.room_kinds (path BASE.room_kinds): up to 8 known room kinds into
** KINDS, *N of them. REQUIRED: missing or empty is a problem. */
static void get_room_kinds(struct vctx *c, json_t *obj, const char *base, int required,
                           char kinds[8][32], int *n) {
  char q[PATHMAX], k[PATHMAX];
  json_t *arr = get_arr(c, obj, base, "room_kinds", required);
  sub(q, base, "room_kinds");
  if (arr && json_array_size(arr) > 8) problem(c, q, "at most 8 room kinds");
  if (arr && required && json_array_size(arr) == 0) problem(c, q, "at least one room kind");
  for (size_t j = 0; arr && j < json_array_size(arr) && j < 8; j++) {
    json_t *v = json_array_get(arr, j);
    idx(k, q, j);
    if (!json_is_string(v) || !known_kind(json_string_value(v)))
      problem(c, k, "expected a room kind: " ROOM_KINDS_EXPECTED);
    else
      snprintf(kinds[(*n)++], 32, "%s", json_string_value(v));
  }
}

/* Whether UTF-8 text S is kana only (hiragana, katakana, ー, ・, spaces). */
static int kana_only(const char *s) {
  const unsigned char *u = (const unsigned char *)s;
  while (*u) {
    unsigned cp;
    if (*u == ' ') {
      u++;
      continue;
    }
    if ((u[0] & 0xF0) != 0xE0 || (u[1] & 0xC0) != 0x80 || (u[2] & 0xC0) != 0x80) return 0;
    cp = ((u[0] & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu);
    if (!((cp >= 0x3041 && cp <= 0x309F) || (cp >= 0x30A0 && cp <= 0x30FF) || cp == 0x3000))
      return 0;
    u += 3;
  }
  return 1;
}

/* Room J of centre CE from O (path BASE). */
static void load_room(struct vctx *c, json_t *o, const char *base, struct center *ce,
                      int j) {
  struct room *ro = &ce->rooms[j];
  char p[PATHMAX];
  double area;
  ro->center = ce;
  if (!json_is_object(o)) {
    problem(c, base, "expected an object");
    return;
  }
  if (get_code(c, o, base, "code", 1, ro->code, sizeof ro->code) == 0) {
    for (int k = 0; k < j; k++)
      if (strcmp(ce->rooms[k].code, ro->code) == 0)
        problem(c, sub(p, base, "code"), "duplicate room code \"%s\" in centre \"%s\"",
                ro->code, ce->code);
  }
  get_str(c, o, base, "name", 1, ro->name, sizeof ro->name);
  if (get_str(c, o, base, "kind", 1, ro->kind, sizeof ro->kind) == 0 && !known_kind(ro->kind))
    problem(c, sub(p, base, "kind"), "unknown room kind \"%s\" (expected " ROOM_KINDS_EXPECTED ")",
            ro->kind);
  get_int(c, o, base, "capacity", 1, 1, 10000, &ro->capacity);
  get_number(c, o, base, "floor_area", 0, 1, 100000, &area);
  get_code(c, o, base, "fee_class", 1, ro->fee_class, sizeof ro->fee_class);
  get_str(c, o, base, "note", 0, NULL, 0);
}

/* Centre I of RB from O (path BASE), with its rooms. */
static void load_center(struct vctx *c, json_t *o, const char *base, struct rulebook *rb,
                        int i) {
  struct center *ce = &rb->centers[i];
  char p[PATHMAX], rp[PATHMAX];
  ce->json = o;
  if (!json_is_object(o)) {
    problem(c, base, "expected an object");
    return;
  }
  if (get_code(c, o, base, "code", 1, ce->code, sizeof ce->code) == 0) {
    for (int k = 0; k < i; k++)
      if (strcmp(rb->centers[k].code, ce->code) == 0)
        problem(c, sub(p, base, "code"), "duplicate centre code \"%s\" (also centers[%d])",
                ce->code, k);
  }
  get_str(c, o, base, "name", 1, ce->name, sizeof ce->name);
  if (get_str(c, o, base, "kana", 1, ce->kana, sizeof ce->kana) == 0 && !kana_only(ce->kana))
    problem(c, sub(p, base, "kana"), "expected hiragana or katakana only");
  snprintf(ce->kind, sizeof ce->kind, "%s", facility_kinds[0]);
  if (get_str(c, o, base, "kind", 0, ce->kind, sizeof ce->kind) == 0) {
    int ok = 0;
    for (const char *const *k = facility_kinds; *k; k++) ok |= !strcmp(ce->kind, *k);
    if (!ok)
      problem(c, sub(p, base, "kind"), "unknown facility kind \"%s\" (expected 公民館 or "
                                       "市民サービスセンター)", ce->kind);
  }
  get_str(c, o, base, "address", 1, ce->address, sizeof ce->address);
  if (get_str(c, o, base, "phone", 1, ce->phone, sizeof ce->phone) == 0) {
    int ok = 1;
    for (const char *s = ce->phone; *s; s++)
      if (!((*s >= '0' && *s <= '9') || *s == '-')) ok = 0;
    if (!ok) problem(c, sub(p, base, "phone"), "expected digits and '-' only");
  }
  if (get_str(c, o, base, "postcode", 0, ce->postcode, sizeof ce->postcode) == 0) {
    int ok = strlen(ce->postcode) == 8 && ce->postcode[3] == '-';
    for (int k = 0; ok && k < 8; k++) ok = k == 3 || (ce->postcode[k] >= '0' && ce->postcode[k] <= '9');
    if (!ok) problem(c, sub(p, base, "postcode"), "expected a postcode such as \"371-0023\"");
  }
  get_number(c, o, base, "lat", 1, -90, 90, &ce->lat);
  get_number(c, o, base, "lon", 1, -180, 180, &ce->lon);
  get_str(c, o, base, "note", 0, NULL, 0);
  json_t *rooms = get_arr(c, o, base, "rooms", 1);
  if (!rooms) return;
  size_t n = json_array_size(rooms);
  if (n == 0 || n > 64) {
    problem(c, sub(p, base, "rooms"), "expected 1 to 64 rooms");
    if (n == 0) return;
  }
  ce->rooms = calloc(n, sizeof *ce->rooms);
  if (!ce->rooms) {
    problem(c, sub(p, base, "rooms"), "out of memory");
    return;
  }
  ce->nrooms = (int)n;
  sub(p, base, "rooms");
  for (size_t j = 0; j < n; j++) load_room(c, json_array_get(rooms, j), idx(rp, p, j), ce, (int)j);
}

/* Read and check DIR/facilities.json into RB. */
static void load_facilities(struct vctx *c, struct rulebook *rb, json_t *root) {
  char p[PATHMAX];
  rb->facilities_json = root;
  get_str(c, root, "", "source", 1, NULL, 0);
  json_t *centers = get_arr(c, root, "", "centers", 1);
  if (!centers) return;
  size_t n = json_array_size(centers);
  if (n == 0) {
    problem(c, "centers", "expected at least one centre");
    return;
  }
  rb->centers = calloc(n, sizeof *rb->centers);
  if (!rb->centers) {
    problem(c, "centers", "out of memory");
    return;
  }
  rb->ncenters = (int)n;
  for (size_t i = 0; i < n; i++)
    load_center(c, json_array_get(centers, i), idx(p, "centers", i), rb, (int)i);
}

/* ============================================================= versions */

/* slots[]: codes unique, each ends after it starts, in order without overlap. */
static void load_slots(struct vctx *c, struct rules *r, json_t *root) {
  static const char *const keys[] = {"code", "label", "start", "end", NULL};
  char p[PATHMAX], q[PATHMAX];
  json_t *slots = get_arr(c, root, "", "slots", 1);
  if (!slots) return;
  size_t n = json_array_size(slots);
  if (n < 1 || n > RULES_MAX_SLOTS) {
    problem(c, "slots", "expected 1 to %d slots", RULES_MAX_SLOTS);
    if (n == 0) return;
    n = RULES_MAX_SLOTS;
  }
  r->nslots = (int)n;
  for (size_t i = 0; i < n; i++) {
    struct slotdef *s = &r->slots[i];
    json_t *o = json_array_get(slots, i);
    idx(p, "slots", i);
    s->start = s->end = -1;
    if (!json_is_object(o)) {
      problem(c, p, "expected an object");
      continue;
    }
    check_keys(c, o, p, keys);
    if (get_code(c, o, p, "code", 1, s->code, sizeof s->code) == 0) {
      for (size_t k = 0; k < i; k++)
        if (strcmp(r->slots[k].code, s->code) == 0) {
          problem(c, sub(q, p, "code"), "duplicate slot code \"%s\" (also slots[%zu])", s->code, k);
          break;
        }
    }
    get_str(c, o, p, "label", 1, s->label, sizeof s->label);
    int ok = get_hhmm(c, o, p, "start", 1, &s->start) == 0;
    ok &= get_hhmm(c, o, p, "end", 1, &s->end) == 0;
    if (ok && s->end <= s->start) {
      problem(c, sub(q, p, "end"), "must be later than start");
    } else if (ok && i > 0 && r->slots[i - 1].end >= 0 && s->start < r->slots[i - 1].end) {
      problem(c, sub(q, p, "start"), "must not be before the end of slots[%zu]", i - 1);
    }
  }
}

/* closed[]: each rule needs the fields of its kind; a named centre must exist. */
static void load_closed(struct vctx *c, struct rules *r, json_t *root,
                        const struct rulebook *rb) {
  static const char *const keys[] = {"kind", "weekday", "nth", "from", "to",
                                     "date", "center", "label", "counter", NULL};
  char p[PATHMAX], q[PATHMAX], e[PATHMAX];
  json_t *arr = get_arr(c, root, "", "closed", 1);
  if (!arr || json_array_size(arr) == 0) return;
  size_t n = json_array_size(arr);
  r->closed = calloc(n, sizeof *r->closed);
  if (!r->closed) {
    problem(c, "closed", "out of memory");
    return;
  }
  for (size_t i = 0; i < n; i++) {
    struct closed_rule *cr = &r->closed[r->nclosed];
    json_t *o = json_array_get(arr, i);
    char kind[24] = "";
    idx(p, "closed", i);
    memset(cr, 0, sizeof *cr);
    if (!json_is_object(o)) {
      problem(c, p, "expected an object");
      continue;
    }
    check_keys(c, o, p, keys);
    get_str(c, o, p, "label", 1, cr->label, sizeof cr->label);
    char counter[16] = "closed";
    if (get_str(c, o, p, "counter", 0, counter, sizeof counter) == 0) {
      if (strcmp(counter, "open") && strcmp(counter, "closed"))
        problem(c, sub(q, p, "counter"), "expected \"open\" or \"closed\"");
      cr->counter_open = !strcmp(counter, "open");
    }
    if (get_code(c, o, p, "center", 0, cr->center, sizeof cr->center) == 0 && cr->center[0] &&
        rb->ncenters > 0 && !rules_center(rb, cr->center))
      problem(c, sub(q, p, "center"), "unknown centre \"%s\" (not in facilities.json)", cr->center);
    if (get_str(c, o, p, "kind", 1, kind, sizeof kind) == -1) continue;
    if (strcmp(kind, "weekday_of_month") == 0) {
      cr->kind = CLOSED_WEEKDAY_OF_MONTH;
      get_weekday(c, o, p, "weekday", 1, &cr->weekday);
      json_t *nth = get_arr(c, o, p, "nth", 1);
      if (nth && json_array_size(nth) == 0)
        problem(c, sub(q, p, "nth"), "expected at least one of 1 to 5");
      for (size_t k = 0; nth && k < json_array_size(nth); k++) {
        json_t *v = json_array_get(nth, k);
        if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 5)
          problem(c, idx(e, sub(q, p, "nth"), k), "expected an integer from 1 to 5");
        else
          cr->nth_mask |= 1u << json_integer_value(v);
      }
    } else if (strcmp(kind, "weekly") == 0) {
      cr->kind = CLOSED_WEEKLY;
      get_weekday(c, o, p, "weekday", 1, &cr->weekday);
    } else if (strcmp(kind, "yearly") == 0) {
      cr->kind = CLOSED_YEARLY;
      get_month_day(c, o, p, "from", 1, &cr->from_md);
      get_month_day(c, o, p, "to", 1, &cr->to_md);
    } else if (strcmp(kind, "date") == 0) {
      cr->kind = CLOSED_DATE;
      get_date(c, o, p, "date", 1, &cr->date);
    } else if (strcmp(kind, "holidays") == 0) {
      cr->kind = CLOSED_HOLIDAYS;
    } else {
      problem(c, sub(q, p, "kind"),
              "expected weekday_of_month, weekly, yearly, date or holidays");
      continue;
    }
    r->nclosed++;
  }
}

/* One round's checks against R's opening and the rounds before it. */
static void check_round(struct vctx *c, const struct rules *r, const struct round_rule *rr,
                        const char *p) {
  if (rr->from_day > rr->until_day) problem(c, p, "apply_from_day is after apply_until_day");
  /* RULE: a round closes before first-come booking opens for its use month. */
  if (rr->months_before < r->opens_months_before ||
      (rr->months_before == r->opens_months_before && rr->until_day >= r->opens_day))
    problem(c, p, "the round must close before booking opens for the use month"
                  " (booking_window.opens)");
  for (int i = 0; i < r->nrounds; i++) {
    if (!strcmp(r->rounds[i].code, rr->code)) problem(c, p, "a second round named %s", rr->code);
    for (int a = 0; a < rr->nkinds; a++)
      for (int k = 0; k < r->rounds[i].nkinds; k++)
        if (!strcmp(rr->kinds[a], r->rounds[i].kinds[k]))
          problem(c, p, "room kind %s is in two rounds", rr->kinds[a]);
  }
}

/* booking_window.lottery: null (no rounds), or {"rounds":[{"code",
** "room_kinds","months_before_use_month","apply_from_day","apply_until_day",
** "cap_slots_per_group"}]} (core/rounds.h). */
static void load_rounds(struct vctx *c, struct rules *r, json_t *l) {
  static const char *const lkeys[] = {"rounds", NULL};
  static const char *const rkeys[] = {"code", "room_kinds", "months_before_use_month",
                                      "apply_from_day", "apply_until_day",
                                      "cap_slots_per_group", NULL};
  const char *b = "booking_window.lottery";
  char p[PATHMAX], q[PATHMAX];
  if (!l || json_is_null(l)) return;
  if (!json_is_object(l)) {
    problem(c, b, "expected null or an object with rounds");
    return;
  }
  check_keys(c, l, b, lkeys);
  json_t *arr = get_arr(c, l, b, "rounds", 1);
  sub(q, b, "rounds");
  if (arr && json_array_size(arr) > RULES_MAX_ROUNDS) problem(c, q, "at most 4 rounds");
  for (size_t i = 0; arr && i < json_array_size(arr) && i < RULES_MAX_ROUNDS; i++) {
    json_t *o = json_array_get(arr, i);
    struct round_rule *rr = &r->rounds[r->nrounds];
    idx(p, q, i);
    if (!json_is_object(o)) {
      problem(c, p, "expected an object");
      continue;
    }
    check_keys(c, o, p, rkeys);
    get_code(c, o, p, "code", 1, rr->code, sizeof rr->code);
    get_room_kinds(c, o, p, 1, rr->kinds, &rr->nkinds);
    get_int(c, o, p, "months_before_use_month", 1, 1, 24, &rr->months_before);
    get_int(c, o, p, "apply_from_day", 1, 1, 28, &rr->from_day);
    get_int(c, o, p, "apply_until_day", 1, 1, 28, &rr->until_day);
    get_int(c, o, p, "cap_slots_per_group", 1, 1, 100, &rr->cap);
    check_round(c, r, rr, p);
    r->nrounds++;
  }
}

/* booking_window: one rule for every centre and every kind of user. */
static void load_window(struct vctx *c, struct rules *r, json_t *root) {
  static const char *const keys[] = {"opens", "online_until", "lottery", NULL};
  static const char *const okeys[] = {"months_before_use_month", "day", "at", NULL};
  const char *b = "booking_window";
  char p[PATHMAX];
  json_t *w = get_obj(c, root, "", b, 1);
  if (!w) return;
  check_keys(c, w, b, keys);
  json_t *opens = get_obj(c, w, b, "opens", 1);
  if (opens) {
    sub(p, b, "opens");
    check_keys(c, opens, p, okeys);
    get_int(c, opens, p, "months_before_use_month", 1, 0, 24, &r->opens_months_before);
    get_int(c, opens, p, "day", 1, 1, 28, &r->opens_day);
    get_hhmm(c, opens, p, "at", 1, &r->opens_at);
  }
  json_t *until = json_object_get(w, "online_until");
  if (!until) {
    problem(c, sub(p, b, "online_until"), "required key missing");
  } else if (json_is_string(until) && strcmp(json_string_value(until), "slot_start") == 0) {
    r->online_until_min = 0;
  } else {
    json_t *m = json_is_object(until) && json_object_size(until) == 1
                    ? json_object_get(until, "minutes_before_start")
                    : NULL;
    if (json_is_integer(m) && json_integer_value(m) >= 0 && json_integer_value(m) <= 10080)
      r->online_until_min = (int)json_integer_value(m);
    else
      problem(c, sub(p, b, "online_until"),
              "expected \"slot_start\" or {\"minutes_before_start\": 0 to 10080}");
  }
  load_rounds(c, r, json_object_get(w, "lottery"));
}

/* holds, limits, cancellation, group_registration, same_day, noshow. */
static void load_simple_sections(struct vctx *c, struct rules *r, json_t *root) {
  static const char *const hkeys[] = {"lapse_after_hours", "max_per_user", NULL};
  static const char *const lkeys[] = {"group_slots_per_month", "person_slots_per_month", NULL};
  static const char *const ckeys[] = {"deadline_days_before", "after_deadline", NULL};
  static const char *const gkeys[] = {"min_members", "resident_share_at_least_percent",
                                      "resident_share_above_percent", "valid_until", NULL};
  static const char *const skeys[] = {"counter", "online", "registration_required", "until",
                                      NULL};
  static const char *const nkeys[] = {"grace_minutes", NULL};
  json_t *o;

  if ((o = get_obj(c, root, "", "holds", 1))) {
    check_keys(c, o, "holds", hkeys);
    get_int(c, o, "holds", "lapse_after_hours", 1, 1, 720, &r->hold_lapse_hours);
    get_int(c, o, "holds", "max_per_user", 1, 1, 100, &r->hold_max_per_user);
  }
  if ((o = get_obj(c, root, "", "limits", 1))) {
    check_keys(c, o, "limits", lkeys);
    get_int(c, o, "limits", "group_slots_per_month", 1, 1, 1000, &r->group_slots_per_month);
    get_int(c, o, "limits", "person_slots_per_month", 1, 1, 1000, &r->person_slots_per_month);
  }
  if ((o = get_obj(c, root, "", "cancellation", 1))) {
    check_keys(c, o, "cancellation", ckeys);
    get_int(c, o, "cancellation", "deadline_days_before", 1, 0, 365, &r->cancel_deadline_days);
    json_t *a = get_obj(c, o, "cancellation", "after_deadline", 1);
    char action[16] = "";
    const char *ab = "cancellation.after_deadline";
    if (a && get_str(c, a, ab, "action", 1, action, sizeof action) == 0) {
      if (strcmp(action, "refused") == 0) {
        static const char *const rkeys[] = {"action", NULL};
        check_keys(c, a, ab, rkeys);
        r->cancel_after_deadline_fee = -1;
      } else if (strcmp(action, "fee") == 0) {
        static const char *const fkeys[] = {"action", "fee_percent", NULL};
        check_keys(c, a, ab, fkeys);
        get_int(c, a, ab, "fee_percent", 1, 0, 100, &r->cancel_after_deadline_fee);
      } else {
        problem(c, "cancellation.after_deadline.action", "expected \"fee\" or \"refused\"");
      }
    }
  }
  if ((o = get_obj(c, root, "", "group_registration", 1))) {
    const char *b = "group_registration";
    int kind = VALID_FISCAL_YEAR_END;
    check_keys(c, o, b, gkeys);
    get_int(c, o, b, "min_members", 1, 1, 1000, &r->group_min_members);
    /* the residents' share: "at least" (以上) or "above" (を超える), one of the two */
    int at_least = json_object_get(o, "resident_share_at_least_percent") != NULL;
    if (at_least && json_object_get(o, "resident_share_above_percent"))
      problem(c, "group_registration", "give resident_share_at_least_percent or "
                                       "resident_share_above_percent, not both");
    else if (at_least)
      get_int(c, o, b, "resident_share_at_least_percent", 1, 0, 100, &r->group_resident_percent);
    else
      get_int(c, o, b, "resident_share_above_percent", 1, 0, 99, &r->group_resident_percent);
    r->group_resident_at_least = at_least;
    if (get_validity(c, o, b, "valid_until", 1, &kind, &r->group_validity_days) == 0)
      r->group_validity = kind == VALID_DAYS ? VALID_DAYS : VALID_FISCAL_YEAR_END;
  }
  if ((o = get_obj(c, root, "", "same_day", 1))) {
    char until[16] = "";
    check_keys(c, o, "same_day", skeys);
    get_bool(c, o, "same_day", "counter", 1, &r->same_day_counter);
    get_bool(c, o, "same_day", "online", 1, &r->same_day_online);
    int reg = 0;
    get_bool(c, o, "same_day", "registration_required", 0, &reg);
    if (get_str(c, o, "same_day", "until", 1, until, sizeof until) == 0 &&
        strcmp(until, "slot_start") != 0 && strcmp(until, "slot_end") != 0)
      problem(c, "same_day.until", "expected \"slot_start\" or \"slot_end\"");
  }
  if ((o = get_obj(c, root, "", "noshow", 1))) {
    check_keys(c, o, "noshow", nkeys);
    get_int(c, o, "noshow", "grace_minutes", 1, 0, 240, &r->noshow_grace_min);
  }
}

/* counter_hours: weekdays without repeats, close after open. */
static void load_counter(struct vctx *c, struct rules *r, json_t *root) {
  static const char *const keys[] = {"weekdays", "open", "close", "holidays", NULL};
  const char *b = "counter_hours";
  char p[PATHMAX], q[PATHMAX], hol[16] = "closed";
  json_t *o = get_obj(c, root, "", b, 1);
  if (!o) return;
  check_keys(c, o, b, keys);
  /* RULE: the counter is closed on national holidays (窓口は祝日を除く平日). */
  if (get_str(c, o, b, "holidays", 0, hol, sizeof hol) == 0 && strcmp(hol, "closed") != 0 &&
      strcmp(hol, "open") != 0)
    problem(c, sub(p, b, "holidays"), "expected \"closed\" or \"open\"");
  r->counter_closed_on_holidays = strcmp(hol, "open") != 0;
  json_t *wd = get_arr(c, o, b, "weekdays", 1);
  if (wd && json_array_size(wd) == 0)
    problem(c, sub(p, b, "weekdays"), "expected at least one weekday");
  for (size_t i = 0; wd && i < json_array_size(wd); i++) {
    int w = parse_weekday(json_array_get(wd, i));
    idx(q, sub(p, b, "weekdays"), i);
    if (w < 0)
      problem(c, q, WEEKDAY_EXPECTED);
    else if (r->counter_weekdays & (1u << w))
      problem(c, q, "duplicate weekday \"%s\"", weekday_names[w]);
    else
      r->counter_weekdays |= 1u << w;
  }
  int ok = get_hhmm(c, o, b, "open", 1, &r->counter_open) == 0;
  ok &= get_hhmm(c, o, b, "close", 1, &r->counter_close) == 0;
  if (ok && r->counter_close <= r->counter_open)
    problem(c, sub(p, b, "close"), "must be later than open");
}

/* fees.classes: every class prices every slot and nothing else. *FEES_OK is
** set once the classes could be read, so rooms can be checked against them. */
static void load_fees(struct vctx *c, struct rules *r, json_t *root, int *fees_ok) {
  static const char *const keys[] = {"currency", "classes", NULL};
  static const char *const ckeys[] = {"label", "yen", NULL};
  char p[PATHMAX], q[PATHMAX];
  char cur[8] = "";
  const char *key;
  json_t *v;
  json_t *fees = get_obj(c, root, "", "fees", 1);
  if (!fees) return;
  check_keys(c, fees, "fees", keys);
  if (get_str(c, fees, "fees", "currency", 0, cur, sizeof cur) == 0 && cur[0] &&
      strcmp(cur, "JPY") != 0)
    problem(c, "fees.currency", "expected \"JPY\"");
  json_t *classes = get_obj(c, fees, "fees", "classes", 1);
  if (!classes) return;
  if (json_object_size(classes) == 0) {
    problem(c, "fees.classes", "expected at least one fee class");
    return;
  }
  r->fee_classes = calloc(json_object_size(classes), sizeof *r->fee_classes);
  if (!r->fee_classes) {
    problem(c, "fees.classes", "out of memory");
    return;
  }
  *fees_ok = 1;
  json_object_foreach(classes, key, v) {
    struct fee_class *fc = &r->fee_classes[r->nfee_classes];
    sub(p, "fees.classes", key);
    if (!is_code(key) || strlen(key) >= sizeof fc->code) {
      problem(c, p, "fee class name must be a code of lower-case letters, digits, '_' or '-' "
                    "(at most %zu bytes)", sizeof fc->code - 1);
      continue;
    }
    if (!json_is_object(v)) {
      problem(c, p, "expected an object");
      continue;
    }
    check_keys(c, v, p, ckeys);
    get_str(c, v, p, "label", 0, NULL, 0);
    json_t *yen = get_obj(c, v, p, "yen", 1);
    if (!yen) continue;
    snprintf(fc->code, sizeof fc->code, "%s", key);
    for (int i = 0; i < RULES_MAX_SLOTS; i++) fc->yen[i] = -1;
    sub(q, p, "yen");
    for (int i = 0; i < r->nslots; i++)
      if (r->slots[i].code[0])
        get_int(c, yen, q, r->slots[i].code, 1, 0, 10000000, &fc->yen[i]);
    const char *sk;
    json_t *sv;
    json_object_foreach(yen, sk, sv) {
      if (rules_slot_index(r, sk) < 0) {
        char s[PATHMAX];
        problem(c, sub(s, q, sk), "unknown slot code (not in slots)");
      }
    }
    r->nfee_classes++;
  }
}

/* O's string KEY (borrowed from O), or "" when it is absent or not a string. */
static const char *text_of(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

/* discounts[] (減免): codes unique, rate 1..100, criteria and evidence given. */
static void load_discounts(struct vctx *c, struct rules *r, json_t *root) {
  char p[PATHMAX], q[PATHMAX];
  json_t *arr = get_arr(c, root, "", "discounts", 1);
  if (!arr || json_array_size(arr) == 0) return;
  size_t n = json_array_size(arr);
  r->discounts = calloc(n, sizeof *r->discounts);
  if (!r->discounts) {
    problem(c, "discounts", "out of memory");
    return;
  }
  for (size_t i = 0; i < n; i++) {
    struct discount_cat *d = &r->discounts[r->ndiscounts];
    json_t *o = json_array_get(arr, i);
    int kind, days;
    idx(p, "discounts", i);
    if (!json_is_object(o)) {
      problem(c, p, "expected an object");
      continue;
    }
    d->json = o;
    if (get_code(c, o, p, "code", 1, d->code, sizeof d->code) == 0) {
      for (int k = 0; k < r->ndiscounts; k++)
        if (strcmp(r->discounts[k].code, d->code) == 0)
          problem(c, sub(q, p, "code"), "duplicate discount code \"%s\"", d->code);
    }
    get_str(c, o, p, "name", 1, d->name, sizeof d->name);
    get_int(c, o, p, "rate", 1, 1, 100, &d->rate);
    get_str(c, o, p, "criteria", 1, NULL, 0);
    get_str(c, o, p, "evidence", 1, NULL, 0);
    d->criteria = text_of(o, "criteria");
    d->evidence = text_of(o, "evidence");
    d->illustrative = !strncmp(text_of(o, "note"), "illustrative", 12);
    get_bool(c, o, p, "requires_verified_resident", 0, &d->verified_resident);
    if (get_validity(c, o, p, "valid_until", 1, &kind, &days) == 0) {
      d->valid_kind = kind;
      d->valid_days = kind == VALID_DAYS ? days : 0;
    }
    r->ndiscounts++;
  }
}

/* campaign_days[]: at least one date condition; known room kinds only. */
static void load_campaigns(struct vctx *c, struct rules *r, json_t *root) {
  static const char *const keys[] = {"name", "weekday", "day_of_month", "date", "room_kinds",
                                     NULL};
  char p[PATHMAX];
  json_t *arr = get_arr(c, root, "", "campaign_days", 0);
  if (!arr || json_array_size(arr) == 0) return;
  size_t n = json_array_size(arr);
  r->campaigns = calloc(n, sizeof *r->campaigns);
  if (!r->campaigns) {
    problem(c, "campaign_days", "out of memory");
    return;
  }
  for (size_t i = 0; i < n; i++) {
    struct campaign *cp = &r->campaigns[r->ncampaigns];
    json_t *o = json_array_get(arr, i);
    idx(p, "campaign_days", i);
    cp->weekday = -1;
    if (!json_is_object(o)) {
      problem(c, p, "expected an object");
      continue;
    }
    check_keys(c, o, p, keys);
    get_str(c, o, p, "name", 1, cp->name, sizeof cp->name);
    get_weekday(c, o, p, "weekday", 0, &cp->weekday);
    get_int(c, o, p, "day_of_month", 0, 1, 31, &cp->day_of_month);
    get_date(c, o, p, "date", 0, &cp->date);
    if (!json_object_get(o, "weekday") && !json_object_get(o, "day_of_month") &&
        !json_object_get(o, "date"))
      problem(c, p, "needs weekday, day_of_month or date");
    get_room_kinds(c, o, p, 0, cp->room_kinds, &cp->nroom_kinds);
    r->ncampaigns++;
  }
}

/* Check one rules file (root ROOT, file date FILE_DAY) into R. */
static void load_version(struct vctx *c, struct rules *r, json_t *root, int32_t file_day,
                         const struct rulebook *rb, int *fees_ok) {
  static const char *const keys[] = {
      "version",      "effective_from", "source",      "slots",     "closed",
      "booking_window", "holds",        "limits",      "cancellation", "fees",
      "discounts",    "group_registration", "same_day", "counter_hours", "campaign_days",
      "noshow",       NULL};
  r->json = root;
  check_keys(c, root, "", keys);
  get_str(c, root, "", "version", 1, r->version, sizeof r->version);
  get_str(c, root, "", "source", 1, NULL, 0);
  if (get_date(c, root, "", "effective_from", 1, &r->effective_from) == 0 &&
      r->effective_from != file_day) {
    char d[11];
    date_format(file_day, d);
    problem(c, "effective_from", "%s does not match the date in the file name (%s)",
            json_string_value(json_object_get(root, "effective_from")), d);
  }
  load_slots(c, r, root);
  load_closed(c, r, root, rb);
  load_window(c, r, root);
  load_simple_sections(c, r, root);
  load_counter(c, r, root);
  load_fees(c, r, root, fees_ok);
  load_discounts(c, r, root);
  load_campaigns(c, r, root);
}

/* =============================================================== loading */

/* Parse DIR/NAME. NULL after reporting why (cannot open, syntax, not an object). */
static json_t *read_json(struct vctx *c, const char *dir, const char *name) {
  char path[1024];
  json_error_t err;
  if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
    problem(c, NULL, "path too long");
    return NULL;
  }
  FILE *f = fopen(path, "rb");
  if (!f) {
    problem(c, "cannot open", "%s", strerror(errno));
    return NULL;
  }
  json_t *root = json_loadf(f, JSON_REJECT_DUPLICATES, &err);
  fclose(f);
  if (!root) {
    char where[64];
    snprintf(where, sizeof where, "line %d column %d", err.line, err.column);
    problem(c, where, "%s", err.text);
    return NULL;
  }
  if (!json_is_object(root)) {
    problem(c, "(top level)", "expected an object");
    json_decref(root);
    return NULL;
  }
  return root;
}

/* holidays.json: {"source", "holidays":[{"date","name"}]} in ascending date
** order without repeats. Absent is allowed (no holidays; rules_warnings says
** so). */
static void load_holidays(struct vctx *c, struct rulebook *rb, const char *dir) {
  static const char *const keys[] = {"source", "holidays", NULL};
  static const char *const hkeys[] = {"date", "name", NULL};
  char path[1024], p[PATHMAX];
  c->file = "holidays.json";
  snprintf(path, sizeof path, "%s/holidays.json", dir);
  FILE *f = fopen(path, "rb");
  if (!f) return;
  fclose(f);
  json_t *root = read_json(c, dir, "holidays.json");
  if (!root) return;
  check_keys(c, root, "", keys);
  get_str(c, root, "", "source", 1, NULL, 0);
  json_t *arr = get_arr(c, root, "", "holidays", 1);
  size_t n = arr ? json_array_size(arr) : 0;
  if (n && !(rb->holidays = calloc(n, sizeof *rb->holidays))) problem(c, NULL, "out of memory");
  for (size_t i = 0; rb->holidays && i < n; i++) {
    struct holiday *h = &rb->holidays[rb->nholidays];
    json_t *o = json_array_get(arr, i);
    idx(p, "holidays", i);
    if (!json_is_object(o)) {
      problem(c, p, "expected an object");
      continue;
    }
    check_keys(c, o, p, hkeys);
    int bad = get_date(c, o, p, "date", 1, &h->date) != 0;
    bad |= get_str(c, o, p, "name", 1, h->name, sizeof h->name) != 0;
    if (bad) continue;
    if (rb->nholidays > 0 && h->date <= h[-1].date) {
      problem(c, p, "dates must ascend without repeats");
      continue;
    }
    rb->nholidays++;
  }
  json_decref(root);
}

/* qsort orders: file names; versions by effective_from. */
static int cmp_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_version(const void *a, const void *b) {
  const struct rules *x = a, *y = b;
  return (x->effective_from > y->effective_from) - (x->effective_from < y->effective_from);
}

/* The names of the rules-*.json files of DIR, sorted; NULL with *N = -1 if
** DIR cannot be read. Caller frees each name and the array. */
static char **list_rules_files(struct vctx *c, const char *dir, int *n) {
  DIR *d = opendir(dir);
  char **names = NULL;
  int cap = 0;
  struct dirent *e;
  *n = 0;
  if (!d) {
    problem(c, "cannot open", "%s", strerror(errno));
    *n = -1;
    return NULL;
  }
  while ((e = readdir(d))) {
    size_t len = strlen(e->d_name);
    if (strncmp(e->d_name, "rules-", 6) != 0 || len < 11 ||
        strcmp(e->d_name + len - 5, ".json") != 0)
      continue;
    if (*n == cap) {
      int ncap = cap ? cap * 2 : 8;
      char **nn = realloc(names, (size_t)ncap * sizeof *names);
      if (!nn) break;
      names = nn;
      cap = ncap;
    }
    if (!(names[*n] = strdup(e->d_name))) break;
    (*n)++;
  }
  closedir(d);
  if (*n > 1) qsort(names, (size_t)*n, sizeof *names, cmp_name);
  return names;
}

/* Every room's fee class must be priced by every version: a room must have a
** fee whatever the use date. */
static void check_fee_classes(struct vctx *c, const struct rulebook *rb, const int *fees_ok) {
  char p[PATHMAX], q[PATHMAX], e[PATHMAX];
  c->file = "facilities.json";
  for (int i = 0; i < rb->ncenters; i++) {
    const struct center *ce = &rb->centers[i];
    for (int j = 0; j < ce->nrooms; j++) {
      const struct room *ro = &ce->rooms[j];
      if (!ro->fee_class[0]) continue;
      sub(q, idx(p, "centers", (size_t)i), "rooms");
      sub(p, idx(e, q, (size_t)j), "fee_class");
      for (int v = 0; v < rb->nversions; v++) {
        const struct rules *r = &rb->versions[v];
        int found = 0;
        for (int k = 0; k < r->nfee_classes; k++)
          if (strcmp(r->fee_classes[k].code, ro->fee_class) == 0) found = 1;
        if (fees_ok[v] && !found)
          problem(c, p, "unknown fee class \"%s\" (not in %s)", ro->fee_class, r->file);
      }
    }
  }
}

struct rulebook *rules_load(const char *dir, json_t **problems) {
  struct vctx c = {json_array(), "", 0};
  struct rulebook *rb = calloc(1, sizeof *rb);
  char **names = NULL;
  int nnames = 0;
  int *fees_ok = NULL;

  *problems = NULL;
  if (!rb || !c.problems) goto oom;
  c.file = dir;
  if (strlen(dir) >= sizeof rb->dir) {
    problem(&c, NULL, "directory name too long");
    goto done;
  }
  snprintf(rb->dir, sizeof rb->dir, "%s", dir);
  names = list_rules_files(&c, dir, &nnames);
  if (nnames < 0) goto done;

  c.file = "facilities.json";
  json_t *fac = read_json(&c, dir, "facilities.json");
  if (fac) load_facilities(&c, rb, fac);

  load_holidays(&c, rb, dir);
  c.file = dir;
  if (nnames == 0) problem(&c, NULL, "no rules-YYYY-MM-DD.json file in this directory");
  rb->versions = calloc(nnames ? (size_t)nnames : 1, sizeof *rb->versions);
  fees_ok = calloc(nnames ? (size_t)nnames : 1, sizeof *fees_ok);
  if (!rb->versions || !fees_ok) goto oom;
  for (int i = 0; i < nnames; i++) {
    struct rules *r = &rb->versions[rb->nversions];
    int32_t file_day;
    char date[11];
    c.file = names[i];
    if (strlen(names[i]) != 21) {
      problem(&c, "file name", "expected rules-YYYY-MM-DD.json");
      continue;
    }
    memcpy(date, names[i] + 6, 10);
    date[10] = 0;
    if (date_parse(date, &file_day) != 0) {
      problem(&c, "file name", "expected rules-YYYY-MM-DD.json with a real date");
      continue;
    }
    json_t *root = read_json(&c, dir, names[i]);
    if (!root) continue;
    snprintf(r->file, sizeof r->file, "%s", names[i]);
    load_version(&c, r, root, file_day, rb, &fees_ok[rb->nversions]);
    rb->nversions++;
  }
  check_fee_classes(&c, rb, fees_ok); /* before sorting: fees_ok follows file order */
  qsort(rb->versions, (size_t)rb->nversions, sizeof *rb->versions, cmp_version);
  for (int i = 0; i < rb->nversions; i++) {
    rb->versions[i].nholidays = rb->nholidays;
    rb->versions[i].holidays = rb->holidays;
  }
  for (int i = 1; i < rb->nversions; i++) {
    const struct rules *a = &rb->versions[i - 1], *b = &rb->versions[i];
    c.file = b->file;
    if (a->effective_from == b->effective_from && a->effective_from != 0)
      problem(&c, "effective_from", "same date as in %s", a->file);
    for (int k = 0; k < i; k++)
      if (b->version[0] && strcmp(rb->versions[k].version, b->version) == 0)
        problem(&c, "version", "\"%s\" is also the version of %s", b->version,
                rb->versions[k].file);
  }
  goto done;

oom:
  if (c.problems) {
    c.file = dir;
    problem(&c, NULL, "out of memory");
  }
done:
  for (int i = 0; i < nnames; i++) free(names[i]);
  free(names);
  free(fees_ok);
  if (!c.problems || json_array_size(c.problems) > 0 || c.nfailed > 0) {
    rules_free(rb);
    *problems = c.problems;
    return NULL;
  }
  json_decref(c.problems);
  return rb;
}

void rules_free(struct rulebook *rb) {
  if (!rb) return;
  for (int i = 0; i < rb->nversions; i++) {
    struct rules *r = &rb->versions[i];
    free(r->closed);
    free(r->fee_classes);
    free(r->discounts);
    free(r->campaigns);
    json_decref(r->json);
  }
  free(rb->versions);
  for (int i = 0; i < rb->ncenters; i++) free(rb->centers[i].rooms);
  free(rb->centers);
  free(rb->holidays);
  json_decref(rb->facilities_json);
  free(rb);
}
