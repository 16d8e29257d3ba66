/*
** core/totp.h: the staff second factor (issue 14; docs/operations.md "A
** second factor for staff"): time-based one-time codes (TOTP, RFC 6238:
** HMAC-SHA1 over the 30-second step, 6 digits), as any authenticator app
** makes them.
**
** A staff member, admin or analyst enrolls: totp_start() makes a 20-byte
** secret, shown once as an otpauth:// URI (and QR code) and in base32;
** totp_confirm() with a code from the app turns it on. From then on sign-in
** (core/accounts.c accounts_login) asks for a code ("totp"): a code is
** accepted for the step before, the current and the next one (clock drift),
** and each step only once. An admin's totp_reset() removes it (a lost phone).
**
** With `serve --require-staff-totp` (totp_required), staff and admins who
** have not enrolled may only enroll: every other request is refused
** (totp_blocked) until they do.
*/
#ifndef KOMINKAN_CORE_TOTP_H
#define KOMINKAN_CORE_TOTP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

#define TOTP_SECRET_BYTES 20
#define TOTP_STEP 30
#define TOTP_ISSUER "kominkan"

/* The server setting: 1 when staff and admins must have a second factor. */
extern int totp_required;

/* RFC 4226 HOTP: the 6-digit code of KEY (N bytes) for counter STEP. */
int totp_hotp(const unsigned char *key, size_t n, uint64_t step);

/* RFC 4648 base32 (no padding) of IN (N bytes) into OUT (CAP bytes). */
void totp_base32(const unsigned char *in, size_t n, char *out, size_t cap);

/* A new key for the authenticator app, shown once. */
struct totp_setup {
  char secret[64];              /* base32 */
  char uri[256];                /* otpauth://totp/..., for the QR code */
};
/* Start (or restart, while not yet confirmed) enrolment for the actor (staff,
** admin, analyst) into *S (the caller wipes it: sodium_memzero). KERR_CONFLICT
** when already on (an admin resets it first). */
int totp_start_setup(struct kctx *ctx, struct totp_setup *s, struct kerrinfo *ei);
/* The same as JSON: *OUT {"secret" (base32),"otpauth_uri","confirmed":false}. */
int totp_start(struct kctx *ctx, json_t **out, struct kerrinfo *ei);

/* {"code"} from the app: turns the actor's second factor on. *OUT
** {"confirmed":true}. KERR_VALIDATION for a wrong code (field "code"). */
int totp_confirm(struct kctx *ctx, const json_t *in, json_t **out, struct kerrinfo *ei);

/* The actor's second factor. */
struct totp_state {
  int enabled;                  /* confirmed: asked at every sign-in */
  int pending;                  /* a key made, its first code not yet given */
  int required;                 /* the city requires it of this actor (staff, admin) */
};
int totp_state_of(struct kctx *ctx, struct totp_state *st, struct kerrinfo *ei);
/* The same as JSON: {"enabled","pending","required"}. */
int totp_status(struct kctx *ctx, json_t **out, struct kerrinfo *ei);

/* Admins: remove account ID's second factor (audited). */
int totp_reset(struct kctx *ctx, int64_t id, struct kerrinfo *ei);

/* For accounts_login, after the password matched: 0 when account ID needs no
** code or IN's "totp" is a valid, unused one (then marked used); else
** KERR_TOTP_REQUIRED (none given) or KERR_BAD_CREDENTIALS (a wrong one). */
int totp_signin(struct kctx *ctx, int64_t id, const json_t *in, struct kerrinfo *ei);

/* 1 when the actor of CTX must enroll before anything else (totp_required,
** staff or admin, no confirmed second factor). */
int totp_blocked(struct kctx *ctx);

#endif
