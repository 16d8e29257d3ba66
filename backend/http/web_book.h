/*
** http/web_book.h: the booking pages: the form, the confirmation step and
** the receipt of a hold (docs/web.md).
*/
#ifndef KOMINKAN_HTTP_WEB_BOOK_H
#define KOMINKAN_HTTP_WEB_BOOK_H

#include <jansson.h>

#include "../core/bookable.h"
#include "../core/bookings.h"
#include "../core/rules.h"
#include "html.h"
#include "http.h"

struct reply web_book(struct req *r);
struct reply web_book_review(struct req *r);

/* After a refused sign-up whose form was on the page for a chosen slot (its
** NEXT "/book?room=ID&date=D&slot=S"): that page again, the choice still said
** and carried, with STATUS, the VALUES sent (never a password), ERRORS
** ({field: message}, or NULL) and MESSAGE (an error of no one field, or
** NULL), into *OUT. -1 when NEXT is no booking form's address or names no
** room (the caller shows its own form). */
int web_book_signup_again(struct req *r, const char *next, unsigned status,
                          const json_t *values, const json_t *errors, const char *message,
                          struct reply *out);
/* On the sign-in page whose NEXT is a booking form's address: the room and
** the day and slot chosen, under a heading saying signing in goes back to
** them; nothing for any other NEXT. */
void web_book_going_to(struct req *r, struct html *h, const char *next);

/* The booking form again with STATUS, the VALUES sent, MESSAGE (an error of
** no one field, or NULL), ERRORS ({field: message}, or NULL) and the
** RECEIPT number of a rejected submission (or NULL). For /forms/booking. */
struct reply web_booking_form(struct req *r, unsigned status, const json_t *values,
                                 const char *message, const json_t *errors, const char *receipt);

/* The receipt page of the booking RES->booking with its RECEIPT number: for
** a hold, the exact expiry and the button that confirms it. */
struct form_result;
struct reply web_booking_receipt(struct req *r, const char *receipt,
                                 const struct form_result *res);

/* The field of the booking form a refusal with CODE belongs to, or NULL. */
const char *web_book_error_field(int code);

/* A booking's (or a quote's) facts as a list: centre, room, date, slots,
** purpose, attendees, in whose name, fee. */
void web_book_facts(struct req *r, struct html *h, const struct booking_view *v);

/* How, where and by when to pay the fee of B (a hold or a confirmed booking),
** consistent with counter hours (core/desk.c desk_pay_by): nothing for a
** cancelled or finished booking. */
void web_book_payment(struct req *r, struct html *h, const struct booking_view *v);

/* The fee of a booking called off (ST, its status now: cancelled or
** lapsed), from its payments, in page_called_off_fee's words, into OUT: 1;
** 0 and nothing for any other booking. */
int web_book_called_off_fee(struct req *r, const struct booking *b, enum booking_status st,
                            char *out, size_t n);

/* The same as a row of a facts list (<dl class="facts">), the one every page
** showing such a booking uses (the counter's card, マイページ, the booking's
** page): 1, or 0 and nothing for a booking not called off. */
int web_book_called_off_row(struct req *r, struct html *h, const struct booking *b,
                            enum booking_status st);

/* "午前・午後 (9:00〜17:00)" for the N slot codes CODES under R, into OUT[SIZE]. */
void web_book_slots_label(const struct rules *r, const char codes[][24], int n, const char *start,
                          const char *end, char *out, size_t size);
/* The same for SLOTS as stored ("morning,afternoon"). */
void web_book_slots_text(const struct rules *r, const char *slots, const char *start,
                         const char *end, char *out, size_t n);

/* The slot chosen by DATE and SLOT (a query's or a form's): *DAY and the
** index of SLOT in the version in force on *DAY, or -1 when either is missing
** or unknown. */
int web_book_chosen(struct req *r, const char *date, const char *slot, int32_t *day);

/* RULE: never offer what will be refused. Whether slot K of room RO on DAY
** can be taken now through channel CH (core/bookable.c, and whether a
** booking or a hold has it): 0, else the KERR code with EI's message in the
** booking's own words. What depends on the person is checked when they apply. */
int web_book_refusal(struct req *r, enum bk_channel ch, const struct room *ro, int32_t day, int k,
                     struct kerrinfo *ei);

/* What was chosen: the room (centre, name, kind, capacity) and, when K >= 0,
** the day and slot K ("選んだ日: ..."). */
void web_book_choice(struct req *r, struct html *h, const struct room *ro, int32_t day, int k);

/* The ways back to choosing: DAY's availability at RO's centre (today's when
** K < 0) and the room's month. */
void web_book_back_links(struct req *r, struct html *h, const struct room *ro, int32_t day, int k);

/* Booking ID as a view into *V (no access check: a booking the actor has
** just made or changed): 0, or KERR_NOT_FOUND. For the counter's pages. */
int web_book_view_of_id(struct req *r, int64_t id, struct booking_view *v);

#endif
