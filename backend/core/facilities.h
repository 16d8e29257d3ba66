/*
** core/facilities.h: the facility catalogue (centres and rooms).
*/
#ifndef KOMINKAN_CORE_FACILITIES_H
#define KOMINKAN_CORE_FACILITIES_H

#include <jansson.h>

#include "../store/db.h"
#include "rules.h"

/* Mirror the rule book's centres and rooms into the database and give each
** room of RB its stable database id. Rooms no longer in the rule book are
** marked inactive, never deleted (bookings refer to them). Run once at start,
** before RB is shared between threads. 0 or a KERR code. */
int facilities_sync(kdb *db, struct rulebook *rb);

/* GET /api/v1/centers: {"centers":[{code,name,name_kana,address,...,rooms:[...]}]};
** a centre whose rooms are illustrative has "rooms_illustrative": true.
** New reference. */
json_t *facilities_json(const struct rulebook *rb);

/* One room as JSON (id, code, name, kind, capacity, fee_class; "illustrative":
** true when its centre's rooms are). New reference. */
json_t *facilities_room_json(const struct room *room);

/* RULE: the city does not publish which rooms its citizen service centres
** (市民サービスセンター) lend, so the rooms the rule book gives them are
** illustrative (例示): 1 for such a centre. The catalogue and the open data
** say so. */
int facilities_rooms_illustrative(const struct center *ce);

/* Reads a postcode as a person types it: "371-0023", "3710023", "〒３７１－００２３",
** spaces anywhere. OUT gets "371-0023". 0, or -1 when it is not 7 digits. */
int facilities_postcode_parse(const char *in, char out[9]);

/* The centres "near" POSTCODE ("371-0023"), nearest first, at most MAX into
** OUT; the count. RULE: Japanese postcodes are given out by area, so a centre
** is nearer the more leading digits its own postcode (struct center.postcode)
** shares with POSTCODE, then the smaller the numeric difference; only centres
** sharing at least the first 3 digits (371, 379, 370 in Maebashi) count, so 0
** means "not a postcode of this city". A rough guide (目安), not a distance:
** pages say so. */
int facilities_near(const struct rulebook *rb, const char *postcode, const struct center **out,
                    int max);

#endif
