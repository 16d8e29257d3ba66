/*
** http/forms.h: POST /forms/booking|group|discount|cancel, the online forms
** (docs/web.md). Each answers a browser with a receipt page or the form
** again, and a program (Accept: application/json) with JSON; every
** submission is recorded with its receipt number (core/submissions.h).
*/
#ifndef KOMINKAN_HTTP_FORMS_H
#define KOMINKAN_HTTP_FORMS_H

#include <stdint.h>

#include "http.h"

/* What an accepted form made or changed, handed to its receipt page. */
struct booking_view;
struct form_result {
  int64_t id;                          /* the booking, group or application */
  const struct booking_view *booking;  /* booking and cancellation: as it now stands */
};

struct reply form_booking(struct req *r);
struct reply form_group(struct req *r);
struct reply form_discount(struct req *r);
struct reply form_cancel(struct req *r);

#endif
