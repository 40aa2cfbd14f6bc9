// SyncEngine: one cycle reads one side's changes page by page, plans them against the relations and
// the other side's current items, and executes the plan (planner.ts, executor.ts). It depends only on
// SyncSide and SyncStore, so the pane (IndexedDB) and the headless runner (SQLite) share it.
import { isMovedOut } from './moved-out';
import type { OutlookSettings } from '../settings/options';
import type { Relation, SyncStore } from '../store/types';
import type { Item, SyncAction } from './actions';
import { FullResyncRequiredError, ServiceUnavailableError } from './errors';
import { Executor, type ExecutionResult } from './executor';
import { isDeferredDeletion } from './journal';
import { LeaseLostError } from './lease';
import { decide, needsDeletionConfirmation, plan, RelationIndex, type PlanSettings } from './planner';
import { overlapsWindow, type CalendarWindow } from './calendar-window';
import { ENTITY_TYPES, matchKey, type CanonicalRecord, type EntityType, type EventRecord, type SideName } from './records';
import { currentItems } from './current-items';
import { recoverJournal } from './recovery';
import { PageReader, type ReadAhead } from './page-reader';
import type { Change, ChangePage, SyncSide } from './side';
import { initialStatus, isRetryable, plainError, restoreStatus, STATUS_LIST_LIMIT, type SyncStatus } from './status';
import { describeRecord } from './values';

export interface SyncEngineOptions {
  crm: SyncSide;
  outlook: SyncSide;
  store: SyncStore;
  settings: OutlookSettings;
  /** Wall clock in ms; injectable for tests. */
  now?: () => number;
  /** Idempotency keys for creates; crypto.randomUUID by default. */
  newKey?: () => string;
  /** Writes per `apply` call (default 100). */
  batchSize?: number;
  /** From this many new items in a page, the other side is listed once per cycle instead of one findByKey each (default 20). */
  matchListingThreshold?: number;
  /** Changes read ahead and planned as one step at most (default 1,000). */
  maxChangesPerStep?: number;
  /** Fencing: throws LeaseLostError once this engine may no longer write (lease.ts). */
  fence?: () => void;
}

export type StatusListener = (status: SyncStatus) => void;

export interface CycleSummary {
  side: SideName;
  types: EntityType[];
  written: Record<SideName, { created: number; updated: number; deleted: number }>;
  conflicts: number;
  /** True when a stop request ended the cycle early (between pages). */
  stopped: boolean;
}

export const ENABLED_SETTING: Record<EntityType, 'contacts_enabled' | 'tasks_enabled' | 'calendar_events_enabled'> = {
  contact: 'contacts_enabled',
  task: 'tasks_enabled',
  event: 'calendar_events_enabled',
};

/** Types the settings enable. */
export function enabledTypes(settings: OutlookSettings): EntityType[] {
  return ENTITY_TYPES.filter((t) => settings[ENABLED_SETTING[t]]);
}

export function planSettings(settings: OutlookSettings): PlanSettings {
  return { direction: settings.contacts_sync_direction, conflictResolution: settings.contacts_conflict_resolution };
}

class StopRequested extends Error {}

interface CycleContext {
  side: SideName;
  type: EntityType;
  relations: RelationIndex;
  /** A side listed once per cycle, by matching key, when a page has many new items to match there. */
  listings: Partial<Record<SideName, Map<string, Item[]>>>;
  summary: CycleSummary;
}

export class SyncEngine {
  private readonly crm: SyncSide;
  private readonly outlook: SyncSide;
  private readonly store: SyncStore;
  private readonly executor: Executor;
  private readonly now: () => number;
  private readonly matchListingThreshold: number;
  private readonly maxChangesPerStep: number;
  /** Bumped after each executed step; items it wrote are marked with it (see refreshStale). */
  private writeSeq = 0;
  private readonly written: Record<EntityType, Record<SideName, Map<string, number>>> = {
    contact: { crm: new Map(), outlook: new Map() },
    task: { crm: new Map(), outlook: new Map() },
    event: { crm: new Map(), outlook: new Map() },
  };
  private settings: OutlookSettings;
  private status: SyncStatus = initialStatus();
  private loaded: Promise<void> | null = null;
  private readonly listeners = new Set<StatusListener>();
  /** Cycles run one at a time, whichever side: two cycles never plan the same pair at once. */
  private queue: Promise<unknown> = Promise.resolve();
  private stopping = false;

  constructor(opts: SyncEngineOptions) {
    this.crm = opts.crm;
    this.outlook = opts.outlook;
    this.store = opts.store;
    this.settings = { ...opts.settings };
    this.now = opts.now ?? (() => Date.now());
    this.matchListingThreshold = opts.matchListingThreshold ?? 20;
    this.maxChangesPerStep = Math.max(1, opts.maxChangesPerStep ?? 1000);
    this.executor = new Executor({ crm: opts.crm, outlook: opts.outlook, store: opts.store, newKey: opts.newKey, batchSize: opts.batchSize, fence: opts.fence, now: () => new Date(this.now()) });
  }

  // ---- public API ----

  /** Loads the saved status. Called by the first cycle if not called before. */
  start(): Promise<void> {
    this.loaded ??= (async () => {
      this.status = restoreStatus(await this.store.status());
      this.status.running = null;
      this.refreshEnabled();
      this.emit();
    })();
    return this.loaded;
  }

  getSettings(): OutlookSettings {
    return { ...this.settings };
  }

  /** New settings apply from the next cycle (a running one finishes first). */
  setSettings(settings: OutlookSettings): void {
    this.settings = { ...settings };
    this.refreshEnabled();
    this.emit();
  }

  getStatus(): SyncStatus {
    return structuredClone(this.status);
  }

  subscribe(listener: StatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reads CRM changes and applies them towards Outlook. */
  runCrmCycle(): Promise<CycleSummary> {
    return this.exclusive(() => this.cycle('crm'));
  }

  /** Reads Outlook changes and applies them towards the CRM. */
  runOutlookCycle(): Promise<CycleSummary> {
    return this.exclusive(() => this.cycle('outlook'));
  }

  /** One cycle of each side, the CRM first as Oro does (sync-design.md "Bidirectional"). */
  async syncNow(): Promise<CycleSummary[]> {
    return [await this.runCrmCycle(), await this.runOutlookCycle()];
  }

  /** The user confirmed the waiting deletions of `type`: the next cycle sends them. */
  async confirmDeletions(type: EntityType): Promise<void> {
    await this.start();
    if (!this.status.confirmedDeletions.includes(type)) this.status.confirmedDeletions.push(type);
    this.status.pendingDeletions = this.status.pendingDeletions.filter((p) => p.type !== type);
    await this.saveStatus();
  }

  /** The user refused the waiting deletions of `type`: the pairs are unlinked and the Outlook items kept. */
  async keepInsteadOfDeleting(type: EntityType): Promise<void> {
    await this.exclusive(async () => {
      await this.start();
      const entries = (await this.store.journal()).filter((e) => e.type === type && isDeferredDeletion(e));
      const relations = new RelationIndex(await this.store.relations(type));
      const gets = entries.map((e) => (e.action as { relation: Relation }).relation).filter((r) => relations.byCrmId(r.crmId)?.outlookId === r.outlookId);
      const current = await currentItems(this.outlook, type, gets.map((r) => r.outlookId));
      const actions: SyncAction[] = gets.map((relation, i): SyncAction => {
        const outlook = current[i] as Item | null;
        return outlook ? { kind: 'UnlinkAndClearStamp', type, relation, outlook } : { kind: 'Unlink', type, relation, reason: 'Kept at the user’s request' };
      });
      await this.executor.execute(type, actions, relations, { replaces: entries.map((e) => e.key) });
      this.status.pendingDeletions = this.status.pendingDeletions.filter((p) => p.type !== type);
      this.status.confirmedDeletions = this.status.confirmedDeletions.filter((t) => t !== type);
      await this.saveStatus();
    });
  }

  /** The scheduler tells when it will check next; shown in the pane. */
  setNextCheck(side: SideName, at: number | null): void {
    for (const t of ENTITY_TYPES) this.status.types[t][side].nextCheck = at === null ? null : new Date(at).toISOString();
    this.emit();
  }

  /** Ends a running cycle at the next safe point (between pages) and refuses new ones until `resume`. */
  requestStop(): Promise<void> {
    this.stopping = true;
    return this.queue.then(
      () => undefined,
      () => undefined,
    );
  }

  resume(): void {
    this.stopping = false;
  }

  // ---- cycles ----

  private exclusive<T>(run: () => Promise<T>): Promise<T> {
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async cycle(side: SideName): Promise<CycleSummary> {
    await this.start();
    const summary: CycleSummary = { side, types: [], written: { crm: { created: 0, updated: 0, deleted: 0 }, outlook: { created: 0, updated: 0, deleted: 0 } }, conflicts: 0, stopped: false };
    this.refreshEnabled();
    const settings = planSettings(this.settings);
    try {
      for (const type of enabledTypes(this.settings)) {
        if (this.stopping) throw new StopRequested();
        this.status.running = { side, type };
        this.emit();
        await this.cycleType(side, type, settings, summary);
        summary.types.push(type);
      }
      this.status.lastError = null;
    } catch (error) {
      if (error instanceof StopRequested || error instanceof LeaseLostError) {
        // A lost lease is a handover, not a failure: the journal lets the next holder finish.
        summary.stopped = true;
      } else {
        const type = this.status.running?.type ?? null;
        const message = plainError(error, side);
        this.status.lastError = { message, side, type, at: this.iso(), retryable: isRetryable(error) };
        if (type) this.status.types[type][side].lastError = message;
        throw error;
      }
    } finally {
      this.status.running = null;
      this.status.firstSync = null;
      await this.saveStatus().catch(() => undefined);
    }
    return summary;
  }

  private async cycleType(side: SideName, type: EntityType, settings: PlanSettings, summary: CycleSummary): Promise<void> {
    // A new direction, or a type switched back on, re-reads everything: items the old settings
    // ignored are never in a delta feed again.
    const applied = this.status.appliedDirection[type];
    if (applied !== undefined && applied !== settings.direction) {
      await this.store.commit({ checkpoints: [{ type, side: 'crm', checkpoint: null }, { type, side: 'outlook', checkpoint: null }] });
    }
    this.status.appliedDirection[type] = settings.direction;

    const ctx: CycleContext = { side, type, relations: new RelationIndex(await this.store.relations(type)), summary, listings: {} };
    // Write marks only matter to pages read after them, that is within one cycle.
    this.written[type].crm.clear();
    this.written[type].outlook.clear();
    const recovered = await recoverJournal(this.executor, type, ctx.relations, settings);
    if (recovered.executed) this.account(ctx, recovered.executed);
    for (const from of ['crm', 'outlook'] as const) {
      const changes = recovered.refeed.changes.filter((c) => c.side === from).map((c) => c.change);
      const replaces = from === 'crm' ? recovered.refeed.replaces : [];
      if (changes.length > 0 || replaces.length > 0) await this.applyPage(ctx, from, settings, changes, undefined, replaces);
    }

    const touched = new Set<string>();
    let checkpoint = await this.store.checkpoint(type, side);
    // A full round cut short (crash, error) starts over: only a complete one may reveal deletions.
    const roundKey = `${type}:${side}`;
    if (checkpoint !== null && this.status.fullRounds.includes(roundKey)) checkpoint = null;
    const firstSync = ctx.relations.size === 0 && checkpoint === null;
    let fullRound = false;
    let seen = new Set<string>();
    let resynced = false;
    let processed = 0;
    /** How many items the full round lists, from its first page when the side can tell (progress only). */
    let total: number | null = null;
    const beginRound = async () => {
      fullRound = true;
      seen = new Set();
      if (!this.status.fullRounds.includes(roundKey)) this.status.fullRounds.push(roundKey);
      await this.saveStatus();
    };
    if (checkpoint === null) await beginRound();
    // Pages are read ahead (page-reader.ts) while the ones before them are written, and whatever has
    // arrived is planned and applied as one step: like one larger page, its checkpoint is the last one's.
    let reader = this.reader(side, type, checkpoint);
    try {
      for (;;) {
        if (this.stopping) throw new StopRequested();
        let pages;
        try {
          pages = await reader.take(this.maxChangesPerStep);
        } catch (error) {
          if (!(error instanceof FullResyncRequiredError) || resynced) throw error;
          // Graph 410 / syncStateNotFound: read everything again and re-match without duplicates.
          resynced = true;
          await reader.close();
          await this.store.commit({ checkpoints: [{ type, side, checkpoint: null }] });
          checkpoint = null;
          total = null;
          await beginRound();
          reader = this.reader(side, type, null);
          continue;
        }
        const last = pages[pages.length - 1].page;
        const told = pages.find((p) => typeof p.page.total === 'number')?.page.total;
        if (typeof told === 'number') total = told;
        if (firstSync && typeof told === 'number') {
          // Shown before the first step is written, so the bar is determinate from the start.
          this.status.firstSync = { type, side, processed, total: Math.max(told, processed) };
          this.emit();
        }
        if (fullRound && pages.some((p) => !p.page.full)) throw new Error(`${side} ended a full listing early`);
        const changes = await this.refreshStale(ctx, pages);
        const read = pages.reduce((n, p) => n + p.page.changes.length, 0);
        if (fullRound) for (const c of changes) if (c.kind === 'upsert') seen.add(c.item.id);
        const window = [...pages].reverse().find((p) => p.page.window)?.page.window;
        if (fullRound && last.done) changes.push(...(await this.missingFromFullRound(ctx, touched, seen, window)));
        const result = await this.applyPage(ctx, side, settings, changes, { side, checkpoint: last.checkpoint }, [], window);
        for (const id of result.touched) touched.add(id);
        if (!result.complete) throw new ServiceUnavailableError(`${side === 'crm' ? 'OroCRM' : 'Outlook'} did not take every change; the rest is retried`);
        checkpoint = last.checkpoint;
        processed += read;
        if (firstSync) {
          // Items created while the round runs can outnumber the first page's count: never show more than 100%.
          this.status.firstSync = { type, side, processed, total: last.done ? processed : total === null ? null : Math.max(total, processed) };
          this.emit();
        }
        if (last.done) break;
      }
    } finally {
      await reader.close();
    }
    this.status.fullRounds = this.status.fullRounds.filter((k) => k !== roundKey);

    await this.sendDeletions(ctx);
    this.status.types[type].linked = ctx.relations.size;
    this.status.types[type][side].lastCheck = this.iso();
    this.status.types[type][side].lastError = null;
    await this.saveStatus();
  }

  /**
   * After a complete full round: the linked items it did not list (sync-design.md "Deletion safety").
   * Events last synced outside the round's calendar window are parked, not missing. A listing alone
   * never deletes: each missing item is looked up by id, and only one that is gone is a deletion.
   * They are planned with the last page, so its checkpoint covers them too.
   */
  private async missingFromFullRound(ctx: CycleContext, touched: ReadonlySet<string>, seen: ReadonlySet<string>, window: CalendarWindow | undefined): Promise<Array<Change<CanonicalRecord>>> {
    const { side, type } = ctx;
    const missing: string[] = [];
    for (const r of ctx.relations.all()) {
      const id = side === 'crm' ? r.crmId : r.outlookId;
      if (touched.has(r.crmId) || seen.has(id)) continue;
      if (type === 'event' && window && !overlapsWindow(r.base as EventRecord, window)) continue;
      if (side === 'outlook' && isMovedOut(r)) continue; // outside the folder by definition
      missing.push(id);
    }
    const found = await currentItems(this.sideOf(side), type, missing);
    return missing.map((id, i): Change<CanonicalRecord> => {
      const item = found[i];
      return item ? { kind: 'upsert', item: item as Item } : { kind: 'delete', id };
    });
  }

  /** Reads what the planner needs (the other side's current items, stamps, match candidates), plans, executes. */
  private async applyPage(
    ctx: CycleContext,
    side: SideName,
    settings: PlanSettings,
    changes: Array<Change<CanonicalRecord>>,
    checkpoint: { side: SideName; checkpoint: string } | undefined,
    replaces: string[] = [],
    window?: CalendarWindow,
  ): Promise<ExecutionResult> {
    const { type, relations } = ctx;
    const other: SideName = side === 'crm' ? 'outlook' : 'crm';
    const linkedHere = (id: string) => (side === 'crm' ? relations.byCrmId(id) : relations.byOutlookId(id));

    // A linked contact or task gone from the folder or list may have been moved elsewhere by the user.
    if (side === 'outlook') await this.findMovedAway(type, relations, changes);

    // Stamps the delta feed could not show are read before deciding an item is new.
    if (side === 'outlook') {
      const unknown = changes.filter((c): c is Extract<Change<CanonicalRecord>, { kind: 'upsert' }> => c.kind === 'upsert' && !linkedHere(c.item.id) && c.item.crmId === undefined);
      if (unknown.length > 0) {
        const read = await currentItems(this.outlook, type, unique(unknown.map((c) => c.item.id)));
        const byId = new Map(read.filter((i): i is NonNullable<typeof i> => !!i).map((i) => [i.id, i]));
        for (const c of unknown) c.item = { ...c.item, crmId: byId.get(c.item.id)?.crmId ?? null };
      }
    }

    // The other side of every changed pair, read just before planning: an edit that side's poll has
    // not seen yet is merged, never overwritten.
    const otherIds: string[] = [];
    for (const c of changes) {
      const id = c.kind === 'upsert' ? c.item.id : c.id;
      const r = linkedHere(id);
      if (!r) continue;
      const stored = side === 'crm' ? r.crmVersion : r.outlookVersion;
      if (c.kind === 'upsert' && c.item.version === stored) continue; // echo
      if (side === 'crm' && isMovedOut(r)) continue; // parked: the Outlook item is not read (moved-out.ts)
      otherIds.push(side === 'crm' ? r.outlookId : r.crmId);
    }
    const current = { crm: new Map<string, Item | null>(), outlook: new Map<string, Item | null>() };
    await this.readInto(other, type, unique(otherIds), current[other]);
    if (side === 'outlook') {
      const stamped = changes.flatMap((c) => (c.kind === 'upsert' && !linkedHere(c.item.id) && typeof c.item.crmId === 'string' && (!relations.byCrmId(c.item.crmId) || isMovedOut(relations.byCrmId(c.item.crmId))) ? [c.item.crmId] : []));
      await this.readInto('crm', type, unique(stamped), current.crm);
    }

    const candidates = { crm: new Map<string, Item[]>(), outlook: new Map<string, Item[]>() };
    const fresh = changes.flatMap((c) => (c.kind === 'upsert' && !linkedHere(c.item.id) && !c.item.movedOut ? [c.item as Item] : []));
    const decision = decide(side === 'crm' ? 'newInCrm' : 'newInOutlook', settings);
    if (fresh.length > 0 && decision.startsWith('matchOrCreate')) await this.findCandidates(ctx, other, fresh, candidates[other]);

    const actions = plan({ type, relations, changes: changes.map((change) => ({ side, change })), current, candidates, window }, settings);
    const result = await this.executor.execute(type, actions, relations, { checkpoint, replaces }).finally(() => this.noteWrites(type, actions, relations));
    this.account(ctx, result);
    return result;
  }

  private reader(side: SideName, type: EntityType, checkpoint: string | null): PageReader {
    return new PageReader((cp) => this.sideOf(side).readChanges(type, cp) as Promise<ChangePage<CanonicalRecord>>, checkpoint, () => this.writeSeq, this.maxChangesPerStep);
  }

  /** Marks every item a step's actions may have written or relinked, on both sides, with a new write sequence. */
  private noteWrites(type: EntityType, actions: ReadonlyArray<SyncAction>, relations: RelationIndex): void {
    const seq = ++this.writeSeq;
    const marks = this.written[type];
    const mark = (s: SideName, id: string | undefined) => void (id !== undefined && marks[s].set(id, seq));
    for (const a of actions) {
      if (a.kind === 'Ignore' || a.kind === 'ReportAmbiguousMatch') continue;
      if ('relation' in a) {
        mark('crm', a.relation.crmId);
        mark('outlook', a.relation.outlookId);
      }
      if ('crm' in a) {
        mark('crm', a.crm.id);
        mark('outlook', relations.byCrmId(a.crm.id)?.outlookId);
      }
      if ('outlook' in a) {
        mark('outlook', a.outlook.id);
        mark('crm', relations.byOutlookId(a.outlook.id)?.crmId);
      }
    }
  }

  /**
   * The changes of pages read ahead. An item a later-finished step wrote or relinked may show its state
   * from before that write; it is read again (as a page read after the write would have shown it).
   */
  private async refreshStale(ctx: CycleContext, pages: ReadonlyArray<ReadAhead>): Promise<Array<Change<CanonicalRecord>>> {
    const marks = this.written[ctx.type][ctx.side];
    const changes: Array<Change<CanonicalRecord>> = [];
    const stale: number[] = [];
    for (const { page, readFrom } of pages) {
      for (const c of page.changes as Array<Change<CanonicalRecord>>) {
        if (c.kind === 'upsert' && (marks.get(c.item.id) ?? 0) > readFrom) stale.push(changes.length);
        changes.push(c);
      }
    }
    if (stale.length === 0) return changes;
    const ids = stale.map((i) => (changes[i] as Extract<Change<CanonicalRecord>, { kind: 'upsert' }>).item.id);
    const fresh = await currentItems(this.sideOf(ctx.side), ctx.type, ids);
    stale.forEach((i, k) => {
      const item = fresh[k];
      changes[i] = item ? { kind: 'upsert', item: item as Item } : { kind: 'delete', id: ids[k] };
    });
    return changes;
  }

  /** Replaces each deletion of a linked Outlook item that the user moved elsewhere in the mailbox by that item. */
  private async findMovedAway(type: EntityType, relations: RelationIndex, changes: Array<Change<CanonicalRecord>>): Promise<void> {
    if (type === 'event' || !this.outlook.findMovedAway) return;
    const gone: Array<{ at: number; id: string; crmId: string }> = [];
    changes.forEach((c, at) => {
      const r = c.kind === 'delete' ? relations.byOutlookId(c.id) : undefined;
      if (r && !isMovedOut(r)) gone.push({ at, id: r.outlookId, crmId: r.crmId });
    });
    if (gone.length === 0) return;
    const found = await this.outlook.findMovedAway(type, gone);
    gone.forEach((g, k) => {
      const item = found[k];
      // A task moved between lists has a new id: its CRM id ties it to its pair (planner).
      if (item) changes[g.at] = { kind: 'upsert', item: { ...(item as Item), crmId: item.movedOut ? g.crmId : item.crmId } };
    });
  }

  private async readInto(side: SideName, type: EntityType, ids: string[], into: Map<string, Item | null>): Promise<void> {
    if (ids.length === 0) return;
    const items = await currentItems(this.sideOf(side), type, ids);
    ids.forEach((id, i) => into.set(id, items[i]));
  }

  private async findCandidates(ctx: CycleContext, other: SideName, fresh: Item[], into: Map<string, Item[]>): Promise<void> {
    const { type } = ctx;
    if (ctx.listings[other] || fresh.length >= this.matchListingThreshold) {
      const listing = (ctx.listings[other] ??= await this.listByKey(other, type));
      for (const item of fresh) {
        const key = matchKey(type, item.record as never);
        into.set(key, listing.get(key) ?? []);
      }
      return;
    }
    for (const item of fresh) {
      const key = matchKey(type, item.record as never);
      if (!into.has(key)) into.set(key, (await this.sideOf(other).findByKey(type, item.record as never)) as Item[]);
    }
  }

  /** One full listing of a side by matching key; its checkpoint is not kept (it is not that side's poll). */
  private async listByKey(side: SideName, type: EntityType): Promise<Map<string, Item[]>> {
    const byKey = new Map<string, Item[]>();
    let checkpoint: string | null = null;
    for (;;) {
      const page: ChangePage<CanonicalRecord> = await this.sideOf(side).readChanges(type, checkpoint);
      for (const c of page.changes) {
        if (c.kind !== 'upsert') continue;
        const key = matchKey(type, c.item.record as never);
        const list = byKey.get(key) ?? [];
        if (!list.some((i) => i.id === c.item.id)) list.push(c.item as Item);
        byKey.set(key, list);
      }
      if (page.done) return byKey;
      checkpoint = page.checkpoint;
    }
  }

  /** Deletions wait in the journal; the guard decides whether they go now or wait for the user. */
  private async sendDeletions(ctx: CycleContext): Promise<void> {
    const { type, relations } = ctx;
    const waiting = (await this.store.journal()).filter((e) => e.type === type && isDeferredDeletion(e));
    if (waiting.length === 0) {
      this.status.pendingDeletions = this.status.pendingDeletions.filter((p) => p.type !== type);
      return;
    }
    const confirmed = this.status.confirmedDeletions.includes(type);
    if (!confirmed && needsDeletionConfirmation(waiting.length, relations.size)) {
      const since = this.status.pendingDeletions.find((p) => p.type === type)?.since ?? this.iso();
      this.status.pendingDeletions = [...this.status.pendingDeletions.filter((p) => p.type !== type), { type, count: waiting.length, linked: relations.size, since }];
      return;
    }
    const result = await this.executor.executeDeletions(type, waiting, relations);
    this.account(ctx, result);
    this.status.pendingDeletions = this.status.pendingDeletions.filter((p) => p.type !== type);
    if (result.complete) this.status.confirmedDeletions = this.status.confirmedDeletions.filter((t) => t !== type);
    else throw new ServiceUnavailableError('Outlook did not take every deletion; the rest is retried');
  }

  private account(ctx: CycleContext, result: ExecutionResult): void {
    const { type, side, summary } = ctx;
    const at = this.iso();
    for (const s of ['crm', 'outlook'] as const) {
      const w = result.written[s];
      const st = this.status.types[type][s];
      st.created += w.created;
      st.updated += w.updated;
      st.deleted += w.deleted;
      summary.written[s].created += w.created;
      summary.written[s].updated += w.updated;
      summary.written[s].deleted += w.deleted;
    }
    this.status.types[type][side].conflicted += result.conflicts.length;
    summary.conflicts += result.conflicts.length;
    const ambiguous = result.ambiguous.map((a) => ({ type, side: a.side, id: a.item.id, item: describeRecord(type, a.item.record), candidateIds: a.candidateIds, at }));
    const failures = result.failures.map((f) => ({ ...f, at }));
    if (ambiguous.length) {
      const ids = new Set(ambiguous.map((a) => `${a.side}:${a.id}`));
      this.status.ambiguousMatches = [...ambiguous, ...this.status.ambiguousMatches.filter((a) => !ids.has(`${a.side}:${a.id}`))].slice(0, STATUS_LIST_LIMIT);
    }
    if (failures.length) this.status.itemErrors = [...failures, ...this.status.itemErrors].slice(0, STATUS_LIST_LIMIT);
    this.emit();
  }

  private refreshEnabled(): void {
    for (const t of ENTITY_TYPES) {
      const on = this.settings[ENABLED_SETTING[t]];
      this.status.types[t].enabled = on;
      // Off now: switching it on later re-reads it fully.
      if (!on && this.status.appliedDirection[t] !== undefined) this.status.appliedDirection[t] = null;
    }
  }

  private sideOf(side: SideName): SyncSide {
    return side === 'crm' ? this.crm : this.outlook;
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  private async saveStatus(): Promise<void> {
    this.emit();
    await this.store.setStatus(this.status);
  }

  private emit(): void {
    if (this.listeners.size === 0) return;
    const snapshot = this.getStatus();
    for (const l of this.listeners) l(snapshot);
  }
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}
