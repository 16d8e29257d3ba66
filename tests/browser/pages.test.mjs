// The public pages in a real browser (Debian's chromium via playwright-core):
// axe-core WCAG 2.0 A/AA (= JIS X 8341-3:2016 AA) with 0 violations on every
// page, reflow at 320 px and at 200% zoom, the real CSP, keyboard focus, tap
// targets, working without JavaScript, the optional live refresh with it, and
// screenshots of the top page for a person to look at (screenshots/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { start, client } from '../api/harness.mjs';
import { launch, axeContext, axe, describe, pageOverflow, shotPath } from './helpers.mjs';

let srv, browser, room503, roomWashitsu;

before(async () => {
  srv = await start({ now: '2026-04-08T10:00:00+09:00' });
  const centers = (await client(srv.base).get('/api/v1/centers')).json.centers;
  const chuo = centers.find((c) => c.code === 'chuo');
  room503 = chuo.rooms.find((r) => r.code === 'r503').id;
  roomWashitsu = chuo.rooms.find((r) => r.code === 'washitsu').id;
  // Some bookings today, so that every state and a public group name show.
  execFileSync('sqlite3', [srv.db, `
    INSERT INTO accounts(id, role, name, password_hash, created_at) VALUES (123456782, 'citizen', '山田 花子', 'x', 0);
    INSERT INTO groups(id, name, name_kana, representative_id, members, resident_members, public_listing, status, created_at)
      VALUES (900000001, '前橋短歌の会', 'まえばしたんかのかい', 123456782, 10, 8, 1, 'approved', 0);
    INSERT INTO bookings(id, account_id, group_id, room_id, center, date, slots, status, channel, fee_base, fee_total, rules_version, created_at)
      VALUES (1, 123456782, 900000001, ${roomWashitsu}, 'chuo', '2026-04-08', 'morning', 'confirmed', 'online', 0, 0, '2026-04-01', 0),
             (2, 123456782, NULL, ${room503}, 'chuo', '2026-04-08', 'evening', 'held', 'online', 0, 0, '2026-04-01', 0);
    INSERT INTO booking_slots(booking_id, room_id, date, slot, hold_expires_at)
      VALUES (1, ${roomWashitsu}, '2026-04-08', 'morning', NULL), (2, ${room503}, '2026-04-08', 'evening', 1900000000);`]);
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

// Every page built so far, with the status it answers.
const PAGES = () => [
  ['/', 200],
  ['/availability?date=2026-04-08', 200],
  ['/availability?date=2026-04-08&center=chuo', 200],
  ['/availability?date=2026-04-06&center=chuo', 200],               // a closed day
  ['/availability?date=2026-02-30&kind=x', 422],                     // the form with errors
  ['/availability?date=2026-04-09&postcode=371-0240', 200],          // "near me"
  ['/availability?date=2026-04-09&postcode=100-0001', 422],          // not a Maebashi postcode
  [`/rooms/${room503}?month=2026-04`, 200],
  ['/signage/chuo', 200],
  ['/today', 200],
  ['/today?center=chuo', 200],
  ['/rules/discounts', 200],
  ['/rules/discounts?date=2026-10-01', 200],
  ['/help', 200],
  ['/groups', 200],                                                  // 学習グループをさがす
  ['/groups?center=nowhere', 422],                                   // the form with an error
  ['/no-such-page', 404],                                            // the error page
];

test('axe: 0 WCAG 2.0 A/AA violations on every page at 320 px and 1280 px; no page-level horizontal scroll', async () => {
  const problems = [];
  for (const width of [320, 1280]) {
    // the CSP bypassed only so that axe can run; the real CSP is tested below
    const ctx = await axeContext(browser, { viewport: { width, height: 900 } });
    const page = await ctx.newPage();
    for (const [path, status] of PAGES()) {
      const res = await page.goto(srv.base + path, { waitUntil: 'load' });
      assert.equal(res.status(), status, path);
      // Only the lobby screen's address (?kiosk=1, not in this list) refreshes
      // itself; every page a person opens, signage included, passes every rule.
      const v = await axe(page, []);
      if (v.length) problems.push(`${width}px ${path}:\n${describe(v)}`);
      const o = await pageOverflow(page);
      if (o.scrollWidth > o.clientWidth) problems.push(`${width}px ${path}: page is ${o.scrollWidth}px wide in ${o.clientWidth}px`);
    }
    await ctx.close();
  }
  assert.deepEqual(problems, [], problems.join('\n\n'));
});

test('200% zoom (a 1280 px window at 640 CSS px) and 400% (320) keep every page within the viewport', async () => {
  const ctx = await browser.newContext({ viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 });
  const page = await ctx.newPage();
  for (const [path] of PAGES()) {
    await page.goto(srv.base + path);
    const o = await pageOverflow(page);
    assert.ok(o.scrollWidth <= o.clientWidth, `${path}: ${o.scrollWidth} > ${o.clientWidth}`);
  }
  await ctx.close();
});

test('under the real CSP the stylesheet and script load and nothing is refused', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const refused = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused/i.test(m.text())) refused.push(m.text()); });
  page.on('pageerror', (e) => refused.push(String(e)));
  for (const [path] of PAGES()) {
    await page.goto(srv.base + path, { waitUntil: 'load' });
    const body = await page.evaluate(() => {
      const s = getComputedStyle(document.body);
      return { size: parseFloat(s.fontSize), lh: parseFloat(s.lineHeight), font: s.fontFamily };
    });
    assert.ok(body.size >= 16, `${path}: body text ${body.size}px`);
    if (!path.startsWith('/signage')) assert.ok(body.lh / body.size >= 1.74, `${path}: line height ${body.lh / body.size}`);
    assert.match(body.font, /Noto Sans JP/, path);
  }
  assert.deepEqual(refused, []);
  await ctx.close();
});

test('screenshots of the top page at 320 px and 1280 px (tests/browser/screenshots/)', async () => {
  for (const width of [320, 1280]) {
    const ctx = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(srv.base + '/', { waitUntil: 'load' });
    const file = shotPath(`top-${width}.png`);
    await page.screenshot({ path: file, fullPage: true });
    assert.ok(statSync(file).size > 10000, file);
    await ctx.close();
  }
  // and the other pages a person may want to look at
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  for (const [name, path] of [['signage-1280', '/signage/chuo'], ['availability-1280', '/availability?date=2026-04-08&center=chuo'],
    ['room-1280', `/rooms/${room503}?month=2026-04`], ['today-1280', '/today?center=chuo']]) {
    await page.goto(srv.base + path);
    await page.screenshot({ path: shotPath(`${name}.png`), fullPage: true });
  }
  await ctx.close();
});

test('without JavaScript: search from the top page, open a room, go to the next month', async () => {
  const ctx = await browser.newContext({ viewport: { width: 320, height: 800 }, javaScriptEnabled: false });
  const page = await ctx.newPage();
  await page.goto(srv.base + '/');
  assert.equal(await page.locator('#today-table tbody tr').count(), 16);
  await page.selectOption('#f-date', '2026-04-09');
  await page.selectOption('#f-center', 'chuo');
  await page.selectOption('#f-kind', '学習室');
  await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
  const url = new URL(page.url());
  assert.equal(url.pathname, '/availability');
  assert.equal(url.searchParams.get('date'), '2026-04-09');
  assert.equal(url.searchParams.get('center'), 'chuo');
  assert.equal(await page.locator('h1').textContent(), '中央公民館 学習室 2026年4月9日（木） の空き状況');
  const rooms = await page.locator('table.avail tbody th a').allTextContents();
  assert.deepEqual(rooms, ['503学習室', '507学習室']);
  // the form kept what was chosen
  assert.equal(await page.locator('#f-kind').inputValue(), '学習室');
  await Promise.all([page.waitForNavigation(), page.click('text=503学習室')]);
  assert.match(await page.locator('h1').textContent(), /503学習室.*2026年4月の空き状況/);
  await Promise.all([page.waitForNavigation(), page.click('text=次の月')]);
  assert.match(await page.locator('h1').textContent(), /2026年5月の空き状況/);
  assert.equal(await page.locator('table.month tbody tr').count(), 31);
  // the next day from the results
  await page.goto(srv.base + '/availability?date=2026-04-09&center=chuo');
  await Promise.all([page.waitForNavigation(), page.click('text=次の日')]);
  assert.equal(new URL(page.url()).searchParams.get('date'), '2026-04-10');
  // signage needs no script either
  await page.goto(srv.base + '/signage/chuo');
  assert.equal(await page.locator('.sg-table tbody tr').count(), 7);
  await ctx.close();
});

test('without JavaScript at 320 px: "near me" by a postcode typed in full-width digits', async () => {
  const ctx = await browser.newContext({ viewport: { width: 320, height: 800 }, javaScriptEnabled: false });
  const page = await ctx.newPage();
  await page.goto(srv.base + '/');
  await page.selectOption('#f-date', '2026-04-09');
  await page.fill('#f-postcode', '３７１－０２４０');
  await page.selectOption('#f-slot', 'evening');
  await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
  assert.equal(await page.locator('h1').textContent(), '371-0240 の近くの公民館 2026年4月9日（木） 夜間 の空き状況');
  assert.match(await page.locator('#near-note').textContent(), /宮城公民館、大胡公民館、粕川公民館/);
  assert.deepEqual(await page.locator('section.center h2').allTextContents(), ['宮城公民館', '大胡公民館', '粕川公民館']);
  // each room shown is free in the evening and links to its booking form
  const links = page.locator('table.avail a.book-link');
  assert.ok(await links.count() > 0);
  assert.match(await links.first().getAttribute('href'), /^\/book\?room=\d+&date=2026-04-09&slot=evening$/);
  // a mistyped postcode: the error at its field, what was typed kept
  await page.goto(srv.base + '/availability?date=2026-04-09&postcode=37102');
  assert.match(await page.locator('.error-summary').textContent(), /郵便番号は7けたの数字で入れてください/);
  assert.equal(await page.locator('#f-postcode').inputValue(), '37102');
  await page.screenshot({ path: shotPath('near-me-320.png'), fullPage: true });
  await ctx.close();
});

test('with JavaScript: the top table refreshes itself from the feed, without errors', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(srv.base + '/');
  const before = await page.locator('#today-table').innerText();
  // the refresh runs every minute and when the tab becomes visible again
  await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
  await page.waitForFunction(() => document.getElementById('today-updated').textContent.includes('自動で更新'));
  assert.equal(await page.locator('#today-updated').textContent(), '(自動で更新: 10時00分)');
  assert.equal(await page.locator('#today-table').innerText(), before, 'same figures as the server rendered');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('keyboard: the skip link comes first, shows on focus and moves to the content; focus is visible', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  await page.goto(srv.base + '/help');
  await page.keyboard.press('Tab');
  const skip = await page.evaluate(() => {
    const a = document.activeElement;
    const r = a.getBoundingClientRect(), s = getComputedStyle(a);
    return { text: a.textContent, top: r.top, outline: s.outlineStyle, width: parseFloat(s.outlineWidth) };
  });
  assert.equal(skip.text, '本文へ移動');
  assert.ok(skip.top >= 0, 'visible when focused');
  assert.ok(skip.outline !== 'none' && skip.width >= 2, JSON.stringify(skip));
  await page.keyboard.press('Enter');
  // the jump is the browser's own, a moment after the key (on a loaded machine, not at once)
  await page.waitForFunction(() => location.hash === '#main', null, { timeout: 5000 }).catch(() => {});
  assert.equal(new URL(page.url()).hash, '#main');
  // every link and control shows a focus ring when reached by keyboard
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('Tab');
    const s = await page.evaluate(() => {
      const st = getComputedStyle(document.activeElement);
      return { tag: document.activeElement.tagName, outline: st.outlineStyle, width: parseFloat(st.outlineWidth) };
    });
    assert.ok(s.outline !== 'none' && s.width >= 2, JSON.stringify(s));
  }
  await ctx.close();
});

test('tap targets: menu, buttons, fields, pagers and footer links are at least 44 px tall at 320 px', async () => {
  const ctx = await browser.newContext({ viewport: { width: 320, height: 800 } });
  const page = await ctx.newPage();
  for (const path of ['/', '/availability?date=2026-04-08&center=chuo', `/rooms/${room503}?month=2026-04`, '/signage/chuo?refresh=off']) {
    await page.goto(srv.base + path);
    const small = await page.evaluate(() => [...document.querySelectorAll(
      '.site-nav a, button, select, input, .pager a, .site-footer a, .links a, details > summary, .sg-foot a')]
      .map((e) => ({ what: e.outerHTML.slice(0, 80), h: e.getBoundingClientRect().height }))
      .filter((x) => x.h < 44));
    assert.deepEqual(small, [], path);
  }
  await ctx.close();
});

test('signage: every room of every centre and the legend fit one 1920x1080 lobby screen without scrolling (point 14)', async () => {
  const centers = (await client(srv.base).get('/api/v1/centers')).json.centers;
  const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 }, javaScriptEnabled: false });
  const page = await ctx.newPage();
  for (const c of centers) {
    await page.goto(srv.base + `/signage/${c.code}?kiosk=1`);
    assert.equal(await page.locator('.sg-table tbody tr').count(), c.rooms.length, c.code);
    const fit = await page.evaluate(() => {
      const legend = document.querySelector('.sg-foot .legend').getBoundingClientRect();
      const table = document.querySelector('.sg-table').getBoundingClientRect();
      return { sh: document.documentElement.scrollHeight, sw: document.documentElement.scrollWidth,
        legendBottom: legend.bottom, tableRight: table.right };
    });
    assert.ok(fit.sh <= 1080, `${c.code}: page ${fit.sh} px tall on a 1080 px screen`);
    assert.ok(fit.sw <= 1920, `${c.code}: page ${fit.sw} px wide`);
    assert.ok(fit.legendBottom <= 1080, `${c.code}: the legend ends at ${fit.legendBottom} px`);
  }
  await page.screenshot({ path: shotPath('signage-1920x1080.png') });
  await ctx.close();
});

test('/today on a phone without JavaScript: today\'s free times are buttons that lead to the booking form (point 14)', async () => {
  const ctx = await browser.newContext({ viewport: { width: 320, height: 800 }, javaScriptEnabled: false });
  const page = await ctx.newPage();
  await page.goto(srv.base + '/');
  await Promise.all([page.waitForNavigation(), page.click('text=今日これから予約できる部屋の一覧')]);
  assert.equal(new URL(page.url()).pathname, '/today');
  await page.goto(srv.base + '/today?center=chuo');
  assert.match(await page.locator('h1').textContent(), /中央公民館 今日の空き/);
  const o = await pageOverflow(page);
  assert.ok(o.scrollWidth <= o.clientWidth, `today: ${o.scrollWidth} > ${o.clientWidth}`);
  await page.screenshot({ path: shotPath('today-320.png'), fullPage: true });
  await Promise.all([page.waitForNavigation(), page.locator('.today-slots a').first().click()]);
  // not signed in: the booking form of that slot, asking to sign up (or in) first
  const u = new URL(page.url());
  assert.equal(u.pathname, '/book');
  assert.equal(u.searchParams.get('date'), '2026-04-08');
  assert.equal(await page.locator('h1').textContent(), '予約の申し込み');
  assert.ok(await page.locator('button:has-text("登録して予約へ進む")').isVisible());
  await ctx.close();
});
