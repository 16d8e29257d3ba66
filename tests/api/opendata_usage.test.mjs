// /opendata/usage.csv: each centre's use month by month (提供コマ数, 利用コマ数,
// 利用率, 利用件数, 申告利用人数) of a fiscal year, the months that have ended
// only, for anyone, as open data: never a person or a group (docs/opendata.md).
// Bookings are made on 2026-04-08, then the server starts again on
// 2026-06-10: April and May have ended, June has not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, client, addUser, signIn } from './harness.mjs';

const PW = 'usage-password-1234';
let srv, anon, analyst;

async function roomId(c, center, code) {
  const centers = (await c.get('/api/v1/centers')).json.centers;
  return centers.find((x) => x.code === center).rooms.find((x) => x.code === code).id;
}

before(async () => {
  const first = await start({ now: '2026-04-08T10:00:00+09:00' });
  try {
    await book(first);
  } finally {
    await first.stop({ keep: true });
  }
  srv = await start({ now: '2026-06-10T10:00:00+09:00', db: first.db, dir: first.dir, ownDir: true });
  anon = client(srv.base);
  analyst = await signIn(srv.base, await addUser(srv.db, { role: 'analyst', name: '分析 五郎', password: PW }), PW);
});
after(async () => { await srv?.stop(); });

async function book(first) {
  const who = await addUser(first.db, { name: '使用 花子', password: PW });
  const c = await signIn(first.base, who, PW);
  const washitsu = await roomId(c, 'chuo', 'washitsu');
  for (const [date, slots, attendees] of [['2026-04-21', ['morning', 'afternoon'], 12], ['2026-05-12', ['evening'], 7],
    ['2026-06-02', ['morning'], 5]]) {
    const b = await c.post('/api/v1/bookings', { room_id: washitsu, date, slots, purpose: '使用 花子の会の例会', attendees });
    assert.equal(b.status, 201, b.text);
    assert.equal((await c.post(`/api/v1/bookings/${b.json.id}/confirm`)).status, 200);
  }
}

const rows = (text) => text.replace(/^\uFEFF/, '').trim().split('\r\n').map((l) => l.slice(1, -1).split('","'));

test('the months ended of this fiscal year, each centre, the reports\' figures; no person', async () => {
  const raw = await fetch(`${srv.base}/opendata/usage.csv`);
  assert.deepEqual([...new Uint8Array(await raw.clone().arrayBuffer()).subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with BOM');
  const r = await anon.req('GET', '/opendata/usage.csv');
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^text\/csv; charset=utf-8/);
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
  assert.ok(r.text.replace(/^\uFEFF/, '').startsWith('"全国地方公共団体コード","年月","公民館ID","公民館名","提供コマ数","利用コマ数","利用率","利用件数","申告利用人数"\r\n'));
  const body = rows(r.text).slice(1);
  const months = [...new Set(body.map((x) => x[1]))];
  assert.deepEqual(months, ['2026-04', '2026-05'], 'June has not ended');
  assert.equal(body.length, 2 * 16, 'every centre, every month');
  const april = body.find((x) => x[1] === '2026-04' && x[2] === 'chuo');
  const may = body.find((x) => x[1] === '2026-05' && x[2] === 'chuo');
  assert.deepEqual([april[0], april[3], april[5], april[7], april[8]], ['102016', '中央公民館', '2', '1', '12']);
  assert.deepEqual([may[5], may[7], may[8]], ['1', '1', '7']);
  // the same figures as the analysts' usage report
  const rep = (await analyst.get('/api/v1/reports/usage?from=2026-04-01&to=2026-04-30&by=center&center=chuo')).json.rows[0];
  assert.equal(Number(april[4]), rep.slots_available);
  assert.equal(Number(april[5]), rep.slots_booked);
  assert.equal(Number(april[6]).toFixed(4), rep.occupancy.toFixed(4));
  assert.doesNotMatch(r.text, /使用 花子|例会/, 'no person, no purpose');
  // a year asked for: the same; a year with no month ended, or not a year: 422 at year
  assert.equal((await anon.req('GET', '/opendata/usage.csv?year=2026')).text, r.text);
  // the rule book (and so the system) begins in fiscal 2026: 2025 has nothing to count
  for (const y of ['2027', '2025', '26', 'x', '2026-04', '1999']) {
    const bad = await anon.get(`/opendata/usage.csv?year=${encodeURIComponent(y)}`);
    assert.equal(bad.status, 422, `${y}: ${bad.text}`);
    assert.equal(bad.json.error.code, 'validation');
    assert.match(bad.json.error.fields.year, /年度/);
  }
});

test('a booking made now is in no month ended: the file stays as it was', async () => {
  const a = await anon.req('GET', '/opendata/usage.csv');
  const who = await addUser(srv.db, { name: '使用 次郎', password: PW });
  const c = await signIn(srv.base, who, PW);
  const b = await c.post('/api/v1/bookings', { room_id: await roomId(c, 'chuo', 'washitsu'), date: '2026-06-20',
    slots: ['morning'], purpose: '会議', attendees: 3 });
  assert.equal(b.status, 201, b.text);
  const again = await anon.req('GET', '/opendata/usage.csv');
  assert.equal(again.text, a.text);
});
