// One meaning per action (issue 19; issue 12 item 6): every action (confirm,
// cancel, pay, check in, book) gives the same outcome through its JSON route
// and through its form route, for each role, inside and outside counter
// hours. Two servers: Wednesday 2026-04-08 10:00 (counter open 08:30-17:15)
// and 17:40 the same day (closed). Each case gets its own citizen and booking,
// made alike for both routes; the outcome compared is success or the HTTP
// status (and error code where both answer JSON), and the booking's state
// afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { client, addUser, signIn, fromTemplate } from './harness.mjs';

const PW = 'parity-password-123';
const TIMES = { open: '2026-04-08T10:00:00+09:00', closed: '2026-04-08T17:40:00+09:00' };
const ROLES = ['citizen', 'staff', 'admin'];
const JSONH = { Accept: 'application/json' };
const servers = {};

function form(fields) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of [].concat(v)) p.append(k, String(x));
  return p.toString();
}

// A browser-like client: the session cookie, the CSRF token in the form field.
async function browser(base, id) {
  const api = await signIn(base, id, PW, { cookie: true });
  const c = client(base, { cookie: api.cookie });
  c.postForm = (path, fields) => c.req('POST', path, form({ csrf_token: api.session.csrf_token, ...fields }),
    { 'Content-Type': 'application/x-www-form-urlencoded', ...JSONH });
  return c;
}

// Distinct slots for the bookings a server's cases make: later dates for
// holds, today's afternoon and evening for check-in.
function slotSource() {
  const rooms = ['hall', 'r503', 'r507', 'kaigi', 'washitsu', 'cooking', 'av'];
  const dates = [];
  for (let d = 11; d <= 29; d++) {
    const day = new Date(Date.UTC(2026, 4, d)).getUTCDay();
    // not the 15th either: 親子の日's rooms (和室, 学習室) are used that day, never booked ahead
    if (day !== 0 && day !== 1 && day !== 6 && d !== 15) dates.push(`2026-05-${String(d).padStart(2, '0')}`);
  }
  let i = 0, t = 0;
  return {
    later() { const k = i++; return { room: rooms[k % rooms.length], date: dates[Math.floor(k / rooms.length) % dates.length], slot: 'afternoon' }; },
    today(slot) { const k = t++; return { room: rooms[k % rooms.length], date: '2026-04-08', slot }; },
  };
}

// The accounts, made once (fourteen argon2id hashes) for both servers, each
// of which starts on a copy: citizens made in parallel up front (each case
// needs an owner with room under the caps: 4 slots a month, 3 holds at once).
const withAccounts = fromTemplate({ now: TIMES.open }, (srv) => Promise.all([
  addUser(srv.db, { role: 'staff', name: '窓口 職員', center: 'chuo', password: PW }),
  addUser(srv.db, { role: 'admin', name: '管理 者', password: PW }),
  ...Array.from({ length: 12 }, () => addUser(srv.db, { role: 'citizen', name: '前橋 花子', password: PW }))]));

async function setup(now) {
  const { srv, data: made } = await withAccounts({ now });
  const s = { srv, slots: slotSource(), rooms: {}, pool: [] };
  [s.staffId, s.adminId] = made;
  s.api = { staff: await signIn(srv.base, s.staffId, PW), admin: await signIn(srv.base, s.adminId, PW) };
  s.form = { staff: await browser(srv.base, s.staffId), admin: await browser(srv.base, s.adminId) };
  s.pool = await Promise.all(made.slice(2).map(async (id) => ({ citizenId: id, citizen: await signIn(srv.base, id, PW),
    holds: 0, months: {} })));
  const centers = (await client(srv.base).get('/api/v1/centers')).json.centers;
  for (const r of centers.find((c) => c.code === 'chuo').rooms) s.rooms[r.code] = r.id;
  return s;
}

// A booking in STATE ('held' or 'confirmed') at SLOT, held by a citizen of
// the pool with room under the caps: {citizenId, citizen, id, fee}.
async function booking(s, slot, state) {
  const month = slot.date.slice(0, 7);
  const who = s.pool.find((c) => (c.months[month] || 0) < 4 && c.holds < 3);
  assert.ok(who, 'the pool of citizens is large enough');
  who.months[month] = (who.months[month] || 0) + 1;
  if (state === 'held') who.holds++;
  const b = await who.citizen.post('/api/v1/bookings', { room_id: s.rooms[slot.room], date: slot.date, slots: [slot.slot],
    purpose: '会議', attendees: 5 });
  assert.equal(b.status, 201, `booking ${JSON.stringify(slot)}: ${b.text}`);
  if (state === 'confirmed') assert.equal((await who.citizen.post(`/api/v1/bookings/${b.json.id}/confirm`)).status, 200);
  return { ...who, id: b.json.id, fee: b.json.fee.total };
}

// The actor of ROLE for a booking BK: through JSON (bearer) or a form (cookie).
async function actor(s, role, bk, kind) {
  if (role === 'citizen') {
    const who = s.pool.find((c) => c.citizenId === bk.citizenId);
    if (kind === 'json') return who.citizen;
    who.browser = who.browser || await browser(s.srv.base, who.citizenId);
    return who.browser;
  }
  return kind === 'json' ? s.api[role] : s.form[role];
}

const outcome = (r) => ({
  ok: (r.status >= 200 && r.status < 300) || r.status === 303,
  status: (r.status >= 200 && r.status < 300) || r.status === 303 ? 'ok' : r.status,
  code: r.json && r.json.error ? r.json.error.code : undefined,
});

// The booking BK afterwards: its status, whether it is checked in, and what
// was paid (as "the fee", "nothing" or the sum: rooms differ in fee).
async function state(s, bk) {
  const b = await s.api.admin.get(`/api/v1/bookings/${bk.id}`);
  const p = await s.api.admin.get(`/api/v1/bookings/${bk.id}/payments`);
  const paid = p.json ? p.json.paid : undefined;
  return { status: b.json.status, checked_in: Boolean(b.json.checked_in_at),
    paid: paid === bk.fee ? 'the fee' : paid === 0 ? 'nothing' : paid };
}

// Each action: how to prepare its booking, and its JSON and form calls.
const ACTIONS = {
  confirm: {
    prepare: (s) => booking(s, s.slots.later(), 'held'),
    json: (c, bk) => c.post(`/api/v1/bookings/${bk.id}/confirm`),
    form: (c, bk, role) => c.postForm(role === 'citizen' ? `/my/bookings/${bk.id}/confirm` : `/counter/bookings/${bk.id}/confirm`, { center: 'chuo' }),
    alsoForm: (c, bk, role) => role !== 'citizen' && c.postForm(`/my/bookings/${bk.id}/confirm`, {}),
  },
  cancel: {
    prepare: (s) => booking(s, s.slots.later(), 'confirmed'),
    json: (c, bk) => c.post(`/api/v1/bookings/${bk.id}/cancel`, { reason: '都合により' }),
    form: (c, bk) => c.postForm('/forms/cancel', { booking_id: bk.id, reason: '都合により' }),
  },
  pay: {
    prepare: (s) => booking(s, s.slots.later(), 'confirmed'),
    json: (c, bk) => c.post(`/api/v1/bookings/${bk.id}/payments`, { method: 'cash', amount: bk.fee }),
    form: (c, bk) => c.postForm(`/counter/bookings/${bk.id}/pay`, { method: 'cash', amount: String(bk.fee), center: 'chuo' }),
  },
  checkin: {
    prepare: (s, when) => booking(s, s.slots.today(when === 'open' ? 'afternoon' : 'evening'), 'confirmed'),
    json: (c, bk) => c.post(`/api/v1/bookings/${bk.id}/checkin`),
    form: (c, bk) => c.postForm(`/counter/bookings/${bk.id}/checkin`, { center: 'chuo' }),
  },
};

// What the issue and docs/counter.md say must happen (so the parity cannot be
// a shared mistake): staff and admins act only inside counter hours; citizens
// confirm and cancel their own at any time and never pay or check in.
function expected(action, role, when) {
  if (role === 'citizen') return action === 'confirm' || action === 'cancel' ? 'ok' : 403;
  return when === 'open' ? 'ok' : 422;
}

before(async () => {
  servers.open = await setup(TIMES.open);
  servers.closed = await setup(TIMES.closed);
});
after(async () => {
  for (const s of Object.values(servers)) await s.srv.stop();
});

for (const when of Object.keys(TIMES)) {
  for (const [name, a] of Object.entries(ACTIONS)) {
    for (const role of ROLES) {
      test(`${name} by ${role}, counter ${when}: the JSON route and the form route agree`, async () => {
        const s = servers[when];
        const [bj, bf] = await Promise.all([a.prepare(s, when), a.prepare(s, when)]);
        const rj = await a.json(await actor(s, role, bj, 'json'), bj, role);
        const fc = await actor(s, role, bf, 'form');
        const rf = await a.form(fc, bf, role);
        const [oj, of] = [outcome(rj), outcome(rf)];
        assert.equal(oj.status, expected(name, role, when), `JSON ${name}: ${rj.status} ${rj.text.slice(0, 300)}`);
        assert.equal(of.status, oj.status, `form ${name}: ${rf.status} ${rf.text.slice(0, 300)}`);
        if (oj.code && of.code) assert.equal(of.code, oj.code);
        assert.deepEqual(await state(s, bf), await state(s, bj), 'the booking afterwards');
        if (a.alsoForm) { // staff may confirm from the booking's own page too
          const b2 = await a.prepare(s, when);
          const r2 = await a.alsoForm(await actor(s, role, b2, 'form'), b2, role);
          if (r2) {
            assert.equal(outcome(r2).status, oj.status, `/my/bookings/{id}/confirm: ${r2.status} ${r2.text.slice(0, 300)}`);
            assert.deepEqual(await state(s, b2), await state(s, bj));
          }
        }
      });
    }
  }
  test(`book by each role, counter ${when}: POST /api/v1/bookings and POST /forms/booking agree`, async () => {
    const s = servers[when];
    for (const role of ROLES) {
      const slotJ = s.slots.later(), slotF = s.slots.later();
      const bk = role === 'citizen' ? await booking(s, s.slots.later(), 'held') : null;
      const body = (slot) => ({ room_id: s.rooms[slot.room], date: slot.date, slots: [slot.slot], purpose: '会議', attendees: 5 });
      const jc = role === 'citizen' ? bk.citizen : s.api[role];
      const fc = role === 'citizen' ? await actor(s, 'citizen', bk, 'form') : s.form[role];
      const rj = await jc.post('/api/v1/bookings', body(slotJ));
      if (bk) { bk.holds = s.pool.find((c) => c.citizenId === bk.citizenId).holds += 2; } // the two below
      const b = body(slotF);
      const rf = await fc.postForm('/forms/booking', { ...b, slots: b.slots, attendees: String(b.attendees) });
      assert.equal(outcome(rj).status, role === 'citizen' ? 'ok' : 403, `${role}: ${rj.text.slice(0, 200)}`);
      assert.equal(outcome(rf).status, outcome(rj).status, `${role} form: ${rf.text.slice(0, 200)}`);
    }
    // staff book FOR a citizen only at the counter, and only in its hours
    const holder = await booking(s, s.slots.later(), 'held');
    const slot = s.slots.later();
    for (const role of ['staff', 'admin']) {
      const r = await s.api[role].post('/api/v1/bookings', { on_behalf_of: holder.citizenId, room_id: s.rooms[slot.room],
        date: slot.date, slots: [slot.slot], purpose: '会議', attendees: 5 });
      if (when === 'open') {
        assert.equal(r.status, 201, r.text);
        s.pool.find((c) => c.citizenId === holder.citizenId).holds++;
        break;
      }
      assert.equal(r.status, 422, r.text);
      assert.equal(r.json.error.code, 'outside_counter_hours');
    }
    // citizens cannot book for someone else
    const other = await booking(s, s.slots.later(), 'held');
    const r = await holder.citizen.post('/api/v1/bookings', { on_behalf_of: other.citizenId, room_id: s.rooms[slot.room],
      date: slot.date, slots: [slot.slot], purpose: '会議', attendees: 5 });
    assert.equal(r.status, 403, r.text);
  });
}
