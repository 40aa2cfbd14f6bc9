// A small HTTP core both emulators share: routing with path params, body reading, CORS,
// fault injection and per-route counters. Any thrown error becomes a 500 and the server stays up.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Faults, type FaultKnobs } from './faults';

export interface Request {
  method: string;
  /** Path without query, percent-decoded per segment. */
  path: string;
  url: URL;
  params: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  /** The route pattern that matched, for counters. */
  route: string;
  raw: http.IncomingMessage;
}

export interface Response {
  status: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as-is; undefined sends an empty body. */
  body?: unknown;
}

export type Handler = (req: Request) => Response | Promise<Response>;

interface Route {
  method: string;
  pattern: string;
  regex: RegExp;
  names: string[];
  handler: Handler;
  /** False for a route that only answers 405 (left out of allowedMethods). */
  listed?: boolean;
}

export interface RouteOptions {
  /** The route only refuses its method (405): left out of the methods a preflight or Allow names. */
  refusal?: boolean;
}

export class Router {
  private routes: Route[] = [];

  /** `pattern` uses `:name` segments; a trailing `*` matches the rest of the path. */
  on(method: string, pattern: string, handler: Handler, options: RouteOptions = {}): this {
    const names: string[] = [];
    const source = pattern
      .split('/')
      .map((seg) => {
        if (seg === '*') {
          names.push('rest');
          return '(.*)';
        }
        if (seg.startsWith(':')) {
          names.push(seg.slice(1));
          return '([^/]+)';
        }
        return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    this.routes.push({ method: method.toUpperCase(), pattern, regex: new RegExp(`^${source}/?$`), names, handler, listed: !options.refusal });
    return this;
  }

  match(method: string, path: string): { route: Route; params: Record<string, string> } | { allowed: string[] } | null {
    const allowed: string[] = [];
    for (const route of this.routes) {
      const m = route.regex.exec(path);
      if (!m) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      const params: Record<string, string> = {};
      route.names.forEach((n, i) => (params[n] = safeDecode(m[i + 1])));
      return { route, params };
    }
    return allowed.length ? { allowed } : null;
  }

  /** The methods routed for `path` (none: an unknown path). */
  allowedMethods(path: string): string[] {
    return [...new Set(this.routes.filter((r) => r.listed !== false && r.regex.test(path)).map((r) => r.method))];
  }
}

/** A service's own CORS rules (the CRM plays Oro's, cors.ts); without one, localhost origins get everything. */
export interface CorsPolicy {
  /** Headers added to the answer to `req`. */
  headers(req: Request): Record<string, string>;
  /** The whole answer to an OPTIONS request, or null to route it like any other request. */
  options(req: Request, allowedMethods: string[]): Response | null;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export interface ServeOptions {
  name: string;
  router: Router;
  port?: number;
  host?: string;
  faults?: Partial<FaultKnobs>;
  /** Extra origins allowed by the default CORS; localhost origins are always allowed. Ignored with `cors`. */
  corsOrigins?: string[];
  /** The service's own CORS rules instead of the default. */
  cors?: CorsPolicy;
  /** The body for a route that does not exist, in the service's own error shape. */
  notFound: (req: Request) => Response;
  /** The body for an unexpected failure, in the service's own error shape. */
  internalError: (req: Request, error: unknown) => Response;
  /** The 400 for a request target that is no URL at all, in the service's own error shape. */
  badRequest: (message: string) => Response;
  maxBodyBytes?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  faults: Faults;
  server: http.Server;
  close(): Promise<void>;
}

const CONTROL_PREFIX = '/_control/';

export async function serve(options: ServeOptions): Promise<RunningServer> {
  const faults = new Faults(options.faults);
  const maxBody = options.maxBodyBytes ?? 20 * 1024 * 1024;

  const server = http.createServer((rawReq, rawRes) => {
    void handle(rawReq, rawRes).catch((error) => {
      // Last resort: the handler wrapper failed itself.
      if (!rawRes.headersSent) {
        rawRes.writeHead(500, { 'Content-Type': 'application/json' });
        rawRes.end(JSON.stringify({ error: String(error) }));
      } else rawRes.destroy();
    });
  });

  async function handle(rawReq: http.IncomingMessage, rawRes: http.ServerResponse): Promise<void> {
    const method = (rawReq.method ?? 'GET').toUpperCase();
    const url = requestUrl(rawReq.url ?? '/');
    if (!url) {
      faults.count(`${method} (unrouted)`, 400);
      const cors = options.cors ? {} : corsHeaders(rawReq.headers.origin, options.corsOrigins ?? []);
      return send(rawRes, withCors(options.badRequest(`The request target "${rawReq.url}" is not a valid URL.`), cors));
    }
    const rawBody = await readBody(rawReq, maxBody).catch(() => null);
    const req: Request = { method, path: url.pathname, url, params: {}, headers: rawReq.headers, rawBody: rawBody ?? '', route: '', raw: rawReq };
    const cors = options.cors ? options.cors.headers(req) : corsHeaders(rawReq.headers.origin, options.corsOrigins ?? []);

    if (method === 'OPTIONS') {
      if (!options.cors) return send(rawRes, { status: 204, headers: cors });
      const answer = options.cors.options(req, options.router.allowedMethods(url.pathname));
      if (answer) {
        faults.count('OPTIONS (cors)', answer.status);
        return send(rawRes, answer);
      }
    }
    if (rawBody === null) return send(rawRes, { status: 413, headers: cors, body: { error: 'body too large' } });

    if (url.pathname.startsWith(CONTROL_PREFIX)) return send(rawRes, withCors(controlRoute(req, faults), cors));

    const matched = options.router.match(method, url.pathname);
    req.route = matched && 'route' in matched ? `${method} ${matched.route.pattern}` : `${method} (unrouted)`;
    const injected = await faults.before(req.route, url.pathname);
    if (injected === 'drop') {
      rawReq.socket.destroy();
      return;
    }
    let response: Response;
    try {
      if (injected) response = injected;
      else if (!matched) response = options.notFound(req);
      else if ('allowed' in matched) response = { ...options.notFound(req), status: 405, headers: { Allow: matched.allowed.join(', ') } };
      else {
        req.params = matched.params;
        response = await matched.route.handler(req);
      }
    } catch (error) {
      response = options.internalError(req, error);
    } finally {
      faults.after();
    }
    // The handler ran (a write is stored); only its answer goes missing.
    if (!injected && faults.loseResponse(req.route)) {
      faults.count(req.route, 0);
      rawReq.socket.destroy();
      return;
    }
    faults.count(req.route, response.status);
    send(rawRes, withCors(response, cors));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    faults,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const ORIGIN = 'http://127.0.0.1';

/**
 * The request target as a URL, or null when it is none. An origin-form target keeps its path as sent:
 * `new URL('//x/api', base)` would read `x` as a host (and `//` alone throws).
 */
function requestUrl(target: string): URL | null {
  try {
    return target.startsWith('/') ? new URL(`${ORIGIN}${target}`) : new URL(target, ORIGIN);
  } catch {
    return null;
  }
}

function controlRoute(req: Request, faults: Faults): Response {
  if (req.path === '/_control/faults' && req.method === 'POST') {
    let knobs: unknown;
    try {
      knobs = req.rawBody ? JSON.parse(req.rawBody) : {};
    } catch {
      return { status: 400, body: { error: 'faults body must be JSON' } };
    }
    const problem = faults.configure(knobs);
    if (problem) return { status: 400, body: { error: problem } };
    return { status: 200, body: faults.knobs() };
  }
  if (req.path === '/_control/faults' && req.method === 'GET') return { status: 200, body: faults.knobs() };
  if (req.path === '/_control/stats' && req.method === 'GET') return { status: 200, body: faults.stats() };
  if (req.path === '/_control/stats' && req.method === 'DELETE') {
    faults.resetStats();
    return { status: 204 };
  }
  return { status: 404, body: { error: `no control route ${req.method} ${req.path}` } };
}

function corsHeaders(origin: string | undefined, extra: string[]): Record<string, string> {
  if (!origin) return {};
  let allowed = extra.includes(origin);
  try {
    const host = new URL(origin).hostname;
    allowed ||= host === 'localhost' || host === '127.0.0.1';
  } catch {
    allowed = false;
  }
  if (!allowed) return {};
  return {
    'Access-Control-Allow-Origin': origin,
    Vary: 'Origin',
    'Access-Control-Allow-Methods': 'GET, POST, PATCH, PUT, DELETE, OPTIONS',
    'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept, If-Match, Prefer, X-Include, X-Mode, client-request-id',
    'Access-Control-Expose-Headers': 'ETag, Location, Retry-After, X-Include-Total-Count, Content-Location, Preference-Applied',
    'Access-Control-Max-Age': '600',
  };
}

function withCors(response: Response, cors: Record<string, string>): Response {
  return { ...response, headers: { ...cors, ...(response.headers ?? {}) } };
}

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error('too large'));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, response: Response): void {
  const headers: Record<string, string> = { ...(response.headers ?? {}) };
  let payload = '';
  if (response.body !== undefined && response.status !== 204 && response.status !== 304) {
    if (typeof response.body === 'string') payload = response.body;
    else {
      payload = JSON.stringify(response.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    }
  }
  headers['Content-Length'] = String(Buffer.byteLength(payload));
  res.writeHead(response.status, headers);
  res.end(payload);
}

/** Parses `--port 1234 --db file` style flags. */
export function parseFlags(argv: string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) continue;
    const [name, inline] = arg.slice(2).split('=', 2);
    if (inline !== undefined) flags[name] = inline;
    else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) flags[name] = argv[++i];
    else flags[name] = 'true';
  }
  return flags;
}
