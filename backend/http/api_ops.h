/*
** http/api_ops.h: operations (issue 14; docs/operations.md): users, the audit
** trail, password resets, a citizen's details, closing an account.
*/
#ifndef KOMINKAN_HTTP_API_OPS_H
#define KOMINKAN_HTTP_API_OPS_H

#include "http.h"

struct reply api_users_list(struct req *r);
struct reply api_users_create(struct req *r);
struct reply api_user_disable(struct req *r);
struct reply api_user_enable(struct req *r);
struct reply api_user_role(struct req *r);
struct reply api_user_password(struct req *r);
struct reply api_user_reset_code(struct req *r);
struct reply api_audit(struct req *r);
struct reply api_me_disclosures(struct req *r);
struct reply api_me_update(struct req *r);
struct reply api_me_close(struct req *r);
struct reply api_password_reset(struct req *r);
struct reply api_password_reset_confirm(struct req *r);

#endif
