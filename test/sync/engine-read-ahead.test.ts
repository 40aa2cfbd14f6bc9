// The engine reads pages ahead while earlier steps write (src/sync/page-reader.ts). A page read before a
// write landed may show the item as it was before that write; such items are read again before planning.
import type { Change } from '../../src/sync/side';
import type { SyncSide } from '../../src/sync/side';
import { makeWorld, person, settingsWith } from './engine-helpers';

describe('reading ahead', () => {
  test('an item repeated in a page read before the merge written to it landed is read again, so the merge is not undone', async () => {
    // One page per step, so the second page is read while the first step writes.
    const w = await makeWorld(settingsWith({ contacts_sync_direction: 'Both' }), { pageSize: 2, maxChangesPerStep: 2 });
    const crmId = w.crm.userCreate('contact', person('Ann', 'Lee', { jobTitle: 'Buyer', phone: '100' }));
    await w.engine.syncNow();
    await w.engine.syncNow();
    const outlookId = w.outlook.all('contact')[0].id;

    w.crm.userUpdate('contact', crmId, { jobTitle: 'CEO' });
    w.outlook.userUpdate('contact', outlookId, { phone: '555' });
    for (const name of ['Bob', 'Cid', 'Dee']) w.outlook.userCreate('contact', person(name, 'Roe'));

    // The delta repeats Ann in its second page as she was when the first page was read (graph-api.md §4:
    // an item may appear more than once in a round).
    const original = w.outlook.readChanges.bind(w.outlook);
    let first: Change<unknown> | undefined;
    let reads = 0;
    w.outlook.readChanges = (async (type, checkpoint) => {
      const page = await original(type, checkpoint);
      reads++;
      if (reads === 1) first = page.changes.find((c) => c.kind === 'upsert' && c.item.id === outlookId);
      if (reads === 2 && first) page.changes.push(structuredClone(first) as never);
      return page;
    }) as SyncSide['readChanges'];

    await w.engine.runOutlookCycle();

    expect(reads).toBeGreaterThanOrEqual(2);
    expect(first).toBeDefined();
    const merged = { jobTitle: 'CEO', phone: '555' };
    expect(w.crm.find('contact', crmId)!.record).toEqual(expect.objectContaining(merged));
    expect(w.outlook.find('contact', outlookId)!.record).toEqual(expect.objectContaining(merged));
    await w.engine.syncNow();
    expect(w.crm.find('contact', crmId)!.record).toEqual(expect.objectContaining(merged));
    expect(w.outlook.find('contact', outlookId)!.record).toEqual(expect.objectContaining(merged));
  });
});
