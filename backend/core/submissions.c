/*
** core/submissions.c: the record of online form submissions (see
** submissions.h).
*/
#include "submissions.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "clock.h"

json_t *submission_scrub(const json_t *payload) {
  json_t *out = json_object();
  const char *key;
  json_t *v;
  if (!out || !json_is_object(payload)) return out;
  json_object_foreach((json_t *)payload, key, v) {
    /* RULE: a password is never stored with a form, nor the session's CSRF token. */
    if (strstr(key, "password") || !strcmp(key, "csrf_token")) continue;
    json_object_set(out, key, v);
  }
  return out;
}

/* The next receipt number of DAY, inside the write transaction. */
static int next_receipt(struct kctx *ctx, char receipt[SUBMISSION_RECEIPT_LEN]) {
  char date[11], lo[16], hi[16];
  int y, m, d;
  int32_t day = clock_today(ctx->now);
  date_format(day, date);
  date_to_ymd(day, &y, &m, &d);
  snprintf(lo, sizeof lo, "%04d%02d%02d-", y, m, d);
  snprintf(hi, sizeof hi, "%04d%02d%02d.", y, m, d); /* '.' sorts right after '-' */
  int64_t n = 0;
  int rc = db_get_int64(ctx->db, &n,
                        "SELECT count(*) FROM form_submissions WHERE receipt >= $lo AND receipt < $hi",
                        DB_T("$lo", lo), DB_T("$hi", hi));
  if (rc != DB_ROW) return kerr_from_db(rc);
  snprintf(receipt, SUBMISSION_RECEIPT_LEN, "%s%04lld", lo, (long long)n + 1);
  return 0;
}

int submission_record(struct kctx *ctx, const struct submission *s,
                      char receipt[SUBMISSION_RECEIPT_LEN]) {
  int rc = db_begin_write(ctx->db);
  receipt[0] = 0;
  if (rc != DB_OK) return kerr_from_db(rc);
  if ((rc = submission_record_in(ctx, s, receipt))) {
    db_rollback(ctx->db);
    return rc;
  }
  if ((rc = db_commit(ctx->db)) != DB_OK) {
    receipt[0] = 0;
    return kerr_from_db(rc);
  }
  return 0;
}

int submission_record_in(struct kctx *ctx, const struct submission *s,
                         char receipt[SUBMISSION_RECEIPT_LEN]) {
  assert(db_in_txn(ctx->db));
  int rc;
  char *payload = NULL, *fields = NULL, detail[160];
  json_t *clean = submission_scrub(s->payload);
  receipt[0] = 0;
  payload = clean ? json_dumps(clean, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
  json_decref(clean);
  if (!payload) return KERR_INTERNAL;
  if (s->field_errors && json_object_size(s->field_errors) > 0)
    fields = json_dumps(s->field_errors, JSON_COMPACT | JSON_SORT_KEYS);

  if ((rc = next_receipt(ctx, receipt))) goto fail;
  kstmt *st = db_prep(ctx->db,
                      "INSERT INTO form_submissions(receipt, kind, account_id, payload, outcome,"
                      " status, error_code, field_errors, result_id, created_at)"
                      " VALUES ($receipt, $kind, $account, $payload, $outcome, $status, $code,"
                      " $fields, $result, $now)");
  if (!st) {
    rc = KERR_INTERNAL;
    goto fail;
  }
  db_bind_text(st, "$receipt", receipt);
  db_bind_text(st, "$kind", s->kind);
  if (ctx->actor.account_id) db_bind_int(st, "$account", ctx->actor.account_id);
  else db_bind_null(st, "$account");
  db_bind_text(st, "$payload", payload);
  db_bind_text(st, "$outcome", s->accepted ? "accepted" : "rejected");
  db_bind_int(st, "$status", s->status);
  db_bind_text(st, "$code", s->accepted ? NULL : s->error_code);
  db_bind_text(st, "$fields", fields);
  db_bind_text(st, "$result", s->result_id);
  db_bind_int(st, "$now", ctx->now);
  if ((rc = db_exec_stmt(st)) != DB_OK) {
    rc = kerr_from_db(rc);
    goto fail;
  }
  /* The usage log: codes and figures only (the receipt number is ours). */
  snprintf(detail, sizeof detail, "{\"kind\":\"%s\",\"receipt\":\"%s\",\"status\":%d%s%s%s}",
           s->kind, receipt, s->status, s->accepted || !s->error_code ? "" : ",\"code\":\"",
           s->accepted || !s->error_code ? "" : s->error_code,
           s->accepted || !s->error_code ? "" : "\"");
  struct audit_fields f = {.detail_json = detail};
  if ((rc = audit_event(ctx, s->accepted ? "form.accepted" : "form.rejected", &f))) goto fail;
  rc = 0;
  goto done;
fail:
  receipt[0] = 0;
done:
  free(payload);
  free(fields);
  return rc;
}

int submission_receipt_of(struct kctx *ctx, const char *kind, const char *result_id,
                          char receipt[SUBMISSION_RECEIPT_LEN]) {
  receipt[0] = 0;
  int rc = db_get_text(ctx->db, receipt, SUBMISSION_RECEIPT_LEN,
                       "SELECT receipt FROM form_submissions WHERE kind = $kind"
                       " AND result_id = $result AND outcome = 'accepted'"
                       " ORDER BY id DESC LIMIT 1",
                       DB_T("$kind", kind), DB_T("$result", result_id));
  return rc == DB_ROW || rc == DB_DONE ? 0 : kerr_from_db(rc);
}
