// Oro's task_flow workflow (issue 11, finding 3), active by default on a stock Oro: a task is created
// `open`, and its status changes only through workflow transitions. Sources: OroCRMTaskBundle
// Resources/config/oro/workflows/task_flow.yml and task_flow/entity_restrictions.yml; platform
// WorkflowBundle/Validator/Constraints/WorkflowEntityValidator.php and translations/validators.en.yml;
// TaskBundle Tests/Functional/Api/RestJsonApi/TaskTest.php (testTryToUpdateRelationshipForStatus).
import { CrmHttp } from '../../src/crm/http';
import { CrmSide } from '../../src/crm/side';
import { PasswordGrantTokens } from '../../src/crm/tokens';
import type { TaskRecord } from '../../src/sync/records';
import { api as rawApi, startTestCrm, tokenFor, type TestCrm, setQuirks } from '../emulators/crm/testing';
import { DEMO_RUNNER_APP } from '../emulators/demo-data';

let t: TestCrm;
let token: string;

beforeEach(async () => {
  t = await startTestCrm();
  token = await tokenFor(t.crm, 'alice');
});
afterEach(async () => {
  await t.dispose();
});

const api = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => rawApi(t.crm, method, path, { token, body, headers });
const quirk = (quirks: Record<string, unknown>) => setQuirks(t.crm, quirks);
const taskDoc = (subject: string, status: string, id?: string, meta?: Record<string, unknown>) => ({
  type: 'tasks',
  ...(id ? { id } : {}),
  ...(meta ? { meta } : {}),
  attributes: { subject },
  relationships: { taskPriority: { data: { type: 'taskpriorities', id: 'normal' } }, status: { data: { type: 'taskstatuses', id: status } } },
});
const REFUSED_CREATE = { status: '400', title: 'workflow entity constraint', detail: 'Could not create entity with this value because of workflow restrictions.' };
const REFUSED_UPDATE = { status: '400', title: 'workflow entity constraint', detail: 'Field could not be edited because of workflow restrictions.' };

async function createOpenTask(subject: string): Promise<string> {
  const res = await api('POST', '/api/tasks', { data: taskDoc(subject, 'open') });
  expect(res.status).toBe(201);
  return res.json.data.id as string;
}

describe('the emulator refuses status writes as task_flow does', () => {
  test('creating a task that is not open is refused; open is fine', async () => {
    const closed = await api('POST', '/api/tasks', { data: taskDoc('Done already', 'closed') });
    expect(closed.status).toBe(400);
    expect(closed.json.errors).toEqual([{ ...REFUSED_CREATE, source: { pointer: '/data/relationships/status/data' } }]);
    expect((await api('POST', '/api/tasks', { data: taskDoc('Working', 'in_progress') })).status).toBe(400);
    await createOpenTask('Fresh');
  });

  test('changing the status of a task is refused; the same status again is not a change', async () => {
    const id = await createOpenTask('Call back');
    const change = await api('PATCH', `/api/tasks/${id}`, { data: taskDoc('Call back', 'closed', id) });
    expect(change.status).toBe(400);
    expect(change.json.errors).toEqual([{ ...REFUSED_UPDATE, source: { pointer: '/data/relationships/status/data' } }]);
    const same = await api('PATCH', `/api/tasks/${id}`, { data: taskDoc('Call back soon', 'open', id) });
    expect(same.status).toBe(200);
    expect(same.json.data.attributes.subject).toBe('Call back soon');
  });

  test('one refused task fails the whole atomic batch with a /data/N pointer', async () => {
    const a = await createOpenTask('A');
    const b = await api('PATCH', '/api/tasks', { data: [taskDoc('A2', 'open', a, { update: true }), taskDoc('B', 'closed')] }, { 'X-Mode': 'sync' });
    expect(b.status).toBe(400);
    expect(b.json.errors).toEqual([{ ...REFUSED_CREATE, source: { pointer: '/data/1/relationships/status/data' } }]);
    expect((await api('GET', `/api/tasks/${a}`)).json.data.attributes.subject).toBe('A'); // nothing stored
  });

  test('with the workflow deactivated, any status may be written', async () => {
    await quirk({ taskFlow: false });
    const res = await api('POST', '/api/tasks', { data: taskDoc('Done already', 'closed') });
    expect(res.status).toBe(201);
    const id = res.json.data.id as string;
    expect((await api('PATCH', `/api/tasks/${id}`, { data: taskDoc('Done already', 'in_progress', id) })).status).toBe(200);
  });
});

describe('CrmSide under task_flow', () => {
  function side(): CrmSide {
    const tokens = new PasswordGrantTokens({ ...DEMO_RUNNER_APP, baseUrl: t.crm.url, username: 'alice', password: 'alice' });
    return new CrmSide({ http: new CrmHttp({ baseUrl: t.crm.url, tokens }), retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 } });
  }
  const task = (subject: string, status: TaskRecord['status']): TaskRecord => ({ subject, priority: 'normal', dueDate: null, status });

  test('a status change is left out, the rest of the task and of the batch lands, and the refusal is reported', async () => {
    const s = side();
    const ids = [await createOpenTask('One'), await createOpenTask('Two'), await createOpenTask('Three')];
    const results = await s.apply('task', [
      { op: 'update', id: ids[0], record: task('One edited', 'open') },
      { op: 'update', id: ids[1], record: task('Two edited', 'closed') },
      { op: 'update', id: ids[2], record: task('Three edited', 'open') },
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, true, true]);
    expect(results[0]).not.toHaveProperty('unsynced');
    expect(results[1]).toMatchObject({ unsynced: { fields: ['status'], kept: { status: 'open' } } });
    const now = await s.get('task', ids);
    expect(now.map((i) => [i!.record.subject, i!.record.status])).toEqual([
      ['One edited', 'open'],
      ['Two edited', 'open'],
      ['Three edited', 'open'],
    ]);
  });

  test('a completed task from Outlook is created open, reported, and not created twice', async () => {
    const s = side();
    const [r] = await s.apply('task', [{ op: 'create', key: 'k1', record: task('Finished in Outlook', 'closed') }]);
    expect(r).toMatchObject({ ok: true, unsynced: { fields: ['status'], kept: { status: 'open' } } });
    const list = await api('GET', '/api/tasks?page[size]=-1');
    expect(list.json.data.filter((d: any) => d.attributes.subject === 'Finished in Outlook')).toHaveLength(1);
  });

  test('with the workflow deactivated, the status goes through and nothing is reported', async () => {
    await quirk({ taskFlow: false });
    const s = side();
    const id = await createOpenTask('Plain');
    const [r] = await s.apply('task', [{ op: 'update', id, record: task('Plain', 'closed') }]);
    expect(r).toEqual({ ok: true, id, version: expect.any(String) });
    expect((await s.get('task', [id]))[0]!.record.status).toBe('closed');
  });
});
