/*
** tests/fuzz/fuzz_form.c: the application/x-www-form-urlencoded parser
** (http/form.c form_parse). Checks what form.h promises: NULL exactly when
** an error is reported, and otherwise an object whose values are strings or
** arrays of strings, all valid UTF-8 without NUL.
*/
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../backend/core/kerr.h"
#include "../../backend/core/text.h"
#include "../../backend/http/form.h"

static void check_string(json_t *s) {
  if (!json_is_string(s)) abort();
  const char *v = json_string_value(s);
  size_t n = json_string_length(s);
  if (strlen(v) != n || !text_utf8_valid(v, n)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int err = -1;
  json_t *o = form_parse((const char *)data, size, &err);
  if (!o) {
    if (err != KERR_BAD_REQUEST && err != KERR_BAD_UTF8 && err != KERR_INTERNAL) abort();
    return 0;
  }
  if (err != 0 || !json_is_object(o)) abort();
  const char *k;
  json_t *v;
  json_object_foreach(o, k, v) {
    if (!*k || !text_utf8_valid(k, strlen(k))) abort();
    if (json_is_array(v)) {
      size_t i;
      json_t *e;
      if (json_array_size(v) < 2) abort();
      json_array_foreach(v, i, e) check_string(e);
    } else {
      check_string(v);
    }
  }
  json_decref(o);
  return 0;
}
