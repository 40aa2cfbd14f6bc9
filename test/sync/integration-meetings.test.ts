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
