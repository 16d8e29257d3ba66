/*
** core/opendata.c: open data files and room states over a date range (see
** opendata.h; the formats are documented in docs/opendata.md).
*/
#include "opendata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "availability.h"
#include "bookable.h"
#include "clock.h"
#include "csv.h"
#include "facilities.h"
#include "reports.h"

/* ============================================================ states */

struct taken {
  int64_t room_id;
  int32_t day;
  char slot[24];
  int held;
};

static int cmp_taken(const void *pa, const void *pb) {
  const struct taken *a = pa, *b = pb;
  if (a->room_id != b->room_id) return a->room_id < b->room_id ? -1 : 1;
  if (a->day != b->day) return a->day < b->day ? -1 : 1;
  return strcmp(a->slot, b->slot);
}

/* RULE: never offer what will be refused (core/bookable.c): a free slot that
** the web can no longer take is published as closed. */
static void free_state(const struct kctx *ctx, struct od_state *os) {
  struct bookable why;
  enum bk_answer a = bookable_check(ctx, BK_ONLINE, os->room, os->day,
                                    (int)(os->slot - os->rules->slots), &why);
  os->booking = (int)a;
  os->opens_at = why.opens_at;
  os->state = bookable_avail_state(a);
}

int opendata_each_state(struct kctx *ctx, int32_t from, int32_t to, const struct center *center,
                        const struct room *room, od_state_fn fn, void *arg) {
  char f[11], t[11];
  struct kctx on_line = *ctx;
  on_line.channel = "online";
  struct taken *taken = NULL;
  size_t ntaken = 0, cap = 0;
  int rc, err = 0;
  if (to < from) return KERR_BAD_REQUEST;
  date_format(from, f);
  date_format(to, t);

  /* One query for the whole range. Lapsed holds are not selected: a hold
  ** frees its slot at its expiry whether or not anything cleared it. */
  kstmt *st = db_prep(ctx->db,
                      "SELECT room_id, date, slot, hold_expires_at FROM booking_slots"
                      " WHERE active = 1 AND date >= $from AND date <= $to"
                      " AND (hold_expires_at IS NULL OR hold_expires_at > $now)"
                      " AND ($room = 0 OR room_id = $room)");
  if (!st) return KERR_INTERNAL;
  db_bind_text(st, "$from", f);
  db_bind_text(st, "$to", t);
  db_bind_int(st, "$now", ctx->now);
  db_bind_int(st, "$room", room ? room->id : 0);
  while ((rc = db_step(st)) == DB_ROW) {
    if (ntaken == cap) {
      cap = cap ? cap * 2 : 256;
      struct taken *nt = realloc(taken, cap * sizeof *nt);
      if (!nt) {
        db_reset(st);
        err = KERR_INTERNAL;
        goto done;
      }
      taken = nt;
    }
    struct taken *tk = &taken[ntaken];
    tk->room_id = db_col_int(st, 0);
    if (date_parse(db_col_text(st, 1), &tk->day)) continue; /* not a date: not a slot */
    snprintf(tk->slot, sizeof tk->slot, "%s", db_col_text(st, 2));
    tk->held = !db_col_null(st, 3);
    ntaken++;
  }
  if (rc != DB_DONE) {
    err = kerr_from_db(rc);
    goto done;
  }
  if (ntaken) qsort(taken, ntaken, sizeof *taken, cmp_taken);

  for (int32_t day = from; day <= to; day++) {
    const struct rules *ru = rules_in_force(ctx->rb, day);
    if (!ru) continue;
    for (int c = 0; c < ctx->rb->ncenters; c++) {
      const struct center *ce = &ctx->rb->centers[c];
      if (center && center != ce) continue;
      for (int i = 0; i < ce->nrooms; i++) {
        const struct room *ro = &ce->rooms[i];
        if (room && room != ro) continue;
        char why[256];
        int closed = bookable_closed(ctx, ce->code, ro, day, why, sizeof why);
        for (int s = 0; s < ru->nslots; s++) {
          struct od_state os = {ce, ro, day, ru, &ru->slots[s], AVAIL_FREE, closed ? why : NULL,
                                -1, 0};
          if (closed) {
            os.state = AVAIL_CLOSED;
          } else if (ntaken) {
            struct taken key = {.room_id = ro->id, .day = day};
            snprintf(key.slot, sizeof key.slot, "%s", ru->slots[s].code);
            const struct taken *hit = bsearch(&key, taken, ntaken, sizeof *taken, cmp_taken);
            if (hit) os.state = hit->held ? AVAIL_HELD : AVAIL_BOOKED;
          }
          if (os.state == AVAIL_FREE) free_state(&on_line, &os);
          if (fn(arg, &os)) goto done;
        }
      }
    }
  }
done:
  free(taken);
  return err;
}

const char *opendata_state_label(enum avail_state state) {
  switch (state) {
  case AVAIL_FREE: return "空き";
  case AVAIL_HELD: return "仮予約";
  case AVAIL_BOOKED: return "予約済";
  case AVAIL_CLOSED: return "休館";
  default: return "";
  }
}

const char *opendata_slot_label(enum avail_state state, int booking) {
  /* RULE: a slot over or not offered is 受付終了/受付なし, as on the pages;
  ** 休館 only for a closed day (CONTRACT.md keeps "closed" for both). */
  if (state == AVAIL_CLOSED && booking >= 0 && booking != BK_CLOSED)
    return bookable_label((enum bk_answer)booking);
  return opendata_state_label(state);
}

/* =============================================================== CSV */


/* Every field quoted (RFC 4180), as the published files of the standard do;
** a quote inside is doubled. Line breaks inside a field become spaces, so
** that one record is one line for the simplest readers. */
static void field(struct csvbuf *b, const char *s, int last) {
  csv_field_as(b, s, CSV_QUOTE_ALL | CSV_ONE_LINE);
  if (last) csv_end_row(b);
}

static const char BOM[] = "\xEF\xBB\xBF";

/* ========================================================= facilities */

/* The published column list of 公共施設一覧 (docs/opendata.md), in order. */
static const char *const facility_columns[] = {
  "全国地方公共団体コード", "ID", "地方公共団体名", "名称", "名称_カナ", "名称_英字",
  "名称_通称", "POIコード", "外部識別子", "外部識別子の値", "所在地_全国地方公共団体コード",
  "町字ID", "所在地_連結表記", "所在地_都道府県", "所在地_市区町村", "所在地_町字",
  "所在地_番地以下", "建物名等(方書)", "緯度", "経度", "高度の種別", "高度の値", "電話番号",
  "内線番号", "連絡先メールアドレス", "連絡先FormURL", "連絡先備考（その他、SNSなど）",
  "郵便番号", "法人番号", "団体名", "利用可能曜日", "開始時間", "終了時間",
  "利用可能時間特記事項", "説明", "車椅子可", "車椅子貸出", "ツエ貸出", "バリアフリートイレ",
  "スロープ、エレベータ、エスカレータ", "点字ブロック等の移動支援", "点字や読上による支援",
  "盲導犬・介助犬、聴導犬同伴", "字幕", "筆談対応", "優先駐車場", "オストメイト対応トイレ",
  "授乳室", "おむつ替えコーナー", "飲食可否", "ベビーカー貸出", "ベビーカー利用", "URL", "画像",
  "画像_ライセンス", "備考", NULL};

enum {
  COL_LGCODE, COL_ID, COL_LGNAME, COL_NAME, COL_KANA, COL_NAME_EN, COL_ALIAS, COL_POI,
  COL_EXTID, COL_EXTVAL, COL_ADDR_LGCODE, COL_MACHIAZA_ID, COL_ADDR, COL_PREF, COL_CITY,
  COL_TOWN, COL_BLOCK, COL_BUILDING, COL_LAT, COL_LON, COL_ALT_KIND, COL_ALT, COL_PHONE,
  COL_EXT, COL_EMAIL, COL_FORM, COL_CONTACT_NOTE, COL_POSTCODE, COL_CORP, COL_ORG, COL_DAYS,
  COL_OPEN, COL_CLOSE, COL_HOURS_NOTE, COL_DESC,
  COL_URL = 52, COL_IMAGE, COL_IMAGE_LICENSE, COL_NOTE, NCOLS
};

/* Hiragana -> katakana (the standard wants 名称_カナ in 全角カナ); anything
** else is copied. OUT holds at least strlen(S) + 1 bytes (same length). */
static void to_katakana(const char *s, char *out, size_t n) {
  size_t i = 0;
  const unsigned char *u = (const unsigned char *)s;
  while (*u && i + 4 < n) {
    if (u[0] == 0xE3 && (u[1] & 0xC0) == 0x80 && (u[2] & 0xC0) == 0x80) {
      unsigned cp = ((u[0] & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu);
      if (cp >= 0x3041 && cp <= 0x3096) cp += 0x60;
      out[i++] = (char)(0xE0 | (cp >> 12));
      out[i++] = (char)(0x80 | ((cp >> 6) & 0x3F));
      out[i++] = (char)(0x80 | (cp & 0x3F));
      u += 3;
    } else {
      out[i++] = (char)*u++;
    }
  }
  out[i] = 0;
}

/* Split ADDRESS into 町字, 番地以下 and 方書 after the prefecture and city:
** "群馬県前橋市本町二丁目12-1 前橋プラザ元気21" -> "本町二丁目", "12-1",
** "前橋プラザ元気21". The town runs to the first ASCII digit; the building
** follows the first space (ASCII or U+3000). */
static void split_address(const char *address, const char *pref, const char *city, char *town,
                          char *block, char *building, size_t n) {
  const char *s = address;
  town[0] = block[0] = building[0] = 0;
  if (pref && *pref && !strncmp(s, pref, strlen(pref))) s += strlen(pref);
  if (city && *city && !strncmp(s, city, strlen(city))) s += strlen(city);
  const char *sp = strchr(s, ' '), *wsp = strstr(s, "\xE3\x80\x80");
  const char *end = sp && (!wsp || sp < wsp) ? sp : wsp;
  size_t main_len = end ? (size_t)(end - s) : strlen(s);
  if (end) snprintf(building, n, "%s", end + (end == sp ? 1 : 3));
  size_t d = 0;
  while (d < main_len && !(s[d] >= '0' && s[d] <= '9')) d++;
  snprintf(town, n, "%.*s", (int)d, s);
  snprintf(block, n, "%.*s", (int)(main_len - d), s + d);
}

/* Decimal degrees with up to 6 decimals, trailing zeros dropped. */
static void degrees(double v, char *out, size_t n) {
  snprintf(out, n, "%.6f", v);
  char *e = out + strlen(out) - 1;
  while (e > out && *e == '0') *e-- = 0;
  if (*e == '.') *e = 0;
}

static const char *top_str(const struct rulebook *rb, const char *key) {
  const char *v = rb->facilities_json ? json_string_value(json_object_get(rb->facilities_json, key))
                                      : NULL;
  return v ? v : "";
}

/* Does closing rule CR apply to centre CODE (and, for one date, on or after TODAY)? */
static int rule_applies(const struct closed_rule *cr, const char *code, int32_t today) {
  if (cr->center[0] && strcmp(cr->center, code) != 0) return 0;
  return cr->kind != CLOSED_DATE || cr->date >= today;
}

char *opendata_facilities_csv(const struct rulebook *rb, int32_t today, size_t *len) {
  struct csvbuf b = {0};
  const struct rules *ru = rules_in_force(rb, today);
  const char *lg = top_str(rb, "lg_code"), *pref = top_str(rb, "prefecture"),
             *city = top_str(rb, "city");
  char lgname[128];
  snprintf(lgname, sizeof lgname, "%s%s", pref, city);

  csv_raw(&b, BOM, 3);
  for (int i = 0; facility_columns[i]; i++) field(&b, facility_columns[i], !facility_columns[i + 1]);

  for (int c = 0; c < rb->ncenters; c++) {
    const struct center *ce = &rb->centers[c];
    char kana[256], town[256], block[256], building[256], lat[32], lon[32], open[8] = "",
         close[8] = "", days[64] = "", hours_note[1024] = "", desc[2048];
    const char *col[NCOLS] = {0};
    to_katakana(ce->kana, kana, sizeof kana);
    split_address(ce->address, pref, city, town, block, building, sizeof town);
    degrees(ce->lat, lat, sizeof lat);
    degrees(ce->lon, lon, sizeof lon);

    if (ru && ru->nslots > 0) {
      int a = ru->slots[0].start, z = ru->slots[ru->nslots - 1].end;
      snprintf(open, sizeof open, "%02d:%02d", a / 60 % 100, a % 60);
      snprintf(close, sizeof close, "%02d:%02d", z / 60 % 100, z % 60);
      /* 利用可能曜日: every weekday not closed every week */
      size_t dn = 0;
      for (int w = 1; w <= 7; w++) { /* 月..土, 日 */
        int day_of_week = w % 7, shut = 0;
        for (int i = 0; i < ru->nclosed; i++)
          if (ru->closed[i].kind == CLOSED_WEEKLY && ru->closed[i].weekday == day_of_week &&
              rule_applies(&ru->closed[i], ce->code, today))
            shut = 1;
        if (!shut)
          dn += (size_t)snprintf(days + dn, sizeof days - dn, "%s%s", dn ? "," : "", clock_weekday_jp(day_of_week));
        if (dn >= sizeof days) break;
      }
      /* 利用可能時間特記事項: the slots and the closing days, from the rule book */
      size_t hn = (size_t)snprintf(hours_note, sizeof hours_note, "部屋の利用は");
      for (int s = 0; s < ru->nslots && hn < sizeof hours_note; s++)
        hn += (size_t)snprintf(hours_note + hn, sizeof hours_note - hn, "%s%s %02d:%02d-%02d:%02d",
                               s ? "、" : "", ru->slots[s].label, ru->slots[s].start / 60 % 100,
                               ru->slots[s].start % 60, ru->slots[s].end / 60 % 100,
                               ru->slots[s].end % 60);
      int first = 1;
      for (int i = 0; i < ru->nclosed && hn < sizeof hours_note; i++) {
        if (!rule_applies(&ru->closed[i], ce->code, today)) continue;
        hn += (size_t)snprintf(hours_note + hn, sizeof hours_note - hn, "%s%s",
                               first ? "。休館日は " : "、", ru->closed[i].label);
        first = 0;
      }
      if (hn < sizeof hours_note) snprintf(hours_note + hn, sizeof hours_note - hn, "。");
    }
    int example = facilities_rooms_illustrative(ce);
    size_t dl = (size_t)snprintf(desc, sizeof desc, "%s。貸し出す部屋%s: ", ce->kind,
                                 example ? " (例示。市の一覧は公開されていません)" : "");
    for (int i = 0; i < ce->nrooms && dl < sizeof desc; i++)
      dl += (size_t)snprintf(desc + dl, sizeof desc - dl, "%s%s (%s、定員%d人)", i ? "、" : "",
                             ce->rooms[i].name, ce->rooms[i].kind, ce->rooms[i].capacity);

    col[COL_LGCODE] = lg;
    col[COL_ID] = ce->code;
    col[COL_LGNAME] = lgname;
    col[COL_NAME] = ce->name;
    col[COL_KANA] = kana;
    col[COL_ADDR_LGCODE] = lg;
    col[COL_ADDR] = ce->address;
    col[COL_PREF] = pref;
    col[COL_CITY] = city;
    col[COL_TOWN] = town;
    col[COL_BLOCK] = block;
    col[COL_BUILDING] = building;
    col[COL_LAT] = lat;
    col[COL_LON] = lon;
    col[COL_PHONE] = ce->phone;
    col[COL_POSTCODE] = ce->postcode;
    col[COL_DAYS] = days;
    col[COL_OPEN] = open;
    col[COL_CLOSE] = close;
    col[COL_HOURS_NOTE] = hours_note;
    col[COL_DESC] = desc;
    /* Say so when the rule book marks values of this centre as examples. */
    if (example)
      col[COL_NOTE] = "部屋は例示です (市民サービスセンターが貸し出す部屋の一覧は公開されていません)。"
                      "部屋・住所・電話番号などは市に確認してください。";
    else if (ce->json && json_is_string(json_object_get(ce->json, "note")))
      col[COL_NOTE] = "住所・座標・電話番号・部屋などに開発用の例示の値を含みます。市の公表値で確認してください。";
    for (int i = 0; i < NCOLS; i++) field(&b, col[i], i == NCOLS - 1);
  }
  return csv_take(&b, len);
}

/* ======================================================= availability */

struct avail_out {
  struct csvbuf b;
  const char *lg;
};

static int avail_row(void *arg, const struct od_state *st) {
  struct avail_out *o = arg;
  char date[11], id[24], a[8], z[8];
  date_format(st->day, date);
  snprintf(id, sizeof id, "%lld", (long long)st->room->id);
  snprintf(a, sizeof a, "%02d:%02d", st->slot->start / 60 % 100, st->slot->start % 60);
  snprintf(z, sizeof z, "%02d:%02d", st->slot->end / 60 % 100, st->slot->end % 60);
  field(&o->b, o->lg, 0);
  field(&o->b, st->center->code, 0);
  field(&o->b, st->center->name, 0);
  field(&o->b, id, 0);
  field(&o->b, st->room->name, 0);
  field(&o->b, st->room->kind, 0);
  field(&o->b, date, 0);
  field(&o->b, st->slot->label, 0);
  field(&o->b, a, 0);
  field(&o->b, z, 0);
  field(&o->b, opendata_slot_label(st->state, st->booking), 0);
  field(&o->b, avail_state_name(st->state), 1);
  return o->b.oom;
}

/* The byte order mark and the header row of availability.csv. */
static void avail_header(struct avail_out *o) {
  static const char *const cols[] = {"全国地方公共団体コード", "ID", "名称", "部屋ID", "部屋名称",
                                     "部屋種別", "日付", "時間帯", "開始時間", "終了時間", "状態",
                                     "状態コード", NULL};
  csv_raw(&o->b, BOM, 3);
  for (int i = 0; cols[i]; i++) field(&o->b, cols[i], !cols[i + 1]);
}

int opendata_availability_csv(struct kctx *ctx, const char *from, const char *to,
                              const char *center, char **out, size_t *len, struct kerrinfo *ei) {
  int32_t f = 0, t = 0;
  const struct center *ce = NULL;
  *out = NULL;
  *len = 0;
  if (!from || !*from) kerr_field(ei, "from", "開始日 (from) を YYYY-MM-DD の形で指定してください。");
  else if (date_parse(from, &f)) kerr_field(ei, "from", "開始日 (from) は YYYY-MM-DD の形で、実在する日付を指定してください。");
  if (!to || !*to) kerr_field(ei, "to", "終了日 (to) を YYYY-MM-DD の形で指定してください。");
  else if (date_parse(to, &t)) kerr_field(ei, "to", "終了日 (to) は YYYY-MM-DD の形で、実在する日付を指定してください。");
  if (ei->fields) return KERR_VALIDATION;
  if (t < f) {
    kerr_field(ei, "to", "終了日 (to) は開始日 (from) と同じか、それより後の日付にしてください。");
    return KERR_VALIDATION;
  }
  if (t - f + 1 > OPENDATA_MAX_DAYS) {
    char msg[160];
    snprintf(msg, sizeof msg, "期間は%d日以内にしてください (指定された期間: %d日)。",
             OPENDATA_MAX_DAYS, (int)(t - f + 1));
    kerr_field(ei, "to", msg);
    return KERR_VALIDATION;
  }
  if (center && *center && !(ce = rules_center(ctx->rb, center))) return KERR_NOT_FOUND;

  struct avail_out o = {.lg = top_str(ctx->rb, "lg_code")};
  avail_header(&o);
  int err = opendata_each_state(ctx, f, t, ce, NULL, avail_row, &o);
  if (!err && o.b.oom) err = KERR_INTERNAL;
  if (err) {
    csv_free(&o.b);
    return err;
  }
  *out = csv_take(&o.b, len);
  return *out ? 0 : KERR_INTERNAL;
}

/* ============================================================ usage.csv */

/* The fiscal year (年度, April to March) that DAY falls in. */
static int fiscal_year_of(int32_t day) {
  int y, m, d;
  date_to_ymd(day, &y, &m, &d);
  return m >= 4 ? y : y - 1;
}

int opendata_usage_csv(struct kctx *ctx, const char *year, char **out, size_t *len,
                       struct kerrinfo *ei) {
  int32_t today = clock_today(ctx->now);
  int y, m, d;
  date_to_ymd(today, &y, &m, &d);
  int32_t month_first = date_from_ymd(y, m, 1);
  /* RULE: only months that have ended: a month under way is not a figure */
  int last_year = fiscal_year_of(month_first - 1), fy = last_year;
  /* the first year the rule book has: before it there were no slots to count */
  int first_year = ctx->rb->nversions ? fiscal_year_of(ctx->rb->versions[0].effective_from) : last_year;
  *out = NULL;
  *len = 0;
  if (year && *year) {
    char *end;
    long v = strtol(year, &end, 10);
    if (*end || end == year || strlen(year) != 4 || v < first_year || v > last_year) {
      char msg[240];
      snprintf(msg, sizeof msg, "年度 (year) は %d から %d までの4けたの数字で指定してください"
                                " (この仕組みで受け付けた年度のうち、終わった月のある年度です)。",
               first_year, last_year);
      kerr_field(ei, "year", msg);
      return KERR_VALIDATION;
    }
    fy = (int)v;
  }
  int32_t from = date_from_ymd(fy, 4, 1), to = date_from_ymd(fy + 1, 3, 31);
  if (to >= month_first) to = month_first - 1;
  struct report *rep = NULL;
  int err = reports_usage(ctx, from, to, reports_dims_parse("center_month"), NULL, &rep, ei);
  if (err) return err;
  struct csvbuf b = {0};
  static const char *const head[] = {"全国地方公共団体コード", "年月", "公民館ID", "公民館名",
                                     "提供コマ数", "利用コマ数", "利用率", "利用件数",
                                     "申告利用人数", NULL};
  const char *lg = top_str(ctx->rb, "lg_code");
  csv_raw(&b, BOM, 3);
  for (int i = 0; head[i]; i++) field(&b, head[i], !head[i + 1]);
  for (int i = 0; i < rep->nrows; i++) {
    const struct report_row *row = &rep->rows[i];
    char code[96], month[16], n[32];
    const char *slash = strchr(row->key, '/');
    if (!slash) continue;
    snprintf(code, sizeof code, "%.*s", (int)(slash - row->key), row->key);
    snprintf(month, sizeof month, "%s", slash + 1);
    const struct center *ce = rules_center(ctx->rb, code);
    field(&b, lg, 0);
    field(&b, month, 0);
    field(&b, code, 0);
    field(&b, ce ? ce->name : code, 0);
    snprintf(n, sizeof n, "%lld", (long long)row->slots_available);
    field(&b, row->slots_available < 0 ? "" : n, 0);
    snprintf(n, sizeof n, "%lld", (long long)row->slots_booked);
    field(&b, n, 0);
    double occ = reports_occupancy(row);
    snprintf(n, sizeof n, "%.4f", occ);
    field(&b, occ < 0 ? "" : n, 0);
    snprintf(n, sizeof n, "%lld", (long long)row->uses);
    field(&b, n, 0);
    snprintf(n, sizeof n, "%lld", (long long)row->attendees);
    field(&b, n, 1);
  }
  reports_free(rep);
  *out = csv_take(&b, len);
  return *out ? 0 : KERR_INTERNAL;
}
