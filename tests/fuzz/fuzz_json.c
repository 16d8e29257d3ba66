/*
** tests/fuzz/fuzz_json.c: JSON (and form) bodies sent to every write
** endpoint in the route table, through the gate's parse path (router.c
** parse_body: content type, UTF-8, JSON syntax and duplicate keys) into the
** handler, via the same socket-less driver as fuzz_request (fuzz_http.h).
**
** The routes are taken from router_routes at start, so an endpoint added to
** the table is fuzzed from then on without touching this file. One account
** of each role is created and signed in at start, so that the handlers'
** own validation is reached, not only the gate's 401/403. Input:
**   byte 0  which write route (modulo their number)
**   byte 1  content type (low 3 bits: JSON, JSON with charset, form, none,
**           text/plain); bit 7 adds "Accept: text/html"
**   byte 2  the value put in for each {param} of the pattern
**   byte 3  who asks (modulo 5: anonymous, citizen, staff, admin, analyst);
**           bit 3: by session cookie with the CSRF token instead of bearer,
**           bit 4: by cookie without it
**   rest    the body
** A session the fuzzer ends (DELETE /api/v1/session) is signed in again
** before it is used next.
*/
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../backend/core/accounts.h"
#include "../../backend/core/clock.h"
#include "../../backend/core/text.h"
#include "../../backend/http/http.h"
#include "../../backend/http/router.h"
#include "../../backend/http/session.h"
#include "../../backend/store/db.h"
#include "fuzz_http.h"

#define MAX_WRITE_ROUTES 256

static const struct route *writes[MAX_WRITE_ROUTES];
static int nwrites;

static int is_unsafe(const char *m) {
  return strcmp(m, "GET") && strcmp(m, "HEAD") && strcmp(m, "OPTIONS");
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  fuzz_http_init(*argc > 0 ? (*argv)[0] : NULL);
  for (const struct route *rt = router_routes; rt->method; rt++)
    if (is_unsafe(rt->method) && nwrites < MAX_WRITE_ROUTES) writes[nwrites++] = rt;
  if (!nwrites)
    fprintf(stderr, "fuzz_json: no write endpoint in the route table yet:"
                    " fuzzing the gate's JSON acceptance alone\n");
  for (int k = 1; k < 5; k++) fuzz_http_session(k);
  return 0;
}

static const char *const ctypes[] = {
  "application/json", "application/json; charset=utf-8", "application/x-www-form-urlencoded",
  NULL, "text/plain"};

static const char *const ids[] = {"1", "0", "999999999", "123456789", "-1", "abc",
                                  "%00", "1%2f2", "%e3%81%82", "1e309"};

/* The pattern with every {param} replaced by ID; into OUT. */
static void fill(const char *pattern, const char *id, char *out, size_t n) {
  size_t o = 0;
  for (const char *p = pattern; *p && o + 1 < n; p++) {
    if (*p == '{') {
      const char *e = strchr(p, '}');
      if (!e) break;
      for (const char *s = id; *s && o + 1 < n; s++) out[o++] = *s;
      p = e;
    } else {
      out[o++] = *p;
    }
  }
  out[o] = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 4) return 0;
  const uint8_t *body = data + 4;
  size_t len = size - 4;
  if (!nwrites) {
    /* what router.c parse_body accepts as a JSON body */
    if (text_utf8_valid((const char *)body, len)) {
      json_error_t e;
      json_t *j = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, &e);
      if (j && json_is_object(j)) {
        char *s = json_dumps(j, JSON_COMPACT);
        if (!s) abort();
        free(s);
      }
      json_decref(j);
    }
    return 0;
  }
  const struct route *rt = writes[data[0] % nwrites];
  char url[512];
  fill(rt->pattern, ids[data[2] % (sizeof ids / sizeof ids[0])], url, sizeof url);
  if (rt->flags & RF_PREFIX) strncat(url, "x", sizeof url - strlen(url) - 1);
  char clen[32], auth[128], cookie[128];
  snprintf(clen, sizeof clen, "%zu", len);
  struct fuzz_request rq = {.method = rt->method, .url = url, .version = "HTTP/1.1",
                            .body = body, .body_len = len};
#define HDR(n, v) (rq.name[rq.nheaders] = (n), rq.value[rq.nheaders++] = (v))
  const char *ct = ctypes[(data[1] & 7) % (sizeof ctypes / sizeof ctypes[0])];
  HDR("Host", "localhost");
  HDR("Content-Length", clen);
  if (ct) HDR("Content-Type", ct);
  if (data[1] & 0x80) HDR("Accept", "text/html");
  int who = data[3] % 5;
  if (who) {
    const struct session_new *sess = fuzz_http_session(who);
    if (data[3] & 0x18) {
      snprintf(cookie, sizeof cookie, SESSION_COOKIE "=%s", sess->token);
      HDR("Cookie", cookie);
      if (data[3] & 0x08) HDR("X-CSRF-Token", sess->csrf);
    } else {
      snprintf(auth, sizeof auth, "Bearer %s", sess->token);
      HDR("Authorization", auth);
    }
  }
#undef HDR
  struct fuzz_reply out;
  fuzz_http_perform(&rq, &out);
  return 0;
}
