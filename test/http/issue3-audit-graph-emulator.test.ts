// Issue 3 audit: Graph emulator behaviour the first tests left out (a task's linkedResource update,
// `Prefer: outlook.timezone` on event reads).
import { startGraph, type Harness } from '../emulators/graph/testing';

let h: Harness;
beforeEach(async () => {
  h = await startGraph({ now: () => new Date('2026-11-20T10:00:00Z') });
});
afterEach(async () => {
  await h.close();
});

describe('a task\'s linkedResources', () => {
  async function taskWithLink(): Promise<{ path: string; linkId: string; etag: string }> {
    const lists = await h.call('GET', '/v1.0/me/todo/lists');
    const list = lists.body.value.find((l: any) => l.displayName === 'OroCRM');
    const created = await h.call('POST', `/v1.0/me/todo/lists/${list.id}/tasks`, {
      title: 'Linked',
      linkedResources: [{ applicationName: 'OroCRM', externalId: '17', displayName: 'Task 17', webUrl: 'http://crm/task/17' }],
    });
    const path = `/v1.0/me/todo/lists/${list.id}/tasks/${created.body.id}`;
    return { path, linkId: created.body.linkedResources[0].id, etag: created.body['@odata.etag'] };
  }

  test('PATCH on one linkedResource answers 200 with it updated, keeps omitted properties and its id, and changes the task etag', async () => {
    const { path, linkId, etag } = await taskWithLink();
    const patched = await h.call('PATCH', `${path}/linkedResources/${linkId}`, { externalId: '18', id: 'ignored' });
    expect(patched.status).toBe(200);
    expect(patched.body).toEqual({ id: linkId, applicationName: 'OroCRM', externalId: '18', displayName: 'Task 17', webUrl: 'http://crm/task/17' });
    expect((await h.call('GET', `${path}/linkedResources/${linkId}`)).body.externalId).toBe('18');
    const task = await h.call('GET', `${path}?$expand=linkedResources`);
    expect(task.body.linkedResources.map((l: any) => l.externalId)).toEqual(['18']);
    expect(task.body['@odata.etag']).not.toBe(etag);
  });

  test('PATCH of an unknown linkedResource answers 404; an unknown property answers 400 and changes nothing', async () => {
    const { path, linkId } = await taskWithLink();
    const missing = await h.call('PATCH', `${path}/linkedResources/nope`, { externalId: '1' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('ErrorItemNotFound');
    const bad = await h.call('PATCH', `${path}/linkedResources/${linkId}`, { externalId: '19', colour: 'red' });
    expect(bad.status).toBe(400);
    expect((await h.call('GET', `${path}/linkedResources/${linkId}`)).body.externalId).toBe('17');
  });
});
