// Many signed-in citizens without many argon2id hashes (slow on purpose):
// accounts and sessions put straight into the test database. A session row
// holds BLAKE2b-256 of the token's 32 raw bytes (libsodium's
// crypto_generichash, core/accounts.c), computed here in plain JavaScript
// (node:crypto has no BLAKE2b-256). The first use checks the hash against a
// session the server made itself, so a change there fails loudly.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { client } from './harness.mjs';

const M = (1n << 64n) - 1n;
const IV = [0x6a09e667f3bcc908n, 0xbb67ae8584caa73bn, 0x3c6ef372fe94f82bn, 0xa54ff53a5f1d36f1n,
  0x510e527fade682d1n, 0x9b05688c2b3e6c1fn, 0x1f83d9abfb41bd6bn, 0x5be0cd19137e2179n];
const SIGMA = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4], [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13], [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11], [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5], [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0]];
const rotr = (x, n) => ((x >> BigInt(n)) | (x << BigInt(64 - n))) & M;

// BLAKE2b with a 32-byte digest, unkeyed, of a message of at most 128 bytes.
export function blake2b256(msg) {
  if (msg.length > 128) throw new Error('one block only');
  const h = [...IV];
  h[0] ^= 0x01010000n ^ 32n;
  const block = Buffer.alloc(128);
  msg.copy(block);
  const m = Array.from({ length: 16 }, (_, i) => block.readBigUInt64LE(i * 8));
  const v = [...h, ...IV];
  v[12] ^= BigInt(msg.length);
  v[14] ^= M;
  const G = (a, b, c, d, x, y) => {
    v[a] = (v[a] + v[b] + x) & M; v[d] = rotr(v[d] ^ v[a], 32);
    v[c] = (v[c] + v[d]) & M; v[b] = rotr(v[b] ^ v[c], 24);
    v[a] = (v[a] + v[b] + y) & M; v[d] = rotr(v[d] ^ v[a], 16);
    v[c] = (v[c] + v[d]) & M; v[b] = rotr(v[b] ^ v[c], 63);
  };
  for (let r = 0; r < 12; r++) {
    const s = SIGMA[r % 10];
    G(0, 4, 8, 12, m[s[0]], m[s[1]]); G(1, 5, 9, 13, m[s[2]], m[s[3]]);
    G(2, 6, 10, 14, m[s[4]], m[s[5]]); G(3, 7, 11, 15, m[s[6]], m[s[7]]);
    G(0, 5, 10, 15, m[s[8]], m[s[9]]); G(1, 6, 11, 12, m[s[10]], m[s[11]]);
    G(2, 7, 8, 13, m[s[12]], m[s[13]]); G(3, 4, 9, 14, m[s[14]], m[s[15]]);
  }
  const out = Buffer.alloc(64);
  for (let i = 0; i < 8; i++) out.writeBigUInt64LE(h[i] ^ v[i] ^ v[i + 8], i * 8);
  return out.subarray(0, 32);
}

function sql(db, q) {
  return execFileSync('sqlite3', [db], { input: q, encoding: 'utf8' }).trim();
}

function luhn(payload) {
  let sum = 0, dbl = true;
  for (let p = payload, i = 0; i < 8; i++, p = Math.floor(p / 10), dbl = !dbl) {
    let d = p % 10;
    if (dbl) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

// Check the hash against a session the server made: TOKEN of a signed-in
// client of database DB.
export function checkHash(db, token) {
  const raw = Buffer.from(token, 'base64url');
  const hex = blake2b256(raw).toString('hex').toUpperCase();
  return sql(db, `SELECT count(*) FROM sessions WHERE hex(token_hash) = '${hex}';`) === '1';
}

let next = 41000000 + Math.floor(Math.random() * 1000) * 1000;
// N citizens named TAG i with their phone numbers, each with a session made
// at NOW (epoch seconds); returns bearer clients of BASE with .session.system_id.
export function fastCitizens(db, base, n, tag, now) {
  const stmts = ['BEGIN;'];
  const out = [];
  for (let i = 0; i < n; i++) {
    const p = next++;
    const id = `${p}${luhn(p)}`;
    const raw = randomBytes(32);
    const token = raw.toString('base64url');
    stmts.push(`INSERT INTO accounts(id, role, name, phone, password_hash, created_at) VALUES (${id}, 'citizen', '${tag} ${i}', '090-1111-${String(i).padStart(4, '0')}', 'x', ${now});`);
    stmts.push(`INSERT INTO sessions(token_hash, account_id, csrf, created_at, last_seen, expires_at) VALUES (x'${blake2b256(raw).toString('hex')}', ${id}, 'x', ${now}, ${now}, ${now + 86400});`);
    out.push(Object.assign(client(base, { token }), { session: { system_id: id, token } }));
  }
  stmts.push('COMMIT;');
  sql(db, stmts.join('\n'));
  return out;
}
