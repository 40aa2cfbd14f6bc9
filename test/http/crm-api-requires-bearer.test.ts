// Issue 2 audit: "every /api/* route needs Authorization: Bearer" (401, empty body, as Oro) holds on every
// route the emulator serves, whatever the method; a wrong method with a token is Oro's 405 error document;
// CORS lets the pane's origins call the settings API (preflight included) and nobody else.
import { api, startTestCrm, TestClock, type TestCrm } from '../emulators/crm/testing';
import { tokensFor } from '../emulators/crm/server';
import { DEMO_PASSWORD_CLIENT } from '../emulators/demo-data';

/** One request per kind of /api route the emulator serves, plus unknown ones. */
const API_REQUESTS: Array<[string, string]> = [
  ['GET', '/api/outlooksettings/user'],
  ['GET', '/api/outlooksettings/organization'],
  ['GET', '/api/outlooksettings/global'],
  ['GET', '/api/outlooksettings/team'],
  ['PATCH', '/api/outlooksettings/user'],
  ['PATCH', '/api/outlooksettings/global'],
  ['POST', '/api/outlooksettings/user'],
  ['PUT', '/api/outlooksettings/user'],
  ['DELETE', '/api/outlooksettings/user'],
  ['GET', '/api/configuration'],
  ['GET', '/api/configuration/outlook?scope=user&include=options'],
  ['DELETE', '/api/configuration/outlook'],
  ['GET', '/api/userprofile'],
  ['GET', '/api/contacts'],
  ['GET', '/api/contacts/1'],
  ['POST', '/api/contacts'],
  ['PATCH', '/api/contacts/1'],
  ['DELETE', '/api/contacts/1'],
  ['GET', '/api/tasks'],
  ['GET', '/api/rest/latest/calendarevents?calendar=1&page=1&limit=10'],
  ['GET', '/api/rest/latest/audits'],
  ['GET', '/api/no-such-resource'],
  ['PATCH', '/api/no-such-resource/1'],
];

const BODY = JSON.stringify({ data: { type: 'outlooksettings', id: 'user', attributes: { contacts_enabled: { value: false } } } });

async function raw(url: string, method: string, headers: Record<string, string> = {}) {
  const withBody = method !== 'GET' && method !== 'DELETE';
  const res = await fetch(url, {
    method,
    headers: { Accept: 'application/vnd.api+json', ...(withBody ? { 'Content-Type': 'application/vnd.api+json' } : {}), ...headers },
    body: withBody ? BODY : undefined,
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('every /api route needs a Bearer token', () => {
  let t: TestCrm;
  const clock = new TestClock();
  beforeAll(async () => {
    t = await startTestCrm({ now: clock.now });
  });
  afterAll(async () => {
    await t.dispose();
  });

  test.each(API_REQUESTS)('%s %s without a token answers 401 with an empty body', async (method, pathAndQuery) => {
    const res = await raw(`${t.crm.url}${pathAndQuery}`, method);
    expect(res.status).toBe(401);
    expect(res.text).toBe('');
  });

  test('a revoked token (its refresh token was used) and an expired one are refused on every route, and nothing is stored', async () => {
    const first = await tokensFor(t.crm, 'alice');
    // Refreshing revokes the old access token (rotation).
    const refreshed = await fetch(`${t.crm.url}/oauth2-token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: DEMO_PASSWORD_CLIENT.id, client_secret: DEMO_PASSWORD_CLIENT.secret, refresh_token: first.refresh_token }).toString(),
    });
    expect(refreshed.status).toBe(200);
    const expiring = (await tokensFor(t.crm, 'bob')).access_token;
    clock.advance(3601);
    for (const token of [first.access_token, expiring, 'Bearer', '']) {
      for (const [method, pathAndQuery] of API_REQUESTS) {
        const res = await raw(`${t.crm.url}${pathAndQuery}`, method, { Authorization: `Bearer ${token}` });
        expect({ method, pathAndQuery, status: res.status, text: res.text }).toEqual({ method, pathAndQuery, status: 401, text: '' });
      }
    }
    const fresh = (await tokensFor(t.crm, 'alice')).access_token;
    const now = await api(t.crm, 'GET', '/api/outlooksettings/user', { token: fresh });
    expect(now.json.data.attributes.contacts_enabled).toMatchObject({ value: true, useParentScope: true });
  });

  test('a known path with another method and a valid token answers 405 in Oro\'s error shape, with Allow', async () => {
    const token = (await tokensFor(t.crm, 'alice')).access_token;
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await api(t.crm, method, '/api/outlooksettings/user', { token, body: method === 'DELETE' ? undefined : BODY });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, PATCH');
      expect(res.headers.get('content-type')).toBe('application/vnd.api+json');
      expect(res.json.errors).toEqual([expect.objectContaining({ status: '405', title: 'action not allowed exception' })]);
    }
    const after = await api(t.crm, 'GET', '/api/outlooksettings/user', { token });
    expect(after.json.data.attributes.contacts_enabled.value).toBe(true);
  });
});

describe('CORS for the pane, configured as docs/setup.md says (Oro CORS itself: crm-cors.test.ts)', () => {
  let t: TestCrm;
  const origins = ['http://localhost:3000', 'https://localhost:3000', 'http://127.0.0.1:45678'];
  beforeAll(async () => {
    t = await startTestCrm({ corsOrigins: origins });
  });
  afterAll(async () => {
    await t.dispose();
  });

  // The dev server (npm start), the manifest's dev URL, and the browser tests' static server.
  test.each(origins)('the pane at %s may preflight and send a PATCH with If-Match, and read the ETag', async (origin) => {
    const preflight = await fetch(`${t.crm.url}/api/outlooksettings/user`, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'PATCH', 'Access-Control-Request-Headers': 'authorization,content-type,if-match' },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    expect(preflight.headers.get('access-control-allow-methods')).toMatch(/\bPATCH\b/);
    const allowed = (preflight.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/\s*,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(['authorization', 'content-type', 'if-match']));

    const token = (await tokensFor(t.crm, 'alice')).access_token;
    const get = await api(t.crm, 'GET', '/api/outlooksettings/user', { token, headers: { Origin: origin } });
    expect(get.headers.get('access-control-allow-origin')).toBe(origin);
    expect(get.headers.get('access-control-expose-headers')).toMatch(/\bETag\b/);
    const patch = await api(t.crm, 'PATCH', '/api/outlooksettings/user', {
      token,
      headers: { Origin: origin, 'If-Match': get.headers.get('etag')! },
      body: { data: { type: 'outlooksettings', id: 'user', attributes: {} } },
    });
    expect(patch.status).toBe(200);
    expect(patch.headers.get('access-control-allow-origin')).toBe(origin);

    // A 401 must be readable too, or the pane could not tell "sign in again" from a network failure.
    const unauthorized = await api(t.crm, 'GET', '/api/outlooksettings/user', { headers: { Origin: origin } });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('access-control-allow-origin')).toBe(origin);
  });

  test('another site gets no Access-Control-Allow-Origin', async () => {
    const preflight = await fetch(`${t.crm.url}/api/outlooksettings/user`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'PATCH' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const token = (await tokensFor(t.crm, 'alice')).access_token;
    const get = await api(t.crm, 'GET', '/api/outlooksettings/user', { token, headers: { Origin: 'https://evil.example' } });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('the emulator listens on 127.0.0.1 only', () => {
    expect(t.crm.server.address()).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });
    expect(t.crm.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
