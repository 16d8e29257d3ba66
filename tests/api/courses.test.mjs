// Courses (講座), applications, the lottery and the waiting list (issue 16;
// docs/courses.md): the contract's routes, a lottery recomputed in Node from
// the published seed, first-come under 200 concurrent applicants, room
// reservations through the booking core, the iCalendar feed through ical.js.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import ICAL from 'ical.js';
import { start, client, addUser, signIn } from './harness.mjs';
import { fastCitizens, checkHash } from './fastsessions.mjs';

const NOW = '2026-04-01T09:00:00+09:00';
const PW = 'courses-test-pw-1';
let srv, anon, staff, staff2, analyst, citizen, rooms;
const ids = {};

function sql(db, q) {
  return execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim();
}
const sha256hex = (x) => createHash('sha256').update(x).digest('hex');

let clockNow = Date.parse(NOW) / 1000;
function citizens(n, tag) {
  return fastCitizens(srv.db, srv.base, n, tag, clockNow);
}

// Stop and start again on the same database with the clock at WHEN; the
// shared clients are signed in again.
async function restart(when) {
  await srv.stop({ keep: true });
  srv = await start({ now: when, db: srv.db, dir: srv.dir });
  clockNow = Date.parse(when) / 1000;
  // the citizens' sessions stay fresh across the jump of the clock
  sql(srv.db, `UPDATE sessions SET last_seen = ${clockNow}, expires_at = ${clockNow + 86400}`);
  anon = client(srv.base);
  staff = await signIn(srv.base, ids.staff, PW);
  staff2 = await signIn(srv.base, ids.staff2, PW);
  analyst = await signIn(srv.base, ids.analyst, PW);
  citizen = await signIn(srv.base, ids.citizen, PW);
}

async function roomId(center, code) {
  if (!rooms) {
    const r = await anon.get('/api/v1/centers');
    rooms = {};
    for (const c of r.json.centers) for (const ro of c.rooms) rooms[`${c.code}/${ro.code}`] = ro.id;
  }
  return rooms[`${center}/${code}`];
}

async function course(extra = {}, sessions) {
  return {
    center: 'chuo', title: '俳句入門', capacity: 12, apply_from: '2026-04-01', apply_until: '2026-04-10',
    allocation: 'lottery', category: '文化', lecturer_name: '前橋 一郎', target: '60歳以上',
    sessions: sessions || [{ date: '2026-05-13', slot: 'morning', room_id: await roomId('chuo', 'washitsu') }],
    ...extra,
  };
}

before(async () => {
  srv = await start({ now: NOW });
  anon = client(srv.base);
  for (const [k, role, center] of [['staff', 'staff', 'chuo'], ['staff2', 'staff', 'haga'],
    ['analyst', 'analyst'], ['citizen', 'citizen']])
    ids[k] = await addUser(srv.db, { role, name: `利用者 ${k}`, password: PW, center });
  staff = await signIn(srv.base, ids.staff, PW);
  staff2 = await signIn(srv.base, ids.staff2, PW);
  analyst = await signIn(srv.base, ids.analyst, PW);
  citizen = await signIn(srv.base, ids.citizen, PW);
  // the test's own sessions hash their tokens as the server does
  assert.ok(checkHash(srv.db, citizen.token));
});
after(async () => { await srv.stop(); });

test('who may create: staff 201 with a lottery and its commitment; citizen 403; anonymous 401; another centre 403', async () => {
  assert.equal((await anon.post('/api/v1/courses', await course())).status, 401);
  assert.equal((await citizen.post('/api/v1/courses', await course())).status, 403);
  assert.equal((await staff2.post('/api/v1/courses', await course({ title: '他館' }))).status, 403);
  const r = await staff.post('/api/v1/courses', await course({ title: '権限の確認', sessions: [{ date: '2026-05-14', slot: 'morning', room_id: await roomId('chuo', 'washitsu') }] }));
  assert.equal(r.status, 201, r.text);
  assert.ok(r.json.id > 0 && r.json.lottery_id > 0);
  const l = await anon.get(`/api/v1/lotteries/${r.json.lottery_id}`);
  assert.equal(l.status, 200);
  assert.match(l.json.commitment, /^[0-9a-f]{64}$/);
  assert.equal(l.json.seed, undefined);
  assert.deepEqual(l.json.ranking, []);
});

test('a course takes its room slots: the public feed says booked, a booking there is 409, a second course names the booking', async () => {
  const room = await roomId('chuo', 'kaigi');
  const r = await staff.post('/api/v1/courses', await course({ title: '部屋の確保', allocation: 'first_come' },
    [{ date: '2026-06-10', slot: 'afternoon', room_id: room }, { date: '2026-06-17', slot: 'afternoon', room_id: room }]));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.lottery_id, undefined);
  assert.equal(r.json.sessions.length, 2);
  const a = await anon.get('/api/v1/availability?date=2026-06-10&center=chuo');
  const slot = a.json.centers[0].rooms.find((x) => x.id === room).slots.find((s) => s.code === 'afternoon');
  assert.equal(slot.state, 'booked');
  const b = await citizen.post('/api/v1/bookings', { room_id: room, date: '2026-06-17', slots: ['afternoon'], purpose: '会議', attendees: 3 });
  assert.equal(b.status, 409);
  assert.equal(b.json.error.code, 'slot_taken');
  const before = sql(srv.db, 'SELECT count(*) FROM courses');
  const c = await staff.post('/api/v1/courses', await course({ title: '重なる講座' },
    [{ date: '2026-06-24', slot: 'afternoon', room_id: room }, { date: '2026-06-17', slot: 'afternoon', room_id: room }]));
  assert.equal(c.status, 409);
  assert.equal(c.json.error.code, 'slot_taken');
  const booking = sql(srv.db, `SELECT booking_id FROM course_sessions WHERE course_id = ${r.json.id} AND date = '2026-06-17'`);
  assert.ok(c.json.error.message.includes(`予約番号${booking}`), c.json.error.message);
  // nothing of the refused course stays: not the course, not its first session's booking
  assert.equal(sql(srv.db, 'SELECT count(*) FROM courses'), before);
  assert.equal(sql(srv.db, "SELECT count(*) FROM booking_slots WHERE date = '2026-06-24' AND active = 1"), '0');
});

test('validation: 422 with fields; a closed day is 422 closed', async () => {
  const r = await staff.post('/api/v1/courses', { center: 'chuo', title: '', capacity: 0, sessions: [], apply_from: 'x', apply_until: '2026-04-10', allocation: 'raffle' });
  assert.equal(r.status, 422);
  for (const f of ['title', 'capacity', 'allocation', 'apply_from']) assert.ok(r.json.error.fields[f], f);
  // a boolean is true or false, not "yes" (route attack)
  const cal = await staff.post('/api/v1/courses', await course({ title: '暦の会', calendar: 'yes' }));
  assert.equal(cal.status, 422, cal.text);
  assert.match(cal.json.error.fields.calendar, /true か false/);
  // 2026-05-04 is the first Monday of May: closed
  const c = await staff.post('/api/v1/courses', await course({}, [{ date: '2026-05-04', slot: 'morning', room_id: await roomId('chuo', 'av') }]));
  assert.equal(c.status, 422);
  assert.equal(c.json.error.code, 'closed');
  const before = sql(srv.db, 'SELECT count(*) FROM courses') + '/' + sql(srv.db, 'SELECT count(*) FROM bookings');
  // the same session twice: 422 at the sessions, naming no booking (none was stored)
  const twice = { date: '2026-06-09', slot: 'evening', room_id: await roomId('chuo', 'washitsu') };
  const dup = await staff.post('/api/v1/courses', await course({ title: '重複' }, [twice, { ...twice }]));
  assert.equal(dup.status, 422, dup.text);
  assert.match(dup.json.error.fields.sessions, /同じ部屋・日・時間帯の回が2つあります（2026-06-09）/);
  assert.doesNotMatch(dup.text, /予約番号/);
  // applications close before the course begins
  const late = await staff.post('/api/v1/courses', await course({ title: '遅い締切', apply_from: '2026-06-01', apply_until: '2026-06-30' },
    [{ date: '2026-05-21', slot: 'morning', room_id: await roomId('chuo', 'washitsu') }]));
  assert.equal(late.status, 422, late.text);
  assert.match(late.json.error.fields.apply_until, /最初の回（2026年5月21日（木））より前の日/);
  assert.equal(sql(srv.db, 'SELECT count(*) FROM courses') + '/' + sql(srv.db, 'SELECT count(*) FROM bookings'), before);
  // what is fixed at creation is refused in an edit, not dropped unsaid; the same value is fine
  const made = await staff.post('/api/v1/courses', await course({ title: '固定の項目' }, [{ date: '2026-05-20', slot: 'evening', room_id: await roomId('chuo', 'washitsu') }]));
  assert.equal(made.status, 201, made.text);
  const moved = await staff.req('PATCH', `/api/v1/courses/${made.json.id}`, { center: 'fujimi' });
  assert.equal(moved.status, 422, moved.text);
  assert.ok(moved.json.error.fields.center);
  const same = await staff.req('PATCH', `/api/v1/courses/${made.json.id}`, { center: 'chuo', title: '固定の項目（改）' });
  assert.equal(same.status, 200, same.text);
  assert.equal(same.json.title, '固定の項目（改）');
});

test('lottery: 40 applicants for 12 places give 12 accepted and 28 waitlisted, recomputed from the published seed', async () => {
  const r = await staff.post('/api/v1/courses', await course({ title: '抽選の講座' }, [{ date: '2026-05-20', slot: 'morning', room_id: await roomId('chuo', 'washitsu') }]));
  assert.equal(r.status, 201, r.text);
  const { id, lottery_id: lid } = r.json;
  const commitment = (await anon.get(`/api/v1/lotteries/${lid}`)).json.commitment;
  const people = citizens(40, '抽選');
  const apps = [];
  for (const p of people) {
    const a = await p.post(`/api/v1/courses/${id}/applications`, {});
    assert.equal(a.status, 201, a.text);
    assert.equal(a.json.status, 'applied');
    apps.push(a.json.id);
  }
  // one application per person per course
  const again = await people[0].post(`/api/v1/courses/${id}/applications`, {});
  assert.equal(again.status, 409);
  // the draw only after the deadline
  assert.equal((await staff.post(`/api/v1/courses/${id}/draw`)).status, 422);
  const listed = (await anon.get('/api/v1/courses')).json.courses.find((c) => c.id === id);
  assert.equal(listed.places_left, 12);
  assert.equal(listed.capacity, 12);

  await restart('2026-04-11T09:00:00+09:00');
  const s = staff;
  const d = await s.post(`/api/v1/courses/${id}/draw`);
  assert.equal(d.status, 200, d.text);
  assert.equal((await s.post(`/api/v1/courses/${id}/draw`)).status, 409);
  const l = (await anon.get(`/api/v1/lotteries/${lid}`)).json;
  assert.equal(l.commitment, commitment);
  assert.equal(sha256hex(Buffer.from(l.seed, 'hex')), l.commitment);
  const ranking = [...apps].sort((a, b) => {
    const ka = sha256hex(`${l.seed}:${a}`), kb = sha256hex(`${l.seed}:${b}`);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  assert.deepEqual(l.ranking, ranking);
  assert.equal(l.accepted.length, 12);
  assert.equal(l.waitlist.length, 28);
  assert.deepEqual(l.accepted, ranking.slice(0, 12));
  assert.deepEqual(l.waitlist, ranking.slice(12));
  const [mine, winner, next, second] = [people[0], people[apps.indexOf(l.accepted[0])],
    people[apps.indexOf(l.waitlist[0])], people[apps.indexOf(l.waitlist[1])]].map((p) => client(srv.base, { token: p.session.token }));
  const my = (await mine.get('/api/v1/course-applications')).json.applications.find((a) => a.course_id === id);
  assert.equal(my.status, l.accepted.includes(apps[0]) ? 'accepted' : 'waitlisted');
  const listed2 = (await anon.get('/api/v1/courses')).json.courses.find((c) => c.id === id);
  assert.equal(listed2.places_left, 0);

  // a place given back goes to the first on the waiting list, with a deadline
  const c = await winner.post(`/api/v1/course-applications/${l.accepted[0]}/cancel`);
  assert.equal(c.status, 200, c.text);
  assert.equal(c.json.status, 'cancelled');
  const n = next;
  const offer = (await n.get('/api/v1/course-applications')).json.applications.find((a) => a.course_id === id);
  assert.equal(offer.status, 'offered');
  assert.ok(offer.offer_expires_at);
  const s2 = second;
  assert.equal((await s2.post(`/api/v1/course-applications/${l.waitlist[1]}/accept`)).status, 409);
  const acc = await n.post(`/api/v1/course-applications/${l.waitlist[0]}/accept`);
  assert.equal(acc.status, 200, acc.text);
  assert.equal(acc.json.status, 'accepted');
  // another person's application does not exist for them
  assert.equal((await s2.post(`/api/v1/course-applications/${l.waitlist[0]}/cancel`)).status, 404);
  assert.equal(sql(srv.db, `SELECT sum(1 + companions) FROM course_applications WHERE course_id = ${id} AND status = 'accepted'`), '12');
});

test('the sweep draws a lottery whose deadline has passed', async () => {
  // made and applied to "now" (2026-04-11) with a period that ends today
  const r = await staff.post('/api/v1/courses', await course({ title: '自動の抽選', apply_from: '2026-04-11', apply_until: '2026-04-11' },
    [{ date: '2026-05-27', slot: 'evening', room_id: await roomId('chuo', 'washitsu') }]));
  assert.equal(r.status, 201, r.text);
  const [p] = citizens(1, '自動');
  assert.equal((await p.post(`/api/v1/courses/${r.json.id}/applications`)).json.status, 'applied');
  await restart('2026-04-12T00:00:01+09:00');
  const l = (await anon.get(`/api/v1/lotteries/${r.json.lottery_id}`)).json;
  assert.ok(l.seed);
  assert.equal(l.accepted.length, 1);
});

test('first come under 200 concurrent applicants: exactly the capacity accepted, the rest waitlisted', async () => {
  const r = await staff.post('/api/v1/courses', await course({ title: '先着の講座', allocation: 'first_come', capacity: 30, apply_from: '2026-04-12', apply_until: '2026-04-30' },
    [{ date: '2026-05-21', slot: 'afternoon', room_id: await roomId('chuo', 'hall') }]));
  assert.equal(r.status, 201, r.text);
  const people = citizens(200, '先着');
  const res = await Promise.all(people.map((p) => p.post(`/api/v1/courses/${r.json.id}/applications`, {})));
  for (const x of res) assert.equal(x.status, 201, x.text);
  const st = res.map((x) => x.json.status);
  assert.equal(st.filter((s) => s === 'accepted').length, 30);
  assert.equal(st.filter((s) => s === 'waitlisted').length, 170);
  assert.equal(sql(srv.db, `SELECT count(*) FROM course_applications WHERE course_id = ${r.json.id} AND status = 'accepted'`), '30');
  const listed = await anon.get(`/api/v1/courses/${r.json.id}`);
  assert.equal(listed.json.places_left, 0);
});

test('companions count against the capacity and the course\'s limit', async () => {
  const r = await staff.post('/api/v1/courses', await course({ title: '親子の講座', allocation: 'first_come', capacity: 3, max_companions: 2, apply_from: '2026-04-12', apply_until: '2026-04-30' },
    [{ date: '2026-05-22', slot: 'morning', room_id: await roomId('chuo', 'cooking') }]));
  const [a, b] = citizens(2, '親子');
  assert.equal((await a.post(`/api/v1/courses/${r.json.id}/applications`, { companions: 3 })).status, 422);
  assert.equal((await a.post(`/api/v1/courses/${r.json.id}/applications`, { companions: 2 })).json.status, 'accepted');
  assert.equal((await b.post(`/api/v1/courses/${r.json.id}/applications`, { companions: 0 })).json.status, 'waitlisted');
});

// Route attack: each message said something else than what was wrong.
test('each refusal says what is wrong: companions below 0, attendance above its bound, a date that does not exist', async () => {
  const r = await staff.post('/api/v1/courses', await course({ title: '言葉の講座', allocation: 'first_come', capacity: 5, max_companions: 2, apply_from: '2026-04-01', apply_until: '2026-04-30' },
    [{ date: '2026-05-27', slot: 'afternoon', room_id: await roomId('chuo', 'av') }]));
  assert.equal(r.status, 201, r.text);
  const [a] = citizens(1, '言葉');
  for (const n of [-1, 'x', 1.5]) {
    const neg = await a.post(`/api/v1/courses/${r.json.id}/applications`, { companions: n });
    assert.equal(neg.status, 422, neg.text);
    assert.match(neg.json.error.fields.companions, /0人以上/, `companions ${n}`);
  }
  const many = await a.post(`/api/v1/courses/${r.json.id}/applications`, { companions: 3 });
  assert.match(many.json.error.fields.companions, /2人まで/);
  const sid = r.json.sessions[0].id;
  const big = await staff.post(`/api/v1/courses/${r.json.id}/sessions/${sid}/attendance`, { attended: 100000 });
  assert.equal(big.status, 422, big.text);
  assert.match(big.json.error.fields.attended, /10000人以下/);
  const neg = await staff.post(`/api/v1/courses/${r.json.id}/sessions/${sid}/attendance`, { attended: -1 });
  assert.match(neg.json.error.fields.attended, /0以上/);
  const before = sql(srv.db, 'SELECT count(*) FROM courses');
  const feb30 = await staff.post(`/api/v1/courses/${r.json.id}/copy`, { apply_from: '2026-01-05', apply_until: '2026-01-20',
    sessions: [{ date: '2026-02-30', slot: 'evening', room_id: await roomId('chuo', 'av') }] });
  assert.equal(feb30.status, 422, feb30.text);
  assert.match(feb30.json.error.fields.sessions, /2026-02-30.*ありません/);
  const shape = await staff.post('/api/v1/courses', await course({ title: '形の講座' }, [{ date: '5月1日', slot: 'evening', room_id: await roomId('chuo', 'av') }]));
  assert.match(shape.json.error.fields.sessions, /YYYY-MM-DD/);
  const noSlot = await staff.post('/api/v1/courses', await course({ title: '形の講座' }, [{ date: '2026-06-03', room_id: await roomId('chuo', 'av') }]));
  assert.match(noSlot.json.error.fields.sessions, /時間帯/);
  assert.equal(sql(srv.db, 'SELECT count(*) FROM courses'), before, 'nothing stored');
});

test('staff search every centre, copy a past course, record attendance; the report counts it; shared contacts are shown', async () => {
  const src = await staff.post('/api/v1/courses', await course({ title: '郷土史講座', category: '歴史', lecturer_org: '前橋市文化財保護課', allocation: 'first_come', apply_from: '2026-04-12', apply_until: '2026-04-20' },
    [{ date: '2026-04-22', slot: 'evening', room_id: await roomId('chuo', 'av') }]));
  assert.equal(src.status, 201, src.text);
  const s = await staff.get('/api/v1/courses/search?category=%E6%AD%B4%E5%8F%B2&year=2026&lecturer=%E6%96%87%E5%8C%96%E8%B2%A1');
  assert.equal(s.status, 200);
  assert.deepEqual(s.json.courses.map((c) => c.id), [src.json.id]);
  assert.equal((await citizen.get('/api/v1/courses/search')).status, 403);
  assert.equal((await anon.get('/api/v1/courses/search')).status, 401);
  const copy = await staff.post(`/api/v1/courses/${src.json.id}/copy`, { apply_from: '2026-09-01', apply_until: '2026-09-10', sessions: [{ date: '2026-10-21', slot: 'evening', room_id: await roomId('chuo', 'av') }] });
  assert.equal(copy.status, 201, copy.text);
  assert.equal(copy.json.copied_from, src.json.id);
  assert.equal(copy.json.title, '郷土史講座');
  assert.equal(copy.json.lecturer_org, '前橋市文化財保護課');
  // two applicants with the same phone: staff see it
  const [a, b] = citizens(2, '同じ電話');
  sql(srv.db, `UPDATE accounts SET phone = '027-000-0000' WHERE id IN (${a.session.system_id}, ${b.session.system_id})`);
  const x = (await a.post(`/api/v1/courses/${src.json.id}/applications`)).json;
  const y = (await b.post(`/api/v1/courses/${src.json.id}/applications`)).json;
  const apps = await staff.get(`/api/v1/courses/${src.json.id}/applications`);
  assert.equal(apps.status, 200);
  assert.deepEqual(apps.json.applications.find((p) => p.id === x.id).same_contact, [y.id]);
  const sid = src.json.sessions[0].id;
  const at = await staff.post(`/api/v1/courses/${src.json.id}/sessions/${sid}/attendance`, { attended: 1 });
  assert.equal(at.status, 200, at.text);
  const rep = await analyst.get('/api/v1/courses/report?from=2026-04-01&to=2026-04-30');
  assert.equal(rep.status, 200, rep.text);
  const row = rep.json.rows.find((q) => q.center === 'chuo' && q.category === '歴史');
  assert.equal(row.courses, 1);
  assert.equal(row.applicants, 2);
  assert.equal(row.attended, 1);
  assert.equal(row.attendance_rate, 0.5);
  assert.equal(row.center_name, '中央公民館');
  // the same report as CSV (keys, or Japanese names with header=ja), by centre, and on /reports
  const csv = await analyst.get('/api/v1/courses/report?from=2026-04-01&to=2026-04-30&format=csv');
  assert.equal(csv.status, 200, csv.text);
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  assert.match(csv.headers.get('content-disposition'), /courses_2026-04-01_2026-04-30\.csv/);
  const lines = csv.text.replace(/^\uFEFF/, '').split('\r\n');
  assert.equal(lines[0], 'center,center_name,category,courses,sessions,applicants,accepted,attended,attendance_rate');
  assert.ok(lines.includes('chuo,中央公民館,歴史,1,1,2,2,1,0.5000'), lines.join('\n'));
  const ja = await analyst.get('/api/v1/courses/report?from=2026-04-01&to=2026-04-30&format=csv&header=ja');
  assert.match(ja.text, /^\uFEFF?公民館コード,公民館,分野,講座数,回数,申し込み,受講決定（人）,出席（延べ人）,出席率\r\n/);
  const other = await analyst.get('/api/v1/courses/report?from=2026-04-01&to=2026-04-30&center=higashi');
  assert.deepEqual(other.json.rows, []);
  assert.equal((await analyst.get('/api/v1/courses/report?from=2026-04-01&to=2026-04-30&center=nowhere')).status, 422);
  const page = await analyst.get('/reports?from=2026-04-01&to=2026-04-30', { Accept: 'text/html' });
  assert.equal(page.status, 200);
  assert.match(page.text, /<h2 id="co-h">講座の集計<\/h2>/);
  assert.match(page.text, /<tr><th scope="row">中央公民館<\/th><td>歴史<\/td><td>1<\/td><td>1<\/td><td>2<\/td><td>2<\/td><td>1<\/td><td>50\.0%<\/td><\/tr>/);
  assert.ok(page.text.includes('/api/v1/courses/report?from=2026-04-01&amp;to=2026-04-30&amp;format=csv&amp;header=ja'));
  assert.equal((await citizen.get('/api/v1/courses/report?from=2026-04-01&to=2026-04-30&format=csv')).status, 403);
  // edit: the title changes, the capacity cannot go below the places given
  const e = await staff.req('PATCH', `/api/v1/courses/${src.json.id}`, { title: '郷土史講座（改）' });
  assert.equal(e.status, 200, e.text);
  assert.equal(e.json.title, '郷土史講座（改）');
  assert.equal((await staff.req('PATCH', `/api/v1/courses/${src.json.id}`, { capacity: 1 })).status, 409);
});

test('the iCalendar feed of a centre: opt-in courses only, RFC 5545 as ical.js reads it', async () => {
  const r = await staff.post('/api/v1/courses', await course({ title: '暦の講座; 長い題名で、折り返しを確かめるための文字列をたくさん並べています。', calendar: true, description: '一行目\n二行目, 三行目', apply_from: '2026-04-12', apply_until: '2026-04-20' },
    [{ date: '2026-05-28', slot: 'morning', room_id: await roomId('chuo', 'r503') }]));
  assert.equal(r.status, 201, r.text);
  const res = await fetch(`${srv.base}/api/v1/centers/chuo/courses.ics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/calendar/);
  const text = await res.text();
  assert.ok(!/[^\r]\n/.test(text), 'every line ends with CRLF');
  for (const l of text.split('\r\n')) assert.ok(Buffer.byteLength(l) <= 75, `line over 75 octets: ${l}`);
  const cal = new ICAL.Component(ICAL.parse(text));
  const events = cal.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
  assert.equal(events.length, 1, 'only the course that opted in');
  const ev = events[0];
  assert.equal(ev.summary, '暦の講座; 長い題名で、折り返しを確かめるための文字列をたくさん並べています。');
  assert.ok(ev.description.startsWith('一行目\n二行目, 三行目'));
  assert.ok(ev.uid);
  assert.ok(cal.getFirstSubcomponent('vtimezone'));
  assert.equal(ev.startDate.toString(), '2026-05-28T09:00:00');
  assert.equal(cal.getFirstSubcomponent('vevent').getFirstProperty('dtstart').getParameter('tzid'), 'Asia/Tokyo');
  // with the feed's own VTIMEZONE, 09:00 in Tokyo is 00:00 UTC
  const tz = new ICAL.Timezone(cal.getFirstSubcomponent('vtimezone'));
  const start = ICAL.Time.fromDateTimeString('2026-05-28T09:00:00');
  start.zone = tz;
  assert.equal(start.toJSDate().toISOString(), '2026-05-28T00:00:00.000Z');
  assert.ok(cal.getFirstSubcomponent('vevent').getFirstPropertyValue('dtstamp'));
  assert.equal((await fetch(`${srv.base}/api/v1/centers/nowhere/courses.ics`)).status, 404);
});

test('the pages work without JavaScript: list, course, apply by form, マイページ, cancel by form', async () => {
  const r = await staff.post('/api/v1/courses', await course({ title: 'ページの講座 <b>', allocation: 'first_come', capacity: 1, max_companions: 1, apply_from: '2026-04-12', apply_until: '2026-04-30' },
    [{ date: '2026-05-29', slot: 'afternoon', room_id: await roomId('chuo', 'r507') }]));
  assert.equal(r.status, 201, r.text);
  const list = await anon.get('/courses', { Accept: 'text/html' });
  assert.equal(list.status, 200);
  assert.ok(list.text.includes('ページの講座 &lt;b&gt;'), 'escaped');
  assert.ok(list.text.includes(`/courses/${r.json.id}`));
  const page = await anon.get(`/courses/${r.json.id}`, { Accept: 'text/html' });
  assert.equal(page.status, 200);
  assert.ok(page.text.includes('ログインして申し込む'));
  const [p, q] = citizens(2, 'ページ');
  const mine = await p.get(`/courses/${r.json.id}`, { Accept: 'text/html' });
  assert.ok(mine.text.includes(`action="/courses/${r.json.id}/apply"`));
  const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
  const ap = await p.req('POST', `/courses/${r.json.id}/apply`, 'companions=0', form);
  assert.equal(ap.status, 303);
  assert.equal(ap.headers.get('location'), '/my/courses');
  const my = await p.get('/my/courses', { Accept: 'text/html' });
  assert.ok(my.text.includes('受講が決まりました'));
  assert.equal((await q.req('POST', `/courses/${r.json.id}/apply`, 'companions=0', form)).status, 303);
  const app = (await p.get('/api/v1/course-applications')).json.applications.find((a) => a.course_id === r.json.id);
  const cancel = await p.req('POST', `/my/courses/${app.id}/cancel`, '', form);
  assert.equal(cancel.status, 303);
  // the place went to the one waiting, who takes it by form
  const qa = (await q.get('/api/v1/course-applications')).json.applications.find((a) => a.course_id === r.json.id);
  assert.equal(qa.status, 'offered');
  assert.ok((await q.get('/my/courses', { Accept: 'text/html' })).text.includes('受講する'));
  assert.equal((await q.req('POST', `/my/courses/${qa.id}/accept`, '', form)).status, 303);
  assert.equal((await q.get('/api/v1/course-applications')).json.applications.find((a) => a.course_id === r.json.id).status, 'accepted');
});
