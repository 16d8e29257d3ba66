// The counter desk (issue 6, docs/counter.md) through HTTP: access, walk-ins,
// payments, counter hours, the daily ledger against the payments table, and
// the public feeds staying free of names after a walk-in.
//
// The server's clock is Wednesday 2026-04-08 10:00 (counter open 08:30-17:15);
// a second server runs at 17:16 the same day (counter closed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { start, client, addUser, signIn, wellFormed } from './harness.mjs';

const NOW = '2026-04-08T10:00:00+09:00';
const PW = 'counter-password-123';
let srv, anon, staff, admin, citizen, analyst, ids = {}, rooms = {};

function sql(db, q) {
  const r = spawnSync('sqlite3', [db, q], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

async function users(s) {
  const out = {};
  for (const [k, role] of [['staff', 'staff'], ['admin', 'admin'], ['citizen', 'citizen'], ['analyst', 'analyst']])
    out[k] = await addUser(s.db, { role, name: k === 'citizen' ? '山田 太郎' : `${role} テスト`, password: PW,
      center: role === 'staff' ? 'chuo' : undefined });
  return out;
}

before(async () => {
  srv = await start({ now: NOW });
  ids = await users(srv);
  anon = client(srv.base);
  staff = await signIn(srv.base, ids.staff, PW);
  admin = await signIn(srv.base, ids.admin, PW);
  citizen = await signIn(srv.base, ids.citizen, PW);
  analyst = await signIn(srv.base, ids.analyst, PW);
  const c = await anon.get('/api/v1/centers');
  for (const ce of c.json.centers) for (const r of ce.rooms) rooms[`${ce.code}/${r.code}`] = r.id;
});
after(async () => { await srv.stop(); });

const walkin = (who, room, slots, extra = {}) => who.post('/api/v1/counter/walkin',
  { room_id: rooms[room], slots, name: '前橋 一郎', phone: '027-111-2222', ...extra });

test('only staff and admins reach the counter: citizens and analysts 403, anonymous 401', async () => {
  const calls = [
    ['GET', '/api/v1/counter/today'], ['POST', '/api/v1/counter/walkin'],
    ['GET', '/api/v1/counter/ledger'], ['GET', '/api/v1/counter/ledger.csv'],
    ['POST', '/api/v1/bookings/1/checkin'], ['POST', '/api/v1/bookings/1/noshow'],
    ['POST', '/api/v1/bookings/1/payments'], ['GET', '/api/v1/bookings/1/payments'],
  ];
  for (const [m, p] of calls) {
    const body = m === 'POST' ? { method: 'cash', amount: 1 } : undefined;
    for (const c of [citizen, analyst]) {
      const r = await c.req(m, p, body);
      assert.equal(r.status, 403, `${m} ${p}: ${r.text}`);
      assert.equal(r.json.error.code, 'forbidden');
    }
    assert.equal((await anon.req(m, p, body)).status, 401, `${m} ${p}`);
  }
  // analysts cannot book for anyone either
  const r = await analyst.post('/api/v1/bookings', { on_behalf_of: ids.citizen, room_id: rooms['chuo/kaigi'],
    date: '2026-05-20', slots: ['morning'], purpose: '会議', attendees: 3 });
  assert.equal(r.status, 403);
  // staff and admins do
  assert.equal((await staff.get('/api/v1/counter/today')).status, 200);
  assert.equal((await admin.get('/api/v1/counter/today?center=chuo')).status, 200);
  // an admin without a home centre must say which
  assert.equal((await admin.get('/api/v1/counter/today')).status, 422);
  assert.equal((await staff.get('/api/v1/counter/today?center=nowhere')).status, 404);
});

test('walk-in: 201 confirmed and paid; the same slot again 409 slot_taken; names only for staff', async () => {
  const r = await walkin(staff, 'chuo/kaigi', ['afternoon'], { payment_method: 'cash', attendees: 4 });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.status, 'confirmed');
  assert.equal(r.json.channel, 'counter');
  assert.equal(r.json.fee.total, 640);
  assert.equal(r.json.paid, 640);
  assert.equal(r.json.outstanding, 0);
  assert.match(r.json.payments[0].receipt, /^R-20260408-chuo-\d{4}$/);
  assert.equal(r.headers.get('cache-control'), 'no-store');

  const again = await walkin(staff, 'chuo/kaigi', ['afternoon'], { payment_method: 'cash' });
  assert.equal(again.status, 409, again.text);
  assert.equal(again.json.error.code, 'slot_taken');
  // a slot that has started is no longer taken by walk-ins
  const started = await walkin(staff, 'chuo/kaigi', ['morning']);
  assert.equal(started.status, 422);
  assert.equal(started.json.error.code, 'outside_booking_window');
  // the contract's minimal body, validation per field
  const bad = await staff.post('/api/v1/counter/walkin', { room_id: rooms['chuo/kaigi'], slots: ['evening'] });
  assert.equal(bad.status, 422);
  assert.ok(bad.json.error.fields.name && bad.json.error.fields.phone);

  // the counter screen shows who and whether paid
  const t = await staff.get('/api/v1/counter/today?center=chuo');
  const kaigi = t.json.rooms.find((x) => x.code === 'kaigi');
  const cell = kaigi.slots.find((s) => s.code === 'afternoon');
  assert.equal(cell.state, 'booked');
  assert.equal(cell.booking.id, r.json.id);
  assert.equal(cell.booking.holder.name, '前橋 一郎');
  assert.equal(cell.booking.holder.phone, '027-111-2222');
  assert.equal(cell.booking.paid_in_full, true);
  assert.equal(cell.booking.checked_in, false);

  // the public feeds show the state and never the name or the phone
  for (const p of ['/api/v1/today?center=chuo', '/api/v1/today.csv', '/api/v1/availability?date=2026-04-08',
    '/signage/chuo', '/opendata/availability.csv?from=2026-04-08&to=2026-04-08']) {
    const f = await anon.get(p);
    assert.equal(f.status, 200, `${p}: ${f.text.slice(0, 200)}`);
    assert.ok(!f.text.includes('前橋 一郎') && !f.text.includes('027-111-2222'), p);
  }
  const feed = await anon.get('/api/v1/today?center=chuo');
  const fk = feed.json.centers[0].rooms.find((x) => x.code === 'kaigi');
  assert.equal(fk.slots.find((s) => s.code === 'afternoon').state, 'booked');
  // nor does the usage log
  assert.equal(sql(srv.db, "SELECT count(*) FROM events WHERE coalesce(detail,'') || coalesce(subject,'')"
    + " LIKE '%前橋%' OR coalesce(detail,'') LIKE '%027-111%'"), '0');
  assert.equal(sql(srv.db, "SELECT count(*) FROM events WHERE action = 'counter.walkin' AND channel = 'counter'"), '1');
});

test('payment: the amount must be what is outstanding (422 says it); a receipt; check-in', async () => {
  const w = await walkin(staff, 'chuo/washitsu', ['evening']); // unpaid
  assert.equal(w.status, 201, w.text);
  assert.equal(w.json.outstanding, 540);
  const wrong = await staff.post(`/api/v1/bookings/${w.json.id}/payments`, { method: 'cash', amount: 500 });
  assert.equal(wrong.status, 422);
  assert.equal(wrong.json.error.code, 'validation');
  assert.match(wrong.json.error.message, /540円/);
  assert.ok(wrong.json.error.fields.amount);
  const badMethod = await staff.post(`/api/v1/bookings/${w.json.id}/payments`, { method: 'gold', amount: 540 });
  assert.equal(badMethod.status, 422);
  assert.ok(badMethod.json.error.fields.method);
  const ok = await staff.post(`/api/v1/bookings/${w.json.id}/payments`, { method: 'qr', amount: 540 });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.json.payment.method, 'qr');
  assert.equal(ok.json.outstanding, 0);
  assert.match(ok.json.payment.receipt, /^R-20260408-chuo-\d{4}$/);
  const twice = await staff.post(`/api/v1/bookings/${w.json.id}/payments`, { method: 'qr', amount: 540 });
  assert.equal(twice.status, 409);
  assert.equal((await staff.post('/api/v1/bookings/99999/payments', { method: 'qr', amount: 1 })).status, 404);
  const list = await staff.get(`/api/v1/bookings/${w.json.id}/payments`);
  assert.equal(list.json.paid, 540);
  assert.equal(list.json.payments.length, 1);

  const ci = await staff.post(`/api/v1/bookings/${w.json.id}/checkin`);
  assert.equal(ci.status, 200, ci.text);
  assert.equal(ci.json.status, 'checked_in');
  // a no-show before the slot's start plus the grace: 422 with the time
  const later = await walkin(staff, 'chuo/av', ['afternoon']);
  const ns = await staff.post(`/api/v1/bookings/${later.json.id}/noshow`);
  assert.equal(ns.status, 422);
  assert.equal(ns.json.error.code, 'too_early');
  assert.match(ns.json.error.message, /13:30/);
});

test('acting for a citizen: book, confirm, pay, cancel with a reason -> refund', async () => {
  const b = await staff.post('/api/v1/bookings', { on_behalf_of: ids.citizen, room_id: rooms['chuo/hall'],
    date: '2026-04-08', slots: ['evening'], purpose: '発表会', attendees: 50 });
  assert.equal(b.status, 201, b.text);
  assert.equal(b.json.status, 'held');
  assert.equal(b.json.channel, 'counter');
  // the citizen sees it as theirs
  assert.equal((await citizen.get(`/api/v1/bookings/${b.json.id}`)).status, 200);
  const c = await staff.post(`/api/v1/bookings/${b.json.id}/confirm`);
  assert.equal(c.status, 200, c.text);
  const p = await staff.post(`/api/v1/bookings/${b.json.id}/payments`, { method: 'card', amount: 2100 });
  assert.equal(p.status, 201, p.text);
  // a breakdown is the city's reason: no fee, all of it back (the holder's request: staff_cancel.test.mjs)
  const x = await staff.post(`/api/v1/bookings/${b.json.id}/cancel`, { reason: '舞台設備の故障', on_behalf: 'city' });
  assert.equal(x.status, 200, x.text);
  assert.equal(x.json.status, 'cancelled');
  assert.equal(x.json.paid, 0);
  const refund = x.json.payments.find((r) => r.kind === 'refund');
  assert.equal(refund.amount, -2100);
  assert.equal(refund.method, 'card');
  // an unknown citizen
  const u = await staff.post('/api/v1/bookings', { on_behalf_of: wellFormed(34567890), room_id: rooms['chuo/hall'],
    date: '2026-05-20', slots: ['morning'], purpose: '会議', attendees: 5 });
  assert.equal(u.status, 422);
  assert.ok(u.json.error.fields.on_behalf_of);
  // without on_behalf_of staff do not book for themselves
  const own = await staff.post('/api/v1/bookings', { room_id: rooms['chuo/hall'], date: '2026-05-20',
    slots: ['morning'], purpose: '会議', attendees: 5 });
  assert.equal(own.status, 403);
});

test('the daily ledger: totals equal the payments table; JSON and CSV', async () => {
  const l = await staff.get('/api/v1/counter/ledger?center=chuo&date=2026-04-08');
  assert.equal(l.status, 200, l.text);
  const table = Number(sql(srv.db, "SELECT coalesce(sum(amount), 0) FROM payments WHERE center = 'chuo'"
    + " AND ledger_date = '2026-04-08'"));
  assert.ok(table > 0);
  assert.equal(l.json.totals.net.total, table);
  for (const m of ['cash', 'qr', 'card', 'ic']) {
    const byMethod = Number(sql(srv.db, `SELECT coalesce(sum(amount), 0) FROM payments WHERE center = 'chuo'`
      + ` AND ledger_date = '2026-04-08' AND method = '${m}'`));
    assert.equal(l.json.totals.net[m], byMethod, m);
  }
  assert.equal(l.json.totals.refunds.total, -2100);
  const sum = l.json.entries.reduce((s, e) => s + (e.amount || 0), 0);
  assert.equal(sum, table);
  const kinds = new Set(l.json.entries.map((e) => e.kind));
  for (const k of ['walkin', 'booking', 'checkin', 'cancellation', 'payment', 'refund']) assert.ok(kinds.has(k), k);
  assert.ok(!l.text.includes('027-111-2222'), 'no phone numbers in the ledger');

  const csv = await staff.get('/api/v1/counter/ledger?center=chuo&date=2026-04-08', { Accept: 'text/csv' });
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  // fetch's text() drops the BOM: look at the bytes
  const raw = Buffer.from(await (await fetch(`${srv.base}/api/v1/counter/ledger.csv?date=2026-04-08`,
    { headers: { Authorization: `Bearer ${staff.token}` } })).arrayBuffer());
  assert.deepEqual([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  assert.ok(csv.text.replace(/^\uFEFF/, '').startsWith('日付,公民館,時刻,種別'), csv.text.slice(0, 40));
  assert.ok(csv.text.includes('\r\n'));
  assert.ok(csv.text.includes(`差引合計,,,,,,,計,${table},`));
  const csv2 = await staff.get('/api/v1/counter/ledger.csv?center=chuo&date=2026-04-08');
  assert.equal(csv2.text, csv.text);
  assert.equal((await staff.get('/api/v1/counter/ledger?date=2026-02-30')).status, 422);
  // another day is empty
  const other = await staff.get('/api/v1/counter/ledger?date=2026-04-07');
  assert.equal(other.json.totals.net.total, 0);
  assert.equal(other.json.entries.length, 0);
});

// The city's page: 「第1・第3月曜日の窓口業務は行っております」. The rooms are closed on those
// Mondays, the counter works; at the year end both are closed.
test('counter on the 1st Monday: the rooms are closed, the counter takes a 代理の予約 for another day; no walk-ins', async () => {
  const monday = await start({ now: '2026-04-06T10:00:00+09:00' });
  try {
    const u = await users(monday);
    const s = await signIn(monday.base, u.staff, PW);
    const centers = (await client(monday.base).get('/api/v1/centers')).json.centers;
    const room = centers.find((x) => x.code === 'chuo').rooms.find((x) => x.code === 'washitsu').id;
    assert.equal((await s.get('/api/v1/counter/today')).json.counter.open, true, 'the counter works');
    const on = await s.post('/api/v1/bookings', { on_behalf_of: u.citizen, room_id: room, date: '2026-04-08',
      slots: ['evening'], purpose: '会議', attendees: 3 });
    assert.equal(on.status, 201, on.text);
    const today = await s.post('/api/v1/bookings', { on_behalf_of: u.citizen, room_id: room, date: '2026-04-06',
      slots: ['evening'], purpose: '会議', attendees: 3 });
    assert.equal(today.status, 422);
    assert.equal(today.json.error.code, 'closed', 'the rooms are closed');
    const w = await s.post('/api/v1/counter/walkin', { room_id: room, slots: ['evening'], name: 'A', phone: '0271112222' });
    assert.equal(w.status, 422);
    assert.equal(w.json.error.code, 'closed', 'refused for the room, not the counter');
    assert.match(w.json.error.message, /休館日です（第1・第3月曜日）/);
  } finally {
    await monday.stop();
  }
  const yearEnd = await start({ now: '2026-12-29T10:00:00+09:00' });
  try {
    const u = await users(yearEnd);
    const s = await signIn(yearEnd.base, u.staff, PW);
    assert.equal((await s.get('/api/v1/counter/today')).json.counter.open, false, 'year end: the counter too');
  } finally {
    await yearEnd.stop();
  }
});

test('counter hours: counter actions after 17:15 are refused with the hours; online booking is not', async () => {
  const late = await start({ now: '2026-04-08T17:16:00+09:00' });
  try {
    const u = await users(late);
    const s = await signIn(late.base, u.staff, PW);
    const c = await signIn(late.base, u.citizen, PW);
    const centers = (await client(late.base).get('/api/v1/centers')).json.centers;
    const room = centers.find((x) => x.code === 'chuo').rooms.find((x) => x.code === 'washitsu').id;
    const w = await s.post('/api/v1/counter/walkin', { room_id: room, slots: ['evening'], name: 'A', phone: '0271112222' });
    assert.equal(w.status, 422);
    assert.equal(w.json.error.code, 'outside_counter_hours');
    assert.match(w.json.error.message, / 8:30 から 17:15 まで（祝日・休館日を除く。第1・第3月曜日は休館日でも受け付けます）/);
    assert.match(w.json.error.message, /17:15/);
    const on = await s.post('/api/v1/bookings', { on_behalf_of: u.citizen, room_id: room, date: '2026-04-08',
      slots: ['evening'], purpose: '会議', attendees: 3 });
    assert.equal(on.json.error.code, 'outside_counter_hours');
    // the citizen books online at the same minute
    const b = await c.post('/api/v1/bookings', { room_id: room, date: '2026-04-08', slots: ['evening'],
      purpose: '会議', attendees: 3 });
    assert.equal(b.status, 201, b.text);
    for (const p of [`/api/v1/bookings/${b.json.id}/payments`, `/api/v1/bookings/${b.json.id}/checkin`,
      `/api/v1/bookings/${b.json.id}/noshow`, `/api/v1/bookings/${b.json.id}/confirm`]) {
      const r = await s.post(p, p.endsWith('payments') ? { method: 'cash', amount: 540 } : undefined);
      assert.equal(r.status, 422, `${p}: ${r.text}`);
      assert.equal(r.json.error.code, 'outside_counter_hours', p);
    }
    // reading is fine at any time
    assert.equal((await s.get('/api/v1/counter/today')).json.counter.open, false);
    assert.equal((await s.get('/api/v1/counter/ledger')).status, 200);
  } finally {
    await late.stop();
  }
});
