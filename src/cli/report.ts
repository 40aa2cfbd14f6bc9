// One short line per cycle and per problem, for the headless runner's output.
import type { CycleSummary } from '../sync/engine';
import type { SyncStatus } from '../sync/status';

const SIDE_LABEL = { crm: 'OroCRM', outlook: 'Outlook' } as const;

function counts(w: { created: number; updated: number; deleted: number }): string {
  return `+${w.created} ~${w.updated} -${w.deleted}`;
}

/** e.g. "OroCRM cycle (contact, task): Outlook +2 ~0 -0, OroCRM +0 ~1 -0, 0 conflicts". */
export function cycleLine(summary: CycleSummary, at = new Date()): string {
  const types = summary.types.length ? summary.types.join(', ') : 'nothing enabled';
  const stopped = summary.stopped ? ' (stopped early)' : '';
  return `${at.toISOString()} ${SIDE_LABEL[summary.side]} cycle (${types}): Outlook ${counts(summary.written.outlook)}, OroCRM ${counts(summary.written.crm)}, ${summary.conflicts} conflict${summary.conflicts === 1 ? '' : 's'}${stopped}`;
}

/** What waits for the user after a cycle, one line each. */
export function attentionLines(status: SyncStatus): string[] {
  const lines = status.pendingDeletions.map((p) => `waiting: ${p.count} Outlook ${p.type}(s) would be deleted (of ${p.linked} linked); confirm in the pane`);
  for (const a of status.ambiguousMatches.slice(0, 5)) lines.push(`ambiguous: ${SIDE_LABEL[a.side]} ${a.type} "${a.item}" matches ${a.candidateIds.length} items; not linked`);
  for (const e of status.itemErrors.slice(0, 5)) lines.push(`refused: ${SIDE_LABEL[e.side]} ${e.type} ${e.id}: ${e.message}`);
  return lines;
}
