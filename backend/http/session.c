/*
** http/session.c: sessions from bearer tokens and cookies, CSRF, the session
** cookie (see session.h).
**
** The cookie is HttpOnly (no script can read the token), SameSite=Lax (no
** other site's form post carries it), Path=/ and, behind TLS
** (--secure-cookies), Secure. It has no Max-Age: it dies with the browser,
** which on a shared PC in a library or a centre's lobby is what people
** expect, and the server ends it anyway after the idle or absolute lifetime
** (core/accounts.c). A request authenticated by the cookie that changes
** anything must also send the CSRF token: SameSite=Lax alone leaves top-level
** navigations and older browsers. A bearer token is never sent by a browser
** on its own, so bearer requests need none.
*/
#include "session.h"

#include <arpa/inet.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/accounts.h"
#include "reply.h"

const char *session_token(struct req *r, int *bearer) {
  const char *auth = req_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
  *bearer = 0;
  if (auth && !strncasecmp(auth, "Bearer ", 7)) {
    auth += 7;
    while (*auth == ' ') auth++;
    *bearer = 1;
    return auth;
  }
  const char *c = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, SESSION_COOKIE);
  return c && *c ? c : NULL;
}

int session_resolve(struct req *r) {
  session_client_addr(r, r->ctx.address, sizeof r->ctx.address);
  memset(&r->ctx.actor, 0, sizeof r->ctx.actor);
  r->ctx.actor.role = ROLE_ANON;
  r->bearer = 0;
  r->csrf[0] = 0;
  int bearer = 0;
  const char *token = session_token(r, &bearer);
  if (!token) return 0;
  if (!r->ctx.db) return KERR_STORAGE;
  struct session_info si;
  int rc = accounts_session_lookup(&r->ctx, token, &si);
  if (rc) return rc;
  r->ctx.actor = si.actor;
  r->bearer = bearer;
  memcpy(r->csrf, si.csrf, sizeof r->csrf);
  sodium_memzero(&si, sizeof si);
  return 0;
}

int session_csrf_ok(struct req *r) {
  if (!r->csrf[0]) return 0;
  const char *sent = req_header(r, "X-CSRF-Token");
  if (!sent) sent = req_str(r, "csrf_token");   /* a plain HTML form's hidden field */
  if (!sent) return 0;
  size_t n = strlen(r->csrf);
  return strlen(sent) == n && sodium_memcmp(sent, r->csrf, n) == 0;
}

/* ADDR in text, IPv6 cut to its /64 when CUT; "" if not an address. */
static void addr_text(int family, const void *bin, int cut, char *out, size_t outlen) {
  out[0] = 0;
  if (family == AF_INET6 && cut) {
    struct in6_addr a;
    memcpy(&a, bin, sizeof a);
    memset(a.s6_addr + 8, 0, 8);
    inet_ntop(AF_INET6, &a, out, (socklen_t)outlen);
  } else if (family == AF_INET || family == AF_INET6) {
    inet_ntop(family, bin, out, (socklen_t)outlen);
  }
}

/* TEXT (an IPv4 or IPv6 address) as addr_text gives it; -1 if not an address. */
static int parse_addr(const char *text, int cut, char *out, size_t outlen) {
  unsigned char bin[sizeof(struct in6_addr)];
  if (inet_pton(AF_INET, text, bin) == 1) addr_text(AF_INET, bin, cut, out, outlen);
  else if (inet_pton(AF_INET6, text, bin) == 1) addr_text(AF_INET6, bin, cut, out, outlen);
  else return -1;
  return 0;
}

/* The last address of X-Forwarded-For (the one the trusted proxy added: the
** ones before it are whatever the client claimed), cut like any; 0 if found. */
static int forwarded_for(struct req *r, char *out, size_t outlen) {
  const char *xff = req_header(r, "X-Forwarded-For");
  if (!xff) return -1;
  const char *last = strrchr(xff, ',');
  last = last ? last + 1 : xff;
  while (*last == ' ' || *last == '\t') last++;
  char text[64];
  size_t n = strcspn(last, " \t");
  if (n == 0 || n >= sizeof text) return -1;
  memcpy(text, last, n);
  text[n] = 0;
  return parse_addr(text, 1, out, outlen);
}

int session_proxy_parse(const char *addr, char *out, size_t outlen) {
  return parse_addr(addr, 0, out, outlen);
}

void session_client_addr(struct req *r, char *out, size_t outlen) {
  out[0] = 0;
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (!ci || !ci->client_addr) return;
  const struct sockaddr *sa = ci->client_addr;
  const void *bin = sa->sa_family == AF_INET6
                        ? (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr
                        : (const void *)&((const struct sockaddr_in *)sa)->sin_addr;
  if (app.trusted_proxy[0]) {
    char peer[64];
    addr_text(sa->sa_family, bin, 0, peer, sizeof peer);
    if (!strcmp(peer, app.trusted_proxy) && forwarded_for(r, out, outlen) == 0) return;
  }
  addr_text(sa->sa_family, bin, 1, out, outlen);
}

void session_set_cookie(struct MHD_Response *resp, const char *token) {
  char cookie[256];
  snprintf(cookie, sizeof cookie, "%s=%s; Path=/;%s HttpOnly; SameSite=Lax%s", SESSION_COOKIE,
           token ? token : "", token ? "" : " Max-Age=0;", app.secure_cookies ? "; Secure" : "");
  MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, cookie);
}

struct reply session_reply(struct req *r, unsigned status, json_t *body, const char *token) {
  struct reply rep = reply_json(r, status, body);
  if (rep.resp && rep.status == status) session_set_cookie(rep.resp, token);
  return rep;
}
