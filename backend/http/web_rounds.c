/*
** http/web_rounds.c: the monthly allocation round as pages, complete
** without JavaScript (core/rounds.h; docs/courses.md): staff see each
** round's state, the slots asked for (contested or not), the winners and
** every group's result and the draw, and close a round whose period is
** over; a group's representatives apply by form (the same core function as
** POST /api/v1/rounds/{id}/applications) and see their applications'
** results; anyone sees a round's page with the published draw (commitment,
** seed, ranking, the slots and who won each).
*/
#include "web_rounds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/courses.h"
#include "../core/groups.h"
#include "../core/ids.h"
#include "../core/lottery.h"
#include "../core/rounds.h"
#include "../core/status.h"
#include "pages.h"
#include "reply.h"

static const char *state_label(enum round_state s) {
  switch (s) {
    case ROUND_OPEN: return "受付中";
    case ROUND_CLOSING: return "締め切り後（抽選待ち）";
    default: return "抽選済み";
  }
}

/* A slot of the round in words: "7月8日（水） 午前 ホール" (ROOM may be NULL). */
static void slot_words(struct req *r, const char *date, const char *slot, const struct room *room,
                       char *out, size_t n) {
  int32_t day = 0;
  char d[32] = "-";
  if (!date_parse(date, &day)) page_date_label(day, 0, d, sizeof d);
  const struct rules *ru = day ? rules_in_force(r->ctx.rb, day) : NULL;
  int k = ru ? rules_slot_index(ru, slot) : -1;
  snprintf(out, n, "%s %s %s", d, k >= 0 ? ru->slots[k].label : slot, room ? room->name : "");
}

static const char *result_label(const struct round_app_view *a) {
  enum round_outcome o = a->outcome;
  switch (a->status) {
    case ROUND_APP_APPLIED: return "申し込み中（締め切りの後に決まります）";
    case ROUND_APP_CANCELLED: return "取り消しました";
    case ROUND_APP_WON: return "当選（仮予約になりました。期限までに確定してください）";
    default: break;
  }
  if (o == ROUND_OUTCOME_TAKEN) return "落選（締め切りまでにほかの予約が入りました）";
  if (o == ROUND_OUTCOME_CAP) return "落選（この回で取れる枠数に達しました）";
  return "落選（抽選）";
}

#define MAX_ROOMS 256
#define MAX_GROUPS 32

/* ================================================= the published draw */

/* The ranking of lottery L: rank, application ID, result. MINE (NMINE of
** them, may be NULL) are the reader's groups' applications. */
static void ranking_table(struct html *h, const struct lottery_view *l,
                          const struct round_app_view *mine, int nmine) {
  html_raw(h, "<div class=\"table-wrap\"><table><caption>抽選の順位（競合した申し込み）</caption>"
              "<thead><tr><th scope=\"col\">順位</th><th scope=\"col\">申し込み番号</th>"
              "<th scope=\"col\">結果</th></tr></thead><tbody>");
  for (int i = 0; i < l->nranking; i++) {
    int64_t id = l->ranking[i].entry;
    int own = 0;
    for (int m = 0; m < nmine; m++) own |= mine[m].id == id;
    html_printf(h, "<tr><td>%I</td><th scope=\"row\">%I%s</th><td>%s</td></tr>", (int64_t)(i + 1),
                id, own ? "（あなたの団体）" : "", l->ranking[i].accepted ? "当選" : "落選");
  }
  html_raw(h, "</tbody></table></div>");
}

/* The draw of round W as published: commitment from the start, the seed and
** the ranking after the close. */
static void draw_part(struct req *r, struct html *h, const struct round_view *w,
                      const struct round_app_view *mine, int nmine) {
  struct kerrinfo ei = {0};
  struct lottery_view l;
  html_raw(h, "<h2>公開している抽選</h2>");
  if (courses_lottery_view(&r->ctx, w->lottery_id, &l, &ei)) {
    kerr_clear(&ei);
    html_raw(h, "<p>抽選の記録を読めませんでした。</p>");
    return;
  }
  html_printf(h, "<dl class=\"facts\"><dt>コミットメント（受付の始めに公開）</dt><dd><code>%h</code></dd>"
                 "<dt>シード（締め切りの後に公開）</dt><dd>",
              l.commitment);
  if (l.drawn_at) html_printf(h, "<code>%h</code>", l.seed);
  else html_raw(h, "まだ公開していません（締め切りの後の抽選で公開します）");
  html_printf(h, "</dd></dl><p>確かめ方: シード（16進数の文字列）の SHA-256 がコミットメントと同じこと。"
                 "順位は、文字列「シード:申し込み番号」の SHA-256（16進数）の小さい順です。"
                 "<a href=\"/api/v1/lotteries/%I\">抽選の記録（JSON）</a>・"
                 "<a href=\"/api/v1/rounds/%I\">この回の記録（JSON）</a></p>",
              w->lottery_id, w->id);
  if (l.drawn_at) {
    if (l.nranking) ranking_table(h, &l, mine, nmine);
    else html_raw(h, "<p>競合した枠はなく、抽選した申し込みはありません。</p>");
  }
  lottery_view_free(&l);
}

/* The slots asked for, with the application IDs on each and the winner's. */
static void public_slots(struct req *r, struct html *h, const struct round_detail *d) {
  if (!d->has_slots) return;
  html_raw(h, "<h2>申し込まれた枠と結果</h2><div class=\"table-wrap\"><table><caption>枠ごとの"
              "申し込み番号と当選した申し込み</caption><thead><tr><th scope=\"col\">枠</th>"
              "<th scope=\"col\">申し込み番号</th><th scope=\"col\">競合</th>"
              "<th scope=\"col\">当選</th></tr></thead><tbody>");
  for (int i = 0; i < d->nslots; i++) {
    const struct round_slot_view *x = &d->slots[i];
    char words[160];
    slot_words(r, x->date, x->slot, x->room, words, sizeof words);
    html_printf(h, "<tr><th scope=\"row\">%h</th><td>", words);
    for (int k = 0; k < x->nentries; k++) html_printf(h, "%s%I", k ? "、" : "", x->entries[k]);
    html_printf(h, "</td><td>%s</td><td>", x->contested ? "あり" : "なし");
    if (x->winner) html_printf(h, "%I", x->winner);
    else html_raw(h, "なし");
    html_raw(h, "</td></tr>");
  }
  html_raw(h, "</tbody></table></div>");
}

/* The reader's groups' applications (of any round) into *MINE (malloc'd, *N
** of them; NULL and 0 for anyone but a citizen). */
static void mine_of(struct req *r, struct round_app_view **mine, int *n) {
  struct kerrinfo ei = {0};
  *mine = NULL;
  *n = 0;
  if (r->ctx.actor.role == ROLE_CITIZEN && rounds_mine_views(&r->ctx, mine, n, &ei)) kerr_clear(&ei);
}

/* GET /rounds/{id} -> 200 the round and its published draw; 404. Anyone. */
struct reply web_round(struct req *r) {
  struct kerrinfo ei = {0};
  struct round_detail d;
  const struct round_view *w = &d.round;
  int64_t id = req_path_id(r, 0);
  int rc = rounds_detail(&r->ctx, id, &d, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  char title[96], from[64], until[64];
  snprintf(title, sizeof title, "部屋の抽選 %s（%s）", w->use_month, w->code);
  page_instant_label(w->apply_from, from, sizeof from);
  page_instant_label(w->apply_until, until, sizeof until);
  struct html h = {0};
  struct page pg = {.title = title, .nav = "my"};
  page_begin(r, &h, &pg);
  html_printf(&h, "<h1>%h</h1><dl class=\"facts\"><dt>状態</dt><dd>%h</dd><dt>受付</dt>"
                  "<dd>%h から %h の前まで</dd><dt>1団体の上限</dt><dd>%I枠</dd></dl>",
              title, state_label(w->state), from, until, w->cap);
  if (r->ctx.actor.role == ROLE_CITIZEN)
    html_raw(&h, "<p><a href=\"/my/rounds\">自分の団体の申し込みと結果</a></p>");
  if (w->state == ROUND_OPEN && r->ctx.actor.role == ROLE_CITIZEN)
    html_printf(&h, "<p><a class=\"button\" href=\"/rounds/%I/apply\">この回に申し込む</a></p>",
                (int64_t)id);
  struct round_app_view *mine;
  int nmine;
  mine_of(r, &mine, &nmine);
  draw_part(r, &h, w, mine, nmine);
  free(mine);
  public_slots(r, &h, &d);
  round_detail_free(&d);
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}

/* ================================================== the application form */

struct apply_form {
  struct page_option groups[MAX_GROUPS], rooms[MAX_ROOMS], slots[RULES_MAX_SLOTS];
  char gval[MAX_GROUPS][16], glab[MAX_GROUPS][300], rval[MAX_ROOMS][24], rlab[MAX_ROOMS][200];
  int ngroups, nrooms, nslots;
  char date_support[160], att_support[64];
  struct page_field fields[6];
};

/* The rooms of the round's kinds, by centre. */
static void add_rooms(struct req *r, struct apply_form *f, const struct round_view *w) {
  const struct rulebook *rb = r->ctx.rb;
  for (int c = 0; c < rb->ncenters; c++)
    for (int k = 0; k < rb->centers[c].nrooms && f->nrooms < MAX_ROOMS; k++) {
      const struct room *ro = &rb->centers[c].rooms[k];
      int ok = 0;
      for (int i = 0; w->rule && i < w->rule->nkinds; i++) ok |= !strcmp(w->rule->kinds[i], ro->kind);
      if (!ok) continue;
      int n = f->nrooms++;
      snprintf(f->rval[n], sizeof f->rval[n], "%lld", (long long)ro->id);
      snprintf(f->rlab[n], sizeof f->rlab[n], "%s（%s、%d人まで）", ro->name, ro->kind, ro->capacity);
      f->rooms[n] = (struct page_option){f->rval[n], f->rlab[n], ro->center->name};
    }
}

/* The approved, valid groups the citizen represents, into F. */
static void add_groups(struct req *r, struct apply_form *f) {
  struct group_view *g;
  int n;
  if (group_views_of_account(&r->ctx, r->ctx.actor.account_id, &g, &n)) return;
  for (int i = 0; i < n; i++) {
    if (f->ngroups >= MAX_GROUPS || g[i].status != REVIEW_APPROVED || !g[i].valid) continue;
    int k = f->ngroups++;
    char id[16];
    ids_format(g[i].id, id);
    snprintf(f->gval[k], sizeof f->gval[k], "%s", id);
    snprintf(f->glab[k], sizeof f->glab[k], "%s（団体ID %s）", g[i].name, id);
    f->groups[k] = (struct page_option){f->gval[k], f->glab[k], NULL};
  }
  free(g);
}

static void form_build(struct req *r, struct apply_form *f, const struct round_view *w) {
  char month[8];
  int y = 0, m = 0;
  snprintf(month, sizeof month, "%s", w->use_month);
  sscanf(month, "%d-%d", &y, &m);
  int32_t first = 0;
  char iso[11];
  snprintf(iso, sizeof iso, "%.7s-01", month);
  date_parse(iso, &first);
  const struct rules *ru = rules_in_force(r->ctx.rb, first ? first : clock_today(r->ctx.now));
  for (int i = 0; ru && i < ru->nslots && i < RULES_MAX_SLOTS; i++)
    f->slots[f->nslots++] = (struct page_option){ru->slots[i].code, ru->slots[i].label, NULL};
  add_rooms(r, f, w);
  snprintf(f->date_support, sizeof f->date_support, "%d年%d月の日（例: %s-10）", y, m, month);
  snprintf(f->att_support, sizeof f->att_support, "部屋の定員まで");
  f->fields[0] = (struct page_field){.name = "group_id", .label = "団体", .type = PF_SELECT,
                                     .required = 1, .options = f->groups, .noptions = f->ngroups,
                                     .support = "代表している、承認済みの団体"};
  f->fields[1] = (struct page_field){.name = "room_id", .label = "部屋", .type = PF_SELECT,
                                     .required = 1, .options = f->rooms, .noptions = f->nrooms};
  f->fields[2] = (struct page_field){.name = "date", .label = "利用日", .type = PF_DATE,
                                     .required = 1, .support = f->date_support, .size = "m"};
  f->fields[3] = (struct page_field){.name = "slots", .label = "時間帯", .type = PF_SELECT,
                                     .required = 1, .options = f->slots, .noptions = f->nslots};
  f->fields[4] = (struct page_field){.name = "purpose", .label = "利用目的", .type = PF_TEXT,
                                     .required = 1, .maxlength = 200, .support = "例: 定期練習"};
  f->fields[5] = (struct page_field){.name = "attendees", .label = "利用人数", .type = PF_NUMBER,
                                     .required = 1, .inputmode = "numeric", .size = "s",
                                     .support = f->att_support};
}

/* The form of round W (refused: VALUES and EI, what was sent and why). */
static struct reply apply_page(struct req *r, const struct round_view *w, const json_t *values,
                               struct kerrinfo *ei) {
  struct apply_form *f = calloc(1, sizeof *f);
  if (!f) return reply_fail();
  add_groups(r, f);
  form_build(r, f, w);
  char title[128], action[64];
  int64_t id = w->id;
  snprintf(title, sizeof title, "部屋の抽選に申し込む（%s）", w->use_month);
  struct page_form fm = {.values = values, .errors = ei ? ei->fields : NULL};
  struct html h = {0};
  struct page pg = {.title = title, .nav = "my", .flags = ei && ei->code ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  html_printf(&h, "<p><a href=\"/my/rounds\">部屋の抽選の申し込み</a></p><h1>%h</h1>"
                  "<p class=\"lead\">団体として、1つの部屋・日・時間帯ずつ申し込みます。この回は"
                  "1団体%I枠まで。締め切りの後、重ならない申し込みはそのまま仮予約になり、重なった枠は"
                  "<a href=\"/rounds/%I\">公開の抽選</a>で決めます。</p>",
              title, w->cap, id);
  if (ei && ei->code)
    page_error_summary_msg(&h, ei->message[0] ? ei->message : kerr_message(ei->code), f->fields,
                           6, &fm);
  if (w->state != ROUND_OPEN)
    html_raw(&h, "<p>この回の受付は終わりました。</p>");
  else if (!f->ngroups)
    html_raw(&h, "<p>申し込めるのは、承認された団体の代表者です。<a href=\"/my/groups\">団体の登録"
                 "</a>をしてください。</p>");
  else {
    snprintf(action, sizeof action, "/rounds/%lld/apply", (long long)id);
    page_form_begin(r, &h, "post", action);
    for (int i = 0; i < 6; i++) page_field(&h, &f->fields[i], &fm);
    page_form_end(&h, "この枠に申し込む");
  }
  free(f);
  page_end(r, &h, &pg);
  return page_reply(r, ei && ei->code ? (unsigned)kerr_http_status(ei->code) : 200, &h);
}

/* GET /rounds/{id}/apply -> 200 the form; 404. Citizens. */
struct reply web_round_apply_form(struct req *r) {
  struct kerrinfo ei = {0};
  struct round_detail d;
  int rc = rounds_detail(&r->ctx, req_path_id(r, 0), &d, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  struct reply rep = apply_page(r, &d.round, NULL, NULL);
  round_detail_free(&d);
  return rep;
}

/* POST /rounds/{id}/apply (form: group_id, room_id, date, slots, purpose,
** attendees, csrf_token) -> 303 to /my/rounds; the form again with its
** errors otherwise. Citizens. */
struct reply web_round_apply(struct req *r) {
  struct kerrinfo ei = {0};
  struct round_detail d;
  json_t *out = NULL;
  int64_t id = req_path_id(r, 0);
  int rc = rounds_detail(&r->ctx, id, &d, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  if ((rc = rounds_apply(&r->ctx, id, r->json, &out, &ei))) {
    if (!ei.code) kerr_set(&ei, rc, NULL);
    struct reply rep = apply_page(r, &d.round, r->json, &ei);
    kerr_clear(&ei);
    round_detail_free(&d);
    return rep;
  }
  json_decref(out);
  round_detail_free(&d);
  return reply_redirect(r, "/my/rounds");
}

/* GET /admin/rounds -> 200 the rounds, newest use month first. Staff, admins. */
struct reply web_admin_rounds(struct req *r) {
  struct kerrinfo ei = {0};
  struct round_view *list;
  int n;
  int rc = rounds_views(&r->ctx, &list, &n, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  struct html h = {0};
  struct page pg = {.title = "部屋の抽選（利用調整）", .nav = "admin"};
  page_begin(r, &h, &pg);
  html_raw(&h, "<h1>部屋の抽選（利用調整）</h1><p class=\"lead\">規則で決めた部屋を、利用月ごとに団体の"
               "申し込みから割り当てます。締め切りの後、ほかと重ならない申し込みはそのまま仮予約になり、"
               "重なった枠は抽選します。</p>");
  if (!n) html_raw(&h, "<p>いま規則に抽選の回はありません。</p>");
  else
    html_raw(&h, "<div class=\"table-wrap\"><table><caption>抽選の回</caption><thead><tr>"
                 "<th scope=\"col\">利用月</th><th scope=\"col\">状態</th>"
                 "<th scope=\"col\">申し込み</th><th scope=\"col\">1団体の上限</th></tr></thead><tbody>");
  for (int i = 0; i < n; i++)
    html_printf(&h, "<tr><th scope=\"row\"><a href=\"/admin/rounds/%I\">%h（%h）</a></th><td>%h</td>"
                    "<td>%I件</td><td>%I枠</td></tr>",
                list[i].id, list[i].use_month, list[i].code, state_label(list[i].state),
                list[i].applications, list[i].cap);
  if (n) html_raw(&h, "</tbody></table></div>");
  free(list);
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}

/* The slots asked for, with the winner's group once drawn. */
static void slots_table(struct req *r, struct html *h, const struct round_detail *d) {
  html_raw(h, "<h2>申し込まれた枠</h2><div class=\"table-wrap\"><table><caption>枠ごとの申し込み"
              "（競合は2団体以上）</caption><thead><tr><th scope=\"col\">枠</th>"
              "<th scope=\"col\">申し込み</th><th scope=\"col\">競合</th><th scope=\"col\">決まった団体</th>"
              "</tr></thead><tbody>");
  for (int i = 0; i < d->nslots; i++) {
    const struct round_slot_view *x = &d->slots[i];
    char words[160];
    const char *winner = x->winner ? "（不明）" : "-";
    for (int k = 0; x->winner && k < d->napps; k++)
      if (d->apps[k].id == x->winner) winner = d->apps[k].group_name;
    slot_words(r, x->date, x->slot, x->room, words, sizeof words);
    html_printf(h, "<tr><th scope=\"row\">%h</th><td>%I件</td><td>%s</td><td>%h</td></tr>", words,
                (int64_t)x->nentries, x->contested ? "あり" : "なし", winner);
  }
  html_raw(h, "</tbody></table></div>");
}

/* GET /admin/rounds/{id} -> 200 the round for staff; 404. Staff, admins. */
struct reply web_admin_round(struct req *r) {
  struct kerrinfo ei = {0};
  struct round_detail d;
  const struct round_view *w = &d.round;
  int rc = rounds_detail(&r->ctx, req_path_id(r, 0), &d, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  char title[96], from[64], until[64], action[64];
  snprintf(title, sizeof title, "部屋の抽選 %s（%s）", w->use_month, w->code);
  page_instant_label(w->apply_from, from, sizeof from);
  page_instant_label(w->apply_until, until, sizeof until);
  struct html h = {0};
  struct page pg = {.title = title, .nav = "admin"};
  page_begin(r, &h, &pg);
  html_printf(&h, "<p><a href=\"/admin/rounds\">部屋の抽選</a></p><h1>%h</h1><dl class=\"facts\">"
                  "<dt>状態</dt><dd>%h</dd><dt>受付</dt><dd>%h から %h の前まで</dd>"
                  "<dt>1団体の上限</dt><dd>%I枠</dd><dt>公開のページ</dt><dd><a href=\"/rounds/%I\">"
                  "団体と市民が見るこの回のページ</a></dd></dl>",
              title, state_label(w->state), from, until, w->cap, w->id);
  if (w->state == ROUND_CLOSING) {
    snprintf(action, sizeof action, "/admin/rounds/%lld/close", (long long)w->id);
    page_form_begin(r, &h, "post", action);
    page_form_end(&h, "いま抽選して割り当てる");
  }
  slots_table(r, &h, &d);
  draw_part(r, &h, w, NULL, 0);
  html_raw(&h, "<h2>団体ごとの結果</h2><div class=\"table-wrap\"><table><caption>団体ごとの申し込みと"
               "当選</caption><thead><tr><th scope=\"col\">団体</th><th scope=\"col\">申し込み</th>"
               "<th scope=\"col\">当選</th></tr></thead><tbody>");
  for (int i = 0; i < d.ngroups; i++)
    html_printf(&h, "<tr><th scope=\"row\">%h</th><td>%I枠</td><td>%I枠</td></tr>",
                d.groups[i].group_name, d.groups[i].applied, d.groups[i].won);
  html_raw(&h, "</tbody></table></div>");
  round_detail_free(&d);
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}

/* POST /admin/rounds/{id}/close (form) -> 303 back; the error page
** otherwise. Staff, admins. */
struct reply web_admin_round_close(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_id(r, 0);
  int rc = rounds_close(&r->ctx, id, &out, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  json_decref(out);
  char to[64];
  snprintf(to, sizeof to, "/admin/rounds/%lld", (long long)id);
  return reply_redirect(r, to);
}

/* The rounds taking applications, each with its form's link. */
static void open_rounds(struct req *r, struct html *h) {
  struct kerrinfo ei = {0};
  struct round_view *list;
  int nlist, n = 0;
  if (rounds_views(&r->ctx, &list, &nlist, &ei)) {
    kerr_clear(&ei);
    return;
  }
  html_raw(h, "<h2>受付中の回</h2>");
  for (int i = 0; i < nlist; i++) {
    const struct round_view *w = &list[i];
    if (w->state != ROUND_OPEN) continue;
    char until[64];
    page_instant_label(w->apply_until, until, sizeof until);
    html_printf(h, "%s<li>利用月 %h（%h、1団体%I枠まで、%h の前まで）: <a href=\"/rounds/%I/apply\">"
                   "申し込む</a>・<a href=\"/rounds/%I\">この回のページ</a></li>",
                n++ ? "" : "<ul>", w->use_month, w->code, w->cap, until, w->id, w->id);
  }
  html_raw(h, n ? "</ul>" : "<p>いま受付中の回はありません。</p>");
  free(list);
}

/* GET /my/rounds -> 200 the round applications of the groups the citizen
** represents, with their results and a cancel button while applied.
** Citizens. */
struct reply web_my_rounds(struct req *r) {
  struct kerrinfo ei = {0};
  struct round_app_view *list;
  int n;
  int rc = rounds_mine_views(&r->ctx, &list, &n, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  struct html h = {0};
  struct page pg = {.title = "部屋の抽選の申し込み", .nav = "my"};
  page_begin(r, &h, &pg);
  html_raw(&h, "<h1>部屋の抽選の申し込み</h1><p class=\"lead\">代表する団体の申し込みと結果です。抽選は"
               "公開していて、誰でも確かめられます。</p>");
  open_rounds(r, &h);
  html_raw(&h, "<h2>申し込みと結果</h2>");
  if (!n) html_raw(&h, "<p>抽選の申し込みはありません。</p>");
  else html_raw(&h, "<ul class=\"cards\">");
  for (int i = 0; i < n; i++) {
    const struct round_app_view *a = &list[i];
    char words[160], action[80];
    slot_words(r, a->date, a->slot, a->room, words, sizeof words);
    html_printf(&h, "<li class=\"card\"><h2>%h</h2><p>団体: %h ・ 申し込み番号 %I</p>"
                    "<p><strong>%h</strong></p>",
                words, a->group_name, a->id, result_label(a));
    if (a->booking_id)
      html_printf(&h, "<p><a href=\"/my/bookings/%I\">予約番号 %I を見る</a></p>", a->booking_id,
                  a->booking_id);
    html_printf(&h, "<p><a href=\"/rounds/%I\">この回の抽選の結果と公開記録</a></p>", a->round_id);
    if (a->status == ROUND_APP_APPLIED) {
      snprintf(action, sizeof action, "/my/rounds/%lld/cancel", (long long)a->id);
      page_form_begin(r, &h, "post", action);
      page_form_end(&h, "この申し込みを取り消す");
    }
    html_raw(&h, "</li>");
  }
  if (n) html_raw(&h, "</ul>");
  free(list);
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}

/* POST /my/rounds/{id}/cancel (form) -> 303 to /my/rounds. Citizens. */
struct reply web_my_round_cancel(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int rc = rounds_app_cancel(&r->ctx, req_path_id(r, 0), &out, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  json_decref(out);
  return reply_redirect(r, "/my/rounds");
}
