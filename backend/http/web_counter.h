/*
** http/web_counter.h: the counter page (窓口) and the printable daily
** ledger, for staff and admins (docs/web.md).
*/
#ifndef KOMINKAN_HTTP_WEB_COUNTER_H
#define KOMINKAN_HTTP_WEB_COUNTER_H

#include "http.h"

struct reply web_counter(struct req *r);
struct reply web_counter_walkin(struct req *r);
struct reply web_counter_checkin(struct req *r);
struct reply web_counter_confirm(struct req *r);
struct reply web_counter_noshow(struct req *r);
struct reply web_counter_cancel(struct req *r);
struct reply web_counter_book(struct req *r);
struct reply web_counter_book_post(struct req *r);
struct reply web_counter_permit(struct req *r);
struct reply web_counter_receipt(struct req *r);
struct reply web_counter_pay(struct req *r);
struct reply web_counter_ledger(struct req *r);

#endif
