// Canonical records ↔ Microsoft Graph JSON, both directions (sync-design.md "Field mapping", graph-api.md §1–§3, §6).
//
// Decisions (documented here once):
// - Empty strings from Graph ("" personalNotes, "" address parts) read as null; an address whose parts are
//   all empty, or `{}`, is no address. We write a missing address as `{}`.
// - "The first phone" (Oro syncs one) is Outlook's first *business* phone, `businessPhones[0]`. Mobile and
//   home phones stay Outlook-only. Writing the phone replaces `businessPhones` with `[phone]` (or `[]`).
// - Date-only values (birthday, task due date) read as the calendar date of the *nearest midnight* of the
//   value. Outlook stores birthdays at 11:59 UTC, written as `YYYY-MM-DDT11:59:00Z`. To Do stores a due
//   date as the user's local midnight: read in UTC, a date east of UTC+12 comes back a day early, so due
//   dates are read and written in the user's zone (`timeZone`, sent as `Prefer: outlook.timezone`).
// - Events: timed events are UTC instants; all-day events are the wall dates of start/end (end exclusive,
//   as Graph's). We always write start/end/isAllDay together in zone "UTC".
// - displayName is always sent on contact writes: Graph may regenerate it when names change (§1).
// - Clearing the CRM stamp writes the property value "" (a PATCH cannot delete a single-value property);
//   an empty stamp reads as "no stamp".
import { canonicalCountry, countryDisplayName } from '../sync/countries';
import { z } from 'zod';
import { MalformedResponseError } from '../sync/errors';
import type { ContactRecord, EventRecord, PostalAddress, TaskPriority, TaskRecord, TaskStatus } from '../sync/records';
import type { SideItem } from '../sync/side';
import { descriptionText, textToHtml } from '../sync/rich-text';
import { CRM_ID_PROPERTY, FAX_PROPERTY, GENDER_PROPERTY, LINKED_RESOURCE_APPLICATION } from './properties';
import {
  assertDate,
  dateInZone,
  dateOnlyDateTimeTimeZone,
  formatUtcInstant,
  toUtcMillis,
  utcDateTimeTimeZone,
  wallDate,
  wallTimeIn,
  type DateTimeTimeZone,
} from './timezones';

// ---------- wire schemas (lenient: Graph adds fields freely; we read only what we map) ----------

const nullableString = z.string().nullish();
const dateTimeTimeZoneSchema = z.object({ dateTime: z.string(), timeZone: z.string() });
const extendedPropertySchema = z.object({ id: z.string(), value: z.string().nullish() });
const itemBodySchema = z.looseObject({ contentType: nullableString, content: nullableString }).nullish();
const physicalAddressSchema = z
  .looseObject({ street: nullableString, city: nullableString, state: nullableString, postalCode: nullableString, countryOrRegion: nullableString })
  .nullish();

export const graphContactSchema = z.looseObject({
  id: z.string().min(1),
  changeKey: nullableString,
  '@odata.etag': nullableString,
  givenName: nullableString,
  middleName: nullableString,
  surname: nullableString,
  title: nullableString,
  generation: nullableString,
  displayName: nullableString,
  personalNotes: nullableString,
  jobTitle: nullableString,
  birthday: nullableString,
  emailAddresses: z.array(z.looseObject({ address: nullableString, name: nullableString })).nullish(),
  businessPhones: z.array(z.string().nullable()).nullish(),
  businessAddress: physicalAddressSchema,
  homeAddress: physicalAddressSchema,
  otherAddress: physicalAddressSchema,
  singleValueExtendedProperties: z.array(extendedPropertySchema).nullish(),
});

export const graphTaskSchema = z.looseObject({
  id: z.string().min(1),
  '@odata.etag': nullableString,
  title: nullableString,
  importance: z.enum(['low', 'normal', 'high']).nullish(),
  status: z.enum(['notStarted', 'inProgress', 'completed', 'waitingOnOthers', 'deferred']).nullish(),
  dueDateTime: dateTimeTimeZoneSchema.nullish(),
  body: itemBodySchema,
  linkedResources: z
    .array(z.looseObject({ id: nullableString, applicationName: nullableString, externalId: nullableString, displayName: nullableString, webUrl: nullableString }))
    .nullish(),
});

export const graphEventSchema = z.looseObject({
  id: z.string().min(1),
  changeKey: nullableString,
  '@odata.etag': nullableString,
  subject: nullableString,
  start: dateTimeTimeZoneSchema,
  end: dateTimeTimeZoneSchema,
  isAllDay: z.boolean().nullish(),
  body: itemBodySchema,
  isReminderOn: z.boolean().nullish(),
  reminderMinutesBeforeStart: z.number().int().nullish(),
  transactionId: nullableString,
  type: nullableString,
  singleValueExtendedProperties: z.array(extendedPropertySchema).nullish(),
});

export type GraphContact = z.infer<typeof graphContactSchema>;
export type GraphTask = z.infer<typeof graphTaskSchema>;
export type GraphEvent = z.infer<typeof graphEventSchema>;
export interface GraphExtendedProperty {
  id: string;
  value: string;
}
export interface GraphLinkedResource {
  applicationName: string;
  externalId: string;
  displayName: string;
  webUrl?: string;
}

function parse<T>(schema: z.ZodType<T>, json: unknown, what: string): T {
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new MalformedResponseError(`Graph sent a ${what} we cannot read: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

// ---------- extended properties ----------

/**
 * Graph property ids compare with the GUID, type and proptag case-insensitive but the Name case-sensitive
 * (graph-api.md §6).
 */
export function samePropertyId(a: string, b: string): boolean {
  return normalizePropertyId(a) === normalizePropertyId(b);
}

function normalizePropertyId(id: string): string {
  const tokens = id.trim().split(/\s+/);
  const nameAt = tokens.findIndex((t) => t.toLowerCase() === 'name');
  return tokens.map((t, i) => (nameAt >= 0 && i > nameAt ? t : t.toLowerCase())).join(' ');
}

function propertyValue(props: ReadonlyArray<{ id: string; value?: string | null }> | null | undefined, id: string): string | null {
  const found = props?.find((p) => samePropertyId(p.id, id));
  return found?.value ?? null;
}

/** The `$expand` that reads our stamp, gender and fax in one GET (contacts; events need only the stamp). */
export function expandExtendedProperties(ids: ReadonlyArray<string>): string {
  return `singleValueExtendedProperties($filter=${ids.map((id) => `id eq '${id}'`).join(' or ')})`;
}
export const CONTACT_EXPAND = expandExtendedProperties([CRM_ID_PROPERTY, GENDER_PROPERTY, FAX_PROPERTY]);
export const EVENT_EXPAND = expandExtendedProperties([CRM_ID_PROPERTY]);

/** `$filter` finding items stamped with a CRM id (graph-api.md §6). */
export function crmIdFilter(crmId: string): string {
  return `singleValueExtendedProperties/Any(ep: ep/id eq '${CRM_ID_PROPERTY}' and ep/value eq '${crmId.replace(/'/g, "''")}')`;
}

/** undefined: the read did not expand properties (delta); null: expanded, no (or an empty) stamp. */
function stampFrom(props: GraphContact['singleValueExtendedProperties']): string | null | undefined {
  if (props === undefined) return undefined;
  const v = propertyValue(props, CRM_ID_PROPERTY);
  return v ? v : null;
}

function stampProperty(crmId: string | null): GraphExtendedProperty {
  return { id: CRM_ID_PROPERTY, value: crmId ?? '' };
}

// ---------- small helpers ----------

const str = (v: string | null | undefined): string | null => (v === undefined || v === null || v === '' ? null : v);
const out = (v: string | null): string | null => v;

function versionOf(json: { changeKey?: string | null; '@odata.etag'?: string | null }, what: string): string {
  const v = json.changeKey || json['@odata.etag'];
  if (!v) throw new MalformedResponseError(`Graph sent a ${what} without changeKey or @odata.etag.`);
  return v;
}

/** The calendar date of the nearest midnight of a wall time in ms (see header). */
function nearestMidnightDate(wallMs: number): string {
  return new Date(wallMs + 12 * 3600_000).toISOString().slice(0, 10);
}

/** Graph DateTimeOffset birthday: date-only or full ISO (graph-api.md §1). */
export function readBirthday(value: string | null | undefined): string | null {
  if (!value) return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    assertDate(value);
    return value;
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || !/(?:Z|[+-]\d{2}:?\d{2})$/i.test(value)) {
    throw new MalformedResponseError(`Graph sent a birthday that is not a date or an ISO instant: "${value}"`);
  }
  return nearestMidnightDate(ms);
}

export function writeBirthday(date: string | null): string | null {
  if (date === null) return null;
  assertDate(date);
  return `${date}T11:59:00Z`;
}

// ---------- contacts ----------

export type ContactField = keyof ContactRecord;

function readAddress(a: z.infer<typeof physicalAddressSchema>): PostalAddress | null {
  if (!a) return null;
  const address: PostalAddress = {
    street: str(a.street),
    city: str(a.city),
    region: str(a.state),
    postalCode: str(a.postalCode),
    country: canonicalCountry(str(a.countryOrRegion)),
  };
  return Object.values(address).every((v) => v === null) ? null : address;
}

function writeAddress(a: PostalAddress | null): Record<string, string> {
  if (!a || Object.values(a).every((v) => v === null || v === '')) return {};
  return { street: a.street ?? '', city: a.city ?? '', state: a.region ?? '', postalCode: a.postalCode ?? '', countryOrRegion: countryDisplayName(a.country) ?? '' };
}

export function contactFromGraph(json: unknown): SideItem<ContactRecord> {
  const c = parse(graphContactSchema, json, 'contact');
  const genderValue = propertyValue(c.singleValueExtendedProperties, GENDER_PROPERTY);
  const record: ContactRecord = {
    namePrefix: str(c.title),
    firstName: str(c.givenName),
    middleName: str(c.middleName),
    lastName: str(c.surname),
    nameSuffix: str(c.generation),
    gender: genderValue === '1' ? 'female' : genderValue === '2' ? 'male' : null,
    birthday: readBirthday(c.birthday),
    description: str(c.personalNotes),
    jobTitle: str(c.jobTitle),
    fax: str(propertyValue(c.singleValueExtendedProperties, FAX_PROPERTY)),
    // Each address once, first occurrence first (Oro lists a contact's emails without repeats).
    emails: [...new Set((c.emailAddresses ?? []).map((e) => e.address ?? '').filter((a) => a !== ''))],
    phone: str(c.businessPhones?.[0]),
    businessAddress: readAddress(c.businessAddress),
    homeAddress: readAddress(c.homeAddress),
    otherAddress: readAddress(c.otherAddress),
  };
  return { id: c.id, version: versionOf(c, 'contact'), record, crmId: stampFrom(c.singleValueExtendedProperties) };
}

/** What Outlook shows for a contact when we set its names; Graph may regenerate it otherwise (§1). */
export function contactDisplayName(r: ContactRecord): string {
  const name = [r.firstName, r.middleName, r.lastName, r.nameSuffix].filter((p): p is string => !!p).join(' ');
  return name || r.emails[0] || '';
}

/**
 * A contact create/PATCH body. `fields` limits what is sent (all mapped fields when absent);
 * displayName is always sent. `crmId`: a string stamps, null clears, undefined leaves the stamp.
 */
export function contactToGraph(r: ContactRecord, fields?: ReadonlyArray<ContactField>, crmId?: string | null): Record<string, unknown> {
  const has = (f: ContactField) => !fields || fields.includes(f);
  const body: Record<string, unknown> = {};
  if (has('namePrefix')) body.title = out(r.namePrefix);
  if (has('firstName')) body.givenName = out(r.firstName);
  if (has('middleName')) body.middleName = out(r.middleName);
  if (has('lastName')) body.surname = out(r.lastName);
  if (has('nameSuffix')) body.generation = out(r.nameSuffix);
  body.displayName = contactDisplayName(r);
  if (has('description')) body.personalNotes = r.description ?? '';
  if (has('jobTitle')) body.jobTitle = out(r.jobTitle);
  if (has('birthday')) body.birthday = writeBirthday(r.birthday);
  if (has('emails')) body.emailAddresses = r.emails.map((address) => ({ address, name: contactDisplayName(r) || address }));
  if (has('phone')) body.businessPhones = r.phone ? [r.phone] : [];
  if (has('businessAddress')) body.businessAddress = writeAddress(r.businessAddress);
  if (has('homeAddress')) body.homeAddress = writeAddress(r.homeAddress);
  if (has('otherAddress')) body.otherAddress = writeAddress(r.otherAddress);
  const props: GraphExtendedProperty[] = [];
  if (crmId !== undefined) props.push(stampProperty(crmId));
  // PidTagGender: 0 unspecified, 1 female, 2 male (properties.ts).
  if (has('gender')) props.push({ id: GENDER_PROPERTY, value: r.gender === 'female' ? '1' : r.gender === 'male' ? '2' : '0' });
  if (has('fax')) props.push({ id: FAX_PROPERTY, value: r.fax ?? '' });
  if (props.length) body.singleValueExtendedProperties = props;
  return body;
}

// ---------- tasks ----------

const STATUS_FROM_GRAPH: Record<NonNullable<GraphTask['status']>, TaskStatus> = {
  notStarted: 'open',
  inProgress: 'in_progress',
  waitingOnOthers: 'in_progress',
  deferred: 'in_progress',
  completed: 'closed',
};
const STATUS_TO_GRAPH: Record<TaskStatus, NonNullable<GraphTask['status']>> = {
  open: 'notStarted',
  in_progress: 'inProgress',
  closed: 'completed',
};

export type TaskField = keyof TaskRecord;

/** Our linkedResource on a task, if any (the CRM id stamp for To Do, graph-api.md §3). */
export function ourLinkedResource(task: Pick<GraphTask, 'linkedResources'>): { id: string | null; externalId: string } | null {
  const found = task.linkedResources?.find(
    (l) => (l.applicationName ?? '').toLowerCase() === LINKED_RESOURCE_APPLICATION.toLowerCase() && !!l.externalId,
  );
  return found ? { id: found.id ?? null, externalId: found.externalId as string } : null;
}

/**
 * `timeZone`: the zone due dates are kept in (the user's). To Do stores a due date as that zone's local
 * midnight; read in UTC, a date east of UTC+12 would come back a day early, so reads ask for this zone
 * (`Prefer: outlook.timezone`) and an answer in another zone is converted to it.
 */
export function taskFromGraph(json: unknown, timeZone = 'UTC'): SideItem<TaskRecord> {
  const t = parse(graphTaskSchema, json, 'To Do task');
  const version = t['@odata.etag'];
  if (!version) throw new MalformedResponseError('Graph sent a To Do task without @odata.etag.');
  const record: TaskRecord = {
    subject: t.title ?? '',
    priority: (t.importance ?? 'normal') as TaskPriority,
    // Date-only: the nearest midnight of the wall time, whatever the zone (see header; graph-api.md §3).
    dueDate: t.dueDateTime ? nearestMidnightDate(dueWallTime(t.dueDateTime, timeZone)) : null,
    status: STATUS_FROM_GRAPH[t.status ?? 'notStarted'],
    description: bodyText(t.body),
  };
  const crmId = t.linkedResources === undefined ? undefined : (ourLinkedResource(t)?.externalId ?? null);
  return { id: t.id, version, record, crmId };
}

function dueWallTime(value: DateTimeTimeZone, timeZone: string): number {
  try {
    return wallTimeIn(value, timeZone);
  } catch (e) {
    throw new MalformedResponseError(`Graph sent a due date we cannot place in ${timeZone}: ${(e as Error).message}`, { cause: e });
  }
}

/** `timeZone`: see taskFromGraph; a due date is sent as midnight of that zone. */
export function taskToGraph(r: TaskRecord, fields?: ReadonlyArray<TaskField>, timeZone = 'UTC'): Record<string, unknown> {
  const has = (f: TaskField) => !fields || fields.includes(f);
  const body: Record<string, unknown> = {};
  if (has('subject')) body.title = r.subject;
  if (has('priority')) body.importance = r.priority;
  if (has('status')) body.status = STATUS_TO_GRAPH[r.status];
  if (has('dueDate')) body.dueDateTime = r.dueDate === null ? null : dateInZone(r.dueDate, timeZone);
  if (has('description') && r.description !== undefined) body.body = htmlBody(r.description);
  return body;
}

export function linkedResourceFor(crmId: string, webUrl?: string): GraphLinkedResource {
  const link: GraphLinkedResource = { applicationName: LINKED_RESOURCE_APPLICATION, externalId: crmId, displayName: `OroCRM task ${crmId}` };
  if (webUrl) link.webUrl = webUrl;
  return link;
}

// ---------- events ----------

export type EventField = keyof EventRecord;

export function eventFromGraph(json: unknown): SideItem<EventRecord> & { transactionId: string | null } {
  const e = parse(graphEventSchema, json, 'event');
  const allDay = e.isAllDay === true;
  const record: EventRecord = {
    title: e.subject ?? '',
    start: allDay ? wallDate(e.start) : readInstant(e.start),
    end: allDay ? wallDate(e.end) : readInstant(e.end),
    allDay,
    description: bodyText(e.body),
    reminder: e.isReminderOn === false ? null : (e.reminderMinutesBeforeStart ?? null),
  };
  return { id: e.id, version: versionOf(e, 'event'), record, crmId: stampFrom(e.singleValueExtendedProperties), transactionId: e.transactionId ?? null };
}

function readInstant(v: DateTimeTimeZone): string {
  try {
    return formatUtcInstant(toUtcMillis(v));
  } catch (e) {
    throw new MalformedResponseError(`Graph sent an event time we cannot convert to UTC: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * An event create/PATCH body. start/end/isAllDay always travel together (an all-day event needs
 * midnights on both ends). `crmId`: a string stamps, null clears, undefined leaves it.
 */
export function eventToGraph(r: EventRecord, fields?: ReadonlyArray<EventField>, crmId?: string | null): Record<string, unknown> {
  const has = (f: EventField) => !fields || fields.includes(f);
  const body: Record<string, unknown> = {};
  if (has('title')) body.subject = r.title;
  if (has('start') || has('end') || has('allDay')) {
    body.isAllDay = r.allDay;
    body.start = r.allDay ? dateOnlyDateTimeTimeZone(r.start) : utcDateTimeTimeZone(r.start);
    body.end = r.allDay ? dateOnlyDateTimeTimeZone(r.end) : utcDateTimeTimeZone(r.end);
  }
  if (has('description') && r.description !== undefined) body.body = htmlBody(r.description);
  if (has('reminder') && r.reminder !== undefined) {
    body.isReminderOn = r.reminder !== null;
    if (r.reminder !== null) body.reminderMinutesBeforeStart = r.reminder;
  }
  if (crmId !== undefined) body.singleValueExtendedProperties = [stampProperty(crmId)];
  return body;
}

// ---------- bodies (rich-text.ts) ----------

/** An itemBody as canonical text: HTML bodies by their text, text bodies as they are. */
function bodyText(body: z.infer<typeof itemBodySchema>): string | null {
  if (!body?.content) return null;
  return descriptionText(body.content, (body.contentType ?? '').toLowerCase() === 'html');
}

/**
 * Canonical text as an HTML itemBody: To Do takes only HTML on update (api/todotask-update.md), and an
 * Outlook event body is HTML. Sent only when the text changed, so it replaces a body whose text differs.
 */
function htmlBody(text: string | null): { contentType: 'html'; content: string } {
  return { contentType: 'html', content: textToHtml(text) };
}
