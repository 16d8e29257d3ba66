// Crash safety (bounded, part of make test): the server under concurrent
// booking load, killed with SIGKILL at random moments, 20 times; after every
// restart each booking answered 201 is there in its acknowledged state, no
// slot is held twice and integrity_check is ok. The engine and the checks are
// tests/crash/crash.mjs; `make crashtest` runs it 1,000 times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { crashRun } from '../crash/crash.mjs';

let haveShell = true;
try { execFileSync('sqlite3', ['-version']); } catch { haveShell = false; }

test('20 kills under booking load lose no acknowledged booking and never give a slot twice', { skip: !haveShell && 'needs the sqlite3 shell', timeout: 300000 }, async () => {
  const seed = Number(process.env.CRASH_SEED || 20260408);
  const r = await crashRun({ kills: 20, clients: 6, seed });
  console.log(`# ${r.kills} kills, ${r.bookings} bookings, ${r.writes} acknowledged writes, ${r.roundsWithWrites} rounds killed mid-load (seed ${seed})`);
  assert.equal(r.kills, 20);
  assert.ok(r.roundsWithWrites >= 10, `only ${r.roundsWithWrites} of 20 kills came while bookings were being written`);
  assert.ok(r.bookings >= 20, `only ${r.bookings} bookings made`);
});
