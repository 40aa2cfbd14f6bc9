// The CRM side reads and writes a recurring series as ONE item (src/crm/series.ts): the master with its
// `recurrence`, its exceptions being events with recurringEventId / originalStart / isCancelled.
import { CrmHttp } from '../../src/crm/http';
import { CrmSide } from '../../src/crm/side';
import { PasswordGrantTokens } from '../../src/crm/tokens';
import type { EventRecord } from '../../src/sync/records';
import type { RecurrenceRule } from '../../src/sync/recurrence';
import type { SideItem } from '../../src/sync/side';
import { DEMO_RUNNER_APP } from '../emulators/demo-data';
import type { CrmEmulator } from '../emulators/crm/server';
import { startTestCrm, tokenFor, type TestCrm } from '../emulators/crm/testing';

const NOW = new Date('2027-05-01T10:00:00Z');
let emu: CrmEmulator;
let t: TestCrm;
let token: string;
let calendar: number;

beforeEach(async () => {
  t = await startTestCrm({ now: () => NOW });
  emu = t.crm;
  token = await tokenFor(emu, 'alice');
  calendar = (await rest('GET', '/api/rest/latest/calendars/default')).body.calendar;
});
afterEach(async () => {
  await t.dispose();
});

function side(): CrmSide {
  const tokens = new PasswordGrantTokens({ ...DEMO_RUNNER_APP, baseUrl: emu.url, username: 'alice', password: 'alice' });
  return new CrmSide({ http: new CrmHttp({ baseUrl: emu.url, tokens }), now: () => NOW.getTime() });
}

async function rest(method: string, pathname: string, body?: unknown) {
  const res = await fetch(`${emu.url}${pathname}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as any) : undefined };
}

async function round(s: CrmSide, checkpoint: string | null) {
  const items: Array<SideItem<EventRecord>> = [];
  let cp = checkpoint;
  for (let i = 0; i < 50; i++) {
    const page = await s.readChanges('event', cp);
    for (const c of page.changes) if (c.kind === 'upsert') items.push(c.item as SideItem<EventRecord>);
    cp = page.checkpoint;
    if (page.done) break;
  }
  return { items, checkpoint: cp as string };
}

const week = (n: number, hour = 8) => new Date(Date.parse('2027-06-07T00:00:00Z') + n * 7 * 86_400_000 + hour * 3600_000).toISOString().replace('.000Z', 'Z');
const RULE: RecurrenceRule = {
  type: 'weekly', interval: 1, daysOfWeek: ['monday'], dayOfMonth: null, month: null, index: null, firstDayOfWeek: 'sunday',
  startDate: '2027-06-07', endDate: null, occurrences: 6, timeZone: 'UTC',
};
const SERIES: EventRecord = { title: 'Team sync', start: week(0), end: week(0, 9), allDay: false, description: null, reminder: null, recurrence: RULE, exceptions: [] };
const EXCEPTIONS = [
  { originalStart: week(1), cancelled: false, title: 'Team sync (moved)', start: week(1, 13), end: week(1, 14) },
  { originalStart: week(2), cancelled: true },
];

async function rows(masterId: string | number) {
  // page/limit has no ORDER BY in Oro (the emulator shuffles it): by id.
  return ((await rest('GET', `/api/rest/latest/calendarevents?calendar=${calendar}&page=1&limit=100&recurringEventId=${masterId}`)).body as any[]).sort((a, b) => a.id - b.id);
}

describe('CRM side: recurring series', () => {
  test('a series made in OroCRM with a moved and a cancelled occurrence is read as one item with two exceptions', async () => {
    const master = await rest('POST', '/api/rest/latest/calendarevents', {
      calendar, title: 'Team sync', start: week(0), end: week(0, 9),
      recurrence: { recurrenceType: 'weekly', interval: 1, dayOfWeek: ['monday'], startTime: week(0), occurrences: 6, timeZone: 'UTC' },
    });
    expect(master.status).toBe(201);
    const id = master.body.id;
    const moved = await rest('POST', '/api/rest/latest/calendarevents', { calendar, title: 'Team sync (moved)', start: week(1, 13), end: week(1, 14), recurringEventId: id, originalStart: week(1) });
    const cancelled = await rest('POST', '/api/rest/latest/calendarevents', { calendar, title: 'Team sync', start: week(2), end: week(2, 9), recurringEventId: id, originalStart: week(2), isCancelled: true });
    expect([moved.status, cancelled.status]).toEqual([201, 201]);

    const s = side();
    const { items, checkpoint } = await round(s, null);
    const ours = items.filter((i) => i.record.title.startsWith('Team sync'));
    expect(ours.map((i) => i.id)).toEqual([String(id)]);
    expect(ours[0].record).toEqual({ ...SERIES, exceptions: EXCEPTIONS });

    // An exception edited later changes the series: the next round reads the one series again.
    const put = await rest('PUT', `/api/rest/latest/calendarevents/${moved.body.id}`, { title: 'Team sync (moved again)' });
    expect(put.status).toBe(200);
    const next = await round(s, checkpoint);
    expect(next.items.map((i) => i.id)).toEqual([String(id)]);
    expect(next.items[0].record.exceptions?.[0]).toEqual({ ...EXCEPTIONS[0], title: 'Team sync (moved again)' });
    expect(next.items[0].version).not.toBe(ours[0].version);
  });

  test('a series written to OroCRM is a master and exception events, and reads back equal; edits reshape only what changed', async () => {
    const s = side();
    const record: EventRecord = { ...SERIES, exceptions: EXCEPTIONS };
    const [res] = await s.apply('event', [{ op: 'create', key: 'series-1', record }]);
    if (!res.ok) throw new Error(res.message);
    const listed = await rows(res.id);
    expect(listed.map((r) => [r.id === Number(res.id), r.recurringEventId, r.originalStart, r.isCancelled, r.title])).toEqual([
      [true, null, null, false, 'Team sync'],
      [false, Number(res.id), '2027-06-14T08:00:00+00:00', false, 'Team sync (moved)'],
      [false, Number(res.id), '2027-06-21T08:00:00+00:00', true, 'Team sync'],
    ]);
    const [read] = await s.get('event', [res.id]);
    expect(read?.record).toEqual(record);
    expect(read?.version).toBe(res.version);

    const edited: EventRecord = { ...record, title: 'Team sync v2', exceptions: [EXCEPTIONS[1]] };
    const [upd] = await s.apply('event', [{ op: 'update', id: res.id, record: edited, fields: ['title', 'exceptions'] }]);
    if (!upd.ok) throw new Error(upd.message);
    const after = await rows(res.id);
    expect(after.map((r) => [r.originalStart, r.isCancelled])).toEqual([[null, false], ['2027-06-21T08:00:00+00:00', true]]);
    expect((await s.get('event', [res.id]))[0]?.record).toEqual(edited);
  });

  test('a series OroCRM cannot hold is refused whole: an invalid, final result, and nothing is created', async () => {
    const s = side();
    const record: EventRecord = { ...SERIES, title: 'Odd weeks', recurrence: { ...RULE, interval: 2, daysOfWeek: ['sunday', 'monday'], firstDayOfWeek: 'monday' } };
    const [res] = await s.apply('event', [{ op: 'create', key: 'series-2', record }]);
    expect(res).toEqual({ ok: false, code: 'invalid', retryable: false, message: expect.stringContaining("can't be synced to OroCRM") });
    const all = (await rest('GET', `/api/rest/latest/calendarevents?calendar=${calendar}&page=1&limit=500`)).body as any[];
    expect(all.filter((e) => e.title === 'Odd weeks')).toEqual([]);
  });
});
