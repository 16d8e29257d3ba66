/*
** core/lottery.h: the one lottery (抽選) of the product, for courses and for
** the monthly allocation of rooms, that anyone can check (docs/courses.md).
**
**   1. When applications open, lottery_create() draws a seed of 32 random
**      bytes (randombytes_buf) and publishes its commitment: the SHA-256 of
**      the 32 seed bytes, as 64 lowercase hex characters.
**   2. At the draw, each entry's rank key is the SHA-256 (lowercase hex) of
**      the ASCII text "SEEDHEX:ENTRY_ID" (the seed as 64 lowercase hex
**      characters, a colon, the entry's ID in decimal without leading zeros).
**      Entries are ranked by ascending key (byte order of the hex text); the
**      owner of the lottery gives places in that order.
**   3. The seed is published after the draw, so anyone can check that it
**      hashes to the commitment and recompute the ranking.
**
** The seed is secret until the draw: nobody (not even staff) can know the
** ranking while applications are taken, and the commitment stops anyone from
** changing the seed afterwards.
*/
#ifndef KOMINKAN_CORE_LOTTERY_H
#define KOMINKAN_CORE_LOTTERY_H

#include <jansson.h>
#include <stdint.h>

#include "ctx.h"

#define LOTTERY_SEED_BYTES 32

/* Inside a write transaction: a new lottery of KIND ("course" or "round")
** with a fresh seed. *ID gets its ID. 0 or a KERR code. */
int lottery_create(struct kctx *ctx, const char *kind, int64_t *id);

/* The rank key of ENTRY under SEEDHEX (64 hex characters) into OUT (65
** bytes): hex SHA-256 of "SEEDHEX:ENTRY". */
void lottery_rank_key(const char *seedhex, int64_t entry, char out[65]);

/* Sort ENTRIES (N of them) into rank order under SEEDHEX, in place. */
void lottery_rank(const char *seedhex, int64_t *entries, int n);

/* Inside a write transaction: draw lottery ID over ENTRIES (N, any order):
** ENTRIES is sorted into rank order and the lottery is marked drawn (by the
** actor of CTX, at ctx->now). KERR_CONFLICT if it was drawn already. The
** owner then records each entry's outcome with lottery_record() in rank
** order (POSITION 1 first). */
int lottery_draw(struct kctx *ctx, int64_t id, int64_t *entries, int n, struct kerrinfo *ei);
int lottery_record(struct kctx *ctx, int64_t id, int position, int64_t entry, int accepted);

/* 1 if lottery ID has been drawn, 0 if not, -1 if there is none. */
int lottery_drawn(struct kctx *ctx, int64_t id);

/* GET /api/v1/lotteries/{id}: {"id","kind","commitment","drawn_at"?,"seed"?,
** "ranking":[ID,...],"accepted":[...],"waitlist":[...]} (seed and the lists
** only once drawn; before, the lists are empty). KERR_NOT_FOUND. */
int lottery_get(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei);

/* lottery_get's lottery as a typed view (its JSON is lottery_view_json): the
** seed only once drawn. lottery_view_free() frees the ranking. */
struct lottery_rank {
  int64_t entry;
  int accepted;                     /* else waitlisted (a round: lost) */
};
struct lottery_view {
  int64_t id;
  int64_t drawn_at;                 /* 0: not drawn yet */
  char commitment[65], seed[65];    /* seed: "" until drawn */
  struct lottery_rank *ranking;     /* position 1 first; none before the draw */
  int nranking;
};
int lottery_view_get(struct kctx *ctx, int64_t id, struct lottery_view *v, struct kerrinfo *ei);
json_t *lottery_view_json(const struct lottery_view *v);
void lottery_view_free(struct lottery_view *v);   /* NULL: no-op */

#endif
