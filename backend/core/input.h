/*
** core/input.h: reading members of a request body, whether it came as JSON
** or as an HTML form (where every value is a string: "5", "on").
**
** Core functions that validate what a person typed take the body as a JSON
** object and read it through these, so that the JSON API and the no-script
** forms share one validation with one set of messages.
*/
#ifndef KOMINKAN_CORE_INPUT_H
#define KOMINKAN_CORE_INPUT_H

#include <jansson.h>
#include <stddef.h>

enum { INPUT_MISSING = 0, INPUT_OK, INPUT_BAD };

/* The string member KEY of IN with leading and trailing spaces (ASCII and
** U+3000) removed, copied into BUF. INPUT_MISSING when absent, null or empty
** after trimming; INPUT_BAD when not a string or longer than CAP-1 bytes. */
int input_text(const json_t *in, const char *key, char *buf, size_t cap);

/* 1 when member KEY of IN is there but is no string (a number, an array, an
** object, true): INPUT_BAD from input_text, told apart from "too long" so
** that the message says what is wrong. */
int input_not_text(const json_t *in, const char *key);

/* An integer member in LO..HI: a JSON integer, or a string of digits (ASCII
** or full-width). INPUT_MISSING when absent, null or ""; INPUT_BAD otherwise
** when not such a number or out of range. */
int input_int(const json_t *in, const char *key, long long lo, long long hi, long long *out);

/* A boolean member: JSON true/false; with FORM (the body came as an HTML
** form, kctx.form, where every value is text) also "1"/"true"/"on"/"yes" and
** "0"/"false"/"off"/"no"/"". INPUT_MISSING when absent or null; INPUT_BAD
** for anything else: a JSON body's "yes", "1" or 1 is refused, not guessed. */
int input_bool(const json_t *in, const char *key, int form, int *out);

#endif
