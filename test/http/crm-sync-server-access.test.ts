// What the CRM emulator offers the sync server (issue 12): a client credentials OAuth application of an
// integration user (oroinc/oauth2-server: a Client owned by a user; no refresh token, oro-api.md §6), the
// `outlooksyncusers` extension, `?user=<id>` on our extension routes, and records kept in their owner's
// name (filter[owner], owner set on create, events in the owner's calendar).
import { DEMO_SERVER_OAUTH_CLIENT } from '../emulators/demo-data';
import { api, startTestCrm, tokenFor, type TestCrm } from '../emulators/crm/testing';

let t: TestCrm;
beforeEach(async () => {
  t = await startTestCrm();
});
afterEach(() => t.dispose());

async function grant(form: Record<string, string>): Promise<{ status: number; body: any }> {
  const res = await fetch(`${t.crm.url}/oauth2-token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  return { status: res.status, body: await res.json() };
}

const serverGrant = { grant_type: 'client_credentials', client_id: DEMO_SERVER_OAUTH_CLIENT.clientId, client_secret: DEMO_SERVER_OAUTH_CLIENT.secret };

async function serverToken(): Promise<string> {
  const res = await grant(serverGrant);
  expect(res.status).toBe(200);
  return res.body.access_token;
}

async function aliceIds(token: string): Promise<{ userId: number; defaultCalendar: number }> {
  const res = await api(t.crm, 'GET', '/api/outlooksyncusers/alice', { token });
  expect(res.status).toBe(200);
  return res.json.data.attributes;
}

describe('client credentials', () => {
  test("the server's application gets an access token without refresh token, acting as its integration user", async () => {
    const res = await grant(serverGrant);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ token_type: 'Bearer', expires_in: 3600, access_token: expect.any(String) });
    const me = await api(t.crm, 'GET', '/api/rest/latest/calendars/default', { token: res.body.access_token });
    const orosync = await api(t.crm, 'GET', '/api/outlooksyncusers/orosync', { token: res.body.access_token });
    expect(me.json.owner).toBe(orosync.json.data.attributes.userId);
  });

  test('a wrong secret, a public client, or a grant the application does not allow: 401 invalid_client', async () => {
    expect((await grant({ ...serverGrant, client_secret: 'wrong' })).body.error).toBe('invalid_client');
    const publicClient = await grant({ grant_type: 'client_credentials', client_id: 'outlook-addin' });
    expect([publicClient.status, publicClient.body.error]).toEqual([401, 'invalid_client']);
    const password = await grant({ ...serverGrant, grant_type: 'password', username: 'orosync', password: 'orosync' });
    expect([password.status, password.body.error]).toEqual([401, 'invalid_client']);
  });
});

describe('acting for a user', () => {
  test('outlooksyncusers names the user id and default calendar; only for the capability', async () => {
    const token = await serverToken();
    const alice = await aliceIds(token);
    const own = await api(t.crm, 'GET', '/api/rest/latest/calendars/default', { token: await tokenFor(t.crm, 'alice') });
    expect(alice).toMatchObject({ userId: own.json.owner, defaultCalendar: own.json.calendar, enabled: true, email: 'alice@acme.test' });
    expect((await api(t.crm, 'GET', '/api/outlooksyncusers/alice', { token: await tokenFor(t.crm, 'bob') })).status).toBe(403);
    expect((await api(t.crm, 'GET', '/api/outlooksyncusers/nobody', { token })).status).toBe(404);
  });

  test("?user=<id> reaches that user's lease, shared state and settings; without the capability it is 403", async () => {
    const token = await serverToken();
    const { userId } = await aliceIds(token);
    const path = `/api/outlooksynclease/alice%40acme.test?user=${userId}`;
    const taken = await api(t.crm, 'PATCH', path, {
      token,
      headers: { 'If-None-Match': '*' },
      body: { data: { type: 'outlooksynclease', id: 'alice@acme.test', attributes: { holder: 'server-1', deviceLabel: 'OroCRM Sync server', ttl: 60 } } },
    });
    expect(taken.status).toBe(201);
    const alice = await tokenFor(t.crm, 'alice');
    const seenByAlice = await api(t.crm, 'GET', '/api/outlooksynclease/alice%40acme.test', { token: alice });
    expect(seenByAlice.json.data.attributes).toMatchObject({ holder: 'server-1', deviceLabel: 'OroCRM Sync server', active: true });
    const state = await api(t.crm, 'PATCH', `/api/outlooksyncstate/alice%40acme.test?user=${userId}`, {
      token,
      body: { data: { type: 'outlooksyncstate', id: 'alice@acme.test', attributes: { fencingToken: 1, checkpoints: [{ type: 'contact', side: 'crm', checkpoint: 'x' }] } } },
    });
    expect(state.status).toBe(200);
    expect((await api(t.crm, 'GET', '/api/outlooksyncstate/alice%40acme.test', { token: alice })).json.data.attributes.checkpoints).toEqual([{ type: 'contact', side: 'crm', checkpoint: 'x' }]);
    const settings = await api(t.crm, 'GET', `/api/outlooksettings/user?user=${userId}`, { token });
    expect(settings.status).toBe(200);
    const bob = await tokenFor(t.crm, 'bob');
    expect((await api(t.crm, 'GET', `/api/outlooksynclease/alice%40acme.test?user=${userId}`, { token: bob })).status).toBe(403);
    expect((await api(t.crm, 'GET', `/api/outlooksettings/user?user=${userId}`, { token: bob })).status).toBe(403);
    expect((await api(t.crm, 'GET', '/api/outlooksynclease/alice%40acme.test?user=999', { token })).status).toBe(404);
  });
});

describe("records stay their owner's", () => {
  test('a contact created with owner alice is listed by filter[owner]=alice, not as the integration user’s', async () => {
    const token = await serverToken();
    const { userId } = await aliceIds(token);
    const created = await api(t.crm, 'POST', '/api/contacts', {
      token,
      body: { data: { type: 'contacts', attributes: { firstName: 'Owned', lastName: 'ByAlice' }, relationships: { owner: { data: { type: 'users', id: String(userId) } } } } },
    });
    expect(created.status).toBe(201);
    expect(created.json.data.relationships.owner.data.id).toBe(String(userId));
    const listed = await api(t.crm, 'GET', `/api/contacts?filter[owner]=${userId}&page[size]=-1`, { token });
    expect(listed.json.data.map((c: { attributes: { lastName: string } }) => c.attributes.lastName)).toContain('ByAlice');
    const orosync = (await api(t.crm, 'GET', '/api/outlooksyncusers/orosync', { token })).json.data.attributes.userId;
    expect((await api(t.crm, 'GET', `/api/contacts?filter[owner]=${orosync}`, { token })).json.data).toEqual([]);
  });

  test("with Calendar Event permissions at the Organization level the integration user writes into alice's calendar; bob cannot", async () => {
    const token = await serverToken();
    const { defaultCalendar } = await aliceIds(token);
    const event = { title: 'Set by the server', start: '2026-12-01T10:00:00+00:00', end: '2026-12-01T11:00:00+00:00', allDay: false, calendar: defaultCalendar };
    const res = await fetch(`${t.crm.url}/api/rest/latest/calendarevents`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(event) });
    expect(res.status).toBe(201);
    const answer = (await res.json()) as { organizerEmail: string };
    expect(answer.organizerEmail).toBe('alice@acme.test');
    const listed = await fetch(`${t.crm.url}/api/rest/latest/calendarevents?calendar=${defaultCalendar}&page=1&limit=100`, { headers: { Authorization: `Bearer ${await tokenFor(t.crm, 'alice')}` } });
    expect(((await listed.json()) as Array<{ title: string }>).map((e) => e.title)).toContain('Set by the server');
    const byBob = await fetch(`${t.crm.url}/api/rest/latest/calendarevents?calendar=${defaultCalendar}&page=1&limit=100`, { headers: { Authorization: `Bearer ${await tokenFor(t.crm, 'bob')}` } });
    expect(byBob.status).toBe(403);
  });
});
