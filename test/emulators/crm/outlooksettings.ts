// The `outlooksettings` extension (issue 2 §3; documented in README.md beside this file): read and
// patch the MS Outlook settings at one scope, with inheritance shown per attribute and an ETag.
// On a real Oro this would be a small server-side bundle; a stock Oro answers 404 here.
import type { Request, Response, Router } from '../common/http';
import {
  isScope,
  isSettingKey,
  resolveSettings,
  validateSetting,
  type Scope,
  type SettingKey,
  type SettingValue,
} from '../../../src/settings';
import type { CrmContext, CrmUser } from './context';
import { readRows, representationVersion, scopeRefs, toChain, writeScope, type ScopeWrite } from './config-store';
import {
  accessDenied,
  checkAccept,
  checkContentType,
  errorOf,
  errorResponse,
  jsonApi,
  notFoundEntity,
  parseJsonBody,
  problem,
  UNAUTHORIZED,
  type ErrorObject,
} from './jsonapi';
import { actingUser } from './permissions';

export const RESOURCE_TYPE = 'outlooksettings';

/** Fields a client may send per attribute; the read-only ones are accepted (a GET echoed back) and ignored. */
const WRITABLE_FIELDS = ['value', 'useParentScope'];
const READ_ONLY_FIELDS = ['parentValue', 'parentScope'];

export function registerOutlookSettingsRoutes(router: Router, ctx: CrmContext): void {
  router.on('GET', '/api/outlooksettings/:scope', (req) => get(ctx, req));
  router.on('PATCH', '/api/outlooksettings/:scope', (req) => patch(ctx, req));
}

function get(ctx: CrmContext, req: Request): Response {
  const caller = ctx.authenticate(req);
  if (!caller) return UNAUTHORIZED;
  const acting = actingUser(ctx, req, caller); // the sync server names ?user=<id>
  if ('response' in acting) return acting.response;
  const user = acting.user;
  const scope = req.params.scope;
  if (!isScope(scope)) return notFoundEntity();
  const notAcceptable = checkAccept(req);
  if (notAcceptable) return notAcceptable;
  const etag = etagOf(ctx, user, scope);
  if (matches(req.headers['if-none-match'], etag)) return { status: 304, headers: { ETag: etag } };
  return document(ctx, user, scope, 200);
}

/** Checks run in Oro's order: auth, resource, media type, document shape, access, precondition, values. */
function patch(ctx: CrmContext, req: Request): Response {
  const caller = ctx.authenticate(req);
  if (!caller) return UNAUTHORIZED;
  const acting = actingUser(ctx, req, caller); // the sync server names ?user=<id>
  if ('response' in acting) return acting.response;
  const user = acting.user;
  const scope = req.params.scope;
  if (!isScope(scope)) return notFoundEntity();
  const badType = checkContentType(req) ?? checkAccept(req);
  if (badType) return badType;
  const parsed = parseJsonBody(req);
  if (!parsed.ok) return parsed.response;

  const shape = checkDocument(parsed.body, scope);
  if ('response' in shape) return shape.response;

  if (scope !== 'user' && !user.isAdmin) {
    return accessDenied(`Only administrators can change the ${scope} MS Outlook settings.`);
  }

  const ifMatch = req.headers['if-match'];
  if (ifMatch !== undefined) {
    const etag = etagOf(ctx, user, scope);
    if (!matches(ifMatch, etag)) {
      return errorOf(412, 'precondition failed http exception', `The settings were changed since they were read (current ETag ${etag}); read them again and retry.`);
    }
  }

  const writes = checkAttributes(shape.attributes);
  if ('errors' in writes) return errorResponse(writes.errors);

  writeScope(ctx.db, scopeRefs(user)[scope], writes.write, ctx.now());
  return document(ctx, user, scope, 200);
}

/** The primary data object's shape (Oro's `request data constraint` / `conflict constraint`), all problems at once. */
function checkDocument(body: unknown, scope: Scope): { attributes: Record<string, unknown> } | { response: Response } {
  if (!isObject(body) || !('data' in body)) {
    return { response: errorOf(400, 'request data constraint', 'The primary data object should exist.', { pointer: '/data' }) };
  }
  const data = body.data;
  if (!isObject(data)) {
    return { response: errorOf(400, 'request data constraint', 'The primary data object should be an object.', { pointer: '/data' }) };
  }
  const bad: ErrorObject[] = [];
  const conflicts: ErrorObject[] = [];
  if (data.type === undefined || data.type === null || data.type === '') {
    bad.push(problem(400, 'request data constraint', "The 'type' property is required.", { pointer: '/data/type' }));
  } else if (data.type !== RESOURCE_TYPE) {
    conflicts.push(problem(409, 'conflict constraint', `The 'type' property of the primary data object should be "${RESOURCE_TYPE}".`, { pointer: '/data/type' }));
  }
  if (data.id === undefined || data.id === null || data.id === '') {
    bad.push(problem(400, 'request data constraint', "The 'id' property is required.", { pointer: '/data/id' }));
  } else if (data.id !== scope) {
    conflicts.push(problem(409, 'conflict constraint', `The 'id' property of the primary data object should match the "${scope}" in the URL.`, { pointer: '/data/id' }));
  }
  const attributes = data.attributes ?? {};
  if (!isObject(attributes)) {
    bad.push(problem(400, 'request data constraint', "The 'attributes' property should be an object.", { pointer: '/data/attributes' }));
  }
  if (bad.length) return { response: errorResponse(bad) };
  if (conflicts.length) return { response: errorResponse(conflicts) };
  return { attributes: attributes as Record<string, unknown> };
}

/** Validates every attribute with the shared settings validation; reports every problem or none. */
function checkAttributes(attributes: Record<string, unknown>): { write: ScopeWrite } | { errors: ErrorObject[] } {
  const errors: ErrorObject[] = [];
  const write: ScopeWrite = {};
  for (const [key, attr] of Object.entries(attributes)) {
    const at = `/data/attributes/${key}`;
    if (!isSettingKey(key)) {
      const v = validateSetting(key, undefined);
      errors.push(problem(400, 'extra fields constraint', v.ok ? `"${key}" is not an MS Outlook setting.` : v.problem.message, { pointer: at }));
      continue;
    }
    if (!isObject(attr)) {
      errors.push(problem(400, 'request data constraint', `${key}: expected an object such as {"value": …, "useParentScope": false}.`, { pointer: at }));
      continue;
    }
    for (const field of Object.keys(attr)) {
      if (!WRITABLE_FIELDS.includes(field) && !READ_ONLY_FIELDS.includes(field)) {
        errors.push(problem(400, 'extra fields constraint', `${key}: "${field}" is not a field of a setting; use "value" and "useParentScope".`, { pointer: `${at}/${field}` }));
      }
    }
    const useParent = attr.useParentScope;
    if (useParent !== undefined && typeof useParent !== 'boolean') {
      errors.push(problem(400, 'type constraint', `${key}: "useParentScope" should be true or false.`, { pointer: `${at}/useParentScope` }));
      continue;
    }
    if (useParent === true) {
      write[key] = null;
      continue;
    }
    const result = validateSetting(key, attr.value);
    if (result.ok) write[key as SettingKey] = result.value as SettingValue;
    else errors.push(problem(400, result.problem.title, result.problem.message, { pointer: `${at}/value` }));
  }
  return errors.length ? { errors } : { write };
}

function document(ctx: CrmContext, user: CrmUser, scope: Scope, status: number): Response {
  const settings = resolveSettings(scope, toChain(readRows(ctx.db, user)));
  return jsonApi(status, { data: { type: RESOURCE_TYPE, id: scope, attributes: settings } }, { ETag: etagOf(ctx, user, scope) });
}

function etagOf(ctx: CrmContext, user: CrmUser, scope: Scope): string {
  return `"${representationVersion(ctx.db, user, scope)}"`;
}

/** If-Match / If-None-Match: `*` or a comma list of (possibly weak) entity tags. */
function matches(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const text = Array.isArray(header) ? header.join(',') : header;
  return text.split(',').some((tag) => {
    const t = tag.trim().replace(/^W\//, '');
    return t === '*' || t === etag;
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
