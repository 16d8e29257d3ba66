/*
** http/api_groups.h: groups (団体登録).
*/
#ifndef KOMINKAN_HTTP_API_GROUPS_H
#define KOMINKAN_HTTP_API_GROUPS_H

#include "http.h"

struct reply api_group_create(struct req *r);
struct reply api_group_get(struct req *r);
struct reply api_groups_list(struct req *r);
struct reply api_group_approve(struct req *r);
struct reply api_group_reject(struct req *r);
struct reply api_group_renew(struct req *r);
struct reply api_group_rep_add(struct req *r);
struct reply api_group_rep_remove(struct req *r);
struct reply api_invitations_list(struct req *r);
struct reply api_invitation_accept(struct req *r);
struct reply api_invitation_decline(struct req *r);
struct reply api_groups_public(struct req *r);
struct reply api_groups_public_csv(struct req *r);

#endif
