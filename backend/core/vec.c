/*
** core/vec.c: growing arrays (see vec.h).
*/
#include "vec.h"

#include <stdlib.h>

int vec_grow(void **arr, int n, int *cap, size_t size) {
  if (n < *cap) return 0;
  int c = *cap ? *cap * 2 : 16;
  void *p = realloc(*arr, (size_t)c * size);
  if (!p) return -1;
  *arr = p;
  *cap = c;
  return 0;
}
