// Operations (issue 14, docs/operations.md) through HTTP and the command line:
// national holidays close the counter but not the rooms.
//
// Each holiday case runs its own server with the clock fixed on that day.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { start, client, addUser, signIn, BIN, wellFormed, fromTemplate } from './harness.mjs';

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

test('check-ordinances warns (and still passes) once the next year\'s holidays are published and missing', () => {
  const run = (now) => spawnSync(BIN, ['check-ordinances', 'ordinances/maebashi'],
    { encoding: 'utf8', env: { ...process.env, KOMINKAN_NOW: now } });
  // the book lists 2020-2027; 2028's holidays are published in February 2027
  const early = run('2027-01-29T09:00:00+09:00');
  assert.equal(early.status, 0, early.stderr);
  assert.doesNotMatch(early.stderr, /warning/);
  const late = run('2027-02-01T09:00:00+09:00');
  assert.equal(late.status, 0, late.stderr);
  assert.match(late.stderr, /warning: holidays\.json: the list ends on 2027-11-23: add 2028's holidays/);
});

// ------------------------------------------------------------------ users, audit, accounts

const NOW = '2026-04-08T10:00:00+09:00'; // a Wednesday, counter open

function sql(db, q) {
  const r = spawnSync('sqlite3', [db, q], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

function cli(args, input) {
  return spawnSync(BIN, args, { encoding: 'utf8', input: input ?? '',
    env: { ...process.env, KOMINKAN_NOW: NOW } });
}

// A server with an admin, a staff member of chuo, an analyst and a citizen,
// each signed in: made once (eight argon2id hashes), copied for each test.
const city = fromTemplate({ now: NOW }, async (srv) => {
  const ids = {};
  ids.admin = await addUser(srv.db, { role: 'admin', name: '管理 花子', password: PW });
  ids.staff = await addUser(srv.db, { role: 'staff', name: '窓口 次郎', center: 'chuo', password: PW });
  ids.analyst = await addUser(srv.db, { role: 'analyst', name: '分析 三郎', password: PW });
  const made = await client(srv.base).post('/api/v1/accounts', { name: '前橋 市民', name_kana: 'マエバシ シミン',
    email: 'shimin@example.jp', phone: '027-222-3333', password: PW, resident: true });
  assert.equal(made.status, 201, made.text);
  ids.citizen = made.json.system_id;
  const sessions = {};
  for (const k of Object.keys(ids)) sessions[k] = (await signIn(srv.base, ids[k], PW)).session;
  return { ids, sessions };
});

async function withCity(fn) {
  const { srv, data: { ids, sessions } } = await city();
  try {
    const who = {};
    for (const k of Object.keys(sessions)) who[k] = Object.assign(client(srv.base, { token: sessions[k].token }), { session: sessions[k] });
    const anon = client(srv.base);
    const rooms = {};
    const c = await anon.get('/api/v1/centers');
    for (const ce of c.json.centers) for (const r of ce.rooms) rooms[`${ce.code}/${r.code}`] = r.id;
    await fn({ srv, ids, who, anon, rooms });
  } finally {
    await srv.stop();
  }
}

test('users: admins list and search; staff and analysts 403; the contract shape', async () => {
  await withCity(async ({ ids, who }) => {
    const r = await who.admin.get('/api/v1/users?role=staff');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.users.map((u) => u.system_id), [ids.staff]);
    const u = r.json.users[0];
    for (const k of ['system_id', 'name', 'role', 'center', 'status']) assert.ok(k in u, k);
    assert.equal(u.center, 'chuo');
    assert.equal(u.status, 'active');
    const q = await who.admin.get(`/api/v1/users?q=${encodeURIComponent('市民')}`);
    assert.deepEqual(q.json.users.map((x) => x.system_id), [ids.citizen]);
    // an unknown status or role is a mistake said at its field, not an empty list (route attack)
    const bogus = await who.admin.get('/api/v1/users?status=bogus');
    assert.equal(bogus.status, 422, bogus.text);
    assert.equal(bogus.json.error.code, 'validation');
    assert.match(bogus.json.error.fields.status, /active.*disabled.*closed/);
    const root = await who.admin.get('/api/v1/users?role=root');
    assert.equal(root.status, 422, root.text);
    assert.match(root.json.error.fields.role, /citizen/);
    // so is a centre that does not exist, on the API and on the admin page (the search form
    // again, the error at 所属, no list); a real one filters
    const nowhere = await who.admin.get('/api/v1/users?center=nowhere');
    assert.equal(nowhere.status, 422, nowhere.text);
    assert.equal(nowhere.json.error.code, 'validation');
    assert.match(nowhere.json.error.fields.center, /公民館「nowhere」はありません。.*chuo/);
    assert.deepEqual((await who.admin.get('/api/v1/users?center=chuo')).json.users.map((x) => x.system_id), [ids.staff]);
    const page = await who.admin.get('/admin/users?center=nowhere', { Accept: 'text/html' });
    assert.equal(page.status, 422, page.text.slice(0, 300));
    assert.match(page.text, /<title>入力エラー: 利用者の管理 \|/);
    assert.match(page.text, /<a href="#f-center">所属: 公民館「nowhere」はありません。/);
    assert.match(page.text, /<select[^>]*id="f-center"[^>]*aria-invalid="true"/);
    assert.doesNotMatch(page.text, /<caption>利用者<\/caption>/);
    const chuo = await who.admin.get('/admin/users?center=chuo', { Accept: 'text/html' });
    assert.equal(chuo.status, 200);
    assert.ok(chuo.text.includes(`>${ids.staff}</a>`) && !chuo.text.includes(ids.citizen), 'chuo\'s staff only');
    assert.match(chuo.text, /<option value="chuo" selected>/);
    assert.deepEqual((await who.admin.get('/api/v1/users?status=active&role=staff')).json.users
      .map((x) => x.system_id), [ids.staff]);
    assert.equal((await who.staff.get('/api/v1/users')).status, 403);
    assert.equal((await who.analyst.get('/api/v1/users')).status, 403);
    assert.equal((await who.citizen.get('/api/v1/users')).status, 403);
  });
});

test('a clerk disabled mid-session is refused on the next request and cannot sign in; enabled again, can', async () => {
  await withCity(async ({ srv, ids, who }) => {
    assert.equal((await who.staff.get('/api/v1/counter/today?center=chuo')).status, 200);
    const d = await who.admin.post(`/api/v1/users/${ids.staff}/disable`);
    assert.equal(d.status, 200, d.text);
    assert.equal(d.json.status, 'disabled');
    const next = await who.staff.get('/api/v1/counter/today?center=chuo');
    assert.equal(next.status, 401);
    const again = await client(srv.base).post('/api/v1/session', { system_id: ids.staff, password: PW });
    assert.equal(again.status, 401);
    assert.equal((await who.admin.post(`/api/v1/users/${ids.admin}/disable`)).status, 409, 'not oneself');
    assert.equal((await who.admin.post(`/api/v1/users/${ids.staff}/enable`)).status, 200);
    await signIn(srv.base, ids.staff, PW);
    const trail = await who.admin.get('/api/v1/audit?action=user');
    const actions = trail.json.entries.map((e) => e.action);
    assert.ok(actions.includes('user.disable') && actions.includes('user.enable'), actions.join());
    const e = trail.json.entries.find((x) => x.action === 'user.disable');
    assert.equal(e.actor.system_id, ids.admin);
    assert.equal(e.actor.name, '管理 花子');
    assert.equal(e.actor.role, 'admin');
    assert.equal(e.target, `account:${Number(ids.staff)}`);
  });
});

test('admins create staff, change a role and home centre, and reset a staff password', async () => {
  await withCity(async ({ srv, who }) => {
    const c = await who.admin.post('/api/v1/users', { name: '新人 職員', role: 'staff', center: 'kamikawabuchi', password: 'brand-new-password-1' });
    assert.equal(c.status, 201, c.text);
    assert.equal(c.json.role, 'staff');
    assert.equal(c.json.center, 'kamikawabuchi');
    const id = c.json.system_id;
    const noCenter = await who.admin.post('/api/v1/users', { name: '誰か', role: 'staff', password: 'brand-new-password-1' });
    assert.equal(noCenter.status, 422);
    const role = await who.admin.post(`/api/v1/users/${id}/role`, { role: 'admin', center: 'chuo' });
    assert.equal(role.status, 200, role.text);
    assert.equal(role.json.role, 'admin');
    const pw = await who.admin.post(`/api/v1/users/${id}/password`, { password: 'reset-by-admin-123' });
    assert.equal(pw.status, 200, pw.text);
    const s = await signIn(srv.base, id, 'reset-by-admin-123');
    assert.equal(s.session.role, 'admin');
  });
});

test('the audit trail names the clerk of a walk-in and of every view of personal data; analysts 403', async () => {
  await withCity(async ({ srv, ids, who, rooms }) => {
    const b = await who.citizen.post('/api/v1/bookings', { room_id: rooms['chuo/kaigi'], date: '2026-04-08', slots: ['evening'], purpose: '会議', attendees: 3 });
    assert.equal(b.status, 201, b.text);
    const w = await who.staff.post('/api/v1/counter/walkin', { room_id: rooms['chuo/kaigi'], slots: ['afternoon'], name: '前橋 一郎', phone: '027-111-2222', payment_method: 'cash' });
    assert.equal(w.status, 201, w.text);
    assert.equal((await who.staff.get('/api/v1/counter/today?center=chuo')).status, 200);
    assert.equal((await who.staff.get(`/api/v1/bookings/${b.json.id}`)).status, 200);

    const a = await who.admin.get('/api/v1/audit?from=2026-04-08&to=2026-04-08');
    assert.equal(a.status, 200, a.text);
    const by = (act) => a.json.entries.filter((e) => e.action === act);
    const walk = by('counter.walkin')[0];
    assert.ok(walk, JSON.stringify(a.json.entries.map((e) => e.action)));
    assert.equal(walk.actor.system_id, ids.staff);
    assert.equal(walk.actor.name, '窓口 次郎');
    assert.equal(walk.actor.role, 'staff');
    assert.equal(walk.actor.center, 'chuo');
    assert.equal(walk.address, '127.0.0.1');
    assert.match(walk.target, /^booking:\d+$/);
    assert.ok(by('counter.today.view').some((e) => e.subject === ids.citizen));
    assert.ok(by('booking.view').some((e) => e.target === `booking:${b.json.id}`));
    for (const e of a.json.entries) for (const k of ['at', 'actor', 'action', 'target']) assert.ok(k in e);

    const csv = await who.admin.get('/api/v1/audit?format=csv&action=counter');
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type'), /text\/csv/);
    assert.match(csv.text.replace(/^\uFEFF/, ""), /^id,at,actor_system_id,actor_name/);
    assert.match(csv.text, /窓口 次郎/);

    assert.equal((await who.analyst.get('/api/v1/audit')).status, 403);
    assert.equal((await who.staff.get('/api/v1/audit')).status, 403);
    assert.equal((await who.citizen.get('/api/v1/audit')).status, 403);

    // the citizen sees who at the city looked at their data: centre and role, not the name
    const d = await who.citizen.get('/api/v1/me/disclosures');
    assert.equal(d.status, 200, d.text);
    const views = d.json.entries.filter((e) => e.action === 'counter.today.view');
    assert.ok(views.length >= 1);
    assert.equal(views[0].center, 'chuo');
    assert.equal(views[0].role, 'staff');
    assert.equal(views[0].action_label, '窓口の今日の予約一覧で、予約者の情報を表示');
    assert.doesNotMatch(d.text, /窓口 次郎/);
    assert.doesNotMatch(d.text, new RegExp(ids.staff));
  });
});

test('the audit trail is append-only and audit-verify finds an edited row', async () => {
  await withCity(async ({ srv, ids, who }) => {
    await who.admin.post(`/api/v1/users/${ids.staff}/disable`);
    await who.admin.post(`/api/v1/users/${ids.staff}/enable`);
    await who.admin.get('/api/v1/users');
    const ok = cli(['audit-verify', '--db', srv.db]);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /chain holds/);
    const upd = spawnSync('sqlite3', [srv.db, "UPDATE audit_trail SET actor_name = 'x' WHERE id = 1"], { encoding: 'utf8' });
    assert.notEqual(upd.status, 0);
    assert.match(upd.stderr, /append-only/);
    const del = spawnSync('sqlite3', [srv.db, 'DELETE FROM audit_trail WHERE id = 1'], { encoding: 'utf8' });
    assert.notEqual(del.status, 0);
    // someone with the file drops the trigger and edits a row: the chain breaks there
    const n = Number(sql(srv.db, 'SELECT count(*) FROM audit_trail'));
    assert.ok(n >= 3);
    sql(srv.db, "DROP TRIGGER audit_trail_no_update; UPDATE audit_trail SET actor_name = '誰か' WHERE id = 2");
    const bad = cli(['audit-verify', '--db', srv.db]);
    assert.equal(bad.status, 1);
    assert.match(bad.stdout, /row 2/);
  });
});

test('command line: user list, disable, enable, reset-password (password on standard input)', async () => {
  await withCity(async ({ srv, ids }) => {
    const l = cli(['user', 'list', '--db', srv.db, '--role', 'staff']);
    assert.equal(l.status, 0, l.stderr);
    assert.equal(l.stdout.trim().split('\n').length, 1);
    assert.equal(l.stdout.split('\t')[0], ids.staff);
    const bad = cli(['user', 'list', '--db', srv.db, '--center', 'nowhere']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--center: 公民館「nowhere」はありません。/);
    assert.equal(cli(['user', 'list', '--db', srv.db, '--center', 'chuo']).stdout.split('\t')[0], ids.staff);
    assert.equal(cli(['user', 'disable', '--db', srv.db, '--id', ids.staff]).status, 0);
    assert.equal((await client(srv.base).post('/api/v1/session', { system_id: ids.staff, password: PW })).status, 401);
    assert.match(cli(['user', 'list', '--db', srv.db, '--role', 'staff']).stdout, /disabled/);
    assert.equal(cli(['user', 'enable', '--db', srv.db, '--id', ids.staff]).status, 0);
    const r = cli(['user', 'reset-password', '--db', srv.db, '--id', ids.staff], 'cli-new-password-1\n');
    assert.equal(r.status, 0, r.stderr);
    await signIn(srv.base, ids.staff, 'cli-new-password-1');
    assert.equal(cli(['user', 'reset-password', '--db', srv.db, '--id', ids.staff], 'short\n').status, 1);
    assert.equal(cli(['user', 'disable', '--db', srv.db, '--id', '123']).status, 2);
    assert.match(sql(srv.db, "SELECT group_concat(action) FROM audit_trail WHERE actor_role = 'system'"), /user\.disable,user\.enable,user\.reset_password/);
  });
});

test('password reset: 202 with the same body whether or not the ID exists', async () => {
  await withCity(async ({ ids, anon }) => {
    const known = await anon.post('/api/v1/password-reset', { system_id: ids.citizen });
    const unknown = await anon.post('/api/v1/password-reset', { system_id: wellFormed('12345678') === ids.citizen ? wellFormed('12345679') : wellFormed('12345678') });
    assert.equal(known.status, 202, known.text);
    assert.equal(unknown.status, 202, unknown.text);
    assert.equal(known.text, unknown.text);
    assert.equal((await anon.post('/api/v1/password-reset', {})).status, 422);
  });
});

test('password reset at the counter: a one-time code works once and signs every session out', async () => {
  await withCity(async ({ srv, ids, who, anon }) => {
    assert.equal((await who.citizen.post(`/api/v1/users/${ids.citizen}/reset-code`)).status, 403);
    const c = await who.staff.post(`/api/v1/users/${ids.citizen}/reset-code`);
    assert.equal(c.status, 201, c.text);
    assert.match(c.json.code, /^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    assert.equal(c.json.expires_at, '2026-04-09T10:00:00+09:00');
    const wrongId = await anon.post('/api/v1/password-reset/confirm', { system_id: ids.staff, code: c.json.code, password: 'a-new-password-99' });
    assert.equal(wrongId.status, 404);
    const ok = await anon.post('/api/v1/password-reset/confirm', { system_id: ids.citizen, code: c.json.code.toLowerCase(), password: 'a-new-password-99' });
    assert.equal(ok.status, 200, ok.text);
    const twice = await anon.post('/api/v1/password-reset/confirm', { system_id: ids.citizen, code: c.json.code, password: 'another-password-9' });
    assert.equal(twice.status, 404);
    assert.equal((await who.citizen.get('/api/v1/me')).status, 401, 'the old session ended');
    await signIn(srv.base, ids.citizen, 'a-new-password-99');
    const t = await who.admin.get('/api/v1/audit?action=password');
    assert.ok(t.json.entries.some((e) => e.action === 'password.reset_code' && e.actor.system_id === ids.staff));
  });
});

test('the password reset page: every field its own id and label; a wrong code comes back at the code field (422); the API stays 404', async () => {
  await withCity(async ({ srv, ids, who, anon }) => {
    const page = await anon.get('/password-reset');
    assert.equal(page.status, 200);
    const idsOf = (html) => [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    const all = idsOf(page.text);
    assert.deepEqual(all.filter((x, i) => all.indexOf(x) !== i), [], 'no id twice on the page');
    // each form's 利用者番号 field has a label of its own, inside that form
    const fieldIds = [];
    for (const action of ['/password-reset', '/password-reset/confirm']) {
      const form = page.text.split('<form').find((f) => f.includes(`action="${action}"`));
      const [, id] = form.match(/<input[^>]*id="([^"]+)" name="[a-z_]*system_id"/);
      assert.match(form, new RegExp(`<label class="field-label" for="${id}">利用者番号`), action);
      fieldIds.push(id);
    }
    assert.notEqual(fieldIds[0], fieldIds[1]);

    const FORMH = { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'text/html' };
    const post = (path, f) => anon.post(path, new URLSearchParams(f).toString(), FORMH);
    const code = (await who.staff.post(`/api/v1/users/${ids.citizen}/reset-code`)).json.code;
    const wrong = await post('/password-reset/confirm', { system_id: ids.citizen, code: 'AAAA-BBBB-CCCC', password: 'a-typed-password-77' });
    assert.equal(wrong.status, 422, wrong.text.slice(0, 300));
    assert.match(wrong.text, /<title>入力エラー: パスワードの再設定 \|/);
    assert.match(wrong.text, /href="#f-code">再設定のコード: このコードは使えません/);
    assert.match(wrong.text, /id="f-code-error"><span[^>]*>!<\/span>このコードは使えません/);
    assert.match(wrong.text, /id="f-code" name="code" value="AAAA-BBBB-CCCC"[^>]* aria-invalid="true"/);
    assert.match(wrong.text, new RegExp(`id="f-system_id" name="system_id" value="${ids.citizen}"`));
    assert.doesNotMatch(wrong.text, /a-typed-password-77/, 'a password is never written back');
    assert.doesNotMatch(wrong.text, /note-ok/, 'a refusal is not shown as a success');
    const all2 = idsOf(wrong.text);
    assert.deepEqual(all2.filter((x, i) => all2.indexOf(x) !== i), [], 'no id twice on the failed page');
    // the mail form's refusal is at its own field, not at the code form's
    const noId = await post('/password-reset', { [fieldIds[0].slice(2)]: '12' });
    assert.equal(noId.status, 422);
    assert.match(noId.text, new RegExp(`href="#${fieldIds[0]}"`));
    assert.match(noId.text, new RegExp(`id="${fieldIds[0]}-error"`));
    assert.doesNotMatch(noId.text, /id="f-system_id-error"/);
    // a link that cannot be used: said plainly, with the forms to ask again
    const link = await post('/password-reset/confirm', { token: 'x'.repeat(43), password: 'a-typed-password-77' });
    assert.equal(link.status, 422);
    assert.match(link.text, /class="error-summary"[^]*このリンクは使えません/);
    assert.match(link.text, /action="\/password-reset"/);
    // the API keeps its documented answer
    const api = await anon.post('/api/v1/password-reset/confirm', { system_id: ids.citizen, code: 'AAAA-BBBB-CCCC', password: 'a-typed-password-77' });
    assert.equal(api.status, 404);
    assert.equal(api.json.error.code, 'not_found');
    // nothing changed: the right code still works, once
    const ok = await post('/password-reset/confirm', { system_id: ids.citizen, code, password: 'a-new-password-78' });
    assert.equal(ok.status, 303, ok.text.slice(0, 300));
    await signIn(srv.base, ids.citizen, 'a-new-password-78');
  });
});

test('a citizen edits their details and closes the account (退会): data erased, holds released, bookings kept', async () => {
  await withCity(async ({ srv, ids, who, rooms }) => {
    const e = await who.citizen.post('/api/v1/me/profile', { name: '前橋 新名', phone: '' });
    assert.equal(e.status, 200, e.text);
    assert.equal(e.json.name, '前橋 新名');
    assert.equal(e.json.phone, null);
    assert.equal((await who.citizen.post('/api/v1/me/profile', { email: 'not-an-email' })).status, 422);

    const b = await who.citizen.post('/api/v1/bookings', { room_id: rooms['chuo/kaigi'], date: '2026-05-20', slots: ['morning'], purpose: '会議', attendees: 3 });
    assert.equal(b.status, 201, b.text);
    assert.equal(b.json.status, 'held');
    assert.equal((await who.citizen.req('DELETE', '/api/v1/me', { password: 'wrong-password-123' })).status, 401);
    assert.equal((await who.staff.req('DELETE', '/api/v1/me', { password: PW })).status, 403);
    const del = await who.citizen.req('DELETE', '/api/v1/me', { password: PW });
    assert.equal(del.status, 200, del.text);
    assert.equal(del.json.status, 'closed');
    assert.equal((await who.citizen.get('/api/v1/me')).status, 401);
    assert.equal((await client(srv.base).post('/api/v1/session', { system_id: ids.citizen, password: PW })).status, 401);
    assert.equal(sql(srv.db, `SELECT name || '|' || coalesce(email, '') || '|' || coalesce(phone, '') || '|' || coalesce(name_kana, '') FROM accounts WHERE id = ${Number(ids.citizen)}`), '退会済み|||');
    assert.equal(sql(srv.db, `SELECT status FROM bookings WHERE id = ${b.json.id}`), 'cancelled');
    const a = await client(srv.base).get('/api/v1/availability?date=2026-05-20&center=chuo');
    const kaigi = a.json.centers[0].rooms.find((r) => r.id === rooms['chuo/kaigi']);
    assert.equal(kaigi.slots.find((s) => s.code === 'morning').state, 'free');
    const u = await who.admin.get(`/api/v1/users?q=${ids.citizen}`);
    assert.equal(u.json.users[0].status, 'closed');
  });
});
