/*
** core/counter_int.h: helpers shared by core/counter.c (the desk's actions)
** and core/counter_ledger.c (the ledger). Private to core/counter*.c.
*/
#ifndef KOMINKAN_CORE_COUNTER_INT_H
#define KOMINKAN_CORE_COUNTER_INT_H

#include <jansson.h>

#include "ctx.h"
#include "kerr.h"
#include "rules.h"

/* ["morning","afternoon"] for "morning,afternoon" (a new array). */
json_t *counter_slots_array(const char *slots);

/* CODE, or the actor's home centre when CODE is NULL or "": 0, or
** KERR_VALIDATION / KERR_NOT_FOUND in EI. */
int counter_resolve_center(struct kctx *ctx, const char *code, const struct center **out,
                           struct kerrinfo *ei);

#endif
