// The analysts' page /reports in a real browser (Debian's chromium via
// playwright-core), on the demonstration data (serve --demo), signed in as
// the documented analyst with the session cookie: axe-core WCAG 2.0 A/AA with
// 0 violations at 320 and 1280 px, no page-level horizontal scroll (the wide
// tables scroll inside their wrapper), nothing refused by the real CSP, every
// chart an image with a name, and no script needed. Screenshots for a person
// to look at land in tests/browser/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, signIn } from '../api/harness.mjs';
import { launch, axeContext, axe, describe, pageOverflow, shotPath } from './helpers.mjs';

let srv, browser, cookie, staffCookie;
const PAGE = '/reports?from=2026-04-01&to=2026-06-30';

async function cookieOf(id, pw) {
  const c = await signIn(srv.base, id, pw, { cookie: true });
  const [name, value] = c.cookie.split('=');
  return { name, value, url: srv.base };
}

before(async () => {
  srv = await start({ now: '2026-04-08T10:00:00+09:00', args: ['--demo'] });
  cookie = await cookieOf('400000014', 'demo-analyst-2026');
  staffCookie = await cookieOf('200000016', 'demo-staff-2026');   // home centre 中央公民館
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

async function signedIn(opts, forAxe = false, as = cookie) {
  const ctx = forAxe ? await axeContext(browser, opts) : await browser.newContext(opts);
  await ctx.addCookies([as]);
  return ctx;
}

test('axe: 0 WCAG 2.0 A/AA violations on the page, the form with errors and the way to sign in', async () => {
  const problems = [];
  for (const width of [320, 1280]) {
    const ctx = await signedIn({ viewport: { width, height: 900 } }, true);
    const page = await ctx.newPage();
    for (const [path, status] of [[PAGE, 200], ['/reports', 200], ['/reports?center=chuo', 200],
      ['/reports?from=2026-02-30', 422]]) {
      const res = await page.goto(srv.base + path, { waitUntil: 'load' });
      assert.equal(res.status(), status, path);
      const v = await axe(page);
      if (v.length) problems.push(`${width}px ${path}:\n${describe(v)}`);
      const o = await pageOverflow(page);
      if (o.scrollWidth > o.clientWidth) problems.push(`${width}px ${path}: page is ${o.scrollWidth}px wide in ${o.clientWidth}px`);
    }
    await ctx.close();
    // not signed in: the sign-in page, which comes back here afterwards
    const anon = await axeContext(browser, { viewport: { width, height: 900 } });
    const p2 = await anon.newPage();
    const res = await p2.goto(srv.base + '/reports');
    assert.equal(res.status(), 200);
    assert.equal(new URL(p2.url()).pathname, '/signin');
    assert.equal(new URL(p2.url()).searchParams.get('next'), '/reports');
    const v = await axe(p2);
    if (v.length) problems.push(`${width}px /reports (signed out):\n${describe(v)}`);
    await anon.close();
  }
  assert.deepEqual(problems, [], problems.join('\n\n'));
});

test('the charts: images with a name and a description, values as text, a table after each', async () => {
  const ctx = await signedIn({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const refused = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused/i.test(m.text())) refused.push(m.text()); });
  await page.goto(srv.base + PAGE, { waitUntil: 'load' });
  const charts = await page.evaluate(() => [...document.querySelectorAll('svg[role="img"]')].map((svg) => {
    const ids = svg.getAttribute('aria-labelledby').split(' ');
    let next = svg.closest('figure, div.chart');
    while (next && !next.querySelector('table')) next = next.nextElementSibling;
    return {
      name: document.getElementById(ids[0])?.textContent,
      desc: document.getElementById(ids[1])?.textContent,
      texts: svg.querySelectorAll('text').length,
      width: svg.getBoundingClientRect().width,
      table: next ? next.querySelector('caption').textContent : null,
    };
  }));
  // the heat map, one trend chart per centre (16), the exempted share
  assert.equal(charts.length, 18);
  for (const c of charts) {
    assert.ok(c.name && c.desc, JSON.stringify(c));
    assert.ok(c.texts >= 3, JSON.stringify(c));
    assert.ok(c.width >= 240, JSON.stringify(c));
    assert.ok(c.table, `a table follows ${c.name}`);
  }
  assert.equal(charts[1].name, '中央公民館 月ごとの利用率');
  // the heat map's cells carry their percentage: 7 weekdays x 3 slots
  const cells = await page.locator('svg[aria-labelledby="hm-t hm-d"] text').allTextContents();
  assert.equal(cells.filter((t) => /%$|—/.test(t)).length, 21, cells.join(' '));
  assert.deepEqual(refused, []);
  await page.screenshot({ path: shotPath('reports-1280.png'), fullPage: true });
  await ctx.close();
  const small = await signedIn({ viewport: { width: 320, height: 900 } });
  const p2 = await small.newPage();
  await p2.goto(srv.base + PAGE);
  await p2.screenshot({ path: shotPath('reports-320.png'), fullPage: true });
  await small.close();
});

test('without JavaScript: choose a centre and a period with the form', async () => {
  const ctx = await signedIn({ viewport: { width: 320, height: 800 }, javaScriptEnabled: false });
  const page = await ctx.newPage();
  await page.goto(srv.base + '/reports');
  await page.fill('#f-from', '2026-04-01');
  await page.fill('#f-to', '2026-05-31');
  await page.selectOption('#f-center', 'chuo');
  // (the menu's sign-out is a form too: the report form's button is in main)
  await Promise.all([page.waitForNavigation(), page.click('main button[type="submit"]')]);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('center'), 'chuo');
  assert.match(await page.locator('.panel').innerText(), /中央公民館/);
  // one centre: one trend chart, one row in its table
  assert.equal(await page.locator('svg[aria-labelledby$=" tr-d"]').count(), 1);
  assert.equal(await page.locator('svg[aria-labelledby="tr-t-chuo tr-d"]').count(), 1);
  assert.equal(await page.locator('#tr-c ~ tbody tr, table:has(#tr-c) tbody tr').count(), 1);
  await ctx.close();
});

test('a clerk, without JavaScript: from the staff menu to the 月報 of their home centre; axe on every state', async () => {
  const problems = [];
  for (const width of [320, 1280]) {
    const ctx = await signedIn({ viewport: { width, height: 900 } }, true, staffCookie);
    const page = await ctx.newPage();
    for (const [path, status] of [['/reports', 200], ['/reports?month=2026-04&from=2026-04-01&to=2026-04-30', 200],
      ['/reports?month=2030-01', 422], ['/reports?center=haga', 403]]) {
      const res = await page.goto(srv.base + path, { waitUntil: 'load' });
      assert.equal(res.status(), status, path);
      const v = await axe(page);
      if (v.length) problems.push(`${width}px staff ${path}:\n${describe(v)}`);
      const o = await pageOverflow(page);
      if (o.scrollWidth > o.clientWidth) problems.push(`${width}px staff ${path}: page is ${o.scrollWidth}px wide in ${o.clientWidth}px`);
    }
    await ctx.close();
  }
  assert.deepEqual(problems, [], problems.join('\n\n'));

  const ctx = await signedIn({ viewport: { width: 320, height: 800 }, javaScriptEnabled: false }, false, staffCookie);
  const page = await ctx.newPage();
  await page.goto(srv.base + '/admin');
  await Promise.all([page.waitForNavigation(), page.click('main a[href="/reports"]')]);
  assert.equal(new URL(page.url()).pathname, '/reports');
  // the page says whose figures these are; there is no centre to choose
  assert.match(await page.locator('main').innerText(), /所属する公民館 \(中央公民館\) の数値です/);
  assert.equal(await page.locator('#f-center').count(), 0);
  assert.match(await page.locator('.panel').innerText(), /中央公民館/);
  assert.equal(await page.locator('svg[aria-labelledby$=" tr-d"]').count(), 1);
  // choose the month and the period with the form
  await page.fill('#f-from', '2026-04-01');
  await page.fill('#f-to', '2026-04-30');
  await page.selectOption('#f-month', '2026-04');
  await Promise.all([page.waitForNavigation(), page.click('main button[type="submit"]')]);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('month'), '2026-04');
  assert.equal(await page.locator('#mo-h').innerText(), '月報 (2026年4月、中央公民館)');
  for (const id of ['mo-k-c', 'mo-ch-c', 'mo-rg-c', 'mo-cp-c', 'mo-pm-c']) assert.equal(await page.locator(`#${id}`).count(), 1, id);
  assert.equal(await page.locator('#mo-c-c').count(), 0);   // no list of centres
  // the 月報's CSV is this centre's, and the clerk may take it
  const href = await page.locator('a[href*="/api/v1/reports/monthly"]').getAttribute('href');
  assert.equal(href, '/api/v1/reports/monthly?month=2026-04&center=chuo&format=csv&header=ja');
  const csv = await page.request.get(srv.base + href);
  assert.equal(csv.status(), 200);
  assert.match(await csv.text(), /集計の種類/);
  assert.equal(await page.locator('a[href*="/api/v1/reports/usage"], a[href*="/api/v1/events"]').count(), 0);
  await page.screenshot({ path: shotPath('reports-staff-320.png'), fullPage: true });
  await ctx.close();
});
