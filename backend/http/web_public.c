/*
** http/web_public.c: the public pages (see web_public.h; docs/web.md).
**
** They read the same cached feeds as /api/v1/today and /api/v1/availability
** as typed views (feed_view; struct avail_view, core/availability.h), the
** catalogue and the rule book; the month view reads room states through
** core/opendata. Nothing here names a person: the feeds carry
** a group name only for groups that opted into the public listing.
*/
#include "web_public.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/bookable.h"
#include "../core/clock.h"
#include "../core/facilities.h"
#include "../core/opendata.h"
#include "api_public.h"
#include "pages.h"
#include "reply.h"

/* ============================================================ helpers */

/* "09:00" -> "9:00" */
static void short_time(const char *s, char *out, size_t n) {
  if (!s) s = "";
  snprintf(out, n, "%s", s[0] == '0' && s[1] ? s + 1 : s);
}

/* "YYYY-MM" of DAY into OUT (8 bytes). */
static void month_of(int32_t day, char *out) {
  char d[11];
  date_format(day, d);
  memcpy(out, d, 7);
  out[7] = 0;
}

/* Strict "YYYY-MM" (2000..2100) -> the first day of that month. */
static int month_parse(const char *s, int32_t *first) {
  if (!s || strlen(s) != 7 || s[4] != '-') return -1;
  for (int i = 0; i < 7; i++)
    if (i != 4 && (s[i] < '0' || s[i] > '9')) return -1;
  int y = atoi(s), m = atoi(s + 5);
  if (y < 2000 || y > 2100 || m < 1 || m > 12) return -1;
  *first = date_from_ymd(y, m, 1);
  return 0;
}

/* "10時00分": the time of the instant T (JST), as the feeds write it. */
static void time_of_instant(int64_t t, char *out, size_t n) {
  char iso[26];
  clock_format_instant(t, iso);
  if (strlen(iso) >= 16) snprintf(out, n, "%.2s時%.2s分", iso + 11, iso + 14);
  else snprintf(out, n, "-");
}

static struct reply not_found(struct req *r) { return reply_error(r, KERR_NOT_FOUND, NULL); }

/* ======================================================== search form */

#define MAX_DAYS_OFFERED 120
#define MIN_DAYS_OFFERED 28
#define MAX_KINDS 16
#define NSEARCH 5    /* date, centre, postcode, time of day, kind */
#define NEAR_MAX 3   /* centres shown for a postcode */

struct search {
  struct page_option dates[MAX_DAYS_OFFERED + 1];
  char dval[MAX_DAYS_OFFERED + 1][11];
  char dlab[MAX_DAYS_OFFERED + 1][256];
  char dgrp[MAX_DAYS_OFFERED + 1][64];
  int ndates;
  struct page_option *centers;  /* ncenters + 1 */
  struct page_option kinds[MAX_KINDS + 1];
  int nkinds;
  struct page_option slots[RULES_MAX_SLOTS + 1];
  char slab[RULES_MAX_SLOTS][128];
  int nslots;
  struct page_field fields[NSEARCH];
};

static void search_free(struct search *s) {
  if (!s) return;
  free(s->centers);
  free(s);
}

static void add_date(struct search *s, const struct kctx *ctx, int32_t day, int32_t today,
                     const char *group) {
  int i = s->ndates++;
  char lab[40], note[160];
  date_format(day, s->dval[i]);
  page_date_label(day, 0, lab, sizeof lab);
  page_day_note(ctx, NULL, NULL, day, note, sizeof note);
  snprintf(s->dlab[i], sizeof s->dlab[i], "%s%s%s%s", lab,
           day == today ? " 今日" : day == today + 1 ? " 明日" : "", note[0] ? " " : "", note);
  if (group) {
    snprintf(s->dgrp[i], sizeof s->dgrp[i], "%s", group);
  } else { /* weeks from Monday to Sunday */
    int32_t mon = day - (date_weekday(day) + 6) % 7;
    char a[32], b[32];
    page_date_label(mon, 0, a, sizeof a);
    page_date_label(mon + 6, 0, b, sizeof b);
    snprintf(s->dgrp[i], sizeof s->dgrp[i], "%s〜%s", a, b);
  }
  s->dates[i] = (struct page_option){s->dval[i], s->dlab[i], s->dgrp[i]};
}

/* The search form's fields. Dates offered: today and every later day whose
** booking has opened (the rule book's window, decided by the version in force
** now), at least four weeks; SELECTED is added in front when outside them. */
static struct search *search_build(struct req *r, int32_t selected) {
  const struct rulebook *rb = r->ctx.rb;
  int32_t today = clock_today(r->ctx.now);
  const struct rules *now_rules = rules_in_force(rb, today);
  struct search *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->centers = calloc((size_t)rb->ncenters + 1, sizeof *s->centers);
  if (!s->centers) {
    free(s);
    return NULL;
  }
  if (selected < today || selected >= today + MAX_DAYS_OFFERED ||
      (now_rules && selected >= today + MIN_DAYS_OFFERED &&
       rules_booking_opens(now_rules, selected) > r->ctx.now))
    add_date(s, &r->ctx, selected, today, "指定された日");
  for (int32_t d = today; s->ndates < MAX_DAYS_OFFERED && d < today + MAX_DAYS_OFFERED; d++) {
    if (d >= today + MIN_DAYS_OFFERED &&
        (!now_rules || rules_booking_opens(now_rules, d) > r->ctx.now))
      break;
    add_date(s, &r->ctx, d, today, NULL);
  }

  s->centers[0] = (struct page_option){"", "すべての公民館", NULL};
  for (int c = 0; c < rb->ncenters; c++)
    s->centers[c + 1] = (struct page_option){rb->centers[c].code, rb->centers[c].name, NULL};

  s->kinds[s->nkinds++] = (struct page_option){"", "すべての種類", NULL};
  for (int c = 0; c < rb->ncenters; c++)
    for (int i = 0; i < rb->centers[c].nrooms; i++) {
      const char *k = rb->centers[c].rooms[i].kind;
      int seen = 0;
      for (int j = 1; j < s->nkinds; j++) seen |= !strcmp(s->kinds[j].value, k);
      if (!seen && s->nkinds <= MAX_KINDS) s->kinds[s->nkinds++] = (struct page_option){k, k, NULL};
    }

  s->fields[0] = (struct page_field){.name = "date", .label = "日付", .type = PF_SELECT,
                                     .required = 1, .options = s->dates, .noptions = s->ndates,
                                     .support = "予約を受け付けている日から選べます。",
                                     .size = "m"};
  s->fields[1] = (struct page_field){.name = "center", .label = "公民館", .type = PF_SELECT,
                                     .options = s->centers, .noptions = rb->ncenters + 1,
                                     .support = "すべての公民館か、1つの公民館を選べます。",
                                     .size = "m"};
  s->fields[2] = (struct page_field){.name = "postcode", .label = "郵便番号 (近くの公民館をさがす)",
                                     .type = PF_TEXT, .autocomplete = "postal-code",
                                     .inputmode = "numeric", .maxlength = 12, .size = "s",
                                     .support = "公民館を選ばずに郵便番号を入れると、近い公民館を3つまで出します"
                                                " (例: 371-0023)。公民館を選んだときは使いません。"};
  /* RULE: the time of day is the rule book's slots on the chosen day */
  const struct rules *use = rules_in_force(rb, selected);
  if (!use) use = now_rules;
  s->slots[s->nslots++] = (struct page_option){"", "すべての時間", NULL};
  for (int i = 0; use && i < use->nslots && i < RULES_MAX_SLOTS; i++) {
    const struct slotdef *sd = &use->slots[i];
    snprintf(s->slab[i], sizeof s->slab[i], "%s (%d:%02d〜%d:%02d)", sd->label, sd->start / 60,
             sd->start % 60, sd->end / 60, sd->end % 60);
    s->slots[s->nslots++] = (struct page_option){sd->code, s->slab[i], NULL};
  }
  s->fields[3] = (struct page_field){.name = "slot", .label = "時間", .type = PF_SELECT,
                                     .options = s->slots, .noptions = s->nslots,
                                     .support = "午前・午後・夜間から選ぶと、その時間に空いている部屋だけが出ます。",
                                     .size = "m"};
  s->fields[4] = (struct page_field){.name = "kind", .label = "部屋の種類", .type = PF_SELECT,
                                     .options = s->kinds, .noptions = s->nkinds,
                                     .support = "和室、会議室、料理室などから選べます。",
                                     .size = "m"};
  return s;
}

static int known_slot(const struct search *s, const char *code) {
  for (int i = 1; i < s->nslots; i++)
    if (!strcmp(s->slots[i].value, code)) return 1;
  return 0;
}

static int known_kind(const struct search *s, const char *kind) {
  for (int i = 1; i < s->nkinds; i++)
    if (!strcmp(s->kinds[i].value, kind)) return 1;
  return 0;
}

static void search_form(struct req *r, struct html *h, struct search *s, const struct page_form *fm) {
  page_form_begin(r, h, "get", "/availability");
  html_raw(h, "<div class=\"form-row\">");
  for (int i = 0; i < NSEARCH; i++) page_field(h, &s->fields[i], fm);
  html_raw(h, "</div>");
  page_form_end(h, "空き状況を見る");
}

/* ========================================================== tables */

/* The column heads of slots FROM..TO-1 of V (every room has the same). */
static void slot_headers(struct html *h, const struct avail_view *v, int from, int to) {
  for (int i = from; i < to; i++) {
    const struct slotdef *sd = &v->rules->slots[i];
    char hm[8], a[8], b[8];
    clock_hhmm(sd->start, hm);
    short_time(hm, a, sizeof a);
    clock_hhmm(sd->end, hm);
    short_time(hm, b, sizeof b);
    html_printf(h, "<th scope=\"col\">%h<span class=\"time\">%h〜%h</span></th>", sd->label, a, b);
  }
}

/* The number of slots every room of V has; 0 when V has no room at all. */
static int view_slots(const struct avail_view *v) {
  for (int c = 0; c < v->ncenters; c++)
    if (v->centers[c].nrooms) return v->nslots;
  return 0;
}

/* The index of the slot coded SLOT in V, or -1. */
static int view_slot(const struct avail_view *v, const char *slot) {
  for (int i = 0; i < v->nslots; i++)
    if (!strcmp(v->rules->slots[i].code, slot)) return i;
  return -1;
}

/* Room AR is shown: of KIND (or any), and free in slot K when one is asked
** for (K >= 0; ASKED with K < 0: a slot the day does not have). */
static int room_shown(const struct avail_room *ar, const char *kind, int asked, int k) {
  if (*kind && strcmp(ar->room->kind, kind)) return 0;
  if (!asked) return 1;
  return k >= 0 && ar->slots[k].state == AVAIL_FREE;
}

/* A room's row of the table of centre AC on V's day. */
static void center_row(struct html *h, const struct avail_view *v, const struct avail_room *ar,
                       int asked, int k, const char *day_label, const char *month,
                       const char *date, const struct rulebook *rb) {
  const struct room *ro = ar->room;
  char free[128];
  page_campaign_note(rb, ro, v->day, free, sizeof free);
  html_printf(h, "<tr><th scope=\"row\"><a href=\"/rooms/%I?month=%u\">%h</a>"
                 "<span class=\"room-meta\">%h・%d人まで%s%h</span></th>",
              (int64_t)ro->id, month, ro->name, ro->kind, ro->capacity, free[0] ? "・" : "", free);
  for (int s = 0; s < v->nslots; s++) {
    const struct avail_slot *so = &ar->slots[s];
    if (asked && s != k) continue;
    /* a free slot links to the booking form for it */
    char href[160], what[200];
    snprintf(href, sizeof href, "/book?room=%lld&date=%s&slot=%s", (long long)ro->id, date,
             so->def->code);
    snprintf(what, sizeof what, "%s %s %s", day_label, ro->name, so->def->label);
    page_slot_cell(h, &(struct page_cell){so->state, so->booking, so->group, href, what,
                                          so->opens_at});
  }
  html_raw(h, "</tr>");
}

/* A centre's table of rooms (of KIND; with SLOT, only that time of day and
** the rooms free in it); 0 when no room is shown. */
static int center_table(struct html *h, const struct avail_view *v, const struct avail_center *ac,
                        const char *kind, const char *slot, const char *day_label,
                        const char *month, const char *date, const struct rulebook *rb) {
  int shown = 0, asked = *slot != 0, k = asked ? view_slot(v, slot) : -1;
  for (int i = 0; i < ac->nrooms; i++) shown += room_shown(&ac->rooms[i], kind, asked, k);
  if (!shown) return 0;
  const struct center *ce = ac->center;
  html_printf(h, "<section class=\"center\" aria-labelledby=\"h-%h\"><h2 id=\"h-%h\">%h</h2>",
              ce->code, ce->code, ce->name);
  if (ac->closed)
    html_printf(h, "<p class=\"note note-closed\">この日は休館日です (%h)。</p>",
                ac->closed_reason ? ac->closed_reason : "");
  html_printf(h, "<div class=\"table-wrap\"><table class=\"avail\"><caption>%h %h の空き状況"
                 "</caption><thead><tr><th scope=\"col\">部屋</th>",
              ce->name, day_label);
  if (!asked) slot_headers(h, v, 0, v->nslots);
  else if (k >= 0) slot_headers(h, v, k, k + 1);
  html_raw(h, "</tr></thead><tbody>");
  for (int i = 0; i < ac->nrooms; i++)
    if (room_shown(&ac->rooms[i], kind, asked, k))
      center_row(h, v, &ac->rooms[i], asked, k, day_label, month, date, rb);
  html_raw(h, "</tbody></table></div></section>");
  return shown;
}

/* ============================================================== top */

/* A centre's name with a line-break opportunity before "公民館", so that a
** narrow column breaks there ("上川淵 / 公民館") and nowhere else. */
static void center_name(struct html *h, const char *name) {
  static const char suffix[] = "公民館";
  size_t n = strlen(name), k = sizeof suffix - 1;
  if (n > k && !strcmp(name + n - k, suffix)) {
    char head[128];
    snprintf(head, sizeof head, "%.*s", (int)(n - k), name);
    html_text(h, head);
    html_raw(h, "<wbr>" "公民館");
  } else {
    html_text(h, name);
  }
}

/* A cell of the summary: how many rooms of centre AC are free in slot S. */
static void summary_cell(struct html *h, const struct avail_center *ac, int s,
                         const char *slot_code) {
  int free_rooms = 0, over = 0, counter = 0;
  if (ac->closed) {
    html_printf(h, "<td class=\"st st-closed\" data-slot=\"%h\"><span class=\"sym\" "
                   "aria-hidden=\"true\">ー</span>休館</td>", slot_code);
    return;
  }
  for (int i = 0; i < ac->nrooms; i++) {
    const struct avail_slot *so = &ac->rooms[i].slots[s];
    /* only what can be booked now counts as free (core/bookable.c) */
    free_rooms += so->state == AVAIL_FREE && so->booking == BK_OPEN;
    over += so->booking == BK_OVER;
    counter += so->booking == BK_COUNTER_ONLY;
  }
  if (!free_rooms && counter)
    html_printf(h, "<td class=\"st st-counter\" data-slot=\"%h\"><span class=\"sym\" "
                   "aria-hidden=\"true\">△</span>窓口<wbr>のみ</td>", slot_code);
  else if (!free_rooms && over)
    html_printf(h, "<td class=\"st st-past\" data-slot=\"%h\"><span class=\"sym\" "
                   "aria-hidden=\"true\">ー</span>受付<wbr>終了</td>", slot_code);
  else if (free_rooms > 0)
    html_printf(h, "<td class=\"st st-free\" data-slot=\"%h\"><span class=\"sym\" "
                   "aria-hidden=\"true\">○</span>空き %d室</td>", slot_code, free_rooms);
  else
    html_printf(h, "<td class=\"st st-taken\" data-slot=\"%h\"><span class=\"sym\" "
                   "aria-hidden=\"true\">×</span>空きなし</td>", slot_code);
}

/* GET / -> 200 the top page: the search form and today's free rooms per
** centre (from the cached today feed). Anyone. */
struct reply web_top(struct req *r) {
  int32_t today = clock_today(r->ctx.now);
  struct avail_view *feed = NULL;
  int err = feed_view(r, today, "", &feed);
  if (err) return reply_error(r, err, NULL);
  struct search *s = search_build(r, today);
  if (!s) {
    avail_view_free(feed);
    return reply_error(r, KERR_INTERNAL, NULL);
  }
  char date[11], label[48], at[32];
  date_format(today, date);
  page_date_label(today, 1, label, sizeof label);
  time_of_instant(feed->generated_at, at, sizeof at);
  json_t *values = json_pack("{s:s}", "date", date);
  struct page_form fm = {.values = values};

  struct html h = {0};
  struct page pg = {.title = "公民館の空き状況と予約", .nav = "top"};
  page_begin(r, &h, &pg);
  html_raw(&h, "<h1>前橋市の公民館 部屋の空き状況</h1>"
               "<p class=\"lead\">前橋市の16の公民館の部屋が、いつ空いているかを見ることができます。</p>"
               "<section class=\"panel\" aria-labelledby=\"search-title\">"
               "<h2 id=\"search-title\">空いている部屋をさがす</h2>");
  search_form(r, &h, s, &fm);
  html_raw(&h, "</section>");

  html_printf(&h, "<section aria-labelledby=\"today-title\"><h2 id=\"today-title\">今日 %h の空き状況</h2>"
                  "<p class=\"asof\">%h 現在の情報です。<span id=\"today-updated\"></span></p>",
              label, at);
  page_state_legend(&h);
  html_printf(&h, "<div class=\"table-wrap\"><table class=\"summary\" id=\"today-table\" "
                  "data-feed=\"/api/v1/today\" data-date=\"%h\">"
                  "<caption>公民館ごとの、今日空いている部屋の数</caption>"
                  "<thead><tr><th scope=\"col\">公民館</th>",
              date);
  int nslots = view_slots(feed);
  slot_headers(&h, feed, 0, nslots);
  html_raw(&h, "</tr></thead><tbody>");
  for (int c = 0; c < feed->ncenters; c++) {
    const struct center *ce = feed->centers[c].center;
    html_printf(&h, "<tr data-center=\"%h\"><th scope=\"row\"><a href=\"/availability?date=%u&amp;"
                    "center=%u\">",
                ce->code, date, ce->code);
    center_name(&h, ce->name);
    html_raw(&h, "</a></th>");
    for (int si = 0; si < nslots; si++)
      summary_cell(&h, &feed->centers[c], si, feed->rules->slots[si].code);
    html_raw(&h, "</tr>");
  }
  html_raw(&h, "</tbody></table></div>"
               "<p>公民館の名前を選ぶと、部屋ごとの空き状況を見ることができます。"
               "<a href=\"/today\">今日これから予約できる部屋の一覧</a>もあります。</p></section>"
               "<section aria-labelledby=\"more-title\"><h2 id=\"more-title\">はじめての方へ</h2>"
               "<ul class=\"links\"><li><a href=\"/help\">予約のしかた・問い合わせ先 (やさしい日本語)</a></li>"
               "<li><a href=\"/rules/discounts\">使用料の減免 (安くなる・無料になる) の基準</a></li>"
               "<li><a href=\"/groups\">学習グループをさがす (公民館で活動しているサークル)</a></li>"
               "</ul></section>");
  page_end(r, &h, &pg);
  json_decref(values);
  avail_view_free(feed);
  search_free(s);
  return page_reply(r, 200, &h);
}

/* ====================================================== availability */

/* The query of an availability search: what /availability was asked. */
struct avail_query {
  const char *center, *kind, *slot, *postcode;
  const struct center *near[NEAR_MAX]; /* the centres near the postcode, nearest first */
  int nnear;
  char pc[9];                          /* the postcode read ("371-0023") */
};

/* The centres near Q->postcode, when no centre is chosen; ERRORS gets
** "postcode" when it is not a postcode, or not one of this city's. */
static void postcode_centres(const struct rulebook *rb, struct avail_query *q, json_t *errors) {
  if (*q->center || !*q->postcode) return;
  if (facilities_postcode_parse(q->postcode, q->pc)) {
    json_object_set_new(errors, "postcode",
                        json_string("郵便番号は7けたの数字で入れてください (例: 371-0023)。"));
  } else if (!(q->nnear = facilities_near(rb, q->pc, q->near, NEAR_MAX))) {
    json_object_set_new(errors, "postcode",
                        json_string("前橋市の郵便番号ではないようです。公民館を一覧から選んでください。"));
  }
}

/* The centre CE in FEED, or NULL. */
static const struct avail_center *feed_center(const struct avail_view *feed,
                                              const struct center *ce) {
  for (int c = 0; c < feed->ncenters; c++)
    if (feed->centers[c].center == ce) return &feed->centers[c];
  return NULL;
}

/* The results of a search on DAY from FEED: the pager, the legend and the
** tables (of the centres near the postcode, nearest first, or of every
** centre in the feed). */
static void availability_results(struct html *h, const struct rulebook *rb,
                                 const struct avail_view *feed, const struct avail_query *q,
                                 int32_t day, int32_t today) {
  char date[11], label[48], month[8], prev[11], next[11], pl[40], nl[40];
  date_format(day, date);
  month_of(day, month);
  page_date_label(day, 1, label, sizeof label);
  date_format(day - 1, prev);
  date_format(day + 1, next);
  page_date_label(day - 1, 0, pl, sizeof pl);
  page_date_label(day + 1, 0, nl, sizeof nl);
  const char *qp = q->nnear ? q->pc : "";
  html_raw(h, "<nav class=\"pager\" aria-label=\"日付の移動\"><ul>");
  if (day > today)
    html_printf(h, "<li><a href=\"/availability?date=%u&amp;center=%u&amp;postcode=%u&amp;slot=%u"
                   "&amp;kind=%u\"><span aria-hidden=\"true\">← </span>前の日 (%h)</a></li>",
                prev, q->center, qp, q->slot, q->kind, pl);
  html_printf(h, "<li><a href=\"/availability?date=%u&amp;center=%u&amp;postcode=%u&amp;slot=%u"
                 "&amp;kind=%u\">次の日 (%h)<span aria-hidden=\"true\"> →</span></a></li></ul></nav>",
              next, q->center, qp, q->slot, q->kind, nl);
  if (q->nnear) {
    html_printf(h, "<p class=\"note\" id=\"near-note\">郵便番号 %h に近い公民館: ", q->pc);
    for (int i = 0; i < q->nnear; i++) html_printf(h, "%s%h", i ? "、" : "", q->near[i]->name);
    html_raw(h, "。郵便番号の近さから選んだ目安です。ほかの公民館は「条件を変えてさがす」で選べます。</p>");
  }
  page_state_legend(h);
  int shown = 0;
  if (q->nnear) {
    for (int i = 0; i < q->nnear; i++) {
      const struct avail_center *ac = feed_center(feed, q->near[i]);
      if (ac) shown += center_table(h, feed, ac, q->kind, q->slot, label, month, date, rb);
    }
  } else {
    for (int c = 0; c < feed->ncenters; c++)
      shown += center_table(h, feed, &feed->centers[c], q->kind, q->slot, label, month, date, rb);
  }
  if (!shown)
    html_raw(h, *q->slot ? "<p class=\"note\">この時間に予約できる部屋はありません。"
                           "ほかの日や時間、ほかの公民館でさがしてください。</p>"
                         : "<p class=\"note\">条件に合う部屋はありません。条件を変えてさがしてください。</p>");
}

/* GET /availability?date=D&center=CODE&postcode=P&slot=S&kind=KIND -> 200
** the rooms of every centre (or CODE, or the NEAR_MAX centres near postcode
** P when no centre is chosen) of kind KIND (or all) on D (default today),
** free in slot S when given, with the search form filled in; 422 with the
** form and its errors for an impossible date, an unknown kind or slot, or a
** postcode that is not one of the city's; 404 for an unknown centre. Anyone. */
struct reply web_availability(struct req *r) {
  const struct rulebook *rb = r->ctx.rb;
  int32_t today = clock_today(r->ctx.now), day = today;
  const char *qd = req_query(r, "date");
  struct avail_query q = {.center = req_query(r, "center"), .kind = req_query(r, "kind"),
                          .slot = req_query(r, "slot"), .postcode = req_query(r, "postcode")};
  const struct center *only = NULL;
  json_t *errors = json_object(), *values = json_object();
  struct avail_view *feed = NULL;
  struct search *s = NULL;
  struct html h = {0};
  struct reply ret;
  if (!q.center) q.center = "";
  if (!q.kind) q.kind = "";
  if (!q.slot) q.slot = "";
  if (!q.postcode) q.postcode = "";
  if (*q.center && !(only = rules_center(rb, q.center))) {
    ret = not_found(r);
    goto done;
  }
  if (qd && *qd && date_parse(qd, &day)) {
    json_object_set_new(errors, "date", json_string("日付は一覧から選んでください (YYYY-MM-DD の形の、実在する日付)。"));
    day = today;
  } else if (!rules_in_force(rb, day)) {
    json_object_set_new(errors, "date", json_string("この日の情報はありません。一覧から選んでください。"));
    day = today;
  }
  if (!(s = search_build(r, day))) {
    ret = reply_error(r, KERR_INTERNAL, NULL);
    goto done;
  }
  postcode_centres(rb, &q, errors);
  if (*q.kind && !known_kind(s, q.kind))
    json_object_set_new(errors, "kind", json_string("部屋の種類は一覧から選んでください。"));
  if (*q.slot && !known_slot(s, q.slot))
    json_object_set_new(errors, "slot", json_string("時間は一覧から選んでください (午前・午後・夜間)。"));
  char date[11], label[48];
  date_format(day, date);
  page_date_label(day, 1, label, sizeof label);
  json_object_set_new(values, "date", json_string(qd && *qd && json_object_get(errors, "date") ? qd : date));
  json_object_set_new(values, "center", json_string(q.center));
  json_object_set_new(values, "postcode", json_string(q.postcode));
  json_object_set_new(values, "kind", json_string(q.kind));
  json_object_set_new(values, "slot", json_string(q.slot));
  int failed = json_object_size(errors) > 0;
  struct page_form fm = {.values = values, .errors = errors};

  char title[256];
  if (failed) {
    snprintf(title, sizeof title, "空き状況の検索");
  } else {
    const struct rules *ru = rules_in_force(rb, day);
    int k = *q.slot && ru ? rules_slot_index(ru, q.slot) : -1;
    char where[128] = "";
    if (only) snprintf(where, sizeof where, "%s ", only->name);
    else if (q.nnear) snprintf(where, sizeof where, "%s の近くの公民館 ", q.pc);
    snprintf(title, sizeof title, "%s%s%s%s%s%s の空き状況", where, q.kind, *q.kind ? " " : "", label,
             k >= 0 ? " " : "", k >= 0 ? ru->slots[k].label : "");
  }

  struct page pg = {.title = title, .nav = "search", .flags = failed ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  html_printf(&h, "<h1>%h</h1>", title);
  page_error_summary(&h, s->fields, NSEARCH, &fm);
  html_raw(&h, "<details class=\"panel search-again\"");
  if (failed) html_raw(&h, " open");
  html_raw(&h, "><summary>条件を変えてさがす</summary>");
  search_form(r, &h, s, &fm);
  html_raw(&h, "</details>");

  if (!failed) {
    int err = feed_view(r, day, only ? only->code : "", &feed);
    if (err) {
      html_free(&h);
      ret = reply_error(r, err, NULL);
      goto done;
    }
    availability_results(&h, rb, feed, &q, day, today);
  }
  page_end(r, &h, &pg);
  ret = page_reply(r, failed ? 422 : 200, &h);
done:
  avail_view_free(feed);
  json_decref(errors);
  json_decref(values);
  search_free(s);
  return ret;
}

/* ========================================================= room month */

struct month_grid {
  int32_t first;
  int ndays;
  const struct rules *head;                 /* whose slots head the columns */
  enum avail_state state[31][RULES_MAX_SLOTS];
  int booking[31][RULES_MAX_SLOTS];         /* enum bk_answer, -1 when taken */
  int64_t opens_at[31];
  char closed[31][256];
};

static int grid_put(void *arg, const struct od_state *st) {
  struct month_grid *g = arg;
  int d = (int)(st->day - g->first);
  if (d < 0 || d >= g->ndays || !g->head) return 0;
  int col = rules_slot_index(g->head, st->slot->code);
  if (col < 0) return 0;
  g->state[d][col] = st->state;
  g->booking[d][col] = st->booking;   /* core/bookable.c decided */
  g->opens_at[d] = st->opens_at;
  if (st->closed_label) snprintf(g->closed[d], sizeof g->closed[d], "%s", st->closed_label);
  return 0;
}

/* Row I (day first + I) of the month view of RO: the date with what is
** special about it (closed, holiday, campaign), then each slot's state. */
static void month_row(struct html *h, const struct kctx *ctx, const struct room *ro,
                      const struct month_grid *g, int i, int32_t today) {
  const struct rulebook *rb = ctx->rb;
  const struct center *ce = ro->center;
  int32_t first = g->first;
  int32_t day = first + i;
  int wd = date_weekday(day);
  char note[160], dl[32];
  page_day_note(ctx, ce->code, ro, day, note, sizeof note);
  clock_jdate_d(day, dl, sizeof dl);
  html_printf(h, "<tr class=\"%s%s\"><th scope=\"row\">%h%s", wd == 0 ? "sun" : wd == 6 ? "sat" : "wd",
              day == today ? " is-today" : "", dl, day == today ? "<span class=\"today\">今日</span>" : "");
  if (note[0]) html_printf(h, "<span class=\"day-note\">%h</span>", note);
  char free[128];
  page_campaign_note(rb, ro, day, free, sizeof free);
  if (free[0]) html_printf(h, "<span class=\"day-note campaign\">%h</span>", free);
  html_raw(h, "</th>");
  for (int s = 0; g->head && s < g->head->nslots; s++) {
    /* a free slot links to the booking form for it */
    char href[160], what[160], dl[48], dv[11];
    date_format(day, dv);
    page_date_label(day, 0, dl, sizeof dl);
    snprintf(href, sizeof href, "/book?room=%lld&date=%s&slot=%s", (long long)ro->id, dv,
             g->head->slots[s].code);
    snprintf(what, sizeof what, "%s %s", dl, g->head->slots[s].label);
    int bk = g->booking[i][s];
    page_slot_cell(h, &(struct page_cell){g->state[i][s], bk, NULL, href, what, g->opens_at[i]});
  }
  html_raw(h, "</tr>");
}

/* GET /rooms/{id}?month=YYYY-MM -> 200 the room's month: one row per date,
** one column per slot, states as text and symbol; the fee per slot; when
** booking for the month opens. 404 unknown room; 422 for a month not of the
** form YYYY-MM. Anyone. */
struct reply web_room(struct req *r) {
  const char *id_s = r->params[0], *qm = req_query(r, "month");
  const struct rulebook *rb = r->ctx.rb;
  char *end;
  for (const char *p = id_s; *p; p++)
    if (*p < '0' || *p > '9') return not_found(r);
  long long id = strtoll(id_s, &end, 10);
  const struct room *ro = strlen(id_s) <= 18 ? rules_room_by_id(rb, id) : NULL;
  if (!ro) return not_found(r);
  int32_t today = clock_today(r->ctx.now), first;
  if (qm && *qm) {
    if (month_parse(qm, &first)) {
      struct kerrinfo ei = {0};
      kerr_set(&ei, KERR_VALIDATION, "月は YYYY-MM の形で指定してください (例: 2026-04)。");
      kerr_field(&ei, "month", "月は YYYY-MM の形で指定してください (例: 2026-04)。");
      struct reply ret = reply_error(r, KERR_VALIDATION, &ei);
      kerr_clear(&ei);
      return ret;
    }
  } else {
    int y, m, d;
    date_to_ymd(today, &y, &m, &d);
    first = date_from_ymd(y, m, 1);
  }
  int y, m, d;
  date_to_ymd(first, &y, &m, &d);
  struct month_grid *g = calloc(1, sizeof *g);
  if (!g) return reply_error(r, KERR_INTERNAL, NULL);
  g->first = first;
  g->ndays = date_days_in_month(y, m);
  g->head = rules_in_force(rb, first);
  if (!g->head) g->head = rules_in_force(rb, first + g->ndays - 1);
  int err = opendata_each_state(&r->ctx, first, first + g->ndays - 1, NULL, ro, grid_put, g);
  if (err) {
    free(g);
    return reply_error(r, err, NULL);
  }

  const struct center *ce = ro->center;
  char title[320], month[8], prev[8], next[8];
  month_of(first, month);
  month_of(date_add_months(first, -1), prev);
  month_of(date_add_months(first, 1), next);
  snprintf(title, sizeof title, "%s %s %d年%d月の空き状況", ce->name, ro->name, y, m);

  struct html h = {0};
  struct page pg = {.title = title, .nav = "search"};
  page_begin(r, &h, &pg);
  html_printf(&h, "<p class=\"crumb\"><a href=\"/availability?center=%u\">%h の空き状況</a></p>"
                  "<h1>%h %h<span class=\"sub\">%d年%d月の空き状況</span></h1>",
              ce->code, ce->name, ce->name, ro->name, y, m);
  html_printf(&h, "<dl class=\"facts\"><div><dt>部屋の種類</dt><dd>%h</dd></div>"
                  "<div><dt>定員</dt><dd>%d人まで</dd></div>",
              ro->kind, ro->capacity);
  if (g->head) {
    html_raw(&h, "<div><dt>使用料 (1回)</dt><dd><ul class=\"inline\">");
    for (int s = 0; s < g->head->nslots; s++) {
      int yen = rules_fee(g->head, ro->fee_class, s);
      char fee[32];
      page_yen(yen, fee, sizeof fee);
      if (yen >= 0) html_printf(&h, "<li>%h %h</li>", g->head->slots[s].label, fee);
    }
    html_raw(&h, "</ul></dd></div>");
  }
  html_raw(&h, "</dl>");

  const struct rules *now_rules = rules_in_force(rb, today);
  if (now_rules) {
    int64_t opens = rules_booking_opens(now_rules, first);
    if (opens > r->ctx.now) {
      char ol[48];
      page_instant_label(opens, ol, sizeof ol);
      html_printf(&h, "<p class=\"note\">%d年%d月の予約は、%h から受け付けます。</p>", y, m, ol);
    }
  }
  html_printf(&h, "<nav class=\"pager\" aria-label=\"月の移動\"><ul>"
                  "<li><a href=\"/rooms/%I?month=%u\"><span aria-hidden=\"true\">← </span>前の月</a></li>"
                  "<li><a href=\"/rooms/%I?month=%u\">次の月<span aria-hidden=\"true\"> →</span></a></li>"
                  "</ul></nav>",
              (int64_t)ro->id, prev, (int64_t)ro->id, next);
  page_state_legend(&h);
  html_printf(&h, "<div class=\"table-wrap\"><table class=\"avail month\"><caption>%h %d年%d月の空き状況"
                  "</caption><thead><tr><th scope=\"col\">日付</th>",
              ro->name, y, m);
  for (int s = 0; g->head && s < g->head->nslots; s++) {
    char a[8], b[8];
    clock_jminutes(g->head->slots[s].start, a, sizeof a);
    clock_jminutes(g->head->slots[s].end, b, sizeof b);
    html_printf(&h, "<th scope=\"col\">%h<span class=\"time\">%h〜%h</span></th>",
                g->head->slots[s].label, a, b);
  }
  html_raw(&h, "</tr></thead><tbody>");
  for (int i = 0; i < g->ndays; i++) month_row(&h, &r->ctx, ro, g, i, today);
  html_raw(&h, "</tbody></table></div>");
  page_end(r, &h, &pg);
  free(g);
  return page_reply(r, 200, &h);
}

/* =========================================================== signage */

/* GET /signage/{center}[?kiosk=1] -> 200 the lobby screen of CENTER:
** today's rooms as rows, slots as columns, states as text and symbol, the
** centre's name, the date and the time of the data. Only the lobby screen's
** address (?kiosk=1) refreshes itself every 60 s by <meta http-equiv=
** "refresh"> (no JavaScript); the page a person opens does not (WCAG 2.2.1),
** and links to the kiosk address. Only groups that opted
** into the public listing are named (the feed carries no one else). 404 for
** an unknown centre. Anyone. */
struct reply web_signage(struct req *r) {
  const struct center *ce = rules_center(r->ctx.rb, r->params[0]);
  if (!ce) return not_found(r);
  const char *kq = req_query(r, "kiosk");
  int refresh = kq && !strcmp(kq, "1");
  int32_t today = clock_today(r->ctx.now);
  struct avail_view *feed = NULL;
  int err = feed_view(r, today, ce->code, &feed);
  if (err) return reply_error(r, err, NULL);
  const struct avail_center *c = feed->ncenters ? &feed->centers[0] : NULL;
  char label[48], at[32], title[160];
  page_date_label(today, 1, label, sizeof label);
  time_of_instant(feed->generated_at, at, sizeof at);
  snprintf(title, sizeof title, "%s 今日の部屋の空き状況 (ロビー表示%s)", ce->name,
           refresh ? "・自動更新" : "");

  struct html h = {0};
  struct page pg = {.title = title, .flags = PAGE_SIGNAGE | PAGE_NO_SCRIPT,
                    .refresh = refresh ? 60 : 0};
  page_begin(r, &h, &pg);
  html_printf(&h, "<div class=\"sg-head\"><h1>%h</h1><p class=\"sg-date\">%h<span class=\"sg-at\">"
                  "%h 現在</span></p></div>",
              ce->name, label, at);
  if (c && c->closed)
    html_printf(&h, "<p class=\"sg-closed\">本日は休館日です<span>%h</span></p>",
                c->closed_reason ? c->closed_reason : "");
  html_printf(&h, "<div class=\"table-wrap\"><table class=\"sg-table\"><caption class=\"visually-hidden\">%h 今日の部屋の空き状況"
                  "</caption><thead><tr><th scope=\"col\">部屋</th>",
              ce->name);
  int nrooms = c ? c->nrooms : 0;
  if (nrooms) slot_headers(&h, feed, 0, feed->nslots);
  html_raw(&h, "</tr></thead><tbody>");
  for (int i = 0; i < nrooms; i++) {
    const struct avail_room *ar = &c->rooms[i];
    char free[128];
    page_campaign_note(r->ctx.rb, ar->room, today, free, sizeof free);
    html_printf(&h, "<tr><th scope=\"row\">%h%s%h%s</th>", ar->room->name,
                free[0] ? "<span class=\"sg-free\">" : "", free, free[0] ? "</span>" : "");
    for (int s = 0; s < feed->nslots; s++) {
      const struct avail_slot *so = &ar->slots[s];
      page_slot_cell(&h, &(struct page_cell){so->state, so->booking, so->group, NULL, NULL,
                                             so->opens_at});
    }
    html_raw(&h, "</tr>");
  }
  html_raw(&h, "</tbody></table></div><div class=\"sg-foot\">");
  page_state_legend(&h);
  if (refresh)
    html_printf(&h, "<p>1分ごとに自動で新しくなります。<a href=\"/signage/%u\">自動更新しない表示にする</a></p>",
                ce->code);
  else
    html_printf(&h, "<p>この画面は自動では新しくなりません。<a href=\"/signage/%u?kiosk=1\">ロビーの画面用 (1分ごとに自動更新)</a></p>",
                ce->code);
  html_raw(&h, "</div>");
  page_end(r, &h, &pg);
  avail_view_free(feed);
  return page_reply(r, 200, &h);
}
