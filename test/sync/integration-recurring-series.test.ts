// Recurring series over real HTTP (issue 10 §2): a weekly meeting with one occurrence moved and one
// cancelled ends as ONE series with two exceptions on both sides, whichever side it was made on, in
// every direction that copies it and under both conflict rules; an edit of the master reaches the other
// side without reshaping the exceptions; a rule one side cannot hold is reported and never half-synced.
import type { ConflictResolution, SyncDirection } from '../../src/settings/options';
import { startWorld, type World } from '../support/world';

jest.setTimeout(120_000);

const DAY = 86_400_000;
const HOUR = 3600_000;
let w: World;
let clock: number;

afterEach(async () => {
  await w?.close();
});

/** The CRM emulator's clock: moved on by a test where the second of an edit matters. */
let crmClock: number;

async function world(direction: SyncDirection, rule: ConflictResolution): Promise<World> {
  clock = Date.parse('2026-11-20T10:00:00Z');
  crmClock = Date.now();
  w = await startWorld({
    settings: { contacts_enabled: false, tasks_enabled: false, contacts_sync_direction: direction, contacts_conflict_resolution: rule },
    now: () => clock,
    crmNow: () => new Date(crmClock),
  });
  return w;
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const MONDAY = Date.parse('2026-11-30T00:00:00Z'); // ten days after the clock
/** Week n's meeting, 09:00 UTC (or another hour). */
const week = (n: number, hour = 9) => MONDAY + n * 7 * DAY + hour * HOUR;
const TITLE = 'Weekly planning';
const MOVED_TITLE = 'Weekly planning (moved)';
const graphTime = (ms: number) => ({ dateTime: iso(ms).slice(0, 19), timeZone: 'UTC' });

async function calendarId(): Promise<number> {
  return (await w.crmApi('GET', '/api/rest/latest/calendars/default')).body.calendar;
}

async function crmRows(): Promise<any[]> {
  return (await w.crmApi('GET', `/api/rest/latest/calendarevents?calendar=${await calendarId()}&page=1&limit=1000`)).body as any[];
}

async function instancesOf(masterId: string): Promise<any[]> {
  const range = `startDateTime=${iso(MONDAY - DAY)}&endDateTime=${iso(week(12))}&$top=100`;
  const res = await w.graphApi('GET', `/me/events/${encodeURIComponent(masterId)}/instances?${range}`);
  expect(res.status).toBe(200);
  return res.body.value;
}

async function makeInOutlook(recurrence?: Record<string, unknown>): Promise<string> {
  const res = await w.graphApi('POST', '/me/events', {
    subject: TITLE,
    start: graphTime(week(0)),
    end: graphTime(week(0, 10)),
    recurrence: recurrence ?? { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] }, range: { type: 'numbered', startDate: iso(MONDAY).slice(0, 10), numberOfOccurrences: 8, recurrenceTimeZone: 'UTC' } },
  });
  expect(res.status).toBe(201);
  const [, second, third] = await instancesOf(res.body.id);
  expect((await w.graphApi('PATCH', `/me/events/${second.id}`, { subject: MOVED_TITLE, start: graphTime(week(1, 14)), end: graphTime(week(1, 15)) })).status).toBe(200);
  expect((await w.graphApi('DELETE', `/me/events/${third.id}`)).status).toBe(204);
  return res.body.id;
}

async function makeInCrm(): Promise<number> {
  const calendar = await calendarId();
  const master = await w.crmApi('POST', '/api/rest/latest/calendarevents', {
    calendar, title: TITLE, start: iso(week(0)), end: iso(week(0, 10)),
    recurrence: { recurrenceType: 'weekly', interval: 1, dayOfWeek: ['monday'], startTime: iso(week(0)), occurrences: 8, timeZone: 'UTC' },
  });
  expect(master.status).toBe(201);
  const id = master.body.id as number;
  const moved = await w.crmApi('POST', '/api/rest/latest/calendarevents', { calendar, title: MOVED_TITLE, start: iso(week(1, 14)), end: iso(week(1, 15)), recurringEventId: id, originalStart: iso(week(1)) });
  const cancelled = await w.crmApi('POST', '/api/rest/latest/calendarevents', { calendar, title: TITLE, start: iso(week(2)), end: iso(week(2, 10)), recurringEventId: id, originalStart: iso(week(2)), isCancelled: true });
  expect([moved.status, cancelled.status]).toEqual([201, 201]);
  return id;
}

/** The CRM holds one series of TITLE: its master and exception events (sorted by original start). */
async function crmSeries(title = TITLE): Promise<{ master: any; exceptions: any[] } | null> {
  const rows = await crmRows();
  const masters = rows.filter((r) => r.title === title && r.recurrence);
  expect(rows.filter((r) => r.title === title && !r.recurrence && r.recurringEventId === null)).toEqual([]);
  if (masters.length === 0) return null;
  expect(masters).toHaveLength(1);
  const exceptions = rows.filter((r) => r.recurringEventId === masters[0].id).sort((a, b) => Date.parse(a.originalStart) - Date.parse(b.originalStart));
  return { master: masters[0], exceptions };
}

/** Outlook holds one series of TITLE: its master and its instances over the series' weeks. */
async function outlookSeries(title = TITLE): Promise<{ master: any; instances: any[] } | null> {
  const events = ((await w.mailbox()).event ?? []).filter((e) => e.subject === title && !e.seriesMasterId);
  if (events.length === 0) return null;
  expect(events.map((e) => e.type)).toEqual(['seriesMaster']);
  return { master: events[0], instances: await instancesOf(events[0].id) };
}

async function expectOneSeriesWithTwoExceptionsOnBothSides(title = TITLE): Promise<void> {
  const crm = (await crmSeries(title))!;
  expect(crm).not.toBeNull();
  expect(crm.master.recurrence).toMatchObject({ recurrenceType: 'weekly', interval: 1, dayOfWeek: ['monday'], occurrences: 8 });
  expect(Date.parse(crm.master.start)).toBe(week(0));
  expect(crm.exceptions.map((x) => [Date.parse(x.originalStart), x.isCancelled])).toEqual([
    [week(1), false],
    [week(2), true],
  ]);
  expect([crm.exceptions[0].title, Date.parse(crm.exceptions[0].start), Date.parse(crm.exceptions[0].end)]).toEqual([MOVED_TITLE, week(1, 14), week(1, 15)]);

  const outlook = (await outlookSeries(title))!;
  expect(outlook).not.toBeNull();
  expect(outlook.master.recurrence.pattern).toMatchObject({ type: 'weekly', interval: 1, daysOfWeek: ['monday'] });
  expect(outlook.master.recurrence.range).toMatchObject({ type: 'numbered', numberOfOccurrences: 8, startDate: iso(MONDAY).slice(0, 10) });
  const starts = outlook.instances.map((i) => [i.type, Date.parse(`${i.start.dateTime.slice(0, 19)}Z`), i.subject]);
  expect(starts).toEqual([
    ['occurrence', week(0), title],
    ['exception', week(1, 14), MOVED_TITLE],
    ...[3, 4, 5, 6, 7].map((n) => ['occurrence', week(n), title]),
  ]);
}

async function expectQuietCycle(): Promise<void> {
  const [crm, outlook] = await w.engine.syncNow();
  for (const r of [crm, outlook]) {
    expect(r.written.crm).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(r.written.outlook).toEqual({ created: 0, updated: 0, deleted: 0 });
  }
}

const RULES: ConflictResolution[] = ['OroCRMAlwaysWins', 'OutlookAlwaysWins'];
const COPIES: Array<[origin: 'crm' | 'outlook', direction: SyncDirection]> = [
  ['crm', 'OroCRMToOutlook'],
  ['crm', 'Both'],
  ['outlook', 'OutlookToOroCRM'],
  ['outlook', 'Both'],
];

describe('a weekly meeting with one moved and one cancelled occurrence', () => {
  test.each(COPIES.flatMap(([origin, direction]) => RULES.map((rule) => [origin, direction, rule] as const)))(
    'made in %s, %s, %s: one series with two exceptions on both sides, and it stays so',
    async (origin, direction, rule) => {
      await world(direction, rule);
      await w.engine.syncNow();
      if (origin === 'crm') await makeInCrm();
      else await makeInOutlook();
      await w.engine.syncNow();
      await expectOneSeriesWithTwoExceptionsOnBothSides();
      await expectQuietCycle();
      await expectQuietCycle();
      await expectOneSeriesWithTwoExceptionsOnBothSides();
      expect(w.engine.getStatus().itemErrors).toEqual([]);
    },
  );

  test.each([
    ['crm', 'OutlookToOroCRM'],
    ['outlook', 'OroCRMToOutlook'],
  ] as const)('made in %s under %s: not copied, and left whole where it is', async (origin, direction) => {
    await world(direction, 'OroCRMAlwaysWins');
    await w.engine.syncNow();
    if (origin === 'crm') await makeInCrm();
    else await makeInOutlook();
    await w.engine.syncNow();
    await w.engine.syncNow();
    if (origin === 'crm') {
      expect(await outlookSeries()).toBeNull();
      expect((await crmSeries())!.exceptions).toHaveLength(2);
    } else {
      expect(await crmSeries()).toBeNull();
      expect((await outlookSeries())!.instances).toHaveLength(7);
    }
  });
});

describe('editing a synced series', () => {
  test.each(['crm', 'outlook'] as const)('the master retitled in %s reaches the other side; the two exceptions stay as they were (Both)', async (editedOn) => {
    await world('Both', 'OroCRMAlwaysWins');
    await w.engine.syncNow();
    const outlookId = await makeInOutlook();
    await w.engine.syncNow();
    await expectOneSeriesWithTwoExceptionsOnBothSides();
    const crmId = (await crmSeries())!.master.id;

    const renamed = 'Weekly planning, new name';
    if (editedOn === 'crm') expect((await w.crmApi('PUT', `/api/rest/latest/calendarevents/${crmId}`, { title: renamed })).status).toBe(200);
    else expect((await w.graphApi('PATCH', `/me/events/${outlookId}`, { subject: renamed })).status).toBe(200);
    await w.engine.syncNow();
    await w.engine.syncNow();

    const crm = (await crmSeries(renamed))!;
    expect(crm.master.id).toBe(crmId);
    expect(crm.exceptions.map((x) => [Date.parse(x.originalStart), x.isCancelled, x.title])).toEqual([
      [week(1), false, MOVED_TITLE],
      [week(2), true, expect.any(String)],
    ]);
    const outlook = (await outlookSeries(renamed))!;
    expect(outlook.master.id).toBe(outlookId);
    expect(outlook.instances.map((i) => [i.type, Date.parse(`${i.start.dateTime.slice(0, 19)}Z`), i.subject])).toEqual([
      ['occurrence', week(0), renamed],
      ['exception', week(1, 14), MOVED_TITLE],
      ...[3, 4, 5, 6, 7].map((n) => ['occurrence', week(n), renamed]),
    ]);
    await expectQuietCycle();
  });

  test('an occurrence cancelled later in Outlook is cancelled in OroCRM too (Both)', async () => {
    await world('Both', 'OutlookAlwaysWins');
    await w.engine.syncNow();
    const outlookId = await makeInOutlook();
    await w.engine.syncNow();
    const fifth = (await instancesOf(outlookId)).find((i) => Date.parse(`${i.start.dateTime.slice(0, 19)}Z`) === week(4));
    expect((await w.graphApi('DELETE', `/me/events/${fifth.id}`)).status).toBe(204);
    await w.engine.syncNow();
    const crm = (await crmSeries())!;
    expect(crm.exceptions.map((x) => [Date.parse(x.originalStart), x.isCancelled])).toEqual([
      [week(1), false],
      [week(2), true],
      [week(4), true],
    ]);
    await expectQuietCycle();
  });
});

describe('an exception deleted in OroCRM (the occurrence put back)', () => {
  test.each([
    ['by the same engine', false],
    ['after a restart', true],
  ])('reaches Outlook %s: the moved occurrence is back at its place and title (Both)', async (_, restart) => {
    await world('Both', 'OroCRMAlwaysWins');
    await w.engine.syncNow();
    const outlookId = await makeInOutlook();
    await w.engine.syncNow();
    await expectOneSeriesWithTwoExceptionsOnBothSides();
    // Another CRM edit, seconds later, moves the CRM's read past the series' second: the master's row,
    // untouched by what follows, is not listed again.
    crmClock += 5000;
    const other = (await crmRows()).find((r) => r.title === 'Dentist');
    expect((await w.crmApi('PUT', `/api/rest/latest/calendarevents/${other.id}`, { title: 'Dentist (moved)' })).status).toBe(200);
    await w.engine.syncNow();
    // A new engine knows the series' exceptions only from the CRM checkpoint.
    if (restart) await w.restart();
    crmClock += 5000;
    const moved = (await crmSeries())!.exceptions.find((x) => !x.isCancelled);
    // Only the audit log tells of it: the master's own row is not touched.
    expect((await w.crmApi('DELETE', `/api/rest/latest/calendarevents/${moved.id}`)).status).toBe(204);
    await w.engine.syncNow();
    // Graph keeps a PATCHed occurrence as an exception, now at its rule's time and title.
    expect((await instancesOf(outlookId)).map((i) => [Date.parse(`${i.start.dateTime.slice(0, 19)}Z`), i.subject])).toEqual([0, 1, 3, 4, 5, 6, 7].map((n) => [week(n), TITLE]));
    expect((await crmSeries())!.exceptions.map((x) => [Date.parse(x.originalStart), x.isCancelled])).toEqual([[week(2), true]]);
    await expectQuietCycle();
  });
});

describe('a rule one side cannot hold', () => {
  test('every 2 weeks on Sunday and Monday, weeks starting Monday: reported as refused, nothing of it in OroCRM, Outlook untouched', async () => {
    await world('Both', 'OroCRMAlwaysWins');
    await w.engine.syncNow();
    const outlookId = await makeInOutlook({
      pattern: { type: 'weekly', interval: 2, daysOfWeek: ['monday', 'sunday'], firstDayOfWeek: 'monday' },
      range: { type: 'numbered', startDate: iso(MONDAY).slice(0, 10), numberOfOccurrences: 8, recurrenceTimeZone: 'UTC' },
    });
    const before = await instancesOf(outlookId);
    await w.engine.syncNow();
    await w.engine.syncNow();
    expect(await crmSeries()).toBeNull();
    expect((await crmRows()).filter((r) => r.title === MOVED_TITLE || r.title === TITLE)).toEqual([]);
    const refused = w.engine.getStatus().itemErrors;
    expect(refused).toEqual([expect.objectContaining({ type: 'event', side: 'crm', message: expect.stringContaining("can't be synced to OroCRM") })]);
    expect(await instancesOf(outlookId)).toEqual(before);
  });
});
