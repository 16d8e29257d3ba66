/*
** http/web_today.c: GET /today, today's free rooms for a person on a phone
** (issue 13 point 14). The JSON stays at /api/v1/today; the lobby screen is
** /signage/CODE. Everything here reads the same feed's view (feed_view), so a slot
** offered here is one the booking code takes (core/bookable.c).
*/
#include "web_today.h"

#include <stdio.h>
#include <string.h>

#include "../core/bookable.h"
#include "../core/clock.h"
#include "api_public.h"
#include "pages.h"
#include "reply.h"

/* "9:00" of the minutes M, as the feeds' "09:00" with its leading zero dropped. */
static void short_hhmm(int m, char *out, size_t n) {
  char hm[8];
  clock_hhmm(m, hm);
  snprintf(out, n, "%.5s", hm[0] == '0' ? hm + 1 : hm);
}

/* One room's slots that can still be booked today, as links; 0 if none. */
static int room_line(struct html *h, const struct avail_room *ar, int nslots, const char *date) {
  const struct room *ro = ar->room;
  int n = 0;
  for (int i = 0; i < nslots; i++) {
    const struct avail_slot *so = &ar->slots[i];
    if (so->state != AVAIL_FREE || so->booking != BK_OPEN) continue;
    if (!n++)
      html_printf(h, "<li><span class=\"today-room\">%h<span class=\"room-meta\">%d人まで</span></span>"
                     "<ul class=\"inline today-slots\">",
                  ro->name, ro->capacity);
    char s[8], e[8];
    short_hhmm(so->def->start, s, sizeof s);
    short_hhmm(so->def->end, e, sizeof e);
    html_printf(h, "<li><a class=\"book-link\" href=\"/book?room=%I&amp;date=%u&amp;slot=%u\">"
                   "%h<span class=\"time\">%h〜%h</span>"
                   "<span class=\"visually-hidden\"> %h を予約する</span></a></li>",
                (int64_t)ro->id, date, so->def->code, so->def->label, s, e, ro->name);
  }
  if (n) html_raw(h, "</ul></li>");
  return n;
}

/* A centre's section: its rooms with something bookable today, or why not. */
static void center_section(struct html *h, const struct avail_center *ac, int nslots,
                           const char *date) {
  const struct center *ce = ac->center;
  html_printf(h, "<section class=\"today-center\" aria-labelledby=\"t-%h\"><h2 id=\"t-%h\">%h</h2>",
              ce->code, ce->code, ce->name);
  if (ac->closed) {
    html_printf(h, "<p class=\"note note-closed\">今日は休館日です (%h)。</p></section>",
                ac->closed_reason ? ac->closed_reason : "");
    return;
  }
  int shown = 0;
  html_raw(h, "<ul class=\"today-rooms\">");
  for (int i = 0; i < ac->nrooms; i++) shown += room_line(h, &ac->rooms[i], nslots, date) > 0;
  html_raw(h, "</ul>");
  if (!shown)
    html_raw(h, "<p class=\"note\">今日、インターネットで予約できる空きはもうありません。"
                "窓口で当日の空きを聞くこともできます。</p>");
  html_printf(h, "<p class=\"today-more\"><a href=\"/availability?center=%u&amp;date=%u\">"
                 "%h のすべての部屋の空き状況 (予約済み・受付終了を含む)</a></p></section>",
              ce->code, date, ce->name);
}

/* GET /today[?center=CODE] -> 200 the rooms with a slot that can still be
** booked today, per centre, each slot a link to the booking form; 404 an
** unknown centre. Anyone; not refreshed by itself (the lobby screen is
** /signage/CODE?kiosk=1). */
struct reply web_today(struct req *r) {
  const char *qc = req_query(r, "center");
  const struct center *only = qc && *qc ? rules_center(r->ctx.rb, qc) : NULL;
  if (qc && *qc && !only) return reply_error(r, KERR_NOT_FOUND, NULL);
  int32_t today = clock_today(r->ctx.now);
  struct avail_view *feed = NULL;
  int err = feed_view(r, today, only ? only->code : "", &feed);
  if (err) return reply_error(r, err, NULL);
  char date[11], label[48], at[16], title[160];
  date_format(today, date);
  page_date_label(today, 1, label, sizeof label);
  /* the time of the data (the feed's, as cached pages are shared), not of the request */
  clock_jtime(feed->generated_at, at, sizeof at);
  snprintf(title, sizeof title, "%s%s今日の空き", only ? only->name : "", only ? " " : "");

  struct html h = {0};
  struct page pg = {.title = title, .nav = "search"};
  page_begin(r, &h, &pg);
  html_printf(&h, "<h1>%h<span class=\"sub\">%h%h 現在</span></h1>"
                  "<p class=\"lead\">今日これから使える部屋です。時間を押すと予約の画面に進みます。"
                  "この画面は自動では新しくなりません。最新にするときは、もう一度開いてください。</p>",
              title, label, at);
  /* RULE: same-day use without registration on the web (core/sameday.h) */
  if (bookable_sameday_open(&r->ctx))
    html_raw(&h, "<p class=\"note\" id=\"sameday-note\">利用者の登録をしていない方も、今日の空きは"
                 "お名前と電話番号だけで使えます (時間を押して「登録しないで今日使う」へ)。"
                 "使用料は公民館の窓口で払います。</p>");
  for (int c = 0; c < feed->ncenters; c++) center_section(&h, &feed->centers[c], feed->nslots, date);
  if (only) html_raw(&h, "<p><a href=\"/today\">ほかの公民館の今日の空き</a></p>");
  page_end(r, &h, &pg);
  avail_view_free(feed);
  return page_reply(r, 200, &h);
}
