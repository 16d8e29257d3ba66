/*
** http/api_totp.h: the staff second factor (TOTP; issue 14; core/totp.h).
*/
#ifndef KOMINKAN_HTTP_API_TOTP_H
#define KOMINKAN_HTTP_API_TOTP_H

#include "http.h"

struct reply api_me_totp(struct req *r);
struct reply api_me_totp_start(struct req *r);
struct reply api_me_totp_confirm(struct req *r);
struct reply api_user_totp_reset(struct req *r);

#endif
