// Web forms for what had only an API (issue 14; docs/operations.md), posted as
// a browser without JavaScript would: a citizen's details on マイページ, the
// counter's password reset slip, staff accounts for admins; and the throttle
// on redeeming counter codes (per address and per account).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, client, addUser, signIn, wellFormed } from './harness.mjs';

const NOW = '2026-04-08T10:00:00+09:00';
const PW = 'people-password-123';
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
let srv, ids;

before(async () => {
  srv = await start({ now: NOW });
  const [staff, admin, c1, c2, c3] = await Promise.all([
    addUser(srv.db, { role: 'staff', name: '窓口 職員', center: 'chuo', password: PW }),
    addUser(srv.db, { role: 'admin', name: '管理 者', password: PW }),
    addUser(srv.db, { role: 'citizen', name: '前橋 太郎', password: PW }),
    addUser(srv.db, { role: 'citizen', name: '前橋 次郎', password: PW }),
    addUser(srv.db, { role: 'citizen', name: '前橋 三郎', password: PW }),
  ]);
  ids = { staff, admin, c1, c2, c3 };
});
after(async () => { await srv.stop(); });

// A signed-in browser session: get(path), form(path, fields) with the CSRF token.
async function browser(id, password = PW) {
  const c = await signIn(srv.base, id, password, { cookie: true });
  c.form = (path, fields = {}) => c.post(path, new URLSearchParams({ csrf_token: c.csrf, ...fields }).toString(), FORM);
  return c;
}

test('a citizen edits name, kana, email and phone on マイページ', async () => {
  const me = await browser(ids.c1);
  const my = await me.get('/my');
  assert.match(my.text, /href="\/my\/profile"/);
  const page = await me.get('/my/profile');
  assert.equal(page.status, 200);
  assert.match(page.text, /value="前橋 太郎"/);
  // the page says what the rule says: one of the two ways of contact is needed
  assert.equal((page.text.match(/どちらか1つは必須/g) || []).length, 2);
  const bad = await me.form('/my/profile', { name: '', name_kana: 'まえばし たろう', email: 'not-an-address', phone: '' });
  assert.equal(bad.status, 422);
  assert.match(bad.text, /入力エラー/);
  assert.match(bad.text, /href="#f-name"/);
  assert.match(bad.text, /href="#f-email"/);
  assert.equal((await me.get('/api/v1/me')).json.name, '前橋 太郎', 'a refused form changes nothing');
  const ok = await me.form('/my/profile', { name: '前橋 太一', name_kana: 'まえばし たいち', email: 'taichi@example.jp', phone: '027-222-3333' });
  assert.equal(ok.status, 303, ok.text);
  assert.equal(ok.headers.get('location'), '/my/profile?done=1');
  const now = (await me.get('/api/v1/me')).json;
  assert.equal(now.name, '前橋 太一');
  assert.equal(now.email, 'taichi@example.jp');
  assert.equal(now.phone, '027-222-3333');
  const clear = await me.form('/my/profile', { name: '前橋 太一', name_kana: 'まえばし たいち', email: '', phone: '027-222-3333' });
  assert.equal(clear.status, 303);
  assert.equal((await me.get('/api/v1/me')).json.email, null);
});

// RULE: a citizen can be reached (the same rule and message as sign-up)
test('the details cannot lose both ways of contact: 422 at both fields, on the page and in the API, nothing changed', async () => {
  const me = await browser(ids.c3);
  const set = await me.form('/my/profile', { name: '前橋 三郎', name_kana: 'まえばし さぶろう', email: 'saburo@example.jp', phone: '027-333-4444' });
  assert.equal(set.status, 303, set.text);
  const none = await me.form('/my/profile', { name: '前橋 三朗', name_kana: 'まえばし さぶろう', email: '', phone: '' });
  assert.equal(none.status, 422, none.text.slice(0, 300));
  for (const f of ['email', 'phone']) {
    assert.match(none.text, new RegExp(`href="#f-${f}"`), f);
    assert.match(none.text, new RegExp(`id="f-${f}-error"><span[^>]*>!</span>メールアドレスか電話番号の、どちらかを入力してください。</p>`), f);
  }
  const api = await me.post('/api/v1/me/profile', { email: null, phone: '' });
  assert.equal(api.status, 422, api.text);
  assert.equal(api.json.error.code, 'validation');
  assert.equal(api.json.error.fields.email, 'メールアドレスか電話番号の、どちらかを入力してください。');
  assert.equal(api.json.error.fields.phone, 'メールアドレスか電話番号の、どちらかを入力してください。');
  // one cleared while the other is on file is fine; then clearing the other is not
  const email = await me.post('/api/v1/me/profile', { email: '' });
  assert.equal(email.status, 200, email.text);
  const phone = await me.post('/api/v1/me/profile', { phone: '' });
  assert.equal(phone.status, 422, phone.text);
  const now = (await me.get('/api/v1/me')).json;
  assert.equal(now.name, '前橋 三郎', 'a refused form changes nothing');
  assert.equal(now.email, null);
  assert.equal(now.phone, '027-333-4444');
});

test('staff issue a reset code on a printable slip after checking identity; the code works once', async () => {
  const staff = await browser(ids.staff);
  const form = await staff.get('/counter/reset-code');
  assert.equal(form.status, 200);
  assert.match(form.text, /name="identity"/);
  assert.match((await staff.get('/admin')).text, /href="\/counter\/reset-code"/);
  const noCheck = await staff.form('/counter/reset-code', { system_id: ids.c2 });
  assert.equal(noCheck.status, 422);
  assert.match(noCheck.text, /本人確認をしてから発行してください/);
  const nobody = await staff.form('/counter/reset-code', { system_id: wellFormed(12345678), identity: '1' });
  assert.equal(nobody.status, 404);
  const slip = await staff.form('/counter/reset-code', { system_id: ids.c2, identity: '1' });
  assert.equal(slip.status, 200, slip.text);
  assert.match(slip.text, /前橋 次郎/);
  const code = slip.text.match(/<strong>([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})<\/strong>/)[1];
  assert.ok(/no-store/.test(slip.headers.get('cache-control') || ''));
  const anon = client(srv.base);
  const ok = await anon.post('/api/v1/password-reset/confirm', { system_id: ids.c2, code, password: 'a-brand-new-pass-42' });
  assert.equal(ok.status, 200, ok.text);
  await signIn(srv.base, ids.c2, 'a-brand-new-pass-42');
  const again = await anon.post('/api/v1/password-reset/confirm', { system_id: ids.c2, code, password: 'another-new-pass-43' });
  assert.equal(again.status, 404);
  const trail = await (await signIn(srv.base, ids.admin, PW)).get('/api/v1/audit?action=password');
  assert.ok(trail.json.entries.some((e) => e.action === 'password.reset_code' && e.actor.system_id === ids.staff));
});

test('redeeming counter codes is throttled per account and per address', async () => {
  const staff = await signIn(srv.base, ids.staff, PW);
  const code = (await staff.post(`/api/v1/users/${ids.c3}/reset-code`)).json.code;
  const anon = client(srv.base);
  const attempt = (id, c) => anon.post('/api/v1/password-reset/confirm', { system_id: id, code: c, password: 'throttled-pass-1234' });
  let n = 0, r;
  do { r = await attempt(ids.c3, 'AAAA-BBBB-CCCC'); n++; } while (r.status === 404 && n < 10);
  assert.equal(r.status, 429, r.text);
  assert.ok(n <= 5, `the account's throttle comes first (after ${n})`);
  assert.equal(r.json.error.code, 'rate_limited');
  assert.ok(Number(r.headers.get('retry-after')) > 0);
  assert.equal((await attempt(ids.c3, code)).status, 429, 'even the right code waits: a guesser learns nothing');
  // another account from the same address is not held up by that account's throttle
  const other = await attempt(ids.c1, 'AAAA-BBBB-CCCC');
  assert.equal(other.status, 404);
  // but the address is: at most 10 wrong secrets per 15 minutes
  let m = 0;
  do { r = await attempt(wellFormed(20000000 + m), 'AAAA-BBBB-CCCC'); m++; } while (r.status === 404 && m < 20);
  assert.equal(r.status, 429);
  assert.ok(m <= 10, `after ${m}`);
});

test('admins create staff, change the role and home centre, and set a new password through forms', async () => {
  const admin = await browser(ids.admin);
  const list = await admin.get('/admin/users');
  assert.match(list.text, /href="\/admin\/users\/new"/);
  assert.match(list.text, new RegExp(`href="/admin/users/${ids.staff}"`));
  assert.equal((await admin.get('/admin/users/new')).status, 200);
  const bad = await admin.form('/admin/users', { name: '新人 職員', role: 'staff', center: '', password: 'short', email: '' });
  assert.equal(bad.status, 422);
  assert.match(bad.text, /入力エラー/);
  const made = await admin.form('/admin/users', { name: '新人 職員', role: 'staff', center: 'haga', password: 'new-staff-pass-001', email: '' });
  assert.equal(made.status, 303, made.text);
  const loc = made.headers.get('location');
  const id = loc.match(/^\/admin\/users\/(\d{9})\?done=created$/)[1];
  const page = await admin.get(loc);
  assert.match(page.text, /登録しました/);
  assert.match(page.text, /新人 職員/);
  await signIn(srv.base, id, 'new-staff-pass-001');

  const role = await admin.form(`/admin/users/${id}/role`, { role: 'admin', center: '' });
  assert.equal(role.status, 303, role.text);
  const users = (await admin.get('/api/v1/users?role=admin')).json.users;
  assert.ok(users.some((u) => u.system_id === id && u.center === null));
  const badRole = await admin.form(`/admin/users/${id}/role`, { role: 'emperor', center: '' });
  assert.equal(badRole.status, 422);

  const weak = await admin.form(`/admin/users/${id}/password`, { password: 'x' });
  assert.equal(weak.status, 422);
  const pw = await admin.form(`/admin/users/${id}/password`, { password: 'reset-by-admin-0042' });
  assert.equal(pw.status, 303);
  await signIn(srv.base, id, 'reset-by-admin-0042');
  assert.equal((await admin.get(`/admin/users/${ids.c1}`)).status, 404, 'citizens are not managed here');
  const staff = await browser(ids.staff);
  assert.equal((await staff.get('/admin/users/new')).status, 403);

  // the list speaks Japanese: roles and home centres by name, not their codes
  const named = await admin.get('/admin/users?role=staff');
  assert.match(named.text, /<td>職員<\/td><td>[^<]*公民館<\/td>/);
  assert.doesNotMatch(named.text, /<td>(staff|citizen|haga)<\/td>/);
  // stopping asks first: the list's button changes nothing by itself
  const ask = await admin.form(`/admin/users/${id}/disable`, {});
  assert.equal(ask.status, 200);
  assert.match(ask.text, /新人 職員 さん \(利用者番号 \d{9}\) を停止しますか/);
  assert.match(ask.text, /name="confirm" value="1"/);
  await signIn(srv.base, id, 'reset-by-admin-0042');
  const sure = await admin.form(`/admin/users/${id}/disable`, { confirm: '1' });
  assert.equal(sure.status, 303);
  assert.equal(sure.headers.get('location'), '/admin/users?done=disabled');
  assert.equal((await client(srv.base).post('/api/v1/session', { system_id: id, password: 'reset-by-admin-0042' })).status, 401);
  // no 停止する on one's own row: it could only fail
  const mine = await admin.get('/admin/users?role=admin');
  assert.doesNotMatch(mine.text, new RegExp(`action="/admin/users/${ids.admin}/disable"`));
  // a refusal of the state (409) is titled as one, not as a slot already booked
  const self = await admin.post(`/admin/users/${ids.admin}/disable`,
    new URLSearchParams({ csrf_token: admin.csrf, confirm: '1' }).toString(), { ...FORM, Accept: 'text/html' });
  assert.equal(self.status, 409);
  assert.match(self.text, /<h1>いまの状態では、この操作はできません<\/h1>/);
  assert.match(self.text, /自分のアカウントは停止できません/);
});
