/*
** http/api_accounts.h: accounts, sign-in and sign-out, "me".
*/
#ifndef KOMINKAN_HTTP_API_ACCOUNTS_H
#define KOMINKAN_HTTP_API_ACCOUNTS_H

#include "http.h"

enum MHD_Result api_account_create(struct req *r);
enum MHD_Result api_session_create(struct req *r);
enum MHD_Result api_session_delete(struct req *r);
enum MHD_Result api_me(struct req *r);

#endif
