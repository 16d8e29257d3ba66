/*
** tests/fuzz/fuzz_permit.c: permit verification (core/permits.c
** permit_verify) on arbitrary tokens.
**
** At start the harness makes one genuine permit: a fixed signing key (so the
** permit, and the seed corpus made from it, are the same in every run), a
** citizen, a confirmed booking, permit_issue(). Every input is then verified
** as a token. permit_verify must answer (never crash, never fail for a bad
** token: only an empty one is a validation error), and it must call a token
** valid only if it is byte for byte the genuine permit: a mutation of it
** that verifies would be a forgery (or a second encoding of the same bytes),
** and aborts. Seeds: corpus/fuzz_permit/ (the genuine permit and damaged
** copies); FUZZ_PRINT_PERMIT=1 prints the genuine one.
*/
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../backend/core/accounts.h"
#include "../../backend/core/bookings.h"
#include "../../backend/core/clock.h"
#include "../../backend/core/permits.h"
#include "../../backend/http/http.h"
#include "../../backend/store/db.h"
#include "fuzz_http.h"

static char genuine[4096];

static struct kctx ctx_as(int role, int64_t account) {
  struct kctx c = {.db = db_thread(), .rb = app.rb, .now = clock_now(), .channel = "online"};
  c.actor.role = role;
  c.actor.account_id = account;
  return c;
}

#define CHECK(x)                                                   \
  do {                                                             \
    if (!(x)) {                                                    \
      fprintf(stderr, "fuzz_permit: setup failed: %s\n", #x);      \
      abort();                                                     \
    }                                                              \
  } while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  fuzz_http_init(*argc > 0 ? (*argv)[0] : NULL);
  kdb *db = db_thread();
  /* a fixed key, stored where permits_init() would store a random one */
  unsigned char seed[crypto_sign_SEEDBYTES], pk[crypto_sign_PUBLICKEYBYTES],
      sk[crypto_sign_SECRETKEYBYTES];
  memset(seed, 0x4b, sizeof seed);
  crypto_sign_seed_keypair(pk, sk, seed);
  kstmt *st = db_prep(db, "INSERT OR REPLACE INTO server_keys(name, value)"
                          " VALUES ('permit_ed25519', $v)");
  CHECK(st);
  db_bind_blob(st, "$v", sk, sizeof sk);
  CHECK(db_exec_stmt(st) == DB_OK);
  CHECK(permits_init(db) == 0);

  struct kctx sys = ctx_as(ROLE_ADMIN, 0);
  struct kerrinfo ei = {0};
  int64_t citizen = 0;
  json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "name", "山田 太郎", "name_kana", "ヤマダ タロウ",
                         "email", "permit@example.jp", "password", "fuzz-password-123");
  CHECK(accounts_create(&sys, in, ROLE_CITIZEN, NULL, 0, &citizen, &ei) == 0);
  json_decref(in);

  const struct center *ce = rules_center(app.rb, "chuo");
  CHECK(ce && ce->nrooms > 0);
  int64_t room = 0;
  for (int i = 0; i < ce->nrooms && !room; i++)
    if (ce->rooms[i].capacity >= 5) room = ce->rooms[i].id;
  CHECK(room);
  struct kctx me = ctx_as(ROLE_CITIZEN, citizen);
  json_t *body = json_pack("{s:I, s:s, s:[s], s:s, s:i}", "room_id", (json_int_t)room, "date",
                           "2026-05-20", "slots", "morning", "purpose", "囲碁の練習", "attendees", 5);
  json_t *b = NULL, *c = NULL, *permit = NULL;
  int replayed = 0;
  int rc = booking_create(&me, body, NULL, &b, &replayed, &ei);
  if (rc) fprintf(stderr, "booking_create: %d %s\n", rc, ei.message);
  CHECK(rc == 0);
  int64_t id = json_integer_value(json_object_get(b, "id"));
  CHECK(booking_confirm(&me, id, &c, &ei) == 0);
  CHECK(permit_issue(&me, id, &permit, &ei) == 0);
  const char *tok = json_string_value(json_object_get(permit, "permit"));
  CHECK(tok && strlen(tok) < sizeof genuine);
  snprintf(genuine, sizeof genuine, "%s", tok);
  if (getenv("FUZZ_PRINT_PERMIT")) printf("%s\n", genuine);
  json_decref(body);
  json_decref(b);
  json_decref(c);
  json_decref(permit);
  kerr_clear(&ei);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *token = malloc(size + 1);
  if (!token) return 0;
  memcpy(token, data, size);
  token[size] = 0;
  struct kctx anyone = ctx_as(ROLE_ANON, 0);
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = permit_verify(&anyone, token, &out, &ei);
  if (!*token) {
    if (rc != KERR_VALIDATION) abort();
  } else if (rc == KERR_RATE_LIMITED && !strchr(token, '.')) {
    /* a short code ("1234-K7QM3X") is a look-up by number: throttled per
    ** address, as it should be under a flood of guesses */
  } else {
    if (rc != 0 || !json_is_object(out)) {
      fprintf(stderr, "permit_verify failed (%d) on a token\n", rc);
      abort();
    }
    json_t *valid = json_object_get(out, "valid");
    if (!json_is_boolean(valid)) abort();
    if (json_is_true(valid) && strcmp(token, genuine) != 0) {
      fprintf(stderr, "a token other than the genuine permit verified:\n%s\n", token);
      abort();
    }
    if (!strcmp(token, genuine) && !json_is_true(valid)) {
      fprintf(stderr, "the genuine permit did not verify\n");
      abort();
    }
  }
  json_decref(out);
  kerr_clear(&ei);
  free(token);
  return 0;
}
