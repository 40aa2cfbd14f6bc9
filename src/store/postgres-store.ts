// SyncStore in PostgreSQL (the sync server's shared store), through node-postgres (npm `pg`). Node-only,
// like the SQLite store. One database serves every worker process and every mailbox: each row carries
// its identity key, a commit is one transaction, and it first locks its identity's row
// (`SELECT … FOR UPDATE`), so commits of one mailbox never interleave, from whichever worker they come.
// Values are kept as JSON text, as in SQLite, so both stores give back exactly what they were given.
import { Pool, type PoolClient } from 'pg';
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
CREATE TABLE IF NOT EXISTS sync_identities (identity TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS relations (
  identity TEXT NOT NULL, type TEXT NOT NULL, crm_id TEXT NOT NULL, outlook_id TEXT NOT NULL,
  crm_version TEXT NOT NULL, outlook_version TEXT NOT NULL, base TEXT NOT NULL,
  PRIMARY KEY (identity, type, crm_id),
  CONSTRAINT relations_outlook_once UNIQUE (identity, type, outlook_id)
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
  id BIGSERIAL PRIMARY KEY, identity TEXT NOT NULL, entry TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS conflicts_by_identity ON conflicts (identity, id);
CREATE TABLE IF NOT EXISTS status (identity TEXT PRIMARY KEY, value TEXT NOT NULL);
`;
/** Workers starting together must not race each other's CREATE TABLE IF NOT EXISTS (it is not atomic in PostgreSQL). */
const MIGRATION_LOCK = 7_318_004_512;

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

export interface PostgresStateOptions {
  /** A schema of its own (created if missing); default: the connection's search_path (public). */
  schema?: string;
  /** Connections of this process's pool (a worker: its job concurrency and a little more). */
  maxConnections?: number;
}

/**
 * One process's connection pool to the state database; opens a store per identity. Stores share the
 * pool, so a worker with a thousand mailboxes holds a few connections, not a thousand.
 */
export class PostgresStateDatabase {
  private constructor(private readonly pool: Pool) {}

  static async connect(url: string, opts: PostgresStateOptions = {}): Promise<PostgresStateDatabase> {
    if (opts.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(opts.schema)) {
      throw new TypeError(`PostgreSQL schema "${opts.schema}" must be lower-case letters, digits and "_"`);
    }
    const pool = new Pool({
      connectionString: url,
      max: opts.maxConnections ?? 10,
      ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
    });
    // An idle connection dropped by the server (restart, failover) must not crash the process.
    pool.on('error', () => undefined);
    try {
      await inTransaction(pool, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        if (opts.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${opts.schema}`);
        await client.query(SCHEMA);
      });
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return new PostgresStateDatabase(pool);
  }

  async open(identity: StoreIdentity): Promise<SyncStore> {
    const key = identityKey(identity);
    await this.pool.query('INSERT INTO sync_identities (identity) VALUES ($1) ON CONFLICT DO NOTHING', [key]);
    return new PostgresStore({ ...identity }, key, this.pool);
  }

  /** Ends the pool; every store opened from it stops working. */
  async close(): Promise<void> {
    await this.pool.end();
  }
}

async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

class PostgresStore implements SyncStore {
  private closed = false;

  constructor(
    readonly identity: StoreIdentity,
    private readonly key: string,
    private readonly pool: Pool,
  ) {}

  private async rows<R>(sql: string, params: unknown[]): Promise<R[]> {
    this.assertOpen();
    return (await this.pool.query(sql, [this.key, ...params])).rows as R[];
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('This PostgreSQL store is closed.');
  }

  async relations(type: EntityType): Promise<Relation[]> {
    checkEntityType(type, 'relations()');
    return (await this.rows<RelationRow>('SELECT * FROM relations WHERE identity = $1 AND type = $2', [type])).map(toRelation);
  }

  async relationByCrmId(type: EntityType, crmId: string): Promise<Relation | undefined> {
    const [row] = await this.rows<RelationRow>('SELECT * FROM relations WHERE identity = $1 AND type = $2 AND crm_id = $3', [type, crmId]);
    return row && toRelation(row);
  }

  async relationByOutlookId(type: EntityType, outlookId: string): Promise<Relation | undefined> {
    const [row] = await this.rows<RelationRow>('SELECT * FROM relations WHERE identity = $1 AND type = $2 AND outlook_id = $3', [type, outlookId]);
    return row && toRelation(row);
  }

  async checkpoint(type: EntityType, side: SideName): Promise<string | null> {
    const [row] = await this.rows<{ checkpoint: string | null }>('SELECT checkpoint FROM checkpoints WHERE identity = $1 AND type = $2 AND side = $3', [type, side]);
    return row?.checkpoint ?? null;
  }

  async journal(): Promise<JournalEntry[]> {
    return (await this.rows<JournalRow>('SELECT * FROM journal WHERE identity = $1', [])).map(toJournalEntry).sort(journalOrder);
  }

  async conflicts(): Promise<ConflictLogEntry[]> {
    const rows = await this.rows<{ entry: string }>('SELECT entry FROM conflicts WHERE identity = $1 ORDER BY id DESC LIMIT $2', [CONFLICT_LOG_LIMIT]);
    return rows.map((row) => JSON.parse(row.entry) as ConflictLogEntry);
  }

  async commit(change: StoreCommit): Promise<void> {
    this.assertOpen();
    // A throw anywhere inside rolls the whole transaction back.
    await inTransaction(this.pool, async (client) => {
      await client.query('SELECT 1 FROM sync_identities WHERE identity = $1 FOR UPDATE', [this.key]);
      await this.apply(client, change);
    });
  }

  private async apply(client: PoolClient, change: StoreCommit): Promise<void> {
    const key = this.key;
    const q = (sql: string, params: unknown[]) => client.query(sql, [key, ...params]);
    for (const k of change.deleteRelations ?? []) {
      checkRelationKey(k);
      await q('DELETE FROM relations WHERE identity = $1 AND type = $2 AND crm_id = $3', [k.type, k.crmId]);
    }
    for (const r of change.putRelations ?? []) {
      checkRelation(r);
      const holder = await q('SELECT crm_id FROM relations WHERE identity = $1 AND type = $2 AND outlook_id = $3', [r.type, r.outlookId]);
      const holderId = (holder.rows[0] as { crm_id: string } | undefined)?.crm_id;
      if (holderId !== undefined && holderId !== r.crmId) throw outlookIdTaken(r, holderId);
      await q(
        `INSERT INTO relations (identity, type, crm_id, outlook_id, crm_version, outlook_version, base) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (identity, type, crm_id) DO UPDATE SET outlook_id = EXCLUDED.outlook_id, crm_version = EXCLUDED.crm_version,
           outlook_version = EXCLUDED.outlook_version, base = EXCLUDED.base`,
        [r.type, r.crmId, r.outlookId, r.crmVersion, r.outlookVersion, JSON.stringify(r.base)],
      );
    }
    const removed = change.removeJournal ?? [];
    if (removed.length) await q('DELETE FROM journal WHERE identity = $1 AND key = ANY($2::text[])', [removed]);
    for (const e of change.addJournal ?? []) {
      checkJournalEntry(e);
      const action = e.action === undefined ? null : JSON.stringify(e.action);
      await q(
        `INSERT INTO journal (identity, key, type, side, op, action, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (identity, key) DO UPDATE SET type = EXCLUDED.type, side = EXCLUDED.side, op = EXCLUDED.op,
           action = EXCLUDED.action, created_at = EXCLUDED.created_at`,
        [e.key, e.type, e.side, e.op, action, e.createdAt],
      );
    }
    for (const c of change.checkpoints ?? []) {
      checkCheckpoint(c);
      await q(
        `INSERT INTO checkpoints (identity, type, side, checkpoint) VALUES ($1, $2, $3, $4)
         ON CONFLICT (identity, type, side) DO UPDATE SET checkpoint = EXCLUDED.checkpoint`,
        [c.type, c.side, c.checkpoint],
      );
    }
    if (change.conflicts?.length) {
      for (const c of change.conflicts) checkConflict(c);
      // One statement, in order: ids follow the commit's order, so the newest is the last given.
      await q('INSERT INTO conflicts (identity, entry) SELECT $1, e FROM unnest($2::text[]) WITH ORDINALITY AS t(e, n) ORDER BY n', [
        change.conflicts.map((c) => JSON.stringify(c)),
      ]);
      await q(
        `DELETE FROM conflicts WHERE identity = $1 AND id <= (SELECT id FROM conflicts WHERE identity = $1 ORDER BY id DESC OFFSET $2 LIMIT 1)`,
        [CONFLICT_LOG_LIMIT],
      );
    }
  }

  async status<S>(): Promise<S | undefined> {
    const [row] = await this.rows<{ value: string }>('SELECT value FROM status WHERE identity = $1', []);
    return row && (JSON.parse(row.value) as S);
  }

  async setStatus<S>(status: S): Promise<void> {
    const json = JSON.stringify(status);
    if (json === undefined) throw new TypeError('Sync status must be JSON-serializable');
    await this.rows('INSERT INTO status (identity, value) VALUES ($1, $2) ON CONFLICT (identity) DO UPDATE SET value = EXCLUDED.value', [json]);
  }

  async clear(): Promise<void> {
    this.assertOpen();
    await inTransaction(this.pool, async (client) => {
      await client.query('SELECT 1 FROM sync_identities WHERE identity = $1 FOR UPDATE', [this.key]);
      for (const table of ['relations', 'checkpoints', 'journal', 'conflicts', 'status']) {
        await client.query(`DELETE FROM ${table} WHERE identity = $1`, [this.key]);
      }
    });
  }

  /** This store only; the pool stays for the process's other mailboxes (PostgresStateDatabase.close ends it). */
  async close(): Promise<void> {
    this.closed = true;
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
