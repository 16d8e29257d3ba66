/*
** Unit tests for the record of online form submissions (core/submissions.c)
** and the QR code of the permit page (http/qr.c): receipt numbers by day,
** what is stored (never a password nor the CSRF token), the usage-log event
** in the same transaction, and the QR SVG's shape.
*/
#include "fixture.h"

#include <stdlib.h>

#include "../../backend/core/audit.h"
#include "../../backend/core/submissions.h"
#include "../../backend/http/qr.h"

TestSuite(submissions, .init = fixture_setup, .fini = fixture_teardown);

static char *col(const char *sql_text) {
  kstmt *st = db_prep(db, sql_text);
  cr_assert(st);
  cr_assert_eq(db_step(st), DB_ROW);
  char *s = strdup(db_col_text(st, 0));
  db_reset(st);
  return s;
}

static long long count_events(void) {
  kstmt *st = db_prep(db, "SELECT count(*) FROM events WHERE action LIKE 'form.%'");
  cr_assert_eq(db_step(st), DB_ROW);
  long long n = db_col_int(st, 0);
  db_reset(st);
  return n;
}

Test(submissions, receipts_are_numbered_per_day_from_0001) {
  char r1[SUBMISSION_RECEIPT_LEN], r2[SUBMISSION_RECEIPT_LEN], r3[SUBMISSION_RECEIPT_LEN];
  json_t *p = json_pack("{s:s}", "purpose", "練習");
  struct submission s = {.kind = "booking", .payload = p, .accepted = 1, .status = 201, .result_id = "7"};
  cr_assert_eq(submission_record(&ctx, &s, r1), 0);
  cr_assert_eq(submission_record(&ctx, &s, r2), 0);
  cr_assert_str_eq(r1, "20260408-0001");
  cr_assert_str_eq(r2, "20260408-0002");
  ctx.now += 14 * 3600; /* 00:00 JST the next day */
  cr_assert_eq(submission_record(&ctx, &s, r3), 0);
  cr_assert_str_eq(r3, "20260409-0001");
  json_decref(p);
}

Test(submissions, a_rejection_is_kept_with_its_code_and_fields_and_one_event) {
  char r[SUBMISSION_RECEIPT_LEN];
  act_as(ROLE_CITIZEN, 0);
  json_t *p = json_pack("{s:s, s:s}", "attendees", "abc", "purpose", "");
  json_t *f = json_pack("{s:s}", "attendees", "利用人数を1以上の数で入力してください。");
  struct submission s = {.kind = "booking", .payload = p, .accepted = 0, .status = 422,
                         .error_code = "validation", .field_errors = f};
  long long before = count_events();
  cr_assert_eq(submission_record(&ctx, &s, r), 0);
  char *row = col("SELECT outcome||'|'||status||'|'||error_code||'|'||field_errors||'|'||"
                  "coalesce(result_id,'-') FROM form_submissions");
  cr_assert_str_eq(row, "rejected|422|validation|{\"attendees\":\"利用人数を1以上の数で入力してください。\"}|-");
  free(row);
  cr_assert_eq(count_events(), before + 1);
  char *ev = col("SELECT action||'|'||channel||'|'||detail FROM events WHERE action LIKE 'form.%'");
  /* the receipt number is printed on the citizen's receipt: only its pseudonym is logged */
  char pr[33], want[200];
  cr_assert_eq(audit_pseudonym_text(ctx.db, AUDIT_RECEIPT, "20260408-0001", pr), 0);
  snprintf(want, sizeof want, "form.rejected|online|{\"kind\":\"booking\",\"receipt\":\"%s\","
           "\"status\":422,\"code\":\"validation\"}", pr);
  cr_assert_str_eq(ev, want);
  free(ev);
  json_decref(p);
  json_decref(f);
}

/* RULE: a password is never stored with a form, nor the session's CSRF token. */
Test(submissions, passwords_and_the_csrf_token_are_never_stored) {
  char r[SUBMISSION_RECEIPT_LEN];
  json_t *p = json_pack("{s:s, s:s, s:s, s:s}", "name", "会", "password", "secret-123456",
                        "new_password", "secret-654321", "csrf_token", "tok");
  struct submission s = {.kind = "group", .payload = p, .accepted = 1, .status = 201, .result_id = "1"};
  cr_assert_eq(submission_record(&ctx, &s, r), 0);
  char *payload = col("SELECT payload FROM form_submissions");
  cr_assert_str_eq(payload, "{\"name\":\"会\"}");
  free(payload);
  json_decref(p);
}

Test(submissions, the_receipt_of_what_was_made_is_found_again) {
  char r[SUBMISSION_RECEIPT_LEN], found[SUBMISSION_RECEIPT_LEN];
  json_t *p = json_object();
  struct submission s = {.kind = "booking", .payload = p, .accepted = 1, .status = 201, .result_id = "42"};
  cr_assert_eq(submission_record(&ctx, &s, r), 0);
  cr_assert_eq(submission_receipt_of(&ctx, "booking", "42", found), 0);
  cr_assert_str_eq(found, r);
  cr_assert_eq(submission_receipt_of(&ctx, "booking", "43", found), 0);
  cr_assert_str_eq(found, "");
  cr_assert_eq(submission_receipt_of(&ctx, "cancel", "42", found), 0);
  cr_assert_str_eq(found, "");
  json_decref(p);
}

Test(qr, a_permit_sized_text_becomes_one_svg_path_with_a_quiet_zone) {
  char text[700];
  memset(text, 'A', sizeof text - 1);
  text[sizeof text - 1] = 0;
  struct html h = {0};
  int v = qr_svg(&h, text, "許可書 <QR>");
  cr_assert(v >= 10 && v <= 40, "version %d", v);
  char *s = html_take(&h, NULL);
  int side = 17 + 4 * v + 8; /* modules of version v, plus 4 of quiet zone each side */
  char want[96];
  snprintf(want, sizeof want, "viewBox=\"0 0 %d %d\"", side, side);
  cr_assert(strstr(s, want), "%s", want);
  cr_assert(strstr(s, "role=\"img\" aria-label=\"許可書 &lt;QR&gt;\""));
  cr_assert(strstr(s, "<path fill=\"#000000\" d=\"M4 4h7v1h-7z")); /* the top-left finder */
  cr_assert_null(strstr(s, "style="));
  free(s);
}
