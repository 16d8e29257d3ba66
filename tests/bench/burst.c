/*
** tests/bench/burst.c: a small HTTP/1.1 load client for the booking burst
** (make bench; docs/performance.md). One thread, epoll, CONNECTIONS keep-alive
** connections to 127.0.0.1:PORT; sends each request of FILE exactly once
** (one line each: "TOKEN<TAB>JSON BODY", POSTed to /api/v1/bookings), as
** fast as the server answers, and measures each request from its first byte
** sent to its last byte received. Bounded: the file's requests, and a
** deadline (SECONDS, default 120) after which it stops and counts the rest
** as unanswered.
**
**   burst PORT FILE CONNECTIONS [SECONDS [RATE]]
**
** With RATE (attempts a second), the requests are not sent as fast as the
** server answers but at that steady rate (open loop, like wrk2): request i is
** due at i / RATE seconds, goes out on any connection then idle, and its time
** is counted from when it was due, so a server that falls behind is charged
** for the wait (no coordinated omission). Without RATE (closed loop) every
** connection sends its next request as soon as it has its answer: then
** nearly all CONNECTIONS requests are always waiting, and by Little's law a
** request waits about CONNECTIONS / (requests answered a second).
**
** Prints: "result: attempts A ok S conflict C other O unanswered U errors E
** seconds T p50 X p99 Y max Z cpu_ms C" (ms; C: this client's own CPU time,
** user and system), one line, for the bench script.
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
  int fd;
  long req;            /* index of the request in flight, -1 none */
  size_t sent;
  double t0;
  char buf[16384];
  size_t len;
};

static char **reqs;
static size_t *req_len;
static double *lat;
static int *status;
static long nreq, next_req, done_req;
static int port;
static long errors;
static double rate;          /* attempts a second (open loop), 0: closed loop */
static double t_start;
static struct conn **idle;   /* open loop: connections with no request in flight, oldest */
static long nidle, idle_head, idle_cap;   /* first (a ring): the load goes round all of them */

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void load(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) { perror(path); exit(2); }
  char *line = NULL;
  size_t cap = 0;
  long n = 0, max = 1024;
  reqs = malloc(max * sizeof *reqs);
  req_len = malloc(max * sizeof *req_len);
  ssize_t got;
  while ((got = getline(&line, &cap, f)) > 0) {
    if (line[got - 1] == '\n') line[--got] = 0;
    char *tab = strchr(line, '\t');
    if (!tab) continue;
    *tab = 0;
    const char *body = tab + 1;
    if (n == max) {
      max *= 2;
      reqs = realloc(reqs, max * sizeof *reqs);
      req_len = realloc(req_len, max * sizeof *req_len);
    }
    int w = asprintf(&reqs[n], "POST /api/v1/bookings HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\n\r\n%s", line, strlen(body), body);
    if (w < 0) exit(2);
    req_len[n++] = (size_t)w;
  }
  free(line);
  fclose(f);
  nreq = n;
  lat = calloc(n ? n : 1, sizeof *lat);
  status = calloc(n ? n : 1, sizeof *status);
}

static int dial(int ep, struct conn *c) {
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (c->fd < 0) return -1;
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS) {
    close(c->fd);
    return -1;
  }
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.ptr = c};
  epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
  c->len = 0;
  return 0;
}

/* Start the next request on C, if any is left (closed loop); in the open
** loop C waits among the idle ones for the next request that falls due. */
static void start(struct conn *c) {
  c->sent = 0;
  c->len = 0;
  if (rate > 0) {
    c->req = -1;
    idle[(idle_head + nidle++) % idle_cap] = c;
    return;
  }
  c->req = next_req < nreq ? next_req++ : -1;
  c->t0 = now();
}

static void flush(struct conn *c);

/* Open loop: every request due by now goes out on an idle connection, timed
** from when it was due. */
static void send_due(void) {
  double t = now();
  while (next_req < nreq && nidle > 0 && t_start + (double)next_req / rate <= t) {
    struct conn *c = idle[idle_head];
    idle_head = (idle_head + 1) % idle_cap;
    nidle--;
    c->req = next_req;
    c->t0 = t_start + (double)next_req / rate;
    next_req++;
    flush(c);
  }
}

static void flush(struct conn *c) {
  while (c->req >= 0 && c->sent < req_len[c->req]) {
    ssize_t w = send(c->fd, reqs[c->req] + c->sent, req_len[c->req] - c->sent, MSG_NOSIGNAL);
    if (w <= 0) return;
    c->sent += (size_t)w;
  }
}

/* 1 when C's buffer holds a whole response: its status into *ST, and whether
** the server closes the connection after it into *CLOSE. */
static int complete(struct conn *c, int *st, int *close_after) {
  c->buf[c->len] = 0;
  char *end = strstr(c->buf, "\r\n\r\n");
  if (!end) return 0;
  size_t head = (size_t)(end + 4 - c->buf);
  char *cl = strcasestr(c->buf, "\r\nContent-Length:");
  size_t body = cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0;
  if (c->len < head + body) return 0;
  *st = atoi(c->buf + 9);
  char *conn_h = strcasestr(c->buf, "\r\nConnection: close");
  *close_after = conn_h && conn_h < end;
  return 1;
}

static void retire(int ep, struct conn *c, int st) {
  if (c->req >= 0) {
    lat[c->req] = (now() - c->t0) * 1000.0;
    status[c->req] = st;
    done_req++;
  }
  (void)ep;
}

static void on_event(int ep, struct conn *c, int closed) {
  for (;;) {
    ssize_t r = recv(c->fd, c->buf + c->len, sizeof c->buf - 1 - c->len, 0);
    if (r > 0) {
      c->len += (size_t)r;
      continue;
    }
    if (r == 0 || (r < 0 && errno != EAGAIN)) closed = 1;
    break;
  }
  int st, close_after;
  if (c->req >= 0 && complete(c, &st, &close_after)) {
    retire(ep, c, st);
    if (close_after) closed = 1;
    else {
      start(c);
      flush(c);
      return;
    }
  }
  if (closed) {
    if (c->req >= 0 && c->sent) { /* lost mid-request: counted, not retried */
      errors++;
      retire(ep, c, 0);
      c->req = -1;
    }
    close(c->fd);
    long keep = c->req;
    if (next_req < nreq || keep >= 0) {
      if (dial(ep, c) == 0) {
        if (keep < 0) start(c);
        else { c->sent = 0; if (rate <= 0) c->t0 = now(); }
      } else {
        errors++;
      }
    }
    return;
  }
  flush(c);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: burst PORT FILE CONNECTIONS [SECONDS]\n");
    return 2;
  }
  port = atoi(argv[1]);
  load(argv[2]);
  int nconn = atoi(argv[3]);
  double limit = argc > 4 ? atof(argv[4]) : 120;
  rate = argc > 5 ? atof(argv[5]) : 0;
  if (nconn > nreq) nconn = (int)nreq;
  int ep = epoll_create1(0);
  struct conn *cs = calloc(nconn ? nconn : 1, sizeof *cs);
  idle_cap = nconn ? nconn : 1;
  idle = calloc(idle_cap, sizeof *idle);
  t_start = now();
  for (int i = 0; i < nconn; i++) {
    if (dial(ep, &cs[i]) != 0) { errors++; continue; }
    start(&cs[i]);
  }
  /* open loop: the rate starts once every connection is dialled (~20 us each here), not
  ** while this thread is still busy dialling them, which would charge the server for it */
  if (rate > 0) t_start = now();
  struct epoll_event evs[512];
  while (done_req < nreq && now() - t_start < limit) {
    if (rate > 0) send_due();
    int n = epoll_wait(ep, evs, 512, rate > 0 ? 1 : 1000);
    for (int i = 0; i < n; i++)
      on_event(ep, evs[i].data.ptr, (evs[i].events & (EPOLLERR | EPOLLHUP)) != 0);
  }
  double secs = now() - t_start;
  long ok = 0, conflict = 0, other = 0, answered = 0;
  double *l = malloc((nreq ? nreq : 1) * sizeof *l);
  for (long i = 0; i < nreq; i++) {
    if (!status[i]) continue;
    l[answered++] = lat[i];
    if (status[i] == 201) ok++;
    else if (status[i] == 409) conflict++;
    else other++;
  }
  /* the first request of each connection includes its TCP connect and accept */
  long nfirst = 0, nrest = 0;
  double *lf = malloc((nreq ? nreq : 1) * sizeof *lf), *lr = malloc((nreq ? nreq : 1) * sizeof *lr);
  for (long i = 0; i < nreq; i++) {
    if (!status[i]) continue;
    if (i < nconn) lf[nfirst++] = lat[i];
    else lr[nrest++] = lat[i];
  }
  qsort(lf, nfirst, sizeof *lf, cmp);
  qsort(lr, nrest, sizeof *lr, cmp);
  qsort(l, answered, sizeof *l, cmp);
  double p50 = answered ? l[answered / 2] : 0, p99 = answered ? l[(answered * 99) / 100] : 0;
  double mx = answered ? l[answered - 1] : 0;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
                  (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
  fprintf(stderr, "p90 %.1f first-requests p50 %.1f p99 %.1f, later p50 %.1f p99 %.1f\n",
          answered ? l[answered * 9 / 10] : 0, nfirst ? lf[nfirst / 2] : 0,
          nfirst ? lf[nfirst * 99 / 100] : 0, nrest ? lr[nrest / 2] : 0,
          nrest ? lr[nrest * 99 / 100] : 0);
  /* the held and the refused apart: only the held wait for a batch's fsync */
  long nok = 0, nno = 0;
  for (long i = 0; i < nreq; i++) {
    if (status[i] == 201) lf[nok++] = lat[i];
    else if (status[i]) lr[nno++] = lat[i];
  }
  qsort(lf, nok, sizeof *lf, cmp);
  qsort(lr, nno, sizeof *lr, cmp);
  fprintf(stderr, "held p50 %.1f p99 %.1f, refused p50 %.1f p99 %.1f\n", nok ? lf[nok / 2] : 0,
          nok ? lf[nok * 99 / 100] : 0, nno ? lr[nno / 2] : 0, nno ? lr[nno * 99 / 100] : 0);
  free(lf);
  free(lr);
  printf("result: attempts %ld ok %ld conflict %ld other %ld unanswered %ld errors %ld "
         "seconds %.3f p50 %.1f p99 %.1f max %.1f cpu_ms %.0f\n",
         nreq, ok, conflict, other, nreq - answered, errors, secs, p50, p99, mx, cpu_ms);
  return 0;
}
