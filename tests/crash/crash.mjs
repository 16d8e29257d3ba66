// Crash safety: run the server under concurrent booking load, kill it with
// SIGKILL at a random moment, restart it on the same database, and check:
//   - every booking the server answered 201 is there, in the state of the
//     last answer it gave about it (confirm 200 -> confirmed, cancel 200 ->
//     cancelled; a request cut off by the kill may or may not have happened);
//   - no slot is held twice, and the active slots match the bookings' states;
//   - PRAGMA integrity_check is ok.
// Then again, KILLS times. Used by tests/api/crash.test.mjs (20 kills, in
// make test) and by `make crashtest` (1,000):
//
//   node tests/crash/crash.mjs [--kills N] [--clients N] [--seed N]
//
// A kill of the process is what this tests: the server must acknowledge only
// what SQLite has committed. (A power cut also loses what the OS had not yet
// written; synchronous=FULL is the answer to that, which no test here can
// pull the plug on.)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, client, addUser, signIn } from '../api/harness.mjs';

const NOW = '2026-04-01T09:00:00+09:00'; // booking for June opens this minute
const PW = 'crash-test-password-1';
// Far enough ahead that a confirmed booking may still be cancelled for free.
const DATES = ['2026-05-12', '2026-05-13', '2026-05-14', '2026-06-09', '2026-06-10'];
const SLOTS = ['morning', 'afternoon', 'evening'];

function sql(db, q) {
  return execFileSync('sqlite3', ['-batch', db, q], { encoding: 'utf8' }).trim();
}

// A small deterministic generator, so that a failing run can be repeated.
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

// Every acknowledged fact, by booking id: {state, pending, room, date, slots, owner}.
// state: the last state the server acknowledged; pending: the state a request
// cut off by the kill would have led to (either may be true afterwards).
class Ledger {
  constructor() { this.b = new Map(); this.acks = 0; }
  created(id, owner, room, date, slots) {
    this.b.set(id, { state: 'held', pending: null, owner, room, date, slots });
    this.acks++;
  }
  begin(id, to) { this.b.get(id).pending = to; }
  done(id, to) { const e = this.b.get(id); e.state = to; e.pending = null; this.acks++; }
  settleAfterKill(actual) {
    // a cut-off request either happened or not: take what the database says
    for (const [id, e] of this.b) if (e.pending && actual.get(id) === e.pending) { e.state = e.pending; }
    for (const e of this.b.values()) e.pending = null;
  }
  // A booking made by a request the kill cut off, before its answer: it
  // exists but was never acknowledged. Adopt it (so that its owner can
  // cancel it, and the caps do not fill up with bookings nobody knows of).
  adopt(id, owner, state) {
    if (!this.b.has(id)) this.b.set(id, { state, pending: null, owner, adopted: true });
  }
}

// One client's loop: book a random slot; confirm it or cancel it; keep at
// most two active bookings (the rule book's caps); until STOP() or the server
// dies under it.
async function clientLoop(c, who, rand, ledger, stop, rooms) {
  const mine = []; // active booking ids, oldest first
  for (const [id, e] of ledger.b) if (e.owner === who && (e.state === 'held' || e.state === 'confirmed')) mine.push(id);
  try {
    while (!stop()) {
      if (mine.length >= 2) {
        const id = mine.shift();
        ledger.begin(id, 'cancelled');
        const r = await c.post(`/api/v1/bookings/${id}/cancel`, {});
        if (r.status === 200) ledger.done(id, 'cancelled');
        else throw new Error(`cancel ${id}: ${r.status} ${r.text}`);
        continue;
      }
      const room = rooms[Math.floor(rand() * rooms.length)];
      const date = DATES[Math.floor(rand() * DATES.length)];
      const slots = [SLOTS[Math.floor(rand() * SLOTS.length)]];
      const r = await c.post('/api/v1/bookings', { room_id: room, date, slots, purpose: '練習', attendees: 3 });
      if (r.status === 201) {
        ledger.created(r.json.id, who, room, date, slots);
        mine.push(r.json.id);
        if (rand() < 0.5) {
          ledger.begin(r.json.id, 'confirmed');
          const cf = await c.post(`/api/v1/bookings/${r.json.id}/confirm`, {});
          if (cf.status === 200) ledger.done(r.json.id, 'confirmed');
          else throw new Error(`confirm: ${cf.status} ${cf.text}`);
        }
      } else if (r.status !== 409 && !(r.status === 422 && r.json?.error?.code === 'limit_exceeded')) {
        throw new Error(`book: ${r.status} ${r.text}`);
      }
    }
  } catch (e) {
    // the kill: fetch fails. Anything else the server said is a failure.
    if (!/fetch failed|terminated|ECONNRESET|ECONNREFUSED|socket|other side closed/i.test(`${e.message} ${e.cause?.message || ''}`)) throw e;
  }
}

// What the database holds now, checked against the ledger.
function verify(db, ledger, round, owners) {
  assert.equal(sql(db, 'PRAGMA integrity_check'), 'ok', `round ${round}: integrity_check`);
  const twice = sql(db, 'SELECT room_id, date, slot, count(*) FROM booking_slots WHERE active = 1'
    + ' GROUP BY room_id, date, slot HAVING count(*) > 1');
  assert.equal(twice, '', `round ${round}: a slot held twice: ${twice}`);
  const rows = sql(db, 'SELECT id, status, account_id FROM bookings');
  const actual = new Map(), accountOf = new Map();
  for (const l of rows ? rows.split('\n') : []) {
    const [id, st, acc] = l.split('|');
    actual.set(Number(id), st);
    accountOf.set(Number(id), acc);
  }
  ledger.settleAfterKill(actual);
  for (const [id, e] of ledger.b) {
    assert.ok(actual.has(id), `round ${round}: booking ${id} was answered 201 and is gone`);
    assert.equal(actual.get(id), e.state, `round ${round}: booking ${id} is ${actual.get(id)}, acknowledged ${e.state}`);
  }
  for (const [id, st] of actual) ledger.adopt(id, owners.get(accountOf.get(id)), st);
  // the slots of every active booking are active, and no other slot is
  const bad = sql(db, "SELECT b.id, b.status, count(s.booking_id) FROM bookings b LEFT JOIN booking_slots s"
    + ' ON s.booking_id = b.id AND s.active = 1 GROUP BY b.id'
    + " HAVING (b.status IN ('held', 'confirmed') AND count(s.booking_id) = 0)"
    + " OR (b.status NOT IN ('held', 'confirmed', 'checked_in') AND count(s.booking_id) > 0)");
  assert.equal(bad, '', `round ${round}: bookings and their slots disagree: ${bad}`);
}

export async function crashRun({ kills = 20, clients = 6, seed = 1, bin, log = () => {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'kominkan-crash-'));
  const db = join(dir, 'k.db');
  const rand = rng(seed);
  const ledger = new Ledger();
  try {
    let srv = await start({ dir, db, now: NOW, bin, args: ['--threads', '2'] });
    const users = [];
    for (let i = 0; i < clients; i++) users.push(await addUser(db, { password: PW, name: `利用者 ${i}` }));
    const owners = new Map(users.map((u, i) => [String(Number(u)), i])); // account_id -> client
    const tokens = [];
    for (const u of users) tokens.push((await signIn(srv.base, u, PW)).token);
    const centers = (await client(srv.base).get('/api/v1/centers')).json.centers;
    const chuo = centers.find((c) => c.code === 'chuo');
    const rooms = chuo.rooms.filter((r) => r.capacity >= 3).slice(0, 2).map((r) => r.id);
    let killedAtAcks = [];
    for (let round = 1; round <= kills; round++) {
      let stopped = false;
      const loops = tokens.map((t, i) => clientLoop(client(srv.base, { token: t }), i, rng(seed * 1000 + round * 10 + i), ledger, () => stopped, rooms));
      // let the load run for a random moment, then kill without warning
      const before = ledger.acks;
      await new Promise((r) => setTimeout(r, 30 + Math.floor(rand() * 400)));
      srv.proc.kill('SIGKILL');
      const { sig } = await srv.stop({ keep: true });
      assert.equal(sig, 'SIGKILL');
      stopped = true;
      await Promise.all(loops);
      killedAtAcks.push(ledger.acks - before);
      // restart on the same database: it must open, recover and agree
      srv = await start({ dir, db, now: NOW, bin, args: ['--threads', '2'] });
      assert.equal((await client(srv.base).get('/healthz')).status, 200);
      verify(db, ledger, round, owners);
      log(`round ${round}: ${ledger.acks - before} acknowledged writes before the kill, ${ledger.b.size} bookings so far`);
    }
    await srv.stop();
    const writes = killedAtAcks.reduce((a, b) => a + b, 0);
    return { kills, bookings: ledger.b.size, writes, roundsWithWrites: killedAtAcks.filter((n) => n > 0).length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// As a program: `node tests/crash/crash.mjs --kills 1000`
if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, def) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : def;
  };
  const kills = arg('kills', 1000), clients = arg('clients', 6), seed = arg('seed', Date.now() % 100000);
  console.log(`crashtest: ${kills} kills, ${clients} clients, seed ${seed} (repeat with --seed ${seed})`);
  const t0 = Date.now();
  crashRun({ kills, clients, seed, log: (m) => { if (/round \d*0:/.test(m)) console.log(m); } })
    .then((r) => {
      console.log(`crashtest: ok: ${r.kills} kills, ${r.bookings} bookings, ${r.writes} acknowledged writes,`
        + ` ${r.roundsWithWrites} rounds killed mid-load, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    })
    .catch((e) => { console.error(`crashtest: FAILED (seed ${seed}):`, e); process.exit(1); });
}
