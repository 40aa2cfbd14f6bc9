// The pane's sync runtime: from a signed-in connection (CRM + Graph tokens) and the loaded settings it
// builds the CRM side, the Outlook side, the IndexedDB store and the SyncEngine, runs the loop, and
// hands the UI a small SyncControls surface (status, conflict log, Sync now, Retry, deletion answers).
// The UI never sees tokens, URLs or HTTP; sign-in (dev password grant, or OAuth + MSAL) only has to
// produce a SyncConnection.
import { CrmHttp } from '../crm/http';
import { CrmSide } from '../crm/side';
import { checkOroRelease } from '../crm/release-check';
import { blockedHeadersMessage, leaseHeadersNotice, LEGACY_REST_BLOCKED_NOTICE, probeBrowserReach, type BrowserReach } from '../crm/browser-reach';
import type { TokenSource } from '../crm/tokens';
import { createOutlookSide, type GraphTokenSource } from '../outlook';
import type { OutlookSettings } from '../settings/options';
import { openIndexedDbStore } from '../store/indexeddb-store';
import type { ConflictLogEntry, StoreIdentity, SyncStore } from '../store/types';
import { SyncEngine, type SyncEngineOptions } from '../sync/engine';
import type { EntityType, SideName } from '../sync/records';
import { alwaysOnline, SyncScheduler, type NetworkStatus, type SchedulerOptions } from '../sync/scheduler';
import type { SyncSide } from '../sync/side';
import { initialStatus, type SyncStatus } from '../sync/status';
import { CrmLeaseBackend, CrmSharedState, detectLeaseSupport } from '../crm/lease-client';
import { SharedStateStore, type SharedStateBackend } from '../store/shared-state';
import { LocalLeaseBackend, SyncLease } from '../sync/lease';
import { LeasedSync, type FollowerView } from '../sync/lease-host';
import { lockName, requestBrowserLock, type BrowserLock } from './browser-lock';

/** Everything sync needs from sign-in. Built by the auth layer; the UI passes it on untouched. */
export interface SyncConnection {
  /** Whose sync state this is: CRM URL + CRM user + mailbox. */
  identity: StoreIdentity;
  crm: { baseUrl: string; tokens: TokenSource };
  /** Graph base URL including the version, e.g. https://graph.microsoft.com/v1.0. */
  graph: { baseUrl: string; tokens: GraphTokenSource };
}

export type SyncPhase =
  /** Signed in; waiting for the settings to load before the first cycle. */
  | 'waiting'
  | 'running'
  /** Another engine (pane, runner, server) syncs this mailbox; `follower` says which and how it goes. */
  | 'following'
  /** Sync cannot run here (no Outlook access, no IndexedDB); `message` says why. */
  | 'unavailable'
  | 'stopped';

export interface SyncView {
  phase: SyncPhase;
  message: string | null;
  status: SyncStatus;
  /** Newest first. */
  conflicts: ConflictLogEntry[];
  /** Set while following; null while this pane syncs itself. */
  follower?: FollowerView | null;
  /** What this pane cannot sync and why (e.g. calendar events on an Oro whose /api/rest a browser cannot reach). */
  notices?: string[];
}

/** What the Sync status section uses. */
export interface SyncControls {
  view(): SyncView;
  subscribe(listener: (view: SyncView) => void): () => void;
  /** Both sides now (CRM first); a running cycle finishes first. */
  syncNow(): Promise<void>;
  /** Runs again the side that failed last (both when unknown). */
  retry(): Promise<void>;
  confirmDeletions(type: EntityType): Promise<void>;
  keepInsteadOfDeleting(type: EntityType): Promise<void>;
}

export interface SyncRuntime extends SyncControls {
  /** The effective settings, each time they are loaded or saved: they apply at once. */
  settingsLoaded(settings: OutlookSettings): void;
  /** Sign-out: stops the loop between writes and closes the store. */
  stop(): Promise<void>;
}

/** The engine surface the runtime and the loop use (SyncEngine; fakes in tests). */
export type EngineLike = Pick<
  SyncEngine,
  | 'start'
  | 'getStatus'
  | 'subscribe'
  | 'getSettings'
  | 'setSettings'
  | 'runCrmCycle'
  | 'runOutlookCycle'
  | 'confirmDeletions'
  | 'keepInsteadOfDeleting'
  | 'setNextCheck'
  | 'requestStop'
  | 'resume'
>;

/** Runs the two polling loops (SchedulerLoop over src/sync/scheduler.ts; fakes in tests). */
export interface SyncLoop {
  start(): void;
  /** Runs these sides now, one after another; resolves when they finished (errors land in the status). */
  runNow(sides: SideName[]): Promise<void>;
  /** New settings: reschedule at once. */
  settingsChanged(): void;
  stop(): Promise<void>;
}

export interface SyncParts {
  /** A reason sync cannot run against this CRM at all (an Oro too old for it), or null. */
  crmRefusal?(): Promise<string | null>;
  /** What of the CRM this pane's browser may reach (CORS); absent or null: everything. */
  browserReach?(): Promise<BrowserReach | null>;
  openStore(identity: StoreIdentity): Promise<SyncStore>;
  sides(reach?: BrowserReach | null): { crm: SyncSide; outlook: SyncSide };
  engine(options: SyncEngineOptions): EngineLike;
  loop(engine: EngineLike, settings: () => OutlookSettings): SyncLoop;
  /** The mailbox's sync lease (default: one only this page sees), and the shared state it fences, if any. */
  lease?(identity: StoreIdentity): Promise<SyncLease>;
  sharedState?(identity: StoreIdentity): SharedStateBackend | null;
  /** Queues for this browser's lock of the identity (default: none, always held). */
  browserLock?(identity: StoreIdentity): BrowserLock;
}

/** How other engines name this pane while it syncs. */
export function paneDeviceLabel(platform: string | undefined, userAgent: string | undefined): string {
  const where: Record<string, string> = { OfficeOnline: 'Outlook on the web', PC: 'Outlook on Windows', Mac: 'Outlook on Mac', iOS: 'Outlook on iOS', Android: 'Outlook on Android', Universal: 'new Outlook' };
  const ua = userAgent ?? '';
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrom(e|ium)\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : null;
  const base = (platform && where[platform]) || 'Outlook';
  return browser && (platform === 'OfficeOnline' || !platform) ? `${base} (${browser})` : base;
}

export const UNAVAILABLE_NO_OUTLOOK = 'Sync needs access to your Outlook mailbox, which is not available here.';

/** The real parts: CrmSide and OutlookSide over HTTP, IndexedDB (prefixed with Office's partitionKey when present). */
export function defaultSyncParts(connection: SyncConnection, options: { keyPrefix?: string; deviceLabel?: string } = {}): SyncParts {
  const http = new CrmHttp({ baseUrl: connection.crm.baseUrl, tokens: connection.crm.tokens });
  const sharedLease = new Map<string, boolean>();
  return {
    crmRefusal: async () => {
      // Only a definite answer refuses; a failed probe lets sync run and report its own errors.
      const release = await checkOroRelease(http).catch(() => ({ ok: 'unknown' as const }));
      return release.ok === false ? release.message : null;
    },
    // A failed probe tells nothing: sync runs and reports its own errors.
    browserReach: () => probeBrowserReach(http).catch(() => null),
    lease: async (identity) => {
      // Our CRM extension shares the lease across devices; without it only this browser's lock protects.
      const shared = await detectLeaseSupport(http, identity.mailbox).catch(() => false);
      sharedLease.set(identity.mailbox, shared);
      return new SyncLease({
        backend: shared ? new CrmLeaseBackend(http, identity.mailbox) : new LocalLeaseBackend(),
        holderId: globalThis.crypto.randomUUID(),
        deviceLabel: options.deviceLabel ?? paneDeviceLabel(undefined, globalThis.navigator?.userAgent),
      });
    },
    browserLock: (identity) => requestBrowserLock(lockName(identity)),
    sharedState: (identity) => (sharedLease.get(identity.mailbox) ? new CrmSharedState(http, identity.mailbox) : null),
    openStore: (identity) => openIndexedDbStore(identity, { keyPrefix: options.keyPrefix }),
    sides: (reach) => ({
      crm: new CrmSide({ http: new CrmHttp({ baseUrl: connection.crm.baseUrl, tokens: connection.crm.tokens }), legacyRest: reach?.legacyRest ?? true }),
      outlook: createOutlookSide({ baseUrl: connection.graph.baseUrl, tokens: connection.graph.tokens }),
    }),
    engine: (o) => new SyncEngine(o),
    loop: (engine, settings) => new SchedulerLoop(engine, settings, { network: typeof window === 'undefined' ? alwaysOnline : browserNetwork(window) }),
  };
}

/** A runtime that only explains why sync cannot run. */
export function unavailableSyncRuntime(message: string): SyncRuntime {
  const view: SyncView = { phase: 'unavailable', message, status: initialStatus(), conflicts: [] };
  return {
    view: () => view,
    subscribe: () => () => undefined,
    syncNow: async () => undefined,
    retry: async () => undefined,
    confirmDeletions: async () => undefined,
    keepInsteadOfDeleting: async () => undefined,
    settingsLoaded: () => undefined,
    stop: async () => undefined,
  };
}

export function createSyncRuntime(connection: SyncConnection, parts: SyncParts = defaultSyncParts(connection)): SyncRuntime {
  return new PaneSyncRuntime(connection, parts);
}

class PaneSyncRuntime implements SyncRuntime {
  private current: SyncView = { phase: 'waiting', message: null, status: initialStatus(), conflicts: [] };
  private readonly listeners = new Set<(view: SyncView) => void>();
  private settings: OutlookSettings | null = null;
  /** What the browser may reach, once probed at boot. */
  private reach: BrowserReach | null = null;
  private started: Promise<{ engine: EngineLike; loop: SyncLoop; store: SyncStore; host: LeasedSync; lock: BrowserLock } | null> | null = null;
  private stopped = false;

  constructor(
    private readonly connection: SyncConnection,
    private readonly parts: SyncParts,
  ) {}

  view(): SyncView {
    return this.current;
  }

  subscribe(listener: (view: SyncView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  settingsLoaded(settings: OutlookSettings): void {
    if (this.stopped) return;
    const first = this.settings === null;
    this.settings = { ...settings };
    if (first) {
      this.started = this.boot();
      return;
    }
    void this.started?.then((running) => {
      if (!running || this.stopped) return;
      running.engine.setSettings(this.effectiveSettings());
      this.update({ notices: this.notices() });
      running.loop.settingsChanged();
    });
  }

  async syncNow(): Promise<void> {
    const running = await this.started;
    // The holder syncs; a follower asks the holder, or takes over when it is stale.
    await running?.host.syncNow();
  }

  async retry(): Promise<void> {
    const running = await this.started;
    if (!running) return;
    if (this.current.phase === 'following') return running.host.syncNow();
    const side = running.engine.getStatus().lastError?.side;
    await running.loop.runNow(side ? [side] : ['crm', 'outlook']);
  }

  async confirmDeletions(type: EntityType): Promise<void> {
    const running = await this.started;
    if (!running) return;
    await running.engine.confirmDeletions(type);
    // The confirmed deletions go with the next cycle: run it now rather than at the next check.
    await running.loop.runNow(['crm']);
  }

  async keepInsteadOfDeleting(type: EntityType): Promise<void> {
    const running = await this.started;
    if (!running) return;
    await running.engine.keepInsteadOfDeleting(type);
    await this.refreshConflicts(running.store);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const running = await this.started?.catch(() => null);
    if (running) {
      await running.host.stop(); // stops the loop between writes and hands the lease over
      running.lock.release();
      await running.engine.requestStop();
      await running.store.close().catch(() => undefined);
    }
    this.update({ phase: 'stopped' });
    this.listeners.clear();
  }

  private async boot(): Promise<{ engine: EngineLike; loop: SyncLoop; store: SyncStore; host: LeasedSync; lock: BrowserLock } | null> {
    const refusal = (await this.parts.crmRefusal?.()) ?? null;
    if (refusal) {
      this.update({ phase: 'unavailable', message: refusal });
      return null;
    }
    this.reach = (await this.parts.browserReach?.()) ?? null;
    if (this.reach?.blockedHeaders.length) {
      this.update({ phase: 'unavailable', message: blockedHeadersMessage(this.reach.blockedHeaders) });
      return null;
    }
    let store: SyncStore;
    try {
      store = await this.parts.openStore(this.connection.identity);
    } catch (error) {
      this.update({ phase: 'unavailable', message: `Sync cannot keep its state in this browser: ${error instanceof Error ? error.message : String(error)}` });
      return null;
    }
    if (this.stopped) {
      await store.close().catch(() => undefined);
      return null;
    }
    const identity = this.connection.identity;
    const lease = this.parts.lease ? await this.parts.lease(identity) : new SyncLease({ backend: new LocalLeaseBackend(), holderId: globalThis.crypto.randomUUID(), deviceLabel: 'this pane' });
    const lock: BrowserLock = this.parts.browserLock ? this.parts.browserLock(identity) : { held: () => true, onGranted: () => undefined, release: () => undefined };
    const sharedState = this.parts.sharedState?.(identity) ?? null;
    const synced = sharedState ? new SharedStateStore(store, sharedState, () => lease.view()?.fencingToken ?? 0) : null;
    const { crm, outlook } = this.parts.sides(this.reach);
    const engine = this.parts.engine({ crm, outlook, store: synced ?? store, settings: this.effectiveSettings(), fence: () => lease.assertHeld() });
    engine.subscribe((status) => {
      if (this.current.phase === 'following') return;
      // A cycle just ended: its conflicts are in the store now.
      const ended = this.current.status.running !== null && status.running === null;
      this.update({ status });
      if (ended) void this.refreshConflicts(store);
    });
    await engine.start();
    const loop = this.parts.loop(engine, () => this.effectiveSettings());
    const host = new LeasedSync({
      lease,
      loop: { start: () => loop.start(), stop: () => loop.stop(), syncNow: () => loop.runNow(['crm', 'outlook']) },
      mayHold: () => lock.held(),
      onAcquired: async () => void (await synced?.pull()),
      beforeRelease: async () => void (await synced?.flush()),
      snapshot: async () => ({ status: engine.getStatus(), conflicts: await store.conflicts() }),
      onChange: (state) => {
        if (this.stopped) return;
        if (state.role === 'holder') {
          if (this.current.phase !== 'running') {
            this.update({ phase: 'running', message: null, follower: null, status: engine.getStatus(), notices: this.notices() });
            void this.refreshConflicts(store);
          }
        } else if (state.role === 'follower') {
          const shared = state.follower?.shared;
          this.update({ phase: 'following', message: null, follower: state.follower, status: shared?.status ?? initialStatus(), conflicts: shared?.conflicts ?? [] });
        }
      },
    });
    // Another tab of this browser gave up its lock: compete for the lease at once.
    lock.onGranted(() => void host.step());
    if (this.stopped) {
      lock.release();
      return null;
    }
    await host.start();
    return { engine, loop, store, host, lock };
  }

  /** The user's settings, less what this pane cannot reach: events when the legacy REST API is out of reach. */
  private effectiveSettings(): OutlookSettings {
    const settings = { ...this.settings! };
    if (this.reach && !this.reach.legacyRest) settings.calendar_events_enabled = false;
    return settings;
  }

  /** Said plainly in the status: never a type that silently does not sync. */
  private notices(): string[] {
    return [
      ...(this.reach && !this.reach.legacyRest && this.settings?.calendar_events_enabled ? [LEGACY_REST_BLOCKED_NOTICE] : []),
      ...(this.reach?.leaseHeaders.length ? [leaseHeadersNotice(this.reach.leaseHeaders)] : []),
    ];
  }

  private async refreshConflicts(store: SyncStore): Promise<void> {
    if (this.stopped) return;
    try {
      this.update({ conflicts: await store.conflicts() });
    } catch {
      // The log is informational; the next cycle reads it again.
    }
  }

  private update(patch: Partial<SyncView>): void {
    this.current = { ...this.current, ...patch };
    for (const listener of this.listeners) listener(this.current);
  }
}

/** The browser's online/offline events, for the scheduler's offline pause. */
export function browserNetwork(win: Pick<Window, 'addEventListener' | 'removeEventListener'> & { navigator: { onLine: boolean } }): NetworkStatus {
  return {
    isOnline: () => win.navigator.onLine !== false,
    subscribe(listener) {
      const online = () => listener(true);
      const offline = () => listener(false);
      win.addEventListener('online', online);
      win.addEventListener('offline', offline);
      return () => {
        win.removeEventListener('online', online);
        win.removeEventListener('offline', offline);
      };
    },
  };
}

/** SyncLoop over the engine's scheduler (src/sync/scheduler.ts): clock-driven loops, backoff, offline pause. */
export class SchedulerLoop implements SyncLoop {
  private readonly scheduler: SyncScheduler;

  constructor(
    engine: EngineLike,
    private readonly settings: () => OutlookSettings,
    options: Omit<SchedulerOptions, 'engine'> = {},
  ) {
    this.scheduler = new SyncScheduler({ ...options, engine });
  }

  start(): void {
    this.scheduler.start();
  }

  /** The scheduler makes both sides due (CRM first); a side's own retry costs one idle cycle of the other. */
  runNow(_sides: SideName[]): Promise<void> {
    return this.scheduler.syncNow();
  }

  settingsChanged(): void {
    void this.scheduler.settingsChanged(this.settings());
  }

  stop(): Promise<void> {
    return this.scheduler.stop();
  }
}
