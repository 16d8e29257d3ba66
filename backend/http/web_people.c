/*
** http/web_people.c: the forms for what had only an API (issue 14; see
** web_people.h). Each is a plain form post with the CSRF token, answered with
** 303 (PRG) or the form again with the errors at their fields; the decisions
** are core's (core/lifecycle.c, core/users.c), the same as the API's.
*/
#include "web_people.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/accounts.h"
#include "../core/clock.h"
#include "../core/ids.h"
#include "../core/lifecycle.h"
#include "../core/users.h"
#include "pages.h"
#include "web_oidc.h"
#include "reply.h"

/* Show the fields F (N) of a form to ACTION with VALUES and the errors of
** FAILED, and the SUBMIT button. */
static void form(struct req *r, struct html *h, const char *action, const struct page_field *f,
                 int n, const json_t *values, const struct kerrinfo *failed, const char *submit) {
  struct page_form fm = {.values = values, .errors = failed ? failed->fields : NULL};
  page_error_summary_msg(h, failed && failed->code && !failed->fields ? failed->message : NULL,
                         f, n, &fm);
  page_form_begin(r, h, "post", action);
  for (int i = 0; i < n; i++) page_field(h, &f[i], &fm);
  page_form_end(h, submit);
}

/* ======================================================== my details */

static const struct page_field profile_fields[] = {
    {.name = "name", .label = "名前", .type = PF_TEXT, .required = 1, .autocomplete = "name"},
    {.name = "name_kana", .label = "よみがな", .type = PF_TEXT, .required = 1,
     .support = "ひらがなかカタカナで入力してください。"},
    {.name = "email", .label = "メールアドレス", .type = PF_EMAIL, .required = PF_ONE_OF,
     .autocomplete = "email",
     .support = "お知らせとパスワードの再設定のリンクを送ります。電話番号とどちらか1つは必要です。"},
    {.name = "phone", .label = "電話番号", .type = PF_TEL, .required = PF_ONE_OF,
     .autocomplete = "tel", .size = "m",
     .support = "公民館から連絡するときに使います。メールアドレスとどちらか1つは必要です。"}};

static struct reply profile_page(struct req *r, unsigned status, struct kerrinfo *failed) {
  struct kerrinfo ei = {0};
  json_t *me = NULL;
  int rc = failed->code ? 0 : accounts_me(&r->ctx, &me);
  if (rc) {
    kerr_clear(failed);
    return reply_core(r, rc, 0, NULL, &ei);
  }
  struct html h = {0};
  struct page pg = {.title = "登録内容の変更", .nav = "my",
                    .flags = failed->code ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  html_raw(&h, "<p class=\"crumb\"><a href=\"/my\">マイページ</a></p><h1>登録内容の変更</h1>");
  if (req_query(r, "done"))
    html_raw(&h, "<p class=\"note note-ok\" role=\"status\">登録内容を変えました。</p>");
  form(r, &h, "/my/profile", profile_fields, 4, me ? me : r->json, failed, "変更する");
  html_raw(&h, "<p>住所（市内在住かどうか）を変えるときは、公民館の窓口でお申し出ください。</p>");
  json_decref(me);
  kerr_clear(failed);
  page_end(r, &h, &pg);
  return page_reply(r, status, &h);
}

/* GET /my/profile -> the form with the details as they are. Citizens. */
struct reply web_people_profile(struct req *r) {
  struct kerrinfo none = {0};
  return profile_page(r, 200, &none);
}

/* POST /my/profile (form) name, name_kana, email, phone -> 303
** /my/profile?done=1; 422 the form with the errors. Citizens. */
struct reply web_people_profile_post(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = lifecycle_update_profile(&r->ctx, r->json, &out, &ei);
  json_decref(out);
  if (rc == KERR_VALIDATION) return profile_page(r, 422, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  return reply_redirect(r, "/my/profile?done=1");
}

/* ================================================ counter reset slip */

static const struct page_option identity_options[] = {
    {"1", "本人確認書類で、登録の名前と同じ人であることを確かめました", NULL}};

static const struct page_field code_fields[] = {
    {.name = "system_id", .label = "利用者番号", .type = PF_TEXT, .required = 1,
     .inputmode = "numeric", .size = "m", .support = "9けたの番号です。わからないときは管理者が名前で探せます。"},
    {.name = "identity", .label = "本人確認", .type = PF_CHECKBOXES, .required = 1,
     .options = identity_options, .noptions = 1}};

static struct reply code_page(struct req *r, unsigned status, struct kerrinfo *failed) {
  struct html h = {0};
  struct page pg = {.title = "パスワード再設定のコード", .nav = "admin",
                    .flags = failed->code ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  html_raw(&h, "<p class=\"crumb\"><a href=\"/admin\">職員メニュー</a></p>"
               "<h1>パスワード再設定のコード</h1>"
               "<p class=\"lead\">パスワードを忘れた市民に、一度だけ使えるコード（24時間有効）を紙で渡します。"
               "運転免許証などで本人であることを確かめてから発行してください。発行は監査証跡に残ります。</p>");
  form(r, &h, "/counter/reset-code", code_fields, 2, failed->code ? r->json : NULL, failed,
       "コードを発行する");
  kerr_clear(failed);
  page_end(r, &h, &pg);
  return page_reply(r, status, &h);
}

/* GET /counter/reset-code -> the form. Staff, admins. */
struct reply web_people_code(struct req *r) {
  struct kerrinfo none = {0};
  return code_page(r, 200, &none);
}

/* The slip to print for OUT {"system_id","code","expires_at"} of NAME. */
static struct reply slip(struct req *r, const json_t *out, const char *name) {
  char until[64];
  page_iso_label(page_str(out, "expires_at"), until, sizeof until);
  struct html h = {0};
  struct page pg = {.title = "パスワード再設定のコード（お渡し用）", .nav = "admin"};
  page_begin(r, &h, &pg);
  html_printf(&h, "<p class=\"crumb\"><a href=\"/counter/reset-code\">別の人のコードを発行する</a></p>"
                  "<h1>パスワード再設定のコード</h1>"
                  "<p class=\"note\">登録の名前: <strong>%h</strong> さん。確かめた人と違うときは、渡さないでください。</p>"
                  "<dl class=\"facts slip\"><dt>利用者番号</dt><dd>%h</dd>"
                  "<dt>再設定のコード</dt><dd class=\"code\"><strong>%h</strong></dd>"
                  "<dt>有効期限</dt><dd>%h まで（一度だけ使えます）</dd>",
              name, page_str(out, "system_id"), page_str(out, "code"), until);
  web_oidc_counter_fact(r, &h, page_str(out, "system_id"), 0);
  html_raw(&h, "</dl><h2>使い方</h2><ol><li>公民館予約のサイトの「パスワードを忘れたとき」"
               "（/password-reset）を開きます。</li><li>「窓口で受け取ったコードで再設定する」に、"
               "利用者番号とこのコードと新しいパスワードを入力します。</li>"
               "<li>この紙は、使ったあと捨ててください。</li></ol>"
               "<p>このページを印刷してお渡しください。</p>");
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}

/* POST /counter/reset-code (form) system_id, identity=1 -> 200 the slip to
** print; 422 the form (no identity check, a malformed ID); 404 no such
** citizen. Staff, admins. */
struct reply web_people_code_post(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL, *who = NULL;
  int64_t id = 0;
  const char *idtext = req_str(r, "system_id"), *identity = req_str(r, "identity");
  if (!idtext || ids_parse(idtext, &id))
    kerr_field(&ei, "system_id", "利用者番号（9けた）を入力してください。");
  if (!identity || strcmp(identity, "1") != 0)
    kerr_field(&ei, "identity", "本人確認をしてから発行してください。");
  if (ei.fields) {
    kerr_set(&ei, KERR_VALIDATION, NULL);
    return code_page(r, 422, &ei);
  }
  int rc = lifecycle_reset_code(&r->ctx, id, &out, &ei);
  if (rc == KERR_NOT_FOUND) {
    kerr_field(&ei, "system_id", ei.message);
    return code_page(r, 404, &ei);
  }
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  who = users_get(&r->ctx, id);
  struct reply rep = slip(r, out, who ? page_str(who, "name") : "");
  json_decref(who);
  json_decref(out);
  return rep;
}

/* ==================================================== staff accounts */

static const struct page_option role_options[] = {
    {"staff", "職員", NULL}, {"admin", "管理者", NULL}, {"analyst", "分析担当", NULL}};

/* The centres as options, after 「なし」 (caller frees). */
static struct page_option *center_options(const struct rulebook *rb, int *n) {
  struct page_option *o = calloc((size_t)rb->ncenters + 1, sizeof *o);
  if (!o) return NULL;
  o[0] = (struct page_option){"", "なし（管理者・分析担当）", NULL};
  for (int c = 0; c < rb->ncenters; c++)
    o[c + 1] = (struct page_option){rb->centers[c].code, rb->centers[c].name, NULL};
  *n = rb->ncenters + 1;
  return o;
}

static struct reply new_user_page(struct req *r, unsigned status, struct kerrinfo *failed) {
  int nc = 0;
  struct page_option *centers = center_options(r->ctx.rb, &nc);
  const struct page_field f[] = {
      {.name = "name", .label = "名前", .type = PF_TEXT, .required = 1},
      {.name = "role", .label = "役割", .type = PF_RADIOS, .required = 1, .options = role_options,
       .noptions = 3},
      {.name = "center", .label = "所属の公民館", .type = PF_SELECT, .options = centers,
       .noptions = nc, .support = "職員は必ず選びます。"},
      {.name = "password", .label = "最初のパスワード", .type = PF_PASSWORD, .required = 1,
       .autocomplete = "new-password", .support = "12文字以上。本人に直接伝え、変えてもらってください。"},
      {.name = "email", .label = "メールアドレス", .type = PF_EMAIL}};
  struct html h = {0};
  struct page pg = {.title = "職員などの登録", .nav = "admin",
                    .flags = failed->code ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  html_raw(&h, "<p class=\"crumb\"><a href=\"/admin\">職員メニュー</a> › <a href=\"/admin/users\">利用者の管理</a></p>"
               "<h1>職員などの登録</h1>");
  json_t *dflt = json_pack("{s:s}", "role", "staff");
  form(r, &h, "/admin/users", f, 5, failed->code ? r->json : dflt, failed, "登録する");
  json_decref(dflt);
  free(centers);
  kerr_clear(failed);
  page_end(r, &h, &pg);
  return page_reply(r, status, &h);
}

/* GET /admin/users/new -> the form to create staff, analysts, admins. Admins. */
struct reply web_people_user_new(struct req *r) {
  struct kerrinfo none = {0};
  return new_user_page(r, 200, &none);
}

/* POST /admin/users (form) name, role, center, password, email -> 303
** /admin/users/{id}?done=created; 422 the form. Admins. */
struct reply web_people_user_create(struct req *r) {
  struct kerrinfo ei = {0};
  int64_t id = 0;
  int rc = users_create(&r->ctx, r->json, &id, &ei);
  if (rc == KERR_VALIDATION) return new_user_page(r, 422, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  char to[64], sid[16];
  ids_format(id, sid);
  snprintf(to, sizeof to, "/admin/users/%s?done=created", sid);
  return reply_redirect(r, to);
}

static const char *done_text(const char *done) {
  if (!strcmp(done, "created")) return "登録しました。";
  if (!strcmp(done, "role")) return "役割と所属を変えました。その人は、次のログインから新しい役割になります。";
  if (!strcmp(done, "password")) return "パスワードを設定しました。その人のログインはすべて終わりました。";
  if (!strcmp(done, "totp")) return "二段階認証を解除しました。その人はパスワードだけでログインし、設定し直せます。";
  return "変更しました。";
}

static struct reply user_page(struct req *r, unsigned status, struct kerrinfo *failed) {
  int64_t id = req_path_sysid(r, 0);
  json_t *u = id ? users_get(&r->ctx, id) : NULL;
  if (!u || !strcmp(page_str(u, "role"), "citizen")) {
    json_decref(u);
    kerr_clear(failed);
    return page_error(r, 404, "その職員・管理者・分析担当のアカウントはありません。");
  }
  int nc = 0;
  char action[64];
  struct page_option *centers = center_options(r->ctx.rb, &nc);
  const struct page_field rf[] = {
      {.name = "role", .label = "役割", .type = PF_RADIOS, .required = 1, .options = role_options,
       .noptions = 3},
      {.name = "center", .label = "所属の公民館", .type = PF_SELECT, .options = centers, .noptions = nc}};
  const struct page_field pf[] = {{.name = "password", .label = "新しいパスワード",
                                   .type = PF_PASSWORD, .required = 1, .autocomplete = "new-password",
                                   .support = "12文字以上。その人のログインはすべて終わります。"}};
  const char *done = req_query(r, "done"), *which = failed->code ? req_str(r, "form") : NULL;
  struct html h = {0};
  struct page pg = {.title = "職員のアカウント", .nav = "admin",
                    .flags = failed->code ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  html_printf(&h, "<p class=\"crumb\"><a href=\"/admin\">職員メニュー</a> › <a href=\"/admin/users\">利用者の管理</a></p>"
                  "<h1>%h（%h）</h1>", page_str(u, "name"), page_str(u, "system_id"));
  if (done) html_printf(&h, "<p class=\"note note-ok\" role=\"status\">%h</p>", done_text(done));
  html_raw(&h, "<h2>役割と所属</h2>");
  snprintf(action, sizeof action, "/admin/users/%s/role", page_str(u, "system_id"));
  int role_failed = which && !strcmp(which, "role");
  form(r, &h, action, rf, 2, role_failed ? r->json : u, role_failed ? failed : NULL, "変更する");
  html_raw(&h, "<h2>パスワードを設定し直す</h2>");
  snprintf(action, sizeof action, "/admin/users/%s/password", page_str(u, "system_id"));
  form(r, &h, action, pf, 1, NULL, which && !strcmp(which, "password") ? failed : NULL, "設定する");
  html_raw(&h, "<h2>二段階認証を解除する</h2><p>スマートフォンをなくしたときなどに。"
               "その人は次のログインからパスワードだけで入り、設定し直します。</p>");
  snprintf(action, sizeof action, "/admin/users/%s/totp-reset", page_str(u, "system_id"));
  page_form_begin(r, &h, "post", action);
  page_form_end(&h, "解除する");
  free(centers);
  json_decref(u);
  kerr_clear(failed);
  page_end(r, &h, &pg);
  return page_reply(r, status, &h);
}

/* GET /admin/users/{id} -> a staff, admin or analyst account: change the role
** and home centre, set a new password. Admins. */
struct reply web_people_user(struct req *r) {
  struct kerrinfo none = {0};
  return user_page(r, 200, &none);
}

/* After a change of the user of the path: 303 with DONE, or the page again. */
static struct reply after_change(struct req *r, int rc, struct kerrinfo *ei, const char *form_name,
                                 const char *done) {
  char to[96];
  if (rc == KERR_VALIDATION || rc == KERR_CONFLICT) {
    json_object_set_new(r->json, "form", json_string(form_name));
    return user_page(r, rc == KERR_VALIDATION ? 422 : 409, ei);
  }
  if (rc) return reply_core(r, rc, 0, NULL, ei);
  snprintf(to, sizeof to, "/admin/users/%s?done=%s", r->params[0], done);
  return reply_redirect(r, to);
}

/* POST /admin/users/{id}/role (form) role, center -> 303; 422/409 the page. Admins. */
struct reply web_people_user_role(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_sysid(r, 0);
  const char *center = req_str(r, "center");
  int rc = id ? users_set_role(&r->ctx, id, role_parse(req_str(r, "role")), center ? center : "",
                               &out, &ei)
              : KERR_NOT_FOUND;
  json_decref(out);
  return after_change(r, rc, &ei, "role", "role");
}

/* POST /admin/users/{id}/password (form) password -> 303; 422 the page. Admins. */
struct reply web_people_user_password(struct req *r) {
  struct kerrinfo ei = {0};
  int64_t id = req_path_sysid(r, 0);
  const char *pw = req_str(r, "password");
  int rc = id ? users_set_password(&r->ctx, id, pw ? pw : "", &ei) : KERR_NOT_FOUND;
  return after_change(r, rc, &ei, "password", "password");
}
