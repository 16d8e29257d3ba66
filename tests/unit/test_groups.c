/*
** tests/unit/test_groups.c: group registration (core/groups.c): the
** residency rule at its boundaries, validity to the fiscal year end,
** approval, rejection, renewal, co-representatives and who may see a group.
*/
#include "fixture.h"

#include "../../backend/core/accounts.h"
#include "../../backend/core/groups.h"
#include "../../backend/core/ids.h"

TestSuite(groups, .init = fixture_setup, .fini = fixture_teardown);

static int32_t D(const char *s) {
  int32_t d = 0;
  cr_assert_eq(date_parse(s, &d), 0, "%s", s);
  return d;
}

static const struct rules *book(void) { return rules_in_force(rb, D("2026-04-08")); }

/* RULE: group registration: at least 2 members, residents half or more
** (the working group's 半数以上が本市). */
Test(groups, residency_rule_boundaries_from_the_rule_book) {
  char m[512];
  const struct rules *r = book();
  cr_assert_eq(r->group_min_members, 2, "the fixture assumes Maebashi's rule");
  cr_assert_eq(r->group_resident_percent, 50);
  cr_assert(r->group_resident_at_least);
  cr_assert_eq(groups_eligible(r, 2, 2, m, sizeof m), 0);
  cr_assert_eq(groups_eligible(r, 2, 1, m, sizeof m), 0, "exactly half is 半数以上");
  cr_assert_eq(groups_eligible(r, 3, 2, m, sizeof m), 0);
  cr_assert_eq(groups_eligible(r, 3, 1, m, sizeof m), KERR_RESIDENCY, "a third is less than half");
  cr_assert_eq(groups_eligible(r, 4, 2, m, sizeof m), 0);
  cr_assert_eq(groups_eligible(r, 4, 1, m, sizeof m), KERR_RESIDENCY);
  cr_assert_eq(groups_eligible(r, 101, 50, m, sizeof m), KERR_RESIDENCY, "50 of 101 is under half");
  cr_assert_eq(groups_eligible(r, 100, 50, m, sizeof m), 0);
  cr_assert_eq(groups_eligible(r, 1, 1, m, sizeof m), KERR_RESIDENCY, "one person is no group");
  cr_assert(strstr(m, "2人以上") && strstr(m, "半数以上であること"), "the rule is in the message: %s", m);
  cr_assert(strstr(m, "構成員1人のうち市内の人が1人"), "%s", m);
}

Test(groups, a_rule_book_may_ask_for_more_than_a_share_instead) {
  struct rules r = *book();
  char m[512];
  r.group_resident_at_least = 0; /* resident_share_above_percent: 50 */
  cr_assert_eq(groups_eligible(&r, 2, 1, m, sizeof m), KERR_RESIDENCY, "exactly half is not more");
  cr_assert(strstr(m, "半数を超える人数であること"), "%s", m);
  cr_assert_eq(groups_eligible(&r, 3, 2, m, sizeof m), 0);
  cr_assert_eq(groups_eligible(&r, 100, 50, m, sizeof m), KERR_RESIDENCY);
}

Test(groups, the_rule_is_data) {
  struct rules r = *book();
  r.group_min_members = 5;
  r.group_resident_percent = 66;
  r.group_resident_at_least = 0;
  char m[512];
  cr_assert_eq(groups_eligible(&r, 4, 4, m, sizeof m), KERR_RESIDENCY);
  cr_assert_eq(groups_eligible(&r, 6, 4, m, sizeof m), 0, "4/6 = 66.7%% > 66%%");
  cr_assert_eq(groups_eligible(&r, 50, 33, m, sizeof m), KERR_RESIDENCY, "66%% is not above 66%%");
  cr_assert(strstr(m, "5人以上") && strstr(m, "66%を超える人数"), "%s", m);
  r.group_validity = VALID_DAYS;
  r.group_validity_days = 365;
  cr_assert_eq(groups_validity_end(&r, D("2026-04-08")), D("2027-04-07"));
}

/* RULE: one approval valid until the fiscal year end (31 March). */
Test(groups, validity_ends_on_the_fiscal_year_end) {
  const struct rules *r = book();
  cr_assert_eq(groups_validity_end(r, D("2026-04-01")), D("2027-03-31"));
  cr_assert_eq(groups_validity_end(r, D("2027-03-31")), D("2027-03-31"));
  cr_assert_eq(groups_validity_end(r, D("2027-01-15")), D("2027-03-31"));
  cr_assert_eq(groups_validity_end(r, D("2027-04-01")), D("2028-03-31"));
}

static json_t *body(const char *text) {
  json_error_t e;
  json_t *j = json_loads(text, 0, &e);
  cr_assert(j, "bad test JSON: %s", e.text);
  return j;
}

static int64_t rep, staff, stranger, friend_;

static int64_t register_group(const char *json, int expect) {
  struct kerrinfo ei = {0};
  int64_t id = 0;
  act_as(ROLE_CITIZEN, rep);
  json_t *in = body(json);
  int rc = groups_register(&ctx, in, &id, &ei);
  cr_assert_eq(rc, expect, "register: %d %s", rc, ei.message);
  json_decref(in);
  kerr_clear(&ei);
  return id;
}

static void people(void) {
  rep = quick_account(ROLE_CITIZEN, "代表 一郎", "x-password-123");
  staff = quick_account(ROLE_STAFF, "職員 二郎", "x-password-123");
  stranger = quick_account(ROLE_CITIZEN, "他人 三郎", "x-password-123");
  friend_ = quick_account(ROLE_CITIZEN, "友人 四郎", "x-password-123");
}

#define TANKA "{\"name\":\"前橋短歌の会\",\"name_kana\":\"まえばしたんかのかい\",\"members\":%d,"    \
              "\"resident_members\":%d,\"activity\":\"短歌\",\"public_listing\":true}"

static int64_t tanka(int members, int residents, int expect) {
  char j[512];
  snprintf(j, sizeof j, TANKA, members, residents);
  return register_group(j, expect);
}

Test(groups, register_checks_fields_then_the_rule_and_stores_nothing_on_error) {
  people();
  struct kerrinfo ei = {0};
  int64_t id;
  act_as(ROLE_CITIZEN, rep);
  json_t *in = body("{\"name\":\"\",\"name_kana\":\"Tanka\",\"members\":\"two\","
                    "\"resident_members\":-1,\"public_listing\":\"perhaps\"}");
  cr_assert_eq(groups_register(&ctx, in, &id, &ei), KERR_VALIDATION);
  cr_assert(json_object_get(ei.fields, "name") && json_object_get(ei.fields, "name_kana") &&
            json_object_get(ei.fields, "members") && json_object_get(ei.fields, "resident_members") &&
            json_object_get(ei.fields, "public_listing"));
  kerr_clear(&ei);
  json_decref(in);
  in = body("{\"name\":\"会\",\"name_kana\":\"かい\",\"members\":3,\"resident_members\":4}");
  cr_assert_eq(groups_register(&ctx, in, &id, &ei), KERR_VALIDATION);
  cr_assert(strstr(json_string_value(json_object_get(ei.fields, "resident_members")), "より多く"));
  kerr_clear(&ei);
  json_decref(in);
  tanka(4, 1, KERR_RESIDENCY);
  cr_assert_eq(count("SELECT count(*) FROM groups"), 0);
  cr_assert_eq(count("SELECT count(*) FROM events"), 0);
  /* a JSON body says yes with true: a string is refused, not guessed */
  cr_assert_eq(register_group("{\"name\":\"会\",\"name_kana\":\"かい\",\"members\":3,"
                              "\"resident_members\":2,\"public_listing\":\"yes\"}",
                              KERR_VALIDATION), 0);
  cr_assert_eq(count("SELECT count(*) FROM groups"), 0);
  /* form posts (ctx.form) send numbers and checkboxes as strings */
  ctx.form = 1;
  int64_t g = register_group("{\"name\":\"会\",\"name_kana\":\"かい\",\"members\":\"３\","
                             "\"resident_members\":\"2\",\"public_listing\":\"on\"}", 0);
  ctx.form = 0;
  cr_assert(ids_valid(g));
}

/* The registration form's key: a repeat of the same post gives the first
** group and makes nothing; the key with other details is a conflict; a key
** is its holder's own; a failing THEN leaves no group behind. */
static int fail_then(struct kctx *c, int64_t id, void *arg, struct kerrinfo *ei) {
  (void)c, (void)id, (void)arg, (void)ei;
  return KERR_INTERNAL;
}

Test(groups, a_repeated_form_key_gives_the_first_group) {
  people();
  struct kerrinfo ei = {0};
  int64_t id = 0, again = 0, other = 0;
  int replayed = -1;
  char j[512];
  snprintf(j, sizeof j, TANKA, 5, 4);
  json_t *in = body(j);
  act_as(ROLE_CITIZEN, rep);
  cr_assert_eq(groups_register_keyed(&ctx, in, "k-1", NULL, NULL, &id, &replayed, &ei), 0);
  cr_assert(ids_valid(id));
  cr_assert_eq(replayed, 0);
  int64_t events = count("SELECT count(*) FROM events");
  cr_assert_eq(groups_register_keyed(&ctx, in, "k-1", NULL, NULL, &again, &replayed, &ei), 0);
  cr_assert_eq(again, id);
  cr_assert_eq(replayed, 1);
  cr_assert_eq(count("SELECT count(*) FROM groups"), 1);
  cr_assert_eq(count("SELECT count(*) FROM events"), events, "a replay records nothing");
  json_t *changed = body("{\"name\":\"別の会\",\"name_kana\":\"べつのかい\",\"members\":5,"
                         "\"resident_members\":4}");
  cr_assert_eq(groups_register_keyed(&ctx, changed, "k-1", NULL, NULL, &other, &replayed, &ei),
               KERR_CONFLICT);
  cr_assert_eq(other, 0);
  kerr_clear(&ei);
  cr_assert_eq(groups_register_keyed(&ctx, in, "bad key", NULL, NULL, &other, NULL, &ei),
               KERR_BAD_REQUEST);
  kerr_clear(&ei);
  cr_assert_eq(groups_register_keyed(&ctx, in, "k-2", fail_then, NULL, &other, NULL, &ei),
               KERR_INTERNAL);
  cr_assert_eq(other, 0);
  kerr_clear(&ei);
  cr_assert_eq(count("SELECT count(*) FROM groups"), 1, "nothing made by a refused post");
  act_as(ROLE_CITIZEN, stranger); /* another person's key is not theirs */
  cr_assert_eq(groups_register_keyed(&ctx, in, "k-1", NULL, NULL, &other, &replayed, &ei), 0);
  cr_assert_neq(other, id);
  cr_assert_eq(replayed, 0);
  cr_assert_eq(count("SELECT count(*) FROM groups"), 2);
  json_decref(changed);
  json_decref(in);
}

Test(groups, approve_reject_and_who_sees_what) {
  people();
  int64_t g = tanka(4, 3, 0);
  struct kerrinfo ei = {0};
  json_t *out = NULL;

  /* the representative sees it, pending; a stranger gets 404, never 403 */
  act_as(ROLE_CITIZEN, rep);
  cr_assert_eq(groups_get(&ctx, g, &out, &ei), 0);
  cr_assert_str_eq(json_string_value(json_object_get(out, "status")), "pending");
  cr_assert_str_eq(json_string_value(json_object_get(out, "my_role")), "representative");
  json_decref(out);
  act_as(ROLE_CITIZEN, stranger);
  cr_assert_eq(groups_get(&ctx, g, &out, &ei), KERR_NOT_FOUND);
  kerr_clear(&ei);
  cr_assert_eq(groups_get(&ctx, 123456782, &out, &ei), KERR_NOT_FOUND, "no such group");
  kerr_clear(&ei);
  /* citizens cannot decide */
  cr_assert_eq(groups_approve(&ctx, g, &out, &ei), KERR_FORBIDDEN);
  kerr_clear(&ei);

  act_as(ROLE_STAFF, staff);
  json_t *list = NULL;
  cr_assert_eq(groups_list(&ctx, &(struct groups_filter){.status = "pending"}, &list, &ei), 0);
  cr_assert_eq(json_array_size(json_object_get(list, "groups")), 1);
  json_decref(list);
  cr_assert_eq(groups_approve(&ctx, g, &out, &ei), 0, "%s", ei.message);
  cr_assert_str_eq(json_string_value(json_object_get(out, "status")), "approved");
  cr_assert_str_eq(json_string_value(json_object_get(out, "valid_until")), "2027-03-31");
  cr_assert(json_is_true(json_object_get(out, "valid")));
  json_decref(out);
  cr_assert_eq(groups_approve(&ctx, g, &out, &ei), KERR_CONFLICT, "nothing pending any more");
  kerr_clear(&ei);
  cr_assert_eq(count("SELECT count(*) FROM events WHERE action = 'group.approve'"
                     " AND actor_role = 'staff' AND length(subject) = 32"), 1);

  /* valid at every centre until 31 March, for booking */
  cr_assert_eq(groups_may_book(&ctx, g, rep, D("2027-03-31"), &ei), 0);
  cr_assert_eq(groups_may_book(&ctx, g, rep, D("2027-04-01"), &ei), KERR_VALIDATION);
  cr_assert(strstr(ei.message, "期限"), "%s", ei.message);
  kerr_clear(&ei);
  cr_assert_eq(groups_may_book(&ctx, g, stranger, D("2026-05-01"), &ei), KERR_NOT_FOUND);
  kerr_clear(&ei);

  /* rejection needs a reason */
  int64_t g2 = tanka(2, 2, 0);
  act_as(ROLE_ADMIN, staff);
  json_t *in = body("{}");
  cr_assert_eq(groups_reject(&ctx, g2, in, &out, &ei), KERR_VALIDATION);
  kerr_clear(&ei);
  json_decref(in);
  in = body("{\"reason\":\"構成員名簿の添付がありません。\"}");
  cr_assert_eq(groups_reject(&ctx, g2, in, &out, &ei), 0);
  cr_assert_str_eq(json_string_value(json_object_get(out, "status")), "rejected");
  cr_assert_str_eq(json_string_value(json_object_get(out, "reason")), "構成員名簿の添付がありません。");
  json_decref(out);
  json_decref(in);
  cr_assert_eq(groups_may_book(&ctx, g2, rep, D("2026-05-01"), &ei), KERR_VALIDATION);
  kerr_clear(&ei);
  cr_assert_eq(count("SELECT count(*) FROM events WHERE detail LIKE '%名簿%'"), 0,
               "the reason stays out of the usage log");
}

/* RULE: renewal: reviewed like a new application; the approval stands meanwhile. */
Test(groups, renewal_extends_to_the_next_fiscal_year) {
  people();
  int64_t g = tanka(4, 3, 0);
  struct kerrinfo ei = {0};
  json_t *out = NULL, *in = body("{\"members\":6,\"resident_members\":4}");
  act_as(ROLE_CITIZEN, rep);
  cr_assert_eq(groups_renew(&ctx, g, in, &out, &ei), KERR_CONFLICT, "not approved yet");
  kerr_clear(&ei);
  act_as(ROLE_STAFF, staff);
  cr_assert_eq(groups_approve(&ctx, g, &out, &ei), 0);
  json_decref(out);

  /* in March 2027 the representative applies for the next year */
  ctx.now = clock_local(D("2027-03-10"), 600);
  act_as(ROLE_CITIZEN, rep);
  json_t *bad = body("{\"members\":6,\"resident_members\":2}");
  cr_assert_eq(groups_renew(&ctx, g, bad, &out, &ei), KERR_RESIDENCY);
  kerr_clear(&ei);
  json_decref(bad);
  cr_assert_eq(groups_renew(&ctx, g, in, &out, &ei), 0, "%s", ei.message);
  json_t *ren = json_object_get(out, "renewal");
  cr_assert_str_eq(json_string_value(json_object_get(ren, "status")), "pending");
  cr_assert_eq(json_integer_value(json_object_get(out, "members")), 4, "not before approval");
  json_decref(out);
  cr_assert_eq(groups_renew(&ctx, g, in, &out, &ei), KERR_CONFLICT, "already pending");
  kerr_clear(&ei);
  cr_assert_eq(groups_may_book(&ctx, g, rep, D("2027-03-20"), &ei), 0, "still approved");

  act_as(ROLE_STAFF, staff);
  json_t *list = NULL;
  cr_assert_eq(groups_list(&ctx, &(struct groups_filter){.status = "pending"}, &list, &ei), 0);
  json_t *first = json_array_get(json_object_get(list, "groups"), 0);
  cr_assert_str_eq(json_string_value(json_object_get(first, "application")), "renewal");
  json_decref(list);
  cr_assert_eq(groups_approve(&ctx, g, &out, &ei), 0);
  cr_assert_str_eq(json_string_value(json_object_get(out, "valid_until")), "2028-03-31");
  cr_assert_eq(json_integer_value(json_object_get(out, "members")), 6);
  cr_assert(json_is_null(json_object_get(out, "renewal")));
  json_decref(out);

  /* renewed for the next period already: no second renewal now */
  act_as(ROLE_CITIZEN, rep);
  cr_assert_eq(groups_renew(&ctx, g, in, &out, &ei), KERR_CONFLICT);
  kerr_clear(&ei);

  /* a lapsed group renews from the day of approval */
  ctx.now = clock_local(D("2028-06-01"), 600);
  cr_assert_eq(groups_may_book(&ctx, g, rep, D("2028-06-02"), &ei), KERR_VALIDATION);
  kerr_clear(&ei);
  cr_assert_eq(groups_renew(&ctx, g, in, &out, &ei), 0);
  json_decref(out);
  act_as(ROLE_STAFF, staff);
  json_t *why = body("{\"reason\":\"更新書類に不備があります。\"}");
  cr_assert_eq(groups_reject(&ctx, g, why, &out, &ei), 0);
  cr_assert_str_eq(json_string_value(json_object_get(out, "status")), "approved");
  cr_assert_str_eq(json_string_value(json_object_get(json_object_get(out, "renewal"), "status")),
                   "rejected");
  json_decref(out);
  json_decref(why);
  act_as(ROLE_CITIZEN, rep);
  cr_assert_eq(groups_renew(&ctx, g, in, &out, &ei), 0, "may apply again after a rejection");
  json_decref(out);
  act_as(ROLE_STAFF, staff);
  cr_assert_eq(groups_approve(&ctx, g, &out, &ei), 0);
  cr_assert_str_eq(json_string_value(json_object_get(out, "valid_until")), "2029-03-31");
  json_decref(out);
  json_decref(in);
}

/* An invitation of WHO to G by the current actor: the result code, the
** answer (new reference, or NULL) into *OUT. */
static int invite(int64_t g, int64_t who, json_t **out, struct kerrinfo *ei) {
  char req[64];
  snprintf(req, sizeof req, "{\"system_id\":\"%09lld\"}", (long long)who);
  json_t *in = body(req);
  int rc = groups_invite(&ctx, g, in, out, ei);
  json_decref(in);
  return rc;
}

/* Invitations lapse after GROUPS_INVITE_DAYS; open ones are capped per group
** whatever the IDs, so the cap tells nothing about who holds them. */
Test(groups, invitations_lapse_and_are_capped) {
  people();
  int64_t g = tanka(4, 3, 0);
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  act_as(ROLE_CITIZEN, rep);
  cr_assert_eq(invite(g, friend_, &out, &ei), 0);
  cr_assert_str_eq(json_string_value(json_object_get(out, "expires_at")),
                   "2026-04-22T10:00:00+09:00");
  json_decref(out);
  int64_t t0 = ctx.now;
  ctx.now = t0 + GROUPS_INVITE_DAYS * 86400 - 1;
  act_as(ROLE_CITIZEN, friend_);
  cr_assert_eq(groups_invitations(&ctx, &out), 0);
  cr_assert_eq(json_array_size(json_object_get(out, "invitations")), 1, "one second before");
  json_decref(out);
  ctx.now = t0 + GROUPS_INVITE_DAYS * 86400;
  cr_assert_eq(groups_invitations(&ctx, &out), 0);
  cr_assert_eq(json_array_size(json_object_get(out, "invitations")), 0, "lapsed");
  json_decref(out);
  cr_assert_eq(groups_invitation_answer(&ctx, g, 1, &out, &ei), KERR_NOT_FOUND);
  cr_assert(strstr(ei.message, "期限"), "%s", ei.message);
  kerr_clear(&ei);

  /* ten open invitations at most, made-up IDs counted like real ones */
  act_as(ROLE_CITIZEN, rep);
  for (int i = 0; i < GROUPS_MAX_INVITES; i++) {
    cr_assert_eq(invite(g, ids_random(), &out, &ei), 0, "%d: %s", i, ei.message);
    json_decref(out);
  }
  cr_assert_eq(invite(g, friend_, &out, &ei), KERR_LIMIT);
  kerr_clear(&ei);
}

Test(groups, co_representatives_by_system_id) {
  people();
  int64_t g = tanka(4, 3, 0);
  struct kerrinfo ei = {0};
  json_t *out = NULL, *first = NULL;

  act_as(ROLE_CITIZEN, rep);
  /* a mistyped ID says so */
  cr_assert_eq(invite(g, friend_ % 10 == 9 ? friend_ - 1 : friend_ + 1, &out, &ei), KERR_VALIDATION);
  cr_assert(strstr(json_string_value(json_object_get(ei.fields, "system_id")), "確認用の数字"));
  kerr_clear(&ei);
  /* a real citizen, a staff member and an ID nobody holds: one answer */
  cr_assert_eq(invite(g, friend_, &first, &ei), 0, "%s", ei.message);
  cr_assert_str_eq(json_string_value(json_object_get(first, "status")), "invited");
  int64_t nobody = 123456782;
  cr_assert_not(accounts_exists(&ctx, nobody, NULL));
  for (int64_t who = staff, i = 0; i < 2; i++, who = nobody) {
    cr_assert_eq(invite(g, who, &out, &ei), 0, "%s", ei.message);
    cr_assert(json_equal(out, first), "the same answer for every ID");
    json_decref(out);
  }
  cr_assert_eq(invite(g, rep, &out, &ei), KERR_VALIDATION, "the representative's own ID");
  kerr_clear(&ei);
  /* nobody's name reaches the group before accepting */
  cr_assert_eq(groups_get(&ctx, g, &out, &ei), 0);
  cr_assert_eq(json_array_size(json_object_get(out, "co_representatives")), 0);
  cr_assert_eq(json_array_size(json_object_get(out, "invitations")), 3);
  json_decref(out);
  act_as(ROLE_CITIZEN, friend_);
  cr_assert_eq(groups_get(&ctx, g, &out, &ei), KERR_NOT_FOUND);
  kerr_clear(&ei);
  cr_assert_eq(groups_invitations(&ctx, &out), 0);
  cr_assert_eq(json_array_size(json_object_get(out, "invitations")), 1);
  json_decref(out);
  /* a staff account cannot accept (only citizens co-represent) */
  act_as(ROLE_STAFF, staff);
  cr_assert_eq(groups_invitation_answer(&ctx, g, 1, &out, &ei), KERR_NOT_FOUND);
  kerr_clear(&ei);
  /* the invited person accepts: now a co-representative */
  act_as(ROLE_CITIZEN, friend_);
  cr_assert_eq(groups_invitation_answer(&ctx, g, 1, &out, &ei), 0, "%s", ei.message);
  cr_assert_eq(json_array_size(json_object_get(out, "co_representatives")), 1);
  json_decref(out);
  cr_assert_eq(groups_invitation_answer(&ctx, g, 1, &out, &ei), KERR_NOT_FOUND, "answered once");
  kerr_clear(&ei);
  act_as(ROLE_CITIZEN, rep);
  cr_assert_eq(invite(g, friend_, &out, &ei), KERR_VALIDATION, "already a co-representative");
  kerr_clear(&ei);
  json_decref(first);
  act_as(ROLE_CITIZEN, friend_);

  /* the co-representative sees the group and may book for it once approved */
  act_as(ROLE_CITIZEN, friend_);
  cr_assert_eq(groups_get(&ctx, g, &out, &ei), 0);
  cr_assert_str_eq(json_string_value(json_object_get(out, "my_role")), "co_representative");
  json_decref(out);
  cr_assert_eq(groups_may_book(&ctx, g, friend_, D("2026-05-01"), &ei), KERR_VALIDATION,
               "not yet approved");
  kerr_clear(&ei);
  json_t *mine = NULL;
  cr_assert_eq(groups_of_account(&ctx, friend_, &mine), 0);
  cr_assert_eq(json_array_size(mine), 1);
  cr_assert_str_eq(json_string_value(json_object_get(json_array_get(mine, 0), "role")),
                   "co_representative");
  /* the typed view the pages render is the list entry's source */
  struct group_view *views = NULL, one;
  int nv = 0;
  cr_assert_eq(group_views_of_account(&ctx, friend_, &views, &nv), 0);
  cr_assert_eq(nv, 1);
  cr_assert_eq(views[0].id, g);
  cr_assert_eq(views[0].role, GROUP_ROLE_COREP);
  cr_assert_eq(views[0].status, REVIEW_PENDING);
  cr_assert_not(views[0].valid);
  json_t *vj = group_view_json(&views[0]);
  cr_assert(json_equal(vj, json_array_get(mine, 0)));
  json_decref(vj);
  cr_assert_eq(group_view_of(&ctx, g, friend_, &one), 0);
  cr_assert_eq(memcmp(&one, &views[0], sizeof one), 0);
  cr_assert_eq(group_view_of(&ctx, g, stranger, &one), 0);
  cr_assert_eq(one.role, GROUP_ROLE_NONE);
  free(views);
  json_decref(mine);
  /* but may not invite others: that is the representative's */
  cr_assert_eq(invite(g, stranger, &out, &ei), KERR_FORBIDDEN);
  kerr_clear(&ei);
  /* and a stranger cannot even tell the group exists */
  act_as(ROLE_CITIZEN, stranger);
  cr_assert_eq(invite(g, stranger, &out, &ei), KERR_NOT_FOUND);
  kerr_clear(&ei);

  act_as(ROLE_STAFF, staff);
  cr_assert_eq(groups_approve(&ctx, g, &out, &ei), 0);
  json_decref(out);
  cr_assert_eq(groups_may_book(&ctx, g, friend_, D("2026-05-01"), &ei), 0);

  /* stepping down */
  act_as(ROLE_CITIZEN, friend_);
  cr_assert_eq(groups_rep_remove(&ctx, g, friend_, &out, &ei), 0);
  json_decref(out);
  cr_assert_eq(groups_get(&ctx, g, &out, &ei), KERR_NOT_FOUND);
  kerr_clear(&ei);
}

Test(groups, public_list_holds_only_approved_opted_in_groups) {
  people();
  int64_t listed = tanka(4, 3, 0);
  int64_t quiet = register_group("{\"name\":\"静かな会\",\"name_kana\":\"しずかなかい\","
                                 "\"members\":2,\"resident_members\":2}", 0);
  tanka(3, 2, 0); /* stays pending */
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  act_as(ROLE_STAFF, staff);
  cr_assert_eq(groups_approve(&ctx, listed, &out, &ei), 0);
  json_decref(out);
  cr_assert_eq(groups_approve(&ctx, quiet, &out, &ei), 0);
  json_decref(out);

  /* a confirmed booking at a centre makes it "used" (bookings arrive in
  ** their own issue; the row is made by hand here) */
  const struct center *c = rules_center(rb, "chuo");
  cr_assert(c);
  kstmt *st = db_prep(db, "INSERT INTO bookings(account_id, group_id, room_id, center, date, slots,"
                          " status, channel, fee_base, fee_total, rules_version, created_at)"
                          " VALUES ($a, $g, $room, 'chuo', '2026-05-01', 'morning', 'confirmed',"
                          " 'online', 0, 0, 'x', 0)");
  db_bind_int(st, "$a", rep);
  db_bind_int(st, "$g", listed);
  db_bind_int(st, "$room", c->rooms[0].id);
  cr_assert_eq(db_exec_stmt(st), DB_OK);

  act_as(ROLE_ANON, 0);
  cr_assert_eq(groups_public(&ctx, NULL, &out, &ei), 0);
  json_t *gs = json_object_get(out, "groups");
  cr_assert_eq(json_array_size(gs), 1);
  json_t *g0 = json_array_get(gs, 0);
  cr_assert_str_eq(json_string_value(json_object_get(g0, "name")), "前橋短歌の会");
  cr_assert_str_eq(json_string_value(json_object_get(g0, "activity")), "短歌");
  json_t *cs = json_object_get(g0, "centers");
  cr_assert_eq(json_array_size(cs), 1);
  cr_assert_str_eq(json_string_value(json_object_get(json_array_get(cs, 0), "name")), c->name);
  cr_assert_null(json_object_get(g0, "representative"));
  cr_assert_null(json_object_get(g0, "id"));
  size_t len = 0;
  char *csv = groups_public_csv(out, &len);
  cr_assert(csv);
  cr_assert(!memcmp(csv, "\xef\xbb\xbf", 3), "BOM");
  cr_assert(strstr(csv, "\"前橋短歌の会\",\"まえばしたんかのかい\",\"短歌\",\"中央公民館\"\r\n"), "%s", csv);
  cr_assert_null(strstr(csv, "代表"));
  free(csv);
  json_decref(out);

  /* after 31 March it has lapsed and leaves the list */
  ctx.now = clock_local(D("2027-04-01"), 600);
  cr_assert_eq(groups_public(&ctx, NULL, &out, &ei), 0);
  cr_assert_eq(json_array_size(json_object_get(out, "groups")), 0);
  json_decref(out);
}

Test(groups, csv_defuses_formulas) {
  json_t *list = json_pack("{s:[{s:s, s:s, s:s, s:[]}]}", "groups", "name", "=HYPERLINK(\"x\")",
                           "name_kana", "かい", "activity", "@SUM(1)", "centers");
  size_t len;
  char *csv = groups_public_csv(list, &len);
  cr_assert(strstr(csv, "\"'=HYPERLINK(\"\"x\"\")\",\"かい\",\"'@SUM(1)\",\"\"\r\n"), "%s", csv);
  free(csv);
  json_decref(list);
}

/* The public list's search (the page /groups and ?center=&q= of the API): a
** keyword in the name, ふりがな or activity, either script; a centre the
** group used; an unknown centre or an overlong keyword is refused at its field. */
Test(groups, public_list_searches_by_keyword_and_centre) {
  people();
  int64_t tk = tanka(4, 3, 0);
  int64_t ch = register_group("{\"name\":\"English Circle\",\"name_kana\":\"イングリッシュ\","
                              "\"members\":2,\"resident_members\":2,\"activity\":\"英会話とコーラス\","
                              "\"public_listing\":true}", 0);
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  act_as(ROLE_STAFF, staff);
  cr_assert_eq(groups_approve(&ctx, tk, &out, &ei), 0);
  json_decref(out);
  cr_assert_eq(groups_approve(&ctx, ch, &out, &ei), 0);
  json_decref(out);
  const struct center *c = rules_center(rb, "chuo");
  kstmt *st = db_prep(db, "INSERT INTO bookings(account_id, group_id, room_id, center, date, slots,"
                          " status, channel, fee_base, fee_total, rules_version, created_at)"
                          " VALUES ($a, $g, $room, 'chuo', '2026-05-01', 'morning', 'confirmed',"
                          " 'online', 0, 0, 'x', 0)");
  db_bind_int(st, "$a", rep);
  db_bind_int(st, "$g", tk);
  db_bind_int(st, "$room", c->rooms[0].id);
  cr_assert_eq(db_exec_stmt(st), DB_OK);

  act_as(ROLE_ANON, 0);
  struct { const char *center, *q; const char *want; } cases[] = {
    {NULL, "タンカ", "前橋短歌の会"},        /* katakana finds hiragana ふりがな */
    {NULL, "いんぐりっしゅ", "English Circle"}, /* and the other way round */
    {NULL, "english", "English Circle"},     /* ASCII in either case */
    {NULL, "こーらす", "English Circle"},     /* in the activity */
    {NULL, "  短歌\xe3\x80\x80", "前橋短歌の会"}, /* spaces around it do not count */
    {"chuo", NULL, "前橋短歌の会"},          /* the centre it used */
    {"chuo", "english", ""},                 /* both must hold */
    {"haga", NULL, ""},                      /* a real centre nobody used */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct groups_public_filter f = {cases[i].center, cases[i].q};
    struct group_public_view *v;
    int n;
    cr_assert_eq(group_public_views(&ctx, &f, &v, &n, &ei), 0, "case %zu: %s", i, ei.message);
    cr_assert_eq(n, *cases[i].want ? 1 : 0, "case %zu: %d groups", i, n);
    if (n) cr_assert_str_eq(v[0].name, cases[i].want, "case %zu", i);
    group_public_views_free(v, n);
  }
  struct groups_public_filter bad = {"nowhere", NULL};
  cr_assert_eq(groups_public(&ctx, &bad, &out, &ei), KERR_VALIDATION);
  cr_assert(strstr(json_string_value(json_object_get(ei.fields, "center")), "nowhere"));
  cr_assert_null(json_object_get(ei.fields, "q"));
  cr_assert_null(out);
  kerr_clear(&ei);
  char longq[400];
  memset(longq, 0, sizeof longq);
  for (int i = 0; i < 101; i++) strcat(longq, "あ");
  bad = (struct groups_public_filter){NULL, longq};
  cr_assert_eq(groups_public(&ctx, &bad, &out, &ei), KERR_VALIDATION);
  cr_assert(json_object_get(ei.fields, "q"));
  kerr_clear(&ei);
  longq[300] = 0;   /* exactly 100 characters: fine */
  cr_assert_eq(groups_public(&ctx, &bad, &out, &ei), 0);
  json_decref(out);
}

/* Staff find a registered group by a part of its name or ふりがな (either
** script) or its ID, in any status; the look-up is audited, the queue is not. */
Test(groups, staff_look_up_groups_by_kana_name_or_id) {
  people();
  int64_t tk = tanka(4, 3, 0);
  int64_t other = register_group("{\"name\":\"静かな会\",\"name_kana\":\"しずかなかい\","
                                 "\"members\":2,\"resident_members\":2}", 0);
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  act_as(ROLE_STAFF, staff);
  cr_assert_eq(groups_approve(&ctx, tk, &out, &ei), 0);
  json_decref(out);
  int64_t trail0 = db_int64(db, -1, "SELECT count(*) FROM audit_trail WHERE action = 'group.search'");
  struct groups_filter queue = {.status = "pending"};
  struct group_review_view *v;
  int n;
  cr_assert_eq(group_review_views(&ctx, &queue, &v, &n, &ei), 0);
  cr_assert_eq(n, 1);
  cr_assert_eq(v[0].id, other);
  free(v);
  cr_assert_eq(db_int64(db, -1, "SELECT count(*) FROM audit_trail WHERE action = 'group.search'"),
               trail0, "the queue is not a look-up");
  char id[16];
  ids_format(tk, id);
  const char *finds[] = {"マエバシ", "たんか", "短歌の", id};
  for (size_t i = 0; i < 4; i++) {
    struct groups_filter f = {.status = "approved", .q = finds[i]};
    cr_assert_eq(group_review_views(&ctx, &f, &v, &n, &ei), 0, "%s", finds[i]);
    cr_assert_eq(n, 1, "%s: %d", finds[i], n);
    cr_assert_eq(v[0].id, tk);
    cr_assert_str_eq(v[0].rep_name, "代表 一郎");
    free(v);
  }
  struct groups_filter all = {.status = "all"};
  cr_assert_eq(group_review_views(&ctx, &all, &v, &n, &ei), 0);
  cr_assert_eq(n, 2);
  free(v);
  struct groups_filter pending_kana = {.status = "pending", .q = "タンカ"};
  cr_assert_eq(group_review_views(&ctx, &pending_kana, &v, &n, &ei), 0);
  cr_assert_eq(n, 0, "approved, so not in the queue");
  free(v);
  cr_assert_eq(db_int64(db, -1, "SELECT count(*) FROM audit_trail WHERE action = 'group.search'"),
               trail0 + 6);
  struct groups_filter bogus = {.status = "bogus", .q = "x"};
  cr_assert_eq(group_review_views(&ctx, &bogus, &v, &n, &ei), KERR_VALIDATION);
  cr_assert(json_object_get(ei.fields, "status"));
  kerr_clear(&ei);
  act_as(ROLE_CITIZEN, rep);
  cr_assert_eq(group_review_views(&ctx, &all, &v, &n, &ei), KERR_FORBIDDEN);
  kerr_clear(&ei);
}

