/*
** core/usagelog.h: reading the usage log (the events table) out, for
** GET /api/v1/events, as JSON Lines or CSV, a piece at a time.
**
** The log of a year is hundreds of thousands of lines: it is never built
** whole in memory. A cursor steps one statement inside one read transaction
** (a consistent snapshot: a write committed meanwhile is not half in it) and
** hands out whole lines into the caller's buffer; a line longer than the
** buffer is handed out in pieces.
**
** The connection: a cursor keeps its statement and its read transaction open
** between calls, so the connection it steps must not be used by anything
** else until usagelog_close(). The server gives each stream a connection of
** its own (db_open_reader()), never the request thread's, which serves other
** requests between two pieces of the stream. While a stream is open its
** snapshot keeps the WAL from being checkpointed past it (the WAL grows a
** little during a long download; it is checkpointed after).
**
** What a line holds (every column of the log; actors and subjects are the
** keyed pseudonyms written by core/audit.c, never a name, phone or email):
**   {"id","at","action","center","room_id","room","date","slot","channel",
**    "actor_role","actor","subject","amount","detail"}
** "at" is ISO 8601 in Japan time; "room" is the room's code; absent facts
** are null; "detail" is the event's JSON object of codes and figures.
*/
#ifndef KOMINKAN_CORE_USAGELOG_H
#define KOMINKAN_CORE_USAGELOG_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

enum { USAGELOG_JSONL, USAGELOG_CSV, USAGELOG_CSV_JA }; /* CSV_JA: Japanese column names */

struct usagelog;

/* Open a cursor over the events that happened on days FROM..TO (Japan
** time, inclusive), oldest first, in FORMAT. DB is borrowed and must stay
** open, and unused by anyone else, until usagelog_close(). 0 or a KERR code. */
int usagelog_open(kdb *db, int32_t from, int32_t to, int format, struct usagelog **out);

/* The same over a reader connection of its own (store/db.c db_open_reader),
** closed by usagelog_close(): for a stream that outlives the request's
** thread. KERR_STORAGE when no reader can be opened. */
int usagelog_open_reader(int32_t from, int32_t to, int format, struct usagelog **out);

/* Write the next bytes of the output (whole lines while they fit) into BUF
** (MAX > 0 bytes). Returns the number written (> 0), 0 at the end, or -1
** on a database error (the output is then incomplete). */
long usagelog_read(struct usagelog *ul, char *buf, size_t max);

/* Lines written so far (for the log and tests). */
int64_t usagelog_lines(const struct usagelog *ul);

/* End the read transaction and free the cursor; NULL is a no-op. */
void usagelog_close(struct usagelog *ul);

#endif
