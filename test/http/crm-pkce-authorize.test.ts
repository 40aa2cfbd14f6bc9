// The CRM emulator's authorization-code flow with PKCE (oro-api.md §6), over real HTTP.
import crypto from 'node:crypto';
import { TestClock } from '../emulators/crm/testing';
import { startPkceCrm, type PkceCrm } from './crm-pkce-harness';
import { DEMO_PASSWORD_CLIENT } from '../emulators/demo-data';

const REDIRECT = 'http://localhost:3000/auth-callback.html';
const CLIENT = 'outlook-addin';

let crm: PkceCrm;
let clock: TestClock;

beforeEach(async () => {
  clock = new TestClock();
  crm = await startPkceCrm({ now: clock.now });
});
afterEach(async () => {
  await crm.close();
});

function pkce() {
  const verifier = crypto.randomBytes(32).toString('base64url');
  return { verifier, challenge: crypto.createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeQuery(over: Record<string, string | undefined> = {}): URLSearchParams {
  const q = new URLSearchParams();
  const params = { response_type: 'code', client_id: CLIENT, redirect_uri: REDIRECT, code_challenge: pkce().challenge, code_challenge_method: 'S256', state: 'st-1', ...over };
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
  return q;
}

async function submitLogin(query: URLSearchParams, form: Record<string, string>) {
  const body = new URLSearchParams({ ...Object.fromEntries(query), ...form });
  return fetch(`${crm.url}/oauth2-token/authorize`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
    redirect: 'manual',
  });
}

/** Logs alice in for a fresh PKCE pair; returns the code and the verifier. */
async function codeFor(username = 'alice', redirectUri = REDIRECT) {
  const pair = pkce();
  const res = await submitLogin(authorizeQuery({ code_challenge: pair.challenge, redirect_uri: redirectUri }), { username, password: username, action: 'login' });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location')!);
  return { code: location.searchParams.get('code')!, verifier: pair.verifier, location };
}

async function token(params: Record<string, string>) {
  const res = await fetch(`${crm.url}/oauth2-token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, json: (await res.json()) as any };
}

const exchange = (code: string, verifier: string, redirectUri = REDIRECT) =>
  token({ grant_type: 'authorization_code', client_id: CLIENT, code, code_verifier: verifier, redirect_uri: redirectUri });

const apiStatus = async (accessToken: string) =>
  (await fetch(`${crm.url}/api/configuration`, { headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/vnd.api+json' } })).status;

describe('GET /oauth2-token/authorize', () => {
  test('shows a login form that carries the request, state included', async () => {
    const res = await fetch(`${crm.url}/oauth2-token/authorize?${authorizeQuery({ state: 'xyz"<' })}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toMatch(/<form method="post" action="\/oauth2-token\/authorize">/);
    expect(html).toContain('name="username"');
    expect(html).toContain('value="xyz&#34;&#60;"');
  });

  test('a public client without code_challenge gets 400 invalid_request with Oro\'s hint', async () => {
    const res = await fetch(`${crm.url}/oauth2-token/authorize?${authorizeQuery({ code_challenge: undefined })}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request', hint: 'Code challenge must be provided for public clients' });
  });

  test('the plain challenge method is refused', async () => {
    const res = await fetch(`${crm.url}/oauth2-token/authorize?${authorizeQuery({ code_challenge_method: 'plain' })}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
  });

  test('an unknown client or an unregistered redirect_uri answers 401 invalid_client, never a redirect', async () => {
    for (const over of [{ client_id: 'nobody' }, { redirect_uri: 'https://evil.example/cb' }]) {
      const res = await fetch(`${crm.url}/oauth2-token/authorize?${authorizeQuery(over)}`, { redirect: 'manual' });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'invalid_client' });
    }
  });
});

describe('login form', () => {
  test('good credentials redirect to redirect_uri with a code and the state passed through', async () => {
    const { code, location } = await codeFor();
    expect(location.origin + location.pathname).toBe(REDIRECT);
    expect(code).toMatch(/^[\w-]{20,}$/);
    expect(location.searchParams.get('state')).toBe('st-1');
  });

  test('wrong credentials show the form again with a message and issue no code', async () => {
    const res = await submitLogin(authorizeQuery(), { username: 'alice', password: 'nope', action: 'login' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Invalid user name or password.');
    expect((crm.ctx.db.prepare('SELECT COUNT(*) AS n FROM oauth_auth_codes').get() as { n: number }).n).toBe(0);
  });

  test('denying redirects with access_denied and the state', async () => {
    const res = await submitLogin(authorizeQuery({ state: 'st-deny' }), { action: 'deny' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('hint')).toBe('The user denied the request');
    expect(location.searchParams.get('state')).toBe('st-deny');
    expect(location.searchParams.has('code')).toBe(false);
  });
});

describe('authorization_code grant', () => {
  test('the right verifier gets a rotating token pair that opens /api', async () => {
    const { code, verifier } = await codeFor();
    const res = await exchange(code, verifier);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ token_type: 'Bearer', expires_in: 3600, access_token: expect.any(String), refresh_token: expect.any(String) });
    expect(await apiStatus(res.json.access_token)).toBe(200);

    const refreshed = await token({ grant_type: 'refresh_token', client_id: CLIENT, refresh_token: res.json.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.refresh_token).not.toBe(res.json.refresh_token);
    const reused = await token({ grant_type: 'refresh_token', client_id: CLIENT, refresh_token: res.json.refresh_token });
    expect(reused.status).toBe(401);
  });

  test('a wrong verifier is rejected with invalid_grant and issues nothing', async () => {
    const { code } = await codeFor();
    const res = await exchange(code, pkce().verifier);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: 'invalid_grant', hint: 'Failed to verify `code_verifier`.' });
    expect(res.json.access_token).toBeUndefined();
  });

  test('a missing or malformed verifier answers invalid_request', async () => {
    const { code } = await codeFor();
    expect((await token({ grant_type: 'authorization_code', client_id: CLIENT, code, redirect_uri: REDIRECT })).json).toMatchObject({ error: 'invalid_request' });
    expect((await exchange(code, 'short')).json).toMatchObject({ error: 'invalid_request' });
  });

  test('a replayed code is refused and revokes the tokens of the first exchange', async () => {
    const { code, verifier } = await codeFor();
    const first = await exchange(code, verifier);
    expect(first.status).toBe(200);
    const replay = await exchange(code, verifier);
    expect(replay.status).toBe(400);
    expect(replay.json).toMatchObject({ error: 'invalid_request', hint: 'Authorization code has been revoked' });
    expect(await apiStatus(first.json.access_token)).toBe(401);
    expect((await token({ grant_type: 'refresh_token', client_id: CLIENT, refresh_token: first.json.refresh_token })).status).toBe(401);
  });

  test('a code expires after 600 seconds on the emulator clock', async () => {
    const { code, verifier } = await codeFor();
    clock.advance(601);
    const res = await exchange(code, verifier);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: 'invalid_request', hint: 'Authorization code has expired' });
  });

  test('a code is accepted just before it expires', async () => {
    const { code, verifier } = await codeFor();
    clock.advance(599);
    expect((await exchange(code, verifier)).status).toBe(200);
  });

  test('a redirect_uri other than the one authorized answers 401 invalid_client', async () => {
    const { code, verifier } = await codeFor();
    const res = await exchange(code, verifier, 'http://localhost:3000/other.html');
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ error: 'invalid_client' });
  });

  test('other grants still reach the password/refresh endpoint, for the applications that have them', async () => {
    const res = await token({ grant_type: 'password', client_id: DEMO_PASSWORD_CLIENT.id, client_secret: DEMO_PASSWORD_CLIENT.secret, username: 'bob', password: 'bob' });
    expect(res.status).toBe(200);
    // One grant per Oro application: the add-in's authorization_code one has no password grant.
    expect((await token({ grant_type: 'password', client_id: CLIENT, username: 'bob', password: 'bob' })).status).toBe(401);
  });
});

test('GET /api/userprofile names the user the token belongs to', async () => {
  const { code, verifier } = await codeFor('bob');
  const { json } = await exchange(code, verifier);
  const res = await fetch(`${crm.url}/api/userprofile`, { headers: { Authorization: `Bearer ${json.access_token}` } });
  expect(res.status).toBe(200);
  expect(((await res.json()) as any).data.attributes).toMatchObject({ username: 'bob', firstName: 'Bob', lastName: 'Baker' });
  expect((await fetch(`${crm.url}/api/userprofile`)).status).toBe(401);
});
