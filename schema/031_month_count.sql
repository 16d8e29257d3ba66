-- 031: the month's slots a new booking counts (the cap) from one index range (issue 18;
-- docs/performance.md, "The month's count from the index"). A booking's slots are all on its
-- own date and are active exactly while it is held (and not past its expiry), confirmed or
-- checked in; the count joined every booking of the holder's month to its booking_slots rows:
-- for a citizen with ~70 bookings scattered over the table, ~70 seeks and, on a cold cache,
-- ~50 pages read at the first booking after a pause. nslots is the number of the booking's
-- slots ("morning,afternoon" = 2), computed from the slots column (never stored in the table),
-- and with status and hold_expires_at it sits in the index the count reads, which then answers
-- from the index alone.
ALTER TABLE bookings ADD COLUMN nslots INTEGER
  GENERATED ALWAYS AS (length(slots) - length(replace(slots, ',', '')) + 1) VIRTUAL;
DROP INDEX bookings_account_date;
CREATE INDEX bookings_account_date
  ON bookings(account_id, date, group_id, status, hold_expires_at, nslots);
DROP INDEX bookings_group_date;
CREATE INDEX bookings_group_date ON bookings(group_id, date, status, hold_expires_at, nslots)
  WHERE group_id IS NOT NULL;
