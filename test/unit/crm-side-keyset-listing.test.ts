// The CRM side's id-sorted listings (first-sync matching) against a stub fetch: a full page must end
// in a numeric id above the last one, or the next request would ask for the same page forever.
import { CrmHttp } from '../../src/crm/http';
import { CrmSide } from '../../src/crm/side';
import { StaticTokens, type FetchLike } from '../../src/crm/tokens';
import type { TaskRecord } from '../../src/sync/records';
import { MalformedResponseError } from '../../src/sync/errors';

const task = (id: string) => ({
  type: 'tasks',
  id,
  attributes: { subject: `Task ${id}`, updatedAt: '2026-01-01T00:00:00Z' },
  relationships: { taskPriority: { data: { type: 'taskpriorities', id: 'normal' } }, status: { data: { type: 'taskstatuses', id: 'open' } } },
});

/** Answers userprofile, then task pages from `pages` (an empty page once they run out). */
function side(pages: string[][]) {
  const listed: string[] = [];
  const fetchImpl: FetchLike = async (input) => {
    const url = new URL(String(input));
    if (url.pathname.endsWith('/api/userprofile')) return Response.json({ data: { type: 'userprofile', id: '7' } });
    listed.push(url.searchParams.get('filter[id][gt]') ?? '');
    return Response.json({ data: (pages.shift() ?? []).map(task) });
  };
  const crm = new CrmSide({ http: new CrmHttp({ baseUrl: 'https://crm.test', tokens: new StaticTokens('t'), fetch: fetchImpl }) });
  return { crm, listed };
}

const record = { subject: 'Nothing like it' } as unknown as TaskRecord;
const fullPage = (from: number) => Array.from({ length: 100 }, (_, i) => String(from + i));

describe('CRM side keyset listing', () => {
  test('a full page continues after its last id, and a short page ends the listing', async () => {
    const { crm, listed } = side([fullPage(1), ['101']]);
    expect(await crm.findByKey('task', record)).toEqual([]);
    expect(listed).toEqual(['', '100']);
  });

  test('a full page ending in a non-numeric id is a MalformedResponseError, not the same page again', async () => {
    const { crm, listed } = side([[...fullPage(1).slice(0, 99), 'abc'], fullPage(1), fullPage(1)]);
    await expect(crm.findByKey('task', record)).rejects.toBeInstanceOf(MalformedResponseError);
    expect(listed).toEqual(['']);
  });

  test('a full page whose last id does not move forward is a MalformedResponseError', async () => {
    const { crm, listed } = side([fullPage(1), fullPage(1), fullPage(1)]);
    await expect(crm.findByKey('task', record)).rejects.toBeInstanceOf(MalformedResponseError);
    expect(listed).toEqual(['', '100']);
  });
});
