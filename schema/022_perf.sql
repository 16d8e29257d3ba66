-- 022: what the reports and the usage-log export read (issue 18; store/archive.h).
-- Plain views of the live tables; on a database with an archive of finished years
-- (kominkan archive --before DATE) every connection defines TEMP views of the same
-- names, which come first, over the live rows and the archived ones together.
CREATE VIEW r_bookings AS SELECT * FROM bookings;
CREATE VIEW r_payments AS SELECT * FROM payments;
CREATE VIEW r_events AS SELECT * FROM events;
