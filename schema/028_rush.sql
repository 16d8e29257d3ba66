-- 028: fewer indexes to update on every booking (issue 18; docs/performance.md). Every new
-- booking wrote one entry into each index of bookings, each usually on its own page of the
-- batch's commit. bookings(account_id) and bookings(group_id) are the leading columns of
-- bookings_account_date and bookings_group_date (022), which serve every lookup by account
-- or by group (and the foreign keys' checks) as well.
DROP INDEX bookings_account;
DROP INDEX bookings_group;
