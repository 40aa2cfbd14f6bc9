import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphHttp, OutcomeUnknownError, type GraphTokenSource } from '../../src/outlook/graph-http';
import { failedWrite, graphError, parseRetryAfter } from '../../src/outlook/graph-errors';
import { RequestBudget } from '../../src/outlook/request-budget';
import { Semaphore } from '../../src/outlook/semaphore';
import { GraphPasswordTokens } from '../../src/outlook/tokens';
import { Containers } from '../../src/outlook/containers';
import {
  AuthenticationError,
  FullResyncRequiredError,
  MalformedResponseError,
  RequestRejectedError,
  ServiceUnavailableError,
  ThrottledError,
} from '../../src/sync/errors';

// A tiny stub server: each test sets `handle`; the stub counts requests and concurrency.
type Handler = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void | Promise<void>;
let handle: Handler;
let server: http.Server;
let base: string;
let inFlight = 0;
let maxInFlight = 0;
let seen: Array<{ method: string; url: string; body: string; auth: string | undefined; prefer?: string }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      seen.push({ method: req.method ?? '', url: req.url ?? '', body, auth: req.headers.authorization, prefer: req.headers.prefer as string | undefined });
      res.on('close', () => inFlight--);
      await handle(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1.0`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen = [];
  maxInFlight = 0;
});

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

const tokens: GraphTokenSource = { accessToken: async () => 'tok' };

function client(extra: Partial<ConstructorParameters<typeof GraphHttp>[0]> = {}) {
  const sleeps: number[] = [];
  const graph = new GraphHttp({ baseUrl: base, tokens, sleep: async (ms) => void sleeps.push(ms), random: () => 0.5, ...extra });
  return { graph, sleeps };
}

describe('Graph HTTP retries', () => {
  it('waits a fractional Retry-After on 429 and then succeeds', async () => {
    let n = 0;
    handle = (_req, _b, res) => (n++ === 0 ? json(res, 429, { error: { code: 'TooManyRequests', message: 'later' } }, { 'Retry-After': '2.128' }) : json(res, 200, { ok: 1 }));
    const { graph, sleeps } = client();
    const res = await graph.request({ method: 'GET', url: '/me/contacts' });
    expect(res.status).toBe(200);
    expect(sleeps).toEqual([2128]);
    expect(seen[0].auth).toBe('Bearer tok');
  });

  it('reads Retry-After as seconds or an HTTP-date', () => {
    expect(parseRetryAfter('0.5')).toBe(500);
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000 + 4000).toUTCString(), 10_000)).toBe(4000);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(undefined)).toBeNull();
  });

  it('backs off exponentially with jitter on 503 without Retry-After, then gives up with ServiceUnavailableError', async () => {
    handle = (_req, _b, res) => json(res, 503, { error: { code: 'serviceNotAvailable', message: 'down' } });
    const { graph, sleeps } = client({ maxAttempts: 4, backoffBaseMs: 100 });
    await expect(graph.requestOk({ method: 'GET', url: '/me/contacts' })).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(seen).toHaveLength(4);
    expect(sleeps).toEqual([50, 100, 200]);
  });

  it('never resends a plain POST after a 5xx: the outcome is reported unknown', async () => {
    handle = (_req, _b, res) => json(res, 500, { error: { code: 'generalException', message: 'boom' } });
    const { graph } = client();
    await expect(graph.requestOk({ method: 'POST', url: '/me/contacts', body: { givenName: 'A' } })).rejects.toBeInstanceOf(OutcomeUnknownError);
    expect(seen).toHaveLength(1);
  });

  it('resends a keyed POST (event with transactionId) after a 5xx', async () => {
    let n = 0;
    handle = (_req, _b, res) => (n++ === 0 ? json(res, 502, undefined) : json(res, 201, { id: 'e1' }));
    const { graph } = client();
    const res = await graph.requestOk({ method: 'POST', url: '/me/events', body: { transactionId: 'k1' }, keyed: true });
    expect(res.status).toBe(201);
    expect(seen).toHaveLength(2);
  });

  it('resends a GET after a dropped connection but not a plain POST', async () => {
    let n = 0;
    handle = (req, _b, res) => (n++ === 0 || req.method === 'POST' ? void req.socket.destroy() : json(res, 200, { value: [] }));
    const { graph } = client();
    expect((await graph.request({ method: 'GET', url: '/me/contacts' })).status).toBe(200);
    await expect(graph.request({ method: 'POST', url: '/me/contacts', body: {} })).rejects.toBeInstanceOf(OutcomeUnknownError);
  });

  it('retries a POST that was throttled (429 means it did not run)', async () => {
    let n = 0;
    handle = (_req, _b, res) => (n++ === 0 ? json(res, 429, undefined, { 'Retry-After': '0' }) : json(res, 201, { id: 'c1' }));
    const { graph } = client();
    expect((await graph.request({ method: 'POST', url: '/me/contacts', body: {} })).status).toBe(201);
  });

  it('hands a Retry-After longer than the cap to the caller as ThrottledError', async () => {
    handle = (_req, _b, res) => json(res, 429, { error: { code: 'ApplicationThrottled', message: 'MailboxConcurrency' } }, { 'Retry-After': '600' });
    const { graph, sleeps } = client({ maxRetryAfterMs: 60_000 });
    const err = await graph.requestOk({ method: 'GET', url: '/me/contacts' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ThrottledError);
    expect((err as ThrottledError).retryAfterMs).toBe(600_000);
    expect(sleeps).toEqual([]);
  });

  it('refreshes the token once after a 401, then reports AuthenticationError', async () => {
    let refreshes = 0;
    handle = (_req, _b, res) => json(res, 401, { error: { code: 'InvalidAuthenticationToken', message: 'expired' } });
    const graph = new GraphHttp({ baseUrl: base, tokens: { accessToken: async () => 't', refresh: async () => (refreshes++, 't2') }, sleep: async () => {} });
    await expect(graph.request({ method: 'GET', url: '/me' })).rejects.toBeInstanceOf(AuthenticationError);
    expect(refreshes).toBe(1);
    expect(seen).toHaveLength(2);
  });
});

describe('Graph HTTP concurrency', () => {
  it('never has more than 4 requests in flight', async () => {
    handle = (_req, _b, res) => void setTimeout(() => json(res, 200, { value: [] }), 15);
    const { graph } = client();
    await Promise.all(Array.from({ length: 12 }, (_, i) => graph.request({ method: 'GET', url: `/me/contacts/${i}` })));
    expect(seen).toHaveLength(12);
    expect(maxInFlight).toBe(4);
  });

  it('holds one slot per batch item Outlook runs at once: a full unordered batch flies alone, never beside another batch or a plain request', async () => {
    // Outlook runs up to 4 items of an unordered batch at once (throttling-outlook.md): what counts
    // against the mailbox's 4 concurrent requests is min(items, 4) per batch in flight, 1 per plain request.
    let outlookInFlight = 0;
    let maxOutlookInFlight = 0;
    let batchesInFlight = 0;
    let maxBatchesInFlight = 0;
    handle = (req, body, res) => {
      const isBatch = req.url?.endsWith('$batch') ?? false;
      const weight = isBatch ? Math.min(4, (JSON.parse(body) as { requests: unknown[] }).requests.length) : 1;
      outlookInFlight += weight;
      maxOutlookInFlight = Math.max(maxOutlookInFlight, outlookInFlight);
      if (isBatch) maxBatchesInFlight = Math.max(maxBatchesInFlight, ++batchesInFlight);
      res.on('close', () => {
        outlookInFlight -= weight;
        if (isBatch) batchesInFlight--;
      });
      if (!isBatch) return void setTimeout(() => json(res, 200, {}), 15);
      const { requests } = JSON.parse(body) as { requests: Array<{ id: string }> };
      setTimeout(() => json(res, 200, { responses: requests.map((r) => ({ id: r.id, status: 200, body: {} })) }), 5);
    };
    const { graph } = client();
    const gets = Array.from({ length: 5 }, (_, i) => graph.request({ method: 'GET', url: `/me/x/${i}` }));
    const batch = graph.batch(Array.from({ length: 160 }, (_, i) => ({ method: 'GET' as const, url: `/me/y/${i}` })));
    const [answers] = await Promise.all([batch, ...gets]);
    expect(answers).toHaveLength(160);
    expect(seen.filter((s) => s.url.endsWith('$batch'))).toHaveLength(8);
    expect(maxBatchesInFlight).toBe(1);
    expect(maxOutlookInFlight).toBe(4);

    // Small batches take only what they run: a batch of 2 and two plain GETs fit the 4 slots together.
    // (Answers wait until all are in, or a while, so a loaded machine cannot hide the overlap.)
    maxOutlookInFlight = 0;
    const arrived = Date.now();
    handle = (req, body, res) => {
      const isBatch = req.url?.endsWith('$batch') ?? false;
      const requests = isBatch ? (JSON.parse(body) as { requests: Array<{ id: string }> }).requests : [];
      const weight = isBatch ? requests.length : 1;
      outlookInFlight += weight;
      maxOutlookInFlight = Math.max(maxOutlookInFlight, outlookInFlight);
      res.on('close', () => (outlookInFlight -= weight));
      const answer = (): void => {
        if (outlookInFlight < 4 && Date.now() - arrived < 500) return void setTimeout(answer, 5);
        json(res, 200, isBatch ? { responses: requests.map((r) => ({ id: r.id, status: 200, body: {} })) } : {});
      };
      answer();
    };
    await Promise.all([graph.batch([{ method: 'GET', url: '/me/a' }, { method: 'GET', url: '/me/b' }]), graph.request({ method: 'GET', url: '/me/c' }), graph.request({ method: 'GET', url: '/me/d' })]);
    expect(maxOutlookInFlight).toBe(4);
  });

  it('takes every batch item from the 10-minute budget and waits for room instead of sending over it', async () => {
    let clock = 1_000_000;
    const sleeps: number[] = [];
    const sentAt: number[] = [];
    handle = (_req, body, res) => {
      const { requests } = JSON.parse(body) as { requests: Array<{ id: string }> };
      requests.forEach(() => sentAt.push(clock));
      json(res, 200, { responses: requests.map((r) => ({ id: r.id, status: 200, body: {} })) });
    };
    const graph = new GraphHttp({
      baseUrl: base,
      tokens,
      requestBudget: { requests: 30, windowMs: 600_000, reserve: 0 },
      now: () => clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
    });
    await graph.batch(Array.from({ length: 25 }, (_, i) => ({ method: 'GET' as const, url: `/me/a/${i}` })));
    expect(sleeps).toEqual([]);
    await graph.batch(Array.from({ length: 10 }, (_, i) => ({ method: 'GET' as const, url: `/me/b/${i}` })));
    // 25 + 10 > 30: the 10 wait until the first answers have left the window (one window after they came back).
    expect(sleeps).toEqual([600_001]);
    expect(sentAt.filter((t) => t > 1_000_000)).toHaveLength(10);
    expect(graph.budget!.stats.peak).toBeLessThanOrEqual(30);
  });

  it('counts a request in flight until its answer is in, and from then on for one window', async () => {
    let clock = 0;
    const sleeps: number[] = [];
    const budget = new RequestBudget({ requests: 2, windowMs: 1000, reserve: 0, now: () => clock, sleep: async (ms) => void (sleeps.push(ms), (clock += ms)) });
    const settleFirst = await budget.take(2);
    let third = false;
    const waiting = budget.take(1).then((settle) => ((third = true), settle));
    clock = 5000; // long after it was sent, but still in flight: it has not left the window
    await Promise.resolve();
    expect(third).toBe(false);
    settleFirst(); // answered at 5000: counted until 6000
    (await waiting)();
    expect(third).toBe(true);
    expect(sleeps).toEqual([1001]);
    expect(budget.used).toBe(1);
  });

  it('grants a FIFO weighted semaphore in order', async () => {
    const s = new Semaphore(4);
    const order: string[] = [];
    const r1 = await s.acquire(3);
    const heavy = s.acquire(4).then((r) => (order.push('heavy'), r));
    const light = s.acquire(1).then((r) => (order.push('light'), r));
    r1();
    (await heavy)();
    (await light)();
    expect(order).toEqual(['heavy', 'light']);
    expect(s.inUse).toBe(0);
  });
});

describe('Graph $batch', () => {
  it('splits into groups of at most 20 and matches answers by id in any order', async () => {
    handle = (_req, body, res) => {
      const { requests } = JSON.parse(body) as { requests: Array<{ id: string; url: string }> };
      expect(requests.length).toBeLessThanOrEqual(20);
      json(res, 200, { responses: [...requests].reverse().map((r) => ({ id: r.id, status: 200, body: { url: r.url } })) });
    };
    const { graph } = client();
    const out = await graph.batch(Array.from({ length: 45 }, (_, i) => ({ method: 'GET' as const, url: `/me/contacts/${i}` })));
    expect(seen).toHaveLength(3);
    expect(out.map((r) => (r.body as { url: string }).url)).toEqual(Array.from({ length: 45 }, (_, i) => `/me/contacts/${i}`));
    expect(JSON.parse(seen[0].body).requests[0]).toEqual({ id: '0', method: 'GET', url: '/me/contacts/0', headers: { Prefer: 'IdType="ImmutableId"' } });
  });

  it('resends only the items throttled inside a 200 batch, after the longest Retry-After', async () => {
    let round = 0;
    handle = (_req, body, res) => {
      const { requests } = JSON.parse(body) as { requests: Array<{ id: string }> };
      round++;
      json(res, 200, {
        responses: requests.map((r) =>
          round === 1 && (r.id === '1' || r.id === '2')
            ? { id: r.id, status: 429, headers: { 'Retry-After': r.id === '1' ? '0.2' : '1.5' }, body: { error: { code: 'TooManyRequests', message: 'x' } } }
            : { id: r.id, status: 201, body: { id: `new-${r.id}` } },
        ),
      });
    };
    const { graph, sleeps } = client();
    const out = await graph.batch([0, 1, 2].map((i) => ({ method: 'POST' as const, url: '/me/contacts', body: { n: i } })));
    expect(out.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(sleeps).toEqual([1500]);
    expect(JSON.parse(seen[1].body).requests.map((r: { id: string }) => r.id)).toEqual(['1', '2']);
    expect(JSON.parse(seen[1].body).requests[0].headers).toEqual({ 'Content-Type': 'application/json', Prefer: 'IdType="ImmutableId"' });
  });

  it('after a dropped batch resends GETs/PATCHes but reports plain POSTs as unknown (status 0)', async () => {
    let round = 0;
    handle = (req, body, res) => {
      if (round++ === 0) return void req.socket.destroy();
      const { requests } = JSON.parse(body) as { requests: Array<{ id: string }> };
      json(res, 200, { responses: requests.map((r) => ({ id: r.id, status: 200, body: {} })) });
    };
    const { graph } = client();
    const out = await graph.batch([
      { method: 'POST', url: '/me/contacts', body: {} },
      { method: 'PATCH', url: '/me/contacts/1', body: {} },
      { method: 'POST', url: '/me/events', body: {}, keyed: true },
    ]);
    expect(out.map((r) => r.status)).toEqual([0, 200, 200]);
    expect(failedWrite(0, undefined, 'POST').code).toBe('unavailable');
  });

  it('rejects an unreadable batch answer with MalformedResponseError', async () => {
    handle = (_req, _b, res) => json(res, 200, { responses: [{ id: '7', status: 200 }] });
    const { graph } = client();
    await expect(graph.batch([{ method: 'GET', url: '/me/contacts/1' }])).rejects.toBeInstanceOf(MalformedResponseError);
  });
});

describe('Graph errors and links', () => {
  it('turns 410 and syncStateNotFound / resyncRequired in any case into FullResyncRequiredError', () => {
    expect(graphError(410, {}, undefined, 'GET delta')).toBeInstanceOf(FullResyncRequiredError);
    expect(graphError(400, {}, { error: { code: 'SYNCSTATENOTFOUND', message: 'x' } }, 'GET delta')).toBeInstanceOf(FullResyncRequiredError);
    expect(graphError(400, {}, { error: { code: 'resyncRequired', message: 'x' } }, 'GET delta')).toBeInstanceOf(FullResyncRequiredError);
    const rejected = graphError(404, {}, { error: { code: 'ErrorItemNotFound', message: 'gone' } }, 'GET x');
    expect(rejected).toBeInstanceOf(RequestRejectedError);
    expect(rejected.message).toContain('ErrorItemNotFound');
  });

  it('refuses to follow a link to another origin with the token', () => {
    const { graph } = client();
    expect(() => graph.resolve('https://evil.test/v1.0/me/contacts/delta')).toThrow(MalformedResponseError);
    expect(graph.resolve(`${base}/me/contacts/delta?$deltatoken=abc`)).toBe(`${base}/me/contacts/delta?$deltatoken=abc`);
    expect(graph.relative(`${base}/me/contacts?$top=1`)).toBe('/me/contacts?$top=1');
  });
});

describe('Graph password tokens (emulator sign-in)', () => {
  it('posts the password grant once and caches the token until it nears expiry', async () => {
    handle = (_req, _b, res) => json(res, 200, { token_type: 'Bearer', access_token: `at${seen.length}`, expires_in: 3600 });
    let now = 0;
    const t = new GraphPasswordTokens({ tokenUrl: `${base}/token`, username: 'alice', password: 'alice', now: () => now });
    expect(await t.accessToken()).toBe('at1');
    expect(await t.accessToken()).toBe('at1');
    now = 3_550_000;
    expect(await t.accessToken()).toBe('at2');
    expect(new URLSearchParams(seen[0].body).get('grant_type')).toBe('password');
  });

  it('reports a refused sign-in as AuthenticationError', async () => {
    handle = (_req, _b, res) => json(res, 400, { error: 'invalid_grant', error_description: 'bad password' });
    const t = new GraphPasswordTokens({ tokenUrl: `${base}/token`, username: 'alice', password: 'x' });
    await expect(t.accessToken()).rejects.toThrow(/bad password/);
  });

  it('reports a throttled token endpoint as ServiceUnavailableError, not a refused sign-in', async () => {
    handle = (_req, _b, res) => json(res, 429, { error: 'temporarily_unavailable' }, { 'Retry-After': '1' });
    const t = new GraphPasswordTokens({ tokenUrl: `${base}/token`, username: 'alice', password: 'alice' });
    await expect(t.accessToken()).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  it('reports a token answer that breaks off mid-body as ServiceUnavailableError', async () => {
    const brokenOff = async () => new Response(new ReadableStream({ start: (c) => c.error(new TypeError('terminated')) }), { status: 200 });
    const t = new GraphPasswordTokens({ tokenUrl: `${base}/token`, username: 'alice', password: 'alice', fetch: brokenOff });
    await expect(t.accessToken()).rejects.toBeInstanceOf(ServiceUnavailableError);
  });
});

describe('Outlook containers', () => {
  /** No folder listed yet; the create POST answers `status`. */
  const refuseCreate = (status: number, headers: Record<string, string> = {}) => {
    handle = (req, _b, res) => (req.method === 'GET' ? json(res, 200, { value: [] }) : json(res, status, { error: { code: 'Nope', message: 'no' } }, headers));
  };

  it('a folder listing with a null item is a MalformedResponseError, not a crash', async () => {
    handle = (_req, _b, res) => json(res, 200, { value: [null] });
    await expect(new Containers(client().graph).contactFolderId()).rejects.toBeInstanceOf(MalformedResponseError);
  });

  it('a folder create refused with 403 is a RequestRejectedError carrying the status', async () => {
    refuseCreate(403);
    const err = await new Containers(client().graph).contactFolderId().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestRejectedError);
    expect((err as RequestRejectedError).status).toBe(403);
  });

  it('a folder create throttled beyond what is waited out is a ThrottledError, not a malformed answer', async () => {
    refuseCreate(429, { 'Retry-After': '3600' });
    await expect(new Containers(client().graph).contactFolderId()).rejects.toBeInstanceOf(ThrottledError);
  });
});

describe('immutable ids', () => {
  test('every request, and every request inside a $batch, asks for Prefer: IdType="ImmutableId" next to its own preferences', async () => {
    handle = (req, body, res) => {
      if (req.url?.endsWith('/$batch')) {
        const { requests } = JSON.parse(body) as { requests: Array<{ id: string; headers?: Record<string, string> }> };
        json(res, 200, { responses: requests.map((r) => ({ id: r.id, status: 200, body: { prefer: r.headers?.Prefer ?? null } })) });
      } else json(res, 200, {});
    };
    const g = new GraphHttp({ baseUrl: base, tokens: { accessToken: async () => 't' } });
    await g.request({ method: 'GET', url: '/me/contacts' });
    await g.request({ method: 'GET', url: '/me/events', headers: { Prefer: 'outlook.timezone="UTC"' } });
    const [plain, zoned] = await g.batch([{ method: 'GET', url: '/me/contacts/1' }, { method: 'GET', url: '/me/events/2', headers: { Prefer: 'outlook.timezone="UTC"' } }]);
    expect(seen[0].prefer).toBe('IdType="ImmutableId"');
    expect(seen[1].prefer).toBe('outlook.timezone="UTC", IdType="ImmutableId"');
    expect((plain.body as { prefer: string }).prefer).toBe('IdType="ImmutableId"');
    expect((zoned.body as { prefer: string }).prefer).toBe('outlook.timezone="UTC", IdType="ImmutableId"');
  });
});
