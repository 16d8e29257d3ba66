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
#include "vec.h"

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
  int rr = input_int(in, "room_id", ctx->form, 1, INT64_MAX, &room);
  if (rr == INPUT_BAD || (rr == INPUT_OK && (!(c->room = rules_room_by_id(ctx->rb, room)) ||
                                             c->room->center != c->center)))
    kerr_field(ei, "room_id", input_int_message(in, "room_id", ctx->form,
                                                "その公民館の部屋を選んでください（全館なら空に）。"));
  parse_dates(ctx, in, c, ei);
  int rs = input_text(in, "reason", c->reason, sizeof c->reason);
  if (rs != INPUT_OK || text_utf8_len(c->reason) > CLOSURE_REASON_MAX ||
      text_has_control(c->reason))
    kerr_field(ei, "reason", "理由を100文字以内で入力してください（例: 改修工事、選挙の投票所）。");
  int rm = input_text(in, "bookings", mode, sizeof mode);
  enum closure_mode m = rm == INPUT_OK ? closure_mode_parse(mode) : CLOSURE_MODE_UNKNOWN;
  c->cancel = rm == INPUT_MISSING || m == CLOSURE_CANCEL;
  if (!c->cancel && m != CLOSURE_FLAG)
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
  enum closure_outcome outcome = c->cancel ? CLOSURE_CANCELLED : CLOSURE_FLAGGED;
  snprintf(why, sizeof why, "休館（%s）", c->reason);
  /* RULE: a closure by the city cancels without a fee and refunds what was paid. */
  if (c->cancel && (rc = booking_cancel_write(ctx, &b, why, 0, CANCEL_FOR_CITY, 1, ei))) return rc;
  if ((rc = kerr_from_db(db_run(ctx->db, "INSERT INTO closure_bookings(closure_id, booking_id,"
                                         " outcome, refunded)"
                                         " VALUES ($cid, $bid, $outcome, $refunded)",
                                DB_I("$cid", cid), DB_I("$bid", id),
                                DB_T("$outcome", closure_outcome_name(outcome)),
                                DB_I("$refunded", c->cancel && paid > 0 ? paid : 0)))))
    return rc;
  /* the holder is told by mail too (when mail is on), in this transaction */
  char what[512];
  closures_notice_text(outcome, c->cancel && paid > 0, what, sizeof what);
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
                               DB_T("$mode", closure_mode_name(c->cancel ? CLOSURE_CANCEL
                                                                         : CLOSURE_FLAG)),
                               DB_I("$now", ctx->now), DB_I("$by", ctx->actor.account_id)));
  *id = db_last_id(ctx->db);
  return rc;
}

int closures_create_id(struct kctx *ctx, const json_t *in, int64_t *id, struct kerrinfo *ei) {
  struct closure_req c;
  int64_t *ids = NULL;
  size_t n = 0;
  int rc;
  *id = 0;
  if ((rc = parse(ctx, in, &c, ei))) return rc;
  if ((rc = kerr_from_db(db_begin_write(ctx->db)))) return kerr_set(ei, rc, NULL);
  rc = insert(ctx, &c, id);
  if (!rc) rc = affected_ids(ctx, &c, &ids, &n);
  for (size_t i = 0; !rc && i < n; i++) rc = touch_booking(ctx, *id, ids[i], &c, ei);
  free(ids);
  if (!rc) rc = note(ctx, "closure.create", *id, c.center->code, c.cancel ? (int)n : 0,
                     c.cancel ? 0 : (int)n);
  if (rc) {
    db_rollback(ctx->db);
    *id = 0;
    return ei->code ? ei->code : kerr_set(ei, rc, NULL);
  }
  if ((rc = kerr_from_db(db_commit(ctx->db)))) {
    *id = 0;
    return kerr_set(ei, rc, NULL);
  }
  avail_touch();
  return 0;
}

int closures_create(struct kctx *ctx, const json_t *in, json_t **out, struct kerrinfo *ei) {
  int64_t id;
  *out = NULL;
  int rc = closures_create_id(ctx, in, &id, ei);
  return rc ? rc : closures_get(ctx, id, out, ei);
}

/* ============================================================ reading */

#define CLOSURE_COLS                                                                      \
  "c.id, c.center, c.room_id, c.date_from, c.date_to, c.reason, c.bookings, c.created_at," \
  " c.lifted_at, (SELECT count(*) FROM closure_bookings k WHERE k.closure_id = c.id"       \
  "  AND k.outcome = 'cancelled'), (SELECT count(*) FROM closure_bookings k"              \
  "  WHERE k.closure_id = c.id AND k.outcome = 'flagged')"

/* One row of CLOSURE_COLS into *V; the counts only for staff. */
static void row_view(struct kctx *ctx, kstmt *st, struct closure_view *v) {
  memset(v, 0, sizeof *v);
  v->id = db_col_int(st, 0);
  snprintf(v->center, sizeof v->center, "%s", db_col_text(st, 1));
  const struct center *ce = rules_center(ctx->rb, v->center);
  v->center_name = ce ? ce->name : "";
  if (!db_col_null(st, 2)) {
    const struct room *ro = rules_room_by_id(ctx->rb, db_col_int(st, 2));
    v->room_id = db_col_int(st, 2);
    v->room_name = ro ? ro->name : "";
  }
  snprintf(v->from, sizeof v->from, "%s", db_col_text(st, 3));
  snprintf(v->to, sizeof v->to, "%s", db_col_text(st, 4));
  snprintf(v->reason, sizeof v->reason, "%s", db_col_text(st, 5));
  v->mode = closure_mode_parse(db_col_text(st, 6));
  v->created_at = db_col_int(st, 7);
  v->lifted_at = db_col_null(st, 8) ? 0 : db_col_int(st, 8);
  if ((v->has_counts = desk_is_staff(ctx))) {
    v->cancelled = db_col_int(st, 9);
    v->flagged = db_col_int(st, 10);
  }
}

json_t *closure_view_json(const struct closure_view *v) {
  char at[32];
  clock_format_instant(v->created_at, at);
  json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)v->id,
                        "center", v->center, "center_name", v->center_name, "from", v->from,
                        "to", v->to, "reason", v->reason, "bookings",
                        closure_mode_name(v->mode), "created_at", at);
  if (!o) return NULL;
  if (v->room_id) {
    json_object_set_new(o, "room_id", json_integer(v->room_id));
    json_object_set_new(o, "room_name", json_string(v->room_name));
  }
  if (v->lifted_at) {
    clock_format_instant(v->lifted_at, at);
    json_object_set_new(o, "lifted_at", json_string(at));
  }
  if (v->has_counts) {
    json_object_set_new(o, "cancelled", json_integer(v->cancelled));
    json_object_set_new(o, "flagged", json_integer(v->flagged));
  }
  return o;
}

/* Step ST (selecting CLOSURE_COLS) into *OUT (malloc'd, *N of them). */
static int views(struct kctx *ctx, kstmt *st, struct closure_view **out, int *n) {
  struct closure_view *v = NULL;
  int rc, cap = 0;
  *out = NULL;
  *n = 0;
  while ((rc = db_step(st)) == DB_ROW) {
    if (vec_grow((void **)&v, *n, &cap, sizeof *v)) {
      rc = DB_ERROR;
      break;
    }
    row_view(ctx, st, &v[(*n)++]);
  }
  return vec_rows_end(st, rc, v, (void **)out, n);
}

int closure_views_list(struct kctx *ctx, const char *center, int32_t from, int lifted,
                       struct closure_view **out, int *n, struct kerrinfo *ei) {
  char f[11];
  *out = NULL;
  *n = 0;
  date_format(from ? from : clock_today(ctx->now), f);
  kstmt *st = db_prep(ctx->db,
                      "SELECT " CLOSURE_COLS " FROM closures c WHERE c.date_to >= $f"
                      " AND ($c = '' OR c.center = $c) AND ($lifted OR c.lifted_at IS NULL)"
                      " ORDER BY c.date_from, c.id LIMIT 500");
  if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
  db_bind_text(st, "$f", f);
  db_bind_text(st, "$c", center ? center : "");
  db_bind_int(st, "$lifted", lifted);
  int rc = views(ctx, st, out, n);
  return rc ? kerr_set(ei, rc, NULL) : 0;
}

int closures_list(struct kctx *ctx, const char *center, int32_t from, int lifted, json_t **out,
                  struct kerrinfo *ei) {
  struct closure_view *v;
  int n, rc = closure_views_list(ctx, center, from, lifted, &v, &n, ei);
  *out = NULL;
  if (rc) return rc;
  json_t *arr = json_array();
  for (int i = 0; i < n; i++) json_array_append_new(arr, closure_view_json(&v[i]));
  free(v);
  *out = json_pack("{s:o}", "closures", arr);
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}

/* The bookings closure D->c.id touched into D's affected. */
static int load_affected(struct kctx *ctx, struct closure_detail *d) {
  kstmt *st = db_prep(ctx->db,
                      "SELECT k.booking_id, b.date, b.slots, b.room_id, k.outcome, k.refunded"
                      " FROM closure_bookings k JOIN bookings b ON b.id = k.booking_id"
                      " WHERE k.closure_id = $id ORDER BY b.date, b.id");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", d->c.id);
  int cap = 0, rc = 0;
  while (db_step(st) == DB_ROW) {
    if (vec_grow((void **)&d->affected, d->naffected, &cap, sizeof *d->affected)) {
      rc = KERR_INTERNAL;
      break;
    }
    struct closure_affected *a = &d->affected[d->naffected++];
    a->booking_id = db_col_int(st, 0);
    snprintf(a->date, sizeof a->date, "%s", db_col_text(st, 1));
    snprintf(a->slots, sizeof a->slots, "%s", db_col_text(st, 2));
    a->room_id = db_col_int(st, 3);
    a->outcome = closure_outcome_parse(db_col_text(st, 4));
    a->refunded = db_col_int(st, 5);
  }
  db_reset(st);
  return rc;
}

/* Closure ID (no access check) into *V; KERR_NOT_FOUND. */
static int load_view(struct kctx *ctx, int64_t id, struct closure_view *v) {
  struct closure_view *all;
  int n;
  kstmt *st = db_prep(ctx->db, "SELECT " CLOSURE_COLS " FROM closures c WHERE c.id = $id");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", id);
  int rc = views(ctx, st, &all, &n);
  if (rc) return rc;
  if (n) *v = all[0];
  free(all);
  return n ? 0 : KERR_NOT_FOUND;
}

void closure_detail_free(struct closure_detail *d) {
  free(d->affected);
  d->affected = NULL;
  d->naffected = 0;
}

json_t *closure_detail_json(const struct closure_detail *d) {
  json_t *o = closure_view_json(&d->c), *arr = json_array();
  for (int i = 0; i < d->naffected; i++) {
    const struct closure_affected *a = &d->affected[i];
    json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:I, s:s, s:I}", "booking_id",
                                         (json_int_t)a->booking_id, "date", a->date, "slots",
                                         a->slots, "room_id", (json_int_t)a->room_id, "outcome",
                                         closure_outcome_name(a->outcome), "refunded",
                                         (json_int_t)a->refunded));
  }
  if (o) json_object_set_new(o, "affected", arr);
  else json_decref(arr);
  return o;
}

int closure_detail_get(struct kctx *ctx, int64_t id, struct closure_detail *d,
                       struct kerrinfo *ei) {
  memset(d, 0, sizeof *d);
  if (!desk_is_staff(ctx)) return desk_forbidden(ei);
  int rc = load_view(ctx, id, &d->c);
  if (rc == KERR_NOT_FOUND) return kerr_set(ei, rc, "休館の記録が見つかりません。");
  if (!rc) rc = load_affected(ctx, d);
  return rc ? kerr_set(ei, rc, NULL) : 0;
}

int closures_get(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei) {
  struct closure_detail d;
  *out = NULL;
  int rc = closure_detail_get(ctx, id, &d, ei);
  if (!rc && !(*out = closure_detail_json(&d))) rc = kerr_set(ei, KERR_INTERNAL, NULL);
  closure_detail_free(&d);
  return rc;
}

int closures_lift(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei) {
  struct closure_view cur;
  *out = NULL;
  if (!desk_is_staff(ctx)) return desk_forbidden(ei);
  int rc = load_view(ctx, id, &cur);
  if (rc == KERR_NOT_FOUND) return kerr_set(ei, rc, "休館の記録が見つかりません。");
  if (rc) return kerr_set(ei, rc, NULL);
  if ((rc = may_close(ctx, cur.center, ei))) return rc;
  if (cur.lifted_at) return kerr_set(ei, KERR_CONFLICT, "この休館は、すでに取り消されています。");
  if ((rc = kerr_from_db(db_begin_write(ctx->db)))) return kerr_set(ei, rc, NULL);
  rc = kerr_from_db(db_run(ctx->db, "UPDATE closures SET lifted_at = $now, lifted_by = $by"
                                    " WHERE id = $id AND lifted_at IS NULL",
                           DB_I("$now", ctx->now), DB_I("$by", ctx->actor.account_id),
                           DB_I("$id", id)));
  if (!rc) rc = note(ctx, "closure.lift", id, cur.center, 0, 0);
  if (rc) db_rollback(ctx->db);
  else rc = kerr_from_db(db_commit(ctx->db));
  if (rc) return kerr_set(ei, rc, NULL);
  avail_touch();
  return closures_get(ctx, id, out, ei);
}

/* ============================================================ notices */

void closures_notice_text(enum closure_outcome outcome, int refunded, char *out, size_t n) {
  if (outcome == CLOSURE_CANCELLED)
    snprintf(out, n, "休館のため、この予約は市が取り消しました。取消料はかかりません。%s",
             refunded ? "お支払いの使用料は全額お返しします（公民館の窓口でお受け取りください）。"
                      : "");
  else
    snprintf(out, n, "この日は休館になりました。予約は残してあります。公民館から連絡しますので、"
                     "日や部屋の変更、取り消し（取消料なし）は窓口でご相談ください。");
}

/* One row of closure_notices_mine's query into *N. */
static void notice_of_row(struct kctx *ctx, kstmt *st, struct closure_notice *n) {
  memset(n, 0, sizeof *n);
  n->closure_id = db_col_int(st, 0);
  n->booking_id = db_col_int(st, 1);
  snprintf(n->date, sizeof n->date, "%s", db_col_text(st, 2));
  snprintf(n->slots, sizeof n->slots, "%s", db_col_text(st, 3));
  snprintf(n->center, sizeof n->center, "%s", db_col_text(st, 4));
  const struct center *ce = rules_center(ctx->rb, n->center);
  const struct room *ro = rules_room_by_id(ctx->rb, db_col_int(st, 5));
  n->center_name = ce ? ce->name : "";
  n->room_name = ro ? ro->name : "";
  snprintf(n->reason, sizeof n->reason, "%s", db_col_text(st, 6));
  n->outcome = closure_outcome_parse(db_col_text(st, 7));
  n->refunded = db_col_int(st, 8);
  n->at = db_col_int(st, 9);
}

int closure_notices_mine(struct kctx *ctx, struct closure_notice **out, int *n,
                         struct kerrinfo *ei) {
  char since[11];
  *out = NULL;
  *n = 0;
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
  struct closure_notice *v = NULL;
  int rc, cap = 0;
  while ((rc = db_step(st)) == DB_ROW) {
    if (vec_grow((void **)&v, *n, &cap, sizeof *v)) {
      rc = DB_ERROR;
      break;
    }
    notice_of_row(ctx, st, &v[(*n)++]);
  }
  rc = vec_rows_end(st, rc, v, (void **)out, n);
  return rc ? kerr_set(ei, rc, NULL) : 0;
}

json_t *closure_notice_json(const struct closure_notice *n) {
  char at[32];
  clock_format_instant(n->at, at);
  return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "closure_id",
                   (json_int_t)n->closure_id, "booking_id", (json_int_t)n->booking_id, "date",
                   n->date, "slots", n->slots, "center", n->center, "center_name",
                   n->center_name, "room_name", n->room_name, "reason", n->reason, "outcome",
                   closure_outcome_name(n->outcome), "refunded", (json_int_t)n->refunded, "at",
                   at);
}

int closures_mine(struct kctx *ctx, json_t **out, struct kerrinfo *ei) {
  struct closure_notice *v;
  int n, rc = closure_notices_mine(ctx, &v, &n, ei);
  *out = NULL;
  if (rc) return rc;
  json_t *arr = json_array();
  for (int i = 0; i < n; i++) json_array_append_new(arr, closure_notice_json(&v[i]));
  free(v);
  *out = json_pack("{s:o}", "notices", arr);
  return *out ? 0 : kerr_set(ei, KERR_INTERNAL, NULL);
}
