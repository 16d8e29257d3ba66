// Sign-in with the My Number card (issue 17; docs/identity.md): kominkan as an
// OpenID Connect relying party against the real `oidc-provider` (8.x) and,
// for tokens no honest provider issues, a small fake provider
// (oidc_providers.mjs). Everything on 127.0.0.1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, writeFileSync, chmodSync, mkdtempSync, cpSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { start, client, addUser, signIn, formBody } from './harness.mjs';
import { Jar, request, follow, realProvider, providerLogin, fakeProvider, makeKey, jwt,
  MY_NUMBER, CLIENT_ID, SECRET } from './oidc_providers.mjs';

const PW = 'oidc-test-password-1';
let real, fake, srv, fsrv, rules;

// The city's rule book with the residents' category `community` requiring
// residency verified with the card (the optional rule-book field).
function rulesRequiringVerifiedResidents() {
  const dir = mkdtempSync(join(tmpdir(), 'kominkan-oidc-rules-'));
  cpSync('ordinances/maebashi', dir, { recursive: true });
  for (const f of readdirSync(dir).filter((n) => n.startsWith('rules-'))) {
    const j = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    for (const d of j.discounts || []) if (d.code === 'community') d.requires_verified_resident = true;
    writeFileSync(join(dir, f), JSON.stringify(j, null, 2));
  }
  return dir;
}

const oidcArgs = (issuer) => ['--oidc-issuer', issuer, '--oidc-client-id', CLIENT_ID];
const ENV = { KOMINKAN_OIDC_SECRET: SECRET };

before(async () => {
  real = await realProvider();
  rules = rulesRequiringVerifiedResidents();
  srv = await start({ args: [...oidcArgs(real.issuer), '--ordinances', rules], env: ENV });
  real.configure(`${srv.base}/auth/oidc/callback`);
  fake = await fakeProvider();
  fsrv = await start({ args: oidcArgs(fake.issuer), env: ENV });
});

after(async () => {
  if (srv) await srv.stop();
  if (fsrv) await fsrv.stop();
  if (real) await real.close();
  if (fake) await fake.close();
  if (rules) rmSync(rules, { recursive: true, force: true });
});

// The whole flow in a browser (JAR) at server S as LOGIN at the real
// provider, up to the callback's answer. -> {start, callbackUrl, answer}
async function cardFlow(s, login, jar = new Jar(), path = '/auth/oidc/start') {
  const st = await request(s.base + path, { jar });
  assert.equal(st.status, 302, `start: ${st.status} ${st.body.slice(0, 200)}`);
  const callbackUrl = await providerLogin(st.location, login, jar, s.base);
  const answer = await request(callbackUrl, { jar });
  return { start: st, callbackUrl, answer, jar };
}

const sessionCookie = (r) => r.setCookies.find((c) => c.startsWith('kominkan_session=') && !/Max-Age=0/.test(c));
const meOf = (s, jar) => request(`${s.base}/api/v1/me`, { jar, headers: { Accept: 'application/json' } })
  .then((r) => ({ status: r.status, json: r.status === 200 ? JSON.parse(r.body) : undefined }));

test('start: 302 to the provider with code flow, PKCE S256, state, nonce and the scopes', async () => {
  const jar = new Jar();
  const r = await request(`${srv.base}/auth/oidc/start?next=/availability`, { jar });
  assert.equal(r.status, 302);
  const u = new URL(r.location);
  assert.equal(u.origin, real.issuer);
  const q = u.searchParams;
  assert.equal(q.get('response_type'), 'code');
  assert.equal(q.get('client_id'), CLIENT_ID);
  assert.equal(q.get('redirect_uri'), `${srv.base}/auth/oidc/callback`);
  assert.equal(q.get('scope'), 'openid profile address');
  assert.equal(q.get('code_challenge_method'), 'S256');
  assert.match(q.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/);
  assert.ok(q.get('state').length >= 32 && q.get('nonce').length >= 32);
  assert.notEqual(q.get('state'), q.get('nonce'));
  const flow = r.setCookies.find((c) => c.startsWith('kominkan_oidc='));
  assert.match(flow, /HttpOnly/);
  assert.match(flow, /SameSite=Lax/);
  assert.match(flow, /Path=\/auth\/oidc\//);
  // the cookie is not the state (only its hash finds the server-side row)
  assert.ok(!flow.includes(q.get('state')));
});

test('an unknown person signs up with the card: a citizen, verified, resident of 前橋市', async () => {
  const { answer, jar } = await cardFlow(srv, 'maebashi-taro');
  assert.equal(answer.status, 303, answer.body);
  assert.match(answer.location, /\/register\/done$/);
  assert.ok(sessionCookie(answer), 'the session cookie is set');
  const me = await meOf(srv, jar);
  assert.equal(me.status, 200);
  assert.equal(me.json.role, 'citizen');
  assert.equal(me.json.name, '前橋 太郎');
  assert.equal(me.json.identity.verified, true);
  assert.equal(me.json.identity.resident, true);
  assert.match(me.json.identity.verified_on, /^\d{4}-\d{2}-\d{2}$/);
  // the page shows the system ID to keep, and マイページ the verified residency
  const done = await request(answer.location, { jar });
  assert.match(done.body, /\d{3} \d{3} \d{3}/);
  const my = await request(`${srv.base}/my`, { jar });
  assert.match(my.body, /本人確認済み（マイナンバーカード、\d{4}年\d+月\d+日）/);
  assert.match(my.body, /市内在住（確認済み、\d{4}年\d+月\d+日）/);
  // signing in again with the same card: the same account, no new one
  const again = await cardFlow(srv, 'maebashi-taro');
  assert.equal(again.answer.status, 303);
  assert.match(again.answer.location, /\/my$/);
  assert.equal((await meOf(srv, again.jar)).json.system_id, me.json.system_id);
});

test('an address outside 前橋市 is verified but not resident', async () => {
  const { answer, jar } = await cardFlow(srv, 'takasaki-hanako');
  assert.equal(answer.status, 303);
  const me = await meOf(srv, jar);
  assert.equal(me.json.name, '高崎 花子');
  assert.deepEqual([me.json.identity.verified, me.json.identity.resident], [true, false]);
  const my = await request(`${srv.base}/my`, { jar });
  assert.match(my.body, /カードの住所は前橋市外です/);
  assert.doesNotMatch(my.body, /市内在住（確認済み/);
});

// A password citizen in a jar, signed in by cookie. -> {id, jar, csrf}
async function passwordCitizen(name) {
  const id = await addUser(srv.db, { name, password: PW });
  const jar = new Jar();
  const r = await request(`${srv.base}/api/v1/session`, { method: 'POST', jar,
    body: JSON.stringify({ system_id: id, password: PW }), headers: { 'Content-Type': 'application/json' } });
  assert.equal(r.status, 200);
  return { id, jar, csrf: JSON.parse(r.body).csrf_token };
}

// Link the card of LOGIN from マイページ's form (no script). -> the callback's answer
async function linkCard(who, login) {
  const my = await request(`${srv.base}/my`, { jar: who.jar });
  assert.match(my.body, /action="\/my\/oidc\/link"/);
  const st = await request(`${srv.base}/my/oidc/link`, { method: 'POST', jar: who.jar,
    body: formBody({ csrf_token: who.csrf }), headers: { Accept: 'text/html' } });
  assert.equal(st.status, 200, st.body.slice(0, 300));
  const href = st.body.match(/id="oidc-continue" href="([^"]+)"/)[1].replace(/&amp;/g, '&');
  assert.ok(href.startsWith(real.issuer));
  who.jar.map.delete(new URL(real.issuer).host); // a new card: a new login at the provider
  const back = await providerLogin(href, login, who.jar, srv.base);
  return request(back, { jar: who.jar });
}

test('a password citizen links the card from マイページ, then signs in with it; unlinking ends that', async () => {
  const who = await passwordCitizen('連携 一郎');
  const linked = await linkCard(who, 'link-ichiro');
  assert.equal(linked.status, 303, linked.body.slice(0, 400));
  assert.match(linked.location, /\/my\?card=linked$/);
  const me = await meOf(srv, who.jar);
  assert.deepEqual(me.json.identity, { verified: true, resident: true, linked: true, verified_on: me.json.identity.verified_on });
  // the card alone now signs in to the same account
  const card = await cardFlow(srv, 'link-ichiro');
  assert.equal(card.answer.status, 303);
  assert.equal((await meOf(srv, card.jar)).json.system_id, who.id);
  // linking needs the CSRF token (a form post of the signed-in page)
  const forged = await request(`${srv.base}/my/oidc/link`, { method: 'POST', jar: who.jar, body: '',
    headers: { Accept: 'text/html' } });
  assert.equal(forged.status, 403);
  // unlink: the link and the verified attributes are gone
  const un = await request(`${srv.base}/my/oidc/unlink`, { method: 'POST', jar: who.jar,
    body: formBody({ csrf_token: who.csrf }), headers: { Accept: 'text/html' } });
  assert.equal(un.status, 303);
  assert.match(un.location, /card=unlinked/);
  assert.deepEqual((await meOf(srv, who.jar)).json.identity, { verified: false, resident: false, linked: false });
  const after = await cardFlow(srv, 'link-ichiro');
  assert.equal(after.answer.status, 303);
  assert.notEqual((await meOf(srv, after.jar)).json.system_id, who.id, 'an unlinked card no longer reaches the account');
});

test('an account made with the card has no password: closed after a fresh card sign-in and a check, never by the session alone; its card cannot be unlinked', async () => {
  const { answer, jar } = await cardFlow(srv, 'card-only-ume');
  assert.equal(answer.status, 303, answer.body);
  const me = (await meOf(srv, jar)).json;
  const id = String(me.system_id).replace(/\D/g, '');
  const post = (j, path, fields, csrf) => request(srv.base + path, { method: 'POST', jar: j,
    body: formBody({ csrf_token: csrf, ...fields }), headers: { Accept: 'text/html' } });
  // マイページ: no unlink button (the card is the only way in), and how to renew a card
  const my = await request(`${srv.base}/my`, { jar });
  assert.doesNotMatch(my.body, /action="\/my\/oidc\/unlink"/);
  assert.match(my.body, /id="identity-card-only"/);
  const un = await post(jar, '/my/oidc/unlink', {}, me.csrf_token);
  assert.equal(un.status, 409);
  assert.match(un.body, /パスワードがないため/);
  assert.equal((await meOf(srv, jar)).json.identity.linked, true, 'still linked');
  // the privacy page asks for no password but for a check, and says the card sign-in is recent
  const page = await request(`${srv.base}/my/privacy`, { jar });
  assert.doesNotMatch(page.body, /name="password"/);
  assert.match(page.body, /<input[^>]*name="confirm"[^>]*value="1"/);
  assert.match(page.body, /にマイナンバーカードでログインしたことを確認しました/);
  // without the check: 422 at the field, nothing changed
  const noCheck = await post(jar, '/my/close', {}, me.csrf_token);
  assert.equal(noCheck.status, 422);
  assert.match(noCheck.body, /「退会します」にチェックを入れてください/);
  // a card sign-in 16 minutes ago is not enough: a session left open must not close the account
  execFileSync('sqlite3', [srv.db, `UPDATE oidc_links SET last_used = last_used - 960 WHERE account_id = ${id}`]);
  const stale = await post(jar, '/my/close', { confirm: '1' }, me.csrf_token);
  assert.equal(stale.status, 422);
  assert.match(stale.body, /もう一度ログインしてから、15分以内に退会してください/);
  assert.match(stale.body, /href="\/auth\/oidc\/start\?next=\/my\/privacy%23close"/);
  const api = await request(`${srv.base}/api/v1/me`, { method: 'DELETE', jar, body: JSON.stringify({ confirm: true }),
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token, Accept: 'application/json' } });
  assert.equal(api.status, 422);
  assert.equal((await meOf(srv, jar)).status, 200, 'the account is still open');
  // signing in with the card again, then the check: closed
  const again = await cardFlow(srv, 'card-only-ume');
  assert.equal(again.answer.status, 303);
  const me2 = (await meOf(srv, again.jar)).json;
  assert.equal(me2.system_id, me.system_id);
  const ok = await post(again.jar, '/my/close', { confirm: '1' }, me2.csrf_token);
  assert.equal(ok.status, 303, ok.body.slice(0, 300));
  assert.match(ok.location, /\/\?closed=1$/);
  assert.equal((await meOf(srv, again.jar)).status, 401);
  const row = execFileSync('sqlite3', [srv.db, `SELECT closed_at IS NOT NULL, name FROM accounts WHERE id = ${id}`]).toString().trim();
  assert.match(row, /^1\|/);
  assert.doesNotMatch(row, /cardonly/, 'the name is erased');
});

test('a renewed card (a new sub): signing in with the password and linking again moves the link', async () => {
  const who = await passwordCitizen('更新 次郎');
  assert.equal((await linkCard(who, 'card-2020')).status, 303);
  assert.equal((await linkCard(who, 'card-2030')).status, 303);
  const renewed = await cardFlow(srv, 'card-2030');
  assert.equal((await meOf(srv, renewed.jar)).json.system_id, who.id);
  const old = await cardFlow(srv, 'card-2020');
  assert.notEqual((await meOf(srv, old.jar)).json.system_id, who.id, 'the old card was replaced');
  // a card linked to another account cannot be linked here too
  const other = await passwordCitizen('別人 三郎');
  const clash = await linkCard(other, 'card-2030');
  assert.equal(clash.status, 409);
  assert.match(clash.body, /別の利用者番号に登録されています/);
});

test('a replayed callback (state and nonce used once) and a mismatched state are refused', async () => {
  const { start: st, callbackUrl, answer } = await cardFlow(srv, 'replay-person');
  assert.equal(answer.status, 303);
  const flow = st.setCookies.find((c) => c.startsWith('kominkan_oidc=')).split(';')[0];
  const replay = await request(callbackUrl, { headers: { Cookie: flow } });
  assert.equal(replay.status, 400);
  assert.match(replay.body, /有効期限が切れたか、すでに使われています/);
  assert.ok(!sessionCookie(replay), 'nobody signed in');
  // a fresh flow answered with another state: refused, and the flow is used up
  const jar = new Jar();
  const st2 = await request(`${srv.base}/auth/oidc/start`, { jar });
  const flow2 = st2.setCookies.find((c) => c.startsWith('kominkan_oidc=')).split(';')[0];
  const back = await providerLogin(st2.location, 'replay-person', jar, srv.base);
  const forged = new URL(back);
  forged.searchParams.set('state', 'x'.repeat(43));
  const bad = await request(forged.toString(), { jar });
  assert.equal(bad.status, 400);
  assert.match(bad.body, /マイナンバーカードでログインできませんでした/);
  assert.match(bad.body, /href="\/signin"/);
  assert.ok(!sessionCookie(bad));
  assert.match(await srv.logged(/oidc: refused: state is not/), /oidc: refused: state is not the one of this sign-in/);
  const late = await request(back, { headers: { Cookie: flow2 } });
  assert.equal(late.status, 400);
  assert.ok(!sessionCookie(late));
});

test('next= is followed only to a path of this site', async () => {
  const known = await cardFlow(srv, 'maebashi-taro', new Jar(), '/auth/oidc/start?next=/availability');
  assert.equal(known.answer.location, `${srv.base}/availability`);
  const evil = await cardFlow(srv, 'maebashi-taro', new Jar(), '/auth/oidc/start?next=//evil.example/x');
  assert.equal(evil.answer.location, `${srv.base}/my`);
});

// ------------------------------------------------------------ the fake provider

// A flow at the fake provider whose token endpoint answers NEXT(ctx).
async function fakeFlow(next, sub = 'fake-person') {
  fake.next = next;
  fake.sub = sub;
  const jar = new Jar();
  const st = await request(`${fsrv.base}/auth/oidc/start`, { jar });
  assert.equal(st.status, 302);
  const f = await follow(st.location, jar, fsrv.base);
  const answer = await request(f.stopAt, { jar });
  fake.next = undefined;
  return { answer, jar };
}

test('fake provider: a good ES256 token signs in; PKCE and client_secret_basic were used', async () => {
  const { answer, jar } = await fakeFlow(undefined, 'fake-good');
  assert.equal(answer.status, 303, answer.body.slice(0, 300));
  assert.ok(sessionCookie(answer));
  assert.equal((await meOf(fsrv, jar)).json.identity.verified, true);
  assert.equal(fake.lastAuth.code_challenge_method, 'S256');
});

test('fake provider: an RS256 token signs in too', async () => {
  fake.signer = fake.published[1];
  try {
    const { answer } = await fakeFlow(undefined, 'fake-rs');
    assert.equal(answer.status, 303);
  } finally { fake.signer = fake.published[0]; }
});

for (const [what, next, log] of [
  ['a wrong signature', ({ base }) => ({ token: jwt(base, makeKey('ES256', 'x'), 'fake-es') }), /signature does not verify/],
  ['a wrong aud', ({ base }) => ({ ...base, aud: 'someone-else' }), /aud does not name this client/],
  ['another azp', ({ base }) => ({ ...base, aud: [CLIENT_ID, 'other'], azp: 'other' }), /azp is not this client/],
  ['an expired token', ({ base, now }) => ({ ...base, iat: now - 7200, exp: now - 3600 }), /id_token expired/],
  ['a wrong iss', ({ base }) => ({ ...base, iss: 'http://127.0.0.1:1' }), /iss is not the configured issuer/],
  ['alg none', ({ base }) => ({ token: `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(base)).toString('base64url')}.` }), /alg none refused|no compact JWS/],
]) {
  test(`fake provider: ${what} is refused with a clear page, nobody signed in`, async () => {
    const { answer, jar } = await fakeFlow(next, `fake-${what.replace(/\W/g, '')}`);
    assert.equal(answer.status, 400);
    assert.match(answer.body, /<html lang="ja"/);
    assert.match(answer.body, /マイナンバーカードでのログインを確認できませんでした/);
    assert.ok(!sessionCookie(answer));
    assert.equal((await meOf(fsrv, jar)).status, 401);
    assert.match(await fsrv.logged(log), log);
  });
}

test('fake provider: a replayed nonce (from an earlier sign-in) is refused', async () => {
  await fakeFlow(undefined, 'fake-nonce');
  const old = fake.nonces[fake.nonces.length - 1];
  const { answer } = await fakeFlow(({ base }) => ({ ...base, nonce: old }), 'fake-nonce');
  assert.equal(answer.status, 400);
  assert.ok(!sessionCookie(answer));
  assert.match(await fsrv.logged(/nonce is not the one/), /nonce is not the one of this sign-in/);
});

test('fake provider: a key that appears after a rotation is fetched once; a never-published kid is refused', async () => {
  await fakeFlow(undefined, 'fake-rot'); // the keys are cached now
  const rotated = makeKey('ES256', 'rotated-2');
  fake.published.push(rotated);
  const before = fake.jwksFetches;
  fake.signer = rotated;
  try {
    const ok = await fakeFlow(undefined, 'fake-rot');
    assert.equal(ok.answer.status, 303, ok.answer.body.slice(0, 300));
    assert.equal(fake.jwksFetches, before + 1, 'one fetch for the new kid');
    const again = await fakeFlow(undefined, 'fake-rot');
    assert.equal(again.answer.status, 303);
    assert.equal(fake.jwksFetches, before + 1, 'then served from the cache');
    const stranger = makeKey('ES256', 'never-published');
    fake.signer = stranger;
    const bad = await fakeFlow(undefined, 'fake-rot');
    assert.equal(bad.answer.status, 400);
    assert.equal(fake.jwksFetches, before + 2, 'one more fetch, no loop');
    assert.match(await fsrv.logged(/names a key the provider/), /names a key the provider does not publish/);
  } finally { fake.signer = fake.published[0]; }
});

test('the provider down: a clear page, and password sign-in still works', async () => {
  const dead = http.createServer();
  await new Promise((r) => dead.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${dead.address().port}`;
  await new Promise((r) => dead.close(r));
  const s = await start({ args: oidcArgs(issuer), env: ENV });
  try {
    const r = await request(`${s.base}/auth/oidc/start`, { headers: { Accept: 'text/html' } });
    assert.equal(r.status, 502);
    assert.match(r.body, /本人確認のサービスにつながりませんでした/);
    assert.match(r.body, /href="\/signin"/);
    assert.match(await s.logged(/oidc: provider unavailable/), /oidc: provider unavailable/);
    const signin = await request(`${s.base}/signin`);
    assert.match(signin.body, /マイナンバーカードでログイン/);
    const id = await addUser(s.db, { name: '停電 四郎', password: PW });
    const api = await signIn(s.base, id, PW);
    assert.equal((await api.get('/api/v1/me')).json.identity.verified, false);
  } finally { await s.stop(); }
});

test('without --oidc-issuer: no card button, /auth/oidc/start is 404', async () => {
  const s = await start();
  try {
    assert.doesNotMatch((await request(`${s.base}/signin`)).body, /マイナンバーカードでログイン/);
    assert.equal((await request(`${s.base}/auth/oidc/start`)).status, 404);
  } finally { await s.stop(); }
});

test('the secret never on the command line; a secret file others can read is refused', async () => {
  const s = await start({ args: oidcArgs(real.issuer) }).catch((e) => e);
  assert.ok(s instanceof Error && /KOMINKAN_OIDC_SECRET/.test(s.message), String(s));
  const file = join(srv.dir, 'secret');
  writeFileSync(file, `${SECRET}\n`);
  chmodSync(file, 0o644);
  const loose = await start({ args: [...oidcArgs(real.issuer), '--oidc-secret-file', file] }).catch((e) => e);
  assert.ok(loose instanceof Error && /chmod 600/.test(loose.message), String(loose));
  chmodSync(file, 0o600);
  const ok = await start({ args: [...oidcArgs(real.issuer), '--oidc-secret-file', file] });
  await ok.stop();
});

test('no My Number anywhere in the database file (the name is, so the search works)', async () => {
  await cardFlow(srv, 'maebashi-taro');
  const bytes = [srv.db, `${srv.db}-wal`].filter(existsSync).map((f) => readFileSync(f));
  const all = Buffer.concat(bytes);
  assert.ok(all.includes(Buffer.from('前橋 太郎')), 'the verified name is stored');
  assert.ok(!all.includes(Buffer.from(MY_NUMBER)), 'the individual number is not');
  assert.ok(!all.includes(Buffer.from(SECRET)), 'nor the client secret');
});

test('GET /api/v1/me of a password account carries identity false/false', async () => {
  const id = await addUser(srv.db, { name: '未確認 五郎', password: PW });
  const me = await (await signIn(srv.base, id, PW)).get('/api/v1/me');
  assert.deepEqual(me.json.identity, { verified: false, resident: false, linked: false });
  void client;
});

test('the rule book may require verified residency for a category: refused without, said on the criteria', async () => {
  const page = await request(`${srv.base}/rules/discounts`);
  assert.match(page.body, /申請できる人<\/dt><dd>マイナンバーカードで市内在住を確認した方/);
  const rules = JSON.parse((await request(`${srv.base}/api/v1/rules`)).body);
  assert.equal(rules.discounts.find((d) => d.code === 'community').requires_verified_resident, true);
  const id = await addUser(srv.db, { name: '申請 六郎', password: PW });
  const api = await signIn(srv.base, id, PW);
  const body = { group_id: '123456782', category: 'community', reason: '自治会の会合に使います。' };
  const refused = await api.post('/api/v1/discounts', body);
  assert.equal(refused.status, 422);
  assert.equal(refused.json.error.code, 'residency_requirement');
  assert.match(refused.json.error.message, /マイナンバーカードで市内在住を確認/);
  // another category: no such requirement (refused later, for the unknown group)
  assert.equal((await api.post('/api/v1/discounts', { ...body, category: 'social_education' })).status, 404);
  // a verified resident passes that check (and meets the next one: the group)
  const card = await cardFlow(srv, 'discount-person');
  const me = await meOf(srv, card.jar);
  assert.equal(me.json.identity.resident, true);
  const csrf = me.json.csrf_token;
  const r = await request(`${srv.base}/api/v1/discounts`, { method: 'POST', jar: card.jar, body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf } });
  assert.equal(r.status, 404, r.body);
});

test('groups count verified residents; the counter slip shows 本人確認済み（マイナンバーカード）', async () => {
  const card = await cardFlow(srv, 'group-rep');
  const me = await meOf(srv, card.jar);
  const g = await request(`${srv.base}/api/v1/groups`, { method: 'POST', jar: card.jar,
    body: JSON.stringify({ name: '確認の会', name_kana: 'かくにんのかい', members: 5, resident_members: 4,
      activity: '読書会' }),
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.json.csrf_token } });
  assert.equal(g.status, 201, g.body);
  const gid = JSON.parse(g.body).id;
  const admin = await signIn(srv.base, await addUser(srv.db, { role: 'admin', name: '管理 七子', password: PW }), PW);
  const got = await admin.get(`/api/v1/groups/${gid}`);
  assert.equal(got.json.verified_residents, 1);
  const pending = await admin.get('/api/v1/groups?status=pending');
  if (pending.status === 200) assert.equal(pending.json.groups.find((x) => x.id === gid)?.verified_residents, 1);
  const staffId = await addUser(srv.db, { role: 'staff', name: '窓口 八郎', center: 'chuo', password: PW });
  const staff = await signIn(srv.base, staffId, PW, { cookie: true });
  const slip = await request(`${srv.base}/counter/reset-code`, { method: 'POST',
    body: formBody({ csrf_token: staff.csrf, system_id: me.json.system_id, identity: '1' }),
    headers: { Cookie: staff.cookie, Accept: 'text/html' } });
  assert.equal(slip.status, 200, slip.body.slice(0, 500));
  assert.match(slip.body, /本人確認済み（マイナンバーカード、\d{4}年\d+月\d+日）・市内在住/);
  // a password-only citizen's slip says nothing of the kind
  const plain = await addUser(srv.db, { name: '紙 九郎', password: PW });
  const slip2 = await request(`${srv.base}/counter/reset-code`, { method: 'POST',
    body: formBody({ csrf_token: staff.csrf, system_id: plain, identity: '1' }),
    headers: { Cookie: staff.cookie, Accept: 'text/html' } });
  assert.equal(slip2.status, 200);
  assert.doesNotMatch(slip2.body, /マイナンバーカード/);
});

test('the counter page shows 本人確認済み（マイナンバーカード） on the booking of a verified person', async () => {
  const NOW = '2026-04-08T10:00:00+09:00';
  fake.now = Math.floor(Date.parse(NOW) / 1000); // the token's times on the server's fixed clock
  const s = await start({ now: NOW, args: oidcArgs(fake.issuer), env: ENV });
  try {
    fake.sub = 'counter-person';
    const jar = new Jar();
    const st = await request(`${s.base}/auth/oidc/start`, { jar });
    const answer = await request((await follow(st.location, jar, s.base)).stopAt, { jar });
    assert.equal(answer.status, 303, answer.body.slice(0, 300));
    const me = await meOf(s, jar);
    assert.equal(me.json.identity.verified, true);
    const staffId = await addUser(s.db, { role: 'staff', name: '窓口 十郎', center: 'chuo', password: PW });
    const staff = await signIn(s.base, staffId, PW);
    const rooms = (await client(s.base).get('/api/v1/centers')).json.centers.find((c) => c.code === 'chuo').rooms;
    const kaigi = rooms.find((r) => r.code === 'kaigi').id;
    const b = await staff.post('/api/v1/bookings', { on_behalf_of: me.json.system_id, room_id: kaigi,
      date: '2026-04-08', slots: ['evening'], purpose: '会議', attendees: 5 });
    assert.equal(b.status, 201, b.text);
    const page = await staff.get('/counter?center=chuo', { Accept: 'text/html' });
    assert.equal(page.status, 200);
    assert.match(page.text, /本人確認済み（マイナンバーカード、2026年4月8日）・市内在住/);
  } finally {
    fake.now = undefined;
    await s.stop();
  }
});
