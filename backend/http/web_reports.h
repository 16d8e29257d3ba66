/*
** http/web_reports.h: the analysts' page with the usage charts (issue 8).
*/
#ifndef KOMINKAN_HTTP_WEB_REPORTS_H
#define KOMINKAN_HTTP_WEB_REPORTS_H

#include "http.h"

struct reply web_reports(struct req *r);

#endif
