-- 009: online form submissions (オンライン申請). Every POST /forms/KIND,
-- accepted or rejected, is kept here with its receipt number (受付番号), so
-- that a citizen who calls with the number can be helped, and so that the
-- city can count what was applied for online and what failed.
--
--   receipt      the 受付番号 shown to the person: "YYYYMMDD-NNNN" (the JST date
--                of the submission and its number that day, from 0001)
--   kind         which form: booking, group, discount, cancel
--   account_id   who sent it (NULL only if nobody was signed in)
--   payload      what was sent, as a JSON object of the form's fields, WITHOUT
--                any password and without the CSRF token
--   outcome      accepted or rejected
--   status       the HTTP status of the answer (201, 409, 422, ...)
--   error_code   the machine code of a rejection (validation, slot_taken, ...)
--   field_errors the per-field messages of a rejection, a JSON object
--   result_id    what an accepted submission made or changed: the booking
--                number, group ID or exemption application number, as text
CREATE TABLE form_submissions (
  id           INTEGER PRIMARY KEY,
  receipt      TEXT NOT NULL UNIQUE,
  kind         TEXT NOT NULL CHECK (kind IN ('booking','group','discount','cancel')),
  account_id   INTEGER REFERENCES accounts(id),
  payload      TEXT NOT NULL,
  outcome      TEXT NOT NULL CHECK (outcome IN ('accepted','rejected')),
  status       INTEGER NOT NULL,
  error_code   TEXT,
  field_errors TEXT,
  result_id    TEXT,
  created_at   INTEGER NOT NULL
);
CREATE INDEX form_submissions_account ON form_submissions(account_id, created_at);
CREATE INDEX form_submissions_result ON form_submissions(kind, result_id)
  WHERE result_id IS NOT NULL;
