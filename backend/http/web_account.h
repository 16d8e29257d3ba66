/*
** http/web_account.h: sign-up, sign-in and sign-out pages (docs/web.md).
*/
#ifndef KOMINKAN_HTTP_WEB_ACCOUNT_H
#define KOMINKAN_HTTP_WEB_ACCOUNT_H

#include "http.h"

/* NEXT if it is a path of this site ("/..." but not "//..." nor "/\..."),
** else DFLT: a next= parameter, never a way to another site. */
const char *web_safe_next(const char *next, const char *dflt);

struct reply web_signin(struct req *r);
struct reply web_signin_post(struct req *r);
struct reply web_signout(struct req *r);
struct reply web_register(struct req *r);
struct reply web_register_post(struct req *r);
struct reply web_register_done(struct req *r);

#endif
