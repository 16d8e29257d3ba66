/*
** http/api_opendata.c: the open data files. The formats are in
** docs/opendata.md; the files are built by core/opendata.c.
*/
#include "api_opendata.h"

#include <stdio.h>
#include <stdlib.h>

#include "../core/clock.h"
#include "../core/opendata.h"
#include "reply.h"

#define CSV_TYPE "text/csv; charset=utf-8"

static struct reply csv_reply(struct req *r, char *body, size_t len, const char *filename,
                              const char *cache) {
  struct reply rep = reply_owned(r, 200, CSV_TYPE, body, len);
  reply_attachment(&rep, filename);
  reply_header(&rep, "Access-Control-Allow-Origin", "*");
  reply_header(&rep, "Cache-Control", cache);
  return rep;
}

/* GET /opendata/facilities.csv -> 200 text/csv: the centres in the 公共施設一覧
** layout of the 自治体標準オープンデータセット (UTF-8 with BOM, CRLF). Anyone. */
struct reply api_opendata_facilities(struct req *r) {
  size_t len;
  char *csv = opendata_facilities_csv(r->ctx.rb, clock_today(r->ctx.now), &len);
  if (!csv) return reply_error(r, KERR_INTERNAL, NULL);
  return csv_reply(r, csv, len, "102016_public_facility_kominkan.csv",
                   "public, max-age=300");
}

/* GET /opendata/usage.csv[?year=YYYY] -> 200 text/csv: each centre's use by
** month of a fiscal year, the months ended (UTF-8 with BOM, CRLF); 422
** validation for a year that is not one. Anyone. */
struct reply api_opendata_usage(struct req *r) {
  struct kerrinfo ei = {0};
  char *csv;
  size_t len;
  int err = opendata_usage_csv(&r->ctx, req_query(r, "year"), &csv, &len, &ei);
  if (err) {
    struct reply ret = reply_error(r, err, &ei);
    kerr_clear(&ei);
    return ret;
  }
  return csv_reply(r, csv, len, "102016_kominkan_usage.csv", "no-cache");
}

/* GET /opendata/availability.csv?from=D&to=D[&center=CODE] -> 200 text/csv:
** room states per date and slot (UTF-8 with BOM, CRLF); 422 validation for a
** missing or impossible date, to before from, or more than 92 days; 404 for
** an unknown centre. Anyone. */
struct reply api_opendata_availability(struct req *r) {
  struct kerrinfo ei = {0};
  char *csv;
  size_t len;
  int err = opendata_availability_csv(&r->ctx, req_query(r, "from"), req_query(r, "to"),
                                      req_query(r, "center"), &csv, &len, &ei);
  if (err) {
    struct reply ret = reply_error(r, err, &ei);
    kerr_clear(&ei);
    return ret;
  }
  return csv_reply(r, csv, len, "102016_kominkan_availability.csv", "no-cache");
}
