// kominkan archive --before DATE (issue 18; docs/performance.md "Archiving finished years"):
// finished fiscal years move into DB.archive, the live tables keep only what is still in use,
// and the reports and the usage-log export answer exactly as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, addUser, start, signIn } from './harness.mjs';

const NOW = '2027-05-10T10:00:00+09:00';
const READS = [
  '/api/v1/reports/monthly?month=2026-05',
  '/api/v1/reports/usage?from=2026-04-01&to=2027-03-31&by=month',
  '/api/v1/reports/usage?from=2026-04-01&to=2026-05-31&by=room&format=csv',
  '/api/v1/events?from=2026-04-01&to=2026-05-31',
];

function archive(db, before, env = {}) {
  return spawnSync(BIN, ['archive', '--db', db, '--before', before], {
    encoding: 'utf8', env: { ...process.env, KOMINKAN_NOW: NOW, ...env },
  });
}

// A database of MONTHS of the demonstration city from April 2026, in a folder removed afterwards.
async function withDemo(months, size, fn) {
  const dir = mkdtempSync(join(tmpdir(), 'kominkan-archive-'));
  try {
    const db = join(dir, 'k.db');
    execFileSync(BIN, ['demo-data', '--db', db, '--months', String(months), '--from', '2026-04',
      '--groups-per-center', String(size), '--persons', String(size * 10)], { stdio: 'ignore' });
    await fn(db, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const count = (db, sql) => Number(execFileSync('sqlite3', [db, sql], { encoding: 'utf8' }).trim());

// Everything the analyst reads, as text.
async function reads(db, dir) {
  const srv = await start({ db, dir, now: NOW });
  try {
    const a = await signIn(srv.base, '400000014', 'demo-analyst-2026');
    const out = [];
    for (const path of READS) {
      const r = await a.get(path);
      assert.equal(r.status, 200, `${path}: ${r.text.slice(0, 200)}`);
      out.push(r.text);
    }
    return { out, srv };
  } catch (e) {
    await srv.stop({ keep: true });
    throw e;
  }
}

test('archive: finished years move out, the reports and the usage log read the same', () =>
  withDemo(2, 8, async (db, dir) => {
    const before = await reads(db, dir);
    const live = count(db, 'SELECT count(*) FROM bookings');
    // never with a server on the database
    const busy = archive(db, '2027-04-01');
    await before.srv.stop({ keep: true });
    assert.ok(live > 100, `demo-data made only ${live} bookings`);
    assert.ok(before.out[3].split('\n').length > 100, 'the usage log is nearly empty');
    assert.notEqual(busy.status, 0);
    assert.match(busy.stderr, /stop it first/);

    // only the start of a finished fiscal year
    for (const bad of ['2027-05-01', '2028-04-01', '2027-4-1', 'x']) {
      const r = archive(db, bad);
      assert.equal(r.status, 2, `--before ${bad}: ${r.stderr}`);
      assert.match(r.stderr, /2027-04-01/);
    }
    assert.equal(count(db, 'SELECT count(*) FROM bookings'), live, 'a refused run changed nothing');

    const ok = archive(db, '2027-04-01');
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, new RegExp(`archived into .*k\\.db\\.archive: ${live} bookings`));
    assert.equal(count(db, 'SELECT count(*) FROM bookings'), 0);
    assert.equal(count(db, 'SELECT count(*) FROM payments'), 0);
    assert.equal(count(db, "SELECT count(*) FROM events WHERE at < strftime('%s', '2027-03-31T15:00:00')"), 0);
    assert.equal(count(`${db}.archive`, 'SELECT count(*) FROM bookings'), live);
    assert.equal(statSync(`${db}.archive`).mode & 0o777, 0o600, 'the archive is readable by its owner only');

    const after = await reads(db, dir);
    await after.srv.stop({ keep: true });
    for (let i = 0; i < READS.length; i++) assert.equal(after.out[i], before.out[i], READS[i]);

    // a second run finds nothing more to move and counts nothing twice
    const again = archive(db, '2027-04-01');
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /: 0 bookings/);
    const third = await reads(db, dir);
    await third.srv.stop({ keep: true });
    assert.deepEqual(third.out, before.out);
  }));

test('archive: a move cut short after its copy counts nothing twice', () =>
  withDemo(1, 6, async (db, dir) => {
    const before = await reads(db, dir);
    await before.srv.stop({ keep: true });
    // the state between the two transactions: copied and cut off, not yet deleted
    assert.equal(archive(db, '2027-04-01').status, 0);
    execFileSync('sqlite3', [db, `ATTACH '${db}.archive' AS a;
      INSERT INTO bookings SELECT * FROM a.bookings; INSERT INTO payments SELECT * FROM a.payments;
      INSERT INTO events SELECT * FROM a.events;`]);
    assert.ok(count(db, 'SELECT count(*) FROM bookings') > 0);
    const during = await reads(db, dir);
    await during.srv.stop({ keep: true });
    assert.deepEqual(during.out, before.out);
  }));

test('マイページ lists the last year and what is to come; the API lists everything', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kominkan-my-'));
  const db = join(dir, 'k.db');
  const id = await addUser(db, { name: '長年 利用者' });
  const srv = await start({ db, dir, now: '2028-05-10T10:00:00+09:00' });
  try {
    const room = count(db, 'SELECT min(id) FROM rooms');
    const add = (date) => execFileSync('sqlite3', [db, `INSERT INTO bookings (account_id, room_id,
      center, date, slots, status, channel, fee_base, fee_total, rules_version, created_at,
      cancelled_at) SELECT ${id}, id, center_code, '${date}', 'morning', 'cancelled', 'online',
      100, 100, '2026-04-01', 1775000000, 1775000100 FROM rooms WHERE id = ${room}`]);
    add('2026-06-01');
    add('2027-06-01');
    add('2028-04-20');
    const c = await signIn(srv.base, id, 'test-password-123');
    const api = await c.get('/api/v1/bookings?mine=1');
    assert.deepEqual(api.json.bookings.map((b) => b.date), ['2026-06-01', '2027-06-01', '2028-04-20']);
    const page = await c.get('/my');
    assert.equal(page.status, 200);
    assert.match(page.text, /終わった予約/);
    assert.match(page.text, /2028年4月20日/);
    assert.match(page.text, /2027年6月1日/);
    assert.doesNotMatch(page.text, /2026年6月1日/);
  } finally {
    await srv.stop();
  }
});
