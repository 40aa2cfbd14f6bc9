// The pane's CRM sign-in against the emulator: connect screen service, PKCE dialog round trip (a
// stand-in dialog that walks the pages' logic and Oro's login form over HTTP), code exchange, refresh,
// 401 handling, Disconnect. Tokens must never reach roamingSettings (asserted through office-addin-mock).
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { OfficeMockObject } from 'office-addin-mock';

// office-addin-mock needs only the OfficeApp enum from office-addin-manifest, whose package entry drags in an
// ESM-only dependency jest cannot require; serve the enum's own CommonJS file instead.
jest.mock('office-addin-manifest', () => jest.requireActual('office-addin-manifest/lib/officeApp'));

import { CrmHttp } from '../../src/crm/http';
import { roamingConnectionStore } from '../../src/auth/connection';
import { clearCrmSyncState } from '../../src/auth/connection-local-state';
import { ConnectionManager } from '../../src/auth/connection-manager';
import { exchangeCode, SignInRequiredError } from '../../src/auth/crm-oauth';
import { crmRedirectUri } from '../../src/auth/crm-oauth-signin';
import { DialogError, type AuthDialog } from '../../src/auth/office-dialog';
import { callbackAnswer, startRedirect } from '../../src/auth/pages/dialog-pages';
import { storageTokenVault } from '../../src/auth/token-vault';
import { openIndexedDbStore } from '../../src/store';
import { TestClock } from '../emulators/crm/testing';
import { memoryStorage } from '../support/storage';
import { startPkceCrm, type PkceCrm } from './crm-pkce-harness';

const ADDIN = 'http://localhost:3000/';

type DialogScript = 'login' | 'deny' | 'close' | 'tamper-state' | 'replay';

/** Plays the user in the dialog: auth-start's logic, Oro's login form over HTTP, auth-callback's logic. */
class ScriptedDialog implements AuthDialog {
  opened = 0;
  script: DialogScript = 'login';
  username = 'alice';
  private lastCallback: string | null = null;

  async open(url: string): Promise<string> {
    this.opened++;
    if (this.script === 'close') throw new DialogError('closed', 12006, 'closed');
    const session = new Map<string, string>();
    const storage = { getItem: (k: string) => session.get(k) ?? null, setItem: (k: string, v: string) => void session.set(k, v), removeItem: (k: string) => void session.delete(k) };
    const authorize = new URL(startRedirect(new URL(url).search, storage));
    const page = await fetch(authorize);
    expect(page.status).toBe(200);
    const form = new URLSearchParams(authorize.searchParams);
    form.set('username', this.username);
    form.set('password', this.username);
    form.set('action', this.script === 'deny' ? 'deny' : 'login');
    const res = await fetch(`${authorize.origin}/oauth2-token/authorize`, { method: 'POST', body: form, redirect: 'manual' });
    let callback = new URL(res.headers.get('location')!);
    if (this.script === 'tamper-state') callback.searchParams.set('state', 'forged');
    if (this.script === 'replay' && this.lastCallback) {
      // An attacker re-sends an old code under the new state.
      const old = new URL(this.lastCallback);
      old.searchParams.set('state', callback.searchParams.get('state')!);
      callback = old;
    }
    this.lastCallback = callback.toString();
    return JSON.stringify(callbackAnswer(callback.search, storage));
  }
}

let crm: PkceCrm;
let clock: TestClock;
let dialog: ScriptedDialog;
let roaming: Record<string, unknown>;
let office: any;
let local: Map<string, string>;
let tokenCalls: number;
let indexedDB: IDBFactory;

function manager(opts: { withoutUserProfile?: boolean } = {}) {
  const fetchCounting: typeof fetch = (input, init) => {
    if (String(input).endsWith('/oauth2-token')) tokenCalls++;
    // A CRM without the userprofile resource (its tokens here are opaque, so they name no user either).
    if (opts.withoutUserProfile && String(input).endsWith('/api/userprofile')) return Promise.resolve(new Response('', { status: 404 }));
    return fetch(input, init);
  };
  return new ConnectionManager({
    store: roamingConnectionStore(office.context.roamingSettings),
    vault: storageTokenVault(memoryStorage(local), `${office.context.partitionKey}:`),
    dialog,
    addinBaseUrl: ADDIN,
    rules: { allowLoopbackHttp: true },
    clearLocalState: (url) => clearCrmSyncState(url, { indexedDB, keyPrefix: `${office.context.partitionKey}:` }),
    fetch: fetchCounting,
    now: () => clock.now().getTime(),
  });
}

beforeEach(async () => {
  clock = new TestClock();
  crm = await startPkceCrm({ now: clock.now });
  dialog = new ScriptedDialog();
  roaming = {};
  local = new Map();
  tokenCalls = 0;
  indexedDB = new IDBFactory();
  office = new OfficeMockObject({
    host: 'outlook',
    context: {
      partitionKey: 'pk-7',
      roamingSettings: {
        get: (k: string) => roaming[k],
        set: (k: string, v: unknown) => void (roaming[k] = v),
        remove: (k: string) => void delete roaming[k],
        saveAsync: (cb: (r: { status: string }) => void) => cb({ status: 'succeeded' }),
      },
    },
  });
});
afterEach(async () => {
  await crm.close();
});

/** Every token the CRM issued must be absent from roamingSettings. */
function expectNoTokensInRoaming() {
  const issued = crm.ctx.db.prepare('SELECT token FROM oauth_access_tokens UNION SELECT token FROM oauth_refresh_tokens').all() as { token: string }[];
  expect(issued.length).toBeGreaterThan(0);
  const roamed = JSON.stringify(roaming);
  for (const { token } of issued) expect(roamed).not.toContain(token);
  expect(Object.keys(roaming)).toEqual(['orocrm.crmUrl']);
}

test('connect signs in through the dialog, shows the CRM and user, and keeps only the URL in roamingSettings', async () => {
  const m = manager();
  expect(m.view()).toEqual({ kind: 'not-connected' });
  await m.connect(`  ${crm.url}/ `);
  expect(m.view()).toEqual({ kind: 'signed-in', crmUrl: crm.url, user: { username: 'alice', displayName: 'Alice Archer' } });
  expect(dialog.opened).toBe(1);
  expect(roaming['orocrm.crmUrl']).toBe(crm.url);
  // Tokens live under the partition-prefixed local key.
  expect([...local.keys()]).toEqual([`pk-7:orocrm-outlook.crm-tokens:${crm.url}`]);
  const http = new CrmHttp({ baseUrl: crm.url, tokens: m.tokens()! });
  expect((await http.request({ path: '/api/configuration' })).status).toBe(200);
  expectNoTokensInRoaming();
});

test('a reopened pane finds the connection and signs in silently from the kept tokens', async () => {
  await manager().connect(crm.url);
  const again = manager();
  expect(again.view()).toMatchObject({ kind: 'signed-in', crmUrl: crm.url });
  await again.loadUser();
  expect(again.view()).toMatchObject({ user: { username: 'alice' } });
  expect(dialog.opened).toBe(1);
});

test('a CRM that cannot name the user leaves the connection working but marks the user unknown', async () => {
  await manager().connect(crm.url);
  const again = manager({ withoutUserProfile: true });
  await again.loadUser();
  expect(again.view()).toMatchObject({ kind: 'signed-in', user: null, userUnknown: true });
  const known = manager();
  await known.loadUser();
  expect(known.view()).toMatchObject({ user: { username: 'alice' } });
  expect(known.view()).not.toHaveProperty('userUnknown');
});

test('an http URL of a real host is refused with a clear message and nothing is saved', async () => {
  await expect(manager().connect('http://crm.example.com')).rejects.toThrow('must start with https://');
  expect(roaming).toEqual({});
  expect(dialog.opened).toBe(0);
});

test.each([
  ['close', 'dialog-closed', 'The sign-in window was closed'],
  ['deny', 'consent-denied', 'Access was not granted'],
  ['tamper-state', 'state-mismatch', 'did not match'],
] as const)('a %s dialog ends in "%s" with a message and no second dialog', async (script, reason, text) => {
  const m = manager();
  dialog.script = script;
  const error = await m.connect(crm.url).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SignInRequiredError);
  expect((error as SignInRequiredError).reason).toBe(reason);
  expect(m.view()).toMatchObject({ kind: 'sign-in-required', reason, message: expect.stringContaining(text) });
  expect(dialog.opened).toBe(1);
  expect(local.size).toBe(0);
  // The Sign-in button then works.
  dialog.script = 'login';
  await m.signIn();
  expect(m.view()).toMatchObject({ kind: 'signed-in' });
});

test('a wrong verifier is rejected by the CRM and reported as a failed sign-in', async () => {
  dialog.script = 'login';
  const m = manager();
  await m.connect(crm.url);
  // Take a fresh code by hand and exchange it with a verifier that does not match its challenge.
  const answer = JSON.parse(await dialog.open(`${ADDIN}auth-start.html?authorize=${encodeURIComponent(
    `${crm.url}/oauth2-token/authorize?response_type=code&client_id=outlook-addin&redirect_uri=${encodeURIComponent(crmRedirectUri(ADDIN))}&code_challenge=${'A'.repeat(43)}&code_challenge_method=S256&state=s1`,
  )}`));
  const error = await exchangeCode({ crmUrl: crm.url, code: answer.code, verifier: 'B'.repeat(43), redirectUri: crmRedirectUri(ADDIN) }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SignInRequiredError);
  expect((error as SignInRequiredError).reason).toBe('sign-in-failed');
  expect((error as Error).message).toMatch(/authorization grant/);
});

test('a replayed code is refused, and the session it first opened is revoked into a sign-in prompt', async () => {
  const m = manager();
  await m.connect(crm.url);
  const firstToken = await m.tokens()!.accessToken();
  dialog.script = 'replay';
  await expect(m.signIn()).rejects.toMatchObject({ reason: 'sign-in-failed' });
  const http = new CrmHttp({ baseUrl: crm.url, tokens: m.tokens()! });
  expect(await m.tokens()!.accessToken()).toBe(firstToken);
  await expect(http.request({ path: '/api/configuration' })).rejects.toMatchObject({ reason: 'session-expired' });
  expect(m.view()).toMatchObject({ kind: 'sign-in-required', reason: 'session-expired' });
  expect(dialog.opened).toBe(2);
});

test('the access token is renewed shortly before it expires, with the rotated refresh token', async () => {
  const m = manager();
  await m.connect(crm.url);
  const tokens = m.tokens()!;
  const first = await tokens.accessToken();
  const before = tokenCalls;
  clock.advance(3600 - 30);
  const second = await tokens.accessToken();
  expect(second).not.toBe(first);
  expect(tokenCalls).toBe(before + 1);
  // The old refresh token was rotated away.
  const stale = await fetch(`${crm.url}/api/configuration`, { headers: { Authorization: `Bearer ${first}` } });
  expect(stale.status).toBe(401);
  expectNoTokensInRoaming();
});

test('a 401 triggers one refresh; when the refresh token has expired too, the pane asks for sign-in instead of opening a dialog', async () => {
  const m = manager();
  await m.connect(crm.url);
  const tokens = m.tokens()!;
  const http = new CrmHttp({ baseUrl: crm.url, tokens });
  const views: string[] = [];
  m.subscribe((v) => views.push(v.kind));

  // Server-side revocation of the access token: exactly one refresh, then the request succeeds.
  crm.ctx.db.prepare('UPDATE oauth_access_tokens SET revoked = 1').run();
  const before = tokenCalls;
  expect((await http.request({ path: '/api/configuration' })).status).toBe(200);
  expect(tokenCalls).toBe(before + 1);

  // 31 days later the refresh token is gone as well.
  clock.advance(31 * 24 * 3600);
  const error = await http.request({ path: '/api/configuration' }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SignInRequiredError);
  expect((error as SignInRequiredError).reason).toBe('session-expired');
  expect(m.view()).toMatchObject({ kind: 'sign-in-required', message: expect.stringContaining('session has expired') });
  expect(views).toContain('sign-in-required');
  expect(dialog.opened).toBe(1);
  expect(local.size).toBe(0);
  // Further calls fail fast without touching the token endpoint again.
  const calls = tokenCalls;
  await expect(http.request({ path: '/api/configuration' })).rejects.toBeInstanceOf(SignInRequiredError);
  expect(tokenCalls).toBe(calls);
});

test('Disconnect forgets the tokens, the CRM URL and that CRM\'s local sync state, and nothing else', async () => {
  const m = manager();
  await m.connect(crm.url);
  const mine = await openIndexedDbStore({ crmUrl: crm.url, crmUser: 'alice', mailbox: 'alice@acme.test' }, { indexedDB, keyPrefix: 'pk-7:' });
  const other = await openIndexedDbStore({ crmUrl: 'https://other.example', crmUser: 'alice', mailbox: 'alice@acme.test' }, { indexedDB, keyPrefix: 'pk-7:' });
  await mine.close();
  await other.close();
  await m.disconnect();
  expect(m.view()).toEqual({ kind: 'not-connected' });
  expect(roaming).toEqual({});
  expect(local.size).toBe(0);
  const names = (await indexedDB.databases()).map((d) => d.name);
  expect(names).toEqual([expect.stringContaining('other.example')]);
});
