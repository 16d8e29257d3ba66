// 「登録しないで今日使う」 in a real browser with JavaScript OFF (Debian's chromium
// via playwright-core): from /today to a free slot of today, the short form, a
// refused form (every error at its field, what was typed kept), the
// confirmation step and the receipt; axe-core WCAG 2.0 A/AA on each of those
// pages at 320 px and 1280 px, no page-level horizontal scroll, 44 px targets.
// Screenshots in screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, client } from '../api/harness.mjs';
import { launch, axeContext, axe, describe, freshGoto, pageOverflow, shotPath, go } from './helpers.mjs';

let srv, browser, room503, room507;

before(async () => {
  // Wednesday 2026-04-08 17:30 JST: the counter has closed (17:15); the evening is free.
  srv = await start({ now: '2026-04-08T17:30:00+09:00' });
  const centers = (await client(srv.base).get('/api/v1/centers')).json.centers;
  room503 = centers.find((c) => c.code === 'chuo').rooms.find((r) => r.code === 'r503').id;
  room507 = centers.find((c) => c.code === 'chuo').rooms.find((r) => r.code === 'r507').id;
  browser = await launch();
});
after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

// axe needs a script: it runs on a copy of the page's HTML in a page with
// scripts of the same viewport (as tests/browser/journeys.test.mjs does), one
// such page per width, its address answered from the copy.
const axePages = {};
async function axeOf(page) {
  const size = page.viewportSize();
  let a = axePages[size.width];
  if (!a) {
    a = axePages[size.width] = { page: await (await axeContext(browser, { viewport: size })).newPage(), url: null, html: null };
    await a.page.route('**/*', (route) => route.request().url() === a.url
      ? route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: a.html })
      : route.continue());
  }
  a.html = await page.content();
  a.url = page.url();
  await freshGoto(a.page, a.url);
  return axe(a.page);
}

test('with JavaScript OFF: /today, the form, a refused form, the confirmation and the receipt; axe on each at 320 and 1280 px', async () => {
  const problems = [];
  for (const width of [320, 1280]) {
    const ctx = await browser.newContext({ viewport: { width, height: 900 }, javaScriptEnabled: false });
    const page = await ctx.newPage();
    const check = async (what) => {
      const v = await axeOf(page);
      if (v.length) problems.push(`${width}px ${what} (${page.url()}):\n${describe(v)}`);
      const o = await pageOverflow(page);
      if (o.scrollWidth > o.clientWidth) problems.push(`${width}px ${what}: page is ${o.scrollWidth}px wide in ${o.clientWidth}px`);
      if (width === 320) {
        const small = await page.evaluate(() => [...document.querySelectorAll(
          'main button, main input:not([type=hidden]), main select, main textarea, main .links a, .book-link')]
          .map((e) => ({ what: e.outerHTML.slice(0, 80), h: e.getBoundingClientRect().height }))
          .filter((x) => x.h < 44 && !/type="(radio|checkbox)"/.test(x.what)));
        if (small.length) problems.push(`${width}px ${what}: small targets ${JSON.stringify(small)}`);
        await page.screenshot({ path: shotPath(`sameday-${what.replace(/\W+/g, '-')}-320.png`), fullPage: true });
      }
    };
    await page.goto(srv.base + '/today?center=chuo');
    assert.match(await page.locator('#sameday-note').innerText(), /登録をしていない方も/);
    await check('today');
    // the evening of a 学習室 (one for each width: the first walk takes its room)
    const [room, roomName] = width === 320 ? [room503, '503学習室'] : [room507, '507学習室'];
    await go(page, () => page.click(`a.book-link[href="/book?room=${room}&date=2026-04-08&slot=evening"]`));
    assert.equal(new URL(page.url()).pathname, '/book');
    assert.equal(await page.locator('#sameday-title').innerText(), '登録しないで今日使う');
    assert.match(await page.locator('#sameday-fee').innerText(), /円/);
    await check('choice');
    // mistakes first: the form again, each error at its field, the error summary, what was typed kept
    await page.fill('#f-walkin_name', `夕方 花子${width}`);
    await page.fill('#f-walkin_phone', '027-12');
    await page.fill('#f-purpose', '自習');
    await go(page, () => page.click('#sameday button[type="submit"]'));
    assert.match(await page.title(), /^入力エラー: /);
    assert.ok(await page.locator('.error-summary').isVisible());
    assert.match(await page.locator('#f-walkin_phone-error').innerText(), /10けたか11けた/);
    assert.match(await page.locator('#f-attendees-error').innerText(), /人数/);
    assert.equal(await page.locator('#f-walkin_name').inputValue(), `夕方 花子${width}`);
    assert.equal(await page.locator('#f-purpose').inputValue(), '自習');
    await check('refused form');
    await page.fill('#f-walkin_phone', `090-4000-${width === 320 ? '0320' : '1280'}`);
    await page.fill('#f-attendees', '2');
    await go(page, () => page.click('#sameday button[type="submit"]'));
    // the confirmation step: nothing taken yet
    assert.equal(await page.locator('h1').innerText(), '内容の確認');
    const facts = await page.locator('main dl').first().innerText();
    for (const s of ['中央公民館', roomName, '2026年4月8日（水）', '夜間', `夕方 花子${width}`]) assert.ok(facts.includes(s), s);
    await check('confirmation');
    await go(page, () => page.click('button:has-text("この内容で今日使う")'));
    // the receipt: the number to tell the staff, how and when to pay, how to cancel
    assert.equal(await page.locator('h1').innerText(), '当日の利用を受け付けました');
    assert.match(await page.locator('#booking-id').innerText(), /^\d+$/);
    assert.match(await page.locator('#tell-staff').innerText(), /予約番号.*お名前/);
    assert.match(await page.locator('#pay').innerText(), /中央公民館 の窓口で払ってください/);
    assert.match(await page.locator('#cancel').innerText(), /電話 027-000-0001/);
    await check('receipt');
    await ctx.close();
  }
  assert.deepEqual(problems, [], problems.join('\n\n'));
});
