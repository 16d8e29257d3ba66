/*
** http/web_counter_register.c: 利用者の登録 (窓口), registering a citizen at
** the counter (see web_counter_register.h; docs/counter.md).
**
** Not everyone can sign up online: a person without internet or a phone
** asks at the counter. The clerk checks who they are from an identity
** document, types their details (the fields and checks of the online
** sign-up) and no password: the answer is a slip to print with the new
** 利用者番号 and a one-time code with which the person sets a password
** later, on /password-reset, as with the counter's reset slip. The clerk
** stays signed in as themself (/register would have signed them in as the
** new citizen).
**
** The answer to the post is the slip itself (200), not a redirect: the code
** can be shown only from the post. So the form carries a random key, and a
** reload of the slip (the browser posts the form again) or a double click
** shows the same slip, the same number and code, and makes no second
** account (core/accounts.c accounts_create_at_counter; core/lifecycle.c
** keeps the code sealed under the key, so only this page can show it again).
**
** The decisions are core's (lifecycle_sign_up, the one entry point of this
** form and of a clerk's POST /api/v1/accounts): who may, counter hours, the
** checks of each field, the code. This file adds only the clerk's tick that
** the person's identity was checked, as the reset slip's form does.
*/
#include "web_counter_register.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "../core/accounts.h"
#include "../core/desk.h"
#include "../core/ids.h"
#include "../core/lifecycle.h"
#include "../core/users.h"
#include "pages.h"
#include "reply.h"

static const struct page_option resident_options[] = {
    {"1", "はい (前橋市に住んでいる・働いている・学んでいる)", NULL},
    {"0", "いいえ", NULL},
};

static const struct page_option identity_options[] = {
    {"1", "本人確認書類 (運転免許証・マイナンバーカードなど) で、本人であることを確かめました", NULL}};

static const struct page_field register_fields[] = {
    {.name = "name", .label = "お名前", .type = PF_TEXT, .required = 1,
     .support = "本人確認書類のとおりに入力します。例: 前橋 花子", .autocomplete = "off",
     .maxlength = 100, .size = "m"},
    {.name = "name_kana", .label = "ふりがな", .type = PF_TEXT, .required = 1,
     .support = "ひらがなか、カタカナで入力してください。例: まえばし はなこ", .autocomplete = "off",
     .maxlength = 100, .size = "m"},
    {.name = "phone", .label = "電話番号", .type = PF_TEL, .required = PF_ONE_OF,
     .support = "電話番号かメールアドレスの、どちらか1つは必要です。固定電話でもかまいません。例: 027-123-4567",
     .autocomplete = "off", .maxlength = 20, .size = "m"},
    {.name = "email", .label = "メールアドレス", .type = PF_EMAIL, .required = PF_ONE_OF,
     .support = "電話番号かメールアドレスの、どちらか1つは必要です。例: hanako@example.jp",
     .autocomplete = "off", .maxlength = 254},
    {.name = "resident", .label = "前橋市に住んでいますか (または働いている・学んでいる)",
     .type = PF_RADIOS, .required = 0, .options = resident_options, .noptions = 2,
     .support = "選ばないときは「いいえ」になります。"},
    {.name = "identity", .label = "本人確認", .type = PF_CHECKBOXES, .required = 1,
     .options = identity_options, .noptions = 1},
};
#define NFIELDS ((int)(sizeof register_fields / sizeof register_fields[0]))

/* The form's key (core/accounts.c accounts_create_at_counter): a reload of
** the slip posts the form again, and the key makes that post show the same
** slip instead of registering the person twice. A form shown again after a
** refusal keeps the key of VALUES (nothing was made with it), unless FRESH
** (after 409, the key already made another account; after 400, it was no
** key of ours): a new one then. */
static void form_key(struct html *h, const json_t *values, int fresh) {
  const char *kept = json_string_value(json_object_get(values, "idempotency_key"));
  char key[33];
  unsigned char raw[16];
  if (kept && accounts_key_valid(kept) && !fresh) {
    html_printf(h, "<input type=\"hidden\" name=\"idempotency_key\" value=\"%h\">", kept);
    return;
  }
  randombytes_buf(raw, sizeof raw);
  sodium_bin2hex(key, sizeof key, raw, sizeof raw);
  html_printf(h, "<input type=\"hidden\" name=\"idempotency_key\" value=\"%h\">", key);
}

/* The form with STATUS, after a refused post with VALUES and the error in EI
** (both NULL for a new form; a message that belongs to no field goes into
** the summary). While the counter is closed there is no form, only why
** (what a post would be refused with). */
static struct reply form_page(struct req *r, unsigned status, const json_t *values,
                              const struct kerrinfo *ei, int fresh) {
  struct kerrinfo shut = {0};
  int closed = desk_check_open(&r->ctx, &shut) != 0;
  int failed = ei && ei->code;
  const char *message = failed && !ei->fields ? (ei->message[0] ? ei->message : kerr_message(ei->code)) : NULL;
  struct page_form fm = {.values = values, .errors = failed ? ei->fields : NULL};
  struct html h = {0};
  struct page pg = {.title = "利用者の登録 (窓口)", .nav = "admin", .flags = failed ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  html_raw(&h, "<p class=\"crumb\"><a href=\"/counter\">窓口に戻る</a></p><h1>利用者の登録 (窓口)</h1>");
  if (failed) page_error_summary_msg(&h, message, register_fields, NFIELDS, &fm);
  html_raw(&h, "<p class=\"lead\">インターネットや携帯電話を使わない人も、窓口で利用者番号を作れます。"
               "1つの番号で、すべての公民館を使えます。</p>"
               "<p>運転免許証などの本人確認書類で本人であることを確かめてから、書類のとおりに入力してください。"
               "<strong>パスワードは入力しません。</strong>登録すると、利用者番号と、本人があとでパスワードを"
               "決めるためのコード (30日間有効) を印刷する画面になります。</p>"
               "<p>1人に1つの番号です。すでに番号を持っている人には作らないでください "
               "(番号を忘れた人は、管理者が名前で探せます)。</p>");
  if (closed && !(failed && ei->code == KERR_COUNTER_HOURS))
    html_printf(&h, "<p class=\"note note-warn\" role=\"status\">%h</p>", shut.message);
  if (!closed) {
    page_form_begin(r, &h, "post", "/counter/register");
    form_key(&h, values, fresh);
    for (int i = 0; i < NFIELDS; i++) page_field(&h, &register_fields[i], &fm);
    page_form_end(&h, "登録して利用者番号を発行する");
  }
  kerr_clear(&shut);
  page_end(r, &h, &pg);
  return page_reply(r, status, &h);
}

/* GET /counter/register -> 200 the form (name, name_kana, phone, email,
** resident, identity) with a new key each time; while the counter is closed,
** why, and no form. Staff, admin. */
struct reply web_counter_register(struct req *r) { return form_page(r, 200, NULL, NULL, 0); }

/* The code's line on the slip S. */
static void code_fact(struct html *h, const struct signup_slip *s, const char *until) {
  switch (s->code_state) {
  case SLIP_CODE_VALID:
    html_printf(h, "<div><dt>パスワードを決めるコード</dt><dd id=\"slip-code\"><strong>%h</strong></dd></div>"
                   "<div><dt>コードの有効期限</dt><dd>%h まで (一度だけ使えます)</dd></div>",
                s->code, until);
    break;
  case SLIP_CODE_USED:
    html_raw(h, "<div><dt>パスワードを決めるコード</dt><dd id=\"slip-code\">使用済み "
                "(本人がパスワードを決めました)</dd></div>");
    break;
  default:
    html_printf(h, "<div><dt>パスワードを決めるコード</dt><dd id=\"slip-code\">%s</dd></div>",
                s->code_state == SLIP_CODE_EXPIRED ? "有効期限が過ぎました" : "もう表示できません");
  }
}

/* The slip S to print for NAME: the new 利用者番号, the code and how to use
** them; above it (not printed) what was done and the ways on. */
static struct reply slip_page(struct req *r, const struct signup_slip *s, const char *name) {
  char shown[16], until[64];
  ids_format_spaced(s->system_id, shown);
  page_instant_label(s->expires_at, until, sizeof until);
  struct html h = {0};
  struct page pg = {.title = "利用者番号のお知らせ (お渡し用)", .nav = "admin"};
  page_begin(r, &h, &pg);
  html_raw(&h, "<p class=\"crumb no-print\"><a href=\"/counter\">窓口に戻る</a></p>");
  if (s->replayed)
    html_printf(&h, "<p class=\"note no-print\" role=\"status\">この登録は受け付け済みです。同じお知らせを"
                    "もう一度表示しています (新しい利用者番号は作っていません)。利用者番号 %h</p>",
                shown);
  else
    html_printf(&h, "<p class=\"note note-ok no-print\" role=\"status\">利用者を登録しました。利用者番号 %h。"
                    "このお知らせを印刷して、本人にお渡しください。</p>",
                shown);
  html_printf(&h, "<div class=\"receipt-slip\" id=\"register-slip\"><h1>利用者番号のお知らせ</h1>"
                  "<p class=\"slip-to\">%h 様</p>"
                  "<dl class=\"facts\"><div><dt>利用者番号</dt><dd class=\"slip-amount\" id=\"slip-system-id\">"
                  "<strong>%h</strong></dd></div>",
              name, shown);
  code_fact(&h, s, until);
  html_raw(&h, "</dl><h2>窓口や電話で予約するとき</h2>"
               "<p>この利用者番号を伝えてください。パスワードはいりません。</p>"
               "<h2>インターネットで予約するとき</h2><ol>"
               "<li>公民館予約のサイトの「パスワードを忘れたとき」(/password-reset) を開きます。</li>"
               "<li>「窓口で受け取ったコードで再設定する」に、利用者番号とこのコードと、自分で決めた"
               "パスワード (12文字以上) を入力します。</li>"
               "<li>そのあとは、利用者番号とパスワードでログインできます。</li></ol>"
               "<p>コードの期限が過ぎたときや、なくしたときは、本人確認書類を持って公民館の窓口に"
               "お越しください。新しいコードをお渡しします。</p>"
               "<p class=\"slip-issuer\">前橋市 公民館</p></div>"
               "<p class=\"no-print\">ブラウザの印刷で、このお知らせを印刷できます。</p>");
  html_printf(&h, "<ul class=\"links no-print\"><li><a href=\"/counter/book?on_behalf_of=%I\">"
                  "この人の代理の予約へ (利用者番号は入力してあります)</a></li>"
                  "<li><a href=\"/counter/register\">続けて別の人を登録する</a></li></ul>",
              (int64_t)s->system_id);
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}

/* A refused post (RC, the error in EI, which is cleared): the form again
** with what was typed and the errors, or the error page for the rest. */
static struct reply refused(struct req *r, int rc, struct kerrinfo *ei) {
  struct reply back;
  if (rc == KERR_VALIDATION || rc == KERR_CONFLICT || rc == KERR_BAD_REQUEST ||
      rc == KERR_COUNTER_HOURS)
    back = form_page(r, (unsigned)kerr_http_status(rc), r->json, ei,
                     rc == KERR_CONFLICT || rc == KERR_BAD_REQUEST);
  else
    back = reply_core(r, rc, 0, NULL, ei);
  kerr_clear(ei);
  return back;
}

/* POST /counter/register (form) name, name_kana, phone, email, resident,
** identity=1, idempotency_key, csrf_token
** -> 200 the slip to print (the 利用者番号, the one-time code, until when);
**    a repeated idempotency_key (a reload of the slip) the same slip again,
**    nothing stored; the form again with every error at its field and what
**    was typed (422 validation, identity not ticked included), 409 conflict
**    (the key used for other details: a fresh key), 400 a key not of ours,
**    422 outside_counter_hours (the page says why, no form). Nothing stored
**    on any error. Staff, admin; the clerk's session is unchanged. The one
**    entry point lifecycle_sign_up. */
struct reply web_counter_register_post(struct req *r) {
  struct kerrinfo ei = {0};
  struct signup_slip slip;
  int rc;
  /* a clerk types no password: the person sets it (any such field is dropped) */
  json_object_del(r->json, "password");
  const char *identity = req_str(r, "identity");
  if (!identity || strcmp(identity, "1") != 0) {
    /* every error at once: core's checks too, without writing */
    rc = accounts_check_at_counter(&r->ctx, r->json, &ei);
    if (rc && rc != KERR_VALIDATION) return refused(r, rc, &ei);
    kerr_field(&ei, "identity", "本人確認書類で本人であることを確かめてから、登録してください。");
    return refused(r, kerr_set(&ei, KERR_VALIDATION, NULL), &ei);
  }
  /* the form page's key, as sent: core refuses one that is not of ours */
  const char *key = req_str(r, "idempotency_key");
  rc = lifecycle_sign_up(&r->ctx, r->json, key && *key ? key : NULL, &slip, &ei);
  if (rc) return refused(r, rc, &ei);
  json_t *who = users_get(&r->ctx, slip.system_id);
  struct reply ret = slip_page(r, &slip, who ? page_str(who, "name") : "");
  json_decref(who);
  sodium_memzero(&slip, sizeof slip);
  return ret;
}
