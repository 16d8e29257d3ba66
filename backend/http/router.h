/*
** http/router.h: the route table and the one gate in front of every handler.
*/
#ifndef KOMINKAN_HTTP_ROUTER_H
#define KOMINKAN_HTTP_ROUTER_H

#include "http.h"

/* Match R, run the gate and the handler; send the one reply (reply_send). */
enum MHD_Result router_dispatch(struct req *r);

/* The route table, ending with an entry whose method is NULL (for the
** access-matrix test and the OpenAPI cross-check). */
extern const struct route router_routes[];

#endif
