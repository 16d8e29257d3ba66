/*
** core/vec.c: growing arrays (see vec.h).
*/
#include "vec.h"

#include <stdlib.h>

#include "kerr.h"

int vec_rows_end(kstmt *st, int rc, void *arr, void **out, int *n) {
  db_reset(st);
  if (rc == DB_DONE) {
    *out = arr;
    return 0;
  }
  free(arr);
  *out = NULL;
  *n = 0;
  return kerr_from_db(rc);
}

int vec_grow(void **arr, int n, int *cap, size_t size) {
  if (n < *cap) return 0;
  int c = *cap ? *cap * 2 : 16;
  void *p = realloc(*arr, (size_t)c * size);
  if (!p) return -1;
  *arr = p;
  *cap = c;
  return 0;
}

json_t *vec_json(const char *key, const void *items, int n, size_t size,
                 json_t *(*to)(const void *)) {
  json_t *arr = json_array();
  for (int i = 0; arr && i < n; i++)
    if (json_array_append_new(arr, to((const char *)items + (size_t)i * size))) {
      json_decref(arr);
      return NULL;
    }
  return arr ? json_pack("{s:o}", key, arr) : NULL;
}
