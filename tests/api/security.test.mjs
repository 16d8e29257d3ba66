// Security hardening (issue 12), the attacks kept as tests so that they never
// come back: co-representative invitations that reveal nobody, throttles per
// client address on everything that takes a system ID and on anonymous
// sign-up, a sign-in throttle that cannot lock the owner out, the
// trusted-proxy option, and the password policy. Each test here failed on the
// code before the fix. The server believes X-Forwarded-For from 127.0.0.1
// (--trusted-proxy), so each test speaks from addresses of its own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, client, addUser, signIn } from './harness.mjs';

const NOW = '2026-04-08T10:00:00+09:00';   // a Wednesday, inside counter hours
const PW = 'security-test-pw-7';
let srv, staff, hanako, taro, jiro, ids = {};

// A client that speaks from ADDR (through the trusted proxy).
function from(addr, c) {
  const req = c.req.bind(c);
  return Object.assign(Object.create(c), {
    req: (m, p, b, h = {}) => req(m, p, b, { 'X-Forwarded-For': `192.0.2.200, ${addr}`, ...h }),
    get(p, h) { return this.req('GET', p, undefined, h); },
    post(p, b, h) { return this.req('POST', p, b === undefined ? {} : b, h); },
  });
}

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const form = (o) => new URLSearchParams(o).toString();

before(async () => {
  srv = await start({ now: NOW, args: ['--trusted-proxy', '127.0.0.1'] });
  ids.staff = await addUser(srv.db, { role: 'staff', name: '窓口 職員', center: 'chuo', password: PW });
  ids.hanako = await addUser(srv.db, { role: 'citizen', name: '前橋 花子', password: PW });
  ids.taro = await addUser(srv.db, { role: 'citizen', name: '赤城 太郎', password: PW });
  ids.jiro = await addUser(srv.db, { role: 'citizen', name: '榛名 次郎', password: PW });
  staff = await signIn(srv.base, ids.staff, PW);
  hanako = await signIn(srv.base, ids.hanako, PW);
  taro = await signIn(srv.base, ids.taro, PW, { cookie: true });
  jiro = await signIn(srv.base, ids.jiro, PW);
});
after(async () => { await srv.stop(); });

// ------------------------------------------------------------ 1. invitations

test('inviting a co-representative reveals neither a name nor whether an ID exists', async () => {
  const reg = await hanako.post('/api/v1/groups', { name: '招待の会', name_kana: 'しょうたいのかい',
    members: 4, resident_members: 3, activity: '囲碁', public_listing: false });
  assert.equal(reg.status, 201, reg.text);
  const g = reg.json.id;
  assert.equal(reg.json.status, 'pending', 'the attack used a group just registered');

  const known = await hanako.post(`/api/v1/groups/${g}/representatives`, { system_id: ids.taro });
  const unknown = await hanako.post(`/api/v1/groups/${g}/representatives`, { system_id: '123456782' });
  const staffId = await hanako.post(`/api/v1/groups/${g}/representatives`, { system_id: ids.staff });
  for (const r of [known, unknown, staffId]) {
    assert.equal(r.status, 202, r.text);
    assert.deepEqual(Object.keys(r.json).sort(), ['expires_at', 'status']);
    assert.equal(r.json.status, 'invited');
    assert.ok(!r.text.includes('赤城') && !r.text.includes('窓口'), r.text);
  }
  assert.equal(known.text, unknown.text, 'the same answer for a real and an unknown ID');
  assert.equal(known.json.expires_at, '2026-04-22T10:00:00+09:00', 'invitations lapse after 14 days');

  // the group names only its representative until someone accepts
  const seen = await hanako.get(`/api/v1/groups/${g}`);
  assert.deepEqual(seen.json.co_representatives, []);
  assert.ok(!seen.text.includes('赤城'));
  assert.deepEqual(seen.json.invitations.map((i) => i.system_id).sort(),
    [ids.taro, '123456782', ids.staff].sort());

  // the invited person sees it on マイページ, without JavaScript, and accepts with a form post
  const my = await taro.get('/my', { Accept: 'text/html' });
  assert.equal(my.status, 200);
  assert.match(my.text, /副代表者への招待/);
  assert.match(my.text, /招待の会/);
  assert.match(my.text, new RegExp(`action="/my/invitations/${g}/accept"`));
  assert.match(my.text, /name="csrf_token"/);
  const list = await taro.get('/api/v1/invitations');
  assert.equal(list.status, 200);
  assert.deepEqual(list.json.invitations.map((i) => [i.group_id, i.group_name, i.representative.name]),
    [[g, '招待の会', '前橋 花子']]);
  const noCsrf = await fetch(`${srv.base}/my/invitations/${g}/accept`, { method: 'POST',
    headers: { ...FORM, Cookie: taro.cookie }, body: form({}), redirect: 'manual' });
  assert.equal(noCsrf.status, 403, 'the form post needs the CSRF token');
  const yes = await taro.req('POST', `/my/invitations/${g}/accept`, form({ csrf_token: taro.csrf }), FORM);
  assert.equal(yes.status, 200, yes.text);
  assert.match(yes.text, /副代表者になりました/);
  const after = await hanako.get(`/api/v1/groups/${g}`);
  assert.deepEqual(after.json.co_representatives.map((p) => [p.system_id, p.name]), [[ids.taro, '赤城 太郎']]);
  assert.equal((await taro.get('/api/v1/invitations')).json.invitations.length, 0);

  // declining: the name never reaches the group; answering twice is 404
  assert.equal((await hanako.post(`/api/v1/groups/${g}/representatives`, { system_id: ids.jiro })).status, 202);
  const no = await jiro.post(`/api/v1/invitations/${g}/decline`);
  assert.equal(no.status, 200, no.text);
  assert.deepEqual(no.json, { group_id: g, status: 'declined' });
  assert.equal((await jiro.post(`/api/v1/invitations/${g}/accept`)).status, 404);
  assert.ok(!(await hanako.get(`/api/v1/groups/${g}`)).text.includes('榛名'));
  assert.equal((await jiro.get(`/api/v1/groups/${g}`)).status, 404);
  // nobody accepts an invitation that was not theirs
  assert.equal((await jiro.post('/api/v1/invitations/123456782/accept')).status, 404);
});

// ------------------------------------------------------ 2. throttles per address

test('requests naming a system ID are throttled per client address (429 with Retry-After)', async () => {
  const reg = await jiro.post('/api/v1/groups', { name: '探索の会', name_kana: 'たんさくのかい',
    members: 4, resident_members: 3, activity: '将棋', public_listing: false });
  const g = reg.json.id;
  const prober = from('198.51.100.23', jiro);
  let last;
  for (let i = 0; i < 61; i++) {
    last = await prober.post(`/api/v1/groups/${g}/representatives`, { system_id: '123456782' });
    if (last.status !== 202) break;
  }
  assert.equal(last.status, 429, last.text);
  assert.equal(last.json.error.code, 'rate_limited');
  const ra = Number(last.headers.get('retry-after'));
  assert.ok(ra > 0 && ra <= 600, `Retry-After ${ra}`);
  // another address is not affected
  assert.equal((await from('198.51.100.24', jiro).post(`/api/v1/groups/${g}/representatives`,
    { system_id: '123456782' })).status, 202);

  // on_behalf_of at the counter: the same limit, per address
  const desk = from('198.51.100.25', staff);
  for (let i = 0; i < 61; i++) {
    last = await desk.post('/api/v1/bookings', { on_behalf_of: '123456782', room_id: 1,
      date: '2026-05-20', slots: ['morning'], purpose: '会議', attendees: 3 });
    if (last.status === 429) break;
    assert.equal(last.status, 422, last.text);
  }
  assert.equal(last.status, 429, last.text);
  assert.ok(Number(last.headers.get('retry-after')) > 0);
});

// Route attack: wrong short permit codes were answered 200 one after another,
// and every right code counted against the same 60 as any look-up, so a
// counter checking permits all day was the first to be held up.
test('wrong permit codes are throttled per address (429 with Retry-After); right codes and staff never are', async () => {
  const made = await hanako.post('/api/v1/bookings', { room_id: 1, date: '2026-05-20', slots: ['afternoon'],
    purpose: '会議', attendees: 3, confirm: true });
  assert.equal(made.status, 201, made.text);
  const p = await hanako.get(`/api/v1/bookings/${made.json.id}/permit`);
  assert.equal(p.status, 200, p.text);
  const right = p.json.short_code;
  const wrong = right.slice(0, -1) + (right.endsWith('A') ? 'B' : 'A');
  const verify = (who, permit) => who.post('/api/v1/permits/verify', { permit });

  // a hall checking permits all day: right codes are never counted
  const hall = from('198.51.100.41', client(srv.base));
  for (let i = 0; i < 70; i++) {
    const r = await verify(hall, right);
    assert.equal(r.status, 200, `right code ${i + 1}: ${r.text}`);
    assert.equal(r.json.valid, true);
  }
  // a guesser: a few wrong codes are answered, then 429, even for the right one
  const guesser = from('198.51.100.42', client(srv.base));
  let last, n = 0;
  for (; n < 30; n++) {
    last = await verify(guesser, wrong);
    if (last.status !== 200) break;
    assert.equal(last.json.valid, false);
    assert.equal(last.json.reason, 'bad_code');
  }
  assert.equal(last.status, 429, last.text);
  assert.equal(n, 10, 'ten wrong codes are answered');
  assert.equal(last.json.error.code, 'rate_limited');
  assert.match(last.json.error.message, /許可書の番号/);
  const ra = Number(last.headers.get('retry-after'));
  assert.ok(ra > 0 && ra <= 600, `Retry-After ${ra}`);
  assert.equal((await verify(guesser, right)).status, 429, 'the guesser learns nothing more');
  // another address, and staff at the counter behind the same one, go on
  assert.equal((await verify(from('198.51.100.43', client(srv.base)), wrong)).status, 200);
  const desk = from('198.51.100.42', staff);
  for (let i = 0; i < 12; i++) assert.equal((await verify(desk, wrong)).status, 200);
  assert.equal((await verify(desk, right)).json.valid, true);
});

test('anonymous sign-up is throttled per address; staff at the counter are not', async () => {
  const anon = from('198.51.100.31', client(srv.base));
  const person = (i) => ({ name: `登録 ${i}号`, name_kana: 'とうろく', phone: `027-200-${String(1000 + i)}`,
    password: `sign-up-pass-${i}x` });
  let last;
  for (let i = 0; i < 11; i++) {
    last = await anon.post('/api/v1/accounts', person(i));
    if (last.status !== 201) break;
  }
  assert.equal(last.status, 429, last.text);
  assert.equal(last.json.error.code, 'rate_limited');
  assert.ok(Number(last.headers.get('retry-after')) > 0);
  // the sign-up page from the same address too
  const page = await anon.req('POST', '/register', form({ ...person(20), resident: '1' }), FORM);
  assert.equal(page.status, 429);
  assert.match(page.text, /もう一度お試しください/);
  assert.ok(Number(page.headers.get('retry-after')) > 0, 'the page says when, too');
  // a clerk creating an account for a citizen, from that same address
  const desk = from('198.51.100.31', staff);
  const made = await desk.post('/api/v1/accounts', person(21));
  assert.equal(made.status, 201, made.text);
});

test('X-Forwarded-For is ignored unless the connection comes from the trusted proxy', async () => {
  const s = await start({ now: NOW, args: ['--trusted-proxy', '127.0.0.2'] });
  try {
    const anon = client(s.base);
    let last;
    for (let i = 0; i < 10; i++) {
      // a different claimed address every time: all the same client really
      last = await anon.post('/api/v1/session', { system_id: '123456782', password: 'spray-password-1' },
        { 'X-Forwarded-For': `203.0.113.${i}` });
      if (last.status !== 401) break;
    }
    assert.equal(last.status, 429, 'the claimed addresses did not buy more tries');
  } finally {
    await s.stop();
  }
  // and the option refuses what is not an address
  const bad = start({ now: NOW, args: ['--trusted-proxy', 'proxy.example'] });
  await assert.rejects(bad, /exited 2/);
});

// --------------------------------------------- 5. sign-in throttle, no lockout

test('a stranger failing to sign in does not lock the owner out', async () => {
  const victim = await addUser(srv.db, { role: 'citizen', name: '標的 さん', password: 'victim-password-9' });
  const attacker = from('203.0.113.66', client(srv.base));
  let r;
  for (let i = 0; i < 8; i++) {
    r = await attacker.post('/api/v1/session', { system_id: victim, password: `guess-number-${i}` });
    if (r.status === 429) break;
    assert.equal(r.status, 401);
  }
  assert.equal(r.status, 429, 'the attacker is slowed down');
  assert.ok(Number(r.headers.get('retry-after')) > 0);
  // the owner, from their own address, with the right password
  const owner = from('198.51.100.77', client(srv.base));
  const ok = await owner.post('/api/v1/session', { system_id: victim, password: 'victim-password-9' });
  assert.equal(ok.status, 200, ok.text);
  // the attacker's address stays slowed for that account, even with the right password
  const still = await attacker.post('/api/v1/session', { system_id: victim, password: 'victim-password-9' });
  assert.equal(still.status, 429);
});

// ---------------------------------------------------------- 9. password policy

test('common passwords and passwords holding the person\'s own details are refused, saying why', async () => {
  const anon = from('198.51.100.41', client(srv.base));
  const base = { name: '前橋 花子', name_kana: 'まえばし はなこ', phone: '027-123-4567', email: 'hanako.m@example.jp' };
  const cases = [
    ['password1234', /よく使われ/],
    ['qwertyuiop12', /よく使われ/],
    ['iloveyou2026!', /よく使われ/],
    ['aaaaaaaaaaaaaa', /単純な|よく使われ/],
    ['花子のひみつのあいことば', /お名前/],
    ['マエバシのパスワードです', /お名前/],
    ['tel0271234567!', /電話番号/],
  ];
  for (const [password, why] of cases) {
    const r = await anon.post('/api/v1/accounts', { ...base, password });
    assert.equal(r.status, 422, `${password}: ${r.text}`);
    assert.match(r.json.error.fields.password, why, password);
  }
  // the sign-up page says the same
  const page = await anon.req('POST', '/register', form({ ...base, password: 'password1234', resident: '1' }), FORM);
  assert.equal(page.status, 422);
  assert.match(page.text, /よく使われ/);
  // the command line too
  await assert.rejects(addUser(srv.db, { role: 'admin', name: '管理 者', password: 'password12345' }),
    (e) => e.code === 1 && /よく使われ/.test(e.err));
  // and a good one passes
  const ok = await anon.post('/api/v1/accounts', { ...base, password: 'yuugure-no-akagisan' });
  assert.equal(ok.status, 201, ok.text);
});

// ------------------------------------------------ request headers and memory

test('request headers of up to ~11 KiB are read (more than nginx\'s 8 KiB); past the default --conn-memory 12288: 431', async () => {
  const pad = (n) => 'a'.repeat(n);
  for (const n of [2000, 8192, 10000]) {
    const r = await fetch(`${srv.base}/api/v1/today`, { headers: { 'X-Pad': pad(n) } });
    assert.equal(r.status, 200, `a ${n}-byte header`);
    await r.arrayBuffer();
  }
  const r = await fetch(`${srv.base}/api/v1/today`, { headers: { 'X-Pad': pad(13000) } });
  assert.equal(r.status, 431);
  await r.arrayBuffer().catch(() => {});
  // the server goes on answering
  assert.equal((await fetch(`${srv.base}/healthz`)).status, 200);
});

// Invisible characters that reorder text (a bidi override shows staff, the
// exports and the public group list letters in another order than stored)
// are refused like control characters, at every place a person types a name.
test('bidi overrides and zero-width spaces in names and purposes are 422, and nothing is stored', async () => {
  const groups = await hanako.get('/api/v1/me');
  const g = await hanako.post('/api/v1/groups', { name: '囲碁\u202eの会', name_kana: 'いごのかい',
    members: 4, resident_members: 3, activity: '囲碁', public_listing: false });
  assert.equal(g.status, 422, g.text);
  assert.ok(g.json.error.fields.name);
  const me = await jiro.post('/api/v1/me/profile', { name: '榛名\u200b次郎' });
  assert.equal(me.status, 422, me.text);
  assert.equal((await jiro.get('/api/v1/me')).json.name, '榛名 次郎');
  const b = await jiro.post('/api/v1/bookings', { room_id: 1, date: '2026-05-20', slots: ['morning'],
    purpose: '会議\u2066x\u2069', attendees: 3 });
  assert.equal(b.status, 422, b.text);
  assert.equal((await hanako.get('/api/v1/me')).json.groups.length, groups.json.groups.length);
});
