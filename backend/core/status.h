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

#endif
