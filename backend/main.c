/*
** main.c: the command line.
**
**   kominkan serve --db FILE --listen HOST:PORT [--ordinances DIR] [--web DIR] [--demo] ...
**   kominkan check-ordinances DIR
**   kominkan backup --db FILE --to FILE
**   kominkan user add --db FILE --role ROLE --name NAME [--center CODE] < password
**   kominkan restore --from FILE --db FILE
**
** Each command is one function; they share option parsing and nothing else.
*/
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_import.h"
#include "cli_oidc.h"
#include "cli_ops.h"
#include "core/accounts.h"
#include "core/backup.h"
#include "core/clock.h"
#include "../tools/demo/demo.h"
#include "core/facilities.h"
#include "core/ids.h"
#include "core/keys.h"
#include "core/mailer.h"
#include "core/oidc.h"
#include "core/outbox.h"
#include "core/permits.h"
#include "core/rules.h"
#include "core/totp.h"
#include "http/api_public.h"
#include "http/http.h"
#include "http/router.h"
#include "http/server.h"
#include "http/session.h"
#include "store/archive.h"
#include "store/db.h"

static void usage(FILE *f) {
  fputs(
      "usage:\n"
      "  kominkan serve --db FILE --listen HOST:PORT [options]\n"
      "      --ordinances DIR     rule book (default ordinances/maebashi)\n"
      "      --web DIR            web assets (default web)\n"
      "      --demo               seed the demonstration data set once\n"
      "      --threads N          worker threads (default: one per core)\n"
      "      --max-body BYTES     largest request body (default 65536)\n"
      "      --conn-timeout SEC   idle connection timeout (default 15)\n"
      "      --conn-limit N       connections at once (default 2000)\n"
      "      --per-ip-limit N     connections at once from one address (default 256)\n"
      "      --conn-memory BYTES  a connection's memory for its request line and headers\n"
      "                           (default 12288; past it 431)\n"
      "      --hash-threads N     password hashes at once (default: one per core)\n"
      "      --hash-queue N       sign-ins waiting for a hash; past it 503 (default 32)\n"
      "      --hash-wait MS       a sign-in that would wait longer than this for a hash\n"
      "                           (by the recent hashes' time) gets 503 at once, with\n"
      "                           Retry-After (default 1000)\n"
      "      --write-queue N      writes (bookings, sign-ins) waiting for the writer;\n"
      "                           past it 503 (default 4096)\n"
      "      --batch-max N        writes committed together at most (default 256)\n"
      "      --event-loop epoll|poll  epoll (default): a daemon per worker thread, run by\n"
      "                           our own epoll loop; poll: libmicrohttpd's thread pool\n"
      "      --secure-cookies     mark the session cookie Secure (behind TLS)\n"
      "      --trusted-proxy ADDR take the client address from X-Forwarded-For, only on\n"
      "                           connections from ADDR (a reverse proxy)\n"
      "      --no-access-log      do not log one line per request\n"
      "      --require-staff-totp staff and admins must set up a second factor (TOTP)\n"
      "      --backup-dir DIR     take scheduled backups into DIR (see docs/operations.md)\n"
      "      --backup-every MIN   minutes between them, fractions allowed (default 60)\n"
      "      --backup-keep N      backups kept in DIR, older ones deleted (default 48)\n"
      "      --smtp URL           send email notifications through smtp://HOST:PORT or\n"
      "                           smtps://HOST:PORT (docs/mail.md); needs --mail-from\n"
      "      --mail-from ADDR     their From address\n"
      "      --mail-reply-to ADDR  Reply-To (default none); --mail-reply-to CENTRE=ADDR per centre\n"
      "      --public-url URL     the address people open, for links in messages\n"
      "                           (default http://HOST:PORT of --listen)\n"
      "      --smtp-starttls      refuse to send over smtp:// without STARTTLS\n"
      "      --mail-retry SEC     first retry after a failed delivery (default 30)\n"
      "      --mail-sweep SEC     how often reminders and lapses are looked for (default 300)\n"
      "      --oidc-issuer URL    sign-in with the My Number card through this OpenID\n"
      "                           provider (docs/identity.md); needs --oidc-client-id\n"
      "      --oidc-client-id ID  the client registered there; redirect URI: --public-url\n"
      "                           + /auth/oidc/callback\n"
      "      --oidc-secret-file FILE  the client secret (mode 600), else KOMINKAN_OIDC_SECRET\n"
      "  kominkan check-ordinances DIR\n"
      "  kominkan import accounts|groups|bookings --db FILE --from FILE.csv [--dry-run]\n"
      "                 [--ordinances DIR]   (docs/import.md)\n"
      "  kominkan backup --db FILE [--to FILE] [--keys-to FILE]\n"
      "      --to FILE            the database, and its archive FILE.archive to FILE.archive\n"
      "      --keys-to FILE       copy the key file FILE.keys (backups hold no key)\n"
      "  kominkan restore --from FILE --db FILE   (stop the server first)\n"
      "      the backup's archive FILE.archive, if any, comes back as the database's\n"
      "  kominkan archive --db FILE --before YYYY-04-01   (stop the server first)\n"
      "      move the finished fiscal years before that date into FILE.archive;\n"
      "      the reports and the usage log still read them (docs/performance.md)\n"
      "  kominkan demo-data --db FILE --months N [--from YYYY-MM] [--ordinances DIR]\n"
      "                    [--groups-per-center N] [--persons N] [--seed N]\n"
      "      a simulated city's use for benchmarks and demonstrations (docs/demo.md)\n"
      "  kominkan user add --db FILE --role admin|staff|analyst|citizen --name NAME\n"
      "                    [--center CODE] [--ordinances DIR]   (password on standard input)\n"
      "  kominkan user list --db FILE [--role R] [--center C] [--status S] [--q TEXT]\n"
      "  kominkan user disable|enable --db FILE --id SYSTEM_ID\n"
      "  kominkan user set-role --db FILE --id SYSTEM_ID --role staff|admin|analyst\n"
      "                    [--center CODE] [--ordinances DIR]\n"
      "  kominkan user reset-password --db FILE --id SYSTEM_ID   (password on standard input)\n"
      "  kominkan audit-verify --db FILE   (exit 1 and the first broken row if edited)\n"
      "environment: KOMINKAN_NOW=2026-04-01T09:00:00+09:00 fixes the clock\n",
      f);
}

/* The value of option NAME at argv[*i] ("--name VALUE" or "--name=VALUE"),
** advancing *i; NULL when argv[*i] is not that option. */
static const char *opt(int argc, char **argv, int *i, const char *name) {
  size_t n = strlen(name);
  if (strncmp(argv[*i], name, n) != 0) return NULL;
  if (argv[*i][n] == '=') return argv[*i] + n + 1;
  if (argv[*i][n] != 0) return NULL;
  if (*i + 1 >= argc) {
    fprintf(stderr, "kominkan: %s needs a value\n", name);
    exit(2);
  }
  return argv[++*i];
}

static long number(const char *s, const char *name, long lo, long hi) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end || v < lo || v > hi) {
    fprintf(stderr, "kominkan: %s: not a number in %ld..%ld: %s\n", name, lo, hi, s);
    exit(2);
  }
  return v;
}

static double fraction(const char *s, const char *name, double lo, double hi) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || end == s || *end || !(v >= lo && v <= hi)) {
    fprintf(stderr, "kominkan: %s: not a number in %g..%g: %s\n", name, lo, hi, s);
    exit(2);
  }
  return v;
}

static void print_problems(json_t *problems) {
  size_t i;
  json_t *p;
  json_array_foreach(problems, i, p) fprintf(stderr, "%s\n", json_string_value(p));
}

/* Say on standard error what an operator should act on soon (the holiday
** list running out); a warning does not stop anything. */
static void print_warnings(const struct rulebook *rb) {
  json_t *w = json_array();
  size_t i;
  json_t *v;
  clock_init_from_env();
  rules_warnings(rb, clock_now(), w);
  json_array_foreach(w, i, v) fprintf(stderr, "warning: %s\n", json_string_value(v));
  json_decref(w);
}

/* The rule book at DIR for command CMD, or NULL after saying why on standard
** error. A rule book that is not there (the default path is relative to the
** working directory) names the option that sets it. Free with rules_free(). */
static struct rulebook *load_rules(const char *cmd, const char *dir) {
  struct stat st;
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
    fprintf(stderr,
            "kominkan %s: no rule book at %s (a path from the current directory); "
            "name it with --ordinances DIR\n",
            cmd, dir);
    return NULL;
  }
  json_t *problems = NULL;
  struct rulebook *rb = rules_load(dir, &problems);
  if (!rb) {
    fprintf(stderr, "kominkan: the rule book %s is invalid:\n", dir);
    print_problems(problems);
    json_decref(problems);
  }
  print_warnings(rb);
  return rb;
}

/* ------------------------------------------------------------------ serve */

/* The mail options of serve (docs/mail.md). */
struct mail_cli {
  const char *smtp, *from, *reply_to, *public_url;
  char center_reply_to[2048];
  struct mailer_opts mo;
};

/* 1 when argv[*i] is a mail option (consumed), else 0. */
static int mail_option(int argc, char **argv, int *i, struct mail_cli *mc) {
  const char *v;
  if ((v = opt(argc, argv, i, "--smtp"))) mc->smtp = v;
  else if ((v = opt(argc, argv, i, "--mail-from"))) mc->from = v;
  else if ((v = opt(argc, argv, i, "--public-url"))) mc->public_url = v;
  else if ((v = opt(argc, argv, i, "--mail-retry")))
    mc->mo.retry_base = (int)number(v, "--mail-retry", 1, 3600);
  else if ((v = opt(argc, argv, i, "--mail-sweep")))
    mc->mo.sweep_every = (int)number(v, "--mail-sweep", 1, 86400);
  else if (!strcmp(argv[*i], "--smtp-starttls")) mc->mo.require_tls = 1;
  else if ((v = opt(argc, argv, i, "--mail-reply-to"))) {
    const char *eq = strchr(v, '='), *at = strchr(v, '@');
    if (!eq || (at && at < eq)) mc->reply_to = v;
    else {
      size_t n = strlen(mc->center_reply_to);
      snprintf(mc->center_reply_to + n, sizeof mc->center_reply_to - n, "%s%s", n ? "," : "", v);
    }
  } else return 0;
  return 1;
}

/* Turn mail on when --smtp was given: NULL and *FAILED = 0 when it was not;
** NULL and *FAILED = 1 after saying why. */
static struct mailer *mail_start(struct mail_cli *mc, const char *host, int port, int *failed) {
  char url[300], err[256];
  *failed = 0;
  if (!mc->smtp) return NULL;
  *failed = 1;
  if (!mc->from || !strchr(mc->from, '@')) {
    fprintf(stderr, "kominkan: --smtp needs --mail-from ADDR (an email address)\n");
    return NULL;
  }
  snprintf(url, sizeof url, "http://%s:%d", host, port);
  struct outbox_config oc = {.from = mc->from,
                             .public_url = mc->public_url ? mc->public_url : url,
                             .reply_to = mc->reply_to,
                             .center_reply_to = mc->center_reply_to};
  outbox_configure(&oc);
  mc->mo.smtp_url = mc->smtp;
  mc->mo.rb = app.rb;
  struct mailer *m = mailer_start(&mc->mo, err, sizeof err);
  if (!m) {
    outbox_configure(NULL);
    fprintf(stderr, "kominkan: %s\n", err);
    return NULL;
  }
  *failed = 0;
  return m;
}

/* The daemon's and the pools' options of serve (docs/operations.md,
** docs/performance.md): 1 when argv[*i] was one of them. */
static int server_opt(int argc, char **argv, int *i, struct server_opts *so) {
  const char *v;
  if ((v = opt(argc, argv, i, "--conn-timeout")))
    so->conn_timeout = (unsigned)number(v, "--conn-timeout", 1, 3600);
  else if ((v = opt(argc, argv, i, "--conn-limit")))
    so->conn_limit = (unsigned)number(v, "--conn-limit", 1, 100000);
  else if ((v = opt(argc, argv, i, "--per-ip-limit")))
    so->per_ip_limit = (unsigned)number(v, "--per-ip-limit", 1, 100000);
  else if ((v = opt(argc, argv, i, "--conn-memory")))
    so->conn_memory = (size_t)number(v, "--conn-memory", 4096, 1024 * 1024);
  else if ((v = opt(argc, argv, i, "--hash-threads")))
    so->pools.hash_threads = (int)number(v, "--hash-threads", 1, 64);
  else if ((v = opt(argc, argv, i, "--hash-queue")))
    so->pools.hash_queue = (int)number(v, "--hash-queue", 1, 100000);
  else if ((v = opt(argc, argv, i, "--hash-wait")))
    so->pools.hash_wait_ms = (int)number(v, "--hash-wait", 1, 600000);
  else if ((v = opt(argc, argv, i, "--write-queue")))
    so->pools.write_queue = (int)number(v, "--write-queue", 1, 1000000);
  else if ((v = opt(argc, argv, i, "--batch-max")))
    so->pools.batch_max = (int)number(v, "--batch-max", 1, 100000);
  else if ((v = opt(argc, argv, i, "--event-loop"))) {
    if (strcmp(v, "poll") && strcmp(v, "epoll")) {
      fprintf(stderr, "kominkan serve: --event-loop is poll or epoll\n");
      exit(2);
    }
    so->use_epoll = !strcmp(v, "epoll");
  } else return 0;
  return 1;
}

/* Block the stop signals before any thread starts, so that every thread
** inherits the mask and only sigwait() receives them; the set to wait for. */
static sigset_t block_stop_signals(void) {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, NULL);
  signal(SIGPIPE, SIG_IGN);
  /* Past a file size limit (ulimit -f) a write fails with EFBIG, which SQLite
  ** reports like a full disk (503 storage_unavailable); the default action
  ** of SIGXFSZ would kill the server instead. */
  signal(SIGXFSZ, SIG_IGN);
  return stop;
}

/* What `serve` was asked to do. */
struct serve_args {
  const char *db_path, *listen, *ordinances, *web, *backup_dir;
  int demo, threads, backup_keep;
  double backup_every;
  struct server_opts so;
  struct mail_cli mail;
  struct oidc_cli oidc;
};

/* Reads serve's options into A (and the app-wide ones into app); 0, or the
** exit status after a message on stderr. */
static int serve_parse(int argc, char **argv, struct serve_args *a) {
  const char *v;
  for (int i = 0; i < argc; i++) {
    if ((v = opt(argc, argv, &i, "--db"))) a->db_path = v;
    else if ((v = opt(argc, argv, &i, "--listen"))) a->listen = v;
    else if ((v = opt(argc, argv, &i, "--ordinances"))) a->ordinances = v;
    else if ((v = opt(argc, argv, &i, "--web"))) a->web = v;
    else if ((v = opt(argc, argv, &i, "--threads"))) a->threads = (int)number(v, "--threads", 1, 256);
    else if ((v = opt(argc, argv, &i, "--max-body")))
      app.max_body = (size_t)number(v, "--max-body", 1024, 64L << 20);
    else if (server_opt(argc, argv, &i, &a->so)) continue;
    else if ((v = opt(argc, argv, &i, "--backup-dir"))) a->backup_dir = v;
    else if ((v = opt(argc, argv, &i, "--backup-every")))
      a->backup_every = fraction(v, "--backup-every", 0.02, 7 * 24 * 60);
    else if ((v = opt(argc, argv, &i, "--backup-keep")))
      a->backup_keep = (int)number(v, "--backup-keep", 1, 100000);
    else if (mail_option(argc, argv, &i, &a->mail)) continue;
    else if ((v = opt(argc, argv, &i, "--oidc-issuer"))) a->oidc.issuer = v;
    else if ((v = opt(argc, argv, &i, "--oidc-client-id"))) a->oidc.client_id = v;
    else if ((v = opt(argc, argv, &i, "--oidc-secret-file"))) a->oidc.secret_file = v;
    else if (!strcmp(argv[i], "--demo")) a->demo = 1;
    else if (!strcmp(argv[i], "--secure-cookies")) app.secure_cookies = 1;
    else if ((v = opt(argc, argv, &i, "--trusted-proxy"))) {
      if (session_proxy_parse(v, app.trusted_proxy, sizeof app.trusted_proxy) != 0) {
        fprintf(stderr, "kominkan: --trusted-proxy wants an IP address, e.g. 127.0.0.1: %s\n", v);
        return 2;
      }
    }
    else if (!strcmp(argv[i], "--no-access-log")) app.access_log = 0;
    else if (!strcmp(argv[i], "--require-staff-totp")) totp_required = 1;
    else {
      fprintf(stderr, "kominkan serve: unknown option %s\n", argv[i]);
      usage(stderr);
      return 2;
    }
  }
  if (!a->db_path || !a->listen) {
    usage(stderr);
    return 2;
  }
  const char *colon = strrchr(a->listen, ':');
  if (!colon || (size_t)(colon - a->listen) >= sizeof a->so.host) {
    fprintf(stderr, "kominkan: --listen wants HOST:PORT, e.g. 127.0.0.1:8080\n");
    return 2;
  }
  memcpy(a->so.host, a->listen, (size_t)(colon - a->listen));
  a->so.port = (int)number(colon + 1, "--listen port", 0, 65535);
  a->so.threads = a->threads;
  return 0;
}

static int cmd_serve(int argc, char **argv) {
  struct serve_args a = {.ordinances = "ordinances/maebashi", .web = "web", .backup_every = 60,
                         .backup_keep = 48,
                         .so = {.conn_timeout = 15, .conn_limit = 2000, .per_ip_limit = 256,
                                .conn_memory = 12 * 1024, .use_epoll = 1}};
  app.max_body = 64 * 1024;
  app.access_log = 1;
  int prc = serve_parse(argc, argv, &a);
  if (prc) return prc;
  const char *db_path = a.db_path, *backup_dir = a.backup_dir;
  struct server_opts so = a.so;
  snprintf(app.web_dir, sizeof app.web_dir, "%s", a.web);

  if (clock_init_from_env() != 0) {
    fprintf(stderr, "kominkan: KOMINKAN_NOW is not an ISO 8601 instant with offset: %s\n",
            getenv("KOMINKAN_NOW"));
    return 1;
  }

  if (!(app.rb = load_rules("serve", a.ordinances))) return 1;

  char err[512];
  /* Held shared until exit: keeps `kominkan restore` off a live database. */
  int dblock = backup_lock(db_path, 0, err, sizeof err);
  if (dblock < 0 || db_thread_init(db_path, err, sizeof err) != 0) {
    fprintf(stderr, "kominkan: %s\n", err);
    backup_unlock(dblock);
    rules_free(app.rb);
    return 1;
  }
  int rc = 1;
  struct server *srv = NULL;
  struct backup_schedule *backups = NULL;
  struct mailer *mailer = NULL;
  if (facilities_sync(db_thread(), app.rb) != 0) {
    fprintf(stderr, "kominkan: cannot store the facility catalogue in %s\n", db_path);
    goto done;
  }
  /* The permit signing key: created on first start, kept in the database. */
  if (permits_init(db_thread()) != 0) {
    fprintf(stderr, "kominkan: cannot create or read the permit signing key in %s\n", db_path);
    goto done;
  }

  if (a.demo) { /* once per database (server_keys 'demo_seeded'); docs/demo.md */
    struct kctx dctx = {.db = db_thread(), .rb = app.rb, .now = clock_now(), .channel = "online"};
    dctx.actor.role = ROLE_ANON;
    if (demo_seed(&dctx, 1, NULL) != 0) {
      fprintf(stderr, "kominkan: cannot seed the demonstration data in %s\n", db_path);
      goto done;
    }
  }

  sigset_t stop = block_stop_signals();

  int port;
  srv = server_start(&so, &port);
  if (!srv) goto done;
  if (backup_dir && !(backups = backup_schedule_start(db_path, backup_dir, a.backup_every,
                                                      a.backup_keep, health_set_problem, err,
                                                      sizeof err))) {
    fprintf(stderr, "kominkan: %s\n", err);
    goto done;
  }
  int mail_failed;
  if (!(mailer = mail_start(&a.mail, so.host, port, &mail_failed)) && mail_failed) goto done;
  if (cli_oidc_start(&a.oidc, a.mail.public_url, so.host, port)) goto done;
  printf("listening on http://%s:%d\n", so.host, port);
  fflush(stdout);

  int sig;
  sigwait(&stop, &sig);
  fprintf(stderr, "kominkan: stopping (%s)\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  rc = 0;
done:
  backup_schedule_stop(backups);
  server_stop(srv);
  mailer_stop(mailer);
  oidc_shutdown();
  db_thread_cleanup();
  backup_unlock(dblock);
  rules_free(app.rb);
  return rc;
}

/* ------------------------------------------------------- check-ordinances */

static int cmd_check_ordinances(int argc, char **argv) {
  if (argc != 1) {
    usage(stderr);
    return 2;
  }
  json_t *problems = NULL;
  struct rulebook *rb = rules_load(argv[0], &problems);
  if (!rb) {
    print_problems(problems);
    json_decref(problems);
    return 1;
  }
  print_warnings(rb);
  printf("%s: %d centres, %d rule-book versions, %d holidays: ok\n", argv[0], rb->ncenters,
         rb->nversions, rb->nholidays);
  rules_free(rb);
  return 0;
}

/* ----------------------------------------------------------------- backup */

/* kominkan backup --db FILE [--to FILE] [--keys-to FILE]: the data, and
** (separately, once) the key file, which backups never hold (core/keys.h). */
static int cmd_backup(int argc, char **argv) {
  const char *db_path = NULL, *to = NULL, *keys_to = NULL, *v;
  for (int i = 0; i < argc; i++) {
    if ((v = opt(argc, argv, &i, "--db"))) db_path = v;
    else if ((v = opt(argc, argv, &i, "--to"))) to = v;
    else if ((v = opt(argc, argv, &i, "--keys-to"))) keys_to = v;
    else {
      usage(stderr);
      return 2;
    }
  }
  if (!db_path || (!to && !keys_to)) {
    usage(stderr);
    return 2;
  }
  char err[PATH_MAX + 512], keys[PATH_MAX];
  if (keys_path(db_path, keys, sizeof keys)) return 2;
  if (to && backup_take(db_path, to, err, sizeof err) != 0) {
    fprintf(stderr, "kominkan backup: %s\n", err);
    return 1;
  }
  if (to) {
    printf("backup of %s written to %s (integrity ok)\n", db_path, to);
    /* backup_take() leaves TO.archive exactly when the database has an archive */
    struct stat sb;
    if ((size_t)snprintf(err, sizeof err, "%s.archive", to) < sizeof err && stat(err, &sb) == 0)
      printf("with its archive of finished years %s.archive, copied to %s (integrity ok):"
             " keep the two files together\n",
             db_path, err);
    printf("it holds no key: keep a copy of the key file %s apart from the backups"
           " (kominkan backup --db %s --keys-to FILE)\n",
           keys, db_path);
  }
  if (keys_to && keys_copy(db_path, keys_to, err, sizeof err) != 0) {
    fprintf(stderr, "kominkan backup: %s\n", err);
    return 1;
  }
  if (keys_to) printf("the key file %s copied to %s (readable by its owner only)\n", keys, keys_to);
  return 0;
}

/* ------------------------------------------------------------------- user */

/* kominkan user add --db FILE --role ROLE --name NAME [--center CODE]
**                   [--ordinances DIR]
** The password comes on standard input (one trailing newline removed), so it
** never shows in the process list or the shell history. Staff need a home
** centre of the rule book. Prints the new system ID alone on a line. */
static int cmd_user(int argc, char **argv) {
  const char *db_path = NULL, *role_s = NULL, *name = NULL, *center = NULL, *v;
  const char *ordinances = "ordinances/maebashi";
  if (argc >= 1 && cli_user_handles(argv[0])) {
    int rc = cli_user_ops(argc, argv);
    if (rc == 2) usage(stderr);
    return rc;
  }
  if (argc < 1 || strcmp(argv[0], "add") != 0) {
    usage(stderr);
    return 2;
  }
  for (int i = 1; i < argc; i++) {
    if ((v = opt(argc, argv, &i, "--db"))) db_path = v;
    else if ((v = opt(argc, argv, &i, "--role"))) role_s = v;
    else if ((v = opt(argc, argv, &i, "--name"))) name = v;
    else if ((v = opt(argc, argv, &i, "--center"))) center = v;
    else if ((v = opt(argc, argv, &i, "--ordinances"))) ordinances = v;
    else {
      fprintf(stderr, "kominkan user add: unknown option %s\n", argv[i]);
      usage(stderr);
      return 2;
    }
  }
  if (!db_path || !role_s || !name) {
    usage(stderr);
    return 2;
  }
  int role = role_parse(role_s);
  if (!role) {
    fprintf(stderr, "kominkan user add: --role must be admin, staff, analyst or citizen\n");
    return 2;
  }
  char pw[2048];
  size_t n = fread(pw, 1, sizeof pw - 1, stdin);
  pw[n] = 0;
  if (n == sizeof pw - 1 || memchr(pw, 0, n)) {
    fprintf(stderr, "kominkan user add: the password on standard input is not usable\n");
    return 2;
  }
  if (n && pw[n - 1] == '\n') pw[--n] = 0;
  if (n && pw[n - 1] == '\r') pw[--n] = 0;
  if (clock_init_from_env() != 0) {
    fprintf(stderr, "kominkan: KOMINKAN_NOW is not an ISO 8601 instant with offset\n");
    return 1;
  }

  int rc = 1;
  json_t *in = NULL;
  kdb *db = NULL;
  struct kerrinfo ei = {0};
  /* Only a home centre needs the rule book (and the centres table it fills). */
  struct rulebook *rb = NULL;
  if (center && !(rb = load_rules("user add", ordinances))) goto done;
  char err[512];
  if (!(db = db_open_cli(db_path, err, sizeof err))) {
    fprintf(stderr, "kominkan: %s\n", err);
    goto done;
  }
  if (rb && facilities_sync(db, rb) != 0) {   /* home centres refer to the centres table */
    fprintf(stderr, "kominkan: cannot store the facility catalogue in %s\n", db_path);
    goto done;
  }
  if (!(in = json_pack("{s:s, s:s}", "name", name, "password", pw))) {
    fprintf(stderr, "kominkan user add: the name and the password must be UTF-8\n");
    goto done;
  }
  struct kctx ctx = {.db = db, .rb = rb, .now = clock_now(), .channel = "cli"};
  ctx.actor.role = ROLE_ADMIN;  /* the operator of the server */
  int64_t id = 0;
  int code = accounts_create(&ctx, in, role, center, 0, &id, &ei);
  if (code) {
    fprintf(stderr, "kominkan user add: %s\n", ei.message[0] ? ei.message : kerr_message(code));
    const char *k;
    json_t *m;
    json_object_foreach(ei.fields, k, m) fprintf(stderr, "  %s: %s\n", k, json_string_value(m));
    goto done;
  }
  char ids[10];
  ids_format(id, ids);
  printf("%s\n", ids);
  rc = 0;
done:
  sodium_memzero(pw, sizeof pw);
  json_decref(in);
  kerr_clear(&ei);
  db_close(db);
  rules_free(rb);
  return rc;
}

/* ---------------------------------------------------------------- restore */

static int cmd_restore(int argc, char **argv) {
  const char *db_path = NULL, *from = NULL, *v;
  for (int i = 0; i < argc; i++) {
    if ((v = opt(argc, argv, &i, "--db"))) db_path = v;
    else if ((v = opt(argc, argv, &i, "--from"))) from = v;
    else {
      usage(stderr);
      return 2;
    }
  }
  if (!db_path || !from) {
    usage(stderr);
    return 2;
  }
  char err[1024];
  struct backup_restored out;
  if (backup_restore(from, db_path, &out, err, sizeof err) != 0) {
    fprintf(stderr, "kominkan restore: %s\n", err);
    return 1;
  }
  printf("restored %s from %s (integrity ok)\n", db_path, from);
  if (out.archive)
    printf("and its archive of finished years %s.archive from %s.archive (integrity ok)\n",
           db_path, from);
  if (out.aside[0]) printf("the database it replaced is kept as %s\n", out.aside);
  if (out.archive_aside[0] && out.archive)
    printf("the archive it replaced is kept as %s\n", out.archive_aside);
  else if (out.archive_aside[0])
    printf("the backup has no archive of finished years: the archive %s.archive (newer than the"
           " backup) was moved aside to %s, and the reports now count only the years in the"
           " restored database; to count the archived years again, restore a backup taken"
           " with its archive\n",
           db_path, out.archive_aside);
  printf("every sign-in was ended: everyone signs in again\n");
  return 0;
}

/* ---------------------------------------------------------------- archive */

/* kominkan archive --db FILE --before YYYY-04-01: move the fiscal years
** (April to March) that ended before that date into FILE.archive
** (store/archive.h). Only finished years: the date is an April 1 no later
** than the start of the current fiscal year. */
static int cmd_archive(int argc, char **argv) {
  const char *db_path = NULL, *before = NULL, *v;
  for (int i = 0; i < argc; i++) {
    if ((v = opt(argc, argv, &i, "--db"))) db_path = v;
    else if ((v = opt(argc, argv, &i, "--before"))) before = v;
    else return usage(stderr), 2;
  }
  int32_t day;
  char today[11];
  if (!db_path || !before) return usage(stderr), 2;
  if (clock_init_from_env() != 0) return fprintf(stderr, "kominkan: bad KOMINKAN_NOW\n"), 1;
  date_format(clock_today(clock_now()), today);
  int fy = atoi(today) - (strncmp(today + 5, "04", 2) < 0); /* the current fiscal year */
  if (date_parse(before, &day) != 0 || strcmp(before + 4, "-04-01") != 0 || atoi(before) > fy) {
    fprintf(stderr, "kominkan archive: --before is the first day of a finished fiscal year,"
                    " YYYY-04-01, at the latest %d-04-01\n", fy);
    return 2;
  }
  char err[1024];
  int lock = backup_lock(db_path, 1, err, sizeof err); /* no server on it */
  kdb *db = lock < 0 ? NULL : db_open_cli(db_path, err, sizeof err);
  struct db_archive_moved n;
  int rc = db && db_archive_move(db, before, clock_local(day, 0), &n, err, sizeof err) == 0 ? 0 : 1;
  if (rc) fprintf(stderr, "kominkan archive: %s\n", err);
  else
    printf("archived into %s.archive: %lld bookings used before %s (%lld payments), %lld usage-log"
           " events; %lld bookings kept here too (still referred to)\n",
           db_path, (long long)n.bookings, before, (long long)n.payments, (long long)n.events,
           (long long)n.kept);
  db_close(db);
  backup_unlock(lock);
  return rc;
}

/* -------------------------------------------------------------- demo-data */

/* kominkan demo-data --db FILE --months N [--from YYYY-MM] ...: N months of
** simulated use of every centre from the month FROM (default: the month the
** first rule-book version takes effect), played through the core functions
** (tools/demo/demo.c), on a database that holds no demonstration data yet. */
static int cmd_demo_data(int argc, char **argv) {
  const char *db_path = NULL, *from = NULL, *ordinances = "ordinances/maebashi", *v;
  long months = 0, per = 60, persons = 800, seed = 20260401;
  for (int i = 0; i < argc; i++) {
    if ((v = opt(argc, argv, &i, "--db"))) db_path = v;
    else if ((v = opt(argc, argv, &i, "--months"))) months = number(v, "--months", 1, 60);
    else if ((v = opt(argc, argv, &i, "--from"))) from = v;
    else if ((v = opt(argc, argv, &i, "--ordinances"))) ordinances = v;
    else if ((v = opt(argc, argv, &i, "--groups-per-center")))
      per = number(v, "--groups-per-center", 0, 500);
    else if ((v = opt(argc, argv, &i, "--persons"))) persons = number(v, "--persons", 0, 100000);
    else if ((v = opt(argc, argv, &i, "--seed"))) seed = number(v, "--seed", 1, 2147483647L);
    else {
      fprintf(stderr, "kominkan demo-data: unknown option %s\n", argv[i]);
      usage(stderr);
      return 2;
    }
  }
  if (!db_path || !months) {
    usage(stderr);
    return 2;
  }
  int rc = 1;
  kdb *db = NULL;
  struct rulebook *rb = load_rules("demo-data", ordinances);
  if (!rb) return 1;
  int32_t first = rb->nversions ? rb->versions[0].effective_from : 0;
  if (from) {
    int y = 0, m = 0;
    char tail;
    if (sscanf(from, "%4d-%2d%c", &y, &m, &tail) != 2 || y < 2000 || m < 1 || m > 12) {
      fprintf(stderr, "kominkan demo-data: --from wants YYYY-MM, e.g. 2026-04\n");
      goto done;
    }
    first = date_from_ymd(y, m, 1);
  }
  int fy, fm, fd;
  date_to_ymd(first, &fy, &fm, &fd);
  int32_t last = date_add_months(date_from_ymd(fy, fm, 1), (int)months) - 1;
  char err[512];
  if (!(db = db_open_cli(db_path, err, sizeof err))) {
    fprintf(stderr, "kominkan: %s\n", err);
    goto done;
  }
  if (facilities_sync(db, rb) != 0) {
    fprintf(stderr, "kominkan: cannot store the facility catalogue in %s\n", db_path);
    goto done;
  }
  if (demo_is_seeded(db)) {
    fprintf(stderr, "kominkan demo-data: %s already holds demonstration data\n", db_path);
    goto done;
  }
  struct kctx ctx = {.db = db, .rb = rb, .now = clock_local(last + 1, 0), .channel = "online"};
  ctx.actor.role = ROLE_ANON;
  struct demo_plan plan = {.first_day = first, .last_day = last, .until = ctx.now,
                           .groups_per_center = (int)per, .persons = (int)persons,
                           .seed = (uint64_t)seed, .scripted = 0, .throwaway = 1};
  struct demo_stats st;
  char a[11], b[11];
  date_format(first, a);
  date_format(last, b);
  if (demo_mark_seeded(&ctx) || demo_generate(&ctx, &plan, &st)) {
    fprintf(stderr, "kominkan demo-data: the simulation stopped on an error\n");
    goto done;
  }
  printf("demo-data: use dates %s to %s, every centre: %d accounts, %d groups, %d booking requests,"
         " %d booked, %d refused by the rules (%d slot taken, %d over a cap, %d other),"
         " %d confirmed, %d cancelled, %d lapsed; at the counter %d walk-ins, %d check-ins,"
         " %d no-shows, %d payments; %d exemptions; %d online form submissions\n",
         a, b, st.accounts, st.groups, st.attempts, st.booked, st.refused, st.refused_taken,
         st.refused_limit, st.refused_other, st.confirmed, st.cancelled, st.lapsed, st.walkins,
         st.checkins, st.noshows, st.payments, st.exemptions, st.form_submissions);
  rc = 0;
done:
  db_close(db);
  rules_free(rb);
  return rc;
}

/* kominkan routes (not in the usage text): the route table as JSON, one
** object per route {method, pattern, roles, flags}, so that the access-matrix
** test walks every route there is, including the ones added later. */
static int cmd_routes(void) {
  static const int roles[] = {ROLE_ANON, ROLE_CITIZEN, ROLE_STAFF, ROLE_ADMIN, ROLE_ANALYST};
  static const struct { int bit; const char *name; } flags[] = {
      {RF_JSON, "json"}, {RF_JSON_OPT, "json_optional"}, {RF_FORM, "form"},
      {RF_NO_CSRF, "no_csrf"}, {RF_PERSONAL, "personal"}, {RF_PREFIX, "prefix"},
      {RF_TOTP_SETUP, "totp_setup"}};
  json_t *list = json_array();
  for (const struct route *rt = router_routes; rt->method; rt++) {
    json_t *rs = json_array(), *fs = json_array();
    for (size_t k = 0; k < sizeof roles / sizeof roles[0]; k++)
      if (rt->roles & roles[k]) json_array_append_new(rs, json_string(role_name(roles[k])));
    for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++)
      if (rt->flags & flags[k].bit) json_array_append_new(fs, json_string(flags[k].name));
    json_array_append_new(list, json_pack("{s:s, s:s, s:o, s:o}", "method", rt->method,
                                          "pattern", rt->pattern, "roles", rs, "flags", fs));
  }
  char *s = json_dumps(list, JSON_INDENT(1));
  json_decref(list);
  if (!s) return 1;
  puts(s);
  free(s);
  return 0;
}

int main(int argc, char **argv) {
  /* Before anything is created: every file we make (the database, its -wal
  ** and -shm, backups, the key file) is readable by its owner only. */
  umask(077);
  if (sodium_init() < 0) {
    fprintf(stderr, "kominkan: libsodium cannot start\n");
    return 1;
  }
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "serve")) return cmd_serve(argc - 2, argv + 2);
  if (!strcmp(cmd, "check-ordinances")) return cmd_check_ordinances(argc - 2, argv + 2);
  if (!strcmp(cmd, "backup")) return cmd_backup(argc - 2, argv + 2);
  if (!strcmp(cmd, "restore")) return cmd_restore(argc - 2, argv + 2);
  if (!strcmp(cmd, "archive")) return cmd_archive(argc - 2, argv + 2);
  if (!strcmp(cmd, "user")) return cmd_user(argc - 2, argv + 2);
  if (!strcmp(cmd, "audit-verify")) return cli_audit_verify(argc - 2, argv + 2);
  if (!strcmp(cmd, "import")) return cli_import(argc - 2, argv + 2);
  if (!strcmp(cmd, "routes")) return cmd_routes();
  if (!strcmp(cmd, "demo-data")) return cmd_demo_data(argc - 2, argv + 2);
  if (!strcmp(cmd, "help") || !strcmp(cmd, "--help")) {
    usage(stdout);
    return 0;
  }
  fprintf(stderr, "kominkan: unknown command %s\n", cmd);
  usage(stderr);
  return 2;
}
