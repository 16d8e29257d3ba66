// 利用者の登録 (窓口) in Debian's chromium with JavaScript off
// (docs/counter.md): a clerk goes from the counter page to the form, sends it
// empty (every error at once, in the summary and at its field), fills it in
// and gets the slip with the 利用者番号 and the code; the browser's reload of
// the slip (a re-post) shows the same slip; the clerk is still the clerk.
// axe-core WCAG 2.0 A/AA on the form, the refused form and the slip.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { start, addUser } from '../api/harness.mjs';
import { launch, signedInContext, axeContext, axe, describe, freshGoto } from './helpers.mjs';

const PW = 'browser-register-pass-1';
let srv, browser, staffId;

before(async () => {
  srv = await start({ now: '2026-04-08T10:00:00+09:00' });
  staffId = await addUser(srv.db, { role: 'staff', name: '窓口 三郎', center: 'chuo', password: PW });
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

const citizens = () => Number(spawnSync('sqlite3', [srv.db, "SELECT count(*) FROM accounts WHERE role = 'citizen'"],
  { encoding: 'utf8' }).stdout.trim());

// axe on what PAGE shows (a post's answer cannot be fetched again with a
// GET): its HTML, served at its address to a page with scripts.
let axePage, axeUrl, axeHtml;
async function noViolations(page, label) {
  if (!axePage) {
    axePage = await (await axeContext(browser, { viewport: { width: 1280, height: 900 } })).newPage();
    await axePage.route('**/*', (route) => route.request().url() === axeUrl
      ? route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: axeHtml })
      : route.continue());
  }
  axeHtml = await page.content();
  axeUrl = page.url();
  await freshGoto(axePage, axeUrl);
  const v = await axe(axePage);
  assert.equal(v.length, 0, `${label}:\n${describe(v)}`);
}

test('a clerk registers a citizen with JavaScript off: errors at once, then the slip, which a reload shows again', async () => {
  const ctx = await signedInContext(browser, srv.base, staffId, PW);
  const page = await ctx.newPage();
  await page.goto(srv.base + '/counter?center=chuo');
  await Promise.all([page.waitForNavigation(), page.click('main a[href="/counter/register"]')]);
  assert.equal(await page.textContent('h1'), '利用者の登録 (窓口)');
  assert.equal(await page.locator('input[type="password"]').count(), 0, 'the clerk types no password');
  await noViolations(page, 'the form');
  // empty: every error at once, each in the summary and at its field
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("登録して利用者番号を発行する")')]);
  const fields = ['name', 'name_kana', 'phone', 'email', 'identity'];
  const summary = await page.$$eval('.error-summary li a', (as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(summary, fields.map((f) => `#f-${f}`));
  for (const f of fields) assert.ok(await page.isVisible(`#f-${f}-error`), f);
  assert.match(await page.title(), /^入力エラー: /);
  await noViolations(page, 'the form, refused');
  assert.equal(citizens(), 0, 'nothing stored');
  // filled in: the slip
  await page.fill('#f-name', '赤城 ふみ');
  await page.fill('#f-name_kana', 'あかぎ ふみ');
  await page.fill('#f-phone', '027-231-0001');
  await page.check('#f-resident');
  await page.check('#f-identity');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("登録して利用者番号を発行する")')]);
  assert.equal(await page.textContent('h1'), '利用者番号のお知らせ');
  const id = (await page.textContent('#slip-system-id')).replace(/\s/g, '');
  const code = (await page.textContent('#slip-code')).trim();
  assert.match(id, /^\d{9}$/);
  assert.match(code, /^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  assert.match(await page.textContent('#register-slip'), /赤城 ふみ 様/);
  await noViolations(page, 'the slip');
  // the browser's reload posts the form again: the same slip, no second account
  await page.reload();
  assert.equal((await page.textContent('#slip-system-id')).replace(/\s/g, ''), id);
  assert.equal((await page.textContent('#slip-code')).trim(), code);
  assert.match(await page.textContent('main [role="status"]'), /受け付け済み/);
  assert.equal(citizens(), 1);
  // still the clerk
  await Promise.all([page.waitForNavigation(), page.click('main a:has-text("窓口に戻る")')]);
  assert.equal(new URL(page.url()).pathname, '/counter');
  assert.match(await page.textContent('h1'), /窓口/);
  await ctx.close();
});
