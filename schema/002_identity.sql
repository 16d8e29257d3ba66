-- 002: accounts (one system ID per person, valid at every centre), sessions,
-- groups (registered once for every centre) and the usage log.

-- id IS the system ID: 9 digits, the last a Luhn check digit, drawn at random.
CREATE TABLE accounts (
  id            INTEGER PRIMARY KEY,
  role          TEXT NOT NULL CHECK (role IN ('citizen','staff','admin','analyst')),
  name          TEXT NOT NULL,
  name_kana     TEXT,
  email         TEXT,
  phone         TEXT,
  resident      INTEGER NOT NULL DEFAULT 0,
  home_center   TEXT REFERENCES centers(code),
  password_hash TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  disabled      INTEGER NOT NULL DEFAULT 0
);

-- Only a hash of the token is kept (crypto_generichash); the token itself
-- never touches the disk.
CREATE TABLE sessions (
  token_hash  BLOB PRIMARY KEY,
  account_id  INTEGER NOT NULL REFERENCES accounts(id),
  csrf        TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_account ON sessions(account_id);

-- id is the group's ID, of the same form as a system ID.
CREATE TABLE groups (
  id                INTEGER PRIMARY KEY,
  name              TEXT NOT NULL,
  name_kana         TEXT NOT NULL,
  representative_id INTEGER NOT NULL REFERENCES accounts(id),
  members           INTEGER NOT NULL,
  resident_members  INTEGER NOT NULL,
  activity          TEXT NOT NULL DEFAULT '',
  public_listing    INTEGER NOT NULL DEFAULT 0,
  status            TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending','approved','rejected')),
  reason            TEXT,
  valid_until       TEXT,
  created_at        INTEGER NOT NULL,
  decided_at        INTEGER,
  decided_by        INTEGER REFERENCES accounts(id)
);
CREATE INDEX groups_status ON groups(status);

-- Co-representatives named by the representative; they may book for the group.
CREATE TABLE group_reps (
  group_id    INTEGER NOT NULL REFERENCES groups(id),
  account_id  INTEGER NOT NULL REFERENCES accounts(id),
  PRIMARY KEY (group_id, account_id)
) WITHOUT ROWID;
CREATE INDEX group_reps_account ON group_reps(account_id);

-- The usage log. Actors and subjects are keyed pseudonyms (crypto_generichash
-- with a server secret), never a name, phone, email, password or token.
CREATE TABLE events (
  id          INTEGER PRIMARY KEY,
  at          INTEGER NOT NULL,
  action      TEXT NOT NULL,
  center      TEXT,
  room_id     INTEGER,
  date        TEXT,
  slot        TEXT,
  channel     TEXT,
  actor_role  TEXT,
  actor       TEXT,
  subject     TEXT,
  amount      INTEGER,
  detail      TEXT
);
CREATE INDEX events_at ON events(at);
