// alice's records on both sides as the server tests check them: the Outlook "OroCRM" folder and list and
// her calendar, her CRM contacts, tasks and events; and whether both sides hold the same names once each.
import { CRM_ONLY_CONTACTS, OUTLOOK_ONLY_CONTACTS, OVERLAPPING_CONTACTS } from '../emulators/demo-data';
import type { ServerWorld } from './server-world';

export const EXPECTED_CONTACTS = [...OVERLAPPING_CONTACTS, ...OUTLOOK_ONLY_CONTACTS, ...CRM_ONLY_CONTACTS].map((c) => c.lastName).sort();

export async function aliceSnapshot(w: ServerWorld) {
  const mailbox = await w.mailbox('alice');
  const folder = mailbox.contactFolder.find((f) => f.displayName === 'OroCRM')!;
  const list = mailbox.todoList.find((l) => l.displayName === 'OroCRM')!;
  const me = await w.crmApi('alice', 'GET', '/api/rest/latest/calendars/default');
  const crmContacts = (await w.crmApi('alice', 'GET', `/api/contacts?filter[owner]=${me.body.owner}&page[size]=-1`)).body.data as Array<{ id: string; attributes: Record<string, any> }>;
  const crmTasks = (await w.crmApi('alice', 'GET', `/api/tasks?filter[owner]=${me.body.owner}&page[size]=-1`)).body.data as Array<{ attributes: Record<string, any> }>;
  const crmEvents = (await w.crmApi('alice', 'GET', `/api/rest/latest/calendarevents?calendar=${me.body.calendar}&page=1&limit=1000`)).body as Array<Record<string, any>>;
  return {
    outlookContacts: mailbox.contact.filter((c) => c.parent === folder?.id),
    outlookTasks: mailbox.task.filter((t) => t.parent === list?.id),
    outlookEvents: mailbox.event,
    crmContacts,
    crmTasks,
    crmEvents,
  };
}

export type AliceSnapshot = Awaited<ReturnType<typeof aliceSnapshot>>;

/** Same names on both sides, each exactly once. */
export function inStep(s: AliceSnapshot): boolean {
  const sorted = (xs: unknown[]) => JSON.stringify([...xs].map(String).sort());
  return (
    sorted(s.outlookContacts.map((c) => c.surname)) === sorted(EXPECTED_CONTACTS) &&
    sorted(s.crmContacts.map((c) => c.attributes.lastName)) === sorted(EXPECTED_CONTACTS) &&
    sorted(s.outlookTasks.map((t) => t.title)) === sorted(s.crmTasks.map((t) => t.attributes.subject)) &&
    new Set(s.crmTasks.map((t) => t.attributes.subject)).size === s.crmTasks.length &&
    sorted(s.outlookEvents.map((e) => e.subject)) === sorted(s.crmEvents.map((e) => e.title)) &&
    new Set(s.crmEvents.map((e) => e.title)).size === s.crmEvents.length
  );
}
