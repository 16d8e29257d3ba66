/* http/api_rounds.h: the monthly allocation round's routes (api_rounds.c). */
#ifndef KOMINKAN_HTTP_API_ROUNDS_H
#define KOMINKAN_HTTP_API_ROUNDS_H

#include "http.h"

struct reply api_rounds_list(struct req *r);
struct reply api_round_get(struct req *r);
struct reply api_round_apply(struct req *r);
struct reply api_round_close(struct req *r);
struct reply api_round_apps_mine(struct req *r);
struct reply api_round_app_cancel(struct req *r);

#endif
