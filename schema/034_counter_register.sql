-- 034: registering a citizen at the counter (利用者の登録 (窓口), /counter/register). A clerk
-- makes the account of a person without internet or a phone after checking who they are in
-- person; the account has no password yet (accounts.password_hash is the no-password marker)
-- and the slip printed for the person carries a one-time code to set one
-- (password_resets, kind 'counter').
--
-- Reloading the slip page posts the form again. The form carries a random key, as the group
-- form does (groups.idempotency_key, 032): the account made with it is found by the clerk and
-- the key, and a repeat of the post shows the same slip instead of making a second account
-- (core/accounts.c accounts_create_at_counter). Only a hash of the key is kept
-- (accounts.form_key), because the key also opens the slip's code, kept sealed with it
-- (password_resets.sealed_code, crypto_secretbox under a key derived from the form's key:
-- core/lifecycle.c): the database alone never gives the code back, the clerk's own page
-- does. The sealed code is erased when the code is used. accounts.registered_by names the
-- clerk of any citizen's account made at the counter (also one a clerk's API call made with a
-- password); NULL, like the other two, for every account and code made otherwise.
ALTER TABLE accounts ADD COLUMN registered_by INTEGER;
ALTER TABLE accounts ADD COLUMN form_key BLOB;
CREATE UNIQUE INDEX accounts_form_key ON accounts(registered_by, form_key)
  WHERE form_key IS NOT NULL;
ALTER TABLE password_resets ADD COLUMN sealed_code BLOB;
