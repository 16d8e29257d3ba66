-- 007: fee exemptions (減免). One application per group and category, decided
-- by an admin; an approval is valid at every centre from valid_from to
-- valid_until (the category's validity in the rule book, e.g. to the fiscal
-- year end). The categories themselves live in the rule book
-- (ordinances/<city>/rules-*.json "discounts"), never here: `category` is a
-- code of the version in force when the application was made.
--
-- reason, evidence and decision_reason are free text typed by people: they
-- stay in this table (shown to the group and to admins) and never enter the
-- usage log.
CREATE TABLE discount_applications (
  id              INTEGER PRIMARY KEY,
  group_id        INTEGER NOT NULL REFERENCES groups(id),
  category        TEXT NOT NULL,
  reason          TEXT NOT NULL,
  evidence        TEXT,
  status          TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'approved', 'rejected')),
  rules_version   TEXT NOT NULL,                 -- version in force when applied
  applied_by      INTEGER NOT NULL REFERENCES accounts(id),
  applied_at      INTEGER NOT NULL,
  decided_by      INTEGER REFERENCES accounts(id),
  decided_at      INTEGER,
  decision_reason TEXT,
  valid_from      TEXT,                          -- YYYY-MM-DD, approved only
  valid_until     TEXT,                          -- YYYY-MM-DD, inclusive
  CHECK (status <> 'approved' OR (valid_from IS NOT NULL AND valid_until IS NOT NULL))
);

-- One OPEN (pending) application per group and category, by construction: a
-- second concurrent one fails inside SQLite and becomes 409 conflict.
CREATE UNIQUE INDEX discount_applications_open
  ON discount_applications(group_id, category) WHERE status = 'pending';
-- The approvals a booking looks up (group, use date).
CREATE INDEX discount_applications_approved
  ON discount_applications(group_id, valid_until) WHERE status = 'approved';
CREATE INDEX discount_applications_status ON discount_applications(status, applied_at);
CREATE INDEX discount_applications_group ON discount_applications(group_id, applied_at);
