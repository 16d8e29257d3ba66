// 利用者の登録 (窓口): a clerk registers a citizen who has no internet or
// phone (/counter/register; docs/counter.md). The slip shows the new
// 利用者番号 and a one-time code; the clerk stays signed in as themself; the
// citizen sets a password with the code and signs in. The same checks as the
// online sign-up, nothing stored on a refusal; citizens get 403; a reload of
// the slip (the same form key) shows the same slip and makes no second
// account; counter hours apply. A clerk's POST /api/v1/accounts without a
// password is the same registration.
//
// Two servers on copies of one database: Wednesday 2026-04-08 10:00 (the
// counter open, 8:30-17:15) and 17:40 the same day (closed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { client, addUser, signIn, browserSession, fromTemplate } from './harness.mjs';

const OPEN = '2026-04-08T10:00:00+09:00';
const CLOSED = '2026-04-08T17:40:00+09:00';
const PW = 'counter-register-pass-1';
const HTML = { Accept: 'text/html' };
let srv, ids, staff, admin;

const withAccounts = fromTemplate({ now: OPEN }, async (s) => ({
  staff: await addUser(s.db, { role: 'staff', name: '窓口 登録係', center: 'chuo', password: PW }),
  admin: await addUser(s.db, { role: 'admin', name: '管理 登録係', password: PW }),
  citizen: await addUser(s.db, { role: 'citizen', name: '前橋 既存', password: PW }),
  analyst: await addUser(s.db, { role: 'analyst', name: '分析 登録係', password: PW }),
}));

function sql(db, q) {
  const r = spawnSync('sqlite3', [db, q], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}
const accounts = (db) => Number(sql(db, "SELECT count(*) FROM accounts WHERE role = 'citizen'"));

const PERSON = { name: '赤城 ふみ', name_kana: 'あかぎ ふみ', phone: '027-231-0001', resident: '1', identity: '1' };

// The form's key, from the form page.
async function formKey(who) {
  const page = await who.get('/counter/register', HTML);
  assert.equal(page.status, 200, page.text.slice(0, 300));
  return page.text.match(/name="idempotency_key" value="([0-9a-f]{32})"/)[1];
}
// What a slip shows: the 利用者番号 (digits only) and the code.
function slipOf(text) {
  const id = text.match(/id="slip-system-id"><strong>([\d ]+)<\/strong>/);
  const code = text.match(/id="slip-code"><strong>([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})<\/strong>/);
  return { id: id && id[1].replace(/ /g, ''), code: code && code[1] };
}

before(async () => {
  ({ srv, data: ids } = await withAccounts());
  staff = await browserSession(srv.base, ids.staff, PW);
  admin = await browserSession(srv.base, ids.admin, PW);
});
after(async () => { await srv.stop(); });

test('a clerk registers a citizen: the slip shows the 利用者番号 and a code; the clerk stays signed in; the code sets the password', async () => {
  const before = accounts(srv.db);
  const key = await formKey(staff);
  const r = await staff.postForm('/counter/register', { ...PERSON, idempotency_key: key });
  assert.equal(r.status, 200, r.text.slice(0, 600));
  const slip = slipOf(r.text);
  assert.match(slip.id, /^\d{9}$/);
  assert.ok(slip.code, 'the one-time code is on the slip');
  assert.match(r.text, /利用者番号のお知らせ/);
  assert.match(r.text, /赤城 ふみ 様/);
  assert.match(r.text, /2026年5月8日（金）10:00 まで/, 'the code is valid 30 days');
  assert.match(r.headers.get('cache-control') || '', /no-store/);
  assert.equal(r.headers.get('set-cookie'), null, 'no session of the new citizen');
  assert.equal(accounts(srv.db), before + 1);
  // the slip leads on to this person's 代理の予約, the 利用者番号 filled in
  assert.match(r.text, new RegExp(`href="/counter/book\\?on_behalf_of=${slip.id}">この人の代理の予約へ`));
  const behalf = await staff.get(`/counter/book?on_behalf_of=${slip.id}`, HTML);
  assert.match(behalf.text, new RegExp(`name="on_behalf_of"[^>]*value="${slip.id}"`));
  assert.doesNotMatch((await staff.get('/counter/book?on_behalf_of=123456789', HTML)).text,
    /name="on_behalf_of"[^>]*value="123456789"/, 'a number with a wrong check digit is not filled in');
  // the online sign-up form is no way round: a clerk's post there is refused, the clerk stays the clerk
  const around = await staff.postForm('/register', { name: '回り道 たろう', name_kana: 'まわりみち たろう', phone: '027-231-0009',
    password: 'a-long-new-password-9' });
  assert.equal(around.status, 403, around.text.slice(0, 300));
  assert.match(around.text, /利用者の登録 \(窓口\)/);
  assert.equal(around.headers.get('set-cookie'), null);
  assert.equal(accounts(srv.db), before + 1, 'nothing stored');
  // the clerk is still the clerk
  assert.equal((await staff.get('/counter', HTML)).status, 200);
  const me = await staff.get('/api/v1/me');
  assert.equal(me.json.system_id, ids.staff);
  assert.equal(me.json.role, 'staff');
  // the account: the details as typed, no password yet
  const row = sql(srv.db, `SELECT name, name_kana, phone, email IS NULL, resident, registered_by FROM accounts WHERE id = ${slip.id}`);
  assert.equal(row, `赤城 ふみ|あかぎ ふみ|027-231-0001|1|1|${ids.staff}`);
  const anon = client(srv.base);
  assert.equal((await anon.post('/api/v1/session', { system_id: slip.id, password: 'anything-at-all-1' })).status, 401);
  // the citizen sets a password with the code, then signs in
  const set = await anon.post('/api/v1/password-reset/confirm', { system_id: slip.id, code: slip.code, password: 'akagi-no-yama-2026' });
  assert.equal(set.status, 200, set.text);
  const citizen = await signIn(srv.base, slip.id, 'akagi-no-yama-2026');
  const cme = await citizen.get('/api/v1/me');
  assert.equal(cme.json.role, 'citizen');
  assert.equal(cme.json.name, '赤城 ふみ');
  assert.equal((await anon.post('/api/v1/password-reset/confirm', { system_id: slip.id, code: slip.code, password: 'another-pass-2026' })).status, 404, 'the code works once');
  // the audit trail: account.create by the clerk; the usage log: channel counter
  const a = await signIn(srv.base, ids.admin, PW);
  const trail = await a.get('/api/v1/audit?action=account');
  const entry = trail.json.entries.find((e) => e.action === 'account.create' && e.subject === slip.id);
  assert.ok(entry, JSON.stringify(trail.json.entries));
  assert.equal(entry.actor.system_id, ids.staff, 'the clerk as actor');
  assert.equal(entry.detail.channel, 'counter');
  const log = await a.get('/api/v1/events?from=2026-04-08&to=2026-04-08');
  const made = log.text.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.action === 'account.create' && e.channel === 'counter');
  assert.equal(made.length, 1, log.text);
  assert.equal(made[0].actor_role, 'staff');
  assert.equal(made[0].center, 'chuo', 'at the clerk\'s centre');
});

test('a reload of the slip (the same form key) shows the same slip and makes no second account', async () => {
  const key = await formKey(staff);
  const person = { ...PERSON, name: '榛名 さと', name_kana: 'はるな さと', phone: '027-231-0002' };
  const first = await staff.postForm('/counter/register', { ...person, idempotency_key: key });
  assert.equal(first.status, 200, first.text.slice(0, 400));
  const count = accounts(srv.db);
  const again = await staff.postForm('/counter/register', { ...person, idempotency_key: key });
  assert.equal(again.status, 200, again.text.slice(0, 400));
  assert.deepEqual(slipOf(again.text), slipOf(first.text), 'the same number and the same code');
  assert.match(again.text, /この登録は受け付け済みです/);
  assert.equal(accounts(srv.db), count, 'no second account');
  assert.equal(sql(srv.db, `SELECT count(*) FROM password_resets WHERE account_id = ${slipOf(first.text).id}`), '1', 'no second code');
  // the same key with other details: 409, nothing made, the form with a fresh key
  const other = await staff.postForm('/counter/register', { ...person, name: '榛名 さち', idempotency_key: key });
  assert.equal(other.status, 409, other.text.slice(0, 400));
  assert.match(other.text, /別の内容の利用者をすでに登録しました/);
  assert.match(other.text, /value="榛名 さち"/, 'what was typed is kept');
  const fresh = other.text.match(/name="idempotency_key" value="([0-9a-f]{32})"/)[1];
  assert.notEqual(fresh, key);
  assert.equal(accounts(srv.db), count);
  // once the person set a password, a reload says the code was used, and shows no code
  const { id, code } = slipOf(first.text);
  assert.equal((await client(srv.base).post('/api/v1/password-reset/confirm', { system_id: id, code, password: 'haruna-ko-2026' })).status, 200);
  const used = await staff.postForm('/counter/register', { ...person, idempotency_key: key });
  assert.equal(used.status, 200);
  assert.equal(slipOf(used.text).id, id);
  assert.equal(slipOf(used.text).code, null);
  assert.match(used.text, /使用済み/);
  assert.equal(sql(srv.db, `SELECT count(*) FROM password_resets WHERE sealed_code IS NOT NULL AND account_id = ${id}`), '0',
    'the sealed copy goes with the use');
  // another clerk's post with that key is their own: a new account, not this slip
  const k2 = await admin.postForm('/counter/register', { ...person, phone: '027-231-0003', idempotency_key: key });
  assert.equal(k2.status, 200, k2.text.slice(0, 300));
  assert.notEqual(slipOf(k2.text).id, id);
});

test('the same checks as the online sign-up: every error at its field, what was typed kept, nothing stored', async () => {
  const count = accounts(srv.db);
  const key = await formKey(staff);
  const r = await staff.postForm('/counter/register', { name: ' ', name_kana: 'Akagi', phone: '', email: 'akagi@@example', idempotency_key: key });
  assert.equal(r.status, 422, r.text.slice(0, 400));
  assert.match(r.text, /<title>入力エラー: /);
  for (const f of ['name', 'name_kana', 'email', 'identity'])
    assert.match(r.text, new RegExp(`href="#f-${f}"`), `${f} in the error summary`);
  assert.match(r.text, /id="f-name-error"><span[^>]*>!<\/span>氏名を入力してください。<\/p>/);
  assert.match(r.text, /ひらがなかカタカナ/);
  assert.match(r.text, /本人確認書類で本人であることを確かめてから、登録してください。/);
  assert.match(r.text, /value="Akagi"/, 'what was typed is kept');
  assert.match(r.text, new RegExp(`name="idempotency_key" value="${key}"`), 'the same key: nothing was made with it');
  assert.doesNotMatch(r.text, /name="password"/, 'no password on this form');
  // no contact at all: the sign-up's rule, at both fields
  const none = await staff.postForm('/counter/register', { name: '妙義 たけ', name_kana: 'みょうぎ たけ', identity: '1', idempotency_key: key });
  assert.equal(none.status, 422);
  for (const f of ['email', 'phone'])
    assert.match(none.text, new RegExp(`id="f-${f}-error"><span[^>]*>!</span>メールアドレスか電話番号の、どちらかを入力してください。</p>`));
  // all right but the identity not checked: refused at that field alone
  const { identity, ...unticked } = PERSON;
  assert.equal(identity, '1');
  const unchecked = await staff.postForm('/counter/register', { ...unticked, name: '妙義 たけ', idempotency_key: key });
  assert.equal(unchecked.status, 422);
  assert.match(unchecked.text, /href="#f-identity"/);
  assert.doesNotMatch(unchecked.text, /href="#f-name"/);
  // a password sent along is no clerk's to give: dropped, and the account has none
  const withPw = await staff.postForm('/counter/register', { ...PERSON, name: '妙義 たけ', phone: '027-231-0004',
    password: 'clerk-typed-pass-1', idempotency_key: key });
  assert.equal(withPw.status, 200, withPw.text.slice(0, 300));
  const id = slipOf(withPw.text).id;
  assert.equal((await client(srv.base).post('/api/v1/session', { system_id: id, password: 'clerk-typed-pass-1' })).status, 401);
  assert.equal(accounts(srv.db), count + 1, 'only the last post made an account');
  // a key that is not one of ours
  const bad = await staff.postForm('/counter/register', { ...PERSON, name: '妙義 みね', idempotency_key: 'x'.repeat(200) });
  assert.equal(bad.status, 400);
  assert.equal(accounts(srv.db), count + 1);
});

test('citizens and analysts get 403; the counter links to the page, and 代理の予約 sends there who has no number', async () => {
  const citizen = await browserSession(srv.base, ids.citizen, PW);
  const count = accounts(srv.db);
  assert.equal((await citizen.get('/counter/register', HTML)).status, 403);
  assert.equal((await citizen.postForm('/counter/register', PERSON)).status, 403);
  const analyst = await browserSession(srv.base, ids.analyst, PW);
  assert.equal((await analyst.postForm('/counter/register', PERSON)).status, 403);
  assert.equal((await client(srv.base).get('/counter/register')).status, 401);
  // a citizen without a password through the API: the sign-up, which needs one
  const api = await signIn(srv.base, ids.citizen, PW);
  const r = await api.post('/api/v1/accounts', { name: '前橋 次', name_kana: 'まえばし つぎ', phone: '027-231-0005' });
  assert.equal(r.status, 422);
  assert.match(r.json.error.fields.password, /パスワードを入力/);
  assert.equal(accounts(srv.db), count);
  assert.match((await staff.get('/counter?center=chuo', HTML)).text, /href="\/counter\/register"/);
  assert.match((await staff.get('/admin', HTML)).text, /href="\/counter\/register"/);
  const book = await staff.get('/counter/book?center=chuo', HTML);
  assert.match(book.text, /利用者番号がない人は、先に<a href="\/counter\/register">利用者の登録 \(窓口\)<\/a>をしてください。/);
  const reg = (await staff.get('/register', HTML)).text;
  assert.match(reg, /id="desk-register"/, '/register tells a clerk where to go');
  assert.doesNotMatch(reg, /action="\/register"/, 'and offers no form that would be refused');
  assert.doesNotMatch((await client(srv.base).get('/register', HTML)).text, /id="desk-register"/);
});

test('a clerk\'s POST /api/v1/accounts without a password: the same registration, with the code', async () => {
  const s = await signIn(srv.base, ids.staff, PW);
  const r = await s.post('/api/v1/accounts', { name: '利根 はる', name_kana: 'とね はる', email: 'tone@example.jp', resident: true });
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.system_id, /^\d{9}$/);
  assert.match(r.json.code, /^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  assert.equal(r.json.expires_at, '2026-05-08T10:00:00+09:00');
  const set = await client(srv.base).post('/api/v1/password-reset/confirm', { system_id: r.json.system_id, code: r.json.code, password: 'tonegawa-2026-pass' });
  assert.equal(set.status, 200, set.text);
  await signIn(srv.base, r.json.system_id, 'tonegawa-2026-pass');
  // the sign-up's checks
  const bad = await s.post('/api/v1/accounts', { name: '利根 なつ' });
  assert.equal(bad.status, 422);
  assert.equal(bad.json.error.code, 'validation');
  assert.match(bad.json.error.fields.name_kana, /ふりがなを入力/);
  assert.match(bad.json.error.fields.phone, /どちらか/);
  assert.equal(bad.json.error.fields.password, undefined, 'no password asked of a clerk');
});

test('outside counter hours: no form, the post and the API refused with the hours, nothing stored', async () => {
  const { srv: late } = await withAccounts({ now: CLOSED });
  try {
    const clerk = await browserSession(late.base, ids.staff, PW);
    const count = accounts(late.db);
    const page = await clerk.get('/counter/register', HTML);
    assert.equal(page.status, 200);
    assert.match(page.text, /窓口の受付時間外です/);
    assert.doesNotMatch(page.text, /action="\/counter\/register"/, 'no form that would be refused');
    const r = await clerk.postForm('/counter/register', { ...PERSON, idempotency_key: 'a'.repeat(32) });
    assert.equal(r.status, 422, r.text.slice(0, 300));
    assert.match(r.text, /窓口の受付時間外です（2026年4月8日（水）17:40）。窓口の受付は/);
    const api = await (await signIn(late.base, ids.staff, PW)).post('/api/v1/accounts', { name: '利根 あき', name_kana: 'とね あき', phone: '027-231-0006' });
    assert.equal(api.status, 422, api.text);
    assert.equal(api.json.error.code, 'outside_counter_hours');
    assert.equal(accounts(late.db), count);
    // the online sign-up is open all hours
    const self = await client(late.base).post('/api/v1/accounts', { name: '利根 ふゆ', name_kana: 'とね ふゆ', phone: '027-231-0007', password: 'tone-fuyu-2026-pw' });
    assert.equal(self.status, 201, self.text);
  } finally {
    await late.stop();
  }
});
