/*
** core/notify.c: the texts of the messages and when they are queued (see
** notify.h). Short sentences, the facts a person needs (what, where, when,
** how much, what to do next, by when) and whom to ask. No jargon: 仮予約 is
** explained where it appears.
*/
#include "notify.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "outbox.h"
#include "status.h"

#define SUBJECT_PREFIX "【前橋市 公民館予約】"

/* ============================================================ text */

struct text {
  char s[6144];
  size_t n;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct text *t, const char *fmt, ...) {
  if (t->n >= sizeof t->s - 1) return;
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(t->s + t->n, sizeof t->s - t->n, fmt, ap);
  va_end(ap);
  if (k > 0) t->n += (size_t)k;
  if (t->n >= sizeof t->s) t->n = sizeof t->s - 1;
}

/* "12,345円" */
static void yen(int64_t v, char *out, size_t n) {
  char digits[32], buf[48];
  int len = snprintf(digits, sizeof digits, "%lld", (long long)(v < 0 ? -v : v)), k = 0;
  if (v < 0) buf[k++] = '-';
  for (int i = 0; i < len; i++) {
    if (i && (len - i) % 3 == 0) buf[k++] = ',';
    buf[k++] = digits[i];
  }
  buf[k] = 0;
  snprintf(out, n, "%s円", buf);
}

/* "2026年4月4日（土）9時00分" */
static void instant_label(int64_t t, char *out, size_t n) {
  char d[64];
  int min = clock_minute_of_day(t);
  clock_jdate(clock_today(t), d, sizeof d);
  snprintf(out, n, "%s%d時%02d分", d, min / 60, min % 60);
}

/* The person's name for the greeting ("" when unknown). */
static void person_name(struct kctx *ctx, int64_t account, char *out, size_t n) {
  out[0] = 0;
  kstmt *st = db_prep(ctx->db, "SELECT name FROM accounts WHERE id = $id");
  if (!st) return;
  db_bind_int(st, "$id", account);
  if (db_step(st) == DB_ROW) snprintf(out, n, "%s", db_col_text(st, 0));
  db_reset(st);
}

static void greeting(struct kctx *ctx, struct text *t, int64_t account) {
  char name[256];
  person_name(ctx, account, name, sizeof name);
  add(t, "%s 様\n\n", name[0] ? name : "利用者");
}

/* Whom to ask, and where the settings are. */
static void footer(struct kctx *ctx, struct text *t, const char *center_code) {
  const struct center *c = center_code ? rules_center(ctx->rb, center_code) : NULL;
  add(t, "\n――――――――――\n");
  if (c) add(t, "お問い合わせ: %s（電話 %s）\n", c->name, c->phone[0] ? c->phone : "窓口へ");
  else add(t, "お問い合わせ: お近くの公民館の窓口へ\n");
  add(t, "マイページ: %s/my\n", outbox_public_url());
  add(t, "このお知らせは、前橋市 公民館予約システムから自動でお送りしています。\n");
}

/* The booking's facts, one a line. */
static void describe(struct kctx *ctx, struct text *t, const struct booking *b) {
  const struct room *ro = rules_room_by_id(ctx->rb, b->room_id);
  int32_t day = 0;
  char dl[64];
  date_parse(b->date, &day);
  clock_jdate(day, dl, sizeof dl);
  add(t, "予約番号: %lld\n", (long long)b->id);
  add(t, "場所: %s %s\n", ro ? ro->center->name : b->center, ro ? ro->name : "");
  add(t, "利用日: %s\n", dl);
  add(t, "時間: ");
  const struct rules *r = rules_in_force(ctx->rb, day);
  char codes[sizeof b->slots];
  snprintf(codes, sizeof codes, "%s", b->slots);
  int first = 1;
  for (char *save = NULL, *c = strtok_r(codes, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
    int i = r ? rules_slot_index(r, c) : -1;
    if (i < 0) add(t, "%s%s", first ? "" : "、", c);
    else
      add(t, "%s%s（%d:%02d〜%d:%02d）", first ? "" : "、", r->slots[i].label,
          r->slots[i].start / 60, r->slots[i].start % 60, r->slots[i].end / 60,
          r->slots[i].end % 60);
    first = 0;
  }
  add(t, "\n");
  if (b->group_name[0]) add(t, "団体: %s\n", b->group_name);
  char fee[48];
  yen(b->fee_total, fee, sizeof fee);
  add(t, "使用料: %s%s\n", fee, b->fee_discount > 0 ? "（減免後）" : "");
}

static int queue(struct kctx *ctx, const char *kind, int64_t account, const char *subject,
                 struct text *body, int64_t booking_id, const char *center, const char *dedup) {
  char subj[512];
  snprintf(subj, sizeof subj, SUBJECT_PREFIX "%s", subject);
  footer(ctx, body, center);
  struct outbox_ref ref = {.booking_id = booking_id, .center = center, .dedup_key = dedup};
  return outbox_enqueue(ctx, kind, account, subj, body->s, &ref);
}

/* ============================================================ bookings */

static int by_staff(const struct kctx *ctx, const struct booking *b) {
  return (ctx->actor.role & ROLE_DESK) && ctx->actor.account_id != b->account_id;
}

static int64_t refunded(struct kctx *ctx, int64_t booking_id) {
  return db_int64(ctx->db, 0, "SELECT -coalesce(sum(amount), 0) FROM payments"
                              " WHERE booking_id = $id AND kind = 'refund'",
                  DB_I("$id", booking_id));
}

static int64_t paid_in(struct kctx *ctx, int64_t booking_id) {
  return db_int64(ctx->db, 0, "SELECT coalesce(sum(amount), 0) FROM payments"
                              " WHERE booking_id = $id AND kind = 'payment'",
                  DB_I("$id", booking_id));
}

static void hold_text(struct kctx *ctx, struct text *t, const struct booking *b, int staff) {
  char until[96];
  instant_label(b->hold_expires_at, until, sizeof until);
  add(t, staff ? "公民館の窓口で、次の仮予約をお受けしました。\n"
               : "次の仮予約を受け付けました。\n");
  add(t, "仮予約は、まだ確定していない予約です。\n\n");
  describe(ctx, t, b);
  add(t, "\n確定の期限: %s\n", until);
  add(t, "この時までに確定しないと、仮予約は取り消されます。\n\n");
  add(t, "確定のしかた:\n下のページを開いて「予約を確定する」を押してください。\n%s/my/bookings/%lld\n"
         "公民館の窓口でも確定できます。\n",
      outbox_public_url(), (long long)b->id);
}

/* The cancellation: what it cost and what became of what was paid (a staff
** cancellation at the holder's request keeps the 取消料 from what was paid and
** gives back the rest; what the payments do not cover is still to pay). */
static void cancel_text(struct kctx *ctx, struct text *t, const struct booking *b, int staff) {
  add(t, staff ? "公民館の窓口で、次の予約を取り消しました。\n\n" : "次の予約を取り消しました。\n\n");
  describe(ctx, t, b);
  if (staff && b->cancel_reason[0]) add(t, "取り消した理由: %s\n", b->cancel_reason);
  int64_t back = refunded(ctx, b->id), in = paid_in(ctx, b->id);
  int64_t fee = b->cancel_fee > 0 ? b->cancel_fee : 0, owed = fee - (in - back);
  char y1[48], y2[48];
  yen(fee, y1, sizeof y1);
  if (!fee) add(t, "\n取消料はかかりません。\n");
  else if (owed >= fee) add(t, "\n取消料: %s\n取消料は、公民館の窓口でお支払いください。\n", y1);
  else if (owed > 0) {
    yen(owed, y2, sizeof y2);
    add(t, "\n取消料: %s\nお支払いいただいた使用料を取消料にあてました。残りの %s を、"
           "公民館の窓口でお支払いください。\n", y1, y2);
  } else add(t, "\n取消料: %s\n取消料は、お支払いいただいた使用料から差し引きました。\n", y1);
  if (back > 0) {
    yen(in, y1, sizeof y1);
    yen(back, y2, sizeof y2);
    if (fee) add(t, "お支払いいただいた %s のうち %s をお返ししました。\n", y1, y2);
    else add(t, "お支払いいただいた %s をお返ししました。\n", y2);
  }
  if (owed < 0) {
    yen(-owed, y2, sizeof y2);
    add(t, "お支払いいただいた使用料のうち %s を、公民館の窓口でお返しします。\n", y2);
  }
}

int notify_booking(struct kctx *ctx, enum notify_event event, const struct booking *b) {
  if (!outbox_enabled() || !b->account_id) return 0;
  struct text t = {.n = 0};
  int staff = by_staff(ctx, b);
  const char *kind = MAIL_HOLD_RECEIVED, *subject = "仮予約を受け付けました";
  greeting(ctx, &t, b->account_id);
  switch (event) {
    case NOTE_HOLD:
      if (staff) kind = MAIL_STAFF_CHANGE, subject = "窓口で仮予約をお受けしました";
      hold_text(ctx, &t, b, staff);
      break;
    case NOTE_CONFIRM:
      kind = staff ? MAIL_STAFF_CHANGE : MAIL_CONFIRMED;
      subject = staff ? "窓口で予約を確定しました" : "予約が確定しました";
      add(&t, staff ? "公民館の窓口で、次の予約を確定しました。\n\n" : "次の予約が確定しました。\n\n");
      describe(ctx, &t, b);
      add(&t, "\n利用許可書（スマートフォンで見せられます）:\n%s/my/bookings/%lld/permit\n"
              "当日、公民館の窓口でこの画面を見せてください。印刷しても使えます。\n",
          outbox_public_url(), (long long)b->id);
      break;
    case NOTE_CANCEL:
      kind = MAIL_CANCELLED;
      subject = staff ? "窓口で予約を取り消しました" : "予約を取り消しました";
      cancel_text(ctx, &t, b, staff);
      break;
    case NOTE_LAPSE:
      kind = MAIL_HOLD_LAPSED;
      subject = "仮予約の期限が過ぎたため、取り消されました";
      add(&t, "次の仮予約は、確定の期限までに確定されなかったため、取り消されました。\n"
              "料金はかかりません。\n\n");
      describe(ctx, &t, b);
      add(&t, "\nもう一度使いたいときは、あらためて予約してください。\n");
      break;
  }
  return queue(ctx, kind, b->account_id, subject, &t, b->id, b->center, NULL);
}

int notify_closure(struct kctx *ctx, const struct booking *b, const char *reason,
                   const char *what) {
  if (!outbox_enabled() || !b->account_id) return 0;
  struct text t = {.n = 0};
  greeting(ctx, &t, b->account_id);
  add(&t, "ご予約の日に、公民館が休館になります。%s\n\n", reason ? reason : "");
  describe(ctx, &t, b);
  if (what && *what) add(&t, "\n%s\n", what);
  add(&t, "\nご迷惑をおかけして、申し訳ありません。\n");
  return queue(ctx, MAIL_CLOSURE, b->account_id, "休館のため、ご予約に影響があります", &t, b->id,
               b->center, NULL);
}

/* ============================================================ decisions */

int notify_group_decision(struct kctx *ctx, int64_t group_id, int approved, const char *reason) {
  if (!outbox_enabled()) return 0;
  kstmt *st = db_prep(ctx->db, "SELECT name, representative_id, coalesce(valid_until, ''),"
                               " coalesce(renewal_reason, reason, '') FROM groups WHERE id = $id");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", group_id);
  char name[512] = "", until[16] = "", stored[2048] = "";
  int64_t rep = 0;
  if (db_step(st) == DB_ROW) {
    snprintf(name, sizeof name, "%s", db_col_text(st, 0));
    rep = db_col_int(st, 1);
    snprintf(until, sizeof until, "%s", db_col_text(st, 2));
    snprintf(stored, sizeof stored, "%s", db_col_text(st, 3));
  }
  if (!reason) reason = stored;
  db_reset(st);
  struct text t = {.n = 0};
  greeting(ctx, &t, rep);
  add(&t, "団体「%s」（団体番号 %lld）の登録の審査が終わりました。\n\n", name, (long long)group_id);
  if (approved) {
    int32_t day = 0;
    char dl[64] = "";
    if (!date_parse(until, &day)) clock_jdate(day, dl, sizeof dl);
    add(&t, "結果: 登録しました。\n");
    if (dl[0]) add(&t, "有効期限: %s まで\n", dl);
    add(&t, "\nどの公民館でも、団体として予約できます。\n");
  } else {
    add(&t, "結果: 登録できませんでした。\n理由: %s\n", reason && *reason ? reason : "（窓口でお尋ねください）");
    add(&t, "\n内容を直して、もう一度申し込むことができます。\n");
  }
  return queue(ctx, MAIL_GROUP_DECISION, rep,
               approved ? "団体の登録が決まりました" : "団体の登録の審査結果のお知らせ", &t, 0, NULL,
               NULL);
}

int notify_discount_decision(struct kctx *ctx, int64_t app_id, int approved,
                             const char *reason) {
  if (!outbox_enabled()) return 0;
  kstmt *st = db_prep(ctx->db,
                      "SELECT d.applied_by, d.category, coalesce(d.valid_until, ''), g.name"
                      " FROM discount_applications d JOIN groups g ON g.id = d.group_id"
                      " WHERE d.id = $id");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", app_id);
  char cat[64] = "", until[16] = "", group[512] = "";
  int64_t to = 0;
  if (db_step(st) == DB_ROW) {
    to = db_col_int(st, 0);
    snprintf(cat, sizeof cat, "%s", db_col_text(st, 1));
    snprintf(until, sizeof until, "%s", db_col_text(st, 2));
    snprintf(group, sizeof group, "%s", db_col_text(st, 3));
  }
  db_reset(st);
  const struct discount_cat *d = rules_discount(rules_in_force(ctx->rb, clock_today(ctx->now)), cat);
  struct text t = {.n = 0};
  greeting(ctx, &t, to);
  add(&t, "団体「%s」の減免（使用料の割引・免除）の申請（申請番号 %lld）の審査が終わりました。\n\n",
      group, (long long)app_id);
  add(&t, "区分: %s\n", d ? d->name : cat);
  if (approved) {
    add(&t, "結果: 認められました。");
    if (d) add(&t, "使用料が %d%% 安くなります。", d->rate);
    add(&t, "\n");
    if (until[0]) add(&t, "有効期限: %s まで\n", until);
    add(&t, "どの公民館の予約にも使えます。\n");
  } else {
    add(&t, "結果: 認められませんでした。\n理由: %s\n", reason && *reason ? reason : "（窓口でお尋ねください）");
  }
  return queue(ctx, MAIL_DISCOUNT_DECISION, to, "減免の申請の審査結果のお知らせ", &t, 0, NULL, NULL);
}

/* ============================================================ security */

int notify_password_reset(struct kctx *ctx, int64_t account, const char *link,
                          int64_t expires_at) {
  if (!outbox_enabled()) return 0;
  char until[96];
  instant_label(expires_at, until, sizeof until);
  struct text t = {.n = 0};
  greeting(ctx, &t, account);
  add(&t, "パスワードを新しくするための手続きを受け付けました。\n"
          "下のページを開いて、新しいパスワードを決めてください。\n\n%s\n\n"
          "このページは %s まで使えます。\n\n"
          "お心当たりがないときは、このメールを捨ててください。パスワードは変わりません。\n",
      link, until);
  return queue(ctx, MAIL_PASSWORD_RESET, account, "パスワードの再設定", &t, 0, NULL, NULL);
}

int notify_forgotten_id(struct kctx *ctx, int64_t account) {
  if (!outbox_enabled()) return 0;
  struct text t = {.n = 0};
  greeting(ctx, &t, account);
  add(&t, "お問い合わせのあった利用者番号をお知らせします。\n\n利用者番号: %09lld\n\n"
          "ログインのときに使います。大切に保管してください。\n"
          "お心当たりがないときは、このメールを捨ててください。\n",
      (long long)account);
  return queue(ctx, MAIL_FORGOTTEN_ID, account, "利用者番号のお知らせ", &t, 0, NULL, NULL);
}

/* ============================================================ the sweep */

/* Queue KIND for each booking ST selects (id), at most once each. */
static int sweep_kind(struct kctx *ctx, kstmt *st, const char *kind, int *n) {
  int64_t ids[64];
  int k = 0, rc;
  while (k < 64 && (rc = db_step(st)) == DB_ROW) ids[k++] = db_col_int(st, 0);
  db_reset(st);
  for (int i = 0; i < k; i++) {
    struct booking b;
    if ((rc = booking_load(ctx, ids[i], &b))) return rc;
    char key[64], until[96];
    snprintf(key, sizeof key, "%s:%lld", kind, (long long)b.id);
    struct text t = {.n = 0};
    greeting(ctx, &t, b.account_id);
    if (!strcmp(kind, MAIL_REMINDER)) {
      add(&t, "明日は、次の予約の利用日です。\n\n");
      describe(ctx, &t, &b);
      add(&t, "\n利用許可書: %s/my/bookings/%lld/permit\n"
              "使えなくなったときは、早めに取り消してください。\n",
          outbox_public_url(), (long long)b.id);
    } else {
      instant_label(b.hold_expires_at, until, sizeof until);
      add(&t, "次の仮予約は、まだ確定していません。\n%s までに確定しないと、取り消されます。\n\n", until);
      describe(ctx, &t, &b);
      add(&t, "\n確定するには、下のページを開いて「予約を確定する」を押してください。\n%s/my/bookings/%lld\n",
          outbox_public_url(), (long long)b.id);
    }
    const char *subject = !strcmp(kind, MAIL_REMINDER) ? "明日はご予約の利用日です"
                                                       : "仮予約の確定の期限が近づいています";
    if ((rc = queue(ctx, kind, b.account_id, subject, &t, b.id, b.center, key))) return rc;
    if (n) (*n)++;
  }
  return 0;
}

static int sweep_all(struct kctx *ctx, int *n) {
  /* RULE: a hold lapsing within 24 hours is announced once (not for holds
  ** that were shorter than that to begin with: their receipt said it). */
  kstmt *st = db_prep(ctx->db,
                      "SELECT b.id FROM bookings b WHERE b.status = 'held'"
                      " AND b.account_id IS NOT NULL AND b.hold_expires_at > $now"
                      " AND b.hold_expires_at <= $now + 86400"
                      " AND b.hold_expires_at - b.created_at > 86400"
                      " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.dedup_key ="
                      "   'hold_warning:' || b.id) ORDER BY b.id LIMIT 64");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$now", ctx->now);
  int rc = sweep_kind(ctx, st, MAIL_HOLD_WARNING, n);
  if (rc) return rc;
  char tomorrow[11];
  date_format(clock_today(ctx->now) + 1, tomorrow);
  st = db_prep(ctx->db,
               "SELECT b.id FROM bookings b WHERE b.date = $day AND b.status = 'confirmed'"
               " AND b.account_id IS NOT NULL"
               " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.dedup_key = 'reminder:' || b.id)"
               " ORDER BY b.id LIMIT 64");
  if (!st) return KERR_INTERNAL;
  db_bind_text(st, "$day", tomorrow);
  return sweep_kind(ctx, st, MAIL_REMINDER, n);
}

int notify_sweep(struct kctx *ctx, int *n) {
  if (n) *n = 0;
  if (!outbox_enabled()) return 0;
  int rc = db_begin_write(ctx->db);
  if (rc != DB_OK) return kerr_from_db(rc);
  if ((rc = sweep_all(ctx, n))) {
    db_rollback(ctx->db);
    return rc;
  }
  rc = db_commit(ctx->db);
  return rc == DB_OK ? 0 : kerr_from_db(rc);
}

/* ========================================== courses and the allocation round */

/* The application APP to a course, as the message needs it. */
struct course_app_info {
  int64_t account, course, lottery;
  int64_t offer_expires_at, queue_pos;   /* queue_pos: the place on the waiting list */
  char title[400], center[32], first_date[11];
};

static int course_app_load(struct kctx *ctx, int64_t app, struct course_app_info *a) {
  kstmt *st = db_prep(ctx->db,
                      "SELECT a.account_id, c.id, coalesce(c.lottery_id, 0),"
                      " coalesce(a.offer_expires_at, 0), (SELECT count(*) FROM course_applications w"
                      " WHERE w.course_id = a.course_id AND w.status = 'waitlisted'"
                      " AND w.queue_pos <= a.queue_pos), c.title,"
                      " c.center, c.first_date FROM course_applications a"
                      " JOIN courses c ON c.id = a.course_id WHERE a.id = $id");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", app);
  int rc = db_step(st);
  if (rc == DB_ROW) {
    a->account = db_col_int(st, 0);
    a->course = db_col_int(st, 1);
    a->lottery = db_col_int(st, 2);
    a->offer_expires_at = db_col_int(st, 3);
    a->queue_pos = db_col_int(st, 4);
    snprintf(a->title, sizeof a->title, "%s", db_col_text(st, 5));
    snprintf(a->center, sizeof a->center, "%s", db_col_text(st, 6));
    snprintf(a->first_date, sizeof a->first_date, "%s", db_col_text(st, 7));
  }
  db_reset(st);
  return rc == DB_ROW ? 0 : rc == DB_DONE ? KERR_NOT_FOUND : kerr_from_db(rc);
}

int notify_course(struct kctx *ctx, int64_t app, enum course_note what) {
  if (!outbox_enabled()) return 0;
  struct course_app_info a = {0};
  int rc = course_app_load(ctx, app, &a);
  if (rc) return rc;
  struct text t = {.n = 0};
  int32_t day = 0;
  char dl[64] = "", until[96] = "";
  if (!date_parse(a.first_date, &day)) clock_jdate(day, dl, sizeof dl);
  greeting(ctx, &t, a.account);
  add(&t, "講座「%s」（申し込み番号 %lld）についてのお知らせです。\n初回: %s\n\n", a.title,
      (long long)app, dl);
  const char *subject = "講座のお知らせ";
  if (what == COURSE_ACCEPTED) {
    subject = "講座の受講が決まりました";
    add(&t, "受講が決まりました。当日は直接会場へお越しください。\n");
  } else if (what == COURSE_WAITLISTED) {
    subject = "講座の抽選の結果（キャンセル待ち）";
    add(&t, "定員をこえたため、キャンセル待ちの%lld番目になりました。\n"
            "空きが出たら、順番にお知らせします。\n", (long long)a.queue_pos);
  } else if (what == COURSE_OFFER) {
    subject = "講座に空きが出ました（期限までに手続きしてください）";
    instant_label(a.offer_expires_at, until, sizeof until);
    add(&t, "空きが出たので、受講できます。\n受講するときは、%s までに、マイページの"
            "「講座の申し込み」で「受講する」を押してください。\n%s/my/courses\n"
            "期限を過ぎると、次の人に順番がまわります。\n", until, outbox_public_url());
  } else {
    subject = "講座の繰り上げの期限が過ぎました";
    add(&t, "期限までに手続きがなかったため、繰り上げは取り消しになりました。\n");
  }
  if (a.lottery && what != COURSE_OFFER && what != COURSE_OFFER_LAPSED)
    add(&t, "\n抽選はだれでも確かめられます: %s/api/v1/lotteries/%lld\n", outbox_public_url(),
        (long long)a.lottery);
  return queue(ctx, MAIL_COURSE, a.account, subject, &t, 0, a.center, NULL);
}

int notify_round_result(struct kctx *ctx, int64_t app) {
  if (!outbox_enabled()) return 0;
  kstmt *st = db_prep(ctx->db,
                      "SELECT a.account_id, a.status, coalesce(a.outcome, ''),"
                      " coalesce(a.booking_id, 0), a.round_id, a.room_id, a.date, a.slot, g.name"
                      " FROM round_applications a JOIN groups g ON g.id = a.group_id"
                      " WHERE a.id = $id");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", app);
  if (db_step(st) != DB_ROW) {
    db_reset(st);
    return KERR_NOT_FOUND;
  }
  int64_t account = db_col_int(st, 0), booking = db_col_int(st, 3), round = db_col_int(st, 4);
  int won = round_app_status_parse(db_col_text(st, 1)) == ROUND_APP_WON;
  char date[11], slot[24], group[512];
  enum round_outcome why = round_outcome_parse(db_col_text(st, 2));
  snprintf(date, sizeof date, "%s", db_col_text(st, 6));
  snprintf(slot, sizeof slot, "%s", db_col_text(st, 7));
  snprintf(group, sizeof group, "%s", db_col_text(st, 8));
  const struct room *ro = rules_room_by_id(ctx->rb, db_col_int(st, 5));
  db_reset(st);
  int32_t day = 0;
  char dl[64] = "";
  if (!date_parse(date, &day)) clock_jdate(day, dl, sizeof dl);
  const struct rules *r = day ? rules_in_force(ctx->rb, day) : NULL;
  int k = r ? rules_slot_index(r, slot) : -1;
  struct text t = {.n = 0};
  greeting(ctx, &t, account);
  add(&t, "部屋の抽選（利用調整）の結果です。\n団体: %s\n場所: %s %s\n利用日: %s %s\n\n", group,
      ro ? ro->center->name : "", ro ? ro->name : "", dl, k >= 0 ? r->slots[k].label : slot);
  if (won)
    add(&t, "結果: 当選しました。仮予約（予約番号 %lld）になりました。\n"
            "期限までにマイページで確定してください。\n", (long long)booking);
  else
    add(&t, "結果: %s\n", why == ROUND_OUTCOME_TAKEN ? "締め切りまでにほかの予約が入ったため、取れませんでした。"
                          : why == ROUND_OUTCOME_CAP ? "この回で取れる枠数に達したため、取れませんでした。"
                                                     : "抽選の結果、ほかの団体に決まりました。");
  add(&t, "\n抽選はだれでも確かめられます: %s/api/v1/rounds/%lld\n", outbox_public_url(),
      (long long)round);
  return queue(ctx, MAIL_ROUND, account, won ? "部屋の抽選の結果（当選）" : "部屋の抽選の結果",
               &t, booking, ro ? ro->center->code : NULL, NULL);
}
