-- 018: indexes that keep the request paths' cost flat over years of data
-- (issue 18; tests/api/queryplan.test.mjs refuses a full scan of a large table).
-- Sign-in sweeps sessions nobody can use any more; without these it read every
-- session row on every sign-in.
CREATE INDEX sessions_expires ON sessions(expires_at);
CREATE INDEX sessions_last_seen ON sessions(last_seen);
