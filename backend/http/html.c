/*
** http/html.c: the escaping HTML writer (see html.h).
*/
#include "html.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void html_rawn(struct html *h, const char *s, size_t n) {
  if (h->oom) return;
  if (h->n + n + 1 > h->cap) {
    size_t nc = h->cap ? h->cap * 2 : 8192;
    while (nc < h->n + n + 1) nc *= 2;
    char *np = realloc(h->p, nc);
    if (!np) {
      h->oom = 1;
      return;
    }
    h->p = np;
    h->cap = nc;
  }
  memcpy(h->p + h->n, s, n);
  h->n += n;
  h->p[h->n] = 0;
}

void html_raw(struct html *h, const char *s) { html_rawn(h, s, strlen(s)); }

void html_text(struct html *h, const char *s) {
  if (!s) return;
  const char *run = s;
  for (; *s; s++) {
    const char *rep = NULL;
    switch (*s) {
      case '&': rep = "&amp;"; break;
      case '<': rep = "&lt;"; break;
      case '>': rep = "&gt;"; break;
      case '"': rep = "&quot;"; break;
      case '\'': rep = "&#39;"; break;
      default: continue;
    }
    html_rawn(h, run, (size_t)(s - run));
    html_raw(h, rep);
    run = s + 1;
  }
  html_rawn(h, run, (size_t)(s - run));
}

void html_url(struct html *h, const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  if (!s) return;
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
        c == '-' || c == '_' || c == '.' || c == '~') {
      html_rawn(h, s, 1);
    } else {
      char e[3] = {'%', hex[c >> 4], hex[c & 15]};
      html_rawn(h, e, 3);
    }
  }
}

void html_printf(struct html *h, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const char *run = fmt;
  for (const char *f = fmt; *f; f++) {
    if (*f != '%') continue;
    html_rawn(h, run, (size_t)(f - run));
    char num[32];
    switch (*++f) {
      case 'h': html_text(h, va_arg(ap, const char *)); break;
      case 'u': html_url(h, va_arg(ap, const char *)); break;
      case 's': html_raw(h, va_arg(ap, const char *)); break;
      case 'd':
        snprintf(num, sizeof num, "%d", va_arg(ap, int));
        html_raw(h, num);
        break;
      case 'I':
        snprintf(num, sizeof num, "%" PRId64, va_arg(ap, int64_t));
        html_raw(h, num);
        break;
      case '%': html_rawn(h, "%", 1); break;
      case 0: f--; break;
      default: break;
    }
    run = f + 1;
  }
  html_raw(h, run);
  va_end(ap);
}

char *html_take(struct html *h, size_t *len) {
  char *p = h->oom ? NULL : h->p;
  if (h->oom) free(h->p);
  if (len) *len = p ? h->n : 0;
  memset(h, 0, sizeof *h);
  return p;
}

void html_free(struct html *h) {
  free(h->p);
  memset(h, 0, sizeof *h);
}
