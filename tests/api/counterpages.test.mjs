// The counter's own pages do what the API does (issue 13 point 12): the
// walk-in form shows each room's fee before anything is sent; a booking card
// offers 来館なし and 取り消す (with a reason, the refund then shown to give
// back); a registered citizen's booking is taken on a page of its own (代理の
// 予約); the printed ledger shows 利用日 and 取消料.
//
// The server's clock is Wednesday 2026-04-08 10:00 (counter open).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { start, client, addUser, signIn, fromTemplate } from './harness.mjs';

const NOW = '2026-04-08T10:00:00+09:00';
const PW = 'counter-pages-password-1';
const HTML = { Accept: 'text/html' };
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded', ...HTML };
let srv, staff, ids = {}, rooms = {};

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

before(async () => {
  srv = await start({ now: NOW });
  ids.staff = await addUser(srv.db, { role: 'staff', name: '窓口 太郎', center: 'chuo', password: PW });
  ids.citizen = await addUser(srv.db, { role: 'citizen', name: '山田 花子', password: PW });
  for (const ce of (await client(srv.base).get('/api/v1/centers')).json.centers)
    for (const r of ce.rooms) rooms[`${ce.code}/${r.code}`] = r.id;
  staff = await browser(ids.staff);
});
after(async () => { await srv.stop(); });

test('the walk-in form shows each room\'s fee for every time of day, before anything is sent', async () => {
  const page = await staff.get('/counter?center=chuo', HTML);
  assert.equal(page.status, 200);
  // 学習室 (fee class study, rules-2026-04-01): 160 / 240 / 400 yen
  assert.match(page.text, /<option value="\d+"[^>]*>503学習室 \(学習室・30人\) 午前160円・午後240円・夜間400円<\/option>/);
  assert.match(page.text, /今日の使用料/);
});

test('a booking card: 来館なし not offered and refused before the grace, 取り消す needs a reason, then the fee and the refund to give back', async () => {
  const w = await staff.postForm('/counter/walkin', { center: 'chuo', room_id: rooms['chuo/r503'], slots: 'evening',
    name: '高崎 次郎', phone: '027-111-2222', payment_method: 'cash' });
  assert.equal(w.status, 303, w.text.slice(0, 400));
  const id = sql("SELECT id FROM bookings WHERE channel='counter' ORDER BY id DESC LIMIT 1");
  let page = await staff.get('/counter?center=chuo', HTML);
  // the evening has not begun: no 来館なし button yet, the card says from when (core's grace)
  assert.doesNotMatch(page.text, new RegExp(`action="/counter/bookings/${id}/noshow"`));
  assert.match(page.text, /来館なしとして記録できるのは 18:30 からです/);
  assert.match(page.text, new RegExp(`予約番号 ${id} を取り消す`));
  // posted anyway: core refuses, the page says why
  const ns = await staff.postForm(`/counter/bookings/${id}/noshow`, { center: 'chuo' });
  assert.equal(ns.status, 422, ns.text.slice(0, 300));
  assert.match(ns.text, /class="error-message"|error-summary/);
  assert.equal(sql(`SELECT status FROM bookings WHERE id=${id}`), 'confirmed');
  // no reason: refused, nothing changed
  const nr = await staff.postForm(`/counter/bookings/${id}/cancel`, { center: 'chuo', reason: '' });
  assert.equal(nr.status, 422);
  assert.match(nr.text, /取り消す理由を/);
  assert.equal(sql(`SELECT status FROM bookings WHERE id=${id}`), 'confirmed');
  // with a reason, at the holder's request (本人の申し出) on the day: the holder's 取消料 (50 %) is kept, the rest
  // of what was paid is refunded at once, and the page says the fee and how much to give back
  const c = await staff.postForm(`/counter/bookings/${id}/cancel`, { center: 'chuo', reason: '本人から電話で連絡', on_behalf: 'holder' });
  assert.equal(c.status, 303, c.text.slice(0, 300));
  assert.equal(c.headers.get('location'), `/counter?center=chuo&done=cancelled&fee=200&refund=200&booking=${id}`);
  assert.equal(sql(`SELECT status FROM bookings WHERE id=${id}`), 'cancelled');
  assert.equal(sql(`SELECT group_concat(kind||':'||amount) FROM payments WHERE booking_id=${id}`), 'payment:400,refund:-200');
  page = await staff.get(c.headers.get('location'), HTML);
  assert.match(page.text, /取消料は 200円 です。払われていた 400円 のうち、取消料を差し引いた 200円 を返金として記録しました。200円 をお返しください。/);
  const fee = 200;
  // the printed ledger: 利用日 and 取消料 on every line that has them
  const led = await staff.get('/counter/ledger?center=chuo', HTML);
  assert.equal(led.status, 200);
  assert.match(led.text, /<th scope="col">利用日<\/th>/);
  assert.match(led.text, /<th scope="col">使用料・取消料<\/th>/);
  assert.match(led.text, /<td>4月8日（水）<\/td>/);
  assert.match(led.text, fee > 0 ? new RegExp(`<td>取消料 ${fee}円</td>`) : /<td>取消料なし<\/td>/);
  assert.match(led.text, /<td>使用料 400円<\/td>/);
});

test('代理の予約: staff book for a registered citizen on a page; errors at their fields; confirmed at once', async () => {
  const page = await staff.get('/counter/book?center=chuo', HTML);
  assert.equal(page.status, 200);
  assert.match(page.text, /<h1>代理の予約/);
  const fields = { center: 'chuo', room_id: rooms['chuo/r507'], date: '2026-04-22', slots: 'morning',
    purpose: '自治会の打ち合わせ', attendees: '5' };
  const bad = await staff.postForm('/counter/book', { ...fields, on_behalf_of: '123456780' });
  assert.equal(bad.status, 422, bad.text.slice(0, 300));
  assert.match(bad.text, /id="f-on_behalf_of-error"/);
  assert.match(bad.text, /name="purpose" value="自治会の打ち合わせ"/);
  const n = sql('SELECT count(*) FROM bookings');
  assert.equal(sql('SELECT count(*) FROM bookings'), n);
  const ok = await staff.postForm('/counter/book', { ...fields, on_behalf_of: ids.citizen });
  assert.equal(ok.status, 303, ok.text.replace(/[\s\S]*<main/, '').slice(0, 1500));
  assert.match(ok.headers.get('location'), /^\/counter\/book\?center=chuo&done=booked&booking=\d+$/);
  assert.equal(sql(`SELECT a.name||'|'||b.status||'|'||b.channel FROM bookings b JOIN accounts a ON a.id=b.account_id WHERE b.date='2026-04-22'`),
    '山田 花子|confirmed|counter');
  // the same slot again: taken, shown at the slots
  const again = await staff.postForm('/counter/book', { ...fields, on_behalf_of: ids.citizen });
  assert.equal(again.status, 409);
  assert.match(again.text, /id="f-slots-error"/);
  // the citizen sees it on マイページ
  const me = await browser(ids.citizen);
  assert.match((await me.get('/my', HTML)).text, /507学習室/);
});

test('a walk-in posted blank: every error at once, each at its field; check-in before the slot says so', async () => {
  const blank = await staff.postForm('/counter/walkin', { center: 'chuo' });
  assert.equal(blank.status, 422);
  for (const f of ['name', 'phone', 'slots']) assert.match(blank.text, new RegExp(`id="f-${f}-error"`), f);
  const api = await signIn(srv.base, ids.staff, PW);
  const j = await api.post('/api/v1/counter/walkin', {});
  assert.equal(j.status, 422);
  assert.deepEqual(Object.keys(j.json.error.fields).sort(), ['name', 'phone', 'room_id', 'slots']);
  // a walk-in for this evening, checked in at 10:00: recorded, and the page says it was early
  const w = await staff.postForm('/counter/walkin', { center: 'chuo', room_id: rooms['chuo/washitsu'], slots: 'evening',
    name: '前橋 三郎', phone: '027-555-6666', payment_method: 'cash' });
  assert.equal(w.status, 303, w.text.slice(0, 300));
  const id = sql("SELECT id FROM bookings WHERE channel='counter' ORDER BY id DESC LIMIT 1");
  const ci = await staff.postForm(`/counter/bookings/${id}/checkin`, { center: 'chuo' });
  assert.equal(ci.status, 303);
  assert.equal(ci.headers.get('location'), '/counter?center=chuo&done=checkin_early');
  assert.match((await staff.get(ci.headers.get('location'), HTML)).text, /利用時間の前の入館です/);
});

// ---- the walk-through's defects (a JavaScript-off walk of the counter pages)

// The booking card of ID on a counter page (its <li> up to the next card).
function card(text, id) {
  const at = text.indexOf(`<li class="card" id="b-${id}">`);
  assert.ok(at >= 0, `card ${id}`);
  const end = text.indexOf('<li class="card"', at + 10);
  return text.slice(at, end < 0 ? text.indexOf('</ul>', at) : end);
}

test('the cancel panel says what a staff cancellation costs, on either account, for this booking', async () => {
  const w = await staff.postForm('/counter/walkin', { center: 'chuo', room_id: rooms['chuo/r507'], slots: 'evening',
    name: '伊勢崎 四郎', phone: '027-222-3333' });
  assert.equal(w.status, 303, w.text.slice(0, 400));
  const id = sql("SELECT id FROM bookings WHERE channel='counter' ORDER BY id DESC LIMIT 1");
  const c = card((await staff.get('/counter?center=chuo', HTML)).text, id);
  // no longer "no fee at the counter": the choice says what each account does with the money (400円, not paid)
  assert.doesNotMatch(c, /窓口での取り消しに取消料はかかりません。/);
  assert.match(c, /本人の申し出<\/strong>[^<]*<span[^>]*>取消料 200円 \(使用料の50%\)。支払いはまだないので、取消料 200円 が未払いになります/);
  assert.match(c, /市の都合<\/strong>[^<]*<span[^>]*>取消料はかかりません。支払いはありません。/);
});

test('an empty cancel reason: the page again with that card\'s panel open, the error at the reason, the summary linking to it', async () => {
  const w = await staff.postForm('/counter/walkin', { center: 'chuo', room_id: rooms['chuo/cooking'], slots: 'evening',
    name: '桐生 五郎', phone: '027-333-4445' });
  assert.equal(w.status, 303, w.text.slice(0, 400));
  const id = sql("SELECT id FROM bookings WHERE channel='counter' ORDER BY id DESC LIMIT 1");
  const nr = await staff.postForm(`/counter/bookings/${id}/cancel`, { center: 'chuo', reason: '  ' });
  assert.equal(nr.status, 422);
  const c = card(nr.text, id);
  assert.match(c, /<details class="cancel-choice" open>/);
  assert.match(c, new RegExp(`id="reason-${id}"[^>]*aria-describedby="reason-${id}-support reason-${id}-error"`));
  assert.match(c, new RegExp(`<p class="field-error" id="reason-${id}-error">.*取り消す理由を`));
  const summary = nr.text.match(/<section class="error-summary"[\s\S]*?<\/section>/)[0];
  assert.match(summary, new RegExp(`<li><a href="#reason-${id}">[^<]*取り消す理由を`));
  assert.doesNotMatch(summary, /<li>\s*<\/li>|<p class="error-message">\s*<\/p>/);
  for (const li of summary.match(/<li>[\s\S]*?<\/li>/g)) assert.match(li, /^<li><a href="#[^"]+">[^<]+<\/a><\/li>$/, li);
  // only that card's panel is open
  assert.equal((nr.text.match(/<details class="cancel-choice" open>/g) || []).length, 1);
  assert.equal(sql(`SELECT status FROM bookings WHERE id=${id}`), 'confirmed');
});

test('at 10:00 the walk-in form offers no morning, and the table shows started slots as 受付終了', async () => {
  const page = await staff.get('/counter?center=chuo', HTML);
  const walkin = page.text.slice(page.text.indexOf('id="walkin-title"'));
  assert.doesNotMatch(walkin.slice(0, walkin.indexOf('</section>')), /name="slots" value="morning"/);
  assert.match(walkin, /name="slots" value="afternoon"/);
  // the first column (午前, under way) of a room with nothing booked: 受付終了, not ○空き
  const row = page.text.match(/<tr><th scope="row">503学習室[\s\S]*?<\/tr>/)[0];
  const cells = row.match(/<td[\s\S]*?<\/td>/g);
  assert.match(cells[0], /受付<wbr>終了/);
  assert.doesNotMatch(cells[0], /空き/);
  assert.match(cells[1], /○<\/span>空き/);
  // the POST agrees
  const post = await staff.postForm('/counter/walkin', { center: 'chuo', room_id: rooms['chuo/r503'], slots: 'morning',
    name: '渋川 六郎', phone: '027-444-5556' });
  assert.equal(post.status, 422);
});

test('an admin with no home centre: /counter offers the centres to choose, not an error', async () => {
  const adminId = await addUser(srv.db, { role: 'admin', name: '管理 一子', password: PW });
  const admin = await browser(adminId);
  const page = await admin.get('/counter', HTML);
  assert.equal(page.status, 200, page.text.replace(/[\s\S]*<main/, '').slice(0, 600));
  assert.doesNotMatch(page.text, /入力内容に誤りがあります|error-summary/);
  assert.match(page.text, /公民館を選んでください/);
  const centers = (await client(srv.base).get('/api/v1/centers')).json.centers;
  for (const ce of centers) assert.match(page.text, new RegExp(`<a href="/counter\\?center=${ce.code}">${ce.name}</a>`));
  assert.equal((await admin.get('/counter?center=chuo', HTML)).status, 200);
});

// Today's morning and afternoon, booked (and the first checked in) at 08:40;
// each test runs the day on from there on its own copy of that database.
const morningDay = fromTemplate({ now: '2026-04-08T08:40:00+09:00' }, async (early) => {
  const sid = await addUser(early.db, { role: 'staff', name: '窓口 次郎', center: 'chuo', password: PW });
  const cid = await addUser(early.db, { role: 'citizen', name: '前橋 梅子', password: PW });
  const api = await signIn(early.base, sid, PW);
  const book = async (room, slots) => {
    const b = await api.post('/api/v1/bookings', { on_behalf_of: cid, room_id: rooms[room], date: '2026-04-08',
      slots, purpose: '打ち合わせ', attendees: 3 });
    assert.equal(b.status, 201, b.text);
    assert.equal((await api.post(`/api/v1/bookings/${b.json.id}/confirm`)).status, 200);
    return b.json.id;
  };
  const used = await book('chuo/kaigi', ['morning']);     // 9:00-12:00, checked in at 08:40
  const absent = await book('chuo/washitsu', ['morning']); // 9:00-12:00, nobody came
  const later = await book('chuo/av', ['afternoon']);      // 13:00-17:00
  assert.equal((await api.post(`/api/v1/bookings/${used}/checkin`)).status, 200);
  return { sid, cid, used, absent, later };
});
async function formClient(base, id) {
  const a = await signIn(base, id, PW, { cookie: true });
  const c = client(base, { cookie: a.cookie });
  c.postForm = (path, fields) => c.req('POST', path, form({ csrf_token: a.session.csrf_token, ...fields }), FORM);
  return c;
}

test('来館なし at 10:00: the button only past the grace (the core\'s rule), else from when; one word, 来館なし', async () => {
  const { srv: ten, data: d } = await morningDay({ now: NOW });
  try {
    const s = await formClient(ten.base, d.sid);
    const page = (await s.get('/counter?center=chuo', HTML)).text;
    assert.match(card(page, d.absent), new RegExp(`action="/counter/bookings/${d.absent}/noshow"`));
    const l = card(page, d.later);
    assert.doesNotMatch(l, /\/noshow"/);
    assert.match(l, /来館なしとして記録できるのは 13:30 からです/);
    assert.doesNotMatch(card(page, d.used), /\/noshow"|来館なしとして記録できる/);
    assert.doesNotMatch(page, /不来場/);
    // the core's refusal says 来館なし too
    const ns = await s.postForm(`/counter/bookings/${d.later}/noshow`, { center: 'chuo' });
    assert.equal(ns.status, 422);
    assert.match(ns.text, /来館なしとして記録できるのは/);
    assert.doesNotMatch(ns.text, /不来場/);
    const ok = await s.postForm(`/counter/bookings/${d.absent}/noshow`, { center: 'chuo' });
    assert.equal(ok.status, 303, ok.text.slice(0, 300));
  } finally {
    await ten.stop();
  }
});

test('checked in and under way: 利用中 on the counter and with the current ones on マイページ; 利用済み once it ends', async () => {
  const { srv: ten, data: d } = await morningDay({ now: NOW });
  try {
    const page = (await (await formClient(ten.base, d.sid)).get('/counter?center=chuo', HTML)).text;
    assert.match(card(page, d.used), /<dt>状態<\/dt><dd>利用中 \(入館済み\)<\/dd>/);
    assert.doesNotMatch(page, /利用済み/);
    const my = (await (await formClient(ten.base, d.cid)).get('/my', HTML)).text;
    const pastAt = my.indexOf('id="past-title"');
    const coming = my.slice(my.indexOf('id="coming-title"'), pastAt < 0 ? undefined : pastAt);
    assert.match(coming, new RegExp(`/my/bookings/${d.used}"`));
    assert.match(coming, /利用中 \(入館済み\)/);
    assert.doesNotMatch(my, /利用済み/);
  } finally {
    await ten.stop();
  }
  // 12:30: the morning is over
  const { srv: noon, data: e } = await morningDay({ now: '2026-04-08T12:30:00+09:00' });
  try {
    const page = (await (await formClient(noon.base, e.sid)).get('/counter?center=chuo', HTML)).text;
    assert.match(card(page, e.used), /<dt>状態<\/dt><dd>利用済み \(入館済み\)<\/dd>/);
    const my = (await (await formClient(noon.base, e.cid)).get('/my', HTML)).text;
    const pastAt = my.indexOf('id="past-title"');
    assert.ok(pastAt > 0, 'an ended section');
    assert.match(my.slice(pastAt), new RegExp(`/my/bookings/${e.used}"`));
    assert.match(my.slice(pastAt), /利用済み/);
  } finally {
    await noon.stop();
  }
});

// ---- paper for the person at the counter (the testers' defects)

test('a walk-in paid at the counter leads to its 領収書: amount, receipt number, 予約番号; back to the counter after', async () => {
  const w = await staff.postForm('/counter/walkin', { center: 'chuo', room_id: rooms['chuo/kaigi'], slots: 'afternoon',
    name: '太田 八郎', phone: '027-888-9999', payment_method: 'cash' });
  assert.equal(w.status, 303, w.text.slice(0, 400));
  const id = sql("SELECT id FROM bookings WHERE walkin_name='太田 八郎'");
  const [receipt, amount] = sql(`SELECT receipt||'|'||amount FROM payments WHERE booking_id=${id}`).split('|');
  const loc = w.headers.get('location');
  assert.equal(loc, `/counter/bookings/${id}/receipt?receipt=${receipt}&center=chuo&done=walkin`);
  const slip = await staff.get(loc, HTML);
  assert.equal(slip.status, 200);
  assert.match(slip.text, /<h1>領収書<\/h1>/);
  assert.match(slip.text, new RegExp(`<strong id="slip-amount">${amount}円</strong>`));
  assert.match(slip.text, new RegExp(`<dd id="slip-receipt">${receipt}</dd>`));
  assert.match(slip.text, new RegExp(`当日利用を受け付けました。[^<]*予約番号 ${id}`));
  assert.match(slip.text, /href="\/counter\?center=chuo&amp;done=walkin"/);
  // a done= the page does not know changes nothing but the way back
  const odd = await staff.get(`/counter/bookings/${id}/receipt?receipt=${receipt}&center=chuo&done=%3Cx%3E`, HTML);
  assert.equal(odd.status, 200);
  assert.doesNotMatch(odd.text, /当日利用を受け付けました|%3Cx|<x>/);
});

test('代理の予約 taken: the page says the 予約番号, room, date, time, fee and that it is confirmed', async () => {
  const ok = await staff.postForm('/counter/book', { center: 'chuo', room_id: rooms['chuo/r507'], date: '2026-04-23',
    slots: 'afternoon', purpose: '俳句の会', attendees: '6', on_behalf_of: ids.citizen });
  assert.equal(ok.status, 303, ok.text.replace(/[\s\S]*<main/, '').slice(0, 1500));
  const [id, fee] = sql("SELECT id||'|'||fee_total FROM bookings WHERE date='2026-04-23' AND purpose='俳句の会'").split('|');
  assert.equal(ok.headers.get('location'), `/counter/book?center=chuo&done=booked&booking=${id}`);
  const page = await staff.get(ok.headers.get('location'), HTML);
  assert.equal(page.status, 200);
  const done = page.text.match(/<section[^>]*id="booked"[\s\S]*?<\/section>/);
  assert.ok(done, page.text.replace(/[\s\S]*<main/, '').slice(0, 1500));
  assert.match(done[0], /代理の予約を受け付けました/);
  assert.match(done[0], new RegExp(`予約番号[^0-9]*${id}`));
  assert.match(done[0], /507学習室/);
  assert.match(done[0], /2026年4月23日（木）/);
  assert.match(done[0], /午後/);
  assert.match(done[0], new RegExp(`${Number(fee).toLocaleString('ja-JP')}円`));
  assert.match(done[0], /<dt>状態<\/dt><dd>確定/);
  assert.match(done[0], new RegExp(`<dt>利用者番号</dt><dd>${ids.citizen}</dd>`));
  // in whose name: the citizen's, by name (not a bare 個人)
  assert.match(done[0], /<dt>名義<\/dt><dd>個人（山田 花子）<\/dd>/);
  // and the form is there again for the next caller
  assert.match(page.text, /action="\/counter\/book"/);
});

test('a staff cancellation that refunds: a printable 返金の控え with the booking, amount, method, date and centre', async () => {
  const w = await staff.postForm('/counter/walkin', { center: 'chuo', room_id: rooms['chuo/av'], slots: 'evening',
    name: '沼田 九郎', phone: '027-999-0000', payment_method: 'cash' });
  assert.equal(w.status, 303, w.text.slice(0, 400));
  const id = sql("SELECT id FROM bookings WHERE walkin_name='沼田 九郎'");
  const paid = Number(sql(`SELECT amount FROM payments WHERE booking_id=${id}`));
  const c = await staff.postForm(`/counter/bookings/${id}/cancel`, { center: 'chuo', reason: '本人から電話で連絡', on_behalf: 'holder' });
  assert.equal(c.status, 303, c.text.slice(0, 300));
  const refund = sql(`SELECT receipt FROM payments WHERE booking_id=${id} AND kind='refund'`);
  // at the holder's request on the day: half the fee is kept (取消料), the other half goes back
  const fee = Number(sql(`SELECT cancel_fee FROM bookings WHERE id=${id}`));
  assert.equal(fee, Math.floor(paid / 2));
  const back = paid - fee;
  assert.equal(c.headers.get('location'), `/counter?center=chuo&done=cancelled&fee=${fee}&refund=${back}&booking=${id}`);
  const page = await staff.get(c.headers.get('location'), HTML);
  assert.match(page.text, new RegExp(`をお返しください。`));
  const href = `/counter/bookings/${id}/receipt?receipt=${refund}&amp;center=chuo&amp;done=cancelled`;
  assert.match(page.text, new RegExp(`<a href="${href.replace(/[?]/g, '\\?')}">返金の控え`));
  const slip = await staff.get(href.replace(/&amp;/g, '&'), HTML);
  assert.equal(slip.status, 200);
  assert.match(slip.text, /<h1>返金の控え<\/h1>/);
  // a slip of its own words, not a receipt's
  assert.match(slip.text, /<dt>控えの番号<\/dt>/);
  assert.match(slip.text, /この返金の控えを印刷できます/);
  assert.doesNotMatch(slip.text, /領収書/);
  assert.match(slip.text, new RegExp(`<strong id="slip-amount">${back.toLocaleString('ja-JP')}円</strong>`));
  // the slip shows the 取消料 kept
  assert.match(slip.text, new RegExp(`<dt>取消料</dt><dd id="slip-fee">${fee.toLocaleString('ja-JP')}円 \\(払われた使用料から差し引き\\)</dd>`));
  assert.match(slip.text, new RegExp(`予約番号 ${id} を取り消しました \\(取消料 ${fee.toLocaleString('ja-JP')}円`));
  assert.match(slip.text, new RegExp(`<dd id="slip-receipt">${refund}</dd>`));
  assert.match(slip.text, /<dt>返金の方法<\/dt><dd>現金<\/dd>/);
  assert.match(slip.text, new RegExp(`予約番号 ${id}`));
  assert.match(slip.text, /2026年4月8日（水）10:00/);
  assert.match(slip.text, /前橋市 中央公民館/);
  assert.match(slip.text, /href="\/counter\?center=chuo&amp;done=cancelled"/);
  // a booking number that is not one: no links, no error
  const odd = await staff.get('/counter?center=chuo&done=cancelled&refund=400&booking=abc', HTML);
  assert.equal(odd.status, 200);
  assert.doesNotMatch(odd.text, /返金の控え/);
});

test('/counter/book without a centre: the clerk\'s own, or the centres to choose; a bad date posted without one is 422 at the date', async () => {
  const page = await staff.get('/counter/book', HTML);
  assert.equal(page.status, 200, page.text.replace(/[\s\S]*<main/, '').slice(0, 600));
  assert.match(page.text, /<h1>代理の予約<span class="sub">中央公民館<\/span>/);
  assert.match(page.text, /name="center" value="chuo"/);
  const adminId = await addUser(srv.db, { role: 'admin', name: '管理 二子', password: PW });
  const admin = await browser(adminId);
  const choice = await admin.get('/counter/book', HTML);
  assert.equal(choice.status, 200);
  assert.match(choice.text, /公民館を選んでください/);
  assert.match(choice.text, /<a href="\/counter\/book\?center=chuo">中央公民館<\/a>/);
  const n = sql('SELECT count(*) FROM bookings');
  const bad = await staff.postForm('/counter/book', { room_id: rooms['chuo/r507'], date: '2026-13-45', slots: 'morning',
    purpose: '読書会', attendees: '4', on_behalf_of: ids.citizen });
  assert.equal(bad.status, 422, bad.text.replace(/[\s\S]*<main/, '').slice(0, 600));
  assert.match(bad.text, /id="f-date-error"/);
  assert.match(bad.text, /name="purpose" value="読書会"/);
  // an admin (no home centre) gets the form of the room's centre
  const bad2 = await admin.postForm('/counter/book', { room_id: rooms['chuo/r507'], date: 'x', slots: 'morning',
    purpose: '読書会', attendees: '4', on_behalf_of: ids.citizen });
  assert.equal(bad2.status, 422, bad2.text.replace(/[\s\S]*<main/, '').slice(0, 600));
  assert.match(bad2.text, /id="f-date-error"/);
  assert.equal(sql('SELECT count(*) FROM bookings'), n);
});

test('a walk-in posted with an unknown centre, or a room of another centre: 422, nothing stored', async () => {
  const n = sql('SELECT count(*) FROM bookings');
  const other = Object.keys(rooms).find((k) => !k.startsWith('chuo/'));
  for (const [center, room] of [['../../etc', rooms['chuo/r507']], ['nowhere', rooms['chuo/r507']], ['chuo', rooms[other]]]) {
    const w = await staff.postForm('/counter/walkin', { center, room_id: room, slots: 'afternoon',
      name: '草津 十郎', phone: '027-000-1111', payment_method: 'cash' });
    assert.equal(w.status, 422, `${center} ${room}: ${w.status} ${w.headers.get('location')}`);
    assert.match(w.text, /error-summary/);
    assert.match(w.text, /name="name" value="草津 十郎"/);
    assert.doesNotMatch(w.text, /\.\.\/\.\.\/etc/);
  }
  assert.equal(sql('SELECT count(*) FROM bookings'), n);
  assert.equal(sql("SELECT count(*) FROM bookings WHERE walkin_name='草津 十郎'"), '0');
});

// ---- the walk-through's second round

// The fee line of a called-off booking on a page (the one shared row).
function calledOff(text) {
  const m = text.match(/<div><dt>取消料・支払い<\/dt><dd class="fee-called-off">([^<]*)<\/dd><\/div>/);
  return m && m[1];
}

test('a cancelled booking\'s fee reads the same at the counter, on マイページ and on its page: 取消料, paid, refunded', async () => {
  const api = await signIn(srv.base, ids.staff, PW);
  const b = await api.post('/api/v1/bookings', { on_behalf_of: ids.citizen, room_id: rooms['chuo/washitsu'],
    date: '2026-04-08', slots: ['afternoon'], purpose: '茶道の稽古', attendees: 4, confirm: true });
  assert.equal(b.status, 201, b.text);
  const id = b.json.id, fee = b.json.fee.total;
  assert.ok(fee > 0);
  assert.equal((await api.post(`/api/v1/bookings/${id}/payments`, { method: 'cash', amount: fee })).status, 201);
  // the citizen cancels online on the day: a 取消料, and the rest is owed back to them
  const me = await signIn(srv.base, ids.citizen, PW);
  const c = await me.post(`/api/v1/bookings/${id}/cancel`, {});
  assert.equal(c.status, 200, c.text);
  const cfee = Number(sql(`SELECT cancel_fee FROM bookings WHERE id=${id}`));
  assert.ok(cfee > 0 && cfee < fee, `cancel fee ${cfee}`);
  const yen = (n) => `${n.toLocaleString('ja-JP')}円`;
  const seen = async (want) => {
    const counter = card((await staff.get('/counter?center=chuo', HTML)).text, id);
    const citizen = await browser(ids.citizen);
    const my = (await citizen.get('/my', HTML)).text;
    const myCard = my.slice(my.indexOf(`/my/bookings/${id}"`) - 2000, my.indexOf(`/my/bookings/${id}"`));
    const own = (await citizen.get(`/my/bookings/${id}`, HTML)).text;
    assert.equal(calledOff(counter), want, 'the counter');
    assert.equal(calledOff(myCard.slice(myCard.lastIndexOf('<li class="card booking-card">'))), want, 'マイページ');
    assert.equal(calledOff(own), want, 'the booking page');
    // the counter no longer calls the 取消料 a 使用料
    assert.doesNotMatch(counter, /<dt>使用料<\/dt>/);
  };
  await seen(`取消料 ${yen(cfee)} (支払済み ${yen(fee)}・返金待ち ${yen(fee - cfee)})`);
  // the clerk gives the rest back: every page says so
  assert.equal((await api.post(`/api/v1/bookings/${id}/payments`, { method: 'cash', amount: -(fee - cfee) })).status, 201);
  await seen(`取消料 ${yen(cfee)} (支払済み ${yen(fee)}・返金済み ${yen(fee - cfee)})`);
});

test('代理の予約 posted empty: every error at once (利用者番号, room, date, slots, purpose, attendees), nothing stored', async () => {
  const n = sql('SELECT count(*) FROM bookings');
  const want = ['on_behalf_of', 'room_id', 'date', 'slots', 'purpose', 'attendees'];
  // as a browser sends it (every field, empty), and without the fields at all
  const empty = Object.fromEntries(want.map((f) => [f, '']));
  for (const body of [{ center: 'chuo', ...empty }, { center: 'chuo' }]) {
    const blank = await staff.postForm('/counter/book', body);
    assert.equal(blank.status, 422, blank.text.replace(/[\s\S]*<main/, '').slice(0, 600));
    const summary = blank.text.match(/<section class="error-summary"[\s\S]*?<\/section>/)[0];
    for (const f of want) {
      assert.match(blank.text, new RegExp(`id="f-${f}-error"`), f);
      assert.match(summary, new RegExp(`<a href="#f-${f}">`), `summary: ${f}`);
    }
  }
  // a 利用者番号 of nobody with the rest left out: the same, all at once
  const nobody = await staff.postForm('/counter/book', { center: 'chuo', on_behalf_of: '123456782', purpose: '読書会' });
  assert.equal(nobody.status, 422);
  for (const f of want.filter((f) => f !== 'purpose')) assert.match(nobody.text, new RegExp(`id="f-${f}-error"`), f);
  assert.doesNotMatch(nobody.text, /id="f-purpose-error"/);
  assert.match(nobody.text, /name="purpose" value="読書会"/);
  // the API says the same
  const api = await signIn(srv.base, ids.staff, PW);
  const j = await api.post('/api/v1/bookings', { on_behalf_of: '' });
  assert.equal(j.status, 422);
  assert.deepEqual(Object.keys(j.json.error.fields).sort(), [...want].sort());
  assert.equal(sql('SELECT count(*) FROM bookings'), n);
});

test('a booking card\'s action posted with an unknown centre: 422 on the counter page with the reason, nothing done', async () => {
  const { srv: ten, data: d } = await morningDay({ now: NOW });
  try {
    const s = await formClient(ten.base, d.sid);
    const q = (x) => {
      const r = spawnSync('sqlite3', [ten.db, x], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim();
    };
    const api = await signIn(ten.base, d.sid, PW);
    const hold = await api.post('/api/v1/bookings', { on_behalf_of: d.cid, room_id: rooms['chuo/r503'], date: '2026-04-22',
      slots: ['morning'], purpose: '読書会', attendees: 3 });
    assert.equal(hold.status, 201, hold.text);
    const fee = q(`SELECT fee_total FROM bookings WHERE id=${d.later}`);
    const state = () => q('SELECT group_concat(id||status||coalesce(checked_in_at,\'\')||coalesce(noshow_at,\'\'), \',\') FROM bookings')
      + '|' + q('SELECT count(*) FROM payments');
    const before = state();
    const actions = [
      [`/counter/bookings/${d.later}/checkin`, {}],
      [`/counter/bookings/${d.later}/pay`, { method: 'cash', amount: fee }],
      [`/counter/bookings/${d.later}/cancel`, { reason: '本人から電話で連絡' }],
      [`/counter/bookings/${d.absent}/noshow`, {}],
      [`/counter/bookings/${hold.json.id}/confirm`, {}],
    ];
    for (const center of ['../../etc', 'nowhere']) {
      for (const [path, body] of actions) {
        const r = await s.postForm(path, { center, ...body });
        assert.equal(r.status, 422, `${path} ${center}: ${r.status} ${r.headers.get('location')}`);
        const summary = r.text.match(/<section class="error-summary"[\s\S]*?<\/section>/);
        assert.ok(summary, path);
        assert.match(summary[0], /公民館の指定が正しくありません/, path);
        assert.match(r.text, /<h1>窓口 中央公民館/, path);
        assert.doesNotMatch(r.text, /\.\.\/\.\.\/etc|nowhere/, path);
      }
    }
    assert.equal(state(), before, 'nothing done');
    // a 代理の予約 posted with an unknown centre, or a room of another centre: refused, nothing stored
    const other = Object.keys(rooms).find((k) => !k.startsWith('chuo/'));
    const fields = { room_id: rooms['chuo/r507'], date: '2026-04-24', slots: 'morning', purpose: '読書会', attendees: '4',
      on_behalf_of: d.cid };
    const nowhere = await s.postForm('/counter/book', { ...fields, center: 'nowhere' });
    assert.equal(nowhere.status, 422, nowhere.text.replace(/[\s\S]*<main/, '').slice(0, 600));
    assert.match(nowhere.text, /公民館の指定が正しくありません/);
    assert.match(nowhere.text, /name="center" value="chuo"/);
    assert.match(nowhere.text, /name="purpose" value="読書会"/);
    const elsewhere = await s.postForm('/counter/book', { ...fields, center: 'chuo', room_id: rooms[other] });
    assert.equal(elsewhere.status, 422);
    assert.match(elsewhere.text, /id="f-room_id-error"/);
    assert.equal(state(), before, 'nothing stored');
    // sent without a centre, an action goes back to the counter page of the booking's centre
    const ci = await s.postForm(`/counter/bookings/${d.later}/checkin`, {});
    assert.equal(ci.status, 303);
    assert.match(ci.headers.get('location'), /^\/counter\?center=chuo&done=checkin/);
  } finally {
    await ten.stop();
  }
});
