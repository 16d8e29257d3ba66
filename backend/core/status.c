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

enum review_status review_status_parse(const char *name) {
  return (enum review_status)lookup(NAMES(review_names), name);
}
const char *review_status_name(enum review_status s) {
  return NAME_OF(review_names, s);
}

enum course_app_status course_app_status_parse(const char *name) {
  return (enum course_app_status)lookup(NAMES(course_app_names), name);
}
const char *course_app_status_name(enum course_app_status s) {
  return NAME_OF(course_app_names, s);
}

enum round_app_status round_app_status_parse(const char *name) {
  return (enum round_app_status)lookup(NAMES(round_app_names), name);
}
const char *round_app_status_name(enum round_app_status s) {
  return NAME_OF(round_app_names, s);
}
