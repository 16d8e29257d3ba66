-- 008: the counter desk (issue 6): payments and refunds, check-in, no-show.
--
-- payments: one row per sum of money that changed hands at the counter, for a
-- booking. A payment is a positive amount; a refund is a row of its own with
-- a negative amount (never an edit of the payment it refunds), so the day's
-- ledger is the plain sum of the rows of that day and nothing is ever
-- rewritten. ledger_date is the Japan-time date on which the money moved (the
-- day of the ledger it belongs to), which need not be the booking's use date.
-- center is the centre of the booked room: the ledger is kept per centre.
-- receipt is the number printed on the slip: R-YYYYMMDD-<centre>-NNNN,
-- counted per centre and ledger date.
CREATE TABLE payments (
  id          INTEGER PRIMARY KEY,
  booking_id  INTEGER NOT NULL REFERENCES bookings(id),
  center      TEXT NOT NULL,
  ledger_date TEXT NOT NULL,
  seq         INTEGER NOT NULL,
  receipt     TEXT NOT NULL UNIQUE,
  kind        TEXT NOT NULL CHECK (kind IN ('payment', 'refund')),
  method      TEXT NOT NULL CHECK (method IN ('cash', 'qr', 'card', 'ic')),
  amount      INTEGER NOT NULL CHECK ((kind = 'payment' AND amount > 0)
                                   OR (kind = 'refund' AND amount < 0)),
  at          INTEGER NOT NULL,
  by_account  INTEGER REFERENCES accounts(id),
  UNIQUE (center, ledger_date, seq)
);
CREATE INDEX payments_booking ON payments(booking_id);
CREATE INDEX payments_ledger ON payments(center, ledger_date);

-- Who checked a booking in (checked_in_at is in 003), and the no-show mark.
ALTER TABLE bookings ADD COLUMN checked_in_by INTEGER REFERENCES accounts(id);
ALTER TABLE bookings ADD COLUMN noshow_at INTEGER;
ALTER TABLE bookings ADD COLUMN noshow_by INTEGER REFERENCES accounts(id);

-- The ledger reads a day's changes by the instant they happened.
CREATE INDEX bookings_created ON bookings(center, created_at);
CREATE INDEX bookings_cancelled ON bookings(center, cancelled_at) WHERE cancelled_at IS NOT NULL;
CREATE INDEX bookings_checked_in ON bookings(center, checked_in_at) WHERE checked_in_at IS NOT NULL;
CREATE INDEX bookings_noshow ON bookings(center, noshow_at) WHERE noshow_at IS NOT NULL;
