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

#endif
