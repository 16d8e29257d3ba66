/*
** http/api_bookings.h: bookings and digital permits (CONTRACT.md, Bookings).
*/
#ifndef KOMINKAN_HTTP_API_BOOKINGS_H
#define KOMINKAN_HTTP_API_BOOKINGS_H

#include "http.h"

struct reply api_booking_create(struct req *r);
struct reply api_booking_list(struct req *r);
struct reply api_booking_get(struct req *r);
struct reply api_booking_confirm(struct req *r);
struct reply api_booking_cancel(struct req *r);
struct reply api_booking_permit(struct req *r);
struct reply api_permit_verify(struct req *r);
struct reply api_permit_key(struct req *r);
struct reply api_sameday(struct req *r);

#endif
