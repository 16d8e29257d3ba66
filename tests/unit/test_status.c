/*
** Unit tests for core/status.c: every stored status name has its enum and
** back, and the names are exactly those the schema's CHECK constraints allow
** (the tests run from the repository root and read schema/).
*/
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../backend/core/status.h"

/* The text of FILE, NUL-terminated; the caller frees. */
static char *slurp(const char *file) {
  FILE *f = fopen(file, "rb");
  cr_assert_not_null(f, "%s", file);
  static char buf[1 << 16];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  return strdup(buf);
}

/* The quoted names of the CHECK (status IN (...)) that follows MARK in FILE,
** as "|a|b|c|". */
static void check_list(const char *file, const char *mark, char *out, size_t n) {
  char *sql = slurp(file), *p = strstr(sql, mark);
  cr_assert_not_null(p, "%s: %s", file, mark);
  if (!strstr(mark, " IN")) p = strstr(p, "status IN");   /* else MARK names its column */
  cr_assert_not_null(p);
  char *end = strchr(p, ')');
  snprintf(out, n, "|");
  for (char *q = strchr(p, '\''); q && q < end; q = strchr(q + 1, '\'')) {
    char *e = strchr(q + 1, '\'');
    strncat(out, q + 1, (size_t)(e - q - 1));
    strcat(out, "|");
    q = e;
  }
  free(sql);
}

#define ROUND_TRIP(file, mark, first, last, parse, name, unknown)                     \
  do {                                                                               \
    char names[256], want[256];                                                      \
    check_list(file, mark, names, sizeof names);                                     \
    snprintf(want, sizeof want, "|");                                                \
    for (int s = first; s <= last; s++) {                                            \
      const char *nm = name(s);                                                      \
      cr_assert_eq((int)parse(nm), s, "%s", nm);                                     \
      char bar[40];                                                                  \
      snprintf(bar, sizeof bar, "|%s|", nm);                                         \
      cr_assert_not_null(strstr(names, bar), "%s not allowed by %s: %s", nm, file, names); \
      strcat(want, nm);                                                              \
      strcat(want, "|");                                                             \
    }                                                                                \
    cr_assert_eq(strlen(want), strlen(names), "%s allows %s, the enum has %s", file, names, want); \
    cr_assert_eq((int)parse(NULL), unknown);                                         \
    cr_assert_eq((int)parse("unknown"), unknown);                                    \
    cr_assert_eq((int)parse("APPROVED"), unknown);                                   \
    cr_assert_eq((int)parse(""), unknown);                                           \
    cr_assert_str_eq(name(last + 1), "unknown");                                     \
    cr_assert_str_eq(name(unknown), "unknown");                                      \
  } while (0)

Test(status, review_matches_the_schema) {
  ROUND_TRIP("schema/002_identity.sql", "status            TEXT", REVIEW_PENDING, REVIEW_REJECTED,
             review_status_parse, review_status_name, REVIEW_UNKNOWN);
  ROUND_TRIP("schema/007_discounts.sql", "status          TEXT", REVIEW_PENDING, REVIEW_REJECTED,
             review_status_parse, review_status_name, REVIEW_UNKNOWN);
}

Test(status, course_applications_match_the_schema) {
  ROUND_TRIP("schema/016_courses.sql", "CREATE TABLE course_applications", COURSE_APP_APPLIED,
             COURSE_APP_LAPSED, course_app_status_parse, course_app_status_name,
             COURSE_APP_UNKNOWN);
}

Test(status, round_applications_match_the_schema) {
  ROUND_TRIP("schema/021_rounds.sql", "status        TEXT", ROUND_APP_APPLIED, ROUND_APP_LOST,
             round_app_status_parse, round_app_status_name, ROUND_APP_UNKNOWN);
}

Test(status, round_states_outcomes_and_allocations_round_trip) {
  static const char *const states[] = {"open", "closing", "closed"};
  for (int i = 0; i < 3; i++)
    cr_assert_str_eq(round_state_name(round_state_parse(states[i])), states[i]);
  cr_assert_eq(round_state_parse("drawn"), ROUND_STATE_UNKNOWN);
  static const char *const outcomes[] = {"taken", "drawn", "cap"};
  for (int i = 0; i < 3; i++)
    cr_assert_str_eq(round_outcome_name(round_outcome_parse(outcomes[i])), outcomes[i]);
  cr_assert_eq(round_outcome_parse(NULL), ROUND_OUTCOME_NONE);
  cr_assert_null(round_outcome_name(ROUND_OUTCOME_NONE));
  cr_assert_eq(course_allocation_parse("lottery"), COURSE_ALLOC_LOTTERY);
  cr_assert_eq(course_allocation_parse("first_come"), COURSE_ALLOC_FIRST_COME);
  cr_assert_eq(course_allocation_parse("random"), COURSE_ALLOC_UNKNOWN);
  cr_assert_str_eq(course_allocation_name(COURSE_ALLOC_FIRST_COME), "first_come");
}

Test(status, group_roles_round_trip) {
  cr_assert_eq(group_role_parse("representative"), GROUP_ROLE_REP);
  cr_assert_eq(group_role_parse("co_representative"), GROUP_ROLE_COREP);
  cr_assert_eq(group_role_parse(NULL), GROUP_ROLE_NONE);
  cr_assert_str_eq(group_role_name(GROUP_ROLE_REP), "representative");
  cr_assert_null(group_role_name(GROUP_ROLE_NONE));
}

Test(status, closures_match_the_schema) {
  ROUND_TRIP("schema/025_closures.sql", "CHECK (bookings IN", CLOSURE_CANCEL, CLOSURE_FLAG,
             closure_mode_parse, closure_mode_name, CLOSURE_MODE_UNKNOWN);
  ROUND_TRIP("schema/025_closures.sql", "CHECK (outcome IN", CLOSURE_CANCELLED, CLOSURE_FLAGGED,
             closure_outcome_parse, closure_outcome_name, CLOSURE_OUTCOME_UNKNOWN);
}
