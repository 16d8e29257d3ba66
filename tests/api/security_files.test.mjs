// Security hardening, issue 12 (items 3, 4, 7, 8, 10, 11), against a real
// server: the files it makes are private and the keys are outside the
// database and its backups; `backup --to` the live database is refused while
// the server runs; a restore ends every session; the usage log holds no
// booking or receipt number; a long Japanese code in an error message still
// gets its reply; "%00" in the path and conflicting Content-Length headers
// get 400. (tests/api/security.test.mjs holds the other items.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, linkSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { BIN, addUser, client, signIn, start } from './harness.mjs';

const NOW = '2026-04-08T10:00:00+09:00';
const PW = 'files-password-123';
// a careless umask: what kominkan creates must be private all the same
process.umask(0o022);

let srv, anon, ids = {}, rooms = {};

function run(args, opts = {}) {
  return new Promise((done) => {
    execFile(resolve(BIN), args, opts, (err, stdout, stderr) =>
      done({ code: err ? err.code : 0, stdout, stderr }));
  });
}

const mode = (p) => statSync(p).mode & 0o777;

// the key file: "name base64" lines -> {name: Buffer}
function keysOf(db) {
  const out = {};
  for (const line of readFileSync(`${db}.keys`, 'utf8').split('\n')) {
    const m = line.match(/^(\w+) ([A-Za-z0-9+/=]+)$/);
    if (m) out[m[1]] = Buffer.from(m[2], 'base64');
  }
  return out;
}

before(async () => {
  srv = await start({ now: NOW });
  anon = client(srv.base);
  for (const [k, role] of [['citizen', 'citizen'], ['staff', 'staff'], ['analyst', 'analyst']])
    ids[k] = await addUser(srv.db, { role, name: k === 'citizen' ? '前橋 花子' : `${role} テスト`,
      password: PW, center: role === 'staff' ? 'chuo' : undefined });
  for (const ce of (await anon.get('/api/v1/centers')).json.centers)
    for (const r of ce.rooms) rooms[`${ce.code}/${r.code}`] = r.id;
});
after(async () => { await srv.stop(); });

test('the database, its -wal and -shm, the key file and backups are readable by their owner only', async () => {
  const c = await signIn(srv.base, ids.citizen, PW); // a write: the -wal is there
  assert.equal(c.session.role, 'citizen');
  for (const f of [srv.db, `${srv.db}-wal`, `${srv.db}-shm`, `${srv.db}.keys`]) {
    assert.ok(existsSync(f), `${f} exists`);
    assert.equal(mode(f), 0o600, `${f}: mode ${mode(f).toString(8)}`);
  }
  const to = join(srv.dir, 'b.db');
  const r = await run(['backup', '--db', srv.db, '--to', to]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(mode(to), 0o600);
  assert.match(r.stdout, /holds no key/);
  assert.ok(r.stdout.includes(`${srv.db}.keys`), r.stdout);
  // the key file is copied on its own, private, never over an existing file
  const kc = await run(['backup', '--db', srv.db, '--keys-to', join(srv.dir, 'keys.copy')]);
  assert.equal(kc.code, 0, kc.stderr);
  assert.equal(mode(join(srv.dir, 'keys.copy')), 0o600);
  assert.deepEqual(readFileSync(join(srv.dir, 'keys.copy')), readFileSync(`${srv.db}.keys`));
  assert.equal((await run(['backup', '--db', srv.db, '--keys-to', join(srv.dir, 'keys.copy')])).code, 1);
});

test('neither key is in the database or a backup of it: a leaked backup cannot forge permits', async () => {
  const staff = await signIn(srv.base, ids.staff, PW);
  // a permit signed and a few events pseudonymised: both keys have been used
  const b = await staff.post('/api/v1/bookings', { on_behalf_of: ids.citizen, room_id: rooms['chuo/hall'],
    date: '2026-05-21', slots: ['morning'], purpose: '会議', attendees: 10 });
  assert.equal(b.status, 201, b.text);
  const keys = keysOf(srv.db);
  assert.equal(keys.permit_ed25519.length, 64);
  assert.equal(keys.pseudonym_key.length, 32);
  const to = join(srv.dir, 'nokeys.db');
  assert.equal((await run(['backup', '--db', srv.db, '--to', to])).code, 0);
  const bytes = readFileSync(to);
  for (const [name, key] of Object.entries(keys))
    for (let off = 0; off + 8 <= key.length; off += 8)
      assert.equal(bytes.indexOf(key.subarray(off, off + 8)), -1, `${name} bytes ${off}.. in the backup`);
});

test('backup --to the live database, however spelt, is refused with exit 1 while the server runs', async () => {
  const staff = await signIn(srv.base, ids.staff, PW);
  const b = await staff.post('/api/v1/bookings', { on_behalf_of: ids.citizen, room_id: rooms['chuo/hall'],
    date: '2026-05-22', slots: ['morning'], purpose: '会議', attendees: 10 });
  assert.equal(b.status, 201, b.text);
  symlinkSync(srv.db, join(srv.dir, 'link.db'));
  linkSync(srv.db, join(srv.dir, 'hard.db'));
  const spellings = [srv.db, join(srv.dir, '.', 'k.db'), `${srv.dir}/../${srv.dir.split('/').pop()}/k.db`,
    join(srv.dir, 'link.db'), join(srv.dir, 'hard.db'), `${srv.db}-wal`, `${srv.db}-shm`];
  for (const to of spellings) {
    const r = await run(['backup', '--db', srv.db, '--to', to]);
    assert.equal(r.code, 1, `${to}: ${r.stdout}`);
    assert.match(r.stderr, /refusing to write the backup to .*the database/, r.stderr);
  }
  for (const [db, to] of [['k.db', './k.db'], ['./k.db', 'k.db-wal'], ['k.db', 'k.db-shm']]) {
    const r = await run(['backup', '--db', db, '--to', to], { cwd: srv.dir });
    assert.equal(r.code, 1, `${db} -> ${to}`);
  }
  // the live database is unharmed and still serves
  assert.equal((await anon.get('/healthz')).json.status, 'ok');
  const again = await staff.get(`/api/v1/bookings/${b.json.id}`);
  assert.equal(again.status, 200, again.text);
  const fine = await run(['backup', '--db', srv.db, '--to', join(srv.dir, 'fine.db')]);
  assert.equal(fine.code, 0, fine.stderr);
});

test('the usage log holds pseudonyms of booking and receipt numbers, the same for one booking', async () => {
  const staff = await signIn(srv.base, ids.staff, PW);
  const analyst = await signIn(srv.base, ids.analyst, PW);
  const b = await staff.post('/api/v1/bookings', { on_behalf_of: ids.citizen, room_id: rooms['chuo/kaigi'] || rooms['chuo/hall'],
    date: '2026-04-08', slots: ['evening'], purpose: '会議', attendees: 5 });
  assert.equal(b.status, 201, b.text);
  const id = b.json.id;
  const conf = await staff.post(`/api/v1/bookings/${id}/confirm`);
  assert.equal(conf.status, 200, conf.text);
  const owed = conf.json.fee.total;
  const pay = await staff.post(`/api/v1/bookings/${id}/payments`, { method: 'cash', amount: owed });
  assert.equal(pay.status, 201, pay.text);
  const receipt = pay.json.payment.receipt;
  const log = await analyst.get('/api/v1/events?from=2026-04-01&to=2026-04-30');
  assert.equal(log.status, 200, log.text);
  assert.ok(!log.text.includes(receipt), 'a receipt number in the usage log');
  const lines = log.text.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.detail && e.detail.booking_id);
  for (const e of lines) assert.match(e.detail.booking_id, /^[0-9a-f]{32}$/, JSON.stringify(e));
  const mine = lines.filter((e) => ['booking.hold', 'booking.confirm', 'counter.payment'].includes(e.action)
    && e.date === '2026-04-08' && e.slot === 'evening');
  assert.ok(mine.length >= 3, JSON.stringify(mine));
  assert.equal(new Set(mine.map((e) => e.detail.booking_id)).size, 1, 'one booking, one pseudonym');
  const paid = mine.find((e) => e.action === 'counter.payment');
  assert.match(paid.detail.receipt, /^[0-9a-f]{32}$/);
  assert.ok(!log.text.includes(`"booking_id":${id}`));
});

test('a restore ends every session, and says so', async () => {
  const d = srv.dir;
  const s2 = await start({ now: NOW, db: join(d, 'r.db'), dir: d });
  const who = await addUser(s2.db, { role: 'citizen', name: '復元 太郎', password: PW });
  const c = await signIn(s2.base, who, PW);
  assert.equal((await c.get('/api/v1/me')).status, 200);
  const bk = join(d, 'with-session.db');
  assert.equal((await run(['backup', '--db', s2.db, '--to', bk])).code, 0);
  assert.equal((await c.del('/api/v1/session')).status < 300, true); // signed out after the backup
  await s2.stop({ keep: true });
  const r = await run(['restore', '--from', bk, '--db', s2.db]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /every sign-in was ended/);
  assert.equal(mode(s2.db), 0o600);
  const s3 = await start({ now: NOW, db: s2.db, dir: d });
  try {
    const back = client(s3.base, { token: c.token });
    assert.equal((await back.get('/api/v1/me')).status, 401, 'a signed-out session came back with the backup');
    assert.equal((await signIn(s3.base, who, PW)).session.role, 'citizen');
  } finally {
    await s3.stop({ keep: true });
  }
});

const LONG = '中央公民館中央公民館中央公民'; // 14 characters, 42 bytes: "%.40s" cut the 14th

test('a long Japanese code in an error message is answered whole, never dropped', async () => {
  const staff = await signIn(srv.base, ids.staff, PW);
  const r = await staff.get(`/api/v1/counter/today?center=${encodeURIComponent(LONG)}`);
  assert.equal(r.status, 404, r.text);
  assert.equal(r.json.error.code, 'not_found');
  assert.ok(r.json.error.message.includes('中央公民館中央公民館中央公'), r.json.error.message);
  const citizen = await signIn(srv.base, ids.citizen, PW);
  const b = await citizen.post('/api/v1/bookings', { room_id: rooms['chuo/hall'], date: '2026-05-23',
    slots: [LONG], purpose: '会議', attendees: 5 });
  assert.equal(b.status, 422, b.text);
  assert.ok(JSON.stringify(b.json.error).includes('中央公民館'), b.text);
  const d = await citizen.post('/api/v1/discounts', { group_id: '100000017', category: LONG, reason: '理由' });
  assert.ok(d.status >= 400 && d.status < 500 && d.json && d.json.error, `${d.status} ${d.text}`);
});

// One raw request on its own connection; resolves with what came back.
function raw(text) {
  const u = new URL(srv.base);
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(u.port), u.hostname, () => s.end(text));
    let got = '';
    s.on('data', (d) => { got += d; });
    s.on('end', () => resolve(got));
    s.on('error', reject);
    s.setTimeout(10000, () => { s.destroy(); resolve(got); });
  });
}

test('%00 in the path is refused with 400 (it used to cut the path: personal JSON as ".css")', async () => {
  const c = await signIn(srv.base, ids.citizen, PW);
  for (const p of ['/api/v1/me%00/x.css', '/api/v1/me%00', '/healthz%00', '/api/v1/me%0a']) {
    const r = await c.get(p);
    assert.equal(r.status, 400, `${p}: ${r.text.slice(0, 200)}`);
    assert.equal(r.json.error.code, 'bad_request');
    assert.ok(!r.text.includes(ids.citizen), 'no personal data');
  }
  assert.equal((await c.get('/api/v1/me')).status, 200);
  // query values keep working, "+" is a space, and a NUL no longer cuts one short
  const ok = await anon.get('/api/v1/availability?date=2026-04-10&center=chuo');
  assert.equal(ok.status, 200);
  const cut = await anon.get('/api/v1/availability?date=2026-04-10&center=chuo%00x');
  assert.notEqual(cut.status, 200, 'a NUL in a query value cut it to "chuo"');
});

test('conflicting duplicate Content-Length headers are refused with 400 and the connection closed', async () => {
  const body = '{"system_id":"x","password":"y"}';
  const bad = await raw(`POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n`
    + `Content-Length: 2\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  assert.match(bad, /^HTTP\/1\.1 400 /, bad.slice(0, 200));
  assert.match(bad, /"code":"bad_request"/);
  assert.match(bad, /\r\nConnection: close\r\n/i);
  const same = await raw(`POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n`
    + `Content-Length: ${body.length}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
  assert.doesNotMatch(same, /^HTTP\/1\.1 400 /, 'identical repeats are allowed');
});
