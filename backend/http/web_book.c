/*
** http/web_book.c: the booking pages (see web_book.h; docs/web.md).
**
** Three steps, each a page that works without JavaScript:
**   1. GET /book?room=ID&date=D&slot=S: the choice from a room's month or a
**      day's table, filled in; the person adds purpose and attendees.
**   2. POST /book/review: every rule checked and the fee worked out
**      (booking_quote), nothing written: the confirmation page (WCAG 3.3.4)
**      with centre, room, date, slots and fee, and the button that applies.
**   3. POST /forms/booking (http/forms.c): the hold, and the receipt page
**      from here, with the hold's exact expiry and the button that confirms
**      it (WCAG 2.2.1).
** A failed step shows the form again with every error by its field and
** everything typed still there.
*/
#include "web_book.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/bookings.h"
#include "../core/bookable.h"
#include "../core/clock.h"
#include "../core/desk.h"
#include "../core/groups.h"
#include "../core/ids.h"
#include "../core/payments.h"
#include "../core/users.h"
#include "form.h"
#include "forms.h"
#include "pages.h"
#include "reply.h"
#include "web_account.h"
#include "web_oidc.h"
#include "web_sameday.h"

#define MAX_DATES 120
#define MIN_DATES 28
#define MAX_GROUPS 32

/* ============================================================ helpers */

/* "9:00" from "09:00". */
static const char *short_hhmm(const char *s) { return s[0] == '0' && s[1] ? s + 1 : s; }

/* The room named by the body's room_id (a form's string or a number), or NULL. */
static const struct room *room_of(struct req *r, const json_t *values) {
  const json_t *v = json_object_get(values, "room_id");
  long long id = 0;
  if (json_is_integer(v)) id = json_integer_value(v);
  else if (json_is_string(v)) {
    const char *s = json_string_value(v);
    char *end;
    if (*s < '1' || *s > '9' || strlen(s) > 18) return NULL;
    id = strtoll(s, &end, 10);
    if (*end) return NULL;
  }
  return id > 0 ? rules_room_by_id(r->ctx.rb, id) : NULL;
}

/* The slots' labels "午前・午後 (9:00〜17:00)" of SLOTS ("morning,afternoon") under R. */
void web_book_slots_text(const struct rules *r, const char *slots, const char *start,
                         const char *end, char *out, size_t n) {
  size_t off = 0;
  out[0] = 0;
  for (int i = 0; *slots; i++) {
    char code[24];
    size_t len = strcspn(slots, ",");
    snprintf(code, sizeof code, "%.*s", (int)len, slots);
    int k = r ? rules_slot_index(r, code) : -1;
    off += (size_t)snprintf(out + off, n > off ? n - off : 0, "%s%s", i ? "・" : "",
                            k >= 0 ? r->slots[k].label : code);
    if (off >= n) return;
    slots += len + (slots[len] == ',');
  }
  if (start && *start && end && *end)
    snprintf(out + off, n - off, " (%s〜%s)", short_hhmm(start), short_hhmm(end));
}

/* The same for the N slot codes CODES. */
void web_book_slots_label(const struct rules *r, const char codes[][24], int n, const char *start,
                          const char *end, char *out, size_t size) {
  char slots[RULES_MAX_SLOTS * 25] = "";
  size_t off = 0;
  for (int i = 0; i < n && off < sizeof slots; i++)
    off += (size_t)snprintf(slots + off, sizeof slots - off, "%s%s", i ? "," : "", codes[i]);
  web_book_slots_text(r, slots, start, end, out, size);
}

int web_book_view_of_id(struct req *r, int64_t id, struct booking_view *v) {
  struct booking b;
  int rc = booking_load(&r->ctx, id, &b);
  if (!rc) booking_view_of(&r->ctx, &b, v);
  return rc;
}

/* ========================================================= the form */

struct book_form {
  const struct room *room;
  const struct rules *rules;                  /* whose slots are offered */
  struct page_option dates[MAX_DATES + 1];
  char dval[MAX_DATES + 1][11], dlab[MAX_DATES + 1][256], dgrp[MAX_DATES + 1][48];
  int ndates;
  struct page_option slots[RULES_MAX_SLOTS];
  char slab[RULES_MAX_SLOTS][256];
  struct page_option groups[MAX_GROUPS + 1];
  char gval[MAX_GROUPS + 1][16], glab[MAX_GROUPS + 1][300];
  int ngroups;
  char attendees_support[128];
  struct page_field fields[5];
  int nfields;
};

static void add_date(struct book_form *f, const struct kctx *ctx, int32_t day, int32_t today,
                     const char *group) {
  int i = f->ndates++;
  char lab[40], note[160], free[128];
  int y, m, d;
  date_format(day, f->dval[i]);
  page_date_label(day, 0, lab, sizeof lab);
  page_day_note(ctx, f->room->center->code, f->room, day, note, sizeof note);
  page_campaign_note(ctx->rb, f->room, day, free, sizeof free);
  /* RULE: campaign days: a campaign day ahead is not booked (only a chosen one is listed) */
  if (free[0] && day > today) snprintf(free + strlen(free), sizeof free - strlen(free), " 当日のみ・予約はできません");
  snprintf(f->dlab[i], sizeof f->dlab[i], "%s%s%s%s%s%s", lab,
           day == today ? " 今日" : day == today + 1 ? " 明日" : "", note[0] ? " " : "", note,
           free[0] ? " " : "", free);
  date_to_ymd(day, &y, &m, &d);
  if (group) snprintf(f->dgrp[i], sizeof f->dgrp[i], "%s", group);
  else snprintf(f->dgrp[i], sizeof f->dgrp[i], "%d年%d月", y, m);
  f->dates[i] = (struct page_option){f->dval[i], f->dlab[i], f->dgrp[i]};
}

/* The form for ROOM, with the dates whose booking has opened (at least four
** weeks: the same list as the search), SELECTED first when outside them, the
** slots of the rules on SELECTED, and the groups the person may book for. */
static struct book_form *form_build(struct req *r, const struct room *room, const char *selected) {
  struct book_form *f = calloc(1, sizeof *f);
  if (!f) return NULL;
  int32_t today = clock_today(r->ctx.now), sel = -1;
  const struct rules *now_rules = rules_in_force(r->ctx.rb, today);
  f->room = room;
  if (selected && date_parse(selected, &sel) == 0 &&
      (sel < today || sel >= today + MAX_DATES ||
       (now_rules && sel >= today + MIN_DATES && rules_booking_opens(now_rules, sel) > r->ctx.now)))
    add_date(f, &r->ctx, sel, today, "指定された日");
  for (int32_t d = today; f->ndates < MAX_DATES && d < today + MAX_DATES; d++) {
    if (d >= today + MIN_DATES && (!now_rules || rules_booking_opens(now_rules, d) > r->ctx.now))
      break;
    /* RULE: never offer what will be refused: a campaign day ahead is that day's only */
    if (d > today && d != sel && rules_campaign(rules_in_force(r->ctx.rb, d), room, d)) continue;
    add_date(f, &r->ctx, d, today, NULL);
  }
  f->rules = rules_in_force(r->ctx.rb, sel >= 0 ? sel : today);
  if (!f->rules) f->rules = now_rules;
  int nslots = f->rules ? f->rules->nslots : 0;
  for (int i = 0; i < nslots; i++) {
    const struct slotdef *s = &f->rules->slots[i];
    int yen = rules_fee(f->rules, room->fee_class, i);
    char fee[160] = "";
    if (yen >= 0) page_yen(yen, fee, sizeof fee);
    /* RULE: a campaign day makes the room free: the form says what will be charged */
    const struct campaign *cp = sel >= 0 ? rules_campaign(f->rules, room, sel) : NULL;
    if (cp) snprintf(fee, sizeof fee, "0円: %s", cp->name);
    snprintf(f->slab[i], sizeof f->slab[i], "%s %d:%02d〜%d:%02d (%s)", s->label, s->start / 60,
             s->start % 60, s->end / 60, s->end % 60, fee);
    f->slots[i] = (struct page_option){s->code, f->slab[i], NULL};
  }
  struct group_view *groups;
  int ng;
  if (group_views_of_account(&r->ctx, r->ctx.actor.account_id, &groups, &ng) == 0) {
    for (int i = 0; i < ng; i++) {
      if (f->ngroups >= MAX_GROUPS || !groups[i].valid) continue;
      if (f->ngroups == 0) f->groups[f->ngroups++] = (struct page_option){"", "個人で予約する", NULL};
      int k = f->ngroups++;
      char gid[16];
      ids_format(groups[i].id, gid);
      snprintf(f->gval[k], sizeof f->gval[k], "%s", gid);
      snprintf(f->glab[k], sizeof f->glab[k], "団体「%s」として予約する", groups[i].name);
      f->groups[k] = (struct page_option){f->gval[k], f->glab[k], NULL};
    }
    free(groups);
  }
  snprintf(f->attendees_support, sizeof f->attendees_support, "この部屋の定員は%d人です。",
           room->capacity);

  f->fields[f->nfields++] = (struct page_field){
      .name = "date", .label = "利用する日", .type = PF_SELECT, .required = 1,
      .options = f->dates, .noptions = f->ndates, .size = "m",
      .support = "予約を受け付けている日から選べます。"};
  f->fields[f->nfields++] = (struct page_field){
      .name = "slots", .label = "時間帯", .type = PF_CHECKBOXES, .required = 1,
      .options = f->slots, .noptions = nslots,
      .support = "続けて使うときは、続いた時間帯を選びます (例: 午前と午後)。()の中は使用料です。"};
  f->fields[f->nfields++] = (struct page_field){
      .name = "purpose", .label = "利用目的", .type = PF_TEXT, .required = 1, .maxlength = 200,
      .support = "例: 俳句の会の例会、子ども会の打ち合わせ"};
  f->fields[f->nfields++] = (struct page_field){
      .name = "attendees", .label = "利用する人数", .type = PF_NUMBER, .required = 1,
      .maxlength = 6, .size = "s", .support = f->attendees_support};
  if (f->ngroups > 1)
    f->fields[f->nfields++] = (struct page_field){
        .name = "group_id", .label = "予約の名義", .type = PF_RADIOS, .required = 1,
        .options = f->groups, .noptions = f->ngroups,
        .support = "登録した団体として予約すると、団体の予約になります。"};
  return f;
}

/* The steps of booking, with the current one marked. */
static void steps(struct html *h, int current) {
  static const char *const names[] = {"入力", "確認", "完了"};
  html_raw(h, "<ol class=\"progress\" aria-label=\"予約の手順\">");
  for (int i = 0; i < 3; i++)
    html_printf(h, "<li%s>%d. %h</li>", i + 1 == current ? " aria-current=\"step\" class=\"is-current\"" : "",
                i + 1, names[i]);
  html_raw(h, "</ol>");
}

/* The room, its centre, kind and capacity: what is being booked. */
static void room_facts(struct html *h, const struct room *ro) {
  html_printf(h, "<dl class=\"facts card-facts\"><div><dt>公民館</dt><dd>%h</dd></div>"
                 "<div><dt>部屋</dt><dd>%h (%h・%d人まで)</dd></div></dl>",
              ro->center->name, ro->name, ro->kind, ro->capacity);
}

/* The page that says a room must be chosen first. */
static struct reply choose_room_page(struct req *r, unsigned status) {
  struct html h = {0};
  struct page pg = {.title = "予約する部屋を選んでください", .nav = "search"};
  page_begin(r, &h, &pg);
  html_raw(&h, "<h1>予約する部屋を選んでください</h1>"
               "<p class=\"lead\">まず、空き状況の画面で、部屋と日と時間帯を選んでください。"
               "「○ 空き」を押すと、予約の画面になります。</p>"
               "<ul class=\"links\"><li><a href=\"/availability\">空き状況をさがす</a></li></ul>");
  page_end(r, &h, &pg);
  return page_reply(r, status, &h);
}

struct reply web_booking_form(struct req *r, unsigned status, const json_t *values,
                                 const char *message, const json_t *errors, const char *receipt) {
  const struct room *ro = room_of(r, values);
  if (!ro) return choose_room_page(r, status == 200 ? 200 : status);
  struct book_form *f = form_build(r, ro, json_string_value(json_object_get(values, "date")));
  if (!f) return reply_error(r, KERR_INTERNAL, NULL);
  struct page_form fm = {.values = values, .errors = errors};
  int failed = status >= 400;
  char month[8] = "";
  const char *date = json_string_value(json_object_get(values, "date"));
  if (date && strlen(date) >= 7) snprintf(month, sizeof month, "%.7s", date);

  struct html h = {0};
  struct page pg = {.title = "予約の申し込み", .nav = "search", .flags = failed ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  html_raw(&h, "<h1>予約の申し込み</h1>");
  steps(&h, 1);
  page_error_summary_msg(&h, message, f->fields, f->nfields, &fm);
  (void)receipt; /* a refused booking has no number to show: the 予約番号 is the only one */
  const char *reg = req_query(r, "registered");
  if (reg && !strcmp(reg, "1")) {
    char shown[16];
    ids_format_spaced(r->ctx.actor.account_id, shown);
    html_printf(&h, "<div class=\"receipt\" id=\"registered\"><p class=\"receipt-label\">登録しました。あなたの利用者番号</p>"
                    "<p class=\"receipt-number\" id=\"system-id\">%h</p>"
                    "<p>ログインのときに使う番号です。メモしてください (マイページにもいつも出ています)。"
                    "続けて、予約の内容を入力してください。</p></div>",
                shown);
  }
  room_facts(&h, ro);
  html_raw(&h, "<p>日と時間帯を確かめて、利用目的と人数を入力してください。"
               "次の画面で、使用料を確かめてから申し込みます。</p>");
  page_form_begin(r, &h, "post", "/book/review");
  html_printf(&h, "<input type=\"hidden\" name=\"room_id\" value=\"%I\">", (int64_t)ro->id);
  for (int i = 0; i < f->nfields; i++) page_field(&h, &f->fields[i], &fm);
  page_form_end(&h, "確認の画面へ進む");
  html_printf(&h, "<p><a href=\"/rooms/%I%s%u\">この部屋の空き状況 (月ごと) を見る</a></p>",
              (int64_t)ro->id, month[0] ? "?month=" : "", month);
  page_end(r, &h, &pg);
  free(f);
  return page_reply(r, status, &h);
}

/* ============================================ what anyone can be told */

/* The slot chosen by DATE and SLOT (the query's): *DAY and the index of SLOT
** in the version in force on *DAY, or -1 when either is missing or unknown. */
int web_book_chosen(struct req *r, const char *date, const char *slot, int32_t *day) {
  const struct rules *use = date && !date_parse(date, day) ? rules_in_force(r->ctx.rb, *day) : NULL;
  return use && slot ? rules_slot_index(use, slot) : -1;
}

/* RULE: never offer what will be refused. Whether slot K of room RO on DAY
** can be taken now through channel CH, as far as it can be told without
** knowing who asks: the one rule check (core/bookable.c: closed day, a past
** or started slot, outside the window, the web's deadline, counter only) and
** whether a booking or a hold already has it. 0 when it can; else the KERR
** code, EI's message saying why in the words the booking itself would use.
** What depends on the person (the monthly cap, their holds) is checked when
** they apply. */
int web_book_refusal(struct req *r, enum bk_channel ch, const struct room *ro, int32_t day, int k,
                     struct kerrinfo *ei) {
  struct bookable why;
  if (bookable_check(&r->ctx, ch, ro, day, k, &why) != BK_OPEN)
    return bookable_refuse(&r->ctx, ro, day, k, &why, ei);
  if (bookable_taken(&r->ctx, ro, day, k)) {
    char d[48];
    clock_jdate(day, d, sizeof d);
    return kerr_set(ei, KERR_SLOT_TAKEN, "%s %s %sはすでに予約されています。", d, ro->name,
                    rules_in_force(r->ctx.rb, day)->slots[k].label);
  }
  return 0;
}

/* "選んだ日: 2026年4月20日（月） 午前" for slot K on DAY (nothing when K < 0). */
static void chosen_line(struct req *r, struct html *h, int32_t day, int k) {
  if (k < 0) return;
  char dl[48];
  page_date_label(day, 1, dl, sizeof dl);
  html_printf(h, "<p class=\"lead\" id=\"chosen\">選んだ日: <strong>%h %h</strong></p>", dl,
              rules_in_force(r->ctx.rb, day)->slots[k].label);
}

void web_book_choice(struct req *r, struct html *h, const struct room *ro, int32_t day, int k) {
  room_facts(h, ro);
  chosen_line(r, h, day, k);
}

/* The ways back to choosing: the availability of DAY at RO's centre (today's
** when K < 0) and the room's month. */
void web_book_back_links(struct req *r, struct html *h, const struct room *ro, int32_t day, int k) {
  char d[11], month[8];
  date_format(k >= 0 ? day : clock_today(r->ctx.now), d);
  snprintf(month, sizeof month, "%.7s", d);
  html_printf(h, "<ul class=\"links\" id=\"back\"><li><a href=\"/availability?date=%u&amp;center=%u\">"
                 "%h の空き状況に戻って、ほかの部屋や時間帯を選ぶ</a></li>"
                 "<li><a href=\"/rooms/%I?month=%u\">この部屋の空き状況 (月ごと) を見る</a></li></ul>",
              d, ro->center->code, ro->center->name, (int64_t)ro->id, month);
}

/* The page that says the slot chosen cannot be booked, and WHY, with the
** ways back; no form. The same for every visitor it is shown to. */
static struct reply refused_page(struct req *r, const struct room *ro, int32_t day, int k,
                                 const char *why) {
  struct html h = {0};
  struct page pg = {.title = "この時間帯は予約できません", .nav = "search"};
  page_begin(r, &h, &pg);
  html_raw(&h, "<h1>この時間帯は予約できません</h1>");
  room_facts(&h, ro);
  chosen_line(r, &h, day, k);
  html_printf(&h, "<div class=\"note note-warn\" id=\"refusal\"><p><strong>%h</strong></p></div>", why);
  web_book_back_links(r, &h, ro, day, k);
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}

/* The counter's 代理の予約 form for room RO, with slot K of DAY filled in
** when K >= 0: /counter/book?center=CODE&room=ID[&date=D&slot=S], escaped
** for an href. */
static void behalf_href(struct req *r, struct html *h, const struct room *ro, int32_t day, int k) {
  html_printf(h, "/counter/book?center=%u&amp;room=%I", ro->center->code, (int64_t)ro->id);
  if (k < 0) return;
  char d[11];
  date_format(day, d);
  html_printf(h, "&amp;date=%u&amp;slot=%u", d, rules_in_force(r->ctx.rb, day)->slots[k].code);
}

/* Staff who chose a slot on a public page: they book at the counter for the
** person (代理の予約, GET /counter/book?center=CODE&room=ID&date=D&slot=S,
** the form with this room, date and slot filled in, to which they add the
** person's 利用者番号), unless the counter would refuse it too: then why, and
** the ways back. */
static struct reply staff_page(struct req *r, const struct room *ro, int32_t day, int k) {
  struct kerrinfo ei = {0};
  if (k >= 0 && web_book_refusal(r, BK_COUNTER, ro, day, k, &ei)) {
    struct reply ret = refused_page(r, ro, day, k, ei.message[0] ? ei.message : "予約できません。");
    kerr_clear(&ei);
    return ret;
  }
  struct html h = {0};
  struct page pg = {.title = "窓口で代理の予約をする", .nav = "search"};
  page_begin(r, &h, &pg);
  html_raw(&h, "<h1>窓口で代理の予約をする</h1>");
  room_facts(&h, ro);
  chosen_line(r, &h, day, k);
  html_printf(&h, "<p>職員は、窓口の「代理の予約」の画面で予約を受け付けます。%sその画面で、予約する人の"
                  "利用者番号%sを入力してください。予約はその人の名前になります。</p>"
                  "<ul class=\"links\"><li><a class=\"button\" id=\"behalf\" href=\"",
              k >= 0 ? "上の部屋・日・時間帯は入力してあります。" : "この部屋は選んであります。",
              k >= 0 ? "と利用目的・人数" : "と、日・時間帯・利用目的・人数");
  behalf_href(r, &h, ro, day, k);
  html_printf(&h, "\">%h の代理の予約の画面へ進む</a></li></ul>", ro->center->name);
  web_book_back_links(r, &h, ro, day, k);
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}

/* Admins and analysts who chose a slot: booking is done by the citizens
** themselves or by staff at the counter; the ways back (and for an admin,
** who may use the counter's pages, the 代理の予約 form). */
static struct reply no_booking_page(struct req *r, const struct room *ro, int32_t day, int k) {
  struct html h = {0};
  struct page pg = {.title = "このアカウントでは予約できません", .nav = "search"};
  page_begin(r, &h, &pg);
  html_raw(&h, "<h1>このアカウントでは予約できません</h1>");
  room_facts(&h, ro);
  chosen_line(r, &h, day, k);
  html_raw(&h, "<p class=\"lead\" id=\"who-books\">部屋の予約は、利用者が自分のアカウントで申し込むか、"
               "公民館の窓口で職員が受け付けます (代理の予約)。管理者や分析担当のアカウントからは、"
               "この画面で予約できません。</p>");
  if (r->ctx.actor.role == ROLE_ADMIN) {
    html_raw(&h, "<p>窓口で受け付けるときは、<a href=\"");
    behalf_href(r, &h, ro, day, k);
    html_printf(&h, "\">%h の代理の予約</a>の画面を使ってください (選んだ部屋・日・時間帯は入力してあります)。</p>",
                ro->center->name);
  }
  web_book_back_links(r, &h, ro, day, k);
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}

/* The sign-up and sign-in sections of the page below, both coming back to
** NEXT (the booking form of the choice). */
static void account_sections(struct req *r, struct html *h, const struct page_form *fm,
                             const char *next) {
  html_raw(h, "<section class=\"panel\" aria-labelledby=\"first-title\"><h2 id=\"first-title\">"
              "はじめての方: 登録して予約へ進む</h2>");
  web_register_form(r, h, fm, next, "登録して予約へ進む");
  html_raw(h, "</section><section class=\"panel\" aria-labelledby=\"again-title\">"
              "<h2 id=\"again-title\">利用者番号をお持ちの方: ログインして予約へ進む</h2>");
  html_raw(h, "<p>利用者番号とパスワードでログインすると、この予約の続きに戻ります。</p>"
              "<ul class=\"links\"><li><a class=\"button button-secondary\" href=\"/signin?next=");
  html_url(h, next);
  html_raw(h, "\">ログインして予約へ進む</a></li>"
              "<li><a href=\"/password-reset\">パスワードを忘れたとき</a></li></ul>");
  web_oidc_signin_button(h, next); /* only when a provider is configured */
  html_raw(h, "</section>");
}

/* The page for someone not signed in who chose a slot: what they chose, and
** on the same page the sign-up form and the sign-in form, both coming back
** to the booking form with the choice kept (issue 13 point 16: no detour
** through pages that forget the slot). A free slot of today that the rule
** book lets be taken without registration (core/bookable.c BK_SAMEDAY) also
** gets 「登録しないで今日使う」 (http/web_sameday.c), first: for today it is
** the short way; a slot only that way can have (the web's own deadline has
** passed), only it. STATUS 200 at first; after a refused sign-up, its status
** with FM's values and errors and MESSAGE (an error of no one field, or NULL)
** above, the choice still said and carried. */
static struct reply signup_first_page(struct req *r, const struct room *ro, const char *date,
                                      const char *slot, unsigned status,
                                      const struct page_form *fm, const char *message) {
  struct html next = {0}, h = {0};
  struct kerrinfo ei = {0};
  html_printf(&next, "/book?room=%I", (int64_t)ro->id);
  if (date && *date) html_printf(&next, "&date=%u", date);
  if (slot && *slot) html_printf(&next, "&slot=%u", slot);
  if (next.oom) return reply_fail();
  int32_t day = 0;
  int k = web_book_chosen(r, date, slot, &day);
  int failed = status >= 400;
  /* RULE: same-day use without registration on the web (never offer what will be refused) */
  int sameday = k >= 0 && !web_book_refusal(r, BK_SAMEDAY, ro, day, k, &ei);
  kerr_clear(&ei);
  int account = k < 0 || !web_book_refusal(r, BK_ONLINE, ro, day, k, &ei);
  kerr_clear(&ei);
  struct page pg = {.title = account ? "予約の申し込み (登録またはログイン)" : "予約の申し込み (登録しないで今日使う)",
                    .nav = "search", .flags = failed ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  html_raw(&h, "<h1>予約の申し込み</h1>");
  if (failed) web_register_errors(&h, message, fm);
  steps(&h, 1);
  room_facts(&h, ro);
  chosen_line(r, &h, day, k);
  if (sameday && account)
    html_raw(&h, "<p>今日のこの時間帯は、<a href=\"#sameday\">登録しないで、お名前と電話番号だけで使えます</a>。"
                 "利用者の登録 (無料) をすると、次からはインターネットで前もって予約できます。"
                 "登録すると、すぐにこの予約の続きに進みます。選んだ部屋と日は、そのまま残ります。</p>");
  else if (account)
    html_raw(&h, "<p>予約には、利用者の登録 (無料) が必要です。登録すると、すぐにこの予約の続きに進みます。"
                 "選んだ部屋と日は、そのまま残ります。</p>");
  if (sameday) {
    struct page_form none = {0};
    web_sameday_section(r, &h, ro, day, k, &none);
  }
  if (account) account_sections(r, &h, fm, next.p);
  page_end(r, &h, &pg);
  html_free(&next);
  return page_reply(r, status, &h);
}

/* The room of a booking address NEXT ("/book?room=ID&date=D&slot=CODE"),
** NULL for any other; *Q (to json_decref) holds its query, date and slot. */
static const struct room *next_room(struct req *r, const char *next, json_t **q) {
  int err = 0;
  *q = NULL;
  if (!next || strncmp(next, "/book?", 6)) return NULL;
  *q = form_parse(next + 6, strlen(next + 6), &err);
  if (!*q) return NULL;
  json_t *room = json_object_get(*q, "room");
  json_t *which = json_pack("{s:O?}", "room_id", json_is_string(room) ? room : NULL);
  const struct room *ro = which ? room_of(r, which) : NULL;
  json_decref(which);
  return ro;
}

int web_book_signup_again(struct req *r, const char *next, unsigned status,
                          const json_t *values, const json_t *errors, const char *message,
                          struct reply *out) {
  json_t *q;
  const struct room *ro = next_room(r, next, &q);
  if (ro) {
    struct page_form fm = {.values = values, .errors = errors};
    *out = signup_first_page(r, ro, json_string_value(json_object_get(q, "date")),
                             json_string_value(json_object_get(q, "slot")), status, &fm, message);
  }
  json_decref(q);
  return ro ? 0 : -1;
}

void web_book_going_to(struct req *r, struct html *h, const char *next) {
  json_t *q;
  const struct room *ro = next_room(r, next, &q);
  if (ro) {
    int32_t day = 0;
    int k = web_book_chosen(r, json_string_value(json_object_get(q, "date")),
                        json_string_value(json_object_get(q, "slot")), &day);
    html_raw(h, "<section class=\"panel\" id=\"going-to\" aria-labelledby=\"going-title\">"
                "<h2 id=\"going-title\">ログインすると、この予約の続きに戻ります</h2>");
    room_facts(h, ro);
    chosen_line(r, h, day, k);
    html_raw(h, "</section>");
  }
  json_decref(q);
}

/* GET /book?room=ID[&date=D][&slot=CODE][&registered=1] -> 200 the booking
** form for the room, with the date and slot chosen filled in (registered=1:
** the person has just signed up on the way, and the form shows their new
** system ID at its top); a page asking to choose a room when there is none;
** 404 for an unknown room. Anyone, each as fits:
**   - a citizen: the form; a slot that cannot be booked says why at its top;
**   - someone not signed in: a slot that nobody could book now (the rule
**     check and whether it is taken) gets the page that says why, with the
**     ways back; any other, the choice with the sign-up and sign-in forms,
**     which come back here;
**   - staff: the way to the counter's 代理の予約 for the slot;
**   - admins and analysts: a page saying who books, with the ways back. */
struct reply web_book(struct req *r) {
  const char *room = req_query(r, "room"), *date = req_query(r, "date"),
             *slot = req_query(r, "slot");
  if (!room || !*room) return choose_room_page(r, 200);
  json_t *values = json_pack("{s:s}", "room_id", room);
  if (!values) return reply_error(r, KERR_INTERNAL, NULL);
  const struct room *ro = room_of(r, values);
  if (!ro) {
    json_decref(values);
    return reply_error(r, KERR_NOT_FOUND, NULL);
  }
  int32_t day = 0;
  int k = web_book_chosen(r, date, slot, &day);
  struct kerrinfo ei = {0};
  struct reply ret;
  switch (r->ctx.actor.role) {
  case ROLE_CITIZEN:
    break;
  case ROLE_ANON:
    json_decref(values);
    /* refused with an account and without: why, and the ways back */
    if (k >= 0 && web_book_refusal(r, BK_ONLINE, ro, day, k, &ei) &&
        web_book_refusal(r, BK_SAMEDAY, ro, day, k, NULL)) {
      ret = refused_page(r, ro, day, k, ei.message[0] ? ei.message : "予約できません。");
      kerr_clear(&ei);
      return ret;
    }
    {
      struct page_form fm = {0};
      return signup_first_page(r, ro, date, slot, 200, &fm, NULL);
    }
  case ROLE_STAFF:
    json_decref(values);
    return staff_page(r, ro, day, k);
  default:
    json_decref(values);
    return no_booking_page(r, ro, day, k);
  }
  if (date) json_object_set_new(values, "date", json_string(date));
  if (slot) json_object_set_new(values, "slots", json_pack("[s]", slot));
  json_object_set_new(values, "group_id", json_string(""));
  /* a slot the web cannot take now says why at the top of the form */
  if (k >= 0) web_book_refusal(r, BK_ONLINE, ro, day, k, &ei);
  ret = web_booking_form(r, 200, values, ei.message[0] ? ei.message : NULL, NULL, NULL);
  kerr_clear(&ei);
  json_decref(values);
  return ret;
}

/* ================================================== the review step */

/* A hidden field per value of NAME in VALUES. */
static void hidden(struct html *h, const json_t *values, const char *name) {
  const json_t *v = json_object_get(values, name), *e;
  size_t i;
  if (json_is_array(v)) {
    json_array_foreach(v, i, e) if (json_is_string(e))
        html_printf(h, "<input type=\"hidden\" name=\"%h\" value=\"%h\">", name, json_string_value(e));
  } else if (json_is_string(v)) {
    html_printf(h, "<input type=\"hidden\" name=\"%h\" value=\"%h\">", name, json_string_value(v));
  } else if (json_is_integer(v)) {
    html_printf(h, "<input type=\"hidden\" name=\"%h\" value=\"%I\">", name,
                (int64_t)json_integer_value(v));
  }
}

/* In whose name B is (名義), into OUT[N]: the group's name; else 個人 with the
** name of the person who booked, 「個人（前橋 花子）」: the walk-in's, or the
** account's when the reader is that person or staff (nobody else sees a
** booking made alone); 「個人」 when no name is known. */
static void holder_label(struct req *r, const struct booking *b, char *out, size_t n) {
  const char *name = NULL;
  json_t *u = NULL;
  if (b->group_id) {
    snprintf(out, n, "%s", b->group_name);
    return;
  }
  if (!b->account_id) name = b->walkin_name;
  else if (b->account_id == r->ctx.actor.account_id || desk_is_staff(&r->ctx))
    name = json_string_value(json_object_get(u = users_get(&r->ctx, b->account_id), "name"));
  if (name && *name) snprintf(out, n, "個人（%s）", name);
  else snprintf(out, n, "個人");
  json_decref(u);
}

/* The booking's facts: what is booked, for whom, and what it costs. V is a
** booking or a quote (booking_quote_view). */
void web_book_facts(struct req *r, struct html *h, const struct booking_view *v) {
  const struct booking *b = &v->b;
  int32_t day = 0;
  char dl[48], sl[200], yen[32], holder[512];
  date_parse(b->date, &day);
  holder_label(r, b, holder, sizeof holder);
  page_date_label(day, 1, dl, sizeof dl);
  const struct rules *ru = rules_in_force(r->ctx.rb, day);
  web_book_slots_text(ru, b->slots, v->start, v->end, sl, sizeof sl);
  html_printf(h, "<dl class=\"facts card-facts\">"
                 "<div><dt>公民館</dt><dd>%h</dd></div>"
                 "<div><dt>部屋</dt><dd>%h</dd></div>"
                 "<div><dt>利用する日</dt><dd>%h</dd></div>"
                 "<div><dt>時間帯</dt><dd>%h</dd></div>"
                 "<div><dt>利用目的</dt><dd>%h</dd></div>"
                 "<div><dt>人数</dt><dd>%d人</dd></div>"
                 "<div><dt>名義</dt><dd>%h</dd></div>",
              v->room ? v->room->center->name : "", v->room ? v->room->name : "", dl, sl,
              b->purpose, b->attendees, holder);
  page_yen(b->fee_total, yen, sizeof yen);
  /* a booking called off: the fee it had (what it came to is web_book_called_off_row's) */
  html_printf(h, "<div><dt>使用料%s</dt><dd><strong class=\"fee-total\">%h</strong>",
              v->status == BOOKING_CANCELLED || v->status == BOOKING_LAPSED ? " (取り消す前)" : "", yen);
  if (b->fee_discount > 0) {
    char a[32], c[32];
    page_yen(b->fee_base, a, sizeof a);
    page_yen(b->fee_discount, c, sizeof c);
    html_printf(h, "<span class=\"fee-detail\">(使用料 %h から、減免で %h 安くなります)</span>", a, c);
  }
  if (v->campaign)
    html_printf(h, "<span class=\"fee-detail\">(%hのため無料です)</span>", v->campaign);
  html_raw(h, "</dd></div></dl>");
}

int web_book_called_off_fee(struct req *r, const struct booking *b, enum booking_status st,
                            char *out, size_t n) {
  if (st != BOOKING_CANCELLED && st != BOOKING_LAPSED) return 0;
  struct payment_row *rows = NULL;
  int nrows = 0;
  long long paid = 0, refunded = 0;
  if (payment_rows(&r->ctx, b->id, &rows, &nrows)) nrows = 0;
  for (int i = 0; i < nrows; i++) {
    if (rows[i].amount > 0) paid += rows[i].amount;
    else refunded -= rows[i].amount;
  }
  free(rows);
  page_called_off_fee(payment_due(&r->ctx, b), paid, refunded, out, n);
  return 1;
}

int web_book_called_off_row(struct req *r, struct html *h, const struct booking *b,
                            enum booking_status st) {
  char fee[256];
  if (!web_book_called_off_fee(r, b, st, fee, sizeof fee)) return 0;
  html_printf(h, "<div><dt>取消料・支払い</dt><dd class=\"fee-called-off\">%h</dd></div>", fee);
  return 1;
}

void web_book_payment(struct req *r, struct html *h, const struct booking_view *v) {
  enum booking_status st = v->status;
  if (!booking_status_active(st)) return;
  long long total = v->b.fee_total;
  if (total <= 0) {
    html_raw(h, "<p class=\"pay\" id=\"pay\">この予約の使用料はかかりません。払う手続きはありません。</p>");
    return;
  }
  int32_t day = 0;
  date_parse(v->b.date, &day);
  int64_t start = clock_local(day, strlen(v->start) == 5 ? time_parse_hhmm(v->start) : 0);
  const struct rules *ru = rules_current(r->ctx.rb, r->ctx.now);
  char yen[32], hours[256], when[64], ways[256];
  page_yen(total, yen, sizeof yen);
  rules_counter_hours_text(ru, hours, sizeof hours);
  payment_methods_text(ways, sizeof ways);
  int64_t by = desk_pay_by(ru, start, r->ctx.now);
  html_printf(h, "<div class=\"pay\" id=\"pay\"><h2>使用料の払い方</h2><p>%s使用料 <strong>%h</strong> を、"
                 "%h の窓口で払ってください。使える支払い方法: %h。</p>",
              st == BOOKING_HELD ? "予約を確定したあと、" : "", yen,
              v->room ? v->room->center->name : "", ways);
  if (by) {
    page_instant_label(by, when, sizeof when);
    html_printf(h, "<p>払う期限: <strong>%h まで</strong> (利用する前に払ってください)。</p>", when);
  } else {
    int64_t next = desk_next_open(ru, start);
    page_date_label(clock_today(next ? next : start), 1, when, sizeof when);
    html_printf(h, "<p>利用する前に窓口が開く時間がないため、<strong>利用したあと、%h 以降</strong>に窓口で払ってください。</p>",
                when);
  }
  html_printf(h, "<p>窓口の受付: %h</p></div>", hours);
}

/* The cancellation terms of V, in one sentence, as of now: never a free
** period that has already ended (issue 13 point 5). */
static void cancel_terms(struct req *r, struct html *h, const struct booking_view *v) {
  if (!v->has_terms) return;
  char dl[48], yen[32];
  page_date_label(v->free_until, 1, dl, sizeof dl);
  int refused = v->refused_after_deadline;
  page_yen(v->fee_after_deadline, yen, sizeof yen);
  if (clock_today(r->ctx.now) > v->free_until) {
    if (refused)
      html_printf(h, "<p><strong>無料で取り消せる期限 (%h) は、もう過ぎています。</strong>"
                     "確定した後は、オンラインでは取り消せません。</p>", dl);
    else
      html_printf(h, "<p><strong>無料で取り消せる期限 (%h) は、もう過ぎています。</strong>"
                     "確定した後に取り消すと、取消料 %h がかかります。仮予約のうちは無料で取り消せます。</p>",
                  dl, yen);
  } else if (refused) {
    html_printf(h, "<p>取り消しは %h まで無料でできます。それより後は、オンラインでは取り消せません。</p>", dl);
  } else {
    html_printf(h, "<p>確定した後の取り消しは、%h まで無料です。それより後は、取消料 %h がかかります。</p>",
                dl, yen);
  }
}

/* The confirmation page of quote Q (booking_quote_view: the booking it
** would make renders like a booking). */
static struct reply review_page(struct req *r, const json_t *values,
                                const struct booking_quote *q) {
  char until[64], key[33];
  unsigned char raw[16];
  const struct booking_view *v = &q->v;
  page_instant_label(v->b.hold_expires_at, until, sizeof until);
  randombytes_buf(raw, sizeof raw);
  sodium_bin2hex(key, sizeof key, raw, sizeof raw);

  struct html h = {0};
  struct page pg = {.title = "申し込み内容の確認", .nav = "search"};
  page_begin(r, &h, &pg);
  html_raw(&h, "<h1>申し込み内容の確認</h1>");
  steps(&h, 2);
  html_raw(&h, "<p class=\"note note-warn\"><strong>まだ申し込みは終わっていません。</strong>"
               "内容を確かめて、下の「この内容で予約する」を押してください。</p>");
  web_book_facts(r, &h, v);
  html_raw(&h, "<section aria-labelledby=\"terms-title\"><h2 id=\"terms-title\">取り消しについて</h2>");
  cancel_terms(r, &h, v);
  html_raw(&h, "</section>");
  page_form_begin(r, &h, "post", "/forms/booking");
  static const char *const names[] = {"room_id", "date", "slots", "purpose", "attendees", "group_id"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) hidden(&h, values, names[i]);
  /* a double click applies once: the second post replays the first */
  html_printf(&h, "<input type=\"hidden\" name=\"idempotency_key\" value=\"%h\">", key);
  /* One step: the booking is made and confirmed at once. Someone who wants
  ** time to think keeps a provisional hold instead (the rule book's holds). */
  html_printf(&h, "<div class=\"form-actions\"><button class=\"button\" type=\"submit\" name=\"confirm\" "
                  "value=\"1\">この内容で予約する</button></div>"
                  "<details class=\"hold-choice\"><summary>すぐに決められないとき (仮予約)</summary>"
                  "<p>仮予約にすると、%d時間のあいだ部屋をおさえておけます。いま仮予約にすると、"
                  "<strong>%h</strong> までに「予約を確定する」を押してください。"
                  "押さないと、仮予約は自動で取り消されます。</p>"
                  "<div class=\"form-actions\"><button class=\"button button-secondary\" type=\"submit\" "
                  "name=\"confirm\" value=\"0\">仮予約にする</button></div></details></form>",
              q->hold_hours, until);
  page_form_begin(r, &h, "post", "/book/review");
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) hidden(&h, values, names[i]);
  html_raw(&h, "<input type=\"hidden\" name=\"edit\" value=\"1\">"
               "<div class=\"form-actions\"><button class=\"button button-secondary\" type=\"submit\">"
               "入力の画面に戻って直す</button></div></form>");
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}

/* The field a rule's refusal belongs to, so that it is shown there. */
const char *web_book_error_field(int code) {
  switch (code) {
    case KERR_SLOT_TAKEN: return "slots";
    case KERR_OUTSIDE_WINDOW:
    case KERR_CAMPAIGN_DAY:
    case KERR_CLOSED: return "date";
    case KERR_CAPACITY: return "attendees";
    case KERR_NOT_FOUND: return "group_id";
    default: return NULL;
  }
}

/* POST /book/review (form) room_id, date, slots, purpose, attendees, group_id
** [, edit=1] -> 200 the confirmation page (centre, room, date, slots, fee,
** the hold's expiry were it made now, the cancellation terms) with the button
** that applies (POST /forms/booking); nothing is written. With edit=1, or
** when a rule refuses (422/409/404), the form again, values kept, every error
** by its field. Citizens. */
struct reply web_book_review(struct req *r) {
  const char *edit = req_str(r, "edit");
  if (edit && !strcmp(edit, "1")) return web_booking_form(r, 200, r->json, NULL, NULL, NULL);
  struct kerrinfo ei = {0};
  struct booking_quote *q = malloc(sizeof *q);
  if (!q) return reply_error(r, KERR_INTERNAL, NULL);
  int rc = booking_quote_view(&r->ctx, r->json, q, &ei);
  struct reply ret;
  if (rc) {
    const char *field = web_book_error_field(rc);
    const char *msg = ei.message[0] ? ei.message : kerr_message(rc);
    if (field && rc != KERR_VALIDATION) {
      char copy[sizeof ei.message];
      snprintf(copy, sizeof copy, "%s", msg);
      kerr_field(&ei, field, copy);
      msg = NULL;
    } else if (rc == KERR_VALIDATION) {
      msg = NULL;
    }
    ret = web_booking_form(r, (unsigned)kerr_http_status(rc), r->json, msg, ei.fields, NULL);
  } else {
    ret = review_page(r, r->json, q);
  }
  free(q);
  kerr_clear(&ei);
  return ret;
}

/* ======================================================= the receipt */

struct reply web_booking_receipt(struct req *r, const char *receipt,
                                 const struct form_result *res) {
  (void)receipt; /* kept with the submission; the citizen sees one number, the 予約番号 */
  char until[64] = "-";
  const struct booking_view *v = res->booking;
  int64_t id = v->b.id;
  enum booking_status st = v->status;
  int held = st == BOOKING_HELD;
  if (held && v->b.hold_expires_at) page_instant_label(v->b.hold_expires_at, until, sizeof until);
  const char *title = held ? "仮予約を受け付けました" : "予約が確定しました";
  struct html h = {0};
  struct page pg = {.title = title};
  page_begin(r, &h, &pg);
  html_printf(&h, "<h1>%h</h1>", title);
  steps(&h, 3);
  html_printf(&h, "<div class=\"receipt\"><p class=\"receipt-label\">予約番号</p>"
                  "<p class=\"receipt-number\" id=\"booking-id\">%I</p>"
                  "<p>問い合わせや窓口では、この番号を伝えてください。</p></div>",
              id);
  if (held) {
    html_printf(&h, "<div class=\"note note-warn\" id=\"hold-expiry\"><p><strong>まだ予約は確定していません。</strong></p>"
                    "<p><strong>%h</strong> までに、下の「予約を確定する」を押してください。"
                    "この時刻を過ぎると、仮予約は自動で取り消されます。</p></div>",
                until);
    char action[64];
    snprintf(action, sizeof action, "/my/bookings/%lld/confirm", (long long)id);
    page_form_begin(r, &h, "post", action);
    page_form_end(&h, "予約を確定する");
  } else if (st == BOOKING_CONFIRMED) {
    html_printf(&h, "<p class=\"note\" id=\"confirmed\">予約は確定しました。"
                    "<a class=\"button\" href=\"/my/bookings/%I/permit\">使用許可書を見る・印刷する</a></p>",
                id);
  }
  web_book_facts(r, &h, v);
  web_book_payment(r, &h, v);
  html_printf(&h, "<ul class=\"links\"><li><a href=\"/my/bookings/%I\">この予約の詳しい内容 (取り消しもここから)</a></li>"
                  "<li><a href=\"/my\">マイページ (予約の一覧)</a></li></ul>",
              id);
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}
