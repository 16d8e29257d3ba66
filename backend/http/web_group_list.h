/*
** http/web_group_list.h: the public page of learning groups (市内の学習グループ,
** /groups): the groups that chose the public listing, searched by a keyword
** and by centre, and how to get in touch with one (docs/web.md).
*/
#ifndef KOMINKAN_HTTP_WEB_GROUP_LIST_H
#define KOMINKAN_HTTP_WEB_GROUP_LIST_H

#include "http.h"

struct reply web_group_list(struct req *r);

#endif
