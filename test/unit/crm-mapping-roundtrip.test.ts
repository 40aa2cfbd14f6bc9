import fc from 'fast-check';
import { contactFromOro, contactToOro, eventFromOro, eventToOro, taskFromOro, taskToOro, versionOf } from '../../src/crm/mapping';
import type { OroResource } from '../../src/crm/entities-wire';
import type { OroReminder } from '../../src/crm/reminders';
import { MalformedResponseError } from '../../src/sync/errors';
import type { ContactRecord, EventRecord, PostalAddress, TaskRecord } from '../../src/sync/records';
import { canonicalDescription, canonicalReminder } from '../support/descriptions';
import { blankContact } from '../support/records';
import { oroStoredContact } from '../support/oro-answers';
import { testPlaceRegion, testRegionCatalog, withRegionCodes } from '../support/regions';
import { fitRegions } from '../../src/crm/regions';

// Canonical text has no "" (it reads as null on both sides), so the generator makes none.
const text = fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: null });
const date = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const instant = fc.integer({ min: Date.parse('2000-01-01T00:00:00Z') / 1000, max: Date.parse('2090-01-01T00:00:00Z') / 1000 }).map((s) => new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'));
const country = fc.option(fc.oneof(fc.constantFrom('US', 'DE', 'JP', 'NG'), fc.string({ minLength: 1, maxLength: 12 })), { nil: null });
const region = fc.option(fc.oneof(fc.constantFrom('IL', 'CA', 'BY', '13', 'ny', 'New York', 'US-CA'), fc.string({ minLength: 1, maxLength: 12 })), { nil: null });
const address: fc.Arbitrary<PostalAddress | null> = fc.option(fc.record({ street: text, city: text, region, postalCode: text, country }), { nil: null });

const contact: fc.Arbitrary<ContactRecord> = fc.record({
  namePrefix: text,
  firstName: text,
  middleName: text,
  lastName: text,
  nameSuffix: text,
  gender: fc.constantFrom('male' as const, 'female' as const, null),
  birthday: fc.option(date, { nil: null }),
  description: text,
  jobTitle: text,
  fax: text,
  emails: fc.uniqueArray(fc.emailAddress(), { maxLength: 4 }),
  phone: fc.option(fc.string({ minLength: 1, maxLength: 15 }), { nil: null }),
  businessAddress: address,
  homeAddress: address,
  otherAddress: address,
});

const task: fc.Arbitrary<TaskRecord> = fc.record({
  subject: fc.string({ minLength: 1, maxLength: 40 }),
  priority: fc.constantFrom('low' as const, 'normal' as const, 'high' as const),
  dueDate: fc.option(date, { nil: null }),
  status: fc.constantFrom('open' as const, 'in_progress' as const, 'closed' as const),
  description: canonicalDescription,
});

const event: fc.Arbitrary<EventRecord> = fc.oneof(
  fc.record({ title: fc.string({ minLength: 1 }), start: instant, end: instant, allDay: fc.constant(false), description: canonicalDescription, reminder: canonicalReminder }),
  fc.tuple(fc.string({ minLength: 1 }), date, fc.integer({ min: 1, max: 30 }), canonicalDescription, canonicalReminder).map(([title, start, days, description, reminder]) => ({
    title,
    start,
    end: new Date(Date.parse(`${start}T00:00:00Z`) + days * 86400_000).toISOString().slice(0, 10),
    allDay: true,
    description,
    reminder,
  })),
);

describe('CRM mapping round trips (canonical → Oro → canonical)', () => {
  test('every mapped contact field survives, addresses by type (billing ↔ business, shipping ↔ home, other ↔ other)', () => {
    fc.assert(
      fc.property(contact, (record) => {
        // A state the country's regions have no match for is not sent (regions.ts); all else survives.
        const fitted = fitRegions({ op: 'create', key: 'k', record }, testRegionCatalog()).op;
        if (fitted.op !== 'create') throw new Error('unreachable');
        const { resource, included } = oroStoredContact(contactToOro(fitted.record, testPlaceRegion));
        expect(contactFromOro(resource, included)).toEqual(withRegionCodes(fitted.record));
      }),
    );
  });

  test('tasks keep subject, priority, status, due date and description', () => {
    fc.assert(
      fc.property(task, (record) => {
        const input = taskToOro(record);
        const resource: OroResource = {
          type: 'tasks',
          id: '5',
          attributes: { description: null, ...input.attributes, updatedAt: '2025-01-01T00:00:00Z' },
          relationships: input.relationships,
        };
        expect(taskFromOro(resource)).toEqual(record);
      }),
    );
  });

  test('events keep title, start, end, all-day, description and reminder through the legacy +00:00 format', () => {
    fc.assert(
      fc.property(event, (record) => {
        const body = eventToOro(record, undefined, []);
        const legacy = (s: unknown) => String(s).replace(/Z$/, '+00:00');
        const reminders = body.reminders as OroReminder[];
        const back = eventFromOro({ id: 1, title: String(body.title), start: legacy(body.start), end: legacy(body.end), allDay: Boolean(body.allDay), description: body.description as string | null, reminders, updatedAt: '2025-01-01T00:00:00+00:00' });
        expect(back).toEqual(record);
      }),
    );
  });
});

describe('CRM mapping details', () => {
  test('an all-day event stored at local midnight (Berlin: 23:00Z the day before) reads as the right date', () => {
    const back = eventFromOro({ id: 1, title: 'Offsite', start: '2026-12-13T23:00:00+00:00', end: '2026-12-14T23:00:00+00:00', allDay: true, updatedAt: '2025-01-01T00:00:00+00:00' });
    expect(back).toEqual({ title: 'Offsite', start: '2026-12-14', end: '2026-12-15', allDay: true, description: null, reminder: null });
  });

  test('an all-day event goes to Oro with its inclusive end, 23:59 of the last day (Oro\'s UI convention)', () => {
    expect(eventToOro({ title: 'Offsite', start: '2026-12-14', end: '2026-12-15', allDay: true })).toMatchObject({ start: '2026-12-14T00:00:00Z', end: '2026-12-14T23:59:00Z', allDay: true });
    expect(eventToOro({ title: 'Trip', start: '2026-12-14', end: '2026-12-17', allDay: true })).toMatchObject({ end: '2026-12-16T23:59:00Z' });
  });

  test.each([
    ['UTC, 23:59', '2026-12-14T00:00:00+00:00', '2026-12-14T23:59:00+00:00'],
    ['UTC, 23:59:59', '2026-12-14T00:00:00+00:00', '2026-12-14T23:59:59+00:00'],
    ['Berlin, 23:59 local', '2026-12-13T23:00:00+00:00', '2026-12-14T22:59:00+00:00'],
    ['New York, 23:59 local', '2026-12-14T05:00:00+00:00', '2026-12-15T04:59:00+00:00'],
    ['an exclusive midnight end written earlier', '2026-12-14T00:00:00+00:00', '2026-12-15T00:00:00+00:00'],
  ])('a one-day all-day event stored by Oro (%s) reads as one day', (_, start, end) => {
    expect(eventFromOro({ id: 1, title: 'Offsite', start, end, allDay: true, updatedAt: '2025-01-01T00:00:00+00:00' })).toEqual({ title: 'Offsite', start: '2026-12-14', end: '2026-12-15', allDay: true, description: null, reminder: null });
  });

  test('timed events with another offset become UTC instants', () => {
    const back = eventFromOro({ id: 1, title: 'Call', start: '2026-12-02T16:00:00+01:00', end: '2026-12-02T17:30:00+01:00', allDay: false, updatedAt: '2025-01-01T00:00:00+00:00' });
    expect(back).toMatchObject({ start: '2026-12-02T15:00:00Z', end: '2026-12-02T16:30:00Z' });
  });

  test('emails read primary first; the phone is the primary phone', () => {
    const r = contactFromOro(
      { type: 'contacts', id: '1', attributes: { firstName: 'Ann', primaryEmail: 'a2@x.test', emails: [{ email: 'a1@x.test' }, { email: 'a2@x.test' }], primaryPhone: '5550002', phones: [{ phone: '5550001' }, { phone: '5550002' }], updatedAt: '2024-01-03T10:00:00Z' }, relationships: {} },
      [],
    );
    expect(r.emails).toEqual(['a2@x.test', 'a1@x.test']);
    expect(r.phone).toBe('5550002');
  });

  test('a sparse contact update sends only the changed fields, and a phone as primaryPhone alone', () => {
    const record = blankContact({ phone: '+1 555', firstName: 'Ann' });
    expect(contactToOro(record, testPlaceRegion, 'update', ['phone'])).toEqual({ attributes: { primaryPhone: '+1 555' } });
    expect(contactToOro(record, testPlaceRegion, 'update', ['firstName']).addresses).toBeUndefined();
  });

  test('an unknown task priority is a malformed response, not a guess', () => {
    const resource: OroResource = { type: 'tasks', id: '1', attributes: { subject: 'x', updatedAt: '2025-01-01T00:00:00Z' }, relationships: { taskPriority: { data: { type: 'taskpriorities', id: 'urgent' } } } };
    expect(() => taskFromOro(resource)).toThrow(MalformedResponseError);
  });

  test('versions differ for two writes within one second', () => {
    expect(versionOf('2025-01-01T00:00:00Z', { a: 1 })).not.toBe(versionOf('2025-01-01T00:00:00Z', { a: 2 }));
  });
});
