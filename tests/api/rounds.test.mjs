// The monthly allocation round for rooms (issue 16; docs/courses.md): a rule
// book with a round, groups applying up to the cap, a course taking a slot
// meanwhile, the close at the deadline; the draw recomputed in Node from the
// published seed, and no group ever over its cap.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, client, addUser, signIn, BIN } from './harness.mjs';
import { fastCitizens } from './fastsessions.mjs';

const NOW = '2026-04-01T09:00:00+09:00';
const PW = 'rounds-test-pw-1';
const ROUND = { code: 'large', room_kinds: ['ホール', '体育室'], months_before_use_month: 3,
  apply_from_day: 1, apply_until_day: 10, cap_slots_per_group: 2 };
const sha = (x) => createHash('sha256').update(x).digest('hex');
// mail on, to a port where nobody listens: the messages stay queued in the outbox
const MAIL = ['--smtp', 'smtp://127.0.0.1:1', '--mail-from', 'kominkan@example.jp'];
let srv, anon, staff, reps, stranger, book, rooms;
const ids = {};
const groups = [];

// A copy of the Maebashi rule book whose versions declare ROUND (or LOTTERY).
function ruleBook(lottery = { rounds: [ROUND] }) {
  const dir = mkdtempSync(join(tmpdir(), 'kominkan-rounds-'));
  cpSync('ordinances/maebashi', dir, { recursive: true });
  for (const f of readdirSync(dir).filter((x) => x.startsWith('rules-'))) {
    const j = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    j.booking_window.lottery = lottery;
    writeFileSync(join(dir, f), JSON.stringify(j, null, 2));
  }
  return dir;
}

function sql(db, q) {
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', db, q], { encoding: 'utf8' }).trim();
}

async function restart(when) {
  await srv.stop({ keep: true });
  srv = await start({ now: when, db: srv.db, dir: srv.dir, args: ['--ordinances', book, ...MAIL] });
  const t = Date.parse(when) / 1000;
  sql(srv.db, `UPDATE sessions SET last_seen = ${t}, expires_at = ${t + 86400}`);
  anon = client(srv.base);
  staff = await signIn(srv.base, ids.staff, PW);
  reps = reps.map((c) => Object.assign(client(srv.base, { token: c.token }), { session: c.session }));
}

const apply = (who, round, g, room, date, slot, extra = {}) => who.post(`/api/v1/rounds/${round}/applications`,
  { group_id: g, room_id: room, date, slots: [slot], purpose: '練習', attendees: 20, ...extra });

before(async () => {
  book = ruleBook();
  srv = await start({ now: NOW, args: ['--ordinances', book, ...MAIL] });
  anon = client(srv.base);
  ids.staff = await addUser(srv.db, { role: 'staff', name: '職員 抽選', password: PW, center: 'chuo' });
  staff = await signIn(srv.base, ids.staff, PW);
  const people = fastCitizens(srv.db, srv.base, 6, '代表', Date.parse(NOW) / 1000);
  stranger = people.pop();
  reps = people;
  for (const [i, c] of reps.entries()) {
    const g = await c.post('/api/v1/groups', { name: `抽選の会${i}`, name_kana: 'ちゅうせんのかい', members: 10,
      resident_members: 8, activity: '合唱', public_listing: false });
    assert.equal(g.status, 201, g.text);
    assert.equal((await staff.post(`/api/v1/groups/${g.json.id}/approve`)).status, 200);
    groups.push(g.json.id);
  }
  const r = await anon.get('/api/v1/centers');
  rooms = {};
  for (const c of r.json.centers) for (const ro of c.rooms) rooms[`${c.code}/${ro.code}`] = ro.id;
});
after(async () => {
  await srv.stop();
  rmSync(book, { recursive: true, force: true });
});

test('check-ordinances refuses a round that would close after first-come booking opens', () => {
  const bad = ruleBook({ rounds: [{ ...ROUND, months_before_use_month: 2, apply_until_day: 5 }] });
  const r = spawnSync(BIN, ['check-ordinances', bad], { encoding: 'utf8' });
  rmSync(bad, { recursive: true, force: true });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /booking_window\.lottery\.rounds\[0\].*close before booking opens/);
  const ok = spawnSync(BIN, ['check-ordinances', book], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
});

test('without a round in the rule book there are none', async () => {
  const plain = await start({ now: NOW });
  try {
    const r = await client(plain.base).get('/api/v1/rounds');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.rounds, []);
  } finally {
    await plain.stop();
  }
});

test('a round with contested slots: drawn as published, never over the cap', async () => {
  const list = await anon.get('/api/v1/rounds');
  assert.equal(list.status, 200, list.text);
  assert.equal(list.json.rounds.length, 1);
  const round = list.json.rounds[0];
  assert.equal(round.use_month, '2026-07');
  assert.equal(round.state, 'open');
  assert.equal(round.cap, 2);
  assert.deepEqual(round.room_kinds, ROUND.room_kinds);
  const before = await anon.get(`/api/v1/lotteries/${round.lottery_id}`);
  assert.match(before.json.commitment, /^[0-9a-f]{64}$/);
  assert.equal(before.json.seed, undefined);

  const hall = rooms['chuo/hall'];
  const s = { s1: ['2026-07-08', 'morning'], s2: ['2026-07-08', 'afternoon'], s3: ['2026-07-09', 'morning'],
    s4: ['2026-07-10', 'evening'], s5: ['2026-07-14', 'morning'] };
  const plan = [[0, 's1'], [0, 's2'], [1, 's1'], [1, 's2'], [2, 's1'], [2, 's3'], [3, 's2'], [3, 's4'], [4, 's5']];
  const app = {};
  for (const [g, k] of plan) {
    const r = await apply(reps[g], round.id, groups[g], hall, ...s[k]);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.status, 'applied');
    app[`${g}${k}`] = r.json.id;
  }
  // RULE: at most the cap of slots per group; one application per slot
  const third = await apply(reps[0], round.id, groups[0], hall, ...s.s5);
  assert.equal(third.status, 422, third.text);
  assert.equal(third.json.error.code, 'limit_exceeded');
  const again = await apply(reps[4], round.id, groups[4], hall, ...s.s5);
  assert.equal(again.status, 409, again.text);
  // the form route (/rounds/{id}/apply) refuses alike, with the form again
  const FORMH = { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'text/html' };
  const viaForm = (who, g, date, slot) => who.req('POST', `/rounds/${round.id}/apply`, new URLSearchParams({
    group_id: String(g), room_id: String(hall), date, slots: slot, purpose: '練習', attendees: '20' }).toString(), FORMH);
  const f3 = await viaForm(reps[0], groups[0], ...s.s5);
  assert.equal(f3.status, 422);
  assert.match(f3.text, /1団体2枠までです（申し込み済み2枠）/);
  assert.match(f3.text, /<title>入力エラー/);
  assert.equal((await viaForm(reps[4], groups[4], ...s.s5)).status, 409);
  const formPage = await reps[0].get(`/rounds/${round.id}/apply`, { Accept: 'text/html' });
  assert.equal(formPage.status, 200);
  assert.ok(formPage.text.includes(`value="${groups[0]}"`), 'the group the citizen represents is offered');
  assert.ok(!formPage.text.includes(`value="${groups[1]}"`), 'another group is not');
  // a room of another kind, a date outside the use month, a closed day, no group
  const other = await apply(reps[4], round.id, groups[4], rooms['chuo/washitsu'], ...s.s1);
  assert.equal(other.status, 422);
  assert.ok(other.json.error.fields.room_id);
  const aug = await apply(reps[4], round.id, groups[4], hall, '2026-08-05', 'morning');
  assert.ok(aug.json.error.fields.date, aug.text);
  const monday = await apply(reps[4], round.id, groups[4], hall, '2026-07-06', 'morning');
  assert.equal(monday.json.error.code, 'closed', monday.text);
  const alone = await apply(reps[4], round.id, undefined, hall, ...s.s3);
  assert.ok(alone.json.error.fields.group_id, alone.text);
  // someone who does not represent the group
  const nobody = await apply(stranger, round.id, groups[0], hall, ...s.s3);
  assert.equal(nobody.status, 404, nobody.text);
  // a cancelled application leaves the slot to the others
  const extra = await apply(reps[4], round.id, groups[4], hall, ...s.s1);
  assert.equal(extra.status, 201);
  const myRounds = await reps[4].get('/my/rounds', { Accept: 'text/html' });
  assert.ok(myRounds.text.includes(`action="/my/rounds/${extra.json.id}/cancel"`));
  const cx = await reps[4].req('POST', `/my/rounds/${extra.json.id}/cancel`, '',
    { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'text/html' });
  assert.equal(cx.status, 303, cx.text);
  assert.equal((await reps[4].get('/api/v1/round-applications')).json.applications
    .find((a) => a.id === extra.json.id).status, 'cancelled');
  assert.equal((await reps[0].post(`/api/v1/round-applications/${extra.json.id}/cancel`)).status, 404);

  // staff see the contested slots while it is open; the public does not yet
  const sv = await staff.get(`/api/v1/rounds/${round.id}`);
  assert.equal(sv.status, 200, sv.text);
  const contested = sv.json.slots.filter((x) => x.contested).map((x) => `${x.date} ${x.slot}`).sort();
  assert.deepEqual(contested, ['2026-07-08 afternoon', '2026-07-08 morning']);
  assert.equal(sv.json.groups.length, 5);
  assert.equal((await anon.get(`/api/v1/rounds/${round.id}`)).json.slots, undefined);
  const early = await staff.post(`/api/v1/rounds/${round.id}/close`);
  assert.equal(early.status, 422, early.text);
  assert.equal(early.json.error.code, 'too_early');

  // meanwhile a course takes s4: the round cannot give it
  const course = await staff.post('/api/v1/courses', { center: 'chuo', title: '夏の合唱講座', capacity: 50,
    sessions: [{ date: s.s4[0], slot: s.s4[1], room_id: hall }], apply_from: '2026-04-01',
    apply_until: '2026-06-30', allocation: 'first_come' });
  assert.equal(course.status, 201, course.text);

  // the representatives have addresses: each is told the result
  for (const c of reps) sql(srv.db, `UPDATE accounts SET email = 'rep${c.session.system_id}@example.jp' WHERE id = ${c.session.system_id}`);
  // the deadline passes: the close runs by itself
  await restart('2026-04-11T00:00:01+09:00');
  const done = await anon.get(`/api/v1/rounds/${round.id}`);
  assert.equal(done.json.state, 'closed', done.text);
  assert.equal((await staff.post(`/api/v1/rounds/${round.id}/close`)).status, 409);
  const l = (await anon.get(`/api/v1/lotteries/${round.lottery_id}`)).json;
  assert.equal(l.commitment, before.json.commitment);
  assert.equal(sha(Buffer.from(l.seed, 'hex')), l.commitment);

  // recompute: the contested entries in rank order, then the allocation
  const entries = done.json.slots.filter((x) => x.contested).flatMap((x) => x.entries);
  const ranking = [...entries].sort((a, b) => (sha(`${l.seed}:${a}`) < sha(`${l.seed}:${b}`) ? -1 : 1));
  assert.deepEqual(l.ranking, ranking);
  const staffView = (await staff.get(`/api/v1/rounds/${round.id}`)).json;
  const byId = Object.fromEntries(staffView.applications.map((a) => [a.id, a]));
  const live = staffView.applications.filter((a) => a.status !== 'cancelled');
  const key = (a) => `${a.room_id} ${a.date} ${a.slot}`;
  const count = {};
  for (const a of live) count[key(a)] = (count[key(a)] || 0) + 1;
  const order = [...live.filter((a) => count[key(a)] === 1).map((a) => a.id).sort((a, b) => a - b), ...ranking];
  const slotWon = new Set(), wins = {};
  const taken = new Set([`${hall} ${s.s4[0]} ${s.s4[1]}`]);
  for (const id of order) {
    const a = byId[id];
    let want = 'won';
    if (taken.has(key(a))) want = 'taken';
    else if (slotWon.has(key(a))) want = 'drawn';
    else if ((wins[a.group_id] || 0) >= ROUND.cap_slots_per_group) want = 'cap';
    else { slotWon.add(key(a)); wins[a.group_id] = (wins[a.group_id] || 0) + 1; }
    assert.equal(a.status, want === 'won' ? 'won' : 'lost', `application ${id}`);
    if (want !== 'won') assert.equal(a.outcome, want, `application ${id}`);
  }
  assert.equal(byId[app['3s4']].outcome, 'taken');
  assert.equal(byId[app['2s3']].status, 'won');
  assert.equal(byId[app['4s5']].status, 'won');

  // RULE: never more than the cap; one winner a slot; the winners hold bookings
  for (const g of staffView.groups) assert.ok(g.won <= ROUND.cap_slots_per_group, JSON.stringify(g));
  for (const x of done.json.slots) assert.ok(x.winner === undefined || x.entries.includes(x.winner));
  for (const [i, g] of groups.entries()) {
    const n = Number(sql(srv.db, `SELECT count(*) FROM bookings WHERE group_id = ${g} AND date LIKE '2026-07-%' AND status = 'held'`));
    assert.equal(n, staffView.groups.find((x) => x.group_id === g).won, `group ${i}`);
    assert.ok(n <= ROUND.cap_slots_per_group);
  }
  // the pages: staff see the state, the contested slots and each group's result
  const index = await staff.get('/admin/rounds', { Accept: 'text/html' });
  assert.ok(index.text.includes(`href="/admin/rounds/${round.id}"`));
  const sp = await staff.get(`/admin/rounds/${round.id}`, { Accept: 'text/html' });
  assert.equal(sp.status, 200);
  assert.ok(sp.text.includes('抽選済み'));
  assert.ok(sp.text.includes('抽選の会0'));
  assert.match(sp.text, /7月8日（水） 午前 ホール<\/th><td>3件<\/td><td>あり/);
  assert.equal((await reps[0].get(`/admin/rounds/${round.id}`, { Accept: 'application/json' })).status, 403);
  const myPage = await reps[2].get('/my/rounds', { Accept: 'text/html' });
  assert.ok(myPage.text.includes('当選（仮予約になりました'));
  assert.ok(myPage.text.includes(`href="/rounds/${round.id}"`));
  // one message per live application, queued in the close's transaction
  assert.equal(sql(srv.db, "SELECT count(*) FROM outbox WHERE kind = 'round_result'"), String(live.length));
  const winMail = sql(srv.db, `SELECT body FROM outbox WHERE kind = 'round_result' AND account_id = ${reps[2].session.system_id} AND body LIKE '%当選しました%'`);
  assert.match(winMail, /予約番号 \d+/);
  assert.ok(winMail.includes(`/api/v1/rounds/${round.id}`));
  assert.match(sql(srv.db, `SELECT body FROM outbox WHERE kind = 'round_result' AND account_id = ${reps[3].session.system_id} AND body LIKE '%ほかの予約%'`), /2026年7月10日/);
  const mine = await reps[2].get('/api/v1/round-applications');
  assert.equal(mine.status, 200, mine.text);
  const won = mine.json.applications.find((a) => a.id === app['2s3']);
  assert.ok(won.booking_id);
  const b = await reps[2].get(`/api/v1/bookings/${won.booking_id}`);
  assert.equal(b.status, 200, b.text);
  assert.equal(b.json.status, 'held');
  assert.equal(b.json.group_id, groups[2]);
  assert.ok(b.json.fee.total > 0);
  // what remains opens first-come at the usual window (2026-05-01 09:00)
  const fc = await reps[4].post('/api/v1/bookings', { room_id: hall, date: '2026-07-15', slots: ['morning'], purpose: '練習', attendees: 20 });
  assert.equal(fc.json.error.code, 'outside_booking_window', fc.text);
});
