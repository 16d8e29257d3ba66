/*
** core/payments.c: payments and refunds at the counter, and their receipt
** numbers (see payments.h for what a booking owes and how it is paid).
*/
#include "payments.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "clock.h"
#include "desk.h"
#include "input.h"
#include "vec.h"

/* The one list of the ways to pay: codes for the API and the database, names
** for every page, message, receipt and report (payment_method_label). */
static const struct {
  const char *code, *label;
} methods[] = {
    {"cash", "現金"},
    {"qr", "QRコード決済"},
    {"card", "クレジットカード"},
    {"ic", "電子マネー（交通系ICカードなど）"},
};
#define NMETHODS (sizeof methods / sizeof methods[0])

int payment_method_valid(const char *m) {
  for (size_t i = 0; m && i < NMETHODS; i++)
    if (!strcmp(methods[i].code, m)) return 1;
  return 0;
}

int payment_method_index(const char *m) {
  for (size_t i = 0; m && i < NMETHODS; i++)
    if (!strcmp(methods[i].code, m)) return (int)i;
  return -1;
}

const char *payment_method_code(int i) {
  return i >= 0 && (size_t)i < NMETHODS ? methods[i].code : "";
}

enum payment_kind payment_kind_parse(const char *name) {
  if (name && !strcmp(name, "payment")) return PAYMENT_PAYMENT;
  if (name && !strcmp(name, "refund")) return PAYMENT_REFUND;
  return PAYMENT_UNKNOWN;
}

const char *payment_kind_name(enum payment_kind k) {
  return k == PAYMENT_PAYMENT ? "payment" : k == PAYMENT_REFUND ? "refund" : "unknown";
}

const char *payment_method_label(const char *m) {
  for (size_t i = 0; m && i < NMETHODS; i++)
    if (!strcmp(methods[i].code, m)) return methods[i].label;
  return m ? m : "";
}

void payment_methods_text(char *out, size_t n) {
  size_t off = 0;
  if (n) out[0] = 0;
  for (size_t i = 0; i < NMETHODS && off < n; i++)
    off += (size_t)snprintf(out + off, n - off, "%s%s", i ? "・" : "", methods[i].label);
}

void payment_method_refusal(char *out, size_t n, const char *tail) {
  char names[256], codes[64];
  size_t a = 0, b = 0;
  names[0] = codes[0] = 0;
  for (size_t i = 0; i < NMETHODS; i++) {
    a += (size_t)snprintf(names + a, sizeof names - a, "「%s」", methods[i].label);
    b += (size_t)snprintf(codes + b, sizeof codes - b, "%s%s", i ? "、" : "", methods[i].code);
  }
  snprintf(out, n, "支払方法は%sのどれかを選んでください（JSON では %s）。%s", names, codes,
           tail ? tail : "");
}

int64_t payment_due(const struct kctx *ctx, const struct booking *b) {
  enum booking_status s = booking_status_now(ctx, b);
  if (s == BOOKING_CANCELLED) return b->cancel_fee > 0 ? b->cancel_fee : 0;
  if (s == BOOKING_LAPSED) return 0;
  /* held, confirmed, checked_in, no_show: the fee. A no-show is not let off:
  ** the rule book has no rule waiving it (staff may cancel, which refunds). */
  return b->fee_total;
}

int payment_paid(struct kctx *ctx, int64_t booking_id, int64_t *paid) {
  *paid = 0;
  int rc = db_get_int64(ctx->db, paid,
                        "SELECT coalesce(sum(amount), 0) FROM payments WHERE booking_id = $id",
                        DB_I("$id", booking_id));
  return rc == DB_ROW ? 0 : kerr_from_db(rc);
}

/* ======================================================= the write */

/* The next number of CENTER's receipts on ledger date DATE (inside the write
** transaction: writers are serialised, so no two get the same). */
static int next_seq(struct kctx *ctx, const char *center, const char *date, int64_t *seq) {
  *seq = 0;
  int rc = db_get_int64(ctx->db, seq,
                        "SELECT coalesce(max(seq), 0) + 1 FROM payments"
                        " WHERE center = $c AND ledger_date = $d",
                        DB_T("$c", center), DB_T("$d", date));
  return rc == DB_ROW ? 0 : kerr_from_db(rc);
}

int payment_add(struct kctx *ctx, const struct booking *b, const char *method, int64_t amount,
                char *receipt, struct kerrinfo *ei) {
  char date[11], receipt_buf[PAYMENT_RECEIPT_MAX], detail[192];
  int64_t seq = 0;
  int y, m, d, rc;
  if (!payment_method_valid(method) || amount == 0) return kerr_set(ei, KERR_INTERNAL, NULL);
  int32_t today = clock_today(ctx->now);
  date_format(today, date);
  date_to_ymd(today, &y, &m, &d);
  if ((rc = next_seq(ctx, b->center, date, &seq))) return kerr_set(ei, rc, NULL);
  snprintf(receipt_buf, sizeof receipt_buf, "R-%04d%02d%02d-%s-%04lld", y, m, d, b->center,
           (long long)seq);

  kstmt *st = db_prep(ctx->db,
                      "INSERT INTO payments(booking_id, center, ledger_date, seq, receipt, kind,"
                      " method, amount, at, by_account)"
                      " VALUES ($b, $c, $d, $seq, $r, $kind, $m, $amt, $now, $by)");
  if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
  db_bind_int(st, "$b", b->id);
  db_bind_text(st, "$c", b->center);
  db_bind_text(st, "$d", date);
  db_bind_int(st, "$seq", seq);
  db_bind_text(st, "$r", receipt_buf);
  db_bind_text(st, "$kind", amount > 0 ? "payment" : "refund");
  db_bind_text(st, "$m", method);
  db_bind_int(st, "$amt", amount);
  db_bind_int(st, "$now", ctx->now);
  if (ctx->actor.account_id) db_bind_int(st, "$by", ctx->actor.account_id);
  else db_bind_null(st, "$by");
  if ((rc = db_exec_stmt(st)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);

  /* The usage log: codes and figures only (the receipt number is ours, not
  ** the person's). A refund's amount is negative, so that the amounts of
  ** counter.payment and counter.refund events sum to the day's net. */
  snprintf(detail, sizeof detail, "{\"booking_id\":%lld,\"method\":\"%s\",\"receipt\":\"%s\"}",
           (long long)b->id, method, receipt_buf);
  struct audit_fields f = {AUDIT_OF_BOOKING(b), .subject_account = b->account_id, .amount = amount,
                           .detail_json = detail};
  struct kctx at_counter = *ctx;
  at_counter.channel = "counter";
  if ((rc = audit_event(&at_counter, amount > 0 ? "counter.payment" : "counter.refund", &f)))
    return kerr_set(ei, rc, NULL);
  if (receipt) snprintf(receipt, PAYMENT_RECEIPT_MAX, "%s", receipt_buf);
  return 0;
}

int payment_refund_beyond(struct kctx *ctx, const struct booking *b, int64_t keep,
                          struct kerrinfo *ei) {
  char method[4][16];
  int64_t net[4];
  int n = 0, rc;
  kstmt *st = db_prep(ctx->db, "SELECT method, sum(amount) FROM payments WHERE booking_id = $id"
                               " GROUP BY method HAVING sum(amount) > 0 ORDER BY method");
  if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
  db_bind_int(st, "$id", b->id);
  while (n < 4 && (rc = db_step(st)) == DB_ROW) {
    snprintf(method[n], sizeof method[n], "%s", db_col_text(st, 0));
    net[n++] = db_col_int(st, 1);
  }
  db_reset(st);
  for (int i = 0; i < n; i++) {
    int64_t kept = keep > net[i] ? net[i] : keep > 0 ? keep : 0;
    keep -= kept;
    if (net[i] > kept && (rc = payment_add(ctx, b, method[i], -(net[i] - kept), NULL, ei)))
      return rc;
  }
  return 0;
}

/* ======================================================== the reads */

int payment_rows(struct kctx *ctx, int64_t booking_id, struct payment_row **rows, int *n) {
  int cap = 0, rc;
  *rows = NULL;
  *n = 0;
  kstmt *st = db_prep(ctx->db, "SELECT receipt, kind, method, amount, at FROM payments"
                               " WHERE booking_id = $id ORDER BY id");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", booking_id);
  while ((rc = db_step(st)) == DB_ROW) {
    if (vec_grow((void **)rows, *n, &cap, sizeof **rows)) {
      rc = DB_ERROR;
      break;
    }
    struct payment_row *p = &(*rows)[(*n)++];
    snprintf(p->receipt, sizeof p->receipt, "%s", db_col_text(st, 0));
    p->kind = payment_kind_parse(db_col_text(st, 1));
    snprintf(p->method, sizeof p->method, "%s", db_col_text(st, 2));
    p->amount = db_col_int(st, 3);
    p->at = db_col_int(st, 4);
    p->booking_id = booking_id;
  }
  db_reset(st);
  if (rc == DB_DONE) return 0;
  free(*rows);
  *rows = NULL;
  *n = 0;
  return rc == DB_ERROR ? KERR_INTERNAL : kerr_from_db(rc);
}

json_t *payment_rows_json(struct kctx *ctx, int64_t booking_id) {
  struct payment_row *rows;
  int n;
  if (payment_rows(ctx, booking_id, &rows, &n)) return NULL;
  json_t *arr = json_array();
  for (int i = 0; arr && i < n; i++) {
    const struct payment_row *p = &rows[i];
    json_array_append_new(
        arr, json_pack("{s:s, s:s, s:s, s:s, s:I, s:o, s:I}", "receipt", p->receipt, "kind",
                       payment_kind_name(p->kind), "method", p->method, "method_label",
                       payment_method_label(p->method), "amount", (json_int_t)p->amount, "at",
                       clock_instant_json(p->at), "booking_id", (json_int_t)booking_id));
  }
  free(rows);
  return arr;
}

/* The money summary of B: {"fee_total","due","paid","outstanding"}. */
static int money(struct kctx *ctx, const struct booking *b, int64_t *due, int64_t *paid,
                 int64_t *outstanding) {
  int rc = payment_paid(ctx, b->id, paid);
  if (rc) return rc;
  *due = payment_due(ctx, b);
  *outstanding = *due - *paid;
  return 0;
}

static int load_for_desk(struct kctx *ctx, int64_t id, struct booking *b, struct kerrinfo *ei) {
  if (!(ctx->actor.role & ROLE_DESK)) return kerr_set(ei, KERR_FORBIDDEN, NULL);
  int rc = booking_load(ctx, id, b);
  if (rc == KERR_NOT_FOUND) return kerr_set(ei, rc, "予約が見つかりません（予約番号を確かめてください）。");
  return rc ? kerr_set(ei, rc, NULL) : 0;
}

int payment_list(struct kctx *ctx, int64_t booking_id, json_t **out, struct kerrinfo *ei) {
  struct booking b;
  int64_t due, paid, outstanding;
  int rc;
  *out = NULL;
  if ((rc = load_for_desk(ctx, booking_id, &b, ei))) return rc;
  if ((rc = money(ctx, &b, &due, &paid, &outstanding))) return kerr_set(ei, rc, NULL);
  json_t *rows = payment_rows_json(ctx, booking_id);
  if (!rows) return kerr_set(ei, KERR_INTERNAL, NULL);
  *out = json_pack("{s:I, s:s, s:I, s:I, s:I, s:I, s:o}", "booking_id", (json_int_t)b.id,
                   "status", booking_status_name(booking_status_now(ctx, &b)), "fee_total", (json_int_t)b.fee_total,
                   "due", (json_int_t)due, "paid", (json_int_t)paid, "outstanding",
                   (json_int_t)outstanding, "payments", rows);
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}

#define AMOUNT_MAX 99999999LL   /* yen: far above any fee */

/* The amount: whole yen, a JSON integer or (FORM: kctx.form) a form's digits,
** "-" in front for a refund. */
static int read_amount(const json_t *body, int form, int64_t *amount, struct kerrinfo *ei) {
  json_t *v = json_object_get(body, "amount");
  long long n = 0;
  int neg = 0, rc = INPUT_BAD;
  if (json_is_integer(v)) {
    n = (long long)json_integer_value(v);
    if (n >= -AMOUNT_MAX && n <= AMOUNT_MAX) {
      rc = INPUT_OK;
      if (n < 0) neg = 1, n = -n;
    }
  } else if (form && json_is_string(v)) {
    const char *s = json_string_value(v);
    if (*s == '-') neg = 1, s++;
    json_t *t = json_pack("{s:s}", "a", s);
    rc = t ? input_int(t, "a", form, 0, AMOUNT_MAX, &n) : INPUT_BAD;
    json_decref(t);
  }
  if (rc != INPUT_OK) {
    kerr_field(ei, "amount",
               input_int_message(body, "amount", form, "金額を円単位の整数で入力してください。"));
    return KERR_VALIDATION;
  }
  *amount = neg ? -(int64_t)n : (int64_t)n;
  return 0;
}

int payment_record(struct kctx *ctx, int64_t booking_id, const json_t *body, json_t **out,
                   struct kerrinfo *ei) {
  struct booking b;
  char method[16] = "", receipt[PAYMENT_RECEIPT_MAX];
  int64_t amount = 0, due, paid, outstanding;
  int rc, bad = 0;
  *out = NULL;
  if (!(ctx->actor.role & ROLE_DESK)) return kerr_set(ei, KERR_FORBIDDEN, NULL);
  /* RULE: counter hours (窓口受付時間の統一): money is taken at the counter. */
  if ((rc = desk_check_open(ctx, ei))) return rc;
  if ((rc = load_for_desk(ctx, booking_id, &b, ei))) return rc;

  rc = input_text(body, "method", method, sizeof method);
  if (rc != INPUT_OK || !payment_method_valid(method)) {
    char msg[400];
    payment_method_refusal(msg, sizeof msg, NULL);
    kerr_field(ei, "method", msg);
    bad = 1;
  }
  if (read_amount(body, ctx->form, &amount, ei)) bad = 1;
  if (bad) return KERR_VALIDATION;

  if ((rc = money(ctx, &b, &due, &paid, &outstanding))) return kerr_set(ei, rc, NULL);
  if (outstanding == 0)
    return kerr_set(ei, KERR_CONFLICT,
                    "予約番号%lldにお支払いいただく金額はありません（料金%lld円、支払済み%lld円）。",
                    (long long)b.id, (long long)due, (long long)paid);
  /* RULE: the payment is exactly what is outstanding. */
  if (amount != outstanding) {
    char msg[400];
    if (outstanding > 0)
      snprintf(msg, sizeof msg,
               "お支払いいただく金額は%lld円です（料金%lld円、支払済み%lld円）。"
               "%lld円ちょうどを入力してください。",
               (long long)outstanding, (long long)due, (long long)paid, (long long)outstanding);
    else
      snprintf(msg, sizeof msg,
               "この予約は%lld円を返金する必要があります（料金%lld円、支払済み%lld円）。"
               "返金は金額を -%lld として記録してください。",
               (long long)-outstanding, (long long)due, (long long)paid,
               (long long)-outstanding);
    kerr_set(ei, KERR_VALIDATION, "%s", msg);
    kerr_field(ei, "amount", msg);
    return KERR_VALIDATION;
  }

  struct kctx c = *ctx;
  c.channel = "counter";
  if ((rc = db_begin_write(c.db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  /* Again inside the lock: another clerk may have taken it meanwhile. */
  if ((rc = booking_load(&c, booking_id, &b)) || (rc = money(&c, &b, &due, &paid, &outstanding))) {
    kerr_set(ei, rc, NULL);
    goto fail;
  }
  if (amount != outstanding) {
    rc = kerr_set(ei, KERR_CONFLICT,
                  "この予約の支払い状況が変わりました。画面を更新して、もう一度確かめてください。");
    goto fail;
  }
  if ((rc = payment_add(&c, &b, method, amount, receipt, ei))) goto fail;
  if ((rc = db_commit(c.db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);

  paid += amount;
  json_t *rows = payment_rows_json(&c, booking_id), *last = NULL;
  if (rows && json_array_size(rows)) last = json_incref(json_array_get(rows, json_array_size(rows) - 1));
  json_decref(rows);
  *out = json_pack("{s:o*, s:o*, s:I, s:I, s:I, s:I}", "payment", last, "booking",
                   booking_json(&c, &b), "fee_total", (json_int_t)b.fee_total, "due",
                   (json_int_t)due, "paid", (json_int_t)paid, "outstanding",
                   (json_int_t)(due - paid));
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
fail:
  db_rollback(c.db);
  return rc ? rc : kerr_set(ei, KERR_INTERNAL, NULL);
}

void payment_money_json(struct kctx *ctx, const struct booking *b, json_t *out) {
  int64_t paid = 0;
  if (payment_paid(ctx, b->id, &paid)) return;
  int64_t due = payment_due(ctx, b);
  json_object_set_new(out, "due", json_integer(due));
  json_object_set_new(out, "paid", json_integer(paid));
  json_object_set_new(out, "outstanding", json_integer(due - paid));
  json_t *rows = payment_rows_json(ctx, b->id);
  if (rows) json_object_set_new(out, "payments", rows);
}
