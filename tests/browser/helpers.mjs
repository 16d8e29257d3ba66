// Browser test helpers: Debian's chromium driven by playwright-core (never a
// downloaded browser), axe-core injected into each page, and a server of our
// own on a free port (tests/api/harness.mjs).
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signIn } from '../api/harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(here, '..', '..');
export const AXE = join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');
export const SHOTS = join(here, 'screenshots');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export async function launch() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install chromium (never a downloaded browser)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export function shotPath(name) {
  mkdirSync(SHOTS, { recursive: true });
  return join(SHOTS, name);
}

// Run axe with the WCAG 2.0 A and AA rules (JIS X 8341-3:2016 AA) on PAGE;
// returns the violations. DISABLE: rule ids switched off (each must be
// justified where it is used).
export async function axe(page, disable = []) {
  await page.addScriptTag({ path: AXE });
  const rules = Object.fromEntries(disable.map((id) => [id, { enabled: false }]));
  return page.evaluate(async (rules) => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] },
      rules,
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    }));
  }, rules);
}

export function describe(violations) {
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n` +
    v.nodes.map((n) => `    ${n.target}\n      ${(n.summary || '').replace(/\n/g, '\n      ')}`).join('\n')).join('\n');
}

// Page-level horizontal overflow (WCAG 1.4.10 reflow): the document must not
// be wider than the viewport; wide tables scroll inside .table-wrap.
export async function pageOverflow(page) {
  return page.evaluate(() => {
    const d = document.documentElement;
    return { scrollWidth: d.scrollWidth, clientWidth: d.clientWidth };
  });
}

// A browser context with JavaScript off, signed in as ID (session cookie from
// the API's sign-in) on the server at BASE.
export async function signedInContext(browser, base, id, password) {
  const c = await signIn(base, id, password, { cookie: true });
  const [name, value] = c.cookie.split('=');
  const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
  await ctx.addCookies([{ name, value, url: base }]);
  return ctx;
}

// axe needs script: the page PAGE shows, again in a context with JavaScript
// on (and the CSP bypassed for axe's injected script), with the same cookies;
// asserts that it has no WCAG 2.0 A/AA violation.
export async function assertNoViolations(browser, page, label) {
  const ctx = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  await ctx.addCookies(await page.context().cookies());
  const p = await ctx.newPage();
  await p.goto(page.url());
  const v = await axe(p);
  await ctx.close();
  assert.equal(v.length, 0, `${label}:\n${describe(v)}`);
}

// A new page of browser context CTX signed in at BASE as WHO (system ID,
// password PW) through the sign-in form, landed on NEXT.
export async function signInPage(ctx, base, who, pw, next = '/my') {
  const page = await ctx.newPage();
  await page.goto(`${base}/signin?next=${next}`);
  await page.fill('#f-system_id', who);
  await page.fill('#f-password', pw);
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  return page;
}
