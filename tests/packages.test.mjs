// Every outside tool the build and the suite use is on the one list of Debian
// packages (.ci/debian-packages.txt), so that the README's two commands work on
// a bare Debian 12 machine (issue 19, "Newcomer first").
//
// The test reads the Makefile, .ci/run, the shell scripts and the JavaScript
// under tests/ and collects the commands they run: the first argument of every
// spawn/execFile call, `command -v X`, the tools named in Makefile recipes and
// shell scripts, the pkg-config names in PKGS, the libraries linked with -l and
// the browser's path. Each must map (TOOLS below) to a package on the list with
// the right WHEN ("build" for `make`, "test" or "build" for `make test`, any for
// `make bench`). A command it does not know fails the test: add it to TOOLS and
// its package to the list. Where dpkg knows the tool, the mapping is checked
// against the package that really ships it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, existsSync, realpathSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const read = (p) => readFileSync(join(ROOT, p), 'utf8');

// tool (as called) -> Debian package that ships it
const TOOLS = {
  cc: 'build-essential', gcc: 'build-essential', make: 'build-essential',
  'pkg-config': 'pkg-config',
  node: 'nodejs', npm: 'npm', npx: 'npm',
  'chromium-headless-shell': 'chromium-headless-shell', zbarimg: 'zbar-tools', sqlite3: 'sqlite3', clang: 'clang',
  valgrind: 'valgrind', wrk: 'wrk', nginx: 'nginx-light', curl: 'curl',
  python3: 'python3', aiosmtpd: 'python3-aiosmtpd',
};
// pkg-config names (Makefile PKGS) and -l libraries -> -dev packages
const PKGCONFIG = {
  libmicrohttpd: 'libmicrohttpd-dev', jansson: 'libjansson-dev', libsodium: 'libsodium-dev',
  sqlite3: 'libsqlite3-dev', libqrencode: 'libqrencode-dev', libcurl: 'libcurl4-openssl-dev',
  cjose: 'libcjose-dev', libcrypto: 'libssl-dev',
};
const LIBS = { criterion: 'libcriterion-dev', pthread: 'build-essential', m: 'build-essential' };
// Essential: yes packages (coreutils, util-linux, dash, grep, sed, ...) and shell words
const ESSENTIAL = new Set(('sh bash cp mv rm mkdir touch cat echo printf test true false grep sed awk ' +
  'find sort uniq head tail wc tee date sleep seq kill wait flock prlimit mktemp chmod dirname ' +
  'basename id dpkg apt-get sudo cd set export exit for do done if then fi case esac in while ' +
  'read trap command realpath ln env xargs cut tr').split(' '));

function walk(dir, out = []) {
  for (const name of readdirSync(join(ROOT, dir))) {
    const p = join(dir, name);
    if (name === 'node_modules' || name === 'corpus' || name === 'out' || name === 'screenshots') continue;
    if (statSync(join(ROOT, p)).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

function packageList() {
  const list = new Map();
  for (const line of read('.ci/debian-packages.txt').split('\n')) {
    const t = line.replace(/#.*/, '').trim().split(/\s+/);
    if (t[0]) list.set(t[0], t[1]);
  }
  return list;
}

// What each file runs: [{tool, where}]; `kind` is build (make), test or bench.
function collect() {
  const uses = [];
  const add = (tool, where, kind) => uses.push({ tool, where, kind });
  const mk = read('Makefile');
  // Makefile: the recipe lines of each target, with the target's kind
  let target = '';
  for (const line of mk.split('\n')) {
    const t = line.match(/^([A-Za-z0-9_./%$() -]+):(?!=)/);
    if (t) target = t[1];
    const recipe = line.startsWith('\t');
    const kind = /bench/.test(target) ? 'bench'
      : /^(build\/kominkan|build\/obj\/rel|build\/gen|build\/\.deps|all|run|deps)/.test(target) ? 'build' : 'test';
    if (/case \$\$p in/.test(line)) continue; // install_missing's own nodejs|npm check
    if (recipe || /^\s*(FUZZ_CC|CC)\s*\??=/.test(line)) {
      for (const w of line.match(/\b[a-z][a-z0-9_.+-]*\b/g) || []) if (TOOLS[w] && w !== 'make') add(w, `Makefile: ${line.trim()}`, kind);
    }
    for (const m of line.matchAll(/command -v ([a-z0-9_.+-]+)/g)) add(m[1], `Makefile: ${line.trim()}`, kind);
    for (const m of line.matchAll(/(?:^|\s)-l([a-z0-9_]+)/g)) add(`-l${m[1]}`, `Makefile: ${line.trim()}`, kind);
    if (/-fsanitize=fuzzer/.test(line) && recipe) add('-fsanitize=fuzzer', 'Makefile: libFuzzer', 'test');
  }
  const pkgs = mk.match(/^PKGS\s*:=\s*(.*)$/m);
  assert.ok(pkgs, 'the Makefile names its libraries in PKGS');
  for (const p of pkgs[1].trim().split(/\s+/)) add(`pkg:${p}`, 'Makefile PKGS', 'build');
  assert.ok(/\bcc\b|\$\(CC\)/.test(mk), 'the Makefile compiles with cc');
  add('cc', 'Makefile: $(CC)', 'build');
  // shell scripts: .ci/run and tests/**/*.sh and the valgrind wrapper
  const shells = ['.ci/run', ...walk('tests').filter((p) => /\.sh$|kominkan-vg$/.test(p))];
  for (const f of shells) {
    const kind = f.includes('bench') ? 'bench' : 'test';
    for (const line of read(f).split('\n')) {
      if (/^\s*#/.test(line)) continue;
      for (const w of line.match(/(?<![\w./$-])[a-z][a-z0-9_.+-]*\b/g) || []) if (TOOLS[w]) add(w, `${f}: ${line.trim()}`, kind);
      for (const m of line.matchAll(/command -v "?([a-z0-9_.+-]+)/g)) if (m[1] !== '$p') add(m[1], `${f}: ${line.trim()}`, kind);
    }
  }
  // JavaScript: spawned commands, the browser, python modules
  for (const f of walk('tests').filter((p) => /\.m?js$/.test(p) && p !== 'tests/packages.test.mjs')) {
    const kind = f.includes('bench') ? 'bench' : 'test';
    const src = read(f);
    for (const m of src.matchAll(/\b(?:spawn|spawnSync|execFile|execFileSync|execSync|exec)\(\s*(['"`])([^'"`$]+)\1/g)) {
      const cmd = m[2].trim().split(/\s+/)[0];
      if (/^[A-Z]/.test(m[2]) || f.includes('/unit/')) continue; // SQL text in C-like helpers
      add(cmd.replace(/^\/usr\/s?bin\//, ''), `${f}: ${m[0]}`, kind);
    }
    for (const m of src.matchAll(/['"`]\/usr\/s?bin\/([a-z0-9_.+-]+)['"`]/g)) add(m[1], `${f}: ${m[0]}`, kind);
    for (const m of src.matchAll(/['"`]-m['"`]\s*,\s*['"`]([a-z0-9_]+)['"`]/g)) add(m[1], `${f}: python -m ${m[1]}`, kind);
    if (/python3/.test(src)) add('python3', `${f}: python3`, kind);
  }
  return uses;
}

function packageFor(tool) {
  if (tool.startsWith('pkg:')) return PKGCONFIG[tool.slice(4)];
  if (tool.startsWith('-l')) return LIBS[tool.slice(2)];
  if (tool === '-fsanitize=fuzzer') return 'libclang-rt-14-dev';
  return TOOLS[tool];
}

test('every outside command the build and the suite run is known and on the package list', () => {
  const list = packageList();
  const uses = collect();
  const problems = [];
  const okKind = { build: ['build'], test: ['build', 'test'], bench: ['build', 'test', 'bench'] };
  for (const u of uses) {
    if (ESSENTIAL.has(u.tool) || u.tool.startsWith('.') || u.tool.startsWith('build/') || u.tool === 'BIN') continue;
    const pkg = packageFor(u.tool);
    if (!pkg) { problems.push(`${u.tool}: unknown tool (${u.where}); add it to TOOLS here and its package to .ci/debian-packages.txt`); continue; }
    if (!list.has(pkg)) { problems.push(`${u.tool}: package ${pkg} is not on .ci/debian-packages.txt (${u.where})`); continue; }
    if (!okKind[u.kind].includes(list.get(pkg))) problems.push(`${u.tool}: ${pkg} is listed for "${list.get(pkg)}" but ${u.kind} needs it (${u.where})`);
  }
  assert.deepEqual([...new Set(problems)], []);
  // the scan itself must see the tools we know the suite uses
  const seen = new Set(uses.map((u) => u.tool));
  for (const t of ['chromium-headless-shell', 'zbarimg', 'sqlite3', 'clang', 'valgrind', 'wrk', 'nginx', 'curl', 'node', 'pkg:libmicrohttpd', '-lcriterion'])
    assert.ok(seen.has(t), `the scan finds ${t}`);
});

test('the list is what the Makefile and .ci/run read', () => {
  assert.match(read('Makefile'), /PKG_LIST := \.ci\/debian-packages\.txt/);
  assert.match(read('.ci/run'), /\.ci\/debian-packages\.txt/);
  for (const [pkg, when] of packageList()) assert.ok(['build', 'test', 'bench'].includes(when), `${pkg}: WHEN is build, test or bench`);
  // fonts for Japanese screenshots and the CJK font the pages test asks for
  assert.ok(packageList().has('fonts-noto-cjk'));
});

// Where dpkg knows the file, the mapping names the package that really ships it.
test('the tool-to-package map agrees with dpkg on this machine', { skip: !existsSync('/usr/bin/dpkg') }, () => {
  const owner = (path) => {
    const r = spawnSync('dpkg', ['-S', path], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout.split(':')[0].trim() : null;
  };
  const wrong = [];
  for (const [tool, pkg] of Object.entries(TOOLS)) {
    if (['cc', 'gcc', 'make', 'pkg-config', 'node', 'npm', 'npx', 'aiosmtpd', 'nginx', 'clang', 'python3'].includes(tool)) continue; // alternatives, metapackages, local node
    const w = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    if (!w) continue;
    const got = owner(realpathSync(w)) || owner(w);
    if (got && got !== pkg) wrong.push(`${tool}: ${w} is in ${got}, not ${pkg}`);
  }
  for (const [pc, pkg] of Object.entries(PKGCONFIG)) {
    const dir = spawnSync('pkg-config', ['--variable=pcfiledir', pc], { encoding: 'utf8' }).stdout.trim();
    if (!dir) continue;
    const got = owner(join(dir, `${pc}.pc`));
    if (got && got.replace(/:.*/, '') !== pkg) wrong.push(`${pc}.pc is in ${got}, not ${pkg}`);
  }
  assert.deepEqual(wrong, []);
});
