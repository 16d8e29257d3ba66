/*
** core/csv.c: CSV text (see csv.h).
*/
#include "csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(struct csvbuf *b, size_t more) {
  if (b->oom) return -1;
  if (b->n + more + 1 <= b->cap) return 0;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->n + more + 1) cap *= 2;
  char *p = realloc(b->p, cap);
  if (!p) {
    b->oom = 1;
    return -1;
  }
  b->p = p;
  b->cap = cap;
  return 0;
}

void csv_raw(struct csvbuf *b, const char *s, size_t n) {
  if (grow(b, n)) return;
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = 0;
}

void csv_bom(struct csvbuf *b) { csv_raw(b, "\xEF\xBB\xBF", 3); }

void csv_field(struct csvbuf *b, const char *s) {
  if (!s) s = "";
  if (b->in_row) csv_raw(b, ",", 1);
  b->in_row = 1;
  if (!strpbrk(s, ",\"\r\n")) {
    csv_raw(b, s, strlen(s));
    return;
  }
  csv_raw(b, "\"", 1);
  for (const char *q; (q = strchr(s, '"')); s = q + 1) {
    csv_raw(b, s, (size_t)(q - s));
    csv_raw(b, "\"\"", 2);
  }
  csv_raw(b, s, strlen(s));
  csv_raw(b, "\"", 1);
}

void csv_field_as(struct csvbuf *b, const char *s, int flags) {
  if (!s) s = "";
  int defuse = (flags & CSV_DEFUSE) && s[0] && strchr("=+-@\t\r", s[0]);
  int quote = (flags & CSV_QUOTE_ALL) || strpbrk(s, ",\"\r\n");
  if (!defuse && !quote && !(flags & CSV_ONE_LINE)) {
    csv_field(b, s);
    return;
  }
  if (b->in_row) csv_raw(b, ",", 1);
  b->in_row = 1;
  if (quote) csv_raw(b, "\"", 1);
  if (defuse) csv_raw(b, "'", 1);
  for (; *s; s++) {
    if (*s == '"') csv_raw(b, "\"\"", 2);
    else if ((flags & CSV_ONE_LINE) && (*s == '\r' || *s == '\n')) csv_raw(b, " ", 1);
    else csv_raw(b, s, 1);
  }
  if (quote) csv_raw(b, "\"", 1);
}

void csv_int(struct csvbuf *b, int64_t v) {
  char s[24];
  snprintf(s, sizeof s, "%lld", (long long)v);
  csv_field(b, s);
}

void csv_ratio(struct csvbuf *b, double v) {
  char s[32] = "";
  if (v >= 0) snprintf(s, sizeof s, "%.4f", v);
  csv_field(b, s);
}

void csv_end_row(struct csvbuf *b) {
  csv_raw(b, "\r\n", 2);
  b->in_row = 0;
}

char *csv_take(struct csvbuf *b, size_t *len) {
  char *p = b->oom ? NULL : b->p;
  if (!p && !b->oom) p = calloc(1, 1);
  if (b->oom) free(b->p);
  if (len) *len = p ? b->n : 0;
  memset(b, 0, sizeof *b);
  return p;
}

void csv_free(struct csvbuf *b) {
  free(b->p);
  memset(b, 0, sizeof *b);
}
