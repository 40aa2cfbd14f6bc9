// In-memory SyncStore: the reference implementation and a fast store for engine tests.
// A commit applies to copies of the touched tables and swaps them in only when every item passed,
// so a failing commit leaves nothing behind. Stored values are frozen clones, never the caller's objects.
import type { EntityType, SideName } from '../sync/records';
import { identityKey } from './identity';
import type { ConflictLogEntry, JournalEntry, Relation, StoreCommit, StoreIdentity, SyncStore } from './types';
import { CONFLICT_LOG_LIMIT } from './types';
import {
  checkCheckpoint,
  checkConflict,
  checkEntityType,
  checkJournalEntry,
  checkRelation,
  checkRelationKey,
  journalOrder,
  outlookIdTaken,
} from './rules';

interface TypeTables {
  byCrmId: Map<string, Relation>;
  /** outlookId → crmId */
  byOutlookId: Map<string, string>;
}

interface MemoryState {
  relations: Map<EntityType, TypeTables>;
  checkpoints: Map<string, string | null>;
  journal: Map<string, JournalEntry>;
  /** Oldest first. */
  conflicts: ConflictLogEntry[];
  status: unknown;
}

/**
 * Where memory stores keep their state, one slot per identity. Share one shelf between opens to
 * model "the same database" (persistence across close/reopen, identity isolation).
 */
export class MemoryShelf {
  readonly states = new Map<string, MemoryState>();
}

export async function openMemoryStore(
  identity: StoreIdentity,
  opts: { shelf?: MemoryShelf } = {},
): Promise<SyncStore> {
  return new MemoryStore(identity, opts.shelf ?? new MemoryShelf());
}

function emptyState(): MemoryState {
  return { relations: new Map(), checkpoints: new Map(), journal: new Map(), conflicts: [], status: undefined };
}

function copy<T>(value: T): T {
  return structuredClone(value);
}

function frozenCopy<T>(value: T): T {
  return Object.freeze(structuredClone(value));
}

class MemoryStore implements SyncStore {
  readonly identity: StoreIdentity;
  private readonly key: string;
  private closed = false;

  constructor(identity: StoreIdentity, private readonly shelf: MemoryShelf) {
    this.identity = { ...identity };
    this.key = identityKey(identity);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The sync store is closed');
  }

  private get state(): MemoryState {
    this.assertOpen();
    let state = this.shelf.states.get(this.key);
    if (!state) {
      state = emptyState();
      this.shelf.states.set(this.key, state);
    }
    return state;
  }

  async relations(type: EntityType): Promise<Relation[]> {
    checkEntityType(type, 'relations()');
    const tables = this.state.relations.get(type);
    return tables ? [...tables.byCrmId.values()].map(copy) : [];
  }

  async relationByCrmId(type: EntityType, crmId: string): Promise<Relation | undefined> {
    const found = this.state.relations.get(type)?.byCrmId.get(crmId);
    return found && copy(found);
  }

  async relationByOutlookId(type: EntityType, outlookId: string): Promise<Relation | undefined> {
    const tables = this.state.relations.get(type);
    const crmId = tables?.byOutlookId.get(outlookId);
    return crmId === undefined ? undefined : copy(tables!.byCrmId.get(crmId));
  }

  async checkpoint(type: EntityType, side: SideName): Promise<string | null> {
    return this.state.checkpoints.get(checkpointKey(type, side)) ?? null;
  }

  async journal(): Promise<JournalEntry[]> {
    return [...this.state.journal.values()].sort(journalOrder).map(copy);
  }

  async conflicts(): Promise<ConflictLogEntry[]> {
    return [...this.state.conflicts].reverse().map(copy);
  }

  async commit(change: StoreCommit): Promise<void> {
    const current = this.state;
    const next: MemoryState = { ...current };
    const touchedTypes = new Map<EntityType, TypeTables>();
    const tablesFor = (type: EntityType): TypeTables => {
      let tables = touchedTypes.get(type);
      if (!tables) {
        const old = current.relations.get(type);
        tables = { byCrmId: new Map(old?.byCrmId), byOutlookId: new Map(old?.byOutlookId) };
        touchedTypes.set(type, tables);
      }
      return tables;
    };

    for (const k of change.deleteRelations ?? []) {
      checkRelationKey(k);
      const tables = tablesFor(k.type);
      const old = tables.byCrmId.get(k.crmId);
      if (old) {
        tables.byCrmId.delete(k.crmId);
        tables.byOutlookId.delete(old.outlookId);
      }
    }
    for (const r of change.putRelations ?? []) {
      checkRelation(r);
      const tables = tablesFor(r.type);
      const holder = tables.byOutlookId.get(r.outlookId);
      if (holder !== undefined && holder !== r.crmId) throw outlookIdTaken(r, holder);
      const old = tables.byCrmId.get(r.crmId);
      if (old) tables.byOutlookId.delete(old.outlookId);
      tables.byCrmId.set(r.crmId, frozenCopy(r));
      tables.byOutlookId.set(r.outlookId, r.crmId);
    }
    if (touchedTypes.size > 0) next.relations = new Map([...current.relations, ...touchedTypes]);

    if (change.removeJournal?.length || change.addJournal?.length) {
      next.journal = new Map(current.journal);
      for (const key of change.removeJournal ?? []) next.journal.delete(key);
      for (const e of change.addJournal ?? []) {
        checkJournalEntry(e);
        next.journal.set(e.key, frozenCopy(e));
      }
    }
    if (change.checkpoints?.length) {
      next.checkpoints = new Map(current.checkpoints);
      for (const c of change.checkpoints) {
        checkCheckpoint(c);
        next.checkpoints.set(checkpointKey(c.type, c.side), c.checkpoint);
      }
    }
    if (change.conflicts?.length) {
      const added = change.conflicts.map((c) => {
        checkConflict(c);
        return frozenCopy(c);
      });
      next.conflicts = [...current.conflicts, ...added].slice(-CONFLICT_LOG_LIMIT);
    }

    this.shelf.states.set(this.key, next);
  }

  async status<S>(): Promise<S | undefined> {
    const status = this.state.status;
    return status === undefined ? undefined : (copy(status) as S);
  }

  async setStatus<S>(status: S): Promise<void> {
    const state = this.state;
    this.shelf.states.set(this.key, { ...state, status: copy(status) });
  }

  async clear(): Promise<void> {
    this.assertOpen();
    this.shelf.states.delete(this.key);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

function checkpointKey(type: EntityType, side: SideName): string {
  return `${type}|${side}`;
}
