import { TODO_LIST_NAME } from '../../src/outlook/properties';
import { FullResyncRequiredError } from '../../src/sync/errors';
import type { EntityType, EventRecord, RecordOf, TaskRecord } from '../../src/sync/records';
import type { ChangePage, SideItem, SyncSide } from '../../src/sync/side';
import { startGraph, type GraphFixture } from './outlook-side-support';

let g: GraphFixture;
beforeEach(async () => {
  g = await startGraph();
});
afterEach(async () => {
  await g.close();
});

const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
const at = (days: number, hours = 9) => new Date(today + days * DAY + hours * 3600_000).toISOString().replace('.000Z', 'Z');
const dateAt = (days: number) => new Date(today + days * DAY).toISOString().slice(0, 10);
const meeting = (n: number, days = n): EventRecord => ({ title: `Meeting ${n}`, start: at(days), end: at(days, 10), allDay: false, description: null, reminder: null });
const task = (n: number): TaskRecord => ({ subject: `Task ${n}`, priority: 'normal', dueDate: null, status: 'open', description: null });

async function readRound<T extends EntityType>(side: SyncSide, type: T, checkpoint: string | null) {
  const pages: Array<ChangePage<RecordOf<T>>> = [];
  let cp = checkpoint;
  for (let i = 0; i < 500; i++) {
    const page: ChangePage<RecordOf<T>> = await side.readChanges(type, cp);
    pages.push(page);
    cp = page.checkpoint;
    if (page.done) break;
  }
  const changes = pages.flatMap((p) => p.changes);
  const items = changes.flatMap((c) => (c.kind === 'upsert' ? [c.item] : [])) as Array<SideItem<RecordOf<T>>>;
  return { pages, changes, items, deltaLink: cp as string };
}

function ok(r: { ok: boolean } & ({ ok: true; id: string; version: string } | { ok: false; message: string })): { id: string; version: string } {
  if (!r.ok) throw new Error(r.message);
  return r;
}

describe('Outlook side: events over the Graph emulator', () => {
  it('round-trips timed and all-day events with the CRM stamp, description (HTML body) and reminder', async () => {
    const { side } = g.side('alice');
    const timed: EventRecord = { title: 'Review', start: at(3, 13), end: at(3, 14), allDay: false, description: 'Agenda:\nBudget & <hiring>', reminder: 30 };
    const allDay: EventRecord = { title: 'Offsite', start: dateAt(10), end: dateAt(12), allDay: true, description: null, reminder: null };
    const res = await side.apply('event', [
      { op: 'create', key: 'e1', record: timed, crmId: '31' },
      { op: 'create', key: 'e2', record: allDay, crmId: '32' },
    ]);
    const got = await side.get('event', res.map((r) => ok(r).id));
    expect(got.map((i) => [i?.record, i?.crmId])).toEqual([
      [timed, '31'],
      [allDay, '32'],
    ]);
    expect(got[0]?.version).toBe(ok(res[0]).version);
  });

  it('reads the calendarView window across pages, then only later changes', async () => {
    const { side } = g.side('alice', { pageSize: 2, eventWindow: { daysBack: 30, daysAhead: 60 } });
    const res = await side.apply('event', [
      ...Array.from({ length: 5 }, (_, n) => ({ op: 'create' as const, key: `w${n}`, record: meeting(n + 1), crmId: `w${n}` })),
      { op: 'create' as const, key: 'far', record: meeting(99, 400) },
    ]);
    const ids = res.map((r) => ok(r).id);
    const first = await readRound(side, 'event', null);
    expect(first.pages.length).toBeGreaterThan(2);
    expect(first.pages.every((p) => p.full)).toBe(true);
    const seen = new Set(first.items.map((i) => i.id));
    for (const id of ids.slice(0, 5)) expect(seen.has(id)).toBe(true);
    expect(seen.has(ids[5])).toBe(false); // outside the window
    expect(first.items.find((i) => i.id === ids[2])?.crmId).toBe('w2');

    await side.apply('event', [
      { op: 'update', id: ids[0], record: { ...meeting(1), title: 'Moved' }, fields: ['title'] },
      { op: 'delete', id: ids[1] },
    ]);
    const next = await readRound(side, 'event', first.deltaLink);
    expect(next.pages.every((p) => !p.full)).toBe(true);
    expect(next.changes).toContainEqual({ kind: 'delete', id: ids[1] });
    expect(next.items.map((i) => [i.id, i.record.title])).toEqual([[ids[0], 'Moved']]);
  });

  it('dedupes a repeated create through transactionId and finds it again by the op key', async () => {
    const { side } = g.side('alice');
    const op = { op: 'create' as const, key: 'journal-key-1', record: meeting(4) };
    const [a] = await side.apply('event', [op]);
    const [b] = await side.apply('event', [op]);
    expect(ok(b).id).toBe(ok(a).id);
    const events = (await g.dump())['alice@acme.test'].event.filter((e) => e.transactionId === 'journal-key-1');
    expect(events).toHaveLength(1);
    expect((await side.findCreated('event', op))?.id).toBe(ok(a).id);
    expect(await side.findCreated('event', { ...op, key: 'never-sent' })).toBeNull();
    // The same key with other content is refused by Graph; the side answers with the first event.
    const [c] = await side.apply('event', [{ ...op, record: meeting(5) }]);
    expect(ok(c).id).toBe(ok(a).id);
  });

  it('finds events by CRM stamp and by matching key, and clears a stamp', async () => {
    const { side } = g.side('alice');
    const [r] = await side.apply('event', [{ op: 'create', key: 'k', record: meeting(6), crmId: '606' }]);
    const id = ok(r).id;
    expect((await side.findByCrmId('event', '606')).map((i) => i.id)).toEqual([id]);
    expect((await side.findByKey('event', { ...meeting(6), title: 'meeting 6' })).map((i) => i.id)).toEqual([id]);
    await side.apply('event', [{ op: 'update', id, record: meeting(6), fields: [], crmId: null }]);
    expect(await side.findByCrmId('event', '606')).toEqual([]);
  });

  it('reads an event calendarView/delta reports @removed for leaving the window as the moved event; only a gone one is deleted', async () => {
    const { side, http } = g.side('alice');
    const [a, b] = (await side.apply('event', [{ op: 'create', key: 'm1', record: meeting(1) }, { op: 'create', key: 'm2', record: meeting(2) }])).map(ok);
    const first = await readRound(side, 'event', null);
    expect(first.pages[0].window).toEqual(side.windowNow());
    const far = { ...meeting(1, 800), title: 'Meeting 1' };
    await http.json({ method: 'PATCH', url: `/me/events/${a.id}`, body: { start: { dateTime: far.start.slice(0, 19), timeZone: 'UTC' }, end: { dateTime: far.end.slice(0, 19), timeZone: 'UTC' } } });
    await http.request({ method: 'DELETE', url: `/me/events/${b.id}` });
    const next = await readRound(side, 'event', first.deltaLink);
    expect(next.changes.find((c) => c.kind === 'upsert' && c.item.id === a.id)).toMatchObject({ item: { record: far } });
    expect(next.changes).toContainEqual({ kind: 'delete', id: b.id });
    expect(next.changes.some((c) => c.kind === 'delete' && c.id === a.id)).toBe(false);
  });

  it('lists the new range, not as a full round, once the window has rolled on', async () => {
    let now = Date.now();
    const { side } = g.side('alice', { now: () => now, eventWindow: { daysBack: 10, daysAhead: 10 } });
    const [soon, later] = (await side.apply('event', [{ op: 'create', key: 'w1', record: meeting(5) }, { op: 'create', key: 'w2', record: meeting(15) }])).map(ok);
    const first = await readRound(side, 'event', null);
    expect(first.items.map((i) => i.id)).toContain(soon.id);
    expect(first.items.map((i) => i.id)).not.toContain(later.id);
    now += 10 * DAY;
    const rolled = await readRound(side, 'event', first.deltaLink);
    expect(rolled.pages.every((p) => !p.full)).toBe(true);
    expect(rolled.pages[0].window).toEqual(side.windowNow());
    expect(rolled.items.map((i) => i.id)).toEqual(expect.arrayContaining([soon.id, later.id]));
    expect(rolled.changes.filter((c) => c.kind === 'delete')).toEqual([]);
    expect((await readRound(side, 'event', rolled.deltaLink)).changes).toEqual([]);
  });

  it('turns a reset calendarView delta token into FullResyncRequiredError', async () => {
    const { side } = g.side('alice');
    const { deltaLink } = await readRound(side, 'event', null);
    await g.resetDelta('location');
    await expect(side.readChanges('event', deltaLink)).rejects.toBeInstanceOf(FullResyncRequiredError);
  });
});

describe('Outlook side: To Do tasks over the Graph emulator', () => {
  it('finds or creates the OroCRM To Do list once', async () => {
    const { side: a } = g.side('bob');
    const { side: b } = g.side('bob');
    const [x, y] = await Promise.all([a.containers.todoListId(), a.containers.todoListId()]);
    expect(await b.containers.todoListId()).toBe(x);
    expect(y).toBe(x);
    const lists = (await g.dump())['bob@acme.test'].todoList.filter((l) => l.displayName === TODO_LIST_NAME);
    expect(lists).toHaveLength(1);
  });

  it('round-trips tasks with linkedResource stamps and descriptions (To Do body), and reads stamps straight from delta', async () => {
    const { side } = g.side('alice', { pageSize: 2 });
    const records: TaskRecord[] = [
      { subject: 'Call Ann', priority: 'high', dueDate: dateAt(2), status: 'in_progress', description: 'Ask about\npricing & terms' },
      { subject: 'Send offer', priority: 'low', dueDate: null, status: 'closed', description: null },
      task(3),
    ];
    const res = await side.apply('task', records.map((record, n) => ({ op: 'create' as const, key: `t${n}`, record, crmId: `${70 + n}` })));
    const ids = res.map((r) => ok(r).id);
    expect((await side.get('task', ids)).map((i) => [i?.record, i?.crmId])).toEqual(records.map((r, n) => [r, `${70 + n}`]));
    const round = await readRound(side, 'task', null);
    expect(round.pages.every((p) => p.full)).toBe(true);
    for (const [n, id] of ids.entries()) expect(round.items.find((i) => i.id === id)?.crmId).toBe(`${70 + n}`);
    expect(round.items.some((i) => i.crmId === null)).toBe(true); // the seeded Outlook-only task

    await side.apply('task', [
      { op: 'update', id: ids[0], record: { ...records[0], status: 'closed' }, fields: ['status'] },
      { op: 'delete', id: ids[1] },
    ]);
    const next = await readRound(side, 'task', round.deltaLink);
    expect(next.changes).toContainEqual({ kind: 'delete', id: ids[1] });
    expect(next.items.find((i) => i.id === ids[0])?.record.status).toBe('closed');
  });

  it('restamps and unstamps a task, and finds it by CRM id and by key', async () => {
    const { side } = g.side('alice');
    const op = { op: 'create' as const, key: 'x', record: task(8), crmId: '800' };
    const id = ok((await side.apply('task', [op]))[0]).id;
    expect((await side.findCreated('task', op))?.id).toBe(id);
    const [moved] = await side.apply('task', [{ op: 'update', id, record: task(8), fields: [], crmId: '801' }]);
    const [item] = await side.get('task', [id]);
    expect(item?.crmId).toBe('801');
    expect(item?.version).toBe(ok(moved).version);
    expect(await side.findByCrmId('task', '800')).toEqual([]);
    expect((await side.findByCrmId('task', '801')).map((i) => i.id)).toEqual([id]);
    expect((await side.findByKey('task', task(8))).map((i) => i.id)).toEqual([id]);
    await side.apply('task', [{ op: 'update', id, record: task(8), fields: [], crmId: null }]);
    expect((await side.get('task', [id]))[0]?.crmId).toBeNull();
    const links = (await g.dump())['alice@acme.test'].task.find((t) => t.id === id)?.linkedResources as unknown[];
    expect(links).toEqual([]);
  });

  it('reads and writes due dates in the user\'s zone, also east of UTC+12 (Kiribati, UTC+14)', async () => {
    const zone = 'Pacific/Kiritimati';
    const { side, http } = g.side('alice', { timeZone: zone });
    const listId = await side.containers.todoListId();
    // Set in the To Do app at UTC+14: stored as 2026-05-09T10:00Z.
    const raw = await http.json({ method: 'POST', url: `/me/todo/lists/${listId}/tasks`, body: { title: 'Due in Kiribati', dueDateTime: { dateTime: '2026-05-10T00:00:00', timeZone: zone } } });
    const [read] = await side.get('task', [raw.id as string]);
    expect(read?.record.dueDate).toBe('2026-05-10');
    const round = await readRound(side, 'task', null);
    expect(round.items.find((i) => i.id === raw.id)?.record.dueDate).toBe('2026-05-10');

    const [made] = await side.apply('task', [{ op: 'create', key: 'k', record: { ...task(1), dueDate: '2026-05-10' } }]);
    const stored = await http.json({ method: 'GET', url: `/me/todo/lists/${listId}/tasks/${ok(made).id}` });
    expect(stored.dueDateTime).toEqual({ dateTime: '2026-05-09T10:00:00.0000000', timeZone: 'UTC' });
    expect((await side.get('task', [ok(made).id]))[0]?.record.dueDate).toBe('2026-05-10');
  });

  it('re-reads a task the delta sends in part before using its fields', async () => {
    const { side, http } = g.side('alice');
    const first = await readRound(side, 'task', null);
    const proposal = first.items.find((i) => i.record.subject === 'Send Q4 proposal to Ann')!;
    const listId = await side.containers.todoListId();
    await http.json({ method: 'PATCH', url: `/me/todo/lists/${listId}/tasks/${proposal.id}`, body: { status: 'inProgress' } });
    const next = await readRound(side, 'task', first.deltaLink);
    expect(next.items).toHaveLength(1);
    expect(next.items[0].record).toEqual({ ...proposal.record, status: 'in_progress' });
    expect(next.items[0].crmId).toBe(proposal.crmId);
  });

  it('answers not_found for a stamp change on a missing task', async () => {
    const { side } = g.side('alice');
    const [r] = await side.apply('task', [{ op: 'update', id: 'AAMkGone', record: task(1), crmId: '5' }]);
    expect(r.ok ? 'ok' : r.code).toBe('not_found');
  });
});

describe('Outlook side task stamps', () => {
  test('an unreadable linkedResources answer fails that task update and adds no second stamp', async () => {
    const { side } = g.side();
    const [created] = await side.apply('task', [{ op: 'create', key: 't1', record: task(1), crmId: '81' }]);
    const id = ok(created).id;
    // A fetch whose $batch answers to linkedResources reads lose their value list.
    const garbling = async (input: string, init?: RequestInit): Promise<Response> => {
      const res = await fetch(input, init);
      if (!input.endsWith('/$batch') || !String(init?.body).includes('/linkedResources')) return res;
      const doc = (await res.json()) as { responses: Array<{ body?: unknown }> };
      for (const r of doc.responses) r.body = { value: 'garbled' };
      return Response.json(doc, { status: res.status });
    };
    const { side: restamping } = g.side('alice', {}, garbling);
    const [result] = await restamping.apply('task', [{ op: 'update', id, record: task(1), fields: [], crmId: '82' }]);
    expect(result).toMatchObject({ ok: false, code: 'unknown' });
    expect((await side.get('task', [id]))[0]?.crmId).toBe('81');
  });
});
