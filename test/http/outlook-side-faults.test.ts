import type { ContactRecord } from '../../src/sync/records';
import type { ChangePage, SyncSide } from '../../src/sync/side';
import { blankContact } from '../support/records';
import { startGraph, type GraphFixture } from './outlook-side-support';

const person = (n: number): ContactRecord => blankContact({ firstName: `F${n}`, lastName: `L${n}`, gender: n % 2 ? 'male' : 'female', emails: [`f${n}@x.test`] });

let g: GraphFixture;
beforeEach(async () => {
  g = await startGraph();
});
afterEach(async () => {
  await g.close();
});

async function fullRoundIds(side: SyncSide): Promise<Set<string>> {
  const ids = new Set<string>();
  let cp: string | null = null;
  for (let i = 0; i < 500; i++) {
    const page: ChangePage<ContactRecord> = await side.readChanges('contact', cp);
    for (const c of page.changes) if (c.kind === 'upsert') ids.add(c.item.id);
    cp = page.checkpoint;
    if (page.done) return ids;
  }
  throw new Error('round did not end');
}

async function stampedCount(crmId: string): Promise<number> {
  const contacts = (await g.dump())['alice@acme.test'].contact as Array<{ singleValueExtendedProperties: Array<{ id: string; value: string }> }>;
  return contacts.filter((c) => c.singleValueExtendedProperties.some((p) => p.id.endsWith('OroCRM_id') && p.value === crmId)).length;
}

describe('Outlook side under Graph faults', () => {
  it('waits out 429s with Retry-After on plain requests and inside batches, and finishes', async () => {
    const { side, http } = g.side('alice', { pageSize: 3 });
    await side.containers.contactFolderId();
    await g.faults({ rate429: 0.3, retryAfterSeconds: 0.02, seed: 7 });
    const res = await side.apply('contact', Array.from({ length: 25 }, (_, n) => ({ op: 'create' as const, key: `k${n}`, record: person(n), crmId: `c${n}` })));
    expect(res.filter((r) => !r.ok)).toEqual([]);
    expect((await fullRoundIds(side)).size).toBe(28);
    const stats = await g.stats();
    expect(stats.injected.throttled).toBeGreaterThan(0);
    expect(stats.byStatus['429']).toBeGreaterThan(0);
    expect(http.stats.throttled).toBeGreaterThan(0);
    for (let n = 0; n < 25; n++) expect(await stampedCount(`c${n}`)).toBe(1);
  });

  it('resends only the sub-requests throttled inside a 200 batch', async () => {
    const { side, http } = g.side('alice');
    await side.containers.contactFolderId();
    // The route filter spares the outer requests; batch items are throttled on their own.
    await g.faults({ rate429: 0.5, retryAfterSeconds: 0.01, routeFilter: 'no-such-route', seed: 7 });
    const res = await side.apply('contact', Array.from({ length: 20 }, (_, n) => ({ op: 'create' as const, key: `b${n}`, record: person(n), crmId: `b${n}` })));
    expect(res.filter((r) => !r.ok)).toEqual([]);
    expect((await g.stats()).injected.throttled).toBeGreaterThan(0);
    expect(http.stats.batches).toBeGreaterThan(1);
    for (let n = 0; n < 20; n++) expect(await stampedCount(`b${n}`)).toBe(1);
  });

  it('retries reads through 5xx answers', async () => {
    const { side } = g.side('alice', { pageSize: 2 });
    await side.containers.contactFolderId();
    await g.faults({ rate5xx: 0.3, seed: 3 });
    expect((await fullRoundIds(side)).size).toBe(3);
    expect((await g.stats()).injected.serverErrors).toBeGreaterThan(0);
  });

  it('survives dropped connections without duplicating stamped creates', async () => {
    const { side } = g.side('alice', { pageSize: 4 });
    await side.containers.contactFolderId();
    await g.faults({ dropRate: 0.5, seed: 7 });
    const ops = Array.from({ length: 12 }, (_, n) => ({ op: 'create' as const, key: `d${n}`, record: person(n), crmId: `d${n}` }));
    const res = [];
    for (let n = 0; n < 12; n += 2) res.push(...(await side.apply('contact', ops.slice(n, n + 2))));
    expect((await g.stats()).injected.dropped).toBeGreaterThan(0);
    for (let n = 0; n < 12; n++) {
      expect(await stampedCount(`d${n}`)).toBeLessThanOrEqual(1);
      if (res[n].ok) expect(await stampedCount(`d${n}`)).toBe(1);
    }
    await g.faults({});
    // The engine retries what failed; findCreated first, so a create that did land is not sent again.
    for (let n = 0; n < 12; n++) {
      if (res[n].ok) continue;
      const found = await side.findCreated('contact', ops[n]);
      if (!found) expect((await side.apply('contact', [ops[n]]))[0].ok).toBe(true);
      expect(await stampedCount(`d${n}`)).toBe(1);
    }
  });

  it('never has more than 4 requests in flight per mailbox, so Graph never refuses one for concurrency', async () => {
    const { side } = g.side('alice', { pageSize: 2 });
    const created = await side.apply('contact', Array.from({ length: 30 }, (_, n) => ({ op: 'create' as const, key: `k${n}`, record: person(n), crmId: `m${n}` })));
    const ids = created.flatMap((r) => (r.ok ? [r.id] : []));
    await g.faults({ latencyMs: 5 });
    await g.resetStats();
    await Promise.all([
      fullRoundIds(side),
      fullRoundIds(side),
      side.get('contact', ids),
      ...ids.slice(0, 8).map((id) => side.get('contact', [id])),
      side.findByCrmId('contact', 'm3'),
      side.apply('contact', ids.slice(0, 10).map((id, n) => ({ op: 'update' as const, id, record: { ...person(n), jobTitle: 'X' } }))),
    ]);
    const stats = await g.stats();
    expect(stats.maxInFlight).toBeLessThanOrEqual(4);
    expect(stats.injected.concurrency429).toBe(0);
    expect(stats.byStatus['429'] ?? 0).toBe(0);
  });

  it('finds a create whose answer was lost after Graph made it, instead of creating it twice', async () => {
    // Client-side loss: the emulator's own drop fault cuts connections before the handler runs.
    let loseNextBatch = false;
    const lossy = async (input: string, init?: RequestInit) => {
      const res = await fetch(input, init);
      if (loseNextBatch && input.endsWith('/$batch')) {
        loseNextBatch = false;
        await res.text();
        throw new TypeError('fetch failed: connection reset');
      }
      return res;
    };
    const { side } = g.side('alice', {}, lossy);
    await Promise.all([side.containers.contactFolderId(), side.containers.todoListId()]);

    loseNextBatch = true;
    const [c] = await side.apply('contact', [{ op: 'create', key: 'lc', record: person(1), crmId: 'lost-c' }]);
    expect(c.ok).toBe(true);
    expect(await stampedCount('lost-c')).toBe(1);

    loseNextBatch = true;
    const [t] = await side.apply('task', [{ op: 'create', key: 'lt', record: { subject: 'Lost', priority: 'low', dueDate: null, status: 'open' }, crmId: 'lost-t' }]);
    expect(t.ok).toBe(true);
    const tasks = (await g.dump())['alice@acme.test'].task.filter((x) => ((x.linkedResources ?? []) as Array<{ externalId: string }>).some((l) => l.externalId === 'lost-t'));
    expect(tasks).toHaveLength(1);

    loseNextBatch = true;
    const start = new Date(Date.now() + 86_400_000).toISOString().slice(0, 19) + 'Z';
    const end = new Date(Date.now() + 90_000_000).toISOString().slice(0, 19) + 'Z';
    const [e] = await side.apply('event', [{ op: 'create', key: 'le', record: { title: 'Lost', start, end, allDay: false } }]);
    expect(e.ok).toBe(true);
    expect((await g.dump())['alice@acme.test'].event.filter((x) => x.transactionId === 'le')).toHaveLength(1);
  });
});
