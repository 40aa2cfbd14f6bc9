import { OVERLAPPING_CONTACTS } from '../emulators/demo-data';
import { CONTACT_FOLDER_NAME } from '../../src/outlook/properties';
import { FullResyncRequiredError } from '../../src/sync/errors';
import type { ContactRecord } from '../../src/sync/records';
import type { Change, ChangePage, SyncSide } from '../../src/sync/side';
import { blankContact } from '../support/records';
import { startGraph, type GraphFixture } from './outlook-side-support';

const person = (n: number): ContactRecord => blankContact({ firstName: `First${n}`, lastName: `Last${n}`, emails: [`p${n}@example.test`] });

let g: GraphFixture;
beforeEach(async () => {
  g = await startGraph();
});
afterEach(async () => {
  await g.close();
});

/** Reads a whole round from `checkpoint`, returning its pages and the final deltaLink. */
async function readRound(side: SyncSide, checkpoint: string | null): Promise<{ pages: Array<ChangePage<ContactRecord>>; deltaLink: string }> {
  const pages: Array<ChangePage<ContactRecord>> = [];
  let cp = checkpoint;
  for (let i = 0; i < 500; i++) {
    const page = await side.readChanges('contact', cp);
    pages.push(page);
    cp = page.checkpoint;
    if (page.done) return { pages, deltaLink: page.checkpoint };
  }
  throw new Error('delta round did not end');
}

const upserts = (changes: Array<Change<ContactRecord>>) => changes.flatMap((c) => (c.kind === 'upsert' ? [c.item] : []));

describe('Outlook side: contacts over the Graph emulator', () => {
  it('finds the existing OroCRM contact folder instead of creating another', async () => {
    const { side } = g.side('alice');
    await Promise.all([side.containers.contactFolderId(), side.containers.contactFolderId(), readRound(side, null)]);
    const { side: again } = g.side('alice');
    await again.containers.contactFolderId();
    const folders = (await g.dump())['alice@acme.test'].contactFolder.filter((f) => f.displayName === CONTACT_FOLDER_NAME);
    expect(folders).toHaveLength(1);
  });

  it('creates the OroCRM contact folder once when it is missing, even for concurrent callers', async () => {
    const { side } = g.side('bob');
    const ids = await Promise.all([side.containers.contactFolderId(), side.containers.contactFolderId()]);
    const { side: later } = g.side('bob');
    expect(await later.containers.contactFolderId()).toBe(ids[0]);
    expect(ids[1]).toBe(ids[0]);
    const folders = (await g.dump())['bob@acme.test'].contactFolder.filter((f) => f.displayName === CONTACT_FOLDER_NAME);
    expect(folders).toHaveLength(1);
  });

  it('reads a full round across many small pages, with stamps, gender and a verbatim checkpoint', async () => {
    const { side } = g.side('alice', { pageSize: 2 });
    const created = await side.apply('contact', Array.from({ length: 9 }, (_, n) => ({ op: 'create' as const, key: `k${n}`, record: person(n), crmId: `${100 + n}` })));
    expect(created.every((r) => r.ok)).toBe(true);
    const { pages, deltaLink } = await readRound(side, null);
    expect(pages.length).toBeGreaterThanOrEqual(6);
    expect(pages.every((p) => p.full)).toBe(true);
    expect(pages.slice(0, -1).every((p) => !p.done && p.checkpoint.startsWith('full:http'))).toBe(true);
    expect(deltaLink).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\.0\/.*delta/);
    const items = pages.flatMap((p) => upserts(p.changes));
    expect(new Set(items.map((i) => i.id)).size).toBe(12); // 3 seeded + 9 created
    const ann = items.find((i) => i.record.lastName === 'Lee');
    expect(ann?.record).toEqual(OVERLAPPING_CONTACTS[0]);
    expect(ann?.crmId).toBeNull();
    expect(items.find((i) => i.record.firstName === 'First4')?.crmId).toBe('104');
  });

  it('continues from the deltaLink with updates and deletes only (full: false)', async () => {
    const { side } = g.side('alice', { pageSize: 5 });
    const { pages, deltaLink } = await readRound(side, null);
    const items = pages.flatMap((p) => upserts(p.changes));
    const [a, b] = items;
    const res = await side.apply('contact', [
      { op: 'update', id: a.id, record: { ...a.record, jobTitle: 'Chief' }, fields: ['jobTitle'] },
      { op: 'delete', id: b.id },
    ]);
    expect(res.map((r) => r.ok)).toEqual([true, true]);
    const next = await readRound(side, deltaLink);
    const changes = next.pages.flatMap((p) => p.changes);
    expect(next.pages.every((p) => !p.full)).toBe(true);
    expect(changes).toContainEqual({ kind: 'delete', id: b.id });
    const updated = upserts(changes).find((i) => i.id === a.id);
    expect(updated?.record.jobTitle).toBe('Chief');
    expect(updated?.record.lastName).toBe(a.record.lastName); // displayName resent, names kept
    expect(updated?.version).toBe(res[0].ok ? res[0].version : null);
  });

  it('keeps one entry per item when the server repeats items within a page', async () => {
    const { side } = g.side('alice', { pageSize: 4 });
    await side.apply('contact', Array.from({ length: 6 }, (_, n) => ({ op: 'create' as const, key: `k${n}`, record: person(n), crmId: `${n}` })));
    await g.faults({ deltaDuplicateRate: 1, deltaReplayRate: 0.5 });
    const { pages } = await readRound(side, null);
    for (const p of pages) {
      const ids = p.changes.map((c) => (c.kind === 'upsert' ? c.item.id : c.id));
      expect(new Set(ids).size).toBe(ids.length);
    }
    expect(new Set(pages.flatMap((p) => upserts(p.changes).map((i) => i.id))).size).toBe(9);
  });

  it.each(['syncStateNotFound', 'location', 'syncStateInvalid', 'innerError'] as const)('turns a reset delta token (%s) into FullResyncRequiredError, also mid-round', async (mode) => {
    const { side } = g.side('alice', { pageSize: 1 });
    const first = await side.readChanges('contact', null);
    expect(first.done).toBe(false);
    const { deltaLink } = await readRound(side, first.checkpoint);
    const { side: other } = g.side('alice', { pageSize: 1 });
    const midRound = (await other.readChanges('contact', null)).checkpoint;
    await g.resetDelta(mode);
    await expect(side.readChanges('contact', deltaLink)).rejects.toBeInstanceOf(FullResyncRequiredError);
    await expect(side.readChanges('contact', midRound)).rejects.toBeInstanceOf(FullResyncRequiredError);
    // A fresh full round works again.
    expect((await readRound(side, null)).pages[0].full).toBe(true);
  });

  it('turns the expireDeltaTokens fault into FullResyncRequiredError', async () => {
    const { side } = g.side('alice', { pageSize: 50 });
    const { deltaLink } = await readRound(side, null);
    await g.faults({ expireDeltaTokens: true });
    await expect(side.readChanges('contact', deltaLink)).rejects.toBeInstanceOf(FullResyncRequiredError);
  });

  it('round-trips a contact with every mapped field through the emulator', async () => {
    const { side } = g.side('alice');
    const record: ContactRecord = {
      namePrefix: 'Dr.',
      firstName: 'Zoë',
      middleName: 'Q',
      lastName: "O'Neil",
      nameSuffix: 'Jr.',
      gender: 'male',
      birthday: '1969-12-31',
      description: 'Met at\nthe fair',
      jobTitle: 'CFO',
      fax: '+47 555 0199',
      emails: ['zoe@a.test', 'zoe@b.test'],
      phone: '+47 555 0100',
      businessAddress: { street: '1 Main', city: 'Oslo', region: null, postalCode: '0150', country: 'NO' },
      homeAddress: { street: null, city: 'Bergen', region: 'Vestland', postalCode: null, country: 'NO' },
      otherAddress: null,
    };
    const [res] = await side.apply('contact', [{ op: 'create', key: 'rt', record, crmId: '77' }]);
    if (!res.ok) throw new Error(res.message);
    const [item] = await side.get('contact', [res.id]);
    expect(item).toEqual({ id: res.id, version: res.version, record, crmId: '77' });
    const cleared: ContactRecord = { ...record, gender: null, fax: null, birthday: null, homeAddress: null, emails: [], phone: null, description: null };
    const [upd] = await side.apply('contact', [{ op: 'update', id: res.id, record: cleared }]);
    expect(upd.ok).toBe(true);
    expect((await side.get('contact', [res.id]))[0]?.record).toEqual(cleared);
  });

  it('stamps, finds by CRM id, and clears the stamp', async () => {
    const { side } = g.side('alice');
    const [res] = await side.apply('contact', [{ op: 'create', key: 's1', record: person(1), crmId: '4242' }]);
    if (!res.ok) throw new Error(res.message);
    expect((await side.findByCrmId('contact', '4242')).map((i) => i.id)).toEqual([res.id]);
    expect(await side.findByCrmId('contact', '424')).toEqual([]);
    expect((await side.findCreated('contact', { op: 'create', key: 's1', record: person(1), crmId: '4242' }))?.id).toBe(res.id);
    await side.apply('contact', [{ op: 'update', id: res.id, record: person(1), fields: [], crmId: null }]);
    expect(await side.findByCrmId('contact', '4242')).toEqual([]);
    expect((await side.get('contact', [res.id]))[0]?.crmId).toBeNull();
    await side.apply('contact', [{ op: 'update', id: res.id, record: person(1), fields: [], crmId: '9' }]);
    expect((await side.get('contact', [res.id]))[0]?.crmId).toBe('9');
  });

  it("finds the seeded contacts by Oro's matching key", async () => {
    const { side } = g.side('alice');
    const found = await side.findByKey('contact', blankContact({ firstName: 'ann', lastName: 'LEE', gender: 'female', birthday: '1973-03-07' }));
    expect(found).toHaveLength(1);
    expect(found[0].record.jobTitle).toBe('CTO');
    expect(await side.findByKey('contact', blankContact({ firstName: 'Ann', lastName: 'Lee', gender: 'male', birthday: '1973-03-07' }))).toEqual([]);
  });

  it('answers not_found for updates and deletes of missing contacts, and null from get', async () => {
    const { side } = g.side('alice');
    const res = await side.apply('contact', [
      { op: 'update', id: 'AAMkMissing', record: person(1) },
      { op: 'delete', id: 'AAMkMissing' },
    ]);
    expect(res.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['not_found', 'not_found']);
    expect(await side.get('contact', ['AAMkMissing'])).toEqual([null]);
  });
});
