// A FIFO weighted semaphore: Graph allows 4 concurrent requests per mailbox (graph-api.md §8). GraphHttp
// takes one slot per HTTP request, a $batch included (see graph-http.ts). FIFO, so a heavy
// waiter is not starved by light ones.

export class Semaphore {
  private used = 0;
  private readonly waiters: Array<{ weight: number; grant: () => void }> = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('Semaphore capacity must be a positive integer');
  }

  get inUse(): number {
    return this.used;
  }

  /** Resolves with a release function once `weight` slots (capped at capacity) are free. */
  async acquire(weight = 1): Promise<() => void> {
    const w = Math.min(Math.max(1, Math.floor(weight)), this.capacity);
    if (this.waiters.length === 0 && this.used + w <= this.capacity) {
      this.used += w;
    } else {
      await new Promise<void>((grant) => this.waiters.push({ weight: w, grant }));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= w;
      this.pump();
    };
  }

  private pump(): void {
    while (this.waiters.length && this.used + this.waiters[0].weight <= this.capacity) {
      const next = this.waiters.shift()!;
      this.used += next.weight;
      next.grant();
    }
  }
}
