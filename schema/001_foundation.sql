-- 001: centres and rooms, mirrored from ordinances/<city>/facilities.json at
-- start (facilities_sync). The rule book is the source of truth for names and
-- capacities; the database keeps stable room ids that bookings refer to.
CREATE TABLE centers (
  code        TEXT PRIMARY KEY,
  name        TEXT NOT NULL
);

CREATE TABLE rooms (
  id          INTEGER PRIMARY KEY,
  center_code TEXT NOT NULL REFERENCES centers(code),
  code        TEXT NOT NULL,
  name        TEXT NOT NULL,
  kind        TEXT NOT NULL,
  capacity    INTEGER NOT NULL,
  fee_class   TEXT NOT NULL,
  active      INTEGER NOT NULL DEFAULT 1,
  UNIQUE (center_code, code)
);

-- Server secrets created on first start: the pseudonym key of the usage log
-- and the permit signing key. Never exported by any endpoint.
CREATE TABLE server_keys (
  name        TEXT PRIMARY KEY,
  value       BLOB NOT NULL
);
