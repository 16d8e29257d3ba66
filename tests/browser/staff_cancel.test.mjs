// The counter's cancel panel in Debian's chromium with JavaScript off
// (docs/counter.md, 「取消申請書の整理」): a clerk opens a booking card's
// 「この予約を取り消す」, sees on whose account it may be and what each does
// with this booking's money, sends it without choosing (the panel comes back
// open with the error at the choice, the reason kept), then chooses
// 本人の申し出: the page says the 取消料 kept and what to give back, and the
// 返金の控え shows the 取消料. axe-core WCAG 2.0 A/AA on the open panel, the
// refused panel and the slip.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, client, addUser, signIn } from '../api/harness.mjs';
import { launch, signedInContext, axeContext, axe, describe, freshGoto } from './helpers.mjs';

const PW = 'browser-cancel-pass-1';
let srv, browser, staffId;

before(async () => {
  srv = await start({ now: '2026-04-08T10:00:00+09:00' });
  staffId = await addUser(srv.db, { role: 'staff', name: '窓口 四郎', center: 'chuo', password: PW });
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

// axe on what PAGE shows, as it is now (a post's answer cannot be fetched
// again with a GET, and a panel opened by a click is open only in this DOM):
// its HTML, served at its address to a page with scripts.
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
  assert.equal(await axePage.locator('details.cancel-choice[open]').count(), await page.locator('details.cancel-choice[open]').count());
  const v = await axe(axePage);
  assert.equal(v.length, 0, `${label}:\n${describe(v)}`);
}

test('a clerk cancels at the holder\'s request with JavaScript off: the choice, its error, the figures, the slip with the 取消料', async () => {
  // this evening's walk-in in the 和室, paid 540円 in cash: on the day, the holder's 取消料 is 270円
  const room = (await client(srv.base).get('/api/v1/centers')).json.centers
    .find((c) => c.code === 'chuo').rooms.find((r) => r.code === 'washitsu').id;
  const api = await signIn(srv.base, staffId, PW);
  const w = await api.post('/api/v1/counter/walkin', { room_id: room, slots: ['evening'], name: '渋川 八郎',
    phone: '027-888-9999', payment_method: 'cash' });
  assert.equal(w.status, 201, w.text);
  const id = w.json.id;

  const page = await (await signedInContext(browser, srv.base, staffId, PW)).newPage();
  await page.goto(srv.base + '/counter?center=chuo');
  await page.click(`#b-${id} details summary`);
  const panel = page.locator(`#b-${id} details.cancel-choice`);
  assert.equal(await panel.getAttribute('open'), '');
  assert.equal(await page.textContent(`#onbehalf-${id} legend`), '取り消しの扱い 必須');
  assert.equal(await page.textContent(`label[for="onbehalf-${id}-holder"]`),
    '本人の申し出 (本人から窓口・電話で): 取消料 270円 (使用料の50%)。支払済み 540円のうち 270円を返します。');
  assert.equal(await page.textContent(`label[for="onbehalf-${id}-city"]`),
    '市の都合 (設備の故障・休館・職員の誤りなど): 取消料はかかりません。支払済み 540円 を全額返します。');
  assert.equal(await page.isChecked(`#onbehalf-${id}-holder`), false);
  assert.equal(await page.isChecked(`#onbehalf-${id}-city`), false);
  await noViolations(page, '/counter (the cancel panel open)');

  // a reason but no choice: refused, the panel open again with the error at the choice
  await page.fill(`#reason-${id}`, '本人から電話で連絡');
  await page.click(`#b-${id} button:has-text("予約番号 ${id} を取り消す")`);
  assert.match(await page.title(), /^入力エラー: /);
  assert.deepEqual(await page.$$eval('.error-summary li a', (as) => as.map((a) => a.getAttribute('href'))), [`#onbehalf-${id}-holder`]);
  assert.match(await page.textContent('.error-summary'), /取り消しの扱いを選んでください/);
  assert.equal(await page.locator('details.cancel-choice[open]').count(), 1);
  assert.ok(await page.isVisible(`#onbehalf-${id}-error`));
  assert.ok(await page.isVisible(`#onbehalf-${id}-holder`), 'the choice is shown, not folded away');
  assert.equal(await page.inputValue(`#reason-${id}`), '本人から電話で連絡');
  assert.match(await page.getAttribute(`#onbehalf-${id}`, 'aria-describedby'), new RegExp(`onbehalf-${id}-error`));
  await noViolations(page, '/counter (the choice refused)');
  assert.equal(await (await api.get(`/api/v1/bookings/${id}`)).json.status, 'confirmed', 'nothing changed');

  // 本人の申し出: the 取消料 kept, the rest to give back, and its slip
  await page.check(`#onbehalf-${id}-holder`);
  await page.click(`#b-${id} button:has-text("予約番号 ${id} を取り消す")`);
  assert.equal(new URL(page.url()).pathname, '/counter');
  assert.match(await page.textContent('main .note-ok'),
    /取消料は 270円 です。払われていた 540円 のうち、取消料を差し引いた 270円 を返金として記録しました。270円 をお返しください。/);
  await page.click('main a:has-text("返金の控え")');
  assert.equal(await page.textContent('h1'), '返金の控え');
  assert.equal(await page.textContent('#slip-amount'), '270円');
  assert.equal(await page.textContent('#slip-fee'), '270円 (払われた使用料から差し引き)');
  await noViolations(page, '返金の控え with the 取消料');
});
