/*
** core/mailer.h: the sender thread. Delivers the outbox (core/outbox.h)
** through an SMTP server with libcurl (smtps:// for TLS from the start;
** smtp:// upgrades with STARTTLS when the server offers it, or must with
** require_tls), and runs the periodic sweep (lapsed holds, lapse warnings,
** reminders: core/notify.h).
**
** Delivery: the oldest due message first; accepted by the server (250 after
** DATA) -> marked sent in its own transaction at once; refused for good (a
** 5xx answer) -> failed, and the address recorded as undeliverable; anything
** else (no connection, timeout, 4xx) -> tried again after a back-off that
** starts at retry_base seconds and doubles up to an hour, for about three
** days. Started only by `serve --smtp`.
*/
#ifndef KOMINKAN_CORE_MAILER_H
#define KOMINKAN_CORE_MAILER_H

#include <stddef.h>
#include <stdint.h>

#include "outbox.h"
#include "rules.h"

struct mailer_opts {
  const char *smtp_url;            /* smtp://HOST:PORT or smtps://..., credentials in the URL */
  int require_tls;                 /* smtp://: refuse to send without STARTTLS */
  int retry_base;                  /* seconds before the first retry (default 30) */
  int sweep_every;                 /* seconds between sweeps (default 300) */
  int poll_ms;                     /* how often to look for due messages (default 1000) */
  const struct rulebook *rb;       /* for the sweep */
};

struct mailer;
/* Start the thread (after outbox_configure()). NULL with a message in ERR. */
struct mailer *mailer_start(const struct mailer_opts *o, char *err, size_t errlen);
void mailer_stop(struct mailer *m);   /* finishes the message in flight; NULL is a no-op */

#define MAILER_MAX_ATTEMPTS 80     /* at an hour apart past the first few: about 3 days */

/* Seconds to wait after the ATTEMPTS-th failure (1 = the first): BASE,
** doubling, at most an hour. */
int64_t mailer_backoff(int attempts, int base);

/* The whole message R as sent (RFC 5322 headers with CRLF, MIME UTF-8,
** base64 body, RFC 2047 subject), From FROM, Reply-To REPLY_TO (may be
** NULL). malloc'd; the caller frees. NULL when out of memory. */
char *mailer_format(const struct outbox_row *r, const char *from, const char *reply_to);

/* The RFC 2047 form of the UTF-8 text S ("=?UTF-8?B?...?=", folded into
** encoded words of at most 75 characters that never split a character) into
** OUT; plain ASCII is copied as it is. */
void mailer_encode_header(const char *s, char *out, size_t n);

#endif
