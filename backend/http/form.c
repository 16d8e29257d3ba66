/*
** http/form.c: the form-urlencoded parser (see form.h). Shared by the online
** forms and the fuzz harness.
*/
#include "form.h"

#include <stdlib.h>
#include <string.h>

#include "../core/kerr.h"
#include "../core/text.h"

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Decode S[0..N) into a new NUL-terminated string; NULL on a bad escape. */
static char *decode(const char *s, size_t n) {
  char *out = malloc(n + 1), *o = out;
  if (!out) return NULL;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '+') {
      *o++ = ' ';
    } else if (s[i] == '%') {
      int a, b;
      if (i + 2 >= n || (a = hexval(s[i + 1])) < 0 || (b = hexval(s[i + 2])) < 0) goto bad;
      if (a == 0 && b == 0) goto bad; /* no NUL inside text */
      *o++ = (char)(a * 16 + b);
      i += 2;
    } else if (s[i] == 0) {
      goto bad;
    } else {
      *o++ = s[i];
    }
  }
  *o = 0;
  return out;
bad:
  free(out);
  return NULL;
}

json_t *form_parse(const char *body, size_t len, int *err) {
  json_t *obj = json_object();
  size_t i = 0;
  *err = 0;
  while (obj && i < len) {
    size_t end = i;
    while (end < len && body[end] != '&') end++;
    size_t eq = i;
    while (eq < end && body[eq] != '=') eq++;
    if (end > i) {
      char *k = decode(body + i, eq - i);
      char *v = decode(body + (eq < end ? eq + 1 : end), eq < end ? end - eq - 1 : 0);
      int bad = !k || !v;
      if (!bad && (!text_utf8_valid(k, strlen(k)) || !text_utf8_valid(v, strlen(v)))) {
        *err = KERR_BAD_UTF8;
      } else if (bad) {
        *err = KERR_BAD_REQUEST;
      } else if (*k) {
        json_t *old = json_object_get(obj, k);
        if (!old) {
          json_object_set_new(obj, k, json_string(v));
        } else if (json_is_array(old)) {
          json_array_append_new(old, json_string(v));
        } else {
          json_t *arr = json_array();
          json_array_append(arr, old);
          json_array_append_new(arr, json_string(v));
          json_object_set_new(obj, k, arr);
        }
      }
      free(k);
      free(v);
      if (*err) {
        json_decref(obj);
        return NULL;
      }
    }
    i = end + 1;
  }
  if (!obj) *err = KERR_INTERNAL;
  return obj;
}
