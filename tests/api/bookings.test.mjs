// Bookings and digital permits over HTTP: every flow and error of CONTRACT.md's
// Bookings section, the feeds after each change, 50 concurrent clients for one
// slot, a hold lapsing across a restart, and the usage log.
//
// The clock: 2026-04-01 09:00 JST, the minute booking for June opens.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { start, client, addUser, signIn } from './harness.mjs';

const NOW = '2026-04-01T09:00:00+09:00';
const PW = 'booking-test-pw-1';
let srv, anon, alice, bob, carol, staff, analyst, ids, rooms;

function sql(db, q) {
  return execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim();
}

async function roomId(center, code) {
  if (!rooms) {
    const r = await anon.get('/api/v1/centers');
    rooms = {};
    for (const c of r.json.centers) for (const ro of c.rooms) rooms[`${c.code}/${ro.code}`] = ro.id;
  }
  return rooms[`${center}/${code}`];
}

async function state(date, center, roomCode, slot) {
  const r = await anon.get(`/api/v1/availability?date=${date}&center=${center}`);
  assert.equal(r.status, 200);
  const id = await roomId(center, roomCode);
  const room = r.json.centers[0].rooms.find((x) => x.id === id);
  return room.slots.find((s) => s.code === slot).state;
}

async function body(center, code, date, slots, extra = {}) {
  return { room_id: await roomId(center, code), date, slots, purpose: '練習会', attendees: 5, ...extra };
}

before(async () => {
  srv = await start({ now: NOW });
  anon = client(srv.base);
  ids = {};
  for (const [k, role] of [['alice', 'citizen'], ['bob', 'citizen'], ['carol', 'citizen'],
    ['staff', 'staff'], ['analyst', 'analyst']])
    ids[k] = await addUser(srv.db, { role, name: k === 'alice' ? '山田 太郎' : `利用者 ${k}`, password: PW, center: role === 'staff' ? 'chuo' : undefined });
  alice = await signIn(srv.base, ids.alice, PW);
  bob = await signIn(srv.base, ids.bob, PW);
  carol = await signIn(srv.base, ids.carol, PW);
  staff = await signIn(srv.base, ids.staff, PW);
  analyst = await signIn(srv.base, ids.analyst, PW);
});
after(async () => {
  await srv.stop();
  rmSync(srv.dir, { recursive: true, force: true }); // the restart below reuses the folder
});

test('who may book: 401 anonymous, 403 staff and analyst', async () => {
  const b = await body('chuo', 'r503', '2026-06-10', ['morning']);
  assert.equal((await anon.post('/api/v1/bookings', b)).status, 401);
  for (const c of [staff, analyst]) {
    const r = await c.post('/api/v1/bookings', b);
    assert.equal(r.status, 403);
    assert.equal(r.json.error.code, 'forbidden');
  }
  assert.equal((await analyst.get('/api/v1/bookings?mine=1')).status, 403);
});

test('hold, feeds, confirm, mine, visibility', async () => {
  const r = await alice.post('/api/v1/bookings', await body('chuo', 'r503', '2026-06-10', ['afternoon', 'morning']));
  assert.equal(r.status, 201, r.text);
  const b = r.json;
  assert.equal(b.status, 'held');
  assert.deepEqual(b.slots, ['morning', 'afternoon']);
  assert.equal(b.room_id, await roomId('chuo', 'r503'));
  assert.equal(b.date, '2026-06-10');
  assert.deepEqual([b.fee.base, b.fee.discount, b.fee.total], [400, 0, 400]); // study 160 + 240
  assert.equal(b.fee.rules_version, '2026-04-01');
  assert.equal(b.hold_expires_at, '2026-04-04T09:00:00+09:00');
  assert.equal(r.headers.get('cache-control'), 'no-store');
  // RULE: the feeds show the hold at once, with no name
  assert.equal(await state('2026-06-10', 'chuo', 'r503', 'morning'), 'held');
  const feed = await anon.get('/api/v1/availability?date=2026-06-10&center=chuo');
  assert.ok(!feed.text.includes('山田'));

  // others do not see it; staff do
  assert.equal((await bob.get(`/api/v1/bookings/${b.id}`)).status, 404);
  assert.equal((await bob.post(`/api/v1/bookings/${b.id}/confirm`)).status, 404);
  assert.equal((await staff.get(`/api/v1/bookings/${b.id}`)).status, 200);
  assert.equal((await alice.get('/api/v1/bookings/999999999')).status, 404);
  assert.equal((await alice.get('/api/v1/bookings/abc')).status, 404);

  const c = await alice.post(`/api/v1/bookings/${b.id}/confirm`);
  assert.equal(c.status, 200, c.text);
  assert.equal(c.json.status, 'confirmed');
  assert.equal(await state('2026-06-10', 'chuo', 'r503', 'afternoon'), 'booked');

  const mine = await alice.get('/api/v1/bookings?mine=1');
  assert.equal(mine.status, 200);
  assert.ok(mine.json.bookings.some((x) => x.id === b.id && x.status === 'confirmed'));
  const bobs = await bob.get('/api/v1/bookings?mine=1');
  assert.ok(!bobs.json.bookings.some((x) => x.id === b.id));
  const day = await staff.get('/api/v1/bookings?date=2026-06-10&center=chuo');
  assert.ok(day.json.bookings.some((x) => x.id === b.id));
});

test('errors: slot_taken, window, closed, capacity, validation', async () => {
  const first = await bob.post('/api/v1/bookings', await body('chuo', 'r507', '2026-06-11', ['evening']));
  assert.equal(first.status, 201, first.text);
  const taken = await carol.post('/api/v1/bookings', await body('chuo', 'r507', '2026-06-11', ['evening']));
  assert.equal(taken.status, 409);
  assert.equal(taken.json.error.code, 'slot_taken');

  const early = await carol.post('/api/v1/bookings', await body('chuo', 'r507', '2026-07-01', ['morning']));
  assert.equal(early.status, 422);
  assert.equal(early.json.error.code, 'outside_booking_window');
  assert.match(early.json.error.message, /2026年5月1日.*9:00/);

  const closed = await carol.post('/api/v1/bookings', await body('chuo', 'r507', '2026-06-01', ['morning']));
  assert.equal(closed.status, 422);
  assert.equal(closed.json.error.code, 'closed');

  const big = await carol.post('/api/v1/bookings', await body('chuo', 'r507', '2026-06-12', ['morning'], { attendees: 31 }));
  assert.equal(big.status, 422);
  assert.equal(big.json.error.code, 'capacity');

  const bad = await carol.post('/api/v1/bookings', { room_id: 'x', date: '2026-13-01', slots: [], attendees: -1 });
  assert.equal(bad.status, 422);
  assert.equal(bad.json.error.code, 'validation');
  for (const f of ['room_id', 'date', 'slots', 'purpose', 'attendees']) assert.ok(bad.json.error.fields[f], f);

  // "confirm" is true or false: "yes" was a silent hold, "1" a confirmation (route attack)
  for (const v of ['yes', '1', 1]) {
    const c = await carol.post('/api/v1/bookings', await body('chuo', 'r507', '2026-06-12', ['morning'], { confirm: v }));
    assert.equal(c.status, 422, `confirm ${JSON.stringify(v)}: ${c.text}`);
    assert.match(c.json.error.fields.confirm, /true か false/);
  }

  const gap = await carol.post('/api/v1/bookings', await body('chuo', 'r507', '2026-06-12', ['morning', 'evening']));
  assert.equal(gap.status, 422);
  assert.ok(gap.json.error.fields.slots);

  const notjson = await carol.req('POST', '/api/v1/bookings', 'x=1', { 'Content-Type': 'application/x-www-form-urlencoded' });
  assert.equal(notjson.status, 415);
});

test('Idempotency-Key: a double click books once', async () => {
  const b = await body('chuo', 'washitsu', '2026-06-12', ['morning']);
  const h = { 'Idempotency-Key': 'form-7f1c2a' };
  const [r1, r2] = await Promise.all([carol.post('/api/v1/bookings', b, h), carol.post('/api/v1/bookings', b, h)]);
  assert.equal(r1.status, 201, r1.text);
  assert.equal(r2.status, 201, r2.text);
  assert.equal(r1.json.id, r2.json.id);
  const r3 = await carol.post('/api/v1/bookings', b, h);
  assert.equal(r3.json.id, r1.json.id);
  assert.equal(r3.headers.get('idempotent-replayed'), 'true');
  const other = await carol.post('/api/v1/bookings', await body('chuo', 'washitsu', '2026-06-12', ['evening']), h);
  assert.equal(other.status, 409);
  assert.equal(other.json.error.code, 'conflict');
  const badKey = await carol.post('/api/v1/bookings', b, { 'Idempotency-Key': 'x'.repeat(200) });
  assert.equal(badKey.status, 400);
  await carol.post(`/api/v1/bookings/${r1.json.id}/cancel`);
});

test('cancel: holder free before the deadline, slot free at once; staff need a reason', async () => {
  const r = await bob.post('/api/v1/bookings', await body('kamikawabuchi', 'kaigi1', '2026-06-16', ['morning']));
  assert.equal(r.status, 201, r.text);
  assert.equal((await bob.post(`/api/v1/bookings/${r.json.id}/confirm`)).status, 200);
  assert.equal(r.json.cancellation.free_until, '2026-06-09');
  assert.equal((await carol.post(`/api/v1/bookings/${r.json.id}/cancel`)).status, 404);
  const c = await bob.post(`/api/v1/bookings/${r.json.id}/cancel`, { reason: '予定変更' });
  assert.equal(c.status, 200, c.text);
  assert.equal(c.json.status, 'cancelled');
  assert.equal(c.json.cancel_fee, 0);
  assert.equal(await state('2026-06-16', 'kamikawabuchi', 'kaigi1', 'morning'), 'free');
  assert.equal((await bob.post(`/api/v1/bookings/${r.json.id}/cancel`)).json.error.code, 'conflict');
  assert.equal((await bob.post(`/api/v1/bookings/${r.json.id}/confirm`)).status, 409);

  const s = await carol.post('/api/v1/bookings', await body('kamikawabuchi', 'kaigi1', '2026-06-16', ['morning']));
  assert.equal(s.status, 201, s.text);
  const noReason = await staff.post(`/api/v1/bookings/${s.json.id}/cancel`);
  assert.equal(noReason.status, 422);
  assert.ok(noReason.json.error.fields.reason);
  const ok = await staff.post(`/api/v1/bookings/${s.json.id}/cancel`, { reason: '設備点検' });
  assert.equal(ok.status, 200);
  assert.equal(ok.json.cancel_reason, '設備点検');
});

test('cookie sessions need the CSRF token to book', async () => {
  const c = await signIn(srv.base, ids.carol, PW, { cookie: true });
  const b = await body('chuo', 'av', '2026-06-12', ['morning']);
  const noCsrf = await client(srv.base, { cookie: c.cookie }).post('/api/v1/bookings', b);
  assert.equal(noCsrf.status, 403);
  const r = await c.post('/api/v1/bookings', b);
  assert.equal(r.status, 201, r.text);
  await c.post(`/api/v1/bookings/${r.json.id}/cancel`);
});

test('groups: approved group, caps across centres, representatives see it', async () => {
  const g = await alice.post('/api/v1/groups', { name: '前橋囲碁の会', name_kana: 'まえばしいごのかい', members: 10, resident_members: 8, activity: '囲碁', public_listing: true });
  assert.equal(g.status, 201, g.text);
  const pending = await alice.post('/api/v1/bookings', await body('chuo', 'kaigi', '2026-06-17', ['morning'], { group_id: g.json.id }));
  assert.equal(pending.status, 422);
  assert.ok(pending.json.error.fields.group_id);
  assert.equal((await staff.post(`/api/v1/groups/${g.json.id}/approve`)).status, 200);
  const stranger = await bob.post('/api/v1/bookings', await body('chuo', 'kaigi', '2026-06-17', ['morning'], { group_id: g.json.id }));
  assert.equal(stranger.status, 404, stranger.text);

  const a = await alice.post('/api/v1/bookings', await body('chuo', 'kaigi', '2026-06-17', ['morning', 'afternoon', 'evening'], { group_id: g.json.id }));
  assert.equal(a.status, 201, a.text);
  assert.equal(a.json.group_name, '前橋囲碁の会');
  assert.equal(a.json.group_id, g.json.id);
  // RULE: the group's monthly cap counts every centre (4 slots)
  const over = await alice.post('/api/v1/bookings', await body('haga', 'kaigi', '2026-06-18', ['morning', 'afternoon'], { group_id: g.json.id }));
  assert.equal(over.status, 422);
  assert.equal(over.json.error.code, 'limit_exceeded');
  const fits = await alice.post('/api/v1/bookings', await body('haga', 'kaigi', '2026-06-18', ['morning'], { group_id: g.json.id }));
  assert.equal(fits.status, 201, fits.text);
  // the public feed names a listed group, never a person
  const feed = await anon.get('/api/v1/availability?date=2026-06-17&center=chuo');
  assert.ok(feed.text.includes('前橋囲碁の会'));
  for (const id of [a.json.id, fits.json.id]) await alice.post(`/api/v1/bookings/${id}/cancel`);
});

test('permits: issued for confirmed bookings, verified, tamper-evident, cancelled says so', async () => {
  const r = await bob.post('/api/v1/bookings', await body('chuo', 'cooking', '2026-06-19', ['afternoon']));
  assert.equal(r.status, 201, r.text);
  const held = await bob.get(`/api/v1/bookings/${r.json.id}/permit`);
  assert.equal(held.status, 409);
  await bob.post(`/api/v1/bookings/${r.json.id}/confirm`);
  const p = await bob.get(`/api/v1/bookings/${r.json.id}/permit`);
  assert.equal(p.status, 200, p.text);
  const token = p.json.permit;
  assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.equal((await carol.get(`/api/v1/bookings/${r.json.id}/permit`)).status, 404);

  const v = await anon.post('/api/v1/permits/verify', { permit: token });
  assert.equal(v.status, 200);
  assert.equal(v.json.valid, true);
  assert.equal(v.json.status, 'confirmed');
  assert.equal(v.json.permit.bid, r.json.id);
  assert.equal(v.json.permit.center, 'chuo');
  assert.deepEqual(v.json.permit.slots, ['afternoon']);
  assert.equal(v.json.permit.holder, '利.b.');

  // one byte changed anywhere: not valid
  for (const i of [3, token.indexOf('.') + 5, token.length - 2]) {
    const bad = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
    const t = await anon.post('/api/v1/permits/verify', { permit: bad });
    assert.equal(t.json.valid, false, `byte ${i}`);
  }
  assert.equal((await anon.post('/api/v1/permits/verify', {})).status, 422);

  // offline: the published key verifies it with no help from the server
  const k = await anon.get('/api/v1/permits/key');
  assert.equal(k.json.alg, 'Ed25519');
  const { createPublicKey, verify } = await import('node:crypto');
  const key = createPublicKey({ key: k.json.jwk, format: 'jwk' });
  const [h, pl, s] = token.split('.');
  assert.ok(verify(null, Buffer.from(`${h}.${pl}`), key, Buffer.from(s, 'base64url')));
  assert.equal(Buffer.from(k.json.public_key, 'base64').length, 32);

  await bob.post(`/api/v1/bookings/${r.json.id}/cancel`);
  const after = await anon.post('/api/v1/permits/verify', { permit: token });
  assert.equal(after.json.valid, true);
  assert.equal(after.json.status, 'cancelled');
  assert.equal(after.json.usable, false);
});

test('50 clients at once for one slot: one 201, 49 slot_taken', async () => {
  // ten citizens, each on five connections at once (sign-ins are slow on
  // purpose: one session each)
  const clients = [];
  for (let i = 0; i < 10; i++) {
    const c = await signIn(srv.base, await addUser(srv.db, { name: `同時 ${i}`, password: PW }), PW);
    for (let j = 0; j < 5; j++) clients.push(c);
  }
  const b = await body('chuo', 'hall', '2026-06-24', ['evening'], { attendees: 50 });
  const res = await Promise.all(clients.map((c) => c.post('/api/v1/bookings', b)));
  const codes = res.map((r) => r.status).sort();
  assert.equal(codes.filter((s) => s === 201).length, 1, codes.join(','));
  assert.equal(codes.filter((s) => s === 409).length, 49, codes.join(','));
  for (const r of res) if (r.status === 409) assert.equal(r.json.error.code, 'slot_taken');
  assert.equal(await state('2026-06-24', 'chuo', 'hall', 'evening'), 'held');
});

test('the usage log records holds, confirmations, cancellations and permits, without names', async () => {
  const n = sql(srv.db, "SELECT count(*) FROM events WHERE action LIKE 'booking.%' OR action LIKE 'permit.%'");
  assert.ok(Number(n) > 0);
  for (const a of ['booking.hold', 'booking.confirm', 'booking.cancel', 'permit.issue'])
    assert.ok(Number(sql(srv.db, `SELECT count(*) FROM events WHERE action = '${a}'`)) > 0, a);
  const dump = sql(srv.db, 'SELECT * FROM events');
  assert.ok(!dump.includes('山田') && !dump.includes('利用者'));
});

// Last: it stops the server. A restart with a later clock on the same
// database: the hold has lapsed with no sweeper, its slot is free, the
// integrity check is ok.
test('restart later: a lapsed hold is free; integrity_check ok', async () => {
  const r = await carol.post('/api/v1/bookings', await body('chuo', 'r507', '2026-06-25', ['morning']));
  assert.equal(r.status, 201, r.text);
  await srv.stop({ keep: true });
  assert.equal(sql(srv.db, 'PRAGMA integrity_check'), 'ok');
  assert.equal(sql(srv.db, 'SELECT count(*) FROM (SELECT 1 FROM booking_slots WHERE active = 1 GROUP BY room_id, date, slot HAVING count(*) > 1)'), '0');
  const later = await start({ now: '2026-04-04T09:00:00+09:00', db: srv.db, dir: srv.dir });
  srv = later;
  anon = client(srv.base);
  assert.equal(await state('2026-06-25', 'chuo', 'r507', 'morning'), 'free');
  const c2 = await signIn(srv.base, ids.carol, PW);
  assert.equal((await c2.get(`/api/v1/bookings/${r.json.id}`)).json.status, 'lapsed');
  assert.equal((await c2.post(`/api/v1/bookings/${r.json.id}/confirm`)).status, 409);
  const b2 = await signIn(srv.base, ids.bob, PW);
  const again = await b2.post('/api/v1/bookings', await body('chuo', 'r507', '2026-06-25', ['morning']));
  assert.equal(again.status, 201, again.text);
});
