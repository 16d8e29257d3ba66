-- 021: the monthly allocation round for rooms (部屋利用調整会議; the rule
-- book's booking_window.lottery; docs/courses.md "Monthly allocation round").
--
-- One row per round of the rule book (code) and use month, made when its
-- application period starts; its lottery (016) publishes the commitment
-- from then on. closed_at is set by the close: uncontested applications
-- became bookings, contested slots were drawn.
CREATE TABLE rounds (
  id             INTEGER PRIMARY KEY,
  code           TEXT NOT NULL,                 -- the rule book's round code
  use_month      TEXT NOT NULL,                 -- 'YYYY-MM'
  rules_version  TEXT NOT NULL,                 -- the version in force on the 1st of use_month
  apply_from     INTEGER NOT NULL,              -- first instant applications are taken
  apply_until    INTEGER NOT NULL,              -- first instant they no longer are
  cap            INTEGER NOT NULL CHECK (cap > 0),
  lottery_id     INTEGER NOT NULL REFERENCES lotteries(id),
  created_at     INTEGER NOT NULL,
  closed_at      INTEGER,
  UNIQUE (code, use_month)
);
CREATE INDEX rounds_open ON rounds(closed_at, apply_until);

-- One slot a group asks for. status: applied (until the close), cancelled
-- (by the group, before the close), won (a booking was made: booking_id),
-- lost (outcome: 'drawn' another group won the slot, 'cap' the group had
-- its cap already, 'taken' the slot was booked before the close).
CREATE TABLE round_applications (
  id            INTEGER PRIMARY KEY,
  round_id      INTEGER NOT NULL REFERENCES rounds(id),
  group_id      INTEGER NOT NULL REFERENCES groups(id),
  account_id    INTEGER NOT NULL REFERENCES accounts(id),
  room_id       INTEGER NOT NULL REFERENCES rooms(id),
  date          TEXT NOT NULL,
  slot          TEXT NOT NULL,
  purpose       TEXT NOT NULL DEFAULT '',
  attendees     INTEGER NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('applied','cancelled','won','lost')),
  contested     INTEGER NOT NULL DEFAULT 0,
  outcome       TEXT,
  booking_id    INTEGER REFERENCES bookings(id),
  created_at    INTEGER NOT NULL,
  decided_at    INTEGER,
  cancelled_at  INTEGER
);
CREATE UNIQUE INDEX round_applications_one
  ON round_applications(round_id, group_id, room_id, date, slot) WHERE status <> 'cancelled';
CREATE INDEX round_applications_round ON round_applications(round_id, status);
CREATE INDEX round_applications_group ON round_applications(group_id);
