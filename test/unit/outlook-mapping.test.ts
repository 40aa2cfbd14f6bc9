import { canonicalCountry } from '../../src/sync/countries';
import fc from 'fast-check';
import {
  contactFromGraph,
  contactToGraph,
  eventFromGraph,
  eventToGraph,
  readBirthday,
  samePropertyId,
  taskFromGraph,
  taskToGraph,
} from '../../src/outlook/mapping';
import { CRM_ID_PROPERTY, FAX_PROPERTY, GENDER_PROPERTY } from '../../src/outlook/properties';
import { toUtcMillis, UnsupportedTimeZoneError } from '../../src/outlook/timezones';
import { MalformedResponseError } from '../../src/sync/errors';
import type { ContactRecord, EventRecord, PostalAddress, TaskRecord } from '../../src/sync/records';
import { canonicalDescription, canonicalReminder } from '../support/descriptions';

// ---------- generators of realistic canonical values ----------

const text = fc.string({ minLength: 1, maxLength: 24 }).filter((s) => s !== '');
const optText = fc.option(text, { nil: null });
// Canonical countries are ISO2 codes, or free text that names no country (src/sync/countries.ts).
const optCountry = fc.option(fc.oneof(fc.constantFrom('DE', 'US', 'NO', 'JP', 'BR'), text.filter((t) => canonicalCountry(t) === t)), { nil: null });
const date = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const instant = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2090-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z'));
const address: fc.Arbitrary<PostalAddress | null> = fc.option(
  fc
    .record({ street: optText, city: optText, region: optText, postalCode: optText, country: optCountry })
    .filter((a) => Object.values(a).some((v) => v !== null)),
  { nil: null },
);

const contactRecord: fc.Arbitrary<ContactRecord> = fc.record({
  namePrefix: optText,
  firstName: optText,
  middleName: optText,
  lastName: optText,
  nameSuffix: optText,
  gender: fc.constantFrom('male' as const, 'female' as const, null),
  birthday: fc.option(date, { nil: null }),
  description: optText,
  jobTitle: optText,
  fax: optText,
  emails: fc.array(fc.emailAddress(), { maxLength: 4 }),
  phone: optText,
  businessAddress: address,
  homeAddress: address,
  otherAddress: address,
});

const taskRecord: fc.Arbitrary<TaskRecord> = fc.record({
  subject: fc.string({ maxLength: 40 }),
  priority: fc.constantFrom('low' as const, 'normal' as const, 'high' as const),
  dueDate: fc.option(date, { nil: null }),
  status: fc.constantFrom('open' as const, 'in_progress' as const, 'closed' as const),
  description: canonicalDescription,
});

const timedEvent: fc.Arbitrary<EventRecord> = fc
  .tuple(fc.string({ maxLength: 40 }), instant, fc.integer({ min: 0, max: 14 * 24 * 3600 }), canonicalDescription, canonicalReminder)
  .map(([title, start, seconds, description, reminder]) => ({
    title,
    start,
    end: new Date(Date.parse(start) + seconds * 1000).toISOString().replace('.000Z', 'Z'),
    allDay: false,
    description,
    reminder,
  }));
const allDayEvent: fc.Arbitrary<EventRecord> = fc.tuple(fc.string({ maxLength: 40 }), date, fc.integer({ min: 1, max: 30 }), canonicalDescription, canonicalReminder).map(([title, start, days, description, reminder]) => ({
  title,
  start,
  end: new Date(Date.parse(`${start}T00:00:00Z`) + days * 86400_000).toISOString().slice(0, 10),
  allDay: true,
  description,
  reminder,
}));

/** What Graph would answer for a body we sent: JSON on the wire, plus server-set id and version. */
function served(body: Record<string, unknown>, extra: Record<string, unknown> = {}): unknown {
  return { ...JSON.parse(JSON.stringify(body)), id: 'AAMk1', changeKey: 'CK1', '@odata.etag': 'W/"CK1"', ...extra };
}

describe('Outlook mapping round trips (canonical → Graph → canonical)', () => {
  it('keeps every mapped contact field, including gender and fax via extended properties', () => {
    fc.assert(
      fc.property(contactRecord, fc.option(fc.string({ minLength: 1, maxLength: 12 }), { nil: null }), (record, crmId) => {
        const item = contactFromGraph(served(contactToGraph(record, undefined, crmId)));
        expect(item.record).toEqual(record);
        expect(item.crmId).toBe(crmId);
        expect(item.version).toBe('CK1');
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every mapped task field and the linkedResource stamp', () => {
    fc.assert(
      fc.property(taskRecord, (record) => {
        const body = taskToGraph(record);
        const item = taskFromGraph(served(body, { linkedResources: [{ id: 'l1', applicationName: 'OroCRM', externalId: '17' }] }));
        expect(item.record).toEqual(record);
        expect(item.crmId).toBe('17');
        expect(item.version).toBe('W/"CK1"');
      }),
      { numRuns: 300 },
    );
  });

  it('keeps timed and all-day events', () => {
    fc.assert(
      fc.property(fc.oneof(timedEvent, allDayEvent), (record) => {
        expect(eventFromGraph(served(eventToGraph(record, undefined, 'c9'))).record).toEqual(record);
      }),
      { numRuns: 300 },
    );
  });
});

describe('Outlook contact mapping details', () => {
  const blank = contactFromGraph({ id: 'x', changeKey: 'k' }).record;

  it('reads empty addresses {} and empty notes "" as null, and writes a missing address as {}', () => {
    const item = contactFromGraph({ id: 'x', changeKey: 'k', homeAddress: {}, businessAddress: { street: '', city: '' }, personalNotes: '' });
    expect(item.record.homeAddress).toBeNull();
    expect(item.record.businessAddress).toBeNull();
    expect(item.record.description).toBeNull();
    expect(contactToGraph(blank).homeAddress).toEqual({});
  });

  it('maps billing/shipping/other to business/home/other addresses', () => {
    const body = contactToGraph({ ...blank, businessAddress: { street: '1 Main', city: 'Oslo', region: null, postalCode: '0150', country: 'NO' } });
    expect(body.businessAddress).toEqual({ street: '1 Main', city: 'Oslo', state: '', postalCode: '0150', countryOrRegion: 'Norway' });
  });

  it('always sends displayName, even when only one other field is written', () => {
    const body = contactToGraph({ ...blank, firstName: 'Ann', lastName: 'Lee', jobTitle: 'CTO' }, ['jobTitle']);
    expect(body).toEqual({ displayName: 'Ann Lee', jobTitle: 'CTO' });
  });

  it('uses the first business phone as "the first phone" and ignores mobile and home phones', () => {
    const item = contactFromGraph({ id: 'x', changeKey: 'k', businessPhones: ['+1 1', '+1 2'], mobilePhone: '+1 3', homePhones: ['+1 4'] });
    expect(item.record.phone).toBe('+1 1');
    expect(contactFromGraph({ id: 'x', changeKey: 'k', businessPhones: [], mobilePhone: '+1 3' }).record.phone).toBeNull();
  });

  it('lists all emails, primary first, skipping entries without an address', () => {
    const item = contactFromGraph({
      id: 'x',
      changeKey: 'k',
      emailAddresses: [{ name: 'A', address: 'a@x.test' }, { name: 'B', address: '' }, { name: 'C', address: 'c@x.test' }],
    });
    expect(item.record.emails).toEqual(['a@x.test', 'c@x.test']);
  });

  it('reads birthdays as date-only or full ISO, recovering the date of local midnights stored as UTC', () => {
    expect(readBirthday('1974-07-22')).toBe('1974-07-22');
    expect(readBirthday('1974-07-22T11:59:00Z')).toBe('1974-07-22');
    expect(readBirthday('2016-10-19T10:37:00.0000000Z')).toBe('2016-10-19');
    expect(readBirthday('1974-07-21T22:00:00Z')).toBe('1974-07-22'); // midnight in UTC+2
    expect(readBirthday('1974-07-22T05:00:00Z')).toBe('1974-07-22'); // midnight in UTC-5
    expect(readBirthday('1974-07-22T00:00:00+02:00')).toBe('1974-07-22');
    expect(() => readBirthday('July 22')).toThrow(MalformedResponseError);
    expect(contactToGraph({ ...blank, birthday: '1974-07-22' }).birthday).toBe('1974-07-22T11:59:00Z');
  });

  it('writes gender as PidTagGender (Short, PT_I2) 1 (female) / 2 (male) / 0, and reads any-case property ids', () => {
    const props = contactToGraph({ ...blank, gender: 'male' }, ['gender']).singleValueExtendedProperties;
    expect(props).toEqual([{ id: GENDER_PROPERTY, value: '2' }]);
    const item = contactFromGraph({
      id: 'x',
      changeKey: 'k',
      singleValueExtendedProperties: [
        { id: 'short 0x3a4d', value: '1' },
        { id: 'String {00020329-0000-0000-c000-000000000046} Name OroCRM_id', value: '42' },
        { id: FAX_PROPERTY.toLowerCase(), value: '+1 5' },
      ],
    });
    expect(item.record.gender).toBe('female');
    expect(item.record.fax).toBe('+1 5');
    expect(item.crmId).toBe('42');
  });

  it('compares the Name part of a property id case-sensitively', () => {
    expect(samePropertyId(CRM_ID_PROPERTY, CRM_ID_PROPERTY.replace('{00020329-0000-0000-C000-000000000046}', '{00020329-0000-0000-c000-000000000046}'))).toBe(true);
    expect(samePropertyId(CRM_ID_PROPERTY, CRM_ID_PROPERTY.replace('OroCRM_id', 'orocrm_id'))).toBe(false);
  });

  it('clears the stamp with an empty value, which reads back as no stamp; no expansion reads as unknown', () => {
    const body = contactToGraph(blank, [], null);
    expect(body.singleValueExtendedProperties).toEqual([{ id: CRM_ID_PROPERTY, value: '' }]);
    expect(contactFromGraph(served(body)).crmId).toBeNull();
    expect(contactFromGraph({ id: 'x', changeKey: 'k' }).crmId).toBeUndefined();
  });

  it('rejects a contact without an id or a version with a clear error', () => {
    expect(() => contactFromGraph({ givenName: 'A' })).toThrow(MalformedResponseError);
    expect(() => contactFromGraph({ id: 'x' })).toThrow(/changeKey/);
  });
});

describe('Outlook task mapping details', () => {
  it('maps the five To Do statuses onto Oro open / in progress / closed', () => {
    const status = (s: string) => taskFromGraph({ id: 't', '@odata.etag': 'e', title: 'x', status: s }).record.status;
    expect(status('notStarted')).toBe('open');
    expect(status('completed')).toBe('closed');
    expect(status('inProgress')).toBe('in_progress');
    expect(status('waitingOnOthers')).toBe('in_progress');
    expect(status('deferred')).toBe('in_progress');
    expect(taskToGraph({ subject: 's', priority: 'high', dueDate: null, status: 'open' })).toEqual({
      title: 's',
      importance: 'high',
      status: 'notStarted',
      dueDateTime: null,
    });
  });

  it('reads due dates stored as local midnight in UTC as that date, and writes midnight UTC', () => {
    const due = (dateTime: string, timeZone = 'UTC') => taskFromGraph({ id: 't', '@odata.etag': 'e', dueDateTime: { dateTime, timeZone } }).record.dueDate;
    expect(due('2020-04-01T04:00:00.0000000')).toBe('2020-04-01'); // Eastern midnight
    expect(due('2020-03-31T22:00:00.0000000')).toBe('2020-04-01'); // Berlin summer midnight
    expect(due('2020-04-01T00:00:00', 'Tokyo Standard Time')).toBe('2020-04-01');
    expect(taskToGraph({ subject: 's', priority: 'low', dueDate: '2020-04-01', status: 'open' }, ['dueDate'])).toEqual({
      dueDateTime: { dateTime: '2020-04-01T00:00:00.0000000', timeZone: 'UTC' },
    });
  });

  it('finds the stamp in the OroCRM linkedResource only', () => {
    const crmId = (links: unknown[]) => taskFromGraph({ id: 't', '@odata.etag': 'e', linkedResources: links }).crmId;
    expect(crmId([{ applicationName: 'Other', externalId: '1' }])).toBeNull();
    expect(crmId([{ applicationName: 'Other', externalId: '1' }, { applicationName: 'OroCRM', externalId: '2' }])).toBe('2');
    expect(taskFromGraph({ id: 't', '@odata.etag': 'e' }).crmId).toBeUndefined();
  });
});

describe('Outlook event time zones', () => {
  const ev = (start: { dateTime: string; timeZone: string }, end = start) => eventFromGraph({ id: 'e', changeKey: 'k', subject: 's', start, end });

  it('converts UTC and numeric offsets to UTC instants', () => {
    expect(ev({ dateTime: '2024-05-01T10:00:00.0000000', timeZone: 'UTC' }).record.start).toBe('2024-05-01T10:00:00Z');
    expect(ev({ dateTime: '2024-05-01T10:00:00', timeZone: '+02:00' }).record.start).toBe('2024-05-01T08:00:00Z');
    expect(ev({ dateTime: '2024-05-01T10:00:00', timeZone: 'UTC-05:30' }).record.start).toBe('2024-05-01T15:30:00Z');
  });

  it('converts named Windows and IANA zones with daylight saving', () => {
    expect(toUtcMillis({ dateTime: '2017-04-15T11:00:00.0000000', timeZone: 'Pacific Standard Time' })).toBe(Date.parse('2017-04-15T18:00:00Z'));
    expect(toUtcMillis({ dateTime: '2017-01-15T11:00:00', timeZone: 'Pacific Standard Time' })).toBe(Date.parse('2017-01-15T19:00:00Z'));
    expect(toUtcMillis({ dateTime: '2024-07-01T12:00:00', timeZone: 'Europe/Berlin' })).toBe(Date.parse('2024-07-01T10:00:00Z'));
    expect(toUtcMillis({ dateTime: '2024-07-01T12:00:00', timeZone: 'GMT Standard Time' })).toBe(Date.parse('2024-07-01T11:00:00Z'));
  });

  it('refuses an unknown zone name instead of guessing a time', () => {
    expect(() => toUtcMillis({ dateTime: '2024-05-01T10:00:00', timeZone: 'Mars Standard Time' })).toThrow(UnsupportedTimeZoneError);
    expect(() => ev({ dateTime: '2024-05-01T10:00:00', timeZone: 'Mars Standard Time' })).toThrow(/Mars Standard Time/);
  });

  it('reads all-day events as their wall dates and writes midnight UTC with isAllDay', () => {
    const item = eventFromGraph({
      id: 'e',
      changeKey: 'k',
      subject: 'Holiday',
      isAllDay: true,
      start: { dateTime: '2024-05-01T00:00:00.0000000', timeZone: 'Pacific Standard Time' },
      end: { dateTime: '2024-05-02T00:00:00.0000000', timeZone: 'Pacific Standard Time' },
    });
    expect(item.record).toEqual({ title: 'Holiday', start: '2024-05-01', end: '2024-05-02', allDay: true, description: null, reminder: null });
    expect(eventToGraph(item.record, ['allDay'])).toEqual({
      isAllDay: true,
      start: { dateTime: '2024-05-01T00:00:00.0000000', timeZone: 'UTC' },
      end: { dateTime: '2024-05-02T00:00:00.0000000', timeZone: 'UTC' },
    });
  });
});
