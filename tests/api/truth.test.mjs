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
import { start, client, addUser, signIn } from './harness.mjs';

const NOW = '2026-04-08T10:00:00+09:00';   // a Wednesday, the counter is open
const HTML = { Accept: 'text/html' };
let srv, api, room503, book;

before(async () => {
  srv = await start({ now: NOW });
  api = client(srv.base);
  const chuo = (await api.get('/api/v1/centers')).json.centers.find((c) => c.code === 'chuo');
  room503 = chuo.rooms.find((r) => r.code === 'r503').id;
  const id = await addUser(srv.db, { env: { KOMINKAN_NOW: NOW } });
  book = await signIn(srv.base, id, 'test-password-123');
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
  assert.match(top.text, /4月20日\(月\) 休館日 \(第1・第3月曜日\)<\/option>/);
  const month = await api.get(`/rooms/${room503}?month=2026-04`, HTML);
  assert.match(month.text, /6日\(月\)<span class="day-note">休館日 \(第1・第3月曜日\)<\/span><\/th>/);
  const form = await book.get(`/book?room=${room503}&date=2026-04-21&slot=morning`, HTML);
  assert.match(form.text, /4月20日\(月\) 休館日 \(第1・第3月曜日\)<\/option>/);
});

test('a cancelled booking\'s permit page says it was cancelled; 許可書, never 許可証 (point 8)', async () => {
  const r = await book.post('/api/v1/bookings', { room_id: room503, date: '2026-04-10', slots: ['evening'], purpose: '学習会', attendees: 3 });
  assert.equal(r.status, 201, r.text);
  assert.equal((await book.post(`/api/v1/bookings/${r.json.id}/confirm`)).status, 200);
  assert.equal((await book.post(`/api/v1/bookings/${r.json.id}/cancel`, {})).status, 200);
  const p = await book.get(`/my/bookings/${r.json.id}/permit`, HTML);
  assert.equal(p.status, 200);
  assert.match(p.text, /<h1>この予約は取り消されています<\/h1>/);
  assert.match(p.text, new RegExp(`予約番号 ${r.json.id} は 2026年4月8日\\(水\\) 10:00に取り消されました`));
  assert.ok(!p.text.includes('すでに予約されています'));
  const api2 = await book.get(`/api/v1/bookings/${r.json.id}/permit`);
  assert.equal(api2.status, 409);
  assert.ok(!api2.text.includes('許可証'), api2.text);
});
