/*
** core/vec.h: room for one more element in a malloc'd array, for the loaders
** that read an unknown number of rows into a typed view.
**
**   struct row *rows = NULL;
**   int n = 0, cap = 0;
**   while (db_step(st) == DB_ROW) {
**     if (vec_grow((void **)&rows, n, &cap, sizeof *rows)) ...out of memory...
**     fill(&rows[n++]);
**   }
*/
#ifndef KOMINKAN_CORE_VEC_H
#define KOMINKAN_CORE_VEC_H

#include <stddef.h>

/* Make room for element N of *ARR, which has room for *CAP (doubling, from
** 16). 0, or -1 when out of memory (*ARR and *CAP unchanged). */
int vec_grow(void **arr, int n, int *cap, size_t size);

#endif
