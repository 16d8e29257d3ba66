// The 15-second stall (issue 18; docs/performance.md "The stalls"), made to
// happen on purpose: one server thread, N idle keep-alive connections, the
// server stopped (SIGSTOP) while each connection sends one request, then
// continued (SIGCONT). libmicrohttpd 0.9.75's epoll loop (daemon.c, MHD_epoll)
// keeps calling epoll_wait while the last call returned exactly MAX_EVENTS
// (128) events, with the same timeout: when exactly 128 were ready, the
// second call finds nothing and sleeps until the next connection timeout
// before the 128 requests read are handled; connections idle past the
// timeout by then are closed unanswered.
//
//   node tests/bench/stall.mjs [--bin build/kominkan] [--mode epoll|poll]
//        [--conns 128] [--timeout 3]
//
// Prints one line: "stall: mode M, N requests, answered A, closed C, slowest S ms".
// Bounded: one burst, N connections to 127.0.0.1, at most timeout + 10 s.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const BIN = arg('bin', process.env.KOMINKAN_BIN || 'build/kominkan');
const MODE = arg('mode', 'epoll');
const N = Number(arg('conns', 128));
const TIMEOUT = Number(arg('timeout', 3));

const dir = mkdtempSync(join(tmpdir(), 'kominkan-stall-'));
const srv = spawn(BIN, ['serve', '--db', join(dir, 'k.db'), '--listen', '127.0.0.1:0',
  '--no-access-log', '--threads', '1', '--event-loop', MODE, '--conn-timeout', String(TIMEOUT)],
{ env: { ...process.env, KOMINKAN_NOW: '2026-04-01T09:00:00+09:00' }, stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((resolve, reject) => {
  let out = '';
  const t = setTimeout(() => reject(new Error('no listening line')), 20000);
  srv.stdout.on('data', (d) => {
    out += d;
    const m = out.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
    if (m) { clearTimeout(t); resolve(Number(m[1])); }
  });
});

const REQ = `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
function open() {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}
// Each connection: one request first (so the server has it set up and idle
// in its event loop), then the measured one.
const socks = [];
for (let i = 0; i < N; i++) socks.push(await open());
await Promise.all(socks.map((s) => new Promise((resolve) => {
  s.once('data', () => resolve());
  s.write(REQ);
})));
await new Promise((r) => setTimeout(r, 200));

srv.kill('SIGSTOP');
const t0 = Date.now();
const results = socks.map((s) => new Promise((resolve) => {
  let done = false;
  const finish = (what) => { if (!done) { done = true; resolve({ what, ms: Date.now() - t0 }); } };
  s.on('data', () => finish('answered'));
  s.on('close', () => finish('closed'));
  s.on('error', () => finish('closed'));
  setTimeout(() => finish('unanswered'), (TIMEOUT + 10) * 1000);
}));
for (const s of socks) s.write(REQ);
await new Promise((r) => setTimeout(r, 300)); // every request is in the kernel's buffers
srv.kill('SIGCONT');
const res = await Promise.all(results);
for (const s of socks) s.destroy();
srv.kill('SIGTERM');
await new Promise((r) => srv.on('exit', r));
rmSync(dir, { recursive: true, force: true });

const answered = res.filter((r) => r.what === 'answered').length;
const closed = res.length - answered;
const slowest = Math.max(...res.map((r) => r.ms)) - 300;
console.log(`stall: mode ${MODE}, ${N} requests, answered ${answered}, closed ${closed}, slowest ${slowest} ms`);
