/*
** http/reply.h: what a handler returns, and the one place that sends it.
**
** A handler builds its answer with one of the reply_* functions below and
** returns it; the router (router.c) sends it with reply_send(), the only
** place that queues a response. Every response carries the security headers.
** A struct reply owns one reference to its response until it is sent: never
** drop one (the functions are marked warn_unused_result).
**
**   struct reply api_thing_get(struct req *r) {
**     struct kerrinfo ei = {0};
**     json_t *out = NULL;
**     int rc = thing_get(&r->ctx, req_path_id(r, 0), &out, &ei);
**     return reply_core(r, rc, 200, out, &ei);   // 200 OUT, or the error in EI
**   }
*/
#ifndef KOMINKAN_HTTP_REPLY_H
#define KOMINKAN_HTTP_REPLY_H

#include "http.h"

#define REPLY_MUST_USE __attribute__((warn_unused_result))

/* Add the headers every response carries, plus those for CTYPE. */
void reply_headers(struct MHD_Response *resp, const char *ctype, int personal);

/* JSON reply; steals BODY. */
struct reply reply_json(struct req *r, unsigned status, json_t *body) REPLY_MUST_USE;
/* JSON reply whose body is BUILD(STATE), STATE malloc'd and taken (freed
** after BUILD, or with the reply). On the writer the body is built by the
** worker thread that sends it (reply_encoded), from a typed copy: building a
** JSON tree is ~50 allocations that the writer would make and the sender
** free, each such free taking the writer's malloc arena lock. Elsewhere it
** is built at once. NULL STATE is a 500. */
struct reply reply_json_later(struct req *r, unsigned status, json_t *(*build)(const void *state),
                              void *state) REPLY_MUST_USE;
/* Error reply for CODE, with EI's message/fields/retry-after when given: JSON
** {"error":{code,message,fields}} for API clients, the error page for a
** browser outside /api/. */
struct reply reply_error(struct req *r, int code, const struct kerrinfo *ei) REPLY_MUST_USE;
/* The reply for a core call's result: the error RC with EI when RC is not 0,
** else STATUS with OUT (stolen). EI is cleared either way. */
struct reply reply_core(struct req *r, int rc, unsigned status, json_t *out,
                        struct kerrinfo *ei) REPLY_MUST_USE;
/* 405 with an Allow header listing ALLOW. */
struct reply reply_method_not_allowed(struct req *r, const char *allow) REPLY_MUST_USE;
/* Bytes copied into the response. */
struct reply reply_bytes(struct req *r, unsigned status, const char *ctype, const char *buf,
                         size_t len) REPLY_MUST_USE;
/* Bytes whose ownership passes to the response (freed with free(); NULL BUF
** is a 500). */
struct reply reply_owned(struct req *r, unsigned status, const char *ctype, char *buf,
                         size_t len) REPLY_MUST_USE;
/* A response the handler made itself (a file, a stream): the reply takes the
** caller's reference. NULL RESP (out of memory) closes the connection. */
struct reply reply_take(unsigned status, struct MHD_Response *resp) REPLY_MUST_USE;
/* A response shared with a cache, queued at once under the cache's lock
** (queueing takes its own reference); the router sends nothing more. */
struct reply reply_shared(struct req *r, unsigned status, struct MHD_Response *resp) REPLY_MUST_USE;
/* 303 See Other to LOCATION (after a form post). */
struct reply reply_redirect(struct req *r, const char *location) REPLY_MUST_USE;
/* Out of memory before any response: the connection is closed. */
struct reply reply_fail(void) REPLY_MUST_USE;

/* Add header NAME: VALUE to REP's response (nothing when there is none). */
void reply_header(struct reply *rep, const char *name, const char *value);
/* Retry-After on REP when EI says when to come back (a 429 or a 503 with
** EI->retry_after > 0); nothing otherwise. */
void reply_retry_after(struct reply *rep, const struct kerrinfo *ei);
/* "attachment; filename=\"NAME\"" as the Content-Disposition of REP. */
void reply_attachment(struct reply *rep, const char *name);

/* REP with its response: a reply_json or reply_json_later made on the writer
** is built and encoded now. */
struct reply reply_encoded(struct reply rep) REPLY_MUST_USE;
/* Free what REP holds that was never sent. */
void reply_discard(struct reply *rep);

/* Queue REP as the request's one reply (the router; server.c for 413). */
enum MHD_Result reply_send(struct req *r, struct reply rep);

#endif
