/*
** core/groups_reps.c: a group's co-representatives (see groups.h):
** invitations, their answers, removal. Registration and decisions are
** core/groups.c; the lists core/groups_lists.c.
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
#include "ids.h"
#include "input.h"
#include "notify.h"
#include "text.h"
#include "throttle.h"
#include "vec.h"

#include "groups_int.h"

/* ======================================================= co-representatives */

/* The one number ST yields (prepared, bound), reset; -1 on a store error. */
static long long corep_count(struct kctx *ctx, int64_t group) {
  return db_int64(ctx->db, -1, "SELECT count(*) FROM group_reps WHERE group_id = $g",
                  DB_I("$g", group));
}

static long long invitation_count(struct kctx *ctx, int64_t group) {
  return db_int64(ctx->db, -1,
                  "SELECT count(*) FROM group_invitations WHERE group_id = $g"
                  " AND expires_at > $now",
                  DB_I("$g", group), DB_I("$now", ctx->now));
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
    ids_message(prc, "利用者番号", m, sizeof m);
    group_bad_field(ei, &bad, "system_id", m);
  } else if (*who == g->rep) {
    group_bad_field(ei, &bad, "system_id", "この方はこの団体の代表者です。");
  } else if (group_member_role(ctx, g, *who) == COREP) {
    group_bad_field(ei, &bad, "system_id", "この方はすでにこの団体の副代表者です。");
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
  if ((rc = group_load_visible(ctx, id, &g, &mrole))) return kerr_set(ei, rc, NULL);
  if ((rc = invite_check(ctx, &g, mrole, in, &who, ei))) return rc;
  int64_t expires = ctx->now + GROUPS_INVITE_DAYS * 86400;

  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  if ((rc = kerr_from_db(db_run(ctx->db, "DELETE FROM group_invitations WHERE expires_at <= $now",
                                 DB_I("$now", ctx->now)))) ||
      (rc = kerr_from_db(db_run(ctx->db,
                                "INSERT OR REPLACE INTO group_invitations(group_id, invitee_id,"
                                " invited_by, created_at, expires_at)"
                                " VALUES ($g, $who, $by, $now, $exp)",
                                DB_I("$g", id), DB_I("$who", who),
                                DB_I("$by", ctx->actor.account_id), DB_I("$now", ctx->now),
                                DB_I("$exp", expires)))))
    goto fail;
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

int group_invitation_views(struct kctx *ctx, struct group_invitation_view **out, int *n) {
  *out = NULL;
  *n = 0;
  kstmt *st = db_prep(ctx->db,
                      "SELECT g.id, g.name, a.name, i.created_at, i.expires_at"
                      " FROM group_invitations i JOIN groups g ON g.id = i.group_id"
                      " JOIN accounts a ON a.id = g.representative_id"
                      " WHERE i.invitee_id = $me AND i.expires_at > $now"
                      " ORDER BY i.created_at, g.id");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$me", ctx->actor.account_id);
  db_bind_int(st, "$now", ctx->now);
  struct group_invitation_view *v = NULL;
  int rc, cap = 0;
  while ((rc = db_step(st)) == DB_ROW) {
    if (vec_grow((void **)&v, *n, &cap, sizeof *v)) {
      rc = DB_ERROR;
      break;
    }
    struct group_invitation_view *i = &v[(*n)++];
    i->group_id = db_col_int(st, 0);
    snprintf(i->group_name, sizeof i->group_name, "%s", db_col_text(st, 1));
    snprintf(i->rep_name, sizeof i->rep_name, "%s", db_col_text(st, 2));
    i->invited_at = db_col_int(st, 3);
    i->expires_at = db_col_int(st, 4);
  }
  return vec_rows_end(st, rc, v, (void **)out, n);
}

json_t *group_invitation_view_json(const struct group_invitation_view *v) {
  char invited[26], expires[26];
  clock_format_instant(v->invited_at, invited);
  clock_format_instant(v->expires_at, expires);
  return json_pack("{s:o, s:s, s:{s:s}, s:s, s:s}", "group_id", ids_json(v->group_id),
                   "group_name", v->group_name, "representative", "name", v->rep_name,
                   "invited_at", invited, "expires_at", expires);
}

int groups_invitations(struct kctx *ctx, json_t **out) {
  struct group_invitation_view *v;
  int n, rc = group_invitation_views(ctx, &v, &n);
  *out = NULL;
  if (rc) return rc;
  json_t *list = json_array();
  for (int i = 0; i < n; i++) json_array_append_new(list, group_invitation_view_json(&v[i]));
  free(v);
  *out = json_pack("{s:o}", "invitations", list);
  return *out ? 0 : KERR_INTERNAL;
}

/* Take the actor's invitation to GROUP out (within the open transaction):
** 0, or KERR_NOT_FOUND when there is none that has not lapsed. */
static int take_invitation(struct kctx *ctx, int64_t group, struct kerrinfo *ei) {
  int rc = kerr_from_db(db_run(ctx->db,
                               "DELETE FROM group_invitations WHERE group_id = $g"
                               " AND invitee_id = $me AND expires_at > $now",
                               DB_I("$g", group), DB_I("$me", ctx->actor.account_id),
                               DB_I("$now", ctx->now)));
  if (rc) return kerr_set(ei, rc, NULL);
  if (db_changes(ctx->db) == 0)
    return kerr_set(ei, KERR_NOT_FOUND,
                    "この招待は見つかりません。取り消されたか、期限 (%d日) が切れています。",
                    GROUPS_INVITE_DAYS);
  return 0;
}

/* The answer's write transaction: take the invitation, add the actor as a
** co-representative when ACCEPT. 0 or the error in EI. */
static int answer(struct kctx *ctx, int64_t id, int accept, struct kerrinfo *ei) {
  int rc;
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
    if ((rc = kerr_from_db(db_run(ctx->db,
                                  "INSERT OR IGNORE INTO group_reps(group_id, account_id)"
                                  " SELECT $g, $me FROM groups WHERE id = $g"
                                  " AND representative_id <> $me",
                                  DB_I("$g", id), DB_I("$me", ctx->actor.account_id))))) {
      kerr_set(ei, rc, NULL);
      goto fail;
    }
  }
  struct audit_fields f = {.subject_group = id};
  if ((rc = audit_event(ctx, accept ? "group.corep_add" : "group.corep_decline", &f))) {
    kerr_set(ei, rc, NULL);
    goto fail;
  }
  if ((rc = db_commit(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  return 0;
fail:
  db_rollback(ctx->db);
  return rc;
}

int groups_invitation_answer(struct kctx *ctx, int64_t id, int accept, json_t **out,
                             struct kerrinfo *ei) {
  *out = NULL;
  int rc = answer(ctx, id, accept, ei);
  if (rc) return rc;
  if (!accept) {
    *out = json_pack("{s:o, s:s}", "group_id", ids_json(id), "status", "declined");
    return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
  }
  rc = group_json(ctx, id, COREP, out);
  return rc ? kerr_set(ei, rc, NULL) : 0;
}

int groups_invitation_take(struct kctx *ctx, int64_t id, int accept, struct group_view *g,
                           struct kerrinfo *ei) {
  int rc = answer(ctx, id, accept, ei);
  if (rc || !accept || !g) return rc;
  rc = group_view_of(ctx, id, ctx->actor.account_id, g);
  return rc ? kerr_set(ei, rc, NULL) : 0;
}

int groups_rep_remove(struct kctx *ctx, int64_t id, int64_t account, json_t **out,
                      struct kerrinfo *ei) {
  struct grow g;
  int rc, mrole;
  *out = NULL;
  if ((rc = group_load_visible(ctx, id, &g, &mrole))) return kerr_set(ei, rc, NULL);
  int self = mrole == COREP && account == ctx->actor.account_id;
  if (mrole != REP && !desk_is_staff(ctx) && !self)
    return kerr_set(ei, KERR_FORBIDDEN, "副代表者を外せるのは、団体の代表者か本人です。");
  if ((rc = db_begin_write(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  if ((rc = kerr_from_db(db_run(ctx->db,
                                "DELETE FROM group_reps WHERE group_id = $g AND account_id = $a",
                                DB_I("$g", id), DB_I("$a", account)))))
    goto fail;
  int removed = db_changes(ctx->db) > 0;
  if (!self) { /* or an invitation still open, withdrawn */
    if ((rc = kerr_from_db(db_run(ctx->db,
                                  "DELETE FROM group_invitations WHERE group_id = $g"
                                  " AND invitee_id = $a",
                                  DB_I("$g", id), DB_I("$a", account)))))
      goto fail;
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
