/*
** core/audit.c: the usage log (see audit.h).
*/
#include "audit.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trail.h"

/* The pseudonym key, from server_keys; created on first use. Read each time
** rather than cached in the process: one indexed read of a prepared
** statement is cheap next to the write it accompanies, and a cache would have
** to know which database it belongs to (tests open many). */
static int pseudonym_key(kdb *db, unsigned char key[crypto_generichash_KEYBYTES]) {
  for (int attempt = 0; attempt < 2; attempt++) {
    kstmt *st = db_prep(db, "SELECT value FROM server_keys WHERE name = 'pseudonym_key'");
    if (!st) return KERR_INTERNAL;
    int rc = db_step(st);
    if (rc == DB_ROW) {
      size_t n = 0;
      const void *v = db_col_blob(st, 0, &n);
      int ok = v && n == crypto_generichash_KEYBYTES;
      if (ok) memcpy(key, v, n);
      db_reset(st);
      if (!ok) {
        fprintf(stderr, "audit: server_keys.pseudonym_key has the wrong length\n");
        return KERR_INTERNAL;
      }
      return 0;
    }
    db_reset(st);
    if (rc != DB_DONE) return kerr_from_db(rc);
    /* First use: make one. OR IGNORE: should another process have won the
    ** race, the SELECT above reads its key on the second round. */
    unsigned char fresh[crypto_generichash_KEYBYTES];
    randombytes_buf(fresh, sizeof fresh);
    st = db_prep(db, "INSERT OR IGNORE INTO server_keys(name, value) VALUES ('pseudonym_key', $v)");
    if (!st) return KERR_INTERNAL;
    db_bind_blob(st, "$v", fresh, sizeof fresh);
    sodium_memzero(fresh, sizeof fresh);
    if ((rc = db_exec_stmt(st)) != DB_OK) return kerr_from_db(rc);
  }
  return KERR_INTERNAL;
}

int audit_pseudonym(kdb *db, int kind, int64_t id, char *out) {
  unsigned char key[crypto_generichash_KEYBYTES], h[16];
  char msg[32];
  out[0] = 0;
  int rc = pseudonym_key(db, key);
  if (rc) return rc;
  int n = snprintf(msg, sizeof msg, "%c:%lld", kind, (long long)id);
  crypto_generichash(h, sizeof h, (const unsigned char *)msg, (unsigned long long)n, key,
                     sizeof key);
  sodium_memzero(key, sizeof key);
  sodium_bin2hex(out, 33, h, sizeof h);
  return 0;
}

/* The audit trail's row for an event by staff or an admin (core/trail.c):
** the same action, with the record it touched and the facts in clear. */
static int to_trail(struct kctx *ctx, const char *action, const struct audit_fields *f) {
  char target[64] = "";
  json_t *d = f->detail_json ? json_loads(f->detail_json, 0, NULL) : NULL;
  if (!json_is_object(d)) {
    json_decref(d);
    d = json_object();
  }
  if (!d) return KERR_INTERNAL;
  json_t *booking = json_object_get(d, "booking_id");
  if (json_is_integer(booking))
    snprintf(target, sizeof target, "booking:%lld", (long long)json_integer_value(booking));
  else if (f->subject_group > 0)
    snprintf(target, sizeof target, "group:%lld", (long long)f->subject_group);
  else if (f->subject_account > 0)
    snprintf(target, sizeof target, "account:%lld", (long long)f->subject_account);
  else if (f->room_id > 0)
    snprintf(target, sizeof target, "room:%lld", (long long)f->room_id);
  if (f->center) json_object_set_new(d, "center", json_string(f->center));
  if (f->room_id > 0) json_object_set_new(d, "room_id", json_integer(f->room_id));
  if (f->date) json_object_set_new(d, "date", json_string(f->date));
  if (f->slot) json_object_set_new(d, "slot", json_string(f->slot));
  if (f->subject_group > 0) json_object_set_new(d, "group_id", json_integer(f->subject_group));
  if (f->amount) json_object_set_new(d, "amount", json_integer(f->amount));
  if (ctx->channel) json_object_set_new(d, "channel", json_string(ctx->channel));
  char *detail = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(d);
  if (!detail) return KERR_INTERNAL;
  int rc = trail_record(ctx, action, target, f->subject_account, detail);
  free(detail);
  return rc;
}

int audit_event(struct kctx *ctx, const char *action, const struct audit_fields *f) {
  static const struct audit_fields none;
  char actor[33] = "", subject[33] = "";
  int rc = 0;
  if (!f) f = &none;
  if (ctx->actor.account_id > 0 &&
      (rc = audit_pseudonym(ctx->db, AUDIT_ACCOUNT, ctx->actor.account_id, actor)))
    return rc;
  if (f->subject_group > 0) rc = audit_pseudonym(ctx->db, AUDIT_GROUP, f->subject_group, subject);
  else if (f->subject_account > 0)
    rc = audit_pseudonym(ctx->db, AUDIT_ACCOUNT, f->subject_account, subject);
  if (rc) return rc;

  kstmt *st = db_prep(ctx->db,
                      "INSERT INTO events(at, action, center, room_id, date, slot, channel,"
                      " actor_role, actor, subject, amount, detail)"
                      " VALUES ($at, $action, $center, $room, $date, $slot, $channel,"
                      " $role, $actor, $subject, $amount, $detail)");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$at", ctx->now);
  db_bind_text(st, "$action", action);
  db_bind_text(st, "$center", f->center && f->center[0] ? f->center : NULL);
  if (f->room_id > 0) db_bind_int(st, "$room", f->room_id);
  else db_bind_null(st, "$room");
  db_bind_text(st, "$date", f->date && f->date[0] ? f->date : NULL);
  db_bind_text(st, "$slot", f->slot && f->slot[0] ? f->slot : NULL);
  db_bind_text(st, "$channel", ctx->channel ? ctx->channel : "online");
  db_bind_text(st, "$role", role_name(ctx->actor.role));
  db_bind_text(st, "$actor", actor[0] ? actor : NULL);
  db_bind_text(st, "$subject", subject[0] ? subject : NULL);
  if (f->amount) db_bind_int(st, "$amount", f->amount);
  else db_bind_null(st, "$amount");
  db_bind_text(st, "$detail", f->detail_json);
  if ((rc = kerr_from_db(db_exec_stmt(st)))) return rc;
  return trail_actor_recorded(ctx) ? to_trail(ctx, action, f) : 0;
}
