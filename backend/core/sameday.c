/*
** core/sameday.c: same-day use without registration, taken on the web (see
** sameday.h). The walk-in itself is core/counter.c's: this file adds what
** the web needs that the counter does not (no clerk at the desk): the
** throttle per address and the centre's phone in the answer.
*/
#include "sameday.h"

#include <stdio.h>
#include <string.h>

#include "bookings.h"
#include "counter_int.h"
#include "rules.h"
#include "throttle.h"

/* The throttle's key for CLIENT: "sameday:ADDRESS". */
static void throttle_key(const struct kctx *ctx, char *key, size_t n) {
  snprintf(key, n, "sameday:%s", ctx->client && *ctx->client ? ctx->client : "-");
}

int sameday_quote(struct kctx *ctx, const json_t *body, struct booking_quote *q,
                  struct kerrinfo *ei) {
  struct walkin wk;
  int rc;
  memset(q, 0, sizeof *q);
  memset(&wk, 0, sizeof wk);
  wk.online = 1;
  struct kctx c = *ctx;
  c.channel = "online";
  if ((rc = counter_walkin_fields(&c, body, &wk, ei))) return rc;
  json_t *req = counter_walkin_request(&c, body);
  if (!req) return kerr_set(ei, KERR_INTERNAL, NULL);
  struct booking_for f = {.walkin = 1};
  rc = booking_quote_for(&c, req, &f, q, ei);
  json_decref(req);
  if (rc || (rc = counter_walkin_phone_used(&c, &wk, 0, ei))) return rc;
  snprintf(q->v.b.walkin_name, sizeof q->v.b.walkin_name, "%s", wk.name);
  snprintf(q->v.b.channel, sizeof q->v.b.channel, "online");
  return 0;
}

int sameday_take(struct kctx *ctx, const json_t *body, json_t **out, struct kerrinfo *ei) {
  struct walkin wk;
  char key[THROTTLE_KEY];
  int rc;
  *out = NULL;
  memset(&wk, 0, sizeof wk);
  wk.online = 1;
  struct kctx c = *ctx;
  c.channel = "online";
  /* name, phone, today, attendees and purpose: every mistake at its field */
  if ((rc = counter_walkin_fields(&c, body, &wk, ei))) return rc;
  /* RULE: same-day uses without registration are throttled per address
  ** (throttle.c): only uses taken count, so the wait is asked first and the
  ** use counted once it is stored. */
  throttle_key(&c, key, sizeof key);
  int wait = throttle_wait(&throttle_sameday, key, c.now);
  if (wait) return throttle_refusal(wait, "この接続元から登録なしの当日利用を続けて受け付けたため", ei);
  if ((rc = counter_walkin_book(&c, body, &wk, "booking.sameday", out, ei))) return rc;
  throttle_fail(&throttle_sameday, key, c.now);
  /* where to call to cancel, or to ask (there is no account to sign in with) */
  const struct room *ro =
      rules_room_by_id(c.rb, (int64_t)json_integer_value(json_object_get(*out, "room_id")));
  if (ro) json_object_set_new(*out, "center_phone", json_string(ro->center->phone));
  return 0;
}
