// Issue 3 audit: Graph emulator behaviour the first tests left out (a task's linkedResource update,
// `Prefer: outlook.timezone` on event reads).
import { startGraph, type Harness } from '../emulators/graph/testing';

let h: Harness;
let clock: Date;
beforeEach(async () => {
  clock = new Date('2026-11-20T10:00:00Z');
  h = await startGraph({ now: () => clock });
});
afterEach(async () => {
  await h.close();
});

describe('a task\'s linkedResources', () => {
  async function taskWithLink(): Promise<{ path: string; linkId: string; etag: string }> {
    const lists = await h.call('GET', '/v1.0/me/todo/lists');
    const list = lists.body.value.find((l: any) => l.displayName === 'OroCRM');
    const created = await h.call('POST', `/v1.0/me/todo/lists/${list.id}/tasks`, {
      title: 'Linked',
      linkedResources: [{ applicationName: 'OroCRM', externalId: '17', displayName: 'Task 17', webUrl: 'http://crm/task/17' }],
    });
    const path = `/v1.0/me/todo/lists/${list.id}/tasks/${created.body.id}`;
    return { path, linkId: created.body.linkedResources[0].id, etag: created.body['@odata.etag'] };
  }

  test('PATCH on one linkedResource answers 200 with it updated, keeps omitted properties and its id, and changes the task etag', async () => {
    const { path, linkId, etag } = await taskWithLink();
    const patched = await h.call('PATCH', `${path}/linkedResources/${linkId}`, { externalId: '18', id: 'ignored' });
    expect(patched.status).toBe(200);
    expect(patched.body).toEqual({ id: linkId, applicationName: 'OroCRM', externalId: '18', displayName: 'Task 17', webUrl: 'http://crm/task/17' });
    expect((await h.call('GET', `${path}/linkedResources/${linkId}`)).body.externalId).toBe('18');
    const task = await h.call('GET', `${path}?$expand=linkedResources`);
    expect(task.body.linkedResources.map((l: any) => l.externalId)).toEqual(['18']);
    expect(task.body['@odata.etag']).not.toBe(etag);
  });

  test('PATCH of an unknown linkedResource answers 404; an unknown property answers 400 and changes nothing', async () => {
    const { path, linkId } = await taskWithLink();
    const missing = await h.call('PATCH', `${path}/linkedResources/nope`, { externalId: '1' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('ErrorItemNotFound');
    const bad = await h.call('PATCH', `${path}/linkedResources/${linkId}`, { externalId: '19', colour: 'red' });
    expect(bad.status).toBe(400);
    expect((await h.call('GET', `${path}/linkedResources/${linkId}`)).body.externalId).toBe('17');
  });
});

describe('Prefer: outlook.timezone on event answers', () => {
  const PST = { Prefer: 'outlook.timezone="Pacific Standard Time"' };
  async function makeEvents(): Promise<{ timed: string; allDay: string }> {
    const timed = await h.call('POST', '/v1.0/me/events', {
      subject: 'Zoned',
      start: { dateTime: '2026-11-24T17:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-11-24T18:30:00', timeZone: 'UTC' },
    });
    const allDay = await h.call('POST', '/v1.0/me/events', {
      subject: 'Whole day',
      isAllDay: true,
      start: { dateTime: '2026-11-25T00:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-11-26T00:00:00', timeZone: 'UTC' },
    });
    return { timed: timed.body.id, allDay: allDay.body.id };
  }

  test('GET of an event answers in the preferred Windows zone; without the header it stays UTC', async () => {
    const { timed } = await makeEvents();
    const zoned = await h.call('GET', `/v1.0/me/events/${timed}`, undefined, PST);
    expect(zoned.body.start).toEqual({ dateTime: '2026-11-24T09:00:00.0000000', timeZone: 'Pacific Standard Time' });
    expect(zoned.body.end).toEqual({ dateTime: '2026-11-24T10:30:00.0000000', timeZone: 'Pacific Standard Time' });
    const plain = await h.call('GET', `/v1.0/me/events/${timed}`);
    expect(plain.body.start).toEqual({ dateTime: '2026-11-24T17:00:00.0000000', timeZone: 'UTC' });
  });

  test('IANA zones follow daylight saving; "UTC" answers UTC', async () => {
    const summer = await h.call('POST', '/v1.0/me/events', {
      subject: 'Summer',
      start: { dateTime: '2026-07-01T10:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-07-01T11:00:00', timeZone: 'UTC' },
    });
    const berlin = await h.call('GET', `/v1.0/me/events/${summer.body.id}`, undefined, { Prefer: 'outlook.timezone="Europe/Berlin"' });
    expect(berlin.body.start).toEqual({ dateTime: '2026-07-01T12:00:00.0000000', timeZone: 'Europe/Berlin' });
    const utc = await h.call('GET', `/v1.0/me/events/${summer.body.id}`, undefined, { Prefer: 'outlook.timezone="UTC"' });
    expect(utc.body.start).toEqual({ dateTime: '2026-07-01T10:00:00.0000000', timeZone: 'UTC' });
  });

  test('an all-day event keeps its midnights, labelled with the preferred zone', async () => {
    const { allDay } = await makeEvents();
    const zoned = await h.call('GET', `/v1.0/me/events/${allDay}`, undefined, PST);
    expect(zoned.body.start).toEqual({ dateTime: '2026-11-25T00:00:00.0000000', timeZone: 'Pacific Standard Time' });
    expect(zoned.body.end).toEqual({ dateTime: '2026-11-26T00:00:00.0000000', timeZone: 'Pacific Standard Time' });
  });

  test('calendarView and calendarView/delta answer in the zone; the window is still read as UTC', async () => {
    const { timed } = await makeEvents();
    const window = 'startDateTime=2026-11-24T16:00:00&endDateTime=2026-11-24T17:30:00';
    const view = await h.call('GET', `/v1.0/me/calendarView?${window}`, undefined, PST);
    const plainView = await h.call('GET', `/v1.0/me/calendarView?${window}`);
    expect(view.body.value.map((e: any) => e.id)).toEqual(plainView.body.value.map((e: any) => e.id));
    expect(view.body.value.find((e: any) => e.id === timed).start.timeZone).toBe('Pacific Standard Time');
    const delta = await h.call('GET', `/v1.0/me/calendarView/delta?${window}`, undefined, { ...PST, Prefer: `${PST.Prefer}, odata.maxpagesize=50` });
    const item = delta.body.value.find((e: any) => e.id === timed);
    expect(item.start).toEqual({ dateTime: '2026-11-24T09:00:00.0000000', timeZone: 'Pacific Standard Time' });
  });

  test('the preference also applies to create answers and to GETs inside $batch', async () => {
    const created = await h.call(
      'POST',
      '/v1.0/me/events',
      { subject: 'Echo', start: { dateTime: '2026-11-24T20:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-11-24T21:00:00', timeZone: 'UTC' } },
      PST,
    );
    expect(created.body.start).toEqual({ dateTime: '2026-11-24T12:00:00.0000000', timeZone: 'Pacific Standard Time' });
    const batch = await h.call('POST', '/v1.0/$batch', { requests: [{ id: '1', method: 'GET', url: `/me/events/${created.body.id}`, headers: PST }] });
    expect(batch.body.responses[0].body.start.timeZone).toBe('Pacific Standard Time');
  });

  test('an unknown zone in the preference is ignored: the answer stays UTC', async () => {
    const { timed } = await makeEvents();
    const res = await h.call('GET', `/v1.0/me/events/${timed}`, undefined, { Prefer: 'outlook.timezone="Mars Standard Time"' });
    expect(res.status).toBe(200);
    expect(res.body.start.timeZone).toBe('UTC');
  });
});

describe('versions', () => {
  test('every write changes changeKey and @odata.etag and moves lastModifiedDateTime; createdDateTime is kept', async () => {
    const created = await h.call('POST', '/v1.0/me/events', {
      subject: 'Versioned',
      start: { dateTime: '2026-11-24T17:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-11-24T18:00:00', timeZone: 'UTC' },
    });
    expect(created.body.lastModifiedDateTime).toBe('2026-11-20T10:00:00.0000000Z');
    clock = new Date('2026-11-20T10:05:00Z');
    const patched = await h.call('PATCH', `/v1.0/me/events/${created.body.id}`, { subject: 'Versioned again' });
    expect(patched.body.changeKey).not.toBe(created.body.changeKey);
    expect(patched.body['@odata.etag']).toBe(`W/"${patched.body.changeKey}"`);
    expect(patched.body.lastModifiedDateTime).toBe('2026-11-20T10:05:00.0000000Z');
    expect(patched.body.createdDateTime).toBe(created.body.createdDateTime);
    const read = await h.call('GET', `/v1.0/me/events/${created.body.id}`);
    expect(read.body.lastModifiedDateTime).toBe('2026-11-20T10:05:00.0000000Z');
  });
});
