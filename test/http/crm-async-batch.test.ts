// A synchronous batch that runs past Oro's wait timeout goes on asynchronously (issue 11, finding 5):
// 202 + an `asyncoperations` resource, applied later by the message queue. Sources: documentation
// api/sync-batch-api.rst ("processed as an asynchronous Batch API request", 25 s) and api/batch-api.rst
// (asyncoperations, /errors); platform ApiBundle Processor/UpdateList/ProcessSynchronousOperation.php.
import { CrmHttp } from '../../src/crm/http';
import { CrmSide } from '../../src/crm/side';
import { PasswordGrantTokens } from '../../src/crm/tokens';
import type { TaskRecord } from '../../src/sync/records';
import { blankContact } from '../support/records';
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
const newTask = (subject: string) => ({ type: 'tasks', attributes: { subject }, relationships: { taskPriority: { data: { type: 'taskpriorities', id: 'normal' } } } });
const subjects = async () => ((await api('GET', '/api/tasks?page[size]=-1')).json.data as Array<{ attributes: { subject: string } }>).map((d) => d.attributes.subject);

describe('the emulator answers a slow batch with an asynchronous operation', () => {
  test('202 with the operation; applied later; the operation then says success', async () => {
    await quirk({ asyncBatch: { above: 1, afterRequests: 1 } });
    const res = await api('PATCH', '/api/tasks', { data: [newTask('Async one'), newTask('Async two')] }, { 'X-Mode': 'sync' });
    expect(res.status).toBe(202);
    const id = res.json.data.id as string;
    expect(res.headers.get('content-location')).toBe(`${t.crm.url}/api/asyncoperations/${id}`);
    expect(res.json.data).toMatchObject({ type: 'asyncoperations', attributes: { status: 'running', entityType: 'tasks', summary: null } });
    expect((await api('GET', `/api/asyncoperations/${id}`)).json.data.attributes.status).toBe('running');
    const done = await api('GET', `/api/asyncoperations/${id}`);
    expect(done.json.data.attributes).toMatchObject({ status: 'success', summary: { readCount: 2, writeCount: 2, errorCount: 0, createCount: 2 } });
    expect((await subjects()).filter((s) => s.startsWith('Async'))).toEqual(['Async one', 'Async two']);
    // A batch at or under the threshold stays synchronous.
    expect((await api('PATCH', '/api/tasks', { data: [newTask('Quick')] }, { 'X-Mode': 'sync' })).status).toBe(200);
  });

  test('a failed operation stores nothing and lists its errors with /data/N pointers; another user may not read it', async () => {
    await quirk({ asyncBatch: { above: 0, afterRequests: 0 } });
    const res = await api('PATCH', '/api/tasks', { data: [newTask('Fine'), newTask('')] }, { 'X-Mode': 'sync' });
    expect(res.status).toBe(202);
    const id = res.json.data.id as string;
    expect((await api('GET', `/api/asyncoperations/${id}`)).json.data.attributes.status).toBe('failed');
    const errors = await api('GET', `/api/asyncoperations/${id}/errors`);
    expect(errors.json.data).toEqual([
      { type: 'asyncoperationerrors', id: `${id}-1-1`, attributes: { status: 400, title: 'not blank constraint', detail: 'This value should not be blank.', source: { pointer: '/data/1/attributes/subject' } } },
    ]);
    expect(await subjects()).not.toContain('Fine');
    const bob = await tokenFor(t.crm, 'bob');
    expect((await rawApi(t.crm, 'GET', `/api/asyncoperations/${id}`, { token: bob })).status).toBe(403);
  });
});

describe('CrmSide treats a 202 as pending: it polls, reads back, and never sends again', () => {
  function side(): CrmSide {
    const tokens = new PasswordGrantTokens({ ...DEMO_RUNNER_APP, baseUrl: t.crm.url, username: 'alice', password: 'alice' });
    return new CrmSide({ http: new CrmHttp({ baseUrl: t.crm.url, tokens }), retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 }, sleep: async () => undefined });
  }
  const task = (subject: string, status: TaskRecord['status'] = 'open'): TaskRecord => ({ subject, priority: 'normal', dueDate: null, status });
  const batchWrites = async () => {
    const stats = (await (await fetch(`${t.crm.url}/_control/stats`)).json()) as { byRoute: Record<string, number> };
    return Object.entries(stats.byRoute).filter(([route]) => route.startsWith('PATCH /api/')).reduce((n, [, c]) => n + c, 0);
  };

  test('task and contact creates land once each, with their own ids', async () => {
    await quirk({ asyncBatch: { above: 1, afterRequests: 2 } });
    const s = side();
    const tasks = await s.apply('task', [
      { op: 'create', key: 't1', record: task('Twin') },
      { op: 'create', key: 't2', record: task('Twin') },
      { op: 'create', key: 't3', record: task('Single') },
    ]);
    expect(tasks.every((r) => r.ok)).toBe(true);
    expect(new Set(tasks.map((r) => (r.ok ? r.id : '')))).toHaveProperty('size', 3);
    expect((await subjects()).filter((x) => x === 'Twin' || x === 'Single').sort()).toEqual(['Single', 'Twin', 'Twin']);
    const contacts = await s.apply('contact', [
      { op: 'create', key: 'c1', record: blankContact({ firstName: 'Asha', lastName: 'Async' }) },
      { op: 'create', key: 'c2', record: blankContact({ firstName: 'Bram', lastName: 'Async' }) },
    ]);
    expect(contacts.every((r) => r.ok)).toBe(true);
    const listed = (await api('GET', '/api/contacts?page[size]=-1')).json.data as Array<{ id: string; attributes: { lastName: string } }>;
    expect(listed.filter((d) => d.attributes.lastName === 'Async').map((d) => d.id).sort()).toEqual(contacts.map((r) => (r.ok ? r.id : '')).sort());
    expect(await batchWrites()).toBe(2); // one PATCH per apply: nothing was sent again
  });

  test('updates come back with the version a read gives, so the next poll sees no change', async () => {
    const s = side();
    const made = await s.apply('task', [{ op: 'create', key: 'a', record: task('A') }, { op: 'create', key: 'b', record: task('B') }]);
    await quirk({ asyncBatch: { above: 1, afterRequests: 0 } });
    const ids = made.map((r) => (r.ok ? r.id : ''));
    const results = await s.apply('task', ids.map((id, i) => ({ op: 'update' as const, id, record: task(`${'AB'[i]} edited`) })));
    const now = await s.get('task', ids);
    expect(results).toEqual(now.map((item) => ({ ok: true, id: item!.id, version: item!.version })));
    expect(now.map((i) => i!.record.subject)).toEqual(['A edited', 'B edited']);
  });

  test('a failed operation blames its item; the others are sent again and land', async () => {
    await quirk({ asyncBatch: { above: 1, afterRequests: 0 } });
    const s = side();
    const results = await s.apply('task', [
      { op: 'create', key: 'x', record: task('Kept one') },
      { op: 'create', key: 'y', record: task('x'.repeat(300)) },
      { op: 'create', key: 'z', record: task('Kept two') },
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['ok', 'invalid', 'ok']);
    expect((await subjects()).filter((x) => x.startsWith('Kept')).sort()).toEqual(['Kept one', 'Kept two']);
  });

  test('an operation still running when the wait ends is reported, not failed for a retry', async () => {
    await quirk({ asyncBatch: { above: 0, afterRequests: 1000 } });
    const tokens = new PasswordGrantTokens({ ...DEMO_RUNNER_APP, baseUrl: t.crm.url, username: 'alice', password: 'alice' });
    const s = new CrmSide({ http: new CrmHttp({ baseUrl: t.crm.url, tokens }), sleep: async () => undefined, asyncWaitMs: 1000 });
    const [r] = await s.apply('task', [{ op: 'create', key: 'slow', record: task('Slow') }]);
    expect(r).toMatchObject({ ok: false, retryable: false, message: expect.stringMatching(/still applying/) });
    expect(await batchWrites()).toBe(1);
  });
});
