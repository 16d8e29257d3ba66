/*
** core/text.c: UTF-8 checks (see text.h).
*/
#include "text.h"

#include <string.h>

/* The length of the well-formed UTF-8 character at S[0..N), or 0. */
static size_t char_len(const unsigned char *s, size_t n) {
  unsigned c = s[0];
  if (c < 0x80) return 1;
  size_t len;
  unsigned cp, min;
  if ((c & 0xe0) == 0xc0) len = 2, cp = c & 0x1f, min = 0x80;
  else if ((c & 0xf0) == 0xe0) len = 3, cp = c & 0x0f, min = 0x800;
  else if ((c & 0xf8) == 0xf0) len = 4, cp = c & 0x07, min = 0x10000;
  else return 0;
  if (len > n) return 0;
  for (size_t k = 1; k < len; k++) {
    if ((s[k] & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (s[k] & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return len;
}

int text_utf8_valid(const char *str, size_t n) {
  const unsigned char *s = (const unsigned char *)str;
  for (size_t i = 0, len; i < n; i += len)
    if (!(len = char_len(s + i, n - i))) return 0;
  return 1;
}

size_t text_utf8_prefix(const char *str, size_t max) {
  const unsigned char *s = (const unsigned char *)str;
  size_t n = s ? strnlen(str, max) : 0, i = 0, len;
  while (i < n && (len = char_len(s + i, n - i))) i += len;
  return i;
}

size_t text_utf8_len(const char *s) {
  size_t n = 0;
  for (; *s; s++)
    if (((unsigned char)*s & 0xc0) != 0x80) n++;
  return n;
}

int text_has_invisible(const char *s) {
  /* RULE: nothing invisible that changes how text reads. A bidi override
  ** (U+202E) in a group's name shows staff, the CSV exports and the public
  ** group list letters in another order than they are stored; a zero-width
  ** space makes two names look alike. Refused: C1 controls U+0080-009F,
  ** U+200B, U+200E-200F, U+202A-202E, U+2060-2064, U+2066-2069, U+FEFF.
  ** Allowed: U+200C/U+200D (joiners inside emoji and some scripts). */
  const unsigned char *p = (const unsigned char *)s;
  for (; *p; p++) {
    if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) return 1;
    if (p[0] == 0xe2 && p[1] == 0x80 &&
        (p[2] == 0x8b || p[2] == 0x8e || p[2] == 0x8f || (p[2] >= 0xaa && p[2] <= 0xae)))
      return 1;
    if (p[0] == 0xe2 && p[1] == 0x81 && ((p[2] >= 0xa0 && p[2] <= 0xa4) || (p[2] >= 0xa6 && p[2] <= 0xa9)))
      return 1;
    if (p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) return 1;
  }
  return 0;
}

int text_has_control(const char *s) {
  for (const char *p = s; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) return 1;
  }
  return text_has_invisible(s);
}

void text_fold_phone(char *s) {
  /* the 3-byte UTF-8 sequences read as a hyphen in a phone number */
  static const char *const dashes[] = {"\xef\xbc\x8d", "\xe2\x88\x92", "\xe2\x80\x90",
                                       "\xe2\x80\x91", "\xe2\x80\x93", "\xe2\x80\x94",
                                       "\xe2\x80\x95", "\xe3\x83\xbc"};
  const unsigned char *p = (const unsigned char *)s;
  char *o = s;
  while (*p) {
    if (*p == ' ' || *p == '\t') { p++; continue; }
    if (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80) { p += 3; continue; } /* U+3000 */
    if (p[0] == 0xef && p[1] == 0xbc && p[2] >= 0x90 && p[2] <= 0x99) { /* U+FF10..FF19 */
      *o++ = (char)('0' + (p[2] - 0x90));
      p += 3;
      continue;
    }
    int dash = 0;
    for (size_t i = 0; i < sizeof dashes / sizeof dashes[0] && !dash; i++)
      dash = p[0] && p[1] && p[2] && !memcmp(p, dashes[i], 3);
    if (dash) {
      *o++ = '-';
      p += 3;
      continue;
    }
    *o++ = (char)*p++;
  }
  *o = 0;
}

void text_fold_kana(char *s, int to_katakana) {
  unsigned char *p = (unsigned char *)s;
  for (; *p; p++) {
    if (p[0] != 0xe3 || !p[1] || !p[2]) continue;
    unsigned cp = 0x3000u | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu);
    if (to_katakana && cp >= 0x3041 && cp <= 0x3096) cp += 0x60;
    else if (!to_katakana && cp >= 0x30a1 && cp <= 0x30f6) cp -= 0x60;
    else continue;
    p[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
    p[2] = (unsigned char)(0x80 | (cp & 0x3f));
    p += 2;
  }
}
