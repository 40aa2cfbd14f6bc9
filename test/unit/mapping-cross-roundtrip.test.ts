// Issue 3: "mapped fields survive Outlook → canonical → CRM → canonical unchanged", through BOTH mappings.
// The generators produce wire JSON as each service answers it (Graph: "" for empty notes, `{}` addresses,
// zoned times, birthdays at 11:59Z, due dates at local midnight; Oro: attributes + included addresses,
// `+00:00` or other offsets), so the canonical record is what a side really reads. It then travels to the
// other service's wire form, is answered back as that service stores it, and must read the same.
import fc from 'fast-check';
import { fitRegions } from '../../src/crm/regions';
import { testPlaceRegion, testRegionCatalog, withRegionCodes } from '../support/regions';
import { contactFromOro, contactToOro, eventFromOro, eventToOro, taskFromOro, taskToOro } from '../../src/crm/mapping';
import type { LegacyEvent, OroResource } from '../../src/crm/entities-wire';
import { contactFromGraph, contactToGraph, eventFromGraph, eventToGraph, taskFromGraph, taskToGraph } from '../../src/outlook/mapping';
import { CRM_ID_PROPERTY, FAX_PROPERTY, GENDER_PROPERTY } from '../../src/outlook/properties';
import type { ContactRecord, EventRecord, TaskRecord } from '../../src/sync/records';
import { oroStoredContact } from '../support/oro-answers';

// ---------- how each service answers what it stored ----------

function oroTaskStored(record: TaskRecord): OroResource {
  const input = taskToOro(record);
  return { type: 'tasks', id: '5', attributes: { description: null, ...input.attributes, updatedAt: '2025-01-01T00:00:00Z' }, relationships: input.relationships };
}

/** The legacy API answers datetimes with an offset; `offset` minutes shows the same instant in another zone. */
function oroEventStored(record: EventRecord, offset: number): LegacyEvent {
  const body = eventToOro(record, undefined, []);
  return { id: 1, title: String(body.title), start: withOffset(String(body.start), offset), end: withOffset(String(body.end), offset), allDay: Boolean(body.allDay), description: (body.description as string | null | undefined) ?? null, reminders: (body.reminders as LegacyEvent['reminders'] | undefined) ?? [], updatedAt: '2025-01-01T00:00:00+00:00' };
}

function withOffset(utc: string, minutes: number): string {
  const local = new Date(Date.parse(utc) + minutes * 60_000).toISOString().slice(0, 19);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Graph's answer for a body we sent: the JSON, extended properties as $expand returns them, server fields. */
function graphStored(body: Record<string, unknown>): Record<string, unknown> {
  const json = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
  return { ...json, id: 'AAMk1', changeKey: 'CK1', '@odata.etag': 'W/"CK1"', singleValueExtendedProperties: json.singleValueExtendedProperties ?? [] };
}

// ---------- Graph wire generators ----------

const word = fc.string({ minLength: 1, maxLength: 16 }).filter((s) => s.trim() === s && s !== '');
const graphText = fc.oneof(fc.constant(null), fc.constant(''), word);
const realCountry = fc.constantFrom('Germany', 'United States', 'Japan', 'Norway', 'DE', 'US');
const graphAddress = fc.oneof(
  fc.constant({}),
  fc.record({ street: graphText, city: graphText, state: fc.oneof(graphText, fc.constantFrom('IL', 'CA', 'BY')), postalCode: graphText, countryOrRegion: fc.oneof(fc.constant(''), realCountry) }),
);
const day = fc.date({ min: new Date('1930-01-01T00:00:00Z'), max: new Date('2060-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const graphBirthday = fc.oneof(fc.constant(null), day, day.map((d) => `${d}T11:59:00Z`), day.map((d) => `${d}T00:00:00Z`));
// The property ids as Graph may spell them back (GUID and type case-insensitive, graph-api.md §6).
const anyCase = (id: string) => fc.constantFrom(id, id.replace(/^String|^Integer/, (t) => t.toLowerCase()).replace(/\{[^}]+\}/, (g) => g.toLowerCase()));

const graphContact = fc
  .record({
    title: graphText,
    givenName: graphText,
    middleName: graphText,
    surname: graphText,
    generation: graphText,
    personalNotes: fc.oneof(fc.constant(''), word),
    jobTitle: graphText,
    birthday: graphBirthday,
    // Outlook may hold the same address twice; Oro keeps each once.
    emails: fc.tuple(fc.uniqueArray(fc.emailAddress(), { maxLength: 3 }), fc.boolean()).map(([e, twice]) => (twice && e.length ? [...e, e[0]] : e)),
    businessPhones: fc.array(word, { maxLength: 2 }),
    businessAddress: graphAddress,
    homeAddress: graphAddress,
    otherAddress: graphAddress,
    gender: fc.constantFrom('0', '1', '2', null),
    fax: fc.oneof(fc.constant(null), fc.constant(''), word),
    genderId: anyCase(GENDER_PROPERTY),
    faxId: anyCase(FAX_PROPERTY),
  })
  .map(({ emails, gender, fax, genderId, faxId, ...fields }) => {
    const props = [{ id: CRM_ID_PROPERTY, value: '42' }];
    if (gender !== null) props.push({ id: genderId, value: gender });
    if (fax !== null) props.push({ id: faxId, value: fax });
    return {
      id: 'AAMk1',
      changeKey: 'CK1',
      ...fields,
      displayName: 'whatever Outlook shows',
      emailAddresses: emails.map((address) => ({ name: address, address })),
      singleValueExtendedProperties: props,
    };
  });

// To Do stores a due date as local midnight of the date in the sender's zone, answered in UTC (graph-api.md §3).
const zoneOffsets = fc.constantFrom(0, -5, -8, 1, 2, 5.5, 9, 12, -11);
const graphTask = fc
  .record({
    title: fc.string({ maxLength: 30 }),
    importance: fc.constantFrom('low', 'normal', 'high'),
    status: fc.constantFrom('notStarted', 'inProgress', 'completed', 'waitingOnOthers', 'deferred'),
    due: fc.option(fc.tuple(day, zoneOffsets), { nil: null }),
  })
  .map(({ due, ...t }) => ({
    id: 'AAMkT',
    '@odata.etag': 'W/"E1"',
    ...t,
    ...(due ? { dueDateTime: { dateTime: new Date(Date.parse(`${due[0]}T00:00:00Z`) - due[1] * 3600_000).toISOString().replace(/\.\d{3}Z$/, '.0000000'), timeZone: 'UTC' } } : {}),
    linkedResources: [{ id: 'L1', applicationName: 'OroCRM', externalId: '9', displayName: 'x' }],
  }));

const zones = ['UTC', 'Pacific Standard Time', 'W. Europe Standard Time', 'Tokyo Standard Time', 'America/Sao_Paulo', 'Asia/Kolkata'] as const;
const instantSec = fc.integer({ min: Date.parse('2000-01-01T00:00:00Z') / 1000, max: Date.parse('2060-01-01T00:00:00Z') / 1000 });
/** A wall time of `ms` in `zone`, as Graph writes it under Prefer: outlook.timezone. */
function wall(ms: number, zone: string): { dateTime: string; timeZone: string } {
  const iana = { 'Pacific Standard Time': 'America/Los_Angeles', 'W. Europe Standard Time': 'Europe/Berlin', 'Tokyo Standard Time': 'Asia/Tokyo' }[zone as string] ?? zone;
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: iana, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(ms));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '00';
  return { dateTime: `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}.0000000`, timeZone: zone };
}
const graphEvent = fc.oneof(
  fc.tuple(fc.string({ maxLength: 30 }), instantSec, fc.integer({ min: 0, max: 7 * 86400 }), fc.constantFrom(...zones)).map(([subject, s, len, zone]) => ({
    id: 'AAMkE',
    changeKey: 'CK1',
    subject,
    isAllDay: false,
    start: wall(s * 1000, zone),
    end: wall((s + len) * 1000, zone),
  })),
  fc.tuple(fc.string({ maxLength: 30 }), day, fc.integer({ min: 1, max: 20 }), fc.constantFrom(...zones)).map(([subject, d, days, zone]) => ({
    id: 'AAMkE',
    changeKey: 'CK1',
    subject,
    isAllDay: true,
    start: { dateTime: `${d}T00:00:00.0000000`, timeZone: zone },
    end: { dateTime: `${new Date(Date.parse(`${d}T00:00:00Z`) + days * 86400_000).toISOString().slice(0, 10)}T00:00:00.0000000`, timeZone: zone },
  })),
);

// ---------- Oro wire generators ----------

// Oro can hold "" where a client wrote one; Outlook cannot tell "" from no value.
const oroText = fc.oneof(fc.constant(null), fc.constant(''), word);
const oroAddress = fc.record({
  street: oroText,
  city: oroText,
  postalCode: oroText,
  // Oro requires an address's country (oro-api.md §1), so no stored address is empty.
  country: fc.constantFrom('US', 'DE', 'JP', 'NO'),
  region: fc.option(fc.constantFrom('CA', 'BY', '13'), { nil: null }),
  customRegion: oroText,
  type: fc.constantFrom<string[]>(['billing'], ['shipping'], []),
});
const oroContact = fc
  .record({
    namePrefix: oroText,
    firstName: oroText,
    middleName: oroText,
    lastName: oroText,
    nameSuffix: oroText,
    gender: fc.constantFrom('male', 'female', null),
    birthday: fc.option(day, { nil: null }),
    description: oroText,
    jobTitle: oroText,
    fax: oroText,
    emails: fc.uniqueArray(fc.emailAddress(), { maxLength: 3 }),
    phones: fc.uniqueArray(word, { maxLength: 3 }),
    addresses: fc.uniqueArray(oroAddress, { maxLength: 3, selector: (a) => a.type.join() || 'other' }),
  })
  .map(({ emails, phones, addresses, ...attrs }) => {
    const included: OroResource[] = addresses.map((a, i) => ({
      type: 'contactaddresses',
      id: String(100 + i),
      attributes: { primary: i === 0, street: a.street, street2: null, city: a.city, postalCode: a.postalCode, customRegion: a.country && a.region ? null : a.customRegion, label: null },
      relationships: {
        types: { data: a.type.map((t) => ({ type: 'addresstypes', id: t })) },
        country: { data: a.country ? { type: 'countries', id: a.country } : null },
        region: { data: a.country && a.region ? { type: 'regions', id: `${a.country}-${a.region}` } : null },
      },
    }));
    const resource: OroResource = {
      type: 'contacts',
      id: '7',
      attributes: {
        ...attrs,
        emails: emails.map((email) => ({ email })),
        primaryEmail: emails[0] ?? null,
        phones: phones.map((phone) => ({ phone })),
        primaryPhone: phones[0] ?? null,
        updatedAt: '2025-01-01T00:00:00Z',
      },
      relationships: { addresses: { data: included.map((r) => ({ type: r.type, id: r.id })) } },
    };
    return { resource, included };
  });

const oroTask = fc
  .record({
    subject: fc.string({ minLength: 1, maxLength: 30 }),
    dueDate: fc.option(fc.tuple(day, fc.constantFrom('00:00:00Z', '00:00:00+00:00')), { nil: null }),
    priority: fc.constantFrom('low', 'normal', 'high'),
    status: fc.constantFrom('open', 'in_progress', 'closed'),
  })
  .map(({ dueDate, priority, status, subject }): OroResource => ({
    type: 'tasks',
    id: '3',
    attributes: { subject, description: null, dueDate: dueDate ? `${dueDate[0]}T${dueDate[1]}` : null, updatedAt: '2025-01-01T00:00:00Z' },
    relationships: { taskPriority: { data: { type: 'taskpriorities', id: priority } }, status: { data: { type: 'taskstatuses', id: status } } },
  }));

const offsets = fc.constantFrom(0, 60, 120, -300, -480, 330, 540);
const oroEvent = fc.oneof(
  fc.tuple(fc.string({ minLength: 1, maxLength: 30 }), instantSec, fc.integer({ min: 0, max: 7 * 86400 }), offsets).map(
    ([title, s, len, off]): LegacyEvent => ({ id: 4, title, start: withOffset(new Date(s * 1000).toISOString(), off), end: withOffset(new Date((s + len) * 1000).toISOString(), off), allDay: false, description: null, reminders: [], updatedAt: '2025-01-01T00:00:00+00:00' }),
  ),
  // Oro's UI stores all-day events at the user's local midnight (sync-design.md), answered in UTC.
  fc.tuple(fc.string({ minLength: 1, maxLength: 30 }), day, fc.integer({ min: 1, max: 20 }), fc.constantFrom(0, 60, -300, 540)).map(([title, d, days, userOffset]): LegacyEvent => {
    const midnight = (date: string) => withOffset(new Date(Date.parse(`${date}T00:00:00Z`) - userOffset * 60_000).toISOString(), 0);
    const end = new Date(Date.parse(`${d}T00:00:00Z`) + days * 86400_000).toISOString().slice(0, 10);
    return { id: 4, title, start: midnight(d), end: midnight(end), allDay: true, description: null, reminders: [], updatedAt: '2025-01-01T00:00:00+00:00' };
  }),
);

// ---------- the properties ----------

const RUNS = { numRuns: 300 };

describe('Outlook → canonical → CRM → canonical', () => {
  test('contacts: every mapped field read from Graph survives the trip through Oro', () => {
    fc.assert(
      fc.property(graphContact, (json) => {
        const fitted = fitRegions({ op: 'create', key: 'k', record: contactFromGraph(json).record }, testRegionCatalog()).op;
        if (fitted.op !== 'create') throw new Error('unreachable');
        const fromOutlook = fitted.record;
        const { resource, included } = oroStoredContact(contactToOro(fromOutlook, testPlaceRegion));
        expect(contactFromOro(resource, included)).toEqual(withRegionCodes(fromOutlook));
      }),
      RUNS,
    );
  });

  test('tasks: subject, priority, the five To Do statuses and zoned due dates survive', () => {
    fc.assert(
      fc.property(graphTask, (json) => {
        const fromOutlook = taskFromGraph(json).record;
        expect(taskFromOro(oroTaskStored(fromOutlook))).toEqual(fromOutlook);
      }),
      RUNS,
    );
  });

  test('events: zoned timed events and all-day events survive, whatever offset Oro answers in', () => {
    fc.assert(
      fc.property(graphEvent, offsets, (json, offset) => {
        const fromOutlook = eventFromGraph(json).record;
        expect(eventFromOro(oroEventStored(fromOutlook, offset))).toEqual(fromOutlook);
      }),
      RUNS,
    );
  });
});

describe('CRM → canonical → Outlook → canonical', () => {
  test('contacts: every mapped field read from Oro survives the trip through Graph', () => {
    fc.assert(
      fc.property(oroContact, ({ resource, included }) => {
        const fromCrm = contactFromOro(resource, included);
        expect(contactFromGraph(graphStored(contactToGraph(fromCrm, undefined, '7'))).record).toEqual(fromCrm);
      }),
      RUNS,
    );
  });

  test('tasks survive the trip through To Do', () => {
    fc.assert(
      fc.property(oroTask, (resource) => {
        const fromCrm = taskFromOro(resource);
        expect(taskFromGraph(graphStored({ ...taskToGraph(fromCrm), '@odata.etag': 'W/"E"' })).record).toEqual(fromCrm);
      }),
      RUNS,
    );
  });

  test('events survive the trip through Graph', () => {
    fc.assert(
      fc.property(oroEvent, (legacy) => {
        const fromCrm = eventFromOro(legacy);
        expect(eventFromGraph(graphStored(eventToGraph(fromCrm, undefined, '4'))).record).toEqual(fromCrm);
      }),
      RUNS,
    );
  });
});

describe('cross-mapping edge cases, by example', () => {
  test('an Outlook contact with one address twice reads it once, as Oro will', () => {
    const json = { id: 'a', changeKey: 'c', givenName: 'Ann', emailAddresses: [{ address: 'ann@x.test' }, { address: 'ann@x.test' }, { address: 'a2@x.test' }] };
    expect(contactFromGraph(json).record.emails).toEqual(['ann@x.test', 'a2@x.test']);
  });

  test('Oro empty strings read as null, as Outlook reads its own empty values', () => {
    const resource: OroResource = {
      type: 'contacts',
      id: '1',
      attributes: { firstName: 'Ann', jobTitle: '', description: '', fax: '', primaryPhone: '', phones: [{ phone: '' }, { phone: '555' }], updatedAt: '2025-01-01T00:00:00Z' },
      relationships: {},
    };
    expect(contactFromOro(resource, [])).toMatchObject({ jobTitle: null, description: null, fax: null, phone: '555' });
  });
});
