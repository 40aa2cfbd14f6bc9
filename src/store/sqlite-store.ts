// SyncStore in SQLite (the headless runner), through better-sqlite3. Node-only: the pane bundle
// never imports this module (src/store/index.ts leaves it out). One file may hold several
// identities; every row carries its identity key. A commit is one SQLite transaction.
import Database from 'better-sqlite3';
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

const SCHEMA = `
CREATE TABLE IF NOT EXISTS relations (
  identity TEXT NOT NULL, type TEXT NOT NULL, crm_id TEXT NOT NULL, outlook_id TEXT NOT NULL,
  crm_version TEXT NOT NULL, outlook_version TEXT NOT NULL, base TEXT NOT NULL,
  PRIMARY KEY (identity, type, crm_id),
  UNIQUE (identity, type, outlook_id)
);
CREATE TABLE IF NOT EXISTS checkpoints (
  identity TEXT NOT NULL, type TEXT NOT NULL, side TEXT NOT NULL, checkpoint TEXT,
  PRIMARY KEY (identity, type, side)
);
CREATE TABLE IF NOT EXISTS journal (
  identity TEXT NOT NULL, key TEXT NOT NULL, type TEXT NOT NULL, side TEXT NOT NULL, op TEXT NOT NULL,
  action TEXT, created_at TEXT NOT NULL,
  PRIMARY KEY (identity, key)
);
CREATE TABLE IF NOT EXISTS conflicts (
  id INTEGER PRIMARY KEY AUTOINCREMENT, identity TEXT NOT NULL, entry TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS conflicts_by_identity ON conflicts (identity, id);
CREATE TABLE IF NOT EXISTS status (
  identity TEXT PRIMARY KEY, value TEXT NOT NULL
);
`;

interface RelationRow {
  type: EntityType;
  crm_id: string;
  outlook_id: string;
  crm_version: string;
  outlook_version: string;
  base: string;
}

interface JournalRow {
  key: string;
  type: EntityType;
  side: SideName;
  op: JournalEntry['op'];
  action: string | null;
  created_at: string;
}

export async function openSqliteStore(file: string, identity: StoreIdentity): Promise<SyncStore> {
  const key = identityKey(identity);
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    // FULL, not NORMAL: in WAL mode NORMAL may lose the last commits on power loss. A lost journal
    // entry or relation after its remote write has happened means a duplicate on the next run, and
    // commits are few (about one per page), so the extra fsync is cheap.
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
  } catch (error) {
    db.close();
    throw error;
  }
  return new SqliteStore({ ...identity }, key, db);
}

class SqliteStore implements SyncStore {
  private readonly sql;

  constructor(
    readonly identity: StoreIdentity,
    private readonly key: string,
    private readonly db: Database.Database,
  ) {
    const prepare = (source: string) => db.prepare(source);
    this.sql = {
      relationsOfType: prepare('SELECT * FROM relations WHERE identity = ? AND type = ?'),
      relationByCrmId: prepare('SELECT * FROM relations WHERE identity = ? AND type = ? AND crm_id = ?'),
      relationByOutlookId: prepare('SELECT * FROM relations WHERE identity = ? AND type = ? AND outlook_id = ?'),
      putRelation: prepare(
        `INSERT OR REPLACE INTO relations (identity, type, crm_id, outlook_id, crm_version, outlook_version, base)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      deleteRelation: prepare('DELETE FROM relations WHERE identity = ? AND type = ? AND crm_id = ?'),
      checkpoint: prepare('SELECT checkpoint FROM checkpoints WHERE identity = ? AND type = ? AND side = ?'),
      putCheckpoint: prepare('INSERT OR REPLACE INTO checkpoints (identity, type, side, checkpoint) VALUES (?, ?, ?, ?)'),
      journal: prepare('SELECT * FROM journal WHERE identity = ?'),
      putJournal: prepare(
        'INSERT OR REPLACE INTO journal (identity, key, type, side, op, action, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      deleteJournal: prepare('DELETE FROM journal WHERE identity = ? AND key = ?'),
      conflicts: prepare('SELECT entry FROM conflicts WHERE identity = ? ORDER BY id DESC LIMIT ?'),
      addConflict: prepare('INSERT INTO conflicts (identity, entry) VALUES (?, ?)'),
      trimConflicts: prepare(
        `DELETE FROM conflicts WHERE identity = ? AND id NOT IN
           (SELECT id FROM conflicts WHERE identity = ? ORDER BY id DESC LIMIT ?)`,
      ),
      status: prepare('SELECT value FROM status WHERE identity = ?'),
      putStatus: prepare('INSERT OR REPLACE INTO status (identity, value) VALUES (?, ?)'),
    };
  }

  async relations(type: EntityType): Promise<Relation[]> {
    checkEntityType(type, 'relations()');
    return (this.sql.relationsOfType.all(this.key, type) as RelationRow[]).map(toRelation);
  }

  async relationByCrmId(type: EntityType, crmId: string): Promise<Relation | undefined> {
    const row = this.sql.relationByCrmId.get(this.key, type, crmId) as RelationRow | undefined;
    return row && toRelation(row);
  }

  async relationByOutlookId(type: EntityType, outlookId: string): Promise<Relation | undefined> {
    const row = this.sql.relationByOutlookId.get(this.key, type, outlookId) as RelationRow | undefined;
    return row && toRelation(row);
  }

  async checkpoint(type: EntityType, side: SideName): Promise<string | null> {
    const row = this.sql.checkpoint.get(this.key, type, side) as { checkpoint: string | null } | undefined;
    return row?.checkpoint ?? null;
  }

  async journal(): Promise<JournalEntry[]> {
    return (this.sql.journal.all(this.key) as JournalRow[]).map(toJournalEntry).sort(journalOrder);
  }

  async conflicts(): Promise<ConflictLogEntry[]> {
    const rows = this.sql.conflicts.all(this.key, CONFLICT_LOG_LIMIT) as Array<{ entry: string }>;
    return rows.map((row) => JSON.parse(row.entry) as ConflictLogEntry);
  }

  async commit(change: StoreCommit): Promise<void> {
    // A throw anywhere inside rolls the whole transaction back.
    this.db.transaction(() => this.apply(change))();
  }

  private apply(change: StoreCommit): void {
    const { sql, key } = this;
    for (const k of change.deleteRelations ?? []) {
      checkRelationKey(k);
      sql.deleteRelation.run(key, k.type, k.crmId);
    }
    for (const r of change.putRelations ?? []) {
      checkRelation(r);
      const holder = sql.relationByOutlookId.get(key, r.type, r.outlookId) as RelationRow | undefined;
      if (holder && holder.crm_id !== r.crmId) throw outlookIdTaken(r, holder.crm_id);
      sql.putRelation.run(key, r.type, r.crmId, r.outlookId, r.crmVersion, r.outlookVersion, JSON.stringify(r.base));
    }
    for (const journalKey of change.removeJournal ?? []) sql.deleteJournal.run(key, journalKey);
    for (const e of change.addJournal ?? []) {
      checkJournalEntry(e);
      const action = e.action === undefined ? null : JSON.stringify(e.action);
      sql.putJournal.run(key, e.key, e.type, e.side, e.op, action, e.createdAt);
    }
    for (const c of change.checkpoints ?? []) {
      checkCheckpoint(c);
      sql.putCheckpoint.run(key, c.type, c.side, c.checkpoint);
    }
    if (change.conflicts?.length) {
      for (const c of change.conflicts) {
        checkConflict(c);
        sql.addConflict.run(key, JSON.stringify(c));
      }
      sql.trimConflicts.run(key, key, CONFLICT_LOG_LIMIT);
    }
  }

  async status<S>(): Promise<S | undefined> {
    const row = this.sql.status.get(this.key) as { value: string } | undefined;
    return row && (JSON.parse(row.value) as S);
  }

  async setStatus<S>(status: S): Promise<void> {
    const json = JSON.stringify(status);
    if (json === undefined) throw new TypeError('Sync status must be JSON-serializable');
    this.sql.putStatus.run(this.key, json);
  }

  async clear(): Promise<void> {
    this.db.transaction(() => {
      for (const table of ['relations', 'checkpoints', 'journal', 'conflicts', 'status']) {
        this.db.prepare(`DELETE FROM ${table} WHERE identity = ?`).run(this.key);
      }
    })();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function toRelation(row: RelationRow): Relation {
  return {
    type: row.type,
    crmId: row.crm_id,
    outlookId: row.outlook_id,
    crmVersion: row.crm_version,
    outlookVersion: row.outlook_version,
    base: JSON.parse(row.base),
  };
}

function toJournalEntry(row: JournalRow): JournalEntry {
  return {
    key: row.key,
    type: row.type,
    side: row.side,
    op: row.op,
    action: row.action === null ? undefined : JSON.parse(row.action),
    createdAt: row.created_at,
  };
}
