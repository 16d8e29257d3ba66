/*
** http/forms.h: POST /forms/booking|group|discount|cancel, the online forms
** (docs/web.md). Each answers a browser with a receipt page or the form
** again, and a program (Accept: application/json) with JSON; every
** submission is recorded with its receipt number (core/submissions.h).
*/
#ifndef KOMINKAN_HTTP_FORMS_H
#define KOMINKAN_HTTP_FORMS_H

#include "http.h"

struct reply form_booking(struct req *r);
struct reply form_group(struct req *r);
struct reply form_discount(struct req *r);
struct reply form_cancel(struct req *r);

#endif
