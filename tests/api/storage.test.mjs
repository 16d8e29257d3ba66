// Storage faults under a running server: the database becomes read-only and
// the disk fills up, and the server must keep answering what it can (the
// public feeds, /healthz) without crashing, and answer writes with
// 503 storage_unavailable and a Japanese message.
//
// How the fault is made: chmod 0444 on the database files alone does not stop
// a running server (its descriptors were opened read-write before, and root
// ignores file modes), so the test also caps the server's file size with
// prlimit(1): from then on every write that would grow a file (the -wal, the
// database) fails with EFBIG, which SQLite reports like a full disk
// (SQLITE_FULL/IOERR -> DB_STORAGE -> KERR_STORAGE). The server ignores
// SIGXFSZ for exactly this reason (main.c). The core-level tests of the same
// path are tests/unit/test_storage.c (read-only connection, read-only file,
// full disk).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, client, addUser, signIn } from './harness.mjs';

let havePrlimit = true;
try { execFileSync('prlimit', ['--version']); } catch { havePrlimit = false; }

let srv, api, dir;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  // The scheduled backups are the one writer a server has before bookings
  // exist: they show that the fault really is in force for the process.
  dir = mkdtempSync(join(tmpdir(), 'kominkan-storage-'));
  srv = await start({ dir, now: '2026-04-08T10:00:00+09:00', args: ['--threads', '4', '--backup-dir', join(dir, 'backups'), '--backup-every', '0.02'] });
  api = client(srv.base);
});
after(async () => { await srv.stop(); rmSync(dir, { recursive: true, force: true }); });

test('with the database read-only and the disk full, reads keep working and nothing crashes', { skip: !havePrlimit && 'needs prlimit(1)' }, async () => {
  assert.equal((await api.get('/api/v1/today')).status, 200);
  for (const f of [srv.db, `${srv.db}-wal`, `${srv.db}-shm`]) if (existsSync(f)) chmodSync(f, 0o444);
  execFileSync('prlimit', ['--pid', String(srv.proc.pid), '--fsize=1:unlimited']);

  // Feeds for dates never asked before are built from the database now;
  // worker threads that had no connection yet open one now.
  const dates = ['2026-04-09', '2026-04-10', '2026-04-11', '2026-04-14', '2026-04-15', '2026-04-16', '2026-05-01', '2026-05-12'];
  const replies = await Promise.all(dates.flatMap((d) => [
    api.get(`/api/v1/availability?date=${d}`),
    api.get(`/api/v1/availability?date=${d}&center=chuo`),
  ]));
  for (const r of replies) {
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.centers[0].rooms[0].slots.length, 3);
  }
  for (const p of ['/healthz', '/api/v1/today', '/api/v1/today.csv', '/api/v1/centers', '/api/v1/rules']) {
    const r = await api.get(p);
    assert.equal(r.status, 200, p);
  }
  // the next scheduled backup cannot be written: reported, not fatal
  let health;
  for (let i = 0; i < 100; i++) {
    health = (await api.get('/healthz')).json;
    if (health.status === 'degraded') break;
    await sleep(100);
  }
  assert.equal(health.status, 'degraded', 'a write succeeded on a full disk?');
  assert.equal((await api.get('/api/v1/availability?date=2026-06-02')).status, 200);
  assert.equal(srv.proc.exitCode, null, 'the server died');

  // the disk has room again: the next backup succeeds and clears it
  execFileSync('prlimit', ['--pid', String(srv.proc.pid), '--fsize=unlimited']);
  for (let i = 0; i < 100; i++) {
    health = (await api.get('/healthz')).json;
    if (health.status === 'ok') break;
    await sleep(100);
  }
  assert.equal(health.status, 'ok');
});

test('writes under a storage fault (sign-in, sign-up, a booking) are 503 storage_unavailable in Japanese, change nothing, and work again once the disk has room', { skip: !havePrlimit && 'needs prlimit(1)' }, async () => {
  const d = mkdtempSync(join(tmpdir(), 'kominkan-storage-w-'));
  const db = join(d, 'k.db');
  const s2 = await start({ dir: d, db, now: '2026-04-08T10:00:00+09:00' });
  try {
    const id = await addUser(db, { password: 'storage-test-pass-1' });
    const a = client(s2.base);
    const citizen = await signIn(s2.base, id, 'storage-test-pass-1'); // before the fault
    const room = (await a.get('/api/v1/centers')).json.centers.find((c) => c.code === 'chuo').rooms.find((r) => r.capacity >= 5).id;
    const booking = { room_id: room, date: '2026-05-20', slots: ['morning'], purpose: '会議', attendees: 5 };
    const slotState = async () => (await a.get('/api/v1/availability?date=2026-05-20&center=chuo'))
      .json.centers[0].rooms.find((r) => r.id === room).slots.find((x) => x.code === 'morning').state;
    const before = Number(execFileSync('sqlite3', [db, 'SELECT count(*) FROM accounts; '], { encoding: 'utf8' }));
    execFileSync('prlimit', ['--pid', String(s2.proc.pid), '--fsize=1:unlimited']);

    // signing in writes a session; signing up writes an account
    const signin = await a.post('/api/v1/session', { system_id: id, password: 'storage-test-pass-1' });
    assert.equal(signin.status, 503, signin.text);
    assert.equal(signin.json.error.code, 'storage_unavailable');
    assert.match(signin.json.error.message, /[ぁ-んァ-ン一-龥]/, 'not a Japanese message');
    assert.equal(signin.headers.get('set-cookie'), null, 'a session cookie for a session never stored');
    const signup = await a.post('/api/v1/accounts', { name: '前橋 花子', name_kana: 'マエバシ ハナコ', email: 'hanako@example.jp', password: 'storage-test-pass-2' });
    assert.equal(signup.status, 503, signup.text);
    assert.equal(signup.json.error.code, 'storage_unavailable');
    const held = await citizen.post('/api/v1/bookings', booking);
    assert.equal(held.status, 503, held.text);
    assert.equal(held.json.error.code, 'storage_unavailable');
    // reads still work, and show the slot still free
    assert.equal((await a.get('/api/v1/availability?date=2026-04-21')).status, 200);
    assert.equal(await slotState(), 'free');
    assert.equal(s2.proc.exitCode, null, 'the server died');

    // room again: the same requests succeed; nothing half-written is left
    execFileSync('prlimit', ['--pid', String(s2.proc.pid), '--fsize=unlimited']);
    const again = await a.post('/api/v1/session', { system_id: id, password: 'storage-test-pass-1' });
    assert.equal(again.status, 200, again.text);
    const me = await client(s2.base, { token: again.json.token }).get('/api/v1/me');
    assert.equal(me.status, 200);
    const booked = await citizen.post('/api/v1/bookings', booking);
    assert.equal(booked.status, 201, booked.text);
    assert.equal(await slotState(), 'held');
    assert.equal(execFileSync('sqlite3', [db, 'SELECT count(*) FROM bookings'], { encoding: 'utf8' }).trim(), '1');
    const after = Number(execFileSync('sqlite3', [db, 'SELECT count(*) FROM accounts; '], { encoding: 'utf8' }));
    assert.equal(after, before, 'the refused sign-up left an account behind');
    assert.equal(execFileSync('sqlite3', [db, 'PRAGMA integrity_check'], { encoding: 'utf8' }).trim(), 'ok');
  } finally {
    await s2.stop();
    rmSync(d, { recursive: true, force: true });
  }
});

