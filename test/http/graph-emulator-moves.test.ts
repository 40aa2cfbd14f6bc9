// A user's moves in Outlook / To Do, as Graph reports them (test/emulators/graph/moves.ts).
import { deltaRound, startGraph, type Harness } from '../emulators/graph/testing';

let h: Harness;
beforeEach(async () => {
  h = await startGraph();
});
afterEach(async () => {
  await h.close();
});

const move = (id: string, destinationId: string) => h.call('POST', '/_control/graph/move', { id, destinationId }, {}, null);

async function folderId(name: string): Promise<string> {
  const res = await h.call('GET', `/v1.0/me/contactFolders?$filter=${encodeURIComponent(`displayName eq '${name}'`)}`);
  return res.body.value[0].id;
}

async function listId(name: string): Promise<string> {
  const res = await h.call('GET', '/v1.0/me/todo/lists');
  return res.body.value.find((l: { displayName: string }) => l.displayName === name).id;
}

test('a contact moved to another folder keeps its id, leaves the old folder delta as @removed and is read by id anywhere', async () => {
  const oro = await folderId('OroCRM');
  const other = (await h.call('POST', '/v1.0/me/contactFolders', { displayName: 'Clients' })).body.id;
  const first = await deltaRound(h, `/v1.0/me/contactFolders/${oro}/contacts/delta`);
  const contact = first.items[0];

  const moved = await move(contact.id, other);
  expect(moved.status).toBe(200);
  expect(moved.body).toEqual({ id: contact.id, parent: other });

  const after = await deltaRound(h, first.deltaLink);
  expect(after.items).toEqual([{ '@odata.type': '#microsoft.graph.contact', id: contact.id, '@removed': { reason: 'deleted' } }]);
  expect((await h.call('GET', `/v1.0/me/contactFolders/${oro}/contacts/${contact.id}`)).status).toBe(404);
  const anywhere = await h.call('GET', `/v1.0/me/contacts/${contact.id}`);
  expect(anywhere.status).toBe(200);
  expect(anywhere.body.parentFolderId).toBe(other);
  expect((await h.call('GET', `/v1.0/me/contactFolders/${other}`)).status).toBe(200);

  // Moved back: the folder's delta shows it again, whole, and no longer as removed.
  expect((await move(contact.id, oro)).status).toBe(200);
  const back = await deltaRound(h, after.deltaLink);
  expect(back.items).toHaveLength(1);
  expect(back.items[0]).toMatchObject({ id: contact.id, parentFolderId: oro, givenName: contact.givenName });
  const initial = await deltaRound(h, `/v1.0/me/contactFolders/${oro}/contacts/delta`);
  expect(initial.items.map((i) => i.id)).toContain(contact.id);
});

test('a contact deleted in Outlook sits in Deleted Items, a mail folder that /contactFolders does not know', async () => {
  const oro = await folderId('OroCRM');
  const contact = (await h.call('GET', `/v1.0/me/contactFolders/${oro}/contacts`)).body.value[0];
  expect((await move(contact.id, 'deleteditems')).status).toBe(200);
  const read = await h.call('GET', `/v1.0/me/contacts/${contact.id}`);
  expect(read.status).toBe(200);
  expect((await h.call('GET', `/v1.0/me/contactFolders/${read.body.parentFolderId}`)).status).toBe(404);
});

test('a task moved to another list gets a new id there, with its linkedResources; the old list reports the old id @removed', async () => {
  const oro = await listId('OroCRM');
  const tasks = await listId('Tasks');
  const first = await deltaRound(h, `/v1.0/me/todo/lists/${oro}/tasks/delta?$expand=linkedResources`);
  const created = await h.call('POST', `/v1.0/me/todo/lists/${oro}/tasks`, { title: 'Call back', linkedResources: [{ applicationName: 'OroCRM', externalId: '42' }] });
  const mid = await deltaRound(h, first.deltaLink);
  expect(mid.items.map((i) => i.id)).toEqual([created.body.id]);

  const moved = await move(created.body.id, tasks);
  expect(moved.status).toBe(200);
  expect(moved.body.id).not.toBe(created.body.id);
  const after = await deltaRound(h, mid.deltaLink);
  expect(after.items).toEqual([{ '@odata.type': '#microsoft.graph.todoTask', id: created.body.id, '@removed': { reason: 'deleted' } }]);
  expect((await h.call('GET', `/v1.0/me/todo/lists/${oro}/tasks/${created.body.id}`)).status).toBe(404);
  const there = await h.call('GET', `/v1.0/me/todo/lists/${tasks}/tasks/${moved.body.id}?$expand=linkedResources`);
  expect(there.status).toBe(200);
  expect(there.body).toMatchObject({ title: 'Call back', linkedResources: [expect.objectContaining({ externalId: '42' })] });
});

test('a move to something that is not a folder or list of the mailbox is refused', async () => {
  const oro = await folderId('OroCRM');
  const contact = (await h.call('GET', `/v1.0/me/contactFolders/${oro}/contacts`)).body.value[0];
  expect((await move(contact.id, 'nope')).status).toBe(404);
  expect((await move('nope', oro)).status).toBe(404);
});
