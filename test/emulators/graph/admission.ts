// Per-mailbox concurrency (graph-api.md §8: 4 concurrent requests per app + mailbox). The limit counts
// HTTP requests in flight for the token's user, from arrival to the end of the response (so injected
// latency counts). A plain request over the limit is answered 429 ApplicationThrottled. A $batch is
// always accepted; each of its sub-requests is throttled on its own while the mailbox is over the limit.
import type http from 'node:http';
import type { Faults } from '../common/faults';

export class Admission {
  private inFlight = new Map<string, number>();
  private rejected = new WeakSet<http.IncomingMessage>();

  constructor(private readonly faults: Faults) {}

  /** Called when a request arrives; `mailbox` is the token's user id (null when unauthenticated). */
  arrive(req: http.IncomingMessage, res: http.ServerResponse, mailbox: string | null, isBatch: boolean): void {
    if (!mailbox) return;
    const max = this.faults.knobs().maxConcurrent;
    const current = this.inFlight.get(mailbox) ?? 0;
    if (max > 0 && !isBatch && current >= max) {
      this.rejected.add(req);
      return;
    }
    this.inFlight.set(mailbox, current + 1);
    res.once('close', () => {
      const n = (this.inFlight.get(mailbox) ?? 1) - 1;
      if (n <= 0) this.inFlight.delete(mailbox);
      else this.inFlight.set(mailbox, n);
    });
  }

  /** Requests in flight for a mailbox (for tests and the dump). */
  count(mailbox: string): number {
    return this.inFlight.get(mailbox) ?? 0;
  }

  isRejected(req: http.IncomingMessage): boolean {
    return this.rejected.has(req);
  }

  /** For a batch sub-request: is the mailbox over its limit right now? */
  overLimit(mailbox: string): boolean {
    const max = this.faults.knobs().maxConcurrent;
    return max > 0 && (this.inFlight.get(mailbox) ?? 0) > max;
  }
}
