/*
** core/rules_check.c: the problems list and the getters of the rule-book
** loader (core/rules.c): each getter reads one value of a rules file into
** the struct and reports a problem at its JSON path when it is missing, of
** the wrong type or out of range. Private to the loader: rules_check.h.
*/
#include "rules_check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

/* ============================================================ problems */

/* Record "file: path: message" (or "file: message" when PATH is NULL). */
void problem(struct vctx *c, const char *path, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  json_t *s = path ? json_sprintf("%s: %s: %s", c->file, path, msg)
                   : json_sprintf("%s: %s", c->file, msg);
  if (!s || json_array_append_new(c->problems, s) != 0) c->nfailed++;
}

/* Paths are cut at PATHMAX bytes; no path of a sane rule book comes close. */

/* PATH of member KEY under BASE ("" is the top level) into BUF. */
const char *sub(char *buf, const char *base, const char *key) {
  int n = !base || !*base ? snprintf(buf, PATHMAX, "%s", key)
                          : snprintf(buf, PATHMAX, "%s.%s", base, key);
  if (n < 0) buf[0] = 0;
  return buf;
}

/* PATH of element I under BASE into BUF. */
const char *idx(char *buf, const char *base, size_t i) {
  if (snprintf(buf, PATHMAX, "%s[%zu]", base, i) < 0) buf[0] = 0;
  return buf;
}

/* ============================================================= getters
** Each getter reads OBJ[KEY] (path BASE.KEY). A missing REQUIRED key or a
** present value of the wrong shape is a problem and returns -1; a missing
** optional key returns 1 and leaves *OUT untouched; success returns 0. */

/* OBJ[KEY]; NULL with *RC -1 (missing, reported) or 1 (missing, optional). */
json_t *member(struct vctx *c, json_t *obj, const char *base, const char *key,
               int required, int *rc) {
  char p[PATHMAX];
  json_t *v = obj ? json_object_get(obj, key) : NULL;
  *rc = 0;
  if (!v) {
    if (required) problem(c, sub(p, base, key), "required key missing");
    *rc = required ? -1 : 1;
  }
  return v;
}

int get_str(struct vctx *c, json_t *obj, const char *base, const char *key,
            int required, char *out, size_t outsz) {
  char p[PATHMAX];
  int rc;
  json_t *v = member(c, obj, base, key, required, &rc);
  if (!v) return rc;
  if (!json_is_string(v)) {
    problem(c, sub(p, base, key), "expected a string");
    return -1;
  }
  size_t n = json_string_length(v);
  if (n == 0) {
    problem(c, sub(p, base, key), "expected a non-empty string");
    return -1;
  }
  if (out && n >= outsz) {
    problem(c, sub(p, base, key), "too long (at most %zu bytes)", outsz - 1);
    return -1;
  }
  if (out) memcpy(out, json_string_value(v), n + 1);
  return 0;
}

/* Whether S is a non-empty code: [a-z0-9_-]+. */
int is_code(const char *s) {
  if (!*s) return 0;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
      return 0;
  return 1;
}

/* A code: lower-case ASCII letters, digits, '_' and '-'. */
int get_code(struct vctx *c, json_t *obj, const char *base, const char *key,
             int required, char *out, size_t outsz) {
  char p[PATHMAX];
  int rc = get_str(c, obj, base, key, required, out, outsz);
  if (rc != 0) return rc;
  if (!is_code(out)) {
    problem(c, sub(p, base, key), "expected a code of lower-case letters, digits, '_' or '-'");
    out[0] = 0;
    return -1;
  }
  return 0;
}

int get_int(struct vctx *c, json_t *obj, const char *base, const char *key,
            int required, int lo, int hi, int *out) {
  char p[PATHMAX];
  int rc;
  json_t *v = member(c, obj, base, key, required, &rc);
  if (!v) return rc;
  if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
    problem(c, sub(p, base, key), "expected an integer from %d to %d", lo, hi);
    return -1;
  }
  *out = (int)json_integer_value(v);
  return 0;
}

int get_bool(struct vctx *c, json_t *obj, const char *base, const char *key,
             int required, int *out) {
  char p[PATHMAX];
  int rc;
  json_t *v = member(c, obj, base, key, required, &rc);
  if (!v) return rc;
  if (!json_is_boolean(v)) {
    problem(c, sub(p, base, key), "expected true or false");
    return -1;
  }
  *out = json_is_true(v);
  return 0;
}

int get_number(struct vctx *c, json_t *obj, const char *base, const char *key,
               int required, double lo, double hi, double *out) {
  char p[PATHMAX];
  int rc;
  json_t *v = member(c, obj, base, key, required, &rc);
  if (!v) return rc;
  if (!json_is_number(v) || json_number_value(v) < lo || json_number_value(v) > hi) {
    problem(c, sub(p, base, key), "expected a number from %g to %g", lo, hi);
    return -1;
  }
  *out = json_number_value(v);
  return 0;
}

/* "HH:MM" -> minutes after midnight. */
int get_hhmm(struct vctx *c, json_t *obj, const char *base, const char *key,
             int required, int *out) {
  char p[PATHMAX];
  int rc;
  json_t *v = member(c, obj, base, key, required, &rc);
  if (!v) return rc;
  int m = json_is_string(v) ? time_parse_hhmm(json_string_value(v)) : -1;
  if (m < 0) {
    problem(c, sub(p, base, key), "expected HH:MM");
    return -1;
  }
  *out = m;
  return 0;
}

int get_date(struct vctx *c, json_t *obj, const char *base, const char *key,
             int required, int32_t *out) {
  char p[PATHMAX];
  int rc;
  json_t *v = member(c, obj, base, key, required, &rc);
  if (!v) return rc;
  if (!json_is_string(v) || date_parse(json_string_value(v), out) != 0) {
    problem(c, sub(p, base, key), "expected a real date YYYY-MM-DD");
    return -1;
  }
  return 0;
}

/* "MM-DD" (any year's calendar, so 02-29 is allowed) -> month*100+day. */
int get_month_day(struct vctx *c, json_t *obj, const char *base, const char *key,
                  int required, int *out) {
  char p[PATHMAX];
  int rc;
  json_t *v = member(c, obj, base, key, required, &rc);
  if (!v) return rc;
  const char *s = json_is_string(v) ? json_string_value(v) : "";
  int ok = strlen(s) == 5 && s[2] == '-';
  for (int i = 0; ok && i < 5; i++)
    if (i != 2 && (s[i] < '0' || s[i] > '9')) ok = 0;
  int m = ok ? (s[0] - '0') * 10 + (s[1] - '0') : 0;
  int d = ok ? (s[3] - '0') * 10 + (s[4] - '0') : 0;
  if (!ok || m < 1 || m > 12 || d < 1 || d > date_days_in_month(2000, m)) {
    problem(c, sub(p, base, key), "expected a real month and day MM-DD");
    return -1;
  }
  *out = m * 100 + d;
  return 0;
}

const char *const weekday_names[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

/* "sun".."sat" -> 0..6, else -1. */
int parse_weekday(json_t *v) {
  if (!json_is_string(v)) return -1;
  for (int w = 0; w < 7; w++)
    if (strcmp(json_string_value(v), weekday_names[w]) == 0) return w;
  return -1;
}


int get_weekday(struct vctx *c, json_t *obj, const char *base, const char *key,
                int required, int *out) {
  char p[PATHMAX];
  int rc;
  json_t *v = member(c, obj, base, key, required, &rc);
  if (!v) return rc;
  int w = parse_weekday(v);
  if (w < 0) {
    problem(c, sub(p, base, key), WEEKDAY_EXPECTED);
    return -1;
  }
  *out = w;
  return 0;
}

/* OBJ[KEY] when it is an object (or array, per WANT_ARRAY); NULL otherwise,
** after reporting a wrong type or a missing required key. */
json_t *get_container(struct vctx *c, json_t *obj, const char *base, const char *key,
                      int required, int want_array) {
  char p[PATHMAX];
  int rc;
  json_t *v = member(c, obj, base, key, required, &rc);
  if (!v) return NULL;
  if (want_array ? !json_is_array(v) : !json_is_object(v)) {
    problem(c, sub(p, base, key), want_array ? "expected an array" : "expected an object");
    return NULL;
  }
  return v;
}

/* Report each key of OBJ that is not in ALLOWED (NULL-terminated). */
void check_keys(struct vctx *c, json_t *obj, const char *base,
                const char *const *allowed) {
  const char *key;
  json_t *v;
  char p[PATHMAX];
  json_object_foreach(obj, key, v) {
    int ok = strcmp(key, "note") == 0 || strncmp(key, "x_", 2) == 0;
    for (const char *const *a = allowed; !ok && *a; a++) ok = strcmp(key, *a) == 0;
    if (!ok) problem(c, sub(p, base, key), "unknown key");
  }
}

/* A validity: "fiscal_year_end" or {"days": N}. */
int get_validity(struct vctx *c, json_t *obj, const char *base, const char *key,
                 int required, int *kind, int *days) {
  char p[PATHMAX];
  int rc;
  json_t *v = member(c, obj, base, key, required, &rc);
  if (!v) return rc;
  if (json_is_string(v) && strcmp(json_string_value(v), "fiscal_year_end") == 0) {
    *kind = VALID_FISCAL_YEAR_END;
    return 0;
  }
  if (json_is_object(v) && json_object_size(v) == 1) {
    json_t *d = json_object_get(v, "days");
    if (json_is_integer(d) && json_integer_value(d) >= 1 && json_integer_value(d) <= 3660) {
      *kind = VALID_DAYS;
      *days = (int)json_integer_value(d);
      return 0;
    }
  }
  problem(c, sub(p, base, key), "expected \"fiscal_year_end\" or {\"days\": 1 to 3660}");
  return -1;
}
