// Randomized scenarios (vdirsyncer's state-machine test; Trinity's seeded simulation): random user
// creates/edits/deletes on both sides, settings changes, interleaved CRM and Outlook cycles, faults and
// kills mid-cycle. After the faults stop and each side had its cycles, the invariants of issue 4 must hold.
// Every scenario is a pure function of its seed: a failure prints the seed, and `runScenario(seed)` replays it.
import type { OutlookSettings } from '../../src/settings/options';
import { DELETED_IN_CRM_FIELD } from '../../src/sync/planner';
import type { EntityType, EventRecord, SideName } from '../../src/sync/records';
import { sameValue } from '../../src/sync/values';
import { mulberry32 } from '../emulators/common/faults';
import { KilledError } from '../support/memory-side';
import { makeWorld, person, settingsWith, type World } from './engine-helpers';

const TYPES: EntityType[] = ['contact', 'task', 'event'];
/** Fields the scenario edits. An event's `when` stands for start + end + allDay, which merge as one unit. */
const EDIT_FIELDS: Record<EntityType, string[]> = { contact: ['jobTitle', 'phone', 'description'], task: ['dueDate', 'status'], event: ['when'] };
const ENABLED: Record<EntityType, 'contacts_enabled' | 'tasks_enabled' | 'calendar_events_enabled'> = { contact: 'contacts_enabled', task: 'tasks_enabled', event: 'calendar_events_enabled' };
const RULE_NAMES = { OroCRMAlwaysWins: 'OroCRM always wins', OutlookAlwaysWins: 'Outlook always wins' } as const;

function nameOf(type: EntityType, record: Record<string, unknown>): string {
  return String(type === 'contact' ? record.firstName : type === 'task' ? record.subject : record.title);
}

/** The value of an edited field; `when` is an event's times as one value. */
function editedValue(record: Record<string, unknown>, field: string): unknown {
  return field === 'when' ? { start: record.start, end: record.end, allDay: record.allDay } : record[field];
}

const HOUR = 3600_000;
const instant = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A timed or all-day event on day `n` of April 2030. */
function newEvent(title: string, n: number, allDay: boolean): EventRecord {
  const day = Date.UTC(2030, 3, 1 + (n % 28));
  return allDay
    ? { title, start: date(day), end: date(day + 24 * HOUR), allDay }
    : { title, start: instant(day + 9 * HOUR), end: instant(day + 10 * HOUR), allDay };
}

/** Moves an event later (hours when timed, days when all-day), or switches it between timed and all-day. */
function reschedule(e: EventRecord, toggle: boolean, by: number): Pick<EventRecord, 'start' | 'end' | 'allDay'> {
  const startMs = Date.parse(e.allDay ? `${e.start}T00:00:00Z` : e.start);
  const endMs = Date.parse(e.allDay ? `${e.end}T00:00:00Z` : e.end);
  if (toggle) {
    return e.allDay
      ? { start: instant(startMs + 9 * HOUR), end: instant(startMs + 10 * HOUR), allDay: false }
      : { start: date(startMs), end: date(Date.parse(`${date(startMs)}T00:00:00Z`) + 24 * HOUR), allDay: true };
  }
  const step = e.allDay ? 24 * HOUR : HOUR;
  const shift = (ms: number) => (e.allDay ? date(ms + by * step) : instant(ms + by * step));
  return { start: shift(startMs), end: shift(endMs), allDay: e.allDay };
}

export interface ScenarioReport {
  seed: number;
  steps: string[];
}

export class ScenarioFailure extends Error {}

export async function runScenario(seed: number, opts: { steps?: number } = {}): Promise<ScenarioReport> {
  const log: string[] = [];
  try {
    return await scenario(seed, opts.steps ?? 40, log);
  } catch (e) {
    if (e instanceof ScenarioFailure) throw e;
    throw new ScenarioFailure(`Scenario seed ${seed} failed: ${(e as Error).stack ?? e}\nReplay: npm run test:soak -- --seed ${seed} --runs 1 --verbose\n${log.join('\n')}`);
  }
}

async function scenario(seed: number, steps: number, log: string[]): Promise<ScenarioReport> {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: ReadonlyArray<T>): T => xs[Math.floor(rnd() * xs.length)];
  const chance = (p: number) => rnd() < p;
  const directionChanges = chance(0.4);
  let settings: OutlookSettings = settingsWith({
    contacts_conflict_resolution: chance(0.5) ? 'OroCRMAlwaysWins' : 'OutlookAlwaysWins',
    contacts_sync_direction: directionChanges ? pick(['Both', 'OroCRMToOutlook', 'OutlookToOroCRM'] as const) : 'Both',
    tasks_enabled: true,
    calendar_events_enabled: true,
  });
  const w = await makeWorld(settings, { random: mulberry32(seed ^ 0x5eed), pageSize: 1 + Math.floor(rnd() * 6), batchSize: 1 + Math.floor(rnd() * 5), matchListingThreshold: 3 });
  let seq = 0;
  let alwaysBoth = settings.contacts_sync_direction === 'Both';
  const alwaysOn: Record<EntityType, boolean> = { contact: true, task: true, event: true };
  const deletedNames = new Set<string>();
  /** name → field → sides that edited it, and the last value each side wrote. */
  const edits = new Map<string, Map<string, Map<SideName, unknown>>>();

  const side = (s: SideName) => (s === 'crm' ? w.crm : w.outlook);

  const cycle = async (s: SideName) => {
    const logged = (await w.store.conflicts()).length;
    let completed = false;
    try {
      await (s === 'crm' ? w.engine.runCrmCycle() : w.engine.runOutlookCycle());
      completed = true;
    } catch (e) {
      if (e instanceof KilledError) {
        log.push('  killed; restart');
        w.counter.killAfter = null;
        w.settings = settings;
        await w.restart();
      } else log.push(`  failed: ${(e as Error).message}`);
    }
    await checkNewConflicts(w, settings, (await w.store.conflicts()).slice(0, Math.max(0, (await w.store.conflicts()).length - logged)), completed);
  };

  for (let i = 0; i < steps; i++) {
    const r = rnd();
    const type = pick(TYPES);
    const s: SideName = chance(0.5) ? 'crm' : 'outlook';
    if (r < 0.2) {
      const name = `${type === 'contact' ? 'N' : type === 'task' ? 'T' : 'E'}${++seq}`;
      const id = type === 'contact'
        ? side(s).userCreate('contact', person(name, 'Test'))
        : type === 'task'
          ? side(s).userCreate('task', { subject: name, priority: pick(['low', 'normal', 'high'] as const), dueDate: null, status: 'open' })
          : side(s).userCreate('event', newEvent(name, seq, chance(0.4)));
      log.push(`create ${type} ${name} in ${s} (${id})`);
    } else if (r < 0.45) {
      const items = side(s).all(type);
      if (items.length === 0) continue;
      const it = pick(items);
      const field = pick(EDIT_FIELDS[type]);
      let value: unknown;
      if (field === 'when') {
        const when = reschedule(it.record as EventRecord, chance(0.3), 1 + Math.floor(rnd() * 3));
        side(s).userUpdate('event', it.id, when);
        value = when;
      } else {
        value = field === 'status' ? pick(['open', 'in_progress', 'closed']) : field === 'dueDate' ? `2030-01-${String(1 + (++seq % 28)).padStart(2, '0')}` : `${s}-${++seq}`;
        side(s).userUpdate(type, it.id, { [field]: value } as never);
      }
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
      else if (what < 0.85) next.tasks_enabled = !next.tasks_enabled;
      else next.calendar_events_enabled = !next.calendar_events_enabled;
      if (next.contacts_sync_direction !== 'Both') alwaysBoth = false;
      for (const t of TYPES) if (!next[ENABLED[t]]) alwaysOn[t] = false;
      settings = next;
      w.settings = settings;
      w.engine.setSettings(settings);
      log.push(`settings ${settings.contacts_sync_direction} ${settings.contacts_conflict_resolution} tasks=${settings.tasks_enabled} events=${settings.calendar_events_enabled}`);
    } else if (r < 0.94) {
      for (const sd of [w.crm, w.outlook]) {
        sd.faults.transientRate = chance(0.5) ? 0.15 : 0;
        sd.faults.replayRate = chance(0.5) ? 0.3 : 0;
        sd.faults.resyncNext = chance(0.2);
      }
      log.push(`faults crm=${JSON.stringify(w.crm.faults)} outlook=${JSON.stringify(w.outlook.faults)}`);
    } else {
      w.counter.killAfter = w.counter.requests + 1 + Math.floor(rnd() * 12);
      w.counter.loseAnswer = chance(0.5);
      log.push(`kill after request ${w.counter.killAfter}${w.counter.loseAnswer ? ' (a write there lands, its answer is lost)' : ''}; ${s} cycle`);
      await cycle(s);
      w.counter.killAfter = null;
    }
  }

  // Faults stop; each side gets its cycles (a restart first, as if the pane was reopened).
  for (const sd of [w.crm, w.outlook]) Object.assign(sd.faults, { transientRate: 0, replayRate: 0, resyncNext: false });
  w.counter.killAfter = null;
  w.counter.loseAnswer = false;
  await w.restart();
  log.push('-- quiet: two cycles each');
  for (let round = 0; round < 2; round++) {
    await cycleQuietly(w, settings, 'crm');
    await cycleQuietly(w, settings, 'outlook');
    for (const p of w.engine.getStatus().pendingDeletions) await w.engine.confirmDeletions(p.type);
  }
  if (w.engine.getStatus().pendingDeletions.length > 0 || (await w.store.journal()).some((e) => e.op === 'delete')) {
    await cycleQuietly(w, settings, 'crm');
    await cycleQuietly(w, settings, 'outlook');
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

export async function checkInvariants(
  w: World,
  settings: OutlookSettings,
  history: { alwaysBoth: boolean; alwaysOn: Record<EntityType, boolean>; deletedNames: Set<string>; edits: Map<string, Map<string, Map<SideName, unknown>>> },
): Promise<void> {
  if (w.crm.sent.delete !== 0) fail(`the engine deleted ${w.crm.sent.delete} CRM record(s): Outlook never deletes CRM data`);
  for (const type of TYPES) {
    const enabled = settings[ENABLED[type]];
    const crm = w.crm.all(type);
    const outlook = w.outlook.all(type);
    const nameOf = (r: Record<string, unknown>) => recordName(type, r);
    if (type === 'event') for (const [label, items] of [['CRM', crm], ['Outlook', outlook]] as const) for (const e of items) checkEvent(label, e.record as EventRecord);
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
            const now = it && editedValue(it.record as never, field);
            if (it && !sameValue(now, value)) {
              fail(`${type} ${name}: the ${editor} edit ${field}=${JSON.stringify(value)} was lost in ${label} (now ${JSON.stringify(now)})`);
            }
          }
        }
      }
    }
  }
}

const recordName = nameOf;

/** An event either side could hold: all-day ones on dates, timed ones on instants, ending after they start. */
function checkEvent(label: string, e: EventRecord): void {
  const shape = e.allDay ? /^\d{4}-\d{2}-\d{2}$/ : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
  if (!shape.test(e.start) || !shape.test(e.end) || !(e.end > e.start)) fail(`${label} event ${e.title} is malformed: ${JSON.stringify(e)}`);
}

/** The quiet phase: a cycle must succeed, and its conflicts are checked like any other. */
async function cycleQuietly(w: World, settings: OutlookSettings, s: SideName): Promise<void> {
  const logged = (await w.store.conflicts()).length;
  await (s === 'crm' ? w.engine.runCrmCycle() : w.engine.runOutlookCycle());
  const all = await w.store.conflicts();
  await checkNewConflicts(w, settings, all.slice(0, Math.max(0, all.length - logged)), true);
}

/**
 * Every conflict went to the rule's winner: each entry a cycle logged names the rule in effect, and its
 * winner is that rule's side. After a cycle that completed, both sides hold the same value for each
 * conflicting field, and it is not the losing value.
 */
async function checkNewConflicts(w: World, settings: OutlookSettings, entries: Awaited<ReturnType<World['store']['conflicts']>>, completed: boolean): Promise<void> {
  const rule = RULE_NAMES[settings.contacts_conflict_resolution];
  const winner = settings.contacts_conflict_resolution === 'OroCRMAlwaysWins' ? 'crm' : 'outlook';
  for (const c of entries) {
    if (c.rule !== rule || c.winner !== winner) fail(`conflict on ${c.item} logged as "${c.rule}" won by ${c.winner}, while the rule is "${rule}"`);
    if (!completed || c.crmId === null || c.outlookId === null || c.fields.includes(DELETED_IN_CRM_FIELD)) continue;
    const crm = w.crm.find(c.type, c.crmId);
    const outlook = w.outlook.find(c.type, c.outlookId);
    if (!crm || !outlook) continue;
    for (const f of c.fields) {
      const [cv, ov] = [(crm.record as never)[f], (outlook.record as never)[f]];
      if (!sameValue(cv, ov) || sameValue(cv, c.losingValues[f])) {
        fail(`conflict on ${c.item}.${f}: CRM ${JSON.stringify(cv)}, Outlook ${JSON.stringify(ov)}, losing value ${JSON.stringify(c.losingValues[f])}`);
      }
    }
  }
}

function sorted(o: unknown): unknown {
  return Object.fromEntries(Object.entries(o as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)));
}
