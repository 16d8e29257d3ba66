/*
** tools/demo/demo_sim.h: the simulation's state, shared by tools/demo/demo.c
** (the bookings played through) and tools/demo/demo_people.c (the
** population). Private to tools/demo/.
*/
#ifndef KOMINKAN_TOOLS_DEMO_SIM_H
#define KOMINKAN_TOOLS_DEMO_SIM_H

#include <stdint.h>

#include "../../backend/core/rules.h"
#include "demo.h"

#define LOCKED_HASH "!demo: no password matches this"

/* ============================================================ random */

struct rng {
  uint64_t s;
};

static inline uint64_t next(struct rng *r) {   /* splitmix64 */
  uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static inline double unif(struct rng *r) { return (double)(next(r) >> 11) * (1.0 / 9007199254740992.0); }

static inline int64_t between(struct rng *r, int64_t lo, int64_t hi) {
  if (hi <= lo) return lo;
  return lo + (int64_t)(next(r) % (uint64_t)(hi - lo + 1));
}

/* ========================================================= the plan */

enum { F_CONFIRM, F_CONFIRM_CANCEL, F_CONFIRM_STAFF_CANCEL, F_HOLD_CANCEL, F_LAPSE, F_HOLD };

struct person {
  int64_t id;
  int center;                 /* home centre index */
};

struct group {
  int64_t id, rep;
  int center, act, members, residents;
  const struct room *room;
  int weekday, slot, nslots, freq;
  const char *exemption;      /* the category approved for it, or NULL */
};

struct intent {
  int64_t t, t2, t3;          /* ask, confirm, cancel */
  int64_t account, group;
  const struct room *room;
  int32_t day;
  int slot0, nslots;
  int attendees;
  int fate;
  const char *channel;
  const char *purpose;
  int64_t booking;
  /* at the counter (core/counter.c) */
  int at_counter;             /* booked by a clerk for the citizen (booking_create with on_behalf_of) */
  int walkin;                 /* a same-day walk-in: no account (counter_walkin) */
  char name[64], phone[16];   /* the walk-in's */
  const char *method;         /* how it is paid (cash, qr, card, ic), NULL: not at all */
  int64_t t_pay, t_in;        /* paid, checked in (0: never) */
  int noshow;                 /* nobody comes: marked at t_in instead */
};

enum { A_CREATE, A_CONFIRM, A_CANCEL, A_STAFF_CANCEL, A_RENEW, A_RENEW_APPROVE, A_EXEMPT_RENEW,
       A_PAY, A_CHECKIN, A_NOSHOW };

struct action {
  int64_t t;
  int kind;
  int idx;                    /* intent, or group */
  int seq;
};

struct sim {
  struct kctx *ctx;
  const struct rulebook *rb;
  const struct demo_plan *plan;
  struct demo_stats *st;
  struct rng rng;
  int64_t t0;                 /* registration: the simulation starts here */
  int64_t *staff;             /* staff account per centre */
  struct person *persons;
  int npersons;
  struct group *groups;
  int ngroups;
  struct intent *in;
  int nin, incap;
  struct action *ac;
  int nac, accap;
  struct {
    int64_t room;
    int32_t day;
    int slot;
  } reserved[16];
  int nreserved;
};

/* ============================================================= names */

static const char *const surnames[][2] = {
    {"佐藤", "さとう"}, {"鈴木", "すずき"}, {"高橋", "たかはし"}, {"田中", "たなか"},
    {"伊藤", "いとう"}, {"渡辺", "わたなべ"}, {"山本", "やまもと"}, {"中村", "なかむら"},
    {"小林", "こばやし"}, {"加藤", "かとう"}, {"吉田", "よしだ"}, {"山田", "やまだ"},
    {"佐々木", "ささき"}, {"松本", "まつもと"}, {"井上", "いのうえ"}, {"木村", "きむら"},
    {"清水", "しみず"}, {"阿部", "あべ"}, {"星野", "ほしの"}, {"関口", "せきぐち"},
    {"新井", "あらい"}, {"須藤", "すどう"}, {"茂木", "もぎ"}, {"狩野", "かのう"}};
static const char *const given[][2] = {
    {"花子", "はなこ"}, {"太郎", "たろう"}, {"一郎", "いちろう"}, {"和子", "かずこ"},
    {"洋子", "ようこ"}, {"健一", "けんいち"}, {"美智子", "みちこ"}, {"誠", "まこと"},
    {"恵子", "けいこ"}, {"博", "ひろし"}, {"裕子", "ゆうこ"}, {"茂", "しげる"},
    {"陽菜", "ひな"}, {"蓮", "れん"}, {"結衣", "ゆい"}, {"大翔", "ひろと"}};

/* An activity: its name, kana, the purpose written on a booking, the room
** kinds it needs (first choice first) and whether it is a daytime circle. */
static const struct activity {
  const char *name, *kana, *purpose;
  const char *kinds[3];
  int daytime;
  const char *exemption;      /* the category such a group may apply for (減免), or NULL */
  double apply;               /* how many in 100 such groups apply */
} activities[] = {
    {"短歌", "たんか", "短歌の例会", {"和室", "会議室"}, 1, "senior_club", 0.25},
    {"俳句", "はいく", "句会", {"和室", "会議室"}, 1, "senior_club", 0.25},
    {"囲碁", "いご", "囲碁の対局", {"和室", "会議室"}, 1, "senior_club", 0.3},
    {"書道", "しょどう", "書道の練習", {"会議室", "和室"}, 1, NULL, 0},
    {"茶道", "さどう", "茶道の稽古", {"和室"}, 1, NULL, 0},
    {"コーラス", "こーらす", "合唱の練習", {"ホール", "視聴覚室"}, 0, NULL, 0},
    {"民謡", "みんよう", "民謡の練習", {"ホール", "和室"}, 1, "senior_club", 0.3},
    {"社交ダンス", "しゃこうだんす", "ダンスの練習", {"ホール", "体育室"}, 0, NULL, 0},
    {"太極拳", "たいきょくけん", "太極拳の練習", {"ホール", "体育室"}, 1, "senior_club", 0.2},
    {"ヨガ", "よが", "ヨガ教室", {"体育室", "ホール"}, 0, NULL, 0},
    {"料理", "りょうり", "料理教室", {"料理室"}, 1, NULL, 0},
    {"パソコン", "ぱそこん", "パソコンの勉強会", {"視聴覚室", "会議室"}, 0, "social_education", 0.2},
    {"英会話", "えいかいわ", "英会話の勉強会", {"学習室", "会議室"}, 0, "social_education", 0.15},
    {"絵画", "かいが", "絵画の制作", {"実習室", "会議室"}, 1, NULL, 0},
    {"手芸", "しゅげい", "手芸の集まり", {"実習室", "会議室"}, 1, NULL, 0},
    {"読書", "どくしょ", "読書会", {"学習室", "会議室"}, 1, "social_education", 0.2},
    {"自治会", "じちかい", "自治会の役員会", {"会議室"}, 0, "community", 0.9},
    {"子ども会", "こどもかい", "子ども会の行事", {"ホール", "会議室"}, 0, "community", 0.8},
    {"卓球", "たっきゅう", "卓球の練習", {"体育室", "ホール"}, 0, NULL, 0},
    {"映画", "えいが", "映画の鑑賞会", {"視聴覚室", "ホール"}, 0, "social_education", 0.1},
};
#define NACT ((int)(sizeof activities / sizeof activities[0]))

static const char *const suffix[][2] = {
    {"の会", "のかい"}, {"クラブ", "くらぶ"}, {"サークル", "さーくる"},
    {"同好会", "どうこうかい"}, {"教室", "きょうしつ"}, {"友の会", "とものかい"}};

static const char *const person_purposes[] = {"打ち合わせ", "勉強会", "練習",
                                              "地域の話し合い", "趣味の集まり"};

/* tools/demo/demo_people.c */
void demo_act(struct kctx *ctx, int role, int64_t id, const char *channel, int64_t now);
int demo_people(struct sim *s);
void demo_exempt(struct sim *s, struct group *g, const char *category, int64_t t);
int demo_make_groups(struct sim *s);

/* tools/demo/demo.c */
const struct rules *demo_rules_for(const struct rulebook *rb, int32_t day);
int demo_pick_slot(struct sim *s, const struct rules *r, int weekday_mon0, int daytime);
int demo_pick_weekday(struct sim *s);

#endif
