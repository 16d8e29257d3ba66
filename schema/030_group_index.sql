-- 030: bookings_group_date (022) only for the bookings of a group (issue 18;
-- docs/performance.md). Every lookup by group names a group (`group_id = $g`, `group_id IN
-- (...)`, `group_id IS NOT NULL`), and a person's own booking (group_id NULL, nearly every
-- booking at the opening minute) had still put an entry under NULL, sorted by date: one more
-- index page, somewhere among all of them, written at every such booking's commit.
DROP INDEX bookings_group_date;
CREATE INDEX bookings_group_date ON bookings(group_id, date) WHERE group_id IS NOT NULL;
