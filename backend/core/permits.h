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

#include "ctx.h"

/* Create the server keys if there are none yet, or move them out of a
** database from before the key file (core/keys.h). 0 or a KERR code. Call
** once at start, outside any transaction. */
int permits_init(kdb *db);

/* The permit of booking ID, for whoever may see the booking, once it is
** confirmed (a hold has no permit: KERR_CONFLICT). Logs a permit_issue event.
** *OUT = {"permit","booking_id","issued_at","kid"}. */
int permit_issue(struct kctx *ctx, int64_t booking_id, json_t **out, struct kerrinfo *ei);

/* Check TOKEN: *OUT = {"valid":false,"reason"} or {"valid":true,"status",
** "usable","permit":{payload}}, where status is the booking's status now (a
** cancelled booking's permit is genuine but not usable). Only a missing token
** is an error (KERR_VALIDATION); anything else is an answer. */
int permit_verify(struct kctx *ctx, const char *token, json_t **out, struct kerrinfo *ei);

/* {"alg":"Ed25519","public_key":BASE64,"kid","jwk":{...}}. */
int permit_public_key(struct kctx *ctx, json_t **out, struct kerrinfo *ei);

/* The initials of NAME ("山田 太郎" -> "山.太.", "Taro Yamada" -> "T.Y."),
** parts split at ASCII and ideographic spaces. Writes at most N bytes. */
void permit_initials(const char *name, char *out, size_t n);

#endif
