/*
** core/counter_ledger.c: the counter's daily ledger (see counter.h):
** counter_ledger as JSON, counter_ledger_csv as CSV. The desk's actions
** (today's screen, walk-ins, check-in, no-show) are core/counter.c.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "counter.h"
#include "counter_int.h"
#include "csv.h"
#include "desk.h"
#include "payments.h"
#include "text.h"
#include "trail.h"
#include "vec.h"

/* "午前・午後" for "morning,afternoon" under R. */
static void slot_labels(const struct rules *r, const char *slots, char *out, size_t n) {
  char code[24];
  size_t off = 0;
  out[0] = 0;
  while (*slots && off < n) {
    const char *e = strchr(slots, ',');
    size_t len = e ? (size_t)(e - slots) : strlen(slots);
    if (len >= sizeof code) len = sizeof code - 1;
    memcpy(code, slots, len);
    code[len] = 0;
    int k = r ? rules_slot_index(r, code) : -1;
    off += (size_t)snprintf(out + off, n - off, "%s%s", off ? "・" : "",
                            k >= 0 ? r->slots[k].label : code);
    if (!e) break;
    slots = e + 1;
  }
}

/* ========================================================= the ledger */

static const char *const method_codes[] = {"cash", "qr", "card", "ic"};
#define NMETHOD_CODES 4

/* The kinds of entry, in the order of the ledger's counts (enum ledger_kind). */
static const char *const entry_kinds[] = {"booking", "walkin",  "checkin", "noshow",
                                          "cancellation", "payment", "refund"};

const char *ledger_kind_name(enum ledger_kind k) {
  return (int)k >= 0 && k < LEDGER_NKINDS ? entry_kinds[k] : "";
}

static enum ledger_kind kind_parse(const char *name) {
  for (int k = 0; k < LEDGER_NKINDS; k++)
    if (!strcmp(name, entry_kinds[k])) return (enum ledger_kind)k;
  return LEDGER_NKINDS;
}

/* One row of the ledger's query (below) into E. */
static void ledger_entry(struct kctx *ctx, kstmt *st, struct ledger_entry *e) {
  memset(e, 0, sizeof *e);
  e->kind = kind_parse(db_col_text(st, 0));
  e->at = db_col_int(st, 1);
  clock_hhmm(clock_minute_of_day(e->at), e->time);
  e->booking_id = db_col_int(st, 2);
  e->room_id = db_col_int(st, 3);
  const struct room *ro = rules_room_by_id(ctx->rb, e->room_id);
  e->room_name = ro ? ro->name : "";
  snprintf(e->use_date, sizeof e->use_date, "%s", db_col_text(st, 4));
  int32_t uday = 0;
  date_parse(e->use_date, &uday);
  snprintf(e->slots, sizeof e->slots, "%s", db_col_text(st, 5));
  slot_labels(rules_in_force(ctx->rb, uday), e->slots, e->slot_labels, sizeof e->slot_labels);
  snprintf(e->channel, sizeof e->channel, "%s", db_col_text(st, 6));
  snprintf(e->holder, sizeof e->holder, "%s", db_col_text(st, 7));
  if (e->kind == LEDGER_BOOKING || e->kind == LEDGER_WALKIN) e->fee_total = db_col_int(st, 8);
  if (e->kind == LEDGER_CANCELLATION) {
    snprintf(e->reason, sizeof e->reason, "%s", db_col_text(st, 9));
    e->cancel_fee = db_col_null(st, 10) ? 0 : db_col_int(st, 10);
    e->by_staff = db_col_int(st, 11) != 0;
  }
  if (!db_col_null(st, 12)) {
    e->has_payment = 1;
    snprintf(e->method, sizeof e->method, "%s", db_col_text(st, 12));
    e->amount = db_col_int(st, 13);
    snprintf(e->receipt, sizeof e->receipt, "%s", db_col_text(st, 14));
  }
}

/* Everything that happened at centre CENTER on DAY (V->date), in time order,
** into V's entries and counts. Inside the caller's read transaction. */
static int ledger_entries(struct kctx *ctx, const char *center, int32_t day,
                          struct counter_ledger_view *v, struct kerrinfo *ei) {
  int rc, cap = 0;
  kstmt *st = db_prep(
      ctx->db,
      "SELECT kind, at, id, room_id, date, slots, channel, holder, fee_total,"
      "  reason, cancel_fee, by_staff, method, amount, receipt, ord FROM ("
      " SELECT CASE WHEN b.account_id IS NULL THEN 'walkin'"
      "   ELSE 'booking' END AS kind, b.created_at AS at, b.id, b.room_id, b.date, b.slots,"
      "   b.channel, coalesce(g.name, a.name, b.walkin_name, '') AS holder, b.fee_total,"
      "   NULL AS reason, NULL AS cancel_fee, NULL AS by_staff, NULL AS method,"
      "   NULL AS amount, NULL AS receipt, 1 AS ord"
      "  FROM bookings b LEFT JOIN accounts a ON a.id = b.account_id"
      "  LEFT JOIN groups g ON g.id = b.group_id"
      "  WHERE b.center = $c AND b.created_at >= $t0 AND b.created_at < $t1"
      " UNION ALL"
      " SELECT 'checkin', b.checked_in_at, b.id, b.room_id, b.date, b.slots, b.channel,"
      "   coalesce(g.name, a.name, b.walkin_name, ''), b.fee_total, NULL, NULL, NULL, NULL,"
      "   NULL, NULL, 2"
      "  FROM bookings b LEFT JOIN accounts a ON a.id = b.account_id"
      "  LEFT JOIN groups g ON g.id = b.group_id"
      "  WHERE b.center = $c AND b.checked_in_at >= $t0 AND b.checked_in_at < $t1"
      " UNION ALL"
      " SELECT 'noshow', b.noshow_at, b.id, b.room_id, b.date, b.slots, b.channel,"
      "   coalesce(g.name, a.name, b.walkin_name, ''), b.fee_total, NULL, NULL, NULL, NULL,"
      "   NULL, NULL, 3"
      "  FROM bookings b LEFT JOIN accounts a ON a.id = b.account_id"
      "  LEFT JOIN groups g ON g.id = b.group_id"
      "  WHERE b.center = $c AND b.noshow_at >= $t0 AND b.noshow_at < $t1"
      " UNION ALL"
      " SELECT 'cancellation', b.cancelled_at, b.id, b.room_id, b.date, b.slots, b.channel,"
      "   coalesce(g.name, a.name, b.walkin_name, ''), b.fee_total, b.cancel_reason,"
      "   b.cancel_fee, coalesce(s.role IN ('staff', 'admin'), 0), NULL, NULL, NULL, 4"
      "  FROM bookings b LEFT JOIN accounts a ON a.id = b.account_id"
      "  LEFT JOIN groups g ON g.id = b.group_id"
      "  LEFT JOIN accounts s ON s.id = b.cancelled_by"
      "  WHERE b.center = $c AND b.cancelled_at >= $t0 AND b.cancelled_at < $t1"
      " UNION ALL"
      " SELECT p.kind, p.at, b.id, b.room_id, b.date, b.slots, b.channel,"
      "   coalesce(g.name, a.name, b.walkin_name, ''), b.fee_total, NULL, NULL, NULL,"
      "   p.method, p.amount, p.receipt, 5"
      "  FROM payments p JOIN bookings b ON b.id = p.booking_id"
      "  LEFT JOIN accounts a ON a.id = b.account_id"
      "  LEFT JOIN groups g ON g.id = b.group_id"
      "  WHERE p.center = $c AND p.ledger_date = $d"
      ") ORDER BY at, ord, id, receipt");
  if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
  db_bind_text(st, "$c", center);
  db_bind_text(st, "$d", v->date);
  db_bind_int(st, "$t0", clock_local(day, 0));
  db_bind_int(st, "$t1", clock_local(day + 1, 0));
  while ((rc = db_step(st)) == DB_ROW) {
    if (vec_grow((void **)&v->entries, v->nentries, &cap, sizeof *v->entries)) {
      db_reset(st);
      return kerr_set(ei, KERR_INTERNAL, NULL);
    }
    struct ledger_entry *e = &v->entries[v->nentries++];
    ledger_entry(ctx, st, e);
    if (e->kind < LEDGER_NKINDS) v->counts[e->kind]++;
  }
  db_reset(st);
  return rc == DB_DONE ? 0 : kerr_set(ei, kerr_from_db(rc), NULL);
}

/* The day's sums by method into V: payments, refunds and their net.
** RULE: the daily ledger's totals are the payments table's own sums. */
static int ledger_totals(struct kctx *ctx, const char *center, struct counter_ledger_view *v,
                         struct kerrinfo *ei) {
  int rc;
  kstmt *st = db_prep(ctx->db, "SELECT kind, method, sum(amount), count(*) FROM payments"
                               " WHERE center = $c AND ledger_date = $d GROUP BY kind, method");
  if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
  db_bind_text(st, "$c", center);
  db_bind_text(st, "$d", v->date);
  while ((rc = db_step(st)) == DB_ROW) {
    struct ledger_sums *s =
        payment_kind_parse(db_col_text(st, 0)) == PAYMENT_REFUND ? &v->refunds : &v->payments;
    int m = payment_method_index(db_col_text(st, 1));
    int64_t sum = db_col_int(st, 2);
    if (m >= 0) s->by_method[m] = sum, v->net.by_method[m] += sum;
    s->total += sum;
    s->count += db_col_int(st, 3);
  }
  db_reset(st);
  if (rc != DB_DONE) return kerr_set(ei, kerr_from_db(rc), NULL);
  v->net.total = v->payments.total + v->refunds.total;
  return 0;
}

int counter_ledger_view(struct kctx *ctx, const char *center, int32_t day,
                        struct counter_ledger_view *v, struct kerrinfo *ei) {
  int rc;
  memset(v, 0, sizeof *v);
  if (!desk_is_staff(ctx)) return desk_forbidden(ei);
  if ((rc = counter_resolve_center(ctx, center, &v->center, ei))) return rc;
  date_format(day, v->date);
  clock_format_instant(ctx->now, v->generated_at);
  char target[64];
  snprintf(target, sizeof target, "center:%s:%s", v->center->code, v->date);
  if ((rc = trail_view(ctx, "counter.ledger.view", target, NULL, 0)))
    return kerr_set(ei, rc, NULL);

  /* One read transaction, so the entries and the totals are the same snapshot. */
  if ((rc = db_begin_read(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  if (!(rc = ledger_entries(ctx, v->center->code, day, v, ei)))
    rc = ledger_totals(ctx, v->center->code, v, ei);
  db_rollback(ctx->db); /* ends the read transaction */
  return rc;
}

void counter_ledger_view_free(struct counter_ledger_view *v) {
  free(v->entries);
  v->entries = NULL;
  v->nentries = 0;
}

/* One entry as JSON (new reference; NULL when out of memory). */
static json_t *entry_json(const struct ledger_entry *e) {
  json_t *o = json_pack("{s:s, s:o, s:s, s:I, s:I, s:s, s:s, s:o, s:s, s:s, s:s}", "kind",
                        ledger_kind_name(e->kind), "at", clock_instant_json(e->at), "time",
                        e->time, "booking_id", (json_int_t)e->booking_id, "room_id",
                        (json_int_t)e->room_id, "room_name", e->room_name, "use_date",
                        e->use_date, "slots", counter_slots_array(e->slots), "slot_labels",
                        e->slot_labels, "channel", e->channel, "holder", e->holder);
  if (!o) return NULL;
  if (e->kind == LEDGER_BOOKING || e->kind == LEDGER_WALKIN)
    json_object_set_new(o, "fee_total", json_integer(e->fee_total));
  if (e->kind == LEDGER_CANCELLATION) {
    json_object_set_new(o, "reason", json_string(e->reason));
    json_object_set_new(o, "cancel_fee", json_integer(e->cancel_fee));
    json_object_set_new(o, "by_staff", json_boolean(e->by_staff));
  }
  if (e->has_payment) {
    json_object_set_new(o, "method", json_string(e->method));
    json_object_set_new(o, "method_label", json_string(payment_method_label(e->method)));
    json_object_set_new(o, "amount", json_integer(e->amount));
    json_object_set_new(o, "receipt", json_string(e->receipt));
  }
  return o;
}

/* S by method, then "total" and (COUNT) "count" (new reference). */
static json_t *sums_json(const struct ledger_sums *s, int count) {
  json_t *o = json_object();
  for (int k = 0; k < NMETHOD_CODES; k++)
    json_object_set_new(o, method_codes[k], json_integer(s->by_method[k]));
  json_object_set_new(o, "total", json_integer(s->total));
  if (count) json_object_set_new(o, "count", json_integer(s->count));
  return o;
}

json_t *counter_ledger_json(const struct counter_ledger_view *v) {
  json_t *entries = json_array();
  for (int i = 0; entries && i < v->nentries; i++) {
    json_t *e = entry_json(&v->entries[i]);
    if (!e) {
      json_decref(entries);
      return NULL;
    }
    json_array_append_new(entries, e);
  }
  const int *c = v->counts;
  return json_pack("{s:{s:s, s:s}, s:s, s:s, s:o, s:{s:o, s:o, s:o, s:{s:i, s:i, s:i, s:i, s:i,"
                   " s:i, s:i}}}",
                   "center", "code", v->center->code, "name", v->center->name, "date", v->date,
                   "generated_at", v->generated_at, "entries", entries, "totals", "payments",
                   sums_json(&v->payments, 1), "refunds", sums_json(&v->refunds, 1), "net",
                   sums_json(&v->net, 0), "counts", "bookings", c[LEDGER_BOOKING], "walkins",
                   c[LEDGER_WALKIN], "checkins", c[LEDGER_CHECKIN], "noshows", c[LEDGER_NOSHOW],
                   "cancellations", c[LEDGER_CANCELLATION], "payments", c[LEDGER_PAYMENT],
                   "refunds", c[LEDGER_REFUND]);
}

int counter_ledger(struct kctx *ctx, const char *center, int32_t day, json_t **out,
                   struct kerrinfo *ei) {
  struct counter_ledger_view v;
  *out = NULL;
  int rc = counter_ledger_view(ctx, center, day, &v, ei);
  if (!rc && !(*out = counter_ledger_json(&v))) rc = kerr_set(ei, KERR_INTERNAL, NULL);
  counter_ledger_view_free(&v);
  return rc;
}

/* ------------------------------------------------------ ledger as CSV */

/* One field: quoted when it holds a comma, quote or line break (RFC 4180).
** Text typed by people (names, reasons) that starts like a formula (= + - @)
** gets a ' in front, so a spreadsheet shows it instead of running it. */
static void field(struct csvbuf *b, const char *s, int text, int last) {
  csv_field_as(b, s, text ? CSV_DEFUSE : 0);
  if (last) csv_end_row(b);
}

static void num(struct csvbuf *b, int64_t v, int last) {
  char s[32];
  snprintf(s, sizeof s, "%lld", (long long)v);
  field(b, s, 0, last);
}

static const char *const csv_kind_labels[LEDGER_NKINDS] = {
    [LEDGER_BOOKING] = "予約",  [LEDGER_WALKIN] = "当日利用",       [LEDGER_CHECKIN] = "入館受付",
    [LEDGER_NOSHOW] = "来館なし", [LEDGER_CANCELLATION] = "取消", [LEDGER_PAYMENT] = "入金",
    [LEDGER_REFUND] = "返金"};

static const char *channel_label(const char *c) {
  if (!c) return "";
  if (!strcmp(c, "online")) return "インターネット";
  if (!strcmp(c, "counter")) return "窓口";
  if (!strcmp(c, "form")) return "申請フォーム";
  return c;
}

/* One entry of the ledger as a CSV row. */
static void entry_row(struct csvbuf *b, const struct counter_ledger_view *l,
                      const struct ledger_entry *e) {
  char id[24], note[1200] = "";
  snprintf(id, sizeof id, "%lld", (long long)e->booking_id);
  if (e->kind == LEDGER_BOOKING || e->kind == LEDGER_WALKIN)
    snprintf(note, sizeof note, "料金 %lld円", (long long)e->fee_total);
  if (e->kind == LEDGER_CANCELLATION)
    snprintf(note, sizeof note, "%s%s（取消料 %lld円）", e->by_staff ? "職員による取消: " : "",
             e->reason, (long long)e->cancel_fee);
  field(b, l->date, 0, 0);
  field(b, l->center->name, 0, 0);
  field(b, e->time, 0, 0);
  field(b, e->kind < LEDGER_NKINDS ? csv_kind_labels[e->kind] : "", 0, 0);
  field(b, id, 0, 0);
  field(b, e->room_name, 1, 0);
  field(b, e->use_date, 0, 0);
  field(b, e->slot_labels, 0, 0);
  field(b, channel_label(e->channel), 0, 0);
  field(b, e->holder, 1, 0);
  field(b, e->has_payment ? payment_method_label(e->method) : "", 0, 0);
  if (e->has_payment) num(b, e->amount, 0);
  else field(b, "", 0, 0);
  field(b, e->receipt, 0, 0);
  field(b, note, 1, 1);
}

char *counter_ledger_csv(const struct counter_ledger_view *l, size_t *len) {
  struct csvbuf b = {0};
  static const char header[] =
      "\xEF\xBB\xBF"
      "日付,公民館,時刻,種別,予約番号,部屋,利用日,時間帯,経路,利用者,支払方法,金額,受付番号,備考\r\n";
  csv_raw(&b, header, sizeof header - 1);
  for (int i = 0; i < l->nentries; i++) entry_row(&b, l, &l->entries[i]);
  /* the totals: by method, payments, refunds and the net of the day */
  const struct ledger_sums *sums[3] = {&l->payments, &l->refunds, &l->net};
  static const char *const parts[3] = {"入金合計", "返金合計", "差引合計"};
  for (int p = 0; p < 3; p++) {
    for (int k = 0; k <= NMETHOD_CODES; k++) {
      field(&b, l->date, 0, 0);
      field(&b, l->center->name, 0, 0);
      for (int f = 0; f < 8; f++) field(&b, f == 1 ? parts[p] : "", 0, 0);
      field(&b, k < NMETHOD_CODES ? payment_method_label(method_codes[k]) : "計", 0, 0);
      num(&b, k < NMETHOD_CODES ? sums[p]->by_method[k] : sums[p]->total, 0);
      field(&b, "", 0, 0);
      field(&b, "", 0, 1);
    }
  }
  if (b.oom) {
    csv_free(&b);
    return NULL;
  }
  *len = b.n;
  return b.p;
}
