// Staff read the monthly statistics (月報) of their home centre (docs/reports.md,
// "Who may read"): the JSON and CSV of /api/v1/reports/monthly and the page
// /reports, scoped to the home centre whatever centre is asked for; another
// centre is 403 forbidden with a message naming theirs, an unknown code 422 as
// for everyone; staff without a home centre get 403; citizens 403 as before;
// the usage report and the log stay with analysts and admins (the contract
// names them). The figures are the analyst's for that centre, to the byte.
//
// The clock: Wednesday 2026-04-08 10:00 JST (the counter is open).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { start, client, addUser, signIn, BIN } from './harness.mjs';

const NOW = '2026-04-08T10:00:00+09:00';
const PW = 'staff-reports-pw-1';
const CITIZEN = { name: '月報 花子', name_kana: 'げっぽう はなこ', email: 'hanako.geppo@example.jp', phone: '027-555-0301' };
const CITIZEN2 = { name: '親子 次郎', name_kana: 'おやこ じろう', email: 'jiro.oyako@example.jp', phone: '027-555-0303' };
let srv, anon, analyst, admin, staff, staffHaga, homeless, citizen, citizen2, ids = {}, rooms = {};
const outputs = [];   // every staff output: scanned for the citizen at the end
function keep(label, r) { outputs.push({ label, text: r.text }); return r; }

before(async () => {
  srv = await start({ now: NOW });
  ids.analyst = await addUser(srv.db, { role: 'analyst', name: '分析 担当', password: PW });
  ids.admin = await addUser(srv.db, { role: 'admin', name: '管理 担当', password: PW });
  ids.staff = await addUser(srv.db, { role: 'staff', name: '中央 職員', center: 'chuo', password: PW });
  ids.staffHaga = await addUser(srv.db, { role: 'staff', name: '芳賀 職員', center: 'haga', password: PW });
  // staff without a home centre: an analyst the admin makes staff with no centre
  ids.homeless = await addUser(srv.db, { role: 'analyst', name: '所属なし 職員', password: PW });
  anon = client(srv.base);
  admin = await signIn(srv.base, ids.admin, PW);
  const rr = await admin.post(`/api/v1/users/${ids.homeless}/role`, { role: 'staff', center: null });
  assert.equal(rr.status, 200, rr.text);
  const me = await client(srv.base).post('/api/v1/accounts', { ...CITIZEN, password: PW, resident: true });
  assert.equal(me.status, 201, me.text);
  ids.citizen = me.json.system_id;
  const me2 = await client(srv.base).post('/api/v1/accounts', { ...CITIZEN2, password: PW, resident: true });
  assert.equal(me2.status, 201, me2.text);
  ids.citizen2 = me2.json.system_id;
  [analyst, staff, staffHaga, homeless, citizen, citizen2] = await Promise.all([ids.analyst, ids.staff,
    ids.staffHaga, ids.homeless, ids.citizen, ids.citizen2].map((id) => signIn(srv.base, id, PW)));
  for (const c of (await anon.get('/api/v1/centers')).json.centers)
    for (const ro of c.rooms) rooms[`${c.code}/${ro.code}`] = ro.id;

  // this month: two uses at chuo, one at haga; today a walk-in at chuo, paid in cash
  const book = async (room, date, slots, attendees, who = citizen) => {
    const b = await who.post('/api/v1/bookings', { room_id: rooms[room], date, slots, purpose: '例会', attendees });
    assert.equal(b.status, 201, b.text);
    assert.equal((await who.post(`/api/v1/bookings/${b.json.id}/confirm`)).status, 200);
    return b.json;
  };
  await book('chuo/washitsu', '2026-04-14', ['morning', 'afternoon'], 10);
  await book('chuo/kaigi', '2026-04-16', ['evening'], 6);
  await book('haga/kaigi', '2026-04-16', ['morning'], 4);
  // 親子の日 (the 15th: 和室 and 学習室 free, rule book campaign_days). Such a room is
  // used that day, never booked ahead (422 campaign_day): the use comes in as a booking
  // the old system had taken (kominkan import), which stays
  writeFileSync(join(srv.dir, 'oyako.csv'), 'external_id,account,center,room,date,slots,purpose,attendees\n'
    + `OLD-1,${ids.citizen2},chuo,washitsu,2026-04-15,morning,例会,5\n`);
  const imp = spawnSync(BIN, ['import', 'bookings', '--db', srv.db, '--from', join(srv.dir, 'oyako.csv')],
    { encoding: 'utf8', env: { ...process.env, KOMINKAN_NOW: NOW } });
  assert.equal(imp.status, 0, imp.stderr);
  const free = (await citizen2.get('/api/v1/bookings?mine=1')).json.bookings.find((b) => b.date === '2026-04-15');
  assert.equal(free.fee.total, 0);
  assert.equal(free.fee.campaign, '親子の日');
  const wk = await staff.post('/api/v1/counter/walkin', { room_id: rooms['chuo/av'], slots: ['afternoon'],
    name: '飛込 一郎', phone: '080-5555-0302', attendees: 3, payment_method: 'cash' });
  assert.equal(wk.status, 201, wk.text);
});

after(async () => {
  if (srv) await srv.stop();
});

const APR = '/api/v1/reports/monthly?month=2026-04';

test('staff read their home centre\'s monthly statistics: the analyst\'s figures for that centre', async () => {
  const mine = keep('monthly', await staff.get(APR));
  assert.equal(mine.status, 200, mine.text);
  assert.equal(mine.json.center, 'chuo');
  assert.equal(mine.json.center_name, '中央公民館');
  assert.equal(mine.json.by_center, undefined);          // one centre: no list of centres
  assert.equal(mine.json.totals.uses, 4);                // not haga's
  assert.equal(mine.json.totals.attendees, 24);
  assert.equal(mine.json.totals.slots_booked, 5);
  const theirs = await analyst.get(`${APR}&center=chuo`);
  assert.equal(theirs.status, 200);
  assert.deepEqual(mine.json, theirs.json);
  // naming their own centre is the same
  assert.deepEqual(keep('monthly chuo', await staff.get(`${APR}&center=chuo`)).json, theirs.json);
  // the city's total is more: the scoping is real
  const all = await analyst.get(APR);
  assert.equal(all.json.totals.uses, 5);
  assert.equal(all.json.by_center.length, 16);
  // today's walk-in (視聴覚室, afternoon: 480 yen) and its cash
  assert.equal(mine.json.by_registration.find((x) => x.key === 'walk_in').uses, 1);
  assert.equal(mine.json.revenue_by_method.find((x) => x.method === 'cash').amount, 480);
  // another month: the clerk's too
  const may = keep('monthly 05', await staff.get('/api/v1/reports/monthly?month=2026-05'));
  assert.equal(may.json.center, 'chuo');
  assert.equal(may.json.totals.uses, 0);
  // the other clerk sees haga's
  const haga = await staffHaga.get(APR);
  assert.equal(haga.json.center, 'haga');
  assert.deepEqual(haga.json, (await analyst.get(`${APR}&center=haga`)).json);
});

test('campaign days counted apart: uses on 親子の日 at the clerk\'s centre, as for the analyst', async () => {
  const mine = await staff.get(APR);
  const oyako = mine.json.by_campaign.find((x) => x.key === '親子の日');
  assert.ok(oyako, JSON.stringify(mine.json.by_campaign));
  assert.equal(oyako.label, '親子の日');
  assert.equal(oyako.uses, 1);
  assert.equal(oyako.attendees, 5);
  assert.equal(oyako.slots_booked, 1);
  assert.equal(oyako.fees_charged, 0);
  // chuo's 和室 and 学習室 on the 15th are what that day made free
  assert.ok(oyako.slots_available > 0);
  const csv = await staff.get(`${APR}&format=csv`);
  assert.match(csv.text, /\r\ncampaign,親子の日,親子の日,1,5,1,/);
  // the analysts' usage report keys by campaign too (campaign days only)
  const u = await analyst.get('/api/v1/reports/usage?from=2026-04-01&to=2026-04-30&by=campaign&center=chuo');
  assert.equal(u.status, 200, u.text);
  assert.deepEqual(u.json.rows.map((x) => x.key), ['親子の日', '自習室開放']);
  assert.equal(u.json.rows[0].uses, 1);
  assert.equal(u.json.rows[0].slots_available, oyako.slots_available);
  assert.equal(u.json.total.uses, 1);
  // haga had no booking on a campaign day
  const haga = await analyst.get(`${APR}&center=haga`);
  assert.ok(haga.json.by_campaign.every((x) => x.uses === 0), JSON.stringify(haga.json.by_campaign));
});

test('staff get the monthly statistics as CSV, the same bytes as the analyst\'s', async () => {
  for (const [path, headers] of [[`${APR}&format=csv`, {}], [APR, { Accept: 'text/csv' }],
    [`${APR}&format=csv&header=ja`, {}]]) {
    const mine = keep(`csv ${path}`, await staff.get(path, headers));
    assert.equal(mine.status, 200, mine.text);
    assert.match(mine.headers.get('content-type'), /^text\/csv/);
    assert.match(mine.headers.get('content-disposition'), /monthly_2026-04_chuo\.csv/);
    const theirs = await analyst.get(`${path}&center=chuo`, headers);
    assert.equal(mine.text, theirs.text, path);
  }
  const c = await staff.get(`${APR}&format=csv`);
  assert.match(c.text, /\r\ntotal,total,合計,4,24,5,/);
  assert.doesNotMatch(c.text, /\r\ncenter,/);            // no other centre's row
});

test('another centre is 403 with a message naming theirs; an unknown code 422; nothing else changes', async () => {
  for (const path of [`${APR}&center=haga`, `${APR}&center=haga&format=csv`]) {
    const r = await staff.get(path);
    assert.equal(r.status, 403, r.text);
    assert.equal(r.json.error.code, 'forbidden');
    assert.match(r.json.error.message, /所属する公民館（中央公民館）の集計だけ/);
  }
  const bad = await staff.get(`${APR}&center=nowhere`);
  assert.equal(bad.status, 422, bad.text);
  assert.equal(bad.json.error.code, 'validation');
  assert.ok(bad.json.error.fields.center);
  const month = await staff.get('/api/v1/reports/monthly?month=2026-13');
  assert.equal(month.status, 422);
  assert.ok(month.json.error.fields.month);
});

test('staff without a home centre get 403; citizens 403; anonymous 401', async () => {
  for (const path of [APR, `${APR}&center=chuo`, `${APR}&format=csv`]) {
    const r = await homeless.get(path);
    assert.equal(r.status, 403, r.text);
    assert.equal(r.json.error.code, 'forbidden');
    assert.match(r.json.error.message, /所属する公民館が登録されていない/);
    assert.equal((await citizen.get(path)).status, 403, path);
    assert.equal((await anon.get(path)).status, 401, path);
  }
  const page = await homeless.get('/reports', { Accept: 'text/html' });
  assert.equal(page.status, 403);
  assert.match(page.text, /所属する公民館が登録されていない/);
  assert.equal((await citizen.get('/reports', { Accept: 'text/html' })).status, 403);
});

test('the usage report and the log stay with analysts and admins (the contract names them)', async () => {
  for (const path of ['/api/v1/reports/usage?from=2026-05-01&to=2026-05-31&by=center',
    '/api/v1/reports/usage?from=2026-05-01&to=2026-05-31&by=center&center=chuo',
    '/api/v1/events?from=2026-04-01&to=2026-04-30']) {
    assert.equal((await staff.get(path)).status, 403, path);
    assert.equal((await analyst.get(path)).status, 200, path);
    assert.equal((await admin.get(path)).status, 200, path);
  }
});

test('the page: the home centre\'s figures and 月報, said so; no centre to choose; from the staff menu', async () => {
  const html = { Accept: 'text/html' };
  const cookie = await signIn(srv.base, ids.staff, PW, { cookie: true });
  const menu = await cookie.get('/admin', html);
  assert.equal(menu.status, 200);
  assert.match(menu.text, /<a href="\/reports">月報と利用状況の集計 \(中央公民館\)<\/a>/);
  const r = keep('page', await cookie.get('/reports?from=2026-04-01&to=2026-04-30&month=2026-04', html));
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.match(r.text, /所属する公民館 \(中央公民館\) の数値です/);
  assert.match(r.text, /<dt>対象<\/dt><dd>中央公民館<\/dd>/);
  assert.match(r.text, /<h2 id="mo-h">月報 \(2026年4月、中央公民館\)<\/h2>/);
  assert.doesNotMatch(r.text, /id="f-center"/);            // nothing to choose
  assert.match(r.text, /id="f-month"/);
  assert.doesNotMatch(r.text, /芳賀公民館/);                // no other centre anywhere
  assert.equal((r.text.match(/<svg [^>]*role="img"/g) || []).length, 3);   // heat map, one trend, exempted
  // the 和室 and 合計 rows of the 月報 are the JSON's
  assert.match(r.text, /<tr><th scope="row">和室<\/th><td>2<\/td><td>15<\/td><td>3<\/td>/);
  assert.match(r.text, /<tr><th scope="row">合計<\/th><td>4<\/td><td>24<\/td><td>5<\/td>/);
  // campaign days apart: 親子の日, one use of 5 people
  assert.match(r.text, /<caption id="mo-cp-c">無料の日 \(親子の日など\) の利用<\/caption>/);
  assert.match(r.text, /<tr><th scope="row">親子の日<\/th><td>1<\/td><td>5<\/td><td>1<\/td>/);
  // the one download is the 月報 of this centre; it opens for the clerk
  const links = [...r.text.matchAll(/href="(\/api\/v1\/[^"]*format=csv[^"]*)"/g)].map((m) => m[1].replaceAll('&amp;', '&'));
  assert.ok(links.includes('/api/v1/reports/monthly?month=2026-04&center=chuo&format=csv&header=ja'), links.join('\n'));
  assert.ok(!links.some((l) => /reports\/usage|events/.test(l)), links.join('\n'));
  for (const l of links) assert.equal((await cookie.get(l)).status, 200, l);
  // the staff menu is where they are
  assert.match(r.text, /<a href="\/admin" aria-current="page">職員メニュー<\/a>/);
  // their own centre by name is the same page; another centre is the 403 page
  assert.equal((await cookie.get('/reports?center=chuo', html)).status, 200);
  for (const c of ['haga', 'nowhere']) {
    const o = await cookie.get(`/reports?center=${c}`, html);
    assert.equal(o.status, 403, c);
    assert.match(o.headers.get('content-type'), /^text\/html/);
    assert.match(o.text, /所属する公民館（中央公民館）の集計だけ/);
  }
  // a month not in the list is a field error, in Japanese, at the field
  const bad = await cookie.get('/reports?month=2025-01', html);
  assert.equal(bad.status, 422);
  assert.match(bad.text, /href="#f-month"/);
  assert.match(bad.text, /一覧から月報の月を選んでください/);
});

test('the menu: no link for staff without a home centre; admins reach every centre', async () => {
  const html = { Accept: 'text/html' };
  const none = await signIn(srv.base, ids.homeless, PW, { cookie: true });
  const m1 = await none.get('/admin', html);
  assert.equal(m1.status, 200);
  assert.doesNotMatch(m1.text, /href="\/reports"/);
  const adm = await signIn(srv.base, ids.admin, PW, { cookie: true });
  assert.match((await adm.get('/admin', html)).text, /<a href="\/reports">月報と利用状況の集計 \(すべての公民館\)<\/a>/);
  // the analysts' page keeps its centre list and every download
  const an = await signIn(srv.base, ids.analyst, PW, { cookie: true });
  const p = await an.get('/reports?from=2026-04-01&to=2026-04-30&month=2026-04', html);
  assert.equal(p.status, 200);
  assert.match(p.text, /id="f-center"/);
  assert.match(p.text, /<h2 id="mo-h">月報 \(2026年4月、すべての公民館\)<\/h2>/);
  assert.match(p.text, /<caption id="mo-c-c">公民館別<\/caption>/);
  assert.match(p.text, /reports\/usage\?/);
});

test('privacy: the clerk\'s outputs carry no name, phone, email or system ID', async () => {
  const needles = [CITIZEN.name, CITIZEN.name_kana, CITIZEN.email, CITIZEN.phone, ids.citizen,
    CITIZEN2.name, CITIZEN2.name_kana, CITIZEN2.email, CITIZEN2.phone, ids.citizen2,
    '飛込 一郎', '080-5555-0302', ids.staff];
  assert.ok(outputs.length >= 7, `${outputs.length} outputs`);
  for (const { label, text } of outputs)
    for (const n of needles) assert.ok(!text.includes(n), `"${n}" appears in ${label}`);
});
