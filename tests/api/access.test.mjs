// The access matrix: every route of the route table (from `kominkan routes`,
// so routes added later are walked too) x every role, anonymous included.
// Wherever the table does not grant a role, the answer must be 401 for the
// anonymous and 403 for the signed-in, whatever the body or the IDs. Where it
// does grant, the gate must let the request through (no 401/403 from it, no
// 405, no server error).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { start, client, addUser, signIn, BIN } from './harness.mjs';

const ROLES = ['anonymous', 'citizen', 'staff', 'admin', 'analyst'];
let srv, routes, clients = {}, passwords = {}, ids = {}, groupId;

async function signInAs(role) {
  clients[role] = role === 'anonymous' ? client(srv.base) : await signIn(srv.base, ids[role], passwords[role]);
}

before(async () => {
  const out = spawnSync(BIN, ['routes'], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  routes = JSON.parse(out.stdout);
  srv = await start({ now: '2026-04-08T10:00:00+09:00' });
  for (const role of ROLES.slice(1)) {
    passwords[role] = `matrix-${ROLES.indexOf(role)}-yakuwari-pw`;   // not holding the name (core/pwpolicy.c)
    ids[role] = await addUser(srv.db, { role, name: `${role} テスト`, center: role === 'staff' ? 'chuo' : undefined,
      password: passwords[role] });
  }
  for (const role of ROLES) await signInAs(role);
  const g = await clients.citizen.post('/api/v1/groups', { name: '行列の会', name_kana: 'ぎょうれつのかい',
    members: 2, resident_members: 2 });
  assert.equal(g.status, 201, g.text);
  groupId = g.json.id;
});
after(async () => { await srv.stop(); });

function pathOf(route) {
  if (route.flags.includes('prefix')) return `${route.pattern}site.css`;
  return route.pattern.replace(/\{(\w+)\}/g, (_, name) => {
    if (name === 'id') return groupId;
    if (name === 'system_id') return ids.citizen;
    return '123456782';
  });
}

test('the route table is exported and covers the identity routes', () => {
  assert.ok(routes.length >= 20);
  const has = (m, p) => routes.some((r) => r.method === m && r.pattern === p);
  for (const [m, p] of [['POST', '/api/v1/accounts'], ['POST', '/api/v1/session'], ['DELETE', '/api/v1/session'],
    ['GET', '/api/v1/me'], ['POST', '/api/v1/groups'], ['GET', '/api/v1/groups/{id}'],
    ['POST', '/api/v1/groups/{id}/approve'], ['GET', '/api/v1/groups/public']])
    assert.ok(has(m, p), `${m} ${p}`);
  for (const r of routes) for (const role of r.roles) assert.ok(ROLES.includes(role), `${r.pattern}: ${role}`);
});

test('every route x every role: refused exactly where the table does not grant', async () => {
  let refused = 0, granted = 0;
  for (const route of routes) {
    for (const role of ROLES) {
      const path = pathOf(route);
      const unsafe = !['GET', 'HEAD'].includes(route.method);
      const r = await clients[role].req(route.method, path, unsafe ? {} : undefined);
      const where = `${role} ${route.method} ${route.pattern} -> ${r.status} ${r.text.slice(0, 120)}`;
      if (!route.roles.includes(role)) {
        refused++;
        if (role === 'anonymous') {
          assert.equal(r.status, 401, where);
          assert.equal(r.json.error.code, 'unauthorized', where);
        } else {
          assert.equal(r.status, 403, where);
          assert.equal(r.json.error.code, 'forbidden', where);
        }
      } else {
        granted++;
        assert.notEqual(r.status, 405, where);
        assert.ok(r.status < 500, where);
        if (role !== 'anonymous') assert.notEqual(r.status, 401, where);
        // a granted request may have ended its own session (sign-out): sign in again
        if (unsafe && role !== 'anonymous' && (await clients[role].get('/api/v1/me')).status === 401)
          await signInAs(role);
      }
    }
  }
  assert.ok(refused > 10 && granted > 10, `refused ${refused}, granted ${granted}`);
});

test('identity routes grant what the issue says', () => {
  const roles = (m, p) => routes.find((r) => r.method === m && r.pattern === p).roles.join(',');
  assert.equal(roles('GET', '/api/v1/groups'), 'staff,admin');
  assert.equal(roles('POST', '/api/v1/groups/{id}/approve'), 'staff,admin');
  assert.equal(roles('POST', '/api/v1/groups/{id}/reject'), 'staff,admin');
  assert.equal(roles('POST', '/api/v1/groups'), 'citizen');
  assert.equal(roles('GET', '/api/v1/groups/{id}'), 'citizen,staff,admin');
  assert.equal(roles('GET', '/api/v1/me'), 'citizen,staff,admin,analyst');
  assert.equal(roles('GET', '/api/v1/groups/public'), 'anonymous,citizen,staff,admin,analyst');
});

// docs/openapi.yaml must describe every route (prefix routes such as /static/
// serve files, not an API). Read by its layout: paths at two spaces, methods at four.
test('every route of the table is described in docs/openapi.yaml', () => {
  const described = new Set();
  let path = null;
  for (const line of readFileSync('docs/openapi.yaml', 'utf8').split('\n')) {
    let m = line.match(/^  (\/\S*):\s*$/);
    if (m) { path = m[1]; continue; }
    if (/^\S/.test(line)) path = null;
    m = line.match(/^    (get|put|post|delete|patch):\s*$/);
    if (m && path) described.add(`${m[1].toUpperCase()} ${path}`);
  }
  const missing = routes.filter((r) => !r.flags.includes('prefix'))
    .map((r) => `${r.method} ${r.pattern}`).filter((k) => !described.has(k));
  assert.deepEqual(missing, [], 'routes missing from docs/openapi.yaml');
});
