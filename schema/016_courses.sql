-- 016: courses (講座), applications to them, and lotteries (抽選) with a
-- published commitment (docs/courses.md).

-- One lottery: the seed stays secret until the draw; its SHA-256 (hex) is
-- published from the start. Ranking rows are written at the draw, one per
-- entry, position 1 first, with what the entry got ('accepted' or
-- 'waitlisted').
CREATE TABLE lotteries (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('course','round')),
  seed        BLOB NOT NULL,
  commitment  TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  drawn_at    INTEGER,
  drawn_by    INTEGER REFERENCES accounts(id)
);
CREATE TABLE lottery_ranking (
  lottery_id  INTEGER NOT NULL REFERENCES lotteries(id),
  position    INTEGER NOT NULL,
  entry_id    INTEGER NOT NULL,
  rank_hash   TEXT NOT NULL,
  outcome     TEXT NOT NULL CHECK (outcome IN ('accepted','waitlisted')),
  PRIMARY KEY (lottery_id, position)
) WITHOUT ROWID;

CREATE TABLE courses (
  id              INTEGER PRIMARY KEY,
  center          TEXT NOT NULL REFERENCES centers(code),
  title           TEXT NOT NULL,
  description     TEXT NOT NULL DEFAULT '',
  category        TEXT NOT NULL DEFAULT '',
  lecturer_name   TEXT NOT NULL DEFAULT '',
  lecturer_org    TEXT NOT NULL DEFAULT '',
  lecturer_note   TEXT NOT NULL DEFAULT '',
  target          TEXT NOT NULL DEFAULT '',
  fee             INTEGER NOT NULL DEFAULT 0,
  capacity        INTEGER NOT NULL CHECK (capacity > 0),
  max_companions  INTEGER NOT NULL DEFAULT 0,
  apply_from      TEXT NOT NULL,
  apply_until     TEXT NOT NULL,
  allocation      TEXT NOT NULL CHECK (allocation IN ('lottery','first_come')),
  lottery_id      INTEGER REFERENCES lotteries(id),
  calendar        INTEGER NOT NULL DEFAULT 0,   -- listed in the centre's public iCalendar feed
  copied_from     INTEGER REFERENCES courses(id),
  first_date      TEXT NOT NULL,
  created_by      INTEGER REFERENCES accounts(id),
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);
CREATE INDEX courses_center ON courses(center, first_date);

-- Each session's room slot is a booking of the centre (bookings.channel
-- 'counter', the staff member who created the course as holder), so the
-- UNIQUE index over booking_slots keeps anyone else off it.
CREATE TABLE course_sessions (
  id          INTEGER PRIMARY KEY,
  course_id   INTEGER NOT NULL REFERENCES courses(id),
  date        TEXT NOT NULL,
  slot        TEXT NOT NULL,
  room_id     INTEGER NOT NULL REFERENCES rooms(id),
  booking_id  INTEGER REFERENCES bookings(id),
  attendance  INTEGER                            -- NULL until recorded at the counter
);
CREATE INDEX course_sessions_course ON course_sessions(course_id);

-- status: applied (lottery, before the draw), accepted, waitlisted, offered
-- (a place freed for someone on the waiting list, until offer_expires_at),
-- cancelled, lapsed (an offer not taken in time). One live application per
-- person per course.
CREATE TABLE course_applications (
  id                INTEGER PRIMARY KEY,
  course_id         INTEGER NOT NULL REFERENCES courses(id),
  account_id        INTEGER NOT NULL REFERENCES accounts(id),
  companions        INTEGER NOT NULL DEFAULT 0,
  status            TEXT NOT NULL CHECK (status IN
                    ('applied','accepted','waitlisted','offered','cancelled','lapsed')),
  queue_pos         INTEGER,                      -- waiting-list order (rank, or arrival)
  offer_expires_at  INTEGER,
  created_at        INTEGER NOT NULL,
  decided_at        INTEGER,
  cancelled_at      INTEGER
);
CREATE UNIQUE INDEX course_applications_one ON course_applications(course_id, account_id)
  WHERE status NOT IN ('cancelled','lapsed');
CREATE INDEX course_applications_account ON course_applications(account_id);
