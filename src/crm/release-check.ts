// Is this Oro new enough? Checked once at connect, before any sync.
//
// Sync needs three things Oro added late (issue 11, per release tag): the synchronous batch
// (`X-Mode: sync`, platform 6.0.4), tasks' `update_list` (task bundle 6.0.4) and the contact `externalId`
// that makes creates idempotent (crm 6.1.10 on the 6.1 line, 7.0.2 on the 7.0 line). The newest of them,
// externalId, implies the other two: every release that has it has both.
//
// How a client can tell: Oro's API names no version (the old MS Outlook bundle had to add its own
// `orocrm_version` option for that), and `/api/doc` is an HTML sandbox behind the back-office session
// that Oro's CORS excludes, so the pane could not read it anyway. So we probe the feature itself:
// `filter[externalId]` on contacts exists exactly when the field does (Oro filters indexed fields, and
// refuses an unknown filter with 400 `filter constraint`, oro-api.md §4). One GET, CORS-enabled, no writes.
import { errorFromResponse, parseErrorDocument } from './errors';
import type { CrmHttp } from './http';

export const REQUIRED_ORO = 'OroCRM 6.1.10 or later (7.0.2 or later on the 7.0 line)';

export const TOO_OLD_MESSAGE =
  `This OroCRM is too old to sync with: its contacts have no externalId field, which came with OroCRM 6.1.10 and 7.0.2. ` +
  `Sync needs ${REQUIRED_ORO}; ask your administrator to upgrade. Your settings can still be viewed and saved.`;

export type ReleaseCheck =
  | { ok: true }
  /** Definitely older than sync needs; `message` names the version needed. */
  | { ok: false; message: string }
  /** The probe could not tell (e.g. no permission to view contacts): sync goes on and reports its own errors. */
  | { ok: 'unknown'; reason: string };

export async function checkOroRelease(http: CrmHttp): Promise<ReleaseCheck> {
  const path = '/api/contacts';
  const query = { 'filter[externalId]': 'release-probe', 'fields[contacts]': 'id', 'page[size]': '1' };
  const res = await http.request({ path, query, headers: { 'X-Include': 'noHateoas' } });
  if (res.status === 200) return { ok: true };
  const problems = res.status === 400 ? parseErrorDocument(res.body, res.status) : null;
  if (problems?.some((p) => p.parameter === 'filter[externalId]')) return { ok: false, message: TOO_OLD_MESSAGE };
  if (res.status === 403) return { ok: 'unknown', reason: 'this user may not view contacts' };
  throw errorFromResponse(res.status, res.headers, res.body, `GET ${path}?filter[externalId]=…`);
}
