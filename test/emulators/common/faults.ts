// Fault injection and counters, the same knobs on both emulators (POST /_control/faults, GET /_control/stats).
// Randomness is seeded so that a failing test can be replayed.
import type { Response } from './http';

export interface FaultKnobs {
  /** Added delay per request, in ms. */
  latencyMs: number;
  /** Share of requests (0..1) answered 429 with Retry-After. */
  rate429: number;
  /** Retry-After sent with injected 429s, in seconds (may be fractional). */
  retryAfterSeconds: number;
  /** Share of requests answered 503. */
  rate5xx: number;
  /** Share of requests whose connection is dropped without an answer, before the handler runs. */
  dropRate: number;
  /**
   * Share of requests whose handler runs (a write happens) and whose connection is then dropped
   * without an answer: "the write happened but the answer was lost".
   */
  lostResponseRate: number;
  /** Every delta token (deltaLink and nextLink) is answered 410, once per token. */
  expireDeltaTokens: boolean;
  /** Share of delta items sent again later in the same round (replay). */
  deltaReplayRate: number;
  /** Share of delta items repeated within the same page (duplicate). */
  deltaDuplicateRate: number;
  /** Only routes whose pattern contains this text get the random faults; empty means all. */
  routeFilter: string;
  /** Seed of the fault randomness. */
  seed: number;
  /** Concurrent requests allowed per caller before 429 (Graph: 4 per mailbox). 0 = unlimited. */
  maxConcurrent: number;
}

export const DEFAULT_KNOBS: FaultKnobs = {
  latencyMs: 0,
  rate429: 0,
  retryAfterSeconds: 1,
  rate5xx: 0,
  dropRate: 0,
  lostResponseRate: 0,
  expireDeltaTokens: false,
  deltaReplayRate: 0,
  deltaDuplicateRate: 0,
  routeFilter: '',
  seed: 1,
  maxConcurrent: 0,
};

export interface Stats {
  requests: number;
  byRoute: Record<string, number>;
  byStatus: Record<string, number>;
  injected: { latency: number; throttled: number; serverErrors: number; dropped: number; lostResponses: number; concurrency429: number };
  inFlight: number;
  maxInFlight: number;
}

export class Faults {
  private current: FaultKnobs;
  private rng: () => number;
  private counters: Stats = emptyStats();

  /** The service's own 429/503 bodies; each emulator sets them. */
  throttledBody: (retryAfter: number) => unknown = () => ({ error: 'throttled' });
  unavailableBody: () => unknown = () => ({ error: 'unavailable' });

  constructor(initial?: Partial<FaultKnobs>) {
    this.current = { ...DEFAULT_KNOBS, ...(initial ?? {}) };
    this.rng = mulberry32(this.current.seed);
  }

  knobs(): FaultKnobs {
    return { ...this.current };
  }

  /** Replaces every knob; `{}` turns every fault off. Returns a problem text for bad input. */
  configure(input: unknown): string | null {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'faults must be a JSON object';
    const next: FaultKnobs = { ...DEFAULT_KNOBS };
    for (const [k, v] of Object.entries(input)) {
      if (!(k in DEFAULT_KNOBS)) return `unknown fault knob "${k}"; known: ${Object.keys(DEFAULT_KNOBS).join(', ')}`;
      const expected = typeof DEFAULT_KNOBS[k as keyof FaultKnobs];
      if (typeof v !== expected) return `fault knob "${k}" must be a ${expected}`;
      if (expected === 'number' && (!Number.isFinite(v as number) || (v as number) < 0)) return `fault knob "${k}" must be ≥ 0`;
      (next as unknown as Record<string, unknown>)[k] = v;
    }
    for (const k of ['rate429', 'rate5xx', 'dropRate', 'lostResponseRate', 'deltaReplayRate', 'deltaDuplicateRate'] as const) {
      if (next[k] > 1) return `fault knob "${k}" is a share from 0 to 1`;
    }
    this.current = next;
    this.rng = mulberry32(next.seed);
    return null;
  }

  /** A number in [0,1) from the seeded generator (for delta replay and duplication). */
  random(): number {
    return this.rng();
  }

  stats(): Stats {
    return JSON.parse(JSON.stringify(this.counters)) as Stats;
  }

  resetStats(): void {
    const inFlight = this.counters.inFlight;
    this.counters = emptyStats();
    this.counters.inFlight = inFlight;
  }

  /** Runs before a handler: a Response to send instead, 'drop' to cut the connection, or null. */
  async before(route: string, _path: string, callerKey = 'all'): Promise<Response | 'drop' | null> {
    void callerKey;
    const k = this.current;
    this.counters.inFlight++;
    this.counters.maxInFlight = Math.max(this.counters.maxInFlight, this.counters.inFlight);
    if (k.latencyMs > 0) {
      this.counters.injected.latency++;
      await new Promise((r) => setTimeout(r, k.latencyMs));
    }
    const targeted = !k.routeFilter || route.includes(k.routeFilter);
    if (!targeted) return null;
    if (k.dropRate > 0 && this.rng() < k.dropRate) {
      this.counters.injected.dropped++;
      this.counters.inFlight--;
      this.count(route, 0);
      return 'drop';
    }
    if (k.rate429 > 0 && this.rng() < k.rate429) {
      this.counters.injected.throttled++;
      return this.throttled(k.retryAfterSeconds);
    }
    if (k.rate5xx > 0 && this.rng() < k.rate5xx) {
      this.counters.injected.serverErrors++;
      return { status: 503, headers: { 'Retry-After': '0' }, body: this.unavailableBody() };
    }
    return null;
  }

  /**
   * Runs after a handler answered: true when this answer is to be lost (the connection is cut after
   * the work was done). Draws from the generator only while the knob is on, so other knobs' seeded
   * sequences stay as they were.
   */
  loseResponse(route: string): boolean {
    const k = this.current;
    if (k.lostResponseRate <= 0) return false;
    if (k.routeFilter && !route.includes(k.routeFilter)) return false;
    if (this.rng() >= k.lostResponseRate) return false;
    this.counters.injected.lostResponses++;
    return true;
  }

  /** Whether a sub-request (e.g. inside $batch) should be throttled by the random 429 knob. */
  throttleSubRequest(): boolean {
    const k = this.current;
    if (k.rate429 > 0 && this.rng() < k.rate429) {
      this.counters.injected.throttled++;
      return true;
    }
    return false;
  }

  throttled(retryAfterSeconds: number): Response {
    return { status: 429, headers: { 'Retry-After': String(retryAfterSeconds) }, body: this.throttledBody(retryAfterSeconds) };
  }

  after(): void {
    this.counters.inFlight = Math.max(0, this.counters.inFlight - 1);
  }

  count(route: string, status: number): void {
    this.counters.requests++;
    this.counters.byRoute[route] = (this.counters.byRoute[route] ?? 0) + 1;
    this.counters.byStatus[String(status)] = (this.counters.byStatus[String(status)] ?? 0) + 1;
  }

  noteConcurrency429(): void {
    this.counters.injected.concurrency429++;
  }
}

function emptyStats(): Stats {
  return {
    requests: 0,
    byRoute: {},
    byStatus: {},
    injected: { latency: 0, throttled: 0, serverErrors: 0, dropped: 0, lostResponses: 0, concurrency429: 0 },
    inFlight: 0,
    maxInFlight: 0,
  };
}

/** Small seeded PRNG (public domain mulberry32). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
