// Journeys, one per person who uses kominkan, walked end to end in Debian's
// chromium with JavaScript OFF at 320 px and 1280 px (issue 13): what each
// person sees is asserted at every step, axe (WCAG 2.0 A/AA) runs on every
// page, and a screenshot of every screen goes to screenshots/journey-*.png.
//   - a first booking by someone with no account, from the top page to the
//     permit: at most 8 screens (point 16), counted as the page loads;
//   - a group representative: registering a group, the clerk's approval,
//     the group page, applying for an exemption;
//   - a clerk at the counter: a walk-in, check-in and payment, the receipt,
//     the ledger;
//   - an analyst: signing in lands on the reports, a CSV with Japanese headers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, client, addUser, signIn } from '../api/harness.mjs';
import { launch, axe, axeContext, describe, freshGoto, pageOverflow, shotPath } from './helpers.mjs';

const PW = 'journey-test-password-1';
const NOW = '2026-04-08T10:00:00+09:00'; // a Wednesday; the counter is open
let srv, browser;
const users = {};

before(async () => {
  srv = await start({ now: NOW });
  users.rep320 = await addUser(srv.db, { role: 'citizen', name: '代表 一子', password: PW });
  users.rep1280 = await addUser(srv.db, { role: 'citizen', name: '代表 二子', password: PW });
  users.staff = await addUser(srv.db, { role: 'staff', name: '窓口 太郎', center: 'chuo', password: PW });
  users.analyst = await addUser(srv.db, { role: 'analyst', name: '分析 三郎', password: PW });
  browser = await launch();
});
after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

// One person's walk: a JavaScript-off context at WIDTH; every page load is a
// screen, counted, checked with axe and screenshot as NAME-WIDTH-NN.png.
async function walker(name, width) {
  const ctx = await browser.newContext({ viewport: { width, height: 900 }, javaScriptEnabled: false });
  const page = await ctx.newPage();
  const w = { ctx, page, screens: [], problems: [] };
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) w.screens.push(new URL(f.url()).pathname); });
  w.look = async (what) => {
    const n = String(w.screens.length).padStart(2, '0');
    await page.screenshot({ path: shotPath(`journey-${name}-${width}-${n}.png`), fullPage: true });
    // axe needs a script: run it in a script-enabled copy of the same page state
    const v = await axeOf(page);
    if (v.length) w.problems.push(`${width}px ${what} (${page.url()}):\n${describe(v)}`);
    const o = await pageOverflow(page);
    if (o.scrollWidth > o.clientWidth) w.problems.push(`${width}px ${what}: page ${o.scrollWidth}px wide in ${o.clientWidth}px`);
  };
  w.go = async (action) => { await Promise.all([page.waitForNavigation(), action()]); };
  w.text = async (sel = 'main') => (await page.locator(sel).first().innerText()).replace(/\s+/g, ' ');
  return w;
}

// axe on a copy of PAGE's HTML in a page with scripts (the walk itself has
// none) of the same viewport: one such page per width, reused, its address
// answered from the copy.
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

for (const width of [320, 1280]) {
  test(`first booking by a newcomer at ${width} px, JavaScript off: top page to permit in at most 8 screens`, async () => {
    const w = await walker('booking', width);
    const { page } = w;
    await page.goto(srv.base + '/');
    assert.equal(await page.locator('h1').textContent(), '前橋市の公民館 部屋の空き状況');
    await w.look('top page');
    // the search on the top page: centre, date, time of day
    await page.selectOption('#f-center', 'chuo');
    await page.selectOption('#f-slot', width === 320 ? 'afternoon' : 'evening');
    await w.go(() => page.click('button:has-text("空き状況を見る")'));
    const slotLabel = width === 320 ? '午後' : '夜間';
    assert.match(await page.locator('h1').textContent(), new RegExp(`中央公民館 2026年4月8日（水） ${slotLabel} の空き状況`));
    // only that time of day, only rooms free in it
    assert.equal(await page.locator('table.avail thead th').count(), 2);
    assert.ok(!(await w.text()).includes('予約済み'));
    await w.look('search results');
    await w.go(() => page.click(`a.book-link:has-text("503学習室 ${slotLabel} を予約する")`));
    // not signed up yet: the choice is shown, and the sign-up form is on the same page
    assert.match(await w.text('#chosen'), new RegExp(`2026年4月8日（水） ${slotLabel}`));
    await w.look('sign up on the way');
    await page.fill('#f-name', `前橋 はじめ${width}`);
    await page.fill('#f-name_kana', 'まえばし はじめ');
    await page.fill('#f-phone', '０２７－２２２－３３３３');
    await page.fill('#f-password', 'my-first-booking-pass-7');
    await w.go(() => page.click('button:has-text("登録して予約へ進む")'));
    // back on the booking form, the new ID shown, the choice kept
    assert.equal(new URL(page.url()).pathname, '/book');
    assert.match(await w.text('#system-id'), /^\d{3} \d{3} \d{3}$/);
    assert.equal(await page.locator('#f-date').inputValue(), '2026-04-08');
    assert.ok(await page.locator(`input[name="slots"][value="${width === 320 ? 'afternoon' : 'evening'}"]`).isChecked());
    await w.look('booking form');
    await page.fill('#f-purpose', '俳句の会の例会');
    await page.fill('#f-attendees', '6');
    await w.go(() => page.click('button:has-text("確認の画面へ進む")'));
    assert.equal(await page.locator('h1').textContent(), '申し込み内容の確認');
    const facts = await w.text('main dl');
    for (const s of ['中央公民館', '503学習室', '2026年4月8日（水）', slotLabel, '円', '俳句の会の例会']) assert.ok(facts.includes(s), s);
    await w.look('review');
    await w.go(() => page.click('button:has-text("この内容で予約する")'));
    assert.equal(await page.locator('h1').textContent(), '予約が確定しました');
    const id = (await page.locator('#booking-id').textContent()).trim();
    assert.match(id, /^\d+$/);
    // how, where and by when to pay, in words
    assert.match(await w.text('#pay'), /中央公民館 の窓口で払ってください/);
    await w.look('booking confirmed');
    await w.go(() => page.click('a:has-text("使用許可書を見る・印刷する")'));
    assert.equal(await page.locator('h1').textContent(), '利用許可書');
    const permit = await w.text();
    assert.ok(permit.includes(`前橋 はじめ${width}`), 'the holder in full');
    assert.ok(permit.includes(id), 'the same one number');
    await w.look('permit');
    // the count: every page the person saw, from the top page to the permit
    assert.ok(w.screens.length <= 8, `${w.screens.length} screens: ${w.screens.join(' → ')}`);
    assert.deepEqual(w.screens, ['/', '/availability', '/book', '/book', '/book/review', '/forms/booking',
      `/my/bookings/${id}/permit`]);
    assert.deepEqual(w.problems, []);
    await w.ctx.close();
  });

  test(`a group representative at ${width} px: register a group, the clerk approves, the group page, an exemption`, async () => {
    const who = `rep${width}`;
    const w = await walker('group', width);
    const { page } = w;
    await page.goto(srv.base + '/signin?next=/groups/new');
    await page.fill('#f-system_id', users[who]);
    await page.fill('#f-password', PW);
    await w.go(() => page.click('main button[type="submit"]'));
    assert.equal(new URL(page.url()).pathname, '/groups/new');
    await w.look('group form');
    const name = `前橋俳句の会${width}`;
    await page.fill('#f-name', name);
    await page.fill('#f-name_kana', 'まえばしはいくのかい');
    await page.fill('#f-members', '8');
    await page.fill('#f-resident_members', '6');
    await page.fill('#f-activity', '月に2回の句会');
    await w.go(() => page.click('main button[type="submit"]'));
    assert.match(await w.text(), /団体の登録を受け付けました 受付番号 \d{8}-\d{4} 団体ID \d{9} 公民館の職員が確認します/);
    await w.look('group receipt');
    // the clerk approves it on the staff page
    const s = await walker('group-staff', width);
    await s.page.goto(srv.base + '/signin?next=/admin/groups');
    await s.page.fill('#f-system_id', users.staff);
    await s.page.fill('#f-password', PW);
    await s.go(() => s.page.click('main button[type="submit"]'));
    assert.ok((await s.text()).includes(name));
    await s.look('staff: groups to decide');
    await s.go(() => s.page.click(`button:has-text("「${name}」を承認する")`));
    assert.match(await s.text('.note-ok'), /承認/);
    await s.look('staff: approved');
    // the representative sees it approved, with the way to an exemption
    await page.goto(srv.base + '/my/groups');
    const groups = await w.text();
    assert.ok(groups.includes(name) && groups.includes('承認済み'), groups.slice(0, 400));
    await w.look('my groups');
    await page.goto(srv.base + '/discounts/apply');
    assert.equal(await page.locator('input[name="group_id"] + label', { hasText: name }).count(), 1);
    await w.look('exemption form');
    assert.deepEqual([...w.problems, ...s.problems], []);
    await w.ctx.close();
    await s.ctx.close();
  });

  test(`a clerk at the counter at ${width} px: a walk-in, payment, the receipt and the ledger`, async () => {
    const w = await walker('counter', width);
    const { page } = w;
    await page.goto(srv.base + '/signin?next=/counter');
    await page.fill('#f-system_id', users.staff);
    await page.fill('#f-password', PW);
    await w.go(() => page.click('main button[type="submit"]'));
    assert.equal(new URL(page.url()).pathname, '/counter');
    await w.look('counter');
    const room = (await client(srv.base).get('/api/v1/centers')).json.centers
      .find((c) => c.code === 'chuo').rooms.find((r) => r.code === (width === 320 ? 'washitsu' : 'kaigi')).id;
    await page.selectOption('#f-room_id', String(room));
    await page.check('input[name="slots"][value="afternoon"]');
    await page.fill('#f-name', `高崎 次郎${width}`);
    await page.fill('#f-phone', '027-333-4444');
    await w.go(() => page.click('button:has-text("当日利用を受け付ける")'));
    assert.match(await w.text('.note-ok'), /当日利用を受け付けました/);
    await w.look('walk-in taken');
    // the names in the rooms table never overlap one another nor spill out of their cell
    const clashes = await page.evaluate(() => {
      const out = [];
      for (const td of document.querySelectorAll('.counter-table td')) {
        const cell = td.getBoundingClientRect();
        const parts = [...td.querySelectorAll('a, .grp, .sym')].map((e) => [e, e.getBoundingClientRect()]);
        for (const [e, b] of parts) if (b.right > cell.right + 1 || b.left < cell.left - 1) out.push(`spills: ${e.textContent}`);
        for (let i = 0; i < parts.length; i++) for (let j = i + 1; j < parts.length; j++) {
          const [a, b] = [parts[i][1], parts[j][1]];
          if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1)
            out.push(`overlap: ${parts[i][0].textContent} / ${parts[j][0].textContent}`);
        }
      }
      return out;
    });
    assert.deepEqual(clashes, []);
    // the walk-in's row: pay what is owed, then the printable receipt
    const row = page.locator('li.card').filter({ hasText: `高崎 次郎${width}` });
    assert.equal(await row.count(), 1);
    const bid = (await row.locator('h3 .sub').textContent()).match(/予約番号 (\d+)/)[1];
    const owed = (await row.locator('button:has-text("を受け取る")').textContent()).match(/([\d,]+円)/)[1];
    await w.go(() => row.locator('button:has-text("を受け取る")').click());
    assert.equal(await page.locator('h1').textContent(), '領収書');
    const slip = await w.text();
    assert.ok(slip.includes(bid) && slip.includes(owed), slip.slice(0, 300));
    await w.look('receipt');
    await page.goto(srv.base + '/counter/ledger?center=chuo&date=2026-04-08');
    const ledger = await w.text();
    assert.ok(ledger.includes(`高崎 次郎${width}`) || ledger.includes('現金'), ledger.slice(0, 400));
    await w.look('ledger');
    assert.deepEqual(w.problems, []);
    await w.ctx.close();
  });

  test(`an analyst at ${width} px: signing in lands on the reports; CSV with Japanese headers`, async () => {
    const w = await walker('analyst', width);
    const { page } = w;
    await page.goto(srv.base + '/signin');
    await page.fill('#f-system_id', users.analyst);
    await page.fill('#f-password', PW);
    await w.go(() => page.click('main button[type="submit"]'));
    assert.equal(new URL(page.url()).pathname, '/reports');
    await w.look('reports');
    const csv = page.locator('a[href*="header=ja"]').first();
    assert.ok(await csv.count() === 1, 'a CSV link with Japanese headers');
    const api = await signIn(srv.base, users.analyst, PW);
    const r = await api.get(await csv.getAttribute('href'));
    assert.equal(r.status, 200);
    assert.match(r.text.split('\n')[0], /[ぁ-んァ-ン一-龯]/);
    assert.deepEqual(w.problems, []);
    await w.ctx.close();
  });
}
