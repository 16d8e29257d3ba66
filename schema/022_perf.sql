-- 022: what the reports and the usage-log export read (issue 18; store/archive.h).
-- Plain views of the live tables; on a database with an archive of finished years
-- (kominkan archive --before DATE) every connection defines TEMP views of the same
-- names, which come first, over the live rows and the archived ones together.
-- r_bookings: a booking with the sum of its payments and refunds (paid); r_payments: a
-- payment with its booking's use date and centre (the reports count money by use date).
CREATE VIEW r_bookings AS
  SELECT b.*, (SELECT COALESCE(SUM(p.amount), 0) FROM payments p WHERE p.booking_id = b.id) AS paid
  FROM bookings b;
CREATE VIEW r_payments AS
  SELECT p.method, p.amount, b.date AS use_date, b.center AS use_center
  FROM payments p JOIN bookings b ON b.id = p.booking_id;
CREATE VIEW r_events AS SELECT * FROM events;

-- マイページ lists a person's bookings of the last year and those to come: by account
-- (or group) and date, it reads only those, however many years they have booked.
CREATE INDEX bookings_account_date ON bookings(account_id, date);
CREATE INDEX bookings_group_date ON bookings(group_id, date);
