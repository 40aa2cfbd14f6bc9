// "3 engines on one mailbox, idle": three engines (think two panes and `npm run sync`), each with its
// own local store and meters, share one mailbox through the CRM's sync lease and shared state. For a
// measured window the holder runs one idle cycle of each side; every engine keeps its lease timers.
// What it shows: the holder's data requests equal one engine's, followers send none, and the lease
// costs a fixed, small number of requests per minute.
import { CrmLeaseBackend, CrmSharedState } from '../src/crm/lease-client';
import type { OutlookSettings } from '../src/settings/options';
import { openMemoryStore } from '../src/store/memory-store';
import { SharedStateStore } from '../src/store/shared-state';
import { SyncEngine } from '../src/sync/engine';
import { SyncLease } from '../src/sync/lease';
import { LeasedSync, type LeasedState } from '../src/sync/lease-host';
import { ENTITY_TYPES, type EntityType } from '../src/sync/records';
import type { Bench } from './harness';

const ENGINES = 3;

export async function threeEnginesIdle(b: Bench, settings: OutlookSettings, windowMs: number) {
  // Each engine starts from the settled single-engine state (as after an upgrade to the extension).
  const relations = (await Promise.all(ENTITY_TYPES.map((t) => b.store.relations(t)))).flat();
  const checkpoints = (
    await Promise.all(ENTITY_TYPES.flatMap((type: EntityType) => (['crm', 'outlook'] as const).map(async (side) => ({ type, side, checkpoint: await b.store.checkpoint(type, side) }))))
  ).filter((c) => c.checkpoint !== null);
  const mailbox = b.store.identity.mailbox;

  const engines = await Promise.all(
    Array.from({ length: ENGINES }, async (_, i) => {
      const sides = b.freshSides();
      const local = await openMemoryStore(b.store.identity);
      await local.commit({ putRelations: relations, checkpoints });
      const lease = new SyncLease({ backend: new CrmLeaseBackend(sides.crmHttp, mailbox), holderId: `bench-engine-${i}`, deviceLabel: `engine ${i + 1}` });
      const store = new SharedStateStore(local, new CrmSharedState(sides.crmHttp, mailbox), () => lease.view()?.fencingToken ?? 0);
      const engine = new SyncEngine({ crm: sides.crm, outlook: sides.outlook, store, settings, fence: () => lease.assertHeld() });
      await engine.start();
      let cycle: Promise<unknown> | null = null;
      const roles: LeasedState['role'][] = [];
      const host = new LeasedSync({
        lease,
        // One idle cycle of each side once holding; the window then shows the lease's own traffic.
        loop: { start: () => void (cycle = engine.runCrmCycle().then(() => engine.runOutlookCycle())), stop: async () => void (await cycle), syncNow: async () => undefined },
        snapshot: async () => ({ status: engine.getStatus(), conflicts: [] }),
        onAcquired: async () => void (await store.pull()),
        beforeRelease: () => store.flush(),
        onChange: (state) => roles.push(state.role),
      });
      return { sides, host, roles, cycle: () => cycle };
    }),
  );

  // The first holder seeds the empty shared state once (an upgrade's one-time cost); not measured.
  await engines[0].host.start();
  await engines[0].cycle();
  await engines[0].host.stop();
  for (const e of engines) {
    e.sides.crmMeter.reset();
    e.sides.graphMeter.reset();
    e.roles.length = 0;
  }

  const t0 = performance.now();
  await Promise.all(engines.map((e) => e.host.start()));
  await new Promise((r) => setTimeout(r, windowMs));
  const elapsedMin = (performance.now() - t0) / 60_000;
  const report = engines.map((e, i) => {
    const data = ENTITY_TYPES.reduce((n, t) => n + e.sides.crmMeter.byType[t] + e.sides.graphMeter.byType[t], 0) + e.sides.crmMeter.byType.other + e.sides.graphMeter.byType.other;
    const bk = e.sides.crmMeter.bookkeeping;
    const lease = (bk['GET outlooksynclease'] ?? 0) + (bk['PATCH outlooksynclease'] ?? 0);
    return { engine: i + 1, role: e.roles.includes('holder') ? 'holder' : 'follower', dataRequests: data, leaseRequests: lease, leasePerMinute: Math.round((lease / elapsedMin) * 10) / 10, stateReads: bk['GET outlooksyncstate'] ?? 0, stateWrites: bk['PATCH outlooksyncstate'] ?? 0 };
  });
  await Promise.all(engines.map((e) => e.host.stop()));
  return { engines: ENGINES, windowSeconds: Math.round(elapsedMin * 600) / 10, perEngine: report };
}
