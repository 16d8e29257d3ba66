/*
** http/web_staff_courses.c: the course database for staff, server-rendered
** and complete without JavaScript (docs/courses.md, "Staff pages"): search
** every centre's courses, plan a new one or copy a past one, edit it, record
** attendance per session at the counter, see the applicants. Every action
** is a form post that reaches the same core function as the JSON API
** (core/courses.h); a refused form comes back with its errors.
*/
#include "web_staff_courses.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/courses.h"
#include "../core/status.h"
#include "pages.h"
#include "reply.h"

static const char *jstr(const json_t *o, const char *k) {
  const char *s = json_string_value(json_object_get(o, k));
  return s ? s : "";
}

/* ============================================================ the form */

static const struct page_option alloc_opts[] = {{"first_come", "先着順", NULL},
                                                {"lottery", "抽選（締め切りの後に抽選）", NULL}};
static const struct page_option cal_opts[] = {{"1", "公民館の公開カレンダー（iCalendar）に載せる", NULL}};

/* The descriptive fields: the plan and the edit share them. */
static const struct page_field desc_fields[] = {
    {.name = "title", .label = "講座名", .type = PF_TEXT, .required = 1, .maxlength = 200},
    {.name = "description", .label = "内容", .type = PF_TEXTAREA},
    {.name = "category", .label = "分野", .type = PF_TEXT, .size = "m", .support = "例: 文化、健康、子育て"},
    {.name = "lecturer_name", .label = "講師の名前", .type = PF_TEXT, .size = "m"},
    {.name = "lecturer_org", .label = "講師の所属", .type = PF_TEXT, .size = "m"},
    {.name = "lecturer_note", .label = "講師についてのメモ", .type = PF_TEXTAREA},
    {.name = "target", .label = "対象", .type = PF_TEXT, .size = "m",
     .support = "例: 小学生と保護者、60歳以上"},
    {.name = "fee", .label = "受講料（円）", .type = PF_NUMBER, .size = "s", .inputmode = "numeric"},
    {.name = "capacity", .label = "定員（人）", .type = PF_NUMBER, .required = 1, .size = "s",
     .inputmode = "numeric"},
    {.name = "max_companions", .label = "一緒に申し込める人数", .type = PF_NUMBER, .size = "s",
     .inputmode = "numeric", .support = "申し込む人のほかに何人まで（0から9）。"},
    {.name = "calendar", .label = "公開カレンダー", .type = PF_CHECKBOXES, .options = cal_opts,
     .noptions = 1},
};
#define NDESC ((int)(sizeof desc_fields / sizeof desc_fields[0]))

/* The whole plan: the centre, the sessions, the period and the allocation,
** then the descriptive fields. */
struct plan_form {
  struct page_option centers[64];
  struct page_field fields[NDESC + 5];
  int nfields;
};

static void plan_build(struct req *r, struct plan_form *f) {
  const struct rulebook *rb = r->ctx.rb;
  int n = rb->ncenters < 64 ? rb->ncenters : 64;
  memset(f, 0, sizeof *f);
  for (int i = 0; i < n; i++)
    f->centers[i] = (struct page_option){rb->centers[i].code, rb->centers[i].name, NULL};
  f->fields[f->nfields++] = (struct page_field){
      .name = "center", .label = "公民館", .type = PF_SELECT, .required = 1,
      .options = f->centers, .noptions = n, .size = "m"};
  f->fields[f->nfields++] = (struct page_field){
      .name = "sessions", .label = "日程", .type = PF_TEXTAREA, .required = 1,
      .support = "1行に1回、「日付 時間帯 部屋」を空白で区切って書きます。時間帯と部屋は名前でも"
                 "コードでも書けます。例: 2026-05-13 午前 和室。部屋はこの日程で予約されます。"};
  f->fields[f->nfields++] = (struct page_field){
      .name = "apply_from", .label = "申し込みの受付開始日", .type = PF_DATE, .required = 1};
  f->fields[f->nfields++] = (struct page_field){
      .name = "apply_until", .label = "申し込みの締め切り日", .type = PF_DATE, .required = 1,
      .support = "この日の終わりまで受け付けます。"};
  f->fields[f->nfields++] = (struct page_field){
      .name = "allocation", .label = "決め方", .type = PF_RADIOS, .required = 1,
      .options = alloc_opts, .noptions = 2};
  memcpy(f->fields + f->nfields, desc_fields, sizeof desc_fields);
  f->nfields += NDESC;
}

/* The code of the slot or room named by TOKEN (its code or its name). */
static const char *slot_code(const struct rules *ru, const char *token) {
  for (int k = 0; ru && k < ru->nslots; k++)
    if (!strcmp(ru->slots[k].code, token) || !strcmp(ru->slots[k].label, token))
      return ru->slots[k].code;
  return token;
}

static int64_t room_id(const struct center *ce, const char *token) {
  for (int k = 0; ce && k < ce->nrooms; k++)
    if (!strcmp(ce->rooms[k].code, token) || !strcmp(ce->rooms[k].name, token))
      return ce->rooms[k].id;
  return 0;
}

/* The form's sessions text, one "DATE SLOT ROOM" a line, as the API's
** [{"date","slot","room_id"}] of CENTER (what cannot be read is passed on as
** it is, for core to refuse with its message). */
static json_t *sessions_of(struct req *r, const char *center, const char *text) {
  json_t *arr = json_array();
  const struct center *ce = rules_center(r->ctx.rb, center);
  char *copy = strdup(text ? text : ""), *save = NULL;
  for (char *line = strtok_r(copy, "\r\n", &save); arr && copy && line;
       line = strtok_r(NULL, "\r\n", &save)) {
    char d[32] = "", s[64] = "", ro[128] = "";
    if (sscanf(line, "%31s %63s %127s", d, s, ro) < 1) continue;
    int32_t day = 0;
    const struct rules *ru = date_parse(d, &day) ? NULL : rules_in_force(r->ctx.rb, day);
    json_array_append_new(arr, json_pack("{s:s, s:s, s:I}", "date", d, "slot", slot_code(ru, s),
                                         "room_id", (json_int_t)room_id(ce, ro)));
  }
  free(copy);
  return arr;
}

/* The API body of a posted form: the sessions read, the checkbox as a
** boolean (absent: false). */
static json_t *body_of(struct req *r, int with_sessions) {
  json_t *b = json_deep_copy(r->json ? r->json : json_object());
  if (!b) return NULL;
  json_object_set_new(b, "calendar", json_boolean(json_object_get(r->json, "calendar") != NULL));
  if (with_sessions)
    json_object_set_new(b, "sessions",
                        sessions_of(r, jstr(r->json, "center"), jstr(r->json, "sessions")));
  else
    json_object_del(b, "sessions");
  return b;
}

static void set_number(json_t *v, const char *k, int64_t n) {
  char buf[32];
  snprintf(buf, sizeof buf, "%lld", (long long)n);
  json_object_set_new(v, k, json_string(buf));
}

/* The form's values from course C (numbers as text; the sessions as lines). */
static json_t *values_of(const struct course_view *c) {
  const struct { const char *k, *v; } text[] = {
      {"center", c->center}, {"title", c->title}, {"description", c->description},
      {"category", c->category}, {"lecturer_name", c->lecturer_name},
      {"lecturer_org", c->lecturer_org}, {"lecturer_note", c->lecturer_note},
      {"target", c->target}, {"apply_from", c->apply_from}, {"apply_until", c->apply_until},
      {"allocation", course_allocation_name(c->allocation)}};
  json_t *v = json_object();
  for (size_t k = 0; k < sizeof text / sizeof text[0]; k++)
    json_object_set_new(v, text[k].k, json_string(text[k].v));
  set_number(v, "fee", c->fee);
  set_number(v, "capacity", c->capacity);
  set_number(v, "max_companions", c->max_companions);
  if (c->calendar) json_object_set_new(v, "calendar", json_string("1"));
  struct html lines = {0};
  for (int i = 0; i < c->nsessions; i++) {
    const struct course_session_view *s = &c->sessions[i];
    html_printf(&lines, "%s %s %s\n", s->date, s->slot_label ? s->slot_label : "",
                s->room ? s->room->name : "");
  }
  json_object_set_new(v, "sessions", json_string(lines.p ? lines.p : ""));
  free(lines.p);
  return v;
}

/* Course ID as a view into *C (malloc'd; course_free() frees it). */
static int course_read(struct req *r, int64_t id, struct course_view **c, struct kerrinfo *ei) {
  if (!(*c = malloc(sizeof **c))) return kerr_set(ei, KERR_INTERNAL, NULL);
  int rc = course_view_get(&r->ctx, id, *c, ei);
  if (rc) {
    free(*c);
    *c = NULL;
  }
  return rc;
}

static void course_free(struct course_view *c) {
  course_view_free(c);
  free(c);
}

/* The plan page: a new course, or (FROM > 0) a copy of course FROM. VALUES
** and EI: what was sent and what was wrong, or the prefill. */
static struct reply plan_page(struct req *r, int64_t from, const json_t *values,
                              struct kerrinfo *ei) {
  struct plan_form f;
  char action[64], title[64];
  plan_build(r, &f);
  struct page_form fm = {.values = values, .errors = ei ? ei->fields : NULL};
  snprintf(title, sizeof title, from ? "講座をもとに新しい講座を作る" : "新しい講座を登録する");
  struct html h = {0};
  struct page pg = {.title = title, .nav = "admin",
                    .flags = ei && ei->code ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  html_printf(&h, "<p><a href=\"/admin/courses\">講座の管理</a></p><h1>%h</h1>", title);
  if (from)
    html_printf(&h, "<p class=\"lead\">講座番号%I の内容を写しました。日程と受付期間を新しくしてください。</p>",
                (int64_t)from);
  if (ei && ei->code)
    page_error_summary_msg(&h, ei->message[0] ? ei->message : kerr_message(ei->code), f.fields,
                           f.nfields, &fm);
  if (from) snprintf(action, sizeof action, "/admin/courses/%lld/copy", (long long)from);
  else snprintf(action, sizeof action, "/admin/courses");
  page_form_begin(r, &h, "post", action);
  for (int i = 0; i < f.nfields; i++) page_field(&h, &f.fields[i], &fm);
  page_form_end(&h, "講座を登録する");
  page_end(r, &h, &pg);
  return page_reply(r, ei && ei->code ? (unsigned)kerr_http_status(ei->code) : 200, &h);
}

/* GET /admin/courses/new[?from=ID] -> 200 the form to plan a course, or to
** copy course ID (its fields filled in). Staff, admins. */
struct reply web_staff_course_new(struct req *r) {
  const char *from = req_query(r, "from");
  int64_t id = from ? atoll(from) : 0;
  struct course_view *c = NULL;
  json_t *values = NULL;
  struct kerrinfo ei = {0};
  if (id > 0) {
    int rc = course_read(r, id, &c, &ei);
    if (rc) return reply_core(r, rc, 0, NULL, &ei);
    values = values_of(c);
    course_free(c);
  } else {
    values = json_pack("{s:s, s:s}", "center", r->ctx.actor.home_center, "allocation", "first_come");
  }
  struct reply rep = plan_page(r, id > 0 ? id : 0, values, NULL);
  json_decref(values);
  return rep;
}

/* POST /admin/courses (form) and /admin/courses/{id}/copy -> 303 to the new
** course's page; the form again with its errors otherwise. Staff, admins. */
static struct reply plan_post(struct req *r, int64_t from) {
  struct kerrinfo ei = {0};
  int64_t id = 0;
  json_t *body = body_of(r, 1);
  if (!body) return reply_fail();
  int rc = from ? courses_copy_id(&r->ctx, from, body, &id, &ei)
                : courses_create_id(&r->ctx, body, 0, &id, &ei);
  json_decref(body);
  if (rc) {
    if (!ei.code) kerr_set(&ei, rc, NULL);
    struct reply rep = plan_page(r, from, r->json, &ei);
    kerr_clear(&ei);
    return rep;
  }
  char to[64];
  snprintf(to, sizeof to, "/admin/courses/%lld", (long long)id);
  return reply_redirect(r, to);
}

struct reply web_staff_course_create(struct req *r) { return plan_post(r, 0); }

struct reply web_staff_course_copy(struct req *r) {
  int64_t id = req_path_id(r, 0);
  return id ? plan_post(r, id) : reply_error(r, KERR_NOT_FOUND, NULL);
}

/* ========================================================== the search */

static const struct page_field search_fields[] = {
    {.name = "q", .label = "講座名・内容のことば", .type = PF_TEXT, .size = "m"},
    {.name = "category", .label = "分野", .type = PF_TEXT, .size = "m"},
    {.name = "lecturer", .label = "講師", .type = PF_TEXT, .size = "m"},
    {.name = "target", .label = "対象", .type = PF_TEXT, .size = "m"},
    {.name = "year", .label = "年", .type = PF_NUMBER, .size = "s", .inputmode = "numeric",
     .support = "始まる日の年（例: 2026）"},
};

static void results_table(struct html *h, const struct course_view *list, int n) {
  if (!n) {
    html_raw(h, "<p>当てはまる講座はありません。</p>");
    return;
  }
  html_printf(h, "<div class=\"table-wrap\"><table><caption>講座（%I件、新しい順）</caption><thead><tr>"
                 "<th scope=\"col\">講座名</th><th scope=\"col\">公民館</th><th scope=\"col\">始まる日</th>"
                 "<th scope=\"col\">分野</th><th scope=\"col\">講師</th><th scope=\"col\">対象</th>"
                 "<th scope=\"col\">定員</th></tr></thead><tbody>",
              (int64_t)n);
  for (int i = 0; i < n; i++) {
    const struct course_view *c = &list[i];
    char first[32];
    int32_t day;
    if (date_parse(c->first_date, &day)) snprintf(first, sizeof first, "-");
    else page_date_label(day, 1, first, sizeof first);
    html_printf(h, "<tr><th scope=\"row\"><a href=\"/admin/courses/%I\">%h</a></th><td>%h</td>"
                   "<td>%h</td><td>%h</td><td>%h</td><td>%h</td><td>%I人</td></tr>",
                c->id, c->title, c->center_name, first, c->category, c->lecturer_name, c->target,
                c->capacity);
  }
  html_raw(h, "</tbody></table></div>");
}

/* GET /admin/courses?q&center&category&lecturer&target&year -> 200 every
** centre's courses, past and planned, that match; links to plan a new one.
** Staff, admins. */
struct reply web_staff_courses(struct req *r) {
  struct kerrinfo ei = {0};
  struct course_view *list;
  int n;
  struct course_query q = {.center = req_query(r, "center"), .category = req_query(r, "category"),
                           .lecturer = req_query(r, "lecturer"), .target = req_query(r, "target"),
                           .year = req_query(r, "year"), .text = req_query(r, "q")};
  int rc = courses_search_views(&r->ctx, &q, &list, &n, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  json_t *values = json_object();
  for (int i = 0; i < (int)(sizeof search_fields / sizeof search_fields[0]); i++) {
    const char *v = req_query(r, search_fields[i].name);
    if (v) json_object_set_new(values, search_fields[i].name, json_string(v));
  }
  struct page_form fm = {.values = values};
  struct html h = {0};
  struct page pg = {.title = "講座の管理", .nav = "admin"};
  page_begin(r, &h, &pg);
  html_raw(&h, "<h1>講座の管理</h1><p class=\"lead\">すべての公民館の講座（これまでのものと予定）を"
               "さがせます。前の講座をもとに、次の講座の計画を作れます。</p>"
               "<p><a class=\"button\" href=\"/admin/courses/new\">新しい講座を登録する</a></p>"
               "<h2>講座をさがす</h2>");
  page_form_begin(r, &h, "get", "/admin/courses");
  for (int i = 0; i < (int)(sizeof search_fields / sizeof search_fields[0]); i++)
    page_field(&h, &search_fields[i], &fm);
  page_form_end(&h, "さがす");
  html_raw(&h, "<h2>結果</h2>");
  results_table(&h, list, n);
  json_decref(values);
  free(list);
  page_end(r, &h, &pg);
  return page_reply(r, 200, &h);
}

/* ========================================================= one course */

/* The sessions with their attendance and a form each to record it. */
static void sessions_part(struct req *r, struct html *h, const struct course_view *c) {
  html_raw(h, "<h2 id=\"sessions\">日程と出席</h2><p>来た人の数を、回ごとに窓口で記録します。"
              "記録は講座のレポート（出席率）に入ります。</p><ul class=\"cards\">");
  for (int i = 0; i < c->nsessions; i++) {
    const struct course_session_view *s = &c->sessions[i];
    char d[48], action[96], label[160];
    int32_t day;
    if (date_parse(s->date, &day)) snprintf(d, sizeof d, "-");
    else page_date_label(day, 1, d, sizeof d);
    html_printf(h, "<li class=\"card\" id=\"s-%I\"><h3>%h %h %h〜%h %h</h3>", s->id, d,
                s->slot_label ? s->slot_label : "", s->start, s->end, s->room ? s->room->name : "");
    if (s->has_attendance) html_printf(h, "<p>出席 %I人（記録済み）</p>", s->attendance);
    snprintf(action, sizeof action, "/admin/courses/%lld/sessions/%lld/attendance",
             (long long)c->id, (long long)s->id);
    page_form_begin(r, h, "post", action);
    char now[24] = "";
    if (s->has_attendance) snprintf(now, sizeof now, "%lld", (long long)s->attendance);
    html_printf(h, "<div class=\"field\"><label for=\"att-%I\">来た人の数（%h）</label>"
                   "<input class=\"s\" type=\"number\" inputmode=\"numeric\" min=\"0\" id=\"att-%I\" "
                   "name=\"attended\" value=\"%h\"></div>",
                s->id, d, s->id, now);
    snprintf(label, sizeof label, "%sの出席を記録する", d);
    page_form_end(h, label);
    html_raw(h, "</li>");
  }
  html_raw(h, "</ul>");
}

/* The applicants, with those sharing a phone or an email shown. */
static void applicants_part(struct req *r, struct html *h, int64_t id) {
  struct kerrinfo ei = {0};
  struct course_applicants l;
  if (courses_applicant_views(&r->ctx, id, &l, &ei)) {
    kerr_clear(&ei);
    return;
  }
  html_printf(h, "<h2>申し込み（%I件）</h2>", (int64_t)l.napps);
  if (l.napps)
    html_raw(h, "<div class=\"table-wrap\"><table><caption>申し込んだ人</caption><thead><tr>"
                "<th scope=\"col\">番号</th><th scope=\"col\">名前</th><th scope=\"col\">電話</th>"
                "<th scope=\"col\">同伴</th><th scope=\"col\">状態</th>"
                "<th scope=\"col\">同じ連絡先の申し込み</th></tr></thead><tbody>");
  for (int i = 0; i < l.napps; i++) {
    const struct course_applicant_view *a = &l.apps[i];
    struct html same = {0};
    for (int k = 0; k < a->nsame; k++) html_printf(&same, "%s%I", k ? "、" : "", a->same[k]);
    html_printf(h, "<tr><th scope=\"row\">%I</th><td>%h</td><td>%h</td><td>%I人</td><td>%h</td>"
                   "<td>%h</td></tr>",
                a->id, a->name, a->phone, a->companions, course_app_status_name(a->status),
                same.p ? same.p : "なし");
    free(same.p);
  }
  if (l.napps) html_raw(h, "</tbody></table></div>");
  course_applicants_free(&l);
}

/* The course page for staff: facts, the edit form (VALUES and EI when a
** post was refused), sessions with attendance, applicants. */
static struct reply course_page(struct req *r, const struct course_view *c, const json_t *values,
                                struct kerrinfo *ei) {
  char title[512], action[64], fee[32];
  int64_t id = c->id;
  struct page_form fm = {.values = values, .errors = ei ? ei->fields : NULL};
  snprintf(title, sizeof title, "講座「%s」の管理", c->title);
  struct html h = {0};
  struct page pg = {.title = title, .nav = "admin", .flags = ei && ei->code ? PAGE_HAS_ERRORS : 0};
  page_begin(r, &h, &pg);
  page_yen(c->fee, fee, sizeof fee);
  html_printf(&h, "<p><a href=\"/admin/courses\">講座の管理</a></p><h1>%h</h1>"
                  "<dl class=\"facts\"><dt>講座番号</dt><dd>%I</dd><dt>公民館</dt><dd>%h</dd>"
                  "<dt>受付</dt><dd>%h から %h まで（%s）</dd><dt>定員</dt><dd>%I人（残り%I人）</dd>"
                  "<dt>受講料</dt><dd>%h</dd></dl>"
                  "<p><a href=\"/courses/%I\">市民に見えるページ</a> ・ "
                  "<a href=\"/admin/courses/new?from=%I\">この講座をもとに次の講座を作る</a></p>",
              c->title, id, c->center_name, c->apply_from, c->apply_until,
              c->allocation == COURSE_ALLOC_LOTTERY ? "抽選" : "先着順", c->capacity,
              c->places_left, fee, id, id);
  sessions_part(r, &h, c);
  applicants_part(r, &h, id);
  html_raw(&h, "<h2 id=\"edit\">内容を直す</h2><p>日程・受付期間・決め方は直せません（変えるときは、"
               "この講座をもとに新しい講座を作ります）。</p>");
  if (ei && ei->code)
    page_error_summary_msg(&h, ei->message[0] ? ei->message : kerr_message(ei->code), desc_fields,
                           NDESC, &fm);
  snprintf(action, sizeof action, "/admin/courses/%lld", (long long)id);
  page_form_begin(r, &h, "post", action);
  for (int i = 0; i < NDESC; i++) page_field(&h, &desc_fields[i], &fm);
  page_form_end(&h, "内容を保存する");
  page_end(r, &h, &pg);
  return page_reply(r, ei && ei->code ? (unsigned)kerr_http_status(ei->code) : 200, &h);
}

/* GET /admin/courses/{id} -> 200 the course for staff; 404. Staff, admins. */
struct reply web_staff_course(struct req *r) {
  struct kerrinfo ei = {0};
  struct course_view *c;
  int rc = course_read(r, req_path_id(r, 0), &c, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  json_t *values = values_of(c);
  struct reply rep = course_page(r, c, values, NULL);
  json_decref(values);
  course_free(c);
  return rep;
}

/* POST /admin/courses/{id} (form: the descriptive fields) -> 303 back; the
** page with the form's errors otherwise. Staff, admins. */
struct reply web_staff_course_update(struct req *r) {
  struct kerrinfo ei = {0};
  struct course_view *c;
  json_t *out = NULL, *body = body_of(r, 0);
  int64_t id = req_path_id(r, 0);
  if (!body) return reply_fail();
  int rc = courses_update(&r->ctx, id, body, &out, &ei);
  json_decref(body);
  json_decref(out);
  if (!rc) {
    char to[64];
    snprintf(to, sizeof to, "/admin/courses/%lld", (long long)id);
    return reply_redirect(r, to);
  }
  struct kerrinfo ei2 = {0};
  if (course_read(r, id, &c, &ei2)) {
    kerr_clear(&ei2);
    return reply_core(r, rc, 0, NULL, &ei);
  }
  if (!ei.code) kerr_set(&ei, rc, NULL);
  struct reply rep = course_page(r, c, r->json, &ei);
  kerr_clear(&ei);
  course_free(c);
  return rep;
}

/* POST /admin/courses/{id}/sessions/{sid}/attendance (form: attended) -> 303
** to the session on the course's page; the error page otherwise. Staff,
** admins (at the counter). */
struct reply web_staff_course_attendance(struct req *r) {
  struct kerrinfo ei = {0};
  json_t *out = NULL;
  int64_t id = req_path_id(r, 0), sid = req_path_id(r, 1);
  int rc = courses_attendance(&r->ctx, id, sid, r->json, &out, &ei);
  if (rc) return reply_core(r, rc, 0, NULL, &ei);
  json_decref(out);
  char to[96];
  snprintf(to, sizeof to, "/admin/courses/%lld#s-%lld", (long long)id, (long long)sid);
  return reply_redirect(r, to);
}
