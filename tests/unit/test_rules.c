/*
** tests/unit/test_rules.c: the rule book (core/rules.c) and the calendar
** (core/clock.c) it stands on.
**
** The "rules" tests load the real ordinances/maebashi (the tests run from the
** repository root) and check what the city's rules mean on given dates. The
** "rules_check" tests write small broken copies of it into a temporary
** directory and check that the loader names each problem exactly, as
** "file: json.path: message".
*/
#include <criterion/criterion.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../backend/core/clock.h"
#include "../../backend/core/discounts.h"
#include "../../backend/core/rules.h"

#define BOOK "ordinances/maebashi"

/* ============================================================ helpers */

static int32_t D(const char *s) {
  int32_t day = 0;
  cr_assert_eq(date_parse(s, &day), 0, "test date %s does not parse", s);
  return day;
}

/* The instant of HH:MM Japan time on date S. */
static int64_t at(const char *s, const char *hhmm) {
  int m = time_parse_hhmm(hhmm);
  cr_assert_geq(m, 0, "test time %s does not parse", hhmm);
  return clock_local(D(s), m);
}

static char *joined(json_t *problems) {
  static char buf[16384];
  size_t n = 0;
  buf[0] = 0;
  for (size_t i = 0; problems && i < json_array_size(problems) && n < sizeof buf - 2; i++)
    n += (size_t)snprintf(buf + n, sizeof buf - n, "\n  %s",
                          json_string_value(json_array_get(problems, i)));
  return buf;
}

static struct rulebook *load_real(void) {
  json_t *problems = NULL;
  struct rulebook *rb = rules_load(BOOK, &problems);
  cr_assert_not_null(rb, "the real rule book has problems:%s", joined(problems));
  cr_assert_null(problems);
  return rb;
}

static const struct room *room_of(const struct rulebook *rb, const char *center,
                                  const char *code) {
  const struct center *ce = rules_center(rb, center);
  cr_assert_not_null(ce, "no centre %s", center);
  for (int i = 0; i < ce->nrooms; i++)
    if (strcmp(ce->rooms[i].code, code) == 0) return &ce->rooms[i];
  cr_assert_fail("no room %s in %s", code, center);
  return NULL;
}

/* ============================================== the real rule book */

static struct rulebook *rb;
static void real_setup(void) { rb = load_real(); }
static void real_teardown(void) { rules_free(rb); rb = NULL; }

TestSuite(rules, .init = real_setup, .fini = real_teardown);

Test(rules, real_book_loads_with_16_centres) {
  static const char *const codes[16] = {
      "chuo", "kamikawabuchi", "shimokawabuchi", "haga",     "kaigaya", "higashi",
      "motosoja", "soja",     "nankitsu",       "kiyosato", "eimei",   "jonan",
      "ogo",      "miyagi",   "kasukawa",       "fujimi"};
  cr_assert_eq(rb->ncenters, 16);
  for (int i = 0; i < 16; i++) {
    const struct center *ce = rules_center(rb, codes[i]);
    cr_assert_not_null(ce, "centre %s missing", codes[i]);
    cr_assert_geq(ce->nrooms, 3, "%s has %d rooms", codes[i], ce->nrooms);
    cr_assert_leq(ce->nrooms, 7, "%s has %d rooms", codes[i], ce->nrooms);
    cr_assert_neq(ce->kana[0], 0);
    cr_assert_not_null(json_object_get(ce->json, "note"), "%s has no note", codes[i]);
    for (int j = 0; j < ce->nrooms; j++) {
      cr_assert_eq(ce->rooms[j].center, ce, "room %s of %s points elsewhere",
                   ce->rooms[j].code, ce->code);
      cr_assert_eq(ce->rooms[j].id, 0);
      cr_assert_gt(ce->rooms[j].capacity, 0);
    }
  }
  const struct center *chuo = rules_center(rb, "chuo");
  cr_assert_str_eq(chuo->name, "中央公民館");
  cr_assert_str_eq(chuo->kana, "まえばししちゅうおうこうみんかん");
  cr_assert_null(rules_center(rb, "nosuch"));
  cr_assert_null(rules_center(rb, NULL));
  cr_assert_not_null(json_object_get(rb->facilities_json, "source"));
}

Test(rules, two_versions_sorted_with_their_slots) {
  cr_assert_eq(rb->nversions, 2);
  cr_assert_str_eq(rb->versions[0].file, "rules-2026-04-01.json");
  cr_assert_str_eq(rb->versions[1].file, "rules-2026-10-01.json");
  for (int v = 0; v < 2; v++) {
    const struct rules *r = &rb->versions[v];
    cr_assert_eq(r->nslots, 3);
    cr_assert_str_eq(r->slots[0].code, "morning");
    cr_assert_str_eq(r->slots[0].label, "午前");
    cr_assert_eq(r->slots[0].start, 9 * 60);
    cr_assert_eq(r->slots[0].end, 12 * 60);
    cr_assert_str_eq(r->slots[1].label, "午後");
    cr_assert_eq(r->slots[1].start, 13 * 60);
    cr_assert_eq(r->slots[1].end, 17 * 60);
    cr_assert_str_eq(r->slots[2].label, "夜間");
    cr_assert_eq(r->slots[2].start, 18 * 60);
    cr_assert_eq(r->slots[2].end, 22 * 60);
    cr_assert_eq(rules_slot_index(r, "evening"), 2);
    cr_assert_eq(rules_slot_index(r, "night"), -1);
    /* RULE: a group may use at most 4 slots a month */
    cr_assert_eq(r->group_slots_per_month, 4);
    cr_assert_eq(r->group_min_members, 2);
    cr_assert_eq(r->group_resident_percent, 50);
    cr_assert(r->group_resident_at_least, "半数以上: half or more");
    cr_assert_eq(r->group_validity, VALID_FISCAL_YEAR_END);
    cr_assert_eq(r->hold_lapse_hours, 72);
    cr_assert_eq(r->hold_max_per_user, 3);
    cr_assert(r->same_day_counter && r->same_day_online);
    cr_assert_eq(r->online_until_min, 0);
  }
}

Test(rules, version_in_force_by_date_with_mid_year_amendment) {
  cr_assert_null(rules_in_force(rb, D("2026-03-31")), "no rules before the first version");
  cr_assert_eq(rules_in_force(rb, D("2026-04-01")), &rb->versions[0]);
  cr_assert_eq(rules_in_force(rb, D("2026-09-30")), &rb->versions[0], "day before amendment");
  cr_assert_eq(rules_in_force(rb, D("2026-10-01")), &rb->versions[1], "amendment day");
  cr_assert_eq(rules_in_force(rb, D("2027-06-01")), &rb->versions[1]);
  cr_assert_str_eq(rules_in_force(rb, D("2026-10-01"))->version, "2026-10-01");
  cr_assert_null(rules_in_force(NULL, D("2026-10-01")));
}

/* RULE: closed on the 1st and 3rd Monday and from 12/29 to 1/3 */
Test(rules, closed_first_and_third_monday_only) {
  const struct rules *r = rules_in_force(rb, D("2026-04-01"));
  const char *why = NULL;
  cr_assert(rules_closed(r, "chuo", D("2026-04-06"), &why), "1st Monday");
  cr_assert_str_eq(why, "第1・第3月曜日");
  cr_assert_not(rules_closed(r, "chuo", D("2026-04-13"), NULL), "2nd Monday is open");
  cr_assert(rules_closed(r, "ogo", D("2026-04-20"), NULL), "3rd Monday");
  cr_assert_not(rules_closed(r, "chuo", D("2026-04-27"), NULL), "4th Monday is open");
  cr_assert_not(rules_closed(r, "chuo", D("2026-06-29"), NULL), "5th Monday is open");
  cr_assert_not(rules_closed(r, "chuo", D("2026-04-07"), NULL), "a Tuesday is open");
  cr_assert_not(rules_closed(r, "chuo", D("2026-04-05"), NULL), "a Sunday is open");
}

Test(rules, closed_over_the_year_end) {
  static const char *const closed[] = {"2026-12-29", "2026-12-30", "2026-12-31",
                                       "2027-01-01", "2027-01-02", "2027-01-03"};
  for (size_t i = 0; i < sizeof closed / sizeof *closed; i++) {
    const char *why = NULL;
    int32_t day = D(closed[i]);
    cr_assert(rules_closed(rules_in_force(rb, day), "kasukawa", day, &why), "%s", closed[i]);
    cr_assert(strstr(why, "年末年始"), "%s: %s", closed[i], why);
  }
  int32_t dec28 = D("2026-12-28"), jan5 = D("2027-01-05");
  cr_assert_not(rules_closed(rules_in_force(rb, dec28), "kasukawa", dec28, NULL),
                "12/28 (a 4th Monday) is open");
  cr_assert_not(rules_closed(rules_in_force(rb, jan5), "kasukawa", jan5, NULL), "1/5 is open");
  cr_assert(rules_closed(rules_in_force(rb, D("2027-01-04")), "kasukawa", D("2027-01-04"), NULL),
            "1/4/2027 is the 1st Monday");
}

/* RULE: one booking window for every centre and user */
Test(rules, booking_opens_two_months_before_the_use_month) {
  const struct rules *r = rules_in_force(rb, D("2026-04-01"));
  char s[26];
  cr_assert_eq(rules_booking_opens(r, D("2026-06-15")), at("2026-04-01", "09:00"));
  cr_assert_eq(rules_booking_opens(r, D("2026-06-01")), at("2026-04-01", "09:00"));
  cr_assert_eq(rules_booking_opens(r, D("2026-06-30")), at("2026-04-01", "09:00"));
  cr_assert_eq(rules_booking_opens(r, D("2026-07-01")), at("2026-05-01", "09:00"));
  cr_assert_eq(rules_booking_opens(r, D("2027-01-10")), at("2026-11-01", "09:00"),
               "January opens in November of the year before");
  cr_assert_eq(rules_booking_opens(r, D("2027-02-28")), at("2026-12-01", "09:00"));
  clock_format_instant(rules_booking_opens(r, D("2027-01-10")), s);
  cr_assert_str_eq(s, "2026-11-01T09:00:00+09:00");
}

Test(rules, fees_per_class_slot_and_version) {
  const struct rules *v1 = rules_in_force(rb, D("2026-09-30"));
  const struct rules *v2 = rules_in_force(rb, D("2026-10-01"));
  cr_assert_eq(rules_fee(v1, "meeting_s", 0), 210);
  cr_assert_eq(rules_fee(v1, "meeting_s", 1), 320);
  cr_assert_eq(rules_fee(v1, "meeting_s", 2), 540);
  cr_assert_eq(rules_fee(v2, "meeting_s", 2), 540, "unchanged by the amendment");
  cr_assert_eq(rules_fee(v1, "study", 2), 400);
  cr_assert_eq(rules_fee(v2, "study", 2), 270, "lowered by the amendment");
  cr_assert_eq(rules_fee(v1, "hall", rules_slot_index(v1, "afternoon")), 1570);
  cr_assert_eq(rules_fee(v1, "nosuch", 0), -1);
  cr_assert_eq(rules_fee(v1, "meeting_s", 3), -1);
  cr_assert_eq(rules_fee(v1, "meeting_s", -1), -1);
  /* every room is priced in every slot of every version */
  for (int v = 0; v < rb->nversions; v++)
    for (int c = 0; c < rb->ncenters; c++)
      for (int k = 0; k < rb->centers[c].nrooms; k++)
        for (int s = 0; s < rb->versions[v].nslots; s++)
          cr_assert_geq(rules_fee(&rb->versions[v], rb->centers[c].rooms[k].fee_class, s), 0);
}

Test(rules, discounts_and_the_abolished_category) {
  const struct rules *v1 = &rb->versions[0], *v2 = &rb->versions[1];
  const struct discount_cat *d = rules_discount(v1, "city_event");
  cr_assert_not_null(d);
  cr_assert_eq(d->rate, 100);
  cr_assert(json_is_string(json_object_get(d->json, "criteria")));
  cr_assert_eq(rules_discount(v1, "social_education")->rate, 50);
  cr_assert_not_null(rules_discount(v1, "senior_club"));
  cr_assert_null(rules_discount(v2, "senior_club"), "abolished from 2026-10-01");
  cr_assert_null(rules_discount(v1, "nosuch"));
}

/* RULE: counter hours 08:30-17:15 on weekdays, the same everywhere */
Test(rules, counter_hours) {
  const struct rules *r = rules_in_force(rb, D("2026-04-01"));
  cr_assert_not(rules_counter_open(r, at("2026-04-01", "08:29")));
  cr_assert(rules_counter_open(r, at("2026-04-01", "08:30")));
  cr_assert(rules_counter_open(r, at("2026-04-01", "12:00")));
  cr_assert(rules_counter_open(r, at("2026-04-01", "17:15")));
  cr_assert_not(rules_counter_open(r, at("2026-04-01", "17:16")));
  cr_assert_not(rules_counter_open(r, at("2026-04-04", "10:00")), "Saturday");
  cr_assert_not(rules_counter_open(r, at("2026-04-05", "10:00")), "Sunday");
  /* 1st Monday: the rooms are closed, the counter works (「第1・第3月曜日の窓口業務は行っております」) */
  cr_assert(rules_closed(r, "chuo", D("2026-04-06"), NULL), "1st Monday: rooms closed");
  cr_assert(rules_counter_open(r, at("2026-04-06", "10:00")), "1st Monday: counter open");
  cr_assert_not(rules_counter_closed(r, D("2026-04-06"), NULL));
  cr_assert(rules_counter_closed(r, D("2026-12-29"), NULL), "year end: counter closed too");
  cr_assert(rules_counter_open(r, at("2026-04-13", "10:00")), "2nd Monday");
  cr_assert_not(rules_counter_open(rules_in_force(rb, D("2026-12-29")), at("2026-12-29", "10:00")),
                "year end");
}

/* RULE: the holiday list covers the next year as soon as it is published */
static int holiday_warnings(const char *day) {
  json_t *w = json_array();
  rules_warnings(rb, at(day, "09:00"), w);
  int n = (int)json_array_size(w);
  if (n) cr_assert(strstr(json_string_value(json_array_get(w, 0)), "2027-11-23"));
  json_decref(w);
  return n;
}

Test(rules, holiday_list_asked_for_once_the_next_year_is_published) {
  /* the book lists 2020-2027: 2028's holidays are published in February 2027 */
  cr_assert_eq(holiday_warnings("2026-04-01"), 0);
  cr_assert_eq(holiday_warnings("2026-12-07"), 0, "2028 is not published yet");
  cr_assert_eq(holiday_warnings("2027-01-31"), 0, "2028 is not published yet");
  cr_assert_eq(holiday_warnings("2027-02-01"), 1, "2028 is published");
  cr_assert_eq(holiday_warnings("2027-12-24"), 1);
}

/* RULE: campaign days (free, no registration) */
Test(rules, campaign_days) {
  const struct rules *r = rules_in_force(rb, D("2026-04-15"));
  const struct campaign *cp = rules_campaign(r, room_of(rb, "chuo", "washitsu"), D("2026-04-15"));
  cr_assert_not_null(cp);
  cr_assert_str_eq(cp->name, "親子の日");
  cp = rules_campaign(r, room_of(rb, "chuo", "r503"), D("2026-04-15"));
  cr_assert_not_null(cp);
  cr_assert_str_eq(cp->name, "親子の日");
  cr_assert_null(rules_campaign(r, room_of(rb, "chuo", "kaigi"), D("2026-04-15")),
                 "a 会議室 is not part of 親子の日");
  cp = rules_campaign(r, room_of(rb, "chuo", "r507"), D("2026-04-18"));
  cr_assert_not_null(cp, "Saturday opens 学習室 as study rooms");
  cr_assert_str_eq(cp->name, "自習室開放");
  cr_assert_null(rules_campaign(r, room_of(rb, "chuo", "washitsu"), D("2026-04-18")));
  cr_assert_null(rules_campaign(r, room_of(rb, "chuo", "r503"), D("2026-04-14")));
}

Test(rules, room_by_id_after_sync) {
  struct room *ro = &rb->centers[3].rooms[1];
  cr_assert_null(rules_room_by_id(rb, 0));
  ro->id = 42;
  cr_assert_eq(rules_room_by_id(rb, 42), ro);
  cr_assert_null(rules_room_by_id(rb, 43));
}

Test(rules, public_json) {
  json_t *j = rules_public_json(&rb->versions[0]);
  cr_assert_not_null(j);
  cr_assert_str_eq(json_string_value(json_object_get(j, "version")), "2026-04-01");
  cr_assert_str_eq(json_string_value(json_object_get(j, "effective_from")), "2026-04-01");
  json_t *slots = json_object_get(j, "slots");
  cr_assert_eq(json_array_size(slots), 3);
  cr_assert_str_eq(json_string_value(json_object_get(json_array_get(slots, 1), "code")),
                   "afternoon");
  cr_assert_str_eq(json_string_value(json_object_get(json_array_get(slots, 1), "label")), "午後");
  cr_assert_str_eq(json_string_value(json_object_get(json_array_get(slots, 1), "start")),
                   "13:00");
  cr_assert_str_eq(json_string_value(json_object_get(json_array_get(slots, 2), "end")), "22:00");
  json_t *discounts = json_object_get(j, "discounts");
  cr_assert_eq(json_array_size(discounts), 4);
  for (size_t i = 0; i < json_array_size(discounts); i++) {
    json_t *d = json_array_get(discounts, i);
    cr_assert(json_is_string(json_object_get(d, "code")));
    cr_assert(json_is_string(json_object_get(d, "name")));
    cr_assert(json_is_integer(json_object_get(d, "rate")));
    cr_assert(json_is_string(json_object_get(d, "criteria")));
  }
  static const char *const sections[] = {"closed", "booking_window", "holds", "limits",
                                         "cancellation", "fees", "group_registration",
                                         "same_day", "counter_hours", "campaign_days", "source"};
  for (size_t i = 0; i < sizeof sections / sizeof *sections; i++)
    cr_assert_not_null(json_object_get(j, sections[i]), "%s missing", sections[i]);
  cr_assert(strstr(json_string_value(json_object_get(json_object_get(j, "booking_window"),
                                                     "description")),
                   "2か月前の1日 09:00"));
  json_decref(j);
  j = rules_public_json(&rb->versions[1]);
  cr_assert_eq(json_array_size(json_object_get(j, "discounts")), 3);
  json_decref(j);
}

/* ================================================ the calendar (clock.h) */

Test(rules_dates, leap_days_and_invalid_dates) {
  int32_t day;
  cr_assert_eq(date_parse("2028-02-29", &day), 0, "2028 is a leap year");
  cr_assert_neq(date_parse("2026-02-29", &day), 0);
  cr_assert_neq(date_parse("2026-02-30", &day), 0);
  cr_assert_neq(date_parse("2100-02-29", &day), 0, "2100 is not a leap year");
  cr_assert_eq(date_parse("2000-02-29", &day), 0, "2000 is");
  cr_assert_neq(date_parse("2026-4-01", &day), 0);
  cr_assert_neq(date_parse("tomorrow", &day), 0);
  cr_assert_neq(date_parse("2026-13-01", &day), 0);
  cr_assert_eq(date_days_in_month(2028, 2), 29);
  cr_assert_eq(date_days_in_month(2026, 2), 28);
}

Test(rules_dates, weekdays_of_known_dates) {
  cr_assert_eq(date_weekday(D("1970-01-01")), 4, "Thursday");
  cr_assert_eq(date_weekday(D("2000-01-01")), 6, "Saturday");
  cr_assert_eq(date_weekday(D("2026-04-01")), 3, "Wednesday");
  cr_assert_eq(date_weekday(D("2028-02-29")), 2, "Tuesday");
  cr_assert_eq(date_nth_weekday(D("2026-04-06")), 1);
  cr_assert_eq(date_nth_weekday(D("2026-04-13")), 2);
  cr_assert_eq(date_nth_weekday(D("2026-04-20")), 3);
  cr_assert_eq(date_nth_weekday(D("2026-06-29")), 5);
}

Test(rules_dates, add_months_clamps_to_month_end) {
  cr_assert_eq(date_add_months(D("2026-01-31"), 1), D("2026-02-28"));
  cr_assert_eq(date_add_months(D("2028-01-31"), 1), D("2028-02-29"));
  cr_assert_eq(date_add_months(D("2026-03-31"), -1), D("2026-02-28"));
  cr_assert_eq(date_add_months(D("2026-11-15"), 2), D("2027-01-15"));
  cr_assert_eq(date_add_months(D("2027-01-01"), -2), D("2026-11-01"));
  cr_assert_eq(date_add_months(D("2026-05-31"), 12), D("2027-05-31"));
}

Test(rules_dates, fiscal_year_end) {
  cr_assert_eq(date_fiscal_year_end(D("2026-04-01")), D("2027-03-31"));
  cr_assert_eq(date_fiscal_year_end(D("2027-01-15")), D("2027-03-31"));
  cr_assert_eq(date_fiscal_year_end(D("2027-03-31")), D("2027-03-31"));
  cr_assert_eq(date_fiscal_year_end(D("2026-03-31")), D("2026-03-31"));
}

Test(rules_dates, times_and_japan_time) {
  int64_t t;
  cr_assert_eq(time_parse_hhmm("08:30"), 510);
  cr_assert_eq(time_parse_hhmm("24:00"), 1440);
  cr_assert_eq(time_parse_hhmm("8:30"), -1);
  cr_assert_eq(time_parse_hhmm("12:60"), -1);
  cr_assert_eq(time_parse_hhmm("24:01"), -1);
  cr_assert_eq(clock_parse_instant("2026-03-31T15:00:00Z", &t), 0);
  cr_assert_eq(clock_today(t), D("2026-04-01"), "midnight in Japan is 15:00 UTC");
  cr_assert_eq(clock_minute_of_day(t), 0);
  cr_assert_eq(clock_local(D("2026-04-01"), 0), t);
}

/* ============================================ validation messages */

/* A writable copy of the real rule book as JSON, to break and write out. */
static struct {
  char dir[64];
  json_t *fac, *v1, *v2;
} tb;

static json_t *read_real(const char *name) {
  char path[256];
  json_error_t err;
  snprintf(path, sizeof path, BOOK "/%s", name);
  json_t *j = json_load_file(path, 0, &err);
  cr_assert_not_null(j, "%s: %s", path, err.text);
  return j;
}

static void check_setup(void) {
  snprintf(tb.dir, sizeof tb.dir, "/tmp/kominkan-rules-XXXXXX");
  cr_assert_not_null(mkdtemp(tb.dir));
  tb.fac = read_real("facilities.json");
  tb.v1 = read_real("rules-2026-04-01.json");
  tb.v2 = read_real("rules-2026-10-01.json");
}

static void check_teardown(void) {
  DIR *d = opendir(tb.dir);
  struct dirent *e;
  char path[512];
  while (d && (e = readdir(d)))
    if (e->d_name[0] != '.') {
      snprintf(path, sizeof path, "%s/%s", tb.dir, e->d_name);
      unlink(path);
    }
  if (d) closedir(d);
  rmdir(tb.dir);
  json_decref(tb.fac);
  json_decref(tb.v1);
  json_decref(tb.v2);
}

TestSuite(rules_check, .init = check_setup, .fini = check_teardown);

static void write_json(const char *name, json_t *j) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s", tb.dir, name);
  cr_assert_eq(json_dump_file(j, path, JSON_INDENT(2)), 0, "cannot write %s", path);
}

static void write_text(const char *name, const char *text) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s", tb.dir, name);
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f);
  fputs(text, f);
  fclose(f);
}

static void write_all(void) {
  write_json("facilities.json", tb.fac);
  write_json("rules-2026-04-01.json", tb.v1);
  write_json("rules-2026-10-01.json", tb.v2);
}

/* Load the temporary book, expecting it to be refused; the problems (caller
** decrefs). */
static json_t *refused(void) {
  json_t *problems = NULL;
  struct rulebook *book = rules_load(tb.dir, &problems);
  if (book) rules_free(book);
  cr_assert_null(book, "a broken rule book was accepted");
  cr_assert(json_is_array(problems) && json_array_size(problems) > 0);
  return problems;
}

static int has(json_t *problems, const char *want) {
  for (size_t i = 0; i < json_array_size(problems); i++)
    if (strcmp(json_string_value(json_array_get(problems, i)), want) == 0) return 1;
  return 0;
}

#define expect_problem(p, want) \
  cr_assert(has(p, want), "expected problem\n  %s\ngot:%s", want, joined(p))

/* A slot of version V (0-based I) as a JSON object. */
static json_t *slot(json_t *v, size_t i) {
  return json_array_get(json_object_get(v, "slots"), i);
}

Test(rules_check, unbroken_copy_loads) {
  json_t *problems = NULL;
  write_all();
  struct rulebook *book = rules_load(tb.dir, &problems);
  cr_assert_not_null(book, "problems:%s", joined(problems));
  cr_assert_null(problems);
  rules_free(book);
}

Test(rules_check, bad_hhmm) {
  json_object_set_new(slot(tb.v1, 1), "start", json_string("1300"));
  write_all();
  json_t *p = refused();
  expect_problem(p, "rules-2026-04-01.json: slots[1].start: expected HH:MM");
  cr_assert_eq(json_array_size(p), 1, "only that problem:%s", joined(p));
  json_decref(p);
}

Test(rules_check, unknown_fee_class_on_a_room) {
  json_t *room = json_array_get(
      json_object_get(json_array_get(json_object_get(tb.fac, "centers"), 2), "rooms"), 1);
  json_object_set_new(room, "fee_class", json_string("nosuch"));
  write_all();
  json_t *p = refused();
  expect_problem(p, "facilities.json: centers[2].rooms[1].fee_class: unknown fee class "
                    "\"nosuch\" (not in rules-2026-04-01.json)");
  expect_problem(p, "facilities.json: centers[2].rooms[1].fee_class: unknown fee class "
                    "\"nosuch\" (not in rules-2026-10-01.json)");
  json_decref(p);
}

Test(rules_check, fee_class_missing_from_the_amendment_only) {
  json_object_del(json_object_get(json_object_get(tb.v2, "fees"), "classes"), "gym");
  write_all();
  json_t *p = refused();
  /* ogo (centers[12]) has a 体育室 as its 6th room */
  expect_problem(p, "facilities.json: centers[12].rooms[5].fee_class: unknown fee class \"gym\" "
                    "(not in rules-2026-10-01.json)");
  json_decref(p);
}

Test(rules_check, duplicate_slot_code) {
  json_object_set_new(slot(tb.v2, 2), "code", json_string("morning"));
  write_all();
  json_t *p = refused();
  expect_problem(p, "rules-2026-10-01.json: slots[2].code: duplicate slot code \"morning\" "
                    "(also slots[0])");
  json_decref(p);
}

Test(rules_check, discount_rate_150) {
  json_object_set_new(json_array_get(json_object_get(tb.v1, "discounts"), 0), "rate",
                      json_integer(150));
  write_all();
  json_t *p = refused();
  expect_problem(p, "rules-2026-04-01.json: discounts[0].rate: expected an integer from 1 to 100");
  json_decref(p);
}

Test(rules_check, residents_share_at_least_or_above_not_both) {
  json_object_set_new(json_object_get(tb.v1, "group_registration"), "resident_share_above_percent",
                      json_integer(50));
  write_all();
  json_t *p = refused();
  expect_problem(p, "rules-2026-04-01.json: group_registration: give "
                    "resident_share_at_least_percent or resident_share_above_percent, not both");
  json_decref(p);
}

Test(rules_check, closed_day_counter_open_or_closed) {
  json_object_set_new(json_array_get(json_object_get(tb.v1, "closed"), 0), "counter",
                      json_string("sometimes"));
  write_all();
  json_t *p = refused();
  expect_problem(p, "rules-2026-04-01.json: closed[0].counter: expected \"open\" or \"closed\"");
  json_decref(p);
}

Test(rules_check, invalid_json_with_line_and_column) {
  write_json("facilities.json", tb.fac);
  write_json("rules-2026-10-01.json", tb.v2);
  write_text("rules-2026-04-01.json", "{\n  \"version\": \"2026-04-01\",\n  \"slots\": [,]\n}\n");
  json_t *p = refused();
  expect_problem(p, "rules-2026-04-01.json: line 3 column 13: unexpected token near ','");
  json_decref(p);
}

Test(rules_check, missing_facilities_json) {
  write_json("rules-2026-04-01.json", tb.v1);
  json_t *p = refused();
  expect_problem(p, "facilities.json: cannot open: No such file or directory");
  json_decref(p);
}

Test(rules_check, no_rules_file) {
  write_json("facilities.json", tb.fac);
  json_t *p = refused();
  char want[128];
  snprintf(want, sizeof want, "%s: no rules-YYYY-MM-DD.json file in this directory", tb.dir);
  expect_problem(p, want);
  json_decref(p);
}

Test(rules_check, effective_from_must_match_the_file_name) {
  json_object_set_new(tb.v2, "effective_from", json_string("2026-10-02"));
  write_all();
  json_t *p = refused();
  expect_problem(p, "rules-2026-10-01.json: effective_from: 2026-10-02 does not match the date "
                    "in the file name (2026-10-01)");
  json_decref(p);
}

Test(rules_check, bad_file_name_date) {
  write_all();
  write_json("rules-2026-02-30.json", tb.v1);
  json_t *p = refused();
  expect_problem(p, "rules-2026-02-30.json: file name: expected rules-YYYY-MM-DD.json with a "
                    "real date");
  json_decref(p);
}

Test(rules_check, every_problem_is_reported) {
  json_t *closed0 = json_array_get(json_object_get(tb.v1, "closed"), 0);
  json_object_set_new(closed0, "nth", json_pack("[i,i]", 1, 6));
  json_object_set_new(json_object_get(tb.v1, "booking_window"), "lottery", json_object());
  json_object_set_new(tb.v1, "lotery", json_null());
  json_object_del(json_object_get(tb.v1, "holds"), "max_per_user");
  json_object_set_new(json_object_get(tb.v1, "counter_hours"), "close", json_string("08:00"));
  json_t *c0 = json_array_get(json_object_get(tb.fac, "centers"), 0);
  json_t *c1 = json_array_get(json_object_get(tb.fac, "centers"), 1);
  json_object_set_new(c1, "code", json_string("chuo"));
  json_object_set_new(c0, "kana", json_string("中央"));
  json_object_set_new(json_array_get(json_object_get(c0, "rooms"), 0), "kind",
                      json_string("倉庫"));
  json_object_set_new(json_array_get(json_object_get(c1, "rooms"), 2), "code",
                      json_string("kaigi1"));
  write_all();
  json_t *p = refused();
  expect_problem(p, "rules-2026-04-01.json: closed[0].nth[1]: expected an integer from 1 to 5");
  expect_problem(p, "rules-2026-04-01.json: booking_window.lottery.rounds: required key missing");
  expect_problem(p, "rules-2026-04-01.json: lotery: unknown key");
  expect_problem(p, "rules-2026-04-01.json: holds.max_per_user: required key missing");
  expect_problem(p, "rules-2026-04-01.json: counter_hours.close: must be later than open");
  expect_problem(p, "facilities.json: centers[1].code: duplicate centre code \"chuo\" "
                    "(also centers[0])");
  expect_problem(p, "facilities.json: centers[0].kana: expected hiragana or katakana only");
  expect_problem(p, "facilities.json: centers[0].rooms[0].kind: unknown room kind \"倉庫\" "
                    "(expected ホール, 会議室, 和室, 料理室, 視聴覚室, 学習室, 実習室 or 体育室)");
  expect_problem(p, "facilities.json: centers[1].rooms[2].code: duplicate room code \"kaigi1\" "
                    "in centre \"chuo\"");
  cr_assert_eq(json_array_size(p), 9, "exactly these problems:%s", joined(p));
  json_decref(p);
}

Test(rules_check, wrong_types_and_ranges) {
  json_object_set_new(slot(tb.v1, 0), "end", json_string("08:00"));
  json_object_set_new(json_object_get(tb.v1, "same_day"), "online", json_string("yes"));
  json_object_set_new(json_object_get(json_object_get(tb.v1, "booking_window"), "opens"), "day",
                      json_integer(31));
  json_object_set_new(json_array_get(json_object_get(tb.v1, "closed"), 1), "to",
                      json_string("02-30"));
  json_object_set_new(json_array_get(json_object_get(tb.v1, "campaign_days"), 0), "weekday",
                      json_string("monday"));
  write_all();
  json_t *p = refused();
  expect_problem(p, "rules-2026-04-01.json: slots[0].end: must be later than start");
  expect_problem(p, "rules-2026-04-01.json: same_day.online: expected true or false");
  expect_problem(p, "rules-2026-04-01.json: booking_window.opens.day: expected an integer from "
                    "1 to 28");
  expect_problem(p, "rules-2026-04-01.json: closed[1].to: expected a real month and day MM-DD");
  expect_problem(p, "rules-2026-04-01.json: campaign_days[0].weekday: expected a weekday: sun, "
                    "mon, tue, wed, thu, fri or sat");
  json_decref(p);
}

Test(rules_check, other_shapes_of_valid_rules) {
  json_t *w = json_object_get(tb.v1, "booking_window");
  json_object_set_new(w, "online_until", json_pack("{s:i}", "minutes_before_start", 30));
  json_object_set_new(json_object_get(tb.v1, "cancellation"), "after_deadline",
                      json_pack("{s:s}", "action", "refused"));
  json_array_append_new(json_object_get(tb.v1, "closed"),
                        json_pack("{s:s, s:s, s:s, s:s}", "kind", "date", "date", "2026-05-12",
                                  "center", "ogo", "label", "工事のため休館"));
  write_all();
  json_t *problems = NULL;
  struct rulebook *book = rules_load(tb.dir, &problems);
  cr_assert_not_null(book, "problems:%s", joined(problems));
  const struct rules *r = rules_in_force(book, D("2026-05-12"));
  const char *why = NULL;
  cr_assert_eq(r->online_until_min, 30);
  cr_assert_eq(r->cancel_after_deadline_fee, -1);
  cr_assert(rules_closed(r, "ogo", D("2026-05-12"), &why));
  cr_assert_str_eq(why, "工事のため休館");
  cr_assert_not(rules_closed(r, "chuo", D("2026-05-12"), NULL), "only ogo is closed");
  cr_assert_not(rules_closed(r, NULL, D("2026-05-12"), NULL), "not a closure of every centre");
  json_t *pub = rules_public_json(r);
  const char *desc =
      json_string_value(json_object_get(json_object_get(pub, "cancellation"), "description"));
  cr_assert(strstr(desc, "取り消せません"), "%s", desc);
  json_decref(pub);
  rules_free(book);
}

Test(rules_check, closure_of_an_unknown_centre) {
  json_array_append_new(json_object_get(tb.v2, "closed"),
                        json_pack("{s:s, s:s, s:s, s:s}", "kind", "date", "date", "2026-11-10",
                                  "center", "atlantis", "label", "休館"));
  write_all();
  json_t *p = refused();
  expect_problem(p, "rules-2026-10-01.json: closed[2].center: unknown centre \"atlantis\" "
                    "(not in facilities.json)");
  json_decref(p);
}

Test(rules, cancel_fee_rounds_down_to_the_yen_like_the_exemption) {
  const struct rules *r = rules_in_force(rb, date_from_ymd(2026, 6, 1));
  cr_assert_not_null(r);
  cr_assert_eq(r->cancel_after_deadline_fee, 50);
  cr_assert_eq(rules_cancel_fee(r, 400), 200);
  cr_assert_eq(rules_cancel_fee(r, 161), 80, "80.5 yen is 80 (rounded down)");
  cr_assert_eq(rules_cancel_fee(r, 1), 0);
  cr_assert_eq(rules_cancel_fee(r, 0), 0);
  /* the same rounding as the exemption: what is paid is rounded down */
  cr_assert_eq(161 - discount_yen(161, 50), 80);
}
