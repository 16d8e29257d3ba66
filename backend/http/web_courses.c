/*
** http/web_courses.c: the course pages for citizens, server-rendered and
** complete without JavaScript (docs/courses.md): the list of courses with
** places left, one course with its sessions and the application form, and
** マイページ's list of applications with cancel and accept buttons. Every
** action is a form post that reaches the same core function as the JSON API.
*/
#include "web_courses.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/courses.h"
#include "../core/status.h"
#include "pages.h"
#include "reply.h"

static const char *allocation_label(enum course_allocation a) {
  return a == COURSE_ALLOC_LOTTERY ? "抽選" : "先着順";
}

static void date_label(const char *iso, char *out, size_t n) {
  int32_t day;
  if (!iso || date_parse(iso, &day)) snprintf(out, n, "-");
  else page_date_label(day, 0, out, n);
}

/* 受付中 / 受付前 (from when) / 受付終了, as text. */
static void period_state(struct req *r, const struct course_view *c, char *out, size_t n) {
  char from[32], until[32];
  date_label(c->apply_from, from, sizeof from);
  date_label(c->apply_until, until, sizeof until);
  int32_t a = 0;
  date_parse(c->apply_from, &a);
  if (c->accepting)
    snprintf(out, n, "受付中（%sまで）", until);
  else if (r->ctx.now < clock_local(a, 0))
    snprintf(out, n, "受付前（%sから）", from);
  else
    snprintf(out, n, "受付終了");
}

/* GET /courses[?center=CODE] -> 200 the courses not yet over, with places
** left and the application period. Anyone. */
struct reply web_courses(struct req *r) {
  struct kerrinfo ei = {0};
  struct course_view *list;
  int n;
  int rc = courses_views(&r->ctx, req_query(r, "center"), &list, &n, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  struct html h = {0};
  struct page pg = {.title = "講座の一覧", .nav = "courses"};
  page_begin(r, &h, &pg);
  html_raw(&h, "<h1>講座の一覧</h1><p class=\"lead\">公民館の講座です。講座名を選ぶと、日程と申し込みの"
               "しかたが出ます。抽選の講座は、締め切りの後に抽選します。</p>");
  if (!n) html_raw(&h, "<p>いま案内している講座はありません。</p>");
  else
    html_raw(&h, "<div class=\"table-wrap\"><table><caption>講座（始まる日の順）</caption><thead><tr>"
                 "<th scope=\"col\">講座名</th><th scope=\"col\">公民館</th>"
                 "<th scope=\"col\">始まる日</th><th scope=\"col\">決め方</th>"
                 "<th scope=\"col\">残り</th><th scope=\"col\">申し込み</th></tr></thead><tbody>");
  for (int i = 0; i < n; i++) {
    const struct course_view *c = &list[i];
    char first[32], state[96];
    date_label(c->first_date, first, sizeof first);
    period_state(r, c, state, sizeof state);
    html_printf(&h, "<tr><th scope=\"row\"><a href=\"/courses/%I\">%h</a></th><td>%h</td><td>%h</td>"
                    "<td>%h</td><td>%I人 / 定員%I人</td><td>%h</td></tr>",
                c->id, c->title, c->center_name, first, allocation_label(c->allocation),
                c->places_left, c->capacity, state);
  }
  if (n) html_raw(&h, "</tbody></table></div>");
  free(list);
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}

static void sessions_table(struct html *h, const struct course_view *c) {
  html_raw(h, "<div class=\"table-wrap\"><table><caption>日程</caption><thead><tr>"
              "<th scope=\"col\">日付</th><th scope=\"col\">時間</th><th scope=\"col\">部屋</th>"
              "</tr></thead><tbody>");
  for (int i = 0; i < c->nsessions; i++) {
    const struct course_session_view *s = &c->sessions[i];
    char d[32];
    date_label(s->date, d, sizeof d);
    html_printf(h, "<tr><th scope=\"row\">%h</th><td>%h %h〜%h</td><td>%h</td></tr>", d,
                s->slot_label ? s->slot_label : "", s->start, s->end,
                s->room ? s->room->name : "");
  }
  html_raw(h, "</tbody></table></div>");
}

/* The application form, or why there is none (never offer what would be
** refused: UI.md). */
static void apply_part(struct req *r, struct html *h, const struct course_view *c) {
  char state[96], here[48];
  period_state(r, c, state, sizeof state);
  html_printf(h, "<h2>申し込み</h2><p>%h。決め方: %h。</p>", state,
              allocation_label(c->allocation));
  if (!c->accepting) return;
  snprintf(here, sizeof here, "/courses/%lld", (long long)c->id);
  if (r->ctx.actor.role == ROLE_ANON) {
    html_printf(h, "<p><a class=\"button\" href=\"/signin?next=%u\">ログインして申し込む</a></p>",
                here);
    return;
  }
  if (r->ctx.actor.role != ROLE_CITIZEN) return;
  char action[64];
  snprintf(action, sizeof action, "/courses/%lld/apply", (long long)c->id);
  page_form_begin(r, h, "post", action);
  if (c->max_companions > 0) {
    html_printf(h, "<div class=\"field\"><label for=\"f-companions\">いっしょに受ける人の数"
                   "<span class=\"opt\">任意</span></label><p class=\"support\" "
                   "id=\"f-companions-support\">%I人まで。ご本人は数えません。</p>"
                   "<select id=\"f-companions\" name=\"companions\" "
                   "aria-describedby=\"f-companions-support\">",
                c->max_companions);
    for (int64_t k = 0; k <= c->max_companions; k++)
      html_printf(h, "<option value=\"%I\">%I人</option>", k, k);
    html_raw(h, "</select></div>");
  }
  page_form_end(h, "この講座に申し込む");
}

/* GET /courses/{id} -> 200 the course, its sessions and the application
** form (citizens signed in, during the period); 404. Anyone. */
struct reply web_course(struct req *r) {
  struct kerrinfo ei = {0};
  struct course_view *c = malloc(sizeof *c);
  if (!c) return reply_fail();
  int rc = course_view_get(&r->ctx, req_path_id(r, 0), c, &ei);
  if (rc) {
    free(c);
    return reply_core(r, rc, 0, NULL, &ei);
  }
  char title[512], fee[32];
  snprintf(title, sizeof title, "講座「%s」", c->title);
  struct html h = {0};
  struct page pg = {.title = title, .nav = "courses"};
  page_begin(r, &h, &pg);
  page_yen(c->fee, fee, sizeof fee);
  html_printf(&h, "<h1>%h</h1><p>%h</p><dl class=\"facts\"><dt>公民館</dt><dd>%h</dd>"
                  "<dt>分野</dt><dd>%h</dd><dt>対象</dt><dd>%h</dd><dt>講師</dt><dd>%h %h</dd>"
                  "<dt>受講料</dt><dd>%h</dd><dt>定員</dt><dd>%I人（残り%I人）</dd></dl>",
              c->title, c->description, c->center_name, c->category, c->target,
              c->lecturer_name, c->lecturer_org, fee, c->capacity, c->places_left);
  sessions_table(&h, c);
  apply_part(r, &h, c);
  if (c->lottery_id)
    html_printf(&h, "<p>抽選は誰でも確かめられます: <a href=\"/api/v1/lotteries/%I\">抽選の記録"
                    "（JSON）</a></p>", c->lottery_id);
  course_view_free(c);
  free(c);
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}

/* POST /courses/{id}/apply (form: companions?, csrf_token) -> 303 to
** /my/courses; the error page otherwise. Citizens. */
struct reply web_course_apply(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = courses_apply(&r->ctx, req_path_id(r, 0), r->json, &out, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  json_decref(out);
  return reply_redirect(r, "/my/courses");
}

static const char *status_label(enum course_app_status s) {
  switch (s) {
    case COURSE_APP_APPLIED: return "申し込み済み（抽選待ち）";
    case COURSE_APP_ACCEPTED: return "受講が決まりました";
    case COURSE_APP_WAITLISTED: return "キャンセル待ち";
    case COURSE_APP_OFFERED: return "繰り上げで受講できます（期限までに受けてください）";
    case COURSE_APP_CANCELLED: return "取り消しました";
    case COURSE_APP_LAPSED: return "繰り上げの期限が過ぎました";
    case COURSE_APP_UNKNOWN: break;
  }
  return "";
}

static void app_actions(struct req *r, struct html *h, const struct course_app_view *a) {
  enum course_app_status st = a->status;
  char action[64];
  if (st == COURSE_APP_OFFERED) {
    char until[64] = "-";
    if (a->offer_expires_at) page_instant_label(a->offer_expires_at, until, sizeof until);
    html_printf(h, "<p>受ける期限: %h</p>", until);
    snprintf(action, sizeof action, "/my/courses/%lld/accept", (long long)a->id);
    page_form_begin(r, h, "post", action);
    page_form_end(h, "受講する");
  }
  if (st != COURSE_APP_CANCELLED && st != COURSE_APP_LAPSED) {
    snprintf(action, sizeof action, "/my/courses/%lld/cancel", (long long)a->id);
    page_form_begin(r, h, "post", action);
    page_form_end(h, "申し込みを取り消す");
  }
}

/* GET /my/courses -> 200 the citizen's course applications with their
** results, cancel and accept buttons. Citizens. */
struct reply web_my_courses(struct req *r) {
  struct kerrinfo ei = {0};
  struct course_app_view *list;
  int n;
  int rc = courses_my_application_views(&r->ctx, &list, &n, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  struct html h = {0};
  struct page pg = {.title = "講座の申し込み", .nav = "my"};
  page_begin(r, &h, &pg);
  html_raw(&h, "<h1>講座の申し込み</h1>");
  if (!n) html_raw(&h, "<p>講座の申し込みはありません。<a href=\"/courses\">講座の一覧</a></p>");
  for (int i = 0; i < n; i++) {
    const struct course_app_view *a = &list[i];
    char first[32];
    date_label(a->first_date, first, sizeof first);
    html_printf(&h, "<section class=\"card\"><h2><a href=\"/courses/%I\">%h</a></h2>"
                    "<p>申し込み番号 %I ・ 始まる日 %h ・ 同伴 %I人</p><p><strong>%h</strong></p>",
                a->course_id, a->title, a->id, first, a->companions, status_label(a->status));
    app_actions(r, &h, a);
    html_raw(&h, "</section>");
  }
  free(list);
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}

/* POST /my/courses/{id}/cancel and /accept (form, csrf_token) -> 303 to
** /my/courses; the error page otherwise. Citizens. */
struct reply web_my_course_cancel(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = courses_cancel_application(&r->ctx, req_path_id(r, 0), &out, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  json_decref(out);
  return reply_redirect(r, "/my/courses");
}

struct reply web_my_course_accept(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = courses_accept_offer(&r->ctx, req_path_id(r, 0), &out, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  json_decref(out);
  return reply_redirect(r, "/my/courses");
}
