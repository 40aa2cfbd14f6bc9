// Outlook's per app + mailbox limits (graph-api.md §8; docs-contrib concepts/includes/throttling-outlook.md,
// concepts/json-batching.md, concepts/throttling.md):
//
// - 4 concurrent requests. A plain request holds one slot from its arrival to the end of its response.
//   A $batch is not an Outlook request itself: Graph sends Outlook up to 4 of its unordered items at a
//   time, and the items of a dependsOn chain one at a time, so a batch holds as many slots as it runs
//   items side by side ("lanes", at most 4) while it runs. A plain request over the limit is answered
//   429 ApplicationThrottled "MailboxConcurrency"; a batch granted fewer lanes than it needs gets that
//   429 for the items of the lanes it was not granted (inside its 200).
// - 10,000 requests per 10 minutes (a sliding window on the emulator's clock), every batch item counted
//   on its own. Requests refused for concurrency count too ("throttled requests accrue against your
//   usage limits", throttling.md); requests refused by the budget itself do not, and an item answered
//   424 never reached Outlook. Over the budget: 429 ApplicationThrottled with Retry-After = the time
//   until the oldest counted request leaves the window.
import type http from 'node:http';
import type { Faults } from '../common/faults';

export interface RequestBudget {
  requests: number;
  windowSeconds: number;
}

/** Outlook's documented budget per app and mailbox. */
export const OUTLOOK_REQUEST_BUDGET: RequestBudget = { requests: 10_000, windowSeconds: 600 };

export type Refusal = { reason: 'concurrency' } | { reason: 'budget'; retryAfterSeconds: number };

/** The lanes a batch was granted; `release` gives them back when the batch has answered. */
export interface Lanes {
  granted: number;
  release(): void;
}

export class Admission {
  private inFlight = new Map<string, number>();
  private refused = new WeakMap<http.IncomingMessage, Refusal>();
  /** Per mailbox: times (ms, emulator clock) of the requests counted in the current window, oldest first. */
  private spent = new Map<string, number[]>();
  /** Per mailbox: the most requests ever counted in one window (for the bench). */
  private peak = new Map<string, number>();
  budget: RequestBudget;

  constructor(
    private readonly faults: Faults,
    private readonly now: () => Date,
    budget: RequestBudget = OUTLOOK_REQUEST_BUDGET,
  ) {
    this.budget = { ...budget };
  }

  /** Called when a plain request arrives; `mailbox` is the token's user id (null when unauthenticated). */
  arrive(req: http.IncomingMessage, res: http.ServerResponse, mailbox: string | null, isBatch: boolean): void {
    if (!mailbox || isBatch) return; // a batch's items are admitted one by one (see header)
    const max = this.faults.knobs().maxConcurrent;
    const current = this.inFlight.get(mailbox) ?? 0;
    const overBudget = this.overBudget(mailbox);
    if (overBudget !== null) return void this.refused.set(req, { reason: 'budget', retryAfterSeconds: overBudget });
    this.countOne(mailbox);
    if (max > 0 && current >= max) return void this.refused.set(req, { reason: 'concurrency' });
    this.hold(mailbox, 1);
    res.once('close', () => this.hold(mailbox, -1));
  }

  /** Why a plain request was refused at arrival, or null. */
  refusal(req: http.IncomingMessage): Refusal | null {
    return this.refused.get(req) ?? null;
  }

  /** A batch that runs up to `wanted` items side by side takes as many free slots as there are, up to `wanted`. */
  claimLanes(mailbox: string, wanted: number): Lanes {
    const max = this.faults.knobs().maxConcurrent;
    const free = max > 0 ? Math.max(0, max - (this.inFlight.get(mailbox) ?? 0)) : wanted;
    const granted = Math.min(wanted, free);
    this.hold(mailbox, granted);
    let released = false;
    return {
      granted,
      release: () => {
        if (released) return;
        released = true;
        this.hold(mailbox, -granted);
      },
    };
  }

  /**
   * A batch item about to reach Outlook: counts it against the budget, or answers the Retry-After in
   * seconds when the budget is spent (the item is then not counted).
   */
  spend(mailbox: string): number | null {
    const overBudget = this.overBudget(mailbox);
    if (overBudget !== null) return overBudget;
    this.countOne(mailbox);
    return null;
  }

  /** Counts a batch item refused for concurrency: it reached Outlook, so it uses budget. */
  countRefused(mailbox: string): void {
    if (this.overBudget(mailbox) === null) this.countOne(mailbox);
  }

  /** Requests in flight for a mailbox (for tests and the dump). */
  count(mailbox: string): number {
    return this.inFlight.get(mailbox) ?? 0;
  }

  /** Requests counted in the current window, and the most ever counted in one window. */
  usage(mailbox: string): { inWindow: number; peak: number } {
    this.slide(mailbox);
    return { inWindow: this.spent.get(mailbox)?.length ?? 0, peak: this.peak.get(mailbox) ?? 0 };
  }

  resetUsage(): void {
    this.spent.clear();
    this.peak.clear();
  }

  private hold(mailbox: string, delta: number): void {
    const n = (this.inFlight.get(mailbox) ?? 0) + delta;
    if (n <= 0) this.inFlight.delete(mailbox);
    else this.inFlight.set(mailbox, n);
  }

  private slide(mailbox: string): number[] {
    const times = this.spent.get(mailbox) ?? [];
    const cutoff = this.now().getTime() - this.budget.windowSeconds * 1000;
    let drop = 0;
    while (drop < times.length && times[drop] <= cutoff) drop++;
    if (drop) times.splice(0, drop);
    this.spent.set(mailbox, times);
    return times;
  }

  /** Seconds until the window has room again, or null when it has room now. */
  private overBudget(mailbox: string): number | null {
    const times = this.slide(mailbox);
    if (times.length < this.budget.requests) return null;
    const freeAt = times[times.length - this.budget.requests] + this.budget.windowSeconds * 1000;
    return Math.max(1, Math.ceil((freeAt - this.now().getTime()) / 1000));
  }

  private countOne(mailbox: string): void {
    const times = this.slide(mailbox);
    times.push(this.now().getTime());
    this.peak.set(mailbox, Math.max(this.peak.get(mailbox) ?? 0, times.length));
  }
}
