/*
** http/web_my.c: マイページ: a citizen's bookings, one booking with its
** confirmation and cancellation, and the digital permit with its QR code
** (see web_my.h; docs/web.md).
**
** Everything here is the person's own (core/bookings.c decides who sees
** what: another person's booking does not exist, 404). Deadlines are stated
** with their exact date and time; nothing is done by a link, only by a form
** post that carries the CSRF token.
*/
#include "web_my.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/bookings.h"
#include "../core/desk.h"
#include "../core/clock.h"
#include "../core/ids.h"
#include "../core/permits.h"
#include "../core/submissions.h"
#include "api_mail.h"
#include "forms.h"
#include "pages.h"
#include "qr.h"
#include "reply.h"
#include "web_book.h"
#include "web_closures.h"
#include "web_groups.h"
#include "web_oidc.h"

const char *web_my_status_label(enum booking_status s) {
  switch (s) {
  case BOOKING_HELD: return "仮予約 (まだ確定していません)";
  case BOOKING_CONFIRMED: return "確定";
  case BOOKING_CANCELLED: return "取り消し済み";
  case BOOKING_LAPSED: return "期限切れ (仮予約が取り消されました)";
  case BOOKING_CHECKED_IN: return "利用済み";
  case BOOKING_NO_SHOW: return "来館なし";
  default: return booking_status_name(s);
  }
}

/* When V's time ends (the end of its last slot), or 0 when unknown. */
static int64_t use_end(const struct booking_view *v) {
  int32_t day;
  if (strlen(v->end) != 5 || date_parse(v->b.date, &day)) return 0;
  return clock_local(day, time_parse_hhmm(v->end));
}

/* 1 when V is checked in and its time is not over yet: in use now (or
** checked in early). */
static int in_use(struct req *r, const struct booking_view *v) {
  int64_t end = use_end(v);
  return v->status == BOOKING_CHECKED_IN && (!end || r->ctx.now < end);
}

/* 1 when B is still to come or under way: used on TODAY ("YYYY-MM-DD") or
** later, and still holding its slots (held or confirmed); or checked in and
** its time not over (利用中 stays with the current ones until it ends). */
static int coming(struct req *r, const struct booking_view *v, const char *today) {
  return (strcmp(v->b.date, today) >= 0 && booking_status_active(v->status)) || in_use(r, v);
}

/* V's state in words: a checked-in booking is 利用中 until its time ends. */
static const char *status_label(struct req *r, const struct booking_view *v) {
  return in_use(r, v) ? "利用中 (入館済み)" : web_my_status_label(v->status);
}

/* "6月10日（水） 午前・午後 (9:00〜17:00)" of booking V. */
static void when_label(struct req *r, const struct booking_view *v, char *out, size_t n) {
  int32_t day = 0;
  char dl[48], sl[200];
  date_parse(v->b.date, &day);
  page_date_label(day, 1, dl, sizeof dl);
  web_book_slots_text(rules_in_force(r->ctx.rb, day), v->b.slots, v->start, v->end, sl, sizeof sl);
  snprintf(out, n, "%s %s", dl, sl);
}

/* "6月10日（水） まで" and whether that day is past: the last day V may be
** cancelled free, into DL. */
static int free_until_label(struct req *r, const struct booking_view *v, char *dl, size_t n) {
  page_date_label(v->free_until, 1, dl, n);
  return clock_today(r->ctx.now) > v->free_until;
}

/* =========================================================== the list */

/* When the hold V lapses, in words ("-" when it has no expiry). */
static void hold_until(const struct booking_view *v, char *out, size_t n) {
  if (v->b.status == BOOKING_HELD && v->b.hold_expires_at)
    page_instant_label(v->b.hold_expires_at, out, n);
  else
    snprintf(out, n, "-");
}

static void booking_card(struct req *r, struct html *h, const struct booking_view *v) {
  char when[300], yen[32];
  int64_t id = v->b.id;
  enum booking_status status = v->status;
  when_label(r, v, when, sizeof when);
  page_yen(v->b.fee_total, yen, sizeof yen);
  html_printf(h, "<li class=\"card booking-card\"><h3>%h</h3><dl class=\"facts\">"
                 "<div><dt>公民館・部屋</dt><dd>%h %h</dd></div>"
                 "<div><dt>状態</dt><dd class=\"status status-%h\">%h</dd></div>",
              when, v->room ? v->room->center->name : "", v->room ? v->room->name : "",
              booking_status_name(status), status_label(r, v));
  /* called off: what it came to, as the counter shows it; else its fee */
  if (!web_book_called_off_row(r, h, &v->b, status))
    html_printf(h, "<div><dt>使用料</dt><dd>%h</dd></div>", yen);
  if (status == BOOKING_HELD) {
    char until[64];
    hold_until(v, until, sizeof until);
    html_printf(h, "<div><dt>確定の期限</dt><dd><strong>%h まで</strong></dd></div>", until);
  }
  if (v->has_terms && status == BOOKING_CONFIRMED) {
    char dl[48];
    if (free_until_label(r, v, dl, sizeof dl)) /* never a free period already ended (point 5) */
      html_printf(h, "<div><dt>無料で取り消せる期限</dt><dd>%h (過ぎています)</dd></div>", dl);
    else
      html_printf(h, "<div><dt>無料で取り消せる期限</dt><dd>%h まで</dd></div>", dl);
  }
  html_printf(h, "</dl><p><a href=\"/my/bookings/%I\">予約番号 %I の詳しい内容%s</a></p></li>", id, id,
              status == BOOKING_HELD        ? "・確定する"
              : status == BOOKING_CONFIRMED ? "・許可書・取り消し"
                                            : "");
}

/* GET /my -> 200 マイページ: the person's bookings and their groups'
** (coming ones first, each with state, fee and, for a hold, its expiry),
** and links to groups and exemptions. Citizens. */
struct reply web_my(struct req *r) {
  struct kerrinfo ei = {0};
  struct booking_view *list = NULL;
  int n = 0;
  /* the bookings of the last year and those to come: a page whose size does
  ** not grow with the years (the API lists them all) */
  int rc = booking_views_mine_since(&r->ctx, clock_today(r->ctx.now) - 365, &list, &n, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  char today[11];
  date_format(clock_today(r->ctx.now), today);
  int ncoming = 0, other = 0;
  for (int i = 0; i < n; i++) {
    if (coming(r, &list[i], today)) ncoming++;
    else other++;
  }
  struct html h = {0};
  struct page pg = {.title = "マイページ", .nav = "my"};
  page_begin(r, &h, &pg);
  char shown[16];
  ids_format_spaced(r->ctx.actor.account_id, shown);
  html_printf(&h, "<h1>マイページ</h1><p class=\"my-id\">あなたの利用者番号: "
                  "<strong id=\"system-id\">%h</strong> (ログインや、窓口での手続きに使う番号です)</p>",
              shown);
  html_raw(&h, "<ul class=\"links inline-links\"><li><a href=\"/availability\">部屋をさがして予約する</a></li>"
               "<li><a href=\"/my/groups\">団体の登録・減免の申請</a></li>"
               "<li><a href=\"/my/courses\">講座の申し込み</a></li>"
               "<li><a href=\"/my/rounds\">部屋の抽選の申し込み (団体)</a></li>"
               "<li><a href=\"/my/profile\">登録内容 (名前・メール・電話) の変更</a></li>"
               "<li><a href=\"/my/mail\">お知らせメールの設定</a></li>"
               "<li><a href=\"/my/privacy\">個人情報 (職員が見た記録)・退会</a></li></ul>");
  web_mail_notice(r, &h);
  web_invitations_section(r, &h);
  web_closure_notices(r, &h);
  web_oidc_my_section(r, &h);
  html_raw(&h, "<section aria-labelledby=\"coming-title\"><h2 id=\"coming-title\">これからの予約</h2>");
  if (!ncoming) html_raw(&h, "<p>これからの予約はありません。</p>");
  else {
    html_raw(&h, "<ul class=\"cards\">");
    for (int i = 0; i < n; i++)
      if (coming(r, &list[i], today)) booking_card(r, &h, &list[i]);
    html_raw(&h, "</ul>");
  }
  html_raw(&h, "</section>");
  if (other) {
    html_raw(&h, "<section aria-labelledby=\"past-title\"><h2 id=\"past-title\">終わった予約・取り消した予約</h2>"
                 "<p>この1年の分です。</p><ul class=\"cards\">");
    for (int i = 0; i < n; i++)
      if (!coming(r, &list[i], today)) booking_card(r, &h, &list[i]);
    html_raw(&h, "</ul></section>");
  }
  page_end(r, &h, &pg);
  free(list);
  return page_reply(r, 200, &h);
}

/* ======================================================= one booking */

/* The cancellation terms of B as of now, in one sentence; *CAN says whether
** the holder may still cancel online. */
static void cancel_now(struct req *r, const struct booking_view *v, struct html *h, int *can) {
  *can = 0;
  if (!v->has_terms) return;
  if (v->status == BOOKING_HELD) {
    *can = 1;
    html_raw(h, "<p>仮予約は、いつでも無料で取り消せます。</p>");
    return;
  }
  int32_t day = 0;
  date_parse(v->b.date, &day);
  char dl[48], yen[32];
  int past = free_until_label(r, v, dl, sizeof dl);
  /* the use has started: the holder cannot cancel online (bookings.c) */
  int64_t start = 0;
  if (strlen(v->start) == 5) start = clock_local(day, time_parse_hhmm(v->start));
  if (start && r->ctx.now >= start) {
    html_raw(h, "<p>利用が始まった予約は、オンラインでは取り消せません。公民館の窓口に相談してください。</p>");
    return;
  }
  if (!past) {
    *can = 1;
    html_printf(h, "<p>いま取り消すと<strong>無料</strong>です。無料で取り消せるのは <strong>%h</strong> までです。</p>", dl);
  } else if (v->refused_after_deadline) {
    html_printf(h, "<p>取り消しの期限 (%h) を過ぎたため、オンラインでは取り消せません。公民館の窓口に相談してください。</p>", dl);
  } else {
    *can = 1;
    page_yen(v->fee_after_deadline, yen, sizeof yen);
    html_printf(h, "<p>無料で取り消せる期限 (%h) を過ぎています。いま取り消すと、<strong>取消料 %h</strong> がかかります。</p>",
                dl, yen);
  }
}

static struct reply booking_page(struct req *r, unsigned status, const struct booking_view *v,
                                 const char *flash, const char *error) {
  const struct booking *b = &v->b;
  int64_t id = b->id;
  enum booking_status st = v->status;
  char title[64], idtext[24], receipt[SUBMISSION_RECEIPT_LEN];
  snprintf(title, sizeof title, "予約番号 %lld", (long long)id);
  snprintf(idtext, sizeof idtext, "%lld", (long long)id);
  submission_receipt_of(&r->ctx, "booking", idtext, receipt);

  struct html h = {0};
  struct page pg = {.title = title, .nav = "my"};
  page_begin(r, &h, &pg);
  html_printf(&h, "<p class=\"crumb\"><a href=\"/my\">マイページ</a></p><h1>%h</h1>", title);
  if (error)
    html_printf(&h, "<section class=\"error-summary\" aria-labelledby=\"error-summary-title\">"
                    "<h2 id=\"error-summary-title\">できませんでした</h2><p class=\"error-message\">%h</p></section>",
                error);
  if (flash) html_printf(&h, "<p class=\"note note-ok\" role=\"status\">%h</p>", flash);
  html_printf(&h, "<dl class=\"facts card-facts\"><div><dt>状態</dt><dd class=\"status status-%h\"><strong>%h</strong></dd></div>",
              booking_status_name(st), status_label(r, v));
  /* the citizen sees one number, the 予約番号 (issue 13 point 7); the form's
  ** receipt number is for the counter, which may be asked about a form */
  if (receipt[0] && desk_is_staff(&r->ctx))
    html_printf(&h, "<div><dt>フォームの受付番号 (職員用)</dt><dd>%h</dd></div>", receipt);
  html_raw(&h, "</dl>");
  if (st == BOOKING_HELD) {
    char until[64], action[64];
    hold_until(v, until, sizeof until);
    html_printf(&h, "<div class=\"note note-warn\" id=\"hold-expiry\"><p><strong>%h</strong> までに確定してください。"
                    "この時刻を過ぎると、仮予約は自動で取り消されます。</p></div>",
                until);
    snprintf(action, sizeof action, "/my/bookings/%lld/confirm", (long long)id);
    page_form_begin(r, &h, "post", action);
    page_form_end(&h, "予約を確定する");
  }
  if (st == BOOKING_CONFIRMED)
    html_printf(&h, "<p class=\"permit-link\"><a class=\"button\" href=\"/my/bookings/%I/permit\">"
                    "利用許可書 (QRコード) を表示する</a></p>"
                    "<p>公民館では、この許可書を窓口で見せてください。紙の許可書はありません。</p>",
                id);
  web_book_facts(r, &h, v);
  web_book_payment(r, &h, v);
  if (st == BOOKING_CANCELLED || st == BOOKING_LAPSED) {
    /* what it came to: the same line as on マイページ and at the counter */
    html_raw(&h, "<dl class=\"facts card-facts\" id=\"called-off\">");
    if (b->cancelled_at) {
      char at[64];
      page_instant_label(b->cancelled_at, at, sizeof at);
      html_printf(&h, "<div><dt>取り消した日時</dt><dd>%h</dd></div>", at);
    }
    web_book_called_off_row(r, &h, b, st);
    html_raw(&h, "</dl>");
  }
  if (booking_status_active(st)) {
    int can = 0;
    html_raw(&h, "<section aria-labelledby=\"cancel-title\"><h2 id=\"cancel-title\">取り消し</h2>");
    cancel_now(r, v, &h, &can);
    if (can)
      html_printf(&h, "<p><a href=\"/my/bookings/%I/cancel\">この予約を取り消す</a></p>", id);
    html_raw(&h, "</section>");
  }
  if (b->imported_note[0] && (r->ctx.actor.role & ROLE_DESK))
    html_printf(&h, "<p class=\"note\">旧システムから移行した予約です（%h）。</p>",
                b->imported_note);
  web_mail_sent(r, &h, id);
  page_end(r, &h, &pg);
  return page_reply(r, status, &h);
}

/* GET /my/bookings/{id}[?done=confirmed] -> 200 one booking: state, receipt
** number, what, when, fee; for a hold its exact expiry and the button that
** confirms it; for a confirmed booking the permit link; the cancellation
** terms as of now with the deadline. 404 when it is not the person's.
** Citizens, staff, admin. */
/* Booking ID as the actor may see it (booking_read: the same check and
** record as booking_get) into a new view *V (the caller frees). */
static int read_view(struct req *r, int64_t id, struct booking_view **v, struct kerrinfo *ei) {
  struct booking b;
  *v = NULL;
  int rc = booking_read(&r->ctx, id, &b, ei);
  if (rc) return rc;
  if (!(*v = malloc(sizeof **v))) return kerr_set(ei, KERR_INTERNAL, NULL);
  booking_view_of(&r->ctx, &b, *v);
  return 0;
}

struct reply web_my_booking(struct req *r) {
  struct kerrinfo ei = {0};
  struct booking_view *v;
  int64_t id = req_path_id(r, 0);
  if (!id) return reply_error(r, KERR_NOT_FOUND, NULL);
  int rc = read_view(r, id, &v, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  const char *done = req_query(r, "done");
  const char *flash = done && !strcmp(done, "confirmed")
                          ? "予約を確定しました。利用許可書を表示できます。"
                          : NULL;
  struct reply ret = booking_page(r, 200, v, flash, NULL);
  free(v);
  return ret;
}

/* POST /my/bookings/{id}/confirm (form, csrf_token) -> 303 to the booking's page
** (?done=confirmed); 409 the booking's page with the reason when the hold
** has lapsed or was cancelled; 404 when it is not the person's.
** Citizens (the holder), staff, admin. */
struct reply web_my_confirm(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *b = NULL;
  int64_t id = req_path_id(r, 0);
  if (!id) return reply_error(r, KERR_NOT_FOUND, NULL);
  int rc = booking_confirm(&r->ctx, id, &b, &ei);
  if (rc == 0) {
    char loc[80];
    json_decref(b);
    snprintf(loc, sizeof loc, "/my/bookings/%lld?done=confirmed", (long long)id);
    return reply_redirect(r, loc);
  }
  json_decref(b);
  struct booking_view *v = NULL;
  if (rc != KERR_CONFLICT || read_view(r, id, &v, NULL)) {
    free(v);
    return reply_core(r, rc, 0, NULL, &ei);
  }
  struct reply ret = booking_page(r, (unsigned)kerr_http_status(rc), v, NULL,
                                  ei.message[0] ? ei.message : kerr_message(rc));
  free(v);
  kerr_clear(&ei);
  return ret;
}

/* ============================================================ permit */

/* A cancelled booking has no permit: its permit page says so, plainly, with
** when it was cancelled (issue 13, point 8). 1 and *REP when B is cancelled. */
static int cancelled_permit_page(struct req *r, int64_t id, struct reply *rep) {
  struct kerrinfo ei = {0};
  struct booking b;
  if (booking_read(&r->ctx, id, &b, &ei) || booking_status_now(&r->ctx, &b) != BOOKING_CANCELLED) {
    kerr_clear(&ei);
    return 0;
  }
  char title[96], when[64] = "";
  snprintf(title, sizeof title, "利用許可書 (予約番号 %lld): 取り消し済み", (long long)id);
  if (b.cancelled_at) page_instant_label(b.cancelled_at, when, sizeof when);
  struct html h = {0};
  struct page pg = {.title = title, .nav = "my"};
  page_begin(r, &h, &pg);
  html_printf(&h, "<p class=\"crumb\"><a href=\"/my/bookings/%I\">予約番号 %I に戻る</a></p>"
                  "<h1>この予約は取り消されています</h1>"
                  "<p class=\"lead\">予約番号 %I は%s%sに取り消されました。"
                  "取り消した予約には利用許可書はありません。この予約で部屋を使うことはできません。</p>",
              id, id, id, when[0] ? " " : "", when);
  page_end(r, &h, &pg);
  *rep = page_reply(r, 200, &h);
  return 1;
}

/* GET /my/bookings/{id}/permit -> 200 the digital permit (利用許可書) of a
** confirmed booking: its QR code (inline SVG, for the counter's scanner),
** what it says as text, and the signed code itself; 409 for a hold or a
** cancelled booking; 404 when it is not the person's. Citizens, staff, admin. */
struct reply web_my_permit(struct req *r) {
  struct kerrinfo ei = {0};
  int64_t id = req_path_id(r, 0);
  if (!id) return reply_error(r, KERR_NOT_FOUND, NULL);
  struct permit_view *pv = malloc(sizeof *pv);
  if (!pv) return reply_error(r, KERR_INTERNAL, NULL);
  int rc = permit_issue_view(&r->ctx, id, pv, &ei);
  if (rc == KERR_CONFLICT) {
    struct reply rep;
    if (cancelled_permit_page(r, id, &rep)) {
      kerr_clear(&ei);
      free(pv);
      return rep;
    }
  }
  if (rc) {
    free(pv);
    if (rc == KERR_CONFLICT && !ei.message[0])
      kerr_set(&ei, KERR_CONFLICT, "許可書は、予約を確定すると表示できます。");
    return reply_core(r, rc, 0, NULL, &ei);
  }
  char title[64], dl[48], sl[200], issued[64];
  snprintf(title, sizeof title, "利用許可書 (予約番号 %lld)", (long long)id);
  page_date_label(pv->day, 1, dl, sizeof dl);
  web_book_slots_label(rules_in_force(r->ctx.rb, pv->day), pv->slots, pv->nslots, pv->start,
                       pv->end, sl, sizeof sl);
  page_instant_label(pv->issued_at, issued, sizeof issued);

  struct html h = {0};
  struct page pg = {.title = title, .nav = "my"};
  page_begin(r, &h, &pg);
  html_printf(&h, "<p class=\"crumb\"><a href=\"/my/bookings/%I\">予約番号 %I に戻る</a></p>"
                  "<h1>利用許可書</h1>"
                  "<p class=\"lead\">公民館の窓口で、このQRコードを見せてください。印刷して持って行くこともできます。</p>"
                  "<div class=\"permit\"><div class=\"qr-box\">",
              id, id);
  if (qr_svg(&h, pv->token, "利用許可書のQRコード") < 0)
    html_raw(&h, "<p>QRコードを作れませんでした。下の内容を窓口で見せてください。</p>");
  html_printf(&h, "</div><dl class=\"facts permit-facts\">"
                  "<div><dt>予約番号</dt><dd>%I</dd></div>"
                  "<div><dt>公民館</dt><dd>%h</dd></div>"
                  "<div><dt>部屋</dt><dd>%h</dd></div>"
                  "<div><dt>利用する日</dt><dd>%h</dd></div>"
                  "<div><dt>時間帯</dt><dd>%h</dd></div>"
                  "<div><dt>名義</dt><dd>%h</dd></div>"
                  "<div><dt>発行</dt><dd>%h</dd></div></dl></div>",
              id, pv->center_name, pv->room_name, dl, sl, pv->holder_name, issued);
  html_printf(&h, "<section aria-labelledby=\"short-title\"><h2 id=\"short-title\">許可書の番号</h2>"
                  "<p class=\"receipt-number\" id=\"permit-code\">%h</p>"
                  "<p>QRコードが読めないときは、この番号を窓口で伝えてください。職員が入力して確かめます。"
                  "電話で問い合わせるときにも使えます。</p></section>",
              pv->short_code);
  struct booking_view *bv; /* how and by when to pay, as on the booking's page */
  if (read_view(r, id, &bv, &ei) == 0) web_book_payment(r, &h, bv);
  kerr_clear(&ei);
  free(bv);
  html_printf(&h, "<section aria-labelledby=\"code-title\"><h2 id=\"code-title\">許可書のコード (文字)</h2>"
                  "<p>QRコードが読めないときは、この文字を窓口で確かめてもらえます。"
                  "前橋市の電子署名が入っているので、書きかえることはできません。</p>"
                  "<p class=\"permit-token\"><code id=\"permit-token\">%h</code></p></section>",
              pv->token);
  page_end(r, &h, &pg);
  free(pv);
  return page_reply(r, 200, &h);
}

/* ============================================================ cancel */

static const struct page_field cancel_fields[] = {
  {.name = "reason", .label = "取り消す理由", .type = PF_TEXTAREA, .required = 0, .maxlength = 200,
   .support = "書かなくてもかまいません。公民館の参考にします。"},
};

struct reply web_cancel_form(struct req *r, unsigned status, const json_t *values,
                                const char *message, const json_t *errors, const char *receipt) {
  struct kerrinfo ei = {0};
  struct booking_view *b = NULL;
  const json_t *v = json_object_get(values, "booking_id");
  long long id = json_is_integer(v) ? json_integer_value(v) : 0;
  if (json_is_string(v)) id = strtoll(json_string_value(v), NULL, 10);
  int rc = id > 0 ? read_view(r, id, &b, &ei) : KERR_NOT_FOUND;
  if (rc) {
    kerr_clear(&ei);
    /* a booking that is not there: say so, keep the receipt */
    struct html h = {0};
    struct page pg = {.title = "予約の取り消し", .nav = "my", .flags = PAGE_HAS_ERRORS};
    page_begin(r, &h, &pg);
    html_printf(&h, "<h1>予約の取り消し</h1><section class=\"error-summary\" aria-labelledby=\"error-summary-title\">"
                    "<h2 id=\"error-summary-title\">取り消せませんでした</h2><p class=\"error-message\">%h</p></section>",
                message ? message : "予約が見つかりません。");
    if (receipt && *receipt) html_printf(&h, "<p class=\"asof\">受付番号 %h</p>", receipt);
    html_raw(&h, "<ul class=\"links\"><li><a href=\"/my\">マイページ (予約の一覧)</a></li></ul>");
    page_end(r, &h, &pg);
    return page_reply(r, status == 200 ? 404 : status, &h);
  }
  int failed = status >= 400;
  struct page_form fm = {.values = values, .errors = errors};
  struct html h = {0};
  struct page pg = {.title = "予約の取り消し", .nav = "my", .flags = failed ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  html_printf(&h, "<p class=\"crumb\"><a href=\"/my/bookings/%I\">予約番号 %I に戻る</a></p>"
                  "<h1>予約の取り消し</h1>",
              (int64_t)id, (int64_t)id);
  page_error_summary_msg(&h, message, cancel_fields, 1, &fm);
  if (failed && receipt && *receipt)
    html_printf(&h, "<p class=\"asof\">受付番号 %h (この申し込みは受け付けられませんでした)</p>", receipt);
  html_raw(&h, "<p class=\"lead\">この予約を取り消します。取り消すと、元に戻せません。</p>");
  web_book_facts(r, &h, b);
  int can = 0;
  cancel_now(r, b, &h, &can);
  if (can) {
    page_form_begin(r, &h, "post", "/forms/cancel");
    html_printf(&h, "<input type=\"hidden\" name=\"booking_id\" value=\"%I\">", (int64_t)id);
    page_field(&h, &cancel_fields[0], &fm);
    page_form_end(&h, "予約を取り消す");
  }
  html_printf(&h, "<p><a href=\"/my/bookings/%I\">取り消さずに戻る</a></p>", (int64_t)id);
  page_end(r, &h, &pg);
  free(b);
  return page_reply(r, status, &h);
}

/* GET /my/bookings/{id}/cancel -> 200 what cancelling costs now (free until
** the deadline, stated with its date; the fee after it, or that it is no
** longer possible online), and the form that cancels (POST /forms/cancel);
** 404 when it is not the person's. Citizens. */
struct reply web_my_cancel(struct req *r) {
  int64_t id = req_path_id(r, 0);
  if (!id) return reply_error(r, KERR_NOT_FOUND, NULL);
  json_t *values = json_pack("{s:I}", "booking_id", (json_int_t)id);
  struct kerrinfo ei = {0};
  struct booking b;
  int rc = booking_read(&r->ctx, id, &b, &ei);
  struct reply ret = rc ? reply_error(r, rc, &ei) : web_cancel_form(r, 200, values, NULL, NULL, NULL);
  kerr_clear(&ei);
  json_decref(values);
  return ret;
}

struct reply web_cancel_receipt(struct req *r, const char *receipt,
                                const struct form_result *res) {
  char fee[256];
  const struct booking_view *v = res->booking;
  int64_t id = v->b.id;
  /* what it came to, in the words of マイページ and the counter */
  if (!web_book_called_off_fee(r, &v->b, BOOKING_CANCELLED, fee, sizeof fee)) fee[0] = 0;
  struct html h = {0};
  struct page pg = {.title = "予約を取り消しました", .nav = "my"};
  page_begin(r, &h, &pg);
  html_printf(&h, "<h1>予約を取り消しました</h1>"
                  "<div class=\"receipt\"><p class=\"receipt-label\">受付番号</p>"
                  "<p class=\"receipt-number\" id=\"receipt\">%h</p>"
                  "<p>予約番号 <strong>%I</strong> ・ <strong id=\"called-off-fee\">%h</strong></p></div>",
              receipt && *receipt ? receipt : "-", id, fee);
  web_book_facts(r, &h, v);
  html_raw(&h, "<ul class=\"links\"><li><a href=\"/my\">マイページ (予約の一覧)</a></li>"
               "<li><a href=\"/availability\">ほかの部屋をさがす</a></li></ul>");
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}
