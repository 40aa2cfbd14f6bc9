// Oro's asynchronous operations, as far as a synchronous batch that ran past its wait timeout needs
// them (documentation api/batch-api.rst and api/sync-batch-api.rst; platform ApiBundle
// Processor/UpdateList/ProcessSynchronousOperation.php): the batch is answered 202 with an
// `asyncoperations` resource and `Content-Location: …/api/asyncoperations/{id}`, and the message queue
// applies it later, atomically as the one chunk it is. Then
//   GET /api/asyncoperations/{id}          status new|running|success|failed|cancelled, summary
//   GET /api/asyncoperations/{id}/errors   asyncoperationerrors {status:int, title, detail, source.pointer}
// The quirk `asyncBatch` (quirks.ts) says which batches go this way and when they are applied.
import type Database from 'better-sqlite3';
import type { Request, Response, Router } from '../../common/http';
import type { CrmContext, CrmUser } from '../context';
import { accessDenied, errorOf, jsonApi, notFoundEntity, type ErrorObject } from '../jsonapi';
import { quirks } from './quirks';
import { oroDateTime } from './schema';

/** Runs a stored batch document as a synchronous batch of its type (registered by resources.ts). */
export type BatchRunner = (doc: unknown, user: CrmUser) => Response;
const runners = new Map<string, BatchRunner>();

export function registerBatchRunner(type: string, runner: BatchRunner): void {
  runners.set(type, runner);
}

interface OperationRow {
  id: number;
  entity_type: string;
  user_id: number;
  organization_id: number;
  status: string;
  body: string;
  requests_left: number;
  created_at: string;
  updated_at: string;
  summary: string | null;
  errors: string;
}

/** The batch goes async when the quirk says it runs past the wait timeout; null otherwise. */
export function deferBatch(ctx: CrmContext, req: Request, type: string, doc: { data: unknown[] }, user: CrmUser): Response | null {
  const rule = quirks(ctx.db).asyncBatch;
  if (!rule || doc.data.length <= rule.above) return null;
  const now = oroDateTime(ctx.now());
  const id = Number(
    ctx.db
      .prepare('INSERT INTO crm_async_operations (entity_type, user_id, organization_id, status, body, requests_left, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(type, user.id, user.organizationId, 'running', JSON.stringify({ doc, user }), rule.afterRequests, now, now).lastInsertRowid,
  );
  const row = load(ctx.db, id)!;
  return jsonApi(202, { data: serialize(ctx, row, hateoasOf(req)) }, { 'Content-Location': `${ctx.baseUrl()}/api/asyncoperations/${id}` });
}

/** Called before every JSON:API request: operations whose time has come are applied now, oldest first. */
export function runDueOperations(ctx: CrmContext): void {
  const pending = ctx.db.prepare("SELECT * FROM crm_async_operations WHERE status = 'running' ORDER BY id").all() as OperationRow[];
  for (const op of pending) {
    if (op.requests_left > 0) {
      ctx.db.prepare('UPDATE crm_async_operations SET requests_left = requests_left - 1 WHERE id = ?').run(op.id);
      continue;
    }
    const { doc, user } = JSON.parse(op.body) as { doc: { data: Array<{ meta?: Record<string, unknown> }> }; user: CrmUser };
    const runner = runners.get(op.entity_type);
    const res = runner ? runner(doc, user) : errorOf(500, 'runtime exception', `No batch runner for ${op.entity_type}.`);
    const now = oroDateTime(ctx.now());
    const n = doc.data.length;
    if (res.status === 200) {
      const updates = doc.data.filter((d) => d.meta?.update === true || d.meta?.upsert !== undefined).length;
      const summary = { aggregateTime: 0, readCount: n, writeCount: n, errorCount: 0, createCount: n - updates, updateCount: updates };
      ctx.db.prepare("UPDATE crm_async_operations SET status = 'success', summary = ?, updated_at = ? WHERE id = ?").run(JSON.stringify(summary), now, op.id);
    } else {
      const errors = ((res.body as { errors?: ErrorObject[] } | undefined)?.errors ?? []).map((e) => ({ ...e, status: Number(e.status) }));
      const summary = { aggregateTime: 0, readCount: n, writeCount: 0, errorCount: errors.length, createCount: 0, updateCount: 0 };
      ctx.db.prepare("UPDATE crm_async_operations SET status = 'failed', summary = ?, errors = ?, updated_at = ? WHERE id = ?").run(JSON.stringify(summary), JSON.stringify(errors), now, op.id);
    }
  }
}

export function registerAsyncOperationRoutes(router: Router, ctx: CrmContext, guarded: (h: (req: Request, user: CrmUser) => Response) => (req: Request) => Response): void {
  router.on(
    'GET',
    '/api/asyncoperations/:id',
    guarded((req, user) => {
      const row = visible(ctx, req, user);
      return 'status' in row && typeof row.status === 'number' ? (row as Response) : jsonApi(200, { data: serialize(ctx, row as OperationRow, hateoasOf(req)) });
    }),
  );
  router.on(
    'GET',
    '/api/asyncoperations/:id/errors',
    guarded((req, user) => {
      const found = visible(ctx, req, user);
      if (typeof found.status === 'number') return found as Response;
      const row = found as OperationRow;
      const errors = JSON.parse(row.errors) as Array<Record<string, unknown>>;
      return jsonApi(200, { data: errors.map(({ status, title, detail, source }, i) => ({ type: 'asyncoperationerrors', id: `${row.id}-1-${i + 1}`, attributes: { status, title, detail, source } })) });
    }),
  );
}

function visible(ctx: CrmContext, req: Request, user: CrmUser): OperationRow | Response {
  const row = /^\d+$/.test(req.params.id) ? load(ctx.db, Number(req.params.id)) : null;
  if (!row) return notFoundEntity();
  if (row.user_id !== user.id) return accessDenied();
  return row;
}

function load(db: Database.Database, id: number): OperationRow | null {
  return (db.prepare('SELECT * FROM crm_async_operations WHERE id = ?').get(id) as OperationRow | undefined) ?? null;
}

const hateoasOf = (req: Request) => !String(req.headers['x-include'] ?? '').includes('noHateoas');

function serialize(ctx: CrmContext, row: OperationRow, hateoas: boolean): Record<string, unknown> {
  const elapsed = Math.max(0, Math.round((Date.parse(row.updated_at) - Date.parse(row.created_at)) / 1000));
  const done = row.status === 'success' || row.status === 'failed';
  const out: Record<string, unknown> = {
    type: 'asyncoperations',
    id: String(row.id),
    attributes: {
      status: row.status,
      progress: done ? 1 : null,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      elapsedTime: elapsed,
      entityType: row.entity_type,
      summary: row.summary ? (JSON.parse(row.summary) as unknown) : null,
    },
    relationships: {
      owner: { data: { type: 'users', id: String(row.user_id) } },
      organization: { data: { type: 'organizations', id: String(row.organization_id) } },
    },
  };
  if (hateoas) out.links = { self: `${ctx.baseUrl()}/api/asyncoperations/${row.id}` };
  return out;
}
