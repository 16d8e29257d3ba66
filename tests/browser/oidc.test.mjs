// Sign in with the My Number card (issue 17; docs/identity.md) in Debian's
// chromium with JavaScript off, against the real `oidc-provider` on 127.0.0.1:
// the sign-in page's button, the provider's login and consent, back to
// kominkan signed up and verified; a password citizen links the card from
// マイページ with a form button and unlinks it; axe-core on kominkan's pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, addUser } from '../api/harness.mjs';
import { realProvider, CLIENT_ID, SECRET } from '../api/oidc_providers.mjs';
import { launch, signInPage, assertNoViolations } from './helpers.mjs';

const PW = 'browser-oidc-pass-1';
let real, srv, browser;

before(async () => {
  real = await realProvider();
  srv = await start({ args: ['--oidc-issuer', real.issuer, '--oidc-client-id', CLIENT_ID],
    env: { KOMINKAN_OIDC_SECRET: SECRET } });
  real.configure(`${srv.base}/auth/oidc/callback`);
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
  if (real) await real.close();
});

const noScript = () => browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });

// At the provider's development pages (plain forms): log in as LOGIN, consent.
async function atProvider(page, login) {
  assert.ok(page.url().startsWith(real.issuer), page.url());
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', 'x');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  if (page.url().startsWith(real.issuer)) // the consent page
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
}

test('sign up and in with the card, JavaScript off: verified resident on マイページ', async () => {
  const ctx = await noScript();
  const page = await ctx.newPage();
  await page.goto(`${srv.base}/signin`);
  await assertNoViolations(browser, page, '/signin with the card button');
  await Promise.all([page.waitForNavigation(), page.click('#oidc-signin')]);
  await atProvider(page, 'maebashi-taro');
  assert.match(page.url(), /\/register\/done$/);
  assert.match(await page.textContent('main'), /\d{3} \d{3} \d{3}/);
  await page.goto(`${srv.base}/my`);
  const main = await page.textContent('main');
  assert.match(main, /本人確認済み（マイナンバーカード、\d{4}年\d+月\d+日）/);
  assert.match(main, /市内在住（確認済み、\d{4}年\d+月\d+日）/);
  await assertNoViolations(browser, page, '/my with the verified identity');
  await ctx.close();
});

test('a password citizen links the card from マイページ and unlinks it, JavaScript off', async () => {
  const id = await addUser(srv.db, { name: '連携 花子', password: PW });
  const ctx = await noScript();
  const page = await signInPage(ctx, srv.base, id, PW);
  assert.match(await page.textContent('#identity-status'), /まだ本人確認をしていません/);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/my/oidc/link"] button[type=submit]')]);
  await assertNoViolations(browser, page, 'the page before the provider');
  await Promise.all([page.waitForNavigation(), page.click('#oidc-continue')]);
  await atProvider(page, 'takasaki-hanako');
  assert.match(page.url(), /\/my\?card=linked$/);
  assert.match(await page.textContent('main'), /マイナンバーカードを登録しました/);
  assert.match(await page.textContent('#identity-resident'), /前橋市外/);
  await assertNoViolations(browser, page, '/my?card=linked');
  await Promise.all([page.waitForNavigation(), page.click('form[action="/my/oidc/unlink"] button[type=submit]')]);
  assert.match(page.url(), /\/my\?card=unlinked$/);
  assert.match(await page.textContent('#identity-status'), /まだ本人確認をしていません/);
  await ctx.close();
});

test('a refused sign-in is a clear page that passes axe', async () => {
  const ctx = await noScript();
  const page = await ctx.newPage();
  await page.goto(`${srv.base}/auth/oidc/callback?state=forged&code=x`);
  assert.match(await page.textContent('h1'), /マイナンバーカードでログインできませんでした/);
  assert.match(await page.textContent('main'), /ログインもしていません/);
  await assertNoViolations(browser, page, 'the refusal page');
  await ctx.close();
});
