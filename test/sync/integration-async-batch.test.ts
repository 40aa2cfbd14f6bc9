// Every CRM batch runs past Oro's wait timeout and is finished asynchronously (issue 11, finding 5):
// the engine's writes are pending, never failed, so nothing is sent twice and nothing is duplicated.
import { byName, duplicateStamps, startWorld, type World } from '../support/world';
import { setQuirks } from '../emulators/crm/testing';

jest.setTimeout(60_000);

let w: World;
afterEach(async () => {
  await w?.close();
});

const everyBatchAsync = (afterRequests: number) => setQuirks({ url: w.crmUrl }, { asyncBatch: { above: 0, afterRequests } });

const names = (items: Array<{ record: unknown }>, type: 'contact' | 'task') =>
  items.map((i) => (type === 'task' ? (i.record as { subject: string }).subject : `${(i.record as { firstName: string }).firstName} ${(i.record as { lastName: string }).lastName}`)).sort();

test('a first sync whose CRM batches all go async creates every Outlook-only item once, and then stays idle', async () => {
  w = await startWorld({ settings: { calendar_events_enabled: false } });
  await everyBatchAsync(2);
  const outlookBefore = { contact: await w.list('outlook', 'contact'), task: await w.list('outlook', 'task') };
  const [, outlookCycle] = await w.engine.syncNow();
  // Created as they were sent: no write was taken for failed (and left to be matched up later).
  expect(outlookCycle.written.crm.created).toBeGreaterThan(0);
  expect(w.engine.getStatus().itemErrors).toEqual([]);
  await w.engine.syncNow();
  for (const type of ['contact', 'task'] as const) {
    const crm = names(await w.list('crm', type), type);
    expect(crm).toEqual([...new Set(crm)]); // no duplicates in the CRM
    for (const name of names(outlookBefore[type], type)) expect(crm).toContain(name);
    const outlook = await w.list('outlook', type);
    expect(duplicateStamps(outlook)).toEqual([]);
    expect(names(outlook, type)).toEqual([...new Set(names(outlook, type))]);
  }
  expect(byName('task', await w.list('crm', 'task'))['Prepare demo for Mei']).toBeDefined();
  const idle = await w.engine.syncNow();
  expect(idle.map((c) => c.written)).toEqual([
    { crm: { created: 0, updated: 0, deleted: 0 }, outlook: { created: 0, updated: 0, deleted: 0 } },
    { crm: { created: 0, updated: 0, deleted: 0 }, outlook: { created: 0, updated: 0, deleted: 0 } },
  ]);
});
