/*
** http/reply.h: the one family of reply functions. Each queues exactly one
** response on the request's connection and returns what libmicrohttpd wants
** back from the access handler. Every response carries the security headers.
*/
#ifndef KOMINKAN_HTTP_REPLY_H
#define KOMINKAN_HTTP_REPLY_H

#include "http.h"

/* Add the headers every response carries, plus those for CTYPE. */
void reply_headers(struct MHD_Response *resp, const char *ctype, int personal);

/* JSON reply; steals BODY. */
enum MHD_Result reply_json(struct req *r, unsigned status, json_t *body);
/* Error reply for CODE, with EI's message/fields/retry-after when given. */
enum MHD_Result reply_error(struct req *r, int code, const struct kerrinfo *ei);
/* 405 with an Allow header listing ALLOW. */
enum MHD_Result reply_method_not_allowed(struct req *r, const char *allow);
/* Bytes copied into the response. */
enum MHD_Result reply_bytes(struct req *r, unsigned status, const char *ctype, const char *buf,
                            size_t len);
/* Bytes whose ownership passes to the response (freed with free()). */
enum MHD_Result reply_owned(struct req *r, unsigned status, const char *ctype, char *buf,
                            size_t len);
/* A prepared response (shared, reference-counted by libmicrohttpd). */
enum MHD_Result reply_response(struct req *r, unsigned status, struct MHD_Response *resp);
/* 303 See Other to LOCATION (after a form post). */
enum MHD_Result reply_redirect(struct req *r, const char *location);

#endif
