// OutlookSide: the engine's view of the mailbox through Microsoft Graph (SyncSide, src/sync/side.ts).
//
// - Containers: contacts live in the "OroCRM" contact folder, tasks in the "OroCRM" To Do list (both
//   created once, see containers.ts); events in the primary calendar, tracked by calendarView delta over
//   the calendar window (src/sync/calendar-window.ts, default 90 days back, 365 ahead). The window is in
//   the delta tokens (graph-api.md §2) and named in our checkpoint; when the day moves it on, a new
//   round lists the new range. An event's @removed is confirmed by a direct read: calendarView/delta
//   also reports events outside its range that way.
// - Checkpoints are the whole @odata.nextLink / @odata.deltaLink, stored verbatim. A nextLink of a round
//   that began without a checkpoint is prefixed with "full:" so that `full` survives a restart mid-round.
// - Delta cannot expand extended properties (§2, §4): after each page the changed contacts/events are
//   re-read in $batch GETs with the stamp, gender and fax expanded. Tasks carry linkedResources, but a
//   To Do delta item after the initial round may hold only the changed fields: those are re-read too.
//   Except our own creates: the create answer and the properties we sent are what such a read would
//   show, so an item delta reports under the version our create got is taken from that, unread (a
//   first sync of 10,000 contacts would otherwise read all 10,000 back: Outlook's budget is 10,000
//   requests per 10 minutes, graph-http.ts). And many contacts at once (a full round) are taken from the
//   folder's listing (1,000 a request, cached briefly) when it shows them under the delta's version.
// - Writes go through $batch (≤ 20 per group, see graph-http.ts). No If-Match: Graph does not document it
//   for these items (§9). Clearing a stamp writes "" (a PATCH cannot remove a single-value property).
import { calendarWindowAt, DEFAULT_CALENDAR_WINDOW, sameWindow, type CalendarWindow, type CalendarWindowSpec } from '../sync/calendar-window';
import { FullResyncRequiredError, MalformedResponseError } from '../sync/errors';
import type { ContactRecord, EntityType, EventRecord, RecordOf, TaskRecord } from '../sync/records';
import { matchKey } from '../sync/records';
import type { ChangePage, Change, SideItem, SyncSide, WriteOp, WriteResult } from '../sync/side';
import { Containers, listAll } from './containers';
import { codeIs, failedWrite, graphError, isResyncSignal } from './graph-errors';
import type { BatchItem, BatchItemResult, GraphHttp } from './graph-http';
import {
  CONTACT_EXPAND,
  contactFromGraph,
  contactToGraph,
  crmIdFilter,
  EVENT_EXPAND,
  eventFromGraph,
  eventToGraph,
  linkedResourceFor,
  taskFromGraph,
  taskToGraph,
  type ContactField,
  type EventField,
  type TaskField,
} from './mapping';
import { LINKED_RESOURCE_APPLICATION } from './properties';
import { RecurrenceNotExpressibleError } from '../sync/recurrence';
import { ruleToGraph } from './recurrence';
import { isSeriesMaster, OutlookSeries, seriesMasterIdOf, type SeriesItem } from './series';
import { runtimeTimeZone } from './timezones';

export interface OutlookSideOptions {
  http: GraphHttp;
  /** `Prefer: odata.maxpagesize` for delta (default 100). */
  pageSize?: number;
  /** The calendar window for events (calendar-window.ts; default 90 days back, 365 ahead). */
  eventWindow?: CalendarWindowSpec;
  now?: () => number;
  /** How long findByKey / task findByCrmId reuse a listing (default 60 s); any apply() of the type drops it. */
  listCacheMs?: number;
  /** Optional link to the CRM record, set as the task linkedResource's webUrl. */
  taskWebUrl?: (crmId: string) => string | undefined;
  /**
   * The user's time zone (IANA or Windows name), in which To Do keeps due dates as local midnights
   * (default: this runtime's zone). Task reads and writes use it (`Prefer: outlook.timezone`).
   */
  timeZone?: string;
  /**
   * How often an ordinary check lists the series masters to find cancelled occurrences, which delta may
   * not report (series.ts; default SERIES_CHECK_EVERY_MS; 0: every check). A full round always lists them.
   * Kept in memory: a new side (a restarted pane, another worker process) lists on its first check.
   */
  seriesCheckEveryMs?: number;
}

/**
 * Listing the masters every 30 s check would double an idle mailbox's event requests; a cancelled
 * occurrence (the only change it finds) reaches OroCRM within 5 minutes instead.
 */
export const SERIES_CHECK_EVERY_MS = 5 * 60_000;

export const FULL_ROUND_PREFIX = 'full:';
/** Event checkpoints: `window=<start>/<end>;<checkpoint>`. */
const WINDOW_PREFIX = 'window=';
/** Internal marker: the stored round covers another window than today's. */
const WINDOW_MOVED = '\u0000window-moved';

function windowCheckpoint(w: CalendarWindow, rest: string): string {
  return `${WINDOW_PREFIX}${w.start}/${w.end};${rest}`;
}

function parseWindowCheckpoint(checkpoint: string): { window: CalendarWindow; rest: string } | null {
  if (!checkpoint.startsWith(WINDOW_PREFIX)) return null;
  const end = checkpoint.indexOf(';');
  const [start, stop] = checkpoint.slice(WINDOW_PREFIX.length, end).split('/');
  if (end < 0 || !start || !stop) return null;
  return { window: { start, end: stop }, rest: checkpoint.slice(end + 1) };
}
const UTC_PREFERENCE = 'outlook.timezone="UTC"';

type AnyItem = SideItem<ContactRecord | TaskRecord | EventRecord>;
type AnyOp = WriteOp<ContactRecord | TaskRecord | EventRecord>;
type CreateOp = Extract<AnyOp, { op: 'create' }>;

/** Created contacts/events kept per type until delta reports them (see header). */
const MAX_REMEMBERED_CREATES = 50_000;
/** Page size of container listings: Outlook's largest `$top` (1..1000), so 10,000 items cost 10 requests. */
const LISTING_PAGE = 1000;

/** From this many contacts of one delta page to read again, the folder's listing (cached briefly) serves them. */
const LISTED_REREAD_MIN = 20;

/** Up to this many creates are checked for an existing stamp one search each; more list the container once. */
const FEW_STAMP_SEARCHES = 4;

export class OutlookSide implements SyncSide {
  readonly name = 'outlook' as const;
  readonly containers: Containers;
  private readonly http: GraphHttp;
  private readonly pageSize: number;
  private readonly window: CalendarWindowSpec;
  private readonly now: () => number;
  private readonly listCacheMs: number;
  private readonly taskWebUrl: (crmId: string) => string | undefined;
  private readonly timeZone: string;
  private readonly listings = new Map<EntityType, { at: number; items: Promise<Array<AnyItem & { transactionId?: string | null }>> }>();
  /** Contacts/events we created, as a read with their properties expanded shows them, until delta reports them. */
  private readonly created = { contact: new Map<string, AnyItem>(), event: new Map<string, AnyItem>() };
  /** Recurring series: read as one item from master + instances, written master first (series.ts). */
  private readonly series: OutlookSeries;
  private readonly seriesCheckEveryMs: number;
  /** When changedSeries last listed the masters (-Infinity: never, so the first check does). */
  private seriesCheckedAt = -Infinity;

  constructor(options: OutlookSideOptions) {
    this.http = options.http;
    this.containers = new Containers(options.http);
    this.pageSize = options.pageSize ?? 100;
    this.window = options.eventWindow ?? DEFAULT_CALENDAR_WINDOW;
    this.now = options.now ?? Date.now;
    this.listCacheMs = options.listCacheMs ?? 60_000;
    this.taskWebUrl = options.taskWebUrl ?? (() => undefined);
    this.timeZone = options.timeZone ?? runtimeTimeZone();
    this.series = new OutlookSeries(this.http, () => this.windowNow());
    this.seriesCheckEveryMs = options.seriesCheckEveryMs ?? SERIES_CHECK_EVERY_MS;
    // NaN would never list again outside full rounds: refuse it rather than miss cancellations silently.
    if (!(this.seriesCheckEveryMs >= 0)) throw new RangeError(`seriesCheckEveryMs must be 0 or more milliseconds, not ${options.seriesCheckEveryMs}`);
  }

  // ---------- reading ----------

  async readChanges<T extends EntityType>(type: T, stored: string | null): Promise<ChangePage<RecordOf<T>>> {
    // Event checkpoints name the window their round covers; once the window has rolled on, a new
    // round lists the new range. It is not a full round: nothing is inferred deleted from it.
    let window: CalendarWindow | undefined;
    let checkpoint = stored;
    if (type === 'event') {
      const now = calendarWindowAt(this.now(), this.window);
      const parsed = checkpoint === null ? null : parseWindowCheckpoint(checkpoint);
      if (checkpoint !== null && !sameWindow(parsed?.window, now)) checkpoint = WINDOW_MOVED;
      else if (parsed) checkpoint = parsed.rest;
      window = parsed && checkpoint !== WINDOW_MOVED ? parsed.window : now;
    }
    let full = checkpoint === null;
    let url: string;
    if (checkpoint === null || checkpoint === WINDOW_MOVED) url = await this.deltaStart(type, window);
    else if (checkpoint.startsWith(FULL_ROUND_PREFIX)) {
      full = true;
      url = checkpoint.slice(FULL_ROUND_PREFIX.length);
    } else url = checkpoint;

    const preferences = [`odata.maxpagesize=${this.pageSize}`];
    if (type === 'event') preferences.push(UTC_PREFERENCE);
    if (type === 'task') preferences.push(zonePreference(this.timeZone));
    const res = await this.http.request({ method: 'GET', url, headers: { Prefer: preferences.join(', ') } });
    if (isResyncSignal(res.status, res.body)) {
      throw new FullResyncRequiredError(`Graph dropped the ${type} delta state (${res.status}); reading everything again.`);
    }
    if (res.status === 404 && type !== 'event') {
      // The user deleted our folder/list: find or create it again on a fresh round.
      this.containers.forget();
      throw new FullResyncRequiredError(`The OroCRM ${type === 'contact' ? 'contact folder' : 'To Do list'} is gone; starting over.`);
    }
    if (res.status < 200 || res.status > 299) throw graphError(res.status, res.headers, res.body, `GET ${type} delta`);
    const body = res.body as Record<string, unknown> | undefined;
    const value = body?.value;
    const nextLink = body?.['@odata.nextLink'];
    const deltaLink = body?.['@odata.deltaLink'];
    if (!Array.isArray(value) || (typeof nextLink !== 'string' && typeof deltaLink !== 'string')) {
      throw new MalformedResponseError(`Graph's ${type} delta page has no value array or no next/delta link.`);
    }

    // An item can appear more than once in a page (§4): keep its last occurrence.
    const latest = new Map<string, Record<string, unknown>>();
    for (const raw of value as unknown[]) {
      const id = (raw as { id?: unknown } | null)?.id;
      if (typeof id !== 'string' || !id) throw new MalformedResponseError(`Graph's ${type} delta page has an item without an id.`);
      // An occurrence or exception stands for its series, read whole from its master (series.ts).
      const masterId = type === 'event' ? seriesMasterIdOf(raw as Record<string, unknown>) : null;
      latest.delete(masterId ?? id);
      latest.set(masterId ?? id, masterId ? { id: masterId } : (raw as Record<string, unknown>));
    }
    const changes = await this.toChanges(type, [...latest.values()], full);
    if (type === 'event' && typeof nextLink !== 'string' && (full || this.now() - this.seriesCheckedAt >= this.seriesCheckEveryMs)) {
      changes.push(...(await this.changedSeries(changes)));
      this.seriesCheckedAt = this.now();
    }

    let next: string;
    if (typeof nextLink === 'string') next = (full ? FULL_ROUND_PREFIX : '') + this.http.resolve(nextLink);
    else next = this.http.resolve(deltaLink as string);
    if (window) next = windowCheckpoint(window, next);
    const page: ChangePage<RecordOf<T>> = { changes: changes as Array<Change<RecordOf<T>>>, checkpoint: next, done: typeof nextLink !== 'string', full };
    if (window) page.window = window;
    return page;
  }

  private async deltaStart(type: EntityType, window?: CalendarWindow): Promise<string> {
    if (type === 'contact') return `/me/contactFolders/${encodeURIComponent(await this.containers.contactFolderId())}/contacts/delta`;
    if (type === 'task') return `/me/todo/lists/${encodeURIComponent(await this.containers.todoListId())}/tasks/delta?$expand=linkedResources`;
    const { start, end } = window ?? this.windowNow();
    return `/me/calendarView/delta?startDateTime=${encodeURIComponent(start)}&endDateTime=${encodeURIComponent(end)}`;
  }

  /** The calendar window now (calendar-window.ts), shared in concept with the CRM side. */
  windowNow(): CalendarWindow {
    return calendarWindowAt(this.now(), this.window);
  }

  /**
   * Delta entries → changes. Contacts/events are re-read to see stamps. A task is used as the delta sent
   * it only in a round's initial listing (full items, with links); in later rounds To Do may send only
   * the changed fields, so it is re-read before any field is used.
   */
  private async toChanges(type: EntityType, raws: Record<string, unknown>[], initialRound: boolean): Promise<Array<Change<unknown>>> {
    // calendarView/delta also reports events *outside* its range as @removed (event-delta.md): only an
    // event a direct read cannot find is deleted; the others are read like any change.
    const removedMeansDeleted = type !== 'event';
    const changes: Array<Change<unknown> | null> = raws.map((raw) => ('@removed' in raw && removedMeansDeleted ? { kind: 'delete', id: raw.id as string } : null));
    let reread: number[] = [];
    raws.forEach((raw, i) => {
      if (changes[i]) return;
      const ours = this.ownCreate(type, raw);
      if (ours) changes[i] = { kind: 'upsert', item: ours };
      else if (type === 'task' && initialRound && Array.isArray(raw.linkedResources)) changes[i] = { kind: 'upsert', item: this.fromGraph(type, raw) };
      else reread.push(i);
    });
    if (type === 'contact' && reread.length >= LISTED_REREAD_MIN) {
      // Many at once (a full round): the folder's listing shows them with their properties, 1,000 a
      // request instead of one request each; an item listed under the delta's version is that item.
      const listed = new Map((await this.listing(type)).map((item) => [item.id, item]));
      reread = reread.filter((i) => {
        const item = listed.get(raws[i].id as string);
        if (!item || item.version !== (raws[i].changeKey || raws[i]['@odata.etag'])) return true;
        changes[i] = { kind: 'upsert', item: strip(item) };
        return false;
      });
    }
    if (reread.length) {
      const items = await this.get(type, reread.map((i) => raws[i].id as string));
      reread.forEach((i, k) => {
        const item = items[k];
        // Deleted between the delta page and our GET: report the delete.
        changes[i] = item ? { kind: 'upsert', item } : { kind: 'delete', id: raws[i].id as string };
      });
    }
    return changes as Array<Change<unknown>>;
  }

  /** Series whose master changed without a sign in delta (a cancelled occurrence); see seriesCheckEveryMs. */
  private async changedSeries(reported: ReadonlyArray<Change<unknown>>): Promise<Array<Change<unknown>>> {
    const seen = new Set(reported.map((c) => (c.kind === 'upsert' ? c.item.id : c.id)));
    const ids = (await this.series.changedMasters()).filter((id) => !seen.has(id));
    const items = await this.get('event', ids);
    return items.flatMap((item) => (item ? [{ kind: 'upsert' as const, item }] : []));
  }

  /**
   * Events as items. A series master, or an occurrence or exception of it, is the whole series under
   * the master's id (series.ts); a master no longer there is null.
   */
  private async eventItems(raws: ReadonlyArray<Record<string, unknown>>): Promise<Array<AnyItem | null>> {
    const reads = new Map<string, Promise<SeriesItem | null>>();
    const seriesOf = (id: string, master?: Record<string, unknown>) => {
      if (!reads.has(id)) reads.set(id, master ? this.series.read(master) : this.readMaster(id));
      return reads.get(id)!;
    };
    return Promise.all(
      raws.map((raw) => {
        if (isSeriesMaster(raw)) return seriesOf(String(raw.id), raw);
        const masterId = seriesMasterIdOf(raw);
        return masterId ? seriesOf(masterId) : this.fromGraph('event', raw);
      }),
    );
  }

  private async readMaster(id: string): Promise<SeriesItem | null> {
    const res = await this.http.request({ method: 'GET', url: `${itemUrl('/me/events', id)}?${this.readQuery('event')}`, headers: this.readHeaders('event') });
    if (res.status === 404) return null;
    if (res.status !== 200) throw graphError(res.status, res.headers, res.body, `GET event ${id}`);
    return isSeriesMaster(res.body as Record<string, unknown>) ? this.series.read(res.body as Record<string, unknown>) : eventFromGraph(res.body);
  }

  /** Our own create of this delta item, when the item is still as that create left it (same version). */
  private ownCreate(type: EntityType, raw: Record<string, unknown>): AnyItem | null {
    if (type === 'task') return null;
    const created = this.created[type];
    const item = created.get(raw.id as string);
    if (!item) return null;
    created.delete(item.id);
    return item.version === (raw.changeKey || raw['@odata.etag']) ? item : null;
  }

  /** Keeps a created contact/event as a read would show it: the 201 answer plus the properties we sent (never echoed, §6). */
  private rememberCreate(type: EntityType, sent: BatchItem, answer: BatchItemResult): void {
    if (type === 'task' || typeof answer.body !== 'object' || answer.body === null) return;
    const props = (sent.body as { singleValueExtendedProperties?: unknown }).singleValueExtendedProperties ?? [];
    try {
      const item = this.fromGraph(type, { ...(answer.body as Record<string, unknown>), singleValueExtendedProperties: props });
      const created = this.created[type];
      // Bounded: an item deleted before its echo came by would stay forever otherwise.
      if (created.size >= MAX_REMEMBERED_CREATES) created.delete(created.keys().next().value as string);
      created.set(item.id, item);
    } catch {
      /* unreadable answer: the item is read back like any other */
    }
  }

  async get<T extends EntityType>(type: T, ids: ReadonlyArray<string>): Promise<Array<SideItem<RecordOf<T>> | null>> {
    if (ids.length === 0) return [];
    const coll = await this.collection(type);
    const answers = await this.http.batch(ids.map((id) => ({ method: 'GET', url: `${itemUrl(coll, id)}?${this.readQuery(type)}`, headers: this.readHeaders(type) })));
    const found = answers.map((a, i) => {
      if (a.status === 404) return null;
      if (a.status !== 200) throw graphError(a.status, a.headers, a.body, `GET ${type} ${ids[i]}`);
      return a.body as Record<string, unknown>;
    });
    if (type === 'event') {
      const items = await this.eventItems(found.filter((r): r is Record<string, unknown> => r !== null));
      return found.map((r) => (r === null ? null : ((items.shift() ?? null) as SideItem<RecordOf<T>> | null)));
    }
    return found.map((r) => (r === null ? null : (this.fromGraph(type, r) as SideItem<RecordOf<T>>)));
  }

  /**
   * Moves (docs/sync.md "Moves"). A contact keeps its immutable id when the user moves it to another folder,
   * and `/me/contacts/{id}` reads it in any folder (contact-get.md): it moved when its `parentFolderId` is
   * another contact folder. Deleted Items, where Outlook puts a deleted contact, is a mail folder
   * (`/me/contactFolders/{id}` does not find it), so a contact there is gone. A To Do task gets a new id
   * when it moves lists (resources/todotask.md), and To Do has no read by id across lists: the other lists
   * are searched for it by its old id or by our stamp (linkedResources move with the task).
   */
  async findMovedAway<T extends EntityType>(type: T, gone: ReadonlyArray<{ id: string; crmId: string }>): Promise<Array<SideItem<RecordOf<T>> | null>> {
    if (gone.length === 0 || type === 'event') return gone.map(() => null);
    if (type === 'task') return (await this.tasksMovedAway(gone)) as Array<SideItem<RecordOf<T>> | null>;
    const folder = await this.containers.contactFolderId();
    const answers = await this.http.batch(gone.map((g) => ({ method: 'GET', url: `/me/contacts/${encodeURIComponent(g.id)}?${this.readQuery('contact')}` })));
    const out: Array<SideItem<RecordOf<T>> | null> = [];
    for (const [i, a] of answers.entries()) {
      if (a.status === 404) {
        out.push(null);
        continue;
      }
      if (a.status !== 200) throw graphError(a.status, a.headers, a.body, `GET contact ${gone[i].id}`);
      const item = this.fromGraph('contact', a.body) as SideItem<RecordOf<T>>;
      const parent = (a.body as { parentFolderId?: unknown }).parentFolderId;
      if (parent === folder) out.push(strip(item));
      else out.push(typeof parent === 'string' && (await this.isContactFolder(parent)) ? { ...strip(item), movedOut: true } : null);
    }
    return out;
  }

  private readonly contactFolders = new Map<string, Promise<boolean>>();

  /** Whether an id names one of the user's contact folders (not Deleted Items or another mail folder). Cached: folder ids never change. */
  private isContactFolder(id: string): Promise<boolean> {
    let known = this.contactFolders.get(id);
    if (!known) {
      known = this.http.request({ method: 'GET', url: `/me/contactFolders/${encodeURIComponent(id)}` }).then((res) => {
        if (res.status === 200) return true;
        if (res.status === 404 || res.status === 400) return false;
        throw graphError(res.status, res.headers, res.body, `GET contact folder ${id}`);
      });
      known.catch(() => this.contactFolders.delete(id));
      this.contactFolders.set(id, known);
    }
    return known;
  }

  private async tasksMovedAway(gone: ReadonlyArray<{ id: string; crmId: string }>): Promise<Array<AnyItem | null>> {
    const ours = await this.containers.todoListId();
    const lists = (await listAll(this.http, '/me/todo/lists')).filter((l) => typeof l.id === 'string' && l.id !== ours);
    const byId = new Map<string, AnyItem>();
    const byStamp = new Map<string, AnyItem>();
    for (const list of lists) {
      const url = `/me/todo/lists/${encodeURIComponent(list.id as string)}/tasks?${this.readQuery('task')}&$top=${LISTING_PAGE}`;
      for (const raw of await listAll(this.http, url, this.readHeaders('task'))) {
        const item = strip(this.fromGraph('task', raw));
        byId.set(item.id, item);
        if (typeof item.crmId === 'string' && !byStamp.has(item.crmId)) byStamp.set(item.crmId, item);
      }
    }
    return gone.map((g) => {
      const found = byId.get(g.id) ?? byStamp.get(g.crmId);
      return found ? { ...found, movedOut: true } : null;
    });
  }

  async findByKey<T extends EntityType>(type: T, record: RecordOf<T>): Promise<Array<SideItem<RecordOf<T>>>> {
    const key = matchKey(type, record);
    const items = await this.listing(type);
    return items.filter((i) => matchKey(type, i.record as RecordOf<T>) === key).map(strip) as Array<SideItem<RecordOf<T>>>;
  }

  async findByCrmId<T extends EntityType>(type: T, crmId: string): Promise<Array<SideItem<RecordOf<T>>>> {
    if (type === 'task') {
      return (await this.listing(type)).filter((i) => i.crmId === crmId).map(strip) as Array<SideItem<RecordOf<T>>>;
    }
    return (await this.searchStamp(type, crmId)).map(strip) as Array<SideItem<RecordOf<T>>>;
  }

  /** Contacts/events whose OroCRM_id equals `crmId`, via $filter on the extended property (§6). */
  private async searchStamp(type: 'contact' | 'event', crmId: string): Promise<Array<AnyItem & { transactionId?: string | null }>> {
    const coll = type === 'contact' ? await this.collection(type) : '/me/events';
    const url = `${coll}?$filter=${encodeURIComponent(crmIdFilter(crmId))}&${this.readQuery(type)}`;
    const raws = await listAll(this.http, url, this.readHeaders(type));
    // Graph compares values case-insensitively; the stamp is ours, so compare exactly.
    const items = type === 'event' ? ((await this.eventItems(raws)) as AnyItem[]) : raws.map((r) => this.fromGraph(type, r));
    return items.filter((i) => i.crmId === crmId);
  }

  async findCreated<T extends EntityType>(type: T, op: Extract<WriteOp<RecordOf<T>>, { op: 'create' }>): Promise<SideItem<RecordOf<T>> | null> {
    return (await this.findCreatedAny(type, op as CreateOp)) as SideItem<RecordOf<T>> | null;
  }

  private async findCreatedAny(type: EntityType, op: CreateOp): Promise<AnyItem | null> {
    if (type === 'event') {
      // transactionId is the op key (set on create); the stamp narrows the search when we have one.
      const stamped = op.crmId ? await this.searchStamp('event', op.crmId) : [];
      const byTransaction = (items: Array<AnyItem & { transactionId?: string | null }>) => items.find((i) => i.transactionId === op.key);
      const found = byTransaction(stamped) ?? byTransaction(await this.listing('event', true));
      return found ? strip(found) : null;
    }
    if (!op.crmId) return null; // Without a stamp a contact/task create cannot be recognised again.
    if (type === 'contact') return (await this.searchStamp('contact', op.crmId)).map(strip)[0] ?? null;
    return (await this.listing('task', true)).filter((i) => i.crmId === op.crmId).map(strip)[0] ?? null;
  }

  async findExisting<T extends EntityType>(type: T, ops: ReadonlyArray<Extract<WriteOp<RecordOf<T>>, { op: 'create' }>>): Promise<Array<SideItem<RecordOf<T>> | null>> {
    const creates = ops as ReadonlyArray<CreateOp>;
    if (!creates.some((op) => op.crmId)) return creates.map(() => null);
    // A few creates: one stamp search each; more: one fresh listing of the container serves them all.
    if (type !== 'task' && creates.length <= FEW_STAMP_SEARCHES) {
      const out: Array<SideItem<RecordOf<T>> | null> = [];
      for (const op of creates) out.push(op.crmId ? (((await this.searchStamp(type, op.crmId)).map(strip)[0] as SideItem<RecordOf<T>> | undefined) ?? null) : null);
      return out;
    }
    const byStamp = new Map<string, AnyItem>();
    for (const item of await this.listing(type, true)) if (typeof item.crmId === 'string' && !byStamp.has(item.crmId)) byStamp.set(item.crmId, item);
    return creates.map((op) => {
      const found = op.crmId ? byStamp.get(op.crmId) : undefined;
      return found ? (strip(found) as SideItem<RecordOf<T>>) : null;
    });
  }

  /** Every item of a type's container (events: the calendarView window), cached briefly. */
  private listing(type: EntityType, fresh = false): Promise<Array<AnyItem & { transactionId?: string | null }>> {
    const cached = this.listings.get(type);
    if (!fresh && cached && this.now() - cached.at < this.listCacheMs) return cached.items;
    const items = (async () => {
      let url: string;
      if (type === 'event') {
        const { start, end } = this.windowNow();
        url = `/me/calendarView?startDateTime=${encodeURIComponent(start)}&endDateTime=${encodeURIComponent(end)}&${this.readQuery(type)}&$top=${LISTING_PAGE}`;
      } else url = `${await this.collection(type)}?${this.readQuery(type)}&$top=${LISTING_PAGE}`;
      const raws = await listAll(this.http, url, this.readHeaders(type));
      if (type !== 'event') return raws.map((r) => this.fromGraph(type, r));
      // calendarView lists a series as its occurrences: one item per series.
      const byId = new Map<string, AnyItem>();
      for (const item of await this.eventItems(raws)) if (item && !byId.has(item.id)) byId.set(item.id, item);
      return [...byId.values()];
    })();
    this.listings.set(type, { at: this.now(), items });
    items.catch(() => this.listings.delete(type));
    return items;
  }

  // ---------- writing ----------

  async apply<T extends EntityType>(type: T, ops: ReadonlyArray<WriteOp<RecordOf<T>>>): Promise<WriteResult[]> {
    this.listings.delete(type);
    const all = ops as ReadonlyArray<AnyOp>;
    const coll = await this.collection(type);
    const results: Array<WriteResult | undefined> = new Array(all.length);
    if (type === 'task') await this.restampTasks(coll, all, results);
    if (type === 'event') refuseInexpressible(all, results);
    if (type === 'event') await this.spareMeetings(coll, all, results);

    let todo = all.map((_, i) => i).filter((i) => results[i] === undefined);
    // A create whose answer was lost is looked for before it is sent again (never a blind re-POST).
    for (let round = 0; todo.length && round < 3; round++) {
      const sent = todo.map((i) => this.writeItem(type, coll, all[i]));
      const answers = await this.http.batch(sent);
      const lost: number[] = [];
      const keyUsed = new Set<number>();
      answers.forEach((a, k) => {
        const i = todo[k];
        results[i] = this.writeResult(type, all[i], a);
        if (all[i].op === 'create' && results[i]!.ok && !seriesOf(all[i])) this.rememberCreate(type, sent[k], a);
        else if (all[i].op !== 'create' && type !== 'task') this.created[type as 'contact' | 'event'].delete((all[i] as { id: string }).id);
        const duplicateKey = type === 'event' && codeIs(a.body, 'ErrorDuplicateTransactionId');
        if (duplicateKey) keyUsed.add(i);
        if ((a.status === 0 || duplicateKey) && all[i].op === 'create' && (type === 'event' || (all[i] as CreateOp).crmId)) lost.push(i);
      });
      todo = [];
      for (const i of lost) {
        const found = await this.findCreatedAny(type, all[i] as CreateOp);
        if (found) results[i] = { ok: true, id: found.id, version: found.version };
        else if (!keyUsed.has(i)) todo.push(i);
      }
    }
    if (type === 'event') await this.writeSeriesExceptions(all, results);
    this.listings.delete(type);
    return results as WriteResult[];
  }

  /** A written series master, then its occurrences to match its exceptions; the result carries the final version. */
  private async writeSeriesExceptions(ops: ReadonlyArray<AnyOp>, results: Array<WriteResult | undefined>): Promise<void> {
    for (const [i, op] of ops.entries()) {
      const record = seriesOf(op);
      const written = results[i];
      if (!record || !written?.ok) continue;
      results[i] = await this.series.writeExceptions(written.id, record).catch((e: unknown) => failedWrite(0, undefined, `write the occurrences of "${record.title}": ${(e as Error).message}`));
    }
  }

  private writeItem(type: EntityType, coll: string, op: AnyOp): BatchItem {
    if (op.op === 'delete') return { method: 'DELETE', url: itemUrl(coll, op.id) };
    const headers = this.readHeaders(type);
    if (op.op === 'create') {
      if (type === 'contact') return { method: 'POST', url: coll, body: contactToGraph(op.record as ContactRecord, undefined, op.crmId) };
      if (type === 'event') {
        // transactionId makes a resent create return the first event, not a duplicate (§2).
        return { method: 'POST', url: coll, headers, keyed: true, body: { ...eventToGraph(op.record as EventRecord, undefined, op.crmId), ...recurrenceBody(op), transactionId: op.key } };
      }
      const body: Record<string, unknown> = taskToGraph(op.record as TaskRecord, undefined, this.timeZone);
      if (op.crmId) body.linkedResources = [linkedResourceFor(op.crmId, this.taskWebUrl(op.crmId))];
      return { method: 'POST', url: coll, headers, body };
    }
    const url = itemUrl(coll, op.id);
    if (type === 'contact') return { method: 'PATCH', url, body: contactToGraph(op.record as ContactRecord, op.fields as ContactField[] | undefined, op.crmId) };
    if (type === 'event') return { method: 'PATCH', url, headers, body: { ...eventToGraph(op.record as EventRecord, op.fields as EventField[] | undefined, op.crmId), ...recurrenceBody(op) } };
    return { method: 'PATCH', url, headers, body: taskToGraph(op.record as TaskRecord, op.fields as TaskField[] | undefined, this.timeZone) };
  }

  private writeResult(type: EntityType, op: AnyOp, a: BatchItemResult): WriteResult {
    const what = `${op.op} ${type}${op.op === 'create' ? '' : ` ${op.id}`}`;
    if (a.status < 200 || a.status > 299) return failedWrite(a.status, a.body, what);
    if (op.op === 'delete') return { ok: true, id: op.id, version: '' };
    try {
      const item = this.fromGraph(type, a.body);
      return { ok: true, id: item.id, version: item.version };
    } catch (e) {
      return { ok: false, code: 'unknown', message: `${what}: ${(e as Error).message}`, retryable: false };
    }
  }

  /**
   * Meetings are read-only here: an organizer's update of a meeting mails its attendees the change, and
   * "deleting the event on the organizer's calendar sends a cancellation message to the meeting attendees"
   * (api/event-delete.md). So an event with attendees is never written or deleted: a write of the stamp
   * alone is skipped (the relation links it), any other update or a delete is refused, not retried.
   */
  private async spareMeetings(coll: string, ops: ReadonlyArray<AnyOp>, results: Array<WriteResult | undefined>): Promise<void> {
    const targets = ops.flatMap((op, i) => (op.op === 'create' || results[i] !== undefined ? [] : [{ i, op }]));
    if (!targets.length) return;
    const answers = await this.http.batch(targets.map((t) => ({ method: 'GET', url: `${itemUrl(coll, t.op.id)}?$select=attendees,changeKey` })));
    targets.forEach(({ i, op }, k) => {
      const a = answers[k];
      if (a.status !== 200) return; // the write itself will say what is wrong
      const body = a.body as { attendees?: unknown; changeKey?: unknown; '@odata.etag'?: unknown } | undefined;
      if (!Array.isArray(body?.attendees) || body.attendees.length === 0) return;
      const stampOnly = op.op === 'update' && Object.keys(eventToGraph(op.record as EventRecord, op.fields as EventField[] | undefined, op.crmId)).every((k) => k === 'singleValueExtendedProperties');
      const version = body.changeKey ?? body['@odata.etag'];
      if (stampOnly && typeof version === 'string') results[i] = { ok: true, id: op.id, version };
      else {
        const what = op.op === 'delete' ? 'deleting it would send them a cancellation' : 'changing it would send them an update';
        results[i] = { ok: false, code: 'invalid', retryable: false, message: `Outlook meeting ${op.id} has attendees: ${what}, so the sync leaves it as it is.` };
      }
    });
  }

  /**
   * Task stamps live in linkedResources, which PATCH on the task cannot change: read them, then add, fix
   * or delete ours. This runs before the task PATCH so the version it returns is the final one.
   */
  private async restampTasks(coll: string, ops: ReadonlyArray<AnyOp>, results: Array<WriteResult | undefined>): Promise<void> {
    const targets = ops.flatMap((op, i) => (op.op === 'update' && op.crmId !== undefined ? [{ i, id: op.id, crmId: op.crmId }] : []));
    if (!targets.length) return;
    const current = await this.http.batch(targets.map((t) => ({ method: 'GET', url: `${itemUrl(coll, t.id)}/linkedResources` })));
    const writes: Array<{ i: number; item: BatchItem }> = [];
    targets.forEach((t, k) => {
      const a = current[k];
      if (a.status !== 200) return void (results[t.i] = failedWrite(a.status, a.body, `read links of task ${t.id}`));
      const value = (a.body as { value?: unknown } | undefined)?.value;
      // Read as "no links", an unreadable answer would add a second stamp next to the one already there.
      if (!Array.isArray(value) || !value.every((l) => typeof l === 'object' && l !== null)) {
        return void (results[t.i] = { ok: false, code: 'unknown', message: `read links of task ${t.id}: Graph's answer has no list of links.`, retryable: false });
      }
      const links = value as Array<{ id?: string; applicationName?: string; externalId?: string }>;
      const ours = links.filter((l) => (l.applicationName ?? '').toLowerCase() === LINKED_RESOURCE_APPLICATION.toLowerCase() && typeof l.id === 'string');
      const linkUrl = (id: string) => `${itemUrl(coll, t.id)}/linkedResources/${encodeURIComponent(id)}`;
      // Replace rather than PATCH a link: create and delete are the operations every Graph version has.
      const keep = t.crmId === null ? undefined : ours.find((l) => l.externalId === t.crmId);
      for (const l of ours) if (l !== keep) writes.push({ i: t.i, item: { method: 'DELETE', url: linkUrl(l.id as string) } });
      if (t.crmId !== null && !keep) {
        writes.push({ i: t.i, item: { method: 'POST', url: `${itemUrl(coll, t.id)}/linkedResources`, body: linkedResourceFor(t.crmId, this.taskWebUrl(t.crmId)) } });
      }
    });
    const answers = await this.http.batch(writes.map((w) => w.item));
    answers.forEach((a, k) => {
      const { i } = writes[k];
      const ok = (a.status >= 200 && a.status < 300) || (a.status === 404 && writes[k].item.method === 'DELETE');
      if (!ok && results[i] === undefined) results[i] = failedWrite(a.status, a.body, `stamp task ${(ops[i] as { id: string }).id}`);
    });
  }

  // ---------- per-type wiring ----------

  private async collection(type: EntityType): Promise<string> {
    if (type === 'contact') return `/me/contactFolders/${encodeURIComponent(await this.containers.contactFolderId())}/contacts`;
    if (type === 'task') return `/me/todo/lists/${encodeURIComponent(await this.containers.todoListId())}/tasks`;
    return '/me/calendar/events';
  }

  private readQuery(type: EntityType): string {
    if (type === 'contact') return `$expand=${encodeURIComponent(CONTACT_EXPAND)}`;
    if (type === 'event') return `$expand=${encodeURIComponent(EVENT_EXPAND)}`;
    return '$expand=linkedResources';
  }

  private readHeaders(type: EntityType): Record<string, string> | undefined {
    if (type === 'event') return { Prefer: UTC_PREFERENCE };
    if (type === 'task') return { Prefer: zonePreference(this.timeZone) };
    return undefined;
  }

  private fromGraph(type: EntityType, json: unknown): AnyItem & { transactionId?: string | null } {
    if (type === 'contact') return contactFromGraph(json);
    if (type === 'task') return taskFromGraph(json, this.timeZone);
    return eventFromGraph(json);
  }
}

/** The series record an event write carries, if it is one. */
function seriesOf(op: AnyOp): EventRecord | null {
  return op.op !== 'delete' && (op.record as EventRecord).recurrence ? (op.record as EventRecord) : null;
}

/**
 * The master's `recurrence` in an event write: a series always sends its rule (its startDate goes with the
 * master's start); a write naming `recurrence` for a record without one makes the event single again.
 */
function recurrenceBody(op: AnyOp): { recurrence?: unknown } {
  if (op.op === 'delete') return {};
  const record = op.record as EventRecord;
  if (record.recurrence) return { recurrence: ruleToGraph(record.recurrence) };
  return op.op === 'update' && op.fields?.includes('recurrence' as never) ? { recurrence: null } : {};
}

/** A series Outlook cannot hold is refused whole, never sent in part (a non-retryable `invalid` result). */
function refuseInexpressible(ops: ReadonlyArray<AnyOp>, results: Array<WriteResult | undefined>): void {
  for (const [i, op] of ops.entries()) {
    const record = seriesOf(op);
    if (!record) continue;
    try {
      ruleToGraph(record.recurrence!);
    } catch (e) {
      if (!(e instanceof RecurrenceNotExpressibleError)) throw e;
      results[i] = { ok: false, code: 'invalid', message: e.message, retryable: false };
    }
  }
}

function zonePreference(timeZone: string): string {
  return `outlook.timezone="${timeZone}"`;
}

function itemUrl(coll: string, id: string): string {
  return `${coll}/${encodeURIComponent(id)}`;
}

/** A SideItem without mapping extras (transactionId). */
function strip<R>(item: SideItem<R> & { transactionId?: string | null }): SideItem<R> {
  const out: SideItem<R> = { id: item.id, version: item.version, record: item.record };
  if (item.crmId !== undefined) out.crmId = item.crmId;
  return out;
}
