// One word for one thing, on every page and in every message: the ways to
// pay (one list in core/payments.c), the audit trail's actions (one table in
// core/trail.c, the code kept beside the label), and dates with their
// weekday in full-width parentheses, 2026年4月8日（水）, from one helper
// (core/clock.c).
//
// The server's clock is Wednesday 2026-04-08 10:00 (counter open).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, client, addUser, signIn, browserSession } from './harness.mjs';

const NOW = '2026-04-08T10:00:00+09:00';
const PW = 'words-test-password-1';
const HTML = { Accept: 'text/html' };
const IC = '電子マネー（交通系ICカードなど）';
const ALL = `現金・QRコード決済・クレジットカード・${IC}`;
let srv, ids = {}, rooms = {}, staff, staffApi, admin, citizen, citizenApi;

before(async () => {
  srv = await start({ now: NOW });
  ids.staff = await addUser(srv.db, { role: 'staff', name: '窓口 一郎', center: 'chuo', password: PW });
  ids.admin = await addUser(srv.db, { role: 'admin', name: '管理 二郎', password: PW });
  ids.citizen = await addUser(srv.db, { role: 'citizen', name: '前橋 三郎', password: PW });
  for (const ce of (await client(srv.base).get('/api/v1/centers')).json.centers)
    for (const r of ce.rooms) rooms[`${ce.code}/${r.code}`] = r.id;
  staff = await browserSession(srv.base, ids.staff, PW);
  staffApi = await signIn(srv.base, ids.staff, PW);
  admin = await browserSession(srv.base, ids.admin, PW);
  citizen = await browserSession(srv.base, ids.citizen, PW);
  citizenApi = await signIn(srv.base, ids.citizen, PW);
});
after(async () => { await srv.stop(); });

test('the ic method has one name: counter form, pay buttons, receipt, ledger, messages and the citizen\'s page', async () => {
  // a method that is none of them: the message names the four by their names, and the codes
  const bad = await staffApi.post('/api/v1/counter/walkin', { room_id: rooms['chuo/r503'], slots: ['evening'],
    name: '高崎 花子', phone: '027-111-3333', payment_method: 'bitcoin' });
  assert.equal(bad.status, 422, bad.text);
  assert.equal(bad.json.error.code, 'validation');
  const msg = bad.json.error.fields.payment_method;
  assert.match(msg, new RegExp(`「${IC.replace(/[（）]/g, '.')}」`));
  assert.match(msg, /cash、qr、card、ic/);
  assert.doesNotMatch(msg, /ic（電子マネー）/);

  // paid by ic at once: its receipt and the day's ledger say the one name
  const w = await staffApi.post('/api/v1/counter/walkin', { room_id: rooms['chuo/r503'], slots: ['evening'],
    name: '高崎 花子', phone: '027-111-3333', payment_method: 'ic' });
  assert.equal(w.status, 201, w.text);
  const pays = await staffApi.get(`/api/v1/bookings/${w.json.id}/payments`);
  assert.equal(pays.status, 200, pays.text);
  const [p] = pays.json.payments;
  assert.equal(p.method, 'ic');
  assert.equal(p.method_label, IC);
  const slip = await staff.get(`/counter/bookings/${w.json.id}/receipt?receipt=${p.receipt}&center=chuo`, HTML);
  assert.equal(slip.status, 200);
  assert.ok(slip.text.includes(IC), 'the receipt names the method');
  const ledger = await staff.get('/counter/ledger?center=chuo', HTML);
  assert.ok(ledger.text.includes(`<th scope="row">${IC}</th>`), 'the totals by method');

  // the walk-in form and a booking card's pay buttons: the same four names, nothing else for ic
  const counter = await staff.get('/counter?center=chuo', HTML);
  assert.equal(counter.status, 200);
  assert.ok(counter.text.includes(`>${IC}</label>`), 'the walk-in form offers it by its name');
  assert.doesNotMatch(counter.text, />交通系ICカード</);

  // a payment of the wrong method through the API: the same message
  const held = await citizenApi.post('/api/v1/bookings', { room_id: rooms['chuo/r503'], date: '2026-04-22',
    slots: ['morning'], purpose: '学習会', attendees: 3 });
  assert.equal(held.status, 201, held.text);
  const wrong = await staffApi.post(`/api/v1/bookings/${held.json.id}/payments`, { method: 'paypay', amount: held.json.fee.total });
  assert.equal(wrong.status, 422, wrong.text);
  assert.equal(wrong.json.error.fields.method, msg.replace(/後で支払う場合は空欄にしてください。$/, ''));
  const card = await staff.get('/counter?center=chuo', HTML);
  assert.ok(card.text.includes(`>${IC}</label>`));

  // the citizen's booking page lists the ways to pay with the same names
  const mine = await citizen.get(`/my/bookings/${held.json.id}`, HTML);
  assert.equal(mine.status, 200);
  assert.ok(mine.text.includes(`使える支払い方法: ${ALL}。`), mine.text.match(/<div class="pay"[\s\S]*?<\/div>/)?.[0]);
});

test('/admin/audit says each action in words, its code beside it; the JSON and CSV carry the words too', async () => {
  // staff actions of their own: a walk-in paid at once, a search by an admin
  const w = await staffApi.post('/api/v1/counter/walkin', { room_id: rooms['chuo/kaigi'], slots: ['evening'],
    name: '渋川 四郎', phone: '027-222-4444', payment_method: 'cash' });
  assert.equal(w.status, 201, w.text);
  assert.equal((await admin.get('/admin/users?q=%E6%B8%8B%E5%B7%9D', HTML)).status, 200);
  const page = await admin.get('/admin/audit', HTML);
  assert.equal(page.status, 200);
  assert.match(page.text, /<td>当日利用の受付<br><code>counter\.walkin<\/code><\/td>/);
  assert.match(page.text, /<td>使用料の受け取り<br><code>counter\.payment<\/code><\/td>/);
  assert.match(page.text, /<td>利用者を検索<br><code>user\.search<\/code><\/td>/);
  // every row has its words: no action shown as a bare code
  const rows = page.text.match(/<tbody>[\s\S]*<\/tbody>/)[0];
  assert.ok((rows.match(/<tr>/g) || []).length >= 4);
  assert.doesNotMatch(rows, /<td><code>/);

  const api = await admin.get('/api/v1/audit?action=counter.walkin');
  assert.equal(api.status, 200);
  assert.equal(api.json.entries[0].action, 'counter.walkin');
  assert.equal(api.json.entries[0].action_label, '当日利用の受付');
  const csv = await admin.get('/api/v1/audit?format=csv&action=counter.walkin');
  const [head, first] = csv.text.replace(/^\uFEFF/, '').split(/\r?\n/);
  assert.match(head, /,action,action_label,target,/);
  assert.match(first, /,counter\.walkin,当日利用の受付,/);
});

test('dates read the same on pages and in messages: 2026年5月1日（金）9:00, the weekday in full-width parentheses', async () => {
  // core's message for a month not yet open, and the room's month page saying the same
  const early = await citizenApi.post('/api/v1/bookings', { room_id: rooms['chuo/r503'], date: '2026-07-08',
    slots: ['morning'], purpose: '学習会', attendees: 3 });
  assert.equal(early.status, 422, early.text);
  assert.equal(early.json.error.code, 'outside_booking_window');
  assert.match(early.json.error.message, /2026年5月1日（金）9:00/);
  const month = await client(srv.base).get(`/rooms/${rooms['chuo/r503']}?month=2026-07`, HTML);
  assert.match(month.text, /2026年5月1日（金）9:00 から受け付けます/);
  assert.match(month.text, /<th scope="row">8日（水）/);
  // no page writes a weekday in half-width parentheses
  const held = await citizenApi.post('/api/v1/bookings', { room_id: rooms['chuo/r503'], date: '2026-04-23',
    slots: ['afternoon'], purpose: '学習会', attendees: 3 });
  assert.equal(held.status, 201, held.text);
  const pages = [
    [client(srv.base), '/'], [client(srv.base), `/rooms/${rooms['chuo/r503']}?month=2026-04`],
    [client(srv.base), '/today'], [client(srv.base), '/rules/discounts'], [citizen, `/my/bookings/${held.json.id}`],
    [citizen, '/my'], [staff, '/counter?center=chuo'], [staff, '/counter/ledger?center=chuo'], [admin, '/admin/audit'],
  ];
  for (const [who, path] of pages) {
    const p = await who.get(path, HTML);
    assert.equal(p.status, 200, path);
    assert.doesNotMatch(p.text, /日\([日月火水木金土]\)/, `${path}: half-width weekday`);
    assert.match(p.text, /日（[日月火水木金土]）/, `${path}: a date with its weekday`);
  }
});
