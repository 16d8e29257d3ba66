/*
** core/pwpolicy.c: the password policy (see pwpolicy.h).
**
** The list is compiled in from backend/data/common-passwords.txt by the
** Makefile (build/gen/common_passwords.c), sorted in byte order, so a check
** is one binary search with no file to find at run time.
*/
#include "pwpolicy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ids.h"

extern const char *const pwpolicy_common[];   /* build/gen/common_passwords.c */
extern const size_t pwpolicy_common_count;

#define FOLD_MAX 1024   /* a password is at most 128 code points: 512 bytes */

size_t pwpolicy_list_size(void) { return pwpolicy_common_count; }

static int cmp(const void *key, const void *elem) {
  return strcmp((const char *)key, *(const char *const *)elem);
}

int pwpolicy_is_common(const char *pw) {
  return bsearch(pw, pwpolicy_common, pwpolicy_common_count, sizeof pwpolicy_common[0], cmp) !=
         NULL;
}

/* S folded into OUT: ASCII letters lower case, katakana (U+30A1-U+30F6) as
** hiragana, U+3000 as an ASCII space, spaces dropped when DROP_SPACES. */
static void fold(const char *s, char *out, size_t cap, int drop_spaces) {
  size_t n = 0;
  const unsigned char *p = (const unsigned char *)s;
  while (*p && n + 4 < cap) {
    if (*p < 0x80) {
      unsigned char c = *p++;
      if (drop_spaces && c == ' ') continue;
      out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    } else if (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80) {   /* U+3000 */
      if (!drop_spaces) out[n++] = ' ';
      p += 3;
    } else if (p[0] == 0xe3 && (p[1] == 0x82 || p[1] == 0x83) && p[2]) {
      unsigned cp = ((p[0] & 0x0fu) << 12) | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu);
      if (cp >= 0x30a1 && cp <= 0x30f6) cp -= 0x60;   /* katakana -> hiragana */
      out[n++] = (char)(0xe0 | (cp >> 12));
      out[n++] = (char)(0x80 | ((cp >> 6) & 0x3f));
      out[n++] = (char)(0x80 | (cp & 0x3f));
      p += 3;
    } else {
      out[n++] = (char)*p++;
    }
  }
  out[n] = 0;
}

static int is_filler(unsigned char c) { return c < 0x80 && !(c >= 'a' && c <= 'z'); }

/* The common password with digits and symbols added before or after it. */
static int common_with_filler(const char *folded) {
  const char *b = folded, *e = folded + strlen(folded);
  while (b < e && is_filler((unsigned char)*b)) b++;
  while (e > b && is_filler((unsigned char)e[-1])) e--;
  size_t n = (size_t)(e - b);
  if (n < 4 || n == strlen(folded)) return 0;
  char core[FOLD_MAX];
  memcpy(core, b, n);
  core[n] = 0;
  return pwpolicy_is_common(core);
}

/* Fewer than 4 different code points ("aaaaaaaaaaaa", "abcabcabcabc"). */
static int too_few_kinds(const char *s) {
  char seen[4][5];
  int kinds = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p;) {
    size_t len = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : 4;
    char cp[5] = {0};
    memcpy(cp, p, len);
    p += len;
    int known = 0;
    for (int i = 0; i < kinds && !known; i++) known = !strcmp(seen[i], cp);
    if (known) continue;
    if (kinds == 4) return 0;
    memcpy(seen[kinds++], cp, 5);
  }
  return 1;
}

/* A run up or down the digits or the alphabet ("123456789012", "abcdefghijkl"). */
static int is_run(const char *s) {
  size_t n = strlen(s);
  int step = 0;
  for (size_t i = 1; i < n; i++) {
    unsigned char a = (unsigned char)s[i - 1], b = (unsigned char)s[i];
    int d;
    if (a >= '0' && a <= '9' && b >= '0' && b <= '9') d = (b - a + 10) % 10 == 1 ? 1 : (a - b + 10) % 10 == 1 ? -1 : 0;
    else if (a >= 'a' && a <= 'z' && b >= 'a' && b <= 'z') d = b - a;
    else return 0;
    if ((d != 1 && d != -1) || (step && d != step)) return 0;
    step = d;
  }
  return n > 1;
}

static void digits_of(const char *s, char *out, size_t cap) {
  size_t n = 0;
  for (; s && *s && n + 1 < cap; s++)
    if (*s >= '0' && *s <= '9') out[n++] = *s;
  out[n] = 0;
}

/* 1 if the folded password holds NAME whole (spaces dropped) or any of its
** space-separated parts of at least 2 code points (3 bytes of ASCII). */
static int long_enough(const char *s) {
  size_t cps = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) cps += (*p & 0xc0) != 0x80;
  return cps >= 2 && strlen(s) >= 3;
}

static int holds_name(const char *folded_pw, const char *name) {
  char whole[FOLD_MAX], spaced[FOLD_MAX];
  if (!name || !*name) return 0;
  fold(name, whole, sizeof whole, 1);
  if (long_enough(whole) && strstr(folded_pw, whole)) return 1;
  fold(name, spaced, sizeof spaced, 0);
  char *save = NULL;
  for (char *part = strtok_r(spaced, " ", &save); part; part = strtok_r(NULL, " ", &save))
    if (long_enough(part) && strstr(folded_pw, part)) return 1;
  return 0;
}

const char *pwpolicy_check(const char *pw, const struct pwpolicy_person *who) {
  char f[FOLD_MAX], digits[FOLD_MAX], want[32];
  fold(pw, f, sizeof f, 0);
  if (pwpolicy_is_common(f))
    return "このパスワードは、よく使われていて他人に当てられやすいため使えません。"
           "いくつかの言葉を組み合わせた、ほかの人が思いつかないものにしてください。";
  if (common_with_filler(f))
    return "よく使われるパスワードに数字や記号を足しただけのものは、他人に当てられやすいため使えません。"
           "いくつかの言葉を組み合わせた、ほかの人が思いつかないものにしてください。";
  if (too_few_kinds(f) || is_run(f))
    return "同じ文字のくり返しのような、単純なパスワードは使えません。";
  if (!who) return NULL;
  digits_of(pw, digits, sizeof digits);
  if (who->system_id > 0) {
    char id[16];
    ids_format(who->system_id, id);
    if (strstr(digits, id))
      return "パスワードに利用者番号を入れないでください。IDを知っている人に当てられやすくなります。";
  }
  digits_of(who->phone, want, sizeof want);
  if (strlen(want) >= 8 && strstr(digits, want))
    return "パスワードに電話番号を入れないでください。電話番号を知っている人に当てられやすくなります。";
  if (holds_name(f, who->name) || holds_name(f, who->name_kana))
    return "パスワードにお名前 (ふりがなも) を入れないでください。名前を知っている人に当てられやすくなります。";
  return NULL;
}
