// A group's representative applies to the monthly allocation round by form,
// with JavaScript off (issue 16; docs/courses.md), and after the close sees the
// result and the published draw (commitment, seed, ranking), which the test
// recomputes in Node; staff see the round's state, the contested slot and the
// draw. axe-core WCAG 2.0 A/AA: 0 violations on the form (also refused), the
// round's page and the staff page, at 320 px and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, client, addUser, signIn } from '../api/harness.mjs';
import { launch, axeContext, axe, describe, pageOverflow, signInPage } from './helpers.mjs';

const PW = 'round-form-pw-1';
const sha = (x) => createHash('sha256').update(x).digest('hex');
let srv, browser, book, roundId, hall;
const ids = {}, groups = {};
const args = () => ['--ordinances', book];

before(async () => {
  book = mkdtempSync(join(tmpdir(), 'kominkan-round-form-'));
  cpSync('ordinances/maebashi', book, { recursive: true });
  for (const f of readdirSync(book).filter((x) => x.startsWith('rules-'))) {
    const j = JSON.parse(readFileSync(join(book, f), 'utf8'));
    j.booking_window.lottery = { rounds: [{ code: 'large', room_kinds: ['ホール'], months_before_use_month: 3,
      apply_from_day: 1, apply_until_day: 10, cap_slots_per_group: 2 }] };
    writeFileSync(join(book, f), JSON.stringify(j));
  }
  srv = await start({ now: '2026-04-02T10:00:00+09:00', args: args() });
  ids.staff = await addUser(srv.db, { role: 'staff', center: 'chuo', password: PW });
  const staff = await signIn(srv.base, ids.staff, PW);
  hall = (await client(srv.base).get('/api/v1/centers')).json.centers.find((c) => c.code === 'chuo')
    .rooms.find((x) => x.code === 'hall');
  roundId = (await client(srv.base).get('/api/v1/rounds')).json.rounds[0].id;
  for (const k of ['a', 'b']) {
    ids[k] = await addUser(srv.db, { password: PW, name: `代表 ${k}` });
    const c = await signIn(srv.base, ids[k], PW);
    const g = await c.post('/api/v1/groups', { name: `吹奏楽の会${k}`, name_kana: 'すいそうがくのかい', members: 10,
      resident_members: 8, activity: '吹奏楽', public_listing: false });
    assert.equal((await staff.post(`/api/v1/groups/${g.json.id}/approve`)).status, 200);
    groups[k] = g.json.id;
  }
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
  rmSync(book, { recursive: true, force: true });
});

// Fill the round's form on PAGE and send it.
async function fillAndSend(page, { group, date }) {
  await page.selectOption('#f-group_id', group);
  await page.selectOption('#f-room_id', String(hall.id));
  await page.fill('#f-date', date);
  await page.selectOption('#f-slots', 'morning');
  await page.fill('#f-purpose', '定期演奏会の練習');
  await page.fill('#f-attendees', '30');
  await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
}

async function checkAxe(path, who, problems) {
  for (const width of [320, 1280]) {
    const ctx = await axeContext(browser, { viewport: { width, height: 900 } });
    const page = await signInPage(ctx, srv.base, who, PW, path);
    assert.equal(new URL(page.url()).pathname, path);
    const v = await axe(page);
    if (v.length) problems.push(`${path} @${width}: ${describe(v)}`);
    const o = await pageOverflow(page);
    if (o.scrollWidth > o.clientWidth) problems.push(`${path} @${width}: page scrolls sideways`);
    await ctx.close();
  }
}

test('representatives apply by form without JavaScript; a wrong date comes back explained', async () => {
  const ctx = await browser.newContext({ viewport: { width: 320, height: 800 }, javaScriptEnabled: false });
  const page = await signInPage(ctx, srv.base, ids.a, PW, '/my');
  await Promise.all([page.waitForNavigation(), page.click('text=部屋の抽選の申し込み (団体)')]);
  assert.match(await page.textContent('main'), /受付中の回[\s\S]*利用月 2026-07（large、1団体2枠まで/);
  await Promise.all([page.waitForNavigation(), page.click('main a:has-text("申し込む")')]);
  assert.equal(new URL(page.url()).pathname, `/rounds/${roundId}/apply`);
  assert.match(await page.textContent('h1'), /部屋の抽選に申し込む（2026-07）/);
  const options = await page.$$eval('#f-room_id option', (os) => os.map((o) => o.textContent));
  assert.ok(options.some((o) => o.includes(hall.name)), options.join());
  assert.ok(options.every((o) => o.includes('ホール')), 'only rooms of the round\'s kinds');

  // a date outside the use month: the form again, explained, with what was sent
  await fillAndSend(page, { group: groups.a, date: '2026-08-05' });
  assert.match(await page.title(), /^入力エラー/);
  assert.match(await page.textContent('main'), /この回の利用月の日を選んでください/);
  assert.equal(await page.inputValue('#f-purpose'), '定期演奏会の練習');
  assert.equal(await page.inputValue('#f-date'), '2026-08-05');

  await page.fill('#f-date', '2026-07-08');
  await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
  assert.equal(new URL(page.url()).pathname, '/my/rounds');
  const mine = await page.textContent('main');
  assert.match(mine, /7月8日.*午前.*ホール/);
  assert.match(mine, /申し込み中（締め切りの後に決まります）/);
  assert.match(mine, /吹奏楽の会a/);
  await ctx.close();

  // the other group asks for the same slot: contested
  const ctxB = await browser.newContext({ javaScriptEnabled: false });
  const pageB = await signInPage(ctxB, srv.base, ids.b, PW, `/rounds/${roundId}/apply`);
  await fillAndSend(pageB, { group: groups.b, date: '2026-07-08' });
  assert.equal(new URL(pageB.url()).pathname, '/my/rounds');
  await ctxB.close();

  // axe on the form, also refused
  const problems = [];
  await checkAxe(`/rounds/${roundId}/apply`, ids.a, problems);
  const ctxE = await axeContext(browser, { viewport: { width: 320, height: 900 } });
  const pe = await signInPage(ctxE, srv.base, ids.a, PW, `/rounds/${roundId}/apply`);
  await fillAndSend(pe, { group: groups.a, date: '2026-07-40' });
  assert.match(await pe.textContent('main'), /利用日は YYYY-MM-DD/);
  const v = await axe(pe);
  if (v.length) problems.push(`refused form: ${describe(v)}`);
  await ctxE.close();
  assert.deepEqual(problems, []);
});

test('after the close: the result, the published draw recomputed, the staff view', async () => {
  await srv.stop({ keep: true });
  srv = await start({ now: '2026-04-11T10:00:00+09:00', db: srv.db, dir: srv.dir, args: args() });
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await signInPage(ctx, srv.base, ids.a, PW, '/my/rounds');
  const result = await page.textContent('main');
  const won = /当選（仮予約になりました/.test(result);
  assert.ok(won || /落選（抽選）/.test(result), result);
  await Promise.all([page.waitForNavigation(), page.click('text=この回の抽選の結果と公開記録')]);
  assert.equal(new URL(page.url()).pathname, `/rounds/${roundId}`);
  const text = await page.textContent('main');
  assert.match(text, /抽選済み/);
  const commitment = await page.textContent('dd:below(dt:has-text("コミットメント")) code');
  const seed = await page.textContent('dd:below(dt:has-text("シード")) code');
  assert.match(seed, /^[0-9a-f]{64}$/);
  assert.equal(sha(Buffer.from(seed, 'hex')), commitment, 'the seed is the one committed to');
  const rows = await page.$$eval('table:has(caption:has-text("抽選の順位")) tbody tr',
    (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  assert.equal(rows.length, 2);
  const ranked = rows.map((r) => Number(r[1].replace(/\D/g, '')));
  const expected = [...ranked].sort((x, y) => (sha(`${seed}:${x}`) < sha(`${seed}:${y}`) ? -1 : 1));
  assert.deepEqual(ranked, expected, 'ranked by sha256(seed:id) ascending');
  assert.deepEqual(rows.map((r) => r[2]), ['当選', '落選']);
  const mineRow = rows.find((r) => r[1].includes('（あなたの団体）'));
  assert.equal(mineRow[2], won ? '当選' : '落選', 'the marked row is the group\'s own, with its result');
  assert.match(text, /申し込まれた枠と結果[\s\S]*7月8日.*午前.*ホール/);
  await ctx.close();

  // staff: state, the contested slot with the winning group, the draw
  const sctx = await browser.newContext({ javaScriptEnabled: false });
  const sp = await signInPage(sctx, srv.base, ids.staff, PW, `/admin/rounds/${roundId}`);
  const st = await sp.textContent('main');
  assert.match(st, /状態抽選済み/);
  assert.match(st, /7月8日.*午前.*ホール2件あり吹奏楽の会[ab]/);
  assert.ok(st.includes(seed), 'the seed on the staff page');
  assert.match(st, /抽選の順位/);
  await sctx.close();

  const problems = [];
  await checkAxe(`/rounds/${roundId}`, ids.a, problems);
  await checkAxe(`/admin/rounds/${roundId}`, ids.staff, problems);
  await checkAxe('/my/rounds', ids.b, problems);
  assert.deepEqual(problems, []);
});
