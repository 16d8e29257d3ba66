/*
** core/status.h: the stored statuses of what is reviewed or drawn, as enums.
**
** A status is text in its table (a CHECK constraint lists the names) and in the
** JSON of the API; code compares enums, never strings. Bookings have their own
** (enum booking_status, bookings.h). Each *_UNKNOWN is "no status": never
** stored; it is what *_parse() gives for NULL or a name not in the list.
**
**   enum review_status s = review_status_parse(db_col_text(st, 2));
**   if (s == REVIEW_APPROVED) ...
**   json_string(review_status_name(s))
*/
#ifndef KOMINKAN_CORE_STATUS_H
#define KOMINKAN_CORE_STATUS_H

/* groups.status, groups.renewal_status (no renewal: REVIEW_UNKNOWN),
** discount_applications.status (schema/002, 004, 007). */
enum review_status {
  REVIEW_UNKNOWN = 0,
  REVIEW_PENDING,   /* 審査中 */
  REVIEW_APPROVED,
  REVIEW_REJECTED,
};
enum review_status review_status_parse(const char *name);
const char *review_status_name(enum review_status s);

/* An account's state, the "status" of users_list() (core/users.c): not
** stored, but derived from accounts.closed_at and accounts.disabled. */
enum account_status {
  ACCOUNT_STATUS_UNKNOWN = 0,
  ACCOUNT_ACTIVE,
  ACCOUNT_DISABLED,        /* 停止中: cannot sign in */
  ACCOUNT_CLOSED,          /* 退会済み */
};
enum account_status account_status_parse(const char *name);
const char *account_status_name(enum account_status s);

/* course_applications.status (schema/016). */
enum course_app_status {
  COURSE_APP_UNKNOWN = 0,
  COURSE_APP_APPLIED,     /* a lottery course before its draw */
  COURSE_APP_ACCEPTED,
  COURSE_APP_WAITLISTED,
  COURSE_APP_OFFERED,     /* a freed place offered until offer_expires_at */
  COURSE_APP_CANCELLED,
  COURSE_APP_LAPSED,      /* an offer not taken in time */
};
enum course_app_status course_app_status_parse(const char *name);
const char *course_app_status_name(enum course_app_status s);

/* round_applications.status (schema/021): a group's slot in a lottery round. */
enum round_app_status {
  ROUND_APP_UNKNOWN = 0,
  ROUND_APP_APPLIED,      /* until the round closes */
  ROUND_APP_CANCELLED,
  ROUND_APP_WON,
  ROUND_APP_LOST,
};
enum round_app_status round_app_status_parse(const char *name);
const char *round_app_status_name(enum round_app_status s);

/* A lottery round's state, the "state" of its JSON (core/rounds.c): not
** stored, but derived from its close and its application period. */
enum round_state {
  ROUND_STATE_UNKNOWN = 0,
  ROUND_OPEN,             /* applications taken */
  ROUND_CLOSING,          /* the period is over, the draw not yet made */
  ROUND_CLOSED,           /* drawn */
};
enum round_state round_state_parse(const char *name);
const char *round_state_name(enum round_state s);

/* round_applications.outcome (schema/021): why a lost application lost;
** ROUND_OUTCOME_NONE (NULL in the table) for the others. */
enum round_outcome {
  ROUND_OUTCOME_NONE = 0,
  ROUND_OUTCOME_TAKEN,    /* the slot was booked before the close */
  ROUND_OUTCOME_DRAWN,    /* another group won the slot */
  ROUND_OUTCOME_CAP,      /* the group had won the round's cap */
};
enum round_outcome round_outcome_parse(const char *name);
const char *round_outcome_name(enum round_outcome o);   /* NULL for NONE */

/* courses.allocation (schema/016): how a course's places are given. */
enum course_allocation {
  COURSE_ALLOC_UNKNOWN = 0,
  COURSE_ALLOC_LOTTERY,     /* 抽選 */
  COURSE_ALLOC_FIRST_COME,  /* 先着順 */
};
enum course_allocation course_allocation_parse(const char *name);
const char *course_allocation_name(enum course_allocation a);

/* A person's role in a group: the "role"/"my_role" of the groups' JSON
** (core/groups*.c); GROUP_ROLE_NONE (null) for someone not in it. */
enum group_role {
  GROUP_ROLE_NONE = 0,
  GROUP_ROLE_COREP,       /* 副代表者: co_representative */
  GROUP_ROLE_REP,         /* 代表者: representative */
};
enum group_role group_role_parse(const char *name);
const char *group_role_name(enum group_role r);   /* NULL for NONE */

/* closures.bookings (schema/025): what a closure does to the bookings of
** its days. */
enum closure_mode {
  CLOSURE_MODE_UNKNOWN = 0,
  CLOSURE_CANCEL,         /* cancelled by the city: no fee, refunded */
  CLOSURE_FLAG,           /* kept; staff follow up */
};
enum closure_mode closure_mode_parse(const char *name);
const char *closure_mode_name(enum closure_mode m);

/* closure_bookings.outcome (schema/025): what a closure did to one booking. */
enum closure_outcome {
  CLOSURE_OUTCOME_UNKNOWN = 0,
  CLOSURE_CANCELLED,
  CLOSURE_FLAGGED,
};
enum closure_outcome closure_outcome_parse(const char *name);
const char *closure_outcome_name(enum closure_outcome o);

/* A room's slot on the availability feeds, their "state" (core/availability.c):
** not stored, but derived from its bookings, holds and the rule book. */
enum avail_state {
  AVAIL_STATE_UNKNOWN = 0,
  AVAIL_FREE,
  AVAIL_HELD,             /* a provisional hold not yet lapsed */
  AVAIL_BOOKED,
  AVAIL_CLOSED,           /* the centre is closed, or the web no longer takes it */
};
enum avail_state avail_state_parse(const char *name);
const char *avail_state_name(enum avail_state s);

#endif
