/*
** http/api_reports.c: the usage log and the reports for the working group
** (analyst, admin; docs/reports.md). The figures are computed by
** core/reports.c and the log is read by core/usagelog.c; this file parses
** the query, picks JSON or CSV and, for the log, streams.
**
** Staff read the monthly statistics (月報) of their home centre, which the
** centres used to compile by hand; core/reports.c (reports_scope) keeps them
** to it. The usage report and the log stay with analysts and admins: the
** binding contract names them as the readers, and the log follows
** pseudonymous people through time (docs/reports.md, "Who may read").
*/
#include "api_reports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/bookings.h"
#include "../core/clock.h"
#include "../core/courses.h"
#include "../core/reports.h"
#include "../core/usagelog.h"
#include "reply.h"

#define CSV_TYPE "text/csv; charset=utf-8"
#define JSONL_TYPE "application/x-ndjson; charset=utf-8"
#define STREAM_BLOCK (32 * 1024)

/* 1 if the client asked for CSV: ?format=csv, or Accept naming text/csv
** (and ?format=json not given). */
/* 1 if the CSV should have Japanese column names (?header=ja: the reports
** page's downloads, for a spreadsheet); the API's default is the keys. */
static int wants_ja(struct req *r) {
  const char *h = req_query(r, "header");
  return h && !strcmp(h, "ja");
}

static int wants_csv(struct req *r) {
  const char *f = req_query(r, "format");
  if (f && !strcasecmp(f, "csv")) return 1;
  if (f && !strcasecmp(f, "json")) return 0;
  const char *a = req_header(r, MHD_HTTP_HEADER_ACCEPT);
  return a && strcasestr(a, "text/csv") != NULL;
}

/* ?from=D&to=D, both required. 0, or KERR_VALIDATION with field messages. */
static int period(struct req *r, int32_t *from, int32_t *to, struct kerrinfo *ei) {
  const char *f = req_query(r, "from"), *t = req_query(r, "to");
  if (!f || !*f) kerr_field(ei, "from", "始めの日（from）を YYYY-MM-DD の形で指定してください。");
  else if (date_parse(f, from))
    kerr_field(ei, "from", "始めの日（from）は YYYY-MM-DD の形で、実在する日付を指定してください。");
  if (!t || !*t) kerr_field(ei, "to", "終わりの日（to）を YYYY-MM-DD の形で指定してください。");
  else if (date_parse(t, to))
    kerr_field(ei, "to", "終わりの日（to）は YYYY-MM-DD の形で、実在する日付を指定してください。");
  if (!ei->fields && *from > *to)
    kerr_field(ei, "to", "終わりの日（to）は、始めの日（from）と同じか後の日にしてください。");
  if (!ei->fields && *to - *from + 1 > REPORTS_MAX_DAYS)
    kerr_field(ei, "to", "一度に取り出せる期間は5年（1827日）までです。");
  return ei->fields ? KERR_VALIDATION : 0;
}

static struct reply text_reply(struct req *r, char *body, size_t len, const char *ctype,
                               const char *filename) {
  struct reply rep = reply_owned(r, 200, ctype, body, len);
  if (filename) reply_attachment(&rep, filename);
  reply_header(&rep, "Vary", "Accept");
  return rep;
}

/* ------------------------------------------------------------ events */

/* A stream of the log: its own read-only connection and the cursor over it.
** libmicrohttpd calls the reader from the thread that serves the connection,
** one call at a time, and the free callback once, when the response is done
** with (sent, or the client went away): the connection is private to the
** stream and lives exactly as long. */
struct stream {
  struct usagelog *ul; /* over a reader connection of its own (usagelog_open_reader) */
};

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max) {
  (void)pos;
  struct stream *s = cls;
  long n = usagelog_read(s->ul, buf, max);
  if (n > 0) return (ssize_t)n;
  if (n == 0) return MHD_CONTENT_READER_END_OF_STREAM;
  fprintf(stderr, "events: the stream stopped on a database error\n");
  return MHD_CONTENT_READER_END_WITH_ERROR;
}

static void stream_free(void *cls) {
  struct stream *s = cls;
  usagelog_close(s->ul);
  free(s);
}

/* GET /api/v1/events?from=D&to=D[&format=csv] -> 200 the usage log of the
** events that happened on days D..D (Japan time), oldest first, streamed:
** JSON Lines (application/x-ndjson), or CSV with Accept: text/csv or
** format=csv. 422 validation for a missing or impossible date, to before
** from, or more than 1827 days. Analyst, admin. */
struct reply api_events(struct req *r) {
  struct kerrinfo ei = {0};
  int32_t from = 0, to = 0;
  int err = period(r, &from, &to, &ei);
  if (err) return reply_core(r, err, 0, NULL, &ei);
  int csv = wants_csv(r);

  /* Holds that lapsed since the last write get their lapse event now, so
  ** the log read out is complete up to this moment (bounded: a backlog
  ** beyond 64 x 64 holds is left to the next reader or write). */
  for (int round = 0, n = 64; round < 64 && n == 64; round++)
    if (booking_sweep_lapsed(&r->ctx, 64, &n)) break;

  struct stream *s = calloc(1, sizeof *s);
  if (!s) return reply_error(r, KERR_INTERNAL, NULL);
  int format = !csv ? USAGELOG_JSONL : wants_ja(r) ? USAGELOG_CSV_JA : USAGELOG_CSV;
  if ((err = usagelog_open_reader(from, to, format, &s->ul))) {
    free(s);
    return reply_error(r, err, NULL);
  }
  struct MHD_Response *resp =
      MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK, stream_read, s, stream_free);
  if (!resp) {
    stream_free(s);
    return reply_fail();
  }
  reply_headers(resp, csv ? CSV_TYPE : JSONL_TYPE, 1);
  struct reply rep = reply_take(200, resp);
  if (csv) {
    char name[64], a[11], b[11];
    date_format(from, a);
    date_format(to, b);
    snprintf(name, sizeof name, "events_%s_%s.csv", a, b);
    reply_attachment(&rep, name);
  }
  reply_header(&rep, "Vary", "Accept");
  return rep;
}

/* ------------------------------------------------------------ usage */

/* GET /api/v1/reports/usage?from=D&to=D&by=center|room|slot|weekday|month
** [&center=CODE][&format=csv] -> 200 {"from","to","by","center",
** "generated_at","provisional","rows":[{"key","label","slots_available",
** "slots_booked","occupancy",...}],"total":{...}}, or CSV with Accept:
** text/csv. by also takes kind, weekday_slot, center_month, channel,
** registration. 422 validation for a missing or bad date or by, an unknown
** centre, or more than 1827 days. Analyst, admin. */
struct reply api_report_usage(struct req *r) {
  struct kerrinfo ei = {0};
  int32_t from = 0, to = 0;
  period(r, &from, &to, &ei);
  const char *by = req_query(r, "by");
  int dims = reports_dims_parse(by);
  if (dims < 0) {
    char names[256], msg[400];
    reports_dims_names(names, sizeof names);
    snprintf(msg, sizeof msg, "集計の単位（by）は %s のどれかを指定してください。", names);
    kerr_field(&ei, "by", msg);
  }
  if (ei.fields) return reply_core(r, KERR_VALIDATION, 0, NULL, &ei);
  struct report *rep = NULL;
  int err = reports_usage(&r->ctx, from, to, dims, req_query(r, "center"), &rep, &ei);
  if (err) return reply_core(r, err, 0, NULL, &ei);
  struct reply ret;
  if (wants_csv(r)) {
    size_t len = 0;
    char *csv = reports_usage_csv(rep, wants_ja(r), &len), name[96], a[11], b[11];
    date_format(from, a);
    date_format(to, b);
    snprintf(name, sizeof name, "usage_%s_%s_%s.csv", by, a, b);
    ret = text_reply(r, csv, len, CSV_TYPE, name);
  } else {
    ret = reply_json(r, 200, reports_usage_json(&r->ctx, rep, by));
  }
  reports_free(rep);
  return ret;
}

/* ---------------------------------------------------------- monthly */

/* GET /api/v1/reports/monthly?month=YYYY-MM[&center=CODE][&format=csv] ->
** 200 the unified monthly statistics {"month","from","to","center",
** "center_name","generated_at","provisional","totals","by_room_kind",
** "by_channel","by_registration","revenue_by_method","by_center"?}, or CSV
** with Accept: text/csv. 422 validation for a missing or bad month or an
** unknown centre. Analyst, admin; staff their home centre's (no centre
** means it; another centre, or no home centre, is 403 forbidden). */
struct reply api_report_monthly(struct req *r) {
  struct kerrinfo ei = {0};
  int32_t first = 0;
  const char *month = req_query(r, "month");
  if (!month || !*month) {
    kerr_field(&ei, "month", "集計する月（month）を YYYY-MM の形で指定してください。");
    return reply_core(r, KERR_VALIDATION, 0, NULL, &ei);
  }
  if (reports_month_parse(month, &first)) {
    kerr_field(&ei, "month", "集計する月（month）は YYYY-MM の形（例: 2026-05）で指定してください。");
    return reply_core(r, KERR_VALIDATION, 0, NULL, &ei);
  }
  json_t *mo = NULL;
  int err = reports_monthly(&r->ctx, first, req_query(r, "center"), &mo, &ei);
  if (err) return reply_core(r, err, 0, NULL, &ei);
  if (wants_csv(r)) {
    size_t len = 0;
    char *csv = reports_monthly_csv(mo, wants_ja(r), &len), name[96];
    const char *c = json_string_value(json_object_get(mo, "center"));
    snprintf(name, sizeof name, "monthly_%s_%s.csv", month, c ? c : "all");
    json_decref(mo);
    return text_reply(r, csv, len, CSV_TYPE, name);
  }
  return reply_json(r, 200, mo);
}

/* GET /api/v1/courses/report?from=D&to=D[&center=CODE][&format=csv
** [&header=ja]] -> 200 courses held, applicants, attendance by centre and
** category (core/courses.h), or CSV with format=csv or Accept: text/csv;
** 422 a bad date or centre. Staff, admins, analysts. */
struct reply api_report_courses(struct req *r) {
  struct kerrinfo ei = {0};
  struct course_report rep;
  int rc = courses_report(&r->ctx, req_query(r, "from"), req_query(r, "to"),
                          req_query(r, "center"), &rep, &ei);
  if (rc || !wants_csv(r)) {
    json_t *out = rc ? NULL : courses_report_json(&rep);
    courses_report_free(&rep);
    if (!rc && !out) rc = kerr_set(&ei, KERR_INTERNAL, NULL);
    return reply_core(r, rc, 200, out, &ei);
  }
  size_t len = 0;
  char *csv = courses_report_csv(&rep, wants_ja(r), &len), name[64];
  snprintf(name, sizeof name, "courses_%s_%s.csv", rep.from, rep.to);
  courses_report_free(&rep);
  return csv ? text_reply(r, csv, len, CSV_TYPE, name) : reply_fail();
}
