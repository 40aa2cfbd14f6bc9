// Oro's legacy REST calendar events (oro-api.md §3): /api/rest/{latest|v1}/calendarevents[.json],
// calendars/default, page/limit or start/end listing, legacy operator filters, FOSRest form errors.
// Recurring events are stored and echoed but never expanded into occurrences (README).
import crypto from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Request, Response, Router } from '../../common/http';
import type { CrmContext, CrmUser } from '../context';
import { normalizeDateTime } from './attributes';
import { AUDIT_CLASSES, compare, consumeAuditQueue, diff, recordAudit } from './audit';
import { legacyError, parseLegacyQuery } from './legacy';
import { expandRecurring, validateRecurrence } from './recurrence';
import { quirks } from './quirks';
import { legacyDateTime, oroDateTime, userById } from './schema';
import { hasPermission, userByIdInOrganization } from '../permissions';

export interface EventData {
  title: string;
  description: string | null;
  /** UTC, `YYYY-MM-DDTHH:MM:SSZ`. */
  start: string;
  end: string;
  allDay: boolean;
  backgroundColor: string | null;
  attendees: Array<Record<string, unknown>>;
  reminders: StoredReminder[];
  recurrence: Record<string, unknown> | null;
  isCancelled: boolean;
  originalStart: string | null;
  recurringEventId: number | null;
}

export interface StoredReminder {
  method: string;
  interval: { number: number; unit: string };
}

export interface EventEntity {
  id: number;
  calendarId: number;
  uid: string;
  createdAt: string;
  updatedAt: string;
  data: EventData;
}

interface EventRow {
  id: number;
  calendar_id: number;
  uid: string;
  created_at: string;
  updated_at: string;
  data: string;
}

const toEvent = (r: EventRow): EventEntity => ({ id: r.id, calendarId: r.calendar_id, uid: r.uid, createdAt: r.created_at, updatedAt: r.updated_at, data: JSON.parse(r.data) as EventData });

/** OroCalendarBundle Entity/CalendarEvent: `uid` is a string column of length 36. */
const UID_MAX = 36;
const FORM_FIELDS = ['title', 'description', 'start', 'end', 'allDay', 'backgroundColor', 'reminders', 'attendees', 'notifyAttendees', 'calendar', 'calendarAlias', 'uid', 'createdAt', 'recurrence', 'originalStart', 'isCancelled', 'recurringEventId', 'updateExceptions'];
const IGNORED_ON_INPUT = ['id', 'updatedAt', 'editable', 'editableInvitationStatus', 'removable', 'invitationStatus', 'parentEventId', 'isOrganizer', 'organizerDisplayName', 'organizerEmail', 'organizerUserId', 'calendarAlias', 'recurrencePattern'];

/** The user's default calendar, created on first use (each Oro user has one). */
export function defaultCalendar(db: Database.Database, userId: number): { id: number; name: string } {
  const row = db.prepare('SELECT id, name FROM crm_calendars WHERE owner_id = ?').get(userId) as { id: number; name: string } | undefined;
  if (row) return row;
  const name = userById(db, userId)?.fullName ?? `User ${userId}`;
  const id = Number(db.prepare('INSERT INTO crm_calendars (owner_id, name) VALUES (?, ?)').run(userId, name).lastInsertRowid);
  return { id, name };
}

/**
 * A user reaches the events of their own calendar; with Calendar Event permissions at the Organization
 * level (permissions.ts `calendar_events_organization`) also those of every calendar of the organization.
 */
function mayUseCalendar(db: Database.Database, user: CrmUser, calendarId: number): boolean {
  const owner = calendarOwner(db, calendarId);
  if (owner === null) return false;
  if (owner === user.id) return true;
  return hasPermission(db, user.id, 'calendar_events_organization') && userByIdInOrganization(db, owner, user.organizationId) !== null;
}

function calendarOwner(db: Database.Database, calendarId: number): number | null {
  const row = db.prepare('SELECT owner_id FROM crm_calendars WHERE id = ?').get(calendarId) as { owner_id: number } | undefined;
  return row?.owner_id ?? null;
}

export function insertEvent(db: Database.Database, calendarId: number, uid: string, data: EventData, now: string): number {
  return Number(db.prepare('INSERT INTO crm_calendar_events (calendar_id, uid, created_at, updated_at, data) VALUES (?, ?, ?, ?, ?)').run(calendarId, uid, now, now, JSON.stringify(data)).lastInsertRowid);
}

export function allEvents(db: Database.Database): EventEntity[] {
  return (db.prepare('SELECT * FROM crm_calendar_events ORDER BY id').all() as EventRow[]).map(toEvent);
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response => ({ status, headers: { 'Content-Type': 'application/json', ...headers }, body });
/** GET/PUT/DELETE of a missing event: 404 with an empty body (oro-api.md §3). */
const notFound = (): Response => ({ status: 404, headers: { 'Content-Type': 'application/json' }, body: '' });
const forbidden = (): Response => json(403, { reason: 'You do not have access to this calendar event.' });

export function registerCalendarRoutes(router: Router, ctx: CrmContext): void {
  // Numbers the page/limit listings, so each one shuffles its rows its own way (quirk unstableEventOrder).
  let listings = 0;
  const wrap = (handler: (req: Request, user: CrmUser) => Response) => (req: Request): Response => {
    const user = ctx.authenticate(req);
    if (!user) return { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } };
    const version = req.params.version;
    consumeAuditQueue(ctx.db);
    const res = version !== 'latest' && version !== 'v1' ? legacyError(404, `No route found for "${req.method} ${req.path}"`) : handler(req, user);
    return { ...res, headers: { Date: ctx.now().toUTCString(), ...(res.headers ?? {}) } };
  };
  for (const suffix of ['', '.json']) {
    router.on('GET', `/api/rest/:version/calendarevents${suffix}`, wrap((req, user) => listEvents(req, ctx, user, ++listings)));
    router.on('POST', `/api/rest/:version/calendarevents${suffix}`, wrap((req, user) => createEvent(req, ctx, user)));
    router.on('GET', `/api/rest/:version/calendars/default${suffix}`, wrap((_req, user) => {
      const cal = defaultCalendar(ctx.db, user.id);
      return json(200, { calendar: cal.id, owner: user.id, calendarName: cal.name });
    }));
  }
  router.on('GET', '/api/rest/:version/calendarevents/:id', wrap((req, user) => withEvent(req, ctx, user, (e) => json(200, serializeEvent(ctx.db, e, false)))));
  router.on('PUT', '/api/rest/:version/calendarevents/:id', wrap((req, user) => withEvent(req, ctx, user, (e) => updateEvent(req, ctx, user, e))));
  router.on('DELETE', '/api/rest/:version/calendarevents/:id', wrap((req, user) => withEvent(req, ctx, user, (e) => deleteEvent(req, ctx, user, e))));
  router.on('GET', '/api/rest/:version/calendars/:calendarId/events/:id', wrap((req, user) =>
    withEvent(req, ctx, user, (e) => (String(e.calendarId) === req.params.calendarId ? json(200, serializeEvent(ctx.db, e, false)) : notFound())),
  ));
}

function withEvent(req: Request, ctx: CrmContext, user: CrmUser, then: (e: EventEntity) => Response): Response {
  const id = req.params.id.replace(/\.json$/, '');
  const row = /^\d+$/.test(id) ? (ctx.db.prepare('SELECT * FROM crm_calendar_events WHERE id = ?').get(Number(id)) as EventRow | undefined) : undefined;
  if (!row) return notFound();
  const e = toEvent(row);
  if (!mayUseCalendar(ctx.db, user, e.calendarId)) return forbidden();
  return then(e);
}

function listEvents(req: Request, ctx: CrmContext, user: CrmUser, listingNo: number): Response {
  const params = parseLegacyQuery(req);
  const eq = (name: string) => params.find((p) => p.name === name && p.op === '=')?.value;
  const calendar = eq('calendar');
  if (calendar === undefined || !/^\d+$/.test(calendar)) {
    return legacyError(400, `Parameter "calendar" of value "${calendar ?? 'NULL'}" violated a constraint "This value should be an integer."`);
  }
  const owner = calendarOwner(ctx.db, Number(calendar));
  if (owner === null) return notFound();
  if (!mayUseCalendar(ctx.db, user, Number(calendar))) return forbidden();
  const events = allEvents(ctx.db).filter((e) => e.calendarId === Number(calendar));
  const [start, end, page, limit] = ['start', 'end', 'page', 'limit'].map(eq);

  if (start !== undefined && end !== undefined) {
    const from = Date.parse(start);
    const to = Date.parse(end);
    if (Number.isNaN(from) || Number.isNaN(to)) return legacyError(400, 'The "start" and "end" parameters should be dates in RFC 3339 format.');
    // Recurring events are expanded into occurrences carrying the master's id; exceptions replace or
    // (cancelled) remove theirs (AbstractRecurrenceAwareCalendarProvider::getExpandedRecurrences).
    const listed = expandRecurring(events, from, to, (e) => serializeEvent(ctx.db, e, true));
    listed.sort((a, b) => Date.parse(String(a.start)) - Date.parse(String(b.start)) || Number(a.id) - Number(b.id));
    return json(200, listed.map((e) => ({ ...e, calendarAlias: 'user' })));
  }
  if (page === undefined || limit === undefined) {
    return legacyError(400, 'Time interval ("start" and "end") or paging ("page" and "limit") parameters should be specified.');
  }
  if (!/^\d+$/.test(page) || !/^\d+$/.test(limit) || Number(page) < 1 || Number(limit) < 1) return legacyError(400, 'The "page" and "limit" parameters should be positive integers.');
  let rows = events;
  for (const c of params) {
    if (!['createdAt', 'updatedAt', 'uid', 'recurringEventId'].includes(c.name)) continue;
    if (c.name === 'uid') rows = rows.filter((e) => compare(e.uid, c.op, c.value));
    // A plain parameter, not an operator filter: the series' exceptions and the recurring event itself
    // (CalendarEventRepository::addRecurringEventFilter).
    else if (c.name === 'recurringEventId') rows = rows.filter((e) => e.id === Number(c.value) || e.data.recurringEventId === Number(c.value));
    else {
      const want = Date.parse(c.value);
      if (Number.isNaN(want)) return legacyError(400, `Invalid "${c.name}" value: "${c.value}".`);
      rows = rows.filter((e) => compare(Date.parse(c.name === 'createdAt' ? e.createdAt : e.updatedAt) / 1000, c.op, Math.floor(want / 1000)));
    }
  }
  if (quirks(ctx.db).unstableEventOrder) rows = unordered(rows, listingNo);
  const total = rows.length;
  const slice = rows.slice((Number(page) - 1) * Number(limit), Number(page) * Number(limit));
  const headers: Record<string, string> = {};
  if (String(req.headers['x-include'] ?? '').includes('totalCount')) headers['X-Include-Total-Count'] = String(total);
  return json(200, slice.map((e) => serializeEvent(ctx.db, e, true)), headers);
}

/** The rows in the order of one query without ORDER BY: a shuffle of its own, reproducible from its number. */
function unordered(rows: EventEntity[], listingNo: number): EventEntity[] {
  const rank = (e: EventEntity) => crypto.createHash('sha1').update(`${listingNo}:${e.id}`).digest('hex');
  return rows.map((e) => ({ e, r: rank(e) })).sort((a, b) => (a.r < b.r ? -1 : a.r > b.r ? 1 : 0)).map((x) => x.e);
}

function serializeEvent(db: Database.Database, e: EventEntity, listMode: boolean): Record<string, unknown> {
  const ownerId = calendarOwner(db, e.calendarId);
  const owner = ownerId === null ? null : userById(db, ownerId);
  const d = e.data;
  const out: Record<string, unknown> = {
    id: e.id,
    uid: e.uid,
    calendar: e.calendarId,
    parentEventId: null,
    title: d.title,
    description: d.description || null,
    start: legacyDateTime(d.start),
    end: legacyDateTime(d.end),
    allDay: d.allDay,
    backgroundColor: d.backgroundColor,
    attendees: d.attendees.map((a) => (listMode ? { ...a, fullName: a.displayName ?? null } : a)),
    editable: true,
    removable: true,
    editableInvitationStatus: false,
    invitationStatus: 'none',
    recurringEventId: d.recurringEventId,
    originalStart: d.originalStart ? legacyDateTime(d.originalStart) : null,
    isCancelled: d.isCancelled,
    createdAt: legacyDateTime(e.createdAt),
    updatedAt: legacyDateTime(e.updatedAt),
    isOrganizer: true,
    organizerDisplayName: owner?.fullName ?? null,
    organizerEmail: owner?.email ?? null,
    organizerUserId: owner?.id ?? null,
  };
  // ReminderManager::applyReminders adds the key only for an event that has reminders.
  if (d.reminders?.length) out.reminders = d.reminders.map((r) => ({ method: r.method, interval: { ...r.interval } }));
  // oro-api.md §3: single GET says `timezone`, list mode `timeZone` (Oro's own inconsistency).
  if (d.recurrence) {
    const { timeZone, ...rest } = d.recurrence as { timeZone?: unknown };
    out.recurrence = listMode ? { ...rest, timeZone } : { ...rest, timezone: timeZone };
  }
  return out;
}

type FormErrors = Record<string, string[]>;

/** Reads a JSON or form-urlencoded body; null when unreadable. */
function readBody(req: Request): Record<string, unknown> | null {
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  if (type.includes('application/x-www-form-urlencoded')) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of new URLSearchParams(req.rawBody)) out[k] = v;
    return out;
  }
  try {
    const body = JSON.parse(req.rawBody || '{}') as unknown;
    return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function validationFailed(errors: FormErrors, global: string[] = [], recurrence?: Record<string, string[]>): Response {
  const children: Record<string, unknown> = {};
  for (const f of FORM_FIELDS) children[f] = errors[f]?.length ? { errors: errors[f] } : [];
  // RecurrenceFormType is a sub-form: its errors sit under recurrence.children (oro-api.md §3).
  if (recurrence) children.recurrence = { children: Object.fromEntries(Object.entries(recurrence).map(([k, v]) => [k, { errors: v }])) };
  return json(400, { code: 400, message: 'Validation Failed', errors: global.length ? { errors: global, children } : { children } });
}

/**
 * `reminders` as Oro's ReminderCollectionType takes it (platform ReminderBundle): a list that replaces the
 * event's, each `{method, interval: {number, unit}}`; method one of the registered send processors,
 * unit M/H/D/W (Model/ReminderInterval.php), number an integer, all NotBlank (validation.yml). A string:
 * the form error.
 */
const REMINDER_METHODS = ['email', 'web_socket'];
function readReminders(v: unknown): StoredReminder[] | string {
  if (v === null || v === '') return [];
  if (!Array.isArray(v)) return 'This value is not valid.';
  const out: StoredReminder[] = [];
  for (const r of v) {
    if (typeof r !== 'object' || r === null) return 'This value is not valid.';
    const { method, interval } = r as { method?: unknown; interval?: { number?: unknown; unit?: unknown } | null };
    if (method === undefined || method === null || method === '') return 'This value should not be blank.';
    if (typeof method !== 'string' || !REMINDER_METHODS.includes(method)) return 'This value is not valid.';
    if (typeof interval !== 'object' || interval === null) return 'This value should not be blank.';
    const { number, unit } = interval;
    if (number === undefined || number === null || number === '' || unit === undefined || unit === null || unit === '') return 'This value should not be blank.';
    const n = typeof number === 'number' ? number : typeof number === 'string' && /^-?\d+$/.test(number) ? Number(number) : NaN;
    if (!Number.isInteger(n)) return 'This value is not valid.';
    if (typeof unit !== 'string' || !['M', 'H', 'D', 'W'].includes(unit)) return 'This value is not valid.';
    out.push({ method, interval: { number: n, unit } });
  }
  return out;
}

/** Applies form input onto `data`; partial when `patch` (PUT is a partial update, oro-api.md §3). */
function applyForm(body: Record<string, unknown>, data: Partial<EventData>, patch: boolean, errors: FormErrors, global: string[], recurrenceErrors: Array<Record<string, string[]>> = []): { calendar?: number; uid?: string } {
  const err = (f: string, m: string) => (errors[f] = [...(errors[f] ?? []), m]);
  const extra = Object.keys(body).filter((k) => !FORM_FIELDS.includes(k) && !IGNORED_ON_INPUT.includes(k));
  if (extra.length) global.push('This form should not contain extra fields.');
  const has = (k: string) => k in body;
  if (has('title') || !patch) {
    const t = body.title;
    if (typeof t !== 'string' || t.trim() === '') err('title', 'This value should not be blank.');
    else if (t.length > 255) err('title', 'This value is too long. It should have 255 characters or less.');
    else data.title = t;
  }
  if (has('description')) {
    if (body.description !== null && typeof body.description !== 'string') err('description', 'This value is not valid.');
    else data.description = (body.description as string | null) || null;
  }
  for (const f of ['start', 'end'] as const) {
    if (!has(f) && patch) continue;
    const v = body[f];
    if (v === undefined || v === null || v === '') err(f, 'This value should not be blank.');
    else {
      const normalized = typeof v === 'string' ? normalizeDateTime(v) : null;
      if (!normalized) err(f, 'This value is not valid.');
      else data[f] = normalized;
    }
  }
  if (has('allDay')) {
    const v = body.allDay;
    if (typeof v === 'boolean') data.allDay = v;
    else if (v === 'true' || v === '1' || v === 1) data.allDay = true;
    else if (v === 'false' || v === '0' || v === 0 || v === '') data.allDay = false;
    else err('allDay', 'This value is not valid.');
  }
  if (has('backgroundColor')) {
    const v = body.backgroundColor;
    if (v !== null && v !== '' && (typeof v !== 'string' || !/^#[0-9A-Fa-f]{6}$/.test(v))) err('backgroundColor', 'This value is not valid.');
    else data.backgroundColor = (v as string | null) || null;
  }
  if (has('notifyAttendees') && !['all', 'added_or_deleted', 'none'].includes(String(body.notifyAttendees))) err('notifyAttendees', 'This value is not valid.');
  if (has('attendees')) {
    if (!Array.isArray(body.attendees)) err('attendees', 'This value is not valid.');
    else data.attendees = (body.attendees as Array<Record<string, unknown>>).map((a) => ({ displayName: a.displayName ?? null, email: a.email ?? null, userId: null, status: a.status ?? 'none', type: a.type ?? 'required' }));
  }
  if (has('reminders')) {
    const reminders = readReminders(body.reminders);
    if (typeof reminders === 'string') err('reminders', reminders);
    else data.reminders = reminders;
  }
  if (has('recurrence')) {
    if (body.recurrence === null) data.recurrence = null;
    else {
      const checked = validateRecurrence(body.recurrence);
      if ('errors' in checked) recurrenceErrors[0] = checked.errors;
      else data.recurrence = checked.recurrence;
    }
  }
  if (has('recurringEventId')) {
    const v = body.recurringEventId;
    if (v !== null && v !== '' && !/^\d+$/.test(String(v))) err('recurringEventId', 'This value is not valid.');
    else data.recurringEventId = v === null || v === '' ? null : Number(v);
  }
  if (has('originalStart')) {
    const v = body.originalStart;
    const normalized = typeof v === 'string' && v !== '' ? normalizeDateTime(v) : null;
    if (v !== null && v !== '' && !normalized) err('originalStart', 'This value is not valid.');
    else data.originalStart = normalized;
  }
  if (has('isCancelled')) data.isCancelled = body.isCancelled === true || body.isCancelled === 'true';
  const out: { calendar?: number; uid?: string } = {};
  if (has('calendar')) {
    const c = Number(body.calendar);
    if (!Number.isInteger(c) || c < 1) err('calendar', 'This value is not valid.');
    else out.calendar = c;
  }
  if (has('uid')) {
    if (typeof body.uid !== 'string' || body.uid === '') err('uid', 'This value is not valid.');
    else out.uid = body.uid;
  }
  if (data.start && data.end && Date.parse(data.end) < Date.parse(data.start)) err('end', 'End date should be later than start date.');
  return out;
}

function createEvent(req: Request, ctx: CrmContext, user: CrmUser): Response {
  const body = readBody(req);
  if (!body) return legacyError(400, 'Invalid JSON in the request body.');
  const errors: FormErrors = {};
  const global: string[] = [];
  const data: Partial<EventData> = { description: null, allDay: false, backgroundColor: null, attendees: [], reminders: [], recurrence: null, isCancelled: false, originalStart: null, recurringEventId: null };
  const recurrenceErrors: Array<Record<string, string[]>> = [];
  const extra = applyForm(body, data, false, errors, global, recurrenceErrors);
  const calendarId = extra.calendar ?? defaultCalendar(ctx.db, user.id).id;
  if (extra.calendar !== undefined && !mayUseCalendar(ctx.db, user, extra.calendar)) (errors.calendar ??= []).push('This value is not valid.');
  checkException(ctx.db, data, calendarId, null, global);
  if (Object.keys(errors).length || global.length || recurrenceErrors.length) return validationFailed(errors, global, recurrenceErrors[0]);
  // The uid column holds 36 characters and no validator checks it (OroCalendarBundle Entity/CalendarEvent
  // `length=36`, validation.yml has none): the database refuses the INSERT, and Oro answers 500.
  if (extra.uid !== undefined && extra.uid.length > UID_MAX) return legacyError(500, 'Internal Server Error');
  const now = oroDateTime(ctx.now());
  const uid = extra.uid ?? crypto.randomUUID();
  let id = 0;
  ctx.db.transaction(() => {
    id = insertEvent(ctx.db, calendarId, uid, data as EventData, now);
    recordAudit(ctx.db, { action: 'create', objectClass: AUDIT_CLASSES.calendarevents, objectId: id, objectName: data.title!, userId: user.id, organizationId: user.organizationId, data: diff(null, auditView(data as EventData, uid)) }, ctx.now());
  })();
  return json(201, { id, ...writeAnswer(ctx.db, calendarOwner(ctx.db, calendarId) ?? user.id, uid) });
}

/** The organizer is the owner of the event's calendar (who may differ from the caller: the sync server). */
function writeAnswer(db: Database.Database, organizerId: number, uid: string): Record<string, unknown> {
  const owner = userById(db, organizerId);
  // organizerUserId is a string in the POST/PUT answer (oro-api.md §3).
  return { uid, invitationStatus: 'none', editableInvitationStatus: false, organizerDisplayName: owner?.fullName ?? null, organizerEmail: owner?.email ?? null, organizerUserId: String(organizerId) };
}

function updateEvent(req: Request, ctx: CrmContext, user: CrmUser, e: EventEntity): Response {
  const body = readBody(req);
  if (!body) return legacyError(400, 'Invalid JSON in the request body.');
  const errors: FormErrors = {};
  const global: string[] = [];
  const data: Partial<EventData> = { ...e.data };
  const recurrenceErrors: Array<Record<string, string[]>> = [];
  const extra = applyForm(body, data, true, errors, global, recurrenceErrors);
  if (extra.calendar !== undefined && !mayUseCalendar(ctx.db, user, extra.calendar)) (errors.calendar ??= []).push('This value is not valid.');
  checkException(ctx.db, data, extra.calendar ?? e.calendarId, e.id, global);
  if (Object.keys(errors).length || global.length || recurrenceErrors.length) return validationFailed(errors, global, recurrenceErrors[0]);
  if (extra.uid !== undefined && extra.uid.length > UID_MAX) return legacyError(500, 'Internal Server Error');
  const now = oroDateTime(ctx.now());
  const uid = extra.uid ?? e.uid;
  ctx.db.transaction(() => {
    ctx.db.prepare('UPDATE crm_calendar_events SET calendar_id = ?, uid = ?, updated_at = ?, data = ? WHERE id = ?').run(extra.calendar ?? e.calendarId, uid, now, JSON.stringify(data), e.id);
    recordAudit(ctx.db, { action: 'update', objectClass: AUDIT_CLASSES.calendarevents, objectId: e.id, objectName: data.title!, userId: user.id, organizationId: user.organizationId, data: diff(auditView(e.data, e.uid), auditView(data as EventData, uid)) }, ctx.now());
  })();
  return json(200, writeAnswer(ctx.db, calendarOwner(ctx.db, e.calendarId) ?? user.id, uid));
}

function deleteEvent(req: Request, ctx: CrmContext, user: CrmUser, e: EventEntity): Response {
  const notify = req.url.searchParams.get('notifyAttendees');
  if (notify !== null && !['all', 'added_or_deleted', 'none'].includes(notify)) return legacyError(400, 'The "notifyAttendees" parameter should be one of all, added_or_deleted, none.');
  ctx.db.transaction(() => {
    ctx.db.prepare('DELETE FROM crm_calendar_events WHERE id = ?').run(e.id);
    // A recurring event's exceptions go with it [U: assumed from the entity's cascade].
    if (e.data.recurrence) for (const x of allEvents(ctx.db).filter((x) => x.data.recurringEventId === e.id)) ctx.db.prepare('DELETE FROM crm_calendar_events WHERE id = ?').run(x.id);
    recordAudit(ctx.db, { action: 'remove', objectClass: AUDIT_CLASSES.calendarevents, objectId: e.id, objectName: e.data.title, userId: user.id, organizationId: user.organizationId, data: diff(auditView(e.data, e.uid), null) }, ctx.now());
  })();
  return { status: 204 };
}

function auditView(d: EventData, uid: string): Record<string, unknown> {
  return { title: d.title, description: d.description, start: d.start, end: d.end, allDay: d.allDay, uid };
}

/** RecurringCalendarEventExceptionValidator: an exception's recurring event is a recurring event, not itself, in the same calendar. */
function checkException(db: Database.Database, data: Partial<EventData>, calendarId: number, selfId: number | null, global: string[]): void {
  if (data.recurringEventId === null || data.recurringEventId === undefined) return;
  if (data.recurringEventId === selfId) return void global.push('Parameter "recurringEventId" can\'t have the value of the id of the event.');
  const row = db.prepare('SELECT * FROM crm_calendar_events WHERE id = ?').get(data.recurringEventId) as EventRow | undefined;
  const master = row ? toEvent(row) : null;
  if (!master || !master.data.recurrence) return void global.push('Parameter "recurringEventId" can be set only for recurring calendar events.');
  if (master.calendarId !== calendarId) global.push('Calendar of calendar event exception can not be changed.');
}
