// The status the pane shows and the store keeps (store.setStatus): per entity type and side, the last
// and next check and what was written; the last error in plain words; first-sync progress; what waits
// for the user (mass deletions, ambiguous matches).
import type { SyncDirection } from '../settings/options';
import { AuthenticationError, FullResyncRequiredError, MalformedResponseError, RequestRejectedError, ServiceUnavailableError, ThrottledError } from './errors';
import { ENTITY_TYPES, type EntityType, type SideName } from './records';

export interface SideTypeStatus {
  /** ISO time of the last completed check of this side for this type. */
  lastCheck: string | null;
  /** ISO time the scheduler plans the next check (null: not scheduled). */
  nextCheck: string | null;
  /** Items created / updated / deleted ON this side by sync. */
  created: number;
  updated: number;
  deleted: number;
  /** Conflicts found while checking this side. */
  conflicted: number;
  lastError: string | null;
}

export interface TypeStatus {
  enabled: boolean;
  /** Linked pairs after the last check. */
  linked: number;
  crm: SideTypeStatus;
  outlook: SideTypeStatus;
}

export interface PendingDeletion {
  type: EntityType;
  /** Outlook items the cycle would delete. */
  count: number;
  linked: number;
  since: string;
}

export interface AmbiguousMatchReport {
  type: EntityType;
  side: SideName;
  id: string;
  item: string;
  candidateIds: string[];
  at: string;
}

export interface SyncStatus {
  types: Record<EntityType, TypeStatus>;
  /** The cycle running now, if any. */
  running: { side: SideName; type: EntityType | null } | null;
  lastError: { message: string; side: SideName | null; type: EntityType | null; at: string; retryable: boolean } | null;
  /** Set while a first sync (no links yet) reads a side. `total` is null when the side cannot tell. */
  firstSync: { type: EntityType; side: SideName; processed: number; total: number | null } | null;
  pendingDeletions: PendingDeletion[];
  /** Types whose waiting deletions the user confirmed: the next cycle sends them. */
  confirmedDeletions: EntityType[];
  /** Latest first, at most 50. */
  ambiguousMatches: AmbiguousMatchReport[];
  /** Items a service refused, latest first, at most 50. */
  itemErrors: Array<{ type: EntityType; side: SideName; id: string; message: string; at: string }>;
  /** The direction each type last ran with (null: off); a change means a full re-read of that type. */
  appliedDirection: Partial<Record<EntityType, SyncDirection | null>>;
  /** `type:side` full rounds begun and not yet completed; a cut-short round starts over. */
  fullRounds: string[];
}

export const STATUS_LIST_LIMIT = 50;

function sideStatus(): SideTypeStatus {
  return { lastCheck: null, nextCheck: null, created: 0, updated: 0, deleted: 0, conflicted: 0, lastError: null };
}

export function initialStatus(): SyncStatus {
  const types = Object.fromEntries(ENTITY_TYPES.map((t) => [t, { enabled: false, linked: 0, crm: sideStatus(), outlook: sideStatus() }])) as Record<EntityType, TypeStatus>;
  return { types, running: null, lastError: null, firstSync: null, pendingDeletions: [], confirmedDeletions: [], ambiguousMatches: [], itemErrors: [], appliedDirection: {}, fullRounds: [] };
}

/** A stored status from an older build is completed with defaults rather than trusted blindly. */
export function restoreStatus(stored: unknown): SyncStatus {
  const base = initialStatus();
  if (!stored || typeof stored !== 'object') return base;
  const s = stored as Partial<SyncStatus>;
  for (const t of ENTITY_TYPES) {
    const st = s.types?.[t];
    if (st) base.types[t] = { ...base.types[t], ...st, crm: { ...sideStatus(), ...st.crm }, outlook: { ...sideStatus(), ...st.outlook } };
  }
  return {
    ...base,
    lastError: s.lastError ?? null,
    pendingDeletions: Array.isArray(s.pendingDeletions) ? s.pendingDeletions : [],
    confirmedDeletions: Array.isArray(s.confirmedDeletions) ? s.confirmedDeletions : [],
    ambiguousMatches: Array.isArray(s.ambiguousMatches) ? s.ambiguousMatches : [],
    itemErrors: Array.isArray(s.itemErrors) ? s.itemErrors : [],
    appliedDirection: s.appliedDirection && typeof s.appliedDirection === 'object' ? s.appliedDirection : {},
    fullRounds: Array.isArray(s.fullRounds) ? s.fullRounds.filter((k) => typeof k === 'string') : [],
  };
}

export function serviceName(side: SideName): string {
  return side === 'crm' ? 'OroCRM' : 'Outlook';
}

/** The last error in words a user understands. */
export function plainError(error: unknown, side: SideName | null): string {
  const who = side ? serviceName(side) : 'The service';
  if (error instanceof ThrottledError) {
    const wait = error.retryAfterMs ? ` for ${Math.ceil(error.retryAfterMs / 1000)} s` : '';
    return `${who} is busy and asked us to wait${wait}. Sync will try again by itself.`;
  }
  if (error instanceof ServiceUnavailableError) return `${who} could not be reached. Sync will try again by itself.`;
  if (error instanceof AuthenticationError) return `Sign in to ${who} again to continue syncing.`;
  if (error instanceof FullResyncRequiredError) return `${who} asked for a full re-read; it will run on the next check.`;
  if (error instanceof MalformedResponseError) return `${who} sent an answer we could not read, so nothing was changed.`;
  if (error instanceof RequestRejectedError) return `${who} refused a change: ${error.message}`;
  return `Sync stopped: ${error instanceof Error ? error.message : String(error)}`;
}

/** Errors worth retrying on the next tick (with backoff), as opposed to ones the user must fix. */
export function isRetryable(error: unknown): boolean {
  return error instanceof ThrottledError || error instanceof ServiceUnavailableError || error instanceof FullResyncRequiredError;
}
