// What the server publishes in the CRM lease for the panes that follow it: one status per mailbox,
// whichever worker ran the job. Each worker's engine only knows the jobs it ran itself (its own SQLite
// status), so the published one carries the other side's last check and the counts over from the
// server's previous publication, adds what this job did, and names the next runs the queue planned.
import { ENTITY_TYPES, type SideName } from '../sync/records';
import type { SideTypeStatus, SyncStatus } from '../sync/status';

const COUNTS = ['created', 'updated', 'deleted', 'conflicted'] as const;
const SIDES: SideName[] = ['crm', 'outlook'];

export interface PublishedStatusInput {
  /** The server's last publication for this mailbox (from any worker), or null (first, or a pane's). */
  previous: SyncStatus | null;
  /** This worker's engine status before and after the job. */
  before: SyncStatus;
  after: SyncStatus;
  /** The sides this job checked. */
  ran: SideName[];
  /** When the queue runs each side next (ms since the epoch), null when unknown. */
  nextRun: Record<SideName, number | null>;
}

export function publishedStatus({ previous, before, after, ran, nextRun }: PublishedStatusInput): SyncStatus {
  const out = structuredClone(after);
  for (const type of ENTITY_TYPES) {
    for (const side of SIDES) {
      const now = out.types[type][side];
      const was = previous?.types[type]?.[side];
      if (was) {
        // Counts are the server's in all: the previous publication plus what this job wrote.
        for (const k of COUNTS) now[k] = was[k] + Math.max(0, after.types[type][side][k] - before.types[type][side][k]);
        if (!ran.includes(side)) {
          now.lastCheck = latest(was.lastCheck, now.lastCheck);
          now.lastError = was.lastError;
        }
      }
      now.nextCheck = nextRun[side] === null ? (was?.nextCheck ?? null) : new Date(nextRun[side]!).toISOString();
    }
  }
  return out;
}

function latest(a: SideTypeStatus['lastCheck'], b: SideTypeStatus['lastCheck']): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}
