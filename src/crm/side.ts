// The CRM side of the sync (issue 3, sync-design.md): the signed-in user's own contacts and tasks
// (JSON:API, filter[owner]=<me>) and the events of their default calendar (legacy REST, oro-api.md §3).
//
// - readChanges: one page per call; the checkpoint (checkpoint.ts) is an updatedAt high-water mark
//   that never loses records sharing the boundary second, plus the deletion position.
// - Deletions come from the audit API (action=remove, read by position in the id-ordered log, since
//   Oro writes its rows late; one read per cycle for all types, filtered here by objectClass, see
//   readDeletions and auditRemovals). Where it is missing
//   (404) or forbidden (403), ids are reconciled: a complete id listing, then each missing id is
//   confirmed gone by a direct lookup. A failed or partial listing throws and infers nothing.
// - apply: contacts and tasks through the synchronous batch (≤100 records, ≤50 included addresses),
//   events one by one; deletes of contacts/tasks as a filtered collection DELETE of ≤100 ids.
// - Idempotent creates: contacts carry externalId (from op.key) and a retry looks it up first;
//   events carry uid = op.key; tasks have neither, so findCreated looks for a task with the same
//   matching key created recently (limit: an identical task created by someone else in that window
//   would be taken for ours, and tasks creates are retried only after 429, never after 5xx/drops).
import type { ChangePage, Change, SideItem, SyncSide, UnsyncedFields, WriteOp, WriteResult } from '../sync/side';
import { matchKey, type ContactRecord, type EntityType, type EventRecord, type PostalAddress, type RecordOf, type TaskRecord } from '../sync/records';
import { AuthenticationError, FullResyncRequiredError, MalformedResponseError, RequestRejectedError, ServiceUnavailableError, SyncError, ThrottledError } from '../sync/errors';
import { calendarWindowAt, DEFAULT_CALENDAR_WINDOW, sameWindow, type CalendarWindow, type CalendarWindowSpec } from '../sync/calendar-window';
import { decodeCheckpoint, encodeCheckpoint, type CrmCheckpoint, type Deletions } from './checkpoint';
import { errorFromResponse, parseErrorDocument, type CrmProblem } from './errors';
import { RetryingClient, RetrySatisfied, type RetryMode, type RetryPolicy } from './entities-client';
import {
  asyncOperationDocumentSchema,
  asyncOperationErrorsSchema,
  auditListSchema,
  defaultCalendarSchema,
  userProfileSchema,
  eventWriteAnswerSchema,
  legacyEventListSchema,
  legacyEventSchema,
  listDocumentSchema,
  parseWire,
  regionAttributesSchema,
  type AuditEntry,
  type LegacyEvent,
  type OroResource,
} from './entities-wire';
import type { CrmHttp, CrmRequest, CrmResponse, QueryValue } from './http';
import { countriesOf, fitRegions, RegionCatalog, type OroRegion } from './regions';
import { RecurrenceNotExpressibleError } from '../sync/recurrence';
import { CrmSeries, seriesIdOf } from './series';
import { CONTACT_NAME_MAX, contactFromOro, contactToOro, eventFromOro, eventToOro, fitContactToOro, taskFromOro, taskToOro, versionOf } from './mapping';

export const CRM_BATCH_LIMIT = 100;
/** Polling an asynchronous operation: first wait, and the longest wait between two polls. */
const ASYNC_POLL_FIRST_MS = 200;
const ASYNC_POLL_MAX_MS = 10_000;
export const CRM_BATCH_INCLUDED_LIMIT = 50;
const EXTERNAL_ID_MAX = 36;

const JSONAPI_TYPE: Record<'contact' | 'task', string> = { contact: 'contacts', task: 'tasks' };
/** Audit object classes with `_` for `\` (oro-api.md §7). */
const AUDIT_CLASS: Record<EntityType, string> = {
  contact: 'Oro_Bundle_ContactBundle_Entity_Contact',
  task: 'Oro_Bundle_TaskBundle_Entity_Task',
  event: 'Oro_Bundle_CalendarBundle_Entity_CalendarEvent',
};
const LEGACY = '/api/rest/latest';
const LEGACY_NOT_GRANTED =
  "Calendar events can't sync: Oro refused its legacy REST API (/api/rest), where calendar events live, to this sign-in. " +
  "Its OAuth application must have access to all APIs, or to the legacy one ('plain (deprecated)', view default) as well as JSON:API (docs/setup.md, step 3).";
const LEGACY_OUT_OF_REACH = "Calendar events can't sync here: Oro's legacy REST API (/api/rest) cannot be reached from this pane.";
/** A shared audit read older than this is not handed to another type (a cycle takes well under it). */
const SHARED_AUDIT_MAX_AGE_MS = 60_000;
/** Rows per page of the removal log, and how far back each read of it goes. */
const AUDIT_PAGE = 100;
const AUDIT_OVERLAP = 100;
/** Where the read of a removal log read up to `at` begins: AUDIT_OVERLAP rows back, or at the start. */
const readStart = (at: number) => (at - AUDIT_OVERLAP >= AUDIT_PAGE ? at - AUDIT_OVERLAP : 0);
/** A round's event listing serves its later slices for this long; older, it is read again. */
const EVENT_LISTING_MAX_AGE_MS = 60_000;
/** Reads of a growing event listing before giving up for this cycle. */
const EVENT_LISTING_ATTEMPTS = 4;

export interface CrmSideOptions {
  http: CrmHttp;
  /** Records per page when reading (≤100 is kind to Oro). */
  pageSize?: number;
  /** Records per sync batch (≤100, Oro's limit). */
  batchSize?: number;
  retry?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  /** How far back findCreated looks for a task created by a lost request. */
  taskCreateWindowMs?: number;
  /** How long a batch Oro finishes asynchronously (202) is waited for within one apply (default 10 min). */
  asyncWaitMs?: number;
  /** The calendar window for events (calendar-window.ts; default 90 days back, 365 ahead). */
  eventWindow?: CalendarWindowSpec;
  /** Wall clock for the calendar window; injectable for tests. */
  now?: () => number;
  /**
   * False where the legacy REST API (/api/rest: events, audits, calendars/default) cannot be reached: a
   * browser pane, since Oro sends no CORS headers there (issue 11 #2). Deletions are then found by
   * reconciling ids over the JSON:API, and events cannot sync (the caller turns them off and says so).
   */
  legacyRest?: boolean;
  /**
   * The CRM user whose records these are, when not the signed-in one: the sync server signs in as its
   * integration user and acts for each user (src/server/). Lists filter by this owner, creates name it
   * as owner, events live in its default calendar. Unset: the signed-in user (calendars/default).
   */
  owner?: CrmOwner;
}

/** A CRM user and their default calendar. */
export interface CrmOwner {
  userId: number;
  calendarId: number;
}

interface Me {
  userId: number;
}

type AnyRecord = ContactRecord | TaskRecord | EventRecord;
type AnyItem = SideItem<AnyRecord>;

export class CrmSide implements SyncSide {
  readonly name = 'crm' as const;
  readonly client: RetryingClient;
  /** Recurring series: one item per master, read and written with its exceptions (series.ts). */
  private readonly series: CrmSeries;
  private readonly pageSize: number;
  private readonly batchSize: number;
  private readonly taskWindowMs: number;
  private readonly asyncWaitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly eventWindow: CalendarWindowSpec;
  private readonly now: () => number;
  private readonly legacyRest: boolean;
  private mePromise: Promise<Me> | null = null;
  private calendarPromise: Promise<number> | null = null;
  private readonly owner: CrmOwner | undefined;
  /** The last audit read of removals, shared by the types of one cycle (auditRemovals). */
  private sharedAudit: { from: number; entries: AuditEntry[]; takenBy: Set<EntityType>; at: number } | null = null;
  /** The current round's complete event listing (eventSlice). */
  private eventListing: { since: string | null; at: number; events: LegacyEvent[]; total: number | null } | null = null;
  /** Each type's audit position as last seen, so a shared read starts early enough for all. */
  private readonly auditPositions = new Map<EntityType, { from: number; at: number }>();

  private readonly regions = new RegionCatalog((countries) => this.fetchRegions(countries));

  constructor(options: CrmSideOptions) {
    this.client = new RetryingClient(options.http, options.retry, options.sleep);
    this.series = new CrmSeries({
      list: (query) => this.listEventsRaw(query),
      send: (req) => this.client.send(req),
      check: (res, what) => this.check(res, what),
      invalid: legacyInvalid,
      calendarId: () => this.calendarId(),
      untilMs: () => Date.parse(this.windowNow().end),
    });
    this.pageSize = Math.min(Math.max(options.pageSize ?? 100, 1), 100);
    this.batchSize = Math.min(Math.max(options.batchSize ?? CRM_BATCH_LIMIT, 1), CRM_BATCH_LIMIT);
    this.taskWindowMs = options.taskCreateWindowMs ?? 24 * 3600_000;
    this.asyncWaitMs = options.asyncWaitMs ?? 600_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.legacyRest = options.legacyRest ?? true;
    this.eventWindow = options.eventWindow ?? DEFAULT_CALENDAR_WINDOW;
    this.now = options.now ?? Date.now;
    this.owner = options.owner;
    if (this.owner) {
      this.mePromise = Promise.resolve({ userId: this.owner.userId });
      this.calendarPromise = Promise.resolve(this.owner.calendarId);
    }
  }

  /** The calendar window now (calendar-window.ts), the same concept as the Outlook side's. */
  windowNow(): CalendarWindow {
    return calendarWindowAt(this.now(), this.eventWindow);
  }

  // ---------------------------------------------------------------- who am I

  /**
   * The signed-in user: Oro's JSON:API `userprofile` (type userprofile, id = the user's id; oroinc/platform
   * UserBundle api.yml), which a browser may read, unlike the legacy calendars/default.
   */
  me(): Promise<Me> {
    this.mePromise ??= (async () => {
      const res = await this.ok({ path: '/api/userprofile', headers: { 'X-Include': 'noHateoas' } });
      const body = parseWire(userProfileSchema, res.body, 'GET /api/userprofile');
      return { userId: Number(body.data.id) };
    })().catch((error: unknown) => {
      this.mePromise = null;
      throw error;
    });
    return this.mePromise;
  }

  /** The user's default calendar (legacy GET calendars/default, oro-api.md §3): events only. */
  private calendarId(): Promise<number> {
    this.calendarPromise ??= (async () => {
      if (!this.legacyRest) throw new SyncError(LEGACY_OUT_OF_REACH);
      const res = await this.client.send({ path: `${LEGACY}/calendars/default`, format: 'rest' });
      // Oro refuses its legacy API to a token whose OAuth application lacks the `default` API view.
      if (res.status === 403) throw new RequestRejectedError(LEGACY_NOT_GRANTED, 403, res.body);
      this.check(res, 'GET calendars/default');
      return parseWire(defaultCalendarSchema, res.body, 'GET calendars/default').calendar;
    })().catch((error: unknown) => {
      this.calendarPromise = null;
      throw error;
    });
    return this.calendarPromise;
  }

  // ---------------------------------------------------------------- reading

  async readChanges<T extends EntityType>(type: T, checkpoint: string | null): Promise<ChangePage<RecordOf<T>>> {
    let cp: CrmCheckpoint;
    const window = type === 'event' ? this.windowNow() : undefined;
    if (checkpoint === null) {
      cp = { v: 1, cursor: { t: null, seen: {} }, round: { phase: type === 'event' ? 'window' : 'after', afterId: 0, page: 1, full: true, next: null }, del: await this.probeDeletions() };
    } else {
      cp = decodeCheckpoint(checkpoint);
      // The calendar window moved on: list the new range first (events that entered it), then go on.
      const moved = type === 'event' && !sameWindow(cp.win, window);
      cp.round ??= { phase: moved ? 'window' : 'deletions', afterId: 0, page: 1, full: false, next: null };
    }
    if (type === 'event') this.series.learn(cp.ex ?? {});
    const round = cp.round!;
    // A full round's first request lists from the start, so it also asks how many records there are
    // (X-Include: totalCount, oro-api.md §1/§3): the pane's first-sync progress, nothing else.
    const countTotal = checkpoint === null;
    let total: number | null = null;
    const page = (changes: Array<Change<AnyRecord>>, done: boolean): ChangePage<RecordOf<T>> => {
      const full = round.full;
      if (done) cp.round = null;
      this.remember(cp, changes);
      if (type === 'event') cp.ex = this.series.known();
      const out: ChangePage<RecordOf<T>> = { changes: changes as Array<Change<RecordOf<T>>>, checkpoint: encodeCheckpoint(cp), done, full };
      if (countTotal) out.total = total;
      if (type === 'event') out.window = cp.win ?? window;
      return out;
    };

    if (round.phase === 'window') {
      // One start/end listing (Oro answers it unpaged, oro-api.md §3): the events overlapping the window.
      const listed = await this.eventItems(await this.listEventsRaw({ start: window!.start, end: window!.end }));
      cp.win = window!;
      if (round.full) {
        // A full round is this listing; later rounds read changes after its newest record.
        for (const i of listed) {
          const t = versionTime(i.version);
          if (!cp.cursor.t || t > cp.cursor.t) cp.cursor = { t, seen: {} };
          if (t === cp.cursor.t) cp.cursor.seen[i.id] = i.version;
        }
        total = listed.length;
        return page(listed.map(upsert), true);
      }
      cp.round = { ...round, phase: 'deletions' };
      return page(listed.map(upsert), false);
    }

    if (round.phase === 'deletions') {
      const deletes = await this.readDeletions(type, cp);
      cp.round = type === 'event' ? { ...round, phase: 'events', afterId: 0, page: 1, next: null } : { ...round, phase: cp.cursor.t ? 'since' : 'after', afterId: 0 };
      return page(deletes, false);
    }
    if (round.phase === 'events') {
      const slice = await this.eventSlice(cp.cursor.t, round.afterId);
      const items = slice.items;
      total = slice.total;
      const changes = items.filter((i) => cp.cursor.seen[i.id] !== i.version).map(upsert);
      for (const i of items) {
        const t = versionTime(i.version);
        if (!round.next || t > round.next.t!) round.next = { t, seen: {} };
        if (t === round.next.t) round.next.seen[i.id] = i.version;
      }
      if (slice.done && round.next) cp.cursor = round.next;
      if (slice.lastId !== null) round.afterId = slice.lastId;
      return page(changes, slice.done);
    }
    const jsonType = JSONAPI_TYPE[type as 'contact' | 'task'];
    const me = await this.me();
    if (round.phase === 'at') {
      // Keyset within one second that holds a full page or more.
      const query: Record<string, QueryValue> = { 'filter[owner]': me.userId, 'filter[updatedAt]': cp.cursor.t, sort: 'id', 'page[size]': this.pageSize };
      if (round.afterId > 0) query['filter[id][gt]'] = round.afterId;
      const items = await this.listResources(type, jsonType, query);
      const changes = items.filter((i) => cp.cursor.seen[i.id] !== i.version).map(upsert);
      for (const i of items) cp.cursor.seen[i.id] = i.version;
      if (items.length < this.pageSize) round.phase = 'after';
      else round.afterId = Number(items[items.length - 1].id);
      return page(changes, false);
    }
    // 'since': updatedAt >= t, so one request both re-reads the boundary second (records seen there
    // are skipped by version) and reads everything later, oldest first. 'after': updatedAt > t, once
    // the boundary second was read whole by 'at'.
    const query: Record<string, QueryValue> = { 'filter[owner]': me.userId, sort: 'updatedAt,id', 'page[size]': this.pageSize };
    if (cp.cursor.t) query[round.phase === 'since' ? 'filter[updatedAt][gte]' : 'filter[updatedAt][gt]'] = cp.cursor.t;
    const listed = await this.listPage(type, jsonType, query, countTotal);
    const items = listed.items;
    total = listed.total;
    if (items.length === 0) return page([], true);
    const changes = items.filter((i) => cp.cursor.seen[i.id] !== i.version).map(upsert);
    const t = versionTime(items[items.length - 1].version);
    const atT = items.filter((i) => versionTime(i.version) === t);
    const seen = t === cp.cursor.t ? { ...cp.cursor.seen } : {};
    for (const i of atT) seen[i.id] = i.version;
    cp.cursor = { t, seen };
    if (items.length < this.pageSize) return page(changes, true);
    if (atT.length === items.length) {
      // A full page inside one second: the rest of that second by id, then what follows it.
      round.phase = 'at';
      round.afterId = Math.max(...atT.map((i) => Number(i.id)));
    } else {
      // The next page starts at t again: the few records already read there are skipped by version.
      round.phase = 'since';
    }
    return page(changes, false);
  }

  /** In reconcile mode, every id read is known to exist. */
  private remember(cp: CrmCheckpoint, changes: Array<Change<AnyRecord>>): void {
    if (cp.del.mode !== 'reconcile' || cp.del.known === null) return;
    const known = new Set(cp.del.known);
    for (const c of changes) if (c.kind === 'upsert') known.add(c.item.id);
    cp.del.known = [...known];
  }

  /**
   * At the start of a full round: is the audit API usable, and how long is the removal log now? The
   * log is read by position from there on (readDeletions): removals written from now on are ours.
   */
  private async probeDeletions(): Promise<Deletions> {
    if (!this.legacyRest) return { mode: 'reconcile', known: [] };
    const res = await this.client.send({ path: `${LEGACY}/audits`, format: 'rest', query: { action: 'remove', page: 1, limit: 1 }, headers: { 'X-Include': 'totalCount' } });
    if (res.status === 403 || res.status === 404) return { mode: 'reconcile', known: [] };
    this.check(res, 'GET audits');
    parseWire(auditListSchema, res.body, 'GET audits');
    const length = totalCountOf(res) ?? (await this.removalLogLength());
    return { mode: 'audit', at: length, seenFrom: length, seen: [] };
  }

  /** The removal log's length without a count header: pages probed by doubling, then by halving. */
  private async removalLogLength(): Promise<number> {
    const rows = async (pageNo: number) => parseWire(auditListSchema, (await this.ok({ path: `${LEGACY}/audits`, format: 'rest', query: { action: 'remove', page: pageNo, limit: AUDIT_PAGE } })).body, 'GET audits').length;
    let full = 0; // the last page known full
    let empty = 0; // the first page known empty (0: none yet)
    for (let pageNo = 1; empty === 0; pageNo *= 2) {
      const n = await rows(pageNo);
      if (n === AUDIT_PAGE) full = pageNo;
      else if (n > 0) return (pageNo - 1) * AUDIT_PAGE + n;
      else empty = pageNo;
    }
    while (empty - full > 1) {
      const mid = Math.floor((full + empty) / 2);
      const n = await rows(mid);
      if (n === AUDIT_PAGE) full = mid;
      else if (n > 0) return (mid - 1) * AUDIT_PAGE + n;
      else empty = mid;
    }
    return full * AUDIT_PAGE;
  }

  /**
   * Oro writes audit rows from its message queue, each with the id of its writing and the loggedAt of
   * its flush, so a row can appear after rows with a later loggedAt, however late the consumer runs
   * (DataAuditBundle SendChangedEntitiesToMessageQueueListener, AuditChangedEntitiesProcessor). The
   * legacy list is ordered by id (SoapBundle ApiEntityManager::getDefaultOrderBy), so the removal log
   * only grows at its end: a position in it (`at`, rows read) misses nothing, unlike a loggedAt mark.
   * Each read goes back AUDIT_OVERLAP rows, and skips the audit ids it read there before, for rows
   * that committed out of id order (consumers side by side). A log shorter than `at`, or one whose
   * remembered rows moved away, cannot be followed: a full round finds the deletions instead.
   */
  private async readDeletions(type: EntityType, cp: CrmCheckpoint): Promise<Array<Change<AnyRecord>>> {
    // A checkpoint from an engine that reads the audit log (the headless runner, through the shared
    // state) reaches a pane that cannot. A first listing that only seeded the known ids would miss what
    // was deleted since the runner's last audit read, so a full round compares the complete listing with
    // the linked items instead, and its probe starts reconciliation.
    if (cp.del.mode === 'audit' && !this.legacyRest) {
      throw new FullResyncRequiredError('This pane cannot read the audit log the last engine used; reading everything again to find deletions.');
    }
    if (cp.del.mode === 'audit') {
      const del = cp.del;
      const log = await this.auditRemovals(type, readStart(del.at), del.at);
      if (log === 'unavailable') {
        // The audit API went away: deletions since the last read are found by a full round, and
        // reconciliation takes over from there (the full round's probe chooses it).
        throw new FullResyncRequiredError('The CRM no longer lets this user read its audit log; reading everything again to find deletions.');
      }
      const end = log.from + log.entries.length;
      const remembered = new Set(del.seen);
      const present = new Set(log.entries.map((e) => e.id));
      if (end < del.at || del.seen.some((id) => !present.has(id))) {
        throw new FullResyncRequiredError('The CRM\'s audit log lost rows already read; reading everything again to find deletions.');
      }
      const fresh = log.entries.filter((e, i) => log.from + i >= del.seenFrom && !remembered.has(e.id));
      const seenFrom = readStart(end);
      cp.del = { mode: 'audit', at: end, seenFrom, seen: log.entries.filter((_, i) => log.from + i >= seenFrom).map((e) => e.id) };
      const mine = fresh.filter((e) => e.action === 'remove' && e.objectClass.replace(/\\/g, '_') === AUDIT_CLASS[type]);
      const ids = [...new Set(mine.map((e) => e.objectId))];
      return type === 'event' ? this.eventRemovals(ids) : ids.map((id) => ({ kind: 'delete', id }));
    }
    // Reconciliation: only a complete listing counts; any failure throws before anything is inferred.
    const listed = await this.listAllIds(type);
    const known = cp.del.known;
    if (known === null) {
      cp.del = { mode: 'reconcile', known: [...listed] };
      return [];
    }
    const candidates = known.filter((id) => !listed.has(id));
    const gone = await this.confirmGone(type, candidates);
    cp.del = { mode: 'reconcile', known: [...listed, ...candidates.filter((id) => !gone.has(id))] };
    return [...gone].map((id) => ({ kind: 'delete', id }));
  }

  /**
   * Removed events: an exception's removal (the occurrence put back, Oro touching no other row [U]) is a
   * change of its series, read again; a series whose master went too is left to the master's own removal.
   */
  private async eventRemovals(ids: string[]): Promise<Array<Change<AnyRecord>>> {
    const out: Array<Change<AnyRecord>> = [];
    const reread = new Set<string>();
    for (const id of ids) {
      const master = this.series.masterOf(id);
      if (master === null) {
        out.push({ kind: 'delete', id });
        continue;
      }
      this.series.forget(id);
      if (reread.has(master) || ids.includes(master)) continue;
      reread.add(master);
      const item = await this.series.read(Number(master));
      if (item) out.push(upsert(item));
    }
    return out;
  }

  /**
   * The removal log (every class: one read serves all three types of a cycle, since the legacy API
   * filters objectClass by one value only, oro-api.md §7) from position `from` to its end. A type takes
   * a shared read once, if it starts early enough and reaches its position; its next poll reads again.
   * The read starts at the earliest position a type polled lately asked for.
   */
  private async auditRemovals(type: EntityType, from: number, reach: number): Promise<{ from: number; entries: AuditEntry[] } | 'unavailable'> {
    const now = Date.now();
    this.auditPositions.set(type, { from, at: now });
    const shared = this.sharedAudit;
    if (shared && shared.from <= from && shared.from + shared.entries.length >= reach && !shared.takenBy.has(type) && now - shared.at < SHARED_AUDIT_MAX_AGE_MS) {
      shared.takenBy.add(type);
      return shared;
    }
    // Types polled lately only: a type switched off must not hold every read back at its old position.
    const start = Math.min(...[...this.auditPositions.values()].filter((p) => now - p.at < SHARED_AUDIT_MAX_AGE_MS).map((p) => p.from));
    // Page n of size L starts at (n - 1)·L, so page 2 of size `start` starts exactly there.
    const limit = start >= AUDIT_PAGE ? start : AUDIT_PAGE;
    const entries: AuditEntry[] = [];
    const guard = new PageNumberGuard('the audit log');
    for (let pageNo = start / limit + 1; ; pageNo++) {
      const res = await this.client.send({ path: `${LEGACY}/audits`, format: 'rest', query: { action: 'remove', page: pageNo, limit } });
      if (res.status === 403 || res.status === 404) {
        this.sharedAudit = null;
        return 'unavailable';
      }
      this.check(res, 'GET audits');
      const list = parseWire(auditListSchema, res.body, 'GET audits');
      entries.push(...list);
      if (list.length < limit) break;
      guard.fullPage(pageNo, list[0].id);
    }
    this.sharedAudit = { from: start, entries, takenBy: new Set([type]), at: now };
    return this.sharedAudit;
  }

  private async listAllIds(type: EntityType): Promise<Set<string>> {
    const ids = new Set<string>();
    if (type === 'event') {
      for (const e of (await this.completeEventListing(null)).events) ids.add(String(e.id));
      return ids;
    }
    const me = await this.me();
    const jsonType = JSONAPI_TYPE[type as 'contact' | 'task'];
    for (let after = 0; ; ) {
      const query: Record<string, QueryValue> = { 'filter[owner]': me.userId, sort: 'id', 'page[size]': 100, [`fields[${jsonType}]`]: 'updatedAt' };
      if (after > 0) query['filter[id][gt]'] = after;
      const doc = await this.getList(jsonType, query);
      for (const r of doc.data) ids.add(r.id);
      if (doc.data.length < 100) return ids;
      after = keysetAfter(after, doc.data[doc.data.length - 1].id, `GET /api/${jsonType}`);
    }
  }

  /** The candidates a direct lookup confirms absent (a listing alone never deletes). */
  private async confirmGone(type: EntityType, candidates: string[]): Promise<Set<string>> {
    const gone = new Set<string>();
    if (type === 'event') {
      for (const id of candidates) if ((await this.getEvent(id)) === 'missing') gone.add(id);
      return gone;
    }
    const jsonType = JSONAPI_TYPE[type as 'contact' | 'task'];
    for (const chunk of chunks(candidates, 100)) {
      const doc = await this.getList(jsonType, { 'filter[id]': chunk, 'page[size]': 100, [`fields[${jsonType}]`]: 'updatedAt' });
      const present = new Set(doc.data.map((r) => r.id));
      for (const id of chunk) if (!present.has(id)) gone.add(id);
    }
    return gone;
  }

  private async getList(jsonType: string, query: Record<string, QueryValue>, countTotal = false): Promise<{ data: OroResource[]; included: OroResource[]; response: CrmResponse }> {
    const res = await this.ok({ path: `/api/${jsonType}`, query, headers: { 'X-Include': countTotal ? 'noHateoas;totalCount' : 'noHateoas' } });
    const doc = parseWire(listDocumentSchema, res.body, `GET /api/${jsonType}`);
    return { data: doc.data, included: doc.included, response: res };
  }

  private async listResources(type: EntityType, jsonType: string, query: Record<string, QueryValue>): Promise<AnyItem[]> {
    return (await this.listPage(type, jsonType, query, false)).items;
  }

  /** One list page; with `countTotal`, also how many records the whole filtered listing holds (null if not told). */
  private async listPage(type: EntityType, jsonType: string, query: Record<string, QueryValue>, countTotal: boolean): Promise<{ items: AnyItem[]; total: number | null }> {
    if (type === 'contact') query.include = 'addresses';
    const doc = await this.getList(jsonType, query, countTotal);
    return { items: doc.data.map((r) => this.toItem(type, r, doc.included)), total: countTotal ? totalCountOf(doc.response) : null };
  }

  private toItem(type: EntityType, r: OroResource, included: OroResource[]): AnyItem {
    if (r.type !== JSONAPI_TYPE[type as 'contact' | 'task']) throw new MalformedResponseError(`The CRM answered a "${r.type}" where a ${type} was expected.`);
    const record = type === 'contact' ? contactFromOro(r, included) : taskFromOro(r);
    return { id: r.id, version: versionOf(String(r.attributes.updatedAt), record), record };
  }

  /**
   * A batch answer includes only the addresses the request sent (meta.includeId); the others are only
   * listed. Their content is then taken from the record we wrote, so the version equals a later read's
   * when Oro holds what we believe, and differs (a change, read next poll) when it does not: never an
   * edit absorbed as our echo.
   */
  private writtenItem(type: EntityType, r: OroResource, included: OroResource[], op: WriteOp<AnyRecord>): AnyItem {
    const listed = r.relationships.addresses?.data;
    const missing = type === 'contact' && Array.isArray(listed) && listed.some((a) => !included.some((i) => i.type === a.type && i.id === a.id));
    if (!missing || op.op === 'delete') return this.toItem(type, r, included);
    const written = op.record as ContactRecord;
    const fromAnswer = contactFromOro({ ...r, relationships: { ...r.relationships, addresses: { data: [] } } }, included);
    const record: ContactRecord = { ...fromAnswer, businessAddress: written.businessAddress, homeAddress: written.homeAddress, otherAddress: written.otherAddress };
    return { id: r.id, version: versionOf(String(r.attributes.updatedAt), record), record };
  }

  /** Listed rows as items: every row of a series (master, occurrence, exception) becomes the one series, once. */
  private async eventItems(rows: ReadonlyArray<LegacyEvent>): Promise<Array<SideItem<EventRecord>>> {
    const out: Array<SideItem<EventRecord>> = [];
    const seriesDone = new Set<number>();
    for (const row of rows) {
      const seriesId = seriesIdOf(row);
      if (seriesId === null) out.push(this.eventItem(row));
      else if (!seriesDone.has(seriesId)) {
        seriesDone.add(seriesId);
        const item = await this.series.read(seriesId);
        if (item) out.push(item);
      }
    }
    return out;
  }

  private eventItem(e: LegacyEvent): SideItem<EventRecord> {
    const record = eventFromOro(e);
    return { id: String(e.id), version: versionOf(e.updatedAt, record), record };
  }

  private async listEventsRaw(query: Record<string, QueryValue>): Promise<LegacyEvent[]> {
    return (await this.listEventsCounted(query, false)).events;
  }

  /** `countTotal` works in page/limit mode only (oro-api.md §3). */
  private async listEventsCounted(query: Record<string, QueryValue>, countTotal: boolean): Promise<{ events: LegacyEvent[]; total: number | null }> {
    const calendar = await this.calendarId();
    const headers = countTotal ? { 'X-Include': 'totalCount' } : undefined;
    const res = await this.ok({ path: `${LEGACY}/calendarevents`, format: 'rest', query: { calendar, ...query }, headers });
    return { events: parseWire(legacyEventListSchema, res.body, 'GET calendarevents'), total: countTotal ? totalCountOf(res) : null };
  }

  /**
   * The round's next events after `afterId`, by id, from one complete listing of `updatedAt >= since`
   * (completeEventListing). A round's first slice reads the listing; its later slices take it from
   * memory while it is fresh, else read it again (a restart mid-round): any listing holds every event
   * the round needs, since an event changed after an earlier listing comes back in the next round.
   */
  private async eventSlice(since: string | null, afterId: number): Promise<{ items: Array<SideItem<EventRecord>>; total: number | null; done: boolean; lastId: number | null }> {
    const kept = this.eventListing;
    const fresh = kept !== null && afterId > 0 && kept.since === since && Date.now() - kept.at < EVENT_LISTING_MAX_AGE_MS;
    const listing = fresh ? kept : { since, at: Date.now(), ...(await this.completeEventListing(since)) };
    this.eventListing = listing;
    const rest = listing.events.filter((e) => e.id > afterId);
    const rows = rest.slice(0, this.pageSize);
    // The rows of a series (master, exceptions) are one item; the slice goes on after its last row.
    const items = await this.eventItems(rows);
    const done = rest.length <= this.pageSize;
    if (done) this.eventListing = null;
    return { items, total: afterId === 0 ? listing.total : null, done, lastId: rows.length ? rows[rows.length - 1].id : null };
  }

  /**
   * Every event of the calendar with `updatedAt >= since` (all when null), sorted by id. The legacy list
   * has no ORDER BY in page/limit mode (CalendarEventRepository::getUserEventListByRecurringEventQueryBuilder),
   * so pages by number may repeat some events and skip others; it has no id filter, and keeps one
   * operator per filter name, so no key range can split it either. A first page that is not full is
   * complete whatever the order, so the page grows (to the total Oro counts, with room for new events)
   * until it is not full. The price: a first sync reads all events in one answer.
   */
  private async completeEventListing(since: string | null): Promise<{ events: LegacyEvent[]; total: number | null }> {
    const filter: Record<string, QueryValue> = since ? { 'updatedAt>': since } : {}; // updatedAt>=since in the legacy operator syntax
    let limit = this.pageSize;
    for (let attempt = 1; ; attempt++) {
      const { events, total } = await this.listEventsCounted({ page: 1, limit, ...filter }, true);
      const byId = new Map(events.map((e) => [e.id, e]));
      const short = events.length < limit && (total === null || byId.size >= total);
      if (short) return { events: [...byId.values()].sort((a, b) => a.id - b.id), total: total ?? byId.size };
      if (attempt === EVENT_LISTING_ATTEMPTS) {
        throw new ServiceUnavailableError(`The CRM's calendar kept changing while it was listed (${events.length} of ${total ?? '?'} events in a page of ${limit}); it is read again next time.`);
      }
      const wanted = Math.max(limit, total ?? 0, events.length);
      limit = wanted + Math.max(this.pageSize, Math.ceil(wanted / 10));
    }
  }

  private async getEvent(id: string): Promise<LegacyEvent | 'missing'> {
    if (!/^\d+$/.test(id)) return 'missing';
    const res = await this.client.send({ path: `${LEGACY}/calendarevents/${id}`, format: 'rest' });
    // Another user's event is not ours to sync: treated as absent from this user's calendar.
    if (res.status === 404 || res.status === 403) return 'missing';
    this.check(res, `GET calendarevents/${id}`);
    return parseWire(legacyEventSchema, res.body, `GET calendarevents/${id}`);
  }

  // ---------------------------------------------------------------- lookups

  async get<T extends EntityType>(type: T, ids: ReadonlyArray<string>): Promise<Array<SideItem<RecordOf<T>> | null>> {
    const found = new Map<string, AnyItem>();
    if (type === 'event') {
      for (const id of ids) {
        const e = await this.getEvent(id);
        if (e === 'missing') continue;
        const seriesId = seriesIdOf(e);
        const item = seriesId === null ? this.eventItem(e) : await this.series.read(seriesId);
        if (item) found.set(id, item);
      }
    } else {
      const jsonType = JSONAPI_TYPE[type as 'contact' | 'task'];
      for (const chunk of chunks(ids.filter((id) => /^\d+$/.test(id)), 100)) {
        for (const item of await this.listResources(type, jsonType, { 'filter[id]': chunk, 'page[size]': 100 })) found.set(item.id, item);
      }
    }
    return ids.map((id) => (found.get(id) as SideItem<RecordOf<T>> | undefined) ?? null);
  }

  async findByCrmId<T extends EntityType>(type: T, crmId: string): Promise<Array<SideItem<RecordOf<T>>>> {
    const [item] = await this.get(type, [crmId]);
    return item ? [item] : [];
  }

  /** First-sync matching. Contacts and tasks: the user's records compared locally (Oro has no filter for every key field). */
  async findByKey<T extends EntityType>(type: T, record: RecordOf<T>): Promise<Array<SideItem<RecordOf<T>>>> {
    const key = matchKey(type, record);
    let candidates: AnyItem[];
    if (type === 'event') {
      const r = record as EventRecord;
      // A window wide enough for all-day events stored at any local midnight.
      const from = new Date(Date.parse(r.allDay ? `${r.start}T00:00:00Z` : r.start) - 14 * 3600_000).toISOString();
      const to = new Date(Date.parse(r.allDay ? `${r.end}T00:00:00Z` : r.end) + 14 * 3600_000).toISOString();
      candidates = await this.eventItems(await this.listEventsRaw({ start: from, end: to }));
    } else candidates = await this.allOwn(type);
    return candidates.filter((c) => matchKey(type, c.record as RecordOf<T>) === key) as Array<SideItem<RecordOf<T>>>;
  }

  private async allOwn(type: EntityType): Promise<AnyItem[]> {
    const me = await this.me();
    const jsonType = JSONAPI_TYPE[type as 'contact' | 'task'];
    const out: AnyItem[] = [];
    for (let after = 0; ; ) {
      const query: Record<string, QueryValue> = { 'filter[owner]': me.userId, sort: 'id', 'page[size]': 100 };
      if (after > 0) query['filter[id][gt]'] = after;
      const items = await this.listResources(type, jsonType, query);
      out.push(...items);
      if (items.length < 100) return out;
      after = keysetAfter(after, items[items.length - 1].id, `GET /api/${jsonType}`);
    }
  }

  async findCreated<T extends EntityType>(type: T, op: Extract<WriteOp<RecordOf<T>>, { op: 'create' }>): Promise<SideItem<RecordOf<T>> | null> {
    if (type === 'contact') {
      const found = await this.findContactsByExternalId([externalIdFor(op.key)]);
      return (found.values().next().value as SideItem<RecordOf<T>> | undefined) ?? null;
    }
    if (type === 'event') {
      const events = await this.listEventsRaw({ page: 1, limit: 10, uid: externalIdFor(op.key) });
      return ((await this.eventItems(events.slice(0, 1)))[0] as SideItem<RecordOf<T>> | undefined) ?? null;
    }
    return (await this.findRecentTask(op.record as TaskRecord)) as SideItem<RecordOf<T>> | null;
  }

  async findExisting<T extends EntityType>(type: T, ops: ReadonlyArray<Extract<WriteOp<RecordOf<T>>, { op: 'create' }>>): Promise<Array<SideItem<RecordOf<T>> | null>> {
    if (type === 'contact') {
      const found = await this.findContactsByExternalId(ops.map((op) => externalIdFor(op.key)));
      return ops.map((op) => (found.get(externalIdFor(op.key)) as SideItem<RecordOf<T>> | undefined) ?? null);
    }
    if (type === 'event') {
      const out: Array<SideItem<RecordOf<T>> | null> = [];
      for (const op of ops) out.push((await this.findCreated(type, op)) ?? null);
      return out;
    }
    // Tasks have no client key: the Outlook side's stamp and the lease keep them single.
    return ops.map(() => null);
  }

  /** Tasks have no client key: the newest task of ours with the same matching key, created within the window. */
  private async findRecentTask(record: TaskRecord): Promise<AnyItem | null> {
    return (await this.findRecentTasks([record]))[0];
  }

  /** For each record, the newest task of ours with its matching key created within the window, each task taken once. */
  private async findRecentTasks(records: TaskRecord[]): Promise<Array<AnyItem | null>> {
    const me = await this.me();
    const out: Array<AnyItem | null> = records.map(() => null);
    const keys = records.map((r) => matchKey('task', r));
    const guard = new PageNumberGuard('tasks');
    for (let pageNo = 1; out.includes(null); pageNo++) {
      const doc = await this.getList('tasks', { 'filter[owner]': me.userId, sort: '-id', 'page[size]': 100, 'page[number]': pageNo });
      const date = Date.parse(doc.response.headers.get('date') ?? '');
      const since = (Number.isNaN(date) ? Date.now() : date) - this.taskWindowMs;
      for (const r of doc.data) {
        if (Date.parse(String(r.attributes.createdAt ?? r.attributes.updatedAt)) < since) return out;
        const item = this.toItem('task', r, []);
        const at = keys.findIndex((k, i) => out[i] === null && k === matchKey('task', item.record as TaskRecord));
        if (at >= 0) out[at] = item;
      }
      if (doc.data.length < 100) return out;
      guard.fullPage(pageNo, doc.data[0].id);
    }
    return out;
  }

  private async findContactsByExternalId(externalIds: string[]): Promise<Map<string, AnyItem>> {
    const out = new Map<string, AnyItem>();
    for (const chunk of chunks(externalIds, 100)) {
      const doc = await this.getList('contacts', { 'filter[externalId]': chunk, include: 'addresses', 'page[size]': 100 });
      for (const r of doc.data) out.set(String(r.attributes.externalId), this.toItem('contact', r, doc.included));
    }
    return out;
  }

  // ---------------------------------------------------------------- writing

  async apply<T extends EntityType>(type: T, ops: ReadonlyArray<WriteOp<RecordOf<T>>>): Promise<WriteResult[]> {
    if (type !== 'contact') return this.applyAll(type, ops);
    // What Oro refuses (validation.yml) is fitted before sending and reported, never silently lost.
    const today = new Date().toISOString().slice(0, 10);
    const contactOps = ops as ReadonlyArray<WriteOp<ContactRecord>>;
    await this.regions.load(contactOps.flatMap(countriesOf));
    const regionFits = contactOps.map((op) => fitRegions(op, this.regions));
    const fits = regionFits.map((r) => fitContactToOro(r.op, today));
    const results = await this.applyAll(type, fits.map((f) => f.op) as ReadonlyArray<WriteOp<RecordOf<T>>>);
    const keptBirthday = fits.flatMap((f, i) => (f.unsent.includes('birthday') && f.op.op === 'update' && results[i].ok ? [f.op.id] : []));
    const stored = new Map((await this.get('contact', keptBirthday)).flatMap((item) => (item ? [[item.id, item.record.birthday] as const] : [])));
    return results.map((r, i) => {
      const fit = fits[i];
      const regionFit = regionFits[i];
      if (!r.ok || (!fit.truncated.length && !fit.unsent.length && !regionFit.regionless.length) || fit.op.op === 'delete') return r;
      const record = fit.op.record;
      const kept: Record<string, unknown> = { ...regionFit.kept };
      for (const f of fit.truncated) kept[f] = record[f];
      if (fit.unsent.includes('birthday')) kept.birthday = fit.op.op === 'update' ? (stored.get(r.id) ?? null) : null;
      const reasons = [
        ...(fit.truncated.length ? [`OroCRM keeps at most ${CONTACT_NAME_MAX} characters of a first or last name, so it holds the name shortened`] : []),
        ...(fit.unsent.length ? ['OroCRM refuses a birthday in the future, so the birthday was not synced'] : []),
        ...(regionFit.regionless.length ? [`OroCRM has no region ${regionFit.states.join(', ')}, so the address was synced without its state`] : []),
      ];
      return { ...r, unsynced: { fields: [...fit.truncated, ...fit.unsent, ...regionFit.regionless], kept, reason: reasons.join('; ') } };
    });
  }

  private async applyAll<T extends EntityType>(type: T, ops: ReadonlyArray<WriteOp<RecordOf<T>>>): Promise<WriteResult[]> {
    const results: Array<WriteResult | undefined> = new Array(ops.length);
    const anySent = { value: false };
    const indexed = ops.map((op, index) => ({ op: op as WriteOp<AnyRecord>, index }));
    const run = async (work: () => Promise<void>, affected: number[]) => {
      try {
        await work();
        anySent.value = true;
      } catch (error) {
        if (error instanceof AuthenticationError || (!anySent.value && isTransient(error))) throw error;
        for (const i of affected) results[i] ??= failure(error);
      }
    };
    const deletes = indexed.filter((x) => x.op.op === 'delete');
    const writes = indexed.filter((x) => x.op.op !== 'delete');
    if (type === 'event') {
      for (const x of writes) {
        await run(async () => {
          results[x.index] = await this.writeEvent(x.op as WriteOp<EventRecord>);
        }, [x.index]);
      }
      for (const x of deletes) {
        await run(async () => {
          results[x.index] = await this.deleteEvent(x.op.op === 'delete' ? x.op.id : '');
        }, [x.index]);
      }
    } else {
      // Task creates cannot be repeated safely after a lost answer, so they travel in batches of their own.
      const groups = type === 'task' ? [writes.filter((x) => x.op.op === 'create'), writes.filter((x) => x.op.op === 'update')] : [writes];
      for (const group of groups) {
        for (const batch of this.batches(type, group)) {
          await run(() => this.writeBatch(type, batch, results), batch.map((x) => x.index));
        }
      }
      for (const chunk of chunks(deletes, this.batchSize)) {
        await run(async () => {
          await this.deleteMany(type, chunk.map((x) => (x.op.op === 'delete' ? x.op.id : '')));
          for (const x of chunk) results[x.index] = { ok: true, id: x.op.op === 'delete' ? x.op.id : '', version: '' };
        }, chunk.map((x) => x.index));
      }
    }
    return results.map((r) => r ?? { ok: false, code: 'unknown', message: 'The operation was not attempted.', retryable: true });
  }

  /** Batches of ≤ batchSize records and, for contacts, ≤ 50 included addresses (oro-api.md §4). */
  private batches(type: EntityType, ops: Array<{ op: WriteOp<AnyRecord>; index: number }>): Array<Array<{ op: WriteOp<AnyRecord>; index: number }>> {
    const out: Array<Array<{ op: WriteOp<AnyRecord>; index: number }>> = [];
    let current: typeof ops = [];
    let included = 0;
    for (const x of ops) {
      const n = type === 'contact' ? (this.contactInput(x.op).addresses?.length ?? 0) : 0;
      if (current.length && (current.length >= this.batchSize || included + n > CRM_BATCH_INCLUDED_LIMIT)) {
        out.push(current);
        current = [];
        included = 0;
      }
      current.push(x);
      included += n;
    }
    if (current.length) out.push(current);
    return out;
  }

  private contactInput(op: WriteOp<AnyRecord>) {
    // apply() loaded the countries' regions and took out the states Oro has no region for.
    const place = (a: PostalAddress) => {
      const placed = this.regions.place(a);
      return placed === 'unmapped' ? { region: null, customRegion: null } : placed;
    };
    if (op.op === 'create') return contactToOro(op.record as ContactRecord, place, 'create');
    if (op.op === 'update') return contactToOro(op.record as ContactRecord, place, 'update', op.fields as ReadonlyArray<keyof ContactRecord> | undefined);
    return { attributes: {} };
  }

  /** Oro's regions of some countries: one listing without paging (`page[size]=-1`, oro-api.md). */
  private async fetchRegions(countries: string[]): Promise<OroRegion[]> {
    const doc = await this.getList('regions', { 'filter[country]': countries, 'page[size]': -1 });
    return doc.data.map((r) => {
      const a = parseWire(regionAttributesSchema, r.attributes, `region ${r.id}`);
      const country = r.relationships.country?.data;
      return { id: r.id, code: a.code, name: a.name, country: country && !Array.isArray(country) ? country.id : r.id.split('-')[0] };
    });
  }

  /**
   * One synchronous batch; invalid items are reported and the rest re-sent, since the batch is atomic.
   * A task whose status Oro's workflow refuses is re-sent without its status (see workflowRefusedStatus).
   */
  private async writeBatch(type: EntityType, batch: Array<{ op: WriteOp<AnyRecord>; index: number }>, results: Array<WriteResult | undefined>): Promise<void> {
    const jsonType = JSONAPI_TYPE[type as 'contact' | 'task'];
    let pending = batch;
    const withoutStatus = new Set<number>();
    for (let round = 0; pending.length && round <= 2 * batch.length; round++) {
      if (type === 'contact') pending = await this.settleCreatedContacts(pending, results);
      if (!pending.length) return;
      const { body, owners } = this.batchDocument(type, pending, withoutStatus);
      const mode: RetryMode = type === 'task' && pending.some((x) => x.op.op === 'create') ? 'throttle-only' : 'safe';
      let res: CrmResponse;
      try {
        res = await this.client.send({ method: 'PATCH', path: `/api/${jsonType}`, body, headers: { 'X-Mode': 'sync', 'X-Include': 'noHateoas' } }, mode);
      } catch (error) {
        if (!(error instanceof RetrySatisfied)) throw error;
        continue;
      }
      if (res.status === 200) {
        const doc = parseWire(listDocumentSchema, res.body, `PATCH /api/${jsonType}`);
        if (doc.data.length !== pending.length) throw new MalformedResponseError(`The CRM answered a batch of ${pending.length} with ${doc.data.length} records.`);
        pending.forEach((x, i) => {
          const item = this.writtenItem(type, doc.data[i], doc.included, x.op);
          results[x.index] = { ok: true, id: item.id, version: item.version };
          if (withoutStatus.has(x.index)) results[x.index] = { ...results[x.index]!, unsynced: workflowUnsynced(item.record as TaskRecord) } as WriteResult;
        });
        return;
      }
      if (res.status === 409 && type === 'contact') continue; // an externalId exists: settleCreatedContacts finds it
      let problems = res.status >= 400 && res.status < 500 ? parseErrorDocument(res.body, res.status) : null;
      if (res.status === 202) {
        // Past Oro's wait timeout the batch goes on asynchronously: pending, never failed, never sent again.
        const outcome = await this.awaitOperation(res, `PATCH /api/${jsonType}`);
        if (outcome.status === 'success') return this.settleAppliedBatch(type, pending, results, withoutStatus);
        if (outcome.status === 'still running') {
          for (const x of pending) results[x.index] = { ok: false, code: 'unavailable', message: outcome.message, retryable: false };
          return;
        }
        if (outcome.status === 'cancelled') continue; // nothing was applied: the batch may go again
        problems = outcome.problems;
        if (!problems.length) throw new MalformedResponseError(`The CRM's asynchronous operation for PATCH /api/${jsonType} failed without saying why.`);
      }
      if (!problems) throw errorFromResponse(res.status, res.headers, res.body, `PATCH /api/${jsonType}`);
      const blamed = new Map<number, string[]>();
      for (const p of problems) {
        const m = /^\/(data|included)\/(\d+)/.exec(p.pointer ?? '');
        const at = m ? (m[1] === 'data' ? Number(m[2]) : owners[Number(m[2])]) : undefined;
        if (at === undefined) continue;
        blamed.set(at, [...(blamed.get(at) ?? []), `${p.title}: ${p.detail}${p.pointer ? ` (${p.pointer})` : ''}`]);
      }
      if (!blamed.size) {
        if (res.status === 202) throw new MalformedResponseError(`The CRM's asynchronous operation for PATCH /api/${jsonType} failed: ${problems.map((p) => `${p.title}: ${p.detail}`).join('; ')}`);
        throw errorFromResponse(res.status, res.headers, res.body, `PATCH /api/${jsonType}`);
      }
      // Only the status is refused: the task's other changes go again without it.
      const statusOnly = new Set<number>();
      if (type === 'task') {
        pending.forEach((x, i) => {
          if (blamed.has(i) && !withoutStatus.has(x.index) && workflowRefusedStatus(problems!, i)) statusOnly.add(i);
        });
      }
      for (const i of statusOnly) {
        withoutStatus.add(pending[i].index);
        blamed.delete(i);
      }
      pending.forEach((x, i) => {
        const why = blamed.get(i);
        if (!why) return;
        const code = problems!.some((p) => p.status === 404 && new RegExp(`^/data/${i}(/|$)`).test(p.pointer ?? '')) ? 'not_found' : 'invalid';
        results[x.index] = { ok: false, code, message: why.join('; '), retryable: false };
      });
      pending = pending.filter((_, i) => !blamed.has(i));
    }
  }

  /**
   * Polls the asynchronous operation a 202 named (Content-Location, else its id) until Oro finishes it,
   * waiting longer each time, up to `asyncWaitMs` in all. A failed operation's errors come as problems
   * with `/data/N` pointers, as a 400 of the synchronous batch would give them.
   */
  private async awaitOperation(
    res: CrmResponse,
    what: string,
  ): Promise<{ status: 'success' } | { status: 'cancelled' } | { status: 'failed'; problems: CrmProblem[] } | { status: 'still running'; message: string }> {
    const first = parseWire(asyncOperationDocumentSchema, res.body, what);
    const id = first.data.id;
    if (!/^\d+$/.test(id)) throw new MalformedResponseError(`The CRM answered ${what} with an asynchronous operation id "${id}".`);
    let status = first.data.attributes.status;
    let waited = 0;
    for (let delay = ASYNC_POLL_FIRST_MS; status === 'new' || status === 'running'; delay = Math.min(delay * 2, ASYNC_POLL_MAX_MS)) {
      if (waited >= this.asyncWaitMs) {
        return { status: 'still running', message: `OroCRM is still applying this batch (asynchronous operation ${id}); it is read back on the next poll, never sent again.` };
      }
      await this.sleep(delay);
      waited += delay;
      const polled = await this.ok({ path: `/api/asyncoperations/${id}`, headers: { 'X-Include': 'noHateoas' } });
      status = parseWire(asyncOperationDocumentSchema, polled.body, `GET asyncoperations/${id}`).data.attributes.status;
    }
    if (status === 'success' || status === 'cancelled') return { status };
    const errors = await this.ok({ path: `/api/asyncoperations/${id}/errors`, query: { 'page[size]': -1 } });
    const list = parseWire(asyncOperationErrorsSchema, errors.body, `GET asyncoperations/${id}/errors`).data;
    const problems = list.map(({ attributes: a }) => {
      const pointer = a.source?.pointer ?? null;
      return { status: Number(a.status ?? 400), title: a.title ?? '', detail: a.detail ?? a.title ?? '', pointer, parameter: null, field: null } satisfies CrmProblem;
    });
    return { status: 'failed', problems };
  }

  /**
   * An asynchronous batch answers no records, so what it stored is read back: updated records by id,
   * contacts by externalId, new tasks (which have no key) as the newest matching tasks not yet taken.
   */
  private async settleAppliedBatch(type: EntityType, pending: Array<{ op: WriteOp<AnyRecord>; index: number }>, results: Array<WriteResult | undefined>, withoutStatus: ReadonlySet<number>): Promise<void> {
    const updates = pending.filter((x) => x.op.op === 'update');
    const updated = await this.get(type, updates.map((x) => (x.op as { id: string }).id));
    const found = new Map<number, AnyItem | null>(updates.map((x, i) => [x.index, updated[i] as AnyItem | null]));
    const creates = pending.filter((x) => x.op.op === 'create');
    if (creates.length && type === 'contact') {
      const byKey = await this.findContactsByExternalId(creates.map((x) => externalIdFor((x.op as { key: string }).key)));
      for (const x of creates) found.set(x.index, byKey.get(externalIdFor((x.op as { key: string }).key)) ?? null);
    } else if (creates.length) {
      const tasks = await this.findRecentTasks(creates.map((x) => (x.op as { record: TaskRecord }).record));
      creates.forEach((x, i) => found.set(x.index, tasks[i]));
    }
    for (const x of pending) {
      const item = found.get(x.index);
      if (!item) {
        results[x.index] = { ok: false, code: 'unknown', message: 'OroCRM applied the batch asynchronously, but this record could not be found afterwards.', retryable: false };
        continue;
      }
      results[x.index] = { ok: true, id: item.id, version: item.version };
      if (withoutStatus.has(x.index)) results[x.index] = { ok: true, id: item.id, version: item.version, unsynced: workflowUnsynced(item.record as TaskRecord) };
    }
  }

  /** Contacts created by an earlier, lost attempt are found by externalId and not sent again. */
  private async settleCreatedContacts(pending: Array<{ op: WriteOp<AnyRecord>; index: number }>, results: Array<WriteResult | undefined>) {
    const creates = pending.filter((x) => x.op.op === 'create');
    if (!creates.length) return pending;
    const found = await this.findContactsByExternalId(creates.map((x) => externalIdFor((x.op as { key: string }).key)));
    return pending.filter((x) => {
      if (x.op.op !== 'create') return true;
      const item = found.get(externalIdFor(x.op.key));
      if (item) results[x.index] = { ok: true, id: item.id, version: item.version };
      return !item;
    });
  }

  private batchDocument(type: EntityType, pending: Array<{ op: WriteOp<AnyRecord>; index: number }>, withoutStatus: ReadonlySet<number>): { body: unknown; owners: number[] } {
    const jsonType = JSONAPI_TYPE[type as 'contact' | 'task'];
    const included: unknown[] = [];
    const owners: number[] = [];
    const data = pending.map((x, i) => {
      const op = x.op as Exclude<WriteOp<AnyRecord>, { op: 'delete' }>;
      const item: Record<string, unknown> = { type: jsonType };
      if (op.op === 'update') {
        item.id = op.id;
        item.meta = { update: true };
      } else item.id = `new${i}`;
      if (type === 'task') {
        const t = taskToOro(op.record as TaskRecord, op.op === 'update' ? (op.fields as ReadonlyArray<keyof TaskRecord> | undefined) : undefined);
        if (withoutStatus.has(x.index)) delete t.relationships.status;
        item.attributes = t.attributes;
        item.relationships = op.op === 'create' ? { ...t.relationships, ...this.ownerRelationship() } : t.relationships;
      } else {
        const c = this.contactInput(op);
        item.attributes = op.op === 'create' ? { ...c.attributes, externalId: externalIdFor(op.key) } : c.attributes;
        if (c.addresses) {
          const refs = c.addresses.map((a, j) => {
            const id = `addr${i}_${j}`;
            owners[included.length] = i;
            included.push({
              type: 'contactaddresses',
              id,
              attributes: a.attributes,
              relationships: {
                types: { data: a.types.map((t) => ({ type: 'addresstypes', id: t })) },
                country: { data: a.country === null ? null : { type: 'countries', id: a.country } },
                region: { data: a.region === null ? null : { type: 'regions', id: a.region } },
              },
            });
            return { type: 'contactaddresses', id };
          });
          item.relationships = { addresses: { data: refs } };
        }
        if (op.op === 'create') item.relationships = { ...(item.relationships as object | undefined), ...this.ownerRelationship() };
      }
      return item;
    });
    return { body: included.length ? { data, included } : { data }, owners };
  }

  /** A record created for another user names that user as owner (Oro would make it the caller's). */
  private ownerRelationship(): Record<string, unknown> {
    return this.owner ? { owner: { data: { type: 'users', id: String(this.owner.userId) } } } : {};
  }

  private async deleteMany(type: EntityType, ids: string[]): Promise<void> {
    const numeric = ids.filter((id) => /^\d+$/.test(id));
    if (!numeric.length) return;
    const jsonType = JSONAPI_TYPE[type as 'contact' | 'task'];
    // A filtered collection DELETE removes what exists and ignores the rest: deletes are idempotent.
    await this.ok({ method: 'DELETE', path: `/api/${jsonType}`, query: { 'filter[id]': numeric } });
  }

  private async writeEvent(op: WriteOp<EventRecord>): Promise<WriteResult> {
    let id: string;
    // A series is refused whole when Oro cannot hold its rule: nothing is sent (docs/recurrence.md).
    let recurrence: Record<string, unknown> = {};
    try {
      if (op.op !== 'delete') recurrence = this.seriesBody(op);
    } catch (e) {
      if (e instanceof RecurrenceNotExpressibleError) return { ok: false, code: 'invalid', message: e.message, retryable: false };
      throw e;
    }
    if (op.op === 'create') {
      // The uid column holds 36 characters and nothing validates it: a longer one is a 500 on Oro.
      const body = { ...eventToOro(op.record, undefined, []), ...recurrence, calendar: await this.calendarId(), uid: externalIdFor(op.key), notifyAttendees: 'none' };
      let res: CrmResponse;
      try {
        res = await this.client.send({ method: 'POST', path: `${LEGACY}/calendarevents`, format: 'rest', body }, 'safe', async () => (await this.findCreated('event', op)) !== null);
      } catch (error) {
        if (!(error instanceof RetrySatisfied)) throw error;
        const item = await this.findCreated('event', op);
        if (!item) throw new ServiceUnavailableError('An event create was lost and could not be found again.');
        return op.record.recurrence ? this.finishSeries(Number(item.id), op.record) : { ok: true, id: item.id, version: item.version };
      }
      if (res.status === 400) return legacyInvalid(res);
      this.check(res, 'POST calendarevents');
      id = String(parseWire(eventWriteAnswerSchema.extend({ id: legacyEventSchema.shape.id }), res.body, 'POST calendarevents').id);
    } else if (op.op === 'update') {
      id = op.id;
      // A PUT with `reminders` replaces Oro's list: read it first, so only the earliest is rewritten (reminders.ts).
      const current = (!op.fields || op.fields.includes('reminder')) && op.record.reminder !== undefined ? await this.getEvent(op.id) : null;
      if (current === 'missing') return { ok: false, code: 'not_found', message: `Calendar event ${op.id} is not in this user's calendar.`, retryable: false };
      // notifyAttendees=none: the sync never mails an Oro event's attendees (CalendarEventApiType).
      const body = { ...eventToOro(op.record, op.fields, current?.reminders), ...recurrence, notifyAttendees: 'none' };
      const res = await this.client.send({ method: 'PUT', path: `${LEGACY}/calendarevents/${op.id}`, format: 'rest', body });
      if (res.status === 404 || res.status === 403) return { ok: false, code: 'not_found', message: `Calendar event ${op.id} is not in this user's calendar.`, retryable: false };
      if (res.status === 400) return legacyInvalid(res);
      this.check(res, `PUT calendarevents/${op.id}`);
    } else return this.deleteEvent(op.id);
    if (op.record.recurrence) return this.finishSeries(Number(id), op.record);
    // Oro's write answers carry no updatedAt, so the version comes from a read.
    const e = await this.getEvent(id);
    if (e === 'missing') return { ok: false, code: 'not_found', message: `Calendar event ${id} vanished right after it was written.`, retryable: true };
    const item = this.eventItem(e);
    const sentReminder = op.op === 'create' || !op.fields || op.fields.includes('reminder');
    if (sentReminder && op.record.reminder !== undefined && item.record.reminder !== op.record.reminder) {
      // Another Oro reminder fires earlier than the one Outlook set; it is kept, so it stays the earliest.
      const reason = 'OroCRM keeps its other reminders of the event, and one of them is earlier than the one set in Outlook';
      return { ok: true, id: item.id, version: item.version, unsynced: { fields: ['reminder'], kept: { reminder: item.record.reminder }, reason } };
    }
    return { ok: true, id: item.id, version: item.version };
  }

  /**
   * The master's `recurrence` in a write: a series always sends its rule (its startTime is the master's
   * start); a write naming `recurrence` for a record without one makes the event single again.
   */
  private seriesBody(op: Extract<WriteOp<EventRecord>, { op: 'create' | 'update' }>): Record<string, unknown> {
    if (op.record.recurrence) return this.series.recurrenceBody(op.record);
    return op.op === 'update' && op.fields?.includes('recurrence') ? { recurrence: null } : {};
  }

  /** After the master: its exceptions, then the series' version from a read. */
  private async finishSeries(id: number, record: EventRecord): Promise<WriteResult> {
    const refused = await this.series.writeExceptions(id, record);
    if (refused) return refused;
    const item = await this.series.read(id);
    if (!item) return { ok: false, code: 'not_found', message: `Calendar event ${id} vanished right after it was written.`, retryable: true };
    return { ok: true, id: item.id, version: item.version };
  }

  private async deleteEvent(id: string): Promise<WriteResult> {
    if (!/^\d+$/.test(id)) return { ok: true, id, version: '' };
    const res = await this.client.send({ method: 'DELETE', path: `${LEGACY}/calendarevents/${id}`, format: 'rest' });
    if (res.status === 404) return { ok: true, id, version: '' };
    if (res.status === 403) return { ok: false, code: 'not_found', message: `Calendar event ${id} is not in this user's calendar.`, retryable: false };
    this.check(res, `DELETE calendarevents/${id}`);
    return { ok: true, id, version: '' };
  }

  // ---------------------------------------------------------------- plumbing

  private async ok(req: CrmRequest): Promise<CrmResponse> {
    const res = await this.client.send(req);
    this.check(res, `${req.method ?? 'GET'} ${req.path}`);
    return res;
  }

  private check(res: CrmResponse, what: string): void {
    if (res.status < 200 || res.status > 299) throw errorFromResponse(res.status, res.headers, res.body, what);
    if (res.status !== 204 && res.text && res.body === undefined) throw new MalformedResponseError(`The CRM answered ${what} with a body that is not JSON.`);
  }
}

/**
 * Oro's task_flow workflow (active by default) lets a task be created only `open` and changes its
 * status only through workflow transitions: any other status write is 400 `workflow entity constraint`
 * at `/data/N/relationships/status/data` (OroCRMTaskBundle workflows/task_flow/entity_restrictions.yml,
 * platform WorkflowEntityValidator). True when that is all Oro found wrong with batch item `i`.
 */
function workflowRefusedStatus(problems: CrmProblem[], i: number): boolean {
  const mine = problems.filter((p) => new RegExp(`^/data/${i}(/|$)`).test(p.pointer ?? ''));
  return mine.length > 0 && mine.every((p) => p.title === 'workflow entity constraint' && p.pointer === `/data/${i}/relationships/status/data`);
}

/**
 * The transitions API (`POST /api/rest/{v}/workflow/transit/{workflowItemId}/{transition}`) is not
 * used: it is legacy REST (out of the pane's reach, no CORS), needs the `oro_workflow` capability, and
 * the stock API offers no documented way from a task to its workflow item. So the status stays as Oro
 * has it and the refusal is logged (docs/sync.md, "Task status and Oro's workflow").
 */
function workflowUnsynced(kept: TaskRecord): UnsyncedFields {
  return {
    fields: ['status'],
    kept: { status: kept.status },
    reason: "OroCRM's task workflow changes a task's status only through its own transitions, so the status was not synced",
  };
}

/** X-Include-Total-Count as a count; a missing or garbled header is "not told", never an error (progress only). */
function totalCountOf(res: CrmResponse): number | null {
  const text = res.headers.get('x-include-total-count')?.trim() ?? '';
  return /^\d{1,15}$/.test(text) ? Number(text) : null;
}

const upsert = (item: AnyItem): Change<AnyRecord> => ({ kind: 'upsert', item });
const versionTime = (version: string) => version.split('#')[0];

function chunks<T>(items: ReadonlyArray<T>, size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Oro's externalId holds ≤36 characters (oro-api.md §1) and filter values split on commas: longer or odd keys are hashed. */
/**
 * Where the next page of an id-sorted listing starts. A last id that is not a number above `after`
 * would ask for the same page again forever, so it is a malformed answer.
 */
function keysetAfter(after: number, lastId: string, what: string): number {
  const next = Number(lastId);
  if (!Number.isSafeInteger(next) || next <= after) {
    throw new MalformedResponseError(`The CRM answered ${what} with ids out of order (${lastId} after ${after}), so the listing cannot go on.`);
  }
  return next;
}

export function externalIdFor(key: string): string {
  if (/^[A-Za-z0-9_.:-]{1,36}$/.test(key)) return key;
  let out = 'k';
  for (let seed = 0; seed < 4; seed++) {
    let h = (0x811c9dc5 ^ seed) >>> 0;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, EXTERNAL_ID_MAX);
}

function isTransient(error: unknown): boolean {
  return error instanceof ServiceUnavailableError || error instanceof ThrottledError;
}

function failure(error: unknown): WriteResult {
  if (error instanceof ThrottledError) return { ok: false, code: 'throttled', message: error.message, retryable: true };
  if (error instanceof ServiceUnavailableError) return { ok: false, code: 'unavailable', message: error.message, retryable: true };
  const message = error instanceof Error ? error.message : String(error);
  return { ok: false, code: 'unknown', message, retryable: !(error instanceof SyncError) || error instanceof MalformedResponseError };
}

/** A legacy FOSRest validation answer (oro-api.md §3) as an `invalid` result naming the fields. */
function legacyInvalid(res: CrmResponse): WriteResult {
  const children = ((res.body as { errors?: { children?: Record<string, unknown> } } | undefined)?.errors?.children ?? {}) as Record<string, { errors?: string[] } | unknown[]>;
  const why = Object.entries(children)
    .filter(([, v]) => !Array.isArray(v) && Array.isArray((v as { errors?: string[] }).errors))
    .map(([k, v]) => `${k}: ${(v as { errors: string[] }).errors.join(' ')}`);
  return { ok: false, code: 'invalid', message: why.join('; ') || 'The CRM refused the calendar event.', retryable: false };
}

/**
 * Page-number listings (the legacy audit and event APIs, newest tasks) have no id to continue after, so a
 * server that ignores `page` would hand back the same full page forever: a repeated first record stops it.
 */
class PageNumberGuard {
  private lastFirst: string | undefined;
  constructor(private readonly what: string) {}

  /** Call with each full page's first record id before asking for the next page. */
  fullPage(pageNo: number, firstId: unknown): void {
    const first = String(firstId);
    if (first === this.lastFirst) {
      throw new MalformedResponseError(`The CRM answered page ${pageNo} of ${this.what} with the same records as page ${pageNo - 1}; it ignores paging, so the listing stops here.`);
    }
    this.lastFirst = first;
  }
}
