/*
** http/web_account.h: sign-up, sign-in and sign-out pages (docs/web.md).
*/
#ifndef KOMINKAN_HTTP_WEB_ACCOUNT_H
#define KOMINKAN_HTTP_WEB_ACCOUNT_H

#include "http.h"

struct reply web_signin(struct req *r);
struct reply web_signin_post(struct req *r);
struct reply web_signout(struct req *r);
struct reply web_register(struct req *r);
struct reply web_register_post(struct req *r);

#endif
