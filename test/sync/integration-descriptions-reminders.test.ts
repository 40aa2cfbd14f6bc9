// Event and task fields beyond Oro's old add-in (issue 10 §3): descriptions (HTML body ↔ Oro text, compared
// as text), event reminders (Oro's earliest ↔ Outlook's one) and Outlook's location, over both emulators.
import { startWorld, type World } from '../support/world';

jest.setTimeout(90_000);

let w: World;
afterEach(async () => {
  await w?.close();
});

const EVENTS_ONLY = { contacts_enabled: false, tasks_enabled: false } as const;
const TASKS_ONLY = { contacts_enabled: false, calendar_events_enabled: false } as const;
const clock = Date.parse('2026-11-20T10:00:00Z');
const event = (id: string) => w.crmApi('GET', `/api/rest/latest/calendarevents/${id}`);

const RICH_BODY =
  '<html><head><style>p{margin:0}</style></head><body><div><b>Agenda</b></div><div><span style="color:red">Budget &amp; hiring</span></div></body></html>';

test("an Outlook event's HTML body reaches the CRM as its text, and a CRM edit of another field leaves the HTML body, its location and markup untouched", async () => {
  w = await startWorld({ settings: EVENTS_ONLY, now: () => clock });
  await w.engine.syncNow();
  const made = await w.graphApi('POST', '/me/events', {
    subject: 'Planning',
    body: { contentType: 'html', content: RICH_BODY },
    location: { displayName: 'Room 4' },
    isReminderOn: true,
    reminderMinutesBeforeStart: 30,
    start: { dateTime: '2026-11-25T14:00:00', timeZone: 'UTC' },
    end: { dateTime: '2026-11-25T15:00:00', timeZone: 'UTC' },
  });
  expect(made.status).toBe(201);
  await w.engine.syncNow();
  const [crm] = (await w.list('crm', 'event')).filter((e) => e.record.title === 'Planning');
  const stored = (await event(crm.id)).body;
  expect(stored.description).toBe('Agenda<br>\nBudget &amp; hiring');
  expect(stored.reminders).toEqual([{ method: 'web_socket', interval: { number: 30, unit: 'M' } }]);

  // A CRM edit of the title: the Outlook body's text is unchanged, so the HTML is never rewritten.
  expect((await w.crmApi('PUT', `/api/rest/latest/calendarevents/${crm.id}`, { title: 'Planning (v2)', description: '<p>Agenda</p><p>Budget &amp; hiring</p>' })).status).toBe(200);
  await w.engine.syncNow();
  const outlook = (await w.graphApi('GET', `/me/events/${made.body.id}`)).body;
  expect(outlook.subject).toBe('Planning (v2)');
  expect(outlook.body).toEqual({ contentType: 'html', content: RICH_BODY });
  expect(outlook.location.displayName).toBe('Room 4');
  expect([outlook.isReminderOn, outlook.reminderMinutesBeforeStart]).toEqual([true, 30]);

  // A CRM edit of the text itself replaces the body (docs/sync.md "Descriptions": its markup goes).
  expect((await w.crmApi('PUT', `/api/rest/latest/calendarevents/${crm.id}`, { description: 'Agenda\nBudget only' })).status).toBe(200);
  await w.engine.syncNow();
  const edited = (await w.graphApi('GET', `/me/events/${made.body.id}`)).body;
  expect(edited.body).toEqual({ contentType: 'html', content: 'Agenda<br>\nBudget only' });
  expect(edited.location.displayName).toBe('Room 4');
});

test("an Outlook reminder change replaces only the CRM's earliest reminder and keeps its other reminders; a CRM reminder reaches Outlook", async () => {
  w = await startWorld({ settings: EVENTS_ONLY, now: () => clock });
  const created = await w.crmApi('POST', '/api/rest/latest/calendarevents', {
    title: 'Review',
    start: '2026-11-26T09:00:00Z',
    end: '2026-11-26T10:00:00Z',
    calendar: (await w.crmApi('GET', '/api/rest/latest/calendars/default')).body.calendar,
    reminders: [
      { method: 'email', interval: { number: 1, unit: 'D' } },
      { method: 'web_socket', interval: { number: 10, unit: 'M' } },
    ],
  });
  expect(created.status).toBe(201);
  await w.engine.syncNow();
  const [outlook] = (await w.list('outlook', 'event')).filter((e) => e.record.title === 'Review');
  const read = (await w.graphApi('GET', `/me/events/${outlook.id}`)).body;
  expect([read.isReminderOn, read.reminderMinutesBeforeStart]).toEqual([true, 1440]);

  expect((await w.graphApi('PATCH', `/me/events/${outlook.id}`, { reminderMinutesBeforeStart: 120 })).status).toBe(200);
  await w.engine.syncNow();
  expect((await event(String(created.body.id))).body.reminders).toEqual([
    { method: 'email', interval: { number: 2, unit: 'H' } },
    { method: 'web_socket', interval: { number: 10, unit: 'M' } },
  ]);

  // An Outlook edit of another field sends no reminders, so Oro keeps its list as it is.
  expect((await w.graphApi('PATCH', `/me/events/${outlook.id}`, { subject: 'Review (moved)' })).status).toBe(200);
  await w.engine.syncNow();
  const after = (await event(String(created.body.id))).body;
  expect(after.title).toBe('Review (moved)');
  expect(after.reminders).toHaveLength(2);
});

test('a task description travels both ways as text: To Do gets HTML on update, Oro gets lines joined by <br>', async () => {
  w = await startWorld({ settings: TASKS_ONLY, now: () => clock });
  await w.engine.syncNow();
  const [crmTask] = await w.list('crm', 'task');
  const [outlookTask] = (await w.list('outlook', 'task')).filter((t) => t.crmId === crmTask.id);
  expect(outlookTask).toBeDefined();

  const patched = await w.crmApi('PATCH', `/api/tasks/${crmTask.id}`, { data: { type: 'tasks', id: crmTask.id, attributes: { description: '<p>Bring the <b>contract</b></p><p>and the pen</p>' } } });
  expect(patched.status).toBe(200);
  await w.engine.syncNow();
  const listId = (await w.graphApi('GET', '/me/todo/lists')).body.value.find((l: { displayName: string }) => l.displayName === 'OroCRM').id;
  const todo = (await w.graphApi('GET', `/me/todo/lists/${listId}/tasks/${outlookTask.id}`)).body;
  expect(todo.body).toEqual({ contentType: 'text', content: 'Bring the contract\r\nand the pen' });

  expect((await w.graphApi('PATCH', `/me/todo/lists/${listId}/tasks/${outlookTask.id}`, { body: { contentType: 'html', content: 'Bring the contract<br>and two pens' } })).status).toBe(200);
  await w.engine.syncNow();
  const oro = (await w.crmApi('GET', `/api/tasks/${crmTask.id}`)).body.data.attributes;
  expect(oro.description).toBe('Bring the contract<br>\nand two pens');
});
