/*
** tests/unit/test_import.c: bringing in the old system's records
** (core/import.c): encodings, CSV, the header, all or nothing, dry runs, the
** same file twice, the rules for imported bookings, first sign-in codes.
** The command itself (and a CP932 file from tests/data): tests/api/import.test.mjs.
*/
#include "fixture.h"

#include <stdlib.h>

#include "../../backend/core/import.h"
#include "../../backend/core/lifecycle.h"

static void setup(void) {
  fixture_setup();
  ctx.channel = "cli";
  memset(&ctx.actor, 0, sizeof ctx.actor);
}

TestSuite(import, .init = setup, .fini = fixture_teardown);

static int run(enum import_kind kind, const char *csv, int dry, struct import_result *res) {
  return import_run(&ctx, kind, "f.csv", csv, strlen(csv), dry, res);
}

/* Problem I of RES (asserted to exist). */
static const char *prob(const struct import_result *res, size_t i) {
  cr_assert_gt(json_array_size(res->problems), i, "fewer problems than expected");
  return json_string_value(json_array_get(res->problems, i));
}

static const char *ACCOUNTS =
    "external_id,name,name_kana,email,phone,resident\r\n"
    "OLD-1,前橋 花子,マエバシ ハナコ,hanako@example.jp,027-111-2222,1\r\n"
    "OLD-2,\"赤城, 太郎\",あかぎ たろう,,090-1234-5678,はい\r\n";

Test(import, decodes_utf8_with_and_without_bom_and_cp932) {
  size_t n = 0;
  int bad = 0;
  char *s = import_decode("\xef\xbb\xbf" "a,b", 6, &n, &bad);
  cr_assert_str_eq(s, "a,b");
  free(s);
  s = import_decode("前橋", strlen("前橋"), &n, &bad);
  cr_assert_str_eq(s, "前橋");
  free(s);
  /* 前橋 in Shift_JIS (CP932) and a half-width katakana ｱ */
  s = import_decode("\x91\x4f\x8b\xb4\xb1", 5, &n, &bad);
  cr_assert(s);
  cr_assert_str_eq(s, "前橋ｱ");
  free(s);
  s = import_decode("ok\n\xff\xff\n", 6, &n, &bad);
  cr_assert_null(s);
  cr_assert_eq(bad, 2);
}

Test(import, accounts_get_ids_and_codes_and_twice_changes_nothing) {
  struct import_result res;
  cr_assert_eq(run(IMPORT_ACCOUNTS, ACCOUNTS, 0, &res), 0, "%s", prob(&res, 0));
  cr_assert_eq(res.added, 2);
  cr_assert_eq(json_array_size(res.codes), 2);
  json_t *c = json_array_get(res.codes, 1);
  cr_assert_str_eq(json_string_value(json_object_get(c, "name")), "赤城, 太郎");
  cr_assert_str_eq(json_string_value(json_object_get(c, "external_id")), "OLD-2");
  char code[32], sid[16];
  snprintf(code, sizeof code, "%s", json_string_value(json_object_get(c, "code")));
  snprintf(sid, sizeof sid, "%s", json_string_value(json_object_get(c, "system_id")));
  import_result_clear(&res);
  cr_assert_eq(count("SELECT count(*) FROM accounts WHERE role = 'citizen' AND resident = 1"), 2);
  cr_assert_eq(count("SELECT count(*) FROM import_refs WHERE kind = 'account'"), 2);

  cr_assert_eq(run(IMPORT_ACCOUNTS, ACCOUNTS, 0, &res), 0);
  cr_assert_eq(res.added, 0);
  cr_assert_eq(res.skipped, 2);
  cr_assert_eq(json_array_size(res.codes), 0);
  import_result_clear(&res);
  cr_assert_eq(count("SELECT count(*) FROM accounts"), 2);

  /* the code is the first sign-in: it sets a password, once */
  json_t *in = json_pack("{s:s, s:s, s:s}", "system_id", sid, "code", code, "password",
                         "a-first-password-77");
  json_t *out = NULL;
  struct kerrinfo ei = {0};
  cr_assert_eq(lifecycle_reset_confirm(&ctx, in, "127.0.0.1", &out, &ei), 0, "%s", ei.message);
  json_decref(out);
  cr_assert_eq(lifecycle_reset_confirm(&ctx, in, "127.0.0.1", &out, &ei), KERR_NOT_FOUND);
  kerr_clear(&ei);
  json_decref(in);
}

Test(import, any_bad_row_refuses_the_whole_file_with_every_problem) {
  struct import_result res;
  const char *csv = "external_id,name,email\n"
                    "A1,良い 人,good@example.jp\n"
                    "A2,,bad-address\n"
                    "\n"
                    ",名無し,\n"
                    "A1,二度目,\n";
  cr_assert_eq(run(IMPORT_ACCOUNTS, csv, 0, &res), 1);
  cr_assert_eq(json_array_size(res.problems), 4);
  cr_assert(strstr(prob(&res, 0), "f.csv:3: name: "), "%s", prob(&res, 0));
  cr_assert(strstr(prob(&res, 1), "f.csv:3: email: "), "%s", prob(&res, 1));
  cr_assert(strstr(prob(&res, 2), "f.csv:5: external_id: "), "%s", prob(&res, 2));
  cr_assert(strstr(prob(&res, 3), "f.csv:6: external_id: 同じID「A1」が2行目"), "%s", prob(&res, 3));
  cr_assert_eq(json_array_size(res.codes), 0);
  import_result_clear(&res);
  cr_assert_eq(count("SELECT count(*) FROM accounts"), 0);
  cr_assert_eq(count("SELECT count(*) FROM import_refs"), 0);
}

Test(import, the_header_is_checked_and_japanese_headers_work) {
  struct import_result res;
  cr_assert_eq(run(IMPORT_ACCOUNTS, "external_id,氏名,age\n1,x,3\n", 0, &res), 1);
  cr_assert_str_eq(prob(&res, 0), "f.csv:1: age: この列は知りません（docs/import.md の列名を使ってください）");
  import_result_clear(&res);
  cr_assert_eq(run(IMPORT_ACCOUNTS, "name\nx\n", 0, &res), 1);
  cr_assert_str_eq(prob(&res, 0), "f.csv:1: external_id: この列がありません（必須の列です）");
  import_result_clear(&res);
  cr_assert_eq(run(IMPORT_ACCOUNTS, "旧システムID,氏名\n1,x\n", 0, &res), 0);
  import_result_clear(&res);
  cr_assert_eq(run(IMPORT_ACCOUNTS, "external_id,name\n\"2,x\n", 0, &res), 1);
  cr_assert(strstr(prob(&res, 0), "f.csv:2: -: 引用符"), "%s", prob(&res, 0));
  import_result_clear(&res);
}

Test(import, a_dry_run_reports_and_writes_nothing) {
  struct import_result res;
  cr_assert_eq(run(IMPORT_ACCOUNTS, ACCOUNTS, 1, &res), 0);
  cr_assert_eq(res.added, 2);
  cr_assert_eq(json_array_size(res.codes), 0);
  import_result_clear(&res);
  cr_assert_eq(count("SELECT count(*) FROM accounts"), 0);
  cr_assert_eq(run(IMPORT_ACCOUNTS, "external_id,name,phone\nX,x,12\n", 1, &res), 1);
  cr_assert(strstr(prob(&res, 0), "f.csv:2: phone: "), "%s", prob(&res, 0));
  import_result_clear(&res);
}

/* Accounts OLD-1, OLD-2 and the group G-1 (OLD-1 represents it, OLD-2 too). */
static void people(void) {
  struct import_result res;
  cr_assert_eq(run(IMPORT_ACCOUNTS, ACCOUNTS, 0, &res), 0);
  import_result_clear(&res);
  const char *groups =
      "external_id,name,name_kana,representative,co_representatives,members,resident_members,"
      "public_listing\n"
      "G-1,前橋俳句会,マエバシハイクカイ,OLD-1,OLD-2,12,10,○\n";
  cr_assert_eq(run(IMPORT_GROUPS, groups, 0, &res), 0, "%s", prob(&res, 0));
  import_result_clear(&res);
  cr_assert_eq(count("SELECT count(*) FROM groups WHERE status = 'approved' AND public_listing = 1"
                     " AND valid_until = '2027-03-31'"), 1);
  cr_assert_eq(count("SELECT count(*) FROM group_reps"), 1);
}

Test(import, groups_follow_the_rule_book) {
  people();
  struct import_result res;
  const char *bad = "external_id,name,name_kana,representative,members,resident_members\n"
                    "G-2,少数派,ショウスウハ,OLD-1,4,1\n"
                    "G-3,誰の会,ダレノカイ,NOBODY,4,4\n";
  cr_assert_eq(run(IMPORT_GROUPS, bad, 0, &res), 1);
  cr_assert(strstr(prob(&res, 0), "f.csv:2: resident_members: "), "%s", prob(&res, 0));
  cr_assert(strstr(prob(&res, 1), "f.csv:3: representative: "), "%s", prob(&res, 1));
  import_result_clear(&res);
}

Test(import, bookings_keep_every_rule_but_the_window) {
  people();
  struct import_result res;
  /* 2026-04-08: July is outside the window (it opens on 1 May) and still
  ** comes in; the slot it takes is then taken for the next row */
  const char *csv = "external_id,account,group,center,room,date,slots,purpose,attendees,note\n"
                    "B-1,OLD-1,G-1,chuo,r503,2026/7/15,午前、午後,句会,10,紙の台帳から\n"
                    "B-2,OLD-2,,中央公民館,503学習室,2026-07-15,afternoon,会議,5,\n"
                    "B-3,OLD-2,,chuo,r503,2026-07-16,morning,会議,500,\n"
                    "B-4,OLD-2,,chuo,r503,2026-04-01,morning,会議,5,\n"
                    "B-5,OLD-2,,chuo,nowhere,2026-07-16,morning,会議,5,\n";
  cr_assert_eq(run(IMPORT_BOOKINGS, csv, 0, &res), 1);
  cr_assert_eq(json_array_size(res.problems), 4);
  cr_assert(strstr(prob(&res, 0), "f.csv:3: slots: ") && strstr(prob(&res, 0), "すでに予約"),
            "%s", prob(&res, 0));
  cr_assert(strstr(prob(&res, 1), "f.csv:4: attendees: "), "%s", prob(&res, 1));
  cr_assert(strstr(prob(&res, 2), "f.csv:5: date: "), "%s", prob(&res, 2));
  cr_assert(strstr(prob(&res, 3), "f.csv:6: room: "), "%s", prob(&res, 3));
  import_result_clear(&res);
  cr_assert_eq(count("SELECT count(*) FROM bookings"), 0);

  const char *good = "external_id,account,group,center,room,date,slots,purpose,attendees,note\n"
                     "B-1,OLD-1,G-1,chuo,r503,2026/7/15,午前、午後,句会,10,紙の台帳から\n"
                     "B-2,OLD-2,,chuo,r503,2026-05-20,evening,会議,5,\n";
  cr_assert_eq(run(IMPORT_BOOKINGS, good, 0, &res), 0, "%s", prob(&res, 0));
  import_result_clear(&res);
  cr_assert_eq(count("SELECT count(*) FROM bookings WHERE status = 'confirmed'"
                     " AND channel = 'counter' AND hold_expires_at IS NULL"
                     " AND confirmed_at IS NOT NULL AND group_id IS NOT NULL"
                     " AND slots = 'morning,afternoon' AND imported_note = '紙の台帳から'"), 1);
  cr_assert_eq(count("SELECT count(*) FROM bookings WHERE imported_note = '旧システムで受付済み'"), 1);
  cr_assert_eq(count("SELECT count(*) FROM booking_slots WHERE active = 1"), 3);
  cr_assert_eq(run(IMPORT_BOOKINGS, good, 0, &res), 0);
  cr_assert_eq(res.skipped, 2);
  import_result_clear(&res);
  cr_assert_eq(count("SELECT count(*) FROM bookings"), 2);
}
