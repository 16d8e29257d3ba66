/*
** http/conncount.h: the connection limits, counted where connections are
** accepted (server.c).
**
** Each worker thread runs a libmicrohttpd daemon of its own, so the library's
** own --conn-limit and --per-ip-limit would count per thread; one table here
** counts for the whole server. The acceptor takes a place before it hands a
** connection on, and the place is given back once, when the connection ends
** (or at once, if libmicrohttpd refused it).
*/
#ifndef KOMINKAN_HTTP_CONNCOUNT_H
#define KOMINKAN_HTTP_CONNCOUNT_H

#include <stdint.h>

enum conncount_result {
  CONNCOUNT_OK,
  CONNCOUNT_FULL,     /* --conn-limit connections are open */
  CONNCOUNT_PER_IP,   /* --per-ip-limit connections are open from this address */
  CONNCOUNT_NOMEM
};

/* LIMIT connections at once, PER_IP from one address (0: no per-address
** limit). Call before any other function; conncount_reset() frees the table. */
void conncount_init(unsigned limit, unsigned per_ip);
void conncount_reset(void);

/* Take a place for a connection from IPV4 (network byte order). */
enum conncount_result conncount_take(uint32_t ipv4);
/* Give back the place taken for a connection from IPV4. */
void conncount_give(uint32_t ipv4);

/* Connections counted now, in all and from IPV4. */
unsigned conncount_total(void);
unsigned conncount_of(uint32_t ipv4);

#endif
