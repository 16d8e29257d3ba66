-- 028: fewer indexes to update on every booking (issue 18; docs/performance.md). Every new
-- booking wrote one entry into each index of bookings, each usually on its own page of the
-- batch's commit. bookings(account_id) and bookings(group_id) are the leading columns of
-- bookings_account_date and bookings_group_date (022), which serve every lookup by account
-- or by group (and the foreign keys' checks) as well.
DROP INDEX bookings_account;
DROP INDEX bookings_group;
-- A new booking counts the holder's slots of its month (the cap) by (account, date): with
-- group_id in the index too, that count reads the index alone, not also every booking's row.
DROP INDEX bookings_account_date;
CREATE INDEX bookings_account_date ON bookings(account_id, date, group_id);
