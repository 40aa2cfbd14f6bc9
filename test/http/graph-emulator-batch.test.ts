import { startGraph, type Harness } from '../emulators/graph/testing';

let h: Harness;
beforeEach(async () => {
  h = await startGraph();
});
afterEach(async () => {
  await h.close();
});

const post = (id: string, givenName: string, extra: Record<string, unknown> = {}) => ({
  id,
  method: 'POST',
  url: '/me/contacts',
  headers: { 'Content-Type': 'application/json' },
  body: { givenName },
  ...extra,
});

describe('$batch', () => {
  test('each request gets its own status, headers and body; urls work with or without a leading slash', async () => {
    const res = await h.call('POST', '/v1.0/$batch', {
      requests: [post('1', 'A'), { id: '2', method: 'GET', url: 'me/contacts?$top=1' }, { id: '3', method: 'GET', url: '/me/contacts/nope' }],
    });
    expect(res.status).toBe(200);
    const byId = Object.fromEntries(res.body.responses.map((r: any) => [r.id, r]));
    expect(byId['1'].status).toBe(201);
    expect(byId['1'].body.givenName).toBe('A');
    expect(byId['1'].headers['Content-Type']).toMatch(/json/);
    expect(byId['2'].status).toBe(200);
    expect(byId['2'].body.value).toHaveLength(1);
    expect(byId['3'].status).toBe(404);
    expect(byId['3'].body.error.code).toBe('ErrorItemNotFound');
  });

  test('a DELETE answers 204 with a null body inside the batch', async () => {
    const created = await h.call('POST', '/v1.0/me/contacts', { givenName: 'Gone' });
    const res = await h.call('POST', '/v1.0/$batch', { requests: [{ id: 'd', method: 'DELETE', url: `/me/contacts/${created.body.id}` }] });
    expect(res.body.responses[0]).toMatchObject({ id: 'd', status: 204, body: null });
  });

  test('more than 20 requests answer 400 and nothing runs', async () => {
    const requests = Array.from({ length: 21 }, (_, i) => post(String(i), `X${i}`));
    const res = await h.call('POST', '/v1.0/$batch', { requests });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BadRequest');
    expect((await h.call('GET', '/v1.0/me/contacts?$top=100')).body.value).toHaveLength(2);
  });

  test('duplicate ids (case-insensitive) answer 400', async () => {
    const res = await h.call('POST', '/v1.0/$batch', { requests: [post('a', 'A'), post('A', 'B')] });
    expect(res.status).toBe(400);
  });

  test('a body without a Content-Type header answers 400', async () => {
    const res = await h.call('POST', '/v1.0/$batch', { requests: [{ id: '1', method: 'POST', url: '/me/contacts', body: { givenName: 'A' } }] });
    expect(res.status).toBe(400);
  });

  test('dependsOn runs in order and a failed dependency answers 424', async () => {
    const res = await h.call('POST', '/v1.0/$batch', {
      requests: [
        post('3', 'Third', { dependsOn: ['2'] }),
        { id: '2', method: 'PATCH', url: '/me/contacts/missing', headers: { 'Content-Type': 'application/json' }, body: { givenName: 'x' }, dependsOn: ['1'] },
        post('1', 'First'),
      ],
    });
    const byId = Object.fromEntries(res.body.responses.map((r: any) => [r.id, r]));
    expect(byId['1'].status).toBe(201);
    expect(byId['2'].status).toBe(404);
    expect(byId['3'].status).toBe(424);
    const names = (await h.call('GET', '/v1.0/me/contacts?$top=100')).body.value.map((c: any) => c.givenName);
    expect(names).toContain('First');
    expect(names).not.toContain('Third');
  });

  test('a batch without a token answers 401', async () => {
    const res = await h.call('POST', '/v1.0/$batch', { requests: [post('1', 'A')] }, {}, null);
    expect(res.status).toBe(401);
  });

  test('rate429 throttles sub-requests inside a 200 batch, each with its own Retry-After', async () => {
    await h.call('POST', '/_control/faults', { rate429: 1, retryAfterSeconds: 0.25, routeFilter: 'no-outer-route-matches-this' });
    const res = await h.call('POST', '/v1.0/$batch', { requests: [post('1', 'A'), post('2', 'B')] });
    expect(res.status).toBe(200);
    for (const r of res.body.responses) {
      expect(r.status).toBe(429);
      expect(r.headers['Retry-After']).toBe('0.25');
      expect(r.body.error.code).toBe('TooManyRequests');
    }
  });

  test('sub-requests count in the stats per route', async () => {
    await fetch(`${h.emulator.url}/_control/stats`, { method: 'DELETE' });
    await h.call('POST', '/v1.0/$batch', { requests: [post('1', 'A'), post('2', 'B'), { id: '3', method: 'GET', url: '/me/contacts' }] });
    const stats = (await (await fetch(`${h.emulator.url}/_control/stats`)).json()) as { byRoute: Record<string, number> };
    expect(stats.byRoute['POST /v1.0/$batch']).toBe(1);
    expect(stats.byRoute['POST /v1.0/me/contacts']).toBe(2);
    expect(stats.byRoute['GET /v1.0/me/contacts']).toBe(1);
  });
});
