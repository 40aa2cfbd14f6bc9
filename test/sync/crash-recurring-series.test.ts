// A series is written in two steps: its master (create/update), then its exceptions (Outlook: PATCH/DELETE
// of occurrences; OroCRM: exception events). The process killed between the two must still end, after a
// restart, with ONE series holding both exceptions on both sides (docs/sync.md "Recurring series").
import { startWorld, type FetchFn, type World } from '../support/world';

jest.setTimeout(120_000);

const DAY = 86_400_000;
const HOUR = 3600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const MONDAY = Date.parse('2026-11-30T00:00:00Z');
const week = (n: number, hour = 9) => MONDAY + n * 7 * DAY + hour * HOUR;
const TITLE = 'Weekly planning';
const MOVED_TITLE = 'Weekly planning (moved)';
const graphTime = (ms: number) => ({ dateTime: iso(ms).slice(0, 19), timeZone: 'UTC' });

let w: World;
afterEach(async () => {
  await w?.close();
});

async function calendarId(): Promise<number> {
  return (await w.crmApi('GET', '/api/rest/latest/calendars/default')).body.calendar;
}

async function instancesOf(masterId: string): Promise<any[]> {
  const res = await w.graphApi('GET', `/me/events/${encodeURIComponent(masterId)}/instances?startDateTime=${iso(MONDAY - DAY)}&endDateTime=${iso(week(12))}&$top=100`);
  expect(res.status).toBe(200);
  return res.body.value;
}

async function makeInOutlook(): Promise<void> {
  const res = await w.graphApi('POST', '/me/events', {
    subject: TITLE,
    start: graphTime(week(0)),
    end: graphTime(week(0, 10)),
    recurrence: { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] }, range: { type: 'numbered', startDate: iso(MONDAY).slice(0, 10), numberOfOccurrences: 8, recurrenceTimeZone: 'UTC' } },
  });
  expect(res.status).toBe(201);
  const [, second, third] = await instancesOf(res.body.id);
  expect((await w.graphApi('PATCH', `/me/events/${second.id}`, { subject: MOVED_TITLE, start: graphTime(week(1, 14)), end: graphTime(week(1, 15)) })).status).toBe(200);
  expect((await w.graphApi('DELETE', `/me/events/${third.id}`)).status).toBe(204);
}

async function makeInCrm(): Promise<void> {
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
}

async function expectOneSeriesWithTwoExceptionsOnBothSides(): Promise<void> {
  const rows = (await w.crmApi('GET', `/api/rest/latest/calendarevents?calendar=${await calendarId()}&page=1&limit=1000`)).body as any[];
  const masters = rows.filter((r) => r.recurrence);
  expect(masters.map((m) => m.title)).toEqual([TITLE]);
  const exceptions = rows.filter((r) => r.recurringEventId === masters[0].id).sort((a, b) => Date.parse(a.originalStart) - Date.parse(b.originalStart));
  expect(exceptions.map((x) => [Date.parse(x.originalStart), x.isCancelled, x.isCancelled ? null : x.title])).toEqual([
    [week(1), false, MOVED_TITLE],
    [week(2), true, null],
  ]);
  const events = ((await w.mailbox()).event ?? []).filter((e) => !e.seriesMasterId && e.subject.startsWith(TITLE));
  expect(events.map((e) => [e.type, e.subject])).toEqual([['seriesMaster', TITLE]]);
  const instances = await instancesOf(events[0].id);
  expect(instances.map((i) => [i.type, Date.parse(`${i.start.dateTime.slice(0, 19)}Z`), i.subject])).toEqual([
    ['occurrence', week(0), TITLE],
    ['exception', week(1, 14), MOVED_TITLE],
    ...[3, 4, 5, 6, 7].map((n) => ['occurrence', week(n), TITLE]),
  ]);
}

/** Dies at the first request `at` names once `after` has been sent (that request never leaves). */
function killBetween(after: (url: string, body: string) => boolean, at: (url: string, body: string) => boolean = () => true) {
  let armed = false;
  const state = { killed: false };
  const fetch: FetchFn = async (input, init) => {
    if (state.killed) throw new TypeError('fetch failed (process killed)');
    const body = typeof init?.body === 'string' ? init.body : '';
    if (armed && at(input, body)) {
      state.killed = true;
      throw new TypeError('fetch failed (process killed)');
    }
    const res = await globalThis.fetch(input, init);
    if (after(input, body)) armed = true;
    return res;
  };
  return { fetch, state };
}

const isSeriesMasterCreate = (side: 'crm' | 'outlook') => (url: string, body: string) =>
  side === 'crm' ? /\/api\/rest\/latest\/calendarevents$/.test(url) && body.includes('"recurrence"') : url.endsWith('/$batch') && body.includes('"POST"') && body.includes('"recurrence"');
const isExceptionWrite = (side: 'crm' | 'outlook') => (url: string, body: string) =>
  side === 'crm' ? /\/api\/rest\/latest\/calendarevents/.test(url) && body.includes('"recurringEventId"') : url.endsWith('/$batch') && (body.includes('"DELETE"') || body.includes('"PATCH"'));

describe.each([
  ['outlook', 'crm'],
  ['crm', 'outlook'],
] as const)('a series made in %s, copied to %s, the sync killed between its master and its exceptions', (origin, target) => {
  test.each([
    ['right after the master is created', 'master'],
    ['after the first exception is written', 'first exception'],
  ] as const)('%s: after a restart, one series with both exceptions on both sides', async (_, when) => {
    const clock = Date.parse('2026-11-20T10:00:00Z');
    w = await startWorld({ settings: { contacts_enabled: false, tasks_enabled: false, contacts_sync_direction: 'Both' }, now: () => clock });
    await w.engine.syncNow();
    if (origin === 'crm') await makeInCrm();
    else await makeInOutlook();
    let exceptionWrites = 0;
    const kill = when === 'master' ? killBetween(isSeriesMasterCreate(target)) : killBetween((u, b) => isExceptionWrite(target)(u, b) && ++exceptionWrites === 1);
    await w.restart({ fetch: kill.fetch, attempts: { crm: 1, graph: 1 } });
    await w.engine.syncNow().catch(() => undefined);
    expect(kill.state.killed).toBe(true);
    await w.restart();
    await w.engine.syncNow();
    await w.engine.syncNow();
    await expectOneSeriesWithTwoExceptionsOnBothSides();
    expect(await w.store.journal()).toEqual([]);
    expect((await w.store.relations('event')).filter((r) => (r.base as any).recurrence)).toHaveLength(1);
    const [crm, outlook] = await w.engine.syncNow();
    for (const r of [crm, outlook]) expect([r.written.crm, r.written.outlook]).toEqual([{ created: 0, updated: 0, deleted: 0 }, { created: 0, updated: 0, deleted: 0 }]);
  });
});

describe.each([
  ['outlook', 'crm'],
  ['crm', 'outlook'],
] as const)('a synced series retitled and one more occurrence cancelled in %s, the sync killed after the master reached %s', (editedOn, target) => {
  test('after a restart, the new title and all three exceptions on both sides', async () => {
    const clock = Date.parse('2026-11-20T10:00:00Z');
    w = await startWorld({ settings: { contacts_enabled: false, tasks_enabled: false, contacts_sync_direction: 'Both' }, now: () => clock });
    await w.engine.syncNow();
    await makeInOutlook();
    await w.engine.syncNow();
    await expectOneSeriesWithTwoExceptionsOnBothSides();
    const renamed = 'Weekly planning, new name';
    const rows = (await w.crmApi('GET', `/api/rest/latest/calendarevents?calendar=${await calendarId()}&page=1&limit=1000`)).body as any[];
    const crmMaster = rows.find((r) => r.recurrence);
    const outlookMaster = ((await w.mailbox()).event ?? []).find((e) => e.type === 'seriesMaster')!;
    if (editedOn === 'crm') {
      expect((await w.crmApi('PUT', `/api/rest/latest/calendarevents/${crmMaster.id}`, { title: renamed })).status).toBe(200);
      const cancelled = await w.crmApi('POST', '/api/rest/latest/calendarevents', { calendar: await calendarId(), title: renamed, start: iso(week(4)), end: iso(week(4, 10)), recurringEventId: crmMaster.id, originalStart: iso(week(4)), isCancelled: true });
      expect(cancelled.status).toBe(201);
    } else {
      expect((await w.graphApi('PATCH', `/me/events/${outlookMaster.id}`, { subject: renamed })).status).toBe(200);
      const fifth = (await instancesOf(outlookMaster.id)).find((i) => Date.parse(`${i.start.dateTime.slice(0, 19)}Z`) === week(4));
      expect((await w.graphApi('DELETE', `/me/events/${fifth.id}`)).status).toBe(204);
    }
    const masterWrite = (url: string, body: string) =>
      target === 'crm' ? url.endsWith(`/calendarevents/${crmMaster.id}`) && body.includes('"recurrence"') : url.endsWith('/$batch') && body.includes('"PATCH"') && body.includes('"recurrence"');
    const kill = killBetween(masterWrite);
    await w.restart({ fetch: kill.fetch, attempts: { crm: 1, graph: 1 } });
    await w.engine.syncNow().catch(() => undefined);
    expect(kill.state.killed).toBe(true);
    await w.restart();
    await w.engine.syncNow();
    await w.engine.syncNow();

    const after = (await w.crmApi('GET', `/api/rest/latest/calendarevents?calendar=${await calendarId()}&page=1&limit=1000`)).body as any[];
    expect(after.filter((r) => r.recurrence).map((r) => [r.id, r.title])).toEqual([[crmMaster.id, renamed]]);
    const exceptions = after.filter((r) => r.recurringEventId === crmMaster.id).sort((a, b) => Date.parse(a.originalStart) - Date.parse(b.originalStart));
    expect(exceptions.map((x) => [Date.parse(x.originalStart), x.isCancelled])).toEqual([
      [week(1), false],
      [week(2), true],
      [week(4), true],
    ]);
    const masters = ((await w.mailbox()).event ?? []).filter((e) => e.type === 'seriesMaster');
    expect(masters.map((m) => [m.id, m.subject])).toEqual([[outlookMaster.id, renamed]]);
    expect((await instancesOf(outlookMaster.id)).map((i) => [i.type, Date.parse(`${i.start.dateTime.slice(0, 19)}Z`)])).toEqual([
      ['occurrence', week(0)],
      ['exception', week(1, 14)],
      ...[3, 5, 6, 7].map((n) => ['occurrence', week(n)]),
    ]);
    expect(await w.store.journal()).toEqual([]);
  });
});
