// POST /oauth2-token on the CRM emulator (oro-api.md §6) and Bearer checks on /api routes.
import { api, startTestCrm, TestClock, type TestCrm } from '../emulators/crm/testing';

const USER = '/api/outlooksettings/user';

let t: TestCrm;
let clock: TestClock;

beforeEach(async () => {
  clock = new TestClock();
  t = await startTestCrm({ now: clock.now });
});
afterEach(async () => {
  await t.dispose();
});

async function token(params: Record<string, string>, as: 'form' | 'json' = 'form', headers: Record<string, string> = {}) {
  const res = await fetch(`${t.crm.url}/oauth2-token`, {
    method: 'POST',
    headers: { 'Content-Type': as === 'form' ? 'application/x-www-form-urlencoded' : 'application/json', ...headers },
    body: as === 'form' ? new URLSearchParams(params).toString() : JSON.stringify(params),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as any };
}

const password = (username: string, pw = username) => ({ grant_type: 'password', client_id: 'outlook-addin', username, password: pw });

describe('password grant', () => {
  test.each([['form'], ['json']] as const)('a %s body returns a Bearer token pair that opens /api', async (as) => {
    const res = await token(password('alice'), as);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.json).toEqual({ token_type: 'Bearer', expires_in: 3600, access_token: expect.any(String), refresh_token: expect.any(String) });
    expect((await api(t.crm, 'GET', USER, { token: res.json.access_token })).status).toBe(200);
  });

  test('wrong credentials answer 400 invalid_grant', async () => {
    for (const params of [password('alice', 'bob'), password('mallory')]) {
      const res = await token(params);
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ error: 'invalid_grant', error_description: 'The user credentials were incorrect.', message: 'The user credentials were incorrect.' });
    }
  });

  test('a locked or disabled user answers 400 invalid_grant with a hint', async () => {
    t.crm.ctx.db.prepare("UPDATE users SET locked = 1 WHERE username = 'bob'").run();
    t.crm.ctx.db.prepare("UPDATE users SET enabled = 0 WHERE username = 'alice'").run();
    expect((await token(password('bob'))).json).toMatchObject({ error: 'invalid_grant', hint: 'Account is locked.' });
    expect((await token(password('alice'))).json).toMatchObject({ error: 'invalid_grant', hint: 'Account is disabled.' });
  });

  test('a missing client_id answers 400 invalid_request with Oro\'s hint', async () => {
    const res = await token({ grant_type: 'password', username: 'alice', password: 'alice' });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: 'invalid_request', hint: 'Check the `client_id` parameter' });
    expect(res.json.message).toBe(res.json.error_description);
  });

  test('an unknown client answers 401 invalid_client with WWW-Authenticate', async () => {
    const res = await token({ ...password('alice'), client_id: 'someone-else' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="OAuth"');
    expect(res.json).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed', message: 'Client authentication failed' });
  });

  test('a missing username answers 400 invalid_request', async () => {
    const res = await token({ grant_type: 'password', client_id: 'outlook-addin', password: 'x' });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: 'invalid_request', hint: 'Check the `username` parameter' });
  });

  test('a missing or unknown grant type answers 400 unsupported_grant_type', async () => {
    for (const grant of [undefined, 'magic']) {
      const params: Record<string, string> = { client_id: 'outlook-addin' };
      if (grant) params.grant_type = grant;
      const res = await token(params);
      expect(res.status).toBe(400);
      expect(res.json.error).toBe('unsupported_grant_type');
    }
  });

  test('client credentials may come in an Authorization: Basic header', async () => {
    const basic = Buffer.from('outlook-addin:').toString('base64');
    const res = await token({ grant_type: 'password', username: 'bob', password: 'bob' }, 'form', { Authorization: `Basic ${basic}` });
    expect(res.status).toBe(200);
  });
});

describe('refresh_token grant', () => {
  test('rotates: a new pair comes back, and the old refresh token no longer works', async () => {
    const first = (await token(password('alice'))).json;
    const refreshed = await token({ grant_type: 'refresh_token', client_id: 'outlook-addin', refresh_token: first.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.refresh_token).not.toBe(first.refresh_token);
    expect(refreshed.json.access_token).not.toBe(first.access_token);
    expect((await api(t.crm, 'GET', USER, { token: refreshed.json.access_token })).status).toBe(200);

    const reused = await token({ grant_type: 'refresh_token', client_id: 'outlook-addin', refresh_token: first.refresh_token });
    expect(reused.status).toBe(401);
    expect(reused.json).toMatchObject({ error: 'invalid_request', error_description: 'The refresh token is invalid.' });
    expect((await token({ grant_type: 'refresh_token', client_id: 'outlook-addin', refresh_token: refreshed.json.refresh_token })).status).toBe(200);
  });

  test('an unknown refresh token answers 401 invalid_request with Oro\'s hint', async () => {
    const res = await token({ grant_type: 'refresh_token', client_id: 'outlook-addin', refresh_token: 'garbage' });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({
      error: 'invalid_request',
      error_description: 'The refresh token is invalid.',
      message: 'The refresh token is invalid.',
      hint: 'Cannot decrypt the refresh token',
    });
  });

  test('a refresh token older than 30 days is refused', async () => {
    const first = (await token(password('alice'))).json;
    clock.advance(2_592_000 + 1);
    const res = await token({ grant_type: 'refresh_token', client_id: 'outlook-addin', refresh_token: first.refresh_token });
    expect(res.status).toBe(401);
    expect(res.json.hint).toBe('Token has expired');
  });

  test('a missing refresh_token answers 400 invalid_request', async () => {
    const res = await token({ grant_type: 'refresh_token', client_id: 'outlook-addin' });
    expect(res.status).toBe(400);
    expect(res.json.hint).toBe('Check the `refresh_token` parameter');
  });
});

describe('Bearer tokens on /api routes', () => {
  test('an access token expires after 3600 seconds: 401 with an empty body', async () => {
    const { access_token } = (await token(password('alice'))).json;
    clock.advance(3599);
    expect((await api(t.crm, 'GET', USER, { token: access_token })).status).toBe(200);
    clock.advance(2);
    const res = await api(t.crm, 'GET', USER, { token: access_token });
    expect(res.status).toBe(401);
    expect(res.text).toBe('');
  });

  test('a token in the query string is not accepted', async () => {
    const { access_token } = (await token(password('alice'))).json;
    const res = await api(t.crm, 'GET', `${USER}?access_token=${access_token}`);
    expect(res.status).toBe(401);
  });

  test('an unknown /api route without a token answers 401 before 404', async () => {
    expect((await api(t.crm, 'GET', '/api/nothing-here')).status).toBe(401);
    const { access_token } = (await token(password('alice'))).json;
    const res = await api(t.crm, 'GET', '/api/nothing-here', { token: access_token });
    expect(res.status).toBe(404);
    expect(res.json.errors[0]).toMatchObject({ status: '404', title: 'not found http exception' });
  });

  test('CORS: the pane\'s localhost origin may call the token endpoint and /api', async () => {
    const preflight = await fetch(`${t.crm.url}/oauth2-token`, { method: 'OPTIONS', headers: { Origin: 'https://localhost:3000' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://localhost:3000');
    expect(preflight.headers.get('access-control-expose-headers')).toContain('ETag');
  });
});

describe('fault bodies', () => {
  test('injected 429 and 503 answers carry Oro-style JSON:API error documents', async () => {
    t.crm.faults.configure({ rate429: 1 });
    const throttled = await api(t.crm, 'GET', USER);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('1');
    expect(throttled.json.errors[0]).toMatchObject({ status: '429' });
    t.crm.faults.configure({ rate5xx: 1 });
    const down = await api(t.crm, 'GET', USER);
    expect(down.status).toBe(503);
    expect(down.json.errors[0]).toMatchObject({ status: '503' });
    t.crm.faults.configure({});
  });
});
