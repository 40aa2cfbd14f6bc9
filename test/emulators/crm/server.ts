// The OroCRM API emulator: real HTTP on 127.0.0.1, state in one SQLite file.
// Core routes: OAuth (auth.ts), the stock configuration API (configuration.ts), the outlooksettings
// extension (outlooksettings.ts); entity APIs come from entities/.
import { Router, serve, type Handler, type RouteOptions, type Request, type Response, type RunningServer } from '../common/http';
import type { FaultKnobs } from '../common/faults';
import type { CrmContext } from './context';
import { OAuthServer } from './auth';
import { AuthorizationEndpoint, registerUserProfileRoute } from './authorize';
import { isSeeded, migrateCore, openDatabase, seedCore, seedIntegrationUser } from './db';
import { registerConfigurationRoutes } from './configuration';
import { registerOutlookSettingsRoutes } from './outlooksettings';
import { registerOutlookSyncLeaseRoutes } from './outlooksynclease';
import { registerOutlookSyncStateRoutes } from './outlooksyncstate';
import { registerOutlookSyncUserRoutes } from './outlooksyncusers';
import { errorOf, errorResponse, jsonApi, problem, UNAUTHORIZED } from './jsonapi';
import { migrateEntities, registerEntityRoutes, seedEntities } from './entities';
import { DEMO_PASSWORD_CLIENT } from '../demo-data';
import { apiAccessRefusal } from './oauth-clients';
import { addinCors, ORO_API_CORS_DEFAULTS, ORO_OAUTH_CORS_DEFAULTS, oroCorsPolicy, type OroApiCors, type OroOAuthCors } from './cors';
import { DEFAULT_ORO_VERSION, featuresOf, gateForRelease, parseOroVersion, type ReleaseFeatures } from './release';

export interface CrmEmulatorOptions {
  dbFile: string;
  port?: number;
  faults?: Partial<FaultKnobs>;
  /** The emulator's clock (token expiry, timestamps); tests may move it. */
  now?: () => Date;
  /**
   * The add-in's origins, configured as docs/setup.md asks an administrator to (cors.ts addinCors): on
   * oro_api.cors and the token endpoint's list, with the headers the pane needs. Without it, `cors` and
   * `oauthCors` apply; without those, Oro's defaults: no origin is allowed.
   */
  corsOrigins?: string[];
  /** `oro_api.cors` exactly (merged over Oro's defaults); ignored when corsOrigins is given. */
  cors?: Partial<OroApiCors>;
  /** `oro_oauth2_server.authorization_server.cors` exactly; ignored when corsOrigins is given. */
  oauthCors?: Partial<OroOAuthCors>;
  /** The Oro release to play, e.g. "7.0" (the default), "6.1" (= 6.1.10), "6.0.3"; see release.ts. */
  oroVersion?: string;
  /**
   * A stock Oro without our extension: outlooksettings, outlooksynclease and outlooksyncstate answer 404,
   * and so does the `outlook` configuration section (Oro 5–7 has none).
   */
  stockOro?: boolean;
}

export type CrmEmulator = RunningServer & { ctx: CrmContext };

type RouteMatch = ReturnType<Router['match']>;
type MatchedRoute = Extract<NonNullable<RouteMatch>, { route: unknown }>['route'];

/** Every /api/* route needs a valid Bearer token; without one Oro answers 401 with an empty body (oro-api.md §4). */
class ApiRouter extends Router {
  constructor(
    /** The token's user and OAuth application, or null. */
    private readonly authenticate: (req: Request) => { clientId: string } | null,
    /** Oro's refusal when the token's application may not use this API (oauth-clients.ts), or null. */
    private readonly apiAccess: (clientId: string, path: string) => Response | null,
    /** What the played release lacks is refused after the token check, as Oro's firewall runs first. */
    private readonly features: ReleaseFeatures,
  ) {
    super();
  }

  override on(method: string, pattern: string, handler: Handler, options?: RouteOptions): this {
    return super.on(method, pattern, this.guard(pattern, handler), options);
  }

  /**
   * A known path with another method: Oro's firewall still answers first (401 on /api without a token),
   * then 405 `action not allowed exception` with Allow, in the JSON:API error shape.
   */
  override match(method: string, path: string): RouteMatch {
    const found = super.match(method, path);
    if (!found || !('allowed' in found)) return found;
    const allow = found.allowed.join(', ');
    const notAllowed: Handler = () =>
      errorResponse([problem(405, 'action not allowed exception', `The ${method} method is not allowed here; use ${allow}.`)], { Allow: allow });
    const route: MatchedRoute = { method, pattern: '(method not allowed)', regex: /^$/, names: [], handler: this.guard(path, notAllowed) };
    return { route, params: {} };
  }

  private guard(pattern: string, handler: Handler): Handler {
    if (!pattern.startsWith('/api/')) return handler;
    const gated = gateForRelease(this.features, handler);
    return (req) => {
      const token = this.authenticate(req);
      if (!token) return UNAUTHORIZED;
      return this.apiAccess(token.clientId, req.path) ?? gated(req);
    };
  }
}

export async function createCrmEmulator(options: CrmEmulatorOptions): Promise<CrmEmulator> {
  const now = options.now ?? (() => new Date());
  const release = parseOroVersion(options.oroVersion ?? DEFAULT_ORO_VERSION);
  const db = openDatabase(options.dbFile);
  try {
    migrateCore(db);
    migrateEntities(db);
    if (!isSeeded(db)) {
      seedCore(db, now());
      seedEntities(db);
    }
    seedIntegrationUser(db);
  } catch (error) {
    db.close();
    throw error;
  }

  const oauth = new OAuthServer(db, now);
  let baseUrl = '';
  // faults is filled in once serve() has created it; handlers only read it while serving.
  const ctx: CrmContext = {
    db,
    faults: undefined as unknown as CrmContext['faults'],
    now,
    authenticate: (req) => oauth.authenticate(req),
    baseUrl: () => baseUrl,
  };

  const router = new ApiRouter((req) => oauth.authenticate(req), (clientId, path) => apiAccessRefusal(db, clientId, path), featuresOf(release));
  // The authorization_code grant answers first; every other grant falls through to auth.ts.
  new AuthorizationEndpoint(db, now).register(router, (req) => oauth.tokenEndpoint(req));
  oauth.register(router);
  registerUserProfileRoute(router, db, (req) => ctx.authenticate(req));
  registerConfigurationRoutes(router, ctx, { outlookSection: !options.stockOro });
  if (!options.stockOro) {
    registerOutlookSyncUserRoutes(router, ctx);
    registerOutlookSettingsRoutes(router, ctx);
    registerOutlookSyncLeaseRoutes(router, ctx);
    registerOutlookSyncStateRoutes(router, ctx);
  }
  registerEntityRoutes(router, ctx);

  let running: RunningServer;
  try {
    running = await serve({
      name: 'crm',
      router,
      port: options.port,
      host: '127.0.0.1',
      faults: options.faults,
      cors: corsPolicyOf(options),
      notFound: (req) => notFound(ctx, req),
      internalError: (_req, error) => internalError(error),
      badRequest: (message) => errorOf(400, 'bad request http exception', message),
    });
  } catch (error) {
    db.close();
    throw error;
  }
  ctx.faults = running.faults;
  baseUrl = running.url;
  running.faults.throttledBody = (retryAfter) => ({
    errors: [problem(429, 'too many requests http exception', `Too many requests; retry after ${retryAfter} seconds.`)],
  });
  running.faults.unavailableBody = () => ({
    errors: [problem(503, 'service unavailable http exception', 'The service is temporarily unavailable; try again later.')],
  });

  const closeServer = running.close;
  return {
    ...running,
    ctx,
    close: async () => {
      await closeServer();
      if (db.open) db.close();
    },
  };
}

function corsPolicyOf(options: CrmEmulatorOptions) {
  if (options.corsOrigins?.length) {
    const { api, oauth } = addinCors(options.corsOrigins);
    return oroCorsPolicy(api, oauth);
  }
  return oroCorsPolicy({ ...ORO_API_CORS_DEFAULTS, ...options.cors }, { ...ORO_OAUTH_CORS_DEFAULTS, ...options.oauthCors });
}

/** Unknown /api routes still need a token first (Oro's firewall runs before routing). */
function notFound(ctx: CrmContext, req: Request): Response {
  if (req.path.startsWith('/api/') && !ctx.authenticate(req)) return UNAUTHORIZED;
  return errorOf(404, 'not found http exception', `No route found for "${req.method} ${req.path}".`);
}

/** A failure nobody expected: Oro's JSON:API 500 shape; the server stays up. */
function internalError(error: unknown): Response {
  const detail = error instanceof Error ? error.message : String(error);
  return jsonApi(500, { errors: [problem(500, 'runtime exception', `Internal error: ${detail}`)] });
}

/** Test helper: an access token for `username` via the password grant of the runner's demo application (demo passwords equal usernames). */
export async function tokenFor(emulator: { url: string }, username: string, password = username): Promise<string> {
  const tokens = await tokensFor(emulator, username, password);
  return tokens.access_token;
}

/** Test helper: the whole token response of the password grant. */
export async function tokensFor(
  emulator: { url: string },
  username: string,
  password = username,
): Promise<{ access_token: string; refresh_token: string; expires_in: number; token_type: string }> {
  const res = await fetch(`${emulator.url}/oauth2-token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', client_id: DEMO_PASSWORD_CLIENT.id, client_secret: DEMO_PASSWORD_CLIENT.secret, username, password }).toString(),
  });
  if (!res.ok) throw new Error(`password grant for ${username} failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { access_token: string; refresh_token: string; expires_in: number; token_type: string };
}
