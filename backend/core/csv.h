/*
** core/csv.h: a growing text buffer that writes CSV (RFC 4180 quoting, CRLF
** line ends), shared by the reports and the usage log.
**
** CSV for people's spreadsheets starts with a UTF-8 byte order mark, so that
** Excel opens Japanese text as UTF-8 (the open-data CSVs do the same).
**
**   struct csvbuf b = {0};
**   csv_bom(&b);
**   csv_field(&b, "key"); csv_field(&b, "label"); csv_end_row(&b);
**   char *text = csv_take(&b, &len);   // caller frees; NULL when out of memory
*/
#ifndef KOMINKAN_CORE_CSV_H
#define KOMINKAN_CORE_CSV_H

#include <stddef.h>
#include <stdint.h>

struct csvbuf {
  char *p;
  size_t n, cap;
  int oom;              /* an allocation failed: csv_take() gives NULL */
  int in_row;           /* a field was written on the current row */
};

void csv_bom(struct csvbuf *b);
void csv_raw(struct csvbuf *b, const char *s, size_t n);
/* One field; quoted when it holds a comma, a quote, CR or LF. NULL is empty. */
void csv_field(struct csvbuf *b, const char *s);
/* The writers' policies, for csv_field_as():
**   CSV_QUOTE_ALL  quote every field (the open-data files do);
**   CSV_DEFUSE     text typed by people: a leading = + - @ TAB CR gets a ' in
**                  front, so a spreadsheet shows it instead of running it;
**   CSV_ONE_LINE   CR and LF inside a field become spaces (one record, one line). */
enum { CSV_QUOTE_ALL = 1, CSV_DEFUSE = 2, CSV_ONE_LINE = 4 };
void csv_field_as(struct csvbuf *b, const char *s, int flags);
void csv_int(struct csvbuf *b, int64_t v);
/* A ratio with 4 decimals ("0.6250"); empty when V < 0 (undefined). */
void csv_ratio(struct csvbuf *b, double v);
void csv_end_row(struct csvbuf *b);
/* The text, NUL-terminated (caller frees), its length in *LEN; NULL when out
** of memory. B is left empty. */
char *csv_take(struct csvbuf *b, size_t *len);
void csv_free(struct csvbuf *b);          /* drop the text; B is left empty */

#endif
