/*
** core/ids.h: system IDs and group IDs.
**
** One form for both: 9 decimal digits, the first non-zero, the last a Luhn
** check digit over the first eight. IDs are drawn at random (libsodium's
** randombytes_uniform), never counted up, so that knowing one ID tells nothing
** about the next and the space cannot be walked. The check digit catches every
** single mistyped digit and most swaps of neighbouring digits, so a clerk or a
** citizen who mistypes an ID is told so instead of reaching someone else.
*/
#ifndef KOMINKAN_CORE_IDS_H
#define KOMINKAN_CORE_IDS_H

#include <jansson.h>
#include <stdint.h>

#define IDS_MIN 100000000LL   /* the smallest 9-digit number */
#define IDS_MAX 999999999LL

enum {
  IDS_OK = 0,
  IDS_EMPTY,          /* nothing typed */
  IDS_FORMAT,         /* not 9 digits (or starts with 0) */
  IDS_CHECK           /* 9 digits but the check digit does not match */
};

/* The Luhn check digit for the 8-digit payload PAYLOAD (0 <= PAYLOAD < 10^8). */
int ids_check_digit(int64_t payload);

/* 1 if ID is a well-formed 9-digit ID with a correct check digit. */
int ids_valid(int64_t id);

/* A new random well-formed ID (first digit 1-9, check digit last). The caller
** checks it against its table and draws again on a collision. */
int64_t ids_random(void);

/* Parse a typed ID. Spaces and hyphens between digits are ignored, and
** full-width digits (０-９, as a Japanese input method types them) count as
** digits. Returns IDS_OK with *OUT set, or IDS_EMPTY / IDS_FORMAT / IDS_CHECK. */
int ids_parse(const char *s, int64_t *out);

/* Like ids_parse for a JSON value: a string as above, or an integer. NULL or
** another type is IDS_EMPTY / IDS_FORMAT. */
int ids_parse_json(const json_t *v, int64_t *out);

/* A Japanese message for a non-OK ids_parse result, naming WHAT
** ("利用者番号", "団体ID"). Written into OUT (at least 256 bytes is plenty). */
void ids_message(int rc, const char *what, char *out, size_t outlen);

/* "123456782": OUT holds at least 10 bytes. */
void ids_format(int64_t id, char *out);

/* "123 456 782", as people read it aloud and copy it: OUT holds at least 12 bytes. */
void ids_format_spaced(int64_t id, char *out);

/* A new JSON string of ID ("123456782"). IDs go out as strings: they are
** read aloud and typed by people, like card numbers, not computed with. */
json_t *ids_json(int64_t id);

#endif
