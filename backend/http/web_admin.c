/*
** http/web_admin.c: the staff and admin pages: the menu, and the queues of
** group registrations (staff, admin; with the look-up of registered groups,
** http/web_group_desk.c) and exemption applications (admin) to decide (see
** web_admin.h; docs/web.md). Pages that work without JavaScript: each decision is a form post with the CSRF token, answered
** with 303 back to the queue (so a reload decides nothing twice) or, when
** refused, the queue again with the reason at that application's field.
**
** The decisions are core's (groups_approve/groups_reject, discounts_decide):
** the same checks, events and messages as the JSON API.
*/
#include "web_admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/discounts.h"
#include "../core/groups.h"
#include "../core/ids.h"
#include "../core/status.h"
#include "pages.h"
#include "reply.h"
#include "web_group_desk.h"

/* A flash message from ?done= after a decision (PRG). */
static const char *done_message(struct req *r) {
  const char *d = req_query(r, "done");
  if (!d) return NULL;
  switch (review_status_parse(d)) {
    case REVIEW_APPROVED: return "承認しました。";
    case REVIEW_REJECTED: return "承認しないことにしました。理由は申請した人に伝わります。";
    default: return NULL;
  }
}

/* The error of one application, shown at its reason field. */
struct decide_error {
  const char *id;           /* the application (group ID or application number) */
  const char *message;
  const char *reason;       /* what was typed, kept */
  int on_decision;          /* the error is the decision's (none chosen), not the reason's */
};

static void reason_field(struct html *h, const char *id, const struct decide_error *e,
                         int required_always) {
  int err = e && e->id && !strcmp(e->id, id) && !e->on_decision;
  html_printf(h, "<div class=\"field%s\"><label class=\"field-label\" for=\"reason-%h\">理由"
                 "<span class=\"mark %s\">%s</span></label>"
                 "<p class=\"field-support\" id=\"reason-%h-support\">承認しないときは必ず書きます。"
                 "申請した人が読みます。</p>"
                 "<textarea class=\"textarea\" id=\"reason-%h\" name=\"reason\" rows=\"3\" maxlength=\"500\""
                 " aria-describedby=\"reason-%h-support%s%h%s\"%s>%h</textarea>",
              err ? " has-error" : "", id, required_always ? "mark-req" : "mark-opt",
              required_always ? "必須" : "任意", id, id, id, err ? " reason-" : "", err ? id : "",
              err ? "-error" : "", err ? " aria-invalid=\"true\"" : "", err && e->reason ? e->reason : "");
  if (err)
    html_printf(h, "<p class=\"field-error\" id=\"reason-%h-error\"><span class=\"error-mark\" "
                   "aria-hidden=\"true\">!</span>%h</p>",
                id, e->message);
  html_raw(h, "</div>");
}

static void error_box(struct html *h, const struct decide_error *e) {
  if (!e || !e->message) return;
  html_printf(h, "<section class=\"error-summary\" aria-labelledby=\"error-summary-title\">"
                 "<h2 id=\"error-summary-title\">できませんでした</h2><ul><li>"
                 "<a href=\"#%s-%h%s\">%h</a></li></ul></section>",
              e->on_decision ? "decision" : "reason", e->id, e->on_decision ? "-0" : "",
              e->message);
}

/* ============================================================= menu */

/* GET /admin -> 200 the staff menu: the counter page, the queues to decide
** and the monthly statistics. Staff, admin. */
struct reply web_admin(struct req *r) {
  struct html h = {0};
  struct page pg = {.title = "職員メニュー", .nav = "admin"};
  page_begin(r, &h, &pg);
  html_printf(&h, "<h1>職員メニュー</h1><p class=\"lead\">%h さん (%s)</p>"
                  "<ul class=\"links\"><li><a href=\"/admin/help\">職員の手引き (頼まれたことと、使う画面)</a></li>"
                  "<li><a href=\"/counter\">窓口 (今日の部屋・当日利用・支払い・入館・台帳)</a></li>"
                  "<li><a href=\"/admin/groups\">団体登録の審査・登録された団体の検索</a></li>"
                  "<li><a href=\"/admin/closures\">休館の設定 (改修工事・投票所など)</a></li>"
                  "<li><a href=\"/counter/register\">利用者の登録 (窓口で本人確認のうえ、利用者番号を発行)</a></li>"
                  "<li><a href=\"/counter/reset-code\">パスワード再設定のコード (窓口で本人確認のうえ)</a></li>"
                  "<li><a href=\"/my/totp\">二段階認証 (自分のログインの設定)</a></li>"
                  "<li><a href=\"/admin/courses\">講座の管理 (登録・検索・前の講座から作る・出席)</a></li>"
                  "<li><a href=\"/admin/rounds\">部屋の抽選 (利用調整の状態・競合・結果)</a></li>",
              r->ctx.actor.name, r->ctx.actor.role == ROLE_ADMIN ? "管理者" : "職員");
  /* the monthly statistics (月報) and the figures: staff of their home
  ** centre (none without one: the page would refuse them), admins of all */
  const struct center *home = rules_center(r->ctx.rb, r->ctx.actor.home_center);
  if (r->ctx.actor.role == ROLE_ADMIN)
    html_raw(&h, "<li><a href=\"/reports\">月報と利用状況の集計 (すべての公民館)</a></li>");
  else if (home)
    html_printf(&h, "<li><a href=\"/reports\">月報と利用状況の集計 (%h)</a></li>", home->name);
  if (r->ctx.actor.role == ROLE_ADMIN)
    html_raw(&h, "<li><a href=\"/admin/discounts\">減免の申請の審査</a></li>"
                 "<li><a href=\"/admin/users\">利用者の管理 (職員の登録・停止・役割)</a></li>"
                 "<li><a href=\"/admin/audit\">監査証跡</a></li>");
  html_raw(&h, "</ul>");
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}

/* ========================================================== groups */

static struct reply groups_page(struct req *r, unsigned status, const struct decide_error *e) {
  struct kerrinfo ei = {0};
  struct group_review_view *v;
  struct group_search search;
  struct groups_filter queue = {.status = "pending"};
  int n, rc = web_group_search_run(r, &search);
  if (!rc) rc = group_review_views(&r->ctx, &queue, &v, &n, &ei);
  if (rc) {
    web_group_search_free(&search);
    return reply_core(r, rc, 0, NULL, &ei);
  }
  if (search.refused && status == 200) status = 422;
  const char *flash = done_message(r);
  struct html h = {0};
  struct page pg = {.title = "団体登録の審査と検索", .nav = "admin",
                    .flags = e || search.refused ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  html_raw(&h, "<p class=\"crumb\"><a href=\"/admin\">職員メニュー</a></p><h1>団体登録の審査と検索</h1>");
  error_box(&h, e);
  if (flash && !e) html_printf(&h, "<p class=\"note note-ok\" role=\"status\">%h</p>", flash);
  web_group_search_show(r, &h, &search);
  web_group_search_free(&search);
  html_printf(&h, "<section aria-labelledby=\"queue-title\"><h2 id=\"queue-title\">審査を待っている申請</h2>"
                  "<p class=\"lead\">審査を待っている申請: %d件 (古い順)</p>", n);
  if (!n) html_raw(&h, "<p>審査を待っている申請はありません。</p>");
  else html_raw(&h, "<ul class=\"cards\">");
  for (int i = 0; i < n; i++) {
    const struct group_review_view *g = &v[i];
    char id[16], rep[16], applied[64] = "-", a1[64], a2[64];
    ids_format(g->id, id);
    ids_format(g->rep_id, rep);
    if (g->created_at) page_instant_label(g->created_at, applied, sizeof applied);
    snprintf(a1, sizeof a1, "/admin/groups/%s/approve", id);
    snprintf(a2, sizeof a2, "/admin/groups/%s/reject", id);
    html_printf(&h, "<li class=\"card\" id=\"g-%h\"><h3>%h <span class=\"sub\">%h</span></h3><dl class=\"facts\">"
                    "<div><dt>団体ID</dt><dd>%h</dd></div>"
                    "<div><dt>申請</dt><dd>%s</dd></div>"
                    "<div><dt>人数</dt><dd>%d人 (うち市内 %d人。代表者のうちマイナンバーカードで"
                    "市内在住を確認済み %d人)</dd></div>"
                    "<div><dt>代表者</dt><dd>%h (利用者番号 %h)</dd></div>"
                    "<div><dt>申請日</dt><dd>%h</dd></div></dl>",
                id, g->name, g->name_kana, id, g->renewal ? "更新" : "新規", (int)g->members,
                (int)g->resident_members, (int)g->verified_residents, g->rep_name, rep, applied);
    page_form_begin(r, &h, "post", a1);
    html_printf(&h, "<div class=\"form-actions\"><button class=\"button\" type=\"submit\">"
                    "「%h」を承認する</button></div></form>",
                g->name);
    page_form_begin(r, &h, "post", a2);
    reason_field(&h, id, e, 1);
    html_printf(&h, "<div class=\"form-actions\"><button class=\"button button-secondary\" type=\"submit\">"
                    "「%h」を承認しない</button></div></form></li>",
                g->name);
  }
  if (n) html_raw(&h, "</ul>");
  html_raw(&h, "</section>");
  page_end(r, &h, &pg);
  free(v);
  return page_reply(r, status, &h);
}

/* GET /admin/groups[?done=approved|rejected][&q=KEYWORD&status=all|approved|
** pending|rejected&page=N] -> 200 the look-up of registered groups (a GET
** form; with q or status in the query, the groups found, 50 a page, each
** linking to /admin/groups/{id}: http/web_group_desk.c), then the group
** registrations (new and renewals) waiting for a decision, oldest first,
** each with its figures and representative, and the buttons that approve or
** reject (with a reason). 422 the page with the error at the look-up's field
** (an unknown status, a keyword over 100 characters, a page number that is
** not one) and no results. Staff, admin. */
struct reply web_admin_groups(struct req *r) { return groups_page(r, 200, NULL); }

/* The answer to a decision: 303 to LOCATION, or the queue again. */
static struct reply decided(struct req *r, int rc, struct kerrinfo *ei, const char *location,
                               struct reply (*page)(struct req *, unsigned,
                                                       const struct decide_error *)) {
  if (!rc) {
    kerr_clear(ei);
    return reply_redirect(r, location);
  }
  if (rc == KERR_NOT_FOUND || kerr_http_status(rc) >= 500) {
    struct reply ret = reply_error(r, rc, ei);
    kerr_clear(ei);
    return ret;
  }
  /* the decision first: with none chosen, what was typed as a reason may be fine */
  int on_decision = ei->fields && json_object_get(ei->fields, "decision") && rc == KERR_VALIDATION;
  const char *fm = ei->fields ? json_string_value(json_object_get(ei->fields, "reason")) : NULL;
  char msg[sizeof ei->message];
  if (on_decision && !req_str(r, "decision"))
    snprintf(msg, sizeof msg, "承認するか、承認しないかを選んでください。");
  else
    snprintf(msg, sizeof msg, "%s", on_decision ? json_string_value(json_object_get(ei->fields, "decision"))
                                    : fm ? fm : ei->message[0] ? ei->message : kerr_message(rc));
  struct decide_error e = {r->params[0], msg, req_str(r, "reason"), on_decision};
  struct reply ret = page(r, (unsigned)kerr_http_status(rc), &e);
  kerr_clear(ei);
  return ret;
}

/* POST /admin/groups/{id}/approve (form) -> 303 /admin/groups?done=approved;
** 409 the queue with the reason when it was decided meanwhile; 404.
** Staff, admin. */
struct reply web_admin_group_approve(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_sysid(r, 0);
  if (!id) return reply_error(r, KERR_NOT_FOUND, NULL);
  int rc = groups_approve(&r->ctx, id, &out, &ei);
  json_decref(out);
  return decided(r, rc, &ei, "/admin/groups?done=approved", groups_page);
}

/* POST /admin/groups/{id}/reject (form) reason -> 303 /admin/groups?done=rejected;
** 422 the queue with the error at that group's reason (kept); 409; 404.
** Staff, admin. */
struct reply web_admin_group_reject(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_sysid(r, 0);
  if (!id) return reply_error(r, KERR_NOT_FOUND, NULL);
  int rc = groups_reject(&r->ctx, id, r->json, &out, &ei);
  json_decref(out);
  return decided(r, rc, &ei, "/admin/groups?done=rejected", groups_page);
}

/* ======================================================= exemptions */

static const struct page_option decision_options[] = {
  {"approved", "承認する", NULL},
  {"rejected", "承認しない", NULL},
};

static struct reply discounts_page(struct req *r, unsigned status, const struct decide_error *e) {
  struct kerrinfo ei = {0};
  struct discount_app_view *v;
  int n, rc = discount_app_views_list(&r->ctx, "pending", NULL, &v, &n, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  const char *flash = done_message(r);
  struct html h = {0};
  struct page pg = {.title = "減免の申請の審査", .nav = "admin", .flags = e ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  html_raw(&h, "<p class=\"crumb\"><a href=\"/admin\">職員メニュー</a></p><h1>減免の申請の審査</h1>");
  error_box(&h, e);
  if (flash && !e) html_printf(&h, "<p class=\"note note-ok\" role=\"status\">%h</p>", flash);
  html_printf(&h, "<p class=\"lead\">審査を待っている申請: %d件 (古い順)。"
                  "<a href=\"/rules/discounts\">減免の基準</a></p>",
              n);
  if (!n) html_raw(&h, "<p>審査を待っている申請はありません。</p>");
  else html_raw(&h, "<ul class=\"cards\">");
  for (int i = 0; i < n; i++) {
    const struct discount_app_view *a = &v[i];
    char id[24], gid[16], applied[64] = "-", action[64], rate[32] = "廃止された区分";
    snprintf(id, sizeof id, "%lld", (long long)a->id);
    ids_format(a->group_id, gid);
    if (a->applied_at) page_instant_label(a->applied_at, applied, sizeof applied);
    snprintf(action, sizeof action, "/admin/discounts/%s/decide", id);
    if (a->rate >= 0) snprintf(rate, sizeof rate, "%d%%", a->rate);
    html_printf(&h, "<li class=\"card\" id=\"d-%h\"><h2>申請番号 %h: %h</h2><dl class=\"facts\">"
                    "<div><dt>団体</dt><dd>%h (団体ID %h)</dd></div>"
                    "<div><dt>区分</dt><dd>%h (%h)</dd></div>"
                    "<div><dt>理由</dt><dd>%h</dd></div>"
                    "<div><dt>書類についてのメモ</dt><dd>%h</dd></div>"
                    "<div><dt>申請日</dt><dd>%h</dd></div></dl>",
                id, id, a->group_name, a->group_name, gid, discount_app_category_name(a), rate,
                a->reason, a->evidence ? a->evidence : "なし", applied);
    page_form_begin(r, &h, "post", action);
    /* one fieldset per application: ids carry its number; no answer chosen in advance */
    int derr = e && e->on_decision && e->id && !strcmp(e->id, id);
    html_printf(&h, "<fieldset class=\"field field-group%s\"%s%h%s><legend class=\"field-label\">申請番号 %h の決定"
                    "<span class=\"mark mark-req\">必須</span></legend>",
                derr ? " has-error" : "", derr ? " aria-describedby=\"decision-" : "", derr ? id : "",
                derr ? "-error\"" : "", id);
    if (derr)
      html_printf(&h, "<p class=\"field-error\" id=\"decision-%h-error\"><span class=\"error-mark\" "
                      "aria-hidden=\"true\">!</span>%h</p>",
                  id, e->message);
    html_raw(&h, "<div class=\"choices\">");
    for (int k = 0; k < 2; k++)
      html_printf(&h, "<div class=\"choice\"><input type=\"radio\" id=\"decision-%h-%d\" name=\"decision\" "
                      "value=\"%s\"><label for=\"decision-%h-%d\">%s</label></div>",
                  id, k, decision_options[k].value, id, k, decision_options[k].label);
    html_raw(&h, "</div></fieldset>");
    reason_field(&h, id, e, 0);
    html_printf(&h, "<div class=\"form-actions\"><button class=\"button\" type=\"submit\">"
                    "申請番号 %h を決定する</button></div></form></li>",
                id);
  }
  if (n) html_raw(&h, "</ul>");
  page_end(r, &h, &pg);
  discount_app_views_free(v, n);
  free(v);
  return page_reply(r, status, &h);
}

/* GET /admin/discounts[?done=approved|rejected] -> 200 the exemption
** applications waiting for a decision, oldest first, each with group,
** category and rate, reason and evidence note, and the form that decides
** (approve, or reject with a reason). Admin. */
struct reply web_admin_discounts(struct req *r) { return discounts_page(r, 200, NULL); }

/* POST /admin/discounts/{id}/decide (form) decision=approved|rejected, reason
** -> 303 /admin/discounts?done=...; 422 the queue with the error at that
** application's reason (kept); 409 decided meanwhile; 404. Admin. */
struct reply web_admin_discount_decide(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_id(r, 0);
  if (!id) return reply_error(r, KERR_NOT_FOUND, NULL);
  int rc = discounts_decide(&r->ctx, id, r->json, &out, &ei);
  const char *d = req_str(r, "decision");
  json_decref(out);
  return decided(r, rc, &ei,
                 review_status_parse(d) == REVIEW_REJECTED ? "/admin/discounts?done=rejected"
                                             : "/admin/discounts?done=approved",
                 discounts_page);
}
