-- 033: the exemption (減免) application form's key. Reloading the receipt page of
-- POST /forms/discount posted the form again, and the second post was refused (409: the
-- application it had just made was open) instead of showing the receipt again. The form
-- now carries a random key, as the group form does (groups.idempotency_key, 032): the
-- application made with it is found by its applicant and key, and a repeat of the post
-- shows that application's receipt and stores nothing (core/discounts.c
-- discounts_apply_keyed). NULL for applications made without a key (the JSON API, every
-- application before this migration).
ALTER TABLE discount_applications ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX discount_applications_idempotency
  ON discount_applications(applied_by, idempotency_key) WHERE idempotency_key IS NOT NULL;
