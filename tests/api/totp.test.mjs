// The staff second factor (issue 14; docs/operations.md "A second factor for
// staff"): TOTP (RFC 6238) enrolled by the staff member, asked at sign-in,
// required by `serve --require-staff-totp`, reset by an admin. The codes are
// computed here with node:crypto, as an authenticator app would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { start, client, addUser, signIn } from './harness.mjs';

const NOW = '2026-04-08T10:00:00+09:00';
const T = Date.parse(NOW) / 1000;
const PW = 'totp-password-12345';
let srv, ids;

function base32(s) {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, v = 0;
  const out = [];
  for (const ch of s) {
    v = (v << 5) | abc.indexOf(ch);
    bits += 5;
    if (bits >= 8) { out.push((v >>> (bits - 8)) & 255); bits -= 8; }
  }
  return Buffer.from(out);
}

// The 6-digit code of SECRET (base32) for the 30-second step STEP.
function code(secret, step) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const h = createHmac('sha1', base32(secret)).update(msg).digest();
  const off = h[h.length - 1] & 15;
  return String((h.readUInt32BE(off) & 0x7fffffff) % 1000000).padStart(6, '0');
}

before(async () => {
  srv = await start({ now: NOW, args: ['--require-staff-totp'] });
  const [staff, admin, citizen] = await Promise.all([
    addUser(srv.db, { role: 'staff', name: '窓口 職員', center: 'chuo', password: PW }),
    addUser(srv.db, { role: 'admin', name: '管理 者', password: PW }),
    addUser(srv.db, { role: 'citizen', name: '前橋 市民', password: PW }),
  ]);
  ids = { staff, admin, citizen };
});
after(async () => { await srv.stop(); });

test('the code computation matches RFC 6238 (SHA-1, T = 59)', () => {
  // RFC 6238 appendix B: key "12345678901234567890", 59 s -> 94287082 (8 digits)
  const key = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  assert.equal(code(key, 1), '287082');
});

test('required: a staff member without a second factor may only set one up; then sign-in asks for codes', async () => {
  const staff = await signIn(srv.base, ids.staff, PW);
  const blocked = await staff.get('/api/v1/counter/today?center=chuo');
  assert.equal(blocked.status, 403);
  assert.match(blocked.json.error.message, /二段階認証/);
  assert.deepEqual((await staff.get('/api/v1/me/totp')).json, { enabled: false, pending: false, required: true });

  const s = await staff.post('/api/v1/me/totp');
  assert.equal(s.status, 201, s.text);
  assert.match(s.json.otpauth_uri, new RegExp(`^otpauth://totp/kominkan:${ids.staff}\\?secret=${s.json.secret}&issuer=kominkan`));
  assert.match(s.json.secret, /^[A-Z2-7]{32}$/);
  const step = Math.floor(T / 30);
  const wrong = await staff.post('/api/v1/me/totp/confirm', { code: code(s.json.secret, step + 5) });
  assert.equal(wrong.status, 422);
  const ok = await staff.post('/api/v1/me/totp/confirm', { code: code(s.json.secret, step - 1) });
  assert.equal(ok.status, 200, ok.text);
  assert.equal((await staff.get('/api/v1/counter/today?center=chuo')).status, 200, 'set up: no longer blocked');
  assert.equal((await staff.post('/api/v1/me/totp')).status, 409, 'a second enrolment needs an admin reset');

  const anon = client(srv.base);
  const none = await anon.post('/api/v1/session', { system_id: ids.staff, password: PW });
  assert.equal(none.status, 401);
  assert.equal(none.json.error.code, 'totp_required');
  const bad = await anon.post('/api/v1/session', { system_id: ids.staff, password: PW, totp: code(s.json.secret, step + 7) });
  assert.equal(bad.status, 401);
  assert.equal(bad.json.error.code, 'unauthorized');
  const good = await anon.post('/api/v1/session', { system_id: ids.staff, password: PW, totp: code(s.json.secret, step) });
  assert.equal(good.status, 200, good.text);
  const replay = await anon.post('/api/v1/session', { system_id: ids.staff, password: PW, totp: code(s.json.secret, step) });
  assert.equal(replay.status, 401, 'a code works once');
  const wrongPw = await anon.post('/api/v1/session', { system_id: ids.staff, password: 'not-the-password-1', totp: code(s.json.secret, step + 1) });
  assert.equal(wrongPw.status, 401);

  // the web sign-in form carries the code too (no JavaScript)
  const page = await anon.get('/signin');
  assert.match(page.text, /name="totp"/);
  const form = await anon.post('/signin', new URLSearchParams({ system_id: ids.staff, password: PW,
    totp: code(s.json.secret, step + 1) }).toString(), { 'Content-Type': 'application/x-www-form-urlencoded', Origin: srv.base });
  assert.equal(form.status, 303, form.text);

  // an admin resets it (a lost phone): password alone again, and blocked until set up again
  const admin = await signIn(srv.base, ids.admin, PW);
  assert.equal((await staff.post(`/api/v1/users/${ids.staff}/totp/reset`)).status, 403);
  const reset = await (async () => {
    // the admin must have a second factor too before acting
    const a = await admin.post('/api/v1/me/totp');
    await admin.post('/api/v1/me/totp/confirm', { code: code(a.json.secret, step) });
    return admin.post(`/api/v1/users/${ids.staff}/totp/reset`);
  })();
  assert.equal(reset.status, 200, reset.text);
  const again = await signIn(srv.base, ids.staff, PW);
  assert.equal((await again.get('/api/v1/counter/today?center=chuo')).status, 403);
  const trail = await admin.get('/api/v1/audit?action=user');
  assert.deepEqual(trail.json.entries.map((e) => e.action).filter((a) => a.startsWith('user.totp')).sort(),
    ['user.totp_enable', 'user.totp_enable', 'user.totp_reset']);
});

test('citizens are not asked and cannot enroll', async () => {
  const c = await signIn(srv.base, ids.citizen, PW);
  assert.equal((await c.get('/api/v1/me')).status, 200);
  assert.equal((await c.get('/api/v1/bookings?mine=1')).status, 200);
  assert.equal((await c.post('/api/v1/me/totp')).status, 403);
});
