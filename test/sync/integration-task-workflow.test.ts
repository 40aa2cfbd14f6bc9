// A stock Oro runs the task_flow workflow (issue 11, finding 3): a status Outlook sets is refused by the
// CRM. The sync still lands the task's other changes, keeps Oro's status as the synced one and logs the
// refusal in the conflict log, where the pane shows it; it never fails the batch or drops it silently.
import { byName, startWorld, type World } from '../support/world';

jest.setTimeout(60_000);

let w: World;
afterEach(async () => {
  await w?.close();
});

const TASKS_ONLY = { contacts_enabled: false, calendar_events_enabled: false } as const;

test('a task completed in Outlook: its other edits reach the CRM, the status stays open and the refusal is logged once', async () => {
  w = await startWorld({ settings: TASKS_ONLY });
  await w.engine.syncNow();
  const outlookTasks = byName('task', await w.list('outlook', 'task'));
  const proposal = outlookTasks['Send Q4 proposal to Ann'];
  const demo = outlookTasks['Prepare demo for Mei'];
  // The user completes one task and renames another, in Outlook.
  const edits = await w.readers.outlook.apply('task', [
    { op: 'update', id: proposal.id, record: { ...proposal.record, status: 'closed', dueDate: '2026-12-05' } },
    { op: 'update', id: demo.id, record: { ...demo.record, subject: 'Prepare the demo for Mei' } },
  ]);
  expect(edits.every((r) => r.ok)).toBe(true);

  const [, outlookCycle] = await w.engine.syncNow();
  expect(outlookCycle.written.crm.updated).toBe(2);
  const crm = byName('task', await w.list('crm', 'task'));
  expect(crm['Send Q4 proposal to Ann'].record).toMatchObject({ status: 'open', dueDate: '2026-12-05' });
  expect(crm['Prepare the demo for Mei']).toBeDefined();
  expect(await w.store.conflicts()).toEqual([
    expect.objectContaining({ type: 'task', fields: ['status'], winner: 'crm', losingValues: { status: 'closed' }, rule: expect.stringMatching(/workflow/) }),
  ]);
  // Outlook keeps what the user did; nothing is written again until something changes.
  expect(byName('task', await w.list('outlook', 'task'))['Send Q4 proposal to Ann'].record.status).toBe('closed');
  const idle = await w.engine.syncNow();
  expect(idle.map((c) => c.written.crm.updated + c.written.outlook.updated)).toEqual([0, 0]);
  expect(await w.store.conflicts()).toHaveLength(1);
});
