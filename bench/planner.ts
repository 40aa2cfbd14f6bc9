// The planner on 100,000 relations: a full re-read of one side (every pair listed once, 1% changed),
// timed and weighed. Heap is measured after a forced GC (V8's --expose-gc, switched on at run time).
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Relation } from '../src/store/types';
import type { Item } from '../src/sync/actions';
import { plan, RelationIndex, type SideChange } from '../src/sync/planner';
import type { ContactRecord } from '../src/sync/records';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function contact(i: number, jobTitle = 'Buyer'): ContactRecord {
  return { namePrefix: null, firstName: `First${i}`, middleName: null, lastName: `Last${i}`, nameSuffix: null, gender: null, birthday: null, description: null, jobTitle, fax: null, emails: [`p${i}@example.test`], phone: null, businessAddress: null, homeAddress: null, otherAddress: null };
}

export interface PlannerFigures {
  relations: number;
  changes: number;
  actions: number;
  /** Median of the timed runs. */
  ms: number;
  /** Heap used by the inputs and the plan, above the baseline before they were built. */
  heapMB: number;
  /** Heap the plan itself added. */
  planHeapMB: number;
}

export function benchPlanner(count = 100_000, runs = 5): PlannerFigures {
  gc();
  const baseline = process.memoryUsage().heapUsed;
  const relations: Relation[] = [];
  const changes: SideChange[] = [];
  const current = new Map<string, Item | null>();
  for (let i = 0; i < count; i++) {
    const base = contact(i);
    relations.push({ type: 'contact', crmId: `c${i}`, outlookId: `o${i}`, crmVersion: `v${i}`, outlookVersion: `w${i}`, base });
    const changed = i % 100 === 0;
    const record = changed ? contact(i, 'CEO') : base;
    changes.push({ side: 'crm', change: { kind: 'upsert', item: { id: `c${i}`, version: changed ? `v${i}b` : `v${i}`, record } } });
    if (changed) current.set(`o${i}`, { id: `o${i}`, version: `w${i}`, record: base, crmId: `c${i}` });
  }
  const index = new RelationIndex(relations);
  const settings = { direction: 'Both', conflictResolution: 'OroCRMAlwaysWins' } as const;
  const input = { type: 'contact' as const, relations: index, changes, current: { outlook: current } };
  plan(input, settings); // warm-up (JIT)
  const times: number[] = [];
  let actions = 0;
  for (let r = 0; r < runs; r++) {
    gc();
    const t0 = process.hrtime.bigint();
    actions = plan(input, settings).length;
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  gc();
  const beforePlan = process.memoryUsage().heapUsed;
  const kept = plan(input, settings);
  const after = process.memoryUsage().heapUsed;
  const figures: PlannerFigures = {
    relations: count,
    changes: changes.length,
    actions: kept.length || actions,
    ms: round(times.sort((a, b) => a - b)[Math.floor(times.length / 2)]),
    heapMB: round((after - baseline) / 2 ** 20),
    planHeapMB: round((after - beforePlan) / 2 ** 20),
  };
  return figures;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
