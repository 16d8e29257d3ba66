/*
** tests/unit/test_rule_cases.c: the ONE runner of the rule tests as data.
**
** Every folder tests/rules/<case>/ is one test (rule_cases::decide, named by
** the folder in the failure messages):
**
**   book.json      optional: overrides on the Maebashi rule book, as JSON
**                  merge patches (RFC 7386: objects merge, null deletes,
**                  anything else replaces), by file name:
**                    {"*": patch for every rules version,
**                     "rules-2026-04-01.json": patch for that version,
**                     "rules-2026-09-01.json": {"$base": "rules-2026-04-01.json",
**                                               ...}  a new version made from
**                                               an existing one}
**   request.json   the world and the request:
**                    {"description": "...",
**                     "accounts": [{"id","role","name"}],      extra accounts
**                     "groups": [{"id","name","rep","status","valid_until",
**                                 "public","co_reps":[...]}], extra groups
**                     "prior": [STEP, ...],   steps that must succeed first
**                     ...STEP}                the step whose decision is tested
**                  STEP = {"now": "2026-04-01T09:00", "actor": ID,
**                          "action": "create"|"confirm"|"cancel",
**                          "booking": {"center","room","date","slots":[...],
**                                      "group_id"?,"attendees"?,"purpose"?},
**                          "ref": N (a prior step's booking, for confirm/cancel),
**                          "reason"?, "on_behalf"?: "holder"|"city" (cancel)}
**                  "now" and "actor" carry over from the step before.
**   expected.json  the decision: {"status": 201|200|409|422|..., "code"?,
**                  "message_contains"?: "..." or [...], "fee"?: {...},
**                  "rules_version"?, "booking_status"?, "cancel_fee"?,
**                  "hold_expires_at"?}; any other key is an error (a typo
**                  must not pass silently).
**
** Always present: citizens 100000001 (山田 太郎), 100000002 (佐藤 花子),
** 100000003 (鈴木 一郎); staff 200000001; group 500000013 前橋囲碁の会
** (approved until 2027-03-31, representative 100000001, co-representative
** 100000003).
*/
#include "fixture_bookings.h"

#include <criterion/parameterized.h>

#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#define CASES "tests/rules"
#define BOOK "ordinances/maebashi"

struct rcase {
  char name[128];
};

static int cmp_case(const void *a, const void *b) {
  return strcmp(((const struct rcase *)a)->name, ((const struct rcase *)b)->name);
}

ParameterizedTestParameters(rule_cases, decide) {
  DIR *d = opendir(CASES);
  struct dirent *e;
  size_t n = 0, cap = 256;
  struct rcase *cases = cr_malloc(cap * sizeof *cases);
  if (!d || !cases) return cr_make_param_array(struct rcase, cases, 0);
  while ((e = readdir(d)) && n < cap) {
    char probe[512];
    if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof cases[0].name) continue;
    snprintf(probe, sizeof probe, CASES "/%s/request.json", e->d_name);
    if (access(probe, R_OK) != 0) continue;
    snprintf(cases[n++].name, sizeof cases[0].name, "%s", e->d_name);
  }
  closedir(d);
  qsort(cases, n, sizeof *cases, cmp_case);
  return cr_make_param_array(struct rcase, cases, n);
}

/* The runner must not pass by finding nothing. */
Test(rule_cases, there_are_cases) {
  DIR *d = opendir(CASES);
  cr_assert_not_null(d, "no %s folder (run from the repository root)", CASES);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d))) n += e->d_name[0] != '.';
  closedir(d);
  cr_assert_geq(n, 20, "only %d rule cases", n);
}

/* ================================================================ files */

static json_t *load(const char *cname, const char *file, int required) {
  char path[512];
  json_error_t err;
  snprintf(path, sizeof path, CASES "/%s/%s", cname, file);
  if (!required && access(path, F_OK) != 0) return NULL;
  json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
  cr_assert_not_null(j, "%s: line %d column %d: %s", path, err.line, err.column, err.text);
  return j;
}

/* RFC 7386 JSON merge patch of TARGET by PATCH (new reference). */
static json_t *merge_patch(json_t *target, json_t *patch) {
  if (!json_is_object(patch)) return json_deep_copy(patch);
  json_t *out = json_is_object(target) ? json_deep_copy(target) : json_object();
  const char *k;
  json_t *v;
  json_object_foreach(patch, k, v) {
    if (json_is_null(v)) {
      json_object_del(out, k);
    } else {
      json_t *merged = merge_patch(json_object_get(out, k), v);
      json_object_set_new(out, k, merged);
    }
  }
  return out;
}

static void write_json(const char *dir, const char *name, json_t *j) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  cr_assert_eq(json_dump_file(j, path, JSON_INDENT(2)), 0, "cannot write %s", path);
}

/* A copy of the Maebashi rule book with BOOK_PATCH applied, in a new folder
** DIR (mkdtemp). */
static void make_book(json_t *book_patch, char *dir) {
  json_error_t err;
  char path[512];
  strcpy(dir, "/tmp/kominkan-rules-XXXXXX");
  cr_assert_not_null(mkdtemp(dir));
  json_t *fac = json_load_file(BOOK "/facilities.json", 0, &err);
  cr_assert_not_null(fac);
  write_json(dir, "facilities.json", fac);
  json_decref(fac);

  DIR *d = opendir(BOOK);
  struct dirent *e;
  json_t *all = json_object_get(book_patch, "*");
  while ((e = readdir(d))) {
    if (strncmp(e->d_name, "rules-", 6) != 0) continue;
    snprintf(path, sizeof path, BOOK "/%s", e->d_name);
    json_t *v = json_load_file(path, 0, &err);
    cr_assert_not_null(v, "%s: %s", path, err.text);
    json_t *p1 = all ? merge_patch(v, all) : json_incref(v);
    json_t *own = json_object_get(book_patch, e->d_name);
    json_t *p2 = own ? merge_patch(p1, own) : json_incref(p1);
    write_json(dir, e->d_name, p2);
    json_decref(v);
    json_decref(p1);
    json_decref(p2);
  }
  closedir(d);
  /* new versions made from an existing one */
  const char *k;
  json_t *patch;
  json_object_foreach(book_patch, k, patch) {
    const char *base = json_string_value(json_object_get(patch, "$base"));
    if (!base) continue;
    snprintf(path, sizeof path, "%s/%s", dir, base);
    json_t *v = json_load_file(path, 0, &err);
    cr_assert_not_null(v, "book.json: $base %s: %s", base, err.text);
    json_t *p = json_deep_copy(patch);
    json_object_del(p, "$base");
    json_t *out = merge_patch(v, p);
    write_json(dir, k, out);
    json_decref(v);
    json_decref(p);
    json_decref(out);
  }
}

static void remove_book(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  char path[512];
  while (d && (e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    unlink(path);
  }
  if (d) closedir(d);
  rmdir(dir);
}

/* ================================================================ steps */

static int role_of(struct world *w, int64_t account) {
  kstmt *st = db_prep(w->db, "SELECT role FROM accounts WHERE id = $id");
  db_bind_int(st, "$id", account);
  int role = db_step(st) == DB_ROW ? role_parse(db_col_text(st, 0)) : 0;
  db_reset(st);
  return role;
}

static void setup_world(struct world *w, json_t *req) {
  size_t i, k;
  json_t *a, *g, *c;
  fx_account(w, 100000001, "citizen", "山田 太郎");
  fx_account(w, 100000002, "citizen", "佐藤 花子");
  fx_account(w, 100000003, "citizen", "鈴木 一郎");
  fx_account(w, 200000001, "staff", "窓口 職員");
  fx_group(w, 500000013, "前橋囲碁の会", 100000001, "approved", "2027-03-31", 1);
  fx_corep(w, 500000013, 100000003);
  json_array_foreach(json_object_get(req, "accounts"), i, a)
    fx_account(w, json_integer_value(json_object_get(a, "id")),
               json_string_value(json_object_get(a, "role")),
               json_string_value(json_object_get(a, "name")));
  json_array_foreach(json_object_get(req, "groups"), i, g) {
    int64_t id = json_integer_value(json_object_get(g, "id"));
    const char *status = json_string_value(json_object_get(g, "status"));
    fx_group(w, id, json_string_value(json_object_get(g, "name")),
             json_integer_value(json_object_get(g, "rep")), status ? status : "approved",
             json_string_value(json_object_get(g, "valid_until")),
             json_is_true(json_object_get(g, "public")));
    json_array_foreach(json_object_get(g, "co_reps"), k, c) fx_corep(w, id, json_integer_value(c));
  }
}

/* Run STEP. Returns the KERR code; *OUT the booking on success. */
static int run_step(struct world *w, const char *cname, json_t *step, const int64_t *ids,
                    int nids, json_t **out, struct kerrinfo *ei) {
  const char *now = json_string_value(json_object_get(step, "now"));
  json_t *actor = json_object_get(step, "actor");
  const char *action = json_string_value(json_object_get(step, "action"));
  if (now) w->ctx.now = fx_at(now);
  if (actor) {
    int64_t id = json_integer_value(actor);
    int role = role_of(w, id);
    cr_assert_neq(role, 0, "%s: no account %lld", cname, (long long)id);
    fx_as(w, id, role, NULL);
  }
  *out = NULL;
  if (!action || !strcmp(action, "create")) {
    json_t *b = json_object_get(step, "booking");
    cr_assert_not_null(b, "%s: a create step needs \"booking\"", cname);
    const char *center = json_string_value(json_object_get(b, "center"));
    const char *room = json_string_value(json_object_get(b, "room"));
    json_t *att = json_object_get(b, "attendees");
    json_t *purpose = json_object_get(b, "purpose");
    json_t *body = json_pack("{s:I, s:O?, s:O?}", "room_id",
                             (json_int_t)fx_room(w, center, room)->id, "date",
                             json_object_get(b, "date"), "slots", json_object_get(b, "slots"));
    cr_assert_not_null(body, "%s: bad \"booking\"", cname);
    json_object_set_new(body, "purpose", purpose ? json_incref(purpose) : json_string("会議"));
    json_object_set_new(body, "attendees", att ? json_incref(att) : json_integer(5));
    json_t *group = json_object_get(b, "group_id");
    if (group) json_object_set(body, "group_id", group);
    int rc = booking_create(&w->ctx, body, json_string_value(json_object_get(step, "idempotency_key")),
                            out, NULL, ei);
    json_decref(body);
    return rc;
  }
  json_t *ref = json_object_get(step, "ref");
  cr_assert(json_is_integer(ref) && json_integer_value(ref) >= 0 && json_integer_value(ref) < nids &&
                ids[json_integer_value(ref)],
            "%s: \"ref\" must name an earlier step that made a booking", cname);
  int64_t id = ids[json_integer_value(ref)];
  if (!strcmp(action, "confirm")) return booking_confirm(&w->ctx, id, out, ei);
  if (!strcmp(action, "cancel")) {
    json_t *account = json_object_get(step, "on_behalf");
    int f = account ? cancel_for_parse(json_string_value(account)) : CANCEL_FOR_DEFAULT;
    cr_assert_geq(f, 0, "%s: \"on_behalf\" is \"holder\" or \"city\"", cname);
    return booking_cancel(&w->ctx, id, json_string_value(json_object_get(step, "reason")),
                          (enum cancel_for)f, out, ei);
  }
  cr_assert_fail("%s: unknown action %s", cname, action);
  return KERR_INTERNAL;
}

static void check_int(const char *cname, json_t *got, json_t *want, const char *what) {
  cr_assert(json_is_integer(got), "%s: %s missing in the reply", cname, what);
  cr_expect_eq(json_integer_value(got), json_integer_value(want), "%s: %s: got %lld, want %lld",
               cname, what, (long long)json_integer_value(got),
               (long long)json_integer_value(want));
}

static void check_str(const char *cname, json_t *got, json_t *want, const char *what) {
  cr_assert(json_is_string(got), "%s: %s missing in the reply", cname, what);
  cr_expect_str_eq(json_string_value(got), json_string_value(want), "%s: %s: got %s, want %s",
                   cname, what, json_string_value(got), json_string_value(want));
}

/* ================================================================= test */

ParameterizedTest(struct rcase *c, rule_cases, decide) {
  const char *cname = c->name;
  json_t *req = load(cname, "request.json", 1);
  json_t *want = load(cname, "expected.json", 1);
  json_t *book = load(cname, "book.json", 0);
  char dir[64] = BOOK;
  struct world w;
  static const char *const known[] = {"status", "code", "message_contains", "fee",
                                      "rules_version", "booking_status", "cancel_fee",
                                      "hold_expires_at", "description", NULL};
  const char *k;
  json_t *v;
  json_object_foreach(want, k, v) {
    int ok = 0;
    for (int i = 0; known[i]; i++) ok |= !strcmp(known[i], k);
    cr_assert(ok, "%s: expected.json: unknown key \"%s\"", cname, k);
  }

  if (book) make_book(book, dir);
  fx_open(&w, dir);
  setup_world(&w, req);

  /* the prior steps must all succeed */
  json_t *prior = json_object_get(req, "prior");
  int nids = (int)json_array_size(prior);
  int64_t ids[64] = {0};
  cr_assert_leq(nids, 64);
  for (int i = 0; i < nids; i++) {
    struct kerrinfo ei = {0};
    json_t *out = NULL;
    int rc = run_step(&w, cname, json_array_get(prior, (size_t)i), ids, i, &out, &ei);
    cr_assert_eq(rc, 0, "%s: prior step %d failed: %s %s", cname, i, kerr_code(rc),
                 ei.message[0] ? ei.message : kerr_message(rc));
    ids[i] = json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    kerr_clear(&ei);
  }

  /* the decision */
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  const char *action = json_string_value(json_object_get(req, "action"));
  int rc = run_step(&w, cname, req, ids, nids, &out, &ei);
  int status = rc ? kerr_http_status(rc) : (!action || !strcmp(action, "create")) ? 201 : 200;
  const char *msg = ei.message[0] ? ei.message : kerr_message(rc);
  cr_assert_eq(status, json_integer_value(json_object_get(want, "status")),
               "%s: status %d (%s: %s), want %lld", cname, status, rc ? kerr_code(rc) : "ok",
               rc ? msg : "", (long long)json_integer_value(json_object_get(want, "status")));
  if ((v = json_object_get(want, "code")))
    cr_expect_str_eq(kerr_code(rc), json_string_value(v), "%s: code %s, want %s", cname,
                     kerr_code(rc), json_string_value(v));
  if ((v = json_object_get(want, "message_contains"))) {
    size_t i;
    json_t *s;
    json_t *list = json_is_array(v) ? json_incref(v) : json_pack("[O]", v);
    json_array_foreach(list, i, s)
      cr_expect(strstr(msg, json_string_value(s)) != NULL, "%s: message \"%s\" lacks \"%s\"",
                cname, msg, json_string_value(s));
    json_decref(list);
  }
  if ((v = json_object_get(want, "fee"))) {
    json_t *fee = json_object_get(out, "fee");
    json_object_foreach(v, k, v) {
      char what[64];
      snprintf(what, sizeof what, "fee.%s", k);
      if (json_is_string(v)) check_str(cname, json_object_get(fee, k), v, what);
      else check_int(cname, json_object_get(fee, k), v, what);
    }
  }
  if ((v = json_object_get(want, "rules_version")))
    check_str(cname, json_object_get(out, "rules_version"), v, "rules_version");
  if ((v = json_object_get(want, "booking_status")))
    check_str(cname, json_object_get(out, "status"), v, "status");
  if ((v = json_object_get(want, "cancel_fee")))
    check_int(cname, json_object_get(out, "cancel_fee"), v, "cancel_fee");
  if ((v = json_object_get(want, "hold_expires_at")))
    check_str(cname, json_object_get(out, "hold_expires_at"), v, "hold_expires_at");

  json_decref(out);
  kerr_clear(&ei);
  fx_close(&w);
  if (book) remove_book(dir);
  json_decref(book);
  json_decref(req);
  json_decref(want);
}
