/*
** http/session.h: who is asking. Sessions come from a bearer token or the
** session cookie; cookie-authenticated unsafe requests must carry the CSRF
** token (header X-CSRF-Token or form field csrf_token).
*/
#ifndef KOMINKAN_HTTP_SESSION_H
#define KOMINKAN_HTTP_SESSION_H

#include "http.h"

#define SESSION_COOKIE "kominkan_session"

/* Fill r->ctx.actor from the request's credentials (ROLE_ANON when none),
** and r->bearer, r->csrf. Returns 0, or KERR_SESSION_EXPIRED /
** KERR_UNAUTHORIZED when credentials were sent but are not valid (any more). */
int session_resolve(struct req *r);

/* 1 if the request carries the CSRF token of its session. */
int session_csrf_ok(struct req *r);

/* The session token the request presents (bearer first, then the cookie),
** or NULL; *BEARER says which. Borrowed from libmicrohttpd. */
const char *session_token(struct req *r, int *bearer);

/* The client's address for throttling, into OUT ("" if unknown). IPv6
** addresses are cut to their /64, the block one subscriber usually holds.
** When the connection comes from app.trusted_proxy (serve --trusted-proxy),
** the address is the last one of its X-Forwarded-For header (if it has a
** well-formed one); from anyone else that header is ignored. */
void session_client_addr(struct req *r, char *out, size_t outlen);

/* ADDR (an IPv4 or IPv6 address) in the form session_client_addr compares
** against, into OUT; -1 if it is not an address. */
int session_proxy_parse(const char *addr, char *out, size_t outlen);

/* Add to RESP the Set-Cookie header of the session cookie for TOKEN, or,
** with TOKEN NULL, one that removes it (the web pages' sign-in and sign-out). */
void session_set_cookie(struct MHD_Response *resp, const char *token);

/* Reply BODY (stolen) with STATUS and Set-Cookie: the session cookie for
** TOKEN, or, with TOKEN NULL, a cookie that removes it. */
struct reply session_reply(struct req *r, unsigned status, json_t *body, const char *token);

#endif
