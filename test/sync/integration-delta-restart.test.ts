// A dead Graph delta token (410, SyncStateNotFound, SyncStateInvalid, or the code nested in innerError)
// makes the engine start that collection's delta again: a full re-read that re-matches by relation and
// stamp, so nothing is created again and nothing is taken for deleted (issue 10 §4).
import { startWorld, type World } from '../support/world';

jest.setTimeout(60_000);

let w: World;
afterEach(async () => {
  await w?.close();
});

const NOTHING = { crm: { created: 0, updated: 0, deleted: 0 }, outlook: { created: 0, updated: 0, deleted: 0 } };

async function resetDelta(mode: string): Promise<void> {
  const res = await fetch(`${w.graphUrl}/_control/graph/reset-delta`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ mode }) });
  expect(res.status).toBe(200);
}

test.each(['syncStateNotFound', 'location', 'syncStateInvalid', 'innerError'])(
  'after a dropped delta state (%s) the Outlook cycle reads everything again, writes nothing, and later edits still flow',
  async (mode) => {
    w = await startWorld();
    await w.engine.syncNow();
    await w.engine.syncNow();
    const linked = w.engine.getStatus().types;
    await resetDelta(mode);

    const again = await w.engine.runOutlookCycle();
    expect(again.written).toEqual(NOTHING);
    expect(again.types).toEqual(['contact', 'task', 'event']);
    const after = w.engine.getStatus();
    expect(after.lastError).toBeNull();
    for (const t of ['contact', 'task', 'event'] as const) expect(after.types[t].linked).toBe(linked[t].linked);

    const ann = (await w.list('outlook', 'contact')).find((c) => c.record.firstName === 'Ann');
    expect((await w.graphApi('PATCH', `/me/contacts/${ann!.id}`, { jobTitle: 'After the reset' })).status).toBe(200);
    await w.engine.runOutlookCycle();
    const crmAnn = (await w.list('crm', 'contact')).find((c) => c.record.firstName === 'Ann');
    expect(crmAnn?.record.jobTitle).toBe('After the reset');
  },
);
