/*
** http/web_closures.h: the staff pages to close a centre or a room for a
** range of dates (issue 14; docs/operations.md "Closing a centre or a room"),
** no JavaScript needed, and the notices on a holder's マイページ.
*/
#ifndef KOMINKAN_HTTP_WEB_CLOSURES_H
#define KOMINKAN_HTTP_WEB_CLOSURES_H

#include "html.h"
#include "http.h"

struct reply web_closures(struct req *r);
struct reply web_closures_create(struct req *r);
struct reply web_closure(struct req *r);
struct reply web_closure_lift(struct req *r);

/* The section 「休館のお知らせ」 on マイページ: the signed-in citizen's
** bookings a closure cancelled or flagged (nothing when none). */
void web_closure_notices(struct req *r, struct html *h);

#endif
