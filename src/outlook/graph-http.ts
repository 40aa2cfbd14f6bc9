// The one place Graph requests are built and sent: Bearer token, Outlook's limits per app and mailbox,
// Retry-After / backoff, and $batch with per-item retries (graph-api.md §7, §8). DOM-free: fetch and URL only.
//
// Outlook's limits (docs-contrib concepts/includes/throttling-outlook.md, json-batching.md):
// - 4 concurrent requests, counted per request that reaches Outlook. Graph runs the items of an
//   unordered $batch up to 4 at a time, so a batch of n items holds min(n, 4) of our 4 slots and a plain
//   request holds 1: a full batch flies alone, never beside another batch or a plain request. (The other
//   documented way, up to 4 batches whose items are chained with dependsOn, moves items as fast, but one
//   failed item then fails the rest of its chain with 424, to be sent again.)
// - 10,000 requests per 10 minutes, every batch item counted: a RequestBudget (request-budget.ts) that
//   every send takes from first, so a long first sync waits for room instead of being throttled.
//
// Retry rules:
// - 429 (plain or inside a batch): always retried after Retry-After. A throttled request was not executed,
//   and Graph's docs tell clients to resend it after the wait (§7, §8).
// - 5xx and dropped connections: the request may have run. Retried only when resending is harmless:
//   GET/PATCH/DELETE, or a POST the caller marks `keyed` (events with transactionId). Anything else is
//   reported as status 0 / OutcomeUnknownError, so the side can look for the item before sending again.
import { z } from 'zod';
import { parseJson } from '../http/form-post';
import { AuthenticationError, MalformedResponseError, ServiceUnavailableError } from '../sync/errors';
import { graphError, parseRetryAfter } from './graph-errors';
import { OUTLOOK_REQUEST_BUDGET, RequestBudget } from './request-budget';
import { Semaphore } from './semaphore';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface GraphTokenSource {
  /** A token believed valid now. */
  accessToken(): Promise<string>;
  /** Forces a new token after a 401; absent when the source cannot refresh. */
  refresh?(): Promise<string>;
}

export type GraphMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface GraphRequest {
  method: GraphMethod;
  /** A path under the version root (`/me/contacts`), or an absolute nextLink/deltaLink on the same root. */
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** POST only: resending cannot duplicate (an event carrying transactionId). */
  keyed?: boolean;
}

export interface GraphResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** Parsed JSON, or undefined for an empty / non-JSON body. */
  body: unknown;
}

/** The request may or may not have run (dropped connection or 5xx on a non-repeatable write). */
export class OutcomeUnknownError extends ServiceUnavailableError {}

export interface GraphHttpOptions {
  /** Version root, e.g. `https://graph.microsoft.com/v1.0`. */
  baseUrl: string;
  tokens: GraphTokenSource;
  fetch?: FetchLike;
  /** Injectable for tests; defaults to setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0,1). */
  random?: () => number;
  /** Sends per request, first included (default 5). */
  maxAttempts?: number;
  /** Exponential backoff when no Retry-After: full jitter over base·2^n, capped (defaults 500 ms, 30 s). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** A Retry-After longer than this is not waited out here; the ThrottledError goes to the engine (default 120 s). */
  maxRetryAfterMs?: number;
  /** Graph's Outlook limit: 4 concurrent requests per app and mailbox (§8). */
  maxConcurrent?: number;
  /**
   * Requests per window per mailbox (default Outlook's 10,000 per 10 minutes, 1 % kept in reserve), or
   * one RequestBudget shared by every GraphHttp of the same app and mailbox; null: none.
   */
  requestBudget?: { requests: number; windowMs: number; reserve?: number } | RequestBudget | null;
  /** Clock of the request budget (tests). */
  now?: () => number;
  /**
   * The mailbox to address as `/users/{id|userPrincipalName}` wherever callers write `/me`: an app-only
   * token (the sync server's client credentials) has no signed-in user, and Graph answers /me with 400.
   * Unset (the pane, the runner): `/me`.
   */
  mailbox?: string;
}

export interface BatchItem {
  method: GraphMethod;
  /** Path under the version root. */
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  keyed?: boolean;
}

/** Per-item answer; status 0 means the outcome is unknown (see header). */
export type BatchItemResult = GraphResponse;

export const MAX_BATCH_SIZE = 20;

const batchResponseSchema = z.object({
  responses: z.array(
    z.object({
      id: z.string(),
      status: z.number().int(),
      headers: z.record(z.string(), z.string()).nullish(),
      body: z.unknown().optional(),
    }),
  ),
});

export class GraphHttp {
  readonly baseUrl: string;
  private readonly root: URL;
  private readonly tokens: GraphTokenSource;
  private readonly fetchImpl: FetchLike;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly maxRetryAfterMs: number;
  /** Outlook's concurrent requests of this mailbox: a plain request takes 1, a batch one per item it runs at once. */
  private readonly slots: Semaphore;
  /** Outlook's requests per 10 minutes of this mailbox, every batch item counted. */
  readonly budget: RequestBudget | null;
  /** Counters for the status pane and tests. */
  readonly stats = { requests: 0, retries: 0, throttled: 0, batches: 0 };

  /** `/me`, or `/users/{mailbox}` (options.mailbox). */
  readonly mailboxRoot: string;

  constructor(options: GraphHttpOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.mailboxRoot = options.mailbox ? `/users/${encodeURIComponent(options.mailbox)}` : '/me';
    this.root = new URL(this.baseUrl);
    this.tokens = options.tokens;
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.backoffBaseMs = options.backoffBaseMs ?? 500;
    this.backoffMaxMs = options.backoffMaxMs ?? 30_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 120_000;
    this.slots = new Semaphore(options.maxConcurrent ?? 4);
    const budget = options.requestBudget === undefined ? OUTLOOK_REQUEST_BUDGET : options.requestBudget;
    this.budget = budget instanceof RequestBudget ? budget : budget && new RequestBudget({ ...budget, now: options.now, sleep: this.sleep });
  }

  /** Absolute URL for a path or a same-root link; refuses links elsewhere (the token must not leak). */
  resolve(url: string): string {
    if (/^https?:\/\//i.test(url)) {
      const u = new URL(url);
      const rootPath = this.root.pathname.replace(/\/+$/, '');
      if (u.origin !== this.root.origin || !u.pathname.toLowerCase().startsWith(rootPath.toLowerCase() + '/')) {
        throw new MalformedResponseError(`Graph sent a link outside ${this.baseUrl}: ${url}`);
      }
      return url;
    }
    const path = url.startsWith('/') ? url : `/${url}`;
    return this.baseUrl + (/^\/me(?=$|[/?])/.test(path) ? this.mailboxRoot + path.slice(3) : path);
  }

  /** The path under the version root, as $batch wants it (§7). */
  relative(url: string): string {
    const abs = this.resolve(url);
    return abs.slice(abs.indexOf(this.root.pathname.replace(/\/+$/, '')) + this.root.pathname.replace(/\/+$/, '').length);
  }

  /**
   * Sends a request with retries (see header) and returns the last answer, whatever its status
   * (except 401, which becomes AuthenticationError after one refresh).
   */
  async request(req: GraphRequest): Promise<GraphResponse> {
    const repeatable = isRepeatable(req);
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      let res: GraphResponse;
      try {
        res = await this.send(req.method, this.resolve(req.url), req.body, req.headers);
      } catch (cause) {
        if (cause instanceof MalformedResponseError) throw cause;
        if (repeatable && attempt < this.maxAttempts) {
          await this.backoff(attempt, null);
          continue;
        }
        const Err = repeatable ? ServiceUnavailableError : OutcomeUnknownError;
        throw new Err(`Graph could not be reached (${req.method} ${req.url}).`, null, { cause });
      }
      if (res.status === 401) {
        if (refreshed || !this.tokens.refresh) throw new AuthenticationError(`Graph refused the access token (${req.method} ${req.url}); sign in again.`);
        refreshed = true;
        await this.tokens.refresh();
        attempt--;
        continue;
      }
      if (res.status === 429 && attempt < this.maxAttempts) {
        this.stats.throttled++;
        const wait = parseRetryAfter(res.headers['retry-after']);
        if (wait !== null && wait > this.maxRetryAfterMs) return res;
        await this.backoff(attempt, wait);
        continue;
      }
      if (res.status >= 500 && repeatable && attempt < this.maxAttempts) {
        await this.backoff(attempt, parseRetryAfter(res.headers['retry-after']));
        continue;
      }
      return res;
    }
  }

  /** request() that throws the typed error for any non-2xx answer. */
  async requestOk(req: GraphRequest): Promise<GraphResponse> {
    const res = await this.request(req);
    if (res.status >= 200 && res.status < 300) return res;
    if (res.status >= 500 && !isRepeatable(req)) {
      throw new OutcomeUnknownError(`Graph answered ${res.status} to ${req.method} ${req.url}; it may have run.`);
    }
    throw graphError(res.status, res.headers, res.body, `${req.method} ${shortUrl(req.url)}`);
  }

  /** requestOk() whose answer must be a JSON object. */
  async json(req: GraphRequest): Promise<Record<string, unknown>> {
    const res = await this.requestOk(req);
    if (typeof res.body !== 'object' || res.body === null || Array.isArray(res.body)) {
      throw new MalformedResponseError(`Graph answered ${req.method} ${shortUrl(req.url)} without a JSON object.`);
    }
    return res.body as Record<string, unknown>;
  }

  /**
   * Runs items through `$batch` in groups of ≤ 20, each taking as many slots as it runs items at once
   * (see header), so full groups go one after another. Items carry no dependsOn, so no order between
   * them is promised, within a group or across groups. Every group is settled before this returns (or
   * throws the first group's error). Results line up with `items`.
   */
  async batch(items: ReadonlyArray<BatchItem>): Promise<BatchItemResult[]> {
    const results: BatchItemResult[] = new Array(items.length);
    const groups: Array<Promise<void>> = [];
    for (let start = 0; start < items.length; start += MAX_BATCH_SIZE) {
      const group = items.slice(start, start + MAX_BATCH_SIZE);
      groups.push(this.batchGroup(group).then((answers) => answers.forEach((a, i) => (results[start + i] = a))));
    }
    const settled = await Promise.allSettled(groups);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return results;
  }

  private async batchGroup(items: ReadonlyArray<BatchItem>): Promise<BatchItemResult[]> {
    const results: Array<BatchItemResult | undefined> = new Array(items.length);
    let pending = items.map((_, i) => i);
    let refreshed = false;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const last = attempt >= this.maxAttempts;
      const requests = pending.map((i) => {
        const it = items[i];
        // A $batch's own headers do not reach its requests (§7): each asks for immutable ids itself.
        const headers = withImmutableIds(it.headers);
        if (it.body !== undefined) headers['Content-Type'] = 'application/json';
        const r: Record<string, unknown> = { id: String(i), method: it.method, url: this.relative(it.url) };
        if (Object.keys(headers).length) r.headers = headers;
        if (it.body !== undefined) r.body = it.body;
        return r;
      });
      this.stats.batches++;
      let outer: GraphResponse | null = null;
      try {
        outer = await this.send('POST', `${this.baseUrl}/$batch`, { requests }, undefined, requests.length);
      } catch (cause) {
        if (cause instanceof MalformedResponseError) throw cause;
      }
      if (outer && outer.status === 401) {
        if (refreshed || !this.tokens.refresh) throw new AuthenticationError('Graph refused the access token ($batch); sign in again.');
        refreshed = true;
        await this.tokens.refresh();
        attempt--;
        continue;
      }
      if (outer === null || outer.status >= 500 || outer.status === 429) {
        // The whole group failed. Throttled: nothing ran. Otherwise items that must not be resent end as "unknown".
        const wait = outer ? parseRetryAfter(outer.headers['retry-after']) : null;
        if (outer?.status === 429) {
          this.stats.throttled++;
          if (last || (wait !== null && wait > this.maxRetryAfterMs)) {
            for (const i of pending) results[i] = outer;
            pending = [];
          }
        } else {
          const unknown: GraphResponse = { status: 0, headers: outer?.headers ?? {}, body: outer?.body };
          for (const i of pending) if (!isRepeatable(items[i])) results[i] = unknown;
          else if (last) results[i] = outer ?? unknown;
          pending = pending.filter((i) => results[i] === undefined);
        }
        if (pending.length) await this.backoff(attempt, wait);
        continue;
      }
      if (outer.status !== 200) throw graphError(outer.status, outer.headers, outer.body, 'POST /$batch');
      const parsed = batchResponseSchema.safeParse(outer.body);
      if (!parsed.success) throw new MalformedResponseError('Graph answered $batch with a body we cannot read.');
      const byId = new Map(parsed.data.responses.map((r) => [r.id.toLowerCase(), r]));
      let wait: number | null = null;
      const retry: number[] = [];
      for (const i of pending) {
        const r = byId.get(String(i));
        if (!r) throw new MalformedResponseError(`Graph's $batch answer lacks request ${i}.`);
        const headers = lowerKeys(r.headers ?? {});
        const answer: BatchItemResult = { status: r.status, headers, body: r.body ?? undefined };
        const retryAfter = parseRetryAfter(headers['retry-after']);
        if (!last && r.status === 429 && (retryAfter === null || retryAfter <= this.maxRetryAfterMs)) {
          this.stats.throttled++;
          retry.push(i);
          wait = Math.max(wait ?? 0, retryAfter ?? 0);
        } else if (!last && r.status >= 500 && isRepeatable(items[i])) {
          retry.push(i);
          if (retryAfter !== null) wait = Math.max(wait ?? 0, retryAfter);
        } else {
          results[i] = answer;
        }
      }
      pending = retry;
      // Resend after the longest Retry-After of the throttled items (§7).
      if (pending.length) await this.backoff(attempt, wait);
    }
    return results as BatchItemResult[];
  }

  private async backoff(attempt: number, retryAfterMs: number | null): Promise<void> {
    this.stats.retries++;
    const ms = retryAfterMs ?? Math.floor(this.random() * Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** (attempt - 1)));
    await this.sleep(ms);
  }

  /** One HTTP request that reaches Outlook as `items` requests (a $batch: its items, run up to 4 at once). */
  private async send(method: GraphMethod, url: string, body: unknown, extraHeaders: Record<string, string> | undefined, items = 1): Promise<GraphResponse> {
    const settle = this.budget ? await this.budget.take(items) : null;
    const release = await this.slots.acquire(Math.min(items, this.slots.capacity));
    try {
      const token = await this.tokens.accessToken();
      const headers: Record<string, string> = { Accept: 'application/json', Authorization: `Bearer ${token}`, ...withImmutableIds(extraHeaders) };
      let payload: string | undefined;
      if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
        payload = JSON.stringify(body);
      }
      this.stats.requests++;
      const res = await this.fetchImpl(url, { method, headers, body: payload });
      const text = await res.text();
      const resHeaders: Record<string, string> = {};
      res.headers.forEach((v, k) => (resHeaders[k.toLowerCase()] = v));
      return { status: res.status, headers: resHeaders, body: parseJson(text) };
    } finally {
      release();
      settle?.();
    }
  }
}

/**
 * Every request asks for immutable ids (`Prefer: IdType="ImmutableId"`, learn.microsoft.com
 * outlook-immutable-id), so an item keeps its id when it moves between folders: a relation never points
 * at a stale id. Prefer values travel in one comma-separated header.
 */
export const IMMUTABLE_ID_PREFERENCE = 'IdType="ImmutableId"';

function withImmutableIds(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = { ...(headers ?? {}) };
  const key = Object.keys(out).find((k) => k.toLowerCase() === 'prefer');
  if (!key) out.Prefer = IMMUTABLE_ID_PREFERENCE;
  else if (!/idtype\s*=/i.test(out[key])) out[key] = `${out[key]}, ${IMMUTABLE_ID_PREFERENCE}`;
  return out;
}

function isRepeatable(req: { method: GraphMethod; keyed?: boolean }): boolean {
  return req.method !== 'POST' || req.keyed === true;
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}

function shortUrl(url: string): string {
  return url.length > 120 ? `${url.slice(0, 117)}...` : url;
}
