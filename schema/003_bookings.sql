-- 003: bookings. No slot can be given twice, by construction: each booked
-- (room, date, slot) is one row of booking_slots, and a UNIQUE index over the
-- active rows makes SQLite refuse a second one.
CREATE TABLE bookings (
  id              INTEGER PRIMARY KEY,
  account_id      INTEGER REFERENCES accounts(id),     -- NULL for a walk-in
  group_id        INTEGER REFERENCES groups(id),
  room_id         INTEGER NOT NULL REFERENCES rooms(id),
  center          TEXT NOT NULL,
  date            TEXT NOT NULL,
  slots           TEXT NOT NULL,                       -- "morning,afternoon"
  status          TEXT NOT NULL CHECK (status IN
                  ('held','confirmed','cancelled','lapsed','checked_in','no_show')),
  purpose         TEXT NOT NULL DEFAULT '',
  attendees       INTEGER NOT NULL DEFAULT 1,
  channel         TEXT NOT NULL CHECK (channel IN ('online','counter','form')),
  walkin_name     TEXT,
  walkin_phone    TEXT,
  fee_base        INTEGER NOT NULL,
  fee_discount    INTEGER NOT NULL DEFAULT 0,
  fee_total       INTEGER NOT NULL,
  discount_code   TEXT,
  rules_version   TEXT NOT NULL,
  hold_expires_at INTEGER,
  created_at      INTEGER NOT NULL,
  confirmed_at    INTEGER,
  cancelled_at    INTEGER,
  cancel_reason   TEXT,
  cancel_fee      INTEGER,
  checked_in_at   INTEGER,
  idempotency_key TEXT
);
CREATE INDEX bookings_account ON bookings(account_id);
CREATE INDEX bookings_group ON bookings(group_id);
CREATE INDEX bookings_date ON bookings(date, center);
CREATE UNIQUE INDEX bookings_idempotency ON bookings(account_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;

-- hold_expires_at is copied from the booking so that availability needs no
-- join: a row with hold_expires_at <= now is a lapsed hold and counts as free
-- even before anything clears it.
CREATE TABLE booking_slots (
  booking_id      INTEGER NOT NULL REFERENCES bookings(id),
  room_id         INTEGER NOT NULL REFERENCES rooms(id),
  date            TEXT NOT NULL,
  slot            TEXT NOT NULL,
  active          INTEGER NOT NULL DEFAULT 1,
  hold_expires_at INTEGER,
  PRIMARY KEY (booking_id, slot)
) WITHOUT ROWID;
CREATE UNIQUE INDEX booking_slots_taken ON booking_slots(room_id, date, slot) WHERE active = 1;
CREATE INDEX booking_slots_by_date ON booking_slots(date) WHERE active = 1;
