/*
** http/web_group_list.c: 学習グループをさがす (/groups), the public list of
** learning groups as a page (see web_group_list.h; docs/web.md).
**
** The list is core's (group_public_views, the one behind /api/v1/groups/public
** and the CSV): the groups approved and valid today that chose the public
** listing, with their activity and the centres they have used in the last
** year. Nothing about any person: no name, no contact. Whoever wants to join
** asks at a centre's counter, where staff find the group (/admin/groups) and
** pass the message on to its representative.
**
** A GET form (keyword, centre), so a search can be bookmarked; a refused
** search is the form again (422) with the error at its field and no list.
** Anonymous visitors get the page from the response cache (pagecache.c): a
** decision on a group makes it stale (core/groups.c avail_touch).
*/
#include "web_group_list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/groups.h"
#include "../core/text.h"
#include "pages.h"
#include "reply.h"

#define PER_PAGE 20
#define MAX_CENTERS 64

/* The search form: its fields and the centres offered. */
struct finder {
  struct page_option centers[MAX_CENTERS + 1];
  struct page_field fields[2];
};

static void finder_build(struct req *r, struct finder *f) {
  int nc = 0;
  f->centers[nc++] = (struct page_option){"", "すべての公民館", NULL};
  for (int c = 0; r->ctx.rb && c < r->ctx.rb->ncenters && nc <= MAX_CENTERS; c++, nc++)
    f->centers[nc] = (struct page_option){r->ctx.rb->centers[c].code, r->ctx.rb->centers[c].name,
                                          NULL};
  f->fields[0] = (struct page_field){
      .name = "q", .label = "キーワード", .type = PF_TEXT, .maxlength = GROUPS_Q_MAX, .size = "m",
      .support = "団体の名前、ふりがな、活動の内容の一部で、さがします。例: 短歌、コーラス、英会話"};
  f->fields[1] = (struct page_field){.name = "center", .label = "活動している公民館",
                                     .type = PF_SELECT, .options = f->centers, .noptions = nc};
}

/* The page number asked for: 1 when none; 0 when it is not one (the caller
** says so at "page"). */
static int page_asked(struct req *r) {
  const char *p = req_query(r, "page");
  if (!p || !*p) return 1;
  if (strspn(p, "0123456789") != strlen(p) || strlen(p) > 6) return 0;
  return atoi(p);
}

/* How to get in touch with a group: nothing on this page names a person. */
static void contact_section(struct html *h) {
  html_raw(h, "<section aria-labelledby=\"contact-title\"><h2 id=\"contact-title\">"
              "参加したいとき・話を聞きたいとき</h2>"
              "<p>この一覧には、団体の代表者の名前や連絡先はのせていません。</p>"
              "<p>参加したいときや、活動について聞きたいときは、公民館の窓口で、団体の名前を伝えて"
              "問い合わせてください。公民館の職員が、団体の代表者に連絡を取り次ぎます。"
              "どの公民館の窓口でも、問い合わせができます。</p>"
              "<p>公民館の電話番号と窓口の時間は、<a href=\"/help#ask\">問い合わせ先</a>にあります。</p>"
              "<p>団体を登録すると、この一覧にのせることができます"
              " (<a href=\"/groups/new\">団体の登録</a>。ログインが必要です)。</p></section>");
}

/* One group as a card: its name and ふりがな, activity, the centres it uses. */
static void group_card(struct html *h, const struct group_public_view *g) {
  html_printf(h, "<li class=\"card\"><h3>%h <span class=\"sub\">%h</span></h3><dl class=\"facts\">"
                 "<div><dt>活動の内容</dt><dd>%h</dd></div>"
                 "<div><dt>利用している公民館</dt><dd>",
              g->name, g->name_kana, *g->activity ? g->activity : "(書かれていません)");
  if (!g->ncenters) html_raw(h, "この1年の利用はありません");
  for (int i = 0; i < g->ncenters; i++)
    html_printf(h, "%s%h", i ? "、" : "", g->centers[i].name);
  html_raw(h, "</dd></div></dl></li>");
}

/* The list of V (N groups), page PAGE of PER_PAGE, with the pager keeping
** what was asked (QUERY, URL-encoded pairs each ending in '&'). */
static void results(struct req *r, struct html *h, const struct group_public_view *v, int n,
                    int page, const char *query, int filtered) {
  char today[48];
  int pages = (n + PER_PAGE - 1) / PER_PAGE;
  page_date_label(clock_today(r->ctx.now), 1, today, sizeof today);
  html_raw(h, "<section aria-labelledby=\"list-title\"><h2 id=\"list-title\">学習グループの一覧</h2>");
  if (!n) {
    html_raw(h, filtered ? "<p class=\"note\">条件に合う学習グループはありません。キーワードを短くするか、"
                           "公民館を「すべての公民館」にして、さがしてください。</p></section>"
                         : "<p class=\"note\">公開している学習グループは、まだありません。</p></section>");
    return;
  }
  if (page > pages) {
    html_printf(h, "<p class=\"note\">このページには団体がありません (全部で%dページです)。"
                   "<a href=\"/groups?%hpage=1\">最初のページ</a>を見てください。</p></section>",
                pages, query);
    return;
  }
  int from = (page - 1) * PER_PAGE, to = from + PER_PAGE < n ? from + PER_PAGE : n;
  html_printf(h, "<p class=\"asof\">%h 現在、%d団体%s。", today, n, filtered ? " (条件に合う団体)" : "");
  if (pages > 1)
    html_printf(h, "%dページのうち%dページ目 (%d〜%d件目) です。", pages, page, from + 1, to);
  html_raw(h, "名前のふりがなの順です。</p><ul class=\"cards\">");
  for (int i = from; i < to; i++) group_card(h, &v[i]);
  html_raw(h, "</ul>");
  page_pager(h, "一覧のページの移動", "/groups", query, page, pages);
  html_raw(h, "</section>");
}

/* The page's title: what was searched and which page, so that each is
** told apart (a browser's history, a screen reader's first words). */
static void page_title(struct req *r, int refused, const char *center, const char *q, int page,
                       char *out, size_t n) {
  const struct center *c = center && *center ? rules_center(r->ctx.rb, center) : NULL;
  int kw = q && *q && !refused;
  snprintf(out, n, "学習グループをさがす");
  if (refused || (!c && !kw && page <= 1)) return;
  char nth[40] = "";
  if (page > 1) snprintf(nth, sizeof nth, "%s%dページ目", c || kw ? "、" : "", page);
  snprintf(out, n, "学習グループをさがす (%s%s%s%.*s%s%s)", c ? c->name : "", c && kw ? "、" : "",
           kw ? "「" : "", kw ? (int)text_utf8_prefix(q, 120) : 0, kw ? q : "", kw ? "」" : "", nth);
}

/* GET /groups[?q=KEYWORD][&center=CODE][&page=N] -> 200 学習グループをさがす:
** the learning groups that chose the public listing, by ふりがな, 20 a page,
** each with its activity and the centres it uses, and how to get in touch
** (through a centre's counter); 422 the form again with the error at its
** field (a keyword over 100 characters, a centre that is not one, a page
** number that is not one) and no list. Anyone; anonymous visitors from the
** response cache. */
struct reply web_group_list(struct req *r) {
  struct kerrinfo ei = {0};
  struct finder f;
  finder_build(r, &f);
  const char *q = req_query(r, "q"), *center = req_query(r, "center");
  int page = page_asked(r), n = 0;
  struct group_public_view *v = NULL;
  struct groups_public_filter gf = {.center = center, .q = q};
  int rc = group_public_views(&r->ctx, &gf, &v, &n, &ei);
  if (rc && !(rc == KERR_VALIDATION && ei.fields)) return reply_core(r, rc, 0, NULL, &ei);
  if (!page) {
    kerr_field(&ei, "page", "ページの番号は、1以上の数字で指定してください。");
    rc = KERR_VALIDATION;
  }
  json_t *values = json_pack("{s:s, s:s}", "q", q ? q : "", "center", center ? center : "");
  struct page_form fm = {.values = values, .errors = rc ? ei.fields : NULL};
  struct html h = {0}, query = {0};
  char title[512];
  page_title(r, rc, center, q, page, title, sizeof title);
  struct page pg = {.title = title, .nav = "groups", .flags = rc ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  html_raw(&h, "<h1>学習グループをさがす</h1>"
               "<p class=\"lead\">前橋市の公民館で活動している学習グループ (サークルなど) の一覧です。"
               "団体が公開をえらんだものだけをのせています。</p>");
  page_error_summary(&h, f.fields, 2, &fm);
  html_raw(&h, "<section class=\"panel\" aria-labelledby=\"find-title\">"
               "<h2 id=\"find-title\">条件をえらんで、さがす</h2>");
  page_form_begin(r, &h, "get", "/groups");
  for (int i = 0; i < 2; i++) page_field(&h, &f.fields[i], &fm);
  page_form_end(&h, "さがす");
  html_raw(&h, "</section>");
  if (!rc) {
    if (q && *q) html_printf(&query, "q=%u&", q);
    if (center && *center) html_printf(&query, "center=%u&", center);
    results(r, &h, v, n, page, query.p ? query.p : "", (q && *q) || (center && *center));
  }
  contact_section(&h);
  page_end(r, &h, &pg);
  html_free(&query);
  json_decref(values);
  kerr_clear(&ei);
  group_public_views_free(v, n);
  return page_reply(r, rc ? 422 : 200, &h);
}
