// make bench, sign-in storm (issue 18; tests/bench/bench_signin.sh): CLIENTS clients sign in
// without pause while one client reads a centre's page; prints the reader's p50/p99 and what
// the sign-ins got (200, 503 with Retry-After, anything else) and how long a sign-in that
// succeeded took. A client told 503 waits as Retry-After says, as a browser's person or a
// well-behaved app would. Printed, never asserted.
//
//   node tests/bench/signin_storm.mjs BASE SYSTEM_ID PASSWORD [SECONDS] [CLIENTS]
const [base, systemId, password, seconds = '10', clients = '32'] = process.argv.slice(2);
const until = Date.now() + Number(seconds) * 1000;
const got = { ok: 0, busy: 0, busyWithRetryAfter: 0, other: 0 };
const signInTimes = [];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function signInLoop() {
  while (Date.now() < until) {
    const t0 = process.hrtime.bigint();
    const res = await fetch(`${base}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ system_id: systemId, password }),
    });
    await res.arrayBuffer();
    if (res.status === 200) {
      got.ok++;
      signInTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
    } else if (res.status === 503) {
      got.busy++;
      const ra = Number(res.headers.get('retry-after'));
      if (ra > 0) got.busyWithRetryAfter++;
      await sleep(Math.min(ra > 0 ? ra * 1000 : 1000, Math.max(0, until - Date.now())));
    } else got.other++;
  }
}

async function readLoop(path) {
  const times = [];
  while (Date.now() < until) {
    const t0 = process.hrtime.bigint();
    const res = await fetch(base + path);
    await res.arrayBuffer();
    if (res.status === 200) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return times.sort((a, b) => a - b);
}

const path = '/signage/chuo';
const [times] = await Promise.all([readLoop(path),
  ...Array.from({ length: Number(clients) }, signInLoop)]);
const at = (xs, p) => xs[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)] ?? NaN;
const pct = (p) => at(times, p);
signInTimes.sort((a, b) => a - b);
console.log(`sign-ins (${clients} clients, ${seconds} s): ${got.ok} ok (${(got.ok / Number(seconds)).toFixed(1)}/s),` +
  ` ${got.busy} 503 busy (${got.busyWithRetryAfter} with Retry-After), ${got.other} other;` +
  ` a sign-in took p50 ${at(signInTimes, 50).toFixed(0)} ms, p99 ${at(signInTimes, 99).toFixed(0)} ms`);
console.log(`signin: reader ${path} p50 ${pct(50).toFixed(2)} ms, p99 ${pct(99).toFixed(2)} ms` +
  ` over ${times.length} reads (target p99 < 10 ms)`);
