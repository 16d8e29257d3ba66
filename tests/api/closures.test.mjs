// The city's own closures (issue 14; docs/operations.md "Closing a centre or a
// room"): staff close a centre or one room for dates with a reason; those
// days are closed everywhere (feeds, pages, booking refused with the reason);
// the bookings already made are cancelled (no fee, refund) or flagged, and
// their holders see it on マイページ. Through the JSON API and the staff
// pages with plain form posts (no JavaScript).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, client, addUser, signIn } from './harness.mjs';

const NOW = '2026-04-08T10:00:00+09:00'; // a Wednesday, counter open
const PW = 'closures-password-123';
const DAY = '2026-05-20';                // a Wednesday; booking for May is open
let srv, staff, other, admin, citizen, citizenId, rooms;

before(async () => {
  srv = await start({ now: NOW });
  const [s, o, a, c] = await Promise.all([
    addUser(srv.db, { role: 'staff', name: '中央 職員', center: 'chuo', password: PW }),
    addUser(srv.db, { role: 'staff', name: 'ほか 職員', center: 'haga', password: PW }),
    addUser(srv.db, { role: 'admin', name: '管理 者', password: PW }),
    addUser(srv.db, { role: 'citizen', name: '前橋 花子', password: PW }),
  ]);
  citizenId = c;
  staff = await signIn(srv.base, s, PW);
  other = await signIn(srv.base, o, PW);
  admin = await signIn(srv.base, a, PW);
  citizen = await signIn(srv.base, c, PW, { cookie: true });
  rooms = {};
  const cs = await client(srv.base).get('/api/v1/centers');
  for (const ce of cs.json.centers) for (const r of ce.rooms) rooms[`${ce.code}/${r.code}`] = r.id;
});
after(async () => { await srv.stop(); });

const book = (roomKey, date, slots = ['morning']) => citizen.post('/api/v1/bookings',
  { room_id: rooms[roomKey], date, slots, purpose: '会議', attendees: 5 });

async function confirmedAndPaid(roomKey, date) {
  const b = await book(roomKey, date);
  assert.equal(b.status, 201, b.text);
  const c = await citizen.post(`/api/v1/bookings/${b.json.id}/confirm`);
  assert.equal(c.status, 200, c.text);
  const p = await staff.post(`/api/v1/bookings/${b.json.id}/payments`,
    { method: 'cash', amount: c.json.fee.total });
  assert.equal(p.status, 201, p.text);
  return c.json;
}

test('closing a centre cancels its bookings with a refund, closes the days everywhere, and tells the holder', async () => {
  const paid = await confirmedAndPaid('chuo/kaigi', DAY);
  const held = await book('chuo/washitsu', '2026-05-21', ['afternoon']);
  assert.equal(held.status, 201, held.text);
  const elsewhere = await book('chuo/kaigi', '2026-05-27');
  assert.equal(elsewhere.status, 201, elsewhere.text);

  const r = await staff.post('/api/v1/closures', { center: 'chuo', from: '2026-05-19', to: '2026-05-21',
    reason: '改修工事', bookings: 'cancel' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.center, 'chuo');
  assert.equal(r.json.reason, '改修工事');
  const byId = Object.fromEntries(r.json.affected.map((a) => [a.booking_id, a]));
  assert.equal(byId[paid.id].outcome, 'cancelled');
  assert.equal(byId[paid.id].refunded, paid.fee.total);
  assert.equal(byId[held.json.id].outcome, 'cancelled');
  assert.equal(byId[elsewhere.json.id], undefined, 'a booking outside the dates is untouched');

  const b = await citizen.get(`/api/v1/bookings/${paid.id}`);
  assert.equal(b.json.status, 'cancelled');
  assert.equal(b.json.cancel_fee ?? 0, 0);
  const money = await staff.get(`/api/v1/bookings/${paid.id}/payments`);
  assert.equal(money.json.paid, 0, 'what was paid went back');
  assert.equal((await citizen.get(`/api/v1/bookings/${elsewhere.json.id}`)).json.status, 'held');

  // closed everywhere: the feed, the booking, the pages
  const a = await client(srv.base).get(`/api/v1/availability?date=${DAY}&center=chuo`);
  assert.equal(a.json.centers[0].closed, true);
  assert.equal(a.json.centers[0].closed_reason, '改修工事');
  assert.ok(a.json.centers[0].rooms.every((ro) => ro.slots.every((s) => s.state === 'closed')));
  const refused = await book('chuo/kaigi', DAY, ['evening']);
  assert.equal(refused.status, 422, refused.text);
  assert.equal(refused.json.error.code, 'closed');
  assert.match(refused.json.error.message, /改修工事/);
  const page = await client(srv.base).get(`/rooms/${rooms['chuo/kaigi']}?month=2026-05`);
  assert.match(page.text, /休館日 \(改修工事\)/);

  // the holder is told on マイページ
  const n = await citizen.get('/api/v1/me/closures');
  assert.equal(n.status, 200, n.text);
  const notice = n.json.notices.find((x) => x.booking_id === paid.id);
  assert.equal(notice.outcome, 'cancelled');
  assert.equal(notice.reason, '改修工事');
  const my = await citizen.get('/my');
  assert.match(my.text, /休館のお知らせ/);
  assert.match(my.text, /改修工事/);

  // the public list; the trail names the clerk
  const list = await client(srv.base).get('/api/v1/closures?center=chuo');
  assert.ok(list.json.closures.some((c) => c.id === r.json.id && c.reason === '改修工事'));
  assert.equal(list.json.closures[0].cancelled, undefined, 'counts are for staff');
  const trail = await admin.get('/api/v1/audit?action=closure');
  assert.ok(trail.json.entries.some((e) => e.action === 'closure.create' && e.target !== undefined));

  // lifting opens the days again; the cancelled booking stays cancelled
  const lift = await staff.post(`/api/v1/closures/${r.json.id}/lift`);
  assert.equal(lift.status, 200, lift.text);
  assert.ok(lift.json.lifted_at);
  const again = await client(srv.base).get(`/api/v1/availability?date=${DAY}&center=chuo`);
  assert.equal(again.json.centers[0].closed, false);
  assert.equal((await citizen.get(`/api/v1/bookings/${paid.id}`)).json.status, 'cancelled');
  assert.equal((await staff.post(`/api/v1/closures/${r.json.id}/lift`)).status, 409);
});

test('closing one room and flagging: the booking stays, the holder is told, other rooms stay open', async () => {
  const day = '2026-06-10';
  const b = await book('chuo/hall', day);
  assert.equal(b.status, 201, b.text);
  const r = await admin.post('/api/v1/closures', { center: 'chuo', room_id: rooms['chuo/hall'], from: day,
    to: day, reason: '選挙の投票所', bookings: 'flag' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.room_id, rooms['chuo/hall']);
  assert.deepEqual(r.json.affected.map((a) => [a.booking_id, a.outcome]), [[b.json.id, 'flagged']]);
  assert.equal((await citizen.get(`/api/v1/bookings/${b.json.id}`)).json.status, 'held');
  const n = await citizen.get('/api/v1/me/closures');
  assert.ok(n.json.notices.some((x) => x.booking_id === b.json.id && x.outcome === 'flagged'));

  const a = await client(srv.base).get(`/api/v1/availability?date=${day}&center=chuo`);
  const hall = a.json.centers[0].rooms.find((ro) => ro.id === rooms['chuo/hall']);
  const kaigi = a.json.centers[0].rooms.find((ro) => ro.id === rooms['chuo/kaigi']);
  assert.equal(a.json.centers[0].closed, false);
  assert.equal(hall.slots.find((s) => s.code === 'evening').state, 'closed');
  assert.equal(kaigi.slots.find((s) => s.code === 'evening').state, 'free');
  const refused = await book('chuo/hall', day, ['evening']);
  assert.equal(refused.json.error.code, 'closed');
  assert.match(refused.json.error.message, /選挙の投票所/);
  assert.equal((await book('chuo/kaigi', day, ['evening'])).status, 201);
});

test('who may close, and what is checked', async () => {
  const ok = { center: 'chuo', from: '2026-07-01', to: '2026-07-02', reason: '設備点検' };
  assert.equal((await citizen.post('/api/v1/closures', ok)).status, 403);
  const o = await other.post('/api/v1/closures', ok);
  assert.equal(o.status, 403, 'staff close only their home centre');
  const bad = await staff.post('/api/v1/closures', { center: 'chuo', room_id: rooms['haga/kaigi'],
    from: '2026-04-01', to: '2026-03-01', reason: '', bookings: 'maybe' });
  assert.equal(bad.status, 422, bad.text);
  for (const f of ['room_id', 'from', 'reason', 'bookings']) assert.ok(bad.json.error.fields[f], f);
  const before = await client(srv.base).get('/api/v1/closures?center=chuo&lifted=1');
  assert.ok(!before.json.closures.some((c) => c.reason === '設備点検'), 'a refused closure stores nothing');
  assert.equal((await staff.get('/api/v1/closures/999999')).status, 404);
});

test('the staff page works with plain form posts (no JavaScript)', async () => {
  const set = await client(srv.base).post('/api/v1/session', { system_id: staff.session.system_id, password: PW });
  const web = client(srv.base, { cookie: (set.headers.get('set-cookie') || '').split(';')[0] });
  const page = await web.get('/admin/closures');
  assert.equal(page.status, 200);
  assert.match(page.text, /<h1>休館の設定<\/h1>/);
  assert.match(page.text, /name="reason"/);
  const menu = await web.get('/admin');
  assert.match(menu.text, /href="\/admin\/closures"/);
  const form = (o) => new URLSearchParams({ csrf_token: set.json.csrf_token, ...o }).toString();
  const hdr = { 'Content-Type': 'application/x-www-form-urlencoded' };
  const bad = await web.post('/admin/closures', form({ center: 'chuo', room_id: '', from: '2026-08-05',
    to: '2026-08-04', reason: '', bookings: 'cancel' }), hdr);
  assert.equal(bad.status, 422);
  assert.match(bad.text, /終わりの日は始めの日と同じか、あとにしてください/);
  const r = await web.post('/admin/closures', form({ center: 'chuo', room_id: '', from: '2026-08-05',
    to: '2026-08-06', reason: '空調の工事', bookings: 'cancel' }), hdr);
  assert.equal(r.status, 303, r.text);
  const loc = r.headers.get('location');
  assert.match(loc, /^\/admin\/closures\/\d+\?done=1$/);
  const detail = await web.get(loc);
  assert.match(detail.text, /空調の工事/);
  assert.match(detail.text, /休館にしました/);
  const lift = await web.post(loc.replace('?done=1', '/lift'), form({}), hdr);
  assert.equal(lift.status, 303);
  const after = await web.get(loc.replace('?done=1', ''));
  assert.match(after.text, /休館の取り消し/);
});
