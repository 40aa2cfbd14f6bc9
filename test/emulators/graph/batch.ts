// JSON batching (graph-api.md §7): ≤ 20 requests, unique ids (case-insensitive), dependsOn with 424 on a
// failed dependency, relative urls with or without a leading slash, outer 200 with a `responses` array.
// Sub-requests run one after another through the same router, in one SQLite transaction, and count in
// the stats per route; each is checked against throttling on its own, so a 429 can appear inside a 200 batch.
//
// Time and concurrency as Outlook sees them (admission.ts, throttling-outlook.md): Graph runs up to 4
// unordered items at once and a dependsOn chain one item at a time. So a batch runs in "rounds" (per
// level of the dependsOn order, ⌈items/4⌉ rounds), each taking the injected latency like a plain
// request, and holds one mailbox slot per lane (items it runs side by side) while it runs.
import { z } from 'zod';
import type { Request, Response, Router } from '../common/http';
import { admissionKey, authenticate, withGraphErrors, type GraphContext } from './context';
import { badRequest, errorBody, mailboxBudgetResponse, mailboxConcurrencyResponse, throttledBody } from './errors';
import { parseJsonObject } from './body';

export const MAX_BATCH_REQUESTS = 20;

const batchSchema = z.object({
  requests: z.array(
    z.object({
      id: z.string().min(1),
      method: z.string().min(1),
      url: z.string().min(1),
      headers: z.record(z.string(), z.string()).optional(),
      body: z.unknown().optional(),
      dependsOn: z.array(z.string()).optional(),
    }),
  ),
});

type SubRequest = z.infer<typeof batchSchema>['requests'][number];

interface SubResponse {
  id: string;
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

export function registerBatchRoute(
  router: Router,
  ctx: GraphContext,
  internalError: (req: Request, error: unknown) => Response,
): void {
  router.on(
    'POST',
    '/v1.0/$batch',
    withGraphErrors((outer) => {
      const caller = authenticate(ctx, outer);
      const parsed = batchSchema.safeParse(parseJsonObject(outer.rawBody));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw badRequest(`Invalid batch payload: ${issue.path.join('.')}: ${issue.message}`, 'BadRequest');
      }
      const requests = parsed.data.requests;
      if (requests.length === 0) throw badRequest('Invalid batch payload format: the requests array is empty.');
      if (requests.length > MAX_BATCH_REQUESTS) throw badRequest(`Number of batch request steps exceeds the maximum of ${MAX_BATCH_REQUESTS}.`);
      const ids = new Map<string, SubRequest>();
      for (const r of requests) {
        const key = r.id.toLowerCase();
        if (ids.has(key)) throw badRequest(`Batch request contains a duplicate id '${r.id}'.`);
        ids.set(key, r);
      }
      for (const r of requests) {
        for (const d of r.dependsOn ?? []) {
          if (!ids.has(d.toLowerCase())) throw badRequest(`Request '${r.id}' depends on the unknown request id '${d}'.`);
        }
        if (r.body !== undefined && !Object.keys(r.headers ?? {}).some((h) => h.toLowerCase() === 'content-type')) {
          throw badRequest(`Write request id : ${r.id} does not contain Content-Type header or body.`);
        }
      }
      const order = executionOrder(requests);
      const { lane, width, rounds } = lanesOf(order);
      // The mailbox whose slots the batch holds: the token's user, or for an app the mailbox its first item
      // names (an item naming another mailbox is checked against that one's own count, not given lanes).
      const mailboxOf = (r: SubRequest) => admissionKey(ctx.store, caller, new URL(`/v1.0/${r.url.replace(/^\/+/, '')}`, 'http://127.0.0.1').pathname);
      const batchMailbox = mailboxOf(order[0]);

      const results = new Map<string, SubResponse>();
      return (async () => {
        const lanes = batchMailbox === null ? { granted: width, release: () => undefined } : ctx.admission.claimLanes(batchMailbox, width);
        try {
          // The first round's time is the request's own injected latency; the others come on top.
          const latency = ctx.faults.knobs().latencyMs;
          if (latency > 0 && rounds > 1) await new Promise((r) => setTimeout(r, latency * (rounds - 1)));
          // One SQLite transaction for the whole batch (one commit instead of one per write). A batch
          // arriving while another holds it runs inside it; nested store.transaction() calls become savepoints.
          const db = ctx.store.db;
          const own = !db.inTransaction;
          if (own) db.exec('BEGIN');
          try {
            await runAll(lanes.granted);
          } finally {
            if (own && db.inTransaction) db.exec('COMMIT');
          }
        } finally {
          lanes.release();
        }
        return { status: 200, headers: { 'Content-Type': 'application/json' }, body: { responses: requests.map((r) => results.get(r.id.toLowerCase())) } };
      })();

      async function runAll(grantedLanes: number): Promise<void> {
        for (const r of order) {
          const failed = (r.dependsOn ?? []).map((d) => results.get(d.toLowerCase())).find((s) => !s || s.status < 200 || s.status >= 300);
          let response: SubResponse;
          if (failed) {
            response = {
              id: r.id,
              status: 424,
              headers: { 'Content-Type': 'application/json' },
              body: errorBody('FailedDependency', `The request depends on request '${failed.id}' which failed.`),
            };
            ctx.faults.count('BATCH (failed dependency)', 424);
          } else response = await runOne(r, mailboxOf(r), lane.get(r)! < grantedLanes);
          results.set(r.id.toLowerCase(), response);
        }
      }

      async function runOne(r: SubRequest, mailbox: string | null, laneGranted: boolean): Promise<SubResponse> {
        const relative = r.url.replace(/^\/+/, '');
        if (/^[a-z]+:\/\//i.test(relative) || relative.startsWith('$batch') || relative.startsWith('v1.0/')) {
          return { id: r.id, status: 400, headers: { 'Content-Type': 'application/json' }, body: errorBody('BadRequest', `Invalid request URL '${r.url}'.`) };
        }
        const url = new URL(`/v1.0/${relative}`, 'http://127.0.0.1');
        const method = r.method.toUpperCase();
        const matched = router.match(method, url.pathname);
        const route = matched && 'route' in matched ? `${method} ${matched.route.pattern}` : `${method} (unrouted)`;
        let response: Response;
        let budgetWait: number | null = null;
        if (ctx.faults.throttleSubRequest()) {
          const retryAfter = ctx.faults.knobs().retryAfterSeconds;
          response = { status: 429, headers: { 'Retry-After': String(retryAfter) }, body: throttledBody(retryAfter) };
        } else if (mailbox !== null && (mailbox === batchMailbox ? !laneGranted : ctx.admission.count(mailbox) >= ctx.faults.knobs().maxConcurrent && ctx.faults.knobs().maxConcurrent > 0)) {
          ctx.faults.noteConcurrency429();
          ctx.admission.countRefused(mailbox);
          response = mailboxConcurrencyResponse(ctx.faults.knobs().retryAfterSeconds);
        } else if (mailbox !== null && (budgetWait = ctx.admission.spend(mailbox)) !== null) {
          response = mailboxBudgetResponse(budgetWait);
        } else {
          const headers: Request['headers'] = { authorization: outer.headers.authorization };
          for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = v;
          const sub: Request = {
            method,
            path: url.pathname,
            url,
            params: {},
            headers,
            rawBody: r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body),
            route,
            raw: outer.raw,
          };
          try {
            if (!matched) response = notFoundFor(url.pathname);
            else if ('allowed' in matched) response = { ...notFoundFor(url.pathname), status: 405 };
            else {
              sub.params = matched.params;
              response = await matched.route.handler(sub);
            }
          } catch (error) {
            response = internalError(sub, error);
          }
        }
        ctx.faults.count(route, response.status);
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(response.headers ?? {})) if (!/^access-control-|^vary$/i.test(k)) headers[k] = v;
        const hasBody = response.body !== undefined && response.status !== 204;
        if (hasBody && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
        return { id: r.id, status: response.status, headers, body: hasBody ? response.body : null };
      }
    }),
  );
}

/** Most items Graph runs side by side for one batch (§8). */
const MAX_LANES = 4;

/**
 * The lane of each item (items of one dependsOn level run up to 4 at a time, in request order), the
 * lanes the batch needs at once, and how many rounds it runs.
 */
function lanesOf(order: SubRequest[]): { lane: Map<SubRequest, number>; width: number; rounds: number } {
  const depth = new Map<string, number>();
  const levels: SubRequest[][] = [];
  for (const r of order) {
    const d = Math.max(-1, ...(r.dependsOn ?? []).map((id) => depth.get(id.toLowerCase()) ?? -1)) + 1;
    depth.set(r.id.toLowerCase(), d);
    (levels[d] ??= []).push(r);
  }
  const lane = new Map<SubRequest, number>();
  let width = 0;
  let rounds = 0;
  for (const level of levels) {
    level.forEach((r, k) => lane.set(r, k % MAX_LANES));
    width = Math.max(width, Math.min(MAX_LANES, level.length));
    rounds += Math.ceil(level.length / MAX_LANES);
  }
  return { lane, width, rounds };
}

/** Requests in an order that honours dependsOn; a cycle is a malformed batch. */
function executionOrder(requests: SubRequest[]): SubRequest[] {
  const done = new Set<string>();
  const order: SubRequest[] = [];
  const pending = [...requests];
  while (pending.length) {
    const at = pending.findIndex((r) => (r.dependsOn ?? []).every((d) => done.has(d.toLowerCase())));
    if (at < 0) throw badRequest('The dependsOn graph of the batch has a cycle.');
    const [next] = pending.splice(at, 1);
    done.add(next.id.toLowerCase());
    order.push(next);
  }
  return order;
}

export function notFoundFor(path: string): Response {
  const segment = path.split('/').filter(Boolean).pop() ?? '';
  return { status: 400, headers: { 'Content-Type': 'application/json' }, body: errorBody('BadRequest', `Resource not found for the segment '${segment}'.`) };
}
