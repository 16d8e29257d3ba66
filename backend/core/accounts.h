/*
** core/accounts.h: accounts (one system ID per person, valid at every
** centre), passwords, sign-in and sessions.
**
** Passwords are hashed with argon2id (crypto_pwhash_str at libsodium's
** INTERACTIVE limits: about 0.1 s and 64 MiB each) and rehashed at sign-in
** when the limits change. A session is 32 random bytes handed to the client;
** the database keeps only crypto_generichash of them, so a copy of the
** database lets nobody sign in. The CSRF token of a session is derived from
** the session token (keyed hash), so it needs no storage either.
**
** Sign-in is throttled per (account, address) and per address with growing
** delays (throttle.c), and
** at most ACCOUNTS_HASH_SLOTS password hashes run at once in the process;
** past that the caller gets KERR_BUSY (503 with Retry-After) instead of a
** queue of 64 MiB allocations.
*/
#ifndef KOMINKAN_CORE_ACCOUNTS_H
#define KOMINKAN_CORE_ACCOUNTS_H

#include <jansson.h>
#include <stdint.h>

#include "ctx.h"

#define ACCOUNTS_PASSWORD_MIN 12   /* characters (code points) */
#define ACCOUNTS_PASSWORD_MAX 128


enum {
  ACCOUNT_SELF_SERVICE = 1,  /* a citizen's account as sign-up makes it: kana and a contact
                                required; made by staff or an admin, it is made at the
                                counter: in counter hours (else KERR_COUNTER_HOURS), channel
                                "counter", never throttled (core/desk.h) */
  ACCOUNT_FIXED_ID = 2       /* *ID on entry is the system ID to give (the documented
                                demonstration accounts, tools/demo/): it must be a valid
                                ID not yet taken, else KERR_CONFLICT */
};

/* Create an account of ROLE (one ROLE_* bit) from the body IN:
**   name (required), name_kana (katakana or hiragana), email, phone (digits
**   and hyphens), password (12-128 characters, required), resident (bool).
** With ACCOUNT_SELF_SERVICE, name_kana and one of email/phone are required.
** HOME_CENTER (a centre code of the rule book) is required for staff,
** allowed for admins, refused for the others. Every field is checked before
** anything is written (KERR_VALIDATION with a Japanese message per field);
** nothing is stored on any error. On success *ID is the new system ID.
** Writes the event "account.create". */
int accounts_create(struct kctx *ctx, const json_t *in, int role, const char *home_center,
                    int flags, int64_t *id, struct kerrinfo *ei);

/* INSIDE the caller's write transaction (core/import.c): a citizen account
** brought in from the old system, IN as for accounts_create without a
** password (name required; name_kana, email, phone, resident checked the
** same way), with password HASH (one nobody knows: the person signs in
** first with a one-time code). *ID the new system ID. Event "account.import". */
int accounts_import_in(struct kctx *ctx, const json_t *in, const char *hash, int64_t *id,
                       struct kerrinfo *ei);

/* A new session. token and csrf are what the client gets (base64url); they
** are never stored. */
struct session_new {
  char token[64];
  char csrf[64];
  int64_t account_id;
  int role;
  int64_t expires_at;       /* absolute end */
  int idle_seconds;         /* ends earlier after this long without a request */
};

/* Sign in with {"system_id","password"} from CLIENT (the address, for the
** throttle). KERR_VALIDATION for a missing field or an ID whose check digit
** is wrong (says so), KERR_RATE_LIMITED / KERR_BUSY with ei->retry_after,
** KERR_BAD_CREDENTIALS for an unknown ID, a disabled account or a wrong
** password (one answer for all three, in about the same time). Rehashes the
** password when the hashing limits changed. Writes "session.create".
** With ctx->precheck (the first pass, on the hash pool: http/suspend.c) it
** only reads and hashes: a wrong password is answered as above, a right one
** returns 0 with no session in OUT (account_id 0) and its check in
** *ctx->signin (with ctx->signin NULL it signs in at once); the second pass, with that check, hashes nothing and writes
** the session (the writer's connection, the batch's transaction). */
int accounts_login(struct kctx *ctx, const json_t *in, const char *client,
                   struct session_new *out, struct kerrinfo *ei);

/* A session for account ID of ROLE without a password: the person proved who
** they are another way (a verified OpenID Connect ID token, core/oidc.c).
** The same session, cookie and event "session.create" as accounts_login. */
int accounts_session_open(struct kctx *ctx, int64_t id, int role, struct session_new *out,
                          struct kerrinfo *ei);

/* The password_hash of an account made with the My Number card, or
** registered at the counter (accounts_create_at_counter): a marker, not an
** argon2id hash, so no password opens it until the person sets one (a code
** from the counter, or a reset link by mail). */
#define ACCOUNTS_NO_PASSWORD "!oidc-only"

/* 1 when account ID has no password (made with the card). */
int accounts_no_password(kdb *db, int64_t id);

/* INSIDE the caller's write transaction: a citizen signed up from verified
** claims (core/oidc.c), IN as for accounts_create without a password (name
** required, checked the same way), with password HASH (a marker nobody can
** sign in with). *ID the new system ID. Event ACTION. */
int accounts_create_in(struct kctx *ctx, const json_t *in, const char *hash, const char *action,
                       int64_t *id, struct kerrinfo *ei);

/* A form's key (the counter's registration form): 1..ACCOUNTS_KEY_MAX
** printable ASCII characters. 1 when KEY is one. */
#define ACCOUNTS_KEY_MAX 128
int accounts_key_valid(const char *key);

/* Staff or an admin registers a citizen at the counter, after checking in
** person who they are (POST /counter/register and a clerk's POST
** /api/v1/accounts without a password: core/lifecycle.c lifecycle_sign_up).
** IN as for accounts_create with ACCOUNT_SELF_SERVICE (name, name_kana, one
** of email/phone, resident: the same checks and messages), but no password
** is read: the account gets ACCOUNTS_NO_PASSWORD, and THEN (may be NULL)
** runs inside the write transaction with the new ID (the one-time code with
** which the person sets a password: the account and its code commit
** together or not at all). KERR_FORBIDDEN for anyone else, KERR_COUNTER_HOURS
** outside counter hours, KERR_VALIDATION per field; nothing stored on any
** error. KEY (the form's, NULL: none; else not accounts_key_valid:
** KERR_BAD_REQUEST) makes a repeat of the post (a reload of the slip, a
** double click) give *ID the account the first one made, with *REPLAYED (may
** be NULL) 1, and change nothing; the same key with other details is
** KERR_CONFLICT. Only a hash of KEY is kept, with the clerk. Event
** "account.create" (channel "counter", the clerk as actor, at the clerk's
** centre). */
int accounts_create_at_counter(struct kctx *ctx, const json_t *in, const char *key,
                               int (*then)(struct kctx *ctx, int64_t id, void *arg),
                               void *arg, int64_t *id, int *replayed, struct kerrinfo *ei);

/* What accounts_create_at_counter checks before it writes (a clerk, counter
** hours, the details), without writing: for a form that has more of its own
** to check, so that it shows every error at once. 0 or the error in EI. */
int accounts_check_at_counter(const struct kctx *ctx, const json_t *in, struct kerrinfo *ei);

/* What a presented session token stands for. */
struct session_info {
  struct actor actor;
  char csrf[64];
  int64_t expires_at;
  int64_t idle_expires_at;
};

/* Look up TOKEN (as the client sent it). 0 with *OUT filled; KERR_UNAUTHORIZED
** for an unknown or malformed token or a disabled account; KERR_SESSION_EXPIRED
** when it passed its idle or absolute lifetime (the session is then deleted).
** Notes the request as activity (at most one write a minute per session). */
int accounts_session_lookup(struct kctx *ctx, const char *token, struct session_info *out);

/* End the session of TOKEN (sign out). Writes "session.delete". 0 or a KERR. */
int accounts_session_delete(struct kctx *ctx, const char *token);

/* The CSRF token of session TOKEN into OUT (64 bytes); "" if TOKEN is malformed. */
void accounts_csrf_of(const char *token, char out[64]);

/* Session lifetimes for ROLE, in seconds (see accounts.c for the argument). */
int accounts_idle_limit(int role);
int accounts_absolute_limit(int role);

/* GET /api/v1/me: {"system_id","name","name_kana","role","home_center",
** "email","phone","resident"} of the actor (groups_me adds "groups"; new reference in
** *OUT). KERR_NOT_FOUND if the account is gone. */
int accounts_me(struct kctx *ctx, json_t **out);

/* Whether account ID exists, and its role (ROLE_* bit) into *ROLE (may be NULL). */
int accounts_exists(struct kctx *ctx, int64_t id, int *role);

/* The bound on concurrent password hashes. accounts_hash_begin() takes a
** slot or returns KERR_BUSY (with ei->retry_after); every successful begin is
** paired with accounts_hash_end(). The default is one slot per core. */
int accounts_hash_begin(struct kerrinfo *ei);
void accounts_hash_end(void);
void accounts_hash_slots_set(int n);   /* tests and tuning; n >= 1 */

/* The argon2id hash of PW (crypto_pwhash_str at the accounts' limits) into
** OUT (OUTLEN >= 128), within the bound on concurrent hashes. 0 or KERR_BUSY. */
int accounts_password_hash(const char *pw, char *out, size_t outlen, struct kerrinfo *ei);

/* Forget every throttle counter (tests). */
void accounts_throttle_reset(void);

/* How many argon2id verifications sign-ins have run in this process: one
** per attempt that reached the password check, whether or not the ID exists
** (tests check that every failure pays the same). */
unsigned long accounts_verifications(void);

/* Field checks, shared with the forms; each returns NULL if VALUE is
** acceptable, else the Japanese message. VALUE is trimmed and non-empty. */
const char *accounts_check_name(const char *value);
const char *accounts_check_kana(const char *value);
const char *accounts_check_email(const char *value);
const char *accounts_check_phone(const char *value);
const char *accounts_check_password(const char *value);   /* as typed, not trimmed */

#endif
