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

struct reply reply_fail(void) { return (struct reply){.status = 500}; }

struct reply reply_take(unsigned status, struct MHD_Response *resp) {
  return (struct reply){.status = status, .resp = resp};
}

struct reply reply_shared(struct req *r, unsigned status, struct MHD_Response *resp) {
  struct reply rep = {.status = status, .sent = 1, .ret = MHD_YES};
  if (r->queued) return rep; /* one reply per request; a second is a bug upstream */
  r->queued = 1;
  r->status = status;
  rep.ret = MHD_queue_response(r->conn, status, resp);
  return rep;
}

enum MHD_Result reply_send(struct req *r, struct reply rep) {
  rep = reply_encoded(rep);
  if (rep.sent) return rep.ret;
  if (!rep.resp) return MHD_NO;
  enum MHD_Result ret = MHD_YES;
  if (!r->queued) { /* one reply per request; a second is a bug upstream */
    r->queued = 1;
    r->status = rep.status;
    ret = MHD_queue_response(r->conn, rep.status, rep.resp);
  }
  MHD_destroy_response(rep.resp);
  return ret;
}

void reply_header(struct reply *rep, const char *name, const char *value) {
  *rep = reply_encoded(*rep);   /* a header needs the response: a deferred one is encoded now */
  if (rep->resp) MHD_add_response_header(rep->resp, name, value);
}

struct reply reply_encoded(struct reply rep) {
  if (rep.build) {
    json_t *body = rep.build(rep.state);
    free(rep.state);
    rep.req->encode_later = 0;
    return body ? reply_json(rep.req, rep.status, body) : reply_error(rep.req, KERR_INTERNAL, NULL);
  }
  if (!rep.json) return rep;
  rep.req->encode_later = 0;
  return reply_json(rep.req, rep.status, rep.json);
}

void reply_discard(struct reply *rep) {
  if (rep->resp && !rep->sent) MHD_destroy_response(rep->resp);
  json_decref(rep->json);
  free(rep->state);
  memset(rep, 0, sizeof *rep);
}

void reply_attachment(struct reply *rep, const char *name) {
  char disp[256];
  snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", name);
  reply_header(rep, "Content-Disposition", disp);
}

struct reply reply_owned(struct req *r, unsigned status, const char *ctype, char *buf,
                         size_t len) {
  if (!buf) return reply_error(r, KERR_INTERNAL, NULL);
  struct MHD_Response *resp = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
  if (!resp) {
    free(buf);
    return reply_fail();
  }
  reply_headers(resp, ctype, personal(r));
  struct reply rep = reply_take(status, resp);
  rep.len = len;
  return rep;
}

struct reply reply_bytes(struct req *r, unsigned status, const char *ctype, const char *buf,
                         size_t len) {
  struct MHD_Response *resp =
      MHD_create_response_from_buffer(len, (void *)buf, MHD_RESPMEM_MUST_COPY);
  if (!resp) return reply_fail();
  reply_headers(resp, ctype, personal(r));
  struct reply rep = reply_take(status, resp);
  rep.len = len;
  return rep;
}

/* The encoded text, gathered straight into the buffer the response will own:
** json_dumps() grows its own from 16 bytes (a realloc per doubling) and then
** copies the result once more. */
struct text {
  char *p;
  size_t len, cap;
};

static int text_add(const char *s, size_t n, void *arg) {
  struct text *t = arg;
  if (t->len + n > t->cap) {
    size_t cap = t->cap ? t->cap : 1024;
    while (cap < t->len + n) cap *= 2;
    char *p = realloc(t->p, cap);
    if (!p) return -1;
    t->p = p;
    t->cap = cap;
  }
  memcpy(t->p + t->len, s, n);
  t->len += n;
  return 0;
}

struct reply reply_json(struct req *r, unsigned status, json_t *body) {
  /* The writer runs every booking of a batch one after another: encoding the
  ** reply there (json_dumps, the response and its headers: ~8% of its CPU in
  ** the burst) is left to the worker thread that sends it (reply_encoded). */
  if (r->encode_later && body) return (struct reply){.status = status, .json = body, .req = r};
  struct text t = {0};
  int bad = !body || json_dump_callback(body, text_add, &t, JSON_COMPACT) != 0 || !t.len;
  json_decref(body);
  if (bad) {
    free(t.p);
    return reply_error(r, KERR_INTERNAL, NULL);
  }
  return reply_owned(r, status, "application/json; charset=utf-8", t.p, t.len);
}

struct reply reply_json_later(struct req *r, unsigned status, json_t *(*build)(const void *state),
                              void *state) {
  if (!state) return reply_error(r, KERR_INTERNAL, NULL);
  if (r->encode_later) return (struct reply){.status = status, .build = build, .state = state, .req = r};
  json_t *body = build(state);
  free(state);
  return body ? reply_json(r, status, body) : reply_error(r, KERR_INTERNAL, NULL);
}

struct reply reply_core(struct req *r, int rc, unsigned status, json_t *out,
                        struct kerrinfo *ei) {
  struct reply rep;
  if (rc) {
    json_decref(out);
    rep = reply_error(r, rc, ei);
  } else {
    rep = reply_json(r, status, out);
  }
  kerr_clear(ei);
  return rep;
}

void reply_retry_after(struct reply *rep, const struct kerrinfo *ei) {
  if (ei && ei->retry_after > 0) {
    char ra[16];
    snprintf(ra, sizeof ra, "%d", ei->retry_after);
    reply_header(rep, "Retry-After", ra);
  }
}

static struct reply error_reply(struct req *r, int code, const struct kerrinfo *ei,
                                const char *allow) {
  unsigned status = (unsigned)kerr_http_status(code);
  const char *msg = ei && ei->message[0] ? ei->message : kerr_message(code);
  /* Browsers get the error as a whole page in the site's frame (pages.c). */
  if (strncmp(r->url, "/api/", 5) != 0 && req_wants_html(r)) {
    struct reply rep = page_error(r, status, msg);
    reply_retry_after(&rep, ei);
    return rep;
  }

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
  if (!s) return reply_fail(); /* out of memory */
  struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
  if (!resp) {
    free(s);
    return reply_fail();
  }
  reply_headers(resp, "application/json; charset=utf-8", 1);
  struct reply rep = reply_take(status, resp);
  reply_retry_after(&rep, ei);
  if (code == KERR_UNAUTHORIZED || code == KERR_SESSION_EXPIRED || code == KERR_BAD_CREDENTIALS)
    reply_header(&rep, "WWW-Authenticate", "Bearer");
  if (allow) reply_header(&rep, "Allow", allow);
  return rep;
}

struct reply reply_error(struct req *r, int code, const struct kerrinfo *ei) {
  return error_reply(r, code, ei, NULL);
}

struct reply reply_method_not_allowed(struct req *r, const char *allow) {
  return error_reply(r, KERR_METHOD, NULL, allow);
}

struct reply reply_redirect(struct req *r, const char *location) {
  (void)r;
  struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
  if (!resp) return reply_fail();
  reply_headers(resp, "text/plain; charset=utf-8", 1);
  MHD_add_response_header(resp, "Location", location);
  return reply_take(303, resp);
}
