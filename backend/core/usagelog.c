/*
** core/usagelog.c: the usage log, streamed out (see usagelog.h).
*/
#include "usagelog.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "csv.h"

#define LINE_GUESS 1024     /* bytes: a line of the log is ~330 */

struct usagelog {
  kdb *db;
  kstmt *st;
  int format;
  int in_txn;
  int done;
  int head_sent;
  int64_t lines;
  char *pending;           /* the rest of a line that did not fit */
  size_t pending_len, pending_off;
  json_t *line;            /* JSON Lines: one object reused for every line (its keys
                              are made once; each line replaces the values) */
};

static const char *const csv_head[] = {"id", "at", "action", "center", "room_id", "room",
                                       "date", "slot", "channel", "actor_role", "actor",
                                       "subject", "amount", "detail"};

int usagelog_open(kdb *db, int32_t from, int32_t to, int format, struct usagelog **out) {
  *out = NULL;
  struct usagelog *ul = calloc(1, sizeof *ul);
  if (!ul) return KERR_INTERNAL;
  ul->db = db;
  ul->format = format;
  int rc = db_begin_read(db);
  if (rc != DB_OK) {
    free(ul);
    return kerr_from_db(rc);
  }
  ul->in_txn = 1;
  /* events_at orders the scan: no sort, no temporary table. */
  ul->st = db_prep(db,
                   "SELECT e.id, e.at, e.action, e.center, e.room_id, r.code, e.date, e.slot,"
                   " e.channel, e.actor_role, e.actor, e.subject, e.amount, e.detail"
                   " FROM r_events e LEFT JOIN rooms r ON r.id = e.room_id"
                   " WHERE e.at >= $a AND e.at < $b ORDER BY e.at, e.id");
  if (!ul->st) {
    usagelog_close(ul);
    return KERR_INTERNAL;
  }
  db_bind_int(ul->st, "$a", clock_local(from, 0));
  db_bind_int(ul->st, "$b", clock_local(to + 1, 0));
  *out = ul;
  return 0;
}

/* The current row as one line (with its newline), malloc'd; NULL if out of memory. */
static char *line_of(struct usagelog *ul, size_t *len) {
  kstmt *st = ul->st;
  char at[26];
  clock_format_instant(db_col_int(st, 1), at);
  if (ul->format == USAGELOG_CSV) {
    struct csvbuf b = {0};
    if (!ul->head_sent) {
      csv_bom(&b);
      for (size_t i = 0; i < sizeof csv_head / sizeof csv_head[0]; i++) csv_field(&b, csv_head[i]);
      csv_end_row(&b);
      ul->head_sent = 1;
    }
    csv_int(&b, db_col_int(st, 0));
    csv_field(&b, at);
    for (int i = 2; i <= 13; i++) {
      if (db_col_null(st, i)) csv_field(&b, "");
      else if (i == 4 || i == 12) csv_int(&b, db_col_int(st, i));
      else csv_field(&b, db_col_text(st, i));
    }
    csv_end_row(&b);
    return csv_take(&b, len);
  }
  /* One jansson object (JSON only through jansson), made once and reused:
  ** each line replaces its values and is dumped into a buffer of its own
  ** size. The stream holds one line at a time, never the whole log; a year
  ** (~100,000 lines) streams in well under a second. */
  static const struct {
    const char *key;
    int col, is_int;
  } cols[] = {{"action", 2, 0},     {"center", 3, 0},  {"room_id", 4, 1},
              {"room", 5, 0},       {"date", 6, 0},    {"slot", 7, 0},
              {"channel", 8, 0},    {"actor_role", 9, 0}, {"actor", 10, 0},
              {"subject", 11, 0},   {"amount", 12, 1}};
  if (!ul->line && !(ul->line = json_object())) return NULL;
  json_t *o = ul->line;
  json_object_set_new_nocheck(o, "id", json_integer((json_int_t)db_col_int(st, 0)));
  json_object_set_new_nocheck(o, "at", json_string_nocheck(at));
  for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
    json_t *v;
    /* text from the database is UTF-8 (only valid UTF-8 is ever stored) */
    if (db_col_null(st, cols[i].col)) v = json_null();
    else if (cols[i].is_int) v = json_integer((json_int_t)db_col_int(st, cols[i].col));
    else v = json_string_nocheck(db_col_text(st, cols[i].col));
    json_object_set_new_nocheck(o, cols[i].key, v ? v : json_null());
  }
  json_t *detail = json_null();
  if (!db_col_null(st, 13)) {
    /* core/audit.c stores a JSON object of codes and figures; anything else
    ** (never written so) is shown as text rather than breaking the line */
    const char *d = db_col_text(st, 13);
    detail = json_loads(d, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(detail)) {
      json_decref(detail);
      detail = json_string(d);
    }
  }
  json_object_set_new_nocheck(o, "detail", detail ? detail : json_null());
  char *line = malloc(LINE_GUESS);
  if (!line) return NULL;
  size_t n = json_dumpb(o, line, LINE_GUESS - 1, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if (n == 0) {
    free(line);
    return NULL;
  }
  if (n > LINE_GUESS - 1) { /* a long line: dump it again into a buffer of its size */
    char *big = realloc(line, n + 1);
    if (!big || json_dumpb(o, big, n, JSON_COMPACT | JSON_PRESERVE_ORDER) != n) {
      free(big ? big : line);
      return NULL;
    }
    line = big;
  }
  line[n] = '\n';
  *len = n + 1;
  return line;
}

long usagelog_read(struct usagelog *ul, char *buf, size_t max) {
  size_t n = 0;
  while (n < max) {
    if (ul->pending) {
      size_t k = ul->pending_len - ul->pending_off;
      if (k > max - n) k = max - n;
      memcpy(buf + n, ul->pending + ul->pending_off, k);
      n += k;
      ul->pending_off += k;
      if (ul->pending_off < ul->pending_len) break;   /* buffer full */
      free(ul->pending);
      ul->pending = NULL;
      continue;
    }
    if (ul->done) break;
    int rc = db_step(ul->st);
    if (rc == DB_DONE) {
      ul->done = 1;
      db_reset(ul->st);
      /* an empty CSV still has its header */
      if (ul->format == USAGELOG_CSV && !ul->head_sent) {
        struct csvbuf b = {0};
        csv_bom(&b);
        for (size_t i = 0; i < sizeof csv_head / sizeof csv_head[0]; i++) csv_field(&b, csv_head[i]);
        csv_end_row(&b);
        ul->head_sent = 1;
        ul->pending = csv_take(&b, &ul->pending_len);
        ul->pending_off = 0;
        if (!ul->pending) return -1;
      }
      continue;
    }
    if (rc != DB_ROW) {
      db_reset(ul->st);
      return -1;
    }
    size_t len = 0;
    char *line = line_of(ul, &len);
    if (!line) return -1;
    ul->lines++;
    if (len <= max - n) {
      memcpy(buf + n, line, len);
      n += len;
      free(line);
    } else {
      ul->pending = line;
      ul->pending_len = len;
      ul->pending_off = 0;
      if (n > 0) break;          /* send what we have; the long line comes next */
    }
  }
  return (long)n;
}

int64_t usagelog_lines(const struct usagelog *ul) { return ul ? ul->lines : 0; }

void usagelog_close(struct usagelog *ul) {
  if (!ul) return;
  if (ul->st) db_reset(ul->st);
  if (ul->in_txn) db_rollback(ul->db);
  json_decref(ul->line);
  free(ul->pending);
  free(ul);
}
