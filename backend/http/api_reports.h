/*
** http/api_reports.h: the usage log and the reports (analyst, admin;
** docs/reports.md).
*/
#ifndef KOMINKAN_HTTP_API_REPORTS_H
#define KOMINKAN_HTTP_API_REPORTS_H

#include "http.h"

struct reply api_events(struct req *r);
struct reply api_report_usage(struct req *r);
struct reply api_report_monthly(struct req *r);
struct reply api_report_courses(struct req *r); /* GET /api/v1/courses/report */

#endif
