// Operations by mail (issue 14 with the notifications of issue 15;
// docs/operations.md): the password reset link (one-time, 30 minutes; its
// page sets a new password and signs every other session out), and the
// holders of bookings a closure cancels told by mail (a forgotten system ID by
// mail is tested in mail.test.mjs). A real SMTP server on 127.0.0.1 (smtp.mjs);
// the tests read what arrived.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, client, addUser, signIn } from './harness.mjs';
import { freePort, sink, received, until, stopSinks } from './smtp.mjs';

const NOW = '2026-04-08T10:00:00+09:00';
const LATER = '2026-04-08T10:31:00+09:00'; // 31 minutes on
const PW = 'ops-mail-password-1';
const FROM = 'yoyaku@city.maebashi.example.jp';
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
let work, port, dir, srvDir, srv;

const sql = (q) => execFileSync('sqlite3', [srv.db, q], { encoding: 'utf8' }).trim();
const serve = (now) => start({ now, dir: srvDir, args: ['--smtp', `smtp://127.0.0.1:${port}`,
  '--mail-from', FROM, '--mail-retry', '1', '--public-url', 'https://yoyaku.example.jp'] });
// the messages to ADDRESS whose subject is SUBJECT, waiting until there are at least N
const mails = (address, subject, n = 1) => until(`${n} mail "${subject}" to ${address}`, () => {
  const got = received(dir).filter((m) => m.headers.to === `<${address}>` && m.subject.endsWith(subject));
  return got.length >= n && got;
});

async function signUp(name, email) {
  const r = await client(srv.base).post('/api/v1/accounts', {
    name, name_kana: 'テスト', email, phone: '027-000-0000', password: PW, resident: true });
  assert.equal(r.status, 201, r.text);
  return r.json.system_id;
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kominkan-opsmail-'));
  srvDir = mkdtempSync(join(tmpdir(), 'kominkan-opsmail-srv-'));
  port = await freePort();
  dir = join(work, 'in');
  await sink(port, dir);
  srv = await serve(NOW);
});
after(async () => {
  if (srv) await srv.stop();
  stopSinks();
  rmSync(work, { recursive: true, force: true });
  rmSync(srvDir, { recursive: true, force: true });
});

test('a reset link by mail works once, signs every session out, and expires after 30 minutes', async () => {
  const id = await signUp('前橋 太郎', 'taro@example.jp');
  const before = await signIn(srv.base, id, PW);
  const r = await client(srv.base).post('/api/v1/password-reset', { system_id: id });
  assert.equal(r.status, 202);
  const [m] = await mails('taro@example.jp', 'パスワードの再設定');
  const token = m.body.match(/https:\/\/yoyaku\.example\.jp\/password-reset\/([A-Za-z0-9_-]{40,})/)[1];
  assert.match(m.body, /まで使えます/);

  const page = await client(srv.base).get(`/password-reset/${token}`);
  assert.equal(page.status, 200);
  assert.match(page.text, new RegExp(`name="token" value="${token}"`));
  assert.match(page.text, /ほかの端末でのログインはすべて終わります/);
  const set = await client(srv.base).post('/password-reset/confirm',
    new URLSearchParams({ token, password: 'a-new-mailed-pass-1' }).toString(), FORM);
  assert.equal(set.status, 303, set.text);
  assert.equal(set.headers.get('location'), '/signin?reset=1');
  assert.equal((await before.get('/api/v1/me')).status, 401, 'the other sessions ended');
  await signIn(srv.base, id, 'a-new-mailed-pass-1');
  assert.equal((await client(srv.base).post('/api/v1/session', { system_id: id, password: PW })).status, 401);
  const twice = await client(srv.base).post('/api/v1/password-reset/confirm', { token, password: 'yet-another-pass-22' });
  assert.equal(twice.status, 404, 'a link works once');

  // a second link, opened 31 minutes later: expired
  assert.equal((await client(srv.base).post('/api/v1/password-reset', { system_id: id })).status, 202);
  const [, m2] = await mails('taro@example.jp', 'パスワードの再設定', 2);
  const token2 = m2.body.match(/\/password-reset\/([A-Za-z0-9_-]{40,})/)[1];
  await srv.stop({ keep: true });
  srv = await serve(LATER);
  const late = await client(srv.base).post('/api/v1/password-reset/confirm', { token: token2, password: 'too-late-password-3' });
  assert.equal(late.status, 404, late.text);
});

test('the holder of a booking a closure cancels is told by mail', async () => {
  const id = await signUp('前橋 三郎', 'saburo@example.jp');
  const citizen = await signIn(srv.base, id, PW);
  const staffId = await addUser(srv.db, { role: 'staff', name: '中央 職員', center: 'chuo', password: PW });
  const staff = await signIn(srv.base, staffId, PW);
  const rooms = {};
  for (const ce of (await client(srv.base).get('/api/v1/centers')).json.centers) for (const ro of ce.rooms) rooms[`${ce.code}/${ro.code}`] = ro.id;
  const b = await citizen.post('/api/v1/bookings', { room_id: rooms['chuo/kaigi'], date: '2026-05-20', slots: ['morning'], purpose: '会議', attendees: 5 });
  assert.equal(b.status, 201, b.text);
  const c = await staff.post('/api/v1/closures', { center: 'chuo', from: '2026-05-20', to: '2026-05-20', reason: '改修工事', bookings: 'cancel' });
  assert.equal(c.status, 201, c.text);
  const [m] = await mails('saburo@example.jp', '休館のため、ご予約に影響があります');
  assert.match(m.body, /改修工事/);
  assert.match(m.body, /取消料はかかりません/);
});
