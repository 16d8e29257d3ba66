/*
** http/api_counter.h: the counter desk endpoints (core/counter.c,
** core/payments.c). Staff and admin only; see docs/counter.md.
*/
#ifndef KOMINKAN_HTTP_API_COUNTER_H
#define KOMINKAN_HTTP_API_COUNTER_H

#include "http.h"

struct reply api_counter_today(struct req *r);
struct reply api_counter_walkin(struct req *r);
struct reply api_counter_ledger(struct req *r);
struct reply api_counter_ledger_csv(struct req *r);
struct reply api_booking_checkin(struct req *r);
struct reply api_booking_noshow(struct req *r);
struct reply api_booking_pay(struct req *r);
struct reply api_booking_payments(struct req *r);

#endif
