// One writer per CRM URL + CRM user + mailbox (issue 9). Engines compete for a lease held where all of
// them can reach it and change it atomically (our CRM extension `outlooksynclease`; a local stand-in
// without it). The lease is timed only by durations: the service says how long it has left on its own
// clock, and each engine counts that down on its own monotonic clock, so clock skew never matters.
// The holder renews well before expiry and stops writing (fencing) once its own count-down runs out.
import { SyncError } from './errors';

/** What a lease service reports. */
export interface LeaseView {
  holder: string;
  deviceLabel: string;
  /** Grows with every new holder: writes fenced by an older token are stale. */
  fencingToken: number;
  /** When the current holder acquired it (the service's clock; shown, never computed with). */
  acquiredAt: string;
  /** Time left, by the service's clock, when it answered. 0 when expired or released. */
  expiresInMs: number;
  /** How long ago the holder last renewed, by the service's clock. */
  sinceRenewalMs: number;
  active: boolean;
  syncRequestedAt: string | null;
  /** What the holder published for followers (SharedSyncStatus), or null. */
  status: unknown;
  /** The version a conditional write must name. */
  etag: string;
}

export interface LeaseWrite {
  holder: string;
  deviceLabel: string;
  /** 0 releases the lease. */
  ttlSeconds: number;
  status?: unknown;
}

export type LeaseWriteResult = { ok: true; lease: LeaseView } | { ok: false; reason: 'changed' | 'held' };

/** Where the lease lives. `shared` backends reach every device; a `local` one only this host. */
export interface LeaseBackend {
  readonly reach: 'shared' | 'local';
  read(): Promise<LeaseView | null>;
  /** Conditional on `expected` (null: only if no lease exists yet). */
  write(expected: LeaseView | null, change: LeaseWrite): Promise<LeaseWriteResult>;
  /** A follower asks the holder to sync now. */
  requestSync(): Promise<void>;
}

/** The holder's lease ran out (or another engine took it): stop writing before the next batch. */
export class LeaseLostError extends SyncError {}

export type LeaseRole = 'holder' | 'follower';

export interface SyncLeaseOptions {
  backend: LeaseBackend;
  /** Unique per engine instance (a random id): two tabs of one device differ. */
  holderId: string;
  /** Shown to followers: "Outlook on the web (Chrome)", "npm run sync on build-01". */
  deviceLabel: string;
  /** Lease period (default 60 s). */
  ttlMs?: number;
  /** A monotonic clock in ms (performance.now); injectable for tests. */
  monotonic?: () => number;
}

export const DEFAULT_LEASE_TTL_MS = 60_000;

export class SyncLease {
  readonly holderId: string;
  readonly deviceLabel: string;
  readonly ttlMs: number;
  private readonly backend: LeaseBackend;
  private readonly monotonic: () => number;
  /** Local monotonic time until which our holding is certain; writes stop after it. */
  private heldUntil = -Infinity;
  private last: LeaseView | null = null;
  private lastReadAt = 0;

  constructor(opts: SyncLeaseOptions) {
    this.backend = opts.backend;
    this.holderId = opts.holderId;
    this.deviceLabel = opts.deviceLabel;
    this.ttlMs = opts.ttlMs ?? DEFAULT_LEASE_TTL_MS;
    this.monotonic = opts.monotonic ?? (() => globalThis.performance.now());
  }

  get reach(): LeaseBackend['reach'] {
    return this.backend.reach;
  }

  /** Renew at a third of the period: two renewals may fail before the lease runs out. */
  get renewEveryMs(): number {
    return Math.floor(this.ttlMs / 3);
  }

  /** Writes stop this long before the service's expiry: room for a request already on its way. */
  get safetyMarginMs(): number {
    return Math.max(2000, Math.floor(this.ttlMs / 6));
  }

  monotonicNow(): number {
    return this.monotonic();
  }

  /** Reads the lease without competing for it (a tab that waits for its browser's Web Lock). */
  async peek(): Promise<LeaseView | null> {
    const sentAt = this.monotonic();
    const current = await this.backend.read();
    this.remember(current, sentAt);
    if (current?.holder !== this.holderId) this.heldUntil = -Infinity;
    return this.view();
  }

  role(): LeaseRole {
    return this.monotonic() < this.heldUntil ? 'holder' : 'follower';
  }

  /** Fencing: throws unless our lease is certainly still ours. */
  assertHeld(): void {
    if (this.role() !== 'holder') throw new LeaseLostError('Another engine may hold this mailbox now; this one stops writing.');
  }

  /** The lease as last seen, with its time-relative figures aged by the time since that read. */
  view(): LeaseView | null {
    if (!this.last) return null;
    const aged = this.monotonic() - this.lastReadAt;
    return {
      ...this.last,
      expiresInMs: Math.max(0, this.last.expiresInMs - aged),
      sinceRenewalMs: this.last.sinceRenewalMs + aged,
      active: this.last.active && this.last.expiresInMs - aged > 0,
    };
  }

  /**
   * One step of the protocol: renew when we hold it, take it when it is free or expired, otherwise
   * follow. `status` is published with a renewal. Network failures propagate; the role then decays
   * by itself when the count-down runs out.
   */
  async step(status?: unknown): Promise<LeaseRole> {
    const sentAt = this.monotonic();
    const current = await this.backend.read();
    this.remember(current, sentAt);
    const mine = current?.holder === this.holderId && current.active;
    if (current && current.active && !mine) {
      this.heldUntil = -Infinity;
      return 'follower';
    }
    return this.write(current, status);
  }

  /** Takes a free or expired lease at once (Sync now on a stale holder). Same as step(). */
  takeOverIfStale(status?: unknown): Promise<LeaseRole> {
    return this.step(status);
  }

  /** Lets another engine take over at once (pane closed, sign-out). */
  async release(): Promise<void> {
    const wasHolder = this.role() === 'holder';
    this.heldUntil = -Infinity;
    if (!wasHolder || !this.last) return;
    const current = await this.backend.read();
    if (current?.holder !== this.holderId || !current.active) return;
    await this.backend.write(current, { holder: this.holderId, deviceLabel: this.deviceLabel, ttlSeconds: 0 });
  }

  requestSync(): Promise<void> {
    return this.backend.requestSync();
  }

  private async write(expected: LeaseView | null, status: unknown): Promise<LeaseRole> {
    const sentAt = this.monotonic();
    const change: LeaseWrite = { holder: this.holderId, deviceLabel: this.deviceLabel, ttlSeconds: Math.round(this.ttlMs / 1000) };
    if (status !== undefined) change.status = status;
    const result = await this.backend.write(expected, change);
    if (!result.ok) {
      // Someone else changed it between our read and write: they won this round.
      this.heldUntil = -Infinity;
      return 'follower';
    }
    this.remember(result.lease, sentAt);
    // Counted from when we sent the write: the service started its count no earlier than that.
    this.heldUntil = sentAt + result.lease.expiresInMs - this.safetyMarginMs;
    return this.role();
  }

  private remember(view: LeaseView | null, at: number): void {
    this.last = view;
    this.lastReadAt = at;
  }
}

/**
 * A lease that only this process can see (a CRM without our extension, in the headless runner):
 * always granted. Cross-device exclusivity then rests on the executor's re-checks alone (README).
 */
export class LocalLeaseBackend implements LeaseBackend {
  readonly reach = 'local' as const;
  private lease: (Omit<LeaseView, 'expiresInMs' | 'sinceRenewalMs' | 'active'> & { expiresAt: number; renewedAt: number }) | null = null;
  private version = 0;

  constructor(private readonly monotonic: () => number = () => globalThis.performance.now()) {}

  async read(): Promise<LeaseView | null> {
    return this.viewOf();
  }

  async write(expected: LeaseView | null, change: LeaseWrite): Promise<LeaseWriteResult> {
    const now = this.monotonic();
    const current = this.viewOf();
    if ((expected?.etag ?? null) !== (current?.etag ?? null)) return { ok: false, reason: 'changed' };
    if (current?.active && current.holder !== change.holder) return { ok: false, reason: 'held' };
    const renewal = !!current?.active && current.holder === change.holder;
    this.version++;
    this.lease = {
      holder: change.holder,
      deviceLabel: change.deviceLabel,
      fencingToken: renewal ? current!.fencingToken : (current?.fencingToken ?? 0) + 1,
      acquiredAt: renewal ? current!.acquiredAt : new Date().toISOString(),
      syncRequestedAt: renewal ? (current!.syncRequestedAt ?? null) : null,
      status: change.status !== undefined ? change.status : (current?.status ?? null),
      etag: String(this.version),
      expiresAt: now + change.ttlSeconds * 1000,
      renewedAt: now,
    };
    return { ok: true, lease: this.viewOf()! };
  }

  async requestSync(): Promise<void> {
    if (this.lease) this.lease.syncRequestedAt = new Date().toISOString();
  }

  private viewOf(): LeaseView | null {
    if (!this.lease) return null;
    const now = this.monotonic();
    const { expiresAt, renewedAt, ...rest } = this.lease;
    return { ...rest, expiresInMs: Math.max(0, expiresAt - now), sinceRenewalMs: now - renewedAt, active: expiresAt > now };
  }
}
