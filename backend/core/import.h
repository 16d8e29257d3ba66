/*
** core/import.h: bringing in the records of the old booking system and the
** paper ledgers (`kominkan import accounts|groups|bookings`; docs/import.md
** describes every column).
**
** A file is CSV with a header row, in UTF-8 (with or without a byte order
** mark) or in Shift_JIS as Excel in Japan writes it (CP932, converted with
** iconv). It is taken all or nothing: every row is checked inside one write
** transaction, each against the rows before it, and a file with any problem
** is rolled back whole, with every problem listed as "FILE:LINE: column:
** message". A dry run does the same and always rolls back.
**
** Each row carries the old system's ID (external_id), kept in import_refs
** (schema/024_import.sql): a row whose ID was imported before is passed over,
** so importing the same file again changes nothing.
**
**   accounts  citizens; each gets a new system ID and a one-time code for the
**             first sign-in (valid IMPORT_CODE_DAYS; used like a counter code
**             on /password-reset), never a password from the file;
**   groups    approved groups with their representative and co-representatives
**             (accounts by their old ID or their system ID) and member counts;
**   bookings  future confirmed bookings under every rule of a new booking
**             except the booking window (the row's note says why); a slot
**             already taken is an error, never a double booking.
*/
#ifndef KOMINKAN_CORE_IMPORT_H
#define KOMINKAN_CORE_IMPORT_H

#include <jansson.h>
#include <stddef.h>

#include "ctx.h"

#define IMPORT_CODE_DAYS 90        /* a first sign-in code is valid this long */
#define IMPORT_MAX_BYTES (32 << 20) /* a larger file is refused */

enum import_kind { IMPORT_ACCOUNTS, IMPORT_GROUPS, IMPORT_BOOKINGS };

/* "accounts", "groups", "bookings" -> the kind; -1 for anything else. */
int import_kind_parse(const char *s);

struct import_result {
  int rows;          /* data rows read (blank rows are not counted) */
  int added;         /* imported, or that would be in a dry run */
  int skipped;       /* imported before (same external_id): left alone */
  json_t *problems;  /* ["FILE:LINE: column: message", ...] */
  json_t *codes;     /* accounts, not in a dry run: [{"system_id","external_id","name",
                     ** "code","valid_until"}] */
};
void import_result_clear(struct import_result *res);

/* The file DATA of N bytes in any accepted encoding as UTF-8 text without a
** byte order mark (malloc'd, NUL-terminated; *OUTN its length). NULL when it
** is neither UTF-8 nor CP932; *BAD_LINE is then the line of the first byte
** that is not. */
char *import_decode(const char *data, size_t n, size_t *outn, int *bad_line);

/* Import DATA (N bytes of file NAME, as read) of KIND with the actor of CTX
** (the command line: no account). Fills RES. Returns 0 when every row was
** fine (and, unless DRY_RUN, the new rows are committed), 1 when there were
** problems (nothing written), or a KERR code when the database failed. */
int import_run(struct kctx *ctx, enum import_kind kind, const char *name, const char *data,
               size_t n, int dry_run, struct import_result *res);

#endif
