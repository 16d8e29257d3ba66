/*
** http/web_counter.c: the counter page (窓口) and the printable daily ledger
** (see web_counter.h; docs/web.md). For staff and admins; personal data.
**
** One page for the clerk doing five things at once: today's rooms and
** slots with who holds them, paid or not, checked in or not; the actions on
** each of today's bookings (confirm a hold, take the payment, check in); the
** walk-in form; the link to the day's ledger, a page made to be printed.
** Every action is a form post with the CSRF token, answered 303 back to the
** page with what was done (a reload does nothing twice) or, when refused,
** the page again with the reason (the walk-in form keeps what was typed and
** shows each error at its field).
**
** The work is core/counter.c's and core/payments.c's: counter hours, the
** same-day rule, payments of exactly the amount due, the usage log.
*/
#include "web_counter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/bookings.h"
#include "../core/clock.h"
#include "../core/counter.h"
#include "../core/input.h"
#include "../core/text.h"
#include "../core/payments.h"
#include "../core/permits.h"
#include "../core/ids.h"
#include "pages.h"
#include "reply.h"
#include "web_book.h"
#include "web_my.h"
#include "web_oidc.h"

/* The centre asked for (?center= or the form's), or "" for the home centre. */
static const char *center_of(struct req *r) {
  const char *c = req_query(r, "center");
  if (!c) c = req_str(r, "center");
  return c ? c : "";
}

/* The room the form posted (room_id), or NULL when it names none. */
static const struct room *room_posted(struct req *r) {
  const char *room = req_str(r, "room_id");
  if (!room || !*room || strspn(room, "0123456789") != strlen(room) || strlen(room) >= 16) return NULL;
  return rules_room_by_id(r->ctx.rb, atoll(room));
}

static const char *done_message(const char *d) {
  if (!d) return NULL;
  if (!strcmp(d, "walkin")) return "当日利用を受け付けました。";
  if (!strcmp(d, "paid")) return "支払いを記録しました。";
  if (!strcmp(d, "refunded")) return "返金を記録しました。";
  if (!strcmp(d, "checkin")) return "入館を記録しました。";
  if (!strcmp(d, "checkin_early"))
    return "入館を記録しました (利用時間の前の入館です。部屋は利用時間から使えます)。";
  if (!strcmp(d, "confirmed")) return "予約を確定しました。";
  if (!strcmp(d, "noshow")) return "来館なしとして記録しました。";
  if (!strcmp(d, "cancelled")) return "予約を取り消しました。";
  if (!strcmp(d, "booked")) return "代理の予約を受け付けました。";
  return NULL;
}

/* The K-th way to pay, with its name from core/payments.c (the one list). */
static struct page_option pay_method(int k) {
  const char *code = payment_method_code(k);
  return (struct page_option){code, payment_method_label(code), NULL};
}

/* ======================================================= the walk-in */

struct walkin_form {
  struct page_option rooms[64];
  char rlab[64][400], rval[64][24];
  int nrooms;
  struct page_option slots[RULES_MAX_SLOTS];
  char slab[RULES_MAX_SLOTS][96];
  int nslots;
  char slots_support[256];
  struct page_option pays[5];
  struct page_field fields[7];
};

/* "午前210円・午後320円・夜間540円" for ROOM today under RU (a campaign day: "無料 (NAME)"). */
static void walkin_fees(const struct rules *ru, const struct room *room, int32_t day, char *out,
                        size_t n) {
  size_t off = 0;
  out[0] = 0;
  if (!ru || !room) return;
  const struct campaign *cp = rules_campaign(ru, room, day);
  if (cp) {
    snprintf(out, n, "今日は無料 (%s)", cp->name);
    return;
  }
  for (int s = 0; s < ru->nslots && off < n; s++) {
    int yen = rules_fee(ru, room->fee_class, s);
    char y[32];
    if (yen < 0) continue;
    page_yen(yen, y, sizeof y);
    off += (size_t)snprintf(out + off, n - off, "%s%s%s", off ? "・" : "", ru->slots[s].label, y);
  }
}

static void walkin_build(struct req *r, const struct counter_view *v, struct walkin_form *f) {
  memset(f, 0, sizeof *f);
  int32_t today_d = clock_today(r->ctx.now);
  const struct rules *ru = rules_in_force(r->ctx.rb, today_d);
  for (int i = 0; i < v->nrooms && f->nrooms < 64; i++) {
    const struct room *ro = v->rooms[i].room;
    int k = f->nrooms++;
    snprintf(f->rval[k], sizeof f->rval[k], "%lld", (long long)ro->id);
    /* the fee of each time of day today, before anything is sent (issue 13 point 12) */
    char fees[240] = "";
    walkin_fees(ru, ro, today_d, fees, sizeof fees);
    snprintf(f->rlab[k], sizeof f->rlab[k], "%s (%s・%d人) %s", ro->name, ro->kind, ro->capacity,
             fees);
    f->rooms[k] = (struct page_option){f->rval[k], f->rlab[k], NULL};
  }
  /* RULE: same-day walk-in. Only the times of day core would take now in some
  ** room (bookable_check's answer in the view: a slot whose time to be taken
  ** is over, or free nowhere, is not offered; the page says which are over). */
  char over[128] = "";
  size_t off = 0;
  for (int s = 0; s < v->rules->nslots; s++) {
    const struct slotdef *sd = &v->rules->slots[s];
    int open = 0, ended = 0;
    for (int i = 0; i < v->nrooms; i++) {
      const struct counter_cell *c = &v->rooms[i].cells[s];
      open |= c->state == CELL_FREE && c->walkin_open;
      ended |= c->state == CELL_FREE && c->walkin_answer == BK_OVER;
    }
    if (!open) {
      if (ended && off < sizeof over)
        off += (size_t)snprintf(over + off, sizeof over - off, "%s%s", off ? "・" : "", sd->label);
      continue;
    }
    int k = f->nslots++;
    snprintf(f->slab[k], sizeof f->slab[k], "%s %d:%02d〜%d:%02d%s", sd->label, sd->start / 60,
             sd->start % 60, sd->end / 60, sd->end % 60,
             r->ctx.now >= clock_local(today_d, sd->start) ? " (始まっている時間帯)" : "");
    f->slots[k] = (struct page_option){sd->code, f->slab[k], NULL};
  }
  if (over[0])
    snprintf(f->slots_support, sizeof f->slots_support,
             "%sは受付を終了しました (当日利用は、時間帯が始まるまで受け付けます)。", over);
  f->pays[0] = (struct page_option){"", "あとで払う (未払いのまま)", NULL};
  for (int k = 0; k < PAYMENT_NMETHODS; k++) f->pays[k + 1] = pay_method(k);
  struct page_field fs[7] = {
    {.name = "room_id", .label = "部屋", .type = PF_SELECT, .required = 1, .options = f->rooms,
     .noptions = f->nrooms, .support = "部屋の名前のあとに、今日の使用料 (時間帯ごと) が出ています。減免はありません。"},
    {.name = "slots", .label = "時間帯 (今日)", .type = PF_CHECKBOXES, .required = 1,
     .options = f->slots, .noptions = f->nslots, .support = f->slots_support[0] ? f->slots_support : NULL},
    {.name = "name", .label = "お名前", .type = PF_TEXT, .required = 1, .maxlength = 100, .size = "m",
     .autocomplete = "off"},
    {.name = "phone", .label = "電話番号", .type = PF_TEL, .required = 1, .maxlength = 20, .size = "m",
     .autocomplete = "off"},
    {.name = "attendees", .label = "人数", .type = PF_NUMBER, .required = 0, .maxlength = 5, .size = "s"},
    {.name = "purpose", .label = "利用目的", .type = PF_TEXT, .required = 0, .maxlength = 200},
    {.name = "payment_method", .label = "支払い", .type = PF_RADIOS, .required = 0, .options = f->pays,
     .noptions = 5, .support = "使用料をいま受け取るときは、支払いの方法を選びます。"},
  };
  memcpy(f->fields, fs, sizeof fs);
}

/* ===================================================== the page */

/* The name a booking is shown under: its group's, else its holder's. */
static const char *shown_name(const struct counter_booking *w) {
  return !w->walkin && w->b.group_id ? w->b.group_name : w->holder_name;
}

/* The state of W in words. A checked-in booking is 利用中 while its time is
** under way and 利用済み only after it ends (core's counter_use_span: the
** first slot's start to the last one's end); checked in early, it says so. */
static const char *card_status(struct req *r, const struct counter_booking *w) {
  int64_t start, end;
  if (w->status != BOOKING_CHECKED_IN) return web_my_status_label(w->status);
  counter_use_span(&r->ctx, &w->b, &start, &end);
  if (end && r->ctx.now >= end) return "利用済み (入館済み)";
  if (start && r->ctx.now < start) return "入館済み (利用時間の前)";
  return "利用中 (入館済み)";
}

/* A cell of today's rooms table: a free slot whose time to be taken is over
** (core's walk-in answer BK_OVER: it has begun) is 受付終了, not 空き; one a
** walk-in may still have while it is under way (same_day.until slot_end)
** says so. */
static void slot_cell(struct req *r, struct html *h, const struct counter_view *v, int s,
                      const struct counter_cell *c) {
  if (c->state == CELL_FREE && c->walkin_answer == BK_OVER) {
    html_raw(h, "<td class=\"st st-past\"><span class=\"sym\" aria-hidden=\"true\">ー</span>受付<wbr>終了</td>");
    return;
  }
  if (c->state == CELL_FREE) {
    int32_t day = clock_today(r->ctx.now);
    int begun = r->ctx.now >= clock_local(day, v->rules->slots[s].start);
    html_printf(h, "<td class=\"st st-free\"><span class=\"sym\" aria-hidden=\"true\">○</span>空き%s</td>",
                !c->walkin_open ? ""
                : begun         ? "<span class=\"grp\">当日利用可 (利用中の時間帯)</span>"
                                : "<span class=\"grp\">当日利用可</span>");
    return;
  }
  if (c->state == CELL_CLOSED) {
    page_state_cell(h, AVAIL_CLOSED, NULL);
    return;
  }
  const struct counter_booking *w = &v->bookings[c->booking];
  long long out = w->due - w->paid;
  char yen[32];
  page_yen(out, yen, sizeof yen);
  html_printf(h, "<td class=\"st st-taken\"><span class=\"sym\" aria-hidden=\"true\">×</span>"
                 "<a href=\"#b-%I\">%h</a><span class=\"grp\">%h・%h%s</span></td>",
              w->b.id, shown_name(w), card_status(r, w),
              out > 0 ? yen : "", out > 0 ? "未払い" : out < 0 ? "返金あり" : "支払済み");
}

/* A refused cancellation of one card: the page shows that card's panel open,
** each error at its field (the reason, the choice of whose account) and what
** was typed and chosen (UI.md: the error at its field, the summary linking to
** it). */
struct card_error {
  int64_t id;                    /* the booking */
  const char *reason_error;      /* at the reason field, or NULL */
  const char *account_error;     /* at the choice 本人の申し出 / 市の都合, or NULL */
  const char *reason;            /* as typed, or NULL */
  const char *on_behalf;         /* as chosen ("holder", "city"), or NULL */
};

/* What cancelling W on the account of F does with the money, for THIS
** booking, in words (core's booking_cancel_quote: the same fee core will
** charge; what was paid beyond it goes back, what it does not cover is owed):
** 「取消料 210円 (使用料の50%)。支払済み 420円のうち 210円を返します。」 */
static void cancel_money_text(struct req *r, const struct counter_booking *w, enum cancel_for f,
                              char *out, size_t n) {
  struct cancel_quote q;
  char fee[32], paid[32], rest[32], d[48], head[192];
  booking_cancel_quote(&r->ctx, &w->b, f, &q);
  long long back = w->paid - q.fee;
  page_yen(q.fee, fee, sizeof fee);
  page_yen(w->paid, paid, sizeof paid);
  page_yen(back < 0 ? -back : back, rest, sizeof rest);
  if (q.fee > 0 && q.refused)
    snprintf(head, sizeof head, "取消料 %s (使用料の全額。規則では、取消の期限の後は取り消せない予約です)。", fee);
  else if (q.fee > 0)
    snprintf(head, sizeof head, "取消料 %s (使用料の%d%%)。", fee, q.percent);
  else if (f == CANCEL_FOR_CITY)
    snprintf(head, sizeof head, "取消料はかかりません。");
  else if (q.late && w->b.fee_total <= 0)
    snprintf(head, sizeof head, "取消料はかかりません (使用料がかからない予約です)。");
  else if (q.late)
    snprintf(head, sizeof head, "取消料はかかりません (使用料の%d%%)。", q.percent);
  else if (q.free_until && w->status != BOOKING_HELD) {
    clock_jdate(q.free_until, d, sizeof d);
    snprintf(head, sizeof head, "取消料はかかりません (%sまでは無料で取り消せます)。", d);
  } else
    snprintf(head, sizeof head, "取消料はかかりません%s。", w->status == BOOKING_HELD ? " (仮予約です)" : "");
  if (w->paid <= 0 && q.fee > 0)
    snprintf(out, n, "%s支払いはまだないので、取消料 %s が未払いになります (取り消したあと、このカードで受け取れます)。",
             head, fee);
  else if (w->paid <= 0) snprintf(out, n, "%s支払いはありません。", head);
  else if (q.fee == 0) snprintf(out, n, "%s支払済み %s を全額返します。", head, paid);
  else if (back > 0) snprintf(out, n, "%s支払済み %sのうち %sを返します。", head, paid, rest);
  else if (back == 0) snprintf(out, n, "%s支払済み %s を取消料にあてます (返金はありません)。", head, paid);
  else
    snprintf(out, n, "%s支払済み %s を取消料にあて、残りの %s が未払いになります。", head, paid, rest);
}

/* The choice of whose account a cancellation is (required): a radio each,
** saying what it does with the money of W; the error (CE, for this card) at
** the choice. */
static void cancel_account_choice(struct req *r, struct html *h, const struct counter_booking *w,
                                  const struct card_error *ce) {
  int64_t id = w->b.id;
  const char *err = ce ? ce->account_error : NULL;
  const char *chosen = ce && ce->on_behalf ? ce->on_behalf : "";
  char errref[48] = "", holder[512], city[512];
  if (err) snprintf(errref, sizeof errref, " onbehalf-%lld-error", (long long)id);
  cancel_money_text(r, w, CANCEL_FOR_HOLDER, holder, sizeof holder);
  cancel_money_text(r, w, CANCEL_FOR_CITY, city, sizeof city);
  html_printf(h, "<div class=\"field%s\"><fieldset class=\"field-group\" id=\"onbehalf-%I\" "
                 "aria-describedby=\"onbehalf-%I-support%s\">"
                 "<legend class=\"field-label\">取り消しの扱い <span class=\"mark mark-req\">必須</span></legend>"
                 "<p class=\"field-support\" id=\"onbehalf-%I-support\">だれの都合の取り消しかを選びます。"
                 "返金は、払われた方法で記録します。</p><div class=\"choices\">",
              err ? " has-error" : "", id, id, errref, id);
  html_printf(h, "<div class=\"choice\"><input type=\"radio\" id=\"onbehalf-%I-holder\" name=\"on_behalf\" "
                 "value=\"holder\"%s%s><label for=\"onbehalf-%I-holder\"><strong>本人の申し出</strong> "
                 "(本人から窓口・電話で): <span class=\"cancel-money\" id=\"onbehalf-%I-holder-money\">%h</span>"
                 "</label></div>",
              id, !strcmp(chosen, "holder") ? " checked" : "", err ? " aria-invalid=\"true\"" : "", id,
              id, holder);
  html_printf(h, "<div class=\"choice\"><input type=\"radio\" id=\"onbehalf-%I-city\" name=\"on_behalf\" "
                 "value=\"city\"%s%s><label for=\"onbehalf-%I-city\"><strong>市の都合</strong> "
                 "(設備の故障・休館・職員の誤りなど): <span class=\"cancel-money\" id=\"onbehalf-%I-city-money\">%h</span>"
                 "</label></div></div>",
              id, !strcmp(chosen, "city") ? " checked" : "", err ? " aria-invalid=\"true\"" : "", id, id,
              city);
  if (err)
    html_printf(h, "<p class=\"field-error\" id=\"onbehalf-%I-error\"><span class=\"error-mark\" "
                   "aria-hidden=\"true\">!</span>%h</p>",
                id, err);
  html_raw(h, "</fieldset></div>");
}

/* The panel to cancel W (取り消す): the choice of whose account, the reason,
** the button; open with the errors of CE when they are this card's. What it
** says is core's: RULE staff cancel on the holder's request or for the city's
** reason (booking_cancel_quote), RULE refund on staff cancel (what was paid
** beyond the fee, by the method it was paid with). */
static void cancel_panel(struct req *r, struct html *h, const struct counter_booking *w,
                         const char *center, const struct card_error *ce) {
  int64_t id = w->b.id;
  char action[80];
  if (ce && ce->id != id) ce = NULL;
  const char *err = ce ? ce->reason_error : NULL;
  char errref[40] = "";          /* " reason-ID-error": digits only */
  if (err) snprintf(errref, sizeof errref, " reason-%lld-error", (long long)id);
  snprintf(action, sizeof action, "/counter/bookings/%lld/cancel", (long long)id);
  page_form_begin(r, h, "post", action);
  html_printf(h, "<input type=\"hidden\" name=\"center\" value=\"%h\">"
                 "<details class=\"cancel-choice\"%s><summary>この予約を取り消す (予約番号 %I)</summary>",
              center, ce ? " open" : "", id);
  cancel_account_choice(r, h, w, ce);
  html_printf(h, "<div class=\"field%s\"><label class=\"field-label\" for=\"reason-%I\">取り消す理由 "
                 "<span class=\"mark mark-req\">必須</span></label>"
                 "<p class=\"field-support\" id=\"reason-%I-support\">例: 本人から電話で取り消しの連絡。"
                 "空調の故障で部屋が使えない。</p>"
                 "<input class=\"input\" type=\"text\" id=\"reason-%I\" name=\"reason\" maxlength=\"200\" "
                 "value=\"%h\" aria-describedby=\"reason-%I-support%s\"%s>",
              err ? " has-error" : "", id, id, id, ce && ce->reason ? ce->reason : "", id, errref,
              err ? " aria-invalid=\"true\"" : "");
  if (err)
    html_printf(h, "<p class=\"field-error\" id=\"reason-%I-error\"><span class=\"error-mark\" "
                   "aria-hidden=\"true\">!</span>%h</p>",
                id, err);
  html_printf(h, "</div><div class=\"form-actions\"><button class=\"button button-secondary\" type=\"submit\">"
                 "予約番号 %I を取り消す</button></div></details></form>",
              id);
}

/* A booking card's other actions (issue 13 point 12: on the page, not only in
** the API): 来館なし for a confirmed booking nobody came for, and 取り消す with a
** reason (what was paid is then shown to give back). Core decides whether
** each is allowed now: the button for 来館なし is there only from the time
** core's no-show grace gives (counter_noshow_from); before it, the card says
** from when. */
static void card_more_actions(struct req *r, struct html *h, const struct counter_booking *w,
                              const char *center, const struct card_error *ce) {
  int64_t id = w->b.id;
  enum booking_status status = w->status;
  char action[80];
  int64_t noshow_from = status == BOOKING_CONFIRMED && !w->checked_in_at
                            ? counter_noshow_from(&r->ctx, &w->b) : 0;
  if (noshow_from && r->ctx.now < noshow_from) {
    char at[16];
    clock_jtime(noshow_from, at, sizeof at);
    html_printf(h, "<p class=\"field-support\">来館なしとして記録できるのは %h からです。</p>", at);
  } else if (noshow_from) {
    snprintf(action, sizeof action, "/counter/bookings/%lld/noshow", (long long)id);
    page_form_begin(r, h, "post", action);
    html_printf(h, "<input type=\"hidden\" name=\"center\" value=\"%h\">", center);
    html_raw(h, "<div class=\"form-actions\"><button class=\"button button-secondary\" type=\"submit\">"
                "来館なしとして記録する</button></div></form>");
  }
  if (booking_status_active(status)) cancel_panel(r, h, w, center, ce);
}

/* "午前・午後" for the slots of W under today's rules. */
static void card_slots(struct req *r, const struct counter_booking *w, char *out, size_t n) {
  const struct rules *ru = rules_in_force(r->ctx.rb, clock_today(r->ctx.now));
  const char *p = w->b.slots;
  size_t off = 0;
  out[0] = 0;
  for (int i = 0; *p && off < n; i++) {
    char code[24];
    size_t len = strcspn(p, ",");
    snprintf(code, sizeof code, "%.*s", (int)len, p);
    int k = ru ? rules_slot_index(ru, code) : -1;
    off += (size_t)snprintf(out + off, n - off, "%s%s", i ? "・" : "", k >= 0 ? ru->slots[k].label : code);
    p += len + (p[len] == ',');
  }
}

static void booking_card(struct req *r, struct html *h, const struct counter_booking *w,
                         const char *center, const struct card_error *ce) {
  const struct booking *b = &w->b;
  int64_t id = b->id;
  const struct room *ro = rules_room_by_id(r->ctx.rb, b->room_id);
  enum booking_status status = w->status;
  int group = !w->walkin && b->group_id;
  char slots[160], fee[32], paid[32], out[32], action[80], sid[16] = "";
  card_slots(r, w, slots, sizeof slots);
  page_yen(w->due, fee, sizeof fee);
  page_yen(w->paid, paid, sizeof paid);
  long long outstanding = w->due - w->paid;
  page_yen(outstanding < 0 ? -outstanding : outstanding, out, sizeof out);
  html_printf(h, "<li class=\"card\" id=\"b-%I\"><h3>%h %h <span class=\"sub\">予約番号 %I</span></h3>"
                 "<dl class=\"facts\">"
                 "<div><dt>利用する人</dt><dd>%h%s%h%s</dd></div>",
              id, ro ? ro->name : "", slots, id, w->holder_name, group ? " (団体: " : "",
              group ? b->group_name : "", group ? ")" : "");
  if (w->walkin || w->holder_phone[0])
    html_printf(h, "<div><dt>電話</dt><dd><a href=\"tel:%h\">%h</a></dd></div>", w->holder_phone,
                w->holder_phone);
  if (!w->walkin) {
    ids_format(b->account_id, sid);
    html_printf(h, "<div><dt>利用者番号</dt><dd>%h</dd></div>", sid);
  }
  web_oidc_counter_fact(r, h, w->walkin ? NULL : sid, 1);
  html_printf(h, "<div><dt>状態</dt><dd>%h</dd></div>", card_status(r, w));
  /* called off: what it came to, in the words マイページ uses too */
  if (!web_book_called_off_row(r, h, b, status))
    html_printf(h, "<div><dt>使用料</dt><dd>%h (支払済み %h)</dd></div>", fee, paid);
  html_raw(h, "</dl>");
  html_raw(h, "<div class=\"counter-actions\">");
  if (status == BOOKING_HELD) {
    snprintf(action, sizeof action, "/counter/bookings/%lld/confirm", (long long)id);
    page_form_begin(r, h, "post", action);
    html_printf(h, "<input type=\"hidden\" name=\"center\" value=\"%h\">", center);
    page_form_end(h, "確定する");
  }
  if (outstanding != 0) {
    char label[96];
    snprintf(action, sizeof action, "/counter/bookings/%lld/pay", (long long)id);
    page_form_begin(r, h, "post", action);
    html_printf(h, "<input type=\"hidden\" name=\"center\" value=\"%h\">"
                   "<input type=\"hidden\" name=\"amount\" value=\"%I\">",
                center, (int64_t)outstanding);
    html_printf(h, "<fieldset class=\"field field-group\"><legend class=\"field-label\">%s方法 (予約番号 %I)</legend>"
                   "<div class=\"choices\">",
                outstanding > 0 ? "支払いの" : "返金の", id);
    for (int k = 0; k < PAYMENT_NMETHODS; k++)
      html_printf(h, "<div class=\"choice\"><input type=\"radio\" id=\"pay-%I-%d\" name=\"method\" value=\"%s\"%s>"
                     "<label for=\"pay-%I-%d\">%s</label></div>",
                  id, k, pay_method(k).value, k == 0 ? " checked" : "", id, k, pay_method(k).label);
    html_raw(h, "</div></fieldset>");
    snprintf(label, sizeof label, "%s%s", out, outstanding > 0 ? "を受け取る" : "を返す");
    page_form_end(h, label);
  }
  if (status == BOOKING_CONFIRMED && !w->checked_in_at) {
    snprintf(action, sizeof action, "/counter/bookings/%lld/checkin", (long long)id);
    page_form_begin(r, h, "post", action);
    html_printf(h, "<input type=\"hidden\" name=\"center\" value=\"%h\">", center);
    page_form_end(h, "入館を記録する");
  }
  card_more_actions(r, h, w, center, ce);
  html_raw(h, "</div></li>");
}

/* Today's rooms of V, a slot a column (DL: today's date in words). */
static void rooms_table(struct req *r, struct html *h, const struct counter_view *v,
                        const char *dl) {
  html_printf(h, "<section aria-labelledby=\"rooms-title\"><h2 id=\"rooms-title\">今日の部屋</h2>"
                 "<div class=\"table-wrap\"><table class=\"avail counter-table\"><caption>%h %h の部屋と利用者</caption>"
                 "<thead><tr><th scope=\"col\">部屋</th>",
              v->center->name, dl);
  for (int s = 0; v->nrooms && s < v->rules->nslots; s++) {
    const struct slotdef *sd = &v->rules->slots[s];
    char a[8], z[8];
    clock_hhmm(sd->start, a);
    clock_hhmm(sd->end, z);
    html_printf(h, "<th scope=\"col\">%h<span class=\"time\">%h〜%h</span></th>", sd->label, a, z);
  }
  html_raw(h, "</tr></thead><tbody>");
  for (int i = 0; i < v->nrooms; i++) {
    const struct room *ro = v->rooms[i].room;
    html_printf(h, "<tr><th scope=\"row\">%h<span class=\"room-meta\">%h・%d人</span></th>", ro->name,
                ro->kind, ro->capacity);
    for (int s = 0; s < v->rules->nslots; s++) slot_cell(r, h, v, s, &v->rooms[i].cells[s]);
    html_raw(h, "</tr>");
  }
  html_raw(h, "</tbody></table></div></section>");
}

/* Today's bookings of V, a card each with its actions. */
static void bookings_section(struct req *r, struct html *h, const struct counter_view *v,
                             const struct card_error *ce) {
  html_printf(h, "<section aria-labelledby=\"bookings-title\"><h2 id=\"bookings-title\">今日の予約 (%d件)</h2>",
              v->nbookings);
  if (!v->nbookings) html_raw(h, "<p>今日の予約はありません。</p>");
  else {
    html_raw(h, "<ul class=\"cards\">");
    for (int i = 0; i < v->nbookings; i++) booking_card(r, h, &v->bookings[i], v->center->code, ce);
    html_raw(h, "</ul>");
  }
  html_raw(h, "</section>");
}

static void permit_check_form(struct req *r, struct html *h, const json_t *values);
static void receipt_href(struct req *r, struct html *to, int64_t id, const char *receipt,
                         const char *done, int escaped);

/* After a staff cancellation (?done=cancelled&refund=N&booking=ID): a link to
** the 返金の控え (the receipt page of a refund) of each refund row of booking
** IDTEXT, to print and hand over with the money. Nothing for a number that
** is not a booking or a booking with no refund. */
static void refund_slips(struct req *r, struct html *h, const char *idtext) {
  if (!idtext || !*idtext || strspn(idtext, "0123456789") != strlen(idtext) || strlen(idtext) > 15) return;
  int64_t id = atoll(idtext);
  struct payment_row *rows = NULL;
  int n = 0, links = 0;
  if (payment_rows(&r->ctx, id, &rows, &n)) n = 0;
  for (int i = 0; i < n; i++) {
    if (rows[i].kind != PAYMENT_REFUND) continue;
    char yen[32];
    page_yen(-rows[i].amount, yen, sizeof yen);
    html_raw(h, links++ ? "" : "<ul class=\"links\">");
    html_raw(h, "<li><a href=\"");
    receipt_href(r, h, id, rows[i].receipt, "cancelled", 1);
    html_printf(h, "\">返金の控え (%h・%h・%h) を印刷する</a></li>", rows[i].receipt,
                payment_method_label(rows[i].method), yen);
  }
  if (links) html_raw(h, "</ul>");
  free(rows);
}

/* A number of the query's NAME (digits only, fewer than 10), else 0. */
static long long query_yen(struct req *r, const char *name) {
  const char *v = req_query(r, name);
  if (!v || !*v || strspn(v, "0123456789") != strlen(v) || strlen(v) >= 10) return 0;
  return atoll(v);
}

/* After a staff cancellation (?done=cancelled&fee=F&refund=N&owed=O, each
** when not 0): what it came to and what the clerk must do, into OUT: 1, or 0
** when there was no money to speak of (the plain 予約を取り消しました). */
static int cancel_note(struct req *r, char *out, size_t n) {
  long long fee = query_yen(r, "fee"), refund = query_yen(r, "refund"), owed = query_yen(r, "owed");
  char f[32], back[32], paid[32], o[32];
  page_yen(fee, f, sizeof f);
  page_yen(refund, back, sizeof back);
  page_yen(fee + refund - owed, paid, sizeof paid);   /* what had been paid */
  page_yen(owed, o, sizeof o);
  if (!fee && !refund) return 0;
  if (!fee)
    snprintf(out, n, "予約を取り消しました。払われていた %s を返金として記録しました。%s をお返しください。",
             back, back);
  else if (refund)
    snprintf(out, n, "予約を取り消しました。取消料は %s です。払われていた %s のうち、取消料を差し引いた %s を"
             "返金として記録しました。%s をお返しください。", f, paid, back, back);
  else if (owed && owed < fee)
    snprintf(out, n, "予約を取り消しました。取消料は %s です。払われていた %s を取消料にあて、残りの %s が"
             "未払いです。この予約のカードで受け取ってください。", f, paid, o);
  else if (owed)
    snprintf(out, n, "予約を取り消しました。取消料 %s が未払いです。この予約のカードで受け取ってください。", f);
  else
    snprintf(out, n, "予約を取り消しました。取消料 %s は、払われていた使用料にあてました (返金はありません)。", f);
  return 1;
}

/* The counter page for CENTER with STATUS; ERROR (a message, may be NULL)
** and the walk-in form's VALUES and ERRORS after a refused post; CE (may be
** NULL) a booking card's refused cancellation, shown at that card. */
static struct reply counter_page(struct req *r, unsigned status, const char *center,
                                 const char *error, const json_t *values, const json_t *errors,
                                 const struct card_error *ce) {
  struct kerrinfo ei = {0};
  struct counter_view v;
  int rc = counter_today_view(&r->ctx, center, &v, &ei);
  struct walkin_form *wf = rc ? NULL : calloc(1, sizeof *wf);
  if (rc || !wf) {
    counter_view_free(&v);
    struct reply ret = reply_error(r, rc ? rc : KERR_INTERNAL, rc ? &ei : NULL);
    kerr_clear(&ei);
    return ret;
  }
  walkin_build(r, &v, wf);
  const char *code = v.center->code;
  char dl[48], title[160];
  int32_t today = clock_today(r->ctx.now);
  page_date_label(today, 1, dl, sizeof dl);
  snprintf(title, sizeof title, "窓口 %s", v.center->name);
  const char *flash = status == 200 ? done_message(req_query(r, "done")) : NULL;
  char cancel_text[512];
  if (flash && !strcmp(req_query(r, "done"), "cancelled") && cancel_note(r, cancel_text, sizeof cancel_text))
    flash = cancel_text;
  struct page_form fm = {.values = values, .errors = errors};

  struct html h = {0};
  struct page pg = {.title = title, .nav = "admin", .flags = status >= 400 ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  html_printf(&h, "<p class=\"crumb\"><a href=\"/admin\">職員メニュー</a></p>"
                  "<h1>%h<span class=\"sub\">%h</span></h1>",
              title, dl);
  if (ce) {
    html_raw(&h, "<section class=\"error-summary\" aria-labelledby=\"error-summary-title\">"
                 "<h2 id=\"error-summary-title\">入力内容を確認してください</h2><ul>");
    if (ce->account_error)
      html_printf(&h, "<li><a href=\"#onbehalf-%I-holder\">取り消しの扱い (予約番号 %I): %h</a></li>",
                  ce->id, ce->id, ce->account_error);
    if (ce->reason_error)
      html_printf(&h, "<li><a href=\"#reason-%I\">取り消す理由 (予約番号 %I): %h</a></li>", ce->id,
                  ce->id, ce->reason_error);
    html_raw(&h, "</ul></section>");
  } else if (error || (errors && json_object_size(errors)))
    page_error_summary_msg(&h, error, wf->fields, 7, &fm);
  if (flash && flash == cancel_text) {
    /* a staff cancellation refunded: the slip of each refund (返金の控え) to print */
    html_printf(&h, "<div class=\"note note-ok\" role=\"status\"><p>%h</p>", flash);
    refund_slips(r, &h, req_query(r, "booking"));
    html_raw(&h, "</div>");
  } else if (flash) html_printf(&h, "<p class=\"note note-ok\" role=\"status\">%h</p>", flash);
  html_printf(&h, "<p class=\"note%s\">窓口の受付時間: %h。%s</p>", v.counter_open ? "" : " note-warn",
              v.hours, v.counter_open ? "いまは受付時間内です。"
                                      : "いまは受付時間外です (受付・支払い・入館の記録はできません)。");
  /* another centre */
  html_raw(&h, "<form class=\"form form-inline\" method=\"get\" action=\"/counter\" novalidate>"
               "<div class=\"field\"><label class=\"field-label\" for=\"f-center\">公民館</label>"
               "<select class=\"select size-m\" id=\"f-center\" name=\"center\">");
  for (int c = 0; c < r->ctx.rb->ncenters; c++)
    html_printf(&h, "<option value=\"%h\"%s>%h</option>", r->ctx.rb->centers[c].code,
                !strcmp(r->ctx.rb->centers[c].code, code) ? " selected" : "", r->ctx.rb->centers[c].name);
  html_printf(&h, "</select></div><div class=\"form-actions\"><button class=\"button button-secondary\" "
                  "type=\"submit\">表示する</button></div></form>"
                  "<ul class=\"links inline-links\"><li><a href=\"/counter/ledger?center=%u\">今日の台帳 (印刷用)</a></li>"
                  "<li><a href=\"/counter/book?center=%u\">代理の予約 (登録している人)</a></li>"
                  "<li><a href=\"/counter/register\">利用者の登録 (利用者番号がない人)</a></li>"
                  "<li><a href=\"#walkin-title\">当日利用の受付へ</a></li>"
                  "<li><a href=\"#permit-title\">許可書の確認へ</a></li></ul>",
              code, code);
  if (v.closed) html_raw(&h, "<p class=\"note note-closed\">今日は休館日です。</p>");
  rooms_table(r, &h, &v, dl);
  bookings_section(r, &h, &v, ce);

  /* the walk-in */
  html_raw(&h, "<section aria-labelledby=\"walkin-title\" class=\"panel\"><h2 id=\"walkin-title\">当日利用の受付 (登録なし)</h2>"
               "<p>今日の空いている部屋を、登録していない人が使うときに受け付けます。</p>");
  if (!wf->nslots) {
    /* nothing core would take: no form to fill in for a refusal */
    html_printf(&h, "<p class=\"note\">今日は、当日利用を受け付けられる時間帯がありません。%h</p>",
                wf->slots_support);
  } else {
    page_form_begin(r, &h, "post", "/counter/walkin");
    html_printf(&h, "<input type=\"hidden\" name=\"center\" value=\"%h\">", code);
    for (int f = 0; f < 7; f++) page_field(&h, &wf->fields[f], &fm);
    page_form_end(&h, "当日利用を受け付ける");
  }
  html_raw(&h, "</section>");
  permit_check_form(r, &h, NULL);
  page_end(r, &h, &pg);
  free(wf);
  counter_view_free(&v);
  return page_reply(r, status, &h);
}

/* ======================================================= permit check */

static const struct page_field permit_field = {
    .name = "permit", .label = "許可書の番号またはコード", .type = PF_TEXT, .required = 1,
    .support = "許可書に書いてある番号 (例: 1234-K7QM3X) を入力します。QRコードを読み取った文字でも確かめられます。",
    .maxlength = 4096, .size = "m"};

/* The form that checks a permit (POST /counter/permit), with VALUES kept. */
static void permit_check_form(struct req *r, struct html *h, const json_t *values) {
  struct page_form fm = {.values = values};
  html_raw(h, "<section aria-labelledby=\"permit-title\" class=\"panel\"><h2 id=\"permit-title\">許可書の確認</h2>"
              "<p>QRコードが読めないときは、許可書の番号を入力して、本物かどうかと予約の状態を確かめます。</p>");
  page_form_begin(r, h, "post", "/counter/permit");
  page_field(h, &permit_field, &fm);
  page_form_end(h, "確かめる");
  html_raw(h, "</section>");
}

/* POST /counter/permit (form) permit -> 200 what the permit says: genuine or
** not, the booking's state now, usable or not, and its essentials; the form
** again below. 422 an empty field; 429 too many look-ups. Staff, admin. */
struct reply web_counter_permit(struct req *r) {
  struct kerrinfo ei = {0};
  struct permit_check *c = malloc(sizeof *c);
  if (!c) return reply_error(r, KERR_INTERNAL, NULL);
  int rc = permit_verify_view(&r->ctx, req_str(r, "permit"), c, &ei);
  if (rc && rc != KERR_VALIDATION) {
    struct reply ret = reply_error(r, rc, &ei);
    kerr_clear(&ei);
    free(c);
    return ret;
  }
  struct html h = {0};
  struct page pg = {.title = "許可書の確認", .nav = "admin", .flags = rc ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  html_raw(&h, "<p class=\"crumb\"><a href=\"/counter\">窓口</a></p><h1>許可書の確認</h1>");
  if (rc) {
    struct page_form fm = {.values = r->json, .errors = ei.fields};
    page_error_summary(&h, &permit_field, 1, &fm);
  } else if (!c->valid) {
    html_printf(&h, "<div class=\"note note-error\" id=\"permit-result\"><p><strong>確認できません</strong></p>"
                    "<p>%h</p></div>", c->message);
  } else {
    const struct permit_view *p = &c->permit;
    char dl[48];
    page_date_label(p->day, 1, dl, sizeof dl);
    html_printf(&h, "<div class=\"note %s\" id=\"permit-result\"><p><strong>%s</strong></p>%s%h%s</div>"
                    "<dl class=\"facts\"><div><dt>予約番号</dt><dd>%I</dd></div>"
                    "<div><dt>公民館・部屋</dt><dd>%h %h</dd></div>"
                    "<div><dt>利用する日</dt><dd>%h %h〜%h</dd></div>"
                    "<div><dt>名義</dt><dd>%h</dd></div>"
                    "<div><dt>状態</dt><dd>%h</dd></div></dl>",
                c->usable ? "note-ok" : "note-warn",
                c->usable ? "本物の許可書です。この予約で使えます。" : "本物の許可書ですが、いまは使えません。",
                c->usable ? "" : "<p>", c->usable ? "" : c->message, c->usable ? "" : "</p>",
                p->booking_id, p->center_name, p->room_name, dl, p->start, p->end, p->holder,
                web_my_status_label(p->status));
  }
  permit_check_form(r, &h, r->json);
  page_end(r, &h, &pg);
  free(c);
  struct reply ret = page_reply(r, rc ? 422 : 200, &h);
  kerr_clear(&ei);
  return ret;
}

/* The centres to choose from, for a clerk with no home centre (an admin):
** a link each to its counter page (BOOK 0: /counter?center=CODE) or its
** 代理の予約 form (BOOK 1: /counter/book?center=CODE); STATUS 422 after a
** refused post that named no centre nor a room (it says so). */
static struct reply center_choice(struct req *r, int book, unsigned status) {
  struct html h = {0};
  struct page pg = {.title = book ? "代理の予約 (公民館を選ぶ)" : "窓口 (公民館を選ぶ)", .nav = "admin",
                    .flags = status >= 400 ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  html_printf(&h, "<p class=\"crumb\"><a href=\"/admin\">職員メニュー</a></p><h1>%s</h1>"
                  "<p class=\"lead\">公民館を選んでください。%s</p>",
              book ? "代理の予約" : "窓口",
              book ? "その公民館の部屋で、登録している人の予約を受け付けます。"
                   : "その公民館の今日の部屋・予約・当日利用の受付を表示します。");
  if (status >= 400)
    html_raw(&h, "<p class=\"note note-error\" role=\"alert\">受け付けられませんでした。公民館を選んで、"
                 "その公民館の部屋で、もう一度入力してください。</p>");
  html_raw(&h, "<ul class=\"links\">");
  for (int c = 0; c < r->ctx.rb->ncenters; c++)
    html_printf(&h, "<li><a href=\"%s?center=%u\">%h</a></li>", book ? "/counter/book" : "/counter",
                r->ctx.rb->centers[c].code, r->ctx.rb->centers[c].name);
  html_raw(&h, "</ul>");
  page_end(r, &h, &pg);
  return page_reply(r, status, &h);
}

/* GET /counter[?center=CODE][&done=...] -> 200 the counter page of CODE (default
** the clerk's home centre): today's rooms and slots with holders, paid or not,
** checked in or not; each booking with its actions (confirm, payment, check-in);
** the walk-in form; the link to the printable ledger. Without a centre and with
** no home centre (an admin): 200 the centres to choose from. 404 unknown
** centre. Staff, admin. */
struct reply web_counter(struct req *r) {
  if (!*center_of(r) && !r->ctx.actor.home_center[0]) return center_choice(r, 0, 200);
  return counter_page(r, 200, center_of(r), NULL, NULL, NULL, NULL);
}

/* 303 back to the counter page of the centre the form came from. */
static struct reply back(struct req *r, const char *done) {
  struct html to = {0};
  html_printf(&to, "/counter?center=%u&done=%s", center_of(r), done); /* DONE: ours, not typed */
  size_t n;
  char *loc = html_take(&to, &n);
  struct reply ret = loc ? reply_redirect(r, loc) : reply_error(r, KERR_INTERNAL, NULL);
  free(loc);
  return ret;
}

/* The address of receipt RECEIPT of booking ID (web_counter_receipt) for the
** centre the form came from; DONE (NULL, or one of receipt_done's) is what
** was just done, said on the page and on the way back to the counter. HTML
** escaped when ESCAPED (for an href), else as a Location. */
static void receipt_href(struct req *r, struct html *to, int64_t id, const char *receipt,
                         const char *done, int escaped) {
  if (escaped)
    html_printf(to, "/counter/bookings/%I/receipt?receipt=%u&amp;center=%u", id, receipt,
                center_of(r));
  else
    html_printf(to, "/counter/bookings/%I/receipt?receipt=%u&center=%u", id, receipt, center_of(r));
  if (done && escaped) html_printf(to, "&amp;done=%u", done);
  else if (done) html_printf(to, "&done=%u", done);
}

/* 303 to receipt RECEIPT of booking ID (see receipt_href). */
static struct reply to_receipt(struct req *r, int64_t id, const char *receipt, const char *done) {
  struct html to = {0};
  receipt_href(r, &to, id, receipt, done, 0);
  size_t n;
  char *loc = html_take(&to, &n);
  struct reply ret = loc ? reply_redirect(r, loc) : reply_error(r, KERR_INTERNAL, NULL);
  free(loc);
  return ret;
}

/* A refused action: the page again with the reason (404 and storage
** failures as error pages). */
static struct reply refused(struct req *r, int rc, struct kerrinfo *ei) {
  struct reply ret;
  if (rc == KERR_NOT_FOUND || kerr_http_status(rc) >= 500) ret = reply_error(r, rc, ei);
  else
    ret = counter_page(r, (unsigned)kerr_http_status(rc), center_of(r),
                       ei->message[0] ? ei->message : kerr_message(rc), NULL, NULL, NULL);
  kerr_clear(ei);
  return ret;
}

/* The centre a booking card's form came from (its hidden center, or
** ?center=), checked before anything is done, as the walk-in's is: 0 when it
** is a centre, or when none was sent (the way back is then the counter page
** of booking ID's room). A centre that is not one: 1 and *REP the counter
** page (422) of the booking's room's centre (else the clerk's home centre;
** else the centres to choose from) saying so; nothing is done. */
static int card_center_refused(struct req *r, int64_t id, struct reply *rep) {
  const char *c = center_of(r);
  if (*c && rules_center(r->ctx.rb, c)) return 0;
  const struct center *mine = NULL;
  struct booking_view *v = malloc(sizeof *v);
  if (v && !web_book_view_of_id(r, id, v) && v->room) mine = v->room->center;
  free(v);
  if (!*c) {
    if (mine && r->json && !req_query(r, "center"))
      json_object_set_new(r->json, "center", json_string(mine->code));
    return 0;
  }
  const struct center *shown = mine ? mine : rules_center(r->ctx.rb, r->ctx.actor.home_center);
  *rep = shown ? counter_page(r, 422, shown->code,
                              "公民館の指定が正しくありません。この画面から、もう一度操作してください。", NULL,
                              NULL, NULL)
               : center_choice(r, 0, 422);
  return 1;
}

/* A cancellation of booking ID refused for what was posted: the page again
** (422) with that card's panel open, REASON_ERROR at the reason field and
** ACCOUNT_ERROR at the choice of whose account (either may be NULL), what
** was typed and chosen kept, and the summary linking to each field. */
static struct reply cancel_refused(struct req *r, int64_t id, const char *reason_error,
                                   const char *account_error) {
  struct card_error ce = {.id = id, .reason_error = reason_error, .account_error = account_error,
                          .reason = req_str(r, "reason"), .on_behalf = req_str(r, "on_behalf")};
  return counter_page(r, 422, center_of(r), NULL, NULL, NULL, &ce);
}

/* POST /counter/walkin (form) room_id, slots, name, phone, attendees?, purpose?,
** payment_method?, center -> 303 to the receipt of what was paid
** (/counter/bookings/ID/receipt?...&done=walkin) when a payment method was
** chosen and there was a fee, else 303 /counter?done=walkin; the page again with the
** walk-in form's values and each error at its field (422 validation, outside
** counter hours or same-day rules, a centre that is not one or a room of
** another centre, nothing stored; 409 slot_taken). Staff, admin. */
struct reply web_counter_walkin(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  r->ctx.channel = "counter";
  /* "あとで払う": no payment method at all */
  const char *pm = req_str(r, "payment_method");
  if (pm && !*pm) json_object_del(r->json, "payment_method");
  /* The form is a centre's: its rooms, and the page it goes back to. A
  ** centre that is not one, or a room of another centre, is refused before
  ** anything is stored (the page of the room's centre, or of the one posted,
  ** comes back with what was typed); no centre sent: the room's. */
  const char *c = center_of(r);
  const struct center *ce = *c ? rules_center(r->ctx.rb, c) : NULL;
  const struct room *ro = room_posted(r);
  if ((*c && !ce) || (ce && ro && strcmp(ro->center->code, ce->code))) {
    const struct center *shown = ce ? ce : ro ? ro->center : rules_center(r->ctx.rb, r->ctx.actor.home_center);
    if (!shown) return center_choice(r, 0, 422);
    if (ce) {
      char msg[400];
      snprintf(msg, sizeof msg, "この部屋は%sの部屋ではありません。%sの部屋から選んでください。", ro->center->name,
               ce->name);
      kerr_field(&ei, "room_id", msg);
    }
    struct reply ret = counter_page(r, 422, shown->code,
                                    ce ? NULL : "公民館の指定が正しくありません。この画面から、もう一度受け付けてください。",
                                    r->json, ei.fields, NULL);
    kerr_clear(&ei);
    return ret;
  }
  if (!*c && ro) json_object_set_new(r->json, "center", json_string(ro->center->code));
  int rc = counter_walkin(&r->ctx, r->json, &out, &ei);
  if (!rc) {
    /* paid at once: to its receipt (領収書), the paper to hand over, as a
    ** payment from a booking card does; unpaid (or free): back to the page */
    int64_t id = json_integer_value(json_object_get(out, "id"));
    const char *receipt = NULL;
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(out, "payments"), i, p) {
      const char *kind = json_string_value(json_object_get(p, "kind"));
      if (kind && !strcmp(kind, "payment")) receipt = json_string_value(json_object_get(p, "receipt"));
    }
    struct reply ret = id && receipt ? to_receipt(r, id, receipt, "walkin") : back(r, "walkin");
    json_decref(out);
    return ret;
  }
  json_decref(out);
  if (rc == KERR_SLOT_TAKEN) kerr_field(&ei, "slots", ei.message[0] ? ei.message : kerr_message(rc));
  const char *msg = ei.fields && rc == KERR_VALIDATION ? NULL
                    : rc == KERR_SLOT_TAKEN            ? NULL
                    : ei.message[0]                    ? ei.message
                                                       : kerr_message(rc);
  struct reply ret = kerr_http_status(rc) >= 500 ? reply_error(r, rc, &ei)
                                            : counter_page(r, (unsigned)kerr_http_status(rc),
                                                           center_of(r), msg, r->json, ei.fields, NULL);
  kerr_clear(&ei);
  return ret;
}

/* POST /counter/bookings/{id}/checkin (form) center -> 303 /counter?done=checkin;
** the page with the reason (409 a hold or cancelled, 422 too early or outside
** counter hours, or a centre that is not one: card_center_refused); 404.
** Staff, admin. */
struct reply web_counter_checkin(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_id(r, 0);
  if (!id) return reply_error(r, KERR_NOT_FOUND, NULL);
  struct reply rep;
  if (card_center_refused(r, id, &rep)) return rep; /* nothing done */
  r->ctx.channel = "counter";
  int rc = counter_checkin(&r->ctx, id, &out, &ei);
  json_decref(out);
  if (rc) return refused(r, rc, &ei);
  /* before the slot begins: recorded, and the page says it was early (point 12) */
  int32_t day;
  struct booking_view *v = malloc(sizeof *v);
  int early = v && !web_book_view_of_id(r, id, v) && strlen(v->start) == 5 &&
              !date_parse(v->b.date, &day) &&
              clock_local(day, time_parse_hhmm(v->start)) > r->ctx.now;
  free(v);
  return back(r, early ? "checkin_early" : "checkin");
}

/* POST /counter/bookings/{id}/noshow (form) center -> 303 /counter?done=noshow;
** the page with the reason (422 before the grace period has passed, outside
** counter hours, a centre that is not one; 409 not confirmed); 404. Staff,
** admin. */
struct reply web_counter_noshow(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_id(r, 0);
  if (!id) return reply_error(r, KERR_NOT_FOUND, NULL);
  struct reply rep;
  if (card_center_refused(r, id, &rep)) return rep; /* nothing done */
  r->ctx.channel = "counter";
  int rc = counter_noshow(&r->ctx, id, &out, &ei);
  json_decref(out);
  return rc ? refused(r, rc, &ei) : back(r, "noshow");
}

/* Where a staff cancellation of ID goes back to: the counter page saying what
** it came to (done=cancelled; fee= the 取消料, refund= what was recorded as
** given back now, owed= what the fee still wants, each when not 0), OUT the
** cancelled booking with its money (booking_cancel's reply). */
static struct reply cancelled(struct req *r, int64_t id, const json_t *out) {
  long long fee = json_integer_value(json_object_get(out, "cancel_fee"));
  long long owed = json_integer_value(json_object_get(out, "outstanding")), refund = 0;
  struct payment_row *rows = NULL;
  int n = 0;
  /* the refund rows this cancellation recorded (one per method paid by) */
  if (!payment_rows(&r->ctx, id, &rows, &n))
    for (int i = 0; i < n; i++)
      if (rows[i].kind == PAYMENT_REFUND && rows[i].at == r->ctx.now) refund -= rows[i].amount;
  free(rows);
  char done[160] = "cancelled";
  size_t off = strlen(done);
  if (fee > 0) off += (size_t)snprintf(done + off, sizeof done - off, "&fee=%lld", fee);
  if (refund > 0) off += (size_t)snprintf(done + off, sizeof done - off, "&refund=%lld", refund);
  if (owed > 0) off += (size_t)snprintf(done + off, sizeof done - off, "&owed=%lld", owed);
  if (fee > 0 || refund > 0 || owed > 0)
    snprintf(done + off, sizeof done - off, "&booking=%lld", (long long)id);
  return back(r, done);
}

/* POST /counter/bookings/{id}/cancel (form) on_behalf (holder: 本人の申し出,
** city: 市の都合), reason, center -> 303 /counter?done=cancelled[&fee=F]
** [&refund=N][&owed=O][&booking=ID] (a refund then shows on the booking's
** card, with its slip; a fee not covered is owed on the card); the page with
** the reason (422 no choice or no reason: that card's panel open with each
** error at its field; outside counter hours; a centre that is not one; 409
** already cancelled); 404.
** Staff, admin. The one entry point booking_cancel. */
struct reply web_counter_cancel(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  char reason[1024] = "", account[16] = "";
  int64_t id = req_path_id(r, 0);
  if (!id) return reply_error(r, KERR_NOT_FOUND, NULL);
  struct reply rep;
  if (card_center_refused(r, id, &rep)) return rep; /* nothing done */
  r->ctx.channel = "counter";
  int rc = input_text(r->json, "reason", reason, sizeof reason);
  const char *why = rc != INPUT_OK || text_utf8_len(reason) > 200
                        ? "取り消す理由を200文字以内で入力してください (例: 本人から電話で連絡)。"
                        : NULL;
  int on_behalf = input_text(r->json, "on_behalf", account, sizeof account) == INPUT_OK
                      ? cancel_for_parse(account) : -1;
  const char *whose = on_behalf < 0 ? "取り消しの扱いを選んでください (本人の申し出か、市の都合か)。" : NULL;
  if (why || whose) return cancel_refused(r, id, why, whose);
  rc = booking_cancel(&r->ctx, id, reason, (enum cancel_for)on_behalf, &out, &ei);
  const json_t *field = json_object_get(ei.fields, "reason");
  if (rc == KERR_VALIDATION && json_is_string(field)) {
    /* core's own check of the reason (a control character): at the field too */
    char msg[512];
    snprintf(msg, sizeof msg, "%s", json_string_value(field));
    kerr_clear(&ei);
    json_decref(out);
    return cancel_refused(r, id, msg, NULL);
  }
  if (rc) {
    json_decref(out);
    return refused(r, rc, &ei);
  }
  /* a staff cancellation records the refund of what was paid beyond the fee
  ** at once: say how much to give back, or what is still owed */
  struct reply ret = cancelled(r, id, out);
  json_decref(out);
  return ret;
}

/* POST /counter/bookings/{id}/confirm (form) center -> 303 /counter?done=confirmed;
** the page with the reason (422 a centre that is not one, ...); 404. Staff,
** admin. */
struct reply web_counter_confirm(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_id(r, 0);
  if (!id) return reply_error(r, KERR_NOT_FOUND, NULL);
  struct reply rep;
  if (card_center_refused(r, id, &rep)) return rep; /* nothing done */
  r->ctx.channel = "counter";
  int rc = booking_confirm(&r->ctx, id, &out, &ei);
  json_decref(out);
  return rc ? refused(r, rc, &ei) : back(r, "confirmed");
}

/* POST /counter/bookings/{id}/pay (form) method, amount (the outstanding amount
** the page showed), center -> 303 /counter?done=paid|refunded; the page with
** the reason (422 a wrong amount, saying the amount due; outside counter
** hours; a centre that is not one; 409 nothing outstanding); 404. Staff,
** admin. */
struct reply web_counter_pay(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_id(r, 0);
  if (!id) return reply_error(r, KERR_NOT_FOUND, NULL);
  struct reply rep;
  if (card_center_refused(r, id, &rep)) return rep; /* nothing done */
  r->ctx.channel = "counter";
  long long amount = 0;
  const char *a = req_str(r, "amount");
  if (a) amount = strtoll(a, NULL, 10);
  /* the form's amount is a string: the payment API takes a number */
  json_t *body = json_pack("{s:s, s:I}", "method", req_str(r, "method") ? req_str(r, "method") : "",
                           "amount", (json_int_t)amount);
  int rc = body ? payment_record(&r->ctx, id, body, &out, &ei) : KERR_INTERNAL;
  json_decref(body);
  if (rc) {
    json_decref(out);
    return refused(r, rc, &ei);
  }
  json_decref(out);
  /* the receipt (領収書) of what was just taken, to print or show (a GET: a reload re-posts nothing) */
  struct payment_row *rows = NULL;
  int nrows = 0;
  if (payment_rows(&r->ctx, id, &rows, &nrows)) nrows = 0;
  struct reply ret = to_receipt(r, id, nrows ? rows[nrows - 1].receipt : "", NULL);
  free(rows);
  return ret;
}

/* What a receipt page may have been reached after (its ?done=): the same
** word for the way back to the counter, or NULL for anything else. */
static const char *receipt_done(const char *d) {
  if (d && !strcmp(d, "walkin")) return "walkin";
  if (d && !strcmp(d, "cancelled")) return "cancelled";
  return NULL;
}

/* GET /counter/bookings/{id}/receipt?receipt=R[&center=CODE][&done=walkin|cancelled]
** -> 200 the receipt (領収書) R of booking ID, made to be printed: receipt
** number, when, amount, method, the booking (number, centre, room, date,
** slots), issued by the centre; a refund says 返金 (返金の控え, 返金の方法).
** After a walk-in paid at once (done=walkin) or a staff cancellation that
** refunded (done=cancelled) it says so, with the booking number, above the
** slip (not printed). 404 when the booking has no such receipt. Staff, admin. */
struct reply web_counter_receipt(struct req *r) {
  struct kerrinfo ei = {0};
  struct booking bk;
  struct payment_row *rows = NULL, *row = NULL;
  int n = 0;
  int64_t id = req_path_id(r, 0);
  const char *want = req_query(r, "receipt");
  if (!id || !want) return reply_error(r, KERR_NOT_FOUND, NULL);
  int rc = booking_read(&r->ctx, id, &bk, &ei);
  if (rc == KERR_NOT_FOUND) kerr_set(&ei, rc, "予約が見つかりません（予約番号を確かめてください）。");
  if (!rc && payment_rows(&r->ctx, id, &rows, &n)) rc = KERR_INTERNAL;
  for (int i = 0; i < n; i++)
    if (!strcmp(rows[i].receipt, want)) row = &rows[i];
  if (!rc && !row) rc = KERR_NOT_FOUND;
  if (rc) {
    free(rows);
    return reply_core(r, rc, 0, NULL, &ei);
  }
  long long amount = row->amount;
  int refund = row->kind == PAYMENT_REFUND || amount < 0;
  const struct room *ro = rules_room_by_id(r->ctx.rb, bk.room_id);
  const char *cname = ro ? ro->center->name : "", *rname = ro ? ro->name : "";
  char yen[32], at[64], dl[48];
  int32_t day = 0;
  page_yen(amount < 0 ? -amount : amount, yen, sizeof yen);
  page_instant_label(row->at, at, sizeof at);
  date_parse(bk.date, &day);
  page_date_label(day, 1, dl, sizeof dl);
  const char *done = receipt_done(req_query(r, "done"));
  struct html h = {0};
  struct page pg = {.title = refund ? "返金の控え" : "領収書", .nav = "admin"};
  page_begin(r, &h, &pg);
  html_printf(&h, "<p class=\"crumb no-print\"><a href=\"/counter?center=%u&amp;done=%s\">窓口に戻る</a></p>",
              center_of(r), done ? done : refund ? "refunded" : "paid");
  if (done && !strcmp(done, "walkin") && !refund)
    html_printf(&h, "<p class=\"note note-ok no-print\" role=\"status\">当日利用を受け付けました。予約番号 %I、"
                    "使用料 %h を受け取りました。この領収書を印刷して、お渡しください。</p>",
                id, yen);
  /* a refund of a cancellation: the 取消料 it kept (none when the city's or in time) */
  char fee[96] = "", f[32];
  page_yen(bk.cancel_fee > 0 ? bk.cancel_fee : 0, f, sizeof f);
  if (refund && bk.status == BOOKING_CANCELLED && bk.cancel_fee > 0)
    snprintf(fee, sizeof fee, "%s (払われた使用料から差し引き)", f);
  else if (refund && bk.status == BOOKING_CANCELLED)
    snprintf(fee, sizeof fee, "なし");
  if (done && !strcmp(done, "cancelled") && refund)
    html_printf(&h, "<p class=\"note note-ok no-print\" role=\"status\">予約番号 %I を取り消しました%s%h%s。"
                    "%h を%sでお返しして、この返金の控えを印刷してお渡しください。</p>",
                id, bk.cancel_fee > 0 ? " (取消料 " : "", bk.cancel_fee > 0 ? f : "",
                bk.cancel_fee > 0 ? " を差し引きました)" : "", yen, payment_method_label(row->method));
  html_printf(&h, "<div class=\"receipt-slip\" id=\"receipt-slip\"><h1>%s</h1>"
                  "<p class=\"slip-to\">上様</p>"
                  "<p class=\"slip-amount\">%s <strong id=\"slip-amount\">%h</strong></p>"
                  "<dl class=\"facts\"><div><dt>%s</dt><dd id=\"slip-receipt\">%h</dd></div>"
                  "<div><dt>日時</dt><dd>%h</dd></div>"
                  "<div><dt>%s</dt><dd>%h</dd></div>"
                  "<div><dt>但し書き</dt><dd>%h %h の使用料%s (予約番号 %I、%h)</dd></div>",
              refund ? "返金の控え" : "領収書", refund ? "返金額" : "金額", yen,
              refund ? "控えの番号" : "領収書番号", want, at,
              refund ? "返金の方法" : "支払い方法", payment_method_label(row->method), cname,
              rname, refund ? "の返金" : "として", id, dl);
  if (fee[0]) html_printf(&h, "<div><dt>取消料</dt><dd id=\"slip-fee\">%h</dd></div>", fee);
  html_printf(&h, "</dl><p class=\"slip-issuer\">前橋市 %h</p></div>"
                  "<p class=\"no-print\">ブラウザの印刷で、この%sを印刷できます。</p>",
              cname, refund ? "返金の控え" : "領収書");
  page_end(r, &h, &pg);
  free(rows);
  return page_reply(r, 200, &h);
}

/* ============================================================ ledger */

static const char *const kind_labels[LEDGER_NKINDS] = {
    [LEDGER_BOOKING] = "予約",   [LEDGER_WALKIN] = "当日利用",     [LEDGER_CHECKIN] = "入館",
    [LEDGER_NOSHOW] = "来館なし", [LEDGER_CANCELLATION] = "取消", [LEDGER_PAYMENT] = "支払い",
    [LEDGER_REFUND] = "返金"};

/* The ledger's fee column: "使用料 320円" for a booking or walk-in, "取消料 160円"
** (or "取消料なし") for a cancellation, else empty. */
static void ledger_fee(const struct ledger_entry *e, char *out, size_t n) {
  char y[32];
  out[0] = 0;
  if (e->kind == LEDGER_BOOKING || e->kind == LEDGER_WALKIN) {
    page_yen(e->fee_total, y, sizeof y);
    snprintf(out, n, "使用料 %s", y);
  } else if (e->kind == LEDGER_CANCELLATION) {
    page_yen(e->cancel_fee, y, sizeof y);
    snprintf(out, n, e->cancel_fee > 0 ? "取消料 %s" : "取消料なし", y);
  }
}

/* The ledger's entries, a row each. */
static void ledger_rows(struct html *h, const struct counter_ledger_view *l) {
  for (int i = 0; i < l->nentries; i++) {
    const struct ledger_entry *e = &l->entries[i];
    char yen[32] = "", use[48] = "", fee[64] = "";
    int32_t uday;
    if (e->has_payment) page_yen(e->amount, yen, sizeof yen);
    if (!date_parse(e->use_date, &uday)) page_date_label(uday, 0, use, sizeof use);
    ledger_fee(e, fee, sizeof fee);
    html_printf(h, "<tr><td>%h</td><th scope=\"row\">%h%s%h%s</th><td>%I</td><td>%h</td><td>%h %h</td><td>%h</td>"
                   "<td>%h</td><td class=\"num\">%h</td><td>%h</td></tr>",
                e->time, e->kind < LEDGER_NKINDS ? kind_labels[e->kind] : "",
                e->has_payment ? " (" : "", e->has_payment ? payment_method_label(e->method) : "",
                e->has_payment ? ")" : "", e->booking_id, use, e->room_name, e->slot_labels,
                e->holder, fee, yen, e->receipt);
  }
  if (!l->nentries) html_raw(h, "<tr><td colspan=\"9\">この日の記録はありません。</td></tr>");
}

/* GET /counter/ledger[?center=CODE][&date=D] -> 200 the day's ledger (台帳) of
** the centre as a page made to be printed: every entry in time order (bookings
** made, walk-ins, check-ins, no-shows, cancellations, payments and refunds with
** receipt numbers) and the day's totals by method, from the payments table. 422
** for a bad date; 404 unknown centre. Staff, admin. */
struct reply web_counter_ledger(struct req *r) {
  struct kerrinfo ei = {0};
  struct counter_ledger_view l;
  int32_t day = clock_today(r->ctx.now);
  const char *qd = req_query(r, "date");
  if (qd && *qd && date_parse(qd, &day)) {
    kerr_set(&ei, KERR_VALIDATION, "日付は YYYY-MM-DD の形で、実在する日付を指定してください。");
    struct reply ret = reply_error(r, KERR_VALIDATION, &ei);
    kerr_clear(&ei);
    return ret;
  }
  int rc = counter_ledger_view(&r->ctx, center_of(r), day, &l, &ei);
  if (rc) {
    counter_ledger_view_free(&l);
    return reply_core(r, rc, 0, NULL, &ei);
  }
  const struct center *ce = l.center;
  char dl[48], title[200], at[64], date[11];
  page_date_label(day, 1, dl, sizeof dl);
  date_format(day, date);
  page_iso_label(l.generated_at, at, sizeof at);
  snprintf(title, sizeof title, "台帳 %s %s", ce->name, dl);
  struct html h = {0};
  struct page pg = {.title = title, .nav = "admin"};
  page_begin(r, &h, &pg);
  html_printf(&h, "<p class=\"crumb\"><a href=\"/counter?center=%u\">窓口に戻る</a></p>"
                  "<h1>台帳<span class=\"sub\">%h %h</span></h1><p class=\"asof\">%h 作成。"
                  "印刷するときは、ブラウザの印刷を使ってください。"
                  "<a href=\"/api/v1/counter/ledger.csv?center=%u&amp;date=%u\">CSV (Excel 用)</a></p>",
              ce->code, ce->name, dl, at, ce->code, date);
  html_printf(&h, "<div class=\"table-wrap\"><table class=\"ledger\"><caption>%h %h の記録 (時刻順)</caption>"
                  "<thead><tr><th scope=\"col\">時刻</th><th scope=\"col\">内容</th><th scope=\"col\">予約番号</th>"
                  "<th scope=\"col\">利用日</th><th scope=\"col\">部屋・時間帯</th><th scope=\"col\">利用する人</th>"
                  "<th scope=\"col\">使用料・取消料</th><th scope=\"col\">金額</th>"
                  "<th scope=\"col\">領収番号</th></tr></thead><tbody>",
              ce->name, dl);
  ledger_rows(&h, &l);
  html_raw(&h, "</tbody></table></div>");
  html_raw(&h, "<h2>合計</h2><div class=\"table-wrap\"><table class=\"ledger-totals\"><caption>支払いの方法ごとの合計 (返金を引いた額)</caption>"
               "<thead><tr><th scope=\"col\">方法</th><th scope=\"col\">金額</th></tr></thead><tbody>");
  for (int k = 0; k < PAYMENT_NMETHODS; k++) {
    char yen[32];
    page_yen(l.net.by_method[k], yen, sizeof yen);
    html_printf(&h, "<tr><th scope=\"row\">%s</th><td class=\"num\">%h</td></tr>", pay_method(k).label, yen);
  }
  char total[32];
  const int *cn = l.counts;
  page_yen(l.net.total, total, sizeof total);
  html_printf(&h, "<tr><th scope=\"row\">合計</th><td class=\"num\"><strong>%h</strong></td></tr></tbody></table></div>"
                  "<p>予約 %d件・当日利用 %d件・入館 %d件・来館なし %d件・取消 %d件・支払い %d件・返金 %d件</p>",
              total, cn[LEDGER_BOOKING], cn[LEDGER_WALKIN], cn[LEDGER_CHECKIN], cn[LEDGER_NOSHOW],
              cn[LEDGER_CANCELLATION], cn[LEDGER_PAYMENT], cn[LEDGER_REFUND]);
  page_end(r, &h, &pg);
  counter_ledger_view_free(&l);
  return page_reply(r, 200, &h);
}

/* ============================================= booking for a citizen */

struct behalf_form {
  struct page_option rooms[64];
  char rlab[64][200], rval[64][24];
  struct page_option slots[RULES_MAX_SLOTS];
  char slab[RULES_MAX_SLOTS][64];
  struct page_field fields[6];
};

/* The fields of the form that books for a registered citizen at CE. */
static void behalf_build(struct req *r, const struct center *ce, struct behalf_form *f) {
  int nrooms = 0, nslots = 0;
  for (int i = 0; i < ce->nrooms && nrooms < 64; i++, nrooms++) {
    const struct room *ro = &ce->rooms[i];
    snprintf(f->rval[i], sizeof f->rval[i], "%lld", (long long)ro->id);
    snprintf(f->rlab[i], sizeof f->rlab[i], "%s (%s・%d人)", ro->name, ro->kind, ro->capacity);
    f->rooms[i] = (struct page_option){f->rval[i], f->rlab[i], NULL};
  }
  const struct rules *ru = rules_in_force(r->ctx.rb, clock_today(r->ctx.now));
  for (int k = 0; ru && k < ru->nslots; k++, nslots++) {
    const struct slotdef *sd = &ru->slots[k];
    snprintf(f->slab[k], sizeof f->slab[k], "%s %d:%02d〜%d:%02d", sd->label, sd->start / 60,
             sd->start % 60, sd->end / 60, sd->end % 60);
    f->slots[k] = (struct page_option){sd->code, f->slab[k], NULL};
  }
  struct page_field fs[6] = {
    {.name = "on_behalf_of", .label = "利用者番号", .type = PF_TEXT, .required = 1, .maxlength = 20,
     .size = "m", .inputmode = "numeric", .autocomplete = "off",
     .support = "予約する人の9けたの利用者番号。本人確認をしてから入力します。"},
    {.name = "room_id", .label = "部屋", .type = PF_SELECT, .required = 1, .options = f->rooms,
     .noptions = nrooms},
    {.name = "date", .label = "利用する日", .type = PF_DATE, .required = 1, .size = "m",
     .support = "例: 2026-05-20。予約を受け付けている日だけ予約できます。"},
    {.name = "slots", .label = "時間帯", .type = PF_CHECKBOXES, .required = 1, .options = f->slots,
     .noptions = nslots},
    {.name = "purpose", .label = "利用目的", .type = PF_TEXT, .required = 1, .maxlength = 200},
    {.name = "attendees", .label = "人数", .type = PF_NUMBER, .required = 1, .maxlength = 5, .size = "s"},
  };
  memcpy(f->fields, fs, sizeof fs);
}

/* What was just taken for a citizen (GET /counter/book?done=booked&booking=ID):
** what the clerk tells the caller: the 予約番号, held or confirmed, the
** citizen's ID, then the booking's facts (centre, room, date, slots, fee)
** and how and by when to pay, as the citizen's own pages word them. Nothing
** for a number that is not a booking. */
static void behalf_done(struct req *r, struct html *h, const char *idtext) {
  if (!idtext || !*idtext || strspn(idtext, "0123456789") != strlen(idtext) || strlen(idtext) > 15) return;
  struct booking_view *v = malloc(sizeof *v);
  if (!v || web_book_view_of_id(r, atoll(idtext), v)) {
    free(v);
    return;
  }
  char sid[16] = "";
  ids_format(v->b.account_id, sid);
  html_printf(h, "<section class=\"panel\" id=\"booked\" aria-labelledby=\"booked-title\">"
                 "<h2 id=\"booked-title\">代理の予約を受け付けました</h2>"
                 "<p class=\"note note-ok\" role=\"status\">予約番号 <strong>%I</strong> で受け付けました。"
                 "電話のときは、予約番号・部屋・日時・使用料をお伝えください。</p>"
                 "<dl class=\"facts\"><div><dt>予約番号</dt><dd>%I</dd></div>"
                 "<div><dt>状態</dt><dd>%h</dd></div>"
                 "<div><dt>利用者番号</dt><dd>%h</dd></div></dl>",
              v->b.id, v->b.id, web_my_status_label(v->status), sid);
  web_book_facts(r, h, v);
  web_book_payment(r, h, v);
  html_raw(h, "<p>続けて別の予約を受け付けるときは、下の欄に入力します。</p></section>");
  free(v);
}

/* The centre whose 代理の予約 form to show: the one asked for (?center= or
** the form's); else the centre of the room posted (POSTED) or asked for
** (?room=); else the clerk's home centre. NULL: none (an unknown centre
** asked for, or nothing to go by). */
static const struct center *behalf_center(struct req *r, int posted) {
  const char *c = center_of(r);
  const struct center *ce = *c ? rules_center(r->ctx.rb, c) : NULL;
  const char *room = posted ? req_str(r, "room_id") : req_query(r, "room");
  if (!ce && (posted || !*c) && room && *room && strspn(room, "0123456789") == strlen(room) &&
      strlen(room) < 16) {
    const struct room *ro = rules_room_by_id(r->ctx.rb, atoll(room));
    if (ro) ce = ro->center;
  }
  if (!ce && (!*c || posted) && r->ctx.actor.home_center[0])
    ce = rules_center(r->ctx.rb, r->ctx.actor.home_center);
  return ce;
}

/* What a link from a chosen slot fills in on CE's form (GET /counter/book
** ?room=ID&date=D&slot=S, from web_book's page for staff; ?on_behalf_of=ID,
** from the registration slip), each value only
** when it is right: the room one of CE's, the date a date, the slot a time
** of day of that date (of today, without one) that the form offers. A new
** object; NULL when nothing is to be filled in. */
static json_t *behalf_prefill(struct req *r, const struct center *ce) {
  const char *room = req_query(r, "room"), *date = req_query(r, "date"), *slot = req_query(r, "slot");
  const char *who = req_query(r, "on_behalf_of");
  const struct rules *today = rules_in_force(r->ctx.rb, clock_today(r->ctx.now)), *use = today;
  json_t *v = json_object();
  if (!v) return NULL;
  if (room && *room && strspn(room, "0123456789") == strlen(room) && strlen(room) < 16) {
    const struct room *ro = rules_room_by_id(r->ctx.rb, atoll(room));
    char id[24];
    snprintf(id, sizeof id, "%lld", ro ? (long long)ro->id : 0LL);
    if (ro && !strcmp(ro->center->code, ce->code)) json_object_set_new(v, "room_id", json_string(id));
  }
  int64_t id;
  if (who && ids_parse(who, &id) == IDS_OK) { /* from the registration slip */
    char shown[16];
    snprintf(shown, sizeof shown, "%lld", (long long)id);
    json_object_set_new(v, "on_behalf_of", json_string(shown));
  }
  int32_t day;
  if (date && !date_parse(date, &day)) {
    char d[11];
    date_format(day, d);
    json_object_set_new(v, "date", json_string(d));
    use = rules_in_force(r->ctx.rb, day);
  }
  if (slot && today && use && rules_slot_index(today, slot) >= 0 && rules_slot_index(use, slot) >= 0)
    json_object_set_new(v, "slots", json_pack("[s]", slot));
  if (!json_object_size(v)) {
    json_decref(v);
    return NULL;
  }
  return v;
}

/* The 代理の予約 form of behalf_center() with STATUS; MESSAGE, VALUES and
** ERRORS after a refused post (VALUES non-NULL); else FILL (may be NULL)
** filled in. Asked for an unknown centre: 404; with nothing to go by (an
** admin, no centre asked for): the centres to choose from, as /counter
** gives. */
static struct reply behalf_page(struct req *r, unsigned status, const char *message,
                                const json_t *values, const json_t *errors, int fill) {
  const struct center *ce = behalf_center(r, values != NULL);
  if (!ce && *center_of(r) && !values) return reply_error(r, KERR_NOT_FOUND, NULL);
  if (!ce) return center_choice(r, 1, values ? status : 200);
  struct behalf_form *f = calloc(1, sizeof *f);
  if (!f) return reply_error(r, KERR_INTERNAL, NULL);
  behalf_build(r, ce, f);
  json_t *filled = !values && fill ? behalf_prefill(r, ce) : NULL;
  struct page_form fm = {.values = values ? values : filled, .errors = errors};
  struct html h = {0};
  struct page pg = {.title = "代理の予約 (登録している人)", .nav = "admin",
                    .flags = status >= 400 ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  html_printf(&h, "<p class=\"crumb\"><a href=\"/counter?center=%u\">窓口に戻る</a></p>"
                  "<h1>代理の予約<span class=\"sub\">%h</span></h1>",
              ce->code, ce->name);
  if (message || (errors && json_object_size(errors)))
    page_error_summary_msg(&h, message, f->fields, 6, &fm);
  else if (status == 200 && req_query(r, "done") && !strcmp(req_query(r, "done"), "booked"))
    behalf_done(r, &h, req_query(r, "booking"));
  html_raw(&h, "<p class=\"lead\">窓口や電話で申し込んだ、登録している人の予約を受け付けます。"
               "予約はその人の名前になり、その人のマイページに出ます。規則 (受付期間・上限・休館日) は"
               "インターネットの予約と同じです。</p>"
               "<p>利用者番号がない人は、先に<a href=\"/counter/register\">利用者の登録 (窓口)</a>"
               "をしてください。</p>");
  page_form_begin(r, &h, "post", "/counter/book");
  html_printf(&h, "<input type=\"hidden\" name=\"center\" value=\"%h\">", ce->code);
  for (int i = 0; i < 6; i++) page_field(&h, &f->fields[i], &fm);
  page_form_end(&h, "この人の予約を受け付ける");
  page_end(r, &h, &pg);
  free(f);
  json_decref(filled);
  return page_reply(r, status, &h);
}

/* GET /counter/book[?center=CODE][&room=ID&date=D&slot=S][&on_behalf_of=ID][&done=booked&booking=ID]
** -> 200 the form that books for a registered citizen (利用者番号, room, date,
** slots, purpose, attendees) at CODE (default the room's centre, else the
** clerk's home centre; none: 200 the centres to choose from, as /counter),
** with the room, date and slot chosen on a public page filled in (each only
** when it is right: behalf_prefill); after a booking, above it what was
** taken (behalf_done); 404 unknown centre. Staff, admin. */
struct reply web_counter_book(struct req *r) {
  const char *done = req_query(r, "done");
  return behalf_page(r, 200, NULL, NULL, NULL, !done || strcmp(done, "booked"));
}

/* POST /counter/book (form) on_behalf_of, room_id, date, slots, purpose,
** attendees, center -> 303 /counter/book?center=CODE&done=booked&booking=ID
** (the booking is confirmed at once: the person asked for it at the counter;
** the page says what was taken); the form again with every
** error at its field and the values kept (422, 409 slot_taken, 429 too many
** look-ups; 422 with nothing stored for a centre that is not one or a room
** of another centre). Staff, admin; counter hours. The one entry point
** booking_create. */
struct reply web_counter_book_post(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  r->ctx.channel = "counter";
  json_object_set_new(r->json, "confirm", json_true()); /* asked for in person: no hold */
  /* always for someone else: a post without the field is refused at it, with the rest */
  if (!json_object_get(r->json, "on_behalf_of")) json_object_set_new(r->json, "on_behalf_of", json_string(""));
  /* The form is a centre's, as the walk-in's: a centre that is not one, or a
  ** room of another centre, is refused before anything is stored (the form
  ** of the room's centre, or of the one posted, with what was typed). */
  const char *c = center_of(r);
  const struct center *ce = *c ? rules_center(r->ctx.rb, c) : NULL;
  const struct room *ro = room_posted(r);
  if ((*c && !ce) || (ce && ro && strcmp(ro->center->code, ce->code))) {
    char msg[400];
    if (ce) {
      snprintf(msg, sizeof msg, "この部屋は%sの部屋ではありません。%sの部屋から選んでください。", ro->center->name,
               ce->name);
      kerr_field(&ei, "room_id", msg);
    }
    struct reply ret = behalf_page(r, 422, ce ? NULL : "公民館の指定が正しくありません。この画面から、もう一度受け付けてください。",
                                   r->json, ei.fields, 0);
    kerr_clear(&ei);
    return ret;
  }
  int rc = booking_create(&r->ctx, r->json, NULL, &out, NULL, &ei);
  if (rc == 0) {
    /* to the form again, with what was taken to tell the caller (a GET: a
    ** reload books nothing twice); the centre is the booked room's */
    int64_t id = json_integer_value(json_object_get(out, "id"));
    const struct room *ro = rules_room_by_id(r->ctx.rb, json_integer_value(json_object_get(out, "room_id")));
    json_decref(out);
    struct html to = {0};
    html_printf(&to, "/counter/book?center=%u&done=booked&booking=%I", ro ? ro->center->code : center_of(r), id);
    size_t n;
    char *loc = html_take(&to, &n);
    struct reply ret = loc ? reply_redirect(r, loc) : reply_error(r, KERR_INTERNAL, NULL);
    free(loc);
    return ret;
  }
  const char *field = web_book_error_field(rc);
  if (field && !strcmp(field, "group_id")) field = NULL; /* not on this form */
  char msg[sizeof ei.message];
  snprintf(msg, sizeof msg, "%s", ei.message[0] ? ei.message : kerr_message(rc));
  if (field && rc != KERR_VALIDATION) kerr_field(&ei, field, msg);
  struct reply ret = behalf_page(r, (unsigned)kerr_http_status(rc),
                                 rc == KERR_VALIDATION || field ? NULL : msg, r->json, ei.fields, 0);
  reply_retry_after(&ret, &ei); /* 429 or 503 */
  kerr_clear(&ei);
  return ret;
}
