// The CRM client's pure parts: error documents, wire parsing, and
// the HTTP helper driven by a stub fetch (no server).
import { CrmApiError, errorFromResponse, fieldFromPointer, parseErrorDocument } from '../../src/crm/errors';
import { CrmHttp } from '../../src/crm/http';
import { CrmSettingsService } from '../../src/crm/settings-service';
import { parseOutlookSettings, patchDocument } from '../../src/crm/settings-wire';
import { PasswordGrantTokens, StaticTokens, type FetchLike } from '../../src/crm/tokens';
import { resolveSettings } from '../../src/settings';
import { AuthenticationError, MalformedResponseError, ServiceUnavailableError, ThrottledError } from '../../src/sync/errors';
import { DEMO_RUNNER_APP } from '../emulators/demo-data';

const headers = (h: Record<string, string> = {}) => new Headers(h);

/** A fetch answering from a list, recording what was asked. */
function stubFetch(answers: Array<{ status: number; body?: unknown; headers?: Record<string, string> } | Error>) {
  const calls: Array<{ url: string; init?: RequestInit }> = [];
  const fetchImpl: FetchLike = async (input, init) => {
    calls.push({ url: String(input), init });
    const next = answers.shift();
    if (!next) throw new Error('no more stub answers');
    if (next instanceof Error) throw next;
    const text = next.body === undefined ? '' : typeof next.body === 'string' ? next.body : JSON.stringify(next.body);
    return new Response(text || null, { status: next.status, headers: next.headers });
  };
  return { fetch: fetchImpl, calls };
}

describe('JSON:API error documents', () => {
  test.each([
    ['/data/attributes/contacts_sync_interval_outlook/value', 'contacts_sync_interval_outlook'],
    ['/data/attributes/colour', 'colour'],
    ['/data/relationships/country/data', 'country'],
    ['/data/0/attributes/title', 'title'],
    ['/data', null],
    [undefined, null],
  ])('the pointer %p names the field %p', (pointer, field) => {
    expect(fieldFromPointer(pointer)).toBe(field);
  });

  test('every error of a document is kept, with numeric status and field', () => {
    const problems = parseErrorDocument(
      {
        errors: [
          { status: '400', title: 'range constraint', detail: 'Too big.', source: { pointer: '/data/attributes/tasks_enabled/value' } },
          { status: '400', title: 'filter constraint', detail: 'Nope.', source: { parameter: 'sort' } },
        ],
      },
      400,
    );
    expect(problems).toEqual([
      { status: 400, title: 'range constraint', detail: 'Too big.', pointer: '/data/attributes/tasks_enabled/value', parameter: null, field: 'tasks_enabled' },
      { status: 400, title: 'filter constraint', detail: 'Nope.', pointer: null, parameter: 'sort', field: null },
    ]);
  });

  test('a body that is not an error document gives null', () => {
    expect(parseErrorDocument({ error: 'x' }, 400)).toBeNull();
    expect(parseErrorDocument(undefined, 400)).toBeNull();
  });

  test('statuses map onto the typed sync errors', () => {
    expect(errorFromResponse(401, headers(), undefined, 'GET /x')).toBeInstanceOf(AuthenticationError);
    const throttled = errorFromResponse(429, headers({ 'Retry-After': '3' }), undefined, 'GET /x');
    expect(throttled).toBeInstanceOf(ThrottledError);
    expect((throttled as ThrottledError).retryAfterMs).toBe(3000);
    expect(errorFromResponse(503, headers(), undefined, 'GET /x')).toBeInstanceOf(ServiceUnavailableError);
    const rejected = errorFromResponse(400, headers(), { errors: [{ status: '400', title: 't', detail: 'Bad.', source: { pointer: '/data/attributes/a' } }] }, 'PATCH /x');
    expect(rejected).toBeInstanceOf(CrmApiError);
    expect((rejected as CrmApiError).status).toBe(400);
    expect((rejected as CrmApiError).problemsFor('a')).toHaveLength(1);
    expect(rejected.message).toBe('The CRM refused PATCH /x: Bad.');
  });
});

describe('settings wire format', () => {
  const resolved = resolveSettings('user', { organization: { contacts_sync_interval_outlook: 60 } });

  test('a valid outlooksettings document parses to resolved settings', () => {
    const parsed = parseOutlookSettings({ data: { type: 'outlooksettings', id: 'user', attributes: resolved } }, 'user');
    expect(parsed).toEqual({ ok: true, settings: resolved });
  });

  test.each([
    ['a wrong type', { data: { type: 'contacts', id: 'user', attributes: resolved } }],
    ['a missing key', { data: { type: 'outlooksettings', id: 'user', attributes: { ...resolved, tasks_enabled: undefined } } }],
    ['an out-of-list choice', { data: { type: 'outlooksettings', id: 'user', attributes: { ...resolved, contacts_sync_direction: { ...resolved.contacts_sync_direction, value: 'Up' } } } }],
    ['a string interval', { data: { type: 'outlooksettings', id: 'user', attributes: { ...resolved, contacts_sync_interval_orocrm: { ...resolved.contacts_sync_interval_orocrm, value: '120' } } } }],
    ['another scope', { data: { type: 'outlooksettings', id: 'global', attributes: resolved } }],
    ['no data', { errors: [] }],
  ])('a document with %s is refused with a reason', (_what, doc) => {
    const parsed = parseOutlookSettings(doc, 'user');
    expect(parsed.ok).toBe(false);
  });

  test('the PATCH document names only the changed keys', () => {
    expect(patchDocument('user', { contacts_sync_interval_outlook: { useParentScope: false, value: 45 }, tasks_enabled: { useParentScope: true } })).toEqual({
      data: {
        type: 'outlooksettings',
        id: 'user',
        attributes: { contacts_sync_interval_outlook: { value: 45, useParentScope: false }, tasks_enabled: { useParentScope: true } },
      },
    });
  });
});

describe('CrmHttp and the settings client with a stub fetch', () => {
  test('query values are encoded and arrays become comma lists', () => {
    const http = new CrmHttp({ baseUrl: 'https://crm.test/', tokens: new StaticTokens('t') });
    expect(http.url('/api/contacts', { 'filter[id]': [5, 7], 'page[size]': 10, skip: undefined })).toBe(
      'https://crm.test/api/contacts?filter%5Bid%5D=5%2C7&page%5Bsize%5D=10',
    );
  });

  test('requests carry the Bearer token and JSON:API headers', async () => {
    const stub = stubFetch([{ status: 200, body: { data: [] } }]);
    const http = new CrmHttp({ baseUrl: 'https://crm.test', tokens: new StaticTokens('abc'), fetch: stub.fetch });
    await http.request({ method: 'PATCH', path: '/api/x', body: { data: {} } });
    const h = stub.calls[0].init!.headers as Record<string, string>;
    expect(h.Authorization).toBe('Bearer abc');
    expect(h.Accept).toBe('application/vnd.api+json');
    expect(h['Content-Type']).toBe('application/vnd.api+json');
  });

  test('a malformed settings answer is a MalformedResponseError, never guessed at', async () => {
    for (const body of ['<html>oops</html>', { data: { type: 'outlooksettings', id: 'user', attributes: {} } }]) {
      const stub = stubFetch([{ status: 200, body }]);
      const service = new CrmSettingsService(new CrmHttp({ baseUrl: 'https://crm.test', tokens: new StaticTokens('t'), fetch: stub.fetch }));
      await expect(service.load()).rejects.toBeInstanceOf(MalformedResponseError);
    }
  });

  test('an unreachable CRM is a ServiceUnavailableError', async () => {
    const stub = stubFetch([new TypeError('fetch failed')]);
    const service = new CrmSettingsService(new CrmHttp({ baseUrl: 'https://crm.test', tokens: new StaticTokens('t'), fetch: stub.fetch }));
    await expect(service.load()).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  test('a 401 with a token that cannot be refreshed is an AuthenticationError', async () => {
    const stub = stubFetch([{ status: 401 }]);
    const service = new CrmSettingsService(new CrmHttp({ baseUrl: 'https://crm.test', tokens: new StaticTokens('t'), fetch: stub.fetch }));
    await expect(service.load()).rejects.toBeInstanceOf(AuthenticationError);
  });

  test('concurrent callers share one token request', async () => {
    const stub = stubFetch([{ status: 200, body: { token_type: 'Bearer', expires_in: 3600, access_token: 'a1', refresh_token: 'r1' } }]);
    const tokens = new PasswordGrantTokens({ ...DEMO_RUNNER_APP, baseUrl: 'https://crm.test', username: 'alice', password: 'alice', fetch: stub.fetch });
    expect(await Promise.all([tokens.accessToken(), tokens.accessToken()])).toEqual(['a1', 'a1']);
    expect(stub.calls).toHaveLength(1);
    // A password-grant application is confidential in Oro: its id and its secret go with every token request.
    const sent = new URLSearchParams(String(stub.calls[0].init!.body));
    expect([sent.get('client_id'), sent.get('client_secret')]).toEqual([DEMO_RUNNER_APP.clientId, DEMO_RUNNER_APP.clientSecret]);
  });

  test('an answer that breaks off mid-body is a ServiceUnavailableError, for the API and the token endpoint alike', async () => {
    const brokenOff: FetchLike = async () => new Response(new ReadableStream({ start: (c) => c.error(new TypeError('terminated')) }), { status: 200 });
    const service = new CrmSettingsService(new CrmHttp({ baseUrl: 'https://crm.test', tokens: new StaticTokens('t'), fetch: brokenOff }));
    await expect(service.load()).rejects.toBeInstanceOf(ServiceUnavailableError);
    const tokens = new PasswordGrantTokens({ ...DEMO_RUNNER_APP, baseUrl: 'https://crm.test', username: 'alice', password: 'alice', fetch: brokenOff });
    await expect(tokens.accessToken()).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  test('a token endpoint answer without access_token is a MalformedResponseError', async () => {
    const stub = stubFetch([{ status: 200, body: { token_type: 'Bearer', expires_in: 3600 } }]);
    const tokens = new PasswordGrantTokens({ ...DEMO_RUNNER_APP, baseUrl: 'https://crm.test', username: 'alice', password: 'alice', fetch: stub.fetch });
    await expect(tokens.accessToken()).rejects.toBeInstanceOf(MalformedResponseError);
  });
});
