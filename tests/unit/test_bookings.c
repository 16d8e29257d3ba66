/*
** tests/unit/test_bookings.c: core/bookings.c against the real Maebashi rule
** book (ordinances/maebashi) and an in-memory database. Each test names the
** rule it proves (RULE: ... as in the code).
**
** Calendar used below: 2026-04-01 is a Wednesday; booking for June opens on
** 2026-04-01 at 09:00 (two months ahead, 1st, 09:00). 2026-06-01 and
** 2026-06-15 are the 1st and 3rd Mondays of June (closed). 2026-06-10 is an
** ordinary Wednesday.
*/
#include "fixture_bookings.h"

#include "../../backend/core/availability.h"

#define ALICE 100000001
#define BOB 100000002
#define CAROL 100000003
#define DAVE 100000004
#define STAFF 200000001
#define GO_CLUB 500000013     /* approved, public, rep ALICE, co-rep CAROL */
#define PENDING 500000021     /* pending, rep ALICE */
#define LAPSED 500000039      /* approved but valid until 2026-03-31, rep ALICE */
#define BOB_GROUP 500000047   /* approved, rep BOB */

static struct world w;

static void setup(void) {
  fx_open(&w, "ordinances/maebashi");
  fx_account(&w, ALICE, "citizen", "山田 太郎");
  fx_account(&w, BOB, "citizen", "Bob Brown");
  fx_account(&w, CAROL, "citizen", "佐藤　花子");
  fx_account(&w, DAVE, "citizen", "Dave");
  fx_account(&w, STAFF, "staff", "窓口 職員");
  fx_group(&w, GO_CLUB, "前橋囲碁の会", ALICE, "approved", "2027-03-31", 1);
  fx_corep(&w, GO_CLUB, CAROL);
  fx_group(&w, PENDING, "申請中の会", ALICE, "pending", NULL, 0);
  fx_group(&w, LAPSED, "期限切れの会", ALICE, "approved", "2026-03-31", 0);
  fx_group(&w, BOB_GROUP, "ボブの会", BOB, "approved", "2027-03-31", 0);
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-04-01T09:00");
}
static void teardown(void) { fx_close(&w); }

TestSuite(bookings, .init = setup, .fini = teardown);

static json_t *get(int64_t id, int *rc) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  *rc = booking_get(&w.ctx, id, &out, &ei);
  kerr_clear(&ei);
  return out;
}

static int confirm(int64_t id) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = booking_confirm(&w.ctx, id, &out, &ei);
  json_decref(out);
  kerr_clear(&ei);
  return rc;
}

static int cancel_as(int64_t id, const char *reason, enum cancel_for f, int64_t *fee,
                     char *msg) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = booking_cancel(&w.ctx, id, reason, f, &out, &ei);
  if (fee) *fee = rc ? -1 : (int64_t)json_integer_value(json_object_get(out, "cancel_fee"));
  if (msg) snprintf(msg, 512, "%s", ei.message);
  json_decref(out);
  kerr_clear(&ei);
  return rc;
}

static int cancel(int64_t id, const char *reason, int64_t *fee, char *msg) {
  return cancel_as(id, reason, CANCEL_FOR_DEFAULT, fee, msg);
}

/* The feed state of a room's slot on DATE. */
static const char *state(const char *center, const char *room, const char *date,
                         const char *slot) {
  static char s[16];
  json_t *feed = NULL;
  int64_t until;
  const struct room *ro = fx_room(&w, center, room);
  cr_assert_eq(avail_build(&w.ctx, fx_day(date), ro->center, &feed, &until), 0);
  json_t *ce = json_array_get(json_object_get(feed, "centers"), 0);
  size_t i, j;
  json_t *r, *sl;
  s[0] = 0;
  json_array_foreach(json_object_get(ce, "rooms"), i, r) {
    if (json_integer_value(json_object_get(r, "id")) != ro->id) continue;
    json_array_foreach(json_object_get(r, "slots"), j, sl)
      if (!strcmp(json_string_value(json_object_get(sl, "code")), slot))
        snprintf(s, sizeof s, "%s", json_string_value(json_object_get(sl, "state")));
  }
  json_decref(feed);
  return s;
}

/* ============================================================ create */

Test(bookings, create_is_a_hold_with_fee_from_the_use_date_version) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  json_t *body = fx_body(&w, "kamikawabuchi", "kaigi1", "2026-06-10", "afternoon,morning", 0, 12);
  int rc = booking_create(&w.ctx, body, NULL, &out, NULL, &ei);
  json_decref(body);
  cr_assert_eq(rc, 0, "create failed: %s", ei.message);
  cr_assert_str_eq(json_string_value(json_object_get(out, "status")), "held");
  cr_assert_str_eq(json_string_value(json_object_get(out, "date")), "2026-06-10");
  cr_assert_str_eq(json_string_value(json_object_get(out, "center")), "kamikawabuchi");
  /* slots are stored in the order of the day */
  json_t *slots = json_object_get(out, "slots");
  cr_assert_eq(json_array_size(slots), 2);
  cr_assert_str_eq(json_string_value(json_array_get(slots, 0)), "morning");
  cr_assert_str_eq(json_string_value(json_array_get(slots, 1)), "afternoon");
  cr_assert_str_eq(json_string_value(json_object_get(out, "start")), "09:00");
  cr_assert_str_eq(json_string_value(json_object_get(out, "end")), "17:00");
  /* RULE: fees per fee class and slot, summed (meeting_s: 210 + 320) */
  json_t *fee = json_object_get(out, "fee");
  cr_assert_eq(json_integer_value(json_object_get(fee, "base")), 530);
  cr_assert_eq(json_integer_value(json_object_get(fee, "discount")), 0);
  cr_assert_eq(json_integer_value(json_object_get(fee, "total")), 530);
  cr_assert_str_eq(json_string_value(json_object_get(fee, "rules_version")), "2026-04-01");
  /* RULE: hold lapse after 72 hours */
  cr_assert_str_eq(json_string_value(json_object_get(out, "hold_expires_at")),
                   "2026-04-04T09:00:00+09:00");
  json_decref(out);
  kerr_clear(&ei);
}

/* The confirmation step's quote: the typed view the page renders and the
** JSON made from it agree with the booking that would be made. */
Test(bookings, quote_view_and_its_json) {
  struct kerrinfo ei = {0};
  json_t *body = fx_body(&w, "kamikawabuchi", "kaigi1", "2026-06-10", "afternoon,morning", 0, 12);
  struct booking_quote *q = malloc(sizeof *q);
  cr_assert_eq(booking_quote_view(&w.ctx, body, q, &ei), 0, "%s", ei.message);
  cr_assert_eq(q->v.status, BOOKING_UNKNOWN);
  cr_assert_str_eq(q->v.b.slots, "morning,afternoon");
  cr_assert_str_eq(q->v.start, "09:00");
  cr_assert_eq(q->v.b.fee_total, 530);
  cr_assert(q->v.has_terms);
  cr_assert_eq(q->hold_hours, 72);
  json_t *o = booking_quote_json(q), *quote = NULL;
  cr_assert_eq(booking_quote(&w.ctx, body, &quote, &ei), 0);
  cr_assert(json_equal(o, quote));
  json_t *slots = json_object_get(o, "slots");
  cr_assert_eq(json_array_size(slots), 2);
  cr_assert_str_eq(json_string_value(json_array_get(slots, 1)), "afternoon");
  cr_assert_str_eq(json_string_value(json_object_get(o, "room_name")), q->v.room->name);
  cr_assert_str_eq(json_string_value(json_object_get(o, "hold_expires_at")),
                   "2026-04-04T09:00:00+09:00");
  cr_assert_eq(json_integer_value(json_object_get(json_object_get(o, "fee"), "total")), 530);
  cr_assert_not_null(json_object_get(json_object_get(o, "cancellation"), "free_until"));
  json_decref(o);
  json_decref(quote);
  json_decref(body);
  free(q);
  kerr_clear(&ei);
}

Test(bookings, window_opens_to_the_minute) {
  char msg[512];
  /* RULE: booking window. June opens 2026-04-01 09:00; one second earlier: no. */
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-04-01T08:59:59");
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning", 0, 5, NULL, msg),
               KERR_OUTSIDE_WINDOW);
  cr_assert(strstr(msg, "2026年4月1日（水）9:00から"), "message names the opening: %s", msg);
  cr_assert_str_eq(kerr_code(KERR_OUTSIDE_WINDOW), "outside_booking_window");
  /* July is not open yet on 2026-04-01 (it opens on 2026-05-01 09:00) */
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-04-01T09:00");
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-07-01", "morning", 0, 5, NULL, msg),
               KERR_OUTSIDE_WINDOW);
  cr_assert(strstr(msg, "2026年5月1日（金）9:00から"), "%s", msg);
  /* at the opening minute: yes, for the last day of June too */
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-30", "morning", 0, 5, NULL, msg), 0, "%s",
               msg);
}

Test(bookings, same_day_booking_until_the_slot_starts) {
  char msg[512];
  /* RULE: online booking of a slot until its start. */
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-06-10T08:59");
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning", 0, 5, NULL, msg), 0, "%s",
               msg);
  fx_as(&w, BOB, ROLE_CITIZEN, "2026-06-10T09:00");
  cr_assert_eq(fx_book(&w, "chuo", "r507", "2026-06-10", "morning", 0, 5, NULL, msg),
               KERR_OUTSIDE_WINDOW);
  /* a booking of several slots counts from its first */
  cr_assert_eq(fx_book(&w, "chuo", "r507", "2026-06-10", "morning,afternoon", 0, 5, NULL, msg),
               KERR_OUTSIDE_WINDOW);
  cr_assert_eq(fx_book(&w, "chuo", "r507", "2026-06-10", "afternoon", 0, 5, NULL, msg), 0, "%s",
               msg);
  /* yesterday is over */
  cr_assert_eq(fx_book(&w, "chuo", "r507", "2026-06-09", "evening", 0, 5, NULL, msg),
               KERR_OUTSIDE_WINDOW);
}

Test(bookings, same_day_hold_lapses_at_the_slot_start) {
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-06-10T08:00");
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  json_t *body = fx_body(&w, "chuo", "r503", "2026-06-10", "morning", 0, 3);
  cr_assert_eq(booking_create(&w.ctx, body, NULL, &out, NULL, &ei), 0);
  cr_assert_str_eq(json_string_value(json_object_get(out, "hold_expires_at")),
                   "2026-06-10T09:00:00+09:00");
  json_decref(body);
  json_decref(out);
}

Test(bookings, closed_days_refuse) {
  char msg[512];
  /* RULE: closed days (1st and 3rd Monday) */
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-01", "morning", 0, 5, NULL, msg),
               KERR_CLOSED);
  cr_assert(strstr(msg, "第1・第3月曜日"), "%s", msg);
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-15", "morning", 0, 5, NULL, msg),
               KERR_CLOSED);
  /* the 2nd Monday is open */
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-08", "morning", 0, 5, NULL, msg), 0, "%s",
               msg);
}

Test(bookings, attendees_above_capacity_refused) {
  char msg[512];
  /* RULE: attendees at most the room's capacity (kaigi1: 30) */
  cr_assert_eq(fx_book(&w, "kamikawabuchi", "kaigi1", "2026-06-10", "morning", 0, 31, NULL, msg),
               KERR_CAPACITY);
  cr_assert(strstr(msg, "31人") && strstr(msg, "30人"), "%s", msg);
  cr_assert_eq(fx_book(&w, "kamikawabuchi", "kaigi1", "2026-06-10", "morning", 0, 30, NULL, msg),
               0);
}

Test(bookings, slots_must_be_known_and_consecutive) {
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning,evening", 0, 5, NULL, NULL),
               KERR_VALIDATION);
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning,morning", 0, 5, NULL, NULL),
               KERR_VALIDATION);
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "night", 0, 5, NULL, NULL),
               KERR_VALIDATION);
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning,afternoon,evening", 0, 5,
                       NULL, NULL),
               0);
}

Test(bookings, validation_names_every_bad_field) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  json_t *body = json_pack("{s:i, s:s, s:[], s:s, s:i}", "room_id", 999999, "date",
                           "2026-02-30", "slots", "purpose", "", "attendees", 0);
  cr_assert_eq(booking_create(&w.ctx, body, NULL, &out, NULL, &ei), KERR_VALIDATION);
  cr_assert_null(out);
  for (const char *f = "room_id"; f; f = !strcmp(f, "room_id") ? "date"
                                       : !strcmp(f, "date")    ? "slots"
                                       : !strcmp(f, "slots")   ? "purpose"
                                       : !strcmp(f, "purpose") ? "attendees"
                                                               : NULL)
    cr_assert_not_null(json_object_get(ei.fields, f), "no message for %s", f);
  json_decref(body);
  kerr_clear(&ei);
  /* nothing was stored */
  kstmt *st = db_prep(w.db, "SELECT count(*) FROM bookings");
  cr_assert_eq(db_step(st), DB_ROW);
  cr_assert_eq(db_col_int(st, 0), 0);
  db_reset(st);
}

Test(bookings, only_citizens_book_for_themselves) {
  fx_as(&w, STAFF, ROLE_STAFF, NULL);
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning", 0, 5, NULL, NULL),
               KERR_FORBIDDEN);
  fx_as(&w, 0, ROLE_ANON, NULL);
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning", 0, 5, NULL, NULL),
               KERR_UNAUTHORIZED);
}

/* ====================================================== no double booking */

Test(bookings, a_taken_slot_is_refused_with_slot_taken) {
  int64_t a, b;
  char msg[512];
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "afternoon", 0, 5, &a, NULL), 0);
  fx_as(&w, BOB, ROLE_CITIZEN, NULL);
  /* RULE: no double booking, also when only one of several slots overlaps */
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning,afternoon", 0, 5, &b, msg),
               KERR_SLOT_TAKEN);
  cr_assert_eq(kerr_http_status(KERR_SLOT_TAKEN), 409);
  cr_assert(strstr(msg, "午後"), "%s", msg);
  /* and the morning was not kept from the failed attempt */
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning", 0, 5, &b, NULL), 0);
  /* another room, same slot: fine */
  cr_assert_eq(fx_book(&w, "chuo", "r507", "2026-06-10", "afternoon", 0, 5, &b, NULL), 0);
}

/* =========================================================== status */

/* The enum and the schema agree: every status bookings.status may hold
** (schema/003's CHECK) has its enum value and back, and nothing else parses. */
Test(bookings, status_names_are_the_schemas) {
  char sql[2048] = "";
  kstmt *st = db_prep(w.ctx.db, "SELECT sql FROM sqlite_master WHERE name = 'bookings'");
  cr_assert(st);
  cr_assert_eq(db_step(st), DB_ROW);
  snprintf(sql, sizeof sql, "%s", db_col_text(st, 0));
  db_reset(st);
  int n = 0;
  for (int s = BOOKING_UNKNOWN + 1; s <= BOOKING_NO_SHOW; s++, n++) {
    const char *name = booking_status_name((enum booking_status)s);
    char quoted[32];
    snprintf(quoted, sizeof quoted, "'%s'", name);
    cr_assert(strstr(sql, quoted), "%s is not in the schema's CHECK", name);
    cr_assert_eq(booking_status_parse(name), s);
  }
  cr_assert_eq(n, 6);
  cr_assert_eq(booking_status_parse(NULL), BOOKING_UNKNOWN);
  cr_assert_eq(booking_status_parse("booked"), BOOKING_UNKNOWN);
  cr_assert_eq(booking_status_parse("Held"), BOOKING_UNKNOWN);
  cr_assert_str_eq(booking_status_name(BOOKING_UNKNOWN), "unknown");
  cr_assert(booking_status_active(BOOKING_HELD) && booking_status_active(BOOKING_CONFIRMED));
  cr_assert(!booking_status_active(BOOKING_LAPSED) && !booking_status_active(BOOKING_CANCELLED));
}

/* ============================================================ lapse */

Test(bookings, a_lapsed_hold_frees_its_slot_without_a_sweeper) {
  int64_t a, b;
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning,afternoon", 0, 5, &a, NULL),
               0);
  cr_assert_str_eq(state("chuo", "r503", "2026-06-10", "morning"), "held");
  /* one second before the expiry: still held, still taken */
  fx_as(&w, BOB, ROLE_CITIZEN, "2026-04-04T08:59:59");
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning", 0, 5, &b, NULL),
               KERR_SLOT_TAKEN);
  /* RULE: hold lapse. At the expiry the feed says free with nothing swept */
  fx_as(&w, BOB, ROLE_CITIZEN, "2026-04-04T09:00");
  cr_assert_str_eq(state("chuo", "r503", "2026-06-10", "morning"), "free");
  cr_assert_str_eq(fx_status(&w, a), "held"); /* stored: not yet marked */
  int rc;
  fx_as(&w, ALICE, ROLE_CITIZEN, NULL);
  json_t *o = get(a, &rc);
  cr_assert_str_eq(json_string_value(json_object_get(o, "status")), "lapsed");
  json_decref(o);
  /* ... and the next booking of the slot takes it, marking the old one lapsed
  ** in the same transaction (its afternoon is freed too) */
  fx_as(&w, BOB, ROLE_CITIZEN, NULL);
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning", 0, 5, &b, NULL), 0);
  cr_assert_str_eq(fx_status(&w, a), "lapsed");
  cr_assert_str_eq(state("chuo", "r503", "2026-06-10", "afternoon"), "free");
  /* a lapsed hold cannot be confirmed */
  fx_as(&w, ALICE, ROLE_CITIZEN, NULL);
  cr_assert_eq(confirm(a), KERR_CONFLICT);
  fx_month_count_agrees(&w);
}

Test(bookings, sweep_marks_lapsed_holds) {
  int64_t a;
  int n = 0;
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning", 0, 5, &a, NULL), 0);
  w.ctx.now = fx_at("2026-04-05T00:00");
  cr_assert_eq(booking_sweep_lapsed(&w.ctx, 100, &n), 0);
  cr_assert_eq(n, 1);
  cr_assert_str_eq(fx_status(&w, a), "lapsed");
  cr_assert_eq(booking_sweep_lapsed(&w.ctx, 100, &n), 0);
  cr_assert_eq(n, 0);
}

/* ========================================================== confirm */

Test(bookings, confirm_by_holder_or_staff_only) {
  int64_t a, b;
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning", 0, 5, &a, NULL), 0);
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-11", "morning", 0, 5, &b, NULL), 0);
  fx_as(&w, BOB, ROLE_CITIZEN, NULL);
  cr_assert_eq(confirm(a), KERR_NOT_FOUND);
  cr_assert_str_eq(fx_status(&w, a), "held");
  fx_as(&w, ALICE, ROLE_CITIZEN, NULL);
  cr_assert_eq(confirm(a), 0);
  cr_assert_str_eq(fx_status(&w, a), "confirmed");
  cr_assert_eq(confirm(a), 0); /* again: no change, no error */
  cr_assert_str_eq(state("chuo", "r503", "2026-06-10", "morning"), "booked");
  fx_as(&w, STAFF, ROLE_STAFF, NULL);
  cr_assert_eq(confirm(b), 0);
  /* a confirmed booking does not lapse */
  w.ctx.now = fx_at("2026-05-01T00:00");
  cr_assert_str_eq(state("chuo", "r503", "2026-06-10", "morning"), "booked");
  int rc;
  json_t *o = get(a, &rc);
  cr_assert_str_eq(json_string_value(json_object_get(o, "status")), "confirmed");
  cr_assert_null(json_object_get(o, "hold_expires_at"));
  json_decref(o);
}

/* =========================================================== cancel */

Test(bookings, cancel_before_the_deadline_is_free_and_frees_the_slot) {
  int64_t a, b, fee;
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning", 0, 5, &a, NULL), 0);
  cr_assert_eq(confirm(a), 0);
  /* RULE: cancellation deadline: free until 7 days before (2026-06-03 included) */
  w.ctx.now = fx_at("2026-06-03T23:59:59");
  cr_assert_eq(cancel(a, NULL, &fee, NULL), 0);
  cr_assert_eq(fee, 0);
  cr_assert_str_eq(fx_status(&w, a), "cancelled");
  /* RULE: a cancelled slot is free at once */
  cr_assert_str_eq(state("chuo", "r503", "2026-06-10", "morning"), "free");
  fx_as(&w, BOB, ROLE_CITIZEN, NULL);
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning", 0, 5, &b, NULL), 0);
  /* twice: conflict */
  fx_as(&w, ALICE, ROLE_CITIZEN, NULL);
  cr_assert_eq(cancel(a, NULL, NULL, NULL), KERR_CONFLICT);
}

Test(bookings, cancel_after_the_deadline_costs_the_rule_books_fee) {
  int64_t a, fee;
  /* hall at chuo, morning + afternoon: 1050 + 1570 = 2620; 50 % = 1310 */
  cr_assert_eq(fx_book(&w, "chuo", "hall", "2026-06-10", "morning,afternoon", 0, 50, &a, NULL),
               0);
  cr_assert_eq(confirm(a), 0);
  w.ctx.now = fx_at("2026-06-04T00:00");
  cr_assert_eq(cancel(a, NULL, &fee, NULL), 0);
  cr_assert_eq(fee, 1310);
}

Test(bookings, a_hold_is_free_to_cancel_even_late) {
  int64_t a, fee;
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-06-09T10:00");
  cr_assert_eq(fx_book(&w, "chuo", "hall", "2026-06-10", "morning", 0, 50, &a, NULL), 0);
  cr_assert_eq(cancel(a, NULL, &fee, NULL), 0);
  cr_assert_eq(fee, 0);
}

Test(bookings, holder_cannot_cancel_after_the_start_staff_can_with_a_reason) {
  int64_t a, fee;
  char msg[512];
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning", 0, 5, &a, NULL), 0);
  cr_assert_eq(confirm(a), 0);
  w.ctx.now = fx_at("2026-06-10T09:30");
  cr_assert_eq(cancel(a, NULL, NULL, msg), KERR_DEADLINE);
  cr_assert_str_eq(kerr_code(KERR_DEADLINE), "deadline_passed");
  fx_as(&w, STAFF, ROLE_STAFF, NULL);
  /* RULE: staff cancel at any time, with a reason (here for the city's: no fee) */
  cr_assert_eq(cancel(a, NULL, NULL, NULL), KERR_VALIDATION);
  cr_assert_eq(cancel_as(a, "設備の故障のため", CANCEL_FOR_CITY, &fee, NULL), 0);
  cr_assert_eq(fee, 0);
  int rc;
  json_t *o = get(a, &rc);
  cr_assert_str_eq(json_string_value(json_object_get(o, "cancel_reason")), "設備の故障のため");
  json_decref(o);
}

Test(bookings, others_cannot_cancel) {
  int64_t a;
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning", 0, 5, &a, NULL), 0);
  fx_as(&w, BOB, ROLE_CITIZEN, NULL);
  cr_assert_eq(cancel(a, "いたずら", NULL, NULL), KERR_NOT_FOUND);
  cr_assert_str_eq(fx_status(&w, a), "held");
}

/* =========================================================== groups */

Test(bookings, group_booking_rules) {
  int64_t a;
  char msg[512];
  /* RULE: only a group one represents */
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning", BOB_GROUP, 5, NULL, msg),
               KERR_NOT_FOUND);
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning", 500000054, 5, NULL, msg),
               KERR_NOT_FOUND);
  /* a mistyped group ID (check digit) is a field error, not somebody else's group */
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning", 500000014, 5, NULL, msg),
               KERR_VALIDATION);
  /* RULE: only an approved group, and not past its registration */
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning", PENDING, 5, NULL, msg),
               KERR_VALIDATION);
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning", LAPSED, 5, NULL, msg),
               KERR_VALIDATION);
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning", GO_CLUB, 5, &a, msg), 0,
               "%s", msg);
  /* the co-representative sees and may cancel it; a stranger does not see it */
  fx_as(&w, CAROL, ROLE_CITIZEN, NULL);
  int rc;
  json_t *o = get(a, &rc);
  cr_assert_eq(rc, 0);
  cr_assert_str_eq(json_string_value(json_object_get(o, "group_name")), "前橋囲碁の会");
  json_decref(o);
  fx_as(&w, DAVE, ROLE_CITIZEN, NULL);
  o = get(a, &rc);
  cr_assert_eq(rc, KERR_NOT_FOUND);
  cr_assert_null(o);
  /* a co-representative books for the group too */
  fx_as(&w, CAROL, ROLE_CITIZEN, NULL);
  cr_assert_eq(fx_book(&w, "chuo", "r507", "2026-06-10", "morning", GO_CLUB, 5, NULL, msg), 0,
               "%s", msg);
  /* the feed names a publicly listed group, never a person */
  json_t *feed = NULL;
  int64_t until;
  cr_assert_eq(avail_build(&w.ctx, fx_day("2026-06-10"), rules_center(w.rb, "chuo"), &feed,
                           &until),
               0);
  char *s = json_dumps(feed, 0);
  cr_assert(strstr(s, "前橋囲碁の会"));
  cr_assert_null(strstr(s, "山田"));
  free(s);
  json_decref(feed);
}

Test(bookings, group_monthly_cap_counts_every_centre) {
  char msg[512];
  /* RULE: group slots per month (4), counted across every centre */
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning,afternoon", GO_CLUB, 5, NULL,
                       msg),
               0, "%s", msg);
  fx_as(&w, CAROL, ROLE_CITIZEN, NULL); /* another representative: same group */
  cr_assert_eq(fx_book(&w, "kamikawabuchi", "kaigi1", "2026-06-11", "evening", GO_CLUB, 5, NULL,
                       msg),
               0, "%s", msg);
  cr_assert_eq(fx_book(&w, "haga", "kaigi", "2026-06-12", "morning,afternoon", GO_CLUB, 5, NULL,
                       msg),
               KERR_LIMIT);
  cr_assert(strstr(msg, "1か月4コマ") && strstr(msg, "3コマ"), "%s", msg);
  cr_assert_eq(fx_book(&w, "haga", "kaigi", "2026-06-12", "morning", GO_CLUB, 5, NULL, msg), 0,
               "%s", msg);
  /* July is another month */
  fx_as(&w, CAROL, ROLE_CITIZEN, "2026-05-01T09:00");
  cr_assert_eq(fx_book(&w, "haga", "kaigi", "2026-07-01", "morning", GO_CLUB, 5, NULL, msg), 0,
               "%s", msg);
}

Test(bookings, cancelled_and_lapsed_slots_do_not_count_to_the_cap) {
  int64_t a;
  char msg[512];
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning,afternoon,evening", GO_CLUB,
                       5, &a, msg),
               0, "%s", msg);
  cr_assert_eq(fx_book(&w, "chuo", "r507", "2026-06-11", "morning,afternoon", GO_CLUB, 5, NULL,
                       msg),
               KERR_LIMIT);
  cr_assert_eq(cancel(a, NULL, NULL, NULL), 0);
  cr_assert_eq(fx_book(&w, "chuo", "r507", "2026-06-11", "morning,afternoon", GO_CLUB, 5, NULL,
                       msg),
               0, "%s", msg);
  fx_month_count_agrees(&w);
}

Test(bookings, a_lapsed_hold_does_not_count_to_the_persons_cap) {
  char msg[512];
  int64_t a;
  /* Six others hold three slots each, a minute before ALICE: past the
  ** expiries, a write marks SWEEP_PER_WRITE (16) of the 18 lapsed, the
  ** earliest first, and ALICE's hold is still stored as held. */
  static const char *days[] = {"2026-06-02", "2026-06-03", "2026-06-04"};
  for (int i = 0; i < 6; i++) {
    fx_account(&w, 100000101 + i, "citizen", "他の利用者");
    fx_as(&w, 100000101 + i, ROLE_CITIZEN, "2026-04-01T09:00");
    for (int d = 0; d < 3; d++)
      cr_assert_eq(fx_book(&w, "chuo", i % 2 ? "r503" : "r507", days[d],
                           i / 2 == 0 ? "morning" : i / 2 == 1 ? "afternoon" : "evening", 0, 5,
                           NULL, msg),
                   0, "%s", msg);
  }
  /* RULE: a person's own slots per month (4); a hold past its expiry holds nothing */
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-04-01T09:01");
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning,afternoon,evening", 0, 5, &a,
                       msg),
               0, "%s", msg);
  cr_assert_eq(fx_book(&w, "haga", "kaigi", "2026-06-11", "morning,afternoon", 0, 5, NULL, msg),
               KERR_LIMIT);
  fx_month_count_agrees(&w);
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-04-04T09:01");
  fx_month_count_agrees(&w);
  cr_assert_eq(fx_book(&w, "haga", "kaigi", "2026-06-11", "morning,afternoon,evening", 0, 5, NULL,
                       msg),
               0, "%s", msg);
  cr_assert_str_eq(fx_status(&w, a), "held"); /* counted as lapsed, not yet marked */
  cr_assert_eq(fx_book(&w, "haga", "kaigi", "2026-06-12", "morning,afternoon", 0, 5, NULL, msg),
               KERR_LIMIT);
  cr_assert(strstr(msg, "1か月4コマ"), "%s", msg);
  fx_month_count_agrees(&w);
}

/* ========================================================== persons */

Test(bookings, holds_per_user_are_capped) {
  char msg[512];
  int64_t a;
  /* RULE: at most 3 holds at once */
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning", 0, 5, &a, NULL), 0);
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-11", "morning", 0, 5, NULL, NULL), 0);
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-12", "morning", GO_CLUB, 5, NULL, NULL), 0);
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-16", "morning", 0, 5, NULL, msg), KERR_LIMIT);
  cr_assert(strstr(msg, "3件"), "%s", msg);
  /* confirming one frees a place */
  cr_assert_eq(confirm(a), 0);
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-16", "morning", 0, 5, NULL, msg), 0, "%s",
               msg);
}

Test(bookings, person_monthly_cap_counts_every_centre) {
  char msg[512];
  int64_t a, b;
  /* RULE: a person's own slots per month (4) */
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning,afternoon,evening", 0, 5, &a,
                       msg),
               0);
  cr_assert_eq(confirm(a), 0);
  cr_assert_eq(fx_book(&w, "haga", "kaigi", "2026-06-11", "morning,afternoon", 0, 5, &b, msg),
               KERR_LIMIT);
  cr_assert(strstr(msg, "1か月4コマ"), "%s", msg);
  cr_assert_eq(fx_book(&w, "haga", "kaigi", "2026-06-11", "morning", 0, 5, &b, msg), 0);
  /* group bookings do not count to the person's cap */
  cr_assert_eq(fx_book(&w, "haga", "kaigi", "2026-06-12", "morning", GO_CLUB, 5, NULL, msg), 0,
               "%s", msg);
  fx_month_count_agrees(&w);
}

/* ============================================================== fees */

Test(bookings, fee_by_the_version_in_force_on_the_use_date) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-08-01T09:00");
  /* RULE: fees by the use date's version: study is 160 until 2026-09-30, 110 from 2026-10-01 */
  json_t *body = fx_body(&w, "chuo", "r503", "2026-09-29", "morning", 0, 5);
  cr_assert_eq(booking_create(&w.ctx, body, NULL, &out, NULL, &ei), 0, "%s", ei.message);
  cr_assert_eq(json_integer_value(json_object_get(json_object_get(out, "fee"), "total")), 160);
  cr_assert_str_eq(json_string_value(json_object_get(out, "rules_version")), "2026-04-01");
  json_decref(body);
  json_decref(out);
  body = fx_body(&w, "chuo", "r503", "2026-10-06", "morning", 0, 5);
  cr_assert_eq(booking_create(&w.ctx, body, NULL, &out, NULL, &ei), 0, "%s", ei.message);
  cr_assert_eq(json_integer_value(json_object_get(json_object_get(out, "fee"), "total")), 110);
  cr_assert_str_eq(json_string_value(json_object_get(out, "rules_version")), "2026-10-01");
  json_decref(body);
  json_decref(out);
  kerr_clear(&ei);
  /* and the stored version is what was used */
  kstmt *st = db_prep(w.db, "SELECT rules_version, fee_total FROM bookings ORDER BY id");
  cr_assert_eq(db_step(st), DB_ROW);
  cr_assert_str_eq(db_col_text(st, 0), "2026-04-01");
  cr_assert_eq(db_step(st), DB_ROW);
  cr_assert_str_eq(db_col_text(st, 0), "2026-10-01");
  cr_assert_eq(db_col_int(st, 1), 110);
  db_reset(st);
}

Test(bookings, campaign_days_are_free) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  /* RULE: campaign days: 親子の日 (15th), 和室 free; used that day (a campaign
  ** room is not booked ahead: campaign_days_are_not_booked_ahead) */
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-07-15T10:00");
  json_t *body = fx_body(&w, "chuo", "washitsu", "2026-07-15", "afternoon", 0, 5);
  cr_assert_eq(booking_create(&w.ctx, body, NULL, &out, NULL, &ei), 0, "%s", ei.message);
  json_t *fee = json_object_get(out, "fee");
  cr_assert_eq(json_integer_value(json_object_get(fee, "total")), 0);
  cr_assert_str_eq(json_string_value(json_object_get(fee, "campaign")), "親子の日");
  json_decref(body);
  json_decref(out);
  kerr_clear(&ei);
}

/* RULE: campaign days: the campaign's rooms are that day's, without
** registration; never booked ahead, online or at the counter, nor allotted
** by a round; other rooms are booked as ever */
Test(bookings, campaign_days_are_not_booked_ahead) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-05-01T09:00");
  json_t *body = fx_body(&w, "chuo", "washitsu", "2026-07-15", "morning", 0, 5);
  cr_assert_eq(booking_create(&w.ctx, body, NULL, &out, NULL, &ei), KERR_CAMPAIGN_DAY);
  cr_assert(strstr(ei.message, "親子の日のため、和室は当日、登録なしで使えます"), "%s", ei.message);
  cr_assert_null(out);
  kerr_clear(&ei);
  json_decref(body);
  /* the 学習室 on a Saturday (自習室開放), the day before it */
  fx_as(&w, ALICE, ROLE_CITIZEN, "2026-07-17T20:00");
  body = fx_body(&w, "chuo", "r503", "2026-07-18", "morning", 0, 5);
  cr_assert_eq(booking_create(&w.ctx, body, NULL, &out, NULL, &ei), KERR_CAMPAIGN_DAY);
  cr_assert_str_eq(kerr_code(ei.code), "campaign_day");
  kerr_clear(&ei);
  json_decref(body);
  /* a room the campaign does not name */
  body = fx_body(&w, "chuo", "kaigi", "2026-07-18", "morning", 0, 5);
  cr_assert_eq(booking_create(&w.ctx, body, NULL, &out, NULL, &ei), 0, "%s", ei.message);
  json_decref(out);
  json_decref(body);
  kerr_clear(&ei);
  /* nor allotted by a round (booking_plan_check) */
  struct booking_plan p;
  body = fx_body(&w, "chuo", "washitsu", "2026-08-15", "morning", GO_CLUB, 5);
  cr_assert_eq(booking_plan_check(&w.ctx, body, &p, &ei), KERR_CAMPAIGN_DAY, "%s", ei.message);
  kerr_clear(&ei);
  json_decref(body);
}

/* ======================================================= idempotency */

Test(bookings, idempotency_key_returns_the_first_result) {
  struct kerrinfo ei = {0};
  json_t *o1 = NULL, *o2 = NULL, *o3 = NULL;
  int rep = -1;
  json_t *body = fx_body(&w, "chuo", "r503", "2026-06-10", "morning", 0, 5);
  cr_assert_eq(booking_create(&w.ctx, body, "k-123", &o1, &rep, &ei), 0);
  cr_assert_eq(rep, 0);
  cr_assert_eq(booking_create(&w.ctx, body, "k-123", &o2, &rep, &ei), 0, "%s", ei.message);
  cr_assert_eq(rep, 1);
  cr_assert_eq(json_integer_value(json_object_get(o1, "id")),
               json_integer_value(json_object_get(o2, "id")));
  /* the same key for something else: conflict */
  json_t *other = fx_body(&w, "chuo", "r503", "2026-06-11", "morning", 0, 5);
  cr_assert_eq(booking_create(&w.ctx, other, "k-123", &o3, &rep, &ei), KERR_CONFLICT);
  kerr_clear(&ei);
  /* another user's same key is theirs */
  fx_as(&w, BOB, ROLE_CITIZEN, NULL);
  cr_assert_eq(booking_create(&w.ctx, other, "k-123", &o3, &rep, &ei), 0, "%s", ei.message);
  cr_assert_eq(rep, 0);
  /* a bad key */
  kerr_clear(&ei);
  json_t *o4 = NULL;
  cr_assert_eq(booking_create(&w.ctx, other, "bad key", &o4, &rep, &ei), KERR_BAD_REQUEST);
  kstmt *st = db_prep(w.db, "SELECT count(*) FROM bookings");
  cr_assert_eq(db_step(st), DB_ROW);
  cr_assert_eq(db_col_int(st, 0), 2);
  db_reset(st);
  json_decref(body);
  json_decref(other);
  json_decref(o1);
  json_decref(o2);
  json_decref(o3);
  kerr_clear(&ei);
}

/* ====================================================== typed results */

/* THEN of booking_create_view: counts its runs, checks it runs inside the
** booking's write transaction, and fails when told to. */
struct then_probe {
  int runs, in_txn, fail;
  int64_t id;
};
static int probe_then(struct kctx *ctx, int64_t booking_id, void *arg, struct kerrinfo *ei) {
  struct then_probe *p = arg;
  (void)ei;
  p->runs++;
  p->in_txn = db_in_txn(ctx->db);
  p->id = booking_id;
  return p->fail ? KERR_INTERNAL : 0;
}

/* The form route's typed results (booking_create_view, booking_cancel_view)
** are the same bookings the JSON API answers with, statuses as enums. */
Test(bookings, create_and_cancel_views_agree_with_the_json) {
  struct kerrinfo ei = {0};
  struct booking_view v;
  struct then_probe p = {0};
  int rep = -1, rc;
  json_t *body = fx_body(&w, "chuo", "r503", "2026-06-10", "morning", 0, 5);
  cr_assert_eq(booking_create_view(&w.ctx, body, "k-view", probe_then, &p, &v, &rep, &ei), 0,
               "%s", ei.message);
  cr_assert_eq(rep, 0);
  cr_assert_gt(v.b.id, 0);
  cr_assert_eq(v.status, BOOKING_HELD);
  /* THEN ran once, inside the booking's transaction, with its number */
  cr_assert_eq(p.runs, 1);
  cr_assert(p.in_txn);
  cr_assert_eq(p.id, v.b.id);
  json_t *vj = booking_view_json(&v), *g = get(v.b.id, &rc);
  cr_assert(json_equal(vj, g));
  json_decref(vj);
  json_decref(g);
  /* a replay: the first booking, THEN not run again */
  int64_t first = v.b.id;
  cr_assert_eq(booking_create_view(&w.ctx, body, "k-view", probe_then, &p, &v, &rep, &ei), 0);
  cr_assert_eq(rep, 1);
  cr_assert_eq(v.b.id, first);
  cr_assert_eq(p.runs, 1);
  /* THEN failing rolls the booking back: nothing made, no view */
  json_t *other = fx_body(&w, "chuo", "r503", "2026-06-11", "morning", 0, 5);
  p.fail = 1;
  cr_assert_eq(booking_create_view(&w.ctx, other, NULL, probe_then, &p, &v, &rep, &ei),
               KERR_INTERNAL);
  kerr_clear(&ei);
  cr_assert_eq(v.b.id, 0);
  cr_assert_str_eq(state("chuo", "r503", "2026-06-11", "morning"), "free");
  /* the cancellation, typed */
  cr_assert_eq(booking_cancel_view(&w.ctx, first, NULL, CANCEL_FOR_DEFAULT, &v, &ei), 0, "%s", ei.message);
  cr_assert_eq(v.b.id, first);
  cr_assert_eq(v.status, BOOKING_CANCELLED);
  cr_assert_eq(v.b.cancel_fee, 0);
  vj = booking_view_json(&v);
  g = get(first, &rc);
  cr_assert(json_equal(vj, g));
  json_decref(vj);
  json_decref(g);
  cr_assert_eq(booking_cancel_view(&w.ctx, first, NULL, CANCEL_FOR_DEFAULT, &v, &ei), KERR_CONFLICT);
  cr_assert_eq(v.b.id, 0);
  json_decref(body);
  json_decref(other);
  kerr_clear(&ei);
}

/* ============================================================ reads */

Test(bookings, list_mine_holds_own_and_groups_bookings) {
  int64_t a, b, c;
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-11", "morning", 0, 5, &a, NULL), 0);
  fx_as(&w, CAROL, ROLE_CITIZEN, NULL);
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning", GO_CLUB, 5, &b, NULL), 0);
  fx_as(&w, BOB, ROLE_CITIZEN, NULL);
  cr_assert_eq(fx_book(&w, "chuo", "r507", "2026-06-10", "morning", 0, 5, &c, NULL), 0);

  struct kerrinfo ei = {0};
  json_t *out = NULL;
  fx_as(&w, ALICE, ROLE_CITIZEN, NULL);
  cr_assert_eq(booking_list_mine(&w.ctx, &out, &ei), 0);
  json_t *list = json_object_get(out, "bookings");
  cr_assert_eq(json_array_size(list), 2);
  /* by date: the group's booking (06-10) first */
  cr_assert_eq(json_integer_value(json_object_get(json_array_get(list, 0), "id")), b);
  cr_assert_eq(json_integer_value(json_object_get(json_array_get(list, 1), "id")), a);
  json_decref(out);

  /* staff list a day */
  fx_as(&w, STAFF, ROLE_STAFF, NULL);
  cr_assert_eq(booking_list_day(&w.ctx, fx_day("2026-06-10"), "chuo", &out, &ei), 0);
  cr_assert_eq(json_array_size(json_object_get(out, "bookings")), 2);
  json_decref(out);
  fx_as(&w, ALICE, ROLE_CITIZEN, NULL);
  cr_assert_eq(booking_list_day(&w.ctx, fx_day("2026-06-10"), NULL, &out, &ei), KERR_FORBIDDEN);
  kerr_clear(&ei);
}

Test(bookings, feed_shows_held_then_booked_then_free) {
  int64_t a;
  cr_assert_str_eq(state("chuo", "r503", "2026-06-10", "morning"), "free");
  uint64_t g0 = avail_generation();
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning", 0, 5, &a, NULL), 0);
  cr_assert_gt(avail_generation(), g0, "create bumps the feed generation");
  cr_assert_str_eq(state("chuo", "r503", "2026-06-10", "morning"), "held");
  uint64_t g1 = avail_generation();
  cr_assert_eq(confirm(a), 0);
  cr_assert_gt(avail_generation(), g1);
  cr_assert_str_eq(state("chuo", "r503", "2026-06-10", "morning"), "booked");
  uint64_t g2 = avail_generation();
  cr_assert_eq(cancel(a, NULL, NULL, NULL), 0);
  cr_assert_gt(avail_generation(), g2);
  cr_assert_str_eq(state("chuo", "r503", "2026-06-10", "morning"), "free");
}

/* ========================================================== usage log */

static int64_t events(const char *action) {
  kstmt *st = db_prep(w.db, "SELECT count(*) FROM events WHERE action = $a");
  db_bind_text(st, "$a", action);
  cr_assert_eq(db_step(st), DB_ROW);
  int64_t n = db_col_int(st, 0);
  db_reset(st);
  return n;
}

Test(bookings, every_change_writes_a_pseudonymised_event) {
  int64_t a, b;
  /* RULE: usage log: hold, confirm, lapse, cancel */
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning", GO_CLUB, 5, &a, NULL), 0);
  cr_assert_eq(events("booking.hold"), 1);
  cr_assert_eq(confirm(a), 0);
  cr_assert_eq(events("booking.confirm"), 1);
  cr_assert_eq(cancel(a, NULL, NULL, NULL), 0);
  cr_assert_eq(events("booking.cancel"), 1);
  /* a failed attempt logs nothing */
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-01", "morning", 0, 5, NULL, NULL), KERR_CLOSED);
  cr_assert_eq(events("booking.hold"), 1);
  /* a lapse is logged when noticed, dated at the expiry, with no actor */
  cr_assert_eq(fx_book(&w, "chuo", "r507", "2026-06-10", "morning", 0, 5, &b, NULL), 0);
  fx_as(&w, BOB, ROLE_CITIZEN, "2026-04-10T12:00");
  cr_assert_eq(fx_book(&w, "chuo", "r507", "2026-06-10", "morning", 0, 5, NULL, NULL), 0);
  cr_assert_eq(events("booking.lapse"), 1);
  kstmt *st = db_prep(w.db, "SELECT at, actor, actor_role, subject FROM events"
                            " WHERE action = 'booking.lapse'");
  cr_assert_eq(db_step(st), DB_ROW);
  cr_assert_eq(db_col_int(st, 0), fx_at("2026-04-04T09:00"));
  cr_assert(db_col_null(st, 1));
  cr_assert_str_eq(db_col_text(st, 2), "anonymous");
  cr_assert_eq(strlen(db_col_text(st, 3)), 32, "the holder as a pseudonym");
  db_reset(st);
  /* no names, no system IDs in the log */
  st = db_prep(w.db, "SELECT coalesce(actor,'') || coalesce(subject,'') || coalesce(detail,'')"
                     " FROM events");
  while (db_step(st) == DB_ROW) {
    const char *row = db_col_text(st, 0);
    cr_assert_null(strstr(row, "100000001"), "%s", row);
    cr_assert_null(strstr(row, "500000013"), "%s", row);
    cr_assert_null(strstr(row, "山田"), "%s", row);
  }
  db_reset(st);
}

/* RULE: no double booking, by construction: whatever code runs above it, the
** database itself refuses a second active row for one (room, date, slot). */
Test(bookings, the_database_refuses_a_second_active_slot_row) {
  int64_t a;
  cr_assert_eq(fx_book(&w, "chuo", "r503", "2026-06-10", "morning", 0, 5, &a, NULL), 0);
  /* a second booking row, as a second writer would have made */
  kstmt *st;
  kstmt *b2 = db_prep(w.db, "INSERT INTO bookings(account_id, room_id, center, date, slots,"
                            " status, channel, fee_base, fee_total, rules_version, created_at)"
                            " SELECT account_id, room_id, center, date, slots, 'held', channel,"
                            " 0, 0, rules_version, 0 FROM bookings WHERE id = $id");
  db_bind_int(b2, "$id", a);
  cr_assert_eq(db_exec_stmt(b2), DB_OK);
  int64_t second = db_last_id(w.db);
  st = db_prep(w.db, "INSERT INTO booking_slots(booking_id, room_id, date, slot, active)"
                     " SELECT $b, room_id, date, 'morning', 1 FROM bookings WHERE id = $id");
  db_bind_int(st, "$b", second);
  db_bind_int(st, "$id", a);
  cr_assert_eq(db_exec_stmt(st), DB_CONSTRAINT);
  /* once the first is no longer active, the slot can be taken again */
  kstmt *off = db_prep(w.db, "UPDATE booking_slots SET active = 0 WHERE booking_id = $id");
  db_bind_int(off, "$id", a);
  cr_assert_eq(db_exec_stmt(off), DB_OK);
  st = db_prep(w.db, "INSERT INTO booking_slots(booking_id, room_id, date, slot, active)"
                     " SELECT $b, room_id, date, 'morning', 1 FROM bookings WHERE id = $id");
  db_bind_int(st, "$b", second);
  db_bind_int(st, "$id", a);
  cr_assert_eq(db_exec_stmt(st), DB_OK);
}

/* ======================================================= typed views */

Test(bookings, the_view_is_what_the_json_says) {
  int64_t held, group, gone;
  char msg[512];
  cr_assert_eq(fx_book(&w, "chuo", "washitsu", "2026-04-22", "morning,afternoon", 0, 5, &held, msg), 0,
               "%s", msg);
  cr_assert_eq(fx_book(&w, "chuo", "kaigi", "2026-04-23", "evening", GO_CLUB, 10, &group, msg), 0,
               "%s", msg);
  cr_assert_eq(confirm(group), 0);
  cr_assert_eq(fx_book(&w, "chuo", "av", "2026-04-24", "morning", 0, 5, &gone, msg), 0, "%s", msg);
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  cr_assert_eq(booking_cancel(&w.ctx, gone, NULL, CANCEL_FOR_DEFAULT, &out, &ei), 0);
  json_decref(out);
  struct booking_view *v;
  int n;
  cr_assert_eq(booking_views_mine_since(&w.ctx, 0, &v, &n, &ei), 0);
  json_t *list = NULL;
  cr_assert_eq(booking_list_mine_since(&w.ctx, 0, &list, &ei), 0);
  json_t *arr = json_object_get(list, "bookings");
  cr_assert_eq((size_t)n, json_array_size(arr));
  for (int i = 0; i < n; i++) {
    json_t *j = booking_view_json(&v[i]);
    cr_assert(json_equal(j, json_array_get(arr, (size_t)i)), "booking %lld", (long long)v[i].b.id);
    json_decref(j);
    if (v[i].b.id == held) {
      cr_assert_eq(v[i].status, BOOKING_HELD);
      cr_assert_str_eq(v[i].room->code, "washitsu");
      cr_assert_str_eq(v[i].start, "09:00");
      cr_assert_str_eq(v[i].end, "17:00");
      cr_assert(v[i].has_terms);
      cr_assert_eq(v[i].free_until, fx_day("2026-04-22") - booking_rules(&w.ctx, &v[i].b)->cancel_deadline_days);
    }
    if (v[i].b.id == group) {
      cr_assert_eq(v[i].status, BOOKING_CONFIRMED);
      cr_assert_str_eq(v[i].b.group_name, "前橋囲碁の会");
    }
    if (v[i].b.id == gone) {
      cr_assert_eq(v[i].status, BOOKING_CANCELLED);
      cr_assert_not(v[i].has_terms);
    }
  }
  free(v);
  json_decref(list);
  /* no account: nothing */
  w.ctx.actor.account_id = 0;
  cr_assert_eq(booking_views_mine_since(&w.ctx, 0, &v, &n, &ei), KERR_UNAUTHORIZED);
  cr_assert_null(v);
  kerr_clear(&ei);
}
