// What a browser pane can reach on this Oro (issue 11 #2). Oro sends CORS headers only on its JSON:API and
// the token endpoint, for the origins and extra headers its administrator configured (oro_api.cors); its
// legacy REST API (/api/rest: calendar events, audits, calendars/default) sends none at all, so a browser
// never gets an answer there. A request the browser blocks fails like a network error (fetch's TypeError),
// so we ask while the JSON:API is known to answer:
// - the legacy REST API: one GET of calendars/default;
// - the X-Mode header the synchronous batch needs: one GET of /api/userprofile carrying it, which needs a
//   preflight that names X-Mode (Oro ignores X-Mode on a GET);
// - what our lease extension needs (lease-client.ts), when Oro has it (our /api/outlooksettings/user
//   answers; a stock Oro's 404 has no lease to share): If-Match and If-None-Match, each on a GET of
//   /api/userprofile; and the ETag of that settings answer, which the browser hides unless Oro exposes it
//   (a header not in Access-Control-Expose-Headers reads as absent). Without them the lease is this pane's only.
// The headless runner (Node) has no CORS and does not ask.
import { ServiceUnavailableError } from '../sync/errors';
import type { CrmHttp } from './http';

export interface BrowserReach {
  /** Calendar events and the audit log are readable (some web servers add CORS to /api/rest themselves). */
  legacyRest: boolean;
  /** The headers sync sends that Oro's CORS configuration does not allow this origin to send. */
  blockedHeaders: string[];
  /** What the shared lease needs that the browser may not send (If-Match, If-None-Match) or read (ETag). */
  leaseHeaders: string[];
}

export function leaseHeadersNotice(headers: string[]): string {
  const send = headers.filter((h) => h !== 'ETag');
  const admin = [
    ...(send.length ? [`${send.join(' and ')} to oro_api.cors.allow_headers`] : []),
    ...(headers.includes('ETag') ? ['ETag to oro_api.cors.expose_headers'] : []),
  ];
  return (
    "This pane can't share the sync lease with your other Outlook windows and the headless runner: this OroCRM's CORS settings " +
    `do not let the browser ${[...(send.length ? [`send ${send.join(', ')}`] : []), ...(headers.includes('ETag') ? ['read ETag'] : [])].join(' or ')}. ` +
    'It syncs as if it were the only one, so if another engine syncs this mailbox at the same time, both may write. ' +
    `Ask your administrator to add ${admin.join(' and ')} (docs/setup.md, "CORS").`
  );
}

export const LEGACY_REST_BLOCKED_NOTICE =
  "Calendar events can't sync from this pane: this OroCRM does not let a browser reach its legacy REST API (/api/rest), " +
  'where Oro keeps calendar events (Oro sends no CORS headers there). Contacts and tasks sync as usual; their deletions are ' +
  'found by comparing the records in both places. To sync events, run the headless runner (npm run sync) for this mailbox, ' +
  'or ask your administrator to allow the add-in on /api/rest (docs/setup.md, "CORS").';

export function blockedHeadersMessage(headers: string[]): string {
  return (
    `Sync cannot run in this pane: this OroCRM's CORS settings do not let the add-in send the ${headers.join(', ')} header` +
    `${headers.length > 1 ? 's' : ''} that its synchronous batch API needs. Ask your administrator to add ${headers.join(', ')} to ` +
    'oro_api.cors.allow_headers (docs/setup.md, "CORS"), or run the headless runner (npm run sync). Your settings can still be viewed and saved.'
  );
}

const reachable = (request: Promise<unknown>) =>
  request.then(
    () => true,
    (error: unknown) => {
      if (error instanceof ServiceUnavailableError) return false;
      throw error;
    },
  );

/** Null when even the plain JSON:API does not answer: then nothing can be told, and sync reports its own errors. */
export async function probeBrowserReach(http: CrmHttp): Promise<BrowserReach | null> {
  const profile = (headers: Record<string, string>) => http.request({ path: '/api/userprofile', headers: { 'X-Include': 'noHateoas', ...headers } });
  if (!(await reachable(profile({})))) return null;
  const blockedHeaders = (await reachable(profile({ 'X-Mode': 'sync' }))) ? [] : ['X-Mode'];
  const legacyRest = await reachable(http.request({ path: '/api/rest/latest/calendars/default', format: 'rest' }));
  return { legacyRest, blockedHeaders, leaseHeaders: await probeLeaseHeaders(http, profile) };
}

async function probeLeaseHeaders(http: CrmHttp, profile: (headers: Record<string, string>) => Promise<unknown>): Promise<string[]> {
  const settings = await http.request({ path: '/api/outlooksettings/user', headers: { 'X-Include': 'noHateoas' } });
  if (settings.status !== 200) return []; // no extension: no shared lease to lose
  const missing: string[] = [];
  for (const header of ['If-Match', 'If-None-Match']) {
    if (!(await reachable(profile({ [header]: '"cors-probe"' })))) missing.push(header);
  }
  if (!settings.headers.get('etag')) missing.push('ETag');
  return missing;
}
