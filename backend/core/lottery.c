/*
** core/lottery.c: a fair lottery that anyone can check (see lottery.h and
** docs/courses.md for the algorithm, exactly).
*/
#include "lottery.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "status.h"
#include "vec.h"

static void hex_sha256(const unsigned char *in, size_t n, char out[65]) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, in, n);
  sodium_bin2hex(out, 65, h, sizeof h);
}

int lottery_create(struct kctx *ctx, const char *kind, int64_t *id) {
  unsigned char seed[LOTTERY_SEED_BYTES];
  char commitment[65];
  *id = 0;
  randombytes_buf(seed, sizeof seed);
  hex_sha256(seed, sizeof seed, commitment);
  kstmt *st = db_prep(ctx->db,
                      "INSERT INTO lotteries(kind, seed, commitment, created_at)"
                      " VALUES ($kind, $seed, $c, $now)");
  if (!st) return KERR_INTERNAL;
  db_bind_text(st, "$kind", kind);
  db_bind_blob(st, "$seed", seed, sizeof seed);
  db_bind_text(st, "$c", commitment);
  db_bind_int(st, "$now", ctx->now);
  int rc = db_exec_stmt(st);
  sodium_memzero(seed, sizeof seed);
  if (rc != DB_OK) return kerr_from_db(rc);
  *id = db_last_id(ctx->db);
  return 0;
}

void lottery_rank_key(const char *seedhex, int64_t entry, char out[65]) {
  char text[64 + 1 + 24];
  int n = snprintf(text, sizeof text, "%s:%lld", seedhex, (long long)entry);
  hex_sha256((const unsigned char *)text, (size_t)n, out);
}

struct keyed {
  char key[65];
  int64_t entry;
};

static int cmp_keyed(const void *a, const void *b) {
  return strcmp(((const struct keyed *)a)->key, ((const struct keyed *)b)->key);
}

void lottery_rank(const char *seedhex, int64_t *entries, int n) {
  if (n <= 0) return;
  struct keyed *k = calloc((size_t)n, sizeof *k);
  if (!k) return; /* left as given; the caller's draw fails on the record */
  for (int i = 0; i < n; i++) {
    k[i].entry = entries[i];
    lottery_rank_key(seedhex, entries[i], k[i].key);
  }
  qsort(k, (size_t)n, sizeof *k, cmp_keyed);
  for (int i = 0; i < n; i++) entries[i] = k[i].entry;
  free(k);
}

/* The seed of lottery ID as hex, and whether it is drawn. */
static int load(struct kctx *ctx, int64_t id, char seedhex[65], char commitment[65],
                int64_t *drawn_at) {
  kstmt *st = db_prep(ctx->db,
                      "SELECT seed, commitment, drawn_at FROM lotteries WHERE id = $id");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", id);
  int rc = db_step(st);
  if (rc == DB_ROW) {
    size_t n = 0;
    const void *seed = db_col_blob(st, 0, &n);
    if (n != LOTTERY_SEED_BYTES) {
      db_reset(st);
      return KERR_INTERNAL;
    }
    sodium_bin2hex(seedhex, 65, seed, n);
    snprintf(commitment, 65, "%s", db_col_text(st, 1));
    *drawn_at = db_col_null(st, 2) ? 0 : db_col_int(st, 2);
  }
  db_reset(st);
  if (rc == DB_DONE) return KERR_NOT_FOUND;
  return rc == DB_ROW ? 0 : kerr_from_db(rc);
}

int lottery_drawn(struct kctx *ctx, int64_t id) {
  char seed[65], c[65];
  int64_t at = 0;
  if (load(ctx, id, seed, c, &at)) return -1;
  sodium_memzero(seed, sizeof seed);
  return at ? 1 : 0;
}

int lottery_draw(struct kctx *ctx, int64_t id, int64_t *entries, int n, struct kerrinfo *ei) {
  char seed[65], c[65];
  int64_t at = 0;
  int rc = load(ctx, id, seed, c, &at);
  if (rc) return kerr_set(ei, rc, NULL);
  if (at) return kerr_set(ei, KERR_CONFLICT, "この抽選はすでに行われています。");
  lottery_rank(seed, entries, n);
  rc = db_run(ctx->db, "UPDATE lotteries SET drawn_at = $now, drawn_by = $by WHERE id = $id",
              DB_I("$now", ctx->now),
              ctx->actor.account_id ? DB_I("$by", ctx->actor.account_id) : DB_T("$by", NULL),
              DB_I("$id", id));
  return rc == DB_OK ? 0 : kerr_set(ei, kerr_from_db(rc), NULL);
}

int lottery_record(struct kctx *ctx, int64_t id, int position, int64_t entry, int accepted) {
  char seed[65], c[65], key[65];
  int64_t at = 0;
  int rc = load(ctx, id, seed, c, &at);
  if (rc) return rc;
  lottery_rank_key(seed, entry, key);
  rc = db_run(ctx->db,
              "INSERT INTO lottery_ranking(lottery_id, position, entry_id, rank_hash,"
              " outcome) VALUES ($id, $pos, $entry, $key, $outcome)",
              DB_I("$id", id), DB_I("$pos", position), DB_I("$entry", entry), DB_T("$key", key),
              DB_T("$outcome", course_app_status_name(accepted ? COURSE_APP_ACCEPTED : COURSE_APP_WAITLISTED)));
  return rc == DB_OK ? 0 : kerr_from_db(rc);
}

void lottery_view_free(struct lottery_view *v) {
  if (!v) return;
  free(v->ranking);
  memset(v, 0, sizeof *v);
}

/* The ranking of V (drawn) from its rows, position 1 first. */
static int ranking_read(struct kctx *ctx, struct lottery_view *v) {
  int rc, cap = 0;
  kstmt *st = db_prep(ctx->db,
                      "SELECT entry_id, outcome FROM lottery_ranking WHERE lottery_id = $id"
                      " ORDER BY position");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", v->id);
  while ((rc = db_step(st)) == DB_ROW &&
         !vec_grow((void **)&v->ranking, v->nranking, &cap, sizeof *v->ranking)) {
    struct lottery_rank *k = &v->ranking[v->nranking++];
    k->entry = db_col_int(st, 0);
    k->accepted = course_app_status_parse(db_col_text(st, 1)) == COURSE_APP_ACCEPTED;
  }
  db_reset(st);
  return rc == DB_DONE ? 0 : rc == DB_ROW ? KERR_INTERNAL : kerr_from_db(rc);
}

int lottery_view_get(struct kctx *ctx, int64_t id, struct lottery_view *v, struct kerrinfo *ei) {
  char seed[65];
  memset(v, 0, sizeof *v);
  v->id = id;
  int rc = load(ctx, id, seed, v->commitment, &v->drawn_at);
  /* the seed is secret until the draw */
  if (!rc && v->drawn_at) memcpy(v->seed, seed, sizeof seed);
  sodium_memzero(seed, sizeof seed);
  if (!rc) rc = ranking_read(ctx, v);
  if (!rc) return 0;
  lottery_view_free(v);
  return kerr_set(ei, rc, NULL);
}

json_t *lottery_view_json(const struct lottery_view *v) {
  json_t *o = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)v->id, "algorithm",
                        "sha256(seedhex:id) ascending", "commitment", v->commitment);
  if (!o) return NULL;
  if (v->drawn_at) {
    char at[32];
    clock_format_instant(v->drawn_at, at);
    json_object_set_new(o, "drawn_at", json_string(at));
    json_object_set_new(o, "seed", json_string(v->seed));
  }
  json_t *ranking = json_array(), *acc = json_array(), *wait = json_array();
  json_object_set_new(o, "ranking", ranking);
  json_object_set_new(o, "accepted", acc);
  json_object_set_new(o, "waitlist", wait);
  for (int i = 0; i < v->nranking; i++) {
    json_array_append_new(ranking, json_integer(v->ranking[i].entry));
    json_array_append_new(v->ranking[i].accepted ? acc : wait, json_integer(v->ranking[i].entry));
  }
  return o;
}

int lottery_get(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei) {
  struct lottery_view v;
  *out = NULL;
  int rc = lottery_view_get(ctx, id, &v, ei);
  if (rc) return rc;
  *out = lottery_view_json(&v);
  lottery_view_free(&v);
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}
