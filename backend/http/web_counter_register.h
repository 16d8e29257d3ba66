/*
** http/web_counter_register.h: registering a citizen at the counter
** (利用者の登録 (窓口), /counter/register; docs/counter.md): a person without
** internet or a phone gets a system ID from a clerk, and a printed slip with
** the ID and a one-time code to set a password later. Staff and admins.
*/
#ifndef KOMINKAN_HTTP_WEB_COUNTER_REGISTER_H
#define KOMINKAN_HTTP_WEB_COUNTER_REGISTER_H

#include "http.h"

struct reply web_counter_register(struct req *r);
struct reply web_counter_register_post(struct req *r);

#endif
