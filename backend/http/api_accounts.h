/*
** http/api_accounts.h: accounts, sign-in and sign-out, "me".
*/
#ifndef KOMINKAN_HTTP_API_ACCOUNTS_H
#define KOMINKAN_HTTP_API_ACCOUNTS_H

#include "http.h"

struct reply api_account_create(struct req *r);
struct reply api_session_create(struct req *r);
struct reply api_session_delete(struct req *r);
struct reply api_me(struct req *r);

#endif
