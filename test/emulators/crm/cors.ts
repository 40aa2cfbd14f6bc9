// Oro's CORS, as its sources do it (issue 11 #2). Oro answers CORS only on two kinds of path:
//
// - its JSON:API, `^/api/(?!(rest|doc)($|/.*))` (oroinc/platform ApiBundle `rest_api_pattern`), from
//   `oro_api.cors`: Processor/Shared/Rest/SetCorsAllowOrigin (an exact match in allow_origins),
//   SetCorsAllowAndExposeHeaders (Allow-Headers "Authorization,Content-Type,X-Include" + allow_headers on a
//   preflight; Expose-Headers "Location,X-Include-Total-Count,X-Include-Deleted-Count" + expose_headers;
//   Allow-Credentials only when allow_credentials), Processor/Options/Rest/SetCorsAllowMethods (the
//   resource's Allow header, which it then drops) and SetCorsMaxAge (preflight_max_age, default 600).
//   OPTIONS passes the `api_options` firewall without a token (ApiBundle Resources/config/oro/app.yml).
// - the token endpoint `/oauth2-token`, from `oro_oauth2_server.authorization_server.cors`
//   (oroinc/oauth2-server Controller/AuthorizationTokenController: Allow-Origin on an exact match;
//   a preflight gets Allow-Methods "OPTIONS, POST", Allow-Headers "Content-Type" + allow_headers, Max-Age).
//
// Everything else gets none: the legacy REST API `/api/rest/*` (calendar events, audits, calendars/default)
// and `/api/doc` sit behind the `old_api_secured` firewall, so even a preflight gets 401 without CORS
// headers, and a browser can never read them. `Date` is never exposed. Defaults are Oro's: no origin at all.
import type { CorsPolicy, Request, Response } from '../common/http';

/** `oro_api.cors` (ApiBundle DependencyInjection/Configuration, documentation backend/api/cors). */
export interface OroApiCors {
  allowOrigins: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  preflightMaxAge: number;
  allowCredentials: boolean;
}

/** `oro_oauth2_server.authorization_server.cors` (OAuth2ServerBundle DependencyInjection/Configuration). */
export interface OroOAuthCors {
  allowOrigins: string[];
  allowHeaders: string[];
  preflightMaxAge: number;
}

export const ORO_API_CORS_DEFAULTS: OroApiCors = { allowOrigins: [], allowHeaders: [], exposeHeaders: [], preflightMaxAge: 600, allowCredentials: false };
export const ORO_OAUTH_CORS_DEFAULTS: OroOAuthCors = { allowOrigins: [], allowHeaders: [], preflightMaxAge: 600 };

/** The headers Oro itself allows and exposes on its JSON:API, before any configuration. */
export const ORO_API_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'X-Include'];
export const ORO_API_EXPOSED_HEADERS = ['Location', 'X-Include-Total-Count', 'X-Include-Deleted-Count'];

/**
 * What docs/setup.md asks an administrator to configure for the add-in: its origin on both lists, the
 * headers the pane sends beyond Oro's own (X-Mode for the synchronous batch; If-Match / If-None-Match for
 * our extension's conditional writes) and the one it reads (ETag). Keep the two in step.
 */
export function addinCors(origins: string[]): { api: OroApiCors; oauth: OroOAuthCors } {
  return {
    api: { ...ORO_API_CORS_DEFAULTS, allowOrigins: [...origins], allowHeaders: ['X-Mode', 'If-Match', 'If-None-Match'], exposeHeaders: ['ETag'] },
    oauth: { ...ORO_OAUTH_CORS_DEFAULTS, allowOrigins: [...origins] },
  };
}

const JSON_API_PATH = /^\/api\/(?!(rest|doc)($|\/.*))/;
const TOKEN_PATH = /^\/oauth2-token\/?$/;

/** A request from another origin (Oro: Origin present and not the request's own scheme + host). */
function crossOrigin(req: Request): string | null {
  const origin = req.headers.origin;
  if (typeof origin !== 'string' || !origin) return null;
  const own = `http://${req.headers.host ?? ''}`;
  return origin === own ? null : origin;
}

const isPreflight = (req: Request) => req.method === 'OPTIONS' && typeof req.headers['access-control-request-method'] === 'string';

export function oroCorsPolicy(api: OroApiCors, oauth: OroOAuthCors): CorsPolicy {
  const apiHeaders = (req: Request): Record<string, string> => {
    const origin = crossOrigin(req);
    if (!origin) return {};
    const headers: Record<string, string> = {};
    if (api.allowOrigins.includes(origin)) headers['Access-Control-Allow-Origin'] = origin;
    if (isPreflight(req)) headers['Access-Control-Allow-Headers'] = [...ORO_API_ALLOWED_HEADERS, ...api.allowHeaders].join(',');
    headers['Access-Control-Expose-Headers'] = [...ORO_API_EXPOSED_HEADERS, ...api.exposeHeaders].join(',');
    if (api.allowCredentials) headers['Access-Control-Allow-Credentials'] = 'true';
    return headers;
  };
  const tokenHeaders = (req: Request): Record<string, string> => {
    const origin = crossOrigin(req);
    return origin && oauth.allowOrigins.includes(origin) ? { 'Access-Control-Allow-Origin': origin } : {};
  };

  return {
    headers(req) {
      if (JSON_API_PATH.test(req.path)) return apiHeaders(req);
      if (TOKEN_PATH.test(req.path)) return tokenHeaders(req);
      return {};
    },

    options(req, allowedMethods): Response | null {
      if (TOKEN_PATH.test(req.path)) return tokenOptions(req, oauth, tokenHeaders(req));
      if (!JSON_API_PATH.test(req.path)) return null; // routed as any request: /api/rest answers 401 first
      // The `options` action of a known resource; an unknown one is routed (404, as Oro).
      if (allowedMethods.length === 0) return null;
      const allow = ['OPTIONS', ...allowedMethods.filter((m) => m !== 'OPTIONS')].join(', ');
      const headers = apiHeaders(req);
      if (!isPreflight(req) || !crossOrigin(req)) return { status: 200, headers: { ...headers, Allow: allow } };
      headers['Access-Control-Allow-Methods'] = allow;
      if (api.preflightMaxAge > 0) {
        headers['Access-Control-Max-Age'] = String(api.preflightMaxAge);
        headers['Cache-Control'] = `max-age=${api.preflightMaxAge}, public`;
        headers.Vary = 'Origin';
      }
      return { status: 200, headers };
    },
  };
}

function tokenOptions(req: Request, oauth: OroOAuthCors, cors: Record<string, string>): Response {
  if (!crossOrigin(req) || !isPreflight(req)) return { status: 200, headers: { ...cors, Allow: 'OPTIONS, POST' } };
  const headers: Record<string, string> = { ...cors, 'Access-Control-Allow-Methods': 'OPTIONS, POST', 'Access-Control-Allow-Headers': ['Content-Type', ...oauth.allowHeaders].join(',') };
  if (oauth.preflightMaxAge > 0) {
    headers['Access-Control-Max-Age'] = String(oauth.preflightMaxAge);
    headers['Cache-Control'] = `max-age=${oauth.preflightMaxAge}, public`;
    headers.Vary = 'Origin';
  }
  return { status: 200, headers };
}
