// What every Graph route module receives, and the wrapper that authenticates a caller and resolves the
// mailbox of `/me/...` or `/users/{id|upn}/...`. A delegated token reaches its own user's mailbox only;
// an app-only token (client credentials) reaches any mailbox of the tenant through `/users/{id|upn}`,
// for the resources whose application permission an administrator granted, and never `/me`.
import type { Faults } from '../common/faults';
import type { Admission } from './admission';
import type { Handler, Request, Response, Router } from '../common/http';
import { GraphError, mailboxBudgetResponse, mailboxConcurrencyResponse, toResponse } from './errors';
import type { GraphCaller, GraphStore, GraphUser } from './store';

export interface GraphContext {
  store: GraphStore;
  faults: Faults;
  now(): Date;
  /** e.g. http://127.0.0.1:4200, for nextLink/deltaLink/Location. */
  baseUrl(): string;
  admission: Admission;
}

export interface GraphRequest extends Request {
  caller: GraphCaller;
  mailbox: GraphUser;
  /** `/v1.0/me` or `/v1.0/users/{id}` exactly as the caller wrote it, to build links the same way. */
  rootPath: string;
}

export type GraphHandler = (req: GraphRequest) => Response | Promise<Response>;

export function bearerToken(req: { headers: Request['headers'] }): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m ? m[1] : null;
}

export function authenticate(ctx: GraphContext, req: Request): GraphCaller {
  const token = bearerToken(req);
  if (!token) throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
  const { caller, expired } = ctx.store.tokenCaller(token, ctx.now().getTime());
  if (expired) throw new GraphError(401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.');
  if (!caller) throw new GraphError(401, 'InvalidAuthenticationToken', 'IDX14100: JWT is not well formed, there are no dots (.).');
  return caller;
}

/**
 * The application permissions that allow `method` on a mailbox path suffix (the pages' permission
 * tables: Contacts.ReadWrite / Contacts.Read, Calendars.ReadWrite / Calendars.Read, Tasks.ReadWrite.All /
 * Tasks.Read.All (todotasklist-post-tasks-permissions.md), User.Read.All for the user itself).
 */
export function applicationPermissionsFor(method: string, suffix: string): string[] {
  const read = method === 'GET';
  if (/^\/(contacts|contactFolders)/.test(suffix)) return read ? ['Contacts.Read', 'Contacts.ReadWrite'] : ['Contacts.ReadWrite'];
  if (/^\/(events|calendar|calendars|calendarView)/.test(suffix)) return read ? ['Calendars.Read', 'Calendars.ReadWrite'] : ['Calendars.ReadWrite'];
  if (suffix.startsWith('/todo')) return read ? ['Tasks.Read.All', 'Tasks.ReadWrite.All'] : ['Tasks.ReadWrite.All'];
  return ['User.Read.All', 'User.ReadWrite.All'];
}

/** The mailbox a path under /v1.0 names through `/users/{id|upn}`, or null (`/me`, `$batch`, anything else). */
export function mailboxOfPath(store: GraphStore, path: string): GraphUser | null {
  const m = /^\/v1\.0\/users\/([^/]+)/.exec(path);
  if (!m) return null;
  let key: string;
  try {
    key = decodeURIComponent(m[1]);
  } catch {
    return null;
  }
  return store.findUser(key);
}

/** Requests in flight are counted per mailbox: the token's own user, or for an app the mailbox in the path. */
export function admissionKey(store: GraphStore, caller: GraphCaller | null, path: string): string | null {
  if (!caller) return null;
  if (caller.kind === 'user') return caller.user.id;
  return mailboxOfPath(store, path)?.id ?? null;
}

export function withGraphErrors(handler: Handler): Handler {
  return async (req) => {
    try {
      return await handler(req);
    } catch (error) {
      if (error instanceof GraphError) return toResponse(error, clientRequestId(req));
      throw error;
    }
  };
}

export function clientRequestId(req: Request): string | undefined {
  const v = req.headers['client-request-id'];
  return typeof v === 'string' ? v : undefined;
}

/** Registers `handler` for `/v1.0/me<suffix>` and `/v1.0/users/:user<suffix>`. */
export function mailboxRoute(router: Router, ctx: GraphContext, method: string, suffix: string, handler: GraphHandler): void {
  const wrap =
    (viaUsers: boolean): Handler =>
    (req) => {
      const caller = authenticate(ctx, req);
      const refusal = ctx.admission.refusal(req.raw);
      if (refusal?.reason === 'budget') return mailboxBudgetResponse(refusal.retryAfterSeconds);
      if (refusal) {
        ctx.faults.noteConcurrency429();
        return mailboxConcurrencyResponse(ctx.faults.knobs().retryAfterSeconds);
      }
      if (!viaUsers) {
        // App-only tokens have no signed-in user (microsoftgraph/msgraph-sdk-php#1163: 400 BadRequest).
        if (caller.kind === 'app') throw new GraphError(400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
        return handler({ ...req, caller, mailbox: caller.user, rootPath: '/v1.0/me' });
      }
      const found = ctx.store.findUser(req.params.user);
      if (!found) throw new GraphError(404, 'ErrorInvalidUser', `The requested user '${req.params.user}' is invalid.`);
      const allowed = caller.kind === 'user' ? found.id === caller.user.id : applicationPermissionsFor(method, suffix).some((p) => caller.app.roles.includes(p));
      if (!allowed) throw new GraphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
      return handler({ ...req, caller, mailbox: found, rootPath: `/v1.0/users/${encodeURIComponent(req.params.user)}` });
    };
  router.on(method, `/v1.0/me${suffix}`, withGraphErrors(wrap(false)));
  router.on(method, `/v1.0/users/:user${suffix}`, withGraphErrors(wrap(true)));
}
