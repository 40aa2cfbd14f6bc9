// Requests of the CRM side with bounded retries: 429 waits for Retry-After (or backs off), and for
// requests that are safe to repeat, 5xx and dropped connections are retried too. Built on CrmHttp
// (token + refresh-once on 401); this file adds only the retry policy.
import { ServiceUnavailableError, ThrottledError } from '../sync/errors';
import { retryAfterMs } from './errors';
import type { CrmHttp, CrmRequest, CrmResponse } from './http';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 250, maxDelayMs: 30_000 };

/** `safe`: repeatable (reads, updates, deletes, keyed creates); `throttle-only`: retried only after 429. */
export type RetryMode = 'safe' | 'throttle-only';

export interface ClientCounters {
  requests: number;
  retries: number;
  throttled: number;
  serverErrors: number;
  networkErrors: number;
}

export class RetryingClient {
  readonly counters: ClientCounters = { requests: 0, retries: 0, throttled: 0, serverErrors: 0, networkErrors: 0 };

  constructor(
    readonly http: CrmHttp,
    private readonly policy: RetryPolicy = DEFAULT_RETRY,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /**
   * Sends `req`; returns any answer that is not 429/5xx (callers judge 4xx). `beforeRetry` runs before
   * each repeat after a failure that may have reached the server (e.g. to look up a keyed create).
   */
  async send(req: CrmRequest, mode: RetryMode = 'safe', beforeRetry?: () => Promise<boolean>): Promise<CrmResponse> {
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= this.policy.attempts;
      let res: CrmResponse;
      this.counters.requests++;
      try {
        res = await this.http.request(req);
      } catch (error) {
        if (!(error instanceof ServiceUnavailableError)) throw error;
        this.counters.networkErrors++;
        if (mode !== 'safe' || last) throw error;
        await this.wait(null, attempt);
        if (beforeRetry && (await beforeRetry())) throw new RetrySatisfied();
        continue;
      }
      if (res.status === 429) {
        this.counters.throttled++;
        const after = retryAfterMs(res.headers.get('Retry-After'));
        if (last) throw new ThrottledError(`The CRM kept throttling ${req.method ?? 'GET'} ${req.path}.`, after);
        await this.wait(after, attempt);
        continue;
      }
      if (res.status >= 500) {
        this.counters.serverErrors++;
        const after = retryAfterMs(res.headers.get('Retry-After'));
        if (mode !== 'safe' || last) throw new ServiceUnavailableError(`The CRM answered ${res.status} for ${req.method ?? 'GET'} ${req.path}.`, after);
        await this.wait(after, attempt);
        if (beforeRetry && (await beforeRetry())) throw new RetrySatisfied();
        continue;
      }
      return res;
    }
  }

  private async wait(retryAfter: number | null, attempt: number): Promise<void> {
    this.counters.retries++;
    const backoff = this.policy.baseDelayMs * 2 ** (attempt - 1);
    await this.sleep(Math.min(retryAfter ?? backoff, this.policy.maxDelayMs));
  }
}

/** Thrown by send() when `beforeRetry` found that the first attempt already took effect. */
export class RetrySatisfied extends Error {
  constructor() {
    super('An earlier attempt already succeeded.');
    this.name = 'RetrySatisfied';
  }
}
