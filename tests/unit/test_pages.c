/*
** Unit tests for the shared pieces of pages (http/pages.c) that the later
** forms build on: the DADS form field (label, 必須/任意, support, control,
** error tied with aria-describedby, values kept), the error summary, states
** as text and symbol, Japanese dates. Everything sent is escaped.
*/
#include <criterion/criterion.h>
#include <string.h>

#include "../../backend/core/clock.h"
#include "../../backend/http/pages.h"

static char *render_field(const struct page_field *f, const char *values, const char *errors) {
  json_error_t je;
  json_t *v = values ? json_loads(values, 0, &je) : NULL, *e = errors ? json_loads(errors, 0, &je) : NULL;
  struct page_form fm = {v, e};
  struct html h = {0};
  page_field(&h, f, &fm);
  json_decref(v);
  json_decref(e);
  return html_take(&h, NULL);
}

Test(pages, text_field_has_label_mark_support_and_keeps_the_value_escaped) {
  struct page_field f = {.name = "name", .label = "お名前", .type = PF_TEXT, .required = 1,
                         .support = "全角で入力してください。", .autocomplete = "name", .maxlength = 50};
  char *s = render_field(&f, "{\"name\": \"<b>山田\\\" onfocus=x</b>\"}", NULL);
  cr_assert(strstr(s, "<label class=\"field-label\" for=\"f-name\">お名前 <span class=\"mark mark-req\">必須</span></label>"), "%s", s);
  cr_assert(strstr(s, "<p class=\"field-support\" id=\"f-name-support\">全角で入力してください。</p>"), "%s", s);
  cr_assert(strstr(s, "id=\"f-name\" name=\"name\" value=\"&lt;b&gt;山田&quot; onfocus=x&lt;/b&gt;\""), "%s", s);
  cr_assert(strstr(s, " autocomplete=\"name\" maxlength=\"50\" required aria-describedby=\"f-name-support\">"), "%s", s);
  cr_assert_null(strstr(s, "aria-invalid"));
  cr_assert_null(strstr(s, "<b>"));
  free(s);
}

Test(pages, field_error_is_under_the_field_and_tied_by_aria_describedby) {
  struct page_field f = {.name = "phone", .label = "電話番号", .type = PF_TEL, .required = 0,
                         .support = "例: 027-000-0000"};
  char *s = render_field(&f, "{\"phone\": \"abc\"}", "{\"phone\": \"数字とハイフンで入力してください。\"}");
  cr_assert(strstr(s, "<div class=\"field has-error\">"), "%s", s);
  cr_assert(strstr(s, "任意"), "%s", s);
  cr_assert(strstr(s, "type=\"tel\""), "%s", s);
  cr_assert(strstr(s, "value=\"abc\" aria-invalid=\"true\" aria-describedby=\"f-phone-support f-phone-error\">"), "%s", s);
  const char *input = strstr(s, "<input"), *error = strstr(s, "<p class=\"field-error\" id=\"f-phone-error\">");
  cr_assert(input && error && error > input, "error text comes after the field: %s", s);
  cr_assert(strstr(s, "数字とハイフンで入力してください。</p>"), "%s", s);
  free(s);
}

Test(pages, select_keeps_the_choice_and_groups_options) {
  static const struct page_option opts[] = {
    {"2026-04-08", "4月8日（水）", "今週"}, {"2026-04-09", "4月9日（木）", "今週"}, {"2026-04-13", "4月13日（月）", "来週"}};
  struct page_field f = {.name = "date", .label = "日付", .type = PF_SELECT, .required = 1, .options = opts,
                         .noptions = 3};
  char *s = render_field(&f, "{\"date\": \"2026-04-09\"}", NULL);
  cr_assert(strstr(s, "<optgroup label=\"今週\"><option value=\"2026-04-08\">4月8日（水）</option>"
                      "<option value=\"2026-04-09\" selected>4月9日（木）</option></optgroup>"
                      "<optgroup label=\"来週\"><option value=\"2026-04-13\">4月13日（月）</option></optgroup>"),
            "%s", s);
  free(s);
}

Test(pages, checkboxes_are_a_fieldset_with_a_legend_and_keep_every_choice) {
  static const struct page_option opts[] = {{"morning", "午前", NULL}, {"afternoon", "午後", NULL},
                                            {"evening", "夜間", NULL}};
  struct page_field f = {.name = "slots", .label = "時間", .type = PF_CHECKBOXES, .required = 1,
                         .options = opts, .noptions = 3};
  char *s = render_field(&f, "{\"slots\": [\"morning\", \"evening\"]}", "{\"slots\": \"1つ以上選んでください。\"}");
  cr_assert(strstr(s, "<fieldset class=\"field-group\" aria-describedby=\"f-slots-error\"><legend class=\"field-label\">時間 "),
            "%s", s);
  /* the first box is f-slots so that the error summary can link to it */
  cr_assert(strstr(s, "<input type=\"checkbox\" id=\"f-slots\" name=\"slots\" value=\"morning\" checked><label for=\"f-slots\">午前</label>"), "%s", s);
  cr_assert(strstr(s, "id=\"f-slots-1\" name=\"slots\" value=\"afternoon\"><label"), "%s", s);
  cr_assert(strstr(s, "id=\"f-slots-2\" name=\"slots\" value=\"evening\" checked>"), "%s", s);
  cr_assert(strstr(s, "</fieldset></div>"), "%s", s);
  free(s);
}

Test(pages, error_summary_links_each_field_in_order_and_is_empty_without_errors) {
  struct page_field fields[] = {{.name = "name", .label = "お名前"}, {.name = "phone", .label = "電話番号"}};
  json_t *errors = json_pack("{s:s, s:s}", "phone", "電話番号を入力してください。", "name", "<お名前>を入力");
  struct page_form fm = {NULL, errors};
  struct html h = {0};
  page_error_summary(&h, fields, 2, &fm);
  char *s = html_take(&h, NULL);
  cr_assert(strstr(s, "<h2 id=\"error-summary-title\">入力内容を確認してください</h2>"), "%s", s);
  const char *a = strstr(s, "<li><a href=\"#f-name\">お名前: &lt;お名前&gt;を入力</a></li>");
  const char *b = strstr(s, "<li><a href=\"#f-phone\">電話番号: 電話番号を入力してください。</a></li>");
  cr_assert(a && b && a < b, "%s", s);
  free(s);
  struct page_form none = {NULL, NULL};
  page_error_summary(&h, fields, 2, &none);
  cr_assert_eq(h.n, 0);
  html_free(&h);
  json_decref(errors);
}

Test(pages, states_are_text_and_symbol_and_group_names_escaped) {
  struct html h = {0};
  page_state_cell(&h, AVAIL_FREE, NULL);
  page_state_cell(&h, AVAIL_HELD, NULL);
  page_state_cell(&h, AVAIL_BOOKED, "<i>会</i>");
  page_state_cell(&h, AVAIL_CLOSED, NULL);
  char *s = html_take(&h, NULL);
  cr_assert(strstr(s, "○</span>空き</td>"), "%s", s);
  cr_assert(strstr(s, "×</span>予約<wbr>あり</td>"), "%s", s);
  cr_assert(strstr(s, "×</span>予約<wbr>あり<span class=\"grp\">&lt;i&gt;会&lt;/i&gt;</span></td>"), "%s", s);
  cr_assert(strstr(s, "ー</span>休館</td>"), "%s", s);
  free(s);
}

/* One form of a date in pages and in core's messages: the weekday in
** full-width parentheses, as Japanese public documents write it. */
Test(pages, japanese_dates) {
  int32_t d;
  char buf[48], core[48];
  cr_assert_eq(date_parse("2026-04-08", &d), 0);
  page_date_label(d, 0, buf, sizeof buf);
  cr_assert_str_eq(buf, "4月8日（水）");
  clock_jdate_md(d, core, sizeof core);
  cr_assert_str_eq(buf, core);
  page_date_label(d, 1, buf, sizeof buf);
  cr_assert_str_eq(buf, "2026年4月8日（水）");
  clock_jdate(d, core, sizeof core);
  cr_assert_str_eq(buf, core, "the pages' date is the messages' date");
  clock_jdate_d(d + 4, buf, sizeof buf);
  cr_assert_str_eq(buf, "12日（日）");
  cr_assert_str_eq(clock_weekday_jp(date_weekday(d + 4)), "日");
  page_instant_label(clock_local(d, 9 * 60 + 5), buf, sizeof buf);
  cr_assert_str_eq(buf, "2026年4月8日（水）9:05");
  clock_jinstant(clock_local(d, 9 * 60 + 5), core, sizeof core);
  cr_assert_str_eq(buf, core);
}

/* A booking called off reads the same on every page: the 取消料 (or none),
** what was paid and given back, what is still owed or still to give back. */
Test(pages, called_off_fee_in_one_wording) {
  char s[256];
  page_called_off_fee(160, 640, 480, s, sizeof s);
  cr_assert_str_eq(s, "取消料 160円 (支払済み 640円・返金済み 480円)");
  page_called_off_fee(0, 640, 640, s, sizeof s);
  cr_assert_str_eq(s, "取消料なし (支払済み 640円・返金済み 640円)");
  page_called_off_fee(0, 0, 0, s, sizeof s);
  cr_assert_str_eq(s, "取消料なし (支払いはありません)");
  page_called_off_fee(160, 0, 0, s, sizeof s);
  cr_assert_str_eq(s, "取消料 160円 (未払い 160円)");
  page_called_off_fee(1600, 3200, 0, s, sizeof s);
  cr_assert_str_eq(s, "取消料 1,600円 (支払済み 3,200円・返金待ち 1,600円)");
  page_called_off_fee(160, 640, 0, s, sizeof s);
  cr_assert_str_eq(s, "取消料 160円 (支払済み 640円・返金待ち 480円)");
}
