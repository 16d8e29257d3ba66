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

/* The kinds of entry, in the order of the ledger's counts. */
static const char *const entry_kinds[] = {"booking", "walkin",  "checkin", "noshow",
                                          "cancellation", "payment", "refund"};
#define NENTRY_KINDS 7

/* One row of the ledger's query (below) as an entry; NULL when out of memory. */
static json_t *ledger_entry(struct kctx *ctx, kstmt *st) {
  const char *kind = db_col_text(st, 0);
  int64_t at = db_col_int(st, 1);
  char t[8], labels[128], use_date[11];
  const struct room *ro = rules_room_by_id(ctx->rb, db_col_int(st, 3));
  snprintf(use_date, sizeof use_date, "%s", db_col_text(st, 4));
  int32_t uday = 0;
  date_parse(use_date, &uday);
  slot_labels(rules_in_force(ctx->rb, uday), db_col_text(st, 5), labels, sizeof labels);
  clock_hhmm(clock_minute_of_day(at), t);
  json_t *e = json_pack("{s:s, s:o, s:s, s:I, s:I, s:s, s:s, s:o, s:s, s:s, s:s}", "kind",
                        kind, "at", clock_instant_json(at), "time", t, "booking_id",
                        (json_int_t)db_col_int(st, 2), "room_id",
                        (json_int_t)db_col_int(st, 3), "room_name", ro ? ro->name : "",
                        "use_date", use_date, "slots", counter_slots_array(db_col_text(st, 5)),
                        "slot_labels", labels, "channel", db_col_text(st, 6), "holder",
                        db_col_text(st, 7));
  if (!e) return NULL;
  if (!strcmp(kind, "booking") || !strcmp(kind, "walkin"))
    json_object_set_new(e, "fee_total", json_integer(db_col_int(st, 8)));
  if (!strcmp(kind, "cancellation")) {
    json_object_set_new(e, "reason", json_string(db_col_text(st, 9)));
    json_object_set_new(e, "cancel_fee", json_integer(db_col_null(st, 10) ? 0 : db_col_int(st, 10)));
    json_object_set_new(e, "by_staff", json_boolean(db_col_int(st, 11)));
  }
  if (!db_col_null(st, 12)) {
    const char *m = db_col_text(st, 12);
    json_object_set_new(e, "method", json_string(m));
    json_object_set_new(e, "method_label", json_string(payment_method_label(m)));
    json_object_set_new(e, "amount", json_integer(db_col_int(st, 13)));
    json_object_set_new(e, "receipt", json_string(db_col_text(st, 14)));
  }
  return e;
}

/* Everything that happened at centre CENTER on DAY (DATE), in time order,
** into *OUT (a new array, NULL on error), and how many entries of each kind
** into COUNTS (entry_kinds' order). Inside the caller's read transaction. */
static int ledger_entries(struct kctx *ctx, const char *center, int32_t day, const char *date,
                          int counts[NENTRY_KINDS], json_t **out, struct kerrinfo *ei) {
  int rc;
  *out = NULL;
  kstmt *st = db_prep(
      ctx->db,
      "SELECT kind, at, id, room_id, date, slots, channel, holder, fee_total,"
      "  reason, cancel_fee, by_staff, method, amount, receipt, ord FROM ("
      " SELECT CASE WHEN b.account_id IS NULL AND b.channel = 'counter' THEN 'walkin'"
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
  db_bind_text(st, "$d", date);
  db_bind_int(st, "$t0", clock_local(day, 0));
  db_bind_int(st, "$t1", clock_local(day + 1, 0));
  json_t *entries = json_array();
  while ((rc = db_step(st)) == DB_ROW) {
    const char *kind = db_col_text(st, 0);
    for (int k = 0; k < NENTRY_KINDS; k++)
      if (!strcmp(kind, entry_kinds[k])) counts[k]++;
    json_t *e = ledger_entry(ctx, st);
    if (!e) {
      db_reset(st);
      json_decref(entries);
      return kerr_set(ei, KERR_INTERNAL, NULL);
    }
    json_array_append_new(entries, e);
  }
  db_reset(st);
  if (rc != DB_DONE) {
    json_decref(entries);
    return kerr_set(ei, kerr_from_db(rc), NULL);
  }
  *out = entries;
  return 0;
}

/* The day's sums by method into SUMS: payments, refunds and their net (three
** new objects, each with "total"; payments and refunds also with "count").
** RULE: the daily ledger's totals are the payments table's own sums. */
static int ledger_totals(struct kctx *ctx, const char *center, const char *date, json_t *sums[3],
                         struct kerrinfo *ei) {
  int rc;
  json_t *pay = json_object(), *ref = json_object(), *net = json_object();
  int64_t ptot = 0, rtot = 0, pcount = 0, rcount = 0;
  for (int k = 0; k < NMETHOD_CODES; k++) {
    json_object_set_new(pay, method_codes[k], json_integer(0));
    json_object_set_new(ref, method_codes[k], json_integer(0));
    json_object_set_new(net, method_codes[k], json_integer(0));
  }
  kstmt *st = db_prep(ctx->db, "SELECT kind, method, sum(amount), count(*) FROM payments"
                               " WHERE center = $c AND ledger_date = $d GROUP BY kind, method");
  if (!st) {
    json_decref(pay), json_decref(ref), json_decref(net);
    return kerr_set(ei, KERR_INTERNAL, NULL);
  }
  db_bind_text(st, "$c", center);
  db_bind_text(st, "$d", date);
  while ((rc = db_step(st)) == DB_ROW) {
    int refund = !strcmp(db_col_text(st, 0), "refund");
    const char *m = db_col_text(st, 1);
    int64_t sum = db_col_int(st, 2), cnt = db_col_int(st, 3);
    json_object_set_new(refund ? ref : pay, m, json_integer(sum));
    json_object_set_new(net, m, json_integer(json_integer_value(json_object_get(net, m)) + sum));
    if (refund) rtot += sum, rcount += cnt;
    else ptot += sum, pcount += cnt;
  }
  db_reset(st);
  if (rc != DB_DONE) {
    json_decref(pay), json_decref(ref), json_decref(net);
    return kerr_set(ei, kerr_from_db(rc), NULL);
  }
  json_object_set_new(pay, "total", json_integer(ptot));
  json_object_set_new(pay, "count", json_integer(pcount));
  json_object_set_new(ref, "total", json_integer(rtot));
  json_object_set_new(ref, "count", json_integer(rcount));
  json_object_set_new(net, "total", json_integer(ptot + rtot));
  sums[0] = pay, sums[1] = ref, sums[2] = net;
  return 0;
}

int counter_ledger(struct kctx *ctx, const char *center, int32_t day, json_t **out,
                   struct kerrinfo *ei) {
  const struct center *ce = NULL;
  char date[11], gen[26];
  int rc, counts[NENTRY_KINDS] = {0};
  json_t *entries = NULL, *sums[3] = {NULL, NULL, NULL};
  *out = NULL;
  if (!desk_is_staff(ctx)) return desk_forbidden(ei);
  if ((rc = counter_resolve_center(ctx, center, &ce, ei))) return rc;
  date_format(day, date);
  clock_format_instant(ctx->now, gen);
  char target[64];
  snprintf(target, sizeof target, "center:%s:%s", ce->code, date);
  if ((rc = trail_view(ctx, "counter.ledger.view", target, NULL, 0)))
    return kerr_set(ei, rc, NULL);

  /* One read transaction, so the entries and the totals are the same snapshot. */
  if ((rc = db_begin_read(ctx->db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  if ((rc = ledger_entries(ctx, ce->code, day, date, counts, &entries, ei)) ||
      (rc = ledger_totals(ctx, ce->code, date, sums, ei)))
    goto done;
  json_t *cnts = json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "bookings", counts[0],
                           "walkins", counts[1], "checkins", counts[2], "noshows", counts[3],
                           "cancellations", counts[4], "payments", counts[5], "refunds",
                           counts[6]);
  *out = json_pack("{s:{s:s, s:s}, s:s, s:s, s:o, s:{s:o, s:o, s:o, s:o}}", "center", "code",
                   ce->code, "name", ce->name, "date", date, "generated_at", gen, "entries",
                   entries, "totals", "payments", sums[0], "refunds", sums[1], "net", sums[2],
                   "counts", cnts);
  entries = NULL;
  rc = *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
done:
  db_rollback(ctx->db); /* ends the read transaction */
  json_decref(entries);
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

static void num(struct csvbuf *b, json_t *v, int last) {
  char s[32] = "";
  if (json_is_integer(v)) snprintf(s, sizeof s, "%lld", (long long)json_integer_value(v));
  field(b, s, 0, last);
}

static const char *kind_label(const char *k) {
  static const char *const map[][2] = {
      {"booking", "予約"},          {"walkin", "当日利用"}, {"checkin", "入館受付"},
      {"noshow", "不来場"},         {"cancellation", "取消"}, {"payment", "入金"},
      {"refund", "返金"}};
  for (size_t i = 0; k && i < sizeof map / sizeof map[0]; i++)
    if (!strcmp(map[i][0], k)) return map[i][1];
  return k ? k : "";
}

static const char *channel_label(const char *c) {
  if (!c) return "";
  if (!strcmp(c, "online")) return "インターネット";
  if (!strcmp(c, "counter")) return "窓口";
  if (!strcmp(c, "form")) return "申請フォーム";
  return c;
}

char *counter_ledger_csv(const json_t *ledger, size_t *len) {
  struct csvbuf b = {0};
  size_t i;
  json_t *e;
  const char *date = json_string_value(json_object_get(ledger, "date"));
  const char *cname = json_string_value(json_object_get(json_object_get(ledger, "center"), "name"));
  static const char header[] =
      "\xEF\xBB\xBF"
      "日付,公民館,時刻,種別,予約番号,部屋,利用日,時間帯,経路,利用者,支払方法,金額,受付番号,備考\r\n";
  csv_raw(&b, header, sizeof header - 1);
  json_array_foreach(json_object_get(ledger, "entries"), i, e) {
    char id[24], note[1200] = "";
    const char *kind = json_string_value(json_object_get(e, "kind"));
    snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(e, "booking_id")));
    if (kind && (!strcmp(kind, "booking") || !strcmp(kind, "walkin")))
      snprintf(note, sizeof note, "料金 %lld円",
               (long long)json_integer_value(json_object_get(e, "fee_total")));
    if (kind && !strcmp(kind, "cancellation"))
      snprintf(note, sizeof note, "%s%s（取消料 %lld円）",
               json_is_true(json_object_get(e, "by_staff")) ? "職員による取消: " : "",
               json_string_value(json_object_get(e, "reason")),
               (long long)json_integer_value(json_object_get(e, "cancel_fee")));
    field(&b, date, 0, 0);
    field(&b, cname, 0, 0);
    field(&b, json_string_value(json_object_get(e, "time")), 0, 0);
    field(&b, kind_label(kind), 0, 0);
    field(&b, id, 0, 0);
    field(&b, json_string_value(json_object_get(e, "room_name")), 1, 0);
    field(&b, json_string_value(json_object_get(e, "use_date")), 0, 0);
    field(&b, json_string_value(json_object_get(e, "slot_labels")), 0, 0);
    field(&b, channel_label(json_string_value(json_object_get(e, "channel"))), 0, 0);
    field(&b, json_string_value(json_object_get(e, "holder")), 1, 0);
    field(&b, json_string_value(json_object_get(e, "method_label")), 0, 0);
    num(&b, json_object_get(e, "amount"), 0);
    field(&b, json_string_value(json_object_get(e, "receipt")), 0, 0);
    field(&b, note, 1, 1);
  }
  /* the totals: by method, payments, refunds and the net of the day */
  json_t *totals = json_object_get(ledger, "totals");
  static const char *const parts[3][2] = {
      {"payments", "入金合計"}, {"refunds", "返金合計"}, {"net", "差引合計"}};
  for (int p = 0; p < 3; p++) {
    json_t *t = json_object_get(totals, parts[p][0]);
    for (int k = 0; k <= NMETHOD_CODES; k++) {
      const char *m = k < NMETHOD_CODES ? method_codes[k] : "total";
      field(&b, date, 0, 0);
      field(&b, cname, 0, 0);
      for (int f = 0; f < 8; f++) field(&b, f == 1 ? parts[p][1] : "", 0, 0);
      field(&b, k < NMETHOD_CODES ? payment_method_label(m) : "計", 0, 0);
      num(&b, json_object_get(t, m), 0);
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
