// Web pages, signage and open data over HTTP (docs/web.md, docs/opendata.md):
// status, content types, security headers, escaping of everything the user
// sends, 404s, no personal data on signage, the open data CSV format.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { start, client, addUser, browserSession } from './harness.mjs';

let srv, api, roomWashitsu, room503;
const HTML = { Accept: 'text/html' };

// Wednesday 2026-04-08 10:00 JST: an ordinary open day.
before(async () => {
  srv = await start({ now: '2026-04-08T10:00:00+09:00' });
  api = client(srv.base);
  const centers = (await api.get('/api/v1/centers')).json.centers;
  const chuo = centers.find((c) => c.code === 'chuo');
  roomWashitsu = chuo.rooms.find((r) => r.code === 'washitsu').id;
  room503 = chuo.rooms.find((r) => r.code === 'r503').id;
  // Today at 中央公民館: a publicly listed group, a group that did not opt
  // in, and a person's own hold. Written before any feed is cached.
  execFileSync('sqlite3', [srv.db, `
    INSERT INTO accounts(id, role, name, phone, email, password_hash, created_at)
      VALUES (123456782, 'citizen', '山田 花子', '090-1234-5678', 'hanako@example.jp', 'x', 0);
    INSERT INTO groups(id, name, name_kana, representative_id, members, resident_members, public_listing, status, created_at)
      VALUES (900000001, '前橋短歌の会', 'まえばしたんかのかい', 123456782, 10, 8, 1, 'approved', 0),
             (900000002, '非公開サークル', 'ひこうかいさーくる', 123456782, 10, 8, 0, 'approved', 0);
    INSERT INTO bookings(id, account_id, group_id, room_id, center, date, slots, status, channel, fee_base, fee_total, rules_version, created_at)
      VALUES (1, 123456782, 900000001, ${roomWashitsu}, 'chuo', '2026-04-08', 'morning', 'confirmed', 'online', 0, 0, '2026-04-01', 0),
             (2, 123456782, 900000002, ${roomWashitsu}, 'chuo', '2026-04-08', 'afternoon', 'confirmed', 'online', 0, 0, '2026-04-01', 0),
             (3, 123456782, NULL, ${room503}, 'chuo', '2026-04-08', 'evening', 'held', 'online', 0, 0, '2026-04-01', 0);
    INSERT INTO booking_slots(booking_id, room_id, date, slot, hold_expires_at)
      VALUES (1, ${roomWashitsu}, '2026-04-08', 'morning', NULL),
             (2, ${roomWashitsu}, '2026-04-08', 'afternoon', NULL),
             (3, ${room503}, '2026-04-08', 'evening', 1900000000);`]);
});
after(async () => { await srv.stop(); });

const PAGES = () => [
  '/',
  '/availability',
  '/availability?date=2026-04-09',
  '/availability?date=2026-04-09&center=chuo&kind=%E5%92%8C%E5%AE%A4',
  `/rooms/${room503}`,
  `/rooms/${room503}?month=2026-05`,
  '/signage/chuo',
  '/signage/chuo?kiosk=1',
  '/rules/discounts',
  '/rules/discounts?date=2026-10-01',
  '/help',
  '/groups',
  '/groups?center=chuo&q=%E7%9F%AD%E6%AD%8C',
];

function assertHtmlPage(r, path) {
  assert.equal(r.status, 200, `${path}: ${r.text.slice(0, 300)}`);
  assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8', path);
  assert.match(r.headers.get('content-security-policy') || '', /script-src 'self'/, path);
  assert.match(r.headers.get('content-security-policy') || '', /style-src 'self'/, path);
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff', path);
  assert.match(r.text, /^<!DOCTYPE html>\n<html lang="ja">/, path);
  assert.match(r.text, /<main id="main"/, path);
  assert.match(r.text, /<link rel="stylesheet" href="\/static\/site.css">/, path);
  // No inline script or style anywhere (the CSP would block it anyway).
  assert.doesNotMatch(r.text, /<script(?![^>]*\bsrc=)[^>]*>/, `${path}: inline script`);
  assert.doesNotMatch(r.text, /<style|\sstyle=/, `${path}: inline style`);
  assert.doesNotMatch(r.text, /\son[a-z]+=/, `${path}: inline event handler`);
}

test('every public page is HTML in Japanese with the security headers and a unique title', async () => {
  const titles = new Map();
  for (const path of PAGES()) {
    const r = await api.get(path);
    assertHtmlPage(r, path);
    const title = r.text.match(/<title>([^<]*)<\/title>/)[1];
    assert.match(title, / \| 前橋市 公民館予約$/, path);
    assert.ok(!titles.has(title), `${path} has the same title as ${titles.get(title)}: ${title}`);
    titles.set(title, path);
    if (!path.startsWith('/signage')) {
      assert.match(r.text, /<a class="skip-link" href="#main">本文へ移動<\/a>/, path);
      assert.match(r.text, /<nav class="site-nav" aria-label="メインメニュー">/, path);
    }
  }
});

test('room pages write their fees with a thousands comma, as every other page does', async () => {
  const centers = (await api.get('/api/v1/centers')).json.centers;
  let seen = 0;
  for (const c of centers.slice(0, 4)) for (const r of c.rooms) {
    const page = await api.get(`/rooms/${r.id}`);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /[0-9]{4,}円/, `/rooms/${r.id}`);
    seen += (page.text.match(/[0-9],[0-9]{3}円/g) || []).length;
  }
  assert.ok(seen > 0, 'no fee of 1,000 yen or more among the rooms looked at');
});

test('HEAD works for pages', async () => {
  const r = await fetch(srv.base + '/', { method: 'HEAD' });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
});

test('the top page shows today per centre and a GET search form with dates to choose', async () => {
  const r = await api.get('/');
  assert.match(r.text, /<form class="form" method="get" action="\/availability" novalidate>/);
  assert.match(r.text, /<label class="field-label" for="f-date">日付 <span class="mark mark-req">必須<\/span><\/label>/);
  assert.match(r.text, /<label class="field-label" for="f-center">公民館 <span class="mark mark-opt">任意<\/span><\/label>/);
  assert.match(r.text, /<select class="select size-m" id="f-date" name="date" required aria-describedby="f-date-support">/);
  // dates are offered as choices: today first, and weeks ahead
  assert.match(r.text, /<option value="2026-04-08" selected>4月8日（水） 今日<\/option>/);
  assert.match(r.text, /<option value="2026-04-09">4月9日（木） 明日<\/option>/);
  assert.match(r.text, /<optgroup label="4月13日（月）〜4月19日（日）">/);
  const dates = [...r.text.matchAll(/<option value="(\d{4}-\d\d-\d\d)"/g)].map((m) => m[1]);
  assert.ok(dates.length >= 28, `${dates.length} dates offered`);
  // booking for June opened on 1 April (2 months before, rule book): June is offered, July not
  assert.ok(dates.includes('2026-06-30'));
  assert.ok(!dates.includes('2026-07-01'));
  // today's table: 16 centres, counts per slot, text and symbol
  const rows = [...r.text.matchAll(/<tr data-center="([a-z]+)">/g)];
  assert.equal(rows.length, 16);
  assert.match(r.text, /<caption>公民館ごとの、今日空いている部屋の数<\/caption>/);
  assert.match(r.text, /<th scope="col">午前<span class="time">9:00〜12:00<\/span><\/th>/);
  // 中央公民館 has 7 rooms; 和室 is taken in the morning -> 6 free in the evening; at 10:00 the
  // morning is under way, so it is never offered: 受付終了 (core/bookable.c)
  const chuo = r.text.split('<tr data-center="chuo">')[1].split('</tr>')[0];
  assert.match(chuo, /data-slot="morning"><span class="sym" aria-hidden="true">ー<\/span>受付<wbr>終了<\/td>/);
  assert.match(chuo, /data-slot="evening"><span class="sym" aria-hidden="true">○<\/span>空き 6室<\/td>/);
});

test('availability shows rooms with states as text and symbol, filtered by centre and kind', async () => {
  const r = await api.get('/availability?date=2026-04-08&center=chuo');
  assert.equal(r.status, 200);
  assert.match(r.text, /<h1>中央公民館 2026年4月8日（水） の空き状況<\/h1>/);
  assert.match(r.text, /<caption>中央公民館 2026年4月8日（水） の空き状況<\/caption>/);
  assert.match(r.text, /<th scope="row"><a href="\/rooms\/\d+\?month=2026-04">和室<\/a>/);
  // a free slot is a link to the booking form for it
  assert.match(r.text, /<a class="book-link" href="\/book\?room=\d+&amp;date=2026-04-08&amp;slot=evening"><span class="sym" aria-hidden="true">○<\/span>空き<span class="visually-hidden"> 2026年4月8日（水） 和室 夜間 を予約する<\/span><\/a><\/td>/);
  assert.match(r.text, /×<\/span>予約<wbr>あり<span class="grp">前橋短歌の会<\/span><\/td>/);
  assert.doesNotMatch(r.text, /非公開サークル|山田|090-1234-5678|hanako/);
  const kind = await api.get('/availability?date=2026-04-08&kind=' + encodeURIComponent('料理室'));
  assert.equal(kind.status, 200);
  const rooms = [...kind.text.matchAll(/<th scope="row"><a href="\/rooms\/\d+\?month=2026-04">([^<]+)<\/a>/g)].map((m) => m[1]);
  assert.ok(rooms.length > 0);
  for (const name of rooms) assert.match(name, /料理室/);
  // a closed day: 1st Monday of April
  const closed = await api.get('/availability?date=2026-04-06&center=chuo');
  assert.match(closed.text, /この日は休館日です \(第1・第3月曜日\)/);
  assert.match(closed.text, /ー<\/span>休館<\/td>/);
  assert.doesNotMatch(closed.text, /○<\/span>空き<\/td>/);
});

test('"near me": a postcode as typed (full-width, 〒) finds the three nearest centres, nearest first', async () => {
  const top = await api.get('/', HTML);
  assert.match(top.text, /<input class="input size-s" type="text" id="f-postcode" name="postcode" value="" autocomplete="postal-code" inputmode="numeric"/);
  const r = await api.get('/availability?date=2026-04-09&postcode=' + encodeURIComponent('〒３７１－０２４０'), HTML);
  assert.equal(r.status, 200);
  assert.match(r.text, /<h1>371-0240 の近くの公民館 2026年4月9日（木） の空き状況<\/h1>/);
  assert.match(r.text, /郵便番号 371-0240 に近い公民館: 宮城公民館、大胡公民館、粕川公民館。郵便番号の近さから選んだ目安です。/);
  const shown = [...r.text.matchAll(/<section class="center" aria-labelledby="h-([a-z]+)">/g)].map((m) => m[1]);
  assert.deepEqual(shown, ['miyagi', 'ogo', 'kasukawa']);
  // the day pager keeps the postcode (read, not as typed)
  assert.match(r.text, /href="\/availability\?date=2026-04-10&amp;center=&amp;postcode=371-0240&amp;slot=&amp;kind="/);
  // with a slot: only those centres' rooms free in it
  const eve = await api.get('/availability?date=2026-04-09&slot=evening&postcode=3792150', HTML);
  assert.equal(eve.status, 200);
  assert.deepEqual([...eve.text.matchAll(/<section class="center" aria-labelledby="h-([a-z]+)">/g)].map((m) => m[1]),
    ['higashi', 'shimokawabuchi', 'jonan']);
  // a chosen centre wins over the postcode
  const both = await api.get('/availability?date=2026-04-09&center=chuo&postcode=371-0240', HTML);
  assert.equal(both.status, 200);
  assert.match(both.text, /<h1>中央公民館 2026年4月9日/);
  assert.doesNotMatch(both.text, /near-note/);
  // the catalogue and the open data carry each centre's postcode
  const cat = (await api.get('/api/v1/centers')).json.centers;
  assert.equal(cat.find((c) => c.code === 'chuo').postcode, '371-0023');
});

test('"near me": a postcode that is not 7 digits, or not Maebashi\'s, is a 422 at its field', async () => {
  for (const [pc, msg] of [['12', /郵便番号は7けたの数字で入れてください/], ['abc-defg', /7けた/],
    ['100-0001', /前橋市の郵便番号ではないようです。公民館を一覧から選んでください。/]]) {
    const r = await api.get('/availability?date=2026-04-09&postcode=' + encodeURIComponent(pc), HTML);
    assert.equal(r.status, 422, pc);
    assert.match(r.text, /<a href="#f-postcode">郵便番号 \(近くの公民館をさがす\): /, pc);
    assert.match(r.text, msg, pc);
    assert.match(r.text, new RegExp(`id="f-postcode" name="postcode" value="${pc}"[^>]*aria-invalid="true"`), pc);
    assert.doesNotMatch(r.text, /<section class="center"/, pc);
  }
});

test('a failed search shows the form again with an error summary tied to the fields (422)', async () => {
  const r = await api.get('/availability?date=2026-02-30&kind=' + encodeURIComponent('体育館'), HTML);
  assert.equal(r.status, 422);
  assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(r.text, /<title>入力エラー: /);
  assert.match(r.text, /<section class="error-summary" aria-labelledby="error-summary-title">/);
  assert.match(r.text, /<a href="#f-date">日付: /);
  assert.match(r.text, /<a href="#f-kind">部屋の種類: /);
  assert.match(r.text, /id="f-kind" name="kind" aria-invalid="true" aria-describedby="f-kind-support f-kind-error"/);
  assert.match(r.text, /<p class="field-error" id="f-kind-error">/);
  assert.match(r.text, /<details class="panel search-again" open>/);
});

test('nothing the user sends is reflected unescaped', async () => {
  const evil = '<script>alert(1)</script>"\'><img src=x onerror=alert(2)>';
  const q = encodeURIComponent(evil);
  const paths = [
    `/availability?center=${q}`, `/availability?kind=${q}`, `/availability?date=${q}`,
    `/availability?date=2026-04-08&kind=${q}&center=chuo`,
    `/rooms/${q}`, `/rooms/${room503}?month=${q}`, `/signage/${q}`, `/signage/chuo?refresh=${q}`,
    `/rules/discounts?date=${q}`, `/help?x=${q}`, `/?date=${q}`, `/${q}`,
    `/opendata/availability.csv?from=${q}&to=${q}`, `/opendata/availability.csv?from=2026-04-08&to=2026-04-08&center=${q}`,
  ];
  for (const path of paths) {
    for (const headers of [HTML, {}]) {
      const r = await api.get(path, headers);
      assert.ok(r.status < 500, `${path}: ${r.status}`);
      assert.ok(!r.text.includes('<script>alert'), `${path} reflected a script`);
      assert.ok(!r.text.includes('<img src=x'), `${path} reflected markup`);
      assert.ok(!r.text.includes('onerror=alert'), `${path} reflected an attribute`);
    }
  }
  // a value that is echoed back (the kind in the search form) is escaped
  const ok = await api.get('/availability?date=2026-04-08&kind=' + encodeURIComponent('和室'));
  assert.match(ok.text, /<option value="和室" selected>和室<\/option>/);
});

test('unknown centres, rooms and pages are 404, as a page for browsers', async () => {
  for (const path of ['/signage/nowhere', '/availability?center=nowhere', '/rooms/999999', '/rooms/abc',
    '/rooms/12345678901234567890', '/nowhere']) {
    const r = await api.get(path, HTML);
    assert.equal(r.status, 404, path);
    assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8', path);
    assert.match(r.text, /<html lang="ja">/, path);
    assert.match(r.text, /<title>ページが見つかりません \| 前橋市 公民館予約<\/title>/, path);
    assert.match(r.text, /<a href="\/">トップページへ戻る<\/a>/, path);
    const j = await api.get(path);
    assert.equal(j.status, 404, path);
    assert.equal(j.json.error.code, 'not_found', path);
  }
  const m = await api.get(`/rooms/${room503}?month=2026-13`);
  assert.equal(m.status, 422);
  assert.equal(m.json.error.code, 'validation');
});

// Route attack: an unknown path is matched by no route, and its 404 page was
// drawn before the session was read: a signed-in person saw ログイン and
// アカウント登録 as if signed out.
test('the 404 page of an unknown path shows a signed-in person the signed-in header', async () => {
  const id = await addUser(srv.db, { role: 'citizen', name: '迷子 花子', password: 'maigo-password-1' });
  const me = await browserSession(srv.base, id, 'maigo-password-1');
  for (const [method, path] of [['GET', '/forms/nope'], ['GET', '/nowhere/at/all'], ['POST', '/forms/nope'],
    ['GET', '/forms/booking']]) {
    const r = await me.req(method, path, method === 'POST' ? `csrf_token=${me.csrf_token}` : undefined,
      { Accept: 'text/html', ...(method === 'POST' ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}) });
    assert.ok(r.status === 404 || r.status === 405, `${method} ${path}: ${r.status}`);
    assert.match(r.text, /<html lang="ja">/, path);
    assert.match(r.text, /ログアウト/, `${method} ${path}: the signed-in header`);
    assert.match(r.text, /マイページ/, path);
    assert.doesNotMatch(r.text, /アカウント登録/, path);
    assert.doesNotMatch(r.text, /href="\/signin/, path);
  }
  // signed out, the same page shows the sign-in links
  const anon = await api.get('/forms/nope', HTML);
  assert.equal(anon.status, 404);
  assert.match(anon.text, /href="\/signin\?next=%2Fforms%2Fnope">ログイン/);
});

test('a room month lists every date with a state per slot, the fee and when booking opens', async () => {
  const r = await api.get(`/rooms/${room503}?month=2026-04`);
  assert.equal(r.status, 200);
  assert.match(r.text, /<h1>中央公民館 503学習室<span class="sub">2026年4月の空き状況<\/span><\/h1>/);
  assert.match(r.text, /<li>午前 160円<\/li><li>午後 240円<\/li><li>夜間 400円<\/li>/);
  const rows = [...r.text.matchAll(/<tr class="[^"]*"><th scope="row">(\d+)日/g)];
  assert.equal(rows.length, 30);
  const row = (d) => r.text.split(`<th scope="row">${d}日`)[1].split('</tr>')[0];
  assert.match(row(6), /休館/);                                   // 1st Monday
  assert.match(row(7), /受付<wbr>終了/);                          // the past
  assert.match(row(8), /今日/);
  assert.match(row(8), /受付<wbr>終了.*空き.*予約<wbr>あり/);       // 10:00: morning has begun; evening held
  assert.equal(row(9).split("○</span>空き<span class=\"visually-hidden\">").length - 1, 3);
  assert.match(row(9), new RegExp(`href="/book\\?room=${room503}&amp;date=2026-04-09&amp;slot=morning"`));
  const later = await api.get(`/rooms/${room503}?month=2026-07`);
  assert.match(later.text, /2026年7月の予約は、2026年5月1日（金）9:00 から受け付けます。/);
});

test('signage: large print page, meta refresh only at the kiosk address, the time of the data, and no personal data', async () => {
  const r = await api.get('/signage/chuo?kiosk=1');
  assertHtmlPage(r, '/signage/chuo?kiosk=1');
  assert.match(r.text, /<meta http-equiv="refresh" content="60">/);
  assert.match(r.text, /<body class="signage">/);
  assert.match(r.text, /<h1>中央公民館<\/h1>/);
  assert.match(r.text, /2026年4月8日（水）<span class="sg-at">10時00分 現在<\/span>/);
  assert.match(r.text, /<th scope="col">部屋<\/th><th scope="col">午前<span class="time">9:00〜12:00<\/span><\/th><th scope="col">午後/);
  assert.match(r.text, /<th scope="row">和室<\/th><td class="st st-taken"><span class="sym" aria-hidden="true">×<\/span>予約<wbr>あり<span class="grp">前橋短歌の会<\/span><\/td>/);
  for (const secret of ['山田', '花子', '090-1234-5678', 'hanako', '非公開サークル', '123456782'])
    assert.ok(!r.text.includes(secret), `signage shows ${secret}`);
  assert.match(r.text, /<a href="\/signage\/chuo">自動更新しない表示にする<\/a>/);
  // the page a person opens does not refresh itself (WCAG 2.2.1; issue 13 point 14)
  for (const path of ['/signage/chuo', '/signage/chuo?refresh=off']) {
    const off = await api.get(path);
    assert.doesNotMatch(off.text, /http-equiv="refresh"/, path);
    assert.match(off.text, /<a href="\/signage\/chuo\?kiosk=1">ロビーの画面用 \(1分ごとに自動更新\)<\/a>/);
  }
  // a closed day shows so, in words
  const closedSrv = await start({ now: '2026-04-06T10:00:00+09:00' });
  try {
    const c = await client(closedSrv.base).get('/signage/chuo');
    assert.match(c.text, /本日は休館日です<span>第1・第3月曜日<\/span>/);
  } finally { await closedSrv.stop(); }
});

test('discounts: the criteria of the version in force, in plain Japanese', async () => {
  const r = await api.get('/rules/discounts');
  assert.match(r.text, /<strong>減免 \(げんめん\)<\/strong> とは、/);
  assert.match(r.text, /2026年4月1日（水） から使われている規則 \(版: 2026-04-01\)/);
  const rules = (await api.get('/api/v1/rules')).json;
  for (const d of rules.discounts) {
    assert.ok(r.text.includes(`<h2 id="d-${d.code}">`), d.code);
    assert.ok(!r.text.includes(`<code>${d.code}</code>`), `${d.code}: the API's code is not a citizen's reading`);
  }
  assert.match(r.text, /100% \(全額免除: 使用料はかかりません\)/);
  assert.match(r.text, /50% \(5割減額: 使用料が半分になります\)/);
  assert.match(r.text, /<dt>申請に必要なもの<\/dt>/);
  assert.match(r.text, /<dt>有効期間<\/dt><dd>承認された日の年度末 \(3月31日\) まで。/);
  assert.match(r.text, /<a href="\/rules\/discounts\?date=2026-10-01">2026年10月1日（木） から使われる基準を見る<\/a>/);
  const bad = await api.get('/rules/discounts?date=2026-02-30');
  assert.equal(bad.status, 422);
});

test('help: figures come from the rule book', async () => {
  const r = await api.get('/help');
  const rules = (await api.get('/api/v1/rules')).json;
  assert.ok(r.text.includes(`仮予約は、${rules.holds.lapse_after_hours}時間のあいだ`));
  assert.ok(r.text.includes(`使う日の${rules.cancellation.deadline_days_before}日前までは`));
  assert.ok(r.text.includes(`使用料の${rules.cancellation.after_deadline.fee_percent}%をはらいます`));
  assert.match(r.text, /月・火・水・木・金曜日の 8:30 から 17:15 まで/);
  assert.match(r.text, /<a href="tel:027-000-0001">027-000-0001<\/a>/);
  assert.match(r.text, /<h2 id="opendata">オープンデータ<\/h2>/);
  // issue 13 point 15: each centre's address and a map link from the rule book's coordinates
  const centers = (await api.get('/api/v1/centers')).json.centers;
  const maps = [...r.text.matchAll(/href="https:\/\/www\.openstreetmap\.org\/\?mlat=([\d.]+)&amp;mlon=([\d.]+)#map=17\//g)];
  assert.equal(maps.length, centers.length);
  assert.match(r.text, /住所: 〒371-0023 群馬県前橋市本町二丁目12-1/);
  assert.match(r.text, /（祝日・休館日を除く。第1・第3月曜日は休館日でも受け付けます）/);
  // the buttons named as they are on the pages
  for (const b of ['登録して予約へ進む', '確認の画面へ進む', 'この内容で予約する', '仮予約にする', '予約を確定する', '空き状況を見る']) assert.ok(r.text.includes(`「${b}」`), b);
  // the words a 75-year-old may not know, explained
  for (const w of ['名義', '取消料', '減免', '電子署名', '当日利用', '任意', '半角']) assert.match(r.text, new RegExp(`<dt>${w} \\(`), w);
});

async function bytes(path) {
  const res = await fetch(srv.base + path);
  return { status: res.status, headers: res.headers, buf: Buffer.from(await res.arrayBuffer()) };
}

test('facilities.csv: 公共施設一覧 layout, UTF-8 with BOM, CRLF, Maebashi 102016', async () => {
  const r = await bytes('/opendata/facilities.csv');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.deepEqual([...r.buf.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const text = r.buf.subarray(3).toString('utf8');
  assert.ok(text.endsWith('\r\n'));
  assert.doesNotMatch(text.replace(/\r\n/g, ''), /\n/, 'no bare LF');
  const lines = text.split('\r\n').slice(0, -1);
  assert.equal(lines.length, 1 + 16);
  const header = lines[0].split(',').map((s) => s.replace(/^"|"$/g, ''));
  assert.equal(header.length, 56);
  assert.deepEqual(header.slice(0, 8), ['全国地方公共団体コード', 'ID', '地方公共団体名', '名称', '名称_カナ', '名称_英字', '名称_通称', 'POIコード']);
  for (const col of ['所在地_連結表記', '緯度', '経度', '電話番号', '利用可能曜日', '開始時間', '終了時間', '備考'])
    assert.ok(header.includes(col), col);
  const chuo = lines.find((l) => l.startsWith('"102016","chuo",'));
  assert.ok(chuo);
  const f = chuo.split('","').map((s) => s.replace(/^"|"$/g, ''));
  const col = (n) => f[header.indexOf(n)];
  assert.equal(col('名称'), '中央公民館');
  assert.match(col('名称_カナ'), /^[ァ-ヶー]+$/);
  assert.match(col('緯度'), /^\d+\.\d+$/);
  assert.match(col('経度'), /^\d+\.\d+$/);
  assert.match(col('開始時間'), /^\d\d:\d\d$/);
  assert.match(col('終了時間'), /^\d\d:\d\d$/);
  assert.equal(col('所在地_全国地方公共団体コード'), '102016');
  for (const l of lines.slice(1)) assert.ok(l.startsWith('"102016",'), l);
});

test('availability.csv: states per date and slot, bounded range', async () => {
  const r = await bytes('/opendata/availability.csv?from=2026-04-08&to=2026-04-10&center=chuo');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.deepEqual([...r.buf.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const lines = r.buf.subarray(3).toString('utf8').split('\r\n');
  assert.equal(lines.pop(), '');
  assert.equal(lines[0], '"全国地方公共団体コード","ID","名称","部屋ID","部屋名称","部屋種別","日付","時間帯","開始時間","終了時間","状態","状態コード"');
  assert.equal(lines.length, 1 + 3 * 7 * 3, '3 days x 7 rooms x 3 slots');
  assert.ok(lines.includes(`"102016","chuo","中央公民館","${roomWashitsu}","和室","和室","2026-04-08","午前","09:00","12:00","予約済","booked"`));
  assert.ok(lines.includes(`"102016","chuo","中央公民館","${room503}","503学習室","学習室","2026-04-08","夜間","18:00","22:00","仮予約","held"`));
  const text = lines.join('\n');
  for (const secret of ['山田', '前橋短歌の会', '非公開サークル']) assert.ok(!text.includes(secret), secret);

  const all = await bytes('/opendata/availability.csv?from=2026-04-08&to=2026-04-08');
  assert.equal(all.status, 200);
  // 92 days is the limit; 93 is refused with a field message
  assert.equal((await api.get('/opendata/availability.csv?from=2026-04-01&to=2026-07-01&center=chuo')).status, 200);
  for (const [q, field] of [['from=2026-04-01&to=2026-07-02', 'to'], ['from=2026-04-10&to=2026-04-09', 'to'],
    ['to=2026-04-09', 'from'], ['from=2026-04-09', 'to'], ['from=2026-4-9&to=2026-04-10', 'from']]) {
    const e = await api.get('/opendata/availability.csv?' + q);
    assert.equal(e.status, 422, q);
    assert.equal(e.json.error.code, 'validation', q);
    assert.ok(e.json.error.fields[field], `${q}: ${JSON.stringify(e.json)}`);
  }
  assert.equal((await api.get('/opendata/availability.csv?from=2026-04-08&to=2026-04-08&center=nowhere')).status, 404);
});

test('the static script and stylesheet are served with their types', async () => {
  const css = await api.get('/static/site.css');
  assert.equal(css.status, 200);
  assert.match(css.headers.get('content-type'), /^text\/css/);
  const js = await api.get('/static/app.js');
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /^text\/javascript/);
});
