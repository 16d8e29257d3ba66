// The opening minute (make bench): with the clock at the minute booking for June
// opens, a bounded number of concurrent clients book over loopback.
//
//   node tests/bench/booking_rush.mjs [--attempts 2000] [--slots 500] [--concurrency 64]
//                                     [--accounts 32] [--sessions 2]
//
// Every target (room, date, slot) is attempted attempts/slots times, in a
// shuffled order, by signed-in citizens over keep-alive connections: real
// sessions, real rules, real transactions with synchronous=FULL. Prints
// successes, conflicts, other answers, double bookings (counted in the
// database after the run: must be 0), bookings/s, p50 and p99 latency.
//
// The rule book is Maebashi's with two caps raised for the bench (holds per
// user 100, slots per person per month 1000), so that a few accounts (argon2
// sign-ups are slow on purpose) can stand for thousands of citizens; every
// rule still runs on every request.
import http from 'node:http';
import net from 'node:net';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const ATTEMPTS = arg('attempts', 2000);
const SLOTS = arg('slots', 500);
const CONCURRENCY = arg('concurrency', 64);
const ACCOUNTS = arg('accounts', 16);
const SESSIONS = arg('sessions', 1);
const BIN = process.env.KOMINKAN_BIN || 'build/kominkan';
const NOW = process.env.BENCH_RUSH_NOW || '2026-04-01T09:00:00+09:00';   // June opens
const PW = 'bench-password-123';

const tmp = mkdtempSync(join(tmpdir(), 'kominkan-rush-'));
const db = join(tmp, 'k.db');
let server;

function cleanup() {
  if (server && server.exitCode === null) server.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
}
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

// ---------------------------------------------------------------- rule book
const book = join(tmp, 'ordinances');
mkdirSync(book);
for (const f of readdirSync('ordinances/maebashi')) {
  let text = readFileSync(join('ordinances/maebashi', f), 'utf8');
  if (f.startsWith('rules-')) {
    const j = JSON.parse(text);
    j.holds.max_per_user = 100;
    j.limits.person_slots_per_month = 1000;
    text = JSON.stringify(j, null, 2);
  }
  writeFileSync(join(book, f), text);
}

// ------------------------------------------------------------------ server
function addUser(name) {
  return execFileSync(BIN, ['user', 'add', '--db', db, '--role', 'citizen', '--name', name],
    { input: `${PW}\n`, encoding: 'utf8' }).trim();
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
let port;
function request(method, path, body, token, extra = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers = { ...extra };
    if (data) { headers['Content-Type'] = 'application/json'; headers['Content-Length'] = data.length; }
    if (token) headers.Authorization = `Bearer ${token}`;
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, json, text });
      });
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

async function main() {
  // accounts first (the CLI opens the database itself), then the server
  const t0 = Date.now();
  execFileSync(BIN, ['check-ordinances', book], { stdio: 'ignore' });
  const users = [];
  for (let i = 0; i < ACCOUNTS; i++) users.push(addUser(`ベンチ 利用者${i}`));
  server = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--ordinances', book,
    '--no-access-log'], { env: { ...process.env, KOMINKAN_NOW: NOW }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  server.stderr.on('data', (d) => { err += d; });
  port = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${err}`)), 20000);
    server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    server.on('exit', (code) => reject(new Error(`server exited ${code}:\n${err}`)));
  });

  const tokens = [];
  for (const u of users)
    for (let s = 0; s < SESSIONS; s++) {
      let r;
      for (;;) { // sign-in hashing is bounded: 503 busy means come back
        r = await request('POST', '/api/v1/session', { system_id: u, password: PW });
        if (r.status !== 503) break;
        await new Promise((ok) => setTimeout(ok, 100));
      }
      if (r.status !== 200) throw new Error(`sign-in failed: ${r.status} ${r.text}`);
      tokens.push(r.json.token);
    }

  // the targets: open (room, date, slot) of June, spread over the centres
  const centers = (await request('GET', '/api/v1/centers')).json.centers;
  const targets = [];
  const june = [];
  for (let d = 1; d <= 30; d++) june.push(`2026-06-${String(d).padStart(2, '0')}`);
  outer: for (const date of june) {
    const feed = (await request('GET', `/api/v1/availability?date=${date}`)).json;
    for (const c of feed.centers) for (const room of c.rooms) for (const s of room.slots) {
      if (s.state !== 'free') continue;
      targets.push({ room_id: room.id, date, slot: s.code, capacity: room.capacity });
    }
    if (targets.length >= SLOTS * 4) break outer;
  }
  // a deterministic spread: every k-th candidate
  const step = Math.max(1, Math.floor(targets.length / SLOTS));
  const chosen = [];
  for (let i = 0; i < targets.length && chosen.length < SLOTS; i += step) chosen.push(targets[i]);
  if (chosen.length < SLOTS) throw new Error(`only ${chosen.length} free slots found`);
  let seed = 42;
  const rand = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
  const plan = [];
  for (let i = 0; i < ATTEMPTS; i++) plan.push(chosen[i % SLOTS]);
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [plan[i], plan[j]] = [plan[j], plan[i]];
  }
  const setupSeconds = (Date.now() - t0) / 1000;

  // ------------------------------------------------------------ the rush
  // A lean HTTP/1.1 client: each of CONCURRENCY keep-alive connections sends
  // prebuilt requests one after another and reads just the status line,
  // Content-Length and body, so that the client spends as little of the two
  // shared cores as it can (node's http module would spend more than the
  // server does).
  const requests = plan.map((t, i) => {
    const b = Buffer.from(JSON.stringify({ room_id: t.room_id, date: t.date, slots: [t.slot], purpose: 'ベンチ', attendees: 1 }));
    const head = `POST /api/v1/bookings HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${tokens[i % tokens.length]}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${b.length}\r\n\r\n`;
    return Buffer.concat([Buffer.from(head), b]);
  });
  const lat = [];
  const counts = { ok: 0, taken: 0, other: 0 };
  const others = {};
  let next = 0;
  const serverCpu = () => { // utime + stime of the server, in seconds
    const f = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  };
  function conn() {
    return new Promise((resolve, reject) => {
      const sock = net.connect(port, '127.0.0.1');
      sock.setNoDelay(true);
      let buf = Buffer.alloc(0), t0 = 0n;
      const send = () => {
        if (next >= requests.length) { sock.end(); return resolve(); }
        const i = next++;
        t0 = process.hrtime.bigint();
        sock.write(requests[i]);
      };
      sock.on('connect', send);
      sock.on('error', reject);
      sock.on('data', (d) => {
        buf = buf.length ? Buffer.concat([buf, d]) : d;
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        const m = head.match(/content-length: *(\d+)/i);
        const len = m ? Number(m[1]) : 0;
        if (buf.length < end + 4 + len) return;
        const status = Number(head.slice(9, 12));
        const body = buf.subarray(end + 4, end + 4 + len).toString('utf8');
        buf = buf.subarray(end + 4 + len);
        lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (status === 201) counts.ok++;
        else if (status === 409 && body.includes('"slot_taken"')) counts.taken++;
        else {
          counts.other++;
          const k = `${status} ${body.slice(0, 80)}`;
          others[k] = (others[k] || 0) + 1;
        }
        send();
      });
    });
  }
  const cpu0 = process.cpuUsage();
  const scpu0 = serverCpu();
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, conn));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const clientCpu = (cpu.user + cpu.system) / 1e6;
  const scpu = serverCpu() - scpu0;
  agent.destroy();

  server.kill('SIGTERM');
  await new Promise((ok) => server.on('exit', ok));
  const q = (s) => execFileSync('sqlite3', [db, s], { encoding: 'utf8' }).trim();
  const doubles = Number(q('SELECT count(*) FROM (SELECT 1 FROM booking_slots WHERE active = 1 GROUP BY room_id, date, slot HAVING count(*) > 1)'));
  const stored = Number(q("SELECT count(*) FROM bookings WHERE status = 'held'"));
  const integrity = q('PRAGMA integrity_check');

  lat.sort((x, y) => x - y);
  const pct = (p) => lat[Math.min(lat.length - 1, Math.floor(lat.length * p))];
  console.log(`== booking rush: ${ATTEMPTS} attempts for ${SLOTS} slots at the opening minute (${NOW}),`);
  console.log(`   ${CONCURRENCY} concurrent clients, ${ACCOUNTS} accounts x ${SESSIONS} sessions, keep-alive loopback (setup ${setupSeconds.toFixed(1)} s)`);
  console.log(`successes:        ${counts.ok}`);
  console.log(`conflicts (409):  ${counts.taken}`);
  console.log(`other answers:    ${counts.other}${counts.other ? ' ' + JSON.stringify(others) : ''}`);
  console.log(`double bookings:  ${doubles} (in the database; must be 0)`);
  console.log(`stored holds:     ${stored} (must equal successes); integrity_check: ${integrity}`);
  console.log(`wall time:        ${seconds.toFixed(2)} s`);
  console.log(`bookings/s:       ${(ATTEMPTS / seconds).toFixed(0)} booking requests decided per second (201 + 409; target >= 3000 on 2 cores)`);
  console.log(`successes/s:      ${(counts.ok / seconds).toFixed(0)} holds granted per second`);
  console.log(`latency p50:      ${pct(0.5).toFixed(1)} ms`);
  console.log(`latency p99:      ${pct(0.99).toFixed(1)} ms (target < 100 ms)`);
  console.log(`cpu during rush:  server ${scpu.toFixed(2)} s, this client ${clientCpu.toFixed(2)} s (2 cores shared)`);
  if (doubles !== 0 || stored !== counts.ok || integrity !== 'ok' || counts.ok !== SLOTS) process.exitCode = 1;
}

main().catch((e) => { console.error(`booking rush: ${e.stack || e}`); process.exitCode = 1; });
