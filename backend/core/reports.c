/*
** core/reports.c: usage and monthly reports (see reports.h; docs/reports.md).
**
** One aggregator serves every report. A key is a tuple of ordinals (campaign,
** centre, room, kind, month, weekday, slot, channel, registration), packed into one
** 64-bit number whose numeric order is the order rows are shown in; a small
** open-addressing table maps it to its row. Two passes fill the rows:
**
**   1. availability, from the rule book alone: every room of every open day
**      (the version in force on that date decides the slots and the closed
**      days) adds its slots to the key of (room, day, slot);
**   2. use, from one indexed scan of the bookings of the period (bookings_date
**      index): each booking adds to the key of its room, date and, for slot
**      keys, each of its slots.
**
** A year of every centre is ~85k room-slots and a few tens of thousands of
** bookings: both passes are linear and need no temporary table.
*/
#include "reports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bookings.h"
#include "clock.h"
#include "csv.h"
#include "payments.h"

/* ======================================================= the key */

/* Bit layout, most significant first, so that numeric order is display order. */
#define SH_CAMPAIGN 56
#define SH_CENTER 48
#define SH_ROOM 36
#define SH_KIND 30
#define SH_MONTH 14
#define SH_WEEKDAY 11
#define SH_SLOT 6
#define SH_CHANNEL 3
#define SH_REG 0

#define ROOM_OTHER 4095       /* a room no longer in the rule book */
#define CENTER_OTHER 255
#define KIND_OTHER 63
#define SLOT_OTHER 31
#define MAX_KINDS 62
#define MAX_SLOT_CODES 30
#define MAX_CAMPAIGNS 64
#define CAMPAIGN_NONE 255     /* not a campaign day (never counted under RD_CAMPAIGN) */

static const char *const weekday_code[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
static const char *const channel_code[] = {"online", "counter", "form"};
static const char *const channel_label[] = {"オンライン", "窓口", "申請フォーム"};
static const char *const reg_code[] = {"group", "individual", "walk_in"};
static const char *const reg_label[] = {"登録団体", "個人（登録利用者）", "当日利用（登録なし）"};

struct parts {
  int campaign, center, room, kind, month, weekday, slot, channel, reg;
};

/* The aggregation in progress. */
struct agg {
  struct kctx *ctx;
  const struct rulebook *rb;
  int dims;
  const struct center *only;
  int64_t now;

  struct report_row *rows;
  int nrows, cap;
  uint64_t *hkeys;           /* key + 1 (0 = empty) */
  int *hrow;
  int hcap;

  int room_max_id;
  int *room_global;          /* db room id -> global room index, -1 if none */
  const struct room **rooms; /* global room index -> room */
  int nrooms;
  const char *kinds[MAX_KINDS];
  int nkinds;
  char slot_codes[MAX_SLOT_CODES][24];
  char slot_labels[MAX_SLOT_CODES][32];
  int nslot_codes;
  const char *campaigns[MAX_CAMPAIGNS]; /* names, as the rule book's versions list them */
  int ncampaigns;

  struct gpair {
    int row;
    int64_t group;
  } *gp;
  size_t ngp, gpcap;
  int64_t *groups_all;
  size_t ngall, gallcap;
  struct report_row total;
  int oom;
};

static uint64_t pack(const struct agg *a, const struct parts *p) {
  int d = a->dims;
  uint64_t k = 0;
  if (d & RD_CAMPAIGN) k |= (uint64_t)(p->campaign & 0xff) << SH_CAMPAIGN;
  if (d & (RD_CENTER | RD_ROOM)) k |= (uint64_t)(p->center & 0xff) << SH_CENTER;
  if (d & RD_ROOM) k |= (uint64_t)(p->room & 0xfff) << SH_ROOM;
  if (d & RD_KIND) k |= (uint64_t)(p->kind & 0x3f) << SH_KIND;
  if (d & RD_MONTH) k |= (uint64_t)(p->month & 0xffff) << SH_MONTH;
  if (d & RD_WEEKDAY) k |= (uint64_t)(p->weekday & 0x7) << SH_WEEKDAY;
  if (d & RD_SLOT) k |= (uint64_t)(p->slot & 0x1f) << SH_SLOT;
  if (d & RD_CHANNEL) k |= (uint64_t)(p->channel & 0x7) << SH_CHANNEL;
  if (d & RD_REGISTRATION) k |= (uint64_t)(p->reg & 0x7) << SH_REG;
  return k;
}

static void append(char *buf, size_t cap, const char *sep, const char *s) {
  size_t n = strlen(buf);
  if (n) snprintf(buf + n, cap - n, "%s%s", sep, s);
  else snprintf(buf, cap, "%s", s);
}

/* The key text and the Japanese label of P under the dimensions of A. */
static void describe(const struct agg *a, const struct parts *p, struct report_row *row) {
  char k[96] = "", l[192] = "", tmp[64];
  int d = a->dims;
  const struct center *ce = p->center >= 0 && p->center < a->rb->ncenters ? &a->rb->centers[p->center]
                                                                          : NULL;
  if (d & RD_CAMPAIGN) {
    const char *name = p->campaign < a->ncampaigns ? a->campaigns[p->campaign] : "その他";
    append(k, sizeof k, "/", name);
    append(l, sizeof l, " ", name);
  }
  if (d & (RD_CENTER | RD_ROOM)) {
    append(k, sizeof k, "/", ce ? ce->code : "other");
    append(l, sizeof l, " ", ce ? ce->name : "その他");
  }
  if (d & RD_ROOM) {
    const struct room *rm = p->room >= 0 && p->room < a->nrooms ? a->rooms[p->room] : NULL;
    append(k, sizeof k, "/", rm ? rm->code : "other");
    append(l, sizeof l, " ", rm ? rm->name : "現在の一覧にない部屋");
  }
  if (d & RD_KIND) {
    const char *kind = p->kind >= 0 && p->kind < a->nkinds ? a->kinds[p->kind] : "その他";
    append(k, sizeof k, "/", kind);
    append(l, sizeof l, " ", kind);
  }
  if (d & RD_MONTH) {
    int y = 2000 + p->month / 12, m = p->month % 12 + 1;
    snprintf(tmp, sizeof tmp, "%04d-%02d", y, m);
    append(k, sizeof k, "/", tmp);
    snprintf(tmp, sizeof tmp, "%d年%d月", y, m);
    append(l, sizeof l, " ", tmp);
  }
  if (d & RD_WEEKDAY) {
    append(k, sizeof k, "/", weekday_code[p->weekday % 7]);
    snprintf(tmp, sizeof tmp, "%s曜日", clock_weekday_jp((p->weekday + 1) % 7)); /* 0: Monday */
    append(l, sizeof l, " ", tmp);
  }
  if (d & RD_SLOT) {
    int ok = p->slot >= 0 && p->slot < a->nslot_codes;
    append(k, sizeof k, "/", ok ? a->slot_codes[p->slot] : "other");
    append(l, sizeof l, " ", ok ? a->slot_labels[p->slot] : "その他");
  }
  if (d & RD_CHANNEL) {
    append(k, sizeof k, "/", channel_code[p->channel % 3]);
    append(l, sizeof l, " ", channel_label[p->channel % 3]);
  }
  if (d & RD_REGISTRATION) {
    append(k, sizeof k, "/", reg_code[p->reg % 3]);
    append(l, sizeof l, " ", reg_label[p->reg % 3]);
  }
  if (!k[0]) {
    snprintf(k, sizeof k, "total");
    snprintf(l, sizeof l, "合計");
  }
  snprintf(row->key, sizeof row->key, "%s", k);
  snprintf(row->label, sizeof row->label, "%s", l);
}

static int rehash(struct agg *a, int cap) {
  uint64_t *hk = calloc((size_t)cap, sizeof *hk);
  int *hr = calloc((size_t)cap, sizeof *hr);
  if (!hk || !hr) {
    free(hk);
    free(hr);
    return -1;
  }
  for (int i = 0; i < a->nrows; i++) {
    uint64_t k = a->rows[i].ord;
    size_t h = (size_t)((k * 0x9E3779B97F4A7C15ull) >> 20) & (size_t)(cap - 1);
    while (hk[h]) h = (h + 1) & (size_t)(cap - 1);
    hk[h] = k + 1;
    hr[h] = i;
  }
  free(a->hkeys);
  free(a->hrow);
  a->hkeys = hk;
  a->hrow = hr;
  a->hcap = cap;
  return 0;
}

/* The row of P, created (with its key and label) on first use; NULL when
** out of memory. */
static struct report_row *row_of(struct agg *a, const struct parts *p) {
  uint64_t k = pack(a, p);
  if (a->hcap) {
    size_t h = (size_t)((k * 0x9E3779B97F4A7C15ull) >> 20) & (size_t)(a->hcap - 1);
    while (a->hkeys[h]) {
      if (a->hkeys[h] == k + 1) return &a->rows[a->hrow[h]];
      h = (h + 1) & (size_t)(a->hcap - 1);
    }
  }
  if (a->nrows + 1 > a->cap) {
    int cap = a->cap ? a->cap * 2 : 64;
    struct report_row *r = realloc(a->rows, (size_t)cap * sizeof *r);
    if (!r) {
      a->oom = 1;
      return NULL;
    }
    a->rows = r;
    a->cap = cap;
  }
  if ((a->nrows + 1) * 2 > a->hcap && rehash(a, a->hcap ? a->hcap * 2 : 256)) {
    a->oom = 1;
    return NULL;
  }
  struct report_row *row = &a->rows[a->nrows];
  memset(row, 0, sizeof *row);
  row->ord = k;
  row->slots_available = (a->dims & (RD_CHANNEL | RD_REGISTRATION)) ? -1 : 0;
  describe(a, p, row);
  size_t h = (size_t)((k * 0x9E3779B97F4A7C15ull) >> 20) & (size_t)(a->hcap - 1);
  while (a->hkeys[h]) h = (h + 1) & (size_t)(a->hcap - 1);
  a->hkeys[h] = k + 1;
  a->hrow[h] = a->nrows;
  a->nrows++;
  return row;
}

/* ============================================ catalogue ordinals */

static int kind_index(struct agg *a, const char *kind) {
  for (int i = 0; i < a->nkinds; i++)
    if (!strcmp(a->kinds[i], kind)) return i;
  if (a->nkinds >= MAX_KINDS) return KIND_OTHER;
  a->kinds[a->nkinds] = kind;
  return a->nkinds++;
}

static int slot_index(const struct agg *a, const char *code) {
  for (int i = 0; i < a->nslot_codes; i++)
    if (!strcmp(a->slot_codes[i], code)) return i;
  return SLOT_OTHER;
}

/* The ordinal of campaign CP (by its name: a campaign of several versions is
** one row), CAMPAIGN_NONE for none. */
static int campaign_index(const struct agg *a, const struct campaign *cp) {
  for (int i = 0; cp && i < a->ncampaigns; i++)
    if (!strcmp(a->campaigns[i], cp->name)) return i;
  return cp ? MAX_CAMPAIGNS : CAMPAIGN_NONE;
}

static int catalogue(struct agg *a) {
  const struct rulebook *rb = a->rb;
  for (int v = 0; v < rb->nversions; v++)
    for (int i = 0; i < rb->versions[v].ncampaigns && a->ncampaigns < MAX_CAMPAIGNS; i++)
      if (campaign_index(a, &rb->versions[v].campaigns[i]) >= a->ncampaigns)
        a->campaigns[a->ncampaigns++] = rb->versions[v].campaigns[i].name;
  for (int c = 0; c < rb->ncenters; c++)
    for (int j = 0; j < rb->centers[c].nrooms; j++) {
      a->nrooms++;
      if (rb->centers[c].rooms[j].id > a->room_max_id) a->room_max_id = (int)rb->centers[c].rooms[j].id;
    }
  a->rooms = calloc((size_t)a->nrooms + 1, sizeof *a->rooms);
  a->room_global = malloc(((size_t)a->room_max_id + 1) * sizeof *a->room_global);
  if (!a->rooms || !a->room_global) return -1;
  for (int i = 0; i <= a->room_max_id; i++) a->room_global[i] = -1;
  int g = 0;
  for (int c = 0; c < rb->ncenters; c++)
    for (int j = 0; j < rb->centers[c].nrooms; j++, g++) {
      const struct room *rm = &rb->centers[c].rooms[j];
      a->rooms[g] = rm;
      if (rm->id > 0) a->room_global[rm->id] = g;
      kind_index(a, rm->kind);
    }
  /* Slot codes in the order of the versions, first appearance first. */
  for (int v = 0; v < rb->nversions; v++)
    for (int s = 0; s < rb->versions[v].nslots; s++) {
      const struct slotdef *sd = &rb->versions[v].slots[s];
      if (slot_index(a, sd->code) != SLOT_OTHER || a->nslot_codes >= MAX_SLOT_CODES) continue;
      snprintf(a->slot_codes[a->nslot_codes], sizeof a->slot_codes[0], "%s", sd->code);
      snprintf(a->slot_labels[a->nslot_codes], sizeof a->slot_labels[0], "%s", sd->label);
      a->nslot_codes++;
    }
  return 0;
}

static int center_index(const struct rulebook *rb, const char *code) {
  for (int i = 0; i < rb->ncenters; i++)
    if (!strcmp(rb->centers[i].code, code)) return i;
  return CENTER_OTHER;
}

static void day_parts(int32_t day, struct parts *p) {
  int y, m, d;
  date_to_ymd(day, &y, &m, &d);
  p->month = y < 2000 ? 0 : (y - 2000) * 12 + (m - 1);
  p->weekday = (date_weekday(day) + 6) % 7;   /* Monday first */
}

/* ============================================ pass 1: availability */

static int availability(struct agg *a, int32_t from, int32_t to) {
  const struct rulebook *rb = a->rb;
  int per_room = (a->dims & (RD_ROOM | RD_KIND | RD_CAMPAIGN)) != 0;
  int g0 = 0;
  for (int c = 0; c < rb->ncenters; g0 += rb->centers[c].nrooms, c++) {
    const struct center *ce = &rb->centers[c];
    if (a->only && a->only != ce) continue;
    if (ce->nrooms == 0) continue;
    for (int32_t day = from; day <= to; day++) {
      const struct rules *r = rules_in_force(rb, day);
      /* RULE: closed days (the version in force on the date) offer no slots. */
      if (!r || rules_closed(r, ce->code, day, NULL)) continue;
      struct parts p = {.center = c};
      day_parts(day, &p);
      for (int s = 0; s < r->nslots; s++) {
        p.slot = slot_index(a, r->slots[s].code);
        if (!per_room) {
          struct report_row *row = row_of(a, &p);
          if (!row) return -1;
          row->slots_available += ce->nrooms;
          continue;
        }
        for (int j = 0; j < ce->nrooms; j++) {
          /* RULE: a campaign day is a campaign's for the rooms it makes free */
          if ((a->dims & RD_CAMPAIGN) &&
              (p.campaign = campaign_index(a, rules_campaign(r, &ce->rooms[j], day))) == CAMPAIGN_NONE)
            continue;
          p.room = g0 + j;
          p.kind = kind_index(a, ce->rooms[j].kind);
          struct report_row *row = row_of(a, &p);
          if (!row) return -1;
          row->slots_available++;
        }
      }
    }
  }
  return 0;
}

/* ================================================== pass 2: use */

enum { ST_BOOKED = 1, ST_USED = 2, ST_HELD = 4, ST_LAPSED = 8, ST_CANCELLED = 16, ST_NOSHOW = 32 };

static int status_bits(const char *status, int64_t expires, int64_t now) {
  switch (booking_status_parse(status)) {
    case BOOKING_CONFIRMED:
    case BOOKING_CHECKED_IN: return ST_BOOKED | ST_USED;
    case BOOKING_NO_SHOW: return ST_BOOKED | ST_NOSHOW;
    case BOOKING_HELD: return expires && expires <= now ? ST_LAPSED : ST_HELD;
    case BOOKING_LAPSED: return ST_LAPSED;
    case BOOKING_CANCELLED: return ST_CANCELLED;
    case BOOKING_UNKNOWN: break;
  }
  return 0;
}

static int push_group(struct agg *a, int row, int64_t group) {
  if (a->ngp + 1 > a->gpcap) {
    size_t cap = a->gpcap ? a->gpcap * 2 : 1024;
    struct gpair *g = realloc(a->gp, cap * sizeof *g);
    if (!g) return -1;
    a->gp = g;
    a->gpcap = cap;
  }
  a->gp[a->ngp].row = row;
  a->gp[a->ngp].group = group;
  a->ngp++;
  return 0;
}

static int push_group_all(struct agg *a, int64_t group) {
  if (a->ngall + 1 > a->gallcap) {
    size_t cap = a->gallcap ? a->gallcap * 2 : 1024;
    int64_t *g = realloc(a->groups_all, cap * sizeof *g);
    if (!g) return -1;
    a->groups_all = g;
    a->gallcap = cap;
  }
  a->groups_all[a->ngall++] = group;
  return 0;
}

/* One booking's figures. Its money (fees charged, paid, exempted) is split
** between rows by the caller for slot keys; add_use() gets this row's part. */
enum { M_CHARGED, M_PAID, M_EXEMPTED, M_N };

struct use {
  int bits;
  int nslots;
  int64_t money[M_N];
  int attendees;
  int walk_in;
  int exempt_full;
  int64_t group;
};

static void add_use(struct report_row *row, const struct use *u, int nslots,
                    const int64_t money[M_N]) {
  /* money is whatever changed hands for this booking, in any status: a
  ** cancelled booking's kept fee, a no-show's fee, a refund (negative) */
  row->fees_charged += money[M_CHARGED];
  row->revenue += money[M_PAID];
  if (u->bits & ST_BOOKED) {
    row->slots_booked += nslots;
    row->bookings++;
    row->exempted_amount += money[M_EXEMPTED];
    if (u->walk_in) row->walk_ins++;
    if (u->money[M_EXEMPTED] > 0) {
      row->slots_exempted += nslots;
      if (u->exempt_full) row->slots_exempted_full += nslots;
    }
  }
  if (u->bits & ST_USED) {
    row->uses++;
    row->attendees += u->attendees;
  }
  if (u->bits & ST_NOSHOW) row->no_shows++;
  if (u->bits & ST_HELD) row->slots_held += nslots;
  if (u->bits & ST_LAPSED) row->lapsed_holds++;
  if (u->bits & ST_CANCELLED) row->cancellations++;
}

static int channel_index(const char *ch) {
  if (!strcmp(ch, "counter")) return 1;
  if (!strcmp(ch, "form")) return 2;
  return 0;
}

static int use_pass(struct agg *a, int32_t from, int32_t to) {
  char dfrom[11], dto[11];
  date_format(from, dfrom);
  date_format(to, dto);
  kstmt *st = db_prep(a->ctx->db,
                      "SELECT room_id, center, date, slots, status, hold_expires_at, group_id,"
                      " account_id IS NULL, fee_total, fee_discount, COALESCE(cancel_fee, 0),"
                      " attendees, channel, rules_version,"
                      " paid FROM r_bookings b WHERE date >= $from AND date <= $to"
                      " AND ($center IS NULL OR center = $center)");
  if (!st) return KERR_INTERNAL;
  db_bind_text(st, "$from", dfrom);
  db_bind_text(st, "$to", dto);
  db_bind_text(st, "$center", a->only ? a->only->code : NULL);
  int rc, err = 0;
  while (!err && (rc = db_step(st)) == DB_ROW) {
    int64_t room_id = db_col_int(st, 0);
    int32_t day;
    if (date_parse(db_col_text(st, 2), &day)) continue;
    struct use u = {0};
    u.bits = status_bits(db_col_text(st, 4), db_col_null(st, 5) ? 0 : db_col_int(st, 5), a->now);
    if (!u.bits) continue;
    u.group = db_col_null(st, 6) ? 0 : db_col_int(st, 6);
    u.walk_in = (int)db_col_int(st, 7);
    int64_t fee_total = db_col_int(st, 8), discount = db_col_int(st, 9);
    int64_t cancel_fee = db_col_int(st, 10);
    u.attendees = (int)db_col_int(st, 11);
    /* charged: what the booking owes now (core/payments.h: its fee while
    ** booked, its cancellation fee once cancelled); paid: the net of its
    ** payments and refunds at the counter (schema/008) */
    u.money[M_CHARGED] = (u.bits & ST_BOOKED) ? fee_total : (u.bits & ST_CANCELLED) ? cancel_fee : 0;
    u.money[M_PAID] = db_col_int(st, 14);
    u.money[M_EXEMPTED] = (u.bits & ST_BOOKED) ? discount : 0;
    u.exempt_full = discount > 0 && fee_total == 0;

    struct parts p = {0};
    int g = room_id >= 0 && room_id <= a->room_max_id ? a->room_global[room_id] : -1;
    const struct room *rm = g >= 0 ? a->rooms[g] : NULL;
    p.center = rm ? center_index(a->rb, rm->center->code) : center_index(a->rb, db_col_text(st, 1));
    p.room = g >= 0 ? g : ROOM_OTHER;
    p.kind = rm ? kind_index(a, rm->kind) : KIND_OTHER;
    day_parts(day, &p);
    p.channel = channel_index(db_col_text(st, 12));
    p.reg = u.walk_in ? 2 : u.group ? 0 : 1;
    /* the campaign that priced it: its version's, for its room and day */
    if ((a->dims & RD_CAMPAIGN) &&
        (p.campaign = campaign_index(a, rules_campaign(rules_of_booking(a->rb, db_col_text(st, 13), NULL),
                                                       rm, day))) == CAMPAIGN_NONE)
      continue;

    /* the slots, and their share of the money (by their fees in the
    ** booking's version; equal shares when they are free) */
    char codes[RULES_MAX_SLOTS][24];
    int n = 0;
    const char *s = db_col_text(st, 3);
    while (*s && n < RULES_MAX_SLOTS) {
      const char *e = strchr(s, ',');
      size_t len = e ? (size_t)(e - s) : strlen(s);
      if (len >= sizeof codes[0]) len = sizeof codes[0] - 1;
      memcpy(codes[n], s, len);
      codes[n][len] = 0;
      n++;
      if (!e) break;
      s = e + 1;
    }
    if (n == 0) continue;
    u.nslots = n;

    if ((a->dims & RD_SLOT) && n > 1) {
      const struct rules *ver = rules_of_booking(a->rb, db_col_text(st, 13), NULL);
      int64_t w[RULES_MAX_SLOTS], wsum = 0;
      for (int i = 0; i < n; i++) {
        int k = ver ? rules_slot_index(ver, codes[i]) : -1;
        int yen = ver && rm && k >= 0 ? rules_fee(ver, rm->fee_class, k) : -1;
        w[i] = yen > 0 ? yen : 0;
        wsum += w[i];
      }
      for (int i = 0; i < n; i++)
        if (wsum == 0) w[i] = 1;
      if (wsum == 0) wsum = n;
      int64_t left[M_N];
      memcpy(left, u.money, sizeof left);
      for (int i = n - 1; i >= 0; i--) {
        int64_t part[M_N];
        for (int m = 0; m < M_N; m++) {
          part[m] = i ? u.money[m] * w[i] / wsum : left[m];
          left[m] -= part[m];
        }
        p.slot = slot_index(a, codes[i]);
        struct report_row *row = row_of(a, &p);
        if (!row || ((u.bits & ST_BOOKED) && u.group && push_group(a, (int)(row - a->rows), u.group))) {
          err = KERR_INTERNAL;
          break;
        }
        add_use(row, &u, 1, part);
      }
    } else {
      p.slot = slot_index(a, codes[0]);
      struct report_row *row = row_of(a, &p);
      if (!row || ((u.bits & ST_BOOKED) && u.group && push_group(a, (int)(row - a->rows), u.group)))
        err = KERR_INTERNAL;
      else
        add_use(row, &u, n, u.money);
    }
    /* the total: once per booking, whatever the keys */
    add_use(&a->total, &u, n, u.money);
    if ((u.bits & ST_BOOKED) && u.group && push_group_all(a, u.group)) err = KERR_INTERNAL;
  }
  db_reset(st);
  if (err) return err;
  return rc == DB_DONE ? 0 : kerr_from_db(rc);
}

/* ====================================================== finishing */

static int cmp_gpair(const void *x, const void *y) {
  const struct gpair *a = x, *b = y;
  if (a->row != b->row) return a->row < b->row ? -1 : 1;
  return a->group < b->group ? -1 : a->group > b->group;
}

static int cmp_i64(const void *x, const void *y) {
  int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
  return a < b ? -1 : a > b;
}

static int cmp_row(const void *x, const void *y) {
  const struct report_row *a = x, *b = y;
  return a->ord < b->ord ? -1 : a->ord > b->ord;
}

/* Distinct groups per row and over all, then the rows in key order. */
static void finish(struct agg *a) {
  if (a->ngp) qsort(a->gp, a->ngp, sizeof *a->gp, cmp_gpair);
  for (size_t i = 0; i < a->ngp; i++)
    if (i == 0 || a->gp[i].row != a->gp[i - 1].row || a->gp[i].group != a->gp[i - 1].group)
      a->rows[a->gp[i].row].distinct_groups++;
  if (a->ngall) qsort(a->groups_all, a->ngall, sizeof *a->groups_all, cmp_i64);
  for (size_t i = 0; i < a->ngall; i++)
    if (i == 0 || a->groups_all[i] != a->groups_all[i - 1]) a->total.distinct_groups++;
  if (a->nrows) qsort(a->rows, (size_t)a->nrows, sizeof *a->rows, cmp_row);
  int64_t avail = 0;
  for (int i = 0; i < a->nrows; i++) avail += a->rows[i].slots_available;
  a->total.slots_available = (a->dims & (RD_CHANNEL | RD_REGISTRATION)) ? -1 : avail;
  snprintf(a->total.key, sizeof a->total.key, "total");
  snprintf(a->total.label, sizeof a->total.label, "合計");
}

static void agg_free(struct agg *a) {
  free(a->rows);
  free(a->hkeys);
  free(a->hrow);
  free(a->rooms);
  free(a->room_global);
  free(a->gp);
  free(a->groups_all);
}

/* Rows every report of these dimensions shows even when empty. */
static int seed_rows(struct agg *a) {
  struct parts p = {0};
  if (a->dims == RD_CHANNEL)
    for (p.channel = 0; p.channel < 3; p.channel++)
      if (!row_of(a, &p)) return -1;
  if (a->dims == RD_REGISTRATION)
    for (p.reg = 0; p.reg < 3; p.reg++)
      if (!row_of(a, &p)) return -1;
  if (a->dims == 0 && !row_of(a, &p)) return -1;
  return 0;
}

static const struct {
  const char *name;
  int dims;
} dims_by_name[] = {{"center", RD_CENTER},         {"room", RD_ROOM | RD_CENTER},
           {"slot", RD_SLOT},             {"weekday", RD_WEEKDAY},
           {"month", RD_MONTH},           {"kind", RD_KIND},
           {"weekday_slot", RD_WEEKDAY | RD_SLOT}, {"center_month", RD_CENTER | RD_MONTH},
           {"channel", RD_CHANNEL},       {"registration", RD_REGISTRATION},
           {"campaign", RD_CAMPAIGN}};
#define NDIMS (sizeof dims_by_name / sizeof dims_by_name[0])

int reports_dims_parse(const char *by) {
  if (!by) return -1;
  for (size_t i = 0; i < NDIMS; i++)
    if (!strcmp(by, dims_by_name[i].name)) return dims_by_name[i].dims;
  return -1;
}

void reports_dims_names(char *out, size_t n) {
  size_t off = 0;
  if (!n) return;
  out[0] = 0;
  for (size_t i = 0; i < NDIMS && off < n; i++)
    off += (size_t)snprintf(out + off, n - off, "%s%s", i ? ", " : "", dims_by_name[i].name);
}

int reports_month_parse(const char *s, int32_t *first) {
  if (!s || strlen(s) != 7 || s[4] != '-') return -1;
  for (int i = 0; i < 7; i++)
    if (i != 4 && (s[i] < '0' || s[i] > '9')) return -1;
  int y = atoi(s), m = atoi(s + 5);
  if (y < 2000 || y > 2999 || m < 1 || m > 12) return -1;
  *first = date_from_ymd(y, m, 1);
  return 0;
}

int reports_scope(const struct kctx *ctx, const char *asked, const char **center,
                  struct kerrinfo *ei) {
  *center = asked && *asked ? asked : NULL;
  if (ctx->actor.role != ROLE_STAFF) return 0;
  const char *home = ctx->actor.home_center;
  const struct center *own = home[0] ? rules_center(ctx->rb, home) : NULL;
  if (!own)
    return kerr_set(ei, KERR_FORBIDDEN,
                    "所属する公民館が登録されていない職員は、集計を見られません。"
                    "管理者に所属の公民館を登録してもらってください。");
  if (*center && strcmp(*center, home) && rules_center(ctx->rb, *center))
    return kerr_set(ei, KERR_FORBIDDEN,
                    "職員が見られるのは、所属する公民館（%s）の集計だけです。"
                    "ほかの公民館の集計は、分析担当か管理者に頼んでください。",
                    own->name);
  if (!*center) *center = home;
  return 0;
}

int reports_usage(struct kctx *ctx, int32_t from, int32_t to, int dims, const char *center,
                  struct report **out, struct kerrinfo *ei) {
  struct agg a;
  int rc = 0;
  *out = NULL;
  if ((rc = reports_scope(ctx, center, &center, ei))) return rc;
  memset(&a, 0, sizeof a);
  a.ctx = ctx;
  a.rb = ctx->rb;
  a.dims = dims;
  a.now = ctx->now;
  if (center && *center && !(a.only = rules_center(ctx->rb, center)))
    kerr_field(ei, "center", "その公民館のコードはありません（/api/v1/centers の code を指定してください）。");
  if (from > to)
    kerr_field(ei, "to", "終わりの日（to）は、始めの日（from）と同じか後の日にしてください。");
  else if (to - from + 1 > REPORTS_MAX_DAYS)
    kerr_field(ei, "to", "一度に集計できる期間は5年（1827日）までです。");
  if (ei && ei->fields) return kerr_set(ei, KERR_VALIDATION, NULL);
  if (!ei && ((center && *center && !a.only) || from > to || to - from + 1 > REPORTS_MAX_DAYS))
    return KERR_VALIDATION;

  struct report *rep = calloc(1, sizeof *rep);
  if (!rep || catalogue(&a) || seed_rows(&a)) {
    rc = KERR_INTERNAL;
    goto done;
  }
  if (!(dims & (RD_CHANNEL | RD_REGISTRATION)) && availability(&a, from, to)) {
    rc = KERR_INTERNAL;
    goto done;
  }
  if ((rc = use_pass(&a, from, to))) goto done;
  if (a.oom) {
    rc = KERR_INTERNAL;
    goto done;
  }
  finish(&a);
  rep->from = from;
  rep->to = to;
  rep->dims = dims;
  snprintf(rep->center, sizeof rep->center, "%s", a.only ? a.only->code : "");
  rep->nrows = a.nrows;
  rep->rows = a.rows;
  rep->total = a.total;
  a.rows = NULL;
  *out = rep;
  rep = NULL;
done:
  free(rep);
  agg_free(&a);
  return rc ? kerr_set(ei, rc, NULL) : 0;
}

void reports_free(struct report *rep) {
  if (!rep) return;
  free(rep->rows);
  free(rep);
}

double reports_occupancy(const struct report_row *row) {
  if (row->slots_available <= 0) return -1;
  return (double)row->slots_booked / (double)row->slots_available;
}

/* ========================================================= output */

int reports_provisional_list(const struct report_provisional **out) {
  /* None: every source is in the system (bookings, exemptions, the
  ** counter's walk-ins, check-ins, no-shows, payments and refunds). A
  ** figure computed without its final source is listed here (a static
  ** array of {column, why}), so that every report and the page say so. */
  *out = NULL;
  return 0;
}

json_t *reports_provisional(void) {
  const struct report_provisional *p;
  int n = reports_provisional_list(&p);
  json_t *arr = json_array();
  for (int i = 0; i < n; i++)
    json_array_append_new(arr, json_pack("{s:s, s:s}", "column", p[i].column, "why", p[i].why));
  return arr;
}

static json_t *row_json(const struct report_row *row) {
  double occ = reports_occupancy(row);
  json_t *o = json_pack(
      "{s:s, s:s, s:o, s:I, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
      " s:I}",
      "key", row->key, "label", row->label, "slots_available",
      row->slots_available < 0 ? json_null() : json_integer(row->slots_available), "slots_booked",
      (json_int_t)row->slots_booked, "occupancy",
      occ < 0 ? json_null() : json_real((double)(int64_t)(occ * 10000.0 + 0.5) / 10000.0),
      "bookings", (json_int_t)row->bookings, "uses", (json_int_t)row->uses, "attendees",
      (json_int_t)row->attendees, "slots_held", (json_int_t)row->slots_held, "cancellations",
      (json_int_t)row->cancellations, "lapsed_holds", (json_int_t)row->lapsed_holds, "no_shows",
      (json_int_t)row->no_shows, "walk_ins", (json_int_t)row->walk_ins, "fees_charged",
      (json_int_t)row->fees_charged, "revenue", (json_int_t)row->revenue, "exempted_amount",
      (json_int_t)row->exempted_amount,
      "slots_exempted", (json_int_t)row->slots_exempted, "slots_exempted_full",
      (json_int_t)row->slots_exempted_full, "distinct_groups", (json_int_t)row->distinct_groups);
  return o;
}

static json_t *rows_json(const struct report *rep) {
  json_t *arr = json_array();
  for (int i = 0; arr && i < rep->nrows; i++) json_array_append_new(arr, row_json(&rep->rows[i]));
  return arr;
}

json_t *reports_usage_json(struct kctx *ctx, const struct report *rep, const char *by) {
  char from[11], to[11], gen[26];
  date_format(rep->from, from);
  date_format(rep->to, to);
  clock_format_instant(ctx->now, gen);
  return json_pack("{s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:o}", "from", from, "to", to, "by",
                   by ? by : "", "center", rep->center[0] ? json_string(rep->center) : json_null(),
                   "generated_at", gen, "provisional", reports_provisional(), "rows",
                   rows_json(rep), "total", row_json(&rep->total));
}

static const char *const usage_head[] = {
    "key", "label", "slots_available", "slots_booked", "occupancy", "bookings", "uses",
    "attendees", "slots_held", "cancellations", "lapsed_holds", "no_shows", "walk_ins",
    "fees_charged", "revenue", "exempted_amount", "slots_exempted", "slots_exempted_full",
    "distinct_groups"};
static const char *const usage_head_ja[] = {
    "区分", "名前", "予約できた枠数", "予約された枠数", "利用率", "予約件数", "利用件数",
    "利用人数", "仮予約の枠数", "取り消し件数", "期限切れの仮予約", "無断欠席", "当日利用",
    "使用料 (調定額)", "収入額", "減免額", "減免の枠数", "全額免除の枠数", "団体の数"};
_Static_assert(sizeof usage_head / sizeof usage_head[0] ==
                   sizeof usage_head_ja / sizeof usage_head_ja[0], "one name per column");

static void row_csv(struct csvbuf *b, const struct report_row *row) {
  csv_field(b, row->key);
  csv_field(b, row->label);
  if (row->slots_available < 0) csv_field(b, "");
  else csv_int(b, row->slots_available);
  csv_int(b, row->slots_booked);
  csv_ratio(b, reports_occupancy(row));
  const int64_t v[] = {row->bookings,     row->uses,           row->attendees,
                       row->slots_held,   row->cancellations,  row->lapsed_holds,
                       row->no_shows,     row->walk_ins,       row->fees_charged,
                       row->revenue,
                       row->exempted_amount, row->slots_exempted, row->slots_exempted_full,
                       row->distinct_groups};
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) csv_int(b, v[i]);
  csv_end_row(b);
}

char *reports_usage_csv(const struct report *rep, int ja, size_t *len) {
  struct csvbuf b = {0};
  csv_bom(&b);
  for (size_t i = 0; i < sizeof usage_head / sizeof usage_head[0]; i++)
    csv_field(&b, ja ? usage_head_ja[i] : usage_head[i]);
  csv_end_row(&b);
  for (int i = 0; i < rep->nrows; i++) row_csv(&b, &rep->rows[i]);
  row_csv(&b, &rep->total);
  return csv_take(&b, len);
}

/* ======================================================= monthly */

/* The rows of one report of the month keyed by DIMS, or NULL (and *RC). */
static json_t *month_rows(struct kctx *ctx, int32_t from, int32_t to, int dims,
                          const char *center, json_t **total, int *rc) {
  struct report *rep = NULL;
  *rc = reports_usage(ctx, from, to, dims, center, &rep, NULL);
  if (*rc) return NULL;
  json_t *rows = rows_json(rep);
  if (total) *total = row_json(&rep->total);
  reports_free(rep);
  return rows;
}

/* Revenue by payment method: the payments less refunds at the counter for
** the bookings used from FROM to TO (by use date, like every figure here),
** one row per method the counter takes (zero included), in the order cash,
** qr, card, ic. NULL (and *RC) on error. */
static json_t *by_method(struct kctx *ctx, int32_t from, int32_t to, const char *center, int *rc) {
  static const char *const methods[] = {"cash", "qr", "card", "ic"};
  int64_t sum[4] = {0};
  char dfrom[11], dto[11];
  date_format(from, dfrom);
  date_format(to, dto);
  kstmt *st = db_prep(ctx->db,
                      "SELECT method, SUM(amount) FROM r_payments"
                      " WHERE use_date >= $from AND use_date <= $to"
                      " AND ($center IS NULL OR use_center = $center) GROUP BY method");
  if (!st) {
    *rc = KERR_INTERNAL;
    return NULL;
  }
  db_bind_text(st, "$from", dfrom);
  db_bind_text(st, "$to", dto);
  db_bind_text(st, "$center", center && *center ? center : NULL);
  int r;
  while ((r = db_step(st)) == DB_ROW)
    for (int i = 0; i < 4; i++)
      if (!strcmp(db_col_text(st, 0), methods[i])) sum[i] += db_col_int(st, 1);
  db_reset(st);
  if (r != DB_DONE) {
    *rc = kerr_from_db(r);
    return NULL;
  }
  json_t *arr = json_array();
  for (int i = 0; arr && i < 4; i++)
    json_array_append_new(arr, json_pack("{s:s, s:s, s:I}", "method", methods[i], "label",
                                         payment_method_label(methods[i]), "amount",
                                         (json_int_t)sum[i]));
  return arr;
}

int reports_monthly(struct kctx *ctx, int32_t month_first, const char *center, json_t **out,
                    struct kerrinfo *ei) {
  int y, m, d, rc = 0;
  const struct center *ce = NULL;
  *out = NULL;
  if ((rc = reports_scope(ctx, center, &center, ei))) return rc;
  if (center && *center && !(ce = rules_center(ctx->rb, center))) {
    kerr_field(ei, "center", "その公民館のコードはありません（/api/v1/centers の code を指定してください）。");
    return kerr_set(ei, KERR_VALIDATION, NULL);
  }
  date_to_ymd(month_first, &y, &m, &d);
  month_first = date_from_ymd(y, m, 1);
  int32_t last = date_add_months(month_first, 1) - 1;
  const char *code = ce ? ce->code : NULL;
  json_t *totals = NULL, *kinds = NULL, *channels = NULL, *regs = NULL, *centers = NULL;
  json_t *campaigns = NULL, *methods = NULL;
  json_t *tot_rows = month_rows(ctx, month_first, last, 0, code, &totals, &rc);
  json_decref(tot_rows);
  if (!rc) kinds = month_rows(ctx, month_first, last, RD_KIND, code, NULL, &rc);
  if (!rc) channels = month_rows(ctx, month_first, last, RD_CHANNEL, code, NULL, &rc);
  if (!rc) regs = month_rows(ctx, month_first, last, RD_REGISTRATION, code, NULL, &rc);
  if (!rc) campaigns = month_rows(ctx, month_first, last, RD_CAMPAIGN, code, NULL, &rc);
  if (!rc && !ce) centers = month_rows(ctx, month_first, last, RD_CENTER, NULL, NULL, &rc);
  if (!rc && !(methods = by_method(ctx, month_first, last, code, &rc)) && !rc) rc = KERR_INTERNAL;
  if (rc) {
    json_t *all[] = {totals, kinds, channels, regs, campaigns, centers};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) json_decref(all[i]);
    return kerr_set(ei, rc, NULL);
  }
  char month[8], from[11], to[11], gen[26];
  snprintf(month, sizeof month, "%04d-%02d", y, m);
  date_format(month_first, from);
  date_format(last, to);
  clock_format_instant(ctx->now, gen);
  *out = json_pack("{s:s, s:s, s:s, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "month",
                   month, "from", from, "to", to, "center",
                   ce ? json_string(ce->code) : json_null(), "center_name",
                   ce ? json_string(ce->name) : json_null(), "generated_at", gen, "provisional",
                   reports_provisional(), "totals", totals, "by_room_kind", kinds, "by_channel",
                   channels, "by_registration", regs, "by_campaign", campaigns,
                   "revenue_by_method", methods);
  if (*out && centers) json_object_set_new(*out, "by_center", centers);
  else json_decref(centers);
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}

static void monthly_section(struct csvbuf *b, const char *section, const json_t *rows) {
  static const char *const num[] = {"uses", "attendees", "slots_booked", "slots_available"};
  static const char *const num2[] = {"bookings", "cancellations", "no_shows", "walk_ins",
                                     "fees_charged", "revenue", "exempted_amount"};
  size_t i;
  json_t *r;
  json_array_foreach(rows, i, r) {
    csv_field(b, section);
    csv_field(b, json_string_value(json_object_get(r, "key")));
    csv_field(b, json_string_value(json_object_get(r, "label")));
    for (size_t k = 0; k < sizeof num / sizeof num[0]; k++) {
      json_t *v = json_object_get(r, num[k]);
      if (json_is_integer(v)) csv_int(b, json_integer_value(v));
      else csv_field(b, "");
    }
    json_t *occ = json_object_get(r, "occupancy");
    csv_ratio(b, json_is_number(occ) ? json_number_value(occ) : -1);
    for (size_t k = 0; k < sizeof num2 / sizeof num2[0]; k++) {
      json_t *v = json_object_get(r, num2[k]);
      if (json_is_integer(v)) csv_int(b, json_integer_value(v));
      else csv_field(b, "");
    }
    csv_end_row(b);
  }
}

char *reports_monthly_csv(const json_t *mo, int ja, size_t *len) {
  struct csvbuf b = {0};
  static const char *const head[] = {"section", "key", "label", "uses", "attendees",
                                     "slots_booked", "slots_available", "occupancy", "bookings",
                                     "cancellations", "no_shows", "walk_ins", "fees_charged",
                                     "revenue", "exempted_amount"};
  static const char *const head_ja[] = {"集計の種類", "区分", "名前", "利用件数", "利用人数",
                                        "予約された枠数", "予約できた枠数", "利用率", "予約件数",
                                        "取り消し件数", "無断欠席", "当日利用", "使用料 (調定額)",
                                        "収入額", "減免額"};
  _Static_assert(sizeof head / sizeof head[0] == sizeof head_ja / sizeof head_ja[0], "one name per column");
  csv_bom(&b);
  for (size_t i = 0; i < sizeof head / sizeof head[0]; i++) csv_field(&b, ja ? head_ja[i] : head[i]);
  csv_end_row(&b);
  json_t *one = json_pack("[O]", json_object_get(mo, "totals"));
  monthly_section(&b, "total", one);
  json_decref(one);
  monthly_section(&b, "room_kind", json_object_get(mo, "by_room_kind"));
  monthly_section(&b, "channel", json_object_get(mo, "by_channel"));
  monthly_section(&b, "registration", json_object_get(mo, "by_registration"));
  monthly_section(&b, "campaign", json_object_get(mo, "by_campaign"));
  if (json_object_get(mo, "by_center")) monthly_section(&b, "center", json_object_get(mo, "by_center"));
  size_t i;
  json_t *r;
  json_array_foreach(json_object_get(mo, "revenue_by_method"), i, r) {
    csv_field(&b, "payment_method");
    csv_field(&b, json_string_value(json_object_get(r, "method")));
    csv_field(&b, json_string_value(json_object_get(r, "label")));
    for (int k = 0; k < 10; k++) csv_field(&b, "");
    csv_int(&b, json_integer_value(json_object_get(r, "amount")));
    csv_field(&b, "");
    csv_end_row(&b);
  }
  return csv_take(&b, len);
}
