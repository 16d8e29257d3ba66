/*
** http/api_opendata.h: the open data files (docs/opendata.md).
*/
#ifndef KOMINKAN_HTTP_API_OPENDATA_H
#define KOMINKAN_HTTP_API_OPENDATA_H

#include "http.h"

enum MHD_Result api_opendata_facilities(struct req *r);
enum MHD_Result api_opendata_availability(struct req *r);

#endif
