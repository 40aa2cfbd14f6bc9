// How the emulated Oro behaves where a real install varies or is unkind: one set of knobs, kept in
// the database (so a restart on the same file keeps them), changed over HTTP by tests:
//   GET  /_emulator/quirks          → the current knobs
//   POST /_emulator/quirks {…}      → changes the named knobs only; answers the whole set
// They live outside `/_control/` because that prefix is served by the shared HTTP core before any router.
import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { Router } from '../../common/http';

export const quirksSchema = z
  .object({
    /**
     * OroCRMTaskBundle's `task_flow` workflow, active by default on a stock Oro
     * (Resources/config/oro/workflows/task_flow.yml `defaults.active: true`): a task is created `open`
     * and its status changes only through the workflow's transitions (entity_restrictions.yml).
     */
    taskFlow: z.boolean(),
    /**
     * A synchronous batch that runs past Oro's wait timeout (`sync_processing_wait_timeout`, 25 s;
     * ApiBundle ProcessSynchronousOperation) is answered 202 with its asynchronous operation and
     * finished later by the message queue. Here: batches of more than `above` primary records do so,
     * and the operation is applied when `afterRequests` more API requests have arrived (polls included).
     * null: every batch finishes in time.
     */
    asyncBatch: z.object({ above: z.number().int().min(0), afterRequests: z.number().int().min(0) }).strict().nullable(),
    /**
     * The legacy event list in page/limit mode has no ORDER BY (OroCalendarBundle
     * CalendarEventController::cgetAction → CalendarEventRepository::getUserEventListByRecurringEventQueryBuilder,
     * then setFirstResult/setMaxResults; only start/end mode orders, by calendar and start). The database
     * may return the rows in another order for each query (plans change with OFFSET, updated rows move),
     * so pages by number can repeat some events and skip others. Here: each listing request orders the
     * rows by its own deterministic shuffle. false: by id, every time.
     */
    unstableEventOrder: z.boolean(),
    /**
     * Oro writes audit rows from its message queue (DataAuditBundle SendChangedEntitiesToMessageQueueListener
     * sends the changes at postFlush with `timestamp = time()`, AuditChangedEntitiesProcessor writes the
     * rows later with `loggedAt` = that timestamp and may REQUEUE; several consumers run side by side), so
     * a row gets its id when it is written but its loggedAt from the flush: it can appear after rows
     * with later loggedAt. Here: the 1st, (1+every)th, … audit message waits until `afterRequests` more
     * API requests have arrived; the others are written at once; messages due together are written newest
     * first. null: every row is written at the flush (a consumer that keeps up, in order).
     */
    lateAudit: z.object({ every: z.number().int().min(1), afterRequests: z.number().int().min(0) }).strict().nullable(),
  })
  .strict();

export type Quirks = z.infer<typeof quirksSchema>;

/** A stock Oro 7.0. */
export const STOCK_QUIRKS: Quirks = { taskFlow: true, asyncBatch: null, unstableEventOrder: true, lateAudit: null };

export function quirks(db: Database.Database): Quirks {
  const row = db.prepare("SELECT value FROM crm_emulator_settings WHERE name = 'quirks'").get() as { value: string } | undefined;
  if (!row) return { ...STOCK_QUIRKS };
  return { ...STOCK_QUIRKS, ...quirksSchema.partial().parse(JSON.parse(row.value)) };
}

export function setQuirks(db: Database.Database, changes: Partial<Quirks>): Quirks {
  const next = { ...quirks(db), ...changes };
  db.prepare("INSERT INTO crm_emulator_settings (name, value) VALUES ('quirks', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value").run(JSON.stringify(next));
  return next;
}

export function registerQuirkRoutes(router: Router, db: Database.Database): void {
  router.on('GET', '/_emulator/quirks', () => ({ status: 200, body: quirks(db) }));
  router.on('POST', '/_emulator/quirks', (req) => {
    let body: unknown;
    try {
      body = JSON.parse(req.rawBody || '{}');
    } catch {
      return { status: 400, body: { error: 'body must be JSON' } };
    }
    const parsed = quirksSchema.partial().safeParse(body);
    if (!parsed.success) return { status: 400, body: { error: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') } };
    return { status: 200, body: setQuirks(db, parsed.data) };
  });
}
