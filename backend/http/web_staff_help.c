/*
** http/web_staff_help.c: 職員の手引き (/admin/help), the counter clerks' guide
** in Japanese: which page does what a citizen asks for at the counter or on
** the phone, the rules in force in the words the pages use (read from the
** rule book, never copied), and how personal data is handled. The working
** group's 「システム利用合同説明会」: one page every centre's staff read
** the same way. Staff, admin.
*/
#include "web_staff_help.h"

#include <stdio.h>

#include "../core/bookable.h"
#include "../core/clock.h"
#include "pages.h"
#include "reply.h"

/* One row of the table: what is asked, the page (a link) and what to do there. */
static const struct {
  const char *asked, *href, *page, *how;
} tasks[] = {
  {"電話や窓口で予約したい (利用者番号がある人)", "/counter/book", "代理の予約",
   "本人確認をしてから、利用者番号・部屋・日・時間帯を入力します。予約はその人の名前になり、"
   "その人のマイページに出ます。規則はインターネットの予約と同じです。"},
  {"利用者番号がない・インターネットを使わない", "/counter/register", "利用者の登録 (窓口)",
   "本人確認のうえ登録し、「利用者番号のお知らせ」を印刷して渡します。パスワードは本人が"
   "あとでコードを使って決めます。"},
  {"パスワードを忘れた", "/counter/reset-code", "パスワード再設定のコード",
   "本人確認のうえ、コードを印刷して渡します。職員がパスワードを聞いたり決めたりはしません。"},
  {"今日空いている部屋を、登録しないで使いたい", "/counter", "窓口 (当日利用の受付)",
   "名前と電話番号だけで受け付けます。その場で使用料を受け取れます。"},
  {"使用料を払いたい", "/counter", "窓口 (今日の予約のカード)",
   "予約のカードの「支払い」で、現金・QRコード決済・クレジットカード・電子マネーのどれかを"
   "選びます。領収書の画面を印刷して渡せます。"},
  {"予約を取り消したい", "/counter", "窓口 (予約のカードの「取り消す」)",
   "「本人の申し出」か「市の都合」かを選び、理由を入力します。本人の申し出はインターネットで"
   "取り消すときと同じ取消料がかかり、市の都合は取消料なしで全額を返します。返金があるときは"
   "返金の控えを印刷して渡します。"},
  {"来館した・来なかった", "/counter", "窓口 (入館・来館なし)",
   "来館したら「入館」を記録します。「来館なし」は、利用開始から決まった時間が過ぎてから"
   "記録できます。"},
  {"許可書が本物か確かめたい", "/counter", "窓口 (許可書の確認)",
   "QRコードを読み取るか、許可書の番号を入力します。予約が取り消されていないかもわかります。"},
  {"団体を登録したい・登録された団体を調べたい", "/admin/groups", "団体登録の審査と検索",
   "申請は代表者が自分のアカウントでインターネットからします (一度の登録で、すべての公民館で"
   "使えます)。職員は要件を確かめて、承認するか、理由をつけて承認しません。"},
  {"工事などで部屋や公民館を休みにしたい", "/admin/closures", "休館の設定",
   "期間と理由を入れます。その期間の予約は取り消され、払った使用料は返金されます。"},
  {"月報を作りたい", "/reports", "月報と利用状況の集計",
   "所属する公民館の月報を、表と CSV で見られます。手で数える必要はありません。"},
};
#define NTASKS (sizeof tasks / sizeof tasks[0])

/* Same-day use without registration on the web, and the campaign days, as
** the rule book in force says (core/bookable.c decides each slot). */
static void sameday_items(struct req *r, struct html *h, const struct rules *ru) {
  if (bookable_sameday_open(&r->ctx))
    html_raw(h, "<li>当日利用 (登録なし): 窓口が閉まっている時間や土日も、インターネットの"
                "「登録しないで今日使う」から、今日の空いている時間帯を名前と電話番号だけで申し込めます"
                " (1つの電話番号で1日1回まで)。その予約は窓口の画面に、受付の方法「インターネット」の"
                "当日利用として、名前・電話番号・未払いの使用料とともに出ます。来館したら予約番号と名前を"
                "確かめて、使用料を受け取ってください。取り消しの電話は「取り消す」で受けます。</li>");
  for (int i = 0; i < ru->ncampaigns; i++)
    html_printf(h, "<li>%h: その日の対象の部屋は、無料で、登録なしで使えます。前もって予約はできません"
                   " (代理の予約でもできません)。その日に、窓口の当日利用か、インターネットの"
                   "「登録しないで今日使う」で受け付けます。</li>",
                ru->campaigns[i].name);
}

static void rules_section(struct req *r, struct html *h, const struct rules *ru) {
  char hours[256];
  rules_counter_hours_text(ru, hours, sizeof hours);
  html_printf(h, "<section aria-labelledby=\"rules-t\"><h2 id=\"rules-t\">いまの規則 (すべての公民館で同じ)</h2>"
                 "<ul><li>窓口の受付: %h。受付時間外は、窓口の操作 (受付・支払い・入館など) は"
                 "できません。画面を見ることはできます。</li>",
              hours);
  html_printf(h, "<li>仮予約: %d時間のうちに確定しないと、自動で取り消されます。</li>",
              ru->hold_lapse_hours);
  if (ru->cancel_after_deadline_fee >= 0)
    html_printf(h, "<li>取消: 利用日の%d日前までは無料です。それより後は使用料の%d%%の取消料が"
                   "かかります。</li>",
                ru->cancel_deadline_days, ru->cancel_after_deadline_fee);
  else
    html_printf(h, "<li>取消: 利用日の%d日前まではインターネットで取り消せます。それより後は窓口で"
                   "相談を受けます。</li>",
                ru->cancel_deadline_days);
  sameday_items(r, h, ru);
  html_raw(h, "<li>減免の基準と、利用者向けの説明は、<a href=\"/rules/discounts\">減免の基準</a>と"
              "<a href=\"/help\">使い方・問い合わせ</a>のページと同じです。利用者に聞かれたら、"
              "同じページを案内してください。</li></ul></section>");
}

/* GET /admin/help -> 200 職員の手引き. Staff, admin. */
struct reply web_staff_help(struct req *r) {
  struct html h = {0};
  struct page pg = {.title = "職員の手引き", .nav = "admin"};
  const struct rules *ru = rules_current(r->ctx.rb, r->ctx.now);
  page_begin(r, &h, &pg);
  html_raw(&h, "<p class=\"crumb\"><a href=\"/admin\">職員メニュー</a></p><h1>職員の手引き</h1>"
               "<p class=\"lead\">窓口や電話で頼まれたことを、どの画面でするかの一覧です。"
               "紙の申請書・台帳・許可書は使いません。</p>"
               "<section aria-labelledby=\"tasks-t\"><h2 id=\"tasks-t\">頼まれたことと、使う画面</h2>"
               "<div class=\"table-wrap\"><table><caption class=\"visually-hidden\">頼まれたことと、使う画面"
               "</caption><thead><tr><th scope=\"col\">頼まれたこと</th><th scope=\"col\">画面</th>"
               "<th scope=\"col\">すること</th></tr></thead><tbody>");
  for (size_t i = 0; i < NTASKS; i++)
    html_printf(&h, "<tr><th scope=\"row\">%h</th><td><a href=\"%h\">%h</a></td><td>%h</td></tr>",
                tasks[i].asked, tasks[i].href, tasks[i].page, tasks[i].how);
  html_raw(&h, "</tbody></table></div></section>");
  if (ru) rules_section(r, &h, ru);
  html_raw(&h, "<section aria-labelledby=\"privacy-t\"><h2 id=\"privacy-t\">個人情報の扱い</h2><ul>"
               "<li>利用者を調べたり、予約の詳細や団体の代表者の連絡先を見たりすると、だれが・いつ・"
               "だれの情報を見たかが記録に残ります。仕事に必要なときだけ見てください。利用者は、"
               "自分の情報を職員が見た記録をマイページで確かめられます。</li>"
               "<li>公開の画面 (空き状況・館内の表示・オープンデータ) には、人の名前は出ません。</li>"
               "<li>印刷した領収書やお知らせは本人に渡し、控えを机に置いたままにしないでください。</li>"
               "</ul></section>"
               "<section aria-labelledby=\"trouble-t\"><h2 id=\"trouble-t\">うまくいかないとき</h2><ul>"
               "<li>入力に誤りがあると、画面の上に赤い枠で「入力内容に誤りがあります」と出て、"
               "その項目に理由が書かれます。何も記録されていないので、直してもう一度送ってください。</li>"
               "<li>「いまの状態では、この操作はできません」は、ほかの人が先に予約した・すでに"
               "取り消されたなど、状態が変わったときです。画面を開き直して確かめてください。</li>"
               "<li>「混み合っています」は、しばらく待ってからもう一度送ってください。</li></ul></section>");
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}
