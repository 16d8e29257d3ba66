// Signing in, booking and the online forms in a real browser (Debian's
// chromium via playwright-core): a real booking end to end with JavaScript
// OFF, from the top page through sign-in, the choice, the confirmation step,
// the receipt, confirming the hold and the permit with its QR code (decoded
// from a screenshot with zbarimg, as the counter's scanner would); the same
// with JavaScript on; axe-core WCAG 2.0 A/AA on every new page at 320 px and
// 1280 px; tap targets; screenshots in screenshots/ for a person to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { start, client, addUser, signIn } from '../api/harness.mjs';
import { launch, axeContext, axe, describe, pageOverflow, shotPath, go } from './helpers.mjs';

const PW = 'browser-test-password-1';
let srv, browser, users = {}, room503, room507;

before(async () => {
  // Wednesday 2026-04-08 10:00 JST: today's afternoon and evening can still be booked.
  srv = await start({ now: '2026-04-08T10:00:00+09:00' });
  for (const u of ['nojs', 'js', 'axe320', 'axe1280', 'rep'])
    users[u] = await addUser(srv.db, { role: 'citizen', name: '前橋 花子', password: PW });
  users.staff = await addUser(srv.db, { role: 'staff', name: '窓口 太郎', center: 'chuo', password: PW });
  users.admin = await addUser(srv.db, { role: 'admin', name: '管理 一郎', password: PW });
  const centers = (await client(srv.base).get('/api/v1/centers')).json.centers;
  room503 = centers.find((c) => c.code === 'chuo').rooms.find((r) => r.code === 'r503').id;
  room507 = centers.find((c) => c.code === 'chuo').rooms.find((r) => r.code === 'r507').id;
  browser = await launch();
});
after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

// Not signed in: a staff page sends the browser to sign in; the booking form
// offers sign-up there and a link to sign in, both keeping the choice.
async function signInThroughForm(page, who) {
  if (new URL(page.url()).pathname === '/book') await go(page, () => page.click('a:has-text("ログインして予約へ進む")'));
  assert.equal(new URL(page.url()).pathname, '/signin');
  await page.fill('#f-system_id', users[who]);
  await page.fill('#f-password', PW);
  await go(page, () => page.click('main button[type="submit"]'));
}

// The QR code on the page decodes to the permit's code (what a scanner reads).
async function qrDecodes(page, name) {
  const qr = page.locator('svg.qr');
  assert.ok(await qr.isVisible(), 'QR code visible');
  const box = await qr.boundingBox();
  assert.ok(box.width >= 200 && box.height >= 200, `QR code large enough: ${box.width}x${box.height}`);
  const file = shotPath(`${name}-qr.png`);
  await qr.screenshot({ path: file });
  const token = (await page.locator('#permit-token').textContent()).trim();
  const z = spawnSync('zbarimg', ['--raw', '-q', file], { encoding: 'utf8' });
  assert.equal(z.status, 0, `zbarimg could not read ${file}: ${z.stderr}`);
  assert.equal(z.stdout.trim(), token, 'the QR code holds the permit');
  const v = await client(srv.base).post('/api/v1/permits/verify', { permit: token });
  assert.equal(v.json.valid, true);
  assert.equal(v.json.usable, true);
}

async function bookEndToEnd(page, who, slotLabel, name, hold = false) {
  // the top page: today at every centre; choose 中央公民館
  await page.goto(srv.base + '/');
  await go(page, () => page.click('#today-table a:has-text("中央")'));
  assert.equal(new URL(page.url()).pathname, '/availability');
  // a free slot of 503学習室 today
  await go(page, () => page.click(`a.book-link:has-text("503学習室 ${slotLabel} を予約する")`));
  // not signed in: sign in on the booking page, then back to the choice
  await signInThroughForm(page, who);
  assert.equal(new URL(page.url()).pathname, '/book');
  assert.equal(await page.locator('h1').textContent(), '予約の申し込み');
  assert.equal(await page.locator('#f-date').inputValue(), '2026-04-08');
  assert.ok(await page.locator(`input[name="slots"][value="${slotLabel === '午後' ? 'afternoon' : 'evening'}"]`).isChecked());
  // a mistake first: the form comes back with the error at the field, nothing lost
  await page.fill('#f-purpose', '短歌の例会');
  await page.fill('#f-attendees', '100');
  await go(page, () => page.click('main button[type="submit"]'));
  assert.match(await page.title(), /^入力エラー: /);
  assert.match(await page.locator('#f-attendees-error').textContent(), /定員/);
  assert.equal(await page.locator('#f-purpose').inputValue(), '短歌の例会');
  await page.screenshot({ path: shotPath(`${name}-error-320.png`), fullPage: true });
  await page.fill('#f-attendees', '8');
  await go(page, () => page.click('main button[type="submit"]'));
  // the confirmation step: centre, room, date, slots and fee before anything is committed
  assert.equal(await page.locator('h1').textContent(), '申し込み内容の確認');
  const facts = await page.locator('main dl').first().innerText();
  for (const s of ['中央公民館', '503学習室', '2026年4月8日（水）', slotLabel, '円']) assert.ok(facts.includes(s), s);
  await page.screenshot({ path: shotPath(`${name}-review.png`), fullPage: true });
  if (hold) {
    // someone who wants time to think keeps a hold (the choice folded under the main button)
    await page.click('summary:has-text("すぐに決められないとき")');
    await go(page, () => page.click('button:has-text("仮予約にする")'));
    // the receipt: the one number (予約番号) and the hold's exact expiry, with the way to confirm
    assert.equal(await page.locator('h1').textContent(), '仮予約を受け付けました');
    assert.match(await page.locator('#booking-id').textContent(), /^\d+$/);
    assert.match(await page.locator('#hold-expiry').textContent(), /2026年4月8日（水）\d+:\d\d まで/);
    await page.screenshot({ path: shotPath(`${name}-receipt.png`), fullPage: true });
    await go(page, () => page.click('button:has-text("予約を確定する")'));
    assert.match(await page.locator('.note-ok').textContent(), /予約を確定しました/);
    assert.match(await page.locator('dd.status').textContent(), /確定/);
    await go(page, () => page.click('a:has-text("利用許可書 (QRコード) を表示する")'));
  } else {
    await go(page, () => page.click('button:has-text("この内容で予約する")'));
    assert.equal(await page.locator('h1').textContent(), '予約が確定しました');
    assert.match(await page.locator('#booking-id').textContent(), /^\d+$/);
    await page.screenshot({ path: shotPath(`${name}-receipt.png`), fullPage: true });
    await go(page, () => page.click('a:has-text("使用許可書を見る・印刷する")'));
  }
  assert.equal(await page.locator('h1').textContent(), '利用許可書');
  await page.screenshot({ path: shotPath(`${name}-permit.png`), fullPage: true });
  await qrDecodes(page, name);
}

test('a real booking with JavaScript OFF at 320 px: top page, sign-in, choice, confirmation, receipt, confirm, permit (QR)', async () => {
  const ctx = await browser.newContext({ viewport: { width: 320, height: 800 }, javaScriptEnabled: false });
  const page = await ctx.newPage();
  await bookEndToEnd(page, 'nojs', '午後', 'nojs', true);
  // マイページ lists it
  await go(page, () => page.click('a:has-text("マイページ")'));
  assert.match(await page.locator('main').innerText(), /503学習室/);
  await page.screenshot({ path: shotPath('my-320.png'), fullPage: true });
  await ctx.close();
});

test('the same with JavaScript on at 1280 px, without script errors; then sign out', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (/Content Security Policy|Refused/i.test(m.text())) errors.push(m.text()); });
  await bookEndToEnd(page, 'js', '夜間', 'js');
  await go(page, () => page.click('button:has-text("ログアウト")'));
  assert.equal(await page.locator('h1').textContent(), 'ログアウトしました');
  await page.goto(srv.base + '/my');
  assert.equal(new URL(page.url()).pathname, '/signin');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('axe: 0 WCAG 2.0 A/AA violations on every new page, at 320 px and 1280 px; no page-level horizontal scroll; 44 px targets', async () => {
  const problems = [];
  for (const width of [320, 1280]) {
    const who = `axe${width}`;
    const ctx = await axeContext(browser, { viewport: { width, height: 900 } });
    const page = await ctx.newPage();
    const check = async (what) => {
      const v = await axe(page);
      if (v.length) problems.push(`${width}px ${what} (${page.url()}):\n${describe(v)}`);
      const o = await pageOverflow(page);
      if (o.scrollWidth > o.clientWidth) problems.push(`${width}px ${what}: page is ${o.scrollWidth}px wide in ${o.clientWidth}px`);
      if (width === 320) {
        const small = await page.evaluate(() => [...document.querySelectorAll(
          'main button, main input:not([type=hidden]), main select, main textarea, .site-nav a, .nav-button, main .links a, .book-link, .crumb a')]
          .map((e) => ({ what: e.outerHTML.slice(0, 80), h: e.getBoundingClientRect().height }))
          .filter((x) => x.h < 44 && !/type="(radio|checkbox)"/.test(x.what)));
        if (small.length) problems.push(`${width}px ${what}: small targets ${JSON.stringify(small)}`);
      }
    };
    await page.goto(srv.base + '/signin?expired=1'); await check('sign-in (expired)');
    if (width === 320) await page.screenshot({ path: shotPath('signin-320.png'), fullPage: true });
    await page.goto(srv.base + '/register'); await check('register');
    await go(page, () => page.click('main button[type="submit"]')); await check('register with errors');
    if (width === 320) await page.screenshot({ path: shotPath('register-error-320.png'), fullPage: true });
    await page.goto(srv.base + '/signin');
    await page.fill('#f-system_id', '123456789');
    await go(page, () => page.click('main button[type="submit"]')); await check('sign-in with errors');
    await page.goto(srv.base + `/book?room=${room503}&date=2026-04-09&slot=morning`); await check('booking: sign up or sign in');
    await signInThroughForm(page, who); await check('booking form');
    if (width === 320) await page.screenshot({ path: shotPath('book-320.png'), fullPage: true });
    await go(page, () => page.click('main button[type="submit"]')); await check('booking form with errors');
    await page.fill('#f-purpose', '打ち合わせ');
    await page.fill('#f-attendees', '4');
    await go(page, () => page.click('main button[type="submit"]')); await check('confirmation step');
    await page.click('summary:has-text("すぐに決められないとき")'); await check('confirmation step, hold opened');
    await go(page, () => page.click('button:has-text("仮予約にする")')); await check('receipt');
    await page.goto(srv.base + '/my'); await check('マイページ');
    await go(page, () => page.click('.booking-card a')); await check('booking (held)');
    await go(page, () => page.click('button:has-text("予約を確定する")')); await check('booking (confirmed)');
    const id = new URL(page.url()).pathname.split('/')[3];
    await page.goto(srv.base + `/my/bookings/${id}/permit`); await check('permit');
    if (width === 320) await page.screenshot({ path: shotPath('permit-320.png'), fullPage: true });
    await page.goto(srv.base + `/my/bookings/${id}/cancel`); await check('cancel page');
    await go(page, () => page.click('main button[type="submit"]')); await check('cancel receipt');
    await page.goto(srv.base + '/groups/new'); await check('group form');
    await page.fill('#f-members', '3');
    await page.fill('#f-resident_members', '1');
    await go(page, () => page.click('main button[type="submit"]')); await check('group form with errors');
    if (width === 320) await page.screenshot({ path: shotPath('group-error-320.png'), fullPage: true });
    await page.fill('#f-name', '前橋短歌の会');
    await page.fill('#f-name_kana', 'まえばしたんかのかい');
    await page.fill('#f-resident_members', '3');
    await go(page, () => page.click('main button[type="submit"]')); await check('group receipt');
    await page.goto(srv.base + '/my/groups'); await check('my groups');
    await page.goto(srv.base + '/discounts/apply'); await check('exemption form');
    await page.goto(srv.base + '/book'); await check('booking without a room');
    await go(page, () => page.click('button:has-text("ログアウト")')); await check('signed out');
    await ctx.close();
  }
  assert.deepEqual(problems, [], problems.join('\n\n'));
});

test('axe on the staff and admin pages (the counter, the walk-in form with errors, the ledger, the queues), at 320 px and 1280 px', async () => {
  // a group waiting, and an approved group's exemption application waiting
  const rep = await signIn(srv.base, users.rep, PW);
  const staffApi = await signIn(srv.base, users.staff, PW);
  const mk = async (name) => (await rep.post('/api/v1/groups', { name, name_kana: 'てすと', members: 4, resident_members: 3 })).json.id;
  const waiting = await mk('審査待ちの会');
  const approved = await mk('承認済みの会');
  assert.equal((await staffApi.post(`/api/v1/groups/${approved}/approve`)).status, 200);
  const rules = (await client(srv.base).get('/api/v1/rules')).json;
  const d = await rep.post('/api/v1/discounts', { group_id: approved, category: rules.discounts[0].code, reason: '子ども向けの教室' });
  assert.equal(d.status, 201, d.text);
  const problems = [];
  for (const width of [320, 1280]) {
    const ctx = await axeContext(browser, { viewport: { width, height: 900 } });
    const page = await ctx.newPage();
    const check = async (what) => {
      const v = await axe(page);
      if (v.length) problems.push(`${width}px ${what}:\n${describe(v)}`);
      const o = await pageOverflow(page);
      if (o.scrollWidth > o.clientWidth) problems.push(`${width}px ${what}: page is ${o.scrollWidth}px wide`);
    };
    for (const who of ['staff', 'admin']) {
      await page.goto(srv.base + '/admin');
      await signInThroughForm(page, who);
      assert.equal(new URL(page.url()).pathname, '/admin');
      await check(`${who} menu`);
      if (who === 'staff') {
        await go(page, () => page.click('a:has-text("職員の手引き")'));
        await check('staff guide');
        await page.goto(srv.base + '/counter'); await check('counter page');
        // a walk-in with a mistake, then right
        await page.selectOption('#f-room_id', String(room507)); // 503 is booked today by the tests above
        await page.check(`input[name="slots"][value="${width === 320 ? 'evening' : 'afternoon'}"]`);
        await page.fill('#f-phone', '027-111-2222');
        await go(page, () => page.click('button:has-text("当日利用を受け付ける")'));
        assert.ok(await page.locator('#f-name-error').isVisible());
        await check('counter page with errors');
        await page.fill('#f-name', '高崎 次郎');
        await go(page, () => page.click('button:has-text("当日利用を受け付ける")'));
        assert.match(await page.locator('.note-ok').textContent(), /当日利用を受け付けました/);
        await check('counter page after a walk-in');
        if (width === 320) await page.screenshot({ path: shotPath('counter-320.png'), fullPage: true });
        await go(page, () => page.click('a:has-text("今日の台帳")'));
        await check('ledger');
        // made to be printed: no menu, the table whole
        await page.emulateMedia({ media: 'print' });
        assert.equal(await page.locator('.site-nav').isVisible(), false);
        assert.ok(await page.locator('table.ledger').isVisible());
        if (width === 1280) await page.screenshot({ path: shotPath('ledger-print.png'), fullPage: true });
        await page.emulateMedia({ media: 'screen' });
      }
      await page.goto(srv.base + '/admin/groups'); await check(`${who} group queue`);
      // rejecting without a reason: the queue again with the error at the field
      await go(page, () => page.click(`#g-${waiting} button:has-text("承認しない")`));
      assert.ok(await page.locator(`#reason-${waiting}-error`).isVisible());
      await check(`${who} group queue with an error`);
      if (width === 320 && who === 'staff') await page.screenshot({ path: shotPath('admin-groups-320.png'), fullPage: true });
      if (who === 'admin') {
        await page.goto(srv.base + '/admin/discounts'); await check('exemption queue');
        if (width === 320) await page.screenshot({ path: shotPath('admin-discounts-320.png'), fullPage: true });
      }
      await go(page, () => page.click('button:has-text("ログアウト")'));
    }
    await ctx.close();
  }
  assert.deepEqual(problems, [], problems.join('\n\n'));
});

test('a 200% zoom (640 CSS px) keeps the booking pages within the viewport', async () => {
  const ctx = await browser.newContext({ viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 });
  const page = await ctx.newPage();
  await page.goto(srv.base + '/register');
  let o = await pageOverflow(page);
  assert.ok(o.scrollWidth <= o.clientWidth, `register: ${o.scrollWidth} > ${o.clientWidth}`);
  await page.goto(srv.base + `/book?room=${room503}&date=2026-04-10&slot=morning`);
  await signInThroughForm(page, 'axe320');
  o = await pageOverflow(page);
  assert.ok(o.scrollWidth <= o.clientWidth, `book: ${o.scrollWidth} > ${o.clientWidth}`);
  await ctx.close();
});

test('zbarimg is Debian\'s (the test reads QR codes the way a scanner does)', () => {
  assert.match(execFileSync('zbarimg', ['--version'], { encoding: 'utf8' }), /\d+\.\d+/);
});
