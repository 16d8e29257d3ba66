/*
** core/ids.c: system IDs and group IDs (see ids.h).
*/
#include "ids.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

int ids_check_digit(int64_t payload) {
  /* Luhn: from the rightmost payload digit leftwards, double every other
  ** digit starting with the rightmost (it sits next to the check digit). */
  int sum = 0, dbl = 1;
  for (int i = 0; i < 8; i++, payload /= 10, dbl = !dbl) {
    int d = (int)(payload % 10);
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - sum % 10) % 10;
}

int ids_valid(int64_t id) {
  if (id < IDS_MIN || id > IDS_MAX) return 0;
  return ids_check_digit(id / 10) == (int)(id % 10);
}

int64_t ids_random(void) {
  int64_t payload = 1 + (int64_t)randombytes_uniform(9);
  for (int i = 0; i < 7; i++) payload = payload * 10 + (int64_t)randombytes_uniform(10);
  return payload * 10 + ids_check_digit(payload);
}

int ids_parse(const char *s, int64_t *out) {
  char digits[16];
  int n = 0;
  const unsigned char *p = (const unsigned char *)(s ? s : "");
  *out = 0;
  while (*p) {
    if (*p >= '0' && *p <= '9') {
      if (n >= 9) return IDS_FORMAT;
      digits[n++] = (char)*p++;
    } else if (p[0] == 0xef && p[1] == 0xbc && p[2] >= 0x90 && p[2] <= 0x99) {
      /* U+FF10..U+FF19 FULLWIDTH DIGIT ZERO..NINE */
      if (n >= 9) return IDS_FORMAT;
      digits[n++] = (char)('0' + (p[2] - 0x90));
      p += 3;
    } else if (*p == ' ' || *p == '-' || *p == '\t') {
      p++;
    } else if (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80) { /* U+3000 ideographic space */
      p += 3;
    } else if (p[0] == 0xe2 && p[1] == 0x88 && p[2] == 0x92) { /* U+2212 minus sign */
      p += 3;
    } else if (p[0] == 0xef && p[1] == 0xbc && p[2] == 0x8d) { /* U+FF0D fullwidth hyphen */
      p += 3;
    } else {
      return IDS_FORMAT;
    }
  }
  if (n == 0) return IDS_EMPTY;
  if (n != 9 || digits[0] == '0') return IDS_FORMAT;
  int64_t v = 0;
  for (int i = 0; i < 9; i++) v = v * 10 + (digits[i] - '0');
  if (!ids_valid(v)) return IDS_CHECK;
  *out = v;
  return IDS_OK;
}

int ids_parse_json(const json_t *v, int64_t *out) {
  *out = 0;
  if (!v || json_is_null(v)) return IDS_EMPTY;
  if (json_is_string(v)) return ids_parse(json_string_value(v), out);
  if (json_is_integer(v)) {
    json_int_t i = json_integer_value(v);
    if (i < IDS_MIN || i > IDS_MAX) return IDS_FORMAT;
    if (!ids_valid(i)) return IDS_CHECK;
    *out = i;
    return IDS_OK;
  }
  return IDS_FORMAT;
}

void ids_message(int rc, const char *what, char *out, size_t outlen) {
  switch (rc) {
    case IDS_EMPTY: snprintf(out, outlen, "%sを入力してください。", what); break;
    case IDS_CHECK:
      snprintf(out, outlen,
               "%sの入力に誤りがあります。最後の1けた（確認用の数字）が合いません。"
               "数字を打ち間違えていないか、もう一度確かめてください。",
               what);
      break;
    case IDS_FORMAT:
    default: snprintf(out, outlen, "%sは9けたの数字で入力してください。", what); break;
  }
}

void ids_format(int64_t id, char *out) { snprintf(out, 10, "%09lld", (long long)(id % 1000000000)); }

void ids_format_spaced(int64_t id, char *out) {
  char s[10];
  ids_format(id, s);
  snprintf(out, 12, "%.3s %.3s %.3s", s, s + 3, s + 6);
}

json_t *ids_json(int64_t id) {
  char s[10];
  ids_format(id, s);
  return json_string(s);
}
