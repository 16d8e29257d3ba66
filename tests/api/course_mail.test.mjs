// Course notices by mail (issue 16 with issue 15; docs/courses.md), read from a
// real SMTP server on 127.0.0.1 (Debian's python3-aiosmtpd, tests/api/smtp.mjs):
// the lottery's result goes to each applicant (a place, or the place on the
// waiting list, with the public record linked); a place given back is offered
// to the next on the waiting list by mail with its deadline; an offer not taken
// in time lapses with a mail and goes to the next, who accepts it. Waits poll
// for what is expected: no timing is asserted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, client, addUser, signIn } from './harness.mjs';
import { freePort, sink, received, until, stopSinks } from './smtp.mjs';

const PW = 'course-mail-pw-1';
const FROM = 'kouza@city.maebashi.example.jp';
let srv, smtp, work, dir, port;
const ids = {};
// the server writes too (the sweep, the mailer): wait for its lock rather than fail
const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, q], { encoding: 'utf8' }).trim();
const args = () => ['--smtp', `smtp://127.0.0.1:${port}`, '--mail-from', FROM, '--mail-retry', '1',
  '--mail-sweep', '1', '--public-url', 'https://yoyaku.example.jp'];
const to = (who) => received(dir).filter((m) => m.headers.to === `<${who}@example.jp>`);
const mailTo = (who, n, what) => until(`${what} for ${who}`, () => to(who).length >= n && to(who)[n - 1]);

async function restart(now) {
  await srv.stop({ keep: true });
  srv = await start({ now, db: srv.db, dir: srv.dir, args: args() });
  const t = Date.parse(now) / 1000;
  sql(`UPDATE sessions SET last_seen = ${t}, expires_at = ${t + 86400}`);
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kominkan-course-mail-'));
  dir = join(work, 'in');
  port = await freePort();
  smtp = await sink(port, dir);
  srv = await start({ now: '2026-04-01T09:00:00+09:00', args: args() });
  ids.staff = await addUser(srv.db, { role: 'staff', center: 'chuo', password: PW });
  for (const k of ['a', 'b', 'c']) {
    ids[k] = await addUser(srv.db, { password: PW, name: `受講 ${k}` });
    sql(`UPDATE accounts SET email = '${k}@example.jp' WHERE id = ${ids[k]}`);
  }
});
after(async () => {
  await srv.stop();
  await smtp.stop();
  stopSinks();
  rmSync(work, { recursive: true, force: true });
});

test('the draw, the waiting list and its offers reach each applicant by mail', async () => {
  const staff = await signIn(srv.base, ids.staff, PW);
  const room = (await client(srv.base).get('/api/v1/centers')).json.centers.find((c) => c.code === 'chuo')
    .rooms.find((x) => x.code === 'av').id;
  const c = await staff.post('/api/v1/courses', { center: 'chuo', title: '手話入門', capacity: 1, allocation: 'lottery',
    apply_from: '2026-04-01', apply_until: '2026-04-05', sessions: [{ date: '2026-05-21', slot: 'evening', room_id: room }] });
  assert.equal(c.status, 201, c.text);
  const apps = {};
  for (const k of ['a', 'b', 'c']) {
    const r = await (await signIn(srv.base, ids[k], PW)).post(`/api/v1/courses/${c.json.id}/applications`, {});
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.status, 'applied');
    apps[r.json.id] = k;
  }
  assert.equal(sql("SELECT count(*) FROM outbox WHERE kind = 'course'"), '0', 'nothing before the draw');

  // the deadline passes: the draw runs by itself and tells everyone
  await restart('2026-04-06T09:00:00+09:00');
  const l = (await client(srv.base).get(`/api/v1/lotteries/${c.json.lottery_id}`)).json;
  assert.deepEqual([l.accepted.length, l.waitlist.length], [1, 2]);
  const [winner, first, second] = [l.accepted[0], ...l.waitlist].map((id) => apps[id]);
  const won = await mailTo(winner, 1, 'the place');
  assert.equal(won.subject, '【前橋市 公民館予約】講座の受講が決まりました');
  assert.match(won.body, /^受講 [abc] 様/);
  assert.match(won.body, /講座「手話入門」/);
  assert.match(won.body, /初回: 2026年5月21日（木）/);
  assert.ok(won.body.includes(`https://yoyaku.example.jp/api/v1/lotteries/${c.json.lottery_id}`));
  assert.match((await mailTo(first, 1, 'the waiting list')).body, /キャンセル待ちの1番目/);
  const w2 = await mailTo(second, 1, 'the waiting list');
  assert.equal(w2.subject, '【前橋市 公民館予約】講座の抽選の結果（キャンセル待ち）');
  assert.match(w2.body, /キャンセル待ちの2番目/);

  // the winner gives the place back: the first on the list is offered it, with a deadline
  const w = await signIn(srv.base, ids[winner], PW);
  const winApp = l.accepted[0];
  assert.equal((await w.post(`/api/v1/course-applications/${winApp}/cancel`, {})).status, 200);
  const offer = await mailTo(first, 2, 'the offer');
  assert.equal(offer.subject, '【前橋市 公民館予約】講座に空きが出ました（期限までに手続きしてください）');
  assert.match(offer.body, /2026年4月9日（木）9時00分 までに、マイページの「講座の申し込み」で「受講する」/);
  assert.ok(offer.body.includes('https://yoyaku.example.jp/my/courses'));
  assert.equal(to(second).length, 1, 'the second is not offered the same place');

  // the offer runs out: the first is told, the second is offered the place and accepts it
  await restart('2026-04-09T09:00:01+09:00');
  await client(srv.base).get('/api/v1/courses');
  const lapsed = await mailTo(first, 3, 'the lapsed offer');
  assert.equal(lapsed.subject, '【前橋市 公民館予約】講座の繰り上げの期限が過ぎました');
  assert.match(lapsed.body, /繰り上げは取り消しになりました/);
  const offer2 = await mailTo(second, 2, 'the second offer');
  assert.match(offer2.body, /2026年4月12日（日）9時00分 までに/);
  const secondApp = l.waitlist[1];
  const acc = await (await signIn(srv.base, ids[second], PW)).post(`/api/v1/course-applications/${secondApp}/accept`, {});
  assert.equal(acc.status, 200, acc.text);
  assert.equal(sql(`SELECT status FROM course_applications WHERE id = ${secondApp}`), 'accepted');
  await until('all sent', () => sql("SELECT count(*) FROM outbox WHERE kind = 'course' AND status <> 'sent'") === '0');
  assert.equal(sql("SELECT count(*) FROM outbox WHERE kind = 'course'"), '6');
});
