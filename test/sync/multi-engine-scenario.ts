// Randomized scenarios with 2–4 engines on one mailbox (issue 9): each engine has its own store and its
// own lease client over one shared lease service; engines' clocks are skewed by up to ±2 min; time
// passes with every request, so a holder can lose its lease mid-cycle while another takes over and
// runs at the same time; engines are killed mid-cycle (a write may land with its answer lost) and lease
// answers get lost. Only a holder starts cycles (as LeasedSync does). After a quiet phase the invariants
// of the single-engine suite hold: no duplicates, no lost edits, no unintended deletes.
import type { OutlookSettings } from '../../src/settings/options';
import { MemoryShelf, openMemoryStore } from '../../src/store/memory-store';
import { SyncEngine } from '../../src/sync/engine';
import { LocalLeaseBackend, SyncLease, type LeaseBackend } from '../../src/sync/lease';
import { MemorySharedState, SharedStateStore } from '../../src/store/shared-state';
import type { EntityType, SideName } from '../../src/sync/records';
import type { SyncSide } from '../../src/sync/side';
import { mulberry32 } from '../emulators/common/faults';
import { KilledError, MemorySide, RequestCounter } from '../support/memory-side';
import { IDENTITY, person, settingsWith, type World } from './engine-helpers';
import { checkInvariants, ScenarioFailure } from './random-scenario';
import { SERVER_DEVICE_LABEL, SERVER_HOLDER_ID } from '../../src/sync/server-holder';

const TYPES: EntityType[] = ['contact', 'task', 'event'];
const TTL_MS = 60_000;

interface Engine {
  name: string;
  shelf: MemoryShelf;
  store: SharedStateStore;
  engine: SyncEngine;
  lease: SyncLease;
  skewMs: number;
  generation: number;
  /** The fencing token of the holding whose shared state this engine pulled. */
  heldToken: number | null;
  /**
   * A worker of the sync server (src/server/mailbox-sync.ts): the CRM lease is held by the server as one
   * holder whichever worker renews it, so a second lease (Redis's, here a local one) tells workers apart.
   */
  workerLease?: SyncLease;
}

export interface MultiEngineReport {
  seed: number;
  engines: number;
  handovers: number;
  fencedCycles: number;
  /** Cycles run by server workers (server mode). */
  serverCycles: number;
  steps: string[];
}

export interface MultiEngineOptions {
  steps?: number;
  /** Server mode: two of the engines are workers of the sync server, hosted as it hosts a mailbox. */
  server?: boolean;
}

export async function runMultiEngineScenario(seed: number, opts: MultiEngineOptions = {}): Promise<MultiEngineReport> {
  const log: string[] = [];
  try {
    return await scenario(seed, opts.steps ?? 40, log, opts.server ?? false);
  } catch (e) {
    throw new ScenarioFailure(`Multi-engine scenario seed ${seed} failed: ${(e as Error).stack ?? e}\nReplay: npm run test:soak -- --multi${opts.server ? ' --server' : ''} --seed ${seed} --runs 1 --verbose\n${log.join('\n')}`);
  }
}

async function scenario(seed: number, steps: number, log: string[], serverMode: boolean): Promise<MultiEngineReport> {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: ReadonlyArray<T>): T => xs[Math.floor(rnd() * xs.length)];
  const chance = (p: number) => rnd() < p;
  const settings: OutlookSettings = settingsWith({
    contacts_conflict_resolution: chance(0.5) ? 'OroCRMAlwaysWins' : 'OutlookAlwaysWins',
    tasks_enabled: true,
    calendar_events_enabled: true,
  });
  // The lease service's clock; each request moves it a little, a "sleep" moves it past the lease period.
  let serverMs = 0;
  const counter = new RequestCounter();
  const sideOpts = { counter, random: mulberry32(seed ^ 0x5eed), pageSize: 1 + Math.floor(rnd() * 5), batchSize: 1 + Math.floor(rnd() * 4) };
  const crm = new MemorySide('crm', sideOpts);
  const outlook = new MemorySide('outlook', sideOpts);
  let sleepNext = false;
  const timed = (side: MemorySide): SyncSide =>
    new Proxy(side, {
      get(target, prop) {
        const v = Reflect.get(target, prop, target);
        if (typeof v !== 'function') return v;
        return async (...args: unknown[]) => {
          serverMs += Math.floor(rnd() * 3000);
          if (sleepNext) {
            // The holder's machine sleeps mid-cycle: its lease runs out while it is away.
            sleepNext = false;
            serverMs += TTL_MS + 5000;
            await others();
          }
          return v.apply(target, args);
        };
      },
    }) as SyncSide;
  const sides = { crm: timed(crm), outlook: timed(outlook) };

  const service = new LocalLeaseBackend(() => serverMs);
  let loseLeaseAnswers = false;
  const backend: LeaseBackend = {
    reach: 'shared',
    read: () => service.read(),
    requestSync: () => service.requestSync(),
    async write(expected, change) {
      const result = await service.write(expected, change);
      if (loseLeaseAnswers && chance(0.3)) throw new Error('lease answer lost');
      return result;
    },
  };

  const sharedState = new MemorySharedState(async () => {
    const lease = await service.read();
    return lease?.active ? lease.fencingToken : null;
  });
  const count = 2 + Math.floor(rnd() * 3);
  const engines: Engine[] = [];
  // The server's Redis lease on Redis's clock, which the scenario's time drives too. The server renews it every
  // third of its period while a job runs; the scenario renews no lease mid-cycle (a pane's neither), so it gets
  // the CRM lease's period: with 30 s every longer quiet-phase cycle was fenced before it could finish.
  const redisLease = new LocalLeaseBackend(() => serverMs);
  const open = async (name: string, shelf: MemoryShelf, skewMs: number, generation: number, serverWorker = false): Promise<Engine> => {
    const lease = serverWorker
      ? new SyncLease({ backend, holderId: SERVER_HOLDER_ID, deviceLabel: SERVER_DEVICE_LABEL, ttlMs: TTL_MS, monotonic: () => serverMs + skewMs })
      : new SyncLease({ backend, holderId: `${name}#${generation}`, deviceLabel: name, ttlMs: TTL_MS, monotonic: () => serverMs + skewMs });
    const workerLease = serverWorker ? new SyncLease({ backend: redisLease, holderId: `${name}#${generation}`, deviceLabel: name, ttlMs: TTL_MS, monotonic: () => serverMs + skewMs }) : undefined;
    const store = new SharedStateStore(await openMemoryStore(IDENTITY, { shelf }), sharedState, () => lease.view()?.fencingToken ?? 0);
    const fence = () => {
      workerLease?.assertHeld();
      lease.assertHeld();
    };
    const engine = new SyncEngine({ ...sides, store, settings, fence, matchListingThreshold: 3, now: () => Date.parse('2030-03-01T00:00:00Z') + serverMs + skewMs });
    return { name, shelf, store, engine, lease, skewMs, generation, heldToken: null, workerLease };
  };
  for (let i = 0; i < count; i++) engines.push(await open(`engine ${i}`, new MemoryShelf(), Math.round((rnd() * 2 - 1) * 120_000), 0));
  if (serverMode) {
    // Two workers of one server: one machine's clock, each its own store (its SQLite file).
    const skew = Math.round((rnd() * 2 - 1) * 120_000);
    for (const w of ['server worker 1', 'server worker 2']) engines.push(await open(w, new MemoryShelf(), skew, 0, true));
  }
  log.push(`${engines.length} engines${serverMode ? ' (two of them server workers)' : ''}, skews ${engines.map((e) => e.skewMs).join(', ')} ms, ${settings.contacts_conflict_resolution}`);

  /**
   * Whether `e` may run a cycle now, having taken over the shared state if so. A pane pulls when a new
   * holding begins (LeasedSync's onAcquired); a server worker before every job, since the last one may
   * have run on the other worker under the same CRM holding (MailboxSync.syncHolding).
   */
  const acquire = async (e: Engine): Promise<boolean> => {
    const step = async (l: SyncLease) => {
      try {
        return await l.step();
      } catch {
        return l.role();
      }
    };
    if (e.workerLease && (await step(e.workerLease)) !== 'holder') return false;
    if ((await step(e.lease)) !== 'holder') return false;
    const token = e.lease.view()?.fencingToken ?? 0;
    if (e.workerLease || e.heldToken !== token) {
      await e.store.pull();
      e.heldToken = token;
    }
    return true;
  };
  /** After a server job: its newest checkpoints go to the shared state, and the worker lets go of the mailbox. */
  const jobEnded = async (e: Engine, stopped: boolean): Promise<void> => {
    if (!e.workerLease) return;
    if (!stopped) await e.store.flush().catch(() => undefined);
    await e.workerLease.release().catch(() => undefined);
  };

  let seq = 0;
  let handovers = 0;
  let fencedCycles = 0;
  let serverCycles = 0;
  let lastHolder: string | null = null;
  const edits = new Map<string, Map<string, Map<SideName, unknown>>>();
  const deletedNames = new Set<string>();
  const sideOf = (s: SideName) => (s === 'crm' ? crm : outlook);

  /** What LeasedSync does on a tick: step the lease; a holder runs a cycle. */
  const busy = new Set<Engine>();
  const tick = async (e: Engine, s: SideName): Promise<void> => {
    // A host never starts a second cycle while one runs (its engine queues cycles one at a time).
    if (busy.has(e)) return;
    busy.add(e);
    try {
      await tickOnce(e, s);
    } finally {
      busy.delete(e);
    }
  };
  const tickOnce = async (e: Engine, s: SideName): Promise<void> => {
    if (!(await acquire(e))) return;
    if (e.workerLease) serverCycles++;
    const holder = e.workerLease?.holderId ?? e.lease.holderId;
    if (lastHolder !== holder) {
      handovers++;
      lastHolder = holder;
      log.push(`  ${e.name} holds the lease (token ${e.lease.view()?.fencingToken})`);
    }
    let stopped = true;
    try {
      const summary = await (s === 'crm' ? e.engine.runCrmCycle() : e.engine.runOutlookCycle());
      stopped = summary.stopped;
      if (summary.stopped) {
        fencedCycles++;
        log.push(`  ${e.name} fenced mid-cycle`);
      }
    } catch (error) {
      if (!(error instanceof KilledError)) {
        log.push(`  ${e.name} failed: ${(error as Error).message}`);
        return;
      }
      counter.killAfter = null;
      log.push(`  ${e.name} killed; it restarts on its store with a new lease client`);
      const i = engines.indexOf(e);
      // A killed server worker leaves its Redis lease to run out, as a SIGKILLed process does.
      engines[i] = await open(e.name, e.shelf, e.skewMs, e.generation + 1, !!e.workerLease);
      return;
    }
    await jobEnded(e, stopped);
  };
  /** While a holder sleeps, the others look at the lease and may start their own cycles. */
  const others = async () => {
    for (const e of engines) await tick(e, chance(0.5) ? 'crm' : 'outlook');
  };

  for (let i = 0; i < steps; i++) {
    const r = rnd();
    const type = pick(TYPES);
    const s: SideName = chance(0.5) ? 'crm' : 'outlook';
    if (r < 0.2) {
      const name = `${type === 'contact' ? 'N' : type === 'task' ? 'T' : 'E'}${++seq}`;
      const day = Date.UTC(2030, 3, 1 + (seq % 28));
      const id =
        type === 'contact'
          ? sideOf(s).userCreate('contact', person(name, 'Test'))
          : type === 'task'
            ? sideOf(s).userCreate('task', { subject: name, priority: 'normal', dueDate: null, status: 'open' })
            : sideOf(s).userCreate('event', { title: name, start: new Date(day + 9 * 3600_000).toISOString().replace('.000Z', 'Z'), end: new Date(day + 10 * 3600_000).toISOString().replace('.000Z', 'Z'), allDay: false });
      log.push(`create ${type} ${name} in ${s} (${id})`);
    } else if (r < 0.4) {
      const items = sideOf(s).all(type);
      if (items.length === 0 || type === 'event') continue;
      const it = pick(items);
      const field = type === 'contact' ? pick(['jobTitle', 'phone']) : 'dueDate';
      const value = type === 'contact' ? `${s}-${++seq}` : `2030-01-${String(1 + (++seq % 28)).padStart(2, '0')}`;
      sideOf(s).userUpdate(type, it.id, { [field]: value } as never);
      const name = String((it.record as { firstName?: string; subject?: string }).firstName ?? (it.record as { subject?: string }).subject);
      const byField = edits.get(`${type}:${name}`) ?? new Map();
      const bySide = byField.get(field) ?? new Map();
      bySide.set(s, value);
      byField.set(field, bySide);
      edits.set(`${type}:${name}`, byField);
      log.push(`edit ${type} ${name} in ${s}: ${field}=${value}`);
    } else if (r < 0.45) {
      const items = sideOf(s).all(type);
      if (items.length === 0) continue;
      const it = pick(items);
      sideOf(s).userDelete(type, it.id);
      const rec = it.record as { firstName?: string; subject?: string; title?: string };
      deletedNames.add(`${type}:${rec.firstName ?? rec.subject ?? rec.title}`);
      log.push(`delete ${type} in ${s}: ${it.id}`);
    } else if (r < 0.7) {
      const e = pick(engines);
      log.push(`${e.name} ticks (${s})`);
      await tick(e, s);
    } else if (r < 0.8) {
      // Two engines tick at once: their cycles interleave at every request. In server mode often the two
      // server workers: two jobs of one mailbox handed to two workers at once, under one CRM holding.
      const workers = engines.filter((e) => e.workerLease);
      const [a, b] = workers.length === 2 && chance(0.6) ? [workers[0], workers[1]] : [pick(engines), pick(engines)];
      log.push(`${a.name} and ${b.name} tick at once`);
      await Promise.all([tick(a, s), tick(b, s === 'crm' ? 'outlook' : 'crm')]);
    } else if (r < 0.87) {
      const e = pick(engines);
      sleepNext = true;
      log.push(`${e.name} ticks and sleeps past its lease mid-cycle`);
      await tick(e, s);
      sleepNext = false;
    } else if (r < 0.93) {
      const e = pick(engines);
      counter.killAfter = counter.requests + 1 + Math.floor(rnd() * 10);
      counter.loseAnswer = chance(0.5);
      log.push(`${e.name} ticks and is killed after request ${counter.killAfter}${counter.loseAnswer ? ' (its answer lost)' : ''}`);
      await tick(e, s);
      counter.killAfter = null;
    } else if (r < 0.97) {
      serverMs += Math.floor(rnd() * 90_000);
      log.push(`time passes (${serverMs} ms)`);
    } else {
      loseLeaseAnswers = !loseLeaseAnswers;
      log.push(`lease answers ${loseLeaseAnswers ? 'get lost' : 'arrive'}`);
    }
  }

  // Quiet: no faults; whoever holds the lease (or takes it) syncs until it is settled.
  counter.killAfter = null;
  loseLeaseAnswers = false;
  serverMs += TTL_MS + 1000;
  const final = pick(engines);
  log.push(`-- quiet: ${final.name} syncs`);
  for (let round = 0; round < 3; round++) {
    if (!(await acquire(final))) throw new Error(`${final.name} could not take the lease in the quiet phase`);
    await final.engine.runCrmCycle();
    await jobEnded(final, false);
    if (!(await acquire(final))) throw new Error(`${final.name} lost the lease in the quiet phase`);
    await final.engine.runOutlookCycle();
    await jobEnded(final, false);
    for (const p of final.engine.getStatus().pendingDeletions) await final.engine.confirmDeletions(p.type);
  }
  const world = { crm, outlook, store: final.store } as unknown as World;
  try {
    await checkInvariants(world, settings, { alwaysBoth: true, alwaysOn: { contact: true, task: true, event: true }, deletedNames, edits });
  } catch (e) {
    throw new ScenarioFailure(`Multi-engine scenario seed ${seed} failed: ${(e as Error).message}\nReplay: npm run test:soak -- --multi${serverMode ? ' --server' : ''} --seed ${seed} --runs 1 --verbose\n${log.join('\n')}`);
  }
  return { seed, engines: engines.length, handovers, fencedCycles, serverCycles, steps: log };
}
