/*
** core/kerr.h: the domain's error codes.
**
** Every failure a citizen, clerk or client can meet is one of these. Each has
** one HTTP status, one stable machine code and one Japanese message, in one
** table in kerr.c; nothing else decides them. Functions return 0 or a KERR_*
** code; details (the message with figures in it, per-field messages) go into a
** caller-supplied struct kerrinfo, where the first error wins.
*/
#ifndef KOMINKAN_CORE_KERR_H
#define KOMINKAN_CORE_KERR_H

#include <jansson.h>

enum kerr {
  KERR_OK = 0,
  KERR_BAD_REQUEST,        /* 400 malformed body or parameter */
  KERR_BAD_UTF8,           /* 400 text that is not UTF-8 */
  KERR_UNAUTHORIZED,       /* 401 not signed in */
  KERR_SESSION_EXPIRED,    /* 401 session timed out */
  KERR_BAD_CREDENTIALS,    /* 401 wrong ID or password */
  KERR_FORBIDDEN,          /* 403 role not allowed */
  KERR_CSRF,               /* 403 missing/wrong CSRF token */
  KERR_NOT_FOUND,          /* 404 */
  KERR_METHOD,             /* 405 */
  KERR_SLOT_TAKEN,         /* 409 */
  KERR_CONFLICT,           /* 409 state does not allow it */
  KERR_TOO_LARGE,          /* 413 */
  KERR_MEDIA_TYPE,         /* 415 */
  KERR_VALIDATION,         /* 422 per-field */
  KERR_OUTSIDE_WINDOW,     /* 422 outside_booking_window */
  KERR_CLOSED,             /* 422 closed day */
  KERR_RESIDENCY,          /* 422 residency_requirement */
  KERR_CAPACITY,           /* 422 attendees above capacity */
  KERR_LIMIT,              /* 422 a cap from the rule book */
  KERR_DEADLINE,           /* 422 cancellation deadline passed */
  KERR_COUNTER_HOURS,      /* 422 counter action outside counter hours */
  KERR_TOO_EARLY,          /* 422 not yet: e.g. a no-show before the grace period ends */
  KERR_RATE_LIMITED,       /* 429 */
  KERR_INTERNAL,           /* 500 */
  KERR_BUSY,               /* 503 too many at once (password hashing) */
  KERR_STORAGE,            /* 503 storage unavailable */
  KERR_TOTP_REQUIRED,      /* 401 the password was right; the second factor's code is needed */
  KERR_OIDC,               /* 400 an OpenID Connect sign-in refused (core/oidc.c) */
  KERR_OIDC_UNAVAILABLE,   /* 502 the identity provider did not answer */
  KERR_CAMPAIGN_DAY,       /* 422 a campaign day's room is for that day's use, not booked ahead */
  KERR__COUNT
};

/* Details of an error: a message that replaces the table's (for figures such
** as the opening time), per-field messages for KERR_VALIDATION, and a
** Retry-After for 429/503. */
struct kerrinfo {
  int code;                /* the first KERR_* set, 0 if none */
  char message[512];       /* "" -> use the table's message */
  json_t *fields;          /* owned; NULL until a field error is added */
  int retry_after;         /* seconds, 0 if none */
};

int kerr_http_status(int code);
const char *kerr_code(int code);          /* "slot_taken" */
const char *kerr_message(int code);       /* the table's Japanese message */

/* Set CODE with an optional printf-style message; the first error wins.
** Returns CODE so that callers can `return kerr_set(ei, KERR_X, ...)`. */
int kerr_set(struct kerrinfo *ei, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Record a field error (KERR_VALIDATION); the first message per field wins. */
void kerr_field(struct kerrinfo *ei, const char *field, const char *msg);

/* Free what EI owns and clear it; NULL is a no-op. */
void kerr_clear(struct kerrinfo *ei);

/* Map a store result (DB_*) to a KERR code: DB_STORAGE -> KERR_STORAGE, etc. */
int kerr_from_db(int db_rc);

#endif
