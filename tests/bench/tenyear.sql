-- make bench, ten years (issue 18; tests/bench/bench_tenyear.sh): nine simulated years of
-- history before the year `kominkan demo-data` made, so that the database holds ten years
-- of every centre: about 1.2 million bookings, 100,000 accounts, 5,000 groups and the usage
-- log. Run with the sqlite3 shell on a copy of the demonstration year:
--
--   sqlite3 ten.db < tests/bench/tenyear.sql
--
-- Deterministic (no random()): every choice is a hash of the day, the room and the slot.
-- The history is denser than the demonstration year: 85% of the room slots used, and
-- about 70% more held and then cancelled or left to lapse, which is how a year reaches
-- ~125,000 booking rows with 16 centres of 78 rooms. Citizens 500000001.. and groups
-- 600000001.. are the synthetic ones; the documented citizen 100000017 holds about 36
-- bookings a year of the history, so that マイページ has a past to list.
.bail on
PRAGMA synchronous = OFF;
PRAGMA cache_size = -200000;
BEGIN;

CREATE TEMP TABLE p AS SELECT '2017-04-01' AS first, '2026-03-31' AS last,
  (SELECT COALESCE(MAX(id), 0) FROM bookings) AS base_booking;

-- every day of the history, with the instant of its midnight in Japan
CREATE TEMP TABLE days (n INTEGER PRIMARY KEY, day TEXT, at INTEGER);
WITH RECURSIVE d(n) AS (
  SELECT 0 UNION ALL
  SELECT n + 1 FROM d WHERE n < (SELECT julianday(last) - julianday(first) FROM p))
INSERT INTO days
SELECT n, date((SELECT first FROM p), '+' || n || ' days'),
       CAST(strftime('%s', (SELECT first FROM p), '+' || n || ' days') AS INTEGER) - 9 * 3600
FROM d;

-- accounts up to 100,000 and groups up to 5,000
WITH RECURSIVE a(n) AS (
  SELECT 1 UNION ALL SELECT n + 1 FROM a WHERE n < 100000 - (SELECT count(*) FROM accounts))
INSERT OR IGNORE INTO accounts (id, role, name, name_kana, resident, home_center,
                                password_hash, created_at)
SELECT 500000000 + n, 'citizen', '市民 ' || n, 'しみん', n % 10 < 8,
       cn.code, '!bench: no password matches this', 1491000000 + n * 3000
FROM a JOIN (SELECT row_number() OVER (ORDER BY code) - 1 AS i, code FROM centers) cn
  ON cn.i = a.n % (SELECT count(*) FROM centers);

WITH RECURSIVE g(n) AS (
  SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 5000 - (SELECT count(*) FROM groups))
INSERT OR IGNORE INTO groups (id, name, name_kana, representative_id, members,
                              resident_members, activity, public_listing, status,
                              valid_until, created_at, decided_at)
SELECT 600000000 + n, '団体 ' || n, 'だんたい', 500000001 + (n * 37) % 98000, 12, 9,
       '活動', n % 2, 'approved', '2027-03-31', 1491000000 + n * 50000,
       1491000000 + n * 50000 + 86400
FROM g;

-- one candidate booking per room, day and slot
CREATE TEMP TABLE cells AS
SELECT d.n, d.day, d.at, r.id AS room_id, r.center_code AS center, s.slot,
       ((d.n * 131 + r.id * 71 + s.k * 37) * 2654435761) % 4294967296 AS h
FROM days d, rooms r,
     (SELECT 0 AS k, 'morning' AS slot UNION ALL SELECT 1, 'afternoon'
      UNION ALL SELECT 2, 'evening') s;

-- the used slots: confirmed, checked in or no-show
INSERT INTO bookings (account_id, group_id, room_id, center, date, slots, status, purpose,
                      attendees, channel, fee_base, fee_total, rules_version, created_at,
                      confirmed_at, checked_in_at, noshow_at, created_by, confirmed_by)
SELECT acct, grp, room_id, center, day, slot, st, '練習', 1 + h % 30, 'online', fee, fee,
       '2026-04-01', made, made + 600,
       CASE WHEN st = 'checked_in' THEN at + 9 * 3600 END,
       CASE WHEN st = 'no_show' THEN at + 12 * 3600 END, acct, acct
FROM (SELECT c.*,
             CASE WHEN h % 2000 = 7 THEN 100000017 ELSE 500000001 + (h / 7) % 98000 END AS acct,
             CASE WHEN (h / 13) % 10 < 6 THEN 600000001 + (h / 11) % 4000 END AS grp,
             CASE WHEN (h / 100) % 100 < 3 THEN 'no_show'
                  WHEN (h / 100) % 100 < 45 THEN 'checked_in' ELSE 'confirmed' END AS st,
             100 + (h % 10) * 50 AS fee, at - (1 + h % 60) * 86400 + 36000 AS made
      FROM cells c WHERE h % 100 < 85);

-- held and then cancelled, or left to lapse
INSERT INTO bookings (account_id, group_id, room_id, center, date, slots, status, purpose,
                      attendees, channel, fee_base, fee_total, rules_version, created_at,
                      hold_expires_at, cancelled_at, cancel_fee, created_by, cancelled_by)
SELECT acct, NULL, room_id, center, day, slot, st, '会議', 1 + h % 20, 'online', fee, fee,
       '2026-04-01', made,
       CASE WHEN st = 'lapsed' THEN made + 3 * 86400 END,
       CASE WHEN st = 'cancelled' THEN made + 86400 END,
       CASE WHEN st = 'cancelled' THEN 0 END, acct,
       CASE WHEN st = 'cancelled' THEN acct END
FROM (SELECT c.*, 500000001 + (h / 3) % 98000 AS acct,
             CASE WHEN (h / 1000000) % 5 < 2 THEN 'cancelled' ELSE 'lapsed' END AS st,
             100 + (h % 10) * 50 AS fee, at - (10 + h % 50) * 86400 + 50000 AS made
      FROM cells c WHERE (h / 10000) % 100 < 70);

INSERT INTO booking_slots (booking_id, room_id, date, slot, active, hold_expires_at)
SELECT id, room_id, date, slots, status NOT IN ('cancelled', 'lapsed'), hold_expires_at
FROM bookings WHERE id > (SELECT base_booking FROM p);

-- the counter took the money of every booking checked in, on its day
INSERT INTO payments (booking_id, center, ledger_date, seq, receipt, kind, method, amount, at,
                      by_account)
SELECT id, center, date, id, 'R-' || replace(date, '-', '') || '-' || center || '-H' || id,
       'payment', CASE id % 4 WHEN 0 THEN 'cash' WHEN 1 THEN 'qr' WHEN 2 THEN 'card' ELSE 'ic' END,
       fee_total, checked_in_at, 200000016
FROM bookings WHERE id > (SELECT base_booking FROM p) AND status = 'checked_in';

-- the usage log: a hold, then its confirmation, cancellation or lapse, and the counter's
INSERT INTO events (at, action, center, room_id, date, slot, channel, actor_role, actor, amount)
SELECT at, action, center, room_id, date, slots, 'online', 'citizen',
       printf('%032x', account_id * 2654435761), fee_total
FROM (SELECT created_at AS at, 'booking.hold' AS action, * FROM bookings
      WHERE id > (SELECT base_booking FROM p)
      UNION ALL
      SELECT confirmed_at, 'booking.confirm', * FROM bookings
      WHERE id > (SELECT base_booking FROM p) AND confirmed_at IS NOT NULL
      UNION ALL
      SELECT cancelled_at, 'booking.cancel', * FROM bookings
      WHERE id > (SELECT base_booking FROM p) AND status = 'cancelled'
      UNION ALL
      SELECT hold_expires_at, 'booking.lapse', * FROM bookings
      WHERE id > (SELECT base_booking FROM p) AND status = 'lapsed'
      UNION ALL
      SELECT checked_in_at, 'counter.checkin', * FROM bookings
      WHERE id > (SELECT base_booking FROM p) AND status = 'checked_in');

COMMIT;
