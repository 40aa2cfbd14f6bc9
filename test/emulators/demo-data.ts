// Demo data shared by both emulators' seeds. Some of alice's CRM records overlap her Outlook
// mailbox by Oro's matching keys, so a first sync must match them rather than duplicate them.
// Outlook items in the default contact folder / default To Do list are personal: never synced.
import { blankContact } from '../support/records';
import type { ContactRecord, EventRecord, TaskRecord } from '../../src/sync/records';

export const DEMO_USERS = [
  { username: 'admin', password: 'admin', isAdmin: true, firstName: 'Ada', lastName: 'Admin', email: 'admin@acme.test' },
  { username: 'alice', password: 'alice', isAdmin: false, firstName: 'Alice', lastName: 'Archer', email: 'alice@acme.test' },
  { username: 'bob', password: 'bob', isAdmin: false, firstName: 'Bob', lastName: 'Baker', email: 'bob@acme.test' },
] as const;

export const DEMO_ORGANIZATION = 'Acme';
/** The add-in's OAuth application: authorization code + PKCE, public (no secret). */
export const DEMO_OAUTH_CLIENT_ID = 'outlook-addin';
/**
 * The headless runner's OAuth application: the password grant, so confidential (Oro makes every
 * application but an authorization_code one confidential). A demo secret, for the emulator only.
 */
export const DEMO_PASSWORD_CLIENT = { id: 'outlook-sync-runner', secret: 'demo-runner-secret' } as const;
/** The same, as PasswordGrantTokens takes it. */
export const DEMO_RUNNER_APP = { clientId: DEMO_PASSWORD_CLIENT.id, clientSecret: DEMO_PASSWORD_CLIENT.secret };

/**
 * The sync server's identities (issue 12): in Oro, an integration user with a client-credentials OAuth
 * application; in the tenant, an app registration with consented application permissions.
 */
export const DEMO_INTEGRATION_USER = { username: 'orosync', password: 'orosync', firstName: 'OroCRM', lastName: 'Sync server', email: 'orosync@acme.test' } as const;
export const DEMO_SERVER_OAUTH_CLIENT = { clientId: 'outlook-sync-server', secret: 'orosync-secret' } as const;
export const DEMO_TENANT = { id: '5f1c0d8e-3a7b-4c21-9e4f-6b2d8a1c0e57', domain: 'acme.test' } as const;
export const DEMO_GRAPH_APP = {
  clientId: '0e3b7f52-9c1d-4a86-b2e4-7d5f1a9c3b60',
  secret: 'graph-app-secret',
  displayName: 'OroCRM Sync server',
  roles: ['Contacts.ReadWrite', 'Calendars.ReadWrite', 'Tasks.ReadWrite.All'],
} as const;

const contact = (c: Partial<ContactRecord>): ContactRecord => blankContact(c);

/** In both: alice's CRM contacts and the Outlook "OroCRM" contact folder. */
export const OVERLAPPING_CONTACTS: ContactRecord[] = [
  contact({
    firstName: 'Ann',
    lastName: 'Lee',
    gender: 'female',
    birthday: '1973-03-07',
    jobTitle: 'CTO',
    emails: ['ann.lee@contoso.test'],
    phone: '+1 555 0100',
    businessAddress: { street: '1 Main St', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' },
  }),
  contact({ firstName: 'Carlos', lastName: 'Diaz', gender: 'male', birthday: '1980-11-23', emails: ['carlos@fabrikam.test'] }),
];

/** Only in the CRM (alice's). */
export const CRM_ONLY_CONTACTS: ContactRecord[] = [
  contact({ firstName: 'Mei', lastName: 'Tanaka', jobTitle: 'Buyer', emails: ['mei@northwind.test'], phone: '+81 3 5555 0101' }),
  contact({ namePrefix: 'Dr.', firstName: 'Olu', lastName: 'Adebayo', description: 'Met at the Lagos fair', emails: ['olu@adatum.test'] }),
];

/** Only in Outlook's "OroCRM" contact folder. */
export const OUTLOOK_ONLY_CONTACTS: ContactRecord[] = [
  contact({ firstName: 'Priya', lastName: 'Nair', emails: ['priya@tailspin.test'], jobTitle: 'Engineer' }),
];

/** Outlook default Contacts folder: personal, never synced. */
export const PERSONAL_CONTACTS: ContactRecord[] = [
  contact({ firstName: 'Mum', emails: ['mum@home.test'] }),
  contact({ firstName: 'Sam', lastName: 'Plumber', phone: '+1 555 0199' }),
];

/** bob's CRM contacts (never visible to alice). */
export const BOB_CONTACTS: ContactRecord[] = [contact({ firstName: 'Zed', lastName: 'Zulu', emails: ['zed@bob.test'] })];

export const OVERLAPPING_TASKS: TaskRecord[] = [{ subject: 'Send Q4 proposal to Ann', priority: 'high', dueDate: '2026-12-04', status: 'open' }];
export const CRM_ONLY_TASKS: TaskRecord[] = [{ subject: 'Call Carlos about renewal', priority: 'normal', dueDate: '2026-12-10', status: 'in_progress' }];
/** In Outlook's "OroCRM" To Do list only. */
export const OUTLOOK_ONLY_TASKS: TaskRecord[] = [{ subject: 'Prepare demo for Mei', priority: 'low', dueDate: null, status: 'open' }];
/** Outlook's default To Do list ("Tasks"): personal, never synced. */
export const PERSONAL_TASKS: TaskRecord[] = [{ subject: 'Buy milk', priority: 'normal', dueDate: null, status: 'open' }];

export const OVERLAPPING_EVENTS: EventRecord[] = [
  { title: 'Quarterly review with Contoso', start: '2026-12-02T15:00:00Z', end: '2026-12-02T16:00:00Z', allDay: false },
  { title: 'Acme offsite', start: '2026-12-14', end: '2026-12-15', allDay: true },
];
export const CRM_ONLY_EVENTS: EventRecord[] = [
  { title: 'Lunch with Olu', start: '2026-12-03T12:00:00Z', end: '2026-12-03T13:00:00Z', allDay: false },
];
/** In Outlook's primary calendar only. */
export const OUTLOOK_ONLY_EVENTS: EventRecord[] = [
  { title: 'Dentist', start: '2026-12-05T09:30:00Z', end: '2026-12-05T10:00:00Z', allDay: false },
];

export { CRM_ID_PROPERTY, GENDER_PROPERTY, FAX_PROPERTY, CONTACT_FOLDER_NAME, TODO_LIST_NAME } from '../../src/outlook/properties';
