/*
** http/web_totp.h: the staff second factor's pages (issue 14; core/totp.h),
** no JavaScript needed: setting it up (QR code, base32 secret, a code to
** confirm) and an admin's reset.
*/
#ifndef KOMINKAN_HTTP_WEB_TOTP_H
#define KOMINKAN_HTTP_WEB_TOTP_H

#include "http.h"

struct reply web_totp(struct req *r);
struct reply web_totp_start(struct req *r);
struct reply web_totp_confirm(struct req *r);
struct reply web_totp_reset(struct req *r);

#endif
