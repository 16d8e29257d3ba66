// The demonstration data (docs/demo.md): serve --demo seeds once, the
// documented accounts sign in, today's feed shows held and booked rooms, the
// reports have figures; the usage log of the whole set streams while the
// server goes on answering; `kominkan demo-data` makes a data set once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, client, signIn, BIN } from './harness.mjs';

const NOW = '2026-04-08T10:00:00+09:00';
const dir = mkdtempSync(join(tmpdir(), 'kominkan-demo-'));
const db = join(dir, 'k.db');
let srv;

// docs/demo.md
const DEMO = {
  citizen: ['100000017', 'demo-citizen-2026'],
  staff: ['200000016', 'demo-staff-2026'],
  admin: ['300000015', 'demo-admin-2026'],
  analyst: ['400000014', 'demo-analyst-2026'],
};

before(async () => { srv = await start({ now: NOW, dir, db, args: ['--demo'] }); });
after(async () => {
  if (srv) await srv.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the documented accounts sign in with their roles', async () => {
  for (const [role, [id, pw]] of Object.entries(DEMO)) {
    const c = await signIn(srv.base, id, pw);
    assert.equal(c.session.role, role);
    const me = await c.get('/api/v1/me');
    assert.equal(me.json.system_id, id);
  }
  const c = await signIn(srv.base, ...DEMO.citizen);
  const mine = await c.get('/api/v1/bookings?mine=1');
  const today = mine.json.bookings.filter((b) => b.date === '2026-04-08').map((b) => b.status).sort();
  assert.deepEqual(today, ['confirmed', 'held']);
});

test('today\'s feed and the signage show held and booked rooms, and the public group', async () => {
  const r = await client(srv.base).get('/api/v1/today?center=chuo');
  const states = r.json.centers[0].rooms.flatMap((ro) => ro.slots.map((s) => s.state));
  assert.ok(states.includes('held'), states.join());
  assert.ok(states.includes('booked'), states.join());
  assert.match(JSON.stringify(r.json), /前橋短歌の会/);
  const all = await client(srv.base).get('/api/v1/today');
  const booked = all.json.centers.flatMap((c) => c.rooms.flatMap((ro) => ro.slots)).filter((s) => s.state !== 'free' && s.state !== 'closed');
  assert.ok(booked.length >= 5, `${booked.length} taken slots today in the city`);
  const sg = await client(srv.base).get('/signage/chuo');
  assert.equal(sg.status, 200);
  assert.match(sg.text, /前橋短歌の会/);
});

test('the reports have figures for every centre', async () => {
  const a = await signIn(srv.base, ...DEMO.analyst);
  const r = await a.get('/api/v1/reports/usage?from=2026-04-01&to=2026-06-30&by=center');
  assert.equal(r.status, 200);
  assert.equal(r.json.rows.length, 16);
  assert.ok(r.json.total.slots_booked > 50, JSON.stringify(r.json.total));
  assert.ok(r.json.rows.filter((x) => x.slots_booked > 0).length >= 12);
  assert.ok(r.json.total.cancellations > 0 && r.json.total.lapsed_holds > 0);
});

test('the log streams while other requests are answered', async () => {
  const a = await signIn(srv.base, ...DEMO.analyst);
  const res = await fetch(`${srv.base}/api/v1/events?from=2026-01-01&to=2026-12-31`,
    { headers: { Authorization: `Bearer ${a.token}` } });
  assert.equal(res.status, 200);
  const reader = res.body.getReader();
  const first = await reader.read();
  assert.ok(!first.done && first.value.length > 0);
  // mid-stream, the server answers another analyst request and a write
  const mid = await a.get('/api/v1/reports/monthly?month=2026-04');
  assert.equal(mid.status, 200);
  const c = await signIn(srv.base, ...DEMO.citizen);
  assert.equal((await c.get('/api/v1/me')).status, 200);
  let text = new TextDecoder().decode(first.value), chunks = 1;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks++;
    text += new TextDecoder().decode(value);
  }
  const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.ok(lines.length > 1000, `${lines.length} events`);
  assert.ok(chunks > 1, `${chunks} chunks`);
  const ids = lines.map((e) => e.id);
  assert.equal(new Set(ids).size, ids.length, 'no line twice');
});

test('a second start on the same database seeds nothing more', async () => {
  const a = await signIn(srv.base, ...DEMO.analyst);
  const q = '/api/v1/reports/usage?from=2026-04-01&to=2026-06-30&by=center';
  const before = (await a.get(q)).json.total;
  await srv.stop({ keep: true });
  srv = await start({ now: NOW, dir, db, args: ['--demo'] });
  const a2 = await signIn(srv.base, ...DEMO.analyst);
  const again = (await a2.get(q)).json.total;
  assert.equal(again.bookings, before.bookings);
  assert.equal(again.cancellations, before.cancellations);
});

test('kominkan demo-data makes a data set once, and refuses a second time', () => {
  const file = join(dir, 'bench.db');
  const args = ['demo-data', '--db', file, '--months', '1', '--groups-per-center', '1', '--persons', '10'];
  const r = spawnSync(BIN, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /use dates 2026-04-01 to 2026-04-30, every centre: \d+ accounts, 16 groups, \d+ booking requests/);
  const again = spawnSync(BIN, args, { encoding: 'utf8' });
  assert.equal(again.status, 1);
  assert.match(again.stderr, /already holds demonstration data/);
  const bad = spawnSync(BIN, ['demo-data', '--db', file], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
});
