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

/* An integer member in LO..HI: a JSON integer; with FORM (an HTML form or a
** file's cells, kctx.form, where every value is text) also a string of
** digits (ASCII or full-width). INPUT_MISSING when absent or null (and with
** FORM, ""); INPUT_BAD otherwise when not such a number or out of range: a
** JSON body's "12" (or "", 1.5, true) is refused, not read as a number. */
int input_int(const json_t *in, const char *key, int form, long long lo, long long hi,
              long long *out);

/* The message for member KEY that input_int refused: when a JSON body sent
** digits as text ("12" for 12), one saying so (the field's own message
** would only puzzle: "12" is a number to a person); else (a "x", a -1, a
** 1.5) MSG, the field's own. */
const char *input_int_message(const json_t *in, const char *key, int form, const char *msg);

/* A boolean member: JSON true/false; with FORM (the body came as an HTML
** form, kctx.form, where every value is text) also "1"/"true"/"on"/"yes" and
** "0"/"false"/"off"/"no"/"". INPUT_MISSING when absent or null; INPUT_BAD
** for anything else: a JSON body's "yes", "1" or 1 is refused, not guessed. */
int input_bool(const json_t *in, const char *key, int form, int *out);

#endif
