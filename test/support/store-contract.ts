// The SyncStore contract, run against every implementation (memory, IndexedDB, SQLite).
import type { ContactRecord, EntityType } from '../../src/sync/records';
import { StoreValueError } from '../../src/store/rules';
import type { ConflictLogEntry, JournalEntry, Relation, StoreIdentity, SyncStore } from '../../src/store/types';
import { CONFLICT_LOG_LIMIT } from '../../src/store/types';
import { blankContact } from './records';

/**
 * One backing "database" (a fake IndexedDB factory, a SQLite file, a memory shelf). Opening the
 * same identity twice on one backend must see the same state; different identities must not.
 */
export interface StoreBackend {
  open(identity: StoreIdentity): Promise<SyncStore>;
  dispose?(): Promise<void> | void;
}

export const ANN: StoreIdentity = { crmUrl: 'https://crm.example.com', crmUser: 'ann', mailbox: 'ann@example.com' };
export const BOB: StoreIdentity = { crmUrl: 'https://crm.example.com', crmUser: 'bob', mailbox: 'bob@example.com' };

export function contact(firstName: string, lastName = 'Lee'): ContactRecord {
  return blankContact({
    firstName,
    lastName,
    birthday: '1980-02-29',
    emails: [`${firstName.toLowerCase()}@example.com`],
    businessAddress: { street: '1 Main St', city: 'Springfield', region: null, postalCode: '12345', country: 'US' },
  });
}

export function relation(crmId: string, outlookId: string, type: EntityType = 'contact'): Relation {
  return { type, crmId, outlookId, crmVersion: `c-${crmId}`, outlookVersion: `o-${outlookId}`, base: contact(`N${crmId}`) };
}

export function journalEntry(key: string, createdAt = '2024-01-01T00:00:00Z'): JournalEntry {
  return { key, type: 'contact', side: 'outlook', op: 'create', action: { kind: 'createInOutlook', crmId: key }, createdAt };
}

export function conflict(n: number): ConflictLogEntry {
  return {
    at: `2024-01-01T00:00:${String(n % 60).padStart(2, '0')}Z`,
    type: 'contact',
    crmId: `c${n}`,
    outlookId: `o${n}`,
    item: `Item ${n}`,
    fields: ['jobTitle'],
    rule: 'OroCRM always wins',
    winner: 'crm',
    losingValues: { jobTitle: `old ${n}` },
  };
}

export function describeStoreContract(name: string, makeBackend: () => StoreBackend): void {
  describe(`SyncStore contract: ${name}`, () => {
    let backend: StoreBackend;
    let opened: SyncStore[];

    beforeEach(() => {
      backend = makeBackend();
      opened = [];
    });

    afterEach(async () => {
      for (const store of opened) await store.close();
      await backend.dispose?.();
    });

    async function open(identity: StoreIdentity = ANN): Promise<SyncStore> {
      const store = await backend.open(identity);
      opened.push(store);
      return store;
    }

    /** Everything the store holds, for "nothing changed" comparisons. */
    async function snapshot(store: SyncStore) {
      return {
        contacts: sortByCrmId(await store.relations('contact')),
        tasks: sortByCrmId(await store.relations('task')),
        journal: await store.journal(),
        conflicts: await store.conflicts(),
        contactOutlookCheckpoint: await store.checkpoint('contact', 'outlook'),
        contactCrmCheckpoint: await store.checkpoint('contact', 'crm'),
        status: await store.status(),
      };
    }

    describe('relations', () => {
      it('a put relation is found by CRM id and by Outlook id', async () => {
        const store = await open();
        await store.commit({ putRelations: [relation('1', 'A')] });
        expect(await store.relationByCrmId('contact', '1')).toEqual(relation('1', 'A'));
        expect(await store.relationByOutlookId('contact', 'A')).toEqual(relation('1', 'A'));
        expect(await store.relationByCrmId('contact', '2')).toBeUndefined();
        expect(await store.relationByOutlookId('contact', 'B')).toBeUndefined();
      });

      it('lists relations per entity type only', async () => {
        const store = await open();
        await store.commit({
          putRelations: [relation('1', 'A'), relation('2', 'B'), relation('1', 'A', 'task'), relation('9', 'Z', 'event')],
        });
        expect(sortByCrmId(await store.relations('contact'))).toEqual([relation('1', 'A'), relation('2', 'B')]);
        expect(await store.relations('task')).toEqual([relation('1', 'A', 'task')]);
        expect(await store.relations('event')).toEqual([relation('9', 'Z', 'event')]);
        expect(await store.relationByCrmId('task', '2')).toBeUndefined();
        expect(await store.relationByOutlookId('event', 'A')).toBeUndefined();
      });

      it('deleting a relation removes it from both lookups and the listing', async () => {
        const store = await open();
        await store.commit({ putRelations: [relation('1', 'A'), relation('2', 'B')] });
        await store.commit({ deleteRelations: [{ type: 'contact', crmId: '1' }, { type: 'contact', crmId: 'absent' }] });
        expect(await store.relationByCrmId('contact', '1')).toBeUndefined();
        expect(await store.relationByOutlookId('contact', 'A')).toBeUndefined();
        expect(await store.relations('contact')).toEqual([relation('2', 'B')]);
      });

      it('putting a relation again replaces it, and its old Outlook id no longer resolves', async () => {
        const store = await open();
        await store.commit({ putRelations: [relation('1', 'A')] });
        const moved = { ...relation('1', 'A2'), crmVersion: 'v2' };
        await store.commit({ putRelations: [moved] });
        expect(await store.relationByCrmId('contact', '1')).toEqual(moved);
        expect(await store.relationByOutlookId('contact', 'A2')).toEqual(moved);
        expect(await store.relationByOutlookId('contact', 'A')).toBeUndefined();
        expect(await store.relations('contact')).toHaveLength(1);
      });

      it('refuses to link an Outlook item that is already linked to another CRM record', async () => {
        const store = await open();
        await store.commit({ putRelations: [relation('1', 'A')] });
        await expect(store.commit({ putRelations: [relation('2', 'A')] })).rejects.toThrow(StoreValueError);
        expect(await store.relationByOutlookId('contact', 'A')).toEqual(relation('1', 'A'));
        expect(await store.relationByCrmId('contact', '2')).toBeUndefined();
      });

      it('unlinking and relinking an Outlook item in one commit is allowed (deletes apply first)', async () => {
        const store = await open();
        await store.commit({ putRelations: [relation('1', 'A')] });
        await store.commit({ deleteRelations: [{ type: 'contact', crmId: '1' }], putRelations: [relation('2', 'A')] });
        expect(await store.relationByOutlookId('contact', 'A')).toEqual(relation('2', 'A'));
        expect(await store.relations('contact')).toEqual([relation('2', 'A')]);
      });

      it('the same Outlook id may be linked once per entity type', async () => {
        const store = await open();
        await store.commit({ putRelations: [relation('1', 'A'), relation('2', 'A', 'task')] });
        expect((await store.relationByOutlookId('task', 'A'))?.crmId).toBe('2');
        expect((await store.relationByOutlookId('contact', 'A'))?.crmId).toBe('1');
      });
    });

    describe('checkpoints', () => {
      it('a checkpoint never set reads as null', async () => {
        const store = await open();
        expect(await store.checkpoint('event', 'outlook')).toBeNull();
      });

      it('are kept per entity type and side', async () => {
        const store = await open();
        await store.commit({
          checkpoints: [
            { type: 'contact', side: 'crm', checkpoint: '2024-01-01T00:00:00Z' },
            { type: 'contact', side: 'outlook', checkpoint: 'https://graph/delta?token=1' },
            { type: 'task', side: 'outlook', checkpoint: 'task-token' },
          ],
        });
        expect(await store.checkpoint('contact', 'crm')).toBe('2024-01-01T00:00:00Z');
        expect(await store.checkpoint('contact', 'outlook')).toBe('https://graph/delta?token=1');
        expect(await store.checkpoint('task', 'outlook')).toBe('task-token');
        expect(await store.checkpoint('task', 'crm')).toBeNull();
      });

      it('setting a checkpoint to null resets it (full resync) without touching the others', async () => {
        const store = await open();
        await store.commit({
          checkpoints: [
            { type: 'contact', side: 'outlook', checkpoint: 'token' },
            { type: 'contact', side: 'crm', checkpoint: 'stamp' },
          ],
        });
        await store.commit({ checkpoints: [{ type: 'contact', side: 'outlook', checkpoint: null }] });
        expect(await store.checkpoint('contact', 'outlook')).toBeNull();
        expect(await store.checkpoint('contact', 'crm')).toBe('stamp');
      });
    });

    describe('journal', () => {
      it('added entries are listed oldest first with their action intact, and removed by key', async () => {
        const store = await open();
        const late = journalEntry('k2', '2024-01-02T00:00:00Z');
        const early = journalEntry('k1', '2024-01-01T00:00:00Z');
        await store.commit({ addJournal: [late, early] });
        expect(await store.journal()).toEqual([early, late]);
        await store.commit({ removeJournal: ['k1', 'never-added'] });
        expect(await store.journal()).toEqual([late]);
      });

      it('an entry removed and re-added under the same key in one commit is kept (removals apply first)', async () => {
        const store = await open();
        await store.commit({ addJournal: [journalEntry('k')] });
        const retried = { ...journalEntry('k'), op: 'update' as const };
        await store.commit({ removeJournal: ['k'], addJournal: [retried] });
        expect(await store.journal()).toEqual([retried]);
      });

      it('the intent, the relation and the checkpoint are recorded together', async () => {
        const store = await open();
        await store.commit({ addJournal: [journalEntry('k')] });
        await store.commit({
          removeJournal: ['k'],
          putRelations: [relation('1', 'A')],
          checkpoints: [{ type: 'contact', side: 'crm', checkpoint: 'next' }],
        });
        expect(await store.journal()).toEqual([]);
        expect(await store.relationByCrmId('contact', '1')).toEqual(relation('1', 'A'));
        expect(await store.checkpoint('contact', 'crm')).toBe('next');
      });
    });

    describe('conflict log', () => {
      it('lists conflicts newest first, including within one commit', async () => {
        const store = await open();
        await store.commit({ conflicts: [conflict(1), conflict(2)] });
        await store.commit({ conflicts: [conflict(3)] });
        expect(await store.conflicts()).toEqual([conflict(3), conflict(2), conflict(1)]);
      });

      it(`keeps only the newest ${CONFLICT_LOG_LIMIT} across commits`, async () => {
        const store = await open();
        const numbers = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
        await store.commit({ conflicts: numbers(0, 150).map(conflict) });
        await store.commit({ conflicts: numbers(150, 100).map(conflict) });
        const log = await store.conflicts();
        expect(log).toHaveLength(CONFLICT_LOG_LIMIT);
        expect(log[0]).toEqual(conflict(249));
        expect(log[CONFLICT_LOG_LIMIT - 1]).toEqual(conflict(50));
      });

      it(`a single commit of more than ${CONFLICT_LOG_LIMIT} conflicts keeps its newest ${CONFLICT_LOG_LIMIT}`, async () => {
        const store = await open();
        await store.commit({ conflicts: Array.from({ length: 230 }, (_, i) => conflict(i)) });
        const log = await store.conflicts();
        expect(log).toHaveLength(CONFLICT_LOG_LIMIT);
        expect(log[0]).toEqual(conflict(229));
        expect(log[CONFLICT_LOG_LIMIT - 1]).toEqual(conflict(30));
      });
    });

    describe('status', () => {
      it('is undefined until set, then round-trips and can be replaced', async () => {
        const store = await open();
        expect(await store.status()).toBeUndefined();
        const status = { contact: { lastCheck: { crm: '2024-01-01T00:00:00Z', outlook: null }, created: 3 }, lastError: null };
        await store.setStatus(status);
        expect(await store.status()).toEqual(status);
        await store.setStatus({ lastError: 'CRM unreachable' });
        expect(await store.status()).toEqual({ lastError: 'CRM unreachable' });
      });
    });

    describe('atomic commits', () => {
      async function seeded(): Promise<SyncStore> {
        const store = await open();
        await store.commit({
          putRelations: [relation('1', 'A'), relation('7', 'T', 'task')],
          addJournal: [journalEntry('old')],
          checkpoints: [{ type: 'contact', side: 'outlook', checkpoint: 'before' }],
          conflicts: [conflict(1)],
        });
        await store.setStatus({ n: 1 });
        return store;
      }

      it('a commit with an invalid relation midway applies none of its parts', async () => {
        const store = await seeded();
        const before = await snapshot(store);
        const broken = { ...relation('3', 'C'), crmId: '' };
        await expect(
          store.commit({
            deleteRelations: [{ type: 'task', crmId: '7' }],
            putRelations: [relation('2', 'B'), broken],
            removeJournal: ['old'],
            addJournal: [journalEntry('new')],
            checkpoints: [{ type: 'contact', side: 'outlook', checkpoint: 'after' }],
            conflicts: [conflict(2)],
          }),
        ).rejects.toThrow(StoreValueError);
        expect(await snapshot(store)).toEqual(before);
      });

      it('a commit whose last item is invalid (a conflict entry) applies none of its parts', async () => {
        const store = await seeded();
        const before = await snapshot(store);
        const badConflict = { ...conflict(3), winner: 'nobody' } as unknown as ConflictLogEntry;
        await expect(
          store.commit({
            deleteRelations: [{ type: 'contact', crmId: '1' }],
            putRelations: [relation('2', 'B')],
            removeJournal: ['old'],
            addJournal: [journalEntry('new')],
            checkpoints: [{ type: 'contact', side: 'outlook', checkpoint: 'after' }],
            conflicts: [conflict(2), badConflict],
          }),
        ).rejects.toThrow(StoreValueError);
        expect(await snapshot(store)).toEqual(before);
      });

      it('a commit that would link one Outlook item twice applies none of its parts', async () => {
        const store = await seeded();
        const before = await snapshot(store);
        await expect(
          store.commit({
            putRelations: [relation('2', 'B'), relation('3', 'A')],
            addJournal: [journalEntry('new')],
            checkpoints: [{ type: 'contact', side: 'outlook', checkpoint: 'after' }],
          }),
        ).rejects.toThrow(/already linked/);
        expect(await snapshot(store)).toEqual(before);
      });

      it('the store keeps working after a failed commit', async () => {
        const store = await seeded();
        await expect(store.commit({ putRelations: [{ ...relation('2', 'B'), crmId: '' }] })).rejects.toThrow();
        await store.commit({ putRelations: [relation('2', 'B')] });
        expect(await store.relationByCrmId('contact', '2')).toEqual(relation('2', 'B'));
      });

      it('an empty commit changes nothing', async () => {
        const store = await seeded();
        const before = await snapshot(store);
        await store.commit({});
        await store.commit({ putRelations: [], conflicts: [] });
        expect(await snapshot(store)).toEqual(before);
      });
    });

    describe('identities', () => {
      async function fill(store: SyncStore, tag: string): Promise<void> {
        await store.commit({
          putRelations: [relation('1', `A-${tag}`)],
          addJournal: [journalEntry(`k-${tag}`)],
          checkpoints: [{ type: 'contact', side: 'crm', checkpoint: tag }],
          conflicts: [conflict(tag.length)],
        });
        await store.setStatus({ tag });
      }

      it('two identities on the same backend do not see each other', async () => {
        const ann = await open(ANN);
        const bob = await open(BOB);
        await fill(ann, 'ann');
        expect(await snapshot(bob)).toEqual({
          contacts: [],
          tasks: [],
          journal: [],
          conflicts: [],
          contactOutlookCheckpoint: null,
          contactCrmCheckpoint: null,
          status: undefined,
        });
        await fill(bob, 'bob');
        expect(await ann.relationByCrmId('contact', '1')).toEqual(relation('1', 'A-ann'));
        expect(await bob.relationByCrmId('contact', '1')).toEqual(relation('1', 'A-bob'));
        expect(await ann.checkpoint('contact', 'crm')).toBe('ann');
        expect(await bob.status()).toEqual({ tag: 'bob' });
      });

      it('the same mailbox against another CRM URL is another identity', async () => {
        const here = await open(ANN);
        const there = await open({ ...ANN, crmUrl: 'https://other-crm.example.com' });
        await fill(here, 'here');
        expect(await there.relations('contact')).toEqual([]);
      });

      it('a trailing slash on the CRM URL or the mailbox case does not make a new identity', async () => {
        const store = await open(ANN);
        await fill(store, 'ann');
        const same = await open({ crmUrl: `${ANN.crmUrl}/`, crmUser: ANN.crmUser, mailbox: ANN.mailbox.toUpperCase() });
        expect(await same.relationByCrmId('contact', '1')).toEqual(relation('1', 'A-ann'));
      });

      it('rejects an identity with an empty part', async () => {
        await expect(backend.open({ ...ANN, mailbox: ' ' })).rejects.toThrow(/mailbox/);
      });

      it('clear() wipes its own identity only, and the store stays usable', async () => {
        const ann = await open(ANN);
        const bob = await open(BOB);
        await fill(ann, 'ann');
        await fill(bob, 'bob');
        const bobBefore = await snapshot(bob);
        await ann.clear();
        expect(await snapshot(ann)).toEqual({
          contacts: [],
          tasks: [],
          journal: [],
          conflicts: [],
          contactOutlookCheckpoint: null,
          contactCrmCheckpoint: null,
          status: undefined,
        });
        expect(await snapshot(bob)).toEqual(bobBefore);
        await ann.commit({ putRelations: [relation('5', 'E')] });
        expect(await ann.relations('contact')).toEqual([relation('5', 'E')]);
      });
    });

    describe('persistence and copies', () => {
      it('everything survives close and reopen', async () => {
        const first = await open(ANN);
        await first.commit({
          putRelations: [relation('1', 'A'), relation('2', 'B', 'event')],
          addJournal: [journalEntry('k')],
          checkpoints: [{ type: 'contact', side: 'outlook', checkpoint: 'delta-link' }],
          conflicts: [conflict(1), conflict(2)],
        });
        await first.setStatus({ lastError: null, counts: { created: 2 } });
        const before = await snapshot(first);
        await first.close();
        const second = await open(ANN);
        expect(await snapshot(second)).toEqual(before);
        expect(await second.relations('event')).toEqual([relation('2', 'B', 'event')]);
      });

      it('a closed store refuses further use', async () => {
        const store = await open();
        await store.close();
        await expect(store.relations('contact')).rejects.toThrow();
        await expect(store.commit({ putRelations: [relation('1', 'A')] })).rejects.toThrow();
      });

      it('mutating a returned relation or a committed input does not change the store', async () => {
        const store = await open();
        const input = relation('1', 'A');
        await store.commit({ putRelations: [input] });
        (input.base as ContactRecord).firstName = 'changed input';
        const got = (await store.relationByCrmId('contact', '1'))!;
        (got.base as ContactRecord).emails.push('mutated@example.com');
        got.crmVersion = 'mutated';
        const listed = (await store.relations('contact'))[0];
        (listed.base as ContactRecord).businessAddress!.city = 'Mutated';
        expect(await store.relationByOutlookId('contact', 'A')).toEqual(relation('1', 'A'));
      });

      it('mutating returned journal entries, conflicts or status does not change the store', async () => {
        const store = await open();
        await store.commit({ addJournal: [journalEntry('k')], conflicts: [conflict(1)] });
        const status = { counts: { created: 1 } };
        await store.setStatus(status);
        status.counts.created = 99;
        ((await store.journal())[0].action as { crmId: string }).crmId = 'mutated';
        (await store.conflicts())[0].fields.push('mutated');
        (await store.status<typeof status>())!.counts.created = 42;
        expect(await store.journal()).toEqual([journalEntry('k')]);
        expect(await store.conflicts()).toEqual([conflict(1)]);
        expect(await store.status()).toEqual({ counts: { created: 1 } });
      });
    });
  });
}

function sortByCrmId(relations: Relation[]): Relation[] {
  return [...relations].sort((a, b) => (a.crmId < b.crmId ? -1 : a.crmId > b.crmId ? 1 : 0));
}
