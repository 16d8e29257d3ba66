/*
** http/web_groups.h: a citizen's groups, group registration and the
** exemption (減免) application (docs/web.md).
*/
#ifndef KOMINKAN_HTTP_WEB_GROUPS_H
#define KOMINKAN_HTTP_WEB_GROUPS_H

#include <jansson.h>

#include "html.h"
#include "http.h"

struct reply web_my_groups(struct req *r);
struct reply web_group_new(struct req *r);
struct reply web_discount_apply(struct req *r);

/* Invitations to co-represent a group: the section of マイページ (and of
** /my/groups) listing the signed-in person's open invitations, each with an
** accept and a decline form (nothing when there are none), and the two posts. */
void web_invitations_section(struct req *r, struct html *h);
struct reply web_invitation_accept(struct req *r);
struct reply web_invitation_decline(struct req *r);

/* The forms again for /forms/group and /forms/discount (see web_booking_form),
** and their receipts (RES->id: the group; the application). */
struct form_result;
struct reply web_group_form(struct req *r, unsigned status, const json_t *values,
                               const char *message, const json_t *errors, const char *receipt);
struct reply web_group_receipt(struct req *r, const char *receipt,
                               const struct form_result *res);
struct reply web_discount_form(struct req *r, unsigned status, const json_t *values,
                                  const char *message, const json_t *errors, const char *receipt);
struct reply web_discount_receipt(struct req *r, const char *receipt,
                                  const struct form_result *res);

#endif
