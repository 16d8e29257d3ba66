// 職員の手引き (/admin/help): the counter clerks' guide, one page for every
// centre's staff (the working group's システム利用合同説明会): which page does
// what a citizen asks for, the rules in force in the rule book's own words,
// how personal data is handled. Staff and admins; citizens 403.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, client, addUser, browserSession } from './harness.mjs';

const PW = 'staff-help-password-1';
const HTML = { Accept: 'text/html' };
let srv, staff, citizen;

before(async () => {
  srv = await start({ now: '2026-04-08T10:00:00+09:00' });
  staff = await browserSession(srv.base, await addUser(srv.db, { role: 'staff', name: '手引 読子', center: 'chuo', password: PW }), PW);
  citizen = await browserSession(srv.base, await addUser(srv.db, { name: '市民 太郎', password: PW }), PW);
});
after(async () => { await srv.stop(); });

test('the guide: each request with the page that does it, linked; the rules from the rule book', async () => {
  const menu = await staff.get('/admin', HTML);
  assert.match(menu.text, /<a href="\/admin\/help">職員の手引き/);
  const r = await staff.get('/admin/help', HTML);
  assert.equal(r.status, 200);
  assert.match(r.text, /<h1>職員の手引き<\/h1>/);
  for (const href of ['/counter/book', '/counter/register', '/counter/reset-code', '/counter', '/admin/groups',
    '/admin/closures', '/reports']) {
    assert.match(r.text, new RegExp(`<td><a href="${href.replace(/\//g, '\\/')}">`), href);
  }
  // the rules as the API publishes them, not copied into the page
  const rules = (await client(srv.base).get('/api/v1/rules')).json;
  assert.ok(r.text.includes(`仮予約: ${rules.holds.lapse_after_hours}時間のうちに`));
  assert.ok(r.text.includes(`利用日の${rules.cancellation.deadline_days_before}日前までは無料`));
  assert.ok(r.text.includes('月・火・水・木・金曜日の 8:30 から 17:15 まで（祝日・休館日を除く。第1・第3月曜日は休館日でも受け付けます）'));
  assert.match(r.text, /<h2 id="privacy-t">個人情報の扱い<\/h2>/);
});

test('citizens 403; someone not signed in is sent to sign in', async () => {
  assert.equal((await citizen.get('/admin/help', HTML)).status, 403);
  const anon = await client(srv.base).get('/admin/help', HTML);
  assert.equal(anon.status, 303);
  assert.match(anon.headers.get('location'), /^\/signin\?next=%2Fadmin%2Fhelp/);
});
