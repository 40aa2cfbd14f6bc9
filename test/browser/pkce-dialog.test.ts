// The CRM sign-in end to end in Chromium: the built dialog pages (auth-start → Oro's login form on the
// emulator → auth-callback) and the pane's PKCE logic (signInToCrm, CrmOAuthTokens). The office.js
// stand-in plays displayDialogAsync: each dialog is a real page, its messageParent is relayed back,
// and closing the page is the user's 12006.
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { CrmHttp } from '../../src/crm/http';
import { exchangeCode, parseDialogAnswer, SignInRequiredError } from '../../src/auth/crm-oauth';
import { crmRedirectUri, signInToCrm } from '../../src/auth/crm-oauth-signin';
import { CrmOAuthTokens } from '../../src/auth/crm-oauth-tokens';
import { DialogError, type AuthDialog } from '../../src/auth/office-dialog';
import { memoryTokenVault } from '../../src/auth/token-vault';
import { TestClock } from '../emulators/crm/testing';
import { startPkceCrm, type PkceCrm } from '../http/crm-pkce-harness';
import { BROWSER_SETUP_TIMEOUT_MS, startPaneSession, type NetworkFence, type PaneSession } from '../support/browser';

type UserAction = 'login' | 'deny' | 'close' | 'forge-state';

/** displayDialogAsync, played by a browser page of the add-in's origin; the test is the user. */
class BrowserDialog implements AuthDialog {
  opened: string[] = [];
  action: UserAction = 'login';

  constructor(
    private readonly context: BrowserContext,
    private readonly fence: NetworkFence,
  ) {}

  async open(url: string): Promise<string> {
    this.opened.push(url);
    const page = await this.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    let relay!: (m: string) => void;
    const message = new Promise<string>((resolve, reject) => {
      relay = resolve;
      page.on('close', () => reject(new DialogError('closed', 12006, 'The sign-in window was closed.')));
    });
    // Closing may reject before anyone awaits: mark it handled here, `await message` still sees it.
    message.catch(() => undefined);
    await page.exposeFunction('__dialogRelay', (m: string) => relay(m));
    // The stand-in's Office.context.ui.messageParent hands the message to the relay (merged by office-stub.js).
    await page.addInitScript(() => {
      const w = window as unknown as { __officeStubContext?: unknown; __dialogRelay(m: string): void };
      w.__officeStubContext = { ui: { messageParent: (m: string) => void w.__dialogRelay(m) } };
    });
    if (this.action === 'forge-state') {
      // A redirect's target is not routed itself, so forge the CRM's 302 on its way out.
      await page.route((u) => u.pathname === '/oauth2-token/authorize', async (route) => {
        if (route.request().method() !== 'POST') return route.continue();
        const response = await route.fetch({ maxRedirects: 0 });
        const location = new URL(response.headers()['location']);
        location.searchParams.set('state', 'forged');
        await route.fulfill({ status: 302, headers: { Location: location.toString() } });
      });
    }
    await page.goto(url);
    // auth-start redirected to Oro's login page on the emulator.
    await page.getByRole('heading', { name: 'Login' }).waitFor();
    if (this.action === 'close') {
      await page.close();
    } else {
      await page.getByLabel('Username').fill('alice');
      await page.getByLabel('Password').fill('alice');
      await page.getByRole('button', { name: this.action === 'deny' ? 'Cancel' : 'Log in' }).click();
    }
    try {
      return await message;
    } finally {
      if (!page.isClosed()) {
        expect(new URL(page.url()).pathname).toBe('/auth-callback.html');
        await page.close();
      }
      expect(errors).toEqual([]);
      expect(this.fence.blocked).toEqual([]);
    }
  }
}

let pane: PaneSession;
let crm: PkceCrm;
let clock: TestClock;

beforeAll(async () => {
  pane = await startPaneSession();
}, BROWSER_SETUP_TIMEOUT_MS);
afterAll(async () => {
  await pane?.close();
});
beforeEach(async () => {
  clock = new TestClock();
  crm = await startPkceCrm({ now: clock.now });
});
afterEach(async () => {
  await crm.close();
});

async function setup() {
  const { context, fence } = await pane.newPage();
  const dialog = new BrowserDialog(context, fence);
  const tokens = new CrmOAuthTokens({ crmUrl: crm.url, vault: memoryTokenVault(), now: () => clock.now().getTime() });
  const signIn = () => signInToCrm({ addinBaseUrl: `${pane.server.url}/`, dialog, tokens });
  return { context, dialog, tokens, signIn };
}

const apiStatus = (tokens: CrmOAuthTokens) => new CrmHttp({ baseUrl: crm.url, tokens }).request({ path: '/api/configuration' }).then((r) => r.status);

test('success: the dialog pages carry the code back, the pane exchanges it and the token opens the API', async () => {
  const { dialog, tokens, signIn } = await setup();
  await signIn();
  expect(dialog.opened).toHaveLength(1);
  expect(new URL(dialog.opened[0]).pathname).toBe('/auth-start.html');
  expect(tokens.state()).toEqual({ kind: 'signed-in' });
  expect(await apiStatus(tokens)).toBe(200);
});

test('a forged state on the way back is refused by the callback page and no code is exchanged', async () => {
  const { dialog, tokens, signIn } = await setup();
  dialog.action = 'forge-state';
  await expect(signIn()).rejects.toMatchObject({ reason: 'state-mismatch' });
  expect(tokens.state()).toMatchObject({ kind: 'sign-in-required' });
  const exchanged = crm.ctx.db.prepare('SELECT COUNT(*) AS n FROM oauth_auth_codes WHERE used = 1').get() as { n: number };
  expect(exchanged.n).toBe(0);
});

test('denied consent and a closed dialog each end in their own sign-in prompt, one dialog each', async () => {
  const { dialog, signIn } = await setup();
  dialog.action = 'deny';
  await expect(signIn()).rejects.toMatchObject({ reason: 'consent-denied' });
  dialog.action = 'close';
  await expect(signIn()).rejects.toMatchObject({ reason: 'dialog-closed' });
  expect(dialog.opened).toHaveLength(2);
});

test('a wrong verifier and a replayed code are refused by the CRM', async () => {
  const { dialog } = await setup();
  const redirectUri = crmRedirectUri(`${pane.server.url}/`);
  // Take a code through the real pages for a challenge whose verifier we know.
  const verifier = 'v'.repeat(43);
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  const authorize = `${crm.url}/oauth2-token/authorize?${new URLSearchParams({ response_type: 'code', client_id: 'outlook-addin', redirect_uri: redirectUri, code_challenge: challenge, code_challenge_method: 'S256', state: 's-1' })}`;
  const answer = parseDialogAnswer(await dialog.open(`${pane.server.url}/auth-start.html?authorize=${encodeURIComponent(authorize)}`));
  if (answer.type !== 'code') throw new Error('expected a code');

  const wrong = await exchangeCode({ crmUrl: crm.url, code: answer.code, verifier: 'w'.repeat(43), redirectUri }).catch((e: unknown) => e);
  expect(wrong).toBeInstanceOf(SignInRequiredError);
  const first = await exchangeCode({ crmUrl: crm.url, code: answer.code, verifier, redirectUri });
  expect(first.access_token).toEqual(expect.any(String));
  await expect(exchangeCode({ crmUrl: crm.url, code: answer.code, verifier, redirectUri })).rejects.toMatchObject({ reason: 'sign-in-failed' });
});

test('refresh before expiry works; an expired refresh token asks for sign-in without opening a dialog', async () => {
  const { dialog, tokens, signIn } = await setup();
  await signIn();
  const first = await tokens.accessToken();
  clock.advance(3600 - 10);
  const second = await tokens.accessToken();
  expect(second).not.toBe(first);
  expect(await apiStatus(tokens)).toBe(200);

  clock.advance(31 * 24 * 3600);
  const error = await new CrmHttp({ baseUrl: crm.url, tokens }).request({ path: '/api/configuration' }).catch((e: unknown) => e);
  expect(error).toMatchObject({ reason: 'session-expired' });
  expect(tokens.state()).toEqual({ kind: 'sign-in-required', reason: 'session-expired' });
  expect(dialog.opened).toHaveLength(1);
});

test('every built page carries the production Content-Security-Policy', () => {
  for (const page of ['taskpane', 'auth-start', 'auth-callback', 'graph-dialog', 'msal-redirect']) {
    const html = readFileSync(join(pane.build.dir, `${page}.html`), 'utf8');
    const policy = /http-equiv="?Content-Security-Policy"? content="([^"]+)"/.exec(html)?.[1];
    expect(policy).toMatch(/^default-src 'self'; script-src 'self' https:\/\/appsforoffice\.microsoft\.com;/);
    expect(policy).toContain("connect-src 'self' https://crm.example.com https://graph.microsoft.com https://login.microsoftonline.com");
  }
});
