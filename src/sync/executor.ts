// The executor applies planned actions through the SyncSide interface, crash-safely
// (sync-design.md "Crash safety"):
//   1. journal every write's intent, with its idempotency key, in one store commit before sending;
//   2. send the writes in batches (CRM writes first: an Outlook item created in the CRM needs the new id stamped back);
//   3. record the relations and the versions the writes produced, and remove the journal entries, in one commit;
//   4. advance the checkpoint in that same commit, and only when the whole page went through.
// Deletions are not sent here: they wait in the journal for the mass-deletion guard (executeDeletions).
import type { ConflictLogEntry, JournalEntry, Relation, StoreCommit, SyncStore } from '../store/types';
import type { ConflictNote, Item, ReportAmbiguousMatch, SyncAction } from './actions';
import { deferredDeletionKey, journalEntry, writesRemotely } from './journal';
import { parkedRelation } from './moved-out';
import { restOfSeriesCreate } from './series-writes';
import type { RelationIndex } from './planner';
import type { CanonicalRecord, EntityType, SideName } from './records';
import type { SyncSide, UnsyncedFields, WriteOp, WriteResult } from './side';
import { describeRecord } from './values';

export interface ExecutorOptions {
  crm: SyncSide;
  outlook: SyncSide;
  store: SyncStore;
  /** Idempotency keys; crypto.randomUUID by default. */
  newKey?: () => string;
  now?: () => Date;
  /**
   * Ops per `apply` call, for both sides; the sides split further into their services' batch sizes.
   * Default: 100 for the CRM (Oro's batch limit), 1,000 for Outlook (a whole engine step: its $batch
   * requests then keep Graph's 4 lanes busy, instead of the lanes draining between smaller applies).
   */
  batchSize?: number;
  /**
   * Fencing (lease.ts): throws when this engine may no longer write. Called before the intent is
   * journaled and before every batch, so a holder that lost its lease stops before its next batch.
   */
  fence?: () => void;
}

export const DEFAULT_APPLY_SIZE: Record<SideName, number> = { crm: 100, outlook: 1000 };

export interface WriteCounts {
  created: number;
  updated: number;
  deleted: number;
}

export interface ItemFailure {
  type: EntityType;
  side: SideName;
  id: string;
  message: string;
}

export interface ExecutionResult {
  /** Writes that landed, per side written. */
  written: Record<SideName, WriteCounts>;
  conflicts: ConflictLogEntry[];
  ambiguous: ReportAmbiguousMatch[];
  failures: ItemFailure[];
  /** False when a write must be retried later: the checkpoint was not advanced. */
  complete: boolean;
  /** CRM ids whose relation this execution put or removed. */
  touched: Set<string>;
  deferredDeletions: number;
}

export interface PageCheckpoint {
  side: SideName;
  checkpoint: string | null;
}

type Op = WriteOp<CanonicalRecord>;
type Job = { action: SyncAction; key: string; crmOp?: Op; crmResult?: WriteResult; outlookOp?: Op; outlookResult?: WriteResult };

export function emptyCounts(): Record<SideName, WriteCounts> {
  return { crm: { created: 0, updated: 0, deleted: 0 }, outlook: { created: 0, updated: 0, deleted: 0 } };
}

export class Executor {
  readonly crm: SyncSide;
  readonly outlook: SyncSide;
  readonly store: SyncStore;
  private readonly newKey: () => string;
  private readonly now: () => Date;
  private readonly applySize: Record<SideName, number>;
  private readonly fence: () => void;

  constructor(opts: ExecutorOptions) {
    this.crm = opts.crm;
    this.outlook = opts.outlook;
    this.store = opts.store;
    this.newKey = opts.newKey ?? (() => globalThis.crypto.randomUUID());
    this.now = opts.now ?? (() => new Date());
    this.applySize = opts.batchSize ? { crm: opts.batchSize, outlook: opts.batchSize } : DEFAULT_APPLY_SIZE;
    this.fence = opts.fence ?? (() => undefined);
  }

  side(name: SideName): SyncSide {
    return name === 'crm' ? this.crm : this.outlook;
  }

  /**
   * Applies one page of actions. `relations` is updated in place as the store is.
   * `replaces` are journal keys this execution takes over (recovery), removed with the new intents.
   */
  async execute(
    type: EntityType,
    actions: ReadonlyArray<SyncAction>,
    relations: RelationIndex,
    opts: { checkpoint?: PageCheckpoint; replaces?: string[] } = {},
  ): Promise<ExecutionResult> {
    const result: ExecutionResult = { written: emptyCounts(), conflicts: [], ambiguous: [], failures: [], complete: true, touched: new Set(), deferredDeletions: 0 };
    const jobs: Job[] = [];
    const final: Required<Pick<StoreCommit, 'putRelations' | 'deleteRelations' | 'removeJournal' | 'addJournal' | 'conflicts'>> = {
      putRelations: [],
      deleteRelations: [],
      removeJournal: [],
      addJournal: [],
      conflicts: [],
    };
    const at = this.now();
    const deferred = new Set<string>();

    for (const action of actions) {
      switch (action.kind) {
        case 'Ignore':
          break;
        case 'ReportAmbiguousMatch':
          result.ambiguous.push(action);
          break;
        case 'RecordVersions':
          final.putRelations.push({ ...action.relation, crmVersion: action.crmVersion, outlookVersion: action.outlookVersion, base: action.base });
          break;
        case 'Unlink':
          final.deleteRelations.push({ type, crmId: action.relation.crmId });
          break;
        case 'ParkMovedOut':
          final.putRelations.push(parkedRelation(action.relation, action.outlookId));
          break;
        case 'DeleteInOutlook': {
          const key = deferredDeletionKey(type, action.relation.crmId);
          if (!deferred.has(key)) final.addJournal.push({ ...journalEntry(action, key, at) });
          deferred.add(key);
          break;
        }
        default:
          if (writesRemotely(action)) jobs.push({ action, key: createKeyOf(type, action) ?? this.newKey() });
      }
    }
    result.deferredDeletions = deferred.size;
    if (deferred.size > 0) {
      // A deletion planned again while it waits keeps its one entry.
      const waiting = new Set((await this.store.journal()).map((e) => e.key));
      final.addJournal = final.addJournal.filter((e) => !waiting.has(e.key));
    }

    // 1. Intent first.
    if (jobs.length > 0 || opts.replaces?.length) {
      this.fence();
      await this.store.commit({
        addJournal: jobs.map((j) => journalEntry(j.action as never, j.key, at)),
        removeJournal: opts.replaces ?? [],
      });
    }

    // 2. Writes: the CRM first, then Outlook (which may need ids the CRM just gave). Right before
    // creating, each side is asked whether the item exists already (another engine created it).
    for (const job of jobs) job.crmOp = crmOpOf(job);
    await this.settleExisting(type, 'crm', jobs, (j) => j.crmOp, (j, r) => (j.crmResult = r), (j, op) => (j.crmOp = op));
    await this.send(type, 'crm', jobs.filter((j) => j.crmOp && !j.crmResult), (j) => j.crmOp!, (j, r) => (j.crmResult = r));
    for (const job of jobs) job.outlookOp = outlookOpOf(job);
    await this.settleExisting(type, 'outlook', jobs, (j) => j.outlookOp, (j, r) => (j.outlookResult = r), (j, op) => (j.outlookOp = op));
    await this.send(type, 'outlook', jobs.filter((j) => j.outlookOp && !j.outlookResult), (j) => j.outlookOp!, (j, r) => (j.outlookResult = r));

    // 3. Relations, versions and the journal, together.
    for (const job of jobs) {
      const failed = [job.crmResult, job.outlookResult].filter((r): r is Extract<WriteResult, { ok: false }> => !!r && !r.ok);
      if (failed.some((r) => r.retryable)) {
        result.complete = false; // the intent stays journaled; recovery finishes or redoes it
        continue;
      }
      final.removeJournal.push(job.key);
      if (failed.length > 0) {
        const side: SideName = job.crmResult && !job.crmResult.ok ? 'crm' : 'outlook';
        result.failures.push({ type, side, id: idOf(job.action, side), message: failed[0].message });
        const refusal = refusalKept(job);
        if (refusal) final.putRelations.push(refusal);
        continue;
      }
      const effect = effectOf(type, job);
      const unsynced = job.crmResult?.ok ? job.crmResult.unsynced : undefined;
      if (unsynced && effect.put) {
        // The CRM kept its own values for these fields: they are what is synced, and the refusal is logged.
        effect.put = { ...effect.put, base: { ...effect.put.base, ...unsynced.kept } as CanonicalRecord };
        final.conflicts.push(this.unsyncedEntry(type, unsynced, effect.put, job.crmOp));
      }
      if (effect.put) final.putRelations.push(effect.put);
      if (effect.remove) final.deleteRelations.push({ type, crmId: effect.remove });
      if (effect.conflict) final.conflicts.push(this.conflictEntry(type, effect.conflict, effect.put ?? null, job.action));
      count(result.written, job);
    }
    if (opts.checkpoint && result.complete) {
      await this.store.commit({ ...final, checkpoints: [{ type, side: opts.checkpoint.side, checkpoint: opts.checkpoint.checkpoint }] });
    } else {
      await this.store.commit(final);
    }
    for (const d of final.deleteRelations) {
      relations.delete(d.crmId);
      result.touched.add(d.crmId);
    }
    for (const r of final.putRelations) {
      relations.put(r);
      result.touched.add(r.crmId);
    }
    result.conflicts.push(...final.conflicts);
    return result;
  }

  /** Sends deletions the guard let through. Gone already counts as done. */
  async executeDeletions(type: EntityType, entries: ReadonlyArray<JournalEntry>, relations: RelationIndex): Promise<ExecutionResult> {
    const result: ExecutionResult = { written: emptyCounts(), conflicts: [], ambiguous: [], failures: [], complete: true, touched: new Set(), deferredDeletions: 0 };
    const live: Array<{ entry: JournalEntry; relation: Relation; conflict: ConflictNote | null }> = [];
    const stale: string[] = [];
    for (const entry of entries) {
      const action = entry.action as { relation: Relation; conflict: ConflictNote | null };
      const current = relations.byCrmId(action.relation.crmId);
      if (current && current.outlookId === action.relation.outlookId) live.push({ entry, relation: current, conflict: action.conflict });
      else stale.push(entry.key); // the pair changed since: the deletion no longer applies
    }
    const commit: Required<Pick<StoreCommit, 'deleteRelations' | 'removeJournal' | 'conflicts'>> = { deleteRelations: [], removeJournal: stale, conflicts: [] };
    const results = live.length === 0 ? [] : await this.applyAll(type, 'outlook', live.map((l) => ({ op: 'delete', id: l.relation.outlookId }) as Op));
    live.forEach((l, i) => {
      const r = results[i];
      if (r.ok || r.code === 'not_found') {
        commit.deleteRelations.push({ type, crmId: l.relation.crmId });
        commit.removeJournal.push(l.entry.key);
        if (r.ok) result.written.outlook.deleted++;
        if (l.conflict) commit.conflicts.push(this.conflictEntry(type, l.conflict, l.relation, null));
      } else if (!r.retryable) {
        // Refused for good (an Outlook meeting, whose deletion would mail its attendees): the item is kept, unlinked.
        commit.deleteRelations.push({ type, crmId: l.relation.crmId });
        commit.removeJournal.push(l.entry.key);
        result.failures.push({ type, side: 'outlook', id: l.relation.outlookId, message: r.message });
      } else {
        result.complete = false;
        result.failures.push({ type, side: 'outlook', id: l.relation.outlookId, message: r.message });
      }
    });
    await this.store.commit(commit);
    for (const d of commit.deleteRelations) {
      relations.delete(d.crmId);
      result.touched.add(d.crmId);
    }
    result.conflicts.push(...commit.conflicts);
    return result;
  }

  async applyAll(type: EntityType, side: SideName, ops: Op[]): Promise<WriteResult[]> {
    const results: WriteResult[] = [];
    const size = this.applySize[side];
    for (let i = 0; i < ops.length; i += size) {
      const chunk = ops.slice(i, i + size);
      this.fence();
      const answered = await this.side(side).apply(type, chunk);
      if (answered.length !== chunk.length) throw new Error(`${side} answered ${answered.length} results for ${chunk.length} writes`);
      results.push(...answered);
    }
    return results;
  }

  private async send(type: EntityType, side: SideName, jobs: Job[], opOf: (j: Job) => Op, keep: (j: Job, r: WriteResult) => void): Promise<void> {
    if (jobs.length === 0) return;
    const results = await this.applyAll(type, side, jobs.map(opOf));
    jobs.forEach((j, i) => keep(j, results[i]));
  }

  /**
   * Creates whose item already exists on `side` (its CRM-id stamp in Outlook, its externalId / uid in
   * the CRM) are answered with that item instead of being sent: two engines never create one item twice.
   * A series found without the exceptions its create meant to write gets them instead (series-writes.ts).
   */
  private async settleExisting(
    type: EntityType,
    side: SideName,
    jobs: Job[],
    opOf: (j: Job) => Op | undefined,
    keep: (j: Job, r: WriteResult) => void,
    replace: (j: Job, op: Op) => void,
  ): Promise<void> {
    const creates = jobs.filter((j) => opOf(j)?.op === 'create');
    if (creates.length === 0) return;
    this.fence();
    const found = await this.side(side).findExisting(type, creates.map((j) => opOf(j) as Extract<Op, { op: 'create' }>));
    creates.forEach((j, i) => {
      const item = found[i];
      if (!item) return;
      const rest = restOfSeriesCreate(type, opOf(j) as Extract<Op, { op: 'create' }>, item);
      if (rest) replace(j, rest);
      else keep(j, { ok: true, id: item.id, version: item.version });
    });
  }

  /** A write the CRM took without some fields: logged like a conflict the CRM won, with what Outlook wanted. */
  private unsyncedEntry(type: EntityType, unsynced: UnsyncedFields, relation: Relation, op: Op | undefined): ConflictLogEntry {
    const wanted = op && op.op !== 'delete' ? (op.record as unknown as Record<string, unknown>) : {};
    const losingValues = Object.fromEntries(unsynced.fields.map((f) => [f, wanted[f] ?? null]));
    return this.conflictEntry(type, { fields: unsynced.fields, rule: unsynced.reason, winner: 'crm', losingValues }, relation, null);
  }

  conflictEntry(type: EntityType, note: ConflictNote, relation: Relation | null, action: SyncAction | null): ConflictLogEntry {
    const record = relation?.base ?? (action && 'outlook' in action ? (action.outlook as Item).record : null);
    return {
      at: this.now().toISOString(),
      type,
      crmId: relation?.crmId ?? null,
      outlookId: relation?.outlookId ?? null,
      item: record ? describeRecord(type, record) : '(unknown item)',
      fields: [...note.fields],
      rule: note.rule,
      winner: note.winner,
      losingValues: { ...note.losingValues },
    };
  }
}

/**
 * A create's idempotency key follows from what it copies, so two engines (each with its own store)
 * that plan the same create send the same key: Oro's contact externalId and event uid, and Graph's
 * event transactionId, then name one item, and the pre-create check finds the other engine's item.
 */
export function createKeyOf(type: EntityType, action: SyncAction): string | null {
  switch (action.kind) {
    case 'CreateInCrm':
    case 'RecreateInCrm':
      // One key per Outlook item, however the create was planned: the CRM side recognises its items by
      // key only (a deleted record frees its externalId / uid, so a later re-create may use it again).
      return stableKey(`${type}|from-outlook|${action.outlook.id}`);
    case 'CreateInOutlook':
      return stableKey(`${type}|from-crm|${action.crm.id}`);
    case 'RecreateInOutlook':
      // Outlook creates are recognised by their CRM-id stamp; Graph may remember an event's
      // transactionId after the event is deleted, so a re-create gets a key of its own.
      return stableKey(`${type}|from-crm|${action.crm.id}|after|${action.relation.outlookId}`);
    default:
      return null;
  }
}

/** A 32-hex-digit key (FNV-1a, four seeds): fits Oro's 36-character externalId and uid. */
function stableKey(text: string): string {
  let out = '';
  for (let seed = 0; seed < 4; seed++) {
    let h = (0x811c9dc5 ^ Math.imul(seed + 1, 0x9e3779b9)) >>> 0;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out;
}

function crmOpOf(job: Job): Op | undefined {
  const a = job.action;
  switch (a.kind) {
    case 'CreateInCrm':
    case 'RecreateInCrm':
      return { op: 'create', key: job.key, record: a.outlook.record };
    case 'UpdateCrm':
      return { op: 'update', id: a.crm.id, record: a.record, fields: a.fields as never };
    case 'MergeBoth':
    case 'LinkMatched':
      return a.crmFields.length > 0 ? { op: 'update', id: a.crm.id, record: a.merged, fields: a.crmFields as never } : undefined;
    default:
      return undefined;
  }
}

function outlookOpOf(job: Job): Op | undefined {
  const a = job.action;
  switch (a.kind) {
    case 'CreateInOutlook':
    case 'RecreateInOutlook':
      return { op: 'create', key: job.key, record: a.crm.record, crmId: a.crm.id };
    case 'UpdateOutlook':
      return { op: 'update', id: a.outlook.id, record: a.record, fields: a.fields as never };
    case 'MergeBoth':
      return a.outlookFields.length > 0 ? { op: 'update', id: a.outlook.id, record: a.merged, fields: a.outlookFields as never } : undefined;
    case 'LinkMatched':
      // Always stamp: the delta feed may not have shown whether the item already carries this id.
      return { op: 'update', id: a.outlook.id, record: a.merged, fields: a.outlookFields as never, crmId: a.crm.id };
    case 'CreateInCrm':
    case 'RecreateInCrm':
      // The new CRM id goes back on the Outlook item, so it is never created twice.
      return job.crmResult?.ok ? { op: 'update', id: a.outlook.id, record: a.outlook.record, fields: [], crmId: job.crmResult.id } : undefined;
    case 'UnlinkAndClearStamp':
      return { op: 'update', id: a.outlook.id, record: a.outlook.record, fields: [], crmId: null };
    default:
      return undefined;
  }
}

function version(result: WriteResult | undefined, fallback: string): string {
  return result && result.ok ? result.version : fallback;
}

function effectOf(type: EntityType, job: Job): { put?: Relation; remove?: string; conflict?: ConflictNote | null } {
  const a = job.action;
  const ok = (r: WriteResult | undefined) => r as Extract<WriteResult, { ok: true }>;
  switch (a.kind) {
    case 'CreateInOutlook':
    case 'RecreateInOutlook':
      return { put: { type, crmId: a.crm.id, outlookId: ok(job.outlookResult).id, crmVersion: a.crm.version, outlookVersion: ok(job.outlookResult).version, base: a.crm.record } };
    case 'CreateInCrm':
    case 'RecreateInCrm':
      return {
        put: { type, crmId: ok(job.crmResult).id, outlookId: a.outlook.id, crmVersion: ok(job.crmResult).version, outlookVersion: ok(job.outlookResult).version, base: a.outlook.record },
        remove: a.kind === 'RecreateInCrm' ? a.relation.crmId : undefined,
        conflict: a.kind === 'RecreateInCrm' ? a.conflict : null,
      };
    case 'UpdateOutlook':
      return { put: { ...a.relation, crmVersion: a.crm.version, outlookVersion: version(job.outlookResult, a.outlook.version), base: a.record } };
    case 'UpdateCrm':
      return { put: { ...a.relation, crmVersion: version(job.crmResult, a.crm.version), outlookVersion: a.outlook.version, base: a.record } };
    case 'MergeBoth':
      return {
        put: { ...a.relation, crmVersion: version(job.crmResult, a.crm.version), outlookVersion: version(job.outlookResult, a.outlook.version), base: a.merged },
        conflict: a.conflict,
      };
    case 'LinkMatched':
      return {
        put: { type, crmId: a.crm.id, outlookId: a.outlook.id, crmVersion: version(job.crmResult, a.crm.version), outlookVersion: version(job.outlookResult, a.outlook.version), base: a.merged },
        conflict: a.conflict,
      };
    case 'UnlinkAndClearStamp':
      return { remove: a.relation.crmId };
    default:
      return {};
  }
}

/**
 * An update the target refused for good (an Outlook meeting, whose update would mail its attendees; a
 * rule the target cannot hold) would be refused again each cycle, with one more read and item error.
 * The pair keeps its base but takes the versions the plan saw, so it is planned again only when either
 * side changes again.
 */
function refusalKept(job: Job): Relation | null {
  const a = job.action;
  if (a.kind !== 'UpdateOutlook' && a.kind !== 'UpdateCrm') return null;
  const result = a.kind === 'UpdateOutlook' ? job.outlookResult : job.crmResult;
  if (!result || result.ok || result.retryable || result.code !== 'invalid') return null;
  return { ...a.relation, crmVersion: a.crm.version, outlookVersion: a.outlook.version };
}

function count(written: Record<SideName, WriteCounts>, job: Job): void {
  const a = job.action;
  if (a.kind === 'CreateInOutlook' || a.kind === 'RecreateInOutlook') written.outlook.created++;
  if (a.kind === 'CreateInCrm' || a.kind === 'RecreateInCrm') written.crm.created++;
  if (a.kind === 'UpdateOutlook' || ((a.kind === 'MergeBoth' || a.kind === 'LinkMatched') && a.outlookFields.length > 0)) written.outlook.updated++;
  if (a.kind === 'UpdateCrm' || ((a.kind === 'MergeBoth' || a.kind === 'LinkMatched') && a.crmFields.length > 0)) written.crm.updated++;
}

function idOf(a: SyncAction, side: SideName): string {
  if (side === 'crm') return 'crm' in a ? a.crm.id : 'relation' in a ? a.relation.crmId : '';
  return 'outlook' in a ? a.outlook.id : 'relation' in a ? a.relation.outlookId : '';
}
