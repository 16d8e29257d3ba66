/* http/web_rounds.h: the allocation round's pages (web_rounds.c). */
#ifndef KOMINKAN_HTTP_WEB_ROUNDS_H
#define KOMINKAN_HTTP_WEB_ROUNDS_H

#include "http.h"

struct reply web_admin_rounds(struct req *r);
struct reply web_admin_round(struct req *r);
struct reply web_admin_round_close(struct req *r);
struct reply web_my_rounds(struct req *r);
struct reply web_my_round_cancel(struct req *r);
struct reply web_round(struct req *r);
struct reply web_round_apply_form(struct req *r);
struct reply web_round_apply(struct req *r);

#endif
