import http from 'node:http';
import { deltaRound, startGraph, type Harness } from '../emulators/graph/testing';

let h: Harness;
let clock: Date;
beforeEach(async () => {
  clock = new Date('2026-11-20T10:00:00Z');
  h = await startGraph({ now: () => clock });
});
afterEach(async () => {
  await h.close();
});

async function control(path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${h.emulator.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.json();
}

async function crmFolderDelta(): Promise<string> {
  const folders = await h.call('GET', `/v1.0/me/contactFolders?$filter=${encodeURIComponent("displayName eq 'OroCRM'")}`);
  return `/v1.0/me/contactFolders/${folders.body.value[0].id}/contacts/delta`;
}

async function addContacts(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await h.call('POST', '/v1.0/me/contacts', { givenName: `C${i}` });
}

/** Holds a request open (headers sent, body incomplete), so it stays in flight for its mailbox. */
async function hangingRequest(token: string): Promise<http.ClientRequest> {
  const req = http.request(`${h.emulator.url}/v1.0/me/contacts`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': '100' },
  });
  req.on('error', () => undefined);
  req.write('{');
  return req;
}

/** Waits until the emulator has admitted `n` requests of the user (no timing assumptions). */
async function untilInFlight(username: string, n: number): Promise<void> {
  const id = h.emulator.store.findUser(username)!.id;
  while (h.emulator.admission.count(id) < n) await new Promise((r) => setTimeout(r, 5));
}

describe('fault knobs', () => {
  test('latencyMs delays requests and is counted', async () => {
    await control('/_control/faults', { latencyMs: 20 });
    expect((await h.call('GET', '/v1.0/me/contacts')).status).toBe(200);
    expect((await control('/_control/stats')).injected.latency).toBeGreaterThanOrEqual(1);
  });

  test('rate429 answers 429 TooManyRequests with a fractional Retry-After', async () => {
    await control('/_control/faults', { rate429: 1, retryAfterSeconds: 1.5 });
    const res = await h.call('GET', '/v1.0/me/contacts');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1.5');
    expect(res.body.error.code).toBe('TooManyRequests');
  });

  test('rate5xx answers 503 serviceNotAvailable in Graph\'s error shape', async () => {
    await control('/_control/faults', { rate5xx: 1 });
    const res = await h.call('GET', '/v1.0/me/contacts');
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('serviceNotAvailable');
  });

  test('dropRate cuts the connection without an answer', async () => {
    await control('/_control/faults', { dropRate: 1 });
    await expect(h.call('GET', '/v1.0/me/contacts')).rejects.toThrow();
    expect((await control('/_control/stats')).injected.dropped).toBe(1);
  });

  test('{} turns every fault off but keeps the mailbox concurrency limit of 4', async () => {
    await control('/_control/faults', { rate429: 1 });
    const knobs = await control('/_control/faults', {});
    expect(knobs).toMatchObject({ rate429: 0, maxConcurrent: 4 });
    expect((await h.call('GET', '/v1.0/me/contacts')).status).toBe(200);
  });

  test('stats count requests per route and status', async () => {
    await fetch(`${h.emulator.url}/_control/stats`, { method: 'DELETE' });
    await h.call('GET', '/v1.0/me/contacts');
    await h.call('GET', '/v1.0/users/alice@acme.test/contacts');
    await h.call('GET', '/v1.0/me/contacts/nope');
    const stats = await control('/_control/stats');
    expect(stats.byRoute['GET /v1.0/me/contacts']).toBe(1);
    expect(stats.byRoute['GET /v1.0/users/:user/contacts']).toBe(1);
    expect(stats.byRoute['GET /v1.0/me/contacts/:id']).toBe(1);
    expect(stats.byStatus['404']).toBe(1);
  });
});

describe('mailbox concurrency', () => {
  test('a fifth concurrent request of a mailbox answers 429 ApplicationThrottled; another mailbox is unaffected', async () => {
    const token = await h.token('alice');
    const held = await Promise.all([1, 2, 3, 4].map(() => hangingRequest(token)));
    await untilInFlight('alice', 4);
    try {
      const res = await h.call('GET', '/v1.0/me/contacts');
      expect(res.status).toBe(429);
      expect(res.body.error.code).toBe('ApplicationThrottled');
      expect(res.headers.get('retry-after')).toBeTruthy();
      expect((await h.call('GET', '/v1.0/me/contacts', undefined, {}, 'bob')).status).toBe(200);

      // A batch is accepted, but its sub-requests are throttled while the mailbox is over the limit.
      const batch = await h.call('POST', '/v1.0/$batch', { requests: [{ id: '1', method: 'GET', url: '/me/contacts' }] });
      expect(batch.status).toBe(200);
      expect(batch.body.responses[0].status).toBe(429);
      expect(batch.body.responses[0].body.error.code).toBe('ApplicationThrottled');
      expect((await control('/_control/stats')).injected.concurrency429).toBe(2);
    } finally {
      held.forEach((r) => r.destroy());
    }
    const aliceId = h.emulator.store.findUser('alice')!.id;
    while (h.emulator.admission.count(aliceId) > 0) await new Promise((r) => setTimeout(r, 5));
    expect((await h.call('GET', '/v1.0/me/contacts')).status).toBe(200);
  });

  test('maxConcurrent 0 turns the limit off', async () => {
    await control('/_control/faults', { maxConcurrent: 0 });
    const token = await h.token('alice');
    const held = await Promise.all([1, 2, 3, 4, 5].map(() => hangingRequest(token)));
    await untilInFlight('alice', 5);
    try {
      expect((await h.call('GET', '/v1.0/me/contacts')).status).toBe(200);
    } finally {
      held.forEach((r) => r.destroy());
    }
  });
});

describe('delta token expiry and reset', () => {
  test('expireDeltaTokens answers 410 SyncStateNotFound once for every existing token, mid-round nextLinks included', async () => {
    await addContacts(0);
    const url = await crmFolderDelta();
    const round = await deltaRound(h, url);
    const first = await h.call('GET', url, undefined, { Prefer: 'odata.maxpagesize=1' });
    const nextLink = first.body['@odata.nextLink'];
    await control('/_control/faults', { expireDeltaTokens: true });

    const gone = await h.call('GET', round.deltaLink);
    expect(gone.status).toBe(410);
    expect(gone.body.error.code).toBe('SyncStateNotFound');
    expect((await h.call('GET', nextLink)).status).toBe(410);
    // Once per token; tokens issued after the knob was turned on work.
    expect((await h.call('GET', round.deltaLink)).status).toBe(200);
    const fresh = await deltaRound(h, url, 1);
    expect(fresh.items).toHaveLength(3);
  });

  test('reset-delta in "location" mode answers 410 with a Location that restarts a full round', async () => {
    const url = `/v1.0/me/calendarView/delta?startDateTime=2026-12-01T00:00:00Z&endDateTime=2027-01-01T00:00:00Z`;
    const round = await deltaRound(h, url);
    await control('/_control/graph/reset-delta', { mode: 'location' });
    const gone = await h.call('GET', round.deltaLink);
    expect(gone.status).toBe(410);
    const location = gone.headers.get('location') as string;
    expect(location).toMatch(/\/v1\.0\/me\/calendarView\/delta\?startDateTime=.*\$deltatoken=$/);
    const restarted = await deltaRound(h, location);
    expect(restarted.items).toHaveLength(round.items.length);
  });

  test('reset-delta in "syncStateNotFound" mode also hits a nextLink in the middle of a round', async () => {
    const url = await crmFolderDelta();
    const first = await h.call('GET', url, undefined, { Prefer: 'odata.maxpagesize=1' });
    await control('/_control/graph/reset-delta', { mode: 'syncStateNotFound' });
    const gone = await h.call('GET', first.body['@odata.nextLink']);
    expect(gone.status).toBe(410);
    expect(gone.body.error.code).toBe('SyncStateNotFound');
  });

  test('reset-delta in "syncStateInvalid" and "innerError" modes answers 400 with the code on top or nested in innerError', async () => {
    const url = await crmFolderDelta();
    const round = await deltaRound(h, url);
    await control('/_control/graph/reset-delta', { mode: 'syncStateInvalid' });
    const invalid = await h.call('GET', round.deltaLink);
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('SyncStateInvalid');
    const again = await deltaRound(h, url);
    await control('/_control/graph/reset-delta', { mode: 'innerError' });
    const nested = await h.call('GET', again.deltaLink);
    expect(nested.status).toBe(400);
    expect(nested.body.error.code).toBe('BadRequest');
    expect(nested.body.error.innerError).toMatchObject({ code: 'syncStateInvalid', 'request-id': expect.any(String) });
  });

  test('a Graph control route given JSON that is not an object answers 400 and the emulator keeps serving', async () => {
    for (const path of ['/_control/graph/delta', '/_control/graph/reset-delta']) {
      const res = await fetch(`${h.emulator.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '5' });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'control body must be a JSON object' });
    }
    expect(await control('/_control/graph/delta')).toEqual({ maxTokenAgeSeconds: null, expiryMode: 'syncStateNotFound' });
  });

  test('tokens older than maxTokenAgeSeconds answer 410', async () => {
    await control('/_control/graph/delta', { maxTokenAgeSeconds: 60 });
    const round = await deltaRound(h, await crmFolderDelta());
    clock = new Date(clock.getTime() + 30_000);
    expect((await h.call('GET', round.deltaLink)).status).toBe(200);
    clock = new Date(clock.getTime() + 61_000);
    expect((await h.call('GET', round.deltaLink)).status).toBe(410);
  });
});

describe('delta replay and duplicates', () => {
  test('deltaReplayRate re-sends items in a later page of the same round', async () => {
    await addContacts(6);
    await control('/_control/faults', { deltaReplayRate: 1 });
    const round = await deltaRound(h, '/v1.0/me/contacts/delta', 3);
    const ids = round.items.map((i) => i.id);
    expect(new Set(ids).size).toBe(8);
    expect(ids.length).toBe(16);
  });

  test('deltaDuplicateRate repeats items within a page', async () => {
    await addContacts(2);
    await control('/_control/faults', { deltaDuplicateRate: 1 });
    const page = await h.call('GET', '/v1.0/me/contacts/delta', undefined, { Prefer: 'odata.maxpagesize=2' });
    const ids = page.body.value.map((i: any) => i.id);
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(2);
  });
});
