/*
** http/api_mail.h: mail settings, the undeliverable notice and a booking's
** messages (docs/mail.md).
*/
#ifndef KOMINKAN_HTTP_API_MAIL_H
#define KOMINKAN_HTTP_API_MAIL_H

#include <stdint.h>

#include "html.h"
#include "http.h"

struct reply api_mail_prefs_get(struct req *r);
struct reply api_mail_prefs_put(struct req *r);
struct reply api_booking_messages(struct req *r);
struct reply web_mail(struct req *r);
struct reply web_mail_save(struct req *r);
struct reply api_forgotten_id(struct req *r);
struct reply web_forgotten_id(struct req *r);
struct reply web_forgotten_id_post(struct req *r);

/* 「メールが届いていません」 on a page of the signed-in person, when mail to
** them was refused; nothing otherwise. */
void web_mail_notice(struct req *r, struct html *h);

/* For staff on a booking's page: the messages queued about booking
** BOOKING_ID, with their state (sent, waiting, refused, not sent and why);
** nothing for anyone else. */
void web_mail_sent(struct req *r, struct html *h, int64_t booking_id);

#endif
