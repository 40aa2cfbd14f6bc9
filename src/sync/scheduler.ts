// The scheduler: two independent loops, the CRM interval and the Outlook interval. A timer only
// ticks; what is due is computed from the clock, because pane timers are throttled and laptops sleep
// (sync-design.md "Scheduling"). One cycle at a time per side; backoff honours Retry-After.
import type { OutlookSettings } from '../settings/options';
import { ServiceUnavailableError, ThrottledError } from './errors';
import type { SideName } from './records';

/** What the scheduler needs of the engine (SyncEngine implements it). */
export interface SchedulableEngine {
  runCrmCycle(): Promise<unknown>;
  runOutlookCycle(): Promise<unknown>;
  getSettings(): OutlookSettings;
  setSettings(settings: OutlookSettings): void;
  setNextCheck(side: SideName, at: number | null): void;
  requestStop(): Promise<void>;
  resume(): void;
}

export interface Timers {
  /** Calls `fn` every `ms` (roughly: hosts throttle it). */
  every(fn: () => void, ms: number): unknown;
  cancel(handle: unknown): void;
}

export interface NetworkStatus {
  isOnline(): boolean;
  /** Calls back with the new state; returns an unsubscribe function. */
  subscribe(listener: (online: boolean) => void): () => void;
}

export interface SchedulerOptions {
  engine: SchedulableEngine;
  /** Milliseconds since the epoch (Date.now by default). */
  now?: () => number;
  timers?: Timers;
  network?: NetworkStatus;
  /** How often the timer checks what is due (default 1 s). */
  tickMs?: number;
  /** First retry delay after an error without Retry-After (default 5 s), doubling up to `maxBackoffMs` (default 15 min). */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Called with each failed cycle's error (the engine's status already holds it in plain words). */
  onError?: (side: SideName, error: unknown) => void;
}

export interface SideSchedule {
  /** When the next cycle is due (ms), or null when nothing is enabled. */
  nextDue: number | null;
  running: boolean;
  /** Consecutive failed cycles. */
  failures: number;
}

const SIDES: SideName[] = ['crm', 'outlook'];

export const realTimers: Timers = {
  every: (fn, ms) => setInterval(fn, ms),
  cancel: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

export const alwaysOnline: NetworkStatus = { isOnline: () => true, subscribe: () => () => undefined };

export function intervalMs(settings: OutlookSettings, side: SideName): number {
  return (side === 'crm' ? settings.contacts_sync_interval_orocrm : settings.contacts_sync_interval_outlook) * 1000;
}

export function anythingEnabled(settings: OutlookSettings): boolean {
  return settings.contacts_enabled || settings.tasks_enabled || settings.calendar_events_enabled;
}

export class SyncScheduler {
  private readonly engine: SchedulableEngine;
  private readonly now: () => number;
  private readonly timers: Timers;
  private readonly network: NetworkStatus;
  private readonly tickMs: number;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly onError?: (side: SideName, error: unknown) => void;
  private readonly sides: Record<SideName, SideSchedule & { rerun: boolean; cycle: Promise<void> | null; retryAfterUntil: number | null }>;
  private timer: unknown = null;
  private unsubscribe: (() => void) | null = null;
  private started = false;
  private stopped = false;

  constructor(opts: SchedulerOptions) {
    this.engine = opts.engine;
    this.now = opts.now ?? (() => Date.now());
    this.timers = opts.timers ?? realTimers;
    this.network = opts.network ?? alwaysOnline;
    this.tickMs = opts.tickMs ?? 1000;
    this.baseBackoffMs = opts.baseBackoffMs ?? 5000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 15 * 60_000;
    this.onError = opts.onError;
    this.sides = {
      crm: { nextDue: null, running: false, failures: 0, rerun: false, cycle: null, retryAfterUntil: null },
      outlook: { nextDue: null, running: false, failures: 0, rerun: false, cycle: null, retryAfterUntil: null },
    };
  }

  /** Starts both loops; the first cycles are due at once (the CRM one first). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopped = false;
    this.engine.resume();
    const now = this.now();
    for (const side of SIDES) this.sides[side].nextDue = now;
    this.unsubscribe = this.network.subscribe((online) => {
      if (online) this.backOnline();
    });
    this.timer = this.timers.every(() => void this.tick(), this.tickMs);
    void this.tick();
  }

  /** Checks what is due and starts it. Resolves when the cycles started by this tick have ended. */
  async tick(): Promise<void> {
    if (!this.started || this.stopped || !this.network.isOnline()) return;
    const settings = this.engine.getSettings();
    if (!anythingEnabled(settings)) {
      for (const side of SIDES) this.setNextDue(side, null);
      return;
    }
    const now = this.now();
    const started: Promise<void>[] = [];
    for (const side of SIDES) {
      const s = this.sides[side];
      if (s.running) continue;
      if (s.nextDue === null) this.setNextDue(side, now);
      if (now >= (s.nextDue ?? now)) started.push(this.runCycle(side));
    }
    await Promise.all(started);
  }

  /** Saved settings take effect at once: both sides are due now (a running cycle finishes first). */
  async settingsChanged(settings: OutlookSettings): Promise<void> {
    this.engine.setSettings(settings);
    await this.dueNow();
  }

  /** "Sync now": both sides are due now, the CRM first. */
  async syncNow(): Promise<void> {
    await this.dueNow();
  }

  /** Stops both loops; waits for an in-flight cycle to end at its next safe point (between writes). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.started = false;
    if (this.timer !== null) this.timers.cancel(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.engine.requestStop();
    await Promise.all(SIDES.map((s) => this.sides[s].cycle));
    for (const side of SIDES) this.setNextDue(side, null);
  }

  schedule(side: SideName): SideSchedule {
    const { nextDue, running, failures } = this.sides[side];
    return { nextDue, running, failures };
  }

  private async dueNow(): Promise<void> {
    const now = this.now();
    for (const side of SIDES) {
      const s = this.sides[side];
      s.failures = 0;
      if (s.running) s.rerun = true;
      else this.setNextDue(side, now);
    }
    await this.tick();
  }

  /**
   * Whatever fell due while offline runs now, once. A side waiting out an error backoff (most likely the
   * lost network itself) retries at once too, unless the service asked for a wait (Retry-After) that has
   * not passed.
   */
  private backOnline(): void {
    const now = this.now();
    for (const side of SIDES) {
      const s = this.sides[side];
      if (s.running || s.failures === 0 || (s.retryAfterUntil !== null && now < s.retryAfterUntil)) continue;
      this.setNextDue(side, now);
    }
    void this.tick();
  }

  private runCycle(side: SideName): Promise<void> {
    const s = this.sides[side];
    s.running = true;
    s.rerun = false;
    const cycle = (async () => {
      try {
        await (side === 'crm' ? this.engine.runCrmCycle() : this.engine.runOutlookCycle());
        s.failures = 0;
        s.retryAfterUntil = null;
        // From the end of this cycle: after a sleep, one catch-up cycle, not one per missed interval.
        this.setNextDue(side, this.now() + intervalMs(this.engine.getSettings(), side));
      } catch (error) {
        s.failures++;
        const wait = this.backoff(error, s.failures);
        s.retryAfterUntil = retryAfterOf(error) !== null ? this.now() + wait : null;
        this.setNextDue(side, this.now() + wait);
        this.onError?.(side, error);
      } finally {
        s.running = false;
        s.cycle = null;
        if (s.rerun && !this.stopped) {
          // Saved settings or Sync now arrived while this cycle ran: it finished first, the next one starts now.
          s.rerun = false;
          this.setNextDue(side, this.now());
          void Promise.resolve().then(() => this.tick());
        }
      }
    })();
    s.cycle = cycle;
    return cycle;
  }

  private backoff(error: unknown, failures: number): number {
    const retryAfter = retryAfterOf(error);
    const exponential = Math.min(this.maxBackoffMs, this.baseBackoffMs * 2 ** (failures - 1));
    return retryAfter ?? exponential;
  }

  private setNextDue(side: SideName, at: number | null): void {
    this.sides[side].nextDue = at;
    this.engine.setNextCheck(side, at);
  }
}

/** The wait a service asked for (Retry-After), if any. */
function retryAfterOf(error: unknown): number | null {
  const ms = error instanceof ThrottledError || error instanceof ServiceUnavailableError ? error.retryAfterMs : null;
  return ms !== null && ms !== undefined && ms > 0 ? ms : null;
}
