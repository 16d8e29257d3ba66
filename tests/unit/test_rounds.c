/*
** tests/unit/test_rounds.c: the allocation of the monthly round
** (core/rounds.c rounds_allocate) alone: a slot goes once, a slot booked
** before the close goes to nobody, and a group never wins more than the cap,
** even when it asked for more.
*/
#include "fixture.h"

#include "../../backend/core/rounds.h"

TestSuite(rounds);

static int wins(const struct round_entry *e, int n, int64_t group) {
  int k = 0;
  for (int i = 0; i < n; i++) k += e[i].group == group && e[i].won;
  return k;
}

Test(rounds, uncontested_win_and_a_slot_goes_once) {
  struct round_entry e[] = {
      {.app = 1, .group = 10, .slot = 0}, /* alone on slot 0 */
      {.app = 4, .group = 11, .slot = 1}, /* slot 1, first in rank */
      {.app = 2, .group = 12, .slot = 1},
      {.app = 3, .group = 10, .slot = 1},
  };
  cr_assert_eq(rounds_allocate(e, 4, 2, 2), 0);
  cr_assert(e[0].won && e[0].outcome == ROUND_OUTCOME_NONE);
  cr_assert(e[1].won);
  cr_assert(!e[2].won);
  cr_assert_eq(e[2].outcome, ROUND_OUTCOME_DRAWN);
  cr_assert_eq(e[3].outcome, ROUND_OUTCOME_DRAWN);
  cr_assert_str_eq(round_outcome_name(e[2].outcome), "drawn");
}

Test(rounds, a_group_never_wins_more_than_the_cap) {
  /* group 7 asks for 5 free slots, first in every rank; cap 2 */
  struct round_entry e[10];
  int n = 0;
  for (int s = 0; s < 5; s++) {
    e[n++] = (struct round_entry){.app = 100 + s, .group = 7, .slot = s};
    e[n++] = (struct round_entry){.app = 200 + s, .group = 8 + s, .slot = s};
  }
  cr_assert_eq(rounds_allocate(e, n, 5, 2), 0);
  cr_assert_eq(wins(e, n, 7), 2);
  for (int i = 0; i < n; i++)
    if (e[i].group == 7 && !e[i].won) cr_assert_eq(e[i].outcome, ROUND_OUTCOME_CAP);
  /* the slots group 7 could not take went to the next in rank */
  for (int s = 2; s < 5; s++) cr_assert(e[2 * s + 1].won, "slot %d unused", s);
  for (int g = 8; g < 13; g++) cr_assert_leq(wins(e, n, g), 2);
}

Test(rounds, a_slot_booked_before_the_close_goes_to_nobody) {
  struct round_entry e[] = {
      {.app = 1, .group = 1, .slot = 0, .taken = 1},
      {.app = 2, .group = 2, .slot = 0, .taken = 1},
      {.app = 3, .group = 1, .slot = 1},
  };
  cr_assert_eq(rounds_allocate(e, 3, 2, 1), 0);
  cr_assert(!e[0].won && !e[1].won);
  cr_assert_eq(e[0].outcome, ROUND_OUTCOME_TAKEN);
  cr_assert(e[2].won, "the taken slot does not count against the cap");
}

Test(rounds, nothing_to_allocate) {
  cr_assert_eq(rounds_allocate(NULL, 0, 0, 3), 0);
}
