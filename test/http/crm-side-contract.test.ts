// CrmSide against the real CRM emulator over HTTP (issue 3, contract tests).
import type { CrmEmulator } from '../emulators/crm/server';
import { startTestCrm, type TestCrm } from '../emulators/crm/testing';
import { CrmHttp } from '../../src/crm/http';
import { PasswordGrantTokens, type FetchLike } from '../../src/crm/tokens';
import { CrmSide } from '../../src/crm/side';
import type { Change, ChangePage, WriteOp } from '../../src/sync/side';
import type { ContactRecord, EntityType, EventRecord, RecordOf, TaskRecord } from '../../src/sync/records';
import { MalformedResponseError } from '../../src/sync/errors';
import { blankContact } from '../support/records';
import { DEMO_RUNNER_APP } from '../emulators/demo-data';

const person = (firstName: string, extra: Partial<ContactRecord> = {}): ContactRecord => blankContact({ firstName, lastName: 'Test', ...extra });

let emu: CrmEmulator;
let t: TestCrm;
let clock: Date;

beforeEach(async () => {
  clock = new Date('2026-03-01T10:00:00Z');
  t = await startTestCrm({ now: () => clock });
  emu = t.crm;
});
afterEach(async () => {
  await t.dispose();
});

function side(options: { pageSize?: number; fetch?: FetchLike; user?: string } = {}): CrmSide {
  const user = options.user ?? 'alice';
  const tokens = new PasswordGrantTokens({ ...DEMO_RUNNER_APP, baseUrl: emu.url, username: user, password: user });
  const http = new CrmHttp({ baseUrl: emu.url, tokens, fetch: options.fetch });
  return new CrmSide({ http, pageSize: options.pageSize, retry: { attempts: 8, baseDelayMs: 1, maxDelayMs: 20 }, now: () => clock.getTime() });
}

async function control(pathname: string, body: unknown): Promise<void> {
  const res = await fetch(`${emu.url}${pathname}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
}

/** Reads one whole round; returns its pages and the checkpoint after it. */
async function round<T extends EntityType>(s: CrmSide, type: T, checkpoint: string | null): Promise<{ pages: Array<ChangePage<RecordOf<T>>>; changes: Array<Change<RecordOf<T>>>; checkpoint: string }> {
  const pages: Array<ChangePage<RecordOf<T>>> = [];
  let cp = checkpoint;
  for (let i = 0; i < 500; i++) {
    const page = await s.readChanges(type, cp);
    pages.push(page);
    cp = page.checkpoint;
    if (page.done) return { pages, changes: pages.flatMap((p) => p.changes), checkpoint: cp };
  }
  throw new Error('round did not finish');
}

const upsertIds = <R>(changes: Array<Change<R>>) => changes.filter((c) => c.kind === 'upsert').map((c) => (c as { item: { id: string } }).item.id);
const deleteIds = <R>(changes: Array<Change<R>>) => changes.filter((c) => c.kind === 'delete').map((c) => (c as { id: string }).id);
const creates = <R>(records: R[], prefix: string): Array<WriteOp<R>> => records.map((record, i) => ({ op: 'create', key: `${prefix}-${i}`, record }));

describe('CrmSide reading', () => {
  test('a full round pages through only the signed-in user\'s records and is flagged full', async () => {
    const s = side({ pageSize: 1 });
    const r = await round(s, 'contact', null);
    expect(r.pages.length).toBeGreaterThan(3);
    expect(r.pages.every((p) => p.full)).toBe(true);
    const names = r.changes.map((c) => (c.kind === 'upsert' ? c.item.record.firstName : null)).sort();
    expect(names).toEqual(['Ann', 'Carlos', 'Mei', 'Olu']); // bob's Zed is not alice's
    const again = await round(s, 'contact', r.checkpoint);
    expect(again.changes).toEqual([]);
    expect(again.pages.every((p) => !p.full)).toBe(true);
  });

  test('no record is lost or repeated when many writes share the boundary second', async () => {
    const s = side({ pageSize: 10 });
    const first = await round(s, 'contact', null);
    clock = new Date('2026-03-01T10:00:05Z'); // frozen: every write below gets the same updatedAt
    const made = await s.apply('contact', creates(Array.from({ length: 25 }, (_, i) => person(`Same${i}`)), 'same'));
    expect(made.every((r) => r.ok)).toBe(true);
    // Read part of the round, then more writes land in the same second.
    const p1 = await s.readChanges('contact', first.checkpoint);
    const p2 = await s.readChanges('contact', p1.checkpoint);
    const late = await s.apply('contact', creates(Array.from({ length: 12 }, (_, i) => person(`Late${i}`)), 'late'));
    const rest = await round(s, 'contact', p2.checkpoint);
    const seen = [...upsertIds(p1.changes), ...upsertIds(p2.changes), ...upsertIds(rest.changes)];
    const expected = [...made, ...late].map((r) => (r.ok ? r.id : ''));
    expect(new Set(seen)).toEqual(new Set(expected));
    // An update in the very same second is still seen; unchanged records are not repeated.
    const firstId = made[0].ok ? made[0].id : '';
    await s.apply('contact', [{ op: 'update', id: firstId, record: person('Renamed'), fields: ['firstName'] }]);
    const next = await round(s, 'contact', rest.checkpoint);
    expect(upsertIds(next.changes)).toEqual([firstId]);
  });

  test('task and event rounds read alice\'s seeded items and then only changes', async () => {
    const s = side({ pageSize: 2 });
    const tasks = await round(s, 'task', null);
    expect(tasks.changes.map((c) => (c.kind === 'upsert' ? c.item.record.subject : '')).sort()).toEqual(['Call Carlos about renewal', 'Send Q4 proposal to Ann']);
    const events = await round(s, 'event', null);
    const offsite = events.changes.find((c) => c.kind === 'upsert' && c.item.record.title === 'Acme offsite');
    expect(offsite && offsite.kind === 'upsert' && offsite.item.record).toEqual({ title: 'Acme offsite', start: '2026-12-14', end: '2026-12-15', allDay: true, description: null, reminder: null });
    clock = new Date('2026-03-01T11:00:00Z');
    const ev: EventRecord = { title: 'New call', start: '2026-04-01T09:00:00Z', end: '2026-04-01T09:30:00Z', allDay: false, description: 'Dial in:\n+1 555 & ask for <Ann>', reminder: 1440 };
    const [made] = await s.apply('event', [{ op: 'create', key: 'ev-1', record: ev }]);
    const next = await round(s, 'event', events.checkpoint);
    expect(next.changes).toEqual([{ kind: 'upsert', item: { id: made.ok ? made.id : '', version: made.ok ? made.version : '', record: ev } }]);
  });

  test('an all-day event is stored as Oro\'s UI stores it (00:00 to 23:59 of the last day) and reads back with the same length', async () => {
    const s = side();
    const offsite: EventRecord = { title: 'Two-day offsite', start: '2026-05-04', end: '2026-05-06', allDay: true, description: null, reminder: null };
    const [made] = await s.apply('event', [{ op: 'create', key: 'ev-all-day', record: offsite }]);
    expect(made.ok).toBe(true);
    const id = made.ok ? made.id : '';
    const raw = await s.client.send({ path: `/api/rest/latest/calendarevents/${id}`, format: 'rest' });
    expect(raw.body).toMatchObject({ start: '2026-05-04T00:00:00+00:00', end: '2026-05-05T23:59:00+00:00', allDay: true });
    expect((await s.get('event', [id]))[0]?.record).toEqual(offsite);
  });

  test('a malformed answer becomes MalformedResponseError, not a silent skip', async () => {
    const broken: FetchLike = async (input, init) => {
      const res = await globalThis.fetch(input, init);
      if (String(input).includes('/api/contacts')) return new Response(JSON.stringify({ data: [{ type: 'contacts', id: 1 }] }), { status: 200 });
      return res;
    };
    await expect(side({ fetch: broken }).readChanges('contact', null)).rejects.toBeInstanceOf(MalformedResponseError);
  });
});

describe('CrmSide deletions', () => {
  test('deletions are read from the audit API', async () => {
    const s = side();
    const first = await round(s, 'contact', null);
    const victim = upsertIds(first.changes)[0];
    clock = new Date('2026-03-01T10:01:00Z');
    await s.apply('contact', [{ op: 'delete', id: victim }]);
    const next = await round(s, 'contact', first.checkpoint);
    expect(deleteIds(next.changes)).toEqual([victim]);
    const after = await round(s, 'contact', next.checkpoint);
    expect(deleteIds(after.changes)).toEqual([]);
  });

  test.each(['forbidden', 'missing'])('with the audit API %s, ids are reconciled after a complete listing', async (mode) => {
    await control('/_emulator/audit', { mode });
    const s = side({ pageSize: 2 });
    const first = await round(s, 'task', null);
    const victim = upsertIds(first.changes)[0];
    await s.apply('task', [{ op: 'delete', id: victim }]);
    const next = await round(s, 'task', first.checkpoint);
    expect(deleteIds(next.changes)).toEqual([victim]);
  });

  test('reconciliation infers nothing from a failed listing, and deletes once the listing completes', async () => {
    await control('/_emulator/audit', { mode: 'forbidden' });
    const s = side();
    const first = await round(s, 'event', null);
    const victim = upsertIds(first.changes)[0];
    await s.apply('event', [{ op: 'delete', id: victim }]);
    await control('/_control/faults', { rate5xx: 1, routeFilter: 'calendarevents' });
    await expect(s.readChanges('event', first.checkpoint)).rejects.toThrow();
    await control('/_control/faults', {});
    const next = await round(s, 'event', first.checkpoint);
    expect(deleteIds(next.changes)).toEqual([victim]);
  });
});

describe('CrmSide writing', () => {
  test('an invalid record in a batch is reported and the others are stored (the batch itself is atomic)', async () => {
    const s = side();
    const results = await s.apply('contact', [
      { op: 'create', key: 'ok-1', record: person('Good') },
      { op: 'create', key: 'bad-1', record: blankContact() }, // no name, email or phone
      { op: 'create', key: 'bad-2', record: person('Addr', { businessAddress: { street: 'x', city: null, region: null, postalCode: null, country: null } }) },
      { op: 'create', key: 'ok-2', record: person('Fine', { homeAddress: { street: '2 Elm', city: 'Springfield', region: 'IL', postalCode: '1', country: 'US' } }) },
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, false, false, true]);
    expect(results[1]).toMatchObject({ code: 'invalid', message: expect.stringContaining('has contact information constraint') });
    expect(results[2]).toMatchObject({ code: 'invalid', message: expect.stringContaining('country') });
    const [stored] = await s.get('contact', [results[3].ok ? results[3].id : '']);
    expect(stored?.record.homeAddress).toEqual({ street: '2 Elm', city: 'Springfield', region: 'IL', postalCode: '1', country: 'US' });
  });

  test('more than 100 creates go out in several sync batches', async () => {
    const s = side();
    const results = await s.apply('task', creates(Array.from({ length: 130 }, (_, i): TaskRecord => ({ subject: `T${i}`, priority: 'low', dueDate: null, status: 'open' })), 't'));
    expect(results.every((r) => r.ok)).toBe(true);
    const stats = (await (await fetch(`${emu.url}/_control/stats`)).json()) as { byRoute: Record<string, number> };
    expect(stats.byRoute['PATCH /api/tasks']).toBe(2);
  });

  test('a contact create whose answer was lost is not duplicated on retry (externalId)', async () => {
    let lose = true;
    const lossy: FetchLike = async (input, init) => {
      const res = await globalThis.fetch(input, init);
      if (lose && init?.method === 'PATCH') {
        lose = false;
        throw new TypeError('socket hang up');
      }
      return res;
    };
    const s = side({ fetch: lossy });
    const op: WriteOp<ContactRecord> = { op: 'create', key: '6f1c2a9e-lost-answer', record: person('Once') };
    const [r] = await s.apply('contact', [op]);
    expect(r.ok).toBe(true);
    const again = await s.apply('contact', [op]); // e.g. after a crash, the journal replays the create
    expect(again[0]).toEqual(r);
    const found = await s.findCreated('contact', op);
    expect(found?.id).toBe(r.ok ? r.id : '');
    const all = await round(s, 'contact', null);
    expect(all.changes.filter((c) => c.kind === 'upsert' && c.item.record.firstName === 'Once')).toHaveLength(1);
  });

  test('an event create whose answer was lost is found by uid, not sent twice', async () => {
    let lose = true;
    const lossy: FetchLike = async (input, init) => {
      const res = await globalThis.fetch(input, init);
      if (lose && init?.method === 'POST' && String(input).includes('calendarevents')) {
        lose = false;
        throw new TypeError('socket hang up');
      }
      return res;
    };
    const s = side({ fetch: lossy });
    const op: WriteOp<EventRecord> = { op: 'create', key: 'ev-lost', record: { title: 'Once', start: '2026-05-01T08:00:00Z', end: '2026-05-01T09:00:00Z', allDay: false } };
    const [r] = await s.apply('event', [op]);
    expect(r.ok).toBe(true);
    const events = await round(s, 'event', null);
    expect(events.changes.filter((c) => c.kind === 'upsert' && c.item.record.title === 'Once')).toHaveLength(1);
  });

  test('a task created by an earlier attempt is found again by its matching key', async () => {
    const s = side();
    const op: WriteOp<TaskRecord> = { op: 'create', key: 'task-k', record: { subject: 'Follow up', priority: 'high', dueDate: '2026-04-02', status: 'open' } };
    const [r] = await s.apply('task', [op]);
    const found = await s.findCreated('task', op);
    expect(found?.id).toBe(r.ok ? r.id : 'x');
    expect(await s.findCreated('task', { ...op, record: { ...op.record, subject: 'Never made' } })).toBeNull();
  });

  test('first-sync matching finds the seeded overlap by Oro\'s keys', async () => {
    const s = side();
    const ann = await s.findByKey('contact', person('ann', { lastName: 'LEE', gender: 'female', birthday: '1973-03-07' }));
    expect(ann).toHaveLength(1);
    const offsite = await s.findByKey('event', { title: 'Acme offsite', start: '2026-12-14', end: '2026-12-15', allDay: true });
    expect(offsite).toHaveLength(1);
    const task = await s.findByKey('task', { subject: 'Send Q4 proposal to Ann', priority: 'high', dueDate: null, status: 'closed' });
    expect(task).toHaveLength(1);
    expect(await s.findByCrmId('task', task[0].id)).toEqual(task);
  });
});

describe('CrmSide under faults', () => {
  test.each([
    ['429 with Retry-After', { rate429: 0.4, retryAfterSeconds: 0.01 }],
    ['5xx', { rate5xx: 0.4 }],
    ['dropped connections', { dropRate: 0.3 }],
  ])('reads and writes complete through %s', async (_name, knobs) => {
    const s = side({ pageSize: 2 });
    await control('/_control/faults', { ...knobs, seed: 7 });
    const first = await round(s, 'contact', null);
    expect(upsertIds(first.changes)).toHaveLength(4);
    const results = await s.apply('contact', creates([person('F1'), person('F2')], 'fault'));
    expect(results.every((r) => r.ok)).toBe(true);
    await control('/_control/faults', {});
    const all = await round(s, 'contact', null);
    expect(all.changes.filter((c) => c.kind === 'upsert' && /^F\d$/.test(c.item.record.firstName ?? ''))).toHaveLength(2);
    expect(s.client.counters.retries).toBeGreaterThan(0);
  });
});
