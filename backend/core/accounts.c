/*
** core/accounts.c: accounts, passwords, sign-in and sessions (see accounts.h).
*/
#include "accounts.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "desk.h"
#include "ids.h"
#include "input.h"
#include "pwpolicy.h"
#include "text.h"
#include "throttle.h"
#include "totp.h"

/* INTERACTIVE: ~0.1 s and 64 MiB per hash on the target machine. MODERATE
** (~0.7 s, 256 MiB) would cut the number of sign-ins per second at the
** booking-window peak by seven with no benefit a 12-character minimum does
** not already give. crypto_pwhash_str_needs_rehash() upgrades old hashes when
** these change. */
#define PW_OPS crypto_pwhash_OPSLIMIT_INTERACTIVE
#define PW_MEM crypto_pwhash_MEMLIMIT_INTERACTIVE

#define TOKEN_BYTES 32
#define TOUCH_EVERY 60          /* seconds between last_seen writes of one session */

/* ============================================================ lifetimes */

/* Staff, admins and analysts: 30 minutes idle, 12 hours at most. Their
** sessions see every citizen's contact details and can approve, cancel and
** take money for anyone, and the counter PCs are shared by several clerks in
** reach of the public: 30 minutes ends a forgotten session before the next
** person sits down, and 12 hours covers the longest working day (the evening
** slot ends at 22:00) with one sign-in.
**
** Citizens: 2 hours idle, 24 hours at most. A citizen's session reaches only
** that citizen's own bookings and groups. Many users are older people on
** phones who read the rules and compare rooms slowly, and being signed out
** in the middle of a booking is exactly the time limit WCAG 2.2.1 asks us
** not to impose; 24 hours still bounds what a stolen token is worth. */
int accounts_idle_limit(int role) { return role == ROLE_CITIZEN ? 2 * 3600 : 30 * 60; }
int accounts_absolute_limit(int role) { return role == ROLE_CITIZEN ? 24 * 3600 : 12 * 3600; }
#define LONGEST_IDLE (2 * 3600)

/* ================================================ bounded password hashing */

static pthread_mutex_t hash_lock = PTHREAD_MUTEX_INITIALIZER;
static int hash_running, hash_slots;

void accounts_hash_slots_set(int n) {
  pthread_mutex_lock(&hash_lock);
  hash_slots = n > 0 ? n : 1;
  pthread_mutex_unlock(&hash_lock);
}

int accounts_hash_begin(struct kerrinfo *ei) {
  pthread_mutex_lock(&hash_lock);
  if (hash_slots <= 0) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    hash_slots = n > 0 ? (int)n : 1;
  }
  int ok = hash_running < hash_slots;
  if (ok) hash_running++;
  pthread_mutex_unlock(&hash_lock);
  if (ok) return 0;
  /* No queue: a waiting hash would hold a worker thread and, soon, 64 MiB.
  ** One hash takes ~0.1 s, so a second later a slot is free again. */
  if (ei && !ei->code) ei->retry_after = 1;
  return kerr_set(ei, KERR_BUSY, NULL);
}

int accounts_password_hash(const char *pw, char *out, size_t outlen, struct kerrinfo *ei) {
  int rc;
  if (outlen < crypto_pwhash_STRBYTES) return kerr_set(ei, KERR_INTERNAL, NULL);
  if ((rc = accounts_hash_begin(ei))) return rc;
  rc = crypto_pwhash_str(out, pw, strlen(pw), PW_OPS, PW_MEM);
  accounts_hash_end();
  if (rc != 0) { /* out of memory */
    if (ei && !ei->code) ei->retry_after = 1;
    return kerr_set(ei, KERR_BUSY, NULL);
  }
  return 0;
}

void accounts_hash_end(void) {
  pthread_mutex_lock(&hash_lock);
  if (hash_running > 0) hash_running--;
  pthread_mutex_unlock(&hash_lock);
}

/* A hash to verify against when the account does not exist, so that an
** unknown ID costs the same time as a wrong password and the answer time
** does not tell which IDs exist. Made once, inside a hash slot. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static void dummy_make(void) {
  unsigned char pw[16];
  randombytes_buf(pw, sizeof pw);
  if (crypto_pwhash_str(dummy_hash, (const char *)pw, sizeof pw, PW_OPS, PW_MEM) != 0)
    dummy_hash[0] = 0;
}

/* Password verifications done by this process (accounts_verifications()). */
static _Atomic unsigned long verifications;

/* crypto_pwhash_str_verify, counted. */
static int verify(const char *hash, const char *pw) {
  atomic_fetch_add(&verifications, 1);
  return crypto_pwhash_str_verify(hash, pw, strlen(pw));
}

unsigned long accounts_verifications(void) { return atomic_load(&verifications); }

/* ============================================================ throttles */

/* The limits are in core/throttle.c, with the rest of the server's. */
void accounts_throttle_reset(void) { throttle_reset_all(); }

/* ============================================================ validation */

/* Decode one UTF-8 code point at *P (valid UTF-8 assumed), advancing *P. */
static unsigned next_cp(const unsigned char **p) {
  const unsigned char *s = *p;
  unsigned c = s[0];
  if (c < 0x80) return (*p = s + 1), c;
  if ((c & 0xe0) == 0xc0) return (*p = s + 2), ((c & 0x1f) << 6) | (s[1] & 0x3f);
  if ((c & 0xf0) == 0xe0)
    return (*p = s + 3), ((c & 0x0f) << 12) | ((s[1] & 0x3f) << 6) | (s[2] & 0x3f);
  return (*p = s + 4),
         ((c & 0x07) << 18) | ((s[1] & 0x3f) << 12) | ((s[2] & 0x3f) << 6) | (s[3] & 0x3f);
}

/* One line: no control character at all (not even a tab or newline), nothing invisible. */
static int has_control(const char *s) { return text_has_control(s) || strpbrk(s, "\t\r\n"); }

const char *accounts_check_name(const char *v) {
  if (!text_utf8_valid(v, strlen(v)) || has_control(v))
    return "氏名に使えない文字が含まれています。";
  if (text_utf8_len(v) > 100) return "氏名は100文字以内で入力してください。";
  return NULL;
}

const char *accounts_check_kana(const char *v) {
  static const char *const msg = "ふりがなは、ひらがなかカタカナで入力してください。";
  if (!text_utf8_valid(v, strlen(v))) return msg;
  if (text_utf8_len(v) > 100) return "ふりがなは100文字以内で入力してください。";
  int kana = 0;
  for (const unsigned char *p = (const unsigned char *)v; *p;) {
    unsigned c = next_cp(&p);
    if ((c >= 0x3041 && c <= 0x3096) || (c >= 0x309b && c <= 0x309f) ||
        (c >= 0x30a0 && c <= 0x30ff))
      kana++;   /* hiragana, katakana, ー (U+30FC), ・ (U+30FB) */
    else if (c != ' ' && c != 0x3000)
      return msg;
  }
  return kana ? NULL : msg;
}

const char *accounts_check_email(const char *v) {
  static const char *const msg =
      "メールアドレスの形が正しくありません（例: taro@example.jp。半角で入力してください）。";
  size_t n = strlen(v);
  if (n > 254) return "メールアドレスが長すぎます。";
  const char *at = strchr(v, '@');
  if (!at || strchr(at + 1, '@') || at == v || at - v > 64) return msg;
  for (const char *p = v; p < at; p++) {
    unsigned char c = (unsigned char)*p;
    if (c >= 0x80 || c <= ' ' || strchr("\"(),:;<>[\\]", c)) return msg;
    if (c == '.' && (p == v || p + 1 == at || p[1] == '.')) return msg;
  }
  const char *d = at + 1;
  if (!*d || !strchr(d, '.')) return msg;
  const char *label = d;
  for (const char *p = d;; p++) {
    if (*p == '.' || !*p) {
      if (p == label || label[0] == '-' || p[-1] == '-') return msg;
      if (!*p) break;
      label = p + 1;
      continue;
    }
    unsigned char c = (unsigned char)*p;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
      return msg;
  }
  return NULL;
}

const char *accounts_check_phone(const char *v) {
  int digits = 0;
  for (const char *p = v; *p; p++) {
    if (*p >= '0' && *p <= '9') digits++;
    else if (*p == '-') {
      if (p == v || !p[1] || p[1] == '-') return "ハイフン（-）の位置が正しくありません。";
    } else
      return "電話番号は半角の数字とハイフン（-）で入力してください（例: 027-123-4567）。";
  }
  if (v[0] != '0' || digits < 10 || digits > 11)
    return "電話番号は市外局番または 090 などから、10けたか11けたで入力してください。";
  return NULL;
}

const char *accounts_check_password(const char *v) {
  if (!text_utf8_valid(v, strlen(v))) return "パスワードに使えない文字が含まれています。";
  size_t n = text_utf8_len(v);
  if (n < ACCOUNTS_PASSWORD_MIN) return "パスワードは12文字以上にしてください。";
  if (n > ACCOUNTS_PASSWORD_MAX) return "パスワードは128文字以内にしてください。";
  return NULL;
}

/* A field error, counted even when EI is NULL. */
static void bad_field(struct kerrinfo *ei, int *bad, const char *field, const char *msg) {
  kerr_field(ei, field, msg);
  (*bad)++;
}

/* The field's name in a message: "氏名は文字で入力してください。" */
static const char *label_of(const char *key) {
  if (!strcmp(key, "name")) return "氏名";
  if (!strcmp(key, "name_kana")) return "ふりがな";
  if (!strcmp(key, "email")) return "メールアドレス";
  if (!strcmp(key, "phone")) return "電話番号";
  return key;
}

/* A text field: trimmed into BUF; *SET is 1 when present. */
static void text_field(const json_t *in, const char *key, char *buf, size_t cap, int required,
                       const char *missing, const char *toolong,
                       const char *(*check)(const char *), int *set, struct kerrinfo *ei,
                       int *bad) {
  const char *m;
  int rc = input_text(in, key, buf, cap);
  *set = rc == INPUT_OK;
  if (rc == INPUT_OK && check == accounts_check_phone) text_fold_phone(buf); /* ０２７ー… */
  if (rc == INPUT_MISSING) {
    if (required) bad_field(ei, bad, key, missing);
  } else if (input_not_text(in, key)) { /* a number or a list is not "too long" */
    char msg[128];
    snprintf(msg, sizeof msg, "%sは文字で入力してください。", label_of(key));
    bad_field(ei, bad, key, msg);
  } else if (rc == INPUT_BAD) {
    bad_field(ei, bad, key, toolong);
  } else if ((m = check(buf))) {
    bad_field(ei, bad, key, m);
  }
}

/* ================================================================ create */

/* A person's details as given, checked. */
struct person {
  char name[512], kana[512], email[320], phone[64];
  int has_name, has_kana, has_email, has_phone, resident;
};

/* Read and check the details of IN into P; SELF: a citizen signing up
** (kana and a contact required). Field errors in EI; the count of them. */
static int read_person(const struct kctx *ctx, const json_t *in, int self, struct person *p,
                       struct kerrinfo *ei) {
  int bad = 0;
  text_field(in, "name", p->name, sizeof p->name, 1, "氏名を入力してください。",
             "氏名は100文字以内で入力してください。", accounts_check_name, &p->has_name, ei, &bad);
  text_field(in, "name_kana", p->kana, sizeof p->kana, self, "ふりがなを入力してください。",
             "ふりがなは100文字以内の、ひらがなかカタカナで入力してください。",
             accounts_check_kana, &p->has_kana, ei, &bad);
  text_field(in, "email", p->email, sizeof p->email, 0, "", "メールアドレスが長すぎます。",
             accounts_check_email, &p->has_email, ei, &bad);
  text_field(in, "phone", p->phone, sizeof p->phone, 0, "",
             "電話番号は半角の数字とハイフン（-）で入力してください（例: 027-123-4567）。",
             accounts_check_phone, &p->has_phone, ei, &bad);
  if (self && !p->has_email && !p->has_phone) { /* RULE: a citizen can be reached */
    bad_field(ei, &bad, "email", "メールアドレスか電話番号の、どちらかを入力してください。");
    bad_field(ei, &bad, "phone", "メールアドレスか電話番号の、どちらかを入力してください。");
  }
  p->resident = 0;
  if (input_bool(in, "resident", ctx->form, &p->resident) == INPUT_BAD)
    bad_field(ei, &bad, "resident", "市内在住かどうかは true か false で指定してください。");
  return bad;
}

/* How a new account is made: its home centre (staff and admins), password
** HASH, the system ID WANTED (0: a random one), its event ACTION; and, for one
** registered at the counter, the clerk BY and the hash of the form's KEY
** (NULL: none). */
struct making {
  const char *home_center, *hash, *action;
  int64_t wanted, by;
  const unsigned char *key;
};

/* Inside a write transaction: insert P as a new account of ROLE as M says,
** and its event (at the account's home centre, or at the clerk's for one made
** at the counter). *ID the new ID. 0, or a KERR code (KERR_CONFLICT: WANTED
** taken). */
static int insert_account(struct kctx *ctx, const struct person *p, int role,
                          const struct making *m, int64_t *id) {
  int64_t nid = 0;
  int rc;
  for (int tries = 0; tries < 32 && !nid; tries++) {
    int64_t cand = m->wanted ? m->wanted : ids_random();
    kstmt *st = db_prep(ctx->db, "SELECT 1 FROM accounts WHERE id = $id");
    if (!st) return KERR_INTERNAL;
    db_bind_int(st, "$id", cand);
    rc = db_step(st);
    db_reset(st);
    if (rc == DB_DONE) nid = cand;
    else if (rc != DB_ROW) return kerr_from_db(rc);
  }
  if (!nid) return m->wanted ? KERR_CONFLICT : KERR_INTERNAL;
  kstmt *st = db_prep(ctx->db,
                      "INSERT INTO accounts(id, role, name, name_kana, email, phone, resident,"
                      " home_center, password_hash, created_at, registered_by, form_key)"
                      " VALUES ($id, $role, $name, $kana, $email, $phone, $resident, $center,"
                      " $hash, $now, $by, $key)");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", nid);
  db_bind_text(st, "$role", role_name(role));
  db_bind_text(st, "$name", p->name);
  db_bind_text(st, "$kana", p->has_kana ? p->kana : NULL);
  db_bind_text(st, "$email", p->has_email ? p->email : NULL);
  db_bind_text(st, "$phone", p->has_phone ? p->phone : NULL);
  db_bind_int(st, "$resident", p->resident);
  db_bind_text(st, "$center", m->home_center);
  db_bind_text(st, "$hash", m->hash);
  db_bind_int(st, "$now", ctx->now);
  if (m->by) db_bind_int(st, "$by", m->by);
  else db_bind_null(st, "$by");
  if (m->key) db_bind_blob(st, "$key", m->key, 32);
  else db_bind_null(st, "$key");
  if ((rc = db_exec_stmt(st)) != DB_OK) return kerr_from_db(rc);
  char detail[64];
  snprintf(detail, sizeof detail, "{\"role\":\"%s\"}", role_name(role));
  const char *where = m->by && ctx->actor.home_center[0] ? ctx->actor.home_center : m->home_center;
  struct audit_fields f = {.center = where, .subject_account = nid, .detail_json = detail};
  if ((rc = audit_event(ctx, m->action, &f))) return rc;
  *id = nid;
  return 0;
}

int accounts_create(struct kctx *ctx, const json_t *in, int role, const char *home_center,
                    int flags, int64_t *id, struct kerrinfo *ei) {
  struct person p;
  struct kctx desk;
  int rc, self = (flags & ACCOUNT_SELF_SERVICE) != 0;
  int64_t wanted = (flags & ACCOUNT_FIXED_ID) ? *id : 0, clerk = 0;
  *id = 0;
  /* RULE: a citizen's account made by a clerk is made at the counter: in
  ** counter hours, channel "counter" (the operator's command line, flags 0,
  ** is not the counter). */
  if (self && desk_is_staff(ctx)) {
    if ((rc = desk_enter(ctx, &desk, ei))) return rc;
    ctx = &desk;
    clerk = ctx->actor.account_id;
  }
  if ((flags & ACCOUNT_FIXED_ID) && !ids_valid(wanted))
    return kerr_set(ei, KERR_CONFLICT, "指定された利用者番号は正しい形ではありません。");
  int bad = read_person(ctx, in, self, &p, ei);

  const json_t *pv = json_object_get(in, "password");
  const char *pw = json_string_value(pv), *m;
  if (!pv || json_is_null(pv) || (pw && !*pw))
    bad_field(ei, &bad, "password", "パスワードを入力してください。");
  else if (!pw) bad_field(ei, &bad, "password", "パスワードは文字で入力してください。");
  else if ((m = accounts_check_password(pw))) bad_field(ei, &bad, "password", m);
  else {
    /* RULE: no common password, nothing of the person's own in it. */
    struct pwpolicy_person who = {.system_id = wanted, .name = p.has_name ? p.name : NULL,
                                  .name_kana = p.has_kana ? p.kana : NULL,
                                  .phone = p.has_phone ? p.phone : NULL};
    if ((m = pwpolicy_check(pw, &who))) bad_field(ei, &bad, "password", m);
  }

  if (!(role & ROLE_SIGNED_IN) || (role & (role - 1)))
    bad_field(ei, &bad, "role", "役割は citizen, staff, admin, analyst のどれかです。");
  if (home_center && !*home_center) home_center = NULL;
  if (role == ROLE_STAFF && !home_center)
    bad_field(ei, &bad, "center", "職員には所属の公民館を指定してください。");
  else if (home_center && role != ROLE_STAFF && role != ROLE_ADMIN)
    bad_field(ei, &bad, "center", "所属の公民館を指定できるのは職員と管理者だけです。");
  else if (home_center && !rules_center(ctx->rb, home_center))
    bad_field(ei, &bad, "center", "その公民館のコードは例規集（ordinances）にありません。");
  if (bad) return kerr_set(ei, KERR_VALIDATION, NULL);
  /* RULE: anonymous sign-up is throttled per address (throttle.c); staff
  ** creating accounts for citizens at the counter are not. */
  if (self && !(ctx->actor.role & ROLE_DESK) &&
      (rc = throttle_refuse(&throttle_signup, "signup", ctx->client, ctx->now, ei)))
    return rc;

  char hash[crypto_pwhash_STRBYTES];
  if ((rc = accounts_password_hash(pw, hash, sizeof hash, ei))) return rc;
  if ((rc = db_begin_write(ctx->db)) != DB_OK) {
    sodium_memzero(hash, sizeof hash);
    return kerr_set(ei, kerr_from_db(rc), NULL);
  }
  struct making made = {.home_center = home_center, .hash = hash, .action = "account.create",
                        .wanted = wanted, .by = clerk};
  rc = insert_account(ctx, &p, role, &made, id);
  sodium_memzero(hash, sizeof hash);
  if (rc) {
    db_rollback(ctx->db);
    *id = 0;
    return rc == KERR_CONFLICT ? kerr_set(ei, rc, "その利用者番号はすでに使われています。")
                               : kerr_set(ei, rc, NULL);
  }
  if ((rc = db_commit(ctx->db)) != DB_OK) {
    *id = 0;
    return kerr_set(ei, kerr_from_db(rc), NULL);
  }
  return 0;
}

int accounts_import_in(struct kctx *ctx, const json_t *in, const char *hash, int64_t *id,
                       struct kerrinfo *ei) {
  return accounts_create_in(ctx, in, hash, "account.import", id, ei);
}

int accounts_create_in(struct kctx *ctx, const json_t *in, const char *hash, const char *action,
                       int64_t *id, struct kerrinfo *ei) {
  struct person p;
  *id = 0;
  if (read_person(ctx, in, 0, &p, ei)) return kerr_set(ei, KERR_VALIDATION, NULL);
  struct making m = {.hash = hash, .action = action};
  int rc = insert_account(ctx, &p, ROLE_CITIZEN, &m, id);
  return rc ? kerr_set(ei, rc, NULL) : 0;
}

/* ======================================================= at the counter */

int accounts_key_valid(const char *key) {
  size_t n = key ? strlen(key) : 0;
  int ok = n >= 1 && n <= ACCOUNTS_KEY_MAX;
  for (size_t i = 0; ok && i < n; i++) ok = key[i] > 0x20 && key[i] < 0x7f;
  return ok;
}

/* The counter's checks before anything is written: a clerk, in counter
** hours (*OUT the context to act in: channel "counter"), a citizen's details
** as sign-up checks them into P. 0 or the error in EI. */
static int counter_checks(const struct kctx *ctx, const json_t *in, struct kctx *out,
                          struct person *p, struct kerrinfo *ei) {
  int rc;
  if (!desk_is_staff(ctx)) return desk_forbidden(ei);
  if ((rc = desk_enter(ctx, out, ei))) return rc;
  if (read_person(out, in, 1, p, ei)) return kerr_set(ei, KERR_VALIDATION, NULL);
  return 0;
}

int accounts_check_at_counter(const struct kctx *ctx, const json_t *in, struct kerrinfo *ei) {
  struct kctx c;
  struct person p;
  return counter_checks(ctx, in, &c, &p, ei);
}

/* The account the actor registered at the counter with the form's key hash
** KEY, into *ID (0: none), and whether it holds the very details of P
** (*SAME). Inside the write transaction, so that a twin post committed a
** moment ago is seen. */
static int find_keyed(struct kctx *ctx, const unsigned char key[32], const struct person *p,
                      int64_t *id, int *same) {
  *id = 0;
  *same = 0;
  kstmt *st = db_prep(ctx->db,
                      "SELECT id, name, coalesce(name_kana, ''), coalesce(email, ''),"
                      " coalesce(phone, ''), resident FROM accounts"
                      " WHERE registered_by = $by AND form_key = $key");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$by", ctx->actor.account_id);
  db_bind_blob(st, "$key", key, 32);
  int rc = db_step(st);
  if (rc == DB_ROW) {
    *id = db_col_int(st, 0);
    *same = !strcmp(db_col_text(st, 1), p->name) &&
            !strcmp(db_col_text(st, 2), p->has_kana ? p->kana : "") &&
            !strcmp(db_col_text(st, 3), p->has_email ? p->email : "") &&
            !strcmp(db_col_text(st, 4), p->has_phone ? p->phone : "") &&
            db_col_int(st, 5) == p->resident;
  }
  db_reset(st);
  return rc == DB_ROW || rc == DB_DONE ? 0 : kerr_from_db(rc);
}

int accounts_create_at_counter(struct kctx *ctx, const json_t *in, const char *key,
                               int (*then)(struct kctx *ctx, int64_t id, void *arg),
                               void *arg, int64_t *id, int *replayed, struct kerrinfo *ei) {
  struct person p;
  struct kctx c;
  unsigned char kh[32];
  int rc, same = 0;
  *id = 0;
  if (replayed) *replayed = 0;
  if ((rc = counter_checks(ctx, in, &c, &p, ei))) return rc;
  if (key && !accounts_key_valid(key))
    return kerr_set(ei, KERR_BAD_REQUEST, "登録の画面が正しくありません。"
                                          "「利用者の登録 (窓口)」から、もう一度はじめてください。");
  if (key) crypto_generichash(kh, sizeof kh, (const unsigned char *)key, strlen(key), NULL, 0);
  if ((rc = db_begin_write(c.db)) != DB_OK) return kerr_set(ei, kerr_from_db(rc), NULL);
  if (key && (rc = find_keyed(&c, kh, &p, id, &same))) goto fail;
  if (*id) {
    /* The same post again (a reload of the slip, a double click): the
    ** account it made, and nothing new. */
    db_rollback(c.db);
    if (same) {
      if (replayed) *replayed = 1;
      return 0;
    }
    *id = 0;
    return kerr_set(ei, KERR_CONFLICT,
                    "この登録の画面からは、別の内容の利用者をすでに登録しました。"
                    "この内容でもう1人登録するときは、もう一度「登録して利用者番号を発行する」を押してください。");
  }
  struct making m = {.hash = ACCOUNTS_NO_PASSWORD, .action = "account.create",
                     .by = c.actor.account_id, .key = key ? kh : NULL};
  if ((rc = insert_account(&c, &p, ROLE_CITIZEN, &m, id))) goto fail;
  if (then && (rc = then(&c, *id, arg))) goto fail;
  if ((rc = db_commit(c.db)) != DB_OK) {
    *id = 0;
    return kerr_set(ei, kerr_from_db(rc), NULL);
  }
  return 0;
fail:
  db_rollback(c.db);
  *id = 0;
  return kerr_set(ei, rc, NULL);
}

/* ============================================================== tokens */

static void b64url(const unsigned char *bin, size_t n, char *out, size_t outlen) {
  sodium_bin2base64(out, outlen, bin, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* The 32 bytes of a token as the client sent it; -1 if it is not one. */
static int token_raw(const char *token, unsigned char raw[TOKEN_BYTES]) {
  size_t n = 0, len = token ? strlen(token) : 0;
  if (len != sodium_base64_ENCODED_LEN(TOKEN_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING) - 1)
    return -1;
  if (sodium_base642bin(raw, TOKEN_BYTES, token, len, NULL, &n, NULL,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      n != TOKEN_BYTES)
    return -1;
  return 0;
}

static void token_hash(const unsigned char raw[TOKEN_BYTES], unsigned char h[32]) {
  crypto_generichash(h, 32, raw, TOKEN_BYTES, NULL, 0);
}

/* The CSRF token is a keyed hash of the session token: the server can always
** recompute it and never stores it, and knowing it does not reveal the
** session token. */
static void csrf_from_raw(const unsigned char raw[TOKEN_BYTES], char out[64]) {
  static const char label[] = "kominkan csrf v1";
  unsigned char h[32];
  crypto_generichash(h, sizeof h, (const unsigned char *)label, sizeof label - 1, raw, TOKEN_BYTES);
  b64url(h, sizeof h, out, 64);
}

void accounts_csrf_of(const char *token, char out[64]) {
  unsigned char raw[TOKEN_BYTES];
  out[0] = 0;
  if (token_raw(token, raw) == 0) csrf_from_raw(raw, out);
  sodium_memzero(raw, sizeof raw);
}

/* ================================================================ sign-in */

static int session_open(struct kctx *ctx, int64_t id, int role, const char *fresh,
                        struct session_new *out, struct kerrinfo *ei);

int accounts_login(struct kctx *ctx, const json_t *in, const char *client,
                   struct session_new *out, struct kerrinfo *ei) {
  int bad = 0, rc;
  int64_t id = 0;
  memset(out, 0, sizeof *out);

  int prc = ids_parse_json(json_object_get(in, "system_id"), &id);
  if (prc != IDS_OK) {
    char m[512];
    ids_message(prc, "利用者番号", m, sizeof m);
    bad_field(ei, &bad, "system_id", m);
  }
  const json_t *pv = json_object_get(in, "password");
  const char *pw = json_string_value(pv);
  if (!pw || !*pw) bad_field(ei, &bad, "password", "パスワードを入力してください。");
  if (bad) return kerr_set(ei, KERR_VALIDATION, NULL);

  /* Throttle before any hashing: a refused attempt costs us nothing. The
  ** pair (account, address) and the address, never the account alone: a
  ** stranger's failures must not keep the owner out (throttle.c). */
  char pkey[THROTTLE_KEY], ckey[THROTTLE_KEY];
  const char *from = client && *client ? client : "-";
  snprintf(pkey, sizeof pkey, "p:%lld:%s", (long long)id, from);
  snprintf(ckey, sizeof ckey, "c:%s", from);
  int wa = throttle_wait(&throttle_signin_pair, pkey, ctx->now);
  int wc = throttle_wait(&throttle_signin_address, ckey, ctx->now);
  int wait = wa > wc ? wa : wc;
  if (wait) return throttle_refusal(wait, "ログインに何度も失敗したため", ei);

  char stored[crypto_pwhash_STRBYTES] = "";
  int role = 0, found = 0;
  kstmt *st = db_prep(ctx->db,
                      "SELECT password_hash, role FROM accounts WHERE id = $id AND disabled = 0");
  if (!st) return kerr_set(ei, KERR_INTERNAL, NULL);
  db_bind_int(st, "$id", id);
  rc = db_step(st);
  if (rc == DB_ROW) {
    found = 1;
    snprintf(stored, sizeof stored, "%s", db_col_text(st, 0));
    role = role_parse(db_col_text(st, 1));
  }
  db_reset(st);
  if (rc != DB_ROW && rc != DB_DONE) return kerr_set(ei, kerr_from_db(rc), NULL);

  int ok = 0, rehash = 0;
  char fresh[crypto_pwhash_STRBYTES] = "";
  struct signin_check *pc = ctx->signin;
  _Static_assert(sizeof pc->stored == crypto_pwhash_STRBYTES &&
                     sizeof pc->fresh == crypto_pwhash_STRBYTES,
                 "struct signin_check holds argon2id hash strings");
  int real = found && role && !strncmp(stored, "$argon2id$", 10);
  if (!ctx->precheck && pc && pc->account) {
    /* The second pass, on the writer: the first checked the password on the
    ** hash pool. It counts while the stored hash is still the one checked
    ** (a password changed in between: the typed one may be the old one). */
    ok = real && pc->account == id && sodium_memcmp(pc->stored, stored, sizeof stored) == 0;
    rehash = ok && pc->rehash;
    memcpy(fresh, pc->fresh, sizeof fresh);
    sodium_memzero(pc, sizeof *pc);
  } else {
    if ((rc = accounts_hash_begin(ei))) return rc;
    /* Every failure costs one argon2id verification: an unknown ID, a
    ** disabled account, and an account whose stored hash is no argon2id hash
    ** at all (the demonstration population is locked with a marker) are
    ** verified against a dummy hash, so the answer's time tells nothing. */
    if (real) {
      ok = verify(stored, pw) == 0;
    } else {
      pthread_once(&dummy_once, dummy_make);
      (void)verify(dummy_hash, pw);   /* a random password nobody knows: never counts */
    }
    if (ok && crypto_pwhash_str_needs_rehash(stored, PW_OPS, PW_MEM) != 0)
      rehash = crypto_pwhash_str(fresh, pw, strlen(pw), PW_OPS, PW_MEM) == 0;
    accounts_hash_end();
    if (ok && ctx->precheck && pc) {
      /* The first pass (http/suspend.c): the password is right; the rest
      ** (the second factor, the session) writes, so it is left to the writer,
      ** which runs the sign-in again with this check instead of a hash. */
      pc->account = id;
      pc->rehash = rehash;
      memcpy(pc->stored, stored, sizeof stored);
      memcpy(pc->fresh, fresh, sizeof fresh);
      sodium_memzero(fresh, sizeof fresh);
      return 0;   /* OUT has no session: undecided */
    }
  }

  /* RULE: an account with a second factor also needs its code (core/totp.c);
  ** a wrong code counts as a failed sign-in. */
  if (ok && (rc = totp_signin(ctx, id, in, ei)) && rc != KERR_BAD_CREDENTIALS) return rc;
  if (!ok || rc) {
    throttle_fail(&throttle_signin_pair, pkey, ctx->now);
    throttle_fail(&throttle_signin_address, ckey, ctx->now);
    return ei->code ? ei->code : kerr_set(ei, KERR_BAD_CREDENTIALS, NULL);
  }
  throttle_clear(&throttle_signin_pair, pkey);
  rc = session_open(ctx, id, role, rehash ? fresh : NULL, out, ei);
  sodium_memzero(fresh, sizeof fresh);
  return rc;
}

int accounts_session_open(struct kctx *ctx, int64_t id, int role, struct session_new *out,
                          struct kerrinfo *ei) {
  memset(out, 0, sizeof *out);
  return session_open(ctx, id, role, NULL, out, ei);
}

/* A new session of account ID (ROLE) into *OUT, in one write transaction that
** also stores the rehashed password FRESH (when not NULL) and sweeps dead
** sessions. Writes "session.create". 0 or a KERR (then *OUT is zeroed). */
static int session_open(struct kctx *ctx, int64_t id, int role, const char *fresh,
                        struct session_new *out, struct kerrinfo *ei) {
  int rc;
  unsigned char raw[TOKEN_BYTES], th[32];
  randombytes_buf(raw, sizeof raw);
  token_hash(raw, th);
  b64url(raw, sizeof raw, out->token, sizeof out->token);
  csrf_from_raw(raw, out->csrf);
  sodium_memzero(raw, sizeof raw);
  unsigned char csrf_h[16];
  char csrf_hex[33];
  crypto_generichash(csrf_h, sizeof csrf_h, (const unsigned char *)out->csrf, strlen(out->csrf),
                     NULL, 0);
  sodium_bin2hex(csrf_hex, sizeof csrf_hex, csrf_h, sizeof csrf_h);

  out->account_id = id;
  out->role = role;
  out->idle_seconds = accounts_idle_limit(role);
  out->expires_at = ctx->now + accounts_absolute_limit(role);

  if ((rc = db_begin_write(ctx->db)) != DB_OK) goto fail_nowrite;
  if (fresh && (rc = db_run(ctx->db, "UPDATE accounts SET password_hash = $h WHERE id = $id",
                            DB_T("$h", fresh), DB_I("$id", id))) != DB_OK)
    goto fail;
  /* Sweep sessions nobody can use any more, so the table stays small. */
  if ((rc = db_run(ctx->db, "DELETE FROM sessions WHERE expires_at <= $now OR last_seen <= $stale",
                   DB_I("$now", ctx->now), DB_I("$stale", ctx->now - LONGEST_IDLE))) != DB_OK)
    goto fail;
  kstmt *st = db_prep(ctx->db,
               "INSERT INTO sessions(token_hash, account_id, csrf, created_at, last_seen, expires_at)"
               " VALUES ($h, $id, $csrf, $now, $now, $exp)");
  if (!st) { rc = DB_ERROR; goto fail; }
  db_bind_blob(st, "$h", th, sizeof th);
  db_bind_int(st, "$id", id);
  db_bind_text(st, "$csrf", csrf_hex);
  db_bind_int(st, "$now", ctx->now);
  db_bind_int(st, "$exp", out->expires_at);
  if ((rc = db_exec_stmt(st)) != DB_OK) goto fail;
  struct kctx as = *ctx;  /* the event's actor is the person now signed in */
  as.actor.role = role;
  as.actor.account_id = id;
  if ((rc = audit_event(&as, "session.create", NULL))) {
    db_rollback(ctx->db);
    memset(out, 0, sizeof *out);
    return kerr_set(ei, rc, NULL);
  }
  if ((rc = db_commit(ctx->db)) != DB_OK) goto fail_nowrite;
  return 0;
fail:
  db_rollback(ctx->db);
fail_nowrite:
  memset(out, 0, sizeof *out);
  return kerr_set(ei, kerr_from_db(rc) ? kerr_from_db(rc) : KERR_INTERNAL, NULL);
}

/* ============================================================= sessions */

/* A session's end: the session whose token hashes to H goes and, with CTX
** (NULL for a session found dead), its "session.delete" event is written. */
struct session_end {
  kdb *db;
  const unsigned char *h;
  struct kctx *ctx;
};

static int session_end_in(void *arg) {
  const struct session_end *e = arg;
  kstmt *st = db_prep(e->db, "DELETE FROM sessions WHERE token_hash = $h");
  if (!st) return KERR_INTERNAL;
  db_bind_blob(st, "$h", e->h, 32);
  int rc = kerr_from_db(db_exec_stmt(st));
  return rc || !e->ctx ? rc : audit_event(e->ctx, "session.delete", NULL);
}

/* session_end_in in its own write transaction: 0 or a KERR. */
static int session_end(kdb *db, const unsigned char h[32], struct kctx *ctx) {
  struct session_end e = {db, h, ctx};
  int dbrc = DB_OK, rc = db_write_txn(db, session_end_in, &e, &dbrc);
  return rc == -1 ? kerr_from_db(dbrc) : rc;
}

/* A session's activity: last_seen of the session whose token hashes to H. */
struct touch {
  int64_t now;
  unsigned char h[32];
};

static int touch_stmt(kdb *db, const struct touch *t) {
  kstmt *st = db_prep(db, "UPDATE sessions SET last_seen = $now WHERE token_hash = $h"
                          " AND last_seen < $now");
  if (!st) return DB_ERROR;
  db_bind_int(st, "$now", t->now);
  db_bind_blob(st, "$h", t->h, sizeof t->h);
  return db_exec_stmt(st);
}

/* On the writer, inside its batch (ctx_write_soon). */
static int touch_write(kdb *db, const void *data) { return touch_stmt(db, data) == DB_OK ? 0 : -1; }

int accounts_session_lookup(struct kctx *ctx, const char *token, struct session_info *out) {
  unsigned char raw[TOKEN_BYTES], h[32];
  memset(out, 0, sizeof *out);
  if (token_raw(token, raw) != 0) return KERR_UNAUTHORIZED;
  token_hash(raw, h);
  csrf_from_raw(raw, out->csrf);
  sodium_memzero(raw, sizeof raw);

  kstmt *st = db_prep(ctx->db,
                      "SELECT s.account_id, s.last_seen, s.expires_at, a.role, a.name,"
                      " a.home_center, a.disabled"
                      " FROM sessions s JOIN accounts a ON a.id = s.account_id"
                      " WHERE s.token_hash = $h");
  if (!st) return KERR_INTERNAL;
  db_bind_blob(st, "$h", h, sizeof h);
  int rc = db_step(st);
  if (rc != DB_ROW) {
    db_reset(st);
    memset(out, 0, sizeof *out);
    return rc == DB_DONE ? KERR_UNAUTHORIZED : kerr_from_db(rc);
  }
  out->actor.account_id = db_col_int(st, 0);
  int64_t last_seen = db_col_int(st, 1);
  out->expires_at = db_col_int(st, 2);
  out->actor.role = role_parse(db_col_text(st, 3));
  snprintf(out->actor.name, sizeof out->actor.name, "%s", db_col_text(st, 4));
  snprintf(out->actor.home_center, sizeof out->actor.home_center, "%s", db_col_text(st, 5));
  int disabled = (int)db_col_int(st, 6);
  db_reset(st);

  int idle = accounts_idle_limit(out->actor.role);
  out->idle_expires_at = last_seen + idle;
  int expired = ctx->now >= out->expires_at || ctx->now >= out->idle_expires_at;
  if (disabled || !out->actor.role || expired) {
    int code = expired && !disabled && out->actor.role ? KERR_SESSION_EXPIRED : KERR_UNAUTHORIZED;
    memset(out, 0, sizeof *out);
    (void)session_end(ctx->db, h, NULL);
    return code;
  }
  if (ctx->now - last_seen >= TOUCH_EVERY) {
    /* Activity: written at most once a minute per session, so a busy
    ** session does not turn every read into a write. On the server it goes
    ** to the writer's next batch (ctx_write_soon): no transaction or fsync
    ** of its own on this thread, and no write on another connection than the
    ** writer's, which would make SQLite drop the writer's page cache (at the
    ** opening minute every session signed in before it is touched by its
    ** first booking). Elsewhere, or with the writer's queue full, it is
    ** written here; the writer lock may then be held for a whole batch of
    ** bookings: a touch that is not yet urgent does not wait for it, and a
    ** later request of the session writes it; past half the idle limit it
    ** waits as before. */
    struct touch t = {.now = ctx->now};
    memcpy(t.h, h, sizeof t.h);
    int urgent = ctx->now - last_seen >= idle / 2;
    if (ctx_write_soon(touch_write, &t, sizeof t) == 0) {
      out->idle_expires_at = ctx->now + idle;
    } else if ((urgent ? db_begin_write(ctx->db) : db_try_begin_write(ctx->db)) == DB_OK) {
      if (touch_stmt(ctx->db, &t) == DB_OK && db_commit(ctx->db) == DB_OK)
        out->idle_expires_at = ctx->now + idle;
      else if (db_in_txn(ctx->db))
        db_rollback(ctx->db);
    }
  }
  return 0;
}

int accounts_session_delete(struct kctx *ctx, const char *token) {
  unsigned char raw[TOKEN_BYTES], h[32];
  if (token_raw(token, raw) != 0) return KERR_UNAUTHORIZED;
  token_hash(raw, h);
  sodium_memzero(raw, sizeof raw);
  return session_end(ctx->db, h, ctx);
}

/* =================================================================== me */

int accounts_exists(struct kctx *ctx, int64_t id, int *role) {
  kstmt *st = db_prep(ctx->db, "SELECT role FROM accounts WHERE id = $id AND disabled = 0");
  if (!st) return 0;
  db_bind_int(st, "$id", id);
  int found = db_step(st) == DB_ROW;
  if (found && role) *role = role_parse(db_col_text(st, 0));
  db_reset(st);
  return found;
}

static json_t *text_or_null(kstmt *st, int i) {
  return db_col_null(st, i) ? json_null() : json_string(db_col_text(st, i));
}

int accounts_me(struct kctx *ctx, json_t **out) {
  *out = NULL;
  kstmt *st = db_prep(ctx->db,
                      "SELECT role, name, name_kana, email, phone, resident, home_center"
                      " FROM accounts WHERE id = $id");
  if (!st) return KERR_INTERNAL;
  db_bind_int(st, "$id", ctx->actor.account_id);
  int rc = db_step(st);
  if (rc != DB_ROW) {
    db_reset(st);
    return rc == DB_DONE ? KERR_NOT_FOUND : kerr_from_db(rc);
  }
  json_t *me = json_pack("{s:o, s:s, s:s, s:o, s:o, s:o, s:b, s:o}", "system_id",
                         ids_json(ctx->actor.account_id), "role", db_col_text(st, 0), "name",
                         db_col_text(st, 1), "name_kana", text_or_null(st, 2), "email",
                         text_or_null(st, 3), "phone", text_or_null(st, 4), "resident",
                         (int)db_col_int(st, 5), "home_center", text_or_null(st, 6));
  db_reset(st);
  if (!me) return KERR_INTERNAL;
  *out = me;
  return 0;
}

int accounts_no_password(kdb *db, int64_t id) {
  return db_exists(db, "SELECT 1 FROM accounts WHERE id = $id AND password_hash = $m", DB_I("$id", id),
                   DB_T("$m", ACCOUNTS_NO_PASSWORD));
}
