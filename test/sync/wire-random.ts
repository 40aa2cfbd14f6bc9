// Seeded random scenarios over the wire: user edits on both sides, settings changes, interleaved
// cycles, emulator faults (429, 5xx, drops, expired delta tokens, delta replays/duplicates) and kills.
// After the faults stop and each side has had two cycles, the invariants of issue 4 are checked.
// Used by wire-random-*.test.ts (a few seeds) and bench/soak-wire.ts (any number).
import type { ConflictResolution, OutlookSettings, SyncDirection } from '../../src/settings/options';
import { mulberry32 } from '../emulators/common/faults';
import { byName, duplicateStamps, Kill, startWorld, type World } from '../support/world';

export interface WireScenarioOptions {
  steps?: number;
  log?: (line: string) => void;
}

const DIRECTIONS: SyncDirection[] = ['Both', 'Both', 'OroCRMToOutlook', 'OutlookToOroCRM'];
const RULES: ConflictResolution[] = ['OroCRMAlwaysWins', 'OutlookAlwaysWins'];
const TITLES = ['CEO', 'CTO', 'Buyer', 'Analyst', null];

export class ScenarioFailure extends Error {}

/** Runs one scenario; throws with the seed and the steps taken when an invariant breaks. */
export async function runWireScenario(seed: number, opts: WireScenarioOptions = {}): Promise<string[]> {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: ReadonlyArray<T>): T => xs[Math.floor(rnd() * xs.length)];
  const chance = (p: number) => rnd() < p;
  const steps: string[] = [];
  const note = (s: string) => {
    steps.push(s);
    opts.log?.(s);
  };
  const settings = (): Partial<OutlookSettings> => ({ tasks_enabled: false, calendar_events_enabled: false, contacts_sync_direction: pick(DIRECTIONS), contacts_conflict_resolution: pick(RULES) });
  const w = await startWorld({ settings: settings() });
  const crmIdsSeen = new Set<string>();
  const crmDeletedByUser = new Set<string>();
  let made = 0;
  try {
    note(`seed ${seed}: ${w.settings.contacts_sync_direction}, ${w.settings.contacts_conflict_resolution}`);
    const folder = (await w.mailbox()).contactFolder.find((f) => f.displayName === 'OroCRM')!.id;
    await w.engine.syncNow();
    for (let step = 0; step < (opts.steps ?? 5); step++) {
      await userEdits(w, folder, { pick, chance, note, next: () => ++made, crmIdsSeen, crmDeletedByUser });
      if (chance(0.2)) {
        const s = { ...w.settings, ...settings() };
        note(`settings → ${s.contacts_sync_direction}, ${s.contacts_conflict_resolution}`);
        w.settings = s;
        w.engine.setSettings(s);
      }
      const faults = randomFaults(rnd, chance);
      note(`faults ${JSON.stringify(faults)}`);
      await w.graphFaults({ ...faults, maxConcurrent: 4 });
      await w.crmFaults({ rate429: faults.rate429, rate5xx: faults.rate5xx, dropRate: faults.dropRate, retryAfterSeconds: faults.retryAfterSeconds, seed: faults.seed });
      const cycles = pick([['crm'], ['outlook'], ['crm', 'outlook'], ['outlook', 'crm']] as const);
      const kill = chance(0.25) ? new Kill(1 + Math.floor(rnd() * 25), pick(['answer-lost', 'before-send'] as const)) : null;
      if (kill) await w.restart({ fetch: kill.fetch, store: kill.store });
      for (const side of cycles) {
        const err = await (side === 'crm' ? w.engine.runCrmCycle() : w.engine.runOutlookCycle()).then(() => null, (e: unknown) => e);
        note(`${side} cycle${kill ? ` (kill after ${kill.after}, ${kill.mode})` : ''}: ${err ? `failed: ${err instanceof Error ? err.message : String(err)}` : 'ok'}`);
      }
      if (kill) await w.restart();
      // Faults hit the engine's cycles only; the user's own edits and the checks go through cleanly.
      await w.graphFaults({});
      await w.crmFaults({});
    }
    await w.engine.syncNow();
    await w.engine.syncNow();
    note('faults off, two cycles each');
    await checkInvariants(w, crmIdsSeen, crmDeletedByUser);
    return steps;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ScenarioFailure(`wire scenario seed ${seed} failed (replay: npx tsx bench/soak-wire.ts --seed ${seed} --runs 1 --verbose): ${why}\n  ${steps.join('\n  ')}`);
  } finally {
    await w.close();
  }
}

interface EditContext {
  pick<T>(xs: ReadonlyArray<T>): T;
  chance(p: number): boolean;
  note(s: string): void;
  next(): number;
  crmIdsSeen: Set<string>;
  crmDeletedByUser: Set<string>;
}

async function userEdits(w: World, folder: string, c: EditContext): Promise<void> {
  const crm = await w.list('crm', 'contact');
  const outlook = await w.list('outlook', 'contact');
  for (const item of crm) c.crmIdsSeen.add(item.id);
  const edits = 1 + Math.floor(c.pick([0, 1, 2, 3]));
  for (let i = 0; i < edits; i++) {
    const onCrm = c.chance(0.5);
    const what = c.pick(['create', 'edit', 'edit', 'delete'] as const);
    const pool = onCrm ? crm : outlook;
    if (what === 'create' || pool.length === 0) {
      const n = c.next();
      const jobTitle = c.pick(TITLES);
      if (onCrm) expectOk(await w.crmApi('POST', '/api/contacts', { data: { type: 'contacts', attributes: { firstName: `Crm${n}`, lastName: 'Rand', jobTitle } } }), 'CRM create');
      else expectOk(await w.graphApi('POST', `/me/contactFolders/${folder}/contacts`, { givenName: `Ol${n}`, surname: 'Rand', jobTitle: jobTitle ?? undefined }), 'Outlook create');
      c.note(`user creates ${onCrm ? `Crm${n}` : `Ol${n}`} in ${onCrm ? 'CRM' : 'Outlook'}`);
      continue;
    }
    const target = c.pick(pool);
    const name = `${target.record.firstName} ${target.record.lastName}`;
    if (what === 'edit') {
      const field = c.pick(['jobTitle', 'description'] as const);
      const value = field === 'jobTitle' ? c.pick(TITLES) : `note ${c.next()}`;
      if (onCrm) expectOk(await w.crmApi('PATCH', `/api/contacts/${target.id}`, { data: { type: 'contacts', id: target.id, attributes: { [field]: value } } }), 'CRM edit');
      else expectOk(await w.graphApi('PATCH', `/me/contacts/${target.id}`, field === 'jobTitle' ? { jobTitle: value ?? '' } : { personalNotes: value }), 'Outlook edit');
      c.note(`user sets ${field}=${JSON.stringify(value)} on ${name} in ${onCrm ? 'CRM' : 'Outlook'}`);
    } else {
      if (onCrm) {
        expectOk(await w.crmApi('DELETE', `/api/contacts/${target.id}`), 'CRM delete');
        c.crmDeletedByUser.add(target.id);
      } else expectOk(await w.graphApi('DELETE', `/me/contacts/${target.id}`), 'Outlook delete');
      c.note(`user deletes ${name} in ${onCrm ? 'CRM' : 'Outlook'}`);
    }
    if (onCrm) crm.splice(crm.indexOf(target), 1);
    else outlook.splice(outlook.indexOf(target), 1);
  }
}

function expectOk(res: { status: number; body: unknown }, what: string): void {
  if (res.status >= 300) throw new Error(`${what} answered ${res.status}: ${JSON.stringify(res.body)}`);
}

function randomFaults(rnd: () => number, chance: (p: number) => boolean) {
  return {
    rate429: chance(0.5) ? 0.15 : 0,
    retryAfterSeconds: 0.01,
    rate5xx: chance(0.4) ? 0.1 : 0,
    dropRate: chance(0.3) ? 0.05 : 0,
    expireDeltaTokens: chance(0.25),
    deltaReplayRate: chance(0.3) ? 0.3 : 0,
    deltaDuplicateRate: chance(0.3) ? 0.3 : 0,
    seed: 1 + Math.floor(rnd() * 1e6),
  };
}

async function checkInvariants(w: World, crmIdsSeen: Set<string>, crmDeletedByUser: Set<string>): Promise<void> {
  const outlookItems = await w.list('outlook', 'contact');
  const dup = duplicateStamps(outlookItems);
  if (dup.length) throw new Error(`two Outlook contacts carry the same OroCRM_id: ${dup.join(', ')}`);
  const crmItems = await w.list('crm', 'contact');
  const crm = byName('contact', crmItems); // throws on a duplicate: one Outlook item made two CRM records
  const outlook = byName('contact', outlookItems);
  const crmIds = new Set(crmItems.map((i) => i.id));
  for (const id of crmIdsSeen) {
    if (!crmDeletedByUser.has(id) && !crmIds.has(id)) throw new Error(`CRM contact ${id} was deleted, but not by the CRM user`);
  }
  const direction = w.settings.contacts_sync_direction;
  const field = (r: { jobTitle: string | null; description: string | null }) => JSON.stringify([r.jobTitle ?? null, r.description ?? null]);
  if (direction !== 'OutlookToOroCRM') {
    for (const [name, item] of Object.entries(crm)) {
      if (!outlook[name]) throw new Error(`CRM contact "${name}" has no Outlook twin under ${direction}`);
      if (outlook[name].crmId !== item.id) throw new Error(`Outlook "${name}" carries ${outlook[name].crmId}, not ${item.id}`);
    }
  }
  if (direction !== 'OroCRMToOutlook') {
    for (const [name, item] of Object.entries(outlook)) {
      if (!crm[name]) throw new Error(`Outlook contact "${name}" has no CRM twin under ${direction}`);
      if (item.crmId !== crm[name].id) throw new Error(`Outlook "${name}" carries ${item.crmId}, not ${crm[name].id}`);
    }
  }
  if (direction === 'Both') {
    for (const [name, item] of Object.entries(crm)) {
      if (field(item.record) !== field(outlook[name].record)) throw new Error(`"${name}" differs: CRM ${field(item.record)}, Outlook ${field(outlook[name].record)}`);
    }
  }
  const journal = await w.store.journal();
  if (journal.length) throw new Error(`journal not empty after quiet cycles: ${JSON.stringify(journal.map((j) => [j.side, j.op, j.key]))}`);
}
