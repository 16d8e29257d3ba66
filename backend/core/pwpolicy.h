/*
** core/pwpolicy.h: which passwords are refused, beyond their length.
**
** A password is refused when it is one of the 30,000 most common passwords
** (backend/data/common-passwords.txt, compiled in; its source is in
** backend/data/README.md), or such a password with only digits and symbols
** added before or after it ("password2026!"), or a run of very few different
** characters or straight up or down the digits or alphabet ("123456789012"),
** or when it holds the person's own system ID, name (or its kana) or phone
** number: the first things anyone who knows the person would try. Letters are compared without
** case, and katakana as hiragana.
**
** Every message says why, in plain Japanese, so that the person can choose
** another password at once.
*/
#ifndef KOMINKAN_CORE_PWPOLICY_H
#define KOMINKAN_CORE_PWPOLICY_H

#include <stddef.h>
#include <stdint.h>

/* What is known about the person the password is for (any member may be 0
** or NULL: at sign-up the system ID is not drawn yet). */
struct pwpolicy_person {
  int64_t system_id;
  const char *name, *name_kana, *phone;
};

/* NULL if PW (valid UTF-8, length already checked) may be used by WHO (may be
** NULL), else the Japanese message saying why not. */
const char *pwpolicy_check(const char *pw, const struct pwpolicy_person *who);

/* 1 if PW, folded (lower case), is on the common-password list. */
int pwpolicy_is_common(const char *pw);

/* The number of passwords on the compiled-in list. */
size_t pwpolicy_list_size(void);

#endif
