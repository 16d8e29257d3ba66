/*
** http/web_rules.c: the public pages that publish the rule book (see
** web_rules.h; docs/web.md): the exemption (減免) criteria in force on a
** date, and the help page (words used on the pages, each centre's counter
** hours and telephone). They read only the rule book; nothing here names a
** person.
*/
#include "web_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/bookable.h"
#include "../core/clock.h"
#include "pages.h"
#include "reply.h"

static struct reply not_found(struct req *r) { return reply_error(r, KERR_NOT_FOUND, NULL); }

/* ========================================================= discounts */

static void rate_text(int rate, char *out, size_t n) {
  if (rate >= 100) snprintf(out, n, "100%% (全額免除: 使用料はかかりません)");
  else if (rate == 50) snprintf(out, n, "50%% (5割減額: 使用料が半分になります)");
  else snprintf(out, n, "%d%% (使用料の%d%%が安くなります)", rate, rate);
}

static void validity_text(const struct discount_cat *d, char *out, size_t n) {
  if (d->valid_kind == VALID_DAYS)
    snprintf(out, n, "承認された日から%d日間。", d->valid_days);
  else
    snprintf(out, n, "承認された日の年度末 (3月31日) まで。毎年度、申請しなおします。");
}

/* GET /rules/discounts[?date=D] -> 200 the published 減免 criteria of the
** rules version in force today (or on D): code, name, rate, who qualifies,
** evidence, validity; 422 for an impossible date; 404 before the first
** version. Anyone. */
struct reply web_discounts(struct req *r) {
  const struct rulebook *rb = r->ctx.rb;
  int32_t today = clock_today(r->ctx.now), day = today;
  const char *qd = req_query(r, "date");
  if (qd && *qd && date_parse(qd, &day)) {
    struct kerrinfo ei = {0};
    kerr_set(&ei, KERR_VALIDATION, "日付は YYYY-MM-DD の形で、実在する日付を指定してください。");
    kerr_field(&ei, "date", "日付は YYYY-MM-DD の形で、実在する日付を指定してください。");
    struct reply ret = reply_error(r, KERR_VALIDATION, &ei);
    kerr_clear(&ei);
    return ret;
  }
  const struct rules *ru = rules_in_force(rb, day);
  if (!ru) return not_found(r);
  char from[48], title[160];
  page_date_label(ru->effective_from, 1, from, sizeof from);
  if (day == today) snprintf(title, sizeof title, "使用料の減免の基準");
  else snprintf(title, sizeof title, "使用料の減免の基準 (%s から)", from);

  struct html h = {0};
  struct page pg = {.title = title, .nav = "discounts"};
  page_begin(r, &h, &pg);
  html_printf(&h, "<h1>%h</h1>"
                  "<p class=\"lead\"><strong>減免 (げんめん)</strong> とは、決められた条件に合うときに、"
                  "公民館の使用料を安くしたり (減額)、無料にしたり (免除) することです。</p>"
                  "<p>この基準は、%h から使われ%s規則 (版: %h) のものです。"
                  "公民館で部屋を使う日に使われている規則で決まります。</p>",
              title, from, ru->effective_from > today ? "る" : "ている", ru->version);
  /* Other versions: the next one, or back to today's. */
  for (int i = 0; i < rb->nversions; i++) {
    const struct rules *v = &rb->versions[i];
    if (v->effective_from > ru->effective_from && v->effective_from > today) {
      char vd[11], vl[48];
      date_format(v->effective_from, vd);
      page_date_label(v->effective_from, 1, vl, sizeof vl);
      html_printf(&h, "<p><a href=\"/rules/discounts?date=%u\">%h から使われる基準を見る</a></p>", vd, vl);
      break;
    }
  }
  if (ru != rules_in_force(rb, today))
    html_raw(&h, "<p><a href=\"/rules/discounts\">いま使われている基準を見る</a></p>");

  if (!ru->ndiscounts) html_raw(&h, "<p>この規則には減免の区分がありません。</p>");
  for (int i = 0; i < ru->ndiscounts; i++) {
    const struct discount_cat *cat = &ru->discounts[i];
    char rate[160], valid[200];
    rate_text(cat->rate, rate, sizeof rate);
    validity_text(cat, valid, sizeof valid);
    html_printf(&h, "<section class=\"card\" aria-labelledby=\"d-%h\"><h2 id=\"d-%h\">%h</h2>"
                    "<dl class=\"facts\">"
                    "<div><dt>減免の割合</dt><dd>%h</dd></div>"
                    "<div><dt>対象になる使い方</dt><dd>%h</dd></div>"
                    "<div><dt>申請に必要なもの</dt><dd>%h</dd></div>"
                    "<div><dt>有効期間</dt><dd>%h</dd></div>%s</dl>",
                cat->code, cat->code, cat->name, rate, cat->criteria, cat->evidence,
                valid,
                cat->verified_resident
                    ? "<div><dt>申請できる人</dt><dd>マイナンバーカードで市内在住を確認した方"
                      "（マイページでカードを登録します）</dd></div>" : "");
    /* A later version that abolishes the category or changes its rate:
    ** said here in advance, from its date. */
    for (int k = 0; k < rb->nversions; k++) {
      const struct rules *v = &rb->versions[k];
      if (v->effective_from <= ru->effective_from) continue;
      const struct discount_cat *later = rules_discount(v, cat->code);
      if (later && later->rate == cat->rate) continue;
      char vl[48], later_rate[160];
      page_date_label(v->effective_from, 1, vl, sizeof vl);
      if (!later) {
        html_printf(&h, "<p class=\"note\"><strong>%h から、この区分はなくなります。</strong>"
                        "その日から後に使う分は、減免されません。</p>", vl);
      } else {
        rate_text(later->rate, later_rate, sizeof later_rate);
        html_printf(&h, "<p class=\"note\"><strong>%h から、減免の割合が %h に変わります。</strong>"
                        "その日から後に使う分に使われます。</p>", vl, later_rate);
      }
      break;
    }
    if (cat->illustrative)
      html_raw(&h, "<p class=\"note\">この区分は、システムの説明のための例です。市が公表した基準ではありません。</p>");
    html_raw(&h, "</section>");
  }
  html_raw(&h, "<section aria-labelledby=\"apply-title\"><h2 id=\"apply-title\">申請のしかた</h2>"
               "<ol><li>減免を受けるには、まず団体の登録をして、承認を受けます。</li>"
               "<li>団体の代表者か副代表者が、ログインして<a href=\"/discounts/apply\">減免の申請の画面</a>から申請します。"
               "区分と、その区分に当てはまる理由を書きます。証明書類についてのメモも書けます。</li>"
               "<li>市の担当者が審査します。結果と理由は、団体のページで見られます。</li></ol>"
               "<p>申請は一度だけで、どの公民館でも使えます。公民館ごとに申請する必要はありません。"
               "同じ団体が同じ区分で、審査中の申請を2つ出すことはできません。</p></section>"
               "<section aria-labelledby=\"fee-title\"><h2 id=\"fee-title\">使用料の計算のしかた</h2>"
               "<ul><li>承認されると、有効期間のあいだに使う予約の使用料が、どの公民館でも安くなります。"
               "承認の前にした予約でも、まだ支払っていなければ安くなります。</li>"
               "<li>減免の割合は、部屋を使う日に使われている規則で決まります。"
               "規則が変わって区分がなくなったり割合が変わったりしたときは、その日から後に使う分に新しい規則が使われます。</li>"
               "<li>払う額は、使用料から減免の額を引いた残りです。"
               "払う額に1円未満の端数が出たときは、1円未満は切り捨てます。</li>"
               "<li>2つ以上の区分で承認されているときは、いちばん安くなる区分を使います。</li>"
               "<li>減免を受けている団体も、予約の受付開始日や、1か月に予約できるコマ数は、ほかの団体と同じです。"
               "減免は使用料だけのしくみです。</li></ul>"
               "<p><a href=\"/help\">わからないときは、公民館に問い合わせてください。</a></p></section>");
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}

/* ============================================================== help */

/* The help page's glossary: the words a 75-year-old may not know (point 15).
** SAMEDAY_ONLINE: the rule book takes same-day use without registration on
** the web too (core/bookable.h bookable_sameday_open). */
static void help_words(struct html *h, int sameday_online) {
  html_raw(h, "<section aria-labelledby=\"words\"><h2 id=\"words\">ことばの説明</h2><dl class=\"glossary\">"
               "<dt>名義 (めいぎ)</dt><dd>だれの予約か、ということです。団体で予約するときは団体の名前、"
               "1人で予約するときはあなたの名前です。</dd>"
               "<dt>取消料 (とりけしりょう)</dt><dd>決められた日より後に予約をとりけすときに、はらうお金です。</dd>"
               "<dt>減免 (げんめん)</dt><dd>決められた条件に合うとき、使用料が安くなる、または無料になることです。"
               "<a href=\"/rules/discounts\">減免の基準</a>を見てください。</dd>"
               "<dt>電子署名 (でんししょめい)</dt><dd>市が、利用許可書が本物であることを確かめるためのしるしです。"
               "書きかえると、本物でないことがわかります。</dd>"
               "<dt>当日利用 (とうじつりよう)</dt><dd>その日に空いている部屋を、その日に使うことです。"
               "登録していなくても、公民館の窓口で申し込めます。");
  if (sameday_online)
    html_raw(h, "窓口が閉まっている時間でも、このサイトで今日の空いている時間帯を選ぶと、"
                "「登録しないで今日使う」から、お名前と電話番号だけで申し込めます。");
  html_raw(h, "</dd>"
               "<dt>任意 (にんい)</dt><dd>書かなくてもよい、ということです。「必須」は、必ず書くところです。</dd>"
               "<dt>半角 (はんかく)</dt><dd>英語の文字と同じ幅の数字や文字 (例: 123) です。"
               "電話番号などは、全角 (１２３) で書いても、そのまま受け付けます。</dd></dl></section>");

}

/* The help page's learning groups: where the public list is, and how to
** reach a group through a centre (nothing on the list names a person). */
static void help_groups(struct html *h) {
  html_raw(h, "<section aria-labelledby=\"groups\"><h2 id=\"groups\">学習グループ (サークル) をさがす</h2>"
              "<p>公民館で活動している学習グループのうち、公開をえらんだ団体を、"
              "<a href=\"/groups\">学習グループをさがす</a>のページで見ることができます。"
              "活動の内容や、公民館で、さがせます。</p>"
              "<p>代表者の名前や連絡先はのせていません。参加したいときは、公民館の窓口で、団体の名前を伝えて"
              "問い合わせてください。公民館の職員が、団体の代表者に取り次ぎます。</p>"
              "<p>自分の団体をのせたいときは、団体の登録のときに「公開する」をえらびます。</p></section>");
}

/* The help page's contacts: counter hours, and each centre's phone, address and map. */
static void help_contacts(struct html *h, const struct rulebook *rb, const struct rules *ru) {
  html_raw(h, "<section aria-labelledby=\"ask\"><h2 id=\"ask\">問い合わせ先</h2>");
  if (ru) {
    char hours[256];
    rules_counter_hours_text(ru, hours, sizeof hours);
    html_printf(h, "<p>公民館の窓口の受付は、%hです。インターネットの予約は、いつでもできます。</p>",
                hours);
  }
  html_raw(h, "<ul class=\"contacts\">");
  for (int c = 0; c < rb->ncenters; c++) {
    const struct center *ce = &rb->centers[c];
    html_printf(h, "<li><span class=\"c-name\">%h</span>"
                    "<span>電話: <a href=\"tel:%h\">%h</a></span>"
                    "<span>住所: %s%h%s%h</span>",
                ce->name, ce->phone, ce->phone, ce->postcode[0] ? "〒" : "", ce->postcode,
                ce->postcode[0] ? " " : "", ce->address);
    if (ce->lat != 0 || ce->lon != 0) { /* the rule book's coordinates (approximate) */
      char la[24], lo[24];
      snprintf(la, sizeof la, "%.5f", ce->lat);
      snprintf(lo, sizeof lo, "%.5f", ce->lon);
      html_printf(h, "<span><a href=\"https://www.openstreetmap.org/?mlat=%h&amp;mlon=%h#map=17/%h/%h\">"
                      "%h の地図 (OpenStreetMap、別のサイト)</a></span>",
                  la, lo, la, lo, ce->name);
    }
    html_raw(h, "</li>");
  }
  html_raw(h, "</ul></section>");
}

/* GET /help -> 200 how to book, holds, cancellation, closed days and where
** to ask, in やさしい日本語, with the figures from the rule book in force
** today; the open data files. Anyone. */
struct reply web_help(struct req *r) {
  const struct rulebook *rb = r->ctx.rb;
  int32_t today = clock_today(r->ctx.now);
  const struct rules *ru = rules_in_force(rb, today);
  struct html h = {0};
  struct page pg = {.title = "使い方・問い合わせ先", .nav = "help"};
  page_begin(r, &h, &pg);
  html_raw(&h, "<h1>使い方・問い合わせ先</h1>"
               "<p class=\"lead\">公民館の部屋の予約のしかたを、やさしい日本語で説明します。</p>"
               "<nav class=\"toc\" aria-label=\"このページの目次\"><ul>"
               "<li><a href=\"#how\">予約のしかた</a></li>"
               "<li><a href=\"#hold\">仮予約と確定</a></li>"
               "<li><a href=\"#cancel\">予約をとりけすとき</a></li>"
               "<li><a href=\"#when\">いつから予約できるか・休館日</a></li>"
               "<li><a href=\"#groups\">学習グループをさがす</a></li>"
               "<li><a href=\"#words\">ことばの説明</a></li>"
               "<li><a href=\"#ask\">問い合わせ先</a></li>"
               "<li><a href=\"#opendata\">オープンデータ</a></li></ul></nav>");

  html_raw(&h, "<section aria-labelledby=\"how\"><h2 id=\"how\">予約のしかた</h2><ol class=\"steps\">"
               "<li><a href=\"/\">トップページ</a>か<a href=\"/availability\">空き状況</a>の画面で、"
               "日付と、公民館 (わからないときは郵便番号) と、時間を選んで、「空き状況を見る」を押します。</li>"
               "<li>「○ 空き」の部屋と時間 (午前・午後・夜間) を選びます。</li>"
               "<li>はじめての方は、その画面で名前などを入力して「登録して予約へ進む」を押します。"
               "登録した方は「ログインして予約へ進む」を押します。選んだ部屋と日は、そのまま残ります。</li>"
               "<li>目的と人数を書いて、「確認の画面へ進む」のボタンを押します。</li>"
               "<li>確認の画面で、部屋、日付、時間、使用料を確かめて、「この内容で予約する」のボタンを押します。"
               "これで予約は確定し、<strong>利用許可書</strong> (予約の証明。QRコードと番号) が出ます。</li>"
               "<li>すぐに決められないときは、確認の画面の「仮予約にする」を押すと、"
               "決められた時間のあいだ部屋をとっておけます。そのあいだに「予約を確定する」を押してください。</li>"
               "</ol><p>インターネットが使えないときは、公民館の窓口で予約できます。"
               "電話番号は<a href=\"#ask\">問い合わせ先</a>を見てください。</p></section>");

  html_raw(&h, "<section aria-labelledby=\"hold\"><h2 id=\"hold\">仮予約と確定</h2>");
  if (ru)
    html_printf(&h, "<p>仮予約は、%d時間のあいだ、あなたのために部屋をとっておくことです。</p>"
                    "<p>%d時間のうちに「確定」しないと、仮予約は自動で取り消されます。"
                    "取り消されると、ほかの人が予約できるようになります。</p>"
                    "<p>仮予約は、1人%d件までです。</p>",
                ru->hold_lapse_hours, ru->hold_lapse_hours, ru->hold_max_per_user);
  html_raw(&h, "<p>画面には、仮予約が取り消される日と時刻を表示します。</p></section>");

  html_raw(&h, "<section aria-labelledby=\"cancel\"><h2 id=\"cancel\">予約をとりけすとき</h2>");
  if (ru) {
    if (ru->cancel_after_deadline_fee < 0)
      html_printf(&h, "<p>使う日の%d日前まで、とりけすことができます。それより後は、とりけすことができません。</p>",
                  ru->cancel_deadline_days);
    else
      html_printf(&h, "<p>使う日の%d日前までは、お金はかからずに、とりけすことができます。</p>"
                      "<p>それより後にとりけすときは、使用料の%d%%をはらいます (取消料)。"
                      "減免で安くなった予約は、安くなった使用料の%d%%です。1円より小さいところは切り捨てます"
                      " (減免の計算と同じです)。</p>",
                  ru->cancel_deadline_days, ru->cancel_after_deadline_fee,
                  ru->cancel_after_deadline_fee);
  }
  /* RULE: staff cancel on the holder's request or for the city's reason (core/bookings_change.c) */
  if (ru && ru->cancel_after_deadline_fee < 0)
    html_raw(&h, "<p>それより後も、公民館の窓口で、とりけすことができます。そのときは、使用料の全部をはらいます。</p>");
  html_raw(&h, "<p id=\"cancel-counter\">公民館の窓口や電話でとりけすときも、同じ取消料です。"
               "設備がこわれたときや休館のときなど、市の都合でとりけすときは、お金はかかりません。</p>"
               "<p>使わなくなったときは、早めにとりけしてください。ほかの人が使えるようになります。</p></section>");

  html_raw(&h, "<section aria-labelledby=\"when\"><h2 id=\"when\">いつから予約できるか・休館日</h2>");
  if (ru) {
    char at[8];
    clock_jminutes(ru->opens_at, at, sizeof at);
    if (ru->opens_months_before > 0)
      html_printf(&h, "<p>使う月の%dか月前の%d日、%h から予約できます。"
                      "すべての公民館で、すべての人が同じです。</p>",
                  ru->opens_months_before, ru->opens_day, at);
    else
      html_printf(&h, "<p>使う月の%d日、%h から予約できます。</p>", ru->opens_day, at);
    html_raw(&h, "<p>公民館が休みの日 (休館日) は、次のとおりです。</p><ul>");
    for (int i = 0; i < ru->nclosed; i++) {
      const struct closed_rule *cr = &ru->closed[i];
      if (cr->kind == CLOSED_DATE && cr->date < today) continue;
      const struct center *ce = cr->center[0] ? rules_center(rb, cr->center) : NULL;
      html_printf(&h, "<li>%h%s%h</li>", cr->label, ce ? " (" : "", ce ? ce->name : "");
      if (ce) html_raw(&h, ")");
    }
    html_raw(&h, "</ul>");
    html_raw(&h, "<p>部屋を使える時間は、次のとおりです。</p><ul>");
    for (int s = 0; s < ru->nslots; s++) {
      char a[8], b[8];
      clock_jminutes(ru->slots[s].start, a, sizeof a);
      clock_jminutes(ru->slots[s].end, b, sizeof b);
      html_printf(&h, "<li>%h: %h から %h まで</li>", ru->slots[s].label, a, b);
    }
    html_raw(&h, "</ul>");
  }
  html_raw(&h, "<p>使用料が安くなる、または無料になる場合があります。"
               "<a href=\"/rules/discounts\">減免の基準</a>を見てください。</p></section>");

  help_groups(&h);
  help_words(&h, bookable_sameday_open(&r->ctx));
  help_contacts(&h, rb, ru);

  char from[11], to[11];
  date_format(today, from);
  date_format(today + 30, to);
  html_printf(&h, "<section aria-labelledby=\"opendata\"><h2 id=\"opendata\">オープンデータ</h2>"
                  "<p>公民館の一覧と、部屋の空き状況と、月ごとの利用状況と、学習グループの一覧を、"
                  "だれでも使えるデータ (CSV) で公開しています。"
                  "人の名前は入っていません。</p><ul class=\"links\">"
                  "<li><a href=\"/opendata/facilities.csv\">公民館の一覧 (公共施設一覧の形式、CSV)</a></li>"
                  "<li><a href=\"/opendata/availability.csv?from=%u&amp;to=%u\">"
                  "今日から30日間の空き状況 (CSV)</a></li>"
                  "<li><a href=\"/api/v1/today.csv\">今日の空き状況 (CSV)</a></li>"
                  "<li><a href=\"/opendata/usage.csv\">公民館ごと・月ごとの利用状況 (今年度の終わった月、利用率など、CSV)</a></li>"
                  "<li><a href=\"/opendata/groups.csv\">公開している学習グループの一覧 (CSV)</a></li>"
                  "</ul></section>",
              from, to);
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}
