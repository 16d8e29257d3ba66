// Operations pages (issue 14; docs/operations.md) in Debian's chromium with
// JavaScript off: an admin disables a clerk from /admin/users and the clerk's
// next page load is refused; a counter reset code works once on
// /password-reset; a citizen sees on /my/privacy who at the city looked at
// their data and closes the account there; axe-core WCAG 2.0 A/AA on each page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, client, addUser, signIn } from '../api/harness.mjs';
import { launch, signedInContext, assertNoViolations } from './helpers.mjs';

const PW = 'browser-ops-password-1';
let srv, browser, ids = {};

before(async () => {
  srv = await start({ now: '2026-04-08T10:00:00+09:00' });
  ids.admin = await addUser(srv.db, { role: 'admin', name: '管理 花子', password: PW });
  ids.staff = await addUser(srv.db, { role: 'staff', name: '窓口 次郎', center: 'chuo', password: PW });
  const made = await client(srv.base).post('/api/v1/accounts', { name: '前橋 市民', name_kana: 'マエバシ シミン',
    email: 'shimin@example.jp', phone: '027-222-3333', password: PW, resident: true });
  ids.citizen = made.json.system_id;
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

// JavaScript off, signed in as ID; axe on what a page shows (helpers.mjs)
const as = (id, password = PW) => signedInContext(browser, srv.base, id, password);
const noViolations = (page, label) => assertNoViolations(browser, page, label);

test('an admin disables a clerk from the users page; the clerk\'s next page is refused', async () => {
  const staff = await (await as(ids.staff)).newPage();
  assert.equal((await staff.goto(srv.base + '/counter')).status(), 200);
  const admin = await (await as(ids.admin)).newPage();
  await admin.goto(srv.base + '/admin/users?role=staff');
  await noViolations(admin, '/admin/users');
  await admin.click(`form[action="/admin/users/${ids.staff}/disable"] button`);
  // it asks first; the clerk is still signed in meanwhile
  assert.match(await admin.textContent('main'), /を停止しますか/);
  await noViolations(admin, '/admin/users/ID/disable (asks)');
  assert.equal((await staff.goto(srv.base + '/counter')).status(), 200);
  await admin.click(`form[action="/admin/users/${ids.staff}/disable"] button`);
  assert.match(admin.url(), /done=disabled/);
  assert.match(await admin.textContent('main'), /停止中/);
  const res = await staff.goto(srv.base + '/counter');
  assert.equal(new URL(staff.url()).pathname, '/signin', `status ${res.status()}`);
  await admin.click(`form[action="/admin/users/${ids.staff}/enable"] button`);
  assert.match(await admin.textContent('main'), /有効にしました/);
  await admin.goto(srv.base + '/admin/audit?action=user');
  await noViolations(admin, '/admin/audit');
  const text = await admin.textContent('main');
  assert.match(text, /アカウントの停止\s*user\.disable/);
  assert.match(text, /管理 花子/);
});

test('a counter reset code works once on the password reset page', async () => {
  const staff = await signIn(srv.base, ids.staff, PW);
  const code = (await staff.post(`/api/v1/users/${ids.citizen}/reset-code`)).json.code;
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await ctx.newPage();
  await page.goto(srv.base + '/password-reset');
  await noViolations(page, '/password-reset');
  assert.equal(await page.getByLabel(/^利用者番号/).count(), 2, 'one field for each label');
  const use = async () => {
    await page.goto(srv.base + '/password-reset');
    // each form's 利用者番号 is found by its own label (no id twice on the page)
    await page.locator('form[action="/password-reset/confirm"]').getByLabel('利用者番号').fill(ids.citizen);
    await page.fill('#f-code', code);
    await page.fill('#f-password', 'reset-in-browser-1');
    await page.click('form[action="/password-reset/confirm"] button[type="submit"]');
  };
  await use();
  assert.equal(new URL(page.url()).pathname, '/signin');
  await use();
  assert.match(await page.textContent('main'), /使えません/);
  // a used code: the form again, the reason at the code field and in the summary at the top
  assert.match(await page.textContent('#f-code-error'), /このコードは使えません/);
  assert.equal(await page.inputValue('form[action="/password-reset/confirm"] #f-system_id'), ids.citizen);
  assert.equal(await page.inputValue('#f-password'), '', 'a password is never written back');
  await noViolations(page, '/password-reset/confirm (a used code)');
  await signIn(srv.base, ids.citizen, 'reset-in-browser-1');
  ids.citizenPw = 'reset-in-browser-1';
});

test('a citizen sees who looked at their data and closes the account on /my/privacy', async () => {
  const staff = await signIn(srv.base, ids.staff, PW);
  const rooms = (await client(srv.base).get('/api/v1/centers')).json.centers[0].rooms;
  const citizen = await signIn(srv.base, ids.citizen, ids.citizenPw);
  const b = await citizen.post('/api/v1/bookings', { room_id: rooms[0].id, date: '2026-04-08', slots: ['evening'], purpose: '会議', attendees: 2 });
  assert.equal(b.status, 201, b.text);
  assert.equal((await staff.get('/api/v1/counter/today?center=chuo')).status, 200);
  const page = await (await as(ids.citizen, ids.citizenPw)).newPage();
  await page.goto(srv.base + '/my');
  await page.click('a[href="/my/privacy"]');
  await noViolations(page, '/my/privacy');
  const text = await page.textContent('main');
  assert.match(text, /中央公民館/);
  assert.match(text, /職員/);
  assert.doesNotMatch(text, /窓口 次郎/);
  await page.fill('#f-password', 'not-my-password-1');
  await page.click('form[action="/my/close"] button[type="submit"]');
  assert.match(await page.textContent('main'), /パスワードが違います/);
  await page.fill('#f-password', ids.citizenPw);
  await page.click('form[action="/my/close"] button[type="submit"]');
  assert.equal(new URL(page.url()).pathname, '/');
  assert.equal((await citizen.get('/api/v1/me')).status, 401);
});

test('the counter with JavaScript off: an admin picks a centre from the staff menu; a cancellation without a reason comes back open at its field', async () => {
  const admin = await (await as(ids.admin)).newPage();
  await admin.goto(srv.base + '/admin');
  await admin.click('main a[href="/counter"]');
  assert.equal(new URL(admin.url()).pathname, '/counter');
  assert.match(await admin.textContent('main'), /公民館を選んでください/);
  await noViolations(admin, '/counter (a centre to choose)');
  await admin.click('main a[href="/counter?center=chuo"]');
  assert.match(await admin.textContent('h1'), /中央/);
  // this evening's walk-in, cancelled without a reason
  const room = (await client(srv.base).get('/api/v1/centers')).json.centers
    .find((c) => c.code === 'chuo').rooms.find((r) => r.code === 'r503').id;
  const api = await signIn(srv.base, ids.admin, PW);
  const w = await api.post('/api/v1/counter/walkin', { room_id: room, slots: ['evening'], name: '太田 七郎', phone: '027-777-8888' });
  assert.equal(w.status, 201, w.text);
  const id = w.json.id;
  await admin.goto(srv.base + '/counter?center=chuo');
  await admin.click(`#b-${id} details summary`);
  await admin.click(`#b-${id} button:has-text("予約番号 ${id} を取り消す")`);
  assert.match(await admin.textContent('.error-summary'), /取り消す理由/);
  assert.equal(await admin.locator('details[open]').count(), 1);
  assert.ok(await admin.locator(`#reason-${id}`).isVisible(), 'the reason field is shown, not folded away');
  assert.ok(await admin.locator(`#reason-${id}-error`).isVisible());
  assert.equal(await admin.locator(`.error-summary a[href="#reason-${id}"]`).count(), 1);
  await noViolations(admin, '/counter (cancel refused)');
});

test('the counter\'s paper with JavaScript off: a walk-in paid at once to its 領収書, a refund to its 返金の控え, 代理の予約 says what was taken', async () => {
  const staff = await (await as(ids.staff)).newPage();
  await staff.goto(srv.base + '/counter');
  const chuo = (await client(srv.base).get('/api/v1/centers')).json.centers.find((c) => c.code === 'chuo');
  const room = (code) => String(chuo.rooms.find((r) => r.code === code).id);
  // a walk-in paid in cash: the receipt, with the booking number
  await staff.selectOption('#f-room_id', room('washitsu'));
  await staff.check('input[name="slots"][value="afternoon"]');
  await staff.fill('#f-name', '桐生 十一郎');
  await staff.fill('#f-phone', '027-101-2020');
  await staff.check('input[name="payment_method"][value="cash"]');
  await staff.click('button:has-text("当日利用を受け付ける")');
  assert.equal(await staff.textContent('h1'), '領収書');
  const note = await staff.textContent('main .note-ok');
  const id = note.match(/予約番号 (\d+)/)[1];
  assert.match(note, /当日利用を受け付けました。/);
  await noViolations(staff, 'receipt after a walk-in');
  // cancelled by the clerk: the counter links to the refund's slip
  await staff.click('main a:has-text("窓口に戻る")');
  await staff.click(`#b-${id} details summary`);
  await staff.check(`#onbehalf-${id}-holder`);
  await staff.fill(`#reason-${id}`, '本人から電話で連絡');
  await staff.click(`#b-${id} button:has-text("予約番号 ${id} を取り消す")`);
  assert.match(await staff.textContent('main .note-ok'), /をお返しください/);
  await noViolations(staff, '/counter after a refund');
  await staff.click('main a:has-text("返金の控え")');
  assert.equal(await staff.textContent('h1'), '返金の控え');
  assert.match(await staff.textContent('#receipt-slip'), new RegExp(`予約番号 ${id}`));
  await noViolations(staff, '返金の控え');
  // 代理の予約 from the counter's link, without a centre in the address too
  await staff.goto(srv.base + '/counter/book');
  await staff.fill('#f-on_behalf_of', ids.citizen);
  await staff.selectOption('#f-room_id', room('r507'));
  await staff.fill('#f-date', '2026-04-22');
  await staff.check('input[name="slots"][value="morning"]');
  await staff.fill('#f-purpose', '自治会の打ち合わせ');
  await staff.fill('#f-attendees', '5');
  await staff.click('button:has-text("この人の予約を受け付ける")');
  const done = await staff.textContent('#booked');
  assert.match(done, /代理の予約を受け付けました/);
  assert.match(done, /予約番号\s*\d+/);
  assert.match(done, /確定/);
  assert.match(done, /2026年4月22日/);
  await noViolations(staff, '代理の予約 taken');
});

test('代理の予約: an empty post shows every error at once; a 「○空き」 link comes with the room, date and slot filled in', async () => {
  const staff = await (await as(ids.staff)).newPage();
  const chuo = (await client(srv.base).get('/api/v1/centers')).json.centers.find((c) => c.code === 'chuo');
  const r503 = String(chuo.rooms.find((r) => r.code === 'r503').id);
  await staff.goto(srv.base + '/counter/book?center=chuo');
  await staff.click('button:has-text("この人の予約を受け付ける")');
  // (the room's select sends its first room: no error there)
  const fields = ['on_behalf_of', 'date', 'slots', 'purpose', 'attendees'];
  const summary = await staff.$$eval('.error-summary li a', (as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(summary, fields.map((f) => `#f-${f}`));
  for (const f of fields) assert.ok(await staff.isVisible(`#f-${f}-error`), f);
  await noViolations(staff, '代理の予約 posted empty');
  // from the availability page: 「○空き」 -> the way to the counter -> the form, filled in
  await staff.goto(srv.base + '/availability?date=2026-04-23&center=chuo');
  await staff.click(`a[href="/book?room=${r503}&date=2026-04-23&slot=afternoon"]`);
  await staff.click('#behalf');
  assert.equal(await staff.inputValue('#f-room_id'), r503);
  assert.equal(await staff.inputValue('#f-date'), '2026-04-23');
  assert.ok(await staff.isChecked('input[name="slots"][value="afternoon"]'));
  assert.ok(!(await staff.isChecked('input[name="slots"][value="morning"]')));
  await noViolations(staff, '代理の予約 filled in from a chosen slot');
  await staff.fill('#f-on_behalf_of', ids.citizen);
  await staff.fill('#f-purpose', '読書会');
  await staff.fill('#f-attendees', '6');
  await staff.click('button:has-text("この人の予約を受け付ける")');
  const done = await staff.textContent('#booked');
  assert.match(done, /2026年4月23日/);
  assert.match(done, /503学習室/);
  assert.match(done, /午後/);
});
