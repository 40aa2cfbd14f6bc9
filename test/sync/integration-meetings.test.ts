// Attendees are read-only context (issue 10 §3): syncing never sends an invitation, an update or a
// cancellation to anyone. The Graph emulator records what Exchange would have mailed to attendees.
import { startWorld, type World } from '../support/world';

jest.setTimeout(90_000);

let w: World;
afterEach(async () => {
  await w?.close();
});

const EVENTS_ONLY = { contacts_enabled: false, tasks_enabled: false } as const;

async function meetingMessages(): Promise<unknown[]> {
  return ((await (await fetch(`${w.graphUrl}/_control/graph/meeting-messages`)).json()) as { messages: unknown[] }).messages;
}

async function crmEvents(title: string) {
  return (await w.list('crm', 'event')).filter((e) => e.record.title === title);
}

test('an Outlook meeting is copied to the CRM, and CRM edits and deletes of it never mail its attendees', async () => {
  const clock = Date.parse('2026-11-20T10:00:00Z');
  w = await startWorld({ settings: EVENTS_ONLY, now: () => clock });
  await w.engine.syncNow();
  const meeting = await w.graphApi('POST', '/me/events', {
    subject: 'Pricing workshop',
    start: { dateTime: '2026-11-25T14:00:00', timeZone: 'UTC' },
    end: { dateTime: '2026-11-25T15:00:00', timeZone: 'UTC' },
    attendees: [{ emailAddress: { address: 'ann@contoso.test', name: 'Ann Lee' }, type: 'required' }],
  });
  expect(meeting.status).toBe(201);
  const sentByUser = (await meetingMessages()).length;
  expect(sentByUser).toBe(1); // the user's own invitation

  await w.engine.syncNow();
  const [crm] = await crmEvents('Pricing workshop');
  expect(crm).toBeDefined();
  expect(await meetingMessages()).toHaveLength(sentByUser);

  // A CRM edit is not written to the meeting (it would send an update) ...
  const calendarEvent = (await w.crmApi('GET', `/api/rest/latest/calendarevents/${crm.id}`)).body;
  expect((await w.crmApi('PUT', `/api/rest/latest/calendarevents/${crm.id}`, { title: 'Pricing workshop (moved)', start: calendarEvent.start, end: calendarEvent.end, calendar: calendarEvent.calendar })).status).toBe(200);
  await w.engine.syncNow();
  expect((await w.graphApi('GET', `/me/events/${meeting.body.id}`)).body.subject).toBe('Pricing workshop');
  expect(await meetingMessages()).toHaveLength(sentByUser);

  // ... and a CRM delete keeps it (a delete would send a cancellation); the pair is unlinked.
  expect((await w.crmApi('DELETE', `/api/rest/latest/calendarevents/${crm.id}`)).status).toBe(204);
  for (let i = 0; i < 2; i++) await w.engine.syncNow();
  expect((await w.graphApi('GET', `/me/events/${meeting.body.id}`)).status).toBe(200);
  expect(await meetingMessages()).toHaveLength(sentByUser);
  expect(w.engine.getStatus().itemErrors.some((e) => /attendees/.test(e.message))).toBe(true);
});

test('a CRM edit the meeting refuses is refused once, not again each time the pair is read, until either side changes again', async () => {
  let clock = Date.parse('2026-11-20T10:00:00Z');
  w = await startWorld({ settings: EVENTS_ONLY, now: () => clock });
  await w.engine.syncNow();
  const meeting = await w.graphApi('POST', '/me/events', {
    subject: 'Pricing workshop',
    start: { dateTime: '2026-11-25T14:00:00', timeZone: 'UTC' },
    end: { dateTime: '2026-11-25T15:00:00', timeZone: 'UTC' },
    attendees: [{ emailAddress: { address: 'ann@contoso.test', name: 'Ann Lee' }, type: 'required' }],
  });
  await w.engine.syncNow();
  const [crm] = await crmEvents('Pricing workshop');
  const put = async (title: string) => {
    const e = (await w.crmApi('GET', `/api/rest/latest/calendarevents/${crm.id}`)).body;
    expect((await w.crmApi('PUT', `/api/rest/latest/calendarevents/${crm.id}`, { title, start: e.start, end: e.end, calendar: e.calendar })).status).toBe(200);
  };
  const refusals = () => w.engine.getStatus().itemErrors.filter((e) => e.id === meeting.body.id && /attendees/.test(e.message));
  const meetingReads = async () => (await w.stats('graph')).byRoute;

  await put('Pricing workshop (moved)');
  await w.engine.syncNow();
  expect(refusals()).toHaveLength(1);
  await w.resetStats();
  for (let i = 0; i < 2; i++) await w.engine.syncNow();
  expect(refusals()).toHaveLength(1);
  // Idle cycles: the delta and the masters' listing, no read of the meeting before a write.
  expect(await meetingReads()).toEqual({ 'GET /v1.0/me/calendarView/delta': 2, 'GET /v1.0/me/calendar/events': 2 });
  // The next day the window moves on and both sides list it again: the pair is read, and not refused again.
  clock += 86_400_000;
  await w.engine.syncNow();
  expect(refusals()).toHaveLength(1);

  // A new CRM edit is planned again (and refused again) ...
  await put('Pricing workshop (moved again)');
  await w.engine.syncNow();
  expect(refusals()).toHaveLength(2);
  // ... and an Outlook edit of the meeting still reaches the CRM.
  expect((await w.graphApi('PATCH', `/me/events/${meeting.body.id}`, { subject: 'Pricing workshop, room 4' })).status).toBe(200);
  const sentByUser = (await meetingMessages()).length; // the user's invitation and update
  await w.engine.syncNow();
  expect((await crmEvents('Pricing workshop, room 4')).map((e) => e.id)).toEqual([crm.id]);
  expect(await meetingMessages()).toHaveLength(sentByUser);
});
