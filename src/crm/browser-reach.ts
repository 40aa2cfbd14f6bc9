// What a browser pane can reach on this Oro (issue 11 #2). Oro sends CORS headers only on its JSON:API and
// the token endpoint, for the origins and extra headers its administrator configured (oro_api.cors); its
// legacy REST API (/api/rest: calendar events, audits, calendars/default) sends none at all, so a browser
// never gets an answer there. A request the browser blocks fails like a network error (fetch's TypeError),
// so we ask while the JSON:API is known to answer:
// - the legacy REST API: one GET of calendars/default;
// - the X-Mode header the synchronous batch needs: one GET of /api/userprofile carrying it, which needs a
//   preflight that names X-Mode (Oro ignores X-Mode on a GET).
// The headless runner (Node) has no CORS and does not ask.
import { ServiceUnavailableError } from '../sync/errors';
import type { CrmHttp } from './http';

export interface BrowserReach {
  /** Calendar events and the audit log are readable (some web servers add CORS to /api/rest themselves). */
  legacyRest: boolean;
  /** The headers sync sends that Oro's CORS configuration does not allow this origin to send. */
  blockedHeaders: string[];
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
  return { legacyRest, blockedHeaders };
}
