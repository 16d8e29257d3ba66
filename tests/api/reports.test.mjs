// The usage log and the reports over HTTP (docs/reports.md): figures after
// real bookings, JSON and CSV, JSON Lines streamed, validation, who may read
// them, the analysts' page, and the privacy scan: no name, phone or email of
// this test's users in any output.
//
// The clock: Wednesday 2026-04-08 10:00 JST, then (a restart on the same
// database) Friday 2026-04-10 12:00, after a hold has lapsed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, client, addUser, signIn } from './harness.mjs';

const NOW = '2026-04-08T10:00:00+09:00';
const LATER = '2026-04-10T12:00:00+09:00';
const PW = 'reports-test-pw-1';
const dir = mkdtempSync(join(tmpdir(), 'kominkan-reports-'));
const db = join(dir, 'k.db');
let srv, anon, analyst, admin, staff, hanako, taro, ids = {}, groupId, noShowId, rooms = {};

// The test's people: everything here must stay out of every output.
const PEOPLE = [
  { key: 'hanako', name: '報告 花子', name_kana: 'ほうこく はなこ', email: 'hanako.report@example.jp', phone: '027-555-0101' },
  { key: 'taro', name: '集計 太郎', name_kana: 'しゅうけい たろう', email: 'taro.report@example.jp', phone: '090-5555-0102' },
];
const STAFF_NAME = '窓口 報告係', ANALYST_NAME = '分析 担当者', ADMIN_NAME = '管理 担当者';
const WALKIN = { name: '飛込 五郎', phone: '080-5555-0199' };   // a walk-in: no account at all
const GROUP_NAME = '報告短歌の会';
const outputs = [];   // every body read from an events/report endpoint or the page

function keep(label, r) { outputs.push({ label, text: r.text }); return r; }

async function signInAll(base) {
  anon = client(base);
  analyst = await signIn(base, ids.analyst, PW);
  admin = await signIn(base, ids.admin, PW);
  staff = await signIn(base, ids.staff, PW);
  hanako = await signIn(base, ids.hanako, PW);
  taro = await signIn(base, ids.taro, PW);
}

before(async () => {
  srv = await start({ now: NOW, dir, db });
  ids.analyst = await addUser(db, { role: 'analyst', name: ANALYST_NAME, password: PW });
  ids.admin = await addUser(db, { role: 'admin', name: ADMIN_NAME, password: PW });
  ids.staff = await addUser(db, { role: 'staff', name: STAFF_NAME, center: 'chuo', password: PW });
  for (const p of PEOPLE) {
    const r = await client(srv.base).post('/api/v1/accounts', { name: p.name, name_kana: p.name_kana,
      email: p.email, phone: p.phone, password: PW, resident: true });
    assert.equal(r.status, 201, r.text);
    ids[p.key] = r.json.system_id;
  }
  await signInAll(srv.base);
  for (const c of (await anon.get('/api/v1/centers')).json.centers)
    for (const ro of c.rooms) rooms[`${c.code}/${ro.code}`] = ro.id;

  // a group, approved; its booking in May (2 slots), confirmed
  const g = await hanako.post('/api/v1/groups', { name: GROUP_NAME, name_kana: 'ほうこくたんかのかい',
    members: 5, resident_members: 4, activity: '短歌', public_listing: true });
  assert.equal(g.status, 201, g.text);
  groupId = g.json.id;
  assert.equal((await staff.post(`/api/v1/groups/${groupId}/approve`)).status, 200);
  // an exemption (減免, 5割減額), approved by the admin before the group books
  const ap = await hanako.post('/api/v1/discounts', { group_id: groupId, category: 'social_education',
    reason: '公開の短歌講座を開きます。' });
  assert.equal(ap.status, 201, ap.text);
  const dc = await admin.post(`/api/v1/discounts/${ap.json.id}/decide`, { decision: 'approved', reason: '基準に合っています。' });
  assert.equal(dc.status, 200, dc.text);
  const b1 = await hanako.post('/api/v1/bookings', { room_id: rooms['chuo/washitsu'], date: '2026-05-12',
    slots: ['morning', 'afternoon'], purpose: '例会', attendees: 10, group_id: groupId });
  assert.equal(b1.status, 201, b1.text);
  assert.deepEqual([b1.json.fee.base, b1.json.fee.discount, b1.json.fee.total], [530, 265, 265]);
  assert.equal((await hanako.post(`/api/v1/bookings/${b1.json.id}/confirm`)).status, 200);
  // paid at the counter (Wednesday 10:00: the counter is open)
  const pay = await staff.post(`/api/v1/bookings/${b1.json.id}/payments`, { method: 'cash', amount: 265 });
  assert.equal(pay.status, 201, pay.text);
  // a walk-in this afternoon in chuo's 会議室 (meeting_l: 640 yen), paid by QR, checked in
  const wk = await staff.post('/api/v1/counter/walkin', { room_id: rooms['chuo/kaigi'], slots: ['afternoon'],
    name: WALKIN.name, phone: WALKIN.phone, attendees: 4, payment_method: 'qr' });
  assert.equal(wk.status, 201, wk.text);
  assert.equal((await staff.post(`/api/v1/bookings/${wk.json.id}/checkin`)).status, 200);
  // taro's booking for Friday morning, confirmed; nobody comes (marked after the restart below)
  const b4 = await taro.post('/api/v1/bookings', { room_id: rooms['chuo/av'], date: '2026-04-10',
    slots: ['morning'], purpose: '上映会', attendees: 6 });
  assert.equal(b4.status, 201, b4.text);
  assert.equal((await taro.post(`/api/v1/bookings/${b4.json.id}/confirm`)).status, 200);
  noShowId = b4.json.id;
  // taro: a hold for tomorrow evening, left to lapse; a hold at haga, cancelled
  const b2 = await taro.post('/api/v1/bookings', { room_id: rooms['chuo/r503'], date: '2026-04-09',
    slots: ['evening'], purpose: '勉強会', attendees: 3 });
  assert.equal(b2.status, 201, b2.text);
  const b3 = await taro.post('/api/v1/bookings', { room_id: rooms['haga/kaigi'], date: '2026-04-10',
    slots: ['morning'], purpose: '打ち合わせ', attendees: 2 });
  assert.equal(b3.status, 201, b3.text);
  assert.equal((await taro.post(`/api/v1/bookings/${b3.json.id}/cancel`)).status, 200);
});

after(async () => {
  if (srv) await srv.stop();
  rmSync(dir, { recursive: true, force: true });
});

const USAGE = '/api/v1/reports/usage?from=2026-04-01&to=2026-05-31';

test('usage by centre: the figures of the bookings above', async () => {
  const r = keep('usage center', await analyst.get(`${USAGE}&by=center&center=chuo`));
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.equal(r.json.rows.length, 1);
  const c = r.json.rows[0];
  assert.equal(c.key, 'chuo');
  // April: 30 days - 2 closed Mondays (6, 20) = 28; May: 31 - 2 (4, 18) = 29;
  // 57 days x 7 rooms x 3 slots = 1197
  assert.equal(c.slots_available, 1197);
  // the group's morning + afternoon, the walk-in's afternoon, taro's Friday morning
  assert.equal(c.slots_booked, 4);
  assert.equal(c.occupancy, 0.0033);        // 4 / 1197 = 0.00334
  assert.equal(c.bookings, 3);
  assert.equal(c.uses, 3);
  assert.equal(c.attendees, 20);            // 10 + 4 + 6
  assert.equal(c.walk_ins, 1);
  assert.equal(c.slots_held, 1);            // taro's hold for tomorrow
  // washitsu 210 + 320 = 530, less the 5割 exemption: 530 - floor(530 x 50 / 100) = 265;
  // the walk-in 640; taro's 視聴覚室 morning 320 (not paid)
  assert.equal(c.fees_charged, 265 + 640 + 320);
  assert.equal(c.revenue, 265 + 640);       // paid at the counter: cash 265, QR 640
  assert.equal(c.exempted_amount, 265);
  assert.equal(c.slots_exempted, 2);
  assert.equal(c.slots_exempted_full, 0);
  assert.equal(c.distinct_groups, 1);
  assert.equal(c.cancellations, 0);
  assert.ok(Array.isArray(r.json.provisional));

  const all = keep('usage all', await analyst.get(`${USAGE}&by=center`));
  assert.equal(all.json.rows.length, 16);
  assert.equal(all.json.rows.find((x) => x.key === 'haga').cancellations, 1);
  assert.equal(all.json.total.slots_booked, 4);
  assert.equal(all.json.center, null);
  assert.deepEqual(all.json.provisional, []);
});

test('every by: rows in order, and the same figures as CSV (Accept or format=csv)', async () => {
  for (const by of ['center', 'room', 'slot', 'weekday', 'month', 'kind', 'weekday_slot', 'center_month',
    'channel', 'registration']) {
    const j = keep(`usage ${by}`, await admin.get(`${USAGE}&by=${by}`));
    assert.equal(j.status, 200, `${by}: ${j.text}`);
    assert.equal(j.json.by, by);
    const booked = j.json.rows.reduce((n, x) => n + x.slots_booked, 0);
    assert.equal(booked, 4, by);
    const c = keep(`usage ${by} csv`, await admin.get(`${USAGE}&by=${by}`, { Accept: 'text/csv' }));
    assert.equal(c.status, 200);
    assert.match(c.headers.get('content-type'), /^text\/csv; charset=utf-8/);
    // (fetch's text() drops the byte order mark; the bytes are checked below)
    assert.ok(c.text.startsWith('key,label,slots_available,slots_booked,occupancy,'), c.text.slice(0, 80));
    const lines = c.text.trimEnd().split('\r\n');
    assert.equal(lines.length, j.json.rows.length + 2, by);   // header + rows + total
    assert.ok(lines.at(-1).startsWith('total,合計,'));
  }
  const slot = (await analyst.get(`${USAGE}&by=slot&center=chuo`)).json.rows.map((x) => x.key);
  assert.deepEqual(slot, ['morning', 'afternoon', 'evening']);
  const month = (await analyst.get(`${USAGE}&by=month`)).json.rows.map((x) => x.key);
  assert.deepEqual(month, ['2026-04', '2026-05']);
  const f = await analyst.get(`${USAGE}&by=center&format=csv`);
  assert.match(f.headers.get('content-disposition'), /attachment; filename="usage_center_2026-04-01_2026-05-31.csv"/);
  // UTF-8 with a byte order mark, for Excel
  for (const p of [`${USAGE}&by=center&format=csv`, '/api/v1/reports/monthly?month=2026-04&format=csv',
    '/api/v1/events?from=2026-04-01&to=2026-04-30&format=csv']) {
    const res = await fetch(srv.base + p, { headers: { Authorization: `Bearer ${analyst.token}` } });
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], p);
  }
});

test('bad queries: 422 with a message per field, nothing else', async () => {
  const cases = [
    ['/api/v1/reports/usage?from=2026-04-01&to=2026-04-30', ['by']],
    ['/api/v1/reports/usage?from=2026-04-01&to=2026-04-30&by=year', ['by']],
    ['/api/v1/reports/usage?from=2026-02-30&to=2026-04-30&by=center', ['from']],
    ['/api/v1/reports/usage?to=2026-04-30&by=center', ['from']],
    ['/api/v1/reports/usage?from=2026-04-30&to=2026-04-01&by=center', ['to']],
    ['/api/v1/reports/usage?from=2020-01-01&to=2026-04-01&by=center', ['to']],
    ['/api/v1/reports/usage?from=2026-04-01&to=2026-04-30&by=center&center=nowhere', ['center']],
    ['/api/v1/reports/monthly', ['month']],
    ['/api/v1/reports/monthly?month=2026-4', ['month']],
    ['/api/v1/reports/monthly?month=2026-04&center=nowhere', ['center']],
    ['/api/v1/events?from=2026-04-01', ['to']],
    ['/api/v1/events?from=x&to=y', ['from', 'to']],
  ];
  for (const [path, fields] of cases) {
    const r = await analyst.get(path);
    assert.equal(r.status, 422, `${path}: ${r.text}`);
    assert.equal(r.json.error.code, 'validation', path);
    for (const f of fields) assert.ok(r.json.error.fields[f], `${path}: field ${f} in ${r.text}`);
  }
  // the message names every unit the report takes, the campaign days' too
  const by = (await analyst.get('/api/v1/reports/usage?from=2026-04-01&to=2026-04-30&by=year')).json.error.fields.by;
  for (const name of ['center', 'weekday_slot', 'channel', 'registration', 'campaign']) assert.match(by, new RegExp(`\\b${name}\\b`), by);
});

test('monthly statistics: JSON and CSV', async () => {
  const r = keep('monthly', await analyst.get('/api/v1/reports/monthly?month=2026-05'));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.month, '2026-05');
  assert.equal(r.json.totals.uses, 1);
  assert.equal(r.json.totals.attendees, 10);
  assert.equal(r.json.by_channel.find((x) => x.key === 'online').uses, 1);
  assert.equal(r.json.by_registration.find((x) => x.key === 'group').uses, 1);
  assert.equal(r.json.by_room_kind.find((x) => x.key === '和室').slots_booked, 2);
  assert.equal(r.json.by_center.length, 16);
  assert.deepEqual(r.json.revenue_by_method.map((m) => [m.method, m.amount]),
    [['cash', 265], ['qr', 0], ['card', 0], ['ic', 0]]);
  assert.equal(r.json.totals.exempted_amount, 265);
  const apr = keep('monthly 04 json', await analyst.get('/api/v1/reports/monthly?month=2026-04'));
  assert.deepEqual(apr.json.revenue_by_method.map((m) => [m.method, m.amount]),
    [['cash', 0], ['qr', 640], ['card', 0], ['ic', 0]]);
  assert.equal(apr.json.by_registration.find((x) => x.key === 'walk_in').uses, 1);
  assert.equal(apr.json.by_channel.find((x) => x.key === 'counter').uses, 1);
  const one = keep('monthly chuo', await analyst.get('/api/v1/reports/monthly?month=2026-05&center=chuo'));
  assert.equal(one.json.center, 'chuo');
  assert.equal(one.json.by_center, undefined);
  const c = keep('monthly csv', await analyst.get('/api/v1/reports/monthly?month=2026-05', { Accept: 'text/csv' }));
  assert.match(c.headers.get('content-type'), /^text\/csv/);
  assert.ok(c.text.startsWith('section,key,label,uses,attendees,'));
  assert.match(c.text, /\r\ntotal,total,合計,1,10,2,/);
  assert.match(c.text, /\r\ncenter,chuo,中央公民館,1,10,2,/);
});

function parseLines(text) {
  const lines = text.split('\n');
  assert.equal(lines.pop(), '', 'the stream ends with a newline');
  return lines.map((l) => JSON.parse(l));
}

test('the usage log: JSON Lines, streamed; CSV on request; pseudonyms only', async () => {
  const r = keep('events', await analyst.get('/api/v1/events?from=2026-04-08&to=2026-04-08'));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('content-type'), 'application/x-ndjson; charset=utf-8');
  assert.equal(r.headers.get('transfer-encoding'), 'chunked');   // streamed, no Content-Length
  assert.equal(r.headers.get('cache-control'), 'no-store');
  const ev = parseLines(r.text);
  const actions = ev.map((e) => e.action);
  for (const a of ['account.create', 'session.create', 'group.register', 'group.approve',
    'discount.apply', 'discount.approve', 'booking.hold', 'booking.confirm', 'booking.cancel',
    'counter.payment', 'counter.walkin', 'counter.checkin'])
    assert.ok(actions.includes(a), `${a} in ${actions}`);
  const hold = ev.find((e) => e.action === 'booking.hold' && e.date === '2026-05-12');
  assert.equal(hold.center, 'chuo');
  assert.equal(hold.room, 'washitsu');
  assert.equal(hold.slot, 'morning,afternoon');
  assert.equal(hold.channel, 'online');
  assert.equal(hold.actor_role, 'citizen');
  assert.match(hold.actor, /^[0-9a-f]{32}$/);
  assert.match(hold.subject, /^[0-9a-f]{32}$/);      // the group, pseudonymised
  assert.equal(hold.amount, 265);
  assert.ok(ev.every((e, i) => i === 0 || e.at >= ev[i - 1].at), 'oldest first');
  // another day: nothing
  const none = await analyst.get('/api/v1/events?from=2026-04-09&to=2026-04-09');
  assert.equal(none.status, 200);
  assert.equal(none.text, '');
  const c = keep('events csv', await analyst.get('/api/v1/events?from=2026-04-01&to=2026-04-30', { Accept: 'text/csv' }));
  assert.equal(c.status, 200);
  assert.match(c.headers.get('content-type'), /^text\/csv/);
  assert.ok(c.text.startsWith('id,at,action,center,room_id,room,date,slot,channel,actor_role,actor,subject,amount,detail\r\n'));
  assert.equal(c.text.trimEnd().split('\r\n').length, ev.length + 1);
});

test('who may read: analysts and admins; staff the monthly report and the page of their centre (tests/api/staff_reports.test.mjs); 403 for citizens, 401 anonymous', async () => {
  const paths = [`${USAGE}&by=center`, '/api/v1/reports/monthly?month=2026-04',
    '/api/v1/events?from=2026-04-01&to=2026-04-30', '/reports'];
  const staffMay = new Set(['/api/v1/reports/monthly?month=2026-04', '/reports']);
  for (const p of paths) {
    assert.equal((await anon.get(p)).status, 401, p);
    for (const c of [hanako, staff]) {
      const r = await c.get(p);
      const want = c === staff && staffMay.has(p) ? 200 : 403;
      assert.equal(r.status, want, `${p}: ${r.text.slice(0, 100)}`);
    }
    for (const c of [analyst, admin]) assert.equal((await c.get(p)).status, 200, p);
  }
});

test('the analysts\' page: charts as SVG with text, tables beside them; sign-in prompt otherwise', async () => {
  const html = { Accept: 'text/html' };
  // a browser not signed in is sent to sign in, and comes back here afterwards
  const a = await anon.get('/reports', html);
  assert.equal(a.status, 303);
  assert.equal(a.headers.get('location'), '/signin?next=%2Freports');
  const cz = await hanako.get('/reports', html);
  assert.equal(cz.status, 403);
  assert.match(cz.headers.get('content-type'), /^text\/html/);

  const cookie = await signIn(srv.base, ids.analyst, PW, { cookie: true });
  // with no period: the fiscal year so far, not its months to come (bookings, not use)
  const plain = await cookie.get('/reports', html);
  assert.equal(plain.status, 200);
  assert.match(plain.text, /name="from"[^>]*value="2026-04-01"/);
  assert.match(plain.text, new RegExp(`name="to"[^>]*value="${NOW.slice(0, 10)}"`));
  const r = keep('page', await cookie.get('/reports?from=2026-04-01&to=2026-05-31', html));
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.ok(r.headers.get('content-security-policy'));
  assert.equal(r.headers.get('cache-control'), 'no-store');
  // the heat map, one trend chart per centre, the exempted share: each an image with a name
  assert.equal((r.text.match(/<svg [^>]*role="img"/g) || []).length, 2 + 16);
  for (const id of ['hm', 'ex']) {
    assert.match(r.text, new RegExp(`aria-labelledby="${id}-t ${id}-d"`));
    assert.match(r.text, new RegExp(`<title id="${id}-t">`));
    assert.match(r.text, new RegExp(`<desc id="${id}-d">`));
  }
  assert.match(r.text, /aria-labelledby="tr-t-chuo tr-d"/);
  assert.match(r.text, /<title id="tr-t-chuo">中央公民館 月ごとの利用率<\/title>/);
  assert.match(r.text, /<p id="tr-d">/);
  // a table after each chart, and the 月報's six (room kind, channel, registration, campaign day,
  // centre, payment method)
  assert.equal((r.text.match(/<table>/g) || []).length, 3 + 6);
  assert.equal((r.text.match(/<caption id="(hm|tr|ex)-c">/g) || []).length, 3);
  assert.equal((r.text.match(/<caption id="mo-(k|ch|rg|cp|c|pm)-c">/g) || []).length, 6);
  assert.equal((r.text.match(/class="table-wrap" tabindex="0" role="region"/g) || []).length, 3 + 6);
  assert.doesNotMatch(r.text, /<script>|\sstyle="|\son[a-z]+="/);   // nothing inline
  assert.match(r.text, /<a href="\/reports" aria-current="page">利用状況の集計<\/a>/);   // in the menu
  assert.match(r.text, /中央公民館/);
  assert.match(r.text, /format=csv/);
  // the figure of the week's Tuesday morning: the group's 2 slots are on Tue 05-12
  assert.match(r.text, /<th scope="row">火曜日<\/th>/);

  const bad = await cookie.get('/reports?from=2026-02-30', html);
  assert.equal(bad.status, 422);
  assert.match(bad.text, /入力内容を確認してください/);
  assert.match(bad.text, /href="#f-from"/);
  const rev = await cookie.get('/reports?from=2026-05-01&to=2026-04-01', html);
  assert.equal(rev.status, 422);
});

test('after a restart two days later: the hold has lapsed in the reports and in the log', async () => {
  await srv.stop({ keep: true });
  srv = await start({ now: LATER, dir, db });
  await signInAll(srv.base);
  // Friday 12:00: nobody came to taro's 09:00 booking; the clerk marks it
  const ns = await staff.post(`/api/v1/bookings/${noShowId}/noshow`);
  assert.equal(ns.status, 200, ns.text);
  const r = keep('usage later', await analyst.get(`${USAGE}&by=center&center=chuo`));
  assert.equal(r.json.rows[0].lapsed_holds, 1);
  assert.equal(r.json.rows[0].slots_held, 0);
  assert.equal(r.json.rows[0].no_shows, 1);
  assert.equal(r.json.rows[0].slots_booked, 4);   // a no-show was booked ...
  assert.equal(r.json.rows[0].uses, 2);           // ... but not used
  // reading the log notes the lapse, dated when the hold expired (04-09 18:00)
  const ev = parseLines(keep('events later', await analyst.get('/api/v1/events?from=2026-04-09&to=2026-04-09')).text);
  const lapse = ev.find((e) => e.action === 'booking.lapse');
  assert.ok(lapse, JSON.stringify(ev));
  assert.equal(lapse.at, '2026-04-09T18:00:00+09:00');
  assert.equal(lapse.actor, null);
  assert.match(lapse.subject, /^[0-9a-f]{32}$/);
});

test('privacy: no name, phone, email or system ID of this test\'s people in any output', async () => {
  // one more of each, so that nothing is missed
  keep('events all', await analyst.get('/api/v1/events?from=2026-01-01&to=2026-12-31'));
  keep('events all csv', await analyst.get('/api/v1/events?from=2026-01-01&to=2026-12-31&format=csv'));
  keep('monthly 04', await analyst.get('/api/v1/reports/monthly?month=2026-04'));
  keep('monthly 04 csv', await analyst.get('/api/v1/reports/monthly?month=2026-04&format=csv'));
  const needles = [];
  for (const p of PEOPLE) needles.push(p.name, p.name_kana, p.email, p.phone, p.phone.replace(/-/g, ''), ids[p.key]);
  needles.push(STAFF_NAME, ANALYST_NAME, ADMIN_NAME, ids.staff, ids.analyst, ids.admin, GROUP_NAME, groupId,
    WALKIN.name, WALKIN.phone, WALKIN.phone.replace(/-/g, ''));
  assert.ok(outputs.length >= 30, `${outputs.length} outputs scanned`);
  for (const { label, text } of outputs) {
    assert.ok(text.length > 0 || label === 'events', label);
    for (const n of needles) assert.ok(!text.includes(n), `"${n}" appears in ${label}`);
  }
});

test('analysts land on the reports; the page\'s CSV downloads have Japanese column names; no link to a month to come (issue 13 point 13)', async () => {
  const FORMH = { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'text/html' };
  const si = await anon.req('POST', '/signin', new URLSearchParams({ system_id: ids.analyst, password: PW }).toString(), FORMH);
  assert.equal(si.status, 303);
  assert.equal(si.headers.get('location'), '/reports');
  const cookie = await signIn(srv.base, ids.analyst, PW, { cookie: true });
  // the period runs into months still to come (today is 2026-04-08): the monthly report is April's
  const page = await cookie.get('/reports?from=2026-04-01&to=2026-06-30', { Accept: 'text/html' });
  assert.equal(page.status, 200);
  const links = [...page.text.matchAll(/href="(\/api\/v1\/[^"]*format=csv[^"]*)"/g)].map((m) => m[1].replaceAll('&amp;', '&'));
  assert.ok(links.length >= 7, links.join('\n'));
  assert.ok(links.some((l) => l.includes('/reports/monthly?month=2026-04')), links.join('\n'));
  assert.ok(!links.some((l) => /month=2026-0[56]/.test(l)), 'no monthly report of a month to come');
  for (const l of links) {
    assert.match(l, /header=ja/);
    const c = await cookie.get(l, { Accept: 'text/csv' });
    assert.equal(c.status, 200, l);
    const head = c.text.replace(/^\uFEFF/, '').split(/\r?\n/)[0];
    assert.doesNotMatch(head, /[a-z_]{3,}/, `${l}: ${head}`);   // no key names
    assert.match(head, /[\u3040-\u30ff\u4e00-\u9fff]/, `${l}: ${head}`);
  }
  // every month is labelled under its bar; the heat map's steps span the figures shown
  for (const m of ['4月', '5月', '6月']) assert.match(page.text, new RegExp(`<text [^>]*>${m}</text>`));
  assert.match(page.text, /この期間のいちばん低い [\d.]+% からいちばん高い [\d.]+% までを5段階/);
  // the API keeps its keys by default
  const keys = await analyst.get(`/api/v1/reports/usage?from=2026-04-01&to=2026-04-30&by=center&format=csv`);
  assert.match(keys.text.replace(/^\uFEFF/, '').split(/\r?\n/)[0], /^"?key"?,"?label"?/);
});
