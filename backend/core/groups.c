/*
** core/groups.c: groups (see groups.h).
*/
#include "groups.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "audit.h"
#include "clock.h"
#include "csv.h"
#include "desk.h"
#include "discounts.h"
#include "ids.h"
#include "oidc.h"
#include "input.h"
#include "notify.h"
#include "text.h"
#include "throttle.h"

/* ============================================================ the rule */

int groups_eligible(const struct rules *r, long long members, long long residents, char *msg,
                    size_t msglen) {
  int min = r->group_min_members, pct = r->group_resident_percent_above;
  /* RULE: group registration: at least min_members, and residents more than
  ** resident_share_above_percent of the members (integers: no rounding). */
  if (members >= min && residents * 100 > members * (long long)pct) return 0;
  char share[64];
  if (pct == 50) snprintf(share, sizeof share, "半数");
  else snprintf(share, sizeof share, "%d%%", pct);
  snprintf(msg, msglen,
           "団体登録には、構成員が%d人以上で、そのうち前橋市に住んでいるか、働いているか、"
           "学んでいる人が%sを超えていることが必要です。"
           "いただいた内容は、構成員%lld人のうち市内の人が%lld人です。",
           min, share, members, residents);
  return KERR_RESIDENCY;
}

int32_t groups_validity_end(const struct rules *r, int32_t from) {
  if (r->group_validity == VALID_DAYS) return from + r->group_validity_days - 1;
  return date_fiscal_year_end(from);
}

/* ======================================================== loading a group */

struct grow {
  int64_t id, rep;
  char status[16];
  int32_t valid_until;        /* 0: never approved */
  char renewal[16];           /* "", "pending", "rejected" */
  long long renewal_members, renewal_residents;
};

static int load(struct kctx *ctx, int64_t id, struct grow *g) {
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
    snprintf(g->status, sizeof g->status, "%s", db_col_text(st, 1));
    if (!db_col_null(st, 2) && date_parse(db_col_text(st, 2), &g->valid_until) != 0)
      g->valid_until = 0;
    snprintf(g->renewal, sizeof g->renewal, "%s", db_col_text(st, 3));
    g->renewal_members = db_col_int(st, 4);
    g->renewal_residents = db_col_int(st, 5);
  }
  db_reset(st);
  if (rc == DB_DONE) return KERR_NOT_FOUND;
  return rc == DB_ROW ? 0 : kerr_from_db(rc);
}

enum { NOT_MEMBER = 0, COREP = 1, REP = 2 };

static int member_role(struct kctx *ctx, const struct grow *g, int64_t account) {
  if (account <= 0) return NOT_MEMBER;
  if (g->rep == account) return REP;
  kstmt *st = db_prep(ctx->db,
                      "SELECT 1 FROM group_reps WHERE group_id = $g AND account_id = $a");
  if (!st) return NOT_MEMBER;
  db_bind_int(st, "$g", g->id);
  db_bind_int(st, "$a", account);
  int hit = db_step(st) == DB_ROW;
  db_reset(st);
  return hit ? COREP : NOT_MEMBER;
}

/* Load ID if the actor may see it; KERR_NOT_FOUND for anyone else. */
static int load_visible(struct kctx *ctx, int64_t id, struct grow *g, int *mrole) {
  int rc = load(ctx, id, g);
  if (rc) return rc;
  *mrole = member_role(ctx, g, ctx->actor.account_id);
  if (!desk_is_staff(ctx) && *mrole == NOT_MEMBER) return KERR_NOT_FOUND;
  return 0;
}

static int32_t today(const struct kctx *ctx) { return clock_today(ctx->now); }

static int valid_on(const struct grow *g, int32_t day) {
  return !strcmp(g->status, "approved") && g->valid_until && g->valid_until >= day;
}

/* ============================================================ JSON views */

static json_t *date_or_null(int32_t day) {
  char s[11];
  if (!day) return json_null();
  date_format(day, s);
  return json_string(s);
}

static json_t *instant_or_null(kstmt *st, int i) {
  char s[26];
  if (db_col_null(st, i)) return json_null();
  clock_format_instant(db_col_int(st, i), s);
  return json_string(s);
}

static json_t *text_or_null(kstmt *st, int i) {
  return db_col_null(st, i) ? json_null() : json_string(db_col_text(st, i));
}

static json_t *person(int64_t id, const char *name) {
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
                                          instant_or_null(st, 1), "expires_at",
                                          instant_or_null(st, 2)));
  db_reset(st);
  if (rc != DB_DONE) {
    json_decref(list);
    return kerr_from_db(rc);
  }
  *out = list;
  return 0;
}

static int group_json(struct kctx *ctx, int64_t id, int mrole, json_t **out) {
  *out = NULL;
  kstmt *st = db_prep(ctx->db,
                      "SELECT g.name, g.name_kana, g.members, g.resident_members, g.activity,"
                      " g.public_listing, g.status, g.reason, g.valid_until, g.created_at,"
                      " g.decided_at, g.representative_id, a.name, g.renewal_status,"
                      " g.renewal_members, g.renewal_resident_members, g.renewal_activity,"
                      " g.renewal_requested_at, g.renewal_reason"
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
  int approved = !strcmp(db_col_text(st, 6), "approved");
  json_t *renewal = json_null();
  if (!db_col_null(st, 13))
    renewal = json_pack("{s:s, s:I, s:I, s:o, s:o, s:o}", "status", db_col_text(st, 13),
                        "members", (json_int_t)db_col_int(st, 14), "resident_members",
                        (json_int_t)db_col_int(st, 15), "activity", text_or_null(st, 16),
                        "requested_at", instant_or_null(st, 17), "reason",
                        text_or_null(st, 18));
  json_t *g = json_pack(
      "{s:o, s:s, s:s, s:I, s:I, s:s, s:b, s:s, s:o, s:o, s:b, s:o, s:o, s:o, s:o}", "id",
      ids_json(id), "name", db_col_text(st, 0), "name_kana", db_col_text(st, 1), "members",
      (json_int_t)db_col_int(st, 2), "resident_members", (json_int_t)db_col_int(st, 3),
      "activity", db_col_text(st, 4), "public_listing", (int)db_col_int(st, 5), "status",
      db_col_text(st, 6), "reason", text_or_null(st, 7), "valid_until", date_or_null(vu),
      "valid", approved && vu && vu >= today(ctx), "created_at", instant_or_null(st, 9),
      "decided_at", instant_or_null(st, 10), "representative",
      person(db_col_int(st, 11), db_col_text(st, 12)), "renewal", renewal);
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
      json_array_append_new(coreps, person(db_col_int(st, 0), db_col_text(st, 1)));
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
  json_object_set_new(g, "my_role",
                      mrole == REP     ? json_string("representative")
                      : mrole == COREP ? json_string("co_representative")
                                       : json_null());
  *out = g;
  return 0;
}

int groups_get(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei) {
  struct grow g;
  int mrole;
  *out = NULL;
  int rc = load_visible(ctx, id, &g, &mrole);
  if (!rc) rc = group_json(ctx, id, mrole, out);
  /* Its exemption (減免) applications with their status and the decision's
  ** reason, for the group to read (core/discounts.c). */
  json_t *discounts = NULL;
  if (!rc && (rc = discounts_of_group(ctx, id, &discounts)) == 0)
    json_object_set_new(*out, "discounts", discounts);
  if (rc) {
    json_decref(*out);
    *out = NULL;
  }
  return rc ? kerr_set(ei, rc, NULL) : 0;
}

/* ======================================================= field checking */

static void bad_field(struct kerrinfo *ei, int *bad, const char *field, const char *msg) {
  kerr_field(ei, field, msg);
  (*bad)++;
}

static int has_control(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s < 0x20 || *s == 0x7f) return 1;
  return 0;
}

/* members and resident_members, both required. */
static void read_counts(const json_t *in, long long *members, long long *residents,
                        struct kerrinfo *ei, int *bad) {
  int rm = input_int(in, "members", 1, 100000, members);
  int rr = input_int(in, "resident_members", 0, 100000, residents);
  if (rm == INPUT_MISSING) bad_field(ei, bad, "members", "構成員の人数を入力してください。");
  else if (rm == INPUT_BAD)
    bad_field(ei, bad, "members", "構成員の人数は1以上の整数（半角数字）で入力してください。");
  if (rr == INPUT_MISSING)
    bad_field(ei, bad, "resident_members",
              "市内に住んでいるか、働いているか、学んでいる構成員の人数を入力してください。");
  else if (rr == INPUT_BAD)
    bad_field(ei, bad, "resident_members", "人数は0以上の整数（半角数字）で入力してください。");
  else if (rm == INPUT_OK && *residents > *members)
    bad_field(ei, bad, "resident_members", "構成員の人数より多くはできません。");
}

/* activity: optional, up to 200 characters on one line. *SET when given. */
static void read_activity(const json_t *in, char *buf, size_t cap, int *set, struct kerrinfo *ei,
                          int *bad) {
  int rc = input_text(in, "activity", buf, cap);
  *set = rc == INPUT_OK;
  if (rc == INPUT_BAD || (rc == INPUT_OK && text_utf8_len(buf) > 200))
    bad_field(ei, bad, "activity", "活動内容は200文字以内で入力してください。");
  else if (rc == INPUT_OK && has_control(buf))
    bad_field(ei, bad, "activity", "活動内容は改行を入れずに入力してください。");
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
  if (rc == INPUT_MISSING) bad_field(ei, &bad, "name", "団体名を入力してください。");
  else if (rc == INPUT_BAD || text_utf8_len(g->name) > 100)
    bad_field(ei, &bad, "name", "団体名は100文字以内で入力してください。");
  else if (has_control(g->name)) bad_field(ei, &bad, "name", "団体名に使えない文字が含まれています。");
  rc = input_text(in, "name_kana", g->kana, sizeof g->kana);
  if (rc == INPUT_MISSING) bad_field(ei, &bad, "name_kana", "団体名のふりがなを入力してください。");
  else if (rc == INPUT_BAD) bad_field(ei, &bad, "name_kana", "ふりがなは100文字以内で入力してください。");
  else if ((m = accounts_check_kana(g->kana))) bad_field(ei, &bad, "name_kana", m);
  read_counts(in, &g->members, &g->residents, ei, &bad);
  read_activity(in, g->activity, sizeof g->activity, &g->has_activity, ei, &bad);
  if (input_bool(in, "public_listing", &g->listing) == INPUT_BAD)
    bad_field(ei, &bad, "public_listing", "公開するかどうかは true か false で指定してください。");
  if (bad) return kerr_set(ei, KERR_VALIDATION, NULL);
  const struct rules *r = rules_in_force(ctx->rb, today(ctx));
  if (!r) return kerr_set(ei, KERR_INTERNAL, NULL);
  if ((rc = groups_eligible(r, g->members, g->residents, rule_msg, sizeof rule_msg)))
    return kerr_set(ei, rc, "%s", rule_msg);
  return 0;
}

/* Inside a write transaction: insert G under a new random group ID with
** representative REP, pending, or approved until VALID_UNTIL when that is
** non-zero; its event ACTION. *ID the new group. 0 or a KERR code. */
static int insert_group(struct kctx *ctx, const struct group_in *g, int64_t rep,
                        int32_t valid_until, const char *action, int64_t *id) {
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
                      " created_at, decided_at)"
                      " VALUES ($id, $name, $kana, $rep, $members, $res, $act, $pub, $status,"
                      " $until, $now, $decided)");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", gid);
  db_bind_text(st, "$name", g->name);
  db_bind_text(st, "$kana", g->kana);
  db_bind_int(st, "$rep", rep);
  db_bind_int(st, "$members", g->members);
  db_bind_int(st, "$res", g->residents);
  db_bind_text(st, "$act", g->has_activity ? g->activity : "");
  db_bind_int(st, "$pub", g->listing);
  db_bind_text(st, "$status", valid_until ? "approved" : "pending");
  if (valid_until) {
    date_format(valid_until, until);
    db_bind_text(st, "$until", until);
    db_bind_int(st, "$decided", ctx->now);
  }
  db_bind_int(st, "$now", ctx->now);
  if ((rc = db_exec_stmt(st)) != DB_OK) return kerr_from_db(rc);
  struct audit_fields f = {.subject_group = gid};
  if ((rc = audit_event(ctx, action, &f))) return rc;
  *id = gid;
  return 0;
}

int groups_register(struct kctx *ctx, const json_t *in, int64_t *id, struct kerrinfo *ei) {
  struct group_in g;
  int rc;
  *id = 0;
  if (ctx->actor.role != ROLE_CITIZEN || ctx->actor.account_id <= 0)
    return kerr_set(ei, KERR_FORBIDDEN, NULL);
  if ((rc = read_group(ctx, in, &g, ei))) return rc;
  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  if ((rc = insert_group(ctx, &g, ctx->actor.account_id, 0, "group.register", id))) {
    db_rollback(ctx->db);
    *id = 0;
    return kerr_set(ei, rc, NULL);
  }
  if ((rc = db_commit(ctx->db)) != DB_OK) {
    *id = 0;
    return kerr_set(ei, kerr_from_db(rc), NULL);
  }
  return 0;
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
    const struct rules *r = rules_in_force(ctx->rb, today(ctx));
    valid_until = groups_validity_end(r, today(ctx));
  }
  if ((rc = insert_group(ctx, &g, rep, valid_until, "group.import", id)))
    return kerr_set(ei, rc, NULL);
  for (int i = 0; i < ncoreps; i++) {
    kstmt *st = db_prep(ctx->db, "INSERT OR IGNORE INTO group_reps(group_id, account_id)"
                                 " SELECT $g, $a WHERE $a <> $rep");
    if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
    db_bind_int(st, "$g", *id);
    db_bind_int(st, "$a", coreps[i]);
    db_bind_int(st, "$rep", rep);
    if ((rc = kerr_from_db(db_exec_stmt(st)))) return kerr_set(ei, rc, NULL);
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

/* End a decision's write transaction: commit, then the group as MROLE sees
** it into *OUT. 0 or the error in EI. */
static int commit_and_show(struct kctx *ctx, int64_t id, int mrole, json_t **out,
                           struct kerrinfo *ei) {
  int rc = db_commit(ctx->db);
  if (rc != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  rc = group_json(ctx, id, mrole, out);
  return rc ? kerr_set(ei, rc, NULL) : 0;
}

int groups_approve(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei) {
  struct grow g;
  int rc, mrole;
  *out = NULL;
  if (!desk_is_staff(ctx)) return kerr_set(ei, KERR_FORBIDDEN, NULL);
  const struct rules *r = rules_in_force(ctx->rb, today(ctx));
  if (!r) return kerr_set(ei, KERR_INTERNAL, NULL);
  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  if ((rc = load_visible(ctx, id, &g, &mrole))) goto fail;
  char until[11];
  kstmt *st;
  if (!strcmp(g.status, "pending")) {
    /* RULE: one approval, valid at every centre until the end of the rule
    ** book's validity period. */
    date_format(groups_validity_end(r, today(ctx)), until);
    st = db_prep(ctx->db,
                 "UPDATE groups SET status = 'approved', valid_until = $until, reason = NULL,"
                 " decided_at = $now, decided_by = $by WHERE id = $id");
    if (st) {
      db_bind_text(st, "$until", until);
      db_bind_int(st, "$now", ctx->now);
      bind_actor(ctx, st);
      db_bind_int(st, "$id", id);
    }
    rc = finish(ctx, st, id, "group.approve");
  } else if (!strcmp(g.status, "approved") && !strcmp(g.renewal, "pending")) {
    /* RULE: renewal: the new period follows the current one without a gap
    ** (or starts today when the old one has already ended). */
    int32_t from = today(ctx);
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
    if (st) {
      db_bind_text(st, "$until", until);
      db_bind_int(st, "$now", ctx->now);
      bind_actor(ctx, st);
      db_bind_int(st, "$id", id);
    }
    rc = finish(ctx, st, id, "group.renewal_approve");
  } else {
    rc = kerr_set(ei, KERR_CONFLICT, "この団体には、審査を待っている申請がありません。");
  }
  if (rc) goto fail;
  return commit_and_show(ctx, id, mrole, out, ei);
fail:
  db_rollback(ctx->db);
  return kerr_set(ei, rc, NULL);
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
    bad_field(ei, &bad, "reason", "承認しない理由を入力してください（申請した人に伝わります）。");
  else if (rc == INPUT_BAD || text_utf8_len(reason) > 500)
    bad_field(ei, &bad, "reason", "理由は500文字以内で入力してください。");
  /* A reason is a message to the group: no names, phones or emails belong in
  ** it, and it never reaches the usage log. */
  if (bad) {
    /* The group must still not leak: check it exists and is visible first. */
    if ((rc = load_visible(ctx, id, &g, &mrole))) {
      kerr_clear(ei);
      return kerr_set(ei, rc, NULL);
    }
    return kerr_set(ei, KERR_VALIDATION, NULL);
  }
  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  if ((rc = load_visible(ctx, id, &g, &mrole))) goto fail;
  kstmt *st;
  if (!strcmp(g.status, "pending")) {
    st = db_prep(ctx->db,
                 "UPDATE groups SET status = 'rejected', reason = $reason, decided_at = $now,"
                 " decided_by = $by WHERE id = $id");
    if (st) {
      db_bind_text(st, "$reason", reason);
      db_bind_int(st, "$now", ctx->now);
      bind_actor(ctx, st);
      db_bind_int(st, "$id", id);
    }
    rc = finish(ctx, st, id, "group.reject");
  } else if (!strcmp(g.status, "approved") && !strcmp(g.renewal, "pending")) {
    /* The current approval stands until valid_until; only the renewal fails. */
    st = db_prep(ctx->db,
                 "UPDATE groups SET renewal_status = 'rejected', renewal_reason = $reason,"
                 " decided_at = $now, decided_by = $by WHERE id = $id");
    if (st) {
      db_bind_text(st, "$reason", reason);
      db_bind_int(st, "$now", ctx->now);
      bind_actor(ctx, st);
      db_bind_int(st, "$id", id);
    }
    rc = finish(ctx, st, id, "group.renewal_reject");
  } else {
    rc = kerr_set(ei, KERR_CONFLICT, "この団体には、審査を待っている申請がありません。");
  }
  if (rc) goto fail;
  return commit_and_show(ctx, id, mrole, out, ei);
fail:
  db_rollback(ctx->db);
  return kerr_set(ei, rc, NULL);
}

/* ================================================================ renewal */

int groups_renew(struct kctx *ctx, int64_t id, const json_t *in, json_t **out,
                 struct kerrinfo *ei) {
  struct grow g;
  char activity[1024], rule_msg[512], until[11];
  long long members = 0, residents = 0;
  int rc, mrole, bad = 0, set = 0;
  *out = NULL;
  if ((rc = load_visible(ctx, id, &g, &mrole))) return kerr_set(ei, rc, NULL);
  read_counts(in, &members, &residents, ei, &bad);
  read_activity(in, activity, sizeof activity, &set, ei, &bad);
  if (bad) return kerr_set(ei, KERR_VALIDATION, NULL);
  const struct rules *r = rules_in_force(ctx->rb, today(ctx));
  if (!r) return kerr_set(ei, KERR_INTERNAL, NULL);

  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  if ((rc = load_visible(ctx, id, &g, &mrole))) goto fail;
  if (strcmp(g.status, "approved") != 0) {
    rc = kerr_set(ei, KERR_CONFLICT,
                  "更新できるのは承認された団体だけです。%s",
                  !strcmp(g.status, "pending") ? "いまの申請の審査をお待ちください。"
                                               : "新しく団体登録を申請してください。");
    goto fail;
  }
  if (!strcmp(g.renewal, "pending")) {
    rc = kerr_set(ei, KERR_CONFLICT, "更新の申請はすでに受け付けています（審査中です）。");
    goto fail;
  }
  int32_t current_end = groups_validity_end(r, today(ctx));
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
  return commit_and_show(ctx, id, mrole, out, ei);
fail:
  db_rollback(ctx->db);
  return kerr_set(ei, rc, NULL);
}

/* ======================================================= co-representatives */

/* The one number ST yields (prepared, bound), reset; -1 on a store error. */
static long long one_count(kstmt *st) {
  if (!st) return -1;
  long long n = db_step(st) == DB_ROW ? db_col_int(st, 0) : -1;
  db_reset(st);
  return n;
}

static long long corep_count(struct kctx *ctx, int64_t group) {
  kstmt *st = db_prep(ctx->db, "SELECT count(*) FROM group_reps WHERE group_id = $g");
  if (st) db_bind_int(st, "$g", group);
  return one_count(st);
}

static long long invitation_count(struct kctx *ctx, int64_t group) {
  kstmt *st = db_prep(ctx->db, "SELECT count(*) FROM group_invitations WHERE group_id = $g"
                               " AND expires_at > $now");
  if (st) {
    db_bind_int(st, "$g", group);
    db_bind_int(st, "$now", ctx->now);
  }
  return one_count(st);
}

/* Checks of an invitation of WHO to G by the actor, before anything is
** written. Nothing here may depend on whether WHO is anyone's ID. */
static int invite_check(struct kctx *ctx, const struct grow *g, int mrole, const json_t *in,
                        int64_t *who, struct kerrinfo *ei) {
  int rc, bad = 0;
  if (mrole != REP && !desk_is_staff(ctx))
    return kerr_set(ei, KERR_FORBIDDEN, "副代表者を招待できるのは、団体の代表者です。");
  /* RULE: requests naming a system ID are throttled per address (throttle.c). */
  if ((rc = throttle_refuse(&throttle_lookup, "id", ctx->client, ctx->now, ei))) return rc;
  int prc = ids_parse_json(json_object_get(in, "system_id"), who);
  if (prc != IDS_OK) {
    char m[512];
    ids_message(prc, "利用者ID", m, sizeof m);
    bad_field(ei, &bad, "system_id", m);
  } else if (*who == g->rep) {
    bad_field(ei, &bad, "system_id", "この方はこの団体の代表者です。");
  } else if (member_role(ctx, g, *who) == COREP) {
    bad_field(ei, &bad, "system_id", "この方はすでにこの団体の副代表者です。");
  }
  if (bad) return kerr_set(ei, KERR_VALIDATION, NULL);
  /* The caps count co-representatives and invitations, both of which the
  ** inviter sees whatever the IDs: they tell nothing about an ID. */
  long long n = corep_count(ctx, g->id);
  long long pending = invitation_count(ctx, g->id);
  if (n < 0 || pending < 0) return kerr_set(ei, KERR_INTERNAL, NULL);
  if (n >= GROUPS_MAX_COREPS)
    return kerr_set(ei, KERR_LIMIT, "副代表者は%d人までです。", GROUPS_MAX_COREPS);
  if (pending >= GROUPS_MAX_INVITES)
    return kerr_set(ei, KERR_LIMIT,
                    "返事を待っている招待が%d件あります。返事があるか、期限が切れるまでお待ちください。",
                    GROUPS_MAX_INVITES);
  return 0;
}

int groups_invite(struct kctx *ctx, int64_t id, const json_t *in, json_t **out,
                  struct kerrinfo *ei) {
  struct grow g;
  int rc, mrole;
  int64_t who = 0;
  *out = NULL;
  if ((rc = load_visible(ctx, id, &g, &mrole))) return kerr_set(ei, rc, NULL);
  if ((rc = invite_check(ctx, &g, mrole, in, &who, ei))) return rc;
  int64_t expires = ctx->now + GROUPS_INVITE_DAYS * 86400;

  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  kstmt *st = db_prep(ctx->db, "DELETE FROM group_invitations WHERE expires_at <= $now");
  if (!st) { rc = KERR_INTERNAL; goto fail; }
  db_bind_int(st, "$now", ctx->now);
  if ((rc = kerr_from_db(db_exec_stmt(st)))) goto fail;
  st = db_prep(ctx->db,
               "INSERT OR REPLACE INTO group_invitations(group_id, invitee_id, invited_by,"
               " created_at, expires_at) VALUES ($g, $who, $by, $now, $exp)");
  if (!st) { rc = KERR_INTERNAL; goto fail; }
  db_bind_int(st, "$g", id);
  db_bind_int(st, "$who", who);
  db_bind_int(st, "$by", ctx->actor.account_id);
  db_bind_int(st, "$now", ctx->now);
  db_bind_int(st, "$exp", expires);
  if ((rc = kerr_from_db(db_exec_stmt(st)))) goto fail;
  struct audit_fields f = {.subject_group = id};
  if ((rc = audit_event(ctx, "group.corep_invite", &f))) goto fail;
  if ((rc = db_commit(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  char exp[26];
  clock_format_instant(expires, exp);
  *out = json_pack("{s:s, s:s}", "status", "invited", "expires_at", exp);
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
fail:
  db_rollback(ctx->db);
  return kerr_set(ei, rc, NULL);
}

int groups_invitations(struct kctx *ctx, json_t **out) {
  *out = NULL;
  kstmt *st = db_prep(ctx->db,
                      "SELECT g.id, g.name, a.name, i.created_at, i.expires_at"
                      " FROM group_invitations i JOIN groups g ON g.id = i.group_id"
                      " JOIN accounts a ON a.id = g.representative_id"
                      " WHERE i.invitee_id = $me AND i.expires_at > $now"
                      " ORDER BY i.created_at, g.id");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$me", ctx->actor.account_id);
  db_bind_int(st, "$now", ctx->now);
  json_t *list = json_array();
  int rc;
  while ((rc = db_step(st)) == DB_ROW)
    json_array_append_new(
        list, json_pack("{s:o, s:s, s:{s:s}, s:o, s:o}", "group_id", ids_json(db_col_int(st, 0)),
                        "group_name", db_col_text(st, 1), "representative", "name",
                        db_col_text(st, 2), "invited_at", instant_or_null(st, 3), "expires_at",
                        instant_or_null(st, 4)));
  db_reset(st);
  if (rc != DB_DONE) {
    json_decref(list);
    return kerr_from_db(rc);
  }
  *out = json_pack("{s:o}", "invitations", list);
  return *out ? 0 : KERR_INTERNAL;
}

/* Take the actor's invitation to GROUP out (within the open transaction):
** 0, or KERR_NOT_FOUND when there is none that has not lapsed. */
static int take_invitation(struct kctx *ctx, int64_t group, struct kerrinfo *ei) {
  kstmt *st = db_prep(ctx->db, "DELETE FROM group_invitations WHERE group_id = $g"
                               " AND invitee_id = $me AND expires_at > $now");
  if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
  db_bind_int(st, "$g", group);
  db_bind_int(st, "$me", ctx->actor.account_id);
  db_bind_int(st, "$now", ctx->now);
  int rc = kerr_from_db(db_exec_stmt(st));
  if (rc) return kerr_set(ei, rc, NULL);
  if (db_changes(ctx->db) == 0)
    return kerr_set(ei, KERR_NOT_FOUND,
                    "この招待は見つかりません。取り消されたか、期限 (%d日) が切れています。",
                    GROUPS_INVITE_DAYS);
  return 0;
}

int groups_invitation_answer(struct kctx *ctx, int64_t id, int accept, json_t **out,
                             struct kerrinfo *ei) {
  int rc;
  *out = NULL;
  if (ctx->actor.role != ROLE_CITIZEN || !ids_valid(id)) return kerr_set(ei, KERR_NOT_FOUND, NULL);
  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  if ((rc = take_invitation(ctx, id, ei))) goto fail;
  if (accept) {
    long long n = corep_count(ctx, id);
    if (n < 0) { rc = kerr_set(ei, KERR_INTERNAL, NULL); goto fail; }
    if (n >= GROUPS_MAX_COREPS) {
      rc = kerr_set(ei, KERR_LIMIT, "この団体の副代表者はすでに%d人いるため、引き受けられません。",
                    GROUPS_MAX_COREPS);
      goto fail;
    }
    kstmt *st = db_prep(ctx->db, "INSERT OR IGNORE INTO group_reps(group_id, account_id)"
                                 " SELECT $g, $me FROM groups WHERE id = $g"
                                 " AND representative_id <> $me");
    if (!st) { rc = kerr_set(ei, KERR_INTERNAL, NULL); goto fail; }
    db_bind_int(st, "$g", id);
    db_bind_int(st, "$me", ctx->actor.account_id);
    if ((rc = kerr_from_db(db_exec_stmt(st)))) { kerr_set(ei, rc, NULL); goto fail; }
  }
  struct audit_fields f = {.subject_group = id};
  if ((rc = audit_event(ctx, accept ? "group.corep_add" : "group.corep_decline", &f))) {
    kerr_set(ei, rc, NULL);
    goto fail;
  }
  if ((rc = db_commit(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  if (!accept) {
    *out = json_pack("{s:o, s:s}", "group_id", ids_json(id), "status", "declined");
    return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
  }
  rc = group_json(ctx, id, COREP, out);
  return rc ? kerr_set(ei, rc, NULL) : 0;
fail:
  db_rollback(ctx->db);
  return rc;
}

int groups_rep_remove(struct kctx *ctx, int64_t id, int64_t account, json_t **out,
                      struct kerrinfo *ei) {
  struct grow g;
  int rc, mrole;
  *out = NULL;
  if ((rc = load_visible(ctx, id, &g, &mrole))) return kerr_set(ei, rc, NULL);
  int self = mrole == COREP && account == ctx->actor.account_id;
  if (mrole != REP && !desk_is_staff(ctx) && !self)
    return kerr_set(ei, KERR_FORBIDDEN, "副代表者を外せるのは、団体の代表者か本人です。");
  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  kstmt *st = db_prep(ctx->db, "DELETE FROM group_reps WHERE group_id = $g AND account_id = $a");
  if (!st) { rc = KERR_INTERNAL; goto fail; }
  db_bind_int(st, "$g", id);
  db_bind_int(st, "$a", account);
  if ((rc = kerr_from_db(db_exec_stmt(st)))) goto fail;
  int removed = db_changes(ctx->db) > 0;
  if (!self) { /* or an invitation still open, withdrawn */
    st = db_prep(ctx->db, "DELETE FROM group_invitations WHERE group_id = $g AND invitee_id = $a");
    if (!st) { rc = KERR_INTERNAL; goto fail; }
    db_bind_int(st, "$g", id);
    db_bind_int(st, "$a", account);
    if ((rc = kerr_from_db(db_exec_stmt(st)))) goto fail;
    removed |= db_changes(ctx->db) > 0;
  }
  if (!removed) {
    rc = kerr_set(ei, KERR_NOT_FOUND, "この方はこの団体の副代表者ではありません。");
    goto fail;
  }
  struct audit_fields f = {.subject_group = id};
  if ((rc = audit_event(ctx, "group.corep_remove", &f))) goto fail;
  if ((rc = db_commit(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  if (self) { /* stepping down: they may no longer see the group */
    *out = json_pack("{s:o, s:b}", "id", ids_json(id), "removed", 1);
    return 0;
  }
  rc = group_json(ctx, id, mrole, out);
  return rc ? kerr_set(ei, rc, NULL) : 0;
fail:
  db_rollback(ctx->db);
  return kerr_set(ei, rc, NULL);
}

/* ================================================================= lists */

int groups_list(struct kctx *ctx, const char *status, json_t **out, struct kerrinfo *ei) {
  *out = NULL;
  if (!desk_is_staff(ctx)) return kerr_set(ei, KERR_FORBIDDEN, NULL);
  if (!status || !*status) status = "pending";
  int pending = !strcmp(status, "pending");
  if (!pending && strcmp(status, "approved") != 0 && strcmp(status, "rejected") != 0) {
    kerr_field(ei, "status", "status は pending, approved, rejected のどれかです。");
    return kerr_set(ei, KERR_VALIDATION, NULL);
  }
  /* Oldest application first: the order staff should work through them. */
  kstmt *st = db_prep(ctx->db,
                      "SELECT g.id, g.name, g.name_kana, g.members, g.resident_members,"
                      " g.status, g.valid_until, g.created_at, g.renewal_status,"
                      " g.renewal_members, g.renewal_resident_members, g.renewal_requested_at,"
                      " g.representative_id, a.name"
                      " FROM groups g JOIN accounts a ON a.id = g.representative_id"
                      " WHERE ($pending AND (g.status = 'pending' OR g.renewal_status = 'pending'))"
                      "  OR (NOT $pending AND g.status = $status)"
                      " ORDER BY COALESCE(g.renewal_requested_at, g.created_at), g.id"
                      " LIMIT 1000");
  if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
  db_bind_int(st, "$pending", pending);
  db_bind_text(st, "$status", status);
  json_t *list = json_array();
  int rc;
  while ((rc = db_step(st)) == DB_ROW) {
    int renewal = !strcmp(db_col_text(st, 5), "approved") &&
                  !strcmp(db_col_text(st, 8), "pending");
    int32_t vu = 0;
    if (!db_col_null(st, 6)) (void)date_parse(db_col_text(st, 6), &vu);
    json_t *o = json_pack(
        "{s:o, s:s, s:s, s:I, s:I, s:s, s:o, s:o, s:s, s:o}", "id", ids_json(db_col_int(st, 0)),
        "name", db_col_text(st, 1), "name_kana", db_col_text(st, 2), "members",
        (json_int_t)(renewal ? db_col_int(st, 9) : db_col_int(st, 3)), "resident_members",
        (json_int_t)(renewal ? db_col_int(st, 10) : db_col_int(st, 4)), "status",
        db_col_text(st, 5), "valid_until", date_or_null(vu), "created_at",
        instant_or_null(st, 7), "application", pending ? (renewal ? "renewal" : "new") : "",
        "representative", person(db_col_int(st, 12), db_col_text(st, 13)));
    if (o && !pending) json_object_del(o, "application");
    if (o) json_object_set_new(o, "verified_residents",
                               json_integer(oidc_group_verified_residents(ctx, db_col_int(st, 0))));
    json_array_append_new(list, o);
  }
  db_reset(st);
  if (rc != DB_DONE) {
    json_decref(list);
    return kerr_set(ei, kerr_from_db(rc), NULL);
  }
  *out = json_pack("{s:o}", "groups", list);
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}

int groups_of_account(struct kctx *ctx, int64_t account, json_t **out) {
  *out = NULL;
  kstmt *st = db_prep(ctx->db,
                      "SELECT g.id, g.name, g.status, g.valid_until, 'representative'"
                      " FROM groups g WHERE g.representative_id = $a"
                      " UNION ALL"
                      " SELECT g.id, g.name, g.status, g.valid_until, 'co_representative'"
                      " FROM group_reps r JOIN groups g ON g.id = r.group_id"
                      " WHERE r.account_id = $a ORDER BY 2, 1");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$a", account);
  json_t *list = json_array();
  int rc;
  int32_t now = today(ctx);
  while ((rc = db_step(st)) == DB_ROW) {
    int32_t vu = 0;
    if (!db_col_null(st, 3)) (void)date_parse(db_col_text(st, 3), &vu);
    int approved = !strcmp(db_col_text(st, 2), "approved");
    json_array_append_new(
        list, json_pack("{s:o, s:s, s:s, s:o, s:b, s:s}", "id", ids_json(db_col_int(st, 0)),
                        "name", db_col_text(st, 1), "status", db_col_text(st, 2),
                        "valid_until", date_or_null(vu), "valid", approved && vu >= now,
                        "role", db_col_text(st, 4)));
  }
  db_reset(st);
  if (rc != DB_DONE) {
    json_decref(list);
    return kerr_from_db(rc);
  }
  *out = list;
  return 0;
}

/* ======================================================== the public list */

int groups_public(struct kctx *ctx, json_t **out) {
  char day[11], since[11];
  *out = NULL;
  date_format(today(ctx), day);
  /* The centres a group uses: those of its confirmed or attended bookings
  ** from a year ago on (future bookings included). */
  date_format(today(ctx) - 365, since);
  kstmt *st = db_prep(ctx->db,
                      "SELECT g.id, g.name, g.name_kana, g.activity, u.center"
                      " FROM groups g LEFT JOIN (SELECT DISTINCT group_id, center FROM bookings"
                      "  WHERE group_id IS NOT NULL AND status IN ('confirmed', 'checked_in')"
                      "  AND date >= $since) u ON u.group_id = g.id"
                      " WHERE g.public_listing = 1 AND g.status = 'approved'"
                      " AND g.valid_until >= $today"
                      " ORDER BY g.name_kana, g.id, u.center");
  if (!st) return KERR_INTERNAL;
  db_bind_text(st, "$since", since);
  db_bind_text(st, "$today", day);
  json_t *list = json_array(), *cur = NULL;
  int64_t cur_id = 0;
  int rc;
  while ((rc = db_step(st)) == DB_ROW) {
    if (!cur || db_col_int(st, 0) != cur_id) {
      cur_id = db_col_int(st, 0);
      cur = json_pack("{s:s, s:s, s:s, s:[]}", "name", db_col_text(st, 1), "name_kana",
                      db_col_text(st, 2), "activity", db_col_text(st, 3), "centers");
      json_array_append_new(list, cur);
    }
    if (cur && !db_col_null(st, 4)) {
      const char *code = db_col_text(st, 4);
      const struct center *c = rules_center(ctx->rb, code);
      json_array_append_new(json_object_get(cur, "centers"),
                            json_pack("{s:s, s:s}", "code", code, "name", c ? c->name : code));
    }
  }
  db_reset(st);
  if (rc != DB_DONE) {
    json_decref(list);
    return kerr_from_db(rc);
  }
  *out = json_pack("{s:s, s:o}", "date", day, "groups", list);
  return *out ? 0 : KERR_INTERNAL;
}

/* One CSV field. Text typed by citizens goes to a spreadsheet on the city's
** PCs, so a leading = + - @ is defused with an apostrophe (CSV injection). */
static void field(struct csvbuf *b, const char *s, int last) {
  csv_field_as(b, s, CSV_QUOTE_ALL | CSV_DEFUSE);
  if (last) csv_end_row(b);
}

char *groups_public_csv(const json_t *list, size_t *len) {
  struct csvbuf b = {0};
  size_t i, j;
  json_t *g, *c;
  static const char head[] = "\xef\xbb\xbf" "団体名,ふりがな,活動内容,利用している公民館\r\n";
  csv_raw(&b, head, sizeof head - 1);
  json_array_foreach(json_object_get(list, "groups"), i, g) {
    struct csvbuf centres = {0};
    json_array_foreach(json_object_get(g, "centers"), j, c) {
      if (j) csv_raw(&centres, "・", strlen("・"));
      const char *n = json_string_value(json_object_get(c, "name"));
      csv_raw(&centres, n ? n : "", n ? strlen(n) : 0);
    }
    field(&b, json_string_value(json_object_get(g, "name")), 0);
    field(&b, json_string_value(json_object_get(g, "name_kana")), 0);
    field(&b, json_string_value(json_object_get(g, "activity")), 0);
    field(&b, centres.p ? centres.p : "", 1);
    if (centres.oom) b.oom = 1;
    csv_free(&centres);
  }
  if (b.oom) {
    csv_free(&b);
    return NULL;
  }
  *len = b.n;
  return b.p;
}

/* ============================================================ for bookings */

int groups_may_book(struct kctx *ctx, int64_t group, int64_t account, int32_t day,
                    struct kerrinfo *ei) {
  struct grow g;
  int rc = load(ctx, group, &g);
  if (rc) return kerr_set(ei, rc, NULL);
  if (member_role(ctx, &g, account) == NOT_MEMBER) return kerr_set(ei, KERR_NOT_FOUND, NULL);
  if (!valid_on(&g, day)) {
    char msg[256], until[11];
    if (!strcmp(g.status, "approved") && g.valid_until) {
      date_format(g.valid_until, until);
      snprintf(msg, sizeof msg,
               "この団体の登録は %s で期限が切れています（利用日に有効ではありません）。"
               "更新を申請してください。",
               until);
    } else {
      snprintf(msg, sizeof msg, "この団体の登録はまだ承認されていません。");
    }
    kerr_set(ei, KERR_VALIDATION, "%s", msg);   /* the message first: the first error wins */
    kerr_field(ei, "group_id", msg);
    return KERR_VALIDATION;
  }
  return 0;
}

int groups_me(struct kctx *ctx, json_t **out) {
  json_t *groups = NULL;
  int rc = accounts_me(ctx, out);
  if (rc) return rc;
  if ((rc = groups_of_account(ctx, ctx->actor.account_id, &groups))) {
    json_decref(*out);
    *out = NULL;
    return rc;
  }
  json_object_set_new(*out, "groups", groups);
  return 0;
}
