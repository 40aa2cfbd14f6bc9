// A new database gets the demo users and alice's demo mailbox (test/emulators/demo-data.ts), mapped
// from canonical records to Graph shapes the simple way the real Outlook would store them.
import type { ContactRecord, PostalAddress } from '../../../src/sync/records';
import {
  CONTACT_FOLDER_NAME,
  DEMO_USERS,
  FAX_PROPERTY,
  GENDER_PROPERTY,
  OUTLOOK_ONLY_CONTACTS,
  OVERLAPPING_CONTACTS,
  PERSONAL_CONTACTS,
} from '../demo-data';
import { createContactFolder, insertContact } from './contacts';
import type { GraphStore, GraphUser } from './store';
import { newGuid } from './util';

export type SeedHook = (store: GraphStore, user: GraphUser, now: Date) => void;

export function seedIfEmpty(store: GraphStore, now: Date, more: SeedHook[] = []): void {
  if (store.getMeta('seeded') === '1') return;
  store.transaction(() => {
    for (const u of DEMO_USERS) {
      const user: GraphUser = { id: newGuid(), username: u.username, upn: u.email, password: u.password, displayName: `${u.firstName} ${u.lastName}` };
      store.addUser(user);
      const root = createContactFolder(store, user.id, 'Contacts', null);
      if (u.username === 'alice') {
        for (const c of PERSONAL_CONTACTS) insertContact(store, now, user.id, root.id, contactToGraph(c));
        const crm = createContactFolder(store, user.id, CONTACT_FOLDER_NAME, root.id);
        for (const c of [...OVERLAPPING_CONTACTS, ...OUTLOOK_ONLY_CONTACTS]) insertContact(store, now, user.id, crm.id, contactToGraph(c));
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
  if (c.gender) props.push({ id: GENDER_PROPERTY, value: c.gender === 'female' ? '1' : '2' });
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
