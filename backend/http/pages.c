/*
** http/pages.c: the page frame and the shared pieces of pages (see pages.h).
**
** Everything user-supplied goes through %h; the only raw markup here is
** constant text of this file.
*/
#include "pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/bookable.h"
#include "../core/clock.h"
#include "reply.h"

/* ------------------------------------------------------------- frame */

static const struct {
  const char *key, *href, *label;
} nav_items[] = {
  {"top", "/", "トップ"},
  {"search", "/availability", "空き状況をさがす"},
  {"courses", "/courses", "講座"},
  {"groups", "/groups", "学習グループ"},
  {"discounts", "/rules/discounts", "減免の基準"},
  {"help", "/help", "使い方・問い合わせ"},
};

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value) {
  (void)kind;
  struct html *b = cls;
  if (!key) return MHD_YES;
  html_raw(b, b->n && strchr(b->p, '?') ? "&" : "?");
  html_url(b, key);
  if (value) {
    html_raw(b, "=");
    html_url(b, value);
  }
  return MHD_YES;
}

void page_current_url(struct req *r, struct html *out) {
  html_rawn(out, r->url, strlen(r->url));
  if (r->conn) MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_arg, out);
}

void page_begin(struct req *r, struct html *h, const struct page *pg) {
  int signage = pg->flags & PAGE_SIGNAGE;
  html_raw(h, "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\">"
              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
  if (pg->refresh > 0) html_printf(h, "<meta http-equiv=\"refresh\" content=\"%d\">", pg->refresh);
  html_printf(h, "<title>%s%h | " PAGE_SITE_NAME "</title>",
              (pg->flags & PAGE_HAS_ERRORS) ? "入力エラー: " : "", pg->title);
  html_raw(h, "<link rel=\"stylesheet\" href=\"/static/site.css\">");
  if (!(pg->flags & PAGE_NO_SCRIPT)) html_raw(h, "<script src=\"/static/app.js\" defer></script>");
  html_printf(h, "</head><body class=\"%s\">", signage ? "signage" : "site");
  if (signage) {
    html_raw(h, "<main id=\"main\">");
    return;
  }
  html_raw(h, "<a class=\"skip-link\" href=\"#main\">本文へ移動</a>"
              "<header class=\"site-header\"><div class=\"wrap header-inner\">"
              "<a class=\"site-name\" href=\"/\">前橋市 <span>公民館予約</span></a></div>"
              "<nav class=\"site-nav\" aria-label=\"メインメニュー\"><ul class=\"wrap\">");
  for (size_t i = 0; i < sizeof nav_items / sizeof nav_items[0]; i++) {
    int cur = pg->nav && !strcmp(pg->nav, nav_items[i].key);
    html_printf(h, "<li><a href=\"%s\"%s>%s</a></li>", nav_items[i].href,
                cur ? " aria-current=\"page\"" : "", nav_items[i].label);
  }
  /* Who is signed in: sign-in and sign-up for the anonymous, マイページ for
  ** citizens, the counter for staff, the reports for analysts and admins, and a sign-out button (a form post with
  ** the CSRF token: signing out changes something). */
  if (r->ctx.actor.role == ROLE_ANON || !r->ctx.actor.role) {
    static const struct { const char *key, *href, *label; } anon[] = {
      {"signin", "/signin", "ログイン"}, {"register", "/register", "アカウント登録"}};
    /* after signing in (or up), back to this page: a GET of any other page */
    struct html here = {0};
    int back = r->method && !strcmp(r->method, "GET") && r->url &&
               strcmp(r->url, "/signin") && strcmp(r->url, "/register") && strcmp(r->url, "/");
    if (back) page_current_url(r, &here);
    for (size_t i = 0; i < 2; i++) {
      html_printf(h, "<li><a href=\"%s", anon[i].href);
      if (back && here.p) html_printf(h, "?next=%u", here.p);
      html_printf(h, "\"%s>%s</a></li>",
                  pg->nav && !strcmp(pg->nav, anon[i].key) ? " aria-current=\"page\"" : "",
                  anon[i].label);
    }
    html_free(&here);
  } else {
    if (r->ctx.actor.role == ROLE_CITIZEN)
      html_printf(h, "<li><a href=\"/my\"%s>マイページ</a></li>",
                  pg->nav && !strcmp(pg->nav, "my") ? " aria-current=\"page\"" : "");
    if (r->ctx.actor.role & ROLE_DESK)
      html_printf(h, "<li><a href=\"/admin\"%s>職員メニュー</a></li>",
                  pg->nav && !strcmp(pg->nav, "admin") ? " aria-current=\"page\"" : "");
    /* the working group's figures (issue 8, http/web_reports.c) */
    if (r->ctx.actor.role & (ROLE_ANALYST | ROLE_ADMIN))
      html_printf(h, "<li><a href=\"/reports\"%s>利用状況の集計</a></li>",
                  pg->nav && !strcmp(pg->nav, "reports") ? " aria-current=\"page\"" : "");
    html_printf(h, "<li><form class=\"nav-form\" method=\"post\" action=\"/signout\">"
                   "<input type=\"hidden\" name=\"csrf_token\" value=\"%h\">"
                   "<button class=\"nav-button\" type=\"submit\">ログアウト</button></form></li>",
                r->csrf);
  }
  html_raw(h, "</ul></nav></header><main id=\"main\" class=\"wrap\" tabindex=\"-1\">");
}

void page_end(struct req *r, struct html *h, const struct page *pg) {
  (void)r;
  html_raw(h, "</main>");
  if (!(pg->flags & PAGE_SIGNAGE))
    html_raw(h, "<footer class=\"site-footer\"><div class=\"wrap\">"
                "<p class=\"footer-name\">前橋市 公民館 (16館) の部屋の予約</p><ul>"
                "<li><a href=\"/help\">使い方・問い合わせ先</a></li>"
                "<li><a href=\"/rules/discounts\">減免 (使用料が安くなる) の基準</a></li>"
                "<li><a href=\"/help#opendata\">オープンデータ</a></li>"
                "</ul></div></footer>");
  html_raw(h, "</body></html>\n");
}

struct reply page_reply(struct req *r, unsigned status, struct html *h) {
  size_t n;
  char *p = html_take(h, &n);
  if (!p) return reply_bytes(r, 500, "text/plain; charset=utf-8", "out of memory\n", 14);
  return reply_owned(r, status, "text/html; charset=utf-8", p, n);
}

static const char *error_title(unsigned status) {
  switch (status) {
    case 400: return "リクエストが正しくありません";
    case 401: return "ログインが必要です";
    case 403: return "この操作はできません";
    case 404: return "ページが見つかりません";
    case 405: return "この方法では使えません";
    case 409: return "いまの状態では、この操作はできません";
    case 413: return "送られた内容が大きすぎます";
    case 415: return "送られた形式が使えません";
    case 422: return "入力内容を確認してください";
    case 429: return "しばらく待ってから、もう一度お試しください";
    default: return status >= 500 ? "ただいま使えません" : "エラー";
  }
}

struct reply page_error(struct req *r, unsigned status, const char *message) {
  struct html h = {0};
  struct page pg = {.title = error_title(status)};
  page_begin(r, &h, &pg);
  html_printf(&h,
              "<h1>%h</h1><p class=\"lead\">%h</p><ul class=\"links\">", pg.title, message);
  if (status == 401)
    html_raw(&h, "<li><a href=\"/signin\">ログインする</a></li>");
  html_raw(&h, "<li><a href=\"/\">トップページへ戻る</a></li>"
              "<li><a href=\"/help\">使い方・問い合わせ先</a></li></ul>");
  page_end(r, &h, &pg);
  return page_reply(r, status, &h);
}

/* ------------------------------------------------------------- forms */

const char *page_value(const struct page_form *fm, const char *name) {
  if (!fm || !fm->values) return NULL;
  json_t *v = json_object_get(fm->values, name);
  if (json_is_array(v)) v = json_array_get(v, 0);
  return json_string_value(v);
}

static int has_value(const struct page_form *fm, const char *name, const char *want) {
  if (!fm || !fm->values) return 0;
  json_t *v = json_object_get(fm->values, name), *e;
  size_t i;
  if (json_is_string(v)) return !strcmp(json_string_value(v), want);
  json_array_foreach(v, i, e) if (json_is_string(e) && !strcmp(json_string_value(e), want)) return 1;
  return 0;
}

static const char *field_error(const struct page_form *fm, const char *name) {
  return fm && fm->errors ? json_string_value(json_object_get(fm->errors, name)) : NULL;
}

void page_form_begin(struct req *r, struct html *h, const char *method, const char *action) {
  html_printf(h, "<form class=\"form\" method=\"%h\" action=\"%h\" novalidate>", method, action);
  if (!strcmp(method, "post") && r->csrf[0])
    html_printf(h, "<input type=\"hidden\" name=\"csrf_token\" value=\"%h\">", r->csrf);
}

void page_form_end(struct html *h, const char *submit_label) {
  html_printf(h, "<div class=\"form-actions\"><button class=\"button\" type=\"submit\">%h</button>"
                 "</div></form>", submit_label);
}

/* aria-describedby="f-N-support f-N-error" (when there are any). */
static void describedby(struct html *h, const struct page_field *f, const char *err) {
  if (!f->support && !err) return;
  html_raw(h, " aria-describedby=\"");
  if (f->support) html_printf(h, "f-%h-support", f->name);
  if (err) html_printf(h, "%sf-%h-error", f->support ? " " : "", f->name);
  html_raw(h, "\"");
}

static const char *input_type(enum page_field_type t) {
  switch (t) {
    case PF_NUMBER: return "text"; /* with inputmode: type=number spins and drops letters */
    case PF_TEL: return "tel";
    case PF_EMAIL: return "email";
    case PF_PASSWORD: return "password";
    case PF_DATE: return "date";
    default: return "text";
  }
}

static void mark(struct html *h, int required) {
  html_raw(h, required == PF_ONE_OF ? " <span class=\"mark mark-req\">どちらか1つは必須</span>"
              : required ? " <span class=\"mark mark-req\">必須</span>"
                         : " <span class=\"mark mark-opt\">任意</span>");
}

static void choices(struct html *h, const struct page_field *f, const struct page_form *fm) {
  const char *type = f->type == PF_RADIOS ? "radio" : "checkbox";
  html_raw(h, "<div class=\"choices\">");
  for (int i = 0; i < f->noptions; i++) {
    const struct page_option *o = &f->options[i];
    char id[96];
    if (i == 0) snprintf(id, sizeof id, "f-%s", f->name);
    else snprintf(id, sizeof id, "f-%s-%d", f->name, i);
    html_printf(h, "<div class=\"choice\"><input type=\"%s\" id=\"%h\" name=\"%h\" value=\"%h\"%s>"
                   "<label for=\"%h\">%h</label></div>",
                type, id, f->name, o->value, has_value(fm, f->name, o->value) ? " checked" : "", id,
                o->label);
  }
  html_raw(h, "</div>");
}

static void select_control(struct html *h, const struct page_field *f, const struct page_form *fm,
                           const char *err) {
  const char *cur = page_value(fm, f->name), *group = NULL;
  html_printf(h, "<select class=\"select size-%h\" id=\"f-%h\" name=\"%h\"", f->size ? f->size : "l",
              f->name, f->name);
  if (f->required == 1) html_raw(h, " required");
  if (err) html_raw(h, " aria-invalid=\"true\"");
  describedby(h, f, err);
  html_raw(h, ">");
  for (int i = 0; i < f->noptions; i++) {
    const struct page_option *o = &f->options[i];
    if (o->group != group && (!o->group || !group || strcmp(o->group, group))) {
      if (group) html_raw(h, "</optgroup>");
      if (o->group) html_printf(h, "<optgroup label=\"%h\">", o->group);
      group = o->group;
    }
    html_printf(h, "<option value=\"%h\"%s>%h</option>", o->value,
                cur && !strcmp(cur, o->value) ? " selected" : "", o->label);
  }
  if (group) html_raw(h, "</optgroup>");
  html_raw(h, "</select>");
}

void page_field(struct html *h, const struct page_field *f, const struct page_form *fm) {
  const char *err = field_error(fm, f->name);
  int group = f->type == PF_RADIOS || f->type == PF_CHECKBOXES;
  html_printf(h, "<div class=\"field%s\">", err ? " has-error" : "");
  if (group) {
    html_raw(h, "<fieldset class=\"field-group\"");
    describedby(h, f, err);
    html_printf(h, "><legend class=\"field-label\">%h", f->label);
    mark(h, f->required);
    html_raw(h, "</legend>");
  } else {
    html_printf(h, "<label class=\"field-label\" for=\"f-%h\">%h", f->name, f->label);
    mark(h, f->required);
    html_raw(h, "</label>");
  }
  if (f->support) html_printf(h, "<p class=\"field-support\" id=\"f-%h-support\">%h</p>", f->name,
                              f->support);
  switch (f->type) {
    case PF_SELECT:
      select_control(h, f, fm, err);
      break;
    case PF_RADIOS:
    case PF_CHECKBOXES:
      choices(h, f, fm);
      break;
    case PF_TEXTAREA:
      html_printf(h, "<textarea class=\"textarea\" id=\"f-%h\" name=\"%h\" rows=\"5\"", f->name,
                  f->name);
      if (f->maxlength > 0) html_printf(h, " maxlength=\"%d\"", f->maxlength);
      if (f->required == 1) html_raw(h, " required");
      if (err) html_raw(h, " aria-invalid=\"true\"");
      describedby(h, f, err);
      html_printf(h, ">%h</textarea>", page_value(fm, f->name));
      break;
    default: {
      const char *v = page_value(fm, f->name);
      html_printf(h, "<input class=\"input size-%h\" type=\"%s\" id=\"f-%h\" name=\"%h\" value=\"%h\"",
                  f->size ? f->size : "l", input_type(f->type), f->name, f->name, v ? v : "");
      if (f->autocomplete) html_printf(h, " autocomplete=\"%h\"", f->autocomplete);
      if (f->inputmode) html_printf(h, " inputmode=\"%h\"", f->inputmode);
      else if (f->type == PF_NUMBER) html_raw(h, " inputmode=\"numeric\"");
      if (f->maxlength > 0) html_printf(h, " maxlength=\"%d\"", f->maxlength);
      if (f->required == 1) html_raw(h, " required");
      if (err) html_raw(h, " aria-invalid=\"true\"");
      describedby(h, f, err);
      html_raw(h, ">");
    }
  }
  if (err) html_printf(h, "<p class=\"field-error\" id=\"f-%h-error\">"
                          "<span class=\"error-mark\" aria-hidden=\"true\">!</span>%h</p>",
                       f->name, err);
  html_raw(h, group ? "</fieldset></div>" : "</div>");
}

void page_error_summary(struct html *h, const struct page_field *fields, int n,
                        const struct page_form *fm) {
  page_error_summary_msg(h, NULL, fields, n, fm);
}

void page_error_summary_msg(struct html *h, const char *message, const struct page_field *fields,
                            int n, const struct page_form *fm) {
  int any = 0;
  for (int i = 0; i < n; i++) any |= field_error(fm, fields[i].name) != NULL;
  /* errors of fields this form does not show (a hidden field) */
  const char *key;
  json_t *v;
  int other = 0;
  if (fm && fm->errors)
    json_object_foreach((json_t *)fm->errors, key, v) {
      int shown = 0;
      for (int i = 0; i < n && !shown; i++) shown = !strcmp(fields[i].name, key);
      other += !shown;
    }
  if (!any && !other && !(message && *message)) return;
  html_raw(h, "<section class=\"error-summary\" aria-labelledby=\"error-summary-title\">"
              "<h2 id=\"error-summary-title\">入力内容を確認してください</h2>");
  if (message && *message) html_printf(h, "<p class=\"error-message\">%h</p>", message);
  if (!any && !other) {
    html_raw(h, "</section>");
    return;
  }
  html_raw(h, "<ul>");
  for (int i = 0; i < n; i++) {
    const char *err = field_error(fm, fields[i].name);
    if (err)
      html_printf(h, "<li><a href=\"#f-%h\">%h: %h</a></li>", fields[i].name, fields[i].label, err);
  }
  if (other)
    json_object_foreach((json_t *)fm->errors, key, v) {
      int shown = 0;
      for (int i = 0; i < n && !shown; i++) shown = !strcmp(fields[i].name, key);
      if (!shown && json_is_string(v)) html_printf(h, "<li>%h</li>", json_string_value(v));
    }
  html_raw(h, "</ul></section>");
}

/* ------------------------------------------------------------ states */

void page_state_cell(struct html *h, enum avail_state state, const char *group) {
  switch (state) {
  case AVAIL_FREE:
    html_raw(h, "<td class=\"st st-free\"><span class=\"sym\" aria-hidden=\"true\">○</span>空き</td>");
    break;
  case AVAIL_HELD:
  case AVAIL_BOOKED:
    html_raw(h, "<td class=\"st st-taken\"><span class=\"sym\" aria-hidden=\"true\">×</span>予約<wbr>あり");
    if (group && *group) html_printf(h, "<span class=\"grp\">%h</span>", group);
    html_raw(h, "</td>");
    break;
  case AVAIL_CLOSED:
    html_raw(h, "<td class=\"st st-closed\"><span class=\"sym\" aria-hidden=\"true\">ー</span>休館</td>");
    break;
  default:
    html_raw(h, "<td class=\"st\">-</td>");
  }
}

void page_slot_cell(struct html *h, const struct page_cell *c) {
  int is_free = c->state == AVAIL_FREE;
  if (c->booking == BK_OVER) {
    html_raw(h, "<td class=\"st st-past\"><span class=\"sym\" aria-hidden=\"true\">ー</span>受付<wbr>終了</td>");
  } else if (c->booking == BK_NOT_YET && is_free) {
    char when[48] = "";
    if (c->opens_at) {
      int y, m, d;
      date_to_ymd(clock_today(c->opens_at), &y, &m, &d);
      snprintf(when, sizeof when, "%d月%d日から", m, d);
    }
    html_printf(h, "<td class=\"st st-notyet\"><span class=\"sym\" aria-hidden=\"true\">△</span>受付前"
                   "<span class=\"when\">%h</span></td>", when);
  } else if (c->booking == BK_COUNTER_ONLY && is_free) {
    html_raw(h, "<td class=\"st st-counter\"><span class=\"sym\" aria-hidden=\"true\">△</span>窓口<wbr>のみ</td>");
  } else if (c->booking == BK_CAMPAIGN && is_free) {
    /* RULE: campaign days: the room is that day's, without registration; no link to book ahead */
    html_raw(h, "<td class=\"st st-sameday\"><span class=\"sym\" aria-hidden=\"true\">△</span>当日<wbr>のみ</td>");
  } else if (c->booking == BK_NO_RULES) {
    html_raw(h, "<td class=\"st st-past\"><span class=\"sym\" aria-hidden=\"true\">ー</span>受付<wbr>なし</td>");
  } else if (is_free && c->href && c->booking == BK_OPEN) {
    html_printf(h, "<td class=\"st st-free\"><a class=\"book-link\" href=\"%h\">"
                   "<span class=\"sym\" aria-hidden=\"true\">○</span>空き"
                   "<span class=\"visually-hidden\"> %h を予約する</span></a></td>",
                c->href, c->what ? c->what : "");
  } else {
    page_state_cell(h, c->state, c->group);
  }
}

void page_state_legend(struct html *h) {
  html_raw(h, "<ul class=\"legend\" aria-label=\"記号の意味\">"
              "<li><span class=\"sym st-free\" aria-hidden=\"true\">○</span>空き: 予約できます</li>"
              "<li><span class=\"sym st-taken\" aria-hidden=\"true\">×</span>予約あり: ほかの人が予約しています</li>"
              "<li><span class=\"sym st-closed\" aria-hidden=\"true\">ー</span>休館: 公民館が休みの日です</li>"
              "<li><span class=\"sym st-past\" aria-hidden=\"true\">ー</span>受付終了: もう予約できません</li>"
              "<li><span class=\"sym st-notyet\" aria-hidden=\"true\">△</span>受付前: 書いてある日から予約できます</li>"
              "<li><span class=\"sym st-counter\" aria-hidden=\"true\">△</span>窓口のみ: 公民館の窓口でだけ予約できます</li>"
              "<li><span class=\"sym st-sameday\" aria-hidden=\"true\">△</span>当日のみ: キャンペーンの日で、"
              "当日、登録なしで無料で使えます (前もって予約はできません)</li>"
              "</ul>");
}

const char *page_str(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

/* ------------------------------------------------------------- dates */

void page_day_note(const struct kctx *ctx, const char *center, const struct room *room, int32_t day,
                   char *out, size_t n) {
  const struct rules *r = rules_in_force(ctx->rb, day);
  const char *holiday = r ? rules_holiday(r, day) : NULL;
  char why[256];
  if (n) out[0] = 0;
  /* RULE: closed days, with the rule book's or the closure's reason (issue 13,
  ** point 4; core/bookable.c) */
  if (bookable_closed(ctx, center, room, day, why, sizeof why))
    snprintf(out, n, "休館日 (%s)%s%s", why, holiday ? " 祝日: " : "", holiday ? holiday : "");
  /* RULE: on a national holiday rooms are used as booked; the counter may be closed */
  else if (holiday) /* "休日（振替休日）" is its own name; the others are 祝日 */
    snprintf(out, n, "%s%s%s%s", strncmp(holiday, "休日", strlen("休日")) ? "祝日 (" : "",
             holiday, strncmp(holiday, "休日", strlen("休日")) ? ")" : "",
             r->counter_closed_on_holidays ? " 窓口の受付はありません" : "");
}

void page_campaign_note(const struct rulebook *rb, const struct room *room, int32_t day, char *out,
                        size_t n) {
  const struct campaign *c = room ? rules_campaign(rules_in_force(rb, day), room, day) : NULL;
  if (c) snprintf(out, n, "%s (無料)", c->name);
  else if (n) out[0] = 0;
}

/* The pages' dates are core's (core/clock.c): one form in pages and messages. */
void page_date_label(int32_t day, int with_year, char *out, size_t n) {
  if (with_year) clock_jdate(day, out, n);
  else clock_jdate_md(day, out, n);
}

void page_instant_label(int64_t t, char *out, size_t n) { clock_jinstant(t, out, n); }

void page_iso_label(const char *iso, char *out, size_t n) {
  int64_t t;
  if (iso && clock_parse_instant(iso, &t) == 0) page_instant_label(t, out, n);
  else snprintf(out, n, "-");
}

/* ------------------------------------------------------------- money */

void page_yen(long long yen, char *out, size_t n) {
  char digits[32], grouped[48];
  int len = snprintf(digits, sizeof digits, "%lld", yen < 0 ? -yen : yen), k = 0;
  for (int i = 0; i < len; i++) {
    if (i && (len - i) % 3 == 0) grouped[k++] = ',';
    grouped[k++] = digits[i];
  }
  grouped[k] = 0;
  snprintf(out, n, "%s%s円", yen < 0 ? "-" : "", grouped);
}

void page_called_off_fee(long long charge, long long paid, long long refunded, char *out,
                         size_t n) {
  char fee[32], parts[4][48];
  int np = 0;
  long long owed = charge - (paid - refunded);
  const struct {
    long long yen;
    const char *word;
  } sums[4] = {{paid, "支払済み"}, {refunded, "返金済み"}, {owed, "未払い"}, {-owed, "返金待ち"}};
  for (int i = 0; i < 4; i++) {
    if (sums[i].yen <= 0) continue;
    char y[32];
    page_yen(sums[i].yen, y, sizeof y);
    snprintf(parts[np++], sizeof parts[0], "%s %s", sums[i].word, y);
  }
  page_yen(charge, fee, sizeof fee);
  snprintf(out, n, "%s%s (%s%s%s%s%s%s%s)", charge > 0 ? "取消料 " : "取消料なし", charge > 0 ? fee : "",
           np ? parts[0] : "支払いはありません", np > 1 ? "・" : "", np > 1 ? parts[1] : "",
           np > 2 ? "・" : "", np > 2 ? parts[2] : "", np > 3 ? "・" : "", np > 3 ? parts[3] : "");
}

/* ----------------------------------------------------------- lists */

void page_pager(struct html *h, const char *label, const char *path, const char *query,
                int page, int pages) {
  if (pages <= 1) return;
  html_printf(h, "<nav class=\"pager\" aria-label=\"%h\"><ul>", label);
  if (page > 1)
    html_printf(h, "<li><a href=\"%h?%hpage=%d\" rel=\"prev\"><span aria-hidden=\"true\">← </span>"
                   "前のページ</a></li>",
                path, query, page - 1);
  if (page < pages)
    html_printf(h, "<li><a href=\"%h?%hpage=%d\" rel=\"next\">次のページ"
                   "<span aria-hidden=\"true\"> →</span></a></li>",
                path, query, page + 1);
  html_raw(h, "</ul></nav>");
}
