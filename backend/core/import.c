/*
** core/import.c: CSV files of the old system brought in (see import.h).
*/
#include "import.h"

#include <iconv.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "accounts.h"
#include "bookings.h"
#include "clock.h"
#include "groups.h"
#include "ids.h"
#include "input.h"
#include "lifecycle.h"
#include "text.h"

#define MAX_FIELDS 64
#define MAX_FIELD 4000        /* bytes of one field */
#define EXT_MAX 64            /* bytes of an external_id */

/* ============================================================ columns */

/* A column: its key (the header in docs/import.md), a Japanese header that
** means the same, and whether every row must fill it. */
struct col {
  const char *key, *ja;
  int required;
};

static const struct col account_cols[] = {
    {"external_id", "旧システムID", 1}, {"name", "氏名", 1},       {"name_kana", "ふりがな", 0},
    {"email", "メールアドレス", 0},     {"phone", "電話番号", 0},   {"resident", "市内在住", 0},
    {NULL, NULL, 0}};
static const struct col group_cols[] = {
    {"external_id", "旧システムID", 1},      {"name", "団体名", 1},
    {"name_kana", "団体名ふりがな", 1},      {"representative", "代表者", 1},
    {"co_representatives", "副代表者", 0},   {"members", "構成員数", 1},
    {"resident_members", "市内構成員数", 1}, {"activity", "活動内容", 0},
    {"public_listing", "公開", 0},           {"valid_until", "有効期限", 0},
    {NULL, NULL, 0}};
static const struct col booking_cols[] = {
    {"external_id", "旧システムID", 1}, {"account", "利用者", 1},  {"group", "団体", 0},
    {"center", "公民館", 1},            {"room", "部屋", 1},        {"date", "利用日", 1},
    {"slots", "時間帯", 1},             {"purpose", "利用目的", 1}, {"attendees", "利用人数", 1},
    {"note", "移行の理由", 0},          {NULL, NULL, 0}};

static const struct col *const kind_cols[] = {account_cols, group_cols, booking_cols};
static const char *const kind_names[] = {"accounts", "groups", "bookings"};
static const char *const ref_kinds[] = {"account", "group", "booking"};

int import_kind_parse(const char *s) {
  for (int k = 0; k < 3; k++)
    if (s && !strcmp(s, kind_names[k])) return k;
  return -1;
}

void import_result_clear(struct import_result *res) {
  json_decref(res->problems);
  json_decref(res->codes);
  memset(res, 0, sizeof *res);
}

/* =========================================================== encoding */

/* The line (1-based) of byte OFF of S. */
static int line_at(const char *s, size_t off) {
  int line = 1;
  for (size_t i = 0; i < off; i++)
    if (s[i] == '\n') line++;
  return line;
}

char *import_decode(const char *data, size_t n, size_t *outn, int *bad_line) {
  *bad_line = 0;
  if (n >= 3 && !memcmp(data, "\xef\xbb\xbf", 3)) data += 3, n -= 3;
  if (memchr(data, 0, n)) { /* a NUL: not text (UTF-16 from "Unicode text", say) */
    *bad_line = line_at(data, (size_t)((const char *)memchr(data, 0, n) - data));
    return NULL;
  }
  char *out;
  if (text_utf8_valid(data, n)) {
    if (!(out = malloc(n + 1))) return NULL;
    memcpy(out, data, n);
    out[n] = 0;
    *outn = n;
    return out;
  }
  /* CP932 as Excel writes it: 1 or 2 bytes a character, at most 3 in UTF-8 */
  iconv_t cd = iconv_open("UTF-8", "CP932");
  if (cd == (iconv_t)-1) return NULL;
  size_t cap = n * 3 + 1, in_left = n, out_left = cap - 1;
  if (!(out = malloc(cap))) {
    iconv_close(cd);
    return NULL;
  }
  char *ip = (char *)data, *op = out;
  size_t r = iconv(cd, &ip, &in_left, &op, &out_left);
  if (r != (size_t)-1) r = iconv(cd, NULL, NULL, &op, &out_left);
  iconv_close(cd);
  if (r == (size_t)-1) {
    *bad_line = line_at(data, (size_t)(ip - data));
    free(out);
    return NULL;
  }
  *op = 0;
  *outn = (size_t)(op - out);
  return out;
}

/* ================================================================ CSV */

/* Records of TEXT (RFC 4180: commas, double quotes, CRLF or LF): a JSON array
** of {"line":N,"f":[field,...]}, blank rows left out. NULL and *BAD_LINE set
** for an unterminated quote or a row too wide or too long. */
static json_t *csv_records(const char *text, int *bad_line, const char **why) {
  json_t *recs = json_array(), *fields = NULL;
  char *buf = malloc(MAX_FIELD + 1);
  size_t len = 0;
  int line = 1, start = 1, quoted = 0, nonblank = 0;
  const char *p = text;
  if (!recs || !buf) goto fail;
  for (;;) {
    char c = *p;
    if (quoted) {
      if (!c) {
        *why = "引用符（\"）が閉じられていません";
        goto bad;
      }
      if (c == '"' && p[1] == '"') p++;
      else if (c == '"') {
        quoted = 0, p++;
        continue;
      }
      if (c == '\n') line++;
    } else if (c == '"' && len == 0) {
      quoted = 1, nonblank = 1, p++;
      continue;
    } else if (c == ',' || c == '\n' || c == '\r' || !c) {
      if (!fields && !(fields = json_array())) goto fail;
      if (json_array_size(fields) >= MAX_FIELDS) {
        *why = "列が多すぎます（64列まで）";
        goto bad;
      }
      json_array_append_new(fields, json_stringn(buf, len));
      if (len) nonblank = 1;
      len = 0;
      if (c == ',') {
        p++;
        continue;
      }
      if (nonblank) json_array_append_new(recs, json_pack("{s:i, s:o}", "line", start, "f", fields));
      else json_decref(fields);
      fields = NULL;
      nonblank = 0;
      if (!c) break;
      if (c == '\r' && p[1] == '\n') p++;
      start = ++line;
      p++;
      continue;
    }
    if (len >= MAX_FIELD) {
      *why = "値が長すぎます";
      goto bad;
    }
    buf[len++] = c;
    p++;
  }
  free(buf);
  return recs;
bad:
  *bad_line = start;
fail:
  json_decref(fields);
  json_decref(recs);
  free(buf);
  return NULL;
}

/* ============================================================ the run */

struct run {
  struct kctx *ctx;
  enum import_kind kind;
  const char *file;
  const struct col *cols;
  int at[MAX_FIELDS];        /* column index of COLS -> field index in a row, -1 absent */
  const char *head[MAX_FIELDS]; /* the header of each column of COLS as written */
  json_t *seen;              /* external_id -> line, within the file */
  struct import_result *res;
  char hash[crypto_pwhash_STRBYTES];  /* accounts: a password nobody knows */
};

static void problem(struct run *r, int line, const char *column, const char *fmt, ...) {
  char msg[768], out[1400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  snprintf(out, sizeof out, "%s:%d: %s: %s", r->file, line, column, msg);
  for (char *p = out; *p; p++) /* one problem, one line */
    if ((unsigned char)*p < 0x20) *p = ' ';
  json_array_append_new(r->res->problems, json_string(out));
}

/* The index in COLS of KEY, or -1. */
static int col_index(const struct col *cols, const char *key) {
  for (int i = 0; cols[i].key; i++)
    if (!strcmp(cols[i].key, key)) return i;
  return -1;
}

/* The header text of column KEY (as the file writes it), for a problem. */
static const char *col_head(const struct run *r, const char *key) {
  int i = col_index(r->cols, key);
  return i >= 0 && r->head[i] ? r->head[i] : key;
}

/* Match the header row HDR to the columns: every header known, none twice,
** every required column there. 0, or the count of problems added. */
static int read_header(struct run *r, json_t *hdr, int line) {
  int bad = 0;
  size_t i;
  json_t *v;
  for (int k = 0; r->cols[k].key; k++) r->at[k] = -1, r->head[k] = NULL;
  json_array_foreach(json_object_get(hdr, "f"), i, v) {
    char name[256];
    json_t *tmp = json_pack("{s:O}", "h", v);
    int ok = input_text(tmp, "h", name, sizeof name) == INPUT_OK;
    json_decref(tmp);
    if (!ok) continue; /* an empty header: a column nobody uses */
    int k = 0;
    while (r->cols[k].key && strcmp(name, r->cols[k].key) && strcmp(name, r->cols[k].ja)) k++;
    const char *h = json_string_value(v);
    if (!r->cols[k].key)
      problem(r, line, h, "この列は知りません（docs/import.md の列名を使ってください）"), bad++;
    else if (r->at[k] >= 0) problem(r, line, h, "同じ列が2回あります"), bad++;
    else r->at[k] = (int)i, r->head[k] = h;
  }
  for (int k = 0; r->cols[k].key; k++)
    if (r->cols[k].required && r->at[k] < 0)
      problem(r, line, r->cols[k].key, "この列がありません（必須の列です）"), bad++;
  return bad;
}

/* The value of column KEY in record REC ("" when the column or field is absent). */
static const char *val(const struct run *r, json_t *rec, const char *key) {
  int k = col_index(r->cols, key);
  if (k < 0 || r->at[k] < 0) return "";
  const char *s = json_string_value(json_array_get(json_object_get(rec, "f"), (size_t)r->at[k]));
  return s ? s : "";
}

/* Put column KEY of REC into BODY as member NAME (strings, as a form sends
** them: core/input.c reads and trims them), when it is not blank. */
static void put(const struct run *r, json_t *rec, json_t *body, const char *key,
                const char *name) {
  const char *s = val(r, rec, key);
  if (*s) json_object_set_new(body, name, json_string(s));
}

/* A yes/no column as Japanese ledgers write it: はい, ○, 在住, 公開 count as
** true, いいえ and × as false; anything else goes to core/input.c as it is. */
static void put_bool(const struct run *r, json_t *rec, json_t *body, const char *key) {
  static const char *const yes[] = {"はい", "○", "〇", "在住", "公開", "有",
                                    "1", "true", "on", "yes", NULL};
  static const char *const no[] = {"いいえ", "×", "無", "非公開", "0", "false", "off", "no", NULL};
  const char *s = val(r, rec, key);
  if (!*s) return;
  /* the core takes JSON's true and false only: a file's words become them
  ** here; any other text goes on, for the core to refuse at its column */
  json_t *v = NULL;
  for (int i = 0; yes[i] && !v; i++)
    if (!strcasecmp(s, yes[i])) v = json_true();
  for (int i = 0; no[i] && !v; i++)
    if (!strcasecmp(s, no[i])) v = json_false();
  json_object_set_new(body, key, v ? v : json_string(s));
}

/* "2026/5/12" or "2026-5-12" (Excel's dates) as "2026-05-12" into OUT; other
** text is copied for the core to refuse with its own message. */
static void norm_date(const char *s, char out[32]) {
  int y, m, d, n = 0;
  char a, b;
  if (sscanf(s, "%d%c%d%c%d%n", &y, &a, &m, &b, &d, &n) == 5 && !s[n] && a == b &&
      (a == '/' || a == '-') && y >= 1000 && y <= 9999 && m >= 1 && m <= 99 && d >= 1 && d <= 99)
    snprintf(out, 32, "%04d-%02d-%02d", y, m, d);
  else snprintf(out, 32, "%s", s);
}

/* ========================================================= references */

/* The internal ID imported before for KIND's EXTERNAL id (0 when none). */
static int64_t ref_lookup(struct kctx *ctx, const char *kind, const char *external) {
  kstmt *st = db_prep(ctx->db, "SELECT internal_id FROM import_refs"
                               " WHERE kind = $k AND external_id = $e");
  if (!st) return -1;
  db_bind_text(st, "$k", kind);
  db_bind_text(st, "$e", external);
  int rc = db_step(st);
  int64_t id = rc == DB_ROW ? db_col_int(st, 0) : rc == DB_DONE ? 0 : -1;
  db_reset(st);
  return id;
}

/* An account or group named in a row: the old system's ID imported before
** (looked up first), else a system ID / group ID of ours that exists (a
** citizen, for an account). 0 when neither. */
static int64_t resolve(struct kctx *ctx, int group, const char *text) {
  int64_t id = ref_lookup(ctx, group ? "group" : "account", text);
  if (id) return id;
  if (ids_parse(text, &id) != IDS_OK) return 0;
  kstmt *st = group ? db_prep(ctx->db, "SELECT 1 FROM groups WHERE id = $id")
                    : db_prep(ctx->db, "SELECT 1 FROM accounts WHERE id = $id"
                                       " AND role = 'citizen' AND closed_at IS NULL");
  if (!st) return -1;
  db_bind_int(st, "$id", id);
  int rc = db_step(st);
  db_reset(st);
  return rc == DB_ROW ? id : rc == DB_DONE ? 0 : -1;
}

/* Resolve column KEY of REC as an account (or a group): *ID, else a field
** error in EI under KEY. */
static int need(struct run *r, json_t *rec, const char *key, int group, int64_t *id,
                struct kerrinfo *ei) {
  const char *s = val(r, rec, key);
  *id = resolve(r->ctx, group, s);
  if (*id < 0) return KERR_INTERNAL;
  if (!*id)
    kerr_field(ei, key, group ? "その団体は見つかりません（旧システムのIDも団体IDも一致しません）。"
                              : "その利用者は見つかりません（旧システムのIDも利用者番号も一致しません）。");
  return 0;
}

/* ===================================================== the three kinds */

#define SEPS " ,;/\t\r\n"

/* The separators of a Japanese list (、 ・ and the full-width space) as
** spaces, so that strtok_r with SEPS splits on them. */
static void ascii_seps(char *s) {
  static const char *const wide[] = {"\xe3\x80\x81", "\xe3\x83\xbb", "\xe3\x80\x80", NULL};
  for (int i = 0; wide[i]; i++)
    for (char *p = s; (p = strstr(p, wide[i]));) memset(p, ' ', 3), p += 3;
}

static int row_account(struct run *r, json_t *rec, int64_t *id, struct kerrinfo *ei) {
  json_t *body = json_object();
  for (int k = 1; r->cols[k].key; k++)
    if (strcmp(r->cols[k].key, "resident")) put(r, rec, body, r->cols[k].key, r->cols[k].key);
  put_bool(r, rec, body, "resident");
  int rc = accounts_import_in(r->ctx, body, r->hash, id, ei);
  json_decref(body);
  if (rc) return rc;
  /* RULE: no password comes in a file: a one-time code for the first sign-in. */
  char code[16], until[11];
  if ((rc = lifecycle_issue_code(r->ctx, *id, IMPORT_CODE_DAYS * 86400, code)))
    return kerr_set(ei, rc, NULL);
  date_format(clock_today(r->ctx->now + IMPORT_CODE_DAYS * 86400), until);
  json_array_append_new(r->res->codes,
                        json_pack("{s:o, s:s, s:s, s:s, s:s}", "system_id", ids_json(*id),
                                  "external_id", val(r, rec, "external_id"), "name",
                                  val(r, rec, "name"), "code", code, "valid_until", until));
  sodium_memzero(code, sizeof code);
  return 0;
}

static int row_group(struct run *r, json_t *rec, int64_t *id, struct kerrinfo *ei) {
  int64_t rep = 0, coreps[GROUPS_MAX_COREPS + 1];
  int ncoreps = 0, rc;
  int32_t until = 0;
  char date[32], buf[MAX_FIELD + 1];
  if ((rc = need(r, rec, "representative", 0, &rep, ei))) return rc;
  snprintf(buf, sizeof buf, "%s", val(r, rec, "co_representatives"));
  ascii_seps(buf);
  for (char *save = NULL, *t = strtok_r(buf, SEPS, &save); t; t = strtok_r(NULL, SEPS, &save)) {
    int64_t a = resolve(r->ctx, 0, t);
    if (a < 0) return KERR_INTERNAL;
    if (!a) {
      char msg[256];
      snprintf(msg, sizeof msg, "「%.*s」という利用者は見つかりません。", (int)text_utf8_prefix(t, 64), t);
      kerr_field(ei, "co_representatives", msg);
    } else if (ncoreps <= GROUPS_MAX_COREPS) coreps[ncoreps++] = a;
  }
  norm_date(val(r, rec, "valid_until"), date);
  if (*date && date_parse(date, &until) != 0)
    kerr_field(ei, "valid_until", "有効期限は YYYY-MM-DD（または YYYY/MM/DD）の実在する日付です。");
  else if (*date && until < clock_today(r->ctx->now))
    kerr_field(ei, "valid_until", "有効期限が過ぎています（登録の切れた団体は移行できません）。");
  if (ei->fields) return kerr_set(ei, KERR_VALIDATION, NULL);
  json_t *body = json_object();
  static const char *const keys[] = {"name", "name_kana", "members", "resident_members",
                                     "activity", NULL};
  for (int i = 0; keys[i]; i++) put(r, rec, body, keys[i], keys[i]);
  put_bool(r, rec, body, "public_listing");
  rc = groups_import_in(r->ctx, body, rep, coreps, ncoreps, until, id, ei);
  json_decref(body);
  return rc;
}

/* The centre of column "center" (its code or its name), NULL when none. */
static const struct center *find_center(const struct rulebook *rb, const char *s) {
  const struct center *c = rules_center(rb, s);
  for (int i = 0; !c && i < rb->ncenters; i++)
    if (!strcmp(rb->centers[i].name, s)) c = &rb->centers[i];
  return c;
}

/* The room of centre C named S (its code or its name), NULL when none. */
static const struct room *find_room(const struct center *c, const char *s) {
  for (int i = 0; c && i < c->nrooms; i++)
    if (!strcmp(c->rooms[i].code, s) || !strcmp(c->rooms[i].name, s)) return &c->rooms[i];
  return NULL;
}

/* The slots of column "slots" (codes or labels such as 午前, separated by
** commas, spaces or 、) as "morning,afternoon" into OUT, by the version in
** force on DATE; an unknown one is left for the core to name. */
static void norm_slots(const struct rulebook *rb, const char *date, const char *s, char *out,
                       size_t cap) {
  char buf[MAX_FIELD + 1];
  int32_t day;
  const struct rules *ru = date_parse(date, &day) == 0 ? rules_in_force(rb, day) : NULL;
  size_t n = 0;
  snprintf(buf, sizeof buf, "%s", s);
  ascii_seps(buf);
  out[0] = 0;
  for (char *save = NULL, *t = strtok_r(buf, SEPS, &save); t; t = strtok_r(NULL, SEPS, &save)) {
    const char *code = t;
    for (int i = 0; ru && i < ru->nslots; i++)
      if (!strcmp(ru->slots[i].label, t)) code = ru->slots[i].code;
    n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s%s", n ? "," : "", code);
  }
}

static int row_booking(struct run *r, json_t *rec, int64_t *id, struct kerrinfo *ei) {
  int64_t holder = 0, group = 0;
  int rc;
  char date[32], slots[MAX_FIELD + 1], note[320], gid[16];
  if ((rc = need(r, rec, "account", 0, &holder, ei))) return rc;
  if (*val(r, rec, "group") && (rc = need(r, rec, "group", 1, &group, ei))) return rc;
  const struct center *c = find_center(r->ctx->rb, val(r, rec, "center"));
  const struct room *room = find_room(c, val(r, rec, "room"));
  if (!c) kerr_field(ei, "center", "その公民館は例規集（ordinances）にありません（コードか名前）。");
  else if (!room) kerr_field(ei, "room", "その部屋はこの公民館にありません（コードか名前）。");
  if (ei->fields) return kerr_set(ei, KERR_VALIDATION, NULL);
  norm_date(val(r, rec, "date"), date);
  norm_slots(r->ctx->rb, date, val(r, rec, "slots"), slots, sizeof slots);
  json_t *body = json_pack("{s:I, s:s, s:s}", "room_id", (json_int_t)room->id, "date", date,
                           "slots", slots);
  put(r, rec, body, "purpose", "purpose");
  put(r, rec, body, "attendees", "attendees");
  if (group) {
    ids_format(group, gid);
    json_object_set_new(body, "group_id", json_string(gid));
  }
  /* RULE: the booking window does not apply to an import: the note says why. */
  const char *why = val(r, rec, "note");
  snprintf(note, sizeof note, "%.*s", (int)text_utf8_prefix(*why ? why : "旧システムで受付済み", 200),
           *why ? why : "旧システムで受付済み");
  rc = booking_import_in(r->ctx, body, holder, note, id, ei);
  json_decref(body);
  return rc;
}

/* ========================================================== each row */

/* The core's field names (JSON members) as our columns. */
static const char *field_col(const char *f) {
  if (!strcmp(f, "room_id")) return "room";
  if (!strcmp(f, "group_id")) return "group";
  return f;
}

/* The column a refusal without a field is about. */
static const char *code_col(enum import_kind kind, int code) {
  if (kind != IMPORT_BOOKINGS) return code == KERR_RESIDENCY ? "resident_members" : "external_id";
  switch (code) {
  case KERR_CLOSED:
  case KERR_OUTSIDE_WINDOW: return "date";
  case KERR_CAPACITY: return "attendees";
  case KERR_NOT_FOUND: return "group";
  default: return "slots";
  }
}

/* Every problem of a refused row: one per field, else the message. */
static void report(struct run *r, int line, int rc, struct kerrinfo *ei) {
  const char *k;
  json_t *v;
  if (ei->fields) {
    json_object_foreach(ei->fields, k, v)
        problem(r, line, col_head(r, field_col(k)), "%s", json_string_value(v));
  } else {
    problem(r, line, col_head(r, code_col(r->kind, rc)), "%s",
            ei->message[0] ? ei->message : kerr_message(rc));
  }
}

static int add_ref(struct run *r, const char *ext, int64_t id) {
  return kerr_from_db(db_run(r->ctx->db, "INSERT INTO import_refs(kind, external_id, internal_id,"
                                         " source, imported_at) VALUES ($k, $e, $id, $src, $now)",
                             DB_T("$k", ref_kinds[r->kind]), DB_T("$e", ext), DB_I("$id", id),
                             DB_T("$src", r->file), DB_I("$now", r->ctx->now)));
}

/* The row's external_id, checked (and not seen before in the file) into
** EXT; 0, or 1 after a problem. */
static int row_ref(struct run *r, json_t *rec, int line, char ext[EXT_MAX + 1]) {
  json_t *tmp = json_pack("{s:s}", "e", val(r, rec, "external_id"));
  int rc = input_text(tmp, "e", ext, EXT_MAX + 1);
  json_decref(tmp);
  const char *head = col_head(r, "external_id");
  if (rc == INPUT_MISSING) problem(r, line, head, "旧システムのIDがありません（必須です）");
  else if (rc != INPUT_OK) problem(r, line, head, "旧システムのIDが長すぎます（64バイトまで）");
  else if (text_has_control(ext)) problem(r, line, head, "旧システムのIDに使えない文字があります");
  else {
    json_t *at = json_object_get(r->seen, ext);
    if (!at) return json_object_set_new(r->seen, ext, json_integer(line)), 0;
    problem(r, line, head, "同じID「%s」が%lld行目にもあります", ext,
            (long long)json_integer_value(at));
  }
  return 1;
}

static int (*const row_fn[])(struct run *, json_t *, int64_t *, struct kerrinfo *) = {
    row_account, row_group, row_booking};

/* One data row inside the import's transaction, under a savepoint: a refused
** row leaves nothing behind for the rows after it. 0 (imported, passed
** over, or refused with its problems recorded), or a KERR code when the
** database failed. */
static int one_row(struct run *r, json_t *rec) {
  int line = (int)json_integer_value(json_object_get(rec, "line"));
  char ext[EXT_MAX + 1];
  if (row_ref(r, rec, line, ext)) return 0;
  int64_t prior = ref_lookup(r->ctx, ref_kinds[r->kind], ext), id = 0;
  if (prior < 0) return KERR_INTERNAL;
  if (prior) { /* RULE: imported before: the same file twice changes nothing */
    r->res->skipped++;
    return 0;
  }
  if (db_exec(r->ctx->db, "SAVEPOINT import_row") != DB_OK) return KERR_INTERNAL;
  struct kerrinfo ei = {0};
  int rc = row_fn[r->kind](r, rec, &id, &ei);
  if (!rc) rc = add_ref(r, ext, id);
  if (rc) db_exec(r->ctx->db, "ROLLBACK TO import_row");
  db_exec(r->ctx->db, "RELEASE import_row");
  if (rc == KERR_INTERNAL || rc == KERR_STORAGE || rc == KERR_BUSY) {
    kerr_clear(&ei);
    return rc;
  }
  if (rc) report(r, line, rc, &ei);
  else r->res->added++;
  kerr_clear(&ei);
  return 0;
}

/* ============================================================ the run */

/* The file as records, its header matched: the records, or NULL after the
** problems were recorded. */
static json_t *read_file(struct run *r, const char *data, size_t n) {
  int bad_line = 0;
  size_t tn = 0;
  const char *why = NULL;
  if (n > IMPORT_MAX_BYTES) {
    problem(r, 1, "-", "ファイルが大きすぎます（%d MiB まで）", IMPORT_MAX_BYTES >> 20);
    return NULL;
  }
  char *text = import_decode(data, n, &tn, &bad_line);
  if (!text) {
    if (bad_line)
      problem(r, bad_line, "-", "文字コードが UTF-8 でも Shift_JIS（CP932）でもありません");
    return NULL;
  }
  json_t *recs = csv_records(text, &bad_line, &why);
  free(text);
  if (!recs) {
    if (why) problem(r, bad_line, "-", "%s", why);
    return NULL;
  }
  json_t *hdr = json_array_get(recs, 0);
  if (!hdr) problem(r, 1, "-", "見出しの行がありません（空のファイルです）");
  if (!hdr || read_header(r, hdr, (int)json_integer_value(json_object_get(hdr, "line")))) {
    json_decref(recs);
    return NULL;
  }
  return recs;
}

/* A password hash nobody can match, for every account of this import. */
static int unknown_password(struct run *r) {
  unsigned char raw[32];
  char pw[64];
  struct kerrinfo ei = {0};
  randombytes_buf(raw, sizeof raw);
  sodium_bin2base64(pw, sizeof pw, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  int rc = accounts_password_hash(pw, r->hash, sizeof r->hash, &ei);
  sodium_memzero(pw, sizeof pw);
  kerr_clear(&ei);
  return rc;
}

int import_run(struct kctx *ctx, enum import_kind kind, const char *name, const char *data,
               size_t n, int dry_run, struct import_result *res) {
  memset(res, 0, sizeof *res);
  res->problems = json_array();
  res->codes = json_array();
  /* a file's cells are text, as a form's fields: numbers come as digits */
  struct kctx as_form = *ctx;
  as_form.form = 1;
  struct run r = {.ctx = &as_form, .kind = kind, .file = name, .cols = kind_cols[kind], .res = res};
  json_t *recs = read_file(&r, data, n);
  if (!recs) return json_array_size(res->problems) ? 1 : KERR_INTERNAL;
  int rc = 0;
  r.seen = json_object();
  if (kind == IMPORT_ACCOUNTS) rc = unknown_password(&r);
  if (!rc) rc = kerr_from_db(db_begin_write(ctx->db));
  for (size_t i = 1; !rc && i < json_array_size(recs); i++) {
    res->rows++;
    rc = one_row(&r, json_array_get(recs, i));
  }
  int bad = json_array_size(res->problems) > 0;
  if (rc || bad || dry_run) db_rollback(ctx->db);
  else rc = kerr_from_db(db_commit(ctx->db));
  if (rc || bad || dry_run) json_array_clear(res->codes);
  sodium_memzero(r.hash, sizeof r.hash);
  json_decref(r.seen);
  json_decref(recs);
  return rc ? rc : bad;
}
