/*
** http/http.h: the request as every handler sees it, and the handler shape.
**
** The gate (router.c) has already matched the route, checked method, body
** size, content type, UTF-8, session, role and CSRF before a handler runs; a
** handler never repeats those checks. It parses its own parameters, calls one
** core function and turns the result into exactly one reply (reply.h).
*/
#ifndef KOMINKAN_HTTP_HTTP_H
#define KOMINKAN_HTTP_HTTP_H

#include <jansson.h>
#include <microhttpd.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/ctx.h"

#define REQ_MAX_PARAMS 4

/* What a handler returns: a status and a prepared response, which the router
** queues as the request's one reply (reply.h builds them). */
struct reply {
  unsigned status;
  struct MHD_Response *resp;  /* one reference, owned until sent; NULL: close the connection */
  int sent;                   /* already queued (reply_shared): RET is what queueing said */
  enum MHD_Result ret;
  json_t *json;               /* reply_json on the writer: the body, encoded by the worker
                              ** thread that sends it (reply_encoded); RESP is NULL till then */
  json_t *(*build)(const void *state); /* reply_json_later on the writer: the body is */
  void *state;                /* BUILD(STATE), made by the sender; STATE malloc'd, owned */
  struct req *req;            /* with JSON: the request it answers */
  size_t len;                 /* the body's size when known (reply_owned, reply_bytes), or 0 */
};

struct req {
  struct MHD_Connection *conn;
  struct loop *loop;              /* the worker loop serving CONN (server.c); NULL with --event-loop poll */
  const char *method;             /* borrowed from libmicrohttpd */
  const char *url;                /* path without the query, unescaped */
  char *body;                     /* the request body, NUL-terminated; owned */
  size_t body_len, body_cap;
  int too_large;                  /* the body passed the limit: 413 was queued */
  json_t *json;                   /* JSON or form body as an object; owned */
  int nparams;
  char params[REQ_MAX_PARAMS][64];/* path parameters ({id}), in order */
  const struct route *route;
  struct kctx ctx;                /* db, rule book, now, actor, channel */
  int bearer;                     /* authenticated by Authorization: Bearer */
  char csrf[64];                  /* the session's CSRF token, when signed in */
  char client[64];                /* the client's address (session_client_addr); ctx.client */
  int64_t started_us;
  unsigned status;                /* what was queued, for the access log */
  int queued;
  int deferred;                   /* 1 suspended on a pool (suspend.h), 2 its reply is ready */
  struct reply later;             /* the reply the pool computed */
  struct signin_check signin;     /* r->ctx.signin: a sign-in's check, hash pool to writer */
  int encode_later;               /* on the writer: reply_json leaves the encoding to the sender */
  int undecided;                  /* the first pass (RF_PRECHECK) left it to the writer */
  char cache_key[384];            /* filling the page cache under this key (pagecache.h) */
  uint64_t cache_gen;             /* avail_generation() before rendering */
  int64_t cache_until;            /* what is rendered is valid until then */
};

/* A handler: parses its parameters, calls one core function, returns the reply. */
typedef struct reply (*handler_fn)(struct req *r);

enum {
  RF_JSON = 1 << 0,        /* body must be a JSON object */
  RF_JSON_OPT = 1 << 1,    /* body may be empty; if present it must be a JSON object */
  RF_FORM = 1 << 2,        /* body is application/x-www-form-urlencoded (also accepts JSON) */
  RF_NO_CSRF = 1 << 3,     /* unsafe method exempt from CSRF (sign-in, public forms) */
  RF_PERSONAL = 1 << 4,    /* response holds personal data: Cache-Control no-store */
  RF_PREFIX = 1 << 5,      /* pattern is a prefix ending in '/': the rest is one param */
  RF_HASHES = 1 << 6,      /* hashes a password: runs on the hash pool (suspend.h) */
  RF_RUSH = 1 << 7,        /* a short write on the rush path: group commit (suspend.h) */
  RF_CACHE = 1 << 8,       /* anonymous page shared from the cache (pagecache.h) */
  RF_TOTP_SETUP = 1 << 9,  /* open to staff who must still set up their second factor */
  RF_PRECHECK = 1 << 10,   /* RF_RUSH, first run on the worker thread with ctx.precheck:
                           ** only what a read cannot decide goes to the writer (suspend.h);
                           ** RF_HASHES: first run on the hash pool, its write on the writer */
  RF_CACHE_DAY = 1 << 11   /* RF_CACHE for a day: figures of days gone by, not stale at a
                           ** booking write or a minute, only at midnight (pagecache.h) */
};

struct route {
  const char *method;      /* "GET", "POST", ... */
  const char *pattern;     /* "/api/v1/bookings/{id}/confirm" */
  handler_fn fn;
  int roles;               /* ROLE_* bits allowed */
  int flags;               /* RF_* */
};

/* A query parameter (decoded), or NULL. */
const char *req_query(struct req *r, const char *name);
/* A request header, or NULL. */
const char *req_header(struct req *r, const char *name);
/* Path parameter I ({id}) as a positive id; 0 when it is not one (such a
** thing does not exist: the handler answers 404). */
int64_t req_path_id(struct req *r, int i);
/* Path parameter I as a system ID (groups, accounts: 9 digits with their
** check digit); 0 when it is not a well-formed one (404 like an unknown one). */
int64_t req_path_sysid(struct req *r, int i);
/* A string member of the body object, or NULL. */
const char *req_str(struct req *r, const char *name);
/* 1 if the client prefers HTML (a browser), from Accept. */
int req_wants_html(struct req *r);
/* Resume R's suspended connection from another thread (a pool's), and wake
** the thread that serves it. R may be answered and freed at once: the caller
** must not touch it afterwards. */
void req_resume(struct req *r);

/* The application state shared by every request (set once at start). */
struct app {
  struct rulebook *rb;
  char web_dir[512];
  size_t max_body;
  int secure_cookies;
  int access_log;
  char trusted_proxy[64];   /* serve --trusted-proxy: X-Forwarded-For is believed from here */
};
extern struct app app;

#endif
