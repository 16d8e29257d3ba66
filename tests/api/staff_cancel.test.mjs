// A cancellation by staff says on whose account it is (「取消申請書の整理」;
// docs/counter.md): 本人の申し出 ("holder": the holder's own 取消料 under the
// rules the booking was made on, never refused for the deadline or the start,
// what was paid back less the fee) or 市の都合 ("city": no fee, everything
// back). Through the JSON API (the "on_behalf" field, its default, its
// validation, the figures in the booking and the payments, the usage log and
// the audit trail) and through the counter page's cancel panel (the choice,
// its error, the figures for this booking, what the page says afterwards).
//
// The server's clock is Wednesday 2026-04-08 10:00 (counter open). The rule
// book: free until 7 days before the use date, then 50 % of the fee. 大会議室
// (chuo kaigi) 420/640/1080 yen; a booking on 2026-04-14 was free to cancel
// until 2026-04-07, one on 2026-04-30 until 2026-04-23.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { start, client, addUser, signIn } from './harness.mjs';

const NOW = '2026-04-08T10:00:00+09:00';
const PW = 'staff-cancel-password-1';
const HTML = { Accept: 'text/html' };
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded', ...HTML };
let srv, staff, citizen, clerk, rooms = {}, ids = {};

function sql(q) {
  const r = spawnSync('sqlite3', [srv.db, q], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}
function form(fields) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of [].concat(v)) p.append(k, String(x));
  return p.toString();
}
async function browser(id) {
  const api = await signIn(srv.base, id, PW, { cookie: true });
  const c = client(srv.base, { cookie: api.cookie });
  c.postForm = (path, fields) => c.req('POST', path, form({ csrf_token: api.session.csrf_token, ...fields }), FORM);
  return c;
}
// The booking card of ID on a counter page (its <li> up to the next card).
function card(text, id) {
  const at = text.indexOf(`<li class="card" id="b-${id}">`);
  assert.ok(at >= 0, `card ${id}`);
  const end = text.indexOf('<li class="card"', at + 10);
  return text.slice(at, end < 0 ? text.indexOf('</ul>', at) : end);
}

before(async () => {
  srv = await start({ now: NOW });
  ids.staff = await addUser(srv.db, { role: 'staff', name: '窓口 一郎', center: 'chuo', password: PW });
  ids.citizen = await addUser(srv.db, { role: 'citizen', name: '赤城 花子', password: PW });
  for (const ce of (await client(srv.base).get('/api/v1/centers')).json.centers)
    for (const r of ce.rooms) rooms[`${ce.code}/${r.code}`] = r.id;
  staff = await signIn(srv.base, ids.staff, PW);
  citizen = await signIn(srv.base, ids.citizen, PW);
  clerk = await browser(ids.staff);
});
after(async () => { if (srv) await srv.stop(); });

// A confirmed booking of the citizen in ROOM (chuo kaigi) on DATE for SLOT,
// paid (by METHOD) when METHOD is given; its id and fee.
async function booked(date, slot, method, room = 'chuo/kaigi') {
  const b = await citizen.post('/api/v1/bookings', { room_id: rooms[room], date, slots: [slot],
    purpose: '会議', attendees: 5 });
  assert.equal(b.status, 201, b.text);
  assert.equal((await citizen.post(`/api/v1/bookings/${b.json.id}/confirm`)).status, 200);
  const fee = b.json.fee.total;
  if (method) assert.equal((await staff.post(`/api/v1/bookings/${b.json.id}/payments`, { method, amount: fee })).status, 201);
  return { id: b.json.id, fee };
}

const payments = (id) => sql(`SELECT group_concat(kind||':'||method||':'||amount, ' ') FROM payments WHERE booking_id=${id} ORDER BY id`);

test('on_behalf "holder" after the deadline: the rule book\'s 取消料, the rest refunded by the method paid, the figures in the booking', async () => {
  const { id } = await booked('2026-04-14', 'morning', 'card');
  const x = await staff.post(`/api/v1/bookings/${id}/cancel`, { reason: '本人から電話で連絡', on_behalf: 'holder' });
  assert.equal(x.status, 200, x.text);
  assert.equal(x.json.status, 'cancelled');
  assert.equal(x.json.on_behalf, 'holder');
  assert.equal(x.json.cancel_fee, 210);
  assert.equal(x.json.due, 210);
  assert.equal(x.json.paid, 210);
  assert.equal(x.json.outstanding, 0);
  assert.deepEqual(x.json.payments.map((p) => [p.kind, p.method, p.amount]), [['payment', 'card', 420], ['refund', 'card', -210]]);
  assert.equal(payments(id), 'payment:card:420 refund:card:-210');
  // the same figures when read again
  const g = await staff.get(`/api/v1/bookings/${id}`);
  assert.equal(g.json.cancel_fee, 210);
  const p = await staff.get(`/api/v1/bookings/${id}/payments`);
  assert.deepEqual([p.json.due, p.json.paid, p.json.outstanding], [210, 210, 0]);
  // the usage log and the audit trail say on whose account (codes, not the reason typed)
  assert.equal(sql("SELECT count(*) FROM events WHERE action='booking.cancel' AND amount=210 AND detail LIKE '%\"by_staff\":true,\"on_behalf\":\"holder\"%'"), '1');
  assert.equal(sql(`SELECT count(*) FROM audit_trail WHERE action='booking.cancel' AND target='booking:${id}' AND detail LIKE '%"on_behalf":"holder"%'`), '1');
  assert.equal(sql("SELECT count(*) FROM events WHERE detail LIKE '%本人から%'"), '0');
});

test('on_behalf "holder" after the start of the use: not refused (a reason given), the fee applies', async () => {
  // booked and paid at 08:45 for this morning (09:00-12:00), cancelled at 09:30 on a server of its own
  const early = await start({ now: '2026-04-08T08:45:00+09:00' });
  const who = { staff: await addUser(early.db, { role: 'staff', name: '窓口 二郎', center: 'chuo', password: PW }),
    citizen: await addUser(early.db, { role: 'citizen', name: '榛名 次郎', password: PW }) };
  const me = await signIn(early.base, who.citizen, PW);
  const b = await me.post('/api/v1/bookings', { room_id: rooms['chuo/kaigi'], date: '2026-04-08', slots: ['morning'],
    purpose: '会議', attendees: 5 });
  assert.equal(b.status, 201, b.text);
  const id = b.json.id;
  assert.equal((await me.post(`/api/v1/bookings/${id}/confirm`)).status, 200);
  assert.equal((await (await signIn(early.base, who.staff, PW)).post(`/api/v1/bookings/${id}/payments`, { method: 'cash', amount: 420 })).status, 201);
  await early.stop({ keep: true });
  const later = await start({ now: '2026-04-08T09:30:00+09:00', db: early.db, dir: early.dir, ownDir: true });
  try {
    const own = await (await signIn(later.base, who.citizen, PW)).post(`/api/v1/bookings/${id}/cancel`, {});
    assert.equal(own.status, 422);
    assert.equal(own.json.error.code, 'deadline_passed');
    const desk = await signIn(later.base, who.staff, PW);
    const x = await desk.post(`/api/v1/bookings/${id}/cancel`, { reason: '本人が窓口で申し出', on_behalf: 'holder' });
    assert.equal(x.status, 200, x.text);
    assert.equal(x.json.cancel_fee, 210);
    assert.deepEqual(x.json.payments.map((p) => [p.kind, p.method, p.amount]), [['payment', 'cash', 420], ['refund', 'cash', -210]]);
  } finally {
    await later.stop();
  }
});

test('on_behalf "holder" before the deadline: free, everything back', async () => {
  const { id } = await booked('2026-04-30', 'afternoon', 'qr');
  const x = await staff.post(`/api/v1/bookings/${id}/cancel`, { reason: '本人から電話で連絡', on_behalf: 'holder' });
  assert.equal(x.status, 200, x.text);
  assert.equal(x.json.cancel_fee, 0);
  assert.equal(payments(id), 'payment:qr:640 refund:qr:-640');
});

test('on_behalf "city": no fee after the deadline, everything back; recorded as the city\'s', async () => {
  const { id } = await booked('2026-04-14', 'evening', 'ic');
  const x = await staff.post(`/api/v1/bookings/${id}/cancel`, { reason: '空調の故障のため', on_behalf: 'city' });
  assert.equal(x.status, 200, x.text);
  assert.equal(x.json.on_behalf, 'city');
  assert.equal(x.json.cancel_fee, 0);
  assert.equal(x.json.outstanding, 0);
  assert.equal(payments(id), 'payment:ic:1080 refund:ic:-1080');
  assert.equal(sql(`SELECT count(*) FROM audit_trail WHERE action='booking.cancel' AND target='booking:${id}' AND detail LIKE '%"on_behalf":"city"%'`), '1');
});

test('no on_behalf from staff: the holder\'s account (the documented default); null is the same', async () => {
  for (const body of [{ reason: '本人から電話で連絡' }, { reason: '本人から電話で連絡', on_behalf: null }]) {
    const { id } = await booked('2026-04-14', 'afternoon', 'cash');
    const x = await staff.post(`/api/v1/bookings/${id}/cancel`, body);
    assert.equal(x.status, 200, x.text);
    assert.equal(x.json.on_behalf, 'holder');
    assert.equal(x.json.cancel_fee, 320);
    assert.equal(payments(id), 'payment:cash:640 refund:cash:-320');
  }
});

test('nothing paid: the 取消料 is owed, and taken at the counter like any payment', async () => {
  const { id } = await booked('2026-04-14', 'morning');
  const x = await staff.post(`/api/v1/bookings/${id}/cancel`, { reason: '本人から電話で連絡', on_behalf: 'holder' });
  assert.equal(x.status, 200, x.text);
  assert.deepEqual([x.json.cancel_fee, x.json.due, x.json.paid, x.json.outstanding], [210, 210, 0, 210]);
  assert.deepEqual(x.json.payments, []);
  assert.equal((await staff.post(`/api/v1/bookings/${id}/payments`, { method: 'cash', amount: 210 })).status, 201);
});

test('a bad on_behalf is 422 at its field with a Japanese message, and changes nothing', async () => {
  const { id } = await booked('2026-04-16', 'evening', 'cash');
  for (const bad of ['City', 'both', '', 1, true, ['holder'], { a: 1 }]) {
    const x = await staff.post(`/api/v1/bookings/${id}/cancel`, { reason: '本人から電話で連絡', on_behalf: bad });
    assert.equal(x.status, 422, `${JSON.stringify(bad)}: ${x.text}`);
    assert.equal(x.json.error.code, 'validation');
    assert.match(x.json.error.fields.on_behalf, /本人の申し出/);
    assert.match(x.json.error.fields.on_behalf, /市の都合/);
  }
  // with a bad reason too: both at once
  const both = await staff.post(`/api/v1/bookings/${id}/cancel`, { reason: 3, on_behalf: 'x' });
  assert.equal(both.status, 422);
  assert.deepEqual(Object.keys(both.json.error.fields).sort(), ['on_behalf', 'reason']);
  assert.equal(sql(`SELECT status FROM bookings WHERE id=${id}`), 'confirmed');
  assert.equal(payments(id), 'payment:cash:1080');
  assert.equal(sql(`SELECT count(*) FROM events WHERE action='booking.cancel' AND room_id=${rooms['chuo/kaigi']} AND date='2026-04-16' AND slot='evening'`), '0');
});

test('the holder may not put a cancellation on the city\'s account; "holder" is their own terms', async () => {
  const { id } = await booked('2026-04-14', 'morning');
  const x = await citizen.post(`/api/v1/bookings/${id}/cancel`, { on_behalf: 'city' });
  assert.equal(x.status, 422, x.text);
  assert.equal(x.json.error.code, 'validation');
  assert.match(x.json.error.fields.on_behalf, /市の都合/);
  assert.equal(sql(`SELECT status FROM bookings WHERE id=${id}`), 'confirmed');
  const own = await citizen.post(`/api/v1/bookings/${id}/cancel`, { on_behalf: 'holder' });
  assert.equal(own.status, 200, own.text);
  assert.equal(own.json.cancel_fee, 210);
  assert.equal(own.json.on_behalf, undefined, 'the money and the account are the desk\'s reply');
});

// ---- the counter page's cancel panel

test('the panel: a required choice, each saying what it does with this booking\'s money', async () => {
  const { id } = await booked('2026-04-08', 'evening', 'cash');   // 1,080円 paid; on the day: 取消料 540円
  const c = card((await clerk.get('/counter?center=chuo', HTML)).text, id);
  assert.match(c, new RegExp(`<fieldset class="field-group" id="onbehalf-${id}" aria-describedby="onbehalf-${id}-support"><legend class="field-label">取り消しの扱い <span class="mark mark-req">必須</span></legend>`));
  for (const v of ['holder', 'city'])
    assert.match(c, new RegExp(`<input type="radio" id="onbehalf-${id}-${v}" name="on_behalf" value="${v}"><label for="onbehalf-${id}-${v}">`), v);
  assert.doesNotMatch(c, /name="on_behalf" value="[a-z]+" checked/, 'nothing chosen for the clerk');
  assert.match(c, new RegExp(`id="onbehalf-${id}-holder-money">取消料 540円 \\(使用料の50%\\)。支払済み 1,080円のうち 540円を返します。<`));
  assert.match(c, new RegExp(`id="onbehalf-${id}-city-money">取消料はかかりません。支払済み 1,080円 を全額返します。<`));
});

test('the panel refused: no choice, or a choice that is not one, is an error at the choice; the panel stays open; nothing changes', async () => {
  const { id } = await booked('2026-04-08', 'afternoon', 'cash');
  for (const extra of [{}, { on_behalf: 'both' }]) {
    const r = await clerk.postForm(`/counter/bookings/${id}/cancel`, { center: 'chuo', reason: '本人から電話で連絡', ...extra });
    assert.equal(r.status, 422, JSON.stringify(extra));
    const c = card(r.text, id);
    assert.match(c, /<details class="cancel-choice" open>/);
    assert.match(c, new RegExp(`<div class="field has-error"><fieldset class="field-group" id="onbehalf-${id}" aria-describedby="onbehalf-${id}-support onbehalf-${id}-error">`));
    assert.match(c, new RegExp(`<p class="field-error" id="onbehalf-${id}-error"><span class="error-mark" aria-hidden="true">!</span>取り消しの扱いを選んでください`));
    assert.match(c, new RegExp(`id="onbehalf-${id}-holder" name="on_behalf" value="holder" aria-invalid="true"`));
    assert.match(c, /name="reason" maxlength="200" value="本人から電話で連絡"/, 'the reason typed is kept');
    const summary = r.text.match(/<section class="error-summary"[\s\S]*?<\/section>/)[0];
    assert.match(summary, new RegExp(`<li><a href="#onbehalf-${id}-holder">取り消しの扱い \\(予約番号 ${id}\\): 取り消しの扱いを選んでください`));
    assert.doesNotMatch(summary, /取り消す理由/);
  }
  // a choice without a reason: the error at the reason, the choice kept
  const r = await clerk.postForm(`/counter/bookings/${id}/cancel`, { center: 'chuo', reason: '', on_behalf: 'city' });
  assert.equal(r.status, 422);
  const c = card(r.text, id);
  assert.match(c, new RegExp(`id="onbehalf-${id}-city" name="on_behalf" value="city" checked>`));
  assert.match(c, new RegExp(`<p class="field-error" id="reason-${id}-error">`));
  assert.doesNotMatch(c, new RegExp(`id="onbehalf-${id}-error"`));
  assert.equal(sql(`SELECT status FROM bookings WHERE id=${id}`), 'confirmed');
  assert.equal(payments(id), 'payment:cash:640');
});

test('the panel, the holder\'s request: the fee kept, the rest refunded; the page says both and links the slip, which shows the fee', async () => {
  const { id } = await booked('2026-04-09', 'morning', 'cash');   // tomorrow: past the deadline
  const r = await clerk.postForm(`/counter/bookings/${id}/cancel`, { center: 'chuo', reason: '本人から電話で連絡', on_behalf: 'holder' });
  assert.equal(r.status, 303, r.text.slice(0, 300));
  assert.equal(r.headers.get('location'), `/counter?center=chuo&done=cancelled&fee=210&refund=210&booking=${id}`);
  assert.equal(payments(id), 'payment:cash:420 refund:cash:-210');
  const page = await clerk.get(r.headers.get('location'), HTML);
  assert.match(page.text, /取消料は 210円 です。払われていた 420円 のうち、取消料を差し引いた 210円 を返金として記録しました。210円 をお返しください。/);
  const slip = page.text.match(/<a href="(\/counter\/bookings\/\d+\/receipt\?[^"]+)">返金の控え/);
  assert.ok(slip, 'a link to the 返金の控え');
  const s = await clerk.get(slip[1].replace(/&amp;/g, '&'), HTML);
  assert.equal(s.status, 200);
  assert.match(s.text, /<strong id="slip-amount">210円<\/strong>/);
  assert.match(s.text, /<dt>取消料<\/dt><dd id="slip-fee">210円 \(払われた使用料から差し引き\)<\/dd>/);
});

test('the panel, the city\'s reason: no fee, everything back; the slip says 取消料 なし', async () => {
  const { id } = await booked('2026-04-09', 'afternoon', 'qr');
  const r = await clerk.postForm(`/counter/bookings/${id}/cancel`, { center: 'chuo', reason: '職員の登録の誤り', on_behalf: 'city' });
  assert.equal(r.status, 303, r.text.slice(0, 300));
  assert.equal(r.headers.get('location'), `/counter?center=chuo&done=cancelled&refund=640&booking=${id}`);
  assert.equal(payments(id), 'payment:qr:640 refund:qr:-640');
  const page = await clerk.get(r.headers.get('location'), HTML);
  assert.match(page.text, /払われていた 640円 を返金として記録しました。640円 をお返しください。/);
  const slip = page.text.match(/<a href="(\/counter\/bookings\/\d+\/receipt\?[^"]+)">返金の控え/);
  const s = await clerk.get(slip[1].replace(/&amp;/g, '&'), HTML);
  assert.match(s.text, /<dt>取消料<\/dt><dd id="slip-fee">なし<\/dd>/);
});

test('the panel, the holder\'s request with nothing paid: the fee is owed, shown on the card with the button to take it', async () => {
  const { id } = await booked('2026-04-08', 'evening', undefined, 'chuo/washitsu');   // today, not paid: 取消料 270円
  const before = card((await clerk.get('/counter?center=chuo', HTML)).text, id);
  assert.match(before, new RegExp(`id="onbehalf-${id}-holder-money">取消料 270円 \\(使用料の50%\\)。支払いはまだないので、取消料 270円 が未払いになります`));
  const r = await clerk.postForm(`/counter/bookings/${id}/cancel`, { center: 'chuo', reason: '本人が窓口で申し出', on_behalf: 'holder' });
  assert.equal(r.status, 303, r.text.slice(0, 300));
  assert.equal(r.headers.get('location'), `/counter?center=chuo&done=cancelled&fee=270&owed=270&booking=${id}`);
  const page = await clerk.get(r.headers.get('location'), HTML);
  assert.match(page.text, /予約を取り消しました。取消料 270円 が未払いです。この予約のカードで受け取ってください。/);
  const c = card(page.text, id);
  assert.match(c, /<dt>取消料・支払い<\/dt><dd class="fee-called-off">取消料 270円 \(未払い 270円\)<\/dd>/);
  assert.match(c, /270円を受け取る/);
  assert.doesNotMatch(c, /この予約を取り消す/);
});

test('the help page tells citizens: the same 取消料 at the counter or by phone, none for the city\'s reason', async () => {
  const help = await client(srv.base).get('/help', HTML);
  assert.equal(help.status, 200);
  assert.match(help.text, /<p id="cancel-counter">公民館の窓口や電話でとりけすときも、同じ取消料です。設備がこわれたときや休館のときなど、市の都合でとりけすときは、お金はかかりません。<\/p>/);
});

test('the panel of a hold: free on either account, as a hold always is', async () => {
  const b = await citizen.post('/api/v1/bookings', { room_id: rooms['chuo/r503'], date: '2026-04-08', slots: ['afternoon'],
    purpose: '会議', attendees: 5 });
  assert.equal(b.status, 201, b.text);
  const c = card((await clerk.get('/counter?center=chuo', HTML)).text, b.json.id);
  assert.match(c, new RegExp(`id="onbehalf-${b.json.id}-holder-money">取消料はかかりません \\(仮予約です\\)。支払いはありません。<`));
  const r = await clerk.postForm(`/counter/bookings/${b.json.id}/cancel`, { center: 'chuo', reason: '本人から電話で連絡', on_behalf: 'holder' });
  assert.equal(r.status, 303, r.text.slice(0, 300));
  assert.equal(r.headers.get('location'), '/counter?center=chuo&done=cancelled');
  assert.equal(sql(`SELECT cancel_fee FROM bookings WHERE id=${b.json.id}`), '0');
});
