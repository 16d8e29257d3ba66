/*
** core/discounts.h: fee exemptions (減免), applied for online, decided once,
** valid at every centre.
**
** The categories are the rule book's (`discounts` of a rules version: code,
** name, rate in percent, who qualifies, evidence, validity); GET /api/v1/rules
** and the page /rules/discounts publish them. Here:
**
**   - A group's representative or co-representative applies for one
**     category (discounts_apply): the group must be approved and valid today,
**     the category must exist in the version in force today, a reason is
**     required, an evidence note is optional. One OPEN (pending) application
**     per group and category (a UNIQUE index over the pending rows). Nothing
**     is stored on any error.
**   - An admin approves or rejects it (discounts_decide); a rejection needs a
**     reason, which the group reads. An approval is valid from the decision
**     date to the end of the category's validity (e.g. the fiscal year end,
**     31 March), or to the eve of the category's abolition when a version
**     already in the rule book removes it; applying again while approved is a renewal, whose period
**     follows the current one without a gap (as for group registration).
**   - The fee: every booking of the group whose use date falls inside an
**     approval carries the discount, at EVERY centre, whether it was made
**     before or after the approval (the approval re-prices the group's
**     unpaid, not cancelled bookings in its own transaction). The rate is the
**     one of the rules version in force on the USE date: a newer version that
**     changes the rate or abolishes the category decides for use dates from
**     its effective date on, older use dates keep the old terms.
**
** RULE: an exemption changes the fee and nothing else. Exempt groups get
** exactly the same booking window, holds and caps as every other group:
** nothing in core/bookings.c's checks looks at exemptions (tests prove it).
**
** Who: applicants are citizens who represent the group; the group's
** representatives, staff and admins see its applications; admins list the
** pending ones and decide. To anyone else an application or group does not
** exist (KERR_NOT_FOUND). Analysts see none of it (the route table).
**
** Every application and decision writes a usage-log event (core/audit.c:
** pseudonyms, the category code and figures; never the reason or evidence).
**
** Functions returning json_t ** give the caller a new reference; on error
** *OUT is NULL and EI holds the details.
*/
#ifndef KOMINKAN_CORE_DISCOUNTS_H
#define KOMINKAN_CORE_DISCOUNTS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "status.h"

/* RULE: fee arithmetic, to the yen. The fee payable is rounded DOWN to the
** yen (1円未満切り捨て, as fee ordinances do), so the discount on BASE yen at
** RATE percent is BASE - floor(BASE * (100 - RATE) / 100): nobody pays a
** fraction of a yen rounded up. RATE 100 -> BASE; 0 for BASE <= 0 or RATE <= 0. */
int64_t discount_yen(int64_t base, int rate);

/* The last day of an approval of category D starting on FROM (the fiscal year
** end on or after FROM, or FROM + days - 1). */
int32_t discounts_validity_end(const struct discount_cat *d, int32_t from);

/* For bookings: the most favourable discount for GROUP's booking on use date
** DAY priced at BASE yen, under R (the rules version of the booking: the one
** in force on DAY). Looks at the group's approvals valid on DAY whose
** category exists in R, at R's rate; the largest discount wins (ties: the
** higher rate, then the category code in byte order). *DISCOUNT gets yen (0
** when none) and CODE (CODELEN bytes) the category ("" when none). 0 or a
** KERR code. */
int discounts_best(struct kctx *ctx, int64_t group, int32_t day, const struct rules *r,
                   int64_t base, int64_t *discount, char *code, size_t codelen);

/* POST /api/v1/discounts: IN {"group_id","category","reason","evidence"?}.
** *OUT is the new application (status "pending"). */
int discounts_apply(struct kctx *ctx, const json_t *in, json_t **out, struct kerrinfo *ei);
/* discounts_apply typed: *ID the new application (the same checks and errors). */
int discounts_apply_id(struct kctx *ctx, const json_t *in, int64_t *id, struct kerrinfo *ei);

/* discounts_apply_id for the application form (POST /forms/discount), whose
** page carries a random KEY (NULL: none): a repeat of the post (a reload of
** the receipt page, a double click) gives *ID the application the first one
** made, with *REPLAYED (may be NULL) 1, and changes nothing, whatever became
** of that application since; the same key with other details is
** KERR_CONFLICT. A key is 1..DISCOUNTS_KEY_MAX printable ASCII characters
** (else KERR_BAD_REQUEST) and is the applicant's own. THEN (may be NULL) runs
** inside the write transaction with the new application's ID (the form's
** record: the application and its receipt commit together or not at all). */
#define DISCOUNTS_KEY_MAX 128
int discounts_apply_keyed(struct kctx *ctx, const json_t *in, const char *key,
                          int (*then)(struct kctx *ctx, int64_t app_id, void *arg,
                                      struct kerrinfo *ei),
                          void *arg, int64_t *id, int *replayed, struct kerrinfo *ei);

/* One application, for the group's representatives, staff and admins. */
int discounts_get(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei);

/* An exemption application as the API and the pages show it. The four
** texts are malloc'd: discount_app_views_free(). */
struct discount_app_view {
  int64_t id, group_id;
  char *group_name, *reason;
  char *evidence, *decision_reason;   /* NULL: none */
  char category[32];                  /* the code */
  const char *category_name;          /* the rule book's (lives as long as it); NULL:
                                      ** no version has the code */
  int rate;                           /* percent in today's version; -1: not offered */
  int abolished;                      /* not in today's version */
  enum review_status status;
  int64_t applied_at, decided_at;     /* instants; 0: none */
  char valid_from[11], valid_until[11];   /* "YYYY-MM-DD" once approved; "" before */
  int in_force;                       /* approved and valid today */
};
void discount_app_views_free(struct discount_app_view *v, int n);   /* the texts of V[0..N-1] */
/* The category's name to show: category_name, else the code. */
const char *discount_app_category_name(const struct discount_app_view *v);
/* V as the API shows it (new reference; NULL when out of memory). */
json_t *discount_app_view_json(const struct discount_app_view *v);

/* discounts_list as views: *OUT (malloc'd, *N of them; the caller frees
** them with discount_app_views_free, then free). */
int discount_app_views_list(struct kctx *ctx, const char *status, const char *group_id,
                            struct discount_app_view **out, int *n, struct kerrinfo *ei);

/* {"applications":[discount_app_view_json, ...]}. STATUS ("pending", "approved", "rejected"; admins
** only): oldest first. GROUP_ID (a typed group ID): that group's, newest
** first, for its representatives, staff and admins. Neither: a citizen's
** own groups' applications; staff and admins must give one. Both: both
** filters (admins). */
int discounts_list(struct kctx *ctx, const char *status, const char *group_id, json_t **out,
                   struct kerrinfo *ei);

/* POST /api/v1/discounts/ID/decide, admins: IN {"decision":"approved"|
** "rejected","reason"}. A rejection needs a reason. An approval sets the
** validity and re-prices the group's unpaid bookings in that period in the
** same transaction. *OUT is the application as decided (with "repriced":
** the number of bookings whose fee changed). */
int discounts_decide(struct kctx *ctx, int64_t id, const json_t *in, json_t **out,
                     struct kerrinfo *ei);

/* The group's applications, newest first, as shown on the group (GET
** /api/v1/groups/ID): a new array. No access check (the caller made it). */
int discounts_of_group(struct kctx *ctx, int64_t group, json_t **out);
/* The same as views (freed as for discount_app_views_list). */
int discount_app_views_of_group(struct kctx *ctx, int64_t group, struct discount_app_view **out,
                                int *n);

/* GET /api/v1/groups/ID: the group as groups_get() shows it to the actor,
** with "discounts", its exemption (減免) applications with their status and
** the decision's reason (discounts_of_group). Here, above groups, so that
** groups never calls discounts (docs/architecture.md). */
int discounts_group_get(struct kctx *ctx, int64_t id, json_t **out, struct kerrinfo *ei);

#endif
