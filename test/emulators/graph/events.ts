// Events in the primary calendar, calendarView and calendarView/delta (graph-api.md §2, §6).
// Times are stored as Graph answers them by default: UTC dateTimeTimeZone; all-day events float, so they
// keep their midnight wall-clock dates with timeZone "UTC".
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Response, Router } from '../common/http';
import { dateTimeTimeZone, extendedProperties, itemBody, nullableString, parseJsonObject, readWritable, stringList } from './body';
import { mailboxRoute, type GraphContext, type GraphRequest } from './context';
import { deltaResponse, type DeltaTokens, type DeltaWindow } from './delta';
import { badRequest, GraphError, itemNotFound } from './errors';
import { expandOption, listResponse, loadItem, mergeProperties, present, selectOption } from './items';
import type { GraphStore, GraphUser, MeetingMessageKind, StoredItem } from './store';
import { cancelOccurrence, checkedRecurrence, checkWithinNeighbours, instanceById, instancesIn, isMaster, parseOccurrenceId, recurrenceSchema, seriesInWindow, touchMaster } from './series';
import { inZone, isMidnight, preferredTimeZone, toUtc, utcDateTimeTimeZone } from './timezones';
import { graphTimestamp, newChangeKey, newItemId, newGuid } from './util';

const EVENT_FIELDS = {
  subject: nullableString,
  body: itemBody,
  start: dateTimeTimeZone,
  end: dateTimeTimeZone,
  isAllDay: z.boolean(),
  location: z.object({ displayName: nullableString.optional() }).passthrough(),
  showAs: z.enum(['free', 'tentative', 'busy', 'oof', 'workingElsewhere', 'unknown']),
  importance: z.enum(['low', 'normal', 'high']),
  sensitivity: z.enum(['normal', 'personal', 'private', 'confidential']),
  isReminderOn: z.boolean(),
  reminderMinutesBeforeStart: z.number().int(),
  categories: stringList,
  transactionId: nullableString,
  attendees: z.array(z.unknown()),
  responseRequested: z.boolean(),
  allowNewTimeProposals: z.boolean(),
  isOnlineMeeting: z.boolean(),
  recurrence: recurrenceSchema,
  singleValueExtendedProperties: extendedProperties,
};

function bodyPreview(content: string): string {
  return content.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 255);
}

/** Converts a request dateTimeTimeZone to the stored form; all-day values keep their wall-clock date. */
function storedTime(value: { dateTime: string; timeZone?: string | null }, allDay: boolean): { dateTime: string; timeZone: string } {
  const zone = value.timeZone || 'UTC';
  if (allDay) return utcDateTimeTimeZone(toUtc(value.dateTime, 'UTC'));
  return utcDateTimeTimeZone(toUtc(value.dateTime, zone));
}

export function eventStartMs(data: Record<string, unknown>): number {
  return Date.parse(`${(data.start as { dateTime: string }).dateTime.slice(0, 23)}Z`);
}
export function eventEndMs(data: Record<string, unknown>): number {
  return Date.parse(`${(data.end as { dateTime: string }).dateTime.slice(0, 23)}Z`);
}

function applyEvent(existing: Record<string, unknown>, raw: Record<string, unknown>, creating: boolean) {
  const input = readWritable(raw, EVENT_FIELDS, 'event', ['originalStartTimeZone', 'originalEndTimeZone', 'type', 'iCalUId', 'seriesMasterId', 'originalStart']);
  const { singleValueExtendedProperties, start, end, body, recurrence, ...fields } = input;
  const data: Record<string, unknown> = { ...existing, ...fields };
  if (recurrence !== undefined) {
    if (existing.type === 'occurrence' || existing.type === 'exception') throw badRequest("Your request can't be completed. An occurrence of a series can't have its own recurrence.", 'ErrorInvalidRequest');
    data.recurrence = recurrence === null ? null : checkedRecurrence(recurrence);
    data.type = recurrence === null ? 'singleInstance' : 'seriesMaster';
    // A new rule starts the series afresh: its exceptions and cancellations go (Outlook asks the user so) [U].
    if (existing.type === 'seriesMaster') delete data['@cancelled'];
  }
  const allDay = data.isAllDay === true;
  if (creating && (!start || !end)) throw badRequest('Your request can\'t be completed. The event needs both a start and an end time.', 'ErrorInvalidRequest');
  if (allDay && (start || end || 'isAllDay' in fields)) {
    const s = start ?? { dateTime: (data.start as { dateTime: string }).dateTime, timeZone: 'UTC' };
    const e = end ?? { dateTime: (data.end as { dateTime: string }).dateTime, timeZone: 'UTC' };
    if (!isMidnight(s.dateTime) || !isMidnight(e.dateTime) || (s.timeZone || 'UTC') !== (e.timeZone || 'UTC')) {
      throw badRequest(
        "Your request can't be completed. If you make an event an all-day event, its start and end times must be set to midnight and the time zones must match.",
        'ErrorInvalidRequest',
      );
    }
  }
  if (start) {
    data.start = storedTime(start, allDay);
    data.originalStartTimeZone = start.timeZone || 'UTC';
  }
  if (end) {
    data.end = storedTime(end, allDay);
    data.originalEndTimeZone = end.timeZone || 'UTC';
  }
  if (eventEndMs(data) < eventStartMs(data)) {
    throw badRequest("Your request can't be completed. The end time of the event must be after the start time.", 'ErrorInvalidRequest');
  }
  if (body) {
    const contentType = (body.contentType ?? 'text').toLowerCase() === 'html' ? 'html' : 'text';
    data.body = { contentType, content: body.content ?? '' };
    data.bodyPreview = bodyPreview(body.content ?? '');
  }
  return { data, incomingProps: singleValueExtendedProperties };
}

/**
 * What Exchange mails when the organizer writes a meeting (an event with attendees): a create invites them
 * (event-post), an update sends them the change, and "deleting the event on the organizer's calendar sends
 * a cancellation message to the meeting attendees" (api/event-delete.md). Recorded per attendee so tests
 * can assert that syncing sends none (`GET /_control/graph/meeting-messages`). The emulator counts every
 * PATCH of a meeting, extended properties only included: Microsoft does not document which changes
 * Exchange leaves unsent, so the client writes none.
 */
function sendMeetingMessages(store: GraphStore, event: StoredItem, kind: MeetingMessageKind): void {
  const attendees = Array.isArray(event.data.attendees) ? (event.data.attendees as Array<{ emailAddress?: { address?: unknown } }>) : [];
  if (event.data.isOrganizer === false) return;
  for (const a of attendees) store.recordMeetingMessage(event.mailbox, event.id, kind, String(a?.emailAddress?.address ?? ''));
}

export function insertEvent(store: GraphStore, now: Date, organizer: GraphUser, calendarId: string, raw: Record<string, unknown>): StoredItem {
  const stamp = graphTimestamp(now);
  const id = newItemId();
  const blank: Record<string, unknown> = {
    createdDateTime: stamp,
    lastModifiedDateTime: stamp,
    changeKey: newChangeKey(),
    categories: [],
    transactionId: null,
    originalStartTimeZone: 'UTC',
    originalEndTimeZone: 'UTC',
    iCalUId: `040000008200E00074C5B7101A82E008${newGuid().replace(/-/g, '').toUpperCase()}`,
    reminderMinutesBeforeStart: 15,
    isReminderOn: true,
    hasAttachments: false,
    subject: '',
    bodyPreview: '',
    importance: 'normal',
    sensitivity: 'normal',
    isAllDay: false,
    isCancelled: false,
    isOrganizer: true,
    responseRequested: true,
    seriesMasterId: null,
    showAs: 'busy',
    type: 'singleInstance',
    webLink: `https://outlook.office365.com/owa/?itemid=${encodeURIComponent(id)}&exvsurl=1&path=/calendar/item`,
    onlineMeetingUrl: null,
    isOnlineMeeting: false,
    allowNewTimeProposals: true,
    recurrence: null,
    onlineMeeting: null,
    responseStatus: { response: 'organizer', time: '0001-01-01T00:00:00Z' },
    body: { contentType: 'text', content: '' },
    location: { displayName: '', locationType: 'default', uniqueIdType: 'unknown', address: {}, coordinates: {} },
    locations: [],
    attendees: [],
    organizer: { emailAddress: { name: organizer.displayName, address: organizer.upn } },
  };
  const { data, incomingProps } = applyEvent(blank, raw, true);
  return store.insert({ id, mailbox: organizer.id, kind: 'event', parent: calendarId, data, props: mergeProperties([], incomingProps) });
}

export function createCalendar(store: GraphStore, owner: GraphUser): StoredItem {
  return store.insert({
    id: newItemId(),
    mailbox: owner.id,
    kind: 'calendar',
    parent: null,
    data: {
      name: 'Calendar',
      color: 'auto',
      hexColor: '',
      isDefaultCalendar: true,
      changeKey: newChangeKey(),
      canShare: true,
      canViewPrivateItems: true,
      canEdit: true,
      isRemovable: false,
      owner: { name: owner.displayName, address: owner.upn },
    },
    props: [],
  });
}

function parseWindowParam(value: string | null): string | null {
  if (!value) return null;
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

function windowFromQuery(req: GraphRequest): DeltaWindow {
  const start = parseWindowParam(req.url.searchParams.get('startDateTime') ?? req.url.searchParams.get('StartDateTime'));
  const end = parseWindowParam(req.url.searchParams.get('endDateTime') ?? req.url.searchParams.get('EndDateTime'));
  if (!start || !end) {
    throw badRequest(
      'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.',
      'ErrorInvalidParameter',
    );
  }
  return { start, end };
}

export function inWindow(item: StoredItem, window: DeltaWindow): boolean {
  const s = eventStartMs(item.data);
  const e = eventEndMs(item.data);
  const ws = Date.parse(window.start);
  const we = Date.parse(window.end);
  return s < we && (e > ws || (s === e && s >= ws));
}

/** Event answers in the zone of `Prefer: outlook.timezone` (graph-api.md §2); without it they stay UTC. */
function inPreferredZone(req: GraphRequest, response: Response): Response {
  const zone = preferredTimeZone(req.headers.prefer);
  if (!zone || typeof response.body !== 'object' || response.body === null) return response;
  const convert = (e: Record<string, unknown>): Record<string, unknown> => {
    const out = { ...e };
    for (const k of ['start', 'end'] as const) {
      const v = e[k] as { dateTime: string; timeZone: string } | undefined;
      if (v && typeof v.dateTime === 'string') out[k] = inZone(v, zone, e.isAllDay === true);
    }
    return out;
  };
  const body = response.body as Record<string, unknown>;
  const converted = Array.isArray(body.value) ? { ...body, value: (body.value as Record<string, unknown>[]).map(convert) } : convert(body);
  return { ...response, body: converted };
}

function contentHash(raw: Record<string, unknown>): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])])) : v;
  return createHash('sha256').update(JSON.stringify(canonical(raw))).digest('hex');
}

export function registerEventRoutes(router: Router, ctx: GraphContext, tokens: DeltaTokens): void {
  const { store } = ctx;
  // Every event answer honours Prefer: outlook.timezone.
  const route = (method: string, suffix: string, h: (req: GraphRequest) => Response) =>
    mailboxRoute(router, ctx, method, suffix, (req) => inPreferredZone(req, h(req)));
  const primary = (req: GraphRequest): StoredItem => {
    const cal = store.list(req.mailbox.id, 'calendar', null)[0];
    if (!cal) throw itemNotFound();
    return cal;
  };
  const presentCalendar = (c: StoredItem) => present(c);
  const expandable = ['singleValueExtendedProperties'];

  route('GET', '/calendar', (req) => ({ status: 200, body: presentCalendar(primary(req)) }));
  route('GET', '/calendars', (req) => ({ status: 200, body: { value: store.list(req.mailbox.id, 'calendar', null).map(presentCalendar) } }));

  for (const base of ['/events', '/calendar/events']) {
    route('GET', base, (req) =>
      // /events holds single events and series masters; occurrences and exceptions are reached through them.
      listResponse(ctx, req, store.list(req.mailbox.id, 'event', primary(req).id).filter((e) => e.data.type !== 'exception'), {
        expand: expandOption(req, expandable),
        filterable: true,
        defaultTop: 10,
        context: 'events',
      }),
    );
    // transactionId makes a retried POST idempotent (graph-api.md §2): the same content returns the first event.
    route('POST', base, (req) => {
      const raw = parseJsonObject(req.rawBody);
      const transactionId = typeof raw.transactionId === 'string' && raw.transactionId !== '' ? raw.transactionId : null;
      const hash = contentHash(raw);
      return store.transaction(() => {
        if (transactionId) {
          const seen = store.findTransaction(req.mailbox.id, transactionId);
          if (seen) {
            if (seen.hash !== hash) {
              throw new GraphError(400, 'ErrorDuplicateTransactionId', `Your request can't be completed. The transactionId '${transactionId}' has already been used.`);
            }
            const first = store.get(seen.eventId);
            if (first && !first.deleted) return { status: 201, body: present(first) };
          }
        }
        const created = insertEvent(store, ctx.now(), req.mailbox, primary(req).id, raw);
        sendMeetingMessages(store, created, 'invitation');
        if (transactionId) store.saveTransaction(req.mailbox.id, transactionId, created.id, hash);
        return { status: 201, headers: { Location: `${ctx.baseUrl()}${req.rootPath}/events/${encodeURIComponent(created.id)}` }, body: present(created) };
      });
    });
    // An occurrence is computed from its master; an edited one is stored as an exception under its id.
    const item = (req: GraphRequest): StoredItem => {
      const instance = instanceById(store, req.params.id);
      if (instance && instance.master.mailbox === req.mailbox.id) return instance.item;
      if (parseOccurrenceId(req.params.id)) throw itemNotFound();
      return loadItem(ctx, req, 'event', req.params.id);
    };
    route('GET', `${base}/:id`, (req) => ({ status: 200, body: present(item(req), { expand: expandOption(req, expandable), select: selectOption(req) }) }));
    route('GET', `${base}/:id/instances`, (req) => {
      const master = item(req);
      const window = windowFromQuery(req);
      const items = isMaster(master) ? instancesIn(store, master, Date.parse(window.start), Date.parse(window.end)) : [];
      return listResponse(ctx, req, items, { expand: expandOption(req, expandable), filterable: false, defaultTop: 10, context: 'events' });
    });
    route('PATCH', `${base}/:id`, (req) =>
      store.transaction(() => {
        const existing = item(req);
        const { data, incomingProps } = applyEvent(existing.data, parseJsonObject(req.rawBody), false);
        data.changeKey = newChangeKey();
        data.lastModifiedDateTime = graphTimestamp(ctx.now());
        const occurrence = parseOccurrenceId(existing.id);
        if (occurrence && (existing.data.type === 'occurrence' || existing.data.type === 'exception')) {
          const master = store.get(occurrence.masterId)!;
          checkWithinNeighbours(store, master, occurrence.date, eventStartMs(data));
          data.type = 'exception';
          touchMaster(store, master, ctx.now());
          const stored = store.get(existing.id);
          const saved = stored && !stored.deleted
            ? store.update({ ...stored, data, props: mergeProperties(stored.props, incomingProps) })
            : store.insert({ id: existing.id, mailbox: existing.mailbox, kind: 'event', parent: existing.parent, data, props: mergeProperties(existing.props, incomingProps) });
          sendMeetingMessages(store, saved, 'update');
          return { status: 200, body: present(saved) };
        }
        const updated = store.update({ ...existing, data, props: mergeProperties(existing.props, incomingProps) });
        sendMeetingMessages(store, updated, 'update');
        return { status: 200, body: present(updated) };
      }),
    );
    route('DELETE', `${base}/:id`, (req) =>
      store.transaction(() => {
        const existing = item(req);
        const occurrence = parseOccurrenceId(existing.id);
        if (occurrence && (existing.data.type === 'occurrence' || existing.data.type === 'exception')) {
          const master = store.get(occurrence.masterId)!;
          cancelOccurrence(store, master, occurrence.date, ctx.now());
          sendMeetingMessages(store, master, 'cancellation');
          return { status: 204 };
        }
        // A master goes with its exceptions.
        if (isMaster(existing)) for (const e of store.list(req.mailbox.id, 'event', existing.parent)) if (e.data.seriesMasterId === existing.id) store.remove(e);
        store.remove(existing);
        sendMeetingMessages(store, existing, 'cancellation');
        return { status: 204 };
      }),
    );
  }

  route('GET', '/calendarView', (req) => {
    const window = windowFromQuery(req);
    // calendarView expands series: occurrences and exceptions, never the master (delta-query-events.md).
    const [from, to] = [Date.parse(window.start), Date.parse(window.end)];
    const items = store
      .list(req.mailbox.id, 'event', primary(req).id)
      .flatMap((e) => (isMaster(e) ? instancesIn(store, e, from, to).filter((i) => i.data.type === 'occurrence') : e.data.type === 'exception' || !inWindow(e, window) ? (e.data.type === 'exception' && inWindow(e, window) ? [e] : []) : [e]));
    items.sort((a, b) => eventStartMs(a.data) - eventStartMs(b.data));
    return listResponse(ctx, req, items, { expand: expandOption(req, expandable), filterable: true, defaultTop: 10, context: 'events' });
  });
  route('GET', '/calendarView/delta', (req) =>
    deltaResponse(ctx, tokens, req, {
      kind: 'event',
      parent: primary(req).id,
      windowFromQuery,
      inWindow: (item, window) => (isMaster(item) ? seriesInWindow(store, item, Date.parse(window.start), Date.parse(window.end)) : inWindow(item, window)),
      // A changed master shows as its occurrences in the window, each with only these fields
      // (microsoft-graph-docs-contrib #34, microsoft-graph-docs #7632); the master itself never appears.
      seriesOccurrences: (item, window) =>
        isMaster(item) ? instancesIn(store, item, Date.parse(window.start), Date.parse(window.end)).filter((i) => i.data.type === 'occurrence') : null,
      occurrenceFields: ['type', 'seriesMasterId', 'start', 'end'],
      allowedExpand: [],
      // Real Graph fails here (docs-contrib #7929, msgraph-sdk-dotnet #2678); the emulator answers a clear 400.
      expandError: "The query parameter '$expand' is not supported with change tracking over the 'calendarView' resource.",
      odataType: '#microsoft.graph.event',
      context: 'Collection(event)',
    }),
  );
}
