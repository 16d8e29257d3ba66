// tests/run.mjs [--concurrency N] PATH...: the node:test files under each
// PATH (a folder: its *.test.mjs; or a file), run N at a time (default 2),
// the slowest first. `node --test` sorts its files by name, so a long file
// that happens to sort last runs alone at the end while the other core
// idles; here the files named in tests/slow-first.txt (slowest first) start
// first and every other file follows in name order: a file missing from the
// list still runs, it only starts later. Exits 1 when any test or file
// fails, like `node --test`; the spec report goes to standard output, and at
// the end the slowest files with the time each took, to
// keep tests/slow-first.txt up to date. When browser files are among them,
// one chromium serves them all (tests/browser/helpers.mjs launch()): a
// launch per file cost ~1.5 CPU-s, and each file's chromium its own warm-up.
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const args = process.argv.slice(2);
let concurrency = 2;
const paths = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--concurrency') concurrency = Number(args[++i]);
  else paths.push(args[i]);
}
if (!paths.length || !(concurrency >= 1)) {
  console.error('usage: node tests/run.mjs [--concurrency N] PATH...');
  process.exit(2);
}

const files = [];
for (const p of paths) {
  if (statSync(p).isDirectory()) {
    for (const f of readdirSync(p).filter((f) => f.endsWith('.test.mjs')).sort()) files.push(join(p, f));
  } else files.push(p);
}
const listed = readFileSync(new URL('slow-first.txt', import.meta.url), 'utf8')
  .split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
const rank = (f) => { const i = listed.indexOf(f); return i < 0 ? listed.length : i; };
const ordered = files.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map((x) => x.f);

let browserServer;
if (ordered.some((f) => /(^|[/\\])tests[/\\]browser[/\\]/.test(resolve(f)))) {
  const { launchServer } = await import('./browser/helpers.mjs');
  browserServer = await launchServer();
  process.env.KOMINKAN_BROWSER_WS = browserServer.wsEndpoint();
}

const took = []; // [file, seconds] from each file's own report
const t0 = Date.now();
const stream = run({ files: ordered.map((f) => resolve(f)), concurrency });
stream.on('test:fail', () => { process.exitCode = 1; });
stream.on('test:complete', (ev) => {
  if (ev.file && ev.name === ev.file) took.push([relative(process.cwd(), ev.file), ev.details.duration_ms / 1000]);
});
const out = stream.compose(spec);
out.pipe(process.stdout, { end: false });
out.on('end', async () => {
  if (browserServer) await browserServer.close();
  took.sort((x, y) => y[1] - x[1]);
  console.log(`run.mjs: ${ordered.length} files, ${concurrency} at a time, ${((Date.now() - t0) / 1000).toFixed(1)} s; the slowest:`);
  for (const [f, s] of took.slice(0, 12)) console.log(`  ${s.toFixed(1).padStart(6)} s  ${f}`);
});
