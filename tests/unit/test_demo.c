/*
** tests/unit/test_demo.c: the demonstration data (tools/demo/) is consistent
** with the rule book and the usage log: it was made through the real core
** functions, and these checks would catch a generator that wrote around them.
*/
#include "fixture_bookings.h"

#include "../../backend/core/accounts.h"
#include "../../tools/demo/demo.h"
#include "../../backend/core/discounts.h"
#include "../../backend/core/ids.h"

static struct world w;

static void setup(void) { fx_open(&w, "ordinances/maebashi"); }
static void teardown(void) { fx_close(&w); }

TestSuite(demo, .init = setup, .fini = teardown, .timeout = 120);

static long long q(const char *sql) {
  kstmt *st = db_prep(w.db, sql);
  cr_assert_not_null(st, "%s", sql);
  cr_assert_eq(db_step(st), DB_ROW, "%s", sql);
  long long n = db_col_int(st, 0);
  db_reset(st);
  return n;
}

/* Six weeks of use dates seen from 2026-05-10 10:00 (a Sunday), small. */
static struct demo_stats seed_small(void) {
  struct demo_plan plan = {.first_day = fx_day("2026-04-01"), .last_day = fx_day("2026-05-31"),
                           .until = fx_at("2026-05-10T10:00"), .groups_per_center = 2,
                           .persons = 30, .seed = 7, .scripted = 1};
  w.ctx.now = plan.until;
  struct demo_stats st;
  cr_assert_eq(demo_generate(&w.ctx, &plan, &st), 0);
  return st;
}

Test(demo, the_documented_accounts_exist_with_valid_ids_and_sign_in) {
  seed_small();
  cr_assert(ids_valid(DEMO_CITIZEN_ID) && ids_valid(DEMO_STAFF_ID) && ids_valid(DEMO_ADMIN_ID) &&
            ids_valid(DEMO_ANALYST_ID));
  int role = 0;
  cr_assert(accounts_exists(&w.ctx, DEMO_STAFF_ID, &role));
  cr_assert_eq(role, ROLE_STAFF);
  cr_assert_eq(q("SELECT count(*) FROM accounts WHERE id = 200000016 AND home_center = 'chuo'"), 1);
  cr_assert(accounts_exists(&w.ctx, DEMO_ANALYST_ID, &role));
  cr_assert_eq(role, ROLE_ANALYST);
  json_t *in = json_pack("{s:s, s:s}", "system_id", "400000014", "password", DEMO_ANALYST_PASSWORD);
  struct session_new sn;
  struct kerrinfo ei = {0};
  cr_assert_eq(accounts_login(&w.ctx, in, "127.0.0.1", &sn, &ei), 0, "%s", ei.message);
  json_decref(in);
  /* the population cannot sign in: no password matches their hash */
  cr_assert_eq(q("SELECT count(*) FROM accounts WHERE password_hash NOT LIKE '$argon2id$%'"
                 " AND id NOT IN (100000017, 200000016, 300000015, 400000014)"),
               q("SELECT count(*) FROM accounts") - 4);
}

Test(demo, bookings_follow_the_rule_book) {
  struct demo_stats st = seed_small();
  cr_assert_gt(st.booked, 100, "booked %d", st.booked);
  cr_assert_eq(q("SELECT count(*) FROM bookings"), st.booked);
  /* every status is a real one, and the holds still held are the future's */
  cr_assert_eq(q("SELECT count(*) FROM bookings WHERE status NOT IN"
                 " ('held','confirmed','cancelled','lapsed','checked_in','no_show')"), 0);
  /* the counter was busy too: walk-ins (no account), check-ins, no-shows, payments */
  cr_assert_gt(st.walkins, 0);
  cr_assert_eq(q("SELECT count(*) FROM bookings WHERE account_id IS NULL"), st.walkins);
  cr_assert_gt(q("SELECT count(*) FROM bookings WHERE status = 'checked_in'"), 0);
  cr_assert_gt(q("SELECT count(*) FROM payments"), 0);
  /* a payment is exactly what was owed (core/payments.c refuses anything else) */
  cr_assert_eq(q("SELECT count(*) FROM bookings b WHERE (SELECT sum(amount) FROM payments p"
                 " WHERE p.booking_id = b.id) NOT IN (b.fee_total, COALESCE(b.cancel_fee, 0))"), 0);
  /* RULE: no double booking: active slot rows are unique (the index) and every
  ** held, confirmed or checked-in booking has its active rows */
  cr_assert_eq(q("SELECT count(*) FROM bookings b WHERE status IN ('held','confirmed','checked_in') AND"
                 " (SELECT count(*) FROM booking_slots s WHERE s.booking_id = b.id AND s.active = 1)"
                 " != length(b.slots) - length(replace(b.slots, ',', '')) + 1"), 0);
  cr_assert_eq(q("SELECT count(*) FROM booking_slots s JOIN bookings b ON b.id = s.booking_id"
                 " WHERE s.active = 1 AND b.status IN ('cancelled','lapsed','no_show')"), 0);

  /* fees, closed days, windows and caps, booking by booking */
  kstmt *s = db_prep(w.db, "SELECT id, room_id, date, slots, fee_base, fee_discount, fee_total,"
                           " created_at, group_id, status, discount_code FROM bookings");
  int n = 0, exempted = 0;
  while (db_step(s) == DB_ROW) {
    const struct room *room = rules_room_by_id(w.rb, db_col_int(s, 1));
    int32_t day = fx_day(db_col_text(s, 2));
    const struct rules *r = rules_in_force(w.rb, day);
    cr_assert_not_null(room);
    cr_assert_not_null(r);
    /* RULE: closed days */
    cr_assert(!rules_closed(r, room->center->code, day, NULL), "booking %lld on a closed day",
              (long long)db_col_int(s, 0));
    /* RULE: fees from the version in force on the use date */
    char slots[128];
    snprintf(slots, sizeof slots, "%s", db_col_text(s, 3));
    int64_t fee = 0;
    for (char *save = NULL, *t = strtok_r(slots, ",", &save); t; t = strtok_r(NULL, ",", &save))
      fee += rules_fee(r, room->fee_class, rules_slot_index(r, t));
    if (rules_campaign(r, room, day)) fee = 0;
    cr_assert_eq(db_col_int(s, 4), fee, "booking %lld fee", (long long)db_col_int(s, 0));
    cr_assert_eq(db_col_int(s, 6), db_col_int(s, 4) - db_col_int(s, 5));
    /* an exemption: the rule book's rate for the approved category */
    if (db_col_int(s, 5) > 0) {
      char code[32];
      snprintf(code, sizeof code, "%s", db_col_text(s, 10));
      const struct discount_cat *dc = rules_discount(r, code);
      cr_assert_not_null(dc, "discount %s", code);
      cr_assert_eq(db_col_int(s, 5), discount_yen(fee, dc->rate));
      exempted++;
    }
    /* RULE: booking window: made after it opened */
    cr_assert_geq(db_col_int(s, 7), rules_booking_opens(r, day));
    n++;
  }
  db_reset(s);
  cr_assert_eq(n, st.booked);
  cr_assert_gt(st.exemptions, 0);
  cr_assert_gt(exempted, 0, "some bookings carry an exemption");
  /* RULE: a group's slots per month across every centre (4) */
  cr_assert_eq(q("SELECT count(*) FROM (SELECT b.group_id, substr(s.date, 1, 7) m, count(*) n"
                 " FROM bookings b JOIN booking_slots s ON s.booking_id = b.id"
                 " WHERE s.active = 1 AND b.group_id IS NOT NULL GROUP BY 1, 2) WHERE n > 4"), 0);
}

Test(demo, every_change_is_in_the_usage_log_with_pseudonyms_only) {
  seed_small();
  /* a booking starts as a hold, or as a walk-in at the counter (confirmed at once) */
  cr_assert_eq(q("SELECT count(*) FROM bookings"),
               q("SELECT count(*) FROM events WHERE action IN ('booking.hold', 'counter.walkin')"));
  cr_assert_eq(q("SELECT count(*) FROM bookings WHERE account_id IS NOT NULL AND"
                 " (status IN ('confirmed', 'checked_in', 'no_show') OR"
                 " (status = 'cancelled' AND confirmed_at IS NOT NULL))"),
               q("SELECT count(*) FROM events WHERE action = 'booking.confirm'"));
  cr_assert_eq(q("SELECT count(*) FROM bookings WHERE status = 'checked_in'"),
               q("SELECT count(*) FROM events WHERE action = 'counter.checkin'"));
  cr_assert_eq(q("SELECT count(*) FROM bookings WHERE status = 'no_show'"),
               q("SELECT count(*) FROM events WHERE action = 'counter.noshow'"));
  cr_assert_eq(q("SELECT count(*) FROM payments"),
               q("SELECT count(*) FROM events WHERE action IN ('counter.payment', 'counter.refund')"));
  cr_assert_eq(q("SELECT count(*) FROM bookings WHERE status = 'cancelled'"),
               q("SELECT count(*) FROM events WHERE action = 'booking.cancel'"));
  cr_assert_eq(q("SELECT count(*) FROM bookings WHERE status = 'lapsed'"),
               q("SELECT count(*) FROM events WHERE action = 'booking.lapse'"));
  cr_assert_eq(q("SELECT count(*) FROM groups"), q("SELECT count(*) FROM events WHERE action = 'group.register'"));
  cr_assert_eq(q("SELECT count(*) FROM accounts"), q("SELECT count(*) FROM events WHERE action = 'account.create'"));
  /* a hold's event is dated when it was made, in the simulated past */
  cr_assert_eq(q("SELECT count(*) FROM bookings b WHERE NOT EXISTS (SELECT 1 FROM events e"
                 " WHERE e.action IN ('booking.hold', 'counter.walkin') AND e.at = b.created_at)"), 0);
  /* channels are the three of the issue (and cli for the operator's accounts) */
  cr_assert_eq(q("SELECT count(*) FROM events WHERE channel NOT IN ('online','counter','form','cli')"), 0);
  cr_assert_gt(q("SELECT count(*) FROM events WHERE channel = 'form'"), 0);
  /* every booking through the online form has its submission record and event */
  cr_assert_eq(q("SELECT count(*) FROM bookings b WHERE channel = 'form' AND NOT EXISTS"
                 " (SELECT 1 FROM form_submissions f WHERE f.kind = 'booking'"
                 " AND f.outcome = 'accepted' AND f.result_id = CAST(b.id AS TEXT))"), 0);
  cr_assert_eq(q("SELECT count(*) FROM form_submissions"),
               q("SELECT count(*) FROM events WHERE action IN ('form.accepted', 'form.rejected')"));
  /* no name, phone, email or system ID in any event, nor a walk-in's name or phone */
  cr_assert_eq(q("SELECT count(*) FROM events e, accounts a WHERE instr(e.detail, a.name)"
                 " OR instr(e.actor, a.id) OR instr(e.subject, a.id) OR instr(e.detail, a.id)"),
               0);
  cr_assert_eq(q("SELECT count(*) FROM events e, bookings b WHERE b.walkin_name IS NOT NULL AND"
                 " (instr(e.detail, b.walkin_name) OR instr(e.detail, b.walkin_phone))"), 0);
  cr_assert_eq(q("SELECT count(*) FROM events WHERE actor IS NOT NULL AND length(actor) != 32"), 0);
}

Test(demo, the_demo_citizen_has_bookings_today_and_seeding_happens_once) {
  w.ctx.now = fx_at("2026-04-08T10:00");
  int seeded = 0;
  cr_assert_eq(demo_seed(&w.ctx, 1, &seeded), 0);
  cr_assert_eq(seeded, 1);
  cr_assert(demo_is_seeded(w.db));
  /* today: the group's 和室 this morning (booked), a hold of the citizen's own later today */
  cr_assert_eq(q("SELECT count(*) FROM bookings WHERE date = '2026-04-08' AND account_id = 100000017"
                 " AND status = 'confirmed' AND group_id IS NOT NULL"), 1);
  cr_assert_eq(q("SELECT count(*) FROM bookings WHERE date = '2026-04-08' AND account_id = 100000017"
                 " AND status = 'held'"), 1);
  cr_assert_eq(q("SELECT count(*) FROM groups WHERE name = '前橋短歌の会' AND public_listing = 1"
                 " AND representative_id = 100000017 AND status = 'approved'"), 1);
  /* nothing dated after now */
  cr_assert_eq(q("SELECT count(*) FROM events WHERE at > strftime('%s', '2026-04-08T01:00:00')"), 0);
  long long n = q("SELECT count(*) FROM bookings");
  cr_assert_gt(n, 50);
  cr_assert_eq(demo_seed(&w.ctx, 1, &seeded), 0);
  cr_assert_eq(seeded, 0);
  cr_assert_eq(q("SELECT count(*) FROM bookings"), n);
}

Test(demo, the_same_seed_gives_the_same_bookings) {
  seed_small();
  long long a = q("SELECT total(room_id * 7 + julianday(date) + length(slots)) FROM bookings");
  fx_close(&w);
  fx_open(&w, "ordinances/maebashi");
  seed_small();
  long long b = q("SELECT total(room_id * 7 + julianday(date) + length(slots)) FROM bookings");
  cr_assert_eq(a, b);
}
