/*
** core/audit.c: the usage log (see audit.h).
*/
#include "audit.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "trail.h"

/* The keyed pseudonym of the identifier ID (text) of KIND into OUT (33
** bytes): BLAKE2b keyed with the pseudonym key over "KIND:ID". */
static void pseudo(const unsigned char *key, int kind, const char *id, char *out) {
  unsigned char h[16];
  char head[2] = {(char)kind, ':'};
  crypto_generichash_state st;
  crypto_generichash_init(&st, key, crypto_generichash_KEYBYTES, sizeof h);
  crypto_generichash_update(&st, (const unsigned char *)head, 2);
  crypto_generichash_update(&st, (const unsigned char *)id, strlen(id));
  crypto_generichash_final(&st, h, sizeof h);
  sodium_bin2hex(out, 33, h, sizeof h);
}

int audit_pseudonym_text(kdb *db, int kind, const char *id, char *out) {
  struct kkeys k;
  out[0] = 0;
  int rc = keys_get(db, &k);
  if (rc) return rc;
  pseudo(k.pseudonym, kind, id, out);
  sodium_memzero(&k, sizeof k);
  return 0;
}

int audit_pseudonym(kdb *db, int kind, int64_t id, char *out) {
  char text[24];
  snprintf(text, sizeof text, "%lld", (long long)id);
  return audit_pseudonym_text(db, kind, text, out);
}

/* The identifiers in an event's detail that are printed on a citizen's
** documents (the booking number on the permit, the receipt numbers of
** payments and forms, the number of an exemption application): whoever holds
** the document could otherwise find their own line in the log and so learn
** their pseudonym, and with it all they did. Each is replaced by its keyed
** pseudonym, so analysts can still join the events of one booking. */
static const struct {
  const char *key;
  int kind;
} documented[] = {{"booking_id", AUDIT_BOOKING},
                  {"receipt", AUDIT_RECEIPT},
                  {"application_id", AUDIT_APPLICATION}};

/* DETAIL with its documented identifiers pseudonymised with KEY, malloc'd
** (the caller frees); NULL when out of memory. Text that is not a JSON
** object (never written so) is kept as it is. */
static char *pseudonymise_detail(const char *detail, const unsigned char *key) {
  json_t *d = json_loads(detail, JSON_REJECT_DUPLICATES, NULL);
  if (!json_is_object(d)) {
    json_decref(d);
    fprintf(stderr, "audit: an event detail is not a JSON object: kept as it is\n");
    return strdup(detail);
  }
  for (size_t i = 0; i < sizeof documented / sizeof documented[0]; i++) {
    json_t *v = json_object_get(d, documented[i].key);
    char text[64], p[33];
    if (json_is_integer(v)) snprintf(text, sizeof text, "%lld", (long long)json_integer_value(v));
    else if (json_is_string(v)) snprintf(text, sizeof text, "%s", json_string_value(v));
    else continue;
    pseudo(key, documented[i].kind, text, p);
    json_object_set_new(d, documented[i].key, json_string(p));
  }
  char *out = json_dumps(d, JSON_COMPACT);
  json_decref(d);
  return out;
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
  char actor[33] = "", subject[33] = "", *detail = NULL;
  struct kkeys k;
  if (!f) f = &none;
  int rc = keys_get(ctx->db, &k);
  if (rc) return rc;
  if (ctx->actor.account_id > 0) {
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)ctx->actor.account_id);
    pseudo(k.pseudonym, AUDIT_ACCOUNT, id, actor);
  }
  if (f->subject_group > 0 || f->subject_account > 0) {
    char id[24];
    snprintf(id, sizeof id, "%lld",
             (long long)(f->subject_group > 0 ? f->subject_group : f->subject_account));
    pseudo(k.pseudonym, f->subject_group > 0 ? AUDIT_GROUP : AUDIT_ACCOUNT, id, subject);
  }
  if (f->detail_json && !(detail = pseudonymise_detail(f->detail_json, k.pseudonym))) {
    sodium_memzero(&k, sizeof k);
    return KERR_INTERNAL;
  }
  sodium_memzero(&k, sizeof k);

  kstmt *st = db_prep(ctx->db,
                      "INSERT INTO events(at, action, center, room_id, date, slot, channel,"
                      " actor_role, actor, subject, amount, detail)"
                      " VALUES ($at, $action, $center, $room, $date, $slot, $channel,"
                      " $role, $actor, $subject, $amount, $detail)");
  if (!st) {
    free(detail);
    return KERR_INTERNAL;
  }
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
  db_bind_text(st, "$detail", detail);
  free(detail);
  rc = kerr_from_db(db_exec_stmt(st));
  if (rc) return rc;
  return trail_actor_recorded(ctx) ? to_trail(ctx, action, f) : 0;
}
