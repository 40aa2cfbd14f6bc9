// Two engines on one mailbox, each with its own store, racing on the same new item: the executor's
// pre-create check (stamp / externalId) links the other engine's item instead of creating it again,
// and a fenced engine stops writing before its next batch.
import { MemoryShelf, openMemoryStore } from '../../src/store/memory-store';
import { SyncEngine } from '../../src/sync/engine';
import { LeaseLostError } from '../../src/sync/lease';
import type { SyncSide } from '../../src/sync/side';
import { MemorySide, RequestCounter } from '../support/memory-side';
import { IDENTITY, person, settingsWith } from './engine-helpers';

/** `side`, but `after` runs once right after the first call of `method` answered. */
function interleaved(side: MemorySide, method: keyof SyncSide, after: () => Promise<unknown>): SyncSide {
  let fired = false;
  return new Proxy(side, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (prop !== method) return value.bind(target);
      return async (...args: unknown[]) => {
        const answer = await value.apply(target, args);
        if (!fired) {
          fired = true;
          await after();
        }
        return answer;
      };
    },
  }) as SyncSide;
}

async function engineOn(crm: SyncSide, outlook: SyncSide, fence?: () => void) {
  const store = await openMemoryStore(IDENTITY, { shelf: new MemoryShelf() });
  return new SyncEngine({ crm, outlook, store, settings: settingsWith(), fence });
}

function sides() {
  const counter = new RequestCounter();
  return { crm: new MemorySide('crm', { counter }), outlook: new MemorySide('outlook', { counter }) };
}

test('CRM → Outlook: the other engine created the stamped item between our match and our create; we link it', async () => {
  const { crm, outlook } = sides();
  const ann = crm.userCreate('contact', person('Ann', 'Lee'));
  const a = await engineOn(crm, outlook);
  const b = await engineOn(crm, interleaved(outlook, 'findByKey', () => a.runCrmCycle()));
  await b.runCrmCycle();
  expect(outlook.all('contact').map((c) => c.crmId)).toEqual([ann]);
  // Both engines now know the pair: an edit flows once, from either.
  crm.userUpdate('contact', ann, { jobTitle: 'CEO' });
  await b.syncNow();
  await a.syncNow();
  expect(outlook.all('contact')).toEqual([expect.objectContaining({ crmId: ann, record: expect.objectContaining({ jobTitle: 'CEO' }) })]);
});

test('Outlook → CRM: both engines plan the same create; the second finds the first one’s CRM contact by its key', async () => {
  const { crm, outlook } = sides();
  const bob = outlook.userCreate('contact', person('Bob', 'Ray'));
  const a = await engineOn(crm, outlook);
  const b = await engineOn(interleaved(crm, 'findByKey', () => a.runOutlookCycle()), outlook);
  await b.runOutlookCycle();
  const contacts = crm.all('contact');
  expect(contacts).toHaveLength(1);
  expect(outlook.find('contact', bob)!.crmId).toBe(contacts[0].id);
});

test('a fenced engine stops before its next batch; the next holder finishes without duplicates', async () => {
  const { crm, outlook } = sides();
  for (let i = 0; i < 12; i++) crm.userCreate('contact', person(`P${i}`, 'Lee'));
  let allowed = 2;
  const fence = () => {
    if (allowed-- <= 0) throw new LeaseLostError('lease lost');
  };
  const store = await openMemoryStore(IDENTITY, { shelf: new MemoryShelf() });
  const a = new SyncEngine({ crm, outlook, store, settings: settingsWith(), fence, batchSize: 4 });
  const summary = await a.runCrmCycle();
  expect(summary.stopped).toBe(true);
  const written = outlook.sent.create;
  expect(written).toBeLessThan(12);
  const b = await engineOn(crm, outlook);
  await b.syncNow();
  await b.syncNow();
  const stamps = outlook.all('contact').map((c) => c.crmId);
  expect(stamps).toHaveLength(12);
  expect(new Set(stamps).size).toBe(12);
});
