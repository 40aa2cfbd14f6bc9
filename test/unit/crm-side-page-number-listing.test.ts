// The CRM side's page-number listings against a stub fetch that ignores `page[number]`: a repeated full
// page must stop the listing with a clear error instead of asking for it again forever.
import { CrmHttp } from '../../src/crm/http';
import { CrmSide } from '../../src/crm/side';
import { StaticTokens, type FetchLike } from '../../src/crm/tokens';
import { MalformedResponseError } from '../../src/sync/errors';
import type { TaskRecord } from '../../src/sync/records';

const recentTask = (id: number) => ({
  type: 'tasks',
  id: String(id),
  attributes: { subject: `Other task ${id}`, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() },
  relationships: { taskPriority: { data: { type: 'taskpriorities', id: 'normal' } }, status: { data: { type: 'taskstatuses', id: 'open' } } },
});

function side(pageFor: (pageNo: number) => number[]) {
  const pagesAsked: number[] = [];
  const fetchImpl: FetchLike = async (input) => {
    const url = new URL(String(input));
    if (url.pathname.endsWith('/api/userprofile')) return Response.json({ data: { type: 'userprofile', id: '7' } });
    const pageNo = Number(url.searchParams.get('page[number]') ?? 1);
    pagesAsked.push(pageNo);
    if (pagesAsked.length > 50) throw new Error('the listing did not stop');
    return Response.json({ data: pageFor(pageNo).map(recentTask) });
  };
  const crm = new CrmSide({ http: new CrmHttp({ baseUrl: 'https://crm.test', tokens: new StaticTokens('t'), fetch: fetchImpl }) });
  return { crm, pagesAsked };
}

const full = (from: number) => Array.from({ length: 100 }, (_, i) => from + i);
const createOp = { op: 'create' as const, key: 'k1', record: { subject: 'Mine', priority: 'normal', dueDate: null, status: 'open' } as TaskRecord };

describe('CRM side page-number listing (finding a lost task create)', () => {
  test('a server answering the same full page whatever the page number is a MalformedResponseError after the second page', async () => {
    const { crm, pagesAsked } = side(() => full(1000));
    await expect(crm.findCreated('task', createOp)).rejects.toBeInstanceOf(MalformedResponseError);
    expect(pagesAsked).toEqual([1, 2]);
  });

  test('pages that move on are read until a short one', async () => {
    const { crm, pagesAsked } = side((n) => (n < 3 ? full(1000 - n * 100) : [1]));
    await expect(crm.findCreated('task', createOp)).resolves.toBeNull();
    expect(pagesAsked).toEqual([1, 2, 3]);
  });
});
