// Oro's read-only configuration API (oro-api.md §5), limited to the MS Outlook section. That section
// exists only with our extension installed (its bundle declares it): Oro 5–7 has no `outlook` section
// (the MS Outlook integration, keys oro_outlook.* in 2.x–4.0 and oro_crm_pro_outlook.* in 1.x, was
// removed in 4.1: doc.oroinc.com/3.1/user/back-office/system/integrations/outlook), so a stock Oro
// (`--stock`) lists no such section and answers 404 for it.
import type { Request, Response, Router } from '../common/http';
import { configName, isScope, optionFor, resolveSetting, SETTING_KEYS, type Scope, type SettingKey } from '../../../src/settings';
import type { CrmContext, CrmUser } from './context';
import { readRows, toChain, type StoredRow } from './config-store';
import { errorOf, jsonApi, notFoundEntity, problem, errorResponse, checkAccept } from './jsonapi';

/** The section id: its tree path with `/` replaced by `.` (oro-api.md §5). */
export const OUTLOOK_SECTION = 'outlook';

const DATA_TYPES = { choice: 'string', integer: 'integer', boolean: 'boolean' } as const;

export function registerConfigurationRoutes(router: Router, ctx: CrmContext, options: { outlookSection: boolean }): void {
  router.on('GET', '/api/configuration', (req) => withUser(ctx, req, () => list(ctx, req, options.outlookSection)));
  router.on('GET', '/api/configuration/:section', (req) => withUser(ctx, req, (user) => (options.outlookSection ? one(ctx, req, user) : notFoundEntity())));
}

function withUser(ctx: CrmContext, req: Request, handler: (user: CrmUser) => Response): Response {
  const user = ctx.authenticate(req);
  if (!user) return { status: 401 };
  return checkAccept(req) ?? handler(user);
}

function list(ctx: CrmContext, req: Request, outlookSection: boolean): Response {
  const bad = checkQuery(req, ['scope']);
  if (bad) return bad;
  return jsonApi(200, { data: outlookSection ? [section(ctx, req)] : [] });
}

function one(ctx: CrmContext, req: Request, user: CrmUser): Response {
  if (req.params.section !== OUTLOOK_SECTION) return notFoundEntity();
  const bad = checkQuery(req, ['scope', 'include', 'fields[configuration]', 'fields[configurationoptions]']);
  if (bad) return bad;
  const scopeParam = req.url.searchParams.get('scope') ?? 'user';
  if (!isScope(scopeParam)) {
    return errorOf(400, 'filter constraint', `The "scope" value must be one of user, organization, global.`, { parameter: 'scope' });
  }
  const include = req.url.searchParams.get('include');
  if (include !== null && include !== 'options') {
    return errorOf(400, 'filter constraint', `The include "${include}" is not supported; only "options" is.`, { parameter: 'include' });
  }
  const body: Record<string, unknown> = { data: section(ctx, req) };
  if (include === 'options') body.included = options(ctx, user, scopeParam);
  return jsonApi(200, body);
}

function section(ctx: CrmContext, req: Request): Record<string, unknown> {
  const resource: Record<string, unknown> = {
    type: 'configuration',
    id: OUTLOOK_SECTION,
    relationships: { options: { data: SETTING_KEYS.map((k) => ({ type: 'configurationoptions', id: configName(k) })) } },
  };
  if (hateoas(req)) resource.links = { self: `${ctx.baseUrl()}/api/configuration/${OUTLOOK_SECTION}` };
  return resource;
}

/** One option per key: the value in effect at `scope`; createdAt/updatedAt are null when Oro's default applies. */
function options(ctx: CrmContext, user: CrmUser, scope: Scope): unknown[] {
  const rows = readRows(ctx.db, user);
  const chain = toChain(rows);
  return SETTING_KEYS.map((key) => {
    const resolved = resolveSetting(key, scope, chain);
    const source = resolved.useParentScope ? resolved.parentScope : scope;
    const row: StoredRow | undefined = source === 'default' ? undefined : rows[source][key as SettingKey];
    return {
      type: 'configurationoptions',
      id: configName(key),
      attributes: {
        scope,
        dataType: DATA_TYPES[optionFor(key).type],
        value: resolved.value,
        createdAt: row?.createdAt ?? null,
        updatedAt: row?.updatedAt ?? null,
      },
    };
  });
}

/** oro-api.md §5: `sort`, `meta` and unknown parameters are refused with `filter constraint`. */
function checkQuery(req: Request, allowed: string[]): Response | null {
  const errors = [...req.url.searchParams.keys()]
    .filter((name) => !allowed.includes(name))
    .map((name) => problem(400, 'filter constraint', 'The filter is not supported.', { parameter: name }));
  return errors.length ? errorResponse(errors) : null;
}

/** HATEOAS links are on by default; `X-Include: noHateoas` turns them off (oro-api.md §4). */
function hateoas(req: Request): boolean {
  const header = req.headers['x-include'];
  const text = Array.isArray(header) ? header.join(';') : header ?? '';
  return !text.split(';').some((v) => v.trim() === 'noHateoas');
}
