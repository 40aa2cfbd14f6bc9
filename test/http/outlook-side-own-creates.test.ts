// Our own creates come back from delta as a read shows them, without being read back: Outlook's budget
// is 10,000 requests per 10 minutes, and a first sync of 10,000 contacts must not spend 10,000 more.
import type { ContactRecord, EntityType, EventRecord, RecordOf } from '../../src/sync/records';
import type { ChangePage, SideItem, SyncSide } from '../../src/sync/side';
import { blankContact } from '../support/records';
import { startGraph, type GraphFixture } from './outlook-side-support';

let g: GraphFixture;
beforeEach(async () => {
  g = await startGraph();
});
afterEach(async () => {
  await g.close();
});

const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
const at = (days: number, hours = 9) => new Date(today + days * DAY + hours * 3600_000).toISOString().replace('.000Z', 'Z');
const person = (n: number): ContactRecord =>
  blankContact({ firstName: `First${n}`, lastName: `Last${n}`, gender: n % 2 ? 'female' : 'male', fax: `+1 555 01${n}`, emails: [`p${n}@example.test`] });
const meeting = (n: number): EventRecord => ({ title: `Meeting ${n}`, start: at(n + 1), end: at(n + 1, 10), allDay: false });

/** The items of one delta round from `from` (null: a full round), and where the next round starts. */
async function round<T extends EntityType>(side: SyncSide, type: T, from: string | null = null): Promise<{ items: Array<SideItem<RecordOf<T>>>; next: string }> {
  const items: Array<SideItem<RecordOf<T>>> = [];
  let cp: string | null = from;
  for (;;) {
    const page: ChangePage<RecordOf<T>> = await side.readChanges(type, cp);
    for (const c of page.changes) if (c.kind === 'upsert') items.push(c.item);
    if (page.done) return { items, next: page.checkpoint };
    cp = page.checkpoint;
  }
}

const reads = (stats: Awaited<ReturnType<GraphFixture['stats']>>) =>
  Object.entries(stats.byRoute).filter(([route]) => /^GET .*\/(contacts|events)\/:id$/.test(route)).reduce((n, [, c]) => n + c, 0);

describe.each([
  ['contact', person],
  ['event', meeting],
] as const)('Outlook side: own %s creates in delta', (type, make) => {
  it('are taken from the create answer, exactly as a read would show them, with no read', async () => {
    const { side } = g.side('alice');
    const { next } = await round(side, type); // past the demo items
    const { side: fresh } = g.side('alice');
    const ops = [0, 1, 2].map((n) => ({ op: 'create' as const, key: `k${n}`, record: make(n) as never, crmId: `${700 + n}` }));
    const results = await side.apply(type, ops);
    expect(results.every((r) => r.ok)).toBe(true);
    const ids = results.map((r) => (r.ok ? r.id : ''));

    await g.resetStats();
    const seen = (await round(side, type, next)).items.filter((i) => ids.includes(i.id));
    expect(reads(await g.stats())).toBe(0);
    const read = await fresh.get(type, ids);
    expect(seen.sort((a, b) => a.id.localeCompare(b.id))).toEqual(read.sort((a, b) => a!.id.localeCompare(b!.id)));
    expect(seen.map((i) => i.crmId).sort()).toEqual(['700', '701', '702']);
  });

  it('are read again once someone else changed them after our create', async () => {
    const { side } = g.side('alice');
    const { next } = await round(side, type);
    const [created] = await side.apply(type, [{ op: 'create' as const, key: 'k', record: make(5) as never, crmId: '705' }]);
    const id = created.ok ? created.id : '';
    const { side: user } = g.side('alice');
    const [current] = await user.get(type, [id]);
    const edited = type === 'contact' ? { ...(current!.record as ContactRecord), jobTitle: 'Edited in Outlook' } : { ...(current!.record as EventRecord), title: 'Edited in Outlook' };
    await user.apply(type, [{ op: 'update', id, record: edited as never }]);

    await g.resetStats();
    const [seen] = (await round(side, type, next)).items.filter((i) => i.id === id);
    expect(reads(await g.stats())).toBe(1);
    expect(seen.record).toEqual(edited);
    expect(seen.crmId).toBe('705');
  });
});

describe('Outlook side: listings', () => {
  it('list a container in pages of 1,000 (Outlook largest $top), not Graph default of 10', async () => {
    const { side } = g.side('alice');
    await side.apply('contact', Array.from({ length: 30 }, (_, n) => ({ op: 'create' as const, key: `k${n}`, record: person(n), crmId: `${800 + n}` })));
    await g.resetStats();
    const creates = Array.from({ length: 6 }, (_, n) => ({ op: 'create' as const, key: `x${n}`, record: person(n), crmId: `${800 + n}` }));
    const found = await side.findExisting('contact', creates);
    expect(found.every((f) => f !== null)).toBe(true);
    expect((await g.stats()).byRoute['GET /v1.0/me/contactFolders/:folderId/contacts']).toBe(1);
  });
});

describe('Outlook side: a full round of many contacts', () => {
  it('takes them from the folder listing (1,000 a request) instead of reading each again, exactly as a read shows them', async () => {
    const { side: writer } = g.side('alice');
    await writer.apply('contact', Array.from({ length: 40 }, (_, n) => ({ op: 'create' as const, key: `k${n}`, record: person(n), crmId: `${900 + n}` })));
    const { side } = g.side('alice', { pageSize: 100 });
    await g.resetStats();
    const { items } = await round(side, 'contact');
    const stats = await g.stats();
    expect(reads(stats)).toBe(0);
    expect(stats.byRoute['GET /v1.0/me/contactFolders/:folderId/contacts']).toBe(1);
    const { side: reader } = g.side('alice');
    const read = await reader.get('contact', items.map((i) => i.id));
    expect(items).toEqual(read);
    expect(items.filter((i) => i.crmId?.startsWith('9'))).toHaveLength(40);
  });
});
