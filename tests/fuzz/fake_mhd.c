/*
** tests/fuzz/fake_mhd.c: a stand-in for libmicrohttpd in the fuzz builds,
** and the driver that runs one request through the real server code
** (see fuzz_http.h).
**
** Only what the files of backend/http call is here. Where libmicrohttpd would quietly refuse
** something our code did (a header with CR/LF, a second response for one
** request), this aborts instead, so the fuzzer reports it: those are bugs in
** our code whatever the client sent. Responses are reference-counted as in
** libmicrohttpd, because the feed cache keeps responses and queues them
** again and again; a response freed while queued, or never freed, shows up
** under ASan/LSan.
**
** When the production code starts calling another MHD_* function, the fuzz
** build fails to link: add it here. When server.c passes another daemon
** option, MHD_start_daemon() below aborts naming it: teach it its argument.
*/
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "../../backend/core/accounts.h"
#include "../../backend/core/clock.h"
#include "../../backend/core/facilities.h"
#include "../../backend/core/permits.h"
#include "../../backend/core/rules.h"
#include "../../backend/http/http.h"
#include "../../backend/http/server.h"
#include "../../backend/store/db.h"
#include "fuzz_http.h"

#define BUG(...)                                       \
  do {                                                 \
    fprintf(stderr, "fuzz invariant broken: " __VA_ARGS__); \
    fputc('\n', stderr);                               \
    abort();                                           \
  } while (0)

/* ------------------------------------------------------------- responses */

struct hdr {
  char *name, *value;
  struct hdr *next;
};

struct MHD_Response {
  int refs;
  char *data;
  size_t size;
  int free_data;
  int fd;
  struct hdr *headers;
  /* a streamed response (MHD_create_response_from_callback) */
  MHD_ContentReaderCallback reader;
  MHD_ContentReaderFreeCallback reader_free;
  void *reader_cls;
  size_t block;
};

static int live_responses;

static struct MHD_Response *response_new(void) {
  struct MHD_Response *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->refs = 1;
  r->fd = -1;
  live_responses++;
  return r;
}

struct MHD_Response *MHD_create_response_from_buffer(size_t size, void *buffer,
                                                     enum MHD_ResponseMemoryMode mode) {
  if (size && !buffer) return NULL;
  struct MHD_Response *r = response_new();
  if (!r) return NULL;
  r->size = size;
  if (mode == MHD_RESPMEM_MUST_COPY) {
    r->data = malloc(size ? size : 1);
    if (!r->data) {
      free(r);
      live_responses--;
      return NULL;
    }
    if (size) memcpy(r->data, buffer, size);
    r->free_data = 1;
  } else {
    r->data = buffer;
    r->free_data = mode == MHD_RESPMEM_MUST_FREE;
  }
  return r;
}

struct MHD_Response *MHD_create_response_from_fd(size_t size, int fd) {
  if (fd < 0) return NULL;
  struct MHD_Response *r = response_new();
  if (!r) return NULL;
  r->size = size;
  r->fd = fd; /* closed with the response, as libmicrohttpd does */
  return r;
}

/* A streamed body (the usage log, api_reports.c). It is read to its end when
** the response is destroyed, as a client would read it, and then its free
** callback runs, once, as in libmicrohttpd. */
struct MHD_Response *MHD_create_response_from_callback(uint64_t size, size_t block_size,
                                                       MHD_ContentReaderCallback crc,
                                                       void *crc_cls,
                                                       MHD_ContentReaderFreeCallback crfc) {
  if (!crc || !block_size) return NULL;
  struct MHD_Response *r = response_new();
  if (!r) return NULL;
  r->size = size == MHD_SIZE_UNKNOWN ? 0 : (size_t)size;
  r->reader = crc;
  r->reader_cls = crc_cls;
  r->reader_free = crfc;
  r->block = block_size;
  return r;
}

static void drain(struct MHD_Response *r) {
  char *buf = malloc(r->block);
  uint64_t pos = 0;
  for (int calls = 0; buf && calls < 1000000; calls++) {
    ssize_t n = r->reader(r->reader_cls, pos, buf, r->block);
    if (n == MHD_CONTENT_READER_END_OF_STREAM || n == MHD_CONTENT_READER_END_WITH_ERROR) break;
    if (n <= 0) BUG("a content reader returned %zd (a thread-pool daemon would spin)", n);
    if ((size_t)n > r->block) BUG("a content reader wrote %zd bytes into %zu", n, r->block);
    pos += (uint64_t)n;
  }
  free(buf);
}

static int has_any(const char *s, const char *chars) { return strpbrk(s, chars) != NULL; }

enum MHD_Result MHD_add_response_header(struct MHD_Response *response, const char *header,
                                        const char *content) {
  if (!response || !header || !content) BUG("MHD_add_response_header(NULL)");
  /* libmicrohttpd refuses these silently; for us they are header injection
  ** or a header lost without notice */
  if (!*header || has_any(header, " \t\r\n:")) BUG("bad response header name \"%s\"", header);
  if (has_any(content, "\r\n")) BUG("CR/LF in the value of response header %s", header);
  struct hdr *h = calloc(1, sizeof *h);
  if (!h) return MHD_NO;
  h->name = strdup(header);
  h->value = strdup(content);
  if (!h->name || !h->value) {
    free(h->name);
    free(h->value);
    free(h);
    return MHD_NO;
  }
  struct hdr **p = &response->headers;
  while (*p) p = &(*p)->next;
  *p = h;
  return MHD_YES;
}

static const char *response_header(struct MHD_Response *r, const char *name) {
  for (struct hdr *h = r->headers; h; h = h->next)
    if (!strcasecmp(h->name, name)) return h->value;
  return NULL;
}

void MHD_destroy_response(struct MHD_Response *response) {
  if (!response) return;
  if (response->refs <= 0) BUG("MHD_destroy_response on a freed response");
  if (--response->refs > 0) return;
  if (response->reader) {
    drain(response);
    if (response->reader_free) response->reader_free(response->reader_cls);
  }
  while (response->headers) {
    struct hdr *h = response->headers;
    response->headers = h->next;
    free(h->name);
    free(h->value);
    free(h);
  }
  if (response->free_data) free(response->data);
  if (response->fd >= 0) close(response->fd);
  live_responses--;
  free(response);
}

/* ----------------------------------------------------------- connections */

struct kv {
  enum MHD_ValueKind kind;
  char *key, *value;  /* value NULL: "?key" without '=' */
};

struct MHD_Connection {
  struct kv kv[FUZZ_MAX_HEADERS * 2 + 64];
  int nkv;
  struct sockaddr_in addr;      /* the client: 127.0.0.1, or X-Fuzz-Client */
  union MHD_ConnectionInfo info;
  struct MHD_Response *queued;
  unsigned status;
  int queue_calls;
  _Atomic int suspended;        /* MHD_suspend_connection .. MHD_resume_connection */
  _Atomic int suspends;         /* how many times it was suspended */
};

const char *MHD_lookup_connection_value(struct MHD_Connection *c, enum MHD_ValueKind kind,
                                        const char *key) {
  if (!c) return NULL;
  for (int i = 0; i < c->nkv; i++)
    if ((c->kv[i].kind & kind) &&
        ((key == NULL && c->kv[i].key == NULL) ||
         (key && c->kv[i].key && !strcasecmp(c->kv[i].key, key))))
      return c->kv[i].value;
  return NULL;
}

int MHD_get_connection_values(struct MHD_Connection *c, enum MHD_ValueKind kind,
                              MHD_KeyValueIterator it, void *cls) {
  int n = 0;
  for (int i = 0; c && i < c->nkv; i++) {
    if (!(c->kv[i].kind & kind)) continue;
    n++;
    if (it && it(cls, c->kv[i].kind, c->kv[i].key, c->kv[i].value) != MHD_YES) break;
  }
  return n;
}

const union MHD_ConnectionInfo *MHD_get_connection_info(struct MHD_Connection *c,
                                                        enum MHD_ConnectionInfoType info_type,
                                                        ...) {
  if (!c || info_type != MHD_CONNECTION_INFO_CLIENT_ADDRESS) return NULL;
  c->info.client_addr = (struct sockaddr *)&c->addr;
  return &c->info;
}

enum MHD_Result MHD_queue_response(struct MHD_Connection *c, unsigned int status,
                                   struct MHD_Response *response) {
  if (!c || !response) return MHD_NO;
  c->queue_calls++;
  if (c->queued) BUG("a second response queued for one request (status %u after %u)", status,
                     c->status);
  if (response->refs <= 0) BUG("a freed response queued");
  if (status < 100 || status > 599) BUG("status %u", status);
  response->refs++;
  c->queued = response;
  c->status = status;
  return MHD_YES;
}

/* ---------------------------------------------------------------- daemon */

/* the signature MHD_OPTION_UNESCAPE_CALLBACK takes (microhttpd.h names no type) */
typedef size_t (*unescape_fn)(void *cls, struct MHD_Connection *c, char *s);

struct MHD_Daemon {
  MHD_AccessHandlerCallback handler;
  void *handler_cls;
  unescape_fn unescape;        /* MHD_OPTION_UNESCAPE_CALLBACK, or NULL */
  void *unescape_cls;
  MHD_RequestCompletedCallback completed;
  void *completed_cls;
  int epfd;                    /* MHD_DAEMON_INFO_EPOLL_FD: an empty epoll set */
};

static struct MHD_Daemon *the_daemon;

struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port,
                                    MHD_AcceptPolicyCallback apc, void *apc_cls,
                                    MHD_AccessHandlerCallback dh, void *dh_cls, ...) {
  (void)flags, (void)port, (void)apc, (void)apc_cls;
  struct MHD_Daemon *d = calloc(1, sizeof *d);
  if (!d) return NULL;
  d->handler = dh;
  d->handler_cls = dh_cls;
  d->epfd = epoll_create1(EPOLL_CLOEXEC);   /* server.c's loop waits on it: never ready */
  va_list ap;
  va_start(ap, dh_cls);
  for (;;) {
    enum MHD_OPTION o = va_arg(ap, enum MHD_OPTION);
    if (o == MHD_OPTION_END) break;
    switch (o) {
      case MHD_OPTION_NOTIFY_COMPLETED:
        d->completed = va_arg(ap, MHD_RequestCompletedCallback);
        d->completed_cls = va_arg(ap, void *);
        break;
      case MHD_OPTION_UNESCAPE_CALLBACK:
        d->unescape = va_arg(ap, unescape_fn);
        d->unescape_cls = va_arg(ap, void *);
        break;
      case MHD_OPTION_EXTERNAL_LOGGER:
      case MHD_OPTION_NOTIFY_CONNECTION:
      case MHD_OPTION_URI_LOG_CALLBACK:
        (void)va_arg(ap, void *);
        (void)va_arg(ap, void *);
        break;
      case MHD_OPTION_SOCK_ADDR:
        (void)va_arg(ap, void *);
        break;
      case MHD_OPTION_CONNECTION_MEMORY_LIMIT:
      case MHD_OPTION_CONNECTION_MEMORY_INCREMENT:
      case MHD_OPTION_THREAD_STACK_SIZE:
        (void)va_arg(ap, size_t);
        break;
      case MHD_OPTION_CONNECTION_LIMIT:
      case MHD_OPTION_CONNECTION_TIMEOUT:
      case MHD_OPTION_PER_IP_CONNECTION_LIMIT:
      case MHD_OPTION_THREAD_POOL_SIZE:
      case MHD_OPTION_LISTEN_BACKLOG_SIZE:
      case MHD_OPTION_LISTENING_ADDRESS_REUSE:
      case MHD_OPTION_SIGPIPE_HANDLED_BY_APP:
        (void)va_arg(ap, unsigned int);
        break;
      case MHD_OPTION_STRICT_FOR_CLIENT:
        (void)va_arg(ap, int);
        break;
      default:
        fprintf(stderr, "fake_mhd.c: teach MHD_start_daemon option %d its argument\n", (int)o);
        abort();
    }
  }
  va_end(ap);
  the_daemon = d;
  return d;
}

/* server.c's acceptor hands connections over; nobody connects to the fuzz
** build's listening socket, and if someone did, it is refused. */
enum MHD_Result MHD_add_connection(struct MHD_Daemon *daemon, MHD_socket client_socket,
                                   const struct sockaddr *addr, socklen_t addrlen) {
  (void)daemon, (void)addr, (void)addrlen;
  close(client_socket);
  return MHD_NO;
}

void MHD_stop_daemon(struct MHD_Daemon *daemon) {
  if (daemon == the_daemon) the_daemon = NULL;
  if (daemon->epfd >= 0) close(daemon->epfd);
  free(daemon);
}

const union MHD_DaemonInfo *MHD_get_daemon_info(struct MHD_Daemon *daemon,
                                                enum MHD_DaemonInfoType info_type, ...) {
  static _Thread_local union MHD_DaemonInfo info;
  if (info_type == MHD_DAEMON_INFO_EPOLL_FD) {
    info.epoll_fd = daemon->epfd;
    return daemon->epfd >= 0 ? &info : NULL;
  }
  if (info_type != MHD_DAEMON_INFO_BIND_PORT) return NULL;
  info.port = 8080;
  return &info;
}

/* server.c's worker loop: no connection ever comes to it here (the driver
** calls the access handler itself), so there is never anything to run. */
enum MHD_Result MHD_get_timeout(struct MHD_Daemon *daemon, MHD_UNSIGNED_LONG_LONG *timeout) {
  (void)daemon, (void)timeout;
  return MHD_NO;
}
enum MHD_Result MHD_run(struct MHD_Daemon *daemon) {
  (void)daemon;
  return MHD_YES;
}

/* ---------------------------------------------------------------- driver */

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* %-decode S in place as libmicrohttpd does: through the server's
** MHD_OPTION_UNESCAPE_CALLBACK when it set one, else like the default
** unescaper (a bad escape stays as it is; %00 ends the string); PLUS first
** turns '+' into ' ' (libmicrohttpd does that before calling the callback). */
static void unescape(char *s, int plus) {
  if (plus)
    for (char *p = s; *p; p++)
      if (*p == '+') *p = ' ';
  if (the_daemon && the_daemon->unescape) {
    the_daemon->unescape(the_daemon->unescape_cls, NULL, s);
    return;
  }
  char *o = s;
  for (char *p = s; *p; p++) {
    int a, b;
    if (*p == '%' && (a = hexval(p[1])) >= 0 && (b = hexval(p[2])) >= 0) {
      *o++ = (char)(a * 16 + b);
      p += 2;
    } else if (plus && *p == '+') {
      *o++ = ' ';
    } else {
      *o++ = *p;
    }
  }
  *o = 0;
}

static void add_kv(struct MHD_Connection *c, enum MHD_ValueKind kind, char *key, char *value) {
  if (c->nkv < (int)(sizeof c->kv / sizeof c->kv[0]))
    c->kv[c->nkv++] = (struct kv){kind, key, value};
}

static char *dup_or_die(const char *s) {
  char *d = strdup(s);
  if (!d) abort();
  return d;
}

/* Split "a=b&c&d=" into GET arguments, as libmicrohttpd does. */
static void parse_query(struct MHD_Connection *c, char *q) {
  while (q && *q) {
    char *amp = strchr(q, '&');
    if (amp) *amp = 0;
    if (*q) {
      char *eq = strchr(q, '=');
      if (eq) *eq = 0;
      unescape(q, 1);
      if (eq) unescape(eq + 1, 1);
      add_kv(c, MHD_GET_ARGUMENT_KIND, q, eq ? eq + 1 : NULL);
    }
    q = amp ? amp + 1 : NULL;
  }
}

/* "a=b; c=d" from a Cookie header into cookie values. */
static void parse_cookies(struct MHD_Connection *c, char *s) {
  while (s && *s) {
    while (*s == ' ' || *s == ';') s++;
    char *semi = strchr(s, ';');
    if (semi) *semi = 0;
    char *eq = strchr(s, '=');
    if (eq && eq > s) {
      *eq = 0;
      add_kv(c, MHD_COOKIE_KIND, s, eq + 1);
    }
    s = semi ? semi + 1 : NULL;
  }
}

static void check_reply(struct MHD_Connection *c, const struct req *rq) {
  struct MHD_Response *r = c->queued;
  /* RF_PERSONAL routes must never be stored by a browser or proxy (shared
  ** computers at the centres) */
  if (rq && rq->route && (rq->route->flags & RF_PERSONAL)) {
    const char *cc = response_header(r, "Cache-Control");
    if (!cc || !strstr(cc, "no-store")) BUG("%s: personal reply without no-store", rq->url);
  }
  const char *ct = response_header(r, "Content-Type");
  if (!ct) BUG("status %u without Content-Type", c->status);
  const char *nosniff = response_header(r, "X-Content-Type-Options");
  if (!nosniff || strcmp(nosniff, "nosniff")) BUG("status %u without nosniff", c->status);
  if (!strncmp(ct, "text/html", 9)) {
    const char *csp = response_header(r, "Content-Security-Policy");
    if (!csp || strstr(csp, "unsafe-inline")) BUG("HTML without a strict CSP");
  }
  if (r->fd >= 0 || !r->data) return;
  if (!strncmp(ct, "application/json", 16)) {
    json_error_t e;
    json_t *j = json_loadb(r->data, r->size, 0, &e);
    if (!j) BUG("status %u: the JSON body does not parse: %s", c->status, e.text);
    if (c->status >= 400) {
      json_t *err = json_object_get(j, "error");
      if (!json_is_string(json_object_get(err, "code")) ||
          !json_is_string(json_object_get(err, "message")))
        BUG("status %u: not an error body: %.*s", c->status, (int)r->size, r->data);
    }
    json_decref(j);
  }
}

void fuzz_http_perform(const struct fuzz_request *rq, struct fuzz_reply *out) {
  struct MHD_Connection *c = calloc(1, sizeof *c);
  char *strings[FUZZ_MAX_HEADERS * 3 + 8];
  int nstrings = 0;
  if (!c) abort();
  memset(out, 0, sizeof *out);
  c->addr.sin_family = AF_INET;
  c->addr.sin_addr.s_addr = htonl(0x7f000001);
  if (rq->client) inet_pton(AF_INET, rq->client, &c->addr.sin_addr);

  /* the request line: the handler sees the unescaped path, no query */
  char *path = dup_or_die(rq->url);
  strings[nstrings++] = path;
  char *q = strchr(path, '?');
  if (q) *q++ = 0;
  unescape(path, 0);
  parse_query(c, q);
  if (rq->as) { /* X-Fuzz-As: a bearer token of that role's account */
    char auth[128];
    snprintf(auth, sizeof auth, "Bearer %s", fuzz_http_session(rq->as)->token);
    char *n = dup_or_die("Authorization"), *v = dup_or_die(auth);
    strings[nstrings++] = n;
    strings[nstrings++] = v;
    add_kv(c, MHD_HEADER_KIND, n, v);
  }
  for (int i = 0; i < rq->nheaders; i++) {
    char *n = dup_or_die(rq->name[i]), *v = dup_or_die(rq->value[i]);
    strings[nstrings++] = n;
    strings[nstrings++] = v;
    add_kv(c, MHD_HEADER_KIND, n, v);
    if (!strcasecmp(n, "Cookie")) {
      char *cv = dup_or_die(v);
      strings[nstrings++] = cv;
      parse_cookies(c, cv);
    }
  }

  void *con_cls = NULL;
  size_t zero = 0;
  enum MHD_Result ret =
      the_daemon->handler(the_daemon->handler_cls, c, path, rq->method, rq->version, NULL, &zero,
                          &con_cls);
  size_t off = 0;
  while (ret == MHD_YES && !c->queued && off < rq->body_len) {
    size_t n = rq->chunk ? rq->chunk : rq->body_len;
    if (n > rq->body_len - off) n = rq->body_len - off;
    size_t left = n;
    ret = the_daemon->handler(the_daemon->handler_cls, c, path, rq->method, rq->version,
                              (const char *)rq->body + off, &left, &con_cls);
    if (ret == MHD_YES && left == n) BUG("the handler consumed none of %zu body bytes", n);
    off += n - left;
  }
  if (ret == MHD_YES && !c->queued) {
    zero = 0;
    ret = the_daemon->handler(the_daemon->handler_cls, c, path, rq->method, rq->version, NULL,
                              &zero, &con_cls);
    /* a connection suspended by the handler (http/suspend.c) is called again
    ** once a pool thread resumed it, as libmicrohttpd does */
    for (int seen = 0; ret == MHD_YES && !c->queued && atomic_load(&c->suspends) > seen;) {
      seen = atomic_load(&c->suspends);
      for (int waits = 0; atomic_load(&c->suspended) && waits < 200000; waits++) usleep(50);
      if (atomic_load(&c->suspended)) BUG("%s %s: suspended and never resumed", rq->method, path);
      ret = the_daemon->handler(the_daemon->handler_cls, c, path, rq->method, rq->version, NULL,
                                &zero, &con_cls);
    }
    /* libmicrohttpd would call again and again: a request that never ends */
    if (ret == MHD_YES && !c->queued) BUG("%s %s: no reply and no hang-up", rq->method, path);
  }
  out->closed = ret != MHD_YES;
  /* A hang-up with no reply at all is only right for a body far past the
  ** limit (server.c); anything else is a reply lost (e.g. an error message
  ** jansson could not encode: the client sees the connection drop). */
  if (out->closed && !c->queued && rq->body_len <= 4 * app.max_body)
    BUG("%s %s: hung up without a reply", rq->method, path);
  if (c->queued) {
    out->queued = 1;
    out->status = c->status;
    check_reply(c, con_cls);
  }
  if (the_daemon->completed)
    the_daemon->completed(the_daemon->completed_cls, c, &con_cls,
                          ret == MHD_YES ? MHD_REQUEST_TERMINATED_COMPLETED_OK
                                         : MHD_REQUEST_TERMINATED_WITH_ERROR);
  if (con_cls) BUG("the request state was not freed on completion");
  MHD_destroy_response(c->queued); /* the connection's reference */
  for (int i = 0; i < nstrings; i++) free(strings[i]);
  free(c);
}

int fuzz_http_parse(char *buf, size_t len, struct fuzz_request *rq) {
  memset(rq, 0, sizeof *rq);
  char *end = buf + len, *p = buf;
  char *eol = memchr(p, '\n', (size_t)(end - p));
  if (!eol || memchr(p, 0, (size_t)(eol - p))) return -1; /* MHD refuses NUL in the line */
  *eol = 0;
  if (eol > p && eol[-1] == '\r') eol[-1] = 0;
  /* METHOD SP TARGET [SP VERSION] */
  rq->method = p;
  char *sp = strchr(p, ' ');
  if (!sp || sp == p) return -1;
  *sp = 0;
  rq->url = sp + 1;
  sp = strchr(sp + 1, ' ');
  if (sp) {
    *sp = 0;
    rq->version = sp + 1;
  } else {
    rq->version = "HTTP/1.1";
  }
  if (!*rq->url) return -1;
  p = eol + 1;
  /* headers up to an empty line */
  while (p < end) {
    eol = memchr(p, '\n', (size_t)(end - p));
    char *stop = eol ? eol : end;
    if (memchr(p, 0, (size_t)(stop - p))) return -1; /* NUL in a header: refused by MHD */
    if (!eol) return -1;                                /* headers never ended */
    *eol = 0;
    if (eol > p && eol[-1] == '\r') eol[-1] = 0;
    if (!*p) {
      p = eol + 1;
      break;
    }
    char *colon = strchr(p, ':');
    if (!colon || colon == p) return -1; /* MHD answers 400 itself */
    *colon = 0;
    char *v = colon + 1;
    while (*v == ' ' || *v == '\t') v++;
    if (!strcasecmp(p, "X-Fuzz-Chunk")) {
      rq->chunk = (size_t)strtoul(v, NULL, 10);
    } else if (!strcasecmp(p, "X-Fuzz-Client")) {
      rq->client = v;
    } else if (!strcasecmp(p, "X-Fuzz-As")) {
      static const char *const who[] = {"", "citizen", "staff", "admin", "analyst"};
      for (int k = 1; k < 5; k++)
        if (!strcmp(v, who[k])) rq->as = k;
    } else if (rq->nheaders < FUZZ_MAX_HEADERS) {
      rq->name[rq->nheaders] = p;
      rq->value[rq->nheaders++] = v;
    }
    p = eol + 1;
  }
  rq->body = (const uint8_t *)p;
  rq->body_len = p < end ? (size_t)(end - p) : 0;
  return 0;
}

/* ---------------------------------------------------------------- accounts */

#define PASSWORD "fuzz-password-123"

static const int role_of[5] = {ROLE_ANON, ROLE_CITIZEN, ROLE_STAFF, ROLE_ADMIN, ROLE_ANALYST};
static int64_t account[5];
static struct session_new sess[5];

const struct session_new *fuzz_http_session(int k) {
  struct kctx c = {.db = db_thread(), .rb = app.rb, .now = clock_now(), .channel = "online"};
  struct kerrinfo ei = {0};
  c.actor.role = ROLE_ADMIN;
  if (k < 1 || k > 4) abort();
  if (!account[k]) {
    json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "name", "試験 太郎", "name_kana", "シケン タロウ",
                           "email", "fuzz@example.jp", "password", PASSWORD);
    int rc = accounts_create(&c, in, role_of[k], role_of[k] == ROLE_STAFF ? "chuo" : NULL, 0,
                             &account[k], &ei);
    json_decref(in);
    kerr_clear(&ei);
    if (rc) BUG("cannot create the %s account (%d)", role_name(role_of[k]), rc);
  }
  if (sess[k].token[0]) { /* still live? the fuzzer may have signed it out */
    struct session_info si;
    if (accounts_session_lookup(&c, sess[k].token, &si) == 0) return &sess[k];
  }
  accounts_throttle_reset();
  char id[16];
  snprintf(id, sizeof id, "%09lld", (long long)account[k]);
  json_t *in = json_pack("{s:s, s:s}", "system_id", id, "password", PASSWORD);
  int rc = accounts_login(&c, in, "127.0.0.1", &sess[k], &ei);
  json_decref(in);
  kerr_clear(&ei);
  if (rc) BUG("cannot sign in the %s account (%d)", role_name(role_of[k]), rc);
  return &sess[k];
}

/* ------------------------------------------------------------------ init */

void fuzz_http_init(const char *argv0) {
  /* the binary lives in build/fuzz/: the repository is two levels up */
  if (access("ordinances/maebashi", F_OK) != 0 && argv0) {
    char exe[PATH_MAX];
    if (realpath(argv0, exe)) {
      for (int up = 0; up < 3; up++) {
        char *s = strrchr(exe, '/');
        if (s) *s = 0;
      }
      if (chdir(exe) != 0) perror(exe);
    }
  }
  if (sodium_init() < 0) exit(1);
  clock_set(1775610000); /* 2026-04-08T10:00:00+09:00, a Wednesday */
  json_t *problems = NULL;
  app.rb = rules_load("ordinances/maebashi", &problems);
  if (!app.rb) {
    fprintf(stderr, "fuzz: cannot load ordinances/maebashi (run from the repository)\n");
    exit(1);
  }
  /* the smallest limit serve accepts (--max-body 1024), so that inputs of a
  ** few kilobytes reach the 413 paths */
  app.max_body = 1024;
  app.access_log = getenv("FUZZ_ACCESS_LOG") != NULL;
  snprintf(app.web_dir, sizeof app.web_dir, "web");
  char err[256];
  if (db_thread_init(":memory:", err, sizeof err) != 0) {
    fprintf(stderr, "fuzz: %s\n", err);
    exit(1);
  }
  if (facilities_sync(db_thread(), app.rb) != 0) exit(1);
  /* as serve does (fuzz_permit replaces the key with a fixed one) */
  if (permits_init(db_thread()) != 0) exit(1);
  /* the production options (main.c's defaults) */
  struct server_opts so = {.host = "127.0.0.1", .conn_timeout = 15, .conn_limit = 2000,
                           .per_ip_limit = 256, .conn_memory = 12 * 1024, .threads = 1,
                           .use_epoll = 1};
  int port;
  static struct server *srv; /* kept for the life of the process */
  if (!(srv = server_start(&so, &port)) || !the_daemon) {
    fprintf(stderr, "fuzz: server_start failed\n");
    exit(1);
  }
}

/* Suspending (http/suspend.c's pools): fuzz_http_perform waits for the
** resume and calls the handler again. */
void MHD_suspend_connection(struct MHD_Connection *connection) {
  atomic_store(&connection->suspended, 1);
  atomic_fetch_add(&connection->suspends, 1);
}
void MHD_resume_connection(struct MHD_Connection *connection) {
  atomic_store(&connection->suspended, 0);
}

const char *MHD_get_response_header(struct MHD_Response *response, const char *key) {
  return response && key ? response_header(response, key) : NULL;
}
