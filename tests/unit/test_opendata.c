/*
** Unit tests for core/opendata.c: the 公共施設一覧 file (BOM, CRLF, the
** published columns, Maebashi's code, kana, address parts, hours), the
** availability file (states from bookings, lapsed holds free, closed days,
** range validation) and the state iterator the month view uses.
*/
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../../backend/core/bookable.h"
#include "../../backend/core/clock.h"
#include "../../backend/core/facilities.h"
#include "../../backend/core/opendata.h"

static struct rulebook *rb;
static kdb *db;
static struct kctx ctx;

static void setup(void) {
  json_t *problems = NULL;
  char err[256];
  rb = rules_load("ordinances/maebashi", &problems);
  cr_assert_not_null(rb, "rule book: %s", problems ? json_dumps(problems, 0) : "?");
  db = db_open(":memory:", err, sizeof err);
  cr_assert_not_null(db, "%s", err);
  cr_assert_eq(facilities_sync(db, rb), 0);
  ctx.db = db;
  ctx.rb = rb;
  cr_assert_eq(clock_parse_instant("2026-04-08T10:00:00+09:00", &ctx.now), 0);
}

static void teardown(void) {
  db_close(db);
  rules_free(rb);
}

TestSuite(opendata, .init = setup, .fini = teardown);

static void exec(const char *sql) { cr_assert_eq(db_exec(db, sql), DB_OK, "%s: %s", sql, db_errmsg(db)); }

/* Line N (0-based) of CSV (CRLF-separated), copied into OUT. */
static int line(const char *csv, int n, char *out, size_t cap) {
  const char *p = csv;
  for (int i = 0; i < n; i++) {
    p = strstr(p, "\r\n");
    if (!p) return -1;
    p += 2;
  }
  const char *e = strstr(p, "\r\n");
  if (!e) return -1;
  snprintf(out, cap, "%.*s", (int)(e - p), p);
  return 0;
}

static int count_fields(const char *l) {
  int n = 1, q = 0;
  for (; *l; l++) {
    if (*l == '"') q = !q;
    else if (*l == ',' && !q) n++;
  }
  return n;
}

static const struct room *room_by_code(const char *center, const char *code) {
  const struct center *ce = rules_center(rb, center);
  for (int i = 0; ce && i < ce->nrooms; i++)
    if (!strcmp(ce->rooms[i].code, code)) return &ce->rooms[i];
  return NULL;
}

Test(opendata, facilities_csv_has_bom_crlf_the_published_columns_and_maebashi_code) {
  size_t len;
  char *csv = opendata_facilities_csv(rb, clock_today(ctx.now), &len);
  cr_assert_not_null(csv);
  cr_assert_eq(memcmp(csv, "\xEF\xBB\xBF", 3), 0, "UTF-8 BOM first");
  cr_assert_eq(strlen(csv), len);
  /* every line ends in CRLF: no bare LF */
  for (size_t i = 0; i < len; i++)
    if (csv[i] == '\n') cr_assert(i > 0 && csv[i - 1] == '\r', "bare LF at %zu", i);
  char l[8192];
  cr_assert_eq(line(csv + 3, 0, l, sizeof l), 0);
  cr_assert(strstr(l, "\"全国地方公共団体コード\",\"ID\",\"地方公共団体名\",\"名称\",\"名称_カナ\"") == l,
            "%s", l);
  cr_assert_eq(count_fields(l), 56, "56 columns in the header");
  cr_assert(strstr(l, "\"緯度\",\"経度\""));
  cr_assert(strstr(l, "\"利用可能曜日\",\"開始時間\",\"終了時間\""));
  const char *last = ",\"備考\"";
  cr_assert_str_eq(l + strlen(l) - strlen(last), last, "備考 is the last column");
  /* one row per centre, each with 56 fields */
  int rows = 0;
  for (int i = 1; line(csv + 3, i, l, sizeof l) == 0; i++, rows++)
    cr_assert_eq(count_fields(l), 56, "row %d: %s", i, l);
  cr_assert_eq(rows, rb->ncenters);
  cr_assert_eq(line(csv + 3, 1, l, sizeof l), 0);
  cr_assert(!strncmp(l, "\"102016\",\"chuo\",\"群馬県前橋市\",\"中央公民館\",\"マエバシシチュウオウコウミンカン\"",
                     strlen("\"102016\",\"chuo\",\"群馬県前橋市\",\"中央公民館\",\"マエバシシチュウオウコウミンカン\"")),
            "%s", l);
  /* address split, degrees, hours hh:mm from the slots, closed days from the rule book */
  cr_assert(strstr(l, "\"群馬県\",\"前橋市\",\"本町二丁目\",\"12-1\",\"前橋プラザ元気21\",\"36.3893\",\"139.0667\""), "%s", l);
  cr_assert(strstr(l, "\"月,火,水,木,金,土,日\",\"09:00\",\"22:00\""), "%s", l);
  cr_assert(strstr(l, "第1・第3月曜日"), "%s", l);
  /* 郵便番号 (column 28) from the centre's postcode, then an empty 法人番号 */
  cr_assert(strstr(l, ",\"371-0023\",\"\","), "%s", l);
  free(csv);
}

Test(opendata, facilities_csv_quotes_embedded_quotes) {
  /* a centre name with a quote and a comma must stay one field */
  struct center *ce = (struct center *)rules_center(rb, "chuo");
  snprintf(ce->name, sizeof ce->name, "中央\"公民館\",本館");
  size_t len;
  char *csv = opendata_facilities_csv(rb, clock_today(ctx.now), &len);
  char l[8192];
  cr_assert_eq(line(csv + 3, 1, l, sizeof l), 0);
  cr_assert(strstr(l, "\"中央\"\"公民館\"\",本館\""), "%s", l);
  cr_assert_eq(count_fields(l), 56);
  free(csv);
}

static void book(int64_t id, int64_t room, const char *date, const char *slot, int64_t exp) {
  kstmt *st = db_prep(db,
                      "INSERT INTO bookings(id, account_id, room_id, center, date, slots, status,"
                      " channel, fee_base, fee_total, rules_version, created_at)"
                      " VALUES ($id, 123456782, $room, 'chuo', $date, $slot, 'held', 'online',"
                      " 0, 0, '2026-04-01', 0)");
  db_bind_int(st, "$id", id);
  db_bind_int(st, "$room", room);
  db_bind_text(st, "$date", date);
  db_bind_text(st, "$slot", slot);
  cr_assert_eq(db_exec_stmt(st), DB_OK, "%s", db_errmsg(db));
  st = db_prep(db,
               "INSERT INTO booking_slots(booking_id, room_id, date, slot, hold_expires_at)"
               " VALUES ($id, $room, $date, $slot, $exp)");
  db_bind_int(st, "$id", id);
  db_bind_int(st, "$room", room);
  db_bind_text(st, "$date", date);
  db_bind_text(st, "$slot", slot);
  if (exp >= 0) db_bind_int(st, "$exp", exp);
  else db_bind_null(st, "$exp");
  cr_assert_eq(db_exec_stmt(st), DB_OK, "%s", db_errmsg(db));
}

struct seen {
  int n;
  char states[64][12];
  int32_t days[64];
};

static int collect(void *arg, const struct od_state *st) {
  struct seen *s = arg;
  if (s->n < 64) {
    snprintf(s->states[s->n], sizeof s->states[0], "%s", avail_state_name(st->state));
    s->days[s->n] = st->day;
  }
  s->n++;
  return 0;
}

Test(opendata, states_follow_bookings_lapsed_holds_are_free_and_closed_days_close) {
  exec("INSERT INTO accounts(id, role, name, password_hash, created_at)"
       " VALUES (123456782, 'citizen', 'x', 'x', 0)");
  const struct room *ro = room_by_code("chuo", "r503");
  cr_assert_not_null(ro);
  book(1, ro->id, "2026-04-08", "morning", -1);                 /* confirmed */
  book(2, ro->id, "2026-04-08", "evening", ctx.now + 3600);     /* a live hold */
  book(3, ro->id, "2026-04-09", "morning", ctx.now - 1);        /* a lapsed hold */
  int32_t d0;
  date_parse("2026-04-06", &d0);                                /* 1st Monday: closed */
  struct seen s = {0};
  cr_assert_eq(opendata_each_state(&ctx, d0, d0 + 3, NULL, ro, collect, &s), 0);
  cr_assert_eq(s.n, 4 * 3, "4 days x 3 slots of one room");
  for (int i = 0; i < 3; i++) cr_assert_str_eq(s.states[i], "closed");           /* 04-06 */
  /* 04-07 is yesterday: no longer bookable, so never "free" (core/bookable.c) */
  for (int i = 3; i < 6; i++) cr_assert_str_eq(s.states[i], "closed");           /* 04-07 */
  cr_assert_str_eq(s.states[6], "booked");                                         /* 04-08 */
  cr_assert_str_eq(s.states[7], "free");
  cr_assert_str_eq(s.states[8], "held");
  cr_assert_str_eq(s.states[9], "free", "a lapsed hold frees its slot");         /* 04-09 */

  char *csv;
  size_t len;
  struct kerrinfo ei = {0};
  cr_assert_eq(opendata_availability_csv(&ctx, "2026-04-08", "2026-04-08", "chuo", &csv, &len, &ei), 0);
  cr_assert_eq(memcmp(csv, "\xEF\xBB\xBF", 3), 0);
  char l[2048];
  cr_assert_eq(line(csv + 3, 0, l, sizeof l), 0);
  cr_assert_str_eq(l, "\"全国地方公共団体コード\",\"ID\",\"名称\",\"部屋ID\",\"部屋名称\",\"部屋種別\","
                      "\"日付\",\"時間帯\",\"開始時間\",\"終了時間\",\"状態\",\"状態コード\"");
  char want[512];
  snprintf(want, sizeof want, "\"102016\",\"chuo\",\"中央公民館\",\"%lld\",\"503学習室\",\"学習室\","
                              "\"2026-04-08\",\"午前\",\"09:00\",\"12:00\",\"予約済\",\"booked\"",
           (long long)ro->id);
  cr_assert(strstr(csv, want), "%s", want);
  cr_assert_null(strstr(csv, "123456782"), "no account in open data");
  free(csv);
}

Test(opendata, availability_range_is_validated) {
  char *csv;
  size_t len;
  struct kerrinfo ei = {0};
  cr_assert_eq(opendata_availability_csv(&ctx, NULL, "2026-04-08", NULL, &csv, &len, &ei), KERR_VALIDATION);
  cr_assert_not_null(json_object_get(ei.fields, "from"));
  kerr_clear(&ei);
  cr_assert_eq(opendata_availability_csv(&ctx, "2026-02-30", "2026-04-08", NULL, &csv, &len, &ei), KERR_VALIDATION);
  kerr_clear(&ei);
  cr_assert_eq(opendata_availability_csv(&ctx, "2026-04-09", "2026-04-08", NULL, &csv, &len, &ei), KERR_VALIDATION);
  cr_assert_not_null(json_object_get(ei.fields, "to"));
  kerr_clear(&ei);
  /* 92 days is the most: 2026-04-01..2026-07-01 is 92 days, one more is refused */
  cr_assert_eq(opendata_availability_csv(&ctx, "2026-04-01", "2026-07-02", NULL, &csv, &len, &ei), KERR_VALIDATION);
  kerr_clear(&ei);
  cr_assert_eq(opendata_availability_csv(&ctx, "2026-04-01", "2026-07-01", "chuo", &csv, &len, &ei), 0);
  free(csv);
  cr_assert_eq(opendata_availability_csv(&ctx, "2026-04-01", "2026-04-01", "nowhere", &csv, &len, &ei), KERR_NOT_FOUND);
  kerr_clear(&ei);
}

Test(opendata, state_labels_are_plain_japanese) {
  cr_assert_str_eq(opendata_state_label(AVAIL_FREE), "空き");
  cr_assert_str_eq(opendata_state_label(AVAIL_HELD), "仮予約");
  cr_assert_str_eq(opendata_state_label(AVAIL_BOOKED), "予約済");
  cr_assert_str_eq(opendata_state_label(AVAIL_CLOSED), "休館");
}

/* A slot that is simply over is 受付終了, never 休館 (a closed day's word); its
** machine state stays "closed" (CONTRACT.md). */
Test(opendata, a_slot_over_is_not_a_closed_day) {
  cr_assert_str_eq(opendata_slot_label(AVAIL_CLOSED, BK_OVER), "受付終了");
  cr_assert_str_eq(opendata_slot_label(AVAIL_CLOSED, BK_NO_RULES), "受付なし");
  cr_assert_str_eq(opendata_slot_label(AVAIL_CLOSED, BK_CLOSED), "休館");
  cr_assert_str_eq(opendata_slot_label(AVAIL_CLOSED, -1), "休館");   /* the centre is closed */
  cr_assert_str_eq(opendata_slot_label(AVAIL_FREE, BK_NOT_YET), "空き");
  cr_assert_str_eq(opendata_slot_label(AVAIL_BOOKED, -1), "予約済");
}
