// Moved checkpoints alone wait before they are shared: an idle mailbox must not cost a shared-state
// write per cycle, and a next holder that reads from an older checkpoint only re-reads some changes.
import { openMemoryStore } from '../../src/store/memory-store';
import { CHECKPOINT_FLUSH_MS, MemorySharedState, SharedStateStore, type SharedStateBackend, type SharedStateChange } from '../../src/store/shared-state';
import type { Relation } from '../../src/store/types';

const IDENTITY = { crmUrl: 'http://crm.test', crmUser: 'alice', mailbox: 'alice@example.com' };
const relation = (crmId: string) => ({ type: 'contact', crmId, outlookId: `o-${crmId}`, base: {}, crmVersion: '1', outlookVersion: 'o1' }) as unknown as Relation;

function counting(inner: SharedStateBackend) {
  const writes: SharedStateChange[] = [];
  const backend: SharedStateBackend = { read: () => inner.read(), write: (token, change) => (writes.push(change), inner.write(token, change)) };
  return { backend, writes };
}

test('a checkpoint-only commit is kept local until a relation commit carries it, the flush interval passes, or the holder hands over', async () => {
  let clock = 0;
  const { backend, writes } = counting(new MemorySharedState(async () => 1));
  const local = await openMemoryStore(IDENTITY);
  const store = new SharedStateStore(local, backend, () => 1, () => clock);
  await store.pull(); // nothing anywhere yet

  // Idle cycles move the delta link: it waits (the pull just now counts as the last exchange).
  await store.commit({ checkpoints: [{ type: 'contact', side: 'outlook', checkpoint: 'delta-1' }] });
  expect(writes).toHaveLength(0);
  clock += 1000;
  await store.commit({ checkpoints: [{ type: 'contact', side: 'outlook', checkpoint: 'delta-2' }] });
  expect(writes).toHaveLength(0);
  expect(await local.checkpoint('contact', 'outlook')).toBe('delta-2'); // this engine goes on from its own

  // A relation change goes out at once, with the newest waiting checkpoint.
  await store.commit({ putRelations: [relation('1')] });
  expect(writes).toHaveLength(1);
  expect(writes[0].checkpoints).toEqual([{ type: 'contact', side: 'outlook', checkpoint: 'delta-2' }]);

  // Idle for a while: one write per flush interval at most.
  await store.commit({ checkpoints: [{ type: 'contact', side: 'outlook', checkpoint: 'delta-3' }] });
  expect(writes).toHaveLength(1);
  clock += CHECKPOINT_FLUSH_MS;
  await store.commit({ checkpoints: [{ type: 'contact', side: 'outlook', checkpoint: 'delta-4' }] });
  expect(writes).toHaveLength(2);
  expect(writes[1].checkpoints).toEqual([{ type: 'contact', side: 'outlook', checkpoint: 'delta-4' }]);

  // Handing over sends what waits; an unchanged checkpoint is never sent again.
  await store.commit({ checkpoints: [{ type: 'contact', side: 'outlook', checkpoint: 'delta-5' }] });
  await store.flush();
  expect(writes).toHaveLength(3);
  await store.commit({ checkpoints: [{ type: 'contact', side: 'outlook', checkpoint: 'delta-5' }] });
  await store.flush();
  expect(writes).toHaveLength(3);
  expect((await backend.read()).checkpoints).toEqual([{ type: 'contact', side: 'outlook', checkpoint: 'delta-5' }]);
});
