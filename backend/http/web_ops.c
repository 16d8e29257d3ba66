/*
** http/web_ops.c: operations pages (see web_ops.h). Each action is a plain
** form post with the CSRF token, answered with 303 (PRG); the decisions are
** core's (core/users.c, core/trail.c, core/lifecycle.c), the same as the API.
*/
#include "web_ops.h"

#include <stdio.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/ids.h"
#include "../core/lifecycle.h"
#include "../core/submissions.h"
#include "../core/trail.h"
#include "../core/users.h"
#include "pages.h"
#include "reply.h"
#include "session.h"

static struct reply core_error(struct req *r, int rc, struct kerrinfo *ei) {
  struct reply ret = reply_error(r, rc, ei);
  kerr_clear(ei);
  return ret;
}

static const char *role_label(int role) {
  switch (role) {
    case ROLE_CITIZEN: return "市民";
    case ROLE_STAFF: return "職員";
    case ROLE_ADMIN: return "管理者";
    case ROLE_ANALYST: return "分析担当";
    default: return "-";
  }
}

static const char *status_label(enum account_status s) {
  if (s == ACCOUNT_DISABLED) return "停止中";
  if (s == ACCOUNT_CLOSED) return "退会済み";
  return "有効";
}

/* ============================================================= users */

static const struct page_option role_options[] = {
    {"", "すべて", NULL},      {"staff", "職員", NULL},   {"admin", "管理者", NULL},
    {"analyst", "分析担当", NULL}, {"citizen", "市民", NULL}};
static const struct page_option status_options[] = {
    {"", "すべて", NULL}, {"active", "有効", NULL}, {"disabled", "停止中", NULL},
    {"closed", "退会済み", NULL}};

/* The search form of /admin/users: what was asked (the query) in its
** fields, and on a refused search each field's error under it, with the
** summary above linking to them. */
static void users_filters(struct req *r, struct html *h, const json_t *errors) {
  struct page_option centers[65] = {{"", "すべて", NULL}};
  int nc = 1;
  for (int c = 0; r->ctx.rb && c < r->ctx.rb->ncenters && nc < 65; c++, nc++)
    centers[nc] = (struct page_option){r->ctx.rb->centers[c].code, r->ctx.rb->centers[c].name, NULL};
  const struct page_field fields[] = {
      {.name = "q", .label = "名前・よみ・利用者番号", .type = PF_TEXT, .size = "m"},
      {.name = "role", .label = "役割", .type = PF_SELECT, .options = role_options, .noptions = 5},
      {.name = "center", .label = "所属", .type = PF_SELECT, .options = centers, .noptions = nc},
      {.name = "status", .label = "状態", .type = PF_SELECT, .options = status_options, .noptions = 4}};
  json_t *values = json_object();
  for (int i = 0; i < 4; i++) {
    const char *v = req_query(r, fields[i].name);
    if (v && values) json_object_set_new(values, fields[i].name, json_string(v));
  }
  struct page_form fm = {.values = values, .errors = errors};
  page_error_summary(h, fields, 4, &fm);
  page_form_begin(r, h, "get", "/admin/users");
  for (int i = 0; i < 4; i++) page_field(h, &fields[i], &fm);
  page_form_end(h, "探す");
  json_decref(values);
}

/* GET /admin/users?q=&role=&center=&status= -> the users with a disable or
** enable button each; an unknown role, centre or status is 422: the search
** form again with the error at its field, and no list. Admins (the search
** is in the audit trail). */
struct reply web_ops_users(struct req *r) {
  struct kerrinfo ei = {0};
  struct user_view *users = NULL;
  int n = 0;
  const char *q = req_query(r, "q"), *role = req_query(r, "role"), *done = req_query(r, "done");
  struct users_filter f = {.role = role && *role ? role_parse(role) : 0, .q = q,
                           .center = req_query(r, "center"), .status = req_query(r, "status")};
  if (role && *role && !f.role) f.role = -1; /* refused by the core at "role" */
  int rc = users_views(&r->ctx, &f, &users, &n, &ei);
  if (rc && !(rc == KERR_VALIDATION && ei.fields)) return core_error(r, rc, &ei);
  struct html h = {0};
  struct page pg = {.title = "利用者の管理", .nav = "admin", .flags = rc ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  html_raw(&h, "<p class=\"crumb\"><a href=\"/admin\">職員メニュー</a></p><h1>利用者の管理</h1>"
               "<p><a href=\"/admin/users/new\">職員・管理者・分析担当を登録する</a></p>");
  if (done) html_printf(&h, "<p class=\"note note-ok\" role=\"status\">%h</p>",
                        !strcmp(done, "disabled") ? "停止しました。その人のログインはすぐに終わりました。"
                                                  : "有効にしました。");
  users_filters(r, &h, rc ? ei.fields : NULL);
  kerr_clear(&ei);
  if (rc) { /* nothing was searched: no list that would read "nobody" */
    page_end(r, &h, &pg);
    return page_reply(r, 422, &h);
  }
  html_raw(&h, "<table class=\"table\"><caption>利用者</caption><thead><tr><th scope=\"col\">利用者番号</th>"
               "<th scope=\"col\">名前</th><th scope=\"col\">役割</th><th scope=\"col\">所属</th>"
               "<th scope=\"col\">状態</th><th scope=\"col\">操作</th></tr></thead><tbody>");
  for (int i = 0; i < n; i++) {
    const struct user_view *u = &users[i];
    char id[16], action[64];
    ids_format(u->id, id);
    int active = u->status == ACCOUNT_ACTIVE;
    if (u->role != ROLE_CITIZEN)
      html_printf(&h, "<tr><td><a href=\"/admin/users/%u\">%h</a></td>", id, id);
    else html_printf(&h, "<tr><td>%h</td>", id);
    const struct center *ce = u->center[0] ? rules_center(r->ctx.rb, u->center) : NULL;
    html_printf(&h, "<td>%h</td><td>%h</td><td>%h</td><td>%h</td><td>", u->name,
                role_label(u->role), ce ? ce->name : u->center, status_label(u->status));
    /* no button that can only fail: nobody may stop their own account */
    if (u->id == r->ctx.actor.account_id) html_raw(&h, "（ご自身）");
    else if (u->status != ACCOUNT_CLOSED) {
      snprintf(action, sizeof action, "/admin/users/%s/%s", id, active ? "disable" : "enable");
      page_form_begin(r, &h, "post", action);
      html_printf(&h, "<button class=\"button\" type=\"submit\" aria-label=\"%h を%s\">%s</button></form>",
                  u->name, active ? "停止" : "有効に", active ? "停止する" : "有効にする");
    }
    html_raw(&h, "</td></tr>");
  }
  html_raw(&h, "</tbody></table>");
  users_views_free(users, n);
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}

/* The page that asks before an account is stopped: who, what it does, and
** the same form again with confirm=1 (or back to the list). */
static struct reply disable_confirm(struct req *r, int64_t id) {
  json_t *u = users_get(&r->ctx, id);
  if (!u) return reply_error(r, KERR_NOT_FOUND, NULL);
  char sid[16], action[64];
  ids_format(id, sid);
  snprintf(action, sizeof action, "/admin/users/%s/disable", sid);
  struct html h = {0};
  struct page pg = {.title = "利用者を停止する", .nav = "admin"};
  page_begin(r, &h, &pg);
  html_printf(&h, "<p class=\"crumb\"><a href=\"/admin/users\">利用者の管理</a></p>"
                  "<h1>利用者を停止する</h1>"
                  "<p>%h さん (利用者番号 %h) を停止しますか。停止すると、その人はログインできなくなり、"
                  "いまログインしていれば、すぐに終わります。あとから「有効にする」で戻せます。</p>",
              page_str(u, "name"), sid);
  page_form_begin(r, &h, "post", action);
  html_raw(&h, "<input type=\"hidden\" name=\"confirm\" value=\"1\">"
               "<button class=\"button\" type=\"submit\">停止する</button></form>"
               "<p><a href=\"/admin/users\">停止しないで一覧に戻る</a></p>");
  json_decref(u);
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}

/* POST /admin/users/{id}/disable and /enable (form) -> 303 /admin/users?done=...;
** the error page on a refusal (409 oneself, 404). Stopping asks first: without
** confirm=1 the answer is a page that asks (one click on the list must not end
** someone's work). Admins. */
static struct reply set_disabled(struct req *r, int disabled) {
  struct kerrinfo ei = {0};
  int64_t id = req_path_sysid(r, 0);
  if (!id) return reply_error(r, KERR_NOT_FOUND, NULL);
  const char *confirm = req_str(r, "confirm");
  if (disabled && !(confirm && !strcmp(confirm, "1"))) return disable_confirm(r, id);
  int rc = users_set_disabled(&r->ctx, id, disabled, NULL, &ei);
  if (rc) return core_error(r, rc, &ei);
  return reply_redirect(r, disabled ? "/admin/users?done=disabled" : "/admin/users?done=enabled");
}

struct reply web_ops_user_disable(struct req *r) { return set_disabled(r, 1); }
struct reply web_ops_user_enable(struct req *r) { return set_disabled(r, 0); }

/* ============================================================= audit */

/* GET /admin/audit?from=D&to=D&actor=ID&action=A -> the audit trail with
** filters and a link to the same as CSV. Admins. */
struct reply web_ops_audit(struct req *r) {
  struct kerrinfo ei = {0};
  struct trail_entry *rows;
  int n;
  const char *from = req_query(r, "from"), *to = req_query(r, "to"),
             *actor = req_query(r, "actor"), *action = req_query(r, "action");
  struct trail_filter f = {.action = action, .limit = 300};
  if ((from && *from && date_parse(from, &f.from)) || (to && *to && date_parse(to, &f.to)) ||
      (actor && *actor && ids_parse(actor, &f.actor)))
    return page_error(r, 422, "日付は YYYY-MM-DD、職員は利用者番号（9けた）で指定してください。");
  int rc = trail_entries(&r->ctx, &f, &rows, &n, &ei);
  if (rc) return core_error(r, rc, &ei);
  struct html h = {0};
  struct page pg = {.title = "監査証跡", .nav = "admin"};
  page_begin(r, &h, &pg);
  html_raw(&h, "<p class=\"crumb\"><a href=\"/admin\">職員メニュー</a></p><h1>監査証跡</h1>"
               "<p class=\"lead\">職員・管理者の操作と、他の人の個人情報の閲覧の記録です（新しい順、300件まで）。</p>"
               "<form method=\"get\" action=\"/admin/audit\" class=\"filters\">");
  html_printf(&h, "<label for=\"f-from\">始めの日</label><input class=\"input\" type=\"date\" id=\"f-from\" name=\"from\" value=\"%h\">"
                  "<label for=\"f-to\">終わりの日</label><input class=\"input\" type=\"date\" id=\"f-to\" name=\"to\" value=\"%h\">"
                  "<label for=\"f-actor\">職員の利用者番号</label><input class=\"input\" id=\"f-actor\" name=\"actor\" value=\"%h\">"
                  "<label for=\"f-action\">操作</label><input class=\"input\" id=\"f-action\" name=\"action\" value=\"%h\">"
                  "<button class=\"button\" type=\"submit\">絞り込む</button></form>"
                  "<p><a href=\"/api/v1/audit?format=csv&amp;from=%u&amp;to=%u&amp;actor=%u&amp;action=%u\">CSVで保存</a></p>",
              from ? from : "", to ? to : "", actor ? actor : "", action ? action : "",
              from ? from : "", to ? to : "", actor ? actor : "", action ? action : "");
  html_raw(&h, "<table class=\"table\"><caption>記録</caption><thead><tr><th scope=\"col\">日時</th>"
               "<th scope=\"col\">職員</th><th scope=\"col\">役割・所属</th><th scope=\"col\">端末</th>"
               "<th scope=\"col\">操作</th><th scope=\"col\">対象</th></tr></thead><tbody>");
  for (int i = 0; i < n; i++) {
    const struct trail_entry *e = &rows[i];
    char at[64], who[16] = "";
    page_instant_label(e->at, at, sizeof at);
    if (e->actor_id) ids_format(e->actor_id, who);
    html_printf(&h, "<tr><td>%h</td><td>%h (%h)</td><td>%h %h</td><td>%h</td>", at, e->actor_name,
                who, e->actor_role, e->actor_center, e->address);
    /* the action in words, its code under it for the analyst (and the 操作 filter) */
    if (trail_action_known(e->action))
      html_printf(&h, "<td>%h<br><code>%h</code></td>", trail_action_label(e->action), e->action);
    else html_printf(&h, "<td><code>%h</code></td>", e->action);
    html_printf(&h, "<td>%h</td></tr>", e->target);
  }
  html_raw(&h, "</tbody></table>");
  trail_entries_free(rows, n);
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}

/* ======================================================== my privacy */

static const struct page_field close_fields[] = {
    {.name = "password", .label = "今のパスワード", .type = PF_PASSWORD, .required = 1,
     .support = "確認のため入力してください。", .autocomplete = "current-password"}};

static const struct page_option close_confirm_option[] = {{"1", "退会します (元に戻せません)", NULL}};
static const struct page_field close_card_fields[] = {
    {.name = "confirm", .label = "確認", .type = PF_CHECKBOXES, .required = 1,
     .options = close_confirm_option, .noptions = 1}};

/* The closing form: the password, or for an account made with the card (no
** password) a fresh card sign-in and a check box. */
static void close_form(struct req *r, struct html *h, const struct page_form *fm) {
  int64_t card_at;
  const struct page_field *f = close_fields;
  if (lifecycle_close_card_signin(&r->ctx, &card_at)) {
    f = close_card_fields;
    html_raw(h, "<p>この利用者番号は、マイナンバーカードで登録したので、パスワードがありません。"
                "本人の確認のため、マイナンバーカードでもう一度ログインしてから、15分以内に退会してください。</p>");
    if (card_at >= r->ctx.now - LIFECYCLE_CARD_RECENT) {
      char when[64];
      page_instant_label(card_at, when, sizeof when);
      html_printf(h, "<p class=\"note\">%h にマイナンバーカードでログインしたことを確認しました。</p>", when);
    } else {
      html_raw(h, "<p><a class=\"button button-secondary\" href=\"/auth/oidc/start?next=/my/privacy%23close\">"
                  "マイナンバーカードでもう一度ログインする</a></p>");
    }
  }
  page_error_summary(h, f, 1, fm);
  page_form_begin(r, h, "post", "/my/close");
  page_field(h, f, fm);
  page_form_end(h, "退会する");
}

/* The privacy page with the disclosure and the closing form (ERRORS: its field errors). */
static struct reply privacy_page(struct req *r, unsigned status, const json_t *errors) {
  struct kerrinfo ei = {0};
  struct trail_seen *seen;
  int n;
  int rc = trail_seen_list(&r->ctx, &seen, &n, &ei);
  if (rc) return core_error(r, rc, &ei);
  struct html h = {0};
  struct page_form fm = {.errors = errors};
  struct page pg = {.title = "個人情報と退会", .nav = "my", .flags = errors ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  html_raw(&h, "<p class=\"crumb\"><a href=\"/my\">マイページ</a></p><h1>個人情報と退会</h1>"
               "<h2>市の職員があなたの情報を見た記録</h2>"
               "<p>窓口や管理の仕事で、市の職員があなたの情報を表示したり手続きしたりした記録です"
               "（個人情報の開示）。公民館と役割、日時、何のためかを示します。</p>");
  if (!n) html_raw(&h, "<p>記録はありません。</p>");
  else html_raw(&h, "<table class=\"table\"><caption>閲覧・手続きの記録</caption><thead><tr>"
                    "<th scope=\"col\">日時</th><th scope=\"col\">公民館</th><th scope=\"col\">役割</th>"
                    "<th scope=\"col\">内容</th></tr></thead><tbody>");
  for (int i = 0; i < n; i++) {
    const struct trail_seen *e = &seen[i];
    char at[64];
    page_instant_label(e->at, at, sizeof at);
    const struct center *ce = rules_center(r->ctx.rb, e->center);
    html_printf(&h, "<tr><td>%h</td><td>%h</td><td>%h</td><td>%h</td></tr>", at,
                ce ? ce->name : e->center, role_parse(e->role) == ROLE_ADMIN ? "管理者" : "職員",
                trail_action_label(e->action));
  }
  if (n) html_raw(&h, "</tbody></table>");
  free(seen);
  html_raw(&h, "<h2 id=\"close\">退会する</h2>"
               "<p>退会すると、名前・よみ・メールアドレス・電話番号を消し、仮予約を取り消します。"
               "確定した予約と支払いの記録は、台帳と統計のために残ります（予約者は「退会済み」と表示）。"
               "会計の記録として5年間保存します。利用者番号はほかの人に使いません。"
               "退会すると、元に戻せません。</p>");
  close_form(r, &h, &fm);
  page_end(r, &h, &pg);
  return page_reply(r, status, &h);
}

/* GET /my/privacy -> who at the city looked at my data, and the closing form. Citizens. */
struct reply web_ops_privacy(struct req *r) { return privacy_page(r, 200, NULL); }

/* POST /my/close (form) password -> 303 /?closed=1 with the session cookie
** removed; 422/401 the page again with the error at the password. Citizens. */
struct reply web_ops_close(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = lifecycle_close(&r->ctx, r->json, &out, &ei);
  json_decref(out);
  if (rc == KERR_VALIDATION || rc == KERR_BAD_CREDENTIALS) {
    json_t *errs = ei.fields ? json_incref(ei.fields)
                             : json_pack("{s:s}", "password", "パスワードが違います。");
    kerr_clear(&ei);
    struct reply rep = privacy_page(r, rc == KERR_VALIDATION ? 422 : 401, errs);
    json_decref(errs);
    return rep;
  }
  if (rc) return core_error(r, rc, &ei);
  struct reply rep = reply_redirect(r, "/?closed=1");
  if (rep.resp) session_set_cookie(rep.resp, NULL);
  return rep;
}

/* ==================================================== password reset */

/* The page holds two forms (by mail, by the counter's code): each has its own
** 利用者番号 field, so the mail form's is named mail_system_id, giving every
** field of the page its own id (f-NAME) and label. */
static const struct page_field mail_fields[] = {
    {.name = "mail_system_id", .label = "利用者番号", .type = PF_TEXT, .required = 1,
     .support = "9けたの番号です。", .inputmode = "numeric", .size = "m"}};

static const struct page_field confirm_fields[] = {
    {.name = "system_id", .label = "利用者番号", .type = PF_TEXT, .required = 1,
     .inputmode = "numeric", .size = "m"},
    {.name = "code", .label = "再設定のコード", .type = PF_TEXT, .required = 1,
     .support = "窓口でお渡しした紙に書いてあるコードです（例: ABCD-EFGH-JKMN）。", .size = "m"},
    {.name = "password", .label = "新しいパスワード", .type = PF_PASSWORD, .required = 1,
     .support = "12文字以上。", .autocomplete = "new-password"}};

/* Which form of the reset pages was posted and refused. */
enum reset_form { RESET_NONE = 0, RESET_MAIL, RESET_CODE, RESET_LINK };

struct reset_state {
  const char *token;      /* a link's token: its new-password form; NULL: the two request forms */
  const char *done;       /* the request went through: what happens now, or NULL */
  enum reset_form failed; /* the refused form, whose ERRORS are shown at its fields */
  const char *error;      /* a refusal of no one field (a link that cannot be used), or NULL */
  const json_t *errors;   /* borrowed: {field: message}, or NULL */
};

/* The reset pages: the request forms (no token) or a link's new-password
** form, with the refusal of the form posted in a summary at the top and at
** its fields, and what was typed kept (never a password). */
static struct reply reset_page(struct req *r, unsigned status, const struct reset_state *st) {
  struct html h = {0};
  json_t *values = submission_scrub(r->json);
  struct page_form mail = {.values = values, .errors = st->failed == RESET_MAIL ? st->errors : NULL};
  struct page_form code = {.values = values, .errors = st->failed == RESET_MAIL ? NULL : st->errors};
  struct page pg = {.title = "パスワードの再設定", .flags = st->failed ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  html_raw(&h, "<h1>パスワードの再設定</h1>");
  if (st->failed == RESET_MAIL) page_error_summary_msg(&h, st->error, mail_fields, 1, &mail);
  else if (st->failed && st->token) page_error_summary_msg(&h, st->error, &confirm_fields[2], 1, &code);
  else if (st->failed) page_error_summary_msg(&h, st->error, confirm_fields, 3, &code);
  if (st->done) html_printf(&h, "<p class=\"note note-ok\" role=\"status\">%h</p>", st->done);
  if (st->token) {
    html_raw(&h, "<p>新しいパスワードを決めてください。設定すると、ほかの端末でのログインはすべて終わります。"
                 "このページは一度だけ、メールを送ってから30分のあいだ使えます。</p>");
    page_form_begin(r, &h, "post", "/password-reset/confirm");
    html_printf(&h, "<input type=\"hidden\" name=\"token\" value=\"%h\">", st->token);
    page_field(&h, &confirm_fields[2], &code);
    page_form_end(&h, "パスワードを設定する");
  } else {
    html_raw(&h, "<h2>メールで再設定する</h2><p>登録したメールアドレスに、30分有効なリンクを送ります。</p>");
    page_form_begin(r, &h, "post", "/password-reset");
    page_field(&h, &mail_fields[0], &mail);
    page_form_end(&h, "リンクを送る");
    html_raw(&h, "<h2>窓口で受け取ったコードで再設定する</h2><p>公民館の窓口で本人確認のうえ、"
                 "24時間有効なコードをお渡しします。利用者番号を忘れたときは"
                 "<a href=\"/forgotten-id\">メールで受け取れます</a>（窓口でもお尋ねください）。</p>");
    page_form_begin(r, &h, "post", "/password-reset/confirm");
    for (int i = 0; i < 3; i++) page_field(&h, &confirm_fields[i], &code);
    page_form_end(&h, "パスワードを設定する");
  }
  page_end(r, &h, &pg);
  json_decref(values);
  return page_reply(r, status, &h);
}

/* GET /password-reset and /password-reset/{token} -> the forms. Anyone. */
struct reply web_ops_reset_page(struct req *r) {
  static const char prefix[] = "/password-reset/";
  /* the prefix route captures no parameter: the token is the rest of the path */
  const char *token = strncmp(r->url, prefix, sizeof prefix - 1) ? "" : r->url + sizeof prefix - 1;
  struct reset_state st = {.token = *token ? token : NULL};
  return reset_page(r, 200, &st);
}

/* POST /password-reset (form) mail_system_id (system_id from a page of
** before it was renamed) -> 200 the same page and message whether or not the
** ID exists; 422 the page with the error at the field. Anyone. */
struct reply web_ops_reset_post(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *id = json_object_get(r->json, "mail_system_id");
  json_t *in = json_pack("{s:O?}", "system_id", id ? id : json_object_get(r->json, "system_id"));
  if (!in) return reply_error(r, KERR_INTERNAL, NULL);
  int rc = lifecycle_reset_request(&r->ctx, in, r->ctx.address, &ei);
  json_decref(in);
  if (rc == KERR_VALIDATION) {
    const char *msg = json_string_value(json_object_get(ei.fields, "system_id"));
    json_t *errs = json_pack("{s:s}", "mail_system_id", msg ? msg : kerr_message(rc));
    kerr_clear(&ei);
    struct reset_state st = {.failed = RESET_MAIL, .errors = errs};
    struct reply rep = reset_page(r, 422, &st);
    json_decref(errs);
    return rep;
  }
  if (rc) return core_error(r, rc, &ei);
  struct reset_state st = {
      .done = "登録されたメールアドレスがあれば、再設定のリンクを送りました（30分有効）。"};
  return reset_page(r, 200, &st);
}

/* POST /password-reset/confirm (form) token or system_id+code, password ->
** 303 /signin?reset=1; 422 the form again: a wrong, used or expired code at
** the code field; a link that cannot be used (expired, used, wrong) said at
** the top, over the forms to ask again; other errors at their fields. (The
** API answers those secrets 404 not_found.) Anyone. */
struct reply web_ops_reset_confirm(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = lifecycle_reset_confirm(&r->ctx, r->json, r->ctx.address, &out, &ei);
  json_decref(out);
  if (!rc) return reply_redirect(r, "/signin?reset=1");
  if (rc != KERR_VALIDATION && rc != KERR_NOT_FOUND) return core_error(r, rc, &ei);
  const char *token = json_string_value(json_object_get(r->json, "token"));
  int link = token && *token;
  struct reset_state st = {.failed = link ? RESET_LINK : RESET_CODE, .token = link ? token : NULL};
  json_t *errs = ei.fields ? json_incref(ei.fields) : NULL;
  if (rc == KERR_NOT_FOUND && link) {
    st.token = NULL; /* its form would only fail again */
    st.error = "このリンクは使えません（期限切れ、使用済み、または誤り）。"
               "下の「メールで再設定する」から、もう一度申し込んでください。";
  } else if (rc == KERR_NOT_FOUND) {
    json_decref(errs);
    errs = json_pack("{s:s}", "code",
                     "このコードは使えません（期限切れ、使用済み、または誤り）。"
                     "利用者番号とコードを、紙に書いてあるとおりに入力してください。"
                     "期限が切れたときは、窓口で新しいコードを受け取ってください。");
  }
  kerr_clear(&ei);
  st.errors = errs;
  struct reply rep = reset_page(r, 422, &st);
  json_decref(errs);
  return rep;
}
