// A real SMTP server for the tests that read mail (Debian's python3-aiosmtpd,
// tests/api/smtp_sink.py writes each message it accepts to a folder), and the
// helpers to read what arrived. Shared by mail.test.mjs and ops_mail.test.mjs.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const PYTHON = '/usr/bin/python3'; // Debian's, where python3-aiosmtpd is
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const procs = [];

// Stop every sink still running (after the tests).
export function stopSinks() {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
}

export function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// An SMTP server on PORT writing to DIR; REFUSED addresses get 550.
export async function sink(port, dir, refused = []) {
  const p = spawn(PYTHON, ['tests/api/smtp_sink.py', String(port), dir, ...refused],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(p);
  let out = '';
  await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`smtp sink did not start: ${out}`)), 20000);
    p.stdout.on('data', (d) => { out += d; if (out.includes('ready')) { clearTimeout(t); resolve(); } });
    p.stderr.on('data', (d) => { out += d; });
    p.on('exit', (c) => { clearTimeout(t); reject(new Error(`smtp sink exited ${c}: ${out}`)); });
  });
  return {
    stop: () => new Promise((resolve) => { p.removeAllListeners('exit'); p.on('exit', resolve); p.kill('SIGTERM'); }),
  };
}

// One received message: its headers (unfolded, names lower-case), the raw
// header block, the decoded subject and the decoded body.
export function parse(raw) {
  const text = raw.toString('latin1');
  const cut = text.indexOf('\r\n\r\n');
  const head = text.slice(0, cut), bodyRaw = text.slice(cut + 4);
  const headers = {};
  for (const line of head.replace(/\r\n[ \t]/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const words = (s) => s.replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?B\?([^?]*)\?=/g, (_, b) => `\u0000${b}\u0000`)
    .split('\u0000').map((part, i) => (i % 2 ? Buffer.from(part, 'base64').toString('utf8') : part)).join('');
  const body = headers['content-transfer-encoding'] === 'base64'
    ? Buffer.from(bodyRaw.replace(/\s+/g, ''), 'base64').toString('utf8') : bodyRaw;
  return { headers, head, subject: words(headers.subject || ''), body };
}

export function received(dir) {
  let names = [];
  // the sink writes .NAME.eml and renames it to NAME.eml when complete: read only those
  try { names = readdirSync(dir).filter((f) => f.endsWith('.eml') && !f.startsWith('.')).sort(); } catch { /* not yet */ }
  return names.map((f) => parse(readFileSync(join(dir, f))));
}

export async function until(what, fn, ms = 30000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await sleep(100);
  }
}
