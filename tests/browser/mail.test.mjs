// Mail pages (issue 15; docs/mail.md) in Debian's chromium with JavaScript
// off: a citizen turns the day-before reminder off on /my/mail (linked from
// マイページ), sees 「メールが届いていません」 when mail to them was refused, and
// staff see on a booking's page which messages were queued for it; axe-core
// WCAG 2.0 A/AA on each page. The server sends to a closed port: messages
// stay pending, which is what staff then see.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { start, client, addUser, signIn } from '../api/harness.mjs';
import { launch, signedInContext, assertNoViolations } from './helpers.mjs';

const PW = 'browser-mail-password-1';
let srv, browser, ids = {};

before(async () => {
  srv = await start({ now: '2026-04-08T10:00:00+09:00',
    args: ['--smtp', 'smtp://127.0.0.1:9', '--mail-from', 'yoyaku@city.example.jp', '--mail-retry', '3600'] });
  browser = await launch();
  const made = await client(srv.base).post('/api/v1/accounts', { name: '赤城 花子', name_kana: 'アカギ ハナコ',
    email: 'hanako@example.jp', password: PW, resident: false });
  ids.citizen = made.json.system_id;
  ids.staff = await addUser(srv.db, { role: 'staff', name: '受付 三郎', center: 'chuo', password: PW });
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

// JavaScript off, signed in as ID; axe on what a page shows (helpers.mjs)
const as = (id, password = PW) => signedInContext(browser, srv.base, id, password);
const noViolations = (page, label) => assertNoViolations(browser, page, label);

test('a citizen turns the reminder off on /my/mail, and sees when mail does not arrive', async () => {
  const page = await (await as(ids.citizen)).newPage();
  await page.goto(srv.base + '/my');
  await page.click('a[href="/my/mail"]');
  assert.equal(new URL(page.url()).pathname, '/my/mail');
  await noViolations(page, '/my/mail');
  assert.match(await page.textContent('main'), /hanako@example\.jp/);
  assert.match(await page.textContent('main'), /団体登録の審査結果/); // always sent, listed
  const reminder = 'input[name="on"][value="reminder"]';
  assert.equal(await page.isChecked(reminder), true);
  await page.uncheck(reminder);
  await page.click('main form button[type="submit"]');
  assert.match(page.url(), /\/my\/mail\?done=1$/);
  assert.match(await page.textContent('main'), /設定を保存しました/);
  assert.equal(await page.isChecked(reminder), false);
  assert.equal(await page.isChecked('input[name="on"][value="booking_confirmed"]'), true);
  const api = await signIn(srv.base, ids.citizen, PW);
  const kinds = (await api.get('/api/v1/me/mail')).json.kinds;
  assert.equal(kinds.find((k) => k.code === 'reminder').enabled, false);

  // the mail server refused this address: マイページ says so
  execFileSync('sqlite3', [srv.db, `INSERT INTO mail_undeliverable(account_id, address, reason, at)
    VALUES (${Number(ids.citizen)}, 'hanako@example.jp', '550 no such mailbox', 0)`]);
  await page.goto(srv.base + '/my');
  assert.match(await page.textContent('#mail-undeliverable'), /メールが届いていません/);
  await noViolations(page, '/my with the notice');
});

test('staff see on a booking\'s page which messages were queued for it', async () => {
  const citizen = await signIn(srv.base, ids.citizen, PW);
  const rooms = (await client(srv.base).get('/api/v1/centers')).json.centers[0].rooms;
  const b = await citizen.post('/api/v1/bookings',
    { room_id: rooms[1].id, date: '2026-05-12', slots: ['morning'], purpose: '練習会', attendees: 5 });
  assert.equal(b.status, 201, b.text);
  const page = await (await as(ids.staff)).newPage();
  await page.goto(`${srv.base}/my/bookings/${b.json.id}`);
  const section = await page.textContent('#mail');
  assert.match(section, /仮予約を受け付けたお知らせ/);
  assert.match(section, /hanako@example\.jp/);
  assert.match(section, /送信待ち/);
  await noViolations(page, 'a booking with its messages');
  const own = await (await as(ids.citizen)).newPage();
  await own.goto(`${srv.base}/my/bookings/${b.json.id}`);
  assert.equal(await own.$('#mail'), null);
});

test('a forgotten system ID is asked for from the password reset page', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await ctx.newPage();
  await page.goto(srv.base + '/password-reset');
  await page.click('a[href="/forgotten-id"]');
  await noViolations(page, '/forgotten-id');
  await page.click('main form button[type="submit"]');
  assert.match(await page.textContent('main'), /メールアドレスを入力してください/); // sent empty: the reason
  await page.fill('#f-email', 'hanako@example.jp');
  await page.click('main form button[type="submit"]');
  assert.match(await page.textContent('[role="status"]'), /利用者番号をお送りしました/);
  await ctx.close();
});
