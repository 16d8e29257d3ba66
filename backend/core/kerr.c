/*
** core/kerr.c: the one table of errors: HTTP status, machine code, Japanese
** message. The machine codes are a contract (CONTRACT.md): never rename one.
*/
#include "kerr.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../store/db.h"
#include "text.h"

static const struct {
  int status;
  const char *code;
  const char *message;
} table[KERR__COUNT] = {
  [KERR_OK] = {200, "ok", ""},
  [KERR_BAD_REQUEST] = {400, "bad_request", "リクエストの形式が正しくありません。"},
  [KERR_BAD_UTF8] = {400, "bad_request", "文字コードが正しくありません（UTF-8で送ってください）。"},
  [KERR_UNAUTHORIZED] = {401, "unauthorized", "ログインしてください。"},
  [KERR_SESSION_EXPIRED] = {401, "unauthorized", "一定時間操作がなかったため、ログアウトしました。もう一度ログインしてください。"},
  [KERR_BAD_CREDENTIALS] = {401, "unauthorized", "利用者番号またはパスワードが違います。"},
  [KERR_FORBIDDEN] = {403, "forbidden", "この操作を行う権限がありません。"},
  [KERR_CSRF] = {403, "forbidden", "画面の有効期限が切れました。もう一度やり直してください。"},
  [KERR_NOT_FOUND] = {404, "not_found", "見つかりません。"},
  [KERR_METHOD] = {405, "method_not_allowed", "この方法ではアクセスできません。"},
  [KERR_SLOT_TAKEN] = {409, "slot_taken", "この時間帯はすでに予約されています。"},
  [KERR_CONFLICT] = {409, "conflict", "現在の状態ではこの操作はできません。"},
  [KERR_TOO_LARGE] = {413, "too_large", "送信された内容が大きすぎます。"},
  [KERR_MEDIA_TYPE] = {415, "unsupported_media_type", "送信形式が正しくありません（application/json で送ってください）。"},
  [KERR_VALIDATION] = {422, "validation", "入力内容に誤りがあります。"},
  [KERR_OUTSIDE_WINDOW] = {422, "outside_booking_window", "この日の予約はまだ受け付けていないか、受付が終了しています。"},
  [KERR_CLOSED] = {422, "closed", "この日は休館日です。"},
  [KERR_RESIDENCY] = {422, "residency_requirement", "団体登録の要件（市内在住・在勤・在学の構成員）を満たしていません。"},
  [KERR_CAPACITY] = {422, "capacity", "利用人数が部屋の定員を超えています。"},
  [KERR_LIMIT] = {422, "limit_exceeded", "利用できる上限を超えています。"},
  [KERR_DEADLINE] = {422, "deadline_passed", "取消の期限を過ぎています。"},
  [KERR_COUNTER_HOURS] = {422, "outside_counter_hours", "窓口の受付時間外です。"},
  [KERR_TOO_EARLY] = {422, "too_early", "まだこの操作はできません。"},
  [KERR_RATE_LIMITED] = {429, "rate_limited", "短時間に何度も試行されました。しばらくしてからもう一度お試しください。"},
  [KERR_INTERNAL] = {500, "internal", "システムの内部でエラーが発生しました。時間をおいてもう一度お試しください。"},
  [KERR_BUSY] = {503, "busy", "ただいま混み合っています。しばらくしてからもう一度お試しください。"},
  [KERR_STORAGE] = {503, "storage_unavailable", "データを保存できない状態です。しばらくしてからもう一度お試しください。"},
  [KERR_TOTP_REQUIRED] = {401, "totp_required", "確認コード（認証アプリの6けたの数字）を入力してください。"},
  [KERR_OIDC] = {400, "oidc_failed", "マイナンバーカードでのログインを確認できませんでした。もう一度はじめからお試しください。"},
  [KERR_CAMPAIGN_DAY] = {422, "campaign_day", "この日は、この部屋は当日、登録なしで使えます（事前の予約はできません）。"},
  [KERR_OIDC_UNAVAILABLE] = {502, "oidc_unavailable", "本人確認のサービスにつながりませんでした。しばらくしてからお試しいただくか、利用者番号とパスワードでログインしてください。"},
};

static int valid(int code) { return code > 0 && code < KERR__COUNT; }

int kerr_http_status(int code) { return valid(code) ? table[code].status : 500; }
const char *kerr_code(int code) { return valid(code) ? table[code].code : "internal"; }
const char *kerr_message(int code) {
  return valid(code) ? table[code].message : table[KERR_INTERNAL].message;
}

int kerr_set(struct kerrinfo *ei, int code, const char *fmt, ...) {
  if (!ei || ei->code) return code;
  ei->code = code;
  if (fmt) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ei->message, sizeof ei->message, fmt, ap);
    va_end(ap);
    /* A message cut at the end of the buffer, or carrying a caller's text
    ** that is not UTF-8, ends at the last whole character: jansson refuses
    ** anything else, and the reply would be lost (http/reply.c). */
    ei->message[text_utf8_prefix(ei->message, sizeof ei->message - 1)] = 0;
  }
  return code;
}

void kerr_field(struct kerrinfo *ei, const char *field, const char *msg) {
  if (!ei) return;
  if (!ei->code) ei->code = KERR_VALIDATION;
  if (!ei->fields) ei->fields = json_object();
  if (ei->fields && !json_object_get(ei->fields, field))
    json_object_set_new(ei->fields, field, json_stringn(msg, text_utf8_prefix(msg, strlen(msg))));
}

void kerr_clear(struct kerrinfo *ei) {
  if (!ei) return;
  json_decref(ei->fields);
  memset(ei, 0, sizeof *ei);
}

int kerr_from_db(int rc) {
  switch (rc) {
    case DB_OK:
    case DB_ROW:
    case DB_DONE: return KERR_OK;
    case DB_CONSTRAINT: return KERR_CONFLICT;
    case DB_BUSY:
    case DB_STORAGE: return KERR_STORAGE;
    default: return KERR_INTERNAL;
  }
}
