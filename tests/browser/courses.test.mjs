// The course pages in a real browser with JavaScript off (issue 16;
// docs/courses.md): axe-core WCAG 2.0 A/AA with 0 violations at 320 px and
// 1280 px, no page-level horizontal scroll, and a citizen applying and seeing
// the result on マイページ by forms alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, client, addUser, signIn } from '../api/harness.mjs';
import { launch, axeContext, axe, describe, pageOverflow, signInPage } from './helpers.mjs';

const PW = 'courses-browser-pw-1';
let srv, browser, courseId, citizenId, staffId;

before(async () => {
  srv = await start({ now: '2026-04-08T10:00:00+09:00' });
  const anon = client(srv.base);
  const chuo = (await anon.get('/api/v1/centers')).json.centers.find((c) => c.code === 'chuo');
  staffId = await addUser(srv.db, { role: 'staff', center: 'chuo', password: PW });
  const staff = await signIn(srv.base, staffId, PW);
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

function signedIn(ctx, who = citizenId, next = '/my/courses') {
  return signInPage(ctx, srv.base, who, PW, next);
}

test('axe: 0 violations on the course pages at 320 px and 1280 px; no horizontal scroll', async () => {
  const problems = [];
  for (const width of [320, 1280]) {
    const ctx = await axeContext(browser, { viewport: { width, height: 900 } });
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

test('staff pages: axe 0 violations at 320 and 1280 px, a refused plan included; planning by form without JavaScript', async () => {
  const problems = [];
  for (const width of [320, 1280]) {
    const ctx = await axeContext(browser, { viewport: { width, height: 900 } });
    const page = await signedIn(ctx, staffId, '/admin/courses');
    for (const path of ['/admin/courses', '/admin/courses?lecturer=%E5%89%8D%E6%A9%8B', '/admin/courses/new',
      `/admin/courses/new?from=${courseId}`, `/admin/courses/${courseId}`]) {
      const res = await page.goto(srv.base + path);
      assert.equal(res.status(), 200, path);
      const v = await axe(page);
      if (v.length) problems.push(`${path} @${width}: ${describe(v)}`);
      const o = await pageOverflow(page);
      if (o.scrollWidth > o.clientWidth) problems.push(`${path} @${width}: page scrolls sideways`);
    }
    await page.goto(`${srv.base}/admin/courses/new`);
    await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
    const v = await axe(page);
    if (v.length) problems.push(`refused plan @${width}: ${describe(v)}`);
    await ctx.close();
  }
  assert.deepEqual(problems, []);

  const ctx = await browser.newContext({ viewport: { width: 320, height: 800 }, javaScriptEnabled: false });
  const page = await signedIn(ctx, staffId, '/admin/courses/new');
  await page.goto(`${srv.base}/admin/courses/new`);
  await page.fill('#f-title', '朝のヨガ');
  await page.fill('#f-sessions', '2026-06-03 午前 和室');
  await page.fill('#f-apply_from', '2026-04-10');
  await page.fill('#f-apply_until', '2026-05-10');
  await page.fill('#f-capacity', '10');
  await Promise.all([page.waitForNavigation(), page.click('main form[action="/admin/courses"] button[type=submit]')]);
  assert.match(page.url(), /\/admin\/courses\/\d+$/);
  assert.ok((await page.textContent('main')).includes('朝のヨガ'));
  await ctx.close();
});
