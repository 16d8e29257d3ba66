/*
** http/api_mail.c: email notifications as people see them (docs/mail.md):
** a citizen's choice of messages and the 「メールが届いていません」 notice
** (JSON and the page /my/mail), and, for staff, the messages sent about one
** booking. The messages themselves are queued by core/notify.c and sent by
** core/mailer.c.
*/
#include "api_mail.h"

#include <stdio.h>
#include <string.h>

#include "../core/bookings.h"
#include "../core/lifecycle.h"
#include "../core/outbox.h"
#include "pages.h"
#include "reply.h"

/* GET /api/v1/me/mail -> 200 {"email","mail_on","kinds":[{"code","label","optional",
** "enabled"}],"undeliverable":{"address","reason","at"}?}. Citizens. */
struct reply api_mail_prefs_get(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = outbox_prefs_get(&r->ctx, &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* POST /api/v1/me/mail {"reminder":false,...} -> 200 as GET; 422 validation for an
** unknown kind or a message that cannot be turned off (decisions, security,
** cancellations). Citizens. */
struct reply api_mail_prefs_put(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = outbox_prefs_set(&r->ctx, r->json, &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* GET /api/v1/bookings/{id}/messages -> 200 {"messages":[{"id","kind","label","to",
** "subject","status","attempts","created_at","sent_at"?,"last_error"?,"message_id"}]}:
** what was queued and sent about the booking; 404 unknown. Staff, admin. */
struct reply api_booking_messages(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  struct booking b;
  int64_t id = req_path_id(r, 0);
  int rc = id ? booking_load(&r->ctx, id, &b) : KERR_NOT_FOUND;
  if (!rc) rc = outbox_list_booking(&r->ctx, id, &out, &ei);
  return reply_core(r, rc, 200, out, &ei);
}

/* ============================================================ pages */

/* The notice for マイページ when mail to the person was refused. */
void web_mail_notice(struct req *r, struct html *h) {
  json_t *p = NULL;
  if (outbox_prefs_get(&r->ctx, &p, NULL) != 0) return;
  json_t *u = json_object_get(p, "undeliverable");
  if (u)
    html_printf(h,
                "<div class=\"note note-warn\" id=\"mail-undeliverable\"><p><strong>"
                "メールが届いていません</strong></p><p>%h あてのお知らせメールが、"
                "相手のメールサーバーに受け取ってもらえませんでした。メールアドレスが正しいか、"
                "公民館の窓口で確かめてください。</p></div>",
                json_string_value(json_object_get(u, "address")));
  json_decref(p);
}

static const char *jstr(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

void web_mail_sent(struct req *r, struct html *h, int64_t booking_id) {
  static const char *const states[][2] = {{"pending", "送信待ち"}, {"sent", "送信済み"},
                                          {"failed", "届かず"}, {"skipped", "送らず"}};
  json_t *out = NULL, *m;
  size_t i;
  if (!(r->ctx.actor.role & ROLE_DESK) ||
      outbox_list_booking(&r->ctx, booking_id, &out, NULL) != 0)
    return;
  html_raw(h, "<section aria-labelledby=\"mail-title\" id=\"mail\"><h2 id=\"mail-title\">"
              "この予約について送ったお知らせメール（職員用）</h2>");
  json_t *list = json_object_get(out, "messages");
  if (!json_array_size(list))
    html_raw(h, outbox_enabled() ? "<p>まだありません。</p>"
                                 : "<p>ありません（お知らせメールは送らない設定です）。</p>");
  else
    html_raw(h, "<table><thead><tr><th scope=\"col\">お知らせ</th><th scope=\"col\">宛先</th>"
                "<th scope=\"col\">状態</th><th scope=\"col\">日時</th><th scope=\"col\">"
                "理由・エラー</th></tr></thead><tbody>");
  json_array_foreach(list, i, m) {
    const char *st = jstr(m, "status"), *label = st;
    char at[64];
    for (size_t k = 0; k < sizeof states / sizeof states[0]; k++)
      if (!strcmp(st, states[k][0])) label = states[k][1];
    page_iso_label(jstr(m, json_object_get(m, "sent_at") ? "sent_at" : "created_at"), at, sizeof at);
    html_printf(h, "<tr><td>%h</td><td>%h</td><td>%h</td><td>%h</td><td>%h</td></tr>",
                jstr(m, "label"), *jstr(m, "to") ? jstr(m, "to") : "（アドレスなし）", label, at,
                jstr(m, "last_error"));
  }
  if (json_array_size(list)) html_raw(h, "</tbody></table>");
  html_raw(h, "</section>");
  json_decref(out);
}

/* The page itself, from the settings P. */
static struct reply mail_page(struct req *r, unsigned status, const json_t *p, const char *flash) {
  struct html h = {0};
  struct page pg = {.title = "お知らせメールの設定", .nav = "my"};
  struct page_option opts[16];
  int n = 0;
  json_t *on = json_array(), *k;
  size_t i;
  json_array_foreach(json_object_get(p, "kinds"), i, k) {
    if (!json_is_true(json_object_get(k, "optional")) || n >= 16) continue;
    opts[n++] = (struct page_option){jstr(k, "code"), jstr(k, "label"), NULL};
    if (json_is_true(json_object_get(k, "enabled")))
      json_array_append_new(on, json_string(jstr(k, "code")));
  }
  json_t *values = json_pack("{s:o}", "on", on);
  struct page_form fm = {.values = values, .errors = NULL};
  struct page_field f = {.name = "on", .label = "受け取るお知らせ", .type = PF_CHECKBOXES,
                         .support = "チェックを外すと、そのお知らせは送りません。",
                         .options = opts, .noptions = n};
  page_begin(r, &h, &pg);
  html_raw(&h, "<p class=\"crumb\"><a href=\"/my\">マイページ</a></p><h1>お知らせメールの設定</h1>");
  if (flash) html_printf(&h, "<p class=\"note\" role=\"status\">%h</p>", flash);
  web_mail_notice(r, &h);
  const char *email = jstr(p, "email");
  html_printf(&h, "<p>送り先: <strong>%h</strong></p>", *email ? email : "メールアドレスが登録されていません");
  if (!json_is_true(json_object_get(p, "mail_on")))
    html_raw(&h, "<p>いまは、お知らせメールを送っていません。</p>");
  page_form_begin(r, &h, "post", "/my/mail");
  page_field(&h, &f, &fm);
  page_form_end(&h, "設定を保存する");
  html_raw(&h, "<h2>いつも送るお知らせ</h2><p>次のお知らせは大切なため、止めることができません。</p><ul>");
  json_array_foreach(json_object_get(p, "kinds"), i, k)
    if (!json_is_true(json_object_get(k, "optional")))
      html_printf(&h, "<li>%h</li>", jstr(k, "label"));
  html_raw(&h, "</ul>");
  page_end(r, &h, &pg);
  json_decref(values);
  return page_reply(r, status, &h);
}

/* GET /my/mail[?done=1] -> 200 the person's choice of messages. Citizens. */
struct reply web_mail(struct req *r) {
  json_t *p = NULL;
  struct kerrinfo ei = {0};
  int rc = outbox_prefs_get(&r->ctx, &p, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  const char *done = req_query(r, "done");
  struct reply rep = mail_page(r, 200, p, done ? "設定を保存しました。" : NULL);
  json_decref(p);
  return rep;
}

/* POST /my/mail (form: on=CODE repeated, csrf_token) -> 303 /my/mail?done=1: every
** optional kind checked is on, every other optional kind off. Citizens. */
struct reply web_mail_save(struct req *r) {
  json_t *in = json_object(), *sent = json_object_get(r->json, "on"), *v;
  size_t i;
  for (int k = 0; k < mail_kind_count; k++)
    if (mail_kinds[k].optional) json_object_set_new(in, mail_kinds[k].code, json_false());
  if (json_is_string(sent) && mail_kind_find(json_string_value(sent)))
    json_object_set_new(in, json_string_value(sent), json_true());
  json_array_foreach(sent, i, v) if (mail_kind_find(json_string_value(v)))
    json_object_set_new(in, json_string_value(v), json_true());
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = outbox_prefs_set(&r->ctx, in, &out, &ei);
  json_decref(in);
  json_decref(out);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  return reply_redirect(r, "/my/mail?done=1");
}

/* ======================================================= forgotten ID */

static const char *const FORGOT_SENT =
    "そのメールアドレスで登録されていれば、利用者番号をお送りしました。"
    "届かないときは、公民館の窓口でお尋ねください（本人確認のうえお伝えします）。";

/* POST /api/v1/forgotten-id {"email"} -> 202 {"status":"accepted","message"}
** whether or not the address is registered (the system ID of each account
** registered with it is mailed when mail is on); 422 not an address; 429 too
** many from one client. Anyone; no CSRF token. */
struct reply api_forgotten_id(struct req *r) {
  struct kerrinfo ei = {0};
  int rc = lifecycle_forgotten_id(&r->ctx, r->json, r->ctx.address, &ei);
  return reply_core(r, rc, 202,
                    rc ? NULL : json_pack("{s:s, s:s}", "status", "accepted", "message", FORGOT_SENT),
                    &ei);
}

static const struct page_field forgot_field = {
    .name = "email", .label = "登録したメールアドレス", .type = PF_EMAIL, .required = 1,
    .support = "利用者登録のときに届け出たメールアドレスです。", .autocomplete = "email"};

static struct reply forgot_page(struct req *r, unsigned status, const char *message,
                                const json_t *errors) {
  struct html h = {0};
  struct page_form fm = {.values = r->json, .errors = errors};
  struct page pg = {.title = "利用者番号を忘れたとき", .flags = errors ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  html_raw(&h, "<h1>利用者番号を忘れたとき</h1>");
  if (message) html_printf(&h, "<p class=\"note note-ok\" role=\"status\">%h</p>", message);
  page_error_summary(&h, &forgot_field, 1, &fm);
  html_raw(&h, "<p>登録したメールアドレスに、利用者番号をお送りします。メールアドレスを届け出て"
               "いないときは、公民館の窓口でお尋ねください。</p>");
  page_form_begin(r, &h, "post", "/forgotten-id");
  page_field(&h, &forgot_field, &fm);
  page_form_end(&h, "利用者番号を送る");
  html_raw(&h, "<p><a href=\"/password-reset\">パスワードを忘れたとき</a>・"
               "<a href=\"/signin\">ログイン</a></p>");
  page_end(r, &h, &pg);
  return page_reply(r, status, &h);
}

/* GET /forgotten-id -> the form. Anyone. */
struct reply web_forgotten_id(struct req *r) { return forgot_page(r, 200, NULL, NULL); }

/* POST /forgotten-id (form) email -> 200 the same page and message whether or
** not the address is registered; 422 the form with the reason. Anyone. */
struct reply web_forgotten_id_post(struct req *r) {
  struct kerrinfo ei = {0};
  int rc = lifecycle_forgotten_id(&r->ctx, r->json, r->ctx.address, &ei);
  if (rc != KERR_VALIDATION) return rc ? reply_core(r, rc, 0, NULL, &ei)
                                       : forgot_page(r, 200, FORGOT_SENT, NULL);
  json_t *errs = json_incref(ei.fields);
  kerr_clear(&ei);
  struct reply rep = forgot_page(r, 422, NULL, errs);
  json_decref(errs);
  return rep;
}
