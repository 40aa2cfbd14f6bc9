// The CRM emulator's legacy REST calendar events, audits (oro-api.md §3, §7) and fault knobs.
import type { CrmEmulator } from '../emulators/crm/server';
import { startTestCrm, tokenFor, type TestCrm } from '../emulators/crm/testing';

let emu: CrmEmulator;
let t: TestCrm;
let token: string;
let clock: Date;

beforeAll(async () => {
  clock = new Date('2026-03-01T10:00:00Z');
  t = await startTestCrm({ now: () => clock });
  emu = t.crm;
  token = await tokenFor(emu, 'alice');
});
afterAll(async () => {
  await t.dispose();
});

async function rest(method: string, pathname: string, body?: unknown) {
  const res = await fetch(`${emu.url}${pathname}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? (JSON.parse(text) as any) : undefined };
}
const faults = (knobs: unknown) => fetch(`${emu.url}/_control/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(knobs) });

describe('legacy calendar events', () => {
  test('reminders as ReminderBundle takes them: a list that replaces the event\'s, methods email/web_socket, units M/H/D/W; answered only when there are some', async () => {
    const calendar = (await rest('GET', '/api/rest/latest/calendars/default')).body.calendar;
    const base = { title: 'Reminded', start: '2026-03-10T09:00:00Z', end: '2026-03-10T10:00:00Z', calendar };
    const bad = [
      [{ method: 'sms', interval: { number: 5, unit: 'M' } }],
      [{ method: 'email', interval: { number: 5, unit: 'S' } }],
      [{ method: 'email', interval: { number: 'five', unit: 'M' } }],
      [{ method: 'email' }],
      'soon',
    ];
    for (const reminders of bad) {
      const res = await rest('POST', '/api/rest/latest/calendarevents', { ...base, reminders });
      expect(res.status).toBe(400);
      expect(res.body.errors.children.reminders.errors).toHaveLength(1);
    }
    const none = await rest('POST', '/api/rest/latest/calendarevents', base);
    expect('reminders' in (await rest('GET', `/api/rest/latest/calendarevents/${none.body.id}`)).body).toBe(false);
    const two = [{ method: 'email', interval: { number: 1, unit: 'D' } }, { method: 'web_socket', interval: { number: 15, unit: 'M' } }];
    const made = await rest('POST', '/api/rest/latest/calendarevents', { ...base, reminders: two });
    expect(made.status).toBe(201);
    const path = `/api/rest/latest/calendarevents/${made.body.id}`;
    expect((await rest('GET', path)).body.reminders).toEqual(two);
    expect((await rest('PUT', path, { title: 'Still reminded' })).status).toBe(200);
    expect((await rest('GET', path)).body.reminders).toEqual(two);
    expect((await rest('PUT', path, { reminders: [two[1]] })).status).toBe(200);
    expect((await rest('GET', path)).body.reminders).toEqual([two[1]]);
  });

  test('calendars/default names the user\'s calendar; the list needs calendar and start/end or page/limit', async () => {
    const cal = await rest('GET', '/api/rest/latest/calendars/default');
    expect(cal.body).toEqual({ calendar: expect.any(Number), owner: 2, calendarName: 'Alice Archer' });
    expect((await rest('GET', '/api/rest/latest/calendarevents')).status).toBe(400);
    const neither = await rest('GET', `/api/rest/latest/calendarevents?calendar=${cal.body.calendar}`);
    expect(neither.status).toBe(400);
    expect(neither.body.message).toBe('Time interval ("start" and "end") or paging ("page" and "limit") parameters should be specified.');
    const paged = await rest('GET', `/api/rest/v1/calendarevents.json?calendar=${cal.body.calendar}&page=1&limit=2`);
    expect(paged.body).toHaveLength(2);
    const all = await rest('GET', `/api/rest/latest/calendarevents?calendar=${cal.body.calendar}&page=1&limit=100`);
    // No ORDER BY in page/limit mode (quirk unstableEventOrder): any event may come first.
    expect(all.body.find((e: any) => e.id === 1)).toMatchObject({ id: 1, uid: 'seed-event-1', start: '2026-12-02T15:00:00+00:00', allDay: false, invitationStatus: 'none' });
    const window = await rest('GET', `/api/rest/latest/calendarevents?calendar=${cal.body.calendar}&start=2026-12-03T00:00:00%2B00:00&end=2026-12-31T00:00:00%2B00:00`);
    expect(window.body.map((e: any) => e.title)).toEqual(['Lunch with Olu', 'Acme offsite']);
    expect(window.body[0].calendarAlias).toBe('user');
    expect((await rest('GET', '/api/rest/latest/calendarevents?calendar=1&page=1&limit=5')).status).toBe(403); // admin's calendar
  });

  test('POST 201 {id, uid, ...}, PUT 200 partial, DELETE 204, missing ids 404; updatedAt>= filters with the legacy syntax', async () => {
    const cal = (await rest('GET', '/api/rest/latest/calendars/default')).body.calendar;
    clock = new Date('2026-03-01T10:20:00Z');
    const created = await rest('POST', '/api/rest/latest/calendarevents', { calendar: cal, title: 'Demo', start: '2026-04-01T10:00:00.000Z', end: '2026-04-01T11:00:00+01:00', uid: 'my-uid', allDay: false });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(Number), uid: 'my-uid', invitationStatus: 'none', editableInvitationStatus: false, organizerDisplayName: 'Alice Archer', organizerEmail: 'alice@acme.test', organizerUserId: '2' });
    const id = created.body.id;
    const updated = await rest('PUT', `/api/rest/latest/calendarevents/${id}`, { title: 'Demo 2' });
    expect(updated.status).toBe(200);
    expect(updated.body.id).toBeUndefined();
    const got = await rest('GET', `/api/rest/latest/calendarevents/${id}`);
    expect(got.body).toMatchObject({ title: 'Demo 2', start: '2026-04-01T10:00:00+00:00', end: '2026-04-01T10:00:00+00:00', updatedAt: '2026-03-01T10:20:00+00:00' });
    const since = await rest('GET', `/api/rest/latest/calendarevents?calendar=${cal}&page=1&limit=10&updatedAt>=2026-03-01T10:20:00%2B00:00`);
    expect(since.body.map((e: any) => e.id)).toEqual([id]);
    const byUid = await rest('GET', `/api/rest/latest/calendarevents?calendar=${cal}&page=1&limit=10&uid=my-uid`);
    expect(byUid.body.map((e: any) => e.id)).toEqual([id]);
    expect((await rest('DELETE', `/api/rest/latest/calendarevents/${id}`)).status).toBe(204);
    const missing = await rest('GET', `/api/rest/latest/calendarevents/${id}`);
    expect(missing.status).toBe(404);
    expect(missing.text).toBe('');
    expect((await rest('PUT', `/api/rest/latest/calendarevents/${id}`, { title: 'x' })).status).toBe(404);
  });

  test('validation errors use the FOSRest form shape; fields without errors are []', async () => {
    const res = await rest('POST', '/api/rest/latest/calendarevents', { title: '', start: 'soon', notifyAttendees: 'everyone' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(400);
    expect(res.body.message).toBe('Validation Failed');
    expect(res.body.errors.children.title).toEqual({ errors: ['This value should not be blank.'] });
    expect(res.body.errors.children.start).toEqual({ errors: ['This value is not valid.'] });
    expect(res.body.errors.children.end).toEqual({ errors: ['This value should not be blank.'] });
    expect(res.body.errors.children.notifyAttendees).toEqual({ errors: ['This value is not valid.'] });
    expect(res.body.errors.children.description).toEqual([]);
  });
});

describe('legacy audits', () => {
  test('removals are listed by action, objectClass (with _ for \\) and loggedAt>=, as a bare array', async () => {
    clock = new Date('2026-03-01T10:40:00Z');
    const created = await fetch(`${emu.url}/api/tasks`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/vnd.api+json' },
      body: JSON.stringify({ data: { type: 'tasks', attributes: { subject: 'Temp' }, relationships: { taskPriority: { data: { type: 'taskpriorities', id: 'low' } } } } }),
    });
    const id = ((await created.json()) as any).data.id;
    await fetch(`${emu.url}/api/tasks/${id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } });
    const list = await rest('GET', '/api/rest/latest/audits?action=remove&objectClass=Oro_Bundle_TaskBundle_Entity_Task&loggedAt>=2026-03-01T10:40:00Z&page=1&limit=10');
    expect(list.status).toBe(200);
    expect(list.body).toEqual([
      expect.objectContaining({ action: 'remove', objectClass: 'Oro\\Bundle\\TaskBundle\\Entity\\Task', objectId: id, objectName: 'Temp', loggedAt: '2026-03-01T10:40:00+00:00', user: 2, version: 2 }),
    ]);
    const none = await rest('GET', '/api/rest/latest/audits?action=remove&objectClass=Oro_Bundle_TaskBundle_Entity_Task&loggedAt>2026-03-01T10:40:00Z');
    expect(none.body).toEqual([]);
  });

  test('the audit API can be switched to missing (404) or forbidden (403) and back', async () => {
    const set = (mode: string) => fetch(`${emu.url}/_emulator/audit`, { method: 'POST', body: JSON.stringify({ mode }) });
    expect((await set('nonsense')).status).toBe(400);
    expect((await fetch(`${emu.url}/_emulator/audit`, { method: 'POST', body: 'null' })).status).toBe(400);
    await set('missing');
    expect((await rest('GET', '/api/rest/latest/audits')).status).toBe(404);
    await set('forbidden');
    expect((await rest('GET', '/api/rest/latest/audits')).status).toBe(403);
    await set('on');
    expect((await rest('GET', '/api/rest/latest/audits')).status).toBe(200);
  });
});

describe('fault knobs on the CRM emulator', () => {
  afterEach(async () => {
    await faults({});
  });

  test('rate429 answers 429 with Retry-After and an Oro error document', async () => {
    await faults({ rate429: 1, retryAfterSeconds: 2, routeFilter: 'contacts' });
    const res = await rest('GET', '/api/contacts');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(res.body.errors[0].status).toBe('429');
  });

  test('rate5xx answers 503', async () => {
    await faults({ rate5xx: 1, routeFilter: 'calendarevents' });
    expect((await rest('GET', '/api/rest/latest/calendarevents?calendar=2&page=1&limit=1')).status).toBe(503);
  });

  test('dropRate cuts the connection without an answer', async () => {
    await faults({ dropRate: 1, routeFilter: 'tasks' });
    await expect(rest('GET', '/api/tasks')).rejects.toThrow();
  });

  test('latency and per-route counters show in /_control/stats', async () => {
    await fetch(`${emu.url}/_control/stats`, { method: 'DELETE' });
    await faults({ latencyMs: 5 });
    await rest('GET', '/api/tasks');
    await rest('GET', '/api/tasks');
    const stats = (await (await fetch(`${emu.url}/_control/stats`)).json()) as any;
    expect(stats.byRoute['GET /api/tasks']).toBe(2);
    expect(stats.injected.latency).toBe(2);
  });
});
