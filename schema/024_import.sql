-- 019: bringing in the records of the city's old booking system and paper
-- ledgers (`kominkan import accounts|groups|bookings`, docs/import.md).

-- The old system's ID of every imported row (the CSV's external_id), so that
-- importing the same file again changes nothing: a row whose ID is here is
-- passed over.
CREATE TABLE import_refs (
  kind        TEXT NOT NULL CHECK (kind IN ('account', 'group', 'booking')),
  external_id TEXT NOT NULL,
  internal_id INTEGER NOT NULL,
  source      TEXT NOT NULL,          -- the file name it came from
  imported_at INTEGER NOT NULL,
  PRIMARY KEY (kind, external_id)
) WITHOUT ROWID;

-- An imported booking says so, and why the booking window did not apply to
-- it (the CSV's note, e.g. 「旧システムで受付済み」). NULL for every other booking.
ALTER TABLE bookings ADD COLUMN imported_note TEXT;
