// OpenID providers for the tests of issue 17 (docs/identity.md), on
// 127.0.0.1 only, and a small HTTP client with a cookie jar.
//
// realProvider(): the certified `oidc-provider` package (8.x, from the lock
//   file) with RS256 and ES256 keys, a client using client_secret_basic,
//   PKCE required, its development login and consent pages, and the people
//   of PEOPLE. Their claims include a fake individual number (MY_NUMBER) that
//   kominkan must never store.
// fakeProvider(): node:http + node:crypto, for tokens a real provider never
//   issues (a wrong signature, aud or expiry, an old nonce, a rotated key).
// Only Node 18 APIs (no fetch cookies: node:http gives every Set-Cookie).
import http from 'node:http';
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

export const MY_NUMBER = '987654321098';
export const CLIENT_ID = 'kominkan-test';
export const SECRET = 'test-client-secret-0123456789';

export const PEOPLE = {
  'maebashi-taro': { name: '前橋 太郎', birthdate: '1950-04-01',
    address: { formatted: '群馬県前橋市大手町二丁目12番1号', region: '群馬県', locality: '前橋市', postal_code: '371-8601' } },
  'takasaki-hanako': { name: '高崎 花子', birthdate: '1962-11-03',
    address: { formatted: '群馬県高崎市高松町35番地1', region: '群馬県', locality: '高崎市' } },
};

// One person's claims: PEOPLE's, or, for any other login, a resident named after it.
export function claimsOf(id) {
  const p = PEOPLE[id] || { name: `前橋 ${id.replace(/[^a-z]/g, '').slice(0, 8) || 'hito'}`,
    birthdate: '1980-01-01', address: { formatted: '群馬県前橋市千代田町一丁目1番1号', locality: '前橋市', region: '群馬県' } };
  return { sub: id, ...p, individual_number: MY_NUMBER };
}

// ------------------------------------------------------------ HTTP client

// A browser's cookies, per host:port, every path (enough for these flows).
export class Jar {
  constructor() { this.map = new Map(); }
  take(url, setCookies) {
    const host = new URL(url).host;
    const m = this.map.get(host) || new Map();
    for (const sc of setCookies || []) {
      const [pair, ...attrs] = sc.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim(), value = pair.slice(eq + 1).trim();
      const gone = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (gone) m.delete(name); else m.set(name, value);
    }
    this.map.set(host, m);
  }
  header(url) {
    const m = this.map.get(new URL(url).host);
    return m ? [...m].map(([k, v]) => `${k}=${v}`).join('; ') : '';
  }
  get(url, name) { return this.map.get(new URL(url).host)?.get(name); }
}

// One request; no redirect followed. -> {status, headers, location, body, setCookies}
export function request(url, { method = 'GET', jar, body, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const h = { ...headers };
    const cookie = jar?.header(url);
    if (cookie) h.Cookie = cookie;
    if (body !== undefined) {
      h['Content-Type'] ||= 'application/x-www-form-urlencoded';
      h['Content-Length'] = Buffer.byteLength(body);
    }
    const req = http.request({ hostname: u.hostname, port: u.port, path: u.pathname + u.search, method, headers: h }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { data += d; });
      res.on('end', () => {
        const setCookies = res.headers['set-cookie'] || [];
        jar?.take(url, setCookies);
        const location = res.headers.location ? new URL(res.headers.location, url).toString() : undefined;
        resolve({ status: res.statusCode, headers: res.headers, location, body: data, setCookies });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

// GETs from URL, following redirects while they stay off STOP_ORIGIN; the
// first response from STOP_ORIGIN (not fetched) is returned as {stopAt}.
export async function follow(url, jar, stopOrigin, max = 12) {
  for (let i = 0; i < max; i++) {
    if (stopOrigin && url.startsWith(stopOrigin)) return { stopAt: url };
    const r = await request(url, { jar });
    if (!r.location) return { last: r, url };
    url = r.location;
  }
  throw new Error('too many redirects');
}

// ------------------------------------------------------------ real provider

function keys() {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return [{ ...rsa, kid: 'real-rs256', use: 'sig', alg: 'RS256' }, { ...ec, kid: 'real-es256', use: 'sig', alg: 'ES256' }];
}

// listen() first (the issuer's port is then known), configure(redirectUri)
// once kominkan's port is known. -> {issuer, configure, close}
export async function realProvider() {
  const { default: Provider } = await import('oidc-provider');
  let handler = (req, res) => { res.statusCode = 503; res.end(); };
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  return {
    issuer,
    configure(redirectUri, { alg = 'RS256' } = {}) {
      const provider = new Provider(issuer, {
        clients: [{ client_id: CLIENT_ID, client_secret: SECRET, redirect_uris: [redirectUri],
          token_endpoint_auth_method: 'client_secret_basic', id_token_signed_response_alg: alg,
          grant_types: ['authorization_code'], response_types: ['code'] }],
        jwks: { keys: keys() },
        pkce: { methods: ['S256'], required: () => true },
        claims: { openid: ['sub'], profile: ['name', 'birthdate', 'individual_number'], address: ['address'] },
        findAccount: async (ctx, id) => ({ accountId: id, claims: async () => claimsOf(id) }),
        cookies: { keys: ['oidc-test-cookie-key'] },
        features: { devInteractions: { enabled: true } },
      });
      provider.on('server_error', (ctx, err) => console.error('oidc-provider:', err));
      handler = provider.callback();
    },
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
  };
}

// The development login and consent of oidc-provider for LOGIN, from the
// authorization URL to the redirect back to kominkan (not fetched).
export async function providerLogin(authUrl, login, jar, kominkanBase) {
  let url = authUrl;
  for (let step = 0; step < 8; step++) {
    const f = await follow(url, jar, kominkanBase);
    if (f.stopAt) return f.stopAt;
    const page = f.last.body;
    const action = page.match(/<form[^>]*action="([^"]+)"/)?.[1];
    if (!action) throw new Error(`no form at ${f.url}: ${f.last.status} ${page.slice(0, 300)}`);
    const target = new URL(action.replace(/&amp;/g, '&'), f.url).toString();
    const fields = /name="login"/.test(page) ? { prompt: 'login', login, password: 'x' } : { prompt: 'consent' };
    const r = await request(target, { method: 'POST', jar, body: new URLSearchParams(fields).toString() });
    if (!r.location) throw new Error(`provider form answered ${r.status}: ${r.body.slice(0, 300)}`);
    url = r.location;
  }
  throw new Error('the provider never sent the browser back');
}

// ------------------------------------------------------------ fake provider

const b64u = (b) => Buffer.from(b).toString('base64url');

export function makeKey(kind, kid) {
  const pair = kind === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { alg: kind, kid, privateKey: pair.privateKey,
    jwk: { ...pair.publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: kind } };
}

// A compact JWS of PAYLOAD with KEY (header kid KID, default the key's).
export function jwt(payload, key, kid = key.kid) {
  const head = b64u(JSON.stringify({ alg: key.alg, kid, typ: 'JWT' }));
  const body = b64u(JSON.stringify(payload));
  const data = Buffer.from(`${head}.${body}`);
  const sig = key.alg === 'RS256' ? sign('sha256', data, key.privateKey)
    : sign('sha256', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${head}.${body}.${b64u(sig)}`;
}

// A provider whose /token answers what the test sets in `next`:
//   fake.next = (ctx) => payload or {token} ; ctx = {nonce, issuer, now, sub}
// fake.published: the keys in the JWKS; fake.signer: the key tokens are signed with.
export async function fakeProvider() {
  const fake = { published: [makeKey('ES256', 'fake-es'), makeKey('RS256', 'fake-rs')], jwksFetches: 0,
    nonces: [], down: false };
  fake.signer = fake.published[0];
  const codes = new Map();
  const server = http.createServer((req, res) => {
    const u = new URL(req.url, fake.issuer);
    const json = (status, o) => { res.writeHead(status, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(o)); };
    if (u.pathname === '/.well-known/openid-configuration') {
      return json(200, { issuer: fake.issuer, authorization_endpoint: `${fake.issuer}/auth`,
        token_endpoint: `${fake.issuer}/token`, jwks_uri: `${fake.issuer}/jwks`,
        response_types_supported: ['code'], subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256', 'ES256'] });
    }
    if (u.pathname === '/jwks') { fake.jwksFetches++; return json(200, { keys: fake.published.map((k) => k.jwk) }); }
    if (u.pathname === '/auth') {
      const q = u.searchParams;
      const code = b64u(randomBytes(16));
      codes.set(code, { nonce: q.get('nonce'), challenge: q.get('code_challenge'), redirect: q.get('redirect_uri'),
        sub: fake.sub || 'fake-person' });
      fake.nonces.push(q.get('nonce'));
      fake.lastAuth = Object.fromEntries(q);
      res.writeHead(302, { Location: `${q.get('redirect_uri')}?code=${code}&state=${encodeURIComponent(q.get('state'))}` });
      return res.end();
    }
    if (u.pathname === '/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        const p = new URLSearchParams(body);
        const auth = req.headers.authorization || '';
        const [id, secret] = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString().split(':').map(decodeURIComponent);
        if (id !== CLIENT_ID || secret !== SECRET) return json(401, { error: 'invalid_client' });
        const c = codes.get(p.get('code'));
        codes.delete(p.get('code'));
        if (!c) return json(400, { error: 'invalid_grant' });
        const ch = createHash('sha256').update(p.get('code_verifier') || '').digest('base64url');
        if (ch !== c.challenge || p.get('redirect_uri') !== c.redirect) return json(400, { error: 'invalid_grant', error_description: 'pkce' });
        const now = fake.now ?? Math.floor(Date.now() / 1000); // a server with KOMINKAN_NOW: its clock
        const base = { iss: fake.issuer, sub: c.sub, aud: CLIENT_ID, exp: now + 300, iat: now, nonce: c.nonce,
          ...claimsOf(c.sub) };
        const made = fake.next ? fake.next({ ...c, now, base }) : base;
        const token = made.token || jwt(made, fake.signer);
        return json(200, { access_token: 'at', token_type: 'Bearer', id_token: token });
      });
      return undefined;
    }
    res.writeHead(404);
    return res.end();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  fake.issuer = `http://127.0.0.1:${server.address().port}`;
  fake.close = () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); });
  return fake;
}
