-- 006: reliability. Mark the file as a kominkan database, so that
-- `kominkan restore` can refuse a file from another program (a foreign SQLite
-- database) before it replaces anything. 0x4B4D4B4E is "KMKN" in ASCII; the
-- same number is DB_APPLICATION_ID in backend/store/db.h. A database created
-- before this migration gets the mark when it is upgraded in place.
PRAGMA application_id = 1263356750;
