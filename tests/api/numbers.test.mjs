// Numbers in a JSON body are JSON integers (core/input.c input_int): "12"
// for 12 is 422 validation at that field, saying to send a number, and
// nothing is stored; an HTML form post, where every value is text, still
// sends digits ("12", full-width "１２"). The same rule as for booleans
// (commit c44cf81).
//
// The server's clock is Wednesday 2026-04-08 10:00 (counter open).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { start, client, addUser, signIn, browserSession } from './harness.mjs';

const NOW = '2026-04-08T10:00:00+09:00';
const PW = 'numbers-test-password-1';
const AS_TEXT = /JSON の数値で送ってください/;
let srv, citizen, staff, web, rooms = {};

function sql(q) {
  const r = spawnSync('sqlite3', [srv.db, q], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

// POST BODY to PATH as WHO: 422 validation with FIELD's message saying to
// send a JSON number, and the table TABLE no longer than before.
async function refused(who, path, body, field, table) {
  const before = table ? sql(`SELECT count(*) FROM ${table}`) : null;
  const r = await who.post(path, body);
  assert.equal(r.status, 422, `${path} ${JSON.stringify(body)}: ${r.text}`);
  assert.equal(r.json.error.code, 'validation');
  assert.ok(r.json.error.fields?.[field], `${path}: no error at ${field}: ${r.text}`);
  assert.match(r.json.error.fields[field], AS_TEXT, `${path}: ${field}`);
  if (table) assert.equal(sql(`SELECT count(*) FROM ${table}`), before, `${path}: nothing stored`);
  return r;
}

before(async () => {
  srv = await start({ now: NOW });
  const ids = {
    citizen: await addUser(srv.db, { role: 'citizen', name: '数字 花子', password: PW }),
    staff: await addUser(srv.db, { role: 'staff', name: '窓口 数男', center: 'chuo', password: PW }),
  };
  for (const ce of (await client(srv.base).get('/api/v1/centers')).json.centers)
    for (const r of ce.rooms) rooms[`${ce.code}/${r.code}`] = r.id;
  citizen = await signIn(srv.base, ids.citizen, PW);
  staff = await signIn(srv.base, ids.staff, PW);
  web = await browserSession(srv.base, ids.citizen, PW);
});
after(async () => { await srv.stop(); });

const booking = (extra = {}) => ({ room_id: rooms['chuo/r503'], date: '2026-05-20', slots: ['morning'],
  purpose: '学習会', attendees: 3, ...extra });

test('bookings: room_id and attendees as text are 422 at their field; as numbers, 201', async () => {
  await refused(citizen, '/api/v1/bookings', booking({ attendees: '12' }), 'attendees', 'bookings');
  await refused(citizen, '/api/v1/bookings', booking({ room_id: String(rooms['chuo/r503']) }), 'room_id', 'bookings');
  const both = await refused(citizen, '/api/v1/bookings', booking({ room_id: String(rooms['chuo/r503']), attendees: '３' }),
    'room_id', 'bookings');
  assert.match(both.json.error.fields.attendees, AS_TEXT);
  // an empty string or a word is no number either, said in the field's own words
  for (const attendees of ['', 'たくさん']) {
    const r = await citizen.post('/api/v1/bookings', booking({ attendees }));
    assert.equal(r.status, 422, r.text);
    assert.match(r.json.error.fields.attendees, /1以上の数/);
  }
  // other wrong numbers keep their own message
  const neg = await citizen.post('/api/v1/bookings', booking({ attendees: 0 }));
  assert.equal(neg.status, 422);
  assert.match(neg.json.error.fields.attendees, /1以上/);
  const ok = await citizen.post('/api/v1/bookings', booking());
  assert.equal(ok.status, 201, ok.text);
});

test('the counter, groups, courses, closures: every number of a JSON body', async () => {
  await refused(staff, '/api/v1/counter/walkin', { room_id: rooms['chuo/kaigi'], slots: ['evening'], name: '当日 一郎',
    phone: '027-000-1111', attendees: '4' }, 'attendees', 'bookings');
  await refused(staff, '/api/v1/counter/walkin', { room_id: String(rooms['chuo/kaigi']), slots: ['evening'],
    name: '当日 一郎', phone: '027-000-1111' }, 'room_id', 'bookings');
  const group = { name: '数の会', name_kana: 'かずのかい', members: 10, resident_members: 8, activity: '算数' };
  await refused(citizen, '/api/v1/groups', { ...group, members: '10' }, 'members', 'groups');
  await refused(citizen, '/api/v1/groups', { ...group, resident_members: '8' }, 'resident_members', 'groups');
  const course = { center: 'chuo', title: '数の講座', capacity: 10, fee: 0, max_companions: 0,
    apply_from: '2026-04-08', apply_until: '2026-04-20', allocation: 'first_come',
    sessions: [{ date: '2026-05-27', slot: 'afternoon', room_id: rooms['chuo/av'] }] };
  await refused(staff, '/api/v1/courses', { ...course, capacity: '10' }, 'capacity', 'courses');
  await refused(staff, '/api/v1/courses', { ...course, fee: '500' }, 'fee', 'courses');
  await refused(staff, '/api/v1/courses', { ...course, max_companions: '1' }, 'max_companions', 'courses');
  await refused(staff, '/api/v1/courses', { ...course, sessions: [{ ...course.sessions[0], room_id: String(rooms['chuo/av']) }] },
    'sessions', 'courses');
  const made = await staff.post('/api/v1/courses', course);
  assert.equal(made.status, 201, made.text);
  await refused(citizen, `/api/v1/courses/${made.json.id}/applications`, { companions: '0' }, 'companions', 'course_applications');
  const sid = (await client(srv.base).get(`/api/v1/courses/${made.json.id}`)).json.sessions[0].id;
  await refused(staff, `/api/v1/courses/${made.json.id}/sessions/${sid}/attendance`, { attended: '12' }, 'attended');
  assert.equal(sql(`SELECT attendance IS NULL FROM course_sessions WHERE id = ${sid}`), '1');
  await refused(staff, '/api/v1/closures', { center: 'chuo', room_id: String(rooms['chuo/hall']), from: '2026-06-02',
    to: '2026-06-02', reason: '点検', bookings: 'flag' }, 'room_id', 'closures');
});

test('a payment\'s amount as text is 422 and nothing is paid; as a number it is taken', async () => {
  const b = await citizen.post('/api/v1/bookings', booking({ date: '2026-05-21' }));
  assert.equal(b.status, 201, b.text);
  const total = b.json.fee.total;
  await refused(staff, `/api/v1/bookings/${b.json.id}/payments`, { method: 'cash', amount: String(total) }, 'amount', 'payments');
  const paid = await staff.post(`/api/v1/bookings/${b.json.id}/payments`, { method: 'cash', amount: total });
  assert.equal(paid.status, 201, paid.text);
});

test('HTML forms still send numbers as digits (every value of a form is text)', async () => {
  const r = await web.postForm('/forms/booking', { room_id: String(rooms['chuo/r503']), date: '2026-05-22',
    slots: 'morning', purpose: '学習会', attendees: '１２' }, { Accept: 'application/json' });
  assert.equal(r.status, 201, r.text);
  assert.equal(sql(`SELECT attendees FROM bookings WHERE date = '2026-05-22'`), '12');
  const g = await web.postForm('/forms/group', { name: '数字の会', name_kana: 'すうじのかい', members: '6',
    resident_members: '5', activity: '計算', public_listing: '0' }, { Accept: 'application/json' });
  assert.equal(g.status, 201, g.text);
  // and a JSON body on the same route is held to JSON's numbers
  const j = await web.req('POST', '/forms/booking', JSON.stringify({ room_id: rooms['chuo/r503'], date: '2026-05-23',
    slots: ['morning'], purpose: '学習会', attendees: '12', csrf_token: web.csrf_token }),
  { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': web.csrf_token });
  assert.equal(j.status, 422, j.text);
  assert.match(j.json.error.fields.attendees, AS_TEXT);
});
