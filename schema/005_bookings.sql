-- 005: bookings, second part: who did what to a booking, and an index for
-- the lapse sweep. (003 stays as merged: a database created by it upgrades
-- in place.)

-- The account that made, confirmed or cancelled a booking. For an online
-- booking created_by is the holder; at the counter (a later issue) it is the
-- clerk acting for a citizen. The usage log has the pseudonymised story; these
-- columns let staff answer "who cancelled this?" for one booking.
ALTER TABLE bookings ADD COLUMN created_by INTEGER REFERENCES accounts(id);
ALTER TABLE bookings ADD COLUMN confirmed_by INTEGER REFERENCES accounts(id);
ALTER TABLE bookings ADD COLUMN cancelled_by INTEGER REFERENCES accounts(id);

-- Holds not yet marked lapsed, by expiry: the sweep that writes the lapse
-- events finds them without a scan. Correctness never depends on the sweep
-- (a lapsed hold counts as free from its expiry on, see 003).
CREATE INDEX bookings_held ON bookings(hold_expires_at) WHERE status = 'held';
