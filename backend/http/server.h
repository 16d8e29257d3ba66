/*
** http/server.h: the libmicrohttpd daemon.
*/
#ifndef KOMINKAN_HTTP_SERVER_H
#define KOMINKAN_HTTP_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "suspend.h"

struct server_opts {
  char host[64];             /* "127.0.0.1" */
  int port;                  /* 0 picks a free port */
  int threads;               /* 0: one per core */
  unsigned conn_timeout;     /* seconds of inactivity before a connection is dropped */
  unsigned conn_limit;       /* connections at once */
  unsigned per_ip_limit;     /* connections at once from one address */
  size_t conn_memory;        /* bytes per connection for headers and buffers */
  struct suspend_opts pools; /* the hash pool and the group-commit writer */
  int use_epoll;             /* 1: a daemon per thread on our epoll loop (server.c); 0: libmicrohttpd's poll pool */
};

struct server;

/* Start serving; *PORT gets the port bound. NULL on failure (message on stderr). */
struct server *server_start(const struct server_opts *o, int *port);
void server_stop(struct server *s);     /* NULL is a no-op */

#endif
