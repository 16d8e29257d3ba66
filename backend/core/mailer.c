/*
** core/mailer.c: the sender thread and the message format (see mailer.h).
**
** Why a message is never sent twice: it is marked sent in its own
** transaction right after the server's 250 for the DATA. The only window
** left is between that 250 and the commit of the mark (a crash or a power
** cut there): on restart the message goes again, with the same Message-ID,
** so the duplicate can be recognised (docs/mail.md). Why it is never lost:
** it was committed with the change that caused it, and nothing but the 250
** or a permanent refusal takes it out of 'pending'.
*/
#include "mailer.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bookings.h"
#include "clock.h"
#include "notify.h"

/* ============================================================ format */

int64_t mailer_backoff(int attempts, int base) {
  int64_t wait = base > 0 ? base : 30;
  for (int i = 1; i < attempts && wait < 3600; i++) wait *= 2;
  return wait > 3600 ? 3600 : wait;
}

/* Length of the UTF-8 sequence starting with byte C. */
static size_t seq_len(unsigned char c) {
  return c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
}

void mailer_encode_header(const char *s, char *out, size_t n) {
  int ascii = 1;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p >= 0x80 || *p < 0x20) ascii = 0;
  if (ascii) {
    snprintf(out, n, "%s", s);
    return;
  }
  /* 39 bytes of text -> 52 base64 characters + 12 = 64 per encoded word, so
  ** that "Subject: " and the first word stay within 78 characters. */
  size_t used = 0, len = strlen(s);
  out[0] = 0;
  for (size_t i = 0; i < len;) {
    size_t take = 0;
    while (i + take < len && take + seq_len((unsigned char)s[i + take]) <= 39)
      take += seq_len((unsigned char)s[i + take]);
    if (i + take > len) take = len - i;
    char b64[128];
    sodium_bin2base64(b64, sizeof b64, (const unsigned char *)s + i, take,
                      sodium_base64_VARIANT_ORIGINAL);
    int k = snprintf(out + used, n - used, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "", b64);
    if (k < 0 || (size_t)k >= n - used) return;
    used += (size_t)k;
    i += take;
  }
}

/* "Sat, 05 Dec 2026 18:00:00 +0900" of T, in Japan time. */
static void rfc5322_date(int64_t t, char *out, size_t n) {
  static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char *const mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t local = (time_t)(t + 9 * 3600);
  struct tm tm;
  gmtime_r(&local, &tm);
  snprintf(out, n, "%s, %02d %s %04d %02d:%02d:%02d +0900", wd[tm.tm_wday], tm.tm_mday,
           mo[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* BODY with CRLF line ends, base64 in lines of 76, CRLF after each. */
static char *body_base64(const char *body) {
  size_t len = strlen(body), lf = 0;
  for (size_t i = 0; i < len; i++) lf += body[i] == '\n';
  char *crlf = malloc(len + lf + 1);
  if (!crlf) return NULL;
  size_t m = 0;
  for (size_t i = 0; i < len; i++) {
    if (body[i] == '\n' && (i == 0 || body[i - 1] != '\r')) crlf[m++] = '\r';
    crlf[m++] = body[i];
  }
  size_t b64len = sodium_base64_ENCODED_LEN(m, sodium_base64_VARIANT_ORIGINAL);
  char *b64 = malloc(b64len), *out = malloc(b64len + b64len / 76 * 2 + 4);
  if (b64 && out) {
    sodium_bin2base64(b64, b64len, (unsigned char *)crlf, m, sodium_base64_VARIANT_ORIGINAL);
    size_t k = strlen(b64), o = 0;
    for (size_t i = 0; i < k; i += 76) {
      size_t take = k - i < 76 ? k - i : 76;
      memcpy(out + o, b64 + i, take);
      o += take;
      out[o++] = '\r';
      out[o++] = '\n';
    }
    out[o] = 0;
  }
  free(crlf);
  free(b64);
  if (!b64) {
    free(out);
    return NULL;
  }
  return out;
}

char *mailer_format(const struct outbox_row *r, const char *from, const char *reply_to) {
  char subject[2048], date[64], from_h[600], reply_h[600] = "", display[128];
  mailer_encode_header(r->subject, subject, sizeof subject);
  rfc5322_date(r->created_at, date, sizeof date);
  if (strchr(from, '<')) snprintf(from_h, sizeof from_h, "%s", from);
  else {
    mailer_encode_header("前橋市 公民館予約", display, sizeof display);
    snprintf(from_h, sizeof from_h, "%s\r\n <%s>", display, from); /* folded: 78 max */
  }
  if (reply_to && *reply_to) snprintf(reply_h, sizeof reply_h, "Reply-To: %s\r\n", reply_to);
  char *body = body_base64(r->body);
  if (!body) return NULL;
  size_t n = strlen(body) + strlen(subject) + 2048;
  char *msg = malloc(n);
  if (msg)
    snprintf(msg, n,
             "Message-ID: %s\r\nDate: %s\r\nFrom: %s\r\nTo: <%s>\r\n%sSubject: %s\r\n"
             "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
             "Content-Transfer-Encoding: base64\r\nAuto-Submitted: auto-generated\r\n"
             "X-Kominkan-Kind: %s\r\n\r\n%s",
             r->message_id, date, from_h, r->to, reply_h, subject, r->kind, body);
  free(body);
  return msg;
}

/* ============================================================ sending */

struct mailer {
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int stop;
  char url[1024];
  int require_tls, retry_base, sweep_every, poll_ms;
  const struct rulebook *rb;
};

struct source {
  const char *p;
  size_t left;
};

static size_t read_cb(char *buf, size_t size, size_t nitems, void *arg) {
  struct source *s = arg;
  size_t n = size * nitems < s->left ? size * nitems : s->left;
  memcpy(buf, s->p, n);
  s->p += n;
  s->left -= n;
  return n;
}

/* The address inside "<...>", or all of A. */
static void bare_address(const char *a, char *out, size_t n) {
  const char *lt = strchr(a, '<'), *gt = lt ? strchr(lt, '>') : NULL;
  if (lt && gt) snprintf(out, n, "<%.*s>", (int)(gt - lt - 1), lt + 1);
  else snprintf(out, n, "<%s>", a);
}

enum { SENT, RETRY, REFUSED };

/* Hand R to the SMTP server. SENT, RETRY or REFUSED (a 5xx: never goes),
** with the reason in WHY. */
static int deliver(struct mailer *m, const struct outbox_row *r, char *why, size_t n) {
  char *msg = mailer_format(r, outbox_from(), outbox_reply_to(r->center[0] ? r->center : NULL));
  CURL *c = curl_easy_init();
  char from[320], to[330], errbuf[CURL_ERROR_SIZE] = "";
  bare_address(outbox_from(), from, sizeof from);
  bare_address(r->to, to, sizeof to);
  struct curl_slist *rcpt = curl_slist_append(NULL, to);
  if (!msg || !c || !rcpt) {
    snprintf(why, n, "out of memory");
    free(msg);
    curl_easy_cleanup(c);
    curl_slist_free_all(rcpt);
    return RETRY;
  }
  struct source src = {msg, strlen(msg)};
  curl_easy_setopt(c, CURLOPT_URL, m->url);
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
  curl_easy_setopt(c, CURLOPT_READDATA, &src);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_USE_SSL, (long)(m->require_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  CURLcode rc = curl_easy_perform(c);
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  snprintf(why, n, "%s (SMTP %ld)", errbuf[0] ? errbuf : curl_easy_strerror(rc), code);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(c);
  free(msg);
  if (rc == CURLE_OK) return SENT;
  return code >= 500 && code < 600 ? REFUSED : RETRY;
}

static int64_t wall_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec;
}

/* What a delivery's outcome writes into the outbox. */
struct mark {
  enum { MARK_SENT, MARK_FAILED, MARK_RETRY } what;
  const struct outbox_row *r;   /* the caller's: it waits (ctx_write_wait) */
  const char *why;
  int64_t now, next_at;
};

static int mark_write(kdb *db, const void *data) {
  const struct mark *k = data;
  switch (k->what) {
    case MARK_SENT: return outbox_mark_sent(db, k->r, k->now);
    case MARK_FAILED: return outbox_mark_failed(db, k->r, k->why, k->now);
    default: return outbox_mark_retry(db, k->r->id, k->next_at, k->why);
  }
}

/* K written by the server's writer, in its next batch (ctx_write_wait): a
** write on this thread's own connection would make SQLite drop the writer's
** page cache, once for every message of an opening minute. With no writer
** (the command line), here. 0 or -1. */
static int mark(kdb *db, const struct mark *k) {
  int rc = ctx_write_wait(mark_write, k, sizeof *k);
  return rc == CTX_WRITE_NONE ? mark_write(db, k) : rc;
}

/* Deliver what is due, one by one, until nothing is or we are told to stop. */
static void deliver_due(struct mailer *m, kdb *db) {
  struct outbox_row r;
  for (;;) {
    pthread_mutex_lock(&m->mu);
    int stop = m->stop;
    pthread_mutex_unlock(&m->mu);
    if (stop || outbox_next_due(db, wall_now(), &r) != 1) return;
    char why[CURL_ERROR_SIZE + 64];
    int res = deliver(m, &r, why, sizeof why);
    int bad = 0;
    struct mark k = {.r = &r, .why = why, .now = wall_now()};
    if (res == SENT) {
      /* The 250 is in: the mark must stick, or it would go again. */
      k.what = MARK_SENT;
      for (int i = 0; i < 50 && (bad = mark(db, &k)) != 0; i++)
        nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
    } else if (res == REFUSED || r.attempts + 1 >= MAILER_MAX_ATTEMPTS) {
      k.what = MARK_FAILED;
      bad = mark(db, &k);
    } else {
      k.what = MARK_RETRY;
      k.next_at = wall_now() + mailer_backoff(r.attempts + 1, m->retry_base);
      bad = mark(db, &k);
    }
    if (res != SENT) fprintf(stderr, "kominkan: mail %lld to %s: %s\n", (long long)r.id, r.to, why);
    long long id = (long long)r.id;
    outbox_row_clear(&r);
    if (bad) {
      fprintf(stderr, "kominkan: mail: cannot record the delivery of message %lld\n", id);
      return;
    }
    if (res != SENT) return; /* the server is in trouble: wait for the next round */
  }
}

/* Lapsed holds (their messages with them), then warnings and reminders. */
static void sweep(struct mailer *m, kdb *db) {
  struct kctx ctx = {.db = db, .rb = m->rb, .now = clock_now(), .channel = "online"};
  ctx.actor.role = ROLE_ANON;
  int n = 64;
  for (int round = 0; n == 64 && round < 100; round++)
    if (booking_sweep_lapsed(&ctx, 64, &n)) break;
  if (notify_sweep(&ctx, &n)) fprintf(stderr, "kominkan: mail sweep failed: %s\n", db_errmsg(db));
}

static void *mailer_main(void *arg) {
  struct mailer *m = arg;
  kdb *db = db_thread();
  int64_t next_sweep = 0;
  while (db) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    if (t.tv_sec >= next_sweep) {
      sweep(m, db);
      next_sweep = t.tv_sec + m->sweep_every;
    }
    deliver_due(m, db);
    int64_t ns = t.tv_nsec + (int64_t)m->poll_ms * 1000000;
    t.tv_sec += (time_t)(ns / 1000000000);
    t.tv_nsec = (long)(ns % 1000000000);
    pthread_mutex_lock(&m->mu);
    while (!m->stop && pthread_cond_timedwait(&m->cv, &m->mu, &t) != ETIMEDOUT) {
    }
    int stop = m->stop;
    pthread_mutex_unlock(&m->mu);
    if (stop) break;
  }
  db_thread_cleanup();
  return NULL;
}

struct mailer *mailer_start(const struct mailer_opts *o, char *err, size_t errlen) {
  if (strncmp(o->smtp_url, "smtp://", 7) && strncmp(o->smtp_url, "smtps://", 8)) {
    snprintf(err, errlen, "--smtp wants smtp://HOST:PORT or smtps://HOST:PORT");
    return NULL;
  }
  struct mailer *m = calloc(1, sizeof *m);
  if (!m || strlen(o->smtp_url) >= sizeof m->url) {
    snprintf(err, errlen, m ? "--smtp: URL too long" : "out of memory");
    free(m);
    return NULL;
  }
  snprintf(m->url, sizeof m->url, "%s", o->smtp_url);
  m->require_tls = o->require_tls;
  m->retry_base = o->retry_base > 0 ? o->retry_base : 30;
  m->sweep_every = o->sweep_every > 0 ? o->sweep_every : 300;
  m->poll_ms = o->poll_ms > 0 ? o->poll_ms : 1000;
  m->rb = o->rb;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  pthread_condattr_t ca;
  pthread_mutex_init(&m->mu, NULL);
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&m->cv, &ca);
  pthread_condattr_destroy(&ca);
  if (pthread_create(&m->thread, NULL, mailer_main, m) != 0) {
    snprintf(err, errlen, "cannot start the mail thread");
    pthread_cond_destroy(&m->cv);
    pthread_mutex_destroy(&m->mu);
    free(m);
    return NULL;
  }
  return m;
}

void mailer_stop(struct mailer *m) {
  if (!m) return;
  pthread_mutex_lock(&m->mu);
  m->stop = 1;
  pthread_cond_signal(&m->cv);
  pthread_mutex_unlock(&m->mu);
  pthread_join(m->thread, NULL);
  pthread_cond_destroy(&m->cv);
  pthread_mutex_destroy(&m->mu);
  curl_global_cleanup();
  free(m);
}
