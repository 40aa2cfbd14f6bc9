import { deltaRound, startGraph, type Harness } from '../emulators/graph/testing';

let h: Harness;
beforeEach(async () => {
  h = await startGraph();
});
afterEach(async () => {
  await h.close();
});

async function lists(): Promise<any[]> {
  return (await h.call('GET', '/v1.0/me/todo/lists')).body.value;
}

describe('To Do', () => {
  test('the seed has the default "Tasks" list and an OroCRM list with mapped tasks', async () => {
    const all = await lists();
    expect(all.map((l) => [l.displayName, l.wellknownListName])).toEqual([
      ['Tasks', 'defaultList'],
      ['OroCRM', 'none'],
    ]);
    const crm = all[1];
    const tasks = (await h.call('GET', `/v1.0/me/todo/lists/${crm.id}/tasks`)).body.value;
    const proposal = tasks.find((t: any) => t.title === 'Send Q4 proposal to Ann');
    expect(proposal).toMatchObject({ importance: 'high', status: 'notStarted', dueDateTime: { dateTime: '2026-12-04T00:00:00.0000000', timeZone: 'UTC' } });
    expect(proposal['@odata.etag']).toMatch(/^W\/"/);
    expect(proposal.changeKey).toBeUndefined();
  });

  test('To Do keeps a body as text: HTML sent is answered as its text, and an update takes only HTML (todotask-update.md, docs-contrib #347)', async () => {
    const [, crm] = await lists();
    const created = await h.call('POST', `/v1.0/me/todo/lists/${crm.id}/tasks`, { title: 'Notes', body: { contentType: 'html', content: '<p>Bring the <b>contract</b></p><p>Tom &amp; Jerry</p>' } });
    expect(created.body.body).toEqual({ contentType: 'text', content: 'Bring the contract\r\nTom & Jerry' });
    const text = await h.call('PATCH', `/v1.0/me/todo/lists/${crm.id}/tasks/${created.body.id}`, { body: { contentType: 'text', content: 'plain' } });
    expect(text.status).toBe(400);
    const html = await h.call('PATCH', `/v1.0/me/todo/lists/${crm.id}/tasks/${created.body.id}`, { body: { contentType: 'html', content: 'one<br>two' } });
    expect(html.body.body).toEqual({ contentType: 'text', content: 'one\r\ntwo' });
  });

  test('task dates answer in the zone of Prefer: outlook.timezone, UTC without it', async () => {
    const [, crm] = await lists();
    // A user at UTC+14 sets 10 May in To Do: stored as that zone's local midnight.
    const created = await h.call('POST', `/v1.0/me/todo/lists/${crm.id}/tasks`, { title: 'Kiribati', dueDateTime: { dateTime: '2026-05-10T00:00:00', timeZone: 'Pacific/Kiritimati' } });
    expect(created.body.dueDateTime).toEqual({ dateTime: '2026-05-09T10:00:00.0000000', timeZone: 'UTC' });
    const prefer = { Prefer: 'outlook.timezone="Pacific/Kiritimati"' };
    const got = await h.call('GET', `/v1.0/me/todo/lists/${crm.id}/tasks/${created.body.id}`, undefined, prefer);
    expect(got.body.dueDateTime).toEqual({ dateTime: '2026-05-10T00:00:00.0000000', timeZone: 'Pacific/Kiritimati' });
    const delta = await h.call('GET', `/v1.0/me/todo/lists/${crm.id}/tasks/delta`, undefined, prefer);
    expect(delta.body.value.find((t: any) => t.id === created.body.id).dueDateTime.timeZone).toBe('Pacific/Kiritimati');
  });

  test('lists can be created (201)', async () => {
    const res = await h.call('POST', '/v1.0/me/todo/lists', { displayName: 'Other' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ displayName: 'Other', wellknownListName: 'none', isOwner: true, isShared: false });
  });

  test('task CRUD with linkedResources inline; the etag changes on every write', async () => {
    const [, crm] = await lists();
    const created = await h.call('POST', `/v1.0/me/todo/lists/${crm.id}/tasks`, {
      title: 'Call',
      importance: 'low',
      dueDateTime: { dateTime: '2026-12-20T16:00:00', timeZone: 'Eastern Standard Time' },
      linkedResources: [{ applicationName: 'OroCRM', externalId: '17', displayName: 'Call', webUrl: 'http://crm/task/17' }],
    });
    expect(created.status).toBe(201);
    // Due dates are date-only: local midnight of that date in the given zone, as UTC.
    expect(created.body.dueDateTime).toEqual({ dateTime: '2026-12-20T05:00:00.0000000', timeZone: 'UTC' });
    expect(created.body.linkedResources).toEqual([
      { id: expect.any(String), applicationName: 'OroCRM', externalId: '17', displayName: 'Call', webUrl: 'http://crm/task/17' },
    ]);
    const path = `/v1.0/me/todo/lists/${crm.id}/tasks/${created.body.id}`;
    const patched = await h.call('PATCH', path, { status: 'completed' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ title: 'Call', importance: 'low', status: 'completed', completedDateTime: { timeZone: 'UTC' } });
    expect(patched.body['@odata.etag']).not.toBe(created.body['@odata.etag']);
    const links = await h.call('GET', `${path}/linkedResources`);
    expect(links.body.value.map((l: any) => l.externalId)).toEqual(['17']);
    const added = await h.call('POST', `${path}/linkedResources`, { applicationName: 'Other', externalId: 'x' });
    expect(added.status).toBe(201);
    const expanded = await h.call('GET', `${path}?$expand=linkedResources`);
    expect(expanded.body.linkedResources).toHaveLength(2);
    expect((await h.call('GET', path)).body.linkedResources).toBeUndefined();
    expect((await h.call('DELETE', path)).status).toBe(204);
    expect((await h.call('GET', path)).status).toBe(404);
  });

  test('extended properties on a task answer 400', async () => {
    const [, crm] = await lists();
    const res = await h.call('POST', `/v1.0/me/todo/lists/${crm.id}/tasks`, {
      title: 'X',
      singleValueExtendedProperties: [{ id: 'String {00020329-0000-0000-C000-000000000046} Name OroCRM_id', value: '1' }],
    });
    expect(res.status).toBe(400);
  });

  test('tasks delta pages, round-trips and reports deletions', async () => {
    const [, crm] = await lists();
    for (let i = 0; i < 9; i++) await h.call('POST', `/v1.0/me/todo/lists/${crm.id}/tasks`, { title: `T${i}` });
    const round = await deltaRound(h, `/v1.0/me/todo/lists/${crm.id}/tasks/delta`, 3);
    expect(round.items).toHaveLength(11);
    expect(round.pages).toBe(4);
    await h.call('DELETE', `/v1.0/me/todo/lists/${crm.id}/tasks/${round.items[0].id}`);
    const next = await deltaRound(h, round.deltaLink);
    expect(next.items).toEqual([{ '@odata.type': '#microsoft.graph.todoTask', id: round.items[0].id, '@removed': { reason: 'deleted' } }]);
  });

  test('a later delta round sends a changed task in part: id, etag and what the write changed; a new task whole', async () => {
    const [, crm] = await lists();
    const url = `/v1.0/me/todo/lists/${crm.id}/tasks/delta?$expand=linkedResources`;
    const first = await deltaRound(h, url);
    const old = first.items.find((t) => t.title === 'Send Q4 proposal to Ann');
    expect(old).toMatchObject({ importance: 'high', status: 'notStarted' });
    await h.call('PATCH', `/v1.0/me/todo/lists/${crm.id}/tasks/${old.id}`, { status: 'inProgress' });
    const made = await h.call('POST', `/v1.0/me/todo/lists/${crm.id}/tasks`, { title: 'Fresh', importance: 'low' });
    const next = await deltaRound(h, first.deltaLink);
    const partial = next.items.find((t) => t.id === old.id);
    expect(Object.keys(partial).sort()).toEqual(['@odata.etag', '@odata.type', 'id', 'linkedResources', 'status']);
    expect(partial.status).toBe('inProgress');
    expect(next.items.find((t) => t.id === made.body.id)).toMatchObject({ title: 'Fresh', importance: 'low', status: 'notStarted' });
    // A GET still answers the whole task.
    expect((await h.call('GET', `/v1.0/me/todo/lists/${crm.id}/tasks/${old.id}`)).body).toMatchObject({ title: 'Send Q4 proposal to Ann', importance: 'high', status: 'inProgress' });
  });

  test('tasks delta can expand linkedResources', async () => {
    const [, crm] = await lists();
    await h.call('POST', `/v1.0/me/todo/lists/${crm.id}/tasks`, { title: 'L', linkedResources: [{ applicationName: 'OroCRM', externalId: '5' }] });
    const round = await deltaRound(h, `/v1.0/me/todo/lists/${crm.id}/tasks/delta?$expand=linkedResources`, 2);
    expect(round.items.find((t) => t.title === 'L').linkedResources[0].externalId).toBe('5');
  });
});
