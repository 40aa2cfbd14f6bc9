// The CRM emulator's recurring events, as OroCalendarBundle keeps them (docs/recurrence.md): a master with
// `recurrence`, exceptions as events of their own (recurringEventId, originalStart, isCancelled).
import type { CrmEmulator } from '../emulators/crm/server';
import { startTestCrm, tokenFor, type TestCrm } from '../emulators/crm/testing';

let emu: CrmEmulator;
let t: TestCrm;
let token: string;
let calendar: number;

beforeEach(async () => {
  t = await startTestCrm({ now: () => new Date('2027-05-01T10:00:00Z') });
  emu = t.crm;
  token = await tokenFor(emu, 'alice');
  calendar = (await rest('GET', '/api/rest/latest/calendars/default')).body.calendar;
});
afterEach(async () => {
  await t.dispose();
});

async function rest(method: string, pathname: string, body?: unknown) {
  const res = await fetch(`${emu.url}${pathname}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as any) : undefined };
}

// Mondays 10:00–10:30 Berlin (08:00Z) from 7 June 2027, four times.
const WEEKLY = { recurrenceType: 'weekly', interval: 1, dayOfWeek: ['monday'], startTime: '2027-06-07T08:00:00Z', occurrences: 4, timeZone: 'Europe/Berlin' };
const master = (recurrence: Record<string, unknown> = WEEKLY) =>
  rest('POST', '/api/rest/latest/calendarevents', { calendar, title: 'Team sync', start: '2027-06-07T08:00:00Z', end: '2027-06-07T08:30:00Z', recurrence });
const JUNE = 'start=2027-06-01T00:00:00%2B00:00&end=2027-07-01T00:00:00%2B00:00';

describe('recurring calendar events', () => {
  test('RecurrenceValidator: type, required fields per type, interval 1..999 and a multiple of 12 for yearly, day names', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...WEEKLY, recurrenceType: 'hourly' }, 'recurrenceType'],
      [{ ...WEEKLY, dayOfWeek: [] }, 'dayOfWeek'],
      [{ ...WEEKLY, dayOfWeek: ['someday'] }, 'dayOfWeek'],
      [{ ...WEEKLY, interval: 1000 }, 'interval'],
      [{ ...WEEKLY, recurrenceType: 'yearly', interval: 13, dayOfMonth: 7, monthOfYear: 6 }, 'interval'],
      [{ ...WEEKLY, recurrenceType: 'monthnth', instance: null }, 'instance'],
      [{ ...WEEKLY, timeZone: undefined }, 'timeZone'],
    ];
    for (const [recurrence, field] of cases) {
      const res = await master(recurrence);
      expect(res.status).toBe(400);
      expect(res.body.errors.children.recurrence.children[field].errors).toEqual([expect.any(String)]);
    }
    expect((await master({ ...WEEKLY, recurrenceType: 'yearly', interval: 24, dayOfMonth: 7, monthOfYear: 6 })).status).toBe(201);
  });

  test('start/end expands a series into occurrences with the master\'s id; an exception replaces its occurrence, a cancelled one removes it', async () => {
    const id = (await master()).body.id;
    const moved = await rest('POST', '/api/rest/latest/calendarevents', { calendar, title: 'Team sync', start: '2027-06-15T09:00:00Z', end: '2027-06-15T09:30:00Z', recurringEventId: id, originalStart: '2027-06-14T08:00:00Z' });
    expect(moved.status).toBe(201);
    const cancelled = await rest('POST', '/api/rest/latest/calendarevents', { calendar, title: 'Team sync', start: '2027-06-21T08:00:00Z', end: '2027-06-21T08:30:00Z', recurringEventId: id, originalStart: '2027-06-21T08:00:00Z', isCancelled: true });
    expect(cancelled.status).toBe(201);
    const listed = (await rest('GET', `/api/rest/latest/calendarevents?calendar=${calendar}&${JUNE}`)).body.filter((e: any) => e.title === 'Team sync');
    expect(listed.map((e: any) => [e.id, e.start])).toEqual([
      [id, '2027-06-07T08:00:00+00:00'],
      [moved.body.id, '2027-06-15T09:00:00+00:00'],
      [id, '2027-06-28T08:00:00+00:00'],
    ]);
    expect(listed[0].recurrence).toMatchObject({ recurrenceType: 'weekly', timeZone: 'Europe/Berlin', startTime: '2027-06-07T08:00:00+00:00' });
  });

  test('page/limit lists masters and exceptions as rows; recurringEventId=N gives the exceptions and N itself', async () => {
    const id = (await master()).body.id;
    const x = await rest('POST', '/api/rest/latest/calendarevents', { calendar, title: 'Team sync', start: '2027-06-21T08:00:00Z', end: '2027-06-21T08:30:00Z', recurringEventId: id, originalStart: '2027-06-21T08:00:00Z', isCancelled: true });
    const rows = (await rest('GET', `/api/rest/latest/calendarevents?calendar=${calendar}&page=1&limit=100&recurringEventId=${id}`)).body;
    expect(rows.map((e: any) => e.id).sort()).toEqual([id, x.body.id].sort());
    const exception = rows.find((e: any) => e.id === x.body.id);
    expect(exception).toMatchObject({ recurringEventId: id, originalStart: '2027-06-21T08:00:00+00:00', isCancelled: true });
    expect(exception.recurrence).toBeUndefined();
    const single = (await rest('GET', `/api/rest/latest/calendarevents/${id}`)).body;
    expect(single.recurrence).toMatchObject({ timezone: 'Europe/Berlin', occurrences: 4 });
  });

  test('an exception needs a recurring event; deleting the recurring event deletes its exceptions', async () => {
    const plain = await rest('POST', '/api/rest/latest/calendarevents', { calendar, title: 'One-off', start: '2027-06-07T08:00:00Z', end: '2027-06-07T08:30:00Z' });
    const bad = await rest('POST', '/api/rest/latest/calendarevents', { calendar, title: 'x', start: '2027-06-07T08:00:00Z', end: '2027-06-07T08:30:00Z', recurringEventId: plain.body.id, originalStart: '2027-06-07T08:00:00Z' });
    expect(bad.status).toBe(400);
    const id = (await master()).body.id;
    const x = await rest('POST', '/api/rest/latest/calendarevents', { calendar, title: 'Team sync', start: '2027-06-14T08:00:00Z', end: '2027-06-14T08:30:00Z', recurringEventId: id, originalStart: '2027-06-14T08:00:00Z', isCancelled: true });
    expect((await rest('DELETE', `/api/rest/latest/calendarevents/${id}`)).status).toBe(204);
    expect((await rest('GET', `/api/rest/latest/calendarevents/${x.body.id}`)).status).toBe(404);
  });
});
