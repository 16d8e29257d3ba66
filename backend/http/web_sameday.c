/*
** http/web_sameday.c: 「登録しないで今日使う」, same-day use of a free room
** without registration, as pages that work without JavaScript (see
** web_sameday.h; core/sameday.h; docs/web.md).
**
** Three steps, like a booking's:
**   1. the section on the booking page of a free slot of today (/book, for
**      someone not signed in; http/web_book.c): the fee and where it is
**      paid, and a short form: name, phone, people, purpose;
**   2. POST /sameday/review: every rule checked and the fee worked out
**      (sameday_quote), nothing written: the confirmation page (WCAG 3.3.4)
**      with centre, room, date, slot and fee, and the button that applies;
**   3. POST /sameday (the writer: group commit): the use taken
**      (sameday_take, the counter's walk-in on the web), and the receipt: the
**      booking number to tell at the centre, the fee and when to pay it, and
**      how to cancel (a call to the centre: there is no account).
** A refused step shows the form again with every error at its field and
** everything typed kept; a slot that can no longer be had shows why, with
** the ways back and no form.
**
** The form's name and phone are walkin_name and walkin_phone (core's "name"
** and "phone"): the booking page also carries the sign-up form, whose fields
** are name and phone, and every field of a page has its own id.
**
** Someone not signed in has no CSRF token: a post from another site is
** refused by its Origin, as sign-up and sign-in are (web_cross_site). A
** signed-in person's post carries the token, as every post does.
*/
#include "web_sameday.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/bookable.h"
#include "../core/bookings.h"
#include "../core/clock.h"
#include "../core/input.h"
#include "../core/sameday.h"
#include "pages.h"
#include "reply.h"
#include "web_account.h"
#include "web_book.h"

/* The form's names for core's: the sign-up form on the same page has its own
** name and phone. */
static const char *const renamed[][2] = {{"walkin_name", "name"}, {"walkin_phone", "phone"}};
#define NRENAMED (sizeof renamed / sizeof renamed[0])

/* ============================================================ helpers */

/* The room of the post's room_id, or NULL. */
static const struct room *room_posted(struct req *r) {
  long long id = 0;
  if (input_int(r->json, "room_id", r->ctx.form, 1, INT64_MAX, &id) != INPUT_OK) return NULL;
  return rules_room_by_id(r->ctx.rb, (int64_t)id);
}

/* The first of the post's slots (one string, or the first of a list), or NULL. */
static const char *slot_posted(struct req *r) {
  const json_t *v = json_object_get(r->json, "slots");
  if (json_is_array(v)) v = json_array_get(v, 0);
  return json_string_value(v);
}

/* The post's body in core's names (a new object, NULL out of memory). */
static json_t *core_body(struct req *r) {
  json_t *b = json_deep_copy(r->json);
  for (size_t i = 0; b && i < NRENAMED; i++) {
    json_t *v = json_object_get(b, renamed[i][0]);
    if (v) json_object_set(b, renamed[i][1], v);
    json_object_del(b, renamed[i][0]);
  }
  return b;
}

/* Core's field errors in the form's names (a new object, or NULL). */
static json_t *form_errors(const json_t *fields) {
  if (!fields) return NULL;
  json_t *e = json_deep_copy(fields);
  for (size_t i = 0; e && i < NRENAMED; i++) {
    json_t *v = json_object_get(e, renamed[i][1]);
    if (v) json_object_set(e, renamed[i][0], v);
    json_object_del(e, renamed[i][1]);
  }
  return e;
}

/* The fee of slot K of RO on DAY, in words: "210円" or "無料 (親子の日)".
** 1 when there is one to pay. */
static int fee_words(const struct kctx *ctx, const struct room *ro, int32_t day, int k, char *out,
                     size_t n) {
  const struct rules *ru = rules_in_force(ctx->rb, day);
  const struct campaign *cp = ru ? rules_campaign(ru, ro, day) : NULL;
  int yen = ru && k >= 0 ? rules_fee(ru, ro->fee_class, k) : -1;
  if (cp) snprintf(out, n, "無料 (%s)", cp->name);
  else if (yen >= 0) page_yen(yen, out, n);
  else snprintf(out, n, "-");
  return !cp && yen > 0;
}

/* The form's fields; ATT_SUPPORT (the room's capacity) is the caller's. */
static int fields_of(struct page_field *f, const char *att_support) {
  int n = 0;
  f[n++] = (struct page_field){
      .name = "walkin_name", .label = "お名前", .type = PF_TEXT, .required = 1,
      .support = "公民館の受付で、この名前を伝えてください。例: 前橋 花子", .autocomplete = "name",
      .maxlength = 50, .size = "m"};
  f[n++] = (struct page_field){
      .name = "walkin_phone", .label = "電話番号", .type = PF_TEL, .required = 1,
      .support = "連絡がとれる番号です。例: 027-123-4567 (登録なしで使えるのは、1つの電話番号で1日1回までです)",
      .autocomplete = "tel", .maxlength = 20, .size = "m"};
  f[n++] = (struct page_field){.name = "attendees", .label = "利用する人数", .type = PF_NUMBER,
                               .required = 1, .maxlength = 6, .size = "s", .support = att_support};
  f[n++] = (struct page_field){.name = "purpose", .label = "利用目的", .type = PF_TEXT,
                               .required = 1, .maxlength = 200,
                               .support = "例: 勉強、打ち合わせ、親子での読み聞かせ"};
  return n;
}

/* Hidden fields: the slot chosen (room, date, slot code). */
static void hidden_choice(struct req *r, struct html *h, const struct room *ro, int32_t day, int k) {
  char d[11];
  date_format(day, d);
  html_printf(h, "<input type=\"hidden\" name=\"room_id\" value=\"%I\">"
                 "<input type=\"hidden\" name=\"date\" value=\"%h\">"
                 "<input type=\"hidden\" name=\"slots\" value=\"%h\">",
              (int64_t)ro->id, d, rules_in_force(r->ctx.rb, day)->slots[k].code);
}

/* A hidden field for the post's value of NAME (text only). */
static void hidden_value(struct req *r, struct html *h, const char *name) {
  const char *v = json_string_value(json_object_get(r->json, name));
  if (v) html_printf(h, "<input type=\"hidden\" name=\"%h\" value=\"%h\">", name, v);
}

/* ============================================================ the form */

void web_sameday_section(struct req *r, struct html *h, const struct room *ro, int32_t day, int k,
                         const struct page_form *fm) {
  char fee[128], att[128];
  struct page_field f[4];
  int to_pay = fee_words(&r->ctx, ro, day, k, fee, sizeof fee);
  snprintf(att, sizeof att, "この部屋の定員は%d人です。", ro->capacity);
  int n = fields_of(f, att);
  html_printf(h, "<section class=\"panel\" id=\"sameday\" aria-labelledby=\"sameday-title\">"
                 "<h2 id=\"sameday-title\">登録しないで今日使う</h2>"
                 "<p>今日の空いている時間帯は、利用者の登録をしなくても、お名前と電話番号だけで使えます。"
                 "使用料: <strong id=\"sameday-fee\">%h</strong>%s</p>",
              fee, to_pay ? " (公民館の窓口で払います。この画面では払いません)" : "");
  page_form_begin(r, h, "post", "/sameday/review");
  hidden_choice(r, h, ro, day, k);
  for (int i = 0; i < n; i++) page_field(h, &f[i], fm);
  page_form_end(h, "確認の画面へ進む");
  html_raw(h, "</section>");
}

/* The page of the form alone (after a refused step, or to correct it), with
** STATUS, the post's values, its ERRORS (form names) and MESSAGE above. */
static struct reply form_page(struct req *r, unsigned status, const struct room *ro, int32_t day,
                              int k, const json_t *errors, const char *message) {
  char att[128];
  struct page_field f[4];
  snprintf(att, sizeof att, "この部屋の定員は%d人です。", ro->capacity);
  int n = fields_of(f, att);
  struct page_form fm = {.values = r->json, .errors = errors};
  struct html h = {0};
  struct page pg = {.title = "登録しないで今日使う", .nav = "search",
                    .flags = status >= 400 ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  html_raw(&h, "<h1>登録しないで今日使う</h1>");
  page_error_summary_msg(&h, message, f, n, &fm);
  web_book_choice(r, &h, ro, day, k);
  web_sameday_section(r, &h, ro, day, k, &fm);
  web_book_back_links(r, &h, ro, day, k);
  page_end(r, &h, &pg);
  return page_reply(r, status, &h);
}

/* The page saying the slot can no longer be had (WHY), with the ways back and
** no form; STATUS the refusal's. */
static struct reply gone_page(struct req *r, unsigned status, const struct room *ro, int32_t day,
                              int k, const char *why) {
  struct html h = {0};
  struct page pg = {.title = "この時間帯は使えません", .nav = "search"};
  page_begin(r, &h, &pg);
  html_raw(&h, "<h1>この時間帯は使えません</h1>");
  web_book_choice(r, &h, ro, day, k);
  html_printf(&h, "<div class=\"note note-warn\" id=\"refusal\"><p><strong>%h</strong></p></div>", why);
  web_book_back_links(r, &h, ro, day, k);
  page_end(r, &h, &pg);
  return page_reply(r, status, &h);
}

/* The answer to a refused step RC (EI): the form again with the error at its
** field (a mistake, the room too small, the phone used today) or above it
** (a throttle), or the page that says the slot cannot be had. */
static struct reply refused(struct req *r, int rc, struct kerrinfo *ei, const struct room *ro,
                            int32_t day, int k) {
  struct reply ret;
  const char *msg = ei->message[0] ? ei->message : kerr_message(rc);
  char copy[sizeof ei->message];
  snprintf(copy, sizeof copy, "%s", msg);
  unsigned status = (unsigned)kerr_http_status(rc);
  if (status >= 500 || !ro || k < 0) {
    ret = reply_error(r, rc, ei);
  } else if (rc == KERR_SLOT_TAKEN || rc == KERR_OUTSIDE_WINDOW || rc == KERR_CLOSED ||
             rc == KERR_CAMPAIGN_DAY) {
    ret = gone_page(r, status, ro, day, k, copy);
  } else {
    if (rc == KERR_CAPACITY) kerr_field(ei, "attendees", copy);
    if (rc == KERR_LIMIT) kerr_field(ei, "phone", copy);
    json_t *errors = form_errors(ei->fields);
    ret = form_page(r, status, ro, day, k, errors, ei->fields ? NULL : copy);
    json_decref(errors);
    reply_retry_after(&ret, ei); /* 429 */
  }
  kerr_clear(ei);
  return ret;
}

/* ==================================================== the confirmation */

/* The confirmation page of quote Q: what will be taken, what it costs and
** where it is paid, the button that applies and the way back to correct. */
static struct reply review_page(struct req *r, const struct booking_quote *q) {
  static const char *const names[] = {"room_id", "date", "slots", "walkin_name", "walkin_phone",
                                      "attendees", "purpose"};
  const struct booking *b = &q->v.b;
  char yen[32];
  struct html h = {0};
  struct page pg = {.title = "登録しないで今日使う: 内容の確認", .nav = "search"};
  page_begin(r, &h, &pg);
  html_raw(&h, "<h1>内容の確認</h1>"
               "<p class=\"note note-warn\"><strong>まだ申し込みは終わっていません。</strong>"
               "内容を確かめて、下の「この内容で今日使う」を押してください。</p>");
  web_book_facts(r, &h, &q->v);
  html_printf(&h, "<p>連絡先の電話番号: <strong>%h</strong></p>", page_str(r->json, "walkin_phone"));
  page_yen(b->fee_total, yen, sizeof yen);
  if (b->fee_total > 0)
    html_printf(&h, "<p id=\"sameday-pay\">使用料 <strong>%h</strong> は、%h の窓口で払ってください"
                    " (この画面では払いません)。</p>",
                yen, q->v.room ? q->v.room->center->name : "");
  else
    html_raw(&h, "<p id=\"sameday-pay\">使用料はかかりません。</p>");
  page_form_begin(r, &h, "post", "/sameday");
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) hidden_value(r, &h, names[i]);
  page_form_end(&h, "この内容で今日使う");
  page_form_begin(r, &h, "post", "/sameday/review");
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) hidden_value(r, &h, names[i]);
  html_raw(&h, "<input type=\"hidden\" name=\"edit\" value=\"1\">"
               "<div class=\"form-actions\"><button class=\"button button-secondary\" type=\"submit\">"
               "入力の画面に戻って直す</button></div></form>");
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}

/* POST /sameday/review (form) room_id, date, slots, walkin_name,
** walkin_phone, attendees, purpose [, edit=1] -> 200 the confirmation page
** (centre, room, date, slot, name, phone, fee and where it is paid) with the
** button that applies (POST /sameday); nothing is written. With edit=1, the
** form again with everything kept; a refused one: the form again with every
** error at its field (422), or the page saying the slot cannot be had (409,
** 422) with the ways back; 403 a post from another site. Anyone. */
struct reply web_sameday_review(struct req *r) {
  if (r->ctx.actor.role == ROLE_ANON && web_cross_site(r)) return reply_error(r, KERR_CSRF, NULL);
  const struct room *ro = room_posted(r);
  int32_t day = 0;
  int k = web_book_chosen(r, page_str(r->json, "date"), slot_posted(r), &day);
  const char *edit = page_str(r->json, "edit");
  if (ro && k >= 0 && !strcmp(edit, "1")) return form_page(r, 200, ro, day, k, NULL, NULL);
  struct kerrinfo ei = {0};
  struct booking_quote *q = malloc(sizeof *q);
  json_t *body = core_body(r);
  if (!q || !body) {
    free(q);
    json_decref(body);
    return reply_error(r, KERR_INTERNAL, NULL);
  }
  int rc = sameday_quote(&r->ctx, body, q, &ei);
  json_decref(body);
  struct reply ret = rc ? refused(r, rc, &ei, ro, day, k) : review_page(r, q);
  free(q);
  return ret;
}

/* ========================================================= the receipt */

/* The receipt of booking V: the number to tell at the centre, what was
** taken, the fee and when to pay it, and how to cancel. */
static struct reply receipt_page(struct req *r, const struct booking_view *v) {
  const struct center *ce = v->room ? v->room->center : NULL;
  const struct rules *ru = bookable_rules_now(&r->ctx);
  char hours[256] = "";
  /* with a fee, the hours are in the payment's section already */
  if (ru && v->b.fee_total <= 0) rules_counter_hours_text(ru, hours, sizeof hours);
  struct html h = {0};
  struct page pg = {.title = "当日の利用を受け付けました"};
  page_begin(r, &h, &pg);
  html_printf(&h, "<h1>当日の利用を受け付けました</h1>"
                  "<div class=\"receipt\"><p class=\"receipt-label\">予約番号</p>"
                  "<p class=\"receipt-number\" id=\"booking-id\">%I</p>"
                  "<p id=\"tell-staff\">公民館に着いたら、受付でこの<strong>予約番号</strong>と"
                  "<strong>お名前</strong>を伝えてください。メモをするか、この画面を印刷してください。</p></div>",
              v->b.id);
  web_book_facts(r, &h, v);
  web_book_payment(r, &h, v);
  html_printf(&h, "<section aria-labelledby=\"cancel-title\" id=\"cancel\"><h2 id=\"cancel-title\">"
                  "行けなくなったとき (取り消し)</h2>"
                  "<p>登録なしの利用は、インターネットでは取り消せません。<strong>%h (電話 %h)</strong> "
                  "に、窓口の受付時間に電話して、予約番号を伝えてください。</p>",
              ce ? ce->name : "公民館", ce ? ce->phone : "-");
  if (hours[0]) html_printf(&h, "<p>窓口の受付: %h</p>", hours);
  html_raw(&h, "<p>登録なしで使えるのは、1つの電話番号で1日1回までです。</p></section>");
  html_raw(&h, "<ul class=\"links\"><li><a href=\"/today\">今日の空きに戻る</a></li>"
               "<li><a href=\"/register\">利用者登録をする (次からは、インターネットで前もって予約できます)</a></li></ul>");
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}

/* POST /sameday (form) room_id, date, slots, walkin_name, walkin_phone,
** attendees, purpose -> 200 the receipt (booking number, what to tell the
** staff, the fee and when to pay it, how to cancel); a refused one as for
** /sameday/review (422 with the errors at their fields, the phone used today
** at the phone; 409/422 the page saying the slot cannot be had; 429 the form
** with how long to wait); 403 a post from another site. Anyone. The
** writer's (RF_RUSH): one transaction with the other booking writes. */
struct reply web_sameday_post(struct req *r) {
  if (r->ctx.actor.role == ROLE_ANON && web_cross_site(r)) return reply_error(r, KERR_CSRF, NULL);
  const struct room *ro = room_posted(r);
  int32_t day = 0;
  int k = web_book_chosen(r, page_str(r->json, "date"), slot_posted(r), &day);
  struct kerrinfo ei = {0};
  json_t *out = NULL, *body = core_body(r);
  if (!body) return reply_error(r, KERR_INTERNAL, NULL);
  int rc = sameday_take(&r->ctx, body, &out, &ei);
  json_decref(body);
  if (rc) return refused(r, rc, &ei, ro, day, k);
  int64_t id = (int64_t)json_integer_value(json_object_get(out, "id"));
  json_decref(out);
  struct booking_view *v = malloc(sizeof *v);
  if (!v || web_book_view_of_id(r, id, v)) {
    free(v);
    return reply_error(r, KERR_INTERNAL, NULL);
  }
  struct reply ret = receipt_page(r, v);
  free(v);
  return ret;
}
