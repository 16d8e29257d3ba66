// The learning groups' pages in Debian's chromium with JavaScript off
// (docs/web.md): a visitor searches 学習グループをさがす (/groups) by keyword
// and centre on a 320 px screen and turns its pages; a clerk looks a group up
// on /admin/groups by its ふりがな and opens its page. axe-core WCAG 2.0 A/AA
// on each page, the refused search included; no page-level horizontal scroll.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { start, client, addUser, signIn } from '../api/harness.mjs';
import { launch, signedInContext, assertNoViolations, pageOverflow } from './helpers.mjs';

const PW = 'browser-groups-pass-1';
let srv, browser, ids = {}, g = {};

before(async () => {
  srv = await start({ now: '2026-04-08T10:00:00+09:00' });
  ids.staff = await addUser(srv.db, { role: 'staff', name: '窓口 次郎', center: 'chuo', password: PW });
  ids.citizen = await addUser(srv.db, { role: 'citizen', name: '前橋 花子', password: PW });
  const [citizen, staff] = await Promise.all([signIn(srv.base, ids.citizen, PW), signIn(srv.base, ids.staff, PW)]);
  const reg = async (name, kana, activity, pub) =>
    (await citizen.post('/api/v1/groups', { name, name_kana: kana, members: 4, resident_members: 3, activity,
      public_listing: pub })).json.id;
  g.tanka = await reg('前橋短歌の会', 'まえばしたんかのかい', '短歌の創作と批評', true);
  g.secret = await reg('非公開の会', 'ひこうかいのかい', '短歌', false);
  for (const id of [g.tanka, g.secret]) assert.equal((await staff.post(`/api/v1/groups/${id}/approve`)).status, 200);
  const chuo = (await client(srv.base).get('/api/v1/centers')).json.centers.find((c) => c.code === 'chuo');
  const b = await citizen.post('/api/v1/bookings', { room_id: chuo.rooms.find((r) => r.code === 'washitsu').id,
    date: '2026-05-13', slots: ['morning'], group_id: g.tanka, purpose: '短歌の会', attendees: 4 });
  assert.equal((await citizen.post(`/api/v1/bookings/${b.json.id}/confirm`)).status, 200);
  // enough listed groups for two pages
  const rows = Array.from({ length: 24 }, (_, i) => `(${900000200 + i}, '囲碁の会${i + 1}', 'いごのかい${String(i + 1).padStart(2, '0')}', ` +
    `${ids.citizen}, 3, 3, '囲碁', 1, 'approved', '2027-03-31', 0)`);
  execFileSync('sqlite3', [srv.db, `INSERT INTO groups(id, name, name_kana, representative_id, members,
    resident_members, activity, public_listing, status, valid_until, created_at) VALUES ${rows.join(',')};`]);
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

const noViolations = (page, label) => assertNoViolations(browser, page, label);

async function submit(page, action) {
  await Promise.all([page.waitForNavigation(), page.click(`main form[action="${action}"] button[type="submit"]`)]);
}

test('a visitor on a phone, JavaScript off, finds a learning group by keyword and centre and turns the pages', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 320, height: 700 } });
  const page = await ctx.newPage();
  await page.goto(srv.base + '/');
  await Promise.all([page.waitForNavigation(), page.click('main a[href="/groups"]')]);
  assert.equal(await page.title(), '学習グループをさがす | 前橋市 公民館予約');
  await noViolations(page, '/groups');
  let o = await pageOverflow(page);
  assert.ok(o.scrollWidth <= o.clientWidth, `/groups is ${o.scrollWidth}px wide in ${o.clientWidth}px`);
  // the list in pages: the next page and back
  assert.equal(await page.locator('main li.card').count(), 20);
  await Promise.all([page.waitForNavigation(), page.click('nav.pager a[rel="next"]')]);
  assert.match(page.url(), /\/groups\?page=2$/);
  assert.equal(await page.locator('main li.card').count(), 5);
  await noViolations(page, '/groups?page=2');
  // a search: a keyword in katakana and a centre
  await page.fill('#f-q', 'タンカ');
  await page.selectOption('#f-center', 'chuo');
  await submit(page, '/groups');
  assert.match(page.url(), /\/groups\?q=%E3%82%BF%E3%83%B3%E3%82%AB&center=chuo$/);
  const main = await page.textContent('main');
  assert.match(main, /前橋短歌の会/);
  assert.match(main, /短歌の創作と批評/);
  assert.match(main, /公民館の職員が、団体の代表者に連絡を取り次ぎます。/);
  assert.doesNotMatch(main, /非公開の会|前橋 花子|囲碁の会/);
  assert.equal(await page.locator('main li.card').count(), 1);
  await noViolations(page, '/groups?q=&center=');
  o = await pageOverflow(page);
  assert.ok(o.scrollWidth <= o.clientWidth, `results: ${o.scrollWidth}px wide in ${o.clientWidth}px`);
  // a refused search: the summary links to the field
  await page.goto(`${srv.base}/groups?q=${'あ'.repeat(101)}`);
  assert.match(await page.title(), /^入力エラー: /);
  await noViolations(page, '/groups (422)');
  await page.click('.error-summary a[href="#f-q"]');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-q');
  await ctx.close();
});

test('a clerk, JavaScript off, looks a group up by its ふりがな and opens its page', async () => {
  const ctx = await signedInContext(browser, srv.base, ids.staff, PW);
  const page = await ctx.newPage();
  await page.goto(srv.base + '/admin');
  await Promise.all([page.waitForNavigation(), page.click('main a[href="/admin/groups"]')]);
  await noViolations(page, '/admin/groups');
  await page.fill('#f-q', 'マエバシ');
  await page.selectOption('#f-status', 'approved');
  await submit(page, '/admin/groups');
  assert.match(page.url(), /\/admin\/groups\?q=%E3%83%9E%E3%82%A8%E3%83%90%E3%82%B7&status=approved$/);
  const row = page.locator('main table tbody tr');
  assert.equal(await row.count(), 1);
  assert.match(await row.textContent(), /前橋短歌の会.*まえばしたんかのかい.*承認済み.*2027年3月31日（水）/);
  await noViolations(page, '/admin/groups?q=&status=');
  await Promise.all([page.waitForNavigation(), page.click(`main a[href="/admin/groups/${g.tanka}"]`)]);
  const main = await page.textContent('main');
  assert.match(main, new RegExp(`前橋 花子 \\(利用者番号 ${ids.citizen}\\)`));
  assert.match(main, /有効期限2027年3月31日（水）/);
  assert.match(main, /減免の申請はありません。/);
  await noViolations(page, '/admin/groups/ID');
  // a status that is not one: 422 with the error at the field
  await page.goto(srv.base + '/admin/groups?q=&status=bogus');
  assert.match(await page.title(), /^入力エラー: 団体登録の審査と検索/);
  await noViolations(page, '/admin/groups (422)');
  await ctx.close();
});
