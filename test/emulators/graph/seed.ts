// A new database gets the demo users and alice's demo mailbox (test/emulators/demo-data.ts), mapped
// from canonical records to Graph shapes the simple way the real Outlook would store them.
import type { ContactRecord, EventRecord, PostalAddress, TaskRecord } from '../../../src/sync/records';
import {
  CONTACT_FOLDER_NAME,
  DEMO_GRAPH_APP,
  DEMO_TENANT,
  DEMO_USERS,
  FAX_PROPERTY,
  OUTLOOK_ONLY_CONTACTS,
  OUTLOOK_ONLY_EVENTS,
  OUTLOOK_ONLY_TASKS,
  OVERLAPPING_CONTACTS,
  OVERLAPPING_EVENTS,
  OVERLAPPING_TASKS,
  PERSONAL_CONTACTS,
  PERSONAL_TASKS,
  TODO_LIST_NAME,
} from '../demo-data';
import { createContactFolder, insertContact } from './contacts';
import { createCalendar, insertEvent } from './events';
import { createTodoList, insertTask } from './tasks';
import type { GraphStore, GraphUser } from './store';
import { newGuid } from './util';

/** PidTagGender is PT_I2 (Short); the emulator's own knowledge, not the client's constant. */
const GENDER_TAG = 'Short 0x3A4D';

export type SeedHook = (store: GraphStore, user: GraphUser, now: Date) => void;

export function seedIfEmpty(store: GraphStore, now: Date, more: SeedHook[] = []): void {
  // The sync server's app registration; also added to databases seeded before it existed.
  if (!store.findApp(DEMO_GRAPH_APP.clientId)) {
    store.addApp({ ...DEMO_GRAPH_APP, roles: [...DEMO_GRAPH_APP.roles], tenant: DEMO_TENANT.id, tenantName: DEMO_TENANT.domain });
  }
  if (store.getMeta('seeded') === '1') return;
  store.transaction(() => {
    for (const u of DEMO_USERS) {
      const user: GraphUser = { id: newGuid(), username: u.username, upn: u.email, password: u.password, displayName: `${u.firstName} ${u.lastName}` };
      store.addUser(user);
      const root = createContactFolder(store, user.id, 'Contacts', null);
      const calendar = createCalendar(store, user);
      const tasks = createTodoList(store, user.id, 'Tasks', 'defaultList');
      if (u.username === 'alice') {
        for (const c of PERSONAL_CONTACTS) insertContact(store, now, user.id, root.id, contactToGraph(c));
        const crm = createContactFolder(store, user.id, CONTACT_FOLDER_NAME, root.id);
        for (const c of [...OVERLAPPING_CONTACTS, ...OUTLOOK_ONLY_CONTACTS]) insertContact(store, now, user.id, crm.id, contactToGraph(c));
        for (const e of [...OVERLAPPING_EVENTS, ...OUTLOOK_ONLY_EVENTS]) insertEvent(store, now, user, calendar.id, eventToGraph(e));
        for (const t of PERSONAL_TASKS) insertTask(store, now, user.id, tasks.id, taskToGraph(t));
        const crmList = createTodoList(store, user.id, TODO_LIST_NAME, 'none');
        for (const t of [...OVERLAPPING_TASKS, ...OUTLOOK_ONLY_TASKS]) insertTask(store, now, user.id, crmList.id, taskToGraph(t));
      }
      for (const hook of more) hook(store, user, now);
    }
    store.setMeta('seeded', '1');
  });
}

function address(a: PostalAddress | null): Record<string, string | null> {
  if (!a) return {};
  return { street: a.street, city: a.city, state: a.region, postalCode: a.postalCode, countryOrRegion: a.country };
}

export function contactToGraph(c: ContactRecord): Record<string, unknown> {
  const props: { id: string; value: string }[] = [];
  if (c.gender) props.push({ id: GENDER_TAG, value: c.gender === 'female' ? '1' : '2' });
  if (c.fax) props.push({ id: FAX_PROPERTY, value: c.fax });
  return {
    title: c.namePrefix,
    givenName: c.firstName,
    middleName: c.middleName,
    surname: c.lastName,
    generation: c.nameSuffix,
    birthday: c.birthday ? `${c.birthday}T11:59:00Z` : null,
    personalNotes: c.description ?? '',
    jobTitle: c.jobTitle,
    emailAddresses: c.emails.map((address) => ({ name: address, address })),
    businessPhones: c.phone ? [c.phone] : [],
    businessAddress: address(c.businessAddress),
    homeAddress: address(c.homeAddress),
    otherAddress: address(c.otherAddress),
    ...(props.length ? { singleValueExtendedProperties: props } : {}),
  };
}

/** All-day events: midnight dateTimes in "UTC" with isAllDay; timed ones: UTC instants. */
export function eventToGraph(e: EventRecord): Record<string, unknown> {
  const at = (v: string) => ({ dateTime: e.allDay ? `${v}T00:00:00.0000000` : v.replace(/Z$/, ''), timeZone: 'UTC' });
  return { subject: e.title, isAllDay: e.allDay, start: at(e.start), end: at(e.end) };
}

const TASK_STATUS = { open: 'notStarted', in_progress: 'inProgress', closed: 'completed' } as const;

export function taskToGraph(t: TaskRecord): Record<string, unknown> {
  return {
    title: t.subject,
    importance: t.priority,
    status: TASK_STATUS[t.status],
    ...(t.dueDate ? { dueDateTime: { dateTime: `${t.dueDate}T00:00:00.0000000`, timeZone: 'UTC' } } : {}),
  };
}
