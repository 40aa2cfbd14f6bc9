// Outlook's per app + mailbox limits as the Graph emulator enforces them (admission.ts): 4 concurrent
// requests counted per batch item (unordered items run 4 at a time, a dependsOn chain one at a time),
// and 10,000 requests per 10 minutes with every batch item counted.
import http from 'node:http';
import { Admission } from '../emulators/graph/admission';
import { Faults } from '../emulators/common/faults';
import { startGraph, type Harness } from '../emulators/graph/testing';

let h: Harness;
let clock: Date;
afterEach(async () => {
  await h?.close();
});

async function start(budget?: { requests: number; windowSeconds: number }): Promise<void> {
  clock = new Date('2026-11-20T10:00:00Z');
  h = await startGraph({ now: () => clock, requestBudget: budget });
}

/** Holds a request open (headers sent, body incomplete), so it stays in flight for its mailbox. */
function hangingRequest(token: string): http.ClientRequest {
  const req = http.request(`${h.emulator.url}/v1.0/me/contacts`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': '100' },
  });
  req.on('error', () => undefined);
  req.write('{');
  return req;
}

async function holding(n: number, run: () => Promise<void>): Promise<void> {
  const token = await h.token('alice');
  const held = Array.from({ length: n }, () => hangingRequest(token));
  const id = h.emulator.store.findUser('alice')!.id;
  while (h.emulator.admission.count(id) < n) await new Promise((r) => setTimeout(r, 5));
  try {
    await run();
  } finally {
    held.forEach((r) => r.destroy());
  }
  while (h.emulator.admission.count(id) > 0) await new Promise((r) => setTimeout(r, 5));
}

const gets = (n: number, chained = false) => ({
  requests: Array.from({ length: n }, (_, i) => ({ id: String(i + 1), method: 'GET', url: '/me/contacts', ...(chained && i > 0 ? { dependsOn: [String(i)] } : {}) })),
});

const statuses = (reply: { body: { responses: Array<{ id: string; status: number }> } }) =>
  [...reply.body.responses].sort((a, b) => Number(a.id) - Number(b.id)).map((r) => r.status);

describe('mailbox concurrency, counted per batch item', () => {
  beforeEach(() => start());

  test('an unordered batch runs 4 items at a time: with 2 slots taken, the items of its other 2 lanes are throttled', async () => {
    await holding(2, async () => {
      const reply = await h.call('POST', '/v1.0/$batch', gets(8));
      expect(reply.status).toBe(200);
      expect(statuses(reply)).toEqual([200, 200, 429, 429, 200, 200, 429, 429]);
      const throttled = reply.body.responses.find((r: { status: number }) => r.status === 429);
      expect(throttled.body.error.code).toBe('ApplicationThrottled');
      expect(throttled.body.error.message).toMatch(/MailboxConcurrency/);
      expect(Number(throttled.headers['Retry-After'])).toBeGreaterThan(0);
    });
  });

  test('a dependsOn chain runs one item at a time: one free slot is enough for all of it', async () => {
    await holding(3, async () => {
      expect(statuses(await h.call('POST', '/v1.0/$batch', gets(20, true)))).toEqual(new Array(20).fill(200));
      // The same 20 unordered need 4 slots: 3 of every 4 are refused.
      expect(statuses(await h.call('POST', '/v1.0/$batch', gets(20))).filter((s) => s === 200)).toHaveLength(5);
    });
  });

  test('with every slot taken, a chain fails at its first item and the rest fail their dependency (424)', async () => {
    await holding(4, async () => {
      expect(statuses(await h.call('POST', '/v1.0/$batch', gets(3, true)))).toEqual([429, 424, 424]);
    });
  });

  test('a batch of 20 unordered items alone on the mailbox runs them all', async () => {
    expect(statuses(await h.call('POST', '/v1.0/$batch', gets(20)))).toEqual(new Array(20).fill(200));
  });

  test('a running unordered batch holds 4 slots: a second one, or a plain request, gets none', () => {
    const admission = new Admission(new Faults({ maxConcurrent: 4 }), () => new Date());
    const first = admission.claimLanes('m', 4);
    expect(first.granted).toBe(4);
    expect(admission.claimLanes('m', 4).granted).toBe(0);
    first.release();
    const chains = [1, 2, 3, 4].map(() => admission.claimLanes('m', 1));
    expect(chains.map((c) => c.granted)).toEqual([1, 1, 1, 1]);
    expect(admission.count('m')).toBe(4);
    chains.forEach((c) => c.release());
    expect(admission.count('m')).toBe(0);
  });
});

describe('10,000 requests per 10 minutes (here 5), every batch item counted', () => {
  beforeEach(() => start({ requests: 5, windowSeconds: 600 }));

  const budget = async () => ((await (await fetch(`${h.emulator.url}/_control/graph/budget`)).json()) as { requests: number; usage: Record<string, { inWindow: number; peak: number }> });

  test('items of a batch count one each; over the budget: 429 ApplicationThrottled with the wait until the window has room', async () => {
    for (let i = 0; i < 2; i++) expect((await h.call('GET', '/v1.0/me/contacts')).status).toBe(200);
    clock = new Date(clock.getTime() + 60_000);
    const reply = await h.call('POST', '/v1.0/$batch', gets(5));
    expect(statuses(reply)).toEqual([200, 200, 200, 429, 429]);
    const refused = reply.body.responses.find((r: { status: number }) => r.status === 429);
    expect(refused.body.error.code).toBe('ApplicationThrottled');
    expect(refused.headers['Retry-After']).toBe('540'); // the first GET leaves the window 9 minutes from now
    expect((await budget()).usage['alice@acme.test']).toEqual({ inWindow: 5, peak: 5 });

    const plain = await h.call('GET', '/v1.0/me/contacts');
    expect(plain.status).toBe(429);
    expect(plain.headers.get('retry-after')).toBe('540');
    // Another mailbox has its own budget.
    expect((await h.call('GET', '/v1.0/me/contacts', undefined, {}, 'bob')).status).toBe(200);

    clock = new Date(clock.getTime() + 540_000);
    expect((await h.call('GET', '/v1.0/me/contacts')).status).toBe(200); // the first two left the window
    expect((await h.call('GET', '/v1.0/me/contacts')).status).toBe(200);
    expect((await h.call('GET', '/v1.0/me/contacts')).status).toBe(429);
  });

  test('an item that never ran (424) or was refused by the budget does not count', async () => {
    await h.call('POST', '/v1.0/$batch', { requests: [{ id: '1', method: 'GET', url: '/me/contacts/nope' }, { id: '2', method: 'GET', url: '/me/contacts', dependsOn: ['1'] }] });
    expect((await budget()).usage['alice@acme.test'].inWindow).toBe(1);
    await h.call('POST', '/v1.0/$batch', gets(8));
    expect((await budget()).usage['alice@acme.test'].inWindow).toBe(5);
  });

  test('the budget is set and read over /_control/graph/budget', async () => {
    const res = await fetch(`${h.emulator.url}/_control/graph/budget`, { method: 'POST', body: JSON.stringify({ requests: 10_000, windowSeconds: 600, resetUsage: true }) });
    expect(await res.json()).toMatchObject({ requests: 10_000, windowSeconds: 600, usage: { 'alice@acme.test': { inWindow: 0, peak: 0 } } });
    const bad = await fetch(`${h.emulator.url}/_control/graph/budget`, { method: 'POST', body: JSON.stringify({ requests: -1 }) });
    expect(bad.status).toBe(400);
  });
});
