/*
** http/web_account.h: sign-up, sign-in and sign-out pages (docs/web.md).
*/
#ifndef KOMINKAN_HTTP_WEB_ACCOUNT_H
#define KOMINKAN_HTTP_WEB_ACCOUNT_H

#include "http.h"

/* NEXT if it is a path of this site ("/..." but not "//..." nor "/\..."),
** else DFLT: a next= parameter, never a way to another site. */
const char *web_safe_next(const char *next, const char *dflt);

/* 1 if the form post R came from a page of another site (its Origin names
** another host; no Origin: a program or an old browser, let through). The
** check of the anonymous forms, which have no session and so no CSRF token:
** sign-in, sign-up, same-day use without registration (http/web_sameday.c). */
int web_cross_site(struct req *r);

struct reply web_signin(struct req *r);
struct reply web_signin_post(struct req *r);
struct reply web_signout(struct req *r);
struct reply web_register(struct req *r);
struct reply web_register_post(struct req *r);
struct reply web_register_done(struct req *r);

/* The sign-up form (posting to /register, then on to NEXT), for pages that
** ask a person to sign up on the way (the booking form, issue 13 point 16).
** FM: values and errors (may be empty). */
struct page_form;
struct html;
void web_register_form(struct req *r, struct html *h, const struct page_form *fm,
                       const char *next, const char *button);
/* The error summary of a refused sign-up form, at the top of a page that
** shows it (MESSAGE: an error of no one field, or NULL). */
void web_register_errors(struct html *h, const char *message, const struct page_form *fm);

#endif
