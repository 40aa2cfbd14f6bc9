// An in-memory SyncSide for fast engine, crash and randomized tests. It behaves like the services
// where the engine cares (sync-design.md): a delta-like feed with checkpoints that may replay or
// repeat items, stamps (`OroCRM_id`) on Outlook items that the delta feed cannot see, idempotent
// creates by key, batched writes, and injectable faults including "the process dies now".
import { FullResyncRequiredError, ServiceUnavailableError, ThrottledError } from '../../src/sync/errors';
import { matchKey, type CanonicalRecord, type EntityType, type RecordOf, type SideName } from '../../src/sync/records';
import type { Change, ChangePage, SideItem, SyncSide, WriteOp, WriteResult } from '../../src/sync/side';

/** Thrown when the test "kills the process": nothing after it runs. */
export class KilledError extends Error {
  constructor() {
    super('killed by the test');
    this.name = 'KilledError';
  }
}

/** Shared by both sides so "kill after the n-th request" counts requests to either service. */
export class RequestCounter {
  requests = 0;
  killAfter: number | null = null;
  /** When the kill comes with a write request: false, it dies before sending; true, the write lands and only its answer is lost. */
  loseAnswer = false;
}

export interface SideFaults {
  /** Probability that a request fails before doing anything (throttled or unavailable). */
  transientRate: number;
  /** Probability that a delta read starts a few changes early (replays) or repeats an item. */
  replayRate: number;
  /** The next delta read answers "checkpoint unknown" (Graph 410). */
  resyncNext: boolean;
  /** Hide the stamp in delta reads, like Graph delta does. */
  hideStampInDelta: boolean;
}

interface Stored {
  id: string;
  version: string;
  record: CanonicalRecord;
  crmId: string | null;
}

interface LogEntry {
  seq: number;
  id: string;
}

type Random = () => number;

export class MemorySide implements SyncSide {
  readonly faults: SideFaults = { transientRate: 0, replayRate: 0, resyncNext: false, hideStampInDelta: true };
  readonly counter: RequestCounter;
  /** Writes the engine sent, by op kind (for "the engine never deleted a CRM record"). */
  readonly sent = { create: 0, update: 0, delete: 0 };
  private readonly items = new Map<EntityType, Map<string, Stored>>();
  private readonly logs = new Map<EntityType, LogEntry[]>();
  private readonly createdByKey = new Map<string, string>();
  private seq = 0;
  private nextId = 1;
  private nextVersion = 1;
  private readonly random: Random;

  constructor(
    readonly name: SideName,
    opts: { counter?: RequestCounter; pageSize?: number; batchSize?: number; random?: Random; reportsTotal?: boolean } = {},
  ) {
    this.counter = opts.counter ?? new RequestCounter();
    this.reportsTotal = opts.reportsTotal ?? true;
    this.pageSize = opts.pageSize ?? 5;
    this.batchSize = opts.batchSize ?? 4;
    this.random = opts.random ?? Math.random;
  }
  readonly pageSize: number;
  readonly batchSize: number;
  /** Whether a full round's first page tells how many items the round lists (Oro can, Graph cannot). */
  readonly reportsTotal: boolean;

  // ---- the user's hands (no requests, no faults) ----

  userCreate<T extends EntityType>(type: T, record: RecordOf<T>, crmId: string | null = null): string {
    const id = `${this.name === 'crm' ? 'c' : 'o'}${this.nextId++}`;
    this.store(type, { id, version: '', record: structuredClone(record), crmId: this.name === 'outlook' ? crmId : null });
    return id;
  }

  userUpdate<T extends EntityType>(type: T, id: string, patch: Partial<RecordOf<T>>): void {
    const it = this.table(type).get(id);
    if (!it) throw new Error(`${this.name} ${type} ${id} does not exist`);
    this.store(type, { ...it, record: { ...it.record, ...structuredClone(patch) } as CanonicalRecord });
  }

  userDelete(type: EntityType, id: string): void {
    if (!this.table(type).delete(id)) throw new Error(`${this.name} ${type} ${id} does not exist`);
    this.log(type, id);
  }

  all<T extends EntityType>(type: T): Array<SideItem<RecordOf<T>> & { crmId: string | null }> {
    return [...this.table(type).values()].map((s) => structuredClone(s) as never);
  }

  find<T extends EntityType>(type: T, id: string): (SideItem<RecordOf<T>> & { crmId: string | null }) | undefined {
    const s = this.table(type).get(id);
    return s && (structuredClone(s) as never);
  }

  // ---- SyncSide ----

  async readChanges<T extends EntityType>(type: T, checkpoint: string | null): Promise<ChangePage<RecordOf<T>>> {
    this.request();
    const log = this.logFor(type);
    if (checkpoint === null || checkpoint.startsWith('full:')) {
      const [offset, since] = checkpoint === null ? [0, this.seq] : checkpoint.slice(5).split(':').map(Number);
      const all = [...this.table(type).values()].sort((a, b) => (a.id < b.id ? -1 : 1));
      const slice = all.slice(offset, offset + this.pageSize);
      const done = offset + this.pageSize >= all.length;
      return {
        changes: slice.map((s) => ({ kind: 'upsert', item: this.view(s, true) })) as Array<Change<RecordOf<T>>>,
        checkpoint: done ? `delta:${since}` : `full:${offset + this.pageSize}:${since}`,
        done,
        full: true,
        ...(checkpoint === null && this.reportsTotal ? { total: all.length } : {}),
      };
    }
    if (!checkpoint.startsWith('delta:')) throw new Error(`Bad checkpoint ${checkpoint}`);
    if (this.faults.resyncNext) {
      this.faults.resyncNext = false;
      throw new FullResyncRequiredError('delta token expired');
    }
    let since = Number(checkpoint.slice(6));
    if (this.random() < this.faults.replayRate) since = Math.max(0, since - 3);
    const after = log.filter((e) => e.seq > since);
    const page = after.slice(0, this.pageSize);
    const changes: Array<Change<RecordOf<T>>> = page.map((e) => {
      const s = this.table(type).get(e.id);
      return (s ? { kind: 'upsert', item: this.view(s, true) } : { kind: 'delete', id: e.id }) as Change<RecordOf<T>>;
    });
    if (changes.length > 0 && this.random() < this.faults.replayRate) changes.push(changes[0]);
    const last = page.length > 0 ? page[page.length - 1].seq : since;
    return { changes, checkpoint: `delta:${Math.max(last, since)}`, done: after.length <= this.pageSize, full: false };
  }

  async apply<T extends EntityType>(type: T, ops: ReadonlyArray<WriteOp<RecordOf<T>>>): Promise<WriteResult[]> {
    const results: WriteResult[] = [];
    for (let i = 0; i < ops.length; i += this.batchSize) {
      const batch = ops.slice(i, i + this.batchSize);
      let answerLost = false;
      try {
        answerLost = this.request(true);
      } catch (e) {
        if (i === 0 || e instanceof KilledError) throw e;
        // Part of the request went through: the rest answers "try again".
        for (const _ of batch) results.push({ ok: false, code: 'throttled', message: String(e), retryable: true });
        continue;
      }
      for (const op of batch) results.push(this.write(type, op as WriteOp<CanonicalRecord>));
      if (answerLost) throw new KilledError();
    }
    return results;
  }

  async get<T extends EntityType>(type: T, ids: ReadonlyArray<string>): Promise<Array<SideItem<RecordOf<T>> | null>> {
    this.request();
    return ids.map((id) => {
      const s = this.table(type).get(id);
      return s ? (this.view(s, false) as SideItem<RecordOf<T>>) : null;
    });
  }

  async findByKey<T extends EntityType>(type: T, record: RecordOf<T>): Promise<Array<SideItem<RecordOf<T>>>> {
    this.request();
    const key = matchKey(type, record);
    return [...this.table(type).values()].filter((s) => matchKey(type, s.record as RecordOf<T>) === key).map((s) => this.view(s, false) as SideItem<RecordOf<T>>);
  }

  async findByCrmId<T extends EntityType>(type: T, crmId: string): Promise<Array<SideItem<RecordOf<T>>>> {
    this.request();
    const hits = [...this.table(type).values()].filter((s) => (this.name === 'crm' ? s.id === crmId : s.crmId === crmId));
    return hits.map((s) => this.view(s, false) as SideItem<RecordOf<T>>);
  }

  async findCreated<T extends EntityType>(type: T, op: Extract<WriteOp<RecordOf<T>>, { op: 'create' }>): Promise<SideItem<RecordOf<T>> | null> {
    this.request();
    const id = this.createdByKey.get(op.key);
    const s = id === undefined ? undefined : this.table(type).get(id);
    return s ? (this.view(s, false) as SideItem<RecordOf<T>>) : null;
  }

  async findExisting<T extends EntityType>(type: T, ops: ReadonlyArray<Extract<WriteOp<RecordOf<T>>, { op: 'create' }>>): Promise<Array<SideItem<RecordOf<T>> | null>> {
    this.request();
    return ops.map((op) => {
      const stored =
        this.name === 'outlook'
          ? [...this.table(type).values()].find((s) => op.crmId !== undefined && s.crmId === op.crmId)
          : type === 'task'
            ? undefined // Oro tasks carry no client key
            : this.table(type).get(this.createdByKey.get(op.key) ?? '');
      return stored ? (this.view(stored, false) as SideItem<RecordOf<T>>) : null;
    });
  }

  // ---- internals ----

  /** Counts a request and injects faults; true when a write must land and then lose its answer (the process dies). */
  private request(write = false): boolean {
    this.counter.requests++;
    if (this.counter.killAfter !== null && this.counter.requests > this.counter.killAfter) {
      if (write && this.counter.loseAnswer && this.counter.requests === this.counter.killAfter + 1) return true;
      throw new KilledError();
    }
    if (this.faults.transientRate > 0 && this.random() < this.faults.transientRate) {
      if (this.random() < 0.5) throw new ThrottledError(`${this.name} throttled`, 1000);
      throw new ServiceUnavailableError(`${this.name} unavailable`);
    }
    return false;
  }

  private write(type: EntityType, op: WriteOp<CanonicalRecord>): WriteResult {
    this.sent[op.op]++;
    const table = this.table(type);
    if (op.op === 'create') {
      // Only where the service itself dedupes a create by its key: Graph events (transactionId),
      // Oro contacts (externalId) and events (uid).
      const existing = this.dedupesCreates(type) ? this.createdByKey.get(op.key) : undefined;
      if (existing !== undefined && table.has(existing)) {
        const s = table.get(existing)!;
        return { ok: true, id: s.id, version: s.version };
      }
      const id = this.userCreate(type, op.record as never, op.crmId ?? null);
      this.createdByKey.set(op.key, id);
      const s = table.get(id)!;
      return { ok: true, id, version: s.version };
    }
    const s = table.get(op.id);
    if (!s) return { ok: false, code: 'not_found', message: `${op.id} not found`, retryable: false };
    if (op.op === 'delete') {
      this.userDelete(type, op.id);
      return { ok: true, id: op.id, version: '' };
    }
    const record = { ...s.record } as Record<string, unknown>;
    const fields = op.fields ?? Object.keys(op.record);
    for (const f of fields) record[f as string] = structuredClone((op.record as unknown as Record<string, unknown>)[f as string]);
    const crmId = this.name === 'outlook' && op.crmId !== undefined ? op.crmId : s.crmId;
    this.store(type, { ...s, record: record as unknown as CanonicalRecord, crmId });
    return { ok: true, id: s.id, version: table.get(op.id)!.version };
  }

  private dedupesCreates(type: EntityType): boolean {
    return type === 'event' || (this.name === 'crm' && type === 'contact');
  }

  private store(type: EntityType, s: Stored): void {
    this.table(type).set(s.id, { ...s, version: `v${this.nextVersion++}` });
    this.log(type, s.id);
  }

  private log(type: EntityType, id: string): void {
    this.logFor(type).push({ seq: ++this.seq, id });
  }

  private view(s: Stored, delta: boolean): SideItem<CanonicalRecord> {
    const item: SideItem<CanonicalRecord> = { id: s.id, version: s.version, record: structuredClone(s.record) };
    if (this.name === 'outlook') item.crmId = delta && this.faults.hideStampInDelta ? undefined : s.crmId;
    return item;
  }

  private table(type: EntityType): Map<string, Stored> {
    let t = this.items.get(type);
    if (!t) this.items.set(type, (t = new Map()));
    return t;
  }

  private logFor(type: EntityType): LogEntry[] {
    let l = this.logs.get(type);
    if (!l) this.logs.set(type, (l = []));
    return l;
  }
}
