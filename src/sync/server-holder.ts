// How every engine recognises the sync server (issue 12) as the holder of a mailbox's lease. Kept apart
// from src/server so the pane can tell "the server syncs this mailbox" without bundling Redis or BullMQ.
import type { LeaseView } from './lease';

/** How panes and the runner name the server while it holds their mailbox. */
export const SERVER_DEVICE_LABEL = 'OroCRM Sync server';
/** The server is one holder of the CRM lease, whichever worker renews it (one server per CRM). */
export const SERVER_HOLDER_ID = 'orocrm-sync-server';

/** The holder id, not the label, decides: a label is free text any engine could send. */
export function heldByServer(view: Pick<LeaseView, 'holder'> | null): boolean {
  return view?.holder === SERVER_HOLDER_ID;
}
