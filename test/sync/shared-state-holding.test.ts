// A local store every worker shares (the server on PostgreSQL) is pulled from the CRM's shared state
// only when the holding is new: the same fencing token means nobody else wrote the mailbox since.
import { openMemoryStore } from '../../src/store/memory-store';
import { MemorySharedState, SharedStateStore, type SharedStateBackend } from '../../src/store/shared-state';
import type { Relation } from '../../src/store/types';

const IDENTITY = { crmUrl: 'http://crm.test', crmUser: 'alice', mailbox: 'alice@example.com' };
const relation = (crmId: string) => ({ type: 'contact', crmId, outlookId: `o-${crmId}`, base: {}, crmVersion: '1', outlookVersion: 'o1' }) as unknown as Relation;

test('jobs of one holding read the shared state once, whichever worker runs them; a new holding reads it again', async () => {
  let token = 1;
  const inner = new MemorySharedState(async () => token);
  let reads = 0;
  const backend: SharedStateBackend = { read: () => (reads++, inner.read()), write: (t, change) => inner.write(t, change) };
  const shared = await openMemoryStore(IDENTITY); // what PostgreSQL is to the workers
  const workerA = new SharedStateStore(shared, backend, () => token);
  const workerB = new SharedStateStore(shared, backend, () => token);

  await workerA.pullOnNewHolding();
  expect(reads).toBe(1);
  await workerA.commit({ putRelations: [relation('1')] });
  await workerA.setStatus({ lastError: null }); // the engine replaces the status blob: the holding stays
  await workerB.pullOnNewHolding();
  await workerA.pullOnNewHolding();
  expect(reads).toBe(1);

  // A pane held the mailbox in between (token 2) and linked another contact; the server's new holding is token 3.
  token = 2;
  await inner.write(2, { put: [relation('2')], delete: [], checkpoints: [], addJournal: [], removeJournal: [] });
  token = 3;
  await workerB.pullOnNewHolding();
  expect(reads).toBe(2);
  expect((await shared.relations('contact')).map((r) => r.crmId).sort()).toEqual(['1', '2']);
  await workerA.pullOnNewHolding();
  expect(reads).toBe(2);
});
