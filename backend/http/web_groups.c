/*
** http/web_groups.c: a citizen's groups, group registration (団体登録) and
** the exemption (減免) application, as pages that work without JavaScript
** (see web_groups.h; docs/web.md). The forms post to /forms/group and
** /forms/discount (http/forms.c).
*/
#include "web_groups.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/discounts.h"
#include "../core/ids.h"
#include "../core/groups.h"
#include "../core/status.h"
#include "forms.h"
#include "pages.h"
#include "reply.h"

#define MAX_GROUPS 32

static const char *group_status_label(const struct group_view *g) {
  switch (g->status) {
    case REVIEW_PENDING: return "審査中 (職員が確認しています)";
    case REVIEW_REJECTED: return "承認されませんでした";
    case REVIEW_APPROVED: return g->valid ? "承認済み" : "有効期限切れ (更新が必要です)";
    case REVIEW_UNKNOWN: break;
  }
  return review_status_name(g->status);
}

/* The group's exemption applications, each with its state and, once decided,
** the decision's reason and the validity (issue 13 point 10). */
static void discount_lines(struct req *r, struct html *h, int64_t gid) {
  struct discount_app_view *apps;
  int n;
  if (discount_app_views_of_group(&r->ctx, gid, &apps, &n)) return;
  if (n) html_raw(h, "<h4>減免の申請</h4><ul class=\"discount-apps\">");
  for (int i = 0; i < n; i++) {
    const struct discount_app_view *a = &apps[i];
    enum review_status st = a->status;
    char on[48] = "-", until[48] = "";
    int32_t day;
    if (date_parse(a->valid_until, &day) == 0) page_date_label(day, 1, until, sizeof until);
    if (a->applied_at) page_instant_label(a->applied_at, on, sizeof on);
    html_printf(h, "<li>%h (申請 %h): <strong>%s</strong>", discount_app_category_name(a), on,
                st == REVIEW_PENDING    ? "審査中"
                : st == REVIEW_APPROVED ? "承認されました"
                                        : "承認されませんでした");
    if (st == REVIEW_APPROVED && until[0]) html_printf(h, " (%h まで有効)", until);
    if (st != REVIEW_PENDING && a->decision_reason && *a->decision_reason)
      html_printf(h, "<br>理由: %h", a->decision_reason);
    html_raw(h, "</li>");
  }
  if (n) html_raw(h, "</ul>");
  discount_app_views_free(apps, n);
  free(apps);
}

/* ====================================================== invitations */

void web_invitations_section(struct req *r, struct html *h) {
  struct group_invitation_view *inv;
  int n;
  if (group_invitation_views(&r->ctx, &inv, &n) != 0) return;
  if (n) {
    html_raw(h, "<section aria-labelledby=\"invite-title\"><h2 id=\"invite-title\">"
                "副代表者への招待</h2><p>次の団体の代表者から、副代表者になってほしいと招待されています。"
                "引き受けると、あなたの名前が団体の副代表者としてのり、団体として予約できるようになります。"
                "心当たりがないときは、断ってください。</p><ul class=\"cards\">");
    for (int k = 0; k < n; k++) {
      const struct group_invitation_view *i = &inv[k];
      char until[64], act[96], gid[16];
      ids_format(i->group_id, gid);
      page_instant_label(i->expires_at, until, sizeof until);
      html_printf(h, "<li class=\"card\"><h3>%h</h3><dl class=\"facts\">"
                     "<div><dt>団体ID</dt><dd>%h</dd></div>"
                     "<div><dt>代表者</dt><dd>%h</dd></div>"
                     "<div><dt>返事の期限</dt><dd>%h まで</dd></div></dl>",
                  i->group_name, gid, i->rep_name, until);
      snprintf(act, sizeof act, "/my/invitations/%s/accept", gid);
      page_form_begin(r, h, "post", act);
      page_form_end(h, "副代表者を引き受ける");
      snprintf(act, sizeof act, "/my/invitations/%s/decline", gid);
      page_form_begin(r, h, "post", act);
      page_form_end(h, "断る");
      html_raw(h, "</li>");
    }
    html_raw(h, "</ul></section>");
  }
  free(inv);
}

/* The answer to an invitation, as a page: what happened and where next. */
static struct reply invitation_answer(struct req *r, int accept) {
  struct kerrinfo ei = {0};
  struct group_view g = {0};
  int64_t id = req_path_sysid(r, 0);
  int rc = id ? groups_invitation_take(&r->ctx, id, accept, &g, &ei) : KERR_NOT_FOUND;
  struct html h = {0};
  struct page pg = {.title = rc ? "招待に返事ができませんでした"
                         : accept ? "副代表者を引き受けました"
                                  : "招待を断りました",
                    .nav = "my"};
  page_begin(r, &h, &pg);
  html_printf(&h, "<p class=\"crumb\"><a href=\"/my\">マイページ</a></p><h1>%h</h1>", pg.title);
  if (rc)
    html_printf(&h, "<p class=\"lead\">%h</p>", ei.message[0] ? ei.message : kerr_message(rc));
  else if (accept)
    html_printf(&h, "<p class=\"lead\">「%h」の副代表者になりました。団体として予約できます。</p>",
                g.name);
  else
    html_raw(&h, "<p class=\"lead\">招待を断りました。団体には、あなたの名前は伝わりません。</p>");
  html_raw(&h, "<ul class=\"links\"><li><a href=\"/my/groups\">団体の登録と減免</a></li>"
               "<li><a href=\"/my\">マイページ</a></li></ul>");
  page_end(r, &h, &pg);
  unsigned status = rc ? (unsigned)kerr_http_status(rc) : 200;
  kerr_clear(&ei);
  return page_reply(r, status, &h);
}

/* POST /my/invitations/{group_id}/accept (form, CSRF) -> 200 a page saying
** the person is now a co-representative; 404 (a page) when the invitation is
** not open (lapsed, withdrawn, answered); 422 when the group is full.
** Citizens (the invited person). */
struct reply web_invitation_accept(struct req *r) { return invitation_answer(r, 1); }

/* POST /my/invitations/{group_id}/decline (form, CSRF) -> 200 a page saying
** the invitation was declined; 404 (a page) as above. Citizens. */
struct reply web_invitation_decline(struct req *r) { return invitation_answer(r, 0); }

/* ========================================================= my groups */

/* GET /my/groups -> 200 the groups the person represents or co-represents:
** ID, state, valid until; links to register a group and to apply for an
** exemption. Citizens. */
struct reply web_my_groups(struct req *r) {
  struct group_view *groups;
  int n, rc = group_views_of_account(&r->ctx, r->ctx.actor.account_id, &groups, &n);
  if (rc) return reply_error(r, rc, NULL);
  struct html h = {0};
  struct page pg = {.title = "団体の登録と減免", .nav = "my"};
  page_begin(r, &h, &pg);
  html_raw(&h, "<p class=\"crumb\"><a href=\"/my\">マイページ</a></p><h1>団体の登録と減免</h1>"
               "<p class=\"lead\">サークルや自治会などの団体を登録すると、団体として予約できます。"
               "登録は1回で、16のすべての公民館で使えます。</p>"
               "<ul class=\"links\"><li><a href=\"/groups/new\">団体を登録する</a></li>"
               "<li><a href=\"/rules/discounts\">減免 (使用料が安くなる) の基準を見る</a></li></ul>"
               );
  web_invitations_section(r, &h);
  html_raw(&h, "<section aria-labelledby=\"mine-title\"><h2 id=\"mine-title\">あなたの団体</h2>");
  if (!n) html_raw(&h, "<p>登録した団体はありません。</p>");
  else html_raw(&h, "<ul class=\"cards\">");
  for (int i = 0; i < n; i++) {
    const struct group_view *g = &groups[i];
    char until[48] = "-", gid[16];
    ids_format(g->id, gid);
    if (g->valid_until) page_date_label(g->valid_until, 1, until, sizeof until);
    html_printf(&h, "<li class=\"card\"><h3>%h</h3><dl class=\"facts\">"
                    "<div><dt>団体ID</dt><dd>%h</dd></div>"
                    "<div><dt>状態</dt><dd>%h</dd></div>"
                    "<div><dt>有効期限</dt><dd>%h</dd></div>"
                    "<div><dt>あなたの役割</dt><dd>%s</dd></div></dl>",
                g->name, gid, group_status_label(g), until,
                g->role == GROUP_ROLE_REP ? "代表者" : "副代表者");
    discount_lines(r, &h, g->id);
    if (g->valid)
      html_printf(&h, "<p><a href=\"/discounts/apply?group=%u\">この団体の減免を申請する</a></p>",
                  gid);
    else if (g->status == REVIEW_PENDING)
      html_raw(&h, "<p class=\"note\">減免 (使用料が安くなる) の申請は、団体の登録が承認されてからできます。"
                   "承認されると、ここに申請のボタンが出ます。</p>");
    html_raw(&h, "</li>");
  }
  if (n) html_raw(&h, "</ul>");
  html_raw(&h, "</section>");
  page_end(r, &h, &pg);
  free(groups);
  return page_reply(r, 200, &h);
}

/* ================================================= group registration */

static const struct page_option listing_options[] = {
  {"1", "公開する (団体名と活動内容を、市内の学習グループの一覧「学習グループをさがす」にのせる)", NULL},
  {"0", "公開しない", NULL},
};

struct group_form {
  char members_support[256];
  struct page_field fields[6];
};

static void group_form_build(struct req *r, struct group_form *f) {
  const struct rules *ru = rules_in_force(r->ctx.rb, clock_today(r->ctx.now));
  if (ru)
    snprintf(f->members_support, sizeof f->members_support,
             "団体の登録には、%d人以上で、市内に住む・働く・学ぶ人が半分より多いことが必要です。",
             ru->group_min_members);
  else
    snprintf(f->members_support, sizeof f->members_support, "団体の人数を入力してください。");
  struct page_field fs[6] = {
    {.name = "name", .label = "団体名", .type = PF_TEXT, .required = 1, .maxlength = 100,
     .support = "例: 前橋短歌の会"},
    {.name = "name_kana", .label = "団体名のふりがな", .type = PF_TEXT, .required = 1,
     .maxlength = 100, .support = "ひらがなか、カタカナで入力してください。"},
    {.name = "members", .label = "団体の人数", .type = PF_NUMBER, .required = 1, .maxlength = 5,
     .size = "s", .support = f->members_support},
    {.name = "resident_members", .label = "そのうち、市内に住む・働く・学ぶ人の人数",
     .type = PF_NUMBER, .required = 1, .maxlength = 5, .size = "s"},
    {.name = "activity", .label = "活動の内容", .type = PF_TEXTAREA, .required = 0,
     .maxlength = 500, .support = "例: 月2回、短歌をつくって発表しあっています。"},
    {.name = "public_listing", .label = "市内の学習グループの一覧に公開しますか",
     .type = PF_RADIOS, .required = 1, .options = listing_options, .noptions = 2,
     .support = "公開すると、団体名、ふりがな、活動の内容と、利用している公民館が「学習グループをさがす」"
                "のページにのり、仲間をさがしている人が見つけやすくなります。代表者の名前や連絡先はのせません。"
                "参加したい人からの問い合わせは、公民館の職員が代表者に取り次ぎます。"},
  };
  memcpy(f->fields, fs, sizeof fs);
}

/* The form's key (core/groups.c groups_register_keyed, core/discounts.c
** discounts_apply_keyed): a reload of the receipt page posts the form
** again, and the key makes that post show the first receipt instead of
** registering the group twice (or refusing the exemption application it has
** just made). A form shown again after a refusal keeps the key of VALUES
** (nothing was made with it), except after 409, perhaps the key already
** used for other details: a fresh one then, so that sending the form again
** makes this one too. */
static void form_key(struct html *h, const json_t *values, unsigned status) {
  const char *kept = json_string_value(json_object_get(values, "idempotency_key"));
  char key[33];
  unsigned char raw[16];
  if (kept && *kept && status != 409) {
    html_printf(h, "<input type=\"hidden\" name=\"idempotency_key\" value=\"%h\">", kept);
    return;
  }
  randombytes_buf(raw, sizeof raw);
  sodium_bin2hex(key, sizeof key, raw, sizeof raw);
  html_printf(h, "<input type=\"hidden\" name=\"idempotency_key\" value=\"%h\">", key);
}

struct reply web_group_form(struct req *r, unsigned status, const json_t *values,
                               const char *message, const json_t *errors, const char *receipt) {
  struct group_form f;
  group_form_build(r, &f);
  struct page_form fm = {.values = values, .errors = errors};
  int failed = status >= 400;
  struct html h = {0};
  struct page pg = {.title = "団体の登録", .nav = "my", .flags = failed ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  html_raw(&h, "<p class=\"crumb\"><a href=\"/my/groups\">団体の登録と減免</a></p><h1>団体の登録</h1>");
  page_error_summary_msg(&h, message, f.fields, 6, &fm);
  if (failed && receipt && *receipt)
    html_printf(&h, "<p class=\"asof\">受付番号 %h (この申し込みは受け付けられませんでした)</p>", receipt);
  html_raw(&h, "<p class=\"lead\">申し込むと、公民館の職員が確認します。承認されると、団体として予約できます。"
               "申し込んだ人が、団体の代表者になります。</p>");
  page_form_begin(r, &h, "post", "/forms/group");
  form_key(&h, values, status);
  for (int i = 0; i < 6; i++) page_field(&h, &f.fields[i], &fm);
  html_raw(&h, "<p><a href=\"/groups\">公開している学習グループの一覧を見る (学習グループをさがす)</a></p>");
  page_form_end(&h, "団体の登録を申し込む");
  page_end(r, &h, &pg);
  return page_reply(r, status, &h);
}

/* GET /groups/new -> 200 the group registration form (POST /forms/group),
** with a new key each time (form_key). Citizens. */
struct reply web_group_new(struct req *r) {
  json_t *values = json_pack("{s:s}", "public_listing", "0");
  struct reply ret = web_group_form(r, 200, values, NULL, NULL, NULL);
  json_decref(values);
  return ret;
}

struct reply web_group_receipt(struct req *r, const char *receipt,
                               const struct form_result *res) {
  char gid[16];
  ids_format(res->id, gid);
  struct html h = {0};
  struct page pg = {.title = "団体の登録を受け付けました", .nav = "my"};
  page_begin(r, &h, &pg);
  html_printf(&h, "<h1>団体の登録を受け付けました</h1>"
                  "<div class=\"receipt\"><p class=\"receipt-label\">受付番号</p>"
                  "<p class=\"receipt-number\" id=\"receipt\">%h</p>"
                  "<p>団体ID <strong id=\"group-id\">%h</strong></p></div>"
                  "<p class=\"lead\">公民館の職員が確認します。結果は「団体の登録と減免」の画面で確かめられます。"
                  "承認されるまでは、団体としての予約はできません。</p>"
                  "<ul class=\"links\"><li><a href=\"/my/groups\">団体の登録と減免</a></li>"
                  "<li><a href=\"/my\">マイページ</a></li></ul>",
              receipt && *receipt ? receipt : "-", gid);
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}

/* ========================================================= exemptions */

struct discount_form {
  struct page_option groups[MAX_GROUPS];
  char gval[MAX_GROUPS][16], glab[MAX_GROUPS][300];
  int ngroups;
  struct page_option cats[32];
  char clab[32][200];
  int ncats;
  struct page_field fields[4];
};

static struct discount_form *discount_form_build(struct req *r) {
  struct discount_form *f = calloc(1, sizeof *f);
  if (!f) return NULL;
  struct group_view *groups;
  int n;
  if (group_views_of_account(&r->ctx, r->ctx.actor.account_id, &groups, &n) == 0) {
    for (int i = 0; i < n; i++) {
      if (f->ngroups >= MAX_GROUPS || !groups[i].valid) continue;
      int k = f->ngroups++;
      char gid[16];
      ids_format(groups[i].id, gid);
      snprintf(f->gval[k], sizeof f->gval[k], "%s", gid);
      snprintf(f->glab[k], sizeof f->glab[k], "%s (団体ID %s)", groups[i].name, gid);
      f->groups[k] = (struct page_option){f->gval[k], f->glab[k], NULL};
    }
    free(groups);
  }
  const struct rules *ru = rules_in_force(r->ctx.rb, clock_today(r->ctx.now));
  for (int k = 0; ru && k < ru->ndiscounts && f->ncats < 32; k++) {
    const struct discount_cat *c = &ru->discounts[k];
    snprintf(f->clab[f->ncats], sizeof f->clab[0], "%s (%d%%)", c->name, c->rate);
    f->cats[f->ncats] = (struct page_option){c->code, f->clab[f->ncats], NULL};
    f->ncats++;
  }
  f->fields[0] = (struct page_field){.name = "group_id", .label = "申請する団体", .type = PF_RADIOS,
                                     .required = 1, .options = f->groups, .noptions = f->ngroups,
                                     .support = "承認された団体から選びます。"};
  f->fields[1] = (struct page_field){.name = "category", .label = "減免の区分", .type = PF_RADIOS,
                                     .required = 1, .options = f->cats, .noptions = f->ncats,
                                     .support = "くわしい基準は「減免の基準」のページにあります。"};
  f->fields[2] = (struct page_field){.name = "reason", .label = "申請の理由", .type = PF_TEXTAREA,
                                     .required = 1, .maxlength = 500,
                                     .support = "どのような活動に使うかを書いてください。"};
  f->fields[3] = (struct page_field){.name = "evidence", .label = "確認できる書類", .type = PF_TEXT,
                                     .required = 0, .maxlength = 500,
                                     .support = "例: 共催承認書。書類は窓口で見せてください。"};
  return f;
}

struct reply web_discount_form(struct req *r, unsigned status, const json_t *values,
                                  const char *message, const json_t *errors, const char *receipt) {
  struct discount_form *f = discount_form_build(r);
  if (!f) return reply_error(r, KERR_INTERNAL, NULL);
  struct page_form fm = {.values = values, .errors = errors};
  int failed = status >= 400;
  struct html h = {0};
  struct page pg = {.title = "減免の申請", .nav = "my", .flags = failed ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  html_raw(&h, "<p class=\"crumb\"><a href=\"/my/groups\">団体の登録と減免</a></p><h1>減免の申請</h1>");
  page_error_summary_msg(&h, message, f->fields, 4, &fm);
  if (failed && receipt && *receipt)
    html_printf(&h, "<p class=\"asof\">受付番号 %h (この申し込みは受け付けられませんでした)</p>", receipt);
  html_raw(&h, "<p class=\"lead\"><strong>減免 (げんめん)</strong> は、決められた条件に合うとき、"
               "使用料を安くしたり無料にしたりすることです。市の職員が審査します。</p>"
               "<p><a href=\"/rules/discounts\">減免の基準を見る</a></p>");
  if (!f->ngroups) {
    html_raw(&h, "<p class=\"note\">減免を申請できるのは、承認された団体です。"
                 "先に<a href=\"/groups/new\">団体を登録</a>してください。</p>");
  } else {
    page_form_begin(r, &h, "post", "/forms/discount");
    form_key(&h, values, status);
    for (int i = 0; i < 4; i++) page_field(&h, &f->fields[i], &fm);
    page_form_end(&h, "減免を申請する");
  }
  page_end(r, &h, &pg);
  free(f);
  return page_reply(r, status, &h);
}

/* GET /discounts/apply[?group=ID] -> 200 the exemption application form
** (POST /forms/discount), the group chosen when given, with a new key each
** time (form_key). Citizens. */
struct reply web_discount_apply(struct req *r) {
  const char *g = req_query(r, "group");
  json_t *values = json_pack("{s:s}", "group_id", g ? g : "");
  struct reply ret = web_discount_form(r, 200, values, NULL, NULL, NULL);
  json_decref(values);
  return ret;
}

struct reply web_discount_receipt(struct req *r, const char *receipt,
                                  const struct form_result *res) {
  struct html h = {0};
  struct page pg = {.title = "減免の申請を受け付けました", .nav = "my"};
  page_begin(r, &h, &pg);
  html_printf(&h, "<h1>減免の申請を受け付けました</h1>"
                  "<div class=\"receipt\"><p class=\"receipt-label\">受付番号</p>"
                  "<p class=\"receipt-number\" id=\"receipt\">%h</p>"
                  "<p>申請番号 <strong>%I</strong></p></div>"
                  "<p class=\"lead\">市の職員が審査します。書類があるときは、公民館の窓口で見せてください。"
                  "承認されると、その団体の予約の使用料が、どの公民館でも安くなります。</p>"
                  "<ul class=\"links\"><li><a href=\"/my/groups\">団体の登録と減免</a></li></ul>",
              receipt && *receipt ? receipt : "-", res->id);
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}
