// A series is written in two steps: its master (with its rule), then its exceptions (docs/sync.md
// "Recurring series"). A series found after a crash, or made by another engine between the two steps,
// may hold the master alone. The rest of the write is sent before the create counts as done, so a
// relation never records the version of a series without the exceptions it was meant to have (the next
// read would then see the master alone as an edit, and copy it back without them).
import type { CanonicalRecord, EntityType, EventRecord } from './records';
import type { SideItem, WriteOp } from './side';
import { sameValue } from './values';

type CreateOp = Extract<WriteOp<CanonicalRecord>, { op: 'create' }>;

/** The update that gives a found series the exceptions its create meant to write; null when it has them. */
export function restOfSeriesCreate(type: EntityType, op: CreateOp, found: SideItem<unknown>): WriteOp<CanonicalRecord> | null {
  if (type !== 'event') return null;
  const wanted = op.record as EventRecord;
  if (!wanted.recurrence) return null;
  const have = found.record as EventRecord;
  if (sameValue(have.exceptions ?? [], wanted.exceptions ?? [])) return null;
  return { op: 'update', id: found.id, record: op.record, fields: ['exceptions'] as never, ...(op.crmId !== undefined ? { crmId: op.crmId } : {}) };
}
