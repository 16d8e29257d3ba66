/*
** core/outbox.h: messages to people, never lost, never doubled.
**
** A message is a row of the outbox table written INSIDE the write
** transaction of the change that causes it: the message exists exactly when
** the change committed (a rollback takes it away too). The sender thread
** (core/mailer.c) delivers pending rows afterwards, retrying with a growing
** back-off, and marks each sent in its own transaction right after the SMTP
** server accepted it. Every row has its Message-ID fixed when it is queued,
** so the one window left (accepted by the server, then the process dies
** before the mark commits: the message goes again on restart) shows up as two
** copies with the same Message-ID, which mail systems and people can tell.
**
** Without `serve --smtp` nothing is queued: outbox_enqueue() is then a no-op
** that returns 0, and the server runs as before.
**
** How to send a message from a core function (docs/mail.md):
**
**   if ((rc = db_begin_write(ctx->db)) != DB_OK) ...
**   ... the change ...
**   struct outbox_ref ref = {.booking_id = b.id, .center = b.center};
**   if ((rc = outbox_enqueue(ctx, MAIL_CLOSURE, b.account_id, subject, body, &ref)))
**     goto fail;                       // rolls the change back too
**   db_commit(ctx->db);
**
** The message texts live in core/notify.c (notify_*), which calls this.
*/
#ifndef KOMINKAN_CORE_OUTBOX_H
#define KOMINKAN_CORE_OUTBOX_H

#include <jansson.h>
#include <stdint.h>

#include "ctx.h"

/* Kinds of message. Those marked optional may be turned off by the citizen
** on マイページ; decisions, money and security messages always go. */
#define MAIL_HOLD_RECEIVED "hold_received"         /* optional */
#define MAIL_HOLD_WARNING "hold_warning"           /* optional: lapses within 24 h */
#define MAIL_HOLD_LAPSED "hold_lapsed"
#define MAIL_CONFIRMED "booking_confirmed"         /* optional */
#define MAIL_REMINDER "reminder"                   /* optional: the day before use */
#define MAIL_CANCELLED "cancelled"
#define MAIL_STAFF_CHANGE "staff_change"
#define MAIL_CLOSURE "closure"
#define MAIL_GROUP_DECISION "group_decision"
#define MAIL_DISCOUNT_DECISION "discount_decision"
#define MAIL_PASSWORD_RESET "password_reset"
#define MAIL_FORGOTTEN_ID "forgotten_id"
#define MAIL_COURSE "course"                     /* a course's result, the waiting list */
#define MAIL_ROUND "round_result"               /* the allocation round's result */

/* Every kind, in the order pages list them: code, Japanese name, optional. */
struct mail_kind {
  const char *code;
  const char *label;
  int optional;
};
extern const struct mail_kind mail_kinds[];
extern const int mail_kind_count;
const struct mail_kind *mail_kind_find(const char *code);   /* NULL if unknown */

/* Server settings, given once at start by `serve --smtp` (copied). With
** outbox_configure() never called, or called with NULL, mail is off. */
struct outbox_config {
  const char *from;          /* --mail-from: the From address */
  const char *public_url;    /* links in messages: "https://yoyaku.example.jp" */
  const char *reply_to;      /* Reply-To when the centre has none (may be NULL) */
  const char *center_reply_to; /* "chuo=a@x,kamikawa=b@y": per centre (may be NULL) */
};
void outbox_configure(const struct outbox_config *cfg);
int outbox_enabled(void);
const char *outbox_from(void);
const char *outbox_public_url(void);            /* no trailing slash */
const char *outbox_reply_to(const char *center); /* NULL when none */

/* What a message is about, all optional (zero = none). DEDUP_KEY: a message
** with the same key already queued is not queued again (for sweeps). */
struct outbox_ref {
  int64_t booking_id;
  const char *center;
  const char *dedup_key;
};

/* Queue message KIND (MAIL_*) for ACCOUNT, inside the caller's write
** transaction. The address is the account's email as of now; with none, or
** with KIND turned off by the person, the row is kept as 'skipped' (staff
** see why). SUBJECT and BODY are plain UTF-8 text (encoded when sent). REF
** may be NULL. 0, or a KERR code (the caller rolls back). A no-op when mail
** is off or ACCOUNT is 0. */
int outbox_enqueue(struct kctx *ctx, const char *kind, int64_t account, const char *subject,
                   const char *body, const struct outbox_ref *ref);

/* ------------------------------------------------- for the sender */

struct outbox_row {
  int64_t id;
  int64_t account_id;
  char kind[32];
  char center[32];
  char to[320];
  char message_id[128];
  int attempts;
  int64_t created_at;
  char *subject;             /* malloc'd: outbox_row_clear() frees */
  char *body;
};
void outbox_row_clear(struct outbox_row *r);

/* The oldest pending row due by NOW (wall-clock seconds) into *R: 1, 0 when
** none, -1 on an error. */
int outbox_next_due(kdb *db, int64_t now, struct outbox_row *r);

/* Each in its own write transaction; 0 or -1. */
int outbox_mark_sent(kdb *db, const struct outbox_row *r, int64_t now);
int outbox_mark_retry(kdb *db, int64_t id, int64_t next_at, const char *error);
/* Refused for good: the row fails and the address is recorded as
** undeliverable for its account. */
int outbox_mark_failed(kdb *db, const struct outbox_row *r, const char *error, int64_t now);

/* ------------------------------------------------- for pages and the API */

/* {"messages":[{"id","kind","label","to","subject","status","attempts",
** "created_at","sent_at"?,"last_error"?,"message_id"}]}: what was queued about
** booking ID, oldest first (staff). New reference in *OUT. */
int outbox_list_booking(struct kctx *ctx, int64_t booking_id, json_t **out, struct kerrinfo *ei);

/* The actor's mail settings: {"email","kinds":[{"code","label","optional",
** "enabled"}],"undeliverable":{"address","reason","at"}?}. */
int outbox_prefs_get(struct kctx *ctx, json_t **out, struct kerrinfo *ei);

/* Change the actor's choices: IN {"CODE": true|false, ...}; a mandatory kind
** set false is KERR_VALIDATION, an unknown code too. Nothing changes on error. */
int outbox_prefs_set(struct kctx *ctx, const json_t *in, json_t **out, struct kerrinfo *ei);

#endif
