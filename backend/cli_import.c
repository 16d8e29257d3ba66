/*
** cli_import.c: the import command (see cli_import.h). It acts as the
** command line (no account) in the usage log.
*/
#include "cli_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/facilities.h"
#include "core/import.h"
#include "core/rules.h"

static int usage(void) {
  fprintf(stderr, "usage: kominkan import accounts|groups|bookings --db FILE --from FILE.csv"
                  " [--dry-run] [--ordinances DIR]\n");
  return 2;
}

/* The whole of PATH (malloc'd, *N bytes), NULL with a message when unreadable. */
static char *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  size_t cap = 0, len = 0;
  if (!f) {
    fprintf(stderr, "kominkan import: cannot read %s\n", path);
    return NULL;
  }
  for (;;) {
    if (len == cap) {
      size_t ncap = cap ? cap * 2 : 65536;
      char *nb = cap > IMPORT_MAX_BYTES ? NULL : realloc(buf, ncap);
      if (!nb) break;
      buf = nb;
      cap = ncap;
    }
    size_t got = fread(buf + len, 1, cap - len, f);
    len += got;
    if (!got) break;
  }
  int bad = ferror(f) || (len == cap);
  fclose(f);
  if (bad) {
    fprintf(stderr, "kominkan import: cannot read %s (or it is over %d MiB)\n", path,
            IMPORT_MAX_BYTES >> 20);
    free(buf);
    return NULL;
  }
  *n = len;
  return buf;
}

/* What came of it: the problems on stderr, the summary and, for accounts,
** the first sign-in codes on stdout. */
static void print_result(const char *kind, const char *from, int dry, int rc,
                         const struct import_result *res) {
  size_t i;
  json_t *v;
  json_array_foreach(res->problems, i, v) fprintf(stderr, "%s\n", json_string_value(v));
  if (rc == 1) {
    fprintf(stderr, "kominkan import: %zu problem(s) in %s; nothing was imported\n",
            json_array_size(res->problems), from);
    return;
  }
  if (rc) {
    fprintf(stderr, "kominkan import: the database failed; nothing was imported\n");
    return;
  }
  printf("%s: %d %s, %d imported before (left as they are)%s\n", kind, res->added,
         dry ? "would be imported" : "imported", res->skipped,
         dry ? "; dry run: nothing was written" : "");
  if (!json_array_size(res->codes)) return;
  printf("system_id\texternal_id\tfirst_sign_in_code\tvalid_until\tname\n");
  json_array_foreach(res->codes, i, v)
    printf("%s\t%s\t%s\t%s\t%s\n", json_string_value(json_object_get(v, "system_id")),
           json_string_value(json_object_get(v, "external_id")),
           json_string_value(json_object_get(v, "code")),
           json_string_value(json_object_get(v, "valid_until")),
           json_string_value(json_object_get(v, "name")));
}

int cli_import(int argc, char **argv) {
  const char *db_path = NULL, *from = NULL, *ordinances = "ordinances/maebashi";
  int dry = 0, kind = argc > 0 ? import_kind_parse(argv[0]) : -1;
  if (kind < 0) return usage();
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--dry-run")) dry = 1;
    else if (!strcmp(argv[i], "--db") && i + 1 < argc) db_path = argv[++i];
    else if (!strcmp(argv[i], "--from") && i + 1 < argc) from = argv[++i];
    else if (!strcmp(argv[i], "--ordinances") && i + 1 < argc) ordinances = argv[++i];
    else return usage();
  }
  if (!db_path || !from) return usage();
  if (clock_init_from_env() != 0) {
    fprintf(stderr, "kominkan: KOMINKAN_NOW is not an ISO 8601 instant with offset\n");
    return 1;
  }
  size_t n = 0;
  char *data = slurp(from, &n), err[512];
  if (!data) return 1;
  json_t *problems = NULL;
  struct rulebook *rb = rules_load(ordinances, &problems);
  json_decref(problems);
  kdb *db = rb ? db_open_cli(db_path, err, sizeof err) : NULL;
  int rc = 1;
  if (!rb) fprintf(stderr, "kominkan: the rule book %s is invalid or missing (--ordinances DIR)\n",
                   ordinances);
  else if (!db) fprintf(stderr, "kominkan: %s\n", err);
  else if (facilities_sync(db, rb) != 0)
    fprintf(stderr, "kominkan: cannot store the facility catalogue in %s\n", db_path);
  else {
    struct kctx ctx = {.db = db, .rb = rb, .now = clock_now(), .channel = "cli"};
    snprintf(ctx.actor.name, sizeof ctx.actor.name, "%s", "command line");
    struct import_result res;
    rc = import_run(&ctx, kind, from, data, n, dry, &res);
    print_result(argv[0], from, dry, rc, &res);
    import_result_clear(&res);
    rc = rc ? 1 : 0;
  }
  db_close(db);
  rules_free(rb);
  free(data);
  return rc;
}
