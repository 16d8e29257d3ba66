/*
** cli_ops.c: the operator's commands (see cli_ops.h). They act as role
** "system" (system ID 0) in the audit trail, from no address.
*/
#include "cli_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/facilities.h"
#include "core/ids.h"
#include "core/rules.h"
#include "core/trail.h"
#include "core/users.h"

struct opts {
  const char *db, *id, *role, *center, *status, *q, *ordinances;
};

/* Parse --name VALUE / --name=VALUE pairs into O. -1 on anything else. */
static int parse(int argc, char **argv, struct opts *o) {
  static const char *const names[] = {"--db", "--id", "--role", "--center", "--status", "--q",
                                      "--ordinances", NULL};
  const char **slots[] = {&o->db, &o->id, &o->role, &o->center, &o->status, &o->q,
                          &o->ordinances};
  for (int i = 0; i < argc; i++) {
    int hit = 0;
    for (int k = 0; names[k] && !hit; k++) {
      size_t n = strlen(names[k]);
      if (strncmp(argv[i], names[k], n) != 0) continue;
      if (argv[i][n] == '=') *slots[k] = argv[i] + n + 1, hit = 1;
      else if (!argv[i][n] && i + 1 < argc) *slots[k] = argv[++i], hit = 1;
    }
    if (!hit) {
      fprintf(stderr, "kominkan: unknown or incomplete option %s\n", argv[i]);
      return -1;
    }
  }
  return 0;
}

int cli_user_handles(const char *name) {
  static const char *const subs[] = {"list", "disable", "enable", "set-role", "reset-password",
                                     NULL};
  for (int i = 0; subs[i]; i++)
    if (name && !strcmp(name, subs[i])) return 1;
  return 0;
}

/* The password on standard input (one line) into PW. -1 when unusable. */
static int read_password(char *pw, size_t cap) {
  size_t n = fread(pw, 1, cap - 1, stdin);
  pw[n] = 0;
  if (n == cap - 1 || memchr(pw, 0, n)) return -1;
  if (n && pw[n - 1] == '\n') pw[--n] = 0;
  if (n && pw[n - 1] == '\r') pw[--n] = 0;
  return 0;
}

static void print_user(json_t *u) {
  json_t *c = json_object_get(u, "center");
  printf("%s\t%s\t%s\t%s\t%s\n", json_string_value(json_object_get(u, "system_id")),
         json_string_value(json_object_get(u, "role")),
         json_is_string(c) ? json_string_value(c) : "-",
         json_string_value(json_object_get(u, "status")),
         json_string_value(json_object_get(u, "name")));
}

/* Run subcommand CMD on CTX with options O. */
static int run(struct kctx *ctx, const char *cmd, const struct opts *o, int64_t id) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc;
  char pw[2048];
  if (!strcmp(cmd, "list")) {
    struct users_filter f = {.role = o->role ? role_parse(o->role) : 0, .center = o->center,
                             .status = o->status, .q = o->q};
    if (o->role && !f.role) {
      fprintf(stderr, "kominkan user list: --role must be admin, staff, analyst or citizen\n");
      return 2;
    }
    if (!(rc = users_list(ctx, &f, &out, &ei))) {
      size_t i;
      json_t *u;
      json_array_foreach(json_object_get(out, "users"), i, u) print_user(u);
    }
  } else if (!strcmp(cmd, "disable") || !strcmp(cmd, "enable")) {
    rc = users_set_disabled(ctx, id, !strcmp(cmd, "disable"), &out, &ei);
    if (!rc) print_user(out);
  } else if (!strcmp(cmd, "set-role")) {
    rc = users_set_role(ctx, id, role_parse(o->role), o->center, &out, &ei);
    if (!rc) print_user(out);
  } else {
    if (read_password(pw, sizeof pw)) {
      fprintf(stderr, "kominkan user reset-password: the password on standard input is not usable\n");
      return 2;
    }
    rc = users_set_password(ctx, id, pw, &ei);
    if (!rc) printf("password of %s set; its sessions ended\n", o->id);
  }
  json_decref(out);
  const char *field;
  json_t *msg;
  if (rc && json_object_size(ei.fields)) /* say what was wrong, option by option */
    json_object_foreach(ei.fields, field, msg)
      fprintf(stderr, "kominkan user %s: --%s: %s\n", cmd, field, json_string_value(msg));
  else if (rc) fprintf(stderr, "kominkan user %s: %s\n", cmd,
                       ei.message[0] ? ei.message : kerr_message(rc));
  kerr_clear(&ei);
  return rc ? 1 : 0;
}

int cli_user_ops(int argc, char **argv) {
  struct opts o = {.ordinances = "ordinances/maebashi"};
  const char *cmd = argv[0];
  int64_t id = 0;
  if (parse(argc - 1, argv + 1, &o) || !o.db) return 2;
  if (strcmp(cmd, "list") != 0 && (!o.id || ids_parse(o.id, &id) != 0)) {
    fprintf(stderr, "kominkan user %s: --id needs a system ID (9 digits)\n", cmd);
    return 2;
  }
  if (!strcmp(cmd, "set-role") && !o.role) {
    fprintf(stderr, "kominkan user set-role: --role staff|admin|analyst is needed\n");
    return 2;
  }
  if (clock_init_from_env() != 0) {
    fprintf(stderr, "kominkan: KOMINKAN_NOW is not an ISO 8601 instant with offset\n");
    return 1;
  }
  char err[512];
  json_t *problems = NULL;
  struct rulebook *rb = NULL;
  /* Only a home centre needs the rule book (and the centres table it fills). */
  if (o.center && *o.center && !strcmp(cmd, "set-role") && !(rb = rules_load(o.ordinances, &problems))) {
    fprintf(stderr, "kominkan: the rule book %s is invalid or missing (--ordinances DIR)\n",
            o.ordinances);
    json_decref(problems);
    return 1;
  }
  kdb *db = db_open_cli(o.db, err, sizeof err);
  int rc = 1;
  if (!db) fprintf(stderr, "kominkan: %s\n", err);
  else if (rb && facilities_sync(db, rb) != 0)
    fprintf(stderr, "kominkan: cannot store the facility catalogue in %s\n", o.db);
  else {
    struct kctx ctx = {.db = db, .rb = rb, .now = clock_now(), .channel = "cli"};
    snprintf(ctx.actor.name, sizeof ctx.actor.name, "%s", "command line");
    rc = run(&ctx, cmd, &o, id);
  }
  db_close(db);
  rules_free(rb);
  return rc;
}

int cli_audit_verify(int argc, char **argv) {
  struct opts o = {0};
  if (parse(argc, argv, &o) || !o.db) {
    fprintf(stderr, "usage: kominkan audit-verify --db FILE\n");
    return 2;
  }
  char err[512], why[256];
  int64_t bad = 0;
  kdb *db = db_open_cli(o.db, err, sizeof err);
  if (!db) {
    fprintf(stderr, "kominkan: %s\n", err);
    return 1;
  }
  int rc = trail_verify(db, &bad, why, sizeof why);
  db_close(db);
  if (rc == 0) {
    printf("audit trail ok: %lld rows, the chain holds\n", (long long)bad);
    return 0;
  }
  if (rc > 0) printf("audit trail broken at row %lld: %s\n", (long long)bad, why);
  else fprintf(stderr, "kominkan audit-verify: cannot read the audit trail of %s\n", o.db);
  return 1;
}
