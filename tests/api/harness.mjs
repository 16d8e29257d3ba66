// Test harness: starts build/kominkan (or $KOMINKAN_BIN) on a free loopback
// port with its own temporary database, and stops it after the tests.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// KOMINKAN_BROWSER_BIN, when set, is the binary of the browser tests (a file
// under tests/browser/): `make test` runs them with the API tests in one run
// (tests/run.mjs), the API tests on the sanitizer build, the browser tests on
// the plain one.
const inBrowserTest = /[/\\]tests[/\\]browser[/\\]/.test(process.argv[1] || '');
export const BIN = (inBrowserTest && process.env.KOMINKAN_BROWSER_BIN) || process.env.KOMINKAN_BIN || 'build/kominkan';

// start({now, args, env, dir, db, accessLog, ownDir}) -> {base, proc, dir, db, stop(), output()}
// accessLog: true keeps the one-line-per-request log on stderr (see output());
// a DIR given is left in place by stop() unless ownDir is true.
export async function start(opts = {}) {
  const dir = opts.dir || mkdtempSync(join(tmpdir(), 'kominkan-test-'));
  const db = opts.db || join(dir, 'k.db');
  const env = { ...process.env, ...(opts.env || {}) };
  if (opts.now) env.KOMINKAN_NOW = opts.now;
  const args = ['serve', '--db', db, '--listen', '127.0.0.1:0',
    ...(opts.accessLog ? [] : ['--no-access-log']), ...(opts.args || [])];
  const proc = spawn(opts.bin || BIN, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { err += d; });
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" line in 20 s:\n${out}\n${err}`)), 20000);
    proc.stdout.on('data', () => {
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}:\n${err}`)); });
  });
  const exited = new Promise((resolve) => proc.on('exit', (code, sig) => resolve({ code, sig })));
  return {
    base, proc, dir, db,
    output: () => ({ out, err }),
    // stderr once it has a line matching RE (the server writes it before it
    // answers, but the pipe reaches this process in its own time); the text
    // as it is after MS if none comes, for the caller's assertion to show
    async logged(re, ms = 5000) {
      for (const end = Date.now() + ms; !re.test(err) && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
      return err;
    },
    async stop({ keep = false } = {}) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const r = await exited;
      if (!keep && (!opts.dir || opts.ownDir)) rmSync(dir, { recursive: true, force: true });
      // a sanitizer report or a non-zero exit is a failure of the suite
      if (r.code !== 0 && r.sig !== 'SIGKILL') throw new Error(`server exit ${r.code} ${r.sig}:\n${err}`);
      if (/ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/.test(err)) throw new Error(`sanitizer report:\n${err}`);
      return r;
    },
  };
}

// fromTemplate(opts, build) -> an async function that starts a server on a
// fresh copy of one database, made once per test file: the first call starts
// a server with OPTS, runs BUILD(srv) on it (accounts made, sign-ins done:
// argon2id hashes, slow on purpose) and stops it; every call then copies its
// folder (the database and its key file) and starts a server with OPTS on the
// copy (and MORE: another clock, say). Returns {srv, data}, DATA being what
// BUILD returned (IDs, session tokens: the sessions are rows of the copied
// database, so they stay valid).
export function fromTemplate(opts, build) {
  let made;
  return async (more = {}) => {
    made ??= (async () => {
      const srv = await start(opts);
      let data;
      try { data = await build(srv); } catch (e) { await srv.stop(); throw e; }
      await srv.stop({ keep: true });
      process.on('exit', () => rmSync(srv.dir, { recursive: true, force: true }));
      return { from: srv.dir, data };
    })();
    const { from, data } = await made;
    const dir = mkdtempSync(join(tmpdir(), 'kominkan-test-'));
    cpSync(from, dir, { recursive: true });
    return { srv: await start({ ...opts, ...more, dir, ownDir: true }), data };
  };
}

// api(base) -> a small JSON client keeping cookies/tokens per instance.
export function client(base, { token, cookie, csrf } = {}) {
  const c = {
    token, cookie, csrf,
    async req(method, path, body, headers = {}) {
      const h = { ...headers };
      if (body !== undefined && !h['Content-Type']) h['Content-Type'] = 'application/json';
      if (c.token) h.Authorization = `Bearer ${c.token}`;
      if (c.cookie) h.Cookie = c.cookie;
      if (c.csrf && c.cookie && method !== 'GET') h['X-CSRF-Token'] = c.csrf;
      const res = await fetch(base + path, {
        method, headers: h,
        body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)),
        redirect: 'manual',
      });
      const text = await res.text();
      let json;
      try { json = JSON.parse(text); } catch { json = undefined; }
      return { status: res.status, headers: res.headers, text, json };
    },
    get(p, h) { return c.req('GET', p, undefined, h); },
    post(p, b, h) { return c.req('POST', p, b === undefined ? {} : b, h); },
    del(p, h) { return c.req('DELETE', p, undefined, h); },
  };
  return c;
}

// addUser(db, {role, name, center, password, env}) -> the new system ID
// (a string), through `kominkan user add` with the password on standard
// input. Throws with the command's stderr when it fails.
export function addUser(db, { role = 'citizen', name = 'テスト利用者', center, password = 'test-password-123', env = {} } = {}) {
  const args = ['user', 'add', '--db', db, '--role', role, '--name', name];
  if (center) args.push('--center', center);
  return new Promise((resolve, reject) => {
    const p = spawn(BIN, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('exit', (code) => {
      const id = out.trim();
      if (code === 0 && /^\d{9}$/.test(id)) resolve(id);
      else reject(Object.assign(new Error(`user add exited ${code}: ${err}`), { code, out, err }));
    });
    p.stdin.end(`${password}\n`);
  });
}

// signIn(base, systemId, password, {cookie}) -> a client signed in with a
// bearer token (default) or with the session cookie and its CSRF token.
export async function signIn(base, systemId, password, { cookie = false } = {}) {
  // Past the hash pool's bound (several sign-ins at once, a slow build such as
  // valgrind's) the server answers 503 busy with Retry-After: come back then,
  // as a well-behaved client does, for a minute at most.
  let r;
  for (let waited = 0; ; ) {
    r = await client(base).post('/api/v1/session', { system_id: systemId, password });
    const after = Number(r.headers.get('retry-after')) * 1000;
    if (r.status !== 503 || !(after > 0) || waited + after > 60000) break;
    await new Promise((resolve) => setTimeout(resolve, after));
    waited += after;
  }
  if (r.status !== 200) throw new Error(`sign-in of ${systemId} failed: ${r.status} ${r.text}`);
  if (!cookie) return Object.assign(client(base, { token: r.json.token }), { session: r.json });
  const set = r.headers.get('set-cookie') || '';
  return Object.assign(client(base, { cookie: set.split(';')[0], csrf: r.json.csrf_token }),
    { session: r.json });
}

// application/x-www-form-urlencoded, arrays as repeated names.
export function formBody(fields) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of [].concat(v)) p.append(k, String(x));
  return p.toString();
}

// A browser: signed in by cookie; postForm sends a form with the CSRF token
// in its field, as the pages do, and asks for HTML.
export async function browserSession(base, systemId, password) {
  const api = await signIn(base, systemId, password, { cookie: true });
  const c = client(base, { cookie: api.cookie });
  c.csrf_token = api.session.csrf_token;
  c.postForm = (path, fields, headers = {}) => c.req('POST', path, formBody({ csrf_token: c.csrf_token, ...fields }),
    { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'text/html', ...headers });
  return c;
}

// wellFormed(8 digits) -> a 9-digit system ID with its Luhn check digit: a
// well-formed ID that nobody need have.
export function wellFormed(payload) {
  const d = String(payload).split('').map(Number);
  let sum = 0;
  for (let i = d.length - 1, dbl = true; i >= 0; i--, dbl = !dbl) {
    let v = d[i] * (dbl ? 2 : 1);
    if (v > 9) v -= 9;
    sum += v;
  }
  return `${payload}${(10 - (sum % 10)) % 10}`;
}
