// Cost that stays flat over years of data (issue 18; docs/performance.md): every SQL
// statement in backend/ runs through EXPLAIN QUERY PLAN against the real schema, and
// none on a request path may read a large table from end to end ("SCAN bookings"):
// a plan that looks up by an index costs the same on ten years as on one.
//
// The statements are read from the C source: every string literal (with the
// literals adjacent to it) that starts with SELECT, INSERT, UPDATE, DELETE or WITH.
// Files that never serve a request (the demonstration data, backups, the
// migrations, the command line) are left out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addUser } from './harness.mjs';

// Tables that grow with the years: thousands of rows a month or more.
const LARGE = ['bookings', 'booking_slots', 'events', 'sessions', 'accounts', 'form_submissions',
  'payments', 'audit_trail', 'password_resets', 'outbox'];
// (the demonstration data generator is tools/demo/, outside the directories read here)
const NOT_REQUEST_PATH = ['backend/core/backup.c', 'backend/store/db.c',
  'backend/store/archive.c'];
// Scans that are bounded or rare, each with its reason: [file, part of the statement, why].
const ALLOWED = [
  ['backend/core/trail.c', 'ORDER BY id DESC LIMIT 1',
    'the newest row of the trail: read backwards from the end, one row'],
  ['backend/core/trail.c', 'FROM audit_trail ORDER BY id',
    'kominkan audit-verify (the command line) checks every row of the chain by design'],
  ['backend/core/trail.c', 'ORDER BY id DESC LIMIT $limit',
    "an admin's audit view: newest first, stops after $limit (at most 1,000) rows"],
  ['backend/core/users.c', 'instr(name, $q)',
    "an admin's search of people by part of a name: a substring needs a scan (stops at 1,000)"],
];

// A statement may name a macro made of string literals ("SELECT " ROW_COLUMNS " FROM ..."):
// put each such #define's literals in its place (its own line becomes blank). The
// macros of core's headers count too (bookings.h: BOOKING_COLUMNS, BOOKING_FROM).
const MACRO_RE = /^#define[ \t]+(\w+)((?:[ \t]*\\\n)?[ \t]*(?:"(?:[^"\\\n]|\\.)*"[ \t]*(?:\\\n[ \t]*)?)+)$/gm;
const HEADER_DEFS = new Map();
for (const name of readdirSync('backend/core')) {
  if (!name.endsWith('.h')) continue;
  for (const m of readFileSync(join('backend/core', name), 'utf8').matchAll(MACRO_RE))
    HEADER_DEFS.set(m[1], m[2].replace(/\\\n/g, ' '));
}
function expandMacros(src) {
  const defs = new Map(HEADER_DEFS);
  const out = src.replace(MACRO_RE, (line, name, body) => {
    defs.set(name, body.replace(/\\\n/g, ' '));
    return line.replace(/[^\n]/g, ' ');
  });
  if (!defs.size) return out;
  return out.replace(new RegExp(`\\b(${[...defs.keys()].join('|')})\\b`, 'g'), (m) => defs.get(m));
}

function statements() {
  const out = [];
  for (const dir of ['backend/core', 'backend/http', 'backend/store']) {
    for (const name of readdirSync(dir)) {
      const file = join(dir, name);
      if (!name.endsWith('.c') || NOT_REQUEST_PATH.includes(file)) continue;
      const src = expandMacros(readFileSync(file, 'utf8'));
      // runs of adjacent string literals (only whitespace between them)
      const re = /"((?:[^"\\\n]|\\.)*)"(?:\s*"((?:[^"\\\n]|\\.)*)")*/g;
      for (const m of src.matchAll(re)) {
        const sql = [...m[0].matchAll(/"((?:[^"\\\n]|\\.)*)"/g)].map((x) => x[1]).join('')
          .replace(/\\"/g, '"').replace(/\\n/g, ' ');
        if (!/^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\s/i.test(sql)) continue;
        out.push({ where: `${file}:${src.slice(0, m.index).split('\n').length}`, sql });
      }
    }
  }
  return out;
}

test('no statement on a request path scans a large table', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kominkan-plan-'));
  try {
    const db = join(dir, 'k.db');
    await addUser(db, { role: 'admin', name: '計画' }); // creates and migrates the database
    const all = statements();
    assert.ok(all.length > 50, `only ${all.length} statements found: is the reader broken?`);
    const bad = [];
    for (const { where, sql } of all) {
      let plan;
      try {
        plan = execFileSync('sqlite3', [db, `EXPLAIN QUERY PLAN ${sql}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (e) {
        bad.push(`${where}: does not prepare: ${String(e.stderr).trim()}\n    ${sql}`);
        continue;
      }
      for (const line of plan.split('\n')) {
        const m = line.match(/SCAN (\w+)(?: AS \w+)?(.*)$/);
        if (!m) continue;
        // "SCAN b" names the alias: find the table behind it
        const alias = m[1];
        const table = LARGE.includes(alias) ? alias
          : (sql.match(new RegExp(`\\b(\\w+)\\s+(?:AS\\s+)?${alias}\\b`, 'i')) || [])[1];
        const allowed = ALLOWED.some(([f, part]) => where.startsWith(`${f}:`) && sql.includes(part));
        if (LARGE.includes(table) && !/CONSTANT/.test(line) && !allowed) bad.push(`${where}: ${line.trim()}\n    ${sql}`);
      }
    }
    assert.deepEqual(bad, [], `full scans of large tables:\n${bad.join('\n')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
