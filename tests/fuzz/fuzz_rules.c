/*
** tests/fuzz/fuzz_rules.c: the rule-book loader (core/rules.c rules_load)
** on files written from the input into a private temporary folder, then
** every query the server makes of a rule book that loaded.
**
** Input: sections "--8<-- NAME\n" followed by that file's text; NAME is
** facilities.json or rules-YYYY-MM-DD.json (other names are made safe and
** still written, to fuzz what the loader ignores). Without a first section
** marker, the whole input is rules-2026-04-01.json beside the real
** facilities.json. Seeds: corpus/fuzz_rules/ (the real book).
*/
#include <dirent.h>
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../backend/core/clock.h"
#include "../../backend/core/facilities.h"
#include "../../backend/core/rules.h"

static char dir[PATH_MAX];
static char *real_facilities;
static size_t real_facilities_len;

static void cleanup(void) {
  DIR *d = opendir(dir);
  struct dirent *e;
  char p[PATH_MAX + 300];
  while (d && (e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    unlink(p);
  }
  if (d) closedir(d);
}

static void remove_dir(void) {
  cleanup();
  rmdir(dir);
}

static char *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long sz = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)sz + 1);
  if (b && fread(b, 1, (size_t)sz, f) != (size_t)sz) {
    free(b);
    b = NULL;
  }
  fclose(f);
  if (b) *n = (size_t)sz;
  return b;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  if (access("ordinances/maebashi", F_OK) != 0 && *argc > 0) {
    char exe[PATH_MAX];
    if (realpath((*argv)[0], exe)) {
      for (int up = 0; up < 3; up++) {
        char *s = strrchr(exe, '/');
        if (s) *s = 0;
      }
      if (chdir(exe) != 0) perror(exe);
    }
  }
  real_facilities = slurp("ordinances/maebashi/facilities.json", &real_facilities_len);
  if (!real_facilities) {
    fprintf(stderr, "fuzz_rules: run from the repository (ordinances/maebashi)\n");
    exit(1);
  }
  const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  snprintf(dir, sizeof dir, "%s/kominkan-fuzz-rules-XXXXXX", base);
  if (!mkdtemp(dir)) exit(1);
  atexit(remove_dir);
  clock_set(1775610000);
  return 0;
}

static void write_file(const char *name, const char *p, size_t n) {
  char path[PATH_MAX + 64], safe[48];
  size_t k = 0;
  for (const char *s = name; *s && k < sizeof safe - 1; s++, k++)
    safe[k] = ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
               (*s == '.' && k > 0))
                  ? *s
                  : '_';
  safe[k] = 0;
  if (!k) return;
  snprintf(path, sizeof path, "%s/%s", dir, safe);
  FILE *f = fopen(path, "wb");
  if (!f) return;
  fwrite(p, 1, n, f);
  fclose(f);
}

/* Ask the loaded book everything the server asks of it. */
static void exercise(struct rulebook *rb) {
  json_decref(facilities_json(rb));
  static const char *const dates[] = {"2026-01-01", "2026-03-31", "2026-04-01", "2026-04-06",
                                      "2026-04-08", "2026-05-05", "2026-09-30", "2026-10-01",
                                      "2026-12-29", "2027-01-03", "2027-02-28", "2030-12-31"};
  for (int v = 0; v < rb->nversions; v++) {
    const struct rules *r = &rb->versions[v];
    json_decref(rules_public_json(r));
    for (size_t i = 0; i < sizeof dates / sizeof dates[0] + 3; i++) {
      int32_t day;
      if (i < sizeof dates / sizeof dates[0]) date_parse(dates[i], &day);
      else day = r->effective_from + (int32_t)i - (int32_t)(sizeof dates / sizeof dates[0]) - 1;
      const struct rules *in = rules_in_force(rb, day);
      if (!in) continue;
      (void)rules_booking_opens(in, day);
      (void)rules_counter_open(in, clock_local(day, 600));
      for (int c = 0; c < rb->ncenters; c++) {
        const struct center *ce = &rb->centers[c];
        const char *label = NULL;
        (void)rules_closed(in, ce->code, day, &label);
        if (label) (void)strlen(label);
        for (int ro = 0; ro < ce->nrooms; ro++) {
          (void)rules_campaign(in, &ce->rooms[ro], day);
          for (int s = 0; s < in->nslots; s++) (void)rules_fee(in, ce->rooms[ro].fee_class, s);
        }
      }
      for (int d = 0; d < in->ndiscounts; d++) (void)rules_discount(in, in->discounts[d].code);
      for (int s = 0; s < in->nslots; s++) (void)rules_slot_index(in, in->slots[s].code);
    }
  }
  for (int c = 0; c < rb->ncenters; c++) (void)rules_center(rb, rb->centers[c].code);
  (void)rules_center(rb, "");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char mark[] = "--8<-- ";
  const char *p = (const char *)data, *end = p + size;
  cleanup();
  if (size < sizeof mark - 1 || memcmp(p, mark, sizeof mark - 1) != 0) {
    write_file("facilities.json", real_facilities, real_facilities_len);
    write_file("rules-2026-04-01.json", p, size);
  } else {
    for (int files = 0; p < end && files < 8; files++) {
      const char *nl = memchr(p, '\n', (size_t)(end - p));
      if (!nl) break;
      char name[64];
      size_t nlen = (size_t)(nl - p) - (sizeof mark - 1);
      if (nlen >= sizeof name) nlen = sizeof name - 1;
      memcpy(name, p + sizeof mark - 1, nlen);
      name[nlen] = 0;
      const char *body = nl + 1, *next = body;
      while (next < end) {
        const char *m = memchr(next, '-', (size_t)(end - next));
        if (!m) {
          next = end;
          break;
        }
        if ((m == body || m[-1] == '\n') && (size_t)(end - m) >= sizeof mark - 1 &&
            !memcmp(m, mark, sizeof mark - 1)) {
          next = m;
          break;
        }
        next = m + 1;
      }
      write_file(name, body, (size_t)(next - body));
      p = next;
    }
  }
  json_t *problems = NULL;
  struct rulebook *rb = rules_load(dir, &problems);
  if (rb) {
    if (problems) abort(); /* rules.h: NULL problems on success */
    exercise(rb);
    rules_free(rb);
  } else {
    if (!json_is_array(problems) || json_array_size(problems) == 0) abort();
    json_decref(problems);
  }
  return 0;
}
