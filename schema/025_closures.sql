-- 020: the city's own closures and the staff second factor (issue 14): a centre, or one room, closed for
-- a range of dates (改修工事, 選挙の投票所, ...), on top of the rule book's
-- closed days. core/bookable.c reads this table for every decision, so a
-- closed date is closed everywhere (availability, feeds, booking); core/
-- closures.c writes it.
--
--   center      the centre's code (rules book)
--   room_id     one room, or NULL for the whole centre
--   date_from, date_to   inclusive, YYYY-MM-DD (Asia/Tokyo)
--   reason      shown to everyone: in the feeds, in the refusal, to holders
--   bookings    what was done to the bookings already made for those days:
--               'cancel' (cancelled by the city, no fee, what was paid is
--               refunded) or 'flag' (kept; the holder is told, staff follow up)
--   lifted_at   the closure was lifted (a mistake, plans changed): the days
--               are open again; cancelled bookings stay cancelled
CREATE TABLE closures (
  id          INTEGER PRIMARY KEY,
  center      TEXT NOT NULL,
  room_id     INTEGER REFERENCES rooms(id),
  date_from   TEXT NOT NULL,
  date_to     TEXT NOT NULL,
  reason      TEXT NOT NULL,
  bookings    TEXT NOT NULL CHECK (bookings IN ('cancel', 'flag')),
  created_at  INTEGER NOT NULL,
  created_by  INTEGER NOT NULL,
  lifted_at   INTEGER,
  lifted_by   INTEGER,
  CHECK (date_from <= date_to)
);
CREATE INDEX closures_center ON closures(center, date_to) WHERE lifted_at IS NULL;

-- Each booking a closure touched, and what happened to it; a holder's
-- マイページ shows these as notices.
CREATE TABLE closure_bookings (
  closure_id  INTEGER NOT NULL REFERENCES closures(id),
  booking_id  INTEGER NOT NULL REFERENCES bookings(id),
  outcome     TEXT NOT NULL CHECK (outcome IN ('cancelled', 'flagged')),
  refunded    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (closure_id, booking_id)
);
CREATE INDEX closure_bookings_booking ON closure_bookings(booking_id);

-- Staff second factor (TOTP, RFC 6238; core/totp.c). One row per account
-- that started enrolling: SECRET is the 20-byte key; confirmed_at is set
-- once the person typed a valid code from their app (only then is the code
-- asked at sign-in); last_step is the last 30-second step accepted, so a
-- code works once. An admin's reset deletes the row.
CREATE TABLE totp (
  account_id    INTEGER PRIMARY KEY REFERENCES accounts(id),
  secret        BLOB NOT NULL,
  created_at    INTEGER NOT NULL,
  confirmed_at  INTEGER,
  last_step     INTEGER NOT NULL DEFAULT 0
);

-- A forgotten system ID is mailed to the accounts with an address
-- (core/lifecycle.c): found by this index, in any case, not by a scan.
CREATE INDEX accounts_email_nocase ON accounts(email COLLATE NOCASE) WHERE email IS NOT NULL;
