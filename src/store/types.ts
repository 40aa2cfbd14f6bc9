// Local sync state. Two implementations share this contract and one contract test suite:
// IndexedDB (the pane, via idb) and SQLite (the headless runner, via better-sqlite3).
import type { CanonicalRecord, EntityType, SideName } from '../sync/records';

/** Which sync state this is: one per CRM URL + CRM user + mailbox. */
export interface StoreIdentity {
  crmUrl: string;
  crmUser: string;
  mailbox: string;
}

export interface Relation {
  type: EntityType;
  crmId: string;
  outlookId: string;
  /** Versions each side had after our last sync or write (echo suppression). */
  crmVersion: string;
  outlookVersion: string;
  /** Last-synced canonical snapshot: the base of the three-way merge. */
  base: CanonicalRecord;
}

export interface JournalEntry {
  /** Idempotency key of the write. */
  key: string;
  type: EntityType;
  /** The side being written. */
  side: SideName;
  op: 'create' | 'update' | 'delete';
  /** The planned action, serialized, so recovery can finish or undo it. */
  action: unknown;
  createdAt: string;
}

export interface ConflictLogEntry {
  at: string;
  type: EntityType;
  crmId: string | null;
  outlookId: string | null;
  /** A human name for the item, e.g. "Ann Lee". */
  item: string;
  fields: string[];
  /** The rule that fired, in words, e.g. "OroCRM always wins". */
  rule: string;
  winner: SideName;
  /** The values that were overwritten, by field. */
  losingValues: Record<string, unknown>;
}

/**
 * One atomic change of the store: all of it is applied, or none. Parts apply in this order:
 * deleteRelations, putRelations, removeJournal, addJournal, checkpoints, conflicts. So one commit
 * can unlink an Outlook item and relink it, or replace a journal entry under the same key.
 * A (type, outlookId) is linked to at most one crmId: a put that breaks this fails the commit.
 */
export interface StoreCommit {
  putRelations?: Relation[];
  deleteRelations?: Array<{ type: EntityType; crmId: string }>;
  addJournal?: JournalEntry[];
  removeJournal?: string[];
  checkpoints?: Array<{ type: EntityType; side: SideName; checkpoint: string | null }>;
  conflicts?: ConflictLogEntry[];
}

export const CONFLICT_LOG_LIMIT = 200;

export interface SyncStore {
  readonly identity: StoreIdentity;
  relations(type: EntityType): Promise<Relation[]>;
  relationByCrmId(type: EntityType, crmId: string): Promise<Relation | undefined>;
  relationByOutlookId(type: EntityType, outlookId: string): Promise<Relation | undefined>;
  checkpoint(type: EntityType, side: SideName): Promise<string | null>;
  journal(): Promise<JournalEntry[]>;
  /** Newest first, at most CONFLICT_LOG_LIMIT. */
  conflicts(): Promise<ConflictLogEntry[]>;
  commit(change: StoreCommit): Promise<void>;
  /** A JSON-serializable status blob the pane shows (last checks, counts, last error). */
  status<S>(): Promise<S | undefined>;
  setStatus<S>(status: S): Promise<void>;
  /** Forget everything for this identity (Disconnect). */
  clear(): Promise<void>;
  close(): Promise<void>;
}
