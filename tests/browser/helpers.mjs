// Browser test helpers: Debian's chromium driven by playwright-core (never a
// downloaded browser), axe-core injected into each page, and a server of our
// own on a free port (tests/api/harness.mjs).
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signIn } from '../api/harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(here, '..', '..');
export const AXE = join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');
export const SHOTS = join(here, 'screenshots');
// Debian's chromium-headless-shell: the same Blink and V8 as Debian's chromium
// (one source package), without the browser's own user interface. Under
// chromium itself every new context also started a renderer for the
// browser's top bar (its WebUI), and a spare one: the shell costs 2.5 times
// less CPU a context (measured: 8.7 against 21.4 CPU-s for six), which was
// most of what the browser tests spent.
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium-headless-shell';
const AXE_SOURCE = readFileSync(AXE, 'utf8');

export const LAUNCH_OPTIONS = {
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

// The browser of a test file. Under tests/run.mjs (make test) one chromium
// serves every browser file (KOMINKAN_BROWSER_WS, its playwright server):
// a file connects, and its browser.close() closes only the contexts it made
// and disconnects. Alone (node --test FILE) a file launches its own.
export async function launch() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install chromium-headless-shell (never a downloaded browser)`);
  if (process.env.KOMINKAN_BROWSER_WS) return chromium.connect(process.env.KOMINKAN_BROWSER_WS);
  return chromium.launch(LAUNCH_OPTIONS);
}

// For tests/run.mjs: one chromium for the whole run, served to the files.
export async function launchServer() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install chromium-headless-shell (never a downloaded browser)`);
  return chromium.launchServer(LAUNCH_OPTIONS);
}

export function shotPath(name) {
  mkdirSync(SHOTS, { recursive: true });
  return join(SHOTS, name);
}

// A browser context for axe: the CSP bypassed (only so that axe can run) and
// axe-core loaded into every page as an init script. The 650 kB are sent to
// chromium once per context and compiled once per renderer (V8 caches the
// compiled script), where injecting them into each page cost ~0.7 s of CPU a
// check, as much as the check itself.
export async function axeContext(browser, opts = {}) {
  const ctx = await browser.newContext({ ...opts, bypassCSP: true });
  await ctx.addInitScript({ content: AXE_SOURCE });
  return ctx;
}

// Run axe with the WCAG 2.0 A and AA rules (JIS X 8341-3:2016 AA) on PAGE;
// returns the violations. DISABLE: rule ids switched off (each must be
// justified where it is used). A page of an axeContext has axe already;
// any other page gets it injected here.
export async function axe(page, disable = []) {
  if (!(await page.evaluate(() => typeof window.axe?.run === 'function'))) await page.addScriptTag({ content: AXE_SOURCE });
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
// on (and the CSP bypassed for axe), with the same cookies; asserts that it
// has no WCAG 2.0 A/AA violation. One such page per browser, reused with the
// cookies replaced each time: a new context (and its renderer process) for
// every check cost more CPU than axe itself.
const axePages = new WeakMap();
export async function assertNoViolations(browser, page, label) {
  let p = axePages.get(browser);
  if (!p) {
    p = await (await axeContext(browser, { viewport: { width: 1280, height: 900 } })).newPage();
    axePages.set(browser, p);
  }
  await p.context().clearCookies();
  await p.context().addCookies(await page.context().cookies());
  await freshGoto(p, page.url());
  const v = await axe(p);
  assert.equal(v.length, 0, `${label}:\n${describe(v)}`);
}

// PAGE (a reused one) loads URL anew: to the same address but for its
// fragment, goto would only scroll, so it leaves for about:blank first.
export async function freshGoto(page, url) {
  if (url.includes('#')) await page.goto('about:blank');
  return page.goto(url);
}

// Do ACTION (a click, a submit) and wait for the page it loads.
export async function go(page, action) {
  await Promise.all([page.waitForNavigation(), action()]);
}
