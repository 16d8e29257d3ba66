/*
** http/server.c: the acceptor, the worker loops with their libmicrohttpd
** daemons, and the access handler.
**
** The handler returns MHD_YES on the first call (allocating the request
** state) and queues the reply on a later call: in libmicrohttpd 0.9.75 a
** response queued on the first call goes out with "Connection: close", which
** costs keep-alive and about five times the throughput (DESIGN.md). The body
** is accumulated up to app.max_body; past it 413 is queued at once and the
** connection closed, so nobody can make us buffer a large upload.
*/
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../core/clock.h"
#include "../core/ids.h"
#include "../store/db.h"
#include "conncount.h"
#include "http.h"
#include "reply.h"
#include "router.h"
#include "suspend.h"

struct app app;

/* Each worker thread runs a libmicrohttpd daemon of its own in external-loop
** epoll mode (docs/performance.md, "The event loop"): the thread waits in
** epoll_wait on its own epoll set, which holds the daemon's epoll descriptor
** and an eventfd, and then calls MHD_run(), which handles what is ready
** without ever blocking. The library's poll loop, used before, scanned every
** descriptor of the thread at each turn (a quarter of the server's CPU at a
** steady 10,000 requests a second over 2,000 connections); its internal
** epoll loop can sleep for a whole connection timeout with events in hand
** (0.9.75, "The stalls"); MHD_run() makes no blocking wait of its own.
** A daemon in external-loop mode must be given connections by the thread
** that runs it, so the acceptor queues each new connection to a loop and
** wakes it through the eventfd; a pool thread that resumes a connection
** wakes its loop the same way (the library signals a resumed connection
** only to its own internal threads). */
struct handoff {
  int fd;
  struct sockaddr_in sa;
};

struct loop {
  struct server *s;
  struct MHD_Daemon *d;
  pthread_t thread;
  int started;
  int ep;                    /* our epoll set: the daemon's epoll fd and EFD */
  int efd;                   /* eventfd: connections queued or resumed, or stopping */
  pthread_mutex_t lock;
  struct handoff *q;         /* connections accepted, not yet given to D */
  size_t nq, capq;
  _Atomic unsigned conns;    /* connections this loop has, for balancing */
  _Atomic int woken;         /* EFD written since the loop last read it */
};

/* The loop this thread runs (NULL on other threads). */
static _Thread_local struct loop *this_loop;

static int64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ------------------------------------------------------- request helpers */

const char *req_query(struct req *r, const char *name) {
  return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *req_header(struct req *r, const char *name) {
  return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

int64_t req_path_id(struct req *r, int i) {
  if (i < 0 || i >= r->nparams) return 0;
  const char *s = r->params[i];
  char *end;
  if (!*s || strlen(s) > 18 || *s < '1' || *s > '9') return 0;
  long long v = strtoll(s, &end, 10);
  return *end ? 0 : (int64_t)v;
}

int64_t req_path_sysid(struct req *r, int i) {
  int64_t id = 0;
  if (i < 0 || i >= r->nparams || ids_parse(r->params[i], &id) != IDS_OK) return 0;
  return id;
}

const char *req_str(struct req *r, const char *name) {
  return r->json ? json_string_value(json_object_get(r->json, name)) : NULL;
}

int req_wants_html(struct req *r) {
  const char *a = req_header(r, MHD_HTTP_HEADER_ACCEPT);
  return a && strstr(a, "text/html") != NULL;
}

static void req_free(struct req *r) {
  if (!r) return;
  /* a pool's reply never sent: the connection went first (the server stopping) */
  if (r->deferred == 2) reply_discard(&r->later);
  free(r->body);
  json_decref(r->json);
  free(r);
}

/* --------------------------------------------------- request smuggling */

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* %HH-decode S in place, as libmicrohttpd's own unescaper does for the path
** and each query argument, with one difference: a decoded NUL becomes 0x01
** instead of ending the string. libmicrohttpd hands us C strings, so "%00"
** would silently cut "/api/v1/me%00/x.css" to "/api/v1/me" (personal JSON
** for a URL a cache takes for a stylesheet); as a control character it is
** refused below instead. Returns the new length. */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s) {
  (void)cls;
  (void)conn;
  char *o = s;
  for (char *p = s; *p; p++) {
    int a, b;
    if (*p == '%' && (a = hexval(p[1])) >= 0 && (b = hexval(p[2])) >= 0) {
      *o++ = (char)(a * 16 + b ? a * 16 + b : 0x01);
      p += 2;
    } else {
      *o++ = *p;
    }
  }
  *o = 0;
  return (size_t)(o - s);
}

/* 1 if the decoded path carries a control character: no route has one, and
** a NUL (see unescape) or a line break in a path is an attack, not a typo. */
static int path_has_control(const char *url) {
  for (const unsigned char *p = (const unsigned char *)url; *p; p++)
    if (*p < 0x20 || *p == 0x7f) return 1;
  return 0;
}

struct lengths {
  const char *first;
  int conflict;
};

static enum MHD_Result each_length(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value) {
  (void)kind;
  struct lengths *l = cls;
  if (!key || strcasecmp(key, "Content-Length") != 0) return MHD_YES;
  if (!l->first) l->first = value ? value : "";
  else if (strcmp(l->first, value ? value : "") != 0) l->conflict = 1;
  return MHD_YES;
}

/* 1 if the request carries Content-Length headers that disagree: which one
** frames the body is then a guess, and a proxy in front of us may guess
** otherwise (request smuggling). Identical repeats are allowed (RFC 9110). */
static int lengths_conflict(struct MHD_Connection *conn) {
  struct lengths l = {0};
  MHD_get_connection_values(conn, MHD_HEADER_KIND, each_length, &l);
  return l.conflict;
}

/* ------------------------------------------------------- access handler */

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls) {
  (void)cls;
  (void)version;
  struct req *r = *con_cls;
  if (!r) {
    r = calloc(1, sizeof *r);
    if (!r) return MHD_NO;
    r->conn = conn;
    r->loop = this_loop;
    r->url = url;
    r->method = method;
    r->started_us = now_us();
    *con_cls = r;
    /* Queued on the first call, so the connection is closed after it: a
    ** request framed ambiguously must not leave bytes behind for the next. */
    if (path_has_control(url) || lengths_conflict(conn))
      return reply_send(r, reply_error(r, KERR_BAD_REQUEST, NULL));
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    if (cl && strtoull(cl, NULL, 10) > app.max_body) {
      r->too_large = 1;
      return reply_send(r, reply_error(r, KERR_TOO_LARGE, NULL));
    }
    return MHD_YES;
  }
  if (*upload_size) {
    /* libmicrohttpd cannot queue a reply in the middle of a body: count and
    ** drop the rest, answer 413 at the end, and hang up on a client that
    ** keeps sending far beyond the limit. */
    if (r->too_large || r->body_len + *upload_size > app.max_body) {
      r->too_large = 1;
      r->body_len += *upload_size;
      *upload_size = 0;
      return r->body_len > 4 * app.max_body ? MHD_NO : MHD_YES;
    }
    if (r->body_len + *upload_size + 1 > r->body_cap) {
      size_t nc = r->body_cap ? r->body_cap * 2 : 1024;
      while (nc < r->body_len + *upload_size + 1) nc *= 2;
      char *nb = realloc(r->body, nc);
      if (!nb) return MHD_NO;
      r->body = nb;
      r->body_cap = nc;
    }
    memcpy(r->body + r->body_len, upload, *upload_size);
    r->body_len += *upload_size;
    r->body[r->body_len] = 0;
    *upload_size = 0;
    return MHD_YES;
  }
  if (r->queued) return MHD_YES;
  if (r->deferred) return suspend_resumed(r); /* waiting on a pool, or its reply is ready */
  if (r->too_large) return reply_send(r, reply_error(r, KERR_TOO_LARGE, NULL));

  r->ctx.db = ctx_thread_db();
  r->ctx.rb = app.rb;
  r->ctx.now = clock_now();
  r->ctx.channel = "online";
  r->ctx.signin = &r->signin;
  enum MHD_Result ret = router_dispatch(r);
  if (!r->queued && !r->deferred && ret == MHD_YES) ret = reply_send(r, reply_error(r, KERR_INTERNAL, NULL));
  return ret;
}

/* S made safe for a log line into OUT: a control character (a "%0a" in the
** path would otherwise forge a second log line, an escape sequence would
** reach the operator's terminal) or a space (it would shift the fields)
** becomes \xNN, and a long text is cut short. */
static void log_text(const char *s, char *out, size_t n) {
  static const char hex[] = "0123456789abcdef";
  size_t o = 0;
  for (; s && *s && o + 5 < n; s++) {
    unsigned char c = (unsigned char)*s;
    if (c <= 0x20 || c == 0x7f || c == '\\') {
      out[o++] = '\\';
      out[o++] = 'x';
      out[o++] = hex[c >> 4];
      out[o++] = hex[c & 15];
    } else {
      out[o++] = (char)c;
    }
  }
  if (s && *s && o + 3 < n) out[o++] = '.', out[o++] = '.', out[o++] = '.';
  out[o] = 0;
}

/* The access log: one line per request, the path without its query (query
** values may carry personal data), never a header or a body. */
static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
  (void)cls;
  (void)conn;
  struct req *r = *con_cls;
  if (!r) return;
  if (app.access_log) {
    char when[26], method[40], path[300];
    clock_format_instant(clock_now(), when);
    log_text(r->method, method, sizeof method);
    log_text(r->url, path, sizeof path);
    fprintf(stderr, "%s %s %s %u %.1fms%s\n", when, method, path, r->status,
            (double)(now_us() - r->started_us) / 1000.0,
            toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
  }
  req_free(r);
  *con_cls = NULL;
}

static void log_mhd(void *cls, const char *fmt, va_list ap) {
  (void)cls;
  fprintf(stderr, "http: ");
  vfprintf(stderr, fmt, ap);
}

/* Every connection is a descriptor. Raise the soft limit to the hard one,
** and if that is still too low for CONN_LIMIT plus what the process needs
** besides (the listening socket, each worker's database files, a static file
** being sent, a backup), serve fewer connections than asked: otherwise
** accept() fails with EMFILE at random under load instead of the clean
** refusal at the limit. */
static unsigned fit_fd_limit(unsigned conn_limit, unsigned threads) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return conn_limit;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) getrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur == RLIM_INFINITY) return conn_limit;
  rlim_t reserve = 64 + 8 * (rlim_t)threads;   /* a thread: its databases, 3 for its loop */
  rlim_t room = rl.rlim_cur > reserve + 16 ? rl.rlim_cur - reserve : 16;
  if (conn_limit <= room) return conn_limit;
  fprintf(stderr, "kominkan: only %llu file descriptors (ulimit -n): serving at most %llu"
          " connections instead of %u\n", (unsigned long long)rl.rlim_cur,
          (unsigned long long)room, conn_limit);
  return (unsigned)room;
}

/* ------------------------------------------------------ the worker loops */

/* Make L's thread run its daemon (connections queued or resumed): one write
** of the eventfd however many wake it before it reads. libmicrohttpd's own
** signal for a resumed connection exists only with its internal threads. */
static void loop_wake(struct loop *l) {
  uint64_t one = 1;
  if (!atomic_exchange(&l->woken, 1) && write(l->efd, &one, sizeof one) < 0) {
    /* the counter is full: the loop is woken already */
  }
}

void req_resume(struct req *r) {
  struct loop *l = r->loop;   /* read first: once resumed, R may be answered and freed */
  MHD_resume_connection(r->conn);
  if (l) loop_wake(l);
}

struct server {
  int lfd;                   /* the listening socket: the acceptor's, not libmicrohttpd's */
  pthread_t acceptor;
  _Atomic int stopping;
  unsigned nloops;
  struct loop *loops;        /* --event-loop epoll: a daemon and a thread each */
  struct MHD_Daemon *pool;   /* --event-loop poll: libmicrohttpd's own thread pool */
};

static uint32_t addr_key(const struct sockaddr *sa) {
  return sa && sa->sa_family == AF_INET ? ((const struct sockaddr_in *)sa)->sin_addr.s_addr : 0;
}

/* Set by on_connection when libmicrohttpd has taken a connection, so the loop
** knows whether the place conncount gave it is returned by a later CLOSED or
** must be returned now. */
static _Thread_local int conn_started;

/* libmicrohttpd's word on a connection's start and end: the end gives back
** the place the acceptor took (conncount.h). */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code) {
  struct loop *l = cls;
  (void)socket_context;
  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    conn_started = 1;
    return;
  }
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  conncount_give(addr_key(ci ? ci->client_addr : NULL));
  atomic_fetch_sub(&l->conns, 1);
}

/* Give the daemon the connections the acceptor queued. */
static void loop_adopt(struct loop *l) {
  pthread_mutex_lock(&l->lock);
  struct handoff *q = l->q;
  size_t n = l->nq;
  l->q = NULL;
  l->nq = l->capq = 0;
  pthread_mutex_unlock(&l->lock);
  for (size_t i = 0; i < n; i++) {
    conn_started = 0;
    MHD_add_connection(l->d, q[i].fd, (struct sockaddr *)&q[i].sa, sizeof q[i].sa);
    if (!conn_started) {       /* refused before it started: closed, never CLOSED */
      conncount_give(q[i].sa.sin_addr.s_addr);
      atomic_fetch_sub(&l->conns, 1);
    }
  }
  free(q);
}

static void *loop_main(void *arg) {
  struct loop *l = arg;
  char name[16];
  snprintf(name, sizeof name, "http-%u", (unsigned)(l - l->s->loops));
  pthread_setname_np(pthread_self(), name);
  this_loop = l;
  struct epoll_event ev[2];
  for (;;) {
    MHD_UNSIGNED_LONG_LONG to;
    int ms = -1;   /* no connection can time out: wait for an event */
    if (MHD_get_timeout(l->d, &to) == MHD_YES) ms = to > 60000 ? 60000 : (int)to;
    int n = epoll_wait(l->ep, ev, 2, ms);
    for (int i = 0; i < n; i++) {
      if (ev[i].data.ptr != l) continue;
      /* The read first, then the flag: a wake between the two skips its
      ** write, but what it woke us for is done below; a wake after them
      ** writes again (reading after clearing could swallow that write and
      ** leave the flag set with nothing to read: the loop would sleep for
      ** good). */
      uint64_t v;
      if (read(l->efd, &v, sizeof v) < 0 && errno != EAGAIN) break;
      atomic_store(&l->woken, 0);
      if (atomic_load(&l->s->stopping)) return NULL;
      loop_adopt(l);
    }
    MHD_run(l->d);
  }
}

/* Queue FD to the loop with the fewest connections. */
static void hand_off(struct server *s, int fd, const struct sockaddr_in *sa) {
  struct loop *l = &s->loops[0];
  for (unsigned i = 1; i < s->nloops; i++)
    if (atomic_load(&s->loops[i].conns) < atomic_load(&l->conns)) l = &s->loops[i];
  atomic_fetch_add(&l->conns, 1);
  pthread_mutex_lock(&l->lock);
  int ok = 1;
  if (l->nq == l->capq) {
    size_t nc = l->capq ? 2 * l->capq : 64;
    struct handoff *nq = realloc(l->q, nc * sizeof *nq);
    if (nq) l->q = nq, l->capq = nc;
    else ok = 0;
  }
  if (ok) l->q[l->nq++] = (struct handoff){fd, *sa};
  pthread_mutex_unlock(&l->lock);
  if (ok) {
    loop_wake(l);
  } else {
    close(fd);
    conncount_give(sa->sin_addr.s_addr);
    atomic_fetch_sub(&l->conns, 1);
  }
}

/* ------------------------------------------------------------ the acceptor */

/* A thread of its own accepts every connection as soon as the kernel has it,
** counts it against the limits and hands it to a worker loop. libmicrohttpd's
** own accept, run by the workers between their other events, takes at most
** ten connections per turn of its loop: when 2,000 citizens connect at the
** minute booking opens, the last of them waited ~0.7 s in the kernel's queue
** while the connections already accepted were answered again and again
** (bench_burst.sh, docs/performance.md). Past --conn-limit or --per-ip-limit
** the new socket is closed at once. */
static void *accept_main(void *arg) {
  struct server *s = arg;
  pthread_setname_np(pthread_self(), "accept");
  int full = 0;   /* out of descriptors: said once, not for each attempt */
  while (!atomic_load(&s->stopping)) {
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    int fd = accept4(s->lfd, (struct sockaddr *)&sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      full = 0;
      if (s->pool) MHD_add_connection(s->pool, fd, (struct sockaddr *)&sa, len);   /* closes FD if refused */
      else if (conncount_take(sa.sin_addr.s_addr) != CONNCOUNT_OK) close(fd);
      else hand_off(s, fd, &sa);
    } else if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
      if (!full) fprintf(stderr, "kominkan: cannot accept a connection: %s\n", strerror(errno));
      full = 1;
      usleep(10000);   /* the queue waits in the kernel meanwhile */
    } else if (errno == EINVAL || errno == EBADF) {
      break;           /* shut down by server_stop */
    }
  }
  return NULL;
}

/* A listening TCP socket on SA, or -1 (said on stderr). */
static int listen_on(const struct sockaddr_in *sa, const char *host, int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
  if (fd < 0) return -1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  /* 4096: a burst at booking-window opening waits in the kernel's queue for
  ** the acceptor instead of being refused (the kernel caps it at somaxconn) */
  if (bind(fd, (const struct sockaddr *)sa, sizeof *sa) != 0 || listen(fd, 4096) != 0) {
    fprintf(stderr, "kominkan: cannot listen on %s:%d: %s\n", host, port, strerror(errno));
    close(fd);
    return -1;
  }
  return fd;
}

static int bound_port(int fd) {
  struct sockaddr_in sa;
  socklen_t len = sizeof sa;
  return getsockname(fd, (struct sockaddr *)&sa, &len) == 0 ? ntohs(sa.sin_port) : -1;
}

/* Stop and free S's loops (those started are joined first); the daemons
** close their connections and answer nothing more. */
static void loops_stop(struct server *s) {
  for (unsigned i = 0; i < s->nloops; i++) {
    struct loop *l = &s->loops[i];
    if (l->started) loop_wake(l);
  }
  for (unsigned i = 0; i < s->nloops; i++) {
    struct loop *l = &s->loops[i];
    if (l->started) pthread_join(l->thread, NULL);
    for (size_t k = 0; k < l->nq; k++) {   /* accepted, never adopted */
      close(l->q[k].fd);
      conncount_give(l->q[k].sa.sin_addr.s_addr);
    }
    free(l->q);
    if (l->d) MHD_stop_daemon(l->d);        /* its connections' CLOSED give their places */
    if (l->ep >= 0) close(l->ep);
    if (l->efd >= 0) close(l->efd);
    pthread_mutex_destroy(&l->lock);
  }
  free(s->loops);
  s->loops = NULL;
  s->nloops = 0;
  conncount_reset();
}

/* The options every daemon gets (see the limits in server_start). */
#define DAEMON_FLAGS (MHD_USE_ERROR_LOG | MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME | \
                      MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC)

/* One daemon and one thread per worker; 0 or -1. */
static int loops_start(struct server *s, const struct server_opts *o, unsigned threads,
                       unsigned conn_limit) {
  conncount_init(conn_limit, o->per_ip_limit);
  s->loops = calloc(threads, sizeof *s->loops);
  if (!s->loops) return -1;
  s->nloops = threads;
  for (unsigned i = 0; i < threads; i++) {
    struct loop *l = &s->loops[i];
    l->s = s;
    l->ep = l->efd = -1;
    pthread_mutex_init(&l->lock, NULL);
  }
  for (unsigned i = 0; i < threads; i++) {
    struct loop *l = &s->loops[i];
    /* the library's limits stay as a backstop: conncount refuses first */
    l->d = MHD_start_daemon(MHD_USE_EPOLL | DAEMON_FLAGS, 0, NULL, NULL, on_request, NULL,
                            MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL,
                            MHD_OPTION_CONNECTION_TIMEOUT, o->conn_timeout,
                            MHD_OPTION_CONNECTION_LIMIT, conn_limit,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, o->conn_memory,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
                            MHD_OPTION_NOTIFY_CONNECTION, on_connection, l,
                            MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
                            MHD_OPTION_END);
    const union MHD_DaemonInfo *di = l->d ? MHD_get_daemon_info(l->d, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
    l->ep = epoll_create1(EPOLL_CLOEXEC);
    l->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct epoll_event mhd_ev = {.events = EPOLLIN, .data.ptr = NULL};
    struct epoll_event efd_ev = {.events = EPOLLIN, .data.ptr = l};
    if (!di || l->ep < 0 || l->efd < 0 ||
        epoll_ctl(l->ep, EPOLL_CTL_ADD, di->epoll_fd, &mhd_ev) != 0 ||
        epoll_ctl(l->ep, EPOLL_CTL_ADD, l->efd, &efd_ev) != 0)
      return -1;
    if (pthread_create(&l->thread, NULL, loop_main, l) != 0) return -1;
    l->started = 1;
  }
  return 0;
}

struct server *server_start(const struct server_opts *o, int *port) {
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)o->port);
  if (inet_pton(AF_INET, o->host, &sa.sin_addr) != 1) {
    fprintf(stderr, "kominkan: cannot listen on %s (an IPv4 address is needed)\n", o->host);
    return NULL;
  }
  struct server *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  if ((s->lfd = listen_on(&sa, o->host, o->port)) < 0) {
    free(s);
    return NULL;
  }
  if (suspend_start(&o->pools) != 0) {
    close(s->lfd);
    free(s);
    return NULL;
  }
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  unsigned threads = o->threads > 0 ? (unsigned)o->threads : (unsigned)(cores > 0 ? cores : 2);
  unsigned conn_limit = fit_fd_limit(o->conn_limit, threads);
  /* The limits that keep hostile or broken clients from starving the rest
  ** (tests/hostile/hostile.test.mjs; docs/operations.md):
  ** - a few worker threads, each with its event loop: an idle or slow
  **   connection costs a descriptor and its memory pool, never a thread, so
  **   hundreds of them do not delay anyone else's request; with epoll (the
  **   default) an idle one costs no time either.
  ** - CONNECTION_TIMEOUT (--conn-timeout, 15 s): a connection with no
  **   traffic for that long is closed (libmicrohttpd's default is never:
  **   idle sockets would pile up until the connection limit).
  ** - --per-ip-limit, 256: one address cannot take every slot (slowloris,
  **   a crawler). Not lower: citizens behind one carrier-grade NAT or the
  **   city hall's proxy share an address, and a browser opens up to 6
  **   connections.
  ** - --conn-limit, 2000, and no more than the descriptors allow: past it a
  **   new connection is closed at once, cheaply.
  **   Both are counted for the whole server by the acceptor (conncount.c)
  **   with epoll, where each thread has a daemon of its own; with poll,
  **   libmicrohttpd counts them (PER_IP_CONNECTION_LIMIT, CONNECTION_LIMIT).
  ** - CONNECTION_MEMORY_LIMIT (--conn-memory, 12 KiB): the request line and
  **   all headers of a request must fit (with 12 KiB, headers of up to about
  **   11 KiB are read, more than nginx's default 8 KiB; the rest is the
  **   reply's header buffer), so an oversized header gets 431 and a hang-up
  **   instead of growing memory; it also bounds memory to about
  **   2000 x 12 KiB = 24 MiB at the connection limit (16 KiB, 32 MiB, had
  **   kept the burst's peak RSS over 64 MiB). libmicrohttpd clears a
  **   connection's whole pool after each request: at 64 KiB that memset and
  **   its page faults were ~8% of the server's CPU in the opening-minute
  **   burst. Bodies are not kept there (on_request copies them, up to
  **   --max-body).
  ** - NO_LISTEN_SOCKET: the acceptor thread accepts (accept_main above). */
  int failed;
  if (o->use_epoll) {
    failed = loops_start(s, o, threads, conn_limit);
  } else {
    s->pool = MHD_start_daemon(MHD_USE_POLL_INTERNAL_THREAD | DAEMON_FLAGS, 0, NULL, NULL,
                               on_request, NULL,
                               MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL,
                               MHD_OPTION_THREAD_POOL_SIZE, threads,
                               MHD_OPTION_CONNECTION_TIMEOUT, o->conn_timeout,
                               MHD_OPTION_CONNECTION_LIMIT, conn_limit,
                               MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->per_ip_limit,
                               MHD_OPTION_CONNECTION_MEMORY_LIMIT, o->conn_memory,
                               MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
                               MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
                               MHD_OPTION_END);
    failed = !s->pool;
  }
  if (failed || pthread_create(&s->acceptor, NULL, accept_main, s) != 0) {
    fprintf(stderr, "kominkan: cannot serve on %s:%d\n", o->host, o->port);
    atomic_store(&s->stopping, 1);
    loops_stop(s);
    suspend_stop();
    if (s->pool) MHD_stop_daemon(s->pool);
    close(s->lfd);
    free(s);
    return NULL;
  }
  *port = bound_port(s->lfd);
  return s;
}

void server_stop(struct server *s) {
  if (!s) return;
  atomic_store(&s->stopping, 1);
  shutdown(s->lfd, SHUT_RDWR);   /* wakes the acceptor's accept4 (EINVAL) */
  pthread_join(s->acceptor, NULL);
  close(s->lfd);
  suspend_stop(); /* answers every queued request first: they point into the daemons */
  loops_stop(s);
  if (s->pool) MHD_stop_daemon(s->pool);
  free(s);
}
