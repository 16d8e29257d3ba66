/*
** http/web_group_desk.c: staff looking up registered groups (団体の検索) and
** one group's page (see web_group_desk.h; docs/web.md).
**
** A clerk asked about a group (someone wants to join one from the public
** list /groups; a representative calls about the renewal) finds it by a part
** of its name or ふりがな, or its ID, on /admin/groups, and opens its page:
** state, validity, members, the representative and co-representatives with
** their system IDs and how to reach the representative, the renewal and the
** exemptions (減免). The look-up and the page are core's (group_review_views,
** discounts_group_get): the same checks and the same audit records as the
** JSON API (GET /api/v1/groups?q=, GET /api/v1/groups/{id}).
*/
#include "web_group_desk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/discounts.h"
#include "../core/ids.h"
#include "pages.h"
#include "reply.h"

#define PER_PAGE 50

static const struct page_option status_options[] = {
    {"all", "すべて", NULL},
    {"approved", "承認済み", NULL},
    {"pending", "審査中 (新規・更新)", NULL},
    {"rejected", "承認しない", NULL}};

static void search_fields(struct page_field f[2]) {
  f[0] = (struct page_field){.name = "q", .label = "団体名・ふりがな・団体ID", .type = PF_TEXT,
                             .maxlength = GROUPS_Q_MAX, .size = "m",
                             .support = "名前の一部でさがせます。ふりがなは、ひらがなでもカタカナでもかまいません。"};
  f[1] = (struct page_field){.name = "status", .label = "状態", .type = PF_SELECT,
                             .options = status_options, .noptions = 4};
}

/* A group's state in the list, in words. */
static const char *state_label(const struct group_review_view *g, int32_t today) {
  switch (g->status) {
    case REVIEW_PENDING: return "審査中 (新規)";
    case REVIEW_REJECTED: return "承認しない";
    case REVIEW_APPROVED:
      if (g->renewal) return "承認済み・更新を審査中";
      return g->valid_until >= today ? "承認済み" : "有効期限切れ";
    case REVIEW_UNKNOWN: break;
  }
  return "-";
}

/* ========================================================== the look-up */

int web_group_search_run(struct req *r, struct group_search *s) {
  memset(s, 0, sizeof *s);
  const char *q = req_query(r, "q"), *status = req_query(r, "status"), *p = req_query(r, "page");
  s->asked = q || status;
  s->values = json_pack("{s:s, s:s}", "q", q ? q : "", "status", status && *status ? status : "all");
  if (!s->asked) return 0;
  s->page = 1;
  if (p && *p) {
    s->page = strspn(p, "0123456789") == strlen(p) && strlen(p) <= 6 ? atoi(p) : 0;
    if (s->page < 1) kerr_field(&s->ei, "page", "ページの番号は、1以上の数字で指定してください。");
  }
  struct groups_filter f = {.status = status && *status ? status : "all", .q = q};
  int rc = group_review_views(&r->ctx, &f, &s->v, &s->n, &s->ei);
  if (rc && rc != KERR_VALIDATION) return rc;
  s->refused = s->ei.fields != NULL;
  return 0;
}

void web_group_search_free(struct group_search *s) {
  free(s->v);
  json_decref(s->values);
  kerr_clear(&s->ei);
  memset(s, 0, sizeof *s);
}

/* The results of S: a table of the page asked, with the pager. */
static void search_results(struct req *r, struct html *h, const struct group_search *s) {
  int32_t today = clock_today(r->ctx.now);
  int pages = (s->n + PER_PAGE - 1) / PER_PAGE;
  if (!s->n) {
    html_raw(h, "<p class=\"note\" role=\"status\">条件に合う団体はありません。</p>");
    return;
  }
  if (s->page > pages) {
    html_printf(h, "<p class=\"note\" role=\"status\">このページには団体がありません (全部で%dページです)。</p>",
                pages);
    return;
  }
  int from = (s->page - 1) * PER_PAGE, to = from + PER_PAGE < s->n ? from + PER_PAGE : s->n;
  html_printf(h, "<p role=\"status\">%d件%s。", s->n, s->n >= 1000 ? " (1000件まで。キーワードでしぼりこんでください)" : "");
  if (pages > 1) html_printf(h, "%dページのうち%dページ目 (%d〜%d件目)。", pages, s->page, from + 1, to);
  html_raw(h, "申請の古い順です。</p><div class=\"table-wrap\"><table class=\"table\">"
              "<caption>登録された団体</caption><thead><tr><th scope=\"col\">団体名</th>"
              "<th scope=\"col\">ふりがな</th><th scope=\"col\">団体ID</th><th scope=\"col\">状態</th>"
              "<th scope=\"col\">有効期限</th></tr></thead><tbody>");
  for (int i = from; i < to; i++) {
    const struct group_review_view *g = &s->v[i];
    char id[16], until[48] = "-";
    ids_format(g->id, id);
    if (g->valid_until) page_date_label(g->valid_until, 1, until, sizeof until);
    html_printf(h, "<tr><th scope=\"row\"><a href=\"/admin/groups/%u\">%h</a></th><td>%h</td>"
                   "<td>%h</td><td>%h</td><td>%h</td></tr>",
                id, g->name, g->name_kana, id, state_label(g, today), until);
  }
  html_raw(h, "</tbody></table></div>");
  struct html query = {0};
  html_printf(&query, "q=%u&status=%u&", page_str(s->values, "q"), page_str(s->values, "status"));
  page_pager(h, "検索結果のページの移動", "/admin/groups", query.p ? query.p : "", s->page, pages);
  html_free(&query);
}

void web_group_search_show(struct req *r, struct html *h, const struct group_search *s) {
  struct page_field fields[2];
  search_fields(fields);
  struct page_form fm = {.values = s->values, .errors = s->refused ? s->ei.fields : NULL};
  html_raw(h, "<section class=\"panel\" aria-labelledby=\"search-title\">"
              "<h2 id=\"search-title\">登録された団体をさがす</h2>"
              "<p>団体の登録内容 (状態、有効期限、代表者、減免) を見るときに使います。"
              "さがした記録は監査証跡に残ります。</p>");
  page_error_summary(h, fields, 2, &fm);
  page_form_begin(r, h, "get", "/admin/groups");
  for (int i = 0; i < 2; i++) page_field(h, &fields[i], &fm);
  page_form_end(h, "探す");
  if (s->asked && !s->refused) search_results(r, h, s);
  html_raw(h, "</section>");
}

/* ====================================================== one group's page */

/* "2027年3月31日（水）" of the date text D, or "-". */
static void date_text(const char *d, char *out, size_t n) {
  int32_t day;
  if (d && date_parse(d, &day) == 0) page_date_label(day, 1, out, n);
  else snprintf(out, n, "-");
}

static const char *group_state(const json_t *g) {
  const char *st = page_str(g, "status");
  if (!strcmp(st, "pending")) return "審査中 (新規)";
  if (!strcmp(st, "rejected")) return "承認しない";
  return json_is_true(json_object_get(g, "valid")) ? "承認済み (有効)" : "有効期限切れ";
}

static void facts(struct html *h, const json_t *g) {
  char until[48], applied[48] = "-", decided[48] = "-";
  date_text(json_string_value(json_object_get(g, "valid_until")), until, sizeof until);
  page_iso_label(json_string_value(json_object_get(g, "created_at")), applied, sizeof applied);
  if (json_is_string(json_object_get(g, "decided_at")))
    page_iso_label(json_string_value(json_object_get(g, "decided_at")), decided, sizeof decided);
  html_printf(h, "<dl class=\"facts\"><div><dt>団体ID</dt><dd>%h</dd></div>"
                 "<div><dt>状態</dt><dd>%h</dd></div>"
                 "<div><dt>有効期限</dt><dd>%h</dd></div>"
                 "<div><dt>人数</dt><dd>%I人 (うち市内 %I人。代表者のうちマイナンバーカードで"
                 "市内在住を確認済み %I人)</dd></div>"
                 "<div><dt>活動の内容</dt><dd>%h</dd></div>"
                 "<div><dt>学習グループの一覧</dt><dd>%s</dd></div>"
                 "<div><dt>申請日</dt><dd>%h</dd></div>"
                 "<div><dt>決定日</dt><dd>%h</dd></div>",
              page_str(g, "id"), group_state(g), until,
              (int64_t)json_integer_value(json_object_get(g, "members")),
              (int64_t)json_integer_value(json_object_get(g, "resident_members")),
              (int64_t)json_integer_value(json_object_get(g, "verified_residents")),
              *page_str(g, "activity") ? page_str(g, "activity") : "(書かれていません)",
              json_is_true(json_object_get(g, "public_listing"))
                  ? "公開している (<a href=\"/groups\">学習グループをさがす</a>にのる)"
                  : "公開していない",
              applied, decided);
  if (json_is_string(json_object_get(g, "reason")))
    html_printf(h, "<div><dt>承認しない理由</dt><dd>%h</dd></div>", page_str(g, "reason"));
  html_raw(h, "</dl>");
}

/* The representative (with how to reach them) and the co-representatives. */
static void people(struct html *h, const json_t *g) {
  const json_t *rep = json_object_get(g, "representative");
  html_printf(h, "<section aria-labelledby=\"people-title\"><h2 id=\"people-title\">代表者</h2>"
                 "<dl class=\"facts\"><div><dt>代表者</dt><dd>%h (利用者番号 %h)</dd></div>"
                 "<div><dt>電話</dt><dd>%h</dd></div><div><dt>メール</dt><dd>%h</dd></div>",
              page_str(rep, "name"), page_str(rep, "system_id"),
              *page_str(rep, "phone") ? page_str(rep, "phone") : "-",
              *page_str(rep, "email") ? page_str(rep, "email") : "-");
  html_raw(h, "<div><dt>副代表者</dt><dd>");
  size_t i;
  const json_t *p;
  if (!json_array_size(json_object_get(g, "co_representatives"))) html_raw(h, "いません");
  json_array_foreach(json_object_get(g, "co_representatives"), i, p)
    html_printf(h, "%s%h (利用者番号 %h)", i ? "、" : "", page_str(p, "name"), page_str(p, "system_id"));
  html_raw(h, "</dd></div></dl><p class=\"note\">連絡先は、この団体への問い合わせを代表者に取り次ぐときなど、"
              "仕事に必要なときだけ使ってください。このページを開いた記録は監査証跡に残ります。</p></section>");
}

/* The renewal applied for, if any, and the exemptions (減免). */
static void renewal_and_discounts(struct html *h, const json_t *g) {
  const json_t *ren = json_object_get(g, "renewal");
  if (json_is_object(ren))
    html_printf(h, "<section aria-labelledby=\"renewal-title\"><h2 id=\"renewal-title\">更新の申請</h2>"
                   "<p>%h: 人数 %I人 (うち市内 %I人)%s%h</p></section>",
                !strcmp(page_str(ren, "status"), "pending") ? "審査中" : "承認しない",
                (int64_t)json_integer_value(json_object_get(ren, "members")),
                (int64_t)json_integer_value(json_object_get(ren, "resident_members")),
                json_is_string(json_object_get(ren, "reason")) ? "。理由: " : "",
                page_str(ren, "reason"));
  html_raw(h, "<section aria-labelledby=\"discount-title\"><h2 id=\"discount-title\">減免</h2>");
  const json_t *ds = json_object_get(g, "discounts"), *d;
  size_t i;
  if (!json_array_size(ds)) html_raw(h, "<p>減免の申請はありません。</p>");
  else html_raw(h, "<ul>");
  json_array_foreach(ds, i, d) {
    const char *st = page_str(d, "status");
    char until[48];
    date_text(json_string_value(json_object_get(d, "valid_until")), until, sizeof until);
    html_printf(h, "<li>%h: <strong>%s</strong>", page_str(d, "category_name"),
                !strcmp(st, "pending") ? "審査中" : !strcmp(st, "approved") ? "承認" : "承認しない");
    if (!strcmp(st, "approved"))
      html_printf(h, " (%h まで%s)", until,
                  json_is_true(json_object_get(d, "in_force")) ? "、いま適用中" : "");
    html_raw(h, "</li>");
  }
  if (json_array_size(ds)) html_raw(h, "</ul>");
  html_raw(h, "</section>");
}

/* GET /admin/groups/{id} -> 200 one group as staff see it: ID, state,
** validity, members, activity, whether it is on the public list, the
** representative (name, system ID, phone, email) and co-representatives,
** a renewal applied for, the exemptions; a link to the review when an
** application waits. 404 for no such group. Staff, admin (each view is in
** the audit trail: core's groups_get). */
struct reply web_group_desk_detail(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *g = NULL;
  int64_t id = req_path_sysid(r, 0);
  int rc = id ? discounts_group_get(&r->ctx, id, &g, &ei) : KERR_NOT_FOUND;
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  char title[600];
  snprintf(title, sizeof title, "団体「%s」", page_str(g, "name"));
  struct html h = {0};
  struct page pg = {.title = title, .nav = "admin"};
  page_begin(r, &h, &pg);
  html_printf(&h, "<p class=\"crumb\"><a href=\"/admin\">職員メニュー</a> › "
                  "<a href=\"/admin/groups\">団体登録の審査と検索</a></p>"
                  "<h1>%h <span class=\"sub\">%h</span></h1>",
              page_str(g, "name"), page_str(g, "name_kana"));
  const json_t *ren = json_object_get(g, "renewal");
  if (!strcmp(page_str(g, "status"), "pending") ||
      (json_is_object(ren) && !strcmp(page_str(ren, "status"), "pending")))
    html_printf(&h, "<p class=\"note\">この団体の%sの申請が、審査を待っています。"
                    "<a href=\"/admin/groups#g-%u\">審査の画面で、承認するか決める</a></p>",
                json_is_object(ren) ? "更新" : "登録", page_str(g, "id"));
  facts(&h, g);
  people(&h, g);
  renewal_and_discounts(&h, g);
  page_end(r, &h, &pg);
  json_decref(g);
  return page_reply(r, 200, &h);
}
