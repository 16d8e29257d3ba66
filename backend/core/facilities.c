/*
** core/facilities.c: the centres and rooms of the rule book, mirrored into
** the database so that bookings can refer to rooms by a stable id.
*/
#include "facilities.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kerr.h"
#include "text.h"

int facilities_sync(kdb *db, struct rulebook *rb) {
  int rc = db_begin_write(db);
  if (rc != DB_OK) return kerr_from_db(rc);
  rc = db_exec(db, "UPDATE rooms SET active = 0");
  for (int c = 0; rc == DB_OK && c < rb->ncenters; c++) {
    struct center *ce = &rb->centers[c];
    if ((rc = db_run(db,
                     "INSERT INTO centers(code, name) VALUES ($code, $name)"
                     " ON CONFLICT(code) DO UPDATE SET name = excluded.name",
                     DB_T("$code", ce->code), DB_T("$name", ce->name))) != DB_OK)
      break;
    for (int r = 0; r < ce->nrooms; r++) {
      struct room *ro = &ce->rooms[r];
      kstmt *st = db_prep(db,
                          "INSERT INTO rooms(center_code, code, name, kind, capacity, fee_class, active)"
                          " VALUES ($c, $code, $name, $kind, $cap, $fee, 1)"
                          " ON CONFLICT(center_code, code) DO UPDATE SET name = excluded.name,"
                          " kind = excluded.kind, capacity = excluded.capacity,"
                          " fee_class = excluded.fee_class, active = 1"
                          " RETURNING id");
      if (!st) goto fail;
      db_bind_text(st, "$c", ce->code);
      db_bind_text(st, "$code", ro->code);
      db_bind_text(st, "$name", ro->name);
      db_bind_text(st, "$kind", ro->kind);
      db_bind_int(st, "$cap", ro->capacity);
      db_bind_text(st, "$fee", ro->fee_class);
      rc = db_step(st);
      if (rc != DB_ROW) break;
      ro->id = db_col_int(st, 0);
      db_reset(st);
      rc = DB_OK;
    }
  }
  if (rc != DB_OK) goto fail;
  rc = db_commit(db);
  return kerr_from_db(rc);
fail:
  db_rollback(db);
  return rc == DB_OK ? KERR_INTERNAL : kerr_from_db(rc);
}

int facilities_rooms_illustrative(const struct center *ce) {
  return ce && !strcmp(ce->kind, "市民サービスセンター");
}

json_t *facilities_room_json(const struct room *ro) {
  json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:i, s:s}", "id", (json_int_t)ro->id, "code",
                        ro->code, "name", ro->name, "kind", ro->kind, "capacity", ro->capacity,
                        "fee_class", ro->fee_class);
  if (o && facilities_rooms_illustrative(ro->center))
    json_object_set_new(o, "illustrative", json_true());
  return o;
}

json_t *facilities_json(const struct rulebook *rb) {
  json_t *centers = json_array();
  for (int c = 0; c < rb->ncenters; c++) {
    const struct center *ce = &rb->centers[c];
    json_t *rooms = json_array();
    for (int r = 0; r < ce->nrooms; r++)
      json_array_append_new(rooms, facilities_room_json(&ce->rooms[r]));
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:o}", "code", ce->code,
                          "name", ce->name, "name_kana", ce->kana, "kind", ce->kind, "address",
                          ce->address, "postcode", ce->postcode, "phone", ce->phone, "latitude", ce->lat, "longitude",
                          ce->lon, "rooms", rooms);
    json_t *note = ce->json ? json_object_get(ce->json, "note") : NULL;
    if (o && json_is_string(note)) json_object_set(o, "note", note);
    if (o && facilities_rooms_illustrative(ce))
      json_object_set_new(o, "rooms_illustrative", json_true());
    json_array_append_new(centers, o);
  }
  json_t *out = json_pack("{s:o}", "centers", centers);
  json_t *src = rb->facilities_json ? json_object_get(rb->facilities_json, "source") : NULL;
  if (out && src) json_object_set(out, "source", src);
  return out;
}

int facilities_postcode_parse(const char *in, char out[9]) {
  char buf[64], digits[8];
  int n = 0, hyphens = 0;
  if (!in || strlen(in) >= sizeof buf) return -1;
  const char *mark = "\xE3\x80\x92"; /* 〒 */
  while (*in == ' ') in++;
  if (!strncmp(in, mark, 3)) in += 3;
  snprintf(buf, sizeof buf, "%s", in);
  text_fold_phone(buf);
  for (const char *s = buf; *s; s++) {
    if (*s == '-' && n == 3 && !hyphens++) continue; /* one hyphen, after the third digit */
    if (*s < '0' || *s > '9' || n == 7) return -1;
    digits[n++] = *s;
  }
  if (n != 7) return -1;
  snprintf(out, 9, "%.3s-%.4s", digits, digits + 3);
  return 0;
}

/* Leading digits A and B ("371-0023") share, the hyphen not counted. */
static int shared_digits(const char *a, const char *b) {
  int n = 0;
  for (; *a && *a == *b; a++, b++)
    if (*a != '-') n++;
  return n;
}

static long postcode_number(const char *p) {
  return strtol(p, NULL, 10) * 10000 + strtol(p + 4, NULL, 10);
}

int facilities_near(const struct rulebook *rb, const char *postcode, const struct center **out,
                    int max) {
  int n = 0;
  long want = postcode_number(postcode);
  for (int c = 0; c < rb->ncenters; c++) {
    const struct center *ce = &rb->centers[c];
    if (!ce->postcode[0]) continue;
    int sh = shared_digits(ce->postcode, postcode);
    if (sh < 3) continue;
    long d = labs(postcode_number(ce->postcode) - want);
    /* insertion into OUT[0..n), nearest first; rule-book order breaks ties */
    int at = n;
    while (at > 0) {
      const struct center *o = out[at - 1];
      int osh = shared_digits(o->postcode, postcode);
      long od = labs(postcode_number(o->postcode) - want);
      if (osh > sh || (osh == sh && od <= d)) break;
      at--;
    }
    if (at >= max) continue;
    if (n < max) n++;
    memmove(out + at + 1, out + at, (size_t)(n - 1 - at) * sizeof *out);
    out[at] = ce;
  }
  return n;
}
