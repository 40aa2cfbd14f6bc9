// The store contract on a real PostgreSQL: a throwaway cluster of our own (found, or installed as root
// on Debian, like redis-server for test/server; never skipped), a fresh schema per backend.
import crypto from 'node:crypto';
import { Client } from 'pg';
import { startLocalPostgres, type LocalPostgres } from '../../src/server/postgres';
import { StoreValueError } from '../../src/store/rules';
import { PostgresStateDatabase } from '../../src/store/postgres-store';
import { ANN, BOB, describeStoreContract, relation } from '../support/store-contract';

jest.setTimeout(120_000);

let cluster: LocalPostgres;

beforeAll(async () => {
  cluster = await startLocalPostgres({ log: (l) => process.stderr.write(`${l}\n`) });
});

afterAll(async () => {
  await cluster?.stop();
});

const freshSchema = () => `contract_${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`;

async function dropSchema(schema: string): Promise<void> {
  const admin = new Client({ connectionString: cluster.url });
  await admin.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await admin.end();
  }
}

describeStoreContract('PostgreSQL (node-postgres)', () => {
  const schema = freshSchema();
  let db: Promise<PostgresStateDatabase> | null = null;
  return {
    open: async (identity) => (await (db ??= PostgresStateDatabase.connect(cluster.url, { schema }))).open(identity),
    dispose: async () => {
      if (db) await (await db).close();
      await dropSchema(schema);
    },
  };
});

describe('PostgreSQL store shared by several workers', () => {
  let schema: string;
  let workers: PostgresStateDatabase[];

  beforeEach(async () => {
    schema = freshSchema();
    // Two pools: what two worker processes hold. Both migrate at once, as workers starting together do.
    workers = await Promise.all([PostgresStateDatabase.connect(cluster.url, { schema }), PostgresStateDatabase.connect(cluster.url, { schema })]);
  });

  afterEach(async () => {
    for (const w of workers) await w.close();
    await dropSchema(schema);
  });

  it("a mailbox's state written by one worker is what the next worker reads, with no copy in between", async () => {
    const [first, second] = workers;
    const ann = await first.open(ANN);
    await ann.commit({ putRelations: [relation('1', 'A')], checkpoints: [{ type: 'contact', side: 'outlook', checkpoint: 'delta-1' }] });
    const annElsewhere = await second.open(ANN);
    expect(await annElsewhere.relationByOutlookId('contact', 'A')).toEqual(relation('1', 'A'));
    expect(await annElsewhere.checkpoint('contact', 'outlook')).toBe('delta-1');
    await annElsewhere.commit({ deleteRelations: [{ type: 'contact', crmId: '1' }] });
    expect(await ann.relations('contact')).toEqual([]);
    expect(await (await second.open(BOB)).relations('contact')).toEqual([]);
  });

  it("a commit waits while another worker's transaction holds the mailbox's row, then sees its relation", async () => {
    const [first] = workers;
    const ann = await first.open(ANN);
    const other = new Client({ connectionString: cluster.url, options: `-c search_path=${schema}` });
    await other.connect();
    try {
      await other.query('BEGIN');
      const [{ identity }] = (await other.query('SELECT identity FROM sync_identities FOR UPDATE')).rows as Array<{ identity: string }>;
      let settled = false;
      const outcome = ann.commit({ putRelations: [relation('2', 'A')] }).then(
        () => 'committed',
        (error: unknown) => error,
      );
      void outcome.finally(() => (settled = true));
      // The store's transaction is seen waiting for the lock, not finished, before the other one links A.
      let waiting = false;
      while (!waiting && !settled) {
        const seen = await other.query("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%FOR UPDATE%' AND pid <> pg_backend_pid()");
        waiting = (seen.rowCount ?? 0) > 0;
        if (!waiting) await new Promise((r) => setTimeout(r, 20));
      }
      expect({ waiting, settled }).toEqual({ waiting: true, settled: false });
      await other.query(`INSERT INTO relations (identity, type, crm_id, outlook_id, crm_version, outlook_version, base) VALUES ($1, 'contact', '1', 'A', 'c', 'o', '{}')`, [identity]);
      await other.query('COMMIT');
      const result = await outcome;
      expect(result).toBeInstanceOf(StoreValueError);
      expect(String(result)).toMatch(/already linked to CRM record "1"/);
    } finally {
      await other.end();
    }
    expect((await ann.relationByOutlookId('contact', 'A'))?.crmId).toBe('1');
  });
});
