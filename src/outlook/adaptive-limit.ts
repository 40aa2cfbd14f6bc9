// How many $batch requests may fly at once, adapted to what Graph answers (graph-api.md §7, §8).
//
// Graph's documented limit is 4 concurrent requests per app and mailbox, and a $batch is one HTTP
// request. Outlook may still evaluate the items of a batch against the mailbox limit one by one, so
// several large batches at once can come back with throttled items. The limit therefore starts at the
// maximum, halves (never below 1) whenever a batch or one of its items is answered 429, and rises by one
// again after a run of batches with no 429 (additive increase, multiplicative decrease, as TCP does).

export interface AdaptiveLimitOptions {
  /** The most permits ever granted at once (and the starting limit). */
  max: number;
  /** Clean answers in a row before the limit rises by one (default 8). */
  raiseAfter?: number;
}

export class AdaptiveLimit {
  readonly max: number;
  private readonly raiseAfter: number;
  private allowed: number;
  private used = 0;
  private cleanRun = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(options: AdaptiveLimitOptions) {
    if (!Number.isInteger(options.max) || options.max < 1) throw new RangeError('AdaptiveLimit max must be a positive integer');
    this.max = options.max;
    this.allowed = options.max;
    this.raiseAfter = Math.max(1, options.raiseAfter ?? 8);
  }

  /** Permits allowed at once right now. */
  get limit(): number {
    return this.allowed;
  }

  get inUse(): number {
    return this.used;
  }

  /** Resolves with a release function once a permit is free under the current limit (FIFO). */
  async acquire(): Promise<() => void> {
    if (this.waiters.length === 0 && this.used < this.allowed) this.used++;
    else await new Promise<void>((grant) => this.waiters.push(grant));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used--;
      this.pump();
    };
  }

  /** Graph throttled a request (or an item inside one): halve the limit. */
  throttled(): void {
    this.allowed = Math.max(1, Math.floor(this.allowed / 2));
    this.cleanRun = 0;
  }

  /** A request came back without any 429: after `raiseAfter` of them in a row, allow one more. */
  succeeded(): void {
    if (this.allowed >= this.max) return;
    if (++this.cleanRun < this.raiseAfter) return;
    this.cleanRun = 0;
    this.allowed++;
    this.pump();
  }

  private pump(): void {
    while (this.waiters.length && this.used < this.allowed) {
      this.used++;
      this.waiters.shift()!();
    }
  }
}
