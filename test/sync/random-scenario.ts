// Randomized scenarios (vdirsyncer's state-machine test; Trinity's seeded simulation): random user
// creates/edits/deletes on both sides, settings changes, interleaved CRM and Outlook cycles, faults and
// kills mid-cycle. After the faults stop and each side had its cycles, the invariants of issue 4 must hold.
// Every scenario is a pure function of its seed: a failure prints the seed, and `runScenario(seed)` replays it.
import type { OutlookSettings } from '../../src/settings/options';
import type { EntityType, SideName } from '../../src/sync/records';
import { KilledError } from '../support/memory-side';
import { makeWorld, person, settingsWith, type World } from './engine-helpers';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TYPES: EntityType[] = ['contact', 'task'];
const EDIT_FIELDS: Record<'contact' | 'task', string[]> = { contact: ['jobTitle', 'phone', 'description'], task: ['dueDate', 'status'] };

export interface ScenarioReport {
  seed: number;
  steps: string[];
}

export class ScenarioFailure extends Error {}

export async function runScenario(seed: number, opts: { steps?: number } = {}): Promise<ScenarioReport> {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: ReadonlyArray<T>): T => xs[Math.floor(rnd() * xs.length)];
  const chance = (p: number) => rnd() < p;
  const directionChanges = chance(0.4);
  let settings: OutlookSettings = settingsWith({
    contacts_conflict_resolution: chance(0.5) ? 'OroCRMAlwaysWins' : 'OutlookAlwaysWins',
    contacts_sync_direction: directionChanges ? pick(['Both', 'OroCRMToOutlook', 'OutlookToOroCRM'] as const) : 'Both',
    tasks_enabled: true,
  });
  const w = await makeWorld(settings, { random: mulberry32(seed ^ 0x5eed), pageSize: 1 + Math.floor(rnd() * 6), batchSize: 1 + Math.floor(rnd() * 5), matchListingThreshold: 3 });
  const log: string[] = [];
  let seq = 0;
  let alwaysBoth = settings.contacts_sync_direction === 'Both';
  const alwaysOn: Record<EntityType, boolean> = { contact: true, task: true, event: true };
  const deletedNames = new Set<string>();
  /** name → field → sides that edited it, and the last value each side wrote. */
  const edits = new Map<string, Map<string, Map<SideName, unknown>>>();

  const nameOf = (type: EntityType, record: Record<string, unknown>) => (type === 'contact' ? String(record.firstName) : String(record.subject));
  const side = (s: SideName) => (s === 'crm' ? w.crm : w.outlook);

  const cycle = async (s: SideName) => {
    try {
      await (s === 'crm' ? w.engine.runCrmCycle() : w.engine.runOutlookCycle());
    } catch (e) {
      if (e instanceof KilledError) {
        log.push('  killed; restart');
        w.counter.killAfter = null;
        w.settings = settings;
        await w.restart();
      } else log.push(`  failed: ${(e as Error).message}`);
    }
  };

  const steps = opts.steps ?? 40;
  for (let i = 0; i < steps; i++) {
    const r = rnd();
    const type = pick(TYPES);
    const s: SideName = chance(0.5) ? 'crm' : 'outlook';
    if (r < 0.2) {
      const name = `${type === 'contact' ? 'N' : 'T'}${++seq}`;
      const id = type === 'contact'
        ? side(s).userCreate('contact', person(name, 'Test'))
        : side(s).userCreate('task', { subject: name, priority: pick(['low', 'normal', 'high'] as const), dueDate: null, status: 'open' });
      log.push(`create ${type} ${name} in ${s} (${id})`);
    } else if (r < 0.45) {
      const items = side(s).all(type);
      if (items.length === 0) continue;
      const it = pick(items);
      const field = pick(EDIT_FIELDS[type as 'contact' | 'task']);
      const value = field === 'status' ? pick(['open', 'in_progress', 'closed']) : field === 'dueDate' ? `2030-01-${String(1 + (++seq % 28)).padStart(2, '0')}` : `${s}-${++seq}`;
      side(s).userUpdate(type, it.id, { [field]: value } as never);
      const name = nameOf(type, it.record as never);
      const byField = edits.get(`${type}:${name}`) ?? new Map();
      const bySide = byField.get(field) ?? new Map();
      bySide.set(s, value);
      byField.set(field, bySide);
      edits.set(`${type}:${name}`, byField);
      log.push(`edit ${type} ${name} in ${s}: ${field}=${JSON.stringify(value)}`);
    } else if (r < 0.52) {
      const items = side(s).all(type);
      if (items.length === 0) continue;
      const it = pick(items);
      side(s).userDelete(type, it.id);
      deletedNames.add(`${type}:${nameOf(type, it.record as never)}`);
      log.push(`delete ${type} ${nameOf(type, it.record as never)} in ${s}`);
    } else if (r < 0.82) {
      log.push(`${s} cycle`);
      await cycle(s);
    } else if (r < 0.86) {
      const next = { ...settings };
      const what = rnd();
      if (what < 0.4) next.contacts_conflict_resolution = next.contacts_conflict_resolution === 'OroCRMAlwaysWins' ? 'OutlookAlwaysWins' : 'OroCRMAlwaysWins';
      else if (what < 0.7 && directionChanges) next.contacts_sync_direction = pick(['Both', 'OroCRMToOutlook', 'OutlookToOroCRM'] as const);
      else next.tasks_enabled = !next.tasks_enabled;
      if (next.contacts_sync_direction !== 'Both') alwaysBoth = false;
      if (!next.tasks_enabled) alwaysOn.task = false;
      settings = next;
      w.settings = settings;
      w.engine.setSettings(settings);
      log.push(`settings ${settings.contacts_sync_direction} ${settings.contacts_conflict_resolution} tasks=${settings.tasks_enabled}`);
    } else if (r < 0.94) {
      for (const sd of [w.crm, w.outlook]) {
        sd.faults.transientRate = chance(0.5) ? 0.15 : 0;
        sd.faults.replayRate = chance(0.5) ? 0.3 : 0;
        sd.faults.resyncNext = chance(0.2);
      }
      log.push(`faults crm=${JSON.stringify(w.crm.faults)} outlook=${JSON.stringify(w.outlook.faults)}`);
    } else {
      w.counter.killAfter = w.counter.requests + 1 + Math.floor(rnd() * 12);
      log.push(`kill after request ${w.counter.killAfter}; ${s} cycle`);
      await cycle(s);
      w.counter.killAfter = null;
    }
  }

  // Faults stop; each side gets its cycles (a restart first, as if the pane was reopened).
  for (const sd of [w.crm, w.outlook]) Object.assign(sd.faults, { transientRate: 0, replayRate: 0, resyncNext: false });
  w.counter.killAfter = null;
  await w.restart();
  log.push('-- quiet: two cycles each');
  for (let round = 0; round < 2; round++) {
    await w.engine.runCrmCycle();
    await w.engine.runOutlookCycle();
    for (const p of w.engine.getStatus().pendingDeletions) await w.engine.confirmDeletions(p.type);
  }
  if (w.engine.getStatus().pendingDeletions.length > 0 || (await w.store.journal()).some((e) => e.op === 'delete')) {
    await w.engine.runCrmCycle();
    await w.engine.runOutlookCycle();
  }
  try {
    await checkInvariants(w, settings, { alwaysBoth, alwaysOn, deletedNames, edits });
  } catch (e) {
    throw new ScenarioFailure(`Scenario seed ${seed} failed: ${(e as Error).message}\nReplay: npm run test:soak -- --seed ${seed} --runs 1 --verbose\n${log.join('\n')}`);
  }
  return { seed, steps: log };
}

function fail(message: string): never {
  throw new Error(message);
}

async function checkInvariants(
  w: World,
  settings: OutlookSettings,
  history: { alwaysBoth: boolean; alwaysOn: Record<EntityType, boolean>; deletedNames: Set<string>; edits: Map<string, Map<string, Map<SideName, unknown>>> },
): Promise<void> {
  if (w.crm.sent.delete !== 0) fail(`the engine deleted ${w.crm.sent.delete} CRM record(s): Outlook never deletes CRM data`);
  for (const type of TYPES) {
    const enabled = type === 'contact' ? settings.contacts_enabled : settings.tasks_enabled;
    const crm = w.crm.all(type);
    const outlook = w.outlook.all(type);
    const nameOf = (r: Record<string, unknown>) => (type === 'contact' ? String(r.firstName) : String(r.subject));
    const dupes = (xs: string[]) => xs.filter((x, i) => xs.indexOf(x) !== i);
    const stamps = outlook.map((o) => o.crmId).filter((c): c is string => c !== null);
    if (dupes(stamps).length) fail(`${type}: two Outlook items carry the OroCRM id ${dupes(stamps)[0]}`);
    if (dupes(crm.map((c) => nameOf(c.record as never))).length) fail(`${type}: duplicate CRM records ${dupes(crm.map((c) => nameOf(c.record as never)))}`);
    if (dupes(outlook.map((c) => nameOf(c.record as never))).length) fail(`${type}: duplicate Outlook items ${dupes(outlook.map((c) => nameOf(c.record as never)))}`);
    if (!enabled) continue;
    const crmById = new Map(crm.map((c) => [c.id, c]));
    for (const r of await w.store.relations(type)) {
      const o = outlook.find((x) => x.id === r.outlookId);
      if (!crmById.has(r.crmId) || !o) fail(`${type}: relation ${r.crmId}↔${r.outlookId} points at a missing item`);
      if (o.crmId !== r.crmId) fail(`${type}: Outlook item ${o.id} carries ${o.crmId}, linked to ${r.crmId}`);
    }
    const direction = settings.contacts_sync_direction;
    if (direction !== 'OutlookToOroCRM') {
      for (const c of crm) {
        const twins = outlook.filter((o) => o.crmId === c.id);
        if (twins.length !== 1) fail(`${type}: CRM record ${nameOf(c.record as never)} has ${twins.length} Outlook items (${direction})`);
      }
    }
    if (direction !== 'OroCRMToOutlook') {
      for (const o of outlook) {
        if (!o.crmId || !crmById.has(o.crmId)) fail(`${type}: Outlook item ${nameOf(o.record as never)} is not linked to a CRM record (${direction})`);
      }
    }
    if (direction === 'Both') {
      for (const o of outlook) {
        const c = crmById.get(o.crmId!)!;
        if (JSON.stringify(sorted(c.record)) !== JSON.stringify(sorted(o.record))) fail(`${type}: ${nameOf(o.record as never)} differs: CRM ${JSON.stringify(c.record)} vs Outlook ${JSON.stringify(o.record)}`);
      }
    }
    // Every edit that did not conflict survives (on both sides, under Both all along).
    if (history.alwaysBoth && history.alwaysOn[type]) {
      for (const [key, byField] of history.edits) {
        if (!key.startsWith(`${type}:`) || history.deletedNames.has(key)) continue;
        const name = key.slice(type.length + 1);
        for (const [field, bySide] of byField) {
          if (bySide.size !== 1) continue;
          const [[editor, value]] = [...bySide];
          for (const [label, items] of [['CRM', crm], ['Outlook', outlook]] as const) {
            const it = items.find((x) => nameOf(x.record as never) === name);
            if (it && JSON.stringify((it.record as never)[field]) !== JSON.stringify(value)) {
              fail(`${type} ${name}: the ${editor} edit ${field}=${JSON.stringify(value)} was lost in ${label} (now ${JSON.stringify((it.record as never)[field])})`);
            }
          }
        }
      }
    }
  }
  // Every conflict went to the rule's winner.
  for (const c of await w.store.conflicts()) {
    const expected = c.rule === 'OroCRM always wins' ? 'crm' : c.rule === 'Outlook always wins' ? 'outlook' : null;
    if (c.winner !== expected) fail(`conflict on ${c.item} went to ${c.winner} under "${c.rule}"`);
  }
}

function sorted(o: unknown): unknown {
  return Object.fromEntries(Object.entries(o as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)));
}
