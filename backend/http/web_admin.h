/*
** http/web_admin.h: the staff menu and the queues of group registrations
** and exemption applications to decide (docs/web.md).
*/
#ifndef KOMINKAN_HTTP_WEB_ADMIN_H
#define KOMINKAN_HTTP_WEB_ADMIN_H

#include "http.h"

struct reply web_admin(struct req *r);
struct reply web_admin_groups(struct req *r);
struct reply web_admin_group_approve(struct req *r);
struct reply web_admin_group_reject(struct req *r);
struct reply web_admin_discounts(struct req *r);
struct reply web_admin_discount_decide(struct req *r);

#endif
