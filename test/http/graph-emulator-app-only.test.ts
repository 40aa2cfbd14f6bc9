// The Graph emulator's client credentials flow and app-only routes (issue 12), as the identity platform
// and Graph document them: concepts/auth-v2-service.md, the permissions tables of each API page, and the
// 400 Graph answers to /me with an app-only token (microsoftgraph/msgraph-sdk-php#1163).
import { DEMO_GRAPH_APP, DEMO_TENANT } from '../emulators/demo-data';
import { startGraph, type Harness } from '../emulators/graph/testing';

let h: Harness;
beforeAll(async () => {
  h = await startGraph();
});
afterAll(async () => {
  await h.close();
});

async function tokenRequest(tenant: string, form: Record<string, string>): Promise<{ status: number; body: any }> {
  const res = await fetch(`${h.emulator.url}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: await res.json() };
}

const credentials = { grant_type: 'client_credentials', client_id: DEMO_GRAPH_APP.clientId, client_secret: DEMO_GRAPH_APP.secret, scope: 'https://graph.microsoft.com/.default' };

async function appToken(): Promise<string> {
  const res = await tokenRequest(DEMO_TENANT.id, credentials);
  expect(res.status).toBe(200);
  return res.body.access_token;
}

async function asApp(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { Authorization: `Bearer ${token ?? (await appToken())}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${h.emulator.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

describe('client credentials token endpoint', () => {
  test('a tenant-specific request with the secret and the .default scope gets an app token without refresh token', async () => {
    for (const tenant of [DEMO_TENANT.id, DEMO_TENANT.domain]) {
      const res = await tokenRequest(tenant, credentials);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: expect.any(String) });
    }
  });

  test('/common and /organizations identify no tenant: AADSTS50059', async () => {
    for (const tenant of ['common', 'organizations']) {
      const res = await tokenRequest(tenant, credentials);
      expect(res.status).toBe(400);
      expect(res.body.error_codes).toEqual([50059]);
    }
  });

  test('a wrong secret is 401 invalid_client, an unknown app 400 unauthorized_client, a scope other than .default 400 invalid_scope', async () => {
    const wrongSecret = await tokenRequest(DEMO_TENANT.id, { ...credentials, client_secret: 'nope' });
    expect([wrongSecret.status, wrongSecret.body.error, wrongSecret.body.error_codes]).toEqual([401, 'invalid_client', [7000215]]);
    const unknownApp = await tokenRequest(DEMO_TENANT.id, { ...credentials, client_id: '00000000-0000-0000-0000-000000000000' });
    expect([unknownApp.status, unknownApp.body.error, unknownApp.body.error_codes]).toEqual([400, 'unauthorized_client', [700016]]);
    const delegatedScope = await tokenRequest(DEMO_TENANT.id, { ...credentials, scope: 'https://graph.microsoft.com/Contacts.ReadWrite' });
    expect([delegatedScope.status, delegatedScope.body.error, delegatedScope.body.error_codes]).toEqual([400, 'invalid_scope', [1002012]]);
    const unknownTenant = await tokenRequest('nowhere.test', credentials);
    expect([unknownTenant.status, unknownTenant.body.error_codes]).toEqual([400, [90002]]);
  });
});

describe('app-only routes', () => {
  test('/me with an app-only token is 400 BadRequest', async () => {
    const res = await asApp('GET', '/v1.0/me/contactFolders');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'BadRequest', message: '/me request is only valid with delegated authentication flow.' });
  });

  test('/users/{upn} reaches any mailbox of the tenant: contacts, events, To Do, and $batch across mailboxes', async () => {
    const token = await appToken();
    const folders = await asApp('GET', '/v1.0/users/alice@acme.test/contactFolders', undefined, token);
    expect(folders.status).toBe(200);
    expect(folders.body.value.map((f: { displayName: string }) => f.displayName)).toContain('OroCRM');
    const created = await asApp('POST', '/v1.0/users/bob@acme.test/contacts', { givenName: 'Via', surname: 'App' }, token);
    expect(created.status).toBe(201);
    const bobs = await h.call('GET', '/v1.0/me/contacts', undefined, {}, 'bob');
    expect(bobs.body.value.map((c: { surname: string }) => c.surname)).toContain('App');
    const lists = await asApp('GET', '/v1.0/users/bob@acme.test/todo/lists', undefined, token);
    expect(lists.status).toBe(200);
    const view = await asApp('GET', '/v1.0/users/alice@acme.test/calendarView?startDateTime=2020-01-01T00:00:00Z&endDateTime=2030-01-01T00:00:00Z', undefined, token);
    expect(view.status).toBe(200);
    expect(view.body.value.length).toBeGreaterThan(0);
    const batch = await asApp('POST', '/v1.0/$batch', {
      requests: [
        { id: '1', method: 'GET', url: '/users/alice@acme.test/todo/lists' },
        { id: '2', method: 'GET', url: '/users/bob@acme.test/events' },
        { id: '3', method: 'GET', url: '/me/events' },
      ],
    }, token);
    expect(batch.status).toBe(200);
    expect(batch.body.responses.map((r: { id: string; status: number }) => [r.id, r.status])).toEqual([['1', 200], ['2', 200], ['3', 400]]);
  });

  test('a resource whose application permission was not granted is 403 ErrorAccessDenied (the user itself needs User.Read.All)', async () => {
    const res = await asApp('GET', '/v1.0/users/alice@acme.test');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('ErrorAccessDenied');
    const unknown = await asApp('GET', '/v1.0/users/nobody@acme.test/contacts');
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'ErrorInvalidUser']);
  });

  test("a delegated token still reaches only its own user's mailbox", async () => {
    const res = await h.call('GET', '/v1.0/users/bob@acme.test/contacts');
    expect(res.status).toBe(403);
  });
});
