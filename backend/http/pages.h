/*
** http/pages.h: the frame every HTML page is written in, and the pieces that
** pages share: form fields (DADS pattern), the error summary, room states as
** text and symbol, Japanese dates.
**
** A page handler builds its page into a struct html between page_begin() and
** page_end(), then hands it to page_reply(), which sends exactly one reply:
**
**   struct html h = {0};
**   struct page pg = {.title = "ヘルプ", .nav = "help"};
**   page_begin(r, &h, &pg);
**   html_printf(&h, "<h1>%h</h1>", ...);
**   page_end(r, &h, &pg);
**   return page_reply(r, 200, &h);
**
** Every page: lang="ja", a unique <title> ("TITLE | 前橋市 公民館予約"), a
** skip link to <main id="main">, the header with the service name, the nav,
** the footer, one stylesheet (/static/site.css) and one optional script
** (/static/app.js, loaded with defer: pages are complete without it). No
** inline script or style anywhere: the Content-Security-Policy forbids it.
*/
#ifndef KOMINKAN_HTTP_PAGES_H
#define KOMINKAN_HTTP_PAGES_H

#include <jansson.h>
#include <stdint.h>

#include "../core/status.h"
#include "html.h"
#include "http.h"

#define PAGE_SITE_NAME "前橋市 公民館予約"

enum {
  PAGE_SIGNAGE = 1 << 0,    /* lobby screen: no nav, very large print, dark */
  PAGE_HAS_ERRORS = 1 << 1, /* a form failed: the title starts with "入力エラー: " */
  PAGE_NO_SCRIPT = 1 << 2   /* do not load /static/app.js */
};

struct page {
  const char *title;        /* what this page is, unique; the site name is appended */
  const char *nav;          /* the current nav item: "top", "search", "courses", "groups",
                               "discounts", "help",
                               "signin", "register", "my", "admin" */
  int flags;                /* PAGE_* */
  int refresh;              /* seconds for <meta http-equiv="refresh">, 0 = none */
};

void page_begin(struct req *r, struct html *h, const struct page *pg);
void page_end(struct req *r, struct html *h, const struct page *pg);

/* The path and query of R as asked for ("/availability?date=..."), appended
** to OUT, the query re-encoded: for "come back here" links (next=). */
void page_current_url(struct req *r, struct html *out);

/* Send H (text/html) with STATUS; H is emptied. Out of memory -> 500. */
struct reply page_reply(struct req *r, unsigned status, struct html *h);

/* A whole page saying MESSAGE, for errors (reply_error uses it for browsers). */
struct reply page_error(struct req *r, unsigned status, const char *message);

/* ------------------------------------------------------------ forms
** A field is, top to bottom: its label with a 必須/任意 mark, the support
** text, the control, and the error text (DADS). The control's id is
** "f-NAME" (for a group of radios or checkboxes, the first one's), so the
** error summary can link to it; support and error are tied to it with
** aria-describedby. What the person sent is shown again (values).
*/

struct page_option {
  const char *value;
  const char *label;
  const char *group;        /* <optgroup> label for selects; NULL = none */
};

enum page_field_type {
  PF_TEXT, PF_NUMBER, PF_TEL, PF_EMAIL, PF_PASSWORD, PF_DATE, PF_TEXTAREA,
  PF_SELECT,                /* options; one value */
  PF_RADIOS,                /* options; one value, as a fieldset */
  PF_CHECKBOXES             /* options; any number of values, as a fieldset */
};

#define PF_ONE_OF 2 /* page_field.required: "どちらか1つは必須" (e.g. phone or email) */

struct page_field {
  const char *name;         /* [a-z0-9_]: the form name; id "f-NAME" */
  const char *label;
  enum page_field_type type;
  int required;             /* 1: 必須, 0: 任意, PF_ONE_OF: one of a pair is needed */
  const char *support;      /* support text, or NULL */
  const struct page_option *options;
  int noptions;
  const char *autocomplete; /* "name", "tel", "email", ... or NULL */
  const char *inputmode;    /* "numeric", ... or NULL */
  int maxlength;            /* 0 = none */
  const char *size;         /* width class: "s", "m", "l" (default "l") */
};

struct page_form {
  const json_t *values;     /* borrowed: {name: string | [strings]} as sent, or NULL */
  const json_t *errors;     /* borrowed: {name: message} (kerrinfo.fields), or NULL */
};

/* Open a form. For POST, adds the session's CSRF token when signed in.
** novalidate: the server validates and explains; the browser's bubbles do not. */
void page_form_begin(struct req *r, struct html *h, const char *method, const char *action);
void page_form_end(struct html *h, const char *submit_label);

void page_field(struct html *h, const struct page_field *f, const struct page_form *fm);

/* The error summary at the top of a failed form: a heading and a link to
** each field in error, in the order of FIELDS. Nothing when no errors. */
void page_error_summary(struct html *h, const struct page_field *fields, int n,
                        const struct page_form *fm);

/* The same with MESSAGE (may be NULL) under the heading: the error that
** belongs to no one field (409 slot_taken, a cap of the rule book). Shown
** when there is a MESSAGE or any field error. */
void page_error_summary_msg(struct html *h, const char *message, const struct page_field *fields,
                            int n, const struct page_form *fm);

/* The value of NAME as sent (first one if repeated), or NULL. */
const char *page_value(const struct page_form *fm, const char *name);

/* ----------------------------------------------------------- states */

/* <td> for a slot state: symbol and text, never colour alone:
** 空き ○ / 予約あり × (held or booked) / 休館 ー. GROUP (a publicly listed
** group, may be NULL) is shown under a taken state. */
void page_state_cell(struct html *h, enum avail_state state, const char *group);

/* A slot's cell as a person may act on it (core/bookable.h): STATE from a
** feed, BOOKING its enum bk_answer (-1 = none): BK_OPEN with HREF makes the
** cell a link to the booking form named "空き WHAT を予約する" for screen
** readers; BK_NOT_YET says 受付前 and the opening date (OPENS_AT, an
** instant); BK_COUNTER_ONLY 窓口のみ; BK_OVER 受付終了; BK_CAMPAIGN 当日のみ
** (a campaign day's room: used that day without registration, never booked
** ahead). Never a link for a slot that would be refused. */
struct page_cell {
  enum avail_state state;
  int booking;
  const char *group, *href, *what;
  int64_t opens_at;
};
void page_slot_cell(struct html *h, const struct page_cell *c);

/* The legend of the symbols, as a short list. */
void page_state_legend(struct html *h);

/* The string member KEY of O, or "" (never NULL). */
const char *page_str(const json_t *o, const char *key);

/* ----------------------------------------------------------- dates */

/* When a campaign day (rule book campaign_days) makes ROOM free on DAY:
** "親子の日 (無料)", else "" (OUT >= 128 bytes). Issue 13 point 3. */
void page_campaign_note(const struct rulebook *rb, const struct room *room, int32_t day, char *out,
                        size_t n);

/* What is special about DAY for CENTER (NULL: every centre), for date lists
** and tables: "休館日 (第1・第3月曜日)", or "" (OUT >= 96 bytes). */
void page_day_note(const struct kctx *ctx, const char *center, const struct room *room, int32_t day,
                   char *out, size_t n);

/* "4月8日（水）" (OUT >= 32 bytes); with the year: "2026年4月8日（水）": core's
** clock_jdate_md and clock_jdate, the one form of a date in pages and messages. */
void page_date_label(int32_t day, int with_year, char *out, size_t n);

/* "2026年4月4日（土）9:00" (JST; core's clock_jinstant) of the instant T, or of
** an ISO 8601 instant ("-" when it cannot be read). OUT >= 48 bytes. */
void page_instant_label(int64_t t, char *out, size_t n);
void page_iso_label(const char *iso, char *out, size_t n);

/* ----------------------------------------------------------- lists */

/* The links to the previous and the next page of a list shown in pages, as
** <nav class="pager" aria-label="LABEL">: PATH?QUERYpage=N, QUERY being ""
** or URL-encoded "name=value&" pairs (each ending in '&') that keep what was
** asked; PAGE the one shown (1 ..), PAGES how many. Nothing for one page. */
void page_pager(struct html *h, const char *label, const char *path, const char *query,
                int page, int pages);

/* ----------------------------------------------------------- money */

/* "1,310円" */
void page_yen(long long yen, char *out, size_t n);

/* What a booking that was called off (cancelled, or a hold that lapsed)
** came to, in the one wording every page uses (the counter's booking card,
** マイページ and the booking's own page): what it was charged, CHARGE (the
** 取消料; 0: "取消料なし"), then what was paid in (PAID, the payments) and
** given back (REFUNDED, the refunds, as a positive sum), and what is still
** owed or still to be given back:
**   "取消料 160円 (支払済み 640円・返金済み 480円)"
**   "取消料なし (支払済み 640円・返金待ち 640円)"
**   "取消料 160円 (未払い 160円)"
**   "取消料なし (支払いはありません)" */
void page_called_off_fee(long long charge, long long paid, long long refunded, char *out,
                         size_t n);

#endif
