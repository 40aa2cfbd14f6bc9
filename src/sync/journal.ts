// Journal entries: the intent of every write, stored before the write is sent (crash safety step 1,
// sync-design.md "Crash safety"). Recovery reads them back after a crash.
import type { JournalEntry } from '../store/types';
import type { SyncAction } from './actions';
import type { EntityType, SideName } from './records';

type Written = Exclude<SyncAction['kind'], 'ReportAmbiguousMatch' | 'Ignore' | 'RecordVersions' | 'Unlink' | 'ParkMovedOut'>;

/** Which side an action writes first, and how. */
const JOURNAL_SHAPE: Record<Written, { side: SideName; op: JournalEntry['op'] }> = {
  CreateInOutlook: { side: 'outlook', op: 'create' },
  RecreateInOutlook: { side: 'outlook', op: 'create' },
  CreateInCrm: { side: 'crm', op: 'create' },
  RecreateInCrm: { side: 'crm', op: 'create' },
  UpdateOutlook: { side: 'outlook', op: 'update' },
  UpdateCrm: { side: 'crm', op: 'update' },
  MergeBoth: { side: 'crm', op: 'update' },
  LinkMatched: { side: 'outlook', op: 'update' },
  UnlinkAndClearStamp: { side: 'outlook', op: 'update' },
  DeleteInOutlook: { side: 'outlook', op: 'delete' },
};

export function writesRemotely(action: SyncAction): action is Extract<SyncAction, { kind: Written }> {
  return action.kind in JOURNAL_SHAPE;
}

export function journalEntry(action: Extract<SyncAction, { kind: Written }>, key: string, at: Date): JournalEntry {
  return { key, type: action.type, ...JOURNAL_SHAPE[action.kind], action, createdAt: at.toISOString() };
}

/**
 * Deletions wait in the journal until the mass-deletion guard lets them through. Their key is
 * derived from the pair, so planning the same deletion twice keeps one entry.
 */
export function deferredDeletionKey(type: EntityType, crmId: string): string {
  return `delete:${type}:${crmId}`;
}

export function isDeferredDeletion(entry: JournalEntry): boolean {
  return entry.op === 'delete';
}

const KINDS = new Set<string>(Object.keys(JOURNAL_SHAPE));

/** The action an entry recorded; entries the engine did not write are refused, never guessed at. */
export function actionOf(entry: JournalEntry): Extract<SyncAction, { kind: Written }> {
  const action = entry.action as { kind?: unknown; type?: unknown } | null;
  if (!action || typeof action.kind !== 'string' || !KINDS.has(action.kind) || action.type !== entry.type) {
    throw new Error(`Journal entry ${entry.key} does not hold a sync action`);
  }
  return action as Extract<SyncAction, { kind: Written }>;
}
