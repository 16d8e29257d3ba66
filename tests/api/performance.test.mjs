// Performance mechanisms (issue 18; docs/performance.md), tested for what they
// do, never for how fast: no timing assertion here (the figures are `make bench`'s).
// - the hash pool: sign-ins past its bound (a count, and an expected wait)
//   get 503 with Retry-After, every other one succeeds, and a page read during
//   the storm still answers;
// - group commit: concurrent bookings that mix successes and refusals; each
//   refusal undoes only itself, never two holds of one slot, and every 201
//   is in the database;
// - the response cache: anonymous pages are shared, a signed-in person's never.
//
// The clock: 2026-04-01 09:00 JST, the minute booking for June opens.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { start, client, addUser, signIn } from './harness.mjs';

const NOW = '2026-04-01T09:00:00+09:00';
const PW = 'perf-test-password-1';
let srv, anon, ids;

function sql(db, q) {
  return execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim();
}

before(async () => {
  // One hash at a time and one waiting: a small burst already overflows.
  srv = await start({ now: NOW, args: ['--hash-threads', '1', '--hash-queue', '1'] });
  anon = client(srv.base);
  ids = [];
  for (let i = 0; i < 4; i++) ids.push(await addUser(srv.db, { name: `負荷 ${i}`, password: PW }));
});
after(async () => { await srv.stop(); });

test('a burst of sign-ins: past the hash queue 503 with Retry-After, all others succeed; pages still answer', async () => {
  const burst = [];
  for (let i = 0; i < 16; i++)
    burst.push(client(srv.base).post('/api/v1/session', { system_id: ids[i % ids.length], password: PW }));
  // a public read and a page while the hashes run
  const during = await Promise.all([anon.get('/api/v1/today?center=chuo'), anon.get('/help')]);
  for (const r of during) assert.equal(r.status, 200);
  const res = await Promise.all(burst);
  const codes = res.map((r) => r.status);
  assert.ok(codes.every((s) => s === 200 || s === 503), codes.join(','));
  assert.ok(codes.some((s) => s === 503), `no 503 in ${codes.join(',')}`);
  assert.ok(codes.some((s) => s === 200), `no success in ${codes.join(',')}`);
  for (const r of res) {
    if (r.status === 503) {
      assert.equal(r.json.error.code, 'busy');
      assert.match(r.headers.get('retry-after') || '', /^\d+$/);
    } else {
      assert.ok(r.json.token && r.json.csrf_token);
    }
  }
  // a sign-in after the storm goes through
  const late = await signIn(srv.base, ids[0], PW);
  assert.equal((await late.get('/api/v1/me')).status, 200);
});

test('sign-ins that would wait longer than --hash-wait for a hash get 503 with Retry-After at once', async () => {
  // The queue's count is no bound here (100): only the expected wait, from the
  // hashes' recent time, can refuse. One thread, and 1 ms: once a hash has been
  // timed, a sign-in with another ahead of it would wait longer.
  const s = await start({ now: NOW, args: ['--hash-threads', '1', '--hash-queue', '100', '--hash-wait', '1'] });
  try {
    const id = await addUser(s.db, { name: '負荷 待ち', password: PW });
    const first = await client(s.base).post('/api/v1/session', { system_id: id, password: PW });
    assert.equal(first.status, 200, first.text);   // times the first hash: nothing was ahead
    const res = await Promise.all(Array.from({ length: 8 }, () =>
      client(s.base).post('/api/v1/session', { system_id: id, password: PW })));
    const codes = res.map((r) => r.status);
    assert.ok(codes.some((c) => c === 200), codes.join(','));
    assert.ok(codes.some((c) => c === 503), `no 503 in ${codes.join(',')}`);
    for (const r of res.filter((x) => x.status === 503)) {
      assert.equal(r.json.error.code, 'busy');
      assert.match(r.json.error.message, /混み合って/);
      assert.match(r.headers.get('retry-after') || '', /^[1-9]\d*$/);
    }
    // the browser's form gets the same answer as a page, and when to come back
    const page = await Promise.all(Array.from({ length: 4 }, () => fetch(`${s.base}/signin`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ system_id: id, password: PW }), redirect: 'manual' })));
    const busy = page.filter((r) => r.status === 503);
    assert.ok(busy.length > 0, page.map((r) => r.status).join(','));
    for (const r of busy) {
      assert.match(r.headers.get('content-type'), /text\/html/);
      assert.match(r.headers.get('retry-after') || '', /^[1-9]\d*$/);
      assert.match(await r.text(), /混み合って/);
    }
    // alone again, a sign-in waits for nobody and goes through
    const late = await client(s.base).post('/api/v1/session', { system_id: id, password: PW });
    assert.equal(late.status, 200, late.text);
  } finally {
    await s.stop();
  }
});

test('group commit: concurrent bookings, each refusal undoes only itself, no slot held twice', async () => {
  const centers = (await anon.get('/api/v1/centers')).json.centers;
  const rooms = centers.find((c) => c.code === 'chuo').rooms;
  const people = [];
  for (const id of ids) people.push(await signIn(srv.base, id, PW));
  // Each person: one booking of a slot only they ask for, and one of a slot
  // everybody wants, all at once.
  const contested = { room_id: rooms[0].id, date: '2026-06-17', slots: ['afternoon'], purpose: '会議', attendees: 3 };
  const reqs = [];
  people.forEach((p, i) => {
    reqs.push(p.post('/api/v1/bookings', { room_id: rooms[1 + i].id, date: '2026-06-17', slots: ['morning'], purpose: '会議', attendees: 3 }));
    reqs.push(p.post('/api/v1/bookings', contested));
  });
  const res = await Promise.all(reqs);
  const own = res.filter((_, i) => i % 2 === 0), fight = res.filter((_, i) => i % 2 === 1);
  for (const r of own) assert.equal(r.status, 201, r.text);
  assert.equal(fight.filter((r) => r.status === 201).length, 1, fight.map((r) => r.status).join(','));
  for (const r of fight) if (r.status !== 201) assert.equal(r.json.error.code, 'slot_taken');
  // every acknowledged booking is stored, and the contested slot only once
  for (const r of res.filter((x) => x.status === 201))
    assert.equal(sql(srv.db, `SELECT count(*) FROM bookings WHERE id = ${Number(r.json.id)}`), '1');
  const held = sql(srv.db, `SELECT count(*) FROM booking_slots s JOIN bookings b ON b.id = s.booking_id
    WHERE b.room_id = ${rooms[0].id} AND s.date = '2026-06-17' AND b.status IN ('held','confirmed')`);
  assert.equal(held, '1');
  // the feed shows them at once (the writer touches the cache after its commit)
  const feed = (await anon.get('/api/v1/availability?date=2026-06-17&center=chuo')).json;
  const st = (id, slot) => feed.centers[0].rooms.find((x) => x.id === id).slots.find((s) => s.code === slot).state;
  assert.equal(st(rooms[0].id, 'afternoon'), 'held');
  for (let i = 0; i < people.length; i++) assert.equal(st(rooms[1 + i].id, 'morning'), 'held');
});

test('anonymous pages come from the cache until a write; a signed-in person\'s never do', async () => {
  const person = await signIn(srv.base, ids[1], PW, { cookie: true });
  const bearer = await signIn(srv.base, ids[2], PW);
  const csv = '/opendata/availability.csv?from=2026-06-17&to=2026-06-17&center=chuo';
  const first = await anon.get(csv);
  assert.equal(first.status, 200);
  assert.match(first.text, /held/);
  // Behind the server's back (no generation bump): the cache cannot know.
  sql(srv.db, "UPDATE booking_slots SET active = 0 WHERE date = '2026-06-17'");
  const again = await anon.get(csv);
  assert.equal(again.text, first.text, 'the anonymous copy is shared');
  const signedIn = await bearer.get(csv);
  assert.equal(signedIn.status, 200);
  assert.notEqual(signedIn.text, first.text, 'a signed-in request is rendered afresh');
  assert.doesNotMatch(signedIn.text, /held/);
  // A booking through the server bumps the generation: the next anonymous
  // request is rendered again and sees the database as it is.
  const centers = (await anon.get('/api/v1/centers')).json.centers;
  const room = centers.find((c) => c.code === 'chuo').rooms[0];
  const b = await bearer.post('/api/v1/bookings', { room_id: room.id, date: '2026-06-17', slots: ['evening'], purpose: '会議', attendees: 3 });
  assert.equal(b.status, 201, b.text);
  const fresh = await anon.get(csv);
  assert.equal((fresh.text.match(/held/g) || []).length, 1, fresh.text);
  // Pages: a signed-in person's top page carries their menu and is never handed
  // to anyone else, before or after an anonymous visit.
  const top0 = await anon.get('/', { Accept: 'text/html' });
  const mine = await person.get('/', { Accept: 'text/html' });
  assert.equal(mine.status, 200);
  assert.match(mine.text, /action="\/signout"/);
  assert.equal(mine.headers.get('cache-control'), 'private, no-store');
  const top1 = await anon.get('/', { Accept: 'text/html' });
  assert.doesNotMatch(top1.text, /action="\/signout"/);
  assert.equal(top1.text, top0.text);
  const mine2 = await person.get('/', { Accept: 'text/html' });
  assert.match(mine2.text, /action="\/signout"/);
});
