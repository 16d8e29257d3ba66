/*
** http/web_oidc.c: the routes of the OpenID Connect sign-in (issue 17;
** docs/identity.md). The flow and every check are core/oidc.c's; this file
** carries the browser there and back: the short-lived flow cookie (its value
** only finds the server-side state, nonce and PKCE verifier), the session
** cookie on success exactly as for a password sign-in, and a page in plain
** Japanese for every failure, on which password sign-in is always offered.
*/
#include "web_oidc.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/ids.h"
#include "../core/oidc.h"
#include "pages.h"
#include "reply.h"
#include "session.h"
#include "web_account.h"

#define FLOW_COOKIE "kominkan_oidc"

/* The flow cookie for HANDLE on REP (NULL: one that removes it). It is sent
** only to /auth/oidc/ and lives as long as a flow may. */
static void flow_cookie(struct reply *rep, const char *handle) {
  char c[256];
  if (handle)
    snprintf(c, sizeof c, "%s=%s; Path=/auth/oidc/; Max-Age=%d; HttpOnly; SameSite=Lax%s", FLOW_COOKIE,
             handle, OIDC_FLOW_SECONDS, app.secure_cookies ? "; Secure" : "");
  else
    snprintf(c, sizeof c, "%s=; Path=/auth/oidc/; Max-Age=0; HttpOnly; SameSite=Lax%s", FLOW_COOKIE,
             app.secure_cookies ? "; Secure" : "");
  if (rep->resp) MHD_add_response_header(rep->resp, MHD_HTTP_HEADER_SET_COOKIE, c);
}

/* The page of a refused or failed sign-in: what happened, and the ways on. */
static struct reply failure_page(struct req *r, int rc, const struct kerrinfo *ei, int linking) {
  unsigned status = (unsigned)kerr_http_status(rc);
  const char *msg = ei->message[0] ? ei->message : kerr_message(rc);
  struct html h = {0};
  struct page pg = {.title = linking ? "マイナンバーカードを登録できませんでした"
                                     : "マイナンバーカードでログインできませんでした"};
  page_begin(r, &h, &pg);
  html_printf(&h, "<h1>%h</h1><p class=\"lead\" id=\"oidc-error\">%h</p>"
                  "<p>何も変更されていません。ログインもしていません。</p><ul class=\"links\">",
              pg.title, msg);
  if (linking) html_raw(&h, "<li><a href=\"/my\">マイページへ戻る</a></li>");
  else
    html_raw(&h, "<li><a href=\"/signin\">利用者番号とパスワードでログインする</a></li>"
                 "<li><a href=\"/auth/oidc/start\">もう一度マイナンバーカードでログインする</a></li>");
  html_raw(&h, "<li><a href=\"/help\">使い方・問い合わせ先</a></li></ul>");
  page_end(r, &h, &pg);
  struct reply rep = page_reply(r, status, &h);
  flow_cookie(&rep, NULL);
  return rep;
}

/* Start a flow (LINK: the signed-in account's) and send the browser on. */
static struct reply start(struct req *r, const char *next, int64_t link) {
  struct kerrinfo ei = {0};
  char handle[64], *url = NULL;
  int rc = oidc_begin(&r->ctx, next, link, handle, &url, &ei);
  if (rc) {
    struct reply ret = rc == KERR_NOT_FOUND ? reply_error(r, rc, NULL) : failure_page(r, rc, &ei, link != 0);
    kerr_clear(&ei);
    return ret;
  }
  struct reply rep;
  if (link) { /* a page with a link on: the pages' CSP (form-action 'self') stops a form
              ** post from being redirected to another site */
    struct html h = {0};
    struct page pg = {.title = "マイナンバーカードの登録", .nav = "my"};
    page_begin(r, &h, &pg);
    html_printf(&h, "<h1>マイナンバーカードの登録</h1>"
                    "<p class=\"lead\">次の画面（デジタル認証アプリ）でマイナンバーカードを読み取り、"
                    "氏名・住所・生年月日を公民館予約に伝えることに同意してください。終わるとマイページに戻ります。</p>"
                    "<p>マイナンバー（個人番号）そのものは受け取りません。10分以内に進んでください。</p>"
                    "<ul class=\"links\"><li><a class=\"button\" id=\"oidc-continue\" href=\"%h\">"
                    "マイナンバーカードの読み取りへ進む</a></li><li><a href=\"/my\">やめてマイページへ戻る</a></li></ul>",
                url);
    page_end(r, &h, &pg);
    rep = page_reply(r, 200, &h);
  } else {
    rep = reply_redirect(r, url);
    rep.status = 302;
  }
  free(url);
  flow_cookie(&rep, handle);
  sodium_memzero(handle, sizeof handle);
  return rep;
}

/* GET /auth/oidc/start[?next=PATH] -> 302 to the provider's authorization
** endpoint (code flow, PKCE S256, state, nonce, scopes openid profile
** address) with the flow cookie; 404 when OpenID Connect is off; 502 a page
** when the provider does not answer. Anyone. */
struct reply web_oidc_start(struct req *r) {
  return start(r, web_safe_next(req_query(r, "next"), ""), 0);
}

/* POST /my/oidc/link (form, csrf_token) -> 200 a page whose link goes on to
** the provider, to link a card to the signed-in account; it comes back to
** /my. Citizens. */
struct reply web_oidc_link(struct req *r) { return start(r, "/my", r->ctx.actor.account_id); }

/* GET /auth/oidc/callback?state=..&code=..|error=.. (with the flow cookie)
** -> 303 to NEXT (default マイページ; a new citizen to /register/done) with
** the session cookie; a link flow -> 303 /my?card=linked. Every failure:
** 400/403/409/502 a page saying why, the flow cookie removed, nobody signed
** in. Anyone. */
struct reply web_oidc_callback(struct req *r) {
  struct kerrinfo ei = {0};
  struct oidc_done d;
  struct oidc_callback cb = {
      .handle = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, FLOW_COOKIE),
      .state = req_query(r, "state"), .code = req_query(r, "code"), .error = req_query(r, "error")};
  int rc = oidc_finish(&r->ctx, &cb, &d, &ei);
  if (rc) {
    /* a link flow is told by who is signed in: the failure page leads back to /my */
    struct reply ret = failure_page(r, rc, &ei, r->ctx.actor.role == ROLE_CITIZEN);
    kerr_clear(&ei);
    return ret;
  }
  char where[600];
  if (d.linked) snprintf(where, sizeof where, "/my?card=linked");
  else if (d.created) snprintf(where, sizeof where, "/register/done");
  else snprintf(where, sizeof where, "%s", d.next[0] ? d.next : d.role == ROLE_CITIZEN ? "/my" : "/");
  if (d.created && d.next[0]) { /* NEXT as a query value: percent-encode it */
    struct html q = {0};
    html_printf(&q, "/register/done?next=%u", d.next);
    snprintf(where, sizeof where, "%s", q.p ? q.p : "/register/done");
    html_free(&q);
  }
  struct reply rep = reply_redirect(r, where);
  if (!d.linked && rep.resp) session_set_cookie(rep.resp, d.session.token);
  flow_cookie(&rep, NULL);
  sodium_memzero(&d, sizeof d);
  return rep;
}

/* POST /my/oidc/unlink (form, csrf_token) -> 303 /my?card=unlinked: the card
** link and the verified attributes are removed. 404 a page when no card was
** linked. Citizens. */
struct reply web_oidc_unlink(struct req *r) {
  struct kerrinfo ei = {0};
  int rc = oidc_unlink(&r->ctx, r->ctx.actor.account_id, &ei);
  if (rc) return reply_error(r, rc, &ei);
  return reply_redirect(r, "/my?card=unlinked");
}

void web_oidc_signin_button(struct html *h, const char *next) {
  if (!oidc_enabled()) return;
  html_printf(h, "<section aria-labelledby=\"card-title\"><h2 id=\"card-title\">マイナンバーカードでログイン</h2>"
                 "<p>デジタル認証アプリでマイナンバーカードを読み取って、パスワードなしでログインできます。"
                 "はじめての方は、カードの氏名と住所で利用者登録もできます。</p>"
                 "<ul class=\"links\"><li><a class=\"button\" id=\"oidc-signin\" href=\"/auth/oidc/start%s%u\">"
                 "マイナンバーカードでログイン</a></li></ul></section>",
              next && *next ? "?next=" : "", next && *next ? next : "");
}

void web_oidc_my_section(struct req *r, struct html *h) {
  struct oidc_identity v;
  if (oidc_identity_get(&r->ctx, r->ctx.actor.account_id, &v)) return;
  if (!v.verified && !oidc_enabled()) return;
  const char *card = req_query(r, "card");
  html_raw(h, "<section aria-labelledby=\"identity-title\"><h2 id=\"identity-title\">本人確認 (マイナンバーカード)</h2>");
  if (card && !strcmp(card, "linked"))
    html_raw(h, "<p class=\"note\" role=\"status\">マイナンバーカードを登録しました。次からカードでログインできます。</p>");
  else if (card && !strcmp(card, "unlinked"))
    html_raw(h, "<p class=\"note\" role=\"status\">マイナンバーカードの登録を解除しました。</p>");
  if (v.verified) {
    char on[32];
    oidc_verified_label(v.verified_at, on, sizeof on);
    html_printf(h, "<p id=\"identity-status\">本人確認済み（マイナンバーカード、%h）</p>", on);
    if (v.resident) html_printf(h, "<p id=\"identity-resident\">市内在住（確認済み、%h）</p>", on);
    else html_raw(h, "<p id=\"identity-resident\">カードの住所は前橋市外です。</p>");
  } else
    html_raw(h, "<p id=\"identity-status\">まだ本人確認をしていません。マイナンバーカードを登録すると、"
                "パスワードなしでログインでき、市内在住が確認済みになります。</p>");
  if (v.linked && accounts_no_password(r->ctx.db, r->ctx.actor.account_id)) {
    html_raw(h, "<p id=\"identity-card-only\">この利用者番号は、マイナンバーカードで登録したので、パスワードがありません。"
                "カードを更新したとき（新しいカード）は、公民館の窓口で再設定コードを受け取り、パスワードを"
                "決めてからログインして、もう一度カードを登録してください。</p>");
  } else if (v.linked) {
    page_form_begin(r, h, "post", "/my/oidc/unlink");
    page_form_end(h, "マイナンバーカードの登録を解除する");
    html_raw(h, "<p>カードを更新したとき（新しいカード）は、利用者番号とパスワードでログインしてから、"
                "もう一度「マイナンバーカードを登録する」を押してください。</p>");
  }
  if (oidc_enabled() && !v.linked) {
    page_form_begin(r, h, "post", "/my/oidc/link");
    page_form_end(h, "マイナンバーカードを登録する");
  } else if (oidc_enabled()) {
    page_form_begin(r, h, "post", "/my/oidc/link");
    page_form_end(h, "新しいカードを登録し直す");
  }
  html_raw(h, "<p>マイナンバー（個人番号）そのものは受け取らず、記録もしません。</p></section>");
}

void web_oidc_counter_fact(struct req *r, struct html *h, const char *system_id, int div) {
  int64_t id = 0;
  struct oidc_identity v;
  if (!system_id || ids_parse(system_id, &id) || oidc_identity_get(&r->ctx, id, &v) || !v.verified) return;
  char on[32];
  oidc_verified_label(v.verified_at, on, sizeof on);
  html_printf(h, "%s<dt>本人確認</dt><dd class=\"verified\">本人確認済み（マイナンバーカード、%h）%s</dd>%s",
              div ? "<div>" : "", on, v.resident ? "・市内在住" : "", div ? "</div>" : "");
}
