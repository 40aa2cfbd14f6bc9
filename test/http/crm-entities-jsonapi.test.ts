// The CRM emulator's JSON:API contacts/tasks (oro-api.md §1, §2, §4) over real HTTP.
import type { CrmEmulator } from '../emulators/crm/server';
import { startTestCrm, tokenFor, type TestCrm } from '../emulators/crm/testing';

const JSON_API = 'application/vnd.api+json';
let emu: CrmEmulator;
let t: TestCrm;
let token: string;
let clock: Date;

beforeAll(async () => {
  clock = new Date('2026-03-01T10:00:00Z');
  t = await startTestCrm({ now: () => clock });
  emu = t.crm;
  token = await tokenFor(emu, 'alice');
});
afterAll(async () => {
  await t.dispose();
});

async function api(method: string, pathname: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${emu.url}${pathname}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, Accept: JSON_API, ...(body !== undefined ? { 'Content-Type': JSON_API } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? (JSON.parse(text) as any) : undefined };
}

const contact = (attributes: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ type: 'contacts', attributes, ...extra });

describe('JSON:API contacts and tasks', () => {
  test('a request without a token gets 401 with an empty body', async () => {
    const res = await fetch(`${emu.url}/api/contacts`);
    expect(res.status).toBe(401);
    expect(await res.text()).toBe('');
  });

  test('lists have HATEOAS links by default, paging links, and X-Include: totalCount', async () => {
    const res = await api('GET', '/api/contacts?page[size]=2&filter[owner]=2', undefined, { 'X-Include': 'totalCount' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-include-total-count')).toBe('4');
    expect(res.body.data).toHaveLength(2);
    expect(res.body.data[0].links.self).toBe(`${emu.url}/api/contacts/1`);
    expect(res.body.data[0].relationships.owner.links.related).toBe(`${emu.url}/api/contacts/1/owner`);
    expect(res.body.links.next).toContain('page%5Bnumber%5D=2');
    expect(res.body.meta).toBeUndefined();
    const plain = await api('GET', '/api/contacts?page[size]=2', undefined, { 'X-Include': 'noHateoas' });
    expect(plain.body.links).toBeUndefined();
    expect(plain.body.data[0].links).toBeUndefined();
  });

  test('filters: id lists, owner, externalId, updatedAt operators and inline form; unknown filters are refused', async () => {
    expect((await api('GET', '/api/contacts?filter[id]=1,3')).body.data.map((d: any) => d.id)).toEqual(['1', '3']);
    expect((await api('GET', '/api/contacts?filter[owner]=3')).body.data.map((d: any) => d.attributes.firstName)).toEqual(['Zed']);
    expect((await api('GET', '/api/contacts?filter[updatedAt][gt]=2025-01-01T09:00:00Z')).body.data).toEqual([]);
    expect((await api('GET', '/api/contacts?filter[updatedAt][gte]=2025-01-01T09:00:00Z')).body.data).toHaveLength(5);
    expect((await api('GET', '/api/contacts?filter[id]>3')).body.data.map((d: any) => d.id)).toEqual(['4', '5']);
    expect((await api('GET', '/api/contacts?filter[id]=2..3')).body.data.map((d: any) => d.id)).toEqual(['2', '3']);
    const bad = await api('GET', '/api/contacts?filter[unknown]=1');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toEqual({ status: '400', title: 'filter constraint', detail: 'Filter "filter[unknown]" is not supported.', source: { parameter: 'filter[unknown]' } });
    const badValue = await api('GET', '/api/contacts?filter[id]=abc');
    expect(badValue.body.errors[0].title).toBe('unexpected value exception');
  });

  test('sort (descending, several fields), sparse fields and include=addresses', async () => {
    const sorted = await api('GET', '/api/contacts?sort=-updatedAt,-id&fields[contacts]=firstName,addresses&include=addresses&filter[owner]=2', undefined, { 'X-Include': 'noHateoas' });
    expect(sorted.body.data.map((d: any) => d.id)).toEqual(['4', '3', '2', '1']);
    expect(Object.keys(sorted.body.data[0].attributes)).toEqual(['firstName']);
    expect(Object.keys(sorted.body.data[0].relationships)).toEqual(['addresses']);
    const address = sorted.body.included.find((r: any) => r.type === 'contactaddresses');
    expect(address.relationships.types.data).toEqual([{ type: 'addresstypes', id: 'billing' }]);
    expect(address.relationships.country.data).toEqual({ type: 'countries', id: 'US' });
    expect(address.relationships.region.data).toEqual({ type: 'regions', id: 'US-IL' });
    expect((await api('GET', '/api/contacts?sort=nope')).body.errors[0].title).toBe('sort constraint');
  });

  test('POST answers 201 with Location; PATCH 200; DELETE 204 then 404; updatedAt comes from the emulator clock', async () => {
    clock = new Date('2026-03-01T10:30:15.789Z');
    const created = await api('POST', '/api/contacts', { data: contact({ firstName: 'Nia', emails: [{ email: 'nia@x.test' }] }) });
    expect(created.status).toBe(201);
    const id = created.body.data.id;
    expect(typeof id).toBe('string');
    expect(created.headers.get('location')).toBe(`${emu.url}/api/contacts/${id}`);
    expect(created.body.data.attributes).toMatchObject({ updatedAt: '2026-03-01T10:30:15Z', primaryEmail: 'nia@x.test' });
    const patched = await api('PATCH', `/api/contacts/${id}`, { data: { type: 'contacts', id, attributes: { jobTitle: 'CEO' } } });
    expect(patched.status).toBe(200);
    expect(patched.body.data.attributes).toMatchObject({ jobTitle: 'CEO', firstName: 'Nia' });
    expect((await api('DELETE', `/api/contacts/${id}`)).status).toBe(204);
    const gone = await api('GET', `/api/contacts/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.errors[0].title).toBe('not found http exception');
  });

  test('validation errors follow Oro: contact information, not blank, length, duplicate externalId (409)', async () => {
    const empty = await api('POST', '/api/contacts', { data: contact({ description: 'x' }) });
    expect(empty.status).toBe(400);
    expect(empty.body.errors[0]).toMatchObject({ title: 'has contact information constraint', detail: 'At least one of the fields First name, Last name, Emails or Phones must be defined.' });
    const longId = await api('POST', '/api/contacts', { data: contact({ firstName: 'A', externalId: 'x'.repeat(37) }) });
    expect(longId.body.errors[0]).toMatchObject({ title: 'length constraint', source: { pointer: '/data/attributes/externalId' } });
    expect((await api('POST', '/api/contacts', { data: contact({ firstName: 'A', externalId: 'dup-1' }) })).status).toBe(201);
    const dup = await api('POST', '/api/contacts', { data: contact({ firstName: 'B', externalId: 'dup-1' }) });
    expect(dup.status).toBe(409);
    expect(dup.body.errors[0]).toMatchObject({ title: 'conflict constraint', detail: 'The entity already exists.' });
    const task = await api('POST', '/api/tasks', { data: { type: 'tasks', attributes: { subject: '' } } });
    expect(task.body.errors.map((e: any) => e.source.pointer)).toEqual(['/data/attributes/subject', '/data/relationships/taskPriority/data']);
  });

  test('Content-Type and Accept rules: parameters give 415, a parameterised-only Accept gives 406', async () => {
    const res = await fetch(`${emu.url}/api/contacts`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': `${JSON_API}; charset=utf-8` }, body: '{}' });
    expect(res.status).toBe(415);
    const accept = await api('GET', '/api/contacts', undefined, { Accept: `${JSON_API}; ext=bulk` });
    expect(accept.status).toBe(406);
  });

  test('tasks: priority and status relationships, dictionaries, include', async () => {
    const created = await api('POST', '/api/tasks', {
      data: { type: 'tasks', attributes: { subject: 'Ring', dueDate: '2026-04-01T10:00:00+02:00' }, relationships: { taskPriority: { data: { type: 'taskpriorities', id: 'low' } } } },
    });
    expect(created.status).toBe(201);
    expect(created.body.data.attributes.dueDate).toBe('2026-04-01T08:00:00Z');
    expect(created.body.data.relationships.status.data).toEqual({ type: 'taskstatuses', id: 'open' });
    const withInclude = await api('GET', `/api/tasks/${created.body.data.id}?include=taskPriority,status`, undefined, { 'X-Include': 'noHateoas' });
    expect(withInclude.body.included).toEqual([
      { type: 'taskpriorities', id: 'low', attributes: { label: 'Low', order: 1 } },
      { type: 'taskstatuses', id: 'open', attributes: { name: 'Open' } },
    ]);
    const priorities = await api('GET', '/api/taskpriorities?sort=-order', undefined, { 'X-Include': 'noHateoas' });
    expect(priorities.body.data.map((d: any) => d.id)).toEqual(['high', 'normal', 'low']);
    expect((await api('GET', '/api/taskstatuses/in_progress')).body.data.attributes.name).toBe('In Progress');
  });

  test('sync batch: 200 with every record in request order, meta.dataId/includeId, update and upsert', async () => {
    const res = await api(
      'PATCH',
      '/api/contacts',
      {
        data: [
          contact({ firstName: 'B1' }, { id: 'tmp1', relationships: { addresses: { data: [{ type: 'contactaddresses', id: 'a1' }] } } }),
          { type: 'contacts', id: '2', meta: { update: true }, attributes: { jobTitle: 'Buyer' } },
          contact({ firstName: 'B3', externalId: 'ext-b3' }, { meta: { upsert: ['externalId'] } }),
        ],
        included: [{ type: 'contactaddresses', id: 'a1', attributes: { street: '9 Rd' }, relationships: { country: { data: { type: 'countries', id: 'DE' } }, types: { data: [{ type: 'addresstypes', id: 'shipping' }] } } }],
      },
      { 'X-Mode': 'sync', 'X-Include': 'noHateoas' },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-location')).toBeNull();
    expect(res.body.data.map((d: any) => d.meta.dataId)).toEqual(['tmp1', '2', expect.any(String)]);
    expect(res.body.data[1].attributes).toMatchObject({ firstName: 'Carlos', jobTitle: 'Buyer' });
    expect(res.body.included[0].meta.includeId).toBe('a1');
    const again = await api('PATCH', '/api/contacts', { data: [contact({ firstName: 'B3b', externalId: 'ext-b3' }, { meta: { upsert: ['externalId'] } })] }, { 'X-Mode': 'sync' });
    expect(again.body.data[0].id).toBe(res.body.data[2].id);
  });

  test('sync batch is atomic: one invalid record gives 400 with /data/N pointers and stores nothing', async () => {
    const before = (await api('GET', '/api/contacts?page[size]=-1', undefined, { 'X-Include': 'totalCount' })).headers.get('x-include-total-count');
    const res = await api('PATCH', '/api/contacts', { data: [contact({ firstName: 'Ok' }), contact({ gender: 'robot' }), contact({ firstName: 'Ok2' })] }, { 'X-Mode': 'sync' });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: any) => e.source.pointer)).toEqual(['/data/1/attributes/gender', '/data/1']);
    const after = (await api('GET', '/api/contacts?page[size]=-1', undefined, { 'X-Include': 'totalCount' })).headers.get('x-include-total-count');
    expect(after).toBe(before);
  });

  test('sync batch limits: 101 records or an empty list give 400 request data constraint', async () => {
    const tooMany = await api('PATCH', '/api/tasks', { data: Array.from({ length: 101 }, () => ({ type: 'tasks', attributes: { subject: 's' } })) }, { 'X-Mode': 'sync' });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors[0]).toMatchObject({ title: 'request data constraint', detail: 'The data limit for the synchronous operation exceeded.' });
    const empty = await api('PATCH', '/api/tasks', { data: [] }, { 'X-Mode': 'sync' });
    expect(empty.body.errors[0].detail).toBe('The request data should not be empty.');
  });

  test('DELETE on a collection needs a filter', async () => {
    expect((await api('DELETE', '/api/tasks')).status).toBe(400);
    expect((await api('DELETE', '/api/tasks?filter[id]=999999')).status).toBe(204);
  });

  test('bad JSON and wrong types get error documents, never a crash', async () => {
    const res = await fetch(`${emu.url}/api/contacts`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': JSON_API }, body: '{not json' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).errors[0].title).toBe('request data constraint');
    const wrongType = await api('POST', '/api/contacts', { data: { type: 'tasks', attributes: {} } });
    expect(wrongType.status).toBe(409);
    const weird = await api('PATCH', '/api/contacts', { data: [null, 5, 'x'] }, { 'X-Mode': 'sync' });
    expect(weird.status).toBe(400);
  });

  test('relationships that are not an object give 400 with a pointer to them, never a 500', async () => {
    const single = await api('POST', '/api/contacts', { data: contact({ firstName: 'R' }, { relationships: 5 }) });
    expect(single.status).toBe(400);
    expect(single.body.errors[0]).toMatchObject({ title: 'request data constraint', source: { pointer: '/data/relationships' } });
    const batch = await api('PATCH', '/api/tasks', { data: [{ type: 'tasks', attributes: { subject: 'R' }, relationships: [] }] }, { 'X-Mode': 'sync' });
    expect(batch.status).toBe(400);
    expect(batch.body.errors[0].source).toEqual({ pointer: '/data/0/relationships' });
  });

  test('the HTML view lists each user\'s data, escaped', async () => {
    await api('POST', '/api/contacts', { data: contact({ firstName: '<script>x</script>' }) });
    const res = await fetch(`${emu.url}/_view`);
    const html = await res.text();
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(html).toContain('Alice Archer');
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(html).not.toContain('<script>x');
  });
});
