/*
** http/api_closures.h: the city's closures of a centre or a room (issue 14;
** docs/operations.md "Closing a centre or a room"; core/closures.h).
*/
#ifndef KOMINKAN_HTTP_API_CLOSURES_H
#define KOMINKAN_HTTP_API_CLOSURES_H

#include "http.h"

struct reply api_closures_list(struct req *r);
struct reply api_closures_create(struct req *r);
struct reply api_closure_get(struct req *r);
struct reply api_closure_lift(struct req *r);
struct reply api_me_closures(struct req *r);

#endif
