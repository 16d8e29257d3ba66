// Email notifications (issue 15, docs/mail.md) through a real SMTP server on
// 127.0.0.1: Debian's python3-aiosmtpd (tests/api/smtp_sink.py) writes each
// message it accepts to a folder, and the tests read what arrived: content,
// headers, encoding. Then: the SMTP server down for a while and up again (every
// message arrives once), and the kominkan server killed with SIGKILL between
// the commit and the sending (the message still arrives, once).
//
// --mail-retry 1 makes the first retry come after 1 s instead of 30 s; the
// default is what CONTRACT.md asks (within a minute). Waits poll for what is
// expected with a generous deadline: no timing is asserted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, client, addUser, signIn } from './harness.mjs';
import { freePort, sink, received, until, sleep, stopSinks } from './smtp.mjs';

const NOW = '2026-04-01T09:00:00+09:00';
const PW = 'mail-test-password-1';
const FROM = 'yoyaku@city.maebashi.example.jp';
let work;

function sql(db, q) {
  return execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim();
}

async function signUp(base, name, email) {
  const r = await client(base).post('/api/v1/accounts', {
    name, name_kana: 'テスト', email, phone: '027-000-0000', password: PW, resident: true });
  assert.equal(r.status, 201, r.text);
  return signIn(base, r.json.system_id, PW);
}

let rooms;
async function roomId(base, code) {
  if (!rooms) {
    const r = await client(base).get('/api/v1/centers');
    rooms = {};
    for (const c of r.json.centers) for (const ro of c.rooms) rooms[`${c.code}/${ro.code}`] = ro.id;
  }
  return rooms[`chuo/${code}`];
}

async function book(base, who, date, slots, code = 'r503') {
  const r = await who.post('/api/v1/bookings',
    { room_id: await roomId(base, code), date, slots, purpose: '練習会', attendees: 5 });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

const mailArgs = (port, more = []) => ['--smtp', `smtp://127.0.0.1:${port}`, '--mail-from', FROM,
  '--mail-retry', '1', '--mail-sweep', '1', ...more];

before(() => { work = mkdtempSync(join(tmpdir(), 'kominkan-mail-')); });
after(async () => {
  stopSinks();
  rmSync(work, { recursive: true, force: true });
});

test('without --smtp nothing is queued and the settings say mail is off', async () => {
  const srv = await start({ now: NOW });
  try {
    const hanako = await signUp(srv.base, '前橋 花子', 'hanako@example.jp');
    await book(srv.base, hanako, '2026-05-12', ['morning']);
    assert.equal(sql(srv.db, 'SELECT count(*) FROM outbox'), '0');
    const s = await hanako.get('/api/v1/me/mail');
    assert.equal(s.status, 200);
    assert.equal(s.json.mail_on, false);
  } finally { await srv.stop(); }
});

test('messages arrive in plain Japanese, MIME UTF-8, with a Message-ID; staff see them', async () => {
  const port = await freePort(), dir = join(work, 'in1');
  const smtp = await sink(port, dir, ['nobody@refused.example.jp']);
  const srv = await start({ now: NOW, args: mailArgs(port, ['--public-url', 'https://yoyaku.example.jp',
    '--mail-reply-to', 'chuo=chuo-kominkan@city.maebashi.example.jp']) });
  try {
    const hanako = await signUp(srv.base, '前橋 花子', 'hanako@example.jp');
    const staffId = await addUser(srv.db, { role: 'staff', name: '窓口 一郎', center: 'chuo', password: PW });
    const staff = await signIn(srv.base, staffId, PW);
    const b = await book(srv.base, hanako, '2026-05-12', ['morning', 'afternoon']);
    const [hold] = await until('the hold message', () => received(dir).length >= 1 && received(dir));
    // headers
    assert.match(hold.headers['message-id'], /^<[0-9a-f]{24}@city\.maebashi\.example\.jp>$/);
    assert.equal(hold.headers['mime-version'], '1.0');
    assert.equal(hold.headers['content-type'], 'text/plain; charset=UTF-8');
    assert.equal(hold.headers['content-transfer-encoding'], 'base64');
    assert.equal(hold.headers.to, '<hanako@example.jp>');
    assert.match(hold.headers.from, /<yoyaku@city\.maebashi\.example\.jp>$/);
    assert.equal(hold.headers['reply-to'], 'chuo-kominkan@city.maebashi.example.jp');
    assert.match(hold.headers.date, /^Wed, 01 Apr 2026 09:00:00 \+0900$/);
    // RFC 2047: the raw header block is ASCII, the subject decodes to Japanese
    assert.ok(/^[\x20-\x7e\r\n\t]*$/.test(hold.head), 'headers are 7-bit');
    for (const l of hold.head.split('\r\n')) assert.ok(l.length <= 78, `header line too long: ${l}`);
    assert.match(hold.subject, /仮予約を受け付けました/);
    // the body: who, what, until when, how to confirm
    assert.match(hold.body, /^前橋 花子 様/);
    assert.match(hold.body, new RegExp(`予約番号: ${b.id}`));
    assert.match(hold.body, /2026年5月12日（火）/);
    assert.match(hold.body, /午前（9:00〜12:00）、午後（13:00〜17:00）/);
    assert.match(hold.body, /確定の期限: 2026年4月4日（土）9時00分/);
    assert.match(hold.body, new RegExp(`https://yoyaku\\.example\\.jp/my/bookings/${b.id}\\r?\\n`));

    assert.equal((await hanako.post(`/api/v1/bookings/${b.id}/confirm`)).status, 200);
    const conf = (await until('the confirmation', () => received(dir).length >= 2 && received(dir)))[1];
    assert.match(conf.subject, /予約が確定しました/);
    assert.match(conf.body, new RegExp(`/my/bookings/${b.id}/permit`));
    assert.notEqual(conf.headers['message-id'], hold.headers['message-id']);

    const c = await staff.post(`/api/v1/bookings/${b.id}/cancel`, { reason: '館内の設備点検のため', on_behalf: 'city' });
    assert.equal(c.status, 200, c.text);
    const can = (await until('the cancellation', () => received(dir).length >= 3 && received(dir)))[2];
    assert.match(can.subject, /窓口で予約を取り消しました/);
    assert.match(can.body, /取り消した理由: 館内の設備点検のため/);
    assert.match(can.body, /取消料はかかりません/);

    // staff see, for the booking, which messages went; the citizen may not ask
    const list = await until('all marked sent', async () => {
      const r = await staff.get(`/api/v1/bookings/${b.id}/messages`);
      return r.json.messages.length === 3 && r.json.messages.every((m) => m.status === 'sent') && r;
    });
    assert.deepEqual(list.json.messages.map((m) => m.kind), ['hold_received', 'booking_confirmed', 'cancelled']);
    assert.equal(list.json.messages[0].message_id, hold.headers['message-id']);
    assert.equal((await hanako.get(`/api/v1/bookings/${b.id}/messages`)).status, 403);
    // and on the booking's page, for staff only
    const page = await staff.get(`/my/bookings/${b.id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /この予約について送ったお知らせメール/);
    assert.match(page.text, /<td>仮予約を受け付けたお知らせ<\/td><td>hanako@example\.jp<\/td><td>送信済み<\/td>/);
    assert.match(page.text, /<td>予約の取消しのお知らせ<\/td>/);
    assert.doesNotMatch((await hanako.get(`/my/bookings/${b.id}`)).text, /送ったお知らせメール/);
    assert.equal((await staff.get('/api/v1/bookings/99999/messages')).status, 404);
  } finally { await srv.stop(); await smtp.stop(); }
});

test('choices on マイページ, decisions with the reason, undeliverable addresses', async () => {
  const port = await freePort(), dir = join(work, 'in2');
  const smtp = await sink(port, dir, ['nobody@refused.example.jp']);
  const srv = await start({ now: NOW, args: mailArgs(port) });
  try {
    const taro = await signUp(srv.base, '赤城 太郎', 'taro@example.jp');
    const adminId = await addUser(srv.db, { role: 'admin', name: '管理 者', password: PW });
    const admin = await signIn(srv.base, adminId, PW);
    // reminders and receipts can be turned off; decisions and cancellations cannot
    const off = await taro.post('/api/v1/me/mail', { hold_received: false, reminder: false });
    assert.equal(off.status, 200, off.text);
    assert.equal(off.json.kinds.find((k) => k.code === 'reminder').enabled, false);
    const no = await taro.post('/api/v1/me/mail', { group_decision: false });
    assert.equal(no.status, 422);
    assert.ok(no.json.error.fields.group_decision);
    assert.equal((await taro.post('/api/v1/me/mail', { nonsense: true })).status, 422);
    const b = await book(srv.base, taro, '2026-05-13', ['morning']);
    const g = await taro.post('/api/v1/groups', { name: '赤城俳句会', name_kana: 'アカギハイクカイ',
      members: 10, resident_members: 8, activity: '俳句' });
    assert.equal(g.status, 201, g.text);
    const rej = await admin.post(`/api/v1/groups/${g.json.id}/reject`, { reason: '会員名簿が添付されていません。' });
    assert.equal(rej.status, 200, rej.text);
    const [dec] = await until('the decision', () => received(dir).length >= 1 && received(dir));
    assert.match(dec.subject, /団体の登録/);
    assert.match(dec.body, /赤城俳句会/);
    assert.match(dec.body, /理由: 会員名簿が添付されていません。/);
    // the hold receipt was turned off: kept as skipped, never sent
    const msgs = (await admin.get(`/api/v1/bookings/${b.id}/messages`)).json.messages;
    assert.deepEqual(msgs.map((m) => [m.kind, m.status]), [['hold_received', 'skipped']]);

    // an address the server refuses (550): failed, shown on マイページ
    const ghost = await signUp(srv.base, '届かない 人', 'nobody@refused.example.jp');
    const gb = await book(srv.base, ghost, '2026-05-14', ['morning']);
    await until('the refusal', async () => {
      const r = await admin.get(`/api/v1/bookings/${gb.id}/messages`);
      return r.json.messages[0]?.status === 'failed';
    });
    const s = await ghost.get('/api/v1/me/mail');
    assert.equal(s.json.undeliverable.address, 'nobody@refused.example.jp');
    const page = await ghost.get('/my');
    assert.equal(page.status, 200);
    assert.match(page.text, /メールが届いていません/);
    assert.doesNotMatch((await taro.get('/my')).text, /メールが届いていません/);
    assert.equal(received(dir).length, 1);

    // a password reset: the link comes by mail, works, and its copy in the outbox goes once sent
    const anon = client(srv.base);
    assert.equal((await anon.post('/api/v1/password-reset', { system_id: taro.session.system_id })).status, 202);
    const reset = (await until('the reset mail', () => received(dir).length >= 2 && received(dir)))[1];
    assert.match(reset.subject, /パスワードの再設定/);
    const token = reset.body.match(/\/password-reset\/([A-Za-z0-9_-]+)/)[1];
    await until('marked sent', () => sql(srv.db, "SELECT status FROM outbox WHERE kind = 'password_reset'") === 'sent');
    assert.equal(sql(srv.db, "SELECT body FROM outbox WHERE kind = 'password_reset'"), '');
    const set = await anon.post('/api/v1/password-reset/confirm', { token, password: 'a-new-mail-password-2' });
    assert.equal(set.status, 200, set.text);
    await signIn(srv.base, taro.session.system_id, 'a-new-mail-password-2');

    // a forgotten system ID comes to the registered address; nobody else learns anything
    const same = (r) => [r.status, r.json.message];
    const known = await anon.post('/api/v1/forgotten-id', { email: 'Taro@Example.jp' });
    const unknown = await anon.post('/api/v1/forgotten-id', { email: 'nobody-here@example.jp' });
    assert.equal(known.status, 202, known.text);
    assert.deepEqual(same(unknown), same(known));
    assert.equal((await anon.post('/api/v1/forgotten-id', { email: 'not an address' })).status, 422);
    const idMail = (await until('the ID mail', () => received(dir).length >= 3 && received(dir)))[2];
    assert.match(idMail.subject, /利用者番号のお知らせ/);
    assert.equal(idMail.headers.to, '<taro@example.jp>');
    assert.match(idMail.body, new RegExp(`利用者番号: ${taro.session.system_id}`));
    const form = await anon.req('POST', '/forgotten-id', 'email=taro%40example.jp',
      { 'Content-Type': 'application/x-www-form-urlencoded' });
    assert.equal(form.status, 200);
    assert.match(form.text, /利用者番号をお送りしました/);
    await until('the second ID mail', () => received(dir).length >= 4);
  } finally { await srv.stop(); await smtp.stop(); }
});

test('the day-before reminder comes from the sweep, once', async () => {
  const port = await freePort(), dir = join(work, 'in3');
  const smtp = await sink(port, dir);
  const srv = await start({ now: NOW, args: mailArgs(port) });
  try {
    const hanako = await signUp(srv.base, '前橋 花子', 'hanako@example.jp');
    const b = await book(srv.base, hanako, '2026-04-02', ['evening']);
    assert.equal((await hanako.post(`/api/v1/bookings/${b.id}/confirm`)).status, 200);
    const got = await until('the reminder', () => {
      const r = received(dir).filter((m) => /明日/.test(m.subject));
      return r.length && r;
    });
    assert.match(got[0].body, /明日は、次の予約の利用日です/);
    await sleep(2500); // two more sweeps: still one reminder
    assert.equal(received(dir).filter((m) => /明日/.test(m.subject)).length, 1);
  } finally { await srv.stop(); await smtp.stop(); }
});

test('SMTP down for a while, then up: every message arrives once', async () => {
  const port = await freePort(), dir = join(work, 'in4');
  const srv = await start({ now: NOW, args: mailArgs(port) });
  try {
    const a = await signUp(srv.base, '利用者 一', 'one@example.jp');
    const ids = [];
    for (const d of ['2026-05-19', '2026-05-20', '2026-05-21']) ids.push((await book(srv.base, a, d, ['morning'])).id);
    // every message has failed at least once: the server is down
    await until('failed attempts', () => sql(srv.db, "SELECT count(*) FROM outbox WHERE attempts >= 1 AND status = 'pending'") === '3');
    assert.match(sql(srv.db, 'SELECT last_error FROM outbox LIMIT 1'), /connect|Couldn't|refused/i);
    const smtp = await sink(port, dir);
    try {
      await until('all sent', () => sql(srv.db, "SELECT count(*) FROM outbox WHERE status = 'sent'") === '3');
      const got = received(dir);
      assert.equal(got.length, 3);
      assert.equal(new Set(got.map((m) => m.headers['message-id'])).size, 3);
      const want = sql(srv.db, 'SELECT message_id FROM outbox ORDER BY id').split('\n').sort();
      assert.deepEqual(got.map((m) => m.headers['message-id']).sort(), want);
    } finally { await smtp.stop(); }
  } finally { await srv.stop(); }
});

test('the server killed between commit and send: the message arrives after the restart, once', async () => {
  const port = await freePort(), dir = join(work, 'in5'), home = join(work, 'srv5');
  mkdirSync(home);
  let srv = await start({ now: NOW, dir: home, args: mailArgs(port) });
  const a = await signUp(srv.base, '利用者 二', 'two@example.jp');
  const b = await book(srv.base, a, '2026-05-22', ['morning']);
  // committed with the booking; nobody to send it to yet
  const mid = sql(srv.db, `SELECT message_id FROM outbox WHERE booking_id = ${b.id}`);
  assert.match(mid, /^<.+>$/);
  srv.proc.kill('SIGKILL');
  await srv.stop();
  const smtp = await sink(port, dir);
  srv = await start({ now: NOW, dir: home, args: mailArgs(port) });
  try {
    await until('the message', () => received(dir).length >= 1);
    await sleep(1500); // a few more rounds of the sender: nothing more goes
    const got = received(dir);
    assert.equal(got.length, 1);
    assert.equal(got[0].headers['message-id'], mid);
    assert.equal(sql(srv.db, `SELECT status FROM outbox WHERE booking_id = ${b.id}`), 'sent');
  } finally { await srv.stop(); await smtp.stop(); }
});
