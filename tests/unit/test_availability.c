/*
** Unit tests for core/availability.c and core/facilities.c: room states from
** bookings, lapsed holds free by themselves, closed days, no person named.
*/
#include <criterion/criterion.h>
#include <string.h>

#include "../../backend/core/availability.h"
#include "../../backend/core/bookable.h"
#include "../../backend/core/clock.h"
#include "../../backend/core/facilities.h"

static struct rulebook *rb;
static kdb *db;
static struct kctx ctx;

static void setup(void) {
  json_t *problems = NULL;
  char err[256];
  rb = rules_load("ordinances/maebashi", &problems);
  cr_assert_not_null(rb, "rule book: %s", problems ? json_dumps(problems, 0) : "?");
  db = db_open(":memory:", err, sizeof err);
  cr_assert_not_null(db, "%s", err);
  cr_assert_eq(facilities_sync(db, rb), 0);
  ctx.db = db;
  ctx.rb = rb;
  cr_assert_eq(clock_parse_instant("2026-04-08T10:00:00+09:00", &ctx.now), 0);
}

static void teardown(void) {
  db_close(db);
  rules_free(rb);
}

TestSuite(avail, .init = setup, .fini = teardown);
TestSuite(facilities, .init = setup, .fini = teardown);

static void exec(const char *sql) { cr_assert_eq(db_exec(db, sql), DB_OK, "%s", sql); }

/* A booking of room ROOM on DATE, SLOT, with hold expiry EXP (<0: confirmed). */
static void book(int64_t id, int64_t room, const char *date, const char *slot, int64_t exp,
                 int64_t group) {
  kstmt *st = db_prep(db,
                      "INSERT INTO bookings(id, account_id, group_id, room_id, center, date, slots,"
                      " status, channel, fee_base, fee_total, rules_version, created_at)"
                      " VALUES ($id, 123456782, $g, $room, 'chuo', $date, $slot, 'held', 'online',"
                      " 0, 0, '2026-04-01', 0)");
  db_bind_int(st, "$id", id);
  if (group) db_bind_int(st, "$g", group); else db_bind_null(st, "$g");
  db_bind_int(st, "$room", room);
  db_bind_text(st, "$date", date);
  db_bind_text(st, "$slot", slot);
  cr_assert_eq(db_exec_stmt(st), DB_OK, "%s", db_errmsg(db));
  st = db_prep(db,
               "INSERT INTO booking_slots(booking_id, room_id, date, slot, hold_expires_at)"
               " VALUES ($id, $room, $date, $slot, $exp)");
  db_bind_int(st, "$id", id);
  db_bind_int(st, "$room", room);
  db_bind_text(st, "$date", date);
  db_bind_text(st, "$slot", slot);
  if (exp >= 0) db_bind_int(st, "$exp", exp); else db_bind_null(st, "$exp");
  cr_assert_eq(db_exec_stmt(st), DB_OK, "%s", db_errmsg(db));
}

static const char *state(json_t *feed, int64_t room, const char *slot, const char **group) {
  size_t ci, ri, si;
  json_t *c, *r, *s;
  json_array_foreach(json_object_get(feed, "centers"), ci, c)
    json_array_foreach(json_object_get(c, "rooms"), ri, r) {
      if (json_integer_value(json_object_get(r, "id")) != room) continue;
      json_array_foreach(json_object_get(r, "slots"), si, s)
        if (!strcmp(json_string_value(json_object_get(s, "code")), slot)) {
          if (group) *group = json_string_value(json_object_get(s, "group"));
          return json_string_value(json_object_get(s, "state"));
        }
    }
  return NULL;
}

Test(avail, states_follow_bookings_and_lapsed_holds_are_free) {
  exec("INSERT INTO accounts(id, role, name, password_hash, created_at)"
       " VALUES (123456782, 'citizen', '前橋 花子', 'x', 0)");
  const struct center *chuo = rules_center(rb, "chuo");
  cr_assert_not_null(chuo);
  int64_t room = chuo->rooms[0].id;
  cr_assert_gt(room, 0);
  book(1, room, "2026-04-08", "morning", ctx.now + 3600, 0);   /* held */
  book(2, room, "2026-04-08", "afternoon", -1, 0);             /* confirmed */
  book(3, room, "2026-04-08", "evening", ctx.now, 0);          /* lapsed right now */

  json_t *feed;
  int64_t until;
  cr_assert_eq(avail_build(&ctx, clock_today(ctx.now), chuo, &feed, &until), 0);
  cr_assert_str_eq(json_string_value(json_object_get(feed, "date")), "2026-04-08");
  cr_assert_str_eq(state(feed, room, "morning", NULL), "held");
  cr_assert_str_eq(state(feed, room, "afternoon", NULL), "booked");
  cr_assert_str_eq(state(feed, room, "evening", NULL), "free");
  cr_assert_eq(until, ctx.now + 3600, "the feed expires when the hold lapses");
  cr_assert_eq(json_array_size(json_object_get(feed, "centers")), 1);
  char *dump = json_dumps(feed, 0);
  cr_assert_null(strstr(dump, "花子"), "no person is named");
  free(dump);
  json_decref(feed);

  /* an hour later the hold has lapsed without anything clearing it, but the
  ** morning is under way: it can no longer be booked, so it is never "free"
  ** (RULE: never offer what will be refused; core/bookable.c) */
  ctx.now += 3600;
  cr_assert_eq(avail_build(&ctx, clock_today(ctx.now), chuo, &feed, &until), 0);
  cr_assert_str_eq(state(feed, room, "morning", NULL), "closed");
  cr_assert_str_eq(state(feed, room, "evening", NULL), "free");
  cr_assert_eq(until, clock_local(clock_today(ctx.now), 13 * 60),
               "the feed goes stale when the next slot's booking closes (the afternoon)");
  json_decref(feed);
}

Test(avail, the_view_is_typed_and_shared_by_references) {
  exec("INSERT INTO accounts(id, role, name, password_hash, created_at)"
       " VALUES (123456782, 'citizen', '前橋 花子', 'x', 0)");
  const struct center *chuo = rules_center(rb, "chuo");
  int64_t room = chuo->rooms[0].id;
  book(1, room, "2026-04-08", "afternoon", ctx.now + 3600, 0);   /* held */
  book(2, room, "2026-04-08", "evening", -1, 0);                 /* confirmed */

  struct avail_view *v;
  cr_assert_eq(avail_view_build(&ctx, clock_today(ctx.now), chuo, &v), 0);
  cr_assert_eq(v->ncenters, 1);
  cr_assert_eq(v->centers[0].center, chuo);
  cr_assert_eq(v->centers[0].nrooms, chuo->nrooms);
  cr_assert_eq(v->nslots, 3);
  const struct avail_slot *so = v->centers[0].rooms[0].slots;
  cr_assert_eq(so[0].state, AVAIL_CLOSED, "the morning is under way");
  cr_assert_eq(so[0].booking, BK_OVER);
  cr_assert_eq(so[1].state, AVAIL_HELD);
  cr_assert_eq(so[1].booking, -1, "no booking answer for a taken slot");
  cr_assert_eq(so[2].state, AVAIL_BOOKED);
  cr_assert_eq(v->valid_until, ctx.now + 3600);
  cr_assert_gt(v->bytes, sizeof *v);
  cr_assert_str_eq(avail_state_name(so[1].state), "held");
  cr_assert_eq(avail_state_parse("booked"), AVAIL_BOOKED);
  cr_assert_eq(avail_state_parse("nonsense"), AVAIL_STATE_UNKNOWN);

  /* the JSON is the view's */
  json_t *feed = avail_view_json(v);
  cr_assert_str_eq(state(feed, room, "afternoon", NULL), "held");
  cr_assert_str_eq(state(feed, room, "evening", NULL), "booked");
  json_decref(feed);

  cr_assert_eq(avail_view_ref(v), v);
  avail_view_free(v);                   /* one reference left */
  cr_assert_eq(v->centers[0].center, chuo);
  avail_view_free(v);
  avail_view_free(NULL);
}

static const char *booking_of(json_t *feed, int64_t room, const char *slot) {
  size_t ci, ri, si;
  json_t *c, *r, *s;
  json_array_foreach(json_object_get(feed, "centers"), ci, c)
    json_array_foreach(json_object_get(c, "rooms"), ri, r) {
      if (json_integer_value(json_object_get(r, "id")) != room) continue;
      json_array_foreach(json_object_get(r, "slots"), si, s)
        if (!strcmp(json_string_value(json_object_get(s, "code")), slot))
          return json_string_value(json_object_get(s, "booking"));
    }
  return NULL;
}

/* RULE: never offer what will be refused. Past slots are closed ("over");
** dates before the window opens stay free with "not_yet" and "opens_at". */
Test(avail, unbookable_slots_are_never_free) {
  const struct center *chuo = rules_center(rb, "chuo");
  int64_t room = chuo->rooms[0].id;
  json_t *feed;
  int64_t until;
  int32_t day;
  cr_assert_eq(avail_build(&ctx, clock_today(ctx.now) - 1, chuo, &feed, &until), 0);
  cr_assert_str_eq(state(feed, room, "evening", NULL), "closed", "yesterday");
  cr_assert_str_eq(booking_of(feed, room, "evening"), "over");
  json_decref(feed);
  cr_assert_eq(avail_build(&ctx, clock_today(ctx.now), chuo, &feed, &until), 0);
  cr_assert_str_eq(state(feed, room, "morning", NULL), "closed", "under way");
  cr_assert_str_eq(state(feed, room, "afternoon", NULL), "free");
  cr_assert_str_eq(booking_of(feed, room, "afternoon"), "open");
  json_decref(feed);
  date_parse("2026-08-04", &day);       /* opens 2026-06-01 09:00 */
  cr_assert_eq(avail_build(&ctx, day, chuo, &feed, &until), 0);
  cr_assert_str_eq(state(feed, room, "morning", NULL), "free");
  cr_assert_str_eq(booking_of(feed, room, "morning"), "not_yet");
  json_t *ce = json_array_get(json_object_get(feed, "centers"), 0);
  json_t *so = json_array_get(json_object_get(json_array_get(json_object_get(ce, "rooms"), 0), "slots"), 0);
  cr_assert_str_eq(json_string_value(json_object_get(so, "opens_at")), "2026-06-01T09:00:00+09:00");
  int64_t opens;
  clock_parse_instant("2026-06-01T09:00:00+09:00", &opens);
  cr_assert_eq(until, opens, "the feed goes stale when booking opens");
  json_decref(feed);
}

Test(avail, only_publicly_listed_approved_groups_are_named) {
  exec("INSERT INTO accounts(id, role, name, password_hash, created_at)"
       " VALUES (123456782, 'citizen', '前橋 花子', 'x', 0)");
  exec("INSERT INTO groups(id, name, name_kana, representative_id, members, resident_members,"
       " public_listing, status, created_at) VALUES"
       " (200000001, '短歌の会', 'たんかのかい', 123456782, 5, 5, 1, 'approved', 0),"
       " (200000002, '非公開の会', 'ひこうかい', 123456782, 5, 5, 0, 'approved', 0)");
  const struct center *chuo = rules_center(rb, "chuo");
  int64_t room = chuo->rooms[1].id;
  book(1, room, "2026-04-08", "morning", -1, 200000001);
  book(2, room, "2026-04-08", "afternoon", -1, 200000002);
  json_t *feed;
  int64_t until;
  const char *group = NULL;
  cr_assert_eq(avail_build(&ctx, clock_today(ctx.now), NULL, &feed, &until), 0);
  cr_assert_eq(json_array_size(json_object_get(feed, "centers")), (size_t)rb->ncenters);
  cr_assert_str_eq(state(feed, room, "morning", &group), "booked");
  cr_assert_str_eq(group, "短歌の会");
  cr_assert_str_eq(state(feed, room, "afternoon", &group), "booked");
  cr_assert_null(group);
  json_decref(feed);
}

Test(avail, closed_days_are_closed_whatever_is_booked) {
  int32_t day;
  cr_assert_eq(date_parse("2026-04-06", &day), 0); /* first Monday */
  json_t *feed;
  int64_t until;
  const struct center *chuo = rules_center(rb, "chuo");
  cr_assert_eq(avail_build(&ctx, day, chuo, &feed, &until), 0);
  cr_assert_str_eq(state(feed, chuo->rooms[0].id, "morning", NULL), "closed");
  cr_assert(json_is_true(json_object_get(json_array_get(json_object_get(feed, "centers"), 0), "closed")));
  json_decref(feed);
}

Test(avail, generation_counter_moves_on_touch) {
  uint64_t g = avail_generation();
  avail_touch();
  cr_assert_eq(avail_generation(), g + 1);
}

Test(avail, csv_has_header_and_quotes_fields) {
  struct center ce = {.code = "chuo", .name = "中央,\"公民館\""};
  struct room ro = {.id = 7, .code = "r1", .name = "会議室", .kind = "会議室", .center = &ce};
  struct rules ru = {.nslots = 1};
  ru.slots[0] = (struct slotdef){"morning", "午前", 9 * 60, 12 * 60};
  struct avail_slot so = {.def = &ru.slots[0], .state = AVAIL_FREE, .booking = -1};
  struct avail_room ar = {.room = &ro, .slots = &so};
  struct avail_center ac = {.center = &ce, .nrooms = 1, .rooms = &ar};
  struct avail_view v = {.day = date_from_ymd(2026, 4, 8), .rules = &ru, .nslots = 1,
                         .ncenters = 1, .centers = &ac};
  size_t len;
  char *csv = avail_view_csv(&v, &len);
  cr_assert_not_null(csv);
  cr_assert_str_eq(csv,
                   "date,center_code,center_name,room_id,room_code,room_name,room_kind,slot,"
                   "slot_label,start,end,state\r\n"
                   "2026-04-08,chuo,\"中央,\"\"公民館\"\"\",7,r1,会議室,会議室,morning,午前,09:00,"
                   "12:00,free\r\n");
  cr_assert_eq(len, strlen(csv));
  free(csv);
}

Test(facilities, sync_gives_stable_ids_and_marks_removed_rooms_inactive) {
  const struct center *chuo = rules_center(rb, "chuo");
  int64_t first = chuo->rooms[0].id;
  cr_assert_eq(facilities_sync(db, rb), 0);
  cr_assert_eq(chuo->rooms[0].id, first, "ids survive a restart");
  exec("INSERT INTO rooms(center_code, code, name, kind, capacity, fee_class)"
       " VALUES ('chuo', 'gone', 'x', 'x', 1, 'x')");
  cr_assert_eq(facilities_sync(db, rb), 0);
  kstmt *st = db_prep(db, "SELECT active FROM rooms WHERE code = 'gone'");
  cr_assert_eq(db_step(st), DB_ROW);
  cr_assert_eq(db_col_int(st, 0), 0);
  db_reset(st);
  json_t *j = facilities_json(rb);
  cr_assert_eq(json_array_size(json_object_get(j, "centers")), 16);
  json_decref(j);
}
