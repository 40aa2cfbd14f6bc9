// Outlook's second limit per app and mailbox: 10,000 requests in 10 minutes, every $batch item counted
// on its own (graph-api.md §8; docs-contrib concepts/includes/throttling-outlook.md, json-batching.md
// "Requests in a batch are evaluated individually"). GraphHttp takes from this budget before each send,
// so it waits for room instead of being throttled, and throttled requests (which count too,
// throttling.md) never happen in the first place.
//
// The window slides. A request counts from when it is sent (while it is in flight it never leaves the
// window) and leaves it one window after its answer came back: Graph counted it on arrival, which is
// no later than that, so our count is never below Graph's whatever the network delay. Any schedule
// that keeps a window under the limit is accepted, so requests go at full speed until the budget is
// used and then wait for the oldest to leave: the least wall time both limits allow.

export interface RequestBudgetOptions {
  /** Requests per window (Outlook: 10,000). */
  requests: number;
  /** The window (Outlook: 10 minutes). */
  windowMs: number;
  /** Left unused, for other requests of the same app on this mailbox (another device's pane). Default 1 %. */
  reserve?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const OUTLOOK_REQUEST_BUDGET = { requests: 10_000, windowMs: 600_000 } as const;

export class RequestBudget {
  readonly limit: number;
  readonly windowMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Answer times of settled requests, oldest first. */
  private readonly settled: number[] = [];
  private inFlight = 0;
  private settleWaiters: Array<() => void> = [];
  /** For the status pane, tests and the bench: the most requests counted in one window, waits, and the time anyone waited. */
  readonly stats = { peak: 0, waits: 0, waitedMs: 0 };
  private waiting = 0;
  private waitingSince = 0;

  constructor(options: RequestBudgetOptions) {
    const reserve = options.reserve ?? Math.floor(options.requests / 100);
    this.limit = Math.max(1, options.requests - reserve);
    this.windowMs = options.windowMs;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Requests counted in the window now (in flight included). */
  get used(): number {
    this.slide();
    return this.settled.length + this.inFlight;
  }

  /**
   * Waits until `count` more requests fit in the window, counts them, and returns the function to call
   * once their answer (or failure) is in.
   */
  async take(count: number): Promise<() => void> {
    const n = Math.min(Math.max(1, Math.floor(count)), this.limit);
    let waited = false;
    for (;;) {
      this.slide();
      const over = this.settled.length + this.inFlight + n - this.limit;
      if (over <= 0) break;
      if (!waited) {
        waited = true;
        this.stats.waits++;
        if (this.waiting++ === 0) this.waitingSince = this.now();
      }
      if (over <= this.settled.length) {
        // The `over` oldest answers must leave the window first.
        await this.sleep(Math.max(1, this.settled[over - 1] + this.windowMs - this.now() + 1));
      } else {
        // Too many still in flight: wait for one of them to come back.
        await new Promise<void>((resolve) => this.settleWaiters.push(resolve));
      }
    }
    if (waited && --this.waiting === 0) this.stats.waitedMs += this.now() - this.waitingSince;
    this.inFlight += n;
    this.stats.peak = Math.max(this.stats.peak, this.settled.length + this.inFlight);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.inFlight -= n;
      const at = this.now();
      for (let i = 0; i < n; i++) this.settled.push(at);
      const waiters = this.settleWaiters;
      this.settleWaiters = [];
      waiters.forEach((wake) => wake());
    };
  }

  private slide(): void {
    const cutoff = this.now() - this.windowMs;
    let drop = 0;
    while (drop < this.settled.length && this.settled[drop] <= cutoff) drop++;
    if (drop) this.settled.splice(0, drop);
  }
}
