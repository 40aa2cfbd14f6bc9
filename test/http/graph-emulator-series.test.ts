// The Graph emulator's recurring series, as Graph documents them (docs/recurrence.md): a master with a
// rule, occurrences computed from it, exceptions under the occurrence's id, cancelled occurrences gone.
import { deltaRound, startGraph, type Harness } from '../emulators/graph/testing';

let h: Harness;
beforeEach(async () => {
  h = await startGraph();
});
afterEach(async () => {
  await h.close();
});

// Mondays in June 2027, 10:00–10:30 Berlin (08:00Z); the window covers June.
const JUNE = 'startDateTime=2027-06-01T00:00:00Z&endDateTime=2027-07-01T00:00:00Z';
const weekly = (extra: Record<string, unknown> = {}) => ({
  subject: 'Team sync',
  start: { dateTime: '2027-06-07T10:00:00', timeZone: 'Europe/Berlin' },
  end: { dateTime: '2027-06-07T10:30:00', timeZone: 'Europe/Berlin' },
  recurrence: { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] }, range: { type: 'numbered', startDate: '2027-06-07', numberOfOccurrences: 4, recurrenceTimeZone: 'Europe/Berlin' } },
  ...extra,
});

async function createSeries(): Promise<any> {
  const res = await h.call('POST', '/v1.0/me/events', weekly());
  expect(res.status).toBe(201);
  return res.body;
}

describe('recurring series', () => {
  test('a create with a recurrence answers a seriesMaster with the rule in Graph\'s answer form', async () => {
    const master = await createSeries();
    expect(master).toMatchObject({ type: 'seriesMaster', seriesMasterId: null });
    expect(master.recurrence).toEqual({
      pattern: { type: 'weekly', interval: 1, month: 0, dayOfMonth: 0, daysOfWeek: ['monday'], firstDayOfWeek: 'sunday', index: 'first' },
      range: { type: 'numbered', startDate: '2027-06-07', endDate: '0001-01-01', recurrenceTimeZone: 'Europe/Berlin', numberOfOccurrences: 4 },
    });
  });

  test('a pattern without what it needs is refused', async () => {
    const res = await h.call('POST', '/v1.0/me/events', weekly({ recurrence: { pattern: { type: 'weekly', interval: 1 }, range: { type: 'noEnd', startDate: '2027-06-07' } } }));
    expect(res.status).toBe(400);
    const bad = await h.call('POST', '/v1.0/me/events', weekly({ recurrence: { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['someday'] }, range: { type: 'noEnd', startDate: '2027-06-07' } } }));
    expect(bad.status).toBe(400);
  });

  test('instances list the occurrences; calendarView lists them too but never the master; /events lists the master', async () => {
    const master = await createSeries();
    const instances = await h.call('GET', `/v1.0/me/events/${master.id}/instances?${JUNE}`);
    expect(instances.body.value.map((e: any) => [e.type, e.seriesMasterId, e.start.dateTime])).toEqual([
      ['occurrence', master.id, '2027-06-07T08:00:00.0000000'],
      ['occurrence', master.id, '2027-06-14T08:00:00.0000000'],
      ['occurrence', master.id, '2027-06-21T08:00:00.0000000'],
      ['occurrence', master.id, '2027-06-28T08:00:00.0000000'],
    ]);
    const view = await h.call('GET', `/v1.0/me/calendarView?${JUNE}&$top=50`);
    const ours = view.body.value.filter((e: any) => e.subject === 'Team sync');
    expect(ours.map((e: any) => e.type)).toEqual(['occurrence', 'occurrence', 'occurrence', 'occurrence']);
    const events = await h.call('GET', '/v1.0/me/events?$top=100');
    expect(events.body.value.filter((e: any) => e.subject === 'Team sync').map((e: any) => e.type)).toEqual(['seriesMaster']);
  });

  test('moving an occurrence makes it an exception under the same id; deleting one cancels it; both change the master', async () => {
    const master = await createSeries();
    const [first, second, third] = (await h.call('GET', `/v1.0/me/events/${master.id}/instances?${JUNE}`)).body.value;
    const moved = await h.call('PATCH', `/v1.0/me/events/${second.id}`, { start: { dateTime: '2027-06-15T09:00:00Z', timeZone: 'UTC' }, end: { dateTime: '2027-06-15T09:30:00Z', timeZone: 'UTC' } });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ id: second.id, type: 'exception', seriesMasterId: master.id, originalStart: '2027-06-14T08:00:00Z' });
    expect((await h.call('DELETE', `/v1.0/me/events/${third.id}`)).status).toBe(204);
    expect((await h.call('GET', `/v1.0/me/events/${third.id}`)).status).toBe(404);
    const after = (await h.call('GET', `/v1.0/me/events/${master.id}/instances?${JUNE}`)).body.value;
    expect(after.map((e: any) => [e.id, e.type, e.start.dateTime])).toEqual([
      [first.id, 'occurrence', '2027-06-07T08:00:00.0000000'],
      [second.id, 'exception', '2027-06-15T09:00:00.0000000'],
      [after[2].id, 'occurrence', '2027-06-28T08:00:00.0000000'],
    ]);
    const masterNow = (await h.call('GET', `/v1.0/me/events/${master.id}`)).body;
    expect(masterNow.changeKey).not.toBe(master.changeKey);
  });

  test('an occurrence cannot move onto or past its neighbour (ErrorOccurrenceCrossingBoundary)', async () => {
    const master = await createSeries();
    const [first] = (await h.call('GET', `/v1.0/me/events/${master.id}/instances?${JUNE}`)).body.value;
    const res = await h.call('PATCH', `/v1.0/me/events/${first.id}`, { start: { dateTime: '2027-06-15T09:00:00Z', timeZone: 'UTC' }, end: { dateTime: '2027-06-15T09:30:00Z', timeZone: 'UTC' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('ErrorOccurrenceCrossingBoundary');
  });

  test('calendarView/delta reports a series by its occurrences with only id, type, seriesMasterId, start, end; a cancelled one is simply missing', async () => {
    const master = await createSeries();
    const round = await deltaRound(h, `/v1.0/me/calendarView/delta?${JUNE}`, 50);
    const occ = round.items.filter((e: any) => e.seriesMasterId === master.id);
    expect(occ).toHaveLength(4);
    expect(Object.keys(occ[0]).sort()).toEqual(['@odata.etag', '@odata.type', 'end', 'id', 'seriesMasterId', 'start', 'type']);
    expect(round.items.some((e: any) => e.id === master.id)).toBe(false);
    await h.call('DELETE', `/v1.0/me/events/${occ[1].id}`);
    const next = await deltaRound(h, round.deltaLink, 50);
    expect(next.items.map((e: any) => e.id).sort()).toEqual([occ[0].id, occ[2].id, occ[3].id].sort());
    expect(next.items.some((e: any) => '@removed' in e)).toBe(false);
  });

  test('deleting the master deletes the series with its exceptions', async () => {
    const master = await createSeries();
    const [first] = (await h.call('GET', `/v1.0/me/events/${master.id}/instances?${JUNE}`)).body.value;
    await h.call('PATCH', `/v1.0/me/events/${first.id}`, { subject: 'Team sync (kick-off)' });
    expect((await h.call('DELETE', `/v1.0/me/events/${master.id}`)).status).toBe(204);
    expect((await h.call('GET', `/v1.0/me/events/${first.id}`)).status).toBe(404);
    const view = await h.call('GET', `/v1.0/me/calendarView?${JUNE}&$top=50`);
    expect(view.body.value.filter((e: any) => e.subject?.startsWith('Team sync'))).toEqual([]);
  });
});
