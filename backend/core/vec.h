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

#include <jansson.h>
#include <stddef.h>

#include "../store/db.h"

/* The end of a loader's loop over ST: ST reset; with RC DB_DONE, *OUT = ARR
** and 0; else ARR freed, *OUT NULL, *N 0 and the KERR code of RC. */
int vec_rows_end(kstmt *st, int rc, void *arr, void **out, int *n);

/* Make room for element N of *ARR, which has room for *CAP (doubling, from
** 16). 0, or -1 when out of memory (*ARR and *CAP unchanged). */
int vec_grow(void **arr, int n, int *cap, size_t size);

/* {KEY: [TO(&ITEMS[0]), ..., TO(&ITEMS[N-1])]}, ITEMS being N elements of
** SIZE bytes (a typed view's list): the JSON of a list route, built from the
** views. A new reference, NULL when out of memory. */
json_t *vec_json(const char *key, const void *items, int n, size_t size,
                 json_t *(*to)(const void *));

#endif
