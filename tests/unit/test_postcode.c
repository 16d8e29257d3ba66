/*
** Unit tests for the postcode search of core/facilities.c (issue 13, "near
** me"): reading a postcode as people type it, and the centres near one, on
** Maebashi's rule book (ordinances/maebashi; the tests run from the
** repository root).
*/
#include <criterion/criterion.h>
#include <string.h>

#include "../../backend/core/facilities.h"

static struct rulebook *rb;

static void setup(void) {
  json_t *problems = NULL;
  rb = rules_load("ordinances/maebashi", &problems);
  cr_assert_not_null(rb, "rule book: %s", problems ? json_dumps(problems, 0) : "?");
}

static void teardown(void) { rules_free(rb); }

TestSuite(postcode, .init = setup, .fini = teardown);

Test(postcode, postcode_is_read_as_typed) {
  char pc[9];
  static const char *const good[] = {"371-0023", "3710023", "〒371-0023", "〒 371-0023",
                                     "３７１－００２３", "371 0023", "３７１ー００２３", NULL};
  for (const char *const *g = good; *g; g++) {
    memset(pc, 'x', sizeof pc);
    cr_assert_eq(facilities_postcode_parse(*g, pc), 0, "%s", *g);
    cr_assert_str_eq(pc, "371-0023", "%s", *g);
  }
  static const char *const bad[] = {"", "371", "371-002", "371-00234", "37-10023", "abc-defg",
                                    "371--0023", "371-0023-", "-3710023", "371-00２x", NULL};
  for (const char *const *b = bad; *b; b++)
    cr_assert_eq(facilities_postcode_parse(*b, pc), -1, "%s", *b);
}

Test(postcode, every_centre_of_the_rule_book_has_a_postcode) {
  for (int c = 0; c < rb->ncenters; c++)
    cr_assert_eq(strlen(rb->centers[c].postcode), 8, "%s", rb->centers[c].code);
}

Test(postcode, a_centres_own_postcode_finds_it_first) {
  for (int c = 0; c < rb->ncenters; c++) {
    const struct center *near[3];
    int n = facilities_near(rb, rb->centers[c].postcode, near, 3);
    cr_assert_geq(n, 1);
    cr_assert_eq(near[0], &rb->centers[c], "%s", rb->centers[c].code);
  }
}

Test(postcode, near_ranks_by_shared_digits_then_difference) {
  const struct center *near[3];
  /* 371-0240 (宮城の近く): 371-0244 鼻毛石町 shares 6 digits; 堀越町 371-0231 and
  ** 粕川町 371-0217 share 5 (0231 is nearer) */
  int n = facilities_near(rb, "371-0240", near, 3);
  cr_assert_eq(n, 3);
  cr_assert_str_eq(near[0]->code, "miyagi");
  cr_assert_str_eq(near[1]->code, "ogo");
  cr_assert_str_eq(near[2]->code, "kasukawa");
  /* the south-east (379-21xx): 379-2150 → 天川大島町 379-2154, 下川町 379-2144, 野中町 379-2166 */
  n = facilities_near(rb, "379-2150", near, 3);
  cr_assert_eq(n, 3);
  cr_assert_str_eq(near[0]->code, "higashi");
  cr_assert_str_eq(near[1]->code, "shimokawabuchi");
  cr_assert_str_eq(near[2]->code, "jonan");
  /* MAX bounds the answer */
  cr_assert_eq(facilities_near(rb, "371-0240", near, 1), 1);
  cr_assert_str_eq(near[0]->code, "miyagi");
}

Test(postcode, a_postcode_of_another_city_finds_none) {
  const struct center *near[3];
  cr_assert_eq(facilities_near(rb, "100-0001", near, 3), 0, "千代田区");
  cr_assert_eq(facilities_near(rb, "380-0846", near, 3), 0, "長野市");
}

Test(postcode, catalogue_json_carries_the_postcode) {
  json_t *j = facilities_json(rb);
  json_t *ce = json_array_get(json_object_get(j, "centers"), 0);
  cr_assert_str_eq(json_string_value(json_object_get(ce, "postcode")), "371-0023");
  json_decref(j);
}
