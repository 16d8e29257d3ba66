// The learning groups as pages (docs/web.md, docs/identity.md): the public
// page /groups 「学習グループをさがす」 (the groups that chose the public
// listing, searched by keyword and centre, paged, from the response cache,
// never a person's name or contact) and its JSON/CSV filters; staff looking
// up registered groups on /admin/groups and one group's page
// /admin/groups/{id}, with the same q filter on GET /api/v1/groups.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { start, client, addUser, signIn, browserSession } from './harness.mjs';

const PW = 'groups-pages-pass-1';
const HTML = { Accept: 'text/html' };
let srv, anon, ids = {}, who = {}, g = {}, rooms = {};

function sql(q) {
  return execFileSync('sqlite3', [srv.db, q], { encoding: 'utf8' }).trim();
}

// Wednesday 2026-04-08 10:00 JST; booking for May has opened.
before(async () => {
  srv = await start({ now: '2026-04-08T10:00:00+09:00' });
  anon = client(srv.base);
  [ids.citizen, ids.staff, ids.other] = await Promise.all([
    addUser(srv.db, { role: 'citizen', name: '赤城 花子', password: PW }),
    addUser(srv.db, { role: 'staff', name: '窓口 一郎', center: 'chuo', password: PW }),
    addUser(srv.db, { role: 'citizen', name: '榛名 次郎', password: PW })]);
  // a contact to look for on the pages (it must never reach a public one)
  sql(`UPDATE accounts SET phone='027-555-0199', email='akagi.hanako@example.jp' WHERE id=${ids.citizen}`);
  [who.citizen, who.staff, who.other] = await Promise.all([
    signIn(srv.base, ids.citizen, PW), signIn(srv.base, ids.staff, PW), signIn(srv.base, ids.other, PW)]);
  const reg = async (name, kana, activity, pub) => {
    const r = await who.citizen.post('/api/v1/groups', { name, name_kana: kana, members: 5, resident_members: 4,
      activity, public_listing: pub });
    assert.equal(r.status, 201, r.text);
    return r.json.id;
  };
  g.tanka = await reg('前橋短歌の会', 'まえばしたんかのかい', '短歌の創作と批評', true);
  g.chorus = await reg('コーラス赤城', 'こーらすあかぎ', '合唱の練習と発表会', true);
  g.secret = await reg('非公開の会', 'ひこうかいのかい', '短歌を楽しむ', false);
  g.waiting = await reg('審査中の短歌会', 'しんさちゅうのたんかかい', '短歌', true);
  for (const id of [g.tanka, g.chorus, g.secret])
    assert.equal((await who.staff.post(`/api/v1/groups/${id}/approve`)).status, 200);
  // 前橋短歌の会 meets at 中央公民館: a confirmed booking there makes it "used"
  const chuo = (await anon.get('/api/v1/centers')).json.centers.find((c) => c.code === 'chuo');
  rooms.washitsu = chuo.rooms.find((r) => r.code === 'washitsu').id;
  const b = await who.citizen.post('/api/v1/bookings', { room_id: rooms.washitsu, date: '2026-05-13',
    slots: ['morning'], group_id: g.tanka, purpose: '短歌の会', attendees: 5 });
  assert.equal(b.status, 201, b.text);
  assert.equal((await who.citizen.post(`/api/v1/bookings/${b.json.id}/confirm`)).status, 200);
  // 25 more listed groups (another representative's), for the pages of the list
  const rows = Array.from({ length: 25 }, (_, i) => `(${900000100 + i}, '練習の会${String(i + 1).padStart(2, '0')}', ` +
    `'れんしゅうのかい${String(i + 1).padStart(2, '0')}', ${ids.other}, 3, 3, '囲碁', 1, 'approved', '2027-03-31', 0)`);
  sql(`INSERT INTO groups(id, name, name_kana, representative_id, members, resident_members, activity,
    public_listing, status, valid_until, created_at) VALUES ${rows.join(',')};`);
});
after(async () => { await srv.stop(); });

const cards = (text) => [...text.matchAll(/<li class="card"><h3>([^<]+) <span class="sub">/g)].map((m) => m[1]);
const PERSONAL = () => ['赤城 花子', '榛名 次郎', '027-555-0199', 'akagi.hanako@example.jp', ids.citizen, ids.other];

// ------------------------------------------------------------ the public page

test('/groups lists the groups that chose the public listing, with activity and centres, and no person', async () => {
  const r = await anon.get('/groups', HTML);
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.match(r.text, /<title>学習グループをさがす \| 前橋市 公民館予約<\/title>/);
  assert.match(r.text, /<a href="\/groups" aria-current="page">学習グループ<\/a>/, 'in the site navigation');
  assert.match(r.text, /<form class="form" method="get" action="\/groups" novalidate>/);
  assert.match(r.text, /27団体。2ページのうち1ページ目 \(1〜20件目\) です。/);
  const first = cards(r.text);
  assert.equal(first.length, 20);
  assert.deepEqual(first.slice(0, 1), ['コーラス赤城'], 'by ふりがな');
  assert.ok(first.includes('前橋短歌の会'));
  // activity and the centres it used; a group with no booking says so
  const tanka = r.text.split('<h3>前橋短歌の会 ')[1].split('</li>')[0];
  assert.match(tanka, /<dt>活動の内容<\/dt><dd>短歌の創作と批評<\/dd>/);
  assert.match(tanka, /<dt>利用している公民館<\/dt><dd>中央公民館<\/dd>/);
  assert.match(r.text.split('<h3>コーラス赤城 ')[1].split('</li>')[0], /この1年の利用はありません/);
  // how to get in touch: through a centre's counter
  assert.match(r.text, /公民館の職員が、団体の代表者に連絡を取り次ぎます。/);
  assert.match(r.text, /<a href="\/help#ask">問い合わせ先<\/a>/);
  // never a person, never a group that did not opt in or is not approved
  const both = r.text + (await anon.get('/groups?page=2', HTML)).text;
  for (const s of [...PERSONAL(), '非公開の会', '審査中の短歌会', g.tanka, g.chorus])
    assert.ok(!both.includes(s), `the page shows ${s}`);
  // the second page: the other 7, a link back
  const p2 = await anon.get('/groups?page=2', HTML);
  assert.equal(cards(p2.text).length, 7);
  assert.match(p2.text, /<a href="\/groups\?page=1" rel="prev">/);
  assert.match(r.text, /<a href="\/groups\?page=2" rel="next">/);
  assert.doesNotMatch(p2.text, /rel="next"/);
  // a page past the end says so and links to the first
  const p9 = await anon.get('/groups?page=9', HTML);
  assert.equal(p9.status, 200);
  assert.match(p9.text, /このページには団体がありません \(全部で2ページです\)。<a href="\/groups\?page=1">/);
});

test('/groups searches by a keyword (name, ふりがな either script, activity) and by centre; the pager keeps them', async () => {
  const find = async (query) => cards((await anon.get(`/groups?${query}`, HTML)).text);
  assert.deepEqual(await find(`q=${encodeURIComponent('タンカ')}`), ['前橋短歌の会'], 'katakana finds the hiragana ふりがな');
  assert.deepEqual(await find(`q=${encodeURIComponent('合唱')}`), ['コーラス赤城'], 'the activity');
  assert.deepEqual(await find(`q=${encodeURIComponent('赤城')}`), ['コーラス赤城'], 'the name');
  assert.deepEqual(await find('center=chuo'), ['前橋短歌の会'], 'the centre it used');
  assert.deepEqual(await find(`center=chuo&q=${encodeURIComponent('合唱')}`), [], 'both must hold');
  // the title says what was searched (and which page)
  const titled = await anon.get(`/groups?center=chuo&q=${encodeURIComponent('短歌')}`, HTML);
  assert.match(titled.text, /<title>学習グループをさがす \(中央公民館、「短歌」\) \|/);
  assert.match((await anon.get('/groups?page=2', HTML)).text, /<title>学習グループをさがす \(2ページ目\) \|/);
  const none = await anon.get(`/groups?center=haga`, HTML);
  assert.equal(none.status, 200);
  assert.match(none.text, /条件に合う学習グループはありません。/);
  assert.match(none.text, /<option value="haga" selected>芳賀公民館<\/option>/);
  // the pager keeps the search
  const many = await anon.get(`/groups?q=${encodeURIComponent('れんしゅう')}`, HTML);
  assert.match(many.text, /25団体 \(条件に合う団体\)。2ページのうち1ページ目/);
  assert.match(many.text, /<a href="\/groups\?q=%E3%82%8C%E3%82%93%E3%81%97%E3%82%85%E3%81%86&amp;page=2" rel="next">/);
  assert.match(many.text, /<input class="input size-m" type="text" id="f-q" name="q" value="れんしゅう"/);
  // what is typed comes back escaped
  const xss = await anon.get(`/groups?q=${encodeURIComponent('<script>alert(1)</script>')}`, HTML);
  assert.equal(xss.status, 200);
  assert.doesNotMatch(xss.text, /<script>alert/);
  assert.match(xss.text, /value="&lt;script&gt;alert\(1\)&lt;\/script&gt;"/);
});

test('/groups refuses a centre that is not one, an overlong keyword and a bad page number at the field (422), with no list', async () => {
  const bad = await anon.get('/groups?center=nowhere', HTML);
  assert.equal(bad.status, 422);
  assert.match(bad.text, /<title>入力エラー: 学習グループをさがす \|/);
  assert.match(bad.text, /<a href="#f-center">活動している公民館: 公民館「nowhere」はありません。/);
  assert.match(bad.text, /<select[^>]*id="f-center"[^>]*aria-invalid="true"/);
  assert.doesNotMatch(bad.text, /<li class="card">/);
  const long = await anon.get(`/groups?q=${encodeURIComponent('あ'.repeat(101))}`, HTML);
  assert.equal(long.status, 422);
  assert.match(long.text, /<a href="#f-q">キーワード: キーワードは100文字以内で入力してください。<\/a>/);
  assert.doesNotMatch(long.text, /<li class="card">/);
  const page = await anon.get('/groups?page=zero', HTML);
  assert.equal(page.status, 422);
  assert.match(page.text, /ページの番号は、1以上の数字で指定してください。/);
  assert.doesNotMatch(page.text, /<li class="card">/);
});

test('the public JSON and CSV take the same center and q, and refuse the same way', async () => {
  const j = await anon.get(`/api/v1/groups/public?q=${encodeURIComponent('タンカ')}`);
  assert.equal(j.status, 200);
  assert.deepEqual(j.json.groups, [{ name: '前橋短歌の会', name_kana: 'まえばしたんかのかい', activity: '短歌の創作と批評',
    centers: [{ code: 'chuo', name: '中央公民館' }] }]);
  assert.equal((await anon.get('/api/v1/groups/public')).json.groups.length, 27);
  const bad = await anon.get('/api/v1/groups/public?center=nowhere');
  assert.equal(bad.status, 422);
  assert.equal(bad.json.error.code, 'validation');
  assert.match(bad.json.error.fields.center, /公民館「nowhere」はありません。/);
  const long = await anon.get(`/api/v1/groups/public?q=${'x'.repeat(101)}`);
  assert.equal(long.status, 422);
  assert.ok(long.json.error.fields.q);
  const csv = await anon.get('/opendata/groups.csv?center=chuo');
  assert.equal(csv.status, 200);
  assert.deepEqual(csv.text.replace(/^\uFEFF/, '').trim().split('\r\n'),
    ['団体名,ふりがな,活動内容,利用している公民館', '"前橋短歌の会","まえばしたんかのかい","短歌の創作と批評","中央公民館"']);
  assert.equal((await anon.get('/api/v1/groups/public.csv?center=nowhere')).status, 422);
});

test('/groups comes from the response cache for visitors, and a decision on a group shows at once', async () => {
  // a change behind the server's back is not seen: the copy is shared ...
  const before = await anon.get(`/groups?q=${encodeURIComponent('評論')}`, HTML);
  assert.deepEqual(cards(before.text), []);
  sql(`UPDATE groups SET activity='短歌の創作と評論' WHERE id=${g.tanka}`);
  assert.deepEqual(cards((await anon.get(`/groups?q=${encodeURIComponent('評論')}`, HTML)).text), [], 'from the cache');
  // ... a signed-in person's page is rendered afresh, and not shared
  const mine = await client(srv.base, { token: who.other.token }).get(`/groups?q=${encodeURIComponent('評論')}`, HTML);
  assert.deepEqual(cards(mine.text), ['前橋短歌の会']);
  assert.equal(mine.headers.get('cache-control'), 'private, no-store');
  // an approval makes the cached pages stale (the clock is fixed: no minute passes)
  const tankaPage = `/groups?q=${encodeURIComponent('短歌')}`;
  assert.deepEqual(cards((await anon.get(tankaPage, HTML)).text), ['前橋短歌の会']);
  assert.match((await anon.get('/groups?page=1', HTML)).text, /27団体。/);
  assert.equal((await who.staff.post(`/api/v1/groups/${g.waiting}/approve`)).status, 200);
  assert.deepEqual(cards((await anon.get(tankaPage, HTML)).text), ['審査中の短歌会', '前橋短歌の会']);
  assert.match((await anon.get('/groups?page=1', HTML)).text, /28団体。/);
});

test('the top page, /help, the navigation and the group registration form lead to /groups', async () => {
  for (const path of ['/', '/help', '/availability', '/rules/discounts'])
    assert.match((await anon.get(path, HTML)).text, /<li><a href="\/groups">学習グループ<\/a><\/li>/, path);
  assert.match((await anon.get('/', HTML)).text, /<a href="\/groups">学習グループをさがす/);
  const help = await anon.get('/help', HTML);
  assert.match(help.text, /<a href="#groups">学習グループをさがす<\/a>/);
  assert.match(help.text, /<h2 id="groups">学習グループ \(サークル\) をさがす<\/h2>/);
  assert.match(help.text, /<a href="\/groups">学習グループをさがす<\/a>のページ/);
  assert.match(help.text, /<a href="\/opendata\/groups.csv">/);
  const b = await browserSession(srv.base, ids.other, PW);
  const form = await b.get('/groups/new', HTML);
  assert.equal(form.status, 200);
  assert.match(form.text, /「学習グループをさがす」のページにのり、仲間をさがしている人が見つけやすくなります。/);
  assert.match(form.text, /参加したい人からの問い合わせは、公民館の職員が代表者に取り次ぎます。/);
  assert.match(form.text, /<a href="\/groups">公開している学習グループの一覧を見る/);
});

// ------------------------------------------------------------ staff

test('citizens get 403 on /admin/groups, its group pages and the staff list; visitors are sent to sign in', async () => {
  const b = await browserSession(srv.base, ids.citizen, PW);
  assert.equal((await b.get('/admin/groups', HTML)).status, 403);
  assert.equal((await b.get(`/admin/groups?q=${encodeURIComponent('たんか')}&status=all`, HTML)).status, 403);
  assert.equal((await b.get(`/admin/groups/${g.tanka}`, HTML)).status, 403, 'even their own group');
  assert.equal((await who.citizen.get(`/api/v1/groups?q=${encodeURIComponent('たんか')}`)).status, 403);
  const visitor = await anon.get(`/admin/groups/${g.tanka}`, HTML);
  assert.equal(visitor.status, 303);
  assert.match(visitor.headers.get('location'), /^\/signin\?next=/);
});

test('staff find an approved group by its ふりがな in the other script, and open its page with representative, validity and exemptions', async () => {
  const staff = await browserSession(srv.base, ids.staff, PW);
  const trail = () => Number(sql("SELECT count(*) FROM audit_trail WHERE action='group.search'"));
  const queue = await staff.get('/admin/groups', HTML);
  assert.equal(queue.status, 200);
  assert.match(queue.text, /<title>団体登録の審査と検索 \|/);
  assert.match(queue.text, /<form class="form" method="get" action="\/admin\/groups" novalidate>/);
  assert.doesNotMatch(queue.text, /<caption>登録された団体<\/caption>/, 'no look-up asked yet');
  const searched = trail();
  const r = await staff.get(`/admin/groups?q=${encodeURIComponent('マエバシタンカ')}&status=approved`, HTML);
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.match(r.text, /<caption>登録された団体<\/caption>/);
  assert.match(r.text, new RegExp(`<tr><th scope="row"><a href="/admin/groups/${g.tanka}">前橋短歌の会</a></th>` +
    `<td>まえばしたんかのかい</td><td>${g.tanka}</td><td>承認済み</td><td>2027年3月31日（水）</td></tr>`));
  assert.doesNotMatch(r.text, /非公開の会|コーラス赤城/);
  assert.match(r.text, /<input class="input size-m" type="text" id="f-q" name="q" value="マエバシタンカ"/);
  assert.match(r.text, /<option value="approved" selected>承認済み<\/option>/);
  assert.equal(trail(), searched + 1, 'the look-up is in the audit trail');
  // every status, by part of the name; a group that did not opt in is found too
  const all = await staff.get(`/admin/groups?q=${encodeURIComponent('の会')}&status=all`, HTML);
  const found = [...all.text.matchAll(/<a href="\/admin\/groups\/(\d{9})">/g)].map((m) => m[1]);
  assert.ok(found.includes(g.tanka) && found.includes(g.secret), found.join());
  // by the group ID
  const byId = await staff.get(`/admin/groups?q=${g.chorus}&status=all`, HTML);
  assert.deepEqual([...byId.text.matchAll(/<a href="\/admin\/groups\/(\d{9})">/g)].map((m) => m[1]), [g.chorus]);

  // the group's page: representative with system ID and contact, validity, exemptions
  const views = () => Number(sql(`SELECT count(*) FROM audit_trail WHERE action='group.view' AND target='group:${g.tanka}'`));
  const viewed = views();
  const page = await staff.get(`/admin/groups/${g.tanka}`, HTML);
  assert.equal(page.status, 200, page.text.slice(0, 300));
  assert.match(page.text, /<title>団体「前橋短歌の会」 \|/);
  assert.match(page.text, /<dt>状態<\/dt><dd>承認済み \(有効\)<\/dd>/);
  assert.match(page.text, /<dt>有効期限<\/dt><dd>2027年3月31日（水）<\/dd>/);
  assert.match(page.text, new RegExp(`<dt>代表者</dt><dd>赤城 花子 \\(利用者番号 ${ids.citizen}\\)</dd>`));
  assert.match(page.text, /<dt>電話<\/dt><dd>027-555-0199<\/dd>/);
  assert.match(page.text, /<h2 id="discount-title">減免<\/h2><p>減免の申請はありません。<\/p>/);
  assert.match(page.text, /公開している \(<a href="\/groups">学習グループをさがす<\/a>にのる\)/);
  assert.ok(views() > viewed, 'the view is in the audit trail');
  assert.equal(sql(`SELECT subject FROM audit_trail WHERE action='group.view' AND target='group:${g.tanka}' ORDER BY id DESC LIMIT 1`), ids.citizen);
  // an unknown group is 404
  assert.equal((await staff.get('/admin/groups/123456782', HTML)).status, 404);
});

test('the staff JSON list takes q and status=all; bad filters are 422 at the field, on the API and on the page', async () => {
  const r = await who.staff.get(`/api/v1/groups?q=${encodeURIComponent('タンカ')}&status=all`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.groups.map((x) => x.id).sort(), [g.tanka, g.waiting].sort());
  assert.equal(r.json.groups.find((x) => x.id === g.tanka).representative.system_id, ids.citizen);
  // without status, the queue as before
  assert.deepEqual((await who.staff.get('/api/v1/groups')).json.groups.map((x) => x.status), []);
  const bogus = await who.staff.get('/api/v1/groups?status=bogus');
  assert.equal(bogus.status, 422);
  assert.equal(bogus.json.error.code, 'validation');
  assert.match(bogus.json.error.fields.status, /all（すべて）/);
  const long = await who.staff.get(`/api/v1/groups?q=${'x'.repeat(101)}`);
  assert.equal(long.status, 422);
  assert.ok(long.json.error.fields.q);
  const staff = await browserSession(srv.base, ids.staff, PW);
  const page = await staff.get('/admin/groups?q=&status=bogus', HTML);
  assert.equal(page.status, 422);
  assert.match(page.text, /<title>入力エラー: 団体登録の審査と検索 \|/);
  assert.match(page.text, /<a href="#f-status">状態: 状態は pending（審査中）/);
  assert.match(page.text, /<select[^>]*id="f-status"[^>]*aria-invalid="true"/);
  assert.doesNotMatch(page.text, /<caption>登録された団体<\/caption>/);
  assert.match(page.text, /<h2 id="queue-title">審査を待っている申請<\/h2>/, 'the queue is still there');
});

test('a group read by staff carries the representative\'s contact; its own representative\'s view does not change', async () => {
  const s = await who.staff.get(`/api/v1/groups/${g.tanka}`);
  assert.equal(s.status, 200);
  assert.deepEqual(s.json.representative, { system_id: ids.citizen, name: '赤城 花子',
    phone: '027-555-0199', email: 'akagi.hanako@example.jp' });
  const own = await who.citizen.get(`/api/v1/groups/${g.tanka}`);
  assert.deepEqual(own.json.representative, { system_id: ids.citizen, name: '赤城 花子' });
  assert.equal(Number(sql(`SELECT count(*) FROM audit_trail WHERE action='group.view' AND actor_id=${ids.citizen}`)), 0);
});
