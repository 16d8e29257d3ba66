/*
** core/rules_check.h: the rule-book loader's problems list and getters
** (core/rules_check.c). Private to core/rules*.c: nothing else includes it.
**
** Each getter reads OBJ[KEY] (path BASE.KEY) and records a problem at that
** path when the value is missing (and REQUIRED), of the wrong type or out of
** range; see rules_check.c for each one's contract.
*/
#ifndef KOMINKAN_CORE_RULES_CHECK_H
#define KOMINKAN_CORE_RULES_CHECK_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "rules.h"

/* Paths are cut at PATHMAX bytes; no path of a sane rule book comes close. */
#define PATHMAX 256

/* The state of one validation run: where problems go and which file is read. */
struct vctx {
  json_t *problems;   /* array of strings, owned by the caller of rules_load */
  const char *file;   /* file name (without directory) for messages */
  int nfailed;        /* problems that could not be recorded (out of memory) */
};

#define WEEKDAY_EXPECTED "expected a weekday: sun, mon, tue, wed, thu, fri or sat"
#define get_obj(c, o, b, k, r) get_container(c, o, b, k, r, 0)
#define get_arr(c, o, b, k, r) get_container(c, o, b, k, r, 1)

extern const char *const weekday_names[7];

void problem(struct vctx *c, const char *path, const char *fmt, ...);
const char *sub(char *buf, const char *base, const char *key);
const char *idx(char *buf, const char *base, size_t i);
json_t *member(struct vctx *c, json_t *obj, const char *base, const char *key,
               int required, int *rc);
int get_str(struct vctx *c, json_t *obj, const char *base, const char *key,
            int required, char *out, size_t outsz);
int is_code(const char *s);
int get_code(struct vctx *c, json_t *obj, const char *base, const char *key,
             int required, char *out, size_t outsz);
int get_int(struct vctx *c, json_t *obj, const char *base, const char *key,
            int required, int lo, int hi, int *out);
int get_bool(struct vctx *c, json_t *obj, const char *base, const char *key,
             int required, int *out);
int get_number(struct vctx *c, json_t *obj, const char *base, const char *key,
               int required, double lo, double hi, double *out);
int get_hhmm(struct vctx *c, json_t *obj, const char *base, const char *key,
             int required, int *out);
int get_date(struct vctx *c, json_t *obj, const char *base, const char *key,
             int required, int32_t *out);
int get_month_day(struct vctx *c, json_t *obj, const char *base, const char *key,
                  int required, int *out);
int parse_weekday(json_t *v);
int get_weekday(struct vctx *c, json_t *obj, const char *base, const char *key,
                int required, int *out);
json_t *get_container(struct vctx *c, json_t *obj, const char *base, const char *key,
                      int required, int want_array);
void check_keys(struct vctx *c, json_t *obj, const char *base,
                const char *const *allowed);
int get_validity(struct vctx *c, json_t *obj, const char *base, const char *key,
                 int required, int *kind, int *days);

#endif
