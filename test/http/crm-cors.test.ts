// Issue 11 #2: the emulator's CORS is Oro's (test/emulators/crm/cors.ts names the sources). CORS only on
// the JSON:API and the token endpoint, origins and extra headers only from configuration, X-Mode only when
// configured, Date never exposed, and none at all on the legacy REST API (/api/rest) or /api/doc.
import { api, startTestCrm, type TestCrm } from '../emulators/crm/testing';
import { tokensFor } from '../emulators/crm/server';

const PANE = 'https://addin.example.com';

function preflight(crm: { url: string }, path: string, method: string, headers: string, origin = PANE) {
  return fetch(`${crm.url}${path}`, {
    method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': headers },
  });
}

const list = (value: string | null) => (value ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);

describe("Oro's defaults: no origin is allowed", () => {
  let t: TestCrm;
  beforeAll(async () => (t = await startTestCrm()));
  afterAll(async () => t.dispose());

  test('a preflight names Oro headers and methods but allows no origin; so does the token endpoint', async () => {
    const res = await preflight(t.crm, '/api/contacts', 'PATCH', 'authorization,content-type,x-mode');
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(list(res.headers.get('access-control-allow-headers'))).toEqual(['authorization', 'content-type', 'x-include']);
    const token = await preflight(t.crm, '/oauth2-token', 'POST', 'content-type');
    expect(token.headers.get('access-control-allow-origin')).toBeNull();
    expect(token.headers.get('access-control-allow-methods')).toBe('OPTIONS, POST');
  });
});

describe('oro_api.cors with only the origin configured', () => {
  let t: TestCrm;
  let token: string;
  beforeAll(async () => {
    t = await startTestCrm({ cors: { allowOrigins: [PANE] }, oauthCors: { allowOrigins: [PANE] } });
    token = (await tokensFor(t.crm, 'alice')).access_token;
  });
  afterAll(async () => t.dispose());

  test("a JSON:API preflight: the origin, the resource's methods, Authorization,Content-Type,X-Include and no X-Mode, max-age 600", async () => {
    const res = await preflight(t.crm, '/api/contacts', 'PATCH', 'authorization,content-type,x-mode');
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(PANE);
    expect(res.headers.get('access-control-allow-methods')).toBe('OPTIONS, GET, POST, PATCH, DELETE');
    expect(res.headers.get('allow')).toBeNull();
    expect(list(res.headers.get('access-control-allow-headers'))).toEqual(['authorization', 'content-type', 'x-include']);
    expect(res.headers.get('access-control-max-age')).toBe('600');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    const profile = await preflight(t.crm, '/api/userprofile', 'GET', 'authorization');
    expect(profile.headers.get('access-control-allow-methods')).toBe('OPTIONS, GET');
  });

  test('answers expose Location and the count headers, never Date or ETag', async () => {
    const res = await api(t.crm, 'GET', '/api/contacts?page[size]=1', { token, headers: { Origin: PANE, 'X-Include': 'totalCount' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(PANE);
    expect(list(res.headers.get('access-control-expose-headers'))).toEqual(['location', 'x-include-total-count', 'x-include-deleted-count']);
    // An error answer (here the firewall's 401) carries them too, so a browser can read it.
    const refused = await api(t.crm, 'GET', '/api/contacts', { headers: { Origin: PANE } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(PANE);
  });

  test.each(['/api/rest/latest/calendars/default', '/api/rest/latest/calendarevents', '/api/rest/latest/audits', '/api/doc'])(
    'no CORS at all on %s: its preflight meets the legacy firewall (401), and answers carry nothing either',
    async (path) => {
      const res = await preflight(t.crm, path, 'GET', 'authorization');
      expect(res.status).toBe(401);
      expect([...res.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
      const get = await fetch(`${t.crm.url}${path}`, { headers: { Origin: PANE, Authorization: `Bearer ${token}`, Accept: 'application/json' } });
      expect([...get.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
    },
  );

  test('the token endpoint: its own list, Allow-Methods OPTIONS, POST, only Content-Type allowed; its answers name the origin', async () => {
    const res = await preflight(t.crm, '/oauth2-token', 'POST', 'content-type');
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(PANE);
    expect(res.headers.get('access-control-allow-methods')).toBe('OPTIONS, POST');
    expect(res.headers.get('access-control-allow-headers')).toBe('Content-Type');
    const post = await fetch(`${t.crm.url}/oauth2-token`, {
      method: 'POST',
      headers: { Origin: PANE, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password',
    });
    expect(post.headers.get('access-control-allow-origin')).toBe(PANE);
    expect(post.headers.get('access-control-expose-headers')).toBeNull();
  });
});

test('oro_api.cors and the token list are separate: an origin on one only is refused by the other', async () => {
  const t = await startTestCrm({ cors: { allowOrigins: [PANE] } });
  try {
    expect((await preflight(t.crm, '/api/contacts', 'GET', 'authorization')).headers.get('access-control-allow-origin')).toBe(PANE);
    expect((await preflight(t.crm, '/oauth2-token', 'POST', 'content-type')).headers.get('access-control-allow-origin')).toBeNull();
  } finally {
    await t.dispose();
  }
});

test('configured allow_headers, expose_headers and allow_credentials are added to Oro’s own', async () => {
  const t = await startTestCrm({ cors: { allowOrigins: [PANE], allowHeaders: ['X-Mode'], exposeHeaders: ['ETag'], allowCredentials: true, preflightMaxAge: 0 } });
  try {
    const res = await preflight(t.crm, '/api/contacts', 'PATCH', 'authorization,content-type,x-mode');
    expect(list(res.headers.get('access-control-allow-headers'))).toEqual(['authorization', 'content-type', 'x-include', 'x-mode']);
    expect(list(res.headers.get('access-control-expose-headers'))).toEqual(['location', 'x-include-total-count', 'x-include-deleted-count', 'etag']);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-max-age')).toBeNull();
  } finally {
    await t.dispose();
  }
});
