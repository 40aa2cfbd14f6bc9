// The sync state every engine of a mailbox shares (issue 9 "Handover"): relations (with their merge
// base) and checkpoints, replicated to a place all engines reach (our CRM extension `outlooksyncstate`).
// The holder writes each commit's relation and checkpoint parts there *before* its local store, under
// its fencing token, so the service refuses a holder whose lease was taken over. A new holder pulls the
// shared state into its own store before its first cycle: it goes on where the last holder stopped,
// with the same merge bases (no edit is judged without one) and no full re-sync.
// The journal is shared as well, so the next holder's recovery finishes what a killed holder had sent.
// The conflict log and status stay local; they are published through the lease.
import type { EntityType, SideName } from '../sync/records';
import { ENTITY_TYPES } from '../sync/records';
import { LeaseLostError } from '../sync/lease';
import type { JournalEntry, Relation, StoreCommit, StoreIdentity, SyncStore } from './types';

export interface SharedStateChange {
  put: Relation[];
  delete: Array<{ type: EntityType; crmId: string }>;
  checkpoints: Array<{ type: EntityType; side: SideName; checkpoint: string | null }>;
  /** The journal too: a holder killed mid-write leaves its intents to the next holder's recovery. */
  addJournal: JournalEntry[];
  removeJournal: string[];
}

export interface SharedStateSnapshot {
  revision: number;
  relations: Relation[];
  checkpoints: Array<{ type: EntityType; side: SideName; checkpoint: string | null }>;
  journal: JournalEntry[];
}

/** The service refused a write because another engine holds the lease now: a handover, like a lost lease. */
export class SharedStateFencedError extends LeaseLostError {}

export interface SharedStateBackend {
  read(): Promise<SharedStateSnapshot>;
  /** Applies one change atomically if `fencingToken` is the lease's current token; returns the new revision. */
  write(fencingToken: number, change: SharedStateChange): Promise<number>;
}

const REVISION_KEY = 'sharedStateRevision';
/** The lease's fencing token of the holding whose first job last pulled into this (shared) local store. */
const HOLDING_KEY = 'sharedStateHolding';
/** Relations per request when seeding (the CRM extension takes at most 5,000 changes per request). */
const SEED_CHUNK = 2000;
/** How long a moved checkpoint may wait locally before it is shared (see commit). */
export const CHECKPOINT_FLUSH_MS = 10 * 60_000;

/**
 * A SyncStore whose relations and checkpoints are also the shared ones. `token()` is the fencing
 * token of the lease this engine holds (lease.ts).
 */
export class SharedStateStore implements SyncStore {
  private readonly pendingCheckpoints = new Map<string, { type: EntityType; side: SideName; checkpoint: string | null }>();
  private flushedAt = -Infinity;

  constructor(
    private readonly local: SyncStore,
    private readonly shared: SharedStateBackend,
    private readonly token: () => number,
    /** A monotonic clock in ms, for CHECKPOINT_FLUSH_MS. */
    private readonly now: () => number = () => globalThis.performance.now(),
  ) {}

  get identity(): StoreIdentity {
    return this.local.identity;
  }

  /**
   * Before the first cycle of a new holding: the shared state replaces the local relations and
   * checkpoints unless they are the same revision already.
   */
  async pull(): Promise<{ pulled: boolean; relations: number; seeded?: boolean }> {
    const snapshot = await this.shared.read();
    this.flushedAt = this.now();
    const status = ((await this.local.status<Record<string, unknown>>()) ?? {}) as Record<string, unknown>;
    if (status[REVISION_KEY] === snapshot.revision && snapshot.revision > 0) return { pulled: false, relations: snapshot.relations.length };
    if (snapshot.revision === 0) {
      const seeded = await this.seed(status);
      if (seeded !== null) return { pulled: false, relations: seeded, seeded: true };
    }
    const deleteRelations: Array<{ type: EntityType; crmId: string }> = [];
    for (const type of ENTITY_TYPES) for (const r of await this.local.relations(type)) deleteRelations.push({ type, crmId: r.crmId });
    const known = new Set(snapshot.checkpoints.map((c) => `${c.type}:${c.side}`));
    const resets = ENTITY_TYPES.flatMap((type) => (['crm', 'outlook'] as const).filter((side) => !known.has(`${type}:${side}`)).map((side) => ({ type, side, checkpoint: null })));
    this.pendingCheckpoints.clear(); // another holder's state replaces ours, checkpoints included
    const removeJournal = (await this.local.journal()).map((e) => e.key);
    await this.local.commit({ deleteRelations, putRelations: snapshot.relations, checkpoints: [...snapshot.checkpoints, ...resets], removeJournal, addJournal: snapshot.journal });
    await this.local.setStatus({ ...status, [REVISION_KEY]: snapshot.revision });
    return { pulled: true, relations: snapshot.relations.length };
  }

  /**
   * For a local store that every worker of one holder shares (the server on PostgreSQL): pulls only
   * when this holding is new. The fencing token changes with every new holder and stays the same
   * across renewals, so while it is the one recorded at the last pull nobody else has written the
   * mailbox, and the shared store already has every commit of this holding, whichever worker made it.
   */
  async pullOnNewHolding(): Promise<{ pulled: boolean; relations?: number; sameHolding?: boolean }> {
    const token = this.token();
    const status = ((await this.local.status<Record<string, unknown>>()) ?? {}) as Record<string, unknown>;
    if (token > 0 && status[HOLDING_KEY] === token) return { pulled: false, sameHolding: true };
    const pulled = await this.pull();
    const after = ((await this.local.status<Record<string, unknown>>()) ?? {}) as Record<string, unknown>;
    await this.local.setStatus({ ...after, [HOLDING_KEY]: token });
    return pulled;
  }

  /**
   * Nothing shared yet (the extension was just installed, or this engine synced alone so far): the
   * holder's own state becomes the shared one instead of being thrown away for a full re-match.
   * Relations go first and checkpoints last, so a seed cut short leaves no checkpoint without its
   * relations: the next holder then reads everything again and matches by key. Null: nothing to seed.
   */
  private async seed(status: Record<string, unknown>): Promise<number | null> {
    const relations = (await Promise.all(ENTITY_TYPES.map((type) => this.local.relations(type)))).flat();
    const checkpoints = (await Promise.all(ENTITY_TYPES.flatMap((type) => (['crm', 'outlook'] as const).map(async (side) => ({ type, side, checkpoint: await this.local.checkpoint(type, side) }))))).filter((c) => c.checkpoint !== null);
    const journal = await this.local.journal();
    if (!relations.length && !checkpoints.length && !journal.length) return null;
    let revision = 0;
    const empty: SharedStateChange = { put: [], delete: [], checkpoints: [], addJournal: [], removeJournal: [] };
    for (let i = 0; i < relations.length; i += SEED_CHUNK) revision = await this.shared.write(this.token(), { ...empty, put: relations.slice(i, i + SEED_CHUNK) });
    revision = await this.shared.write(this.token(), { ...empty, checkpoints, addJournal: journal });
    await this.local.setStatus({ ...status, [REVISION_KEY]: revision });
    return relations.length;
  }

  relations(type: EntityType) {
    return this.local.relations(type);
  }
  relationByCrmId(type: EntityType, crmId: string) {
    return this.local.relationByCrmId(type, crmId);
  }
  relationByOutlookId(type: EntityType, outlookId: string) {
    return this.local.relationByOutlookId(type, outlookId);
  }
  checkpoint(type: EntityType, side: SideName) {
    return this.local.checkpoint(type, side);
  }
  journal() {
    return this.local.journal();
  }
  conflicts() {
    return this.local.conflicts();
  }

  async commit(change: StoreCommit): Promise<void> {
    for (const c of await this.changedCheckpoints(change.checkpoints ?? [])) this.pendingCheckpoints.set(`${c.type}:${c.side}`, c);
    const shared: SharedStateChange = {
      put: change.putRelations ?? [],
      delete: change.deleteRelations ?? [],
      checkpoints: [],
      addJournal: change.addJournal ?? [],
      removeJournal: change.removeJournal ?? [],
    };
    const carriesState = shared.put.length || shared.delete.length || shared.addJournal.length || shared.removeJournal.length;
    // A moved checkpoint alone (every idle cycle moves the delta links) waits: the next holder reading
    // from an older checkpoint only reads some changes again, which versions make harmless. So an idle
    // mailbox costs one shared-state write per CHECKPOINT_FLUSH_MS, not one per cycle.
    let revision: number | null = null;
    if (carriesState || (this.pendingCheckpoints.size && this.now() - this.flushedAt >= CHECKPOINT_FLUSH_MS)) {
      revision = await this.shared.write(this.token(), { ...shared, checkpoints: [...this.pendingCheckpoints.values()] });
      this.pendingCheckpoints.clear();
      this.flushedAt = this.now();
    }
    await this.local.commit(change);
    if (revision !== null) await this.setRevision(revision);
  }

  /** Sends the checkpoints still waiting (a holder that stops hands over the newest ones). */
  async flush(): Promise<void> {
    if (!this.pendingCheckpoints.size) return;
    const revision = await this.shared.write(this.token(), { put: [], delete: [], checkpoints: [...this.pendingCheckpoints.values()], addJournal: [], removeJournal: [] });
    this.pendingCheckpoints.clear();
    this.flushedAt = this.now();
    await this.setRevision(revision);
  }

  private async setRevision(revision: number): Promise<void> {
    const status = ((await this.local.status<Record<string, unknown>>()) ?? {}) as Record<string, unknown>;
    await this.local.setStatus({ ...status, [REVISION_KEY]: revision });
  }

  /** An idle cycle re-saves the same checkpoints: sending them again would cost a request per cycle. */
  private async changedCheckpoints(checkpoints: NonNullable<StoreCommit['checkpoints']>) {
    const changed: typeof checkpoints = [];
    for (const c of checkpoints) if ((await this.local.checkpoint(c.type, c.side)) !== c.checkpoint) changed.push(c);
    return changed;
  }

  async status<S>(): Promise<S | undefined> {
    return this.local.status<S>();
  }

  async setStatus<S>(status: S): Promise<void> {
    // The engine's status replaces the blob: keep the shared revision and holding beside it.
    const current = ((await this.local.status<Record<string, unknown>>()) ?? {}) as Record<string, unknown>;
    await this.local.setStatus({ ...(status as object), [REVISION_KEY]: current[REVISION_KEY], [HOLDING_KEY]: current[HOLDING_KEY] });
  }

  clear() {
    return this.local.clear();
  }
  close() {
    return this.local.close();
  }
}

/** The shared state in memory, fenced by a lease service's current token (tests, and one-process hosts). */
export class MemorySharedState implements SharedStateBackend {
  private revision = 0;
  private readonly relations = new Map<string, Relation>();
  private readonly checkpoints = new Map<string, { type: EntityType; side: SideName; checkpoint: string | null }>();
  private readonly journal = new Map<string, JournalEntry>();

  constructor(private readonly currentToken: () => Promise<number | null>) {}

  async read(): Promise<SharedStateSnapshot> {
    return structuredClone({ revision: this.revision, relations: [...this.relations.values()], checkpoints: [...this.checkpoints.values()], journal: [...this.journal.values()] });
  }

  async write(fencingToken: number, change: SharedStateChange): Promise<number> {
    const current = await this.currentToken();
    if (current === null || fencingToken !== current) throw new SharedStateFencedError(`fencing token ${fencingToken} is not the lease's current ${current}`);
    for (const d of change.delete) this.relations.delete(`${d.type}:${d.crmId}`);
    for (const r of change.put) this.relations.set(`${r.type}:${r.crmId}`, structuredClone(r));
    for (const c of change.checkpoints) this.checkpoints.set(`${c.type}:${c.side}`, { ...c });
    for (const k of change.removeJournal) this.journal.delete(k);
    for (const e of change.addJournal) this.journal.set(e.key, structuredClone(e));
    return ++this.revision;
  }
}
