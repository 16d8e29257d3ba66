/*
** core/lifecycle.h: a citizen's account over its life (issue 14): password
** reset by a mailed link or by a code printed at the counter, editing one's
** details, closing the account (退会), and the disclosure of who at the city
** looked at one's data.
**
** Secrets: a reset link carries 32 random bytes (base64url, valid 30
** minutes); a counter code is 12 characters of a 32-letter alphabet (60 bits,
** valid 24 hours, printed on a slip after staff checked the person's
** identity). Only a hash is stored (and, for the first code of an account
** registered at the counter, a copy sealed under the form's key, erased on
** use: lifecycle_sign_up); each works once (used_at), and a new password
** signs every session of the account out.
*/
#ifndef KOMINKAN_CORE_LIFECYCLE_H
#define KOMINKAN_CORE_LIFECYCLE_H

#include <jansson.h>

#include "ctx.h"

#define RESET_LINK_SECONDS (30 * 60)
#define RESET_CODE_SECONDS (24 * 3600)
/* The first code of an account registered at the counter: the person may
** have no internet of their own and set the password days later (a
** relative's phone, the library), so a month, not a day. */
#define REGISTER_CODE_SECONDS (30 * 24 * 3600)

/* What a sign-up hands back (lifecycle_sign_up). */
enum { SLIP_CODE_VALID, SLIP_CODE_USED, SLIP_CODE_EXPIRED, SLIP_CODE_UNKNOWN };
struct signup_slip {
  int64_t system_id;     /* the new account */
  int at_counter;        /* 1: registered at the counter, with the first code below */
  char code[16];         /* "ABCD-EFGH-JKMN" while it can be used, else "" */
  int64_t expires_at;    /* the code's end */
  int code_state;        /* SLIP_CODE_*: UNKNOWN when it cannot be shown again */
  int replayed;          /* a repeat of the post: the first registration's slip */
};

/* A citizen's account: the one entry point of POST /api/v1/accounts and of
** the counter's registration form (POST /counter/register).
**  - Anyone but staff, or staff who send a "password": accounts_create with
**    ACCOUNT_SELF_SERVICE (the password as given; for staff at the counter,
**    in counter hours). *SLIP has the system ID.
**  - Staff or an admin without a password (absent, null or ""): the person
**    registered at the counter (accounts_create_at_counter, KEY the form's
**    or NULL) with a one-time code to set a password, valid
**    REGISTER_CODE_SECONDS and used like a counter slip's
**    (lifecycle_reset_confirm with the system ID); *SLIP has the ID, the
**    code and its end. A repeat with the same KEY gives the first slip
**    again (replayed): the same ID and code, stored sealed under the key,
**    or, once the code is used or past its end, that state and no code.
** *SLIP's code is a secret: the caller wipes it (sodium_memzero) after use.
** 0 or the error in EI, nothing stored on any error. */
int lifecycle_sign_up(struct kctx *ctx, const json_t *in, const char *key,
                      struct signup_slip *slip, struct kerrinfo *ei);

/* {"system_id"} from CLIENT (an address): always 0 for a well-formed request,
** whether or not the account exists (no existence leak); when it exists, is
** active and has an email, a one-time link is made and handed to the mail
** hook. Throttled: at most 3 links an hour per account (more are silently
** not sent) and 10 requests an hour per address (KERR_RATE_LIMITED). */
int lifecycle_reset_request(struct kctx *ctx, const json_t *in, const char *client,
                            struct kerrinfo *ei);

/* {"email"} from CLIENT: always 0 for a well-formed address, whether or not
** it is registered; with mail on, each active citizen account registered
** with it gets its system ID by mail (利用者番号のお知らせ). Throttled: 10
** requests an hour per client address (KERR_RATE_LIMITED), 3 mails an hour
** to one address (more are silently not sent). */
int lifecycle_forgotten_id(struct kctx *ctx, const json_t *in, const char *client,
                           struct kerrinfo *ei);

/* Staff or admin at the counter, after checking identity: a one-time code for
** citizen ID, into *OUT {"system_id","code","expires_at"} (caller decrefs). */
int lifecycle_reset_code(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei);

/* INSIDE the caller's write transaction: a new one-time code for citizen
** ID, valid SECONDS, written as printed ("ABCD-EFGH-JKMN", 15 bytes and the
** NUL) into SHOWN; it works like a counter slip (lifecycle_reset_confirm
** with the system ID). Used by the counter and for the first sign-in of an
** imported account (core/import.c). 0 or a KERR code. */
int lifecycle_issue_code(struct kctx *ctx, int64_t id, int seconds, char shown[16]);

/* {"token","password"} (a link) or {"system_id","code","password"} (a
** counter slip): sets the password once; every session of the account ends.
** Wrong or used secrets are throttled per address. *OUT {"system_id"}. */
int lifecycle_reset_confirm(struct kctx *ctx, const json_t *in, const char *client,
                            json_t **out, struct kerrinfo *ei);

/* The signed-in citizen edits {"name"?,"name_kana"?,"email"?,"phone"?}
** (null or "" clears email or phone); *OUT is GET /api/v1/me's body.
** KERR_VALIDATION per field; also, at both email and phone, when the
** account would be left with neither (sign-up's rule and message). */
int lifecycle_update_profile(struct kctx *ctx, const json_t *in, json_t **out,
                             struct kerrinfo *ei);

/* A card sign-in this recent (seconds) confirms closing an account that has
** no password (one made with the My Number card). */
#define LIFECYCLE_CARD_RECENT (15 * 60)

/* 1 when the signed-in citizen's account has no password (made with the
** card), with *AT the last card sign-in (epoch seconds, 0 if none); 0 when it
** has a password. */
int lifecycle_close_card_signin(struct kctx *ctx, int64_t *at);

/* The signed-in citizen closes their account with {"password"}, or, for an
** account made with the card (no password), {"confirm": true} within
** LIFECYCLE_CARD_RECENT of a card sign-in: name, kana,
** email and phone are erased, the password is replaced by one nobody knows,
** sessions end, open holds are released; bookings stay, detached (holder
** 退会済み). *OUT {"system_id","closed_at"}. */
int lifecycle_close(struct kctx *ctx, const json_t *in, json_t **out, struct kerrinfo *ei);

/* The hook a mail module uses to deliver a reset link: called inside the
** write transaction with the account, the link path ("/password-reset/TOKEN")
** and when it expires. Returns 0 or a KERR code (which undoes the request). */
int lifecycle_mail_reset(struct kctx *ctx, int64_t account_id, const char *path,
                         int64_t expires_at);

#endif
