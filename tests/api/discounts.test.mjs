// Fee exemptions (減免) over HTTP: every flow and error of CONTRACT.md's
// Exemptions section and issue 5: applying (unknown category, unapproved
// group, non-representative, duplicate open application), the admin's review
// queue and decisions (rejection needs a reason), who sees what (citizens
// cannot decide, analysts see no applicant, someone else's application is
// 404), the fee at every centre including bookings made before the approval,
// the same window and caps as everyone, the rule-book version change, and the
// usage log.
//
// The clock: 2026-04-01 09:00 JST, the minute booking for June opens.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { start, client, addUser, signIn } from './harness.mjs';

const NOW = '2026-04-01T09:00:00+09:00';
const PW = 'discount-test-pw-1';
let srv, anon, alice, bob, carol, staff, admin, analyst, ids, rooms, club, pendingGroup, bobGroup;

function sql(db, q) {
  return execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim();
}

async function roomIds(c) {
  const r = await c.get('/api/v1/centers');
  const out = {};
  for (const ce of r.json.centers) for (const ro of ce.rooms) out[`${ce.code}/${ro.code}`] = ro.id;
  return out;
}

function booking(room, date, slots, group) {
  return { room_id: rooms[room], date, slots, purpose: '地域の話し合い', attendees: 8, group_id: group };
}

async function book(c, room, date, slots, group) {
  const r = await c.post('/api/v1/bookings', booking(room, date, slots, group));
  assert.equal(r.status, 201, r.text);
  const k = await c.post(`/api/v1/bookings/${r.json.id}/confirm`);
  assert.equal(k.status, 200, k.text);
  return r.json;
}

async function newGroup(c, name, kana) {
  const g = await c.post('/api/v1/groups', { name, name_kana: kana, members: 10, resident_members: 8 });
  assert.equal(g.status, 201, g.text);
  return g.json.id;
}

before(async () => {
  srv = await start({ now: NOW });
  anon = client(srv.base);
  ids = {};
  for (const [k, role] of [['alice', 'citizen'], ['bob', 'citizen'], ['carol', 'citizen'],
    ['staff', 'staff'], ['admin', 'admin'], ['analyst', 'analyst']])
    ids[k] = await addUser(srv.db, { role, name: k === 'alice' ? '山田 太郎' : `利用者 ${k}`, password: PW,
      center: role === 'staff' ? 'chuo' : undefined });
  alice = await signIn(srv.base, ids.alice, PW);
  bob = await signIn(srv.base, ids.bob, PW);
  carol = await signIn(srv.base, ids.carol, PW);
  staff = await signIn(srv.base, ids.staff, PW);
  admin = await signIn(srv.base, ids.admin, PW);
  analyst = await signIn(srv.base, ids.analyst, PW);
  rooms = await roomIds(anon);

  club = await newGroup(alice, '大手町自治会', 'おおてまちじちかい');
  assert.equal((await staff.post(`/api/v1/groups/${club}/approve`)).status, 200);
  const rep = await alice.post(`/api/v1/groups/${club}/representatives`, { system_id: ids.carol });
  assert.equal(rep.status, 202, rep.text);
  const accepted = await carol.post(`/api/v1/invitations/${club}/accept`);
  assert.equal(accepted.status, 200, accepted.text);
  pendingGroup = await newGroup(alice, '申請中の会', 'しんせいちゅうのかい');
  bobGroup = await newGroup(bob, 'ボブの会', 'ぼぶのかい');
  assert.equal((await staff.post(`/api/v1/groups/${bobGroup}/approve`)).status, 200);
});
after(async () => { await srv.stop(); });

test('the categories are published before anyone applies', async () => {
  const rules = (await anon.get('/api/v1/rules')).json;
  const codes = rules.discounts.map((d) => d.code);
  assert.deepEqual(codes, ['city_event', 'community', 'social_education', 'senior_club']);
  for (const d of rules.discounts) for (const k of ['name', 'rate', 'criteria', 'evidence', 'valid_until']) assert.ok(k in d, `${d.code}.${k}`);
  const page = await anon.get('/rules/discounts');
  assert.equal(page.status, 200);
  for (const d of rules.discounts) {
    assert.ok(page.text.includes(d.criteria), d.code);
    assert.ok(page.text.includes(d.evidence), d.code);
  }
  assert.match(page.text, /<dt>有効期間<\/dt>/);
  assert.match(page.text, /<dt>減免の割合<\/dt>/);
  // how the fee is worked out, and no other privilege
  assert.match(page.text, /1円未満は切り捨て/);
  assert.match(page.text, /予約の受付開始日や、1か月に予約できるコマ数は、ほかの団体と同じ/);
  // senior_club ends with the amendment of 2026-10-01: said in advance
  assert.match(page.text, /2026年10月1日（木） から、この区分はなくなります/);
  // the machine's codes are the API's, not a citizen's reading
  assert.doesNotMatch(page.text, /区分コード|<code>senior_club<\/code>/);
  // the amendment's own page speaks of it as to come
  const next = await anon.get('/rules/discounts?date=2026-10-01', { Accept: 'text/html' });
  assert.equal(next.status, 200);
  assert.match(next.text, /2026年10月1日（木） から使われる規則/);
});

test('applying: who may, and every bad input stores nothing', async () => {
  const ok = { group_id: club, category: 'community', reason: '町内会の定例会と防災訓練の打ち合わせ' };
  assert.equal((await anon.post('/api/v1/discounts', ok)).status, 401);
  for (const c of [staff, admin, analyst]) {
    const r = await c.post('/api/v1/discounts', ok);
    assert.equal(r.status, 403, r.text);
    assert.equal(r.json.error.code, 'forbidden');
  }
  const unknown = await alice.post('/api/v1/discounts', { ...ok, category: 'vip' });
  assert.equal(unknown.status, 422);
  assert.equal(unknown.json.error.code, 'validation');
  assert.match(unknown.json.error.message, /「vip」という減免の区分はありません/);
  assert.ok(unknown.json.error.fields.category);

  const unapproved = await alice.post('/api/v1/discounts', { ...ok, group_id: pendingGroup });
  assert.equal(unapproved.status, 422);
  assert.match(unapproved.json.error.fields.group_id, /承認/);

  const notMine = await bob.post('/api/v1/discounts', ok);
  assert.equal(notMine.status, 404);
  assert.equal(notMine.json.error.code, 'not_found');
  const noGroup = await alice.post('/api/v1/discounts', { ...ok, group_id: '123456782' });
  assert.equal(noGroup.status, 404);
  const mistyped = await alice.post('/api/v1/discounts', { ...ok, group_id: '123456781' });
  assert.equal(mistyped.status, 422);
  assert.ok(mistyped.json.error.fields.group_id);

  const noReason = await alice.post('/api/v1/discounts', { group_id: club, category: 'community' });
  assert.equal(noReason.status, 422);
  assert.ok(noReason.json.error.fields.reason);
  const long = await alice.post('/api/v1/discounts', { ...ok, reason: 'あ'.repeat(501) });
  assert.equal(long.status, 422);
  const bad = await alice.post('/api/v1/discounts', 'not json', { 'Content-Type': 'application/json' });
  assert.equal(bad.status, 400);

  const list = await alice.get(`/api/v1/discounts?group_id=${club}`);
  assert.equal(list.status, 200);
  assert.deepEqual(list.json.applications, []);
  assert.equal(sql(srv.db, 'SELECT count(*) FROM discount_applications'), '0');
  assert.equal(sql(srv.db, "SELECT count(*) FROM events WHERE action LIKE 'discount.%'"), '0');
});

let appId;
test('apply -> 201 pending; one open application per group and category', async () => {
  const r = await alice.post('/api/v1/discounts', { group_id: club, category: 'community',
    reason: '町内会の定例会と防災訓練の打ち合わせ', evidence: '規約と役員名簿を窓口に持参します' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.status, 'pending');
  assert.equal(typeof r.json.id, 'number');
  assert.equal(r.json.group_id, club);
  assert.equal(r.json.rate, 100);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  appId = r.json.id;

  for (const c of [alice, carol]) {
    const dup = await c.post('/api/v1/discounts', { group_id: club, category: 'community', reason: 'もう一度' });
    assert.equal(dup.status, 409, dup.text);
    assert.equal(dup.json.error.code, 'conflict');
    assert.match(dup.json.error.message, /すでに受け付けて審査中/);
  }
  assert.equal(sql(srv.db, 'SELECT count(*) FROM discount_applications'), '1');
});

test('who sees an application: the group, staff, admins; 404 for others, 403 for analysts', async () => {
  for (const c of [alice, carol, staff, admin]) {
    const r = await c.get(`/api/v1/discounts/${appId}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'pending');
    assert.equal(r.json.category, 'community');
  }
  assert.equal((await bob.get(`/api/v1/discounts/${appId}`)).status, 404);
  assert.equal((await alice.get('/api/v1/discounts/999999')).status, 404);
  assert.equal((await alice.get('/api/v1/discounts/abc')).status, 404);
  assert.equal((await anon.get(`/api/v1/discounts/${appId}`)).status, 401);
  for (const p of [`/api/v1/discounts/${appId}`, '/api/v1/discounts?status=pending', `/api/v1/discounts?group_id=${club}`]) {
    const r = await analyst.get(p);
    assert.equal(r.status, 403, p);
    assert.ok(!r.text.includes('大手町'), p);
  }

  // the review queue: admins only, with group name, category, reason, evidence
  const q = await admin.get('/api/v1/discounts?status=pending');
  assert.equal(q.status, 200);
  const a = q.json.applications.find((x) => x.id === appId);
  assert.equal(a.group_name, '大手町自治会');
  assert.equal(a.category, 'community');
  assert.match(a.category_name, /全額免除/);
  assert.equal(a.reason, '町内会の定例会と防災訓練の打ち合わせ');
  assert.equal(a.evidence, '規約と役員名簿を窓口に持参します');
  for (const c of [staff, alice]) assert.equal((await c.get('/api/v1/discounts?status=pending')).status, 403);
  assert.equal((await admin.get('/api/v1/discounts?status=open')).status, 422);

  // by group: its representatives, staff and admins
  for (const c of [alice, carol, staff, admin]) {
    const r = await c.get(`/api/v1/discounts?group_id=${club}`);
    assert.equal(r.status, 200);
    assert.equal(r.json.applications.length, 1);
  }
  assert.equal((await bob.get(`/api/v1/discounts?group_id=${club}`)).status, 404);
  assert.equal((await bob.get('/api/v1/discounts')).json.applications.length, 0);
  assert.equal((await carol.get('/api/v1/discounts')).json.applications.length, 1);

  // on the group itself
  const g = await alice.get(`/api/v1/groups/${club}`);
  assert.equal(g.json.discounts[0].status, 'pending');
});

let before1, before2;
test('approval: only admins; it reaches bookings made before it, at every centre', async () => {
  // two bookings at two centres, made before the approval
  before1 = await book(alice, 'chuo/r503', '2026-06-10', ['morning', 'afternoon'], club);
  before2 = await book(carol, 'kamikawabuchi/kaigi1', '2026-06-17', ['evening'], club);
  assert.deepEqual([before1.fee.base, before1.fee.discount, before1.fee.total], [400, 0, 400]);
  const plain = await book(bob, 'chuo/r507', '2026-06-10', ['morning'], bobGroup);

  const ok = { decision: 'approved', reason: '規約と役員名簿を確認しました' };
  for (const c of [alice, staff, analyst]) {
    const r = await c.post(`/api/v1/discounts/${appId}/decide`, ok);
    assert.equal(r.status, 403, r.text);
  }
  assert.equal((await anon.post(`/api/v1/discounts/${appId}/decide`, ok)).status, 401);
  const wrong = await admin.post(`/api/v1/discounts/${appId}/decide`, { decision: 'yes' });
  assert.equal(wrong.status, 422);
  assert.ok(wrong.json.error.fields.decision);
  assert.equal((await admin.post('/api/v1/discounts/999999/decide', ok)).status, 404);

  const r = await admin.post(`/api/v1/discounts/${appId}/decide`, ok);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'approved');
  assert.equal(r.json.valid_from, '2026-04-01');
  assert.equal(r.json.valid_until, '2027-03-31');
  assert.equal(r.json.decision_reason, '規約と役員名簿を確認しました');
  assert.equal(r.json.in_force, true);
  assert.equal(r.json.repriced, 2);
  const again = await admin.post(`/api/v1/discounts/${appId}/decide`, { decision: 'rejected', reason: 'x' });
  assert.equal(again.status, 409);

  for (const b of [before1, before2]) {
    const g = await alice.get(`/api/v1/bookings/${b.id}`);
    assert.equal(g.json.fee.discount, g.json.fee.base, `${b.center} ${b.date}`);
    assert.equal(g.json.fee.total, 0);
    assert.equal(g.json.fee.discount_code, 'community');
    assert.match(g.json.fee.discount_name, /全額免除/);
  }
  assert.notEqual(before1.center, before2.center);
  // another group's booking is untouched
  assert.equal((await bob.get(`/api/v1/bookings/${plain.id}`)).json.fee.total, 160);
  // a new booking, at a third centre, after the approval
  const after = await book(alice, 'shimokawabuchi/kaigi', '2026-06-24', ['morning'], club);
  assert.deepEqual([after.fee.base, after.fee.discount, after.fee.total], [210, 210, 0]);
  // a person booking alone is not exempt
  const own = await book(alice, 'chuo/r507', '2026-06-11', ['morning'], undefined);
  assert.equal(own.fee.discount, 0);

  const g = await carol.get(`/api/v1/groups/${club}`);
  assert.equal(g.json.discounts[0].status, 'approved');
  assert.equal(g.json.discounts[0].valid_until, '2027-03-31');
});

test('rejection: a reason is required, and the group reads it', async () => {
  const r = await carol.post('/api/v1/discounts', { group_id: club, category: 'social_education', reason: '公開講座を開きます' });
  assert.equal(r.status, 201, r.text);
  const id = r.json.id;
  for (const body of [{ decision: 'rejected' }, { decision: 'rejected', reason: '　' }]) {
    const bad = await admin.post(`/api/v1/discounts/${id}/decide`, body);
    assert.equal(bad.status, 422, bad.text);
    assert.ok(bad.json.error.fields.reason);
  }
  assert.equal((await alice.get(`/api/v1/discounts/${id}`)).json.status, 'pending');
  const ok = await admin.post(`/api/v1/discounts/${id}/decide`, { decision: 'rejected', reason: '参加の呼びかけがわかる資料がありません。' });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.status, 'rejected');
  const seen = await alice.get(`/api/v1/discounts/${id}`);
  assert.equal(seen.json.decision_reason, '参加の呼びかけがわかる資料がありません。');
  const g = await alice.get(`/api/v1/groups/${club}`);
  const d = g.json.discounts.find((x) => x.id === id);
  assert.equal(d.status, 'rejected');
  assert.equal(d.decision_reason, '参加の呼びかけがわかる資料がありません。');
  // the fee is unchanged by a rejection
  assert.equal((await alice.get(`/api/v1/bookings/${before1.id}`)).json.fee.discount_code, 'community');
  // after a rejection the group may apply again
  const again = await carol.post('/api/v1/discounts', { group_id: club, category: 'social_education', reason: 'チラシを添えます' });
  assert.equal(again.status, 201);
});

test('no privilege but the fee: the same window and the same cap as everyone', async () => {
  // July opens on 1 May at 09:00 for the exempt group as for any other
  const early = await alice.post('/api/v1/bookings', booking('chuo/hall', '2026-07-08', ['morning'], club));
  const early2 = await bob.post('/api/v1/bookings', booking('haga/hall', '2026-07-08', ['morning'], bobGroup));
  assert.equal(early.status, 422);
  assert.equal(early.json.error.code, 'outside_booking_window');
  assert.equal(early2.json.error.code, 'outside_booking_window');
  assert.equal(early.json.error.message, early2.json.error.message);
  // the cap: 4 slots in June across every centre. The club has 4 (2+1+1).
  const capped = await alice.post('/api/v1/bookings', booking('haga/kaigi', '2026-06-25', ['morning'], club));
  assert.equal(capped.status, 422, capped.text);
  assert.equal(capped.json.error.code, 'limit_exceeded');
  await book(bob, 'haga/hall', '2026-06-25', ['morning', 'afternoon', 'evening'], bobGroup);
  const capped2 = await bob.post('/api/v1/bookings', booking('haga/kaigi', '2026-06-26', ['morning'], bobGroup));
  assert.equal(capped2.status, 422);
  assert.equal(capped2.json.error.code, 'limit_exceeded');
});

test('the usage log: every application and decision, with no reason and no name', async () => {
  const count = (a) => Number(sql(srv.db, `SELECT count(*) FROM events WHERE action = '${a}'`));
  assert.equal(count('discount.apply'), 3);
  assert.equal(count('discount.approve'), 1);
  assert.equal(count('discount.reject'), 1);
  assert.equal(count('booking.discount'), 2);
  const dump = sql(srv.db, "SELECT * FROM events WHERE action LIKE 'discount.%' OR action = 'booking.discount'");
  for (const s of ['町内会', '防災', '規約', '公開講座', '資料', '大手町', '山田', club, ids.alice, ids.admin])
    assert.ok(!dump.includes(s), `the usage log holds "${s}"`);
  assert.match(dump, /"category":"community"/);
});

// A second server in August 2026: senior_club is abolished by the rule book
// version of 2026-10-01. An approval in August discounts a September use
// date and not an October one, and says it lasts to 30 September.
test('the rule-book version in force on the use date decides', async () => {
  const s2 = await start({ now: '2026-08-03T10:00:00+09:00' });
  try {
    const rep = await addUser(s2.db, { role: 'citizen', name: '老人クラブ 代表', password: PW });
    const adm = await addUser(s2.db, { role: 'admin', name: '管理者', password: PW });
    const c = await signIn(s2.base, rep, PW);
    const a = await signIn(s2.base, adm, PW);
    const g = await newGroup(c, '若宮老人クラブ', 'わかみやろうじんくらぶ');
    assert.equal((await a.post(`/api/v1/groups/${g}/approve`)).status, 200);
    const sep = await book(c, 'chuo/r503', '2026-09-30', ['morning'], g);
    const ap = await c.post('/api/v1/discounts', { group_id: g, category: 'senior_club', reason: '健康体操の会' });
    assert.equal(ap.status, 201, ap.text);
    const d = await a.post(`/api/v1/discounts/${ap.json.id}/decide`, { decision: 'approved' });
    assert.equal(d.status, 200, d.text);
    // not to the fiscal year's end: the category is gone from 2026-10-01
    assert.equal(d.json.valid_until, '2026-09-30');
    const sepNow = (await c.get(`/api/v1/bookings/${sep.id}`)).json;
    assert.deepEqual([sepNow.fee.base, sepNow.fee.discount, sepNow.fee.total], [160, 80, 80]);
    assert.equal(sepNow.fee.rules_version, '2026-04-01');
    const oct = await book(c, 'chuo/r503', '2026-10-07', ['morning'], g);
    assert.deepEqual([oct.fee.base, oct.fee.discount, oct.fee.total], [110, 0, 110]);
    assert.equal(oct.fee.rules_version, '2026-10-01');
    assert.equal(oct.fee.discount_code, undefined);
  } finally {
    await s2.stop();
  }
});
