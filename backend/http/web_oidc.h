/*
** http/web_oidc.h: sign-in with the My Number card (OpenID Connect) as pages
** that work without JavaScript (issue 17; docs/identity.md).
*/
#ifndef KOMINKAN_HTTP_WEB_OIDC_H
#define KOMINKAN_HTTP_WEB_OIDC_H

#include "html.h"
#include "http.h"

struct reply web_oidc_start(struct req *r);
struct reply web_oidc_callback(struct req *r);
struct reply web_oidc_link(struct req *r);
struct reply web_oidc_unlink(struct req *r);

/* The sign-in page's "マイナンバーカードでログイン" button (NEXT kept), only
** when OpenID Connect is configured. */
void web_oidc_signin_button(struct html *h, const char *next);

/* For counter pages: "本人確認済み（マイナンバーカード、DATE）" as a <dt>/<dd>
** pair (in a <div> when DIV) for the account SYSTEM_ID, or nothing when its
** identity was never verified with the card. */
void web_oidc_counter_fact(struct req *r, struct html *h, const char *system_id, int div);

/* マイページ's section: verified identity and residency with the date, and
** the forms to link or unlink the card. */
void web_oidc_my_section(struct req *r, struct html *h);

#endif
