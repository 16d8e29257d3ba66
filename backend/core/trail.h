/*
** core/trail.h: the audit trail (監査証跡, table audit_trail; schema/014).
**
** Not the usage log: core/audit.c writes the pseudonymous usage log (events)
** for analysts; this file writes the trail that NAMES the clerk, for admins
** and for a citizen's disclosure request (個人情報の開示).
**
** What goes in: every action by staff and admins (audit_event() hands each of
** theirs here, so one call in the action's transaction writes both), and
** every view of another person's personal data (trail_view()). Each row is
** chained: hash = SHA-256 of the row's canonical form, which includes the
** previous row's hash; triggers refuse UPDATE and DELETE, and trail_verify()
** (`kominkan audit-verify`) finds an edited or removed row.
*/
#ifndef KOMINKAN_CORE_TRAIL_H
#define KOMINKAN_CORE_TRAIL_H

#include <jansson.h>
#include <stdint.h>

#include "ctx.h"

/* Append one row for ACTION on TARGET ("booking:12", may be "" or NULL) by
** the actor of CTX at CTX->now from CTX->address. SUBJECT is the system ID of
** the person whose data it concerns (0: none); DETAIL_JSON a JSON object of
** codes and figures, or NULL. Call inside the write transaction of the
** action. Returns 0 or a KERR code. */
int trail_record(struct kctx *ctx, const char *action, const char *target, int64_t subject,
                 const char *detail_json);

/* A view of personal data by staff or an admin (nothing for others): one row
** for ACTION on TARGET, plus one per distinct non-zero system ID of the N
** SUBJECTS whose data is shown (so each can see it in their disclosure), in
** its own write transaction when none is open (a view is a read; the record
** must still be durable before the data is shown). Returns 0 or a KERR code:
** on an error show nothing. */
int trail_view(struct kctx *ctx, const char *action, const char *target,
               const int64_t *subjects, int n);

/* 1 when the actor of CTX is one whose actions are recorded (staff, admin). */
int trail_actor_recorded(const struct kctx *ctx);

/* Check the chain of DB from the first row. 0 when it holds; else 1 with
** *BAD_ID the first broken row and WHY a sentence; -1 on a storage error. */
int trail_verify(kdb *db, int64_t *bad_id, char *why, size_t whylen);

/* What ACTION ("booking.cancel") means in plain Japanese ("予約の取り消し"),
** from the one table in trail.c; an action it does not know is returned as
** it is. trail_action_known: 1 when the table has ACTION. */
const char *trail_action_label(const char *action);
int trail_action_known(const char *action);

/* Filters for trail_list(): dates inclusive (JST, 0 = open), actor a
** system ID (0 = anyone), action a prefix ("" = any), subject a system ID. */
struct trail_filter {
  int32_t from, to;
  int64_t actor;
  const char *action;
  int64_t subject;
  int limit;               /* rows at most (0: 1000) */
};

/* One row of the trail as trail_list() shows it. */
struct trail_entry {
  int64_t id, at;             /* at: epoch seconds */
  int64_t actor_id, subject;  /* system IDs; 0: none */
  char *actor_name, *actor_role, *actor_center, *address, *action, *target;  /* owned */
  char *detail;               /* owned JSON text; NULL: none */
  char hash[65];
};
/* E as the API shows it (new reference; NULL when out of memory). */
json_t *trail_entry_json(const struct trail_entry *e);

/* The rows F selects, newest first, into *OUT (malloc'd, *N of them:
** trail_entries_free). Returns 0 or a KERR code. */
int trail_entries(struct kctx *ctx, const struct trail_filter *f, struct trail_entry **out,
                  int *n, struct kerrinfo *ei);
void trail_entries_free(struct trail_entry *e, int n);

/* {"entries":[{"id","at","actor":{"system_id","name","role","center"},"address",
** "action","action_label","target","subject","detail"}]} of trail_entries(), into *OUT
** (caller decrefs). Returns 0 or a KERR code. */
int trail_list(struct kctx *ctx, const struct trail_filter *f, json_t **out, struct kerrinfo *ei);

/* The same entries as CSV (UTF-8 with BOM, header row), into *TEXT (caller
** frees) and *LEN. */
int trail_csv(struct kctx *ctx, const struct trail_filter *f, char **text, size_t *len,
              struct kerrinfo *ei);

/* For the citizen of CTX: who at the city looked at or acted on their data
** (never the clerk's name), newest first, 500 at most. */
struct trail_seen {
  int64_t at;                 /* epoch seconds */
  char action[64];            /* what was done ("booking.view") */
  char role[16];              /* their role's name: "staff", "admin" ("system": the command line) */
  char center[32];            /* their centre's code */
};
/* *OUT (malloc'd, *N of them; free()). Returns 0 or a KERR code. */
int trail_seen_list(struct kctx *ctx, struct trail_seen **out, int *n, struct kerrinfo *ei);
/* {"entries":[{"at","action","action_label","role","center"}]} of trail_seen_list(). */
int trail_disclosure(struct kctx *ctx, json_t **out, struct kerrinfo *ei);

#endif
