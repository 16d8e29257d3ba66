-- 032: the group registration form's key. Reloading the receipt page of POST /forms/group
-- posted the form again and registered the group a second time (a new 受付番号 and 団体ID;
-- マイページ and staff's queue showed it twice). The form now carries a random key, as the
-- booking form does (bookings.idempotency_key, 003): the group made with it is found by its
-- representative and key, and a repeat of the post shows that group's receipt instead of
-- making another (core/groups.c groups_register_keyed). NULL for groups registered without
-- a key (the JSON API, the import, every group before this migration).
ALTER TABLE groups ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX groups_idempotency ON groups(representative_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
