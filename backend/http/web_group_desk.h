/*
** http/web_group_desk.h: staff looking up registered groups (団体の検索) on
** /admin/groups, and one group's page /admin/groups/{id} (docs/web.md).
*/
#ifndef KOMINKAN_HTTP_WEB_GROUP_DESK_H
#define KOMINKAN_HTTP_WEB_GROUP_DESK_H

#include <jansson.h>

#include "../core/groups.h"
#include "html.h"
#include "http.h"

/* The look-up on /admin/groups: run before the page begins (a refused one
** makes the page's title 入力エラー and its status 422), shown after the
** heading, freed after the page. */
struct group_search {
  int asked;                      /* the query has q or status: a look-up was asked */
  int refused;                    /* a filter was refused: ei.fields */
  struct kerrinfo ei;
  struct group_review_view *v;
  int n, page;
  json_t *values;                 /* what was asked, for the form */
};

/* Run the look-up R's query asks for into S. 0, or a KERR code the page
** cannot show (then S holds nothing to free but is safe to free). */
int web_group_search_run(struct req *r, struct group_search *s);
void web_group_search_show(struct req *r, struct html *h, const struct group_search *s);
void web_group_search_free(struct group_search *s);

struct reply web_group_desk_detail(struct req *r);

#endif
