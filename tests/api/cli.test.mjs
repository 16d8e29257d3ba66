// The command line: check-ordinances, and refusing to serve an invalid rule book.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, cpSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from './harness.mjs';

function brokenRuleBook() {
  const dir = mkdtempSync(join(tmpdir(), 'kominkan-rb-'));
  cpSync('ordinances/maebashi', dir, { recursive: true });
  const f = join(dir, 'rules-2026-04-01.json');
  const rules = JSON.parse(readFileSync(f, 'utf8'));
  rules.slots[1].start = '13:60';
  writeFileSync(f, JSON.stringify(rules, null, 2));
  return dir;
}

test('check-ordinances accepts the Maebashi rule book', () => {
  const r = spawnSync(BIN, ['check-ordinances', 'ordinances/maebashi'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /16 centres/);
});

test('check-ordinances reports file: json.path: message and exits 1', () => {
  const dir = brokenRuleBook();
  try {
    const r = spawnSync(BIN, ['check-ordinances', dir], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^rules-2026-04-01\.json: slots\[1\]\.start: /m);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('serve refuses an invalid rule book with the message and exit code 1', () => {
  const dir = brokenRuleBook();
  const db = join(dir, 'k.db');
  try {
    const r = spawnSync(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--ordinances', dir],
      { encoding: 'utf8', timeout: 20000 });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /rules-2026-04-01\.json: slots\[1\]\.start: /);
    assert.doesNotMatch(r.stdout, /listening on/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a bad KOMINKAN_NOW is refused', () => {
  const r = spawnSync(BIN, ['serve', '--db', '/nonexistent/x.db', '--listen', '127.0.0.1:0'],
    { encoding: 'utf8', env: { ...process.env, KOMINKAN_NOW: 'yesterday' }, timeout: 20000 });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /KOMINKAN_NOW/);
});

test('docker-compose.yml parses and matches the Makefile port and health check', async () => {
  const { parse } = await import('yaml');
  const doc = parse(readFileSync('docker-compose.yml', 'utf8'));
  const svc = doc.services.kominkan;
  assert.deepEqual(svc.ports, ['8080:8080']);
  assert.match(svc.healthcheck.test.join(' '), /\/healthz/);
  assert.ok('kominkan-data' in doc.volumes);
  assert.equal(svc.volumes[0], 'kominkan-data:/var/lib/kominkan');
  const dockerfile = readFileSync('Dockerfile', 'utf8');
  assert.match(dockerfile, /^FROM debian:bookworm-slim/m);
  assert.match(dockerfile, /HEALTHCHECK .*\/healthz/);
});

// Issue 19: commands that do not need the rule book run from any directory;
// one that does, and cannot find it, names the option that sets it.
test('user add and backup work from another directory; a missing rule book names --ordinances', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kominkan-cwd-'));
  const bin = join(process.cwd(), BIN);
  try {
    const db = join(dir, 'k.db');
    const add = spawnSync(bin, ['user', 'add', '--db', db, '--role', 'admin', '--name', '管理 者'],
      { cwd: dir, input: 'a long password for the test\n', encoding: 'utf8' });
    assert.equal(add.status, 0, add.stderr);
    assert.match(add.stdout, /^\d{9}\n$/);
    const bak = spawnSync(bin, ['backup', '--db', db, '--to', join(dir, 'b.db')], { cwd: dir, encoding: 'utf8' });
    assert.equal(bak.status, 0, bak.stderr);
    const staff = spawnSync(bin, ['user', 'add', '--db', db, '--role', 'staff', '--name', '職員 一', '--center', 'chuo'],
      { cwd: dir, input: 'a long password for the test\n', encoding: 'utf8' });
    assert.equal(staff.status, 1);
    assert.match(staff.stderr, /no rule book at ordinances\/maebashi.*--ordinances DIR/);
    const serve = spawnSync(bin, ['serve', '--db', db, '--listen', '127.0.0.1:0'], { cwd: dir, encoding: 'utf8' });
    assert.equal(serve.status, 1);
    assert.match(serve.stderr, /--ordinances DIR/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
