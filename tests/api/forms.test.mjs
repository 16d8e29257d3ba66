// The online forms (POST /forms/booking|group|discount|cancel) and the pages
// around them over HTTP: urlencoded posts from plain HTML forms, the CSRF
// field, receipts as HTML and as JSON, 422 with the form again (every value
// kept, never a password, an error at each field and a summary linking to
// it), and every submission kept with its receipt number and outcome in
// form_submissions and the usage log, checked in the database itself.
//
// The clock: 2026-04-01 09:00 JST, the minute booking for June opens.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { start, client, addUser, signIn } from './harness.mjs';

const NOW = '2026-04-01T09:00:00+09:00';
const PW = 'forms-test-password-1';
const HTML = { Accept: 'text/html' };
let srv, anon, ids = {}, rooms = {};

function sql(q) {
  return execFileSync('sqlite3', [srv.db, q], { encoding: 'utf8' }).trim();
}
const count = (table, where = '1') => Number(sql(`SELECT count(*) FROM ${table} WHERE ${where}`));

// application/x-www-form-urlencoded, arrays as repeated names
function form(fields) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of [].concat(v)) p.append(k, String(x));
  return p.toString();
}
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

// A browser: the session cookie, and the CSRF token only in the form's field.
async function browser(who) {
  const api = await signIn(srv.base, ids[who], PW, { cookie: true });
  const c = client(srv.base, { cookie: api.cookie });
  c.csrf_token = api.session.csrf_token;
  c.postForm = (path, fields, headers = {}) =>
    c.req('POST', path, form({ csrf_token: c.csrf_token, ...fields }), { ...FORM, ...HTML, ...headers });
  return c;
}

function booking(extra = {}) {
  return { room_id: rooms.r503, date: '2026-06-10', slots: ['morning'], purpose: '短歌の例会', attendees: '8', ...extra };
}

before(async () => {
  srv = await start({ now: NOW });
  anon = client(srv.base);
  for (const who of ['hanako', 'jiro', 'saburo', 'shiro'])
    ids[who] = await addUser(srv.db, { role: 'citizen', name: '前橋 花子', password: PW });
  ids.staff = await addUser(srv.db, { role: 'staff', name: '窓口 太郎', center: 'chuo', password: PW });
  ids.admin = await addUser(srv.db, { role: 'admin', name: '管理 一郎', password: PW });
  const centers = (await anon.get('/api/v1/centers')).json.centers;
  for (const r of centers.find((c) => c.code === 'chuo').rooms) rooms[r.code] = r.id;
});
after(async () => { await srv.stop(); });

test('a booking posted as a plain HTML form: a receipt page with its one number (予約番号), the hold and its expiry', async () => {
  const b = await browser('hanako');
  const r = await b.postForm('/forms/booking', booking());
  assert.equal(r.status, 200, r.text.slice(0, 400));
  assert.match(r.headers.get('content-type'), /^text\/html/);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.match(r.text, /<title>仮予約を受け付けました \|/);
  // the exact expiry and the way to confirm (WCAG 2.2.1)
  assert.match(r.text, /2026年4月4日（土）9:00<\/strong> までに/);
  const id = r.text.match(/action="\/my\/bookings\/(\d+)\/confirm"/)[1];
  // one number for the citizen: the 予約番号; the form's receipt number stays with the submission
  assert.match(r.text, new RegExp(`id="booking-id">${id}<`));
  const receipt = sql(`SELECT receipt FROM form_submissions WHERE kind='booking' AND result_id='${id}'`);
  assert.match(receipt, /^20260401-\d{4}$/);
  assert.ok(!r.text.includes(receipt), 'the receipt number is not a second number on the page');
  // stored: the submission with its outcome, and the booking made through the form channel
  assert.equal(sql(`SELECT kind||'|'||outcome||'|'||status||'|'||result_id FROM form_submissions WHERE receipt='${receipt}'`),
    `booking|accepted|201|${id}`);
  assert.equal(sql(`SELECT status||'|'||channel FROM bookings WHERE id=${id}`), 'held|form');
  assert.equal(count('events', `action='form.accepted' AND channel='form'`), 1);
  // the receipt number is on the citizen's receipt: the usage log holds only its pseudonym
  assert.equal(count('events', `detail LIKE '%${receipt}%'`), 0);
  assert.equal(count('events', `action='booking.hold' AND channel='form'`), 1);
  // no CSRF token in the stored payload
  assert.doesNotMatch(sql(`SELECT payload FROM form_submissions WHERE receipt='${receipt}'`), /csrf/);
  // the booking's own page: the 予約番号 only; staff also see the form's receipt number
  const page = await b.get(`/my/bookings/${id}`, HTML);
  assert.equal(page.status, 200);
  assert.match(page.text, new RegExp(`予約番号 ${id}`));
  assert.ok(!page.text.includes(receipt), page.text.slice(page.text.indexOf(receipt) - 300, page.text.indexOf(receipt) + 50));
  const staffPage = await (await browser('staff')).get(`/my/bookings/${id}`, HTML);
  assert.ok(staffPage.text.includes(receipt));
});

test('one step (issue 13 point 16): confirm=1 books and confirms at once; the receipt links the permit', async () => {
  const b = await browser('saburo');
  const r = await b.postForm('/forms/booking', booking({ date: '2026-06-12', confirm: '1', idempotency_key: 'one-step-1' }));
  assert.equal(r.status, 200, r.text.slice(0, 400));
  assert.match(r.text, /<title>予約が確定しました \|/);
  const id = r.text.match(/id="booking-id">(\d+)</)[1];
  assert.equal(sql(`SELECT status FROM bookings WHERE id=${id}`), 'confirmed');
  assert.match(r.text, new RegExp(`href="/my/bookings/${id}/permit"`));
  assert.doesNotMatch(r.text, /action="\/my\/bookings\/\d+\/confirm"/);
  // a reload (the same key) replays it, still confirmed, nothing new
  const again = await b.postForm('/forms/booking', booking({ date: '2026-06-12', confirm: '1', idempotency_key: 'one-step-1' }));
  assert.match(again.text, new RegExp(`id="booking-id">${id}<`));
  assert.equal(count('bookings', "date='2026-06-12'"), 1);
  // JSON clients see the state it is in
  // (a weekday: a Saturday's 学習室 is 自習室開放's, used that day and never booked ahead)
  const j = await b.postForm('/forms/booking', booking({ date: '2026-06-19', confirm: '1' }), { Accept: 'application/json' });
  assert.equal(j.status, 201, j.text);
  assert.equal(j.json.status, 'confirmed');
  // the JSON API takes the same choice: "confirm": true makes it confirmed in one transaction
  const api = await signIn(srv.base, ids.saburo, PW);
  const a = await api.post('/api/v1/bookings', { ...booking({ date: '2026-06-18', room_id: rooms.r507 }), attendees: 8, confirm: true });
  assert.equal(a.status, 201, a.text);
  assert.equal(a.json.status, 'confirmed');
  assert.equal(sql(`SELECT status||'|'||(hold_expires_at IS NULL)||'|'||(confirmed_at IS NOT NULL) FROM bookings WHERE id=${a.json.id}`),
    'confirmed|1|1');
  // the review page offers the one step first, and the hold as the other choice
  const rev = await b.postForm('/book/review', booking({ date: '2026-06-16' }));
  assert.equal(rev.status, 200, rev.text.slice(0, 300));
  assert.match(rev.text, /name="confirm" value="1">この内容で予約する</);
  assert.match(rev.text, /name="confirm" value="0">仮予約にする</);
});

test('Accept: application/json gives 201 {"receipt","status"}; a rejection gives the error JSON with its receipt', async () => {
  const b = await browser('jiro');
  const ok = await b.postForm('/forms/booking', booking({ date: '2026-06-11' }), { Accept: 'application/json' });
  assert.equal(ok.status, 201, ok.text);
  assert.match(ok.json.receipt, /^20260401-\d{4}$/);
  assert.equal(ok.json.status, 'held');
  assert.match(ok.json.id, /^\d+$/);
  const bad = await b.postForm('/forms/booking', booking({ purpose: '', attendees: 'x' }), { Accept: 'application/json' });
  assert.equal(bad.status, 422);
  assert.equal(bad.json.error.code, 'validation');
  assert.deepEqual(Object.keys(bad.json.error.fields).sort(), ['attendees', 'purpose']);
  assert.match(bad.json.receipt, /^20260401-\d{4}$/);
  assert.equal(sql(`SELECT outcome||'|'||status||'|'||error_code FROM form_submissions WHERE receipt='${bad.json.receipt}'`),
    'rejected|422|validation');
});

test('CSRF: a signed-in post without the form field (or with a wrong one) is refused, and nothing is stored', async () => {
  const b = await browser('saburo');
  const before = [count('form_submissions'), count('bookings'), count('events')];
  const none = await b.req('POST', '/forms/booking', form(booking({ date: '2026-06-12' })), { ...FORM, ...HTML });
  assert.equal(none.status, 403);
  assert.match(none.text, /画面の有効期限が切れました/);
  const wrong = await b.req('POST', '/forms/booking', form({ ...booking({ date: '2026-06-12' }), csrf_token: 'x'.repeat(43) }),
    { ...FORM, Accept: 'application/json' });
  assert.equal(wrong.status, 403);
  assert.equal(wrong.json.error.code, 'forbidden');
  for (const kind of ['group', 'cancel', 'discount']) {
    const r = await b.req('POST', `/forms/${kind}`, form({ booking_id: 1 }), FORM);
    assert.equal(r.status, 403, kind);
  }
  assert.deepEqual([count('form_submissions'), count('bookings'), count('events')], before);
  // anonymous: sign in first (401), nothing stored either
  const a = await anon.req('POST', '/forms/booking', form(booking()), { ...FORM, ...HTML });
  assert.equal(a.status, 401);
  assert.match(a.text, /href="\/signin"/);
  assert.deepEqual([count('form_submissions'), count('bookings'), count('events')], before);
});

test('422: the form again with every value kept, an error at each field and a summary linking to it; only the rejection is stored', async () => {
  const b = await browser('saburo');
  const before = { subs: count('form_submissions'), bookings: count('bookings'), slots: count('booking_slots'), events: count('events') };
  const sent = booking({ date: '2026-06-15', purpose: '', attendees: '十二', slots: ['morning', 'evening'] });
  const r = await b.postForm('/forms/booking', sent);
  assert.equal(r.status, 422);
  assert.match(r.text, /<title>入力エラー: 予約の申し込み \|/);
  // the summary at the top links to each field in error
  const summary = r.text.match(/<section class="error-summary"[\s\S]*?<\/section>/)[0];
  assert.match(summary, /href="#f-purpose"/);
  assert.match(summary, /href="#f-attendees"/);
  // each error next to its field, tied to it
  assert.match(r.text, /id="f-purpose"[^>]*aria-invalid="true"[^>]*aria-describedby="[^"]*f-purpose-error"/);
  assert.match(r.text, /<p class="field-error" id="f-attendees-error">/);
  // what was typed is still there
  assert.match(r.text, /id="f-attendees" name="attendees" value="十二"/);
  assert.match(r.text, /<option value="2026-06-15" selected>/);
  assert.match(r.text, /id="f-slots" name="slots" value="morning" checked/);
  assert.match(r.text, /name="slots" value="evening" checked/);
  assert.doesNotMatch(r.text, /受付番号/); // a refused form has no number to show
  const receipt = sql("SELECT receipt FROM form_submissions ORDER BY rowid DESC LIMIT 1");
  // stored: the rejected submission and its usage-log entry, nothing else
  assert.equal(count('form_submissions'), before.subs + 1);
  assert.equal(count('bookings'), before.bookings);
  assert.equal(count('booking_slots'), before.slots);
  assert.equal(count('events'), before.events + 1);
  assert.equal(sql('SELECT action FROM events ORDER BY id DESC LIMIT 1'), 'form.rejected');
  const row = sql(`SELECT outcome||'|'||status||'|'||error_code||'|'||field_errors FROM form_submissions WHERE receipt='${receipt}'`);
  assert.match(row, /^rejected\|422\|validation\|\{"attendees":.*"purpose":/);
  // the payload is what was typed
  assert.match(sql(`SELECT payload FROM form_submissions WHERE receipt='${receipt}'`), /"attendees":"十二"/);
  // the usage log has codes only: nothing typed
  assert.doesNotMatch(sql("SELECT group_concat(detail) FROM events WHERE action LIKE 'form.%'"), /十二|短歌/);
});

test('a refusal by a rule is shown at its field: 409 slot_taken at the slots, values kept, stored as rejected', async () => {
  const b = await browser('shiro');
  const r = await b.postForm('/forms/booking', booking()); // hanako holds 2026-06-10 morning
  assert.equal(r.status, 409);
  assert.match(r.text, /<p class="field-error" id="f-slots-error">[\s\S]*?すでに予約されています/);
  assert.match(r.text, /href="#f-slots"/);
  assert.match(r.text, /name="purpose" value="短歌の例会"/);
  const receipt = sql("SELECT receipt FROM form_submissions ORDER BY rowid DESC LIMIT 1");
  assert.equal(sql(`SELECT outcome||'|'||status||'|'||error_code FROM form_submissions WHERE receipt='${receipt}'`),
    'rejected|409|slot_taken');
  // a closed day at the date (2026-06-01 is the first Monday)
  const c = await b.postForm('/forms/booking', booking({ date: '2026-06-01' }));
  assert.equal(c.status, 422);
  assert.match(c.text, /id="f-date-error">[\s\S]*?休館日/);
});

test('a double click applies once: the same idempotency_key gives the first receipt, nothing new stored', async () => {
  const b = await browser('shiro');
  const fields = booking({ date: '2026-06-17', idempotency_key: 'k-1234567890' });
  const one = await b.postForm('/forms/booking', fields, { Accept: 'application/json' });
  assert.equal(one.status, 201, one.text);
  const n = count('form_submissions');
  const two = await b.postForm('/forms/booking', fields, { Accept: 'application/json' });
  assert.equal(two.status, 201);
  assert.deepEqual(two.json, one.json);
  assert.equal(count('form_submissions'), n);
  const html = await b.postForm('/forms/booking', fields);
  assert.equal(html.status, 200);
  assert.ok(html.text.includes(`id="booking-id">${one.json.id}<`));
  assert.equal(count('bookings', "date='2026-06-17'"), 1);
});

test('the confirmation step (POST /book/review) writes nothing and shows centre, room, date, slots and fee', async () => {
  const b = await browser('jiro');
  const n = [count('form_submissions'), count('bookings'), count('events')];
  const r = await b.postForm('/book/review', booking({ date: '2026-06-18', slots: ['afternoon', 'morning'] }));
  assert.equal(r.status, 200, r.text.slice(0, 300));
  for (const s of ['中央公民館', '503学習室', '2026年6月18日（木）', '午前・午後 (9:00〜17:00)', '400円'])
    assert.ok(r.text.includes(s), s);
  assert.match(r.text, /action="\/forms\/booking"/);
  assert.match(r.text, /name="idempotency_key" value="[0-9a-f]{32}"/);
  assert.deepEqual([count('form_submissions'), count('bookings'), count('events')], n);
  const bad = await b.postForm('/book/review', booking({ attendees: '' }));
  assert.equal(bad.status, 422);
  assert.match(bad.text, /id="f-attendees-error"/);
  assert.deepEqual([count('form_submissions'), count('bookings'), count('events')], n);
});

test('confirm, permit with its QR code, cancel through /forms/cancel', async () => {
  const b = await browser('hanako');
  const id = sql(`SELECT id FROM bookings WHERE account_id=${ids.hanako} AND date='2026-06-10'`);
  const c = await b.postForm(`/my/bookings/${id}/confirm`, {});
  assert.equal(c.status, 303);
  assert.equal(c.headers.get('location'), `/my/bookings/${id}?done=confirmed`);
  const p = await b.get(`/my/bookings/${id}/permit`, HTML);
  assert.equal(p.status, 200);
  assert.match(p.text, /<svg class="qr" role="img" aria-label="利用許可書のQRコード" viewBox="0 0 \d+ \d+"/);
  const token = p.text.match(/id="permit-token">([^<]+)</)[1];
  const v = await anon.post('/api/v1/permits/verify', { permit: token });
  assert.equal(v.json.valid, true);
  assert.equal(v.json.status, 'confirmed');
  const page = await b.get(`/my/bookings/${id}/cancel`, HTML);
  assert.equal(page.status, 200);
  assert.match(page.text, /無料で取り消せるのは <strong>2026年6月3日（水）<\/strong> まで/);
  const r = await b.postForm('/forms/cancel', { booking_id: id, reason: '都合により' });
  assert.equal(r.status, 200, r.text.slice(0, 300));
  const receipt = r.text.match(/id="receipt">(\d{8}-\d{4})</)[1];
  assert.equal(sql(`SELECT kind||'|'||outcome||'|'||result_id FROM form_submissions WHERE receipt='${receipt}'`), `cancel|accepted|${id}`);
  // the receipt: the booking cancelled, its fee (free before the deadline) and its facts
  assert.match(r.text, /<title>予約を取り消しました \|/);
  assert.match(r.text, new RegExp(`予約番号 <strong>${id}</strong> ・ <strong id="called-off-fee">取消料なし \\(支払いはありません\\)</strong>`));
  assert.match(r.text, /<dt>利用する日<\/dt><dd>2026年6月10日（水）<\/dd>/);
  assert.equal(sql(`SELECT status||'|'||cancel_reason FROM bookings WHERE id=${id}`), 'cancelled|都合により');
  // again: 409, stored as rejected
  const again = await b.postForm('/forms/cancel', { booking_id: id }, { Accept: 'application/json' });
  assert.equal(again.status, 409);
  assert.equal(sql(`SELECT outcome||'|'||error_code FROM form_submissions WHERE receipt='${again.json.receipt}'`), 'rejected|conflict');
  // someone else's booking does not exist for them
  const other = await (await browser('jiro')).postForm('/forms/cancel', { booking_id: id }, { Accept: 'application/json' });
  assert.equal(other.status, 404);
});

test('名義 on a booking\'s pages: 個人（the booker\'s name） for a booking made alone, to the booker and to staff; a group\'s booking in the group\'s name', async () => {
  ids.rokuro = await addUser(srv.db, { role: 'citizen', name: '前橋 六郎', password: PW });
  const b = await browser('rokuro');
  const mine = /<dt>名義<\/dt><dd>個人（前橋 六郎）<\/dd>/;
  // the confirmation step, the receipt, the booking's page
  const review = await b.postForm('/book/review', booking({ date: '2026-06-25' }));
  assert.equal(review.status, 200, review.text.slice(0, 300));
  assert.match(review.text, mine);
  const made = await b.postForm('/forms/booking', booking({ date: '2026-06-25' }));
  assert.equal(made.status, 200, made.text.slice(0, 300));
  const id = made.text.match(/action="\/my\/bookings\/(\d+)\/confirm"/)[1];
  const page = await b.get(`/my/bookings/${id}`, HTML);
  assert.equal(page.status, 200);
  assert.match(page.text, mine);
  assert.doesNotMatch(page.text, /<dd>個人<\/dd>/);
  assert.match((await b.get(`/my/bookings/${id}/cancel`, HTML)).text, mine);
  // staff looking it up see whose it is
  const st = await (await browser('staff')).get(`/my/bookings/${id}`, HTML);
  assert.equal(st.status, 200);
  assert.match(st.text, mine);
  // a group's booking is in the group's name
  const reg = await b.postForm('/forms/group', { name: '前橋六郎の会', name_kana: 'まえばしろくろうのかい', members: '6',
    resident_members: '5', public_listing: '0' });
  const gid = reg.text.match(/id="group-id">(\d{9})</)[1];
  const staff = await signIn(srv.base, ids.staff, PW);
  assert.equal((await staff.post(`/api/v1/groups/${gid}/approve`)).status, 200);
  const gb = await b.postForm('/forms/booking', booking({ date: '2026-06-26', group_id: gid }), { Accept: 'application/json' });
  assert.equal(gb.status, 201, gb.text);
  assert.match((await b.get(`/my/bookings/${gb.json.id}`, HTML)).text, /<dt>名義<\/dt><dd>前橋六郎の会<\/dd>/);
});

test('group registration: receipt with the group ID; the residency rule at its field; no password ever stored', async () => {
  const b = await browser('saburo');
  const ok = await b.postForm('/forms/group', { name: '前橋囲碁クラブ', name_kana: 'まえばしいごくらぶ', members: '10',
    resident_members: '8', activity: '毎週の対局', public_listing: '1', password: 'should-never-be-stored' });
  assert.equal(ok.status, 200, ok.text.slice(0, 300));
  const gid = ok.text.match(/id="group-id">(\d{9})</)[1];
  assert.equal(sql(`SELECT status||'|'||public_listing FROM groups WHERE id=${gid}`), 'pending|1');
  const receipt = ok.text.match(/id="receipt">(\d{8}-\d{4})</)[1];
  assert.equal(sql(`SELECT kind||'|'||outcome||'|'||result_id FROM form_submissions WHERE receipt='${receipt}'`), `group|accepted|${gid}`);
  assert.doesNotMatch(sql('SELECT group_concat(payload) FROM form_submissions'), /should-never-be-stored|password/);
  const n = count('groups');
  const bad = await b.postForm('/forms/group', { name: '少数の会', name_kana: 'しょうすうのかい', members: '4', resident_members: '1', public_listing: '0' });
  assert.equal(bad.status, 422);
  assert.match(bad.text, /id="f-resident_members-error"/);
  assert.match(bad.text, /href="#f-resident_members"/);
  assert.match(bad.text, /name="name" value="少数の会"/);
  assert.match(bad.text, /id="f-public_listing-1" name="public_listing" value="0" checked/);
  assert.equal(count('groups'), n);
  assert.equal(sql("SELECT error_code FROM form_submissions ORDER BY id DESC LIMIT 1"), 'residency_requirement');
});

test('group registration reloaded: the same form key shows the first receipt and registers nothing new; a new visit has a new key', async () => {
  const b = await browser('jiro');
  const page = await b.get('/groups/new', HTML);
  assert.equal(page.status, 200);
  const key = page.text.match(/<form[^>]*action="\/forms\/group"[^]*?name="idempotency_key" value="([0-9a-f]{32})"/)[1];
  const fields = { name: '前橋将棋の会', name_kana: 'まえばししょうぎのかい', members: '6', resident_members: '5',
    activity: '月2回の例会', public_listing: '0', idempotency_key: key };
  const first = await b.postForm('/forms/group', fields);
  assert.equal(first.status, 200, first.text.slice(0, 300));
  const gid = first.text.match(/id="group-id">(\d{9})</)[1];
  const receipt = first.text.match(/id="receipt">(\d{8}-\d{4})</)[1];
  const groups = count('groups'), subs = count('form_submissions'), events = count('events');
  // the browser re-posts on a reload: the same page, nothing stored
  const again = await b.postForm('/forms/group', fields);
  assert.equal(again.status, 200, again.text.slice(0, 300));
  assert.match(again.text, /<title>団体の登録を受け付けました \|/);
  assert.match(again.text, new RegExp(`id="group-id">${gid}<`));
  assert.match(again.text, new RegExp(`id="receipt">${receipt}<`));
  const json = await b.postForm('/forms/group', fields, { Accept: 'application/json' });
  assert.equal(json.status, 201, json.text);
  assert.deepEqual(json.json, { receipt, status: 'pending', id: gid });
  assert.equal(count('groups'), groups);
  assert.equal(count('groups', "name='前橋将棋の会'"), 1);
  assert.equal(count('form_submissions'), subs);
  assert.equal(count('events'), events);
  assert.equal((await b.get('/my/groups', HTML)).text.split('前橋将棋の会').length - 1, 1, 'マイページ lists it once');
  // other details under a used key: refused (409), the form again with a fresh key, nothing made
  const other = await b.postForm('/forms/group', { ...fields, name: '前橋チェスの会' });
  assert.equal(other.status, 409, other.text.slice(0, 300));
  assert.match(other.text, /前橋チェスの会/);
  const fresh = other.text.match(/name="idempotency_key" value="([0-9a-f]{32})"/)[1];
  assert.notEqual(fresh, key);
  assert.equal(count('groups'), groups);
  // a new visit to the form: a new key, and a second group is a deliberate one
  const next = (await b.get('/groups/new', HTML)).text.match(/name="idempotency_key" value="([0-9a-f]{32})"/)[1];
  assert.notEqual(next, key);
  const second = await b.postForm('/forms/group', { ...fields, idempotency_key: next });
  assert.equal(second.status, 200);
  assert.notEqual(second.text.match(/id="group-id">(\d{9})</)[1], gid);
  assert.equal(count('groups'), groups + 1);
  // a key is the person's own: another citizen posting it registers their own group
  const theirs = await (await browser('shiro')).postForm('/forms/group', fields, { Accept: 'application/json' });
  assert.equal(theirs.status, 201, theirs.text);
  assert.notEqual(theirs.json.id, gid);
});

test('exemption form: validated, applied through the exemption API, a second open application refused; all recorded', async () => {
  const b = await browser('saburo');
  const bad = await b.postForm('/forms/discount', { group_id: '', category: '', reason: '' });
  assert.equal(bad.status, 422);
  for (const f of ['group_id', 'category', 'reason']) assert.match(bad.text, new RegExp(`href="#f-${f}"`), f);
  assert.equal(sql("SELECT kind||'|'||outcome||'|'||error_code FROM form_submissions ORDER BY id DESC LIMIT 1"), 'discount|rejected|validation');
  // the group registered above, approved by staff
  const gid = sql("SELECT id FROM groups WHERE name='前橋囲碁クラブ'");
  const staff = await signIn(srv.base, ids.staff, PW);
  assert.equal((await staff.post(`/api/v1/groups/${gid}/approve`)).status, 200);
  // a representative of an approved group may book in its name: the form offers it
  const bk = await b.get(`/book?room=${rooms.r503}&date=2026-06-24&slot=morning`, HTML);
  assert.match(bk.text, new RegExp(`name="group_id" value="${gid}"`));
  assert.match(bk.text, /団体「前橋囲碁クラブ」として予約する/);
  const gb = await b.postForm('/forms/booking', booking({ date: '2026-06-24', group_id: gid }), { Accept: 'application/json' });
  assert.equal(gb.status, 201, gb.text);
  assert.equal(sql(`SELECT group_id FROM bookings WHERE id=${gb.json.id}`), gid);
  const page = await b.get(`/discounts/apply?group=${gid}`, HTML);
  assert.equal(page.status, 200);
  assert.match(page.text, new RegExp(`name="group_id" value="${gid}" checked`));
  const category = page.text.match(/name="category" value="([a-z_]+)"/)[1];
  const n = count('discount_applications');
  const ok = await b.postForm('/forms/discount', { group_id: gid, category, reason: '地域の子ども向け囲碁教室', evidence: '' });
  assert.equal(ok.status, 200, ok.text.slice(0, 300));
  assert.match(ok.text, /<title>減免の申請を受け付けました \|/);
  const receipt = ok.text.match(/id="receipt">(\d{8}-\d{4})</)[1];
  assert.equal(count('discount_applications'), n + 1);
  const appId = sql(`SELECT id FROM discount_applications WHERE group_id=${gid}`);
  assert.equal(sql(`SELECT kind||'|'||outcome||'|'||result_id FROM form_submissions WHERE receipt='${receipt}'`), `discount|accepted|${appId}`);
  // the receipt names the application by its number
  assert.match(ok.text, new RegExp(`申請番号 <strong>${appId}</strong>`));
  // the same category again while it is open: 409 with the reason, values kept, nothing new
  const again = await b.postForm('/forms/discount', { group_id: gid, category, reason: 'もう一度' });
  assert.equal(again.status, 409);
  assert.match(again.text, /審査中/);
  assert.match(again.text, /もう一度<\/textarea>/);
  assert.equal(count('discount_applications'), n + 1);
  const json = await b.postForm('/forms/discount', { group_id: gid, category, reason: 'もう一度' }, { Accept: 'application/json' });
  assert.equal(json.status, 409);
  assert.equal(json.json.error.code, 'conflict');
  assert.equal(sql(`SELECT outcome||'|'||error_code FROM form_submissions WHERE receipt='${json.json.receipt}'`), 'rejected|conflict');
  // another person's group does not exist for them
  const other = await (await browser('jiro')).postForm('/forms/discount', { group_id: gid, category, reason: 'x' },
    { Accept: 'application/json' });
  assert.equal(other.status, 404);
});

test('exemption form reloaded: the same form key shows the first receipt and applies nothing new; a new visit has a new key', async () => {
  ids.goro = await addUser(srv.db, { role: 'citizen', name: '前橋 五郎', password: PW });
  const b = await browser('goro');
  const reg = await b.postForm('/forms/group', { name: '前橋太鼓の会', name_kana: 'まえばしたいこのかい', members: '6',
    resident_members: '5', public_listing: '0' });
  assert.equal(reg.status, 200, reg.text.slice(0, 300));
  const gid = reg.text.match(/id="group-id">(\d{9})</)[1];
  const staff = await signIn(srv.base, ids.staff, PW);
  assert.equal((await staff.post(`/api/v1/groups/${gid}/approve`)).status, 200);
  const page = await b.get(`/discounts/apply?group=${gid}`, HTML);
  assert.equal(page.status, 200);
  const key = page.text.match(/<form[^>]*action="\/forms\/discount"[^]*?name="idempotency_key" value="([0-9a-f]{32})"/)[1];
  const category = page.text.match(/name="category" value="([a-z_]+)"/)[1];
  const fields = { group_id: gid, category, reason: '地域の子ども向け太鼓教室', evidence: '', idempotency_key: key };
  const first = await b.postForm('/forms/discount', fields);
  assert.equal(first.status, 200, first.text.slice(0, 300));
  const receipt = first.text.match(/id="receipt">(\d{8}-\d{4})</)[1];
  const appId = sql(`SELECT id FROM discount_applications WHERE group_id=${gid}`);
  assert.match(first.text, new RegExp(`申請番号 <strong>${appId}</strong>`));
  const apps = count('discount_applications'), subs = count('form_submissions'), events = count('events');
  // the browser re-posts on a reload: the same receipt (200, not 409 "審査中"), nothing stored
  const again = await b.postForm('/forms/discount', fields);
  assert.equal(again.status, 200, again.text.slice(0, 300));
  assert.match(again.text, /<title>減免の申請を受け付けました \|/);
  assert.match(again.text, new RegExp(`id="receipt">${receipt}<`));
  assert.match(again.text, new RegExp(`申請番号 <strong>${appId}</strong>`));
  const json = await b.postForm('/forms/discount', fields, { Accept: 'application/json' });
  assert.equal(json.status, 201, json.text);
  assert.deepEqual(json.json, { receipt, status: 'pending', id: appId });
  assert.equal(count('discount_applications'), apps);
  assert.equal(count('discount_applications', `group_id=${gid}`), 1);
  assert.equal(count('form_submissions'), subs);
  assert.equal(count('events'), events);
  // other details under the used key: refused (409), the form again with a fresh key, nothing made
  const other = await b.postForm('/forms/discount', { ...fields, reason: '別の理由' });
  assert.equal(other.status, 409, other.text.slice(0, 300));
  assert.match(other.text, /別の理由<\/textarea>/);
  const fresh = other.text.match(/name="idempotency_key" value="([0-9a-f]{32})"/)[1];
  assert.notEqual(fresh, key);
  assert.equal(count('discount_applications'), apps);
  // a new visit to the form: a new key; the same category while open is refused as before
  const next = (await b.get(`/discounts/apply?group=${gid}`, HTML)).text.match(/name="idempotency_key" value="([0-9a-f]{32})"/)[1];
  assert.notEqual(next, key);
  const open = await b.postForm('/forms/discount', { ...fields, idempotency_key: next });
  assert.equal(open.status, 409);
  assert.match(open.text, /審査中/);
  assert.equal(count('discount_applications'), apps);
});

test('staff and admin queues: groups approved or rejected (a reason required) and exemptions decided, by form posts', async () => {
  const citizen = await browser('shiro');
  const mk = async (name) => {
    const r = await citizen.postForm('/forms/group', { name, name_kana: 'てすとのかい', members: '5', resident_members: '5', public_listing: '0' });
    assert.equal(r.status, 200, r.text.slice(0, 200));
    return r.text.match(/id="group-id">(\d{9})</)[1];
  };
  const g1 = await mk('承認される会'), g2 = await mk('承認されない会');
  // under review: the group page says plainly that an exemption comes after approval (issue 13 point 10)
  const review = await citizen.get('/my/groups', HTML);
  assert.match(review.text, /減免 \(使用料が安くなる\) の申請は、団体の登録が承認されてからできます。/);
  const staff = await browser('staff');
  const q = await staff.get('/admin/groups', HTML);
  assert.equal(q.status, 200);
  assert.match(q.text, /<title>団体登録の審査と検索 \|/);
  for (const g of [g1, g2]) assert.match(q.text, new RegExp(`action="/admin/groups/${g}/approve"`));
  // a rejection needs a reason: the queue again, the error at that group's reason
  const noReason = await staff.postForm(`/admin/groups/${g2}/reject`, { reason: '' });
  assert.equal(noReason.status, 422);
  assert.match(noReason.text, new RegExp(`id="reason-${g2}-error"`));
  assert.match(noReason.text, new RegExp(`href="#reason-${g2}"`));
  const rej = await staff.postForm(`/admin/groups/${g2}/reject`, { reason: '市内の構成員の確認が必要です' });
  assert.equal(rej.status, 303);
  assert.equal(rej.headers.get('location'), '/admin/groups?done=rejected');
  const ok = await staff.postForm(`/admin/groups/${g1}/approve`, {});
  assert.equal(ok.status, 303);
  assert.equal(sql(`SELECT status FROM groups WHERE id=${g1}`), 'approved');
  assert.equal(sql(`SELECT status||'|'||reason FROM groups WHERE id=${g2}`), 'rejected|市内の構成員の確認が必要です');
  const again = await staff.postForm(`/admin/groups/${g1}/approve`, {});
  assert.equal(again.status, 409);
  // exemptions: admin only
  assert.equal((await staff.get('/admin/discounts', HTML)).status, 403);
  assert.equal((await citizen.get('/admin', HTML)).status, 403);
  const page = await citizen.get(`/discounts/apply?group=${g1}`, HTML);
  const category = page.text.match(/name="category" value="([a-z_]+)"/)[1];
  assert.equal((await citizen.postForm('/forms/discount', { group_id: g1, category, reason: '地域の活動' })).status, 200);
  const appId = sql(`SELECT id FROM discount_applications WHERE group_id=${g1}`);
  const admin = await browser('admin');
  const dq = await admin.get('/admin/discounts', HTML);
  assert.equal(dq.status, 200);
  assert.match(dq.text, new RegExp(`action="/admin/discounts/${appId}/decide"`));
  assert.match(dq.text, /地域の活動/);
  // no answer is chosen in advance; deciding without choosing is refused
  assert.doesNotMatch(dq.text, /name="decision" value="[a-z]+" checked/);
  const none = await admin.postForm(`/admin/discounts/${appId}/decide`, { reason: '' });
  assert.equal(none.status, 422, none.text.slice(0, 300));
  // said at the choice that was not made, not under the reason
  assert.match(none.text, new RegExp(`id="decision-${appId}-error"[^>]*>.*承認するか、承認しないかを選んでください`));
  assert.doesNotMatch(none.text, new RegExp(`id="reason-${appId}-error"`));
  assert.match(none.text, new RegExp(`href="#decision-${appId}-0"`));
  const bad = await admin.postForm(`/admin/discounts/${appId}/decide`, { decision: 'rejected', reason: '' });
  assert.equal(bad.status, 422);
  assert.match(bad.text, new RegExp(`id="reason-${appId}-error"`));
  const dec = await admin.postForm(`/admin/discounts/${appId}/decide`, { decision: 'approved', reason: '' });
  assert.equal(dec.status, 303);
  assert.equal(dec.headers.get('location'), '/admin/discounts?done=approved');
  assert.equal(sql(`SELECT status FROM discount_applications WHERE id=${appId}`), 'approved');
  const after = await admin.get('/admin/discounts?done=approved', HTML);
  assert.match(after.text, /承認しました。/);
  // the group page shows the exemption's state and validity, its category in Japanese
  const mine = await citizen.get('/my/groups', HTML);
  assert.match(mine.text, /<h4>減免の申請<\/h4><ul class="discount-apps"><li>[^<a-z]+ \(申請 .+?\): <strong>承認されました<\/strong> \(.+? まで有効\)/);
  assert.doesNotMatch(mine.text, new RegExp(`>${category} \\(`));
  // signing in as staff goes to the staff menu
  const si = await anon.req('POST', '/signin', form({ system_id: ids.staff, password: PW }), FORM);
  assert.equal(si.headers.get('location'), '/admin');
});

test('the counter page: today with holders, a walk-in by form (errors at their fields), payment, check-in, the printable ledger', async () => {
  const staff = await browser('staff');
  const page = await staff.get('/counter', HTML);
  assert.equal(page.status, 200, page.text.slice(0, 300));
  assert.match(page.text, /<title>窓口 中央公民館 \|/);
  assert.match(page.text, /<caption>中央公民館 2026年4月1日（水） の部屋と利用者<\/caption>/);
  assert.match(page.text, /action="\/counter\/walkin"/);
  // a walk-in with a mistake: the page again, each error at its field, what was typed kept
  const bad = await staff.postForm('/counter/walkin', { center: 'chuo', room_id: rooms.r503, slots: 'afternoon', name: '', phone: '027-111-2222' });
  assert.equal(bad.status, 422);
  assert.match(bad.text, /id="f-name-error"/);
  assert.match(bad.text, /href="#f-name"/);
  assert.match(bad.text, /name="phone" value="027-111-2222"/);
  const n = count('bookings');
  const ok = await staff.postForm('/counter/walkin', { center: 'chuo', room_id: rooms.r503, slots: 'afternoon',
    name: '高崎 次郎', phone: '027-111-2222', attendees: '3', payment_method: '' });
  assert.equal(ok.status, 303, ok.text.slice(0, 300));
  assert.equal(ok.headers.get('location'), '/counter?center=chuo&done=walkin');
  assert.equal(count('bookings'), n + 1);
  const id = sql("SELECT id FROM bookings WHERE walkin_name='高崎 次郎'");
  assert.equal(sql(`SELECT status||'|'||channel FROM bookings WHERE id=${id}`), 'confirmed|counter');
  // the same slot again: 409 at the slots
  const taken = await staff.postForm('/counter/walkin', { center: 'chuo', room_id: rooms.r503, slots: 'afternoon', name: 'x', phone: '027-111-3333' });
  assert.equal(taken.status, 409);
  assert.match(taken.text, /id="f-slots-error"/);
  // the page: the holder's name and phone (staff only), unpaid, with the payment and check-in forms
  const p2 = await staff.get('/counter?center=chuo&done=walkin', HTML);
  assert.match(p2.text, /当日利用を受け付けました/);
  assert.match(p2.text, new RegExp(`id="b-${id}"`));
  assert.match(p2.text, /高崎 次郎/);
  assert.match(p2.text, /027-111-2222/);
  assert.match(p2.text, new RegExp(`action="/counter/bookings/${id}/pay"`));
  const amount = p2.text.match(new RegExp(`action="/counter/bookings/${id}/pay"[\\s\\S]*?name="amount" value="(\\d+)"`))[1];
  assert.equal(amount, '240');
  const wrong = await staff.postForm(`/counter/bookings/${id}/pay`, { center: 'chuo', method: 'cash', amount: '100' });
  assert.equal(wrong.status, 422);
  const paid = await staff.postForm(`/counter/bookings/${id}/pay`, { center: 'chuo', method: 'cash', amount });
  assert.equal(paid.status, 303);
  // to the receipt (領収書) of what was taken: amount, receipt number, method, the booking (issue 13 point 12)
  const loc = paid.headers.get('location');
  assert.match(loc, new RegExp(`^/counter/bookings/${id}/receipt\\?receipt=R-\\d{8}-chuo-\\d{4}&center=chuo$`));
  const slip = await staff.get(loc, HTML);
  assert.equal(slip.status, 200);
  assert.match(slip.text, /<h1>領収書<\/h1>/);
  assert.match(slip.text, /<strong id="slip-amount">240円<\/strong>/);
  assert.match(slip.text, new RegExp(`<dd id="slip-receipt">${loc.match(/receipt=([\w-]+)/)[1]}</dd>`));
  assert.match(slip.text, /<dt>支払い方法<\/dt><dd>現金<\/dd>/);
  assert.match(slip.text, new RegExp(`予約番号 ${id}`));
  assert.equal((await staff.get(`/counter/bookings/${id}/receipt?receipt=R-20000101-chuo-0001`, HTML)).status, 404);
  const ci = await staff.postForm(`/counter/bookings/${id}/checkin`, { center: 'chuo' });
  assert.equal(ci.status, 303);
  assert.equal(sql(`SELECT checked_in_at IS NOT NULL FROM bookings WHERE id=${id}`), '1');
  // the ledger: every entry with its receipt number, totals by method
  const l = await staff.get('/counter/ledger?center=chuo', HTML);
  assert.equal(l.status, 200);
  assert.match(l.text, /<title>台帳 中央公民館 2026年4月1日（水） \|/);
  assert.match(l.text, /当日利用/);
  assert.match(l.text, /支払い \(現金\)/);
  assert.match(l.text, /入館/);
  assert.match(l.text, /R-20260401-chuo-0001/);
  assert.match(l.text, /<th scope="row">現金<\/th><td class="num">240円<\/td>/);
  // citizens have no counter
  assert.equal((await (await browser('jiro')).get('/counter', HTML)).status, 403);
  // the public feeds never name the walk-in
  assert.doesNotMatch((await anon.get('/api/v1/today?center=chuo')).text, /高崎/);
});

test('sign-in and sign-up pages: back to where the person was going; a password is never shown again', async () => {
  // a signed-in page asked for by a browser sends it to sign in, and back
  const myPage = await anon.get('/my', HTML);
  assert.equal(myPage.status, 303);
  assert.equal(myPage.headers.get('location'), '/signin?next=%2Fmy');
  // the booking form keeps the choice and offers sign-up and sign-in on the same page (point 16)
  const r = await anon.get('/book?room=12&date=2026-06-10&slot=morning', HTML);
  assert.equal(r.status, 200);
  assert.match(r.text, /選んだ日: <strong>2026年6月10日（水） 午前<\/strong>/);
  assert.match(r.text, /name="next" value="\/book\?room=12&amp;date=2026-06-10&amp;slot=morning"/);
  assert.match(r.text, /action="\/register"/);
  assert.match(r.text, /href="\/signin\?next=%2Fbook%3Froom%3D12%26date%3D2026-06-10%26slot%3Dmorning">ログインして予約へ進む/);
  // signing up there comes straight back to the form, which shows the new ID
  const su = await anon.req('POST', '/register', form({ name: '新規 太郎', name_kana: 'しんき たろう', phone: '027-111-2222',
    password: 'a-long-new-password-9', next: '/book?room=12&date=2026-06-10&slot=morning' }), FORM);
  assert.equal(su.status, 303, su.text.slice(0, 300));
  assert.equal(su.headers.get('location'), '/book?room=12&date=2026-06-10&slot=morning&registered=1');
  const newCookie = su.headers.get('set-cookie').split(';')[0];
  const back = await anon.req('GET', su.headers.get('location'), undefined, { ...HTML, Cookie: newCookie });
  assert.equal(back.status, 200);
  assert.match(back.text, /id="system-id">\d{3} \d{3} \d{3}</);
  assert.match(back.text, /<option value="2026-06-10" selected>/);
  // a refused sign-up there: the same page again, the slot still said and carried, the errors at their fields
  const refused = await anon.req('POST', '/register', form({ name: '新規 次郎', name_kana: 'abc', phone: '027-111-3333',
    password: 'short-pw', next: '/book?room=12&date=2026-06-10&slot=morning' }), { ...FORM, ...HTML });
  assert.equal(refused.status, 422, refused.text.slice(0, 300));
  assert.match(refused.text, /<title>入力エラー: 予約の申し込み \(登録またはログイン\) \|/);
  assert.match(refused.text, /選んだ日: <strong>2026年6月10日（水） 午前<\/strong>/);
  assert.match(refused.text, /登録すると、すぐにこの予約の続きに進みます。選んだ部屋と日は、そのまま残ります。/);
  assert.match(refused.text, /<form[^>]*action="\/register"[^]*?name="next" value="\/book\?room=12&amp;date=2026-06-10&amp;slot=morning"/);
  assert.match(refused.text, /href="\/signin\?next=%2Fbook%3Froom%3D12%26date%3D2026-06-10%26slot%3Dmorning">ログインして予約へ進む/);
  assert.match(refused.text, /href="#f-name_kana"/);
  assert.match(refused.text, /id="f-password-error"/);
  assert.match(refused.text, /name="name" value="新規 次郎"/);
  assert.doesNotMatch(refused.text, /short-pw/);
  assert.equal(count('accounts', "name='新規 次郎'"), 0);
  // a next that names no room: the plain sign-up form, with next kept
  const plain = await anon.req('POST', '/register', form({ name: '新規 次郎', name_kana: 'abc', password: 'short-pw',
    next: '/book?room=999999&date=2026-06-10' }), { ...FORM, ...HTML });
  assert.equal(plain.status, 422);
  assert.match(plain.text, /<title>入力エラー: アカウント登録 \|/);
  assert.match(plain.text, /name="next" value="\/book\?room=999999&amp;date=2026-06-10"/);
  // staff asking for the citizen's form: the way to the counter's 代理の予約, not a 403
  const staffBook = await (await browser('staff')).get('/book?room=12', HTML);
  assert.equal(staffBook.status, 200);
  assert.match(staffBook.text, /href="\/counter\/book\?center=[a-z]+&amp;room=12"/);
  // the menu's sign-in link comes back to the page it was on
  const av = await anon.get('/availability?date=2026-06-10&center=chuo', HTML);
  assert.match(av.text, /<a href="\/signin\?next=%2Favailability%3Fdate%3D2026-06-10%26center%3Dchuo">ログイン<\/a>/);
  // a program gets the JSON error
  assert.equal((await anon.get('/my')).status, 401);
  const page = await anon.get('/signin?next=%2Fbook%3Froom%3D12', HTML);
  assert.equal(page.status, 200);
  assert.match(page.text, /name="next" value="\/book\?room=12"/);
  // signing in on the way to a booking: the page says which slot they go back to, before and after a refusal
  const going = await anon.get('/signin?next=%2Fbook%3Froom%3D12%26date%3D2026-06-10%26slot%3Dmorning', HTML);
  assert.match(going.text, /<h2 id="going-title">ログインすると、この予約の続きに戻ります<\/h2>[^]*?上川淵公民館[^]*?料理室[^]*?選んだ日: <strong>2026年6月10日（水） 午前<\/strong>/);
  const goingWrong = await anon.req('POST', '/signin', form({ system_id: ids.hanako, password: 'wrong-password-123',
    next: '/book?room=12&date=2026-06-10&slot=morning' }), { ...FORM, ...HTML });
  assert.equal(goingWrong.status, 401);
  assert.match(goingWrong.text, /id="going-to"[^]*?選んだ日: <strong>2026年6月10日（水） 午前<\/strong>/);
  assert.match(goingWrong.text, /name="next" value="\/book\?room=12&amp;date=2026-06-10&amp;slot=morning"/);
  assert.match(page.text, /id="going-to"[^]*?料理室/); // the room alone: no 選んだ日 line
  assert.doesNotMatch(page.text, /id="chosen"/);
  assert.doesNotMatch((await anon.get('/signin?next=%2Fmy', HTML)).text, /id="going-to"/);
  const wrong = await anon.req('POST', '/signin', form({ system_id: ids.hanako, password: 'wrong-password-123', next: '/my' }), FORM);
  assert.equal(wrong.status, 401);
  assert.match(wrong.text, /利用者番号またはパスワードが違います/);
  assert.match(wrong.text, new RegExp(`name="system_id" value="${ids.hanako}"`));
  assert.doesNotMatch(wrong.text, /wrong-password-123/);
  const ok = await anon.req('POST', '/signin', form({ system_id: ids.hanako, password: PW, next: '/book?room=12' }), FORM);
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.get('location'), '/book?room=12');
  assert.match(ok.headers.get('set-cookie'), /^kominkan_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax/);
  // another site cannot sign a browser in (login CSRF): Origin must be this host
  const host = new URL(srv.base).host;
  const cross = await anon.req('POST', '/signin', form({ system_id: ids.jiro, password: PW }), { ...FORM, Origin: 'https://evil.example' });
  assert.equal(cross.status, 403);
  assert.equal(cross.headers.get('set-cookie'), null);
  const same = await anon.req('POST', '/signin', form({ system_id: ids.jiro, password: PW }), { ...FORM, Origin: `http://${host}` });
  assert.equal(same.status, 303);
  assert.equal((await anon.req('POST', '/register', form({ name: 'x' }), { ...FORM, Origin: 'null' })).status, 403);
  // never to another site
  for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
    const o = await anon.req('POST', '/signin', form({ system_id: ids.jiro, password: PW, next }), FORM);
    assert.equal(o.headers.get('location'), '/my', next);
  }
  // sign-up: errors at their fields, the password never written back
  const bad = await anon.req('POST', '/register', form({ name: '前橋 一郎', name_kana: 'abc', password: 'short-pw', resident: '1' }), FORM);
  assert.equal(bad.status, 422);
  assert.doesNotMatch(bad.text, /short-pw/);
  assert.match(bad.text, /name="name" value="前橋 一郎"/);
  assert.match(bad.text, /id="f-name_kana-error"/);
  assert.match(bad.text, /id="f-password-error"/);
  // phone and email: one of the two is needed, and the form says so (not 任意)
  assert.match(bad.text, /for="f-phone">電話番号 <span class="mark mark-req">どちらか1つは必須<\/span>/);
  assert.match(bad.text, /for="f-email">メールアドレス <span class="mark mark-req">どちらか1つは必須<\/span>/);
  // full-width digits and a long-vowel mark typed for the hyphen are read as the number (issue 13 point 9)
  const good = await anon.req('POST', '/register', form({ name: '前橋 一郎', name_kana: 'まえばし いちろう', phone: '０２７－１２３ー４５６７',
    resident: '1', password: 'a-long-password-1', next: '/groups/new' }), FORM);
  assert.equal(good.status, 303);
  assert.equal(good.headers.get('location'), '/register/done?next=%2Fgroups%2Fnew');
  const cookie = good.headers.get('set-cookie').split(';')[0];
  // the page with the new ID survives a reload: it is a GET
  const done = await client(srv.base, { cookie }).get(good.headers.get('location'), { Accept: 'text/html' });
  const again = await client(srv.base, { cookie }).get(good.headers.get('location'), { Accept: 'text/html' });
  assert.equal(done.status, 200);
  assert.equal(again.status, 200);
  const sid = done.text.match(/id="system-id">(\d{3}) (\d{3}) (\d{3})</).slice(1).join('');
  assert.equal(again.text.match(/id="system-id">(\d{3}) (\d{3}) (\d{3})</).slice(1).join(''), sid);
  assert.match(done.text, /href="\/groups\/new">予約の続きへ進む/);
  assert.equal(count('accounts', `id=${sid} AND role='citizen' AND phone='027-123-4567'`), 1);
  // マイページ shows the ID too
  const my = await client(srv.base, { cookie }).get('/my', { Accept: 'text/html' });
  assert.equal(my.text.match(/id="system-id">(\d{3}) (\d{3}) (\d{3})</).slice(1).join(''), sid);
  const me = await client(srv.base, { cookie }).get('/api/v1/me');
  assert.equal(me.json.system_id, sid);
  // signing out ends the session
  const csrf = me.json.csrf_token;
  const out = await client(srv.base, { cookie }).req('POST', '/signout', form({ csrf_token: csrf }), FORM);
  assert.equal(out.status, 200);
  assert.match(out.headers.get('set-cookie'), /Max-Age=0/);
  assert.equal((await client(srv.base, { cookie }).get('/api/v1/me')).status, 401);
});

test('the new pages: CSP, no inline script or style, unique titles, no-store, nav for the signed-in', async () => {
  const b = await browser('jiro');
  const id = sql(`SELECT id FROM bookings WHERE account_id=${ids.jiro} LIMIT 1`);
  const titles = new Set();
  for (const [who, path] of [[anon, '/signin'], [anon, '/register'], [b, `/book?room=${rooms.r503}&date=2026-06-10&slot=evening`],
    [b, '/my'], [b, `/my/bookings/${id}`], [b, `/my/bookings/${id}/cancel`], [b, '/my/groups'], [b, '/groups/new'],
    [b, '/discounts/apply'], [b, '/book']]) {
    const r = await who.get(path, HTML);
    assert.equal(r.status, 200, `${path}: ${r.text.slice(0, 200)}`);
    assert.match(r.headers.get('content-security-policy'), /script-src 'self'/, path);
    assert.doesNotMatch(r.text, /<script>|<style|style=|\son[a-z]+=/i, path);
    const t = r.text.match(/<title>([^<]+)<\/title>/)[1];
    assert.ok(!titles.has(t), `${path}: title ${t} twice`);
    titles.add(t);
    if (who === b) {
      assert.equal(r.headers.get('cache-control'), 'no-store', path);
      assert.match(r.text, /action="\/signout"/, path);
    } else {
      assert.match(r.text, /href="\/signin"/, path);
    }
  }
  // a free slot of a room's month links to the booking form
  const month = await anon.get(`/rooms/${rooms.r503}?month=2026-06`, HTML);
  assert.match(month.text, new RegExp(`href="/book\\?room=${rooms.r503}&amp;date=2026-06-02&amp;slot=morning"`));
});
