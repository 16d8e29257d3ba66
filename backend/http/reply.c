/*
** http/reply.c: building and queueing responses (see reply.h).
**
** The access handler only ever queues from the second call on (server.c), so
** every reply here keeps the connection alive unless the body was refused.
*/
#include "reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "pages.h"

/* No inline script or style anywhere: the pages load /static/ CSS and JS files. */
#define CSP                                                                              \
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "      \
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

void reply_headers(struct MHD_Response *resp, const char *ctype, int personal) {
  MHD_add_response_header(resp, "Content-Type", ctype);
  MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
  MHD_add_response_header(resp, "X-Frame-Options", "DENY");
  if (!strncmp(ctype, "text/html", 9)) MHD_add_response_header(resp, "Content-Security-Policy", CSP);
  if (personal) MHD_add_response_header(resp, "Cache-Control", "no-store");
}

static int personal(struct req *r) { return !r->route || (r->route->flags & RF_PERSONAL); }

enum MHD_Result reply_response(struct req *r, unsigned status, struct MHD_Response *resp) {
  if (r->queued) return MHD_YES; /* one reply per request; a second is a bug upstream */
  r->queued = 1;
  r->status = status;
  return MHD_queue_response(r->conn, status, resp);
}

enum MHD_Result reply_owned(struct req *r, unsigned status, const char *ctype, char *buf,
                            size_t len) {
  struct MHD_Response *resp = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
  if (!resp) {
    free(buf);
    return MHD_NO;
  }
  reply_headers(resp, ctype, personal(r));
  enum MHD_Result ret = reply_response(r, status, resp);
  MHD_destroy_response(resp);
  return ret;
}

enum MHD_Result reply_bytes(struct req *r, unsigned status, const char *ctype, const char *buf,
                            size_t len) {
  struct MHD_Response *resp =
      MHD_create_response_from_buffer(len, (void *)buf, MHD_RESPMEM_MUST_COPY);
  if (!resp) return MHD_NO;
  reply_headers(resp, ctype, personal(r));
  enum MHD_Result ret = reply_response(r, status, resp);
  MHD_destroy_response(resp);
  return ret;
}

enum MHD_Result reply_json(struct req *r, unsigned status, json_t *body) {
  char *s = body ? json_dumps(body, JSON_COMPACT) : NULL;
  json_decref(body);
  if (!s) return reply_error(r, KERR_INTERNAL, NULL);
  return reply_owned(r, status, "application/json; charset=utf-8", s, strlen(s));
}

/* Browsers get the error as a whole page in the site's frame (pages.c). */
static enum MHD_Result error_page(struct req *r, unsigned status, const char *msg) {
  return page_error(r, status, msg);
}

static enum MHD_Result error_reply(struct req *r, int code, const struct kerrinfo *ei,
                                   const char *allow) {
  unsigned status = (unsigned)kerr_http_status(code);
  const char *msg = ei && ei->message[0] ? ei->message : kerr_message(code);
  if (strncmp(r->url, "/api/", 5) != 0 && req_wants_html(r)) return error_page(r, status, msg);

  json_t *err = json_pack("{s:s, s:s}", "code", kerr_code(code), "message", msg);
  if (ei && ei->fields) json_object_set(err, "fields", ei->fields);
  json_t *body = json_pack("{s:o}", "error", err);
  char *s = body ? json_dumps(body, JSON_COMPACT) : NULL;
  json_decref(body);
  if (!s && code != KERR_INTERNAL) {
    /* A message jansson cannot encode (text that is not UTF-8 reached it):
    ** never drop the reply, answer with the table's 500 instead. */
    fprintf(stderr, "reply: the %s error could not be encoded; answering 500\n", kerr_code(code));
    return error_reply(r, KERR_INTERNAL, NULL, NULL);
  }
  if (!s) return MHD_NO; /* out of memory */
  struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
  if (!resp) {
    free(s);
    return MHD_NO;
  }
  reply_headers(resp, "application/json; charset=utf-8", 1);
  if (ei && ei->retry_after > 0) {
    char ra[16];
    snprintf(ra, sizeof ra, "%d", ei->retry_after);
    MHD_add_response_header(resp, "Retry-After", ra);
  }
  if (code == KERR_UNAUTHORIZED || code == KERR_SESSION_EXPIRED || code == KERR_BAD_CREDENTIALS)
    MHD_add_response_header(resp, "WWW-Authenticate", "Bearer");
  if (allow) MHD_add_response_header(resp, "Allow", allow);
  enum MHD_Result ret = reply_response(r, status, resp);
  MHD_destroy_response(resp);
  return ret;
}

enum MHD_Result reply_error(struct req *r, int code, const struct kerrinfo *ei) {
  return error_reply(r, code, ei, NULL);
}

enum MHD_Result reply_method_not_allowed(struct req *r, const char *allow) {
  return error_reply(r, KERR_METHOD, NULL, allow);
}

enum MHD_Result reply_redirect(struct req *r, const char *location) {
  struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
  if (!resp) return MHD_NO;
  reply_headers(resp, "text/plain; charset=utf-8", 1);
  MHD_add_response_header(resp, "Location", location);
  enum MHD_Result ret = reply_response(r, 303, resp);
  MHD_destroy_response(resp);
  return ret;
}
