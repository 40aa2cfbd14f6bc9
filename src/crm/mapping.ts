// Canonical records ↔ Oro's wire shapes, per Oro's Outlook field mapping (sync-design.md "Field mapping").
//
// Contacts: names, gender, birthday, description, job title, fax; all emails (primary first); the
//   first phone only (Oro's primary); addresses billing ↔ businessAddress, shipping ↔ homeAddress,
//   any other ↔ otherAddress. An Oro address typed both billing and shipping fills both slots, so
//   Oro → canonical → Oro may split it in two; canonical → Oro → canonical is exact. Where a region
//   goes (Oro's region id or `customRegion`) is decided from Oro's region list (regions.ts); a region
//   reads back as its code.
// Tasks: subject, priority (low/normal/high), status (open/in_progress/closed), due date. Canonical
//   due dates are calendar dates; Oro stores a datetime, so we write midnight UTC and read the UTC date.
// Events (legacy REST): title, start, end, all-day. Timed events are UTC instants; Oro answers with
//   `+00:00` offsets, and any offset is converted to UTC. All-day events follow Oro's UI, which stores
//   them from 00:00 of the first day to 23:59 of the *last* day, inclusive (OroCalendarBundle
//   Resources/public/js/app/views/all-day-view.js sets the times to 0 and '11:59pm'); canonical and
//   Graph ends are exclusive midnights. So we write 00:00Z .. 23:59Z of the last day, and read the end
//   rounded up to the next midnight. Oro's UI uses the user's local midnight, so reading takes the UTC
//   date of instant + 12 h: right for any time zone within ±12 h of UTC. An older exclusive-midnight end
//   (as this add-in once wrote) reads the same.
import type { WriteOp } from '../sync/side';
import type { ContactRecord, EventRecord, PostalAddress, TaskPriority, TaskRecord, TaskStatus } from '../sync/records';
import { MalformedResponseError } from '../sync/errors';
import { descriptionText, textToHtml } from '../sync/rich-text';
import { regionText, type RegionPlacement } from './regions';
import { earliestReminder, withEarliestReminder, type OroReminder } from './reminders';
import { addressAttributesSchema, contactAttributesSchema, parseWire, taskAttributesSchema, type LegacyEvent, type OroResource } from './entities-wire';

type Attrs = Record<string, unknown>;

export interface OroAddressInput {
  attributes: Attrs;
  types: string[];
  country: string | null;
  region: string | null;
}

export interface OroContactInput {
  attributes: Attrs;
  /** Present when addresses are written (they replace the stored list). */
  addresses?: OroAddressInput[];
}

const NAME_FIELDS = ['namePrefix', 'firstName', 'middleName', 'lastName', 'nameSuffix', 'gender', 'birthday', 'description', 'jobTitle', 'fax'] as const;
const ADDRESS_FIELDS: ReadonlyArray<keyof ContactRecord> = ['businessAddress', 'homeAddress', 'otherAddress'];
const ADDRESS_SLOTS: Array<{ field: 'businessAddress' | 'homeAddress' | 'otherAddress'; types: string[] }> = [
  { field: 'businessAddress', types: ['billing'] },
  { field: 'homeAddress', types: ['shipping'] },
  { field: 'otherAddress', types: [] },
];

/**
 * The Oro attributes (and addresses) for a contact. `mode` create sends everything; update sends only
 * `fields` (all when absent). On update a phone is sent as `primaryPhone` alone so Oro keeps the
 * contact's other phones; clearing it clears the phones.
 */
export function contactToOro(record: ContactRecord, placeRegion: (a: PostalAddress) => RegionPlacement, mode: 'create' | 'update' = 'create', fields?: ReadonlyArray<keyof ContactRecord>): OroContactInput {
  const want = (f: keyof ContactRecord) => mode === 'create' || !fields || fields.includes(f);
  const attributes: Attrs = {};
  for (const f of NAME_FIELDS) if (want(f)) attributes[f] = record[f];
  if (want('emails')) {
    attributes.emails = record.emails.map((email) => ({ email }));
    attributes.primaryEmail = record.emails[0] ?? null;
  }
  if (want('phone')) {
    if (record.phone === null) {
      attributes.phones = [];
      attributes.primaryPhone = null;
    } else {
      if (mode === 'create') attributes.phones = [{ phone: record.phone }];
      attributes.primaryPhone = record.phone;
    }
  }
  const out: OroContactInput = { attributes };
  if (ADDRESS_FIELDS.some(want)) {
    out.addresses = ADDRESS_SLOTS.filter((s) => record[s.field] !== null).map((s, i) => addressToOro(record[s.field]!, s.types, i === 0, placeRegion));
  }
  return out;
}

function addressToOro(a: PostalAddress, types: string[], primary: boolean, placeRegion: (a: PostalAddress) => RegionPlacement): OroAddressInput {
  const { region, customRegion } = placeRegion(a);
  return { attributes: { primary, street: a.street, city: a.city, postalCode: a.postalCode, customRegion }, types, country: a.country, region };
}

const relId = (r: OroResource, name: string): string | null => {
  const data = r.relationships[name]?.data;
  return data && !Array.isArray(data) ? data.id : null;
};
const relIds = (r: OroResource, name: string): string[] => {
  const data = r.relationships[name]?.data;
  return Array.isArray(data) ? data.map((d) => d.id) : [];
};

/** A contact resource (with its `contactaddresses` from `included`) as a canonical record. */
export function contactFromOro(resource: OroResource, included: ReadonlyArray<OroResource>): ContactRecord {
  const a = parseWire(contactAttributesSchema, resource.attributes, `contact ${resource.id}`);
  const emails: string[] = [];
  for (const e of [a.primaryEmail, ...a.emails.map((x) => x.email)]) if (e && !emails.includes(e)) emails.push(e);
  const record: ContactRecord = {
    namePrefix: blankToNull(a.namePrefix),
    firstName: blankToNull(a.firstName),
    middleName: blankToNull(a.middleName),
    lastName: blankToNull(a.lastName),
    nameSuffix: blankToNull(a.nameSuffix),
    gender: a.gender,
    birthday: a.birthday,
    description: blankToNull(a.description),
    jobTitle: blankToNull(a.jobTitle),
    fax: blankToNull(a.fax),
    emails,
    phone: blankToNull(a.primaryPhone) ?? blankToNull(a.phones.find((p) => p.phone !== '')?.phone ?? null),
    businessAddress: null,
    homeAddress: null,
    otherAddress: null,
  };
  const addressIds = relIds(resource, 'addresses');
  for (const id of addressIds) {
    const address = included.find((r) => r.type === 'contactaddresses' && r.id === id);
    if (!address) throw new MalformedResponseError(`The CRM listed address ${id} of contact ${resource.id} without including it.`);
    const types = relIds(address, 'types');
    const postal = addressFromOro(address);
    let placed = false;
    if (types.includes('billing') && record.businessAddress === null) (record.businessAddress = postal), (placed = true);
    if (types.includes('shipping') && record.homeAddress === null) (record.homeAddress = postal), (placed = true);
    if (!placed && record.otherAddress === null) record.otherAddress = postal;
  }
  return record;
}

function addressFromOro(r: OroResource): PostalAddress {
  const a = parseWire(addressAttributesSchema, r.attributes, `address ${r.id}`);
  const country = relId(r, 'country');
  const regionId = relId(r, 'region');
  const region = regionId !== null ? regionText(regionId, country) : a.customRegion;
  const street = a.street2 ? `${a.street ?? ''}\n${a.street2}` : a.street;
  return { street: blankToNull(street), city: blankToNull(a.city), region: blankToNull(region), postalCode: blankToNull(a.postalCode), country };
}

/**
 * Canonical text has no empty strings: Outlook cannot keep "" apart from "no value" (it answers "" for
 * empty notes), so an Oro "" reads as null, the same as the Outlook side reads it.
 */
function blankToNull(v: string | null): string | null {
  return v === '' ? null : v;
}

export interface OroTaskInput {
  attributes: Attrs;
  relationships: Record<string, { data: { type: string; id: string } }>;
}

export function taskToOro(record: TaskRecord, fields?: ReadonlyArray<keyof TaskRecord>): OroTaskInput {
  const want = (f: keyof TaskRecord) => !fields || fields.includes(f);
  const attributes: Attrs = {};
  const relationships: OroTaskInput['relationships'] = {};
  if (want('subject')) attributes.subject = record.subject;
  if (want('dueDate')) attributes.dueDate = record.dueDate === null ? null : `${record.dueDate}T00:00:00Z`;
  if (want('priority')) relationships.taskPriority = { data: { type: 'taskpriorities', id: record.priority } };
  if (want('status')) relationships.status = { data: { type: 'taskstatuses', id: record.status } };
  if (want('description') && record.description !== undefined) attributes.description = descriptionToOro(record.description);
  return { attributes, relationships };
}

const PRIORITIES: readonly TaskPriority[] = ['low', 'normal', 'high'];
const STATUSES: readonly TaskStatus[] = ['open', 'in_progress', 'closed'];

export function taskFromOro(resource: OroResource): TaskRecord {
  const a = parseWire(taskAttributesSchema, resource.attributes, `task ${resource.id}`);
  const priority = relId(resource, 'taskPriority');
  const status = relId(resource, 'status') ?? 'open';
  if (!PRIORITIES.includes(priority as TaskPriority)) throw new MalformedResponseError(`Task ${resource.id} has an unknown priority "${String(priority)}".`);
  if (!STATUSES.includes(status as TaskStatus)) throw new MalformedResponseError(`Task ${resource.id} has an unknown status "${status}".`);
  return {
    subject: a.subject,
    priority: priority as TaskPriority,
    status: status as TaskStatus,
    dueDate: a.dueDate === null ? null : utcInstant(a.dueDate).slice(0, 10),
    description: descriptionText(a.description),
  };
}

/** Oro descriptions are written as HTML, as Oro's own editor writes them (rich-text.ts). */
function descriptionToOro(text: string | null): string | null {
  return text === null ? null : textToHtml(text);
}

/**
 * The legacy REST body of an event (oro-api.md §3); `uid` and `calendar` are added by the side.
 * `reminders`: the event's current Oro reminders, which a reminder write keeps but for the earliest
 * (reminders.ts); without it, the reminder is not sent (an update then keeps Oro's list as it is).
 */
export function eventToOro(record: EventRecord, fields?: ReadonlyArray<keyof EventRecord>, reminders?: ReadonlyArray<OroReminder>): Attrs {
  const want = (f: keyof EventRecord) => !fields || fields.includes(f);
  const body: Attrs = {};
  if (want('title')) body.title = record.title;
  if (want('description') && record.description !== undefined) body.description = descriptionToOro(record.description);
  if (want('reminder') && record.reminder !== undefined && reminders) body.reminders = withEarliestReminder(reminders, record.reminder);
  // start/end/allDay travel together: their meaning depends on each other.
  if (want('start') || want('end') || want('allDay')) {
    body.start = record.allDay ? `${record.start}T00:00:00Z` : record.start;
    body.end = record.allDay ? `${lastDayOf(record.start, record.end)}T23:59:00Z` : record.end;
    body.allDay = record.allDay;
  }
  return body;
}

export function eventFromOro(e: { title: string; start: string; end: string; allDay: boolean; description?: string | null; reminders?: OroReminder[]; [field: string]: unknown }): EventRecord {
  const start = utcInstant(e.start);
  const end = utcInstant(e.end);
  const details = { description: descriptionText(e.description), reminder: earliestReminder(e.reminders ?? []) };
  if (!e.allDay) return { title: e.title, start, end, allDay: false, ...details };
  const first = allDayDate(start);
  // 23:59 (or 23:59:59) of the last day and the next midnight both read as that midnight.
  const endDate = allDayDate(new Date(Date.parse(end) + 60_000).toISOString());
  return { title: e.title, start: first, end: endDate > first ? endDate : addDays(first, 1), allDay: true, ...details };
}

const DAY_MS = 86_400_000;

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The last day an all-day event covers, given its exclusive end (never before its first day). */
function lastDayOf(start: string, exclusiveEnd: string): string {
  const last = addDays(exclusiveEnd, -1);
  return last < start ? start : last;
}

/** Any RFC 3339 datetime as `YYYY-MM-DDTHH:MM:SSZ`. */
export function utcInstant(text: string): string {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new MalformedResponseError(`The CRM sent an unreadable datetime "${text}".`);
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function allDayDate(instant: string): string {
  return new Date(Date.parse(instant) + 12 * 3600_000).toISOString().slice(0, 10);
}

/** A short stable hash (FNV-1a) of a canonical record, so same-second writes still change the version. */
function recordHash(record: unknown): string {
  const text = JSON.stringify(record);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** Oro's updatedAt has second precision; the content hash tells apart two writes in one second. */
export function versionOf(updatedAt: string, record: unknown): string {
  return `${utcInstant(updatedAt)}#${recordHash(record)}`;
}

/** crm ContactBundle Resources/config/validation.yml: firstName and lastName `Length max: 100`. */
export const CONTACT_NAME_MAX = 100;
const LIMITED_NAMES = ['firstName', 'lastName'] as const;

/**
 * A contact write as Oro takes it: names longer than 100 characters shortened (`truncated`), and a
 * birthday in the future (`LessThanOrEqual: now UTC`) left out (`unsent`): a create sends none, an
 * update keeps Oro's. The caller reports both; the Outlook item keeps the user's values.
 */
export function fitContactToOro(op: WriteOp<ContactRecord>, today: string): { op: WriteOp<ContactRecord>; truncated: Array<keyof ContactRecord>; unsent: Array<keyof ContactRecord> } {
  if (op.op === 'delete') return { op, truncated: [], unsent: [] };
  const sends = (f: keyof ContactRecord) => op.op === 'create' || !op.fields || op.fields.includes(f);
  const record = { ...op.record };
  const truncated: Array<keyof ContactRecord> = [];
  for (const f of LIMITED_NAMES) {
    const v = record[f];
    // Symfony's Length counts characters (mb_strlen), not UTF-16 units.
    if (sends(f) && v !== null && [...v].length > CONTACT_NAME_MAX) {
      record[f] = [...v].slice(0, CONTACT_NAME_MAX).join('');
      truncated.push(f);
    }
  }
  const unsent: Array<keyof ContactRecord> = [];
  if (sends('birthday') && record.birthday !== null && record.birthday > today) unsent.push('birthday');
  if (!unsent.length) return { op: { ...op, record }, truncated, unsent };
  if (op.op === 'create') return { op: { ...op, record: { ...record, birthday: null } }, truncated, unsent };
  const fields = (op.fields ?? (Object.keys(record) as Array<keyof ContactRecord>)).filter((f) => f !== 'birthday');
  return { op: { ...op, record, fields }, truncated, unsent };
}
