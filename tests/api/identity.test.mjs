// Identity: accounts and system IDs, sign-in and sessions, CSRF, throttling,
// cookie flags, groups (registration, approval, renewal, co-representatives,
// the public list), the request gate on a JSON route, and what the database
// file holds. Password hashing is slow under ASan: accounts are few.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { start, client, addUser, signIn } from './harness.mjs';

const NOW = '2026-04-08T10:00:00+09:00';
let srv, anon, staff, admin, hanako, taro, hanakoId, taroId, staffId;

// The textbook Luhn check over a digit string.
function luhnOk(s) {
  let sum = 0;
  for (let i = 0; i < s.length; i++) {
    let d = Number(s[s.length - 1 - i]);
    if (i % 2 === 1) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  }
  return sum % 10 === 0;
}

// An 8-digit payload completed with its Luhn check digit.
function withCheckDigit(payload) {
  for (let d = 0; d < 10; d++) if (luhnOk(payload + d)) return payload + d;
  throw new Error('unreachable');
}

// The same ID with its last digit changed: a typo the check digit catches.
const typo = (id) => id.slice(0, 8) + String((Number(id[8]) + 1) % 10);

// Every byte the database keeps, main file and WAL, as one buffer.
function dbBytes(dir) {
  return Buffer.concat(readdirSync(dir).filter((f) => f.startsWith('k.db'))
    .map((f) => readFileSync(join(dir, f))));
}
const dbHas = (dir, text) => dbBytes(dir).includes(Buffer.from(text, 'utf8'));

async function signUp(api, body) {
  const r = await api.post('/api/v1/accounts', body);
  assert.equal(r.status, 201, r.text);
  return r.json.system_id;
}

before(async () => {
  srv = await start({ now: NOW });
  anon = client(srv.base);
  staffId = await addUser(srv.db, { role: 'staff', name: '窓口 職員', center: 'chuo', password: 'staff-password-1' });
  const adminId = await addUser(srv.db, { role: 'admin', name: '管理 者', password: 'admin-password-1' });
  hanakoId = await signUp(anon, { name: '前橋 花子', name_kana: 'まえばし はなこ', email: 'hanako@example.jp',
    phone: '027-123-4567', password: 'hanako-password-1', resident: true });
  taroId = await signUp(anon, { name: '赤城 太郎', name_kana: 'アカギ タロウ', phone: '090-1234-5678',
    password: 'taro-password-12' });
  staff = await signIn(srv.base, staffId, 'staff-password-1');
  admin = await signIn(srv.base, adminId, 'admin-password-1');
  hanako = await signIn(srv.base, hanakoId, 'hanako-password-1');
  taro = await signIn(srv.base, taroId, 'taro-password-12');
});
after(async () => { await srv.stop(); });

// ------------------------------------------------------------ accounts

test('sign-up gives a random 9-digit system ID ending in a Luhn check digit', async () => {
  for (const id of [hanakoId, taroId, staffId]) {
    assert.match(id, /^[1-9]\d{8}$/);
    assert.ok(luhnOk(id), id);
  }
  assert.notEqual(Math.abs(Number(hanakoId) - Number(taroId)), 10, 'not counted up');
});

test('sign-up validation: a Japanese message per field, and nothing stored', async () => {
  const marker = '検証用マーカー氏名';
  const r = await anon.post('/api/v1/accounts', { name: marker, name_kana: 'Maebashi',
    email: 'not-an-address', phone: '027-12X-4567', password: 'short', resident: 'maybe' });
  assert.equal(r.status, 422);
  assert.equal(r.json.error.code, 'validation');
  assert.equal(r.headers.get('cache-control'), 'no-store');
  const f = r.json.error.fields;
  assert.match(f.name_kana, /ひらがなかカタカナ/);
  assert.match(f.email, /メールアドレス/);
  assert.match(f.phone, /数字とハイフン/);
  assert.match(f.password, /12文字以上/);
  assert.ok(f.resident);
  assert.equal(f.name, undefined, 'the name itself was fine');
  const none = await anon.post('/api/v1/accounts', { password: 'long enough password' });
  assert.equal(none.status, 422);
  assert.match(none.json.error.fields.name, /氏名を入力/);
  assert.match(none.json.error.fields.phone, /どちらか/);
  const long = await anon.post('/api/v1/accounts', { name: marker, name_kana: 'まえばし',
    phone: '0271234567', password: 'x'.repeat(129) });
  assert.equal(long.status, 422);
  assert.match(long.json.error.fields.password, /128文字以内/);
  assert.equal(dbHas(srv.dir, marker), false, 'a refused sign-up left its name in the database');
  assert.equal(dbHas(srv.dir, '前橋 花子'), true, 'the scan does see what is stored');
});

// ------------------------------------------------------------- sign-in

test('sign-in returns token, CSRF token, ID and role, and sets the session cookie', async () => {
  const r = await anon.post('/api/v1/session', { system_id: hanakoId, password: 'hanako-password-1' });
  assert.equal(r.status, 200);
  assert.match(r.json.token, /^[A-Za-z0-9_-]{43}$/);
  assert.match(r.json.csrf_token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(r.json.system_id, hanakoId);
  assert.equal(r.json.role, 'citizen');
  assert.equal(r.json.idle_timeout, 7200);
  assert.equal(r.json.expires_at, '2026-04-09T10:00:00+09:00');
  assert.equal(r.headers.get('cache-control'), 'no-store');
  const cookie = r.headers.get('set-cookie');
  assert.match(cookie, new RegExp(`^kominkan_session=${r.json.token};`));
  assert.match(cookie, /; HttpOnly/);
  assert.match(cookie, /; SameSite=Lax/);
  assert.match(cookie, /; Path=\//);
  assert.doesNotMatch(cookie, /Secure/, 'Secure only with --secure-cookies');
  assert.equal(staff.session.idle_timeout, 1800, 'staff sessions idle out sooner');
});

test('a wrong password or an unknown ID is 401; a mistyped ID says so', async () => {
  const wrong = await anon.post('/api/v1/session', { system_id: taroId, password: 'taro-password-13' });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.json.error.code, 'unauthorized');
  assert.equal(wrong.headers.get('www-authenticate'), 'Bearer');
  const unknown = await anon.post('/api/v1/session', { system_id: '123456782', password: 'taro-password-12' });
  assert.equal(unknown.status, 401);
  assert.equal(unknown.json.error.message, wrong.json.error.message, 'the same answer: IDs do not leak');
  const mistyped = await anon.post('/api/v1/session', { system_id: typo(taroId), password: 'taro-password-12' });
  assert.equal(mistyped.status, 422);
  assert.match(mistyped.json.error.fields.system_id, /確認用の数字/);
  const spaced = await anon.post('/api/v1/session',
    { system_id: `${taroId.slice(0, 3)}-${taroId.slice(3, 6)} ${taroId.slice(6)}`, password: 'taro-password-12' });
  assert.equal(spaced.status, 200, 'hyphens and spaces as people write them');
  const missing = await anon.post('/api/v1/session', { system_id: taroId });
  assert.equal(missing.status, 422);
  assert.ok(missing.json.error.fields.password);
});

test('GET /me: who I am, my groups, and the CSRF token; anonymous is 401', async () => {
  const r = await hanako.get('/api/v1/me');
  assert.equal(r.status, 200);
  assert.equal(r.json.system_id, hanakoId);
  assert.equal(r.json.name, '前橋 花子');
  assert.equal(r.json.role, 'citizen');
  assert.ok(Array.isArray(r.json.groups));
  assert.equal(r.headers.get('cache-control'), 'no-store');
  const s = await staff.get('/api/v1/me');
  assert.equal(s.json.role, 'staff');
  assert.equal(s.json.home_center, 'chuo');
  const a = await anon.get('/api/v1/me');
  assert.equal(a.status, 401);
  assert.equal(a.json.error.code, 'unauthorized');
  const bogus = await client(srv.base, { token: 'A'.repeat(43) }).get('/api/v1/me');
  assert.equal(bogus.status, 401);
});

// ----------------------------------------------------------------- CSRF

test('CSRF: a cookie without the token is refused, with it accepted, bearer needs none', async () => {
  const c = await signIn(srv.base, taroId, 'taro-password-12', { cookie: true });
  const body = { name: '赤城山歩きの会', name_kana: 'あかぎやまあるきのかい', members: 3, resident_members: 2 };
  const bare = client(srv.base, { cookie: c.cookie });
  const refused = await bare.post('/api/v1/groups', body);
  assert.equal(refused.status, 403);
  assert.equal(refused.json.error.code, 'forbidden');
  const forged = await client(srv.base, { cookie: c.cookie, csrf: 'x'.repeat(43) }).post('/api/v1/groups', body);
  assert.equal(forged.status, 403);
  const other = await client(srv.base, { cookie: c.cookie, csrf: hanako.session.csrf_token }).post('/api/v1/groups', body);
  assert.equal(other.status, 403, 'another session\'s token does not fit');
  const me = await bare.get('/api/v1/me');
  assert.equal(me.status, 200, 'reading needs no token');
  assert.equal(me.json.csrf_token, c.csrf);
  const ok = await c.post('/api/v1/groups', body);
  assert.equal(ok.status, 201, ok.text);
  const field = await bare.post('/api/v1/groups', { ...body, csrf_token: c.csrf });
  assert.equal(field.status, 201, 'the csrf_token body field works like the header');
  const bearer = await taro.post('/api/v1/groups', body);
  assert.equal(bearer.status, 201, 'bearer requests carry no CSRF token');
  const out = await bare.del('/api/v1/session');
  assert.equal(out.status, 403, 'signing out by cookie needs the token too');
});

test('sign-out ends the session and removes the cookie', async () => {
  const c = await signIn(srv.base, taroId, 'taro-password-12', { cookie: true });
  const r = await c.del('/api/v1/session');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { status: 'signed_out' });
  assert.match(r.headers.get('set-cookie'), /^kominkan_session=; Path=\/; Max-Age=0; HttpOnly; SameSite=Lax$/);
  const after = await c.get('/api/v1/me');
  assert.equal(after.status, 401);
  const pub = await c.get('/api/v1/centers');
  assert.equal(pub.status, 200, 'a stale cookie on a public page is simply anonymous');
  const t = await signIn(srv.base, taroId, 'taro-password-12');
  assert.equal((await t.del('/api/v1/session')).status, 200);
  assert.equal((await t.get('/api/v1/me')).status, 401);
  assert.equal((await anon.del('/api/v1/session')).status, 401);
});

// --------------------------------------------------------------- groups

const TANKA = { name: '前橋短歌の会', name_kana: 'まえばしたんかのかい', members: 4, resident_members: 3,
  activity: '短歌の創作と批評', public_listing: true };

test('registration follows the rule book: residency and minimum members', async () => {
  // 半数以上 (the working group's words): a quarter is refused; exactly half is enough (below)
  const half = await hanako.post('/api/v1/groups', { ...TANKA, resident_members: 1 });
  assert.equal(half.status, 422);
  assert.equal(half.json.error.code, 'residency_requirement');
  assert.match(half.json.error.message, /2人以上/);
  assert.match(half.json.error.message, /半数以上であること/);
  const even = await taro.post('/api/v1/groups', { ...TANKA, name: '半数の会', members: 4, resident_members: 2 });
  assert.equal(even.status, 201, `exactly half is 半数以上: ${even.text}`);
  const one = await hanako.post('/api/v1/groups', { ...TANKA, members: 1, resident_members: 1 });
  assert.equal(one.json.error.code, 'residency_requirement');
  const bad = await hanako.post('/api/v1/groups', { name: '', name_kana: 'tanka', members: 0, resident_members: 'x' });
  assert.equal(bad.status, 422);
  assert.equal(bad.json.error.code, 'validation');
  for (const k of ['name', 'name_kana', 'members', 'resident_members']) assert.ok(bad.json.error.fields[k], k);
  const byStaff = await staff.post('/api/v1/groups', TANKA);
  assert.equal(byStaff.status, 403, 'groups are registered by citizens');
  const byAnon = await anon.post('/api/v1/groups', TANKA);
  assert.equal(byAnon.status, 401);
});

// Route attack: "public_listing":"yes" was taken as true while the number 1
// was refused. A JSON body says yes or no with true or false, nothing else;
// only a form's checkbox ("1", "on") is text (forms.test.mjs).
test('boolean members of a JSON body are true or false only: "yes", "1", 1 are 422, nothing stored', async () => {
  const before = (await hanako.get('/api/v1/me')).json.groups.length;
  for (const v of ['yes', '1', 'true', 'on', 1, 0, '']) {
    const r = await hanako.post('/api/v1/groups', { ...TANKA, name: '真偽の会', public_listing: v });
    assert.equal(r.status, 422, `public_listing ${JSON.stringify(v)}: ${r.text}`);
    assert.equal(r.json.error.code, 'validation');
    assert.match(r.json.error.fields.public_listing, /true か false/);
  }
  assert.equal((await hanako.get('/api/v1/me')).json.groups.length, before, 'no group stored');
  for (const v of ['yes', 1]) {
    const r = await staff.post('/api/v1/accounts', { name: '真偽 一郎', name_kana: 'しんぎ いちろう',
      phone: '027-222-3333', password: 'shingi-password-1', resident: v });
    assert.equal(r.status, 422, `resident ${JSON.stringify(v)}: ${r.text}`);
    assert.match(r.json.error.fields.resident, /true か false/);
  }
  const ok = await hanako.post('/api/v1/groups', { ...TANKA, name: '真偽の会', public_listing: false });
  assert.equal(ok.status, 201, ok.text);
});

test('a group name that is not text says so, not that it is too long', async () => {
  const r = await hanako.post('/api/v1/groups', { ...TANKA, name: ['a'], name_kana: 7, activity: { x: 1 } });
  assert.equal(r.status, 422, r.text);
  assert.match(r.json.error.fields.name, /団体名は文字で/);
  assert.match(r.json.error.fields.name_kana, /文字で/);
  assert.match(r.json.error.fields.activity, /文字で/);
  const p = await staff.post('/api/v1/accounts', { name: 12, name_kana: 'なまえ', phone: '027-222-3334', password: 'shingi-password-2' });
  assert.equal(p.status, 422, p.text);
  assert.match(p.json.error.fields.name, /氏名は文字で/);
});

test('the whole life of a group: register, approve, see, renew, co-representatives, list', async () => {
  const reg = await hanako.post('/api/v1/groups', TANKA);
  assert.equal(reg.status, 201, reg.text);
  const id = reg.json.id;
  assert.match(id, /^[1-9]\d{8}$/);
  assert.ok(luhnOk(id));
  assert.equal(reg.json.status, 'pending');
  assert.equal(reg.json.representative.system_id, hanakoId);

  // another citizen cannot tell it exists; nor can anyone with a made-up ID
  for (const path of [`/api/v1/groups/${id}`, '/api/v1/groups/123456782', '/api/v1/groups/nonsense',
    `/api/v1/groups/${typo(id)}`]) {
    const r = await taro.get(path);
    assert.equal(r.status, 404, path);
    assert.equal(r.json.error.code, 'not_found');
  }
  assert.equal((await taro.post(`/api/v1/groups/${id}/renew`, { members: 5, resident_members: 3 })).status, 404);
  assert.equal((await taro.post(`/api/v1/groups/${id}/representatives`, { system_id: taroId })).status, 404);

  // staff see the pending list; citizens may not
  const pending = await staff.get('/api/v1/groups?status=pending');
  assert.equal(pending.status, 200);
  const row = pending.json.groups.find((g) => g.id === id);
  assert.ok(row);
  assert.equal(row.application, 'new');
  assert.equal((await hanako.get('/api/v1/groups?status=pending')).status, 403);
  assert.equal((await staff.get('/api/v1/groups?status=whatever')).status, 422);
  assert.equal((await hanako.post(`/api/v1/groups/${id}/approve`)).status, 403);

  // approval: valid at every centre until the fiscal year end
  const ok = await staff.post(`/api/v1/groups/${id}/approve`);
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.id, id);
  assert.equal(ok.json.status, 'approved');
  assert.equal(ok.json.valid_until, '2027-03-31');
  assert.equal(ok.json.valid, true);
  const again = await admin.post(`/api/v1/groups/${id}/approve`);
  assert.equal(again.status, 409);
  assert.equal((await staff.post('/api/v1/groups/123456782/approve')).status, 404);
  const approvedList = await admin.get('/api/v1/groups?status=approved');
  assert.ok(approvedList.json.groups.some((g) => g.id === id));

  const mine = await hanako.get('/api/v1/me');
  const g = mine.json.groups.find((x) => x.id === id);
  assert.deepEqual(g, { id, name: '前橋短歌の会', status: 'approved', valid_until: '2027-03-31', valid: true, role: 'representative' });

  // co-representatives are invited by system ID; a mistyped one says so, an
  // unknown one is answered like any other (tests/api/security.test.mjs)
  const typoed = await hanako.post(`/api/v1/groups/${id}/representatives`, { system_id: typo(taroId) });
  assert.equal(typoed.status, 422);
  assert.match(typoed.json.error.fields.system_id, /確認用の数字/);
  const nobody = await hanako.post(`/api/v1/groups/${id}/representatives`, { system_id: '123456782' });
  assert.equal(nobody.status, 202);
  const co = await hanako.post(`/api/v1/groups/${id}/representatives`, { system_id: taroId });
  assert.equal(co.status, 202, co.text);
  assert.equal(co.json.status, 'invited');
  assert.equal((await taro.get(`/api/v1/groups/${id}`)).status, 404, 'not before accepting');
  const acc = await taro.post(`/api/v1/invitations/${id}/accept`);
  assert.equal(acc.status, 200, acc.text);
  assert.deepEqual(acc.json.co_representatives.map((p) => p.system_id), [taroId]);
  const seen = await taro.get(`/api/v1/groups/${id}`);
  assert.equal(seen.status, 200);
  assert.equal(seen.json.my_role, 'co_representative');
  const naming = await taro.post(`/api/v1/groups/${id}/representatives`, { system_id: staffId });
  assert.equal(naming.status, 403, 'only the representative names co-representatives');
  assert.equal((await hanako.del(`/api/v1/groups/${id}/representatives/123456782`)).status, 200,
    'an open invitation can be withdrawn');

  // renewal: 409 while nothing to renew yet for next year? no: March is fine, and
  // here (April) the approval runs to 2027-03-31, so a renewal may be filed now
  const ren = await taro.post(`/api/v1/groups/${id}/renew`, { members: 6, resident_members: 4 });
  assert.equal(ren.status, 200, ren.text);
  assert.equal(ren.json.status, 'approved', 'the approval stands while the renewal is reviewed');
  assert.equal(ren.json.renewal.status, 'pending');
  assert.equal((await hanako.post(`/api/v1/groups/${id}/renew`, { members: 6, resident_members: 4 })).status, 409);
  const rlist = await staff.get('/api/v1/groups?status=pending');
  assert.equal(rlist.json.groups.find((x) => x.id === id).application, 'renewal');
  const renewed = await staff.post(`/api/v1/groups/${id}/approve`, {});
  assert.equal(renewed.json.valid_until, '2028-03-31');
  assert.equal(renewed.json.members, 6);
  const twice = await hanako.post(`/api/v1/groups/${id}/renew`, { members: 6, resident_members: 4 });
  assert.equal(twice.status, 409);
  assert.match(twice.json.error.message, /2028-03-31/);
  const poor = await hanako.post(`/api/v1/groups/${id}/renew`, { members: 6, resident_members: 3 });
  assert.equal(poor.status, 409, 'already renewed wins over the figures');

  // stepping down
  const down = await taro.del(`/api/v1/groups/${id}/representatives/${taroId}`);
  assert.equal(down.status, 200);
  assert.equal((await taro.get(`/api/v1/groups/${id}`)).status, 404);
  assert.equal((await hanako.del(`/api/v1/groups/${id}/representatives/${taroId}`)).status, 404);

  // the public list shows it, with nothing about persons
  const pub = await anon.get('/api/v1/groups/public');
  assert.equal(pub.status, 200);
  const listed = pub.json.groups.find((x) => x.name === '前橋短歌の会');
  assert.deepEqual(listed, { name: '前橋短歌の会', name_kana: 'まえばしたんかのかい',
    activity: '短歌の創作と批評', centers: [] });
  for (const secret of ['前橋 花子', '赤城 太郎', hanakoId, taroId, 'hanako@example.jp', '027-123-4567'])
    assert.ok(!pub.text.includes(secret), secret);
  const csv = await anon.get('/api/v1/groups/public.csv');
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /^text\/csv; charset=utf-8/);
  const lines = csv.text.replace(/^\uFEFF/, '').split('\r\n');
  assert.equal(lines[0], '団体名,ふりがな,活動内容,利用している公民館');
  assert.ok(lines.includes('"前橋短歌の会","まえばしたんかのかい","短歌の創作と批評",""'), csv.text);
  assert.ok(!csv.text.includes('前橋 花子'));
});

test('rejection needs a reason, reaches the group, and keeps the group off the list', async () => {
  const reg = await hanako.post('/api/v1/groups', { name: '非公開の会', name_kana: 'ひこうかいのかい',
    members: 2, resident_members: 2, public_listing: false });
  const id = reg.json.id;
  const noReason = await staff.post(`/api/v1/groups/${id}/reject`, {});
  assert.equal(noReason.status, 422);
  assert.ok(noReason.json.error.fields.reason);
  const r = await staff.post(`/api/v1/groups/${id}/reject`, { reason: '活動内容の記入がありません。' });
  assert.equal(r.status, 200);
  assert.equal(r.json.status, 'rejected');
  assert.equal(r.json.reason, '活動内容の記入がありません。');
  const seen = await hanako.get(`/api/v1/groups/${id}`);
  assert.equal(seen.json.reason, '活動内容の記入がありません。');
  assert.equal((await staff.post(`/api/v1/groups/${id}/approve`)).status, 409);
  assert.equal((await hanako.post(`/api/v1/groups/${id}/renew`, { members: 2, resident_members: 2 })).status, 409);
  const pub = await anon.get('/api/v1/groups/public');
  assert.ok(!pub.json.groups.some((x) => x.name === '非公開の会'));
});

// ---------------------------------------------------------------- gate

test('the gate on a JSON route: bad JSON 400, wrong type 415, bad UTF-8 400, nothing stored', async () => {
  const marker = 'ゲート検査用の氏名';
  const post = (body, type) => fetch(`${srv.base}/api/v1/accounts`, { method: 'POST',
    headers: { 'Content-Type': type }, body });
  const good = JSON.stringify({ name: marker, name_kana: 'げーと', phone: '0271234567', password: 'gate-password-1' });
  const broken = await post(`${good.slice(0, -1)},`, 'application/json');
  assert.equal(broken.status, 400);
  assert.equal((await broken.json()).error.code, 'bad_request');
  const text = await post(good, 'text/plain');
  assert.equal(text.status, 415);
  const form = await post('name=x', 'application/x-www-form-urlencoded');
  assert.equal(form.status, 415);
  const bytes = Buffer.concat([Buffer.from(good.slice(0, 10)), Buffer.from([0xff, 0xfe]), Buffer.from(good.slice(10))]);
  const utf = await post(bytes, 'application/json');
  assert.equal(utf.status, 400);
  assert.equal((await utf.json()).error.code, 'bad_request');
  const array = await post('[1,2]', 'application/json');
  assert.equal(array.status, 400);
  const nul = await post(JSON.stringify({ name: 'a\u0000b', password: 'x' }), 'application/json');
  assert.equal(nul.status, 400);
  assert.equal(dbHas(srv.dir, marker), false);
});

// -------------------------------------------------------- the command line

test('user add: prints the ID alone; staff need a centre of the rule book', async () => {
  const id = await addUser(srv.db, { role: 'analyst', name: '分析 担当', password: 'analyst-password-1' });
  assert.match(id, /^[1-9]\d{8}$/);
  assert.ok(luhnOk(id));
  const signed = await signIn(srv.base, id, 'analyst-password-1');
  assert.equal(signed.session.role, 'analyst');
  await assert.rejects(addUser(srv.db, { role: 'staff', name: '所属なし', password: 'staff-password-2' }),
    (e) => e.code === 1 && /公民館/.test(e.err));
  await assert.rejects(addUser(srv.db, { role: 'staff', name: '所属違い', center: 'atlantis', password: 'staff-password-2' }),
    (e) => e.code === 1 && /例規集/.test(e.err));
  await assert.rejects(addUser(srv.db, { role: 'mayor', name: 'x', password: 'mayor-password-1' }), (e) => e.code === 2);
  await assert.rejects(addUser(srv.db, { role: 'admin', name: '短い', password: 'short' }),
    (e) => e.code === 1 && /12文字以上/.test(e.err));
  const c = await addUser(srv.db, { role: 'citizen', name: '窓口で登録', password: 'citizen-password-1' });
  assert.equal((await signIn(srv.base, c, 'citizen-password-1')).session.role, 'citizen');
});

// ------------------------------------------- throttling and cookie flags

test('sign-in is rate-limited per account and per address (429 with Retry-After); Secure cookies', async () => {
  const s = await start({ now: NOW, args: ['--secure-cookies'] });
  try {
    const api = client(s.base);
    const victim = await signUp(api, { name: '標的 さん', name_kana: 'ひょうてき', phone: '0271112222', password: 'victim-password-1' });
    const ok = await api.post('/api/v1/session', { system_id: victim, password: 'victim-password-1' });
    assert.equal(ok.status, 200);
    assert.match(ok.headers.get('set-cookie'), /; HttpOnly; SameSite=Lax; Secure$/);

    for (let i = 0; i < 5; i++) {
      const r = await api.post('/api/v1/session', { system_id: victim, password: `guess-number-${i}` });
      assert.equal(r.status, 401, `attempt ${i + 1}`);
    }
    const locked = await api.post('/api/v1/session', { system_id: victim, password: 'victim-password-1' });
    assert.equal(locked.status, 429);
    assert.equal(locked.json.error.code, 'rate_limited');
    const ra = Number(locked.headers.get('retry-after'));
    assert.ok(ra > 0 && ra <= 900, `Retry-After ${ra}`);

    // the same address trying other IDs: 20 failures in all lock the address
    const other = await signUp(api, { name: '別人 さん', name_kana: 'べつじん', phone: '0271113333', password: 'other-password-1' });
    for (let i = 0; i < 15; i++) {
      const id = withCheckDigit(String(10000000 + i * 5279));
      assert.notEqual(id, other);
      const r = await api.post('/api/v1/session', { system_id: id, password: 'spray-password-1' });
      assert.equal(r.status, 401, `spray ${i + 1}`);
    }
    const blocked = await api.post('/api/v1/session', { system_id: other, password: 'other-password-1' });
    assert.equal(blocked.status, 429, 'the address is throttled for every account');
    assert.ok(Number(blocked.headers.get('retry-after')) > 0);
  } finally {
    await s.stop();
  }
});

// ------------------------------------- what the database holds; expiry

test('the database file holds no password or token; a session idles out across a restart', async () => {
  const first = await start({ now: NOW });
  let second, firstRunning = true;
  try {
    const api = client(first.base);
    const pw = 'plain-text-password-xyz';
    const id = await signUp(api, { name: '保存 検査', name_kana: 'ほぞんけんさ', email: 'store@example.jp', password: pw });
    const c = await signIn(first.base, id, pw);
    const staffPw = 'staff-plain-password-xyz';
    const sid = await addUser(first.db, { role: 'staff', name: '職員 検査', center: 'chuo', password: staffPw });
    const st = await signIn(first.base, sid, staffPw);
    assert.equal((await c.get('/api/v1/me')).status, 200);
    for (const secret of [pw, staffPw, c.session.token, c.session.csrf_token, st.session.token])
      assert.equal(dbHas(first.dir, secret), false, 'found in the live database');
    await first.stop({ keep: true });
    firstRunning = false;
    const bytes = dbBytes(first.dir);
    for (const secret of [pw, staffPw, c.session.token, c.session.csrf_token, st.session.token, st.session.csrf_token])
      assert.equal(bytes.includes(Buffer.from(secret)), false, 'found in the database file');
    assert.ok(bytes.includes(Buffer.from('$argon2id$')), 'passwords are stored as argon2id hashes');

    // 1 hour later: the citizen (2 h idle) is still in, the staff member (30 min) is not
    second = await start({ db: first.db, now: '2026-04-08T11:00:00+09:00' });
    const c2 = client(second.base, { token: c.session.token });
    assert.equal((await c2.get('/api/v1/me')).status, 200);
    const s2 = await client(second.base, { token: st.session.token }).get('/api/v1/me');
    assert.equal(s2.status, 401);
    assert.equal(s2.json.error.code, 'unauthorized');
    assert.match(s2.json.error.message, /ログアウト/);
    const done = second;
    second = undefined;
    await done.stop();
    // 2 hours after that last use the citizen's session has idled out too
    second = await start({ db: first.db, now: '2026-04-08T13:00:01+09:00' });
    const c3 = await client(second.base, { token: c.session.token }).get('/api/v1/me');
    assert.equal(c3.status, 401);
    assert.match(c3.json.error.message, /もう一度ログイン/);
    assert.equal((await client(second.base).get('/api/v1/centers')).status, 200);
    assert.equal((await signIn(second.base, id, pw)).session.role, 'citizen', 'signing in again works');
  } finally {
    if (firstRunning) await first.stop({ keep: true });
    if (second) await second.stop();
    rmSync(first.dir, { recursive: true, force: true });
  }
});
