/*
** http/web_totp.c: the staff second factor's pages (see web_totp.h); the
** decisions are core/totp.c's, the same as the API's.
*/
#include "web_totp.h"

#include <sodium.h>
#include <stdio.h>

#include "../core/totp.h"
#include "pages.h"
#include "qr.h"
#include "reply.h"

static const struct page_field code_field[] = {
    {.name = "code", .label = "確認コード", .type = PF_TEXT, .required = 1, .size = "s",
     .inputmode = "numeric", .maxlength = 6, .autocomplete = "one-time-code",
     .support = "認証アプリに出ている6けたの数字です。"}};

/* The page: the state, and (SETUP: the new secret, or NULL) the QR code; the
** confirm form while pending, with the errors of FAILED. */
static struct reply totp_page(struct req *r, unsigned status, const struct totp_setup *setup,
                              struct kerrinfo *failed) {
  struct kerrinfo ei = {0};
  struct totp_state st;
  int rc = totp_state_of(&r->ctx, &st, &ei);
  if (rc) {
    kerr_clear(failed);
    return reply_core(r, rc, 0, NULL, &ei);
  }
  int enabled = st.enabled, pending = st.pending;
  struct html h = {0};
  struct page pg = {.title = "二段階認証", .nav = "admin", .flags = failed->code ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  html_raw(&h, "<p class=\"crumb\"><a href=\"/admin\">職員メニュー</a></p><h1>二段階認証</h1>"
               "<p class=\"lead\">ログインのとき、パスワードに加えて、スマートフォンの認証アプリ"
               "（Google Authenticator、Microsoft Authenticator など）に出る6けたの確認コードを入力します。</p>");
  if (req_query(r, "done"))
    html_raw(&h, "<p class=\"note note-ok\" role=\"status\">二段階認証を設定しました。次のログインから確認コードを入力してください。</p>");
  if (st.required && !enabled)
    html_raw(&h, "<p class=\"note\">この市では職員に二段階認証が必要です。設定するまで、ほかの画面は使えません。</p>");
  if (enabled) {
    html_raw(&h, "<p>二段階認証は設定済みです。スマートフォンをなくしたときは、管理者に解除を頼んでください。</p>");
  } else if (setup) {
    const char *uri = setup->uri;
    html_raw(&h, "<h2>1. 認証アプリに登録する</h2><p>アプリでこのQRコードを読み取ります。"
                 "読み取れないときは、下のキーを手で入力してください（種類: 時間ベース）。</p>");
    qr_svg(&h, uri, "認証アプリに登録するQRコード");
    html_printf(&h, "<p>キー: <code>%h</code></p><p class=\"note\">このキーは今だけ表示します。"
                    "ほかの人に見せないでください。</p><h2>2. 確認コードを入力する</h2>",
                setup->secret);
  }
  if (!enabled && (setup || pending)) {
    struct page_form fm = {.errors = failed->fields};
    page_error_summary(&h, code_field, 1, &fm);
    page_form_begin(r, &h, "post", "/my/totp/confirm");
    page_field(&h, code_field, &fm);
    page_form_end(&h, "設定を終える");
  }
  if (!enabled) {
    html_raw(&h, pending || setup ? "<h2>最初からやり直す</h2><p>新しいキーを作ります。前のキーは使えなくなります。</p>"
                                  : "<h2>設定を始める</h2>");
    page_form_begin(r, &h, "post", "/my/totp");
    page_form_end(&h, pending || setup ? "新しいキーを作る" : "設定を始める");
  }

  kerr_clear(failed);
  page_end(r, &h, &pg);
  return page_reply(r, status, &h);
}

/* GET /my/totp -> the state and the next step. Staff, admins, analysts. */
struct reply web_totp(struct req *r) {
  struct kerrinfo none = {0};
  return totp_page(r, 200, NULL, &none);
}

/* POST /my/totp (form) -> 200 the page with the QR code and the key (shown
** only now); 409 already on. */
struct reply web_totp_start(struct req *r) {
  struct kerrinfo ei = {0};
  struct totp_setup setup;
  int rc = totp_start_setup(&r->ctx, &setup, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  struct reply rep = totp_page(r, 200, &setup, &ei);
  sodium_memzero(&setup, sizeof setup);
  return rep;
}

/* POST /my/totp/confirm (form) code -> 303 /my/totp?done=1; 422 the page. */
struct reply web_totp_confirm(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = totp_confirm(&r->ctx, r->json, &out, &ei);
  json_decref(out);
  if (rc == KERR_VALIDATION) return totp_page(r, 422, NULL, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  return reply_redirect(r, "/my/totp?done=1");
}

/* POST /admin/users/{id}/totp-reset (form) -> 303 /admin/users/{id}?done=totp. Admins. */
struct reply web_totp_reset(struct req *r) {
  struct kerrinfo ei = {0};
  char to[64];
  int64_t id = req_path_sysid(r, 0);
  int rc = id ? totp_reset(&r->ctx, id, &ei) : KERR_NOT_FOUND;
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  snprintf(to, sizeof to, "/admin/users/%s?done=totp", r->params[0]);
  return reply_redirect(r, to);
}
