/*
** core/permits.h: digital use permits (許可書), replacing paper ones.
**
** A permit is a JWS compact token (RFC 7515, alg EdDSA = Ed25519, RFC 8037):
**
**   BASE64URL(header) "." BASE64URL(payload) "." BASE64URL(signature)
**
** header  {"alg":"EdDSA","typ":"JWT","kid":KID}
** payload {"iss":"kominkan","bid":ID,"center","center_name","room","room_name",
**          "date","slots":[...],"start","end","holder","iat":EPOCH,"issued_at"}
**
** The signature (crypto_sign_detached) covers the ASCII text before the last
** dot, so any JOSE library, or ten lines of code with the public key from
** GET /api/v1/permits/key, verifies a permit offline. "holder" is the group's
** name, or the holder's initials ("山.太."): a permit names no full name.
**
** The signing key (the 64-byte libsodium secret key) is created on first
** start and kept in the key file beside the database (core/keys.h), never in
** the database: a backup holds no key, and the key survives restarts and
** restores.
*/
#ifndef KOMINKAN_CORE_PERMITS_H
#define KOMINKAN_CORE_PERMITS_H

#include <jansson.h>

#include "bookings.h"
#include "ctx.h"

/* Create the server keys if there are none yet, or move them out of a
** database from before the key file (core/keys.h). 0 or a KERR code. Call
** once at start, outside any transaction. */
int permits_init(kdb *db);

#define PERMIT_CODE_MAX 32    /* "1234-K7QM3X": the booking ID, "-", six characters */
#define PERMIT_TOKEN_MAX 4096 /* the longest token permit_verify reads */

/* A permit, typed: what it says (the signed payload above, or for a short
** code the booking's essentials) and the booking's status. The one source of
** the JSON of permit_issue and permit_verify. Text fields are copies; ""
** where the payload has no such field. */
struct permit_view {
  int64_t booking_id;                      /* "bid" */
  char center[32], center_name[96];        /* center_name "" once the room left the rule book */
  char room[32], room_name[96];            /* "" likewise */
  int32_t day;                             /* "date" */
  char slots[RULES_MAX_SLOTS][24];         /* "slots": codes, NSLOTS of them */
  int nslots;
  char start[8], end[8];                   /* "HH:MM", "" unknown */
  char holder[256];                        /* as signed: the group's name or initials */
  int64_t issued_at;                       /* "iat"; 0 for a short code's essentials */
  enum booking_status status;              /* the booking's now (BOOKING_UNKNOWN: gone) */
  /* permit_issue_view only ("" otherwise): */
  char holder_name[256];                   /* in full, for the holder's own page */
  char kid[17];                            /* the signing key's id */
  char short_code[PERMIT_CODE_MAX];        /* what a clerk types */
  char token[PERMIT_TOKEN_MAX + 1];        /* the signed permit */
};

/* The permit of booking ID, for whoever may see the booking, once it is
** confirmed (a hold has no permit: KERR_CONFLICT). Logs a permit_issue event.
** *PV (zeroed first) is the permit: the signed token carries the holder's
** initials; holder_name (the group's or the holder's name in full) is for
** the holder's own page; short_code is what a clerk types when the QR code
** cannot be scanned (permit_verify takes it). 0 or the error in EI. */
int permit_issue_view(struct kctx *ctx, int64_t booking_id, struct permit_view *pv,
                      struct kerrinfo *ei);

/* permit_issue_view as JSON: *OUT = {"permit","booking_id","issued_at","kid",
** "short_code","holder_name"} (new reference, the caller decrefs). */
int permit_issue(struct kctx *ctx, int64_t booking_id, json_t **out, struct kerrinfo *ei);

/* Where a check's permit came from: what permit_verify's "permit" holds. */
enum permit_source {
  PERMIT_NONE = 0, /* nothing: not valid, or a short code of a booking gone */
  PERMIT_SIGNED,   /* the signed payload of a token */
  PERMIT_CODE,     /* a short code: the booking's essentials now */
};

/* What permit_verify_view says of a token. */
struct permit_check {
  int valid;                   /* genuine: signed with our key, or a short code that matches */
  const char *reason;          /* not valid: "malformed", "bad_code", "unknown_key", "bad_signature" */
  const char *message;         /* not valid, or valid but not usable: why (static text); else NULL */
  int usable;                  /* valid, and the booking confirmed or checked in now */
  enum permit_source source;
  struct permit_view permit;   /* valid: its contents and permit.status (issue-only fields "") */
};

/* Check TOKEN, a signed permit or its short code ("1234-K7QM3X", spaces,
** lower case, O/I/L typed for 0/1 accepted; throttled per address like every
** look-up by ID), into *C (zeroed first). A cancelled booking's permit is
** genuine but not usable. Only a missing token (KERR_VALIDATION) or a
** throttled short code is an error; anything else is an answer. */
int permit_verify_view(struct kctx *ctx, const char *token, struct permit_check *c,
                       struct kerrinfo *ei);

/* permit_verify_view as JSON: *OUT = {"valid":false,"reason","message"} or
** {"valid":true,"status","usable","permit":{payload}[,"message"]} (new
** reference, the caller decrefs). */
int permit_verify(struct kctx *ctx, const char *token, json_t **out, struct kerrinfo *ei);

/* {"alg":"Ed25519","public_key":BASE64,"kid","jwk":{...}}. */
int permit_public_key(struct kctx *ctx, json_t **out, struct kerrinfo *ei);

/* The initials of NAME ("山田 太郎" -> "山.太.", "Taro Yamada" -> "T.Y."),
** parts split at ASCII and ideographic spaces. Writes at most N bytes. */
void permit_initials(const char *name, char *out, size_t n);

#endif
