-- 029: the same two CHECKs of bookings, written so that checking them costs no allocation
-- (issue 18; docs/performance.md). SQLite tests `x IN (three or more constants)` by first
-- building a temporary b-tree of the constants, anew for every statement that checks it: every
-- INSERT of a booking (status and channel) and every UPDATE of its status (confirm, cancel,
-- lapse) opened, filled and freed two such b-trees, a tenth of the writer's time at the opening
-- minute. `x = 'a' OR x = 'b' ...` is the same constraint, tested by comparisons.
--
-- A CHECK that accepts exactly the same values may be rewritten in place (SQLite's "ALTER TABLE"
-- page: with writable_schema, for changes that every existing row still satisfies), with no
-- copy of the table: on a ten-year file a rebuild of bookings and its indexes would take
-- minutes. db.c bumps the schema version after a migration that changed only the schema's text.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(replace(sql,
    'CHECK (status IN' || char(10) ||
    '                  (''held'',''confirmed'',''cancelled'',''lapsed'',''checked_in'',''no_show''))',
    'CHECK (status = ''held'' OR status = ''confirmed'' OR status = ''cancelled''' || char(10) ||
    '                  OR status = ''lapsed'' OR status = ''checked_in'' OR status = ''no_show'')'),
    'CHECK (channel IN (''online'',''counter'',''form''))',
    'CHECK (channel = ''online'' OR channel = ''counter'' OR channel = ''form'')')
  WHERE type = 'table' AND name = 'bookings';
PRAGMA writable_schema = OFF;
-- a file whose text differs (edited by hand) fails here and is left as it was
CREATE TEMP TABLE migration_029(ok INTEGER CHECK (ok));
INSERT INTO migration_029 SELECT instr(sql, 'status IN') = 0 AND instr(sql, 'channel IN') = 0
                                 AND instr(sql, 'OR status = ''no_show''') > 0
                                 AND instr(sql, 'OR channel = ''form''') > 0
  FROM sqlite_schema WHERE type = 'table' AND name = 'bookings';
DROP TABLE migration_029;
