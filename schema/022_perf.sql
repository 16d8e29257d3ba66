-- 022: what the reports and the usage-log export read (issue 18; store/archive.h).
-- Plain views of the live tables; on a database with an archive of finished years
-- (kominkan archive --before DATE) every connection defines TEMP views of the same
-- names, which come first, over the live rows and the archived ones together.
CREATE VIEW r_bookings AS SELECT * FROM bookings;
CREATE VIEW r_payments AS SELECT * FROM payments;
CREATE VIEW r_events AS SELECT * FROM events;

-- マイページ lists a person's bookings of the last year and those to come: by account
-- (or group) and date, it reads only those, however many years they have booked.
CREATE INDEX bookings_account_date ON bookings(account_id, date);
CREATE INDEX bookings_group_date ON bookings(group_id, date);
