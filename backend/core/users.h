/*
** core/users.h: staff and admins over their life (issue 14): listing and
** searching accounts, disabling and enabling them, changing a role or home
** centre, setting a password. Used by the admin API and pages and by the
** command line (`kominkan user list|disable|enable|set-role|reset-password`),
** so both reach the same decision.
**
** Every change writes the usage log and the audit trail in its transaction
** (the command line acts as role "system", system ID 0); a search by an
** admin is a view of personal data and goes to the trail too.
*/
#ifndef KOMINKAN_CORE_USERS_H
#define KOMINKAN_CORE_USERS_H

#include <jansson.h>

#include "ctx.h"
#include "status.h"

struct users_filter {
  int role;                 /* ROLE_* bit or 0 for any; -1: a name that is no role (422) */
  const char *center;       /* home centre code or NULL */
  const char *status;       /* "active", "disabled", "closed" or NULL; else 422 */
  const char *q;            /* part of the name or kana, or a system ID; NULL */
};

/* One account as the user list shows it. */
struct user_view {
  int64_t id;                 /* the system ID */
  char *name, *kana;          /* owned: users_views_free() */
  int role;                   /* ROLE_* */
  char center[32];            /* the home centre's code; "" none */
  enum account_status status;
};
/* U as the API shows it: {"system_id","name","name_kana","role","center","status"}
** (new reference; NULL when out of memory). */
json_t *user_view_json(const struct user_view *u);

/* The accounts F selects, ordered by system ID (1,000 at most), into *OUT
** (malloc'd, *N of them: users_views_free). Admins and the command line;
** an admin's search is recorded in the audit trail. An unknown role (-1) or
** status is KERR_VALIDATION at the field "role" or "status", never an empty
** list that would read as "nobody". */
int users_views(struct kctx *ctx, const struct users_filter *f, struct user_view **out, int *n,
                struct kerrinfo *ei);
void users_views_free(struct user_view *v, int n);

/* {"users":[user_view_json...]} of users_views(), into *OUT (caller decrefs). */
int users_list(struct kctx *ctx, const struct users_filter *f, json_t **out,
               struct kerrinfo *ei);

/* Disable (DISABLED = 1) or enable account ID. Disabling ends its sessions at
** once (they are deleted in the same transaction) and sign-in is refused.
** An admin cannot disable themself. *OUT (may be NULL) gets the user. */
int users_set_disabled(struct kctx *ctx, int64_t id, int disabled, json_t **out,
                       struct kerrinfo *ei);

/* Change the role (ROLE_* bit, not citizen) and home centre (NULL keeps it;
** "" clears it) of a staff, admin or analyst account. */
int users_set_role(struct kctx *ctx, int64_t id, int role, const char *center, json_t **out,
                   struct kerrinfo *ei);

/* Set the password of account ID to PASSWORD and end its sessions. */
int users_set_password(struct kctx *ctx, int64_t id, const char *password,
                       struct kerrinfo *ei);

/* Create a staff, admin or analyst account from {"name","role","center"?,
** "password","email"?,"phone"?} (a form's strings too; other members are
** ignored): *ID the new system ID. KERR_VALIDATION (a bad role: field
** "role"; staff need a home centre). Admins. */
int users_create(struct kctx *ctx, const json_t *in, int64_t *id, struct kerrinfo *ei);

/* The JSON of account ID as users_list() shows it (new reference) or NULL. */
json_t *users_get(struct kctx *ctx, int64_t id);

#endif
