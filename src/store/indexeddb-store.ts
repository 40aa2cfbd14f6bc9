// SyncStore in IndexedDB (the pane), through idb. One database per identity, so clear() and
// isolation are per database. Every commit is one readwrite transaction over the stores it
// touches: IndexedDB applies all of it or, on any error or abort, none of it.
import { wrap, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
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

interface CheckpointRow {
  type: EntityType;
  side: SideName;
  checkpoint: string | null;
}

interface SyncDb extends DBSchema {
  relations: { key: [EntityType, string]; value: Relation; indexes: { byOutlookId: [EntityType, string]; byType: EntityType } };
  checkpoints: { key: [EntityType, SideName]; value: CheckpointRow };
  journal: { key: string; value: JournalEntry };
  conflicts: { key: number; value: ConflictLogEntry };
  status: { key: string; value: unknown };
}

type Db = IDBPDatabase<SyncDb>;
type Names = StoreNames<SyncDb>;
const ALL_STORES: Names[] = ['relations', 'checkpoints', 'journal', 'conflicts', 'status'];
const SCHEMA_VERSION = 1;
const STATUS_KEY = 'status';

export interface IndexedDbStoreOptions {
  /**
   * Defaults to the global `indexedDB`. Tests pass a fresh `new IDBFactory()` from fake-indexeddb
   * (with 'fake-indexeddb/auto' imported, so the IDB classes idb checks against are global).
   */
  indexedDB?: IDBFactory;
  /** Prepended to the database name; the pane passes Office.context.partitionKey when present (office-addins.md). */
  keyPrefix?: string;
}

/** The database name for an identity; exported so Disconnect flows and tests can find it. */
export function indexedDbName(identity: StoreIdentity, keyPrefix = ''): string {
  return `${keyPrefix}orocrm-sync:${identityKey(identity)}`;
}

export async function openIndexedDbStore(identity: StoreIdentity, opts: IndexedDbStoreOptions = {}): Promise<SyncStore> {
  const factory = opts.indexedDB ?? globalThis.indexedDB;
  if (!factory) throw new Error('IndexedDB is not available here; pass opts.indexedDB');
  // idb recognises requests and transactions by `instanceof` against the global IDB classes.
  if (typeof globalThis.IDBRequest === 'undefined') {
    throw new Error("IndexedDB classes are not global here; in Node, import 'fake-indexeddb/auto' first");
  }
  const db = await openDb(factory, indexedDbName(identity, opts.keyPrefix));
  return new IndexedDbStore({ ...identity }, db);
}

/** idb's openDB always uses the global factory; this is the same, for any factory. */
async function openDb(factory: IDBFactory, name: string): Promise<Db> {
  const request = factory.open(name, SCHEMA_VERSION);
  request.addEventListener('upgradeneeded', () => createSchema(request.result));
  const db = (await wrap(request)) as unknown as Db;
  // A newer version of the pane wants to upgrade: step aside instead of blocking it.
  db.addEventListener('versionchange', () => db.close());
  return db;
}

function createSchema(db: IDBDatabase): void {
  const relations = db.createObjectStore('relations', { keyPath: ['type', 'crmId'] });
  // Unique: one Outlook item is linked to at most one CRM record.
  relations.createIndex('byOutlookId', ['type', 'outlookId'], { unique: true });
  relations.createIndex('byType', 'type');
  db.createObjectStore('checkpoints', { keyPath: ['type', 'side'] });
  db.createObjectStore('journal', { keyPath: 'key' });
  db.createObjectStore('conflicts', { autoIncrement: true });
  db.createObjectStore('status');
}

class IndexedDbStore implements SyncStore {
  constructor(
    readonly identity: StoreIdentity,
    private readonly db: Db,
  ) {}

  async relations(type: EntityType): Promise<Relation[]> {
    checkEntityType(type, 'relations()');
    return this.db.getAllFromIndex('relations', 'byType', type);
  }

  async relationByCrmId(type: EntityType, crmId: string): Promise<Relation | undefined> {
    return this.db.get('relations', [type, crmId]);
  }

  async relationByOutlookId(type: EntityType, outlookId: string): Promise<Relation | undefined> {
    return this.db.getFromIndex('relations', 'byOutlookId', [type, outlookId]);
  }

  async checkpoint(type: EntityType, side: SideName): Promise<string | null> {
    const row = await this.db.get('checkpoints', [type, side]);
    return row?.checkpoint ?? null;
  }

  async journal(): Promise<JournalEntry[]> {
    return (await this.db.getAll('journal')).sort(journalOrder);
  }

  async conflicts(): Promise<ConflictLogEntry[]> {
    return (await this.db.getAll('conflicts')).reverse();
  }

  async commit(change: StoreCommit): Promise<void> {
    const names = storesTouched(change);
    if (names.length === 0) return;
    const tx = this.db.transaction(names, 'readwrite');
    try {
      await applyCommit(tx, change);
      await tx.done;
    } catch (error) {
      abortQuietly(tx);
      await tx.done.catch(() => undefined);
      throw error;
    }
  }

  async status<S>(): Promise<S | undefined> {
    return (await this.db.get('status', STATUS_KEY)) as S | undefined;
  }

  async setStatus<S>(status: S): Promise<void> {
    await this.db.put('status', status, STATUS_KEY);
  }

  async clear(): Promise<void> {
    const tx = this.db.transaction(ALL_STORES, 'readwrite');
    await Promise.all([...ALL_STORES.map((name) => tx.objectStore(name).clear()), tx.done]);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

function storesTouched(change: StoreCommit): Names[] {
  const names: Names[] = [];
  if (change.putRelations?.length || change.deleteRelations?.length) names.push('relations');
  if (change.addJournal?.length || change.removeJournal?.length) names.push('journal');
  if (change.checkpoints?.length) names.push('checkpoints');
  if (change.conflicts?.length) names.push('conflicts');
  return names;
}

/**
 * Issues every write in commit order. Requests run in issue order, so deletes free an Outlook id
 * before a put claims it. Each is awaited so the first failure stops the rest and names its item.
 */
async function applyCommit(tx: IDBPTransaction<SyncDb, Names[], 'readwrite'>, change: StoreCommit): Promise<void> {
  for (const k of change.deleteRelations ?? []) {
    checkRelationKey(k);
    await tx.objectStore('relations').delete([k.type, k.crmId]);
  }
  for (const r of change.putRelations ?? []) {
    checkRelation(r);
    await tx
      .objectStore('relations')
      .put(r)
      .catch((error: unknown) => {
        throw isConstraintError(error) ? outlookIdTaken(r) : error;
      });
  }
  for (const key of change.removeJournal ?? []) await tx.objectStore('journal').delete(key);
  for (const e of change.addJournal ?? []) {
    checkJournalEntry(e);
    await tx.objectStore('journal').put(e);
  }
  for (const c of change.checkpoints ?? []) {
    checkCheckpoint(c);
    await tx.objectStore('checkpoints').put({ type: c.type, side: c.side, checkpoint: c.checkpoint });
  }
  if (change.conflicts?.length) {
    const conflicts = tx.objectStore('conflicts');
    for (const c of change.conflicts) {
      checkConflict(c);
      await conflicts.add(c);
    }
    const excess = (await conflicts.count()) - CONFLICT_LOG_LIMIT;
    if (excess > 0) {
      // Keys ascend with insertion, so the first keys are the oldest entries.
      for (const key of await conflicts.getAllKeys(null, excess)) await conflicts.delete(key);
    }
  }
}

function isConstraintError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'ConstraintError';
}

function abortQuietly(tx: { abort(): void }): void {
  try {
    tx.abort();
  } catch {
    // Already aborted by the failed request, or already finished.
  }
}
