// What every Graph route module receives, and the wrapper that authenticates a caller and resolves the
// mailbox of `/me/...` or `/users/{id|upn}/...` (a mailbox is visible to its own user only).
import type { Faults } from '../common/faults';
import type { Admission } from './admission';
import type { Handler, Request, Response, Router } from '../common/http';
import { GraphError, mailboxBudgetResponse, mailboxConcurrencyResponse, toResponse } from './errors';
import type { GraphStore, GraphUser } from './store';

export interface GraphContext {
  store: GraphStore;
  faults: Faults;
  now(): Date;
  /** e.g. http://127.0.0.1:4200, for nextLink/deltaLink/Location. */
  baseUrl(): string;
  admission: Admission;
}

export interface GraphRequest extends Request {
  caller: GraphUser;
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

export function authenticate(ctx: GraphContext, req: Request): GraphUser {
  const token = bearerToken(req);
  if (!token) throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
  const { user, expired } = ctx.store.tokenUser(token, 'access', ctx.now().getTime());
  if (expired) throw new GraphError(401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.');
  if (!user) throw new GraphError(401, 'InvalidAuthenticationToken', 'IDX14100: JWT is not well formed, there are no dots (.).');
  return user;
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
      let mailbox = caller;
      let rootPath = '/v1.0/me';
      if (viaUsers) {
        const found = ctx.store.findUser(req.params.user);
        if (!found) throw new GraphError(404, 'ErrorInvalidUser', `The requested user '${req.params.user}' is invalid.`);
        if (found.id !== caller.id) throw new GraphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
        mailbox = found;
        rootPath = `/v1.0/users/${encodeURIComponent(req.params.user)}`;
      }
      return handler({ ...req, caller, mailbox, rootPath });
    };
  router.on(method, `/v1.0/me${suffix}`, withGraphErrors(wrap(false)));
  router.on(method, `/v1.0/users/:user${suffix}`, withGraphErrors(wrap(true)));
}
