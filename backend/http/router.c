/*
** http/router.c: the route table and the gate.
**
** One table, {method, pattern, handler, roles, flags}. Before any handler
** runs the gate checks, in order: path (404), method (405), query UTF-8 (400),
** session (401 when a sent credential is no longer valid), role (401 for the
** anonymous, 403 for the signed-in), body content type (415), body UTF-8 and
** syntax (400), CSRF for cookie-authenticated unsafe requests (403). A
** handler never repeats these.
*/
#include "router.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../core/rounds.h"
#include "../core/text.h"
#include "../core/totp.h"
#include "api_accounts.h"
#include "api_bookings.h"
#include "api_counter.h"
#include "api_courses.h"
#include "api_discounts.h"
#include "api_groups.h"
#include "api_mail.h"
#include "api_opendata.h"
#include "api_closures.h"
#include "api_ops.h"
#include "api_totp.h"
#include "api_public.h"
#include "api_reports.h"
#include "api_rounds.h"
#include "form.h"
#include "forms.h"
#include "html.h"
#include "pagecache.h"
#include "pages.h"
#include "reply.h"
#include "session.h"
#include "static.h"
#include "suspend.h"
#include "web_account.h"
#include "web_admin.h"
#include "web_staff_help.h"
#include "web_closures.h"
#include "web_ops.h"
#include "web_book.h"
#include "web_counter.h"
#include "web_counter_register.h"
#include "web_courses.h"
#include "web_staff_courses.h"
#include "web_groups.h"
#include "web_group_desk.h"
#include "web_group_list.h"
#include "web_my.h"
#include "web_oidc.h"
#include "web_people.h"
#include "web_totp.h"
#include "web_public.h"
#include "web_today.h"
#include "web_reports.h"
#include "web_rounds.h"
#include "web_rules.h"
#include "web_sameday.h"

#define JSON_BODY RF_JSON
#define ANY ROLE_ANY

const struct route router_routes[] = {
  /* public: feeds and catalogue */
  {"GET", "/healthz", api_healthz, ANY, 0},
  {"GET", "/api/v1/centers", api_centers, ANY, 0},
  {"GET", "/api/v1/rules", api_rules, ANY, 0},
  {"GET", "/api/v1/availability", api_availability, ANY, 0},
  {"GET", "/api/v1/today", api_today, ANY, 0},
  {"GET", "/api/v1/today.csv", api_today_csv, ANY, 0},
  /* identity: accounts, sessions (sign-in needs no CSRF token: no session yet) */
  {"POST", "/api/v1/accounts", api_account_create, ANY, JSON_BODY | RF_PERSONAL | RF_HASHES},
  {"POST", "/api/v1/session", api_session_create, ANY,
   JSON_BODY | RF_NO_CSRF | RF_PERSONAL | RF_HASHES | RF_PRECHECK},
  {"DELETE", "/api/v1/session", api_session_delete, ROLE_SIGNED_IN, RF_PERSONAL | RF_TOTP_SETUP},
  {"GET", "/api/v1/me", api_me, ROLE_SIGNED_IN, RF_PERSONAL | RF_TOTP_SETUP},
  /* the staff second factor (issue 14; core/totp.h) */
  {"GET", "/api/v1/me/totp", api_me_totp, ROLE_DESK | ROLE_ANALYST, RF_PERSONAL | RF_TOTP_SETUP},
  {"POST", "/api/v1/me/totp", api_me_totp_start, ROLE_DESK | ROLE_ANALYST,
   RF_JSON_OPT | RF_PERSONAL | RF_TOTP_SETUP},
  {"POST", "/api/v1/me/totp/confirm", api_me_totp_confirm, ROLE_DESK | ROLE_ANALYST,
   JSON_BODY | RF_PERSONAL | RF_TOTP_SETUP},
  {"POST", "/api/v1/users/{id}/totp/reset", api_user_totp_reset, ROLE_ADMIN,
   RF_JSON_OPT | RF_PERSONAL},
  {"GET", "/my/totp", web_totp, ROLE_DESK | ROLE_ANALYST, RF_PERSONAL | RF_TOTP_SETUP},
  {"POST", "/my/totp", web_totp_start, ROLE_DESK | ROLE_ANALYST, RF_FORM | RF_PERSONAL | RF_TOTP_SETUP},
  {"POST", "/my/totp/confirm", web_totp_confirm, ROLE_DESK | ROLE_ANALYST,
   RF_FORM | RF_PERSONAL | RF_TOTP_SETUP},
  {"POST", "/admin/users/{id}/totp-reset", web_totp_reset, ROLE_ADMIN, RF_FORM | RF_PERSONAL},
  {"GET", "/api/v1/me/mail", api_mail_prefs_get, ROLE_CITIZEN, RF_PERSONAL},
  {"POST", "/api/v1/me/mail", api_mail_prefs_put, ROLE_CITIZEN, JSON_BODY | RF_PERSONAL},
  /* operations (issue 14; docs/operations.md): a citizen's own account, password
  ** resets, users and the audit trail for admins */
  {"DELETE", "/api/v1/me", api_me_close, ROLE_CITIZEN, JSON_BODY | RF_PERSONAL},
  {"POST", "/api/v1/me/profile", api_me_update, ROLE_CITIZEN, JSON_BODY | RF_PERSONAL},
  {"GET", "/api/v1/me/disclosures", api_me_disclosures, ROLE_CITIZEN, RF_PERSONAL},
  {"POST", "/api/v1/password-reset", api_password_reset, ANY, JSON_BODY | RF_NO_CSRF | RF_PERSONAL},
  {"POST", "/api/v1/forgotten-id", api_forgotten_id, ANY, JSON_BODY | RF_NO_CSRF | RF_PERSONAL},
  {"POST", "/api/v1/password-reset/confirm", api_password_reset_confirm, ANY,
   JSON_BODY | RF_NO_CSRF | RF_PERSONAL},
  {"GET", "/api/v1/users", api_users_list, ROLE_ADMIN, RF_PERSONAL},
  {"POST", "/api/v1/users", api_users_create, ROLE_ADMIN, JSON_BODY | RF_PERSONAL},
  {"POST", "/api/v1/users/{id}/disable", api_user_disable, ROLE_ADMIN, RF_JSON_OPT | RF_PERSONAL},
  {"POST", "/api/v1/users/{id}/enable", api_user_enable, ROLE_ADMIN, RF_JSON_OPT | RF_PERSONAL},
  {"POST", "/api/v1/users/{id}/role", api_user_role, ROLE_ADMIN, JSON_BODY | RF_PERSONAL},
  {"POST", "/api/v1/users/{id}/password", api_user_password, ROLE_ADMIN, JSON_BODY | RF_PERSONAL},
  {"POST", "/api/v1/users/{id}/reset-code", api_user_reset_code, ROLE_DESK,
   RF_JSON_OPT | RF_PERSONAL},
  {"GET", "/api/v1/audit", api_audit, ROLE_ADMIN, RF_PERSONAL},
  /* the city's closures of a centre or a room (issue 14; docs/operations.md) */
  {"GET", "/api/v1/closures", api_closures_list, ANY, 0},
  {"POST", "/api/v1/closures", api_closures_create, ROLE_DESK, JSON_BODY | RF_PERSONAL},
  {"GET", "/api/v1/closures/{id}", api_closure_get, ROLE_DESK, RF_PERSONAL},
  {"POST", "/api/v1/closures/{id}/lift", api_closure_lift, ROLE_DESK, RF_JSON_OPT | RF_PERSONAL},
  {"GET", "/api/v1/me/closures", api_me_closures, ROLE_CITIZEN, RF_PERSONAL},
  /* groups: the public list before {id}, which would match "public" too */
  {"GET", "/api/v1/groups/public", api_groups_public, ANY, 0},
  {"GET", "/api/v1/groups/public.csv", api_groups_public_csv, ANY, 0},
  {"POST", "/api/v1/groups", api_group_create, ROLE_CITIZEN, JSON_BODY | RF_PERSONAL},
  {"GET", "/api/v1/groups", api_groups_list, ROLE_DESK, RF_PERSONAL},
  {"GET", "/api/v1/groups/{id}", api_group_get, ROLE_CITIZEN | ROLE_DESK, RF_PERSONAL},
  {"POST", "/api/v1/groups/{id}/approve", api_group_approve, ROLE_DESK, RF_JSON_OPT | RF_PERSONAL},
  {"POST", "/api/v1/groups/{id}/reject", api_group_reject, ROLE_DESK, JSON_BODY | RF_PERSONAL},
  {"POST", "/api/v1/groups/{id}/renew", api_group_renew, ROLE_CITIZEN | ROLE_DESK,
   JSON_BODY | RF_PERSONAL},
  {"POST", "/api/v1/groups/{id}/representatives", api_group_rep_add, ROLE_CITIZEN | ROLE_DESK,
   JSON_BODY | RF_PERSONAL},
  {"DELETE", "/api/v1/groups/{id}/representatives/{system_id}", api_group_rep_remove,
   ROLE_CITIZEN | ROLE_DESK, RF_PERSONAL},
  /* invitations to co-represent a group (issue 12): the invited person answers */
  {"GET", "/api/v1/invitations", api_invitations_list, ROLE_CITIZEN, RF_PERSONAL},
  {"POST", "/api/v1/invitations/{id}/accept", api_invitation_accept, ROLE_CITIZEN,
   RF_JSON_OPT | RF_PERSONAL},
  {"POST", "/api/v1/invitations/{id}/decline", api_invitation_decline, ROLE_CITIZEN,
   RF_JSON_OPT | RF_PERSONAL},
  /* web: public pages, signage and open data (issue 7; docs/web.md, docs/opendata.md).
  ** The identity branch adds /opendata/groups.csv; forms and signed-in pages
  ** join this block later. */
  {"GET", "/", web_top, ANY, RF_CACHE},
  {"GET", "/availability", web_availability, ANY, RF_CACHE},
  {"GET", "/rooms/{id}", web_room, ANY, RF_CACHE},
  {"GET", "/signage/{center}", web_signage, ANY, RF_CACHE},
  {"GET", "/today", web_today, ANY, RF_CACHE},
  {"GET", "/rules/discounts", web_discounts, ANY, RF_CACHE},
  {"GET", "/help", web_help, ANY, RF_CACHE},
  {"GET", "/groups", web_group_list, ANY, RF_CACHE},
  {"GET", "/opendata/facilities.csv", api_opendata_facilities, ANY, RF_CACHE},
  {"GET", "/opendata/availability.csv", api_opendata_availability, ANY, RF_CACHE},
  {"GET", "/opendata/usage.csv", api_opendata_usage, ANY, RF_CACHE_DAY},
  {"GET", "/opendata/groups.csv", api_groups_public_csv, ANY, 0},
  /* forms and the signed-in pages (issue 7; docs/web.md "Signing in, booking and
  ** the online forms"). A browser not signed in that asks for one of these pages
  ** is sent to /signin and comes back (signin_redirect). POST /forms/KIND records
  ** every submission with its receipt number (core/submissions.c). */
  {"GET", "/register", web_register, ANY, 0},
  {"POST", "/register", web_register_post, ANY, RF_FORM | RF_PERSONAL | RF_HASHES},
  {"GET", "/register/done", web_register_done, ROLE_CITIZEN, RF_PERSONAL},
  {"GET", "/signin", web_signin, ANY, 0},
  {"POST", "/signin", web_signin_post, ANY,
   RF_FORM | RF_NO_CSRF | RF_PERSONAL | RF_HASHES | RF_PRECHECK},
  {"POST", "/signout", web_signout, ROLE_SIGNED_IN, RF_FORM | RF_PERSONAL | RF_TOTP_SETUP},
  /* sign-in with the My Number card (issue 17; docs/identity.md) */
  {"GET", "/auth/oidc/start", web_oidc_start, ANY, RF_PERSONAL},
  {"GET", "/auth/oidc/callback", web_oidc_callback, ANY, RF_PERSONAL},
  {"POST", "/my/oidc/link", web_oidc_link, ROLE_CITIZEN, RF_FORM | RF_PERSONAL},
  {"POST", "/my/oidc/unlink", web_oidc_unlink, ROLE_CITIZEN, RF_FORM | RF_PERSONAL},
  {"GET", "/book", web_book, ANY, RF_PERSONAL},
  /* same-day use without registration (core/sameday.h): anyone, a form from this site */
  {"POST", "/sameday/review", web_sameday_review, ANY, RF_FORM | RF_PERSONAL},
  {"POST", "/sameday", web_sameday_post, ANY, RF_FORM | RF_PERSONAL | RF_RUSH},
  {"POST", "/book/review", web_book_review, ROLE_CITIZEN, RF_FORM | RF_PERSONAL},
  {"GET", "/my", web_my, ROLE_CITIZEN, RF_PERSONAL},
  {"GET", "/my/bookings/{id}", web_my_booking, ROLE_CITIZEN | ROLE_DESK, RF_PERSONAL},
  {"POST", "/my/bookings/{id}/confirm", web_my_confirm, ROLE_CITIZEN | ROLE_DESK,
   RF_FORM | RF_PERSONAL | RF_RUSH},
  {"GET", "/my/bookings/{id}/permit", web_my_permit, ROLE_CITIZEN | ROLE_DESK, RF_PERSONAL},
  {"GET", "/my/bookings/{id}/cancel", web_my_cancel, ROLE_CITIZEN, RF_PERSONAL},
  {"GET", "/my/groups", web_my_groups, ROLE_CITIZEN, RF_PERSONAL},
  {"GET", "/my/mail", web_mail, ROLE_CITIZEN, RF_PERSONAL},
  {"POST", "/my/mail", web_mail_save, ROLE_CITIZEN, RF_FORM | RF_PERSONAL},
  {"POST", "/my/invitations/{id}/accept", web_invitation_accept, ROLE_CITIZEN,
   RF_FORM | RF_PERSONAL},
  {"POST", "/my/invitations/{id}/decline", web_invitation_decline, ROLE_CITIZEN,
   RF_FORM | RF_PERSONAL},
  {"GET", "/groups/new", web_group_new, ROLE_CITIZEN, RF_PERSONAL},
  {"GET", "/discounts/apply", web_discount_apply, ROLE_CITIZEN, RF_PERSONAL},
  {"POST", "/forms/booking", form_booking, ROLE_CITIZEN, RF_FORM | RF_PERSONAL | RF_RUSH},
  {"POST", "/forms/group", form_group, ROLE_CITIZEN, RF_FORM | RF_PERSONAL},
  {"POST", "/forms/discount", form_discount, ROLE_CITIZEN, RF_FORM | RF_PERSONAL},
  {"POST", "/forms/cancel", form_cancel, ROLE_CITIZEN | ROLE_DESK, RF_FORM | RF_PERSONAL | RF_RUSH},
  /* staff and admin pages: the menu, the counter page and its actions, the
  ** printable ledger, the queues to decide */
  {"GET", "/admin", web_admin, ROLE_DESK, RF_PERSONAL},
  {"GET", "/admin/help", web_staff_help, ROLE_DESK, 0},
  {"GET", "/counter", web_counter, ROLE_DESK, RF_PERSONAL},
  {"POST", "/counter/walkin", web_counter_walkin, ROLE_DESK, RF_FORM | RF_PERSONAL | RF_RUSH},
  {"POST", "/counter/bookings/{id}/confirm", web_counter_confirm, ROLE_DESK,
   RF_FORM | RF_PERSONAL | RF_RUSH},
  {"POST", "/counter/bookings/{id}/pay", web_counter_pay, ROLE_DESK, RF_FORM | RF_PERSONAL},
  {"POST", "/counter/bookings/{id}/checkin", web_counter_checkin, ROLE_DESK, RF_FORM | RF_PERSONAL},
  {"POST", "/counter/bookings/{id}/noshow", web_counter_noshow, ROLE_DESK, RF_FORM | RF_PERSONAL},
  {"POST", "/counter/bookings/{id}/cancel", web_counter_cancel, ROLE_DESK, RF_FORM | RF_PERSONAL | RF_RUSH},
  {"GET", "/counter/book", web_counter_book, ROLE_DESK, RF_PERSONAL},
  {"POST", "/counter/book", web_counter_book_post, ROLE_DESK, RF_FORM | RF_PERSONAL | RF_RUSH},
  {"GET", "/counter/register", web_counter_register, ROLE_DESK, RF_PERSONAL},
  {"POST", "/counter/register", web_counter_register_post, ROLE_DESK, RF_FORM | RF_PERSONAL},
  {"GET", "/counter/ledger", web_counter_ledger, ROLE_DESK, RF_PERSONAL},
  {"POST", "/counter/permit", web_counter_permit, ROLE_DESK, RF_FORM | RF_PERSONAL},
  {"GET", "/counter/bookings/{id}/receipt", web_counter_receipt, ROLE_DESK, RF_PERSONAL},
  {"GET", "/admin/groups", web_admin_groups, ROLE_DESK, RF_PERSONAL},
  {"GET", "/admin/groups/{id}", web_group_desk_detail, ROLE_DESK, RF_PERSONAL},
  /* the allocation round's pages (issue 16; docs/courses.md) */
  {"GET", "/admin/rounds", web_admin_rounds, ROLE_DESK, RF_PERSONAL},
  {"GET", "/admin/rounds/{id}", web_admin_round, ROLE_DESK, RF_PERSONAL},
  {"POST", "/admin/rounds/{id}/close", web_admin_round_close, ROLE_DESK, RF_FORM | RF_PERSONAL},
  {"GET", "/my/rounds", web_my_rounds, ROLE_CITIZEN, RF_PERSONAL},
  {"POST", "/my/rounds/{id}/cancel", web_my_round_cancel, ROLE_CITIZEN, RF_FORM | RF_PERSONAL},
  {"GET", "/rounds/{id}", web_round, ANY, RF_PERSONAL},
  {"GET", "/rounds/{id}/apply", web_round_apply_form, ROLE_CITIZEN, RF_PERSONAL},
  {"POST", "/rounds/{id}/apply", web_round_apply, ROLE_CITIZEN, RF_FORM | RF_PERSONAL},
  /* the course database for staff (issue 16; docs/courses.md) */
  {"GET", "/admin/courses", web_staff_courses, ROLE_DESK, RF_PERSONAL},
  {"POST", "/admin/courses", web_staff_course_create, ROLE_DESK, RF_FORM | RF_PERSONAL},
  {"GET", "/admin/courses/new", web_staff_course_new, ROLE_DESK, RF_PERSONAL},
  {"GET", "/admin/courses/{id}", web_staff_course, ROLE_DESK, RF_PERSONAL},
  {"POST", "/admin/courses/{id}", web_staff_course_update, ROLE_DESK, RF_FORM | RF_PERSONAL},
  {"POST", "/admin/courses/{id}/copy", web_staff_course_copy, ROLE_DESK, RF_FORM | RF_PERSONAL},
  {"POST", "/admin/courses/{id}/sessions/{sid}/attendance", web_staff_course_attendance,
   ROLE_DESK, RF_FORM | RF_PERSONAL},
  /* operations pages (issue 14; docs/operations.md) */
  {"GET", "/admin/users", web_ops_users, ROLE_ADMIN, RF_PERSONAL},
  {"POST", "/admin/users", web_people_user_create, ROLE_ADMIN, RF_FORM | RF_PERSONAL},
  {"GET", "/admin/users/new", web_people_user_new, ROLE_ADMIN, RF_PERSONAL},
  {"GET", "/admin/users/{id}", web_people_user, ROLE_ADMIN, RF_PERSONAL},
  {"POST", "/admin/users/{id}/role", web_people_user_role, ROLE_ADMIN, RF_FORM | RF_PERSONAL},
  {"POST", "/admin/users/{id}/password", web_people_user_password, ROLE_ADMIN,
   RF_FORM | RF_PERSONAL},
  {"GET", "/my/profile", web_people_profile, ROLE_CITIZEN, RF_PERSONAL},
  {"POST", "/my/profile", web_people_profile_post, ROLE_CITIZEN, RF_FORM | RF_PERSONAL},
  {"GET", "/counter/reset-code", web_people_code, ROLE_DESK, RF_PERSONAL},
  {"POST", "/counter/reset-code", web_people_code_post, ROLE_DESK, RF_FORM | RF_PERSONAL},
  {"POST", "/admin/users/{id}/disable", web_ops_user_disable, ROLE_ADMIN, RF_FORM | RF_PERSONAL},
  {"POST", "/admin/users/{id}/enable", web_ops_user_enable, ROLE_ADMIN, RF_FORM | RF_PERSONAL},
  {"GET", "/admin/audit", web_ops_audit, ROLE_ADMIN, RF_PERSONAL},
  {"GET", "/admin/closures", web_closures, ROLE_DESK, RF_PERSONAL},
  {"POST", "/admin/closures", web_closures_create, ROLE_DESK, RF_FORM | RF_PERSONAL},
  {"GET", "/admin/closures/{id}", web_closure, ROLE_DESK, RF_PERSONAL},
  {"POST", "/admin/closures/{id}/lift", web_closure_lift, ROLE_DESK, RF_FORM | RF_PERSONAL},
  {"GET", "/my/privacy", web_ops_privacy, ROLE_CITIZEN, RF_PERSONAL},
  {"POST", "/my/close", web_ops_close, ROLE_CITIZEN, RF_FORM | RF_PERSONAL},
  {"GET", "/forgotten-id", web_forgotten_id, ANY, RF_PERSONAL},
  {"POST", "/forgotten-id", web_forgotten_id_post, ANY, RF_FORM | RF_NO_CSRF | RF_PERSONAL},
  {"GET", "/password-reset", web_ops_reset_page, ANY, RF_PERSONAL},
  {"POST", "/password-reset", web_ops_reset_post, ANY, RF_FORM | RF_NO_CSRF | RF_PERSONAL},
  {"POST", "/password-reset/confirm", web_ops_reset_confirm, ANY, RF_FORM | RF_NO_CSRF | RF_PERSONAL},
  {"GET", "/password-reset/", web_ops_reset_page, ANY, RF_PREFIX | RF_PERSONAL},
  {"POST", "/admin/groups/{id}/approve", web_admin_group_approve, ROLE_DESK, RF_FORM | RF_PERSONAL},
  {"POST", "/admin/groups/{id}/reject", web_admin_group_reject, ROLE_DESK, RF_FORM | RF_PERSONAL},
  {"GET", "/admin/discounts", web_admin_discounts, ROLE_ADMIN, RF_PERSONAL},
  {"POST", "/admin/discounts/{id}/decide", web_admin_discount_decide, ROLE_ADMIN,
   RF_FORM | RF_PERSONAL},
  /* bookings and digital permits */
  /* staff book for a citizen with {"on_behalf_of"} (counter issue, docs/counter.md) */
  {"POST", "/api/v1/bookings", api_booking_create, ROLE_CITIZEN | ROLE_DESK,
   JSON_BODY | RF_PERSONAL | RF_RUSH | RF_PRECHECK},
  {"GET", "/api/v1/bookings", api_booking_list, ROLE_CITIZEN | ROLE_DESK, RF_PERSONAL},
  {"GET", "/api/v1/bookings/{id}", api_booking_get, ROLE_CITIZEN | ROLE_DESK, RF_PERSONAL},
  {"POST", "/api/v1/bookings/{id}/confirm", api_booking_confirm, ROLE_CITIZEN | ROLE_DESK,
   RF_JSON_OPT | RF_PERSONAL | RF_RUSH},
  {"POST", "/api/v1/bookings/{id}/cancel", api_booking_cancel, ROLE_CITIZEN | ROLE_DESK,
   RF_JSON_OPT | RF_PERSONAL | RF_RUSH},
  {"GET", "/api/v1/bookings/{id}/permit", api_booking_permit, ROLE_CITIZEN | ROLE_DESK,
   RF_PERSONAL},
  {"POST", "/api/v1/permits/verify", api_permit_verify, ANY, JSON_BODY | RF_NO_CSRF},
  {"POST", "/api/v1/sameday", api_sameday, ANY, JSON_BODY | RF_PERSONAL | RF_RUSH},
  /* counter desk (issue 6; docs/counter.md): staff and admin only, personal data.
  ** Acting for citizens goes through the booking routes above (on_behalf_of,
  ** confirm, cancel), which pass staff on to core/counter.c. */
  {"GET", "/api/v1/counter/today", api_counter_today, ROLE_DESK, RF_PERSONAL},
  {"POST", "/api/v1/counter/walkin", api_counter_walkin, ROLE_DESK,
   JSON_BODY | RF_PERSONAL | RF_RUSH},
  {"GET", "/api/v1/counter/ledger", api_counter_ledger, ROLE_DESK, RF_PERSONAL},
  {"GET", "/api/v1/counter/ledger.csv", api_counter_ledger_csv, ROLE_DESK, RF_PERSONAL},
  {"POST", "/api/v1/bookings/{id}/checkin", api_booking_checkin, ROLE_DESK,
   RF_JSON_OPT | RF_PERSONAL},
  {"POST", "/api/v1/bookings/{id}/noshow", api_booking_noshow, ROLE_DESK,
   RF_JSON_OPT | RF_PERSONAL},
  {"POST", "/api/v1/bookings/{id}/payments", api_booking_pay, ROLE_DESK, JSON_BODY | RF_PERSONAL},
  {"GET", "/api/v1/bookings/{id}/payments", api_booking_payments, ROLE_DESK, RF_PERSONAL},
  {"GET", "/api/v1/bookings/{id}/messages", api_booking_messages, ROLE_DESK, RF_PERSONAL},
  /* end of counter desk */
  {"GET", "/api/v1/permits/key", api_permit_key, ANY, 0},
  /* courses (講座), applications and lotteries (issue 16; docs/courses.md):
  ** the fixed names before {id} */
  {"GET", "/api/v1/courses", api_courses_list, ANY, 0},
  {"POST", "/api/v1/courses", api_course_create, ROLE_DESK, JSON_BODY | RF_PERSONAL},
  {"GET", "/api/v1/courses/search", api_courses_search, ROLE_DESK, RF_PERSONAL},
  {"GET", "/api/v1/courses/report", api_report_courses, ROLE_DESK | ROLE_ANALYST, RF_PERSONAL},
  {"GET", "/api/v1/courses/{id}", api_course_get, ANY, 0},
  {"PATCH", "/api/v1/courses/{id}", api_course_update, ROLE_DESK, JSON_BODY | RF_PERSONAL},
  {"POST", "/api/v1/courses/{id}/copy", api_course_copy, ROLE_DESK, JSON_BODY | RF_PERSONAL},
  {"POST", "/api/v1/courses/{id}/applications", api_course_apply, ROLE_CITIZEN,
   RF_JSON_OPT | RF_PERSONAL | RF_RUSH},
  {"GET", "/api/v1/courses/{id}/applications", api_course_applications, ROLE_DESK, RF_PERSONAL},
  {"POST", "/api/v1/courses/{id}/draw", api_course_draw, ROLE_DESK, RF_JSON_OPT | RF_PERSONAL},
  {"POST", "/api/v1/courses/{id}/sessions/{sid}/attendance", api_course_attendance, ROLE_DESK,
   JSON_BODY | RF_PERSONAL},
  {"GET", "/api/v1/course-applications", api_course_apps_mine, ROLE_CITIZEN, RF_PERSONAL},
  {"POST", "/api/v1/course-applications/{id}/cancel", api_course_app_cancel,
   ROLE_CITIZEN | ROLE_DESK, RF_JSON_OPT | RF_PERSONAL},
  {"POST", "/api/v1/course-applications/{id}/accept", api_course_app_accept, ROLE_CITIZEN,
   RF_JSON_OPT | RF_PERSONAL},
  {"GET", "/api/v1/lotteries/{id}", api_lottery_get, ANY, 0},
  /* the monthly allocation round for rooms (the rule book's lottery) */
  {"GET", "/api/v1/rounds", api_rounds_list, ANY, 0},
  {"GET", "/api/v1/rounds/{id}", api_round_get, ANY, RF_PERSONAL},
  {"POST", "/api/v1/rounds/{id}/applications", api_round_apply, ROLE_CITIZEN,
   JSON_BODY | RF_PERSONAL},
  {"POST", "/api/v1/rounds/{id}/close", api_round_close, ROLE_DESK, RF_JSON_OPT | RF_PERSONAL},
  {"GET", "/api/v1/round-applications", api_round_apps_mine, ROLE_CITIZEN, RF_PERSONAL},
  {"POST", "/api/v1/round-applications/{id}/cancel", api_round_app_cancel, ROLE_CITIZEN,
   RF_JSON_OPT | RF_PERSONAL},
  {"GET", "/api/v1/centers/{code}/courses.ics", api_center_courses_ics, ANY, 0},
  {"GET", "/courses", web_courses, ANY, 0},
  {"GET", "/courses/{id}", web_course, ANY, 0},
  {"POST", "/courses/{id}/apply", web_course_apply, ROLE_CITIZEN,
   RF_FORM | RF_PERSONAL | RF_RUSH},
  {"GET", "/my/courses", web_my_courses, ROLE_CITIZEN, RF_PERSONAL},
  {"POST", "/my/courses/{id}/cancel", web_my_course_cancel, ROLE_CITIZEN, RF_FORM | RF_PERSONAL},
  {"POST", "/my/courses/{id}/accept", web_my_course_accept, ROLE_CITIZEN, RF_FORM | RF_PERSONAL},
  /* end of courses */
  /* exemptions (減免, issue 5; docs/discounts.md): representatives apply,
  ** admins decide; analysts see no applicant (not granted here) */
  {"POST", "/api/v1/discounts", api_discount_apply, ROLE_CITIZEN, JSON_BODY | RF_PERSONAL},
  {"GET", "/api/v1/discounts", api_discounts_list, ROLE_CITIZEN | ROLE_DESK, RF_PERSONAL},
  {"GET", "/api/v1/discounts/{id}", api_discount_get, ROLE_CITIZEN | ROLE_DESK, RF_PERSONAL},
  {"POST", "/api/v1/discounts/{id}/decide", api_discount_decide, ROLE_ADMIN,
   JSON_BODY | RF_PERSONAL},
  /* the usage log and reports for the working group (issue 8; docs/reports.md):
  ** analysts and admins; staff the monthly report and the page, of their home
  ** centre only (core/reports.c, reports_scope); no-store, the log carries pseudonyms */
  {"GET", "/api/v1/events", api_events, ROLE_ANALYST | ROLE_ADMIN, RF_PERSONAL},
  {"GET", "/api/v1/reports/usage", api_report_usage, ROLE_ANALYST | ROLE_ADMIN, RF_PERSONAL},
  {"GET", "/api/v1/reports/monthly", api_report_monthly, ROLE_ANALYST | ROLE_DESK, RF_PERSONAL},
  {"GET", "/reports", web_reports, ROLE_ANALYST | ROLE_DESK, RF_PERSONAL},
  /* static files under web/ (last: everything else is a 404 from it) */
  {"GET", "/static/", static_file, ANY, RF_PREFIX},
  {NULL, NULL, NULL, 0, 0}
};

/* ---------------------------------------------------------------- matching */

/* 1 if PATH matches PATTERN, with {name} segments captured into R. */
static int match(const struct route *rt, const char *path, struct req *r) {
  const char *p = rt->pattern, *u = path;
  int n = 0;
  if (rt->flags & RF_PREFIX) {
    size_t k = strlen(p);
    if (strncmp(path, p, k) != 0) return 0;
    if (strlen(path + k) >= sizeof r->params[0] * 4) return 0;
    r->nparams = 0;
    return 1;
  }
  while (*p && *u) {
    if (*p == '{') {
      const char *pe = strchr(p, '}');
      const char *ue = strchr(u, '/');
      if (!pe) return 0;
      if (!ue) ue = u + strlen(u);
      size_t len = (size_t)(ue - u);
      if (len == 0 || len >= sizeof r->params[0] || n >= REQ_MAX_PARAMS) return 0;
      memcpy(r->params[n], u, len);
      r->params[n][len] = 0;
      n++;
      p = pe + 1;
      u = ue;
    } else if (*p == *u) {
      p++, u++;
    } else {
      return 0;
    }
  }
  if (*p || *u) return 0;
  r->nparams = n;
  return 1;
}

static int is_unsafe(const char *m) {
  return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 && strcmp(m, "OPTIONS") != 0;
}

static int ctype_is(const char *ct, const char *want) {
  size_t n = strlen(want);
  return ct && strncasecmp(ct, want, n) == 0 && (ct[n] == 0 || ct[n] == ';' || ct[n] == ' ');
}

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value) {
  (void)kind;
  int *bad = cls;
  if ((key && !text_utf8_valid(key, strlen(key))) ||
      (value && !text_utf8_valid(value, strlen(value)))) {
    *bad = 1;
    return MHD_NO;
  }
  return MHD_YES;
}

/* Parse the body per the route's flags into r->json. 0 or a KERR code. */
static int parse_body(struct req *r) {
  int flags = r->route->flags;
  const char *ct = req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
  if (!(flags & (RF_JSON | RF_JSON_OPT | RF_FORM))) return 0; /* body ignored */
  if (r->body_len == 0 && (flags & RF_JSON_OPT)) return 0;
  if ((flags & RF_FORM) && ctype_is(ct, "application/x-www-form-urlencoded")) {
    int err = 0;
    r->json = form_parse(r->body ? r->body : "", r->body_len, &err);
    r->ctx.form = 1; /* every member text: a checkbox's "1" is true (core/input.c) */
    return r->json ? 0 : err;
  }
  if (!ctype_is(ct, "application/json")) return KERR_MEDIA_TYPE;
  if (!text_utf8_valid(r->body ? r->body : "", r->body_len)) return KERR_BAD_UTF8;
  json_error_t jerr;
  r->json = json_loadb(r->body ? r->body : "", r->body_len, JSON_REJECT_DUPLICATES, &jerr);
  if (!r->json || !json_is_object(r->json)) return KERR_BAD_REQUEST;
  return 0;
}

/* ------------------------------------------------- browsers to sign-in */

/* A person's browser asking for a page that needs a sign-in, while not (or no
** longer) signed in, is sent to the sign-in page, which brings it back here
** afterwards (next=). API clients and other methods get the error. */
static int signin_redirect(struct req *r, int expired, struct reply *ret) {
  if ((strcmp(r->method, "GET") && strcmp(r->method, "HEAD")) || !strncmp(r->url, "/api/", 5) ||
      !req_wants_html(r))
    return 0;
  struct html here = {0}, to = {0};
  page_current_url(r, &here);
  html_raw(&to, "/signin?next=");
  html_url(&to, here.p ? here.p : "/");
  if (expired) html_raw(&to, "&expired=1");
  size_t n;
  char *loc = html_take(&to, &n);
  *ret = loc ? reply_redirect(r, loc) : reply_error(r, KERR_INTERNAL, NULL);
  free(loc);
  html_free(&here);
  return 1;
}

/* RULE: the allocation rounds open and close on time even when nobody looks
** at them (core/rounds.h): any request runs their sweep first, at most once
** a minute of real time. */
static void periodic(struct req *r) {
  static _Atomic long long last;
  long long now = (long long)time(NULL), prev = atomic_load(&last);
  if (now - prev < 60 || !atomic_compare_exchange_strong(&last, &prev, now)) return;
  rounds_sweep(&r->ctx);
}

/* Before a 404 or 405 that no route answers: a browser gets the error as a
** page in the site's frame (reply.c), whose header shows who is signed in,
** so read the session as a page would; a session that does not resolve
** (none, expired) leaves the person anonymous. Nothing else is decided. */
static void read_session_for_page(struct req *r) {
  if (!strncmp(r->url, "/api/", 5) || !req_wants_html(r)) return;
  session_client_addr(r, r->client, sizeof r->client);
  r->ctx.client = r->client;
  if (r->ctx.db && session_resolve(r) == 0) return;
  memset(&r->ctx.actor, 0, sizeof r->ctx.actor);
  r->ctx.actor.role = ROLE_ANON;
  r->csrf[0] = 0;
}

static struct reply route(struct req *r) {
  const struct route *rt, *path_hit = NULL;
  char allow[64] = "";
  int code;

  for (rt = router_routes; rt->method; rt++) {
    if (!match(rt, r->url, r)) continue;
    path_hit = rt;
    if (!strcmp(rt->method, r->method) ||
        (!strcmp(r->method, "HEAD") && !strcmp(rt->method, "GET")))
      break;
    if (!strstr(allow, rt->method) && strlen(allow) + strlen(rt->method) + 3 < sizeof allow) {
      if (allow[0]) strcat(allow, ", ");
      strcat(allow, rt->method);
    }
  }
  if (!rt->method) {
    read_session_for_page(r);
    if (!path_hit) return reply_error(r, KERR_NOT_FOUND, NULL);
    return reply_method_not_allowed(r, allow);
  }
  r->route = rt;

  int bad = 0;
  MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, check_arg, &bad);
  if (bad) return reply_error(r, KERR_BAD_UTF8, NULL);

  struct reply ret;
  session_client_addr(r, r->client, sizeof r->client);
  r->ctx.client = r->client;
  code = session_resolve(r);
  if (code && !(rt->roles & ROLE_ANON)) {
    if (signin_redirect(r, code == KERR_SESSION_EXPIRED, &ret)) return ret;
    return reply_error(r, code, NULL);
  }
  if (code) { /* a stale cookie on a public page: carry on as anonymous */
    memset(&r->ctx.actor, 0, sizeof r->ctx.actor);
    r->ctx.actor.role = ROLE_ANON;
  }
  if (!(rt->roles & r->ctx.actor.role)) {
    if (r->ctx.actor.role == ROLE_ANON && signin_redirect(r, 0, &ret)) return ret;
    return reply_error(r, r->ctx.actor.role == ROLE_ANON ? KERR_UNAUTHORIZED : KERR_FORBIDDEN,
                       NULL);
  }

  /* RULE: with serve --require-staff-totp, staff and admins without a second
  ** factor may only set one up (core/totp.h). */
  if (!(rt->roles & ROLE_ANON) && !(rt->flags & RF_TOTP_SETUP) && r->ctx.db &&
      totp_blocked(&r->ctx)) {
    struct kerrinfo ei = {0};
    kerr_set(&ei, KERR_FORBIDDEN, "二段階認証の設定が必要です。職員メニューの「二段階認証」"
                                  "（/my/totp）で設定してから、お使いください。");
    return reply_core(r, KERR_FORBIDDEN, 0, NULL, &ei);
  }

  if (is_unsafe(r->method)) {
    if ((code = parse_body(r))) return reply_error(r, code, NULL);
    if (r->ctx.actor.role != ROLE_ANON && !r->bearer && !(rt->flags & RF_NO_CSRF) &&
        !session_csrf_ok(r))
      return reply_error(r, KERR_CSRF, NULL);
  }

  if (!r->ctx.db) return reply_error(r, KERR_STORAGE, NULL);
  periodic(r);
  if (suspend_defer(r, &ret)) return ret; /* hash pool or group commit (suspend.h) */
  if (!(rt->flags & (RF_CACHE | RF_CACHE_DAY))) return rt->fn(r);
  if (pagecache_lookup(r, &ret, (rt->flags & RF_CACHE_DAY) != 0)) return ret; /* anonymous: the shared copy */
  return pagecache_store(r, rt->fn(r));
}

enum MHD_Result router_dispatch(struct req *r) { return reply_send(r, route(r)); }
