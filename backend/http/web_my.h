/*
** http/web_my.h: マイページ: bookings, one booking (confirm, cancel), the
** permit with its QR code (docs/web.md).
*/
#ifndef KOMINKAN_HTTP_WEB_MY_H
#define KOMINKAN_HTTP_WEB_MY_H

#include <jansson.h>

#include "../core/bookings.h"
#include "http.h"

struct reply web_my(struct req *r);
struct reply web_my_booking(struct req *r);
struct reply web_my_confirm(struct req *r);
struct reply web_my_permit(struct req *r);
struct reply web_my_cancel(struct req *r);

/* The cancellation form again (for /forms/cancel), like web_booking_form. */
struct reply web_cancel_form(struct req *r, unsigned status, const json_t *values,
                                const char *message, const json_t *errors, const char *receipt);
/* The receipt of a cancellation: RES->booking as cancelled. */
struct form_result;
struct reply web_cancel_receipt(struct req *r, const char *receipt,
                                const struct form_result *res);

/* "確定", "仮予約 (まだ確定していません)", ... for a booking status
** (booking_status_name for BOOKING_UNKNOWN). */
const char *web_my_status_label(enum booking_status s);

#endif
