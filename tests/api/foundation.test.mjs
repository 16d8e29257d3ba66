// Foundation: health, catalogue, rules, feeds, errors, headers, static files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { start, client } from './harness.mjs';

let srv, api;
// Wednesday 2026-04-08 10:00 JST: an ordinary open day.
before(async () => { srv = await start({ now: '2026-04-08T10:00:00+09:00' }); api = client(srv.base); });
after(async () => { await srv.stop(); });

test('healthz answers ok with the security headers', async () => {
  const r = await api.get('/healthz');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { status: 'ok' });
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.match(r.headers.get('content-type'), /^application\/json; charset=utf-8/);
});

test('centers lists the 16 Maebashi community centres with rooms', async () => {
  const r = await api.get('/api/v1/centers');
  assert.equal(r.status, 200);
  const names = r.json.centers.map((c) => c.name);
  assert.equal(r.json.centers.length, 16);
  assert.ok(names.includes('中央公民館'));
  for (const n of ['上川淵', '下川淵', '芳賀', '桂萱', '東', '元総社', '総社', '南橘', '清里', '永明', '城南', '大胡', '宮城', '粕川', '富士見'])
    assert.ok(names.some((x) => x.startsWith(n)), `missing ${n}`);
  for (const c of r.json.centers) {
    assert.ok(c.code && c.name_kana && c.address !== undefined, c.code);
    assert.ok(c.rooms.length > 0, c.code);
    for (const room of c.rooms) {
      assert.equal(typeof room.id, 'number');
      assert.ok(room.id > 0);
      assert.ok(room.code && room.name && room.capacity > 0);
    }
  }
});

test('rules publish the version in force with slots and discounts', async () => {
  const r = await api.get('/api/v1/rules');
  assert.equal(r.status, 200);
  assert.equal(r.json.effective_from, '2026-04-01');
  assert.ok(r.json.version);
  const slots = r.json.slots.map((s) => [s.code, s.label, s.start, s.end].join(' '));
  assert.deepEqual(slots, ['morning 午前 09:00 12:00', 'afternoon 午後 13:00 17:00', 'evening 夜間 18:00 22:00']);
  assert.ok(r.json.discounts.length > 0);
  for (const d of r.json.discounts) assert.ok(d.code && d.name && d.rate > 0);
  const later = await api.get('/api/v1/rules?date=2026-11-01');
  assert.equal(later.json.effective_from, '2026-10-01');
});

test('today is free on an open day, except what can no longer be booked, and names no person', async () => {
  const r = await api.get('/api/v1/today');
  assert.equal(r.status, 200);
  assert.equal(r.json.date, '2026-04-08');
  assert.match(r.json.generated_at, /^2026-04-08T10:00:00\+09:00$/);
  assert.equal(r.json.centers.length, 16);
  for (const c of r.json.centers) for (const room of c.rooms) {
    assert.equal(room.slots.length, 3);
    // 10:00: the morning is under way, so it can no longer be booked and is never "free"
    const [morning, ...later] = room.slots;
    assert.equal(morning.state, 'closed');
    assert.equal(morning.booking, 'over');
    for (const s of later) {
      assert.equal(s.state, 'free');
      assert.equal(s.booking, 'open');
    }
  }
  const one = await api.get('/api/v1/today?center=chuo');
  assert.equal(one.json.centers.length, 1);
  assert.equal(one.json.centers[0].code, 'chuo');
});

test('closed days come from the rule book', async () => {
  // 2026-04-06 is the first Monday of April; 2026-04-13 the second; 2026-04-20 the third.
  for (const [d, state] of [['2026-04-06', 'closed'], ['2026-04-13', 'free'], ['2026-04-20', 'closed'],
    ['2026-12-29', 'closed'], ['2027-01-03', 'closed'], ['2027-01-04', 'closed'], ['2027-01-05', 'free']]) {
    const r = await api.get(`/api/v1/availability?date=${d}&center=chuo`);
    assert.equal(r.status, 200, d);
    assert.equal(r.json.date, d);
    assert.equal(r.json.centers[0].rooms[0].slots[0].state, state, d);
  }
});

test('bad dates are 422 validation; an unknown centre is 404', async () => {
  for (const q of ['date=2026-02-30', 'date=tomorrow', '', 'date=2026-4-1', 'date=2026-04-01x']) {
    const r = await api.get(`/api/v1/availability?${q}`);
    assert.equal(r.status, 422, q);
    assert.equal(r.json.error.code, 'validation');
    assert.ok(r.json.error.message.length > 0);
    assert.ok(r.json.error.fields.date);
  }
  const r = await api.get('/api/v1/availability?date=2026-04-08&center=atlantis');
  assert.equal(r.status, 404);
  assert.equal(r.json.error.code, 'not_found');
  const t = await api.get('/api/v1/today?center=atlantis');
  assert.equal(t.status, 404);
});

test('today.csv has a header row and one row per room and slot', async () => {
  const r = await api.get('/api/v1/today.csv?center=chuo');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  const lines = r.text.trim().split('\r\n');
  assert.equal(lines[0], 'date,center_code,center_name,room_id,room_code,room_name,room_kind,slot,slot_label,start,end,state');
  const json = await api.get('/api/v1/today?center=chuo');
  assert.equal(lines.length - 1, json.json.centers[0].rooms.length * 3);
  assert.match(lines[1], /^2026-04-08,chuo,中央公民館,\d+,/);
});

test('unknown paths are JSON 404, wrong methods JSON 405', async () => {
  const r = await api.get('/api/v1/no-such-thing');
  assert.equal(r.status, 404);
  assert.equal(r.json.error.code, 'not_found');
  const m = await api.req('DELETE', '/api/v1/today');
  assert.equal(m.status, 405);
  assert.equal(m.json.error.code, 'method_not_allowed');
  assert.match(m.headers.get('allow'), /GET/);
});

test('static files are served with MIME types and never from outside web/', async () => {
  const css = await fetch(srv.base + '/static/site.css');
  assert.equal(css.status, 200);
  assert.match(css.headers.get('content-type'), /^text\/css/);
  for (const p of ['/static/../Makefile', '/static/%2e%2e/Makefile', '/static/..%2fMakefile',
    '/static/.hidden', '/static/', '/static//etc/passwd', '/static/nope.css']) {
    const r = await fetch(srv.base + p);
    assert.equal(r.status, 404, p);
    await r.arrayBuffer();
  }
});

// Raw HTTP over a socket, for requests fetch() will not send.
function raw(base, text) {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    const s = net.connect(Number(port), hostname, () => s.write(text));
    let data = '';
    s.on('data', (d) => { data += d; });
    s.on('end', () => resolve(data));
    s.on('error', () => resolve(data)); // a reset after the reply still leaves the reply
    s.setTimeout(5000, () => { s.destroy(); resolve(data); });
  });
}

test('a body over the limit is 413 too_large', async () => {
  const big = JSON.stringify({ x: 'a'.repeat(100 * 1024) });
  // announced too large: refused before the body is read
  const reply = await raw(srv.base, `POST /api/v1/today HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${big.length}\r\nConnection: close\r\n\r\n`);
  assert.match(reply, /^HTTP\/1\.1 413/);
  assert.match(reply, /"too_large"/);
  // chunked, so no length is announced: refused once the limit is passed
  const chunk = 'a'.repeat(8192);
  let body = '';
  for (let i = 0; i < 12; i++) body += `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
  const reply2 = await raw(srv.base, `POST /api/v1/today HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${body}0\r\n\r\n`);
  assert.match(reply2, /^HTTP\/1\.1 413/);
});

test('keep-alive: the connection stays open across requests', async () => {
  const reply = await raw(srv.base, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal((reply.match(/HTTP\/1\.1 200/g) || []).length, 2);
});

test('"today" is in Asia/Tokyo whatever the machine time zone', async () => {
  // 2026-04-08T23:30 UTC is already 2026-04-09 08:30 in Tokyo (and still the 8th in New York).
  const s = await start({ now: '2026-04-08T23:30:00Z', env: { TZ: 'America/New_York' } });
  try {
    const r = await client(s.base).get('/api/v1/today?center=chuo');
    assert.equal(r.json.date, '2026-04-09');
    assert.equal(r.json.generated_at, '2026-04-09T08:30:00+09:00');
  } finally { await s.stop(); }
});

test('SIGINT stops the server cleanly too', async () => {
  const s = await start();
  s.proc.kill('SIGINT');
  const r = await s.stop();
  assert.equal(r.code, 0);
});
