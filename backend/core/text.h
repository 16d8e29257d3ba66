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

/* 1 if S has any control character other than tab/newline. */
int text_has_control(const char *s);

#endif
