/*
** core/rules_public.c: a rule-book version as the public JSON the API and
** the pages publish (rules_public_json, see rules.h). The loader is
** core/rules.c; the queries core/rules_query.c.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "rules.h"

/* ========================================================== publication */

/* Minutes after midnight as a new "HH:MM" string. */
static json_t *hhmm(int minutes) {
  return json_sprintf("%02d:%02d", minutes / 60, minutes % 60);
}

/* A copy of section KEY of R's file, or NULL when absent. */
static json_t *section(const struct rules *r, const char *key) {
  json_t *v = json_object_get(r->json, key);
  return v ? json_deep_copy(v) : NULL;
}

/* Set KEY of O to V when V is not NULL (stealing V). */
static void set_new(json_t *o, const char *key, json_t *v) {
  if (o && v) json_object_set_new(o, key, v);
}

json_t *rules_public_json(const struct rules *r) {
  json_t *out = NULL, *slots = NULL, *o;
  char buf[1024], d[11];
  if (!r || !(out = json_object()) || !(slots = json_array())) goto fail;

  set_new(out, "version", json_string(r->version));
  date_format(r->effective_from, d);
  set_new(out, "effective_from", json_string(d));
  set_new(out, "source", section(r, "source"));
  set_new(out, "note", section(r, "note"));
  for (int i = 0; i < r->nslots; i++) {
    const struct slotdef *s = &r->slots[i];
    json_array_append_new(slots, json_pack("{s:s, s:s, s:o, s:o}", "code", s->code, "label",
                                           s->label, "start", hhmm(s->start), "end",
                                           hhmm(s->end)));
  }
  json_object_set_new(out, "slots", slots);
  slots = NULL;
  set_new(out, "closed", section(r, "closed"));

  if ((o = section(r, "booking_window"))) {
    int n = r->opens_months_before > 0
                ? snprintf(buf, sizeof buf, "利用する月の%dか月前の%d日 %02d:%02d から",
                           r->opens_months_before, r->opens_day, r->opens_at / 60,
                           r->opens_at % 60)
                : snprintf(buf, sizeof buf, "利用する月の%d日 %02d:%02d から", r->opens_day,
                           r->opens_at / 60, r->opens_at % 60);
    if (r->online_until_min == 0)
      snprintf(buf + n, sizeof buf - (size_t)n,
               "予約できます。すべての公民館、すべての利用者で同じです。"
               "インターネットでは、その時間帯が始まるまで予約できます。");
    else
      snprintf(buf + n, sizeof buf - (size_t)n,
               "予約できます。すべての公民館、すべての利用者で同じです。"
               "インターネットでは、その時間帯が始まる%d分前まで予約できます。",
               r->online_until_min);
    set_new(o, "description", json_string(buf));
    set_new(out, "booking_window", o);
  }
  if ((o = section(r, "holds"))) {
    snprintf(buf, sizeof buf,
             "仮予約は%d時間以内に確定しないと、自動で取り消されます。"
             "仮予約は1人%d件までです。",
             r->hold_lapse_hours, r->hold_max_per_user);
    set_new(o, "description", json_string(buf));
    set_new(out, "holds", o);
  }
  set_new(out, "limits", section(r, "limits"));
  if ((o = section(r, "cancellation"))) {
    if (r->cancel_after_deadline_fee < 0)
      snprintf(buf, sizeof buf, "利用日の%d日前まで取り消せます。それより後は取り消せません。",
               r->cancel_deadline_days);
    else
      snprintf(buf, sizeof buf,
               "利用日の%d日前まで無料で取り消せます。それより後は使用料の%d%%がかかります。",
               r->cancel_deadline_days, r->cancel_after_deadline_fee);
    set_new(o, "description", json_string(buf));
    set_new(out, "cancellation", o);
  }
  set_new(out, "fees", section(r, "fees"));
  set_new(out, "discounts", section(r, "discounts"));
  if ((o = section(r, "group_registration"))) {
    char share[64];
    rules_group_share_words(r, share, sizeof share);
    snprintf(buf, sizeof buf,
             "%d人以上の団体で、構成員の%sが前橋市に住んでいるか、"
             "働いているか、学んでいることが条件です。一度の登録で、すべての公民館を使えます。",
             r->group_min_members, share);
    set_new(o, "description", json_string(buf));
    set_new(out, "group_registration", o);
  }
  set_new(out, "same_day", section(r, "same_day"));
  if ((o = section(r, "counter_hours"))) {
    char hours[256];
    rules_counter_hours_text(r, hours, sizeof hours);
    snprintf(buf, sizeof buf, "窓口の受付は %sです。インターネットは24時間使えます。", hours);
    set_new(o, "description", json_string(buf));
    set_new(out, "counter_hours", o);
  }
  set_new(out, "campaign_days", section(r, "campaign_days"));
  set_new(out, "noshow", section(r, "noshow"));
  return out;

fail:
  json_decref(slots);
  json_decref(out);
  return NULL;
}
