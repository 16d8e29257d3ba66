/*
** http/api_discounts.h: fee exemptions (減免).
*/
#ifndef KOMINKAN_HTTP_API_DISCOUNTS_H
#define KOMINKAN_HTTP_API_DISCOUNTS_H

#include "http.h"

enum MHD_Result api_discount_apply(struct req *r);
enum MHD_Result api_discounts_list(struct req *r);
enum MHD_Result api_discount_get(struct req *r);
enum MHD_Result api_discount_decide(struct req *r);

#endif
