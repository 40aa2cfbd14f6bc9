// The CRM side's checkpoint, a JSON string (sync-design.md: checkpoints are opaque to the engine).
//
// Changes: an updatedAt high-water mark `t` plus the versions of the records stamped exactly `t`.
// Oro's updatedAt has second precision, so many records can share `t`; each round reads
// `updatedAt >= t` ordered by (updatedAt, id) and emits only records whose version differs from
// `seen`, so one request covers the boundary second and what follows. A full page inside one second
// continues by id within it ('at'), then with `updatedAt > t`. No record sharing the boundary is lost.
// Deletions: a position in the audit log of removals (rows read, ordered by id; see CrmSide.readDeletions),
// or, where the audit API is missing or forbidden, the ids known to exist (reconciliation).
import { z } from 'zod';
import { FullResyncRequiredError } from '../sync/errors';

const cursorSchema = z.object({ t: z.string().nullable(), seen: z.record(z.string(), z.string()) });
const roundSchema = z.object({
  /** 'since': updatedAt >= t skipping `seen` (added after 'at'/'after'; older checkpoints still read). */
  /** 'window': events, one listing of the calendar window (a full round, or the window moved on). */
  phase: z.enum(['deletions', 'at', 'after', 'since', 'events', 'window']),
  /** 'at': the keyset position within the boundary second; 'events': the last event id handed out. */
  afterId: z.number().int(),
  /** Unused since events are read as one complete listing; kept so older checkpoints still read. */
  page: z.number().int(),
  full: z.boolean(),
  /** Events: the cursor this round is building. */
  next: cursorSchema.nullable(),
});
const deletionsSchema = z.union([
  /**
   * A position in Oro's removal log (ordered by audit id): `at` rows read; the audit ids read at
   * positions from `seenFrom` on, which the next read goes back over. (The earlier loggedAt mark
   * `{pos, seen}` no longer parses: such a checkpoint starts a full round.)
   */
  z.object({ mode: z.literal('audit'), at: z.number().int().min(0), seenFrom: z.number().int().min(0), seen: z.array(z.number().int()) }),
  z.object({ mode: z.literal('reconcile'), known: z.array(z.string()).nullable() }),
]);
const windowSchema = z.object({ start: z.string(), end: z.string() });
/**
 * `win`: events, the calendar window last listed (calendar-window.ts); absent in older checkpoints.
 * `ex`: events, exception event id → its series' master id as last read (an exception's removal is a
 * change of its series, CrmSeries.masterOf); absent in older checkpoints.
 */
const checkpointSchema = z.object({ v: z.literal(1), cursor: cursorSchema, round: roundSchema.nullable(), del: deletionsSchema, win: windowSchema.nullish(), ex: z.record(z.string(), z.string()).nullish() });

export type Cursor = z.infer<typeof cursorSchema>;
export type Round = z.infer<typeof roundSchema>;
export type Deletions = z.infer<typeof deletionsSchema>;
export type CrmCheckpoint = z.infer<typeof checkpointSchema>;

export function encodeCheckpoint(c: CrmCheckpoint): string {
  return JSON.stringify(c);
}

export function decodeCheckpoint(text: string): CrmCheckpoint {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new FullResyncRequiredError('The stored CRM checkpoint is not JSON; a full round is needed.');
  }
  const parsed = checkpointSchema.safeParse(raw);
  if (!parsed.success) throw new FullResyncRequiredError(`The stored CRM checkpoint is unreadable: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}
