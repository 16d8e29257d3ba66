/*
** core/groups.c: groups (see groups.h): the rule, loading, the JSON view,
** registration, decisions and renewal. Co-representatives are
** core/groups_reps.c, the lists core/groups_lists.c; what they share,
** core/groups_int.h.
*/
#include "groups.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "audit.h"
#include "availability.h"
#include "clock.h"
#include "csv.h"
#include "desk.h"
#include "ids.h"
#include "oidc.h"
#include "input.h"
#include "notify.h"
#include "text.h"
#include "throttle.h"
#include "trail.h"
#include "groups_int.h"

/* ============================================================ the rule */

int groups_eligible(const struct rules *r, long long members, long long residents, char *msg,
                    size_t msglen) {
  int min = r->group_min_members, pct = r->group_resident_percent;
  /* RULE: group registration: at least min_members, and residents at least
  ** (resident_share_at_least_percent: Maebashi's 半数以上, half or more) or
  ** more than (resident_share_above_percent) that share of the members
  ** (integers: no rounding). */
  long long share_x100 = residents * 100, need_x100 = members * (long long)pct;
  int enough = r->group_resident_at_least ? share_x100 >= need_x100 : share_x100 > need_x100;
  if (members >= min && enough) return 0;
  char share[64];
  rules_group_share_words(r, share, sizeof share);
  snprintf(msg, msglen,
           "団体登録には、構成員が%d人以上で、そのうち前橋市に住んでいるか、働いているか、"
           "学んでいる人が%sであることが必要です。"
           "いただいた内容は、構成員%lld人のうち市内の人が%lld人です。",
           min, share, members, residents);
  return KERR_RESIDENCY;
}

int32_t groups_validity_end(const struct rules *r, int32_t from) {
  if (r->group_validity == VALID_DAYS) return from + r->group_validity_days - 1;
  return date_fiscal_year_end(from);
}

/* ======================================================== loading a group */

int group_load(struct kctx *ctx, int64_t id, struct grow *g) {
  memset(g, 0, sizeof *g);
  if (!ids_valid(id)) return KERR_NOT_FOUND;
  kstmt *st = db_prep(ctx->db,
                      "SELECT representative_id, status, valid_until, renewal_status,"
                      " renewal_members, renewal_resident_members FROM groups WHERE id = $id");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", id);
  int rc = db_step(st);
  if (rc == DB_ROW) {
    g->id = id;
    g->rep = db_col_int(st, 0);
    g->status = review_status_parse(db_col_text(st, 1));
    if (!db_col_null(st, 2) && date_parse(db_col_text(st, 2), &g->valid_until) != 0)
      g->valid_until = 0;
    g->renewal = review_status_parse(db_col_text(st, 3));
    g->renewal_members = db_col_int(st, 4);
    g->renewal_residents = db_col_int(st, 5);
  }
  db_reset(st);
  if (rc == DB_DONE) return KERR_NOT_FOUND;
  return rc == DB_ROW ? 0 : kerr_from_db(rc);
}

int group_member_role(struct kctx *ctx, const struct grow *g, int64_t account) {
  if (account <= 0) return NOT_MEMBER;
  if (g->rep == account) return REP;
  return db_exists(ctx->db, "SELECT 1 FROM group_reps WHERE group_id = $g AND account_id = $a",
                   DB_I("$g", g->id), DB_I("$a", account))
             ? COREP
             : NOT_MEMBER;
}

int groups_represents(struct kctx *ctx, int64_t group, int64_t account) {
  if (group <= 0 || account <= 0) return 0;
  return db_exists(ctx->db,
                   "SELECT 1 FROM groups WHERE id = $g AND representative_id = $a"
                   " UNION ALL SELECT 1 FROM group_reps WHERE group_id = $g"
                   " AND account_id = $a LIMIT 1",
                   DB_I("$g", group), DB_I("$a", account));
}

/* Load ID if the actor may see it; KERR_NOT_FOUND for anyone else. */
int group_load_visible(struct kctx *ctx, int64_t id, struct grow *g, int *mrole) {
  int rc = group_load(ctx, id, g);
  if (rc) return rc;
  *mrole = group_member_role(ctx, g, ctx->actor.account_id);
  if (!desk_is_staff(ctx) && *mrole == NOT_MEMBER) return KERR_NOT_FOUND;
  return 0;
}

int32_t group_today(const struct kctx *ctx) { return clock_today(ctx->now); }

int group_valid_on(const struct grow *g, int32_t day) {
  return g->status == REVIEW_APPROVED && g->valid_until && g->valid_until >= day;
}

/* ============================================================ JSON views */

json_t *group_date_or_null(int32_t day) {
  char s[11];
  if (!day) return json_null();
  date_format(day, s);
  return json_string(s);
}

json_t *group_instant_or_null(kstmt *st, int i) {
  char s[26];
  if (db_col_null(st, i)) return json_null();
  clock_format_instant(db_col_int(st, i), s);
  return json_string(s);
}

static json_t *text_or_null(kstmt *st, int i) {
  return db_col_null(st, i) ? json_null() : json_string(db_col_text(st, i));
}

json_t *group_person(int64_t id, const char *name) {
  return json_pack("{s:o, s:s}", "system_id", ids_json(id), "name", name);
}

/* The group's invitations still open, as the representative and staff see
** them: the system ID as typed and the dates, never a name (an invitation
** says nothing about whether the ID is anyone's). New reference in *OUT. */
static int pending_invitations(struct kctx *ctx, int64_t id, json_t **out) {
  *out = NULL;
  kstmt *st = db_prep(ctx->db, "SELECT invitee_id, created_at, expires_at FROM group_invitations"
                               " WHERE group_id = $g AND expires_at > $now"
                               " ORDER BY created_at, invitee_id");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$g", id);
  db_bind_int(st, "$now", ctx->now);
  json_t *list = json_array();
  int rc;
  while ((rc = db_step(st)) == DB_ROW)
    json_array_append_new(list, json_pack("{s:o, s:o, s:o}", "system_id",
                                          ids_json(db_col_int(st, 0)), "invited_at",
                                          group_instant_or_null(st, 1), "expires_at",
                                          group_instant_or_null(st, 2)));
  db_reset(st);
  if (rc != DB_DONE) {
    json_decref(list);
    return kerr_from_db(rc);
  }
  *out = list;
  return 0;
}

int group_json(struct kctx *ctx, int64_t id, int mrole, json_t **out) {
  *out = NULL;
  kstmt *st = db_prep(ctx->db,
                      "SELECT g.name, g.name_kana, g.members, g.resident_members, g.activity,"
                      " g.public_listing, g.status, g.reason, g.valid_until, g.created_at,"
                      " g.decided_at, g.representative_id, a.name, g.renewal_status,"
                      " g.renewal_members, g.renewal_resident_members, g.renewal_activity,"
                      " g.renewal_requested_at, g.renewal_reason, a.phone, a.email"
                      " FROM groups g JOIN accounts a ON a.id = g.representative_id"
                      " WHERE g.id = $id");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", id);
  int rc = db_step(st);
  if (rc != DB_ROW) {
    db_reset(st);
    return rc == DB_DONE ? KERR_NOT_FOUND : kerr_from_db(rc);
  }
  int32_t vu = 0;
  if (!db_col_null(st, 8)) (void)date_parse(db_col_text(st, 8), &vu);
  int approved = review_status_parse(db_col_text(st, 6)) == REVIEW_APPROVED;
  json_t *renewal = json_null();
  if (!db_col_null(st, 13))
    renewal = json_pack("{s:s, s:I, s:I, s:o, s:o, s:o}", "status", db_col_text(st, 13),
                        "members", (json_int_t)db_col_int(st, 14), "resident_members",
                        (json_int_t)db_col_int(st, 15), "activity", text_or_null(st, 16),
                        "requested_at", group_instant_or_null(st, 17), "reason",
                        text_or_null(st, 18));
  json_t *g = json_pack(
      "{s:o, s:s, s:s, s:I, s:I, s:s, s:b, s:s, s:o, s:o, s:b, s:o, s:o, s:o, s:o}", "id",
      ids_json(id), "name", db_col_text(st, 0), "name_kana", db_col_text(st, 1), "members",
      (json_int_t)db_col_int(st, 2), "resident_members", (json_int_t)db_col_int(st, 3),
      "activity", db_col_text(st, 4), "public_listing", (int)db_col_int(st, 5), "status",
      db_col_text(st, 6), "reason", text_or_null(st, 7), "valid_until", group_date_or_null(vu),
      "valid", approved && vu && vu >= group_today(ctx), "created_at", group_instant_or_null(st, 9),
      "decided_at", group_instant_or_null(st, 10), "representative",
      group_person(db_col_int(st, 11), db_col_text(st, 12)), "renewal", renewal);
  /* Staff pass messages on to a group (people who ask at the counter to
  ** join one from the public list): they see how to reach its representative. */
  if (g && mrole == NOT_MEMBER && desk_is_staff(ctx)) {
    json_t *rep = json_object_get(g, "representative");
    json_object_set_new(rep, "phone", text_or_null(st, 19));
    json_object_set_new(rep, "email", text_or_null(st, 20));
  }
  db_reset(st);
  if (!g) return KERR_INTERNAL;

  json_t *coreps = json_array();
  st = db_prep(ctx->db,
               "SELECT a.id, a.name FROM group_reps r JOIN accounts a ON a.id = r.account_id"
               " WHERE r.group_id = $id ORDER BY a.name_kana, a.id");
  if (!st) rc = DB_ERROR;
  else {
    db_bind_int(st, "$id", id);
    while ((rc = db_step(st)) == DB_ROW)
      json_array_append_new(coreps, group_person(db_col_int(st, 0), db_col_text(st, 1)));
  }
  json_object_set_new(g, "co_representatives", coreps);
  /* residents verified with the My Number card among those named (issue 17) */
  json_object_set_new(g, "verified_residents", json_integer(oidc_group_verified_residents(ctx, id)));
  if (rc != DB_DONE) {
    json_decref(g);
    return rc == DB_ERROR ? KERR_INTERNAL : kerr_from_db(rc);
  }
  if (mrole == REP || desk_is_staff(ctx)) {
    json_t *inv = NULL;
    if ((rc = pending_invitations(ctx, id, &inv))) {
      json_decref(g);
      return rc;
    }
    json_object_set_new(g, "invitations", inv);
  }
  const char *role = group_role_name(mrole == REP     ? GROUP_ROLE_REP
                                     : mrole == COREP ? GROUP_ROLE_COREP
                                                      : GROUP_ROLE_NONE);
  json_object_set_new(g, "my_role", role ? json_string(role) : json_null());
  *out = g;
  return 0;
}

/* RULE: staff reading a group see its representatives' names and system
** IDs: recorded in the audit trail (as booking.view), one row for each
** person named in G (the group's JSON). */
static int record_view(struct kctx *ctx, int64_t id, const json_t *g) {
  int64_t who[1 + GROUPS_MAX_COREPS];
  int n = 0;
  size_t i;
  json_t *p;
  char target[32];
  const char *rep = json_string_value(json_object_get(json_object_get(g, "representative"),
                                                      "system_id"));
  if (rep && ids_parse(rep, &who[n]) == 0) n++;
  json_array_foreach(json_object_get(g, "co_representatives"), i, p) {
    const char *s = json_string_value(json_object_get(p, "system_id"));
    if (s && n < (int)(sizeof who / sizeof who[0]) && ids_parse(s, &who[n]) == 0) n++;
  }
  snprintf(target, sizeof target, "group:%lld", (long long)id);
  return trail_view(ctx, "group.view", target, who, n);
}

int groups_get(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei) {
  struct grow g;
  int mrole;
  *out = NULL;
  int rc = group_load_visible(ctx, id, &g, &mrole);
  if (!rc) rc = group_json(ctx, id, mrole, out);
  if (!rc && mrole == NOT_MEMBER) rc = record_view(ctx, id, *out);
  if (rc) {
    json_decref(*out);
    *out = NULL;
  }
  return rc ? kerr_set(ei, rc, NULL) : 0;
}

/* ======================================================= field checking */

void group_bad_field(struct kerrinfo *ei, int *bad, const char *field, const char *msg) {
  kerr_field(ei, field, msg);
  (*bad)++;
}

/* One line: no control character at all (not even a tab or newline), nothing invisible. */
static int has_control(const char *s) { return text_has_control(s) || strpbrk(s, "\t\r\n"); }

/* members and resident_members, both required; FORM: kctx.form. */
static void read_counts(const json_t *in, int form, long long *members, long long *residents,
                        struct kerrinfo *ei, int *bad) {
  int rm = input_int(in, "members", form, 1, 100000, members);
  int rr = input_int(in, "resident_members", form, 0, 100000, residents);
  if (rm == INPUT_MISSING) group_bad_field(ei, bad, "members", "構成員の人数を入力してください。");
  else if (rm == INPUT_BAD)
    group_bad_field(ei, bad, "members",
                    input_int_message(in, "members", form,
                                      "構成員の人数は1以上の整数（半角数字）で入力してください。"));
  if (rr == INPUT_MISSING)
    group_bad_field(ei, bad, "resident_members",
              "市内に住んでいるか、働いているか、学んでいる構成員の人数を入力してください。");
  else if (rr == INPUT_BAD)
    group_bad_field(ei, bad, "resident_members",
                    input_int_message(in, "resident_members", form,
                                      "人数は0以上の整数（半角数字）で入力してください。"));
  else if (rm == INPUT_OK && *residents > *members)
    group_bad_field(ei, bad, "resident_members", "構成員の人数より多くはできません。");
}

/* activity: optional, up to 200 characters on one line. *SET when given. */
static void read_activity(const json_t *in, char *buf, size_t cap, int *set, struct kerrinfo *ei,
                          int *bad) {
  int rc = input_text(in, "activity", buf, cap);
  *set = rc == INPUT_OK;
  if (input_not_text(in, "activity"))
    group_bad_field(ei, bad, "activity", "活動内容は文字で入力してください。");
  else if (rc == INPUT_BAD || (rc == INPUT_OK && text_utf8_len(buf) > 200))
    group_bad_field(ei, bad, "activity", "活動内容は200文字以内で入力してください。");
  else if (rc == INPUT_OK && has_control(buf))
    group_bad_field(ei, bad, "activity", "活動内容は改行を入れずに入力してください。");
}

/* ============================================================== register */

/* A group's details as given, checked. */
struct group_in {
  char name[512], kana[512], activity[1024];
  long long members, residents;
  int listing, has_activity;
};

/* Read and check IN into G, then the rule book's eligibility (version in
** force today). 0, KERR_VALIDATION (fields in EI) or KERR_RESIDENCY. */
static int read_group(struct kctx *ctx, const json_t *in, struct group_in *g,
                      struct kerrinfo *ei) {
  char rule_msg[512];
  int bad = 0, rc;
  const char *m;
  memset(g, 0, sizeof *g);
  rc = input_text(in, "name", g->name, sizeof g->name);
  if (rc == INPUT_MISSING) group_bad_field(ei, &bad, "name", "団体名を入力してください。");
  else if (input_not_text(in, "name"))
    group_bad_field(ei, &bad, "name", "団体名は文字で入力してください。");
  else if (rc == INPUT_BAD || text_utf8_len(g->name) > 100)
    group_bad_field(ei, &bad, "name", "団体名は100文字以内で入力してください。");
  else if (has_control(g->name)) group_bad_field(ei, &bad, "name", "団体名に使えない文字が含まれています。");
  rc = input_text(in, "name_kana", g->kana, sizeof g->kana);
  if (rc == INPUT_MISSING) group_bad_field(ei, &bad, "name_kana", "団体名のふりがなを入力してください。");
  else if (input_not_text(in, "name_kana"))
    group_bad_field(ei, &bad, "name_kana", "団体名のふりがなは文字で入力してください。");
  else if (rc == INPUT_BAD) group_bad_field(ei, &bad, "name_kana", "ふりがなは100文字以内で入力してください。");
  else if ((m = accounts_check_kana(g->kana))) group_bad_field(ei, &bad, "name_kana", m);
  read_counts(in, ctx->form, &g->members, &g->residents, ei, &bad);
  read_activity(in, g->activity, sizeof g->activity, &g->has_activity, ei, &bad);
  if (input_bool(in, "public_listing", ctx->form, &g->listing) == INPUT_BAD)
    group_bad_field(ei, &bad, "public_listing", "公開するかどうかは true か false で指定してください。");
  if (bad) return kerr_set(ei, KERR_VALIDATION, NULL);
  const struct rules *r = rules_in_force(ctx->rb, group_today(ctx));
  if (!r) return kerr_set(ei, KERR_INTERNAL, NULL);
  if ((rc = groups_eligible(r, g->members, g->residents, rule_msg, sizeof rule_msg)))
    return kerr_set(ei, rc, "%s", rule_msg);
  return 0;
}

/* Inside a write transaction: insert G under a new random group ID with
** representative REP, pending, or approved until VALID_UNTIL when that is
** non-zero, and the form's KEY (or NULL); its event ACTION. *ID the new
** group. 0 or a KERR code. */
static int insert_group(struct kctx *ctx, const struct group_in *g, int64_t rep,
                        int32_t valid_until, const char *key, const char *action, int64_t *id) {
  int64_t gid = 0;
  int rc;
  char until[11];
  for (int tries = 0; tries < 32 && !gid; tries++) {
    int64_t cand = ids_random();
    kstmt *st = db_prep(ctx->db, "SELECT 1 FROM groups WHERE id = $id");
    if (!st) return KERR_INTERNAL;
    db_bind_int(st, "$id", cand);
    rc = db_step(st);
    db_reset(st);
    if (rc == DB_DONE) gid = cand;
    else if (rc != DB_ROW) return kerr_from_db(rc);
  }
  if (!gid) return KERR_INTERNAL;
  kstmt *st = db_prep(ctx->db,
                      "INSERT INTO groups(id, name, name_kana, representative_id, members,"
                      " resident_members, activity, public_listing, status, valid_until,"
                      " created_at, decided_at, idempotency_key)"
                      " VALUES ($id, $name, $kana, $rep, $members, $res, $act, $pub, $status,"
                      " $until, $now, $decided, $key)");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", gid);
  db_bind_text(st, "$name", g->name);
  db_bind_text(st, "$kana", g->kana);
  db_bind_int(st, "$rep", rep);
  db_bind_int(st, "$members", g->members);
  db_bind_int(st, "$res", g->residents);
  db_bind_text(st, "$act", g->has_activity ? g->activity : "");
  db_bind_int(st, "$pub", g->listing);
  db_bind_text(st, "$status", review_status_name(valid_until ? REVIEW_APPROVED : REVIEW_PENDING));
  if (valid_until) {
    date_format(valid_until, until);
    db_bind_text(st, "$until", until);
    db_bind_int(st, "$decided", ctx->now);
  }
  db_bind_int(st, "$now", ctx->now);
  db_bind_text(st, "$key", key);
  if ((rc = db_exec_stmt(st)) != DB_OK) return kerr_from_db(rc);
  struct audit_fields f = {.subject_group = gid};
  if ((rc = audit_event(ctx, action, &f))) return rc;
  *id = gid;
  return 0;
}

/* The group the actor registered with KEY, into *ID (0: none), and whether
** it was made from the very details of G (*SAME). Inside the write
** transaction, so that a twin post committed a moment ago is seen. */
static int find_keyed(struct kctx *ctx, const char *key, const struct group_in *g, int64_t *id,
                      int *same) {
  *id = 0;
  *same = 0;
  kstmt *st = db_prep(ctx->db,
                      "SELECT id, name, name_kana, members, resident_members, activity,"
                      " public_listing FROM groups"
                      " WHERE representative_id = $rep AND idempotency_key = $key");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$rep", ctx->actor.account_id);
  db_bind_text(st, "$key", key);
  int rc = db_step(st);
  if (rc == DB_ROW) {
    *id = db_col_int(st, 0);
    *same = !strcmp(db_col_text(st, 1), g->name) && !strcmp(db_col_text(st, 2), g->kana) &&
            db_col_int(st, 3) == g->members && db_col_int(st, 4) == g->residents &&
            !strcmp(db_col_text(st, 5), g->has_activity ? g->activity : "") &&
            db_col_int(st, 6) == g->listing;
  }
  db_reset(st);
  return rc == DB_ROW || rc == DB_DONE ? 0 : kerr_from_db(rc);
}

int groups_register(struct kctx *ctx, const json_t *in, int64_t *id, struct kerrinfo *ei) {
  return groups_register_keyed(ctx, in, NULL, NULL, NULL, id, NULL, ei);
}

int groups_register_keyed(struct kctx *ctx, const json_t *in, const char *key,
                          int (*then)(struct kctx *ctx, int64_t group_id, void *arg,
                                      struct kerrinfo *ei),
                          void *arg, int64_t *id, int *replayed, struct kerrinfo *ei) {
  struct group_in g;
  int rc, same = 0;
  *id = 0;
  if (replayed) *replayed = 0;
  if (ctx->actor.role != ROLE_CITIZEN || ctx->actor.account_id <= 0)
    return kerr_set(ei, KERR_FORBIDDEN, NULL);
  if (key) { /* the form's own random hex; anything else is not from our page */
    size_t n = strlen(key);
    int ok = n >= 1 && n <= GROUPS_KEY_MAX;
    for (size_t i = 0; ok && i < n; i++) ok = key[i] > 0x20 && key[i] < 0x7f;
    if (!ok) return kerr_set(ei, KERR_BAD_REQUEST, "申し込みの画面が正しくありません。"
                                                   "「団体を登録する」から、もう一度はじめてください。");
  }
  if ((rc = read_group(ctx, in, &g, ei))) return rc;
  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  if (key && (rc = find_keyed(ctx, key, &g, id, &same))) goto fail;
  if (*id) {
    /* The same post again (a reload of the receipt page, a double click):
    ** the group it made, and nothing new. */
    db_rollback(ctx->db);
    if (same) {
      if (replayed) *replayed = 1;
      return 0;
    }
    *id = 0;
    return kerr_set(ei, KERR_CONFLICT,
                    "この申し込みの画面からは、別の内容の団体をすでに登録しました。"
                    "この内容でもう1つ登録するときは、もう一度「団体の登録を申し込む」を押してください。");
  }
  if ((rc = insert_group(ctx, &g, ctx->actor.account_id, 0, key, "group.register", id))) goto fail;
  if (then && (rc = then(ctx, *id, arg, ei))) goto fail;
  if ((rc = db_commit(ctx->db)) != DB_OK) {
    *id = 0;
    return kerr_set(ei, kerr_from_db(rc), NULL);
  }
  return 0;
fail:
  db_rollback(ctx->db);
  *id = 0;
  return kerr_set(ei, rc, NULL);
}

int groups_import_in(struct kctx *ctx, const json_t *in, int64_t rep, const int64_t *coreps,
                     int ncoreps, int32_t valid_until, int64_t *id, struct kerrinfo *ei) {
  struct group_in g;
  int rc;
  *id = 0;
  if (ncoreps > GROUPS_MAX_COREPS) {
    kerr_field(ei, "co_representatives", "副代表者は10人までです。");
    return kerr_set(ei, KERR_VALIDATION, NULL);
  }
  if ((rc = read_group(ctx, in, &g, ei))) return rc;
  if (!valid_until) {
    const struct rules *r = rules_in_force(ctx->rb, group_today(ctx));
    valid_until = groups_validity_end(r, group_today(ctx));
  }
  if ((rc = insert_group(ctx, &g, rep, valid_until, NULL, "group.import", id)))
    return kerr_set(ei, rc, NULL);
  for (int i = 0; i < ncoreps; i++) {
    if ((rc = kerr_from_db(db_run(ctx->db, "INSERT OR IGNORE INTO group_reps(group_id, account_id)"
                                           " SELECT $g, $a WHERE $a <> $rep",
                                  DB_I("$g", *id), DB_I("$a", coreps[i]), DB_I("$rep", rep)))))
      return kerr_set(ei, rc, NULL);
  }
  return 0;
}

/* ============================================================= decisions */

/* $by: who decided (NULL when no account did, e.g. a command-line tool). */
static void bind_actor(const struct kctx *ctx, kstmt *st) {
  if (ctx->actor.account_id > 0) db_bind_int(st, "$by", ctx->actor.account_id);
  else db_bind_null(st, "$by");
}

/* Run one UPDATE of a decision with the group's id bound as $id, and the
** event; inside the caller's write transaction. */
static int finish(struct kctx *ctx, kstmt *st, int64_t id, const char *action) {
  if (!st) return KERR_INTERNAL;
  int rc = db_exec_stmt(st);
  if (rc != DB_OK) return kerr_from_db(rc);
  struct audit_fields f = {.subject_group = id};
  if ((rc = audit_event(ctx, action, &f))) return rc;
  return notify_group_decision(ctx, id, strstr(action, "approve") != NULL, NULL);
}

/* Bind a decision's $reason (REASON, unless NULL), $now, $by and $id to ST,
** run it and write its event ACTION (finish). */
static int decide(struct kctx *ctx, kstmt *st, int64_t id, const char *reason,
                  const char *action) {
  if (st) {
    if (reason) db_bind_text(st, "$reason", reason);
    db_bind_int(st, "$now", ctx->now);
    bind_actor(ctx, st);
    db_bind_int(st, "$id", id);
  }
  return finish(ctx, st, id, action);
}

/* End a decision's write transaction: with RC 0, commit, then the group as
** MROLE sees it into *OUT; with a KERR code RC, roll back. 0 or the error
** in EI. */
static int end_decision(struct kctx *ctx, int rc, int64_t id, int mrole, json_t **out,
                        struct kerrinfo *ei) {
  assert(db_in_txn(ctx->db));
  if (rc) {
    db_rollback(ctx->db);
    return kerr_set(ei, rc, NULL);
  }
  rc = db_commit(ctx->db);
  if (rc != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  /* An approval, a rejection or a renewal may add a group to the public
  ** list, take it off or name it on the feeds: the cached pages and feeds
  ** that show them are stale (http/pagecache.c). */
  avail_touch();
  rc = group_json(ctx, id, mrole, out);
  return rc ? kerr_set(ei, rc, NULL) : 0;
}

int groups_approve(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei) {
  struct grow g;
  int rc, mrole;
  *out = NULL;
  if (!desk_is_staff(ctx)) return kerr_set(ei, KERR_FORBIDDEN, NULL);
  const struct rules *r = rules_in_force(ctx->rb, group_today(ctx));
  if (!r) return kerr_set(ei, KERR_INTERNAL, NULL);
  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  if ((rc = group_load_visible(ctx, id, &g, &mrole))) goto fail;
  char until[11];
  kstmt *st;
  if (g.status == REVIEW_PENDING) {
    /* RULE: one approval, valid at every centre until the end of the rule
    ** book's validity period. */
    date_format(groups_validity_end(r, group_today(ctx)), until);
    st = db_prep(ctx->db,
                 "UPDATE groups SET status = 'approved', valid_until = $until, reason = NULL,"
                 " decided_at = $now, decided_by = $by WHERE id = $id");
    if (st) db_bind_text(st, "$until", until);
    rc = decide(ctx, st, id, NULL, "group.approve");
  } else if (g.status == REVIEW_APPROVED && g.renewal == REVIEW_PENDING) {
    /* RULE: renewal: the new period follows the current one without a gap
    ** (or starts today when the old one has already ended). */
    int32_t from = group_today(ctx);
    if (g.valid_until && g.valid_until + 1 > from) from = g.valid_until + 1;
    date_format(groups_validity_end(r, from), until);
    st = db_prep(ctx->db,
                 "UPDATE groups SET valid_until = $until, members = renewal_members,"
                 " resident_members = renewal_resident_members,"
                 " activity = COALESCE(renewal_activity, activity),"
                 " renewal_status = NULL, renewal_members = NULL,"
                 " renewal_resident_members = NULL, renewal_activity = NULL,"
                 " renewal_requested_at = NULL, renewal_reason = NULL,"
                 " decided_at = $now, decided_by = $by WHERE id = $id");
    if (st) db_bind_text(st, "$until", until);
    rc = decide(ctx, st, id, NULL, "group.renewal_approve");
  } else {
    rc = kerr_set(ei, KERR_CONFLICT, "この団体には、審査を待っている申請がありません。");
  }
fail:
  return end_decision(ctx, rc, id, mrole, out, ei);
}

int groups_reject(struct kctx *ctx, int64_t id, const json_t *in, json_t **out,
                  struct kerrinfo *ei) {
  struct grow g;
  char reason[2048];
  int rc, mrole, bad = 0;
  *out = NULL;
  if (!desk_is_staff(ctx)) return kerr_set(ei, KERR_FORBIDDEN, NULL);
  rc = input_text(in, "reason", reason, sizeof reason);
  if (rc == INPUT_MISSING)
    group_bad_field(ei, &bad, "reason", "承認しない理由を入力してください（申請した人に伝わります）。");
  else if (rc == INPUT_BAD || text_utf8_len(reason) > 500)
    group_bad_field(ei, &bad, "reason", "理由は500文字以内で入力してください。");
  /* A reason is a message to the group: no names, phones or emails belong in
  ** it, and it never reaches the usage log. */
  if (bad) {
    /* The group must still not leak: check it exists and is visible first. */
    if ((rc = group_load_visible(ctx, id, &g, &mrole))) {
      kerr_clear(ei);
      return kerr_set(ei, rc, NULL);
    }
    return kerr_set(ei, KERR_VALIDATION, NULL);
  }
  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  if ((rc = group_load_visible(ctx, id, &g, &mrole))) goto fail;
  kstmt *st;
  if (g.status == REVIEW_PENDING) {
    st = db_prep(ctx->db,
                 "UPDATE groups SET status = 'rejected', reason = $reason, decided_at = $now,"
                 " decided_by = $by WHERE id = $id");
    rc = decide(ctx, st, id, reason, "group.reject");
  } else if (g.status == REVIEW_APPROVED && g.renewal == REVIEW_PENDING) {
    /* The current approval stands until valid_until; only the renewal fails. */
    st = db_prep(ctx->db,
                 "UPDATE groups SET renewal_status = 'rejected', renewal_reason = $reason,"
                 " decided_at = $now, decided_by = $by WHERE id = $id");
    rc = decide(ctx, st, id, reason, "group.renewal_reject");
  } else {
    rc = kerr_set(ei, KERR_CONFLICT, "この団体には、審査を待っている申請がありません。");
  }
fail:
  return end_decision(ctx, rc, id, mrole, out, ei);
}

/* ================================================================ renewal */

int groups_renew(struct kctx *ctx, int64_t id, const json_t *in, json_t **out,
                 struct kerrinfo *ei) {
  struct grow g;
  char activity[1024], rule_msg[512], until[11];
  long long members = 0, residents = 0;
  int rc, mrole, bad = 0, set = 0;
  *out = NULL;
  if ((rc = group_load_visible(ctx, id, &g, &mrole))) return kerr_set(ei, rc, NULL);
  read_counts(in, ctx->form, &members, &residents, ei, &bad);
  read_activity(in, activity, sizeof activity, &set, ei, &bad);
  if (bad) return kerr_set(ei, KERR_VALIDATION, NULL);
  const struct rules *r = rules_in_force(ctx->rb, group_today(ctx));
  if (!r) return kerr_set(ei, KERR_INTERNAL, NULL);

  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  if ((rc = group_load_visible(ctx, id, &g, &mrole))) goto fail;
  if (g.status != REVIEW_APPROVED) {
    rc = kerr_set(ei, KERR_CONFLICT,
                  "更新できるのは承認された団体だけです。%s",
                  g.status == REVIEW_PENDING ? "いまの申請の審査をお待ちください。"
                                               : "新しく団体登録を申請してください。");
    goto fail;
  }
  if (g.renewal == REVIEW_PENDING) {
    rc = kerr_set(ei, KERR_CONFLICT, "更新の申請はすでに受け付けています（審査中です）。");
    goto fail;
  }
  int32_t current_end = groups_validity_end(r, group_today(ctx));
  if (g.valid_until > current_end) {
    date_format(g.valid_until, until);
    rc = kerr_set(ei, KERR_CONFLICT, "この団体の登録は %s まで有効で、次の期間の更新は済んでいます。",
                  until);
    goto fail;
  }
  if ((rc = groups_eligible(r, members, residents, rule_msg, sizeof rule_msg))) {
    kerr_set(ei, rc, "%s", rule_msg);
    goto fail;
  }
  kstmt *st = db_prep(ctx->db,
                      "UPDATE groups SET renewal_status = 'pending', renewal_members = $m,"
                      " renewal_resident_members = $r, renewal_activity = $act,"
                      " renewal_requested_at = $now, renewal_reason = NULL WHERE id = $id");
  if (st) {
    db_bind_int(st, "$m", members);
    db_bind_int(st, "$r", residents);
    db_bind_text(st, "$act", set ? activity : NULL);
    db_bind_int(st, "$now", ctx->now);
    db_bind_int(st, "$id", id);
  }
  if ((rc = finish(ctx, st, id, "group.renew"))) goto fail;
  return end_decision(ctx, 0, id, mrole, out, ei);
fail:
  db_rollback(ctx->db);
  return kerr_set(ei, rc, NULL);
}
