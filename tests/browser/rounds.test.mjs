// The allocation round's pages in a real browser (issue 16; docs/courses.md):
// staff's /admin/rounds and /admin/rounds/{id}, a group's /my/rounds, after a
// round with a contested slot has closed: axe-core WCAG 2.0 A/AA with 0
// violations at 320 px and 1280 px, no page-level horizontal scroll.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, client, addUser, signIn } from '../api/harness.mjs';
import { launch, axeContext, axe, describe, pageOverflow, signInPage } from './helpers.mjs';

const PW = 'rounds-browser-pw-1';
let srv, browser, book, roundId;
const ids = {};

before(async () => {
  book = mkdtempSync(join(tmpdir(), 'kominkan-rounds-b-'));
  cpSync('ordinances/maebashi', book, { recursive: true });
  for (const f of readdirSync(book).filter((x) => x.startsWith('rules-'))) {
    const j = JSON.parse(readFileSync(join(book, f), 'utf8'));
    j.booking_window.lottery = { rounds: [{ code: 'large', room_kinds: ['ホール'], months_before_use_month: 3,
      apply_from_day: 1, apply_until_day: 10, cap_slots_per_group: 2 }] };
    writeFileSync(join(book, f), JSON.stringify(j));
  }
  const args = ['--ordinances', book];
  srv = await start({ now: '2026-04-02T10:00:00+09:00', args });
  ids.staff = await addUser(srv.db, { role: 'staff', center: 'chuo', password: PW });
  const staff = await signIn(srv.base, ids.staff, PW);
  const hall = (await client(srv.base).get('/api/v1/centers')).json.centers.find((c) => c.code === 'chuo')
    .rooms.find((x) => x.code === 'hall').id;
  roundId = (await client(srv.base).get('/api/v1/rounds')).json.rounds[0].id;
  for (const k of ['a', 'b']) {
    ids[k] = await addUser(srv.db, { password: PW, name: `代表 ${k}` });
    const c = await signIn(srv.base, ids[k], PW);
    const g = await c.post('/api/v1/groups', { name: `合唱の会${k}`, name_kana: 'がっしょうのかい', members: 10,
      resident_members: 8, activity: '合唱', public_listing: false });
    assert.equal((await staff.post(`/api/v1/groups/${g.json.id}/approve`)).status, 200);
    for (const date of ['2026-07-08', k === 'a' ? '2026-07-09' : '2026-07-10']) {
      const r = await c.post(`/api/v1/rounds/${roundId}/applications`,
        { group_id: g.json.id, room_id: hall, date, slots: ['morning'], purpose: '練習', attendees: 30 });
      assert.equal(r.status, 201, r.text);
    }
  }
  await srv.stop({ keep: true });
  srv = await start({ now: '2026-04-11T10:00:00+09:00', db: srv.db, dir: srv.dir, args });
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
  rmSync(book, { recursive: true, force: true });
});

function signedIn(ctx, who, next) {
  return signInPage(ctx, srv.base, who, PW, next);
}

test('axe: 0 violations on the round pages at 320 px and 1280 px; no horizontal scroll', async () => {
  const problems = [];
  for (const width of [320, 1280]) {
    const ctx = await axeContext(browser, { viewport: { width, height: 900 } });
    const staffPage = await signedIn(ctx, ids.staff, '/admin/rounds');
    const rep = await signedIn(await axeContext(browser, { viewport: { width, height: 900 } }), ids.a, '/my/rounds');
    for (const [page, path] of [[staffPage, '/admin/rounds'], [staffPage, `/admin/rounds/${roundId}`], [rep, '/my/rounds']]) {
      const res = await page.goto(srv.base + path);
      assert.equal(res.status(), 200, path);
      const v = await axe(page);
      if (v.length) problems.push(`${path} @${width}: ${describe(v)}`);
      const o = await pageOverflow(page);
      if (o.scrollWidth > o.clientWidth) problems.push(`${path} @${width}: page scrolls sideways (${o.scrollWidth} > ${o.clientWidth})`);
    }
    const text = await staffPage.textContent('main');
    assert.ok(text.includes('抽選済み'), text);
    assert.ok(text.includes('合唱の会a') && text.includes('合唱の会b'), text);
    await ctx.close();
    await rep.context().close();
  }
  assert.deepEqual(problems, []);
});
