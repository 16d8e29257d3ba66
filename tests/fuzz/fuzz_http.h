/*
** tests/fuzz/fuzz_http.h: drive the real request path without sockets.
**
** fake_mhd.c stands in for the few libmicrohttpd functions the server calls.
** Its MHD_start_daemon() remembers the access handler and the completion
** callback that http/server.c registers, so the harness runs the production
** code unchanged: server.c's on_request (body accumulation, the 413 limit,
** the context), router.c's gate and every handler, reply.c, and on_completed
** (the access log and freeing the request). Each request is checked for the
** invariants every reply must keep (fuzz_http_perform aborts on a breach, so
** libFuzzer reports it as a crash).
*/
#ifndef KOMINKAN_FUZZ_HTTP_H
#define KOMINKAN_FUZZ_HTTP_H

#include <stddef.h>
#include <stdint.h>

#define FUZZ_MAX_HEADERS 64

struct fuzz_request {
  const char *method;
  const char *url;            /* raw request target: path and query, %-escaped */
  const char *version;        /* "HTTP/1.1" */
  int nheaders;
  const char *name[FUZZ_MAX_HEADERS], *value[FUZZ_MAX_HEADERS];
  const uint8_t *body;
  size_t body_len;
  size_t chunk;               /* deliver the body in pieces of this size (0: at once) */
  const char *client;         /* the client's IPv4 address (NULL: 127.0.0.1) */
  int as;                     /* 1..4: signed in (bearer) as the citizen, staff member,
                                 admin or analyst of fuzz_http_session(); 0: as sent */
};

struct fuzz_reply {
  int queued;                 /* a response was queued */
  unsigned status;
  int closed;                 /* the handler hung up (MHD_NO) */
};

/* Once per process: chdir to the repository root (found from ARGV0), load
** the rule book, open an in-memory database, start the (fake) server with
** the production options. Fixes the clock at 2026-04-08T10:00:00+09:00. */
void fuzz_http_init(const char *argv0);

/* The live session of the fuzzing account of role WHO (1 citizen, 2 staff of
** chuo, 3 admin, 4 analyst): the account is made and signed in on first use,
** and signed in again when a request ended its session. */
struct session_new;
const struct session_new *fuzz_http_session(int who);

/* Run one request through the server as libmicrohttpd would; check it. */
void fuzz_http_perform(const struct fuzz_request *rq, struct fuzz_reply *out);

/* Parse the text form used by the seed corpora:
**   METHOD SP TARGET [SP VERSION] LF, then "Name: value" LF lines, an empty
**   line, then the body (CR before LF is dropped). A header
**   "X-Fuzz-Chunk: N" delivers the body N bytes at a time; "X-Fuzz-Client:
**   A.B.C.D" makes the request come from that address; "X-Fuzz-As: staff"
**   (citizen, admin, analyst) signs it in as that role with a bearer token.
** The strings point into BUF (a NUL-terminated copy the caller owns).
** 0, or -1 when libmicrohttpd would have refused the request itself. */
int fuzz_http_parse(char *buf, size_t len, struct fuzz_request *rq);

#endif
