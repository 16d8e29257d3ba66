/*
** core/groups.h: groups (団体登録), registered once and valid at every centre.
**
** A signed-in citizen registers a group and becomes its representative. The
** rule book decides who may register (Maebashi: 2 or more members, more than
** half living, working or studying in the city). Staff or admins approve or
** reject with a reason. An approval is valid at every centre until the end
** of the rule book's validity period (Maebashi: the fiscal year end, 31
** March); after that the group renews, which staff review like the first
** application while the group keeps its current approval. The representative
** may invite co-representatives by system ID, who may book for the group
** once they accept.
**
** Who sees what: the representative, the co-representatives, staff and
** admins see a group; to anyone else it does not exist (KERR_NOT_FOUND, never
** KERR_FORBIDDEN), so a group ID reveals nothing. Approved groups that opted
** in appear in the public list with name, activity and centres: nothing about
** persons.
**
** Every function returning a json_t ** gives the caller a new reference.
*/
#ifndef KOMINKAN_CORE_GROUPS_H
#define KOMINKAN_CORE_GROUPS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "status.h"

/* A cap of ours, not the city's: the rule book says nothing about
** co-representatives, and ten is more than any circle needs. */
#define GROUPS_MAX_COREPS 10

/* RULE: group registration eligibility. 0 if MEMBERS with RESIDENTS living,
** working or studying in the city meet R's group_registration rule, else
** KERR_RESIDENCY with the rule and the figures in MSG. */
int groups_eligible(const struct rules *r, long long members, long long residents, char *msg,
                    size_t msglen);

/* The last day of an approval that starts on FROM under R (the fiscal year
** end on or after FROM, or FROM + days - 1). */
int32_t groups_validity_end(const struct rules *r, int32_t from);

/* POST /api/v1/groups by a citizen: {"name","name_kana","members",
** "resident_members","activity","public_listing"}. *ID gets the new group ID
** (status pending). KERR_VALIDATION per field, KERR_RESIDENCY. */
int groups_register(struct kctx *ctx, const json_t *in, int64_t *id, struct kerrinfo *ei);

/* groups_register for the registration form (POST /forms/group), whose page
** carries a random KEY (NULL: none): a repeat of the post (a reload of the
** receipt page, a double click) gives *ID the group the first one made, with
** *REPLAYED (may be NULL) 1, and changes nothing; the same key with other
** details is KERR_CONFLICT. A key is 1..GROUPS_KEY_MAX printable ASCII
** characters (else KERR_BAD_REQUEST) and is the actor's own. THEN (may be
** NULL) runs inside the write transaction with the new group's ID (the
** form's record: the group and its receipt commit together or not at all). */
#define GROUPS_KEY_MAX 128
int groups_register_keyed(struct kctx *ctx, const json_t *in, const char *key,
                          int (*then)(struct kctx *ctx, int64_t group_id, void *arg,
                                      struct kerrinfo *ei),
                          void *arg, int64_t *id, int *replayed, struct kerrinfo *ei);

/* INSIDE the caller's write transaction (core/import.c): a group brought in
** from the old system, IN as for groups_register (the same checks and the
** rule book's eligibility), approved until VALID_UNTIL (0: the end of the
** validity period that starts today), with representative REP and the
** co-representatives COREPS (accounts that exist; at most
** GROUPS_MAX_COREPS). *ID the new group ID. Event "group.import". */
int groups_import_in(struct kctx *ctx, const json_t *in, int64_t rep, const int64_t *coreps,
                     int ncoreps, int32_t valid_until, int64_t *id, struct kerrinfo *ei);

/* The group as its members and staff see it (without its exemption
** applications: discounts_group_get adds them, from above). */
int groups_get(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei);

/* Staff/admin decisions on the pending application (new or renewal). */
int groups_approve(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei);
int groups_reject(struct kctx *ctx, int64_t id, const json_t *in, json_t **out,
                  struct kerrinfo *ei);

/* A renewal application {"members","resident_members","activity"?} by a
** representative, co-representative or staff. */
int groups_renew(struct kctx *ctx, int64_t id, const json_t *in, json_t **out,
                 struct kerrinfo *ei);

/* Co-representatives are invited, never added. groups_invite {"system_id"}
** (the representative or staff) records an invitation of that ID and answers
** {"status":"invited","expires_at"}: the same for an ID nobody holds, a
** staff member's or a citizen's, and it never names anyone (KERR_VALIDATION
** only for a mistyped ID, the representative's own or a co-representative
** already listed; KERR_LIMIT past GROUPS_MAX_COREPS co-representatives or
** GROUPS_MAX_INVITES open invitations). Requests naming an ID are throttled
** per client address (KERR_RATE_LIMITED). The invited person sees the
** invitation (groups_invitations) and accepts or declines it
** (groups_invitation_answer); only then does their name appear on the group.
** An invitation lapses after GROUPS_INVITE_DAYS. */
#define GROUPS_INVITE_DAYS 14
#define GROUPS_MAX_INVITES 10
int groups_invite(struct kctx *ctx, int64_t id, const json_t *in, json_t **out,
                  struct kerrinfo *ei);

/* An open invitation to co-represent a group, as the invited person sees it. */
struct group_invitation_view {
  int64_t group_id;
  char group_name[512], rep_name[512];   /* the group's and its representative's */
  int64_t invited_at, expires_at;        /* instants */
};

/* The actor's open invitations, oldest first: *OUT (malloc'd, *N of them;
** the caller frees). 0 or a KERR code. */
int group_invitation_views(struct kctx *ctx, struct group_invitation_view **out, int *n);

/* V as the API shows it: {"group_id","group_name","representative":{"name"},
** "invited_at","expires_at"} (new reference; NULL when out of memory). */
json_t *group_invitation_view_json(const struct group_invitation_view *v);

/* The actor's open invitations: {"invitations":[group_invitation_view_json,
** ...]}. */
int groups_invitations(struct kctx *ctx, json_t **out);

/* The actor (a citizen) accepts (ACCEPT 1: *OUT the group, the actor now a
** co-representative) or declines (*OUT {"group_id","status":"declined"}) the
** invitation to group ID. KERR_NOT_FOUND when there is none open (lapsed,
** withdrawn, answered); KERR_LIMIT when the group is full. */
int groups_invitation_answer(struct kctx *ctx, int64_t id, int accept, json_t **out,
                             struct kerrinfo *ei);

/* The same answer for a page: on accepting, *G (may be NULL) gets the group
** as the actor now finds it among their groups (struct group_view, below). */
struct group_view;
int groups_invitation_take(struct kctx *ctx, int64_t id, int accept, struct group_view *g,
                           struct kerrinfo *ei);

/* Remove a co-representative, or withdraw an open invitation (the
** representative or staff), or step down (the co-representative). */
int groups_rep_remove(struct kctx *ctx, int64_t id, int64_t account, json_t **out,
                      struct kerrinfo *ei);

/* A group in staff's lists (groups_list): for a pending renewal, the
** figures applied for. */
struct group_review_view {
  int64_t id;
  char name[512], name_kana[512];
  long long members, resident_members;
  enum review_status status;       /* groups.status */
  int32_t valid_until;             /* 0: never approved */
  int64_t created_at;              /* instant */
  int queue;                       /* listed as pending: which application: */
  int renewal;                     /* 1 a renewal, 0 a new registration */
  int64_t rep_id;                  /* the representative */
  char rep_name[512];
  long long verified_residents;    /* named residents verified with the My Number card */
};
/* What staff look for among the groups (group_review_views, groups_list):
** the queue of applications, or a look-up in the register of groups. */
#define GROUPS_Q_MAX 100   /* characters of a search keyword */
struct groups_filter {
  const char *status;  /* "pending" (also NULL or ""): the applications awaiting a
                       ** decision, new or renewal; "approved", "rejected"; "all":
                       ** every group. Else KERR_VALIDATION at "status". */
  const char *q;       /* part of the name or ふりがな (hiragana and katakana alike),
                       ** or the group ID; NULL or "": any. Over GROUPS_Q_MAX
                       ** characters, or a control character: KERR_VALIDATION at "q" */
};

/* Staff: the groups F asks for, as groups_list lists them, oldest
** application first, at most 1000: *OUT (malloc'd, *N of them; the caller
** frees). A look-up in the register (F->q given, or a status other than
** pending) shows representatives' names: it is recorded in the audit trail
** ("group.search"); the queue of applications is the staff's work list and
** is not. */
int group_review_views(struct kctx *ctx, const struct groups_filter *f,
                       struct group_review_view **out, int *n, struct kerrinfo *ei);
/* V as the API shows it (new reference; NULL when out of memory). */
json_t *group_review_view_json(const struct group_review_view *v);

/* Staff: {"groups":[group_review_view_json, ...]} of group_review_views. */
int groups_list(struct kctx *ctx, const struct groups_filter *f, json_t **out,
                struct kerrinfo *ei);

/* A group as one of its representatives finds it among their groups (the
** list of groups_of_account: /my/groups, the booking and exemption forms).
** Names are at most 100 characters (groups.c, accounts.c): 400 bytes. */
struct group_view {
  int64_t id;
  char name[512];
  enum review_status status;   /* groups.status: the first application's */
  int32_t valid_until;         /* the approval's last day; 0: never approved */
  int valid;                   /* approved and valid today */
  enum group_role role;        /* the account's: GROUP_ROLE_REP or _COREP */
};

/* The groups ACCOUNT represents or co-represents, by name: *OUT (malloc'd,
** *N of them; the caller frees). 0 or a KERR code. */
int group_views_of_account(struct kctx *ctx, int64_t account, struct group_view **out, int *n);

/* Group ID as ACCOUNT finds it (role GROUP_ROLE_NONE when not theirs; no
** access check: the caller made it). 0 or KERR_NOT_FOUND. */
int group_view_of(struct kctx *ctx, int64_t id, int64_t account, struct group_view *v);

/* V as the API shows it: {"id","name","status","valid_until","valid",
** "role"} (new reference; NULL when out of memory). */
json_t *group_view_json(const struct group_view *v);

/* The groups ACCOUNT represents or co-represents: [group_view_json, ...]
** (group_views_of_account). */
int groups_of_account(struct kctx *ctx, int64_t account, json_t **out);

/* The public learning-group list (市内の学習グループ): the groups approved
** and valid today that opted in, by ふりがな. Nothing about any person. A
** group's centres are those of its confirmed or attended bookings from a
** year ago on (future bookings included). */
struct groups_public_filter {
  const char *center;  /* a centre's code: the groups that use it; NULL or "": any.
                       ** A code no centre has (nor had): KERR_VALIDATION at "center" */
  const char *q;       /* part of the name, ふりがな or activity (hiragana and
                       ** katakana alike, ASCII letters in either case); NULL or
                       ** "": any. As groups_filter.q: KERR_VALIDATION at "q" */
};
struct group_public_center {
  char code[32];
  char name[96];       /* the rule book's name; the code for a centre it no longer has */
};
struct group_public_view {
  char *name, *name_kana, *activity;      /* owned */
  int ncenters;
  struct group_public_center *centers;    /* owned */
};

/* The groups F (NULL: every one) asks for: *OUT (malloc'd, *N of them),
** freed by group_public_views_free(). 0 or a KERR code (EI). */
int group_public_views(struct kctx *ctx, const struct groups_public_filter *f,
                       struct group_public_view **out, int *n, struct kerrinfo *ei);
void group_public_views_free(struct group_public_view *v, int n);

/* V as the API shows it: {"name","name_kana","activity","centers":[{"code",
** "name"}]} (new reference; NULL when out of memory). */
json_t *group_public_view_json(const struct group_public_view *v);

/* {"date","groups":[group_public_view_json, ...]} of group_public_views. */
int groups_public(struct kctx *ctx, const struct groups_public_filter *f, json_t **out,
                  struct kerrinfo *ei);

/* That list as CSV (UTF-8 with BOM, CRLF, header row). Caller frees. */
char *groups_public_csv(const json_t *list, size_t *len);

/* 1 if ACCOUNT represents or co-represents GROUP (whatever its status);
** 0 if not, or when either is 0. The one such check (bookings, discounts). */
int groups_represents(struct kctx *ctx, int64_t group, int64_t account);

/* For bookings: 0 if ACCOUNT represents or co-represents GROUP and the group
** holds an approval valid on DAY. KERR_NOT_FOUND when the group does not
** exist or ACCOUNT is not one of its representatives; KERR_VALIDATION (field
** "group_id") when it is not approved or not valid on DAY. */
int groups_may_book(struct kctx *ctx, int64_t group, int64_t account, int32_t day,
                    struct kerrinfo *ei);

/* GET /api/v1/me: the signed-in account (accounts_me) with "groups", the
** groups it belongs to (groups_of_account). *OUT is the caller's. */
int groups_me(struct kctx *ctx, json_t **out);

#endif
