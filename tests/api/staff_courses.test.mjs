// The course database pages for staff (issue 16; docs/courses.md "Staff
// pages"), without JavaScript: plan a course by form (sessions as lines),
// a refused form comes back with its errors and keeps nothing, search every
// centre, copy a past course, edit it, record attendance that the report
// counts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, client, addUser, signIn } from './harness.mjs';

const NOW = '2026-04-01T09:00:00+09:00';
const PW = 'staff-courses-pw-1';
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'text/html' };
let srv, staff, citizen;

const enc = (o) => new URLSearchParams(o).toString();
const plan = (extra = {}) => ({
  center: 'chuo', title: '写真入門', sessions: '2026-05-20 午前 和室\n2026-05-27 afternoon washitsu',
  apply_from: '2026-04-01', apply_until: '2026-04-30', allocation: 'first_come', category: '文化',
  lecturer_name: '上毛 花子', target: '大人', fee: '500', capacity: '15', max_companions: '0', ...extra,
});

before(async () => {
  srv = await start({ now: NOW });
  const s = await addUser(srv.db, { role: 'staff', name: '職員 講座', password: PW, center: 'chuo' });
  const c = await addUser(srv.db, { role: 'citizen', name: '市民 講座', password: PW });
  staff = await signIn(srv.base, s, PW);
  citizen = await signIn(srv.base, c, PW);
});
after(async () => { await srv.stop(); });

test('staff plan a course by form; the sessions reserve the rooms', async () => {
  const menu = await staff.get('/admin', { Accept: 'text/html' });
  assert.ok(menu.text.includes('href="/admin/courses"'));
  const form = await staff.get('/admin/courses/new', { Accept: 'text/html' });
  assert.equal(form.status, 200);
  assert.match(form.text, /<textarea[^>]*name="sessions"/);
  const r = await staff.req('POST', '/admin/courses', enc(plan({ calendar: '1' })), FORM);
  assert.equal(r.status, 303, r.text);
  const id = Number(r.headers.get('location').split('/').pop());
  const c = (await staff.get(`/api/v1/courses/${id}`)).json;
  assert.equal(c.title, '写真入門');
  assert.equal(c.sessions.length, 2);
  assert.deepEqual(c.sessions.map((s) => s.slot), ['morning', 'afternoon']);
  assert.equal(c.calendar, true);
  const page = await staff.get(`/admin/courses/${id}`, { Accept: 'text/html' });
  assert.equal(page.status, 200);
  assert.ok(page.text.includes('日程と出席'));
  assert.ok(page.text.includes(`/admin/courses/new?from=${id}`));
  // citizens are refused
  assert.equal((await citizen.get('/admin/courses', { Accept: 'application/json' })).status, 403);
});

test('a refused plan comes back with its errors and keeps nothing', async () => {
  const before = (await staff.get('/api/v1/courses/search')).json.courses.length;
  const bad = await staff.req('POST', '/admin/courses', enc(plan({ title: '', sessions: '2026-05-20 午前 どこか' })), FORM);
  assert.equal(bad.status, 422, bad.text);
  assert.match(bad.text, /<title>入力エラー: /);
  assert.ok(bad.text.includes('href="#f-title"'));
  assert.ok(bad.text.includes('2026-05-20 午前 どこか'), 'what was sent is shown again');
  // a slot already taken: the booking in the way is named
  const taken = await staff.req('POST', '/admin/courses', enc(plan({ title: '重なる講座', sessions: '2026-05-20 午前 和室' })), FORM);
  assert.equal(taken.status, 409, taken.text);
  assert.match(taken.text, /予約番号\d+/);
  assert.equal((await staff.get('/api/v1/courses/search')).json.courses.length, before);
});

test('search every centre, copy a past course, edit it, record attendance', async () => {
  const found = await staff.get('/admin/courses?lecturer=' + encodeURIComponent('上毛'), { Accept: 'text/html' });
  assert.equal(found.status, 200);
  assert.ok(found.text.includes('写真入門'));
  const none = await staff.get('/admin/courses?year=2030', { Accept: 'text/html' });
  assert.ok(none.text.includes('当てはまる講座はありません'));
  const id = (await staff.get('/api/v1/courses/search?lecturer=' + encodeURIComponent('上毛'))).json.courses[0].id;

  const copyForm = await staff.get(`/admin/courses/new?from=${id}`, { Accept: 'text/html' });
  assert.ok(copyForm.text.includes(`action="/admin/courses/${id}/copy"`));
  assert.ok(copyForm.text.includes('写真入門'));
  const copy = await staff.req('POST', `/admin/courses/${id}/copy`,
    enc(plan({ title: '写真入門（秋）', sessions: '2026-09-16 午前 和室', apply_from: '2026-08-01', apply_until: '2026-08-31' })), FORM);
  assert.equal(copy.status, 303, copy.text);
  const newId = Number(copy.headers.get('location').split('/').pop());
  assert.equal((await staff.get(`/api/v1/courses/${newId}`)).json.copied_from, id);

  const edit = await staff.req('POST', `/admin/courses/${id}`, enc({ title: '写真入門（春）', capacity: '20', fee: '500', max_companions: '0' }), FORM);
  assert.equal(edit.status, 303, edit.text);
  const c = (await staff.get(`/api/v1/courses/${id}`)).json;
  assert.equal(c.title, '写真入門（春）');
  assert.equal(c.capacity, 20);
  assert.equal(c.calendar, false, 'an unticked box turns the calendar off');
  const badEdit = await staff.req('POST', `/admin/courses/${id}`, enc({ title: '', capacity: '0' }), FORM);
  assert.equal(badEdit.status, 422);
  assert.ok(badEdit.text.includes('href="#f-capacity"') || badEdit.text.includes('href="#f-title"'));

  const sid = c.sessions[0].id;
  const att = await staff.req('POST', `/admin/courses/${id}/sessions/${sid}/attendance`, enc({ attended: '12' }), FORM);
  assert.equal(att.status, 303, att.text);
  assert.equal(att.headers.get('location'), `/admin/courses/${id}#s-${sid}`);
  assert.equal((await staff.get(`/api/v1/courses/${id}`)).json.sessions[0].attendance, 12);
  const page = await staff.get(`/admin/courses/${id}`, { Accept: 'text/html' });
  assert.ok(page.text.includes('出席 12人'));
  const rep = await staff.get('/api/v1/courses/report?from=2026-05-01&to=2026-05-31');
  const row = rep.json.rows.find((x) => x.center === 'chuo' && x.category === '文化');
  assert.equal(row.attended, 12);
});
