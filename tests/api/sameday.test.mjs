// Same-day use without registration on the web (core/sameday.h; the working
// group's 「空き部屋の当日有効利用」「空室スペースは登録なしで、利用料化」) and campaign
// days (「利用促進キャンペーン(親子の日等を設定し、登録無しで利用可能)」): a visitor
// with no account takes a free slot of today with a name and a phone, through
// the counter's own walk-in (same checks, same storage, same protection against
// a double booking), channel online; and a campaign day's rooms are that day's,
// never booked ahead.
//
// The main server's clock is Wednesday 2026-04-08 10:05 (the morning has
// started; the afternoon and evening are free). Other servers: 17:30 the same
// day (the counter closed), 2026-04-15 (親子の日), and rule books with
// same_day.registration_required true or same_day.online false.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, client, addUser, signIn, browserSession, formBody } from './harness.mjs';

const NOW = '2026-04-08T10:05:00+09:00';
const PW = 'sameday-password-123';
const HTML = { Accept: 'text/html' };
let srv, anon, ids = {}, rooms = {};

function sql(db, q) {
  const r = spawnSync('sqlite3', [db, q], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}
const count = (s) => Number(sql(s.db, 'SELECT count(*) FROM bookings'));

async function roomIds(base) {
  const out = {};
  const c = await client(base).get('/api/v1/centers');
  for (const ce of c.json.centers) for (const r of ce.rooms) out[`${ce.code}/${r.code}`] = r.id;
  return out;
}

const use = (c, room, slots, extra = {}) => c.post('/api/v1/sameday',
  { room_id: rooms[room], slots, name: '前橋 一郎', phone: '027-111-2222', attendees: 3, purpose: '勉強会', ...extra });

// An anonymous browser's form post (no session, so no CSRF token; the Origin is this site's).
const postForm = (base, path, fields, headers = {}) => client(base).req('POST', path, formBody(fields),
  { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'text/html', ...headers });

// A copy of the Maebashi rule book with same_day changed by EDIT.
function ruleBook(edit) {
  const dir = mkdtempSync(join(tmpdir(), 'kominkan-sameday-'));
  cpSync('ordinances/maebashi', dir, { recursive: true });
  for (const f of ['rules-2026-04-01.json', 'rules-2026-10-01.json']) {
    const r = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    edit(r.same_day);
    writeFileSync(join(dir, f), JSON.stringify(r, null, 2));
  }
  return dir;
}

before(async () => {
  srv = await start({ now: NOW });
  ids.staff = await addUser(srv.db, { role: 'staff', name: '窓口 花子', password: PW, center: 'chuo' });
  ids.citizen = await addUser(srv.db, { role: 'citizen', name: '山田 太郎', password: PW });
  ids.analyst = await addUser(srv.db, { role: 'analyst', name: '分析 次郎', password: PW });
  anon = client(srv.base);
  rooms = await roomIds(srv.base);
});
after(async () => { await srv.stop(); });

// RULE: same-day use without registration on the web
test('a visitor takes a free slot of today with a name and a phone: confirmed, channel online, the fee due at the centre', async () => {
  const r = await use(anon, 'chuo/kaigi', ['afternoon'], { name: '前橋 一郎', phone: '０２７－１１１－２２２２' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.status, 'confirmed');
  assert.equal(r.json.channel, 'online');
  assert.equal(r.json.walkin, true);
  assert.deepEqual(r.json.holder, { kind: 'walkin', name: '前橋 一郎', phone: '027-111-2222' });
  assert.equal(r.json.fee.total, 640); // the normal fee of the 大会議室's afternoon
  assert.equal(r.json.due, 640);
  assert.equal(r.json.paid, 0);
  assert.equal(r.json.outstanding, 640);
  assert.equal(r.json.center_phone, '027-000-0001');
  assert.equal(r.headers.get('cache-control'), 'no-store');
  // stored as the counter's walk-ins are: no account, the name and phone on the booking
  assert.equal(sql(srv.db, `SELECT coalesce(account_id, 'none') || '|' || channel || '|' || walkin_name || '|' || walkin_phone
    || '|' || status FROM bookings WHERE id = ${r.json.id}`), 'none|online|前橋 一郎|027-111-2222|confirmed');
  // the slot is taken: the same slot again 409, whoever asks
  const again = await use(anon, 'chuo/kaigi', ['afternoon'], { name: '高崎 次郎', phone: '027-333-4444' });
  assert.equal(again.status, 409, again.text);
  assert.equal(again.json.error.code, 'slot_taken');
  const staff = await signIn(srv.base, ids.staff, PW);
  const desk = await staff.post('/api/v1/counter/walkin', { room_id: rooms['chuo/kaigi'], slots: ['afternoon'], name: '窓口 客', phone: '027-555-6666' });
  assert.equal(desk.status, 409, desk.text);

  // the public feeds show the state and never the name or the phone
  for (const p of ['/api/v1/today?center=chuo', '/api/v1/today.csv', '/api/v1/availability?date=2026-04-08',
    '/today', '/availability?date=2026-04-08&center=chuo', `/rooms/${rooms['chuo/kaigi']}?month=2026-04`,
    '/signage/chuo', '/opendata/availability.csv?from=2026-04-08&to=2026-04-08']) {
    const f = await anon.get(p);
    assert.equal(f.status, 200, `${p}: ${f.text.slice(0, 200)}`);
    assert.ok(!f.text.includes('前橋 一郎') && !f.text.includes('111-2222'), p);
  }
  const feed = await anon.get('/api/v1/today?center=chuo');
  const kaigi = feed.json.centers[0].rooms.find((x) => x.code === 'kaigi');
  assert.equal(kaigi.slots.find((s) => s.code === 'afternoon').state, 'booked');
  // the usage log: one booking.sameday, channel online, no name or phone, no actor
  assert.equal(sql(srv.db, "SELECT count(*) FROM events WHERE action = 'booking.sameday' AND channel = 'online'"
    + ' AND actor IS NULL AND subject IS NULL'), '1');
  assert.equal(sql(srv.db, "SELECT count(*) FROM events WHERE coalesce(detail,'') LIKE '%前橋%'"
    + " OR coalesce(detail,'') LIKE '%111-2222%' OR coalesce(detail,'') LIKE '%0271112222%'"), '0');
  // the reports count it as a same-day use (walk_in) by the web, and name nobody
  const analyst = await signIn(srv.base, ids.analyst, PW);
  const rep = await analyst.get('/api/v1/reports/usage?from=2026-04-08&to=2026-04-08&by=center');
  assert.equal(rep.status, 200, rep.text);
  assert.ok(!rep.text.includes('前橋 一郎') && !rep.text.includes('111-2222'));
  const monthly = await analyst.get('/api/v1/reports/monthly?month=2026-04');
  assert.equal(monthly.status, 200, monthly.text);
  assert.ok(!monthly.text.includes('前橋 一郎') && !monthly.text.includes('111-2222'));
  const walkIn = monthly.json.by_registration.find((x) => x.key === 'walk_in');
  assert.equal(walkIn.walk_ins, 1);
  assert.equal(walkIn.fees_charged, 640);
  assert.equal(monthly.json.by_channel.find((x) => x.key === 'online').walk_ins, 1);
  // the counter sees who is coming and that the fee is still due; the ledger lists it as 当日利用
  const today = await staff.get('/api/v1/counter/today?center=chuo');
  const cell = today.json.rooms.find((x) => x.code === 'kaigi').slots.find((s) => s.code === 'afternoon');
  assert.equal(cell.booking.id, r.json.id);
  assert.equal(cell.booking.channel, 'online');
  assert.equal(cell.booking.walkin, true);
  assert.equal(cell.booking.holder.name, '前橋 一郎');
  assert.equal(cell.booking.holder.phone, '027-111-2222');
  assert.equal(cell.booking.outstanding, 640);
  const ledger = await staff.get('/api/v1/counter/ledger?center=chuo&date=2026-04-08');
  const entry = ledger.json.entries.find((e) => e.booking_id === r.json.id);
  assert.equal(entry.kind, 'walkin');
  assert.equal(entry.channel, 'online');
});

test('only slots of today: tomorrow is refused at its field, a slot under way by the rule book; nothing stored', async () => {
  const before = count(srv);
  const tomorrow = await use(anon, 'chuo/washitsu', ['evening'], { date: '2026-04-09', phone: '027-100-0001' });
  assert.equal(tomorrow.status, 422, tomorrow.text);
  assert.equal(tomorrow.json.error.code, 'validation');
  assert.match(tomorrow.json.error.fields.date, /今日（2026年4月8日（水））の分だけ/);
  // the morning started at 9:00 (same_day.until: slot_start)
  const started = await use(anon, 'chuo/washitsu', ['morning'], { phone: '027-100-0002' });
  assert.equal(started.status, 422, started.text);
  assert.equal(started.json.error.code, 'outside_booking_window');
  // a closed day is closed for everyone (4/20: the 3rd Monday) — and not today anyway
  assert.equal(count(srv), before);
  // the page of tomorrow's slot offers no same-day form
  const page = await anon.get(`/book?room=${rooms['chuo/washitsu']}&date=2026-04-09&slot=evening`, HTML);
  assert.equal(page.status, 200);
  assert.doesNotMatch(page.text, /登録しないで今日使う|action="\/sameday/);
  assert.match(page.text, /登録して予約へ進む/);
});

test('one use a phone a day: a second with the same number (any hyphens) is 422 limit_exceeded; nothing stored', async () => {
  const first = await use(anon, 'chuo/r503', ['afternoon'], { phone: '090-2000-3000' });
  assert.equal(first.status, 201, first.text);
  const before = count(srv);
  const second = await use(anon, 'chuo/r507', ['evening'], { name: '別の 名前', phone: '09020003000' });
  assert.equal(second.status, 422, second.text);
  assert.equal(second.json.error.code, 'limit_exceeded');
  assert.match(second.json.error.message, /1つの電話番号につき1日1回まで/);
  assert.equal(count(srv), before);
  assert.equal(sql(srv.db, "SELECT count(*) FROM booking_slots s JOIN bookings b ON b.id = s.booking_id"
    + ` WHERE s.active = 1 AND s.room_id = ${rooms['chuo/r507']} AND s.date = '2026-04-08' AND s.slot = 'evening'`), '0');
  // on the form: at the phone field, everything else kept
  const form = await postForm(srv.base, '/sameday/review', { room_id: String(rooms['chuo/r507']), date: '2026-04-08',
    slots: 'evening', walkin_name: '別の 名前', walkin_phone: '090-2000-3000', attendees: '2', purpose: '読書' });
  assert.equal(form.status, 422);
  assert.match(form.text, /id="f-walkin_phone-error"[^>]*>.*1日1回まで/s);
  assert.match(form.text, /value="別の 名前"/);
  // a use the centre cancelled frees the number again
  const staff = await signIn(srv.base, ids.staff, PW);
  const c = await staff.post(`/api/v1/bookings/${first.json.id}/cancel`, { reason: '電話で取り消し' });
  assert.equal(c.status, 200, c.text);
  const third = await use(anon, 'chuo/r507', ['evening'], { phone: '090-2000-3000' });
  assert.equal(third.status, 201, third.text);
});

test('mistakes: every one at its field at once (API and form), nothing stored; a room too small at the people', async () => {
  const before = count(srv);
  const bad = await anon.post('/api/v1/sameday', { room_id: rooms['chuo/av'], slots: ['evening'], name: '', phone: '12-34' });
  assert.equal(bad.status, 422, bad.text);
  const f = bad.json.error.fields;
  for (const k of ['name', 'phone', 'attendees', 'purpose']) assert.ok(f[k], `${k}: ${bad.text}`);
  const group = await use(anon, 'chuo/av', ['evening'], { group_id: '123456782', phone: '027-100-0003' });
  assert.equal(group.status, 422);
  assert.ok(group.json.error.fields.group_id);
  const big = await use(anon, 'chuo/washitsu', ['evening'], { attendees: 41, phone: '027-100-0004' }); // 和室: 40
  assert.equal(big.status, 422, big.text);
  assert.equal(big.json.error.code, 'capacity');
  assert.equal(count(srv), before);
  // the no-script form: the errors at the fields, the error summary, what was typed kept
  const form = await postForm(srv.base, '/sameday/review', { room_id: String(rooms['chuo/av']), date: '2026-04-08',
    slots: 'evening', walkin_name: '', walkin_phone: 'abc', attendees: '', purpose: '合唱の練習' });
  assert.equal(form.status, 422);
  assert.match(form.text, /<title>入力エラー: /);
  assert.match(form.text, /class="error-summary"/);
  for (const k of ['walkin_name', 'walkin_phone', 'attendees']) assert.match(form.text, new RegExp(`id="f-${k}-error"`), k);
  assert.match(form.text, /value="合唱の練習"/);
  const onPost = await postForm(srv.base, '/sameday', { room_id: String(rooms['chuo/av']), date: '2026-04-08',
    slots: 'evening', walkin_name: '前橋 三郎', walkin_phone: '027-100-0005', attendees: '100', purpose: '合唱' });
  assert.equal(onPost.status, 422);
  assert.match(onPost.text, /id="f-attendees-error"[^>]*>.*定員/s);
  assert.equal(count(srv), before);
});

test('the web pages: the choice offers 「登録しないで今日使う」, a confirmation step, then the receipt', async () => {
  const room = rooms['chuo/cooking'];
  const page = await anon.get(`/book?room=${room}&date=2026-04-08&slot=evening`, HTML);
  assert.equal(page.status, 200);
  assert.match(page.text, /<h2 id="sameday-title">登録しないで今日使う<\/h2>/);
  assert.match(page.text, /action="\/sameday\/review"/);
  assert.match(page.text, /id="sameday-fee">[\d,]+円</);
  assert.match(page.text, /登録して予約へ進む/, 'signing up is still offered');
  // every field of the page its own id (the sign-up form has name and phone too)
  const idsOnPage = [...page.text.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(idsOnPage).size, idsOnPage.length, 'no id twice');
  // a slot already started, or taken: no form
  const taken = await anon.get(`/book?room=${rooms['chuo/kaigi']}&date=2026-04-08&slot=afternoon`, HTML);
  assert.doesNotMatch(taken.text, /action="\/sameday/);
  // /today tells visitors they need no account for today; /help's words too
  assert.match((await anon.get('/today', HTML)).text, /id="sameday-note"/);
  assert.match((await anon.get('/help', HTML)).text, /「登録しないで今日使う」から、お名前と電話番号だけで申し込めます/);

  const fields = { room_id: String(room), date: '2026-04-08', slots: 'evening', walkin_name: '渋川 桜',
    walkin_phone: '080-1111-2222', attendees: '4', purpose: '料理の練習' };
  const before = count(srv);
  const review = await postForm(srv.base, '/sameday/review', fields);
  assert.equal(review.status, 200, review.text.slice(0, 400));
  assert.match(review.text, /<h1>内容の確認<\/h1>/);
  assert.match(review.text, /個人（渋川 桜）/);
  assert.match(review.text, /2026年4月8日（水）/);
  assert.match(review.text, /action="\/sameday"/);
  assert.equal(count(srv), before, 'the confirmation writes nothing');
  // back to correct: the form with everything kept
  const edit = await postForm(srv.base, '/sameday/review', { ...fields, edit: '1' });
  assert.equal(edit.status, 200);
  assert.match(edit.text, /value="080-1111-2222"/);

  const done = await postForm(srv.base, '/sameday', fields);
  assert.equal(done.status, 200, done.text.slice(0, 400));
  assert.match(done.text, /<h1>当日の利用を受け付けました<\/h1>/);
  const id = done.text.match(/id="booking-id">(\d+)</)[1];
  assert.match(done.text, /受付でこの<strong>予約番号<\/strong>と<strong>お名前<\/strong>を伝えてください/);
  assert.match(done.text, /中央公民館 の窓口で払ってください/);
  assert.match(done.text, /中央公民館 \(電話 027-000-0001\)/);
  assert.equal(sql(srv.db, `SELECT channel || '|' || walkin_name || '|' || walkin_phone FROM bookings WHERE id = ${id}`),
    'online|渋川 桜|080-1111-2222');
});

test('a name of 50 characters (the most the form takes) is kept whole: the receipt and the counter\'s screen', async () => {
  const name = '前'.repeat(25) + '橋'.repeat(25);
  const done = await postForm(srv.base, '/sameday', { room_id: String(rooms['chuo/av']), date: '2026-04-08', slots: 'afternoon',
    walkin_name: name, walkin_phone: '027-444-5555', attendees: '2', purpose: '練習' });
  assert.equal(done.status, 200, done.text.slice(0, 300));
  assert.ok(done.text.includes(`個人（${name}）`), 'the whole name on the receipt');
  const staff = await signIn(srv.base, ids.staff, PW);
  const today = await staff.get('/api/v1/counter/today?center=chuo');
  const cell = today.json.rooms.find((x) => x.code === 'av').slots.find((s) => s.code === 'afternoon');
  assert.equal(cell.booking.holder.name, name);
  assert.equal((await use(anon, 'chuo/av', ['afternoon'], { name: '前'.repeat(51), phone: '027-444-6666' })).json.error.fields.name,
    'お名前は50文字以内で入力してください。');
});

test('CSRF: a post from another site is refused (anonymous: Origin); a signed-in post needs its token', async () => {
  const fields = { room_id: String(rooms['chuo/hall']), date: '2026-04-08', slots: 'evening', walkin_name: '他所 から',
    walkin_phone: '027-999-0000', attendees: '5', purpose: '会合' };
  const before = count(srv);
  const evil = await postForm(srv.base, '/sameday', fields, { Origin: 'https://evil.example' });
  assert.equal(evil.status, 403);
  assert.equal((await postForm(srv.base, '/sameday/review', fields, { Origin: 'null' })).status, 403);
  const citizen = await browserSession(srv.base, ids.citizen, PW);
  const noToken = await citizen.req('POST', '/sameday', formBody(fields),
    { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'text/html' });
  assert.equal(noToken.status, 403);
  assert.equal(count(srv), before);
  // from this site, it goes through
  const ok = await postForm(srv.base, '/sameday', fields, { Origin: srv.base });
  assert.equal(ok.status, 200, ok.text.slice(0, 300));
});

// RULE: same-day use without registration works when the counter is closed
test('in the evening, with the counter closed, the web still takes today\'s free slot (the counter does not)', async () => {
  const s = await start({ now: '2026-04-08T17:30:00+09:00' });
  try {
    const staffId = await addUser(s.db, { role: 'staff', name: '窓口 夕方', password: PW, center: 'chuo' });
    const staff = await signIn(s.base, staffId, PW);
    const r = await client(s.base).post('/api/v1/sameday', { room_id: rooms['chuo/r503'], slots: ['evening'],
      name: '夜間 利用', phone: '027-200-3000', attendees: 2, purpose: '自習' });
    assert.equal(r.status, 201, r.text);
    const desk = await staff.post('/api/v1/counter/walkin', { room_id: rooms['chuo/r507'], slots: ['evening'],
      name: '窓口 客', phone: '027-200-4000' });
    assert.equal(desk.status, 422);
    assert.equal(desk.json.error.code, 'outside_counter_hours');
  } finally { await s.stop(); }
});

// RULE: same-day use without registration is throttled per address
test('the throttle: 10 uses taken an hour from one address, then 429 with Retry-After and nothing stored', async () => {
  const s = await start({ now: NOW });
  try {
    const rs = await roomIds(s.base);
    const c = client(s.base);
    const free = [];
    for (const room of ['hall', 'r503', 'r507', 'kaigi', 'washitsu', 'cooking']) for (const slot of ['afternoon', 'evening'])
      free.push([rs[`chuo/${room}`], slot]);
    // a mistake or a slot someone had first costs nothing
    assert.equal((await c.post('/api/v1/sameday', { room_id: free[0][0], slots: [free[0][1]], name: '', phone: '1' })).status, 422);
    for (let i = 0; i < 10; i++) {
      const r = await c.post('/api/v1/sameday', { room_id: free[i][0], slots: [free[i][1]], name: `利用 ${i}`,
        phone: `027-300-${String(1000 + i)}`, attendees: 1, purpose: '自習' });
      assert.equal(r.status, 201, `${i}: ${r.text}`);
    }
    const n = count(s);
    const over = await c.post('/api/v1/sameday', { room_id: free[10][0], slots: [free[10][1]], name: '利用 10',
      phone: '027-300-2000', attendees: 1, purpose: '自習' });
    assert.equal(over.status, 429, over.text);
    assert.equal(over.json.error.code, 'rate_limited');
    assert.ok(Number(over.headers.get('retry-after')) > 0);
    assert.equal(count(s), n);
    // the form says it too, with the fields kept
    const form = await postForm(s.base, '/sameday', { room_id: String(free[11][0]), date: '2026-04-08', slots: free[11][1],
      walkin_name: '利用 11', walkin_phone: '027-300-2001', attendees: '1', purpose: '自習' });
    assert.equal(form.status, 429);
    assert.ok(Number(form.headers.get('retry-after')) > 0);
    assert.match(form.text, /value="利用 11"/);
    assert.equal(count(s), n);
  } finally { await s.stop(); }
});

// RULE: same-day walk-in only when the rule book says so (same_day.online, registration_required)
for (const [what, edit] of [
  ['registration_required true', (sd) => { sd.registration_required = true; }],
  ['online false', (sd) => { sd.online = false; }],
]) {
  test(`a rule book with same_day ${what}: no form offered and the post refused`, async () => {
    const book = ruleBook(edit);
    const s = await start({ now: NOW, args: ['--ordinances', book] });
    try {
      const rs = await roomIds(s.base);
      const c = client(s.base);
      const page = await c.get(`/book?room=${rs['chuo/kaigi']}&date=2026-04-08&slot=evening`, HTML);
      assert.equal(page.status, 200);
      assert.doesNotMatch(page.text, /登録しないで今日使う|action="\/sameday/);
      assert.doesNotMatch((await c.get('/today', HTML)).text, /id="sameday-note"/);
      assert.doesNotMatch((await c.get('/help', HTML)).text, /登録しないで今日使う/);
      const staff = await signIn(s.base, await addUser(s.db, { role: 'staff', name: '窓口 規則', password: PW, center: 'chuo' }), PW);
      const guide = await staff.get('/admin/help', HTML);
      assert.equal(guide.status, 200);
      assert.doesNotMatch(guide.text, /当日利用 \(登録なし\)/);
      const r = await c.post('/api/v1/sameday', { room_id: rs['chuo/kaigi'], slots: ['evening'], name: '前橋 一郎',
        phone: '027-111-2222', attendees: 3, purpose: '勉強会' });
      assert.equal(r.status, 422, r.text);
      assert.equal(r.json.error.code, 'outside_booking_window');
      assert.match(r.json.error.message, online(what) ? /登録なしの当日利用は、今日は大会議室では受け付けていません/
        : /インターネットでは受け付けていません/);
      const form = await postForm(s.base, '/sameday', { room_id: String(rs['chuo/kaigi']), date: '2026-04-08',
        slots: 'evening', walkin_name: '前橋 一郎', walkin_phone: '027-111-2222', attendees: '3', purpose: '勉強会' });
      assert.equal(form.status, 422);
      assert.doesNotMatch(form.text, /action="\/sameday/);
      assert.equal(count(s), 0);
    } finally {
      await s.stop();
      rmSync(book, { recursive: true, force: true });
    }
  });
}
function online(what) { return what.startsWith('registration'); }

// RULE: campaign days
test('campaign days: the campaign\'s rooms are not booked ahead (online, at the counter); other rooms are', async () => {
  const citizen = await signIn(srv.base, ids.citizen, PW);
  const staff = await signIn(srv.base, ids.staff, PW);
  const before = count(srv);
  // 2026-04-15 親子の日: 和室 and 学習室
  const ahead = await citizen.post('/api/v1/bookings', { room_id: rooms['chuo/washitsu'], date: '2026-04-15',
    slots: ['morning'], purpose: '茶話会', attendees: 5 });
  assert.equal(ahead.status, 422, ahead.text);
  assert.equal(ahead.json.error.code, 'campaign_day');
  assert.equal(ahead.json.error.message,
    '2026年4月15日（水）は親子の日のため、和室は当日、登録なしで使えます（無料。事前の予約はできません）。');
  // 2026-04-11 (Sat) 自習室開放: 学習室
  const sat = await citizen.post('/api/v1/bookings', { room_id: rooms['chuo/r503'], date: '2026-04-11',
    slots: ['afternoon'], purpose: '学習会', attendees: 5 });
  assert.equal(sat.status, 422);
  assert.equal(sat.json.error.code, 'campaign_day');
  assert.match(sat.json.error.message, /自習室開放のため/);
  // at the counter, for a citizen: the same
  const desk = await staff.post('/api/v1/bookings', { on_behalf_of: ids.citizen, room_id: rooms['chuo/r507'],
    date: '2026-04-15', slots: ['evening'], purpose: '学習会', attendees: 5 });
  assert.equal(desk.status, 422, desk.text);
  assert.equal(desk.json.error.code, 'campaign_day');
  assert.equal(count(srv), before);
  // a room the campaign does not name is booked as ever that day
  const other = await citizen.post('/api/v1/bookings', { room_id: rooms['chuo/kaigi'], date: '2026-04-15',
    slots: ['morning'], purpose: '会議', attendees: 5 });
  assert.equal(other.status, 201, other.text);

  // the feeds: free (usable that day), "booking":"campaign_day"; the pages: 当日のみ, no link to book
  const feed = await anon.get('/api/v1/availability?date=2026-04-15&center=chuo');
  const wa = feed.json.centers[0].rooms.find((x) => x.code === 'washitsu');
  for (const sl of wa.slots) {
    assert.equal(sl.state, 'free');
    assert.equal(sl.booking, 'campaign_day');
  }
  const day = await anon.get('/availability?date=2026-04-15&center=chuo', HTML);
  assert.match(day.text, /<td class="st st-sameday"><span class="sym" aria-hidden="true">△<\/span>当日<wbr>のみ<\/td>/);
  assert.ok(!day.text.includes(`/book?room=${rooms['chuo/washitsu']}&amp;date=2026-04-15`), 'no link to book it ahead');
  assert.ok(day.text.includes(`/book?room=${rooms['chuo/kaigi']}&amp;date=2026-04-15`), 'other rooms still link');
  assert.match(day.text, /当日のみ: キャンペーンの日で、当日、登録なしで無料で使えます/);
  // the clerks' guide says both, from the rule book
  const guide = await staff.get('/admin/help', HTML);
  assert.equal(guide.status, 200);
  assert.match(guide.text, /<li>親子の日: その日の対象の部屋は、無料で、登録なしで使えます。前もって予約はできません/);
  assert.match(guide.text, /<li>当日利用 \(登録なし\): 窓口が閉まっている時間や土日も/);
  const month = await anon.get(`/rooms/${rooms['chuo/washitsu']}?month=2026-04`, HTML);
  assert.ok(!month.text.includes(`date=2026-04-15&amp;slot=`), 'the month links no slot of the 15th');
  // someone who follows an old link is told why, with the ways back, and offered no sign-up
  const page = await anon.get(`/book?room=${rooms['chuo/washitsu']}&date=2026-04-15&slot=morning`, HTML);
  assert.match(page.text, /親子の日のため、和室は当日、登録なしで使えます/);
  assert.doesNotMatch(page.text, /登録して予約へ進む|action="\/sameday/);
  // a citizen's form does not list the day; chosen anyway, it says why at the top
  const cz = await browserSession(srv.base, ids.citizen, PW);
  const form = await cz.get(`/book?room=${rooms['chuo/washitsu']}`, HTML);
  assert.doesNotMatch(form.text, /<option value="2026-04-15"/);
  const chosen = await cz.get(`/book?room=${rooms['chuo/washitsu']}&date=2026-04-15&slot=morning`, HTML);
  assert.match(chosen.text, /親子の日のため、和室は当日、登録なしで使えます/);
  const review = await cz.postForm('/book/review', { room_id: String(rooms['chuo/washitsu']), date: '2026-04-15',
    slots: 'morning', purpose: '茶話会', attendees: '5' });
  assert.equal(review.status, 422);
  assert.match(review.text, /id="f-date-error"[^>]*>.*親子の日のため/s);
});

test('on the campaign day itself: the campaign room is taken online without registration, free of charge', async () => {
  const s = await start({ now: '2026-04-15T10:05:00+09:00' }); // 親子の日 (Wednesday)
  try {
    const rs = await roomIds(s.base);
    const c = client(s.base);
    const page = await c.get(`/book?room=${rs['chuo/washitsu']}&date=2026-04-15&slot=afternoon`, HTML);
    assert.match(page.text, /id="sameday-fee">無料 \(親子の日\)</);
    const r = await c.post('/api/v1/sameday', { room_id: rs['chuo/washitsu'], slots: ['afternoon', 'evening'],
      name: '親子 花子', phone: '090-5555-6666', attendees: 4, purpose: '読み聞かせ' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.fee.total, 0);
    assert.equal(r.json.fee.campaign, '親子の日');
    assert.equal(r.json.due, 0);
    assert.equal(r.json.outstanding, 0);
    // the receipt says there is nothing to pay
    const done = await postForm(s.base, '/sameday', { room_id: String(rs['chuo/r503']), date: '2026-04-15',
      slots: 'evening', walkin_name: '親子 次郎', walkin_phone: '090-5555-7777', attendees: '2', purpose: '宿題' });
    assert.equal(done.status, 200, done.text.slice(0, 300));
    assert.match(done.text, /この予約の使用料はかかりません/);
    assert.match(done.text, /親子の日のため無料です/);
  } finally { await s.stop(); }
});

test('campaign rooms stay open to same-day use without registration even where the rule book otherwise requires it', async () => {
  const book = ruleBook((sd) => { sd.registration_required = true; });
  const s = await start({ now: '2026-04-15T10:05:00+09:00', args: ['--ordinances', book] });
  try {
    const rs = await roomIds(s.base);
    const c = client(s.base);
    const free = await c.post('/api/v1/sameday', { room_id: rs['chuo/washitsu'], slots: ['evening'], name: '親子 一郎',
      phone: '090-7777-8888', attendees: 2, purpose: '読み聞かせ' });
    assert.equal(free.status, 201, free.text);
    assert.equal(free.json.fee.total, 0);
    const paid = await c.post('/api/v1/sameday', { room_id: rs['chuo/kaigi'], slots: ['evening'], name: '会議 一郎',
      phone: '090-7777-9999', attendees: 2, purpose: '会議' });
    assert.equal(paid.status, 422, paid.text);
  } finally {
    await s.stop();
    rmSync(book, { recursive: true, force: true });
  }
});
