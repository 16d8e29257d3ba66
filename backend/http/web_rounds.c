/*
** http/web_rounds.c: the monthly allocation round as pages, complete
** without JavaScript (core/rounds.h; docs/courses.md): staff see each
** round's state, the slots asked for (contested or not), the winners and
** every group's result, and close a round whose period is over; a group's
** representatives see their applications' results and the published draw.
*/
#include "web_rounds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/rounds.h"
#include "pages.h"
#include "reply.h"

static const char *jstr(const json_t *o, const char *k) {
  const char *s = json_string_value(json_object_get(o, k));
  return s ? s : "";
}

static json_int_t jint(const json_t *o, const char *k) {
  return json_integer_value(json_object_get(o, k));
}

static const char *state_label(const char *s) {
  if (!strcmp(s, "open")) return "受付中";
  if (!strcmp(s, "closing")) return "締め切り後（抽選待ち）";
  return "抽選済み";
}

/* A slot of the round in words: "7月8日(水) 午前 ホール". */
static void slot_words(struct req *r, const json_t *x, char *out, size_t n) {
  int32_t day = 0;
  char d[32] = "-";
  if (!date_parse(jstr(x, "date"), &day)) page_date_label(day, 0, d, sizeof d);
  const struct rules *ru = day ? rules_in_force(r->ctx.rb, day) : NULL;
  int k = ru ? rules_slot_index(ru, jstr(x, "slot")) : -1;
  snprintf(out, n, "%s %s %s", d, k >= 0 ? ru->slots[k].label : jstr(x, "slot"),
           jstr(x, "room_name"));
}

static const char *result_label(const json_t *a) {
  const char *st = jstr(a, "status"), *o = jstr(a, "outcome");
  if (!strcmp(st, "applied")) return "申し込み中（締め切りの後に決まります）";
  if (!strcmp(st, "cancelled")) return "取り消しました";
  if (!strcmp(st, "won")) return "当選（仮予約になりました。期限までに確定してください）";
  if (!strcmp(o, "taken")) return "落選（締め切りまでにほかの予約が入りました）";
  if (!strcmp(o, "cap")) return "落選（この回で取れる枠数に達しました）";
  return "落選（抽選）";
}

/* GET /admin/rounds -> 200 the rounds, newest use month first. Staff, admins. */
struct reply web_admin_rounds(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL, *w;
  size_t i;
  int rc = rounds_list(&r->ctx, &out, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  struct html h = {0};
  struct page pg = {.title = "部屋の抽選（利用調整）", .nav = "admin"};
  page_begin(r, &h, &pg);
  html_raw(&h, "<h1>部屋の抽選（利用調整）</h1><p class=\"lead\">規則で決めた部屋を、利用月ごとに団体の"
               "申し込みから割り当てます。締め切りの後、ほかと重ならない申し込みはそのまま仮予約になり、"
               "重なった枠は抽選します。</p>");
  json_t *list = json_object_get(out, "rounds");
  if (!json_array_size(list)) html_raw(&h, "<p>いま規則に抽選の回はありません。</p>");
  else
    html_raw(&h, "<div class=\"table-wrap\"><table><caption>抽選の回</caption><thead><tr>"
                 "<th scope=\"col\">利用月</th><th scope=\"col\">状態</th>"
                 "<th scope=\"col\">申し込み</th><th scope=\"col\">1団体の上限</th></tr></thead><tbody>");
  json_array_foreach(list, i, w)
    html_printf(&h, "<tr><th scope=\"row\"><a href=\"/admin/rounds/%I\">%h（%h）</a></th><td>%h</td>"
                    "<td>%I件</td><td>%I枠</td></tr>",
                (int64_t)jint(w, "id"), jstr(w, "use_month"), jstr(w, "code"),
                state_label(jstr(w, "state")), (int64_t)jint(w, "applications"),
                (int64_t)jint(w, "cap"));
  if (json_array_size(list)) html_raw(&h, "</tbody></table></div>");
  json_decref(out);
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}

/* The slots asked for, with the winner's group once drawn. */
static void slots_table(struct req *r, struct html *h, const json_t *w) {
  json_t *x, *a;
  size_t i, k;
  html_raw(h, "<h2>申し込まれた枠</h2><div class=\"table-wrap\"><table><caption>枠ごとの申し込み"
              "（競合は2団体以上）</caption><thead><tr><th scope=\"col\">枠</th>"
              "<th scope=\"col\">申し込み</th><th scope=\"col\">競合</th><th scope=\"col\">決まった団体</th>"
              "</tr></thead><tbody>");
  json_array_foreach(json_object_get(w, "slots"), i, x) {
    char words[160];
    const char *winner = json_object_get(x, "winner") ? "（不明）" : "-";
    json_array_foreach(json_object_get(w, "applications"), k, a)
      if (jint(a, "id") == jint(x, "winner")) winner = jstr(a, "group_name");
    slot_words(r, x, words, sizeof words);
    html_printf(h, "<tr><th scope=\"row\">%h</th><td>%I件</td><td>%s</td><td>%h</td></tr>", words,
                (int64_t)json_array_size(json_object_get(x, "entries")),
                json_is_true(json_object_get(x, "contested")) ? "あり" : "なし", winner);
  }
  html_raw(h, "</tbody></table></div>");
}

/* GET /admin/rounds/{id} -> 200 the round for staff; 404. Staff, admins. */
struct reply web_admin_round(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *w = NULL, *g;
  size_t i;
  int rc = rounds_get(&r->ctx, req_path_id(r, 0), &w, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  char title[96], from[64], until[64], action[64];
  snprintf(title, sizeof title, "部屋の抽選 %s（%s）", jstr(w, "use_month"), jstr(w, "code"));
  page_iso_label(jstr(w, "apply_from"), from, sizeof from);
  page_iso_label(jstr(w, "apply_until"), until, sizeof until);
  struct html h = {0};
  struct page pg = {.title = title, .nav = "admin"};
  page_begin(r, &h, &pg);
  html_printf(&h, "<p><a href=\"/admin/rounds\">部屋の抽選</a></p><h1>%h</h1><dl class=\"facts\">"
                  "<dt>状態</dt><dd>%h</dd><dt>受付</dt><dd>%h から %h の前まで</dd>"
                  "<dt>1団体の上限</dt><dd>%I枠</dd><dt>抽選の記録</dt><dd><a href=\"/api/v1/lotteries/%I\">"
                  "公開している抽選の記録（JSON）</a></dd></dl>",
              title, state_label(jstr(w, "state")), from, until, (int64_t)jint(w, "cap"),
              (int64_t)jint(w, "lottery_id"));
  if (!strcmp(jstr(w, "state"), "closing")) {
    snprintf(action, sizeof action, "/admin/rounds/%lld/close", (long long)jint(w, "id"));
    page_form_begin(r, &h, "post", action);
    page_form_end(&h, "いま抽選して割り当てる");
  }
  slots_table(r, &h, w);
  html_raw(&h, "<h2>団体ごとの結果</h2><div class=\"table-wrap\"><table><caption>団体ごとの申し込みと"
               "当選</caption><thead><tr><th scope=\"col\">団体</th><th scope=\"col\">申し込み</th>"
               "<th scope=\"col\">当選</th></tr></thead><tbody>");
  json_array_foreach(json_object_get(w, "groups"), i, g)
    html_printf(&h, "<tr><th scope=\"row\">%h</th><td>%I枠</td><td>%I枠</td></tr>",
                jstr(g, "group_name"), (int64_t)jint(g, "applied"), (int64_t)jint(g, "won"));
  html_raw(&h, "</tbody></table></div>");
  json_decref(w);
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}

/* POST /admin/rounds/{id}/close (form) -> 303 back; the error page
** otherwise. Staff, admins. */
struct reply web_admin_round_close(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_id(r, 0);
  int rc = rounds_close(&r->ctx, id, &out, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  json_decref(out);
  char to[64];
  snprintf(to, sizeof to, "/admin/rounds/%lld", (long long)id);
  return reply_redirect(r, to);
}

/* GET /my/rounds -> 200 the round applications of the groups the citizen
** represents, with their results and a cancel button while applied.
** Citizens. */
struct reply web_my_rounds(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL, *a;
  size_t i;
  int rc = rounds_mine(&r->ctx, &out, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  struct html h = {0};
  struct page pg = {.title = "部屋の抽選の申し込み", .nav = "my"};
  page_begin(r, &h, &pg);
  html_raw(&h, "<h1>部屋の抽選の申し込み</h1><p class=\"lead\">代表する団体の申し込みと結果です。抽選は"
               "公開していて、誰でも確かめられます。</p>");
  json_t *list = json_object_get(out, "applications");
  if (!json_array_size(list)) html_raw(&h, "<p>抽選の申し込みはありません。</p>");
  else html_raw(&h, "<ul class=\"cards\">");
  json_array_foreach(list, i, a) {
    char words[160], action[80];
    slot_words(r, a, words, sizeof words);
    html_printf(&h, "<li class=\"card\"><h2>%h</h2><p>団体: %h ・ 申し込み番号 %I</p>"
                    "<p><strong>%h</strong></p>",
                words, jstr(a, "group_name"), (int64_t)jint(a, "id"), result_label(a));
    if (json_object_get(a, "booking_id"))
      html_printf(&h, "<p><a href=\"/my/bookings/%I\">予約番号 %I を見る</a></p>",
                  (int64_t)jint(a, "booking_id"), (int64_t)jint(a, "booking_id"));
    html_printf(&h, "<p><a href=\"/api/v1/rounds/%I\">この回の抽選の公開記録（JSON）</a></p>",
                (int64_t)jint(a, "round_id"));
    if (!strcmp(jstr(a, "status"), "applied")) {
      snprintf(action, sizeof action, "/my/rounds/%lld/cancel", (long long)jint(a, "id"));
      page_form_begin(r, &h, "post", action);
      page_form_end(&h, "この申し込みを取り消す");
    }
    html_raw(&h, "</li>");
  }
  if (json_array_size(list)) html_raw(&h, "</ul>");
  json_decref(out);
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}

/* POST /my/rounds/{id}/cancel (form) -> 303 to /my/rounds. Citizens. */
struct reply web_my_round_cancel(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = rounds_app_cancel(&r->ctx, req_path_id(r, 0), &out, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  json_decref(out);
  return reply_redirect(r, "/my/rounds");
}
