// Issue 11 #2: what a browser pane can reach of an Oro. A browser turns a CORS refusal into fetch's
// TypeError; this stub fetch does that where Oro sends no CORS (legacy /api/rest) and, when told, for a
// header Oro's configuration does not allow (X-Mode).
import { probeBrowserReach } from '../../src/crm/browser-reach';
import { CrmHttp } from '../../src/crm/http';
import { CrmSide } from '../../src/crm/side';
import { StaticTokens, type FetchLike } from '../../src/crm/tokens';

function browserLike(opts: { legacyCors?: boolean; allowedHeaders?: string[]; exposedHeaders?: string[]; down?: boolean; stock?: boolean } = {}) {
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
    if (url.pathname === '/api/outlooksettings/user' && !opts.stock) {
      // A browser hides a response header Oro does not list in Access-Control-Expose-Headers.
      const exposed = (opts.exposedHeaders ?? []).map((h) => h.toLowerCase());
      return Response.json({ data: { type: 'outlooksettings', id: 'user', attributes: {} } }, { headers: exposed.includes('etag') ? { ETag: '"4"' } : {} });
    }
    if (url.pathname === '/api/contacts') return Response.json({ data: [] });
    return new Response('', { status: 404 });
  };
  return { http: new CrmHttp({ baseUrl: 'https://crm.test', tokens: new StaticTokens('t'), fetch: fetchImpl }), asked };
}

test("Oro's CORS as shipped plus the origin: /api/rest is out of reach, and so is X-Mode", async () => {
  expect(await probeBrowserReach(browserLike().http)).toEqual({ legacyRest: false, blockedHeaders: ['X-Mode'], leaseHeaders: ['If-Match', 'If-None-Match', 'ETag'] });
});

test('configured as docs/setup.md says: X-Mode passes; /api/rest still has no CORS', async () => {
  const full = { allowedHeaders: ['X-Mode', 'If-Match', 'If-None-Match'], exposedHeaders: ['ETag'] };
  expect(await probeBrowserReach(browserLike(full).http)).toEqual({ legacyRest: false, blockedHeaders: [], leaseHeaders: [] });
});

test('a web server that adds CORS to /api/rest: events and audits are reachable', async () => {
  expect(await probeBrowserReach(browserLike({ allowedHeaders: ['X-Mode', 'If-Match', 'If-None-Match'], exposedHeaders: ['ETag'], legacyCors: true }).http)).toEqual({ legacyRest: true, blockedHeaders: [], leaseHeaders: [] });
});

test('X-Mode allowed but not the lease headers: the lease would silently be this pane\'s alone, so the probe names them', async () => {
  expect((await probeBrowserReach(browserLike({ allowedHeaders: ['X-Mode'] }).http))?.leaseHeaders).toEqual(['If-Match', 'If-None-Match', 'ETag']);
  expect((await probeBrowserReach(browserLike({ allowedHeaders: ['X-Mode', 'If-Match'], exposedHeaders: ['ETag'] }).http))?.leaseHeaders).toEqual(['If-None-Match']);
  expect((await probeBrowserReach(browserLike({ allowedHeaders: ['X-Mode', 'If-Match', 'If-None-Match'] }).http))?.leaseHeaders).toEqual(['ETag']);
});

test('a stock Oro (no extension, so no shared lease) asks nothing of the lease headers', async () => {
  const { http, asked } = browserLike({ allowedHeaders: ['X-Mode'], stock: true });
  expect((await probeBrowserReach(http))?.leaseHeaders).toEqual([]);
  expect(asked.filter((a) => a === 'GET /api/userprofile')).toHaveLength(2);
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
