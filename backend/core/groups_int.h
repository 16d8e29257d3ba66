/*
** core/groups_int.h: what core/groups.c (the rule, registration, decisions,
** renewal), core/groups_reps.c (co-representatives) and core/groups_lists.c
** (lists) share. Private to core/groups*.c.
*/
#ifndef KOMINKAN_CORE_GROUPS_INT_H
#define KOMINKAN_CORE_GROUPS_INT_H

#include <jansson.h>
#include <stdint.h>

#include "ctx.h"
#include "kerr.h"
#include "status.h"

/* A group's row, as the decisions need it. */
struct grow {
  int64_t id, rep;
  enum review_status status;
  int32_t valid_until;        /* 0: never approved */
  enum review_status renewal;  /* REVIEW_UNKNOWN (none), _PENDING, _REJECTED */
  long long renewal_members, renewal_residents;
};

/* The actor's part in a group. */
enum { NOT_MEMBER = 0, COREP = 1, REP = 2 };

int group_load(struct kctx *ctx, int64_t id, struct grow *g);
int group_member_role(struct kctx *ctx, const struct grow *g, int64_t account);
int group_load_visible(struct kctx *ctx, int64_t id, struct grow *g, int *mrole);
int32_t group_today(const struct kctx *ctx);
int group_valid_on(const struct grow *g, int32_t day);
json_t *group_date_or_null(int32_t day);
json_t *group_instant_or_null(kstmt *st, int i);
json_t *group_person(int64_t id, const char *name);
void group_bad_field(struct kerrinfo *ei, int *bad, const char *field, const char *msg);
int group_json(struct kctx *ctx, int64_t id, int mrole, json_t **out);

#endif
