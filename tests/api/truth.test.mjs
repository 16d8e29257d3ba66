// Pages that tell the truth (issue 13, points 1 and 2): one decision
// (core/bookable.c) for what can be booked now; the feeds never say "free"
// for a slot that can no longer be booked, the pages say why (受付終了, 受付前
// with the opening date, 窓口のみ) and offer no booking link for it, and
// same_day.online false refuses online same-day booking, pointing to the counter.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, client, addUser, signIn, browserSession } from './harness.mjs';

const NOW = '2026-04-08T10:00:00+09:00';   // a Wednesday, the counter is open
const HTML = { Accept: 'text/html' };
let srv, api, room503, book, citizen;

before(async () => {
  srv = await start({ now: NOW });
  api = client(srv.base);
  const chuo = (await api.get('/api/v1/centers')).json.centers.find((c) => c.code === 'chuo');
  room503 = chuo.rooms.find((r) => r.code === 'r503').id;
  const id = await addUser(srv.db, { env: { KOMINKAN_NOW: NOW } });
  book = await signIn(srv.base, id, 'test-password-123');
  citizen = await browserSession(srv.base, id, 'test-password-123');
});
after(async () => { await srv.stop(); });

const slotOf = (feed, code) => feed.centers[0].rooms.find((r) => r.id === room503).slots.find((s) => s.code === code);

test('a slot under way or of a past date is never free in the feeds, and booking it is refused', async () => {
  const today = (await api.get('/api/v1/today?center=chuo')).json;
  assert.equal(slotOf(today, 'morning').state, 'closed');
  assert.equal(slotOf(today, 'morning').booking, 'over');
  assert.equal(slotOf(today, 'afternoon').state, 'free');
  assert.equal(slotOf(today, 'afternoon').booking, 'open');
  const yesterday = (await api.get('/api/v1/availability?date=2026-04-07&center=chuo')).json;
  for (const room of yesterday.centers[0].rooms) for (const s of room.slots) assert.notEqual(s.state, 'free');
  const r = await book.post('/api/v1/bookings', { room_id: room503, date: '2026-04-08', slots: ['morning'], purpose: '学習会', attendees: 3 });
  assert.equal(r.status, 422);
  assert.equal(r.json.error.code, 'outside_booking_window');
  const csv = await api.get('/opendata/availability.csv?from=2026-04-07&to=2026-04-07&center=chuo');
  assert.equal(csv.status, 200);
  assert.ok(!/,"free"\r?\n/.test(csv.text), 'open data: yesterday is not free');
});

test('a date whose booking has not opened is free with booking not_yet and opens_at', async () => {
  const f = (await api.get('/api/v1/availability?date=2026-08-04&center=chuo')).json;
  const s = slotOf(f, 'morning');
  assert.equal(s.state, 'free');
  assert.equal(s.booking, 'not_yet');
  assert.equal(s.opens_at, '2026-06-01T09:00:00+09:00');
});

test('pages say 受付終了 / 受付前 with the date, and link only what can be booked', async () => {
  const today = await api.get('/availability?date=2026-04-08&center=chuo', HTML);
  assert.equal(today.status, 200);
  assert.match(today.text, /受付<wbr>終了/);
  assert.ok(!today.text.includes(`/book?room=${room503}&amp;date=2026-04-08&amp;slot=morning`), 'no link for the morning under way');
  assert.ok(today.text.includes(`/book?room=${room503}&amp;date=2026-04-08&amp;slot=afternoon`), 'the afternoon is offered');
  const later = await api.get('/availability?date=2026-08-04&center=chuo', HTML);
  assert.match(later.text, /受付前<span class="when">6月1日から<\/span>/);
  assert.ok(!later.text.includes('/book?room='), 'nothing offered before the window opens');
  const month = await api.get(`/rooms/${room503}?month=2026-04`, HTML);
  assert.ok(!month.text.includes('date=2026-04-07'), 'no link to yesterday');
  assert.ok(month.text.includes(`date=2026-04-09&amp;slot=morning`), 'tomorrow is offered');
  const sign = await api.get('/signage/chuo', HTML);
  assert.match(sign.text, /受付<wbr>終了/);
  assert.match(sign.text, /受付終了: もう予約できません/);
  const form = await book.get(`/book?room=${room503}&date=2026-04-08&slot=morning`, HTML);
  assert.match(form.text, /受付は2026年4月8日（水）9:00までで、終了しました/);
});

test('same_day.online false: online same-day booking is refused with 422 pointing to the counter; pages say 窓口のみ', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kominkan-rules-'));
  cpSync('ordinances/maebashi', dir, { recursive: true });
  const file = join(dir, 'rules-2026-04-01.json');
  const rules = JSON.parse(readFileSync(file, 'utf8'));
  rules.same_day.online = false;
  writeFileSync(file, JSON.stringify(rules, null, 2));
  const s2 = await start({ now: NOW, args: ['--ordinances', dir] });
  try {
    const id = await addUser(s2.db, { env: { KOMINKAN_NOW: NOW } });
    const c = await signIn(s2.base, id, 'test-password-123');
    const r = await c.post('/api/v1/bookings', { room_id: room503, date: '2026-04-08', slots: ['afternoon'], purpose: '学習会', attendees: 3 });
    assert.equal(r.status, 422);
    assert.equal(r.json.error.code, 'outside_booking_window');
    assert.match(r.json.error.message, /インターネットでは受け付けていません。中央公民館の窓口/);
    const ok = await c.post('/api/v1/bookings', { room_id: room503, date: '2026-04-09', slots: ['afternoon'], purpose: '学習会', attendees: 3 });
    assert.equal(ok.status, 201, 'tomorrow is still taken online');
    const f = (await client(s2.base).get('/api/v1/today?center=chuo')).json;
    assert.equal(slotOf(f, 'afternoon').booking, 'counter_only');
    const page = await client(s2.base).get('/availability?date=2026-04-08&center=chuo', HTML);
    assert.match(page.text, /窓口<wbr>のみ/);
    assert.ok(!page.text.includes('/book?room='), 'nothing offered online today');
  } finally {
    await s2.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('closed days are marked with their reason in date lists and the room month (point 4)', async () => {
  const top = await api.get('/', HTML);
  assert.match(top.text, /4月20日（月） 休館日 \(第1・第3月曜日\)<\/option>/);
  const month = await api.get(`/rooms/${room503}?month=2026-04`, HTML);
  assert.match(month.text, /6日（月）<span class="day-note">休館日 \(第1・第3月曜日\)<\/span><\/th>/);
  const form = await book.get(`/book?room=${room503}&date=2026-04-21&slot=morning`, HTML);
  assert.match(form.text, /4月20日（月） 休館日 \(第1・第3月曜日\)<\/option>/);
});

test('a cancelled booking\'s permit page says it was cancelled; 許可書, never 許可証 (point 8)', async () => {
  const r = await book.post('/api/v1/bookings', { room_id: room503, date: '2026-04-10', slots: ['evening'], purpose: '学習会', attendees: 3 });
  assert.equal(r.status, 201, r.text);
  assert.equal((await book.post(`/api/v1/bookings/${r.json.id}/confirm`)).status, 200);
  assert.equal((await book.post(`/api/v1/bookings/${r.json.id}/cancel`, {})).status, 200);
  const p = await book.get(`/my/bookings/${r.json.id}/permit`, HTML);
  assert.equal(p.status, 200);
  assert.match(p.text, /<h1>この予約は取り消されています<\/h1>/);
  assert.match(p.text, new RegExp(`予約番号 ${r.json.id} は 2026年4月8日（水）10:00に取り消されました`));
  assert.ok(!p.text.includes('すでに予約されています'));
  const api2 = await book.get(`/api/v1/bookings/${r.json.id}/permit`);
  assert.equal(api2.status, 409);
  assert.ok(!api2.text.includes('許可証'), api2.text);
});

test('national holidays are marked with their name, and the counter\'s closing, in date lists and the room month (point 4)', async () => {
  // 2026-04-29 昭和の日 (a Wednesday): rooms are used as booked, the counter takes nothing.
  const top = await api.get('/', HTML);
  assert.match(top.text, /4月29日（水） 祝日 \(昭和の日\) 窓口の受付はありません<\/option>/);
  const month = await api.get(`/rooms/${room503}?month=2026-04`, HTML);
  assert.match(month.text, /29日（水）<span class="day-note">祝日 \(昭和の日\) 窓口の受付はありません<\/span><\/th>/);
  // a holiday is not a closed day: its free slots can still be booked online
  assert.ok(month.text.includes(`/book?room=${room503}&amp;date=2026-04-29&amp;slot=morning`));
  const may = await api.get(`/rooms/${room503}?month=2026-05`, HTML);
  assert.match(may.text, /6日（水）<span class="day-note">休日（振替休日） 窓口の受付はありません<\/span>/);
});

test('/today is a page for people: what can still be booked today, as links; never refreshes itself (point 14)', async () => {
  const all = await api.get('/today', HTML);
  assert.equal(all.status, 200);
  assert.match(all.headers.get('content-type'), /text\/html/);
  assert.doesNotMatch(all.text, /http-equiv="refresh"/);
  assert.match(all.text, /<h1>今日の空き<span class="sub">2026年4月8日（水）10:00 現在<\/span><\/h1>/);
  assert.ok(all.text.includes(`/book?room=${room503}&amp;date=2026-04-08&amp;slot=afternoon`), 'the afternoon is offered');
  assert.ok(!all.text.includes(`/book?room=${room503}&amp;date=2026-04-08&amp;slot=morning`), 'the morning under way is not');
  const chuo = await api.get('/today?center=chuo', HTML);
  assert.equal(chuo.status, 200);
  assert.match(chuo.text, /<h2 id="t-chuo">中央公民館<\/h2>/);
  assert.doesNotMatch(chuo.text, /id="t-(?!chuo)/, 'one centre only');
  assert.equal((await api.get('/today?center=nowhere', HTML)).status, 404);
});

test('the confirmation page never promises a free cancellation until a date already past (point 5)', async () => {
  // on 2026-04-08 the free period of a booking for 2026-04-10 ended on 2026-04-03 (7 days before)
  const near = await citizen.postForm('/book/review', { room_id: String(room503), date: '2026-04-10', slots: 'evening', purpose: '学習会', attendees: '3' });
  assert.equal(near.status, 200, near.text.slice(0, 400));
  assert.match(near.text, /無料で取り消せる期限 \(2026年4月3日（金）\) は、もう過ぎています。/);
  assert.match(near.text, /取消料 200円 がかかります/);
  assert.doesNotMatch(near.text, /まで無料です/);
  // a booking far enough ahead still has its free period, stated with its date
  const far = await citizen.postForm('/book/review', { room_id: String(room503), date: '2026-05-20', slots: 'evening', purpose: '学習会', attendees: '3' });
  assert.match(far.text, /確定した後の取り消しは、2026年5月13日（水） まで無料です。/);
});

test('after booking and on the permit: how, where and by when to pay, consistent with counter hours (point 6)', async () => {
  const chuo = (await api.get('/api/v1/centers')).json.centers.find((c) => c.code === 'chuo');
  const roomMeeting = chuo.rooms.find((r) => r.kind === '会議室').id; // never free of charge (no campaign day)
  // a Saturday evening (2026-04-18): the counter (weekdays 08:30-17:15) is closed that day,
  // so the fee is due by Friday 2026-04-17 17:15, never "at the counter" on the Saturday
  const sat = await book.post('/api/v1/bookings', { room_id: roomMeeting, date: '2026-04-18', slots: ['evening'], purpose: '学習会', attendees: 3 });
  assert.equal(sat.status, 201, sat.text);
  const page = await citizen.get(`/my/bookings/${sat.json.id}`, HTML);
  assert.match(page.text, /予約を確定したあと、使用料 <strong>[\d,]+円<\/strong> を、中央公民館 の窓口で払ってください。/);
  assert.match(page.text, /払う期限: <strong>2026年4月17日（金）17:15 まで<\/strong>/);
  // a Wednesday morning (2026-04-15, 9:00): the counter opens at 8:30 that day
  const wed = await book.post('/api/v1/bookings', { room_id: roomMeeting, date: '2026-04-15', slots: ['morning'], purpose: '学習会', attendees: 3 });
  assert.equal(wed.status, 201, wed.text);
  const conf = await book.post(`/api/v1/bookings/${wed.json.id}/confirm`, {});
  assert.equal(conf.status, 200, conf.text);
  const permit = await citizen.get(`/my/bookings/${wed.json.id}/permit`, HTML);
  assert.match(permit.text, /使用料 <strong>[\d,]+円<\/strong> を、中央公民館 の窓口で払ってください。/);
  assert.match(permit.text, /払う期限: <strong>2026年4月15日（水）9:00 まで<\/strong>/);
  // the Sunday after a holiday Monday: 2026-05-03 (日) after 4/29; the last counter day is Friday 5/1
  const sun = await book.post('/api/v1/bookings', { room_id: roomMeeting, date: '2026-05-03', slots: ['morning'], purpose: '学習会', attendees: 3 });
  const sp = await citizen.get(`/my/bookings/${sun.json.id}`, HTML);
  assert.match(sp.text, /払う期限: <strong>2026年5月1日（金）17:15 まで<\/strong>/);
});

test('the permit: the holder\'s name in full, one short code a clerk can type; the counter checks it (points 7 and 12)', async () => {
  const made = await book.post('/api/v1/bookings', { room_id: room503, date: '2026-04-22', slots: ['afternoon'], purpose: '学習会', attendees: 3 });
  assert.equal(made.status, 201, made.text);
  const id = made.json.id;
  assert.equal((await book.post(`/api/v1/bookings/${id}/confirm`, {})).status, 200);
  const page = await citizen.get(`/my/bookings/${id}/permit`, HTML);
  assert.equal(page.status, 200);
  assert.match(page.text, /<dt>名義<\/dt><dd>テスト利用者<\/dd>/, 'the full name, not initials');
  const code = page.text.match(/id="permit-code">(\d+-[0-9A-Z]{6})</)[1];
  assert.ok(code.startsWith(`${id}-`));
  const api1 = await book.get(`/api/v1/bookings/${id}/permit`);
  assert.equal(api1.json.short_code, code);
  // the counter: typed in lower case with a space, it is found genuine and usable
  const staffId = await addUser(srv.db, { role: 'staff', center: 'chuo', env: { KOMINKAN_NOW: NOW } });
  const clerk = await browserSession(srv.base, staffId, 'test-password-123');
  const typed = code.toLowerCase().replace('-', ' ');
  const ok = await clerk.postForm('/counter/permit', { permit: typed });
  assert.equal(ok.status, 200, ok.text.slice(0, 300));
  assert.match(ok.text, /本物の許可書です。この予約で使えます。/);
  assert.match(ok.text, new RegExp(`<dt>予約番号</dt><dd>${id}</dd>`));
  // one character wrong: not confirmed
  const last = code.at(-1) === 'A' ? 'B' : 'A';
  const bad = await clerk.postForm('/counter/permit', { permit: code.slice(0, -1) + last });
  assert.equal(bad.status, 200);
  assert.match(bad.text, /確認できません/);
  assert.match(bad.text, /一致しません/);
  // the JSON API takes the short code too
  const v = await api.post('/api/v1/permits/verify', { permit: code });
  assert.equal(v.json.valid, true);
  assert.equal(v.json.usable, true);
  // cancelled: genuine, not usable
  assert.equal((await book.post(`/api/v1/bookings/${id}/cancel`, {})).status, 200);
  const gone = await clerk.postForm('/counter/permit', { permit: code });
  assert.match(gone.text, /本物の許可書ですが、いまは使えません。/);
  assert.match(gone.text, /予約は取り消されています/);
  // the form is on the counter page
  const counter = await clerk.get('/counter', HTML);
  assert.match(counter.text, /action="\/counter\/permit"/);
  assert.equal((await clerk.postForm('/counter/permit', { permit: '' })).status, 422);
});

test('campaign days are shown where people look, with the fee really charged (point 3)', async () => {
  // 2026-04-15 親子の日: 和室 and 学習室 free; 2026-04-11 (Sat) 自習室開放: 学習室 free
  const form = await citizen.get(`/book?room=${room503}&date=2026-04-15&slot=morning`, HTML);
  assert.equal(form.status, 200);
  // the campaign's room is that day's, used without registration: not booked ahead (the
  // same-day use, free, is tests/api/sameday.test.mjs)
  assert.match(form.text, /4月15日（水） 親子の日 \(無料\) 当日のみ・予約はできません<\/option>/);
  assert.match(form.text, /親子の日のため、503学習室は当日、登録なしで使えます/);
  assert.match(form.text, /午前 9:00〜12:00 \(0円: 親子の日\)/);
  assert.doesNotMatch(form.text, /午前 9:00〜12:00 \(160円\)/, 'not the normal fee on a free day');
  const review = await citizen.postForm('/book/review', { room_id: String(room503), date: '2026-04-15', slots: 'morning', purpose: '学習会', attendees: '3' });
  assert.equal(review.status, 422);
  assert.match(review.text, /id="f-date-error"[^>]*>.*親子の日のため、503学習室は当日、登録なしで使えます（無料。事前の予約はできません）。/s);
  const month = await api.get(`/rooms/${room503}?month=2026-04`, HTML);
  assert.match(month.text, /15日（水）<span class="day-note campaign">親子の日 \(無料\)<\/span>/);
  assert.match(month.text, /11日（土）<span class="day-note campaign">自習室開放 \(無料\)<\/span>/);
  const day = await api.get('/availability?date=2026-04-11&center=chuo', HTML);
  assert.match(day.text, /503学習室<\/a><span class="room-meta">学習室・30人まで・自習室開放 \(無料\)<\/span>/);
  assert.doesNotMatch(day.text, /会議室・\d+人まで・自習室開放/, 'only the rooms the campaign names');
});

// The booking page for someone not signed in: the same rule check as for a
// citizen (closed day, a slot under way or past, the window, a slot taken),
// told before any sign-up, with a way back and no sign-up form for it.
test('/book for someone not signed in refuses what anyone would be refused, before the sign-up form', async () => {
  const refused = async (date, slot, why) => {
    const r = await api.get(`/book?room=${room503}&date=${date}&slot=${slot}`, HTML);
    assert.equal(r.status, 200, `${date} ${slot}`);
    assert.match(r.text, why, `${date} ${slot}`);
    assert.doesNotMatch(r.text, /action="\/register"|登録して予約へ進む|ログインして予約へ進む/, `${date} ${slot}: no sign-up for a refused slot`);
    assert.ok(r.text.includes(`href="/availability?date=${date}&amp;center=chuo"`), `${date} ${slot}: back to the availability`);
    assert.ok(r.text.includes(`href="/rooms/${room503}?month=${date.slice(0, 7)}"`), `${date} ${slot}: the room's month`);
    return r;
  };
  // a closed day (第1・第3月曜日), in the same words a citizen gets
  await refused('2026-04-20', 'morning', /2026年4月20日（月）は中央公民館の休館日です（第1・第3月曜日）/);
  // the morning is under way at 10:00
  const over = await refused('2026-04-08', 'morning', /受付は2026年4月8日（水）9:00までで、終了しました/);
  const mine = await citizen.get(`/book?room=${room503}&date=2026-04-08&slot=morning`, HTML);
  assert.match(mine.text, /受付は2026年4月8日（水）9:00までで、終了しました/, 'the citizen gets the same sentence');
  assert.match(over.text, /<title>この時間帯は予約できません/);
  // a past date, and a date whose booking has not opened yet
  await refused('2026-04-07', 'evening', /終了しました/);
  await refused('2026-08-04', 'morning', /2026年8月4日（火）の予約は2026年6月1日（月）9:00から受け付けます/);
  // a slot someone has taken: refused for both
  const made = await book.post('/api/v1/bookings', { room_id: room503, date: '2026-04-16', slots: ['afternoon'], purpose: '学習会', attendees: 3 });
  assert.equal(made.status, 201, made.text);
  await refused('2026-04-16', 'afternoon', /2026年4月16日（木） \S+ 午後はすでに予約されています/);
  const taken = await citizen.get(`/book?room=${room503}&date=2026-04-16&slot=afternoon`, HTML);
  assert.match(taken.text, /すでに予約されています/, 'the citizen is told at the top too');
  // a slot that can be booked still offers sign-up and sign-in, with the choice kept
  const ok = await api.get(`/book?room=${room503}&date=2026-04-16&slot=evening`, HTML);
  assert.match(ok.text, /選んだ日: <strong>2026年4月16日（木） 夜間<\/strong>/);
  assert.match(ok.text, /action="\/register"/);
  assert.doesNotMatch(ok.text, /予約できません/);
});

// Staff, admins and analysts who follow a 「○空き」 link: never a bare 403.
test('/book for staff leads to the counter\'s 代理の予約; admins and analysts are told who books', async () => {
  const path = `/book?room=${room503}&date=2026-04-16&slot=morning`;
  const staffId = await addUser(srv.db, { role: 'staff', name: '窓口 職員', center: 'chuo', env: { KOMINKAN_NOW: NOW } });
  const staff = await browserSession(srv.base, staffId, 'test-password-123');
  const s = await staff.get(path, HTML);
  assert.equal(s.status, 200, s.text.slice(0, 300));
  assert.match(s.text, /<h1>窓口で代理の予約をする<\/h1>/);
  assert.match(s.text, /選んだ日: <strong>2026年4月16日（木） 午前<\/strong>/);
  const behalf = `/counter/book?center=chuo&amp;room=${room503}&amp;date=2026-04-16&amp;slot=morning`;
  assert.ok(s.text.includes(`<a class="button" id="behalf" href="${behalf}">`), 'the link carries the choice');
  assert.doesNotMatch(s.text, /この操作はできません/);
  // the link leads to the form that takes it, the choice filled in
  const form = await staff.get(behalf.replace(/&amp;/g, '&'), HTML);
  assert.equal(form.status, 200);
  assert.match(form.text, new RegExp(`<option value="${room503}" selected>`));
  assert.match(form.text, /name="date" value="2026-04-16"/);
  assert.match(form.text, /name="slots" value="morning" checked/);
  // what the counter would refuse is refused here too, with the ways back
  const closed = await staff.get(`/book?room=${room503}&date=2026-04-20&slot=morning`, HTML);
  assert.match(closed.text, /休館日です/);
  assert.doesNotMatch(closed.text, /id="behalf"/);
  assert.ok(closed.text.includes('href="/availability?date=2026-04-20&amp;center=chuo"'));
  for (const role of ['admin', 'analyst']) {
    const id = await addUser(srv.db, { role, name: `${role} 担当`, env: { KOMINKAN_NOW: NOW } });
    const b = await browserSession(srv.base, id, 'test-password-123');
    const r = await b.get(path, HTML);
    assert.equal(r.status, 200, `${role}: ${r.text.slice(0, 300)}`);
    assert.match(r.text, /部屋の予約は、利用者が自分のアカウントで申し込むか、公民館の窓口で職員が受け付けます/, role);
    assert.ok(r.text.includes('href="/availability?date=2026-04-16&amp;center=chuo"'), `${role}: back to the availability`);
    assert.ok(r.text.includes(`href="/rooms/${room503}?month=2026-04"`), `${role}: the room's month`);
    if (role === 'admin') assert.ok(r.text.includes(`href="${behalf}"`), 'admin: the 代理の予約 with the choice');
    assert.doesNotMatch(r.text, /この操作はできません|action="\/book\/review"/, role);
  }
});

// A slot that is simply over is 受付終了 in the CSVs, as on the pages; 休館 is
// only for a closed day. The machine value stays "closed" (CONTRACT.md).
test('CSVs: a past or started slot is 受付終了 (closed), a closed day 休館 (closed)', async () => {
  const rowOf = (text, date, label) => text.split('\r\n').find((l) => l.startsWith(`"102016","chuo","中央公民館","${room503}",`) && l.includes(`"${date}","${label}"`));
  const od = await api.get('/opendata/availability.csv?from=2026-04-07&to=2026-04-20&center=chuo');
  assert.equal(od.status, 200);
  assert.match(rowOf(od.text, '2026-04-08', '午前'), /,"受付終了","closed"$/);
  assert.match(rowOf(od.text, '2026-04-07', '夜間'), /,"受付終了","closed"$/);
  assert.match(rowOf(od.text, '2026-04-08', '午後'), /,"空き","free"$/);
  assert.match(rowOf(od.text, '2026-04-20', '午前'), /,"休館","closed"$/);
  // today.csv keeps the feed's fields for programs (CONTRACT.md: "the same as CSV"), state "closed"
  const today = await api.get('/api/v1/today.csv?center=chuo');
  assert.equal(today.text.split('\r\n')[0], 'date,center_code,center_name,room_id,room_code,room_name,room_kind,slot,slot_label,start,end,state');
});

// The 代理の予約 form filled in from a link: each value only when it is right.
test('/counter/book?room=&date=&slot= fills in what is right and leaves out the rest', async () => {
  const staffId = await addUser(srv.db, { role: 'staff', name: '窓口 三郎', center: 'chuo', env: { KOMINKAN_NOW: NOW } });
  const staff = await browserSession(srv.base, staffId, 'test-password-123');
  const other = (await api.get('/api/v1/centers')).json.centers.find((c) => c.code !== 'chuo').rooms[0].id;
  const form = (t) => t.slice(t.indexOf('action="/counter/book"'));
  // without a centre: the room's, filled in
  const noCenter = await staff.get(`/counter/book?room=${room503}&date=2026-04-16&slot=afternoon`, HTML);
  assert.equal(noCenter.status, 200);
  assert.match(noCenter.text, /name="center" value="chuo"/);
  assert.match(form(noCenter.text), new RegExp(`<option value="${room503}" selected>`));
  assert.match(form(noCenter.text), /name="slots" value="afternoon" checked/);
  // wrong values: the form, nothing of them filled in, no error
  for (const q of [`room=${other}&date=2026-02-30&slot=noon`, `room=abc&date=x&slot=<b>`, `room=99999999&date=&slot=`]) {
    const r = await staff.get(`/counter/book?center=chuo&${q}`, HTML);
    assert.equal(r.status, 200, q);
    assert.doesNotMatch(form(r.text), / selected>| checked/, q);
    assert.doesNotMatch(form(r.text), /name="date" value="[^"]/, q);
    assert.doesNotMatch(r.text, /error-summary|<b>/, q);
  }
  // an unknown centre is still 404
  assert.equal((await staff.get(`/counter/book?center=nowhere&room=${room503}`, HTML)).status, 404);
});
