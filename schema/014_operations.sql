-- 014: operations (issue 14): the audit trail that names the clerk, and the
-- life of accounts (password resets, closing an account).

-- The audit trail (監査証跡): every action by staff and admins and every view
-- of another person's personal data, written in the transaction of the action
-- (core/trail.c). Unlike the usage log (events: pseudonymous, for analysts)
-- it names the clerk, and only admins read it.
--
--   at            epoch seconds
--   actor_id      the system ID of who did it (0: the command line)
--   actor_name, actor_role, actor_center   as they were at that moment
--   address       the client address of the request ("" from the command line)
--   action        "booking.cancel", "counter.today.view", "user.disable", ...
--   target        the record: "booking:123", "account:100000009", "center:chuo"
--   subject       the person whose data it was (a citizen's system ID), so a
--                 citizen can be shown who looked at their data (開示)
--   detail        a JSON object of codes and figures, or NULL
--   prev_hash     hash of the previous row (64 zeros for the first)
--   hash          hex SHA-256 of this row's canonical form (core/trail.c), which
--                 includes prev_hash: editing or deleting a row breaks the chain
--                 (`kominkan audit-verify`)
CREATE TABLE audit_trail (
  id           INTEGER PRIMARY KEY,
  at           INTEGER NOT NULL,
  actor_id     INTEGER NOT NULL,
  actor_name   TEXT NOT NULL,
  actor_role   TEXT NOT NULL,
  actor_center TEXT NOT NULL DEFAULT '',
  address      TEXT NOT NULL DEFAULT '',
  action       TEXT NOT NULL,
  target       TEXT NOT NULL DEFAULT '',
  subject      INTEGER,
  detail       TEXT,
  prev_hash    TEXT NOT NULL,
  hash         TEXT NOT NULL
);
CREATE INDEX audit_trail_at ON audit_trail(at);
CREATE INDEX audit_trail_subject ON audit_trail(subject, at) WHERE subject IS NOT NULL;

CREATE TRIGGER audit_trail_no_update BEFORE UPDATE ON audit_trail
BEGIN
  SELECT RAISE(ABORT, 'audit_trail is append-only');
END;
CREATE TRIGGER audit_trail_no_delete BEFORE DELETE ON audit_trail
BEGIN
  SELECT RAISE(ABORT, 'audit_trail is append-only');
END;

-- One-time password reset secrets: a link mailed to the account (kind
-- 'email', valid 30 minutes) or a code printed at the counter (kind
-- 'counter', valid 24 hours). Only a hash of the secret is kept; used_at
-- makes it one-time.
CREATE TABLE password_resets (
  id          INTEGER PRIMARY KEY,
  token_hash  BLOB NOT NULL UNIQUE,
  account_id  INTEGER NOT NULL REFERENCES accounts(id),
  kind        TEXT NOT NULL CHECK (kind IN ('email', 'counter')),
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  used_at     INTEGER,
  issued_by   INTEGER
);
CREATE INDEX password_resets_account ON password_resets(account_id, created_at);

-- A closed account (退会): personal data erased, the row kept so that its
-- bookings stay for the ledger and the statistics (the holder shows as 退会済み).
ALTER TABLE accounts ADD COLUMN closed_at INTEGER;
