/*
** core/closures.c: the city's own closures (see closures.h).
*/
#include "closures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "availability.h"
#include "bookings.h"
#include "clock.h"
#include "desk.h"
#include "ids.h"
#include "input.h"
#include "notify.h"
#include "payments.h"
#include "text.h"

/* What a closure was asked to be. */
struct closure_req {
  const struct center *center;
  const struct room *room;       /* NULL: the whole centre */
  char from[11], to[11];
  char reason[CLOSURE_REASON_MAX * 4 + 1];
  int cancel;                    /* 1: cancel the bookings; 0: flag them */
};

/* RULE: staff close their home centre (or any, without one); admins any. */
static int may_close(const struct kctx *ctx, const char *center, struct kerrinfo *ei) {
  if (!desk_is_staff(ctx)) return desk_forbidden(ei);
  if (ctx->actor.role == ROLE_STAFF && ctx->actor.home_center[0] &&
      strcmp(ctx->actor.home_center, center) != 0)
    return kerr_set(ei, KERR_FORBIDDEN, "所属する公民館のほかは、職員は休館にできません。");
  return 0;
}

static void parse_dates(struct kctx *ctx, const json_t *in, struct closure_req *c,
                        struct kerrinfo *ei) {
  int32_t f = 0, t = 0, today = clock_today(ctx->now);
  int okf = input_text(in, "from", c->from, sizeof c->from) == INPUT_OK && !date_parse(c->from, &f);
  int okt = input_text(in, "to", c->to, sizeof c->to) == INPUT_OK && !date_parse(c->to, &t);
  if (!okf) kerr_field(ei, "from", "始めの日を YYYY-MM-DD の形で入力してください。");
  else if (f < today) kerr_field(ei, "from", "始めの日は今日以降にしてください。");
  if (!okt) kerr_field(ei, "to", "終わりの日を YYYY-MM-DD の形で入力してください。");
  else if (okf && t < f) kerr_field(ei, "to", "終わりの日は始めの日と同じか、あとにしてください。");
  else if (okf && t - f >= CLOSURE_MAX_DAYS)
    kerr_field(ei, "to", "一度に休館にできるのは366日までです。");
}

static int parse(struct kctx *ctx, const json_t *in, struct closure_req *c, struct kerrinfo *ei) {
  char code[32], mode[16];
  long long room = 0;
  memset(c, 0, sizeof *c);
  if (input_text(in, "center", code, sizeof code) != INPUT_OK ||
      !(c->center = rules_center(ctx->rb, code)))
    kerr_field(ei, "center", "公民館を選んでください。");
  int rr = input_int(in, "room_id", 1, INT64_MAX, &room);
  if (rr == INPUT_BAD || (rr == INPUT_OK && (!(c->room = rules_room_by_id(ctx->rb, room)) ||
                                             c->room->center != c->center)))
    kerr_field(ei, "room_id", "その公民館の部屋を選んでください（全館なら空に）。");
  parse_dates(ctx, in, c, ei);
  int rs = input_text(in, "reason", c->reason, sizeof c->reason);
  if (rs != INPUT_OK || text_utf8_len(c->reason) > CLOSURE_REASON_MAX ||
      text_has_control(c->reason))
    kerr_field(ei, "reason", "理由を100文字以内で入力してください（例: 改修工事、選挙の投票所）。");
  int rm = input_text(in, "bookings", mode, sizeof mode);
  c->cancel = rm == INPUT_MISSING || (rm == INPUT_OK && !strcmp(mode, "cancel"));
  if (!c->cancel && !(rm == INPUT_OK && !strcmp(mode, "flag")))
    kerr_field(ei, "bookings", "予約の扱いは cancel（取り消す）か flag（残して連絡する）です。");
  if (ei->fields) return kerr_set(ei, KERR_VALIDATION, NULL);
  return may_close(ctx, c->center->code, ei);
}

/* The ids of the live bookings (held and unlapsed, or confirmed) that C
** closes, into *IDS (caller frees), *N. */
static int affected_ids(struct kctx *ctx, const struct closure_req *c, int64_t **ids, size_t *n) {
  size_t cap = 0;
  *ids = NULL;
  *n = 0;
  kstmt *st = db_prep(ctx->db,
                      "SELECT id FROM bookings WHERE center = $c AND date >= $f AND date <= $t"
                      " AND ($room = 0 OR room_id = $room) AND (status = 'confirmed'"
                      "  OR (status = 'held' AND hold_expires_at > $now)) ORDER BY date, id");
  if (!st) return KERR_INTERNAL;
  db_bind_text(st, "$c", c->center->code);
  db_bind_text(st, "$f", c->from);
  db_bind_text(st, "$t", c->to);
  db_bind_int(st, "$room", c->room ? c->room->id : 0);
  db_bind_int(st, "$now", ctx->now);
  int rc;
  while ((rc = db_step(st)) == DB_ROW) {
    if (*n == cap) {
      int64_t *more = realloc(*ids, (cap = cap ? cap * 2 : 32) * sizeof *more);
      if (!more) {
        db_reset(st);
        return KERR_INTERNAL;
      }
      *ids = more;
    }
    (*ids)[(*n)++] = db_col_int(st, 0);
  }
  return rc == DB_DONE ? 0 : kerr_from_db(rc);
}

/* Inside the transaction: cancel or flag booking ID for closure CID, and record it. */
static int touch_booking(struct kctx *ctx, int64_t cid, int64_t id, const struct closure_req *c,
                         struct kerrinfo *ei) {
  struct booking b;
  char why[CLOSURE_REASON_MAX * 4 + 32];
  int64_t paid = 0;
  int rc = booking_load(ctx, id, &b);
  if (!rc) rc = payment_paid(ctx, id, &paid);
  if (rc) return rc;
  snprintf(why, sizeof why, "休館（%s）", c->reason);
  /* RULE: a closure by the city cancels without a fee and refunds what was paid. */
  if (c->cancel && (rc = booking_cancel_write(ctx, &b, why, 0, 1, ei))) return rc;
  if ((rc = kerr_from_db(db_run(ctx->db, "INSERT INTO closure_bookings(closure_id, booking_id,"
                                         " outcome, refunded)"
                                         " VALUES ($cid, $bid, $outcome, $refunded)",
                                DB_I("$cid", cid), DB_I("$bid", id),
                                DB_T("$outcome", c->cancel ? "cancelled" : "flagged"),
                                DB_I("$refunded", c->cancel && paid > 0 ? paid : 0)))))
    return rc;
  /* the holder is told by mail too (when mail is on), in this transaction */
  char what[512];
  closures_notice_text(c->cancel ? "cancelled" : "flagged", c->cancel && paid > 0, what,
                       sizeof what);
  snprintf(why, sizeof why, "理由: %s", c->reason);
  return notify_closure(ctx, &b, why, what);
}

/* A usage-log (and, for staff, trail) event about closure ID at CENTER. */
static int note(struct kctx *ctx, const char *action, int64_t id, const char *center, int nc,
                int nf) {
  char detail[96];
  snprintf(detail, sizeof detail, "{\"closure_id\":%lld,\"cancelled\":%d,\"flagged\":%d}",
           (long long)id, nc, nf);
  struct audit_fields f = {.center = center, .detail_json = detail};
  return audit_event(ctx, action, &f);
}

static int insert(struct kctx *ctx, const struct closure_req *c, int64_t *id) {
  int rc = kerr_from_db(db_run(ctx->db,
                               "INSERT INTO closures(center, room_id, date_from, date_to, reason,"
                               " bookings, created_at, created_by)"
                               " VALUES ($c, $room, $f, $t, $reason, $mode, $now, $by)",
                               DB_T("$c", c->center->code),
                               c->room ? DB_I("$room", c->room->id) : DB_T("$room", NULL),
                               DB_T("$f", c->from), DB_T("$t", c->to), DB_T("$reason", c->reason),
                               DB_T("$mode", c->cancel ? "cancel" : "flag"),
                               DB_I("$now", ctx->now), DB_I("$by", ctx->actor.account_id)));
  *id = db_last_id(ctx->db);
  return rc;
}

int closures_create(struct kctx *ctx, const json_t *in, json_t **out, struct kerrinfo *ei) {
  struct closure_req c;
  int64_t id = 0, *ids = NULL;
  size_t n = 0;
  int rc;
  *out = NULL;
  if ((rc = parse(ctx, in, &c, ei))) return rc;
  if ((rc = kerr_from_db(db_begin_write(ctx->db)))) return kerr_set(ei, rc, NULL);
  rc = insert(ctx, &c, &id);
  if (!rc) rc = affected_ids(ctx, &c, &ids, &n);
  for (size_t i = 0; !rc && i < n; i++) rc = touch_booking(ctx, id, ids[i], &c, ei);
  free(ids);
  if (!rc) rc = note(ctx, "closure.create", id, c.center->code, c.cancel ? (int)n : 0,
                     c.cancel ? 0 : (int)n);
  if (rc) {
    db_rollback(ctx->db);
    return ei->code ? ei->code : kerr_set(ei, rc, NULL);
  }
  if ((rc = kerr_from_db(db_commit(ctx->db)))) return kerr_set(ei, rc, NULL);
  avail_touch();
  return closures_get(ctx, id, out, ei);
}

/* ============================================================ reading */

#define CLOSURE_COLS                                                                      \
  "c.id, c.center, c.room_id, c.date_from, c.date_to, c.reason, c.bookings, c.created_at," \
  " c.lifted_at, (SELECT count(*) FROM closure_bookings k WHERE k.closure_id = c.id"       \
  "  AND k.outcome = 'cancelled'), (SELECT count(*) FROM closure_bookings k"              \
  "  WHERE k.closure_id = c.id AND k.outcome = 'flagged')"

/* One row of CLOSURE_COLS as JSON; the counts only for staff. */
static json_t *row_json(struct kctx *ctx, kstmt *st) {
  char at[32];
  const struct center *ce = rules_center(ctx->rb, db_col_text(st, 1));
  clock_format_instant(db_col_int(st, 7), at);
  json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
                        (json_int_t)db_col_int(st, 0), "center", db_col_text(st, 1),
                        "center_name", ce ? ce->name : "", "from", db_col_text(st, 3), "to",
                        db_col_text(st, 4), "reason", db_col_text(st, 5), "bookings",
                        db_col_text(st, 6), "created_at", at);
  if (!o) return NULL;
  if (!db_col_null(st, 2)) {
    const struct room *ro = rules_room_by_id(ctx->rb, db_col_int(st, 2));
    json_object_set_new(o, "room_id", json_integer(db_col_int(st, 2)));
    json_object_set_new(o, "room_name", json_string(ro ? ro->name : ""));
  }
  if (!db_col_null(st, 8)) {
    clock_format_instant(db_col_int(st, 8), at);
    json_object_set_new(o, "lifted_at", json_string(at));
  }
  if (desk_is_staff(ctx)) {
    json_object_set_new(o, "cancelled", json_integer(db_col_int(st, 9)));
    json_object_set_new(o, "flagged", json_integer(db_col_int(st, 10)));
  }
  return o;
}

/* Step ST (selecting CLOSURE_COLS) into a new array in *OUT. */
static int rows(struct kctx *ctx, kstmt *st, json_t **out) {
  int rc;
  *out = json_array();
  while ((rc = db_step(st)) == DB_ROW) json_array_append_new(*out, row_json(ctx, st));
  if (rc == DB_DONE) return 0;
  json_decref(*out);
  *out = NULL;
  return kerr_from_db(rc);
}

int closures_list(struct kctx *ctx, const char *center, int32_t from, int lifted, json_t **out,
                  struct kerrinfo *ei) {
  char f[11];
  json_t *arr = NULL;
  *out = NULL;
  date_format(from ? from : clock_today(ctx->now), f);
  kstmt *st = db_prep(ctx->db,
                      "SELECT " CLOSURE_COLS " FROM closures c WHERE c.date_to >= $f"
                      " AND ($c = '' OR c.center = $c) AND ($lifted OR c.lifted_at IS NULL)"
                      " ORDER BY c.date_from, c.id LIMIT 500");
  if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
  db_bind_text(st, "$f", f);
  db_bind_text(st, "$c", center ? center : "");
  db_bind_int(st, "$lifted", lifted);
  int rc = rows(ctx, st, &arr);
  if (rc) return kerr_set(ei, rc, NULL);
  *out = json_pack("{s:o}", "closures", arr);
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}

/* The bookings closure ID touched, as "affected". */
static json_t *affected_json(struct kctx *ctx, int64_t id) {
  kstmt *st = db_prep(ctx->db,
                      "SELECT k.booking_id, b.date, b.slots, b.room_id, k.outcome, k.refunded"
                      " FROM closure_bookings k JOIN bookings b ON b.id = k.booking_id"
                      " WHERE k.closure_id = $id ORDER BY b.date, b.id");
  if (!st) return NULL;
  db_bind_int(st, "$id", id);
  json_t *arr = json_array();
  while (db_step(st) == DB_ROW)
    json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:I, s:s, s:I}", "booking_id",
                                         (json_int_t)db_col_int(st, 0), "date",
                                         db_col_text(st, 1), "slots", db_col_text(st, 2),
                                         "room_id", (json_int_t)db_col_int(st, 3), "outcome",
                                         db_col_text(st, 4), "refunded",
                                         (json_int_t)db_col_int(st, 5)));
  db_reset(st);
  return arr;
}

/* Closure ID as JSON (no access check) into *OUT; KERR_NOT_FOUND. */
static int load_json(struct kctx *ctx, int64_t id, json_t **out) {
  json_t *arr = NULL;
  kstmt *st = db_prep(ctx->db, "SELECT " CLOSURE_COLS " FROM closures c WHERE c.id = $id");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", id);
  int rc = rows(ctx, st, &arr);
  if (rc) return rc;
  *out = json_incref(json_array_get(arr, 0));
  json_decref(arr);
  return *out ? 0 : KERR_NOT_FOUND;
}

int closures_get(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei) {
  *out = NULL;
  if (!desk_is_staff(ctx)) return desk_forbidden(ei);
  int rc = load_json(ctx, id, out);
  if (rc == KERR_NOT_FOUND) return kerr_set(ei, rc, "休館の記録が見つかりません。");
  if (rc) return kerr_set(ei, rc, NULL);
  json_object_set_new(*out, "affected", affected_json(ctx, id));
  return 0;
}

int closures_lift(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei) {
  json_t *cur = NULL;
  *out = NULL;
  if (!desk_is_staff(ctx)) return desk_forbidden(ei);
  int rc = load_json(ctx, id, &cur);
  if (rc == KERR_NOT_FOUND) return kerr_set(ei, rc, "休館の記録が見つかりません。");
  if (rc) return kerr_set(ei, rc, NULL);
  char center[32];
  snprintf(center, sizeof center, "%s", json_string_value(json_object_get(cur, "center")));
  int lifted = json_object_get(cur, "lifted_at") != NULL;
  json_decref(cur);
  if ((rc = may_close(ctx, center, ei))) return rc;
  if (lifted) return kerr_set(ei, KERR_CONFLICT, "この休館は、すでに取り消されています。");
  if ((rc = kerr_from_db(db_begin_write(ctx->db)))) return kerr_set(ei, rc, NULL);
  rc = kerr_from_db(db_run(ctx->db, "UPDATE closures SET lifted_at = $now, lifted_by = $by"
                                    " WHERE id = $id AND lifted_at IS NULL",
                           DB_I("$now", ctx->now), DB_I("$by", ctx->actor.account_id),
                           DB_I("$id", id)));
  if (!rc) rc = note(ctx, "closure.lift", id, center, 0, 0);
  if (rc) db_rollback(ctx->db);
  else rc = kerr_from_db(db_commit(ctx->db));
  if (rc) return kerr_set(ei, rc, NULL);
  avail_touch();
  return closures_get(ctx, id, out, ei);
}

/* ============================================================ notices */

void closures_notice_text(const char *outcome, int refunded, char *out, size_t n) {
  if (!strcmp(outcome, "cancelled"))
    snprintf(out, n, "休館のため、この予約は市が取り消しました。取消料はかかりません。%s",
             refunded ? "お支払いの使用料は全額お返しします（公民館の窓口でお受け取りください）。"
                      : "");
  else
    snprintf(out, n, "この日は休館になりました。予約は残してあります。公民館から連絡しますので、"
                     "日や部屋の変更、取り消し（取消料なし）は窓口でご相談ください。");
}

int closures_mine(struct kctx *ctx, json_t **out, struct kerrinfo *ei) {
  char since[11];
  *out = NULL;
  if (ctx->actor.role != ROLE_CITIZEN) return kerr_set(ei, KERR_FORBIDDEN, NULL);
  date_format(clock_today(ctx->now) - 30, since);
  kstmt *st = db_prep(ctx->db,
                      "SELECT c.id, b.id, b.date, b.slots, c.center, b.room_id, c.reason,"
                      " k.outcome, k.refunded, c.created_at FROM closure_bookings k"
                      " JOIN closures c ON c.id = k.closure_id JOIN bookings b ON b.id = k.booking_id"
                      " WHERE b.account_id = $me AND b.date >= $since"
                      " ORDER BY c.created_at DESC, b.date, b.id LIMIT 100");
  if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
  db_bind_int(st, "$me", ctx->actor.account_id);
  db_bind_text(st, "$since", since);
  json_t *arr = json_array();
  int rc;
  while ((rc = db_step(st)) == DB_ROW) {
    char at[32];
    const struct center *ce = rules_center(ctx->rb, db_col_text(st, 4));
    const struct room *ro = rules_room_by_id(ctx->rb, db_col_int(st, 5));
    clock_format_instant(db_col_int(st, 9), at);
    json_array_append_new(
        arr, json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "closure_id",
                       (json_int_t)db_col_int(st, 0), "booking_id", (json_int_t)db_col_int(st, 1),
                       "date", db_col_text(st, 2), "slots", db_col_text(st, 3), "center",
                       db_col_text(st, 4), "center_name", ce ? ce->name : "", "room_name",
                       ro ? ro->name : "", "reason", db_col_text(st, 6), "outcome",
                       db_col_text(st, 7), "refunded", (json_int_t)db_col_int(st, 8), "at", at));
  }
  if (rc != DB_DONE) {
    json_decref(arr);
    return kerr_set(ei, kerr_from_db(rc), NULL);
  }
  *out = json_pack("{s:o}", "notices", arr);
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}
