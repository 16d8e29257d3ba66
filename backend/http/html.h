/*
** http/html.h: the one writer of HTML. Text is escaped by default; markup is
** written with html_raw() only, whose argument must be a constant or
** something this program built. Nothing the user typed reaches a page unescaped.
**
**   html_printf(h, "<td>%h</td><a href=\"/x?c=%u\">%h</a>", name, code, label);
**
** Formats: %h HTML-escaped text, %u URL-encoded text, %d int, %I int64, %s
** ONLY constant markup (trusted), %% a percent sign.
*/
#ifndef KOMINKAN_HTTP_HTML_H
#define KOMINKAN_HTTP_HTML_H

#include <stddef.h>
#include <stdint.h>

struct html {
  char *p;
  size_t n, cap;
  int oom;
};

void html_raw(struct html *h, const char *s);
void html_rawn(struct html *h, const char *s, size_t n);
void html_text(struct html *h, const char *s);     /* escaped */
void html_url(struct html *h, const char *s);      /* percent-encoded */
void html_printf(struct html *h, const char *fmt, ...);
/* Give the buffer away (caller frees); H is left empty. */
char *html_take(struct html *h, size_t *len);
void html_free(struct html *h);

#endif
