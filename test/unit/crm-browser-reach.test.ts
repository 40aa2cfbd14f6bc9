// Issue 11 #2: what a browser pane can reach of an Oro. A browser turns a CORS refusal into fetch's
// TypeError; this stub fetch does that where Oro sends no CORS (legacy /api/rest) and, when told, for a
// header Oro's configuration does not allow (X-Mode).
import { probeBrowserReach } from '../../src/crm/browser-reach';
import { CrmHttp } from '../../src/crm/http';
import { CrmSide } from '../../src/crm/side';
import { StaticTokens, type FetchLike } from '../../src/crm/tokens';

function browserLike(opts: { legacyCors?: boolean; allowedHeaders?: string[]; down?: boolean } = {}) {
  const asked: string[] = [];
  const fetchImpl: FetchLike = async (input, init) => {
    const url = new URL(String(input));
    asked.push(`${init?.method ?? 'GET'} ${url.pathname}`);
    const sent = Object.keys((init?.headers as Record<string, string>) ?? {}).map((h) => h.toLowerCase());
    const allowed = ['authorization', 'content-type', 'x-include', 'accept', ...(opts.allowedHeaders ?? []).map((h) => h.toLowerCase())];
    if (opts.down) throw new TypeError('Failed to fetch');
    if (url.pathname.startsWith('/api/rest/') && !opts.legacyCors) throw new TypeError('Failed to fetch');
    if (sent.some((h) => !allowed.includes(h))) throw new TypeError('Failed to fetch');
    if (url.pathname === '/api/userprofile') return Response.json({ data: { type: 'userprofile', id: '7', attributes: { username: 'alice' } } });
    if (url.pathname.endsWith('/calendars/default')) return Response.json({ calendar: 3, owner: 7 });
    if (url.pathname === '/api/contacts') return Response.json({ data: [] });
    return new Response('', { status: 404 });
  };
  return { http: new CrmHttp({ baseUrl: 'https://crm.test', tokens: new StaticTokens('t'), fetch: fetchImpl }), asked };
}

test("Oro's CORS as shipped plus the origin: /api/rest is out of reach, and so is X-Mode", async () => {
  expect(await probeBrowserReach(browserLike().http)).toEqual({ legacyRest: false, blockedHeaders: ['X-Mode'] });
});

test('configured as docs/setup.md says: X-Mode passes; /api/rest still has no CORS', async () => {
  expect(await probeBrowserReach(browserLike({ allowedHeaders: ['X-Mode'] }).http)).toEqual({ legacyRest: false, blockedHeaders: [] });
});

test('a web server that adds CORS to /api/rest: events and audits are reachable', async () => {
  expect(await probeBrowserReach(browserLike({ allowedHeaders: ['X-Mode'], legacyCors: true }).http)).toEqual({ legacyRest: true, blockedHeaders: [] });
});

test('a CRM that does not answer at all tells nothing (null): sync runs and reports its own errors', async () => {
  expect(await probeBrowserReach(browserLike({ down: true }).http)).toBeNull();
});

test('without the legacy REST API the CRM side finds the user through /api/userprofile and deletions by reconciling ids', async () => {
  const { http, asked } = browserLike({ allowedHeaders: ['X-Mode'] });
  const crm = new CrmSide({ http, legacyRest: false });
  expect(await crm.me()).toEqual({ userId: 7 });
  const page = await crm.readChanges('contact', null);
  expect(page.changes).toEqual([]);
  expect(asked.filter((a) => a.includes('/api/rest/'))).toEqual([]);
  await expect(crm.readChanges('event', null)).rejects.toThrow(/legacy REST API/);
});
