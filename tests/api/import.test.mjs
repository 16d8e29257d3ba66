// `kominkan import accounts|groups|bookings` (issue 15, docs/import.md) with
// the example files in tests/data/import: UTF-8 with a BOM, Shift_JIS (CP932,
// Japanese headers), all or nothing with FILE:LINE: column: message, dry
// runs, the same file twice, and what the server then shows: the first
// sign-in with the printed code, the groups, the imported bookings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, start, client, signIn, addUser } from './harness.mjs';

const NOW = '2026-04-01T09:00:00+09:00';
const DATA = 'tests/data/import';
let work;

before(() => { work = mkdtempSync(join(tmpdir(), 'kominkan-import-')); });
after(() => rmSync(work, { recursive: true, force: true }));

function kominkan(args) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', env: { ...process.env, KOMINKAN_NOW: NOW } });
  assert.ok(!/ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/.test(r.stderr), r.stderr);
  return r;
}
const imp = (kind, db, file, more = []) => kominkan(['import', kind, '--db', db, '--from', `${DATA}/${file}`, ...more]);
const sql = (db, q) => execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim();

// The printed first sign-in codes: {external_id: {system_id, code}}.
function codes(stdout) {
  const out = {};
  for (const line of stdout.split('\n').slice(2)) {
    const [sid, ext, code, until, name] = line.split('\t');
    if (sid) out[ext] = { sid, code, until, name };
  }
  return out;
}

test('a dry run reports and writes nothing; the import prints one-time codes that sign people in', async () => {
  const db = join(work, 'a.db');
  const dry = imp('accounts', db, 'accounts.csv', ['--dry-run']);
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /accounts: 3 would be imported, 0 imported before .*dry run/);
  assert.equal(sql(db, 'SELECT count(*) FROM accounts'), '0');

  const r = imp('accounts', db, 'accounts.csv');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^accounts: 3 imported, 0 imported before/);
  const c = codes(r.stdout);
  assert.deepEqual(Object.keys(c).sort(), ['U0001', 'U0002', 'U0003']);
  assert.equal(c.U0003.name, '榛名, 次郎');
  assert.match(c.U0001.code, /^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  assert.equal(c.U0001.until, '2026-06-30');
  assert.equal(sql(db, `SELECT name_kana || '|' || email || '|' || resident FROM accounts WHERE id = ${c.U0001.sid}`),
    'マエバシ ハナコ|hanako@example.jp|1');
  assert.equal(sql(db, 'SELECT count(*) FROM accounts WHERE resident = 1'), '2');

  // the same file again changes nothing
  const again = imp('accounts', db, 'accounts.csv');
  assert.equal(again.status, 0);
  assert.match(again.stdout, /^accounts: 0 imported, 3 imported before/);
  assert.equal(sql(db, 'SELECT count(*) FROM accounts'), '3');

  const srv = await start({ now: NOW, db });
  try {
    const anon = client(srv.base);
    // no password came with the file: only the code opens the account
    assert.equal((await anon.post('/api/v1/session', { system_id: c.U0001.sid, password: 'anything-at-all-1' })).status, 401);
    const set = await anon.post('/api/v1/password-reset/confirm',
      { system_id: c.U0001.sid, code: c.U0001.code.toLowerCase(), password: 'hanako-first-pass-9' });
    assert.equal(set.status, 200, set.text);
    const hanako = await signIn(srv.base, c.U0001.sid, 'hanako-first-pass-9');
    assert.equal((await hanako.get('/api/v1/me')).json.name, '前橋 花子');
    // once only
    const twice = await anon.post('/api/v1/password-reset/confirm',
      { system_id: c.U0001.sid, code: c.U0001.code, password: 'another-pass-word-9' });
    assert.equal(twice.status, 404);
  } finally { await srv.stop(); }
});

test('Shift_JIS (CP932) with Japanese headers, as Excel writes it', () => {
  const db = join(work, 'b.db');
  const r = imp('accounts', db, 'accounts-cp932.csv');
  assert.equal(r.status, 0, r.stderr);
  const c = codes(r.stdout);
  assert.equal(c.S0001.name, '利根 さくら');
  assert.equal(c.S0003.name, '髙橋 ｱｲ');
  assert.equal(sql(db, `SELECT name_kana || '|' || phone || '|' || resident FROM accounts WHERE id = ${c.S0001.sid}`),
    'トネ サクラ|027-222-3333|1');
  assert.equal(sql(db, `SELECT resident FROM accounts WHERE id = ${c.S0002.sid}`), '0');
});

test('groups and future bookings: the rules but the window, all or nothing, never a double booking', async () => {
  const db = join(work, 'c.db');
  for (const f of ['accounts.csv', 'accounts-cp932.csv']) assert.equal(imp('accounts', db, f).status, 0);
  const g = imp('groups', db, 'groups.csv');
  assert.equal(g.status, 0, g.stderr);
  assert.match(g.stdout, /^groups: 2 imported/);
  assert.equal(sql(db, "SELECT count(*) FROM groups WHERE status = 'approved'"), '2');
  assert.equal(sql(db, "SELECT valid_until FROM groups WHERE name = '赤城合唱団'"), '2027-03-31');

  const b = imp('bookings', db, 'bookings.csv');
  assert.equal(b.status, 0, b.stderr);
  assert.match(b.stdout, /^bookings: 3 imported/);
  const before = sql(db, 'SELECT count(*) FROM bookings') + '/' + sql(db, 'SELECT count(*) FROM booking_slots');
  assert.equal(before, '3/4');

  // a file with bad rows: every problem, one per line, and nothing written
  const bad = imp('bookings', db, 'bookings-bad.csv');
  assert.equal(bad.status, 1);
  const lines = bad.stderr.split('\n').filter((l) => l.startsWith(`${DATA}/`));
  for (const l of lines) assert.match(l, /^tests\/data\/import\/bookings-bad\.csv:\d+: [a-z_]+: \S/);
  const where = lines.map((l) => l.split(': ').slice(0, 2).join(': ').replace(`${DATA}/bookings-bad.csv:`, ''));
  assert.deepEqual(where, ['2: slots', '3: account', '3: room', '4: date', '5: attendees', '8: date']);
  assert.match(lines[0], /すでに予約されています/);
  assert.match(bad.stderr, /nothing was imported/);
  const dry = imp('bookings', db, 'bookings-bad.csv', ['--dry-run']);
  assert.equal(dry.status, 1);
  assert.deepEqual(dry.stderr.split('\n').filter((l) => l.startsWith(`${DATA}/`)), lines);
  assert.equal(sql(db, 'SELECT count(*) FROM bookings') + '/' + sql(db, 'SELECT count(*) FROM booking_slots'), before);

  // twice: nothing changes
  assert.match(imp('bookings', db, 'bookings.csv').stdout, /^bookings: 0 imported, 3 imported before/);
  assert.equal(sql(db, 'SELECT count(*) FROM bookings'), '3');

  const srv = await start({ now: NOW, db });
  try {
    const pw = 'staff-pass-word-12';
    const staff = await signIn(srv.base, await addUser(db, { role: 'staff', name: '窓口 一郎', center: 'chuo', password: pw }), pw);
    const id = sql(db, "SELECT internal_id FROM import_refs WHERE kind = 'booking' AND external_id = 'B0001'");
    const one = await staff.get(`/api/v1/bookings/${id}`);
    assert.equal(one.status, 200, one.text);
    assert.equal(one.json.status, 'confirmed');
    assert.equal(one.json.date, '2026-07-15');
    assert.equal(one.json.group_name, '前橋俳句会');
    assert.equal(one.json.imported, '旧システムで受付済み（7月分）');
    // July is outside the window today, yet the imported booking holds its slot
    const day = await client(srv.base).get('/api/v1/availability?date=2026-05-20&center=chuo');
    const room = day.json.centers[0].rooms.find((r) => r.code === 'kaigi');
    assert.deepEqual(room.slots.filter((s) => s.state === 'booked').map((s) => s.code), ['afternoon', 'evening']);
  } finally { await srv.stop(); }
});

test('usage errors and unreadable files', () => {
  const db = join(work, 'd.db');
  assert.equal(kominkan(['import', 'rooms', '--db', db, '--from', `${DATA}/groups.csv`]).status, 2);
  assert.equal(kominkan(['import', 'groups', '--db', db]).status, 2);
  const missing = kominkan(['import', 'groups', '--db', db, '--from', `${DATA}/nope.csv`]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /cannot read/);
  // a group whose representative was never imported
  const g = imp('groups', db, 'groups.csv');
  assert.equal(g.status, 1);
  assert.match(g.stderr, /^tests\/data\/import\/groups\.csv:2: representative: /m);
  assert.match(g.stderr, /^tests\/data\/import\/groups\.csv:2: co_representatives: /m);
});
