// Moves out of the "OroCRM" folder or list (issue 10 §1, docs/sync.md "Moves"): the user took the item out
// of what syncs. Nothing is deleted in the CRM, nothing is copied back into the folder, cycle after cycle
// (CRM edits and full rounds included), and the item is linked again, not duplicated, when it comes back.
import { startWorld, type World } from '../support/world';

jest.setTimeout(90_000);

let w: World;
afterEach(async () => {
  await w?.close();
});

const CONTACTS_ONLY = { tasks_enabled: false, calendar_events_enabled: false } as const;
const TASKS_ONLY = { contacts_enabled: false, calendar_events_enabled: false } as const;

async function move(id: string, destinationId: string): Promise<string> {
  const res = await fetch(`${w.graphUrl}/_control/graph/move`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id, destinationId }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { id: string }).id;
}

async function outlook(kind: 'contact' | 'task' | 'contactFolder' | 'todoList'): Promise<Array<Record<string, any>>> {
  return (await w.mailbox())[kind] ?? [];
}

async function folder(name: string): Promise<string> {
  return (await outlook('contactFolder')).find((f) => f.displayName === name)!.id;
}

async function todoList(name: string): Promise<string> {
  return (await outlook('todoList')).find((l) => l.displayName === name)!.id;
}

async function crmContacts(lastName: string): Promise<any[]> {
  return (await w.list('crm', 'contact')).filter((c) => c.record.lastName === lastName);
}

async function crmTasks(subject: string): Promise<any[]> {
  return (await w.list('crm', 'task')).filter((t) => t.record.subject === subject);
}

async function cycles(n: number, between?: (i: number) => Promise<void>): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < n; i++) {
    await between?.(i);
    for (const s of await w.engine.syncNow()) deleted += s.written.crm.deleted + s.written.outlook.deleted;
  }
  return deleted;
}

describe('a contact moved out of the OroCRM folder', () => {
  test('keeps its CRM record, is not copied back into the folder, and is not synced, over cycles, edits and full rounds', async () => {
    w = await startWorld({ settings: CONTACTS_ONLY });
    await w.engine.syncNow();
    const oro = await folder('OroCRM');
    const clients = (await w.graphApi('POST', '/me/contactFolders', { displayName: 'Clients' })).body.id;
    const ann = (await outlook('contact')).find((c) => c.surname === 'Lee' && c.parent === oro)!;
    await move(ann.id, clients);
    const [crmAnn] = await crmContacts('Lee');

    const deleted = await cycles(4, async (i) => {
      if (i === 1) expect((await w.crmApi('PATCH', `/api/contacts/${crmAnn.id}`, { data: { type: 'contacts', id: crmAnn.id, attributes: { jobTitle: 'Chair' } } })).status).toBe(200);
      if (i === 2) expect((await fetch(`${w.graphUrl}/_control/graph/reset-delta`, { method: 'POST', body: '{}' })).status).toBe(200); // an Outlook full round
    });
    expect(deleted).toBe(0);
    expect(await crmContacts('Lee')).toHaveLength(1);
    const lees = (await outlook('contact')).filter((c) => c.surname === 'Lee');
    expect(lees.map((c) => c.parent)).toEqual([clients]);
    expect(lees[0].jobTitle).toBe('CTO'); // the CRM edit is not written to an item the user took out

    // Moved back: linked again, not duplicated on either side, and syncing again.
    await move(ann.id, oro);
    expect(await cycles(2)).toBe(0);
    expect(await crmContacts('Lee')).toHaveLength(1);
    const back = (await outlook('contact')).filter((c) => c.surname === 'Lee');
    expect(back.map((c) => [c.id, c.parent])).toEqual([[ann.id, oro]]);
    expect(back[0].jobTitle).toBe('Chair'); // OroCRM always wins the first-sync-like merge of the relink
    expect((await w.graphApi('PATCH', `/me/contacts/${ann.id}`, { jobTitle: 'Founder' })).status).toBe(200);
    await cycles(1);
    expect((await crmContacts('Lee'))[0].record.jobTitle).toBe('Founder');
  });

  test('a contact deleted in Outlook (moved to Deleted Items) is a deletion: under Both the CRM record is re-added to the folder', async () => {
    w = await startWorld({ settings: CONTACTS_ONLY });
    await w.engine.syncNow();
    const oro = await folder('OroCRM');
    const ann = (await outlook('contact')).find((c) => c.surname === 'Lee' && c.parent === oro)!;
    await move(ann.id, 'deleteditems');
    await cycles(2);
    expect(await crmContacts('Lee')).toHaveLength(1);
    expect((await outlook('contact')).filter((c) => c.surname === 'Lee' && c.parent === oro)).toHaveLength(1);
  });
});

describe('a task moved to another To Do list', () => {
  test('keeps its CRM task, is not copied back into the OroCRM list, and is linked again when moved back', async () => {
    w = await startWorld({ settings: TASKS_ONLY });
    await w.engine.syncNow();
    const oro = await todoList('OroCRM');
    const personal = await todoList('Tasks');
    const subject = 'Send Q4 proposal to Ann';
    const task = (await outlook('task')).find((t) => t.title === subject && t.parent === oro)!;
    const movedId = await move(task.id, personal);
    const [crmTask] = await crmTasks(subject);

    const deleted = await cycles(3, async (i) => {
      if (i === 1) expect((await w.crmApi('PATCH', `/api/tasks/${crmTask.id}`, { data: { type: 'tasks', id: crmTask.id, attributes: { description: 'Draft attached' } } })).status).toBe(200);
    });
    expect(deleted).toBe(0);
    expect(await crmTasks(subject)).toHaveLength(1);
    expect((await outlook('task')).filter((t) => t.title === subject).map((t) => t.parent)).toEqual([personal]);

    const backId = await move(movedId, oro);
    expect(await cycles(2)).toBe(0);
    expect(await crmTasks(subject)).toHaveLength(1);
    expect((await outlook('task')).filter((t) => t.title === subject).map((t) => [t.id, t.parent])).toEqual([[backId, oro]]);
    expect((await w.graphApi('PATCH', `/me/todo/lists/${oro}/tasks/${backId}`, { importance: 'low' })).status).toBe(200);
    await cycles(1);
    expect((await crmTasks(subject))[0].record.priority).toBe('low');
  });
});
