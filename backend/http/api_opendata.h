/*
** http/api_opendata.h: the open data files (docs/opendata.md).
*/
#ifndef KOMINKAN_HTTP_API_OPENDATA_H
#define KOMINKAN_HTTP_API_OPENDATA_H

#include "http.h"

struct reply api_opendata_facilities(struct req *r);
struct reply api_opendata_availability(struct req *r);
struct reply api_opendata_usage(struct req *r);

#endif
