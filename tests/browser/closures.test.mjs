// Closures, the account forms and the staff second factor's set-up (issue
// 14; docs/operations.md) in Debian's
// chromium with JavaScript off: a clerk closes a room from /admin/closures and
// the room's month page shows 休館日 with the reason; the forms for a
// citizen's details, the counter reset slip and staff accounts work without
// script; axe-core WCAG 2.0 A/AA on each page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, client, addUser } from '../api/harness.mjs';
import { launch, signedInContext, assertNoViolations } from './helpers.mjs';

const PW = 'browser-closure-pass-1';
let srv, browser, ids = {}, rooms = {};

before(async () => {
  srv = await start({ now: '2026-04-08T10:00:00+09:00' });
  ids.admin = await addUser(srv.db, { role: 'admin', name: '管理 花子', password: PW });
  ids.staff = await addUser(srv.db, { role: 'staff', name: '窓口 次郎', center: 'chuo', password: PW });
  ids.citizen = await addUser(srv.db, { role: 'citizen', name: '前橋 市民', password: PW });
  const cs = await client(srv.base).get('/api/v1/centers');
  for (const ce of cs.json.centers) for (const r of ce.rooms) rooms[`${ce.code}/${r.code}`] = r.id;
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

// A page (JavaScript off) signed in as ID; axe on what a page shows (helpers.mjs)
const as = async (id) => (await signedInContext(browser, srv.base, id, PW)).newPage();
const noViolations = (page, label) => assertNoViolations(browser, page, label);

test('a clerk closes a room for a day without JavaScript; the room\'s month shows it', async () => {
  const page = await as(ids.staff);
  await page.goto(srv.base + '/admin/closures');
  await noViolations(page, '/admin/closures');
  await page.selectOption('#f-center', 'chuo');
  await page.selectOption('#f-room_id', String(rooms['chuo/kaigi']));
  await page.fill('#f-from', '2026-05-13');
  await page.fill('#f-to', '2026-05-13');
  await page.fill('#f-reason', '選挙の投票所');
  await page.click('form[action="/admin/closures"] button[type="submit"]');
  assert.match(page.url(), /\/admin\/closures\/\d+\?done=1$/);
  assert.match(await page.textContent('main'), /選挙の投票所/);
  await noViolations(page, '/admin/closures/ID');
  const month = await (await as(ids.citizen)).context().newPage();
  await month.goto(`${srv.base}/rooms/${rooms['chuo/kaigi']}?month=2026-05`);
  assert.match(await month.textContent('main'), /休館日 \(選挙の投票所\)/);
});

test('the account forms work without JavaScript and pass axe', async () => {
  const citizen = await as(ids.citizen);
  await citizen.goto(srv.base + '/my/profile');
  await noViolations(citizen, '/my/profile');
  await citizen.fill('#f-name_kana', 'まえばし しみん');
  await citizen.fill('#f-email', 'shimin@example.jp');
  await citizen.click('form[action="/my/profile"] button[type="submit"]');
  assert.match(await citizen.textContent('main'), /登録内容を変えました/);

  const staff = await as(ids.staff);
  await staff.goto(srv.base + '/counter/reset-code');
  await noViolations(staff, '/counter/reset-code');
  await staff.fill('#f-system_id', ids.citizen);
  await staff.check('input[name="identity"]');
  await staff.click('form[action="/counter/reset-code"] button[type="submit"]');
  assert.match(await staff.textContent('main'), /[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}/);

  await staff.goto(srv.base + '/my/totp');
  await noViolations(staff, '/my/totp');
  await staff.click('form[action="/my/totp"] button[type="submit"]');
  assert.match(await staff.textContent('main'), /キー: [A-Z2-7]{32}/);
  assert.equal(await staff.locator('main svg[role="img"]').count(), 1, 'the QR code for the app');
  await noViolations(staff, '/my/totp (set-up)');

  const admin = await as(ids.admin);
  await admin.goto(srv.base + '/admin/users/new');
  await noViolations(admin, '/admin/users/new');
  await admin.goto(`${srv.base}/admin/users/${ids.staff}`);
  await noViolations(admin, '/admin/users/ID');
});
