// Operations (issue 14, docs/operations.md) through HTTP and the command line:
// national holidays close the counter but not the rooms.
//
// Each holiday case runs its own server with the clock fixed on that day.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { start, client, addUser, signIn, BIN } from './harness.mjs';

const PW = 'operations-password-123';

// A server at NOW with one staff member of chuo signed in; FN(srv, staff, rooms).
async function withCounter(now, fn) {
  const srv = await start({ now });
  try {
    const id = await addUser(srv.db, { role: 'staff', name: '窓口 職員', center: 'chuo', password: PW });
    const staff = await signIn(srv.base, id, PW);
    const rooms = {};
    const c = await client(srv.base).get('/api/v1/centers');
    for (const ce of c.json.centers) for (const r of ce.rooms) rooms[`${ce.code}/${r.code}`] = r.id;
    await fn(srv, staff, rooms);
  } finally {
    await srv.stop();
  }
}

const walkin = (staff, rooms) => staff.post('/api/v1/counter/walkin',
  { room_id: rooms['chuo/kaigi'], slots: ['afternoon'], name: '前橋 一郎', phone: '027-111-2222', payment_method: 'cash' });

// RULE: the counter is closed on national holidays (窓口は祝日を除く平日 08:30-17:15)
for (const [now, name] of [
  ['2026-04-29T10:00:00+09:00', '昭和の日'],
  ['2027-01-11T10:00:00+09:00', '成人の日'],
  ['2026-05-06T10:00:00+09:00', '振替休日'],
  ['2026-09-22T10:00:00+09:00', '国民の休日'],
]) {
  test(`${now.slice(0, 10)} (${name}) is a holiday: the counter refuses a walk-in, the rooms stay open`, async () => {
    await withCounter(now, async (srv, staff, rooms) => {
      const r = await walkin(staff, rooms);
      assert.equal(r.status, 422, r.text);
      assert.equal(r.json.error.code, 'outside_counter_hours');
      assert.match(r.json.error.message, /祝日/);
      assert.match(r.json.error.message, new RegExp(name));
      const a = await client(srv.base).get(`/api/v1/availability?date=${now.slice(0, 10)}&center=chuo`);
      assert.equal(a.status, 200);
      const slots = a.json.centers[0].rooms.flatMap((ro) => ro.slots.map((s) => s.state));
      assert.ok(slots.includes('free'), 'rooms may still be used on a holiday');
      assert.ok(!slots.includes('closed'));
    });
  });
}

test('the working day before a holiday: the counter takes the walk-in', async () => {
  await withCounter('2026-04-28T10:00:00+09:00', async (srv, staff, rooms) => {
    const r = await walkin(staff, rooms);
    assert.equal(r.status, 201, r.text);
  });
});

test('the rules say the counter is closed on holidays', async () => {
  await withCounter('2026-04-28T10:00:00+09:00', async (srv) => {
    const r = await client(srv.base).get('/api/v1/rules');
    assert.equal(r.json.counter_hours.holidays, 'closed');
    assert.match(r.json.counter_hours.description, /祝日/);
  });
});

test('check-ordinances warns (and still passes) when the holiday list ends within 12 months', () => {
  const early = spawnSync(BIN, ['check-ordinances', 'ordinances/maebashi'],
    { encoding: 'utf8', env: { ...process.env, KOMINKAN_NOW: '2026-04-01T09:00:00+09:00' } });
  assert.equal(early.status, 0, early.stderr);
  assert.doesNotMatch(early.stderr, /warning/);
  const late = spawnSync(BIN, ['check-ordinances', 'ordinances/maebashi'],
    { encoding: 'utf8', env: { ...process.env, KOMINKAN_NOW: '2027-01-10T09:00:00+09:00' } });
  assert.equal(late.status, 0, late.stderr);
  assert.match(late.stderr, /warning: holidays\.json: the list ends on 2027-11-23/);
});
