/*
** http/web_account.c: signing up, signing in and signing out, as pages that
** work without JavaScript (see web_account.h; docs/web.md).
**
** The work is identity's (core/accounts.c): the same validation, throttling
** and session cookie as POST /api/v1/accounts and /api/v1/session. A
** password is never written back into a page, not even after a failed post.
** After signing in the browser goes where the person was going (next=, a
** path of this site only, never another site).
*/
#include "web_account.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/accounts.h"
#include "../core/ids.h"
#include "pages.h"
#include "reply.h"
#include "session.h"
#include "suspend.h"
#include "web_book.h"
#include "web_oidc.h"

#define NEXT_MAX 512

/* NEXT if it is a path of this site ("/..." but not "//..." nor "/\..."),
** else DFLT. */
static const char *safe_next(const char *next, const char *dflt) {
  if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strlen(next) >= NEXT_MAX)
    return dflt;
  for (const unsigned char *p = (const unsigned char *)next; *p; p++)
    if (*p < 0x20 || *p == 0x7f || *p == '\\') return dflt;
  return next;
}

const char *web_safe_next(const char *next, const char *dflt) { return safe_next(next, dflt); }

/* 1 if the post came from a page of another site. Sign-in and sign-up need
** no CSRF token (there is no session yet), but another site must not sign a
** browser into an account of its choosing (login CSRF): a browser says
** where a form post comes from in Origin, and that must be this host.
** No Origin (a program, an old browser) is let through. */
int web_cross_site(struct req *r) {
  const char *origin = req_header(r, "Origin"), *host = req_header(r, MHD_HTTP_HEADER_HOST);
  if (!origin || !host) return 0;
  const char *o = strstr(origin, "://");
  if (!o) return 1; /* "null" and anything else that names no site */
  return strcmp(o + 3, host) != 0;
}

/* Where a person goes after signing in when nothing else was asked for. */
static const char *home_of(int role) {
  return role == ROLE_CITIZEN ? "/my" : (role & ROLE_DESK) ? "/admin" : role == ROLE_ANALYST ? "/reports" : "/";
}

/* A copy of the body without the password fields, for showing a form again. */
static json_t *without_passwords(const json_t *in) {
  json_t *v = json_is_object(in) ? json_deep_copy(in) : json_object();
  if (v) {
    json_object_del(v, "password");
    json_object_del(v, "totp");
    json_object_del(v, "csrf_token");
  }
  return v;
}

/* Reply H (taken) with STATUS and, when COOKIE, the session cookie for
** TOKEN (or one that removes it, with TOKEN NULL). */
static struct reply page_with_cookie(struct req *r, unsigned status, struct html *h,
                                        int cookie, const char *token) {
  struct reply rep = page_reply(r, status, h);
  if (cookie && rep.resp && rep.status == status) session_set_cookie(rep.resp, token);
  return rep;
}

/* ============================================================= sign-in */

static const struct page_field signin_fields[] = {
  {.name = "system_id", .label = "利用者番号", .type = PF_TEXT, .required = 1,
   .support = "9けたの数字です。アカウント登録のときに表示された番号です。",
   .autocomplete = "username", .inputmode = "numeric", .maxlength = 20, .size = "m"},
  {.name = "password", .label = "パスワード", .type = PF_PASSWORD, .required = 1,
   .autocomplete = "current-password", .maxlength = 128, .size = "m"},
  {.name = "totp", .label = "確認コード", .type = PF_TEXT,
   .support = "二段階認証を設定した職員だけ: 認証アプリに出ている6けたの数字です。",
   .autocomplete = "one-time-code", .inputmode = "numeric", .maxlength = 6, .size = "s"},
};

static void signin_form(struct req *r, struct html *h, const struct page_form *fm,
                        const char *next, const char *button);

/* The message above a form for the error in EI (NULL: none, or one shown
** at its fields). */
static const char *form_message(const struct kerrinfo *ei) {
  if (!ei || !ei->code || ei->code == KERR_VALIDATION) return NULL;
  return ei->message[0] ? ei->message : kerr_message(ei->code);
}

static struct reply signin_page(struct req *r, unsigned status, const json_t *values,
                                   const struct kerrinfo *ei, const char *next, int expired) {
  struct page_form fm = {.values = values, .errors = ei ? ei->fields : NULL};
  int failed = ei && ei->code;
  const char *message = form_message(ei);
  struct html h = {0};
  struct page pg = {.title = "ログイン", .nav = "signin", .flags = failed ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  html_raw(&h, "<h1>ログイン</h1>");
  if (expired && !failed)
    html_raw(&h, "<p class=\"note\">一定時間操作がなかったため、ログアウトしました。"
                 "もう一度ログインしてください。</p>");
  page_error_summary_msg(&h, message, signin_fields, 3, &fm);
  html_raw(&h, "<p class=\"lead\">予約をするには、利用者番号とパスワードでログインします。</p>");
  web_book_going_to(r, &h, next);
  signin_form(r, &h, &fm, next, "ログインする");
  web_oidc_signin_button(&h, next);
  html_printf(&h, "<section aria-labelledby=\"new-title\"><h2 id=\"new-title\">はじめての方</h2>"
                  "<p>アカウントがない方は、先に登録してください。登録は無料です。</p>"
                  "<ul class=\"links\"><li><a href=\"/register?next=%u\">アカウントを登録する</a></li>"
                  "<li><a href=\"/password-reset\">パスワードを忘れたとき (再設定)</a></li>"
                  "<li><a href=\"/help#ask\">利用者番号を忘れたとき (公民館に問い合わせる)</a></li></ul>"
                  "</section>",
              next);
  page_end(r, &h, &pg);
  return page_reply(r, status, &h);
}

/* GET /signin[?next=PATH][&expired=1] -> 200 the sign-in form (system ID,
** password); someone already signed in goes straight to NEXT (303). Anyone. */
struct reply web_signin(struct req *r) {
  const char *next = safe_next(req_query(r, "next"), "");
  if (r->ctx.actor.role != ROLE_ANON)
    return reply_redirect(r, *next ? next : home_of(r->ctx.actor.role));
  const char *ex = req_query(r, "expired");
  return signin_page(r, 200, NULL, NULL, next, ex && !strcmp(ex, "1"));
}

/* POST /signin (form) system_id, password, next -> 303 to NEXT (default マイページ)
** with the session cookie set; 422 the form with per-field errors, 401 wrong ID
** or password, 429 / 503 with the message; the ID is kept, the password never;
** 403 for a post from another site (Origin). Anyone; no CSRF token (there is
** no session yet). */
struct reply web_signin_post(struct req *r) {
  struct kerrinfo ei = {0};
  struct session_new s;
  char addr[64];
  const char *next = safe_next(req_str(r, "next"), "");
  if (web_cross_site(r)) return reply_error(r, KERR_CSRF, NULL);
  session_client_addr(r, addr, sizeof addr);
  int rc = accounts_login(&r->ctx, r->json, addr, &s, &ei);
  if (!rc && !s.account_id) return suspend_undecided(r); /* right: the writer signs in */
  if (rc) {
    json_t *values = without_passwords(r->json);
    struct reply ret = signin_page(r, (unsigned)kerr_http_status(rc), values, &ei, next, 0);
    json_decref(values);
    kerr_clear(&ei);
    return ret;
  }
  struct reply rep = reply_redirect(r, *next ? next : home_of(s.role));
  if (rep.resp) session_set_cookie(rep.resp, s.token);
  sodium_memzero(&s, sizeof s);
  return rep;
}

/* POST /signout (form, csrf_token) -> 200 a page saying so, and the session
** cookie removed. Signed in. */
struct reply web_signout(struct req *r) {
  int bearer = 0;
  const char *token = session_token(r, &bearer);
  int rc = accounts_session_delete(&r->ctx, token);
  if (rc) return reply_error(r, rc, NULL);
  memset(&r->ctx.actor, 0, sizeof r->ctx.actor);
  r->ctx.actor.role = ROLE_ANON;
  r->csrf[0] = 0;
  struct html h = {0};
  struct page pg = {.title = "ログアウトしました"};
  page_begin(r, &h, &pg);
  html_raw(&h, "<h1>ログアウトしました</h1>"
               "<p class=\"lead\">ご利用ありがとうございました。共用のパソコンのときは、画面を閉じてください。</p>"
               "<ul class=\"links\"><li><a href=\"/\">トップページへ</a></li>"
               "<li><a href=\"/signin\">もう一度ログインする</a></li></ul>");
  page_end(r, &h, &pg);
  return page_with_cookie(r, 200, &h, 1, NULL);
}

/* ============================================================ register */

static const struct page_option resident_options[] = {
  {"1", "はい (前橋市に住んでいる・働いている・学んでいる)", NULL},
  {"0", "いいえ", NULL},
};

static const struct page_field register_fields[] = {
  {.name = "name", .label = "お名前", .type = PF_TEXT, .required = 1,
   .support = "例: 前橋 花子", .autocomplete = "name", .maxlength = 100, .size = "m"},
  {.name = "name_kana", .label = "ふりがな", .type = PF_TEXT, .required = 1,
   .support = "ひらがなか、カタカナで入力してください。例: まえばし はなこ",
   .maxlength = 100, .size = "m"},
  {.name = "phone", .label = "電話番号", .type = PF_TEL, .required = PF_ONE_OF,
   .support = "電話番号かメールアドレスの、どちらか1つは必要です。例: 027-123-4567",
   .autocomplete = "tel", .maxlength = 20, .size = "m"},
  {.name = "email", .label = "メールアドレス", .type = PF_EMAIL, .required = PF_ONE_OF,
   .support = "電話番号かメールアドレスの、どちらか1つは必要です。例: hanako@example.jp", .autocomplete = "email", .maxlength = 254},
  {.name = "resident", .label = "前橋市に住んでいますか (または働いている・学んでいる)",
   .type = PF_RADIOS, .required = 0, .options = resident_options, .noptions = 2,
   .support = "選ばないときは「いいえ」になります。"},
  {.name = "password", .label = "パスワード", .type = PF_PASSWORD, .required = 1,
   .support = "12文字以上にしてください。ほかのサービスと同じものは使わないでください。",
   .autocomplete = "new-password", .maxlength = 128, .size = "m"},
};
#define NREGISTER ((int)(sizeof register_fields / sizeof register_fields[0]))

static struct reply register_page(struct req *r, unsigned status, const json_t *values,
                                     const struct kerrinfo *ei, const char *next) {
  struct page_form fm = {.values = values, .errors = ei ? ei->fields : NULL};
  int failed = ei && ei->code;
  const char *message = form_message(ei);
  struct html h = {0};
  struct page pg = {.title = "アカウント登録", .nav = "register",
                    .flags = failed ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  html_raw(&h, "<h1>アカウント登録</h1>");
  page_error_summary_msg(&h, message, register_fields, NREGISTER, &fm);
  /* a clerk signing a citizen up here would be signed in as that citizen:
  ** web_register_post refuses it, so no form is offered */
  if (r->ctx.actor.role & (ROLE_DESK | ROLE_ANALYST)) {
    html_raw(&h, "<p class=\"note note-warn\" id=\"desk-register\">職員・管理者・分析担当のアカウントでは、"
                 "このページから利用者を登録できません。窓口で市民の利用者番号を作るときは、"
                 "<a href=\"/counter/register\">利用者の登録 (窓口)</a>を使ってください。</p>");
    page_end(r, &h, &pg);
    return page_reply(r, status, &h);
  }
  html_raw(&h, "<p class=\"lead\">登録すると、インターネットで公民館の部屋を予約できます。"
               "登録は無料です。1つのIDで、16のすべての公民館を使えます。</p>");
  web_register_form(r, &h, &fm, next, "登録する");
  html_printf(&h, "<p>すでにアカウントがある方は<a href=\"/signin?next=%u\">ログイン</a>してください。</p>",
              next);
  page_end(r, &h, &pg);
  return page_reply(r, status, &h);
}

void web_register_form(struct req *r, struct html *h, const struct page_form *fm,
                       const char *next, const char *button) {
  page_form_begin(r, h, "post", "/register");
  html_printf(h, "<input type=\"hidden\" name=\"next\" value=\"%h\">", next);
  for (int i = 0; i < NREGISTER; i++) page_field(h, &register_fields[i], fm);
  page_form_end(h, button);
}

void web_register_errors(struct html *h, const char *message, const struct page_form *fm) {
  page_error_summary_msg(h, message, register_fields, NREGISTER, fm);
}

static void signin_form(struct req *r, struct html *h, const struct page_form *fm,
                        const char *next, const char *button) {
  page_form_begin(r, h, "post", "/signin");
  html_printf(h, "<input type=\"hidden\" name=\"next\" value=\"%h\">", next);
  for (int i = 0; i < 3; i++) page_field(h, &signin_fields[i], fm);
  page_form_end(h, button);
}

/* GET /register[?next=PATH] -> 200 the sign-up form. Anyone. */
struct reply web_register(struct req *r) {
  return register_page(r, 200, NULL, NULL, safe_next(req_query(r, "next"), ""));
}

/* The new system ID, large, and the way on (SIGNED_IN: a link to NEXT, else to sign in). */
static struct reply registered_page(struct req *r, int64_t id, const char *next, int signed_in) {
  char shown[16];
  ids_format_spaced(id, shown);
  struct html h = {0};
  struct page pg = {.title = "アカウントを登録しました"};
  page_begin(r, &h, &pg);
  html_printf(&h, "<h1>アカウントを登録しました</h1>"
                  "<div class=\"receipt\"><p class=\"receipt-label\">あなたの利用者番号</p>"
                  "<p class=\"receipt-number\" id=\"system-id\">%h</p></div>"
                  "<p class=\"lead\"><strong>この番号は、ログインのときに使います。"
                  "メモをするか、この画面を印刷してください。</strong>"
                  "マイページにもいつも出ています。</p>"
                  "<p>公民館の窓口でも、この番号を伝えると手続きができます。</p>",
              shown);
  if (signed_in)
    html_printf(&h, "<p>ログインしました。</p><ul class=\"links\"><li><a class=\"button\" href=\"%h\">%s</a></li></ul>",
                *next ? next : "/my", *next ? "予約の続きへ進む" : "マイページへ進む");
  else
    html_printf(&h, "<ul class=\"links\"><li><a href=\"/signin?next=%u\">ログインする</a></li></ul>", next);
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}

/* POST /register (form) name, name_kana, phone, email, resident, password, next
** -> 303 to /register/done (signed in: the session cookie set), which shows
** the new system ID and a link on to NEXT (200 that page when the sign-in fails); 422 the form with every field error (the password is
** never shown again: for a sign-up on the way to a booking, NEXT "/book?...",
** on the page of the chosen slot, which still says it and carries it on);
** 429 / 503 busy. Anyone (a signed-in person's post carries
** the CSRF token, as every post does). */
struct reply web_register_post(struct req *r) {
  struct kerrinfo ei = {0};
  int64_t id = 0;
  const char *next = safe_next(req_str(r, "next"), "");
  if (web_cross_site(r)) return reply_error(r, KERR_CSRF, NULL);
  /* a clerk registering someone here would be signed out and in as them */
  if (r->ctx.actor.role & (ROLE_DESK | ROLE_ANALYST)) {
    kerr_set(&ei, KERR_FORBIDDEN,
             "職員・管理者・分析担当のアカウントでは、ここから利用者を登録できません"
             "（ログインしているアカウントが、登録した人に切り替わってしまいます）。"
             "窓口の「利用者の登録 (窓口)」(/counter/register) を使ってください。");
    struct reply ret = reply_error(r, KERR_FORBIDDEN, &ei);
    kerr_clear(&ei);
    return ret;
  }
  int rc = accounts_create(&r->ctx, r->json, ROLE_CITIZEN, NULL, ACCOUNT_SELF_SERVICE, &id, &ei);
  if (rc) {
    json_t *values = without_passwords(r->json);
    unsigned status = (unsigned)kerr_http_status(rc);
    struct reply ret;
    /* signing up on the way to a booking: the page of the chosen slot again,
    ** which still says what they are booking and carries it on */
    if (web_book_signup_again(r, next, status, values, ei.fields, form_message(&ei), &ret))
      ret = register_page(r, status, values, &ei, next);
    reply_retry_after(&ret, &ei); /* 429 or 503 */
    json_decref(values);
    kerr_clear(&ei);
    return ret;
  }
  /* Signed in at once: nobody should have to type the new ID a minute after
  ** seeing it for the first time. Then 303 to a page that shows it, so that a
  ** reload (or the back button) shows the ID again instead of re-posting. */
  char ids[16], addr[64];
  ids_format(id, ids);
  struct session_new s;
  memset(&s, 0, sizeof s);
  json_t *login = json_pack("{s:s, s:O}", "system_id", ids, "password",
                            json_object_get(r->json, "password"));
  session_client_addr(r, addr, sizeof addr);
  int signed_in = login && accounts_login(&r->ctx, login, addr, &s, &ei) == 0;
  json_decref(login);
  kerr_clear(&ei);
  if (!signed_in) return registered_page(r, id, next, 0);
  struct html to = {0};
  if (!strncmp(next, "/book?", 6)) {
    /* Signing up on the way to a booking: straight back to the booking form,
    ** which shows the new ID at its top (and again on a reload). */
    html_raw(&to, next);
    html_raw(&to, "&registered=1");
  } else {
    html_raw(&to, "/register/done");
    if (*next) {
      html_raw(&to, "?next=");
      html_url(&to, next);
    }
  }
  struct reply rep = to.oom ? reply_fail() : reply_redirect(r, to.p);
  html_free(&to);
  if (rep.resp) session_set_cookie(rep.resp, s.token);
  sodium_memzero(&s, sizeof s);
  return rep;
}

/* GET /register/done[?next=PATH] -> 200 the signed-in citizen's system ID,
** with a link on to NEXT (マイページ by default): the page after sign-up,
** which survives a reload. Citizens. */
struct reply web_register_done(struct req *r) {
  return registered_page(r, r->ctx.actor.account_id, safe_next(req_query(r, "next"), ""), 1);
}
