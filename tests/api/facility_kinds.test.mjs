// Citizen service centres (市民サービスセンター) as a facility kind (issue 16;
// docs/courses.md "Facility kinds"): the rule book's facilities.json may mark
// a centre with "kind"; the catalogue, the availability feed and the open
// data carry it; an unknown kind is refused by check-ordinances.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, client, BIN } from './harness.mjs';

const NOW = '2026-04-01T09:00:00+09:00';
let srv, anon, book;

// A copy of the Maebashi rule book with one illustrative service centre.
function ruleBook(kind = '市民サービスセンター') {
  const dir = mkdtempSync(join(tmpdir(), 'kominkan-kinds-'));
  cpSync('ordinances/maebashi', dir, { recursive: true });
  const f = JSON.parse(readFileSync(join(dir, 'facilities.json'), 'utf8'));
  f.centers.push({ code: 'svc-test', name: 'テスト市民サービスセンター', kana: 'てすとしみんさーびすせんたー', kind,
    address: '群馬県前橋市テスト町1-1', phone: '027-000-0099', lat: 36.39, lon: 139.06,
    note: 'illustrative: a test entry, not a real facility.',
    rooms: [{ code: 'kaigi', name: '会議室', kind: '会議室', capacity: 20, floor_area: 40.0, fee_class: 'meeting_s' }] });
  writeFileSync(join(dir, 'facilities.json'), JSON.stringify(f, null, 2));
  return dir;
}

before(async () => {
  book = ruleBook();
  srv = await start({ now: NOW, args: ['--ordinances', book] });
  anon = client(srv.base);
});
after(async () => {
  await srv.stop();
  rmSync(book, { recursive: true, force: true });
});

test('the catalogue and the availability feed say which kind each facility is', async () => {
  const c = await anon.get('/api/v1/centers');
  assert.equal(c.status, 200);
  const kinds = Object.fromEntries(c.json.centers.map((x) => [x.code, x.kind]));
  assert.equal(kinds.chuo, '公民館', 'a centre without kind is a 公民館');
  assert.equal(kinds['svc-test'], '市民サービスセンター');
  const a = await anon.get('/api/v1/availability?date=2026-04-02&center=svc-test');
  assert.equal(a.status, 200, a.text);
  assert.equal(a.json.centers[0].kind, '市民サービスセンター');
  assert.equal(a.json.centers[0].rooms[0].name, '会議室');
  // the city's list of a service centre's rooms is not public: its rooms are marked illustrative (例示)
  const svc = c.json.centers.find((x) => x.code === 'svc-test');
  assert.equal(svc.rooms_illustrative, true);
  assert.equal(svc.rooms[0].illustrative, true);
  const chuo = c.json.centers.find((x) => x.code === 'chuo');
  assert.equal(chuo.rooms_illustrative, undefined);
  assert.equal(chuo.rooms[0].illustrative, undefined);
});

test('the open data describes the service centre as one', async () => {
  const res = await fetch(`${srv.base}/opendata/facilities.csv`);
  const text = (await res.text()).replace(/^\uFEFF/, '');
  const lines = text.split('\r\n');
  const header = lines[0].split(',').map((s) => s.replace(/^"|"$/g, ''));
  const row = lines.find((l) => l.includes('"svc-test"')).split('","').map((s) => s.replace(/^"|"$/g, ''));
  assert.match(row[header.indexOf('説明')], /^市民サービスセンター。貸し出す部屋 \(例示。市の一覧は公開されていません\): 会議室/);
  assert.match(row[header.indexOf('備考')], /^部屋は例示です/);
  const chuo = lines.find((l) => l.includes('"chuo"')).split('","').map((s) => s.replace(/^"|"$/g, ''));
  assert.match(chuo[header.indexOf('説明')], /^公民館。貸し出す部屋: /);
  assert.doesNotMatch(chuo[header.indexOf('備考')], /部屋は例示です/);
});

test('check-ordinances refuses an unknown facility kind', () => {
  const bad = ruleBook('図書館');
  const r = spawnSync(BIN, ['check-ordinances', bad], { encoding: 'utf8' });
  rmSync(bad, { recursive: true, force: true });
  assert.equal(r.status, 1);
  assert.match(r.stdout + r.stderr, /centers\[16\]\.kind: unknown facility kind "図書館"/);
});
