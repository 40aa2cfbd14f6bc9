import { DEFAULT_SETTINGS, type OutlookSettings } from '../../src/settings/options';
import { MemoryShelf, openMemoryStore } from '../../src/store/memory-store';
import type { ConflictLogEntry, StoreIdentity, SyncStore } from '../../src/store/types';
import { SyncEngine, type SyncEngineOptions } from '../../src/sync/engine';
import type { SideName } from '../../src/sync/records';
import { initialStatus, type SyncStatus } from '../../src/sync/status';
import { browserNetwork, createSyncRuntime, SchedulerLoop, type EngineLike, type SyncConnection, type SyncLoop, type SyncParts, type SyncView } from '../../src/taskpane/sync-runtime';
import { MemorySide, RequestCounter } from '../support/memory-side';
import { REQUIRED_ORO, TOO_OLD_MESSAGE } from '../../src/crm/release-check';
import { blockedHeadersMessage, leaseHeadersNotice, LEGACY_REST_BLOCKED_NOTICE } from '../../src/crm/browser-reach';
import { contact } from '../sync/planner-helpers';

const CONNECTION: SyncConnection = {
  identity: { crmUrl: 'http://crm.test', crmUser: 'alice', mailbox: 'alice' },
  crm: { baseUrl: 'http://crm.test', tokens: { accessToken: async () => 't', refresh: async () => 't' } },
  graph: { baseUrl: 'http://graph.test/v1.0', tokens: { accessToken: async () => 'g' } },
};

const settings = (overrides: Partial<OutlookSettings> = {}): OutlookSettings => ({ ...DEFAULT_SETTINGS, ...overrides });
const flush = () => new Promise((r) => setImmediate(r));
const NEVER_TICKS = { every: () => 0, cancel: () => undefined };

/** An engine stand-in recording what the runtime asks of it. */
class FakeEngine implements EngineLike {
  calls: string[] = [];
  status: SyncStatus = initialStatus();
  listeners = new Set<(s: SyncStatus) => void>();
  constructor(public settings: OutlookSettings) {}
  start = async () => void this.calls.push('start');
  getSettings = () => ({ ...this.settings });
  resume = () => void this.calls.push('resume');
  getStatus = () => structuredClone(this.status);
  subscribe = (l: (s: SyncStatus) => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
  emit(patch: Partial<SyncStatus>) {
    this.status = { ...this.status, ...patch };
    for (const l of this.listeners) l(this.getStatus());
  }
  setSettings = (s: OutlookSettings) => {
    this.settings = s;
    this.calls.push(`setSettings interval=${s.contacts_sync_interval_orocrm}`);
  };
  runCrmCycle = async () => {
    this.calls.push('runCrmCycle');
    return { side: 'crm' as const, types: [], written: { crm: { created: 0, updated: 0, deleted: 0 }, outlook: { created: 0, updated: 0, deleted: 0 } }, conflicts: 0, stopped: false };
  };
  runOutlookCycle = async () => {
    this.calls.push('runOutlookCycle');
    return { side: 'outlook' as const, types: [], written: { crm: { created: 0, updated: 0, deleted: 0 }, outlook: { created: 0, updated: 0, deleted: 0 } }, conflicts: 0, stopped: false };
  };
  confirmDeletions = async (t: string) => void this.calls.push(`confirmDeletions ${t}`);
  keepInsteadOfDeleting = async (t: string) => void this.calls.push(`keepInsteadOfDeleting ${t}`);
  setNextCheck = (side: SideName, at: number | null) => void this.calls.push(`setNextCheck ${side} ${at}`);
  requestStop = async () => void this.calls.push('requestStop');
}

class FakeLoop implements SyncLoop {
  calls: string[] = [];
  start = () => void this.calls.push('start');
  runNow = async (sides: SideName[]) => void this.calls.push(`runNow ${sides.join(',')}`);
  settingsChanged = () => void this.calls.push('settingsChanged');
  stop = async () => void this.calls.push('stop');
}

interface Rig {
  parts: SyncParts;
  opened: StoreIdentity[];
  store: SyncStore;
  engine: () => FakeEngine;
  engineOptions: () => SyncEngineOptions;
  loop: FakeLoop;
  closed: () => number;
}

async function rig(opts: { openFails?: boolean; conflicts?: ConflictLogEntry[] } = {}): Promise<Rig> {
  const store = await openMemoryStore(CONNECTION.identity, { shelf: new MemoryShelf() });
  if (opts.conflicts) await store.commit({ conflicts: opts.conflicts });
  let closed = 0;
  const realClose = store.close.bind(store);
  store.close = async () => {
    closed++;
    await realClose();
  };
  const opened: StoreIdentity[] = [];
  let engine: FakeEngine | undefined;
  let engineOptions: SyncEngineOptions | undefined;
  const loop = new FakeLoop();
  const parts: SyncParts = {
    openStore: async (identity) => {
      opened.push(identity);
      if (opts.openFails) throw new Error('IndexedDB is not available here');
      return store;
    },
    sides: () => ({ crm: new MemorySide('crm'), outlook: new MemorySide('outlook') }),
    engine: (o) => {
      engineOptions = o;
      engine = new FakeEngine(o.settings);
      return engine;
    },
    loop: () => loop,
  };
  return { parts, opened, store, engine: () => engine!, engineOptions: () => engineOptions!, loop, closed: () => closed };
}

describe('pane sync runtime wiring', () => {
  test('nothing is opened until the settings are loaded; then store (by identity), engine (with those settings) and loop start', async () => {
    const r = await rig();
    const runtime = createSyncRuntime(CONNECTION, r.parts);
    const views: SyncView[] = [];
    runtime.subscribe((v) => views.push(v));
    expect(runtime.view().phase).toBe('waiting');
    await flush();
    expect(r.opened).toEqual([]);

    runtime.settingsLoaded(settings({ contacts_sync_interval_orocrm: 42 }));
    await flush();
    expect(r.opened).toEqual([CONNECTION.identity]);
    expect(r.engineOptions().store).toBe(r.store);
    expect(r.engineOptions().settings.contacts_sync_interval_orocrm).toBe(42);
    expect(r.engine().calls).toEqual(['start']);
    expect(r.loop.calls).toEqual(['start']);
    expect(runtime.view().phase).toBe('running');
    expect(views.at(-1)?.phase).toBe('running');
  });

  test('saved settings reach the engine at once and the loop reschedules', async () => {
    const r = await rig();
    const runtime = createSyncRuntime(CONNECTION, r.parts);
    runtime.settingsLoaded(settings());
    await flush();
    runtime.settingsLoaded(settings({ contacts_sync_interval_orocrm: 7 }));
    await flush();
    expect(r.engine().calls).toContain('setSettings interval=7');
    expect(r.loop.calls).toEqual(['start', 'settingsChanged']);
  });

  test('Sync now runs both sides; Retry runs the side that failed; deletion answers reach the engine', async () => {
    const r = await rig();
    const runtime = createSyncRuntime(CONNECTION, r.parts);
    runtime.settingsLoaded(settings());
    await runtime.syncNow();
    r.engine().emit({ lastError: { message: 'Outlook could not be reached.', side: 'outlook', type: 'contact', at: new Date(0).toISOString(), retryable: true } });
    await runtime.retry();
    await runtime.confirmDeletions('contact');
    await runtime.keepInsteadOfDeleting('task');
    expect(r.loop.calls).toEqual(['start', 'runNow crm,outlook', 'runNow outlook', 'runNow crm']);
    expect(r.engine().calls).toEqual(['start', 'confirmDeletions contact', 'keepInsteadOfDeleting task']);
  });

  test('status changes of the engine and the conflict log (newest first) reach the view', async () => {
    const older: ConflictLogEntry = { at: '2024-01-01T00:00:00.000Z', type: 'contact', crmId: '1', outlookId: 'a', item: 'Ann', fields: ['phone'], rule: 'OroCRM always wins', winner: 'crm', losingValues: { phone: '1' } };
    const newer: ConflictLogEntry = { ...older, at: '2024-01-02T00:00:00.000Z', item: 'Bob' };
    const r = await rig({ conflicts: [older, newer] });
    const runtime = createSyncRuntime(CONNECTION, r.parts);
    runtime.settingsLoaded(settings());
    await flush();
    expect(runtime.view().conflicts.map((c) => c.item)).toEqual(['Bob', 'Ann']);
    r.engine().emit({ running: { side: 'crm', type: 'contact' } });
    expect(runtime.view().status.running).toEqual({ side: 'crm', type: 'contact' });

    // A conflict logged during the cycle shows once the cycle ends.
    await r.store.commit({ conflicts: [{ ...older, at: '2024-01-03T00:00:00.000Z', item: 'Cy' }] });
    r.engine().emit({ running: null });
    await flush();
    expect(runtime.view().conflicts.map((c) => c.item)).toEqual(['Cy', 'Bob', 'Ann']);
  });

  test('sign-out stops the loop, asks the engine to stop between writes and closes the store; later settings are ignored', async () => {
    const r = await rig();
    const runtime = createSyncRuntime(CONNECTION, r.parts);
    runtime.settingsLoaded(settings());
    await flush();
    await runtime.stop();
    expect(r.loop.calls).toEqual(['start', 'stop']);
    expect(r.engine().calls).toEqual(['start', 'requestStop']);
    expect(r.closed()).toBe(1);
    expect(runtime.view().phase).toBe('stopped');
    runtime.settingsLoaded(settings({ contacts_sync_interval_orocrm: 9 }));
    await flush();
    expect(r.engine().calls).not.toContain('setSettings interval=9');
  });

  test('an Oro too old to sync with: the pane says so with the version needed, and opens nothing', async () => {
    const r = await rig();
    const runtime = createSyncRuntime(CONNECTION, { ...r.parts, crmRefusal: async () => TOO_OLD_MESSAGE });
    runtime.settingsLoaded(settings());
    await flush();
    expect(runtime.view()).toMatchObject({ phase: 'unavailable', message: TOO_OLD_MESSAGE });
    expect(TOO_OLD_MESSAGE).toContain(REQUIRED_ORO);
    expect(r.opened).toEqual([]);
    expect(r.loop.calls).toEqual([]);
  });

  test("a browser that cannot reach Oro's /api/rest: events are off for the engine, the CRM side reconciles, and the status says why", async () => {
    const r = await rig();
    const reaches: unknown[] = [];
    const sides = r.parts.sides;
    const parts: SyncParts = { ...r.parts, browserReach: async () => ({ legacyRest: false, blockedHeaders: [], leaseHeaders: [] }), sides: (reach) => (reaches.push(reach), sides(reach)) };
    const runtime = createSyncRuntime(CONNECTION, parts);
    runtime.settingsLoaded(settings({ calendar_events_enabled: true }));
    await flush();
    expect(runtime.view().phase).toBe('running');
    expect(r.engineOptions().settings.calendar_events_enabled).toBe(false);
    expect(r.engineOptions().settings.contacts_enabled).toBe(true);
    expect(reaches).toEqual([{ legacyRest: false, blockedHeaders: [], leaseHeaders: [] }]);
    expect(runtime.view().notices).toEqual([LEGACY_REST_BLOCKED_NOTICE]);
    expect(LEGACY_REST_BLOCKED_NOTICE).toMatch(/npm run sync/);

    // Saved settings keep events off for the engine; the user turning events off ends the notice.
    runtime.settingsLoaded(settings({ calendar_events_enabled: false }));
    await flush();
    expect(r.engine().settings.calendar_events_enabled).toBe(false);
    expect(runtime.view().notices).toEqual([]);
  });

  test('a reachable /api/rest (or no probe) leaves events as the user set them, with no notice', async () => {
    const r = await rig();
    const runtime = createSyncRuntime(CONNECTION, { ...r.parts, browserReach: async () => ({ legacyRest: true, blockedHeaders: [], leaseHeaders: [] }) });
    runtime.settingsLoaded(settings({ calendar_events_enabled: true }));
    await flush();
    expect(r.engineOptions().settings.calendar_events_enabled).toBe(true);
    expect(runtime.view().notices ?? []).toEqual([]);
  });

  test("Oro's CORS refuses X-Mode: sync does not start, and says which header the administrator must allow", async () => {
    const r = await rig();
    const runtime = createSyncRuntime(CONNECTION, { ...r.parts, browserReach: async () => ({ legacyRest: false, blockedHeaders: ['X-Mode'], leaseHeaders: [] }) });
    runtime.settingsLoaded(settings());
    await flush();
    expect(runtime.view()).toMatchObject({ phase: 'unavailable', message: blockedHeadersMessage(['X-Mode']) });
    expect(runtime.view().message).toMatch(/oro_api\.cors\.allow_headers/);
    expect(r.opened).toEqual([]);
  });

  test("Oro's CORS hides what the shared lease needs: sync runs, and the pane says what the administrator must add", async () => {
    const r = await rig();
    const runtime = createSyncRuntime(CONNECTION, { ...r.parts, browserReach: async () => ({ legacyRest: true, blockedHeaders: [], leaseHeaders: ['If-Match', 'If-None-Match', 'ETag'] }) });
    runtime.settingsLoaded(settings());
    await flush();
    expect(runtime.view().phase).toBe('running');
    const notice = leaseHeadersNotice(['If-Match', 'If-None-Match', 'ETag']);
    expect(runtime.view().notices).toEqual([notice]);
    expect(notice).toMatch(/If-Match and If-None-Match to oro_api\.cors\.allow_headers and ETag to oro_api\.cors\.expose_headers/);
    expect(leaseHeadersNotice(['ETag'])).toMatch(/read ETag\. .*add ETag to oro_api\.cors\.expose_headers \(/);
  });

  test('sign-out before the settings loaded opens nothing', async () => {
    const r = await rig();
    const runtime = createSyncRuntime(CONNECTION, r.parts);
    await runtime.stop();
    runtime.settingsLoaded(settings());
    await flush();
    expect(r.opened).toEqual([]);
    expect(runtime.view().phase).toBe('stopped');
  });

  test('a store that cannot open makes sync unavailable with the reason', async () => {
    const r = await rig({ openFails: true });
    const runtime = createSyncRuntime(CONNECTION, r.parts);
    runtime.settingsLoaded(settings());
    await flush();
    expect(runtime.view()).toMatchObject({ phase: 'unavailable', message: 'Sync cannot keep its state in this browser: IndexedDB is not available here' });
    await runtime.syncNow(); // does nothing, does not throw
  });

  test('with a real engine over memory sides, Sync now brings a CRM contact to Outlook and the counts show it', async () => {
    const counter = new RequestCounter();
    const crm = new MemorySide('crm', { counter });
    const outlook = new MemorySide('outlook', { counter });
    crm.userCreate('contact', contact({ firstName: 'Ann', lastName: 'Lee', emails: ['ann@example.com'] }));
    const store = await openMemoryStore(CONNECTION.identity, { shelf: new MemoryShelf() });
    const loops: SchedulerLoop[] = [];
    const runtime = createSyncRuntime(CONNECTION, {
      openStore: async () => store,
      sides: () => ({ crm, outlook }),
      engine: (o) => new SyncEngine(o),
      // A timer that never ticks: cycles run at start and on Sync now only.
      loop: (engine, current) => {
        const loop = new SchedulerLoop(engine, current, { timers: NEVER_TICKS });
        loops.push(loop);
        return loop;
      },
    });
    runtime.settingsLoaded(settings({ tasks_enabled: false, calendar_events_enabled: false }));
    await flush();
    await runtime.syncNow();
    await runtime.stop();

    expect(outlook.all('contact').map((c) => c.record.firstName)).toEqual(['Ann']);
    const status = runtime.view().status;
    expect(status.types.contact.outlook.created).toBe(1);
    expect(status.types.contact.crm.lastCheck).not.toBeNull();
    expect(status.types.contact.outlook.lastCheck).not.toBeNull();
    expect(status.types.task.enabled).toBe(false);
    expect(loops).toHaveLength(1);
  });
});

describe('scheduler loop', () => {
  test('starts both sides at once (CRM first), Sync now and saved settings make both due, stop ends the loops', async () => {
    let current = settings({ contacts_sync_interval_orocrm: 30, contacts_sync_interval_outlook: 60 });
    const engine = new FakeEngine(current);
    const loop = new SchedulerLoop(engine, () => current, { timers: NEVER_TICKS, now: () => 1_000_000 });
    loop.start();
    await flush();
    expect(engine.calls).toEqual(['resume', 'runCrmCycle', 'runOutlookCycle', 'setNextCheck crm 1030000', 'setNextCheck outlook 1060000']);

    engine.calls = [];
    await loop.runNow(['outlook']);
    expect(engine.calls.filter((c) => c.startsWith('run'))).toEqual(['runCrmCycle', 'runOutlookCycle']);

    engine.calls = [];
    current = settings({ contacts_sync_interval_orocrm: 5, contacts_sync_interval_outlook: 60 });
    loop.settingsChanged();
    await flush();
    expect(engine.calls).toContain('setSettings interval=5');
    expect(engine.calls).toContain('setNextCheck crm 1005000');

    engine.calls = [];
    await loop.stop();
    expect(engine.calls).toEqual(['requestStop', 'setNextCheck crm null', 'setNextCheck outlook null']);
  });

  test('the browser network source reports online/offline events and stops listening on unsubscribe', () => {
    const target = new EventTarget();
    const win = Object.assign(target, { navigator: { onLine: false } });
    const network = browserNetwork(win as never);
    const seen: boolean[] = [];
    const unsubscribe = network.subscribe((online) => seen.push(online));
    expect(network.isOnline()).toBe(false);
    target.dispatchEvent(new Event('online'));
    target.dispatchEvent(new Event('offline'));
    unsubscribe();
    target.dispatchEvent(new Event('online'));
    expect(seen).toEqual([true, false]);
  });
});
