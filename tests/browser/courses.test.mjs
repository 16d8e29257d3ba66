// The course pages in a real browser with JavaScript off (issue 16;
// docs/courses.md): axe-core WCAG 2.0 A/AA with 0 violations at 320 px and
// 1280 px, no page-level horizontal scroll, and a citizen applying and seeing
// the result on マイページ by forms alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, client, addUser, signIn } from '../api/harness.mjs';
import { launch, axe, describe, pageOverflow } from './helpers.mjs';

const PW = 'courses-browser-pw-1';
let srv, browser, courseId, citizenId;

before(async () => {
  srv = await start({ now: '2026-04-08T10:00:00+09:00' });
  const anon = client(srv.base);
  const chuo = (await anon.get('/api/v1/centers')).json.centers.find((c) => c.code === 'chuo');
  const staff = await signIn(srv.base, await addUser(srv.db, { role: 'staff', center: 'chuo', password: PW }), PW);
  citizenId = await addUser(srv.db, { password: PW, name: '前橋 花子' });
  const r = await staff.post('/api/v1/courses', {
    center: 'chuo', title: 'はじめての俳句（親子で参加できます）', capacity: 12, max_companions: 1, allocation: 'first_come',
    apply_from: '2026-04-01', apply_until: '2026-04-30', category: '文化', target: '小学生と保護者',
    lecturer_name: '前橋 一郎', lecturer_org: '前橋俳句会', fee: 500, description: '季語の見つけ方から。',
    sessions: [{ date: '2026-05-13', slot: 'morning', room_id: chuo.rooms.find((x) => x.code === 'washitsu').id },
      { date: '2026-05-20', slot: 'morning', room_id: chuo.rooms.find((x) => x.code === 'washitsu').id }],
  });
  assert.equal(r.status, 201, r.text);
  courseId = r.json.id;
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

async function signedIn(ctx) {
  const page = await ctx.newPage();
  await page.goto(`${srv.base}/signin?next=/my/courses`);
  await page.fill('#f-system_id', citizenId);
  await page.fill('#f-password', PW);
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  return page;
}

test('axe: 0 violations on the course pages at 320 px and 1280 px; no horizontal scroll', async () => {
  const problems = [];
  for (const width of [320, 1280]) {
    const ctx = await browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true, javaScriptEnabled: true });
    const page = await ctx.newPage();
    for (const path of ['/courses', `/courses/${courseId}`]) {
      const res = await page.goto(srv.base + path);
      assert.equal(res.status(), 200, path);
      const v = await axe(page);
      if (v.length) problems.push(`${path} @${width}: ${describe(v)}`);
      const o = await pageOverflow(page);
      if (o.scrollWidth > o.clientWidth) problems.push(`${path} @${width}: page scrolls sideways (${o.scrollWidth} > ${o.clientWidth})`);
    }
    const mine = await signedIn(ctx);
    for (const path of [`/courses/${courseId}`, '/my/courses']) {
      await mine.goto(srv.base + path);
      const v = await axe(mine);
      if (v.length) problems.push(`${path} (signed in) @${width}: ${describe(v)}`);
      const o = await pageOverflow(mine);
      if (o.scrollWidth > o.clientWidth) problems.push(`${path} (signed in) @${width}: page scrolls sideways`);
    }
    await ctx.close();
  }
  assert.deepEqual(problems, []);
});

test('without JavaScript: a citizen applies from the course page and sees the result on マイページ', async () => {
  const ctx = await browser.newContext({ viewport: { width: 320, height: 800 }, javaScriptEnabled: false });
  const page = await signedIn(ctx);
  await page.goto(`${srv.base}/courses`);
  await Promise.all([page.waitForNavigation(), page.click(`a[href="/courses/${courseId}"]`)]);
  await page.selectOption('#f-companions', '1');
  await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
  assert.ok(page.url().endsWith('/my/courses'));
  const text = await page.textContent('main');
  assert.ok(text.includes('受講が決まりました'), text);
  assert.ok(text.includes('同伴 1人'), text);
  await ctx.close();
});
