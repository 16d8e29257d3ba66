// Hygiene: the access log keeps nothing personal and cannot be forged; every
// reply carries the security headers; HTML has a CSP without unsafe-inline;
// what may hold personal data is never stored by a browser or proxy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, client, addUser, signIn, BIN } from './harness.mjs';

let srv, api;
before(async () => {
  srv = await start({ now: '2026-04-08T10:00:00+09:00', accessLog: true });
  api = client(srv.base);
});
after(async () => { if (srv.proc.exitCode === null) await srv.stop(); });

function raw(base, text) {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    const s = net.connect(Number(port), hostname, () => s.write(text));
    let data = '';
    s.on('data', (d) => { data += d; });
    s.on('end', () => resolve(data));
    s.on('error', () => resolve(data));
    s.setTimeout(5000, () => { s.destroy(); resolve(data); });
  });
}

const SECRETS = ['SECRETQUERY', 'SECRETBEARER', 'SECRETCOOKIE', 'SECRETCSRF', 'SECRETBODY', '山田太郎', '090-1234-5678', 'taro@example.jp'];

test('the access log: method, path without query, status, time; never a query value, token or body', async () => {
  await api.get('/api/v1/availability?date=2026-04-09&center=chuo&name=%E5%B1%B1%E7%94%B0%E5%A4%AA%E9%83%8E&token=SECRETQUERY&phone=090-1234-5678',
    { Authorization: 'Bearer SECRETBEARER', Cookie: 'kominkan_session=SECRETCOOKIE', 'X-CSRF-Token': 'SECRETCSRF' });
  await api.post('/api/v1/today?email=taro@example.jp', { password: 'SECRETBODY', name: '山田太郎' },
    { Authorization: 'Bearer SECRETBEARER' });
  await api.req('POST', '/forms/booking', 'name=%E5%B1%B1%E7%94%B0%E5%A4%AA%E9%83%8E&password=SECRETBODY',
    { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: 'kominkan_session=SECRETCOOKIE' });
  // a path that tries to write a line of its own into the log, and an escape sequence
  const forged = await raw(srv.base, 'GET /x%0a2026-04-08T10:00:00+09:00%20GET%20/admin%20200%200.1ms%1b[31m HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  // a control character in the path is refused (400, issue 12) and still logged safely
  assert.match(forged, /^HTTP\/1\.1 400/);
  await srv.stop();

  const lines = srv.output().err.split('\n').filter((l) => /^\d{4}-\d\d-\d\dT/.test(l));
  assert.equal(lines.length, 4, srv.output().err);
  for (const l of lines) {
    assert.match(l, /^\S+ [A-Z]+ \/\S* \d{3} \d+\.\dms( aborted)?$/, l);
    assert.doesNotMatch(l, /\?|=/, `a query in the log: ${l}`);
  }
  // a line is written when its request completes, which for requests close
  // together on different threads need not be in order
  const has = (re) => assert.ok(lines.some((l) => re.test(l)), `no line ${re} in:\n${lines.join('\n')}`);
  has(/ GET \/api\/v1\/availability 200 /);
  has(/ POST \/api\/v1\/today 405 /);
  has(/ POST \/forms\/booking 401 /);   // the form exists now: an unknown session cookie is 401
  has(/ GET \/x\\x0a2026-04-08T10:00:00\+09:00\\x20GET\\x20\/admin\\x20200\\x200\.1ms\\x1b\[31m 400 /);
  const all = srv.output().err;
  for (const s of SECRETS) assert.ok(!all.includes(s), `"${s}" reached the log`);
  assert.ok(!all.includes('\x1b'), 'an escape sequence reached the log');
});

test('every kind of reply carries nosniff, a referrer policy and frame denial', async () => {
  const s2 = await start({ now: '2026-04-08T10:00:00+09:00' });
  try {
    for (const [path, headers] of [['/healthz', {}], ['/api/v1/today', {}], ['/api/v1/today.csv', {}],
      ['/static/site.css', {}], ['/api/v1/nope', {}], ['/nope', { Accept: 'text/html' }],
      ['/api/v1/availability?date=bad', {}]]) {
      const r = await fetch(s2.base + path, { headers });
      await r.arrayBuffer();
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(r.headers.get('referrer-policy'), 'same-origin', path);
      assert.equal(r.headers.get('x-frame-options'), 'DENY', path);
      assert.ok(r.headers.get('content-type'), path);
    }
  } finally { await s2.stop(); }
});

test('HTML carries a Content-Security-Policy without unsafe-inline, and no inline script or style', async () => {
  const s2 = await start({ now: '2026-04-08T10:00:00+09:00' });
  try {
    // the error page, and every public page there is
    for (const p of ['/no-such-page', '/', '/availability?date=2026-04-09', '/help', '/signage/chuo', '/rules/discounts']) {
      const r = await fetch(s2.base + p, { headers: { Accept: 'text/html' } });
      const html = await r.text();
      if (p !== '/no-such-page' && r.status === 404) continue; // a page not on this branch
      assert.match(r.headers.get('content-type'), /^text\/html/, p);
      const csp = r.headers.get('content-security-policy');
      assert.ok(csp, `no CSP on ${p}`);
      assert.match(csp, /default-src 'self'/, p);
      assert.match(csp, /script-src 'self'/, p);
      assert.match(csp, /style-src 'self'/, p);
      assert.match(csp, /frame-ancestors 'none'/, p);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/, p);
      assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, `inline script on ${p}`);
      assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=/i, `inline style or handler on ${p}`);
      assert.match(html, /lang="ja"/, p);
    }
  } finally { await s2.stop(); }
});

test('Cache-Control: error replies (they may echo what was sent) are no-store; public feeds are no-cache; static files cacheable', async () => {
  const s2 = await start({ now: '2026-04-08T10:00:00+09:00' });
  const c = client(s2.base);
  try {
    for (const p of ['/api/v1/nope', '/api/v1/availability?date=bad']) {
      const r = await c.get(p);
      assert.ok(r.status >= 400);
      assert.equal(r.headers.get('cache-control'), 'no-store', p);
    }
    const m = await c.req('DELETE', '/api/v1/today');
    assert.equal(m.headers.get('cache-control'), 'no-store');
    for (const p of ['/api/v1/today', '/api/v1/today.csv', '/api/v1/availability?date=2026-04-09']) {
      const r = await c.get(p);
      assert.equal(r.headers.get('cache-control'), 'no-cache', p);
      // twice: the second comes from the feed cache with the same headers
      const r2 = await c.get(p);
      assert.equal(r2.headers.get('cache-control'), 'no-cache', p);
      assert.equal(r2.headers.get('x-content-type-options'), 'nosniff', p);
    }
    const css = await fetch(s2.base + '/static/site.css');
    await css.arrayBuffer();
    assert.match(css.headers.get('cache-control'), /max-age/);
  } finally { await s2.stop(); }
});

// Routes flagged RF_PERSONAL answer with Cache-Control: no-store (reply.c);
// tests/fuzz/fake_mhd.c also checks it on every fuzzed request to one.
test('personal replies are no-store, by bearer and by cookie; sign-in never reaches the log', async () => {
  const d = mkdtempSync(join(tmpdir(), 'kominkan-hygiene-'));
  const db = join(d, 'k.db');
  const s2 = await start({ dir: d, db, now: '2026-04-08T10:00:00+09:00', accessLog: true });
  try {
    const id = await addUser(db, { password: 'hygiene-pass-SECRET', name: '山田太郎' });
    const signin = await client(s2.base).post('/api/v1/session', { system_id: id, password: 'hygiene-pass-SECRET' });
    assert.equal(signin.status, 200);
    assert.equal(signin.headers.get('cache-control'), 'no-store', 'the sign-in reply carries the token');
    for (const c of [await signIn(s2.base, id, 'hygiene-pass-SECRET'), await signIn(s2.base, id, 'hygiene-pass-SECRET', { cookie: true })]) {
      const me = await c.get('/api/v1/me');
      assert.equal(me.status, 200);
      assert.equal(me.headers.get('cache-control'), 'no-store', '/api/v1/me');
      assert.equal(me.headers.get('x-content-type-options'), 'nosniff');
    }
    // every route the table marks personal, asked by a signed-in citizen
    const routes = JSON.parse(execFileSync(BIN, ['routes'], { encoding: 'utf8' }));
    const citizen = await signIn(s2.base, id, 'hygiene-pass-SECRET');
    let checked = 0;
    for (const rt of routes.filter((x) => x.flags.includes('personal') && x.method === 'GET')) {
      const r = await citizen.get(rt.pattern.replace(/\{[^}]+\}/g, '123456782'));
      assert.equal(r.headers.get('cache-control'), 'no-store', `${rt.method} ${rt.pattern} (${r.status})`);
      checked++;
    }
    assert.ok(checked >= 1);
    await s2.stop();
    const log = s2.output().err;
    for (const secret of ['hygiene-pass-SECRET', signin.json.token, signin.json.csrf_token, '山田太郎'])
      assert.ok(!log.includes(secret), `the log holds ${secret.slice(0, 6)}...`);
    assert.match(log, / POST \/api\/v1\/session 200 /);
  } finally {
    if (s2.proc.exitCode === null) await s2.stop();
    rmSync(d, { recursive: true, force: true });
  }
});
