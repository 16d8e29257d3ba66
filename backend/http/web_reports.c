/*
** http/web_reports.c: the analysts' page, GET /reports (docs/reports.md).
**
** Three charts drawn here as inline SVG (no script; the CSP allows none):
** the occupancy heat map by weekday and slot, the monthly occupancy of each
** centre, and the share of booked slots that had an exemption (減免). Each
** chart is an <svg role="img"> with a <title> and a <desc> that says what it
** shows in words, its figures are written on it as text (a value is never
** told by colour alone), and a table with the same figures follows it for
** screen readers, keyboard users and anyone who wants the numbers. A wide
** table scrolls inside its wrapper, which takes the keyboard focus (a
** labelled region) so that it can be scrolled without a mouse.
**
** The page reads the session cookie like every page; the route table lets
** only analysts and admins in; a browser that is not signed in is sent to
** the sign-in page and comes back (router.c), other roles get the 403 page.
*/
#include "web_reports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/courses.h"
#include "../core/reports.h"
#include "pages.h"
#include "reply.h"

/* The heat map's five steps: fill and the text colour readable on it (the
** contrast of each pair is at least 4.5:1). The step is also written as a
** number in every cell. */
static const struct {
  const char *fill, *ink;
} steps[] = {{"#eef3fd", "#1a1a1a"}, {"#c9dbf8", "#1a1a1a"}, {"#8fb3ef", "#1a1a1a"},
             {"#2f62c8", "#ffffff"}, {"#0b2f7a", "#ffffff"}};

static void pct(double v, char *out, size_t n) {
  if (v < 0) snprintf(out, n, "—");
  else snprintf(out, n, "%.1f%%", v * 100.0);
}

/* "12,345" */
static const char *num(int64_t v, char *out, size_t n) {
  char raw[32];
  int k = snprintf(raw, sizeof raw, "%lld", (long long)(v < 0 ? -v : v)), o = 0;
  if (v < 0 && (size_t)o + 1 < n) out[o++] = '-';
  for (int i = 0; i < k && (size_t)o + 2 < n; i++) {
    if (i && (k - i) % 3 == 0) out[o++] = ',';
    out[o++] = raw[i];
  }
  out[o] = 0;
  return out;
}

/* The colour step (0-4) of V on the spread LO..HI of the figures shown, so
** that the steps show the real differences (all of 2-9% are not one colour). */
static int step_of(double v, double lo, double hi) {
  if (hi - lo < 1e-9) return v > 0 ? 2 : 0;
  int k = (int)((v - lo) / (hi - lo) * 5.0);
  return k < 0 ? 0 : k > 4 ? 4 : k;
}

/* The row of REP whose key is KEY, or NULL. */
static const struct report_row *find(const struct report *rep, const char *key) {
  for (int i = 0; i < rep->nrows; i++)
    if (!strcmp(rep->rows[i].key, key)) return &rep->rows[i];
  return NULL;
}

/* ---------------------------------------------------------- heat map */

static void heatmap(struct html *h, const struct report *rep, const struct rules *ru) {
  static const char *const wd[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  int ns = ru ? ru->nslots : 0;
  const int cw = 110, ch = 44, left = 56, top = 34;
  int W = left + cw * ns + 8, H = top + ch * 7 + 8;
  char v[32], key[64];

  html_raw(h, "<section aria-labelledby=\"hm-h\"><h2 id=\"hm-h\">曜日と時間帯ごとの利用率</h2>"
              "<p>部屋が空いていたコマ (休館日を除く) のうち、予約で使われたコマの割合です。"
              "色が濃いほど利用率が高く、どのマスにも数値を書いています。</p>");
  html_printf(h, "<figure class=\"chart\"><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
                 "aria-labelledby=\"hm-t hm-d\" viewBox=\"0 0 %d %d\" width=\"100%%\">"
                 "<title id=\"hm-t\">曜日と時間帯ごとの利用率のヒートマップ</title>"
                 "<desc id=\"hm-d\">縦が曜日 (月曜日から日曜日)、横が時間帯。各マスに利用率を百分率で示す。"
                 "同じ数値は次の表にもある。</desc>",
              W, H);
  double lo = 1, hi = 0; /* the spread of the figures shown */
  for (int d = 0; d < 7; d++)
    for (int s = 0; s < ns; s++) {
      snprintf(key, sizeof key, "%s/%s", wd[d], ru->slots[s].code);
      const struct report_row *row = find(rep, key);
      double occ = row ? reports_occupancy(row) : -1;
      if (occ >= 0 && occ < lo) lo = occ;
      if (occ >= 0 && occ > hi) hi = occ;
    }
  for (int s = 0; s < ns; s++)
    html_printf(h, "<text x=\"%d\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" fill=\"#1a1a1a\">%h</text>",
                left + cw * s + cw / 2, ru->slots[s].label);
  for (int d = 0; d < 7; d++) {
    html_printf(h, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"15\" fill=\"#1a1a1a\">%h</text>",
                left / 2, top + ch * d + ch / 2 + 5, clock_weekday_jp(d + 1));
    for (int s = 0; s < ns; s++) {
      snprintf(key, sizeof key, "%s/%s", wd[d], ru->slots[s].code);
      const struct report_row *row = find(rep, key);
      double occ = row ? reports_occupancy(row) : -1;
      int k = occ < 0 ? 0 : step_of(occ, lo, hi);
      pct(occ, v, sizeof v);
      html_printf(h, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" stroke=\"#ffffff\" stroke-width=\"2\"/>"
                     "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"15\" fill=\"%s\">%h</text>",
                  left + cw * s, top + ch * d, cw, ch, occ < 0 ? "#f1f1f4" : steps[k].fill,
                  left + cw * s + cw / 2, top + ch * d + ch / 2 + 5,
                  occ < 0 ? "#1a1a1a" : steps[k].ink, v);
    }
  }
  char a[32], b[32];
  pct(hi >= lo ? lo : -1, a, sizeof a);
  pct(hi >= lo ? hi : -1, b, sizeof b);
  html_printf(h, "</svg><figcaption>凡例: 色の濃さは、この期間のいちばん低い %h からいちばん高い %h までを"
                 "5段階に分けたものです (濃いほど高い)。「—」は空いていたコマがない (すべて休館日) ことを表します。"
                 "</figcaption></figure>",
              a, b);

  html_raw(h, "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-labelledby=\"hm-c\"><table><caption id=\"hm-c\">曜日と時間帯ごとの利用率 (予約されたコマ / 空いていたコマ)</caption>"
              "<thead><tr><th scope=\"col\">曜日</th>");
  for (int s = 0; s < ns; s++) html_printf(h, "<th scope=\"col\">%h</th>", ru->slots[s].label);
  html_raw(h, "</tr></thead><tbody>");
  for (int d = 0; d < 7; d++) {
    html_printf(h, "<tr><th scope=\"row\">%h曜日</th>", clock_weekday_jp(d + 1));
    for (int s = 0; s < ns; s++) {
      snprintf(key, sizeof key, "%s/%s", wd[d], ru->slots[s].code);
      const struct report_row *row = find(rep, key);
      pct(row ? reports_occupancy(row) : -1, v, sizeof v);
      char nb[32], na[32];
      html_printf(h, "<td>%h<span class=\"time\">%h / %h</span></td>", v,
                  num(row ? row->slots_booked : 0, nb, sizeof nb),
                  num(row ? row->slots_available : 0, na, sizeof na));
    }
    html_raw(h, "</tr>");
  }
  html_raw(h, "</tbody></table></div></section>");
}

/* ------------------------------------------------------------- trend */

static void trend(struct html *h, const struct report *rep, const struct rulebook *rb,
                  const struct center *only, int32_t from, int32_t to) {
  int y0, m0, y1, m1, d;
  date_to_ymd(from, &y0, &m0, &d);
  date_to_ymd(to, &y1, &m1, &d);
  int nm = (y1 - y0) * 12 + (m1 - m0) + 1;
  /* One small chart per centre, each an image of its own: they sit side by
  ** side as inline SVG and wrap on a narrow screen (no stylesheet needed);
  ** one centre alone gets one wide chart that scales to the page. */
  const int pw = only ? 640 : 240, ph = only ? 220 : 150;
  char key[96], v[32];

  html_raw(h, "<section aria-labelledby=\"tr-h\"><h2 id=\"tr-h\">月ごとの利用率の推移 (公民館別)</h2>"
              "<p id=\"tr-d\">公民館ごとに、月ごとの利用率を棒で示します (横が月、古い月から新しい月、"
              "棒の高さが利用率)。棒の上の数値が利用率 (%) です。同じ数値は次の表にもあります。</p>"
              "<div class=\"chart\">");   /* not a <figure>: its side margins would not leave 240 px at 320 */
  for (int c = 0; c < rb->ncenters; c++) {
    const struct center *ce = &rb->centers[c];
    if (only && ce != only) continue;
    if (only)
      html_printf(h, "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"tr-t-%h tr-d\" "
                     "viewBox=\"0 0 %d %d\" width=\"100%%\">", ce->code, pw, ph);
    else
      html_printf(h, "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"tr-t-%h tr-d\" "
                     "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\">", ce->code, pw, ph, pw, ph);
    html_printf(h, "<title id=\"tr-t-%h\">%h 月ごとの利用率</title>", ce->code, ce->name);
    int px = 0, py = 0;
    int bx = px + 8, by = py + 44, bw = pw - 16, bh = ph - 60;
    html_printf(h, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#ffffff\" stroke=\"#b3b3b3\"/>"
                   "<text x=\"%d\" y=\"%d\" font-size=\"15\" fill=\"#1a1a1a\">%h</text>"
                   "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#767676\"/>",
                px + 1, py + 1, pw - 2, ph - 2, px + 8, py + 20, ce->name, bx, by + bh, bx + bw, by + bh);
    double slot_w = (double)bw / (nm > 0 ? nm : 1);
    for (int i = 0; i < nm; i++) {
      int y = y0 + (m0 - 1 + i) / 12, m = (m0 - 1 + i) % 12 + 1;
      snprintf(key, sizeof key, "%s/%04d-%02d", ce->code, y, m);
      const struct report_row *row = find(rep, key);
      double occ = row ? reports_occupancy(row) : -1;
      int hgt = occ < 0 ? 0 : (int)(occ * bh + 0.5);
      int x = bx + (int)(slot_w * i) + 1, w = (int)slot_w - 2 > 1 ? (int)slot_w - 2 : 1;
      html_printf(h, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#2f62c8\"/>",
                  x, by + bh - hgt, w, hgt);
      /* the value on the bar when there is room for it; every value is in the table */
      if (nm <= 12 && occ >= 0) {
        snprintf(v, sizeof v, "%.0f", occ * 100.0);
        html_printf(h, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"%d\" fill=\"#1a1a1a\">%h</text>",
                    x + w / 2, by + bh - hgt - 3, only ? 14 : 10, v);
      }
    }
    for (int i = 0; i < nm && nm <= 24; i++) { /* every month under its bar ("4月") */
      int m = (m0 - 1 + i) % 12 + 1, x = bx + (int)(slot_w * i) + (int)slot_w / 2;
      html_printf(h, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\" fill=\"#4d4d4d\">%d月</text>",
                  x, by + bh + 13, m);
    }
    if (nm > 24) {
      char a[16], b[16];
      snprintf(a, sizeof a, "%d/%d", y0 % 100, m0);
      snprintf(b, sizeof b, "%d/%d", y1 % 100, m1);
      html_printf(h, "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#4d4d4d\">%h</text>"
                     "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\" fill=\"#4d4d4d\">%h</text>",
                  bx, by + bh + 13, a, bx + bw, by + bh + 13, b);
    }
    html_raw(h, "</svg>");
  }
  html_raw(h, "</div><p>棒の上の数値は利用率 (%)、棒の下が月です (2年を超える期間は、左下と右下に最初と最後の年/月)。</p>");

  html_raw(h, "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-labelledby=\"tr-c\"><table><caption id=\"tr-c\">公民館別 月ごとの利用率</caption><thead><tr>"
              "<th scope=\"col\">公民館</th>");
  for (int i = 0; i < nm; i++) {
    int y = y0 + (m0 - 1 + i) / 12, m = (m0 - 1 + i) % 12 + 1;
    html_printf(h, "<th scope=\"col\">%d年%d月</th>", y, m);
  }
  html_raw(h, "</tr></thead><tbody>");
  for (int c = 0; c < rb->ncenters; c++) {
    const struct center *ce = &rb->centers[c];
    if (only && ce != only) continue;
    html_printf(h, "<tr><th scope=\"row\">%h</th>", ce->name);
    for (int i = 0; i < nm; i++) {
      int y = y0 + (m0 - 1 + i) / 12, m = (m0 - 1 + i) % 12 + 1;
      snprintf(key, sizeof key, "%s/%04d-%02d", ce->code, y, m);
      const struct report_row *row = find(rep, key);
      pct(row ? reports_occupancy(row) : -1, v, sizeof v);
      html_printf(h, "<td>%h</td>", v);
    }
    html_raw(h, "</tr>");
  }
  html_raw(h, "</tbody></table></div></section>");
}

/* ---------------------------------------------------------- exempted */

static void exempted(struct html *h, const struct report *rep) {
  const int label_w = 150, bar_w = 420, text_w = 190, rh = 30;
  /* the centres, then all of them together (one centre: its row is the total) */
  int n = rep->nrows + (rep->center[0] ? 0 : 1);
  int W = label_w + bar_w + text_w, H = 40 + rh * n;
  char a[32], b[32], c[32];

  html_raw(h, "<section aria-labelledby=\"ex-h\"><h2 id=\"ex-h\">減免を受けた利用の割合</h2>"
              "<p>予約で使われたコマのうち、使用料の減免 (全額免除・一部減額) を受けたコマの割合です。</p>");
  html_printf(h, "<figure class=\"chart\"><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
                 "aria-labelledby=\"ex-t ex-d\" viewBox=\"0 0 %d %d\" width=\"100%%\">"
                 "<title id=\"ex-t\">公民館別 減免を受けた利用の割合</title>"
                 "<desc id=\"ex-d\">公民館ごとの横棒。棒の全体が予約で使われたコマで、濃い部分が全額免除、"
                 "中くらいの部分が一部減額、薄い部分が減免なし。右に減免の割合を数値で示す。同じ数値は次の表にもある。</desc>",
              W, H);
  /* legend: words beside the swatches */
  html_printf(h, "<rect x=\"%d\" y=\"6\" width=\"14\" height=\"14\" fill=\"#0b2f7a\"/>"
                 "<text x=\"%d\" y=\"18\" font-size=\"13\" fill=\"#1a1a1a\">全額免除</text>"
                 "<rect x=\"%d\" y=\"6\" width=\"14\" height=\"14\" fill=\"#5f8ee0\"/>"
                 "<text x=\"%d\" y=\"18\" font-size=\"13\" fill=\"#1a1a1a\">一部減額</text>"
                 "<rect x=\"%d\" y=\"6\" width=\"14\" height=\"14\" fill=\"#dde6f7\" stroke=\"#767676\"/>"
                 "<text x=\"%d\" y=\"18\" font-size=\"13\" fill=\"#1a1a1a\">減免なし</text>",
              label_w, label_w + 18, label_w + 100, label_w + 118, label_w + 200, label_w + 218);
  for (int i = 0; i < n; i++) {
    const struct report_row *row = i < rep->nrows ? &rep->rows[i] : &rep->total;
    int y = 32 + rh * i;
    int64_t all = row->slots_booked, full = row->slots_exempted_full,
            part = row->slots_exempted - row->slots_exempted_full;
    int wf = all ? (int)(bar_w * full / all) : 0, wp = all ? (int)(bar_w * part / all) : 0;
    pct(all ? (double)row->slots_exempted / (double)all : -1, a, sizeof a);
    html_printf(h, "<text x=\"0\" y=\"%d\" font-size=\"13\" fill=\"#1a1a1a\">%h</text>"
                   "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#dde6f7\" stroke=\"#767676\"/>"
                   "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#0b2f7a\"/>"
                   "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#5f8ee0\"/>"
                   "<text x=\"%d\" y=\"%d\" font-size=\"13\" fill=\"#1a1a1a\">減免 %h</text>",
                y + 16, i < rep->nrows ? row->label : "すべての公民館", label_w, y, bar_w, rh - 8,
                label_w, y, wf, rh - 8, label_w + wf, y, wp, rh - 8, label_w + bar_w + 8, y + 16, a);
  }
  html_raw(h, "</svg></figure>");

  html_raw(h, "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-labelledby=\"ex-c\"><table><caption id=\"ex-c\">公民館別 減免を受けた利用 (コマ数と割合)</caption>"
              "<thead><tr><th scope=\"col\">公民館</th><th scope=\"col\">予約で使われたコマ</th>"
              "<th scope=\"col\">全額免除</th><th scope=\"col\">一部減額</th>"
              "<th scope=\"col\">減免の割合</th><th scope=\"col\">減免額 (円)</th></tr></thead><tbody>");
  for (int i = 0; i < n; i++) {
    const struct report_row *row = i < rep->nrows ? &rep->rows[i] : &rep->total;
    pct(row->slots_booked ? (double)row->slots_exempted / (double)row->slots_booked : -1, a, sizeof a);
    char nb[32], ny[32];
    num(row->slots_exempted_full, b, sizeof b);
    num(row->slots_exempted - row->slots_exempted_full, c, sizeof c);
    html_printf(h, "<tr><th scope=\"row\">%h</th><td>%h</td><td>%h</td><td>%h</td><td>%h</td><td>%h</td></tr>",
                i < rep->nrows ? row->label : "すべての公民館", num(row->slots_booked, nb, sizeof nb),
                b, c, a, num(row->exempted_amount, ny, sizeof ny));
  }
  html_raw(h, "</tbody></table></div></section>");
}

/* ----------------------------------------------------------- courses */

/* Courses (講座) with a session in FROM..TO, of CENTER (NULL: all), by
** centre and category (core/courses.h), with their CSV. */
static void courses_part(struct req *r, struct html *h, int32_t from, int32_t to,
                         const char *center) {
  struct kerrinfo ei = {0};
  struct course_report rep;
  char a[11], b[11];
  date_format(from, a);
  date_format(to, b);
  if (courses_report(&r->ctx, a, b, center, &rep, &ei)) {
    kerr_clear(&ei);
    return;
  }
  html_raw(h, "<section aria-labelledby=\"co-h\"><h2 id=\"co-h\">講座の集計</h2><p>期間に回がある講座の数、"
              "申し込み、受講が決まった人数と出席率です (出席率 = 出席の延べ人数 ÷ (受講決定の人数 × 出席を"
              "記録した回の数))。</p>");
  if (!rep.nrows)
    html_raw(h, "<p>この期間に開いた講座はありません。</p>");
  else
    html_raw(h, "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-labelledby=\"co-c\">"
                "<table><caption id=\"co-c\">公民館・分野別 講座の開催と出席</caption><thead><tr>"
                "<th scope=\"col\">公民館</th><th scope=\"col\">分野</th><th scope=\"col\">講座数</th>"
                "<th scope=\"col\">回数</th><th scope=\"col\">申し込み</th>"
                "<th scope=\"col\">受講決定 (人)</th><th scope=\"col\">出席 (延べ人)</th>"
                "<th scope=\"col\">出席率</th></tr></thead><tbody>");
  for (int i = 0; i < rep.nrows; i++) {
    const struct course_report_row *row = &rep.rows[i];
    const int64_t counts[5] = {row->courses, row->sessions, row->applicants, row->accepted,
                               row->attended};
    char n[5][32], rate[32];
    for (int k = 0; k < 5; k++) num(counts[k], n[k], 32);
    pct(row->attendance_rate, rate, sizeof rate);
    html_printf(h, "<tr><th scope=\"row\">%h</th><td>%h</td><td>%h</td><td>%h</td><td>%h</td>"
                   "<td>%h</td><td>%h</td><td>%h</td></tr>",
                row->center_name, row->category[0] ? row->category : "(分野なし)",
                n[0], n[1], n[2], n[3], n[4], rate);
  }
  if (rep.nrows) html_raw(h, "</tbody></table></div>");
  html_printf(h, "<p><a href=\"/api/v1/courses/report?from=%u&amp;to=%u%s%u&amp;format=csv&amp;"
                 "header=ja\">講座の集計 (CSV)</a></p></section>",
              a, b, center ? "&amp;center=" : "", center ? center : "");
  courses_report_free(&rep);
}

/* ------------------------------------------------------------- page */

/* The period, the centres counted and the totals of EX (by centre). */
static void summary_part(struct html *h, const struct report *ex, int32_t from, int32_t to,
                         const struct center *only) {
  char a[48], b[48];
  page_date_label(from, 1, a, sizeof a);
  page_date_label(to, 1, b, sizeof b);
  double occ = reports_occupancy(&ex->total);
  char o[32];
  pct(occ, o, sizeof o);
  const struct report_row *t = &ex->total;
  char n1[32], n2[32], n3[32], n4[32], n5[32], n6[32], n7[32], n8[32], n9[32], n10[32], n11[32];
  html_printf(h, "<section class=\"panel\" aria-labelledby=\"sum-h\"><h2 id=\"sum-h\">集計の範囲と合計</h2>"
                 "<dl class=\"facts\"><div><dt>期間 (利用日)</dt><dd>%h から %h まで</dd></div>"
                 "<div><dt>対象</dt><dd>%h</dd></div>"
                 "<div><dt>空いていたコマ (休館日を除く)</dt><dd>%h</dd></div>"
                 "<div><dt>予約で使われたコマ</dt><dd>%h (利用率 %h)</dd></div>"
                 "<div><dt>利用件数 / 利用人数</dt><dd>%h 件 / %h 人</dd></div>"
                 "<div><dt>取消 / 期限切れの仮予約</dt><dd>%h 件 / %h 件</dd></div>"
                 "<div><dt>当日利用 / 来館なし</dt><dd>%h 件 / %h 件</dd></div>"
                 "<div><dt>使用料 (調定額 / 収入額)</dt><dd>%h 円 / %h 円</dd></div>"
                 "<div><dt>利用した団体の数</dt><dd>%h</dd></div></dl></section>",
              a, b, only ? only->name : "すべての公民館", num(t->slots_available, n1, sizeof n1),
              num(t->slots_booked, n2, sizeof n2), o, num(t->uses, n3, sizeof n3),
              num(t->attendees, n4, sizeof n4), num(t->cancellations, n5, sizeof n5),
              num(t->lapsed_holds, n6, sizeof n6), num(t->walk_ins, n8, sizeof n8),
              num(t->no_shows, n9, sizeof n9), num(t->fees_charged, n10, sizeof n10),
              num(t->revenue, n11, sizeof n11), num(t->distinct_groups, n7, sizeof n7));
}

/* ----------------------------------------------------------- monthly */

static int64_t jint(const json_t *o, const char *key) {
  return (int64_t)json_integer_value(json_object_get(o, key));
}

/* One section of the monthly statistics as a table: ROWS (report rows,
** core/reports.h) under CAPTION (its element id ID), then TOTAL when given. */
static void monthly_table(struct html *h, const char *id, const char *caption, const char *what,
                          const json_t *rows, const json_t *total) {
  html_printf(h, "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-labelledby=\"%h\">"
                 "<table><caption id=\"%h\">%h</caption><thead><tr><th scope=\"col\">%h</th>"
                 "<th scope=\"col\">利用件数</th><th scope=\"col\">利用人数</th>"
                 "<th scope=\"col\">予約されたコマ</th><th scope=\"col\">利用率</th>"
                 "<th scope=\"col\">取消</th><th scope=\"col\">当日利用</th>"
                 "<th scope=\"col\">使用料 (調定額、円)</th><th scope=\"col\">収入額 (円)</th>"
                 "<th scope=\"col\">減免額 (円)</th></tr></thead><tbody>",
              id, id, caption, what);
  size_t n = json_array_size(rows);
  for (size_t i = 0; i <= n; i++) {
    const json_t *row = i < n ? json_array_get(rows, i) : total;
    if (!row) break;
    static const char *const keys[] = {"uses", "attendees", "slots_booked"};
    static const char *const money[] = {"cancellations", "walk_ins", "fees_charged", "revenue",
                                        "exempted_amount"};
    char v[3][32], m[5][32], occ[32];
    for (int k = 0; k < 3; k++) num(jint(row, keys[k]), v[k], sizeof v[k]);
    for (int k = 0; k < 5; k++) num(jint(row, money[k]), m[k], sizeof m[k]);
    const json_t *o = json_object_get(row, "occupancy");
    pct(json_is_number(o) ? json_number_value(o) : -1, occ, sizeof occ);
    html_printf(h, "<tr><th scope=\"row\">%h</th><td>%h</td><td>%h</td><td>%h</td><td>%h</td>"
                   "<td>%h</td><td>%h</td><td>%h</td><td>%h</td><td>%h</td></tr>",
                i < n ? page_str(row, "label") : "合計", v[0], v[1], v[2], occ, m[0], m[1], m[2],
                m[3], m[4]);
  }
  html_raw(h, "</tbody></table></div>");
}

/* The monthly statistics (月報) MO on the page: every section of GET
** /api/v1/reports/monthly as a table, and the same as CSV. */
static void monthly_part(struct html *h, const json_t *mo, const struct center *only) {
  int32_t first = 0;
  int y, m, d;
  date_parse(page_str(mo, "from"), &first);
  date_to_ymd(first, &y, &m, &d);
  const json_t *totals = json_object_get(mo, "totals");
  html_printf(h, "<section aria-labelledby=\"mo-h\"><h2 id=\"mo-h\">月報 (%d年%d月、%h)</h2>"
                 "<p>月ごとの統計です。各館で手作業でまとめていた項目 (利用件数・利用人数・利用率・"
                 "取消・使用料) を、予約と窓口の記録から同じ形で数えています。利用日で数えます。</p>",
              y, m, only ? only->name : "すべての公民館");
  monthly_table(h, "mo-k-c", "部屋の種類別", "部屋の種類", json_object_get(mo, "by_room_kind"),
                totals);
  monthly_table(h, "mo-ch-c", "申込方法別", "申込方法", json_object_get(mo, "by_channel"), NULL);
  monthly_table(h, "mo-rg-c", "利用者の区分別", "利用者の区分",
                json_object_get(mo, "by_registration"), NULL);
  /* campaign days (親子の日, ...): their rooms free, counted apart; 利用率 of the
  ** room-slots those days made free */
  if (json_array_size(json_object_get(mo, "by_campaign")))
    monthly_table(h, "mo-cp-c", "無料の日 (親子の日など) の利用", "無料の日",
                  json_object_get(mo, "by_campaign"), NULL);
  if (json_object_get(mo, "by_center"))
    monthly_table(h, "mo-c-c", "公民館別", "公民館", json_object_get(mo, "by_center"), totals);
  html_raw(h, "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-labelledby=\"mo-pm-c\">"
              "<table><caption id=\"mo-pm-c\">支払方法別の収入額</caption><thead><tr>"
              "<th scope=\"col\">支払方法</th><th scope=\"col\">収入額 (円)</th></tr></thead><tbody>");
  size_t i;
  json_t *r;
  char v[32];
  json_array_foreach(json_object_get(mo, "revenue_by_method"), i, r)
    html_printf(h, "<tr><th scope=\"row\">%h</th><td>%h</td></tr>", page_str(r, "label"),
                num(jint(r, "amount"), v, sizeof v));
  html_printf(h, "<tr><th scope=\"row\">合計</th><td>%h</td></tr></tbody></table></div>",
              num(jint(totals, "revenue"), v, sizeof v));
  html_printf(h, "<p><a href=\"/api/v1/reports/monthly?month=%u%s%u&amp;format=csv&amp;header=ja\">"
                 "%d年%d月の月報 (CSV)</a></p></section>",
              page_str(mo, "month"), only ? "&amp;center=" : "", only ? only->code : "", y, m);
}

/* ---------------------------------------------------------- the rest */

/* Links to the same figures for spreadsheets: the period and centre of VALUES
** (the form's values). Analysts and admins: the usage report and the log,
** which staff do not read (docs/reports.md, "Who may read"). */
static void downloads_part(struct html *h, const json_t *values, const struct center *only) {
  char q[160];
  snprintf(q, sizeof q, "from=%s&to=%s%s%s", json_string_value(json_object_get(values, "from")),
           json_string_value(json_object_get(values, "to")), only ? "&center=" : "",
           only ? only->code : "");
  html_raw(h, "<section aria-labelledby=\"dl-h\"><h2 id=\"dl-h\">データのダウンロード</h2>"
              "<p>同じ期間の数値を CSV (Excel で開けます) で取り出せます。</p><ul class=\"links\">");
  static const struct {
    const char *by, *label;
  } dl[] = {{"center", "公民館別"}, {"room", "部屋別"}, {"slot", "時間帯別"},
            {"weekday", "曜日別"}, {"month", "月別"}};
  for (size_t i = 0; i < sizeof dl / sizeof dl[0]; i++)
    html_printf(h, "<li><a href=\"/api/v1/reports/usage?%h&amp;by=%u&amp;format=csv&amp;header=ja\">%h の集計 (CSV)</a></li>",
                q, dl[i].by, dl[i].label);
  html_printf(h, "<li><a href=\"/api/v1/events?%h&amp;format=csv&amp;header=ja\">利用記録 (仮名化済み、CSV)</a></li></ul></section>",
              q);
}

/* What is not final yet (reports_provisional), when anything. */
static void provisional_part(struct html *h) {
  const struct report_provisional *p;
  int n = reports_provisional_list(&p);
  if (n) {
    html_raw(h, "<section aria-labelledby=\"pv-h\"><h2 id=\"pv-h\">暫定の数値について</h2><ul>");
    for (int i = 0; i < n; i++) html_printf(h, "<li><code>%h</code>: %h</li>", p[i].column, p[i].why);
    html_raw(h, "</ul></section>");
  }
}

/* The months the monthly statistics can be chosen for: this month back to
** the first rule book's (nothing was open before it), at most five years. */
#define MONTHS_MAX 60

static const struct page_field fields[] = {
    {.name = "from", .label = "集計の始めの日", .type = PF_DATE, .required = 1,
     .support = "利用日で数えます。例: 2026-04-01", .size = "m"},
    {.name = "to", .label = "集計の終わりの日", .type = PF_DATE, .required = 1,
     .support = "この日も含めます。5年までの期間を集計できます。", .size = "m"},
    {.name = "month", .label = "月報の月", .type = PF_SELECT, .required = 0,
     .support = "選ばないときは、集計の終わりの日の月 (まだ来ていない月なら今月) の月報です。",
     .size = "m"},
    {.name = "center", .label = "公民館", .type = PF_SELECT, .required = 0, .size = "m"},
};
#define NFIELDS ((int)(sizeof fields / sizeof fields[0]))

/* The page's request, read and checked, and its figures. */
struct view {
  int staff;                        /* a clerk: the home centre's figures, no centre field */
  int32_t from, to, month;          /* month: the first day of the 月報's month */
  const struct center *only;        /* NULL: every centre */
  json_t *values;                   /* the form's values: as sent, else the defaults */
  struct kerrinfo ei;
  struct page_field fs[NFIELDS];
  int nfs;
  struct page_option months[MONTHS_MAX], *centers;
  char month_code[MONTHS_MAX][8], month_label[MONTHS_MAX][24];
  struct report *heat, *tr, *ex;
  json_t *mo;
};

static void view_free(struct view *v) {
  json_decref(v->values);
  json_decref(v->mo);
  free(v->centers);
  reports_free(v->heat);
  reports_free(v->tr);
  reports_free(v->ex);
  kerr_clear(&v->ei);
}

/* The month choices, newest first, and the default: the month of TO, never
** one to come (its figures are bookings, not use), within the choices. */
static int month_options(struct req *r, struct view *v, int32_t *dflt) {
  const struct rulebook *rb = r->ctx.rb;
  int32_t today = clock_today(r->ctx.now), earliest = rb->nversions ? rb->versions[0].effective_from : today;
  int y, m, d, n = 0;
  date_to_ymd(today, &y, &m, &d);
  for (int32_t mo = date_from_ymd(y, m, 1); n < MONTHS_MAX; mo = date_add_months(mo, -1)) {
    date_to_ymd(mo, &y, &m, &d);
    snprintf(v->month_code[n], sizeof v->month_code[n], "%04d-%02d", y, m);
    snprintf(v->month_label[n], sizeof v->month_label[n], "%d年%d月", y, m);
    v->months[n].value = v->month_code[n];
    v->months[n].label = v->month_label[n];
    n++;
    if (mo <= earliest) break;   /* the month the rule book began */
  }
  date_to_ymd(v->to < today ? v->to : today, &y, &m, &d);
  *dflt = date_from_ymd(y, m, 1);
  int32_t oldest = 0;
  reports_month_parse(v->month_code[n - 1], &oldest);
  if (*dflt < oldest) *dflt = oldest;
  return n;
}

/* Read the query into V: the period, the month, the centre (a clerk's own,
** core/reports.c reports_scope); field errors in V->ei. KERR_FORBIDDEN for
** a clerk who asked for another centre or has none (the 403 page). */
static int read_view(struct req *r, struct view *v) {
  const struct rulebook *rb = r->ctx.rb;
  int32_t today = clock_today(r->ctx.now);
  int y, m, d;
  date_to_ymd(today, &y, &m, &d);
  v->from = date_from_ymd(m >= 4 ? y : y - 1, 4, 1);   /* the fiscal year so far */
  v->to = today;
  v->staff = r->ctx.actor.role == ROLE_STAFF;
  const char *qf = req_query(r, "from"), *qt = req_query(r, "to"), *qc = req_query(r, "center");
  const char *qm = req_query(r, "month"), *center = NULL;
  int rc = reports_scope(&r->ctx, qc, &center, &v->ei);
  if (rc) return rc;
  if (qf && *qf && date_parse(qf, &v->from))
    kerr_field(&v->ei, "from", "始めの日は YYYY-MM-DD の形で、実在する日付を入力してください。");
  if (qt && *qt && date_parse(qt, &v->to))
    kerr_field(&v->ei, "to", "終わりの日は YYYY-MM-DD の形で、実在する日付を入力してください。");
  if (center && !(v->only = rules_center(rb, center))) {
    if (v->staff) /* no centre field to show the error at: their own is the one choice */
      return kerr_set(&v->ei, KERR_FORBIDDEN, "職員が見られるのは、所属する公民館（%s）の集計だけです。"
                      "ほかの公民館の集計は、分析担当か管理者に頼んでください。",
                      rules_center(rb, r->ctx.actor.home_center)->name);
    kerr_field(&v->ei, "center", "一覧から公民館を選んでください。");
  }
  int nm = month_options(r, v, &v->month), known = 0;
  for (int i = 0; qm && *qm && i < nm; i++)
    if (!strcmp(qm, v->month_code[i])) known = 1;
  if (qm && *qm && (!known || reports_month_parse(qm, &v->month)))
    kerr_field(&v->ei, "month", "一覧から月報の月を選んでください。");
  char dfrom[11], dto[11], dmon[11];
  date_format(v->from, dfrom);
  date_format(v->to, dto);
  date_format(v->month, dmon);
  dmon[7] = 0;
  v->values = json_pack("{s:s, s:s, s:s, s:s}", "from", qf && *qf ? qf : dfrom, "to",
                        qt && *qt ? qt : dto, "month", qm && *qm ? qm : dmon, "center",
                        qc ? qc : "");
  /* the fields: a clerk's page has no centre to choose */
  v->nfs = v->staff ? NFIELDS - 1 : NFIELDS;
  memcpy(v->fs, fields, sizeof v->fs);
  v->fs[2].options = v->months;
  v->fs[2].noptions = nm;
  v->centers = calloc((size_t)rb->ncenters + 1, sizeof *v->centers);
  if (!v->values || !v->centers) return kerr_set(&v->ei, KERR_INTERNAL, NULL);
  v->centers[0].value = "";
  v->centers[0].label = "すべての公民館";
  for (int i = 0; i < rb->ncenters; i++) {
    v->centers[i + 1].value = rb->centers[i].code;
    v->centers[i + 1].label = rb->centers[i].name;
  }
  v->fs[3].options = v->centers;
  v->fs[3].noptions = rb->ncenters + 1;
  return 0;
}

/* The figures of V: three usage reports and the monthly statistics. */
static int compute(struct req *r, struct view *v) {
  const char *c = v->only ? v->only->code : NULL;
  int err = reports_usage(&r->ctx, v->from, v->to, RD_WEEKDAY | RD_SLOT, c, &v->heat, &v->ei);
  if (!err) err = reports_usage(&r->ctx, v->from, v->to, RD_CENTER | RD_MONTH, c, &v->tr, &v->ei);
  if (!err) err = reports_usage(&r->ctx, v->from, v->to, RD_CENTER, c, &v->ex, &v->ei);
  if (!err) err = reports_monthly(&r->ctx, v->month, c, &v->mo, &v->ei);
  return err;
}

static void figures(struct req *r, struct html *h, struct view *v) {
  const struct rulebook *rb = r->ctx.rb;
  summary_part(h, v->ex, v->from, v->to, v->only);
  monthly_part(h, v->mo, v->only);
  const struct rules *ru = rules_in_force(rb, v->to);
  if (!ru) ru = rules_in_force(rb, v->from);
  if (!ru && rb->nversions) ru = &rb->versions[0];
  heatmap(h, v->heat, ru);
  trend(h, v->tr, rb, v->only, v->from, v->to);
  exempted(h, v->ex);
  courses_part(r, h, v->from, v->to, v->only ? v->only->code : NULL);
  if (!v->staff) downloads_part(h, v->values, v->only);
  provisional_part(h);
}

/* GET /reports[?from=D&to=D&month=YYYY-MM&center=CODE] -> 200 the page of
** the figures (the current fiscal year up to today when no period is given:
** its months to come hold bookings, not use, and would dilute the
** occupancy) and the monthly statistics (月報) of MONTH; 422 with the form
** and its errors for a bad period, month or centre. Analysts and admins,
** every centre; staff, their home centre only (the page says which; 403
** for another centre or none). 401 page when not signed in. */
struct reply web_reports(struct req *r) {
  struct view v = {0};
  int err = read_view(r, &v);
  if (!err && !v.ei.fields) err = compute(r, &v);
  if (err && err != KERR_VALIDATION) {
    struct reply ret = reply_error(r, err, &v.ei);
    view_free(&v);
    return ret;
  }
  struct page_form fm = {.values = v.values, .errors = v.ei.fields};
  struct html h = {0};
  struct page pg = {.title = "利用状況の集計と月報", .nav = v.staff ? "admin" : "reports",
                    .flags = v.ei.fields ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  if (v.staff) html_raw(&h, "<p class=\"crumb\"><a href=\"/admin\">職員メニュー</a></p>");
  html_raw(&h, "<h1>利用状況の集計と月報</h1>"
               "<p class=\"lead\">公民館の部屋がどれだけ使われているかを、予約の記録から集計しました。"
               "個人の名前や連絡先は含みません。</p>");
  if (v.staff && v.only)
    html_printf(&h, "<p class=\"note\">所属する公民館 (%h) の数値です。"
                    "ほかの公民館や市全体の数値は、分析担当か管理者が見られます。</p>",
                v.only->name);
  page_error_summary(&h, v.fs, v.nfs, &fm);
  page_form_begin(r, &h, "get", "/reports");
  html_raw(&h, "<div class=\"form-row\">");
  for (int i = 0; i < v.nfs; i++) page_field(&h, &v.fs[i], &fm);
  html_raw(&h, "</div>");
  page_form_end(&h, "この条件で集計する");
  if (v.heat && v.tr && v.ex && v.mo) figures(r, &h, &v);
  html_raw(&h, "<p>各数値の意味と数え方は、集計の説明書 (docs/reports.md) にあります。</p>");
  page_end(r, &h, &pg);
  unsigned status = v.ei.fields ? 422 : 200;
  view_free(&v);
  return page_reply(r, status, &h);
}
