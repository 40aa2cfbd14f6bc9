// The calendar window over real HTTP (issue 10 §1, src/sync/calendar-window.ts): events outside it are
// parked, never copied and never deleted, whichever side they are on, for as many cycles as run; the
// window rolls with the clock without creating or deleting anything by itself.
import { startWorld, type World } from '../support/world';

jest.setTimeout(60_000);

const DAY = 86_400_000;
const EVENTS_ONLY = { contacts_enabled: false, tasks_enabled: false } as const;
let w: World;
let clock: number;

afterEach(async () => {
  await w?.close();
});

async function world(): Promise<World> {
  clock = Date.parse('2026-11-20T10:00:00Z');
  w = await startWorld({ settings: EVENTS_ONLY, now: () => clock });
  return w;
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

async function calendarId(): Promise<number> {
  return (await w.crmApi('GET', '/api/rest/latest/calendars/default')).body.calendar;
}

async function crmEvents(title: string): Promise<any[]> {
  const all = (await w.crmApi('GET', `/api/rest/latest/calendarevents?calendar=${await calendarId()}&page=1&limit=500`)).body as any[];
  return all.filter((e) => e.title === title);
}

async function outlookEvents(title: string): Promise<any[]> {
  return ((await w.mailbox()).event ?? []).filter((e) => e.subject === title);
}

async function crmEvent(title: string, startMs: number): Promise<void> {
  const res = await w.crmApi('POST', '/api/rest/latest/calendarevents', { calendar: await calendarId(), title, start: iso(startMs), end: iso(startMs + 3600_000), allDay: false });
  expect(res.status).toBe(201);
}

describe('events outside the calendar window', () => {
  test('a CRM event two years ahead or 200 days back gains no Outlook copy, cycle after cycle', async () => {
    await world();
    await crmEvent('Far ahead', clock + 730 * DAY);
    await crmEvent('Long ago', clock - 200 * DAY);
    for (let cycle = 0; cycle < 4; cycle++) {
      await w.engine.syncNow();
      expect(await outlookEvents('Far ahead')).toHaveLength(0);
      expect(await outlookEvents('Long ago')).toHaveLength(0);
    }
    expect(await crmEvents('Far ahead')).toHaveLength(1);
    expect(await crmEvents('Long ago')).toHaveLength(1);
  });

  test('an Outlook event created two years ahead is not copied to the CRM, and nothing is deleted', async () => {
    await world();
    await w.engine.syncNow();
    const res = await w.graphApi('POST', '/me/events', { subject: 'Outlook far', start: { dateTime: iso(clock + 730 * DAY).slice(0, 19), timeZone: 'UTC' }, end: { dateTime: iso(clock + 730 * DAY + 3600_000).slice(0, 19), timeZone: 'UTC' } });
    expect(res.status).toBe(201);
    for (let cycle = 0; cycle < 3; cycle++) {
      const [crm, outlook] = await w.engine.syncNow();
      expect(crm.written.crm.deleted + crm.written.outlook.deleted + outlook.written.crm.deleted + outlook.written.outlook.deleted).toBe(0);
    }
    expect(await crmEvents('Outlook far')).toHaveLength(0);
    expect(await outlookEvents('Outlook far')).toHaveLength(1);
  });

  test('a linked Outlook event moved two years ahead keeps its CRM event (moved too), and is not re-created at its old time', async () => {
    await world();
    await w.engine.syncNow();
    const title = 'Quarterly review with Contoso';
    expect(await crmEvents(title)).toHaveLength(1);
    const [linked] = await outlookEvents(title);
    const start = Date.parse(`${linked.start.dateTime.slice(0, 19)}Z`) + 730 * DAY;
    const moved = { start: { dateTime: iso(start).slice(0, 19), timeZone: 'UTC' }, end: { dateTime: iso(start + 3600_000).slice(0, 19), timeZone: 'UTC' } };
    expect((await w.graphApi('PATCH', `/me/events/${linked.id}`, moved)).status).toBe(200);
    for (let cycle = 0; cycle < 4; cycle++) {
      const [crm, outlook] = await w.engine.syncNow();
      expect(crm.written.outlook.created + outlook.written.outlook.created + crm.written.crm.created + outlook.written.crm.created).toBe(0);
    }
    const outlook = await outlookEvents(title);
    expect(outlook).toHaveLength(1);
    expect(outlook[0].id).toBe(linked.id);
    const crm = await crmEvents(title);
    expect(crm).toHaveLength(1);
    expect(Date.parse(crm[0].start)).toBe(start);
  });

  test('the window rolls on with the clock: an event it reaches is synced then, and nothing is created or deleted twice', async () => {
    await world();
    // 400 days ahead: outside today's window (365 days ahead), inside it 40 days later.
    await crmEvent('Next year', clock + 400 * DAY);
    await w.engine.syncNow();
    expect(await outlookEvents('Next year')).toHaveLength(0);
    const linked = w.engine.getStatus().types.event.linked;

    clock += 40 * DAY;
    await w.engine.syncNow();
    expect(await outlookEvents('Next year')).toHaveLength(1);
    expect(w.engine.getStatus().types.event.linked).toBe(linked + 1);

    // 200 more days: the demo events (December 2026) fall out of the window behind; they stay linked.
    clock += 200 * DAY;
    for (let cycle = 0; cycle < 3; cycle++) {
      const [crm, outlook] = await w.engine.syncNow();
      expect(crm.written).toEqual(outlook.written);
      expect(crm.written.outlook).toEqual({ created: 0, updated: 0, deleted: 0 });
      expect(crm.written.crm).toEqual({ created: 0, updated: 0, deleted: 0 });
    }
    expect(w.engine.getStatus().types.event.linked).toBe(linked + 1);
    expect(await outlookEvents('Quarterly review with Contoso')).toHaveLength(1);
    expect(await crmEvents('Quarterly review with Contoso')).toHaveLength(1);
  });
});
