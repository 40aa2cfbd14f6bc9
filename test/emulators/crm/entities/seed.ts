// The demo seed: alice's CRM records (some overlap her mailbox by Oro's matching keys, so a first
// sync must match them), and bob's contact. Written straight to the tables, without audit rows.
import type Database from 'better-sqlite3';
import type { ContactRecord, PostalAddress } from '../../../../src/sync/records';
import { BOB_CONTACTS, CRM_ONLY_CONTACTS, CRM_ONLY_EVENTS, CRM_ONLY_TASKS, OVERLAPPING_CONTACTS, OVERLAPPING_EVENTS, OVERLAPPING_TASKS } from '../../demo-data';
import { blankContactAttrs, contactsResource, type AddressEntity, type ContactEntity } from './contacts';
import { defaultCalendar, insertEvent } from './calendar';
import { userByName } from './schema';
import { tasksResource } from './tasks';

/** Seed records carry a fixed, past timestamp so tests can move the clock forward from it. */
export const SEED_TIME = '2025-01-01T09:00:00Z';

export function seedDemoEntities(db: Database.Database): void {
  const alice = userByName(db, 'alice');
  const bob = userByName(db, 'bob');
  if (!alice || !bob) return;
  db.transaction(() => {
    for (const c of [...OVERLAPPING_CONTACTS, ...CRM_ONLY_CONTACTS]) contactsResource.save(db, contactEntity(c, alice.id, alice.organizationId), true);
    for (const c of BOB_CONTACTS) contactsResource.save(db, contactEntity(c, bob.id, bob.organizationId), true);
    for (const t of [...OVERLAPPING_TASKS, ...CRM_ONLY_TASKS]) {
      tasksResource.save(
        db,
        { id: 0, ownerId: alice.id, organizationId: alice.organizationId, createdAt: SEED_TIME, updatedAt: SEED_TIME, attrs: { subject: t.subject, description: null, dueDate: t.dueDate ? `${t.dueDate}T00:00:00Z` : null }, priority: t.priority, status: t.status },
        true,
      );
    }
    defaultCalendar(db, bob.id);
    const calendar = defaultCalendar(db, alice.id);
    for (const [i, e] of [...OVERLAPPING_EVENTS, ...CRM_ONLY_EVENTS].entries()) {
      const start = e.allDay ? `${e.start}T00:00:00Z` : e.start;
      // Oro's UI stores an all-day event up to 23:59 of its last day (inclusive; all-day-view.js).
      const end = e.allDay ? `${new Date(Date.parse(`${e.end}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10)}T23:59:00Z` : e.end;
      insertEvent(db, calendar.id, `seed-event-${i + 1}`, { title: e.title, description: null, start, end, allDay: e.allDay, backgroundColor: null, attendees: [], reminders: [], recurrence: null, isCancelled: false, originalStart: null, recurringEventId: null }, SEED_TIME);
    }
  })();
}

function contactEntity(c: ContactRecord, ownerId: number, organizationId: number): ContactEntity {
  const attrs = blankContactAttrs();
  for (const k of ['namePrefix', 'firstName', 'middleName', 'lastName', 'nameSuffix', 'gender', 'birthday', 'description', 'jobTitle', 'fax'] as const) attrs[k] = c[k];
  attrs.emails = [...c.emails];
  attrs.primaryEmail = c.emails[0] ?? null;
  attrs.phones = c.phone ? [c.phone] : [];
  attrs.primaryPhone = c.phone;
  const addresses: AddressEntity[] = [];
  const add = (a: PostalAddress | null, types: string[]) => {
    if (!a) return;
    addresses.push({
      id: 0,
      createdAt: SEED_TIME,
      updatedAt: SEED_TIME,
      attrs: { primary: addresses.length === 0, label: null, street: a.street, street2: null, city: a.city, postalCode: a.postalCode, organization: null, namePrefix: null, firstName: null, middleName: null, lastName: null, nameSuffix: null, customRegion: null },
      types,
      country: a.country ?? 'US',
      region: a.region && a.country ? `${a.country}-${a.region}` : null,
    });
  };
  add(c.businessAddress, ['billing']);
  add(c.homeAddress, ['shipping']);
  add(c.otherAddress, []);
  return { id: 0, ownerId, organizationId, externalId: null, createdAt: SEED_TIME, updatedAt: SEED_TIME, attrs, addresses };
}
