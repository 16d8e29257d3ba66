/*
** core/text.h: small text checks shared by validation and the HTTP gate.
*/
#ifndef KOMINKAN_CORE_TEXT_H
#define KOMINKAN_CORE_TEXT_H

#include <stddef.h>

/* 1 if S[0..N) is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
int text_utf8_valid(const char *s, size_t n);

/* The length in bytes of the longest prefix of S, at most MAX bytes, that is
** well-formed UTF-8 and ends on a character boundary: what a "%.40s" must be
** when S may hold multi-byte characters (a cut inside one makes the text
** invalid, and jansson refuses it). Stops at the first ill-formed byte. */
size_t text_utf8_prefix(const char *s, size_t max);

/* Number of code points in the UTF-8 string S (assumed valid). */
size_t text_utf8_len(const char *s);

/* 1 if S has any control character other than tab/newline, or an invisible
** character that changes how it reads (text_has_invisible). */
int text_has_control(const char *s);

/* 1 if S (valid UTF-8) has a C1 control, a bidi override, embedding,
** isolate or mark, a zero-width space, a word joiner or a byte order mark. */
int text_has_invisible(const char *s);

/* Folds, in place, what a phone keyboard types for a telephone number into
** ASCII: full-width digits (０-９) into 0-9; full-width hyphen, minus sign,
** dashes and the long-vowel mark (－ − ‐ ‑ – — ― ー) into '-'; drops spaces
** (ASCII and the ideographic space). Anything else is left for the check. */
void text_fold_phone(char *s);

/* Folds, in place, the kana of S (valid UTF-8) into one script: hiragana
** (ぁ-ゖ, U+3041-3096) into katakana (ァ-ヶ) with TO_KATAKANA 1, katakana into
** hiragana with 0. Each is 3 bytes in both scripts, so S keeps its length;
** anything else (ー included: both scripts use it) is left as it is. For
** searches that find 「まえばし」 in 「マエバシ」 and the other way round. */
void text_fold_kana(char *s, int to_katakana);

#endif
