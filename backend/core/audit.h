/*
** core/audit.h: the usage log (the events table).
**
** Every state change writes one event: when, what (action), where (centre,
** room, date, slot, when it has one), through which channel, and who as a
** role and a keyed pseudonym. The pseudonym is crypto_generichash keyed with a
** server secret (the key file beside the database: core/keys.h), so
** analysts can count distinct people and groups and follow one through the
** log without learning who it is; without the key nobody can link a
** pseudonym back to a system ID, not even by trying all 10^8 IDs.
**
** Never put a name, phone, email, password or token into an event; detail_json
** is for codes and figures ({"reason_code":"late"}), never free text typed by
** a person. Identifiers printed on a citizen's documents are pseudonymised
** on the way in with the same key (kinds 'b', 'r', 'd' below): "booking_id",
** "receipt" and "application_id" hold a 32-hex pseudonym in the log, equal
** for every event of the same booking. A new such identifier goes into the
** list in audit.c under one of those keys, or a new one added there.
**
** An event by staff or an admin also goes to the audit trail (core/trail.c),
** in clear and naming the clerk, in the same transaction.
**
** Call audit_event() INSIDE the write transaction of the change it records
** (after db_begin_write), so the event and the change commit or roll back
** together. Example, from a booking:
**
**   struct audit_fields f = {.center = "chuo", .room_id = room, .date = "2026-05-01",
**                            .slot = "morning", .subject_group = gid, .amount = 320};
**   if ((rc = audit_event(ctx, "booking.hold", &f))) goto fail;
*/
#ifndef KOMINKAN_CORE_AUDIT_H
#define KOMINKAN_CORE_AUDIT_H

#include <stdint.h>

#include "ctx.h"

/* Optional facts of an event: leave 0/NULL what does not apply. */
struct audit_fields {
  const char *center;        /* centre code */
  int64_t room_id;
  const char *date;          /* use date "YYYY-MM-DD" */
  const char *slot;          /* slot code, or "morning,afternoon" */
  int64_t subject_group;     /* the group concerned: stored as its pseudonym */
  int64_t subject_account;   /* the person concerned (when not the actor): pseudonym;
                                ignored when subject_group is set */
  int64_t amount;            /* yen, when money is involved (0 = none) */
  const char *detail_json;   /* a JSON object of codes and figures, or NULL */
};

/* The fields of an event about booking B (a struct booking *, core/bookings.h):
** its centre, room, use date and slots, its group as the subject.
**   struct audit_fields f = {AUDIT_OF_BOOKING(b), .subject_account = ..., .detail_json = d}; */
#define AUDIT_OF_BOOKING(b)                                                             \
  .center = (b)->center, .room_id = (b)->room_id, .date = (b)->date, .slot = (b)->slots, \
  .subject_group = (b)->group_id

/* Write one event for ACTION ("group.approve") with the actor of CTX (role and
** pseudonym; none for the anonymous), CTX->channel and CTX->now. F may be
** NULL. Returns 0 or a KERR code. */
int audit_event(struct kctx *ctx, const char *action, const struct audit_fields *f);

/* Kinds of pseudonym: the same number is a different person or group. */
enum { AUDIT_ACCOUNT = 'a', AUDIT_GROUP = 'g', AUDIT_BOOKING = 'b', AUDIT_RECEIPT = 'r',
       AUDIT_APPLICATION = 'd' };

/* The keyed pseudonym of ID of KIND, as 32 hex characters, into OUT (at least
** 33 bytes). Creates the key on first use (a write: inside a transaction, or
** with no transaction open). Returns 0 or a KERR code. The _text form takes
** the identifier as text (a receipt number "20260408-0001"); a number N is
** the text of N in decimal, so both give the same pseudonym for it. */
int audit_pseudonym(kdb *db, int kind, int64_t id, char *out);
int audit_pseudonym_text(kdb *db, int kind, const char *id, char *out);

#endif
