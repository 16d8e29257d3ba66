/*
** http/session.h: who is asking. Sessions come from a bearer token or the
** session cookie; cookie-authenticated unsafe requests must carry the CSRF
** token (header X-CSRF-Token or form field csrf_token).
*/
#ifndef KOMINKAN_HTTP_SESSION_H
#define KOMINKAN_HTTP_SESSION_H

#include "http.h"

/* Fill r->ctx.actor from the request's credentials (ROLE_ANON when none),
** and r->bearer, r->csrf. Returns 0, or KERR_SESSION_EXPIRED /
** KERR_UNAUTHORIZED when credentials were sent but are not valid (any more). */
int session_resolve(struct req *r);

/* 1 if the request carries the CSRF token of its session. */
int session_csrf_ok(struct req *r);

#endif
