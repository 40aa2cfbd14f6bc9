// The Microsoft Graph v1.0 emulator: real HTTP on the shared core (fault knobs, /_control/faults,
// /_control/stats), SQLite persistence, a demo mailbox for alice. See README.md for what is faithful.
import type http from 'node:http';
import type { FaultKnobs } from '../common/faults';
import { Router, serve, type Request, type Response, type RunningServer } from '../common/http';
import { Admission, type RequestBudget } from './admission';
import { registerTokenRoutes } from './auth';
import { DeviceCodes, registerDeviceLoginPage } from './device-code';
import { notFoundFor, registerBatchRoute } from './batch';
import { registerContactRoutes } from './contacts';
import { admissionKey, bearerToken, mailboxRoute, type GraphContext } from './context';
import { DeltaTokens, EXPIRY_MODES, type ExpiryMode } from './delta';
import { errorBody, errorResponse, throttledBody } from './errors';
import { registerEventRoutes } from './events';
import { moveItem } from './moves';
import { seedIfEmpty } from './seed';
import { registerTaskRoutes } from './tasks';
import { GraphStore } from './store';
import { renderView } from './view';

export interface GraphEmulatorOptions {
  dbFile: string;
  port?: number;
  faults?: Partial<FaultKnobs>;
  now?: () => Date;
  /** Delta tokens older than this answer 410 SyncStateNotFound; null = no limit. */
  maxDeltaTokenAgeSeconds?: number | null;
  /** Requests per window per mailbox (default Outlook's 10,000 per 600 s). */
  requestBudget?: RequestBudget;
  /** Seconds between device-code polls the identity platform asks for (Microsoft: 5). */
  deviceCodeIntervalSeconds?: number;
}

export interface GraphEmulator extends RunningServer {
  store: GraphStore;
  delta: DeltaTokens;
  admission: Admission;
}

/** Graph allows 4 concurrent requests per mailbox (graph-api.md §8): on unless a test sets 0. */
export const GRAPH_DEFAULT_MAX_CONCURRENT = 4;

export async function createGraphEmulator(opts: GraphEmulatorOptions): Promise<GraphEmulator> {
  const store = new GraphStore(opts.dbFile);
  const now = opts.now ?? (() => new Date());
  let baseUrl = '';
  const router = new Router();
  // Built before serve() so that routes can close over it; faults/admission are filled in right after.
  const ctx = { store, now, baseUrl: () => baseUrl } as GraphContext;
  const delta = new DeltaTokens(ctx);
  delta.maxAgeSeconds = opts.maxDeltaTokenAgeSeconds ?? null;

  seedIfEmpty(store, now());

  const internalError = (_req: Request, error: unknown): Response =>
    errorResponse(500, 'InternalServerError', `The emulator failed: ${error instanceof Error ? error.message : String(error)}`);

  const deviceCodes = new DeviceCodes(ctx);
  deviceCodes.intervalSeconds = opts.deviceCodeIntervalSeconds ?? 5;
  registerTokenRoutes(router, ctx, deviceCodes);
  registerDeviceLoginPage(router, ctx, deviceCodes);
  mailboxRoute(router, ctx, 'GET', '', (req) => ({
    status: 200,
    body: {
      '@odata.context': `${baseUrl}/v1.0/$metadata#users/$entity`,
      id: req.mailbox.id,
      displayName: req.mailbox.displayName,
      mail: req.mailbox.upn,
      userPrincipalName: req.mailbox.upn,
    },
  }));
  registerContactRoutes(router, ctx, delta);
  registerEventRoutes(router, ctx, delta);
  registerTaskRoutes(router, ctx, delta);
  registerBatchRoute(router, ctx, internalError);
  const view = (): Response => ({ status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: renderView(store) });
  router.on('GET', '/', view);
  router.on('GET', '/_view', view);

  let running: RunningServer;
  try {
    running = await serve({
      name: 'graph',
      router,
      port: opts.port,
      faults: { maxConcurrent: GRAPH_DEFAULT_MAX_CONCURRENT, ...(opts.faults ?? {}) },
      notFound: (req) => notFoundFor(req.path),
      internalError,
      badRequest: (message) => errorResponse(400, 'BadRequest', message),
    });
  } catch (error) {
    store.close();
    throw error;
  }
  baseUrl = running.url;
  ctx.faults = running.faults;
  ctx.admission = new Admission(running.faults, now, opts.requestBudget);
  running.faults.throttledBody = (retryAfter) => throttledBody(retryAfter);
  running.faults.unavailableBody = () => errorBody('serviceNotAvailable', 'The service is temporarily unavailable. Please retry later.');

  installRawLayer(running.server, ctx, delta);

  return {
    ...running,
    store,
    delta,
    admission: ctx.admission,
    close: async () => {
      await running.close();
      store.close();
    },
  };
}

/**
 * serve() owns every /_control/* path, so Graph's own control routes, and the per-mailbox admission that must
 * see a request from its arrival (before injected latency), sit in front of its request listener.
 */
function installRawLayer(server: http.Server, ctx: GraphContext, delta: DeltaTokens): void {
  const core = server.listeners('request') as ((req: http.IncomingMessage, res: http.ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const graphControl = path.startsWith('/_control/graph/') || (path === '/_control/faults' && req.method === 'POST');
    if (graphControl) {
      void readJson(req).then((body) => sendJson(res, controlRoute(ctx, delta, req.method ?? 'GET', path, body)));
      return;
    }
    if (path.startsWith('/v1.0/')) {
      const token = bearerToken(req);
      const caller = token ? ctx.store.tokenCaller(token, ctx.now().getTime()).caller : null;
      ctx.admission.arrive(req, res, admissionKey(ctx.store, caller, path), path === '/v1.0/$batch');
    }
    for (const listener of core) listener.call(server, req, res);
  });
}

const expiryModes: ExpiryMode[] = EXPIRY_MODES;

function controlRoute(ctx: GraphContext, delta: DeltaTokens, method: string, path: string, body: unknown): Response {
  if (body === undefined) return { status: 400, body: { error: 'control body must be JSON' } };
  const input = (body ?? {}) as Record<string, unknown>;
  if (path === '/_control/faults' && method === 'POST') {
    // Like the shared core, `{}` turns every fault off; the mailbox concurrency limit is Graph's real
    // behaviour, so it stays at 4 unless the body sets maxConcurrent.
    const knobs = body === null || (typeof body === 'object' && !Array.isArray(body)) ? { maxConcurrent: GRAPH_DEFAULT_MAX_CONCURRENT, ...input } : body;
    const problem = ctx.faults.configure(knobs);
    if (problem) return { status: 400, body: { error: problem } };
    return { status: 200, body: ctx.faults.knobs() };
  }
  // An empty body (null) means "no settings"; anything but an object would make `in` below throw.
  if (typeof body !== 'object' || Array.isArray(body)) return { status: 400, body: { error: 'control body must be a JSON object' } };
  if (path === '/_control/graph/reset-delta' && method === 'POST') {
    const mode = (input.mode ?? 'syncStateNotFound') as ExpiryMode;
    if (!expiryModes.includes(mode)) return { status: 400, body: { error: `mode must be one of ${expiryModes.join(', ')}` } };
    delta.reset(mode);
    return { status: 200, body: { reset: true, mode } };
  }
  if (path === '/_control/graph/delta' && method === 'POST') {
    if ('maxTokenAgeSeconds' in input) {
      const age = input.maxTokenAgeSeconds;
      if (age !== null && (typeof age !== 'number' || !(age >= 0))) return { status: 400, body: { error: 'maxTokenAgeSeconds must be a number ≥ 0 or null' } };
      delta.maxAgeSeconds = age as number | null;
    }
    if ('expiryMode' in input) {
      if (!expiryModes.includes(input.expiryMode as ExpiryMode)) return { status: 400, body: { error: `expiryMode must be one of ${expiryModes.join(', ')}` } };
      delta.knobExpiryMode = input.expiryMode as ExpiryMode;
    }
    return { status: 200, body: { maxTokenAgeSeconds: delta.maxAgeSeconds, expiryMode: delta.knobExpiryMode } };
  }
  if (path === '/_control/graph/delta' && method === 'GET') {
    return { status: 200, body: { maxTokenAgeSeconds: delta.maxAgeSeconds, expiryMode: delta.knobExpiryMode } };
  }
  if (path === '/_control/graph/budget') return budgetRoute(ctx, method, input);
  if (path === '/_control/graph/dump' && method === 'GET') return { status: 200, body: dump(ctx) };
  if (path === '/_control/graph/meeting-messages' && method === 'GET') return { status: 200, body: { messages: ctx.store.meetingMessages() } };
  if (path === '/_control/graph/move' && method === 'POST') {
    if (typeof input.id !== 'string' || typeof input.destinationId !== 'string') return { status: 400, body: { error: 'id and destinationId must be strings' } };
    const moved = moveItem(ctx.store, ctx.now(), input.id, input.destinationId);
    return moved.ok ? { status: 200, body: { id: moved.item.id, parent: moved.item.parent } } : { status: 404, body: { error: moved.error } };
  }
  return { status: 404, body: { error: `no control route ${method} ${path}` } };
}

/**
 * GET: the request budget and, per mailbox (UPN), the requests counted in the current window and the most
 * ever counted in one. POST {requests?, windowSeconds?, resetUsage?}: changes the budget / forgets the counts.
 */
function budgetRoute(ctx: GraphContext, method: string, input: Record<string, unknown>): Response {
  const { admission } = ctx;
  if (method === 'POST') {
    for (const k of ['requests', 'windowSeconds'] as const) {
      if (!(k in input)) continue;
      const v = input[k];
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) return { status: 400, body: { error: `${k} must be a number > 0` } };
      admission.budget[k] = v;
    }
    if (input.resetUsage === true) admission.resetUsage();
  } else if (method !== 'GET') return { status: 405, body: { error: 'GET or POST' } };
  const usage = Object.fromEntries(ctx.store.users().map((u) => [u.upn, admission.usage(u.id)]));
  return { status: 200, body: { ...admission.budget, usage } };
}

/** Every user's live items, for tests: { [upn]: { contactFolder: [...], contact: [...], ... } }. */
function dump(ctx: GraphContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const user of ctx.store.users()) {
    const kinds = ['contactFolder', 'contact', 'calendar', 'event', 'todoList', 'task'] as const;
    out[user.upn] = {
      id: user.id,
      ...Object.fromEntries(kinds.map((k) => [k, ctx.store.listAll(user.id, k).map((i) => ({ id: i.id, parent: i.parent, ...withoutBookkeeping(i.data), singleValueExtendedProperties: i.props }))])),
    };
  }
  return out;
}

function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (!text) return resolve(null);
      try {
        resolve(JSON.parse(text));
      } catch {
        resolve(undefined);
      }
    });
    req.on('error', () => resolve(undefined));
  });
}

function sendJson(res: http.ServerResponse, response: Response): void {
  const payload = response.body === undefined ? '' : JSON.stringify(response.body);
  res.writeHead(response.status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) });
  res.end(payload);
}

/** Stored data without the emulator's own '@…' bookkeeping keys. */
function withoutBookkeeping(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).filter(([k]) => !k.startsWith('@')));
}
