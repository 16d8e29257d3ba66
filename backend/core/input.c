/*
** core/input.c: body members from JSON or forms (see input.h).
*/
#include "input.h"

#include <limits.h>
#include <string.h>
#include <strings.h>

static int is_space_at(const char *s, size_t *len) {
  if (*s == ' ' || *s == '\t') return (*len = 1), 1;
  if ((unsigned char)s[0] == 0xe3 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0x80)
    return (*len = 3), 1;
  return 0;
}

int input_text(const json_t *in, const char *key, char *buf, size_t cap) {
  const json_t *v = in ? json_object_get(in, key) : NULL;
  buf[0] = 0;
  if (!v || json_is_null(v)) return INPUT_MISSING;
  if (!json_is_string(v)) return INPUT_BAD;
  const char *s = json_string_value(v), *e = s + json_string_length(v);
  size_t k;
  while (s < e && is_space_at(s, &k)) s += k;
  /* trailing: step back over spaces (ASCII or the 3-byte U+3000) */
  for (;;) {
    if (e > s && (e[-1] == ' ' || e[-1] == '\t')) e--;
    else if (e - s >= 3 && (unsigned char)e[-3] == 0xe3 && (unsigned char)e[-2] == 0x80 &&
             (unsigned char)e[-1] == 0x80)
      e -= 3;
    else break;
  }
  size_t n = (size_t)(e - s);
  if (n == 0) return INPUT_MISSING;
  if (n >= cap) return INPUT_BAD;
  memcpy(buf, s, n);
  buf[n] = 0;
  return INPUT_OK;
}

int input_not_text(const json_t *in, const char *key) {
  const json_t *v = in ? json_object_get(in, key) : NULL;
  return v && !json_is_null(v) && !json_is_string(v);
}

int input_int(const json_t *in, const char *key, int form, long long lo, long long hi,
              long long *out) {
  const json_t *v = in ? json_object_get(in, key) : NULL;
  *out = 0;
  if (!v || json_is_null(v)) return INPUT_MISSING;
  if (json_is_integer(v)) {
    long long x = json_integer_value(v);
    if (x < lo || x > hi) return INPUT_BAD;
    *out = x;
    return INPUT_OK;
  }
  /* digits as text only from a form: JSON has numbers for numbers */
  if (!form || !json_is_string(v)) return INPUT_BAD;
  char buf[64];
  int rc = input_text(in, key, buf, sizeof buf);
  if (rc != INPUT_OK) return rc;
  long long x = 0;
  int digits = 0;
  for (const unsigned char *p = (const unsigned char *)buf; *p;) {
    int d;
    if (*p >= '0' && *p <= '9') d = *p++ - '0';
    else if (p[0] == 0xef && p[1] == 0xbc && p[2] >= 0x90 && p[2] <= 0x99) d = p[2] - 0x90, p += 3;
    else return INPUT_BAD;
    if (++digits > 12) return INPUT_BAD;
    x = x * 10 + d;
  }
  if (x < lo || x > hi) return INPUT_BAD;
  *out = x;
  return INPUT_OK;
}

const char *input_int_message(const json_t *in, const char *key, int form, const char *msg) {
  long long x;
  /* digits a form would have taken: the mistake is the quotes, not the number */
  if (!form && json_is_string(in ? json_object_get(in, key) : NULL) &&
      input_int(in, key, 1, 0, LLONG_MAX, &x) == INPUT_OK)
    return "数は引用符で囲まずに、JSON の数値で送ってください（\"12\" ではなく 12）。";
  return msg;
}

int input_bool(const json_t *in, const char *key, int form, int *out) {
  const json_t *v = in ? json_object_get(in, key) : NULL;
  *out = 0;
  if (!v || json_is_null(v)) return INPUT_MISSING;
  if (json_is_boolean(v)) {
    *out = json_is_true(v);
    return INPUT_OK;
  }
  if (!form || !json_is_string(v)) return INPUT_BAD;
  static const char *const yes[] = {"1", "true", "on", "yes", NULL};
  static const char *const no[] = {"0", "false", "off", "no", "", NULL};
  const char *s = json_string_value(v);
  for (const char *const *p = yes; *p; p++)
    if (!strcasecmp(s, *p)) return (*out = 1), INPUT_OK;
  for (const char *const *p = no; *p; p++)
    if (!strcasecmp(s, *p)) return INPUT_OK;
  return INPUT_BAD;
}
