/*
** tests/unit/test_trail.c: the audit trail (core/trail.c) and the holiday
** list (core/rules.c rules_holiday): rows chain, verify finds an edited or a
** removed row, only desk actors are recorded; the holidays the issue names.
*/
#include "fixture.h"

#include <dirent.h>

#include "../../backend/core/audit.h"
#include "../../backend/core/trail.h"

TestSuite(trail, .init = fixture_setup, .fini = fixture_teardown);

static void write_rows(int n) {
  act_as(ROLE_STAFF, 123456782);
  snprintf(ctx.actor.name, sizeof ctx.actor.name, "窓口 一");
  snprintf(ctx.actor.home_center, sizeof ctx.actor.home_center, "chuo");
  for (int i = 0; i < n; i++) {
    cr_assert_eq(db_begin_write(db), DB_OK);
    cr_assert_eq(trail_record(&ctx, "booking.cancel", "booking:1", 987654324, "{\"x\":1}"), 0);
    cr_assert_eq(db_commit(db), DB_OK);
  }
}

Test(trail, rows_chain_and_verify) {
  int64_t bad = 0;
  char why[256];
  write_rows(3);
  cr_assert_eq(trail_verify(db, &bad, why, sizeof why), 0, "%s", why);
  cr_assert_eq(bad, 3, "rows checked");
}

Test(trail, an_edited_row_breaks_the_chain) {
  int64_t bad = 0;
  char why[256];
  write_rows(3);
  cr_assert_neq(db_exec(db, "UPDATE audit_trail SET actor_name = 'x' WHERE id = 2"), DB_OK,
                "the trigger refuses");
  cr_assert_eq(db_exec(db, "DROP TRIGGER audit_trail_no_update"), DB_OK);
  cr_assert_eq(db_exec(db, "UPDATE audit_trail SET actor_name = 'x' WHERE id = 2"), DB_OK);
  cr_assert_eq(trail_verify(db, &bad, why, sizeof why), 1);
  cr_assert_eq(bad, 2, "%s", why);
}

Test(trail, a_removed_row_breaks_the_chain) {
  int64_t bad = 0;
  char why[256];
  write_rows(3);
  cr_assert_eq(db_exec(db, "DROP TRIGGER audit_trail_no_delete"), DB_OK);
  cr_assert_eq(db_exec(db, "DELETE FROM audit_trail WHERE id = 2"), DB_OK);
  cr_assert_eq(trail_verify(db, &bad, why, sizeof why), 1);
  cr_assert_eq(bad, 2, "%s", why);
}

Test(trail, citizens_actions_are_not_in_the_trail_but_staff_views_are) {
  int64_t who[] = {987654324, 987654324, 0};
  act_as(ROLE_CITIZEN, 987654324);
  cr_assert_eq(audit_event(&ctx, "booking.hold", NULL), 0);
  cr_assert_eq(trail_view(&ctx, "counter.today.view", "center:chuo", who, 3), 0);
  act_as(ROLE_STAFF, 123456782);
  cr_assert_eq(trail_view(&ctx, "counter.today.view", "center:chuo", who, 3), 0);
  json_t *out = NULL;
  struct kerrinfo ei = {0};
  struct trail_filter f = {0};
  cr_assert_eq(trail_list(&ctx, &f, &out, &ei), 0);
  /* one row for the view and one for the one distinct holder */
  cr_assert_eq(json_array_size(json_object_get(out, "entries")), 2);
  json_decref(out);
}

Test(trail, holidays_the_issue_names) {
  static const char *const yes[] = {"2026-04-29", "2027-01-11", "2026-05-06", "2026-09-22",
                                    "2020-07-24", "2027-03-22", NULL};
  static const char *const no[] = {"2026-04-28", "2027-01-12", "2026-05-07", "2020-10-12", NULL};
  int32_t d;
  const struct rules *r = rules_in_force(rb, 0x7fffffff);
  for (int i = 0; yes[i]; i++) {
    cr_assert_eq(date_parse(yes[i], &d), 0);
    cr_assert_not_null(rules_holiday(r, d), "%s is a holiday", yes[i]);
  }
  for (int i = 0; no[i]; i++) {
    cr_assert_eq(date_parse(no[i], &d), 0);
    cr_assert_null(rules_holiday(r, d), "%s is not a holiday", no[i]);
  }
  cr_assert(r->counter_closed_on_holidays);
  cr_assert_eq(date_parse("2026-04-29", &d), 0);
  cr_assert(!rules_closed(r, "chuo", d, NULL), "rooms stay open on holidays");
  cr_assert(!rules_counter_open(r, clock_local(d, 10 * 60)));
  cr_assert(rules_counter_open(r, clock_local(d - 1, 10 * 60)));
}

Test(trail, counter_hours_in_one_wording_that_names_holidays_only_when_closed_on_them) {
  struct rules copy = *rules_in_force(rb, 0x7fffffff);
  char out[256];
  rules_counter_hours_text(&copy, out, sizeof out);
  cr_assert_str_eq(out, "月・火・水・木・金曜日の 8:30 から 17:15 まで"
                        "（祝日・休館日を除く。第1・第3月曜日は休館日でも受け付けます）");
  copy.counter_closed_on_holidays = 0; /* a rule book that keeps the counter open on holidays */
  struct closed_rule closed[2];
  for (int i = 0; i < copy.nclosed && i < 2; i++) closed[i] = copy.closed[i], closed[i].counter_open = 0;
  copy.closed = closed; /* ... and closed on every closing day */
  rules_counter_hours_text(&copy, out, sizeof out);
  cr_assert_str_eq(out, "月・火・水・木・金曜日の 8:30 から 17:15 まで（休館日を除く）");
  rules_counter_hours_text(NULL, out, sizeof out);
  cr_assert_str_eq(out, "");
}

/* ------------------------------------------------- actions in words */

Test(trail, an_action_in_words_and_an_unknown_one_as_it_is) {
  cr_assert_str_eq(trail_action_label("booking.cancel"), "予約の取り消し");
  cr_assert_str_eq(trail_action_label("counter.payment"), "使用料の受け取り");
  cr_assert(trail_action_known("user.search"));
  cr_assert(!trail_action_known("booking.teleport"));
  cr_assert(!trail_action_known(NULL));
  cr_assert_str_eq(trail_action_label("booking.teleport"), "booking.teleport");
  cr_assert_str_eq(trail_action_label(NULL), "");
}

/* The action codes written in backend/core (string literals "group.approve"
** of the namespaces below): each must have its words in trail.c's table, so
** /admin/audit and a citizen's disclosure never show a bare code. */
static const char *const namespaces[] = {"account", "password", "session", "identity", "user",
                                         "booking", "permit",   "counter", "group",    "discount",
                                         "closure", "course",   "round",   "form",     NULL};

static void check_literals(const char *path, int *seen) {
  FILE *f = fopen(path, "r");
  cr_assert_not_null(f, "%s", path);
  char line[4096];
  while (fgets(line, sizeof line, f)) {
    if (!strncmp(line, "#include", 8)) continue;
    for (char *q = strchr(line, '"'); q; q = strchr(q + 1, '"')) {
      char *e = strchr(q + 1, '"');
      if (!e) break;
      size_t n = (size_t)(e - q - 1);
      char lit[96];
      if (n == 0 || n >= sizeof lit) continue;
      memcpy(lit, q + 1, n);
      lit[n] = 0;
      int shape = strchr(lit, '.') != NULL;
      for (const char *c = lit; *c && shape; c++) shape = (*c >= 'a' && *c <= 'z') || *c == '_' || *c == '.';
      const char *dot = strchr(lit, '.');
      for (int i = 0; shape && namespaces[i]; i++)
        if (strlen(namespaces[i]) == (size_t)(dot - lit) && !strncmp(lit, namespaces[i], (size_t)(dot - lit))) {
          cr_expect(trail_action_known(lit), "%s: action %s has no words in core/trail.c", path, lit);
          (*seen)++;
        }
      q = e;
    }
  }
  fclose(f);
}

Test(trail, every_action_the_code_writes_has_words) {
  DIR *d = opendir("backend/core");
  cr_assert_not_null(d, "run from the repository's root");
  int seen = 0;
  struct dirent *de;
  while ((de = readdir(d))) {
    size_t n = strlen(de->d_name);
    if (n < 3 || strcmp(de->d_name + n - 2, ".c")) continue;
    char path[512];
    snprintf(path, sizeof path, "backend/core/%s", de->d_name);
    check_literals(path, &seen);
  }
  closedir(d);
  cr_assert_gt(seen, 50, "the scan found the actions (%d)", seen);
}
