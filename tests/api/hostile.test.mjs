// Hostile clients, on loopback only and bounded in count and time: idle
// connections, slowloris, oversized headers, garbage bytes and well over a
// thousand concurrent connections. Through all of it /healthz must answer
// within a second.
//
// All traffic is local, so "addresses" are loopback source addresses: the
// server listens on 127.0.0.1, attackers connect from 127.0.0.1 and
// 127.0.0.3-9, ordinary clients from 127.0.0.10-17, and the health probe from
// 127.0.0.2 (node's localAddress; every 127/8 address is the loopback
// interface on Linux). The server runs with explicit limits (a 4 s idle
// timeout, so the test need not wait 15 s) and otherwise the production
// options of http/server.c, where each limit is explained.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { start } from './harness.mjs';

const PER_IP = 200;
const CONN_LIMIT = 1900;
const TIMEOUT_S = 4;

// Stay well under this process's descriptor limit whatever the machine.
const fdLimit = Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim()) || 1024;
const BUDGET = Math.max(100, Math.min(1600, fdLimit - 300));

let srv, port;
before(async () => {
  srv = await start({
    now: '2026-04-08T10:00:00+09:00',
    args: ['--conn-timeout', String(TIMEOUT_S), '--per-ip-limit', String(PER_IP),
      '--conn-limit', String(CONN_LIMIT), '--threads', '2'],
  });
  port = Number(new URL(srv.base).port);
});
after(async () => { await srv.stop(); });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The health probe runs in its own process, so that the attackers' work in
// this one (thousands of sockets on one event loop) cannot delay it: every
// 100 ms a GET /healthz from 127.0.0.2 on a fresh connection; it prints each
// time in ms, or "FAIL reason".
const PROBER = `
import http from 'node:http';
const port = Number(process.argv[1]);
const once = () => new Promise((resolve) => {
  const t0 = process.hrtime.bigint();
  const req = http.get({ host: '127.0.0.1', port, path: '/healthz', localAddress: '127.0.0.2', agent: false, timeout: 1000 }, (res) => {
    res.resume();
    res.on('end', () => resolve(res.statusCode === 200 ? (Number(process.hrtime.bigint() - t0) / 1e6).toFixed(1) : 'FAIL status ' + res.statusCode));
  });
  req.on('timeout', () => { req.destroy(); resolve('FAIL no answer within 1 s'); });
  req.on('error', (e) => resolve('FAIL ' + e.message));
});
for (;;) { console.log(await once()); await new Promise((r) => setTimeout(r, 100)); }
`;

function probe() {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', localAddress: '127.0.0.2', agent: false, timeout: 1000 }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(Number(process.hrtime.bigint() - t0) / 1e6) : reject(new Error(`healthz ${res.statusCode}`))));
    });
    req.on('timeout', () => { req.destroy(new Error('healthz took over 1 s')); });
    req.on('error', reject);
  });
}

// Probe (from the prober process) while FN runs, at least 1 s; every probe
// must answer 200 within 1 s.
async function whileProbing(fn) {
  const p = spawn(process.execPath, ['--input-type=module', '-e', PROBER, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  p.stdout.on('data', (d) => { out += d; });
  const exited = new Promise((r) => p.on('exit', r));
  const t0 = Date.now();
  try {
    return await fn();
  } finally {
    while (Date.now() - t0 < 1000 || out.split('\n').length < 4) await sleep(100);
    p.kill();
    await exited;
    const lines = out.trim().split('\n');
    const fails = lines.filter((l) => l.startsWith('FAIL'));
    assert.deepEqual(fails, [], `healthz failed while under attack: ${fails.join('; ')}`);
    const worst = Math.max(...lines.map(Number));
    assert.ok(worst < 1000, `healthz took ${worst} ms`);
    console.log(`# healthz: ${lines.length} probes, slowest ${worst} ms`);
    if (process.env.HOSTILE_VERBOSE) console.log(`# ${lines.join(" ")}`);
  }
}

// Open N sockets from ADDR; resolves when each has connected or failed.
async function open(n, addr, onConnect = () => {}) {
  const socks = [];
  await Promise.all(Array.from({ length: n }, () => new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port, localAddress: addr });
    s.closedByServer = false;
    s.data = '';
    s.on('data', (d) => { s.data += d; });
    s.on('end', () => { s.closedByServer = true; });
    s.on('close', () => { s.closedByServer = true; });
    s.on('error', () => { s.closedByServer = true; resolve(); });
    s.on('connect', () => { onConnect(s); resolve(); });
    socks.push(s);
  })));
  return socks;
}

const destroyAll = (socks) => { for (const s of socks) s.destroy(); };

test('hundreds of idle connections: one address gets its share, the rest are refused, all are dropped after the timeout', async () => {
  const n = Math.min(600, BUDGET);
  const socks = await whileProbing(async () => {
    const s = await open(n, '127.0.0.1');
    await sleep(500);
    return s;
  });
  const held = socks.filter((s) => !s.closedByServer).length;
  assert.ok(held <= PER_IP, `${held} idle connections held from one address (limit ${PER_IP})`);
  assert.ok(held >= Math.min(n, PER_IP) / 2, `only ${held} held: the limit is not per address`);
  // no traffic: the server drops them after --conn-timeout
  const t0 = Date.now();
  while (socks.some((s) => !s.closedByServer) && Date.now() - t0 < (TIMEOUT_S + 6) * 1000) await sleep(200);
  const left = socks.filter((s) => !s.closedByServer).length;
  destroyAll(socks);
  assert.equal(left, 0, `${left} idle connections still open ${(Date.now() - t0) / 1000} s later`);
  assert.ok(await probe() < 1000);
});

test('slowloris: connections dribbling header bytes do not delay anyone else', async () => {
  const n = Math.min(300, BUDGET);
  await whileProbing(async () => {
    const socks = await open(n, '127.0.0.3', (s) => s.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: '));
    for (let i = 0; i < 8; i++) {
      for (const s of socks) if (!s.closedByServer) s.write('a');
      await sleep(500);
    }
    const alive = socks.filter((s) => !s.closedByServer).length;
    assert.ok(alive <= PER_IP, `${alive} slow connections from one address`);
    destroyAll(socks);
  });
});

test('oversized headers get a 4xx and a hang-up, never a crash', async () => {
  await whileProbing(async () => {
    const big = 'a'.repeat(200 * 1024);
    const many = Array.from({ length: 5000 }, (_, i) => `X-H${i}: ${i}\r\n`).join('');
    const longUrl = `/api/v1/today?x=${'b'.repeat(100 * 1024)}`;
    const cases = [
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${big}\r\n\r\n`,
      `GET /healthz HTTP/1.1\r\nHost: x\r\n${many}\r\n`,
      `GET ${longUrl} HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: ${'c=1; '.repeat(30000)}\r\n\r\n`,
    ];
    const replies = await Promise.all(cases.flatMap((c) => Array.from({ length: 10 }, () => new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.4' }, () => s.write(c));
      let data = '';
      s.on('data', (d) => { data += d; });
      s.on('error', () => resolve(data));
      s.on('close', () => resolve(data));
      s.setTimeout(TIMEOUT_S * 1000 + 4000, () => { s.destroy(); resolve('TIMEOUT'); });
    }))));
    for (const r of replies) {
      assert.notEqual(r, 'TIMEOUT', 'an oversized request was left hanging');
      assert.doesNotMatch(r, /^HTTP\/1\.[01] [23]/, `an oversized request was served: ${r.slice(0, 80)}`);
      if (r) assert.match(r, /^HTTP\/1\.[01] 4\d\d/, r.slice(0, 80));
    }
  });
});

test('garbage bytes get a 400 or a hang-up', async () => {
  await whileProbing(async () => {
    const inputs = [
      randomBytes(4096),
      Buffer.from('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' + 'x'.repeat(500), 'latin1'), // a TLS hello
      Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n'),
      Buffer.from('GET /\x00healthz HTTP/1.1\r\n\r\n', 'latin1'),
      Buffer.from('POST /api/v1/today HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'),
      Buffer.from('\r\n\r\n\r\n\r\n'),
      Buffer.from('GET /healthz HTTP/9.9\r\n\r\n'),
    ];
    const replies = await Promise.all(Array.from({ length: 140 }, (_, i) => new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.5' }, () => {
        s.write(inputs[i % inputs.length]);
        // half of them also close their side, the other half wait to be told
        if (i % 2) s.end();
      });
      let data = '';
      s.on('data', (d) => { data += d; });
      s.on('error', () => resolve(data));
      s.on('close', () => resolve(data));
      s.setTimeout(TIMEOUT_S * 1000 + 4000, () => { s.destroy(); resolve('TIMEOUT'); });
    })));
    for (const r of replies) {
      assert.notEqual(r, 'TIMEOUT', 'garbage left a connection hanging past the timeout');
      if (r) assert.match(r, /^HTTP\/1\.[01] [1-5]\d\d/, JSON.stringify(r.slice(0, 60)));
    }
  });
});

test(`${BUDGET} concurrent connections from several addresses are all served while healthz stays fast`, async () => {
  const addrs = Array.from({ length: 8 }, (_, i) => `127.0.0.${10 + i}`);
  const per = Math.min(Math.floor(BUDGET / addrs.length), PER_IP - 5);
  const statuses = await whileProbing(async () => {
    const all = [];
    for (const a of addrs) all.push(...await open(per, a));
    // all of them open at once, each asks for today's feed; the requests go
    // out in waves of 100 every 60 ms, about 1,600 a second (a sustained
    // burst rather than one instant: on a shared two-core test machine one
    // instant of 1,600 requests to the sanitizer build measures the machine's
    // other load more than the server)
    const got = await Promise.all(all.map((s, i) => new Promise((resolve) => {
      if (s.closedByServer) { resolve('refused'); return; }
      setTimeout(() => s.write('GET /api/v1/today?center=chuo HTTP/1.1\r\nHost: x\r\n\r\n'), Math.floor(i / 100) * 60);
      const t = setTimeout(() => resolve('timeout'), 15000);
      const check = () => {
        const m = s.data.match(/^HTTP\/1\.1 (\d{3})[^]*?\r\n\r\n/);
        const len = s.data.match(/content-length: (\d+)/i);
        if (m && len && s.data.length >= s.data.indexOf('\r\n\r\n') + 4 + Number(len[1])) {
          clearTimeout(t);
          resolve(m[1]);
        }
      };
      s.on('data', check);
      s.on('close', () => { clearTimeout(t); resolve(s.data.match(/^HTTP\/1\.1 (\d{3})/)?.[1] || 'closed'); });
    })));
    destroyAll(all);
    return got;
  });
  const counts = statuses.reduce((m, s) => ({ ...m, [s]: (m[s] || 0) + 1 }), {});
  assert.equal(counts['200'], statuses.length, `not all served: ${JSON.stringify(counts)}`);
  assert.ok(statuses.length >= Math.min(1000, BUDGET - 100), `only ${statuses.length} connections`);
});

test('afterwards the server serves normally', async () => {
  await sleep(200);
  assert.ok(await probe() < 1000);
  const r = await fetch(`${srv.base}/api/v1/today?center=chuo`);
  assert.equal(r.status, 200);
  assert.equal((await r.json()).centers.length, 1);
});
