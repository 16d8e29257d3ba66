/*
** http/web_closures.c: closing a centre or a room (see web_closures.h). Each
** action is a plain form post with the CSRF token, answered with 303 (PRG);
** the decisions are core/closures.c's, the same as the API.
*/
#include "web_closures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/closures.h"
#include "pages.h"
#include "reply.h"

static const struct page_option mode_options[] = {
    {"cancel", "取り消す（取消料なし、支払い済みの使用料は返金）", NULL},
    {"flag", "残して、予約者に知らせる（職員が日や部屋の変更を相談）", NULL}};

/* Options of every centre (NULL room) or every room (grouped by centre,
** after 「公民館全体」), into a new array (caller frees: one block with the
** ids' text after the options) of *N. */
static struct page_option *place_options(const struct rulebook *rb, int rooms, int *n) {
  int total = 1;
  for (int c = 0; c < rb->ncenters; c++) total += rooms ? rb->centers[c].nrooms : 1;
  struct page_option *o = calloc((size_t)total, sizeof *o + 24);
  if (!o) return NULL;
  char (*ids)[24] = (char (*)[24])(o + total);
  *n = 0;
  if (rooms) o[(*n)++] = (struct page_option){"", "公民館全体（全室）", NULL};
  for (int c = 0; c < rb->ncenters; c++) {
    const struct center *ce = &rb->centers[c];
    if (!rooms) {
      o[(*n)++] = (struct page_option){ce->code, ce->name, NULL};
      continue;
    }
    for (int i = 0; i < ce->nrooms; i++) {
      snprintf(ids[*n], sizeof ids[*n], "%lld", (long long)ce->rooms[i].id);
      o[*n] = (struct page_option){ids[*n], ce->rooms[i].name, ce->name};
      (*n)++;
    }
  }
  return o;
}

/* The form to close (values and ERRORS as sent, or none). */
static void close_form(struct req *r, struct html *h, const json_t *errors) {
  int nc = 0, nr = 0;
  struct page_option *centers = place_options(r->ctx.rb, 0, &nc);
  struct page_option *rooms = place_options(r->ctx.rb, 1, &nr);
  const struct page_field fields[] = {
      {.name = "center", .label = "公民館", .type = PF_SELECT, .required = 1, .options = centers,
       .noptions = nc},
      {.name = "room_id", .label = "部屋", .type = PF_SELECT, .options = rooms, .noptions = nr,
       .support = "一部屋だけ閉じるときに選びます。部屋は選んだ公民館のものにしてください。"},
      {.name = "from", .label = "始めの日", .type = PF_DATE, .required = 1, .size = "m"},
      {.name = "to", .label = "終わりの日", .type = PF_DATE, .required = 1, .size = "m",
       .support = "この日も休館です。一日だけなら始めの日と同じ日にします。"},
      {.name = "reason", .label = "理由", .type = PF_TEXT, .required = 1, .maxlength = 100,
       .support = "予約者と空き状況に表示します（例: 改修工事、選挙の投票所）。"},
      {.name = "bookings", .label = "その日のある予約", .type = PF_RADIOS, .required = 1,
       .options = mode_options, .noptions = 2}};
  json_t *values = errors ? json_incref(r->json) : json_pack("{s:s}", "bookings", "cancel");
  struct page_form fm = {.values = values, .errors = errors};
  int n = (int)(sizeof fields / sizeof fields[0]);
  html_raw(h, "<h2 id=\"new\">休館にする</h2>");
  page_error_summary(h, fields, n, &fm);
  page_form_begin(r, h, "post", "/admin/closures");
  for (int i = 0; i < n; i++) page_field(h, &fields[i], &fm);
  page_form_end(h, "休館にする");
  json_decref(values);
  free(centers);
  free(rooms);
}

static void place_label(const struct closure_view *c, char *out, size_t n) {
  const char *room = c->room_id ? c->room_name : "";
  snprintf(out, n, "%s%s%s", c->center_name, *room ? " " : "", *room ? room : "（全館）");
}

/* The list and the form; FAILED (its fields) is the refused post, or none. */
static struct reply list_page(struct req *r, unsigned status, struct kerrinfo *failed) {
  struct kerrinfo ei = {0};
  json_t *errors = failed->fields;
  struct closure_view *v;
  int n, rc = closure_views_list(&r->ctx, NULL, 0, 0, &v, &n, &ei);
  if (rc) {
    kerr_clear(failed);
    return reply_core(r, rc, 0, NULL, &ei);
  }
  struct html h = {0};
  struct page pg = {.title = "休館の設定", .nav = "admin", .flags = errors ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  html_raw(&h, "<p class=\"crumb\"><a href=\"/admin\">職員メニュー</a></p><h1>休館の設定</h1>"
               "<p class=\"lead\">改修工事や選挙の投票所などで、公民館または部屋を日を決めて閉じます。"
               "閉じた日は空き状況で「休館」になり、予約できなくなります。その日の予約は取り消すか、"
               "残して予約者に知らせます。予約者のマイページ（メールが使えるときはメールでも）に届きます。</p>");
  html_raw(&h, "<h2>これからの休館</h2>");
  if (!n) html_raw(&h, "<p>設定した休館はありません。</p>");
  else html_raw(&h, "<table class=\"table\"><caption>休館</caption><thead><tr><th scope=\"col\">期間</th>"
                    "<th scope=\"col\">場所</th><th scope=\"col\">理由</th><th scope=\"col\">予約</th>"
                    "</tr></thead><tbody>");
  for (int i = 0; i < n; i++) {
    const struct closure_view *c = &v[i];
    char place[512];
    place_label(c, place, sizeof place);
    html_printf(&h, "<tr><td><a href=\"/admin/closures/%I\">%h〜%h</a></td><td>%h</td><td>%h</td>"
                    "<td>取消 %I件・連絡 %I件</td></tr>",
                c->id, c->from, c->to, place, c->reason, c->cancelled, c->flagged);
  }
  if (n) html_raw(&h, "</tbody></table>");
  free(v);
  close_form(r, &h, errors);
  kerr_clear(failed);
  page_end(r, &h, &pg);
  return page_reply(r, status, &h);
}

/* GET /admin/closures -> the closures to come and the form. Staff, admin. */
struct reply web_closures(struct req *r) {
  struct kerrinfo none = {0};
  return list_page(r, 200, &none);
}

/* POST /admin/closures (form) -> 303 /admin/closures/{id}?done=1; 422 the
** page with the errors at their fields; 403 another centre. Staff, admin. */
struct reply web_closures_create(struct req *r) {
  struct kerrinfo ei = {0};
  int64_t id = 0;
  int rc = closures_create_id(&r->ctx, r->json, &id, &ei);
  if (rc == KERR_VALIDATION) return list_page(r, 422, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  char to[64];
  snprintf(to, sizeof to, "/admin/closures/%lld?done=1", (long long)id);
  return reply_redirect(r, to);
}

/* The table of the bookings closure D touched. */
static void affected_table(struct req *r, struct html *h, const struct closure_detail *d) {
  if (!d->naffected) {
    html_raw(h, "<p>この期間の予約はありませんでした。</p>");
    return;
  }
  html_raw(h, "<table class=\"table\"><caption>この休館にかかった予約</caption><thead><tr>"
              "<th scope=\"col\">予約番号</th><th scope=\"col\">日付</th><th scope=\"col\">部屋</th>"
              "<th scope=\"col\">時間帯</th><th scope=\"col\">扱い</th><th scope=\"col\">返金</th>"
              "</tr></thead><tbody>");
  for (int i = 0; i < d->naffected; i++) {
    const struct closure_affected *a = &d->affected[i];
    const struct room *ro = rules_room_by_id(r->ctx.rb, a->room_id);
    char yen[32];
    page_yen(a->refunded, yen, sizeof yen);
    html_printf(h, "<tr><td>%I</td><td>%h</td><td>%h</td><td>%h</td><td>%h</td><td>%h</td></tr>",
                a->booking_id, a->date, ro ? ro->name : "", a->slots,
                a->outcome == CLOSURE_CANCELLED ? "取り消し" : "残して連絡", yen);
  }
  html_raw(h, "</tbody></table>");
}

/* GET /admin/closures/{id} -> one closure, its bookings, the lift button. Staff, admin. */
struct reply web_closure(struct req *r) {
  struct kerrinfo ei = {0};
  struct closure_detail d;
  int64_t id = req_path_id(r, 0);
  int rc = id ? closure_detail_get(&r->ctx, id, &d, &ei) : KERR_NOT_FOUND;
  if (rc) {
    if (id) closure_detail_free(&d);
    return reply_core(r, rc, 0, NULL, &ei);
  }
  const struct closure_view *c = &d.c;
  char place[512], action[64];
  place_label(c, place, sizeof place);
  struct html h = {0};
  struct page pg = {.title = "休館", .nav = "admin"};
  page_begin(r, &h, &pg);
  html_raw(&h, "<p class=\"crumb\"><a href=\"/admin\">職員メニュー</a> › <a href=\"/admin/closures\">休館の設定</a></p>");
  html_printf(&h, "<h1>休館: %h</h1>", place);
  if (req_query(r, "done"))
    html_raw(&h, "<p class=\"note note-ok\" role=\"status\">休館にしました。予約者には知らせました。</p>");
  html_printf(&h, "<dl class=\"facts\"><dt>期間</dt><dd>%h〜%h</dd><dt>理由</dt><dd>%h</dd>"
                  "<dt>予約の扱い</dt><dd>%s</dd>",
              c->from, c->to, c->reason,
              c->mode == CLOSURE_CANCEL ? "取り消し（取消料なし・返金）" : "残して連絡");
  if (c->lifted_at) {
    char at[64];
    page_instant_label(c->lifted_at, at, sizeof at);
    html_printf(&h, "<dt>休館の取り消し</dt><dd>%h</dd>", at);
  }
  html_raw(&h, "</dl>");
  affected_table(r, &h, &d);
  if (!c->lifted_at) {
    html_raw(&h, "<h2>休館をやめる</h2><p>この期間はまた予約できるようになります。"
                 "取り消した予約は元に戻りません。</p>");
    snprintf(action, sizeof action, "/admin/closures/%lld/lift", (long long)id);
    page_form_begin(r, &h, "post", action);
    page_form_end(&h, "休館をやめる");
  }
  closure_detail_free(&d);
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}

/* POST /admin/closures/{id}/lift (form) -> 303 /admin/closures/{id}. Staff, admin. */
struct reply web_closure_lift(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_id(r, 0);
  int rc = id ? closures_lift(&r->ctx, id, &out, &ei) : KERR_NOT_FOUND;
  json_decref(out);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  char to[64];
  snprintf(to, sizeof to, "/admin/closures/%lld", (long long)id);
  return reply_redirect(r, to);
}

void web_closure_notices(struct req *r, struct html *h) {
  struct kerrinfo ei = {0};
  struct closure_notice *v;
  int n;
  if (closure_notices_mine(&r->ctx, &v, &n, &ei)) {
    kerr_clear(&ei);
    return;
  }
  if (n) {
    html_raw(h, "<section aria-labelledby=\"closure-title\" class=\"note\"><h2 id=\"closure-title\">"
                "休館のお知らせ</h2><ul>");
    for (int i = 0; i < n; i++) {
      const struct closure_notice *no = &v[i];
      char text[512], day[48];
      int32_t d = 0;
      closures_notice_text(no->outcome, no->refunded > 0, text, sizeof text);
      if (date_parse(no->date, &d)) d = 0;
      clock_jdate(d, day, sizeof day);
      html_printf(h, "<li><a href=\"/my/bookings/%I\">%h %h %h</a>: %h（%h）。%h</li>",
                  no->booking_id, day, no->center_name, no->room_name, no->reason,
                  no->outcome == CLOSURE_CANCELLED ? "予約は取り消し" : "予約は残しています", text);
    }
    html_raw(h, "</ul></section>");
  }
  free(v);
}
