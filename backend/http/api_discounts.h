/*
** http/api_discounts.h: fee exemptions (減免).
*/
#ifndef KOMINKAN_HTTP_API_DISCOUNTS_H
#define KOMINKAN_HTTP_API_DISCOUNTS_H

#include "http.h"

struct reply api_discount_apply(struct req *r);
struct reply api_discounts_list(struct req *r);
struct reply api_discount_get(struct req *r);
struct reply api_discount_decide(struct req *r);

#endif
