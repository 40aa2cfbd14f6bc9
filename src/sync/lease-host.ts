// The host side of the lease: keeps one SyncLease stepping, runs the sync loop only while this engine
// holds the lease, publishes the holder's status for followers, and answers a follower's "Sync now".
// The pane and the headless runner both use it, so they follow each other the same way.
import type { ConflictLogEntry } from '../store/types';
import type { LeaseRole, LeaseView, SyncLease } from './lease';
import { heldByServer } from './server-holder';
import type { Timers } from './scheduler';
import type { SyncStatus } from './status';

/** What a holder publishes in the lease, for followers' panes. */
export interface SharedSyncStatus {
  deviceLabel: string;
  status: SyncStatus;
  /** Newest first, at most SHARED_CONFLICTS. */
  conflicts: ConflictLogEntry[];
  /** How long before publishing the last check ended (the holder's clock, as a duration). */
  lastCheckAgoMs: number | null;
  /** The holder's wall clock when it published: lets a follower shift the holder's times onto its own clock. */
  publishedAt: string;
}

export const SHARED_CONFLICTS = 20;

/** What the pane shows while another engine syncs. */
export interface FollowerView {
  deviceLabel: string;
  /** The holder is the organization's sync server (src/sync/server-holder.ts), not another pane or runner. */
  byServer: boolean;
  /** When the holder took over (the lease service's clock). */
  since: string;
  /** Seconds since the holder's last completed check, aged to now; null before its first. */
  lastCheckAgoSeconds: number | null;
  /** The holder stopped renewing: Sync now takes over. */
  stale: boolean;
  /** The holder's status with its times moved onto this engine's clock (clock skew between devices). */
  shared: SharedSyncStatus | null;
  /** This engine's wall clock when it looked: ages lastCheckAgoSeconds for display. */
  observedAt: number;
}

export interface HostedLoop {
  start(): void;
  stop(): Promise<void>;
  syncNow(): Promise<void>;
}

export interface LeasedSyncOptions {
  lease: SyncLease;
  loop: HostedLoop;
  /** The holder's status and conflict log, published with each renewal. */
  snapshot(): Promise<{ status: SyncStatus; conflicts: ConflictLogEntry[] }>;
  /** False while this engine may not compete (another tab of this browser holds the Web Lock). */
  mayHold?: () => boolean;
  /** How often a follower looks at the lease (default: half the renewal period). */
  followEveryMs?: number;
  timers?: Timers;
  /** Wall clock (ms), only to age the holder's last check for display. */
  now?: () => number;
  onChange?: (state: LeasedState) => void;
  /** A new holding begins (a higher fencing token): take over the shared state before the loop starts. */
  onAcquired?: () => Promise<void>;
  /** The holder stops: the last writes under its token (the newest checkpoints) before it lets go. */
  beforeRelease?: () => Promise<void>;
}

export type LeasedState = { role: 'holder' } | { role: 'follower'; follower: FollowerView | null } | { role: 'starting' };

export class LeasedSync {
  private readonly lease: SyncLease;
  private readonly loop: HostedLoop;
  private readonly opts: LeasedSyncOptions;
  private readonly timers: Timers;
  private readonly now: () => number;
  private timer: unknown = null;
  private running = false;
  private stopped = false;
  private stepping: Promise<void> | null = null;
  private handledRequest: string | null = null;
  private state: LeasedState = { role: 'starting' };

  constructor(opts: LeasedSyncOptions) {
    this.opts = opts;
    this.lease = opts.lease;
    this.loop = opts.loop;
    this.timers = opts.timers ?? backgroundTimers;
    this.now = opts.now ?? (() => Date.now());
  }

  current(): LeasedState {
    return this.state;
  }

  /** Steps at once, then on a timer: a holder renews every third of the period, a follower looks more often. */
  async start(): Promise<void> {
    this.stopped = false;
    const every = Math.min(this.lease.renewEveryMs, this.opts.followEveryMs ?? Math.floor(this.lease.renewEveryMs / 2));
    this.timer = this.timers.every(() => void this.step(), every);
    await this.step();
  }

  /**
   * One look at the lease. A holder renews only when a third of the period has passed since its last
   * renewal, so the timer may tick faster than the lease traffic.
   */
  step(): Promise<void> {
    this.stepping ??= this.stepOnce().finally(() => (this.stepping = null));
    return this.stepping;
  }

  /** Sync now, from any engine: the holder syncs; a follower asks the holder, or takes over a stale lease. */
  async syncNow(): Promise<void> {
    if (this.lease.role() !== 'holder') await this.step();
    if (this.lease.role() === 'holder') return this.loop.syncNow();
    if (this.lease.view()?.active) await this.lease.requestSync();
  }

  /** Pane closed or signed out: stop writing, then hand the lease over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) this.timers.cancel(this.timer);
    this.timer = null;
    await this.stepping?.catch(() => undefined);
    if (this.running) {
      this.running = false;
      await this.loop.stop();
    }
    if (this.lease.role() === 'holder') await this.opts.beforeRelease?.().catch(() => undefined);
    await this.lease.release().catch(() => undefined);
  }

  private lastRenewal = -Infinity;

  private async stepOnce(): Promise<void> {
    if (this.stopped) return;
    let role: LeaseRole;
    try {
      if (this.opts.mayHold && !this.opts.mayHold()) {
        role = await this.observe();
      } else if (this.lease.role() === 'holder' && this.monotonicSinceRenewal() < this.lease.renewEveryMs) {
        role = 'holder';
      } else {
        role = await this.lease.step(await this.publish());
        if (role === 'holder') this.lastRenewal = this.clock();
      }
    } catch {
      // Unreachable lease: our holding decays by itself; the fence stops writes when it ends.
      role = this.lease.role();
    }
    if (this.stopped) return;
    await this.become(role);
  }

  private async observe(): Promise<LeaseRole> {
    await this.lease.peek();
    return 'follower';
  }

  private acquiredToken: number | null = null;

  private async become(role: LeaseRole): Promise<void> {
    if (role === 'holder') {
      const token = this.lease.view()?.fencingToken ?? null;
      if (token !== this.acquiredToken) {
        if (this.running) {
          // Our holding lapsed and was renewed as a new one: another engine may have written meanwhile.
          this.running = false;
          await this.loop.stop();
        }
        try {
          await this.opts.onAcquired?.();
        } catch {
          return; // the next step tries again; nothing runs on a state we could not take over
        }
        this.acquiredToken = token;
      }
      if (!this.running) {
        this.running = true;
        this.loop.start();
      }
      const asked = this.lease.view()?.syncRequestedAt ?? null;
      this.setState({ role: 'holder' });
      if (asked !== null && asked !== this.handledRequest) {
        this.handledRequest = asked;
        void this.loop.syncNow();
      }
      return;
    }
    if (this.running) {
      this.running = false;
      await this.loop.stop();
    }
    this.lastRenewal = -Infinity;
    this.setState({ role: 'follower', follower: this.followerView(this.lease.view()) });
  }

  private followerView(view: LeaseView | null): FollowerView | null {
    if (!view) return null;
    const published = isShared(view.status) ? view.status : null;
    const ago = published?.lastCheckAgoMs ?? null;
    const observedAt = this.now();
    // The holder published at its `publishedAt`, sinceRenewalMs ago by the service: the difference to
    // our clock is the holder's skew, taken out of every time it reported.
    const skewMs = published ? Date.parse(published.publishedAt) + view.sinceRenewalMs - observedAt : 0;
    const shared = published && Number.isFinite(skewMs) ? { ...published, status: shiftTimes(published.status, -skewMs) } : published;
    return {
      deviceLabel: view.deviceLabel,
      byServer: heldByServer(view),
      since: view.acquiredAt,
      lastCheckAgoSeconds: ago === null ? null : Math.round((ago + view.sinceRenewalMs) / 1000),
      stale: !view.active,
      shared,
      observedAt,
    };
  }

  private async publish(): Promise<SharedSyncStatus> {
    const { status, conflicts } = await this.opts.snapshot();
    return sharedStatusOf(this.lease.deviceLabel, status, conflicts, this.now());
  }

  private clock(): number {
    return this.lease.monotonicNow();
  }

  private monotonicSinceRenewal(): number {
    return this.clock() - this.lastRenewal;
  }

  private setState(state: LeasedState): void {
    this.state = state;
    this.opts.onChange?.(state);
  }
}

/** What a holder publishes in the lease for followers (the pane, the runner and the sync server alike). */
export function sharedStatusOf(deviceLabel: string, status: SyncStatus, conflicts: ConflictLogEntry[], now: number): SharedSyncStatus {
  const last = lastCheckOf(status);
  return {
    deviceLabel,
    status,
    conflicts: conflicts.slice(0, SHARED_CONFLICTS),
    lastCheckAgoMs: last === null ? null : Math.max(0, now - last),
    publishedAt: new Date(now).toISOString(),
  };
}

/** Interval timers that never keep a Node process alive on their own (a host that needs that passes its own). */
const backgroundTimers: Timers = {
  every: (fn, ms) => {
    const handle = setInterval(fn, ms) as unknown as { unref?: () => void };
    handle.unref?.();
    return handle;
  },
  cancel: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

function lastCheckOf(status: SyncStatus): number | null {
  let last: number | null = null;
  for (const t of Object.values(status.types)) {
    for (const side of [t.crm, t.outlook]) {
      const at = side.lastCheck ? Date.parse(side.lastCheck) : NaN;
      if (!Number.isNaN(at) && (last === null || at > last)) last = at;
    }
  }
  return last;
}

/** The status with its check times moved by `ms`. */
function shiftTimes(status: SyncStatus, ms: number): SyncStatus {
  const out = structuredClone(status);
  const move = (iso: string | null) => (iso === null ? null : new Date(Date.parse(iso) + ms).toISOString());
  for (const t of Object.values(out.types)) {
    for (const side of [t.crm, t.outlook]) {
      side.lastCheck = move(side.lastCheck);
      side.nextCheck = move(side.nextCheck);
    }
  }
  return out;
}

function isShared(v: unknown): v is SharedSyncStatus {
  return typeof v === 'object' && v !== null && 'status' in v && 'deviceLabel' in v;
}
