/*
** http/web_sameday.h: same-day use without registration on the web
** (「登録しないで今日使う」; core/sameday.h, docs/web.md): the short form on the
** booking page of a free slot of today, its confirmation step and its
** receipt, as pages that work without JavaScript.
*/
#ifndef KOMINKAN_HTTP_WEB_SAMEDAY_H
#define KOMINKAN_HTTP_WEB_SAMEDAY_H

#include <stdint.h>

#include "../core/rules.h"
#include "html.h"
#include "http.h"

/* The section 「登録しないで今日使う」 for slot K of room RO on DAY (today):
** what it costs and where it is paid, and the form (name, phone, people,
** purpose) that goes to the confirmation step, with FM's values and errors
** (may be empty). Whether to offer it is the caller's to ask
** (web_book_refusal with BK_SAMEDAY): never offer what will be refused. */
struct page_form;
void web_sameday_section(struct req *r, struct html *h, const struct room *ro, int32_t day, int k,
                         const struct page_form *fm);

struct reply web_sameday_review(struct req *r);
struct reply web_sameday_post(struct req *r);

#endif
