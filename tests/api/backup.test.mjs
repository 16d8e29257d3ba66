// Backup and restore, from the command line and on a schedule inside the
// server (core/backup.c; the procedure for operators is docs/operations.md).
//
// Until bookings exist the writes come from a second process: the sqlite3
// shell moves amounts between two rows of a scratch ledger in the server's
// own database, one transaction at a time, as fast as it can. Every backup
// taken meanwhile must pass integrity_check and show the ledger whole (the
// sum unchanged, the journal matching the balances): one consistent snapshot.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, client, signIn, BIN } from './harness.mjs';

const SANITIZER = /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/;

function run(args) {
  return new Promise((resolve) => {
    execFile(BIN, args, (err, stdout, stderr) => {
      assert.doesNotMatch(stderr, SANITIZER, stderr);
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function sql(db, text) {
  return execFileSync('sqlite3', ['-batch', db, text], { encoding: 'utf8' }).trim();
}

let haveShell = true;
try { execFileSync('sqlite3', ['-version']); } catch { haveShell = false; }

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, fn, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

// A second process writing transfers into the scratch ledger until stopped.
function hammer(db) {
  sql(db, 'CREATE TABLE hammer_ledger(id INTEGER PRIMARY KEY, bal INTEGER NOT NULL);'
    + 'INSERT INTO hammer_ledger VALUES (1, 1000), (2, 0);'
    + 'CREATE TABLE hammer_journal(id INTEGER PRIMARY KEY, amount INTEGER NOT NULL);');
  const p = spawn('sqlite3', ['-batch', db], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stopped = false, err = '', i = 0;
  p.stderr.on('data', (d) => { err += d; });
  p.stdin.on('error', () => {});
  p.stdin.write('.timeout 5000\n');
  const pump = () => {
    while (!stopped) {
      let chunk = '';
      for (let k = 0; k < 20; k++, i++) {
        const a = (i % 7) + 1;
        chunk += `BEGIN IMMEDIATE; UPDATE hammer_ledger SET bal = bal - ${a} WHERE id = 1;`
          + ` UPDATE hammer_ledger SET bal = bal + ${a} WHERE id = 2;`
          + ` INSERT INTO hammer_journal(amount) VALUES (${a}); COMMIT;\n`;
      }
      if (!p.stdin.write(chunk)) { p.stdin.once('drain', pump); return; }
    }
  };
  pump();
  const exited = new Promise((r) => p.on('exit', r));
  return {
    async stop() { stopped = true; p.kill('SIGTERM'); await exited; return err; },
  };
}

// The ledger of a copy: [integrity, sum, journal matches balances, journal rows].
function ledger(db) {
  return sql(db, 'PRAGMA integrity_check; SELECT sum(bal) FROM hammer_ledger;'
    + ' SELECT (SELECT coalesce(sum(amount), 0) FROM hammer_journal)'
    + ' = (SELECT bal FROM hammer_ledger WHERE id = 2);'
    + ' SELECT count(*) FROM hammer_journal;').split('\n');
}

let dir;
before(() => { dir = mkdtempSync(join(tmpdir(), 'kominkan-backup-')); });
after(() => { rmSync(dir, { recursive: true, force: true }); });

test('backups taken while another process writes are each one consistent snapshot; restore refuses a live database, then restores', { skip: !haveShell && 'needs the sqlite3 shell' }, async () => {
  const db = join(dir, 'live.db');
  let srv = await start({ dir, db, now: '2026-04-08T10:00:00+09:00' });
  const h = hammer(db);
  await until('the writer to start', () => Number(sql(db, 'SELECT count(*) FROM hammer_journal')) > 20);
  const counts = [];
  for (let i = 0; i < 12; i++) {
    const to = join(dir, `copy-${i}.db`);
    const r = await run(['backup', '--db', db, '--to', to]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /integrity ok/);
    assert.ok(!existsSync(`${to}-wal`) && !existsSync(`${to}.partial`), 'a backup is one file');
    const [integrity, sum, matches, count] = ledger(to);
    assert.equal(integrity, 'ok', `copy ${i}`);
    assert.equal(sum, '1000', `copy ${i} is torn`);
    assert.equal(matches, '1', `copy ${i} is torn`);
    counts.push(Number(count));
  }
  const herr = await h.stop();
  assert.doesNotMatch(herr, /Error|error/, herr);
  for (let i = 1; i < counts.length; i++) assert.ok(counts[i] >= counts[i - 1], `copies went back in time: ${counts}`);
  assert.ok(counts.at(-1) > counts[0], `the writer made no progress during the backups: ${counts}`);

  // A restore while the server runs is refused, and changes nothing.
  const last = join(dir, 'copy-11.db');
  const refused = await run(['restore', '--from', last, '--db', db]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /server is using .*stop it first/);
  assert.ok(readdirSync(dir).every((f) => !f.includes('.replaced-')));
  assert.equal((await client(srv.base).get('/healthz')).status, 200);

  // Stopped, it restores; the old database is kept aside; a server starts on it.
  await srv.stop();
  const ok = await run(['restore', '--from', last, '--db', db]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /restored .* \(integrity ok\)/);
  const aside = readdirSync(dir).filter((f) => f.startsWith('live.db.replaced-'));
  assert.equal(aside.length, 1, readdirSync(dir).join(' '));
  assert.match(ok.stdout, new RegExp(aside[0].replace(/[.]/g, '\\.')));
  assert.ok(!existsSync(`${db}-wal`) && !existsSync(`${db}-shm`));
  srv = await start({ dir, db, now: '2026-04-08T10:00:00+09:00' });
  assert.deepEqual((await client(srv.base).get('/healthz')).json, { status: 'ok' });
  assert.equal(Number(sql(db, 'SELECT count(*) FROM hammer_journal')), counts.at(-1));
  assert.equal((await client(srv.base).get('/api/v1/centers')).json.centers.length, 16);
  await srv.stop();
  // The set-aside database is whole: it has at least as much as the backup.
  const [integrity, sum, , count] = ledger(join(dir, aside[0]));
  assert.equal(integrity, 'ok');
  assert.equal(sum, '1000');
  assert.ok(Number(count) >= counts.at(-1));
});

test('restore refuses foreign, damaged and newer files and changes nothing', { skip: !haveShell && 'needs the sqlite3 shell' }, async () => {
  const d = mkdtempSync(join(dir, 'refuse-'));
  const db = join(d, 'k.db');
  const srv = await start({ dir: d, db });
  await srv.stop();
  const good = join(d, 'good.db');
  assert.equal((await run(['backup', '--db', db, '--to', good])).code, 0);
  const cases = {
    'text.db': [() => writeFileSync(join(d, 'text.db'), 'not a database at all, just some text\n'.repeat(50)), /not a database file/],
    'other.db': [() => sql(join(d, 'other.db'), 'CREATE TABLE photos(id, jpeg)'), /not a kominkan database/],
    'newer.db': [() => { execFileSync('cp', [good, join(d, 'newer.db')]); sql(join(d, 'newer.db'), 'PRAGMA user_version = 500'); }, /newer kominkan/],
    'empty.db': [() => writeFileSync(join(d, 'empty.db'), ''), /not a kominkan database/],
    'missing.db': [() => {}, /not a file/],
  };
  const before = sql(db, 'SELECT count(*) FROM rooms');
  for (const [name, [make, why]] of Object.entries(cases)) {
    make();
    const r = await run(['restore', '--from', join(d, name), '--db', db]);
    assert.equal(r.code, 1, name);
    assert.match(r.stderr, why, name);
  }
  assert.ok(readdirSync(d).every((f) => !f.includes('.replaced-') && !f.includes('restore-partial')), readdirSync(d).join(' '));
  assert.equal(sql(db, 'SELECT count(*) FROM rooms'), before);
  const usage = await run(['restore', '--from', good]);
  assert.equal(usage.code, 2);
});

// The archive of finished years (kominkan archive, docs/performance.md) goes with its database:
// a city restoring a backup must not lose the years it archived.
test('the archive of finished years goes into the backup and comes back with the restore; the reports still count those years', { skip: !haveShell && 'needs the sqlite3 shell' }, async () => {
  const d = mkdtempSync(join(dir, 'archive-'));
  const db = join(d, 'k.db');
  const NOW = '2027-05-10T10:00:00+09:00';
  execFileSync(BIN, ['demo-data', '--db', db, '--months', '1', '--from', '2026-04',
    '--groups-per-center', '4', '--persons', '40'], { stdio: 'ignore' });
  const YEAR = '/api/v1/reports/usage?from=2026-04-01&to=2027-03-31&by=month';
  async function report(file) {
    const srv = await start({ dir: d, db: file, now: NOW });
    try {
      const a = await signIn(srv.base, '400000014', 'demo-analyst-2026');
      const r = await a.get(YEAR);
      assert.equal(r.status, 200, r.text);
      return r.text;
    } finally {
      await srv.stop();
    }
  }
  const before = await report(db);
  const booked = JSON.parse(before).rows.reduce((n, r) => n + r.slots_booked, 0);
  assert.ok(booked > 50, `the demonstration made only ${booked} booked slots`);
  const beforeMove = join(d, 'before-move.db');
  assert.equal((await run(['backup', '--db', db, '--to', beforeMove])).code, 0);
  assert.ok(!existsSync(`${beforeMove}.archive`), 'an archive from nowhere');

  const moved = await new Promise((resolve) => execFile(BIN, ['archive', '--db', db, '--before', '2027-04-01'],
    { env: { ...process.env, KOMINKAN_NOW: NOW } }, (err, stdout, stderr) => resolve({ err, stdout, stderr })));
  assert.equal(moved.err, null, moved.stderr);
  assert.equal(sql(db, 'SELECT count(*) FROM bookings'), '0', 'the year did not move');

  // the backup: the database, and its archive beside it, private
  const b = join(d, 'b.db');
  const taken = await run(['backup', '--db', db, '--to', b]);
  assert.equal(taken.code, 0, taken.stderr);
  assert.match(taken.stdout, /with its archive .*b\.db\.archive/);
  assert.equal(statSync(`${b}.archive`).mode & 0o777, 0o600);
  assert.equal(sql(`${b}.archive`, 'PRAGMA integrity_check'), 'ok');

  // restored on a new machine (a fresh path, the key copy put beside it): the year is counted
  const fresh = join(d, 'new.db');
  assert.equal((await run(['backup', '--db', db, '--keys-to', `${fresh}.keys`])).code, 0);
  const restored = await run(['restore', '--from', b, '--db', fresh]);
  assert.equal(restored.code, 0, restored.stderr);
  assert.match(restored.stdout, /and its archive of finished years .*new\.db\.archive/);
  assert.equal(sql(fresh, 'SELECT count(*) FROM bookings'), '0');
  assert.equal(await report(fresh), before, 'the restored database lost the archived year');

  // a backup from before the move, restored over the archived database: the archive (newer
  // than that backup) is moved aside, the operator is told, and nothing is counted twice
  const back = await run(['restore', '--from', beforeMove, '--db', db]);
  assert.equal(back.code, 0, back.stderr);
  assert.match(back.stdout, /the backup has no archive of finished years: .*moved aside to .*k\.db\.replaced-\d{8}-\d{6}\.archive/);
  assert.ok(!existsSync(`${db}.archive`), 'the restored database kept a newer archive');
  const aside = readdirSync(d).filter((f) => /^k\.db\.replaced-\d{8}-\d{6}\.archive$/.test(f));
  assert.equal(aside.length, 1, readdirSync(d).join(' '));
  assert.equal(await report(db), before);
});

function generations(d) {
  return existsSync(d) ? readdirSync(d).filter((f) => /^kominkan-\d{8}-\d{6}\.db$/.test(f)).sort() : [];
}

test('scheduled backups are taken, checked and pruned to --backup-keep', { skip: !haveShell && 'needs the sqlite3 shell' }, async () => {
  const d = mkdtempSync(join(dir, 'sched-'));
  const bk = join(d, 'backups');
  const srv = await start({ dir: d, args: ['--backup-dir', bk, '--backup-every', '0.02', '--backup-keep', '2'] });
  try {
    // one at start, then one every 1.2 s; names are by the second, so wait for 4 distinct
    const seen = new Set();
    await until('four scheduled backups', () => {
      for (const g of generations(bk)) seen.add(g);
      return seen.size >= 4;
    }, 20000);
    // a new generation is written (and checked) before the oldest is pruned, so for a moment
    // there are keep + 1: never more, and back to keep once the run is over
    assert.ok(generations(bk).length <= 3, `not pruned: ${generations(bk)}`);
    await until('pruned to --backup-keep', () => generations(bk).length <= 2, 5000);
    for (const g of generations(bk)) {
      try { assert.equal(sql(join(bk, g), 'PRAGMA integrity_check'), 'ok'); } catch (e) {
        if (existsSync(join(bk, g))) throw e; // pruned under us: fine
      }
    }
    assert.deepEqual((await client(srv.base).get('/healthz')).json, { status: 'ok' });
  } finally {
    await srv.stop();   // a failure above must not leave the server running (the file would never end)
  }
  assert.match(await srv.logged(/backup written to/), /backup written to/);
});

test('a failing scheduled backup makes /healthz degraded, service goes on, and the next success clears it', async () => {
  const d = mkdtempSync(join(dir, 'fail-'));
  const bk = join(d, 'usb');
  writeFileSync(bk, 'a file where the backup folder should be'); // the disk is not mounted
  const srv = await start({ dir: d, now: '2026-04-08T10:00:00+09:00', args: ['--backup-dir', bk, '--backup-every', '0.02', '--backup-keep', '3'] });
  const api = client(srv.base);
  const degraded = await until('degraded', async () => {
    const r = await api.get('/healthz');
    return r.json.status === 'degraded' ? r : null;
  });
  assert.equal(degraded.status, 200);
  assert.match(degraded.json.reason, /定期バックアップに失敗しました/);
  assert.ok(!degraded.json.reason.includes(d), 'the public reason shows a path');
  // service goes on
  assert.equal((await api.get('/api/v1/today')).status, 200);
  assert.equal((await api.get('/api/v1/availability?date=2026-04-09')).status, 200);
  // the operator mounts the disk: the next run succeeds and clears it
  unlinkSync(bk);
  mkdirSync(bk);
  await until('ok again', async () => (await api.get('/healthz')).json.status === 'ok');
  assert.ok(generations(bk).length >= 1);
  await srv.stop();
  assert.match(await srv.logged(/scheduled backup: backup failed/), /scheduled backup: backup failed: .*usb/);
});

test('serve refuses to start while a restore holds the database', async () => {
  const d = mkdtempSync(join(dir, 'lock-'));
  const db = join(d, 'k.db');
  // flock(1) stands in for a restore in progress
  let haveFlock = true;
  try { execFileSync('flock', ['--version']); } catch { haveFlock = false; }
  if (!haveFlock) return;
  // its own process group, so that killing it also kills the sleep holding the lock
  const holder = spawn('flock', ['-x', `${db}.lock`, 'sleep', '30'], { stdio: 'ignore', detached: true });
  await until('the lock', () => existsSync(`${db}.lock`));
  await sleep(200);
  await assert.rejects(start({ dir: d, db }), /restore of .* is in progress/);
  process.kill(-holder.pid, 'SIGKILL');
  await new Promise((r) => holder.on('exit', r));
  const srv = await start({ dir: d, db });
  await srv.stop();
});
