/*
** http/form.h: application/x-www-form-urlencoded bodies.
*/
#ifndef KOMINKAN_HTTP_FORM_H
#define KOMINKAN_HTTP_FORM_H

#include <jansson.h>
#include <stddef.h>

/* Parse BODY[0..LEN) into an object of strings; a key given more than once
** becomes an array of its values in order. Returns a new reference, or NULL
** with *ERR set to KERR_BAD_REQUEST (bad %-escape) or KERR_BAD_UTF8. */
json_t *form_parse(const char *body, size_t len, int *err);

#endif
