/*
** core/status.c: status names to enums and back (see status.h).
*/
#include "status.h"

#include <string.h>

/* The index of NAME in NAMES[1..N-1]; 0 (the *_UNKNOWN) when absent or NULL. */
static int lookup(const char *const *names, int n, const char *name) {
  for (int i = 1; name && i < n; i++)
    if (!strcmp(names[i], name)) return i;
  return 0;
}

#define NAMES(a) a, (int)(sizeof a / sizeof a[0])
#define NAME_OF(a, s) ((int)(s) > 0 && (int)(s) < (int)(sizeof a / sizeof a[0]) ? a[s] : a[0])

static const char *const review_names[] = {
    [REVIEW_UNKNOWN] = "unknown",   [REVIEW_PENDING] = "pending",
    [REVIEW_APPROVED] = "approved", [REVIEW_REJECTED] = "rejected",
};

static const char *const account_status_names[] = {
    [ACCOUNT_STATUS_UNKNOWN] = "unknown", [ACCOUNT_ACTIVE] = "active",
    [ACCOUNT_DISABLED] = "disabled",      [ACCOUNT_CLOSED] = "closed",
};

static const char *const course_app_names[] = {
    [COURSE_APP_UNKNOWN] = "unknown",       [COURSE_APP_APPLIED] = "applied",
    [COURSE_APP_ACCEPTED] = "accepted",     [COURSE_APP_WAITLISTED] = "waitlisted",
    [COURSE_APP_OFFERED] = "offered",       [COURSE_APP_CANCELLED] = "cancelled",
    [COURSE_APP_LAPSED] = "lapsed",
};

static const char *const round_app_names[] = {
    [ROUND_APP_UNKNOWN] = "unknown", [ROUND_APP_APPLIED] = "applied",
    [ROUND_APP_CANCELLED] = "cancelled", [ROUND_APP_WON] = "won",
    [ROUND_APP_LOST] = "lost",
};

static const char *const round_state_names[] = {
    [ROUND_STATE_UNKNOWN] = "unknown", [ROUND_OPEN] = "open",
    [ROUND_CLOSING] = "closing",       [ROUND_CLOSED] = "closed",
};

static const char *const round_outcome_names[] = {
    [ROUND_OUTCOME_NONE] = NULL, [ROUND_OUTCOME_TAKEN] = "taken",
    [ROUND_OUTCOME_DRAWN] = "drawn", [ROUND_OUTCOME_CAP] = "cap",
};

static const char *const course_allocation_names[] = {
    [COURSE_ALLOC_UNKNOWN] = "unknown", [COURSE_ALLOC_LOTTERY] = "lottery",
    [COURSE_ALLOC_FIRST_COME] = "first_come",
};

static const char *const group_role_names[] = {
    [GROUP_ROLE_NONE] = NULL, [GROUP_ROLE_COREP] = "co_representative",
    [GROUP_ROLE_REP] = "representative",
};

static const char *const closure_mode_names[] = {
    [CLOSURE_MODE_UNKNOWN] = "unknown", [CLOSURE_CANCEL] = "cancel", [CLOSURE_FLAG] = "flag",
};

static const char *const closure_outcome_names[] = {
    [CLOSURE_OUTCOME_UNKNOWN] = "unknown", [CLOSURE_CANCELLED] = "cancelled",
    [CLOSURE_FLAGGED] = "flagged",
};

static const char *const avail_state_names[] = {
    [AVAIL_STATE_UNKNOWN] = "unknown", [AVAIL_FREE] = "free",     [AVAIL_HELD] = "held",
    [AVAIL_BOOKED] = "booked",         [AVAIL_CLOSED] = "closed",
};

/* The parse and name functions of enum TYPE, named PREFIX_parse and
** PREFIX_name, over the table NAMES. */
#define STATUS_FUNCS(type, prefix, names)                                    \
  enum type prefix##_parse(const char *name) {                               \
    return (enum type)lookup(NAMES(names), name);                            \
  }                                                                          \
  const char *prefix##_name(enum type s) { return NAME_OF(names, s); }

STATUS_FUNCS(review_status, review_status, review_names)
STATUS_FUNCS(account_status, account_status, account_status_names)
STATUS_FUNCS(course_app_status, course_app_status, course_app_names)
STATUS_FUNCS(round_app_status, round_app_status, round_app_names)
STATUS_FUNCS(round_state, round_state, round_state_names)
STATUS_FUNCS(round_outcome, round_outcome, round_outcome_names)
STATUS_FUNCS(course_allocation, course_allocation, course_allocation_names)
STATUS_FUNCS(group_role, group_role, group_role_names)
STATUS_FUNCS(closure_mode, closure_mode, closure_mode_names)
STATUS_FUNCS(closure_outcome, closure_outcome, closure_outcome_names)
STATUS_FUNCS(avail_state, avail_state, avail_state_names)
