/*
** http/web_account.h: sign-up, sign-in and sign-out pages (docs/web.md).
*/
#ifndef KOMINKAN_HTTP_WEB_ACCOUNT_H
#define KOMINKAN_HTTP_WEB_ACCOUNT_H

#include "http.h"

enum MHD_Result web_signin(struct req *r);
enum MHD_Result web_signin_post(struct req *r);
enum MHD_Result web_signout(struct req *r);
enum MHD_Result web_register(struct req *r);
enum MHD_Result web_register_post(struct req *r);

#endif
