/*
** core/usagelog.c: the usage log, streamed out (see usagelog.h).
*/
#include "usagelog.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "csv.h"

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
                   " FROM events e LEFT JOIN rooms r ON r.id = e.room_id"
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

static void put_int(struct csvbuf *b, int64_t v) {
  char n[24];
  int k = snprintf(n, sizeof n, "%lld", (long long)v);
  csv_raw(b, n, (size_t)k);
}

/* S as a JSON string: quotes, backslashes and control characters escaped;
** UTF-8 passes through (the database holds only valid UTF-8). */
static void put_str(struct csvbuf *b, const char *s) {
  static const char hex[] = "0123456789abcdef";
  csv_raw(b, "\"", 1);
  const char *run = s;
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    csv_raw(b, run, (size_t)(s - run));
    char e[7] = {'\\', (char)c, 0};
    if (c < 0x20) {
      e[1] = 'u', e[2] = '0', e[3] = '0', e[4] = hex[c >> 4], e[5] = hex[c & 15];
      csv_raw(b, e, 6);
    } else {
      csv_raw(b, e, 2);
    }
    run = s + 1;
  }
  csv_raw(b, run, (size_t)(s - run));
  csv_raw(b, "\"", 1);
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
  /* JSON written by hand: a year's log is hundreds of thousands of lines,
  ** and building a jansson object per line costs several times more. */
  struct csvbuf b = {0};
  csv_raw(&b, "{\"id\":", 6);
  put_int(&b, db_col_int(st, 0));
  csv_raw(&b, ",\"at\":", 6);
  put_str(&b, at);
  static const struct {
    const char *key;
    int col, is_int;
  } cols[] = {{",\"action\":", 2, 0},     {",\"center\":", 3, 0},  {",\"room_id\":", 4, 1},
              {",\"room\":", 5, 0},       {",\"date\":", 6, 0},    {",\"slot\":", 7, 0},
              {",\"channel\":", 8, 0},    {",\"actor_role\":", 9, 0}, {",\"actor\":", 10, 0},
              {",\"subject\":", 11, 0},   {",\"amount\":", 12, 1}};
  for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
    csv_raw(&b, cols[i].key, strlen(cols[i].key));
    if (db_col_null(st, cols[i].col)) csv_raw(&b, "null", 4);
    else if (cols[i].is_int) put_int(&b, db_col_int(st, cols[i].col));
    else put_str(&b, db_col_text(st, cols[i].col));
  }
  csv_raw(&b, ",\"detail\":", 10);
  if (db_col_null(st, 13)) {
    csv_raw(&b, "null", 4);
  } else {
    /* core/audit.c stores a JSON object of codes and figures; anything else
    ** (never written so) is shown as text rather than breaking the line */
    const char *d = db_col_text(st, 13);
    json_t *o = json_loads(d, JSON_REJECT_DUPLICATES, NULL);
    char *norm = json_is_object(o) ? json_dumps(o, JSON_COMPACT) : NULL;
    if (norm) csv_raw(&b, norm, strlen(norm));
    else put_str(&b, d);
    free(norm);
    json_decref(o);
  }
  csv_raw(&b, "}\n", 2);
  return csv_take(&b, len);
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
  free(ul->pending);
  free(ul);
}
