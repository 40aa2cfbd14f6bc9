// A pair whose Outlook item the user moved out of the "OroCRM" folder or list (docs/sync.md "Moves"):
// unlinked without deleting anything, and remembered, so that the CRM record is never copied back into the
// folder and the item is linked again if the user moves it back. The store keeps it as a relation whose
// Outlook version is this marker (versions are opaque, and Graph's never looks like it), so every store
// and the shared state carry it unchanged.
import type { Relation } from '../store/types';

export const MOVED_OUT_VERSION = 'moved-out-of-the-OroCRM-folder';

export function isMovedOut(relation: Relation | undefined): boolean {
  return relation?.outlookVersion === MOVED_OUT_VERSION;
}

/** The relation parked on the item where it sits now (a task moved between lists has a new id). */
export function parkedRelation(relation: Relation, outlookId: string): Relation {
  return { ...relation, outlookId, outlookVersion: MOVED_OUT_VERSION };
}
