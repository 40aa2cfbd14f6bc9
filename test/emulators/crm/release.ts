// Which Oro release the emulator plays (`--oro-version`, default 7.0): it refuses what that release lacks.
// Per Oro's release tags (issue 11 audit; oroinc/platform, oroinc/crm, OroCRMTaskBundle):
// - the synchronous batch (PATCH collection + `X-Mode: sync`) came with platform 6.0.4; before it the
//   header means nothing and a collection PATCH is the asynchronous batch;
// - tasks got `update_list` (the batch at all) with the task bundle 6.0.4 (the bundle's api.yml before
//   it has no update_list action, so PATCH /api/tasks is not allowed);
// - the contact `externalId` field exists from crm 6.1.10 on the 6.1 line and 7.0.2 on the 7.0 line.
import type { Handler, Request, Response } from '../common/http';
import { errorOf, problem, errorResponse } from './jsonapi';

export interface OroVersion {
  major: number;
  minor: number;
  patch: number;
}

/** A line without a patch number plays that line's newest patch the emulator knows (6.1 → 6.1.10). */
const NEWEST_PATCH: Record<string, number> = { '6.0': 4, '6.1': 10, '7.0': 2 };

export const DEFAULT_ORO_VERSION = '7.0';

/** "7.0", "6.1.10", "5.1.4" → the version; anything else throws with a message for the command line. */
export function parseOroVersion(text: string): OroVersion {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) throw new Error(`--oro-version needs a version such as 7.0 or 6.1.10, got "${text}"`);
  const [major, minor] = [Number(m[1]), Number(m[2])];
  const patch = m[3] !== undefined ? Number(m[3]) : (NEWEST_PATCH[`${major}.${minor}`] ?? 0);
  return { major, minor, patch };
}

export function formatOroVersion(v: OroVersion): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

function atLeast(v: OroVersion, major: number, minor: number, patch: number): boolean {
  return v.major !== major ? v.major > major : v.minor !== minor ? v.minor > minor : v.patch >= patch;
}

export interface ReleaseFeatures {
  /** `X-Mode: sync` on a collection PATCH (platform ≥ 6.0.4). */
  syncBatch: boolean;
  /** `update_list` on tasks (task bundle ≥ 6.0.4). */
  taskUpdateList: boolean;
  /** The contact `externalId` field (crm ≥ 6.1.10 on 6.x, ≥ 7.0.2 on 7.0, any later line). */
  contactExternalId: boolean;
}

export function featuresOf(v: OroVersion): ReleaseFeatures {
  const externalId = v.major === 6 ? atLeast(v, 6, 1, 10) : v.major === 7 && v.minor === 0 ? v.patch >= 2 : v.major > 7;
  return { syncBatch: atLeast(v, 6, 0, 4), taskUpdateList: atLeast(v, 6, 0, 4), contactExternalId: externalId };
}

const isCollection = (req: Request, type: string) => req.path === `/api/${type}`;
const isContactWrite = (req: Request) => (req.method === 'POST' || req.method === 'PATCH') && /^\/api\/contacts(\/[^/]+)?$/.test(req.path);

/**
 * Wraps a JSON:API handler so it answers as the release would. Only what the add-in could send is gated;
 * everything else passes through unchanged.
 */
export function gateForRelease(features: ReleaseFeatures, handler: Handler): Handler {
  return async (req) => {
    if (req.method === 'PATCH' && isCollection(req, 'tasks') && !features.taskUpdateList) {
      return errorResponse([problem(405, 'action not allowed exception', 'The "update_list" action is not allowed for tasks in this release.')], { Allow: 'GET, POST, DELETE' });
    }
    if (req.method === 'PATCH' && isCollection(req, 'contacts') && !features.syncBatch) {
      // Before platform 6.0.4 X-Mode means nothing: the request is an (unemulated) asynchronous batch.
      const { 'x-mode': _ignored, ...headers } = req.headers;
      req = { ...req, headers };
    }
    if (!features.contactExternalId && req.path.startsWith('/api/contacts')) {
      const refused = refuseExternalId(req);
      if (refused) return refused;
      return withoutExternalId(await handler(req));
    }
    return handler(req);
  };
}

/** Without the field Oro knows no such filter, sorter or attribute (filter / extra fields constraints). */
function refuseExternalId(req: Request): Response | null {
  for (const name of req.url.searchParams.keys()) {
    if (/^filter\[externalId\]/.test(name)) return errorOf(400, 'filter constraint', 'The filter is not supported.', { parameter: name });
  }
  const sort = req.url.searchParams.get('sort');
  if (sort && sort.split(',').some((f) => f.replace(/^-/, '') === 'externalId')) {
    return errorOf(400, 'sort constraint', 'Sorting by "externalId" field is not supported.', { parameter: 'sort' });
  }
  if (!isContactWrite(req)) return null;
  let body: unknown;
  try {
    body = JSON.parse(req.rawBody);
  } catch {
    return null; // the handler reports the malformed body
  }
  const data = (body as { data?: unknown } | null)?.data;
  const items = Array.isArray(data) ? data.map((item, i) => ({ item, pointer: `/data/${i}` })) : [{ item: data, pointer: '/data' }];
  const errors = items
    .filter(({ item }) => {
      const attributes = (item as { attributes?: unknown } | null)?.attributes;
      const meta = (item as { meta?: { upsert?: unknown } } | null)?.meta;
      return (attributes && typeof attributes === 'object' && 'externalId' in attributes) || (Array.isArray(meta?.upsert) && meta.upsert.includes('externalId'));
    })
    .map(({ pointer }) => problem(400, 'extra fields constraint', 'This form should not contain extra fields: "externalId".', { pointer: `${pointer}/attributes` }));
  return errors.length ? errorResponse(errors) : null;
}

/** Contact documents of a release without the field simply do not have it. */
function withoutExternalId(res: Response): Response {
  const body = res.body as { data?: unknown; included?: unknown } | undefined;
  if (!body || typeof body !== 'object') return res;
  const strip = (r: unknown) => {
    const attributes = (r as { type?: string; attributes?: Record<string, unknown> } | null)?.attributes;
    if ((r as { type?: string }).type === 'contacts' && attributes) delete attributes.externalId;
  };
  for (const r of [body.data, body.included].flatMap((x) => (Array.isArray(x) ? x : x ? [x] : []))) strip(r);
  return res;
}
