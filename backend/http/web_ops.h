/*
** http/web_ops.h: operations pages (issue 14; docs/operations.md), no
** JavaScript needed: users and the audit trail for admins, a citizen's
** privacy page (who looked at my data, closing the account) and the
** password reset pages.
*/
#ifndef KOMINKAN_HTTP_WEB_OPS_H
#define KOMINKAN_HTTP_WEB_OPS_H

#include "http.h"

struct reply web_ops_users(struct req *r);
struct reply web_ops_user_disable(struct req *r);
struct reply web_ops_user_enable(struct req *r);
struct reply web_ops_audit(struct req *r);
struct reply web_ops_privacy(struct req *r);
struct reply web_ops_close(struct req *r);
struct reply web_ops_reset_page(struct req *r);
struct reply web_ops_reset_post(struct req *r);
struct reply web_ops_reset_confirm(struct req *r);

#endif
