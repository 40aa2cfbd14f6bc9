import type { CrmSession, DevCredentials, SignIn } from '../../src/auth/types';
import { DevSyncSignIn, GRAPH_URL_OVERRIDE_KEY, graphEmulatorEndpoints, KEPT_SYNC_TOKENS_KEY, UNAVAILABLE_MAILBOX_UNKNOWN } from '../../src/taskpane/dev-sync-connection';
import { memoryStorage } from '../support/storage';

class FakeSignIn implements SignIn {
  readonly defaultCrmUrl = 'http://127.0.0.1:4100';
  signOuts = 0;
  kept: CrmSession | null = null;
  async signIn(c: DevCredentials): Promise<CrmSession> {
    return this.session(c.crmUrl.replace(/\/+$/, ''), c.username);
  }
  resume(): CrmSession | null {
    return this.kept;
  }
  session(crmUrl: string, username: string): CrmSession {
    return { crmUrl, username, settings: { load: jest.fn(), save: jest.fn() }, signOut: () => void this.signOuts++ };
  }
}

/** Answers both token endpoints with a numbered token per endpoint, Graph's GET /me, and records the URLs asked. */
function tokenFetch() {
  const asked: string[] = [];
  const issued = new Map<string, number>();
  const fetch = jest.fn(async (url: string) => {
    asked.push(url);
    if (url.endsWith('/v1.0/me')) {
      // The primary SMTP address differs from the sign-in name in real tenants.
      return new Response(JSON.stringify({ mail: 'Alice@Acme.test', userPrincipalName: 'alice@acme.onmicrosoft.com' }), { status: 200, headers: { 'Content-Type': 'application/json' } });
    }
    const side = url.includes('/oauth2-token') ? 'crm' : 'graph';
    issued.set(side, (issued.get(side) ?? 0) + 1);
    return new Response(JSON.stringify({ token_type: 'Bearer', access_token: `${side}-token-${issued.get(side)}`, expires_in: 3600, refresh_token: 'r' }), { status: 200, headers: { 'Content-Type': 'application/json' } });
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, asked };
}

const ALICE: DevCredentials = { crmUrl: 'http://127.0.0.1:4100/', username: 'alice', password: 'alice' };

describe('dev sync connection', () => {
  test('the Graph emulator URL gives the API base (/v1.0) and the password-grant endpoint, with or without /v1.0', () => {
    expect(graphEmulatorEndpoints('http://127.0.0.1:4200')).toEqual({ apiBaseUrl: 'http://127.0.0.1:4200/v1.0', tokenUrl: 'http://127.0.0.1:4200/common/oauth2/v2.0/token' });
    expect(graphEmulatorEndpoints('http://localhost:4200/v1.0/')).toEqual({ apiBaseUrl: 'http://localhost:4200/v1.0', tokenUrl: 'http://localhost:4200/common/oauth2/v2.0/token' });
  });

  test('a Graph URL that is not loopback is refused, so the password never leaves the machine', () => {
    expect(graphEmulatorEndpoints('https://graph.microsoft.com/v1.0')).toBeNull();
    expect(graphEmulatorEndpoints('http://192.168.1.5:4200')).toBeNull();
    expect(graphEmulatorEndpoints('not a url')).toBeNull();
    expect(graphEmulatorEndpoints('ftp://127.0.0.1/')).toBeNull();
  });

  test('signing in against a loopback Graph gives a connection for alice whose tokens come from both emulators and are kept, never the password', async () => {
    const storage = memoryStorage();
    const { fetch, asked } = tokenFetch();
    const signIn = new DevSyncSignIn(new FakeSignIn(), { storage, graphUrl: 'http://127.0.0.1:4200', fetch });
    const session = await signIn.signIn(ALICE);
    const connection = signIn.connectionFor(session)!;
    // Named as Graph names the mailbox (its SMTP address), as the headless runner and Office name it.
    expect(connection.identity).toEqual({ crmUrl: 'http://127.0.0.1:4100', crmUser: 'alice', mailbox: 'alice@acme.test' });
    expect(connection.graph.baseUrl).toBe('http://127.0.0.1:4200/v1.0');
    expect(connection.crm.baseUrl).toBe('http://127.0.0.1:4100');

    await expect(connection.crm.tokens.accessToken()).resolves.toBe('crm-token-1');
    await expect(connection.graph.tokens.accessToken()).resolves.toBe('graph-token-1');
    expect(asked).toEqual(['http://127.0.0.1:4200/common/oauth2/v2.0/token', 'http://127.0.0.1:4200/v1.0/me', 'http://127.0.0.1:4100/oauth2-token']);
    const kept = storage.getItem(KEPT_SYNC_TOKENS_KEY)!;
    expect(JSON.parse(kept)).toMatchObject({ crmToken: 'crm-token-1', graphToken: 'graph-token-1', mailbox: 'alice@acme.test' });
    expect(kept).not.toMatch(/password/);
  });

  test('the Graph URL override in storage wins over the build default', async () => {
    const storage = memoryStorage();
    storage.setItem(GRAPH_URL_OVERRIDE_KEY, 'http://127.0.0.1:5555');
    const signIn = new DevSyncSignIn(new FakeSignIn(), { storage, graphUrl: 'https://graph.microsoft.com/v1.0', fetch: tokenFetch().fetch });
    const session = await signIn.signIn(ALICE);
    expect(signIn.connectionFor(session)?.graph.baseUrl).toBe('http://127.0.0.1:5555/v1.0');
  });

  test('without a loopback Graph there is no connection (the pane says sync is unavailable)', async () => {
    const signIn = new DevSyncSignIn(new FakeSignIn(), { storage: memoryStorage(), graphUrl: 'https://graph.microsoft.com/v1.0' });
    const session = await signIn.signIn(ALICE);
    expect(session.username).toBe('alice');
    expect(signIn.connectionFor(session)).toBeNull();
  });

  test('when Graph does not say which mailbox this is, sync is off with a reason (never keyed by a guessed name) and no token is kept', async () => {
    const storage = memoryStorage();
    const { fetch: answering } = tokenFetch();
    const fetch = (async (url: string, init?: RequestInit) =>
      String(url).endsWith('/v1.0/me') ? new Response('{"error":{"code":"ServiceNotAvailable","message":"down"}}', { status: 503, headers: { 'Content-Type': 'application/json' } }) : answering(url, init)) as typeof globalThis.fetch;
    const signIn = new DevSyncSignIn(new FakeSignIn(), { storage, graphUrl: 'http://127.0.0.1:4200', fetch });
    const session = await signIn.signIn(ALICE);
    expect(session.username).toBe('alice');
    expect(signIn.connectionFor(session)).toBeNull();
    expect(signIn.unavailableReason(session)).toBe(UNAVAILABLE_MAILBOX_UNKNOWN);
    expect(storage.getItem(KEPT_SYNC_TOKENS_KEY)).toBeNull();
  });

  test('a reloaded tab resumes the connection from the kept tokens; sign-out forgets them and signs the inner session out', async () => {
    const storage = memoryStorage();
    const inner = new FakeSignIn();
    const first = new DevSyncSignIn(inner, { storage, graphUrl: 'http://127.0.0.1:4200', fetch: tokenFetch().fetch });
    const session = await first.signIn(ALICE);
    const c = first.connectionFor(session)!;
    await c.crm.tokens.accessToken();
    await c.graph.tokens.accessToken();

    inner.kept = inner.session('http://127.0.0.1:4100', 'alice');
    const reloaded = new DevSyncSignIn(inner, { storage, graphUrl: 'http://127.0.0.1:4200' });
    const resumed = reloaded.resume()!;
    const again = reloaded.connectionFor(resumed)!;
    expect(again.identity.mailbox).toBe('alice@acme.test');
    await expect(again.crm.tokens.accessToken()).resolves.toBe('crm-token-1');
    await expect(again.graph.tokens.accessToken()).resolves.toBe('graph-token-1');

    resumed.signOut();
    expect(storage.getItem(KEPT_SYNC_TOKENS_KEY)).toBeNull();
    expect(inner.signOuts).toBe(1);
    expect(reloaded.connectionFor(reloaded.resume()!)).toBeNull();
  });
});
