import { CRM_ID, deltaRound, startGraph, type Harness } from '../emulators/graph/testing';

let h: Harness;
beforeEach(async () => {
  h = await startGraph();
});
afterEach(async () => {
  await h.close();
});

const DEC = 'startDateTime=2026-12-01T00:00:00Z&endDateTime=2027-01-01T00:00:00Z';
const timed = (subject: string, day: string, extra: Record<string, unknown> = {}) => ({
  subject,
  start: { dateTime: `${day}T10:00:00`, timeZone: 'UTC' },
  end: { dateTime: `${day}T11:00:00`, timeZone: 'UTC' },
  ...extra,
});

describe('events', () => {
  test('the seed has alice\'s events in the primary calendar, all-day ones at midnight UTC', async () => {
    const view = await h.call('GET', `/v1.0/me/calendarView?${DEC}&$top=50`);
    expect(view.status).toBe(200);
    const offsite = view.body.value.find((e: any) => e.subject === 'Acme offsite');
    expect(offsite).toMatchObject({
      isAllDay: true,
      start: { dateTime: '2026-12-14T00:00:00.0000000', timeZone: 'UTC' },
      end: { dateTime: '2026-12-15T00:00:00.0000000', timeZone: 'UTC' },
    });
    expect(view.body.value.map((e: any) => e.subject)).toEqual(['Quarterly review with Contoso', 'Dentist', 'Acme offsite']);
  });

  test('create converts a zoned time to UTC and keeps the original zone; PATCH and DELETE work', async () => {
    const created = await h.call('POST', '/v1.0/me/events', {
      subject: 'Call',
      body: { contentType: 'HTML', content: '<p>Hi</p>' },
      start: { dateTime: '2026-12-09T09:00:00', timeZone: 'Pacific Standard Time' },
      end: { dateTime: '2026-12-09T09:30:00', timeZone: 'Pacific Standard Time' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      subject: 'Call',
      type: 'singleInstance',
      start: { dateTime: '2026-12-09T17:00:00.0000000', timeZone: 'UTC' },
      originalStartTimeZone: 'Pacific Standard Time',
      body: { contentType: 'html', content: '<p>Hi</p>' },
      bodyPreview: 'Hi',
    });
    expect(created.body['@odata.etag']).toBe(`W/"${created.body.changeKey}"`);
    const patched = await h.call('PATCH', `/v1.0/me/events/${created.body.id}`, { subject: 'Call 2' });
    expect(patched.body).toMatchObject({ subject: 'Call 2', start: created.body.start });
    expect(patched.body.changeKey).not.toBe(created.body.changeKey);
    expect((await h.call('GET', `/v1.0/me/calendar/events/${created.body.id}`)).body.subject).toBe('Call 2');
    expect((await h.call('DELETE', `/v1.0/me/events/${created.body.id}`)).status).toBe(204);
    expect((await h.call('GET', `/v1.0/me/events/${created.body.id}`)).status).toBe(404);
  });

  test('an all-day event that does not start at midnight is rejected', async () => {
    const res = await h.call('POST', '/v1.0/me/events', { ...timed('Bad', '2026-12-09'), isAllDay: true });
    expect(res.status).toBe(400);
  });

  test('a repeated POST with the same transactionId returns the first event; other content answers ErrorDuplicateTransactionId', async () => {
    const body = timed('Once', '2026-12-10', { transactionId: 'tx-1' });
    const first = await h.call('POST', '/v1.0/me/events', body);
    const again = await h.call('POST', '/v1.0/me/calendar/events', body);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    const other = await h.call('POST', '/v1.0/me/events', timed('Other', '2026-12-11', { transactionId: 'tx-1' }));
    expect(other.status).toBe(400);
    expect(other.body.error.code).toBe('ErrorDuplicateTransactionId');
    const list = await h.call('GET', `/v1.0/me/events?$top=100`);
    expect(list.body.value.filter((e: any) => e.subject === 'Once')).toHaveLength(1);
  });

  test('extended properties on events: set, expand, filter', async () => {
    const created = await h.call('POST', '/v1.0/me/events', timed('Stamped', '2026-12-12', { singleValueExtendedProperties: [{ id: CRM_ID, value: 'e-9' }] }));
    expect(created.body.singleValueExtendedProperties).toBeUndefined();
    const filter = encodeURIComponent(`singleValueExtendedProperties/any(p: p/id eq '${CRM_ID}' and p/value eq 'E-9')`);
    const found = await h.call('GET', `/v1.0/me/events?$filter=${filter}`);
    expect(found.body.value.map((e: any) => e.id)).toEqual([created.body.id]);
    const expand = encodeURIComponent(`singleValueExtendedProperties($filter=id eq '${CRM_ID}')`);
    const got = await h.call('GET', `/v1.0/me/events/${created.body.id}?$expand=${expand}`);
    expect(got.body.singleValueExtendedProperties).toEqual([{ id: CRM_ID, value: 'e-9' }]);
  });

  test('calendarView without a window answers 400', async () => {
    const res = await h.call('GET', '/v1.0/me/calendarView');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('ErrorInvalidParameter');
  });
});

describe('calendarView delta', () => {
  test('the window lives in the tokens; moving out of the window gives @removed', async () => {
    for (let i = 0; i < 12; i++) await h.call('POST', '/v1.0/me/events', timed(`E${i}`, `2026-12-${String(10 + i).padStart(2, '0')}`));
    const round = await deltaRound(h, `/v1.0/me/calendarView/delta?${DEC}`, 5);
    expect(round.items).toHaveLength(15);
    expect(round.pages).toBe(3);
    expect(round.deltaLink).not.toContain('startDateTime');
    const moved = round.items.find((e) => e.subject === 'E0');
    const changed = round.items.find((e) => e.subject === 'E1');
    const deleted = round.items.find((e) => e.subject === 'E2');
    await h.call('PATCH', `/v1.0/me/events/${moved.id}`, timed('E0', '2027-02-01'));
    await h.call('PATCH', `/v1.0/me/events/${changed.id}`, { subject: 'E1!' });
    await h.call('DELETE', `/v1.0/me/events/${deleted.id}`);
    await h.call('POST', '/v1.0/me/events', timed('Outside', '2027-03-01'));
    const next = await deltaRound(h, round.deltaLink);
    const byId = Object.fromEntries(next.items.map((i) => [i.id, i]));
    expect(byId[moved.id]['@removed']).toEqual({ reason: 'deleted' });
    expect(byId[deleted.id]['@removed']).toEqual({ reason: 'deleted' });
    expect(byId[changed.id].subject).toBe('E1!');
    // An event created outside the window never arrives as an item (at most as an @removed, graph-api.md §2).
    expect(next.items.some((i) => i.subject === 'Outside')).toBe(false);
  });

  test('$expand on calendarView/delta is rejected as in real Graph', async () => {
    const res = await h.call('GET', `/v1.0/me/calendarView/delta?${DEC}&$expand=singleValueExtendedProperties`);
    expect(res.status).toBe(400);
  });
});
