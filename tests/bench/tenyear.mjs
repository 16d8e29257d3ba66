// make bench, ten years against one (issue 18; tests/bench/bench_tenyear.sh): the same
// requests to a server on the demonstration year and to one on ten years, one after the
// other, each path until BENCH_TENYEAR_RUNS answers (default 50) or BENCH_TENYEAR_SECONDS
// (default 10) have passed; prints p50 and p99 of each and the ratio ten/one of the p99.
// Printed, never asserted: machine speed is not a test.
//
//   node tests/bench/tenyear.mjs ONE_YEAR_BASE TEN_YEARS_BASE
const [oneBase, tenBase] = process.argv.slice(2);
const RUNS = Number(process.env.BENCH_TENYEAR_RUNS || 50);
const SECONDS = Number(process.env.BENCH_TENYEAR_SECONDS || 10);

// The documented accounts of the demonstration data (docs/demo.md).
const WHO = {
  citizen: ['100000017', 'demo-citizen-2026'],
  staff: ['200000016', 'demo-staff-2026'],
  analyst: ['400000014', 'demo-analyst-2026'],
};

// name, who, path. The availability page is asked for signed in: an anonymous copy
// comes from the page cache and would not touch the database.
const PATHS = [
  ['availability page (signed in)', 'citizen', '/availability?date=2026-06-17'],
  ['counter today view', 'staff', '/api/v1/counter/today'],
  ['マイページ (/my)', 'citizen', '/my'],
  ['monthly report 2026-05', 'analyst', '/api/v1/reports/monthly?month=2026-05'],
  ['usage-log export, May', 'analyst', '/api/v1/events?from=2026-05-01&to=2026-05-31'],
];

async function signIn(base, [systemId, password]) {
  const res = await fetch(`${base}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ system_id: systemId, password }),
  });
  if (res.status !== 201 && res.status !== 200) throw new Error(`sign-in ${systemId}: ${res.status}`);
  return (await res.json()).token;
}

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function measure(base, token, path) {
  const times = [];
  let bytes = 0;
  const until = Date.now() + SECONDS * 1000;
  while (times.length < RUNS && (times.length < 3 || Date.now() < until)) {
    const t0 = process.hrtime.bigint();
    const res = await fetch(base + path, { headers: { authorization: `Bearer ${token}` } });
    const body = await res.arrayBuffer();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    bytes = body.byteLength;
  }
  times.sort((a, b) => a - b);
  return { n: times.length, p50: pct(times, 50), p99: pct(times, 99), bytes };
}

async function tokens(base) {
  const out = {};
  for (const [who, cred] of Object.entries(WHO)) out[who] = await signIn(base, cred);
  return out;
}

const one = await tokens(oneBase);
const ten = await tokens(tenBase);
const ms = (x) => x.toFixed(1).padStart(8);
console.log(`${'path'.padEnd(32)}${'1y p50'.padStart(8)}${'1y p99'.padStart(8)}` +
  `${'10y p50'.padStart(9)}${'10y p99'.padStart(9)}   ratio p99 (ms; target <= 2x)`);
let worst = 0;
for (const [name, who, path] of PATHS) {
  const a = await measure(oneBase, one[who], path);
  const b = await measure(tenBase, ten[who], path);
  const ratio = b.p99 / a.p99;
  worst = Math.max(worst, ratio);
  console.log(`${name.padEnd(32)}${ms(a.p50)}${ms(a.p99)} ${ms(b.p50)} ${ms(b.p99)}   ` +
    `${ratio.toFixed(2)}x  (${a.n}/${b.n} runs, ${a.bytes}/${b.bytes} bytes)`);
}
console.log(`tenyear: worst p99 ratio ${worst.toFixed(2)}x`);
